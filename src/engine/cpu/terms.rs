//! Hourly demand and renewable output of one trajectory, and their bounds over an interval.
//! Mirrors `shaders/terms.wgsl`.
//!
//! A term is a series value times a scale (see `TermRow`, `load_term`, `added_term`); because
//! each is monotone in the value, the maximum of a term over an interval is the term of the
//! series' maximum, read from the sparse tables in O(1). Sums of term maxima bound the sum's
//! maximum from above, which is all the shortfall and curtailment checks need to skip an
//! interval safely.
#![allow(
    clippy::needless_range_loop,
    reason = "keeps code comparable to the shaders"
)]

use crate::engine::rng::{mul_hi_lo, mul_shr_sat};
use crate::scenario::tables::{CompiledSystem, NONE, Q31_ONE, TermRow, param};

/// The parameters of one trajectory, unpacked from its parameter block.
pub struct Params<'a> {
    pub year: u32,
    /// The load multiplier: whole part and Q32 fraction (`param::LOAD_SCALE`).
    pub load_scale: u32,
    pub load_fraction: u32,
    pub demand_energy: u64,
    pub renewable_energy: u64,
    pub projects: &'a [u32],
    pub added_power: &'a [u32],
    /// With several regions: four words per region (demand and renewable energy).
    pub region_energy: &'a [u32],
}

impl<'a> Params<'a> {
    pub fn unpack(sys: &CompiledSystem, block: &'a [u32]) -> Params<'a> {
        let words = sys.header.project_words as usize;
        let first_added = param::PROJECTS + words;
        Params {
            year: block[param::WEATHER_YEAR],
            load_scale: block[param::LOAD_SCALE],
            load_fraction: block[param::LOAD_FRACTION],
            demand_energy: u64::from(block[param::DEMAND_ENERGY])
                | u64::from(block[param::DEMAND_ENERGY + 1]) << 32,
            renewable_energy: u64::from(block[param::RENEWABLE_ENERGY])
                | u64::from(block[param::RENEWABLE_ENERGY + 1]) << 32,
            projects: &block[param::PROJECTS..first_added],
            added_power: &block[first_added..first_added + sys.header.added_loads as usize],
            region_energy: &block[sys.header.param_regions as usize..],
        }
    }

    /// Demand and renewable energy of region `r` (studies with several regions).
    pub fn region_energies(&self, r: usize) -> (u64, u64) {
        let w = &self.region_energy[param::REGION_WORDS * r..];
        (
            u64::from(w[0]) | u64::from(w[1]) << 32,
            u64::from(w[2]) | u64::from(w[3]) << 32,
        )
    }

    /// Whether queued project `p` (or NONE: no project) is online in this trajectory.
    #[inline]
    pub fn online(&self, project: u32) -> bool {
        project == NONE || (self.projects[(project / 32) as usize] >> (project % 32)) & 1 == 1
    }
}

#[inline(always)]
pub fn term(scale: u32, value: u32) -> u32 {
    mul_shr_sat(scale, value, 16)
}

/// A load `value` (power units) times the trajectory's multiplier, rounded to the nearest
/// power unit (half up), saturating. The rounding is exact arithmetic on the multiplier as
/// held, so it is monotone in `value` and range bounds stay bounds.
#[inline(always)]
pub fn load_term(p: &Params, value: u32) -> u32 {
    let (hi, lo) = mul_hi_lo(value, p.load_fraction);
    let (whole_hi, whole) = mul_hi_lo(value, p.load_scale);
    if whole_hi != 0 {
        return u32::MAX;
    }
    whole.saturating_add(hi + (lo >> 31))
}

/// An added load's `power` (power units) times its Q31 `shape`, rounded to the nearest power
/// unit (half up).
#[inline(always)]
pub fn added_term(power: u32, shape: u32) -> u32 {
    let (hi, lo) = mul_hi_lo(power, shape);
    ((hi << 1) | (lo >> 31)) + ((lo >> 30) & 1)
}

/// Index of the first hour of `series` in weather year `year`.
#[inline(always)]
pub fn series_start(sys: &CompiledSystem, series: u32, stride: u32, year: u32) -> usize {
    ((series + year * stride) as usize) * sys.header.hours as usize
}

#[inline(always)]
pub fn series_value(sys: &CompiledSystem, t: &TermRow, year: u32, hour: u32) -> u32 {
    if t.series == NONE {
        return Q31_ONE;
    }
    sys.series[series_start(sys, t.series, t.year_stride, year) + hour as usize]
}

/// Sparse-table lookup of the maximum (or minimum) of a series over hours [a, b), b > a.
#[inline(always)]
pub fn range_extreme(
    sys: &CompiledSystem,
    max: bool,
    series: u32,
    stride: u32,
    year: u32,
    a: u32,
    b: u32,
) -> u32 {
    let table = if max { &sys.range_max } else { &sys.range_min };
    if series == NONE {
        return Q31_ONE;
    }
    let hours = sys.header.hours;
    let k = 31 - (b - a).leading_zeros();
    let base = ((series + year * stride) * sys.header.range_levels + k) * hours;
    let x = table[(base + a) as usize];
    let y = table[(base + b - (1 << k)) as usize];
    if max { x.max(y) } else { x.min(y) }
}

/// Demand in hour `h`: load × multiplier plus every added load.
#[inline]
pub fn demand(sys: &CompiledSystem, p: &Params, h: u32) -> u32 {
    let mut d = load_term(p, series_value(sys, &sys.load, p.year, h));
    for k in 0..sys.added_loads.len() {
        d += added_term(
            p.added_power[k],
            series_value(sys, &sys.added_loads[k], p.year, h),
        );
    }
    d
}

/// Renewable output available in hour `h` from the online renewables.
#[inline]
pub fn renewable(sys: &CompiledSystem, p: &Params, h: u32) -> u32 {
    let mut r = 0;
    for t in &sys.renewables {
        if p.online(t.project) {
            r += term(t.scale, series_value(sys, t, p.year, h));
        }
    }
    r
}

/// Upper (`max = true`) or lower bound of demand over hours [a, b).
#[inline]
pub fn demand_bound(sys: &CompiledSystem, p: &Params, a: u32, b: u32, max: bool) -> u32 {
    let l = &sys.load;
    let mut d = load_term(
        p,
        range_extreme(sys, max, l.series, l.year_stride, p.year, a, b),
    );
    for k in 0..sys.added_loads.len() {
        let t = &sys.added_loads[k];
        d += added_term(
            p.added_power[k],
            range_extreme(sys, max, t.series, t.year_stride, p.year, a, b),
        );
    }
    d
}

/// Upper (`max = true`) or lower bound of renewable output over hours [a, b).
#[inline]
pub fn renewable_bound(sys: &CompiledSystem, p: &Params, a: u32, b: u32, max: bool) -> u32 {
    let mut r = 0;
    for t in &sys.renewables {
        if p.online(t.project) {
            r += term(
                t.scale,
                range_extreme(sys, max, t.series, t.year_stride, p.year, a, b),
            );
        }
    }
    r
}
