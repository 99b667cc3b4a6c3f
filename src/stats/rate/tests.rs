use super::*;

fn from_rates(rates: &[(u64, u64)]) -> RateHistogram {
    let mut h = RateHistogram::new();
    for &(part, whole) in rates {
        h.record(part, whole);
    }
    h
}

#[test]
fn bins_tile_zero_to_one() {
    assert_eq!(rate_bin_bounds(0), (0, 0));
    assert_eq!(rate_bin_bounds(1).0, 1);
    assert_eq!(rate_bin_bounds(RATE_BINS).1, RATE_ONE);
    for k in 1..=RATE_BINS {
        let (lower, upper) = rate_bin_bounds(k);
        assert!(lower <= upper, "{k}");
        assert_eq!(rate_bin(lower), k, "{k}");
        assert_eq!(rate_bin(upper), k, "{k}");
        assert_eq!(rate_bin(lower - 1), k - 1, "{k}");
        if k < RATE_BINS {
            assert_eq!(rate_bin_bounds(k + 1).0, upper + 1, "{k}");
        }
    }
    // Bin k starts at (k−1)/1000: 0.5 is the first rate of bin 501.
    assert_eq!(rate_bin(rate_fixed(1, 2).unwrap()), 501);
    assert_eq!(rate_bin(rate_fixed(499, 1000).unwrap()), 500);
    assert_eq!(rate_bin(rate_fixed(7, 7).unwrap()), RATE_BINS);
    // The smallest rate a u64 whole allows is still above zero.
    assert_eq!(rate_fixed(1, u64::MAX), Some(1));
    assert_eq!(rate_bin(1), 1);
    assert_eq!(rate_fixed(u64::MAX, u64::MAX), Some(RATE_ONE));
}

#[test]
fn known_rates_give_known_quantiles() {
    // 100 trajectories with rates 0%, 1%, …, 99%: each alone in its bin, so exact.
    let rates: Vec<(u64, u64)> = (0..100).map(|i| (i * 3, 300)).collect();
    let h = from_rates(&rates);
    assert_eq!(h.count(), 100);
    assert_eq!(h.undefined(), 0);
    assert_eq!(h.quantile(0.05), 0.04);
    assert_eq!(h.quantile(0.25), 0.24);
    assert_eq!(h.quantile(0.5), 0.49);
    assert_eq!(h.quantile(0.75), 0.74);
    assert_eq!(h.quantile(0.95), 0.94);
    assert_eq!(h.quantile(1.0), 0.99);
    assert_eq!(h.quantile(0.0), 0.0);
    assert!((h.mean() - 0.495).abs() < 1e-15, "{}", h.mean());
    // The worst 5%: 95% … 99%.
    assert!((h.cvar(0.95) - 0.97).abs() < 1e-15, "{}", h.cvar(0.95));
    // Rates that share a bin report its mean, within the bin.
    let h = from_rates(&[(2, 10_000), (4, 10_000), (1, 1)]);
    assert!((h.quantile(0.5) - 0.0003).abs() < 1e-15);
}

#[test]
fn no_renewable_energy_is_counted_apart_never_nan() {
    let mut h = from_rates(&[(0, 0), (0, 0), (5, 0)]);
    assert_eq!((h.count(), h.undefined()), (0, 3));
    for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
        assert_eq!(h.quantile(q), 0.0);
    }
    assert_eq!(h.mean(), 0.0);
    assert_eq!(h.cvar(0.95), 0.0);
    assert!(h.report_bins().is_empty() && h.exceedance().is_empty());
    h.record(1, 4);
    assert_eq!((h.count(), h.undefined()), (1, 3));
    assert_eq!(h.quantile(0.5), 0.25);
    assert_eq!(h.mean(), 0.25);
    // More curtailed than available (no engine does this) reads as a rate of 1.
    h.record(9, 4);
    assert_eq!(h.max(), Some(RATE_ONE));
}

