// One trajectory of a study with several regions, interfaces or storage: a walk over the
// hours with network dispatch. Mirrors src/engine/cpu/regions.rs; one trajectory per
// invocation. Records go straight to `records` (record_slots per trajectory: the system,
// then each region when there are several) and `flows` (interfaces, then stores).
//
// A dispatch walks the hours [globals.window_start, globals.window_end) of every trajectory
// of the chunk; the first window also draws the outage states and sets the records up.
// Everything the walk carries from one window to the next lives in `scratch` and in the
// records, so a window of a few days keeps each invocation short (a desktop GPU's watchdog,
// the software adapter's loop cap) and the whole horizon can be checked against the CPU.
//
// Per-thread scratch after the outage state (4 · units + 1 words), interleaved by thread:
// firm[R], spare[R], demand[R], renewable[R], available[R], need[R], demand_top[R],
// demand_floor[R], renewable_top[R], renewable_floor[R], available_floor[R], fold_floor[R],
// up_circuits[I], forward[I], backward[I], soc[S], charge[S], discharge[S], give[S],
// last_short_end[slots], last_short_day[slots], the cached block, the heap's length, then
// the solver's graph (network.wgsl).

const REGIONS_DAY: u32 = 24u;
// Hours of the aligned blocks a stretch is split into (regions.rs: QUIET_BLOCK).
const QUIET_BLOCK: u32 = 16u;
const FOLD_WORDS: u32 = 4u;

struct Walk {
    o: Outages,
    // First scratch word of the walk's state.
    base: u32,
}

fn w_region(w: Walk, k: u32, r: u32) -> u32 { return slot(w.o, w.base + k * globals.regions + r); }
fn w_firm(w: Walk, r: u32) -> u32 { return w_region(w, 0u, r); }
fn w_spare(w: Walk, r: u32) -> u32 { return w_region(w, 1u, r); }
fn w_demand(w: Walk, r: u32) -> u32 { return w_region(w, 2u, r); }
fn w_renewable(w: Walk, r: u32) -> u32 { return w_region(w, 3u, r); }
fn w_available(w: Walk, r: u32) -> u32 { return w_region(w, 4u, r); }
fn w_need(w: Walk, r: u32) -> u32 { return w_region(w, 5u, r); }
fn w_demand_top(w: Walk, r: u32) -> u32 { return w_region(w, 6u, r); }
fn w_demand_floor(w: Walk, r: u32) -> u32 { return w_region(w, 7u, r); }
fn w_renewable_top(w: Walk, r: u32) -> u32 { return w_region(w, 8u, r); }
fn w_renewable_floor(w: Walk, r: u32) -> u32 { return w_region(w, 9u, r); }
fn w_available_floor(w: Walk, r: u32) -> u32 { return w_region(w, 10u, r); }
fn w_fold_floor(w: Walk, r: u32) -> u32 { return w_region(w, 11u, r); }
fn w_links_base(w: Walk) -> u32 { return w.base + 12u * globals.regions; }
fn w_circuits(w: Walk, i: u32) -> u32 { return slot(w.o, w_links_base(w) + i); }
fn w_forward(w: Walk, i: u32) -> u32 { return slot(w.o, w_links_base(w) + globals.interfaces + i); }
fn w_backward(w: Walk, i: u32) -> u32 {
    return slot(w.o, w_links_base(w) + 2u * globals.interfaces + i);
}
fn w_stores_base(w: Walk) -> u32 { return w_links_base(w) + 3u * globals.interfaces; }
fn w_soc(w: Walk, s: u32) -> u32 { return slot(w.o, w_stores_base(w) + s); }
fn w_charge(w: Walk, s: u32) -> u32 { return slot(w.o, w_stores_base(w) + globals.storage + s); }
fn w_discharge(w: Walk, s: u32) -> u32 {
    return slot(w.o, w_stores_base(w) + 2u * globals.storage + s);
}
fn w_give(w: Walk, s: u32) -> u32 {
    return slot(w.o, w_stores_base(w) + 3u * globals.storage + s);
}
fn w_tally_base(w: Walk) -> u32 { return w_stores_base(w) + 4u * globals.storage; }
fn w_last_end(w: Walk, k: u32) -> u32 { return slot(w.o, w_tally_base(w) + k); }
fn w_last_day(w: Walk, k: u32) -> u32 { return slot(w.o, w_tally_base(w) + globals.record_slots + k); }
fn w_block(w: Walk) -> u32 { return slot(w.o, w_tally_base(w) + 2u * globals.record_slots); }
fn w_heap_len(w: Walk) -> u32 { return slot(w.o, w_tally_base(w) + 2u * globals.record_slots + 1u); }
fn w_net_base(w: Walk) -> u32 { return w_tally_base(w) + 2u * globals.record_slots + 2u; }

