// The warm start of the hourly network dispatch. Mirrors src/engine/cpu/warm.rs (see its
// notes): the potentials of the last few hours solved from scratch are tried first, and
// when the arcs they leave tight form a forest of bundles whose flows conservation fixes
// within bounds, that flow is optimal and the successive shortest paths are not run.
//
// Per-thread scratch from word `w.base`, interleaved like the solver's graph: known,
// potentials[WARM_SETS · nodes], potential[nodes], cap[A], flow[A], bundle_of[A],
// bundle_u[A], bundle_v[A], bundle_lo[A], bundle_hi[A], bundle_flow[A], bundle_open[A],
// excess[nodes], degree[nodes], parent[nodes], where A = 4 · regions + 2 · links + 2 · stores
// is the fixed arc order of net_dispatch (arc k is the solver's arc 2k) and node 0 is the
// source and sink, node 1 + r region r.

const WARM_SETS: u32 = 8u;
const NO_BUNDLE: u32 = 0xFFFFFFFFu;

struct Warm {
    base: u32,
    nodes: u32,
    arcs: u32,
    regions: u32,
    links: u32,
    stride: u32,
    lane: u32,
}

fn wm_word(w: Warm, k: u32) -> u32 { return (w.base + k) * w.stride + w.lane; }
fn wm_known(w: Warm) -> u32 { return wm_word(w, 0u); }
fn wm_sets(w: Warm, j: u32, v: u32) -> u32 { return wm_word(w, 1u + j * w.nodes + v); }
fn wm_potential(w: Warm, v: u32) -> u32 { return wm_word(w, 1u + WARM_SETS * w.nodes + v); }
fn wm_arc_base(w: Warm) -> u32 { return 1u + (WARM_SETS + 1u) * w.nodes; }
fn wm_cap(w: Warm, k: u32) -> u32 { return wm_word(w, wm_arc_base(w) + k); }
fn wm_flow(w: Warm, k: u32) -> u32 { return wm_word(w, wm_arc_base(w) + w.arcs + k); }
fn wm_bundle_of(w: Warm, k: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 2u * w.arcs + k); }
fn wm_bundle_u(w: Warm, b: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 3u * w.arcs + b); }
fn wm_bundle_v(w: Warm, b: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 4u * w.arcs + b); }
fn wm_bundle_lo(w: Warm, b: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 5u * w.arcs + b); }
fn wm_bundle_hi(w: Warm, b: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 6u * w.arcs + b); }
fn wm_bundle_flow(w: Warm, b: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 7u * w.arcs + b); }
fn wm_bundle_open(w: Warm, b: u32) -> u32 { return wm_word(w, wm_arc_base(w) + 8u * w.arcs + b); }
fn wm_node_base(w: Warm) -> u32 { return wm_arc_base(w) + 9u * w.arcs; }
fn wm_excess(w: Warm, v: u32) -> u32 { return wm_word(w, wm_node_base(w) + v); }
fn wm_degree(w: Warm, v: u32) -> u32 { return wm_word(w, wm_node_base(w) + w.nodes + v); }
fn wm_parent(w: Warm, v: u32) -> u32 { return wm_word(w, wm_node_base(w) + 2u * w.nodes + v); }

fn wm_get(i: u32) -> i32 { return bitcast<i32>(scratch[i]); }
fn wm_set(i: u32, x: i32) { scratch[i] = bitcast<u32>(x); }

// (tail, head, cost) of fixed arc k (warm.rs: Warm::arcs).
fn warm_arc(w: Warm, problem: u32, k: u32) -> vec3<i32> {
    let ra = 4u * w.regions;
    if (k < ra) {
        let node = i32(1u + k / 4u);
        switch (k % 4u) {
            case 0u: { return vec3<i32>(0, node, 0); }
            case 1u: { return vec3<i32>(0, node, NET_DISPATCHABLE); }
            case 2u: { return vec3<i32>(node, 0, -NET_SERVE); }
            default: { return vec3<i32>(node, 0, -NET_DISPATCHABLE); }
        }
    }
    let la = ra + 2u * w.links;
    if (k < la) {
        let l = link_hour(problem, (k - ra) / 2u);
        if (((k - ra) % 2u) == 0u) {
            return vec3<i32>(i32(1u + l.x), i32(1u + l.y), NET_HOP);
        }
        return vec3<i32>(i32(1u + l.y), i32(1u + l.x), NET_HOP);
    }
    let st = store_hour(problem, (k - la) / 2u);
    if (((k - la) % 2u) == 0u) {
        return vec3<i32>(0, i32(1u + st.x), NET_DISCHARGE);
    }
    return vec3<i32>(i32(1u + st.x), 0, select(-NET_CHARGE, -NET_CHARGE_SHIFT, st.w == 1u));
}

