//! The validated scenario: every value checked and every profile loaded, still in MW and
//! hours. `compile` turns it into the integer tables the engines read.

use std::path::PathBuf;

use super::profile::Profile;
use super::uncertain::Uncertain;

#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    /// The scenario file, for messages and reports.
    pub source: PathBuf,
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
    /// Storage devices and interfaces declared (simulated once network dispatch exists).
    pub storage_count: usize,
    pub interface_count: usize,
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
