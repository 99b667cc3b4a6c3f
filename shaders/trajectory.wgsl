// One trajectory per invocation: outages, hourly shortfall and curtailment, and its record.
// Mirrors src/engine/cpu/trajectory.rs.

const DAY: u32 = 24u;
const CURTAILMENT_BLOCK: u32 = 24u;

struct Tally {
    record: TrajectoryRecord,
    last_short_end: u32,
    last_short_day: u32,
}

fn tally_short(t_in: Tally, hour: u32, shortfall: u32) -> Tally {
    var t = t_in;
    t.record.unserved_energy = add64(t.record.unserved_energy, shortfall);
    t.record.loss_of_load_hours += 1u;
    t.record.peak_shortfall = max(t.record.peak_shortfall, shortfall);
    if (t.last_short_end != hour) {
        t.record.loss_of_load_events += 1u;
    }
    let day = hour / DAY;
    if (t.last_short_day != day) {
        t.record.loss_of_load_days += 1u;
        t.last_short_day = day;
    }
    t.last_short_end = hour + 1u;
    atomicAdd(&risk[3u * hour], 1u);
    let old = atomicAdd(&risk[3u * hour + 1u], shortfall);
    if (old + shortfall < old) {
        atomicAdd(&risk[3u * hour + 2u], 1u);
    }
    return t;
}

fn hourly_capacity(p: Params, u: u32, h: u32) -> u32 {
    let row = unit_row(u);
    return tables[globals.off_series + series_start(tables[row + 1u], tables[row + 2u], p.year) + h];
}

fn shortfall_interval(p: Params, o: Outages, firm: u32, a: u32, b: u32, t_in: Tally) -> Tally {
    var t = t_in;
    let need_max = i32(demand_bound(p, a, b, true)) - i32(renewable_bound(p, a, b, false));
    if (need_max <= 0) {
        return t;
    }
    var available_min = firm;
    for (var i = 0u; i < globals.hourly_units; i++) {
        let u = tables[globals.off_hourly_units + i];
        if (scratch[up_slot(o, u)] == 1u) {
            let row = unit_row(u);
            available_min += range_extreme(false, tables[row + 1u], tables[row + 2u], p.year, a, b);
        }
    }
    if (u32(need_max) <= available_min) {
        return t;
    }
    for (var h = a; h < b; h++) {
        let need = i32(demand(p, h)) - i32(renewable(p, h));
        if (need <= 0) {
            continue;
        }
        var available = firm;
        for (var i = 0u; i < globals.hourly_units; i++) {
            let u = tables[globals.off_hourly_units + i];
            if (scratch[up_slot(o, u)] == 1u) {
                available += hourly_capacity(p, u, h);
            }
        }
        if (u32(need) > available) {
            t = tally_short(t, h, u32(need) - available);
        }
    }
    return t;
}

fn curtailment_pass(p: Params) -> vec2<u32> {
    var curtailed = vec2<u32>(0u, 0u);
    if (p.renewable_energy.x == 0u && p.renewable_energy.y == 0u) {
        return curtailed;
    }
    let hours = globals.hours;
    var a = 0u;
    while (a < hours) {
        let b = min(a + CURTAILMENT_BLOCK, hours);
        if (renewable_bound(p, a, b, true) > demand_bound(p, a, b, false)) {
            for (var h = a; h < b; h++) {
                let r = renewable(p, h);
                let d = demand(p, h);
                if (r > d) {
                    curtailed = add64(curtailed, r - d);
                }
            }
        }
        a = b;
    }
    return curtailed;
}

@compute @workgroup_size(64)
fn trajectory(@builtin(global_invocation_id) id: vec3<u32>) {
    let thread = id.x + id.y * globals.row_width;
    if (thread >= globals.count) {
        return;
    }
    let p = params_unpack(thread * globals.param_stride);
    let hours = globals.hours;
    let index = vec2<u32>(globals.first_lo + thread, globals.first_hi + select(0u, 1u, globals.first_lo + thread < thread));
    var o = Outages(thread, vec2<u32>(globals.seed_lo, globals.seed_hi), index, 0u);
    o = outages_start(o, p);
    var firm = 0u;
    for (var u = 0u; u < globals.units; u++) {
        let row = unit_row(u);
        if (scratch[up_slot(o, u)] == 1u && tables[row + 1u] == NONE) {
            firm += tables[row];
        }
    }
    // Upper bound of need over the whole horizon, for the O(1) test of each interval.
    let need_ceiling = u32(max(i32(demand_bound(p, 0u, hours, true)) - i32(renewable_bound(p, 0u, hours, false)), 0));
    var zero = vec2<u32>(0u, 0u);
    var t = Tally(TrajectoryRecord(zero, zero, zero, zero, 0u, 0u, 0u, 0u), 0xFFFFFFFFu, 0xFFFFFFFFu);
    var now = 0u;
    while (now < hours) {
        let next = next_time(o);
        if (firm < need_ceiling) {
            t = shortfall_interval(p, o, firm, now, next, t);
        }
        while (next_time(o) == next && next < hours) {
            let changed = outages_advance(o, next);
            let u = changed & 0x7FFFFFFFu;
            let row = unit_row(u);
            if (tables[row + 1u] == NONE) {
                if ((changed >> 31u) == 1u) {
                    firm += tables[row];
                } else {
                    firm -= tables[row];
                }
            }
        }
        now = next;
    }
    var record = t.record;
    record.demand_energy = p.demand_energy;
    record.renewable_energy = p.renewable_energy;
    record.curtailed_energy = curtailment_pass(p);
    records[thread] = record;
}
