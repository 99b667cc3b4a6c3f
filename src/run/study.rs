//! Running one study from start to written results: what `egap run` and `egap report` do,
//! callable from Rust.
//!
//! [`run`] loads the scenario with its overrides, opens the engine, claims the results
//! folder, resumes from a checkpoint, runs the trajectory range (the whole study, a range
//! from a first trajectory, or shard K of N) until it completes, meets its precision target
//! or is stopped, saves the checkpoint as it goes, streams the samples file, and writes the
//! results: `summary.json` with the CSV tables, the plots and `report.html`, or a shard file.
//! What the user should see as it goes comes through one callback ([`Event`]); the caller
//! prints, draws a progress bar, or ignores it.
//!
//! ```no_run
//! use egap::run::study::{self, Event, Outcome, Request};
//! let mut request = Request::new("scenarios/rts79/rts79.toml");
//! request.trajectories = 20_000;
//! request.settings = vec!["load_multiplier=1.1".into()];
//! request.out = Some("results/rts79-plus-10".into());
//! request.plots = false;
//! let outcome = study::run(&request, &mut |event| {
//!     if let Event::Progress(p) = event {
//!         eprintln!("{} of {} trajectories", p.completed, p.requested);
//!     }
//! })?;
//! if let Outcome::Complete(done) = outcome {
//!     let lole = &done.document.summary.metrics.lole_hours;
//!     println!("LOLE {:.3} ± {:.3} h; wrote {}", lole.mean, lole.standard_error, done.written.display());
//! }
//! # Ok::<(), egap::run::study::RunError>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use crate::engine::{self, Engine};
use crate::report::{self, Document, RunInfo};
use crate::stats::{Accumulator, Criterion, Metric};
use crate::{Control, RunOptions, Study};

use super::folder::{FolderError, ResultsFolder};

/// Which trajectories of the study a run computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Range {
    /// `Request::trajectories` trajectories from this index on (0 for a whole study).
    From(u64),
    /// Shard `k` (1-based) of `n`: the k-th of n disjoint ranges of `Request::trajectories`;
    /// its result is a shard file for [`crate::shard::merge`], not a summary.
    Shard { k: u64, n: u64 },
}

/// A precision target: stop once the relative standard error of `metric` is at most
/// `relative_standard_error`; `Request::trajectories` is then the most that will run.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub relative_standard_error: f64,
    pub metric: Metric,
}

/// Everything a run of a study needs: what `egap run` takes on its command line.
#[derive(Clone, Debug)]
pub struct Request {
    /// The scenario TOML file (or a PRAS `.pras` system file).
    pub scenario: PathBuf,
    /// Fields changed before running, `PATH=VALUE` as `egap run --set` takes them.
    pub settings: Vec<String>,
    /// Trajectories of the whole study (a shard runs its part of them).
    pub trajectories: u64,
    pub seed: u64,
    pub range: Range,
    pub backend: engine::Backend,
    /// The first GPU adapter whose name contains this text.
    pub adapter: Option<String>,
    /// The results folder; None for `egap-out/<scenario name>`.
    pub out: Option<PathBuf>,
    /// Replaces the scenario's criterion in the verdict.
    pub criterion: Option<Criterion>,
    pub target: Option<Target>,
    /// Saved about once a second as the run goes; continued from if it exists; deleted when
    /// the run completes.
    pub checkpoint: Option<PathBuf>,
    /// Every trajectory's drawn parameters and results, streamed to this CSV.
    pub samples: Option<PathBuf>,
    /// Draw the plots (SVG and PNG in `<out>/plots/`).
    pub plots: bool,
    /// Also write `report.html`.
    pub html: bool,
    /// Overwrite results already in the folder.
    pub force: bool,
    /// Trajectories per chunk (bounds memory; results do not depend on it).
    pub chunk_size: usize,
    /// Brought up to date by the engines within a chunk as well as at its end, for a
    /// progress display that moves during long chunks; None to count nothing there.
    pub progress: Option<Arc<AtomicU64>>,
    /// Raised from outside (a Ctrl-C handler) to stop at the next chunk boundary: the
    /// checkpoint is saved, and the outcome is interrupted with what was completed.
    pub stop: Option<Arc<AtomicBool>>,
}