// The hour's capacities; false when they sum past i32's largest value.
fn warm_caps(w: Warm, problem: u32, stores: u32) -> bool {
    var total = 0u;
    var fits = true;
    for (var k = 0u; k < w.arcs; k++) {
        var cap = 0u;
        if (k < 4u * w.regions) {
            let g = region_hour(problem, k / 4u);
            let need = g.x - min(g.x, g.y);
            switch (k % 4u) {
                case 0u: { cap = g.y - min(g.y, g.x); }
                case 1u: { cap = g.z - min(g.z, need); }
                case 2u: { cap = need - min(need, g.z); }
                default: { cap = min(need, g.z); }
            }
        } else if (k < 4u * w.regions + 2u * w.links) {
            let l = link_hour(problem, (k - 4u * w.regions) / 2u);
            cap = select(l.w, l.z, ((k - 4u * w.regions) % 2u) == 0u);
        } else {
            let j = k - 4u * w.regions - 2u * w.links;
            let st = store_hour(problem, j / 2u);
            cap = select(st.y, st.z, (j % 2u) == 0u);
        }
        scratch[wm_cap(w, k)] = cap;
        let t = total + cap;
        if (t < total || t > 0x7FFFFFFFu) {
            fits = false;
        } else {
            total = t;
        }
    }
    return fits;
}

fn warm_find(w: Warm, v_in: u32) -> u32 {
    var v = v_in;
    while (scratch[wm_parent(w, v)] != v) {
        v = scratch[wm_parent(w, v)];
    }
    return v;
}

// warm.rs: Warm::solve, with the potentials in `potential`.
fn warm_solve(w: Warm, problem: u32) -> bool {
    let nodes = w.nodes;
    for (var v = 0u; v < nodes; v++) {
        scratch[wm_excess(w, v)] = 0u;
        scratch[wm_parent(w, v)] = v;
        scratch[wm_degree(w, v)] = 0u;
    }
    var bundles = 0u;
    for (var k = 0u; k < w.arcs; k++) {
        scratch[wm_flow(w, k)] = 0u;
        scratch[wm_bundle_of(w, k)] = NO_BUNDLE;
        let cap = scratch[wm_cap(w, k)];
        if (cap == 0u) {
            continue;
        }
        let a = warm_arc(w, problem, k);
        let t = u32(a.x);
        let h = u32(a.y);
        let reduced = a.z + wm_get(wm_potential(w, t)) - wm_get(wm_potential(w, h));
        if (reduced < 0) {
            scratch[wm_flow(w, k)] = cap;
            wm_set(wm_excess(w, h), wm_get(wm_excess(w, h)) + i32(cap));
            wm_set(wm_excess(w, t), wm_get(wm_excess(w, t)) - i32(cap));
        } else if (reduced == 0) {
            let u = min(t, h);
            let v = max(t, h);
            var b = 0u;
            while (b < bundles && (scratch[wm_bundle_u(w, b)] != u || scratch[wm_bundle_v(w, b)] != v)) {
                b++;
            }
            if (b == bundles) {
                let ru = warm_find(w, u);
                let rv = warm_find(w, v);
                if (ru == rv) {
                    // It would close a cycle of tight bundles: left empty.
                    continue;
                }
                scratch[wm_parent(w, ru)] = rv;
                scratch[wm_bundle_u(w, b)] = u;
                scratch[wm_bundle_v(w, b)] = v;
                wm_set(wm_bundle_lo(w, b), 0);
                wm_set(wm_bundle_hi(w, b), 0);
                scratch[wm_degree(w, u)] += 1u;
                scratch[wm_degree(w, v)] += 1u;
                bundles += 1u;
            }
            if (t == u) {
                wm_set(wm_bundle_hi(w, b), wm_get(wm_bundle_hi(w, b)) + i32(cap));
            } else {
                wm_set(wm_bundle_lo(w, b), wm_get(wm_bundle_lo(w, b)) - i32(cap));
            }
            scratch[wm_bundle_of(w, k)] = b;
        }
    }
    // Leaf by leaf, each bundle's net flow is what its leaf end needs to balance.
    for (var b = 0u; b < bundles; b++) {
        wm_set(wm_bundle_flow(w, b), 0);
        scratch[wm_bundle_open(w, b)] = 1u;
    }
    var open = bundles;
    while (open > 0u) {
        var progressed = false;
        for (var b = 0u; b < bundles; b++) {
            if (scratch[wm_bundle_open(w, b)] == 0u) {
                continue;
            }
            let u = scratch[wm_bundle_u(w, b)];
            let v = scratch[wm_bundle_v(w, b)];
            var y = 0;
            if (scratch[wm_degree(w, v)] == 1u) {
                y = -wm_get(wm_excess(w, v));
            } else if (scratch[wm_degree(w, u)] == 1u) {
                y = wm_get(wm_excess(w, u));
            } else {
                continue;
            }
            if (y < wm_get(wm_bundle_lo(w, b)) || y > wm_get(wm_bundle_hi(w, b))) {
                return false;
            }
            wm_set(wm_excess(w, u), wm_get(wm_excess(w, u)) - y);
            wm_set(wm_excess(w, v), wm_get(wm_excess(w, v)) + y);
            wm_set(wm_bundle_flow(w, b), y);
            scratch[wm_bundle_open(w, b)] = 0u;
            scratch[wm_degree(w, u)] -= 1u;
            scratch[wm_degree(w, v)] -= 1u;
            open -= 1u;
            progressed = true;
        }
        if (!progressed) {
            return false;
        }
    }
    for (var v = 0u; v < nodes; v++) {
        if (scratch[wm_excess(w, v)] != 0u) {
            return false;
        }
    }
    // Each bundle's net flow over its arcs, in arc order.
    for (var k = 0u; k < w.arcs; k++) {
        let b = scratch[wm_bundle_of(w, k)];
        if (b == NO_BUNDLE) {
            continue;
        }
        let a = warm_arc(w, problem, k);
        let forward = u32(a.x) == scratch[wm_bundle_u(w, b)];
        let y = wm_get(wm_bundle_flow(w, b));
        var want = 0u;
        if (forward) {
            want = u32(max(y, 0));
        } else {
            want = u32(max(-y, 0));
        }
        let f = min(want, scratch[wm_cap(w, k)]);
        scratch[wm_flow(w, k)] = f;
        if (forward) {
            wm_set(wm_bundle_flow(w, b), y - i32(f));
        } else {
            wm_set(wm_bundle_flow(w, b), y + i32(f));
        }
    }
    return true;
}

