//! A log-linear ("HDR") histogram of `u64` values: bounded memory, exact merging, and
//! quantiles, CVaR and exceedance probabilities with relative error below 2^-10.
//!
//! Values below 2^11 get one bucket each; above that every power of two is split into
//! 2^10 equal sub-buckets, so a bucket's width is at most 2^-10 of its lower bound. Each
//! bucket keeps its count and the exact sum of its values, so a bucket holding a single
//! distinct value reports that value exactly, and whole-bucket sums (CVaR) lose nothing.
//! At most [`BUCKETS`] buckets exist for the whole `u64` range (about 1.3 MiB when full).

use serde::{Deserialize, Serialize};

/// log2 of the sub-buckets per power of two.
pub const SUB_BUCKET_BITS: u32 = 10;
const SUB_BUCKETS: usize = 1 << SUB_BUCKET_BITS;
/// Buckets needed to cover `0..=u64::MAX`.
pub const BUCKETS: usize = (64 - SUB_BUCKET_BITS as usize + 1) * SUB_BUCKETS;

/// The bucket holding `v`.
pub fn bucket_index(v: u64) -> usize {
    if v < (2 * SUB_BUCKETS) as u64 {
        return v as usize;
    }
    let shift = 63 - v.leading_zeros() - SUB_BUCKET_BITS;
    ((shift as usize) << SUB_BUCKET_BITS) + (v >> shift) as usize
}

/// The smallest and largest value (both inclusive) that fall in bucket `index`.
pub fn bucket_bounds(index: usize) -> (u64, u64) {
    if index < 2 * SUB_BUCKETS {
        return (index as u64, index as u64);
    }
    let shift = (index >> SUB_BUCKET_BITS) - 1;
    let mantissa = ((index & (SUB_BUCKETS - 1)) + SUB_BUCKETS) as u64;
    let lower = mantissa << shift;
    (lower, lower + ((1u64 << shift) - 1))
}

/// The rank `⌈share·n⌉`, clamped to `1..=n`, forgiving the rounding of `share·n` in binary
/// floating point: 0.7 × 10 is 7.000000000000001 in `f64`, and must give rank 7, not 8.
pub fn rank(share: f64, n: u64) -> u64 {
    let share = if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    };
    let x = share * n as f64;
    let nearest = x.round();
    let r = if (x - nearest).abs() <= 4.0 * f64::EPSILON * x.max(1.0) {
        nearest
    } else {
        x.ceil()
    };
    (r as u64).clamp(1, n.max(1))
}

/// One non-empty bucket, as [`Histogram::buckets`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    pub lower: u64,
    /// Inclusive.
    pub upper: u64,
    pub count: u64,
    pub sum: u128,
}

/// How values are binned: the bins a [`Bins`] keeps, and the coarser bins a report shows.
/// Every report bin is a union of whole bins, so report counts stay exact.
pub trait Binning: Clone + std::fmt::Debug + PartialEq + Eq {
    /// Bins covering every value the scheme holds.
    const BINS: usize;
    /// The finest report level (log2 of report bins per power of two): the bins' own.
    const FINEST_LEVEL: u32;
    /// The bin holding `v`.
    fn index(v: u64) -> usize;
    /// The smallest and largest value (both inclusive) of bin `index`.
    fn bounds(index: usize) -> (u64, u64);
    /// Bounds (inclusive) of the report bin holding `v` at `level`, from
    /// [`COARSEST_LEVEL`] to [`Binning::FINEST_LEVEL`] ([`log_linear_report`]).
    fn report(v: u64, level: u32) -> (u64, u64);
}

/// The coarsest report level: quarter octaves, each a quarter to a fifth of its lower bound
/// wide, so a distribution over many decades still fits in a few hundred bins.
pub const COARSEST_LEVEL: u32 = 2;

/// Most report bins a histogram is shown in, when a finer level allows: fine enough to see
/// a distribution's shape, few enough that each bar holds trajectories.
pub const REPORT_BINS: usize = 48;

/// The report bin holding `v` at `level`: values below 2^(level+1) alone, then 2^level
/// equal bins per power of two. At a level no finer than a scheme's own bins (which follow
/// the same rule with more bins), each report bin is a union of whole bins.
pub fn log_linear_report(v: u64, level: u32) -> (u64, u64) {
    if v < (2u64 << level) {
        return (v, v);
    }
    let e = 63 - v.leading_zeros() - level;
    let lower = (v >> e) << e;
    (lower, lower + ((1u64 << e) - 1))
}

/// The log-linear scheme of [`bucket_index`]: 2^10 bins per power of two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLinear;

impl Binning for LogLinear {
    const BINS: usize = BUCKETS;
    const FINEST_LEVEL: u32 = SUB_BUCKET_BITS;

    fn index(v: u64) -> usize {
        bucket_index(v)
    }

    fn bounds(index: usize) -> (u64, u64) {
        bucket_bounds(index)
    }

    fn report(v: u64, level: u32) -> (u64, u64) {
        log_linear_report(v, level)
    }
}

