//! egap: Monte Carlo distributions of power-system shortfall and curtailment.
//!
//! The library does everything the CLI does: load a scenario, compile it, run trajectories
//! on an engine in chunks, and turn the records into a [`stats::Summary`].
//! [`run::study::run`] does all of `egap run` in one call (overrides, shards, precision
//! target, checkpoints, samples, results written); below it, the chunked runner:
//!
//! ```no_run
//! use egap::{RunOptions, Study};
//! let study = Study::load("scenarios/rts79/rts79.toml".as_ref())?;
//! // A GPU if there is one, else the CPU; `note` says why when it falls back.
//! let (engine, note) = egap::engine::Engine::open(egap::engine::Backend::Auto, None)?;
//! let options = RunOptions { trajectories: 10_000, ..RunOptions::default() };
//! let outcome = egap::run(&study, &engine, true, &options, &mut |_, _| egap::Control::Continue)?;
//! let summary = outcome.accumulator.summary(&study.units());
//! println!("LOLE {:.3} h", summary.metrics.lole_hours.mean);
//! # Ok::<(), egap::Error>(())
//! ```

pub mod engine;
pub mod fuzz_targets;
pub mod input;
pub mod pras;
pub mod profiles;
pub mod report;
pub mod run;
pub mod scenario;
pub mod seal;
pub mod stats;
pub mod studies;

// The paths these modules had before they moved into `run` and `studies`.
pub use run::{checkpoint, shard};
pub use studies::{capability, compare, credit, sweep};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;

use engine::gpu::GpuError;
use engine::{ChunkRecords, Engine, Prepared};
use scenario::tables::IdentityPart;
use scenario::{CompiledSystem, ParameterLaws, Scenario, ScenarioError};
use stats::Accumulator;

/// Errors of the library; the CLI maps each to a message and an exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    // The reason is part of the message, not a `source`: a source would be printed
    // again by the CLI, which prints each error's chain.
    #[error("{what} {}: {reason}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error(transparent)]
    Gpu(#[from] GpuError),
    #[error(transparent)]
    Pras(#[from] pras::PrasError),
    #[error("cannot merge: {0}")]
    Merge(String),
    #[error("invalid run options: {0}")]
    Options(String),
    /// A file given to `egap report` as results (JSON) that it cannot make a page of; the
    /// message names the file.
    #[error("cannot make a page: {0}")]
    Page(String),
    /// The run's stop flag was raised (Ctrl-C) before it finished; what it completed has
    /// been handed on through its callbacks.
    #[error("interrupted")]
    Interrupted,
}

/// A loaded, validated and compiled scenario.
pub struct Study {
    pub scenario: Scenario,
    pub system: CompiledSystem,
    pub laws: ParameterLaws,
}

impl Study {
    /// Loads a scenario TOML file, or a PRAS system file (`.pras`) through the same scenario
    /// text `egap import` would write, with its profiles held in memory.
    pub fn load(path: &Path) -> Result<Study, Error> {
        let scenario = if pras::is_pras(path) {
            let imported = pras::import(path)?;
            scenario::validate::validate_with(path, &imported.toml, &imported.files(path))?
        } else {
            scenario::load(path)?
        };
        let (system, laws) = scenario::compile(&scenario)?;
        Ok(Study {
            scenario,
            system,
            laws,
        })
    }

    /// The study's identity in parts (`scenario::tables::IdentityPart`), each an FNV-1a
    /// hash of everything the engines and the parameter draws read about it, so that a
    /// merge or resume of another study is refused with the parts that differ named.
    pub fn identity(&self) -> BTreeMap<String, String> {
        let mut hashes = [seal::Fnv1a::new(); IdentityPart::ALL.len()];
        let mut eat = |part: IdentityPart, bytes: &[u8]| hashes[part as usize].eat(bytes);
        self.system.identity(&mut eat);
        self.laws.identity(&mut eat);
        (IdentityPart::ALL.iter().zip(hashes))
            .map(|(part, hash)| (part.name().to_string(), hash.hex()))
            .collect()
    }

    /// A fingerprint of the whole study: FNV-1a over its identity's parts.
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.identity())
    }

    /// The units the statistics need to turn integer records into MW and MWh.
    pub fn units(&self) -> stats::Units {
        stats::Units {
            power_unit_w: self.system.power_unit_w,
            hours: self.system.header.hours,
        }
    }
}

