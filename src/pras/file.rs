//! Reading a `.pras` file (HDF5) into plain tables, before any judgement about what egap can
//! represent (that is `convert`'s job).
//!
//! The layout, as PRAS writes it: root attributes (`pras_dataversion`, `start_timestamp`,
//! `timestep_count`, `timestep_length`, `timestep_unit`, `power_unit`, `energy_unit`) and one
//! group per kind of asset, each with a `_core` compound table of names and one dataset per
//! property, shaped [timesteps × assets] in HDF5's row-major order (PRAS writes Julia's
//! assets × timesteps). The specification says uint32 for counts where real files hold int64;
//! both are read, through HDF5's own conversion, as f64 (exact below 2^53).

use std::collections::BTreeMap;
use std::path::Path;

use super::PrasError;

/// One property of every asset of a group, for every timestep.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub steps: usize,
    pub assets: usize,
    /// Row-major [step][asset].
    pub values: Vec<f64>,
}

impl Series {
    pub fn at(&self, step: usize, asset: usize) -> f64 {
        self.values[step * self.assets + asset]
    }

    /// The asset's value in every step.
    pub fn column(&self, asset: usize) -> Vec<f64> {
        (0..self.steps).map(|t| self.at(t, asset)).collect()
    }
}

/// One group of assets: names from `_core`, properties by dataset name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assets {
    pub names: Vec<String>,
    pub categories: Vec<String>,
    /// Region of each asset (generators, storages, generator-storages).
    pub regions: Vec<String>,
    /// Regions at each end (interfaces, lines).
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub properties: BTreeMap<String, Series>,
}

impl Assets {
    pub fn len(&self) -> usize {
        self.names.len().max(self.from.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A PRAS system as stored, in the file's own units.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PrasSystem {
    pub version: String,
    pub start_timestamp: String,
    pub steps: usize,
    pub step_length: i64,
    pub step_unit: String,
    pub power_unit: String,
    pub energy_unit: String,
    pub regions: Assets,
    pub generators: Assets,
    pub storages: Assets,
    pub generator_storages: Assets,
    pub interfaces: Assets,
    pub lines: Assets,
}

/// The groups PRAS writes and egap reads; any other non-empty group is a feature egap does not
/// model, and is refused by name rather than dropped.
pub const GROUPS: [&str; 6] = [
    "regions",
    "generators",
    "storages",
    "generatorstorages",
    "interfaces",
    "lines",
];

/// Properties each group may hold (all are read; `convert` decides what each means).
#[cfg_attr(not(feature = "pras"), allow(dead_code))]
pub(crate) fn known_properties(group: &str) -> &'static [&'static str] {
    match group {
        "regions" => &["load"],
        "generators" => &["capacity", "failureprobability", "repairprobability"],
        "storages" => &[
            "chargecapacity",
            "dischargecapacity",
            "energycapacity",
            "chargeefficiency",
            "dischargeefficiency",
            "carryoverefficiency",
            "failureprobability",
            "repairprobability",
        ],
        "generatorstorages" => &[
            "inflow",
            "gridwithdrawalcapacity",
            "gridinjectioncapacity",
            "chargecapacity",
            "dischargecapacity",
            "energycapacity",
            "chargeefficiency",
            "dischargeefficiency",
            "carryoverefficiency",
            "failureprobability",
            "repairprobability",
        ],
        "interfaces" => &["forwardcapacity", "backwardcapacity"],
        "lines" => &[
            "forwardcapacity",
            "backwardcapacity",
            "failureprobability",
            "repairprobability",
        ],
        _ => &[],
    }
}

/// Reads every group and property of the file at `path`.
pub fn read(path: &Path) -> Result<PrasSystem, PrasError> {
    #[cfg(feature = "pras")]
    return super::hdf5_read::read(path);
    #[cfg(not(feature = "pras"))]
    Err(PrasError::new(
        path,
        "",
        "this egap was built without PRAS support (cargo's --no-default-features); build it with the default features, which need the HDF5 library (Debian: libhdf5-dev)".into(),
    ))
}
