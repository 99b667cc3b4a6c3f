use std::path::Path;
use std::sync::OnceLock;

use super::*;
use crate::stats::{Bin, HourRisk, Point};

fn run(scenario: &str, settings: &[&str], trajectories: u64) -> Summary {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario);
    let settings: Vec<crate::sweep::Setting> = settings
        .iter()
        .map(|s| crate::sweep::Setting::parse(s).unwrap())
        .collect();
    let study = crate::sweep::load_with_settings(&path, &settings).unwrap();
    let options = crate::RunOptions {
        trajectories,
        ..Default::default()
    };
    let outcome = crate::run(
        &study,
        &crate::engine::Engine::Cpu,
        false,
        &options,
        &mut |_, _| crate::Control::Continue,
    )
    .unwrap();
    outcome.accumulator.summary(&study.units())
}

/// RTS-79, 2,000 trajectories: shortfall in some, no renewables, no regions.
fn rts79() -> &'static Summary {
    static S: OnceLock<Summary> = OnceLock::new();
    S.get_or_init(|| run("scenarios/rts79/rts79.toml", &[], 2000))
}

/// West–east, 100 trajectories: two regions, shortfall and curtailment.
fn west_east() -> &'static Summary {
    static S: OnceLock<Summary> = OnceLock::new();
    S.get_or_init(|| run("scenarios/west-east/west-east.toml", &[], 100))
}

/// RTS-79 at half its load: no shortfall at all.
fn no_shortfall() -> &'static Summary {
    static S: OnceLock<Summary> = OnceLock::new();
    S.get_or_init(|| run("scenarios/rts79/rts79.toml", &["load_multiplier=0.5"], 200))
}

/// Checks every plot of `summary`: well-formed SVG that usvg reads, no NaN or infinity,
/// units on the axes, and the same bytes when drawn again.
fn check(summary: &Summary) -> Vec<(&'static str, String)> {
    let svgs = all_svgs(summary);
    assert_eq!(svgs, all_svgs(summary), "plots are not deterministic");
    for (name, svg) in &svgs {
        let options = usvg::Options::default();
        usvg::Tree::from_str(svg, &options).unwrap_or_else(|e| panic!("{name}: {e}\n{svg}"));
        for bad in ["NaN", "inf", "Infinity"] {
            assert!(!svg.contains(bad), "{name} contains {bad}");
        }
        assert!(svg.starts_with("<svg "), "{name}");
        assert!(svg.ends_with("</svg>\n"), "{name}");
    }
    let get = |n: &str| &svgs.iter().find(|s| s.0 == n).unwrap().1;
    let energy = |svg: &str, label: &str| {
        ["MWh", "GWh", "TWh"]
            .iter()
            .any(|unit| svg.contains(&format!("{label} ({unit})")))
    };
    assert!(energy(
        get("exceedance"),
        "unserved energy per trajectory, x"
    ));
    assert!(get("exceedance").contains("probability P(unserved energy ≥ x)"));
    assert!(energy(
        get("histogram_unserved_energy"),
        "unserved energy per trajectory"
    ));
    assert!(get("histogram_unserved_energy").contains("share of trajectories (%)"));
    assert!(energy(
        get("histogram_curtailment"),
        "curtailed energy per trajectory"
    ));
    assert!(get("hourly_risk_heatmap").contains("day of year (d)"));
    assert!(get("hourly_risk_heatmap").contains("hour of day (h)"));
    assert!(get("curtailment_by_region").contains("curtailment rate (%)"));
    svgs
}

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let word = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (word(16), word(20))
}

