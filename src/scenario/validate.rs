//! Checks a parsed scenario file and builds the validated [`Scenario`], reporting every
//! problem at once with its line, field, bad value and valid range.

use std::collections::HashMap;
use std::path::Path;

use toml::Spanned;

use super::Files;
use super::error::{Collector, ScenarioError, line_column, number};
use super::format::{self, ScenarioFile};
use super::model::*;
use super::profile::{FRACTION, NON_NEGATIVE_MW, ProfileReader};
use super::uncertain::Uncertain;
use super::unit_table;
use crate::stats::Criterion;

/// Longest horizon: a leap year of hours.
pub const MAX_HOURS: i64 = 8784;
/// Most identical units in one group, and in the whole system.
pub const MAX_UNITS: i64 = 100_000;
/// Longest mean time to failure or repair, hours (over a thousand years).
pub const MAX_MEAN_HOURS: f64 = 1.0e7;
/// Largest single capacity or load, MW (10 TW).
pub const MAX_MW: f64 = 1.0e7;
/// Most regions of one study: the network solver's path costs stay far below the weights
/// that order its objectives (see `engine::cpu::network`).
pub const MAX_REGIONS: usize = 64;
/// Most interfaces of one study.
pub const MAX_INTERFACES: usize = 256;
/// Most storage devices of one study.
pub const MAX_STORAGE: usize = 256;
/// Most parallel circuits of one interface (k of n circuits up carry k/n of the limit,
/// computed exactly in 32 bits for n ≤ 2^16).
pub const MAX_CIRCUITS: i64 = 64;

/// Parses and validates the scenario text `source` read from `path`.
pub fn validate(path: &Path, source: &str) -> Result<Scenario, ScenarioError> {
    validate_with(path, source, &Files::new())
}

/// As [`validate`], with profile files taken from `files` (by path) before the disk: an
/// imported PRAS system runs from memory exactly as its written copy runs from disk.
pub fn validate_with(path: &Path, source: &str, files: &Files) -> Result<Scenario, ScenarioError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let file: ScenarioFile = match toml::from_str(source) {
        Ok(f) => f,
        Err(e) => {
            let mut errors = Collector::new(path, source);
            let span = e.span().unwrap_or(0..0);
            let at = span.start;
            let field = key_at(source, span, e.message());
            let mut message = e.message().trim().to_string();
            if let Some(hint) = did_you_mean(&message) {
                message.push_str(&format!("; did you mean `{hint}`?"));
            }
            errors.at(at, field, message);
            return Err(errors.finish().unwrap_err());
        }
    };
    let mut errors = Collector::new(path, source);
    let base = path.parent().unwrap_or(Path::new("."));
    let scenario = build(&file, path, base, files, &mut errors);
    errors.finish()?;
    scenario.ok_or_else(|| ScenarioError::Invalid(Vec::new()))
}

/// For serde's "unknown field `X`, expected one of `a`, `b`, …": the expected name closest
/// to X, when it is close enough to be a typo (at most a third of its letters edited).
pub fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest.split_once("expected")?.1;
    let candidates = expected.split('`').skip(1).step_by(2);
    closest(unknown, candidates)
}

/// The candidate closest to `word` by edit distance, if within a third of its length
/// (at least one edit); ties go to the first.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.to_string())
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The field of a parse error: the key written on the line of its span, or for a missing
/// field its name under the table whose header the span points at.
fn key_at(source: &str, span: std::ops::Range<usize>, message: &str) -> String {
    let (line, _) = line_column(source, span.start);
    let text = source.lines().nth(line - 1).unwrap_or("").trim();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    if let Some(missing) = missing {
        // An empty span at the start means the top level of the file.
        if span.is_empty() || !text.starts_with('[') {
            return missing.to_string();
        }
        let table = text.split('#').next().unwrap_or("");
        let table = table.trim().trim_matches(|c| c == '[' || c == ']').trim();
        return format!("{table} → {missing}");
    }
    if text.starts_with('#') {
        return String::new();
    }
    match text.split_once('=') {
        Some((key, _)) if !key.trim().starts_with('[') => key.trim().to_string(),
        _ => text.to_string(),
    }
}

