//! The engines: CPU mirror (and, later, the GPU) over one compiled system.

pub mod record;
pub use record::{HourlyRisk, TrajectoryRecord};
pub mod cpu;
pub mod gpu;
pub mod rng;
