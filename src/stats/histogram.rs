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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "SparseHistogram", try_from = "SparseHistogram")]
pub struct Histogram {
    /// Dense up to the highest bucket used; `sums` has the same length.
    counts: Vec<u64>,
    sums: Vec<u128>,
    count: u64,
    /// `u64::MAX` and 0 while empty, so that `min`/`max` merge without a special case.
    min: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram {
            counts: Vec::new(),
            sums: Vec::new(),
            count: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    pub fn record(&mut self, v: u64) {
        let i = bucket_index(v);
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

    /// Adds another histogram's buckets; integer sums, so merge order never matters.
    pub fn merge(&mut self, other: &Histogram) {
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

    /// Non-empty buckets, from the lowest.
    pub fn buckets(&self) -> impl Iterator<Item = Bucket> + '_ {
        self.counts
            .iter()
            .zip(&self.sums)
            .enumerate()
            .filter(|(_, (count, _))| **count > 0)
            .map(|(i, (&count, &sum))| {
                let (lower, upper) = bucket_bounds(i);
                Bucket {
                    lower,
                    upper,
                    count,
                    sum,
                }
            })
    }

    /// The q-quantile (inverse CDF): the mean of the bucket holding the `⌈q·N⌉`-th smallest
    /// value. Exact when that bucket holds one distinct value, and for the first and last
    /// ranks (min and max); otherwise within the bucket. 0 when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let r = rank(q, self.count);
        if r == 1 {
            return self.min as f64;
        }
        if r == self.count {
            return self.max as f64;
        }
        let mut cumulative = 0;
        for b in self.buckets() {
            cumulative += b.count;
            if cumulative >= r {
                return self.clamp(b.sum as f64 / b.count as f64);
            }
        }
        self.max as f64
    }

    /// CVaR_q: the mean of the largest `⌈(1−q)·N⌉` values (at least one). Whole buckets
    /// contribute their exact sums; the one bucket split by the cut contributes its mean per
    /// value needed, which can only understate the true tail by less than that bucket's width.
    pub fn cvar(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let k = rank(1.0 - q, self.count);
        if k == 1 {
            return self.max as f64;
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
                partial = remaining as f64 * (self.sums[i] as f64 / c as f64);
                remaining = 0;
            }
            if remaining == 0 {
                break;
            }
        }
        self.clamp((whole as f64 + partial) / k as f64)
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

    /// The non-empty buckets merged into report bins: zero alone, then quarter octaves
    /// ([4·2^e, 5·2^e), [5·2^e, 6·2^e), …; values 1 to 7 each alone). A report then has at most
    /// about 250 bins whatever the number of trajectories, and the counts stay exact because
    /// no fine bucket straddles a quarter-octave boundary.
    pub fn report_bins(&self) -> Vec<Bucket> {
        let mut out: Vec<Bucket> = Vec::new();
        for b in self.buckets() {
            let (lower, upper) = quarter_octave(b.lower);
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

    fn clamp(&self, v: f64) -> f64 {
        v.clamp(self.min as f64, self.max as f64)
    }
}

/// Bounds (inclusive) of the quarter-octave report bin holding `v`.
fn quarter_octave(v: u64) -> (u64, u64) {
    if v < 8 {
        return (v, v);
    }
    let e = 63 - v.leading_zeros() - 2;
    let lower = (v >> e) << e;
    (lower, lower + ((1u64 << e) - 1))
}

/// Wire form of a [`Histogram`]: only the non-empty buckets, as `[index, count, sum]`, so a
/// shard file does not carry tens of thousands of zeros.
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

impl From<Histogram> for SparseHistogram {
    fn from(h: Histogram) -> Self {
        let buckets = h
            .counts
            .iter()
            .zip(&h.sums)
            .enumerate()
            .filter(|(_, (count, _))| **count > 0)
            .map(|(i, (&count, &sum))| (i as u32, count, sum))
            .collect();
        SparseHistogram {
            count: h.count,
            min: h.min().unwrap_or(0),
            max: h.max().unwrap_or(0),
            buckets,
        }
    }
}

impl TryFrom<SparseHistogram> for Histogram {
    type Error = HistogramError;

    fn try_from(s: SparseHistogram) -> Result<Self, Self::Error> {
        let mut h = Histogram::new();
        let mut previous: Option<usize> = None;
        for &(index, count, sum) in &s.buckets {
            let i = index as usize;
            if i >= BUCKETS || previous.is_some_and(|p| p >= i) {
                return Err(HistogramError("bucket indices must rise and stay in range"));
            }
            let (lower, upper) = bucket_bounds(i);
            let (c, s) = (u128::from(count), sum);
            if count == 0 || s < c * u128::from(lower) || s > c * u128::from(upper) {
                return Err(HistogramError(
                    "a bucket's sum does not fit its count and bounds",
                ));
            }
            h.counts.resize(i + 1, 0);
            h.sums.resize(i + 1, 0);
            h.counts[i] = count;
            h.sums[i] = sum;
            h.count = h
                .count
                .checked_add(count)
                .ok_or(HistogramError("count overflows"))?;
            previous = Some(i);
        }
        if h.count != s.count {
            return Err(HistogramError("bucket counts do not add up to the total"));
        }
        if let (Some(&(first, ..)), Some(&(last, ..))) = (s.buckets.first(), s.buckets.last()) {
            if bucket_index(s.min) != first as usize
                || bucket_index(s.max) != last as usize
                || s.min > s.max
            {
                return Err(HistogramError("min or max lies outside the buckets used"));
            }
            h.min = s.min;
            h.max = s.max;
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests;
