//! The terminal report: a study description and a readable table of the results.

use std::fmt::Write;

use super::Document;
use super::csv::{distribution_rows, metric_rows};
use crate::Study;
use crate::stats::Verdict;

/// What a scenario contains, for `egap validate`.
pub fn describe(study: &Study) -> String {
    let s = &study.scenario;
    let sys = &study.system;
    let capacity: f64 = s
        .units
        .iter()
        .map(|u| f64::from(u.count) * u.capacity_mw.max())
        .sum::<f64>()
        + 0.0;
    // `+ 0.0` turns the -0.0 of an empty sum into 0.0 so it never prints as "-0.0 MW".
    let renewable: f64 = s.renewables.iter().map(|r| r.capacity_mw).sum::<f64>() + 0.0;
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.name);
    let _ = writeln!(
        out,
        "  horizon          {} hours, {} weather year(s)",
        s.hours,
        s.weather_years.len()
    );
    let _ = writeln!(
        out,
        "  regions          {}",
        s.regions
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        out,
        "  peak load        {:.1} MW",
        s.regions.iter().map(|r| r.load_mw.max()).sum::<f64>()
    );
    let _ = writeln!(
        out,
        "  dispatchable     {} units in {} groups, {capacity:.1} MW",
        sys.header.generators,
        s.units.len()
    );
    let _ = writeln!(
        out,
        "  renewables       {} plants, {renewable:.1} MW",
        s.renewables.len()
    );
    let _ = writeln!(
        out,
        "  interfaces       {}{}",
        s.interfaces.len(),
        if s.interfaces.is_empty() {
            String::new()
        } else {
            format!(
                " ({} circuits that can fail)",
                sys.units.len() as u32
                    - sys.header.generators
                    - sys
                        .storage
                        .iter()
                        .filter(|st| st.unit != crate::scenario::tables::NONE)
                        .count() as u32
            )
        }
    );
    let _ = writeln!(
        out,
        "  storage          {} devices, {:.1} MW, {:.1} MWh",
        s.storage.len(),
        s.storage.iter().map(|st| st.discharge_mw).sum::<f64>() + 0.0,
        s.storage.iter().map(|st| st.energy_mwh).sum::<f64>() + 0.0
    );
    let _ = writeln!(out, "  added loads      {}", s.added_loads.len());
    let _ = writeln!(out, "  queued projects  {}", s.projects.len());
    let _ = writeln!(
        out,
        "  power unit       {} W (integer engines)",
        sys.power_unit_w
    );
    out
}

/// A number at a precision that suits its size, for tables meant to be read.
pub(crate) fn number(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1.0e5 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 0.01 {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
}

/// The results as a table: metrics with 95% intervals, then the distributions.
pub fn table(doc: &Document) -> String {
    let s = &doc.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} trajectories of {} h, seed {}{}",
        doc.scenario,
        s.trajectories,
        s.hours,
        doc.run.seed,
        if doc.run.interrupted {
            " (INTERRUPTED: partial)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "\n{:<28} {:>12} {:>12} {:>25}",
        "metric", "mean", "std. error", "95% interval"
    );
    let renewables = s.has_renewables();
    for (metric, e) in metric_rows(s) {
        // Without renewables, curtailment rows are zeros that say nothing.
        if metric.is_curtailment() && !renewables {
            continue;
        }
        let label = format!("{} ({})", metric.label(), metric.unit());
        let interval = format!("[{}, {}]", number(e.ci95_low), number(e.ci95_high));
        let _ = writeln!(
            out,
            "{label:<28} {:>12} {:>12} {interval:>25}",
            number(e.mean),
            number(e.standard_error)
        );
    }
    if let Some(check) = &doc.criterion {
        let c = &check.criterion;
        let e = c.metric.of(&s.metrics);
        let verdict = match check.verdict {
            Verdict::Met => "MET",
            Verdict::NotMet => "NOT MET",
            Verdict::Undecided => "UNDECIDED (the 95% interval holds the limit)",
        };
        let _ = writeln!(
            out,
            "\ncriterion {c}: {verdict}; {} = {}, 95% interval [{}, {}]",
            c.metric.criterion_name(),
            number(e.mean),
            number(e.ci95_low),
            number(e.ci95_high)
        );
    }
    let _ = writeln!(
        out,
        "\n{:<28} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "distribution", "mean", "P50", "P90", "P95", "P99", "P99.9", "max", "CVaR95"
    );
    for row in distribution_rows(s) {
        let (name, unit, d) = (row.label, row.unit, row.distribution);
        if row.is_curtailment() && !renewables {
            continue;
        }
        let label = format!("{name} ({unit})");
        let _ = writeln!(
            out,
            "{label:<28} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}",
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
    if !s.regions.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<28} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
            "region",
            "LOLE (h)",
            "EUE (MWh)",
            "P95 EUE",
            "curt. (MWh)",
            "curt. rate",
            "P95 c. rate"
        );
        for r in &s.regions {
            let m = &r.metrics;
            let d = &r.distributions;
            // A region without renewables has no rate: not 0, which would read as "never
            // curtailed".
            let without_renewables = d.trajectories_without_renewable == s.trajectories;
            let _ = writeln!(
                out,
                "{:<28} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}",
                r.name,
                number(m.lole_hours.mean),
                number(m.eue_mwh.mean),
                number(d.unserved_energy_mwh.p95),
                number(m.curtailment_mwh.mean),
                if without_renewables {
                    "-".to_string()
                } else {
                    number(m.curtailment_rate.mean)
                },
                if without_renewables {
                    "-".to_string()
                } else {
                    number(d.curtailment_rate.p95)
                }
            );
        }
    }
    if !s.interfaces.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<28} {:>12} {:>12} {:>12} {:>12} {:>12}",
            "interface", "mean (MW)", "fwd (MWh)", "bwd (MWh)", "at fwd lim.", "at bwd lim."
        );
        for i in &s.interfaces {
            let _ = writeln!(
                out,
                "{:<28} {:>12} {:>12} {:>12} {:>12} {:>12}",
                i.name,
                number(i.mean_flow_mw),
                number(i.forward_energy_mwh),
                number(i.backward_energy_mwh),
                number(i.share_at_forward_limit),
                number(i.share_at_backward_limit)
            );
        }
    }
    if !s.storage.is_empty() {
        let _ = writeln!(
            out,
            "\n{:<28} {:>12} {:>12} {:>12} {:>12} {:>12}",
            "storage", "in (MWh)", "out (MWh)", "cycles", "full", "empty"
        );
        for st in &s.storage {
            let _ = writeln!(
                out,
                "{:<28} {:>12} {:>12} {:>12} {:>12} {:>12}",
                st.name,
                number(st.charged_mwh),
                number(st.discharged_mwh),
                number(st.cycles),
                number(st.share_of_hours_full),
                number(st.share_of_hours_empty)
            );
        }
    }
    out
}
