//! Plots of a run's results, as SVG written by hand and as PNG drawn from that SVG by
//! `resvg`, in pure Rust.
//!
//! - [`exceedance_svg`]: P(unserved energy ≥ x) for the system and each region.
//! - [`histogram_svg`]: the distribution of unserved or curtailed energy per trajectory.
//! - [`heatmap_svg`]: the hourly loss-of-load probability, day of year × hour of day.
//! - [`sweep_svg`]: a metric against a swept parameter, with its 95% band.
//! - [`curtailment_by_region_svg`]: the distribution over trajectories of the curtailment
//!   rate (box plots of P5, P25, P50, P75, P95 and the mean, in %) and of curtailed energy,
//!   per region and for the system.
//!
//! The SVGs are deterministic (the same summary gives the same bytes), carry no NaN or
//! infinity, and name every axis with its unit. A plot with nothing to draw (no shortfall,
//! no renewables, no trajectories) says so in a box instead of drawing an empty axis.
//!
//! PNGs need a font for their text: [`svg_to_png`] loads the system's fonts once (fontdb's
//! search of the usual font folders and fontconfig's configuration) and fails with
//! [`PlotError::NoFonts`] when there are none (Debian: `apt-get install fonts-dejavu-core`).

mod canvas;
mod sweep;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use resvg::usvg::fontdb::Database;
use resvg::{tiny_skia, usvg};

use self::canvas::{
    Anchor, Axis, COLOURS, Frame, LABEL, MUTED, SYSTEM, Scale, Svg, TICK, amount, axes, fixed,
    percent, sequential, text_width, y_axis,
};
use crate::stats::{Distribution, HourRisk, Summary};

pub use self::sweep::{Series, parameter_label, sweep_svg};

/// Pixels of PNG per px of SVG: PNGs are drawn at twice the SVG's size, sharp in a report.
pub const PNG_SCALE: u32 = 2;

/// What can go wrong turning plots into files.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error(
        "no font found for the plots' text (searched the system's font folders): install a font package, e.g. `apt-get install fonts-dejavu-core` on Debian or Ubuntu"
    )]
    NoFonts,
    #[error("cannot read the plot's SVG: {0}")]
    Svg(String),
    #[error("cannot draw a plot of {width}×{height} px")]
    Size { width: u32, height: u32 },
    #[error("cannot encode the PNG: {0}")]
    Png(String),
    // The reason is part of the message, not a `source`: a source would be printed
    // again by the CLI, which prints each error's chain.
    #[error("{what} {}: {reason}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        reason: std::io::Error,
    },
}

/// A per-trajectory quantity with a histogram.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    UnservedEnergy,
    Curtailment,
}

impl Quantity {
    fn distribution(self, distributions: &crate::stats::Distributions) -> &Distribution {
        match self {
            Quantity::UnservedEnergy => &distributions.unserved_energy_mwh,
            Quantity::Curtailment => &distributions.curtailment_mwh,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Quantity::UnservedEnergy => "unserved energy",
            Quantity::Curtailment => "curtailed energy",
        }
    }

    fn colour(self) -> &'static str {
        match self {
            Quantity::UnservedEnergy => "#4a7fb5",
            Quantity::Curtailment => "#3b9a57",
        }
    }

    /// The file name (without extension) [`write_plots`] gives its histogram.
    pub fn file_stem(self) -> &'static str {
        match self {
            Quantity::UnservedEnergy => "histogram_unserved_energy",
            Quantity::Curtailment => "histogram_curtailment",
        }
    }
}

/// The dashes of the system's line where regions are drawn beside it.
const SYSTEM_DASH: &str = "7,4";

/// Size of the x–y plots, px.
const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 500.0;

/// The unit energies up to `max` MWh read best in, and MWh per that unit.
fn energy_unit(max: f64) -> (&'static str, f64) {
    if max >= 1e8 {
        ("TWh", 1e6)
    } else if max >= 1e5 {
        ("GWh", 1e3)
    } else {
        ("MWh", 1.0)
    }
}

/// "2,000 trajectories of 8,736 h".
fn run_size(summary: &Summary) -> String {
    let noun = if summary.trajectories == 1 {
        "trajectory"
    } else {
        "trajectories"
    };
    format!(
        "{} {noun} of {} h",
        fixed(summary.trajectories as f64, 0),
        fixed(f64::from(summary.hours), 0)
    )
}

/// What a plot of a run without trajectories says.
const NO_TRAJECTORIES: &str = "No trajectories were run: there is nothing to plot.";

