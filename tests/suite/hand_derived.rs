//! A system small enough to solve by hand, checked against the engine.
//!
//! Two units, three hours, loads 120, 60 and 140 MW.
//!   A: 100 MW, λ = 0.1, μ = 0.4 per hour → available with probability 0.4 / 0.5 = 0.8
//!   B:  50 MW, λ = 0.2, μ = 0.2 per hour → available with probability 0.5
//! Each unit starts from its stationary distribution, so every hour's marginal is
//! stationary and the units are independent.
//!
//! Per hour (states AB: both 0.4, A only 0.4, B only 0.1, none 0.1):
//!   120 MW: short unless both are up: P = 0.6; E[shortfall] = 0.4·20 + 0.1·70 + 0.1·120 = 27
//!    60 MW: short when A is down:     P = 0.2; E[shortfall] = 0.1·10 + 0.1·60 = 7
//!   140 MW: short unless both are up: P = 0.6; E[shortfall] = 0.4·40 + 0.1·90 + 0.1·140 = 39
//! LOLE = 0.6 + 0.2 + 0.6 = 1.4 h; EUE = 27 + 7 + 39 = 73 MWh.
//!
//! Events (runs of short hours) need the dynamics:
//!   P(short at 0) = 0.6
//!   P(short at 1, not at 0) = P(both up at 0) · λ_A = 0.4 · 0.1 = 0.04
//!   P(short at 2, not at 1) = P(A up at 1) − P(A up at 1 and 2) · P(B up at 2)
//!                           = 0.8 − 0.8 · 0.9 · 0.5 = 0.44
//!   LOLF = 0.6 + 0.04 + 0.44 = 1.08 events.
//! LOLP = 1 − P(both up at 0, A up at 1, both up at 2)
//!      = 1 − [0.8 · 0.9 · 0.9] · [0.5 · P(B up→up in two steps)]
//!      = 1 − 0.648 · 0.5 · (0.8·0.8 + 0.2·0.2) = 1 − 0.648 · 0.34 = 0.77968.
//! The three hours lie in one day, so LOLE in days equals LOLP.

use egap::engine::Engine;
use egap::{Control, RunOptions, Study};

const SCENARIO: &str = r#"
[study]
name = "hand-derived two-unit system"
hours = 3

[[regions]]
name = "bus"
load_mw = [120, 60, 140]

[[units]]
name = "A"
capacity_mw = 100
failure_probability = 0.1
repair_probability = 0.4

[[units]]
name = "B"
capacity_mw = 50
failure_probability = 0.2
repair_probability = 0.2
"#;

#[test]
fn engine_matches_the_hand_derivation() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiny.toml");
    std::fs::write(&path, SCENARIO).unwrap();
    let study = Study::load(&path).unwrap();
    // 400,000 trajectories: the standard errors below are at most ~0.0025 (LOLF) and
    // ~0.11 MWh (EUE); every check allows 4 standard errors as computed by the run itself.
    let options = RunOptions {
        trajectories: 400_000,
        seed: 11,
        ..RunOptions::default()
    };
    let outcome = egap::run(&study, &Engine::Cpu, false, &options, &mut |_, _| {
        Control::Continue
    })
    .unwrap();
    let s = outcome.accumulator.summary(&study.units());
    let m = &s.metrics;
    let within = |name: &str, e: &egap::stats::Estimate, expected: f64| {
        assert!(e.standard_error > 0.0, "{name}: no spread");
        assert!(
            (e.mean - expected).abs() <= 4.0 * e.standard_error,
            "{name}: {} ± {} vs {expected}",
            e.mean,
            e.standard_error
        );
    };
    within("LOLE h", &m.lole_hours, 1.4);
    within("EUE", &m.eue_mwh, 73.0);
    within("LOLF", &m.lolf_events, 1.08);
    within("LOLP", &m.lolp, 0.77968);
    within("LOLE d", &m.lole_days, 0.77968);
    // Hourly risk profile: the stationary marginals. SE = sqrt(p(1-p)/n) ≤ 0.0008.
    for (h, p) in [(0, 0.6), (1, 0.2), (2, 0.6)] {
        let got = s.hourly[h].lolp;
        assert!((got - p).abs() < 0.0032, "hour {h}: LOLP {got} vs {p}");
    }
    let shortfall: Vec<f64> = s.hourly.iter().map(|h| h.expected_shortfall_mw).collect();
    for (got, want) in shortfall.iter().zip([27.0, 7.0, 39.0]) {
        assert!(
            (got - want).abs() < 0.25,
            "expected shortfall {got} vs {want}"
        );
    }
    // Demand is fixed: 320 MWh in every trajectory, exactly.
    assert_eq!(m.demand_energy_mwh.mean, 320.0);
    assert_eq!(m.demand_energy_mwh.standard_error, 0.0);
}

/// A forced outage rate with a mean time to repair is the same outage model as the mean
/// time to failure it implies, MTTF = MTTR · (1 − FOR) / FOR: the compiled studies are
/// identical (equal fingerprints), for units, stores and interfaces.
#[test]
fn a_forced_outage_rate_is_the_mttf_it_implies() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, outage: &str| {
        let path = dir.path().join(name);
        let text = format!(
            "[study]\nhours = 24\n\n[[regions]]\nname = \"A\"\nload_mw = 100\n\n\
             [[regions]]\nname = \"B\"\nload_mw = 80\n\n\
             [[units]]\nname = \"g\"\nregion = \"A\"\ncount = 3\ncapacity_mw = 100\n{outage}\n\n\
             [[storage]]\nname = \"s\"\nregion = \"B\"\ncharge_mw = 10\ndischarge_mw = 10\n\
             energy_mwh = 40\n{outage}\n\n\
             [[interfaces]]\nfrom = \"A\"\nto = \"B\"\nlimit_mw = 50\n{outage}\n"
        );
        std::fs::write(&path, text).unwrap();
        Study::load(&path).unwrap()
    };
    // FOR 0.2 with MTTR 40 h: MTTF = 40 · 0.8 / 0.2 = 160 h.
    let by_rate = write("rate.toml", "forced_outage_rate = 0.2\nmttr_h = 40");
    let by_means = write("means.toml", "mttf_h = 160\nmttr_h = 40");
    assert_eq!(by_rate.fingerprint(), by_means.fingerprint());
    let other = write("other.toml", "mttf_h = 170\nmttr_h = 40");
    assert_ne!(by_rate.fingerprint(), other.fingerprint());
    // FOR 0: never fails.
    let never = write("never.toml", "forced_outage_rate = 0\nmttr_h = 40");
    let zero = write(
        "zero.toml",
        "failure_probability = 0\nrepair_probability = 0.025",
    );
    assert_eq!(never.fingerprint(), zero.fingerprint());
}
