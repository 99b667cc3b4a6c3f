//! One trajectory of a study with several regions, interfaces or storage: a walk over the
//! hours with network dispatch. Mirrors `shaders/regions.wgsl`.
//!
//! The walk goes from one outage or circuit transition to the next. Within such a stretch the
//! fleet is fixed, and each piece of it that lies in one aligned block of `QUIET_BLOCK` hours
//! is skipped in O(regions + stores + unfolded terms) when the block's range bounds (cached
//! per block) show that no hour in it can matter: no region can have a renewable surplus
//! (which does not depend on the fleet, so it is decided once per block), no region can be
//! short, and no store can change state (every available reliability store is full, every
//! available shift store empty). Nothing then happens in any of its hours but the store's
//! full or empty hour counts, which the skip adds. Demand and renewable energy come from the host (per region),
//! so skipped hours need no sums. When the trajectory's parameter block has a table of its
//! regions' terms (`region_terms`), the hours with a surplus are known exactly, so in a block
//! that has some, the runs of hours between them are skipped on the other two conditions.
//!
//! A walked hour: each region's demand, renewable output and available dispatchable capacity,
//! each interface's limits after circuit outages, and each store's charge and discharge room
//! are formed (renewables and hourly-capacity units of no project are read as one folded
//! series per region, `RegionFold`, less the few units that are down — the `counted` ones;
//! what does not depend on outages comes from the trajectory's table of terms when it has one,
//! else from series whose starts were found once per trajectory; interface limits change only
//! with circuit outages unless they are hourly); then the hour is dispatched
//! (`network::solve_prepared`, the network laid out once per trajectory) and the states of
//! charge advance.
//!
//! Hours with a renewable surplus, every circuit up, every region's need covered by its own
//! fleet and no reliability store with room are not solved: their dispatch does not depend
//! on the outage state beyond the room of one shift store, so the table settles it once
//! (`settled_hours`) and each trajectory replays it. A run of such hours (`settled_run`) is
//! walked without the stretch bounds, applying transitions as they come: most transitions
//! change only some region's dispatchable capacity, which such an hour does not depend on.
//!
//! Walked hours with no deficit and no renewable surplus anywhere skip the solver. In them
//! storage charges from its own region's dispatchable surplus; when every region can fill its
//! stores that way this is exactly the solver's answer (a local path costs CHARGE −
//! DISPATCHABLE, an import one hop more), and otherwise the solver runs.
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use crate::engine::record::{FlowRecord, HourlyRisk, TrajectoryRecord};
use crate::engine::rng::mul_shr_sat;
use crate::scenario::tables::{
    CompiledSystem, NONE, ROW_CIRCUIT, ROW_STORAGE, STORE_SHIFT, StorageRow,
};

use super::network::{Dispatch, LinkHour, Network, RegionHour, StoreHour, solve_prepared};
use super::outages::UnitStates;
use super::region_terms::{SeriesStarts, TermTables, read_at, series_at};
use super::settled_hours::SettledDispatch;
use super::terms::{self, Params};
use super::trajectory::Tally;

/// Hours of the blocks a stretch is split into when it cannot be skipped whole.
pub const QUIET_BLOCK: u32 = 16;

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
    /// Circuits down, over all interfaces (hours with none may be settled).
    circuits_down: u32,
    /// Stored energy per device (power units × hours).
    soc: Vec<u32>,
    /// Per region, over a stretch: bounds of demand and renewable output, and the least
    /// available dispatchable capacity.
    demand_top: Vec<u32>,
    demand_floor: Vec<u32>,
    renewable_top: Vec<u32>,
    renewable_floor: Vec<u32>,
    available_floor: Vec<u32>,
    /// Per region, over the cached aligned block: the least folded hourly capacity.
    fold_floor: Vec<u32>,
    /// The aligned block whose bounds are cached (u32::MAX: none).
    block: u32,
    /// Whether some region of the cached block may have a renewable surplus.
    block_may_surplus: bool,
    /// Loss-of-load tallies: slot 0 is the system, slot 1 + r region r (when there are
    /// several).
    tallies: Vec<Tally>,
    regions: Vec<RegionHour>,
    links: Vec<LinkHour>,
    stores: Vec<StoreHour>,
    net: Network,
    out: Dispatch,
    /// Where this trajectory's hourly series start, and the table of its regions' terms when
    /// its parameter block has one (see `region_terms`).
    starts: SeriesStarts,
    tables: TermTables,
    table: Option<usize>,
    /// (unit, region, start, in the fold) of each walked hourly-capacity unit online in
    /// this trajectory, and per unit row its place in that list (NONE: not walked).
    hourly_at: Vec<(usize, usize, usize, bool)>,
    hourly_slot: Vec<u32>,
    /// The walked hourly units that change their region's capacity now: those in the fold
    /// that are down (subtracted) and those of a project that are up (added). They are few
    /// at a time (RTS-GMLC walks 21 hydro units that are almost always up), so the walk
    /// reads these rather than every walked unit; entries are indices into `hourly_at`, and
    /// `counted_slot` gives each `hourly_at` entry's place here (NONE: not counted). The
    /// shader reads every walked unit: the sums are the same in any order.
    counted: Vec<u32>,
    counted_slot: Vec<u32>,
    /// Whether some interface limit is an hourly series (else the limits change only with
    /// circuit outages), and whether `links` must be formed again before the next hour.
    links_hourly: bool,
    links_stale: bool,
    /// A settled hour's curtailment per region and flow per link (`settled_hours`).
    settled_curtailment: Vec<u32>,
    settled_flow: Vec<i64>,
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