/// The exceedance curve P(X ≥ x) of unserved energy per trajectory, for the system and one
/// line per region; x on a log scale when it spans two decades or more, y by decades from
/// the smallest probability seen (1/trajectories at best) to 1.
pub fn exceedance_svg(summary: &Summary, title: &str) -> String {
    let mut series = vec![(
        "system".to_string(),
        SYSTEM,
        &summary.distributions.unserved_energy_mwh,
    )];
    for (k, r) in summary.regions.iter().enumerate() {
        series.push((
            r.name.clone(),
            COLOURS[k % COLOURS.len()],
            &r.distributions.unserved_energy_mwh,
        ));
    }
    // Trajectories without shortfall sit at x = 0, off a log axis: each curve starts at its
    // smallest positive value, whose probability is P(X > 0), stated in the legend.
    let curves: Vec<Vec<(f64, f64)>> = series
        .iter()
        .map(|(_, _, d)| {
            d.exceedance
                .iter()
                .filter(|p| {
                    p.value.is_finite()
                        && p.value > 0.0
                        && p.probability.is_finite()
                        && p.probability > 0.0
                })
                .map(|p| (p.value, p.probability.min(1.0)))
                .collect()
        })
        .collect();
    let all = curves.iter().flatten();
    let x_lo = all.clone().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_hi = all.clone().map(|p| p.0).fold(0.0, f64::max);
    let p_lo = all.map(|p| p.1).fold(1.0, f64::min);

    let mut svg = Svg::new(WIDTH, HEIGHT);
    svg.title(
        title,
        &format!(
            "{}; probability that a trajectory's unserved energy reaches x",
            run_size(summary)
        ),
    );
    let frame = Frame {
        left: 95.0,
        right: WIDTH - 40.0,
        top: 70.0,
        bottom: HEIGHT - 65.0,
    };
    let (unit, per) = energy_unit(x_hi);
    let x_label = format!("unserved energy per trajectory, x ({unit})");
    let x_label = x_label.as_str();
    let y_label = "probability P(unserved energy ≥ x)";
    if x_hi <= 0.0 {
        empty_axes(&mut svg, &frame, x_label, y_label);
        let lines: Vec<String> = if summary.trajectories == 0 {
            vec![NO_TRAJECTORIES.to_string()]
        } else {
            vec![
                format!(
                    "No shortfall: none of the {} had any unserved energy.",
                    run_size(summary)
                ),
                format!(
                    "P(any shortfall) < {} at 95% confidence (3 / trajectories).",
                    percent(3.0 / summary.trajectories as f64)
                ),
            ]
        };
        svg.message(
            &frame,
            &lines.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        return svg.finish();
    }
    let x = Axis {
        scale: Scale::auto(x_lo / per, x_hi / per, 2.0),
        from: frame.left,
        to: frame.right,
    };
    let y = Axis {
        scale: Scale::log(p_lo, 1.0),
        from: frame.bottom,
        to: frame.top,
    };
    axes(&mut svg, &frame, &x, &y, x_label, y_label);
    // Regions first, the system last and dashed, so a region that is the whole of the
    // system's shortfall still shows under it.
    let mut drawn = Vec::new();
    for ((_, colour, _), curve) in series.iter().zip(&curves).rev() {
        let points: Vec<(f64, f64)> = curve
            .iter()
            .map(|&(v, p)| (x.px(v / per), y.px(p)))
            .collect();
        drawn.extend(
            points
                .windows(2)
                .map(|w| ((w[0].0 + w[1].0) / 2.0, (w[0].1 + w[1].1) / 2.0)),
        );
        drawn.extend(&points);
        if points.is_empty() {
            continue;
        }
        let dash = if *colour == SYSTEM && series.len() > 1 {
            SYSTEM_DASH
        } else {
            ""
        };
        svg.polyline(&points, colour, 2.0, dash);
        if points.len() <= 40 {
            for &(px, py) in &points {
                svg.circle(px, py, 3.0, colour);
            }
        }
    }
    let entries: Vec<(String, &str, bool)> = series
        .iter()
        .zip(&curves)
        .map(|((name, colour, _), curve)| {
            let text = match curve.first() {
                Some(&(_, p)) => format!("{name}: shortfall in {} of trajectories", percent(p)),
                None => format!("{name}: no shortfall"),
            };
            (text, *colour, *colour == SYSTEM && series.len() > 1)
        })
        .collect();
    legend(&mut svg, &frame, &entries, &drawn);
    svg.finish()
}

/// The frame and axis labels of a plot with nothing to draw.
fn empty_axes(svg: &mut Svg, frame: &Frame, x_label: &str, y_label: &str) {
    svg.rect(
        frame.left,
        frame.top,
        frame.width(),
        frame.height(),
        "none",
        "stroke=\"black\"",
    );
    svg.text(
        (frame.left + frame.right) / 2.0,
        frame.bottom + 44.0,
        LABEL,
        Anchor::Middle,
        "",
        x_label,
    );
    svg.vertical_text(
        frame.left - 40.0,
        (frame.top + frame.bottom) / 2.0,
        LABEL,
        y_label,
    );
}

/// Line samples and their labels in a white box in the first corner of the frame that
/// holds none of the `drawn` points: bottom left (under an exceedance curve, usually empty),
/// top right, bottom right, top left.
fn legend(svg: &mut Svg, frame: &Frame, entries: &[(String, &str, bool)], drawn: &[(f64, f64)]) {
    if entries.is_empty() {
        return;
    }
    let widest = entries
        .iter()
        .map(|(t, _, _)| text_width(t, TICK))
        .fold(0.0, f64::max);
    let (w, row) = (widest + 48.0, 19.0);
    let h = row * entries.len() as f64 + 10.0;
    let (left, right) = (frame.left + 10.0, frame.right - 10.0 - w);
    let (top, bottom) = (frame.top + 10.0, frame.bottom - 10.0 - h);
    let corners = [(left, bottom), (right, top), (right, bottom), (left, top)];
    let free = |&(x0, y0): &(f64, f64)| {
        !drawn.iter().any(|&(px, py)| {
            px >= x0 - 4.0 && px <= x0 + w + 4.0 && py >= y0 - 4.0 && py <= y0 + h + 4.0
        })
    };
    let (x0, y0) = corners.iter().copied().find(free).unwrap_or(corners[0]);
    svg.rect(
        x0,
        y0,
        w,
        h,
        "white",
        "fill-opacity=\"0.9\" stroke=\"#bdbdbd\"",
    );
    for (i, (text, colour, dashed)) in entries.iter().enumerate() {
        let y = y0 + 5.0 + row * (i as f64 + 0.5);
        let dash = if *dashed {
            format!(" stroke-dasharray=\"{SYSTEM_DASH}\"")
        } else {
            String::new()
        };
        svg.line(
            (x0 + 8.0, y),
            (x0 + 32.0, y),
            colour,
            &format!("stroke-width=\"2.5\"{dash}"),
        );
        svg.text(x0 + 40.0, y + 4.5, TICK, Anchor::Start, "", text);
    }
}

/// The histogram of unserved or curtailed energy per trajectory (the system's): bars of the
/// share of trajectories in each bin, on a log x scale when the positive values span a
/// decade or more (the report's bins then gathered into octaves, so bars are equally wide),
/// else at the report's bins. Trajectories at exactly 0 are counted above the plot, not drawn.
pub fn histogram_svg(summary: &Summary, which: Quantity) -> String {
    let d = which.distribution(&summary.distributions);
    let noun = which.noun();
    let n = summary.trajectories as f64;
    let bins: Vec<(f64, f64, u64)> = d
        .histogram
        .iter()
        .filter(|b| b.lower.is_finite() && b.upper.is_finite() && b.count > 0)
        .map(|b| (b.lower, b.upper.max(b.lower), b.count))
        .collect();
    let zero: u64 = bins.iter().filter(|b| b.0 <= 0.0).map(|b| b.2).sum();
    let positive: Vec<&(f64, f64, u64)> = bins.iter().filter(|b| b.0 > 0.0).collect();
    let lo = positive.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
    let hi = positive.iter().map(|b| b.1).fold(0.0, f64::max);
    let (unit, per) = energy_unit(hi);

    let mut svg = Svg::new(WIDTH, HEIGHT);
    let title = match which {
        Quantity::UnservedEnergy => "Unserved energy per trajectory",
        Quantity::Curtailment => "Curtailed renewable energy per trajectory",
    };
    let mut subtitle = run_size(summary);
    if summary.trajectories > 0 {
        subtitle.push_str(&format!(
            "; mean {} {unit}, P95 {} {unit}",
            amount(d.mean / per),
            amount(d.p95 / per)
        ));
    }
    svg.title(title, &subtitle);
    let frame = Frame {
        left: 95.0,
        right: WIDTH - 40.0,
        top: 88.0,
        bottom: HEIGHT - 65.0,
    };
    let x_label = format!("{noun} per trajectory ({unit})");
    let y_label = "share of trajectories (%)";
    if positive.is_empty() || n <= 0.0 {
        empty_axes(&mut svg, &frame, &x_label, y_label);
        let line = if summary.trajectories == 0 {
            NO_TRAJECTORIES.to_string()
        } else {
            let what = match which {
                Quantity::UnservedEnergy => "No shortfall",
                Quantity::Curtailment => "No curtailment",
            };
            format!("{what}: all of the {} had no {noun}.", run_size(summary))
        };
        svg.message(&frame, &[&line]);
        return svg.finish();
    }
    let scale = Scale::auto(lo / per, hi / per, 1.0);
    // On a log axis the report's log-linear bins (unequal there: a quarter octave is 25% down
    // to 14% wide) are gathered into octaves from the smallest one, so every bar is equally
    // wide; each report bin lies in exactly one octave, so the counts stay exact.
    let bars: Vec<(f64, f64, u64)> = if matches!(scale, Scale::Log { .. }) {
        let mut octaves: Vec<(f64, f64, u64)> = Vec::new();
        for &&(lower, _, count) in &positive {
            let k = ((lower / lo).log2() + 1e-9).floor().max(0.0) as i32;
            let from = lo * 2f64.powi(k);
            match octaves.last_mut() {
                Some(last) if last.0 == from => last.2 += count,
                _ => octaves.push((from, 2.0 * from, count)),
            }
        }
        octaves
    } else {
        positive.iter().map(|&&b| b).collect()
    };
    let mut notes = Vec::new();
    if zero > 0 {
        notes.push(format!(
            "{} of trajectories had no {noun} (not drawn)",
            percent(zero as f64 / n)
        ));
    }
    if matches!(scale, Scale::Log { .. }) {
        notes.push("each bar spans a factor of 2".to_string());
    }
    if !notes.is_empty() {
        svg.text(
            WIDTH / 2.0,
            68.0,
            TICK,
            Anchor::Middle,
            &format!("fill=\"{MUTED}\""),
            &notes.join("; "),
        );
    }
    let x = Axis {
        scale,
        from: frame.left,
        to: frame.right,
    };
    let percent_of = |count: u64| count as f64 / n * 100.0;
    let top = bars.iter().map(|b| percent_of(b.2)).fold(0.0, f64::max);
    let y = Axis {
        // Room above the highest bar for the marks' names.
        scale: Scale::linear(0.0, (top * 1.08).min(100.0)),
        from: frame.bottom,
        to: frame.top,
    };
    axes(&mut svg, &frame, &x, &y, &x_label, y_label);
    for (lower, upper, count) in bars {
        let (x0, x1) = (x.px(lower / per), x.px(upper / per));
        let y0 = y.px(percent_of(count));
        svg.rect(
            x0,
            y0,
            (x1 - x0).max(1.0),
            frame.bottom - y0,
            which.colour(),
            "stroke=\"white\" stroke-width=\"0.8\"",
        );
    }
    // The mean (zeros included) and the 95th percentile, where they fall on the axis.
    let marks = [
        ("mean", d.mean, "6,4", Anchor::End, -4.0),
        ("P95", d.p95, "2,3", Anchor::Start, 4.0),
    ];
    for (name, v, dash, anchor, dx) in marks {
        if v > 0.0 && x.scale.contains(v / per) {
            let px = x.px(v / per);
            svg.line(
                (px, frame.top),
                (px, frame.bottom),
                "#111111",
                &format!("stroke-width=\"1.5\" stroke-dasharray=\"{dash}\""),
            );
            svg.text(px + dx, frame.top + 15.0, TICK, anchor, "", name);
        }
    }
    svg.finish()
}

/// Size of the heat map, px.
const MAP_WIDTH: f64 = 1000.0;
const MAP_HEIGHT: f64 = 480.0;
/// Colours of the heat map's scale (and so of its legend bar).
const LEVELS: usize = 64;
/// Hours with no shortfall in any trajectory.
const ZERO_COLOUR: &str = "#ececec";

/// The hourly loss-of-load probability as a heat map: day of the horizon (x) × hour of day
/// (y, hour 0 at the bottom), colour from pale yellow to dark red on a log scale when the
/// non-zero values span two decades or more, grey where no trajectory was short. A last day
/// shorter than 24 hours is drawn as far as it goes.
pub fn heatmap_svg(summary: &Summary) -> String {
    heatmap(summary, &summary.hourly, "Hourly loss-of-load probability")
}

fn heatmap(summary: &Summary, hourly: &[HourRisk], title: &str) -> String {
    let horizon = hourly.len();
    let days = horizon.div_ceil(24);
    let last_day_hours = horizon - days.saturating_sub(1) * 24;
    let mut svg = Svg::new(MAP_WIDTH, MAP_HEIGHT);
    let mut subtitle = format!(
        "{}; share of trajectories short in each hour",
        run_size(summary)
    );
    if days > 0 && last_day_hours < 24 {
        subtitle.push_str(&format!(
            "; day {days} has {last_day_hours} h (the horizon's end)"
        ));
    }
    svg.title(title, &subtitle);
    let frame = Frame {
        left: 75.0,
        right: MAP_WIDTH - 175.0,
        top: 72.0,
        bottom: MAP_HEIGHT - 65.0,
    };
    let x_label = "day of year (d)";
    let y_label = "hour of day (h)";
    let lolp = |h: &HourRisk| {
        if h.lolp.is_finite() {
            h.lolp.clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    let max = hourly.iter().map(lolp).fold(0.0, f64::max);
    let min_positive = hourly
        .iter()
        .map(lolp)
        .filter(|&v| v > 0.0)
        .fold(1.0, f64::min);
    if days == 0 || summary.trajectories == 0 {
        empty_axes(&mut svg, &frame, x_label, y_label);
        svg.message(&frame, &[NO_TRAJECTORIES]);
        return svg.finish();
    }
    let scale = if max > 0.0 {
        match Scale::auto(min_positive, max, 2.0) {
            Scale::Log { low, high } => Scale::Log {
                low,
                high: high.min(0).max(low + 1),
            },
            Scale::Linear { .. } => Scale::linear(0.0, max),
        }
    } else {
        Scale::linear(0.0, 1.0)
    };
    // Level 0: no shortfall; levels 1..=LEVELS along the scale.
    let level = |v: f64| {
        if v > 0.0 {
            1 + (scale.fraction(v) * (LEVELS - 1) as f64).round() as usize
        } else {
            0
        }
    };
    let colour = |level: usize| sequential((level.max(1) - 1) as f64 / (LEVELS - 1) as f64);

    let cell_w = frame.width() / days as f64;
    let cell_h = frame.height() / 24.0;
    let row_y = |hour_of_day: usize| frame.bottom - cell_h * hour_of_day as f64;
    // Grey under every hour of the horizon; cells with risk drawn over it, runs of equal
    // colour within a day as one rectangle.
    svg.raw("<g shape-rendering=\"crispEdges\">");
    let full_days = horizon / 24;
    if full_days > 0 {
        svg.rect(
            frame.left,
            frame.top,
            cell_w * full_days as f64,
            frame.height(),
            ZERO_COLOUR,
            "",
        );
    }
    if !horizon.is_multiple_of(24) {
        let part = (horizon % 24) as f64;
        svg.rect(
            frame.left + cell_w * full_days as f64,
            frame.bottom - cell_h * part,
            cell_w,
            cell_h * part,
            ZERO_COLOUR,
            "",
        );
    }
    for (day, hours) in hourly.chunks(24).enumerate() {
        let x0 = frame.left + cell_w * day as f64;
        let mut start = 0;
        while start < hours.len() {
            let l = level(lolp(&hours[start]));
            let mut end = start + 1;
            while end < hours.len() && level(lolp(&hours[end])) == l {
                end += 1;
            }
            if l > 0 {
                svg.rect(
                    x0,
                    row_y(end),
                    cell_w,
                    cell_h * (end - start) as f64,
                    &colour(l),
                    "",
                );
            }
            start = end;
        }
    }
    svg.raw("</g>");
    svg.rect(
        frame.left,
        frame.top,
        frame.width(),
        frame.height(),
        "none",
        "stroke=\"black\"",
    );

    // Axes: days (from 1) at column centres; hours of day at row centres.
    let step = [1, 2, 5, 7, 10, 14, 30, 50, 100, 200, 500, 1000]
        .into_iter()
        .find(|s| days / s <= 13)
        .unwrap_or(days.max(1));
    let mut day_ticks = vec![1];
    day_ticks.extend((1..=days / step).map(|k| k * step).filter(|&d| d > 1));
    if step == 1 {
        day_ticks = (1..=days).collect();
    }
    for d in day_ticks {
        let px = frame.left + cell_w * (d as f64 - 0.5);
        svg.line((px, frame.bottom), (px, frame.bottom + 6.0), "black", "");
        svg.text(
            px,
            frame.bottom + 21.0,
            TICK,
            Anchor::Middle,
            "",
            &d.to_string(),
        );
    }
    for hour in (0..24).step_by(3) {
        let py = row_y(hour) - cell_h / 2.0;
        svg.line((frame.left - 6.0, py), (frame.left, py), "black", "");
        svg.text(
            frame.left - 9.0,
            py + 4.5,
            TICK,
            Anchor::End,
            "",
            &hour.to_string(),
        );
    }
    svg.text(
        (frame.left + frame.right) / 2.0,
        frame.bottom + 44.0,
        LABEL,
        Anchor::Middle,
        "",
        x_label,
    );
    svg.vertical_text(
        frame.left - 42.0,
        (frame.top + frame.bottom) / 2.0,
        LABEL,
        y_label,
    );

    // Legend: the colour bar with the scale's ticks, and the grey of "no shortfall".
    let bar_x = frame.right + 28.0;
    let bar_w = 20.0;
    let bar = Axis {
        scale,
        from: frame.bottom - 28.0,
        to: frame.top,
    };
    svg.text(
        bar_x,
        frame.top - 10.0,
        TICK,
        Anchor::Start,
        "font-weight=\"bold\"",
        "LOLP",
    );
    if max > 0.0 {
        svg.raw("<g shape-rendering=\"crispEdges\">");
        let step_px = (bar.from - bar.to) / LEVELS as f64;
        for l in 1..=LEVELS {
            let y0 = bar.from - step_px * l as f64;
            svg.rect(bar_x, y0, bar_w, step_px + 0.6, &colour(l), "");
        }
        svg.raw("</g>");
        svg.rect(
            bar_x,
            bar.to,
            bar_w,
            bar.from - bar.to,
            "none",
            "stroke=\"black\"",
        );
        for (v, label) in scale.ticks().0 {
            let py = bar.px(v);
            svg.line((bar_x + bar_w, py), (bar_x + bar_w + 5.0, py), "black", "");
            svg.text(
                bar_x + bar_w + 8.0,
                py + 4.5,
                TICK,
                Anchor::Start,
                "",
                &label,
            );
        }
        svg.vertical_text(
            bar_x + bar_w + 80.0,
            (bar.from + bar.to) / 2.0,
            LABEL,
            "LOLP: share of trajectories short",
        );
    }
    svg.rect(
        bar_x,
        frame.bottom - 14.0,
        bar_w,
        14.0,
        ZERO_COLOUR,
        "stroke=\"black\"",
    );
    svg.text(
        bar_x + bar_w + 8.0,
        frame.bottom - 2.5,
        TICK,
        Anchor::Start,
        "",
        "0 (none)",
    );
    if max <= 0.0 {
        svg.message(
            &frame,
            &[&format!(
                "No shortfall in any hour of the {}.",
                run_size(summary)
            )],
        );
    }
    svg.finish()
}

/// Curtailment per region (and for the system), as box plots over trajectories: on the left
/// the distribution of each trajectory's curtailment rate (curtailed ÷ available renewable
/// energy of that trajectory, in %), its P95 written above; on the right that of the
/// curtailed energy. Whiskers reach from P5 to P95, the box from P25 to P75; a line marks
/// the median and a dot the mean. Trajectories without renewable energy have no rate and are
/// left out of it (a note says how many, where some are); a region without renewables in
/// any trajectory says so.
pub fn curtailment_by_region_svg(summary: &Summary) -> String {
    struct Row<'a> {
        name: String,
        colour: &'static str,
        rate: &'a Distribution,
        energy: &'a Distribution,
        /// Trajectories with no renewable energy (and so no rate).
        without: u64,
    }
    let n = summary.trajectories;
    let mut rows = vec![Row {
        name: "system".to_string(),
        colour: SYSTEM,
        rate: &summary.distributions.curtailment_rate,
        energy: &summary.distributions.curtailment_mwh,
        without: summary.distributions.trajectories_without_renewable,
    }];
    for (k, r) in summary.regions.iter().enumerate() {
        rows.push(Row {
            name: r.name.clone(),
            colour: COLOURS[k % COLOURS.len()],
            rate: &r.distributions.curtailment_rate,
            energy: &r.distributions.curtailment_mwh,
            without: r.distributions.trajectories_without_renewable,
        });
    }
    // Some trajectory had renewable energy to curtail.
    let renewable = |row: &Row| row.without < n;
    let mut svg = Svg::new(WIDTH, HEIGHT);
    svg.title(
        "Renewable curtailment by region",
        &format!(
            "{}; rate = curtailed / available renewable energy, per trajectory",
            run_size(summary)
        ),
    );
    let names: Vec<String> = rows.iter().map(|r| short_name(&r.name)).collect();
    let panel_width = 290.0;
    let turn = turn_labels(&names, panel_width);
    // Turned names reach down sin 35° of their width; the keys sit under them.
    let drop = if turn {
        let widest = names
            .iter()
            .map(|n| text_width(n, TICK))
            .fold(0.0, f64::max);
        16.0 + widest * 0.574 + 12.0
    } else {
        28.0
    };
    let left = Frame {
        left: 80.0,
        right: 80.0 + panel_width,
        top: 92.0,
        bottom: HEIGHT - 40.0 - drop,
    };
    let right = Frame {
        left: WIDTH - 25.0 - panel_width,
        right: WIDTH - 25.0,
        ..left
    };
    let whole = Frame {
        left: left.left,
        right: right.right,
        ..left
    };
    if n == 0 || !renewable(&rows[0]) {
        empty_axes(&mut svg, &whole, "region", "curtailment rate (%)");
        let line = if n == 0 {
            NO_TRAJECTORIES
        } else {
            "No renewable energy in this study: there is nothing to curtail."
        };
        svg.message(&whole, &[line]);
        return svg.finish();
    }
    let finite = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    // Room above the highest whisker for its label, inside the frame.
    let headroom = 20.0;

    // Left: rates in %, never above 100.
    let rate_top = rows
        .iter()
        .filter(|r| renewable(r))
        .map(|r| finite(r.rate.p95).max(finite(r.rate.mean)).min(1.0) * 100.0)
        .fold(0.0, f64::max);
    // From 0 unless the rates sit far from it (then the axis shows them up close).
    let rate_bottom = rows
        .iter()
        .filter(|r| renewable(r))
        .map(|r| finite(r.rate.p5).min(finite(r.rate.mean)).min(1.0) * 100.0)
        .fold(f64::INFINITY, f64::min);
    let y = Axis {
        scale: Scale::linear(rate_bottom, rate_top),
        from: left.bottom,
        to: left.top + headroom,
    };
    panel_heading(&mut svg, &left, "curtailment rate per trajectory");
    y_axis(&mut svg, &left, &y, "curtailment rate (%)");
    let slot = left.width() / rows.len() as f64;
    let box_w = (slot * 0.55).min(70.0);
    for (i, row) in rows.iter().enumerate() {
        let cx = left.left + slot * (i as f64 + 0.5);
        if !renewable(row) {
            no_renewables(&mut svg, cx, left.bottom);
            continue;
        }
        let top = box_and_whiskers(&mut svg, cx, box_w, row.colour, row.rate, |v| {
            y.px(finite(v).min(1.0) * 100.0)
        });
        let label = percent(finite(row.rate.p95));
        if text_width(&label, TICK) <= slot - 2.0 {
            svg.text(cx, top - 6.0, TICK, Anchor::Middle, "", &label);
        }
    }
    category_labels(&mut svg, &left, &names, turn);

    // Right: curtailed energy per trajectory, in MWh or GWh as the size asks.
    let energy_top = rows
        .iter()
        .filter(|r| renewable(r))
        .map(|r| finite(r.energy.p95).max(finite(r.energy.mean)))
        .fold(0.0, f64::max);
    let energy_bottom = rows
        .iter()
        .filter(|r| renewable(r))
        .map(|r| finite(r.energy.p5).min(finite(r.energy.mean)))
        .fold(f64::INFINITY, f64::min);
    let (unit, per) = energy_unit(energy_top);
    let y = Axis {
        scale: Scale::linear(energy_bottom / per, energy_top / per),
        from: right.bottom,
        to: right.top + headroom,
    };
    panel_heading(&mut svg, &right, "curtailed energy per trajectory");
    y_axis(
        &mut svg,
        &right,
        &y,
        &format!("curtailed energy per trajectory ({unit})"),
    );
    let slot = right.width() / rows.len() as f64;
    let box_w = (slot * 0.55).min(70.0);
    for (i, row) in rows.iter().enumerate() {
        let cx = right.left + slot * (i as f64 + 0.5);
        if !renewable(row) {
            no_renewables(&mut svg, cx, right.bottom);
            continue;
        }
        box_and_whiskers(&mut svg, cx, box_w, row.colour, row.energy, |v| {
            y.px(finite(v) / per)
        });
    }
    category_labels(&mut svg, &right, &names, turn);

    // The key, and which rates leave trajectories out.
    let muted = format!("fill=\"{MUTED}\"");
    let cx = (whole.left + whole.right) / 2.0;
    let partial: Vec<String> = rows
        .iter()
        .filter(|r| r.without > 0 && renewable(r))
        .map(|r| format!("{} {} of {n}", short_name(&r.name), r.without))
        .collect();
    let key =
        "whiskers: P5 to P95 (P95 rate written above) · box: P25 to P75 · line: median · dot: mean";
    if partial.is_empty() {
        svg.text(cx, HEIGHT - 16.0, TICK, Anchor::Middle, &muted, key);
    } else {
        svg.text(cx, HEIGHT - 22.0, TICK, Anchor::Middle, &muted, key);
        let mut note = format!(
            "Rates leave out trajectories without renewable energy: {}",
            partial.join(", ")
        );
        if note.chars().count() > 110 {
            note = format!("{}…", note.chars().take(109).collect::<String>());
        }
        svg.text(cx, HEIGHT - 5.0, TICK, Anchor::Middle, &muted, &note);
    }
    if rows
        .iter()
        .all(|r| !renewable(r) || !(r.rate.max > 0.0 || r.energy.max > 0.0))
    {
        svg.message(&whole, &["No curtailment in any trajectory."]);
    }
    svg.finish()
}

/// A box plot of one distribution at `cx`, `width` px wide, with `px` placing a value:
/// whiskers from P5 to P95 with caps, a box from P25 to P75, a line at the median and a dot
/// at the mean. Returns the highest pixel drawn on (the P95 cap, or the mean's dot).
fn box_and_whiskers(
    svg: &mut Svg,
    cx: f64,
    width: f64,
    colour: &str,
    d: &Distribution,
    px: impl Fn(f64) -> f64,
) -> f64 {
    let (p5, p25, p50, p75, p95, mean) = (
        px(d.p5),
        px(d.p25),
        px(d.p50),
        px(d.p75),
        px(d.p95),
        px(d.mean),
    );
    let whisker = "stroke-width=\"1.5\"";
    let cap = width / 4.0;
    svg.line((cx, p5), (cx, p25), colour, whisker);
    svg.line((cx, p75), (cx, p95), colour, whisker);
    svg.line((cx - cap, p5), (cx + cap, p5), colour, whisker);
    svg.line((cx - cap, p95), (cx + cap, p95), colour, whisker);
    svg.rect(
        cx - width / 2.0,
        p75,
        width,
        (p25 - p75).max(1.5),
        colour,
        &format!("fill-opacity=\"0.3\" stroke=\"{colour}\" stroke-width=\"1.5\""),
    );
    svg.line(
        (cx - width / 2.0, p50),
        (cx + width / 2.0, p50),
        colour,
        "stroke-width=\"3\"",
    );
    svg.circle(cx, mean, 4.0, "black");
    p95.min(mean - 4.0)
}

/// What a region without renewables shows in place of its bar.
fn no_renewables(svg: &mut Svg, cx: f64, bottom: f64) {
    let attrs = format!("fill=\"{MUTED}\"");
    svg.text(cx, bottom - 24.0, TICK, Anchor::Middle, &attrs, "no");
    svg.text(cx, bottom - 8.0, TICK, Anchor::Middle, &attrs, "renewables");
}

fn panel_heading(svg: &mut Svg, frame: &Frame, text: &str) {
    svg.text(
        (frame.left + frame.right) / 2.0,
        frame.top - 12.0,
        LABEL,
        Anchor::Middle,
        "",
        text,
    );
}

/// A name cut to 22 characters for a category axis.
fn short_name(name: &str) -> String {
    if name.chars().count() > 22 {
        format!("{}…", name.chars().take(21).collect::<String>())
    } else {
        name.to_string()
    }
}

/// Whether names under equal slots across `width` px must be turned to fit.
fn turn_labels(names: &[String], width: f64) -> bool {
    let slot = width / names.len().max(1) as f64;
    names.iter().any(|n| text_width(n, TICK) > slot - 6.0)
}

/// Names under the slots of a category axis, turned (reading up to the right) if `turn`.
fn category_labels(svg: &mut Svg, frame: &Frame, names: &[String], turn: bool) {
    let slot = frame.width() / names.len().max(1) as f64;
    for (i, name) in names.iter().enumerate() {
        let cx = frame.left + slot * (i as f64 + 0.5);
        if turn {
            let (x, y) = (cx + 4.0, frame.bottom + 16.0);
            let attrs = format!(
                "transform=\"rotate(-35 {} {})\"",
                canvas::num(x),
                canvas::num(y)
            );
            svg.text(x, y, TICK, Anchor::End, &attrs, name);
        } else {
            svg.text(cx, frame.bottom + 20.0, TICK, Anchor::Middle, "", name);
        }
    }
}

/// The fonts the PNGs' text is drawn with, loaded once, and the family `sans-serif` (and
/// `serif`, usvg's last resort) resolve to; `None` when the system has no font at all.
fn fonts() -> Result<&'static (Arc<Database>, String), PlotError> {
    static FONTS: OnceLock<Option<(Arc<Database>, String)>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = Database::new();
            db.load_system_fonts();
            with_default_family(db)
        })
        .as_ref()
        .ok_or(PlotError::NoFonts)
}

