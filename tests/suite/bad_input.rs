//! Bad input: every malformed scenario in `tests/fixtures/bad/` is refused with a short error
//! that names the file, the line and the field, and says what would be valid; none panics.

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// One malformed scenario and what its error must say.
struct Case {
    /// The scenario, in `tests/fixtures/bad/`.
    fixture: &'static str,
    /// The file the error is in: the scenario itself, or the CSV profile it reads.
    at: &'static str,
    /// The line the error must name (`at:LINE`), or `None` where no single line is at fault.
    line: Option<usize>,
    /// The column the error must name after the line (`at:LINE:COLUMN`), where it matters: a
    /// cell of a CSV unit table.
    column: Option<usize>,
    /// Must appear in the error: the field, as a user can find it in the file.
    field: &'static str,
    /// Must appear in the error: what is wrong, with the valid range where there is one.
    message: &'static str,
}

const fn case(
    fixture: &'static str,
    line: Option<usize>,
    field: &'static str,
    message: &'static str,
) -> Case {
    Case {
        fixture,
        at: fixture,
        line,
        column: None,
        field,
        message,
    }
}

/// An error in a CSV profile: it names the CSV file and its line.
const fn csv(
    fixture: &'static str,
    at: &'static str,
    line: usize,
    field: &'static str,
    message: &'static str,
) -> Case {
    Case {
        fixture,
        at,
        line: Some(line),
        column: None,
        field,
        message,
    }
}

/// An error in a cell of a CSV file: it names the file, the line and the column.
const fn cell(
    fixture: &'static str,
    at: &'static str,
    (line, column): (usize, usize),
    field: &'static str,
    message: &'static str,
) -> Case {
    Case {
        fixture,
        at,
        line: Some(line),
        column: Some(column),
        field,
        message,
    }
}

const LOAD_COLUMN: &str = r#"regions "R" → load_mw → column "load_mw""#;