/// min(limit, div_q16_ceil(room, q)): what a store can take in an hour. The division is
/// needed only when the room, not the limit, binds (x · 2^16 ≤ (limit − 1) · q), which a
/// multiply tells: most hours of a store that is not nearly full skip it.
#[inline(always)]
pub fn charge_room(limit: u32, room: u32, q: u32) -> u32 {
    if limit == 0 || u64::from(room) << 16 > u64::from(limit - 1) * u64::from(q) {
        limit
    } else {
        div_q16_ceil(room, q)
    }
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

/// The least (`max = false`) or greatest value of a folded series over hours [a, b).
#[inline(always)]
fn fold_extreme(
    sys: &CompiledSystem,
    p: &Params,
    max: bool,
    series: u32,
    stride: u32,
    a: u32,
    b: u32,
) -> u32 {
    if series == NONE {
        0
    } else {
        terms::range_extreme(sys, max, series, stride, p.year, a, b)
    }
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
    start(sys, &p, seed, trajectory, states, w, records, flows);
    w.table = w.tables.choose(sys, &p, block, &w.starts);
    walk(
        sys,
        &p,
        seed,
        trajectory,
        states,
        w,
        risk,
        records,
        flows,
        0,
        sys.header.hours,
    );
}

/// Draws the first outage states and sets up the walk's state and the records (the GPU's
/// first window).
#[allow(clippy::too_many_arguments, reason = "mirrors the shader's bindings")]
pub fn start(
    sys: &CompiledSystem,
    p: &Params,
    seed: [u32; 2],
    trajectory: u64,
    states: &mut UnitStates,
    w: &mut RegionsState,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
) {
    let n_regions = sys.header.regions as usize;
    let n_stores = sys.storage.len();
    let hours = sys.header.hours as usize;
    states.start(sys, p, seed, trajectory);

    w.firm.clear();
    w.firm.resize(n_regions, 0);
    for v in [
        &mut w.spare,
        &mut w.need,
        &mut w.demand_top,
        &mut w.demand_floor,
        &mut w.renewable_top,
        &mut w.renewable_floor,
        &mut w.available_floor,
        &mut w.fold_floor,
    ] {
        v.clear();
        v.resize(n_regions, 0);
    }
    for u in 0..sys.header.generators as usize {
        if states.up[u] == 1 && sys.units[u].profile == NONE {
            w.firm[sys.unit_region[u] as usize] += sys.units[u].capacity;
        }
    }
    w.up_circuits.clear();
    w.up_circuits
        .extend(sys.interfaces.iter().map(|i| i.circuits));
    w.circuits_down = 0;
    for u in sys.header.generators as usize..sys.units.len() {
        let tag = sys.unit_region[u];
        if tag & ROW_STORAGE == 0 && states.up[u] == 0 {
            w.up_circuits[(tag & !ROW_CIRCUIT) as usize] -= 1;
            w.circuits_down += 1;
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
    w.net.prepare(n_regions, &w.links, &w.stores);
    w.give.clear();
    w.give.resize(n_stores, 0);
    w.block = u32::MAX;
    w.starts.find(sys, p);
    w.hourly_at.clear();
    w.hourly_slot.clear();
    w.hourly_slot.resize(sys.header.generators as usize, NONE);
    w.counted.clear();
    w.counted_slot.clear();
    for &u in &sys.walk_hourly_units {
        let row = &sys.units[u as usize];
        // A unit of a project that is not online in this trajectory never counts.
        if p.online(row.project) {
            let k = w.hourly_at.len();
            let in_fold = row.project == NONE;
            w.hourly_slot[u as usize] = k as u32;
            w.hourly_at.push((
                u as usize,
                sys.unit_region[u as usize] as usize,
                series_at(sys, row.profile, row.profile_year_stride, p.year),
                in_fold,
            ));
            w.counted_slot.push(NONE);
            if in_fold != (states.up[u as usize] == 1) {
                w.counted_slot[k] = w.counted.len() as u32;
                w.counted.push(k as u32);
            }
        }
    }
    w.links_hourly = sys
        .interfaces
        .iter()
        .any(|f| f.forward_series != NONE || f.backward_series != NONE);
    w.links_stale = true;
    w.out.size_for(n_regions, sys.interfaces.len(), n_stores);
    w.settled_curtailment.clear();
    w.settled_curtailment.resize(n_regions, 0);
    w.settled_flow.clear();
    w.settled_flow.resize(sys.interfaces.len(), 0);
    for r in records.iter_mut() {
        *r = TrajectoryRecord::default();
    }
    for f in flows.iter_mut() {
        *f = FlowRecord::default();
    }
    // Demand and renewable energy do not depend on outages: the host computed them.
    records[0].demand_energy = p.demand_energy;
    records[0].renewable_energy = p.renewable_energy;
    if records.len() > 1 {
        for r in 0..n_regions {
            let (demand, renewable) = p.region_energies(r);
            records[1 + r].demand_energy = demand;
            records[1 + r].renewable_energy = renewable;
        }
    }
    let slots = records.len();
    w.tallies.clear();
    w.tallies.extend((0..slots).map(|s| Tally::new(s * hours)));
}

/// Walks hours [from, to) of a started trajectory: transitions due in them are applied, and
/// each stretch between two transitions is skipped or walked hour by hour.
#[allow(clippy::too_many_arguments, reason = "mirrors the shader's bindings")]
pub fn walk(
    sys: &CompiledSystem,
    p: &Params,
    seed: [u32; 2],
    trajectory: u64,
    states: &mut UnitStates,
    w: &mut RegionsState,
    risk: &mut HourlyRisk,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
    from: u32,
    to: u32,
) {
    let h_count = sys.header.hours;
    let mut h = from;
    while h < to {
        transitions(sys, seed, trajectory, states, w, h);
        // Hours the table has settled are walked apart, transitions and all (from an hour
        // with a surplus, which a table tells in a bit).
        if let Some(t) = w.table
            && w.tables.surplus(t, h)
        {
            let settled_to =
                settled_run(sys, p, seed, trajectory, states, w, records, flows, h, to);
            if settled_to > h {
                h = settled_to;
                continue;
            }
        }
        // No transition in [h, end): each piece of it within one aligned block is skipped or
        // walked.
        let end = states.next_time(h_count).min(to);
        let mut a = h;
        while a < end {
            let b = ((a / QUIET_BLOCK + 1) * QUIET_BLOCK).min(end);
            // Runs [run, e) of the piece, each skipped or walked: the whole piece at once, or,
            // when a table gives the hours with a surplus, the surplus hours walked and the
            // runs between them skipped when they are quiet.
            let quiet_piece = stretch_is_quiet(sys, p, states, w, a);
            let table = w.table.filter(|_| !quiet_piece && w.block_may_surplus);
            let mut run = a;
            while run < b {
                // (end of the run, whether it is quiet, whether each of its hours is known to
                // have a surplus)
                let (e, quiet, surplus) = match table {
                    None => (b, quiet_piece, false),
                    Some(t) if w.tables.surplus(t, run) => {
                        (w.tables.next(t, false, run, b), false, true)
                    }
                    Some(t) => (
                        w.tables.next(t, true, run, b),
                        rest_is_quiet(sys, p, states, w, a / QUIET_BLOCK),
                        false,
                    ),
                };
                if quiet {
                    quiet_stretch(sys, w, flows, run, e);
                } else {
                    for hour in run..e {
                        walk_hour(sys, p, states, w, risk, records, flows, hour, surplus);
                    }
                }
                run = e;
            }
            a = b;
        }
        h = end;
    }
}

/// Applies the transitions due in hour `h`.
#[inline(always)]
fn transitions(
    sys: &CompiledSystem,
    seed: [u32; 2],
    trajectory: u64,
    states: &mut UnitStates,
    w: &mut RegionsState,
    h: u32,
) {
    let h_count = sys.header.hours;
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
            } else if w.hourly_slot[u] != NONE {
                recount(w, w.hourly_slot[u] as usize, up);
            }
        } else {
            let tag = sys.unit_region[u];
            if tag & ROW_STORAGE == 0 {
                let i = (tag & !ROW_CIRCUIT) as usize;
                w.links_stale = true;
                if up {
                    w.up_circuits[i] += 1;
                    w.circuits_down -= 1;
                } else {
                    w.up_circuits[i] -= 1;
                    w.circuits_down += 1;
                }
            }
        }
    }
}

