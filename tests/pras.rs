//! PRAS system files: the public RTS-GMLC system runs (NEUE of the order PRAS users report
//! with 700 MW more load in every region), GPU == CPU on it, import and direct run agree byte
//! for byte, units convert, and every feature egap cannot represent is refused by name.
//!
//! The RTS-GMLC and toy systems are PRAS's own files, bundled in data/pras/ (see its
//! README.md); a test that needs one fails, naming the file, if it is missing. Small systems
//! are written here with the HDF5 crate, in PRAS's layout.
#![cfg(feature = "pras")]

use std::path::{Path, PathBuf};

use egap::pras::file::{Assets, PrasSystem, Series};
use egap::{RunOptions, Study};
use hdf5::types::{FixedAscii, FixedUnicode};

#[path = "suite/common/mod.rs"]
mod common;
#[path = "pras/exact.rs"]
mod exact;

/// A PRAS system file bundled in data/pras/.
fn reference_pras(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/pras")
        .join(name);
    assert!(
        path.is_file(),
        "{} is missing: PRAS's reference systems ship with the repository in data/pras/ \
         (see its README.md)",
        path.display()
    );
    path
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Named {
    name: FixedAscii<64>,
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Placed {
    name: FixedAscii<64>,
    category: FixedAscii<64>,
    region: FixedAscii<64>,
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Joining {
    region_from: FixedAscii<64>,
    region_to: FixedAscii<64>,
}

#[derive(hdf5::H5Type, Clone)]
#[repr(C)]
struct Line {
    name: FixedAscii<64>,
    category: FixedAscii<64>,
    region_from: FixedAscii<64>,
    region_to: FixedAscii<64>,
}

fn ascii(s: &str) -> FixedAscii<64> {
    FixedAscii::from_ascii(s).unwrap()
}

/// Properties PRAS stores as floats; the others are integer counts of power or energy units.
fn is_float(property: &str) -> bool {
    property.contains("probability") || property.contains("efficiency")
}

/// Held while a test writes an HDF5 file and while one starts a process: a child forked while
/// another thread has a file open for writing inherits that descriptor (HDF5 does not set
/// close-on-exec) and with it the file's write lock, so reading the file fails until the child
/// exits.
static FORK_OR_WRITE: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A group's `_core` table of names.
fn write_core<T: hdf5::H5Type>(g: &hdf5::Group, rows: &[T]) {
    g.new_dataset::<T>()
        .shape(rows.len())
        .create("_core")
        .unwrap()
        .write_raw(rows)
        .unwrap();
}

/// Writes `system` in PRAS's HDF5 layout (what PRAS.jl's `savemodel` writes).
fn write_pras(path: &Path, system: &PrasSystem, extra_groups: &[&str]) {
    let _guard = FORK_OR_WRITE.lock().unwrap_or_else(|e| e.into_inner());
    let file = hdf5::File::create(path).unwrap();
    for (name, value) in [
        ("pras_dataversion", system.version.as_str()),
        ("start_timestamp", system.start_timestamp.as_str()),
        ("timestep_unit", system.step_unit.as_str()),
        ("power_unit", system.power_unit.as_str()),
        ("energy_unit", system.energy_unit.as_str()),
    ] {
        let v: FixedUnicode<32> = value.parse().unwrap();
        file.new_attr::<FixedUnicode<32>>()
            .create(name)
            .unwrap()
            .write_scalar(&v)
            .unwrap();
    }
    for (name, value) in [
        ("timestep_count", system.steps as i64),
        ("timestep_length", system.step_length),
    ] {
        file.new_attr::<i64>()
            .create(name)
            .unwrap()
            .write_scalar(&value)
            .unwrap();
    }
    let groups = [
        ("regions", &system.regions),
        ("generators", &system.generators),
        ("storages", &system.storages),
        ("generatorstorages", &system.generator_storages),
        ("interfaces", &system.interfaces),
        ("lines", &system.lines),
    ];
    for (group, assets) in groups {
        if group != "regions" && assets.is_empty() {
            continue;
        }
        let g = file.create_group(group).unwrap();
        let n = assets.len();
        match group {
            "regions" => {
                let rows: Vec<Named> = assets
                    .names
                    .iter()
                    .map(|s| Named { name: ascii(s) })
                    .collect();
                write_core(&g, &rows);
            }
            "interfaces" => {
                let rows: Vec<Joining> = (0..n)
                    .map(|i| Joining {
                        region_from: ascii(&assets.from[i]),
                        region_to: ascii(&assets.to[i]),
                    })
                    .collect();
                write_core(&g, &rows);
            }
            "lines" => {
                let rows: Vec<Line> = (0..n)
                    .map(|i| Line {
                        name: ascii(&assets.names[i]),
                        category: ascii(&assets.categories[i]),
                        region_from: ascii(&assets.from[i]),
                        region_to: ascii(&assets.to[i]),
                    })
                    .collect();
                write_core(&g, &rows);
            }
            _ => {
                let rows: Vec<Placed> = (0..n)
                    .map(|i| Placed {
                        name: ascii(&assets.names[i]),
                        category: ascii(&assets.categories[i]),
                        region: ascii(&assets.regions[i]),
                    })
                    .collect();
                write_core(&g, &rows);
            }
        }
        for (property, series) in &assets.properties {
            let shape = (series.steps, series.assets);
            if is_float(property) {
                g.new_dataset::<f64>()
                    .shape(shape)
                    .create(property.as_str())
                    .unwrap()
                    .write_raw(&series.values)
                    .unwrap();
            } else {
                let ints: Vec<i64> = series.values.iter().map(|&v| v as i64).collect();
                g.new_dataset::<i64>()
                    .shape(shape)
                    .create(property.as_str())
                    .unwrap()
                    .write_raw(&ints)
                    .unwrap();
            }
        }
    }
    for group in extra_groups {
        let g = file.create_group(group).unwrap();
        let rows = vec![Placed {
            name: ascii("DR1"),
            category: ascii("DR"),
            region: ascii("A"),
        }];
        write_core(&g, &rows);
    }
    file.close().unwrap();
}

/// One property: `f(step, asset)` for every step and asset.
fn series(steps: usize, assets: usize, f: impl Fn(usize, usize) -> f64) -> Series {
    Series {
        steps,
        assets,
        values: (0..steps)
            .flat_map(|t| (0..assets).map(move |a| (t, a)))
            .map(|(t, a)| f(t, a))
            .collect(),
    }
}

fn assets(names: &[&str], region: &[&str], properties: Vec<(&str, Series)>) -> Assets {
    Assets {
        names: names.iter().map(|s| s.to_string()).collect(),
        categories: names.iter().map(|_| "test".to_string()).collect(),
        regions: region.iter().map(|s| s.to_string()).collect(),
        properties: properties
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        ..Assets::default()
    }
}

/// A two-region system over 48 hours, in MW and MWh, that falls short now and then: two
/// failing generators (one with an hourly capacity), a battery, a generator-storage that never
/// stores, and two identical failing lines between the regions.
fn toy(steps: usize) -> PrasSystem {
    let load = series(steps, 2, |t, r| {
        (if r == 0 { 180.0 } else { 90.0 })
            + if (8..20).contains(&(t % 24)) {
                40.0
            } else {
                0.0
            }
    });
    let mut regions = assets(&["A", "B"], &[], vec![("load", load)]);
    regions.categories.clear();
    let generators = assets(
        &["big", "solar"],
        &["A", "B"],
        vec![
            (
                "capacity",
                series(steps, 2, |t, g| {
                    if g == 0 {
                        200.0
                    } else {
                        (t % 24).min(12) as f64 * 10.0
                    }
                }),
            ),
            (
                "failureprobability",
                series(steps, 2, |_, g| if g == 0 { 0.05 } else { 0.0 }),
            ),
            (
                "repairprobability",
                series(steps, 2, |_, g| if g == 0 { 0.2 } else { 1.0 }),
            ),
        ],
    );
    let storages = assets(
        &["battery"],
        &["A"],
        vec![
            ("chargecapacity", series(steps, 1, |_, _| 30.0)),
            ("dischargecapacity", series(steps, 1, |_, _| 40.0)),
            ("energycapacity", series(steps, 1, |_, _| 120.0)),
            ("chargeefficiency", series(steps, 1, |_, _| 0.9)),
            ("dischargeefficiency", series(steps, 1, |_, _| 0.95)),
            ("carryoverefficiency", series(steps, 1, |_, _| 1.0)),
            ("failureprobability", series(steps, 1, |_, _| 0.01)),
            ("repairprobability", series(steps, 1, |_, _| 0.1)),
        ],
    );
    let generator_storages = assets(
        &["csp"],
        &["B"],
        vec![
            ("inflow", series(steps, 1, |t, _| (t % 24) as f64 * 5.0)),
            ("gridinjectioncapacity", series(steps, 1, |_, _| 60.0)),
            ("gridwithdrawalcapacity", series(steps, 1, |_, _| 0.0)),
            ("chargecapacity", series(steps, 1, |_, _| 0.0)),
            ("dischargecapacity", series(steps, 1, |_, _| 60.0)),
            ("energycapacity", series(steps, 1, |_, _| 300.0)),
            ("chargeefficiency", series(steps, 1, |_, _| 1.0)),
            ("dischargeefficiency", series(steps, 1, |_, _| 1.0)),
            ("carryoverefficiency", series(steps, 1, |_, _| 1.0)),
            ("failureprobability", series(steps, 1, |_, _| 0.02)),
            ("repairprobability", series(steps, 1, |_, _| 0.1)),
        ],
    );
    let interfaces = Assets {
        names: vec!["A-B".into()],
        from: vec!["A".into()],
        to: vec!["B".into()],
        properties: [
            (
                "forwardcapacity".to_string(),
                series(steps, 1, |_, _| 4294967295.0),
            ),
            (
                "backwardcapacity".to_string(),
                series(steps, 1, |_, _| 4294967295.0),
            ),
        ]
        .into(),
        ..Assets::default()
    };
    let lines = Assets {
        names: vec!["L1".into(), "L2".into()],
        categories: vec!["AC".into(), "AC".into()],
        // The second line is written B → A: its limits swap onto the interface's direction.
        from: vec!["A".into(), "B".into()],
        to: vec!["B".into(), "A".into()],
        properties: [
            (
                "forwardcapacity".to_string(),
                series(steps, 2, |_, l| if l == 0 { 25.0 } else { 20.0 }),
            ),
            (
                "backwardcapacity".to_string(),
                series(steps, 2, |_, l| if l == 0 { 20.0 } else { 25.0 }),
            ),
            (
                "failureprobability".to_string(),
                series(steps, 2, |_, _| 0.03),
            ),
            (
                "repairprobability".to_string(),
                series(steps, 2, |_, _| 0.25),
            ),
        ]
        .into(),
        ..Assets::default()
    };
    PrasSystem {
        version: "v0.8.0".into(),
        start_timestamp: "2030-01-01T00:00:00+00:00".into(),
        steps,
        step_length: 1,
        step_unit: "h".into(),
        power_unit: "MW".into(),
        energy_unit: "MWh".into(),
        regions,
        generators,
        storages,
        generator_storages,
        interfaces,
        lines,
    }
}

fn run_cpu(study: &Study, trajectories: u64) -> egap::stats::Summary {
    let engine = egap::engine::Engine::open(egap::engine::Backend::Cpu, None)
        .unwrap()
        .0;
    let options = RunOptions {
        trajectories,
        seed: 11,
        ..RunOptions::default()
    };
    let outcome = egap::run(study, &engine, false, &options, &mut |_, _| {
        egap::Control::Continue
    })
    .unwrap();
    outcome.accumulator.summary(&study.units())
}

/// The RTS-GMLC system with `extra` MW of load in every region, over the `steps` hours
/// around its peak load (all of it when `steps` is its length).
fn rts_plus(extra: f64, steps: usize) -> PrasSystem {
    let mut system = egap::pras::file::read(&reference_pras("rts.pras")).unwrap();
    let load = &system.regions.properties["load"];
    let total = |t: usize| (0..load.assets).map(|r| load.at(t, r)).sum::<f64>();
    let peak = (0..system.steps)
        .max_by(|&a, &b| total(a).total_cmp(&total(b)))
        .unwrap();
    let start = peak.saturating_sub(steps / 2).min(system.steps - steps);
    for assets in [
        &mut system.regions,
        &mut system.generators,
        &mut system.storages,
        &mut system.generator_storages,
        &mut system.interfaces,
        &mut system.lines,
    ] {
        for s in assets.properties.values_mut() {
            s.values = s.values[start * s.assets..(start + steps) * s.assets].to_vec();
            s.steps = steps;
        }
    }
    system.steps = steps;
    for v in &mut system.regions.properties.get_mut("load").unwrap().values {
        *v += extra;
    }
    system
}

#[test]
fn the_rts_system_imports_whole() {
    let path = reference_pras("rts.pras");
    let study = Study::load(&path).unwrap();
    let s = &study.scenario;
    assert_eq!(s.hours, 8784);
    assert_eq!(s.regions.len(), 3);
    // 153 generators and the generator-storage (CSP, which never stores in this file); the
    // 60 generators that never fail and vary by the hour (wind, PV, rooftop PV) are
    // renewables, the other 93 and the CSP units.
    assert_eq!(s.units.len(), 94);
    assert_eq!(s.renewables.len(), 60);
    let wind = s
        .renewables
        .iter()
        .find(|r| r.name == "309_WIND_1")
        .unwrap();
    assert!(wind.capacity_mw > 0.0);
    assert_eq!(s.storage.len(), 1);
    // Six lines on three interfaces; the two identical lines AB2 and AB3 are one interface
    // of two circuits.
    assert_eq!(s.interfaces.len(), 5);
    let ab = s.interfaces.iter().find(|i| i.name == "AB2 + AB3").unwrap();
    assert_eq!((ab.circuits, ab.forward_mw.max()), (2, 1000.0));
    let csp = s.units.iter().find(|u| u.name == "212_CSP_1").unwrap();
    assert_eq!(
        csp.capacity_mw.max(),
        200.0,
        "min(inflow, grid injection 200 MW)"
    );
    let coal = s.units.iter().find(|u| u.name == "101_STEAM_3").unwrap();
    assert_eq!(coal.capacity_mw.year(0)[0], 76.0);
    assert!((coal.outage.failure_probability - 1.0 / 1960.0).abs() < 1e-15);
    // The load of region 1 in the first hour, as stored (MW).
    assert_eq!(s.regions[0].load_mw.year(0)[0], 985.0);
}

/// PRAS users report a NEUE of a few hundred ppm for RTS-GMLC with 700 MW more load in each
/// region (the case of PRAS's documentation); egap's figure with 400 trajectories (standard
/// error about 10 ppm) is about 470 ppm, see docs/pras.md.
#[test]
fn the_rts_system_with_700_mw_more_per_region_has_a_neue_of_a_few_hundred_ppm() {
    let system = rts_plus(700.0, 8784);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rts700.pras");
    write_pras(&path, &system, &[]);
    let summary = run_cpu(&Study::load(&path).unwrap(), 400);
    let neue = summary.metrics.neue_ppm.mean;
    assert!((300.0..700.0).contains(&neue), "NEUE {neue} ppm");
    assert!(summary.metrics.lole_hours.mean > 50.0);
    // Every region is short some of the time.
    assert!(summary.regions.iter().all(|r| r.metrics.eue_mwh.mean > 0.0));
}

/// Generators that never fail and vary by the hour, imported as renewables, give the
/// RTS-GMLC system (700 MW more load per region) its curtailment, and shortfall as before:
/// the same total supply serves each hour's deficit, so system LOLE and EUE agree within
/// their standard errors (the other units' random streams move with the rows, so not
/// exactly). Each hour's renewable output is exactly the unit's capacity it replaces.
#[test]
fn generators_that_never_fail_and_vary_by_the_hour_import_as_renewables() {
    let system = rts_plus(700.0, 8784);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rts700.pras");
    write_pras(&path, &system, &[]);
    let load = |generators| {
        let imported = egap::pras::import_as(&path, generators).unwrap();
        let toml = imported
            .write(&dir.path().join(format!("{generators:?}")))
            .unwrap();
        Study::load(&toml).unwrap()
    };
    let renewables = load(egap::pras::Generators::RenewablesWhereHourly);
    let units = load(egap::pras::Generators::AsPras);
    assert_eq!(units.scenario.renewables.len(), 0);
    assert_eq!(renewables.scenario.renewables.len(), 60);
    // Hour by hour, a renewable's output is the capacity the unit had, to the power unit.
    for r in &renewables.scenario.renewables {
        let u = units
            .scenario
            .units
            .iter()
            .find(|u| u.name == r.name)
            .unwrap();
        let output = r
            .capacity_factor
            .year(0)
            .iter()
            .map(|cf| r.capacity_mw * cf);
        for (h, (x, c)) in output.zip(u.capacity_mw.year(0)).enumerate() {
            assert!((x - c).abs() < 1e-9, "{} hour {h}: {x} vs {c}", r.name);
        }
    }
    let (a, b) = (run_cpu(&renewables, 1000), run_cpu(&units, 1000));
    assert!(
        a.metrics.curtailment_mwh.mean > 0.0,
        "{:?}",
        a.metrics.curtailment_mwh
    );
    assert_eq!(b.metrics.curtailment_mwh.mean, 0.0);
    for (what, x, y) in [
        ("LOLE", a.metrics.lole_hours, b.metrics.lole_hours),
        ("EUE", a.metrics.eue_mwh, b.metrics.eue_mwh),
    ] {
        let sigma = x.standard_error.hypot(y.standard_error);
        assert!(
            (x.mean - y.mean).abs() < 4.0 * sigma,
            "{what}: {} vs {} (σ {sigma})",
            x.mean,
            y.mean
        );
    }
}

#[test]
fn import_then_run_equals_running_the_pras_file_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [("toy", toy(48)), ("rts", rts_plus(700.0, 336))];
    for (name, system) in cases {
        let pras = dir.path().join(format!("{name}.pras"));
        write_pras(&pras, &system, &[]);
        let direct = Study::load(&pras).unwrap();
        let imported = egap::pras::import(&pras).unwrap();
        let toml = imported.write(&dir.path().join(name)).unwrap();
        let written = Study::load(&toml).unwrap();
        assert_eq!(direct.fingerprint(), written.fingerprint(), "{name}");
        let a = serde_json::to_string(&run_cpu(&direct, 300)).unwrap();
        let b = serde_json::to_string(&run_cpu(&written, 300)).unwrap();
        assert_eq!(a, b, "{name}: summaries differ");
        let summary = run_cpu(&direct, 300);
        assert!(
            summary.metrics.eue_mwh.mean > 0.0,
            "{name} should fall short"
        );
    }
}

#[test]
fn power_and_energy_units_convert_to_mw_and_mwh() {
    let dir = tempfile::tempdir().unwrap();
    let mw = toy(24);
    let mw_path = dir.path().join("mw.pras");
    write_pras(&mw_path, &mw, &[]);
    let base = Study::load(&mw_path).unwrap().fingerprint();
    // The same system in kW and kWh (GW and TW use the same conversion; see the unit test
    // of the factors).
    let mut kw = toy(24);
    kw.power_unit = "kW".into();
    kw.energy_unit = "kWh".into();
    for assets in [
        &mut kw.regions,
        &mut kw.generators,
        &mut kw.storages,
        &mut kw.generator_storages,
        &mut kw.interfaces,
        &mut kw.lines,
    ] {
        for (name, s) in assets.properties.iter_mut() {
            if !is_float(name) {
                s.values
                    .iter_mut()
                    .for_each(|v| *v = (*v * 1000.0).min(4294967295.0));
            }
        }
    }
    let path = dir.path().join("kw.pras");
    write_pras(&path, &kw, &[]);
    assert_eq!(Study::load(&path).unwrap().fingerprint(), base, "kW");
    // Timesteps of 60 minutes are hours.
    let mut minutes = toy(24);
    minutes.step_length = 60;
    minutes.step_unit = "min".into();
    let path = dir.path().join("minutes.pras");
    write_pras(&path, &minutes, &[]);
    assert_eq!(Study::load(&path).unwrap().fingerprint(), base);
}

/// Loads `system` written as a .pras file and returns the error message.
fn refusal(system: &PrasSystem, extra_groups: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.pras");
    write_pras(&path, system, extra_groups);
    match Study::load(&path) {
        Ok(_) => panic!("the system should be refused"),
        Err(e) => e.to_string(),
    }
}

fn set(system: &mut PrasSystem, group: &str, property: &str, f: impl Fn(usize, usize, f64) -> f64) {
    let assets = match group {
        "regions" => &mut system.regions,
        "generators" => &mut system.generators,
        "storages" => &mut system.storages,
        "generatorstorages" => &mut system.generator_storages,
        "interfaces" => &mut system.interfaces,
        _ => &mut system.lines,
    };
    let s = assets.properties.get_mut(property).unwrap();
    let n = s.assets;
    for (i, v) in s.values.iter_mut().enumerate() {
        *v = f(i / n, i % n, *v);
    }
}

/// What is changed in the small system, extra groups to write, and what the message must say.
type Case = (
    &'static str,
    Box<dyn Fn(&mut PrasSystem)>,
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn what_egap_cannot_represent_is_refused_by_name() {
    let cases: Vec<Case> = vec![
        (
            "five-minute steps",
            Box::new(|s| {
                s.step_length = 5;
                s.step_unit = "min".into();
            }),
            &[],
            &["timestep_length", "5 min", "one hour"],
        ),
        (
            "an unknown power unit",
            Box::new(|s| s.power_unit = "hp".into()),
            &[],
            &["power_unit", "\"hp\"", "kW, MW, GW or TW"],
        ),
        (
            "outage probabilities that change over time",
            Box::new(|s| {
                set(s, "generators", "failureprobability", |t, g, v| {
                    if t >= 2 && g == 0 { 0.1 } else { v }
                })
            }),
            &[],
            &[
                "/generators/failureprobability",
                "big",
                "changes over time",
                "timestep 3",
            ],
        ),
        (
            "self-discharge",
            Box::new(|s| set(s, "storages", "carryoverefficiency", |_, _, _| 0.99)),
            &[],
            &[
                "/storages/carryoverefficiency",
                "battery",
                "0.99",
                "self-discharge",
            ],
        ),
        (
            "a generator-storage that stores its inflow",
            Box::new(|s| set(s, "generatorstorages", "chargecapacity", |_, _, _| 20.0)),
            &[],
            &["/generatorstorages/chargecapacity", "csp", "no inflow"],
        ),
        (
            "an interface limit below its lines",
            Box::new(|s| {
                set(s, "interfaces", "forwardcapacity", |t, _, v| {
                    if t == 5 { 30.0 } else { v }
                })
            }),
            &[],
            &[
                "/interfaces/forwardcapacity",
                "A → B",
                "timestep 6",
                "30 MW",
                "50 MW",
            ],
        ),
        (
            "demand response",
            Box::new(|_| {}),
            &["demandresponses"],
            &[
                "/demandresponses",
                "demand responses",
                "not in egap's model",
            ],
        ),
        (
            "a property egap does not know",
            Box::new(|s| {
                let v = s.generators.properties["capacity"].clone();
                s.generators.properties.insert("emissionsrate".into(), v);
            }),
            &[],
            &["/generators/emissionsrate", "is not a property egap knows"],
        ),
        (
            "a generator in no region",
            Box::new(|s| s.generators.regions[1] = "C".into()),
            &[],
            &["/generators/_core", "solar", "\"C\""],
        ),
        (
            "a unit that never comes back",
            Box::new(|s| {
                set(s, "generators", "repairprobability", |_, g, v| {
                    if g == 0 { 0.0 } else { v }
                })
            }),
            &[],
            &["/generators/repairprobability", "big", "repair probability"],
        ),
        (
            "a negative load",
            Box::new(|s| {
                set(s, "regions", "load", |t, r, v| {
                    if t == 7 && r == 1 { -5.0 } else { v }
                })
            }),
            &[],
            &["/regions/load", "B, timestep 8", "negative"],
        ),
    ];
    for (what, change, extra, expected) in cases {
        let mut system = toy(24);
        change(&mut system);
        let message = refusal(&system, extra);
        for part in expected {
            assert!(message.contains(part), "{what}: {message:?} lacks {part:?}");
        }
        assert!(message.contains("bad.pras"), "{what}: {message}");
        assert_eq!(message.lines().count(), 1, "{what}: {message}");
    }
}

#[test]
fn the_five_minute_toy_model_of_pras_is_refused_with_its_timestep() {
    let path = reference_pras("toymodel.pras");
    let message = Study::load(&path).err().unwrap().to_string();
    assert!(message.contains("timestep_length: is 5 min"), "{message}");
}

#[test]
fn a_file_that_is_not_hdf5_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("text.pras");
    std::fs::write(&path, "[study]\nhours = 1\n").unwrap();
    let message = Study::load(&path).err().unwrap().to_string();
    assert!(
        message.contains("cannot be opened as an HDF5 file"),
        "{message}"
    );
}

/// GPU == CPU on the RTS-GMLC system (12 hours around its peak, which keeps the network walk
/// inside lavapipe's loop budget) and on the small system: every per-trajectory record, flow
/// record and hourly counter equal. The whole year runs on hardware GPUs
/// (examples/gpu-check.sh).
#[test]
fn pras_systems_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = common::gpu_engine() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let cases = [("toy", toy(24)), ("rts", rts_plus(700.0, 12))];
    for (name, system) in cases {
        let path = dir.path().join(format!("{name}.pras"));
        write_pras(&path, &system, &[]);
        let study = Study::load(&path).unwrap();
        let prepared = gpu.prepare(&study.system).unwrap();
        let g = gpu.run_chunk(&prepared, &study.laws, 5, 0, 256).unwrap();
        let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 5, 0, 256);
        assert_eq!(g.records, c.records, "{name}: records differ");
        assert_eq!(g.flows, c.flows, "{name}: flow records differ");
        assert_eq!(g.risk, c.risk, "{name}: hourly counters differ");
        assert!(
            c.records.iter().any(|r| r.loss_of_load_hours > 0),
            "{name}: some trajectory should fall short"
        );
    }
}

