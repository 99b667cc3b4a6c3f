//! Small PRAS systems written here and held against their exact adequacy, computed in this
//! file without any of egap's dispatch code (issue 17, item 4): two regions joined by two
//! failing lines, three regions in a triangle of failing lines with unequal limits each way,
//! and two regions with a failing store whose state of charge carries from hour to hour.
//!
//! The oracle follows docs/model.md and docs/scenarios.md, not the engine:
//! - every unit, line and store is an independent two-state Markov chain in hourly steps
//!   (fails with λ, is repaired with μ), its first hour drawn from the stationary
//!   availability μ/(λ+μ);
//! - each hour dispatch minimises the total shortfall over the network, then the store's
//!   discharge, then maximises the energy it stores. With one store and no renewables these
//!   are three maximum flows, found here by max-flow/min-cut as the least cut over the
//!   2^regions ways to split the regions;
//! - a store on outage neither charges nor discharges and keeps its energy; it starts empty
//!   (as in PRAS);
//! - an hour is short when the least total shortfall is above zero (strictly).
//!
//! The joint chain is walked forward hour by hour: every path of it, merged where two paths
//! agree on everything the future depends on (the outage state, the store's energy, whether
//! the last hour was short and whether any was). The expectations are sums over those merged
//! paths, exact up to floating-point rounding of the probabilities. Every power and energy
//! here is a multiple of 1/8 MW(h) (efficiencies are 1/2), so the oracle's arithmetic on them
//! is exact in f64 and egap's fixed point (far finer than 1/8 MW for systems this small)
//! represents them exactly too: a tie between load and capacity is a tie on both sides.

use std::collections::HashMap;

use egap::Study;
use egap::pras::file::{Assets, PrasSystem};
use egap::stats::Estimate;

use super::{assets, run_cpu, series, write_pras};

/// A two-state outage process: per-hour failure (λ) and repair (μ) probabilities.
#[derive(Clone, Copy, Debug)]
struct Outage {
    lambda: f64,
    mu: f64,
}

impl Outage {
    const NEVER: Outage = Outage {
        lambda: 0.0,
        mu: 1.0,
    };

    fn new(lambda: f64, mu: f64) -> Outage {
        Outage { lambda, mu }
    }

    /// Stationary probability of being up, the first hour's law.
    fn availability(self) -> f64 {
        self.mu / (self.lambda + self.mu)
    }
}

struct Unit {
    name: &'static str,
    region: usize,
    mw: f64,
    outage: Outage,
}

/// A line from region `from` to region `to`, with its limit each way.
struct Line {
    name: &'static str,
    from: usize,
    to: usize,
    forward: f64,
    backward: f64,
    outage: Outage,
}

struct Store {
    name: &'static str,
    region: usize,
    charge_mw: f64,
    discharge_mw: f64,
    energy_mwh: f64,
    charge_efficiency: f64,
    discharge_efficiency: f64,
    outage: Outage,
}

/// A system as this test states it: regions (name, hourly load, MW), units of constant
/// capacity, lines, and at most one store.
struct System {
    regions: Vec<(&'static str, Vec<f64>)>,
    units: Vec<Unit>,
    lines: Vec<Line>,
    store: Option<Store>,
}

impl System {
    fn hours(&self) -> usize {
        self.regions[0].1.len()
    }

