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
//!
//! Bellman-Ford's path is a function of which arcs have residual capacity, nothing else, so
//! this engine remembers the path of each support it has met (`Network::remembered_path`): an
//! augmentation then costs a table lookup and the push. The shader runs Bellman-Ford every
//! time and finds the same paths; a test checks remembered paths against fresh ones.
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
/// Networks of at most this many arcs (reverse arcs included) remember their paths.
const REMEMBERED_ARCS: usize = 128;

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

/// The residual graph, reused across hours: arc `a` and its reverse `a ^ 1`, in the fixed
/// order of `dispatch_hour` (every arc kept, as in the shader; one without capacity is
/// skipped by Bellman-Ford).
#[derive(Default)]
pub struct Network {
    /// Regions, (from, to) per link and (region, shift) per store the arrays were laid out
    /// for: heads and costs depend only on these.
    shape: Vec<u32>,
    head: Vec<usize>,
    cost: Vec<i32>,
    capacity: Vec<u32>,
    dist: Vec<i32>,
    via: Vec<usize>,
    /// Whether the network has at most REMEMBERED_ARCS arcs and so remembers its paths.
    remember: bool,
    /// Bit `a` set when arc `a` has residual capacity (kept when `remember`).
    support: Support,
    /// Augmenting paths Bellman-Ford found, by support (see `remembered_path`).
    paths: Vec<RememberedPath>,
    /// The path Bellman-Ford just found, from the sink back to the source (copied into the
    /// memory when the network remembers; used as it is when it is too large to).
    path: Vec<u16>,
}

type Support = [u64; REMEMBERED_ARCS / 64];

/// Slots of the path memory, indexed by a hash of the support: the networks met so far use
/// a few hundred supports, and a slot taken by another support only costs a Bellman-Ford.
const PATH_SLOTS: usize = 1 << 10;

/// One slot of the path memory.
#[derive(Clone, Copy)]
struct RememberedPath {
    support: Support,
    /// Arcs of the path, or EMPTY_SLOT, or 0 when no path lowers the cost.
    len: u8,
    arcs: [u8; MAX_REMEMBERED_PATH],
}

/// The longest path a remembered network can have: REMEMBERED_ARCS allows 16 regions,
/// so a simple path from the source to the sink has at most 17 arcs.
const MAX_REMEMBERED_PATH: usize = REMEMBERED_ARCS / 8 + 1;
const EMPTY_SLOT: u8 = u8::MAX;

impl RememberedPath {
    const EMPTY: RememberedPath = RememberedPath {
        support: [0; REMEMBERED_ARCS / 64],
        len: EMPTY_SLOT,
        arcs: [0; MAX_REMEMBERED_PATH],
    };
}

/// The memory slot of a support: a multiply of its folded words (the keys are bit sets,
/// not hostile input).
#[inline(always)]
fn path_slot(support: &Support) -> usize {
    let folded = support.iter().fold(0u64, |h, &w| h.rotate_left(29) ^ w);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - PATH_SLOTS.trailing_zeros())) as usize
}

impl Network {
    /// Lays out heads and costs for this topology, unless they already are.
    fn prepare(&mut self, regions: usize, links: &[LinkHour], stores: &[StoreHour]) {
        let same = self.shape.len() == 1 + 2 * links.len() + 2 * stores.len()
            && self.shape[0] as usize == regions
            && links
                .iter()
                .enumerate()
                .all(|(i, l)| self.shape[1 + 2 * i] == l.from && self.shape[2 + 2 * i] == l.to)
            && stores.iter().enumerate().all(|(s, st)| {
                let k = 1 + 2 * links.len() + 2 * s;
                self.shape[k] == st.region && self.shape[k + 1] == u32::from(st.shift)
            });
        if same {
            return;
        }
        self.shape.clear();
        self.shape.push(regions as u32);
        for l in links {
            self.shape.extend([l.from, l.to]);
        }
        for st in stores {
            self.shape.extend([st.region, u32::from(st.shift)]);
        }
        self.head.clear();
        self.cost.clear();
        let mut arc = |from: usize, to: usize, cost: i32| {
            // Stored as (tail of the reverse, head) pairs: arc a goes to head[a] and comes
            // from head[a ^ 1].
            self.head.extend([to, from]);
            self.cost.extend([cost, -cost]);
        };
        for r in 0..regions {
            let node = 2 + r;
            arc(SOURCE, node, 0);
            arc(SOURCE, node, DISPATCHABLE);
            arc(node, SINK, -SERVE);
            arc(node, SINK, -DISPATCHABLE);
        }
        for l in links {
            let (a, b) = (2 + l.from as usize, 2 + l.to as usize);
            arc(a, b, HOP);
            arc(b, a, HOP);
        }
        for st in stores {
            let node = 2 + st.region as usize;
            arc(SOURCE, node, DISCHARGE);
            arc(node, SINK, if st.shift { -CHARGE_SHIFT } else { -CHARGE });
        }
        self.capacity.clear();
        self.capacity.resize(self.head.len(), 0);
        self.remember = self.head.len() <= REMEMBERED_ARCS;
        self.paths.clear();
        if self.remember {
            self.paths.resize(PATH_SLOTS, RememberedPath::EMPTY);
        }
    }