fn build(
    file: &ScenarioFile,
    path: &Path,
    base: &Path,
    files: &Files,
    errors: &mut Collector,
) -> Option<Scenario> {
    let study = file.study.get_ref();
    let hours = *study.hours.get_ref();
    if !(1..=MAX_HOURS).contains(&hours) {
        errors.at(
            study.hours.span().start,
            "study.hours",
            format!("must be a whole number of hours from 1 to {MAX_HOURS}, got {hours}"),
        );
        return None;
    }
    let hours = hours as usize;
    let (weather_years, weather_year_weights) = weather_years(study, errors)?;
    let criterion = study.criterion.as_ref().and_then(|text| {
        Criterion::parse(text.get_ref())
            .map_err(|e| errors.at(text.span().start, "study.criterion", e))
            .ok()
    });

    let mut profiles = ProfileReader::new(base, hours, &weather_years, files);

    // Regions.
    let mut region_index = HashMap::new();
    let mut regions = Vec::new();
    if file.regions.is_empty() {
        errors.at(
            file.study.span().start,
            "regions",
            "the study needs at least one [[regions]] table with a name and load_mw",
        );
    }
    for r in &file.regions {
        let r = r.get_ref();
        let name = r.name.get_ref().clone();
        let field = format!("regions \"{name}\"");
        if region_index.insert(name.clone(), regions.len()).is_some() {
            errors.at(
                r.name.span().start,
                format!("{field} → name"),
                "is used by another region; names must be unique",
            );
        }
        let load = profiles.read(
            &r.load_mw,
            &format!("{field} → load_mw"),
            NON_NEGATIVE_MW,
            errors,
        );
        regions.push(load.map(|load_mw| Region { name, load_mw }));
    }
    let find_region = |region: &Option<Spanned<String>>,
                       field: &str,
                       fallback_at: usize,
                       errors: &mut Collector|
     -> Option<usize> {
        match region {
            Some(r) => match region_index.get(r.get_ref()) {
                Some(&i) => Some(i),
                None => {
                    let mut names: Vec<_> = region_index.keys().cloned().collect();
                    names.sort();
                    errors.at(
                        r.span().start,
                        format!("{field} → region"),
                        format!(
                            "no region is named \"{}\"; regions: {}",
                            r.get_ref(),
                            names.join(", ")
                        ),
                    );
                    None
                }
            },
            None if region_index.len() == 1 => Some(0),
            None if region_index.is_empty() => None,
            None => {
                errors.at(
                    fallback_at,
                    format!("{field} → region"),
                    "is required when the study has several regions",
                );
                None
            }
        }
    };

    // Queued projects.
    let mut project_index = HashMap::new();
    let mut projects = Vec::new();
    for p in &file.queued_projects {
        let p = p.get_ref();
        let name = p.name.get_ref().clone();
        let field = format!("queued_projects \"{name}\"");
        if project_index.insert(name.clone(), projects.len()).is_some() {
            errors.at(
                p.name.span().start,
                format!("{field} → name"),
                "is used by another project; names must be unique",
            );
        }
        let probability = *p.probability.get_ref();
        if !(0.0..=1.0).contains(&probability) {
            errors.at(
                p.probability.span().start,
                format!("{field} → probability"),
                format!(
                    "must be a probability from 0 to 1, got {}",
                    number(probability)
                ),
            );
        }
        projects.push(Project { name, probability });
    }
    let find_project = |project: &Option<Spanned<String>>,
                        field: &str,
                        errors: &mut Collector|
     -> Result<Option<usize>, ()> {
        match project {
            None => Ok(None),
            Some(p) => match project_index.get(p.get_ref()) {
                Some(&i) => Ok(Some(i)),
                None => {
                    errors.at(
                        p.span().start,
                        format!("{field} → project"),
                        format!("no [[queued_projects]] entry is named \"{}\"", p.get_ref()),
                    );
                    Err(())
                }
            },
        }
    };

    // Dispatchable units: those of the unit tables first, then the [[units]] tables, so that
    // a unit added in TOML (a candidate, the probe of `egap credit`) leaves the random
    // streams of the fleet as they were.
    let (table_units, unit_tables) = unit_table::read_all(&file.unit_tables, base, files, errors);
    let mut names = HashMap::new();
    let mut units = Vec::new();
    let mut total_units: i64 = 0;
    for u in table_units.iter().chain(&file.units) {
        let at = u.span().start;
        let u = u.get_ref();
        let name = u.name.get_ref().clone();
        let field = format!("units \"{name}\"");
        let here = u.name.span().start;
        if let Some(&first) = names.get(&name) {
            errors.at(
                here,
                format!("{field} → name"),
                format!(
                    "is used by another unit; names must be unique{}",
                    elsewhere(errors, first, here)
                ),
            );
        } else {
            names.insert(name.clone(), here);
        }
        let region = find_region(&u.region, &field, at, errors);
        let count = u.count.as_ref().map_or(1, |c| *c.get_ref());
        if !(1..=MAX_UNITS).contains(&count) {
            let at = u.count.as_ref().map_or(at, |c| c.span().start);
            errors.at(
                at,
                format!("{field} → count"),
                format!("must be a whole number of units from 1 to {MAX_UNITS}, got {count}"),
            );
        }
        // Saturating: a count is checked above, but two of i64::MAX must still add up.
        total_units = total_units.saturating_add(count.max(0));
        let capacity = profiles.read(
            &u.capacity_mw,
            &format!("{field} → capacity_mw"),
            NON_NEGATIVE_MW,
            errors,
        );
        let outage = outage(&OutageFields::of_unit(u), &field, at, false, errors);
        let project = find_project(&u.project, &field, errors);
        if let (Some(region), Some(capacity_mw), Some(outage), Ok(project)) =
            (region, capacity, outage, project)
        {
            units.push(UnitGroup {
                name,
                region,
                count: count.clamp(1, MAX_UNITS) as u32,
                capacity_mw,
                outage,
                project,
            });
        }
    }
    if total_units > MAX_UNITS {
        errors.at(
            file.study.span().start,
            "units",
            format!("the system has {total_units} units in all; at most {MAX_UNITS} are supported"),
        );
    }

    // Variable renewables.
    let mut renewables = Vec::new();
    for r in &file.renewables {
        let at = r.span().start;
        let r = r.get_ref();
        let name = r.name.get_ref().clone();
        let field = format!("renewables \"{name}\"");
        let here = r.name.span().start;
        if let Some(&first) = names.get(&name) {
            errors.at(
                here,
                format!("{field} → name"),
                format!(
                    "is used by another unit or renewable; names must be unique{}",
                    elsewhere(errors, first, here)
                ),
            );
        } else {
            names.insert(name.clone(), here);
        }
        let region = find_region(&r.region, &field, at, errors);
        let capacity_mw = *r.capacity_mw.get_ref();
        if !(0.0..=MAX_MW).contains(&capacity_mw) {
            errors.at(
                r.capacity_mw.span().start,
                format!("{field} → capacity_mw"),
                format!(
                    "must be a number of MW from 0 to {MAX_MW}, got {}",
                    number(capacity_mw)
                ),
            );
        }
        let cf = profiles.read(
            &r.capacity_factor,
            &format!("{field} → capacity_factor"),
            FRACTION,
            errors,
        );
        let project = find_project(&r.project, &field, errors);
        if let (Some(region), Some(capacity_factor), Ok(project)) = (region, cf, project) {
            renewables.push(Renewable {
                name,
                region,
                capacity_mw,
                capacity_factor,
                project,
            });
        }
    }

    // Uncertain demand.
    let load_multiplier = match &file.load_multiplier {
        None => Some(Uncertain::fixed(1.0)),
        Some(v) => Uncertain::parse(v, "load_multiplier", (0.0, 10.0), errors),
    };
    let mut added_loads = Vec::new();
    let mut added_load_names = std::collections::HashSet::new();
    for a in &file.added_loads {
        let at = a.span().start;
        let a = a.get_ref();
        let name = a.name.get_ref().clone();
        let field = format!("added_loads \"{name}\"");
        // `--set added_loads[NAME]` and the samples' columns name an added load.
        if !added_load_names.insert(name.clone()) {
            errors.at(
                a.name.span().start,
                format!("{field} → name"),
                "is used by another added load; names must be unique",
            );
        }
        let region = find_region(&a.region, &field, at, errors);
        let size = Uncertain::parse(
            &a.size_mw,
            &format!("{field} → size_mw"),
            (0.0, MAX_MW),
            errors,
        );
        let utilization = match &a.utilization {
            None => Some(Uncertain::fixed(1.0)),
            Some(v) => Uncertain::parse(v, &format!("{field} → utilization"), (0.0, 1.0), errors),
        };
        let shape = a
            .shape
            .as_ref()
            .map(|s| profiles.read(s, &format!("{field} → shape"), FRACTION, errors));
        if let (Some(region), Some(size_mw), Some(utilization)) = (region, size, utilization) {
            match shape {
                Some(None) => {}
                Some(Some(s)) => added_loads.push(AddedLoad {
                    name,
                    region,
                    size_mw,
                    utilization,
                    shape: Some(s),
                }),
                None => added_loads.push(AddedLoad {
                    name,
                    region,
                    size_mw,
                    utilization,
                    shape: None,
                }),
            }
        }
    }

    // Storage.
    let mut storage = Vec::new();
    for st in &file.storage {
        let at = st.span().start;
        let st = st.get_ref();
        let name = st.name.get_ref().clone();
        let field = format!("storage \"{name}\"");
        let here = st.name.span().start;
        if let Some(&first) = names.get(&name) {
            errors.at(
                here,
                format!("{field} → name"),
                format!(
                    "is used by another unit, renewable or storage; names must be unique{}",
                    elsewhere(errors, first, here)
                ),
            );
        } else {
            names.insert(name.clone(), here);
        }
        let region = find_region(&st.region, &field, at, errors);
        let mut positive = |v: &Spanned<f64>, key: &str, what: &str, zero_ok: bool| {
            let x = *v.get_ref();
            let ok = x.is_finite() && x <= MAX_MW && if zero_ok { x >= 0.0 } else { x > 0.0 };
            if !ok {
                let low = if zero_ok { "from 0" } else { "above 0 and" };
                errors.at(
                    v.span().start,
                    format!("{field} → {key}"),
                    format!(
                        "must be a number of {what} {low} up to {MAX_MW}, got {}",
                        number(x)
                    ),
                );
            }
            ok.then_some(x)
        };
        let charge = positive(&st.charge_mw, "charge_mw", "MW", true);
        let discharge = positive(&st.discharge_mw, "discharge_mw", "MW", true);
        let energy = positive(&st.energy_mwh, "energy_mwh", "MWh", true);
        let mut fraction =
            |v: &Option<Spanned<f64>>, key: &str, zero_ok: bool| -> Option<Option<f64>> {
                let Some(v) = v else { return Some(None) };
                let x = *v.get_ref();
                let ok = x.is_finite() && x <= 1.0 && if zero_ok { x >= 0.0 } else { x > 0.0 };
                if ok {
                    Some(Some(x))
                } else {
                    let range = if zero_ok {
                        "from 0 to 1"
                    } else {
                        "above 0 and at most 1"
                    };
                    errors.at(
                        v.span().start,
                        format!("{field} → {key}"),
                        format!("must be a fraction {range}, got {}", number(x)),
                    );
                    None
                }
            };
        let round_trip = fraction(&st.round_trip_efficiency, "round_trip_efficiency", false);
        let charge_eff = fraction(&st.charge_efficiency, "charge_efficiency", false);
        let discharge_eff = fraction(&st.discharge_efficiency, "discharge_efficiency", false);
        let initial_soc = fraction(&st.initial_soc, "initial_soc", true);
        let efficiencies = match (round_trip, charge_eff, discharge_eff) {
            (Some(None), Some(None), Some(None)) => Some((1.0, 1.0)),
            (Some(Some(rt)), Some(None), Some(None)) => Some((rt.sqrt(), rt.sqrt())),
            (Some(None), Some(Some(c)), Some(Some(d))) => Some((c, d)),
            (Some(_), Some(_), Some(_)) => {
                errors.at(
                    at,
                    field.clone(),
                    "give either round_trip_efficiency (split evenly between charging and discharging) or both charge_efficiency and discharge_efficiency",
                );
                None
            }
            _ => None,
        };
        let shift = match st.dispatch.as_ref().map(|d| d.get_ref().as_str()) {
            None | Some("reliability") => Some(false),
            Some("shift") => Some(true),
            Some(other) => {
                let d = st.dispatch.as_ref().expect("matched Some");
                errors.at(
                    d.span().start,
                    format!("{field} → dispatch"),
                    format!(
                        "must be \"reliability\" (discharge only to avoid shortfall) or \"shift\" (also give energy back when nothing is short and no renewable surplus exists), got \"{other}\""
                    ),
                );
                None
            }
        };
        let outage = outage(&OutageFields::of_storage(st), &field, at, true, errors);
        let project = find_project(&st.project, &field, errors);
        if let (
            Some(region),
            Some(charge_mw),
            Some(discharge_mw),
            Some(energy_mwh),
            Some((charge_efficiency, discharge_efficiency)),
            Some(initial_soc),
            Some(outage),
            Ok(project),
            Some(shift),
        ) = (
            region,
            charge,
            discharge,
            energy,
            efficiencies,
            initial_soc,
            outage,
            project,
            shift,
        ) {
            storage.push(Storage {
                name,
                region,
                charge_mw,
                discharge_mw,
                energy_mwh,
                charge_efficiency,
                discharge_efficiency,
                initial_soc: initial_soc.unwrap_or(0.0),
                outage,
                project,
                shift,
            });
        }
    }

    // Interfaces.
    let mut interfaces = Vec::new();
    let mut interface_names = HashMap::new();
    for (k, i) in file.interfaces.iter().enumerate() {
        let at = i.span().start;
        let i = i.get_ref();
        let name = i.name.as_ref().map_or_else(
            || format!("{}-{}", i.from.get_ref(), i.to.get_ref()),
            |n| n.get_ref().clone(),
        );
        let field = format!("interfaces \"{name}\"");
        if interface_names.insert(name.clone(), k).is_some() {
            errors.at(
                i.name.as_ref().map_or(at, |n| n.span().start),
                format!("{field} → name"),
                "is used by another interface; give each interface its own name",
            );
        }
        let mut ends = [None, None];
        for (slot, (key, end)) in [("from", &i.from), ("to", &i.to)].into_iter().enumerate() {
            match region_index.get(end.get_ref()) {
                Some(&r) => ends[slot] = Some(r),
                None => {
                    let mut names: Vec<_> = region_index.keys().cloned().collect();
                    names.sort();
                    errors.at(
                        end.span().start,
                        format!("{field} → {key}"),
                        format!(
                            "no region is named \"{}\"; regions: {}",
                            end.get_ref(),
                            names.join(", ")
                        ),
                    );
                }
            }
        }
        if i.from.get_ref() == i.to.get_ref() {
            errors.at(
                i.to.span().start,
                format!("{field} → to"),
                format!(
                    "an interface must join two different regions, got \"{}\" at both ends",
                    i.to.get_ref()
                ),
            );
            ends = [None, None];
        }
        let mut limit = |v: &Option<format::Value>, key: &str, errors: &mut Collector| {
            v.as_ref()
                .map(|v| profiles.read(v, &format!("{field} → {key}"), NON_NEGATIVE_MW, errors))
        };
        let both = limit(&i.limit_mw, "limit_mw", errors);
        let forward = limit(&i.limit_forward_mw, "limit_forward_mw", errors);
        let backward = limit(&i.limit_backward_mw, "limit_backward_mw", errors);
        let limits = match (both, forward, backward) {
            (Some(b), None, None) => b.map(|b| (b.clone(), b)),
            (None, Some(f), Some(b)) => f.zip(b),
            (None, None, None) | (Some(_), _, _) | (None, _, _) => {
                errors.at(
                    at,
                    field.clone(),
                    "give either limit_mw (the same both ways) or both limit_forward_mw and limit_backward_mw",
                );
                None
            }
        };
        let circuits = i.circuits.as_ref().map_or(1, |c| *c.get_ref());
        if !(1..=MAX_CIRCUITS).contains(&circuits) {
            errors.at(
                i.circuits.as_ref().map_or(at, |c| c.span().start),
                format!("{field} → circuits"),
                format!("must be a whole number from 1 to {MAX_CIRCUITS}, got {circuits}"),
            );
        }
        let outage = outage(&OutageFields::of_interface(i), &field, at, true, errors);
        if let ([Some(from), Some(to)], Some((forward_mw, backward_mw)), Some(outage), true) =
            (ends, limits, outage, (1..=MAX_CIRCUITS).contains(&circuits))
        {
            interfaces.push(Interface {
                name,
                from,
                to,
                forward_mw,
                backward_mw,
                circuits: circuits as u32,
                outage,
            });
        }
    }
    if region_index.len() > MAX_REGIONS {
        errors.at(
            file.study.span().start,
            "regions",
            format!(
                "the study has {} regions; at most {MAX_REGIONS} are supported",
                region_index.len()
            ),
        );
    }
    if file.interfaces.len() > MAX_INTERFACES {
        errors.at(
            file.study.span().start,
            "interfaces",
            format!(
                "the study has {} interfaces; at most {MAX_INTERFACES} are supported",
                file.interfaces.len()
            ),
        );
    }
    if file.storage.len() > MAX_STORAGE {
        errors.at(
            file.study.span().start,
            "storage",
            format!(
                "the study has {} storage devices; at most {MAX_STORAGE} are supported",
                file.storage.len()
            ),
        );
    }

    let regions: Option<Vec<Region>> = regions.into_iter().collect();
    let name = study.name.as_ref().map_or_else(
        || {
            path.file_stem()
                .map_or("study".into(), |s| s.to_string_lossy().into_owned())
        },
        |n| n.get_ref().clone(),
    );
    let mut inputs = vec![path.to_path_buf()];
    inputs.extend(profiles.files_read());
    inputs.extend(unit_tables);
    Some(Scenario {
        name,
        description: study.description.clone(),
        criterion,
        source: path.to_path_buf(),
        inputs,
        hours,
        weather_years,
        weather_year_weights,
        regions: regions?,
        units,
        renewables,
        load_multiplier: load_multiplier?,
        added_loads,
        projects,
        storage,
        interfaces,
    })
}

