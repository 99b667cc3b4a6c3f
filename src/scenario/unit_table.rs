//! Unit tables: unit groups read from CSV files (`[[unit_tables]]`), one row per group, the
//! columns named as the fields of a `[[units]]` table, as planners keep their fleet in a
//! spreadsheet.
//!
//! Each row becomes the `format::Unit` that the same fields written in TOML would give, with
//! each value placed at its cell (`Collector::place`), so validation checks it with the code
//! that checks a `[[units]]` table and every message names the CSV file, the line and the
//! column.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::Files;
use super::csv_file::{CsvText, read_bytes};
use super::error::{Collector, Diagnostic};
use super::format::{self, UnitTable};
use super::validate::{MAX_UNITS, closest};

/// Largest unit table read, bytes: as much as a scenario file may hold.
pub const MAX_UNIT_TABLE_BYTES: u64 = super::MAX_SCENARIO_BYTES;

/// The columns a unit table may have: the fields of a `[[units]]` table (a test checks them
/// against `format::Unit`).
pub const COLUMNS: [&str; 11] = [
    "name",
    "region",
    "kind",
    "count",
    "capacity_mw",
    "mttf_h",
    "mttr_h",
    "forced_outage_rate",
    "failure_probability",
    "repair_probability",
    "project",
];

/// The columns whose cells are text; the others hold numbers.
pub const TEXT_COLUMNS: [&str; 4] = ["name", "region", "kind", "project"];

/// The columns every unit table needs.
const REQUIRED: [&str; 2] = ["name", "capacity_mw"];

/// A file with more problems than this is wrong throughout: its other rows are not read.
const MOST_PROBLEMS: usize = 1000;

/// The unit groups of every unit table, in the order of the tables and of their rows, and the
/// files they are in (each resolved against the scenario's folder, `base`). A file held in
/// `files` is read from there.
pub fn read_all(
    tables: &[Spanned<UnitTable>],
    base: &Path,
    files: &Files,
    errors: &mut Collector,
) -> (Vec<Spanned<format::Unit>>, Vec<PathBuf>) {
    let mut units = Vec::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut rows = 0;
    for table in tables {
        let file = &table.get_ref().file;
        let path = base.join(file.get_ref());
        if paths.contains(&path) {
            errors.at(
                file.span().start,
                "unit_tables → file",
                format!(
                    "names \"{}\" again; list each unit table once",
                    file.get_ref()
                ),
            );
            continue;
        }
        paths.push(path.clone());
        let bytes = match read_bytes(&path, MAX_UNIT_TABLE_BYTES, files.get(&path)) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                errors.push(Diagnostic {
                    file: path,
                    line: None,
                    column: None,
                    field: "unit_tables".into(),
                    message: format!(
                        "is larger than {} MiB, the most a unit table may be",
                        MAX_UNIT_TABLE_BYTES >> 20
                    ),
                });
                continue;
            }
            Err(e) => {
                errors.at(
                    file.span().start,
                    "unit_tables → file",
                    format!(
                        "cannot read \"{}\" ({}; paths are relative to the scenario's folder): {e}",
                        file.get_ref(),
                        path.display()
                    ),
                );
                continue;
            }
        };
        if !read(&path, &bytes, &mut rows, &mut units, errors) {
            break;
        }
    }
    (units, paths)
}