    /// Sets the capacity of arc pair `k` (its reverse empty).
    #[inline(always)]
    fn set(&mut self, k: usize, capacity: u32) {
        self.capacity[2 * k] = capacity;
        self.capacity[2 * k + 1] = 0;
        if self.remember {
            self.support[k / 32] |= u64::from(capacity > 0) << (2 * k % 64);
        }
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

    /// The path Bellman-Ford finds from the current support, as a slot of the memory (its
    /// `len` 0 when no path lowers the cost).
    ///
    /// Bellman-Ford's path depends only on which arcs have residual capacity (their costs
    /// and order are fixed), so the path found for a support is remembered: the same few
    /// supports recur hour after hour, and a remembered path is the one the shader finds.
    fn remembered_path(&mut self, nodes: usize) -> usize {
        let slot = path_slot(&self.support);
        let m = &self.paths[slot];
        if m.len != EMPTY_SLOT && m.support == self.support {
            return slot;
        }
        self.fresh_path(nodes);
        let m = &mut self.paths[slot];
        m.support = self.support;
        m.len = self.path.len() as u8;
        for (k, &a) in self.path.iter().enumerate() {
            m.arcs[k] = a as u8;
        }
        slot
    }

    /// Runs Bellman-Ford and leaves in `path` the path to the sink if it lowers the cost
    /// (empty otherwise).
    fn fresh_path(&mut self, nodes: usize) {
        self.path.clear();
        if self.shortest_path(nodes) && self.dist[SINK] < 0 {
            let mut v = SINK;
            while v != SOURCE {
                let a = self.via[v];
                self.path.push(a as u16);
                v = self.head[a ^ 1];
            }
        }
    }

    /// Pushes the bottleneck along `arcs`.
    #[inline(always)]
    fn augment<A: Copy + Into<usize>>(&mut self, arcs: &[A]) {
        let mut push = u32::MAX;
        for &a in arcs {
            push = push.min(self.capacity[a.into()]);
        }
        for &a in arcs {
            let a: usize = a.into();
            self.capacity[a] -= push;
            self.capacity[a ^ 1] += push;
            if self.remember {
                let (word, bit) = (a / 64, a % 64);
                // The arc and its reverse share a word.
                self.support[word] &= !(u64::from(self.capacity[a] == 0) << bit);
                self.support[word] |= 1 << (bit ^ 1);
            }
        }
    }

    /// Successive shortest paths while a path still lowers the cost.
    fn successive_shortest_paths(&mut self, nodes: usize) {
        if self.remember {
            loop {
                let slot = self.remembered_path(nodes);
                let m = self.paths[slot];
                if m.len == 0 {
                    break;
                }
                self.augment(&m.arcs[..m.len as usize]);
            }
        } else {
            loop {
                self.fresh_path(nodes);
                if self.path.is_empty() {
                    break;
                }
                let path = std::mem::take(&mut self.path);
                self.augment(&path);
                self.path = path;
            }
        }
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
    // Sized once, then written in place.
    out.shortfall.resize(n, 0);
    out.curtailment.resize(n, 0);
    out.flow.resize(links.len(), 0);
    out.charge.resize(stores.len(), 0);
    out.discharge.resize(stores.len(), 0);
    net.prepare(n, links, stores);
    net.support = Support::default();
    // Arc order: per region [renewable surplus, dispatchable surplus, deficit, displaceable],
    // then per link [forward, backward], then per store [discharge, charge]; each arc is
    // followed by its reverse.
    for r in 0..n {
        let g = &regions[r];
        let need = g.demand.saturating_sub(g.renewable);
        net.set(4 * r, g.renewable.saturating_sub(g.demand));
        net.set(4 * r + 1, g.available.saturating_sub(need));
        net.set(4 * r + 2, need.saturating_sub(g.available));
        net.set(4 * r + 3, need.min(g.available));
    }
    for (i, l) in links.iter().enumerate() {
        net.set(4 * n + 2 * i, l.forward);
        net.set(4 * n + 2 * i + 1, l.backward);
    }
    for (s, st) in stores.iter().enumerate() {
        let k = 4 * n + 2 * links.len() + 2 * s;
        net.set(k, st.discharge);
        net.set(k + 1, st.charge);
    }
    net.successive_shortest_paths(n + 2);
    // The flow on an arc is its reverse's residual capacity.
    let flow = |k: usize| net.capacity[2 * k + 1];
    for r in 0..n {
        let g = &regions[r];
        let base = 4 * r; // four arcs per region
        let need = g.demand.saturating_sub(g.renewable);
        let renewable_surplus = g.renewable.saturating_sub(g.demand);
        let deficit = need.saturating_sub(g.available);
        out.curtailment[r] = renewable_surplus - flow(base);
        out.shortfall[r] = deficit - flow(base + 2);
    }
    for i in 0..links.len() {
        let base = 4 * n + 2 * i;
        out.flow[i] = i64::from(flow(base)) - i64::from(flow(base + 1));
    }
    for i in 0..stores.len() {
        let base = 4 * n + 2 * links.len() + 2 * i;
        out.discharge[i] = flow(base);
        out.charge[i] = flow(base + 1);
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

    /// A small xorshift for the random hours below.
    fn draw(state: &mut u64, below: u32) -> u32 {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        (*state % u64::from(below)) as u32
    }

    /// Dispatches `hours` random hours on one random network of `n` regions, once with a
    /// network reused across hours (its path memory filled, slots overwritten) and once
    /// with a fresh network per hour (every path found by Bellman-Ford): equal answers.
    fn remembered_paths_agree(n: u32, hours: usize, seed: u64) {
        let mut state = seed;
        let mut links = Vec::new();
        for a in 0..n {
            for b in a + 1..n {
                if b == a + 1 || draw(&mut state, 3) == 0 {
                    links.push(LinkHour {
                        from: a,
                        to: b,
                        forward: 0,
                        backward: 0,
                    });
                }
            }
        }
        let mut stores: Vec<StoreHour> = (0..draw(&mut state, 4))
            .map(|_| StoreHour {
                region: draw(&mut state, n),
                charge: 0,
                discharge: 0,
                shift: draw(&mut state, 2) == 1,
            })
            .collect();
        let mut reused = Network::default();
        let (mut a, mut b) = (Dispatch::default(), Dispatch::default());
        for _ in 0..hours {
            // Small values, many of them zero: ties and saturations on every path.
            let regions: Vec<RegionHour> = (0..n)
                .map(|_| RegionHour {
                    demand: draw(&mut state, 8) * 10,
                    renewable: draw(&mut state, 8) * 10,
                    available: draw(&mut state, 6) * 10,
                })
                .collect();
            for l in &mut links {
                l.forward = draw(&mut state, 4) * 10;
                l.backward = draw(&mut state, 4) * 10;
            }
            for st in &mut stores {
                st.charge = draw(&mut state, 3) * 10;
                st.discharge = draw(&mut state, 3) * 10;
            }
            dispatch_hour(&regions, &links, &stores, &mut reused, &mut a);
            dispatch_hour(&regions, &links, &stores, &mut Network::default(), &mut b);
            assert_eq!(a, b, "{regions:?} {links:?} {stores:?}");
        }
    }

    #[test]
    fn remembered_paths_are_bellman_fords() {
        for (n, seed) in [(2, 1), (3, 2), (3, 3), (5, 4), (6, 5)] {
            remembered_paths_agree(n, 4000, seed);
        }
        // 17 regions: more arcs than are remembered, every path found afresh.
        remembered_paths_agree(17, 200, 6);
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
