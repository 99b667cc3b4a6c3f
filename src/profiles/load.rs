//! Load: a weekday/weekend daily shape plus cooling and heating driven by a synthetic
//! temperature, raised to a power that sets the load factor.
//!
//! The model, for hour t of day d (day 0 a Monday):
//!
//! ```text
//! T(t)     = T̄ + A cos(2π (d − 200) / 365.25) + R cos(2π (t mod 24 + ½ − 15) / 24) + a(t)
//! shape(t) = base(t mod 24, weekday or weekend) + c (T − T_c)⁺ + h (T_h − T)⁺
//! L(t)     = peak_mw · (shape(t) / M)^p
//! ```
//!
//! `a(t)` is the weather of the year: a daily AR(1) temperature anomaly (standard deviation
//! `temperature_sd`, day-to-day correlation 0.7, interpolated between mid-days so the load has
//! no step at midnight). Hot spells make the peaks, and their size differs from year to year
//! as it does in the records planners use.
//!
//! Why degree-days: the weather-sensitive part of demand is cooling above a comfort
//! temperature and heating below one, so a hot afternoon adds to the daily shape. Summer-
//! peaking systems (`summer_peak = true`, a warm climate, cooling 5 % of the mean load per °C)
//! and winter-peaking ones (a cold climate with electric heating) differ only in climate and
//! sensitivities. RTS-GMLC (summer-peaking, South-west) has monthly means from 3,625 MW in
//! March to 5,604 MW in July and hourly means from 0.67 of the highest at 3 h to the highest at
//! 18 h; its minimum is 0.333 of its peak. With the defaults, a peak of 8,192 MW and its load
//! factor of 0.523, the model's monthly means run from about 3,700 MW in spring and autumn to
//! about 5,500 MW in July, and its minimum is 0.31 to 0.33 of each year's peak.
//!
//! Why a power: the peak and the load factor are set by the planner, the shape by the model.
//! With x = shape / max(shape) in (0, 1], the mean of xᵖ falls as p grows, so a single exponent
//! p (found by doubling then bisection; the mean of (x/M)ᵖ is convex in p) gives the load
//! factor while the timing of peaks and troughs is kept. `M` is the peak of the median
//! weather year (the lower middle one for an even count), so **`peak_mw` is the peak of the
//! median weather year — a 50/50 peak forecast — and `load_factor` is the mean over all years
//! divided by `peak_mw`**. Hotter years peak above `peak_mw`, milder ones below.

use super::draws::Draws;
use super::{bisect, daily_cycle, day_and_hour, yearly_cycle};

/// Parameters of one load series. `temperature_sd` defaults to the RTS-GMLC calibration.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadSpec {
    /// Peak of the median weather year, MW.
    pub peak_mw: f64,
    /// Mean load over all weather years divided by `peak_mw`.
    pub load_factor: f64,
    /// Summer-peaking (warm climate, cooling) or winter-peaking (cold climate, heating).
    pub summer_peak: bool,
    /// Standard deviation of the daily temperature anomaly, °C.
    pub temperature_sd: f64,
}

impl LoadSpec {
    pub const DEFAULT_TEMPERATURE_SD: f64 = 2.5;
}

/// Day-to-day correlation of the temperature anomaly.
const TEMPERATURE_LAG1: f64 = 0.7;

/// Mean temperatures and the load's sensitivity to them (per °C, relative to the mean of the
/// daily shape).
struct Climate {
    mean_c: f64,
    seasonal_amplitude_c: f64,
    daily_amplitude_c: f64,
    cooling_above_c: f64,
    cooling_per_c: f64,
    heating_below_c: f64,
    heating_per_c: f64,
}

/// A warm climate with air conditioning: summers of 27 °C on average, mild winters.
const SUMMER_PEAKING: Climate = Climate {
    mean_c: 17.0,
    seasonal_amplitude_c: 10.0,
    daily_amplitude_c: 5.0,
    cooling_above_c: 18.0,
    cooling_per_c: 0.05,
    heating_below_c: 10.0,
    heating_per_c: 0.01,
};

/// A cold climate with electric heating: winters near 0 °C, summers of 20 °C.
const WINTER_PEAKING: Climate = Climate {
    mean_c: 9.0,
    seasonal_amplitude_c: 10.0,
    daily_amplitude_c: 4.0,
    cooling_above_c: 22.0,
    cooling_per_c: 0.02,
    heating_below_c: 15.0,
    heating_per_c: 0.03,
};

/// Hottest day of the year (0 = 1 January; 19 July) and hottest hour of the day.
const HOTTEST_DAY: f64 = 200.0;
const HOTTEST_HOUR: f64 = 15.0;

