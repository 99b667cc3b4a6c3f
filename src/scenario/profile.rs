//! Hourly profiles: a constant, an inline list, or a column of a CSV file, per weather year.
//!
//! A CSV reference may contain `{year}` in its file or column name; it is then read once per
//! weather year, so that load, wind and solar of one trajectory all come from the same year.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Files;
use super::csv_file::{CsvText, read_bytes};
use super::error::{Collector, Diagnostic, number};
use super::format::Value;

/// An hourly series per weather year (or one series shared by every year).
#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    series: Vec<Vec<f64>>,
}

impl Profile {
    pub fn constant(value: f64, hours: usize) -> Profile {
        Profile {
            series: vec![vec![value; hours]],
        }
    }

    /// The series used in weather year `year`.
    pub fn year(&self, year: usize) -> &[f64] {
        if self.series.len() == 1 {
            &self.series[0]
        } else {
            &self.series[year]
        }
    }

    /// Whether every weather year shares one series.
    pub fn is_shared(&self) -> bool {
        self.series.len() == 1
    }

    pub fn max(&self) -> f64 {
        self.series.iter().flatten().copied().fold(0.0, f64::max)
    }

    /// Whether the value is the same in every hour of every year.
    pub fn is_constant(&self) -> bool {
        let first = self.series[0][0];
        self.series.iter().flatten().all(|&v| v == first)
    }
}

/// The range a profile's values must lie in, with words for the message.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    pub min: f64,
    pub max: f64,
    pub what: &'static str,
}

pub const NON_NEGATIVE_MW: Bounds = Bounds {
    min: 0.0,
    max: 1.0e7,
    what: "a number of MW from 0 to 10,000,000",
};
pub const FRACTION: Bounds = Bounds {
    min: 0.0,
    max: 1.0,
    what: "a fraction from 0 to 1",
};

struct CsvTable {
    headers: Vec<String>,
    /// Line of the header row.
    header_line: usize,
    /// (line number, cells) of each data row, up to one more than the study's hours. A
    /// record keeps its cells in one buffer: a wide file costs about twice its size, not a
    /// string per cell (ten times its size for short numbers).
    rows: Vec<(usize, csv::StringRecord)>,
    /// Whether reading stopped at that extra row (the file may hold many more).
    truncated: bool,
}

/// Largest profile file read, bytes (a full year of a hundred series is a few MiB).
pub const MAX_PROFILE_BYTES: u64 = 256 << 20;

/// Reads profiles for one scenario, caching each CSV file so it is parsed once.
pub struct ProfileReader<'a> {
    base: &'a Path,
    hours: usize,
    years: &'a [String],
    cache: HashMap<PathBuf, Result<CsvTable, TableError>>,
    files: &'a Files,
}

impl<'a> ProfileReader<'a> {
    /// The files read so far (profile CSVs), as resolved against the scenario's folder.
    pub fn files_read(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.cache.keys().cloned().collect();
        paths.sort();
        paths
    }

    pub fn new(base: &'a Path, hours: usize, years: &'a [String], files: &'a Files) -> Self {
        ProfileReader {
            base,
            hours,
            years,
            cache: HashMap::new(),
            files,
        }
    }

