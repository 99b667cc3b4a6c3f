//! One hour of network dispatch between regions: who serves whom over the interfaces, and
//! what storage charges and discharges. Mirrors `shaders/network.wgsl`.
//!
//! Rules, in order of priority:
//! 1. Each region serves its own demand first from its renewables, then from its
//!    dispatchable units (local netting never makes shortfall or curtailment worse).
//! 2. Transfers and storage discharge then minimise total shortfall over the whole network.
//!    Storage discharges only to avoid shortfall, and only after every dispatchable unit
//!    that can reach the deficit is used.
//! 3. Among those, total curtailment is minimised: renewable surplus flows to deficits,
//!    charges storage, and displaces dispatchable generation elsewhere when the lines allow.
//! 4. Among those, storage discharges as little as it can (a store never discharges into
//!    another store), and then the energy put into storage is maximised: reliability stores
//!    also charge from dispatchable surplus, their own region's or a neighbour's; shift
//!    stores (`dispatch = "shift"`) charge from renewable surplus only, and give their
//!    energy back in quiet hours (see `regions.rs`), outside this solver.
//! 5. Among those, the MW·hops moved are minimised (a hurdle cost of one per interface), so
//!    power never loops and ties resolve to the shortest routes.
//!
//! This is a min-cost flow from a source (renewable surplus, dispatchable surplus, storage
//! discharge) to a sink (deficits, displaceable dispatchable output, storage charging),
//! solved exactly by successive shortest paths with Bellman-Ford in integers. The weights
//! make the order strict: any augmenting path or cycle that serves one more unit of deficit
//! gains SERVE − DISCHARGE − CHARGE > 0 against anything else it changes; one that uses one
//! more unit of renewable energy gains at least DISPATCHABLE against storage and hops; one
//! that stores one more unit of dispatchable energy gains CHARGE − DISPATCHABLE, more than
//! the hops of any simple path (at most 2 · 64 regions + 2).
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

/// Reward of serving one unit of deficit.
const SERVE: i32 = 4096;
/// Cost of one unit of storage discharge: worth paying only to serve a deficit.
const DISCHARGE: i32 = 2048;
/// Reward of storing one unit: above DISPATCHABLE, so dispatchable surplus charges storage.
const CHARGE: i32 = 1536;
/// Reward of storing one unit in a shift store: below DISPATCHABLE, so only renewable
/// surplus charges it (charging it from units only to give the energy back would be a loss).
const CHARGE_SHIFT: i32 = 512;
/// Cost of one unit of dispatchable surplus (renewable surplus costs nothing), and reward of
/// displacing one unit of dispatchable output with imported renewable energy.
const DISPATCHABLE: i32 = 1024;
/// Hurdle cost per unit per interface.
const HOP: i32 = 1;
const SOURCE: usize = 0;
const SINK: usize = 1;
const UNREACHED: i32 = i32::MAX;

/// One region in one hour, in power units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegionHour {
    pub demand: u32,
    pub renewable: u32,
    /// Available dispatchable capacity.
    pub available: u32,
}

/// An interface in one hour: what it can carry each way after outages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkHour {
    pub from: u32,
    pub to: u32,
    pub forward: u32,
    pub backward: u32,
}

/// A storage device in one hour: what it can take from and give to the grid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StoreHour {
    pub region: u32,
    pub charge: u32,
    pub discharge: u32,
    /// A shift store (`dispatch = "shift"`): charges from renewable surplus only.
    pub shift: bool,
}

/// The outcome per region, the flow on each link (positive from `from` to `to`), and each
/// store's charging and discharging (grid side).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dispatch {
    pub shortfall: Vec<u32>,
    pub curtailment: Vec<u32>,
    pub flow: Vec<i64>,
    pub charge: Vec<u32>,
    pub discharge: Vec<u32>,
}

