//! The CPU engine: the Rust mirror of the shaders, run over trajectories with rayon.
//!
//! Results do not depend on the thread count: each trajectory's record is a pure function of
//! (tables, parameters, seed, index), records come back in index order, and the per-hour
//! counters are integer sums.

mod outages;
mod terms;
mod trajectory;

use rayon::prelude::*;

use crate::engine::record::{HourlyRisk, TrajectoryRecord};
use crate::engine::rng;
use crate::scenario::{CompiledSystem, ParameterLaws};

pub use outages::UnitStates;

/// Trajectories per rayon task: large enough to amortise the per-task counters.
const BATCH: usize = 512;

/// Simulates trajectories `first .. first + count`, returning their records in order and the
/// per-hour counters.
pub fn run_chunk(
    sys: &CompiledSystem,
    laws: &ParameterLaws,
    seed: u64,
    first: u64,
    count: usize,
) -> (Vec<TrajectoryRecord>, HourlyRisk) {
    let key = rng::seed_key(seed);
    let hours = sys.hours();
    let fixed = laws.is_fixed().then(|| {
        let mut block = vec![0u32; laws.stride];
        laws.draw(seed, 0, &mut block);
        block
    });
    let batches: Vec<(Vec<TrajectoryRecord>, HourlyRisk)> = (0..count.div_ceil(BATCH))
        .into_par_iter()
        .map(|b| {
            let start = b * BATCH;
            let n = BATCH.min(count - start);
            let mut states = UnitStates::default();
            let mut risk = HourlyRisk::new(hours);
            let mut block = fixed.clone().unwrap_or_else(|| vec![0u32; laws.stride]);
            let records = (0..n)
                .map(|i| {
                    let t = first + (start + i) as u64;
                    if fixed.is_none() {
                        laws.draw(seed, t, &mut block);
                    }
                    trajectory::trajectory(sys, &block, key, t, &mut states, &mut risk)
                })
                .collect();
            (records, risk)
        })
        .collect();
    let mut records = Vec::with_capacity(count);
    let mut risk = HourlyRisk::new(hours);
    for (r, h) in batches {
        records.extend(r);
        risk.merge(&h);
    }
    (records, risk)
}
