//! Synthetic hourly profiles — load, wind capacity factor, solar capacity factor — for several
//! weather years, from a small TOML spec and a seed (`egap profiles SPEC`).
//!
//! Each model keeps the structure that matters to an adequacy study (seasons, day and night,
//! weekdays, calm spells, cloudy days, hot years) and draws the weather afresh for every
//! weather year. The default parameters are calibrated against the public RTS-GMLC profiles
//! (a synthetic US South-west system, 2020; `docs/sources.md` S-ref-1 to S-ref-3);
//! `tests/suite/profiles.rs` compares the statistics. See [`wind`], [`solar`] and [`load`] for the
//! equations and the calibration numbers.
//!
//! Generation is deterministic: the draws of one series in one weather year come from a
//! generator seeded by the spec's seed, the series *name* and the year's index, so adding,
//! removing or reordering other series never changes a column.
//!
//! ```no_run
//! let spec = egap::profiles::read_spec("profiles-spec.toml".as_ref())?;
//! let generated = egap::profiles::generate(&spec);
//! egap::profiles::write_csv(&spec, &generated, "profiles.csv".as_ref())?;
//! # Ok::<(), egap::profiles::ProfileError>(())
//! ```

pub mod draws;
pub mod load;
pub mod solar;
pub mod spec;
pub mod stats;
pub mod wind;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use load::LoadSpec;
pub use solar::SolarSpec;
pub use spec::{MAX_COLUMNS, Model, Series, Spec, parse_spec, read_spec};
pub use wind::WindSpec;

use crate::scenario::Diagnostic;
use draws::Draws;

/// Errors of reading a spec or writing profiles.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile spec {}: {reason}", path.display())]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    /// Every problem found in the spec, each with its file, line and field.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("cannot write profiles {}: {reason}", path.display())]
    Write {
        path: PathBuf,
        reason: std::io::Error,
    },
}

impl ProfileError {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ProfileError::Invalid(d) => d,
            _ => &[],
        }
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let n = diagnostics.len();
    let mut out = format!(
        "{n} problem{} in the profile spec:",
        if n == 1 { "" } else { "s" }
    );
    for d in diagnostics {
        out.push_str(&format!("\n  {d}"));
    }
    out
}

/// One generated column: one series in one weather year.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// `{series}_{year}`, as written in the CSV header.
    pub name: String,
    /// Index of the series in the spec.
    pub series: usize,
    /// Index of the weather year in the spec.
    pub year: usize,
    /// One value per hour: MW for load, a capacity factor in [0, 1] for wind and solar,
    /// already rounded as written (MW to 0.1, capacity factors to 4 decimals).
    pub values: Vec<f64>,
}

/// Every column of a spec: series by series, and within a series year by year.
#[derive(Clone, Debug, PartialEq)]
pub struct Generated {
    pub columns: Vec<Column>,
}

impl Generated {
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.values.as_slice())
    }
}

/// Generates every series of `spec` in every weather year.
pub fn generate(spec: &Spec) -> Generated {
    let mut columns = Vec::new();
    for (index, series) in spec.series.iter().enumerate() {
        let mut draws: Vec<Draws> = (0..spec.weather_years.len())
            .map(|year| Draws::new(spec.seed, &series.name, year))
            .collect();
        let (years, decimals) = match &series.model {
            Model::Load(m) => (load::generate(m, spec.hours, &mut draws), 1),
            Model::Wind(m) => (wind::generate(m, spec.hours, &mut draws), 4),
            Model::Solar(m) => (solar::generate(m, spec.hours, &mut draws), 4),
        };
        for (year, values) in years.into_iter().enumerate() {
            columns.push(Column {
                name: format!("{}_{}", series.name, spec.weather_years[year]),
                series: index,
                year,
                values: values.into_iter().map(|v| round(v, decimals)).collect(),
            });
        }
    }
    Generated { columns }
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// Writes `generated` as a profile CSV: a `#` comment naming the spec and seed, a header
/// `hour,<columns…>`, then one row per hour (hour 0 first).
pub fn write_csv(spec: &Spec, generated: &Generated, path: &Path) -> Result<(), ProfileError> {
    let fail = |reason| ProfileError::Write {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::create(path).map_err(fail)?;
    let mut out = std::io::BufWriter::new(file);
    write_rows(spec, generated, &mut out)
        .and_then(|()| out.flush())
        .map_err(fail)
}

fn write_rows(spec: &Spec, generated: &Generated, out: &mut impl Write) -> std::io::Result<()> {
    let from = spec
        .file
        .as_ref()
        .map_or("an in-memory spec".to_string(), |f| f.display().to_string());
    writeln!(
        out,
        "# Generated by `egap profiles` from {from} (seed {}); synthetic weather, not measurements.",
        spec.seed
    )?;
    write!(out, "hour")?;
    for column in &generated.columns {
        write!(out, ",{}", column.name)?;
    }
    writeln!(out)?;
    let decimals: Vec<usize> = generated
        .columns
        .iter()
        .map(|c| match spec.series[c.series].model {
            Model::Load(_) => 1,
            _ => 4,
        })
        .collect();
    for hour in 0..spec.hours {
        write!(out, "{hour}")?;
        for (column, &d) in generated.columns.iter().zip(&decimals) {
            write!(out, ",{:.*}", d, column.values[hour])?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// The `x` in `[lo, hi]` where the increasing function `f` crosses `target`, by bisection
/// (60 halvings: far below the rounding of any written value). Used to calibrate an offset
/// or a scale on the generated weather itself, so the target holds exactly, not on average.
pub(crate) fn bisect(mut lo: f64, mut hi: f64, target: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Day of the study (0-based) and hour of the day of hour `t`.
pub(crate) fn day_and_hour(t: usize) -> (usize, usize) {
    (t / 24, t % 24)
}

/// Phase of a yearly cycle that peaks on day `peak_day`: 1 on that day, -1 half a year later.
pub(crate) fn yearly_cycle(day: f64, peak_day: f64) -> f64 {
    (std::f64::consts::TAU * (day - peak_day) / 365.25).cos()
}

/// Phase of a daily cycle that peaks at hour `peak_hour` (hour `h` stands for its middle,
/// h + 0.5).
pub(crate) fn daily_cycle(hour: usize, peak_hour: f64) -> f64 {
    (std::f64::consts::TAU * (hour as f64 + 0.5 - peak_hour) / 24.0).cos()
}
