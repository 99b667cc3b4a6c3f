use std::path::Path;
fn main() {
    let sc = egap::scenario::load(Path::new("scenarios/rts79/rts79.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (sys, laws) = egap::scenario::compile(&sc).unwrap();
    println!(
        "unit_w {} units {} levels {}",
        sys.power_unit_w,
        sys.units.len(),
        sys.header.range_levels
    );
    let n: usize = std::env::args()
        .nth(1)
        .map_or(20000, |s| s.parse().unwrap());
    let t = std::time::Instant::now();
    let (recs, _risk) = egap::engine::cpu::run_chunk(&sys, &laws, 1, 0, n);
    let el = t.elapsed().as_secs_f64();
    let lolh: f64 = recs
        .iter()
        .map(|r| r.loss_of_load_hours as f64)
        .sum::<f64>()
        / n as f64;
    let eue: f64 = recs.iter().map(|r| sys.mw(r.unserved_energy)).sum::<f64>() / n as f64;
    let sd = (recs
        .iter()
        .map(|r| (r.loss_of_load_hours as f64 - lolh).powi(2))
        .sum::<f64>()
        / n as f64)
        .sqrt();
    let sde = (recs
        .iter()
        .map(|r| (sys.mw(r.unserved_energy) - eue).powi(2))
        .sum::<f64>()
        / n as f64)
        .sqrt();
    println!(
        "LOLE {lolh:.4} ± {:.4}  EUE {eue:.1} ± {:.1}  rate {:.0}/s  dem {}",
        sd / (n as f64).sqrt(),
        sde / (n as f64).sqrt(),
        n as f64 / el,
        sys.mw(recs[0].demand_energy)
    );
}
