//! The profile generator against the public RTS-GMLC profiles, plus its contract:
//! determinism, independence of series, spec errors and a CSV that egap reads back.
//!
//! Calibration (`generated_statistics_match_rts_gmlc`): RTS-GMLC's 2020 day-ahead profiles
//! (`data/rts-gmlc/`, see its README) give one measured year; the generator makes
//! seven weather years from a spec with RTS-GMLC's mean capacity factors, latitude and load
//! factor, and the mean over those years of each statistic (the median for the longest calm
//! spell) must be within these tolerances of the measured value:
//!
//! | statistic | tolerance | why that wide |
//! |---|---|---|
//! | wind mean CF | ±0.01 | calibrated over all years; per year it varies as windy and calm years do |
//! | wind share of hours below 5 % | ±6 pp | one measured year; its sampling spread is several pp |
//! | wind lag-1 autocorrelation | ±0.015 | the hourly smoothness is a model parameter |
//! | wind lag-24 autocorrelation | ±0.15 | a single year's lag-24 depends on a few long weather systems |
//! | wind longest run below 10 % | factor 2 | an extreme of one year (183 h) |
//! | solar mean CF | ±0.01 | calibrated, as for wind |
//! | solar share of hours above 1 % | ±5 pp | set by day length; sunrise hours are partly lit |
//! | load factor (per year) | ±0.01 | set over all years; per year it moves with that year's peak |
//! | load minimum / peak | ±0.08 | follows from the model's shape, not calibrated directly |

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use egap::profiles::stats::{self, CapacityFactorStats};
use egap::profiles::{Generated, generate, parse_spec, write_csv};

/// RTS-GMLC's 2020 profile: 8784 hours, mean capacity factors 0.325 (wind) and 0.275 (PV,
/// about 34° N), load factor 0.523. Everything else is the generator's default.
const RTS_SPEC: &str = r#"
hours = 8784
weather_years = ["w1", "w2", "w3", "w4", "w5", "w6", "w7"]
seed = 2020

[[series]]
name = "rts_load"
kind = "load"
peak_mw = 8192
load_factor = 0.523
summer_peak = true

[[series]]
name = "rts_wind"
kind = "wind"
mean_cf = 0.325

[[series]]
name = "rts_solar"
kind = "solar"
mean_cf = 0.275
latitude_deg = 34
"#;

/// The bundled RTS-GMLC files (data/rts-gmlc/); a missing file fails the test, naming it.
fn rts_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rts-gmlc");
    for file in [
        "gen.csv",
        "DAY_AHEAD_wind.csv",
        "DAY_AHEAD_pv.csv",
        "DAY_AHEAD_regional_Load.csv",
    ] {
        let path = dir.join(file);
        assert!(
            path.is_file(),
            "{} is missing: the RTS-GMLC reference data ships with the repository in \
             data/rts-gmlc/ (see its README.md)",
            path.display()
        );
    }
    dir
}

fn reader(path: &Path) -> csv::Reader<std::fs::File> {
    csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Nameplate MW per generator (`GEN UID` → `PMax MW`).
fn capacities(dir: &Path) -> HashMap<String, f64> {
    let mut r = reader(&dir.join("gen.csv"));
    let headers = r.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (uid, pmax) = (column("GEN UID"), column("PMax MW"));
    r.records()
        .map(|row| {
            let row = row.unwrap();
            (row[uid].to_string(), row[pmax].parse().unwrap())
        })
        .collect()
}

/// Sum of the value columns (after Year, Month, Day, Period) of a day-ahead file, per hour,
/// and the names of those columns.
fn column_sums(path: &Path) -> (Vec<String>, Vec<f64>) {
    let mut r = reader(path);
    let names = r
        .headers()
        .unwrap()
        .iter()
        .skip(4)
        .map(String::from)
        .collect();
    let sums = r
        .records()
        .map(|row| {
            let row = row.unwrap();
            row.iter().skip(4).map(|v| v.parse::<f64>().unwrap()).sum()
        })
        .collect();
    (names, sums)
}

/// Fleet capacity factor: fleet output over fleet nameplate.
fn fleet_capacity_factor(dir: &Path, file: &str, capacity: &HashMap<String, f64>) -> Vec<f64> {
    let (plants, mw) = column_sums(&dir.join(file));
    let nameplate: f64 = plants.iter().map(|p| capacity[p]).sum();
    mw.iter().map(|m| m / nameplate).collect()
}

/// The generated columns of one series, year by year.
fn years<'a>(generated: &'a Generated, series: &str) -> Vec<&'a [f64]> {
    let prefix = format!("{series}_");
    generated
        .columns
        .iter()
        .filter(|c| c.name.starts_with(&prefix))
        .map(|c| c.values.as_slice())
        .collect()
}

