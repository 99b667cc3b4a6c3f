//! The summary read out of an [`Accumulator`]: adequacy metrics with 95% confidence
//! intervals, the distributions of shortfall, curtailment and the curtailment rate, and the
//! hourly risk profile.
//!
//! Every number is a deterministic function of the accumulator's integers, so equal
//! accumulators serialize to byte-identical summaries. No NaN or infinity can appear: empty
//! inputs read as zeros, and ratios with a zero denominator read as 0 with error 0.
//! Metrics are per trajectory, i.e. per study horizon of `hours` hours (a year when the
//! horizon is 8760 hours); they are not rescaled to a year.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

use super::histogram::Histogram;
use super::moments::{Moments, ratio_estimate};
use super::rate::{RateHistogram, rate_f64};
use super::{Accumulator, Units};

/// A Monte Carlo mean, its standard error, and the normal 95% interval around it, clipped to
/// the quantity's possible range (never below 0; rates never above 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub mean: f64,
    pub standard_error: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
}

impl Estimate {
    fn new(mean: f64, standard_error: f64, z: f64, ceiling: f64) -> Estimate {
        Estimate {
            mean,
            standard_error,
            ci95_low: (mean - z * standard_error).max(0.0),
            ci95_high: (mean + z * standard_error).min(ceiling),
        }
    }
}

/// The two-sided 95% critical value of the standard normal: the half-width of a 95%
/// interval in standard errors.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// Adequacy metrics, per trajectory (per horizon), in the field's usual units.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// LOLE in event-hours.
    pub lole_hours: Estimate,
    /// LOLE in event-days (a day with any shortfall counts once).
    pub lole_days: Estimate,
    pub eue_mwh: Estimate,
    /// Σ unserved / Σ demand × 10^6 (a ratio estimator; delta-method error).
    pub neue_ppm: Estimate,
    /// Share of trajectories with at least one shortfall hour.
    pub lolp: Estimate,
    /// Loss-of-load events (runs of consecutive shortfall hours).
    pub lolf_events: Estimate,
    /// Mean over trajectories of each trajectory's largest hourly shortfall.
    pub peak_shortfall_mw: Estimate,
    pub curtailment_mwh: Estimate,
    /// Σ curtailed / Σ available renewable energy, as a fraction (not %).
    pub curtailment_rate: Estimate,
    pub renewable_energy_mwh: Estimate,
    pub demand_energy_mwh: Estimate,
}

/// One histogram bin `[lower, upper)` in the distribution's unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub lower: f64,
    /// Exclusive: the next bucket's lower bound.
    pub upper: f64,
    pub count: u64,
}

/// One point of an exceedance curve: P(X ≥ value).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub value: f64,
    pub probability: f64,
}

/// The distribution of one per-trajectory quantity. Quantiles are accurate to the histogram's
/// bucket width (energies and hours: relative 2^-10, exact for small integers; rates:
/// relative 2^-7), and exact for the maximum.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    pub mean: f64,
    pub p5: f64,
    /// Lower quartile.
    #[serde(default)]
    pub p25: f64,
    pub p50: f64,
    /// Upper quartile.
    #[serde(default)]
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub p999: f64,
    pub max: f64,
    /// Mean of the worst 5% of trajectories (at least one).
    pub cvar95: f64,
    /// Non-empty bins only, rising.
    pub histogram: Vec<Bin>,
    /// At each non-empty bin's lower bound, rising in value.
    pub exceedance: Vec<Point>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Distributions {
    pub unserved_energy_mwh: Distribution,
    pub loss_of_load_hours: Distribution,
    pub curtailment_mwh: Distribution,
    /// Each trajectory's curtailment rate, curtailed / available renewable energy of that
    /// trajectory, as a fraction (not %), over the trajectories that had renewable energy.
    /// Its mean is the mean of the trajectories' rates, which differs from
    /// `metrics.curtailment_rate` (total curtailed / total available: a ratio of means).
    /// Bins: exactly 0 alone, then log-linear (see `stats::rate`), so a quantile is
    /// resolved relative to the rate itself, however small.
    #[serde(default)]
    pub curtailment_rate: Distribution,
    /// Trajectories with no renewable energy available: they have no curtailment rate and
    /// are left out of `curtailment_rate` (never counted as 0).
    #[serde(default)]
    pub trajectories_without_renewable: u64,
}

/// Risk in one hour of the horizon, across trajectories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HourRisk {
    /// From 0.
    pub hour: u32,
    /// Share of trajectories short in this hour.
    pub lolp: f64,
    /// Mean shortfall in this hour over all trajectories (zeros included).
    pub expected_shortfall_mw: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub trajectories: u64,
    /// The horizon every per-trajectory metric refers to.
    pub hours: u32,
    pub metrics: Metrics,
    pub distributions: Distributions,
    pub hourly: Vec<HourRisk>,
    /// Each region's metrics, distributions and hourly risk (studies with several regions).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<InterfaceSummary>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<StorageSummary>,
}

