//! The profile spec: which series to generate, for which weather years, from which seed.
//!
//! ```toml
//! hours = 8760                       # 24 to 8784
//! weather_years = ["w1", "w2", "w3"] # CSV columns are "{name}_{year}"
//! seed = 2030
//!
//! [[series]]
//! name = "pjm_load"
//! kind = "load"
//! peak_mw = 150000        # peak of the median weather year (a 50/50 peak)
//! load_factor = 0.60      # mean over all years / peak_mw
//! summer_peak = true      # optional, default true; false: winter-peaking
//! # temperature_sd = 3.0  # optional, °C
//!
//! [[series]]
//! name = "pjm_wind"
//! kind = "wind"
//! mean_cf = 0.33
//! # optional: lag1, spread, seasonal_amplitude, windiest_day, diurnal_amplitude, windiest_hour
//!
//! [[series]]
//! name = "pjm_solar"
//! kind = "solar"
//! mean_cf = 0.22
//! latitude_deg = 40
//! # optional: shape_exponent, clearness_median, clearness_spread, clearness_lag1
//! ```
//!
//! Every table denies unknown fields, and every problem is reported with its file, line,
//! field and the valid range, all at once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::{LoadSpec, ProfileError, SolarSpec, WindSpec};
use crate::scenario::Diagnostic;
use crate::scenario::error::{line_column, number};

/// A validated spec.
#[derive(Clone, Debug, PartialEq)]
pub struct Spec {
    /// The file it was read from, named in the CSV's comment line.
    pub file: Option<PathBuf>,
    pub hours: usize,
    pub weather_years: Vec<String>,
    pub seed: u64,
    pub series: Vec<Series>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: String,
    pub model: Model,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    Load(LoadSpec),
    Wind(WindSpec),
    Solar(SolarSpec),
}

/// Most hours a spec may ask for (a leap year, egap's longest horizon).
pub const MAX_HOURS: i64 = 8784;
/// Fewest hours: one whole day, so every series has its daily cycle.
pub const MIN_HOURS: i64 = 24;
/// Largest spec file read, bytes.
const MAX_SPEC_BYTES: u64 = 1 << 20;
/// Most columns (series × weather years) a spec may ask for: 8,784 hours of 2,000 columns
/// write about 180 MB, within what a scenario reads from one profile file
/// (`scenario::profile::MAX_PROFILE_BYTES`), and hold 140 MB while they are generated.
pub const MAX_COLUMNS: usize = 2000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecFile {
    hours: Spanned<i64>,
    weather_years: Spanned<Vec<Spanned<String>>>,
    seed: Spanned<i64>,
    #[serde(default)]
    series: Vec<Spanned<SeriesFile>>,
}

type Number = Option<Spanned<f64>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesFile {
    name: Spanned<String>,
    kind: Spanned<String>,
    peak_mw: Number,
    load_factor: Number,
    summer_peak: Option<Spanned<bool>>,
    temperature_sd: Number,
    mean_cf: Number,
    lag1: Number,
    spread: Number,
    seasonal_amplitude: Number,
    windiest_day: Number,
    diurnal_amplitude: Number,
    windiest_hour: Number,
    latitude_deg: Number,
    shape_exponent: Number,
    clearness_median: Number,
    clearness_spread: Number,
    clearness_lag1: Number,
}

/// Reads and validates the spec at `path`.
pub fn read_spec(path: &Path) -> Result<Spec, ProfileError> {
    let read_error = |reason| ProfileError::Read {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = crate::scenario::read_at_most(path, MAX_SPEC_BYTES)
        .map_err(read_error)?
        .ok_or_else(|| {
            read_error(std::io::Error::other(format!(
                "larger than {} KiB, the most a profile spec may be",
                MAX_SPEC_BYTES >> 10
            )))
        })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text ({})", e.utf8_error()),
        ))
    })?;
    parse_spec(&text, path)
}

