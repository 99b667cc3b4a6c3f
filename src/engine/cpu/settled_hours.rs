//! The dispatch of a table's surplus hours, settled once for every trajectory whose fleet
//! covers each region's need (`regions.rs` reads it instead of solving the hour).
//!
//! In an hour in which some region has a renewable surplus, no region is short before
//! transfers (its available dispatchable capacity covers its demand less its renewable
//! output), and no reliability store can charge, the min-cost flow (`network.rs`) moves
//! renewable surplus only: first to displace dispatchable output elsewhere (each path gains
//! about DISPATCHABLE), then into shift stores (about CHARGE_SHIFT). The outage state enters
//! such an hour in three places, and none changes the answer:
//! - A region's spare dispatchable capacity (available less need) is an arc from the source
//!   costing DISPATCHABLE. With nothing short and no reliability store to fill, a path
//!   through it ends by displacing dispatchable output (−DISPATCHABLE) or filling a shift
//!   store (−CHARGE_SHIFT), and so costs its hops: never negative, since renewable power
//!   reroutes to a shorter route by itself whenever the lines allow it. Bellman-Ford's
//!   labels through such an arc lie about DISPATCHABLE above the labels of renewable
//!   paths, so they never choose a path either.
//! - Storage discharge costs DISCHARGE and serves only deficits: unused.
//! - Interface limits: only hours with every circuit up are settled.
//!
//! What is left is the shift stores' room. Successive shortest paths take every displacing
//! path before any path into a store (path costs never fall), so the hour's dispatch is its
//! dispatch without stores (`base`) followed by paths into the one store that has room, in
//! an order that does not depend on that room: each path takes what it can until the room
//! is used. Both are recorded from Bellman-Ford here (`network::solve_recorded`), once per
//! table and hour, and replayed for each trajectory. An hour whose paths do not have that
//! shape is marked and walked as before. `tests/suite/gpu_network.rs` and the settled-hours tests
//! below compare the replayed hours with the solver's.
//!
//! The shader solves every hour; the integers are the same.

use super::network::{ArcRole, LinkHour, Network, Pushes, RegionHour, StoreHour, solve_recorded};

/// An hour not settled yet.
const UNSEEN: u32 = u32::MAX;
/// An hour whose paths do not have the shape described above: it is walked.
const UNSETTLED: u32 = u32::MAX - 1;

/// Words of settled hours kept per table (4 MiB); hours past that are walked.
const MOST_WORDS: usize = 1 << 20;

/// The room given to a store when its paths are recorded: the most any store's room can be,
/// so a path that this room bottlenecks carries at least the room of any trajectory's store.
/// (No capacity overflows: a reverse arc holds at most its forward arc's capacity.)
const ROOM: u32 = u32::MAX;

/// The settled hours of one table.
///
/// Hour `h`'s words start at `at[h]`: the curtailment of each region, the flow on each link
/// (as two words, low first), then for each store the number of its paths followed by each
/// path: the amount it can carry, the region whose surplus it takes, and per link the change
/// of that link's flow per unit pushed (1, 0 or −1, as u32).
#[derive(Default)]
pub struct SettledHours {
    at: Vec<u32>,
    words: Vec<u32>,
}

/// The scratch a table uses to settle an hour.
#[derive(Default)]
pub struct Settling {
    net: Network,
    pushes: Pushes,
    stores: Vec<StoreHour>,
    regions: Vec<RegionHour>,
    /// The hour's dispatch without stores (curtailment per region, then flow per link), and
    /// each shift store's count of paths followed by the paths.
    base: Vec<i64>,
    paths: Vec<u32>,
}

/// An hour's dispatch read back from its settled words.
pub struct SettledDispatch<'a> {
    words: &'a [u32],
    regions: usize,
    links: usize,
}

impl SettledHours {
    /// Forgets every hour (a table made again, for a horizon of `hours`).
    pub fn reset(&mut self, hours: usize) {
        self.at.clear();
        self.at.resize(hours, UNSEEN);
        self.words.clear();
    }

    /// Hour `h`'s settled dispatch, settled now from the hour's regions, links (every
    /// circuit up) and stores when it is met the first time; None when the hour is walked.
    #[inline(always)]
    pub fn hour(
        &mut self,
        h: u32,
        regions: &[RegionHour],
        links: &[LinkHour],
        stores: &[StoreHour],
        scratch: &mut Settling,
    ) -> Option<SettledDispatch<'_>> {
        let h = h as usize;
        if self.at[h] == UNSEEN {
            self.at[h] = self.settle(regions, links, stores, scratch);
        }
        let at = self.at[h];
        (at != UNSETTLED).then(|| SettledDispatch {
            words: &self.words[at as usize..],
            regions: regions.len(),
            links: links.len(),
        })
    }

    /// Records one hour's words; returns where they start, or UNSETTLED.
    #[cold]
    #[inline(never)]
    fn settle(
        &mut self,
        regions: &[RegionHour],
        links: &[LinkHour],
        stores: &[StoreHour],
        scratch: &mut Settling,
    ) -> u32 {
        if self.words.len() >= MOST_WORDS {
            return UNSETTLED;
        }
        let start = self.words.len();
        let settled = record(regions, links, stores, scratch, &mut self.words);
        if !settled {
            self.words.truncate(start);
            return UNSETTLED;
        }
        start as u32
    }
}