/// Walks the hours from `h` (its transitions applied) whose dispatch the trajectory's table
/// has settled (`settled_hours`), applying each later hour's transitions as it comes, and
/// returns the first hour it did not walk (`h` when it walked none), its transitions
/// applied. Most transitions change only a region's dispatchable capacity, which such an
/// hour does not depend on while it covers the region's need, so a run of settled hours goes
/// on across them without the stretch bounds of `walk`.
#[allow(clippy::too_many_arguments, reason = "mirrors the shader's bindings")]
#[inline(never)]
fn settled_run(
    sys: &CompiledSystem,
    p: &Params,
    seed: [u32; 2],
    trajectory: u64,
    states: &mut UnitStates,
    w: &mut RegionsState,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
    h: u32,
    to: u32,
) -> u32 {
    let Some(t) = w.table else {
        return h;
    };
    // Hourly interface limits and counted hourly units are left to the walk.
    if w.links_hourly {
        return h;
    }
    let mut k = h;
    while k < to {
        if k > h {
            transitions(sys, seed, trajectory, states, w, k);
        }
        if w.circuits_down > 0 || !w.counted.is_empty() || !w.tables.surplus(t, k) {
            break;
        }
        form_links(sys, p, w, k);
        let cells = w.tables.hour(t, k, w.regions.len());
        for ((g, &firm), c) in w.regions.iter_mut().zip(&w.firm).zip(cells) {
            *g = RegionHour {
                available: c.available + firm,
                ..*c
            };
        }
        if !needs_covered(&w.regions) {
            break;
        }
        let rooms = sys.storage.iter().zip(&w.soc).map(|(st, &soc)| {
            let room = if store_available(p, states, st) {
                charge_room(st.charge, st.energy - soc, st.charge_efficiency)
            } else {
                0
            };
            (st.mode == STORE_SHIFT, room)
        });
        let Some(charging) = store_with_room(rooms) else {
            break;
        };
        let Some(settled) = w.tables.settled(t, k, &w.regions, &w.links, &w.stores) else {
            break;
        };
        tally_settled(
            &sys.storage,
            &w.links,
            &mut w.soc,
            &mut w.settled_curtailment,
            &mut w.settled_flow,
            &settled,
            charging,
            records,
            flows,
        );
        k += 1;
    }
    k
}