impl Request {
    /// `egap run SCENARIO`'s defaults: 10,000 trajectories, seed 1, the whole study on the
    /// best engine, plots drawn, nothing overwritten.
    pub fn new(scenario: impl Into<PathBuf>) -> Request {
        let defaults = RunOptions::default();
        Request {
            scenario: scenario.into(),
            settings: Vec::new(),
            trajectories: defaults.trajectories,
            seed: defaults.seed,
            range: Range::From(0),
            backend: engine::Backend::Auto,
            adapter: None,
            out: None,
            criterion: None,
            target: None,
            checkpoint: None,
            samples: None,
            plots: true,
            html: false,
            force: false,
            chunk_size: defaults.chunk_size,
            progress: None,
            stop: None,
        }
    }

    /// The first trajectory and the number of trajectories this request runs.
    pub fn span(&self) -> (u64, u64) {
        match self.range {
            Range::Shard { k, n } => crate::shard::range(self.trajectories, k, n),
            Range::From(first) => (first, self.trajectories),
        }
    }
}

/// How far a run has got, after each chunk.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Trajectories done in this range, those of a resumed checkpoint included.
    pub completed: u64,
    /// Trajectories this range runs at most.
    pub requested: u64,
    /// The relative standard error of the target's metric so far (infinite while its mean
    /// is zero); None without a precision target.
    pub relative_standard_error: Option<f64>,
}

/// What a run tells its caller as it goes, in order.
pub enum Event<'a> {
    /// The engine is open; `note` says why it is not the one asked for, if so.
    Engine {
        engine: &'a Engine,
        note: Option<&'a str>,
    },
    /// A checkpoint is being continued.
    Resuming {
        checkpoint: &'a Path,
        done: u64,
        requested: u64,
    },
    /// A chunk has been folded into the statistics.
    Progress(Progress),
    /// The trajectories have run (or stopped); the results are written next.
    Ran,
    /// Something the user should know, such as a GPU error after which the run finished on
    /// the CPU.
    Note(&'a str),
    /// Whether the precision target was met (only with one).
    Precision {
        target: Target,
        reached: bool,
        completed: u64,
        relative_standard_error: Option<f64>,
    },
    /// The plots could not be drawn; the run goes on (they are an extra).
    PlotsNotWritten(&'a report::plot::PlotError),
    /// `report.html` was written here.
    ReportWritten(&'a Path),
}

/// A summary's run, written.
#[derive(Debug)]
pub struct Results {
    pub document: Document,
    /// The results folder written.
    pub written: PathBuf,
    /// Trajectories completed, and those the range asked for.
    pub completed: u64,
    pub requested: u64,
    /// Seconds the trajectories took (not the writing).
    pub seconds: f64,
    /// Hours in one trajectory (a year is 8,760).
    pub hours: u32,
    /// The engine that ran them, described.
    pub engine: String,
}

/// How a run ended.
#[derive(Debug)]
pub enum Outcome {
    /// Every trajectory asked for ran, or the precision target was met.
    Complete(Results),
    /// Stopped before the end: the summary covers the trajectories completed; the
    /// checkpoint, if any, is kept to continue from.
    Interrupted(Results),
    /// A shard ran and its file was written.
    Shard {
        path: PathBuf,
        first_trajectory: u64,
        trajectories: u64,
        /// Seconds from the start of the trajectories to the file written.
        seconds: f64,
    },
    /// A shard was stopped before the end; no shard file was written (an incomplete shard
    /// cannot be merged).
    ShardInterrupted {
        k: u64,
        n: u64,
        completed: u64,
        requested: u64,
    },
}

/// Why a run could not be done or its results not written.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Study(#[from] crate::Error),
    #[error(transparent)]
    Folder(#[from] FolderError),
    #[error("shard {k}/{n} has no trajectories: use more trajectories than shards")]
    EmptyShard { k: u64, n: u64 },
    #[error("--target-rel-se must be a fraction above 0 and below 1 (0.01 is 1%), got {0}")]
    Target(f64),
    /// Existing results are never overwritten without `force`.
    #[error("{} already exists; pass --force to overwrite it, or choose another --out folder", .0.display())]
    Exists(PathBuf),
    /// Results are never written over the study's own inputs, even with `force`.
    #[error(
        "{} is an input of this study, and the run would write {} over it; choose another --out (or --samples) for the results",
        input.display(),
        target.display()
    )]
    OverInput { input: PathBuf, target: PathBuf },
    /// The work was done but its results could not be written; it is kept as a checkpoint.
    #[error(
        "the results could not be written; the finished work is kept in {}: run the same command with --checkpoint {} (and a writable --out) to write them without recomputing",
        kept.display(),
        kept.display()
    )]
    Kept {
        kept: PathBuf,
        #[source]
        source: crate::Error,
    },
    /// The work was done, and neither its results nor a checkpoint of it could be written.
    #[error(
        "the results could not be written, and neither could a checkpoint of the finished work ({save})"
    )]
    Lost {
        save: Box<crate::Error>,
        #[source]
        source: crate::Error,
    },
}

