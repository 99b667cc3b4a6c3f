//! Sweeps: one scenario parameter stepped over values, every point run with the same seed
//! (common random numbers, so differences between points are not sampling noise), and each
//! metric reported against the parameter with its 95% interval.

use std::borrow::Cow;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::engine::Engine;
use crate::report::csv::{Cell, Table, metric_rows};
use crate::report::plot::{Series, parameter_label, sweep_svg};
use crate::scenario::Files;
use crate::scenario::error::{Diagnostic, ScenarioError};
use crate::scenario::unit_table;
use crate::scenario::validate::closest;
use crate::stats::{Metric, Metrics, Summary, readable};
use crate::{Error, RunOptions, Study};

/// `PATH=VALUES`: which field to set and the values it takes (read back from
/// `sweep.json`'s `settings` for its page).
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setting {
    pub path: String,
    pub values: Vec<f64>,
}

impl Setting {
    /// Parses `added_loads[campus].size_mw=0:600:100` (start:stop:step, stop included) or
    /// `load_multiplier=1.0,1.05,1.1`.
    pub fn parse(text: &str) -> Result<Setting, Error> {
        let bad = |why: &str| {
            Error::Options(format!(
                "--set {text}: {why}; write PATH=VALUES, e.g. added_loads[campus].size_mw=0:600:100 or load_multiplier=1,1.05,1.1"
            ))
        };
        let (path, values) = text.split_once('=').ok_or_else(|| bad("no '='"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| bad(&format!("\"{s}\" is not a number")))
        };
        let values: Vec<f64> = if values.contains(':') {
            let parts: Vec<&str> = values.split(':').collect();
            if parts.len() != 3 {
                return Err(bad("a range is start:stop:step"));
            }
            let (start, stop, step) = (number(parts[0])?, number(parts[1])?, number(parts[2])?);
            if step <= 0.0 || stop < start {
                return Err(bad("a range needs step > 0 and stop >= start"));
            }
            let n = ((stop - start) / step + 1e-9).floor() as usize + 1;
            if n > 1000 {
                return Err(bad("more than 1000 points"));
            }
            (0..n).map(|i| start + step * i as f64).collect()
        } else {
            values.split(',').map(number).collect::<Result<_, _>>()?
        };
        if values.is_empty() {
            return Err(bad("no values"));
        }
        Ok(Setting {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// Sets `path` to `value` in the scenario's TOML tree.
pub(crate) fn set(root: &mut toml::Table, path: &str, value: f64) -> Result<(), String> {
    let mut table = root;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let (key, name) = match segment.split_once('[') {
            Some((k, rest)) => (
                k,
                Some(
                    rest.strip_suffix(']')
                        .ok_or("a name in [...] needs its closing ]")?,
                ),
            ),
            None => (*segment, None),
        };
        let last = i + 1 == segments.len();
        if last && name.is_none() {
            let v = if value.fract() == 0.0 && value.abs() < 9.0e15 {
                toml::Value::Integer(value as i64)
            } else {
                toml::Value::Float(value)
            };
            table.insert(key.to_string(), v);
            return Ok(());
        }
        let entry = table
            .get_mut(key)
            .ok_or_else(|| format!("the scenario has no `{key}`"))?;
        table = match (entry, name) {
            (toml::Value::Array(items), Some(name)) => {
                let names: Vec<String> = items
                    .iter()
                    .filter_map(|v| v.as_table())
                    .filter_map(entry_name)
                    .collect();
                let Some(at) = names.iter().position(|n| n == name) else {
                    return Err(format!(
                        "no entry of `{key}` is named \"{name}\"; {}",
                        match names.as_slice() {
                            [] => format!("the scenario has no named `{key}`"),
                            names => format!("the names are {}", quoted_list(names)),
                        }
                    ));
                };
                items
                    .iter_mut()
                    .filter_map(|v| v.as_table_mut())
                    .nth(at)
                    .expect("found above")
            }
            (toml::Value::Table(t), None) => t,
            _ => {
                return Err(format!(
                    "`{key}` is not a table to look into (use {key}[NAME] for a list of named entries)"
                ));
            }
        };
    }
    Err("the path must end with a field name".into())
}

/// The name an entry goes by in results and in `--set` paths: its `name`, or for an
/// interface without one, "FROM-TO" as reports show it.
fn entry_name(entry: &toml::Table) -> Option<String> {
    let text = |key: &str| entry.get(key).and_then(|v| v.as_str());
    match (text("name"), text("from"), text("to")) {
        (Some(name), _, _) => Some(name.to_string()),
        (None, Some(from), Some(to)) => Some(format!("{from}-{to}")),
        _ => None,
    }
}

/// `"a", "b" and "c"`, for messages.
fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Sets `path` to `value` in the scenario: in its TOML tree, or, for a unit that one of its
/// unit tables holds (`units[NAME].FIELD`), in that unit's row of the CSV file, whose edited
/// text is then held in `files` under the path validation reads it from. Lines stay where
/// they were, so a problem elsewhere in the file keeps its place.
pub(crate) fn set_in(
    scenario: &Path,
    tree: &mut toml::Table,
    files: &mut Files,
    path: &str,
    value: f64,
) -> Result<(), String> {
    let segments: Vec<&str> = path.split('.').collect();
    let name = segments[0]
        .strip_prefix("units[")
        .and_then(|r| r.strip_suffix(']'));
    let Some(name) = name.filter(|n| !named(tree, "units", n) && tree.contains_key("unit_tables"))
    else {
        return set(tree, path, value);
    };
    let field = match segments[1..] {
        [field] if !field.contains('[') => field,
        _ => {
            return Err(format!(
                "units[{name}] is a row of a unit table, whose fields are its cells: write units[{name}].FIELD"
            ));
        }
    };
    if !unit_table::COLUMNS.contains(&field) {
        let hint = closest(field, unit_table::COLUMNS)
            .map_or(String::new(), |c| format!("; did you mean `{c}`?"));
        return Err(format!("a unit has no field `{field}`{hint}"));
    }
    if unit_table::TEXT_COLUMNS.contains(&field) {
        return Err(format!("`{field}` is text, and --set gives numbers"));
    }
    let text = if value.fract() == 0.0 && value.abs() < 9.0e15 {
        (value as i64).to_string()
    } else {
        value.to_string()
    };
    for (file, at) in unit_tables(scenario, tree) {
        let bytes = unit_table_bytes(&file, &at, files)?;
        let edited = unit_table::with_cell(&bytes, name, field, &text)
            .map_err(|why| format!("the unit table {file}: {why}"))?;
        if let Some(edited) = edited {
            files.insert(at, edited);
            return Ok(());
        }
    }
    Err(format!(
        "no entry of `units` is named \"{name}\", in the scenario or its unit tables"
    ))
}

/// Whether `section` of `tree` has an entry named `name`.
fn named(tree: &toml::Table, section: &str, name: &str) -> bool {
    entry_of(tree, section, name).is_some()
}

fn entry_of<'a>(tree: &'a toml::Table, section: &str, name: &str) -> Option<&'a toml::Table> {
    tree.get(section)?
        .as_array()?
        .iter()
        .filter_map(|v| v.as_table())
        .find(|t| t.get("name").and_then(|n| n.as_str()) == Some(name))
}

/// The unit tables of the scenario: each file as written, and the path it is read from.
fn unit_tables(scenario: &Path, tree: &toml::Table) -> Vec<(String, PathBuf)> {
    let base = scenario.parent().unwrap_or(Path::new("."));
    let entries = tree.get("unit_tables").and_then(|v| v.as_array());
    (entries.into_iter().flatten())
        .filter_map(|e| e.get("file")?.as_str())
        .map(|file| (file.to_string(), base.join(file)))
        .collect()
}

/// The text of the unit table `file` (read from `at`, or held in `files`).
fn unit_table_bytes<'a>(file: &str, at: &Path, files: &'a Files) -> Result<Cow<'a, [u8]>, String> {
    let limit = unit_table::MAX_UNIT_TABLE_BYTES;
    match files.get(at) {
        Some(bytes) => Ok(Cow::Borrowed(bytes)),
        None => crate::input::read_at_most(at, limit)
            .map_err(|e| format!("cannot read the unit table {file}: {e}"))?
            .map(Cow::Owned)
            .ok_or_else(|| {
                format!(
                    "the unit table {file} is larger than {} MiB, the most a unit table may be",
                    limit >> 20
                )
            }),
    }
}

