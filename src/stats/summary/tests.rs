//! Tests of the accumulator and its summary: exact merging, unit conversion, errors, and
//! the absence of NaN for degenerate inputs.

use super::super::{Accumulator, Units};
use crate::engine::{HourlyRisk, TrajectoryRecord};

const KW: Units = Units {
    power_unit_w: 1000,
    hours: 48,
};

/// Deterministic, varied records (an LCG; no dependency on the engine's RNG).
fn records(n: usize) -> Vec<TrajectoryRecord> {
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    (0..n)
        .map(|_| {
            let short = next() % 4 == 0;
            let hours = if short { 1 + next() % 7 } else { 0 };
            let renewable = 50_000 + next() % 200_000;
            TrajectoryRecord {
                unserved_energy: if short { next() % 5_000_000 } else { 0 },
                curtailed_energy: next() % renewable,
                renewable_energy: renewable,
                demand_energy: 1_000_000 + next() % 100_000,
                peak_shortfall: if short { (next() % 3000) as u32 } else { 0 },
                loss_of_load_hours: hours as u32,
                loss_of_load_days: hours.div_ceil(4) as u32,
                loss_of_load_events: hours.div_ceil(3) as u32,
            }
        })
        .collect()
}

fn hourly(chunk: &[TrajectoryRecord]) -> HourlyRisk {
    let mut h = HourlyRisk::new(KW.hours as usize);
    for (i, r) in chunk.iter().enumerate() {
        let hour = (r.demand_energy as usize + i) % h.hours();
        if r.loss_of_load_hours > 0 {
            h.short_trajectories[hour] += 1;
            h.shortfall_sum[hour] += u64::from(r.peak_shortfall);
        }
    }
    h
}

fn accumulate(chunks: &[&[TrajectoryRecord]]) -> Accumulator {
    let mut acc = Accumulator::new(KW.hours as usize);
    for chunk in chunks {
        for r in *chunk {
            acc.add(r);
        }
        acc.add_hourly(&hourly(chunk));
    }
    acc
}

