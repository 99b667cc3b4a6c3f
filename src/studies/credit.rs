//! Capacity credit of a resource: EFC (the perfectly available capacity that gives the system
//! the same reliability as the resource does) and ELCC (the flat load the resource lets the
//! system carry at the reliability it had without it).
//!
//! Every evaluation uses the same seed. "Without the resource" sets its capacity to zero
//! rather than removing it, and the probe unit and probe load are appended after everything
//! else, so every other unit keeps its random stream: common random numbers make each curve
//! monotone in the probe, and bisection exact for it.
//!
//! Both the reference level (the metric with or without the resource) and the probe curve are
//! estimates, so a 95% interval on the crossing must allow for both: its bounds are where
//! the curve's distance from the level equals ±√(h_curve² + h_level²), h being each
//! estimate's 95% half-width. Adding the two in quadrature treats them as independent; under
//! common random numbers they are positively correlated (each is an increasing function of
//! the same independent outage processes, Harris's inequality), so the interval errs on the
//! wide side. Bisecting to the level's bounds alone, as egap once did, ignored the curve's
//! error: for the RTS-79 nuclear units it gave an ELCC interval 0.8 MW wide that missed the
//! exact value (`tests/suite/credit.rs`).
//!
//! In a study with several regions the probe unit and the probe load sit in the resource's
//! region: the credit is that of the resource where it is, behind the same interfaces. A
//! store's nameplate is its discharge power; "without" it, it can neither charge nor
//! discharge.

use std::path::Path;

use crate::engine::Engine;
use crate::report::csv::Cell;
use crate::scenario::Files;
use crate::stats::{Estimate, Metric};
use crate::sweep::{entry, read_tree, run_tree, set_in};
use crate::{Error, RunOptions, Step};

/// The capacity credit of one resource.
#[derive(Clone, Debug)]
pub struct Credit {
    /// The scenario file as given.
    pub scenario_file: String,
    /// The study's horizon, hours: the metric's values are per horizon.
    pub hours: u32,
    pub resource: String,
    pub nameplate_mw: f64,
    pub metric: Metric,
    pub with: Estimate,
    pub without: Estimate,
    /// EFC, MW, and its 95% interval.
    pub efc_mw: (f64, f64, f64),
    /// ELCC, MW, and its 95% interval.
    pub elcc_mw: (f64, f64, f64),
    /// Estimator runs made (a probe revisited by another search is not run again).
    pub evaluations: usize,
}

/// EFC and ELCC of `resource` (`units[NAME]`, `renewables[NAME]` or `storage[NAME]`) for
/// `metric` (one of [`Metric::RELIABILITY`]).
pub fn capacity_credit(
    scenario: &Path,
    resource: &str,
    metric: Metric,
    engine: &Engine,
    options: &RunOptions,
    on_step: &mut dyn FnMut(&Step),
) -> Result<Credit, Error> {
    let bad = |why: String| Error::Options(format!("--resource {resource}: {why}"));
    let (tree, files) = read_tree(scenario)?;
    let (section, name) = resource
        .strip_suffix(']')
        .and_then(|r| r.split_once('['))
        .filter(|(s, _)| matches!(*s, "units" | "renewables" | "storage"))
        .ok_or_else(|| bad("write units[NAME], renewables[NAME] or storage[NAME]".into()))?;
    let entry = entry(scenario, &tree, &files, section, name)
        .map_err(bad)?
        .ok_or_else(|| {
            bad(format!(
                "the scenario has no {section} entry named \"{name}\""
            ))
        })?;
    let number = |key: &str| {
        entry
            .get(key)
            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
    };
    let power_key = if section == "storage" {
        "discharge_mw"
    } else {
        "capacity_mw"
    };
    let capacity = number(power_key).ok_or_else(|| bad(format!("needs a constant {power_key}")))?;
    let nameplate_mw = capacity * number("count").unwrap_or(1.0);
    // The probes go where the resource is (a line `region = "..."`, or nothing in a
    // single-region study).
    let region = entry
        .get("region")
        .and_then(|r| r.as_str())
        .map(|r| format!("region = {}\n", toml::Value::String(r.to_string())))
        .unwrap_or_default();
    if nameplate_mw <= 0.0 {
        return Err(bad("has no capacity".into()));
    }
    let mut evaluations = 0;
    let mut hours = 0;
    // The searches revisit probes (each starts at 0 and at the top): with common random
    // numbers a probe's estimate is the same every time, so each is run once.
    let mut known: Vec<(String, Estimate)> = Vec::new();
    let mut estimate = |what: String, (tree, edited): (&toml::Table, &Files)| {
        if let Some((_, e)) = known.iter().find(|(w, _)| *w == what) {
            return Ok::<_, Error>(*e);
        }
        let step = format!("the search step \"{what}\"");
        let summary = run_tree(scenario, tree, edited, &files, &step, engine, options)?;
        evaluations += 1;
        hours = summary.hours;
        let e = *metric.of(&summary.metrics);
        on_step(&Step {
            what: what.clone(),
            estimate: e,
        });
        known.push((what, e));
        Ok(e)
    };
    let with = estimate(format!("with {resource}"), (&tree, &files))?;
    let mut without_tree = tree.clone();
    // A unit of a unit table is zeroed in its row, held edited in memory.
    let mut without_files = files.clone();
    let zeroed: &[&str] = if section == "storage" {
        &["charge_mw", "discharge_mw"]
    } else {
        &["capacity_mw"]
    };
    for key in zeroed {
        let path = format!("{resource}.{key}");
        set_in(scenario, &mut without_tree, &mut without_files, &path, 0.0).map_err(bad)?;
    }
    let without = estimate(
        format!("without {resource}"),
        (&without_tree, &without_files),
    )?;

    let probe_unit = |x: f64| {
        let mut t = without_tree.clone();
        let unit: toml::Table = format!("name = \"egap EFC probe\"\n{region}capacity_mw = {x}\nfailure_probability = 0\nrepair_probability = 1\n").parse().expect("probe unit is valid TOML");
        push(&mut t, "units", unit);
        t
    };
    let probe_load = |y: f64| {
        let mut t = tree.clone();
        let load: toml::Table = format!("name = \"egap ELCC probe\"\n{region}size_mw = {y}\n")
            .parse()
            .expect("probe load is valid TOML");
        push(&mut t, "added_loads", load);
        t
    };
    let top = 2.0 * nameplate_mw;
    // EFC: the least perfect capacity whose metric is at most the level with the resource;
    // its 95% bounds where the curve is the combined half-width above and below the level
    // (the curve falls as the probe grows).
    let mut efc = [0.0; 3];
    for (slot, side) in efc.iter_mut().zip([0.0, 1.0, -1.0]) {
        *slot = crossing(
            &mut |x| {
                let probe = probe_unit(x);
                let e = estimate(
                    format!("without it, a {x} MW probe unit"),
                    (&probe, &without_files),
                )?;
                Ok(value(&e) - value(&with) <= side * half_width(&e, &with))
            },
            0.0,
            top,
            nameplate_mw,
        )?;
    }
    // ELCC: the most added load whose metric is at most the level without the resource (the
    // curve rises as the probe grows).
    let mut elcc = [0.0; 3];
    for (slot, side) in elcc.iter_mut().zip([0.0, -1.0, 1.0]) {
        *slot = crossing(
            &mut |y| {
                let probe = probe_load(y);
                let e = estimate(format!("with it, a {y} MW probe load"), (&probe, &files))?;
                Ok(value(&e) - value(&without) > side * half_width(&e, &without))
            },
            0.0,
            top,
            nameplate_mw,
        )?;
    }
    Ok(Credit {
        scenario_file: scenario.display().to_string(),
        hours,
        resource: resource.to_string(),
        nameplate_mw,
        metric,
        with,
        without,
        efc_mw: (efc[0], efc[1].min(efc[0]), efc[2].max(efc[0])),
        elcc_mw: (elcc[0], elcc[1].min(elcc[0]), elcc[2].max(elcc[0])),
        evaluations,
    })
}