/// The entry `section[name]` of the scenario as a TOML table: its own, or for a unit that a
/// unit table holds, that unit's row, each cell a number where it reads as one. None when
/// the scenario has no such entry.
pub(crate) fn entry(
    scenario: &Path,
    tree: &toml::Table,
    files: &Files,
    section: &str,
    name: &str,
) -> Result<Option<toml::Table>, String> {
    if let Some(entry) = entry_of(tree, section, name) {
        return Ok(Some(entry.clone()));
    }
    if section != "units" {
        return Ok(None);
    }
    for (file, at) in unit_tables(scenario, tree) {
        let bytes = unit_table_bytes(&file, &at, files)?;
        let row = unit_table::row(&bytes, name).map_err(|why| format!("{file}: {why}"))?;
        if let Some(cells) = row {
            let value = |cell: String| {
                (cell.parse::<i64>().map(toml::Value::Integer))
                    .or_else(|_| cell.parse::<f64>().map(toml::Value::Float))
                    .unwrap_or(toml::Value::String(cell))
            };
            return Ok(Some(
                (cells.into_iter())
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(column, cell)| (column, value(cell)))
                    .collect(),
            ));
        }
    }
    Ok(None)
}

/// One point of a sweep: the value of each setting, and the results there.
pub struct Point {
    pub values: Vec<f64>,
    pub summary: Summary,
}

