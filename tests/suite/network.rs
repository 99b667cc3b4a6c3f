//! Regions, interfaces and storage, checked against answers derived by hand.

use egap::engine::Engine;
use egap::stats::{Estimate, Summary};
use egap::{Control, RunOptions, Study};

fn run(scenario: &str, trajectories: u64, seed: u64) -> Summary {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.toml");
    std::fs::write(&path, scenario).unwrap();
    let study = Study::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = RunOptions {
        trajectories,
        seed,
        ..RunOptions::default()
    };
    egap::run(&study, &Engine::Cpu, false, &options, &mut |_, _| {
        Control::Continue
    })
    .unwrap()
    .accumulator
    .summary(&study.units())
}

fn within(name: &str, e: &Estimate, expected: f64) {
    assert!(
        (e.mean - expected).abs() <= 4.0 * e.standard_error.max(1e-9),
        "{name}: {} ± {} vs {expected}",
        e.mean,
        e.standard_error
    );
}

/// Two regions joined by a line of two circuits that fail independently.
///
/// West: 100 MW of wind at capacity factor 1, no load. East: loads 100, 150 and 180 MW in
/// three hours and a 60 MW unit that never fails. The line carries 100 MW each way, 50 MW
/// per circuit; each circuit fails with λ = 0.1 and is repaired with μ = 0.4 per hour, so it
/// is up with probability 0.8, and the line carries 100 MW with probability 0.64, 50 MW with
/// 0.32 and nothing with 0.04 (every hour, by stationarity).
///
/// East needs 40, 90 and 120 MW beyond its unit. Shortfall = need − import when positive:
///   hour 0: short only with the line down:        P = 0.04, E = 0.04 · 40 = 1.6
///   hour 1: short with one circuit (40) or none:  P = 0.36, E = 0.32 · 40 + 0.04 · 90 = 16.4
///   hour 2: always short (100 < 120):             P = 1,    E = 0.64 · 20 + 0.32 · 70
///                                                               + 0.04 · 120 = 40
/// LOLE = 1.4 h, EUE = 58 MWh, all of it in East.
/// Curtailment: the wind displaces East's unit too (East's load is at least 100 MW), so all
/// the line carries is used: 100 − capacity, E = 0.32 · 50 + 0.04 · 100 = 20 MWh per hour,
/// 60 MWh in all, all of it in West. The line's forward energy is 300 − 60 = 240 MWh.
const TWO_REGIONS: &str = r#"
[study]
name = "two regions, one line of two circuits"
hours = 3

[[regions]]
name = "West"
load_mw = 0

[[regions]]
name = "East"
load_mw = [100, 150, 180]

[[renewables]]
name = "wind"
region = "West"
capacity_mw = 100
capacity_factor = 1

[[units]]
name = "east unit"
region = "East"
capacity_mw = 60
failure_probability = 0
repair_probability = 1

[[interfaces]]
name = "line"
from = "West"
to = "East"
limit_mw = 100
circuits = 2
failure_probability = 0.1
repair_probability = 0.4
"#;

#[test]
fn a_failing_line_between_two_regions_matches_the_hand_derivation() {
    // 200,000 trajectories: standard errors about 0.002 h (LOLE) and 0.07 MWh (EUE).
    let s = run(TWO_REGIONS, 200_000, 5);
    within("LOLE", &s.metrics.lole_hours, 1.4);
    within("EUE", &s.metrics.eue_mwh, 58.0);
    within("curtailment", &s.metrics.curtailment_mwh, 60.0);
    let (west, east) = (&s.regions[0], &s.regions[1]);
    assert_eq!((west.name.as_str(), east.name.as_str()), ("West", "East"));
    within("East LOLE", &east.metrics.lole_hours, 1.4);
    within("East EUE", &east.metrics.eue_mwh, 58.0);
    assert_eq!(west.metrics.lole_hours.mean, 0.0);
    assert_eq!(east.metrics.curtailment_mwh.mean, 0.0);
    within("West curtailment", &west.metrics.curtailment_mwh, 60.0);
    for (h, p) in [(0, 0.04), (1, 0.36), (2, 1.0)] {
        let got = east.hourly[h].lolp;
        assert!((got - p).abs() < 0.005, "East hour {h}: LOLP {got} vs {p}");
    }
    let line = &s.interfaces[0];
    assert!(
        (line.forward_energy_mwh - 240.0).abs() < 0.5,
        "line energy {}",
        line.forward_energy_mwh
    );
    assert_eq!(line.backward_energy_mwh, 0.0);
    // At the limit whenever the limit is positive: hours 1 and 2 always, and hour 0 too
    // (East's 100 MW load takes all 100 MW); never when both circuits are down (0.04).
    assert!((line.share_at_forward_limit - 0.96).abs() < 0.005);
}

