//! The CPU engine: the Rust mirror of the shaders, run over trajectories with rayon.
//!
//! Results do not depend on the thread count: each trajectory's record is a pure function of
//! (tables, parameters, seed, index), records come back in index order, and the per-hour
//! counters are integer sums.

pub mod network;
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
    let mut records = vec![TrajectoryRecord::default(); count];
    // Each rayon task writes its batch of records in place and folds its hours into one set
    // of counters per split, so memory does not grow with the chunk's batch count.
    let risk = records
        .par_chunks_mut(BATCH)
        .enumerate()
        .fold(
            || (HourlyRisk::new(hours), UnitStates::default()),
            |(mut risk, mut states), (b, out)| {
                let mut block = fixed.clone().unwrap_or_else(|| vec![0u32; laws.stride]);
                for (i, record) in out.iter_mut().enumerate() {
                    let t = first + (b * BATCH + i) as u64;
                    if fixed.is_none() {
                        laws.draw(seed, t, &mut block);
                    }
                    *record = trajectory::trajectory(sys, &block, key, t, &mut states, &mut risk);
                }
                (risk, states)
            },
        )
        .map(|(risk, _)| risk)
        .reduce(
            || HourlyRisk::new(hours),
            |mut a, b| {
                a.merge(&b);
                a
            },
        );
    (records, risk)
}