/// Mean over years of a statistic.
fn mean_over(years: &[&[f64]], f: impl Fn(&[f64]) -> f64) -> f64 {
    years.iter().map(|y| f(y)).sum::<f64>() / years.len() as f64
}

struct Row {
    what: &'static str,
    real: f64,
    generated: f64,
    ok: bool,
    tolerance: String,
}

fn within(what: &'static str, real: f64, generated: f64, tolerance: f64) -> Row {
    Row {
        what,
        real,
        generated,
        ok: (generated - real).abs() <= tolerance,
        tolerance: format!("±{tolerance}"),
    }
}

fn within_factor(what: &'static str, real: f64, generated: f64, factor: f64) -> Row {
    Row {
        what,
        real,
        generated,
        ok: generated >= real / factor && generated <= real * factor,
        tolerance: format!("×/÷{factor}"),
    }
}

#[test]
fn generated_statistics_match_rts_gmlc() {
    let dir = rts_dir();
    let capacity = capacities(&dir);
    let wind = fleet_capacity_factor(&dir, "DAY_AHEAD_wind.csv", &capacity);
    let pv = fleet_capacity_factor(&dir, "DAY_AHEAD_pv.csv", &capacity);
    let (_, load) = column_sums(&dir.join("DAY_AHEAD_regional_Load.csv"));
    let (real_wind, real_pv) = (CapacityFactorStats::of(&wind), CapacityFactorStats::of(&pv));
    // The figures docs/sources.md cites (S-ref-1 to S-ref-3) come out of these files.
    assert_eq!((wind.len(), pv.len(), load.len()), (8784, 8784, 8784));
    assert!((real_wind.mean - 0.325).abs() < 0.0005);
    assert!((real_wind.below_5pct - 0.254).abs() < 0.0005);
    assert!((real_wind.lag1 - 0.973).abs() < 0.0005 && (real_wind.lag24 - 0.410).abs() < 0.0005);
    assert_eq!(real_wind.longest_calm_h, 183);
    assert!((real_pv.mean - 0.275).abs() < 0.0005 && (real_pv.above_1pct - 0.484).abs() < 0.0005);
    assert!((stats::load_factor(&load) - 0.523).abs() < 0.0005);
    assert!((stats::min_to_peak(&load) - 0.333).abs() < 0.0005);

    let started = std::time::Instant::now();
    let spec = parse_spec(RTS_SPEC, Path::new("rts-spec.toml")).unwrap();
    let generated = generate(&spec);
    let elapsed = started.elapsed();
    let (w, s, l) = (
        years(&generated, "rts_wind"),
        years(&generated, "rts_solar"),
        years(&generated, "rts_load"),
    );
    let calm: Vec<f64> = w
        .iter()
        .map(|y| stats::longest_run_below(y, 0.1) as f64)
        .collect();
    let load_factors: Vec<f64> = l.iter().map(|y| stats::load_factor(y)).collect();
    let rows = [
        within(
            "wind mean CF",
            real_wind.mean,
            mean_over(&w, stats::mean),
            0.01,
        ),
        within(
            "wind share < 5 %",
            real_wind.below_5pct,
            mean_over(&w, |y| stats::share_below(y, 0.05)),
            0.06,
        ),
        within(
            "wind lag-1",
            real_wind.lag1,
            mean_over(&w, |y| stats::autocorrelation(y, 1)),
            0.015,
        ),
        within(
            "wind lag-24",
            real_wind.lag24,
            mean_over(&w, |y| stats::autocorrelation(y, 24)),
            0.15,
        ),
        within_factor(
            "wind longest < 10 % (h, median)",
            real_wind.longest_calm_h as f64,
            stats::median(&calm),
            2.0,
        ),
        within(
            "solar mean CF",
            real_pv.mean,
            mean_over(&s, stats::mean),
            0.01,
        ),
        within(
            "solar share > 1 %",
            real_pv.above_1pct,
            mean_over(&s, |y| stats::share_above(y, 0.01)),
            0.05,
        ),
        within(
            "load factor (median year)",
            stats::load_factor(&load),
            stats::median(&load_factors),
            0.01,
        ),
        within(
            "load min / peak",
            stats::min_to_peak(&load),
            mean_over(&l, stats::min_to_peak),
            0.08,
        ),
    ];
    println!(
        "generated {} columns of {} h in {elapsed:.2?}",
        generated.columns.len(),
        spec.hours
    );
    println!(
        "{:<34} {:>9} {:>9}  tolerance",
        "statistic", "RTS-GMLC", "generated"
    );
    for r in &rows {
        let mark = if r.ok { "" } else { "  <-- outside" };
        println!(
            "{:<34} {:>9.3} {:>9.3}  {}{mark}",
            r.what, r.real, r.generated, r.tolerance
        );
    }
    print_details(&w, &s, &l, &calm, &load_factors);
    assert!(
        rows.iter().all(|r| r.ok),
        "a generated statistic is outside its tolerance"
    );
}

