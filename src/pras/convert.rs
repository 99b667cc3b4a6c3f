//! A PRAS system as an egap scenario: TOML text and one CSV of profiles.
//!
//! Everything PRAS states is carried over exactly or refused by name; nothing is dropped.
//! What maps how:
//! - regions → `[[regions]]`, load in MW (constant, or a CSV column when it varies);
//! - generators → `[[units]]` of count 1: capacity per hour, and PRAS's per-step failure and
//!   repair probabilities as egap's per-hour λ and μ (which must not vary over time);
//! - except generators that never fail (λ = 0) and whose capacity varies by the hour (wind,
//!   solar, run-of-river as PRAS files carry them) → `[[renewables]]` of that hourly output,
//!   so that what the system cannot use is reported as curtailment. Shortfall is the same
//!   either way (renewables and dispatchable capacity serve a deficit alike);
//!   `Generators::AsPras` keeps every generator a unit, as PRAS classes them;
//! - storages → `[[storage]]` with PRAS's charge and discharge efficiencies, empty at the start
//!   (as PRAS starts them), reliability dispatch;
//! - generator-storages that can never hold energy (charge capacity 0, or energy capacity 0)
//!   → units whose hourly capacity is min(inflow, grid injection): the only way PRAS lets
//!   such a device deliver energy;
//! - lines → `[[interfaces]]`, identical lines of one PRAS interface joined as circuits of
//!   one egap interface (k of n up carry k/n of the limit, as k lines would in PRAS).
//!
//! Refused, each with the asset, the property and the step: timesteps other than one hour,
//! more than 8784 steps, properties that change over time where egap's are constant (outage
//! probabilities, storage parameters), self-discharge, generator-storages that store their
//! inflow, and interface limits below the sum of their lines.

use std::collections::HashSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use super::PrasError;
use super::file::{Assets, PrasSystem, Series};
use crate::scenario::Files;

/// Longest study egap runs, hours.
const MAX_STEPS: usize = 8784;
/// Smallest non-zero per-hour probability egap accepts (a mean of ten million hours).
const MIN_PROBABILITY: f64 = 1.0e-7;
/// Most circuits of one egap interface.
const MAX_CIRCUITS: usize = 64;

/// An imported system: the scenario text and its profiles, ready to write or to run.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The study's name (the file's stem).
    pub name: String,
    pub toml: String,
    /// The profile CSV's file name, beside the TOML.
    pub csv_name: String,
    pub csv: String,
    /// Generators that became renewables.
    pub renewables: usize,
}

impl Imported {
    /// File name of the scenario TOML.
    pub fn toml_name(&self) -> String {
        format!("{}.toml", self.name)
    }

    /// The profiles as in-memory files for a scenario read as if from `scenario`.
    pub fn files(&self, scenario: &Path) -> Files {
        let base = scenario.parent().unwrap_or(Path::new("."));
        Files::from([(base.join(&self.csv_name), self.csv.clone().into_bytes())])
    }

    /// Writes the TOML and the CSV into `dir` (created if needed); returns the TOML's path.
    pub fn write(&self, dir: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(&self.csv_name), &self.csv)?;
        let toml = dir.join(self.toml_name());
        std::fs::write(&toml, &self.toml)?;
        Ok(toml)
    }
}

/// Where the header's sentence on generators goes once they are classed.
const CLASSES: &str = "<generators>";

/// How PRAS generators become egap assets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Generators {
    /// Those that never fail and vary by the hour become renewables (their unused output is
    /// curtailment); the rest units.
    #[default]
    RenewablesWhereHourly,
    /// Every generator a dispatchable unit, as PRAS has them: no curtailment is reported.
    AsPras,
}

