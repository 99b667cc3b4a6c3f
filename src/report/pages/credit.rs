//! The page of a capacity credit (`egap credit --format json`): what the resource is worth
//! in firm capacity (EFC) and in load carried (ELCC), each with its 95% interval.

use std::fmt::Write as _;

use serde::Deserialize;

use super::Interval;
use crate::report::html::{close, escape, figure, open, provenance};
use crate::stats::{Estimate, Metric, fixed, readable};

/// What `egap credit --format json` prints (`schemas/credit.schema.json`). `scenario_file`
/// and `hours` are absent from files of egap versions before they were added.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditFile {
    pub egap_version: String,
    #[serde(default)]
    pub scenario_file: Option<String>,
    #[serde(default)]
    pub hours: u32,
    pub resource: String,
    pub nameplate_mw: f64,
    pub metric: Metric,
    pub trajectories_per_step: u64,
    pub seed: u64,
    pub steps: u64,
    pub with: Estimate,
    pub without: Estimate,
    pub efc_mw: Interval,
    pub elcc_mw: Interval,
}

/// MW as the answer shows them: to 0.1 MW, the search's resolution for a unit of a few
/// hundred MW.
fn mw(x: f64) -> String {
    fixed(x, 1)
}

pub fn page(c: &CreditFile) -> String {
    let m = c.metric;
    let mut h = open(&format!("Capacity credit of {}", c.resource));
    let share = |x: f64| format!("{:.1}%", 100.0 * x / c.nameplate_mw);
    // "466.0 MW (EFC, 58.3% of nameplate; 95% interval 448.0 – 483.2 MW)".
    let answer = |name: &str, i: &Interval| {
        (
            format!("{} MW", figure(i.estimate, &mw(i.estimate))),
            format!(
                "({name}, {} of nameplate; 95% interval {} – {} MW)",
                share(i.estimate),
                figure(i.ci95_low, &mw(i.ci95_low)),
                figure(i.ci95_high, &mw(i.ci95_high)),
            ),
        )
    };
    let level = |e: &Estimate| {
        format!(
            "{} {}",
            m.show_estimate(e.mean, e.standard_error),
            m.unit_for(c.hours)
        )
    };
    h.push_str("<section class=\"answer\">\n<h2>The answer</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"question\">What is {} ({} MW nameplate) worth to the system's reliability, \
         measured by {} ({})?</p>",
        escape(&c.resource),
        figure(c.nameplate_mw, &readable(c.nameplate_mw)),
        m.label(),
        m.description()
    );
    let nameplate = format!("{} MW", readable(c.nameplate_mw));
    let (efc, efc_note) = answer("EFC", &c.efc_mw);
    let _ = writeln!(
        h,
        "<ul>\n<li><b>{} ({nameplate} nameplate) adds {efc} of firm capacity</b> {efc_note}: \
         a perfectly available unit of that size gives the system the {} it has with the \
         resource.</li>",
        escape(&c.resource),
        m.label()
    );
    let (elcc, elcc_note) = answer("ELCC", &c.elcc_mw);
    let _ = writeln!(
        h,
        "<li><b>It lets the system carry {elcc} more load</b> {elcc_note}, a flat load added \
         every hour, at the {} it had without it.</li>",
        m.label()
    );
    let _ = writeln!(
        h,
        "<li>{} with it {}; without it {}.</li>\n</ul>\n</section>",
        m.label(),
        level(&c.with),
        level(&c.without)
    );

    h.push_str("<h2>The figures</h2>\n<div class=\"scroll\"><table>\n<tr><th>credit</th><th>MW</th><th>share of nameplate</th><th>95% interval (MW)</th><th class=\"text\">what it measures</th></tr>\n");
    for (name, i, note) in [
        (
            "EFC",
            &c.efc_mw,
            "perfectly available capacity that gives the reliability the resource gives",
        ),
        (
            "ELCC",
            &c.elcc_mw,
            "flat load the resource lets the system carry at its reliability without it",
        ),
    ] {
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{} – {}</td><td class=\"note\">{note}</td></tr>",
            figure(i.estimate, &mw(i.estimate)),
            share(i.estimate),
            mw(i.ci95_low),
            mw(i.ci95_high)
        );
    }
    h.push_str("</table></div>\n");
    let _ = writeln!(
        h,
        "<h3>{} with and without the resource</h3>\n<div class=\"scroll\"><table>\n<tr><th>{} ({})</th><th>mean</th><th>standard error</th><th>95% interval</th></tr>",
        m.label(),
        m.label(),
        m.unit_for(c.hours)
    );
    for (name, e) in [
        ("with the resource", &c.with),
        ("without it (capacity 0)", &c.without),
    ] {
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{} – {}</td></tr>",
            figure(e.mean, &m.show(e.mean)),
            m.show(e.standard_error),
            m.show(e.ci95_low),
            m.show(e.ci95_high)
        );
    }
    h.push_str("</table></div>\n");

    let mut facts = vec![(
        "scenario file",
        c.scenario_file
            .as_deref()
            .map_or("(not recorded)".into(), |f| {
                format!("<code>{}</code>", escape(f))
            }),
    )];
    facts.extend([
        ("resource", format!("<code>{}</code>", escape(&c.resource))),
        ("metric held equal", format!("{} ({})", m.label(), m.key())),
        (
            "trajectories per step",
            crate::report::thousands(c.trajectories_per_step),
        ),
        (
            "steps",
            format!(
                "{} runs of the study, every one with the same seed (common random numbers)",
                c.steps
            ),
        ),
        ("seed", c.seed.to_string()),
        ("egap version", escape(&c.egap_version)),
        (
            "intervals",
            "each allows for the error of the level and of the probe's curve, their 95% \
             half-widths added in quadrature"
                .into(),
        ),
    ]);
    provenance(&mut h, &facts);
    close(&mut h);
    h
}
