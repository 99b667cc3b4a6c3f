//! The CPU engine: the Rust mirror of the shaders, run over trajectories with rayon.
//!
//! Results do not depend on the thread count: each trajectory's record is a pure function of
//! (tables, parameters, seed, index), records come back in index order, and the per-hour
//! counters are integer sums.

pub mod network;
mod outages;
mod region_terms;
pub mod regions;
mod settled_hours;
mod terms;
mod trajectory;

use rayon::prelude::*;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::record::{ChunkRecords, FlowRecord, HourlyRisk, TrajectoryRecord};
use crate::engine::rng;
use crate::scenario::{CompiledSystem, ParameterLaws};

pub use outages::UnitStates;
use regions::RegionsState;

/// One worker thread's network walk state, on cache lines of its own: the walk writes its
/// scalar fields every hour, and two threads' states side by side would share a line at
/// their boundary (measured: a quarter of the RTS-GMLC throughput lost).
#[repr(align(128))]
struct ThreadWalk(Mutex<RegionsState>);

/// A small xorshift for the random hours of this engine's unit tests: a number below
/// `below`.
#[cfg(test)]
fn test_draw(state: &mut u64, below: u32) -> u32 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state % u64::from(below)) as u32
}

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
) -> ChunkRecords {
    run_chunk_counted(sys, laws, seed, first, count, None)
}

/// Like `run_chunk`, adding to `progress` the trajectories of each batch as it ends.
pub fn run_chunk_counted(
    sys: &CompiledSystem,
    laws: &ParameterLaws,
    seed: u64,
    first: u64,
    count: usize,
    progress: Option<&AtomicU64>,
) -> ChunkRecords {
    let key = rng::seed_key(seed);
    let hours = sys.hours();
    let slots = sys.header.record_slots as usize;
    let flow_slots = sys.header.flow_slots as usize;
    let fixed = laws.is_fixed().then(|| {
        let mut block = vec![0u32; laws.stride];
        laws.draw(seed, 0, &mut block);
        block
    });
    let mut records = vec![TrajectoryRecord::default(); count * slots];
    // At least one flow slot per trajectory, so that the zip below pairs every batch of
    // records with a batch of flows; the spare slots are dropped at the end.
    let flow_stride = flow_slots.max(1);
    let mut flows = vec![FlowRecord::default(); count * flow_stride];
    // Each rayon task writes its batch of records in place and folds its hours into one set
    // of counters per split, so memory does not grow with the chunk's batch count.
    let network = sys.is_network();
    // One network walk state per worker thread for the whole chunk, so that its tables of
    // terms and settled hours (`region_terms`, `settled_hours`) serve every batch the
    // thread takes rather than one (rayon's fold starts a fresh accumulator per split). A
    // batch locks its thread's state, uncontended; results do not depend on which state a
    // trajectory meets.
    let walks: Vec<ThreadWalk> = (0..rayon::current_num_threads().max(1))
        .map(|_| ThreadWalk(Mutex::new(RegionsState::default())))
        .collect();
    let risk = records
        .par_chunks_mut(BATCH * slots)
        .zip(flows.par_chunks_mut(BATCH * flow_stride))
        .enumerate()
        .fold(
            || (HourlyRisk::with_slots(hours, slots), UnitStates::default()),
            |(mut risk, mut states), (b, (out, out_flows))| {
                let thread = rayon::current_thread_index().unwrap_or(0) % walks.len();
                // A state left by a batch that panicked may hold a table half made: start
                // afresh.
                let mut walk = walks[thread].0.lock().unwrap_or_else(|poisoned| {
                    walks[thread].0.clear_poison();
                    let mut walk = poisoned.into_inner();
                    *walk = RegionsState::default();
                    walk
                });
                let mut block = fixed.clone().unwrap_or_else(|| vec![0u32; laws.stride]);
                for (i, record) in out.chunks_mut(slots).enumerate() {
                    let t = first + (b * BATCH + i) as u64;
                    if fixed.is_none() {
                        laws.draw(seed, t, &mut block);
                    }
                    if network {
                        let f = &mut out_flows[i * flow_stride..i * flow_stride + flow_slots];
                        regions::trajectory(
                            sys,
                            &block,
                            key,
                            t,
                            &mut states,
                            &mut walk,
                            &mut risk,
                            record,
                            f,
                        );
                    } else {
                        record[0] =
                            trajectory::trajectory(sys, &block, key, t, &mut states, &mut risk);
                    }
                }
                if let Some(p) = progress {
                    p.fetch_add((out.len() / slots) as u64, Ordering::Relaxed);
                }
                (risk, states)
            },
        )
        .map(|(risk, _)| risk)
        .reduce(
            || HourlyRisk::with_slots(hours, slots),
            |mut a, b| {
                a.merge(&b);
                a
            },
        );
    if flow_slots == 0 {
        flows.clear();
    }
    ChunkRecords {
        records,
        flows,
        risk,
    }
}
