//! Capacity credit: a perfectly available unit is worth exactly its capacity, both as EFC
//! and as ELCC, because adding C MW that never fails (or C MW of it and C MW of flat load)
//! changes every hour's margin by exactly C under common random numbers.

use std::path::Path;

use egap::RunOptions;
use egap::credit::capacity_credit;
use egap::engine::Engine;

#[test]
fn a_perfect_unit_is_credited_with_its_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let rts = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/rts79.toml"),
    )
    .unwrap();
    let load = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/load.csv");
    std::fs::copy(&load, dir.path().join("load.csv")).unwrap();
    let scenario = dir.path().join("perfect.toml");
    let text = format!(
        "{rts}\n[[units]]\nname = \"perfect 100\"\ncapacity_mw = 100\nfailure_probability = 0\nrepair_probability = 1\n"
    );
    std::fs::write(&scenario, text).unwrap();
    let options = RunOptions {
        trajectories: 2_000,
        seed: 5,
        ..RunOptions::default()
    };
    // EUE moves with every MW of margin, so both searches have a sharp answer.
    let c = capacity_credit(
        &scenario,
        "units[perfect 100]",
        "eue_mwh",
        &Engine::Cpu,
        &options,
    )
    .unwrap();
    assert_eq!(c.nameplate_mw, 100.0);
    assert!((c.efc_mw.0 - 100.0).abs() < 0.5, "EFC {:?}", c.efc_mw);
    assert!((c.elcc_mw.0 - 100.0).abs() < 0.5, "ELCC {:?}", c.elcc_mw);
    assert!(c.efc_mw.1 <= c.efc_mw.0 && c.efc_mw.0 <= c.efc_mw.2);
    assert!(c.without.mean > c.with.mean);
}

#[test]
fn an_unreliable_unit_is_credited_with_less_than_its_nameplate() {
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/rts79.toml");
    let options = RunOptions {
        trajectories: 2_000,
        seed: 5,
        ..RunOptions::default()
    };
    let c = capacity_credit(
        &scenario,
        "units[U400 nuclear]",
        "lole_hours",
        &Engine::Cpu,
        &options,
    )
    .unwrap();
    // Two 400 MW units with a 12% forced outage rate: credited well below 800 MW.
    assert!(c.efc_mw.0 > 200.0 && c.efc_mw.0 < 800.0, "{:?}", c.efc_mw);
    let err = capacity_credit(
        &scenario,
        "units[nope]",
        "lole_hours",
        &Engine::Cpu,
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no units entry named \"nope\""), "{err}");
}