/// Converts `system`, read from `path`, into an egap scenario.
pub fn to_scenario(
    system: &PrasSystem,
    path: &Path,
    generators: Generators,
) -> Result<Imported, PrasError> {
    let fail = |place: &str, message: String| PrasError::new(path, place, message);
    let name = path
        .file_stem()
        .map_or_else(|| "pras".to_string(), |s| s.to_string_lossy().into_owned());

    let minutes = step_minutes(system.step_length, &system.step_unit).ok_or_else(|| {
        fail(
            "timestep_unit",
            format!(
                "is \"{}\"; PRAS writes ms, s, min, h or d",
                system.step_unit
            ),
        )
    })?;
    if minutes != 60.0 {
        return Err(fail(
            "timestep_length",
            format!(
                "is {} {}; egap's model steps in hours, so the timestep must be one hour (1 h, 60 min or 3600 s) — resample the system to hourly steps",
                system.step_length, system.step_unit
            ),
        ));
    }
    if system.steps > MAX_STEPS {
        return Err(fail(
            "timestep_count",
            format!(
                "is {}; egap studies at most {MAX_STEPS} hours (one leap year) — split the system into years",
                system.steps
            ),
        ));
    }
    let mw = power_to_mw(&system.power_unit).ok_or_else(|| {
        fail(
            "power_unit",
            format!("is \"{}\"; expected kW, MW, GW or TW", system.power_unit),
        )
    })?;
    let mwh = energy_to_mwh(&system.energy_unit).ok_or_else(|| {
        fail(
            "energy_unit",
            format!(
                "is \"{}\"; expected kWh, MWh, GWh or TWh",
                system.energy_unit
            ),
        )
    })?;

    let mut out = Writer {
        toml: String::new(),
        columns: Vec::new(),
        csv_name: format!("{name}-profiles.csv"),
        steps: system.steps,
        renewables: 0,
    };
    let _ = writeln!(
        out.toml,
        "# Imported from {} by `egap import` (egap {}).\n#\n#   PRAS data version {}; {} hourly steps from {}; power in {}, energy in {}\n#   (converted to MW and MWh here).\n#   {} regions, {} generators, {} storages, {} generator-storages, {} interfaces over {} lines.\n#\n# {CLASSES}\n# Storages start empty, as in PRAS. See the README's \"PRAS systems\" section for how\n# egap's dispatch compares with PRAS's.\n",
        path.file_name()
            .map_or(String::new(), |f| f.to_string_lossy().into_owned()),
        env!("CARGO_PKG_VERSION"),
        system.version,
        system.steps,
        system.start_timestamp,
        system.power_unit,
        system.energy_unit,
        system.regions.len(),
        system.generators.len(),
        system.storages.len(),
        system.generator_storages.len(),
        system.interfaces.len(),
        system.lines.len(),
    );
    let _ = writeln!(
        out.toml,
        "[study]\nname = {}\nhours = {}\n",
        quote(&name),
        system.steps
    );

    // Regions.
    let regions: HashSet<&str> = system.regions.names.iter().map(String::as_str).collect();
    let load = property(&system.regions, "regions", "load", path)?;
    for (r, region) in system.regions.names.iter().enumerate() {
        let values = scaled(load, r, mw);
        non_negative(&values, path, "/regions/load", region)?;
        let load = out.profile(&format!("load {region}"), values);
        let _ = writeln!(
            out.toml,
            "[[regions]]\nname = {}\nload_mw = {load}\n",
            quote(region)
        );
    }
    let in_region = |assets: &Assets, group: &str, i: usize| -> Result<(), PrasError> {
        let region = &assets.regions[i];
        if regions.contains(region.as_str()) {
            Ok(())
        } else {
            Err(fail(
                &format!("/{group}/_core"),
                format!(
                    "{}: region \"{region}\" is not one of the system's regions",
                    assets.names[i]
                ),
            ))
        }
    };

    // Names must be unique across units and storage in egap.
    let mut used: HashSet<String> = HashSet::new();
    let mut unique = |group: &str, name: &str| -> Result<(), PrasError> {
        if used.insert(name.to_string()) {
            Ok(())
        } else {
            Err(fail(
                &format!("/{group}/_core"),
                format!(
                    "\"{name}\" names two assets; egap needs unique names across generators, storages and generator-storages"
                ),
            ))
        }
    };

    // Generators.
    let g = &system.generators;
    if !g.is_empty() {
        let capacity = property(g, "generators", "capacity", path)?;
        for i in 0..g.len() {
            in_region(g, "generators", i)?;
            unique("generators", &g.names[i])?;
            let values = scaled(capacity, i, mw);
            non_negative(&values, path, "/generators/capacity", &g.names[i])?;
            let (lambda, mu) = outage_pair(g, "generators", i, path)?;
            let head = format!(
                "name = {}\nregion = {}\nkind = {}",
                quote(&g.names[i]),
                quote(&g.regions[i]),
                quote(&g.categories[i]),
            );
            let peak = values.iter().copied().fold(0.0, f64::max);
            let hourly = values.iter().any(|&v| v != values[0]);
            if generators == Generators::RenewablesWhereHourly && lambda == 0.0 && hourly {
                // capacity × (output / capacity) rounds back to the output exactly: the
                // quotient is within an ulp, far below egap's power unit.
                let factors = values.iter().map(|&v| v / peak).collect();
                let factor = out.profile(&format!("capacity factor {}", g.names[i]), factors);
                let _ = writeln!(
                    out.toml,
                    "[[renewables]]\n{head}\ncapacity_mw = {}\ncapacity_factor = {factor}\n",
                    num(peak),
                );
                out.renewables += 1;
            } else {
                let outage = outage_toml((lambda, mu));
                let capacity = out.profile(&format!("capacity {}", g.names[i]), values);
                let _ = writeln!(
                    out.toml,
                    "[[units]]\n{head}\ncapacity_mw = {capacity}\n{outage}"
                );
            }
        }
    }

    // Generator-storages that never hold energy deliver min(inflow, grid injection).
    let gs = &system.generator_storages;
    if !gs.is_empty() {
        let group = "generatorstorages";
        let charge = property(gs, group, "chargecapacity", path)?;
        let energy = property(gs, group, "energycapacity", path)?;
        let inflow = property(gs, group, "inflow", path)?;
        let injection = property(gs, group, "gridinjectioncapacity", path)?;
        for i in 0..gs.len() {
            in_region(gs, group, i)?;
            unique(group, &gs.names[i])?;
            let never_stores = (0..system.steps).all(|t| charge.at(t, i) == 0.0)
                || (0..system.steps).all(|t| energy.at(t, i) == 0.0);
            if !never_stores {
                return Err(fail(
                    &format!("/{group}/chargecapacity"),
                    format!(
                        "{}: this generator-storage can store its inflow (charge capacity up to {} {}, energy capacity up to {} {}); egap's storage has no inflow, so it cannot be represented exactly — only generator-storages with zero charge or energy capacity import (as units delivering min(inflow, grid injection))",
                        gs.names[i],
                        charge.column(i).into_iter().fold(0.0, f64::max),
                        system.power_unit,
                        energy.column(i).into_iter().fold(0.0, f64::max),
                        system.energy_unit
                    ),
                ));
            }
            let values: Vec<f64> = (0..system.steps)
                .map(|t| inflow.at(t, i).min(injection.at(t, i)) * mw)
                .collect();
            non_negative(&values, path, "/generatorstorages/inflow", &gs.names[i])?;
            let outage = outage(gs, group, i, path)?;
            let capacity = out.profile(&format!("capacity {}", gs.names[i]), values);
            let _ = writeln!(
                out.toml,
                "# A generator-storage that never stores: min(inflow, grid injection) each hour.\n[[units]]\nname = {}\nregion = {}\nkind = {}\ncapacity_mw = {capacity}\n{outage}",
                quote(&gs.names[i]),
                quote(&gs.regions[i]),
                quote(&gs.categories[i]),
            );
        }
    }

    // Storages.
    let s = &system.storages;
    if !s.is_empty() {
        let group = "storages";
        let constant = |prop: &str, i: usize| constant_property(s, group, prop, i, path);
        for i in 0..s.len() {
            in_region(s, group, i)?;
            unique(group, &s.names[i])?;
            let carryover = constant("carryoverefficiency", i)?;
            if carryover != 1.0 {
                return Err(fail(
                    &format!("/{group}/carryoverefficiency"),
                    format!(
                        "{}: is {carryover}; egap's storage keeps its energy from hour to hour (no self-discharge), so only 1 can be represented",
                        s.names[i]
                    ),
                ));
            }
            let charge_mw = constant("chargecapacity", i)? * mw;
            let discharge_mw = constant("dischargecapacity", i)? * mw;
            let energy_mwh = constant("energycapacity", i)? * mwh;
            for (prop, v) in [
                ("chargecapacity", charge_mw),
                ("dischargecapacity", discharge_mw),
                ("energycapacity", energy_mwh),
            ] {
                if v < 0.0 {
                    return Err(fail(
                        &format!("/{group}/{prop}"),
                        format!("{}: is negative ({v}); it must be at least 0", s.names[i]),
                    ));
                }
            }
            let efficiency = |prop: &str| -> Result<f64, PrasError> {
                let e = constant(prop, i)?;
                if e > 0.0 && e <= 1.0 {
                    Ok(e)
                } else {
                    Err(fail(
                        &format!("/{group}/{prop}"),
                        format!(
                            "{}: is {e}; an efficiency must be above 0 and at most 1",
                            s.names[i]
                        ),
                    ))
                }
            };
            let charge_efficiency = efficiency("chargeefficiency")?;
            let discharge_efficiency = efficiency("dischargeefficiency")?;
            let outage = outage(s, group, i, path)?;
            let _ = writeln!(
                out.toml,
                "[[storage]]\nname = {}\nregion = {}\ncharge_mw = {}\ndischarge_mw = {}\nenergy_mwh = {}\ncharge_efficiency = {}\ndischarge_efficiency = {}\ninitial_soc = 0.0\n{outage}",
                quote(&s.names[i]),
                quote(&s.regions[i]),
                num(charge_mw),
                num(discharge_mw),
                num(energy_mwh),
                num(charge_efficiency),
                num(discharge_efficiency),
            );
        }
    }

    interfaces(system, path, mw, &mut out)?;

    // Says how the generators were classed, now that it is known.
    let classes = match generators {
        Generators::AsPras => "Every generator is a dispatchable unit with PRAS's capacity in each hour and its\n# per-hour failure and repair probabilities (imported with --keep-generators).".to_string(),
        Generators::RenewablesWhereHourly => format!(
            "The {} generators that never fail and whose capacity varies by the hour (wind, solar,\n# run-of-river) are renewables of that hourly output, so what the system cannot use is\n# curtailment; every other generator is a dispatchable unit with PRAS's capacity in each\n# hour and its per-hour failure and repair probabilities.",
            out.renewables
        ),
    };
    let toml = out.toml.replacen(CLASSES, &classes, 1);
    Ok(Imported {
        csv: out.csv(),
        csv_name: out.csv_name,
        name,
        toml,
        renewables: out.renewables,
    })
}