/// For a name used twice: where the first use is, when it is in another file than the second
/// (a unit table and the scenario, say); within one file the line of the first is easy to find.
fn elsewhere(errors: &Collector, first: usize, second: usize) -> String {
    let (file, line) = errors.line_of(first);
    if file == errors.line_of(second).0 {
        return String::new();
    }
    // Shown as the scenario refers to it, relative to its folder.
    let folder = errors.file.parent().unwrap_or(Path::new(""));
    let shown = file.strip_prefix(folder).unwrap_or(&file);
    format!(" (the other is at {}:{line})", shown.display())
}

fn weather_years(study: &format::Study, errors: &mut Collector) -> Option<(Vec<String>, Vec<f64>)> {
    let Some(years) = &study.weather_years else {
        if let Some(w) = &study.weather_year_weights {
            errors.at(
                w.span().start,
                "study.weather_year_weights",
                "needs study.weather_years to weigh",
            );
        }
        return Some((vec![String::new()], vec![1.0]));
    };
    let names: Vec<String> = years
        .get_ref()
        .iter()
        .map(|y| y.get_ref().clone())
        .collect();
    if names.is_empty() {
        errors.at(
            years.span().start,
            "study.weather_years",
            "must name at least one weather year, or be left out",
        );
        return None;
    }
    let mut ok = true;
    for (i, y) in years.get_ref().iter().enumerate() {
        if y.get_ref().trim().is_empty() || names[..i].contains(y.get_ref()) {
            errors.at(
                y.span().start,
                "study.weather_years",
                format!(
                    "names must be non-empty and unique, got \"{}\"",
                    y.get_ref()
                ),
            );
            ok = false;
        }
    }
    let weights = match &study.weather_year_weights {
        None => vec![1.0 / names.len() as f64; names.len()],
        Some(w) => {
            let values: Vec<f64> = w.get_ref().iter().map(|v| *v.get_ref()).collect();
            let total: f64 = values.iter().sum();
            if values.len() != names.len() {
                errors.at(
                    w.span().start,
                    "study.weather_year_weights",
                    format!(
                        "needs one weight per weather year ({}), got {}",
                        names.len(),
                        values.len()
                    ),
                );
                return None;
            }
            if values.iter().any(|v| !v.is_finite() || *v < 0.0)
                || !(total > 0.0 && total.is_finite())
            {
                errors.at(
                    w.span().start,
                    "study.weather_year_weights",
                    "must be non-negative numbers, not all zero, with a finite sum",
                );
                return None;
            }
            values.iter().map(|v| v / total).collect()
        }
    };
    ok.then_some((names, weights))
}