/// Points the generic families at DejaVu Sans when it is there, else at a sans-serif face,
/// else at any face; `None` for an empty database.
fn with_default_family(mut db: Database) -> Option<(Arc<Database>, String)> {
    let mut families: Vec<String> = db
        .faces()
        .filter_map(|f| f.families.first().map(|(name, _)| name.clone()))
        .collect();
    families.sort();
    families.dedup();
    let family = families
        .iter()
        .find(|f| f.as_str() == "DejaVu Sans")
        .or_else(|| {
            families
                .iter()
                .find(|f| f.contains("Sans") && !f.contains("Mono"))
        })
        .or_else(|| families.first())?
        .clone();
    db.set_sans_serif_family(family.clone());
    db.set_serif_family(family.clone());
    Some((Arc::new(db), family))
}

/// Draws an SVG (one of these plots, or any other) as PNG, at [`PNG_SCALE`] times its size,
/// with the system's fonts.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, PlotError> {
    let (fontdb, family) = fonts()?;
    let options = usvg::Options {
        fontdb: Arc::clone(fontdb),
        font_family: family.clone(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| PlotError::Svg(e.to_string()))?;
    let size = tree.size().to_int_size();
    let (width, height) = (
        size.width().saturating_mul(PNG_SCALE),
        size.height().saturating_mul(PNG_SCALE),
    );
    let mut pixmap =
        tiny_skia::Pixmap::new(width, height).ok_or(PlotError::Size { width, height })?;
    let scale = PNG_SCALE as f32;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PlotError::Png(e.to_string()))
}

