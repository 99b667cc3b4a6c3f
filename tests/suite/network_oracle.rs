//! The hourly network dispatch against a linear program.
//!
//! On 2000 random hours on random networks of 2 to 6 regions (`common::random_networks`),
//! each drawing 0 to 3 random stores (one in three a shift store), the hour is dispatched bare and, when it drew stores,
//! again with them: about 3500 problems, about 1500 of them with storage. Each time the
//! integer min-cost flow of `dispatch_hour` must attain the lexicographic optimum of an
//! independent LP, solved with `minilp`, its own dispatch must be physically feasible, and
//! with storage its total discharge must equal the shortfall it removes from the bare hour
//! (discharge serves nothing but deficits).
//!
//! The LP models the hour's physics directly, without the engine's local netting or its
//! weights. Per region: renewable output that may be curtailed (`0 ≤ curtailed ≤
//! renewable`), dispatchable output (`0 ≤ dispatched ≤ available`) and demand that may go
//! unserved (`0 ≤ unserved ≤ demand`). Per store: charging drawn from the grid in its region
//! (`0 ≤ charge ≤ limit`) and discharging supplied to it (`0 ≤ discharge ≤ limit`). Per
//! link: a forward and a backward flow within their limits. Every region balances:
//! `renewable − curtailed + dispatched + Σ discharge − Σ charge + imports − exports
//! = demand − unserved`.
//!
//! It is solved level by level, each level's optimum then fixed as a constraint
//! (`total ≤ optimum + FIX`) for the levels after it:
//! 1. least total shortfall (unserved demand);
//! 2. least total curtailment;
//! 3. least total discharge: storage discharges only to avoid shortfall;
//! 4. most reliability-store charge less shift-store charge;
//! 5. least MW·hops: the sum over links of both directions' flow.
//!
//! Level 3 is what the module's "discharges only to avoid shortfall" means as an objective,
//! and it is needed: without it, maximising charge would discharge one store into another
//! (or into itself) at no cost to shortfall or curtailment, and the LP would charge more
//! than any sensible dispatch. The engine's weights give exactly this order: by the region
//! balance its cost equals, up to a constant,
//!
//! `−3072·served − 1024·renewable used + 1024·discharge`
//! `− 512·reliability charge + 512·shift charge + MW·hops`,
//!
//! and a residual cycle changes each of these totals by at most one unit per unit of flow,
//! so a cycle that improves an earlier total lowers the cost whatever it does to the later
//! ones. Level 4 is one level because its two totals weigh the same: a shift store takes
//! renewable energy that would otherwise be curtailed (level 2 counts it as used), never
//! units' output, and never energy that could displace units elsewhere.
//!
//! The split of a total between regions, and a route between two of equal length, is not
//! unique, so the engine's dispatch is compared by its totals at every level, including its
//! MW·hops (which fixes how much it moves), and checked region by region for feasibility.
//!
//! Tolerance: every level's optimum is an integer (the lexicographic optimum is the optimum
//! of one network LP with integer data and large enough weights), and the engine's totals
//! are integers. A level is fixed with a slack of `FIX = 1e-7` MW, which can improve each
//! later level by about as much, so the engine's totals must equal the LP's within
//! `1e-6 · max(1, value)`.

use egap::engine::cpu::network::{
    Dispatch, LinkHour, Network, RegionHour, StoreHour, dispatch_hour,
};
use minilp::{ComparisonOp, OptimizationDirection, Problem, Variable};

use crate::common;

/// Slack, in MW, with which an earlier level's optimum is fixed for the later levels: far
/// above the solver's rounding on totals of a few thousand MW, far below the tolerance of
/// the comparison.
const FIX: f64 = 1e-7;

/// The totals of one hour, as the LP finds them or as the engine dispatched them: one per
/// level of the module documentation.
#[derive(Clone, Copy, Debug)]
struct Totals {
    shortfall: f64,
    curtailment: f64,
    discharge: f64,
    /// Reliability-store charge less shift-store charge.
    net_charge: f64,
    hops: f64,
}

/// Levels of the lexicographic optimum.
const LEVELS: usize = 5;