#[test]
fn rts79_plots() {
    let s = rts79();
    assert!(s.metrics.lolp.mean > 0.0 && s.regions.is_empty());
    let svgs = check(s);
    let exceedance = &svgs[0].1;
    // Log axes: probabilities by decades down to below 0.01, and decades of energy.
    assert!(exceedance.contains(">0.01<") && exceedance.contains(">0.001<"));
    assert!(exceedance.contains(">1,000<") && exceedance.contains(">10,000<"));
    assert!(exceedance.contains("unserved energy per trajectory, x (MWh)"));
    assert!(exceedance.contains("system: shortfall in"));
    assert!(exceedance.contains("<polyline"));
    // No renewables: the curtailment plots say so.
    assert!(svgs[2].1.contains("No curtailment"));
    assert!(svgs[4].1.contains("No renewable energy"));
    // RTS-79 is 8,736 h: 364 whole days.
    assert!(svgs[3].1.contains(">360<"));
    assert!(!svgs[3].1.contains("has "));
}

#[test]
fn west_east_plots_have_a_line_and_a_bar_per_region() {
    let s = west_east();
    assert_eq!(s.regions.len(), 2);
    let svgs = check(s);
    let exceedance = &svgs[0].1;
    for region in ["West", "East"] {
        assert!(exceedance.contains(&format!(">{region}: ")), "{region}");
        assert!(svgs[4].1.contains(&format!(">{region}<")), "{region}");
    }
    assert!(!svgs[2].1.contains("No curtailment"));
    // Some 8 TWh curtailed in the west: the axis reads in GWh.
    let curtailment = &svgs[4].1;
    assert!(curtailment.contains("curtailed energy per trajectory (GWh)"));
    assert!(curtailment.contains(">no<") && curtailment.contains(">renewables<"));
    // Box plots of each trajectory's curtailment rate, their P95 written above them.
    assert!(curtailment.contains(">curtailment rate per trajectory<"));
    assert!(curtailment.contains("whiskers: P5 to P95 (P95 rate written above)"));
    assert!(curtailment.contains("box: P25 to P75 · line: median · dot: mean"));
    let west = &s.regions[0].distributions;
    assert_eq!(west.trajectories_without_renewable, 0);
    let rate = &west.curtailment_rate;
    assert!(0.0 < rate.p5 && rate.p5 <= rate.p25 && rate.p25 <= rate.p50);
    assert!(rate.p50 <= rate.p75 && rate.p75 <= rate.p95 && rate.p95 < 1.0);
    for p95 in [rate.p95, s.distributions.curtailment_rate.p95] {
        let label = format!(">{}<", canvas::percent(p95));
        assert!(curtailment.contains(&label), "no P95 label {label}");
    }
    // The east has no renewables: no rate, and no note about trajectories left out.
    assert_eq!(
        s.regions[1].distributions.trajectories_without_renewable,
        100
    );
    assert!(!curtailment.contains("Rates leave out"));
    // One box (P25 to P75) per region with renewables, in each panel.
    assert_eq!(curtailment.matches("fill-opacity=\"0.3\"").count(), 4);
}

/// Rates up to 100%, a region whose renewables are missing from some trajectories.
#[test]
fn curtailment_rates_stay_on_a_0_to_100_percent_axis() {
    let mut s = Summary {
        trajectories: 10,
        hours: 24,
        ..Default::default()
    };
    let full = Distribution {
        mean: 0.9,
        p5: 0.5,
        p25: 0.8,
        p50: 1.0,
        p75: 1.0,
        p90: 1.0,
        p95: 1.0,
        max: 1.0,
        ..Default::default()
    };
    s.distributions.curtailment_rate = full.clone();
    s.distributions.curtailment_mwh.p95 = 40.0;
    s.distributions.curtailment_mwh.max = 40.0;
    s.regions.push(Default::default());
    s.regions[0].name = "North".to_string();
    s.regions[0].distributions.curtailment_rate = full;
    s.regions[0].distributions.trajectories_without_renewable = 3;
    let svgs = check(&s);
    let svg = &svgs[4].1;
    assert!(svg.contains(">100<") && svg.contains(">100.0%<"));
    assert!(!svg.contains(">120<"), "the rate axis passes 100%");
    assert!(svg.contains("Rates leave out trajectories without renewable energy: North 3 of 10"));
    assert!(!svg.contains("No curtailment"));
}

