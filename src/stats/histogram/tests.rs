//! Tests of the histogram: bucket geometry, exact quantiles and CVaR, merging, wire form.

use super::*;

fn from_values(values: impl IntoIterator<Item = u64>) -> Histogram {
    let mut h = Histogram::new();
    for v in values {
        h.record(v);
    }
    h
}

#[test]
fn buckets_tile_the_u64_range_with_relative_width_at_most_2_pow_minus_10() {
    let mut next = 0u64;
    for i in 0..BUCKETS {
        let (lower, upper) = bucket_bounds(i);
        assert_eq!(lower, next, "bucket {i} leaves a gap or overlaps");
        assert!(upper >= lower);
        assert_eq!(bucket_index(lower), i);
        assert_eq!(bucket_index(upper), i);
        let width = upper - lower + 1;
        assert!(width == 1 || (width as f64) / (lower as f64) <= 1.0 / 1024.0);
        next = upper.wrapping_add(1);
    }
    assert_eq!(bucket_bounds(BUCKETS - 1).1, u64::MAX);
    assert_eq!(bucket_index(u64::MAX), BUCKETS - 1);
}

#[test]
fn values_lie_in_their_bucket_across_the_range() {
    let mut probes = vec![0, 1, 1023, 1024, 2047, 2048, 2049, u64::MAX - 1, u64::MAX];
    for e in 0..64 {
        let p = 1u64 << e;
        probes.extend([p - 1, p, p + 1, p + p / 3]);
    }
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..10_000 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        probes.push(x >> (x % 64));
    }
    for v in probes {
        let (lower, upper) = bucket_bounds(bucket_index(v));
        assert!(lower <= v && v <= upper, "{v} not in [{lower}, {upper}]");
        assert!(upper - lower <= lower >> SUB_BUCKET_BITS);
    }
}

#[test]
fn quantiles_and_cvar_are_exact_on_1_to_100() {
    let h = from_values(1..=100);
    assert_eq!(h.quantile(0.0), 1.0);
    assert_eq!(h.quantile(0.05), 5.0);
    assert_eq!(h.quantile(0.5), 50.0);
    assert_eq!(h.quantile(0.7), 70.0);
    assert_eq!(h.quantile(0.95), 95.0);
    assert_eq!(h.quantile(0.99), 99.0);
    assert_eq!(h.quantile(0.999), 100.0);
    assert_eq!(h.quantile(1.0), 100.0);
    assert_eq!(h.cvar(0.95), 98.0); // mean of 96..=100
    assert_eq!(h.cvar(0.99), 100.0);
    assert_eq!(h.cvar(0.0), 50.5);
    assert_eq!((h.min(), h.max()), (Some(1), Some(100)));
}

#[test]
fn rank_forgives_binary_rounding() {
    assert_eq!(rank(0.5, 10), 5);
    assert_eq!(rank(0.7, 10), 7);
    assert_eq!(rank(0.51, 10), 6);
    assert_eq!(rank(1.0 - 0.95, 100), 5);
    assert_eq!(rank(1.0 - 0.999, 1000), 1);
    assert_eq!(rank(0.0, 10), 1);
    assert_eq!(rank(f64::NAN, 10), 1);
    assert_eq!(rank(2.0, 10), 10);
}

#[test]
fn shared_buckets_report_a_value_within_the_bucket() {
    // 1_000_000 and 1_000_100 share a bucket of width 512.
    let h = from_values([5, 1_000_000, 1_000_100, 1_000_200, u64::MAX]);
    let (lower, upper) = bucket_bounds(bucket_index(1_000_100));
    let p50 = h.quantile(0.5);
    assert!(lower as f64 <= p50 && p50 <= upper as f64);
    assert_eq!(h.quantile(1.0), u64::MAX as f64);
    assert_eq!(h.cvar(0.8), u64::MAX as f64);
}

#[test]
fn cvar_splits_a_bucket_by_its_mean() {
    let h = from_values([1, 2, 2, 2, 2]);
    // Largest 3 of 5 values: 2, 2, 2 (split bucket of four 2s).
    assert_eq!(h.cvar(0.4), 2.0);
    let h = from_values([1, 1, 3, 3, 10]);
    assert_eq!(h.cvar(0.6), (10.0 + 3.0) / 2.0);
}