fn interface_row(i: u32) -> u32 { return globals.off_interfaces + i * INTERFACE_WORDS; }
fn storage_row(s: u32) -> u32 { return globals.off_storage + s * STORAGE_WORDS; }

// The walk that net_dispatch reads through region_hour, link_hour and store_hour; the
// `problem` argument is the thread.
var<private> walk: Walk;

fn region_hour(problem: u32, r: u32) -> vec3<u32> {
    return vec3<u32>(scratch[w_demand(walk, r)], scratch[w_renewable(walk, r)], scratch[w_available(walk, r)]);
}

fn link_hour(problem: u32, i: u32) -> vec4<u32> {
    let row = interface_row(i);
    return vec4<u32>(tables[row], tables[row + 1u], scratch[w_forward(walk, i)], scratch[w_backward(walk, i)]);
}

fn store_hour(problem: u32, s: u32) -> vec4<u32> {
    let row = storage_row(s);
    return vec4<u32>(tables[row], scratch[w_charge(walk, s)], scratch[w_discharge(walk, s)], tables[row + 9u]);
}

// ⌈x · 2^16 / q⌉ for a Q16 fraction 0 < q ≤ 2^16, saturating (regions.rs: div_q16_ceil).
fn div_q16_ceil(x: u32, q: u32) -> u32 {
    let whole = x / q;
    if (whole >= 65536u) {
        return 0xFFFFFFFFu;
    }
    return (whole << 16u) + (((x % q) << 16u) + q - 1u) / q;
}

// ⌊x · k / n⌋ for k ≤ n ≤ 2^16 (regions.rs: circuit_share).
fn circuit_share(x: u32, k: u32, n: u32) -> u32 {
    return (x / n) * k + (x % n) * k / n;
}

fn hour_limit(p: Params, constant: u32, series: u32, stride: u32, h: u32) -> u32 {
    if (series == NONE) {
        return constant;
    }
    return tables[globals.off_series + series_start(series, stride, p.year) + h];
}

// A shortfall in `hour` counted into record slot `k` of this trajectory (regions.rs: Tally).
fn regions_short(k: u32, hour: u32, shortfall: u32) {
    let i = walk.o.thread * globals.record_slots + k;
    var r = records[i];
    r.unserved_energy = add64(r.unserved_energy, shortfall);
    r.loss_of_load_hours += 1u;
    r.peak_shortfall = max(r.peak_shortfall, shortfall);
    if (scratch[w_last_end(walk, k)] != hour) {
        r.loss_of_load_events += 1u;
    }
    let day = hour / REGIONS_DAY;
    if (scratch[w_last_day(walk, k)] != day) {
        r.loss_of_load_days += 1u;
        scratch[w_last_day(walk, k)] = day;
    }
    scratch[w_last_end(walk, k)] = hour + 1u;
    records[i] = r;
    let at = 3u * (k * globals.hours + hour);
    atomicAdd(&risk[at], 1u);
    let old = atomicAdd(&risk[at + 1u], shortfall);
    if (old + shortfall < old) {
        atomicAdd(&risk[at + 2u], 1u);
    }
}

