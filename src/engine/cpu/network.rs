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
//! Bellman-Ford's path is a function of which arcs have residual capacity (the support),
//! nothing else, so this engine remembers the path of each support it has met, and where each
//! push along it led (`PathNode`): an hour looks up its first support and then walks from
//! node to node, each augmentation a push along a remembered path. The shader runs
//! Bellman-Ford every time and finds the same paths; a test checks remembered paths against
//! fresh ones.
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

impl Dispatch {
    /// Sizes the answer for `regions` regions, `links` links and `stores` stores (the hour's
    /// values are then written in place).
    pub fn size_for(&mut self, regions: usize, links: usize, stores: usize) {
        self.shortfall.resize(regions, 0);
        self.curtailment.resize(regions, 0);
        self.flow.resize(links, 0);
        self.charge.resize(stores, 0);
        self.discharge.resize(stores, 0);
    }
}

/// The residual graph, reused across hours: arc `a` and its reverse `a ^ 1`, in the fixed
/// order of `dispatch_hour` (every arc kept, as in the shader; one without capacity is
/// skipped by Bellman-Ford).
#[derive(Default)]
pub struct Network {
    /// Regions, links, (from, to) per link and (region, shift) per store the arrays were
    /// laid out for: heads and costs depend only on these.
    shape: Vec<u32>,
    /// Regions and links of that shape.
    regions: usize,
    links: usize,
    head: Vec<usize>,
    cost: Vec<i32>,
    capacity: Vec<u32>,
    dist: Vec<i32>,
    via: Vec<usize>,
    /// Whether the network has at most REMEMBERED_ARCS arcs and so remembers its paths.
    remember: bool,
    /// The path memory (see `PathNode`): the supports met so far with their paths, and a
    /// direct-mapped index of them by support (NO_SUPPORT: an empty slot).
    path_nodes: Vec<PathNode>,
    index_keys: Vec<Support>,
    index_nodes: Vec<u32>,
    /// The support and node the last hour started from (most hours start where the one
    /// before did).
    last_start: (Support, u32),
    /// The path Bellman-Ford just found, from the sink back to the source (copied into the
    /// memory when the network remembers; used as it is when it is too large to).
    path: Vec<u16>,
}

/// Bit `a` set when arc `a` has residual capacity.
type Support = u128;
const _: () = assert!(Support::BITS as usize == REMEMBERED_ARCS);

/// The key of an empty slot. No support has every bit set: a region's renewable-surplus and
/// deficit arcs never both carry capacity or flow (one of the two starts empty).
const NO_SUPPORT: Support = Support::MAX;

/// Slots of the index of the path memory, by a hash of the support: the networks met so
/// far use a few hundred supports, and a slot taken by another support only costs a node.
const INDEX_SLOTS: usize = 1 << 10;

/// Nodes the path memory holds before it starts afresh (bounds its memory at about 1 MiB).
const MAX_PATH_NODES: usize = 1 << 14;

/// The longest path a remembered network can have: REMEMBERED_ARCS allows 16 regions,
/// so a simple path from the source to the sink has at most 17 arcs.
const MAX_REMEMBERED_PATH: usize = REMEMBERED_ARCS / 8 + 1;

/// Transitions a node keeps (most supports lead on to one or two others).
const NODE_EDGES: usize = 4;
const NO_NODE: u32 = u32::MAX;

/// A support met in a remembered network: the path Bellman-Ford finds from it, and the
/// nodes the pushes along that path led to.
///
/// After a push along the path, the next support follows from this one and from which of
/// the path's arcs the push emptied (their reverses all gain capacity), so a transition is
/// keyed by that mask: successive shortest paths then walk from node to node, and only the
/// hour's first support is looked up by its bits.
#[derive(Clone, Copy)]
struct PathNode {
    support: Support,
    /// Arcs of the path (`len` of them; 0 when no path lowers the cost).
    len: u8,
    arcs: [u8; MAX_REMEMBERED_PATH],
    edges: u8,
    /// Bit k set when the push emptied the path's k-th arc.
    emptied: [u32; NODE_EDGES],
    next: [u32; NODE_EDGES],
}