/// Appends an hour's words to `words`; false when its paths do not have the settled shape.
///
/// One solve per shift store (one in all when there is none), with that store given more
/// room than the hour can fill: its paths into the store are recorded, and the dispatch
/// without stores is what is left when they are taken back, the same for every store (or
/// the hour is not settled).
fn record(
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    scratch: &mut Settling,
    words: &mut Vec<u32>,
) -> bool {
    let Settling {
        net,
        pushes,
        stores: held,
        regions: covered,
        base,
        paths,
    } = scratch;
    let n = regions.len();
    // Each region's need exactly covered: no spare dispatchable capacity (it does not
    // change the answer, see the module notes), nothing short.
    covered.clear();
    covered.extend(regions.iter().map(|g| RegionHour {
        available: g.demand.saturating_sub(g.renewable),
        ..*g
    }));
    held.clear();
    held.extend(stores.iter().map(|s| StoreHour {
        charge: 0,
        discharge: 0,
        ..*s
    }));
    net.prepare(n, links, held);
    base.clear();
    paths.clear();
    let shift: Vec<Option<usize>> = (0..stores.len())
        .filter(|&s| stores[s].shift)
        .map(Some)
        .collect();
    for s in if shift.is_empty() { vec![None] } else { shift } {
        if let Some(s) = s {
            held[s].charge = ROOM;
        }
        solve_recorded(covered, links, held, net, pushes);
        if let Some(s) = s {
            held[s].charge = 0;
        }
        // The hour as solved (curtailment per region, flow per link), less each path into
        // the store.
        let mut outcome = Vec::with_capacity(n + links.len());
        for r in 0..n {
            let (shortfall, curtailment) = net.region_outcome(r);
            if shortfall > 0 {
                return false;
            }
            outcome.push(i64::from(curtailment));
        }
        outcome.extend((0..links.len()).map(|i| net.link_flow(i)));
        let into_store =
            |arcs: &Vec<u16>| Some(net.arc_role(arcs[0].into())) == s.map(ArcRole::StoreCharge);
        let first = pushes.iter().position(|(_, arcs)| into_store(arcs));
        let first = first.unwrap_or(pushes.len());
        paths.push((pushes.len() - first) as u32);
        for (amount, arcs) in &pushes[first..] {
            let last = arcs.last().map(|&a| net.arc_role(a.into()));
            let (true, Some(ArcRole::RenewableSurplus(r))) = (into_store(arcs), last) else {
                return false;
            };
            let steps = paths.len() + 2;
            paths.extend([*amount, r as u32]);
            paths.extend(std::iter::repeat_n(0, links.len()));
            outcome[r] += i64::from(*amount);
            for &a in &arcs[1..arcs.len() - 1] {
                let (i, step) = match net.arc_role(a.into()) {
                    ArcRole::LinkForward(i) => (i, 1),
                    ArcRole::LinkBackward(i) => (i, -1),
                    _ => return false,
                };
                paths[steps + i] = step as u32;
                outcome[n + i] -= i64::from(step) * i64::from(*amount);
            }
        }
        if base.is_empty() {
            *base = outcome;
        } else if *base != outcome {
            return false;
        }
    }
    words.extend(base[..n].iter().map(|&c| c as u32));
    words.extend(base[n..].iter().flat_map(|&f| [f as u32, (f >> 32) as u32]));
    // Each store's paths, in store order (none for a reliability store).
    let mut section = paths.iter().copied();
    for st in stores {
        let count = if st.shift {
            section.next().unwrap_or(0)
        } else {
            0
        };
        words.push(count);
        words.extend(section.by_ref().take(count as usize * (2 + links.len())));
    }
    true
}

impl SettledDispatch<'_> {
    /// Region r's curtailment when no store charges.
    #[inline(always)]
    pub fn curtailment(&self, r: usize) -> u32 {
        self.words[r]
    }

    /// Link i's flow (positive from `from` to `to`) when no store charges.
    #[inline(always)]
    pub fn flow(&self, i: usize) -> i64 {
        let at = self.regions + 2 * i;
        i64::from(self.words[at]) | i64::from(self.words[at + 1] as i32) << 32
    }

    /// The hour's curtailment per region into `curtailment` and link flows into `flow`, with
    /// store `charging` (when some store has room) given `room`; returns what that store
    /// takes.
    pub fn read(
        &self,
        charging: Option<(usize, u32)>,
        curtailment: &mut [u32],
        flow: &mut [i64],
    ) -> u32 {
        let (n, l) = (self.regions, self.links);
        curtailment.copy_from_slice(&self.words[..n]);
        for (i, f) in flow.iter_mut().enumerate() {
            *f = self.flow(i);
        }
        let Some((store, room)) = charging else {
            return 0;
        };
        // Each store's paths follow the base; skip to this one's.
        let mut at = n + 2 * l;
        for _ in 0..store {
            at += 1 + self.words[at] as usize * (2 + l);
        }
        let paths = self.words[at] as usize;
        at += 1;
        let mut left = room;
        for _ in 0..paths {
            if left == 0 {
                break;
            }
            let push = self.words[at].min(left);
            left -= push;
            curtailment[self.words[at + 1] as usize] -= push;
            for (i, f) in flow.iter_mut().enumerate() {
                *f += i64::from(self.words[at + 2 + i] as i32) * i64::from(push);
            }
            at += 2 + l;
        }
        room - left
    }
}

