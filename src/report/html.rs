//! `egap report`: one self-contained HTML page of a run, to attach to an email or a report.
//!
//! Everything is inline (style, SVG plots), nothing is fetched, and the page carries what a
//! reader needs to trust and reproduce the numbers: the scenario's own header comments (its
//! sources and assumptions), egap's version, the seed and the trajectory count.

use std::fmt::Write as _;

use super::csv::{distribution_rows, metric_rows, metrics_of};
use super::{Document, number};

/// The page. `assumptions` is the scenario file's leading comment block, `system` the
/// description `egap validate` prints, `plots` (name, SVG) pairs.
pub fn page(doc: &Document, assumptions: &str, system: &str, plots: &[(&str, String)]) -> String {
    let s = &doc.summary;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n",
        title = escape(&doc.scenario)
    );
    let _ = writeln!(
        h,
        "<p class=\"run\">{} trajectories of {} h, seed {}{} · egap {} · scenario file <code>{}</code> · \
         results are per horizon; 95% intervals from the Monte Carlo standard error</p>",
        s.trajectories,
        s.hours,
        doc.run.seed,
        if doc.run.interrupted {
            " (<b>interrupted: partial</b>)"
        } else {
            ""
        },
        escape(doc.egap_version),
        escape(&doc.scenario_file)
    );

    h.push_str("<h2>Adequacy and curtailment</h2>\n<table>\n<tr><th>metric</th><th>mean</th><th>standard error</th><th>95% interval</th></tr>\n");
    for (name, unit, e) in metric_rows(s) {
        let _ = writeln!(
            h,
            "<tr><td>{name} ({unit})</td><td>{}</td><td>{}</td><td>[{}, {}]</td></tr>",
            number(e.mean),
            number(e.standard_error),
            number(e.ci95_low),
            number(e.ci95_high)
        );
    }
    h.push_str("</table>\n");

    h.push_str("<h2>Distributions over trajectories</h2>\n<table>\n<tr><th>quantity</th><th>mean</th><th>P50</th><th>P90</th><th>P95</th><th>P99</th><th>P99.9</th><th>max</th><th>CVaR95</th></tr>\n");
    for (name, unit, d) in distribution_rows(s) {
        let _ = writeln!(
            h,
            "<tr><td>{name} ({unit})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            number(d.mean),
            number(d.p50),
            number(d.p90),
            number(d.p95),
            number(d.p99),
            number(d.p999),
            number(d.max),
            number(d.cvar95)
        );
    }
    h.push_str("</table>\n");

    if !s.regions.is_empty() {
        h.push_str("<h2>Regions</h2>\n<table>\n<tr><th>region</th>");
        let columns: Vec<(&str, &str)> = metrics_of(&s.regions[0].metrics)
            .iter()
            .map(|(n, u, _)| (*n, *u))
            .collect();
        for (n, u) in &columns {
            let _ = write!(h, "<th>{n} ({u})</th>");
        }
        h.push_str("<th>P95 of the trajectories' curtailment rate (fraction)</th></tr>\n");
        for r in &s.regions {
            let _ = write!(h, "<tr><td>{}</td>", escape(&r.name));
            for (_, _, e) in metrics_of(&r.metrics) {
                let _ = write!(h, "<td>{}</td>", number(e.mean));
            }
            let d = &r.distributions;
            if d.trajectories_without_renewable == s.trajectories {
                h.push_str("<td>no renewables</td>");
            } else {
                let _ = write!(h, "<td>{}</td>", number(d.curtailment_rate.p95));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</table>\n");
    }
    if !s.interfaces.is_empty() {
        h.push_str("<h2>Interfaces</h2>\n<table>\n<tr><th>interface</th><th>mean flow (MW)</th><th>forward (MWh)</th><th>backward (MWh)</th><th>hours at forward limit</th><th>hours at backward limit</th></tr>\n");
        for i in &s.interfaces {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&i.name),
                number(i.mean_flow_mw),
                number(i.forward_energy_mwh),
                number(i.backward_energy_mwh),
                percent(i.share_at_forward_limit),
                percent(i.share_at_backward_limit)
            );
        }
        h.push_str("</table>\n");
    }
    if !s.storage.is_empty() {
        h.push_str("<h2>Storage</h2>\n<table>\n<tr><th>store</th><th>charged (MWh)</th><th>discharged (MWh)</th><th>cycles</th><th>hours full</th><th>hours empty</th></tr>\n");
        for st in &s.storage {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&st.name),
                number(st.charged_mwh),
                number(st.discharged_mwh),
                number(st.cycles),
                percent(st.share_of_hours_full),
                percent(st.share_of_hours_empty)
            );
        }
        h.push_str("</table>\n");
    }

    h.push_str("<h2>Plots</h2>\n");
    for (name, svg) in plots {
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
    h.push_str("</pre>\n</body>\n</html>\n");
    h
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
.run{color:#555}";

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest
            .split_once("?>")
            .map_or(svg, |(_, body)| body.trim_start()),
        None => svg,
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn percent(x: f64) -> String {
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