/// The index slot of a support: a multiply of its folded halves (the keys are bit sets,
/// not hostile input).
#[inline(always)]
fn index_slot(support: Support) -> usize {
    let folded = (support as u64).rotate_left(29) ^ (support >> 64) as u64;
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - INDEX_SLOTS.trailing_zeros())) as usize
}

impl Network {
    /// Lays out heads and costs for this topology, unless they already are.
    pub fn prepare(&mut self, regions: usize, links: &[LinkHour], stores: &[StoreHour]) {
        // The link count is part of the key: without it, one link (0, 1) and one shift
        // store in region 0 would read alike.
        let same = self.shape.len() == 2 + 2 * links.len() + 2 * stores.len()
            && self.shape[0] as usize == regions
            && self.shape[1] as usize == links.len()
            && links
                .iter()
                .enumerate()
                .all(|(i, l)| self.shape[2 + 2 * i] == l.from && self.shape[3 + 2 * i] == l.to)
            && stores.iter().enumerate().all(|(s, st)| {
                let k = 2 + 2 * links.len() + 2 * s;
                self.shape[k] == st.region && self.shape[k + 1] == u32::from(st.shift)
            });
        if same {
            return;
        }
        self.shape.clear();
        self.shape.extend([regions as u32, links.len() as u32]);
        self.regions = regions;
        self.links = links.len();
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
        self.remember = self.head.len() <= REMEMBERED_ARCS;
        // A remembered network's capacities are read as one fixed-size array (no bounds
        // checks in the hot loop); the arcs past the last stay empty.
        self.capacity.clear();
        self.capacity.resize(
            self.head
                .len()
                .max(REMEMBERED_ARCS * usize::from(self.remember)),
            0,
        );
        self.forget_paths();
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

    /// Empties the path memory (a new topology, or a full memory).
    fn forget_paths(&mut self) {
        self.path_nodes.clear();
        self.index_keys.clear();
        self.index_nodes.clear();
        if self.remember {
            self.index_keys.resize(INDEX_SLOTS, NO_SUPPORT);
            self.index_nodes.resize(INDEX_SLOTS, NO_NODE);
        }
        self.last_start = (NO_SUPPORT, NO_NODE);
    }

    /// The node of `support`, the current support of the residual graph: from the index, or
    /// made with the path Bellman-Ford finds from it.
    ///
    /// Bellman-Ford's path depends only on which arcs have residual capacity (their costs
    /// and order are fixed), so the path found for a support is remembered: the same few
    /// supports recur hour after hour, and a remembered path is the one the shader finds.
    fn node_of(&mut self, nodes: usize, support: Support) -> u32 {
        let slot = index_slot(support);
        if self.index_keys[slot] == support {
            return self.index_nodes[slot];
        }
        self.fresh_path(nodes);
        let mut node = PathNode {
            support,
            len: self.path.len() as u8,
            arcs: [0; MAX_REMEMBERED_PATH],
            edges: 0,
            emptied: [0; NODE_EDGES],
            next: [NO_NODE; NODE_EDGES],
        };
        for (k, &a) in self.path.iter().enumerate() {
            node.arcs[k] = a as u8;
        }
        let index = self.path_nodes.len() as u32;
        self.path_nodes.push(node);
        self.index_keys[slot] = support;
        self.index_nodes[slot] = index;
        index
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

    /// Pushes the bottleneck along `arcs` (a network too large to remember its paths).
    fn augment(&mut self, arcs: &[u16]) {
        let mut push = u32::MAX;
        for &a in arcs {
            push = push.min(self.capacity[usize::from(a)]);
        }
        for &a in arcs {
            let a = usize::from(a);
            self.capacity[a] -= push;
            self.capacity[a ^ 1] += push;
        }
    }

    /// Successive shortest paths while a path still lowers the cost, from the arcs with
    /// capacity `support` (read when the network remembers its paths).
    fn successive_shortest_paths(&mut self, nodes: usize, support: Support) {
        if self.remember {
            self.walk_remembered_paths(nodes, support);
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

    /// Successive shortest paths through the path memory: from the node of the hour's
    /// support, each push follows the node's transition for the arcs it emptied.
    fn walk_remembered_paths(&mut self, nodes: usize, start: Support) {
        debug_assert_eq!(start, self.support());
        let mut at = if self.last_start.0 == start {
            self.last_start.1
        } else {
            // The memory starts afresh only here, between hours: no node is held.
            if self.path_nodes.len() >= MAX_PATH_NODES {
                self.forget_paths();
            }
            let node = self.node_of(nodes, start);
            self.last_start = (start, node);
            node
        };
        loop {
            let node = &self.path_nodes[at as usize];
            let arcs = &node.arcs[..usize::from(node.len).min(MAX_REMEMBERED_PATH)];
            if arcs.is_empty() {
                break;
            }
            let capacity: &mut [u32; REMEMBERED_ARCS] =
                (&mut self.capacity[..REMEMBERED_ARCS]).try_into().unwrap();
            let mut push = u32::MAX;
            for &a in arcs {
                push = push.min(capacity[usize::from(a) % REMEMBERED_ARCS]);
            }
            let mut emptied = 0u32;
            for (k, &a) in arcs.iter().enumerate() {
                let a = usize::from(a) % REMEMBERED_ARCS;
                capacity[a] -= push;
                capacity[a ^ 1] += push;
                emptied |= u32::from(capacity[a] == 0) << k;
            }
            let edges = usize::from(node.edges).min(NODE_EDGES);
            let known = (0..edges).find(|&e| node.emptied[e] == emptied);
            at = match known {
                Some(e) => node.next[e],
                None => {
                    // The next support: the emptied arcs lose their bits, their reverses
                    // (which the push gave capacity) gain theirs.
                    let mut support = node.support;
                    for (k, &a) in arcs.iter().enumerate() {
                        let a = usize::from(a) % REMEMBERED_ARCS;
                        support |= 1 << (a ^ 1);
                        if emptied >> k & 1 == 1 {
                            support &= !(1 << a);
                        }
                    }
                    let next = self.node_of(nodes, support);
                    let node = &mut self.path_nodes[at as usize];
                    // A node with every edge taken drops its oldest.
                    if usize::from(node.edges) < NODE_EDGES {
                        node.edges += 1;
                    } else {
                        node.emptied.rotate_left(1);
                        node.next.rotate_left(1);
                    }
                    let e = usize::from(node.edges) - 1;
                    node.emptied[e] = emptied;
                    node.next[e] = next;
                    next
                }
            };
        }
    }

    /// The arcs of a remembered network that have residual capacity, as bits (checks the
    /// support `dispatch_prepared` gathers as it sets the capacities).
    fn support(&self) -> Support {
        let arcs = self.head.len().next_multiple_of(8).min(REMEMBERED_ARCS);
        let mut bytes = [0u8; REMEMBERED_ARCS / 8];
        for (byte, eight) in bytes.iter_mut().zip(self.capacity[..arcs].chunks_exact(8)) {
            *byte = eight
                .iter()
                .enumerate()
                .fold(0u8, |b, (k, &c)| b | u8::from(c > 0) << k);
        }
        Support::from_le_bytes(bytes)
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
    net.prepare(regions.len(), links, stores);
    out.size_for(regions.len(), links.len(), stores.len());
    dispatch_prepared(regions, links, stores, net, out);
}

/// `dispatch_hour` on a network already prepared for these regions, links and stores, into
/// an answer already sized for them.
pub fn dispatch_prepared(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    net: &mut Network,
    out: &mut Dispatch,
) {
    solve_prepared(regions, links, stores, net);
    for (r, (shortfall, curtailment)) in out
        .shortfall
        .iter_mut()
        .zip(&mut out.curtailment)
        .enumerate()
    {
        (*shortfall, *curtailment) = net.region_outcome(r);
    }
    for (i, f) in out.flow.iter_mut().enumerate() {
        *f = net.link_flow(i);
    }
    for (s, (charge, discharge)) in out.charge.iter_mut().zip(&mut out.discharge).enumerate() {
        (*charge, *discharge) = net.store_use(s);
    }
}

/// The min-cost flow of one hour on a network already prepared for these regions, links and
/// stores, its answer left in the residual graph (read by `Network::region_outcome`,
/// `link_flow` and `store_use`): the walk tallies from there, without copying it out.
pub fn solve_prepared(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    net: &mut Network,
) {
    let support = fill_capacities(regions, links, stores, net);
    net.successive_shortest_paths(regions.len() + 2, support);
}

/// What the successive shortest paths pushed in one hour, in order: each path (its arcs
/// from the sink back to the source) and the amount pushed along it.
pub type Pushes = Vec<(u32, Vec<u16>)>;

/// The min-cost flow of one hour, like `solve_prepared`, with every path found afresh by
/// Bellman-Ford and recorded in `pushes` (for `settled_hours`, which replays the paths of
/// an hour; the answer left in the residual graph is the same).
pub fn solve_recorded(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    net: &mut Network,
    pushes: &mut Pushes,
) {
    fill_capacities(regions, links, stores, net);
    pushes.clear();
    loop {
        net.fresh_path(regions.len() + 2);
        if net.path.is_empty() {
            break;
        }
        let path = std::mem::take(&mut net.path);
        let amount = path.iter().map(|&a| net.capacity[usize::from(a)]).min();
        net.augment(&path);
        pushes.push((amount.unwrap_or(0), path.clone()));
        net.path = path;
    }
}

/// What an arc of the residual graph stands for, as `settled_hours` reads a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArcRole {
    /// Region r's renewable surplus (from the source).
    RenewableSurplus(usize),
    /// A push along it moves power over link i in its `from` → `to` direction: its forward
    /// arc, or the reverse of its backward arc.
    LinkForward(usize),
    /// The other direction: its backward arc, or the reverse of its forward arc.
    LinkBackward(usize),
    /// Store s's charging (to the sink).
    StoreCharge(usize),
    /// Any other arc: dispatchable surplus, deficit, displaceable output, a discharge, or
    /// the reverse of one of these.
    Other,
}

impl Network {
    /// The role of arc `a` in the network as laid out by `prepare`.
    pub fn arc_role(&self, a: usize) -> ArcRole {
        let (region_arcs, link_arcs) = (8 * self.regions, 4 * self.links);
        if a < region_arcs {
            match a % 8 {
                0 => ArcRole::RenewableSurplus(a / 8),
                _ => ArcRole::Other,
            }
        } else if a < region_arcs + link_arcs {
            let k = a - region_arcs;
            // Forward arc and the reverse of the backward one move power from → to.
            match k % 4 {
                0 | 3 => ArcRole::LinkForward(k / 4),
                _ => ArcRole::LinkBackward(k / 4),
            }
        } else if (a - region_arcs - link_arcs) % 4 == 2 {
            ArcRole::StoreCharge((a - region_arcs - link_arcs) / 4)
        } else {
            ArcRole::Other
        }
    }
}

/// Sets the residual graph's capacities for one hour, and returns its support (the arcs
/// with capacity, as bits; read when the network remembers its paths).
fn fill_capacities(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    net: &mut Network,
) -> Support {
    let n = regions.len();
    // Arc order: per region [renewable surplus, dispatchable surplus, deficit, displaceable],
    // then per link [forward, backward], then per store [discharge, charge]; each arc is
    // followed by its reverse, empty.
    //
    // The support (bit a: arc a has capacity; read by a network that remembers its paths,
    // whose arcs all lie below bit 128) is gathered on the way, a byte per eight arcs: a
    // region's eight arcs are one byte, a link's or a store's four half of one.
    let mut support = [0u8; REMEMBERED_ARCS / 8];
    // Bits for the first and third arcs of four (a forward arc and the next forward one;
    // their reverses start empty), in half a byte.
    let half_byte = |pair: [u32; 2]| u8::from(pair[0] > 0) | u8::from(pair[1] > 0) << 2;
    // The byte of arc k: wraps past REMEMBERED_ARCS, where the support is not read.
    let byte = |k: usize| (k / 8) % (REMEMBERED_ARCS / 8);
    let (region_arcs, rest) = net.capacity.split_at_mut(8 * n);
    let (link_arcs, store_arcs) = rest.split_at_mut(4 * links.len());
    for (r, (g, arcs)) in regions
        .iter()
        .zip(region_arcs.chunks_exact_mut(8))
        .enumerate()
    {
        let need = g.demand.saturating_sub(g.renewable);
        let c = [
            g.renewable.saturating_sub(g.demand),
            g.available.saturating_sub(need),
            need.saturating_sub(g.available),
            need.min(g.available),
        ];
        arcs.copy_from_slice(&[c[0], 0, c[1], 0, c[2], 0, c[3], 0]);
        support[byte(8 * r)] = half_byte([c[0], c[1]]) | half_byte([c[2], c[3]]) << 4;
    }
    for (i, (l, arcs)) in links.iter().zip(link_arcs.chunks_exact_mut(4)).enumerate() {
        arcs.copy_from_slice(&[l.forward, 0, l.backward, 0]);
        let k = 8 * n + 4 * i;
        support[byte(k)] |= half_byte([l.forward, l.backward]) << (k % 8);
    }
    let k = 8 * n + 4 * links.len();
    for (s, (st, arcs)) in stores
        .iter()
        .zip(store_arcs.chunks_exact_mut(4))
        .enumerate()
    {
        arcs.copy_from_slice(&[st.discharge, 0, st.charge, 0]);
        let k = k + 4 * s;
        support[byte(k)] |= half_byte([st.discharge, st.charge]) << (k % 8);
    }
    Support::from_le_bytes(support)
}

impl Network {
    /// Region `r`'s (shortfall, curtailment) after `solve_prepared`: what is left on its
    /// deficit and renewable-surplus arcs.
    #[inline(always)]
    pub fn region_outcome(&self, r: usize) -> (u32, u32) {
        (self.capacity[8 * r + 4], self.capacity[8 * r])
    }

    /// Link `i`'s flow after `solve_prepared`, positive from `from` to `to`: the residual
    /// capacity of its forward arc's reverse less that of its backward arc's.
    #[inline(always)]
    pub fn link_flow(&self, i: usize) -> i64 {
        let k = 8 * self.regions + 4 * i;
        i64::from(self.capacity[k + 1]) - i64::from(self.capacity[k + 3])
    }

    /// Store `s`'s (charge, discharge) after `solve_prepared`.
    #[inline(always)]
    pub fn store_use(&self, s: usize) -> (u32, u32) {
        let k = 8 * self.regions + 4 * self.links + 4 * s;
        (self.capacity[k + 3], self.capacity[k + 1])
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_draw as draw;
    use super::*;

    fn run(regions: &[RegionHour], links: &[LinkHour]) -> Dispatch {
        let mut out = Dispatch::default();
        dispatch_hour(regions, links, &[], &mut Network::default(), &mut out);
        out
    }

    /// Three regions in a line, worked by hand (docs/model.md's example):
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

    /// A network reused for another topology lays itself out again, even when the two list
    /// the same numbers: one link from region 0 to region 1, or one shift store in region 0
    /// (the layout key once read both as [2, 0, 1], and the link hour was solved on the
    /// store's arcs: 16 MW flowing into the region with the surplus).
    #[test]
    fn a_reused_network_tells_a_link_from_a_store() {
        let mut reused = Network::default();
        let mut out = Dispatch::default();
        let regions = [
            RegionHour {
                demand: 294,
                renewable: 396,
                available: 327,
            },
            RegionHour {
                demand: 125,
                renewable: 20,
                available: 414,
            },
        ];
        let store = StoreHour {
            region: 0,
            charge: 258,
            discharge: 246,
            shift: true,
        };
        dispatch_hour(&regions, &[], &[store], &mut reused, &mut out);
        let regions = [
            RegionHour {
                demand: 195,
                renewable: 459,
                available: 256,
            },
            RegionHour {
                demand: 345,
                renewable: 332,
                available: 141,
            },
        ];
        let link = LinkHour {
            from: 0,
            to: 1,
            forward: 77,
            backward: 16,
        };
        dispatch_hour(&regions, &[link], &[], &mut reused, &mut out);
        // Region 1 needs 13 MW, which region 0's surplus of 264 MW sends over the link.
        assert_eq!(out.flow, [13]);
        assert_eq!(out.curtailment, [251, 0]);
        assert_eq!(out.shortfall, [0, 0]);
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