/// Walked hourly unit `k` (of `hourly_at`) is now up or down: it joins or leaves the
/// counted units.
#[inline(always)]
fn recount(w: &mut RegionsState, k: usize, up: bool) {
    let in_fold = w.hourly_at[k].3;
    let counts = in_fold != up;
    let slot = w.counted_slot[k];
    if counts && slot == NONE {
        w.counted_slot[k] = w.counted.len() as u32;
        w.counted.push(k as u32);
    } else if !counts && slot != NONE {
        w.counted.swap_remove(slot as usize);
        w.counted_slot[k] = NONE;
        if let Some(&moved) = w.counted.get(slot as usize) {
            w.counted_slot[moved as usize] = slot;
        }
    }
}

/// Bounds over aligned block `block` of what does not depend on the outage state: each
/// region's demand and renewable output, and its folded hourly capacity (all its units up).
fn block_bounds(sys: &CompiledSystem, p: &Params, w: &mut RegionsState, block: u32) {
    let (a, b) = block_hours(sys, block);
    for r in 0..sys.header.regions as usize {
        let l = &sys.loads[r];
        let f = &sys.region_fold[r];
        w.demand_top[r] = terms::load_term(
            p,
            terms::range_extreme(sys, true, l.series, l.year_stride, p.year, a, b),
        );
        w.demand_floor[r] = terms::load_term(
            p,
            terms::range_extreme(sys, false, l.series, l.year_stride, p.year, a, b),
        );
        w.renewable_top[r] = fold_extreme(sys, p, true, f.renewable, f.renewable_stride, a, b);
        w.renewable_floor[r] = fold_extreme(sys, p, false, f.renewable, f.renewable_stride, a, b);
        w.fold_floor[r] = fold_extreme(sys, p, false, f.available, f.available_stride, a, b);
    }
    for k in 0..sys.added_loads.len() {
        let t = &sys.added_loads[k];
        let r = sys.added_load_region[k] as usize;
        w.demand_top[r] += terms::added_term(
            p.added_power[k],
            terms::range_extreme(sys, true, t.series, t.year_stride, p.year, a, b),
        );
        w.demand_floor[r] += terms::added_term(
            p.added_power[k],
            terms::range_extreme(sys, false, t.series, t.year_stride, p.year, a, b),
        );
    }
    for i in 0..sys.walk_renewables.len() {
        let k = sys.walk_renewables[i] as usize;
        let t = &sys.renewables[k];
        if p.online(t.project) {
            let r = sys.renewable_region[k] as usize;
            w.renewable_top[r] += terms::term(
                t.scale,
                terms::range_extreme(sys, true, t.series, t.year_stride, p.year, a, b),
            );
            w.renewable_floor[r] += terms::term(
                t.scale,
                terms::range_extreme(sys, false, t.series, t.year_stride, p.year, a, b),
            );
        }
    }
    w.block_may_surplus =
        (0..sys.header.regions as usize).any(|r| w.renewable_top[r] > w.demand_floor[r]);
    w.block = block;
}

/// Hours [a, b) of aligned block `block`.
#[inline(always)]
fn block_hours(sys: &CompiledSystem, block: u32) -> (u32, u32) {
    let a = block * QUIET_BLOCK;
    (a, (a + QUIET_BLOCK).min(sys.header.hours))
}

/// Whether no hour from `a` to the end of its aligned block can matter (see the module
/// notes), from the block's bounds, the available firm fleet and the walked hourly units.
fn stretch_is_quiet(
    sys: &CompiledSystem,
    p: &Params,
    states: &UnitStates,
    w: &mut RegionsState,
    a: u32,
) -> bool {
    let block = a / QUIET_BLOCK;
    if w.block != block {
        block_bounds(sys, p, w, block);
    }
    // Whether some region may have a renewable surplus does not depend on the fleet: the
    // answer holds for every stretch of the block.
    !w.block_may_surplus && rest_is_quiet(sys, p, states, w, block)
}