/// Lines become interfaces: the lines of one PRAS interface that are identical (limits each
/// way in every hour, failure and repair probabilities) share one egap interface as circuits.
fn interfaces(
    system: &PrasSystem,
    path: &Path,
    mw: f64,
    out: &mut Writer,
) -> Result<(), PrasError> {
    let fail = |place: &str, message: String| PrasError::new(path, place, message);
    let lines = &system.lines;
    let faces = &system.interfaces;
    if lines.is_empty() {
        return Ok(());
    }
    if faces.is_empty() {
        return Err(fail(
            "/interfaces",
            "is missing or empty, but the system has lines; each line belongs to an interface"
                .into(),
        ));
    }
    let regions: HashSet<&str> = system.regions.names.iter().map(String::as_str).collect();
    let line_forward = property(lines, "lines", "forwardcapacity", path)?;
    let line_backward = property(lines, "lines", "backwardcapacity", path)?;
    let face_forward = property(faces, "interfaces", "forwardcapacity", path)?;
    let face_backward = property(faces, "interfaces", "backwardcapacity", path)?;
    let mut assigned = vec![false; lines.len()];
    for f in 0..faces.len() {
        let (a, b) = (&faces.from[f], &faces.to[f]);
        for end in [a, b] {
            if !regions.contains(end.as_str()) {
                return Err(fail(
                    "/interfaces/_core",
                    format!(
                        "interface {a} → {b}: region \"{end}\" is not one of the system's regions"
                    ),
                ));
            }
        }
        // Each line's limits oriented from `a` to `b`, and its (λ, μ).
        let mut members: Vec<Member> = Vec::new();
        for (l, joined) in assigned.iter_mut().enumerate() {
            let (forward, backward) = if (&lines.from[l], &lines.to[l]) == (a, b) {
                (line_forward, line_backward)
            } else if (&lines.from[l], &lines.to[l]) == (b, a) {
                (line_backward, line_forward)
            } else {
                continue;
            };
            *joined = true;
            let fwd = scaled(forward, l, mw);
            let back = scaled(backward, l, mw);
            non_negative(&fwd, path, "/lines/forwardcapacity", &lines.names[l])?;
            non_negative(&back, path, "/lines/backwardcapacity", &lines.names[l])?;
            members.push(Member {
                line: l,
                forward: fwd,
                backward: back,
                outage: outage_pair(lines, "lines", l, path)?,
            });
        }
        // PRAS's sequential simulation limits an interface by its available lines; an interface
        // limit below their sum would be a second limit egap cannot express alongside outages.
        for t in 0..system.steps {
            let sum_fwd: f64 = members.iter().map(|m| m.forward[t]).sum();
            let sum_back: f64 = members.iter().map(|m| m.backward[t]).sum();
            for (prop, limit, sum) in [
                ("forwardcapacity", face_forward.at(t, f) * mw, sum_fwd),
                ("backwardcapacity", face_backward.at(t, f) * mw, sum_back),
            ] {
                if limit < sum {
                    return Err(fail(
                        &format!("/interfaces/{prop}"),
                        format!(
                            "interface {a} → {b}, timestep {}: the limit {limit} MW is below the sum of its lines, {sum} MW; egap limits an interface by its lines only (as PRAS's sequential simulation does), so this system cannot be represented exactly",
                            t + 1
                        ),
                    ));
                }
            }
        }
        // Group identical lines.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (k, m) in members.iter().enumerate() {
            let same = groups.iter_mut().find(|g| {
                let first = &members[g[0]];
                g.len() < MAX_CIRCUITS
                    && (&first.forward, &first.backward, first.outage)
                        == (&m.forward, &m.backward, m.outage)
            });
            match same {
                Some(g) => g.push(k),
                None => groups.push(vec![k]),
            }
        }
        for group in groups {
            let first = &members[group[0]];
            let n = group.len();
            let names: Vec<&str> = group
                .iter()
                .map(|&k| lines.names[members[k].line].as_str())
                .collect();
            let name = if n <= 4 {
                names.join(" + ")
            } else {
                format!("{} … {} ({n} lines)", names[0], names[n - 1])
            };
            let times = |v: &[f64]| v.iter().map(|x| x * n as f64).collect::<Vec<f64>>();
            let forward = out.profile(&format!("forward {name}"), times(&first.forward));
            let backward = out.profile(&format!("backward {name}"), times(&first.backward));
            let outage = outage_toml(first.outage);
            let _ = writeln!(
                out.toml,
                "[[interfaces]]\nname = {}\nfrom = {}\nto = {}\nlimit_forward_mw = {forward}\nlimit_backward_mw = {backward}\ncircuits = {n}\n{outage}",
                quote(&name),
                quote(a),
                quote(b),
            );
        }
    }
    if let Some(l) = assigned.iter().position(|&a| !a) {
        return Err(fail(
            "/lines/_core",
            format!(
                "line {} joins {} and {}, but no interface joins those regions",
                lines.names[l], lines.from[l], lines.to[l]
            ),
        ));
    }
    Ok(())
}

