//! The HDF5 side of reading a `.pras` file (built with the default `pras` feature, which
//! links the system's HDF5 library).

use std::path::Path;

use hdf5::types::{FixedAscii, FixedUnicode, VarLenAscii, VarLenUnicode};

use super::PrasError;
use super::file::{Assets, GROUPS, PrasSystem, Series, known_properties};

/// Reads every group and property of the file at `path`.
pub(crate) fn read(path: &Path) -> Result<PrasSystem, PrasError> {
    let fail = |place: &str, message: String| PrasError::new(path, place, message);
    let file = hdf5::File::open(path).map_err(|e| {
        fail(
            "",
            format!("cannot be opened as an HDF5 file (a .pras file is HDF5): {e}"),
        )
    })?;
    let steps = int_attr(&file, "timestep_count").map_err(|m| fail("timestep_count", m))?;
    let steps = usize::try_from(steps)
        .ok()
        .filter(|&s| s > 0)
        .ok_or_else(|| {
            fail(
                "timestep_count",
                format!("must be a positive number of timesteps, got {steps}"),
            )
        })?;
    let text = |name: &str| string_attr(&file, name).map_err(|m| fail(name, m));
    let mut system = PrasSystem {
        version: text("pras_dataversion")?,
        start_timestamp: text("start_timestamp")?,
        steps,
        step_length: int_attr(&file, "timestep_length").map_err(|m| fail("timestep_length", m))?,
        step_unit: text("timestep_unit")?,
        power_unit: text("power_unit")?,
        energy_unit: text("energy_unit")?,
        ..PrasSystem::default()
    };
    let members = file
        .member_names()
        .map_err(|e| fail("/", format!("cannot list the groups: {e}")))?;
    for name in &members {
        if !GROUPS.contains(&name.as_str()) {
            let group = file.group(name).ok();
            let core_len = group
                .and_then(|g| g.dataset("_core").ok())
                .map(|d| d.size());
            if core_len != Some(0) {
                return Err(fail(
                    &format!("/{name}"),
                    format!(
                        "{} are not in egap's model, so this system cannot be run without changing its results (egap reads {}); remove them from the system, or model them as load or generation",
                        feature_name(name),
                        GROUPS.join(", ")
                    ),
                ));
            }
        }
    }
    for group in GROUPS {
        if !members.iter().any(|m| m == group) {
            if group == "regions" {
                return Err(fail(
                    "/regions",
                    "is missing; a PRAS system has at least one region".into(),
                ));
            }
            continue;
        }
        let assets = read_group(&file, group, steps).map_err(|(place, m)| fail(&place, m))?;
        match group {
            "regions" => system.regions = assets,
            "generators" => system.generators = assets,
            "storages" => system.storages = assets,
            "generatorstorages" => system.generator_storages = assets,
            "interfaces" => system.interfaces = assets,
            _ => system.lines = assets,
        }
    }
    Ok(system)
}

/// The name a reader knows a PRAS group by.
fn feature_name(group: &str) -> String {
    match group {
        "demandresponses" => "demand responses (/demandresponses)".into(),
        other => format!("assets of the group /{other}"),
    }
}

fn int_attr(file: &hdf5::File, name: &str) -> Result<i64, String> {
    file.attr(name)
        .and_then(|a| a.read_scalar::<i64>())
        .map_err(|e| format!("cannot read this root attribute as an integer: {e}"))
}

