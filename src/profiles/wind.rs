//! Wind capacity factor: a persistent Gaussian wind index through a fleet power curve.
//!
//! The model, for hour t of day d:
//!
//! ```text
//! index(t) = offset + A_s cos(2π (d − windiest_day) / 365.25)
//!                   + A_d cos(2π (t mod 24 + ½ − windiest_hour) / 24)
//!                   + spread · z(t)
//! CF(t)    = 1 / (1 + exp(−index(t)))
//! ```
//!
//! where z is the weather: an AR(1) passed through a one-hour smoothing filter (an AR(2) with
//! real roots φ and 0.3, unit variance, lag-1 correlation `lag1`; see
//! [`Draws::smoothed_ar1`]).
//!
//! Why a logistic power curve: a fleet's output is the average of many turbines' cubic-then-
//! flat power curves at different wind speeds, a smooth S-curve from 0 to 1. On RTS-GMLC the
//! logit of the fleet capacity factor is close to linear in the normal score of its rank
//! (logit CF ≈ −1.24 + 2.4 z from the 5th to the 95th percentile), so a Gaussian index with a
//! standard deviation of about 2.4 reproduces the whole distribution: a quarter of hours
//! below 5 %, a median of 0.225, a 95th percentile of 0.935. The defaults share that variance
//! (2.1² + 1.6²/2 + 0.5²/2 ≈ 2.4²) between the weather, the seasons (RTS-GMLC: monthly means
//! from 0.15 in August to 0.63 in January) and a night-time maximum (hourly means 0.40 at 2 h,
//! 0.25 at 14 h).
//!
//! Why the smoothed AR(1): RTS-GMLC's autocorrelation is 0.973 at one hour but only 0.410 at
//! a day (0.76 at 6 h, 0.54 at 12 h). A plain AR(1) cannot have both: with 0.973 at an hour
//! it keeps 0.52 at a day. Fronts pass in a day or two (φ ≈ 0.954 per hour, an e-folding time
//! of 21 h), while a fleet spread over a region changes smoothly from hour to hour (the
//! second root). The long low stretches of z, with the low summer mean, make the calm spells
//! (RTS-GMLC's longest run below 10 % is 183 h).
//!
//! `offset` is found by bisection on the generated index of all weather years together, so the
//! mean capacity factor over all years is `mean_cf` exactly while the years differ as windy and
//! calm years do.

use super::draws::Draws;
use super::{bisect, daily_cycle, day_and_hour, yearly_cycle};

/// Root of the hour-to-hour smoothing of the weather index (see [`Draws::smoothed_ar1`]).
const SMOOTHING: f64 = 0.3;

/// Parameters of one wind series. All but `mean_cf` default to the RTS-GMLC calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct WindSpec {
    /// Mean capacity factor over all hours of all weather years.
    pub mean_cf: f64,
    /// Lag-1 (hourly) correlation of the weather part of the index.
    pub lag1: f64,
    /// Standard deviation of the weather part of the index, logit units.
    pub spread: f64,
    /// Amplitude of the yearly cycle of the index, logit units.
    pub seasonal_amplitude: f64,
    /// Day of the year (0 = 1 January) when the seasonal term is largest.
    pub windiest_day: f64,
    /// Amplitude of the daily cycle of the index, logit units.
    pub diurnal_amplitude: f64,
    /// Hour of the day when the daily term is largest (night-time, as over the US plains).
    pub windiest_hour: f64,
}

impl WindSpec {
    pub const DEFAULT_LAG1: f64 = 0.975;
    pub const DEFAULT_SPREAD: f64 = 2.1;
    pub const DEFAULT_SEASONAL_AMPLITUDE: f64 = 1.6;
    pub const DEFAULT_WINDIEST_DAY: f64 = 15.0;
    pub const DEFAULT_DIURNAL_AMPLITUDE: f64 = 0.5;
    pub const DEFAULT_WINDIEST_HOUR: f64 = 2.0;

    /// A spec with the default shape and the given mean capacity factor.
    pub fn with_mean(mean_cf: f64) -> WindSpec {
        WindSpec {
            mean_cf,
            lag1: Self::DEFAULT_LAG1,
            spread: Self::DEFAULT_SPREAD,
            seasonal_amplitude: Self::DEFAULT_SEASONAL_AMPLITUDE,
            windiest_day: Self::DEFAULT_WINDIEST_DAY,
            diurnal_amplitude: Self::DEFAULT_DIURNAL_AMPLITUDE,
            windiest_hour: Self::DEFAULT_WINDIEST_HOUR,
        }
    }
}

/// Capacity factors per weather year (one `Draws` per year).
pub fn generate(spec: &WindSpec, hours: usize, draws: &mut [Draws]) -> Vec<Vec<f64>> {
    let index: Vec<Vec<f64>> = draws
        .iter_mut()
        .map(|d| wind_index(spec, hours, d))
        .collect();
    let mean_cf = |offset: f64| {
        let total: f64 = index
            .iter()
            .flatten()
            .map(|&x| power_curve(x + offset))
            .sum();
        total / (hours * index.len()) as f64
    };
    let offset = bisect(-30.0, 30.0, spec.mean_cf, mean_cf);
    index
        .iter()
        .map(|year| year.iter().map(|&x| power_curve(x + offset)).collect())
        .collect()
}

/// The wind index without its offset: seasons, time of day and the weather of one year.
fn wind_index(spec: &WindSpec, hours: usize, draws: &mut Draws) -> Vec<f64> {
    let weather = draws.smoothed_ar1(hours, spec.lag1, SMOOTHING);
    (0..hours)
        .map(|t| {
            let (day, hour) = day_and_hour(t);
            spec.seasonal_amplitude * yearly_cycle(day as f64, spec.windiest_day)
                + spec.diurnal_amplitude * daily_cycle(hour, spec.windiest_hour)
                + spec.spread * weather[t]
        })
        .collect()
}

/// The fleet power curve: capacity factor of a wind index, logistic.
pub fn power_curve(index: f64) -> f64 {
    1.0 / (1.0 + (-index).exp())
}
