//! CSV tables for spreadsheets and plotting tools: one row per metric, distribution, bin,
//! exceedance point or hour.

use std::fmt::Write;

use super::Document;
use crate::stats::{Distribution, Estimate, Summary};

/// (column name, unit, estimate) of every scalar metric, in report order.
pub fn metric_rows(s: &Summary) -> Vec<(&'static str, &'static str, &Estimate)> {
    let m = &s.metrics;
    vec![
        ("LOLE", "h", &m.lole_hours),
        ("LOLE", "d", &m.lole_days),
        ("EUE", "MWh", &m.eue_mwh),
        ("NEUE", "ppm", &m.neue_ppm),
        ("LOLP", "probability", &m.lolp),
        ("LOLF", "events", &m.lolf_events),
        ("peak shortfall", "MW", &m.peak_shortfall_mw),
        ("curtailment", "MWh", &m.curtailment_mwh),
        ("curtailment rate", "fraction", &m.curtailment_rate),
        ("renewable energy", "MWh", &m.renewable_energy_mwh),
        ("demand energy", "MWh", &m.demand_energy_mwh),
    ]
}

/// The estimate of `metrics.<key>` in `summary.json`, for precision targets.
pub fn metric_by_key<'a>(s: &'a Summary, key: &str) -> Option<&'a Estimate> {
    let m = &s.metrics;
    Some(match key {
        "lole_hours" => &m.lole_hours,
        "lole_days" => &m.lole_days,
        "eue_mwh" => &m.eue_mwh,
        "neue_ppm" => &m.neue_ppm,
        "lolp" => &m.lolp,
        "lolf_events" => &m.lolf_events,
        "curtailment_mwh" => &m.curtailment_mwh,
        "curtailment_rate" => &m.curtailment_rate,
        _ => return None,
    })
}

/// (name, unit, distribution) of every per-trajectory distribution, in report order.
pub fn distribution_rows(s: &Summary) -> Vec<(&'static str, &'static str, &Distribution)> {
    let d = &s.distributions;
    vec![
        ("shortfall energy", "MWh", &d.unserved_energy_mwh),
        ("loss-of-load hours", "h", &d.loss_of_load_hours),
        ("curtailment", "MWh", &d.curtailment_mwh),
    ]
}

pub fn metrics_csv(doc: &Document) -> String {
    let mut out = String::from("metric,unit,mean,standard_error,ci95_low,ci95_high\n");
    for (name, unit, e) in metric_rows(&doc.summary) {
        let _ = writeln!(
            out,
            "{name},{unit},{},{},{},{}",
            e.mean, e.standard_error, e.ci95_low, e.ci95_high
        );
    }
    out
}

pub fn distributions_csv(doc: &Document) -> String {
    let mut out = String::from("distribution,unit,mean,p5,p50,p90,p95,p99,p99.9,max,cvar95\n");
    for (name, unit, d) in distribution_rows(&doc.summary) {
        let _ = writeln!(
            out,
            "{name},{unit},{},{},{},{},{},{},{},{},{}",
            d.mean, d.p5, d.p50, d.p90, d.p95, d.p99, d.p999, d.max, d.cvar95
        );
    }
    out
}

pub fn histograms_csv(doc: &Document) -> String {
    let mut out = String::from("distribution,unit,lower,upper,trajectories\n");
    for (name, unit, d) in distribution_rows(&doc.summary) {
        for b in &d.histogram {
            let _ = writeln!(out, "{name},{unit},{},{},{}", b.lower, b.upper, b.count);
        }
    }
    out
}

pub fn exceedance_csv(doc: &Document) -> String {
    let mut out = String::from("distribution,unit,value,probability_at_least\n");
    for (name, unit, d) in distribution_rows(&doc.summary) {
        for p in &d.exceedance {
            let _ = writeln!(out, "{name},{unit},{},{}", p.value, p.probability);
        }
    }
    out
}

pub fn hourly_csv(doc: &Document) -> String {
    let mut out = String::from("hour,lolp,expected_shortfall_mw\n");
    for h in &doc.summary.hourly {
        let _ = writeln!(out, "{},{},{}", h.hour, h.lolp, h.expected_shortfall_mw);
    }
    out
}
