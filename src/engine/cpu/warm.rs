//! The warm start of the hourly network dispatch. Mirrors `shaders/warm.wgsl`.
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use super::network::{
    CHARGE, CHARGE_SHIFT, DISCHARGE, DISPATCHABLE, Dispatch, HOP, LinkHour, Network, RegionHour,
    SERVE, StoreHour, dispatch_hour,
};

/// The warm start of the hourly dispatch.
///
/// Costs never change from hour to hour; only capacities do. Node potentials that proved the
/// last hour solved from scratch optimal therefore often prove the next hour's answer too:
/// with potentials π, every arc whose reduced cost c + π(tail) − π(head) is negative carries
/// its capacity, every arc whose reduced cost is positive carries nothing, and the flows on
/// the *tight* arcs (reduced cost zero) follow from flow conservation when those arcs form a
/// forest. If they do, and each such flow lies within its bounds, the flow is optimal by
/// complementary slackness (source and sink are one node here, so the flow is a circulation)
/// and costs O(arcs + regions²) instead of successive shortest paths. Otherwise the hour is
/// solved from scratch and its potentials, computed by Bellman-Ford on the residual graph,
/// replace the old ones. Both paths reach the same optimum of the same objective; where the
/// optimum is not unique (ties between equally good routes or stores) they may choose
/// different optimal dispatches, and which one a trajectory gets depends on its own history
/// only, so results stay identical across backends, thread counts and chunk sizes.
///
/// Tight arcs between the same two nodes (several stores of one kind in a region, parallel
/// interfaces, a region's dispatchable surplus and its displaceable output) make one
/// *bundle*: its net flow comes from conservation, and is split over its arcs in arc order,
/// each as full as it can be, arcs one way first used when the net flow goes that way. A
/// tight arc that would close a cycle of bundles (two routes of equal cost: the optimum is
/// not unique there) is left empty, which complementary slackness allows.
#[derive(Default)]
pub struct Warm {
    /// How many of the `WARM_SETS` sets of potentials are known, most recently used first.
    known: usize,
    /// `WARM_SETS` sets of potentials, per node (0: source and sink, 1 + r: region r).
    potentials: Vec<i32>,
    /// The set being tried or learnt.
    potential: Vec<i32>,
    tail: Vec<u32>,
    head: Vec<u32>,
    cost: Vec<i32>,
    cap: Vec<u32>,
    flow: Vec<u32>,
    /// Bundle of each tight arc, or NO_BUNDLE.
    bundle_of: Vec<u32>,
    bundle_u: Vec<u32>,
    bundle_v: Vec<u32>,
    /// Net flow from u to v: its bounds and its value.
    bundle_lo: Vec<i32>,
    bundle_hi: Vec<i32>,
    bundle_flow: Vec<i32>,
    bundle_open: Vec<bool>,
    excess: Vec<i32>,
    degree: Vec<u32>,
    /// Union-find over the nodes, to see that tight bundles form a forest.
    parent: Vec<u32>,
    /// Hours dispatched warm and from scratch (for tests and profiling).
    pub warm_hours: u64,
    pub cold_hours: u64,
}

const NO_BUNDLE: u32 = u32::MAX;

/// Sets of potentials kept: an hour's pattern of saturated and idle arcs (day and night,
/// curtailing or not, a line out) tends to come back, so each hour tries the sets learnt
/// from the last few patterns, most recently used first, before solving from scratch.
pub const WARM_SETS: usize = 8;

impl Warm {
    /// Forgets the potentials (a new trajectory).
    pub fn reset(&mut self) {
        self.known = 0;
    }

    /// Moves set `j` to the front (`j` = WARM_SETS: `potential`, just learnt).
    fn promote(&mut self, j: usize, nodes: usize) {
        if j < WARM_SETS {
            self.potential.clear();
            self.potential
                .extend_from_slice(&self.potentials[j * nodes..(j + 1) * nodes]);
        }
        let last = j.min(WARM_SETS - 1);
        self.potentials.copy_within(0..last * nodes, nodes);
        self.potentials[..nodes].copy_from_slice(&self.potential);
        if j >= self.known {
            self.known = (self.known + 1).min(WARM_SETS);
        }
    }