    /// Interprets `value` as a profile of `field`, recording every problem in `errors`.
    pub fn read(
        &mut self,
        value: &Value,
        field: &str,
        bounds: Bounds,
        errors: &mut Collector,
    ) -> Option<Profile> {
        let at = value.span().start;
        let form =
            "a number, a list of hourly values, or { file = \"profile.csv\", column = \"name\" }";
        match value.get_ref() {
            toml::Value::Integer(_) | toml::Value::Float(_) => {
                let v = as_f64(value.get_ref())?;
                if check_value(v, bounds).is_err() {
                    errors.at(
                        at,
                        field,
                        format!("must be {}, got {}", bounds.what, number(v)),
                    );
                    return None;
                }
                Some(Profile::constant(v, self.hours))
            }
            toml::Value::Array(items) => {
                if items.len() != self.hours {
                    errors.at(
                        at,
                        field,
                        format!(
                            "an inline profile needs one value per study hour ({}), got {}",
                            self.hours,
                            items.len()
                        ),
                    );
                    return None;
                }
                let mut series = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match as_f64(item) {
                        Some(v) if check_value(v, bounds).is_ok() => series.push(v),
                        _ => {
                            errors.at(
                                at,
                                format!("{field}[{i}]"),
                                format!("must be {}, got {item}", bounds.what),
                            );
                            return None;
                        }
                    }
                }
                Some(Profile {
                    series: vec![series],
                })
            }
            toml::Value::Table(table) => {
                let mut file = None;
                let mut column = None;
                for (key, v) in table {
                    match (key.as_str(), v.as_str()) {
                        ("file", Some(s)) => file = Some(s.to_string()),
                        ("column", Some(s)) => column = Some(s.to_string()),
                        ("file" | "column", None) => {
                            errors.at(at, format!("{field}.{key}"), "must be a string");
                            return None;
                        }
                        _ => {
                            errors.at(
                                at,
                                format!("{field}.{key}"),
                                "unknown field; a CSV profile has only `file` and `column`",
                            );
                            return None;
                        }
                    }
                }
                let (Some(file), Some(column)) = (file, column) else {
                    errors.at(at, field, "a CSV profile needs both `file` and `column`");
                    return None;
                };
                self.read_csv(&file, &column, at, field, bounds, errors)
            }
            other => {
                errors.at(
                    at,
                    field,
                    format!("must be {form}, got a {}", other.type_str()),
                );
                None
            }
        }
    }

    fn read_csv(
        &mut self,
        file: &str,
        column: &str,
        at: usize,
        field: &str,
        bounds: Bounds,
        errors: &mut Collector,
    ) -> Option<Profile> {
        let per_year = file.contains("{year}") || column.contains("{year}");
        let names: Vec<Option<&str>> = if per_year {
            self.years.iter().map(|y| Some(y.as_str())).collect()
        } else {
            vec![None]
        };
        // A study without weather_years has one unnamed year.
        if per_year && self.years.iter().all(String::is_empty) {
            errors.at(
                at,
                field,
                "uses {year} but [study] declares no weather_years",
            );
            return None;
        }
        let mut series = Vec::with_capacity(names.len());
        for year in names {
            let file = year.map_or(file.to_string(), |y| file.replace("{year}", y));
            let column = year.map_or(column.to_string(), |y| column.replace("{year}", y));
            let path = self.base.join(&file);
            let table = self
                .cache
                .entry(path.clone())
                .or_insert_with(|| read_table(&path, self.hours, self.files.get(&path)));
            let table = match table {
                Ok(t) => t,
                Err(TableError::Unreadable(e)) => {
                    errors.at(
                        at,
                        format!("{field} → file"),
                        format!(
                            "cannot read \"{file}\" ({}; paths are relative to the scenario's folder): {e}",
                            path.display()
                        ),
                    );
                    return None;
                }
                Err(TableError::Malformed(d)) => {
                    let mut d = d.clone();
                    d.field = format!("{field} (file {file})");
                    errors.push(d);
                    return None;
                }
            };
            let Some(index) = table.headers.iter().position(|h| h == &column) else {
                errors.push(Diagnostic {
                    file: path.clone(),
                    line: Some(1),
                    column: None,
                    field: format!("{field} → column \"{column}\""),
                    message: format!(
                        "no such column; the header has: {}",
                        table.headers.join(", ")
                    ),
                });
                return None;
            };
            if table.rows.len() != self.hours {
                let rows = if table.truncated {
                    format!("more than {}", self.hours)
                } else {
                    table.rows.len().to_string()
                };
                errors.push(Diagnostic {
                    file: path.clone(),
                    line: Some(table.rows.last().map_or(table.header_line, |r| r.0)),
                    column: None,
                    field: format!("{field} → column \"{column}\""),
                    message: format!(
                        "has {rows} data rows; the study has {} hours and needs exactly one row per hour",
                        self.hours
                    ),
                });
                return None;
            }
            let mut values = Vec::with_capacity(self.hours);
            for (line, cells) in &table.rows {
                let cell = cells.get(index).map_or("", |c| c.trim());
                let parsed = cell.parse::<f64>().ok().filter(|v| v.is_finite());
                match parsed.map(|v| (v, check_value(v, bounds))) {
                    Some((v, Ok(()))) => values.push(v),
                    Some((_, Err(()))) | None => {
                        let shown = if cell.is_empty() {
                            "an empty cell"
                        } else {
                            cell
                        };
                        errors.push(Diagnostic {
                            file: path.clone(),
                            line: Some(*line),
                            column: Some(index + 1),
                            field: format!("{field} → column \"{column}\""),
                            message: format!("must be {}, got {shown}", bounds.what),
                        });
                        return None;
                    }
                }
            }
            series.push(values);
        }
        Some(Profile { series })
    }
}

