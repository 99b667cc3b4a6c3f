//! Exact first and second moments of integer samples, and the standard errors built on them.
//!
//! Everything is kept as integers (sums in `u128`, squares and cross products in 512 bits)
//! so that adding and merging commute exactly; floating point enters only when a summary is
//! read out, once, from the final sums.

use serde::{Deserialize, Serialize};

use super::wide::Wide;

/// Σx and Σx² of one record field. The count lives with the owner, shared by all fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Moments {
    pub sum: u128,
    /// A `u128` would overflow after one value near `u64::MAX`, or after ~2^28 years of
    /// demand in watt-hours; 512 bits cannot overflow for any count below 2^64.
    pub sum_sq: Wide,
}

impl Moments {
    pub fn add(&mut self, v: u64) {
        let v = u128::from(v);
        self.sum += v;
        self.sum_sq += v * v;
    }

    pub fn merge(&mut self, other: &Moments) {
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// Sample mean over `n` values; 0 when there are none.
    pub fn mean(&self, n: u64) -> f64 {
        if n == 0 {
            return 0.0;
        }
        self.sum as f64 / n as f64
    }

    /// Standard error of the mean, `s/√n` with the unbiased sample variance; 0 for n < 2,
    /// where no spread can be estimated.
    pub fn standard_error(&self, n: u64) -> f64 {
        if n < 2 {
            return 0.0;
        }
        // n·Σx² − (Σx)² = Σ_{i<j}(x_i − x_j)² ≥ 0, below n²·2^128 < 2^256: exact.
        let total = Wide::from(self.sum);
        let spread = (Wide::from(u128::from(n)) * self.sum_sq)
            .checked_sub(total * total)
            .unwrap_or(Wide::ZERO);
        let n = n as f64;
        (spread.to_f64() / (n * n * (n - 1.0))).sqrt()
    }
}

/// The ratio estimator R = Σy/Σx (e.g. unserved over demand energy) and its delta-method
/// standard error, `sqrt(Σ(y − R·x)² / (n(n−1))) / x̄`.
///
/// `sum_xy` is Σ x·y. Returns (0, 0) when Σx = 0, so a system with no renewables reports a
/// curtailment rate of 0 rather than NaN.
pub fn ratio_estimate(y: &Moments, x: &Moments, sum_xy: Wide, n: u64) -> (f64, f64) {
    if x.sum == 0 || n == 0 {
        return (0.0, 0.0);
    }
    let ratio = y.sum as f64 / x.sum as f64;
    if n < 2 {
        return (ratio, 0.0);
    }
    // (Σx)²·Σ(y − R·x)² = (Σx)²Σy² + (Σy)²Σx² − 2ΣxΣyΣxy, each term < 2^449: exact.
    let (tx, ty) = (Wide::from(x.sum), Wide::from(y.sum));
    let positive = tx * tx * y.sum_sq + ty * ty * x.sum_sq;
    let negative = tx * ty * sum_xy * Wide::from(2u128);
    let scaled = positive.checked_sub(negative).unwrap_or(Wide::ZERO);
    // SE = sqrt(Σd²·n/(n−1)) / Σx = sqrt(scaled·n/(n−1)) / (Σx)².
    let n = n as f64;
    let tx = x.sum as f64;
    let se = (scaled.to_f64() * n / (n - 1.0)).sqrt() / (tx * tx);
    (ratio, se)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moments(values: &[u64]) -> Moments {
        let mut m = Moments::default();
        for &v in values {
            m.add(v);
        }
        m
    }

    fn direct_se(values: &[f64]) -> f64 {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (var / n).sqrt()
    }

    #[test]
    fn standard_error_matches_direct_computation() {
        let values = [3u64, 7, 7, 19, 0, 1, 250];
        let m = moments(&values);
        let direct = direct_se(&values.map(|v| v as f64));
        assert!((m.standard_error(7) - direct).abs() < 1e-12 * direct);
        assert_eq!(m.mean(7), 287.0 / 7.0);
    }

    #[test]
    fn no_spread_means_no_error_even_for_huge_values() {
        // (Σx)² and n·Σx² agree to every bit here; f64 would cancel to noise or go negative.
        let m = moments(&[u64::MAX; 5]);
        assert_eq!(m.standard_error(5), 0.0);
        let m = moments(&[u64::MAX, u64::MAX - 1]);
        assert!((m.standard_error(2) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn degenerate_counts_give_zero_not_nan() {
        let m = moments(&[42]);
        assert_eq!(m.standard_error(1), 0.0);
        assert_eq!(Moments::default().standard_error(0), 0.0);
        assert_eq!(Moments::default().mean(0), 0.0);
    }

    #[test]
    fn ratio_standard_error_matches_direct_delta_method() {
        let x = [1000u64, 1200, 900, 1500, 1100, 950];
        let y = [0u64, 30, 0, 120, 5, 0];
        let (mx, my) = (moments(&x), moments(&y));
        let sum_xy = x.iter().zip(&y).fold(Wide::ZERO, |acc, (&a, &b)| {
            acc + Wide::from(u128::from(a) * u128::from(b))
        });
        let (ratio, se) = ratio_estimate(&my, &mx, sum_xy, 6);

        let n = 6.0;
        let (sx, sy) = (x.iter().sum::<u64>() as f64, y.iter().sum::<u64>() as f64);
        let r = sy / sx;
        let ss: f64 = x
            .iter()
            .zip(&y)
            .map(|(&a, &b)| (b as f64 - r * a as f64).powi(2))
            .sum();
        let direct = (ss / (n * (n - 1.0))).sqrt() / (sx / n);
        assert_eq!(ratio, r);
        assert!((se - direct).abs() < 1e-12 * direct, "{se} vs {direct}");
    }

    #[test]
    fn ratio_of_proportional_samples_has_zero_error() {
        let x = [10u64, 20, 30];
        let y = [1u64, 2, 3];
        let sum_xy = Wide::from(10u128 + 40 + 90);
        let (ratio, se) = ratio_estimate(&moments(&y), &moments(&x), sum_xy, 3);
        assert_eq!((ratio, se), (0.1, 0.0));
    }

    #[test]
    fn ratio_with_empty_denominator_is_zero() {
        let (ratio, se) = ratio_estimate(&moments(&[0, 0]), &moments(&[0, 0]), Wide::ZERO, 2);
        assert_eq!((ratio, se), (0.0, 0.0));
    }
}