    /// The system as PRAS would store it. Units have constant capacity (a generator that never
    /// fails and varies by the hour would become a renewable). Lines between the same two
    /// regions share one PRAS interface whose limits are their sums (egap refuses less).
    fn to_pras(&self) -> PrasSystem {
        let steps = self.hours();
        let names: Vec<&str> = self.regions.iter().map(|r| r.0).collect();
        let n = names.len();
        let mut regions = assets(
            &names,
            &[],
            vec![("load", series(steps, n, |t, r| self.regions[r].1[t]))],
        );
        regions.categories.clear();

        let outage_of = |outages: &[Outage]| {
            let k = outages.len();
            let lambda: Vec<f64> = outages.iter().map(|o| o.lambda).collect();
            let mu: Vec<f64> = outages.iter().map(|o| o.mu).collect();
            vec![
                (
                    "failureprobability",
                    series(steps, k, move |_, i| lambda[i]),
                ),
                ("repairprobability", series(steps, k, move |_, i| mu[i])),
            ]
        };

        let unit_names: Vec<&str> = self.units.iter().map(|u| u.name).collect();
        let unit_regions: Vec<&str> = self.units.iter().map(|u| names[u.region]).collect();
        let mut properties = vec![(
            "capacity",
            series(steps, self.units.len(), |_, u| self.units[u].mw),
        )];
        properties.extend(outage_of(
            &self.units.iter().map(|u| u.outage).collect::<Vec<_>>(),
        ));
        let generators = assets(&unit_names, &unit_regions, properties);

        let storages = match &self.store {
            None => Assets::default(),
            Some(s) => {
                let constant = |v: f64| series(steps, 1, move |_, _| v);
                let mut properties = vec![
                    ("chargecapacity", constant(s.charge_mw)),
                    ("dischargecapacity", constant(s.discharge_mw)),
                    ("energycapacity", constant(s.energy_mwh)),
                    ("chargeefficiency", constant(s.charge_efficiency)),
                    ("dischargeefficiency", constant(s.discharge_efficiency)),
                    ("carryoverefficiency", constant(1.0)),
                ];
                properties.extend(outage_of(&[s.outage]));
                assets(&[s.name], &[names[s.region]], properties)
            }
        };

        // One interface per pair of regions, oriented as its first line.
        let mut faces: Vec<(usize, usize, f64, f64)> = Vec::new();
        for l in &self.lines {
            match faces
                .iter_mut()
                .find(|f| (f.0, f.1) == (l.from, l.to) || (f.0, f.1) == (l.to, l.from))
            {
                Some(f) if f.0 == l.from => (f.2, f.3) = (f.2 + l.forward, f.3 + l.backward),
                Some(f) => (f.2, f.3) = (f.2 + l.backward, f.3 + l.forward),
                None => faces.push((l.from, l.to, l.forward, l.backward)),
            }
        }
        let (interfaces, lines) = if self.lines.is_empty() {
            (Assets::default(), Assets::default())
        } else {
            let interfaces = Assets {
                names: faces
                    .iter()
                    .map(|f| format!("{}-{}", names[f.0], names[f.1]))
                    .collect(),
                from: faces.iter().map(|f| names[f.0].to_string()).collect(),
                to: faces.iter().map(|f| names[f.1].to_string()).collect(),
                properties: [
                    (
                        "forwardcapacity".to_string(),
                        series(steps, faces.len(), |_, i| faces[i].2),
                    ),
                    (
                        "backwardcapacity".to_string(),
                        series(steps, faces.len(), |_, i| faces[i].3),
                    ),
                ]
                .into(),
                ..Assets::default()
            };
            let k = self.lines.len();
            let mut properties = vec![
                (
                    "forwardcapacity",
                    series(steps, k, |_, l| self.lines[l].forward),
                ),
                (
                    "backwardcapacity",
                    series(steps, k, |_, l| self.lines[l].backward),
                ),
            ];
            properties.extend(outage_of(
                &self.lines.iter().map(|l| l.outage).collect::<Vec<_>>(),
            ));
            let lines = Assets {
                names: self.lines.iter().map(|l| l.name.to_string()).collect(),
                categories: self.lines.iter().map(|_| "AC".to_string()).collect(),
                from: self
                    .lines
                    .iter()
                    .map(|l| names[l.from].to_string())
                    .collect(),
                to: self.lines.iter().map(|l| names[l.to].to_string()).collect(),
                properties: properties
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                ..Assets::default()
            };
            (interfaces, lines)
        };
        PrasSystem {
            version: "v0.8.0".into(),
            start_timestamp: "2030-01-01T00:00:00+00:00".into(),
            steps,
            step_length: 1,
            step_unit: "h".into(),
            power_unit: "MW".into(),
            energy_unit: "MWh".into(),
            regions,
            generators,
            storages,
            interfaces,
            lines,
            ..PrasSystem::default()
        }
    }