fn fold_row(r: u32) -> u32 { return globals.off_region_fold + r * FOLD_WORDS; }

// regions.rs: fold_extreme.
fn fold_extreme(p: Params, is_max: bool, series: u32, stride: u32, a: u32, b: u32) -> u32 {
    if (series == NONE) {
        return 0u;
    }
    return range_extreme(is_max, series, stride, p.year, a, b);
}

fn store_available(p: Params, s: u32) -> bool {
    let row = storage_row(s);
    let unit = tables[row + 8u];
    return online(p, tables[row + 7u]) && (unit == NONE || scratch[up_slot(walk.o, unit)] == 1u);
}

// Draws the first outage states and sets up the walk's state and the records
// (regions.rs: start).
fn regions_start(p: Params) {
    let thread = walk.o.thread;
    let n_regions = globals.regions;
    let slots = globals.record_slots;
    for (var r = 0u; r < n_regions; r++) {
        for (var k = 0u; k < 12u; k++) {
            scratch[w_region(walk, k, r)] = 0u;
        }
    }
    for (var u = 0u; u < globals.generators; u++) {
        let row = unit_row(u);
        if (scratch[up_slot(walk.o, u)] == 1u && tables[row + 1u] == NONE) {
            let r = tables[globals.off_unit_region + u];
            scratch[w_firm(walk, r)] += tables[row];
        }
    }
    for (var i = 0u; i < globals.interfaces; i++) {
        scratch[w_circuits(walk, i)] = tables[interface_row(i) + 2u];
    }
    for (var u = globals.generators; u < globals.units; u++) {
        let tag = tables[globals.off_unit_region + u];
        if ((tag & ROW_STORAGE) == 0u && scratch[up_slot(walk.o, u)] == 0u) {
            scratch[w_circuits(walk, tag & ~ROW_CIRCUIT)] -= 1u;
        }
    }
    for (var s = 0u; s < globals.storage; s++) {
        scratch[w_soc(walk, s)] = tables[storage_row(s) + 6u];
        scratch[w_give(walk, s)] = 0u;
    }
    scratch[w_block(walk)] = 0xFFFFFFFFu;
    var zero = vec2<u32>(0u, 0u);
    for (var k = 0u; k < slots; k++) {
        records[thread * slots + k] = TrajectoryRecord(zero, zero, zero, zero, 0u, 0u, 0u, 0u);
        scratch[w_last_end(walk, k)] = 0xFFFFFFFFu;
        scratch[w_last_day(walk, k)] = 0xFFFFFFFFu;
    }
    // Demand and renewable energy do not depend on outages: the host computed them.
    records[thread * slots].demand_energy = p.demand_energy;
    records[thread * slots].renewable_energy = p.renewable_energy;
    if (slots > 1u) {
        for (var r = 0u; r < n_regions; r++) {
            let at = p.base + globals.param_regions + 4u * r;
            records[thread * slots + 1u + r].demand_energy = vec2<u32>(params[at], params[at + 1u]);
            records[thread * slots + 1u + r].renewable_energy = vec2<u32>(params[at + 2u], params[at + 3u]);
        }
    }
    for (var f = 0u; f < globals.flow_slots; f++) {
        flows[thread * globals.flow_slots + f] = FlowRecord(zero, zero, 0u, 0u);
    }
}

// Hours [a, b) of aligned block `block`.
fn block_hours(block: u32) -> vec2<u32> {
    let a = block * QUIET_BLOCK;
    return vec2<u32>(a, min(a + QUIET_BLOCK, globals.hours));
}