/// The scenario file as a TOML tree, for editing before validation, with the profile files
/// held in memory: a PRAS system file gives the scenario it imports to and its CSV (read
/// once however many variants are run); a TOML file none, its profiles being on disk.
pub(crate) fn read_tree(scenario: &Path) -> Result<(toml::Table, Files), Error> {
    let parse = |text: &str| {
        text.parse()
            .map_err(|e| Error::Options(format!("{}: {e}", scenario.display())))
    };
    if crate::pras::is_pras(scenario) {
        let imported = crate::pras::import(scenario)?;
        return Ok((parse(&imported.toml)?, imported.files(scenario)));
    }
    Ok((parse(&scenario_text(scenario)?)?, Files::new()))
}

/// Validates and compiles an edited tree, with the files it reads held in `files` where an
/// edit changed them (`written` holds them as they were); profile paths stay relative to
/// `scenario`.
///
/// The tree is validated as egap writes it out, whose lines are not the file's, so a problem
/// is placed where the user can find it: at its line in the scenario file when the file as
/// written has the same problem, else on `edit` (what changed the tree, such as
/// `--set storage[b].energy_mwh=-1`), with no line.
pub(crate) fn load_tree(
    scenario: &Path,
    tree: &toml::Table,
    files: &Files,
    written: &Files,
    edit: &str,
) -> Result<Study, Error> {
    let edited = toml::to_string(tree).map_err(|e| Error::Options(e.to_string()))?;
    let model = match crate::scenario::validate::validate_with(scenario, &edited, files) {
        Ok(model) => model,
        Err(ScenarioError::Invalid(problems)) => {
            return Err(placed(scenario, written, problems, edit).into());
        }
        Err(e) => return Err(e.into()),
    };
    let (system, laws) = crate::scenario::compile(&model)?;
    Ok(Study {
        scenario: model,
        system,
        laws,
    })
}

/// The problems of an edited scenario, each at its line in the file when the file as written
/// has it too, else attributed to `edit`.
fn placed(scenario: &Path, files: &Files, problems: Vec<Diagnostic>, edit: &str) -> ScenarioError {
    let written = scenario_text(scenario)
        .ok()
        .and_then(|text| crate::scenario::validate::validate_with(scenario, &text, files).err())
        .map(|e| e.diagnostics().to_vec())
        .unwrap_or_default();
    let problems = problems
        .into_iter()
        .map(|p| {
            match written
                .iter()
                .find(|w| w.field == p.field && w.message == p.message)
            {
                Some(w) => w.clone(),
                None => Diagnostic {
                    line: None,
                    column: None,
                    message: format!("{} (as changed by {edit})", p.message),
                    ..p
                },
            }
        })
        .collect();
    ScenarioError::Invalid(problems)
}

