//! A fixed 512-bit unsigned integer, just wide enough for exact second moments.
//!
//! Sums of squares of 64-bit records overflow `u128` after a single extreme value, and the
//! variance and ratio-estimator numerators (`N·Σx² − (Σx)²`, `(Σx)²·Σy² − …`) need up to
//! about 450 bits. Computing them exactly and rounding once, at the end, to `f64` keeps the
//! standard errors free of cancellation, and keeps sums merge-order independent.

use std::ops::{Add, AddAssign, Mul};

use serde::{Deserialize, Serialize};

const LIMBS: usize = 8;

/// Little-endian 64-bit limbs. Arithmetic wraps modulo 2^512; every use in this module stays
/// far below that bound (see the sizes noted where products are formed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Wide([u64; LIMBS]);

impl Wide {
    pub const ZERO: Wide = Wide([0; LIMBS]);

    pub fn from_u128(v: u128) -> Wide {
        let mut limbs = [0; LIMBS];
        limbs[0] = v as u64;
        limbs[1] = (v >> 64) as u64;
        Wide(limbs)
    }

    /// `self − other`, or `None` when that would be negative.
    pub fn checked_sub(self, other: Wide) -> Option<Wide> {
        let mut out = [0; LIMBS];
        let mut borrow = false;
        for (i, slot) in out.iter_mut().enumerate() {
            let (d, b1) = self.0[i].overflowing_sub(other.0[i]);
            let (d, b2) = d.overflowing_sub(u64::from(borrow));
            *slot = d;
            borrow = b1 || b2;
        }
        (!borrow).then_some(Wide(out))
    }

    /// Bits needed to write the value (0 for zero).
    pub fn bits(self) -> u32 {
        self.0
            .iter()
            .rposition(|&limb| limb != 0)
            .map_or(0, |i| 64 * i as u32 + 64 - self.0[i].leading_zeros())
    }

    /// Nearest-ish `f64` (a few ulps): the limbs are folded from the top.
    pub fn to_f64(self) -> f64 {
        const RADIX: f64 = 18_446_744_073_709_551_616.0; // 2^64
        self.0
            .iter()
            .rev()
            .fold(0.0, |acc, &limb| acc * RADIX + limb as f64)
    }
}

impl From<u128> for Wide {
    fn from(v: u128) -> Wide {
        Wide::from_u128(v)
    }
}

impl Add for Wide {
    type Output = Wide;
    fn add(self, other: Wide) -> Wide {
        let mut out = [0; LIMBS];
        let mut carry = false;
        for (i, slot) in out.iter_mut().enumerate() {
            let (s, c1) = self.0[i].overflowing_add(other.0[i]);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            *slot = s;
            carry = c1 || c2;
        }
        debug_assert!(!carry, "512-bit overflow");
        Wide(out)
    }
}

impl AddAssign for Wide {
    fn add_assign(&mut self, other: Wide) {
        *self = *self + other;
    }
}

impl AddAssign<u128> for Wide {
    /// The hot path of [`super::Moments::add`]: touches two limbs plus any carry.
    fn add_assign(&mut self, v: u128) {
        let (lo, c1) = self.0[0].overflowing_add(v as u64);
        self.0[0] = lo;
        let (hi, c2) = self.0[1].overflowing_add((v >> 64) as u64);
        let (hi, c3) = hi.overflowing_add(u64::from(c1));
        self.0[1] = hi;
        let mut carry = c2 || c3;
        for limb in &mut self.0[2..] {
            if !carry {
                break;
            }
            let (s, c) = limb.overflowing_add(1);
            *limb = s;
            carry = c;
        }
        debug_assert!(!carry, "512-bit overflow");
    }
}

impl Mul for Wide {
    type Output = Wide;
    /// Schoolbook product, truncated to 512 bits.
    fn mul(self, other: Wide) -> Wide {
        let mut out = [0u64; LIMBS];
        for i in 0..LIMBS {
            if self.0[i] == 0 {
                continue;
            }
            let mut carry: u128 = 0;
            for j in 0..LIMBS - i {
                let t =
                    u128::from(self.0[i]) * u128::from(other.0[j]) + u128::from(out[i + j]) + carry;
                out[i + j] = t as u64;
                carry = t >> 64;
            }
        }
        Wide(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_matches_u128_where_it_fits() {
        let a = Wide::from(123_456_789_012_345_678_901_234_567u128);
        let b = Wide::from(987_654_321u128);
        assert_eq!(
            a + b,
            Wide::from(123_456_789_012_345_678_901_234_567u128 + 987_654_321)
        );
        assert_eq!(
            a * b,
            Wide::from(123_456_789_012_345_678_901_234_567u128 * 987_654_321)
        );
        assert_eq!(
            a.checked_sub(b),
            Some(Wide::from(
                123_456_789_012_345_678_901_234_567u128 - 987_654_321
            ))
        );
        assert_eq!(b.checked_sub(a), None);
    }

    #[test]
    fn carries_cross_limbs() {
        let max = Wide::from(u128::MAX);
        let square = max * max; // 2^256 − 2^129 + 1
        let mut expected = [0u64; LIMBS];
        expected[0] = 1;
        expected[2] = u64::MAX - 1;
        expected[3] = u64::MAX;
        assert_eq!(square, Wide(expected));
        assert_eq!(square.bits(), 256);
        assert_eq!((Wide::ZERO.bits(), Wide::from(1u128).bits()), (0, 1));
        let mut acc = max;
        acc += 1u128;
        assert_eq!(acc, Wide([0, 0, 1, 0, 0, 0, 0, 0]));
        assert_eq!(
            (square + Wide::from(1u128)).checked_sub(square),
            Some(Wide::from(1u128))
        );
        let expected_f = (u128::MAX as f64) * (u128::MAX as f64);
        assert!((square.to_f64() / expected_f - 1.0).abs() < 1e-15);
    }
}