// regions.rs: block_bounds.
fn block_bounds(p: Params, block: u32) {
    let hb = block_hours(block);
    let a = hb.x;
    let b = hb.y;
    for (var r = 0u; r < globals.regions; r++) {
        let l = globals.off_loads + r * TERM_WORDS;
        let f = fold_row(r);
        scratch[w_demand_top(walk, r)] = load_term(p, range_extreme(true, tables[l], tables[l + 1u], p.year, a, b));
        scratch[w_demand_floor(walk, r)] = load_term(p, range_extreme(false, tables[l], tables[l + 1u], p.year, a, b));
        scratch[w_renewable_top(walk, r)] = fold_extreme(p, true, tables[f], tables[f + 1u], a, b);
        scratch[w_renewable_floor(walk, r)] = fold_extreme(p, false, tables[f], tables[f + 1u], a, b);
        scratch[w_fold_floor(walk, r)] = fold_extreme(p, false, tables[f + 2u], tables[f + 3u], a, b);
    }
    for (var k = 0u; k < globals.added_loads; k++) {
        let row = globals.off_added_loads + k * TERM_WORDS;
        let r = tables[globals.off_added_load_region + k];
        scratch[w_demand_top(walk, r)] += added_term(added_power(p, k), range_extreme(true, tables[row], tables[row + 1u], p.year, a, b));
        scratch[w_demand_floor(walk, r)] += added_term(added_power(p, k), range_extreme(false, tables[row], tables[row + 1u], p.year, a, b));
    }
    for (var i = 0u; i < globals.walk_renewables; i++) {
        let k = tables[globals.off_walk_renewables + i];
        let row = globals.off_renewables + k * TERM_WORDS;
        if (online(p, tables[row + 3u])) {
            let r = tables[globals.off_renewable_region + k];
            scratch[w_renewable_top(walk, r)] += term(tables[row + 2u], range_extreme(true, tables[row], tables[row + 1u], p.year, a, b));
            scratch[w_renewable_floor(walk, r)] += term(tables[row + 2u], range_extreme(false, tables[row], tables[row + 1u], p.year, a, b));
        }
    }
    scratch[w_block(walk)] = block;
}

// regions.rs: stretch_is_quiet.
fn stretch_is_quiet(p: Params, a: u32) -> bool {
    let block = a / QUIET_BLOCK;
    if (scratch[w_block(walk)] != block) {
        block_bounds(p, block);
    }
    // Whether some region may have a renewable surplus does not depend on the fleet (the
    // CPU engine keeps the answer per block).
    for (var r = 0u; r < globals.regions; r++) {
        if (scratch[w_renewable_top(walk, r)] > scratch[w_demand_floor(walk, r)]) {
            return false;
        }
    }
    for (var s = 0u; s < globals.storage; s++) {
        let row = storage_row(s);
        if (store_available(p, s)) {
            if (tables[row + 9u] == STORE_SHIFT) {
                if (scratch[w_soc(walk, s)] > 0u) {
                    return false;
                }
            } else if (scratch[w_soc(walk, s)] < tables[row + 3u]) {
                return false;
            }
        }
    }
    let hb = block_hours(block);
    for (var r = 0u; r < globals.regions; r++) {
        scratch[w_available_floor(walk, r)] = scratch[w_firm(walk, r)] + scratch[w_fold_floor(walk, r)];
    }
    for (var i = 0u; i < globals.walk_hourly_units; i++) {
        let u = tables[globals.off_walk_hourly_units + i];
        let row = unit_row(u);
        let r = tables[globals.off_unit_region + u];
        let up = scratch[up_slot(walk.o, u)];
        if (tables[row + 3u] == NONE) {
            if (up == 0u) {
                let most = range_extreme(true, tables[row + 1u], tables[row + 2u], p.year, hb.x, hb.y);
                let floor = scratch[w_available_floor(walk, r)];
                scratch[w_available_floor(walk, r)] = floor - min(most, floor);
            }
        } else if (up == 1u) {
            scratch[w_available_floor(walk, r)] += range_extreme(false, tables[row + 1u], tables[row + 2u], p.year, hb.x, hb.y);
        }
    }
    // No region can have a surplus (checked above); none may be short.
    for (var r = 0u; r < globals.regions; r++) {
        if (scratch[w_demand_top(walk, r)] > scratch[w_renewable_floor(walk, r)] + scratch[w_available_floor(walk, r)]) {
            return false;
        }
    }
    return true;
}