/// Parses and validates spec text; `file` names it in messages and in the CSV.
pub fn parse_spec(text: &str, file: &Path) -> Result<Spec, ProfileError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut check = Checker {
        file,
        text,
        problems: Vec::new(),
    };
    let raw: SpecFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let at = e.span().map_or(0, |s| s.start);
            check.at(at, key_on_line(text, at, e.message()), e.message().trim());
            return Err(ProfileError::Invalid(check.problems));
        }
    };
    let spec = check.spec(&raw);
    if check.problems.is_empty() {
        Ok(spec)
    } else {
        Err(ProfileError::Invalid(check.problems))
    }
}

/// The field of a parse error: a missing field's name, or the key written on the error's line.
fn key_on_line(text: &str, at: usize, message: &str) -> String {
    if let Some(missing) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        return missing.to_string();
    }
    let (line, _) = line_column(text, at);
    let written = text.lines().nth(line - 1).unwrap_or("").trim();
    match written.split_once('=') {
        Some((key, _)) if !written.starts_with('#') => key.trim().to_string(),
        _ => String::new(),
    }
}

/// Collects every problem of one spec.
struct Checker<'a> {
    file: &'a Path,
    text: &'a str,
    problems: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&mut self, at: usize, field: impl Into<String>, message: impl Into<String>) {
        let (line, column) = line_column(self.text, at);
        self.problems.push(Diagnostic {
            file: self.file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: field.into(),
            message: message.into(),
        });
    }

    fn spec(&mut self, raw: &SpecFile) -> Spec {
        let hours = *raw.hours.get_ref();
        if !(MIN_HOURS..=MAX_HOURS).contains(&hours) {
            self.at(
                raw.hours.span().start,
                "hours",
                format!("must be a whole number from {MIN_HOURS} to {MAX_HOURS}, not {hours}"),
            );
        }
        let seed = *raw.seed.get_ref();
        if seed < 0 {
            self.at(
                raw.seed.span().start,
                "seed",
                format!("must be 0 or more, not {seed}"),
            );
        }
        let weather_years = self.names(raw.weather_years.get_ref(), "weather_years");
        if weather_years.is_empty() {
            self.at(
                raw.weather_years.span().start,
                "weather_years",
                "must name at least one weather year, e.g. [\"w1\", \"w2\", \"w3\"]",
            );
        }
        let names: Vec<Spanned<String>> = raw
            .series
            .iter()
            .map(|s| s.get_ref().name.clone())
            .collect();
        self.names(&names, "series → name");
        self.distinct_columns(&names, &weather_years);
        let columns = names.len() * weather_years.len();
        if columns > MAX_COLUMNS {
            self.at(
                raw.weather_years.span().start,
                "weather_years",
                format!(
                    "{} series in {} weather years make {columns} columns; a profile file \
                     holds at most {MAX_COLUMNS} (so that a scenario can read it back, \
                     within {} MiB): split the series over several spec files",
                    names.len(),
                    weather_years.len(),
                    crate::scenario::profile::MAX_PROFILE_BYTES >> 20
                ),
            );
        }
        let series = raw
            .series
            .iter()
            .filter_map(|s| self.series(s.get_ref()))
            .collect();
        Spec {
            file: Some(self.file.to_path_buf()),
            hours: hours.clamp(MIN_HOURS, MAX_HOURS) as usize,
            weather_years,
            seed: seed.max(0) as u64,
            series,
        }
    }

    /// Checks that names are usable in a CSV header and unique.
    fn names(&mut self, names: &[Spanned<String>], field: &str) -> Vec<String> {
        let mut seen = HashSet::new();
        for name in names {
            let n = name.get_ref();
            let fine = !n.is_empty() && n.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c));
            if !fine {
                self.at(
                    name.span().start,
                    field,
                    format!("{n:?} must be non-empty letters, digits, '_', '-' or '.'"),
                );
            } else if !seen.insert(n.clone()) {
                self.at(name.span().start, field, format!("{n:?} appears twice"));
            }
        }
        names.iter().map(|n| n.get_ref().clone()).collect()
    }

    /// Checks that no two (series, year) pairs make the same column name, as `a_b` + `c` and
    /// `a` + `b_c` would (repeated names are reported once, by `names`).
    fn distinct_columns(&mut self, series: &[Spanned<String>], years: &[String]) {
        let mut seen = HashSet::new();
        let mut years_seen = HashSet::new();
        let years: Vec<&String> = years.iter().filter(|y| years_seen.insert(*y)).collect();
        let mut series_seen = HashSet::new();
        for name in series.iter().filter(|n| series_seen.insert(n.get_ref())) {
            for year in &years {
                let column = format!("{}_{year}", name.get_ref());
                if !seen.insert(column.clone()) {
                    self.at(
                        name.span().start,
                        "series → name",
                        format!("makes the CSV column {column:?} twice; rename a series or a year"),
                    );
                }
            }
        }
    }

    fn series(&mut self, raw: &SeriesFile) -> Option<Series> {
        let name = raw.name.get_ref().clone();
        let kind = raw.kind.get_ref().as_str();
        let mut fields = Fields {
            check: self,
            raw,
            path: format!("series {name:?}"),
        };
        let model = match kind {
            "load" => Model::Load(fields.load()),
            "wind" => Model::Wind(fields.wind()),
            "solar" => Model::Solar(fields.solar()),
            other => {
                self.at(
                    raw.kind.span().start,
                    format!("series {name:?} → kind"),
                    format!(
                        "{other:?} is not a kind of series; use \"load\", \"wind\" or \"solar\""
                    ),
                );
                return None;
            }
        };
        Some(Series { name, model })
    }
}

