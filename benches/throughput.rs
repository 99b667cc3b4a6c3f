//! Throughput of the engines in trajectory-years per second.
//!
//! `cargo bench --bench throughput` reports "elements/s": one element is one trajectory of the
//! scenario's horizon scaled to a year (8760 h), so RTS-79's 8736-hour trajectories count as
//! 0.997 trajectory-years each.

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use egap::Study;

fn cpu(c: &mut Criterion) {
    let mut group = c.benchmark_group("cpu");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(2));
    for scenario in [
        "scenarios/rts79/rts79.toml",
        "scenarios/rts79-datacentre/rts79-datacentre.toml",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(scenario);
        let study = Study::load(&path).expect("bundled scenario loads");
        let trajectories = 16_384usize;
        let years = trajectories as f64 * f64::from(study.system.header.hours) / 8760.0;
        group.throughput(Throughput::Elements(years.round() as u64));
        group.bench_function(study.scenario.name.clone(), |b| {
            b.iter(|| egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, trajectories))
        });
    }
    group.finish();
}

criterion_group!(benches, cpu);
criterion_main!(benches);