/// The residual graph, reused across hours: arc `a` and its reverse `a ^ 1`.
#[derive(Default)]
pub struct Network {
    head: Vec<usize>,
    capacity: Vec<u32>,
    cost: Vec<i32>,
    dist: Vec<i32>,
    via: Vec<usize>,
    /// Index of each arc of the fixed order (see `dispatch_hour`), or NO_ARC when left out.
    slot: Vec<usize>,
}

/// An arc left out of the graph because it has no capacity.
const NO_ARC: usize = usize::MAX;

impl Network {
    fn clear(&mut self) {
        self.head.clear();
        self.capacity.clear();
        self.cost.clear();
        self.slot.clear();
    }

    /// Adds an arc and its reverse. An arc without capacity is left out: it and its reverse
    /// can never carry flow, and Bellman-Ford skips them, so leaving them out changes no
    /// relaxation and no path (the shader keeps them and finds the same paths).
    #[inline]
    fn arc(&mut self, from: usize, to: usize, capacity: u32, cost: i32) {
        if capacity == 0 {
            self.slot.push(NO_ARC);
            return;
        }
        self.slot.push(self.head.len());
        // Stored as (tail of the reverse, head) pairs: arc a goes to head[a] and comes from
        // head[a ^ 1].
        self.head.push(to);
        self.capacity.push(capacity);
        self.cost.push(cost);
        self.head.push(from);
        self.capacity.push(0);
        self.cost.push(-cost);
    }