impl Credit {
    /// The answer as JSON, for scripts: every figure the table shows, with the run's
    /// trajectories per step and seed (an ELCC study collects these over resources).
    pub fn to_json(&self, trajectories: u64, seed: u64) -> serde_json::Value {
        let interval = |(estimate, low, high): (f64, f64, f64)| serde_json::json!({ "estimate": estimate, "ci95_low": low, "ci95_high": high });
        serde_json::json!({
            "egap_version": env!("CARGO_PKG_VERSION"),
            "scenario_file": self.scenario_file,
            "hours": self.hours,
            "resource": self.resource,
            "nameplate_mw": self.nameplate_mw,
            "metric": self.metric.key(),
            "trajectories_per_step": trajectories,
            "seed": seed,
            "steps": self.evaluations,
            "with": self.with,
            "without": self.without,
            "efc_mw": interval(self.efc_mw),
            "elcc_mw": interval(self.elcc_mw),
        })
    }

    /// The answer as CSV: a header and one row.
    pub fn to_csv(&self, trajectories: u64, seed: u64) -> String {
        let (efc, elcc) = (self.efc_mw, self.elcc_mw);
        let row: [(&str, Cell); 17] = [
            ("resource", (&self.resource).into()),
            ("metric", self.metric.key().into()),
            ("nameplate_mw", self.nameplate_mw.into()),
            ("with_mean", self.with.mean.into()),
            ("with_standard_error", self.with.standard_error.into()),
            ("without_mean", self.without.mean.into()),
            ("without_standard_error", self.without.standard_error.into()),
            ("efc_mw", efc.0.into()),
            ("efc_ci95_low_mw", efc.1.into()),
            ("efc_ci95_high_mw", efc.2.into()),
            ("elcc_mw", elcc.0.into()),
            ("elcc_ci95_low_mw", elcc.1.into()),
            ("elcc_ci95_high_mw", elcc.2.into()),
            ("trajectories_per_step", trajectories.into()),
            ("seed", seed.into()),
            ("steps", self.evaluations.into()),
            ("egap_version", env!("CARGO_PKG_VERSION").into()),
        ];
        crate::report::csv::one_row(&row)
    }
}

fn value(e: &Estimate) -> f64 {
    e.mean
}

/// The 95% half-width of the difference of two estimates, taken as independent.
fn half_width(a: &Estimate, b: &Estimate) -> f64 {
    let h = |e: &Estimate| 0.5 * (e.ci95_high - e.ci95_low);
    h(a).hypot(h(b))
}

fn push(tree: &mut toml::Table, section: &str, entry: toml::Table) {
    let list = tree
        .entry(section)
        .or_insert_with(|| toml::Value::Array(Vec::new()));
    if let toml::Value::Array(items) = list {
        items.push(toml::Value::Table(entry));
    }
}

/// The least x in [lo, hi] where the monotone predicate `holds` turns true, to 0.1% of
/// `scale` (returns `hi` if it never holds, `lo` if it always does).
fn crossing(
    holds: &mut dyn FnMut(f64) -> Result<bool, Error>,
    lo: f64,
    hi: f64,
    scale: f64,
) -> Result<f64, Error> {
    let (mut lo, mut hi) = (lo, hi);
    if holds(lo)? {
        return Ok(lo);
    }
    if !holds(hi)? {
        return Ok(hi);
    }
    while hi - lo > 1.0e-3 * scale {
        let mid = 0.5 * (lo + hi);
        if holds(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}