/// The fields of one series, checked against the ones its kind takes.
struct Fields<'c, 'a> {
    check: &'c mut Checker<'a>,
    raw: &'c SeriesFile,
    path: String,
}

impl Fields<'_, '_> {
    /// A required number in `[low, high]`.
    fn required(&mut self, value: &Number, field: &str, low: f64, high: f64) -> f64 {
        match value {
            Some(_) => self.optional(value, field, low, high, low),
            None => {
                self.check.at(
                    self.raw.name.span().start,
                    format!("{} → {field}", self.path),
                    format!(
                        "is missing: give a number from {} to {}",
                        number(low),
                        number(high)
                    ),
                );
                low
            }
        }
    }

    /// An optional number in `[low, high]`, `default` when absent.
    fn optional(&mut self, value: &Number, field: &str, low: f64, high: f64, default: f64) -> f64 {
        let Some(v) = value else { return default };
        let x = *v.get_ref();
        if !(low..=high).contains(&x) {
            self.check.at(
                v.span().start,
                format!("{} → {field}", self.path),
                format!(
                    "must be from {} to {}, not {}",
                    number(low),
                    number(high),
                    number(x)
                ),
            );
            return default;
        }
        x
    }

    /// Reports each field given that belongs to another kind of series.
    fn refuse(&mut self, kind: &str, fields: &[(&str, bool)]) {
        for &(field, given) in fields {
            if given {
                self.check.at(
                    self.raw.name.span().start,
                    format!("{} → {field}", self.path),
                    format!("does not apply to a {kind} series"),
                );
            }
        }
    }

