//! A fixed-bin histogram of a per-trajectory rate in [0, 1] — the curtailment rate,
//! curtailed energy ÷ available renewable energy of one trajectory — with exact merging.
//!
//! Each rate is held in fixed point, in units of 10^-18: `⌊10^18 · part / whole⌋`, computed
//! with integers only, except that a rate above 0 is never held as 0 (it is raised to
//! 10^-18). So a trajectory's bin and the sums do not depend on floating-point rounding,
//! adding or merging in any order gives the same state bit for bit, "no curtailment at all"
//! is told apart exactly, and a decimal rate such as 1% lands in the bin it names.
//!
//! The bins are fixed and log-linear, like [`super::Histogram`]'s but coarser: bin 0 holds a
//! rate of exactly 0, fixed-point values below 2^8 have a bin each, and above that every
//! power of two is split into 2^7 equal bins, so a bin is at most 2^-7 (0.8%) of its lower
//! bound wide, from 10^-18 to 1 (about 6,900 bins). A rate's quantile must be resolved
//! relative to the rate itself: curtailment rates of a few parts per million and of 40%
//! are both common, and bins of equal width lose one or the other. Each bin keeps its count
//! and the exact sum of its fixed-point values, so a quantile is the mean of its bin (within
//! 0.8% of the order statistic; exact when the bin holds one distinct rate, and for the
//! minimum and maximum), and the mean is exact to 10^-18.
//!
//! A trajectory with no renewable energy available has no rate (0 / 0): it is counted in
//! [`RateHistogram::undefined`], never binned, so no NaN can arise. Every trajectory is
//! either binned or counted there.

use serde::{Deserialize, Serialize};

use super::histogram::{Binning, Bins, Bucket, Pick, log_linear_report};

/// A rate of 1 in fixed point.
pub const RATE_ONE: u64 = 1_000_000_000_000_000_000;
/// log2 of the bins per power of two.
const SUB_BITS: u32 = 7;
/// The highest bin: the one holding a rate of 1 (bins 0 ..= RATE_BINS exist).
pub const RATE_BINS: usize = rate_bin(RATE_ONE);
/// The binning a file's rate histogram was made with: a file from an egap that binned rates
/// otherwise is refused rather than read into the wrong bins.
const BINNING: &str = "log-linear, 2^7 bins per octave";

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

/// The bin of a fixed-point rate (0 for a rate of exactly 0).
pub const fn rate_bin(v: u64) -> usize {
    if v < 2 << SUB_BITS {
        return v as usize;
    }
    let shift = 63 - v.leading_zeros() - SUB_BITS;
    ((shift as usize) << SUB_BITS) + (v >> shift) as usize
}

/// The smallest and largest fixed-point rate (both inclusive) in bin `k` (`k ≤ RATE_BINS`).
pub fn rate_bin_bounds(k: usize) -> (u64, u64) {
    if k < 2 << SUB_BITS {
        return (k as u64, k as u64);
    }
    let shift = (k >> SUB_BITS) - 1;
    let mantissa = ((k & ((1 << SUB_BITS) - 1)) + (1 << SUB_BITS)) as u64;
    let lower = mantissa << shift;
    (lower, (lower + ((1u64 << shift) - 1)).min(RATE_ONE))
}

/// A fixed-point rate (or a sum of them) as a fraction.
pub fn rate_f64(v: impl Into<u128>) -> f64 {
    v.into() as f64 / RATE_ONE as f64
}

/// One non-empty bin (fixed point, bounds inclusive).
pub type RateBin = Bucket;

/// The rate bins above, reported log-linearly as [`super::Histogram`]'s are: a rate of
/// exactly 0 alone, then at most [`super::REPORT_BINS`] bins from 2^7 down to 4 per power
/// of two of the fixed point (quarter octaves, a quarter to a fifth of their lower bound
/// wide, when the rates span many decades), so rates near 10^-5 keep their shape as well as
/// rates near 0.3; the last bin ends at 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateBins;

impl Binning for RateBins {
    const BINS: usize = RATE_BINS + 1;
    const FINEST_LEVEL: u32 = SUB_BITS;

    fn index(v: u64) -> usize {
        rate_bin(v)
    }

    fn bounds(index: usize) -> (u64, u64) {
        rate_bin_bounds(index)
    }

