//! Uncertain scenario parameters: a fixed number or a distribution drawn once per trajectory.
//!
//! Draws happen on the host (statrs distributions, a PCG generator seeded from the study seed
//! and the trajectory index), so both engines receive identical parameters. Every draw is
//! clamped to the parameter's support `[min, max]`: bounded laws use their own bounds,
//! normal and lognormal laws use `mean ± 10 sd` (`exp(mu ± 10 sigma)`) intersected with the
//! parameter's valid range unless the user gives `min`/`max`. The clamp gives the compiler a
//! finite worst case, so the integer engines can never overflow.

use rand::distr::Distribution;
use statrs::distribution::{Beta, LogNormal, Normal, Triangular, Uniform};

use super::error::{Collector, number};
use super::format::Value;
use super::profile::as_f64;

/// A parameter's law.
#[derive(Clone, Debug)]
pub enum Law {
    Fixed(f64),
    Normal(Normal),
    LogNormal(LogNormal),
    Uniform(Uniform),
    Triangular(Triangular),
    /// Beta on [0, 1], then scaled to [low, high].
    Beta(Beta, f64, f64),
    /// Values with cumulative weights (last = 1).
    Discrete(Vec<f64>, Vec<f64>),
}

/// A law and the support its draws are clamped to.
#[derive(Clone, Debug)]
pub struct Uncertain {
    pub law: Law,
    pub min: f64,
    pub max: f64,
}

impl Uncertain {
    pub fn fixed(v: f64) -> Uncertain {
        Uncertain {
            law: Law::Fixed(v),
            min: v,
            max: v,
        }
    }

    pub fn is_fixed(&self) -> bool {
        matches!(self.law, Law::Fixed(_))
    }

    /// Feeds the law's kind, the numbers that define it and its support to `eat`, for a
    /// study's identity (two studies whose draws differ must never share shards).
    pub fn identity(&self, eat: &mut dyn FnMut(&[u8])) {
        use statrs::statistics::{Distribution as _, Mode as _};
        let Uncertain { law, min, max } = self;
        let (kind, numbers): (u8, Vec<f64>) = match law {
            Law::Fixed(v) => (0, vec![*v]),
            Law::Normal(d) => (1, vec![d.mean().unwrap_or(0.0), d.std_dev().unwrap_or(0.0)]),
            Law::LogNormal(d) => (2, vec![d.location(), d.scale()]),
            Law::Uniform(d) => (3, vec![d.min(), d.max()]),
            Law::Triangular(d) => (4, vec![d.min(), d.max(), d.mode().unwrap_or(0.0)]),
            Law::Beta(d, low, high) => (5, vec![d.shape_a(), d.shape_b(), *low, *high]),
            Law::Discrete(values, cumulative) => {
                (6, values.iter().chain(cumulative).copied().collect())
            }
        };
        eat(&[kind]);
        eat(&(numbers.len() as u64).to_le_bytes());
        for x in numbers.iter().chain([min, max]) {
            eat(&x.to_bits().to_le_bytes());
        }
    }