/// Every number in the JSON, with its path.
fn numbers(v: &serde_json::Value, path: &str, out: &mut Vec<(String, f64)>) {
    match v {
        serde_json::Value::Number(x) => {
            out.push((path.to_string(), x.as_f64().unwrap_or(f64::NAN)))
        }
        serde_json::Value::Array(a) => {
            for (i, e) in a.iter().enumerate() {
                numbers(e, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(o) => {
            for (k, e) in o {
                numbers(e, &format!("{path}.{k}"), out);
            }
        }
        // serde_json writes NaN and infinities as null.
        other => out.push((format!("{path} = {other}"), f64::NAN)),
    }
}

#[test]
fn shards_merged_in_any_order_equal_one_run_byte_for_byte() {
    let all = records(3000);
    let (a, rest) = all.split_at(1000);
    let (b, c) = rest.split_at(1200);
    let single = accumulate(&[a, b, c]);

    let mut forward = accumulate(&[a]);
    forward.merge(&accumulate(&[b]));
    forward.merge(&accumulate(&[c]));
    let mut backward = accumulate(&[c]);
    backward.merge(&accumulate(&[b]));
    backward.merge(&accumulate(&[a]));

    assert_eq!(forward, single);
    assert_eq!(backward, single);
    let json = serde_json::to_string(&single.summary(&KW)).expect("serializes");
    assert_eq!(
        serde_json::to_string(&forward.summary(&KW)).expect("serializes"),
        json
    );
    assert_eq!(
        serde_json::to_string(&backward.summary(&KW)).expect("serializes"),
        json
    );
}

#[test]
fn accumulator_survives_a_shard_file() {
    let acc = accumulate(&[&records(500)]);
    let json = serde_json::to_string(&acc).expect("serializes");
    let back: Accumulator = serde_json::from_str(&json).expect("deserializes");
    assert_eq!(back, acc);
}

#[test]
fn summary_is_finite_and_consistent() {
    let all = records(2000);
    let s = accumulate(&[&all]).summary(&KW);
    let mut found = Vec::new();
    numbers(
        &serde_json::to_value(&s).expect("serializes"),
        "",
        &mut found,
    );
    for (path, x) in &found {
        assert!(x.is_finite(), "{path} is not finite");
    }
    let n = all.len() as f64;
    let eue = all.iter().map(|r| r.unserved_energy as f64).sum::<f64>() / n / 1000.0;
    assert!((s.metrics.eue_mwh.mean - eue).abs() < 1e-9 * eue);
    assert_eq!(
        s.distributions.unserved_energy_mwh.mean,
        s.metrics.eue_mwh.mean
    );
    let m = &s.metrics;
    for e in [
        m.lole_hours,
        m.eue_mwh,
        m.neue_ppm,
        m.lolp,
        m.curtailment_rate,
    ] {
        assert!(e.ci95_low <= e.mean && e.mean <= e.ci95_high && e.standard_error > 0.0);
    }
    let d = &s.distributions.unserved_energy_mwh;
    assert!(d.p50 <= d.p90 && d.p90 <= d.p95 && d.p95 <= d.p99 && d.p99 <= d.max);
    assert!(d.cvar95 >= d.p95 && d.cvar95 <= d.max);
    assert_eq!(d.histogram.iter().map(|b| b.count).sum::<u64>(), 2000);
    assert_eq!(d.exceedance.first().map(|p| p.probability), Some(1.0));
    assert_eq!(s.hourly.len(), 48);
    let short_hours: f64 = s.hourly.iter().map(|h| h.lolp).sum();
    assert!((short_hours - m.lolp.mean).abs() < 1e-12);
}

#[test]
fn empty_accumulator_reads_as_finite_zeros() {
    let s = Accumulator::new(24).summary(&KW);
    let mut found = Vec::new();
    numbers(
        &serde_json::to_value(&s).expect("serializes"),
        "",
        &mut found,
    );
    for (path, x) in &found {
        let allowed = path == ".hours" || path.ends_with(".hour");
        assert!(x.is_finite() && (allowed || *x == 0.0), "{path} = {x}");
    }
    assert_eq!(s.hourly.len(), 24);
    assert!(s.distributions.curtailment_mwh.histogram.is_empty());
}

#[test]
fn one_trajectory_has_zero_error() {
    let mut acc = Accumulator::new(1);
    acc.add(&TrajectoryRecord {
        unserved_energy: 7000,
        demand_energy: 70_000,
        loss_of_load_hours: 3,
        ..TrajectoryRecord::default()
    });
    let s = acc.summary(&KW);
    let m = &s.metrics;
    assert_eq!(m.eue_mwh.mean, 7.0);
    assert_eq!(m.neue_ppm.mean, 100_000.0);
    assert_eq!(m.lolp.mean, 1.0);
    for e in [
        m.lole_hours,
        m.eue_mwh,
        m.neue_ppm,
        m.lolp,
        m.curtailment_rate,
    ] {
        assert_eq!(e.standard_error, 0.0);
        assert_eq!(e.ci95_low, e.mean);
    }
    // No renewables: the curtailment rate is 0, not 0/0.
    assert_eq!(m.curtailment_rate.mean, 0.0);
    assert_eq!(s.distributions.loss_of_load_hours.p50, 3.0);
    assert_eq!(s.distributions.unserved_energy_mwh.cvar95, 7.0);
}

#[test]
fn lolp_error_is_binomial_and_interval_clipped() {
    let mut acc = Accumulator::new(0);
    for i in 0..10u32 {
        acc.add(&TrajectoryRecord {
            loss_of_load_hours: u32::from(i < 1),
            ..TrajectoryRecord::default()
        });
    }
    let lolp = acc.summary(&KW).metrics.lolp;
    let se = (0.1f64 * 0.9 / 10.0).sqrt();
    assert_eq!(lolp.mean, 0.1);
    assert!((lolp.standard_error - se).abs() < 1e-15);
    let z = 1.959_963_984_540_054;
    assert!((lolp.ci95_high - (0.1 + z * se)).abs() < 1e-12);
    // 0.1 − 1.96 × 0.095 < 0: a probability's interval stops at 0.
    assert_eq!(lolp.ci95_low, 0.0);
}

#[test]
fn ratio_metrics_match_a_direct_delta_method() {
    let all = records(200);
    let s = accumulate(&[&all]).summary(&KW);
    let n = all.len() as f64;
    let direct = |y: &dyn Fn(&TrajectoryRecord) -> f64, x: &dyn Fn(&TrajectoryRecord) -> f64| {
        let (sy, sx) = (
            all.iter().map(y).sum::<f64>(),
            all.iter().map(x).sum::<f64>(),
        );
        let r = sy / sx;
        let ss: f64 = all.iter().map(|t| (y(t) - r * x(t)).powi(2)).sum();
        (r, (ss / (n * (n - 1.0))).sqrt() / (sx / n))
    };
    let (r, se) = direct(&|t| t.unserved_energy as f64, &|t| t.demand_energy as f64);
    assert!((s.metrics.neue_ppm.mean - r * 1e6).abs() < 1e-9 * r * 1e6);
    assert!((s.metrics.neue_ppm.standard_error - se * 1e6).abs() < 1e-9 * se * 1e6);
    let (r, se) = direct(&|t| t.curtailed_energy as f64, &|t| {
        t.renewable_energy as f64
    });
    assert!((s.metrics.curtailment_rate.mean - r).abs() < 1e-12);
    assert!((s.metrics.curtailment_rate.standard_error - se).abs() < 1e-9 * se);
}

/// Records with the curtailment rates `curtailed / renewable` given, and nothing else.
fn rate_records(rates: &[(u64, u64)]) -> Vec<TrajectoryRecord> {
    rates
        .iter()
        .map(|&(curtailed, renewable)| TrajectoryRecord {
            curtailed_energy: curtailed,
            renewable_energy: renewable,
            demand_energy: 1000,
            ..TrajectoryRecord::default()
        })
        .collect()
}

#[test]
fn curtailment_rate_quantiles_are_those_of_the_records() {
    // Rates 0%, 1%, …, 99% (in scrambled order, varied renewable energy), and 5 trajectories
    // without renewable energy that must be left out, not read as 0%.
    let mut rates: Vec<(u64, u64)> = (0..100u64)
        .map(|i| {
            let i = (i * 37) % 100;
            let renewable = 400 * (1 + i % 7);
            (renewable * i / 100, renewable)
        })
        .collect();
    rates.extend([(0, 0); 5]);
    let s = accumulate(&[&rate_records(&rates)]).summary(&KW);
    let d = &s.distributions.curtailment_rate;
    assert_eq!(s.distributions.trajectories_without_renewable, 5);
    assert_eq!(
        (d.p5, d.p25, d.p50, d.p75, d.p95, d.max),
        (0.04, 0.24, 0.49, 0.74, 0.94, 0.99)
    );
    assert_eq!((d.p90, d.p99), (0.89, 0.98));
    assert!((d.mean - 0.495).abs() < 1e-15, "{}", d.mean);
    assert!((d.cvar95 - 0.97).abs() < 1e-15, "{}", d.cvar95);
    // Exactly 0 alone, then at most REPORT_BINS log-linear bins chosen from the data (100
    // rates 1% apart over seven octaves: eighth octaves), the last cut at 1.
    assert_eq!((d.histogram[0].lower, d.histogram[0].count), (0.0, 1));
    assert!(d.histogram.len() <= crate::stats::REPORT_BINS);
    let last = d.histogram.last().unwrap();
    let lower = (13u64 << 56) as f64 / 1e18;
    assert_eq!((last.lower, last.upper, last.count), (lower, 1.0, 6));
    assert_eq!(d.histogram.iter().map(|b| b.count).sum::<u64>(), 100);
    assert_eq!(d.exceedance[0].probability, 1.0);
    let top = d.exceedance.last().unwrap();
    assert_eq!((top.value, top.probability), (lower, 0.06));
    // The ratio of totals is another number than the mean of the rates.
    assert!((s.metrics.curtailment_rate.mean - d.mean).abs() > 1e-3);
}

#[test]
fn trajectories_without_renewables_give_no_nan() {
    for records in [
        rate_records(&[(0, 0); 10]),
        rate_records(&[(0, 0), (0, 0), (3, 4)]),
    ] {
        let acc = accumulate(&[&records]);
        let s = acc.summary(&KW);
        let mut found = Vec::new();
        numbers(
            &serde_json::to_value(&s).expect("serializes"),
            "",
            &mut found,
        );
        for (path, x) in &found {
            assert!(x.is_finite(), "{path} is not finite");
        }
        let d = &s.distributions.curtailment_rate;
        let with_rate = records.iter().filter(|r| r.renewable_energy > 0).count() as u64;
        assert_eq!(
            s.distributions.trajectories_without_renewable,
            records.len() as u64 - with_rate
        );
        assert_eq!(d.histogram.iter().map(|b| b.count).sum::<u64>(), with_rate);
        if with_rate == 0 {
            assert_eq!(
                (d.mean, d.p5, d.p50, d.p95, d.max),
                (0.0, 0.0, 0.0, 0.0, 0.0)
            );
        } else {
            assert_eq!((d.mean, d.p50, d.max), (0.75, 0.75, 0.75));
        }
        // And the accumulator, with its zero-renewable count, survives a file.
        let back: Accumulator =
            serde_json::from_str(&serde_json::to_string(&acc).unwrap()).unwrap();
        assert_eq!(back, acc);
    }
}

#[test]
fn shards_give_the_identical_curtailment_rate_histogram() {
    let mut all = records(3000);
    // Some trajectories without renewables, some fully curtailed.
    for (i, r) in all.iter_mut().enumerate() {
        match i % 11 {
            0 => (r.curtailed_energy, r.renewable_energy) = (0, 0),
            1 => r.curtailed_energy = r.renewable_energy,
            2 => r.curtailed_energy = 0,
            _ => {}
        }
    }
    let single = accumulate(&[&all]);
    // Shards written to files and read back, merged in an odd order.
    let through_file = |a: Accumulator| -> Accumulator {
        serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap()
    };
    let mut merged = through_file(accumulate(&[&all[2500..]]));
    merged.merge(&through_file(accumulate(&[&all[..1]])));
    merged.merge(&through_file(accumulate(&[&all[700..2500]])));
    merged.merge(&through_file(accumulate(&[&all[1..700]])));
    assert_eq!(
        merged.curtailment_rate_histogram(),
        single.curtailment_rate_histogram()
    );
    assert_eq!(
        serde_json::to_string(merged.curtailment_rate_histogram()).unwrap(),
        serde_json::to_string(single.curtailment_rate_histogram()).unwrap()
    );
    assert_eq!(single.curtailment_rate_histogram().undefined(), 273);
    assert_eq!(
        serde_json::to_string(&merged.summary(&KW).distributions.curtailment_rate).unwrap(),
        serde_json::to_string(&single.summary(&KW).distributions.curtailment_rate).unwrap()
    );
}

#[test]
fn region_accumulators_keep_their_own_curtailment_rates() {
    use super::super::NetworkSums;
    let mut acc = Accumulator::new(1);
    acc.network = Some(NetworkSums {
        region_names: vec!["A".into(), "B".into()],
        regions: vec![Accumulator::new(1), Accumulator::new(1)],
        interface_names: Vec::new(),
        interfaces: Vec::new(),
        storage_names: Vec::new(),
        storage_energy: Vec::new(),
        storage: Vec::new(),
    });
    // A curtails 10% and 30%; B has no renewables at all.
    for (a, b) in [((10, 100), (0, 0)), ((30, 100), (0, 0))] {
        let net = acc.network.as_mut().unwrap();
        net.regions[0].add(&rate_records(&[a])[0]);
        net.regions[1].add(&rate_records(&[b])[0]);
        acc.add(&rate_records(&[(a.0 + b.0, a.1 + b.1)])[0]);
    }
    let back: Accumulator = serde_json::from_str(&serde_json::to_string(&acc).unwrap()).unwrap();
    let s = back.summary(&KW);
    let (a, b) = (&s.regions[0].distributions, &s.regions[1].distributions);
    assert_eq!((a.curtailment_rate.p5, a.curtailment_rate.p95), (0.1, 0.3));
    assert!((a.curtailment_rate.mean - 0.2).abs() < 1e-15);
    assert_eq!(a.trajectories_without_renewable, 0);
    assert_eq!(b.trajectories_without_renewable, 2);
    assert!(b.curtailment_rate.histogram.is_empty());
    assert_eq!(s.distributions.curtailment_rate.p95, 0.3);
}

/// An accumulator's JSON with `edit` applied.
fn edited(acc: &Accumulator, edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut v = serde_json::to_value(acc).unwrap();
    edit(&mut v);
    v.to_string()
}

#[test]
fn files_without_a_consistent_curtailment_rate_histogram_are_refused() {
    let acc = accumulate(&[&records(50)]);
    // Written by an egap that did not keep the rates: refused, saying why.
    let old = edited(&acc, |v| {
        v.as_object_mut()
            .unwrap()
            .remove("curtailment_rate_histogram");
    });
    let e = serde_json::from_str::<Accumulator>(&old)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no curtailment_rate_histogram") && e.contains("older"),
        "{e}"
    );
    // Counts that do not make up the trajectories.
    let e = serde_json::from_str::<Accumulator>(&edited(&acc, |v| {
        let h = &mut v["curtailment_rate_histogram"];
        h["undefined"] = 1.into();
    }))
    .unwrap_err()
    .to_string();
    assert!(e.contains("count differs from the trajectories"), "{e}");
}
