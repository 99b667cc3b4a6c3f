//! Per-trajectory scenario parameters, drawn on the host and handed to the engines as integer
//! blocks beside the tables (see `tables::param` for the layout).
//!
//! Each trajectory's draws come from a PCG generator seeded by Philox(seed, trajectory), so a
//! trajectory's parameters do not depend on which chunk, thread, shard or backend runs it.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;

use super::tables::{IdentityPart, NONE, param};
use super::uncertain::Uncertain;
use crate::engine::rng;

/// Philox stream reserved for parameter seeds (unit streams count up from 0).
const PARAMETER_STREAM: u32 = u32::MAX;

/// The laws of everything drawn once per trajectory.
#[derive(Clone, Debug)]
pub struct ParameterLaws {
    /// Cumulative probability of each weather year (last = 1).
    pub weather_year_cumulative: Vec<f64>,
    pub load_multiplier: Uncertain,
    pub project_probabilities: Vec<f64>,
    /// (size MW, utilization) of each added load.
    pub added_loads: Vec<(Uncertain, Uncertain)>,
    /// Power units per MW.
    pub units_per_mw: f64,
    /// Factor on the load multiplier of every trajectory (1 for a plain study): the knob a
    /// load-carrying-capability search turns, at most `compile::LOAD_SCALE_HEADROOM`.
    pub load_scale: f64,
    pub stride: usize,
    pub project_words: usize,
    pub energy: EnergySums,
}

/// The whole part and the Q32 fraction of a load multiplier `m` (see `param::LOAD_SCALE`).
pub fn multiplier_words(m: f64) -> (u32, u32) {
    let whole = m.floor();
    let fraction = ((m - whole) * 4294967296.0).round();
    if fraction >= 4294967296.0 {
        (whole as u32 + 1, 0)
    } else {
        (whole as u32, fraction as u32)
    }
}

/// Sums over the horizon, per weather year, from which the host computes a trajectory's
/// demand and renewable energy without an hourly pass.
///
/// Demand energy is m · ΣL + Σ_k P_k · Σshape_k, each product rounded to the nearest power
/// unit × hour (per region when there are several): it differs from the sum of the engines'
/// hourly demands (each rounded separately) by less than one power unit per hour, a few
/// parts per billion of a year's demand, and is exact when the multiplier is 1.
/// Renewable energy is exact: the sum of each plant's hourly output, precomputed.
#[derive(Clone, Debug)]
pub struct EnergySums {
    /// Σ_h load, power units × hours: `[year]`.
    pub load: Vec<u64>,
    /// Σ_h shape (Q16) of each added load: `[load][year]`.
    pub added_shape: Vec<Vec<u64>>,
    /// Σ_h output of each renewable plant: `[plant][year]`.
    pub renewable: Vec<Vec<u64>>,
    /// Queued project of each renewable plant (tables::NONE for none).
    pub renewable_project: Vec<u32>,
    /// With several regions: Σ_h load of each region, `[region][year]` (empty otherwise);
    /// the region of each added load and of each renewable plant.
    pub load_by_region: Vec<Vec<u64>>,
    pub added_region: Vec<usize>,
    pub renewable_region: Vec<usize>,
}

impl ParameterLaws {
    /// Feeds every law and sum to `eat`, for the study's identity: the laws as
    /// `IdentityPart::Laws`, the energy sums (functions of the profiles) as
    /// `IdentityPart::Profiles`. The destructuring names every field, so a field added to the
    /// laws cannot be left out.
    pub fn identity(&self, eat: &mut dyn FnMut(IdentityPart, &[u8])) {
        let ParameterLaws {
            weather_year_cumulative,
            load_multiplier,
            project_probabilities,
            added_loads,
            units_per_mw,
            load_scale,
            stride,
            project_words,
            energy:
                EnergySums {
                    load,
                    added_shape,
                    renewable,
                    renewable_project,
                    load_by_region,
                    added_region,
                    renewable_region,
                },
        } = self;
        /// A length, then each value's 8 bytes.
        fn words(
            eat: &mut dyn FnMut(IdentityPart, &[u8]),
            part: IdentityPart,
            xs: impl ExactSizeIterator<Item = u64>,
        ) {
            eat(part, &(xs.len() as u64).to_le_bytes());
            for x in xs {
                eat(part, &x.to_le_bytes());
            }
        }
        let laws = IdentityPart::Laws;
        for xs in [
            &weather_year_cumulative[..],
            project_probabilities,
            &[*units_per_mw, *load_scale],
        ] {
            words(eat, laws, xs.iter().map(|x| x.to_bits()));
        }
        let mut law = |bytes: &[u8]| eat(laws, bytes);
        load_multiplier.identity(&mut law);
        law(&(added_loads.len() as u64).to_le_bytes());
        for (size, utilization) in added_loads {
            size.identity(&mut law);
            utilization.identity(&mut law);
        }
        law(&(*stride as u64).to_le_bytes());
        law(&(*project_words as u64).to_le_bytes());
        let profiles = IdentityPart::Profiles;
        words(eat, profiles, load.iter().copied());
        for rows in [added_shape, renewable, load_by_region] {
            words(eat, profiles, [rows.len() as u64].into_iter());
            for row in rows {
                words(eat, profiles, row.iter().copied());
            }
        }
        words(
            eat,
            profiles,
            renewable_project.iter().map(|&x| u64::from(x)),
        );
        words(eat, profiles, added_region.iter().map(|&x| x as u64));
        words(eat, profiles, renewable_region.iter().map(|&x| x as u64));
    }

