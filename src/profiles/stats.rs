//! Statistics of hourly series, used to calibrate the generator against measured profiles
//! and to report what was generated.

/// Mean of a series.
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Autocorrelation at `lag` hours (the usual estimator: lagged covariance over the variance,
/// both about the whole series' mean and divided by the length).
pub fn autocorrelation(x: &[f64], lag: usize) -> f64 {
    let m = mean(x);
    let variance: f64 = x.iter().map(|v| (v - m) * (v - m)).sum();
    let lagged: f64 = x
        .iter()
        .zip(&x[lag..])
        .map(|(a, b)| (a - m) * (b - m))
        .sum();
    lagged / variance
}

/// Share of hours with a value below `threshold`.
pub fn share_below(x: &[f64], threshold: f64) -> f64 {
    x.iter().filter(|&&v| v < threshold).count() as f64 / x.len() as f64
}

/// Share of hours with a value above `threshold`.
pub fn share_above(x: &[f64], threshold: f64) -> f64 {
    x.iter().filter(|&&v| v > threshold).count() as f64 / x.len() as f64
}

/// Longest run of consecutive hours below `threshold` (a calm spell, for wind at 10 %).
pub fn longest_run_below(x: &[f64], threshold: f64) -> usize {
    let (mut longest, mut run) = (0, 0);
    for &v in x {
        run = if v < threshold { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Mean over peak.
pub fn load_factor(x: &[f64]) -> f64 {
    mean(x) / peak(x)
}

/// Minimum over peak.
pub fn min_to_peak(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::MAX, f64::min) / peak(x)
}

pub fn peak(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::MIN, f64::max)
}

/// The statistics of a capacity-factor series that the calibration compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CapacityFactorStats {
    pub mean: f64,
    /// Share of hours below 5 %.
    pub below_5pct: f64,
    /// Share of hours above 1 % (daylight, for solar).
    pub above_1pct: f64,
    pub lag1: f64,
    pub lag24: f64,
    /// Longest run below 10 %, hours.
    pub longest_calm_h: usize,
}

impl CapacityFactorStats {
    pub fn of(x: &[f64]) -> CapacityFactorStats {
        CapacityFactorStats {
            mean: mean(x),
            below_5pct: share_below(x, 0.05),
            above_1pct: share_above(x, 0.01),
            lag1: autocorrelation(x, 1),
            lag24: autocorrelation(x, 24),
            longest_calm_h: longest_run_below(x, 0.10),
        }
    }
}

/// Median of a list (the mean of the two middle values for an even count).
pub fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_examples() {
        let x = [0.0, 0.2, 0.01, 0.02, 0.5, 0.03];
        assert_eq!(longest_run_below(&x, 0.1), 2);
        assert!((share_below(&x, 0.05) - 4.0 / 6.0).abs() < 1e-12);
        assert!((load_factor(&[1.0, 2.0, 3.0, 2.0]) - 2.0 / 3.0).abs() < 1e-12);
        assert!((autocorrelation(&[1.0, -1.0, 1.0, -1.0], 1) + 0.75).abs() < 1e-12);
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), 2.5);
    }
}
