//! The plot of a sweep: one metric against the swept parameter, one line with its 95% band
//! per value of a second parameter, drawn with the same canvas, axes and legend as every
//! other plot of a run.

use super::canvas::{Axis, COLOURS, Frame, Scale, Svg};
use super::{HEIGHT, WIDTH, energy_unit, legend};
use crate::stats::Metric;

/// Height of one legend row, px (as in every plot's legend).
const LEGEND_ROW: f64 = 19.0;

/// One plotted line: its label (empty for a sweep of one parameter) and its points
/// (x, mean, 95% low, 95% high).
pub type Series = (String, Vec<(f64, f64, f64, f64)>);

/// The parameter of a `--set` path as people read it: `interfaces[west-east].limit_mw`
/// becomes "west-east: limit (MW)", `load_multiplier` "load multiplier".
pub fn parameter_label(path: &str) -> String {
    let (owner, field) = match path.rsplit_once('.') {
        Some((owner, field)) => (Some(owner), field),
        None => (None, path),
    };
    let (field, unit) = [("_mwh", "MWh"), ("_mw", "MW"), ("_h", "h")]
        .iter()
        .find_map(|(suffix, unit)| field.strip_suffix(suffix).map(|f| (f, Some(*unit))))
        .unwrap_or((field, None));
    let mut label = field.replace('_', " ");
    if let Some(unit) = unit {
        label.push_str(&format!(" ({unit})"));
    }
    // `storage[west battery]` → "west battery"; a plain table keeps its key.
    let owner = owner.map(|o| {
        o.rsplit_once('[')
            .and_then(|(_, name)| name.strip_suffix(']'))
            .map_or_else(|| o.replace('_', " "), str::to_string)
    });
    match owner {
        Some(owner) => format!("{owner}: {label}"),
        None => label,
    }
}

/// `metric` against the first parameter (`parameter`, a `--set` path), per horizon of
/// `hours`, one line per series.
pub fn sweep_svg(parameter: &str, metric: Metric, hours: u32, series: &[Series]) -> String {
    let points = || series.iter().flat_map(|s| s.1.iter().copied());
    let x_lo = points().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_hi = points().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let y_hi = points().map(|p| p.3).fold(0.0, f64::max);
    // Rates are fractions in the results and percentages for people; large energies read
    // best in GWh or TWh, as in every other plot.
    let (scale, unit) = match metric {
        Metric::CurtailmentRate => (100.0, metric.unit_for(hours)),
        m if m.unit() == "MWh" => {
            let (unit, per) = energy_unit(y_hi);
            (1.0 / per, m.unit_for(hours).replacen("MWh", unit, 1))
        }
        m => (1.0, m.unit_for(hours)),
    };
    let x_label = parameter_label(parameter);
    let y_label = format!("{} ({unit})", metric.label());
    let mut svg = Svg::new(WIDTH, HEIGHT);
    svg.title(
        &format!("{} against {x_label}", metric.label()),
        "mean and 95% interval at each point; every point runs the same random numbers",
    );
    let entries: Vec<(String, &str, bool)> = series
        .iter()
        .enumerate()
        .filter(|(_, (label, _))| !label.is_empty())
        .map(|(k, (label, _))| (label.clone(), COLOURS[k % COLOURS.len()], false))
        .collect();
    // The legend sits above the frame, never on the lines: in a sweep every corner of the
    // frame may hold data (a line that falls from top left to bottom right, another flat).
    let legend_height = if entries.is_empty() {
        0.0
    } else {
        LEGEND_ROW * entries.len() as f64 + 20.0
    };
    let frame = Frame {
        left: 95.0,
        right: WIDTH - 40.0,
        top: 70.0 + legend_height,
        bottom: HEIGHT - 65.0,
    };
    let x = Axis {
        scale: Scale::linear(x_lo, x_hi),
        from: frame.left,
        to: frame.right,
    };
    let y = Axis {
        scale: Scale::linear(0.0, y_hi * scale),
        from: frame.bottom,
        to: frame.top,
    };
    super::canvas::axes(&mut svg, &frame, &x, &y, &x_label, &y_label);
    for (k, (_, pts)) in series.iter().enumerate() {
        let colour = COLOURS[k % COLOURS.len()];
        let at = |v: f64, m: f64| (x.px(v), y.px(m * scale));
        let band: Vec<String> = (pts.iter().map(|p| at(p.0, p.3)))
            .chain(pts.iter().rev().map(|p| at(p.0, p.2)))
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        svg.raw(&format!(
            "<polygon points=\"{}\" fill=\"{colour}\" fill-opacity=\"0.2\"/>\n",
            band.join(" ")
        ));
        let line: Vec<(f64, f64)> = pts.iter().map(|p| at(p.0, p.1)).collect();
        svg.polyline(&line, colour, 2.0, "");
        for &(px, py) in &line {
            svg.circle(px, py, 3.0, colour);
        }
    }
    // `legend` puts the box in the bottom-left corner of the band it is given when nothing
    // is drawn there: here the band between the subtitle and the frame.
    let band = Frame {
        left: frame.left - 10.0,
        right: frame.right,
        top: 70.0,
        bottom: frame.top,
    };
    legend(&mut svg, &band, &entries, &[]);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_labelled_as_people_name_them() {
        assert_eq!(
            parameter_label("interfaces[west-east].limit_mw"),
            "west-east: limit (MW)"
        );
        assert_eq!(
            parameter_label("storage[west battery].energy_mwh"),
            "west battery: energy (MWh)"
        );
        assert_eq!(parameter_label("load_multiplier"), "load multiplier");
        assert_eq!(parameter_label("units[U400].count"), "U400: count");
        assert_eq!(parameter_label("units[U400].mttr_h"), "U400: mttr (h)");
    }

    #[test]
    fn a_sweep_plot_names_its_axes_and_keeps_the_legend_off_the_data() {
        let series: Vec<Series> = vec![
            (
                "west battery: energy (MWh) = 0".into(),
                vec![(1500.0, 10.0, 9.0, 11.0), (3000.0, 2.0, 1.5, 2.5)],
            ),
            (
                "west battery: energy (MWh) = 6000".into(),
                vec![(1500.0, 8.0, 7.0, 9.0), (3000.0, 1.0, 0.5, 1.5)],
            ),
        ];
        let svg = sweep_svg(
            "interfaces[west-east].limit_mw",
            Metric::LoleHours,
            8760,
            &series,
        );
        assert!(svg.contains("west-east: limit (MW)"), "{svg}");
        assert!(svg.contains("LOLE (h/yr)"), "{svg}");
        assert!(svg.contains("= 6000"), "{svg}");
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg.contains("<polygon"));
        // Energies of millions of MWh are drawn in TWh, so tick labels stay short.
        let big: Vec<Series> = vec![(String::new(), vec![(0.0, 2.0e8, 1.9e8, 2.1e8)])];
        let svg = sweep_svg("load_multiplier", Metric::CurtailmentMwh, 8760, &big);
        assert!(svg.contains("curtailment (TWh/yr)"), "{svg}");
    }
}