    /// The arcs of the hour in the fixed order of `dispatch_hour`, with source and sink as
    /// node 0; returns false when their capacities sum past i32::MAX (the warm start's
    /// sums then might not fit, and the hour is solved from scratch).
    fn arcs(&mut self, regions: &[RegionHour], links: &[LinkHour], stores: &[StoreHour]) -> bool {
        self.tail.clear();
        self.head.clear();
        self.cost.clear();
        self.cap.clear();
        let mut total = 0u32;
        let mut fits = true;
        let mut arc = |w: &mut Warm, tail: u32, head: u32, cap: u32, cost: i32| {
            w.tail.push(tail);
            w.head.push(head);
            w.cap.push(cap);
            w.cost.push(cost);
            match total.checked_add(cap) {
                Some(t) if t <= i32::MAX as u32 => total = t,
                _ => fits = false,
            }
        };
        for (r, g) in regions.iter().enumerate() {
            let node = 1 + r as u32;
            let need = g.demand.saturating_sub(g.renewable);
            arc(self, 0, node, g.renewable.saturating_sub(g.demand), 0);
            arc(
                self,
                0,
                node,
                g.available.saturating_sub(need),
                DISPATCHABLE,
            );
            arc(self, node, 0, need.saturating_sub(g.available), -SERVE);
            arc(self, node, 0, need.min(g.available), -DISPATCHABLE);
        }
        for l in links {
            arc(self, 1 + l.from, 1 + l.to, l.forward, HOP);
            arc(self, 1 + l.to, 1 + l.from, l.backward, HOP);
        }
        for s in stores {
            let node = 1 + s.region;
            arc(self, 0, node, s.discharge, DISCHARGE);
            arc(
                self,
                node,
                0,
                s.charge,
                if s.shift { -CHARGE_SHIFT } else { -CHARGE },
            );
        }
        fits
    }

    fn find(&mut self, mut v: u32) -> u32 {
        while self.parent[v as usize] != v {
            v = self.parent[v as usize];
        }
        v
    }

    /// Tries the hour with the current potentials; on success `flow` holds every arc's flow.
    fn solve(&mut self, nodes: usize) -> bool {
        let arcs = self.tail.len();
        self.flow.clear();
        self.flow.resize(arcs, 0);
        self.bundle_of.clear();
        self.bundle_of.resize(arcs, NO_BUNDLE);
        self.excess.clear();
        self.excess.resize(nodes, 0);
        self.parent.clear();
        self.parent.extend(0..nodes as u32);
        self.degree.clear();
        self.degree.resize(nodes, 0);
        self.bundle_u.clear();
        self.bundle_v.clear();
        self.bundle_lo.clear();
        self.bundle_hi.clear();
        for k in 0..arcs {
            let (t, h, cap) = (self.tail[k], self.head[k], self.cap[k]);
            if cap == 0 {
                continue;
            }
            let reduced = self.cost[k] + self.potential[t as usize] - self.potential[h as usize];
            if reduced < 0 {
                self.flow[k] = cap;
                self.excess[h as usize] += cap as i32;
                self.excess[t as usize] -= cap as i32;
            } else if reduced == 0 {
                let (u, v) = (t.min(h), t.max(h));
                let mut b = 0;
                while b < self.bundle_u.len() && (self.bundle_u[b] != u || self.bundle_v[b] != v) {
                    b += 1;
                }
                if b == self.bundle_u.len() {
                    let (ru, rv) = (self.find(u), self.find(v));
                    if ru == rv {
                        // It would close a cycle of tight bundles: the optimum is not unique
                        // there, and this arc is left empty (still complementary slack).
                        continue;
                    }
                    self.parent[ru as usize] = rv;
                    self.bundle_u.push(u);
                    self.bundle_v.push(v);
                    self.bundle_lo.push(0);
                    self.bundle_hi.push(0);
                    self.degree[u as usize] += 1;
                    self.degree[v as usize] += 1;
                }
                if t == u {
                    self.bundle_hi[b] += cap as i32;
                } else {
                    self.bundle_lo[b] -= cap as i32;
                }
                self.bundle_of[k] = b as u32;
            }
        }
        // Leaf by leaf, each bundle's net flow is what its leaf end needs to balance.
        let bundles = self.bundle_u.len();
        self.bundle_flow.clear();
        self.bundle_flow.resize(bundles, 0);
        self.bundle_open.clear();
        self.bundle_open.resize(bundles, true);
        let mut open = bundles;
        while open > 0 {
            let mut progressed = false;
            for b in 0..bundles {
                if !self.bundle_open[b] {
                    continue;
                }
                let (u, v) = (self.bundle_u[b] as usize, self.bundle_v[b] as usize);
                let y = if self.degree[v] == 1 {
                    -self.excess[v]
                } else if self.degree[u] == 1 {
                    self.excess[u]
                } else {
                    continue;
                };
                if y < self.bundle_lo[b] || y > self.bundle_hi[b] {
                    return false;
                }
                self.excess[u] -= y;
                self.excess[v] += y;
                self.bundle_flow[b] = y;
                self.bundle_open[b] = false;
                self.degree[u] -= 1;
                self.degree[v] -= 1;
                open -= 1;
                progressed = true;
            }
            if !progressed {
                return false;
            }
        }
        if self.excess.iter().any(|&e| e != 0) {
            return false;
        }
        // Each bundle's net flow over its arcs, in arc order.
        for k in 0..arcs {
            let b = self.bundle_of[k];
            if b == NO_BUNDLE {
                continue;
            }
            let b = b as usize;
            let forward = self.tail[k] == self.bundle_u[b];
            let y = self.bundle_flow[b];
            let want = if forward { y.max(0) } else { (-y).max(0) } as u32;
            let f = want.min(self.cap[k]);
            self.flow[k] = f;
            if forward {
                self.bundle_flow[b] -= f as i32;
            } else {
                self.bundle_flow[b] += f as i32;
            }
        }
        true
    }

