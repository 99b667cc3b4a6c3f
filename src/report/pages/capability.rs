//! The page of a load-carrying capability (`egap capability --format json`): how far
//! demand can grow, or must shrink, before a reliability criterion is missed.

use std::fmt::Write as _;

use serde::Deserialize;

use super::Interval;
use crate::report::html::{close, escape, figure, open, provenance};
use crate::stats::{Criterion, Estimate, fixed};

/// What `egap capability --format json` prints (`schemas/capability.schema.json`).
/// `scenario_file` and `hours` are absent from files of egap versions before they were
/// added.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CapabilityFile {
    pub egap_version: String,
    pub study: String,
    #[serde(default)]
    pub scenario_file: Option<String>,
    #[serde(default)]
    pub hours: u32,
    pub criterion: Criterion,
    pub trajectories_per_step: u64,
    pub seed: u64,
    pub steps: u64,
    pub as_it_is: Estimate,
    pub demand_scale: Interval,
    pub base_peak_mw: f64,
    pub peak_carried_mw: Interval,
}

/// A demand scale to four decimals, the search's resolution (10^-4).
fn scale(x: f64) -> String {
    format!("{x:.4}")
}

/// MW of a system peak, to 0.1 MW.
fn mw(x: f64) -> String {
    fixed(x, 1)
}

pub fn page(c: &CapabilityFile) -> String {
    let m = c.criterion.metric;
    let hours = c.hours;
    let limit = format!(
        "{} ≤ {}",
        m.label(),
        m.show_with_unit(c.criterion.limit, hours)
    );
    let mut h = open(&format!("Load-carrying capability of {}", c.study));
    h.push_str("<section class=\"answer\">\n<h2>The answer</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"question\">How much demand can {} carry and still meet {}?</p>",
        escape(&c.study),
        escape(&limit)
    );
    let (s, p) = (&c.demand_scale, &c.peak_carried_mw);
    let change = p.estimate - c.base_peak_mw;
    let _ = writeln!(
        h,
        "<ul>\n<li>It meets {} up to <b>{} × today's demand</b> (95% interval {} – {}): \
         a load peak of <b>{} MW</b>, {} MW against today's {} MW (95% interval {} – {} MW).</li>",
        escape(&limit),
        figure(s.estimate, &scale(s.estimate)),
        figure(s.ci95_low, &scale(s.ci95_low)),
        figure(s.ci95_high, &scale(s.ci95_high)),
        figure(p.estimate, &mw(p.estimate)),
        if change >= 0.0 {
            format!("+{}", mw(change))
        } else {
            mw(change)
        },
        figure(c.base_peak_mw, &mw(c.base_peak_mw)),
        figure(p.ci95_low, &mw(p.ci95_low)),
        figure(p.ci95_high, &mw(p.ci95_high)),
    );
    let e = &c.as_it_is;
    let standing = if e.ci95_low > c.criterion.limit {
        "above the limit: it does not meet the criterion as it is"
    } else if e.ci95_high <= c.criterion.limit {
        "at or below the limit: it meets the criterion as it is"
    } else {
        "and its 95% interval holds the limit"
    };
    let _ = writeln!(
        h,
        "<li>As it is (demand × 1), {} is {} {}, {standing}.</li>\n</ul>\n</section>",
        m.label(),
        figure(e.mean, &m.show_estimate(e.mean, e.standard_error)),
        m.unit_for(hours)
    );

    h.push_str("<h2>The figures</h2>\n<div class=\"scroll\"><table>\n<tr><th>quantity</th><th>estimate</th><th>95% interval</th><th class=\"text\">what it is</th></tr>\n");
    let rows = [
        (
            "demand scale",
            s,
            scale as fn(f64) -> String,
            "factor on every hour's demand at which the criterion is just met",
        ),
        (
            "load peak carried (MW)",
            p,
            mw,
            "today's load peak times that factor",
        ),
    ];
    for (name, i, show, note) in rows {
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td>{}</td><td>{} – {}</td><td class=\"note\">{note}</td></tr>",
            figure(i.estimate, &show(i.estimate)),
            show(i.ci95_low),
            show(i.ci95_high)
        );
    }
    h.push_str("</table></div>\n<p class=\"note\">The low end of each interval is where the upper end of the metric's 95% interval meets the limit (the cautious answer); the high end is where its lower end does.</p>\n");

    provenance(
        &mut h,
        &[
            (
                "scenario file",
                c.scenario_file
                    .as_deref()
                    .map_or("(not recorded)".into(), |f| {
                        format!("<code>{}</code>", escape(f))
                    }),
            ),
            ("criterion", format!("{} ({})", escape(&limit), m.key())),
            (
                "trajectories per step",
                crate::report::thousands(c.trajectories_per_step),
            ),
            (
                "steps",
                format!(
                    "{} runs of the study at different demand scales, every one with the same seed (common random numbers)",
                    c.steps
                ),
            ),
            ("seed", c.seed.to_string()),
            ("egap version", escape(&c.egap_version)),
        ],
    );
    close(&mut h);
    h
}