    fn report(v: u64, level: u32) -> (u64, u64) {
        // Report bins are unions of whole bins: below 2^8 bins hold one value, above it a
        // report bin's width 2^(e−level) is a multiple of a bin's 2^(e−7).
        let (lower, upper) = log_linear_report(v, level);
        (lower, upper.min(RATE_ONE))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SparseRateHistogram", try_from = "SparseRateHistogram")]
pub struct RateHistogram {
    /// The fixed-point rates of the trajectories that have one. Sums per bin are at most
    /// count × 10^18 < 2^124.
    rates: Bins<RateBins>,
    /// Trajectories with nothing to take a rate of (a whole of 0).
    undefined: u64,
}

impl Default for RateHistogram {
    fn default() -> Self {
        RateHistogram::new()
    }
}

impl RateHistogram {
    pub fn new() -> RateHistogram {
        RateHistogram {
            rates: Bins::new(),
            undefined: 0,
        }
    }

    /// Records one trajectory's rate `part / whole`; a whole of 0 is counted as undefined.
    pub fn record(&mut self, part: u64, whole: u64) {
        match rate_fixed(part, whole) {
            Some(v) => self.rates.record(v),
            None => self.undefined += 1,
        }
    }

    /// Adds another histogram's bins; integer sums, so merge order never matters.
    pub fn merge(&mut self, other: &RateHistogram) {
        self.rates.merge(&other.rates);
        self.undefined += other.undefined;
    }

    /// Trajectories with a rate (binned).
    pub fn count(&self) -> u64 {
        self.rates.count()
    }

    /// Trajectories without a rate (nothing available to take it of).
    pub fn undefined(&self) -> u64 {
        self.undefined
    }

    /// Exact smallest rate recorded (fixed point); `None` while empty.
    pub fn min(&self) -> Option<u64> {
        self.rates.min()
    }

    /// Exact largest rate recorded (fixed point); `None` while empty.
    pub fn max(&self) -> Option<u64> {
        self.rates.max()
    }

    /// The mean rate as a fraction: the mean of the fixed-point rates; 0 when empty.
    pub fn mean(&self) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        let total: u128 = self.rates.buckets().map(|b| b.sum).sum();
        rate_f64(total) / self.count() as f64
    }

    /// Non-empty fine bins, from the lowest.
    pub fn bins(&self) -> impl Iterator<Item = RateBin> + '_ {
        self.rates.buckets()
    }

    /// The q-quantile as a fraction: the mean of the bin holding the `⌈q·N⌉`-th smallest
    /// rate, kept within the exact min and max. Exact for the first and last ranks and when
    /// the bin holds one distinct rate. 0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        match self.rates.pick(q) {
            None => 0.0,
            Some(Pick::Min) => rate_f64(self.rates.min().unwrap_or(0)),
            Some(Pick::Max) => rate_f64(self.rates.max().unwrap_or(0)),
            Some(Pick::In { sum, count }) => self.clamp(sum / u128::from(count)),
        }
    }

    /// CVaR_q as a fraction: the mean of the largest `⌈(1−q)·N⌉` rates (at least one). Whole
    /// bins add their exact sums; the bin split by the cut adds its mean per rate needed.
    pub fn cvar(&self, q: f64) -> f64 {
        let Some(tail) = self.rates.tail(q) else {
            return 0.0;
        };
        let (min, max) = (self.min().unwrap_or(0), self.max().unwrap_or(0));
        if tail.k == 1 {
            return rate_f64(max);
        }
        let partial = tail.split.map_or(0.0, |(needed, sum, count)| {
            needed as f64 * rate_f64(sum / u128::from(count))
        });
        ((rate_f64(tail.whole) + partial) / tail.k as f64).clamp(rate_f64(min), rate_f64(max))
    }

    /// The non-empty bins merged into report bins chosen from the data (see [`RateBins`]).
    /// Counts stay exact: no fine bin straddles a report bin's edge.
    pub fn report_bins(&self) -> Vec<RateBin> {
        self.rates.report_bins()
    }

    /// `(x, P(rate ≥ x))` at the lower bound `x` (fixed point) of each non-empty report bin,
    /// rising in `x`; among the trajectories with a rate. Exact.
    pub fn exceedance(&self) -> Vec<(u64, f64)> {
        self.rates.exceedance()
    }

    fn clamp(&self, v: u128) -> f64 {
        let (min, max) = (self.min().unwrap_or(0), self.max().unwrap_or(0));
        rate_f64(v.clamp(u128::from(min), u128::from(max)))
    }
}

/// Wire form of a [`RateHistogram`]: the non-empty bins only, as `[bin, count, sum]`.
#[derive(Serialize, Deserialize)]
struct SparseRateHistogram {
    /// [`BINNING`]; absent in files from an egap that binned rates in 0.1-point steps.
    #[serde(default)]
    binning: String,
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
            binning: BINNING.to_string(),
            count: h.count(),
            undefined: h.undefined,
            min: h.min().unwrap_or(0),
            max: h.max().unwrap_or(0),
            bins: h.rates.sparse(),
        }
    }
}

impl TryFrom<SparseRateHistogram> for RateHistogram {
    type Error = RateHistogramError;

    fn try_from(s: SparseRateHistogram) -> Result<Self, Self::Error> {
        if s.binning != BINNING {
            return Err(RateHistogramError(
                "its curtailment rates are binned otherwise (written by an older egap); run it again with this egap",
            ));
        }
        Ok(RateHistogram {
            rates: Bins::from_sparse(s.count, s.min, s.max, &s.bins).map_err(RateHistogramError)?,
            undefined: s.undefined,
        })
    }
}

#[cfg(test)]
mod tests;
