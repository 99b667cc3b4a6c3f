//! CSV tables for spreadsheets and plotting tools: one row per metric, distribution, bin,
//! exceedance point or hour.

use std::fmt::Write;

use super::Document;
use crate::stats::{Distribution, Estimate, Metric, Metrics, Summary};

/// Every scalar metric with its estimate, in report order.
pub fn metric_rows(s: &Summary) -> Vec<(Metric, &Estimate)> {
    metrics_of(&s.metrics)
}

/// [`metric_rows`] of one set of metrics (the system's or a region's).
pub fn metrics_of(m: &Metrics) -> Vec<(Metric, &Estimate)> {
    Metric::ALL
        .into_iter()
        .map(|metric| (metric, metric.of(m)))
        .collect()
}

/// One per-trajectory distribution as the tables show it.
pub struct DistributionRow<'a> {
    /// Its field in `summary.json`'s `distributions`.
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub distribution: &'a Distribution,
}

impl DistributionRow<'_> {
    /// Whether it is about renewable energy, so says nothing in a study without any.
    pub fn is_curtailment(&self) -> bool {
        self.key.starts_with("curtailment")
    }
}

/// Every per-trajectory distribution, in report order. The curtailment rate's is over the
/// trajectories with renewable energy only, and left out when no trajectory has any (a
/// column of zeros would read as "never curtailed").
pub fn distribution_rows(s: &Summary) -> Vec<DistributionRow<'_>> {
    let d = &s.distributions;
    let row = |key, label, unit, distribution| DistributionRow {
        key,
        label,
        unit,
        distribution,
    };
    let mut rows = vec![
        row(
            "unserved_energy_mwh",
            "shortfall energy",
            "MWh",
            &d.unserved_energy_mwh,
        ),
        row(
            "loss_of_load_hours",
            "loss-of-load hours",
            "h",
            &d.loss_of_load_hours,
        ),
        row("curtailment_mwh", "curtailment", "MWh", &d.curtailment_mwh),
    ];
    if d.trajectories_without_renewable < s.trajectories {
        rows.push(row(
            "curtailment_rate",
            "curtailment rate",
            "fraction",
            &d.curtailment_rate,
        ));
    }
    rows
}

/// The first line of every table of an interrupted run, so that partial results are never
/// taken for complete ones: `# interrupted: 1234 of 10000 trajectories completed`. A
/// complete run's tables start with their header. Tools that skip `#` lines (pandas'
/// `comment="#"`, R's `comment.char = "#"`) read both; others fail loudly on the partial one.
fn preamble(doc: &Document) -> String {
    if doc.run.interrupted {
        format!(
            "# interrupted: {} of {} trajectories completed\n",
            doc.summary.trajectories, doc.run.requested
        )
    } else {
        String::new()
    }
}

pub fn metrics_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("metric,label,unit,mean,standard_error,ci95_low,ci95_high\n");
    for (metric, e) in metric_rows(&doc.summary) {
        let _ = writeln!(out, "{}", metric_cells(metric, e));
    }
    out
}

/// The cells of one metric's row: key, label, unit, mean, standard error, 95% bounds.
fn metric_cells(metric: Metric, e: &Estimate) -> String {
    format!(
        "{metric},{},{},{},{},{},{}",
        metric.label(),
        metric.unit(),
        e.mean,
        e.standard_error,
        e.ci95_low,
        e.ci95_high
    )
}

/// Every distribution's mean, quantiles (all those `summary.json` holds, under its keys),
/// maximum and CVaR95, one row each.
pub fn distributions_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("distribution,label,unit,mean,p5,p25,p50,p75,p90,p95,p99,p999,max,cvar95\n");
    for r in distribution_rows(&doc.summary) {
        let d = r.distribution;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.key,
            r.label,
            r.unit,
            d.mean,
            d.p5,
            d.p25,
            d.p50,
            d.p75,
            d.p90,
            d.p95,
            d.p99,
            d.p999,
            d.max,
            d.cvar95
        );
    }
    out
}

pub fn histograms_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("distribution,label,unit,lower,upper,trajectories\n");
    for r in distribution_rows(&doc.summary) {
        for b in &r.distribution.histogram {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{}",
                r.key, r.label, r.unit, b.lower, b.upper, b.count
            );
        }
    }
    out
}

pub fn exceedance_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("distribution,label,unit,value,probability_at_least\n");
    for r in distribution_rows(&doc.summary) {
        for p in &r.distribution.exceedance {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                r.key, r.label, r.unit, p.value, p.probability
            );
        }
    }
    out
}

pub fn hourly_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("hour,lolp,expected_shortfall_mw\n");
    for h in &doc.summary.hourly {
        let _ = writeln!(out, "{},{},{}", h.hour, h.lolp, h.expected_shortfall_mw);
    }
    out
}

/// Every region's metrics (studies with several regions).
pub fn regions_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("region,metric,label,unit,mean,standard_error,ci95_low,ci95_high\n");
    for r in &doc.summary.regions {
        for (metric, e) in metrics_of(&r.metrics) {
            let _ = writeln!(out, "{},{}", quote(&r.name), metric_cells(metric, e));
        }
    }
    out
}

/// Every region's hourly risk profile.
pub fn regions_hourly_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str("region,hour,lolp,expected_shortfall_mw\n");
    for r in &doc.summary.regions {
        let name = quote(&r.name);
        for h in &r.hourly {
            let _ = writeln!(
                out,
                "{name},{},{},{}",
                h.hour, h.lolp, h.expected_shortfall_mw
            );
        }
    }
    out
}

pub fn interfaces_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str(
        "interface,forward_energy_mwh,backward_energy_mwh,mean_flow_mw,share_at_forward_limit,share_at_backward_limit\n",
    );
    for i in &doc.summary.interfaces {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            quote(&i.name),
            i.forward_energy_mwh,
            i.backward_energy_mwh,
            i.mean_flow_mw,
            i.share_at_forward_limit,
            i.share_at_backward_limit
        );
    }
    out
}

pub fn storage_csv(doc: &Document) -> String {
    let mut out = preamble(doc);
    out.push_str(
        "storage,charged_mwh,discharged_mwh,cycles,share_of_hours_full,share_of_hours_empty\n",
    );
    for s in &doc.summary.storage {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            quote(&s.name),
            s.charged_mwh,
            s.discharged_mwh,
            s.cycles,
            s.share_of_hours_full,
            s.share_of_hours_empty
        );
    }
    out
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A header and one row of `(column, value)` pairs: the answer of a search (`egap credit`,
/// `egap capability --format csv`), quoted by the csv crate.
pub fn one_row(fields: &[(&str, String)]) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let written = w
        .write_record(fields.iter().map(|(k, _)| *k))
        .and_then(|()| w.write_record(fields.iter().map(|(_, v)| v)));
    written.expect("CSV into memory cannot fail");
    String::from_utf8(w.into_inner().expect("CSV into memory cannot fail"))
        .expect("CSV of UTF-8 fields is UTF-8")
}
