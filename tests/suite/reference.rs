//! IEEE RTS-79 against its published adequacy indices, and run-splitting exactness.

use std::path::Path;

use common::rts79_exact;
use egap::engine::Engine;
use egap::{Control, RunOptions, Study};

use crate::common;

fn rts79() -> Study {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/rts79.toml");
    Study::load(&path).expect("the bundled RTS-79 scenario loads")
}

/// Published for the generating system with the hourly load model: LOLE 9.39418 h/yr and
/// EENS 1176 MWh/yr (Billinton & Li 1994; an exact capacity-outage convolution gives 9.394175
/// and 1176.30). With 600,000 trajectories the standard errors are about 0.020 h and 3.7 MWh;
/// the test allows 3 standard errors, as computed by the run itself: 0.65% of LOLE and 0.94%
/// of EENS, so an engine biased by 1% in either fails.
#[test]
fn rts79_matches_published_lole_and_eens() {
    let study = rts79();
    let options = RunOptions {
        trajectories: 600_000,
        seed: 2024,
        ..RunOptions::default()
    };
    let outcome = egap::run(&study, &Engine::Cpu, false, &options, &mut |_, _| {
        Control::Continue
    })
    .unwrap();
    let s = outcome.accumulator.summary(&study.units());
    // The exact values, from the convolution.
    let p = rts79_exact::available_capacity(|_| true);
    let load = rts79_exact::hourly_load();
    let exact_lole = rts79_exact::lole(&p, &load, 1.0, 0.0, 0.0);
    let exact_eue = rts79_exact::eue(&p, &load);
    assert!((exact_lole - 9.39418).abs() < 1e-5, "{exact_lole}");
    assert!((exact_eue - 1176.3).abs() < 0.05, "{exact_eue}");
    let lole = &s.metrics.lole_hours;
    let eue = &s.metrics.eue_mwh;
    assert!(
        (lole.mean - exact_lole).abs() <= 3.0 * lole.standard_error,
        "LOLE {} ± {}",
        lole.mean,
        lole.standard_error
    );
    assert!(
        (eue.mean - exact_eue).abs() <= 3.0 * eue.standard_error,
        "EUE {} ± {}",
        eue.mean,
        eue.standard_error
    );
    assert!(
        lole.standard_error < 0.022 && eue.standard_error < 4.0,
        "standard errors {} h and {} MWh",
        lole.standard_error,
        eue.standard_error
    );
    // The annual energy of the RTS-79 load model, exactly the sum of the hourly loads.
    assert!((s.metrics.demand_energy_mwh.mean - 15_297_074.716_7).abs() < 0.01);
}

/// Shards of a run (disjoint trajectory ranges, any chunk size) merge into exactly the
/// single run's summary.
#[test]
fn shards_merge_into_the_single_run() {
    let study = rts79();
    let run = |first, n, chunk| {
        let options = RunOptions {
            trajectories: n,
            seed: 5,
            first_trajectory: first,
            chunk_size: chunk,
            progress: None,
            stop: None,
        };
        egap::run(&study, &Engine::Cpu, false, &options, &mut |_, _| {
            Control::Continue
        })
        .unwrap()
        .accumulator
    };
    let whole = run(0, 6_000, 65_536);
    let mut merged = run(4_000, 2_000, 333);
    merged.merge(&run(0, 4_000, 1_000));
    assert_eq!(merged, whole);
    let json =
        |a: &egap::stats::Accumulator| serde_json::to_string(&a.summary(&study.units())).unwrap();
    assert_eq!(json(&merged), json(&whole));
}

/// A stop request after the first chunk keeps exactly the completed trajectories.
#[test]
fn a_stopped_run_keeps_the_completed_chunks() {
    let study = rts79();
    let options = RunOptions {
        trajectories: 5_000,
        seed: 5,
        chunk_size: 1_000,
        ..RunOptions::default()
    };
    let outcome = egap::run(&study, &Engine::Cpu, false, &options, &mut |done, _| {
        if done >= 2_000 {
            Control::Stop
        } else {
            Control::Continue
        }
    })
    .unwrap();
    assert!(outcome.interrupted);
    assert_eq!(outcome.completed, 2_000);
    assert_eq!(outcome.accumulator.trajectories(), 2_000);
    let first_two = egap::run(
        &study,
        &Engine::Cpu,
        false,
        &RunOptions {
            trajectories: 2_000,
            ..options
        },
        &mut |_, _| Control::Continue,
    )
    .unwrap();
    assert_eq!(first_two.accumulator, outcome.accumulator);
}
