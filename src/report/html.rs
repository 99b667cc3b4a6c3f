//! `egap report`: one self-contained HTML page of a run, to attach to an email or a report.
//!
//! Everything is inline (style, SVG plots), nothing is fetched, and the page carries what a
//! reader needs to trust and reproduce the numbers: the scenario's own header comments (its
//! sources and assumptions), egap's version, the seed and the trajectory count.

use std::fmt::Write as _;

use super::csv::{distribution_rows, metric_rows};
use super::{CriterionCheck, Document, thousands};
use crate::stats::{Estimate, Metric, Verdict, Z_95, is_year, readable};

/// The page. `assumptions` is the scenario file's leading comment block, `system` the
/// description `egap validate` prints, `plots` (name, SVG) pairs.
pub fn page(doc: &Document, assumptions: &str, system: &str, plots: &[(&str, String)]) -> String {
    let s = &doc.summary;
    let renewables = s.has_renewables();
    let mut h = open(&doc.scenario);
    let _ = writeln!(
        h,
        "<p class=\"run\">{} trajectories of {}, seed {}{} · egap {} · scenario file <code>{}</code> · \
         results are {}; 95% intervals from the Monte Carlo standard error</p>",
        thousands(s.trajectories),
        horizon(s.hours),
        doc.run.seed,
        if doc.run.interrupted {
            " (<b>interrupted: partial</b>)"
        } else {
            ""
        },
        escape(doc.egap_version),
        escape(&doc.scenario_file),
        if is_year(s.hours) {
            "per year"
        } else {
            "per horizon"
        }
    );

    answer(&mut h, doc);

    h.push_str(if renewables {
        "<h2>Adequacy and curtailment</h2>\n"
    } else {
        "<h2>Adequacy</h2>\n"
    });
    h.push_str("<div class=\"scroll\"><table>\n<tr><th>metric</th><th>unit</th><th>mean</th><th>standard error</th><th>95% interval</th><th class=\"text\">what it measures</th></tr>\n");
    for (metric, e) in metric_rows(s) {
        if metric.is_curtailment() && !renewables {
            continue;
        }
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} – {}</td><td class=\"note\">{}</td></tr>",
            metric.label(),
            metric.unit_for(s.hours),
            metric.show(e.mean),
            metric.show(e.standard_error),
            metric.show(e.ci95_low),
            metric.show(e.ci95_high),
            metric.description()
        );
    }
    h.push_str("</table></div>\n");

    h.push_str("<h2>Distributions over trajectories</h2>\n<div class=\"scroll\"><table>\n<tr><th>quantity</th><th>unit</th><th>mean</th><th>P50</th><th>P90</th><th>P95</th><th>P99</th><th>P99.9</th><th>max</th><th>CVaR95</th></tr>\n");
    for row in distribution_rows(s) {
        let (name, unit, d) = (row.label, row.unit, row.distribution);
        if row.is_curtailment() && !renewables {
            continue;
        }
        // Rates are fractions in the files and percentages for people.
        let (unit, show): (&str, fn(f64) -> String) = if unit == "fraction" {
            ("%", |x| Metric::CurtailmentRate.show(x))
        } else {
            (unit, readable)
        };
        let _ = writeln!(
            h,
            "<tr><td>{name}</td><td>{unit}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            show(d.mean),
            show(d.p50),
            show(d.p90),
            show(d.p95),
            show(d.p99),
            show(d.p999),
            show(d.max),
            show(d.cvar95)
        );
    }
    h.push_str("</table></div>\n");

    if !s.regions.is_empty() {
        h.push_str("<h2>Regions</h2>\n<div class=\"scroll\"><table>\n<tr><th>region</th>");
        let columns: Vec<Metric> = Metric::ALL
            .into_iter()
            .filter(|m| renewables || !m.is_curtailment())
            .collect();
        for m in &columns {
            let _ = write!(h, "<th>{} ({})</th>", m.label(), m.unit_for(s.hours));
        }
        if renewables {
            h.push_str("<th>P95 of the curtailment rate (%)</th>");
        }
        h.push_str("</tr>\n");
        for r in &s.regions {
            let _ = write!(h, "<tr><td>{}</td>", escape(&r.name));
            let d = &r.distributions;
            let without_renewables = d.trajectories_without_renewable == s.trajectories;
            for m in &columns {
                if *m == Metric::CurtailmentRate && without_renewables {
                    h.push_str("<td>–</td>");
                } else {
                    let _ = write!(h, "<td>{}</td>", m.show(m.of(&r.metrics).mean));
                }
            }
            if renewables {
                let p95 = if without_renewables {
                    "no renewables".to_string()
                } else {
                    Metric::CurtailmentRate.show(d.curtailment_rate.p95)
                };
                let _ = write!(h, "<td>{p95}</td>");
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table></div>\n");
    }
    if !s.interfaces.is_empty() {
        h.push_str("<h2>Interfaces</h2>\n<div class=\"scroll\"><table>\n<tr><th>interface</th><th>mean flow (MW)</th><th>forward (MWh)</th><th>backward (MWh)</th><th>hours at forward limit</th><th>hours at backward limit</th></tr>\n");
        for i in &s.interfaces {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&i.name),
                readable(i.mean_flow_mw),
                readable(i.forward_energy_mwh),
                readable(i.backward_energy_mwh),
                percent(i.share_at_forward_limit),
                percent(i.share_at_backward_limit)
            );
        }
        h.push_str("</table></div>\n");
    }
    if !s.storage.is_empty() {
        h.push_str("<h2>Storage</h2>\n<div class=\"scroll\"><table>\n<tr><th>store</th><th>charged (MWh)</th><th>discharged (MWh)</th><th>cycles</th><th>hours full</th><th>hours empty</th></tr>\n");
        for st in &s.storage {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&st.name),
                readable(st.charged_mwh),
                readable(st.discharged_mwh),
                readable(st.cycles),
                percent(st.share_of_hours_full),
                percent(st.share_of_hours_empty)
            );
        }
        h.push_str("</table></div>\n");
    }

    h.push_str("<h2>Plots</h2>\n");
    for (name, svg) in plots {
        // A study without renewables has no curtailment to plot.
        if name.contains("curtailment") && !renewables {
            continue;
        }
        let _ = writeln!(
            h,
            "<figure id=\"{}\">{}</figure>",
            escape(name),
            strip_xml_declaration(svg)
        );
    }

    h.push_str("<h2>The system</h2>\n<pre>");
    h.push_str(&escape(system));
    h.push_str("</pre>\n<h2>Sources and assumptions (from the scenario file)</h2>\n<pre>");
    h.push_str(&escape(if assumptions.trim().is_empty() {
        "(the scenario file has no header comment)"
    } else {
        assumptions
    }));
    h.push_str("</pre>\n");
    close(&mut h);
    h
}