/// Every plot of `summary` by file stem, as SVG.
pub fn all_svgs(summary: &Summary) -> Vec<(&'static str, String)> {
    vec![
        (
            "exceedance",
            exceedance_svg(summary, "Unserved energy: exceedance curve"),
        ),
        (
            Quantity::UnservedEnergy.file_stem(),
            histogram_svg(summary, Quantity::UnservedEnergy),
        ),
        (
            Quantity::Curtailment.file_stem(),
            histogram_svg(summary, Quantity::Curtailment),
        ),
        ("hourly_risk_heatmap", heatmap_svg(summary)),
        ("curtailment_by_region", curtailment_by_region_svg(summary)),
    ]
}

/// Writes every plot as `NAME.svg` and `NAME.png` into `dir` (created if needed), each to a
/// temporary name and renamed into place; returns the files written, SVG then PNG per plot.
pub fn write_plots(summary: &Summary, dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    std::fs::create_dir_all(dir).map_err(|source| PlotError::Io {
        what: "cannot create the plot folder",
        path: dir.to_path_buf(),
        reason: source,
    })?;
    write_svgs_and_pngs(dir, all_svgs(summary))
}

/// Writes each (stem, SVG) as `STEM.svg` and `STEM.png` into the folder `dir`. Every SVG is
/// written even when PNGs cannot be (no font): the first such error is returned after them.
pub fn write_svgs_and_pngs<S: AsRef<str>>(
    dir: &Path,
    plots: impl IntoIterator<Item = (S, String)>,
) -> Result<Vec<PathBuf>, PlotError> {
    let mut written = Vec::new();
    let mut png_error = None;
    for (stem, svg) in plots {
        let stem = stem.as_ref();
        let svg_path = dir.join(format!("{stem}.svg"));
        write_bytes_atomic(&svg_path, svg.as_bytes())?;
        written.push(svg_path);
        if png_error.is_some() {
            continue;
        }
        match svg_to_png(&svg) {
            Ok(png) => {
                let png_path = dir.join(format!("{stem}.png"));
                write_bytes_atomic(&png_path, &png)?;
                written.push(png_path);
            }
            Err(e) => png_error = Some(e),
        }
    }
    match png_error {
        Some(e) => Err(e),
        None => Ok(written),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place (as
/// `report::write_atomic` does for text).
fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp-egap");
    let tmp = PathBuf::from(tmp);
    let io = |source| PlotError::Io {
        what: "cannot write",
        path: path.to_path_buf(),
        reason: source,
    };
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests;