/// Mean of each twelfth of the year (732 hours), over all years.
fn monthly(years: &[&[f64]]) -> Vec<f64> {
    (0..12)
        .map(|m| {
            let (from, to) = (m * 732, (m + 1) * 732);
            mean_over(years, |y| stats::mean(&y[from..to.min(y.len())]))
        })
        .collect()
}

/// Per-year figures, for the record.
fn print_details(w: &[&[f64]], s: &[&[f64]], l: &[&[f64]], calm: &[f64], load_factors: &[f64]) {
    let list = |v: Vec<f64>| {
        v.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "wind mean CF per year: {}",
        list(w.iter().map(|y| stats::mean(y)).collect())
    );
    println!("wind longest calm per year (h): {}", list(calm.to_vec()));
    println!(
        "solar mean CF per year: {}",
        list(s.iter().map(|y| stats::mean(y)).collect())
    );
    println!("load factor per year: {}", list(load_factors.to_vec()));
    println!("wind monthly mean CF: {}", list(monthly(w)));
    println!("solar monthly mean CF: {}", list(monthly(s)));
    println!("load monthly mean (MW): {}", list(monthly(l)));
    let hourly: Vec<f64> = (0..24)
        .map(|h| {
            mean_over(s, |y| {
                stats::mean(&y.iter().skip(h).step_by(24).copied().collect::<Vec<_>>())
            })
        })
        .collect();
    println!("solar hourly mean CF: {}", list(hourly));
    let mut lit: Vec<f64> = s
        .iter()
        .flat_map(|y| y.iter().copied())
        .filter(|&v| v > 0.01)
        .collect();
    lit.sort_by(f64::total_cmp);
    let q: Vec<f64> = [0.05, 0.25, 0.5, 0.75, 0.95, 0.9999]
        .iter()
        .map(|q| lit[(q * lit.len() as f64) as usize])
        .collect();
    println!("solar quantiles when lit (5 25 50 75 95 max): {}", list(q));
    println!(
        "load peak per year (MW): {}",
        list(l.iter().map(|y| stats::peak(y)).collect())
    );
}

/// A small spec: two weather years of a week, one series of each kind.
const SMALL_SPEC: &str = r#"
hours = 168
weather_years = ["cold", "warm"]
seed = 7

[[series]]
name = "north_load"
kind = "load"
peak_mw = 1000
load_factor = 0.6
summer_peak = false

[[series]]
name = "north_wind"
kind = "wind"
mean_cf = 0.3

[[series]]
name = "north_solar"
kind = "solar"
mean_cf = 0.15
latitude_deg = 52
"#;

fn small() -> egap::profiles::Spec {
    parse_spec(SMALL_SPEC, Path::new("small.toml")).unwrap()
}

#[test]
fn the_same_spec_gives_the_same_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    write_csv(&small(), &generate(&small()), &a).unwrap();
    write_csv(&small(), &generate(&small()), &b).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let other_seed = SMALL_SPEC.replace("seed = 7", "seed = 8");
    let other = generate(&parse_spec(&other_seed, Path::new("s.toml")).unwrap());
    assert_ne!(
        other.column("north_wind_cold"),
        generate(&small()).column("north_wind_cold")
    );
}

#[test]
fn adding_or_reordering_series_keeps_the_other_columns() {
    let before = generate(&small());
    let more = format!(
        "{}\n[[series]]\nname = \"south_wind\"\nkind = \"wind\"\nmean_cf = 0.4\n",
        SMALL_SPEC.replace("name = \"north_load\"", "name = \"other_load\"")
    );
    let mut spec = parse_spec(&more, Path::new("more.toml")).unwrap();
    spec.series.reverse();
    let after = generate(&spec);
    for name in [
        "north_wind_cold",
        "north_wind_warm",
        "north_solar_cold",
        "north_solar_warm",
    ] {
        assert_eq!(before.column(name), after.column(name), "{name}");
    }
    assert_ne!(
        before.column("north_load_cold"),
        after.column("other_load_cold")
    );
}