    /// Cheapest path from the source by Bellman-Ford over arcs with residual capacity;
    /// returns false when the sink is unreachable.
    fn shortest_path(&mut self, nodes: usize) -> bool {
        self.dist.clear();
        self.dist.resize(nodes, UNREACHED);
        self.via.clear();
        self.via.resize(nodes, usize::MAX);
        self.dist[SOURCE] = 0;
        for _ in 0..nodes {
            let mut changed = false;
            for a in 0..self.head.len() {
                // Most residual arcs are empty (every reverse arc until flow uses it).
                if self.capacity[a] == 0 {
                    continue;
                }
                let from = self.dist[self.head[a ^ 1]];
                if from == UNREACHED {
                    continue;
                }
                let d = from + self.cost[a];
                if d < self.dist[self.head[a]] {
                    self.dist[self.head[a]] = d;
                    self.via[self.head[a]] = a;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.dist[SINK] != UNREACHED
    }
}

/// Dispatches one hour: local netting, then the min-cost flow over the links and stores.
pub fn dispatch_hour(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    net: &mut Network,
    out: &mut Dispatch,
) {
    let n = regions.len();
    out.shortfall.clear();
    out.curtailment.clear();
    out.flow.clear();
    out.charge.clear();
    out.discharge.clear();
    net.clear();
    // Arc order: per region [renewable surplus, dispatchable surplus, deficit, displaceable],
    // then per link [forward, backward]; each arc is followed by its reverse.
    for r in 0..n {
        let g = &regions[r];
        let node = 2 + r;
        let need = g.demand.saturating_sub(g.renewable);
        let renewable_surplus = g.renewable.saturating_sub(g.demand);
        let dispatchable_surplus = g.available.saturating_sub(need);
        let deficit = need.saturating_sub(g.available);
        let displaceable = need.min(g.available);
        net.arc(SOURCE, node, renewable_surplus, 0);
        net.arc(SOURCE, node, dispatchable_surplus, DISPATCHABLE);
        net.arc(node, SINK, deficit, -SERVE);
        net.arc(node, SINK, displaceable, -DISPATCHABLE);
    }
    for l in links {
        let (a, b) = (2 + l.from as usize, 2 + l.to as usize);
        net.arc(a, b, l.forward, HOP);
        net.arc(b, a, l.backward, HOP);
    }
    for s in stores {
        let node = 2 + s.region as usize;
        net.arc(SOURCE, node, s.discharge, DISCHARGE);
        net.arc(
            node,
            SINK,
            s.charge,
            if s.shift { -CHARGE_SHIFT } else { -CHARGE },
        );
    }
    // Successive shortest paths while a path still lowers the cost.
    while net.shortest_path(n + 2) && net.dist[SINK] < 0 {
        let mut push = u32::MAX;
        let mut v = SINK;
        while v != SOURCE {
            let a = net.via[v];
            push = push.min(net.capacity[a]);
            v = net.head[a ^ 1];
        }
        let mut v = SINK;
        while v != SOURCE {
            let a = net.via[v];
            net.capacity[a] -= push;
            net.capacity[a ^ 1] += push;
            v = net.head[a ^ 1];
        }
    }
    // The flow on an arc is its reverse's residual capacity.
    let flow = |k: usize| match net.slot[k] {
        NO_ARC => 0,
        a => net.capacity[a + 1],
    };
    for r in 0..n {
        let g = &regions[r];
        let base = 4 * r; // four arcs per region
        let need = g.demand.saturating_sub(g.renewable);
        let renewable_surplus = g.renewable.saturating_sub(g.demand);
        let deficit = need.saturating_sub(g.available);
        out.curtailment.push(renewable_surplus - flow(base));
        out.shortfall.push(deficit - flow(base + 2));
    }
    for i in 0..links.len() {
        let base = 4 * n + 2 * i;
        out.flow
            .push(i64::from(flow(base)) - i64::from(flow(base + 1)));
    }
    for i in 0..stores.len() {
        let base = 4 * n + 2 * links.len() + 2 * i;
        out.discharge.push(flow(base));
        out.charge.push(flow(base + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(regions: &[RegionHour], links: &[LinkHour]) -> Dispatch {
        let mut out = Dispatch::default();
        dispatch_hour(regions, links, &[], &mut Network::default(), &mut out);
        out
    }

    /// Three regions in a line, worked by hand (the README's example):
    /// West: demand 100, wind 400, no dispatchable → 300 surplus.
    /// Middle: demand 300, wind 0, dispatchable 250 → 50 short before transfers.
    /// East: demand 500, wind 0, dispatchable 600 → covers itself, 100 spare.
    /// West→Middle carries at most 200, Middle→East at most 100.
    /// Shortfall: Middle imports 50 of West's wind → no shortfall.
    /// Curtailment: the West–Middle line carries 200 in all, so 150 more wind can displace
    /// Middle's units; of those 150, 100 could pass on to displace East's units instead — it
    /// makes no difference to curtailment, and the hurdle cost keeps it in Middle.
    /// West curtails 300 − 200 = 100.
    #[test]
    fn three_regions_by_hand() {
        let regions = [
            RegionHour {
                demand: 100,
                renewable: 400,
                available: 0,
            },
            RegionHour {
                demand: 300,
                renewable: 0,
                available: 250,
            },
            RegionHour {
                demand: 500,
                renewable: 0,
                available: 600,
            },
        ];
        let links = [
            LinkHour {
                from: 0,
                to: 1,
                forward: 200,
                backward: 200,
            },
            LinkHour {
                from: 1,
                to: 2,
                forward: 100,
                backward: 100,
            },
        ];
        let d = run(&regions, &links);
        assert_eq!(d.shortfall, [0, 0, 0]);
        assert_eq!(d.curtailment, [100, 0, 0]);
        assert_eq!(d.flow, [200, 0]);
    }

    #[test]
    fn shortfall_comes_before_curtailment() {
        // West has 100 wind spare and 100 dispatchable spare; the line carries 100. East is
        // 100 short: the wind goes (shortfall 0, curtailment 0), not the dispatchable.
        let regions = [
            RegionHour {
                demand: 0,
                renewable: 100,
                available: 100,
            },
            RegionHour {
                demand: 100,
                renewable: 0,
                available: 0,
            },
        ];
        let links = [LinkHour {
            from: 0,
            to: 1,
            forward: 100,
            backward: 0,
        }];
        let d = run(&regions, &links);
        assert_eq!(
            (d.shortfall, d.curtailment, d.flow),
            (vec![0, 0], vec![0, 0], vec![100])
        );
    }
}