#[test]
fn merge_equals_one_pass_in_any_order() {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let rates: Vec<(u64, u64)> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let whole = if x.is_multiple_of(13) {
                0
            } else {
                x % 1_000_000
            };
            let part = if x.is_multiple_of(3) {
                0
            } else {
                (x >> 20) % (whole + 1)
            };
            (part, whole)
        })
        .collect();
    let one = from_rates(&rates);
    assert!(one.undefined() > 0 && one.count() > 4000);
    let (a, rest) = rates.split_at(1700);
    let (b, c) = rest.split_at(2000);
    let mut forward = from_rates(a);
    forward.merge(&from_rates(b));
    forward.merge(&from_rates(c));
    let mut backward = from_rates(c);
    backward.merge(&from_rates(b));
    backward.merge(&from_rates(a));
    assert_eq!(forward, one);
    assert_eq!(backward, one);
    let json = serde_json::to_string(&one).unwrap();
    assert_eq!(serde_json::to_string(&forward).unwrap(), json);
    assert_eq!(serde_json::to_string(&backward).unwrap(), json);
}

#[test]
fn report_bins_are_whole_percentage_points() {
    let h = from_rates(&[
        (0, 5),
        (0, 9),
        (1, 1000),
        (9, 1000),
        (10, 1000),
        (1, 1),
        (999, 1000),
    ]);
    let bins = h.report_bins();
    let read: Vec<(f64, f64, u64)> = bins
        .iter()
        .map(|b| (rate_f64(b.lower), rate_f64(b.upper + 1), b.count))
        .collect();
    assert_eq!(read[0], (0.0, rate_f64(1u64), 2));
    assert_eq!(read[1], (rate_f64(1u64), 0.01, 2));
    assert_eq!(read[2], (0.01, 0.02, 1));
    assert_eq!(read[3], (0.99, 1.0, 2));
    assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), h.count());
    let exceedance = h.exceedance();
    assert_eq!(exceedance[0], (0, 1.0));
    assert_eq!(exceedance[3].1, 2.0 / 7.0);
}

#[test]
fn wire_form_round_trips_and_rejects_nonsense() {
    let h = from_rates(&[(0, 0), (0, 3), (1, 3), (2, 3), (3, 3)]);
    let json = serde_json::to_string(&h).unwrap();
    let back: RateHistogram = serde_json::from_str(&json).unwrap();
    assert_eq!(back, h);
    assert_eq!(serde_json::to_string(&RateHistogram::new()).unwrap(), {
        let empty: RateHistogram =
            serde_json::from_str(r#"{"count":0,"undefined":0,"min":0,"max":0,"bins":[]}"#).unwrap();
        serde_json::to_string(&empty).unwrap()
    });
    let one = RATE_ONE.to_string();
    let bad = [
        // Bin past 1000.
        r#"{"count":1,"undefined":0,"min":0,"max":0,"bins":[[1001,1,0]]}"#.to_string(),
        // A zero rate with a non-zero sum.
        r#"{"count":1,"undefined":0,"min":0,"max":0,"bins":[[0,1,5]]}"#.to_string(),
        // Counts that do not add up.
        r#"{"count":2,"undefined":0,"min":0,"max":0,"bins":[[0,1,0]]}"#.to_string(),
        // Falling indices.
        format!(
            r#"{{"count":2,"undefined":0,"min":0,"max":{one},"bins":[[1000,1,{one}],[0,1,0]]}}"#
        ),
        // A rate above 1.
        format!(r#"{{"count":1,"undefined":0,"min":{one},"max":{one}1,"bins":[[1000,1,{one}]]}}"#),
        // A sum above what its count can reach.
        format!(r#"{{"count":1,"undefined":0,"min":0,"max":0,"bins":[[1000,1,{one}0]]}}"#),
    ];
    for text in &bad {
        assert!(
            serde_json::from_str::<RateHistogram>(text).is_err(),
            "accepted {text}"
        );
    }
}