    /// Potentials of the dispatch in `flow`: shortest distances in its residual graph from a
    /// virtual root joined to every node at no cost (the residual graph of an optimal
    /// circulation has no negative cycle, so this settles within `nodes` rounds).
    fn learn(&mut self, nodes: usize) {
        self.potential.clear();
        self.potential.resize(nodes, 0);
        for _ in 0..=nodes {
            let mut changed = false;
            for k in 0..self.tail.len() {
                let (t, h) = (self.tail[k] as usize, self.head[k] as usize);
                if self.flow[k] < self.cap[k]
                    && self.potential[t] + self.cost[k] < self.potential[h]
                {
                    self.potential[h] = self.potential[t] + self.cost[k];
                    changed = true;
                }
                if self.flow[k] > 0 && self.potential[h] - self.cost[k] < self.potential[t] {
                    self.potential[t] = self.potential[h] - self.cost[k];
                    changed = true;
                }
            }
            if !changed {
                self.promote(WARM_SETS, nodes);
                return;
            }
        }
    }
}

/// Dispatches one hour as `dispatch_hour` does, first trying the potentials of the last hour
/// solved from scratch (see [`Warm`]).
pub fn dispatch_hour_warm(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    net: &mut Network,
    warm: &mut Warm,
    out: &mut Dispatch,
) {
    let nodes = 1 + regions.len();
    if warm.potentials.len() != WARM_SETS * nodes {
        warm.potentials.clear();
        warm.potentials.resize(WARM_SETS * nodes, 0);
        warm.known = 0;
    }
    let fits = warm.arcs(regions, links, stores);
    let mut solved = false;
    if fits {
        for j in 0..warm.known {
            warm.potential.clear();
            warm.potential
                .extend_from_slice(&warm.potentials[j * nodes..(j + 1) * nodes]);
            if warm.solve(nodes) {
                if j > 0 {
                    warm.promote(j, nodes);
                }
                solved = true;
                break;
            }
        }
    }
    if solved {
        warm.warm_hours += 1;
        let n = regions.len();
        out.shortfall.clear();
        out.curtailment.clear();
        out.flow.clear();
        out.charge.clear();
        out.discharge.clear();
        for r in 0..n {
            out.curtailment.push(warm.cap[4 * r] - warm.flow[4 * r]);
            out.shortfall
                .push(warm.cap[4 * r + 2] - warm.flow[4 * r + 2]);
        }
        for i in 0..links.len() {
            let k = 4 * n + 2 * i;
            out.flow
                .push(i64::from(warm.flow[k]) - i64::from(warm.flow[k + 1]));
        }
        for i in 0..stores.len() {
            let k = 4 * n + 2 * links.len() + 2 * i;
            out.discharge.push(warm.flow[k]);
            out.charge.push(warm.flow[k + 1]);
        }
        return;
    }
    warm.cold_hours += 1;
    dispatch_hour(regions, links, stores, net, out);
    if fits {
        warm.flow.clear();
        warm.flow
            .extend((0..warm.tail.len()).map(|k| net.arc_flow(k)));
        warm.learn(nodes);
    }
}