/// Counts and exact sums of `u64` values in the bins of `B`, with the exact min and max.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bins<B: Binning> {
    /// Dense up to the highest bin used; `sums` has the same length.
    counts: Vec<u64>,
    sums: Vec<u128>,
    count: u64,
    /// `u64::MAX` and 0 while empty, so that `min`/`max` merge without a special case.
    min: u64,
    max: u64,
    binning: std::marker::PhantomData<B>,
}

/// The log-linear histogram of shortfall energy, hours and curtailment.
pub type Histogram = Bins<LogLinear>;

/// Where the `⌈q·N⌉`-th smallest value lies (see [`Bins::pick`]).
pub enum Pick {
    /// It is the exact minimum.
    Min,
    /// It is the exact maximum.
    Max,
    /// In a bin with this sum and count.
    In { sum: u128, count: u64 },
}

/// The largest `k` values (see [`Bins::tail`]): the exact sum of the whole bins among them,
/// and the one bin split by the cut as (values needed from it, its sum, its count).
pub struct Tail {
    pub k: u64,
    pub whole: u128,
    pub split: Option<(u64, u128, u64)>,
}

impl<B: Binning> Default for Bins<B> {
    fn default() -> Self {
        Bins::new()
    }
}

impl<B: Binning> Bins<B> {
    pub fn new() -> Bins<B> {
        Bins {
            counts: Vec::new(),
            sums: Vec::new(),
            count: 0,
            min: u64::MAX,
            max: 0,
            binning: std::marker::PhantomData,
        }
    }

    pub fn record(&mut self, v: u64) {
        let i = B::index(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
            self.sums.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        self.sums[i] += u128::from(v);
        self.count += 1;
        self.min = self.min.min(v);
        self.max = self.max.max(v);
    }

    /// Adds another histogram's bins; integer sums, so merge order never matters.
    pub fn merge(&mut self, other: &Bins<B>) {
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
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Exact smallest value recorded; `None` while empty.
    pub fn min(&self) -> Option<u64> {
        (self.count > 0).then_some(self.min)
    }

    /// Exact largest value recorded; `None` while empty.
    pub fn max(&self) -> Option<u64> {
        (self.count > 0).then_some(self.max)
    }

    /// Non-empty bins, from the lowest.
    pub fn buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        self.counts
            .iter()
            .zip(&self.sums)
            .enumerate()
            .filter(|(_, (count, _))| **count > 0)
            .map(|(i, (&count, &sum))| {
                let (lower, upper) = B::bounds(i);
                Bucket {
                    lower,
                    upper,
                    count,
                    sum,
                }
            })
    }

    /// Where the `⌈q·N⌉`-th smallest value lies: exactly at the min or max (first and last
    /// ranks), or in a bin; `None` when empty.
    pub fn pick(&self, q: f64) -> Option<Pick> {
        if self.count == 0 {
            return None;
        }
        let r = rank(q, self.count);
        if r == 1 {
            return Some(Pick::Min);
        }
        if r == self.count {
            return Some(Pick::Max);
        }
        let mut cumulative = 0;
        for b in self.buckets() {
            cumulative += b.count;
            if cumulative >= r {
                return Some(Pick::In {
                    sum: b.sum,
                    count: b.count,
                });
            }
        }
        Some(Pick::Max)
    }

    /// The largest `⌈(1−q)·N⌉` values (at least one), for CVaR_q: `None` when empty, and no
    /// split when the tail is the maximum alone.
    pub fn tail(&self, q: f64) -> Option<Tail> {
        if self.count == 0 {
            return None;
        }
        let k = rank(1.0 - q, self.count);
        let mut tail = Tail {
            k,
            whole: 0,
            split: None,
        };
        if k == 1 {
            tail.whole = u128::from(self.max);
            return Some(tail);
        }
        let mut remaining = k;
        for i in (0..self.counts.len()).rev() {
            let c = self.counts[i];
            if c == 0 {
                continue;
            }
            if c <= remaining {
                tail.whole += self.sums[i];
                remaining -= c;
            } else {
                tail.split = Some((remaining, self.sums[i], c));
                remaining = 0;
            }
            if remaining == 0 {
                break;
            }
        }
        Some(tail)
    }

    /// `(x, P(X ≥ x))` for the lower bound `x` of each non-empty report bin, rising in `x`.
    /// Exact: every value below `x` lies in a lower bin.
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

    /// The non-empty bins merged into report bins, at the finest level that shows them in at
    /// most [`REPORT_BINS`] bins (quarter octaves when none does): bins chosen from the data,
    /// so a distribution that spans a few percent keeps its shape as one over decades does.
    /// The level depends only on the counts, so merged shards report the single run's bins.
    /// Counts stay exact because no bin straddles a report bin's edge.
    pub fn report_bins(&self) -> Vec<Bucket> {
        let mut level = B::FINEST_LEVEL;
        loop {
            let bins = self.report_bins_at(level);
            if bins.len() <= REPORT_BINS || level <= COARSEST_LEVEL {
                return bins;
            }
            level -= 1;
        }
    }

    /// The non-empty bins merged into the report bins of `level` ([`Binning::report`]).
    pub fn report_bins_at(&self, level: u32) -> Vec<Bucket> {
        let mut out: Vec<Bucket> = Vec::new();
        for b in self.buckets() {
            let (lower, upper) = B::report(b.lower, level);
            match out.last_mut() {
                Some(last) if last.lower == lower => {
                    last.count += b.count;
                    last.sum += b.sum;
                }
                _ => out.push(Bucket {
                    lower,
                    upper,
                    count: b.count,
                    sum: b.sum,
                }),
            }
        }
        out
    }

    /// The non-empty bins as `(index, count, sum)`: the wire form, so a file does not carry
    /// tens of thousands of zeros.
    pub fn sparse(&self) -> Vec<(u32, u64, u128)> {
        self.counts
            .iter()
            .zip(&self.sums)
            .enumerate()
            .filter(|(_, (count, _))| **count > 0)
            .map(|(i, (&count, &sum))| (i as u32, count, sum))
            .collect()
    }

    /// The histogram of a wire form, refused (with the reason) when [`Bins::record`] cannot
    /// have made it.
    pub fn from_sparse(
        count: u64,
        min: u64,
        max: u64,
        bins: &[(u32, u64, u128)],
    ) -> Result<Bins<B>, &'static str> {
        let mut h = Bins::new();
        let mut previous: Option<usize> = None;
        for &(index, n, sum) in bins {
            let i = index as usize;
            if i >= B::BINS || previous.is_some_and(|p| p >= i) {
                return Err("bucket indices must rise and stay in range");
            }
            let (lower, upper) = B::bounds(i);
            let c = u128::from(n);
            if n == 0 || sum < c * u128::from(lower) || sum > c * u128::from(upper) {
                return Err("a bucket's sum does not fit its count and bounds");
            }
            h.counts.resize(i + 1, 0);
            h.sums.resize(i + 1, 0);
            h.counts[i] = n;
            h.sums[i] = sum;
            h.count = h.count.checked_add(n).ok_or("count overflows")?;
            previous = Some(i);
        }
        if h.count != count {
            return Err("bucket counts do not add up to the total");
        }
        if let (Some(&(first, ..)), Some(&(last, ..))) = (bins.first(), bins.last()) {
            if min > max
                || B::index(min) != first as usize
                || B::index(max) != last as usize
                || min < B::bounds(first as usize).0
                || max > B::bounds(last as usize).1
            {
                return Err("min or max lies outside the buckets used");
            }
            h.min = min;
            h.max = max;
        }
        Ok(h)
    }
}

