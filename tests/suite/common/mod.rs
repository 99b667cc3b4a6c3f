//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    reason = "tests/pras.rs, a binary of its own, uses only part of it"
)]

pub mod rts79_exact;

/// A bundled scenario file, `scenarios/NAME`, as an argument for the command line.
pub fn scenario(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

use egap::engine::cpu::network::{LinkHour, RegionHour};
use egap::engine::gpu::GpuEngine;

/// A small deterministic generator (xorshift64), so tests need no extra crate.
pub struct Random(pub u64);

impl Random {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Random hours on random networks of 2 to `max_regions` regions, each pair joined by an
/// interface with probability one half; demands, renewables and dispatchable capacity are
/// drawn so that shortfall and curtailment both occur often.
pub fn random_networks(
    count: usize,
    max_regions: u64,
    seed: u64,
) -> Vec<(Vec<RegionHour>, Vec<LinkHour>)> {
    let mut rng = Random(seed);
    (0..count)
        .map(|_| {
            let n = 2 + rng.below(max_regions - 1) as usize;
            let regions: Vec<RegionHour> = (0..n)
                .map(|_| RegionHour {
                    demand: rng.below(500) as u32,
                    renewable: rng.below(600) as u32,
                    available: rng.below(420) as u32,
                })
                .collect();
            let mut links = Vec::new();
            for a in 0..n {
                for b in a + 1..n {
                    if rng.below(2) == 0 {
                        links.push(LinkHour {
                            from: a as u32,
                            to: b as u32,
                            forward: rng.below(300) as u32,
                            backward: rng.below(300) as u32,
                        });
                    }
                }
            }
            (regions, links)
        })
        .collect()
}

/// The GPU engine on whatever adapter wgpu finds, saying which; None (with a message) on a
/// machine without one, except in CI (CI=true), where a missing adapter fails the test.
pub fn gpu_engine() -> Option<GpuEngine> {
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