// warm.rs: Warm::promote; j = WARM_SETS puts the set in `potential` (just learnt) first.
fn warm_promote(w: Warm, j: u32) {
    let nodes = w.nodes;
    if (j < WARM_SETS) {
        for (var v = 0u; v < nodes; v++) {
            scratch[wm_potential(w, v)] = scratch[wm_sets(w, j, v)];
        }
    }
    let last = min(j, WARM_SETS - 1u);
    for (var i = last; i > 0u; i--) {
        for (var v = 0u; v < nodes; v++) {
            scratch[wm_sets(w, i, v)] = scratch[wm_sets(w, i - 1u, v)];
        }
    }
    for (var v = 0u; v < nodes; v++) {
        scratch[wm_sets(w, 0u, v)] = scratch[wm_potential(w, v)];
    }
    let known = scratch[wm_known(w)];
    if (j >= known) {
        scratch[wm_known(w)] = min(known + 1u, WARM_SETS);
    }
}

// warm.rs: Warm::learn, from the flows in `flow`.
fn warm_learn(w: Warm, problem: u32) {
    let nodes = w.nodes;
    for (var v = 0u; v < nodes; v++) {
        wm_set(wm_potential(w, v), 0);
    }
    for (var round = 0u; round <= nodes; round++) {
        var changed = false;
        for (var k = 0u; k < w.arcs; k++) {
            let a = warm_arc(w, problem, k);
            let t = u32(a.x);
            let h = u32(a.y);
            let f = scratch[wm_flow(w, k)];
            if (f < scratch[wm_cap(w, k)] && wm_get(wm_potential(w, t)) + a.z < wm_get(wm_potential(w, h))) {
                wm_set(wm_potential(w, h), wm_get(wm_potential(w, t)) + a.z);
                changed = true;
            }
            if (f > 0u && wm_get(wm_potential(w, h)) - a.z < wm_get(wm_potential(w, t))) {
                wm_set(wm_potential(w, t), wm_get(wm_potential(w, h)) - a.z);
                changed = true;
            }
        }
        if (!changed) {
            warm_promote(w, WARM_SETS);
            return;
        }
    }
}

// warm.rs: dispatch_hour_warm. Afterwards `flow` holds every fixed arc's flow.
fn dispatch_warm(net_in: Net, w: Warm, stores: u32, problem: u32) -> Net {
    var net = net_in;
    let fits = warm_caps(w, problem, stores);
    if (fits) {
        let known = scratch[wm_known(w)];
        for (var j = 0u; j < known; j++) {
            for (var v = 0u; v < w.nodes; v++) {
                scratch[wm_potential(w, v)] = scratch[wm_sets(w, j, v)];
            }
            if (warm_solve(w, problem)) {
                if (j > 0u) {
                    warm_promote(w, j);
                }
                return net;
            }
        }
    }
    net = net_dispatch(net, w.regions, w.links, stores, problem);
    for (var k = 0u; k < w.arcs; k++) {
        scratch[wm_flow(w, k)] = scratch[net_capacity(net, 2u * k + 1u)];
    }
    if (fits) {
        warm_learn(w, problem);
    }
    return net;
}