/// Whether, in hours of aligned block `block` without a renewable surplus, nothing can
/// happen: no store can change state and no region can be short (from the block's bounds,
/// the available firm fleet and the counted hourly units).
#[inline(always)]
fn rest_is_quiet(
    sys: &CompiledSystem,
    p: &Params,
    states: &UnitStates,
    w: &mut RegionsState,
    block: u32,
) -> bool {
    for s in 0..sys.storage.len() {
        let st = &sys.storage[s];
        if store_available(p, states, st) {
            if st.mode == STORE_SHIFT {
                if w.soc[s] > 0 {
                    return false;
                }
            } else if w.soc[s] < st.energy {
                return false;
            }
        }
    }
    let (ba, bb) = block_hours(sys, block);
    for r in 0..sys.header.regions as usize {
        w.available_floor[r] = w.firm[r] + w.fold_floor[r];
    }
    // Only the counted units differ from the fold: those in it are down, the others up.
    for &k in &w.counted {
        let (u, r, _, in_fold) = w.hourly_at[k as usize];
        let row = &sys.units[u];
        if in_fold {
            let most = terms::range_extreme(
                sys,
                true,
                row.profile,
                row.profile_year_stride,
                p.year,
                ba,
                bb,
            );
            w.available_floor[r] -= most.min(w.available_floor[r]);
        } else {
            w.available_floor[r] += terms::range_extreme(
                sys,
                false,
                row.profile,
                row.profile_year_stride,
                p.year,
                ba,
                bb,
            );
        }
    }
    // No region can have a surplus (checked above); none may be short.
    (0..sys.header.regions as usize)
        .all(|r| w.demand_top[r] <= w.renewable_floor[r] + w.available_floor[r])
}

/// The tallies of a quiet stretch [a, b): nothing is short, curtailed, moved or stored, so
/// only the stores' full and empty hours count.
fn quiet_stretch(sys: &CompiledSystem, w: &RegionsState, flows: &mut [FlowRecord], a: u32, b: u32) {
    let n_links = sys.interfaces.len();
    for s in 0..sys.storage.len() {
        let rec = &mut flows[n_links + s];
        if w.soc[s] == sys.storage[s].energy {
            rec.first_hours += b - a;
        }
        if w.soc[s] == 0 {
            rec.second_hours += b - a;
        }
    }
}

/// One hour walked and dispatched; `surplus` when some region is known to have a renewable
/// surplus in it (so it is not quiet).
#[allow(clippy::too_many_arguments, reason = "mirrors the shader's bindings")]
fn walk_hour(
    sys: &CompiledSystem,
    p: &Params,
    states: &UnitStates,
    w: &mut RegionsState,
    risk: &mut HourlyRisk,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
    h: u32,
    surplus: bool,
) {
    let n_links = sys.interfaces.len();
    let n_stores = sys.storage.len();
    // The hour's regions: what does not depend on outages from the table or the series,
    // then the available constant units.
    match w.table {
        Some(t) => {
            let cells = w.tables.hour(t, h, w.regions.len());
            for ((g, &firm), c) in w.regions.iter_mut().zip(&w.firm).zip(cells) {
                *g = RegionHour {
                    available: c.available + firm,
                    ..*c
                };
            }
        }
        None => w.starts.hour(sys, p, h, &w.firm, &mut w.regions),
    }
    for &k in &w.counted {
        // Units of no project are in the fold: subtracted while down.
        let (_, r, at, in_fold) = w.hourly_at[k as usize];
        if in_fold {
            w.regions[r].available -= read_at(sys, at, h, 0);
        } else {
            w.regions[r].available += read_at(sys, at, h, 0);
        }
    }
    // The hour's interfaces (formed again only when a limit is hourly or a circuit has
    // changed state) and stores.
    form_links(sys, p, w, h);
    for ((store, st), &soc) in w.stores.iter_mut().zip(&sys.storage).zip(&w.soc) {
        (store.charge, store.discharge) = if store_available(p, states, st) {
            (
                charge_room(st.charge, st.energy - soc, st.charge_efficiency),
                st.discharge
                    .min(mul_shr_sat(soc, st.discharge_efficiency, 16)),
            )
        } else {
            (0, 0)
        };
    }

    // An hour with a surplus whose dispatch the table has settled.
    if surplus && w.circuits_down == 0 && settled_hour(sys, w, records, flows, h) {
        return;
    }
    let (quiet, solve) = if surplus {
        (false, true)
    } else {
        settle_quiet_hour(
            &w.regions,
            &mut w.stores,
            &mut w.need,
            &mut w.spare,
            &mut w.give,
        )
    };
    if solve {
        solve_prepared(&w.regions, &w.links, &w.stores, &mut w.net);
        for (s, (charge, discharge)) in w
            .out
            .charge
            .iter_mut()
            .zip(&mut w.out.discharge)
            .enumerate()
        {
            (*charge, *discharge) = w.net.store_use(s);
        }
        let net = &w.net;
        tally_hour(
            &mut w.tallies,
            &w.links,
            risk,
            records,
            flows,
            h,
            w.regions.len(),
            |r| net.region_outcome(r),
            |i| net.link_flow(i),
        );
    } else {
        // Nothing is short, curtailed or moved: each store charges what it can take.
        for ((charge, discharge), store) in w
            .out
            .charge
            .iter_mut()
            .zip(&mut w.out.discharge)
            .zip(&w.stores)
        {
            *charge = store.charge;
            *discharge = 0;
        }
    }
    if quiet {
        for s in 0..n_stores {
            if w.stores[s].shift {
                w.out.discharge[s] = w.give[s];
            }
        }
    }
    let (charge, discharge) = (&w.out.charge, &w.out.discharge);
    tally_stores(&sys.storage, &mut w.soc, &mut flows[n_links..], |s| {
        (charge[s], discharge[s])
    });
}