/// One line of an interface: its limits oriented along the interface, MW per hour, and its
/// (λ, μ).
struct Member {
    line: usize,
    forward: Vec<f64>,
    backward: Vec<f64>,
    outage: (f64, f64),
}

/// Collects the TOML and the CSV columns.
struct Writer {
    toml: String,
    columns: Vec<(String, Vec<f64>)>,
    csv_name: String,
    steps: usize,
    /// Generators written as renewables.
    renewables: usize,
}

impl Writer {
    /// A profile's TOML value: a number when constant, else a new CSV column.
    fn profile(&mut self, column: &str, values: Vec<f64>) -> String {
        if values.iter().all(|&v| v == values[0]) {
            return num(values[0]);
        }
        let mut column = column.to_string();
        // Names are unique within each PRAS group, and prefixed by kind here; a collision
        // can still come from line groups, so number it rather than overwrite.
        while self.columns.iter().any(|(c, _)| *c == column) {
            column.push('\'');
        }
        let value = format!(
            "{{ file = {}, column = {} }}",
            quote(&self.csv_name),
            quote(&column)
        );
        self.columns.push((column, values));
        value
    }

    fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["hour".to_string()];
        header.extend(self.columns.iter().map(|(c, _)| c.clone()));
        let _ = w.write_record(&header);
        for t in 0..self.steps {
            let mut row = vec![t.to_string()];
            row.extend(self.columns.iter().map(|(_, v)| v[t].to_string()));
            let _ = w.write_record(&row);
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

fn property<'a>(
    assets: &'a Assets,
    group: &str,
    name: &str,
    path: &Path,
) -> Result<&'a Series, PrasError> {
    assets
        .properties
        .get(name)
        .ok_or_else(|| PrasError::new(path, &format!("/{group}/{name}"), "is missing".to_string()))
}