const CASES: &[Case] = &[
    case(
        "01-toml-syntax.toml",
        Some(4),
        "name",
        "invalid basic string",
    ),
    case(
        "02-unknown-field.toml",
        Some(11),
        "capacty_mw",
        "unknown field `capacty_mw`, expected one of `name`, `region`, `kind`, `count`, `capacity_mw`, `mttf_h`, `mttr_h`, `forced_outage_rate`, `failure_probability`, `repair_probability`, `project`; did you mean `capacity_mw`?",
    ),
    case(
        "03-wrong-type-hours.toml",
        Some(3),
        "hours",
        "invalid type: string \"24\"",
    ),
    case(
        "04-wrong-type-capacity.toml",
        Some(11),
        r#"units "G1" → capacity_mw"#,
        "must be a number, a list of hourly values, or { file",
    ),
    case(
        "05-hours-zero.toml",
        Some(3),
        "study.hours",
        "from 1 to 8784, got 0",
    ),
    case(
        "06-hours-million.toml",
        Some(3),
        "study.hours",
        "from 1 to 8784, got 1000000",
    ),
    case(
        "07-missing-study.toml",
        Some(1),
        "study",
        "missing field `study`",
    ),
    case(
        "08-no-regions.toml",
        Some(2),
        "regions",
        "at least one [[regions]] table",
    ),
    case(
        "09-unknown-region.toml",
        Some(11),
        r#"units "G1" → region"#,
        r#"no region is named "North"; regions: R"#,
    ),
    case(
        "10-duplicate-unit.toml",
        Some(16),
        r#"units "G1" → name"#,
        "names must be unique",
    ),
    case(
        "11-mttr-zero.toml",
        Some(13),
        r#"units "G1" → mttr_h"#,
        "from 1 to 1e7 (an hourly model cannot resolve shorter), got 0",
    ),
    case(
        "12-mttf-negative.toml",
        Some(12),
        r#"units "G1" → mttf_h"#,
        "from 1 to 1e7 (an hourly model cannot resolve shorter), got -1000",
    ),
    case(
        "13-both-outage-forms.toml",
        Some(9),
        r#"units "G1""#,
        "has both outage forms; give either mttf_h and mttr_h",
    ),
    case(
        "14-no-outage-model.toml",
        Some(9),
        r#"units "G1""#,
        "has no outage model; give either mttf_h and mttr_h",
    ),
    case(
        "15-failure-probability-1.5.toml",
        Some(12),
        r#"units "G1" → failure_probability"#,
        "from 0 to 1, got 1.5",
    ),
    case(
        "16-repair-probability-zero.toml",
        Some(13),
        r#"units "G1" → repair_probability"#,
        "above 0 and at most 1, got 0",
    ),
    case(
        "17-count-zero.toml",
        Some(11),
        r#"units "G1" → count"#,
        "from 1 to 100000, got 0",
    ),
    case(
        "18-negative-capacity.toml",
        Some(11),
        r#"units "G1" → capacity_mw"#,
        "from 0 to 10,000,000, got -150",
    ),
    case(
        "19-inline-capacity-factor-1.2.toml",
        Some(18),
        r#"renewables "W1" → capacity_factor[2]"#,
        "a fraction from 0 to 1, got 1.2",
    ),
    csv(
        "20-csv-wrong-rows.toml",
        "three-rows.csv",
        4,
        LOAD_COLUMN,
        "has 3 data rows; the study has 4 hours",
    ),
    csv(
        "21-csv-text-cell.toml",
        "text-cell.csv",
        4,
        LOAD_COLUMN,
        "from 0 to 10,000,000, got lots",
    ),
    csv(
        "22-csv-negative-load.toml",
        "negative-load.csv",
        3,
        LOAD_COLUMN,
        "from 0 to 10,000,000, got -110",
    ),
    csv(
        "23-csv-empty-cell.toml",
        "empty-cell.csv",
        5,
        LOAD_COLUMN,
        "from 0 to 10,000,000, got an empty cell",
    ),
    csv(
        "24-csv-nan.toml",
        "nan.csv",
        3,
        LOAD_COLUMN,
        "from 0 to 10,000,000, got NaN",
    ),
    case(
        "25-csv-missing-file.toml",
        Some(7),
        r#"regions "R" → load_mw → file"#,
        r#"cannot read "csv/no-such-file.csv""#,
    ),
    csv(
        "26-csv-missing-column.toml",
        "good-load.csv",
        1,
        r#"regions "R" → load_mw → column "demand_mw""#,
        "no such column; the header has: hour, load_mw",
    ),
    case(
        "27-year-without-weather-years.toml",
        Some(7),
        r#"regions "R" → load_mw"#,
        "uses {year} but [study] declares no weather_years",
    ),
    case(
        "28-weights-wrong-length.toml",
        Some(5),
        "study.weather_year_weights",
        "needs one weight per weather year (2), got 3",
    ),
    case(
        "29-unknown-distribution.toml",
        Some(2),
        "load_multiplier",
        r#"unknown distribution "gaussian"; use normal, lognormal"#,
    ),
    case(
        "30-normal-sd-zero.toml",
        Some(2),
        "load_multiplier",
        "sd must be > 0, got 0",
    ),
    case(
        "31-utilization-above-one.toml",
        Some(18),
        r#"added_loads "Data centre" → utilization"#,
        "from 0 to 1, got 1.2",
    ),
    case(
        "32-unknown-project.toml",
        Some(18),
        r#"units "G1" → project"#,
        r#"no [[queued_projects]] entry is named "Solar park B""#,
    ),
    case(
        "33-interface-to-itself.toml",
        Some(17),
        r#"interfaces "R-R" → to"#,
        r#"must join two different regions, got "R" at both ends"#,
    ),
    case(
        "34-queued-probability-1.5.toml",
        Some(11),
        r#"queued_projects "Solar park A" → probability"#,
        "from 0 to 1, got 1.5",
    ),
    csv(
        "35-csv-capacity-factor-1.3.toml",
        "wind-cf.csv",
        4,
        r#"renewables "W1" → capacity_factor → column "wind""#,
        "a fraction from 0 to 1, got 1.3",
    ),
    case(
        "36-csv-reference-typo.toml",
        Some(7),
        r#"regions "R" → load_mw.colum"#,
        "unknown field; a CSV profile has only `file` and `column`",
    ),
    case(
        "37-inline-wrong-length.toml",
        Some(7),
        r#"regions "R" → load_mw"#,
        "one value per study hour (4), got 3",
    ),
    case(
        "38-storage-efficiency-above-one.toml",
        Some(20),
        r#"storage "Battery" → round_trip_efficiency"#,
        "must be a fraction above 0 and at most 1, got 1.2",
    ),
    case(
        "39-interface-no-limit.toml",
        Some(20),
        r#"interfaces "Tie""#,
        "give either limit_mw (the same both ways) or both limit_forward_mw and limit_backward_mw",
    ),
    case(
        "40-missing-capacity.toml",
        Some(9),
        "units → capacity_mw",
        "missing field `capacity_mw`",
    ),
    case(
        "41-huge-capacity.toml",
        Some(11),
        r#"units "G1" → capacity_mw"#,
        "from 0 to 10,000,000, got 1e300",
    ),
    csv(
        "42-csv-crlf-text-cell.toml",
        "crlf-bom-text-cell.csv",
        4,
        LOAD_COLUMN,
        "from 0 to 10,000,000, got 1O5",
    ),
    case(
        "43-capacity-nan.toml",
        Some(11),
        r#"units "G1" → capacity_mw"#,
        "from 0 to 10,000,000, got NaN",
    ),
    case(
        "44-mttf-inf.toml",
        Some(12),
        r#"units "G1" → mttf_h"#,
        "from 1 to 1e7 (1e7 hours is over a thousand years), got inf",
    ),
    case(
        "45-ten-terawatt-system.toml",
        None,
        "units / renewables / load",
        "largest hourly sum is 20000000 MW (capacity 20000000, renewables 0, peak demand 100); at most 10000000 MW (10 TW)",
    ),
    case(
        "46-mttr-billion-hours.toml",
        Some(13),
        r#"units "G1" → mttr_h"#,
        "from 1 to 1e7 (1e7 hours is over a thousand years), got 1000000000",
    ),
    case(
        "47-duplicate-region.toml",
        Some(10),
        r#"regions "R" → name"#,
        "is used by another region; names must be unique",
    ),
    case(
        "48-duplicate-renewable.toml",
        Some(21),
        r#"renewables "W1" → name"#,
        "is used by another unit or renewable; names must be unique",
    ),
    case(
        "49-duplicate-project.toml",
        Some(14),
        r#"queued_projects "Solar park A" → name"#,
        "is used by another project; names must be unique",
    ),
    case(
        "50-renewable-unknown-region.toml",
        Some(17),
        r#"renewables "W1" → region"#,
        r#"no region is named "Offshore"; regions: R"#,
    ),
    case(
        "51-added-load-unknown-region.toml",
        Some(17),
        r#"added_loads "Data centre" → region"#,
        r#"no region is named "East"; regions: R"#,
    ),
    case(
        "52-interface-unknown-region.toml",
        Some(18),
        r#"interfaces "Tie" → to"#,
        r#"no region is named "South"; regions: R"#,
    ),
    csv(
        "53-csv-empty-file.toml",
        "empty.csv",
        1,
        r#"regions "R" → load_mw (file csv/empty.csv)"#,
        "is empty; a profile CSV needs a header row naming its columns",
    ),
    csv(
        "54-csv-header-only.toml",
        "header-only.csv",
        1,
        LOAD_COLUMN,
        "has 0 data rows; the study has 4 hours",
    ),
    csv(
        "55-csv-blank-lines.toml",
        "blank-lines.csv",
        4,
        r#"regions "R" → load_mw (file csv/blank-lines.csv)"#,
        "is blank; a profile needs one row per study hour with no blank lines between rows",
    ),
    csv(
        "56-csv-inf.toml",
        "inf.csv",
        3,
        LOAD_COLUMN,
        "from 0 to 10,000,000, got inf",
    ),
    case(
        "57-weather-year-duplicate.toml",
        Some(4),
        "study.weather_years",
        r#"names must be non-empty and unique, got "2019""#,
    ),
    case(
        "58-weights-all-zero.toml",
        Some(5),
        "study.weather_year_weights",
        "must be non-negative numbers, not all zero",
    ),
    case(
        "59-weather-years-empty.toml",
        Some(4),
        "study.weather_years",
        "must name at least one weather year, or be left out",
    ),
    case(
        "60-discrete-mismatched-lengths.toml",
        Some(2),
        "load_multiplier",
        "`values` and `weights` must be non-empty and of equal length, got 3 and 2",
    ),
    case(
        "61-beta-alpha-zero.toml",
        Some(18),
        r#"added_loads "Data centre" → utilization"#,
        "alpha and beta must be > 0, got 0 and 2",
    ),
    case(
        "71-distribution-min-not-a-number.toml",
        Some(17),
        r#"added_loads "Data centre" → size_mw"#,
        "`min` must be a finite number, got \"x\"",
    ),
    case(
        "72-beta-high-not-a-number.toml",
        Some(18),
        r#"added_loads "Data centre" → utilization"#,
        "`high` must be a finite number, got \"one\"",
    ),
    case(
        "73-added-load-name-twice.toml",
        Some(20),
        r#"added_loads "Campus" → name"#,
        "is used by another added load; names must be unique",
    ),
    case(
        "62-triangular-mode-outside.toml",
        Some(17),
        r#"added_loads "Data centre" → size_mw"#,
        "needs low ≤ mode ≤ high and low < high, got 10, 40, 30",
    ),
    case(
        "63-not-utf8.toml",
        Some(6),
        "name",
        "is not UTF-8 text: byte 0xE9 cannot be read as a character (save the file as UTF-8)",
    ),
    case(
        "64-hours-8785.toml",
        Some(3),
        "study.hours",
        "from 1 to 8784, got 8785",
    ),
    case(
        "65-inline-negative-load.toml",
        Some(7),
        r#"regions "R" → load_mw[1]"#,
        "from 0 to 10,000,000, got -5",
    ),
    case(
        "66-weights-infinite-sum.toml",
        Some(5),
        "study.weather_year_weights",
        "must be non-negative numbers, not all zero, with a finite sum",
    ),
    case(
        "67-forced-outage-rate-one.toml",
        Some(12),
        r#"units "G1" → forced_outage_rate"#,
        "must be a fraction from 0 (never fails) to below 1",
    ),
    csv(
        "70-csv-duplicate-column.toml",
        "duplicate-column.csv",
        1,
        r#"regions "R" → load_mw (file csv/duplicate-column.csv)"#,
        "names column \"load_mw\" twice (columns 2 and 3); column names must be unique",
    ),
    case(
        "68-forced-outage-rate-without-mttr.toml",
        Some(9),
        r#"units "G1""#,
        "needs mttr_h with forced_outage_rate",
    ),
    case(
        "69-forced-outage-rate-and-mttf.toml",
        Some(9),
        r#"units "G1""#,
        "has forced_outage_rate and another outage form",
    ),
    csv(
        "74-unit-table-unknown-column.toml",
        "units-unknown-column.csv",
        1,
        r#"unit_tables → column "capacty_mw""#,
        "is not a [[units]] field; did you mean `capacity_mw`?",
    ),
    csv(
        "75-unit-table-no-name-column.toml",
        "units-no-name-column.csv",
        2,
        r#"unit_tables → column "name""#,
        "is missing; a unit table needs the columns name and capacity_mw",
    ),
    cell(
        "76-unit-table-bad-number.toml",
        "units-bad-number.csv",
        (3, 4),
        r#"units "G2" → mttf_h"#,
        "must be a number, got 9OO",
    ),
    case(
        "77-unit-table-duplicate-name.toml",
        Some(17),
        r#"units "G2" → name"#,
        "is used by another unit; names must be unique (the other is at csv/units-duplicate-name.csv:3)",
    ),
    csv(
        "78-unit-table-too-many-cells.toml",
        "units-too-many-cells.csv",
        3,
        "unit_tables",
        "row has 6 cells but the header has 5 columns",
    ),
    case(
        "79-unit-table-missing-file.toml",
        Some(14),
        "unit_tables → file",
        r#"cannot read "csv/no-such-units.csv""#,
    ),
    csv(
        "80-unit-table-duplicate-column.toml",
        "units-duplicate-column.csv",
        1,
        "unit_tables",
        "names column \"mttf_h\" twice (columns 4 and 6); column names must be unique",
    ),
    cell(
        "81-unit-table-count-zero.toml",
        "units-count-zero.csv",
        (3, 3),
        r#"units "G2" → count"#,
        "from 1 to 100000, got 0",
    ),
    csv(
        "82-unit-table-no-region.toml",
        "units-no-region.csv",
        3,
        r#"units "G2" → region"#,
        "is required when the study has several regions",
    ),
];

