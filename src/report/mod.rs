//! Output: the summary document (JSON), CSV tables, and the terminal table.
//!
//! Files are written to a temporary name and renamed, so an interrupted write never leaves a
//! half-written summary. Nothing in `summary.json` depends on the backend, the thread count
//! or the wall clock, so the same seed gives byte-identical files.

pub mod csv;
pub mod html;
pub mod pages;
pub mod plot;
pub mod samples;
mod table;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::stats::{Criterion, Summary, Verdict};
use crate::{Error, Study};

pub use self::csv::metrics_csv;
pub(crate) use table::number;
pub use table::{describe, table};

/// How the run was asked for, recorded beside the results.
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    pub seed: u64,
    pub first_trajectory: u64,
    /// Trajectories asked for; the summary's `trajectories` says how many completed.
    pub requested: u64,
    pub interrupted: bool,
}

/// The version of the `summary.json` layout: raised when a field changes meaning or goes
/// away (added fields keep the version). `docs/results.md` documents the layout.
pub const SCHEMA: &str = "egap-summary/1";

/// Everything `summary.json` holds.
#[derive(Clone, Debug, Serialize)]
pub struct Document {
    pub schema: &'static str,
    pub egap_version: &'static str,
    pub scenario: String,
    pub scenario_file: String,
    /// The question the study answers (`[study] description`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub run: RunInfo,
    /// Watts per power unit used by the integer engines (reported for reproducibility).
    pub power_unit_w: u64,
    /// Present when the run stopped on a target standard error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub convergence: Option<Convergence>,
    /// The reliability criterion checked, when the study or the command names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criterion: Option<CriterionCheck>,
    pub summary: Summary,
}

/// A reliability criterion and where the run's estimate stands against it.
#[derive(Clone, Debug, Serialize)]
pub struct CriterionCheck {
    #[serde(flatten)]
    pub criterion: Criterion,
    pub verdict: Verdict,
}

/// How a run with a precision target ended.
#[derive(Clone, Debug, Serialize)]
pub struct Convergence {
    /// The metric the target applies to (a key of `summary.metrics`).
    pub metric: String,
    pub target_relative_standard_error: f64,
    /// None when the metric is still zero (a relative error is then undefined).
    pub achieved_relative_standard_error: Option<f64>,
    /// True when the target was met; false when the trajectory limit came first.
    pub reached: bool,
}

impl Document {
    /// The document of a run of `study`, checked against the study's criterion if it names
    /// one.
    pub fn new(study: &Study, run: RunInfo, summary: Summary) -> Document {
        let mut document = Document {
            schema: SCHEMA,
            egap_version: env!("CARGO_PKG_VERSION"),
            scenario: study.scenario.name.clone(),
            scenario_file: study.scenario.source.display().to_string(),
            description: study.scenario.description.clone(),
            run,
            power_unit_w: study.system.power_unit_w,
            convergence: None,
            criterion: None,
            summary,
        };
        if let Some(criterion) = study.scenario.criterion {
            document.check(criterion);
        }
        document
    }

    /// Checks the results against `criterion` (replacing any criterion checked before).
    pub fn check(&mut self, criterion: Criterion) {
        let verdict = criterion.verdict(criterion.metric.of(&self.summary.metrics));
        self.criterion = Some(CriterionCheck { criterion, verdict });
    }

    /// The document of merged shards: the same as the single run's.
    pub fn from_shards(merged: &crate::shard::ShardFile, run: RunInfo) -> Document {
        let units = crate::stats::Units {
            power_unit_w: merged.power_unit_w,
            hours: merged.accumulator.hours() as u32,
        };
        let mut document = Document {
            schema: SCHEMA,
            egap_version: env!("CARGO_PKG_VERSION"),
            scenario: merged.scenario.clone(),
            scenario_file: merged.scenario_file.clone(),
            description: merged.description.clone(),
            run,
            power_unit_w: merged.power_unit_w,
            convergence: None,
            criterion: None,
            summary: merged.accumulator.summary(&units),
        };
        if let Some(criterion) = merged.criterion {
            document.check(criterion);
        }
        document
    }
}