/// A system where nothing fails, over `steps` hours: per region its hourly load and a firm
/// generator; stores (name, power, energy) in the first region; and an optional line
/// (limit each way) from the first region to the second.
fn firm(
    steps: usize,
    regions: &[(&str, Vec<f64>, f64)],
    stores: &[(&str, f64, f64)],
    line_mw: Option<f64>,
) -> PrasSystem {
    let n = regions.len();
    let names: Vec<&str> = regions.iter().map(|r| r.0).collect();
    let mut region_assets = assets(
        &names,
        &[],
        vec![("load", series(steps, n, |t, r| regions[r].1[t]))],
    );
    region_assets.categories.clear();
    let generator_names: Vec<String> = names.iter().map(|r| format!("gen {r}")).collect();
    let generator_refs: Vec<&str> = generator_names.iter().map(String::as_str).collect();
    let generators = assets(
        &generator_refs,
        &names,
        vec![
            ("capacity", series(steps, n, |_, r| regions[r].2)),
            ("failureprobability", series(steps, n, |_, _| 0.0)),
            ("repairprobability", series(steps, n, |_, _| 1.0)),
        ],
    );
    let k = stores.len();
    let store_names: Vec<&str> = stores.iter().map(|s| s.0).collect();
    let store_regions: Vec<&str> = stores.iter().map(|_| names[0]).collect();
    let storages = assets(
        &store_names,
        &store_regions,
        vec![
            ("chargecapacity", series(steps, k, |_, s| stores[s].1)),
            ("dischargecapacity", series(steps, k, |_, s| stores[s].1)),
            ("energycapacity", series(steps, k, |_, s| stores[s].2)),
            ("chargeefficiency", series(steps, k, |_, _| 1.0)),
            ("dischargeefficiency", series(steps, k, |_, _| 1.0)),
            ("carryoverefficiency", series(steps, k, |_, _| 1.0)),
            ("failureprobability", series(steps, k, |_, _| 0.0)),
            ("repairprobability", series(steps, k, |_, _| 1.0)),
        ],
    );
    let (interfaces, lines) = match line_mw {
        None => (Assets::default(), Assets::default()),
        Some(mw) => {
            let ends = (vec![names[0].to_string()], vec![names[1].to_string()]);
            let interfaces = Assets {
                names: vec!["face".into()],
                from: ends.0.clone(),
                to: ends.1.clone(),
                properties: [
                    ("forwardcapacity".to_string(), series(steps, 1, |_, _| mw)),
                    ("backwardcapacity".to_string(), series(steps, 1, |_, _| mw)),
                ]
                .into(),
                ..Assets::default()
            };
            let lines = Assets {
                names: vec!["line".into()],
                categories: vec!["AC".into()],
                from: ends.0,
                to: ends.1,
                properties: [
                    ("forwardcapacity".to_string(), series(steps, 1, |_, _| mw)),
                    ("backwardcapacity".to_string(), series(steps, 1, |_, _| mw)),
                    (
                        "failureprobability".to_string(),
                        series(steps, 1, |_, _| 0.0),
                    ),
                    (
                        "repairprobability".to_string(),
                        series(steps, 1, |_, _| 1.0),
                    ),
                ]
                .into(),
                ..Assets::default()
            };
            (interfaces, lines)
        }
    };
    PrasSystem {
        version: "v0.8.0".into(),
        start_timestamp: "2030-01-01T00:00:00+00:00".into(),
        steps,
        step_length: 1,
        step_unit: "h".into(),
        power_unit: "MW".into(),
        energy_unit: "MWh".into(),
        regions: region_assets,
        generators,
        storages,
        interfaces,
        lines,
        ..PrasSystem::default()
    }
}