/// The LP's lexicographic optimum (see the module documentation).
fn oracle(regions: &[RegionHour], links: &[LinkHour], stores: &[StoreHour]) -> Totals {
    // Each level minimises its total; the net charge is maximised, so it enters negated.
    let mut optima: Vec<f64> = Vec::new();
    for level in 0..LEVELS {
        let mut p = Problem::new(OptimizationDirection::Minimize);
        let mut totals: [Vec<(Variable, f64)>; LEVELS] = Default::default();
        // A variable in [0, max] weighing `weight` in total `k`.
        let mut add = |p: &mut Problem, k: Option<usize>, weight: f64, max: u32| {
            let objective = match k {
                Some(k) if k == level => weight,
                _ => 0.0,
            };
            let v = p.add_var(objective, (0.0, f64::from(max)));
            if let Some(k) = k {
                totals[k].push((v, weight));
            }
            v
        };
        // balance[r]: the terms of region r's balance, equal to demand − renewable.
        let mut balance: Vec<Vec<(Variable, f64)>> = vec![Vec::new(); regions.len()];
        for (r, g) in regions.iter().enumerate() {
            let unserved = add(&mut p, Some(0), 1.0, g.demand);
            let curtailed = add(&mut p, Some(1), 1.0, g.renewable);
            let dispatched = add(&mut p, None, 0.0, g.available);
            balance[r].extend([(unserved, 1.0), (curtailed, -1.0), (dispatched, 1.0)]);
        }
        for s in stores {
            let discharge = add(&mut p, Some(2), 1.0, s.discharge);
            let weight = if s.shift { 1.0 } else { -1.0 };
            let charge = add(&mut p, Some(3), weight, s.charge);
            balance[s.region as usize].extend([(discharge, 1.0), (charge, -1.0)]);
        }
        for l in links {
            let forward = add(&mut p, Some(4), 1.0, l.forward);
            let backward = add(&mut p, Some(4), 1.0, l.backward);
            balance[l.from as usize].extend([(forward, -1.0), (backward, 1.0)]);
            balance[l.to as usize].extend([(forward, 1.0), (backward, -1.0)]);
        }
        for (row, g) in balance.iter().zip(regions) {
            let rhs = f64::from(g.demand) - f64::from(g.renewable);
            p.add_constraint(row.as_slice(), ComparisonOp::Eq, rhs);
        }
        for (k, &optimum) in optima.iter().enumerate() {
            p.add_constraint(totals[k].as_slice(), ComparisonOp::Le, optimum + FIX);
        }
        let solution = p.solve().unwrap_or_else(|e| {
            panic!("level {level}: {e} (the LP is feasible and bounded)\n{regions:?}\n{links:?}\n{stores:?}")
        });
        optima.push(totals[level].iter().map(|&(v, c)| c * solution[v]).sum());
    }
    Totals {
        shortfall: optima[0],
        curtailment: optima[1],
        discharge: optima[2],
        net_charge: -optima[3],
        hops: optima[4],
    }
}

/// Checks that `out` is a feasible dispatch of the hour, and returns its totals.
fn feasible(
    case: &str,
    regions: &[RegionHour],
    links: &[LinkHour],
    stores: &[StoreHour],
    out: &Dispatch,
) -> Totals {
    let n = regions.len();
    assert_eq!(out.shortfall.len(), n, "{case}");
    assert_eq!(out.curtailment.len(), n, "{case}");
    assert_eq!(out.flow.len(), links.len(), "{case}");
    assert_eq!(out.charge.len(), stores.len(), "{case}");
    assert_eq!(out.discharge.len(), stores.len(), "{case}");
    // What each region receives from links and stores, net.
    let mut net_in = vec![0i64; n];
    for (i, (l, &f)) in links.iter().zip(&out.flow).enumerate() {
        assert!(
            f <= i64::from(l.forward) && -f <= i64::from(l.backward),
            "{case}: link {i} carries {f} beyond {l:?}"
        );
        net_in[l.to as usize] += f;
        net_in[l.from as usize] -= f;
    }
    for (i, s) in stores.iter().enumerate() {
        let (charge, discharge) = (out.charge[i], out.discharge[i]);
        assert!(
            charge <= s.charge && discharge <= s.discharge,
            "{case}: store {i} charges {charge} and discharges {discharge} beyond {s:?}"
        );
        net_in[s.region as usize] += i64::from(discharge) - i64::from(charge);
    }
    // The balance fixes each region's dispatchable output, which must lie within its
    // available capacity.
    for (r, g) in regions.iter().enumerate() {
        let (shortfall, curtailment) = (out.shortfall[r], out.curtailment[r]);
        assert!(
            shortfall <= g.demand && curtailment <= g.renewable,
            "{case}: region {r} short {shortfall}, curtailed {curtailment}, of {g:?}"
        );
        let served = i64::from(g.demand - shortfall);
        let dispatched = served - i64::from(g.renewable - curtailment) - net_in[r];
        assert!(
            (0..=i64::from(g.available)).contains(&dispatched),
            "{case}: region {r} must dispatch {dispatched} MW, of {g:?}"
        );
    }
    let sum = |v: &[u32]| v.iter().map(|&x| f64::from(x)).sum::<f64>();
    let net_charge = (stores.iter().zip(&out.charge))
        .map(|(s, &c)| if s.shift { -f64::from(c) } else { f64::from(c) })
        .sum();
    Totals {
        shortfall: sum(&out.shortfall),
        curtailment: sum(&out.curtailment),
        discharge: sum(&out.discharge),
        net_charge,
        hops: out.flow.iter().map(|&f| f.unsigned_abs() as f64).sum(),
    }
}