/// Reads the unit table `bytes` of `path` into `units`, counting its rows in `rows` (of all
/// unit tables together); false when reading should stop there (too many rows or problems).
fn read(
    path: &Path,
    bytes: &[u8],
    rows: &mut usize,
    units: &mut Vec<Spanned<format::Unit>>,
    errors: &mut Collector,
) -> bool {
    let problem = |errors: &mut Collector, line: usize, column: Option<usize>, field, message| {
        errors.push(Diagnostic {
            file: path.to_path_buf(),
            line: Some(line),
            column,
            field,
            message,
        })
    };
    let mut text = match CsvText::open(bytes) {
        Ok(text) => text,
        Err(m) => {
            errors.push(Diagnostic {
                file: path.to_path_buf(),
                line: m.line,
                column: None,
                field: "unit_tables".into(),
                message: m.message,
            });
            return true;
        }
    };
    if text.is_empty() {
        problem(
            errors,
            1,
            None,
            "unit_tables".into(),
            "is empty; a unit table needs a header row naming its columns (name, capacity_mw and any other [[units]] fields), then one row per unit group".into(),
        );
        return true;
    }
    let header_line = text.header_line;
    let mut ok = true;
    let mut hints = Vec::new();
    for (j, h) in text.headers.iter().enumerate() {
        if COLUMNS.contains(&h.as_str()) {
            continue;
        }
        ok = false;
        let message = if h.is_empty() {
            "has no name; name every column of a unit table by a [[units]] field".to_string()
        } else if let Some(hint) = closest(h, COLUMNS) {
            let message = format!("is not a [[units]] field; did you mean `{hint}`?");
            hints.push(hint);
            message
        } else {
            format!(
                "is not a [[units]] field; a unit table's columns are {}",
                COLUMNS.join(", ")
            )
        };
        let column = format!("unit_tables → column \"{h}\"");
        problem(errors, header_line, Some(j + 1), column, message);
    }
    for required in REQUIRED {
        // A misspelt required column is reported once, as misspelt.
        if !text.headers.iter().any(|h| h == required) && !hints.iter().any(|h| h == required) {
            ok = false;
            problem(
                errors,
                header_line,
                None,
                format!("unit_tables → column \"{required}\""),
                "is missing; a unit table needs the columns name and capacity_mw".into(),
            );
        }
    }
    if !ok {
        return true;
    }
    let name_column = text.headers.iter().position(|h| h == "name").unwrap_or(0);
    while let Some(record) = text.next_record() {
        let (line, record) = match record {
            Ok(r) => r,
            Err(m) => {
                let line = m.line.unwrap_or(header_line);
                problem(errors, line, None, "unit_tables".into(), m.message);
                return true;
            }
        };
        // Spreadsheets write rows of empty cells below their data.
        if record.iter().all(str::is_empty) {
            continue;
        }
        *rows += 1;
        if *rows > MAX_UNITS as usize {
            problem(
                errors,
                line,
                None,
                "unit_tables".into(),
                format!(
                    "is past the {MAX_UNITS}th unit group of the unit tables; a study has at most {MAX_UNITS} units in all"
                ),
            );
            return false;
        }
        if let Some(why) = text.wrong_length(&record) {
            problem(errors, line, None, "unit_tables".into(), why);
        } else if let Some(unit) = unit(path, line, &text.headers, &record, name_column, errors) {
            units.push(unit);
        }
        if errors.problems.len() > MOST_PROBLEMS {
            return false;
        }
    }
    true
}

/// The unit group of one row (at `line`), or None when a cell cannot be read as its field
/// (each such cell is reported).
fn unit(
    path: &Path,
    line: usize,
    headers: &[String],
    record: &csv::StringRecord,
    name_column: usize,
    errors: &mut Collector,
) -> Option<Spanned<format::Unit>> {
    let row = errors.place(path, line, 0);
    let name = record.get(name_column).unwrap_or("");
    let field = if name.is_empty() {
        "units".to_string()
    } else {
        format!("units \"{name}\"")
    };
    let mut unit = format::Unit {
        name: Spanned::new(row..row, String::new()),
        region: None,
        kind: None,
        count: None,
        capacity_mw: Spanned::new(row..row, toml::Value::Integer(0)),
        mttf_h: None,
        mttr_h: None,
        forced_outage_rate: None,
        failure_probability: None,
        repair_probability: None,
        project: None,
    };
    let mut readable = true;
    for (j, (column, cell)) in headers.iter().zip(record).enumerate() {
        let at = errors.place(path, line, j + 1);
        let key = format!("{field} → {column}");
        if cell.is_empty() {
            if REQUIRED.contains(&column.as_str()) {
                let what = if column == "name" {
                    "a name"
                } else {
                    "a capacity in MW"
                };
                errors.at(at, key, format!("is empty; every unit group needs {what}"));
                readable = false;
            }
            continue;
        }
        let text = || Spanned::new(at..at, cell.to_string());
        let mut number = |errors: &mut Collector| match cell.parse::<f64>() {
            Ok(x) => Some(Spanned::new(at..at, x)),
            Err(_) => {
                errors.at(at, &key, format!("must be a number, got {cell}"));
                readable = false;
                None
            }
        };
        match column.as_str() {
            "name" => unit.name = text(),
            "region" => unit.region = Some(text()),
            "kind" => unit.kind = Some(cell.to_string()),
            "project" => unit.project = Some(text()),
            "mttf_h" => unit.mttf_h = number(errors),
            "mttr_h" => unit.mttr_h = number(errors),
            "forced_outage_rate" => unit.forced_outage_rate = number(errors),
            "failure_probability" => unit.failure_probability = number(errors),
            "repair_probability" => unit.repair_probability = number(errors),
            "count" => match cell.parse::<i64>() {
                Ok(n) => unit.count = Some(Spanned::new(at..at, n)),
                Err(_) => {
                    errors.at(
                        at,
                        key,
                        format!("must be a whole number of units, got {cell}"),
                    );
                    readable = false;
                }
            },
            "capacity_mw" => {
                // As TOML reads it: a whole number is an integer, and means the same.
                let value = (cell.parse::<i64>().map(toml::Value::Integer))
                    .or_else(|_| cell.parse::<f64>().map(toml::Value::Float));
                match value {
                    Ok(v) => unit.capacity_mw = Spanned::new(at..at, v),
                    Err(_) => {
                        errors.at(
                            at,
                            key,
                            format!(
                                "must be a number of MW, got {cell} (an hourly capacity needs a [[units]] table)"
                            ),
                        );
                        readable = false;
                    }
                }
            }
            _ => unreachable!("the header's columns are checked"),
        }
    }
    readable.then(|| Spanned::new(row..row, unit))
}

