//! Load-carrying capability: how far demand can grow (or must shrink) before a reliability
//! criterion such as LOLE ≤ 2.4 h/yr is missed.
//!
//! Demand is scaled by a factor s (every hour's load × multiplier, so the shape is kept) and
//! the criterion's metric is estimated at each s with the same seed: common random numbers.
//! With common random numbers every trajectory's outages are identical at each s, and its
//! shortfall can only grow with s, so the estimate is monotone in s and bisection is exact
//! for it. Three searches give the answer and its uncertainty: s where the estimate meets
//! the limit, and s where the upper and the lower 95% bounds meet it.

use crate::engine::Engine;
use crate::report::csv::Cell;
use crate::scenario::compile::LOAD_SCALE_HEADROOM;
pub use crate::stats::Criterion;
use crate::stats::Estimate;
use crate::{Error, RunOptions, Step, Study};

/// The answer of a load-carrying-capability search.
#[derive(Clone, Debug)]
pub struct Capability {
    /// The scenario file as given.
    pub scenario_file: String,
    /// The study's horizon, hours: the criterion's limit and the metric are per horizon.
    pub hours: u32,
    pub criterion: Criterion,
    /// The metric for the study as it is (s = 1).
    pub base: Estimate,
    /// Scale at which the estimate meets the limit.
    pub scale: f64,
    /// Scale at which the upper 95% bound meets the limit (the cautious answer).
    pub scale_low: f64,
    /// Scale at which the lower 95% bound meets the limit.
    pub scale_high: f64,
    /// Peak of the load profile at s = 1, MW (before the load multiplier and added loads).
    pub base_peak_mw: f64,
    /// Estimator runs made (a scale revisited by another search is not run again).
    pub evaluations: usize,
}

impl Capability {
    /// The answer as JSON, for scripts: every figure the table shows, with the study's name
    /// and the run's trajectories per step and seed.
    pub fn to_json(&self, study: &str, trajectories: u64, seed: u64) -> serde_json::Value {
        serde_json::json!({
            "egap_version": env!("CARGO_PKG_VERSION"),
            "study": study,
            "scenario_file": self.scenario_file,
            "hours": self.hours,
            "criterion": self.criterion,
            "trajectories_per_step": trajectories,
            "seed": seed,
            "steps": self.evaluations,
            "as_it_is": self.base,
            "demand_scale": {
                "estimate": self.scale,
                "ci95_low": self.scale_low,
                "ci95_high": self.scale_high,
            },
            "base_peak_mw": self.base_peak_mw,
            "peak_carried_mw": {
                "estimate": self.scale * self.base_peak_mw,
                "ci95_low": self.scale_low * self.base_peak_mw,
                "ci95_high": self.scale_high * self.base_peak_mw,
            },
        })
    }

    /// The answer as CSV: a header and one row.
    pub fn to_csv(&self, study: &str, trajectories: u64, seed: u64) -> String {
        let row: [(&str, Cell); 14] = [
            ("study", study.into()),
            ("metric", self.criterion.metric.key().into()),
            ("limit", self.criterion.limit.into()),
            ("as_it_is_mean", self.base.mean.into()),
            ("as_it_is_standard_error", self.base.standard_error.into()),
            ("demand_scale", self.scale.into()),
            ("demand_scale_ci95_low", self.scale_low.into()),
            ("demand_scale_ci95_high", self.scale_high.into()),
            ("base_peak_mw", self.base_peak_mw.into()),
            ("peak_carried_mw", (self.scale * self.base_peak_mw).into()),
            ("trajectories_per_step", trajectories.into()),
            ("seed", seed.into()),
            ("steps", self.evaluations.into()),
            ("egap_version", env!("CARGO_PKG_VERSION").into()),
        ];
        crate::report::csv::one_row(&row)
    }
}

/// Relative precision of the scale: searches stop when the bracket is this narrow.
const TOLERANCE: f64 = 1.0e-4;

/// Searches the demand scale at which `criterion` is just met, on `engine`, with
/// `options.trajectories` trajectories and `options.seed` at every step.
pub fn load_carrying_capability(
    study: &Study,
    engine: &Engine,
    options: &RunOptions,
    criterion: &Criterion,
    on_step: &mut dyn FnMut(&Step),
) -> Result<Capability, Error> {
    let mut evaluations = 0;
    // The three searches revisit scales (each starts at 1.0): with common random numbers a
    // scale's estimate is the same every time, so each is run once.
    let mut known: Vec<(f64, Estimate)> = Vec::new();
    let mut estimate = |scale: f64| -> Result<Estimate, Error> {
        if let Some((_, e)) = known.iter().find(|(s, _)| *s == scale) {
            return Ok(*e);
        }
        let mut scaled = Study {
            scenario: study.scenario.clone(),
            system: study.system.clone(),
            laws: study.laws.clone(),
        };
        scaled.laws.load_scale = scale;
        let summary = crate::run_summary(&scaled, engine, options)?;
        evaluations += 1;
        let e = *criterion.metric.of(&summary.metrics);
        on_step(&Step {
            what: format!("demand × {scale:.6}"),
            estimate: e,
        });
        known.push((scale, e));
        Ok(e)
    };
    let base = estimate(1.0)?;
    let (mut scale, mut scale_low, mut scale_high) = (0.0, 0.0, 0.0);
    for (which, out) in [
        (Bound::Mean, &mut scale),
        (Bound::Upper, &mut scale_low),
        (Bound::Lower, &mut scale_high),
    ] {
        *out = bisect(&mut estimate, which, criterion.limit)?;
    }
    Ok(Capability {
        scenario_file: study.scenario.source.display().to_string(),
        hours: study.system.header.hours,
        criterion: *criterion,
        base,
        scale,
        scale_low,
        scale_high,
        base_peak_mw: study
            .scenario
            .regions
            .iter()
            .map(|r| r.load_mw.max())
            .sum::<f64>(),
        evaluations,
    })
}

#[derive(Clone, Copy)]
enum Bound {
    Mean,
    Upper,
    Lower,
}

fn value(e: &Estimate, which: Bound) -> f64 {
    match which {
        Bound::Mean => e.mean,
        Bound::Upper => e.ci95_high,
        Bound::Lower => e.ci95_low,
    }
}

/// The scale where `value(estimate(s))` crosses `limit`: bracket by factors of 1.25, then
/// bisect to `TOLERANCE`.
fn bisect(
    estimate: &mut dyn FnMut(f64) -> Result<Estimate, Error>,
    which: Bound,
    limit: f64,
) -> Result<f64, Error> {
    let meets = |e: &Estimate| value(e, which) <= limit;
    let (mut lo, mut hi) = (1.0, 1.0);
    if meets(&estimate(1.0)?) {
        loop {
            hi *= 1.25;
            if hi > LOAD_SCALE_HEADROOM {
                return Err(Error::Options(format!(
                    "the criterion still holds with demand scaled by {LOAD_SCALE_HEADROOM}; the study cannot be scaled further"
                )));
            }
            if !meets(&estimate(hi)?) {
                break;
            }
            lo = hi;
        }
    } else {
        loop {
            lo /= 1.25;
            if lo < 0.01 {
                return Err(Error::Options(
                    "the criterion is missed even with demand scaled to 1%".into(),
                ));
            }
            if meets(&estimate(lo)?) {
                break;
            }
            hi = lo;
        }
    }
    while (hi - lo) / hi > TOLERANCE {
        let mid = 0.5 * (lo + hi);
        if meets(&estimate(mid)?) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}