/// The quiet-hour shortcut, before the solver. An hour is quiet when no region has a
/// shortfall or a renewable surplus before transfers: each shift store then gives back what
/// it holds in place of its region's units (`give`) and takes no part in the solver, and the
/// other stores charge from their own region's spare units. Returns (quiet, solve): the
/// solver runs when the hour is not quiet, or when some store cannot be filled from its own
/// region. When it does not, each other store charges `stores[s].charge` and nothing is
/// short, curtailed or moved, which is the solver's answer: a local charge gains CHARGE −
/// DISPATCHABLE, an import one hop less (`quiet_hours_settle_as_the_solver_would`).
///
/// `need` and `spare` are scratch per region, `give` per store.
fn settle_quiet_hour(
    regions: &[RegionHour],
    stores: &mut [StoreHour],
    need: &mut [u32],
    spare: &mut [u32],
    give: &mut [u32],
) -> (bool, bool) {
    let quiet = regions
        .iter()
        .all(|g| g.renewable <= g.demand && g.demand <= g.renewable + g.available);
    if !quiet {
        return (false, true);
    }
    let mut solve = false;
    for ((g, need), spare) in regions.iter().zip(need.iter_mut()).zip(spare.iter_mut()) {
        *need = g.demand - g.renewable;
        *spare = g.available - *need;
    }
    for (store, give) in stores.iter_mut().zip(give.iter_mut()) {
        let r = store.region as usize;
        *give = 0;
        if store.shift {
            // Given back in place of units; not offered to other stores.
            *give = store.discharge.min(need[r]);
            need[r] -= *give;
            store.charge = 0;
            store.discharge = 0;
        } else if store.charge > spare[r] {
            solve = true;
        } else {
            spare[r] -= store.charge;
        }
    }
    (true, solve)
}

/// Whether every region's own fleet covers its need (demand less renewable output): a
/// condition of a settled hour.
#[inline(always)]
fn needs_covered(regions: &[RegionHour]) -> bool {
    regions
        .iter()
        .all(|g| g.demand <= g.renewable + g.available)
}

/// The store with room to charge in an hour that may be settled, from each store's (shift,
/// room): `Some(None)` when none has room, `Some(Some((store, room)))` when one shift store
/// has, `None` (the hour is solved) when a reliability store or a second store has.
#[inline(always)]
fn store_with_room(rooms: impl Iterator<Item = (bool, u32)>) -> Option<Option<(usize, u32)>> {
    let mut charging = None;
    for (s, (shift, room)) in rooms.enumerate() {
        if room > 0 {
            if !shift || charging.is_some() {
                return None;
            }
            charging = Some((s, room));
        }
    }
    Some(charging)
}

/// Each interface's limits in hour `h` after circuit outages, formed again only when a limit
/// is an hourly series or a circuit has changed state.
#[inline(always)]
fn form_links(sys: &CompiledSystem, p: &Params, w: &mut RegionsState, h: u32) {
    if !(w.links_hourly || w.links_stale) {
        return;
    }
    w.links_stale = false;
    for (i, link) in w.links.iter_mut().enumerate() {
        let f = &sys.interfaces[i];
        let mut forward = limit(sys, p, f.forward, f.forward_series, f.forward_stride, h);
        let mut backward = limit(sys, p, f.backward, f.backward_series, f.backward_stride, h);
        let up = w.up_circuits[i];
        if up < f.circuits {
            forward = circuit_share(forward, up, f.circuits);
            backward = circuit_share(backward, up, f.circuits);
        }
        (link.forward, link.backward) = (forward, backward);
    }
}

/// An hour with a surplus and every circuit up, dispatched from the table's settled hour
/// when every region's need is covered and at most one store, a shift store, has room (see
/// `settled_hours`): its regions, links and stores tallied, the stores' use left in `out`.
/// False when the hour must be solved.
fn settled_hour(
    sys: &CompiledSystem,
    w: &mut RegionsState,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
    h: u32,
) -> bool {
    let Some(t) = w.table else {
        return false;
    };
    if !needs_covered(&w.regions) {
        return false;
    }
    let Some(charging) = store_with_room(w.stores.iter().map(|s| (s.shift, s.charge))) else {
        return false;
    };
    let Some(settled) = w.tables.settled(t, h, &w.regions, &w.links, &w.stores) else {
        return false;
    };
    tally_settled(
        &sys.storage,
        &w.links,
        &mut w.soc,
        &mut w.settled_curtailment,
        &mut w.settled_flow,
        &settled,
        charging,
        records,
        flows,
    );
    true
}