/// Longest error, in lines, that still fits on one screen.
const MAX_LINES: usize = 15;
/// Longest line of an error (the unknown-field message lists every valid key).
const MAX_LINE_CHARS: usize = 300;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Loads and compiles `path` as the CLI does; `Err` holds the rendered error, or says that
/// loading panicked or succeeded.
fn rendered_error(path: &Path) -> Result<String, String> {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        egap::scenario::load(path).and_then(|s| egap::scenario::compile(&s).map(|_| ()))
    }));
    match outcome {
        Ok(Err(e)) => Ok(e.to_string()),
        Ok(Ok(())) => Err("loaded and compiled without an error".into()),
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            Err(format!("panicked: {what}"))
        }
    }
}

/// Whether `text` contains `at:LINE` (or `at:LINE:COLUMN`) with no further digit (so `:1`
/// does not match `:12`), or, for `None`, `at: ` (a file-level error with no line).
fn names_place(text: &str, at: &str, line: Option<usize>, column: Option<usize>) -> bool {
    let Some(line) = line else {
        return text.contains(&format!("{at}: "));
    };
    let needle = match column {
        Some(column) => format!("{at}:{line}:{column}"),
        None => format!("{at}:{line}"),
    };
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

#[test]
fn every_bad_fixture_gives_a_short_error_naming_file_line_and_field() {
    let dir = fixtures().join("bad");
    let mut failures = Vec::new();
    for case in CASES {
        let path = dir.join(case.fixture);
        if !path.is_file() {
            failures.push(format!("{}: the fixture file is missing", case.fixture));
            continue;
        }
        let text = match rendered_error(&path) {
            Ok(text) => text,
            Err(why) => {
                failures.push(format!("{}: {why}", case.fixture));
                continue;
            }
        };
        let mut wrong = Vec::new();
        if !names_place(&text, case.at, case.line, case.column) {
            let place = case.line.map_or(String::new(), |l| format!(":{l}"));
            let place = case
                .column
                .map_or(place.clone(), |c| format!("{place}:{c}"));
            wrong.push(format!("does not name {}{place}", case.at));
        }
        if !text.contains(case.field) {
            wrong.push(format!("does not name the field {:?}", case.field));
        }
        if !text.contains(case.message) {
            wrong.push(format!("does not say {:?}", case.message));
        }
        let lines = text.lines().count();
        if lines > MAX_LINES {
            wrong.push(format!("has {lines} lines (at most {MAX_LINES})"));
        }
        if let Some(long) = text.lines().find(|l| l.chars().count() > MAX_LINE_CHARS) {
            wrong.push(format!(
                "has a line of {} characters (at most {MAX_LINE_CHARS}): {long}",
                long.chars().count()
            ));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {}\n    the error was:\n{}",
                case.fixture,
                wrong.join("; "),
                text.lines()
                    .map(|l| format!("      {l}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad fixtures fail:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn every_bad_fixture_is_in_the_table() {
    let dir = fixtures().join("bad");
    let listed: BTreeSet<&str> = CASES.iter().map(|c| c.fixture).collect();
    assert_eq!(listed.len(), CASES.len(), "a fixture is listed twice");
    assert!(
        CASES.len() >= 60,
        "the corpus must hold at least sixty cases"
    );

    let mut scenarios = BTreeSet::new();
    let mut texts = String::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.ends_with(".toml"),
            "{name}: only scenarios belong in tests/fixtures/bad (profiles go in csv/)"
        );
        texts.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        scenarios.insert(name);
    }
    let unlisted: Vec<_> = scenarios
        .iter()
        .filter(|s| !listed.contains(s.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "fixtures not in the table of tests/suite/bad_input.rs: {unlisted:?}"
    );

    // Every profile beside them is read by some fixture, so none lies there untested.
    for entry in std::fs::read_dir(dir.join("csv")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        assert!(
            texts.contains(&format!("csv/{name}")),
            "tests/fixtures/bad/csv/{name} is used by no fixture"
        );
    }
}

#[test]
fn windows_line_endings_and_byte_order_marks_are_read() {
    let dir = fixtures().join("good");
    let toml = dir.join("crlf-bom.toml");
    // Guard the fixtures themselves: a checkout that rewrote them would test nothing.
    for file in [&toml, &dir.join("crlf-bom.csv")] {
        let bytes = std::fs::read(file).unwrap();
        assert!(
            bytes.starts_with("\u{feff}".as_bytes()),
            "{} lost its byte-order mark",
            file.display()
        );
        assert!(
            bytes.windows(2).any(|w| w == b"\r\n"),
            "{} lost its CRLF line endings",
            file.display()
        );
    }

    let scenario = egap::scenario::load(&toml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(scenario.name, "CRLF and BOM");
    assert_eq!(scenario.hours, 4);
    assert_eq!(
        scenario.regions[0].load_mw.year(0),
        [100.0, 110.5, 120.0, 105.0]
    );
    assert_eq!(scenario.units[0].count, 2);
    assert_eq!(
        scenario.renewables[0].capacity_factor.year(0),
        [0.3, 0.5, 1.0, 0.0]
    );
    egap::scenario::compile(&scenario).unwrap_or_else(|e| panic!("{e}"));
}

/// `egap run` and `egap validate` on every bad fixture fail with exit status 2 and a short
/// message, and `run` writes no output.
#[test]
fn the_cli_refuses_every_bad_fixture_with_status_2_and_a_short_message() {
    let dir = fixtures().join("bad");
    let out = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (case, command) in CASES.iter().flat_map(|c| [(c, "run"), (c, "validate")]) {
        let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_egap"));
        cli.arg(command).arg(dir.join(case.fixture));
        if command == "run" {
            cli.args(["--trajectories", "10", "--backend", "cpu", "--out"])
                .arg(out.path().join(case.fixture));
        }
        let output = cli.output().unwrap();
        if command == "run" && out.path().join(case.fixture).join("summary.json").exists() {
            failures.push(format!("{}: run wrote a summary", case.fixture));
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines = stderr.lines().count();
        if output.status.code() != Some(2) || lines >= MAX_LINES || lines == 0 {
            failures.push(format!(
                "egap {command} {}: status {:?}, {lines} lines on stderr:\n{stderr}",
                case.fixture,
                output.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Writes `text` as `scenario.toml` in `dir` and returns the rendered error of loading it,
/// and how long that took.
fn error_of(dir: &Path, text: &str) -> (String, Duration) {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    let start = Instant::now();
    let error = rendered_error(&path).unwrap_or_else(|e| panic!("{e}"));
    (error, start.elapsed())
}

/// Enormous files are generated here rather than committed. Each must be refused with a clear
/// error in well under a second of work: nothing reads further than it needs to.
#[test]
fn enormous_files_are_refused_quickly() {
    const QUICK: Duration = Duration::from_secs(20);
    let dir = tempfile::tempdir().unwrap();
    let unit = "[[units]]\nname = \"G1\"\ncapacity_mw = 150\nmttf_h = 1000\nmttr_h = 50\n";

    // A 60 MB profile: a few million rows for a leap-year study. Reading stops one row past
    // the horizon.
    let row = "1,100.000000000000\n";
    let mut csv = String::with_capacity(60_000_000);
    csv.push_str("hour,load_mw\n");
    for _ in 0..60_000_000 / row.len() {
        csv.push_str(row);
    }
    std::fs::write(dir.path().join("huge.csv"), csv).unwrap();
    let (error, took) = error_of(
        dir.path(),
        &format!(
            "[study]\nhours = 8784\n\n[[regions]]\nname = \"R\"\nload_mw = {{ file = \"huge.csv\", column = \"load_mw\" }}\n\n{unit}"
        ),
    );
    assert!(
        error.contains("huge.csv:8786")
            && error.contains("has more than 8784 data rows; the study has 8784 hours"),
        "{error}"
    );
    assert!(took < QUICK, "took {took:?}");

    // A million-value inline list.
    let list = vec!["100"; 1_000_000].join(", ");
    let (error, took) = error_of(
        dir.path(),
        &format!("[study]\nhours = 4\n\n[[regions]]\nname = \"R\"\nload_mw = [{list}]\n\n{unit}"),
    );
    assert!(
        error.contains("scenario.toml:6")
            && error.contains("one value per study hour (4), got 1000000"),
        "{error}"
    );
    assert!(took < QUICK, "took {took:?}");

    // Files beyond the size limits (sparse, so cheap to make) are not read at all.
    let big = dir.path().join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(egap::scenario::profile::MAX_PROFILE_BYTES + 1)
        .unwrap();
    let (error, took) = error_of(
        dir.path(),
        &format!(
            "[study]\nhours = 4\n\n[[regions]]\nname = \"R\"\nload_mw = {{ file = \"big.csv\", column = \"load_mw\" }}\n\n{unit}"
        ),
    );
    assert!(
        error.contains("big.csv: ") && error.contains("is larger than 256 MiB"),
        "{error}"
    );
    assert!(took < QUICK, "took {took:?}");

    let toml = dir.path().join("big.toml");
    std::fs::File::create(&toml)
        .unwrap()
        .set_len(egap::scenario::MAX_SCENARIO_BYTES + 1)
        .unwrap();
    let error = rendered_error(&toml).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        error.contains("big.toml: ") && error.contains("is larger than 64 MiB"),
        "{error}"
    );
}
