//! egap: Monte Carlo distributions of power-system shortfall and curtailment.

pub mod engine;
pub mod scenario;
pub mod stats;