/// Chronological storage, no randomness: wind 100 MW in hours 0-1 and none in hours 2-3;
/// load 0 then 100 MW; a store that takes 50 MW, gives 80 MW, holds 120 MWh, and keeps 90% of
/// what it takes and gives 90% of what it releases (round trip 81%).
///   hour 0: charges 50 (stores 45), curtails 50.     hour 1: the same; 90 MWh stored.
///   hour 2: can give min(80, 0.9 · 90 = 81) = 80, taking 88.9 MWh: 20 MW short, 1.1 left.
///   hour 3: gives 0.9 · 1.1 = 1.0 MW: 99 MW short.
/// Unserved 119 MWh over 2 hours; curtailed 100 MWh; charged 100, discharged 81 MWh.
const STORE: &str = r#"
[study]
name = "a store between surplus and deficit"
hours = 4

[[regions]]
name = "R"
load_mw = [0, 0, 100, 100]

[[renewables]]
name = "wind"
capacity_mw = 100
capacity_factor = [1, 1, 0, 0]

[[storage]]
name = "battery"
charge_mw = 50
discharge_mw = 80
energy_mwh = 120
charge_efficiency = 0.9
discharge_efficiency = 0.9
"#;

#[test]
fn storage_charges_from_surplus_and_discharges_into_deficit_in_order() {
    let s = run(STORE, 10, 1);
    let m = &s.metrics;
    assert_eq!(m.lole_hours.mean, 2.0);
    // Fixed point: 10 W power units and Q16 efficiencies round within 0.01 MWh.
    let near = |name: &str, got: f64, want: f64| {
        assert!((got - want).abs() < 0.01, "{name}: {got} vs {want}");
    };
    near("EUE", m.eue_mwh.mean, 119.0);
    near("curtailment", m.curtailment_mwh.mean, 100.0);
    let b = &s.storage[0];
    near("charged", b.charged_mwh, 100.0);
    near("discharged", b.discharged_mwh, 81.0);
    // Never full: it holds at most 90 of 120 MWh.
    assert_eq!(b.share_of_hours_full, 0.0);
}

/// A store in one region serves its neighbour's deficit through the line, and only after the
/// neighbour's own units and the line's other sources: East is 30 MW short; West has a 20 MW
/// spare unit and a full store; the line carries 100 MW. The unit gives 20, the store 10.
const NEIGHBOUR: &str = r#"
[study]
name = "a store serving the neighbour"
hours = 1

[[regions]]
name = "West"
load_mw = 0

[[regions]]
name = "East"
load_mw = 30

[[units]]
name = "west unit"
region = "West"
capacity_mw = 20
failure_probability = 0
repair_probability = 1

[[storage]]
name = "west battery"
region = "West"
charge_mw = 50
discharge_mw = 50
energy_mwh = 100
initial_soc = 1

[[interfaces]]
from = "West"
to = "East"
limit_mw = 100
"#;

#[test]
fn storage_serves_a_neighbours_deficit_after_dispatchable_units() {
    let s = run(NEIGHBOUR, 10, 1);
    assert_eq!(s.metrics.lole_hours.mean, 0.0);
    assert_eq!(s.storage[0].discharged_mwh, 10.0);
    assert_eq!(s.interfaces[0].forward_energy_mwh, 30.0);
}