impl Summary {
    /// Whether any trajectory had renewable energy: without any, curtailment says nothing
    /// and reports leave it out.
    pub fn has_renewables(&self) -> bool {
        self.trajectories > self.distributions.trajectories_without_renewable
    }
}

/// One region's results: the same metrics, distributions and hourly risk as the system's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionSummary {
    pub name: String,
    pub metrics: Metrics,
    pub distributions: Distributions,
    pub hourly: Vec<HourRisk>,
}

/// What one interface carried, per trajectory (horizon), averaged over trajectories.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InterfaceSummary {
    pub name: String,
    /// Energy carried from → to, MWh per horizon.
    pub forward_energy_mwh: f64,
    /// Energy carried to → from, MWh per horizon.
    pub backward_energy_mwh: f64,
    /// Mean flow from → to over all hours (negative: net to → from), MW.
    pub mean_flow_mw: f64,
    /// Share of hours the flow from → to is at the hour's limit.
    pub share_at_forward_limit: f64,
    /// Share of hours the flow to → from is at the hour's limit.
    pub share_at_backward_limit: f64,
}

/// What one storage device did, per trajectory (horizon), averaged over trajectories.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StorageSummary {
    pub name: String,
    /// Energy drawn from the grid, MWh per horizon.
    pub charged_mwh: f64,
    /// Energy given to the grid, MWh per horizon.
    pub discharged_mwh: f64,
    /// Discharged energy over the energy capacity: equivalent full cycles per horizon.
    pub cycles: f64,
    pub share_of_hours_full: f64,
    pub share_of_hours_empty: f64,
}

impl Accumulator {
    pub fn summary(&self, units: &Units) -> Summary {
        let n = self.trajectories;
        let z = Normal::standard().inverse_cdf(0.975);
        let mw = units.power_unit_w as f64 / 1e6;
        let mean = |m: &Moments, scale: f64| {
            Estimate::new(
                m.mean(n) * scale,
                m.standard_error(n) * scale,
                z,
                f64::INFINITY,
            )
        };

        let (neue, neue_se) = ratio_estimate(
            &self.unserved_energy,
            &self.demand_energy,
            self.unserved_x_demand,
            n,
        );
        let (rate, rate_se) = ratio_estimate(
            &self.curtailed_energy,
            &self.renewable_energy,
            self.curtailed_x_renewable,
            n,
        );
        let lolp = if n == 0 {
            0.0
        } else {
            self.short_trajectories as f64 / n as f64
        };
        let lolp_se = if n == 0 {
            0.0
        } else {
            (lolp * (1.0 - lolp) / n as f64).sqrt()
        };

        let metrics = Metrics {
            lole_hours: mean(&self.loss_of_load_hours, 1.0),
            lole_days: mean(&self.loss_of_load_days, 1.0),
            eue_mwh: mean(&self.unserved_energy, mw),
            neue_ppm: Estimate::new(neue * 1e6, neue_se * 1e6, z, 1e6),
            lolp: Estimate::new(lolp, lolp_se, z, 1.0),
            lolf_events: mean(&self.loss_of_load_events, 1.0),
            peak_shortfall_mw: mean(&self.peak_shortfall, mw),
            curtailment_mwh: mean(&self.curtailed_energy, mw),
            curtailment_rate: Estimate::new(rate, rate_se, z, 1.0),
            renewable_energy_mwh: mean(&self.renewable_energy, mw),
            demand_energy_mwh: mean(&self.demand_energy, mw),
        };
        let distributions = Distributions {
            unserved_energy_mwh: distribution(&self.unserved_histogram, &self.unserved_energy, mw),
            loss_of_load_hours: distribution(
                &self.loss_of_load_hours_histogram,
                &self.loss_of_load_hours,
                1.0,
            ),
            curtailment_mwh: distribution(&self.curtailed_histogram, &self.curtailed_energy, mw),
            curtailment_rate: rate_distribution(&self.curtailment_rate_histogram),
            trajectories_without_renewable: self.curtailment_rate_histogram.undefined(),
        };
        let per_trajectory = if n == 0 { 0.0 } else { 1.0 / n as f64 };
        let hourly = self
            .hourly_short
            .iter()
            .zip(&self.hourly_shortfall)
            .enumerate()
            .map(|(hour, (&short, &shortfall))| HourRisk {
                hour: hour as u32,
                lolp: short as f64 * per_trajectory,
                expected_shortfall_mw: shortfall as f64 * per_trajectory * mw,
            })
            .collect();
        let (regions, interfaces, storage) = match self.network() {
            None => (Vec::new(), Vec::new(), Vec::new()),
            Some(net) => {
                let regions = net
                    .regions
                    .iter()
                    .zip(&net.region_names)
                    .map(|(acc, name)| {
                        let s = acc.summary(units);
                        RegionSummary {
                            name: name.clone(),
                            metrics: s.metrics,
                            distributions: s.distributions,
                            hourly: s.hourly,
                        }
                    })
                    .collect();
                let trajectory_hours = n as f64 * f64::from(units.hours);
                let share = |x: u128| {
                    if trajectory_hours == 0.0 {
                        0.0
                    } else {
                        x as f64 / trajectory_hours
                    }
                };
                let interfaces = net
                    .interfaces
                    .iter()
                    .zip(&net.interface_names)
                    .map(|(f, name)| InterfaceSummary {
                        name: name.clone(),
                        forward_energy_mwh: f.first_energy as f64 * per_trajectory * mw,
                        backward_energy_mwh: f.second_energy as f64 * per_trajectory * mw,
                        mean_flow_mw: (share(f.first_energy) - share(f.second_energy)) * mw,
                        share_at_forward_limit: share(f.first_hours),
                        share_at_backward_limit: share(f.second_hours),
                    })
                    .collect();
                let storage = net
                    .storage
                    .iter()
                    .zip(&net.storage_names)
                    .zip(&net.storage_energy)
                    .map(|((f, name), &energy)| StorageSummary {
                        name: name.clone(),
                        charged_mwh: f.first_energy as f64 * per_trajectory * mw,
                        discharged_mwh: f.second_energy as f64 * per_trajectory * mw,
                        cycles: if energy == 0 {
                            0.0
                        } else {
                            f.second_energy as f64 * per_trajectory / energy as f64
                        },
                        share_of_hours_full: share(f.first_hours),
                        share_of_hours_empty: share(f.second_hours),
                    })
                    .collect();
                (regions, interfaces, storage)
            }
        };
        Summary {
            trajectories: n,
            hours: units.hours,
            metrics,
            distributions,
            hourly,
            regions,
            interfaces,
            storage,
        }
    }
}

