//! One trajectory of a study with several regions, interfaces or storage: a walk over every
//! hour with network dispatch. Mirrors `shaders/regions.wgsl`.
//!
//! Each hour: outage transitions due at that hour are applied; each region's demand,
//! renewable output and available dispatchable capacity, each interface's limits after
//! circuit outages, and each store's charge and discharge room are formed; then the hour is
//! dispatched (`network::dispatch_hour`) and the states of charge advance.
//!
//! Hours with no deficit and no renewable surplus anywhere skip the solver. In them storage
//! charges from its own region's dispatchable surplus; when every region can fill its stores
//! that way this is exactly the solver's answer (a local path costs CHARGE − DISPATCHABLE,
//! an import one hop more), and otherwise the solver runs.
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use crate::engine::record::{FlowRecord, HourlyRisk, TrajectoryRecord};
use crate::engine::rng::mul_shr_sat;
use crate::scenario::tables::{
    CompiledSystem, NONE, ROW_CIRCUIT, ROW_STORAGE, STORE_SHIFT, StorageRow,
};

use super::network::{Dispatch, LinkHour, Network, RegionHour, StoreHour, dispatch_hour};
use super::outages::UnitStates;
use super::terms::{self, Params};
use super::trajectory::Tally;

/// Per-thread state of the walk, reused across trajectories.
#[derive(Default)]
pub struct RegionsState {
    /// Available constant-capacity dispatchable units per region.
    firm: Vec<u32>,
    /// Per region, in a quiet hour: dispatchable capacity left after local storage.
    spare: Vec<u32>,
    /// Per region, in a quiet hour: dispatchable output not yet displaced by shift stores.
    need: Vec<u32>,
    /// Per store, in a quiet hour: what a shift store gives back.
    give: Vec<u32>,
    up_circuits: Vec<u32>,
    /// Stored energy per device (power units × hours).
    soc: Vec<u32>,
    regions: Vec<RegionHour>,
    links: Vec<LinkHour>,
    stores: Vec<StoreHour>,
    net: Network,
    out: Dispatch,
}

/// ⌈x · 2^16 / q⌉ for a Q16 fraction 0 < q ≤ 2^16, saturating; in 32-bit steps (the grid
/// energy that stores x, or that takes x out of a store).
#[inline(always)]
pub fn div_q16_ceil(x: u32, q: u32) -> u32 {
    let whole = x / q;
    if whole >= 1 << 16 {
        return u32::MAX;
    }
    (whole << 16) + ((x % q) << 16).div_ceil(q)
}

/// ⌊x · k / n⌋ for k ≤ n ≤ 2^16: the limit left when k of n equal circuits are up.
#[inline(always)]
pub fn circuit_share(x: u32, k: u32, n: u32) -> u32 {
    (x / n) * k + (x % n) * k / n
}

/// A constant or the hour's value of a series (power units).
#[inline(always)]
fn limit(sys: &CompiledSystem, p: &Params, constant: u32, series: u32, stride: u32, h: u32) -> u32 {
    if series == NONE {
        constant
    } else {
        sys.series[terms::series_start(sys, series, stride, p.year) + h as usize]
    }
}

#[inline(always)]
fn store_available(p: &Params, states: &UnitStates, s: &StorageRow) -> bool {
    p.online(s.project) && (s.unit == NONE || states.up[s.unit as usize] == 1)
}