/// The scenario's TOML as validated: the file's text, or the TOML a PRAS file converts to.
fn scenario_text(scenario: &Path) -> Result<String, Error> {
    if crate::pras::is_pras(scenario) {
        return Ok(crate::pras::import(scenario)?.toml);
    }
    let text =
        crate::input::read_text(scenario, crate::scenario::MAX_SCENARIO_BYTES, "cannot read")?;
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// `scenario` with each `PATH=VALUE` of `settings` applied (`egap run --set`).
/// One field set twice would leave only the last value in force (or, in a sweep, a grid
/// over the same field twice): refused instead.
pub(crate) fn refuse_repeated_paths(settings: &[Setting]) -> Result<(), Error> {
    for (j, s) in settings.iter().enumerate() {
        if settings[..j].iter().any(|t| t.path == s.path) {
            return Err(Error::Options(format!(
                "--set {} is given twice; set each field once",
                s.path
            )));
        }
    }
    Ok(())
}

pub fn load_with_settings(scenario: &Path, settings: &[Setting]) -> Result<Study, Error> {
    if settings.is_empty() {
        return Study::load(scenario);
    }
    refuse_repeated_paths(settings)?;
    let (mut tree, written) = read_tree(scenario)?;
    let mut files = written.clone();
    for s in settings {
        let [value] = s.values[..] else {
            return Err(Error::Options(format!(
                "--set {}: give one value here (a range or list belongs to egap sweep)",
                s.path
            )));
        };
        set_in(scenario, &mut tree, &mut files, &s.path, value)
            .map_err(|why| Error::Options(format!("--set {}: {why}", s.path)))?;
    }
    let edit = (settings.iter())
        .map(|s| format!("--set {}={}", s.path, s.values[0]))
        .collect::<Vec<_>>()
        .join(" ");
    load_tree(scenario, &tree, &files, &written, &edit)
}

/// Validates and compiles an edited tree (profile paths stay relative to `scenario`) and
/// runs it.
pub(crate) fn run_tree(
    scenario: &Path,
    tree: &toml::Table,
    files: &Files,
    written: &Files,
    edit: &str,
    engine: &Engine,
    options: &RunOptions,
) -> Result<Summary, Error> {
    let study = load_tree(scenario, tree, files, written, edit)?;
    crate::run_summary(&study, engine, options)
}

/// Runs `scenario` at every combination of the settings' values (one or two settings; the
/// second varies fastest), all with the same options and seed, handing `progress` the
/// points done after each, so that an interrupted sweep ([`Error::Interrupted`]) keeps them.
pub fn sweep(
    scenario: &Path,
    settings: &[Setting],
    engine: &Engine,
    options: &RunOptions,
    progress: &mut dyn FnMut(&[Point]) -> Result<(), Error>,
) -> Result<Vec<Point>, Error> {
    if settings.is_empty() || settings.len() > 2 {
        return Err(Error::Options(format!(
            "a sweep takes one or two --set, got {}",
            settings.len()
        )));
    }
    refuse_repeated_paths(settings)?;
    let (root, files) = read_tree(scenario)?;
    let mut grid: Vec<Vec<f64>> = vec![Vec::new()];
    for s in settings {
        grid = grid
            .iter()
            .flat_map(|prefix| {
                s.values
                    .iter()
                    .map(move |&v| [prefix.as_slice(), &[v]].concat())
            })
            .collect();
    }
    let mut points = Vec::new();
    for values in grid {
        let mut tree = root.clone();
        let mut edited = files.clone();
        for (s, &v) in settings.iter().zip(&values) {
            set_in(scenario, &mut tree, &mut edited, &s.path, v)
                .map_err(|why| Error::Options(format!("--set {}: {why}", s.path)))?;
        }
        let edit = (settings.iter().zip(&values))
            .map(|(s, v)| format!("--set {}={v}", s.path))
            .collect::<Vec<_>>()
            .join(" ");
        points.push(Point {
            summary: run_tree(scenario, &tree, &edited, &files, &edit, engine, options)?,
            values,
        });
        progress(&points)?;
    }
    Ok(points)
}

/// The sweep as CSV: one row per point, mean and 95% bounds of every metric, in columns
/// named by the metrics' keys in `summary.json` (`eue_mwh`, `eue_mwh_ci95_low`, …). While fewer
/// than `total` points are done the table starts with `# interrupted: 3 of 7 points
/// completed`, as an interrupted run's tables do, so partial results are never taken for
/// complete ones.
pub fn csv(settings: &[Setting], points: &[Point], total: usize) -> String {
    let preamble = if points.len() < total {
        format!(
            "# interrupted: {} of {total} points completed\n",
            points.len()
        )
    } else {
        String::new()
    };
    let mut header: Vec<String> = settings.iter().map(|s| s.path.clone()).collect();
    if let Some(p) = points.first() {
        // Named as sweep.json names them: the metric's key for its mean, then its bounds.
        for (metric, _) in metric_rows(&p.summary) {
            let key = metric.key();
            header.extend([
                key.to_string(),
                format!("{key}_ci95_low"),
                format!("{key}_ci95_high"),
            ]);
        }
    }
    let mut t = Table::new(&preamble, &header);
    for p in points {
        let mut row: Vec<Cell> = p.values.iter().map(|&v| v.into()).collect();
        for (_, e) in metric_rows(&p.summary) {
            row.extend([e.mean.into(), e.ci95_low.into(), e.ci95_high.into()]);
        }
        t.row(&row);
    }
    t.finish()
}

/// The sweep as JSON, for scripts: the settings, then each point's values and every metric
/// with its interval (keys as in `summary.json`). `completed` of `total` points says whether
/// the sweep was interrupted. `hours` is the study's horizon, which every metric and limit
/// refers to (a year or not), as summary.json's `hours`: given, not read from a point, so
/// that the file says it before the first point is done.
#[allow(
    clippy::too_many_arguments,
    reason = "the fields of the file, each once"
)]
pub fn json(
    scenario_file: &str,
    hours: u32,
    settings: &[Setting],
    points: &[Point],
    trajectories: u64,
    seed: u64,
    total: usize,
) -> serde_json::Value {
    let points: Vec<serde_json::Value> = points
        .iter()
        .map(|p| {
            let metrics: serde_json::Map<String, serde_json::Value> = metric_rows(&p.summary)
                .into_iter()
                .map(|(metric, e)| {
                    (
                        metric.key().to_string(),
                        serde_json::to_value(e).expect("an estimate serializes"),
                    )
                })
                .collect();
            serde_json::json!({ "values": p.values, "metrics": metrics })
        })
        .collect();
    serde_json::json!({
        "egap_version": env!("CARGO_PKG_VERSION"),
        "scenario_file": scenario_file,
        "hours": hours,
        "trajectories_per_point": trajectories,
        "seed": seed,
        "settings": settings
            .iter()
            .map(|s| serde_json::json!({ "path": s.path, "values": s.values }))
            .collect::<Vec<_>>(),
        "points_completed": points.len(),
        "points_total": total,
        "interrupted": points.len() < total,
        "points": points,
    })
}