// regions.rs: quiet_stretch.
fn quiet_stretch(a: u32, b: u32) {
    for (var s = 0u; s < globals.storage; s++) {
        let at = walk.o.thread * globals.flow_slots + globals.interfaces + s;
        let soc = scratch[w_soc(walk, s)];
        if (soc == tables[storage_row(s) + 3u]) {
            flows[at].first_hours += b - a;
        }
        if (soc == 0u) {
            flows[at].second_hours += b - a;
        }
    }
}

// One hour walked and dispatched (regions.rs: walk_hour).
fn walk_hour(p: Params, net_in: Net, h: u32) -> Net {
    var net = net_in;
    let thread = walk.o.thread;
    let n_regions = globals.regions;
    let n_links = globals.interfaces;
    let n_stores = globals.storage;
    let slots = globals.record_slots;
    // The hour's regions.
    for (var r = 0u; r < n_regions; r++) {
        let l = globals.off_loads + r * TERM_WORDS;
        let f = fold_row(r);
        scratch[w_demand(walk, r)] = load_term(p, series_value(l, p.year, h));
        // A folded series of NONE is zero.
        scratch[w_renewable(walk, r)] = hour_limit(p, 0u, tables[f], tables[f + 1u], h);
        scratch[w_available(walk, r)] = scratch[w_firm(walk, r)] + hour_limit(p, 0u, tables[f + 2u], tables[f + 3u], h);
    }
    for (var k = 0u; k < globals.added_loads; k++) {
        let r = tables[globals.off_added_load_region + k];
        scratch[w_demand(walk, r)] += added_term(added_power(p, k), series_value(globals.off_added_loads + k * TERM_WORDS, p.year, h));
    }
    for (var i = 0u; i < globals.walk_renewables; i++) {
        let k = tables[globals.off_walk_renewables + i];
        let row = globals.off_renewables + k * TERM_WORDS;
        if (online(p, tables[row + 3u])) {
            let r = tables[globals.off_renewable_region + k];
            scratch[w_renewable(walk, r)] += term(tables[row + 2u], series_value(row, p.year, h));
        }
    }
    // Every walked hourly unit is read here; the CPU engine keeps a list of the few that
    // differ from the fold (`counted`), which sums the same values in another order.
    for (var i = 0u; i < globals.walk_hourly_units; i++) {
        let u = tables[globals.off_walk_hourly_units + i];
        let row = unit_row(u);
        let r = tables[globals.off_unit_region + u];
        let up = scratch[up_slot(walk.o, u)];
        // Units of no project are in the fold: subtracted while down.
        if (tables[row + 3u] == NONE) {
            if (up == 0u) {
                scratch[w_available(walk, r)] -= hour_limit(p, 0u, tables[row + 1u], tables[row + 2u], h);
            }
        } else if (up == 1u) {
            scratch[w_available(walk, r)] += hour_limit(p, 0u, tables[row + 1u], tables[row + 2u], h);
        }
    }
    // The hour's interfaces and stores.
    for (var i = 0u; i < n_links; i++) {
        let row = interface_row(i);
        var forward = hour_limit(p, tables[row + 3u], tables[row + 4u], tables[row + 5u], h);
        var backward = hour_limit(p, tables[row + 6u], tables[row + 7u], tables[row + 8u], h);
        let up = scratch[w_circuits(walk, i)];
        let circuits = tables[row + 2u];
        if (up < circuits) {
            forward = circuit_share(forward, up, circuits);
            backward = circuit_share(backward, up, circuits);
        }
        scratch[w_forward(walk, i)] = forward;
        scratch[w_backward(walk, i)] = backward;
    }
    for (var s = 0u; s < n_stores; s++) {
        let row = storage_row(s);
        var charge = 0u;
        var discharge = 0u;
        if (store_available(p, s)) {
            let soc = scratch[w_soc(walk, s)];
            charge = min(tables[row + 1u], div_q16_ceil(tables[row + 3u] - soc, tables[row + 4u]));
            discharge = min(tables[row + 2u], mul_shr_sat(soc, tables[row + 5u], 16u));
        }
        scratch[w_charge(walk, s)] = charge;
        scratch[w_discharge(walk, s)] = discharge;
    }

    // Dispatch (regions.rs: settle_quiet_hour, then the solver). A quiet hour has no
    // shortfall and no renewable surplus anywhere: shift
    // stores then give back what they hold in place of their region's units, and the
    // other stores charge from their region's spare units; the solver runs only when
    // the hour is not quiet, or when some store cannot be filled from its own region.
    var quiet = true;
    for (var r = 0u; r < n_regions; r++) {
        let d = scratch[w_demand(walk, r)];
        let g = scratch[w_renewable(walk, r)];
        if (g > d || d > g + scratch[w_available(walk, r)]) {
            quiet = false;
        }
    }
    var solve = !quiet;
    if (quiet) {
        for (var r = 0u; r < n_regions; r++) {
            let need = scratch[w_demand(walk, r)] - scratch[w_renewable(walk, r)];
            scratch[w_need(walk, r)] = need;
            scratch[w_spare(walk, r)] = scratch[w_available(walk, r)] - need;
        }
        for (var s = 0u; s < n_stores; s++) {
            let row = storage_row(s);
            let r = tables[row];
            scratch[w_give(walk, s)] = 0u;
            if (tables[row + 9u] == STORE_SHIFT) {
                // Given back in place of units; not offered to other stores.
                let give = min(scratch[w_discharge(walk, s)], scratch[w_need(walk, r)]);
                scratch[w_give(walk, s)] = give;
                scratch[w_need(walk, r)] -= give;
                scratch[w_charge(walk, s)] = 0u;
                scratch[w_discharge(walk, s)] = 0u;
            } else {
                let c = scratch[w_charge(walk, s)];
                if (c > scratch[w_spare(walk, r)]) {
                    solve = true;
                } else {
                    scratch[w_spare(walk, r)] -= c;
                }
            }
        }
    }
    if (solve) {
        net = net_dispatch(net, n_regions, n_links, n_stores, thread);
    }

    // Tallies.
    var system_short = 0u;
    var curtailed_sum = 0u;
    for (var r = 0u; r < n_regions; r++) {
        var shortfall = 0u;
        var curtailed = 0u;
        if (solve) {
            shortfall = net_shortfall(net, r);
            curtailed = net_curtailment(net, r);
        }
        system_short += shortfall;
        curtailed_sum += curtailed;
        if (slots > 1u) {
            let i = thread * slots + 1u + r;
            records[i].curtailed_energy = add64(records[i].curtailed_energy, curtailed);
            if (shortfall > 0u) {
                regions_short(1u + r, h, shortfall);
            }
        }
    }
    let i0 = thread * slots;
    records[i0].curtailed_energy = add64(records[i0].curtailed_energy, curtailed_sum);
    if (system_short > 0u) {
        regions_short(0u, h, system_short);
    }
    for (var i = 0u; i < n_links; i++) {
        if (!solve) {
            continue;
        }
        let f = net_flow(net, n_regions, i);
        let at = thread * globals.flow_slots + i;
        if (f.x > 0u && f.y == 0u) {
            flows[at].first_energy = add64(flows[at].first_energy, f.x);
            if (f.x == scratch[w_forward(walk, i)]) {
                flows[at].first_hours += 1u;
            }
        } else if (f.x > 0u) {
            flows[at].second_energy = add64(flows[at].second_energy, f.x);
            if (f.x == scratch[w_backward(walk, i)]) {
                flows[at].second_hours += 1u;
            }
        }
    }
    for (var s = 0u; s < n_stores; s++) {
        let row = storage_row(s);
        var charge = scratch[w_charge(walk, s)];
        var discharge = 0u;
        if (solve) {
            charge = net_charge(net, n_regions, n_links, s);
            discharge = net_discharge(net, n_regions, n_links, s);
        }
        if (quiet && tables[row + 9u] == STORE_SHIFT) {
            discharge = scratch[w_give(walk, s)];
        }
        let energy = tables[row + 3u];
        // The last unit of a charge may overshoot by less than one unit: the store fills
        // exactly, and the excess is lost like any conversion loss.
        var soc = min(scratch[w_soc(walk, s)] + mul_shr_sat(charge, tables[row + 4u], 16u), energy);
        soc -= div_q16_ceil(discharge, tables[row + 5u]);
        scratch[w_soc(walk, s)] = soc;
        let at = thread * globals.flow_slots + n_links + s;
        flows[at].first_energy = add64(flows[at].first_energy, charge);
        flows[at].second_energy = add64(flows[at].second_energy, discharge);
        if (soc == energy) {
            flows[at].first_hours += 1u;
        }
        if (soc == 0u) {
            flows[at].second_hours += 1u;
        }
    }
    return net;
}

