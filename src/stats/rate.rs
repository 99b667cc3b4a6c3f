//! A fixed-bin histogram of a per-trajectory rate in [0, 1] — the curtailment rate,
//! curtailed energy ÷ available renewable energy of one trajectory — with exact merging.
//!
//! Each rate is held in fixed point, in units of 10^-18: `⌊10^18 · part / whole⌋`, computed
//! with integers only, except that a rate above 0 is never held as 0 (it is raised to
//! 10^-18). So a trajectory's bin and the sums do not depend on floating-point rounding,
//! adding or merging in any order gives the same state bit for bit, "no curtailment at all"
//! is told apart exactly, and a decimal rate such as 1% lands in the bin it names.
//!
//! The bins are fixed: bin 0 holds a rate of exactly 0, and bin k (1 ≤ k ≤ [`RATE_BINS`])
//! the rates above 0 in [(k−1)/1000, k/1000) (the last also holds 1). Like
//! [`super::Histogram`] each bin keeps its count and the exact sum of its fixed-point values,
//! so a quantile is the mean of its bin (within 0.1 percentage point of the order statistic;
//! exact when the bin holds one distinct rate, and for the minimum and maximum), and the
//! mean is exact to 10^-18.
//!
//! A trajectory with no renewable energy available has no rate (0 / 0): it is counted in
//! [`RateHistogram::undefined`], never binned, so no NaN can arise. Every trajectory is
//! either binned or counted there.

use serde::{Deserialize, Serialize};

/// A rate of 1 in fixed point.
pub const RATE_ONE: u64 = 1_000_000_000_000_000_000;
/// Bins above zero, each 0.1 percentage point wide.
pub const RATE_BINS: usize = 1000;
/// Width of a bin in fixed point.
const BIN_WIDTH: u64 = RATE_ONE / RATE_BINS as u64;
/// Fine bins merged into one report bin (1 percentage point).
const REPORT_BIN: usize = 10;

/// `part / whole` in fixed point (`RATE_ONE` is 1), or `None` when `whole` is 0. A part
/// larger than the whole (which the engines never produce) counts as the whole.
pub fn rate_fixed(part: u64, whole: u64) -> Option<u64> {
    if whole == 0 {
        return None;
    }
    let part = part.min(whole);
    let v = u128::from(part) * u128::from(RATE_ONE) / u128::from(whole);
    // v ≤ RATE_ONE, since part ≤ whole.
    Some((v as u64).max(u64::from(part > 0)))
}

/// The bin of a fixed-point rate.
pub fn rate_bin(v: u64) -> usize {
    if v == 0 {
        return 0;
    }
    ((v / BIN_WIDTH) as usize + 1).min(RATE_BINS)
}

/// The smallest and largest fixed-point rate (both inclusive) in bin `k` (`k ≤ RATE_BINS`).
pub fn rate_bin_bounds(k: usize) -> (u64, u64) {
    if k == 0 {
        return (0, 0);
    }
    let lower = ((k as u64 - 1) * BIN_WIDTH).max(1);
    let upper = if k >= RATE_BINS {
        RATE_ONE
    } else {
        k as u64 * BIN_WIDTH - 1
    };
    (lower, upper)
}

/// A fixed-point rate (or a sum of them) as a fraction.
pub fn rate_f64(v: impl Into<u128>) -> f64 {
    v.into() as f64 / RATE_ONE as f64
}

/// One non-empty bin, as [`RateHistogram::report_bins`] reports it (fixed point, bounds
/// inclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateBin {
    pub lower: u64,
    pub upper: u64,
    pub count: u64,
    pub sum: u128,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SparseRateHistogram", try_from = "SparseRateHistogram")]
pub struct RateHistogram {
    /// Dense up to the highest bin used (at most `RATE_BINS + 1`); `sums` has the same
    /// length.
    counts: Vec<u64>,
    /// Σ of the fixed-point rates in each bin: at most count × 10^18 < 2^124.
    sums: Vec<u128>,
    /// Trajectories binned.
    count: u64,
    /// Trajectories with nothing to take a rate of (a whole of 0).
    undefined: u64,
    /// `u64::MAX` and 0 while empty, so that `min`/`max` merge without a special case.
    min: u64,
    max: u64,
}