/// The metrics the terminal table and the plots show.
pub const SHOWN: [Metric; 4] = [
    Metric::LoleHours,
    Metric::EueMwh,
    Metric::NeuePpm,
    Metric::CurtailmentMwh,
];

/// The sweep as a table for people: the settings' values, then each shown metric's mean
/// ± standard error, in columns wide enough for their contents.
pub fn table(settings: &[Setting], points: &[Point]) -> String {
    let hours = points.first().map_or(0, |p| p.summary.hours);
    let renewables = points.iter().any(|p| p.summary.has_renewables());
    let shown: Vec<Metric> = SHOWN
        .into_iter()
        .filter(|m| renewables || !m.is_curtailment())
        .collect();
    let mut rows: Vec<Vec<String>> = vec![
        settings
            .iter()
            .map(|s| crate::report::plot::parameter_label(&s.path))
            .chain(
                shown
                    .iter()
                    .map(|m| format!("{} ({})", m.label(), m.unit_for(hours))),
            )
            .collect(),
    ];
    for p in points {
        rows.push(
            p.values
                .iter()
                .map(|&v| readable(v))
                .chain(shown.iter().map(|m| {
                    let e = m.of(&p.summary.metrics);
                    m.show_estimate(e.mean, e.standard_error)
                }))
                .collect(),
        );
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, &w)| format!("{cell:>w$}"))
            .collect();
        let _ = writeln!(out, "{}", cells.join("   ").trim_end());
    }
    out
}

