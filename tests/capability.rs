//! Load-carrying capability of RTS-79 at LOLE ≤ 2.4 h/yr against an exact capacity-outage
//! convolution computed here.

use std::path::Path;

use egap::capability::{Criterion, load_carrying_capability};
use egap::engine::Engine;
use egap::{RunOptions, Study};

/// Probability of each available capacity (whole MW) of the RTS-79 fleet, each unit available
/// with probability MTTF / (MTTF + MTTR), independently: the stationary state the engine starts
/// every unit in.
fn available_capacity_distribution() -> Vec<f64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("data/rts79/units.csv");
    let units = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (see data/rts79/README.md): {e}",
            path.display()
        )
    });
    let mut p = vec![1.0];
    for line in units.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (count, mw): (usize, usize) = (f[1].parse().unwrap(), f[2].parse().unwrap());
        let (mttf, mttr): (f64, f64) = (f[4].parse().unwrap(), f[5].parse().unwrap());
        let a = mttf / (mttf + mttr);
        for _ in 0..count {
            let mut next = vec![0.0; p.len() + mw];
            for (c, &q) in p.iter().enumerate() {
                next[c] += q * (1.0 - a);
                next[c + mw] += q * a;
            }
            p = next;
        }
    }
    p
}

fn hourly_load() -> Vec<f64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/rts79/load.csv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

/// Exact LOLE with every hourly load scaled by `s`: Σ_h P(available < s · load_h).
fn exact_lole(p: &[f64], load: &[f64], s: f64) -> f64 {
    let mut below = vec![0.0; p.len() + 1]; // below[c] = P(available < c)
    for c in 0..p.len() {
        below[c + 1] = below[c] + p[c];
    }
    load.iter()
        .map(|&l| {
            let x = s * l;
            // Available capacities are whole MW: P(A < x) = P(A <= ceil(x) - 1).
            let c = (x.ceil() as usize).min(p.len());
            below[c]
        })
        .sum()
}

#[test]
fn rts79_load_carrying_capability_brackets_the_exact_answer() {
    let p = available_capacity_distribution();
    let load = hourly_load();
    // The convolution reproduces the published index: LOLE 9.394175 h/yr.
    assert!(
        (exact_lole(&p, &load, 1.0) - 9.394175).abs() < 5e-6,
        "{}",
        exact_lole(&p, &load, 1.0)
    );
    let (mut lo, mut hi) = (0.5, 1.0);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if exact_lole(&p, &load, mid) <= 2.4 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let exact = lo;

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
    assert_eq!(Criterion::parse("LOLE_d<=0.1").unwrap().metric, "lole_days");
    assert_eq!(Criterion::parse("NEUE_ppm <= 10").unwrap().limit, 10.0);
    for bad in ["LOLE>2", "LOLE_h<=x", "LOLE_h<=-1", "FOO<=1"] {
        let e = Criterion::parse(bad).unwrap_err().to_string();
        assert!(e.contains("criterion") || e.contains("limit"), "{bad}: {e}");
    }
}
