//! One trajectory: outages, hourly shortfall and curtailment, and its record. Mirrors
//! `shaders/trajectory.wgsl`.
//!
//! Dispatch in one region: renewables serve demand first; what they cannot cover (`need`) is
//! served by available dispatchable capacity; an hour is short when need > available
//! (strictly: a load equal to the available capacity is served). Renewable output above
//! demand is curtailed. Between two outage transitions the constant-capacity fleet is fixed,
//! so an interval is skipped in O(1) when its bound on need does not exceed its bound on
//! available capacity; only intervals that may be short are walked hour by hour.
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use crate::engine::record::{HourlyRisk, TrajectoryRecord};
use crate::scenario::tables::{CompiledSystem, NONE};

use super::outages::UnitStates;
use super::terms::{self, Params};

/// Hours per loss-of-load day.
const DAY: u32 = 24;
/// Block length of the curtailment pass.
const CURTAILMENT_BLOCK: u32 = 24;

/// Running loss-of-load tallies of one trajectory (of the system or one region).
pub struct Tally {
    /// Where this record's profile starts in the per-hour counters.
    risk_offset: usize,
    /// One past the last short hour (u32::MAX before any), to count events and days.
    last_short_end: u32,
    last_short_day: u32,
}

impl Tally {
    pub fn new(risk_offset: usize) -> Tally {
        Tally {
            risk_offset,
            last_short_end: u32::MAX,
            last_short_day: u32::MAX,
        }
    }

    /// Counts a shortfall in `hour` into `r` and the per-hour counters.
    #[inline]
    pub fn short(
        &mut self,
        r: &mut TrajectoryRecord,
        risk: &mut HourlyRisk,
        hour: u32,
        shortfall: u32,
    ) {
        r.unserved_energy += u64::from(shortfall);
        r.loss_of_load_hours += 1;
        r.peak_shortfall = r.peak_shortfall.max(shortfall);
        if self.last_short_end != hour {
            r.loss_of_load_events += 1;
        }
        let day = hour / DAY;
        if self.last_short_day != day {
            r.loss_of_load_days += 1;
            self.last_short_day = day;
        }
        self.last_short_end = hour + 1;
        let at = self.risk_offset + hour as usize;
        risk.short_trajectories[at] += 1;
        risk.shortfall_sum[at] += u64::from(shortfall);
    }
}

/// The single-region walk's tally, its record and counters together.
struct Walk<'r> {
    tally: Tally,
    record: TrajectoryRecord,
    risk: &'r mut HourlyRisk,
}

impl Walk<'_> {
    #[inline]
    fn short(&mut self, hour: u32, shortfall: u32) {
        self.tally
            .short(&mut self.record, self.risk, hour, shortfall);
    }
}

/// Capacity of unit `u` in hour `h` (its fixed capacity or its hourly profile).
#[inline(always)]
fn hourly_capacity(sys: &CompiledSystem, p: &Params, u: u32, h: u32) -> u32 {
    let row = &sys.units[u as usize];
    sys.series[terms::series_start(sys, row.profile, row.profile_year_stride, p.year) + h as usize]
}

/// Shortfall over hours [a, b) while the constant-capacity units available sum to `firm`.
#[inline]
fn shortfall_interval(
    sys: &CompiledSystem,
    p: &Params,
    states: &UnitStates,
    firm: u32,
    a: u32,
    b: u32,
    tally: &mut Walk,
) {
    let need_max = terms::demand_bound(sys, p, a, b, true) as i64
        - terms::renewable_bound(sys, p, a, b, false) as i64;
    if need_max <= 0 {
        return;
    }
    let mut available_min = firm;
    for i in 0..sys.hourly_units.len() {
        let u = sys.hourly_units[i];
        if states.up[u as usize] == 1 {
            let row = &sys.units[u as usize];
            available_min += terms::range_extreme(
                sys,
                false,
                row.profile,
                row.profile_year_stride,
                p.year,
                a,
                b,
            );
        }
    }
    if need_max as u32 <= available_min {
        return;
    }
    for h in a..b {
        let need = terms::demand(sys, p, h) as i64 - terms::renewable(sys, p, h) as i64;
        if need <= 0 {
            continue;
        }
        let mut available = firm;
        for i in 0..sys.hourly_units.len() {
            let u = sys.hourly_units[i];
            if states.up[u as usize] == 1 {
                available += hourly_capacity(sys, p, u, h);
            }
        }
        if need as u32 > available {
            tally.short(h, need as u32 - available);
        }
    }
}

/// Curtailed energy of the trajectory: independent of outages in one region, so computed in
/// a pass of its own that skips every day whose renewable output cannot exceed demand.
fn curtailment_pass(sys: &CompiledSystem, p: &Params, record: &mut TrajectoryRecord) {
    if record.renewable_energy == 0 {
        return;
    }
    let hours = sys.header.hours;
    let mut curtailed = 0u64;
    let mut a = 0;
    while a < hours {
        let b = (a + CURTAILMENT_BLOCK).min(hours);
        if terms::renewable_bound(sys, p, a, b, true) > terms::demand_bound(sys, p, a, b, false) {
            for h in a..b {
                let r = terms::renewable(sys, p, h);
                let d = terms::demand(sys, p, h);
                if r > d {
                    curtailed += u64::from(r - d);
                }
            }
        }
        a = b;
    }
    record.curtailed_energy = curtailed;
}

/// Simulates trajectory `trajectory` with parameter block `block`.
pub fn trajectory(
    sys: &CompiledSystem,
    block: &[u32],
    seed: [u32; 2],
    trajectory: u64,
    states: &mut UnitStates,
    risk: &mut HourlyRisk,
) -> TrajectoryRecord {
    let p = Params::unpack(sys, block);
    let hours = sys.header.hours;
    states.start(sys, &p, seed, trajectory);
    let mut firm = 0u32;
    for u in 0..sys.units.len() {
        if states.up[u] == 1 && sys.units[u].profile == NONE {
            firm += sys.units[u].capacity;
        }
    }
    // Upper bound of need over the whole horizon, for the O(1) test of each interval.
    let need_ceiling = (terms::demand_bound(sys, &p, 0, hours, true) as i64
        - terms::renewable_bound(sys, &p, 0, hours, false) as i64)
        .max(0) as u32;
    let mut tally = Walk {
        tally: Tally::new(0),
        record: TrajectoryRecord::default(),
        risk,
    };
    let mut now = 0;
    while now < hours {
        let next = states.next_time(hours);
        // Most intervals end here: the firm fleet alone covers the horizon's peak need.
        if firm < need_ceiling {
            shortfall_interval(sys, &p, states, firm, now, next, &mut tally);
        }
        while states.next_time(hours) == next && next < hours {
            let (u, up) = states.advance(sys, seed, trajectory, next);
            let row = &sys.units[u as usize];
            if row.profile == NONE {
                if up {
                    firm += row.capacity;
                } else {
                    firm -= row.capacity;
                }
            }
        }
        now = next;
    }
    let mut record = tally.record;
    record.demand_energy = p.demand_energy;
    record.renewable_energy = p.renewable_energy;
    curtailment_pass(sys, &p, &mut record);
    record
}