/// The cells of the row named `name` in the unit table `bytes`, by column; None when no row
/// is named so.
pub(crate) fn row(bytes: &[u8], name: &str) -> Result<Option<Vec<(String, String)>>, String> {
    let mut text = CsvText::open(bytes).map_err(|m| m.message)?;
    let Some(name_column) = text.headers.iter().position(|h| h == "name") else {
        return Ok(None);
    };
    while let Some(record) = text.next_record() {
        let (_, record) = record.map_err(|m| m.message)?;
        if record.get(name_column) == Some(name) {
            let cells = text.headers.iter().cloned();
            return Ok(Some(cells.zip(record.iter().map(str::to_string)).collect()));
        }
    }
    Ok(None)
}

/// The unit table `bytes` with the cell of `column` in the row named `name` set to `value`
/// (a column the header lacks is added, empty in the other rows), for `--set`. Every row
/// stays on its line, so problems elsewhere in the file keep their places; comment lines
/// become blank and every cell is quoted. None when no row is named `name`.
pub(crate) fn with_cell(
    bytes: &[u8],
    name: &str,
    column: &str,
    value: &str,
) -> Result<Option<Vec<u8>>, String> {
    let mut text = CsvText::open(bytes).map_err(|m| m.message)?;
    let Some(name_column) = text.headers.iter().position(|h| h == "name") else {
        return Ok(None);
    };
    let width = text.headers.len();
    let mut header = text.headers.clone();
    let target = header.iter().position(|h| h == column).unwrap_or_else(|| {
        header.push(column.to_string());
        width
    });
    let added = header.len() > width;
    let mut out = Vec::new();
    let mut line = 1;
    write_row(&mut out, &mut line, text.header_line, &header);
    let mut found = false;
    while let Some(record) = text.next_record() {
        let (at, record) = record.map_err(|m| m.message)?;
        let mut cells: Vec<String> = record.iter().map(str::to_string).collect();
        let fits = cells.len() == width;
        if added && fits {
            cells.push(String::new());
        }
        if !found && record.get(name_column) == Some(name) {
            if !fits {
                return Err(format!(
                    "line {at}: {}",
                    text.wrong_length(&record).unwrap_or_default()
                ));
            }
            found = true;
            cells[target] = value.to_string();
        }
        write_row(&mut out, &mut line, at, &cells);
    }
    Ok(found.then_some(out))
}

/// Writes `cells` as a CSV row starting on line `at` (blank lines fill the gap from `line`,
/// which is then moved past the row), every cell quoted so that none reads as a comment.
fn write_row(out: &mut Vec<u8>, line: &mut usize, at: usize, cells: &[String]) {
    while *line < at {
        out.push(b'\n');
        *line += 1;
    }
    let row: Vec<String> = cells
        .iter()
        .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
        .collect();
    let row = row.join(",");
    *line += 1 + row.matches('\n').count();
    out.extend_from_slice(row.as_bytes());
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns are the fields of `[[units]]`, as serde lists them.
    #[test]
    fn the_columns_are_the_fields_of_a_unit() {
        let e = toml::from_str::<format::Unit>("zzz = 1").unwrap_err();
        let message = e.message();
        let expected = message.split_once("expected").unwrap().1;
        let fields: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        assert_eq!(fields, COLUMNS, "{message}");
    }

    #[test]
    fn a_cell_is_set_in_place_and_a_column_added() {
        let csv =
            "\u{feff}# fleet\r\nname,capacity_mw\r\n\r\nA,10\r\n# gone\r\n\"B, the second\",20\r\n";
        let edited = with_cell(csv.as_bytes(), "B, the second", "capacity_mw", "25")
            .unwrap()
            .unwrap();
        let edited = String::from_utf8(edited).unwrap();
        assert_eq!(
            edited,
            "\n\"name\",\"capacity_mw\"\n\n\"A\",\"10\"\n\n\"B, the second\",\"25\"\n"
        );
        let edited = with_cell(csv.as_bytes(), "A", "count", "3")
            .unwrap()
            .unwrap();
        let edited = String::from_utf8(edited).unwrap();
        assert!(edited.contains("\"name\",\"capacity_mw\",\"count\"\n\n\"A\",\"10\",\"3\"\n"));
        assert!(
            edited.ends_with("\"B, the second\",\"20\",\"\"\n"),
            "{edited}"
        );
        assert_eq!(with_cell(csv.as_bytes(), "C", "count", "3"), Ok(None));
        let row = row(csv.as_bytes(), "A").unwrap().unwrap();
        assert_eq!(row[1], ("capacity_mw".to_string(), "10".to_string()));
    }
}