    /// Whether every trajectory gets the same parameters (no generator needed).
    pub fn is_fixed(&self) -> bool {
        self.weather_year_cumulative.len() == 1
            && self.load_multiplier.is_fixed()
            && self
                .project_probabilities
                .iter()
                .all(|&p| p == 0.0 || p == 1.0)
            && self
                .added_loads
                .iter()
                .all(|(s, u)| s.is_fixed() && u.is_fixed())
    }

    /// Writes the parameter block of `trajectory` into `block` (length `stride`).
    pub fn draw(&self, seed: u64, trajectory: u64, block: &mut [u32]) {
        let words = rng::draw(rng::seed_key(seed), trajectory, PARAMETER_STREAM, 0);
        let mut bytes = [0u8; 16];
        for (chunk, w) in bytes.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        let mut draws = Pcg64Mcg::from_seed(bytes);
        block.fill(0);
        let u: f64 = rand::RngExt::random(&mut draws);
        let year = self
            .weather_year_cumulative
            .partition_point(|&c| c <= u)
            .min(self.weather_year_cumulative.len() - 1);
        block[param::WEATHER_YEAR] = year as u32;
        let m = self.load_multiplier.sample(&mut draws) * self.load_scale;
        let (whole, fraction) = multiplier_words(m);
        block[param::LOAD_SCALE] = whole;
        block[param::LOAD_FRACTION] = fraction;
        for (j, &p) in self.project_probabilities.iter().enumerate() {
            let u: f64 = rand::RngExt::random(&mut draws);
            if u < p {
                block[param::PROJECTS + j / 32] |= 1 << (j % 32);
            }
        }
        let first = param::PROJECTS + self.project_words;
        for (k, (size, utilization)) in self.added_loads.iter().enumerate() {
            let mw = size.sample(&mut draws) * utilization.sample(&mut draws);
            block[first + k] = (mw * self.units_per_mw).round() as u32;
        }
        self.energies(block);
    }

    /// Fills the demand and renewable energy words of a block whose draws are made: the
    /// system's, and with several regions each region's (the system's are then their sums).
    fn energies(&self, block: &mut [u32]) {
        let year = block[param::WEATHER_YEAR] as usize;
        let e = &self.energy;
        let regions = e.load_by_region.len().max(1);
        let mut demand = vec![0u64; regions];
        let mut renewable = vec![0u64; regions];
        // The multiplier as the engines hold it, m · 2^32; energies rounded to nearest.
        let scale =
            u128::from(block[param::LOAD_SCALE]) << 32 | u128::from(block[param::LOAD_FRACTION]);
        let scaled = |sum: u64| ((scale * u128::from(sum) + (1 << 31)) >> 32) as u64;
        if e.load_by_region.is_empty() {
            demand[0] = scaled(e.load[year]);
        } else {
            for (r, sums) in e.load_by_region.iter().enumerate() {
                demand[r] = scaled(sums[year]);
            }
        }
        let first = param::PROJECTS + self.project_words;
        let at = |r: usize| if regions > 1 { r } else { 0 };
        for (k, shape) in e.added_shape.iter().enumerate() {
            demand[at(e.added_region[k])] +=
                ((u128::from(block[first + k]) * u128::from(shape[year]) + (1 << 30)) >> 31) as u64;
        }
        let online =
            |p: u32| p == NONE || (block[param::PROJECTS + (p / 32) as usize] >> (p % 32)) & 1 == 1;
        for (plant, sums) in e.renewable.iter().enumerate() {
            if online(e.renewable_project[plant]) {
                renewable[at(e.renewable_region[plant])] += sums[year];
            }
        }
        let put = |block: &mut [u32], at: usize, v: u64| {
            block[at] = v as u32;
            block[at + 1] = (v >> 32) as u32;
        };
        if regions > 1 {
            let base = first + e.added_shape.len();
            for r in 0..regions {
                put(block, base + param::REGION_WORDS * r, demand[r]);
                put(block, base + param::REGION_WORDS * r + 2, renewable[r]);
            }
        }
        put(block, param::DEMAND_ENERGY, demand.iter().sum());
        put(block, param::RENEWABLE_ENERGY, renewable.iter().sum());
    }

    /// Parameter blocks of trajectories `first .. first + count`, one after another, drawn
    /// on every core (so the host keeps up with a GPU); when every trajectory gets the same
    /// parameters, a single block (the engines then read it with stride 0).
    pub fn draw_chunk(&self, seed: u64, first: u64, count: usize) -> Vec<u32> {
        if self.is_fixed() {
            let mut block = vec![0u32; self.stride];
            self.draw(seed, first, &mut block);
            return block;
        }
        let mut blocks = vec![0u32; count * self.stride];
        blocks
            .par_chunks_mut(self.stride * 256)
            .enumerate()
            .for_each(|(c, chunk)| {
                for (i, block) in chunk.chunks_exact_mut(self.stride).enumerate() {
                    self.draw(seed, first + (c * 256 + i) as u64, block);
                }
            });
        blocks
    }
}