/// The tallies of settled hour `settled` (nothing is short and nothing discharges), with
/// `charging` (store, room) the store with room, if any.
#[allow(
    clippy::too_many_arguments,
    reason = "the walk state's fields, borrowed apart"
)]
#[inline(always)]
fn tally_settled(
    storage: &[StorageRow],
    links: &[LinkHour],
    soc: &mut [u32],
    curtailment: &mut [u32],
    flow: &mut [i64],
    settled: &SettledDispatch,
    charging: Option<(usize, u32)>,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
) {
    let regions = curtailment.len();
    match charging {
        // The settled words as they are.
        None => tally_surplus_hour(
            regions,
            storage,
            links,
            soc,
            records,
            flows,
            |r| settled.curtailment(r),
            |i| settled.flow(i),
            None,
        ),
        Some((store, room)) => {
            let charged = settled.read(Some((store, room)), curtailment, flow);
            tally_surplus_hour(
                regions,
                storage,
                links,
                soc,
                records,
                flows,
                |r| curtailment[r],
                |i| flow[i],
                Some((store, charged)),
            );
        }
    }
}

/// The tallies of an hour in which nothing is short and nothing discharges: `curtailment(r)`
/// for each of `regions` regions, `flow(i)` per link, and `charged` (store, energy) the store that charged.
#[allow(
    clippy::too_many_arguments,
    reason = "the walk state's fields, borrowed apart"
)]
#[inline(always)]
fn tally_surplus_hour(
    regions: usize,
    storage: &[StorageRow],
    links: &[LinkHour],
    soc: &mut [u32],
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
    curtailment: impl Fn(usize) -> u32,
    flow: impl Fn(usize) -> i64,
    charged: Option<(usize, u32)>,
) {
    let (system, per_region) = records.split_at_mut(1);
    let (link_flows, store_flows) = flows.split_at_mut(links.len());
    let mut curtailed = 0u64;
    for r in 0..regions {
        let c = curtailment(r);
        curtailed += u64::from(c);
        if let Some(rec) = per_region.get_mut(r) {
            rec.curtailed_energy += u64::from(c);
        }
    }
    system[0].curtailed_energy += curtailed;
    tally_links(link_flows, links, flow);
    tally_stores(storage, soc, store_flows, |s| match charged {
        Some((store, energy)) if s == store => (energy, 0),
        _ => (0, 0),
    });
}

/// The tallies of a dispatched hour's regions and interfaces: `outcome(r)` gives region r's
/// (shortfall, curtailment) and `flow(i)` link i's flow, read from the solved network or a
/// settled hour.
#[allow(
    clippy::too_many_arguments,
    reason = "the walk state's fields, borrowed apart"
)]
#[inline(always)]
fn tally_hour(
    tallies: &mut [Tally],
    links: &[LinkHour],
    risk: &mut HourlyRisk,
    records: &mut [TrajectoryRecord],
    flows: &mut [FlowRecord],
    h: u32,
    regions: usize,
    outcome: impl Fn(usize) -> (u32, u32),
    flow: impl Fn(usize) -> i64,
) {
    let (system, per_region) = records.split_at_mut(1);
    let (system_tally, region_tallies) = tallies.split_at_mut(1);
    let mut system_short = 0u32;
    let mut curtailed = 0u64;
    for r in 0..regions {
        let (shortfall, curtailment) = outcome(r);
        system_short += shortfall;
        curtailed += u64::from(curtailment);
        // Records per region when the study has several.
        if let (Some(rec), Some(tally)) = (per_region.get_mut(r), region_tallies.get_mut(r)) {
            rec.curtailed_energy += u64::from(curtailment);
            if shortfall > 0 {
                tally.short(rec, risk, h, shortfall);
            }
        }
    }
    system[0].curtailed_energy += curtailed;
    if system_short > 0 {
        system_tally[0].short(&mut system[0], risk, h, system_short);
    }
    tally_links(flows, links, flow);
}

/// Each link's flow of the hour (`flow(i)`, positive from `from` to `to`): its energy each
/// way and its hours at either limit.
#[inline(always)]
fn tally_links(flows: &mut [FlowRecord], links: &[LinkHour], flow: impl Fn(usize) -> i64) {
    for (i, (rec, link)) in flows.iter_mut().zip(links).enumerate() {
        let f = flow(i);
        if f > 0 {
            rec.first_energy += f as u64;
            if f as u32 == link.forward {
                rec.first_hours += 1;
            }
        } else if f < 0 {
            rec.second_energy += (-f) as u64;
            if (-f) as u32 == link.backward {
                rec.second_hours += 1;
            }
        }
    }
}