/// Runs the study `request` describes and writes its results, telling `on_event` how it
/// goes. See the module's documentation.
pub fn run(request: &Request, on_event: &mut dyn FnMut(Event)) -> Result<Outcome, RunError> {
    let settings = request
        .settings
        .iter()
        .map(|s| crate::sweep::Setting::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let study = crate::sweep::load_with_settings(&request.scenario, &settings)?;
    let (engine, note) =
        Engine::open(request.backend, request.adapter.as_deref()).map_err(crate::Error::from)?;
    on_event(Event::Engine {
        engine: &engine,
        note: note.as_deref(),
    });
    let shard = match request.range {
        Range::Shard { k, n } => Some((k, n)),
        Range::From(_) => None,
    };
    let (first_trajectory, trajectories) = request.span();
    if trajectories == 0
        && let Some((k, n)) = shard
    {
        return Err(RunError::EmptyShard { k, n });
    }
    if let Some(t) = request.target
        && !(t.relative_standard_error > 0.0 && t.relative_standard_error < 1.0)
    {
        return Err(RunError::Target(t.relative_standard_error));
    }
    let options = RunOptions {
        trajectories,
        seed: request.seed,
        first_trajectory,
        chunk_size: request.chunk_size,
        progress: Some(request.progress.clone().unwrap_or_default()),
        // The stop flag reaches this run through its observer, which saves the checkpoint
        // first.
        stop: None,
    };
    let units = study.units();
    let mut precision = None;
    let out = request
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("egap-out").join(report::file_stem(&study)));
    let result_file = match shard {
        Some((k, n)) => out.join(format!("shard-{k}-of-{n}.json")),
        None => out.join("summary.json"),
    };
    // A folder that cannot take the results is found before the work, not after it, and
    // no other run writes into it until this one has written its files; existing results
    // are checked for under the lock.
    let folder = ResultsFolder::claim(&out)?;
    let resumed = match &request.checkpoint {
        Some(path) => crate::checkpoint::load(path, &study, &options)?,
        None => None,
    };
    // The partial summary of an interrupted run is what its checkpoint continues: the
    // same request replaces it without `force`. Complete results still need `force`.
    let continuing = resumed.is_some() && report::is_interrupted_summary(&result_file);
    if result_file.exists() && !(request.force || continuing) {
        return Err(RunError::Exists(result_file));
    }
    let mut targets: Vec<PathBuf> = report::RESULT_FILES.iter().map(|f| out.join(f)).collect();
    targets.push(result_file.clone());
    targets.extend(request.samples.clone());
    if request.plots {
        targets.push(out.join("plots"));
    }
    refuse_overwriting_inputs(&study, &targets)?;
    if let (Some(done), Some(checkpoint)) = (&resumed, &request.checkpoint) {
        on_event(Event::Resuming {
            checkpoint,
            done: done.trajectories(),
            requested: trajectories,
        });
    }
    let mut last_save = Instant::now();
    let mut save_error = None;
    // A resumed run continues its samples file, so that it ends with every trajectory once.
    let done = resumed.as_ref().map_or(0, |a| a.trajectories());
    let mut samples = request
        .samples
        .as_deref()
        .map(|p| {
            if done > 0 {
                report::samples::SamplesWriter::resume(
                    &study,
                    options.seed,
                    p,
                    first_trajectory,
                    done,
                )
            } else {
                report::samples::SamplesWriter::create(&study, options.seed, p, request.force)
            }
        })
        .transpose()?;
    let started = Instant::now();
    let outcome = crate::run_with_records(
        &study,
        &engine,
        request.backend == engine::Backend::Auto,
        &options,
        resumed.unwrap_or_else(|| Accumulator::for_system(&study.system)),
        &mut |done, accumulator| {
            if let Some(target) = &request.target {
                let summary = accumulator.summary(&units);
                let e = target.metric.of(&summary.metrics);
                let rel = if e.mean > 0.0 {
                    e.standard_error / e.mean
                } else {
                    f64::INFINITY
                };
                precision = Some(rel);
            }
            on_event(Event::Progress(Progress {
                completed: done,
                requested: trajectories,
                relative_standard_error: precision,
            }));
            let met = request
                .target
                .is_some_and(|t| precision.is_some_and(|p| p <= t.relative_standard_error));
            let stopped = (request.stop.as_ref()).is_some_and(|s| s.load(Ordering::SeqCst));
            let decision = if met || stopped {
                Control::Stop
            } else {
                Control::Continue
            };
            if let Some(path) = &request.checkpoint
                && (decision == Control::Stop || last_save.elapsed().as_secs_f64() >= 1.0)
            {
                if let Err(e) = crate::checkpoint::save(path, &study, &options, accumulator) {
                    save_error = Some(e);
                    return Control::Stop;
                }
                last_save = Instant::now();
            }
            decision
        },
        &mut |first, chunk| match samples.as_mut() {
            Some(w) => w.write_chunk(first, chunk),
            None => Ok(()),
        },
    )?;
    if let Some(e) = save_error {
        return Err(e.into());
    }
    on_event(Event::Ran);
    for note in &outcome.notes {
        on_event(Event::Note(note));
    }
    let seconds = started.elapsed().as_secs_f64();

    let reached = request
        .target
        .is_some_and(|t| precision.is_some_and(|p| p <= t.relative_standard_error));
    // A run that stopped on its precision target is complete, not interrupted.
    let interrupted = outcome.interrupted && !reached;
    // From here on the work is done: if its results cannot be written, it is kept.
    let keep = |e: crate::Error| {
        keep_work(
            e,
            request.checkpoint.as_deref(),
            &study,
            &options,
            &outcome.accumulator,
        )
    };
    // The run is complete once its results are written: its checkpoint has then served.
    let checkpoint_served = || {
        if let Some(path) = &request.checkpoint
            && !interrupted
        {
            let _ = std::fs::remove_file(path);
        }
    };
    if let Some((k, n)) = shard {
        if interrupted {
            return Ok(Outcome::ShardInterrupted {
                k,
                n,
                completed: outcome.completed,
                requested: trajectories,
            });
        }
        let mut file = crate::shard::ShardFile::new(
            &study,
            request.seed,
            request.trajectories,
            (k, n),
            outcome.accumulator.clone(),
        );
        let path = out.join(file.file_name());
        file.to_json()
            .and_then(|text| report::write_atomic(&path, &text))
            .map_err(keep)?;
        checkpoint_served();
        return Ok(Outcome::Shard {
            path,
            first_trajectory: file.first_trajectory,
            trajectories: file.trajectories,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let summary = outcome.accumulator.summary(&units);
    let mut document = Document::new(
        &study,
        RunInfo {
            seed: request.seed,
            first_trajectory,
            requested: trajectories,
            interrupted,
        },
        summary,
    );
    if let Some(criterion) = request.criterion {
        document.check(criterion);
    }
    if let Some(target) = request.target {
        document.convergence = Some(report::Convergence {
            metric: target.metric.key().to_string(),
            target_relative_standard_error: target.relative_standard_error,
            achieved_relative_standard_error: precision.filter(|p| p.is_finite()),
            reached,
        });
        on_event(Event::Precision {
            target,
            reached,
            completed: outcome.completed,
            relative_standard_error: precision,
        });
    }
    // Everything the run writes goes into the folder whole (`write_results`); a file that
    // cannot be written keeps the work as a checkpoint. Plots are an extra: a missing font
    // (PNG) is a warning, not a failed run.
    let html_text = if request.html {
        // A PRAS file's assumptions are in the header of the scenario it imports to.
        Some(if crate::pras::is_pras(&request.scenario) {
            crate::pras::import(&request.scenario)
                .map_err(crate::Error::from)?
                .toml
        } else {
            std::fs::read_to_string(&request.scenario).unwrap_or_default()
        })
    } else {
        None
    };
    let plots_error = folder
        .write_results(|staging| {
            report::write_all(&document, staging)?;
            let plots_error = match request.plots {
                true => report::plot::write_plots(&document.summary, &staging.join("plots")).err(),
                false => None,
            };
            if let Some(text) = &html_text {
                let page = report::html::page(
                    &document,
                    &report::html::header_comments(text),
                    &report::describe(&study),
                    &report::plot::all_svgs(&document.summary),
                );
                report::write_atomic(&staging.join("report.html"), &page)?;
            }
            Ok(plots_error)
        })
        .map_err(keep)?;
    let written = folder.path().to_owned();
    checkpoint_served();
    if let Some(e) = &plots_error {
        on_event(Event::PlotsNotWritten(e));
    }
    if request.html {
        on_event(Event::ReportWritten(&folder.join("report.html")));
    }
    let results = Results {
        document,
        written,
        completed: outcome.completed,
        requested: trajectories,
        seconds,
        hours: study.system.header.hours,
        engine: engine.describe(),
    };
    Ok(if interrupted {
        Outcome::Interrupted(results)
    } else {
        Outcome::Complete(results)
    })
}

/// Results are never written over the study's own inputs (a profile named
/// `hourly_risk.csv` in the results folder, say), with or without `force`. A target that is
/// a folder (the plots) must not hold an input either.
pub fn refuse_overwriting_inputs(study: &Study, targets: &[PathBuf]) -> Result<(), RunError> {
    // The target's folder exists (or is created) before the check; the target itself may not.
    let resolve = |p: &Path| -> Option<PathBuf> {
        if let Ok(c) = p.canonicalize() {
            return Some(c);
        }
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(".".as_ref());
        Some(parent.canonicalize().ok()?.join(p.file_name()?))
    };
    let inputs: Vec<(PathBuf, &PathBuf)> = study
        .scenario
        .inputs
        .iter()
        .filter_map(|p| Some((p.canonicalize().ok()?, p)))
        .collect();
    for target in targets {
        let Some(t) = resolve(target) else { continue };
        if let Some((_, input)) = inputs.iter().find(|(i, _)| i.starts_with(&t)) {
            return Err(RunError::OverInput {
                input: (*input).clone(),
                target: target.clone(),
            });
        }
    }
    Ok(())
}

/// The results of a finished run could not be written: the statistics are saved as a
/// checkpoint (the run's own, or one in the temporary folder) so that rerunning with it
/// and a writable results folder writes them without computing anything again.
fn keep_work(
    e: crate::Error,
    checkpoint: Option<&Path>,
    study: &Study,
    options: &RunOptions,
    accumulator: &Accumulator,
) -> RunError {
    let path = checkpoint.map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "egap-{}-{}.checkpoint.json",
            report::file_stem(study),
            std::process::id()
        ))
    });
    match crate::checkpoint::save(&path, study, options, accumulator) {
        Ok(()) => RunError::Kept {
            kept: path,
            source: e,
        },
        Err(save) => RunError::Lost {
            save: Box::new(save),
            source: e,
        },
    }
}
