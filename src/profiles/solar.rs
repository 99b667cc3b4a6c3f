//! Solar capacity factor: the clear-sky shape of the sun's elevation times a clearness index.
//!
//! The model, for hour t of day d (solar time; hour t stands for its middle, t + ½):
//!
//! ```text
//! sin α(t)  = sin φ sin δ(d) + cos φ cos δ(d) cos ω(t)      (φ latitude, δ declination,
//!                                                            ω = 15° (t mod 24 + ½ − 12))
//! clear(t)  = max(sin α, 0)^γ                               (γ `shape_exponent`)
//! K(d)      = 1 / (1 + exp(−(logit(clearness_median) + clearness_spread · c(d))))
//! CF(t)     = min(1, scale · K(d) · exp(0.08 ε(t) − 0.0032) · clear(t))
//! ```
//!
//! with c an AR(1) over days (cloudy spells last a few days) and ε(t) independent hourly
//! noise (passing clouds). The night is exactly zero.
//!
//! Why these pieces: day length and noon height follow from latitude and season; at about
//! 34° N RTS-GMLC's fleet produces something in 48.4 % of hours (the model: 50 %, as it counts every hour
//! whose middle is after sunrise). Its mean daily profile is flat-topped — relative to its
//! highest hour 0.14, 0.43, 0.76, 0.91, 0.97, 1, 1, 0.97, 0.93, 0.86, 0.69, 0.36, 0.10, from
//! trackers and inverter clipping — and γ = 0.3 gives 0.17, 0.42, 0.73, 0.86, 0.93, 0.98, 1,
//! 1, 0.98, … (γ = 1 is a flat, horizontal panel, much more peaked). The daily clearness index
//! is the usual way to separate weather from geometry; a logistic keeps it in (0, 1) and skews
//! it towards clear days as in a sunny climate. Not modelled: seasons of cloudiness (RTS-GMLC's
//! monthly means, 0.70 to 1 of the best month, vary less than its geometry alone, about 0.6
//! to 1, because of summer monsoon clouds).
//!
//! `scale` is found by bisection on the generated clearness of all weather years together, so
//! the mean capacity factor over all years is `mean_cf` exactly.

use super::draws::Draws;
use super::{bisect, day_and_hour};

/// Standard deviation of the hourly noise of clearness (log units).
const HOURLY_NOISE: f64 = 0.08;

/// Parameters of one solar series. All but `mean_cf` and `latitude_deg` default to the
/// RTS-GMLC calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct SolarSpec {
    /// Mean capacity factor over all hours (night included) of all weather years.
    pub mean_cf: f64,
    /// Latitude of the plants, degrees (negative south of the equator).
    pub latitude_deg: f64,
    /// Exponent γ of the clear-sky shape max(sin α, 0)^γ: 1 for a horizontal panel, about 0.3
    /// for a fleet of single-axis trackers with clipping inverters.
    pub shape_exponent: f64,
    /// Median daily clearness index (share of the clear-sky output on a median day).
    pub clearness_median: f64,
    /// Standard deviation of the daily clearness index in logit units.
    pub clearness_spread: f64,
    /// Day-to-day correlation of the clearness index.
    pub clearness_lag1: f64,
}

impl SolarSpec {
    pub const DEFAULT_SHAPE_EXPONENT: f64 = 0.3;
    pub const DEFAULT_CLEARNESS_MEDIAN: f64 = 0.85;
    pub const DEFAULT_CLEARNESS_SPREAD: f64 = 1.0;
    pub const DEFAULT_CLEARNESS_LAG1: f64 = 0.5;

    /// A spec with the default shape at the given mean capacity factor and latitude.
    pub fn with_mean(mean_cf: f64, latitude_deg: f64) -> SolarSpec {
        SolarSpec {
            mean_cf,
            latitude_deg,
            shape_exponent: Self::DEFAULT_SHAPE_EXPONENT,
            clearness_median: Self::DEFAULT_CLEARNESS_MEDIAN,
            clearness_spread: Self::DEFAULT_CLEARNESS_SPREAD,
            clearness_lag1: Self::DEFAULT_CLEARNESS_LAG1,
        }
    }
}

/// Capacity factors per weather year (one `Draws` per year).
pub fn generate(spec: &SolarSpec, hours: usize, draws: &mut [Draws]) -> Vec<Vec<f64>> {
    let unscaled: Vec<Vec<f64>> = draws
        .iter_mut()
        .map(|d| cloudy_sky(spec, hours, d))
        .collect();
    let mean_cf = |scale: f64| {
        let total: f64 = unscaled
            .iter()
            .flatten()
            .map(|&x| (scale * x).min(1.0))
            .sum();
        total / (hours * unscaled.len()) as f64
    };
    let mut high = 1.0;
    while mean_cf(high) < spec.mean_cf && high < 1e12 {
        high *= 2.0;
    }
    let scale = bisect(0.0, high, spec.mean_cf, mean_cf);
    unscaled
        .iter()
        .map(|year| year.iter().map(|&x| (scale * x).min(1.0)).collect())
        .collect()
}

/// Clear-sky shape times clearness, before scaling, for one weather year.
fn cloudy_sky(spec: &SolarSpec, hours: usize, draws: &mut Draws) -> Vec<f64> {
    let days = hours.div_ceil(24);
    let clearness_logit = (spec.clearness_median / (1.0 - spec.clearness_median)).ln();
    let cloud = draws.ar1(days, spec.clearness_lag1);
    let mut out = Vec::with_capacity(hours);
    for t in 0..hours {
        let (day, hour) = day_and_hour(t);
        let clearness =
            1.0 / (1.0 + (-(clearness_logit + spec.clearness_spread * cloud[day])).exp());
        let passing = (HOURLY_NOISE * draws.normal() - 0.5 * HOURLY_NOISE * HOURLY_NOISE).exp();
        let clear = sun_elevation_sine(spec.latitude_deg, day, hour).max(0.0);
        out.push(clearness * passing * clear.powf(spec.shape_exponent));
    }
    out
}

/// Sine of the sun's elevation in the middle of `hour` (solar time) of `day` (0 = 1 January),
/// with Cooper's declination δ = 23.44° sin(2π (284 + n) / 365), n the day of the year from 1.
pub fn sun_elevation_sine(latitude_deg: f64, day: usize, hour: usize) -> f64 {
    let n = (day % 366) as f64 + 1.0;
    let declination = 23.44f64.to_radians() * (std::f64::consts::TAU * (284.0 + n) / 365.0).sin();
    let hour_angle = (15.0 * (hour as f64 + 0.5 - 12.0)).to_radians();
    let latitude = latitude_deg.to_radians();
    latitude.sin() * declination.sin() + latitude.cos() * declination.cos() * hour_angle.cos()
}