/// `x` with thousands separators, for people: 79830 → "79,830".
pub fn thousands(x: u64) -> String {
    let digits = x.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A file-name-safe stem for the study's default output folder: the scenario file's stem,
/// or "study" when that is empty or only dots (a file named `...toml` would otherwise send
/// the results to `egap-out/..`, the current folder).
pub fn file_stem(study: &Study) -> String {
    let stem = study
        .scenario
        .source
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.trim_matches('.').is_empty() {
        "study".to_string()
    } else {
        stem
    }
}

pub fn json(document: &Document) -> Result<String, Error> {
    serde_json::to_string_pretty(document)
        .map_err(|e| Error::Options(format!("cannot serialize the summary: {e}")))
}

/// Every file `write_all` may write into a run's folder (which of the last five depends on
/// the study), then the report page; plots go to the `plots` folder beside them.
pub const RESULT_FILES: [&str; 12] = [
    "summary.json",
    "metrics.csv",
    "distributions.csv",
    "histograms.csv",
    "exceedance.csv",
    "hourly_risk.csv",
    "regions.csv",
    "regions_distributions.csv",
    "regions_hourly_risk.csv",
    "interfaces.csv",
    "storage.csv",
    "report.html",
];

/// Whether `path` is the `summary.json` of an interrupted run (marked `"interrupted":
/// true`); anything else there (complete results, another file, nothing) is not.
pub fn is_interrupted_summary(path: &Path) -> bool {
    // A summary is small; a larger file is not one egap wrote.
    const LIMIT: u64 = 256 << 20;
    let small = std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() <= LIMIT);
    small
        && std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .is_some_and(|v| {
                v["schema"] == SCHEMA && v["run"]["interrupted"] == serde_json::Value::Bool(true)
            })
}

/// Writes `summary.json` and the CSV tables into `dir`; returns the folder.
pub fn write_all(document: &Document, dir: &Path) -> Result<PathBuf, Error> {
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        what: "cannot create the output folder",
        path: dir.to_path_buf(),
        reason: source,
    })?;
    let mut text = json(document)?;
    text.push('\n');
    write_atomic(&dir.join("summary.json"), &text)?;
    write_atomic(&dir.join("metrics.csv"), &metrics_csv(document))?;
    write_atomic(
        &dir.join("distributions.csv"),
        &csv::distributions_csv(document),
    )?;
    write_atomic(&dir.join("histograms.csv"), &csv::histograms_csv(document))?;
    write_atomic(&dir.join("exceedance.csv"), &csv::exceedance_csv(document))?;
    write_atomic(&dir.join("hourly_risk.csv"), &csv::hourly_csv(document))?;
    let s = &document.summary;
    if !s.regions.is_empty() {
        write_atomic(&dir.join("regions.csv"), &csv::regions_csv(document))?;
        write_atomic(
            &dir.join("regions_distributions.csv"),
            &csv::regions_distributions_csv(document),
        )?;
        write_atomic(
            &dir.join("regions_hourly_risk.csv"),
            &csv::regions_hourly_csv(document),
        )?;
    }
    if !s.interfaces.is_empty() {
        write_atomic(&dir.join("interfaces.csv"), &csv::interfaces_csv(document))?;
    }
    if !s.storage.is_empty() {
        write_atomic(&dir.join("storage.csv"), &csv::storage_csv(document))?;
    }
    Ok(dir.to_path_buf())
}

/// Writes `text` to a temporary file beside `path`, then renames it into place.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), Error> {
    let tmp = path.with_extension("tmp-egap");
    let io = |source| Error::Io {
        what: "cannot write",
        path: path.to_path_buf(),
        reason: source,
    };
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