/// A property that egap holds constant: the same value in every step, or an error naming the
/// first step where it changes.
fn constant_property(
    assets: &Assets,
    group: &str,
    name: &str,
    i: usize,
    path: &Path,
) -> Result<f64, PrasError> {
    let series = property(assets, group, name, path)?;
    let first = series.at(0, i);
    match (1..series.steps).find(|&t| series.at(t, i) != first) {
        None => Ok(first),
        Some(t) => Err(PrasError::new(
            path,
            &format!("/{group}/{name}"),
            format!(
                "{}: changes over time ({first} in timestep 1, {} in timestep {}); egap holds this property constant over the study, so the system cannot be represented exactly",
                assets.names[i],
                series.at(t, i),
                t + 1
            ),
        )),
    }
}

/// (λ, μ) of asset `i`, checked: constant, probabilities, and a repair chance when it fails.
fn outage_pair(
    assets: &Assets,
    group: &str,
    i: usize,
    path: &Path,
) -> Result<(f64, f64), PrasError> {
    let fail = |prop: &str, message: String| {
        PrasError::new(
            path,
            &format!("/{group}/{prop}"),
            format!("{}: {message}", assets.names[i]),
        )
    };
    let lambda = constant_property(assets, group, "failureprobability", i, path)?;
    let mu = constant_property(assets, group, "repairprobability", i, path)?;
    for (prop, p) in [("failureprobability", lambda), ("repairprobability", mu)] {
        if !(0.0..=1.0).contains(&p) {
            return Err(fail(prop, format!("is {p}; a probability is from 0 to 1")));
        }
    }
    if lambda > 0.0 && lambda < MIN_PROBABILITY {
        return Err(fail(
            "failureprobability",
            format!(
                "is {lambda}; egap's smallest non-zero failure probability is {MIN_PROBABILITY:e} per hour (0 means it never fails)"
            ),
        ));
    }
    if lambda > 0.0 && mu < MIN_PROBABILITY {
        return Err(fail(
            "repairprobability",
            format!(
                "is {mu} while the asset can fail; egap needs a repair probability of at least {MIN_PROBABILITY:e} per hour"
            ),
        ));
    }
    Ok((lambda, mu))
}

