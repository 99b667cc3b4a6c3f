//! Exact adequacy of IEEE RTS-79 by capacity-outage convolution, for tests to hold the engine
//! against: every unit available with its stationary probability MTTF / (MTTF + MTTR),
//! independently (the state the engine starts each unit in), against the hourly load.

use std::path::Path;

/// One group of identical units of `data/rts79/units.csv`.
pub struct Group {
    pub name: String,
    pub count: usize,
    pub capacity_mw: usize,
    pub availability: f64,
}

/// The RTS-79 generating units, by group.
pub fn groups() -> Vec<Group> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/rts79/units.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} (see data/rts79/README.md): {e}",
            path.display()
        )
    });
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let (mttf, mttr): (f64, f64) = (f[4].parse().unwrap(), f[5].parse().unwrap());
            Group {
                name: f[0].to_string(),
                count: f[1].parse().unwrap(),
                capacity_mw: f[2].parse().unwrap(),
                availability: mttf / (mttf + mttr),
            }
        })
        .collect()
}

/// Probability of each available capacity (whole MW) of the groups `keep` accepts.
pub fn available_capacity(keep: impl Fn(&Group) -> bool) -> Vec<f64> {
    let mut p = vec![1.0];
    for g in groups().iter().filter(|g| keep(g)) {
        for _ in 0..g.count {
            let mut next = vec![0.0; p.len() + g.capacity_mw];
            for (c, &q) in p.iter().enumerate() {
                next[c] += q * (1.0 - g.availability);
                next[c + g.capacity_mw] += q * g.availability;
            }
            p = next;
        }
    }
    p
}

/// The bundled RTS-79 hourly load, MW.
pub fn hourly_load() -> Vec<f64> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("scenarios/rts79/load.csv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect()
}

/// Exact LOLE, h, when each hour's load is scaled by `scale` and raised by `added` MW and
/// `perfect` MW that never fails join the fleet: Σ_h P(available + perfect < scale · load_h +
/// added) (an hour is short when its load exceeds what is available).
pub fn lole(p: &[f64], load: &[f64], scale: f64, added: f64, perfect: f64) -> f64 {
    let mut below = vec![0.0; p.len() + 1]; // below[c] = P(available < c)
    for c in 0..p.len() {
        below[c + 1] = below[c] + p[c];
    }
    load.iter()
        .map(|&l| {
            let x = scale * l + added - perfect;
            if x <= 0.0 {
                return 0.0;
            }
            // Available capacities are whole MW: P(A < x) = P(A <= ceil(x) - 1).
            let c = (x.ceil() as usize).min(p.len());
            below[c]
        })
        .sum()
}

/// The least x in [lo, hi] where the monotone `holds` turns true, to 1e-6.
pub fn crossing(holds: impl Fn(f64) -> bool, lo: f64, hi: f64) -> f64 {
    let (mut lo, mut hi) = (lo, hi);
    while hi - lo > 1e-6 {
        let mid = 0.5 * (lo + hi);
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Exact expected unserved energy, MWh: Σ_h E[max(0, load_h − available)].
pub fn eue(p: &[f64], load: &[f64]) -> f64 {
    load.iter()
        .map(|&l| {
            (0..p.len().min(l.ceil() as usize))
                .map(|c| p[c] * (l - c as f64))
                .sum::<f64>()
        })
        .sum()
}