@compute @workgroup_size(64)
fn regions_trajectory(@builtin(global_invocation_id) id: vec3<u32>) {
    let thread = id.x + id.y * globals.row_width;
    if (thread >= globals.count) {
        return;
    }
    let p = params_unpack(thread * globals.param_stride);
    let hours = globals.hours;
    let index = vec2<u32>(globals.first_lo + thread, globals.first_hi + select(0u, 1u, globals.first_lo + thread < thread));
    walk = Walk(Outages(thread, vec2<u32>(globals.seed_lo, globals.seed_hi), index, 0u), 4u * globals.units + 1u);
    if (globals.window_start == 0u) {
        walk.o = outages_start(walk.o, p);
        scratch[w_heap_len(walk)] = walk.o.heap_len;
        regions_start(p);
    } else {
        walk.o.heap_len = scratch[w_heap_len(walk)];
    }
    let arcs_max = 2u * (4u * globals.regions + 2u * globals.interfaces + 2u * globals.storage);
    var net = Net(w_net_base(walk), arcs_max, globals.regions + 2u, 0u, globals.threads, thread);

    // regions.rs: walk, over this dispatch's window.
    let to = min(globals.window_end, hours);
    var h = globals.window_start;
    while (h < to) {
        while (next_time(walk.o) == h) {
            let changed = outages_advance(walk.o, h);
            let u = changed & 0x7FFFFFFFu;
            let up = (changed >> 31u) == 1u;
            if (u < globals.generators) {
                let row = unit_row(u);
                if (tables[row + 1u] == NONE) {
                    let r = tables[globals.off_unit_region + u];
                    if (up) {
                        scratch[w_firm(walk, r)] += tables[row];
                    } else {
                        scratch[w_firm(walk, r)] -= tables[row];
                    }
                }
            } else {
                let tag = tables[globals.off_unit_region + u];
                if ((tag & ROW_STORAGE) == 0u) {
                    let i = tag & ~ROW_CIRCUIT;
                    if (up) {
                        scratch[w_circuits(walk, i)] += 1u;
                    } else {
                        scratch[w_circuits(walk, i)] -= 1u;
                    }
                }
            }
        }
        // No transition in [h, end): each piece of it within one aligned block is skipped or
        // walked.
        let end = min(next_time(walk.o), to);
        var a = h;
        while (a < end) {
            let b = min((a / QUIET_BLOCK + 1u) * QUIET_BLOCK, end);
            if (stretch_is_quiet(p, a)) {
                quiet_stretch(a, b);
            } else {
                for (var hour = a; hour < b; hour++) {
                    net = walk_hour(p, net, hour);
                }
            }
            a = b;
        }
        h = end;
    }
}
