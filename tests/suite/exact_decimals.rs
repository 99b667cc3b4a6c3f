//! Decimals a planner writes stay exact: a load multiplier of 1.05, a capacity factor of 0.7
//! or an added-load shape of 0.3 turns a load into exactly the product when that is a whole
//! number of power units, so an exact tie between load and capacity is served (loss of load
//! is strict), on both engines and in both walks (one region, and the network walk).

use egap::engine::Engine;
use egap::{Control, RunOptions, Study};

use crate::common;

fn study(toml: &str) -> (tempfile::TempDir, Study) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tie.toml");
    std::fs::write(&path, toml).unwrap();
    let study = Study::load(&path).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    (dir, study)
}

/// LOLE in hours of `toml` on the CPU, after checking that the GPU (where there is one)
/// gives the same records.
fn lole_hours(toml: &str) -> f64 {
    let (_dir, study) = study(toml);
    if let Some(gpu) = common::gpu_engine() {
        let prepared = gpu.prepare(&study.system).unwrap();
        let g = gpu.run_chunk(&prepared, &study.laws, 1, 0, 8).unwrap();
        let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, 8);
        assert_eq!(g, c, "GPU and CPU differ\n{toml}");
    }
    let options = RunOptions {
        trajectories: 8,
        ..RunOptions::default()
    };
    let summary = egap::run(&study, &Engine::Cpu, false, &options, &mut |_, _| {
        Control::Continue
    })
    .unwrap()
    .accumulator
    .summary(&study.units());
    summary.metrics.lole_hours.mean
}

const FIRM: &str = "failure_probability = 0\nrepair_probability = 1\n";

/// A second region joined by an idle line, so that the study runs the network walk.
const NETWORK: &str = "\n[[regions]]\nname = \"B\"\nload_mw = 0\n\n[[interfaces]]\nfrom = \"A\"\nto = \"B\"\nlimit_mw = 0\n";

#[test]
fn a_load_multiplier_of_1_05_against_exactly_its_product_is_served() {
    let base = format!(
        "load_multiplier = 1.05\n\n[study]\nhours = 100\n\n[[regions]]\nname = \"A\"\nload_mw = 2000\n\n[[units]]\nname = \"unit\"\nregion = \"A\"\ncapacity_mw = 2100\n{FIRM}"
    );
    assert_eq!(lole_hours(&base), 0.0, "one region");
    assert_eq!(lole_hours(&format!("{base}{NETWORK}")), 0.0, "network");
    // A hair more load is short in every hour: the tie is what is served.
    let short = base.replace("load_mw = 2000", "load_mw = 2000.01");
    assert_eq!(lole_hours(&short), 100.0);
}

#[test]
fn wind_at_a_capacity_factor_of_0_7_against_exactly_its_output_is_served() {
    let base = format!(
        "[study]\nhours = 100\n\n[[regions]]\nname = \"A\"\nload_mw = 170\n\n[[units]]\nname = \"unit\"\nregion = \"A\"\ncapacity_mw = 100\n{FIRM}\n[[renewables]]\nname = \"wind\"\nregion = \"A\"\ncapacity_mw = 100\ncapacity_factor = 0.7\n"
    );
    assert_eq!(lole_hours(&base), 0.0, "one region");
    assert_eq!(lole_hours(&format!("{base}{NETWORK}")), 0.0, "network");
    let short = base.replace("capacity_factor = 0.7", "capacity_factor = 0.6999");
    assert_eq!(lole_hours(&short), 100.0);
}

#[test]
fn an_added_load_shape_of_0_3_against_exactly_its_product_is_served() {
    let base = format!(
        "[study]\nhours = 100\n\n[[regions]]\nname = \"A\"\nload_mw = 1000\n\n[[units]]\nname = \"unit\"\nregion = \"A\"\ncapacity_mw = 1150\n{FIRM}\n[[added_loads]]\nname = \"campus\"\nregion = \"A\"\nsize_mw = 500\nshape = 0.3\n"
    );
    assert_eq!(lole_hours(&base), 0.0, "one region");
    assert_eq!(lole_hours(&format!("{base}{NETWORK}")), 0.0, "network");
    let short = base.replace("size_mw = 500", "size_mw = 500.1");
    assert_eq!(lole_hours(&short), 100.0);
}