/// 0 to 3 stores in random regions, one in three a shift store; each limit is zero one time
/// in five.
fn random_stores(rng: &mut common::Random, regions: usize) -> Vec<StoreHour> {
    let limit = |rng: &mut common::Random| {
        if rng.below(5) == 0 {
            0
        } else {
            1 + rng.below(300) as u32
        }
    };
    (0..rng.below(4))
        .map(|_| StoreHour {
            region: rng.below(regions as u64) as u32,
            charge: limit(rng),
            discharge: limit(rng),
            shift: rng.below(3) == 0,
        })
        .collect()
}

#[test]
fn dispatch_matches_the_lp_optimum_on_random_networks() {
    let mut net = Network::default();
    let mut out = Dispatch::default();
    let mut rng = common::Random(0x9C3F_1D2B_58E4_A76B);
    let (mut problems, mut with_storage) = (0, 0);
    let (mut with_shortfall, mut with_curtailment) = (0, 0);
    let (mut with_charge, mut with_discharge) = (0, 0);
    let (mut with_shift_charge, mut with_moves) = (0, 0);
    for (case, (regions, links)) in common::random_networks(2000, 6, 0x2545_F491_4F6C_DD1D)
        .into_iter()
        .enumerate()
    {
        let stores = random_stores(&mut rng, regions.len());
        let mut bare_shortfall = 0.0;
        // The bare network, then the network with its stores when it drew any.
        let mut variants = vec![&[][..]];
        if !stores.is_empty() {
            variants.push(&stores);
            with_storage += 1;
        }
        for stores in variants {
            problems += 1;
            let label = format!("case {case} with {} stores", stores.len());
            let context = format!("{regions:?}\n{links:?}\n{stores:?}");
            dispatch_hour(&regions, &links, stores, &mut net, &mut out);
            let egap = feasible(&label, &regions, &links, stores, &out);
            let lp = oracle(&regions, &links, stores);
            let close = |x: f64, y: f64| (x - y).abs() < 1e-6 * y.abs().max(1.0);
            for (what, x, y) in [
                ("shortfall", egap.shortfall, lp.shortfall),
                ("curtailment", egap.curtailment, lp.curtailment),
                ("discharge", egap.discharge, lp.discharge),
                ("net charge", egap.net_charge, lp.net_charge),
                ("MW·hops", egap.hops, lp.hops),
            ] {
                assert!(close(x, y), "{label}: {what} {x} vs LP {y}\n{context}");
            }
            if stores.is_empty() {
                bare_shortfall = egap.shortfall;
                with_shortfall += usize::from(egap.shortfall > 0.0);
                with_curtailment += usize::from(egap.curtailment > 0.0);
            } else {
                with_charge += usize::from(out.charge.iter().any(|&c| c > 0));
                with_shift_charge +=
                    usize::from((stores.iter().zip(&out.charge)).any(|(s, &c)| s.shift && c > 0));
                with_moves += usize::from(egap.hops > 0.0);
                with_discharge += usize::from(egap.discharge > 0.0);
                // Discharge only avoids shortfall, one MW for one MW.
                assert_eq!(
                    egap.discharge,
                    bare_shortfall - egap.shortfall,
                    "{label}: discharge against the bare network's shortfall\n{context}"
                );
            }
        }
    }
    eprintln!(
        "{problems} problems, {with_storage} with storage; without: {with_shortfall} short, \
         {with_curtailment} curtailed; with storage: {with_charge} charge \
         ({with_shift_charge} a shift store), {with_discharge} discharge, {with_moves} move power"
    );
    // Every kind of outcome is exercised often.
    assert!(
        problems >= 3000 && with_storage >= 1000,
        "{problems} {with_storage}"
    );
    assert!(
        with_shortfall > 300 && with_curtailment > 1000,
        "{with_shortfall} {with_curtailment}"
    );
    assert!(
        with_charge > 1000 && with_discharge > 100,
        "{with_charge} {with_discharge}"
    );
    assert!(
        with_shift_charge > 200 && with_moves > 1000,
        "{with_shift_charge} {with_moves}"
    );
}