/// The start of every page egap writes (a run's report, and the pages of a sweep, a
/// capacity credit and a load-carrying capability), so that they look alike: the title,
/// the one inline style sheet, and the heading.
pub(crate) fn open(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
        title = escape(title)
    )
}

/// The end of a page begun with [`open`].
pub(crate) fn close(h: &mut String) {
    h.push_str("</body>\n</html>\n");
}

/// A figure shown to people that keeps the value it shows for machines:
/// `<data value="471.53247">471.5</data>`. The value is written as the JSON it came from
/// holds it (the shortest text that reads back as the same double), so a script, or a
/// test, reads from the page exactly the number behind each figure.
pub(crate) fn figure(value: f64, shown: &str) -> String {
    format!("<data value=\"{value}\">{}</data>", escape(shown))
}

/// A section "How this was computed": one row per fact a reader needs to trust and
/// reproduce the page (the scenario, egap's version, the seed, the trajectories).
pub(crate) fn provenance(h: &mut String, facts: &[(&str, String)]) {
    h.push_str("<h2>How this was computed</h2>\n<table class=\"facts\">\n");
    for (what, value) in facts {
        let _ = writeln!(h, "<tr><th>{}</th><td>{}</td></tr>", escape(what), value);
    }
    h.push_str("</table>\n");
}

/// The section a reader needs if they read nothing else: the study's question, the verdict
/// against a reliability criterion, and the headline figures with their intervals.
fn answer(h: &mut String, doc: &Document) {
    let s = &doc.summary;
    let m = &s.metrics;
    let d = &s.distributions;
    let renewables = s.has_renewables();
    let (one, many) = if is_year(s.hours) {
        ("year", "years")
    } else {
        ("trajectory", "trajectories")
    };
    let shown = |metric: Metric, e: &Estimate| {
        format!(
            "<b>{}</b> (95% interval {} – {})",
            metric.show_with_unit(e.mean, s.hours),
            metric.show(e.ci95_low),
            metric.show(e.ci95_high)
        )
    };
    h.push_str("<section class=\"answer\">\n<h2>The answer</h2>\n");
    let question = doc.description.clone().unwrap_or_else(|| {
        format!(
            "How often, and by how much, does {} fall short of its load{}?",
            doc.scenario,
            if renewables {
                ", and how much of its renewable energy goes unused"
            } else {
                ""
            }
        )
    });
    let _ = writeln!(h, "<p class=\"question\">{}</p>", escape(question.trim()));
    if let Some(check) = &doc.criterion {
        verdict(h, doc, check);
    }
    h.push_str("<ul>\n");
    let _ = writeln!(
        h,
        "<li>Loss of load: {} expected, on {}; {} of {many} have at least one short hour.</li>",
        shown(Metric::LoleHours, &m.lole_hours),
        shown(Metric::LoleDays, &m.lole_days),
        percent(m.lolp.mean)
    );
    let _ = writeln!(
        h,
        "<li>Unserved energy: {} expected, {} of demand; one {one} in 20 loses at least {} MWh, \
         and the worst 5% lose {} MWh on average.</li>",
        shown(Metric::EueMwh, &m.eue_mwh),
        shown(Metric::NeuePpm, &m.neue_ppm),
        readable(d.unserved_energy_mwh.p95),
        readable(d.unserved_energy_mwh.cvar95)
    );
    if renewables {
        let _ = writeln!(
            h,
            "<li>Curtailment: {} expected, {} of the renewable energy available; one {one} in 20 \
             curtails at least {}.</li>",
            shown(Metric::CurtailmentMwh, &m.curtailment_mwh),
            shown(Metric::CurtailmentRate, &m.curtailment_rate),
            Metric::CurtailmentRate.show(d.curtailment_rate.p95)
        );
    }
    h.push_str("</ul>\n</section>\n");
}

