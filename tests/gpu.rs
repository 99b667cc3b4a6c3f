//! The GPU engine against the CPU engine: identical records, field by field.
//!
//! Runs on whatever adapter wgpu finds (in CI: Mesa's lavapipe, a software Vulkan device).
//! With CI=true a missing adapter fails the test; on a developer machine without Vulkan the
//! tests say so and pass without checking.

use std::path::Path;

use egap::Study;
use egap::engine::gpu::GpuEngine;

fn engine() -> Option<GpuEngine> {
    match GpuEngine::new(None) {
        Ok(e) => {
            eprintln!(
                "GPU tests on {} ({}, {})",
                e.adapter.name, e.adapter.backend, e.adapter.device_type
            );
            Some(e)
        }
        Err(e) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI needs a GPU adapter (lavapipe): {e}")
        }
        Err(e) => {
            eprintln!("skipping the GPU tests: {e}");
            None
        }
    }
}

fn study(name: &str) -> Study {
    Study::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name),
    )
    .unwrap()
}

fn assert_engines_agree(gpu: &GpuEngine, study: &Study, seed: u64, first: u64, n: usize) {
    let prepared = gpu.prepare(&study.system).unwrap();
    let (g, gh) = gpu
        .run_chunk(&prepared, &study.laws, seed, first, n)
        .unwrap();
    let (c, ch) = egap::engine::cpu::run_chunk(&study.system, &study.laws, seed, first, n);
    assert_eq!(g.len(), c.len());
    for (i, (a, b)) in g.iter().zip(&c).enumerate() {
        assert_eq!(
            a,
            b,
            "{}: trajectory {} differs",
            study.scenario.name,
            first + i as u64
        );
    }
    assert_eq!(gh, ch, "{}: hourly counters differ", study.scenario.name);
    assert!(
        c.iter().any(|r| r.loss_of_load_hours > 0),
        "the comparison should include short hours"
    );
}

#[test]
fn philox_on_the_gpu_matches_the_known_answers() {
    let Some(gpu) = engine() else { return };
    let inputs = [
        [0, 0, 0, 0, 0, 0],
        [u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX],
        [
            0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
        ],
    ];
    let expected = [
        [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ];
    assert_eq!(gpu.philox(&inputs).unwrap(), expected);
}

#[test]
fn rts79_records_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    assert_engines_agree(&gpu, &study("rts79/rts79.toml"), 7, 0, 3_000);
    // A trajectory index above 2^32 exercises the counter's high word.
    assert_engines_agree(&gpu, &study("rts79/rts79.toml"), 7, (1 << 32) - 700, 1_400);
}

#[test]
fn uncertain_demand_records_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    assert_engines_agree(
        &gpu,
        &study("rts79-datacentre/rts79-datacentre.toml"),
        3,
        0,
        2_000,
    );
}