/// One trajectory of a system where nothing fails (every trajectory is the same): its records,
/// and the engine's power units per MW.
fn one_trajectory(system: &PrasSystem, name: &str) -> (egap::engine::ChunkRecords, u64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.pras"));
    write_pras(&path, system, &[]);
    let study = Study::load(&path).unwrap();
    let per_mw = 1_000_000 / study.system.power_unit_w;
    (
        egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, 1),
        per_mw,
    )
}

/// docs/pras.md's example where egap and PRAS agree, worked by hand. A: load 100 MW, 150 MW of
/// generation; B: load 100 MW, 60 MW; a 30 MW line. Both minimise unserved energy first and
/// then MW·interfaces (PRAS: a hurdle cost of 1; egap: one per hop), so A sends 30 MW and B
/// is short 10 MW; A is never made short to help B (that would not lower the total and
/// would cost a hop). System: 1 short hour, 10 MWh; A 0, B 10 MWh.
#[test]
fn semantics_where_egap_and_pras_agree() {
    let system = firm(
        1,
        &[("A", vec![100.0], 150.0), ("B", vec![100.0], 60.0)],
        &[],
        Some(30.0),
    );
    let (c, per_mw) = one_trajectory(&system, "agree");
    // Slot 0 is the system, then one slot per region.
    let (sys, a, b) = (c.records[0], c.records[1], c.records[2]);
    assert_eq!(sys.loss_of_load_hours, 1);
    assert_eq!(sys.unserved_energy, 10 * per_mw);
    assert_eq!((a.unserved_energy, a.loss_of_load_hours), (0, 0));
    assert_eq!((b.unserved_energy, b.loss_of_load_hours), (10 * per_mw, 1));
    assert_eq!(c.flows[0].first_energy, 30 * per_mw, "30 MWh from A to B");
}