#[test]
fn exceedance_is_exact() {
    let h = from_values([0, 0, 3, 7, 7, 7, 100]);
    let curve = h.exceedance();
    // Four report bins: the finest level, where values below 2048 are alone.
    let expect = [(0, 1.0), (3, 5.0 / 7.0), (7, 4.0 / 7.0), (100, 1.0 / 7.0)];
    assert_eq!(curve, expect);
    assert!(Histogram::new().exceedance().is_empty());
}

#[test]
fn report_bins_are_exact_quarter_octaves_at_the_coarsest_level() {
    let h = from_values([0, 5, 96, 100, 111, 112, 5_000_000_000]);
    let bins: Vec<(u64, u64, u64)> = h
        .report_bins_at(COARSEST_LEVEL)
        .iter()
        .map(|b| (b.lower, b.upper, b.count))
        .collect();
    let top = 5_000_000_000u64;
    let e = 63 - top.leading_zeros() - 2;
    let lower = (top >> e) << e;
    assert_eq!(
        bins,
        [
            (0, 0, 1),
            (5, 5, 1),
            (96, 111, 3),
            (112, 127, 1),
            (lower, lower + (1 << e) - 1, 1)
        ]
    );
    // Seven values fit in the finest bins, each in its own.
    let finest: Vec<(u64, u64)> = h.report_bins().iter().map(|b| (b.lower, b.upper)).collect();
    let own = bucket_bounds(bucket_index(top));
    assert_eq!(
        finest,
        [
            (0, 0),
            (5, 5),
            (96, 96),
            (100, 100),
            (111, 111),
            (112, 112),
            own
        ]
    );
}

#[test]
fn report_bins_are_chosen_from_the_data() {
    // Curtailment of 8.40 to 8.70 TWh (in MWh): within 4% of each other, a single quarter
    // octave, but shown in many bins, each a union of whole buckets.
    let narrow = from_values((0..3_000u64).map(|i| 8_400_000 + i * 100));
    let bins = narrow.report_bins();
    assert!((20..=REPORT_BINS).contains(&bins.len()), "{}", bins.len());
    assert_eq!(bins.iter().map(|b| b.count).sum::<u64>(), 3_000);
    for b in &bins {
        assert_eq!(bucket_bounds(bucket_index(b.lower)).0, b.lower);
        assert_eq!(bucket_bounds(bucket_index(b.upper)).1, b.upper);
    }
    assert_eq!(narrow.report_bins_at(COARSEST_LEVEL).len(), 1);
    // However many distinct values, the report stays small: 10^6 values over 40 octaves
    // need the coarsest level.
    let wide = from_values((0..1_000_000u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 24));
    assert_eq!(wide.report_bins(), wide.report_bins_at(COARSEST_LEVEL));
    assert!(wide.report_bins().len() <= 4 * 41 + 8);
}

#[test]
fn merge_equals_one_pass_in_any_order() {
    let values: Vec<u64> = (0..5000u64).map(|i| i * i * 7919 % 3_000_017).collect();
    let whole = from_values(values.iter().copied());
    let (a, b) = values.split_at(1234);
    let (mut ha, hb) = (
        from_values(a.iter().copied()),
        from_values(b.iter().copied()),
    );
    let mut hba = hb.clone();
    hba.merge(&ha);
    ha.merge(&hb);
    assert_eq!(ha, whole);
    assert_eq!(hba, whole);
    let mut empty = Histogram::new();
    empty.merge(&whole);
    assert_eq!(empty, whole);
}

#[test]
fn empty_histogram_reads_as_zero() {
    let h = Histogram::new();
    assert_eq!((h.quantile(0.5), h.cvar(0.95)), (0.0, 0.0));
    assert_eq!((h.min(), h.max()), (None, None));
}

#[test]
fn sparse_wire_form_round_trips_and_rejects_nonsense() {
    for h in [Histogram::new(), from_values([0, 9, 9, 5000, u64::MAX])] {
        let json = serde_json::to_string(&h).expect("serializes");
        let back: Histogram = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, h);
    }
    let bad = r#"{"count":2,"min":3,"max":3,"buckets":[[3,1,3]]}"#;
    assert!(serde_json::from_str::<Histogram>(bad).is_err());
    let bad = r#"{"count":1,"min":3,"max":3,"buckets":[[3,1,4]]}"#;
    assert!(serde_json::from_str::<Histogram>(bad).is_err());
}