impl Default for RateHistogram {
    fn default() -> Self {
        RateHistogram::new()
    }
}

impl RateHistogram {
    pub fn new() -> RateHistogram {
        RateHistogram {
            counts: Vec::new(),
            sums: Vec::new(),
            count: 0,
            undefined: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    /// Records one trajectory's rate `part / whole`; a whole of 0 is counted as undefined.
    pub fn record(&mut self, part: u64, whole: u64) {
        match rate_fixed(part, whole) {
            Some(v) => self.record_fixed(v),
            None => self.undefined += 1,
        }
    }

    fn record_fixed(&mut self, v: u64) {
        let k = rate_bin(v);
        if k >= self.counts.len() {
            self.counts.resize(k + 1, 0);
            self.sums.resize(k + 1, 0);
        }
        self.counts[k] += 1;
        self.sums[k] += u128::from(v);
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds another histogram's bins; integer sums, so merge order never matters.
    pub fn merge(&mut self, other: &RateHistogram) {
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
            self.sums.resize(other.sums.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for (a, b) in self.sums.iter_mut().zip(&other.sums) {
            *a += b;
        }
        self.count += other.count;
        self.undefined += other.undefined;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Trajectories with a rate (binned).
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Trajectories without a rate (nothing available to take it of).
    pub fn undefined(&self) -> u64 {
        self.undefined
    }

    /// Exact smallest rate recorded (fixed point); `None` while empty.
    pub fn min(&self) -> Option<u64> {
        (self.count > 0).then_some(self.min)
    }

    /// Exact largest rate recorded (fixed point); `None` while empty.
    pub fn max(&self) -> Option<u64> {
        (self.count > 0).then_some(self.max)
    }

    /// The mean rate as a fraction: the mean of the fixed-point rates (each a multiple of
    /// 2^-64, rounded down); 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let total: u128 = self.sums.iter().sum();
        rate_f64(total) / self.count as f64
    }

    /// Non-empty fine bins, from the lowest.
    pub fn bins(&self) -> impl Iterator<Item = RateBin> + '_ {
        self.counts
            .iter()
            .zip(&self.sums)
            .enumerate()
            .filter(|(_, (count, _))| **count > 0)
            .map(|(k, (&count, &sum))| {
                let (lower, upper) = rate_bin_bounds(k);
                RateBin {
                    lower,
                    upper,
                    count,
                    sum,
                }
            })
    }

    /// The q-quantile as a fraction: the mean of the bin holding the `⌈q·N⌉`-th smallest
    /// rate, kept within the exact min and max. Exact for the first and last ranks and when
    /// the bin holds one distinct rate. 0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let r = super::rank(q, self.count);
        if r == 1 {
            return rate_f64(self.min);
        }
        if r == self.count {
            return rate_f64(self.max);
        }
        let mut cumulative = 0;
        for b in self.bins() {
            cumulative += b.count;
            if cumulative >= r {
                return self.clamp(b.sum / u128::from(b.count));
            }
        }
        rate_f64(self.max)
    }

    /// CVaR_q as a fraction: the mean of the largest `⌈(1−q)·N⌉` rates (at least one). Whole
    /// bins add their exact sums; the bin split by the cut adds its mean per rate needed.
    pub fn cvar(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let k = super::rank(1.0 - q, self.count);
        if k == 1 {
            return rate_f64(self.max);
        }
        let mut remaining = k;
        let mut whole: u128 = 0;
        let mut partial = 0.0;
        for i in (0..self.counts.len()).rev() {
            let c = self.counts[i];
            if c == 0 {
                continue;
            }
            if c <= remaining {
                whole += self.sums[i];
                remaining -= c;
            } else {
                partial = remaining as f64 * rate_f64(self.sums[i] / u128::from(c));
                remaining = 0;
            }
            if remaining == 0 {
                break;
            }
        }
        ((rate_f64(whole) + partial) / k as f64).clamp(rate_f64(self.min), rate_f64(self.max))
    }

    /// The non-empty bins merged into report bins: a rate of exactly 0 alone, then one bin
    /// per percentage point ([0, 1%) above 0, [1%, 2%), …, [99%, 100%]). Counts stay exact:
    /// no fine bin straddles a report bin's edge.
    pub fn report_bins(&self) -> Vec<RateBin> {
        let mut out: Vec<RateBin> = Vec::new();
        for b in self.bins() {
            let group = rate_group(b.lower);
            match out.last_mut() {
                Some(last) if rate_group(last.lower) == group => {
                    last.count += b.count;
                    last.sum += b.sum;
                }
                _ => {
                    let (lower, upper) = if group == 0 {
                        (0, 0)
                    } else {
                        (
                            rate_bin_bounds((group - 1) * REPORT_BIN + 1).0,
                            rate_bin_bounds(group * REPORT_BIN).1,
                        )
                    };
                    out.push(RateBin {
                        lower,
                        upper,
                        count: b.count,
                        sum: b.sum,
                    });
                }
            }
        }
        out
    }

    /// `(x, P(rate ≥ x))` at the lower bound `x` (fixed point) of each non-empty report bin,
    /// rising in `x`; among the trajectories with a rate. Exact.
    pub fn exceedance(&self) -> Vec<(u64, f64)> {
        let n = self.count as f64;
        let mut at_or_above = self.count;
        let mut out = Vec::new();
        for b in self.report_bins() {
            out.push((b.lower, at_or_above as f64 / n));
            at_or_above -= b.count;
        }
        out
    }

    fn clamp(&self, v: u128) -> f64 {
        rate_f64(v.clamp(u128::from(self.min), u128::from(self.max)))
    }
}

/// The report bin of a fine bin's lower bound.
fn rate_group(lower: u64) -> usize {
    let k = rate_bin(lower);
    if k == 0 { 0 } else { (k - 1) / REPORT_BIN + 1 }
}

/// Wire form of a [`RateHistogram`]: the non-empty bins only, as `[bin, count, sum]`.
#[derive(Serialize, Deserialize)]
struct SparseRateHistogram {
    count: u64,
    undefined: u64,
    min: u64,
    max: u64,
    bins: Vec<(u32, u64, u128)>,
}

/// A file's rate histogram that [`RateHistogram::record`] cannot have made.
#[derive(Debug, thiserror::Error)]
#[error("invalid rate histogram: {0}")]
pub struct RateHistogramError(&'static str);

impl From<RateHistogram> for SparseRateHistogram {
    fn from(h: RateHistogram) -> Self {
        SparseRateHistogram {
            count: h.count,
            undefined: h.undefined,
            min: h.min().unwrap_or(0),
            max: h.max().unwrap_or(0),
            bins: h
                .bins()
                .map(|b| (rate_bin(b.lower) as u32, b.count, b.sum))
                .collect(),
        }
    }
}

impl TryFrom<SparseRateHistogram> for RateHistogram {
    type Error = RateHistogramError;

    fn try_from(s: SparseRateHistogram) -> Result<Self, Self::Error> {
        let mut h = RateHistogram::new();
        let mut previous: Option<usize> = None;
        for &(index, count, sum) in &s.bins {
            let k = index as usize;
            if k > RATE_BINS || previous.is_some_and(|p| p >= k) {
                return Err(RateHistogramError(
                    "bin indices must rise and stay in range",
                ));
            }
            let (lower, upper) = rate_bin_bounds(k);
            let c = u128::from(count);
            // c × upper < 2^64 × 2^60: no overflow.
            if count == 0 || sum < c * u128::from(lower) || sum > c * u128::from(upper) {
                return Err(RateHistogramError(
                    "a bin's sum does not fit its count and bounds",
                ));
            }
            h.counts.resize(k + 1, 0);
            h.sums.resize(k + 1, 0);
            h.counts[k] = count;
            h.sums[k] = sum;
            h.count = h
                .count
                .checked_add(count)
                .ok_or(RateHistogramError("count overflows"))?;
            previous = Some(k);
        }
        if h.count != s.count {
            return Err(RateHistogramError("bin counts do not add up to the total"));
        }
        if let (Some(&(first, ..)), Some(&(last, ..))) = (s.bins.first(), s.bins.last()) {
            if s.min > s.max
                || s.max > RATE_ONE
                || rate_bin(s.min) != first as usize
                || rate_bin(s.max) != last as usize
            {
                return Err(RateHistogramError("min or max lies outside the bins used"));
            }
            h.min = s.min;
            h.max = s.max;
        }
        h.undefined = s.undefined;
        Ok(h)
    }
}

#[cfg(test)]
mod tests;