/// The outage fields of a unit, a storage device or an interface.
struct OutageFields<'a> {
    mttf_h: &'a Option<Spanned<f64>>,
    mttr_h: &'a Option<Spanned<f64>>,
    forced_outage_rate: &'a Option<Spanned<f64>>,
    failure_probability: &'a Option<Spanned<f64>>,
    repair_probability: &'a Option<Spanned<f64>>,
}

impl<'a> OutageFields<'a> {
    fn of_unit(u: &'a format::Unit) -> Self {
        OutageFields {
            mttf_h: &u.mttf_h,
            mttr_h: &u.mttr_h,
            forced_outage_rate: &u.forced_outage_rate,
            failure_probability: &u.failure_probability,
            repair_probability: &u.repair_probability,
        }
    }

    fn of_storage(s: &'a format::Storage) -> Self {
        OutageFields {
            mttf_h: &s.mttf_h,
            mttr_h: &s.mttr_h,
            forced_outage_rate: &s.forced_outage_rate,
            failure_probability: &s.failure_probability,
            repair_probability: &s.repair_probability,
        }
    }

    fn of_interface(i: &'a format::Interface) -> Self {
        OutageFields {
            mttf_h: &i.mttf_h,
            mttr_h: &i.mttr_h,
            forced_outage_rate: &i.forced_outage_rate,
            failure_probability: &i.failure_probability,
            repair_probability: &i.repair_probability,
        }
    }
}