#[test]
fn a_study_without_shortfall_says_so() {
    let s = no_shortfall();
    assert_eq!(s.metrics.lolp.mean, 0.0);
    let svgs = check(s);
    assert!(
        svgs[0]
            .1
            .contains("No shortfall: none of the 200 trajectories of 8,736 h")
    );
    assert!(svgs[0].1.contains("P(any shortfall) &lt; 1.5%"));
    assert!(!svgs[0].1.contains("<polyline"));
    assert!(svgs[1].1.contains("No shortfall"));
    assert!(svgs[3].1.contains("No shortfall in any hour"));
}

#[test]
fn an_empty_summary_plots_without_numbers_that_are_not_finite() {
    let s = Summary::default();
    for (_, svg) in all_svgs(&s) {
        assert!(svg.contains("No trajectories"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        usvg::Tree::from_str(&svg, &usvg::Options::default()).unwrap();
    }
}

/// A made-up summary with awkward values: a partial last day, one point, huge and tiny
/// numbers, a NaN that must not leak, and region names that need escaping.
fn awkward(hours: u32) -> Summary {
    let mut s = Summary {
        trajectories: 7,
        hours,
        ..Default::default()
    };
    s.hourly = (0..hours)
        .map(|h| HourRisk {
            hour: h,
            lolp: if h % 97 == 0 {
                f64::from(h % 5) / 7.0
            } else {
                0.0
            },
            expected_shortfall_mw: 0.0,
        })
        .collect();
    let d = &mut s.distributions.unserved_energy_mwh;
    d.histogram = vec![
        Bin {
            lower: 0.0,
            upper: 0.1,
            count: 6,
        },
        Bin {
            lower: 3.0e9,
            upper: 3.001e9,
            count: 1,
        },
    ];
    d.exceedance = vec![
        Point {
            value: 0.0,
            probability: 1.0,
        },
        Point {
            value: 3.0e9,
            probability: 1.0 / 7.0,
        },
    ];
    d.mean = f64::NAN;
    d.p95 = 3.0e9;
    s.metrics.renewable_energy_mwh.mean = 10.0;
    s.distributions.curtailment_rate = Distribution {
        mean: f64::NAN,
        p5: 0.05,
        p25: 0.2,
        p50: 0.25,
        p75: 0.3,
        p95: f64::INFINITY,
        max: f64::INFINITY,
        ..Default::default()
    };
    s.distributions.trajectories_without_renewable = 2;
    s.distributions.curtailment_mwh.histogram = vec![Bin {
        lower: 2.5,
        upper: 2.50001,
        count: 7,
    }];
    s.distributions.curtailment_mwh.p5 = 2.5;
    s.distributions.curtailment_mwh.p95 = 2.5;
    s.distributions.curtailment_mwh.max = 2.5;
    s.regions.push(Default::default());
    s.regions[0].name = "A & <B> with a very long region name indeed".to_string();
    s.regions[0].distributions.trajectories_without_renewable = 7;
    s
}

#[test]
fn awkward_summaries_plot_cleanly() {
    for hours in [1, 23, 25, 8736, 8760, 8784] {
        let s = awkward(hours);
        let svgs = check(&s);
        let heatmap = &svgs[3].1;
        let days = hours.div_ceil(24);
        if hours % 24 != 0 {
            assert!(
                heatmap.contains(&format!("day {days} has {} h", hours % 24)),
                "{hours}"
            );
        }
        assert!(
            heatmap.contains(&format!(">{days}<")) || days > 14,
            "{hours}"
        );
        assert!(svgs[4].1.contains("A &amp; &lt;B&gt;"));
        assert!(svgs[4].1.contains(": system 2 of 7"));
        assert!(svgs[0].1.contains("shortfall in 14.3% of trajectories"));
    }
}

#[test]
fn ticks_and_numbers_read_well() {
    assert_eq!(canvas::fixed(1234567.891, 2), "1,234,567.89");
    assert_eq!(canvas::fixed(-0.0001, 2), "0.00");
    assert_eq!(canvas::fixed(-12.5, 1), "-12.5");
    assert_eq!(canvas::num(f64::NAN), "0");
    assert_eq!(canvas::num(-0.01), "0");
    assert_eq!(canvas::num(12.0), "12");
    assert_eq!(canvas::percent(0.1234), "12.3%");
    assert_eq!(canvas::percent(0.0045), "0.45%");
    assert_eq!(canvas::percent(1.0 / 2000.0), "0.050%");
    assert_eq!(canvas::amount(1176.4), "1,176");
    assert_eq!(canvas::amount(0.01234), "0.0123");
    let labels = |s: Scale| s.ticks().0.into_iter().map(|t| t.1).collect::<Vec<_>>();
    assert_eq!(
        labels(Scale::log(0.0005, 1.0)),
        ["1e-4", "0.001", "0.01", "0.1", "1"]
    );
    assert_eq!(
        labels(Scale::log(1000.0, 1e6)),
        ["1,000", "10,000", "100,000", "1e6"]
    );
    assert_eq!(
        labels(Scale::linear(0.0, 0.93)),
        ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]
    );
    assert_eq!(
        labels(Scale::linear(0.0, 23.0)),
        ["0", "5", "10", "15", "20", "25"]
    );
    assert_eq!(
        labels(Scale::linear(5200.0, 9100.0)),
        ["5,000", "6,000", "7,000", "8,000", "9,000", "10,000"]
    );
    assert!(matches!(Scale::auto(1.0, 99.0, 2.0), Scale::Linear { .. }));
    assert!(matches!(Scale::auto(1.0, 100.0, 2.0), Scale::Log { .. }));
    assert_eq!(canvas::sequential(0.0), "#ffffcc");
    assert_eq!(canvas::sequential(1.0), "#800026");
    assert_eq!(canvas::sequential(f64::NAN), "#ffffcc");
}

#[test]
fn no_fonts_is_a_clear_error() {
    assert!(with_default_family(Database::new()).is_none());
    let message = PlotError::NoFonts.to_string();
    assert!(message.contains("fonts-dejavu-core"), "{message}");
}

#[test]
fn pngs_have_the_plots_size_and_are_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let written = write_plots(west_east(), dir.path()).unwrap();
    assert_eq!(written.len(), 10);
    for path in &written {
        let bytes = std::fs::read(path).unwrap();
        if path.extension().unwrap() == "png" {
            let (w, h) = png_size(&bytes);
            let heatmap = path.to_string_lossy().contains("heatmap");
            let expected = if heatmap {
                (MAP_WIDTH, MAP_HEIGHT)
            } else {
                (WIDTH, HEIGHT)
            };
            assert_eq!(
                (w, h),
                (expected.0 as u32 * PNG_SCALE, expected.1 as u32 * PNG_SCALE),
                "{}",
                path.display()
            );
        }
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains("tmp")), "{names:?}");
    // The same summary draws the same PNG.
    let svg = exceedance_svg(west_east(), "t");
    assert_eq!(svg_to_png(&svg).unwrap(), svg_to_png(&svg).unwrap());
    // For looking at: EGAP_PLOTS_DIR=/tmp/egap-plots keeps a copy of the west–east plots.
    if let Some(out) = std::env::var_os("EGAP_PLOTS_DIR") {
        write_plots(west_east(), Path::new(&out)).unwrap();
        write_plots(rts79(), &Path::new(&out).join("rts79")).unwrap();
        write_plots(no_shortfall(), &Path::new(&out).join("no-shortfall")).unwrap();
    }
}
