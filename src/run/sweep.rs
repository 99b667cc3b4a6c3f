//! The runner of a sweep: what surrounds [`crate::sweep::sweep`] when its results go to a
//! folder. It checks and locks the folder before any point runs, refuses to write over
//! earlier results without `force` or over the study's own inputs at all, and rewrites
//! `sweep.csv` and `sweep.json` after every point, marked interrupted until the last, so
//! that a sweep stopped by Ctrl-C, or killed, keeps every point it completed. The plots
//! follow the last point. `egap sweep` is this runner behind a command line.
//!
//! ```no_run
//! use egap::run::sweep::{self, Request, Outcome};
//!
//! let mut request = Request::new("scenarios/west-east/west-east.toml");
//! request.settings = vec!["interfaces[west-east].limit_mw=300:1500:300".into()];
//! request.trajectories = 2_000;
//! match sweep::run(&request, &mut |_| {})? {
//!     Outcome::Complete { points, folder, .. } => {
//!         println!("{} points in {}", points.len(), folder.display());
//!     }
//!     Outcome::Interrupted { completed, total, .. } => println!("{completed} of {total}"),
//! }
//! # Ok::<(), egap::run::study::RunError>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::folder::ResultsFolder;
use super::study::{RunError, refuse_overwriting_inputs};
use crate::engine::{Backend, Engine};
use crate::report::plot::{PlotError, write_svgs_and_pngs};
use crate::report::write_atomic;
use crate::sweep::{Point, Setting};
use crate::{Error, RunOptions, Study};

/// The files a sweep writes into its folder, besides its plots.
pub const SWEEP_CSV: &str = "sweep.csv";
pub const SWEEP_JSON: &str = "sweep.json";

/// What to sweep and where its results go.
#[derive(Clone, Debug)]
pub struct Request {
    pub scenario: PathBuf,
    /// `PATH=VALUES`, once or twice (a grid, the second varying fastest).
    pub settings: Vec<String>,
    /// Trajectories at each point, all with `seed` (common random numbers).
    pub trajectories: u64,
    pub seed: u64,
    pub backend: Backend,
    pub adapter: Option<String>,
    pub chunk_size: usize,
    /// The results folder; None for `egap-out/<scenario stem>-sweep`.
    pub out: Option<PathBuf>,
    /// Replace an earlier sweep's results in `out`.
    pub force: bool,
    /// Draw a plot per metric (SVG, and PNG where a font is found).
    pub plots: bool,
    /// Raised from outside to stop after the point running (which is then not kept).
    pub stop: Option<Arc<AtomicBool>>,
}

impl Request {
    /// A sweep of `scenario` with the command line's defaults; settings still to be given.
    pub fn new(scenario: impl Into<PathBuf>) -> Request {
        Request {
            scenario: scenario.into(),
            settings: Vec::new(),
            trajectories: 20_000,
            seed: 1,
            backend: Backend::Auto,
            adapter: None,
            chunk_size: RunOptions::default().chunk_size,
            out: None,
            force: false,
            plots: true,
            stop: None,
        }
    }

    /// The results folder: `out`, or `egap-out/<scenario stem>-sweep`.
    pub fn folder(&self) -> PathBuf {
        self.out.clone().unwrap_or_else(|| {
            let stem = self
                .scenario
                .file_stem()
                .map_or("study".into(), |s| s.to_string_lossy().into_owned());
            PathBuf::from("egap-out").join(format!("{stem}-sweep"))
        })
    }
}

/// What happens as a sweep goes, for a progress display.
pub enum Event<'a> {
    /// The engine opened, and why it is not the one asked for, if it is not.
    Engine {
        engine: &'a Engine,
        note: Option<&'a str>,
    },
    /// A point is done, and its results written.
    Point { completed: usize, total: usize },
    /// The plots could not be drawn; the tables were written all the same.
    PlotsNotWritten(&'a PlotError),
}

/// How a sweep ended.
pub enum Outcome {
    /// Every point ran; its files are in `folder`.
    Complete {
        settings: Vec<Setting>,
        points: Vec<Point>,
        folder: PathBuf,
    },
    /// Stopped: `csv` (and `sweep.json` beside it) hold the `completed` points of `total`,
    /// marked interrupted.
    Interrupted {
        completed: usize,
        total: usize,
        csv: PathBuf,
    },
}