/// Reads a histogram out in the unit `scale` converts to (`moments` give the exact mean).
fn distribution(h: &Histogram, moments: &Moments, scale: f64) -> Distribution {
    let histogram = h
        .report_bins()
        .into_iter()
        .map(|b| Bin {
            lower: b.lower as f64 * scale,
            upper: (u128::from(b.upper) + 1) as f64 * scale,
            count: b.count,
        })
        .collect();
    let exceedance = h
        .exceedance()
        .into_iter()
        .map(|(value, probability)| Point {
            value: value as f64 * scale,
            probability,
        })
        .collect();
    Distribution {
        mean: moments.mean(h.count()) * scale,
        p5: h.quantile(0.05) * scale,
        p25: h.quantile(0.25) * scale,
        p50: h.quantile(0.5) * scale,
        p75: h.quantile(0.75) * scale,
        p90: h.quantile(0.9) * scale,
        p95: h.quantile(0.95) * scale,
        p99: h.quantile(0.99) * scale,
        p999: h.quantile(0.999) * scale,
        max: h.max().unwrap_or(0) as f64 * scale,
        cvar95: h.cvar(0.95) * scale,
        histogram,
        exceedance,
    }
}

/// Reads a rate histogram out as fractions. Its bins are `[lower, upper)` in the
/// histogram's fixed point (so a rate of exactly 0 has the bin `[0, 10^-18)`).
fn rate_distribution(h: &RateHistogram) -> Distribution {
    let bins = h.report_bins();
    let histogram = bins
        .iter()
        .map(|b| Bin {
            lower: rate_f64(b.lower),
            upper: rate_f64(u128::from(b.upper) + 1),
            count: b.count,
        })
        .collect();
    let exceedance = h
        .exceedance()
        .into_iter()
        .map(|(value, probability)| Point {
            value: rate_f64(value),
            probability,
        })
        .collect();
    Distribution {
        mean: h.mean(),
        p5: h.quantile(0.05),
        p25: h.quantile(0.25),
        p50: h.quantile(0.5),
        p75: h.quantile(0.75),
        p90: h.quantile(0.9),
        p95: h.quantile(0.95),
        p99: h.quantile(0.99),
        p999: h.quantile(0.999),
        max: h.max().map_or(0.0, rate_f64),
        cvar95: h.cvar(0.95),
        histogram,
        exceedance,
    }
}

#[cfg(test)]
mod tests;
