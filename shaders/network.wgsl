// One hour of network dispatch between regions. Mirrors src/engine/cpu/network.rs: local
// netting, then a min-cost flow by successive shortest paths (Bellman-Ford) in integers.
// The residual graph lives in `scratch` from word `net.base`: head[arcs], capacity[arcs],
// cost[arcs] (i32 bit patterns), dist[nodes], via[nodes]; word k of it is at
// (base + k) * stride + lane, so a kernel can interleave it by thread like its other state.
// The including kernel provides region_hour, link_hour and store_hour.

const NET_SERVE: i32 = 4096;
const NET_DISCHARGE: i32 = 2048;
const NET_CHARGE: i32 = 1536;
const NET_CHARGE_SHIFT: i32 = 512;
const NET_DISPATCHABLE: i32 = 1024;
const NET_HOP: i32 = 1;
const NET_SOURCE: u32 = 0u;
const NET_SINK: u32 = 1u;
const NET_UNREACHED: i32 = 0x7FFFFFFF;

struct Net {
    base: u32,
    // Room reserved for arcs and nodes (the largest network of the study).
    arcs_max: u32,
    nodes_max: u32,
    // Arcs in use.
    arcs: u32,
    stride: u32,
    lane: u32,
}

fn net_word(n: Net, k: u32) -> u32 { return (n.base + k) * n.stride + n.lane; }
fn net_head(n: Net, a: u32) -> u32 { return net_word(n, a); }
fn net_capacity(n: Net, a: u32) -> u32 { return net_word(n, n.arcs_max + a); }
fn net_cost(n: Net, a: u32) -> u32 { return net_word(n, 2u * n.arcs_max + a); }
fn net_dist(n: Net, v: u32) -> u32 { return net_word(n, 3u * n.arcs_max + v); }
fn net_via(n: Net, v: u32) -> u32 { return net_word(n, 3u * n.arcs_max + n.nodes_max + v); }

fn net_arc(n_in: Net, tail: u32, head: u32, capacity: u32, cost: i32) -> Net {
    var n = n_in;
    let a = n.arcs;
    scratch[net_head(n, a)] = head;
    scratch[net_capacity(n, a)] = capacity;
    scratch[net_cost(n, a)] = bitcast<u32>(cost);
    scratch[net_head(n, a + 1u)] = tail;
    scratch[net_capacity(n, a + 1u)] = 0u;
    scratch[net_cost(n, a + 1u)] = bitcast<u32>(-cost);
    n.arcs = a + 2u;
    return n;
}

fn net_shortest_path(n: Net, nodes: u32) -> bool {
    for (var v = 0u; v < nodes; v++) {
        scratch[net_dist(n, v)] = bitcast<u32>(NET_UNREACHED);
        scratch[net_via(n, v)] = 0xFFFFFFFFu;
    }
    scratch[net_dist(n, NET_SOURCE)] = 0u;
    for (var round = 0u; round < nodes; round++) {
        var changed = false;
        for (var a = 0u; a < n.arcs; a++) {
            let tail = scratch[net_head(n, a ^ 1u)];
            let dt = bitcast<i32>(scratch[net_dist(n, tail)]);
            if (scratch[net_capacity(n, a)] == 0u || dt == NET_UNREACHED) {
                continue;
            }
            let d = dt + bitcast<i32>(scratch[net_cost(n, a)]);
            let h = scratch[net_head(n, a)];
            if (d < bitcast<i32>(scratch[net_dist(n, h)])) {
                scratch[net_dist(n, h)] = bitcast<u32>(d);
                scratch[net_via(n, h)] = a;
                changed = true;
            }
        }
        if (!changed) {
            break;
        }
    }
    return bitcast<i32>(scratch[net_dist(n, NET_SINK)]) != NET_UNREACHED;
}