/// The three ways to give an outage model, for messages.
const OUTAGE_FORMS: &str = "give either mttf_h and mttr_h (hours), or forced_outage_rate (a fraction) and mttr_h, or failure_probability and repair_probability (per hour)";

/// The outage model from a forced outage rate and a mean time to repair: the unit is down
/// a fraction FOR of the time, so MTTF = MTTR · (1 − FOR) / FOR; FOR = 0 never fails.
fn outage_by_rate(
    u: &OutageFields,
    rate: &Spanned<f64>,
    field: &str,
    at: usize,
    errors: &mut Collector,
) -> Option<Outage> {
    if u.mttf_h.is_some() || u.failure_probability.is_some() || u.repair_probability.is_some() {
        errors.at(
            at,
            field,
            format!("has forced_outage_rate and another outage form; {OUTAGE_FORMS}"),
        );
        return None;
    }
    let x = *rate.get_ref();
    let key = format!("{field} → forced_outage_rate");
    if !(x.is_finite() && (0.0..1.0).contains(&x)) {
        errors.at(
            rate.span().start,
            key,
            format!(
                "must be a fraction from 0 (never fails) to below 1 (0.05 is 5% of the time on forced outage), got {}",
                number(x)
            ),
        );
        return None;
    }
    let Some(mttr) = u.mttr_h.as_ref() else {
        errors.at(
            at,
            field,
            format!("needs mttr_h with forced_outage_rate; {OUTAGE_FORMS}"),
        );
        return None;
    };
    let r = *mttr.get_ref();
    if !(r.is_finite() && (1.0..=MAX_MEAN_HOURS).contains(&r)) {
        return None; // reported by the caller with the other means
    }
    if x == 0.0 {
        return Some(Outage {
            failure_probability: 0.0,
            repair_probability: 1.0 / r,
        });
    }
    let mttf = r * (1.0 - x) / x;
    if !(1.0..=MAX_MEAN_HOURS).contains(&mttf) {
        errors.at(
            rate.span().start,
            key,
            format!(
                "with mttr_h = {} gives a mean time to failure of {} h, outside 1 to {MAX_MEAN_HOURS:e} h (MTTF = MTTR · (1 − FOR) / FOR)",
                number(r),
                number(mttf)
            ),
        );
        return None;
    }
    Some(Outage {
        failure_probability: 1.0 / mttf,
        repair_probability: 1.0 / r,
    })
}