/// Each store's charge and discharge of the hour (`use_of(s)`): its state of charge and
/// tallies.
#[inline(always)]
fn tally_stores(
    storage: &[StorageRow],
    soc: &mut [u32],
    store_flows: &mut [FlowRecord],
    use_of: impl Fn(usize) -> (u32, u32),
) {
    for (s, ((st, soc), rec)) in storage.iter().zip(soc).zip(store_flows).enumerate() {
        let (charge, discharge) = use_of(s);
        // The last unit of a charge may overshoot by less than one power unit × hour: the
        // store fills exactly, and the excess is lost like any conversion loss.
        if charge > 0 {
            *soc = (*soc + mul_shr_sat(charge, st.charge_efficiency, 16)).min(st.energy);
        }
        if discharge > 0 {
            *soc -= div_q16_ceil(discharge, st.discharge_efficiency);
        }
        rec.first_energy += u64::from(charge);
        rec.second_energy += u64::from(discharge);
        if *soc == st.energy {
            rec.first_hours += 1;
        }
        if *soc == 0 {
            rec.second_hours += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::network::dispatch_hour;
    use super::super::test_draw as draw;
    use super::*;

    /// Where the quiet-hour shortcut skips the solver, the solver (given the stores as the
    /// shortcut leaves them) finds the same hour: nothing short, curtailed, moved or
    /// discharged, and each store charging all it can. Where a store's charge exceeds its
    /// region's spare units the solver must run: some of those hours import, so the test
    /// would see a shortcut that skipped that check.
    #[test]
    fn quiet_hours_settle_as_the_solver_would() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let (mut settled, mut charged, mut imported) = (0, 0, 0);
        for _ in 0..20_000 {
            let n = 1 + draw(&mut state, 5) as usize;
            let regions: Vec<RegionHour> = (0..n)
                .map(|_| {
                    let demand = draw(&mut state, 1000);
                    let renewable = draw(&mut state, demand + 1);
                    // Sometimes no spare units at all.
                    let spare = draw(&mut state, 3) * draw(&mut state, 300);
                    RegionHour {
                        demand,
                        renewable,
                        available: demand - renewable + spare,
                    }
                })
                .collect();
            let mut links = Vec::new();
            for to in 1..n as u32 {
                // A tree, and sometimes a second link that closes a loop.
                for from in [draw(&mut state, to), draw(&mut state, to)]
                    .into_iter()
                    .take(1 + usize::from(draw(&mut state, 3) == 0))
                {
                    links.push(LinkHour {
                        from,
                        to,
                        forward: draw(&mut state, 300),
                        backward: draw(&mut state, 300),
                    });
                }
            }
            let mut stores: Vec<StoreHour> = (0..draw(&mut state, 4))
                .map(|_| StoreHour {
                    region: draw(&mut state, n as u32),
                    charge: draw(&mut state, 200),
                    discharge: draw(&mut state, 200),
                    shift: draw(&mut state, 3) == 0,
                })
                .collect();
            let (mut need, mut spare) = (vec![0; n], vec![0; n]);
            let mut give = vec![0; stores.len()];
            let (quiet, solve) =
                settle_quiet_hour(&regions, &mut stores, &mut need, &mut spare, &mut give);
            assert!(quiet, "every hour drawn is quiet");
            let mut out = Dispatch::default();
            dispatch_hour(&regions, &links, &stores, &mut Network::default(), &mut out);
            if solve {
                imported += usize::from(out.flow.iter().any(|&f| f != 0));
                continue;
            }
            settled += 1;
            assert!(out.shortfall.iter().all(|&x| x == 0), "{regions:?} {out:?}");
            assert!(
                out.curtailment.iter().all(|&x| x == 0),
                "{regions:?} {out:?}"
            );
            assert!(
                out.flow.iter().all(|&f| f == 0),
                "{regions:?} {links:?} {out:?}"
            );
            assert!(out.discharge.iter().all(|&x| x == 0), "{stores:?} {out:?}");
            let rooms: Vec<u32> = stores.iter().map(|s| s.charge).collect();
            assert_eq!(out.charge, rooms, "{regions:?} {links:?} {stores:?}");
            charged += usize::from(rooms.iter().any(|&c| c > 0));
        }
        assert!(settled > 5_000 && charged > 2_000, "{settled} {charged}");
        assert!(imported > 500, "{imported}");
    }

    #[test]
    fn charge_room_is_the_lesser_of_limit_and_room() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut draw = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let bits = draw();
            // Small and large values, efficiencies from 1/65536 to 1.
            let limit = (bits as u32) >> (bits >> 59);
            let room = ((bits >> 32) as u32) >> ((bits >> 54) & 31);
            let q = 1 + ((draw() as u32) % (1 << 16));
            assert_eq!(
                charge_room(limit, room, q),
                limit.min(div_q16_ceil(room, q)),
                "{limit} {room} {q}"
            );
        }
        for (limit, room, q) in [
            (0, 5, 100),
            (u32::MAX, u32::MAX, 1),
            (7, 0, 1 << 16),
            (1, 1, 1 << 16),
        ] {
            assert_eq!(
                charge_room(limit, room, q),
                limit.min(div_q16_ceil(room, q))
            );
        }
    }
}