/// The two-region example's summary does not depend on how the run is cut: shards merged
/// in any order, other chunk sizes and the single run give byte-identical JSON, per-region,
/// interface and storage results included.
#[test]
fn network_summaries_are_identical_across_shards_and_chunk_sizes() {
    let study = Study::load(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/west-east/west-east.toml"),
    )
    .unwrap();
    let run = |first: u64, trajectories: u64, chunk_size: usize| {
        let options = RunOptions {
            trajectories,
            seed: 9,
            first_trajectory: first,
            chunk_size,
            progress: None,
            stop: None,
        };
        egap::run(&study, &Engine::Cpu, false, &options, &mut |_, _| {
            Control::Continue
        })
        .unwrap()
        .accumulator
    };
    let json =
        |a: &egap::stats::Accumulator| serde_json::to_string(&a.summary(&study.units())).unwrap();
    let single = json(&run(0, 150, 64));
    assert_eq!(
        json(&run(0, 150, 7)),
        single,
        "chunk size changed the summary"
    );
    let mut merged = run(100, 50, 64);
    merged.merge(&run(0, 60, 64));
    merged.merge(&run(60, 40, 13));
    assert_eq!(
        json(&merged),
        single,
        "merged shards differ from the single run"
    );
    let s: Summary = serde_json::from_str(&single).unwrap();
    assert_eq!(s.regions.len(), 2);
    assert_eq!(s.interfaces.len(), 1);
    assert_eq!(s.storage.len(), 1);
    assert!(s.metrics.curtailment_mwh.mean > 0.0);
}

/// Shift stores give their energy back when nothing is short and no renewable surplus
/// exists, so they have room for the next surplus; reliability stores keep it for shortfall.
/// One region, load 100 MW, a 100 MW unit that never fails, wind 200 MW in hours 0 and 3,
/// a 50 MWh store (50 MW in, 30 MW out, no losses):
///   reliability: hour 0 stores 50 (curtails 50); full, it curtails all 100 in hour 3.
///   shift: hour 0 stores 50 (curtails 50); hours 1 and 2 give 30 and 20 in place of the
///   unit; empty, it stores 50 again in hour 3 (curtails 50).
/// Curtailment 150 vs 100 MWh; discharge 0 vs 50 MWh; no shortfall either way.
#[test]
fn shift_stores_give_energy_back_and_absorb_the_next_surplus() {
    let store = |dispatch: &str| {
        format!(
            r#"
[study]
hours = 4

[[regions]]
name = "R"
load_mw = 100

[[renewables]]
name = "wind"
capacity_mw = 200
capacity_factor = [1, 0, 0, 1]

[[units]]
name = "unit"
capacity_mw = 100
failure_probability = 0
repair_probability = 1

[[storage]]
name = "battery"
charge_mw = 50
discharge_mw = 30
energy_mwh = 50
dispatch = "{dispatch}"
"#
        )
    };
    let reliability = run(&store("reliability"), 4, 1);
    let shift = run(&store("shift"), 4, 1);
    assert_eq!(reliability.metrics.curtailment_mwh.mean, 150.0);
    assert_eq!(reliability.storage[0].discharged_mwh, 0.0);
    assert_eq!(shift.metrics.curtailment_mwh.mean, 100.0);
    assert_eq!(shift.storage[0].discharged_mwh, 50.0);
    assert_eq!(shift.storage[0].charged_mwh, 100.0);
    assert_eq!(shift.metrics.lole_hours.mean, 0.0);
}

