//! Two-state Markov outage processes of every unit, sampled as transition times, and the
//! min-heap that merges them into one chronological stream of events. Mirrors
//! `shaders/outages.wgsl`.
//!
//! A unit's sojourns are geometric (up with mean MTTF, down with mean MTTR); its first state
//! is drawn from the stationary availability μ/(λ+μ). Each repair starts a new *cycle* whose
//! up- and down-time come from one Philox draw (unit = stream, cycle = counter), so the work
//! is proportional to the number of transitions, not to unit-hours.
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use crate::engine::rng::{self, Sojourn};
use crate::scenario::tables::{CompiledSystem, NEVER, UNIT_BITS, UnitRow};

use super::terms::Params;

const UNIT_MASK: u32 = (1 << UNIT_BITS) - 1;

/// Per-trajectory state of every unit, reused across trajectories on one thread.
#[derive(Default)]
pub struct UnitStates {
    /// 1 while the unit is available.
    pub up: Vec<u32>,
    /// Hour the current outage ends (valid while up: the end of the next outage).
    pub repair_at: Vec<u32>,
    /// Completed repair cycles: the Philox counter of the next draw.
    pub cycle: Vec<u32>,
    /// Heap of `time << UNIT_BITS | unit` for every unit with a transition in the horizon.
    pub heap: Vec<u32>,
}

#[inline(always)]
fn fail_law(u: &UnitRow) -> Sojourn {
    Sojourn {
        mantissa: u.fail_mantissa,
        shift: u.fail_shift,
    }
}

#[inline(always)]
fn repair_law(u: &UnitRow) -> Sojourn {
    Sojourn {
        mantissa: u.repair_mantissa,
        shift: u.repair_shift,
    }
}

/// First random stream of the interface circuits and storage outage rows.
pub const NETWORK_STREAMS: u32 = 1 << 24;

/// The random stream of unit row `u`. Generators use their row; circuit and storage rows
/// start at NETWORK_STREAMS, so adding or removing a generator (a sweep over a count, the
/// probe unit of a capacity credit) leaves their outages as they were: common random numbers.
#[inline(always)]
fn stream(sys: &CompiledSystem, u: u32) -> u32 {
    let generators = sys.header.generators;
    if u < generators {
        u
    } else {
        NETWORK_STREAMS + (u - generators)
    }
}

#[inline(always)]
fn key(time: u32, unit: u32) -> u32 {
    (time.min(NEVER) << UNIT_BITS) | unit
}

#[inline(always)]
pub fn key_time(key: u32) -> u32 {
    key >> UNIT_BITS
}

impl UnitStates {
    /// Draws every unit's first state and first transition; returns the heap's size.
    pub fn start(&mut self, sys: &CompiledSystem, p: &Params, seed: [u32; 2], trajectory: u64) {
        let n = sys.units.len();
        self.up.clear();
        self.up.resize(n, 0);
        self.repair_at.clear();
        self.repair_at.resize(n, NEVER);
        self.cycle.clear();
        self.cycle.resize(n, 0);
        self.heap.clear();
        for u in 0..n {
            let row = &sys.units[u];
            if !p.online(row.project) {
                continue;
            }
            if row.never_fails == 1 {
                self.up[u] = 1;
                continue;
            }
            let w = rng::draw(seed, trajectory, stream(sys, u as u32), 0);
            let next = if w[2] < row.up_threshold {
                self.up[u] = 1;
                let fail_at = fail_law(row).sample(w[0], &sys.log2_table, NEVER);
                self.repair_at[u] =
                    (fail_at + repair_law(row).sample(w[1], &sys.log2_table, NEVER)).min(NEVER);
                fail_at
            } else {
                let repair_at = repair_law(row).sample(w[1], &sys.log2_table, NEVER);
                self.repair_at[u] = repair_at;
                repair_at
            };
            self.heap.push(key(next, u as u32));
        }
        // One sentinel past the end, so a node's right child can always be read.
        self.heap.push(u32::MAX);
        let len = self.heap.len() - 1;
        for i in (0..len / 2).rev() {
            sift_down(&mut self.heap, len, i);
        }
    }

    /// Applies the transition at the top of the heap (at hour `now`) and schedules the unit's
    /// next one. Returns the unit and whether it is now available.
    pub fn advance(
        &mut self,
        sys: &CompiledSystem,
        seed: [u32; 2],
        trajectory: u64,
        now: u32,
    ) -> (u32, bool) {
        let u = self.heap[0] & UNIT_MASK;
        let row = &sys.units[u as usize];
        let ui = u as usize;
        let next = if self.up[ui] == 1 {
            self.up[ui] = 0;
            self.repair_at[ui]
        } else {
            self.up[ui] = 1;
            self.cycle[ui] += 1;
            let w = rng::draw(seed, trajectory, stream(sys, u), self.cycle[ui]);
            let fail_at = now + fail_law(row).sample(w[0], &sys.log2_table, NEVER);
            self.repair_at[ui] =
                (fail_at + repair_law(row).sample(w[1], &sys.log2_table, NEVER)).min(NEVER);
            fail_at
        };
        // A unit with no transition left keeps a NEVER key: the heap never shrinks.
        self.heap[0] = key(next, u);
        let len = self.heap.len() - 1;
        sift_down(&mut self.heap, len, 0);
        (u, self.up[ui] == 1)
    }

    /// Hour of the next transition, or `hours` when none is left in the horizon.
    #[inline(always)]
    pub fn next_time(&self, hours: u32) -> u32 {
        key_time(self.heap[0]).min(hours)
    }
}

/// Moves the key at `start` down to its place among the first `len` keys; the slot at `len`
/// holds a sentinel larger than any key, so the smaller child is chosen without a branch.
#[inline(always)]
fn sift_down(heap: &mut [u32], len: usize, start: usize) {
    let x = heap[start];
    let mut i = start;
    loop {
        let l = 2 * i + 1;
        if l >= len {
            break;
        }
        let c = l + usize::from(heap[l + 1] < heap[l]);
        if heap[c] >= x {
            break;
        }
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = x;
}