/// The outage lines of asset `i`'s TOML table. One that never fails (λ = 0) keeps PRAS's μ
/// when it is a probability egap accepts, else 1: with λ = 0, μ is never used.
fn outage(assets: &Assets, group: &str, i: usize, path: &Path) -> Result<String, PrasError> {
    Ok(outage_toml(outage_pair(assets, group, i, path)?))
}

fn outage_toml((lambda, mu): (f64, f64)) -> String {
    let mu = if mu < MIN_PROBABILITY { 1.0 } else { mu };
    format!(
        "failure_probability = {}\nrepair_probability = {}\n",
        num(lambda),
        num(mu)
    )
}

fn scaled(series: &Series, i: usize, factor: f64) -> Vec<f64> {
    series.column(i).into_iter().map(|v| v * factor).collect()
}

fn non_negative(values: &[f64], path: &Path, place: &str, asset: &str) -> Result<(), PrasError> {
    match values.iter().position(|&v| v < 0.0) {
        None => Ok(()),
        Some(t) => Err(PrasError::new(
            path,
            place,
            format!(
                "{asset}, timestep {}: is negative ({}); it must be at least 0",
                t + 1,
                values[t]
            ),
        )),
    }
}

/// Minutes in one timestep.
fn step_minutes(length: i64, unit: &str) -> Option<f64> {
    let per = match unit {
        "ms" => 1.0 / 60_000.0,
        "s" => 1.0 / 60.0,
        "min" => 1.0,
        "h" => 60.0,
        "d" => 1440.0,
        _ => return None,
    };
    Some(length as f64 * per)
}