    /// Every outage chain: units, then lines, then the store.
    fn outages(&self) -> Vec<Outage> {
        let mut all: Vec<Outage> = self.units.iter().map(|u| u.outage).collect();
        all.extend(self.lines.iter().map(|l| l.outage));
        all.extend(self.store.iter().map(|s| s.outage));
        all
    }
}

/// The most a network can serve: `supply[r]` MW enters region r, `sink[r]` MW can be taken
/// there, and `cap[u][v]` MW can move from u to v. By max-flow/min-cut this is the least
/// capacity of a cut, over every set S of regions left on the source's side: the supply of the
/// regions outside S, the sinks of those inside, and the lines from inside to outside.
fn max_flow(supply: &[f64], sink: &[f64], cap: &[Vec<f64>]) -> f64 {
    let n = supply.len();
    (0..1u32 << n)
        .map(|set| {
            let inside = |r: usize| set >> r & 1 == 1;
            (0..n)
                .map(|r| {
                    if inside(r) {
                        sink[r]
                            + (0..n)
                                .filter(|&v| !inside(v))
                                .map(|v| cap[r][v])
                                .sum::<f64>()
                    } else {
                        supply[r]
                    }
                })
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
}

/// One hour's settlement.
struct Hour {
    /// Least total shortfall, MW.
    shortfall: f64,
    /// Shortfall per region when the system has two regions and no store: a deficit is served
    /// by the other region's surplus up to the line's limit, and a region is never made short
    /// to help another (that would not lower the total, and it costs a hop).
    regions: Option<[f64; 2]>,
    /// The store's energy after the hour, MWh.
    soc: f64,
}

/// Settles hour `h` with the chains in state `up` (bit i set: chain i available, in the order
/// of `System::outages`) and `soc` MWh in the store.
fn settle(system: &System, h: usize, up: u32, soc: f64) -> Hour {
    let n = system.regions.len();
    let is_up = |i: usize| up >> i & 1 == 1;
    let mut supply = vec![0.0; n];
    for (i, u) in system.units.iter().enumerate() {
        if is_up(i) {
            supply[u.region] += u.mw;
        }
    }
    let mut sink: Vec<f64> = system.regions.iter().map(|r| r.1[h]).collect();
    let mut cap = vec![vec![0.0; n]; n];
    let lines_at = system.units.len();
    for (i, l) in system.lines.iter().enumerate() {
        if is_up(lines_at + i) {
            cap[l.from][l.to] += l.forward;
            cap[l.to][l.from] += l.backward;
        }
    }
    let demand: f64 = sink.iter().sum();
    let served = max_flow(&supply, &sink, &cap);
    let regions = (n == 2 && system.store.is_none()).then(|| {
        let local = [supply[0] - sink[0], supply[1] - sink[1]];
        let limit = [cap[1][0], cap[0][1]]; // into region 0, into region 1
        let short = |r: usize| {
            let help = local[1 - r].max(0.0).min(limit[r]);
            (-local[r] - help).max(0.0)
        };
        [short(0), short(1)]
    });
    let Some(store) = &system.store else {
        return Hour {
            shortfall: demand - served,
            regions,
            soc,
        };
    };
    let s = store.region;
    let (charge_room, discharge_room) = if is_up(lines_at + system.lines.len()) {
        (
            store
                .charge_mw
                .min((store.energy_mwh - soc) / store.charge_efficiency),
            store.discharge_mw.min(soc * store.discharge_efficiency),
        )
    } else {
        (0.0, 0.0)
    };
    // Least shortfall with the store's discharge as one more supply; the least discharge that
    // reaches it is what the discharge adds (the served energy grows one for one with the
    // discharge allowed, up to where it stops growing).
    supply[s] += discharge_room;
    let served_with_store = max_flow(&supply, &sink, &cap);
    supply[s] -= discharge_room;
    let discharge = served_with_store - served;
    // Most energy stored without serving less: the store as one more sink. (A store that
    // discharges cannot also charge: a surplus that reached it would serve the deficit.)
    let charge = if discharge > 0.0 {
        0.0
    } else {
        sink[s] += charge_room;
        max_flow(&supply, &sink, &cap) - served
    };
    Hour {
        shortfall: demand - served_with_store,
        regions,
        soc: (soc + charge * store.charge_efficiency).min(store.energy_mwh)
            - discharge / store.discharge_efficiency,
    }
}

/// Exact expectations over the horizon.
#[derive(Debug)]
struct Exact {
    /// Expected short hours.
    lole_hours: f64,
    eue_mwh: f64,
    /// Probability of at least one short hour.
    lolp: f64,
    /// Expected runs of consecutive short hours.
    lolf_events: f64,
    /// (LOLE, EUE) per region, where `Hour::regions` gives them.
    regions: Option<[(f64, f64); 2]>,
}

/// What the future of a path depends on: outage state, the store's energy (its bits), whether
/// the hour just settled was short, and whether any hour was.
type Key = (u32, u64, bool, bool);

/// The exact expectations of `system`, by walking its joint chain forward (see the module
/// comment).
fn exact(system: &System) -> Exact {
    let outages = system.outages();
    let chains = outages.len();
    assert!(chains <= 20, "{chains} chains: too many to walk exactly");
    // The first hour: every chain at its stationary availability, independently.
    let mut paths: HashMap<Key, f64> = HashMap::new();
    for up in 0..1u32 << chains {
        let p: f64 = (0..chains)
            .map(|i| {
                let a = outages[i].availability();
                if up >> i & 1 == 1 { a } else { 1.0 - a }
            })
            .product();
        if p > 0.0 {
            paths.insert((up, 0f64.to_bits(), false, false), p);
        }
    }
    let mut out = Exact {
        lole_hours: 0.0,
        eue_mwh: 0.0,
        lolp: 0.0,
        lolf_events: 0.0,
        regions: None,
    };
    let mut regions = [(0.0, 0.0); 2];
    for h in 0..system.hours() {
        if h > 0 {
            // Each chain steps on its own: up fails with λ, down is repaired with μ.
            for (i, o) in outages.iter().enumerate() {
                let mut next: HashMap<Key, f64> = HashMap::with_capacity(paths.len() * 2);
                for (&(up, soc, last, any), &p) in &paths {
                    let (stay, flip) = if up >> i & 1 == 1 {
                        (1.0 - o.lambda, o.lambda)
                    } else {
                        (1.0 - o.mu, o.mu)
                    };
                    for (q, state) in [(stay, up), (flip, up ^ 1 << i)] {
                        if q > 0.0 {
                            *next.entry((state, soc, last, any)).or_default() += p * q;
                        }
                    }
                }
                paths = next;
            }
        }
        let mut next: HashMap<Key, f64> = HashMap::with_capacity(paths.len());
        for (&(up, soc, last, any), &p) in &paths {
            let hour = settle(system, h, up, f64::from_bits(soc));
            let short = hour.shortfall > 0.0;
            if short {
                out.lole_hours += p;
                out.eue_mwh += p * hour.shortfall;
                if !last {
                    out.lolf_events += p;
                }
            }
            if let Some(r) = hour.regions {
                for (tally, &s) in regions.iter_mut().zip(&r) {
                    if s > 0.0 {
                        tally.0 += p;
                        tally.1 += p * s;
                    }
                }
            }
            *next
                .entry((up, hour.soc.to_bits(), short, any || short))
                .or_default() += p;
        }
        paths = next;
    }
    out.lolp = paths.iter().filter(|(k, _)| k.3).map(|(_, p)| p).sum();
    if system.regions.len() == 2 && system.store.is_none() {
        out.regions = Some(regions);
    }
    out
}

/// Runs `system` from a .pras file on the CPU engine with `trajectories` trajectories and
/// holds each estimate against the exact value: within four of the estimator's own standard
/// errors. (The 1e-9 allows only for rounding where a system cannot fail and the standard
/// error is 0: then the estimate must equal the exact value.)
fn check(name: &str, system: &System, trajectories: u64) -> Exact {
    let exact = exact(system);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.pras"));
    write_pras(&path, &system.to_pras(), &[]);
    let summary = run_cpu(&Study::load(&path).unwrap(), trajectories);
    let agrees = |what: &str, estimate: &Estimate, exact: f64| {
        let error = estimate.mean - exact;
        eprintln!(
            "{name} {what}: exact {exact:.6}, egap {:.6} ± {:.6} ({:+.2} σ)",
            estimate.mean,
            estimate.standard_error,
            error / estimate.standard_error
        );
        assert!(
            error.abs() <= 4.0 * estimate.standard_error + 1e-9 * exact.max(1.0),
            "{name} {what}: egap {} ± {} (standard error), exact {exact}",
            estimate.mean,
            estimate.standard_error
        );
    };
    let m = &summary.metrics;
    agrees("LOLE (h)", &m.lole_hours, exact.lole_hours);
    agrees("EUE (MWh)", &m.eue_mwh, exact.eue_mwh);
    agrees("LOLP", &m.lolp, exact.lolp);
    agrees("LOLF (events)", &m.lolf_events, exact.lolf_events);
    if let Some(regions) = exact.regions {
        for (r, (lole, eue)) in regions.iter().enumerate() {
            let region = &summary.regions[r];
            assert_eq!(region.name, system.regions[r].0);
            agrees(
                &format!("{} LOLE (h)", region.name),
                &region.metrics.lole_hours,
                *lole,
            );
            agrees(
                &format!("{} EUE (MWh)", region.name),
                &region.metrics.eue_mwh,
                *eue,
            );
        }
    }
    exact
}

/// Holds the oracle to answers worked by hand, and egap to the same answers.
///
/// One region, one 100 MW unit (λ = 0.1, μ = 0.4: available 0.8) and 80, 100 and 80 MW of
/// load in three hours: short exactly when the unit is down (100 MW of load on 100 MW is
/// served). LOLE = 3 × 0.2 = 0.6 h, EUE = 0.2 × (80 + 100 + 80) = 52 MWh; no short hour
/// needs the unit up throughout, LOLP = 1 − 0.8 × 0.9² = 0.352; an event
/// starts in hour 1 when the unit is down (0.2) and in hours 2 and 3 when it fails after an
/// hour up (0.8 × 0.1 each): LOLF = 0.36.
///
/// docs/pras.md's two regions (A: 100 MW of load, 150 MW of units; B: 100 MW, 60 MW; a
/// 30 MW line; nothing fails): B is 10 MW short, A never: 1 h and 10 MWh.
///
/// One region with a firm 20 MW unit and a store of 10 MW each way and 10 MWh, both
/// efficiencies 1/2, empty at the start; load 0, 0, 35, 25 MW. Hours 1 and 2 charge 10 MW
/// (10 MWh of room needs 20 MW at efficiency 1/2), storing 5 MWh each; hour 3 is 15 MW short
/// of the unit and the store gives 10 MWh × 1/2 = 5 MW: 10 MW short, and the store is empty;
/// hour 4 is 5 MW short. LOLE 2 h, EUE 15 MWh, one event.
#[test]
fn the_exact_oracle_gives_answers_worked_by_hand() {
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let one_unit = System {
        regions: vec![("R", vec![80.0, 100.0, 80.0])],
        units: vec![Unit {
            name: "unit",
            region: 0,
            mw: 100.0,
            outage: Outage::new(0.1, 0.4),
        }],
        lines: vec![],
        store: None,
    };
    let e = check("one_unit", &one_unit, 1_000_000);
    assert!(close(e.lole_hours, 0.6), "{e:?}");
    assert!(close(e.eue_mwh, 52.0), "{e:?}");
    assert!(close(e.lolp, 0.352), "{e:?}");
    assert!(close(e.lolf_events, 0.36), "{e:?}");

    let firm = |name, region, mw| Unit {
        name,
        region,
        mw,
        outage: Outage::NEVER,
    };
    let agree = System {
        regions: vec![("A", vec![100.0]), ("B", vec![100.0])],
        units: vec![firm("gen A", 0, 150.0), firm("gen B", 1, 60.0)],
        lines: vec![Line {
            name: "line",
            from: 0,
            to: 1,
            forward: 30.0,
            backward: 30.0,
            outage: Outage::NEVER,
        }],
        store: None,
    };
    let e = check("agree", &agree, 1_000);
    assert_eq!((e.lole_hours, e.eue_mwh), (1.0, 10.0));
    assert_eq!(e.regions, Some([(0.0, 0.0), (1.0, 10.0)]));

    let store = System {
        regions: vec![("R", vec![0.0, 0.0, 35.0, 25.0])],
        units: vec![firm("gen", 0, 20.0)],
        lines: vec![],
        store: Some(Store {
            name: "store",
            region: 0,
            charge_mw: 10.0,
            discharge_mw: 10.0,
            energy_mwh: 10.0,
            charge_efficiency: 0.5,
            discharge_efficiency: 0.5,
            outage: Outage::NEVER,
        }),
    };
    let e = check("store_by_hand", &store, 1_000);
    assert_eq!(
        (e.lole_hours, e.eue_mwh, e.lolp, e.lolf_events),
        (2.0, 15.0, 1.0, 1.0)
    );
}

/// Two regions joined by two identical lines that fail (one egap interface of two circuits),
/// three failing units, four hours of varying load.
fn two_regions() -> System {
    let line = |name| Line {
        name,
        from: 0,
        to: 1,
        forward: 40.0,
        backward: 40.0,
        outage: Outage::new(0.1, 0.4),
    };
    System {
        regions: vec![
            ("A", vec![120.0, 150.0, 170.0, 140.0]),
            ("B", vec![60.0, 80.0, 70.0, 90.0]),
        ],
        units: vec![
            Unit {
                name: "A big",
                region: 0,
                mw: 130.0,
                outage: Outage::new(0.08, 0.25),
            },
            Unit {
                name: "A small",
                region: 0,
                mw: 70.0,
                outage: Outage::new(0.05, 0.2),
            },
            Unit {
                name: "B unit",
                region: 1,
                mw: 120.0,
                outage: Outage::new(0.1, 0.3),
            },
        ],
        lines: vec![line("L1"), line("L2")],
        store: None,
    }
}

#[test]
fn two_regions_with_failing_lines_match_their_exact_adequacy() {
    check("two_regions", &two_regions(), 1_000_000);
}

fn unit(name: &'static str, region: usize, mw: f64, lambda: f64, mu: f64) -> Unit {
    Unit {
        name,
        region,
        mw,
        outage: Outage::new(lambda, mu),
    }
}

/// A line that fails with λ and is repaired with μ.
fn line(name: &'static str, ends: (usize, usize), limits: (f64, f64), outage: (f64, f64)) -> Line {
    Line {
        name,
        from: ends.0,
        to: ends.1,
        forward: limits.0,
        backward: limits.1,
        outage: Outage::new(outage.0, outage.1),
    }
}

/// Three regions in a triangle of failing lines, each with different limits each way, four
/// failing units, five hours: a deficit can be served around either side of the triangle,
/// and a cut can fall anywhere.
fn triangle() -> System {
    System {
        regions: vec![
            ("N", vec![100.0, 130.0, 150.0, 120.0, 90.0]),
            ("E", vec![80.0, 60.0, 90.0, 110.0, 100.0]),
            ("S", vec![50.0, 70.0, 60.0, 40.0, 80.0]),
        ],
        units: vec![
            unit("N1", 0, 120.0, 0.1, 0.3),
            unit("E1", 1, 80.0, 0.05, 0.2),
            unit("E2", 1, 50.0, 0.1, 0.4),
            unit("S1", 2, 110.0, 0.08, 0.25),
        ],
        lines: vec![
            line("NE", (0, 1), (40.0, 25.0), (0.1, 0.3)),
            line("ES", (1, 2), (30.0, 45.0), (0.05, 0.25)),
            line("SN", (2, 0), (35.0, 20.0), (0.1, 0.5)),
        ],
        store: None,
    }
}

#[test]
fn three_regions_in_a_triangle_match_their_exact_adequacy() {
    check("triangle", &triangle(), 1_000_000);
}

/// Two regions joined by a failing line, with a failing store in B (charge 20 MW, discharge
/// 30 MW, 40 MWh, efficiencies 1/2 each way), empty at the start, over eight hours: four light
/// hours in which it fills (from B's units, or A's over the line when B's unit is down) and
/// four heavy ones in which it serves deficits on either side of the line and refills after
/// them, so what it holds depends on the whole path so far.
fn with_store() -> System {
    System {
        regions: vec![
            ("A", vec![40.0, 40.0, 50.0, 60.0, 90.0, 110.0, 100.0, 80.0]),
            ("B", vec![30.0, 30.0, 40.0, 40.0, 60.0, 70.0, 80.0, 50.0]),
        ],
        units: vec![
            unit("A1", 0, 80.0, 0.1, 0.3),
            unit("A2", 0, 50.0, 0.05, 0.25),
            unit("B1", 1, 60.0, 0.05, 0.2),
        ],
        lines: vec![line("AB", (0, 1), (40.0, 40.0), (0.1, 0.3))],
        store: Some(Store {
            name: "battery",
            region: 1,
            charge_mw: 20.0,
            discharge_mw: 30.0,
            energy_mwh: 40.0,
            charge_efficiency: 0.5,
            discharge_efficiency: 0.5,
            outage: Outage::new(0.05, 0.25),
        }),
    }
}

#[test]
fn two_regions_with_a_store_match_their_exact_adequacy() {
    check("with_store", &with_store(), 1_000_000);
}

/// The GPU engine gives these systems the CPU engine's records, trajectory by trajectory, so
/// the exact values above hold it too.
#[test]
fn the_exact_systems_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = super::common::gpu_engine() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for (name, system) in [
        ("two_regions", two_regions()),
        ("triangle", triangle()),
        ("with_store", with_store()),
    ] {
        let path = dir.path().join(format!("{name}.pras"));
        write_pras(&path, &system.to_pras(), &[]);
        let study = Study::load(&path).unwrap();
        let prepared = gpu.prepare(&study.system).unwrap();
        let g = gpu.run_chunk(&prepared, &study.laws, 3, 0, 4096).unwrap();
        let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 3, 0, 4096);
        assert_eq!(g, c, "{name}");
    }
}