/// Simulates trajectory `trajectory` with parameter block `block`, writing its
/// `record_slots` records and `flow_slots` flow records.
#[allow(clippy::too_many_arguments, reason = "mirrors the shader's bindings")]
pub fn trajectory(
    sys: &CompiledSystem,
    block: &[u32],
    seed: [u32; 2],
    trajectory: u64,
    states: &mut UnitStates,
    w: &mut RegionsState,
    risk: &mut HourlyRisk,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
) {
    let p = Params::unpack(sys, block);
    let h_count = sys.header.hours;
    let n_regions = sys.header.regions as usize;
    let n_links = sys.interfaces.len();
    let n_stores = sys.storage.len();
    let hours = h_count as usize;
    states.start(sys, &p, seed, trajectory);

    w.firm.clear();
    w.firm.resize(n_regions, 0);
    w.spare.clear();
    w.spare.resize(n_regions, 0);
    w.need.clear();
    w.need.resize(n_regions, 0);
    for u in 0..sys.header.generators as usize {
        if states.up[u] == 1 && sys.units[u].profile == NONE {
            w.firm[sys.unit_region[u] as usize] += sys.units[u].capacity;
        }
    }
    w.up_circuits.clear();
    w.up_circuits
        .extend(sys.interfaces.iter().map(|i| i.circuits));
    for u in sys.header.generators as usize..sys.units.len() {
        let tag = sys.unit_region[u];
        if tag & ROW_STORAGE == 0 && states.up[u] == 0 {
            w.up_circuits[(tag & !ROW_CIRCUIT) as usize] -= 1;
        }
    }
    w.soc.clear();
    w.soc.extend(sys.storage.iter().map(|s| s.initial));
    w.regions.clear();
    w.regions.resize(n_regions, RegionHour::default());
    w.links.clear();
    w.links.extend(sys.interfaces.iter().map(|i| LinkHour {
        from: i.from,
        to: i.to,
        forward: 0,
        backward: 0,
    }));
    w.stores.clear();
    w.stores.extend(sys.storage.iter().map(|s| StoreHour {
        region: s.region,
        charge: 0,
        discharge: 0,
        shift: s.mode == STORE_SHIFT,
    }));
    w.give.clear();
    w.give.resize(n_stores, 0);
    for r in records.iter_mut() {
        *r = TrajectoryRecord::default();
    }
    for f in flows.iter_mut() {
        *f = FlowRecord::default();
    }
    // Tallies: slot 0 is the system, slot 1 + r region r (when there are several).
    let slots = records.len();
    let mut tallies: Vec<Tally> = (0..slots).map(|s| Tally::new(s * hours)).collect();

    for h in 0..h_count {
        while states.next_time(h_count) == h {
            let (u, up) = states.advance(sys, seed, trajectory, h);
            let u = u as usize;
            if u < sys.header.generators as usize {
                let row = &sys.units[u];
                if row.profile == NONE {
                    let r = sys.unit_region[u] as usize;
                    if up {
                        w.firm[r] += row.capacity;
                    } else {
                        w.firm[r] -= row.capacity;
                    }
                }
            } else {
                let tag = sys.unit_region[u];
                if tag & ROW_STORAGE == 0 {
                    let i = (tag & !ROW_CIRCUIT) as usize;
                    if up {
                        w.up_circuits[i] += 1;
                    } else {
                        w.up_circuits[i] -= 1;
                    }
                }
            }
        }

        // The hour's regions.
        for r in 0..n_regions {
            let l = &sys.loads[r];
            w.regions[r] = RegionHour {
                demand: terms::term(p.load_scale, terms::series_value(sys, l, p.year, h)),
                renewable: 0,
                available: w.firm[r],
            };
        }
        for k in 0..sys.added_loads.len() {
            let r = sys.added_load_region[k] as usize;
            w.regions[r].demand += terms::term(
                p.added_power[k],
                terms::series_value(sys, &sys.added_loads[k], p.year, h),
            );
        }
        for k in 0..sys.renewables.len() {
            let t = &sys.renewables[k];
            if p.online(t.project) {
                let r = sys.renewable_region[k] as usize;
                w.regions[r].renewable +=
                    terms::term(t.scale, terms::series_value(sys, t, p.year, h));
            }
        }
        for i in 0..sys.hourly_units.len() {
            let u = sys.hourly_units[i] as usize;
            if states.up[u] == 1 {
                let row = &sys.units[u];
                w.regions[sys.unit_region[u] as usize].available +=
                    limit(sys, &p, 0, row.profile, row.profile_year_stride, h);
            }
        }
        // The hour's interfaces and stores.
        for i in 0..n_links {
            let f = &sys.interfaces[i];
            let mut forward = limit(sys, &p, f.forward, f.forward_series, f.forward_stride, h);
            let mut backward = limit(sys, &p, f.backward, f.backward_series, f.backward_stride, h);
            let up = w.up_circuits[i];
            if up < f.circuits {
                forward = circuit_share(forward, up, f.circuits);
                backward = circuit_share(backward, up, f.circuits);
            }
            w.links[i].forward = forward;
            w.links[i].backward = backward;
        }
        for s in 0..n_stores {
            let st = &sys.storage[s];
            let (charge, discharge) = if store_available(&p, states, st) {
                (
                    st.charge
                        .min(div_q16_ceil(st.energy - w.soc[s], st.charge_efficiency)),
                    st.discharge
                        .min(mul_shr_sat(w.soc[s], st.discharge_efficiency, 16)),
                )
            } else {
                (0, 0)
            };
            w.stores[s].charge = charge;
            w.stores[s].discharge = discharge;
        }

        // Dispatch. A quiet hour has no shortfall and no renewable surplus anywhere: shift
        // stores then give back what they hold in place of their region's units, and the
        // other stores charge from their region's spare units; the solver runs only when
        // the hour is not quiet, or when some store cannot be filled from its own region.
        let mut quiet = true;
        for r in 0..n_regions {
            let g = &w.regions[r];
            if g.renewable > g.demand || g.demand > g.renewable + g.available {
                quiet = false;
            }
        }
        let mut solve = !quiet;
        if quiet {
            for r in 0..n_regions {
                let g = &w.regions[r];
                w.need[r] = g.demand - g.renewable;
                w.spare[r] = g.available - w.need[r];
            }
            for s in 0..n_stores {
                let r = w.stores[s].region as usize;
                w.give[s] = 0;
                if w.stores[s].shift {
                    // Given back in place of units; not offered to other stores.
                    w.give[s] = w.stores[s].discharge.min(w.need[r]);
                    w.need[r] -= w.give[s];
                    w.stores[s].charge = 0;
                    w.stores[s].discharge = 0;
                } else if w.stores[s].charge > w.spare[r] {
                    solve = true;
                } else {
                    w.spare[r] -= w.stores[s].charge;
                }
            }
        }
        if solve {
            dispatch_hour(&w.regions, &w.links, &w.stores, &mut w.net, &mut w.out);
        } else {
            w.out.shortfall.clear();
            w.out.shortfall.resize(n_regions, 0);
            w.out.curtailment.clear();
            w.out.curtailment.resize(n_regions, 0);
            w.out.flow.clear();
            w.out.flow.resize(n_links, 0);
            w.out.charge.clear();
            w.out.charge.extend(w.stores.iter().map(|s| s.charge));
            w.out.discharge.clear();
            w.out.discharge.resize(n_stores, 0);
        }
        if quiet {
            for s in 0..n_stores {
                if w.stores[s].shift {
                    w.out.discharge[s] = w.give[s];
                }
            }
        }

        // Tallies.
        let mut system_short = 0u32;
        for r in 0..n_regions {
            let g = &w.regions[r];
            let shortfall = w.out.shortfall[r];
            let curtailed = w.out.curtailment[r];
            system_short += shortfall;
            if slots > 1 {
                let rec = &mut records[1 + r];
                rec.demand_energy += u64::from(g.demand);
                rec.renewable_energy += u64::from(g.renewable);
                rec.curtailed_energy += u64::from(curtailed);
                if shortfall > 0 {
                    tallies[1 + r].short(rec, risk, h, shortfall);
                }
            }
            let sys_rec = &mut records[0];
            sys_rec.demand_energy += u64::from(g.demand);
            sys_rec.renewable_energy += u64::from(g.renewable);
            sys_rec.curtailed_energy += u64::from(curtailed);
        }
        if system_short > 0 {
            tallies[0].short(&mut records[0], risk, h, system_short);
        }
        for i in 0..n_links {
            let f = w.out.flow[i];
            let rec = &mut flows[i];
            if f > 0 {
                rec.first_energy += f as u64;
                if f as u32 == w.links[i].forward {
                    rec.first_hours += 1;
                }
            } else if f < 0 {
                rec.second_energy += (-f) as u64;
                if (-f) as u32 == w.links[i].backward {
                    rec.second_hours += 1;
                }
            }
        }
        for s in 0..n_stores {
            let st = &sys.storage[s];
            let charge = w.out.charge[s];
            let discharge = w.out.discharge[s];
            // The last unit of a charge may overshoot by less than one power unit × hour: the
            // store fills exactly, and the excess is lost like any conversion loss.
            w.soc[s] = (w.soc[s] + mul_shr_sat(charge, st.charge_efficiency, 16)).min(st.energy);
            w.soc[s] -= div_q16_ceil(discharge, st.discharge_efficiency);
            let rec = &mut flows[n_links + s];
            rec.first_energy += u64::from(charge);
            rec.second_energy += u64::from(discharge);
            if w.soc[s] == st.energy {
                rec.first_hours += 1;
            }
            if w.soc[s] == 0 {
                rec.second_hours += 1;
            }
        }
    }
}