    /// One draw, clamped to the support.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let v = match &self.law {
            Law::Fixed(v) => *v,
            Law::Normal(d) => d.sample(rng),
            Law::LogNormal(d) => d.sample(rng),
            Law::Uniform(d) => d.sample(rng),
            Law::Triangular(d) => d.sample(rng),
            Law::Beta(d, low, high) => low + (high - low) * d.sample(rng),
            Law::Discrete(values, cumulative) => {
                let u: f64 = rand::RngExt::random(rng);
                let i = cumulative.partition_point(|&c| c <= u);
                values[i.min(values.len() - 1)]
            }
        };
        if v.is_nan() {
            self.min
        } else {
            v.clamp(self.min, self.max)
        }
    }

    /// Interprets `value`; `valid` is the range any draw must stay in (e.g. a utilization in
    /// [0, 1]), and the law's support must fit inside it.
    pub fn parse(
        value: &Value,
        field: &str,
        valid: (f64, f64),
        errors: &mut Collector,
    ) -> Option<Uncertain> {
        let at = value.span().start;
        let range = format!("from {} to {}", valid.0, valid.1);
        if let Some(v) = as_f64(value.get_ref()) {
            if !(v.is_finite() && v >= valid.0 && v <= valid.1) {
                errors.at(
                    at,
                    field,
                    format!("must be a number {range}, got {}", number(v)),
                );
                return None;
            }
            return Some(Uncertain::fixed(v));
        }
        let Some(table) = value.get_ref().as_table() else {
            errors.at(
                at,
                field,
                "must be a number or a distribution such as { distribution = \"normal\", mean = 1.0, sd = 0.02 }",
            );
            return None;
        };
        let mut problem = |msg: String| {
            errors.at(at, field, msg);
            None::<Uncertain>
        };
        let name = match table.get("distribution").and_then(|v| v.as_str()) {
            Some(n) => n.to_string(),
            None => {
                return problem(
                    "needs `distribution` = one of normal, lognormal, uniform, triangular, beta, discrete".into(),
                );
            }
        };
        let allowed: &[&str] = match name.as_str() {
            "normal" => &["mean", "sd"],
            "lognormal" => &["mu", "sigma"],
            "uniform" => &["low", "high"],
            "triangular" => &["low", "mode", "high"],
            "beta" => &["alpha", "beta", "low", "high"],
            "discrete" => &["values", "weights"],
            other => {
                return problem(format!(
                    "unknown distribution \"{other}\"; use normal, lognormal, uniform, triangular, beta or discrete"
                ));
            }
        };
        for key in table.keys() {
            if key != "distribution"
                && key != "min"
                && key != "max"
                && !allowed.contains(&key.as_str())
            {
                return problem(format!(
                    "unknown field `{key}` for a {name} distribution; it takes {}, and optionally min and max",
                    allowed.join(", ")
                ));
            }
        }
        let num = |k: &str| table.get(k).and_then(as_f64).filter(|v| v.is_finite());
        let need = |k: &str| {
            num(k).ok_or_else(|| format!("a {name} distribution needs a finite number `{k}`"))
        };
        // An optional key, when given, must be a finite number: never ignored for a default.
        let optional = |k: &str| -> Result<Option<f64>, String> {
            match table.get(k) {
                None => Ok(None),
                Some(v) => as_f64(v)
                    .filter(|x| x.is_finite())
                    .map(Some)
                    .ok_or_else(|| format!("`{k}` must be a finite number, got {v}")),
            }
        };
        let built: Result<(Law, f64, f64), String> = (|| {
            Ok(match name.as_str() {
                "normal" => {
                    let (mean, sd) = (need("mean")?, need("sd")?);
                    let d = Normal::new(mean, sd)
                        .map_err(|_| format!("sd must be > 0, got {}", number(sd)))?;
                    (Law::Normal(d), mean - 10.0 * sd, mean + 10.0 * sd)
                }
                "lognormal" => {
                    let (mu, sigma) = (need("mu")?, need("sigma")?);
                    let d = LogNormal::new(mu, sigma)
                        .map_err(|_| format!("sigma must be > 0, got {}", number(sigma)))?;
                    (
                        Law::LogNormal(d),
                        (mu - 10.0 * sigma).exp(),
                        (mu + 10.0 * sigma).exp(),
                    )
                }
                "uniform" => {
                    let (low, high) = (need("low")?, need("high")?);
                    if low > high {
                        return Err(format!(
                            "low ({}) must not exceed high ({})",
                            number(low),
                            number(high)
                        ));
                    }
                    if low == high {
                        (Law::Fixed(low), low, high)
                    } else {
                        let d = Uniform::new(low, high).map_err(|e| e.to_string())?;
                        (Law::Uniform(d), low, high)
                    }
                }
                "triangular" => {
                    let (low, mode, high) = (need("low")?, need("mode")?, need("high")?);
                    if !(low <= mode && mode <= high && low < high) {
                        return Err(format!(
                            "needs low ≤ mode ≤ high and low < high, got {}, {}, {}",
                            number(low),
                            number(mode),
                            number(high)
                        ));
                    }
                    let d = Triangular::new(low, high, mode).map_err(|e| e.to_string())?;
                    (Law::Triangular(d), low, high)
                }
                "beta" => {
                    let (a, b) = (need("alpha")?, need("beta")?);
                    let low = optional("low")?.unwrap_or(0.0);
                    let high = optional("high")?.unwrap_or(1.0);
                    if low >= high {
                        return Err(format!(
                            "low ({}) must be below high ({})",
                            number(low),
                            number(high)
                        ));
                    }
                    let d = Beta::new(a, b).map_err(|_| {
                        format!(
                            "alpha and beta must be > 0, got {} and {}",
                            number(a),
                            number(b)
                        )
                    })?;
                    (Law::Beta(d, low, high), low, high)
                }
                _ => {
                    let list = |k: &str| -> Result<Vec<f64>, String> {
                        let arr = table
                            .get(k)
                            .and_then(|v| v.as_array())
                            .ok_or_else(|| format!("a discrete distribution needs a list `{k}`"))?;
                        arr.iter()
                            .map(|v| {
                                as_f64(v)
                                    .filter(|x| x.is_finite())
                                    .ok_or_else(|| format!("`{k}` must hold numbers only, got {v}"))
                            })
                            .collect()
                    };
                    let values = list("values")?;
                    let weights = list("weights")?;
                    if values.is_empty() || values.len() != weights.len() {
                        return Err(format!(
                            "`values` and `weights` must be non-empty and of equal length, got {} and {}",
                            values.len(),
                            weights.len()
                        ));
                    }
                    if weights.iter().any(|&w| w < 0.0) {
                        return Err("`weights` must not be negative".into());
                    }
                    let total: f64 = weights.iter().sum();
                    if total <= 0.0 {
                        return Err("`weights` must not all be zero".into());
                    }
                    if !total.is_finite() {
                        return Err("`weights` must have a finite sum".into());
                    }
                    let mut acc = 0.0;
                    let cumulative: Vec<f64> = weights
                        .iter()
                        .map(|w| {
                            acc += w / total;
                            acc
                        })
                        .collect();
                    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    (Law::Discrete(values, cumulative), lo, hi)
                }
            })
        })();
        let (law, natural_min, natural_max) = match built {
            Ok(b) => b,
            Err(msg) => return problem(msg),
        };
        let (min, max) = match (optional("min"), optional("max")) {
            (Ok(min), Ok(max)) => (
                min.unwrap_or(natural_min.max(valid.0)),
                max.unwrap_or(natural_max.min(valid.1)),
            ),
            (Err(msg), _) | (_, Err(msg)) => return problem(msg),
        };
        if min > max || min < valid.0 || max > valid.1 {
            return problem(format!(
                "its support [{}, {}] must lie {range}; set `min`/`max` inside that range",
                number(min),
                number(max)
            ));
        }
        if matches!(
            law,
            Law::Uniform(_) | Law::Triangular(_) | Law::Beta(..) | Law::Discrete(..)
        ) && (natural_min < valid.0 || natural_max > valid.1)
        {
            return problem(format!(
                "its values [{}, {}] must lie {range}",
                number(natural_min),
                number(natural_max)
            ));
        }
        Some(Uncertain { law, min, max })
    }
}