#[test]
fn generated_series_keep_their_definitions() {
    let spec = small();
    let g = generate(&spec);
    assert_eq!(g.columns.len(), 6);
    let load = years(&g, "north_load");
    let mut peaks: Vec<f64> = load.iter().map(|y| stats::peak(y)).collect();
    peaks.sort_by(f64::total_cmp);
    // The lower middle year of two peaks at peak_mw; the mean of all years is 0.6 of it.
    assert_eq!(peaks[0], 1000.0);
    let all: Vec<f64> = load.iter().flat_map(|y| y.iter().copied()).collect();
    assert!((stats::mean(&all) / 1000.0 - 0.6).abs() < 1e-4);
    for (series, mean_cf) in [("north_wind", 0.3), ("north_solar", 0.15)] {
        let all: Vec<f64> = years(&g, series)
            .iter()
            .flat_map(|y| y.iter().copied())
            .collect();
        assert!((stats::mean(&all) - mean_cf).abs() < 1e-4, "{series}");
        assert!(all.iter().all(|v| (0.0..=1.0).contains(v)), "{series}");
    }
    let solar = g.column("north_solar_cold").unwrap();
    assert!((0..7).all(|d| solar[24 * d] == 0.0 && solar[24 * d + 12] > 0.0));
}

#[test]
fn spec_errors_name_the_file_line_and_field() {
    let messages = |text: &str| -> Vec<String> {
        let e = parse_spec(text, Path::new("bad.toml")).unwrap_err();
        e.diagnostics().iter().map(ToString::to_string).collect()
    };
    let out_of_range = messages(&SMALL_SPEC.replace("mean_cf = 0.3", "mean_cf = 1.3"));
    assert_eq!(
        out_of_range,
        ["bad.toml:16:11: series \"north_wind\" → mean_cf: must be from 0.02 to 0.7, not 1.3"]
    );
    let typo = messages(&SMALL_SPEC.replace("latitude_deg", "latitude"));
    assert_eq!(typo.len(), 1);
    assert!(
        typo[0].starts_with("bad.toml:22:1: latitude: unknown field `latitude`"),
        "{typo:?}"
    );
    let misplaced =
        messages(&SMALL_SPEC.replace("mean_cf = 0.3", "mean_cf = 0.3\nlatitude_deg = 40"));
    assert_eq!(
        misplaced,
        ["bad.toml:14:8: series \"north_wind\" → latitude_deg: does not apply to a wind series"]
    );
    let several = messages(
        &SMALL_SPEC
            .replace("hours = 168", "hours = 9000")
            .replace("\"warm\"", "\"cold\""),
    );
    assert_eq!(several.len(), 2, "{several:?}");
    assert!(several[0].contains("hours: must be a whole number from 24 to 8784, not 9000"));
    assert!(several[1].contains("weather_years: \"cold\" appears twice"));
    // More columns than a profile file egap reads back may hold: refused before generating.
    let years: Vec<String> = (0..=egap::profiles::MAX_COLUMNS / 3)
        .map(|y| format!("\"y{y}\""))
        .collect();
    let wide = messages(&SMALL_SPEC.replace(
        "weather_years = [\"cold\", \"warm\"]",
        &format!("weather_years = [{}]", years.join(", ")),
    ));
    assert_eq!(wide.len(), 1, "{wide:?}");
    assert!(
        wide[0].contains(
            "3 series in 667 weather years make 2001 columns; a profile file holds at most 2000"
        ),
        "{wide:?}"
    );
}

#[test]
fn egap_reads_the_written_csv() {
    let dir = tempfile::tempdir().unwrap();
    let spec = small();
    let generated = generate(&spec);
    write_csv(&spec, &generated, &dir.path().join("profiles.csv")).unwrap();
    let text = std::fs::read_to_string(dir.path().join("profiles.csv")).unwrap();
    assert!(text.starts_with("# Generated by `egap profiles` from small.toml (seed 7)"));
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("hour,north_load_cold,north_load_warm,")
    );
    assert_eq!(text.lines().count(), 2 + 168);
    let scenario = r#"
[study]
hours = 168
weather_years = ["cold", "warm"]

[[regions]]
name = "North"
load_mw = { file = "profiles.csv", column = "north_load_{year}" }

[[renewables]]
name = "wind"
region = "North"
capacity_mw = 500
capacity_factor = { file = "profiles.csv", column = "north_wind_{year}" }

[[units]]
name = "thermal"
region = "North"
count = 5
capacity_mw = 300
mttf_h = 1000
mttr_h = 50
"#;
    std::fs::write(dir.path().join("s.toml"), scenario).unwrap();
    let loaded = egap::scenario::load(&dir.path().join("s.toml")).unwrap();
    assert_eq!(
        loaded.regions[0].load_mw.year(1),
        generated.column("north_load_warm").unwrap()
    );
    assert_eq!(
        loaded.renewables[0].capacity_factor.year(0),
        generated.column("north_wind_cold").unwrap()
    );
}