fn check_value(v: f64, bounds: Bounds) -> Result<(), ()> {
    if v.is_finite() && v >= bounds.min && v <= bounds.max {
        Ok(())
    } else {
        Err(())
    }
}

pub fn as_f64(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Why a profile file gave no table: it could not be read at all (reported at the scenario's
/// reference to it), or its content is not a valid CSV table (reported at its own line).
enum TableError {
    Unreadable(std::io::Error),
    Malformed(Diagnostic),
}

/// Reads the CSV table at `path`, stopping after `hours + 1` data rows: a longer file is wrong
/// whichever column is used, and need not be read to the end.
fn read_table(
    path: &Path,
    hours: usize,
    in_memory: Option<&Vec<u8>>,
) -> Result<CsvTable, TableError> {
    let fail = |line: Option<usize>, message: String| {
        TableError::Malformed(Diagnostic {
            file: path.to_path_buf(),
            line,
            column: None,
            field: String::new(),
            message,
        })
    };
    let bytes = read_bytes(path, MAX_PROFILE_BYTES, in_memory)
        .map_err(TableError::Unreadable)?
        .ok_or_else(|| {
            fail(
                None,
                format!(
                    "is larger than {} MiB, the most a profile file may be",
                    MAX_PROFILE_BYTES >> 20
                ),
            )
        })?;
    let mut text = CsvText::open(&bytes).map_err(|m| fail(m.line, m.message))?;
    if text.is_empty() {
        return Err(fail(
            Some(1),
            "is empty; a profile CSV needs a header row naming its columns, then one row per study hour".into(),
        ));
    }
    let mut rows = Vec::new();
    let mut truncated = false;
    while let Some(record) = text.next_record() {
        if rows.len() > hours {
            truncated = true;
            break;
        }
        let (line, record) = record.map_err(|m| fail(m.line, m.message))?;
        if let Some(why) = text.wrong_length(&record) {
            return Err(fail(Some(line), why));
        }
        rows.push((line, record));
    }
    // The csv crate skips blank lines; between data rows one most likely stands for a missing
    // hour, and skipping it would shift every later hour, so it is refused.
    if let Some(&(last, _)) = rows.last() {
        let blank = text
            .bytes()
            .split(|&b| b == b'\n')
            .enumerate()
            .map(|(i, text)| (i + 1, text))
            .skip(text.header_line)
            .take_while(|&(line, _)| line < last)
            .find(|(_, text)| text.iter().all(u8::is_ascii_whitespace));
        if let Some((line, _)) = blank {
            return Err(fail(
                Some(line),
                "is blank; a profile needs one row per study hour with no blank lines between rows (delete the line, or fill in the missing hour)".into(),
            ));
        }
    }
    Ok(CsvTable {
        headers: text.headers,
        header_line: text.header_line,
        rows,
        truncated,
    })
}