/// The outage model; with `optional`, giving none means the element never fails (units must
/// say so explicitly, since a unit without an outage model is more likely a mistake).
fn outage(
    u: &OutageFields,
    field: &str,
    at: usize,
    optional: bool,
    errors: &mut Collector,
) -> Option<Outage> {
    let mean = |v: &Option<Spanned<f64>>, key: &str, errors: &mut Collector| -> Option<f64> {
        let v = v.as_ref()?;
        let x = *v.get_ref();
        if x.is_finite() && (1.0..=MAX_MEAN_HOURS).contains(&x) {
            Some(x)
        } else {
            let why = if x < 1.0 {
                "an hourly model cannot resolve shorter"
            } else {
                "1e7 hours is over a thousand years"
            };
            errors.at(
                v.span().start,
                format!("{field} → {key}"),
                format!(
                    "must be a number of hours from 1 to {MAX_MEAN_HOURS:e} ({why}), got {}",
                    number(x)
                ),
            );
            None
        }
    };
    let prob = |v: &Option<Spanned<f64>>,
                key: &str,
                lowest_open: bool,
                errors: &mut Collector|
     -> Option<f64> {
        let v = v.as_ref()?;
        let x = *v.get_ref();
        let ok = x.is_finite() && x <= 1.0 && if lowest_open { x > 0.0 } else { x >= 0.0 };
        if ok {
            Some(x)
        } else {
            let range = if lowest_open {
                "above 0 and at most 1"
            } else {
                "from 0 to 1"
            };
            errors.at(
                v.span().start,
                format!("{field} → {key}"),
                format!("must be a per-hour probability {range}, got {}", number(x)),
            );
            None
        }
    };
    if let Some(rate) = u.forced_outage_rate {
        return outage_by_rate(u, rate, field, at, errors).or_else(|| {
            // Report a bad mttr_h too, in the same pass.
            mean(u.mttr_h, "mttr_h", errors);
            None
        });
    }
    let by_means = u.mttf_h.is_some() || u.mttr_h.is_some();
    let by_probabilities = u.failure_probability.is_some() || u.repair_probability.is_some();
    let form = OUTAGE_FORMS;
    match (by_means, by_probabilities) {
        (true, true) => {
            errors.at(at, field, format!("has both outage forms; {form}"));
            None
        }
        (false, false) if optional => Some(Outage {
            failure_probability: 0.0,
            repair_probability: 1.0,
        }),
        (false, false) => {
            errors.at(
                at,
                field,
                format!("has no outage model; {form}; 0 and 1 make a unit that never fails"),
            );
            None
        }
        (true, false) => {
            let (f, r) = (
                mean(u.mttf_h, "mttf_h", errors),
                mean(u.mttr_h, "mttr_h", errors),
            );
            if u.mttf_h.is_none() || u.mttr_h.is_none() {
                errors.at(at, field, format!("needs both mttf_h and mttr_h; {form}"));
            }
            Some(Outage {
                failure_probability: 1.0 / f?,
                repair_probability: 1.0 / r?,
            })
        }
        (false, true) => {
            let f = prob(u.failure_probability, "failure_probability", false, errors);
            let r = prob(u.repair_probability, "repair_probability", true, errors);
            if u.failure_probability.is_none() || u.repair_probability.is_none() {
                errors.at(
                    at,
                    field,
                    format!("needs both failure_probability and repair_probability; {form}"),
                );
            }
            let (f, r) = (f?, r?);
            let too_rare = |p: f64| p > 0.0 && p < 1.0 / MAX_MEAN_HOURS;
            if too_rare(f) || too_rare(r) {
                errors.at(
                    at,
                    field,
                    format!(
                        "per-hour probabilities must be 0 (never fails) or at least {:e}",
                        1.0 / MAX_MEAN_HOURS
                    ),
                );
                return None;
            }
            Some(Outage {
                failure_probability: f,
                repair_probability: r,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_get_the_nearest_field_and_strangers_none() {
        let m = "unknown field `capacty_mw`, expected one of `name`, `capacity_mw`, `count`";
        assert_eq!(did_you_mean(m).as_deref(), Some("capacity_mw"));
        let m = "unknown field `wibble`, expected one of `name`, `capacity_mw`, `count`";
        assert_eq!(did_you_mean(m), None);
        assert_eq!(did_you_mean("invalid type: string"), None);
        assert_eq!(edit_distance("mttr_h", "mttf_h"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(
            closest("regin", ["region", "regions"]).as_deref(),
            Some("region")
        );
    }
}