/// Whether the estimate meets the criterion, said so that the interval is part of the
/// answer; an undecided verdict says about how many trajectories would decide it.
fn verdict(h: &mut String, doc: &Document, check: &CriterionCheck) {
    let s = &doc.summary;
    let c = &check.criterion;
    let e = c.metric.of(&s.metrics);
    let limit = format!(
        "{} ≤ {}",
        c.metric.label(),
        c.metric.show_with_unit(c.limit, s.hours)
    );
    let interval = format!(
        "{} (95% interval {} – {})",
        c.metric.show_with_unit(e.mean, s.hours),
        c.metric.show(e.ci95_low),
        c.metric.show(e.ci95_high)
    );
    let (class, text) = match check.verdict {
        Verdict::Met => (
            "met",
            format!(
                "<b>Meets</b> the criterion {limit}: the estimate is {interval}, all at or below the limit."
            ),
        ),
        Verdict::NotMet => (
            "not-met",
            format!(
                "<b>Does not meet</b> the criterion {limit}: the estimate is {interval}, all above the limit."
            ),
        ),
        Verdict::Undecided => {
            // The interval's half-width shrinks as 1/√n: it clears the limit once
            // n · (1.96 · se / |mean − limit|)² trajectories have run.
            let gap = (e.mean - c.limit).abs();
            let more = if gap > 0.0 && e.standard_error > 0.0 {
                let needed = s.trajectories as f64 * (Z_95 * e.standard_error / gap).powi(2);
                format!(
                    " About {} trajectories would decide it.",
                    thousands(needed.ceil().min(1e15) as u64)
                )
            } else {
                String::new()
            };
            (
                "undecided",
                format!(
                    "<b>Undecided</b> against the criterion {limit}: the estimate is {interval}, and the interval holds the limit.{more}"
                ),
            )
        }
    };
    let _ = writeln!(h, "<p class=\"verdict {class}\">{text}</p>");
}

/// The horizon as people say it.
fn horizon(hours: u32) -> String {
    if is_year(hours) {
        format!("one year ({} h)", thousands(hours.into()))
    } else {
        format!("{} h", thousands(hours.into()))
    }
}

/// The leading `#` comment block of a scenario file, without the `#` marks.
pub fn header_comments(text: &str) -> String {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .take_while(|l| l.trim_start().starts_with('#') || l.trim().is_empty())
        .map(|l| {
            let l = l.trim_start().trim_start_matches('#');
            l.strip_prefix(' ').unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

const STYLE: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1000px;margin:2em auto;\
padding:0 1em;color:#222}h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px \
solid #ccc}table{border-collapse:collapse;font-size:.9em}td,th{padding:.25em .6em;border-bottom:1px \
solid #eee;text-align:right}td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;\
padding:1em;overflow-x:auto;font-size:.85em}figure{margin:1em 0}figure svg{max-width:100%;height:auto}\
.run{color:#555}.scroll{overflow-x:auto}.note{color:#555;text-align:left;font-size:.9em}\
.answer{background:#f4f7fb;border:1px solid #d5dfec;padding:.2em 1.2em 1em;margin-top:1.4em}\
.answer h2{border:none}.question{font-style:italic}.verdict{padding:.5em .8em;border-left:5px solid}\
.verdict.met{border-color:#2e7d32;background:#edf7ee}.verdict.not-met{border-color:#c62828;\
background:#fbeeee}.verdict.undecided{border-color:#b8860b;background:#fdf6e3}\
.facts th,.facts td,th.text{text-align:left}";

pub(crate) fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, body)| body.trim_start()),
        None => svg,
    }
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(crate) fn percent(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_block_is_the_leading_comments() {
        let text = "\u{feff}# Title\n#\n#   source: row 3.1\n\n[study]\n# not this\nhours = 4\n";
        assert_eq!(header_comments(text), "Title\n\n  source: row 3.1");
    }
}