/// docs/pras.md's example where they differ, worked by hand. One region with a firm 20 MW
/// generator and two stores of 10 MW: "short" holds 10 MWh, "long" 40 MWh. Load is 0 for four
/// hours (both fill: 20 MW goes into them) and then 35 MW for three hours (15 MW short of the
/// generator each hour).
///
/// PRAS discharges first the store with the longest time to empty (energy ÷ power; Evans,
/// Tindemans and Angeli 2019): hours 5 and 6 take 10 MW from "long" and 5 from "short", hour 7
/// 10 MW from "long" alone: 5 MWh unserved, in one hour. egap's dispatch minimises shortfall
/// hour by hour and has no preference between stores, and its solver empties "short" (listed
/// first) in hour 5: 10 MWh unserved, in hours 6 and 7. A system with several stores can
/// therefore show more shortfall in egap than in PRAS.
#[test]
fn semantics_where_egap_and_pras_differ() {
    let load = vec![0.0, 0.0, 0.0, 0.0, 35.0, 35.0, 35.0];
    let system = firm(
        7,
        &[("R", load, 20.0)],
        &[("short", 10.0, 10.0), ("long", 10.0, 40.0)],
        None,
    );
    let (c, per_mw) = one_trajectory(&system, "differ");
    let sys = c.records[0];
    assert_eq!(u64::from(sys.peak_shortfall), 5 * per_mw);
    assert_eq!(
        sys.unserved_energy,
        10 * per_mw,
        "egap: 10 MWh (PRAS: 5 MWh)"
    );
    assert_eq!(sys.loss_of_load_hours, 2, "egap: 2 h (PRAS: 1 h)");
    assert_eq!(c.risk.short_trajectories, [0, 0, 0, 0, 0, 1, 1]);
    // Both stores filled: 10 and 40 MWh in.
    assert_eq!(c.flows[0].first_energy, 10 * per_mw);
    assert_eq!(c.flows[1].first_energy, 40 * per_mw);
}

