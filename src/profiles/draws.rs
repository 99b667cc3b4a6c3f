//! Seeded random draws for the profile generator: one generator per series and weather year.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// The random stream of one series in one weather year.
///
/// Seeded from the spec's seed, an FNV-1a hash of the series *name* and the year's index,
/// mixed by SplitMix64, so a column depends on nothing else in the spec. Normal draws use the
/// Box–Muller transform written out here, so the output cannot change with a library's
/// sampling algorithm.
pub struct Draws {
    rng: Pcg64Mcg,
    spare: Option<f64>,
}

impl Draws {
    pub fn new(seed: u64, series: &str, year: usize) -> Draws {
        let name = series.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let a = splitmix64(seed ^ splitmix64(name));
        let b = splitmix64(a ^ splitmix64(year as u64 ^ 0x5eed_f00d_ea7e_1234));
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&a.to_le_bytes());
        bytes[8..].copy_from_slice(&b.to_le_bytes());
        Draws {
            rng: Pcg64Mcg::from_seed(bytes),
            spare: None,
        }
    }

    /// Uniform on (0, 1].
    fn uniform(&mut self) -> f64 {
        1.0 - rand::RngExt::random::<f64>(&mut self.rng)
    }

    /// Standard normal.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        let radius = (-2.0 * self.uniform().ln()).sqrt();
        let angle = std::f64::consts::TAU * self.uniform();
        self.spare = Some(radius * angle.sin());
        radius * angle.cos()
    }

    /// `n` steps of a stationary AR(1) with unit variance and lag-1 correlation `phi`:
    /// z₀ ~ N(0, 1), zₜ = φ zₜ₋₁ + √(1 − φ²) εₜ.
    pub fn ar1(&mut self, n: usize, phi: f64) -> Vec<f64> {
        let innovation = (1.0 - phi * phi).sqrt();
        let mut z = self.normal();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(z);
            z = phi * z + innovation * self.normal();
        }
        out
    }

    /// `n` steps of a unit-variance AR(1) seen through a first-order smoothing filter
    /// yₜ = s yₜ₋₁ + (1 − s) zₜ, rescaled to unit variance: an AR(2) with the real roots φ and
    /// s. φ is chosen so the lag-1 correlation of y is `lag1` ((φ + s) / (1 + φ s) = lag1).
    /// The smoothing makes hour-to-hour steps smaller than an AR(1) with the same
    /// correlation at a day, as in the output of a fleet spread over a region.
    pub fn smoothed_ar1(&mut self, n: usize, lag1: f64, smoothing: f64) -> Vec<f64> {
        let s = smoothing.min(lag1);
        let phi = (lag1 - s) / (1.0 - lag1 * s);
        let variance = (1.0 - s).powi(2) * (1.0 + s * phi) / ((1.0 - s * s) * (1.0 - s * phi));
        let scale = variance.sqrt().recip();
        // The filter forgets its start as sᵗ: 48 hours of warm-up are plenty.
        let warm_up = 48;
        let z = self.ar1(n + warm_up, phi);
        let mut y = z[0];
        let mut out = Vec::with_capacity(n);
        for (t, &zt) in z.iter().enumerate() {
            y = s * y + (1.0 - s) * zt;
            if t >= warm_up {
                out.push(scale * y);
            }
        }
        out
    }
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_name_and_year_only() {
        let first = |s: &str, y| Draws::new(7, s, y).normal();
        assert_eq!(first("wind", 0), first("wind", 0));
        assert_ne!(first("wind", 0), first("wind", 1));
        assert_ne!(first("wind", 0), first("solar", 0));
    }

    #[test]
    fn ar1_has_unit_variance_and_its_lag1() {
        let z = Draws::new(1, "x", 0).ar1(200_000, 0.9);
        let n = z.len() as f64;
        let var = z.iter().map(|v| v * v).sum::<f64>() / n;
        let lag1 = z.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / (n - 1.0) / var;
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        assert!((lag1 - 0.9).abs() < 0.01, "lag-1 {lag1}");
    }

    #[test]
    fn smoothed_ar1_has_unit_variance_and_its_lag1() {
        let y = Draws::new(2, "x", 0).smoothed_ar1(400_000, 0.97, 0.3);
        let n = y.len() as f64;
        let var = y.iter().map(|v| v * v).sum::<f64>() / n;
        let lag1 = y.windows(2).map(|w| w[0] * w[1]).sum::<f64>() / (n - 1.0) / var;
        assert!((var - 1.0).abs() < 0.05, "variance {var}");
        assert!((lag1 - 0.97).abs() < 0.005, "lag-1 {lag1}");
    }
}
