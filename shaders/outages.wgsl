// Two-state Markov outage processes sampled as transition times, merged in a min-heap.
// Mirrors src/engine/cpu/outages.rs. The per-thread state lives in `scratch`, slot-major
// and interleaved by thread: up[N], repair_at[N], cycle[N], heap[N + 1]. The CPU engine
// files the same events in a calendar of hours instead (per-hour lists cost a thread more
// memory than a GPU has to spare); the order within an hour differs and nothing depends on it.

struct Outages {
    thread: u32,
    seed: vec2<u32>,
    trajectory: vec2<u32>,
    // Keys in the heap, not counting the sentinel.
    heap_len: u32,
}

fn slot(o: Outages, s: u32) -> u32 {
    return s * globals.threads + o.thread;
}

fn up_slot(o: Outages, u: u32) -> u32 {
    return slot(o, u);
}

fn repair_slot(o: Outages, u: u32) -> u32 {
    return slot(o, globals.units + u);
}

fn cycle_slot(o: Outages, u: u32) -> u32 {
    return slot(o, 2u * globals.units + u);
}

fn heap_slot(o: Outages, i: u32) -> u32 {
    return slot(o, 3u * globals.units + i);
}

fn unit_row(u: u32) -> u32 {
    return globals.off_units + u * UNIT_WORDS;
}

// Unit row fields: capacity, profile, profile_year_stride, project, never_fails,
// up_threshold, fail_mantissa, fail_shift, repair_mantissa, repair_shift.
// The random stream of unit row u (outages.rs: stream): generators use their row; circuit
// and storage rows start at 2^24, so adding a generator leaves their outages as they were.
fn unit_stream(u: u32) -> u32 {
    if (u < globals.generators) {
        return u;
    }
    return 16777216u + (u - globals.generators);
}

fn heap_key(time: u32, unit: u32) -> u32 {
    return (min(time, NEVER) << UNIT_BITS) | unit;
}

fn key_time(key: u32) -> u32 {
    return key >> UNIT_BITS;
}

fn sift_down(o: Outages, start: u32) {
    let len = o.heap_len;
    let x = scratch[heap_slot(o, start)];
    var i = start;
    loop {
        let l = 2u * i + 1u;
        if (l >= len) {
            break;
        }
        let left = scratch[heap_slot(o, l)];
        let right = scratch[heap_slot(o, l + 1u)];
        let c = l + select(0u, 1u, right < left);
        let child = min(left, right);
        if (child >= x) {
            break;
        }
        scratch[heap_slot(o, i)] = child;
        i = c;
    }
    scratch[heap_slot(o, i)] = x;
}

fn outages_start(o_in: Outages, p: Params) -> Outages {
    var o = o_in;
    let n = globals.units;
    o.heap_len = 0u;
    for (var u = 0u; u < n; u++) {
        let row = unit_row(u);
        scratch[up_slot(o, u)] = 0u;
        scratch[repair_slot(o, u)] = NEVER;
        scratch[cycle_slot(o, u)] = 0u;
        if (!online(p, tables[row + 3u])) {
            continue;
        }
        if (tables[row + 4u] == 1u) {
            scratch[up_slot(o, u)] = 1u;
            continue;
        }
        let w = draw(o.seed, o.trajectory, unit_stream(u), 0u);
        var next: u32;
        if (w.z < tables[row + 5u]) {
            scratch[up_slot(o, u)] = 1u;
            let fail_at = sojourn_sample(tables[row + 6u], tables[row + 7u], w.x, NEVER);
            scratch[repair_slot(o, u)] = min(fail_at + sojourn_sample(tables[row + 8u], tables[row + 9u], w.y, NEVER), NEVER);
            next = fail_at;
        } else {
            let repair_at = sojourn_sample(tables[row + 8u], tables[row + 9u], w.y, NEVER);
            scratch[repair_slot(o, u)] = repair_at;
            next = repair_at;
        }
        scratch[heap_slot(o, o.heap_len)] = heap_key(next, u);
        o.heap_len += 1u;
    }
    // One sentinel past the end, so a node's right child can always be read.
    scratch[heap_slot(o, o.heap_len)] = 0xFFFFFFFFu;
    for (var i = o.heap_len / 2u; i > 0u; i--) {
        sift_down(o, i - 1u);
    }
    return o;
}

// Applies the transition at the top of the heap (at hour `now`); returns the unit, with
// bit 31 set when it is now available.
fn outages_advance(o: Outages, now: u32) -> u32 {
    let u = scratch[heap_slot(o, 0u)] & ((1u << UNIT_BITS) - 1u);
    let row = unit_row(u);
    var next: u32;
    if (scratch[up_slot(o, u)] == 1u) {
        scratch[up_slot(o, u)] = 0u;
        next = scratch[repair_slot(o, u)];
    } else {
        scratch[up_slot(o, u)] = 1u;
        let cycle = scratch[cycle_slot(o, u)] + 1u;
        scratch[cycle_slot(o, u)] = cycle;
        let w = draw(o.seed, o.trajectory, unit_stream(u), cycle);
        let fail_at = now + sojourn_sample(tables[row + 6u], tables[row + 7u], w.x, NEVER);
        scratch[repair_slot(o, u)] = min(fail_at + sojourn_sample(tables[row + 8u], tables[row + 9u], w.y, NEVER), NEVER);
        next = fail_at;
    }
    // A unit with no transition left keeps a NEVER key: the heap never shrinks.
    scratch[heap_slot(o, 0u)] = heap_key(next, u);
    sift_down(o, 0u);
    return u | (scratch[up_slot(o, u)] << 31u);
}

fn next_time(o: Outages) -> u32 {
    if (o.heap_len == 0u) {
        return globals.hours;
    }
    return min(key_time(scratch[heap_slot(o, 0u)]), globals.hours);
}