impl Histogram {
    /// The q-quantile (inverse CDF): the mean of the bucket holding the `⌈q·N⌉`-th smallest
    /// value. Exact when that bucket holds one distinct value, and for the first and last
    /// ranks (min and max); otherwise within the bucket. 0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        match self.pick(q) {
            None => 0.0,
            Some(Pick::Min) => self.min as f64,
            Some(Pick::Max) => self.max as f64,
            Some(Pick::In { sum, count }) => self.clamp(sum as f64 / count as f64),
        }
    }

    /// CVaR_q: the mean of the largest `⌈(1−q)·N⌉` values (at least one). Whole buckets
    /// contribute their exact sums; the one bucket split by the cut contributes its mean per
    /// value needed, which can only understate the true tail by less than that bucket's width.
    pub fn cvar(&self, q: f64) -> f64 {
        let Some(tail) = self.tail(q) else {
            return 0.0;
        };
        if tail.k == 1 {
            return self.max as f64;
        }
        let partial = tail.split.map_or(0.0, |(needed, sum, count)| {
            needed as f64 * (sum as f64 / count as f64)
        });
        self.clamp((tail.whole as f64 + partial) / tail.k as f64)
    }

    fn clamp(&self, v: f64) -> f64 {
        v.clamp(self.min as f64, self.max as f64)
    }
}

/// Wire form of a [`Histogram`]: only the non-empty buckets, as `[index, count, sum]`.
#[derive(Serialize, Deserialize)]
struct SparseHistogram {
    count: u64,
    min: u64,
    max: u64,
    buckets: Vec<(u32, u64, u128)>,
}

/// A shard file whose histogram cannot have come from [`Histogram::record`].
#[derive(Debug, thiserror::Error)]
#[error("invalid histogram: {0}")]
pub struct HistogramError(&'static str);

impl Serialize for Histogram {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SparseHistogram {
            count: self.count,
            min: self.min().unwrap_or(0),
            max: self.max().unwrap_or(0),
            buckets: self.sparse(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = SparseHistogram::deserialize(deserializer)?;
        Histogram::from_sparse(s.count, s.min, s.max, &s.buckets)
            .map_err(|why| serde::de::Error::custom(HistogramError(why)))
    }
}

#[cfg(test)]
mod tests;