/// FNV-1a over the parts of a study's identity (`Study::identity`), in order.
pub fn fingerprint_of(identity: &BTreeMap<String, String>) -> String {
    let mut hash = seal::Fnv1a::new();
    for (part, h) in identity {
        hash.eat(part.as_bytes());
        hash.eat(b"=");
        hash.eat(h.as_bytes());
    }
    hash.hex()
}

/// The parts in which two identities differ, listed for a refusal ("interfaces and
/// storage"), or None when either identity is not known or none differs.
pub fn identity_differences(
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
) -> Option<String> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let parts: Vec<&str> = (IdentityPart::ALL.iter().map(|p| p.name()))
        .filter(|&p| a.get(p) != b.get(p))
        .collect();
    match parts.as_slice() {
        [] => None,
        [one] => Some(one.to_string()),
        [rest @ .., last] => Some(format!("{} and {last}", rest.join(", "))),
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
    /// Trajectories done so far in this run, brought up to date by the engines within a
    /// chunk (after each GPU window, each CPU batch) as well as at its end, for a progress
    /// display; None to count nothing.
    pub progress: Option<Arc<AtomicU64>>,
    /// Raised from outside (a Ctrl-C handler) to end the run at the next chunk boundary, as
    /// an observer's [`Control::Stop`] would; None for a run only its observer stops.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            trajectories: 10_000,
            seed: 1,
            first_trajectory: 0,
            chunk_size: 16_384,
            progress: None,
            stop: None,
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
    /// Things the user should know, such as a GPU error after which the run finished on
    /// the CPU.
    pub notes: Vec<String>,
}

/// What the worker hands the accumulating thread, in trajectory order.
enum Message {
    Chunk(ChunkRecords),
    Note(String),
    Failed(Error),
}

/// Runs `options.trajectories` trajectories on `engine`, chunk by chunk, calling `observer`
/// with the number done and the statistics so far after each chunk.
///
/// A worker thread computes chunk k + 1 while this thread folds chunk k into the statistics,
/// so the engine is never idle waiting for the host. With `fallback` (the `auto` backend), a
/// GPU error mid-run is noted and that chunk and every later one run on the CPU: nothing is
/// lost or counted twice, because only completed chunks reach the statistics.
pub fn run(
    study: &Study,
    engine: &Engine,
    fallback: bool,
    options: &RunOptions,
    observer: &mut dyn FnMut(u64, &Accumulator) -> Control,
) -> Result<RunOutcome, Error> {
    let fresh = Accumulator::for_system(&study.system);
    run_resumed(study, engine, fallback, options, fresh, observer)
}

/// Continues a run whose first `done.trajectories()` trajectories are already in `done` (from
/// a checkpoint): the result is exactly that of an uninterrupted run, because the statistics
/// are integer sums and every trajectory depends only on its index.
pub fn run_resumed(
    study: &Study,
    engine: &Engine,
    fallback: bool,
    options: &RunOptions,
    done: Accumulator,
    observer: &mut dyn FnMut(u64, &Accumulator) -> Control,
) -> Result<RunOutcome, Error> {
    run_with_records(
        study,
        engine,
        fallback,
        options,
        done,
        observer,
        &mut |_, _| Ok(()),
    )
}

/// The summary of a whole run of `study`, for studies built from several runs (sweep,
/// credit, capability): a run stopped by `options.stop` is [`Error::Interrupted`], never a
/// summary of fewer trajectories than asked.
pub fn run_summary(
    study: &Study,
    engine: &Engine,
    options: &RunOptions,
) -> Result<stats::Summary, Error> {
    let outcome = run(study, engine, false, options, &mut |_, _| Control::Continue)?;
    if outcome.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(outcome.accumulator.summary(&study.units()))
}

