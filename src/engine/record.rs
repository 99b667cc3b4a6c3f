//! Records the engines hand to the statistics: one per trajectory, plus per-hour counters.
//!
//! The GPU twin of [`TrajectoryRecord`] is `TrajectoryRecord` in `shaders/shared.wgsl`;
//! keep the two in sync (a test checks the size). Energies are 64-bit because a year of
//! demand in fine power units overflows 32 bits; WGSL has no 64-bit integers, so the shader
//! stores each as `vec2<u32>` (low word first), which has the same layout on the host.

use bytemuck::{Pod, Zeroable};
use serde::{Deserialize, Serialize};

/// What one sampled trajectory produced. Power is in the compiled system's power unit
/// ([`crate::scenario::CompiledSystem::power_unit_w`] watts), energy in power unit × hours.
#[repr(C)]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable, Serialize, Deserialize,
)]
pub struct TrajectoryRecord {
    /// Energy not served over the horizon.
    pub unserved_energy: u64,
    /// Renewable energy available but used by no load.
    pub curtailed_energy: u64,
    /// Renewable energy available (before curtailment).
    pub renewable_energy: u64,
    /// Demand energy over the horizon (load × multiplier + added loads).
    pub demand_energy: u64,
    /// Largest single-hour shortfall.
    pub peak_shortfall: u32,
    /// Hours with shortfall > 0.
    pub loss_of_load_hours: u32,
    /// Days (24-hour blocks from hour 0) with at least one shortfall hour.
    pub loss_of_load_days: u32,
    /// Runs of consecutive shortfall hours.
    pub loss_of_load_events: u32,
}

/// What one trajectory did on one interface or with one storage device. The GPU twin is
/// `FlowRecord` in `shaders/shared.wgsl`.
#[repr(C)]
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable, Serialize, Deserialize,
)]
pub struct FlowRecord {
    /// Interface: energy carried from → to. Storage: energy charged (drawn from the grid).
    pub first_energy: u64,
    /// Interface: energy carried to → from. Storage: energy discharged (given to the grid).
    pub second_energy: u64,
    /// Interface: hours at the from → to limit. Storage: hours ending full.
    pub first_hours: u32,
    /// Interface: hours at the to → from limit. Storage: hours ending empty.
    pub second_hours: u32,
}

/// Everything the engines produce for a chunk of trajectories.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChunkRecords {
    /// `record_slots` records per trajectory: the system, then each region (when several).
    pub records: Vec<TrajectoryRecord>,
    /// `flow_slots` per trajectory: each interface, then each storage device.
    pub flows: Vec<FlowRecord>,
    pub risk: HourlyRisk,
}

/// Per-hour counters over a set of trajectories, for the hourly risk profile: `hours` values
/// for the system, then `hours` for each region when there are several.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HourlyRisk {
    /// Trajectories with shortfall in each hour.
    pub short_trajectories: Vec<u64>,
    /// Sum over trajectories of the shortfall in each hour (power units).
    pub shortfall_sum: Vec<u64>,
}

impl HourlyRisk {
    pub fn new(hours: usize) -> Self {
        Self::with_slots(hours, 1)
    }

    /// Counters for `slots` profiles of `hours` hours each.
    pub fn with_slots(hours: usize, slots: usize) -> Self {
        Self {
            short_trajectories: vec![0; hours * slots],
            shortfall_sum: vec![0; hours * slots],
        }
    }

    /// Hours of all profiles together.
    pub fn hours(&self) -> usize {
        self.short_trajectories.len()
    }

    /// Adds another set's counters; integer sums, so the order of merging never matters.
    pub fn merge(&mut self, other: &HourlyRisk) {
        for (a, b) in self
            .short_trajectories
            .iter_mut()
            .zip(&other.short_trajectories)
        {
            *a += b;
        }
        for (a, b) in self.shortfall_sum.iter_mut().zip(&other.shortfall_sum) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_layout_matches_the_shader_struct() {
        // 4 × vec2<u32> + 4 × u32 in shaders/shared.wgsl.
        assert_eq!(std::mem::size_of::<TrajectoryRecord>(), 48);
        assert_eq!(std::mem::align_of::<TrajectoryRecord>(), 8);
        assert_eq!(std::mem::size_of::<FlowRecord>(), 24);
    }
}