/// Shards and checkpoints are matched by the fingerprint: it must change with anything the
/// network walk reads — an interface limit, a store's energy, a region's load, a unit's
/// region — and not with the study's title.
#[test]
fn fingerprint_covers_interfaces_storage_loads_and_regions() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/west-east/west-east.toml");
    let plain = Study::load(&path).unwrap();
    let with = |setting: &str| {
        let s = egap::sweep::Setting::parse(setting).unwrap();
        egap::sweep::load_with_settings(&path, &[s]).unwrap()
    };
    for setting in [
        "interfaces[west-east].limit_mw=300",
        "storage[west battery].energy_mwh=10",
    ] {
        assert_ne!(
            with(setting).fingerprint(),
            plain.fingerprint(),
            "{setting}"
        );
    }
    // A refusal names the parts that differ, and only those.
    let both = egap::sweep::load_with_settings(
        &path,
        &[
            egap::sweep::Setting::parse("interfaces[west-east].limit_mw=300").unwrap(),
            egap::sweep::Setting::parse("storage[west battery].energy_mwh=10").unwrap(),
        ],
    )
    .unwrap();
    assert_eq!(
        egap::identity_differences(&plain.identity(), &both.identity()).as_deref(),
        Some("interfaces and storage")
    );
    assert_eq!(
        egap::identity_differences(&plain.identity(), &plain.identity()),
        None
    );
    assert_eq!(egap::fingerprint_of(&plain.identity()), plain.fingerprint());
    // A law drawn per trajectory is part of the identity too.
    let us = path.with_file_name("../us-datacenter-2030/us-datacenter-2030.toml");
    let fixed = egap::sweep::Setting::parse("added_loads[PJM data centres].utilization=0.7");
    assert_eq!(
        egap::identity_differences(
            &Study::load(&us).unwrap().identity(),
            &egap::sweep::load_with_settings(&us, &[fixed.unwrap()])
                .unwrap()
                .identity()
        )
        .as_deref(),
        Some("uncertain parameters")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let edited = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        let copy = dir.path().join("west-east.toml");
        std::fs::write(&copy, text.replacen(from, to, 1)).unwrap();
        std::fs::copy(
            path.with_file_name("profiles.csv"),
            dir.path().join("profiles.csv"),
        )
        .unwrap();
        Study::load(&copy).unwrap()
    };
    let differences = |s: &Study| egap::identity_differences(&plain.identity(), &s.identity());
    let retitled = edited("name = \"", "name = \"Retitled ");
    assert_eq!(retitled.fingerprint(), plain.fingerprint());
    let load = edited("column = \"west_load_mw\"", "column = \"east_load_mw\"");
    assert_ne!(load.fingerprint(), plain.fingerprint(), "a region's load");
    // The region reads another column: its load row is the same, its profile is not.
    assert_eq!(differences(&load).as_deref(), Some("hourly profiles"));
    let region = edited(
        "name = \"west thermal\"\nregion = \"West\"",
        "name = \"west thermal\"\nregion = \"East\"",
    );
    assert_ne!(region.fingerprint(), plain.fingerprint(), "a unit's region");
    assert_eq!(differences(&region).as_deref(), Some("units"));
}

/// A merge or a resume of another study is refused, and the message names what differs:
/// shard 2 run after editing an interface and a store, a checkpoint resumed after the same
/// edit.
#[test]
fn state_files_of_edited_studies_are_refused_naming_what_differs() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/west-east/west-east.toml");
    let dir = tempfile::tempdir().unwrap();
    let edit = [
        "interfaces[west-east].limit_mw=300",
        "storage[west battery].energy_mwh=10",
    ];
    let egap = || std::process::Command::new(env!("CARGO_BIN_EXE_egap"));
    for (k, settings) in [(1, &[][..]), (2, &edit[..])] {
        let mut run = egap();
        run.arg("run")
            .arg(&path)
            .args(["-n", "400", "--backend", "cpu", "--quiet"])
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(dir.path().join(format!("s{k}")));
        for s in settings {
            run.args(["--set", s]);
        }
        assert!(run.status().unwrap().success());
    }
    let o = egap()
        .arg("merge")
        .arg(dir.path().join("s1/shard-1-of-2.json"))
        .arg(dir.path().join("s2/shard-2-of-2.json"))
        .arg("--out")
        .arg(dir.path().join("merged"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("they differ in the study's interfaces and storage"),
        "{err}"
    );

    let plain = Study::load(&path).unwrap();
    let edited = egap::sweep::load_with_settings(
        &path,
        &edit.map(|s| egap::sweep::Setting::parse(s).unwrap()),
    )
    .unwrap();
    let options = egap::RunOptions {
        trajectories: 400,
        ..Default::default()
    };
    let ck = dir.path().join("run.ckpt");
    let acc = egap::stats::Accumulator::for_system(&plain.system);
    egap::checkpoint::save(&ck, &plain, &options, &acc).unwrap();
    assert!(
        egap::checkpoint::load(&ck, &plain, &options)
            .unwrap()
            .is_some()
    );
    let err = egap::checkpoint::load(&ck, &edited, &options)
        .expect_err("a checkpoint of another study is refused")
        .to_string();
    assert!(
        err.contains("they differ in interfaces and storage"),
        "{err}"
    );
}
