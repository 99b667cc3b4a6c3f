//! egap: Monte Carlo distributions of power-system shortfall and curtailment.
//!
//! The library does everything the CLI does: load a scenario, compile it, run trajectories
//! on an engine in chunks, and turn the records into a [`stats::Summary`].
//!
//! ```no_run
//! use egap::{RunOptions, Study};
//! let study = Study::load("scenarios/rts79/rts79.toml".as_ref())?;
//! let outcome = egap::run(&study, &RunOptions { trajectories: 10_000, ..RunOptions::default() }, &mut |_| egap::Control::Continue)?;
//! let summary = outcome.accumulator.summary(&study.units());
//! println!("LOLE {:.3} h", summary.metrics.lole_hours.mean);
//! # Ok::<(), egap::Error>(())
//! ```

pub mod engine;
pub mod report;
pub mod scenario;
pub mod stats;

use std::path::{Path, PathBuf};

use scenario::{CompiledSystem, ParameterLaws, Scenario, ScenarioError};
use stats::Accumulator;

/// Errors of the library; the CLI maps each to a message and an exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error("{what} {}: {source}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid run options: {0}")]
    Options(String),
}

/// A loaded, validated and compiled scenario.
pub struct Study {
    pub scenario: Scenario,
    pub system: CompiledSystem,
    pub laws: ParameterLaws,
}

impl Study {
    pub fn load(path: &Path) -> Result<Study, Error> {
        let scenario = scenario::load(path)?;
        let (system, laws) = scenario::compile(&scenario)?;
        Ok(Study {
            scenario,
            system,
            laws,
        })
    }

    /// The units the statistics need to turn integer records into MW and MWh.
    pub fn units(&self) -> stats::Units {
        stats::Units {
            power_unit_w: self.system.power_unit_w,
            hours: self.system.header.hours,
        }
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub trajectories: u64,
    pub seed: u64,
    /// Index of the first trajectory: a shard of a larger run starts here.
    pub first_trajectory: u64,
    /// Trajectories per chunk: memory is bounded by this, not by `trajectories`.
    pub chunk_size: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            trajectories: 10_000,
            seed: 1,
            first_trajectory: 0,
            chunk_size: 65_536,
        }
    }
}

/// The observer's answer after each chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    /// Stop at this chunk boundary; what was computed is kept.
    Stop,
}

/// The result of a run: statistics over the trajectories completed.
pub struct RunOutcome {
    pub accumulator: Accumulator,
    /// Trajectories simulated (all of them unless interrupted).
    pub completed: u64,
    pub interrupted: bool,
}

/// Runs `options.trajectories` trajectories on the CPU engine, chunk by chunk, calling
/// `observer` with the number done after each chunk.
pub fn run(
    study: &Study,
    options: &RunOptions,
    observer: &mut dyn FnMut(u64) -> Control,
) -> Result<RunOutcome, Error> {
    if options.trajectories == 0 {
        return Err(Error::Options(
            "the number of trajectories must be at least 1".into(),
        ));
    }
    if options.chunk_size == 0 {
        return Err(Error::Options("the chunk size must be at least 1".into()));
    }
    let end = options
        .first_trajectory
        .checked_add(options.trajectories)
        .ok_or_else(|| {
            Error::Options("first trajectory + trajectories overflows 64 bits".into())
        })?;
    let mut accumulator = Accumulator::new(study.system.hours());
    let mut next = options.first_trajectory;
    let mut interrupted = false;
    while next < end {
        let count = (end - next).min(options.chunk_size as u64) as usize;
        let (records, risk) =
            engine::cpu::run_chunk(&study.system, &study.laws, options.seed, next, count);
        for r in &records {
            accumulator.add(r);
        }
        accumulator.add_hourly(&risk);
        next += count as u64;
        if observer(next - options.first_trajectory) == Control::Stop && next < end {
            interrupted = true;
            break;
        }
    }
    Ok(RunOutcome {
        accumulator,
        completed: next - options.first_trajectory,
        interrupted,
    })
}