/// Runs the sweep `request` describes into its folder, telling `on_event` how it goes.
pub fn run(request: &Request, on_event: &mut dyn FnMut(Event)) -> Result<Outcome, RunError> {
    let settings = request
        .settings
        .iter()
        .map(|s| Setting::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    // Bad settings are refused before the folder is touched.
    crate::sweep::refuse_repeated_paths(&settings)?;
    let total: usize = settings.iter().map(|s| s.values.len()).product();
    let out = request.folder();
    // The folder is checked and held before any point runs, as for a run.
    let folder = ResultsFolder::claim(&out)?;
    let csv_path = folder.join(SWEEP_CSV);
    let json_path = folder.join(SWEEP_JSON);
    if csv_path.exists() && !request.force {
        return Err(RunError::Exists(csv_path));
    }
    let study = Study::load(&request.scenario)?;
    refuse_overwriting_inputs(&study, &[csv_path.clone(), json_path.clone()])?;
    // The horizon, for the file written before any point is done (after, the points').
    let hours = study.system.header.hours;
    drop(study);
    let (engine, note) =
        Engine::open(request.backend, request.adapter.as_deref()).map_err(Error::from)?;
    on_event(Event::Engine {
        engine: &engine,
        note: note.as_deref(),
    });
    let options = RunOptions {
        trajectories: request.trajectories,
        seed: request.seed,
        chunk_size: request.chunk_size,
        stop: request.stop.clone(),
        ..RunOptions::default()
    };
    let write = |points: &[Point]| -> Result<(), Error> {
        write_tables(
            request, hours, &settings, points, total, &csv_path, &json_path,
        )
    };
    // The folder is this sweep's from now: an earlier sweep's tables give way to empty
    // ones, and its plots go, so that nothing of it is read as this one's.
    write(&[])?;
    remove_plots(folder.path())?;
    let mut completed = 0;
    let swept = crate::sweep::sweep(
        &request.scenario,
        &settings,
        &engine,
        &options,
        &mut |done| {
            write(done)?;
            completed = done.len();
            on_event(Event::Point { completed, total });
            Ok(())
        },
    );
    let points = match swept {
        Err(Error::Interrupted) => {
            return Ok(Outcome::Interrupted {
                completed,
                total,
                csv: csv_path,
            });
        }
        other => other?,
    };
    if request.plots
        && let Err(e) = write_svgs_and_pngs(folder.path(), crate::sweep::plots(&settings, &points))
    {
        on_event(Event::PlotsNotWritten(&e));
    }
    Ok(Outcome::Complete {
        settings,
        points,
        folder: folder.path().to_owned(),
    })
}

/// Writes `sweep.csv` and `sweep.json` for the points done so far; an incomplete sweep's
/// CSV starts with a comment saying how many points it holds, its JSON says `interrupted`.
fn write_tables(
    request: &Request,
    hours: u32,
    settings: &[Setting],
    points: &[Point],
    total: usize,
    csv_path: &Path,
    json_path: &Path,
) -> Result<(), Error> {
    write_atomic(csv_path, &crate::sweep::csv(settings, points, total))?;
    let json = crate::sweep::json(
        &request.scenario.display().to_string(),
        points.first().map_or(hours, |p| p.summary.hours),
        settings,
        points,
        request.trajectories,
        request.seed,
        total,
    );
    write_atomic(json_path, &format!("{json:#}\n"))
}

/// Removes the plots a sweep draws (`sweep-<metric>.svg` and `.png`), and no other file.
fn remove_plots(folder: &Path) -> Result<(), Error> {
    for metric in crate::sweep::SHOWN {
        for extension in ["svg", "png"] {
            let path = folder.join(format!("sweep-{metric}.{extension}"));
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::Io {
                        what: "cannot remove the earlier sweep's plot",
                        path,
                        reason: e,
                    });
                }
                _ => {}
            }
        }
    }
    Ok(())
}
