//! Sums for studies with several regions, interfaces or storage: one accumulator per region
//! (every single-region metric and distribution, per region), and exact integer sums of what
//! each interface carried and each store did. Like the system's accumulator they are integer
//! sums, so shards merge into exactly the single run's state.

use serde::{Deserialize, Serialize};

use super::{Accumulator, AccumulatorError};
use crate::engine::FlowRecord;
use crate::scenario::CompiledSystem;

/// Σ over trajectories of one interface's or store's [`FlowRecord`] fields.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowSums {
    pub first_energy: u128,
    pub second_energy: u128,
    pub first_hours: u128,
    pub second_hours: u128,
}

impl FlowSums {
    fn add(&mut self, f: &FlowRecord) {
        self.first_energy += u128::from(f.first_energy);
        self.second_energy += u128::from(f.second_energy);
        self.first_hours += u128::from(f.first_hours);
        self.second_hours += u128::from(f.second_hours);
    }

    fn merge(&mut self, o: &FlowSums) {
        self.first_energy += o.first_energy;
        self.second_energy += o.second_energy;
        self.first_hours += o.first_hours;
        self.second_hours += o.second_hours;
    }

    fn fits(&self, trajectories: u64) -> bool {
        let largest = u128::from(trajectories) * u128::from(u64::MAX);
        [
            self.first_energy,
            self.second_energy,
            self.first_hours,
            self.second_hours,
        ]
        .iter()
        .all(|&s| s <= largest)
    }
}

/// The per-region, per-interface and per-store part of an accumulator.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkSums {
    /// Empty when the study has one region (its region is the system).
    pub region_names: Vec<String>,
    pub regions: Vec<Accumulator>,
    pub interface_names: Vec<String>,
    pub interfaces: Vec<FlowSums>,
    pub storage_names: Vec<String>,
    /// Energy capacity of each store (power units × hours), for its cycle count.
    pub storage_energy: Vec<u64>,
    pub storage: Vec<FlowSums>,
}

impl NetworkSums {
    /// Empty sums shaped like `sys`'s records, or None for a single-region study without
    /// interfaces or storage.
    pub fn for_system(sys: &CompiledSystem) -> Option<NetworkSums> {
        if !sys.is_network() {
            return None;
        }
        let several = sys.header.record_slots > 1;
        Some(NetworkSums {
            region_names: if several {
                sys.region_names.clone()
            } else {
                Vec::new()
            },
            regions: (1..sys.header.record_slots)
                .map(|_| Accumulator::new(sys.hours()))
                .collect(),
            interface_names: sys.interface_names.clone(),
            interfaces: vec![FlowSums::default(); sys.interfaces.len()],
            storage_names: sys.storage_names.clone(),
            storage_energy: sys.storage.iter().map(|s| u64::from(s.energy)).collect(),
            storage: vec![FlowSums::default(); sys.storage.len()],
        })
    }

    /// Adds one trajectory's flow records (interfaces, then stores).
    pub fn add_flows(&mut self, flows: &[FlowRecord]) {
        let (links, stores) = flows.split_at(self.interfaces.len());
        for (s, f) in self.interfaces.iter_mut().zip(links) {
            s.add(f);
        }
        for (s, f) in self.storage.iter_mut().zip(stores) {
            s.add(f);
        }
    }

    pub fn merge(&mut self, o: &NetworkSums) {
        for (a, b) in self.regions.iter_mut().zip(&o.regions) {
            a.merge(b);
        }
        for (a, b) in self.interfaces.iter_mut().zip(&o.interfaces) {
            a.merge(b);
        }
        for (a, b) in self.storage.iter_mut().zip(&o.storage) {
            a.merge(b);
        }
    }

    /// Whether `o` has the same regions, interfaces and stores.
    pub fn same_shape(&self, o: &NetworkSums) -> bool {
        self.region_names == o.region_names
            && self.interface_names == o.interface_names
            && self.storage_names == o.storage_names
            && self.storage_energy == o.storage_energy
    }

    /// Checks of a file's sums against the system's trajectory count.
    pub fn check(&self, trajectories: u64, hours: usize) -> Result<(), AccumulatorError> {
        if self.regions.len() != self.region_names.len()
            || self.interfaces.len() != self.interface_names.len()
            || self.storage.len() != self.storage_names.len()
            || self.storage_energy.len() != self.storage_names.len()
        {
            return Err(AccumulatorError(
                "the network sums do not match their names",
            ));
        }
        if self
            .regions
            .iter()
            .any(|r| r.trajectories() != trajectories || r.hours() != hours)
        {
            return Err(AccumulatorError(
                "a region's trajectories differ from the system's",
            ));
        }
        if !self
            .interfaces
            .iter()
            .chain(&self.storage)
            .all(|s| s.fits(trajectories))
        {
            return Err(AccumulatorError(
                "a flow sum exceeds what its trajectories can add up to",
            ));
        }
        Ok(())
    }
}
