//! One matrix for determinism: the same inputs and seed give byte-identical summaries across
//! backends, thread counts, chunk sizes, shard splits and repeated runs.

use std::path::Path;

use egap::engine::Engine;
use egap::engine::gpu::GpuEngine;
use egap::stats::Accumulator;
use egap::{Control, RunOptions, Study};

fn summary_json(study: &Study, accumulator: &Accumulator) -> String {
    serde_json::to_string(&accumulator.summary(&study.units())).unwrap()
}

fn run(study: &Study, engine: &Engine, first: u64, n: u64, chunk: usize) -> Accumulator {
    let options = RunOptions {
        trajectories: n,
        seed: 77,
        first_trajectory: first,
        chunk_size: chunk,
        progress: None,
        stop: None,
    };
    egap::run(study, engine, false, &options, &mut |_, _| {
        Control::Continue
    })
    .unwrap()
    .accumulator
}

#[test]
fn summaries_do_not_depend_on_how_a_run_is_executed() {
    let study = Study::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/rts79-datacentre/rts79-datacentre.toml"),
    )
    .unwrap();
    let n = 6_000;
    let reference = summary_json(&study, &run(&study, &Engine::Cpu, 0, n, 16_384));
    let mut variants: Vec<(String, String)> = Vec::new();
    for threads in [1, 2, 3] {
        for chunk in [1_000, 4_099] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let acc = pool.install(|| run(&study, &Engine::Cpu, 0, n, chunk));
            variants.push((
                format!("cpu, {threads} threads, chunk {chunk}"),
                summary_json(&study, &acc),
            ));
        }
    }
    for shards in [2u64, 5] {
        let mut merged = Accumulator::new(study.system.hours());
        for k in (1..=shards).rev() {
            let (first, count) = egap::shard::range(n, k, shards);
            merged.merge(&run(&study, &Engine::Cpu, first, count, 2_000));
        }
        variants.push((
            format!("{shards} shards merged"),
            summary_json(&study, &merged),
        ));
    }
    variants.push((
        "repeat".into(),
        summary_json(&study, &run(&study, &Engine::Cpu, 0, n, 16_384)),
    ));
    match GpuEngine::new(None) {
        Ok(gpu) => {
            let engine = Engine::Gpu(Box::new(gpu));
            for chunk in [1_500, 16_384] {
                variants.push((
                    format!("gpu, chunk {chunk}"),
                    summary_json(&study, &run(&study, &engine, 0, n, chunk)),
                ));
            }
        }
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI needs a GPU adapter: {e}")
        }
        Err(e) => eprintln!("GPU variants skipped: {e}"),
    }
    for (name, json) in &variants {
        assert!(
            json == &reference,
            "{name}: summary differs from the reference run"
        );
    }
}
