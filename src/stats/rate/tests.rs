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
        // No bin is wider than 2^-7 of its lower bound: a quantile within 0.8% of its rate.
        assert!((upper - lower) as f64 <= lower as f64 / 128.0, "{k}");
    }
    // Rates of a few parts per million and of 50% are both resolved.
    for rate in [(3, 1_000_000), (31, 10_000_000), (1, 2), (501, 1000)] {
        let (lower, upper) = rate_bin_bounds(rate_bin(rate_fixed(rate.0, rate.1).unwrap()));
        assert!(
            rate_f64(upper - lower) <= rate_f64(lower) / 128.0,
            "{rate:?}"
        );
    }
    assert_ne!(
        rate_bin(rate_fixed(3, 1_000_000).unwrap()),
        rate_bin(rate_fixed(31, 10_000_000).unwrap())
    );
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
    let h = from_rates(&[(1, 2), (501, 1000), (1, 1)]);
    assert!(
        (h.quantile(0.5) - 0.5005).abs() < 1e-15,
        "{}",
        h.quantile(0.5)
    );
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
fn report_bins_are_quarter_octaves_at_the_coarsest_level() {
    let h = from_rates(&[
        (0, 5),
        (0, 9),
        (1, 1000),
        (9, 1000),
        (10, 1000),
        (1, 1),
        (999, 1000),
    ]);
    let bins = h.rates.report_bins_at(crate::stats::COARSEST_LEVEL);
    let read: Vec<(u64, u64, u64)> = bins.iter().map(|b| (b.lower, b.upper, b.count)).collect();
    // Exactly 0 alone; 0.1%, 0.9% and 1% apart (0.9% and 1% straddle 2^53); 99.9% and 1 in
    // the last quarter octave [6·2^57, 7·2^57), cut at 1.
    assert_eq!(read[0], (0, 0, 2));
    assert_eq!(
        read.iter().map(|b| b.2).collect::<Vec<_>>(),
        [2, 1, 1, 1, 2]
    );
    assert_eq!(read[4], (6 << 57, RATE_ONE, 2));
    for &(lower, upper, _) in &read[1..4] {
        let e = 63 - lower.leading_zeros() - 2;
        assert_eq!(
            (lower % (1 << e), upper - lower + 1),
            (0, 1 << e),
            "{lower}"
        );
    }
    assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), h.count());
    // Seven rates fit in the finest bins, each distinct rate in its own.
    let finest = h.report_bins();
    assert_eq!(
        finest.iter().map(|b| b.count).collect::<Vec<_>>(),
        [2, 1, 1, 1, 1, 1]
    );
    assert_eq!(finest.last().unwrap().upper, RATE_ONE);
    let exceedance = h.exceedance();
    assert_eq!(exceedance[0], (0, 1.0));
    assert_eq!(exceedance[4], (finest[4].lower, 2.0 / 7.0));
}

#[test]
fn wire_form_round_trips_and_rejects_nonsense() {
    let h = from_rates(&[(0, 0), (0, 3), (1, 3), (2, 3), (3, 3)]);
    let json = serde_json::to_string(&h).unwrap();
    let back: RateHistogram = serde_json::from_str(&json).unwrap();
    assert_eq!(back, h);
    assert_eq!(serde_json::to_string(&RateHistogram::new()).unwrap(), {
        let empty: RateHistogram = serde_json::from_str(&format!(
            r#"{{"binning":"{BINNING}","count":0,"undefined":0,"min":0,"max":0,"bins":[]}}"#
        ))
        .unwrap();
        serde_json::to_string(&empty).unwrap()
    });
    let one = RATE_ONE.to_string();
    let (last, past) = (RATE_BINS, RATE_BINS + 1);
    let b = format!(r#""binning":"{BINNING}""#);
    let bad = [
        // Bin past the last.
        format!(r#"{{{b},"count":1,"undefined":0,"min":0,"max":0,"bins":[[{past},1,0]]}}"#),
        // A zero rate with a non-zero sum.
        format!(r#"{{{b},"count":1,"undefined":0,"min":0,"max":0,"bins":[[0,1,5]]}}"#),
        // Counts that do not add up.
        format!(r#"{{{b},"count":2,"undefined":0,"min":0,"max":0,"bins":[[0,1,0]]}}"#),
        // Falling indices.
        format!(
            r#"{{{b},"count":2,"undefined":0,"min":0,"max":{one},"bins":[[{last},1,{one}],[0,1,0]]}}"#
        ),
        // A rate above 1.
        format!(
            r#"{{{b},"count":1,"undefined":0,"min":{one},"max":{one}1,"bins":[[{last},1,{one}]]}}"#
        ),
        // A sum above what its count can reach.
        format!(r#"{{{b},"count":1,"undefined":0,"min":0,"max":0,"bins":[[{last},1,{one}0]]}}"#),
        // Another egap's bins (0.1-point bins had no name).
        r#"{"count":1,"undefined":0,"min":0,"max":0,"bins":[[0,1,0]]}"#.to_string(),
    ];
    for text in &bad {
        assert!(
            serde_json::from_str::<RateHistogram>(text).is_err(),
            "accepted {text}"
        );
    }
}