#[cfg(test)]
mod tests {
    use super::super::network::{Dispatch, dispatch_hour};
    use super::super::test_draw as draw;
    use super::*;

    /// Random hours on random networks (trees and meshes, up to six regions, shift and
    /// reliability stores), each with some renewable surplus and every region's need
    /// covered, with spare units, circuits and stores' rooms drawn: where the hour is
    /// settled, the replayed dispatch equals the solver's on the hour's own numbers.
    #[test]
    fn settled_hours_replay_the_solver() {
        let mut state = 0x0123_4567_89AB_CDEFu64;
        let (mut replayed, mut stored, mut rerouted) = (0, 0, 0);
        for _ in 0..4_000 {
            let n = 2 + draw(&mut state, 5);
            let mut links = Vec::new();
            for b in 1..n {
                for a in 0..b {
                    if a + 1 == b || draw(&mut state, 3) == 0 {
                        links.push(LinkHour {
                            from: a,
                            to: b,
                            forward: draw(&mut state, 6) * 10,
                            backward: draw(&mut state, 6) * 10,
                        });
                    }
                }
            }
            let stores: Vec<StoreHour> = (0..draw(&mut state, 3))
                .map(|_| StoreHour {
                    region: draw(&mut state, n),
                    charge: 0,
                    discharge: 0,
                    shift: draw(&mut state, 4) > 0,
                })
                .collect();
            // One table hour, met by several trajectories.
            let terms: Vec<(u32, u32)> = (0..n)
                .map(|_| (draw(&mut state, 8) * 10, draw(&mut state, 8) * 10))
                .collect();
            if terms.iter().all(|&(d, r)| r <= d) {
                continue;
            }
            let mut hours = SettledHours::default();
            hours.reset(1);
            let mut scratch = Settling::default();
            for _ in 0..6 {
                let regions: Vec<RegionHour> = terms
                    .iter()
                    .map(|&(demand, renewable)| RegionHour {
                        demand,
                        renewable,
                        available: demand.saturating_sub(renewable)
                            + draw(&mut state, 3) * draw(&mut state, 40),
                    })
                    .collect();
                let mut hour_stores = stores.clone();
                // At most one shift store with room; the others full (no room).
                let charging = (!stores.is_empty())
                    .then(|| draw(&mut state, stores.len() as u32) as usize)
                    .filter(|&s| stores[s].shift);
                for (s, st) in hour_stores.iter_mut().enumerate() {
                    st.discharge = draw(&mut state, 3) * 10;
                    if Some(s) == charging {
                        st.charge = draw(&mut state, 4) * draw(&mut state, 30);
                    }
                }
                let Some(settled) = hours.hour(0, &regions, &links, &hour_stores, &mut scratch)
                else {
                    continue;
                };
                let mut curtailment = vec![0; n as usize];
                let mut flow = vec![0; links.len()];
                let room = charging.map(|s| (s, hour_stores[s].charge));
                let charged = settled.read(room, &mut curtailment, &mut flow);
                let mut out = Dispatch::default();
                dispatch_hour(
                    &regions,
                    &links,
                    &hour_stores,
                    &mut Network::default(),
                    &mut out,
                );
                let mut charge = vec![0; stores.len()];
                if let Some(s) = charging {
                    charge[s] = charged;
                }
                let expected = (out.shortfall.iter().all(|&x| x == 0), &out.curtailment);
                assert_eq!((true, &curtailment), expected, "{regions:?} {links:?}");
                assert_eq!(flow, out.flow, "{regions:?} {links:?} {hour_stores:?}");
                assert_eq!(charge, out.charge, "{regions:?} {links:?} {hour_stores:?}");
                assert!(out.discharge.iter().all(|&x| x == 0));
                replayed += 1;
                stored += usize::from(charged > 0);
                rerouted += usize::from(charged > 0 && out.flow.iter().any(|&f| f != 0));
            }
        }
        eprintln!("{replayed} {stored} {rerouted}");
        assert!(
            replayed > 5_000 && stored > 1_000 && rerouted > 300,
            "{replayed} {stored} {rerouted}"
        );
    }
}
