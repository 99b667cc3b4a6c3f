//! Counter-based randomness: Philox4x32-10 and the integer samplers built on it.
//!
//! Every random number egap draws inside an engine is a pure function of
//! (seed, trajectory, stream, counter), so results do not depend on the backend, the
//! thread count or the chunk size. Everything here uses 32-bit arithmetic (the 64-bit
//! products are what WGSL computes from 16-bit halves) so that `shaders/rng.wgsl` reproduces
//! it bit for bit.

/// Philox4x32 round multipliers and Weyl key increments (Salmon et al., SC11).
const PHILOX_M0: u32 = 0xD251_1F53;
const PHILOX_M1: u32 = 0xCD9E_8D57;
const PHILOX_W0: u32 = 0x9E37_79B9;
const PHILOX_W1: u32 = 0xBB67_AE85;

/// High and low words of the 64-bit product of two 32-bit words.
#[inline(always)]
pub fn mul_hi_lo(a: u32, b: u32) -> (u32, u32) {
    let p = u64::from(a) * u64::from(b);
    ((p >> 32) as u32, p as u32)
}

#[inline(always)]
fn philox_round(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let (hi0, lo0) = mul_hi_lo(PHILOX_M0, ctr[0]);
    let (hi1, lo1) = mul_hi_lo(PHILOX_M1, ctr[2]);
    [hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0]
}

/// Philox4x32 with 10 rounds: four independent uniform words per counter.
#[inline]
pub fn philox4x32_10(ctr: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut ctr = ctr;
    let mut key = key;
    ctr = philox_round(ctr, key);
    for _ in 1..10 {
        key = [
            key[0].wrapping_add(PHILOX_W0),
            key[1].wrapping_add(PHILOX_W1),
        ];
        ctr = philox_round(ctr, key);
    }
    ctr
}

/// The random words for one draw of one stream of one trajectory.
///
/// Counter layout: (trajectory low word, stream, draw, trajectory high word); the key is
/// the 64-bit seed. A stream is one unit's outage process, so each unit's sequence of
/// sojourns is independent of every other unit's and of how many draws they made.
#[inline]
pub fn draw(seed: [u32; 2], trajectory: u64, stream: u32, counter: u32) -> [u32; 4] {
    philox4x32_10(
        [
            trajectory as u32,
            stream,
            counter,
            (trajectory >> 32) as u32,
        ],
        seed,
    )
}

/// Splits a 64-bit seed into the Philox key.
pub fn seed_key(seed: u64) -> [u32; 2] {
    [seed as u32, (seed >> 32) as u32]
}

/// Fractional bits of the fixed-point base-2 logarithms.
pub const LOG2_FRAC_BITS: u32 = 26;
/// Entries of the log2 interpolation table: log2(1 + i/256) for i in 0..=256.
pub const LOG2_TABLE_LEN: usize = 257;

/// log2(1 + i/256) in Q6.26 for i in 0..=256, rounded to nearest.
///
/// Built once on the host and handed to both engines as a table, so the engines agree even if
/// two hosts' `log2` differed in the last bit.
pub fn log2_table() -> [u32; LOG2_TABLE_LEN] {
    let mut table = [0u32; LOG2_TABLE_LEN];
    for (i, entry) in table.iter_mut().enumerate() {
        let x = 1.0 + i as f64 / 256.0;
        *entry = (x.log2() * f64::from(1u32 << LOG2_FRAC_BITS)).round() as u32;
    }
    table
}

/// −log2(u / 2^32) in Q6.26 for a uniform word u: an exponential variate in base 2, from
/// integer operations and a table only (no transcendental function in the engines).
///
/// u is made odd first so that zero cannot occur; the result lies in [0, 32 · 2^26].
/// Linear interpolation between 257 table points keeps the error below 5e-6.
#[inline]
pub fn neg_log2_q26(u: u32, table: &[u32; LOG2_TABLE_LEN]) -> u32 {
    let y = u | 1;
    let lz = y.leading_zeros();
    let exponent = 31 - lz;
    // Bits below the leading one, as a 32-bit fraction of one.
    let frac = (y << lz) << 1;
    let i = (frac >> 24) as usize;
    let r = (frac >> 12) & 0xFFF;
    let lo = table[i];
    let hi = table[i + 1];
    let log2_mantissa = lo + (((hi - lo) * r) >> 12);
    ((32 - exponent) << LOG2_FRAC_BITS) - log2_mantissa
}

/// ⌊a · b / 2^shift⌋, saturated to `u32::MAX`, for shift in 0..=95.
#[inline(always)]
pub fn mul_shr_sat(a: u32, b: u32, shift: u32) -> u32 {
    let (hi, lo) = mul_hi_lo(a, b);
    if shift >= 64 {
        return 0;
    }
    if shift >= 32 {
        return hi >> (shift - 32);
    }
    if shift == 0 {
        return if hi != 0 { u32::MAX } else { lo };
    }
    if (hi >> shift) != 0 {
        return u32::MAX;
    }
    (hi << (32 - shift)) | (lo >> shift)
}