/// The sweep's plots, as (file stem, SVG): each shown metric against the first setting,
/// one line per value of the second. A metric that is zero everywhere is not drawn.
pub fn plots(settings: &[Setting], points: &[Point]) -> Vec<(String, String)> {
    let hours = points.first().map_or(0, |p| p.summary.hours);
    let rows: Vec<(&[f64], &Metrics)> = (points.iter())
        .map(|p| (p.values.as_slice(), &p.summary.metrics))
        .collect();
    plots_of(settings, hours, &rows)
}

/// [`plots`] of points given as each setting's values and the metrics there, over a
/// horizon of `hours` (as `sweep.json` holds them, for `egap report`'s page of a sweep).
pub fn plots_of(
    settings: &[Setting],
    hours: u32,
    points: &[(&[f64], &Metrics)],
) -> Vec<(String, String)> {
    let mut plots = Vec::new();
    for metric in SHOWN {
        let mut series: Vec<Series> = Vec::new();
        for (values, metrics) in points {
            let label = match (settings.get(1), values.get(1)) {
                (Some(s), Some(v)) => {
                    format!("{} = {}", parameter_label(&s.path), readable(*v))
                }
                _ => String::new(),
            };
            let e = metric.of(metrics);
            let point = (values[0], e.mean, e.ci95_low, e.ci95_high);
            match series.iter_mut().find(|s| s.0 == label) {
                Some(s) => s.1.push(point),
                None => series.push((label, vec![point])),
            }
        }
        if series.iter().flat_map(|s| &s.1).all(|p| p.3 == 0.0) {
            continue;
        }
        plots.push((
            format!("sweep-{metric}"),
            sweep_svg(&settings[0].path, metric, hours, &series),
        ));
    }
    plots
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse_ranges_and_lists() {
        let s = Setting::parse("added_loads[campus].size_mw=0:600:200").unwrap();
        assert_eq!(s.path, "added_loads[campus].size_mw");
        assert_eq!(s.values, [0.0, 200.0, 400.0, 600.0]);
        assert_eq!(
            Setting::parse("load_multiplier=1,1.5").unwrap().values,
            [1.0, 1.5]
        );
        for bad in ["x", "a=1:2", "a=2:1:1", "a=1:2:0", "a=b"] {
            assert!(Setting::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn paths_reach_named_entries() {
        let mut t: toml::Table =
            "[[units]]\nname = \"a\"\ncount = 1\n[[units]]\nname = \"b\"\ncount = 2\n"
                .parse()
                .unwrap();
        set(&mut t, "units[b].count", 5.0).unwrap();
        assert_eq!(t["units"][1]["count"].as_integer(), Some(5));
        assert_eq!(
            set(&mut t, "units[c].count", 1.0).unwrap_err(),
            "no entry of `units` is named \"c\"; the names are \"a\" and \"b\""
        );
        assert!(
            set(&mut t, "regions[x].load_mw", 1.0)
                .unwrap_err()
                .contains("no `regions`")
        );
    }

    /// An interface without a name goes by "FROM-TO" in every result, so a path names it so.
    #[test]
    fn an_unnamed_interface_is_reached_by_its_from_to_name() {
        let mut t: toml::Table = "[[interfaces]]\nfrom = \"West\"\nto = \"East\"\nlimit_mw = 5\n\
             [[interfaces]]\nname = \"tie\"\nfrom = \"East\"\nto = \"North\"\nlimit_mw = 1\n"
            .parse()
            .unwrap();
        set(&mut t, "interfaces[West-East].limit_mw", 800.0).unwrap();
        assert_eq!(t["interfaces"][0]["limit_mw"].as_integer(), Some(800));
        set(&mut t, "interfaces[tie].limit_mw", 2.0).unwrap();
        assert_eq!(t["interfaces"][1]["limit_mw"].as_integer(), Some(2));
        // "East-North" is the named interface's ends, not its name.
        assert!(set(&mut t, "interfaces[East-North].limit_mw", 1.0).is_err());
    }
}
