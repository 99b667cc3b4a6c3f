//! The scenario file as written: TOML tables with spans, before any checking.
//!
//! Every struct denies unknown fields, so a typo such as `capacty_mw` is an error with its
//! line rather than a silently ignored line. Fields whose form varies (a number, an inline
//! list, a CSV reference, a distribution) are kept as spanned TOML values and interpreted in
//! `validate`, where the messages can say what each form should look like.

use serde::Deserialize;
use toml::Spanned;

pub type Value = Spanned<toml::Value>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    pub study: Spanned<Study>,
    #[serde(default)]
    pub regions: Vec<Spanned<Region>>,
    #[serde(default)]
    pub units: Vec<Spanned<Unit>>,
    #[serde(default)]
    pub unit_tables: Vec<Spanned<UnitTable>>,
    #[serde(default)]
    pub renewables: Vec<Spanned<Renewable>>,
    #[serde(default)]
    pub storage: Vec<Spanned<Storage>>,
    #[serde(default)]
    pub interfaces: Vec<Spanned<Interface>>,
    pub load_multiplier: Option<Value>,
    #[serde(default)]
    pub added_loads: Vec<Spanned<AddedLoad>>,
    #[serde(default)]
    pub queued_projects: Vec<Spanned<QueuedProject>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Study {
    pub name: Option<Spanned<String>>,
    /// The question the study answers, shown at the head of its report.
    pub description: Option<String>,
    /// A reliability criterion the report checks the result against, e.g. `LOLE_d<=0.1`.
    pub criterion: Option<Spanned<String>>,
    pub hours: Spanned<i64>,
    pub weather_years: Option<Spanned<Vec<Spanned<String>>>>,
    pub weather_year_weights: Option<Spanned<Vec<Spanned<f64>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    pub name: Spanned<String>,
    pub load_mw: Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub name: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub kind: Option<String>,
    pub count: Option<Spanned<i64>>,
    pub capacity_mw: Value,
    pub mttf_h: Option<Spanned<f64>>,
    pub mttr_h: Option<Spanned<f64>>,
    /// With `mttr_h`: the fraction of time on forced outage, FOR = MTTR / (MTTF + MTTR).
    pub forced_outage_rate: Option<Spanned<f64>>,
    pub failure_probability: Option<Spanned<f64>>,
    pub repair_probability: Option<Spanned<f64>>,
    pub project: Option<Spanned<String>>,
}

/// A CSV file of unit groups, one row per group, its columns named as the fields of a
/// `[[units]]` table (see `unit_table`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitTable {
    pub file: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renewable {
    pub name: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub kind: Option<String>,
    pub capacity_mw: Spanned<f64>,
    pub capacity_factor: Value,
    pub project: Option<Spanned<String>>,
}

/// A store of energy: a battery or a pumped-hydro plant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub name: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub charge_mw: Spanned<f64>,
    pub discharge_mw: Spanned<f64>,
    pub energy_mwh: Spanned<f64>,
    /// Split evenly (√) between charging and discharging unless the two are given.
    pub round_trip_efficiency: Option<Spanned<f64>>,
    pub charge_efficiency: Option<Spanned<f64>>,
    pub discharge_efficiency: Option<Spanned<f64>>,
    /// State of charge at hour 0, as a fraction of `energy_mwh` (default 0).
    pub initial_soc: Option<Spanned<f64>>,
    /// "reliability" (default) or "shift".
    pub dispatch: Option<Spanned<String>>,
    pub mttf_h: Option<Spanned<f64>>,
    pub mttr_h: Option<Spanned<f64>>,
    /// With `mttr_h`: the fraction of time on forced outage, FOR = MTTR / (MTTF + MTTR).
    pub forced_outage_rate: Option<Spanned<f64>>,
    pub failure_probability: Option<Spanned<f64>>,
    pub repair_probability: Option<Spanned<f64>>,
    pub project: Option<Spanned<String>>,
}

/// A transmission interface between two regions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    pub name: Option<Spanned<String>>,
    pub from: Spanned<String>,
    pub to: Spanned<String>,
    pub limit_mw: Option<Value>,
    pub limit_forward_mw: Option<Value>,
    pub limit_backward_mw: Option<Value>,
    pub circuits: Option<Spanned<i64>>,
    pub mttf_h: Option<Spanned<f64>>,
    pub mttr_h: Option<Spanned<f64>>,
    /// With `mttr_h`: the fraction of time on forced outage, FOR = MTTR / (MTTF + MTTR).
    pub forced_outage_rate: Option<Spanned<f64>>,
    pub failure_probability: Option<Spanned<f64>>,
    pub repair_probability: Option<Spanned<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddedLoad {
    pub name: Spanned<String>,
    pub region: Option<Spanned<String>>,
    pub size_mw: Value,
    pub utilization: Option<Value>,
    pub shape: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueuedProject {
    pub name: Spanned<String>,
    pub probability: Spanned<f64>,
}