/// A geometric sojourn law: hours until the next transition, P(X > k) = (1 − p)^k, k ≥ 0.
///
/// X = 1 + ⌊E / −log2(1 − p)⌋ with E = −log2(U) is exactly geometric for a continuous U; the
/// reciprocal 1 / −log2(1 − p) is kept as a 32-bit mantissa and a right shift so that
/// MTTFs from one hour to billions of hours keep full precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sojourn {
    pub mantissa: u32,
    pub shift: u32,
}

impl Sojourn {
    /// The law for per-hour transition probability `p` in (0, 1].
    pub fn from_probability(p: f64) -> Sojourn {
        debug_assert!(p > 0.0 && p <= 1.0);
        if p >= 1.0 {
            // Leaves after exactly one hour, every time.
            return Sojourn {
                mantissa: 0,
                shift: 0,
            };
        }
        let scale = 1.0 / -(-p).ln_1p() * std::f64::consts::LN_2;
        // scale = mantissa · 2^-(shift − 26) with mantissa in [2^31, 2^32).
        let e = scale.log2().floor() as i32;
        let extra = 31 - e; // mantissa = scale · 2^extra
        let mantissa = (scale * 2f64.powi(extra)).round().min(f64::from(u32::MAX)) as u32;
        let shift = (LOG2_FRAC_BITS as i32 + extra).max(0) as u32;
        Sojourn { mantissa, shift }
    }

    /// Hours of one sojourn (≥ 1) for the uniform word `u`, capped at `cap`.
    #[inline(always)]
    pub fn sample(self, u: u32, table: &[u32; LOG2_TABLE_LEN], cap: u32) -> u32 {
        let e = neg_log2_q26(u, table);
        let extra = mul_shr_sat(e, self.mantissa, self.shift);
        extra.min(cap - 1) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neg_log2_is_close_to_the_real_logarithm() {
        let table = log2_table();
        for &u in &[
            1u32,
            2,
            3,
            1000,
            1 << 20,
            0x8000_0000,
            0xC000_0001,
            u32::MAX - 2,
        ] {
            let y = f64::from(u | 1) / 2f64.powi(32);
            let exact = -y.log2();
            let got = f64::from(neg_log2_q26(u, &table)) / f64::from(1u32 << 26);
            assert!((got - exact).abs() < 5e-6, "u={u}: {got} vs {exact}");
        }
    }

    #[test]
    fn mul_shr_saturates_and_shifts() {
        assert_eq!(mul_shr_sat(1 << 31, 4, 0), u32::MAX);
        assert_eq!(mul_shr_sat(1 << 31, 4, 33), 1);
        assert_eq!(mul_shr_sat(3, 5, 1), 7);
        assert_eq!(mul_shr_sat(u32::MAX, u32::MAX, 64), 0);
        assert_eq!(mul_shr_sat(u32::MAX, u32::MAX, 32), u32::MAX - 1);
    }

    #[test]
    fn sojourn_mean_matches_the_geometric_mean() {
        // Mean of a geometric sojourn with p = 1/MTTF is MTTF; 200,000 draws give a standard
        // error of MTTF·sqrt(1-p)/sqrt(n) ≈ 0.22% of the mean; allow 4 SE.
        let table = log2_table();
        for &mttf in &[1.0f64, 2.0, 20.0, 1150.0, 1.0e6] {
            let law = Sojourn::from_probability(1.0 / mttf);
            let n = 200_000u32;
            let mut sum = 0f64;
            for i in 0..n {
                let u = draw([7, 9], 0, 0, i)[0];
                sum += f64::from(law.sample(u, &table, u32::MAX));
            }
            let mean = sum / f64::from(n);
            let se = mttf * (1.0 - 1.0 / mttf).sqrt() / f64::from(n).sqrt();
            assert!(
                (mean - mttf).abs() <= 4.0 * se + 1e-9,
                "mttf {mttf}: mean {mean}, se {se}"
            );
        }
    }

    #[test]
    fn sojourn_is_one_hour_when_transition_is_certain() {
        let table = log2_table();
        let law = Sojourn::from_probability(1.0);
        for i in 0..100 {
            assert_eq!(law.sample(draw([1, 2], 3, 4, i)[1], &table, 8760), 1);
        }
    }

    #[test]
    fn sojourn_probability_of_one_hour_is_p() {
        // P(X = 1) = p; p = 0.3, n = 100,000: SE = sqrt(p(1-p)/n) ≈ 0.00145; allow 4 SE.
        let table = log2_table();
        let law = Sojourn::from_probability(0.3);
        let n = 100_000u32;
        let ones = (0..n)
            .filter(|&i| law.sample(draw([5, 5], 1, 2, i)[2], &table, 100) == 1)
            .count();
        let share = ones as f64 / f64::from(n);
        assert!((share - 0.3).abs() < 4.0 * 0.00145, "{share}");
    }
}