    fn load_only(&self) -> [(&'static str, bool); 4] {
        let r = self.raw;
        [
            ("peak_mw", r.peak_mw.is_some()),
            ("load_factor", r.load_factor.is_some()),
            ("summer_peak", r.summer_peak.is_some()),
            ("temperature_sd", r.temperature_sd.is_some()),
        ]
    }

    fn wind_only(&self) -> [(&'static str, bool); 6] {
        let r = self.raw;
        [
            ("lag1", r.lag1.is_some()),
            ("spread", r.spread.is_some()),
            ("seasonal_amplitude", r.seasonal_amplitude.is_some()),
            ("windiest_day", r.windiest_day.is_some()),
            ("diurnal_amplitude", r.diurnal_amplitude.is_some()),
            ("windiest_hour", r.windiest_hour.is_some()),
        ]
    }

    fn solar_only(&self) -> [(&'static str, bool); 5] {
        let r = self.raw;
        [
            ("latitude_deg", r.latitude_deg.is_some()),
            ("shape_exponent", r.shape_exponent.is_some()),
            ("clearness_median", r.clearness_median.is_some()),
            ("clearness_spread", r.clearness_spread.is_some()),
            ("clearness_lag1", r.clearness_lag1.is_some()),
        ]
    }

    fn load(&mut self) -> LoadSpec {
        let r = self.raw;
        self.refuse("load", &[("mean_cf", r.mean_cf.is_some())]);
        self.refuse("load", &self.wind_only());
        self.refuse("load", &self.solar_only());
        LoadSpec {
            peak_mw: self.required(&r.peak_mw, "peak_mw", 0.1, 1.0e7),
            load_factor: self.required(&r.load_factor, "load_factor", 0.3, 0.95),
            summer_peak: r.summer_peak.as_ref().is_none_or(|s| *s.get_ref()),
            temperature_sd: self.optional(
                &r.temperature_sd,
                "temperature_sd",
                0.0,
                10.0,
                LoadSpec::DEFAULT_TEMPERATURE_SD,
            ),
        }
    }

    fn wind(&mut self) -> WindSpec {
        let r = self.raw;
        self.refuse("wind", &self.load_only());
        self.refuse("wind", &self.solar_only());
        let d = WindSpec::with_mean(self.required(&r.mean_cf, "mean_cf", 0.02, 0.7));
        WindSpec {
            lag1: self.optional(&r.lag1, "lag1", 0.0, 0.999, d.lag1),
            spread: self.optional(&r.spread, "spread", 0.1, 5.0, d.spread),
            seasonal_amplitude: self.optional(
                &r.seasonal_amplitude,
                "seasonal_amplitude",
                0.0,
                5.0,
                d.seasonal_amplitude,
            ),
            windiest_day: self.optional(
                &r.windiest_day,
                "windiest_day",
                0.0,
                366.0,
                d.windiest_day,
            ),
            diurnal_amplitude: self.optional(
                &r.diurnal_amplitude,
                "diurnal_amplitude",
                0.0,
                5.0,
                d.diurnal_amplitude,
            ),
            windiest_hour: self.optional(
                &r.windiest_hour,
                "windiest_hour",
                0.0,
                24.0,
                d.windiest_hour,
            ),
            ..d
        }
    }

    fn solar(&mut self) -> SolarSpec {
        let r = self.raw;
        self.refuse("solar", &self.load_only());
        self.refuse("solar", &self.wind_only());
        let mean_cf = self.required(&r.mean_cf, "mean_cf", 0.01, 0.4);
        let d = SolarSpec::with_mean(
            mean_cf,
            self.required(&r.latitude_deg, "latitude_deg", -66.0, 66.0),
        );
        SolarSpec {
            shape_exponent: self.optional(
                &r.shape_exponent,
                "shape_exponent",
                0.1,
                2.0,
                d.shape_exponent,
            ),
            clearness_median: self.optional(
                &r.clearness_median,
                "clearness_median",
                0.05,
                0.99,
                d.clearness_median,
            ),
            clearness_spread: self.optional(
                &r.clearness_spread,
                "clearness_spread",
                0.0,
                5.0,
                d.clearness_spread,
            ),
            clearness_lag1: self.optional(
                &r.clearness_lag1,
                "clearness_lag1",
                0.0,
                0.99,
                d.clearness_lag1,
            ),
            ..d
        }
    }
}