// Builds the graph for regions (demand, renewable, available) read by `region_hour(r)`,
// links (from, to, forward, backward) read by `link_hour(i)` and stores (region, charge,
// discharge, 1 if a shift store) read by `store_hour(s)`, and runs the flow. Results are read back with
// net_shortfall, net_curtailment, net_flow, net_charge and net_discharge.
fn net_dispatch(n_in: Net, regions: u32, links: u32, stores: u32, problem: u32) -> Net {
    var n = n_in;
    n.arcs = 0u;
    for (var r = 0u; r < regions; r++) {
        let g = region_hour(problem, r);
        let node = 2u + r;
        let need = g.x - min(g.x, g.y);
        let renewable_surplus = g.y - min(g.y, g.x);
        let dispatchable_surplus = g.z - min(g.z, need);
        let deficit = need - min(need, g.z);
        let displaceable = min(need, g.z);
        n = net_arc(n, NET_SOURCE, node, renewable_surplus, 0);
        n = net_arc(n, NET_SOURCE, node, dispatchable_surplus, NET_DISPATCHABLE);
        n = net_arc(n, node, NET_SINK, deficit, -NET_SERVE);
        n = net_arc(n, node, NET_SINK, displaceable, -NET_DISPATCHABLE);
    }
    for (var i = 0u; i < links; i++) {
        let l = link_hour(problem, i);
        n = net_arc(n, 2u + l.x, 2u + l.y, l.z, NET_HOP);
        n = net_arc(n, 2u + l.y, 2u + l.x, l.w, NET_HOP);
    }
    for (var s = 0u; s < stores; s++) {
        let st = store_hour(problem, s);
        n = net_arc(n, NET_SOURCE, 2u + st.x, st.z, NET_DISCHARGE);
        n = net_arc(n, 2u + st.x, NET_SINK, st.y, select(-NET_CHARGE, -NET_CHARGE_SHIFT, st.w == 1u));
    }
    let nodes = regions + 2u;
    loop {
        if (!net_shortest_path(n, nodes) || bitcast<i32>(scratch[net_dist(n, NET_SINK)]) >= 0) {
            break;
        }
        var push = 0xFFFFFFFFu;
        var v = NET_SINK;
        while (v != NET_SOURCE) {
            let a = scratch[net_via(n, v)];
            push = min(push, scratch[net_capacity(n, a)]);
            v = scratch[net_head(n, a ^ 1u)];
        }
        v = NET_SINK;
        while (v != NET_SOURCE) {
            let a = scratch[net_via(n, v)];
            scratch[net_capacity(n, a)] -= push;
            scratch[net_capacity(n, a ^ 1u)] += push;
            v = scratch[net_head(n, a ^ 1u)];
        }
    }
    return n;
}

// Flow on an arc = its reverse's residual capacity; four arcs (eight slots) per region.
fn net_curtailment(n: Net, r: u32) -> u32 {
    let base = 8u * r;
    return scratch[net_capacity(n, base)];
}

fn net_shortfall(n: Net, r: u32) -> u32 {
    let base = 8u * r;
    return scratch[net_capacity(n, base + 4u)];
}

// Flow from `from` to `to` as (magnitude, 1 if negative).
fn net_flow(n: Net, regions: u32, i: u32) -> vec2<u32> {
    let base = 8u * regions + 4u * i;
    let f = scratch[net_capacity(n, base + 1u)];
    let b = scratch[net_capacity(n, base + 3u)];
    return select(vec2<u32>(f - b, 0u), vec2<u32>(b - f, 1u), b > f);
}

// Grid-side discharge and charge of store `s`: the flows on its two arcs.
fn net_discharge(n: Net, regions: u32, links: u32, s: u32) -> u32 {
    return scratch[net_capacity(n, 8u * regions + 4u * links + 4u * s + 1u)];
}

fn net_charge(n: Net, regions: u32, links: u32, s: u32) -> u32 {
    return scratch[net_capacity(n, 8u * regions + 4u * links + 4u * s + 3u)];
}
