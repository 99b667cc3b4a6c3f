//! The page of a sweep (`sweep.json` of `egap sweep`): how the metrics move as the swept
//! parameter does, with the sweep's plots and every point.

use std::fmt::Write as _;

use serde::Deserialize;

use crate::report::html::{close, escape, figure, open, provenance, strip_xml_declaration};
use crate::report::plot::parameter_label;
use crate::stats::{Metric, Metrics, readable};
use crate::sweep::{SHOWN, Setting, plots_of};

/// `sweep.json` as `egap sweep` writes it (`schemas/sweep.schema.json`). `hours` is absent
/// from files of egap versions before it was added; the page then gives figures per
/// study horizon.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepFile {
    pub egap_version: String,
    pub scenario_file: String,
    #[serde(default)]
    pub hours: u32,
    pub trajectories_per_point: u64,
    pub seed: u64,
    pub settings: Vec<Setting>,
    pub points_completed: usize,
    pub points_total: usize,
    pub interrupted: bool,
    pub points: Vec<PointFile>,
}

/// One point of the sweep: each setting's value and the metrics there.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointFile {
    pub values: Vec<f64>,
    pub metrics: Metrics,
}

impl SweepFile {
    /// Refuses a file no sweep could have written: one or two settings, at least one
    /// point, each with a value for every setting.
    pub(super) fn check(&self) -> Result<(), String> {
        if !(1..=2).contains(&self.settings.len()) {
            return Err(format!(
                "it has {} settings; a sweep has one or two",
                self.settings.len()
            ));
        }
        if self.points.is_empty() {
            return Err("it has no points".into());
        }
        if let Some(p) = self
            .points
            .iter()
            .find(|p| p.values.len() != self.settings.len())
        {
            return Err(format!(
                "a point has {} values for {} settings",
                p.values.len(),
                self.settings.len()
            ));
        }
        Ok(())
    }

    /// The metrics the page shows: the sweep's table and plots' ([`SHOWN`]), without
    /// curtailment when no point has renewable energy.
    fn shown(&self) -> Vec<Metric> {
        let renewables = (self.points.iter()).any(|p| p.metrics.renewable_energy_mwh.mean > 0.0);
        SHOWN
            .into_iter()
            .filter(|m| renewables || !m.is_curtailment())
            .collect()
    }

    /// The points as lines: for each value of the second setting (one line when there is
    /// none), that value and the points along the first setting, in order.
    fn lines(&self) -> Vec<(Option<f64>, Vec<&PointFile>)> {
        let mut lines: Vec<(Option<f64>, Vec<&PointFile>)> = Vec::new();
        for p in &self.points {
            let second = p.values.get(1).copied();
            match lines.iter_mut().find(|(v, _)| *v == second) {
                Some((_, points)) => points.push(p),
                None => lines.push((second, vec![p])),
            }
        }
        lines
    }
}

pub fn page(s: &SweepFile) -> String {
    let labels: Vec<String> = s
        .settings
        .iter()
        .map(|x| parameter_label(&x.path))
        .collect();
    let study = std::path::Path::new(&s.scenario_file)
        .file_stem()
        .map_or(s.scenario_file.clone(), |f| {
            f.to_string_lossy().into_owned()
        });
    let mut h = open(&format!("{study}: sweep of {}", labels.join(" and ")));
    let shown = s.shown();
    let names: Vec<&str> = shown.iter().map(|m| m.label()).collect();
    let (first, last) = span(s);

    h.push_str("<section class=\"answer\">\n<h2>The answer</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"question\">How do {} move as {} goes from {} to {}{}?</p>",
        names.join(", "),
        escape(&labels[0]),
        readable(first),
        readable(last),
        labels
            .get(1)
            .map_or(String::new(), |l| format!(", for each {}", escape(l)))
    );
    if s.interrupted || s.points_completed < s.points_total {
        let _ = writeln!(
            h,
            "<p class=\"verdict undecided\"><b>Interrupted</b>: {} of {} points were run; \
             everything below is those points only.</p>",
            s.points_completed, s.points_total
        );
    }
    h.push_str("<ul>\n");
    for &m in &shown {
        for (second, points) in s.lines() {
            let (Some(a), Some(b)) = (points.first(), points.last()) else {
                continue;
            };
            let line = match (second, labels.get(1)) {
                (Some(v), Some(l)) => format!(" with {} = {}", escape(l), readable(v)),
                _ => String::new(),
            };
            let at = |p: &PointFile| {
                let e = m.of(&p.metrics);
                format!(
                    "{} {} (95% interval {} – {}) at {}",
                    figure(e.mean, &m.show(e.mean)),
                    m.unit_for(s.hours),
                    m.show(e.ci95_low),
                    m.show(e.ci95_high),
                    readable(p.values[0])
                )
            };
            let _ = writeln!(
                h,
                "<li><b>{}</b>{line}: from {} to {}.</li>",
                m.label(),
                at(a),
                at(b)
            );
        }
    }
    h.push_str("</ul>\n</section>\n");

    let rows: Vec<(&[f64], &Metrics)> = (s.points.iter())
        .map(|p| (p.values.as_slice(), &p.metrics))
        .collect();
    let plots = plots_of(&s.settings, s.hours, &rows);
    if !plots.is_empty() {
        h.push_str("<h2>Plots</h2>\n");
        for (name, svg) in &plots {
            let _ = writeln!(
                h,
                "<figure id=\"{}\">{}</figure>",
                escape(name),
                strip_xml_declaration(svg)
            );
        }
    }

    h.push_str("<h2>The points</h2>\n<p class=\"note\">Mean ± standard error, and the 95% interval below it.</p>\n<div class=\"scroll\"><table>\n<tr>");
    for l in &labels {
        let _ = write!(h, "<th>{}</th>", escape(l));
    }
    for m in &shown {
        let _ = write!(h, "<th>{} ({})</th>", m.label(), m.unit_for(s.hours));
    }
    h.push_str("</tr>\n");
    for p in &s.points {
        h.push_str("<tr>");
        for &v in &p.values {
            let _ = write!(h, "<td>{}</td>", figure(v, &readable(v)));
        }
        for m in &shown {
            let e = m.of(&p.metrics);
            let _ = write!(
                h,
                "<td>{}<br><span class=\"note\">{} – {}</span></td>",
                figure(e.mean, &m.show_estimate(e.mean, e.standard_error)),
                m.show(e.ci95_low),
                m.show(e.ci95_high)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table></div>\n");

    let settings: Vec<String> = (s.settings.iter())
        .map(|x| {
            let values: Vec<String> = x.values.iter().map(|&v| readable(v)).collect();
            format!("<code>{}</code> = {}", escape(&x.path), values.join(", "))
        })
        .collect();
    provenance(
        &mut h,
        &[
            (
                "scenario file",
                format!("<code>{}</code>", escape(&s.scenario_file)),
            ),
            ("settings", settings.join("<br>")),
            (
                "points",
                format!("{} of {}", s.points_completed, s.points_total),
            ),
            (
                "trajectories per point",
                crate::report::thousands(s.trajectories_per_point),
            ),
            (
                "seed",
                format!(
                    "{}, at every point (common random numbers: differences between points are not sampling noise)",
                    s.seed
                ),
            ),
            ("egap version", escape(&s.egap_version)),
        ],
    );
    close(&mut h);
    h
}

/// The least and the greatest value of the first setting among the points.
fn span(s: &SweepFile) -> (f64, f64) {
    let xs = || s.points.iter().map(|p| p.values[0]);
    (
        xs().fold(f64::INFINITY, f64::min),
        xs().fold(f64::NEG_INFINITY, f64::max),
    )
}
