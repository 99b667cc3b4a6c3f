//! Load-carrying capability of RTS-79 at LOLE ≤ 2.4 h/yr against an exact capacity-outage
//! convolution computed here.

use std::path::Path;

use common::rts79_exact::{available_capacity, crossing, hourly_load, lole};
use egap::capability::{Criterion, load_carrying_capability};
use egap::engine::Engine;
use egap::{RunOptions, Study};

use crate::common;

#[test]
fn rts79_load_carrying_capability_brackets_the_exact_answer() {
    let p = available_capacity(|_| true);
    let load = hourly_load();
    // The convolution reproduces the published index: LOLE 9.394175 h/yr.
    let base = lole(&p, &load, 1.0, 0.0, 0.0);
    assert!((base - 9.394175).abs() < 5e-6, "{base}");
    let exact = crossing(|s| lole(&p, &load, s, 0.0, 0.0) > 2.4, 0.5, 1.0);

    let study =
        Study::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/rts79.toml"))
            .unwrap();
    // 20,000 trajectories per step: the reported 95% interval on the scale is about ±0.002.
    let options = RunOptions {
        trajectories: 20_000,
        seed: 3,
        ..RunOptions::default()
    };
    let criterion = Criterion::parse("LOLE_h<=2.4").unwrap();
    let c =
        load_carrying_capability(&study, &Engine::Cpu, &options, &criterion, &mut |_| ()).unwrap();
    assert!(c.scale_low <= c.scale && c.scale <= c.scale_high);
    assert!(
        c.scale_high - c.scale_low < 0.01,
        "interval too wide: [{}, {}]",
        c.scale_low,
        c.scale_high
    );
    assert!(
        c.scale_low <= exact && exact <= c.scale_high,
        "exact scale {exact} outside the reported interval [{}, {}] (estimate {})",
        c.scale_low,
        c.scale_high,
        c.scale
    );
}

#[test]
fn criteria_are_parsed_or_refused_clearly() {
    assert_eq!(
        Criterion::parse("LOLE_d<=0.1").unwrap().metric,
        egap::stats::Metric::LoleDays
    );
    assert_eq!(Criterion::parse("NEUE_ppm <= 10").unwrap().limit, 10.0);
    for bad in ["LOLE>2", "LOLE_h<=x", "LOLE_h<=-1", "FOO<=1"] {
        let e = Criterion::parse(bad).unwrap_err();
        assert!(e.contains("criterion") || e.contains("limit"), "{bad}: {e}");
    }
}
