//! The hourly network dispatch against a linear program: on hundreds of random networks the
//! integer min-cost flow's total shortfall and total curtailment equal the LP optimum, taken
//! lexicographically (first least shortfall, then least curtailment).

use egap::engine::cpu::network::{Dispatch, LinkHour, Network, RegionHour, dispatch_hour};
use minilp::{ComparisonOp, OptimizationDirection, Problem};

mod common;

/// (least total shortfall, least total curtailment given that shortfall) by two LPs.
fn oracle(regions: &[RegionHour], links: &[LinkHour]) -> (f64, f64) {
    let solve = |min_served: Option<f64>| -> (f64, f64) {
        let mut p = Problem::new(OptimizationDirection::Maximize);
        let (w_served, w_ren) = if min_served.is_some() {
            (0.0, 1.0)
        } else {
            (1.0, 0.0)
        };
        let mut served_vars = Vec::new();
        let mut ren_vars = Vec::new();
        let mut balance: Vec<Vec<(minilp::Variable, f64)>> = vec![Vec::new(); regions.len()];
        for (r, g) in regions.iter().enumerate() {
            let need = g.demand.saturating_sub(g.renewable) as f64;
            let ren_surplus = g.renewable.saturating_sub(g.demand) as f64;
            let ren = p.add_var(w_ren, (0.0, ren_surplus));
            let disp = p.add_var(0.0, (0.0, (g.available as f64 - need).max(0.0)));
            let served = p.add_var(w_served, (0.0, (need - g.available as f64).max(0.0)));
            let displaced = p.add_var(0.0, (0.0, need.min(g.available as f64)));
            balance[r].extend([(ren, 1.0), (disp, 1.0), (served, -1.0), (displaced, -1.0)]);
            served_vars.push(served);
            ren_vars.push(ren);
        }
        for l in links {
            let f = p.add_var(0.0, (0.0, l.forward as f64));
            let b = p.add_var(0.0, (0.0, l.backward as f64));
            balance[l.from as usize].extend([(f, -1.0), (b, 1.0)]);
            balance[l.to as usize].extend([(f, 1.0), (b, -1.0)]);
        }
        for row in &balance {
            p.add_constraint(row.as_slice(), ComparisonOp::Eq, 0.0);
        }
        if let Some(s) = min_served {
            let row: Vec<_> = served_vars.iter().map(|&v| (v, 1.0)).collect();
            p.add_constraint(row.as_slice(), ComparisonOp::Ge, s - 1e-7);
        }
        let sol = p
            .solve()
            .expect("the LP is feasible (all flows zero) and bounded");
        let served: f64 = served_vars.iter().map(|&v| sol[v]).sum();
        let ren: f64 = ren_vars.iter().map(|&v| sol[v]).sum();
        (served, ren)
    };
    let (served, _) = solve(None);
    let (_, ren) = solve(Some(served));
    let deficit: f64 = regions
        .iter()
        .map(|g| (g.demand.saturating_sub(g.renewable) as f64 - g.available as f64).max(0.0))
        .sum();
    let surplus: f64 = regions
        .iter()
        .map(|g| g.renewable.saturating_sub(g.demand) as f64)
        .sum();
    (deficit - served, surplus - ren)
}

#[test]
fn dispatch_matches_the_lp_optimum_on_random_networks() {
    let mut net = Network::default();
    let mut out = Dispatch::default();
    let (mut with_shortfall, mut with_curtailment) = (0, 0);
    for (case, (regions, links)) in common::random_networks(600, 6, 0x2545_F491_4F6C_DD1D)
        .into_iter()
        .enumerate()
    {
        let n = regions.len();
        dispatch_hour(&regions, &links, &[], &mut net, &mut out);
        let shortfall: u64 = out.shortfall.iter().map(|&s| u64::from(s)).sum();
        let curtailment: u64 = out.curtailment.iter().map(|&c| u64::from(c)).sum();
        let (lp_shortfall, lp_curtailment) = oracle(&regions, &links);
        assert!(
            (shortfall as f64 - lp_shortfall).abs() < 1e-6,
            "case {case}: shortfall {shortfall} vs LP {lp_shortfall}\n{regions:?}\n{links:?}"
        );
        assert!(
            (curtailment as f64 - lp_curtailment).abs() < 1e-6,
            "case {case}: curtailment {curtailment} vs LP {lp_curtailment}\n{regions:?}\n{links:?}"
        );
        // The flows respect every limit and balance every region.
        let mut net_import = vec![0i64; n];
        for (l, &f) in links.iter().zip(&out.flow) {
            assert!(f <= i64::from(l.forward) && -f <= i64::from(l.backward));
            net_import[l.to as usize] += f;
            net_import[l.from as usize] -= f;
        }
        for (r, g) in regions.iter().enumerate() {
            let supply = i64::from(g.renewable) - i64::from(out.curtailment[r])
                + i64::from(g.available)
                + net_import[r];
            assert!(
                supply + i64::from(out.shortfall[r]) >= i64::from(g.demand),
                "case {case}: region {r} unbalanced"
            );
        }
        with_shortfall += usize::from(shortfall > 0);
        with_curtailment += usize::from(curtailment > 0);
    }
    assert!(
        with_shortfall > 100 && with_curtailment > 100,
        "{with_shortfall} {with_curtailment}"
    );
}