/// Daily shape of a working day, hour 0 to 23, mean 1: a night trough at 3–4 h, a morning
/// rise, a plateau through the afternoon and an evening peak (a typical US utility shape).
const WEEKDAY: [f64; 24] = [
    0.80, 0.76, 0.74, 0.73, 0.74, 0.78, 0.86, 0.95, 1.01, 1.04, 1.06, 1.07, 1.08, 1.08, 1.08, 1.08,
    1.09, 1.12, 1.14, 1.13, 1.10, 1.03, 0.94, 0.86,
];

/// Daily shape of a weekend day: a later, lower morning and 5–8 % less by day.
const WEEKEND: [f64; 24] = [
    0.80, 0.75, 0.72, 0.70, 0.70, 0.71, 0.73, 0.78, 0.85, 0.91, 0.95, 0.97, 0.98, 0.98, 0.98, 0.98,
    0.99, 1.03, 1.07, 1.07, 1.04, 0.98, 0.91, 0.84,
];

/// Load in MW per weather year (one `Draws` per year).
pub fn generate(spec: &LoadSpec, hours: usize, draws: &mut [Draws]) -> Vec<Vec<f64>> {
    let climate = if spec.summer_peak {
        &SUMMER_PEAKING
    } else {
        &WINTER_PEAKING
    };
    let shapes: Vec<Vec<f64>> = draws
        .iter_mut()
        .map(|d| {
            let temperature = temperature(climate, spec.temperature_sd, hours, d);
            demand_shape(climate, &temperature)
        })
        .collect();
    let highest = shapes.iter().flatten().copied().fold(f64::MIN, f64::max);
    let mut peaks: Vec<f64> = shapes
        .iter()
        .map(|y| y.iter().copied().fold(f64::MIN, f64::max) / highest)
        .collect();
    peaks.sort_by(f64::total_cmp);
    let median_peak = peaks[(peaks.len() - 1) / 2];
    let relative: Vec<Vec<f64>> = shapes
        .iter()
        .map(|y| y.iter().map(|&s| s / highest / median_peak).collect())
        .collect();
    let p = load_factor_exponent(&relative, spec.load_factor);
    relative
        .iter()
        .map(|y| y.iter().map(|&x| spec.peak_mw * x.powf(p)).collect())
        .collect()
}

/// The exponent p with mean(xᵖ) = `load_factor` over every hour of every year (x relative to
/// the median year's peak). Doubling finds the first p below the target; bisection between it
/// and its half finds the crossing. Capped at 64, far beyond any real load factor.
fn load_factor_exponent(relative: &[Vec<f64>], load_factor: f64) -> f64 {
    let count = relative.iter().map(Vec::len).sum::<usize>() as f64;
    let negative_mean =
        |p: f64| -relative.iter().flatten().map(|&x| x.powf(p)).sum::<f64>() / count;
    let mut high = 1.0;
    while negative_mean(high) < -load_factor && high < 64.0 {
        high *= 2.0;
    }
    bisect(0.0, high, -load_factor, negative_mean)
}

/// Hourly temperature of one weather year, °C.
fn temperature(climate: &Climate, sd: f64, hours: usize, draws: &mut Draws) -> Vec<f64> {
    // anomaly[j] is the anomaly at noon of day j − 1 (one before the first day, one after
    // the last), so every hour lies between two of them.
    let anomaly = draws.ar1(hours.div_ceil(24) + 2, TEMPERATURE_LAG1);
    (0..hours)
        .map(|t| {
            let (day, hour) = day_and_hour(t);
            let x = (t as f64 + 0.5 - 12.0) / 24.0 + 1.0;
            let k = x.floor() as usize;
            let weight = x - k as f64;
            let a = anomaly[k] * (1.0 - weight) + anomaly[k + 1] * weight;
            climate.mean_c
                + climate.seasonal_amplitude_c * yearly_cycle(day as f64, HOTTEST_DAY)
                + climate.daily_amplitude_c * daily_cycle(hour, HOTTEST_HOUR)
                + sd * a
        })
        .collect()
}

/// Daily shape plus cooling and heating, relative to the mean of the daily shape.
fn demand_shape(climate: &Climate, temperature: &[f64]) -> Vec<f64> {
    temperature
        .iter()
        .enumerate()
        .map(|(t, &c)| {
            let (day, hour) = day_and_hour(t);
            let base = if day % 7 < 5 {
                WEEKDAY[hour]
            } else {
                WEEKEND[hour]
            };
            base + climate.cooling_per_c * (c - climate.cooling_above_c).max(0.0)
                + climate.heating_per_c * (climate.heating_below_c - c).max(0.0)
        })
        .collect()
}