fn power_to_mw(unit: &str) -> Option<f64> {
    Some(match unit {
        "kW" => 1.0e-3,
        "MW" => 1.0,
        "GW" => 1.0e3,
        "TW" => 1.0e6,
        _ => return None,
    })
}

fn energy_to_mwh(unit: &str) -> Option<f64> {
    power_to_mw(unit.strip_suffix('h')?)
}

/// A TOML string literal.
fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML number that reads back as the same f64.
fn num(x: f64) -> String {
    toml::Value::Float(x).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_convert_to_mw_and_mwh() {
        assert_eq!(power_to_mw("kW"), Some(1.0e-3));
        assert_eq!(power_to_mw("GW"), Some(1.0e3));
        assert_eq!(energy_to_mwh("TWh"), Some(1.0e6));
        assert_eq!(energy_to_mwh("MW"), None);
        assert_eq!(step_minutes(1, "h"), Some(60.0));
        assert_eq!(step_minutes(60, "min"), Some(60.0));
        assert_eq!(step_minutes(3600, "s"), Some(60.0));
        assert_eq!(step_minutes(5, "min"), Some(5.0));
        assert_eq!(step_minutes(1, "week"), None);
    }

    #[test]
    fn numbers_read_back_exactly() {
        for x in [76.0, 0.000_510_204_081_632_653_1, 1.0 / 3.0, 1.0e-7, 2.5e9] {
            let text = format!("x = {}", num(x));
            let t: toml::Table = text.parse().unwrap();
            assert_eq!(t["x"].as_float(), Some(x), "{text}");
        }
        for name in ["a \"b\"", "it's", "a\\b", "multi\nline", "ünï"] {
            let t: toml::Table = format!("x = {}", quote(name)).parse().unwrap();
            assert_eq!(t["x"].as_str(), Some(name));
        }
    }
}
