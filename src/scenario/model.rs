//! The validated scenario: every value checked and every profile loaded, still in MW and
//! hours. `compile` turns it into the integer tables the engines read.

use std::path::PathBuf;

use super::profile::Profile;
use super::uncertain::Uncertain;
use crate::stats::Criterion;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    /// The question the study answers (`[study] description`), for the report's headline.
    pub description: Option<String>,
    /// The reliability criterion the report checks the result against (`[study] criterion`).
    /// It changes no result, so it is no part of the study's identity.
    pub criterion: Option<Criterion>,
    /// The scenario file, for messages and reports.
    pub source: PathBuf,
    /// Every file the study reads (the scenario and its profile files): results must never
    /// be written over one of them.
    pub inputs: Vec<PathBuf>,
    pub hours: usize,
    /// Names of the weather years; one unnamed year when the study declares none.
    pub weather_years: Vec<String>,
    /// Probability of drawing each weather year (sums to 1).
    pub weather_year_weights: Vec<f64>,
    pub regions: Vec<Region>,
    pub units: Vec<UnitGroup>,
    pub renewables: Vec<Renewable>,
    pub load_multiplier: Uncertain,
    pub added_loads: Vec<AddedLoad>,
    pub projects: Vec<Project>,
    pub storage: Vec<Storage>,
    pub interfaces: Vec<Interface>,
}

#[derive(Clone, Debug)]
pub struct Region {
    pub name: String,
    pub load_mw: Profile,
}

/// Per-hour transition probabilities of the two-state outage process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outage {
    /// λ: probability that an available unit fails in an hour (1 / MTTF).
    pub failure_probability: f64,
    /// μ: probability that a failed unit is repaired in an hour (1 / MTTR).
    pub repair_probability: f64,
}

impl Outage {
    /// Stationary probability of being available, μ / (λ + μ).
    pub fn availability(&self) -> f64 {
        let (l, m) = (self.failure_probability, self.repair_probability);
        if l == 0.0 { 1.0 } else { m / (l + m) }
    }
}

#[derive(Clone, Debug)]
pub struct UnitGroup {
    pub name: String,
    pub region: usize,
    pub count: u32,
    pub capacity_mw: Profile,
    pub outage: Outage,
    pub project: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Renewable {
    pub name: String,
    pub region: usize,
    pub capacity_mw: f64,
    pub capacity_factor: Profile,
    pub project: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct AddedLoad {
    pub name: String,
    pub region: usize,
    pub size_mw: Uncertain,
    pub utilization: Uncertain,
    /// Hourly shape in [0, 1]; flat when absent.
    pub shape: Option<Profile>,
}

/// A queued project: its units and renewables exist only in trajectories that draw it online.
#[derive(Clone, Debug)]
pub struct Project {
    pub name: String,
    pub probability: f64,
}

/// A store of energy with a chronological state of charge.
#[derive(Clone, Debug)]
pub struct Storage {
    pub name: String,
    pub region: usize,
    pub charge_mw: f64,
    pub discharge_mw: f64,
    pub energy_mwh: f64,
    /// Share of the energy drawn from the grid that is stored.
    pub charge_efficiency: f64,
    /// Share of the energy taken from the store that reaches the grid.
    pub discharge_efficiency: f64,
    /// State of charge at hour 0, as a fraction of `energy_mwh`.
    pub initial_soc: f64,
    /// Never fails when `failure_probability` is 0.
    pub outage: Outage,
    pub project: Option<usize>,
    /// `dispatch = "shift"`: gives its energy back in quiet hours, charges from renewable
    /// surplus only (the default, "reliability", discharges only to avoid shortfall).
    pub shift: bool,
}

/// A transmission interface: `circuits` parallel circuits that fail independently, sharing
/// the limit equally (with k of n circuits up, k/n of the limit is available).
#[derive(Clone, Debug)]
pub struct Interface {
    pub name: String,
    pub from: usize,
    pub to: usize,
    /// Limit from `from` to `to`, MW (constant or hourly).
    pub forward_mw: Profile,
    /// Limit from `to` to `from`, MW.
    pub backward_mw: Profile,
    pub circuits: u32,
    /// Of each circuit; never fails when `failure_probability` is 0.
    pub outage: Outage,
}