#[test]
fn the_cli_imports_refuses_to_overwrite_and_reports_refusals_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let pras = dir.path().join("toy.pras");
    write_pras(&pras, &toy(24), &[]);
    let out = dir.path().join("imported");
    let egap = |args: &[&std::ffi::OsStr]| {
        let _guard = FORK_OR_WRITE.lock().unwrap_or_else(|e| e.into_inner());
        std::process::Command::new(env!("CARGO_BIN_EXE_egap"))
            .args(args)
            .output()
            .unwrap()
    };
    let import = |force: bool| {
        let mut args = vec![
            "import".as_ref(),
            pras.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ];
        if force {
            args.push("--force".as_ref());
        }
        egap(&args)
    };
    let first = import(false);
    assert!(first.status.success(), "{first:?}");
    assert!(out.join("toy.toml").exists() && out.join("toy-profiles.csv").exists());
    let again = import(false);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(import(true).status.success());

    // A direct run: an imported system has no renewables, so its tables have no curtailment
    // rate distribution (a row of zeros would read as "never curtailed").
    let results = dir.path().join("results");
    let run = egap(&[
        "run".as_ref(),
        pras.as_os_str(),
        "-n".as_ref(),
        "50".as_ref(),
        "--backend".as_ref(),
        "cpu".as_ref(),
        "--no-plots".as_ref(),
        "--out".as_ref(),
        results.as_os_str(),
    ]);
    assert!(run.status.success(), "{run:?}");
    let distributions = std::fs::read_to_string(results.join("distributions.csv")).unwrap();
    assert!(
        distributions.contains("shortfall energy"),
        "{distributions}"
    );
    // The toy's solar generator never fails and varies by the hour: a renewable, whose
    // curtailment the tables now carry.
    assert!(
        distributions.contains("curtailment rate"),
        "{distributions}"
    );

    let mut five = toy(24);
    five.step_length = 5;
    five.step_unit = "min".into();
    let bad = dir.path().join("five.pras");
    write_pras(&bad, &five, &[]);
    let run = egap(&[
        "run".as_ref(),
        bad.as_os_str(),
        "--backend".as_ref(),
        "cpu".as_ref(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("five.pras: timestep_length: is 5 min"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

/// The whole RTS-GMLC year with 700 MW more per region (often short, so the solver runs):
/// GPU == CPU on every adapter, lavapipe included, since the network walk runs in windows.
#[test]
fn the_rts_year_with_700_mw_more_is_identical_on_gpu_and_cpu() {
    let Some(gpu) = common::gpu_engine() else {
        return;
    };
    let system = rts_plus(700.0, 8784);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rts700.pras");
    write_pras(&path, &system, &[]);
    let study = Study::load(&path).unwrap();
    let prepared = gpu.prepare(&study.system).unwrap();
    let g = gpu.run_chunk(&prepared, &study.laws, 9, 0, 64).unwrap();
    let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 9, 0, 64);
    assert!(c.records.iter().any(|r| r.loss_of_load_hours > 0));
    assert_eq!(g, c);
}

/// `--set` and sweeps edit the scenario a PRAS file imports to, its profiles still in memory.
#[test]
fn settings_apply_to_a_pras_file() {
    let dir = tempfile::tempdir().unwrap();
    let pras = dir.path().join("toy.pras");
    write_pras(&pras, &toy(24), &[]);
    let setting = egap::sweep::Setting::parse("units[big].capacity_mw=150").unwrap();
    let edited = egap::sweep::load_with_settings(&pras, &[setting]).unwrap();
    let big = edited
        .scenario
        .units
        .iter()
        .find(|u| u.name == "big")
        .unwrap();
    assert_eq!(big.capacity_mw.max(), 150.0);
    let plain = Study::load(&pras).unwrap();
    assert_ne!(edited.fingerprint(), plain.fingerprint());
    // The hourly solar output (a renewable: it never fails and varies by the hour) still
    // comes from the in-memory CSV.
    let solar = |s: &Study| {
        let r = s.scenario.renewables.iter().find(|r| r.name == "solar");
        let r = r.unwrap();
        (r.capacity_mw, r.capacity_factor.year(0).to_vec())
    };
    assert_eq!(solar(&edited), solar(&plain));
    assert_eq!(solar(&plain).0, 120.0);
    assert!(solar(&plain).1.iter().any(|&cf| cf > 0.0 && cf < 1.0));
}
