//! Side-by-side comparison of summaries: each metric of each file against the first, with
//! the difference and whether it is statistically significant.
//!
//! The test is a two-sided z-test on the difference of two Monte Carlo means with the
//! standard errors the summaries report, as if the runs were independent:
//! z = (b − a) / √(se_a² + se_b²), significant at the 5% level when |z| > 1.96. Runs with
//! the same seed share their random numbers, which correlates them positively; treating
//! them as independent overstates the variance of the difference, so the test is
//! conservative there: a difference it calls significant is, and some real differences
//! under common random numbers go unflagged.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Error;
use crate::report::csv::{Cell, Table};
use crate::report::number;
use crate::stats::{Metric, Metrics, Z_95};

/// One summary file, read.
pub struct Run {
    pub path: PathBuf,
    pub scenario: String,
    pub seed: u64,
    pub trajectories: u64,
    /// (mean, standard error) per metric, in [`Metric::ALL`] order.
    pub metrics: Vec<(f64, f64)>,
}

/// One metric of one file against the first file.
pub struct Difference {
    pub metric: Metric,
    pub base: (f64, f64),
    pub other: (f64, f64),
    pub difference: f64,
    /// None when both standard errors are zero (the values are exact).
    pub z: Option<f64>,
    pub significant: bool,
}

/// Reads a `summary.json` written by `egap run` or `egap merge`.
pub fn read(path: &Path) -> Result<Run, Error> {
    let text = crate::input::read_text(path, crate::input::MAX_STATE_BYTES, "cannot read")?;
    let bad = |why: String| Error::Options(format!("{}: {why}", path.display()));
    let doc: Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a summary.json ({e})")))?;
    let field = |pointer: &str| {
        doc.pointer(pointer)
            .ok_or_else(|| bad(format!("has no {pointer}; is it an egap summary.json?")))
    };
    let metrics: Metrics = serde_json::from_value(field("/summary/metrics")?.clone())
        .map_err(|e| bad(format!("its summary.metrics cannot be read ({e})")))?;
    let metrics = Metric::ALL
        .into_iter()
        .map(|m| (m.of(&metrics).mean, m.of(&metrics).standard_error))
        .collect();
    Ok(Run {
        path: path.to_path_buf(),
        scenario: field("/scenario")?.as_str().unwrap_or_default().to_string(),
        seed: field("/run/seed")?.as_u64().unwrap_or_default(),
        trajectories: field("/summary/trajectories")?.as_u64().unwrap_or_default(),
        metrics,
    })
}

/// Every metric of `other` against `base`.
pub fn differences(base: &Run, other: &Run) -> Vec<Difference> {
    Metric::ALL
        .into_iter()
        .zip(base.metrics.iter().zip(&other.metrics))
        .map(|(metric, (&a, &b))| {
            let se = (a.1 * a.1 + b.1 * b.1).sqrt();
            let difference = b.0 - a.0;
            let z = (se > 0.0).then(|| difference / se);
            Difference {
                metric,
                base: a,
                other: b,
                difference,
                z,
                significant: match z {
                    Some(z) => z.abs() > Z_95,
                    // Exact values (no sampling error): any difference is real.
                    None => difference != 0.0,
                },
            }
        })
        .collect()
}

/// The comparison as a table: one block per file after the first.
pub fn table(runs: &[Run]) -> String {
    let mut out = String::new();
    let Some((base, others)) = runs.split_first() else {
        return out;
    };
    let _ = writeln!(
        out,
        "base: {} ({}, seed {}, {} trajectories)",
        base.path.display(),
        base.scenario,
        base.seed,
        base.trajectories
    );
    for other in others {
        let same_seed = if other.seed == base.seed {
            "same seed: common random numbers, so the test below is conservative"
        } else {
            "different seeds: independent runs"
        };
        let _ = writeln!(
            out,
            "\nvs {} ({}, seed {}, {} trajectories; {same_seed})",
            other.path.display(),
            other.scenario,
            other.seed,
            other.trajectories
        );
        let _ = writeln!(
            out,
            "{:<28} {:>22} {:>22} {:>14} {:>8}  5% significant",
            "metric", "base", "this", "difference", "z"
        );
        for d in differences(base, other) {
            let _ = writeln!(
                out,
                "{:<28} {:>22} {:>22} {:>14} {:>8}  {}",
                format!("{} ({})", d.metric.label(), d.metric.unit()),
                format!("{} ± {}", number(d.base.0), number(d.base.1)),
                format!("{} ± {}", number(d.other.0), number(d.other.1)),
                number(d.difference),
                d.z.map_or("exact".to_string(), |z| format!("{z:.2}")),
                if d.significant { "yes" } else { "no" }
            );
        }
    }
    out
}

/// The comparison as CSV: file, metric (its `summary.json` key), label, unit, base mean and
/// error, this mean and error, difference, z (empty when exact), significant.
pub fn csv(runs: &[Run]) -> String {
    let header = [
        "file",
        "metric",
        "label",
        "unit",
        "base_mean",
        "base_standard_error",
        "mean",
        "standard_error",
        "difference",
        "z",
        "significant_5pct",
    ];
    let mut t = Table::new("", &header);
    if let Some((base, others)) = runs.split_first() {
        for other in others {
            for d in differences(base, other) {
                t.row(&[
                    other.path.display().to_string().into(),
                    d.metric.key().into(),
                    d.metric.label().into(),
                    d.metric.unit().into(),
                    d.base.0.into(),
                    d.base.1.into(),
                    d.other.0.into(),
                    d.other.1.into(),
                    d.difference.into(),
                    d.z.map_or(Cell::Empty, Cell::Number),
                    d.significant.into(),
                ]);
            }
        }
    }
    t.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(metrics: Vec<(f64, f64)>) -> Run {
        Run {
            path: "x.json".into(),
            scenario: "s".into(),
            seed: 1,
            trajectories: 100,
            metrics,
        }
    }

    #[test]
    fn a_difference_is_significant_beyond_1_96_combined_standard_errors() {
        let mut a = vec![(0.0, 0.0); Metric::ALL.len()];
        let mut b = a.clone();
        // LOLE: 10 ± 0.3 vs 11 ± 0.4: z = 1 / 0.5 = 2 > 1.96.
        a[0] = (10.0, 0.3);
        b[0] = (11.0, 0.4);
        // EUE: 100 ± 3 vs 105 ± 4: z = 1 < 1.96.
        a[2] = (100.0, 3.0);
        b[2] = (105.0, 4.0);
        // Demand: exact and different.
        a[10] = (5.0, 0.0);
        b[10] = (6.0, 0.0);
        let d = differences(&run(a), &run(b));
        assert!(d[0].significant);
        assert!((d[0].z.unwrap() - 2.0).abs() < 1e-12);
        assert!(!d[2].significant);
        assert!(d[10].significant && d[10].z.is_none());
        // Equal exact values are not a difference.
        assert!(!d[1].significant);
    }
}
