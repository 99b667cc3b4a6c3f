//! Two-state Markov outage processes of every unit, sampled as transition times, and the
//! calendar that merges them into one chronological stream of events. Mirrors
//! `shaders/outages.wgsl`.
//!
//! A unit's sojourns are geometric (up with mean MTTF, down with mean MTTR); its first state
//! is drawn from the stationary availability μ/(λ+μ). Each repair starts a new *cycle* whose
//! up- and down-time come from one Philox draw (unit = stream, cycle = counter), so the work
//! is proportional to the number of transitions, not to unit-hours.
//!
//! Transition times are whole hours of the horizon, so this engine files each unit under
//! the hour of its next transition (a list per hour and a bitmap of the hours with one):
//! filing and taking an event cost O(1) and finding the next hour with events a bitmap scan
//! that moves only forward. The shader merges the same events in a min-heap, which needs no
//! per-hour storage per thread. The two take an hour's events in different orders; nothing
//! depends on that order (an hour's transitions all apply before the hour is walked, they
//! add and remove capacity, and each unit's draws are counted by its own cycle).
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use crate::engine::rng::{self, Sojourn};
use crate::scenario::tables::{CompiledSystem, NEVER, UnitRow};

use super::terms::Params;

/// End of a list of units filed under one hour.
const NO_UNIT: u32 = u32::MAX;

/// Per-trajectory state of every unit, reused across trajectories on one thread.
#[derive(Default)]
pub struct UnitStates {
    /// 1 while the unit is available.
    pub up: Vec<u32>,
    /// Hour the current outage ends (valid while up: the end of the next outage).
    pub repair_at: Vec<u32>,
    /// Completed repair cycles: the Philox counter of the next draw.
    pub cycle: Vec<u32>,
    /// Per hour: the first unit filed under it (valid while the hour's bit is set).
    first: Vec<u32>,
    /// Per unit: the next unit filed under the same hour.
    after: Vec<u32>,
    /// Bit h set while some unit is filed under hour h.
    filed: Vec<u64>,
    /// The earliest hour with a filed unit, or the horizon when none is left.
    next: u32,
    /// Hours of the horizon.
    hours: u32,
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
        self.after.clear();
        self.after.resize(n, NO_UNIT);
        self.hours = sys.header.hours;
        self.first.resize(self.hours as usize, NO_UNIT);
        self.filed.clear();
        self.filed.resize((self.hours as usize).div_ceil(64), 0);
        self.next = self.hours;
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
            self.file(next, u as u32);
        }
    }

    /// Files unit `u` under hour `t`; a transition past the horizon is dropped.
    #[inline(always)]
    fn file(&mut self, t: u32, u: u32) {
        if t >= self.hours {
            return;
        }
        let (word, bit) = ((t / 64) as usize, t % 64);
        self.after[u as usize] = if self.filed[word] >> bit & 1 == 1 {
            self.first[t as usize]
        } else {
            NO_UNIT
        };
        self.filed[word] |= 1 << bit;
        self.first[t as usize] = u;
        self.next = self.next.min(t);
    }

    /// Takes a unit filed under the earliest hour, `next`, and moves `next` on when it was
    /// the hour's last.
    #[inline(always)]
    fn take(&mut self) -> u32 {
        let t = self.next;
        let u = self.first[t as usize];
        let after = self.after[u as usize];
        if after != NO_UNIT {
            self.first[t as usize] = after;
            return u;
        }
        // No unit is filed before `t`: the scan starts at its word.
        let mut word = (t / 64) as usize;
        self.filed[word] &= !(1 << (t % 64));
        while word < self.filed.len() && self.filed[word] == 0 {
            word += 1;
        }
        self.next = if word < self.filed.len() {
            word as u32 * 64 + self.filed[word].trailing_zeros()
        } else {
            self.hours
        };
        u
    }

    /// Applies a transition of hour `now` (the earliest filed) and files the unit's next
    /// one. Returns the unit and whether it is now available.
    pub fn advance(
        &mut self,
        sys: &CompiledSystem,
        seed: [u32; 2],
        trajectory: u64,
        now: u32,
    ) -> (u32, bool) {
        debug_assert_eq!(now, self.next);
        let u = self.take();
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
        self.file(next, u);
        (u, self.up[ui] == 1)
    }

    /// Hour of the next transition, or `hours` when none is left in the horizon.
    #[inline(always)]
    pub fn next_time(&self, hours: u32) -> u32 {
        self.next.min(hours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every transition of the horizon, found unit by unit from the same draws without any
    /// queue, sorted by (hour, unit).
    fn transitions_unit_by_unit(
        sys: &CompiledSystem,
        p: &Params,
        seed: [u32; 2],
        trajectory: u64,
    ) -> Vec<(u32, u32, bool)> {
        let hours = sys.header.hours;
        let mut all = Vec::new();
        for u in 0..sys.units.len() {
            let row = &sys.units[u];
            if !p.online(row.project) || row.never_fails == 1 {
                continue;
            }
            let table = &sys.log2_table;
            let w = rng::draw(seed, trajectory, stream(sys, u as u32), 0);
            // (hour the unit fails, hour it is repaired) of the current cycle.
            let (mut fail, mut repair) = if w[2] < row.up_threshold {
                let f = fail_law(row).sample(w[0], table, NEVER);
                (Some(f), f + repair_law(row).sample(w[1], table, NEVER))
            } else {
                (None, repair_law(row).sample(w[1], table, NEVER))
            };
            let mut cycle = 0;
            loop {
                if let Some(f) = fail {
                    if f >= hours {
                        break;
                    }
                    all.push((f, u as u32, false));
                }
                if repair >= hours {
                    break;
                }
                all.push((repair, u as u32, true));
                cycle += 1;
                let w = rng::draw(seed, trajectory, stream(sys, u as u32), cycle);
                let f = repair + fail_law(row).sample(w[0], table, NEVER);
                fail = Some(f);
                repair = f + repair_law(row).sample(w[1], table, NEVER);
            }
        }
        all.sort_unstable();
        all
    }

    /// The calendar gives every transition once, hour by hour, as the units' own draws do.
    #[test]
    fn the_calendar_gives_each_units_transitions_in_time_order() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/rts79.toml");
        let study = crate::Study::load(&path).unwrap();
        let sys = &study.system;
        let hours = sys.header.hours;
        let seed = rng::seed_key(7);
        let mut states = UnitStates::default();
        let mut block = vec![0u32; study.laws.stride];
        for trajectory in 0..40 {
            study.laws.draw(7, trajectory, &mut block);
            let p = Params::unpack(sys, &block);
            states.start(sys, &p, seed, trajectory);
            let mut seen = Vec::new();
            let mut last = 0;
            while states.next_time(hours) < hours {
                let now = states.next_time(hours);
                assert!(now >= last, "hour {now} after hour {last}");
                last = now;
                let (u, up) = states.advance(sys, seed, trajectory, now);
                seen.push((now, u, up));
            }
            seen.sort_unstable();
            let expected = transitions_unit_by_unit(sys, &p, seed, trajectory);
            assert!(expected.len() > 100, "{} transitions", expected.len());
            assert_eq!(seen, expected, "trajectory {trajectory}");
        }
    }
}
