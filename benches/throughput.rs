//! Throughput of the engines in trajectory-years per second.
//!
//! `cargo bench --bench throughput` reports "elements/s": one element is one trajectory of the
//! scenario's horizon scaled to a year (8760 h), so RTS-79's 8736-hour trajectories count as
//! 0.997 trajectory-years each. The GPU group runs on the adapter `egap devices` lists first
//! (lavapipe on a machine without a GPU) and is skipped when there is none.

use std::path::Path;
use std::time::Duration;

use criterion::{
    BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main, measurement::WallTime,
};
use egap::Study;
use egap::engine::gpu::GpuEngine;

/// The one-region RTS-79 studies, and the network studies users bring: RTS-GMLC from its
/// PRAS file, the US data-centre study and the China west-to-east study.
const SCENARIOS: [&str; 7] = [
    "scenarios/rts79/rts79.toml",
    "scenarios/rts79x3/rts79x3.toml",
    "scenarios/rts79-datacentre/rts79-datacentre.toml",
    "scenarios/three-region/three-region.toml",
    "data/pras/rts.pras",
    "scenarios/us-datacenter-2030/us-datacenter-2030.toml",
    "scenarios/china-west-east/china-west-east.toml",
];

fn load(scenario: &str) -> Study {
    Study::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario))
        .expect("bundled scenario loads")
}

fn configure<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(2));
    group
}

fn trajectory_years(study: &Study, trajectories: usize) -> Throughput {
    let years = trajectories as f64 * f64::from(study.system.header.hours) / 8760.0;
    Throughput::Elements(years.round() as u64)
}

fn cpu(c: &mut Criterion) {
    let mut group = configure(c, "cpu");
    for scenario in SCENARIOS {
        let study = load(scenario);
        // A network study walks every hour and solves a flow in most of them: fewer
        // trajectories keep a sample within criterion's measurement time.
        let trajectories = if study.system.is_network() {
            512
        } else {
            16_384
        };
        group.throughput(trajectory_years(&study, trajectories));
        group.bench_function(study.scenario.name.clone(), |b| {
            b.iter(|| egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, trajectories))
        });
    }
    group.finish();
}

fn gpu(c: &mut Criterion) {
    let engine = match GpuEngine::new(None) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("gpu benchmarks skipped: {e}");
            return;
        }
    };
    let mut group = configure(c, &format!("gpu ({})", engine.adapter.name));
    for scenario in SCENARIOS {
        let study = load(scenario);
        // A study too large for one window of the software adapter's loop budget is refused
        // there; say so and go on.
        let prepared = match engine.prepare(&study.system) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("gpu benchmark of {scenario} skipped: {e}");
                continue;
            }
        };
        // Enough threads to fill a large GPU; lavapipe is slow, so stay modest there (a year
        // of network dispatch on it takes seconds per few hundred trajectories).
        let trajectories = match (
            engine.adapter.device_type == "Cpu",
            study.system.is_network(),
        ) {
            (true, true) => 256,
            (true, false) => 16_384,
            (false, _) => 1 << 20,
        };
        group.throughput(trajectory_years(&study, trajectories));
        group.bench_function(study.scenario.name.clone(), |b| {
            b.iter(|| {
                engine
                    .run_chunk(&prepared, &study.laws, 1, 0, trajectories)
                    .expect("GPU run")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, cpu, gpu);
criterion_main!(benches);