/// A string attribute in whichever of HDF5's string types the writer chose.
fn string_attr(file: &hdf5::File, name: &str) -> Result<String, String> {
    let attr = file
        .attr(name)
        .map_err(|e| format!("the root attribute is missing: {e}"))?;
    if let Ok(s) = attr.read_scalar::<FixedUnicode<256>>() {
        return Ok(s.as_str().to_string());
    }
    if let Ok(s) = attr.read_scalar::<FixedAscii<256>>() {
        return Ok(s.as_str().to_string());
    }
    if let Ok(s) = attr.read_scalar::<VarLenUnicode>() {
        return Ok(s.as_str().to_string());
    }
    attr.read_scalar::<VarLenAscii>()
        .map(|s| s.as_str().to_string())
        .map_err(|e| format!("cannot read this root attribute as text: {e}"))
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Named {
    name: FixedAscii<256>,
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Placed {
    name: FixedAscii<256>,
    category: FixedAscii<256>,
    region: FixedAscii<256>,
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Joining {
    region_from: FixedAscii<256>,
    region_to: FixedAscii<256>,
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Line {
    name: FixedAscii<256>,
    category: FixedAscii<256>,
    region_from: FixedAscii<256>,
    region_to: FixedAscii<256>,
}

fn text(s: &FixedAscii<256>) -> String {
    s.as_str().to_string()
}

fn read_group(file: &hdf5::File, group: &str, steps: usize) -> Result<Assets, (String, String)> {
    let g = file
        .group(group)
        .map_err(|e| (format!("/{group}"), format!("cannot be opened: {e}")))?;
    let core_place = format!("/{group}/_core");
    let core = g.dataset("_core").map_err(|e| {
        (
            core_place.clone(),
            format!("is missing (every group names its assets in a _core table): {e}"),
        )
    })?;
    let bad_core = |e: hdf5::Error| {
        (
            core_place.clone(),
            format!("cannot be read as PRAS's table of names for {group}: {e}"),
        )
    };
    let mut assets = Assets::default();
    match group {
        "regions" => {
            let rows: Vec<Named> = core.read_raw().map_err(bad_core)?;
            assets.names = rows.iter().map(|r| text(&r.name)).collect();
        }
        "interfaces" => {
            let rows: Vec<Joining> = core.read_raw().map_err(bad_core)?;
            assets.from = rows.iter().map(|r| text(&r.region_from)).collect();
            assets.to = rows.iter().map(|r| text(&r.region_to)).collect();
            assets.names = rows
                .iter()
                .map(|r| format!("{}-{}", text(&r.region_from), text(&r.region_to)))
                .collect();
        }
        "lines" => {
            let rows: Vec<Line> = core.read_raw().map_err(bad_core)?;
            assets.names = rows.iter().map(|r| text(&r.name)).collect();
            assets.categories = rows.iter().map(|r| text(&r.category)).collect();
            assets.from = rows.iter().map(|r| text(&r.region_from)).collect();
            assets.to = rows.iter().map(|r| text(&r.region_to)).collect();
        }
        _ => {
            let rows: Vec<Placed> = core.read_raw().map_err(bad_core)?;
            assets.names = rows.iter().map(|r| text(&r.name)).collect();
            assets.categories = rows.iter().map(|r| text(&r.category)).collect();
            assets.regions = rows.iter().map(|r| text(&r.region)).collect();
        }
    }
    let count = assets.len();
    let known = known_properties(group);
    let members = g.member_names().map_err(|e| {
        (
            format!("/{group}"),
            format!("cannot list its datasets: {e}"),
        )
    })?;
    for name in members.iter().filter(|m| m.as_str() != "_core") {
        let place = format!("/{group}/{name}");
        if !known.contains(&name.as_str()) {
            return Err((
                place,
                format!(
                    "is not a property egap knows for {group} (known: {}); egap refuses what it cannot model rather than ignore it",
                    known.join(", ")
                ),
            ));
        }
        let dataset = g
            .dataset(name)
            .map_err(|e| (place.clone(), format!("cannot be opened: {e}")))?;
        let shape = dataset.shape();
        if shape != [steps, count] {
            return Err((
                place,
                format!("has shape {shape:?}; expected [{steps}, {count}] (timesteps × {group})"),
            ));
        }
        let values: Vec<f64> = dataset
            .read_raw()
            .map_err(|e| (place.clone(), format!("cannot be read as numbers: {e}")))?;
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err((
                place,
                format!(
                    "timestep {}, {}: is {}; every value must be a finite number",
                    i / count.max(1) + 1,
                    assets
                        .names
                        .get(i % count.max(1))
                        .map_or("?", String::as_str),
                    values[i]
                ),
            ));
        }
        assets.properties.insert(
            name.clone(),
            Series {
                steps,
                assets: count,
                values,
            },
        );
    }
    for name in known {
        if count > 0 && !assets.properties.contains_key(*name) {
            return Err((
                format!("/{group}/{name}"),
                format!("is missing; PRAS {group} need {}", known.join(", ")),
            ));
        }
    }
    Ok(assets)
}