/// One completed run of a study built from several (a credit or capability search), handed
/// to the caller as it ends, so that an interrupted search still shows what it computed.
#[derive(Clone, Debug)]
pub struct Step {
    /// What was run, e.g. "demand × 1.25" or "with a 150 MW probe unit".
    pub what: String,
    /// The searched metric's estimate in that run.
    pub estimate: stats::Estimate,
}

/// [`run_resumed`], also handing each completed chunk's records, in trajectory order, to
/// `records` (first trajectory of the chunk, records) before they are folded into the
/// statistics: the hook for exporting per-trajectory samples without holding them.
pub fn run_with_records(
    study: &Study,
    engine: &Engine,
    fallback: bool,
    options: &RunOptions,
    done: Accumulator,
    observer: &mut dyn FnMut(u64, &Accumulator) -> Control,
    records: &mut dyn FnMut(u64, &ChunkRecords) -> Result<(), Error>,
) -> Result<RunOutcome, Error> {
    if done.trajectories() > options.trajectories || !done.fits_system(&study.system) {
        return Err(Error::Options(
            "the checkpoint does not belong to this run".into(),
        ));
    }
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
    let (sys, laws, seed, chunk) = (
        &study.system,
        &study.laws,
        options.seed,
        options.chunk_size as u64,
    );
    let stop = AtomicBool::new(false);
    let mut next = options.first_trajectory + done.trajectories();
    let mut accumulator = done;
    let mut notes = Vec::new();
    let mut interrupted = false;
    std::thread::scope(|scope| -> Result<(), Error> {
        let (tx, rx) = mpsc::sync_channel::<Message>(1);
        let stop = &stop;
        scope.spawn(move || {
            let mut on_gpu = engine.is_gpu();
            let mut prepared = match engine.prepare(sys) {
                Ok(p) => p,
                Err(e) if fallback => {
                    on_gpu = false;
                    let _ = tx.send(Message::Note(format!("{e}; running on the CPU")));
                    Prepared::Cpu
                }
                Err(e) => {
                    let _ = tx.send(Message::Failed(e.into()));
                    return;
                }
            };
            let mut first = next;
            while first < end && !stop.load(Ordering::Relaxed) {
                let count = (end - first).min(chunk) as usize;
                let progress = options.progress.as_deref();
                let result = match engine
                    .run_chunk_counted(&prepared, sys, laws, seed, first, count, progress)
                {
                    Err(e) if on_gpu && fallback => {
                        on_gpu = false;
                        prepared = Prepared::Cpu;
                        let done = first - options.first_trajectory;
                        let _ = tx.send(Message::Note(format!(
                            "{e}; finishing on the CPU from trajectory {done}"
                        )));
                        Ok(engine::cpu::run_chunk(sys, laws, seed, first, count))
                    }
                    other => other,
                };
                let message = match result {
                    Ok(chunk) => Message::Chunk(chunk),
                    Err(e) => Message::Failed(e.into()),
                };
                let failed = matches!(message, Message::Failed(_));
                if tx.send(message).is_err() || failed {
                    return;
                }
                first += count as u64;
            }
        });
        for message in rx {
            match message {
                Message::Note(n) => notes.push(n),
                Message::Failed(e) => return Err(e),
                Message::Chunk(chunk) => {
                    records(next, &chunk)?;
                    accumulator.add_chunk(&chunk);
                    next +=
                        (chunk.records.len() / study.system.header.record_slots as usize) as u64;
                    if let Some(p) = &options.progress {
                        p.fetch_max(next - options.first_trajectory, Ordering::Relaxed);
                    }
                    let asked = observer(next - options.first_trajectory, &accumulator);
                    let raised = options
                        .stop
                        .as_ref()
                        .is_some_and(|s| s.load(Ordering::SeqCst));
                    if (asked == Control::Stop || raised) && next < end {
                        interrupted = true;
                        stop.store(true, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        Ok(())
    })?;
    Ok(RunOutcome {
        accumulator,
        completed: next - options.first_trajectory,
        interrupted,
        notes,
    })
}

/// The README's Rust examples, compiled by `cargo test` so that they cannot fall behind the
/// library.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
