//! The egap command line: parses arguments, calls the library, maps errors to exit codes.
//! No model logic lives here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use egap::engine::Engine;
use egap::report::{self, Document};
use egap::run::study::{self, Event, Outcome, Range, Request, Target};
use egap::stats::{Criterion, Metric};
use egap::{Control, RunOptions, Study};

#[derive(Parser)]
#[command(
    name = "egap",
    version,
    about = "Distributions of power-system shortfall and curtailment by Monte Carlo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a study and report its distributions.
    Run(RunArgs),
    /// Run a study and also write report.html: one self-contained page (tables, plots, the
    /// scenario's sources and assumptions, egap's version and the seed). Given the JSON of
    /// egap sweep (sweep.json), credit or capability (--format json) instead of a scenario,
    /// write that answer's page, beside the JSON as NAME.html unless --out names it.
    Report(RunArgs),
    /// Write a commented starter scenario (two regions, units, renewables, a battery and a
    /// line) to edit into your own system; it validates and runs as written.
    Init {
        /// The scenario file to write.
        #[arg(default_value = "scenario.toml")]
        file: PathBuf,
        /// Overwrite FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Check a scenario file (and its profiles) without running it.
    Validate {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
    },
    /// Write a PRAS system file (.pras) as an egap scenario: TOML and a CSV of profiles.
    /// (`egap run FILE.pras` runs one directly, with byte-identical results.)
    Import {
        /// The PRAS system file.
        pras: PathBuf,
        /// Folder to write NAME.toml and NAME-profiles.csv into.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite a scenario or profiles file already in --out.
        #[arg(long)]
        force: bool,
        /// Keep every PRAS generator a dispatchable unit, as PRAS classes them (no
        /// curtailment is reported); by default those that never fail and vary by the hour
        /// become renewables.
        #[arg(long)]
        keep_generators: bool,
    },
    /// Generate hourly load, wind and solar profiles for several weather years from a spec
    /// file (seeded: the same spec always gives the same CSV).
    Profiles {
        /// The profile spec (TOML; see scenarios/*/profiles-spec.toml).
        spec: PathBuf,
        /// The CSV to write [default: profiles.csv beside the spec].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite the CSV if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Compare summaries side by side: each metric of each file against the first, with the
    /// difference and a two-sided 5% z-test (conservative for runs with the same seed).
    Compare {
        /// summary.json files; the first is the base.
        #[arg(required = true, num_args = 2..)]
        summaries: Vec<PathBuf>,
        /// Also write the comparison as CSV to this file.
        #[arg(long)]
        csv: Option<PathBuf>,
        /// Overwrite the CSV file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Merge shard files (from `egap run --shard K/N`) into the whole study's summary,
    /// byte-identical to an unsharded run.
    Merge {
        /// The shard files, in any order.
        #[arg(required = true)]
        shards: Vec<PathBuf>,
        /// Folder for summary.json and the CSV tables [default: egap-out/merged].
        #[arg(long)]
        out: Option<PathBuf>,
        /// What to print on standard output.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// Overwrite results already in --out.
        #[arg(long)]
        force: bool,
    },
    /// Load-carrying capability: the demand scale at which a reliability criterion is just met.
    #[command(mut_arg("trajectories", at_each_step))]
    Capability {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
        /// The standard, e.g. "LOLE_h<=2.4", "LOLE_d<=0.1", "NEUE_ppm<=10".
        #[arg(long, value_parser = Criterion::parse)]
        criterion: Criterion,
        /// What to print on standard output: the table, or the answer as JSON or CSV for
        /// scripts (the steps still go to standard error).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        sampling: Sampling,
    },
    /// Step one parameter over values with common random numbers; writes sweep.csv and a plot
    /// per metric (SVG) with 95% bands.
    #[command(mut_arg("trajectories", at_each_step))]
    Sweep {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
        /// PATH=VALUES, e.g. 'added_loads[campus].size_mw=0:600:100' or 'load_multiplier=1,1.1';
        /// give it twice for a two-parameter grid (one line per value of the second).
        #[arg(long, required = true)]
        set: Vec<String>,
        /// Folder for sweep.csv and the plots [default: egap-out/<scenario name>-sweep].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite results already in --out.
        #[arg(long)]
        force: bool,
        /// Do not draw the plots (SVG and PNG in OUT).
        #[arg(long)]
        no_plots: bool,
        #[command(flatten)]
        sampling: Sampling,
    },
    /// Capacity credit of a resource: EFC and ELCC, with 95% intervals.
    #[command(mut_arg("trajectories", at_each_step))]
    Credit {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
        /// The resource: units[NAME], renewables[NAME] or storage[NAME] (its discharge power is the nameplate).
        #[arg(long)]
        resource: String,
        /// The reliability metric both credits hold equal.
        #[arg(long, default_value = "lole_hours", value_parser = reliability_metric)]
        metric: Metric,
        /// What to print on standard output: the table, or the answer as JSON or CSV for
        /// scripts (the steps still go to standard error).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        #[command(flatten)]
        sampling: Sampling,
    },
    /// List every GPU adapter with its backend, type, driver and limits.
    Devices,
    /// Measure trajectory-years per second for your study on this machine, per backend.
    #[command(mut_arg("trajectories", at_each_step))]
    Bench(BenchArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// The scenario TOML file (or a PRAS .pras system file).
    scenario: PathBuf,
    // Trajectories per measurement; `--backend auto` measures the CPU and the GPU.
    #[command(flatten)]
    sampling: Sampling,
}

/// How trajectories are sampled and on what: the options of every command that runs a
/// study, declared once. Only the default count differs: a run samples 10,000 trajectories
/// once, a sweep, search or benchmark 20,000 at each point or step (with the same seed at
/// each, so differences between steps are not noise between streams): those commands raise
/// it with `at_each_step`.
#[derive(clap::Args)]
struct Sampling {
    /// Number of trajectories to sample (at each point or step of a sweep or search).
    #[arg(long, short = 'n', default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    trajectories: u64,
    /// Seed of the random streams; the same seed gives the same results on any machine.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Engine to run on.
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    /// Use the first GPU adapter whose name contains this text (see `egap devices`).
    #[arg(long)]
    adapter: Option<String>,
    /// Trajectories per chunk (bounds memory; results do not depend on it).
    #[arg(long, default_value_t = 16_384, value_parser = clap::value_parser!(u64).range(1..=16_777_216))]
    chunk_size: u64,
    /// CPU threads [default: one per core]; results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=4096))]
    threads: Option<u64>,
    /// Print only the results: no engine line, no progress, no notes (errors and warnings
    /// still go to standard error).
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// The default count of a command that runs a study at each point or step.
fn at_each_step(trajectories: clap::Arg) -> clap::Arg {
    trajectories.default_value("20000")
}

impl Sampling {
    /// The run options these flags ask for, stopped by Ctrl-C.
    fn options(&self) -> anyhow::Result<RunOptions> {
        Ok(RunOptions {
            trajectories: self.trajectories,
            seed: self.seed,
            chunk_size: self.chunk_size as usize,
            stop: Some(stop_on_ctrl_c()?),
            ..RunOptions::default()
        })
    }

    /// Sizes the thread pool and opens the engine asked for, saying which (unless quiet).
    fn engine(&self) -> anyhow::Result<Engine> {
        set_threads(self.threads)?;
        let (engine, note) = Engine::open(self.backend.engine(), self.adapter.as_deref())?;
        say_engine(&engine, note.as_deref(), self.quiet);
        Ok(engine)
    }
}

/// The one line that says which engine runs, and why it is not the one asked for if it
/// is not; nothing with `--quiet`.
fn say_engine(engine: &Engine, note: Option<&str>, quiet: bool) {
    match (quiet, note) {
        (true, _) => {}
        (false, Some(note)) => eprintln!("engine: {} ({note})", engine.describe()),
        (false, None) => eprintln!("engine: {}", engine.describe()),
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Backend {
    /// A hardware GPU when one exists, else the CPU (said once); a GPU error mid-run finishes
    /// on the CPU.
    Auto,
    /// The GPU engine (wgpu); an error if no adapter is usable.
    Gpu,
    /// The CPU engine (rayon over trajectories).
    Cpu,
}

impl Backend {
    fn engine(self) -> egap::engine::Backend {
        match self {
            Backend::Auto => egap::engine::Backend::Auto,
            Backend::Gpu => egap::engine::Backend::Gpu,
            Backend::Cpu => egap::engine::Backend::Cpu,
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
}

#[derive(clap::Args)]
struct RunArgs {
    /// The scenario TOML file (or a PRAS .pras system file).
    scenario: PathBuf,
    /// Check the results against a reliability criterion, e.g. "LOLE_d<=0.1" (one day in ten
    /// years) or "NEUE_ppm<=20" (0.002% of demand unserved); replaces the scenario's
    /// `criterion`. The verdict reads the whole 95% interval: met, not met or undecided.
    #[arg(long, value_parser = Criterion::parse)]
    criterion: Option<Criterion>,
    /// Do not draw the plots (SVG and PNG in OUT/plots/).
    #[arg(long)]
    no_plots: bool,
    /// Also write every trajectory's drawn parameters and results to this CSV, streamed
    /// chunk by chunk (one row per trajectory; regions' results as extra columns).
    #[arg(long)]
    samples: Option<PathBuf>,
    /// Change one field before running, e.g. 'added_loads[campus].size_mw=0' (repeatable;
    /// the same paths as egap sweep, one value each).
    #[arg(long)]
    set: Vec<String>,
    /// Index of the first trajectory (to run one shard of a larger study).
    #[arg(long, default_value_t = 0)]
    first_trajectory: u64,
    /// Folder for summary.json and the CSV tables [default: egap-out/<scenario name>]; for
    /// `egap report` of a sweep, credit or capability JSON, the page to write.
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Run shard K of N (1-based): the K-th of N disjoint ranges of the --trajectories of
    /// the whole study; writes shard-K-of-N.json into --out for `egap merge`.
    #[arg(long, value_name = "K/N", conflicts_with = "first_trajectory")]
    shard: Option<String>,
    /// Stop once the relative standard error of --metric is at most this (e.g. 0.01); then
    /// --trajectories is the most that will run.
    #[arg(long, value_name = "FRACTION")]
    target_rel_se: Option<f64>,
    /// The metric --target-rel-se applies to.
    #[arg(long, default_value = "eue_mwh", value_parser = any_metric)]
    metric: Metric,
    /// Save the statistics to FILE as the run goes (about once a second) and, if FILE exists,
    /// continue the run it belongs to; it is deleted when the run completes.
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Overwrite results already in --out.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    sampling: Sampling,
}

/// Sets the size of the CPU engine's thread pool; called before anything uses it.
fn set_threads(threads: Option<u64>) -> anyhow::Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build_global()
            .context("cannot set the number of threads")?;
    }
    Ok(())
}

/// Writes to standard output. A reader that has gone (`egap … | head`) ends egap quietly
/// with status 0, as other Unix tools do; results are written to files before anything
/// is printed, so nothing is lost. Any other write error is reported.
macro_rules! out {
    ($($t:tt)*) => { write_stdout(format_args!($($t)*), false) };
}

/// `out!` with a newline.
macro_rules! outln {
    () => { write_stdout(format_args!(""), true) };
    ($($t:tt)*) => { write_stdout(format_args!($($t)*), true) };
}

/// Mesa's implicit Vulkan layer `VK_LAYER_MESA_device_select` reorders adapters for the
/// display and, to find it, connects to Wayland and X11: on a machine without a display it
/// prints "XDG_RUNTIME_DIR is invalid or not set" twice per probe. egap draws nothing and
/// ranks adapters itself, so the layer is turned off with its own switch unless the user
/// has set that switch.
fn quiet_vulkan_device_select() {
    if std::env::var_os("NODEVICE_SELECT").is_none() {
        // SAFETY: called first in main, before any other thread exists.
        unsafe { std::env::set_var("NODEVICE_SELECT", "1") };
    }
}

fn write_stdout(args: std::fmt::Arguments, newline: bool) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let written = o
        .write_fmt(args)
        .and_then(|()| if newline { o.write_all(b"\n") } else { Ok(()) });
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}

/// The scenario `egap init` writes (tests check that it validates and runs).
const STARTER_SCENARIO: &str = include_str!("templates/starter.toml");

fn main() -> ExitCode {
    quiet_vulkan_device_select();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // A search or sweep stopped by Ctrl-C has already shown or written what it completed.
        Err(e) if matches!(e.downcast_ref(), Some(egap::Error::Interrupted)) => {
            eprintln!("interrupted: the steps completed are shown above");
            ExitCode::from(130)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Init { file, force } => {
            if file.exists() && !force {
                anyhow::bail!(
                    "{} already exists; pass --force to overwrite it, or name another file",
                    file.display()
                );
            }
            report::write_atomic(&file, STARTER_SCENARIO)?;
            outln!(
                "wrote {}: edit it into your system, then `egap validate {}` and `egap run {}`",
                file.display(),
                file.display(),
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate { scenario } => {
            let study = Study::load(&scenario)?;
            out!("{}", report::describe(&study));
            outln!("{}: valid", scenario.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            pras,
            out,
            force,
            keep_generators,
        } => {
            let generators = if keep_generators {
                egap::pras::Generators::AsPras
            } else {
                egap::pras::Generators::RenewablesWhereHourly
            };
            let imported = egap::pras::import_as(&pras, generators)?;
            let toml = out.join(imported.toml_name());
            // Both files it writes: a profiles CSV left from another import is as much the
            // user's as the scenario.
            for path in [&toml, &out.join(&imported.csv_name)] {
                refuse_overwrite(path, force)?;
            }
            // Check before writing: what is written must run.
            let files = imported.files(&toml);
            egap::scenario::validate::validate_with(&toml, &imported.toml, &files)?;
            let toml = imported
                .write(&out)
                .with_context(|| format!("cannot write into {}", out.display()))?;
            outln!(
                "wrote {} and {}",
                toml.display(),
                out.join(&imported.csv_name).display()
            );
            if imported.renewables > 0 {
                outln!(
                    "{} generators that never fail and vary by the hour are renewables, so what the system cannot use of them is curtailment (--keep-generators keeps them dispatchable units, as in PRAS)",
                    imported.renewables
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => run_study(args, false),
        Command::Report(args) if report::pages::is_json(&args.scenario) => write_page(&args),
        Command::Report(args) => run_study(args, true),
        Command::Profiles { spec, out, force } => {
            let out = out.unwrap_or_else(|| spec.with_file_name("profiles.csv"));
            refuse_overwrite_file(&out, force, "choose another file with --out")?;
            let parsed = egap::profiles::read_spec(&spec)?;
            let generated = egap::profiles::generate(&parsed);
            egap::profiles::write_csv(&parsed, &generated, &out)?;
            outln!("wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Compare {
            summaries,
            csv,
            force,
        } => {
            if let Some(path) = &csv {
                refuse_overwrite_file(path, force, "name another file with --csv")?;
            }
            let runs = summaries
                .iter()
                .map(|p| egap::compare::read(p))
                .collect::<Result<Vec<_>, _>>()?;
            out!("{}", egap::compare::table(&runs));
            if let Some(path) = csv {
                report::write_atomic(&path, &egap::compare::csv(&runs))?;
                outln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Devices => {
            let adapters = egap::engine::gpu::list_adapters();
            if adapters.is_empty() {
                outln!(
                    "no GPU adapter found; egap runs on the CPU (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers, for the software adapter)"
                );
            }
            for a in adapters {
                outln!(
                    "{}\n  backend {}, type {}, driver {}\n  max storage binding {} MiB, max buffer {} MiB, max workgroups per dimension {}",
                    a.name,
                    a.backend,
                    a.device_type,
                    a.driver,
                    a.max_storage_buffer_binding_size >> 20,
                    a.max_buffer_size >> 20,
                    a.max_compute_workgroups_per_dimension
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench(args),
        Command::Credit {
            scenario,
            resource,
            metric,
            format,
            sampling,
        } => {
            let engine = sampling.engine()?;
            let (trajectories, seed) = (sampling.trajectories, sampling.seed);
            let c = egap::credit::capacity_credit(
                &scenario,
                &resource,
                metric,
                &engine,
                &sampling.options()?,
                &mut show_step(metric, sampling.quiet),
            )?;
            match format {
                Format::Json => {
                    outln!("{:#}", c.to_json(trajectories, seed));
                    return Ok(ExitCode::SUCCESS);
                }
                Format::Csv => {
                    out!("{}", c.to_csv(trajectories, seed));
                    return Ok(ExitCode::SUCCESS);
                }
                Format::Table => {}
            }
            outln!(
                "{}: {:.1} MW nameplate; {metric} with it {:.4} ± {:.4}, without it {:.4} ± {:.4} ({} steps of {trajectories} trajectories, seed {seed})",
                c.resource,
                c.nameplate_mw,
                c.with.mean,
                c.with.standard_error,
                c.without.mean,
                c.without.standard_error,
                c.evaluations
            );
            let show = |(v, lo, hi): (f64, f64, f64)| {
                format!(
                    "{v:.1} MW ({:.1}% of nameplate), 95% interval [{lo:.1}, {hi:.1}] MW",
                    100.0 * v / c.nameplate_mw
                )
            };
            outln!("  EFC  {}", show(c.efc_mw));
            outln!("  ELCC {}", show(c.elcc_mw));
            Ok(ExitCode::SUCCESS)
        }
        Command::Sweep {
            scenario,
            set,
            out,
            force,
            no_plots,
            sampling,
        } => sweep(
            egap::run::sweep::Request {
                scenario,
                settings: set,
                trajectories: sampling.trajectories,
                seed: sampling.seed,
                backend: sampling.backend.engine(),
                adapter: sampling.adapter.clone(),
                chunk_size: sampling.chunk_size as usize,
                out,
                force,
                plots: !no_plots,
                stop: Some(stop_on_ctrl_c()?),
            },
            &sampling,
        ),
        Command::Capability {
            scenario,
            criterion,
            format,
            sampling,
        } => {
            let study = Study::load(&scenario)?;
            let engine = sampling.engine()?;
            let (trajectories, seed) = (sampling.trajectories, sampling.seed);
            let c = egap::capability::load_carrying_capability(
                &study,
                &engine,
                &sampling.options()?,
                &criterion,
                &mut show_step(criterion.metric, sampling.quiet),
            )?;
            let name = &study.scenario.name;
            match format {
                Format::Json => {
                    outln!("{:#}", c.to_json(name, trajectories, seed));
                    return Ok(ExitCode::SUCCESS);
                }
                Format::Csv => {
                    out!("{}", c.to_csv(name, trajectories, seed));
                    return Ok(ExitCode::SUCCESS);
                }
                Format::Table => {}
            }
            let mw = |s: f64| (s - 1.0) * c.base_peak_mw;
            outln!(
                "{}: {} ≤ {} ({} trajectories per step, seed {seed}, {} steps)",
                study.scenario.name,
                c.criterion.metric,
                c.criterion.limit,
                trajectories,
                c.evaluations
            );
            outln!(
                "  as it is: {} = {:.4} ± {:.4}",
                c.criterion.metric,
                c.base.mean,
                c.base.standard_error
            );
            outln!(
                "  demand scale that just meets it: {:.4}   95% interval [{:.4}, {:.4}]",
                c.scale,
                c.scale_low,
                c.scale_high
            );
            outln!(
                "  load peak carried: {:.1} MW ({:+.1} MW vs {:.1} MW), 95% interval [{:.1}, {:.1}] MW",
                c.scale * c.base_peak_mw,
                mw(c.scale),
                c.base_peak_mw,
                c.scale_low * c.base_peak_mw,
                c.scale_high * c.base_peak_mw
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Merge {
            shards,
            out,
            format,
            force,
        } => {
            let (merged, run) = egap::shard::merge(&shards)?;
            let document = Document::from_shards(&merged, run);
            let out = out.unwrap_or_else(|| PathBuf::from("egap-out").join("merged"));
            let folder = egap::run::ResultsFolder::claim(&out)?;
            refuse_overwrite(&out.join("summary.json"), force)?;
            folder.write_results(|staging| report::write_all(&document, staging))?;
            let written = folder.path();
            print_document(&document, format)?;
            if format == Format::Table {
                outln!(
                    "merged {} shards, {} trajectories; wrote {}",
                    shards.len(),
                    merged.total_trajectories,
                    written.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A flag that Ctrl-C (or SIGTERM) raises, for a run to stop at its next chunk boundary and
/// keep what it completed. A second Ctrl-C while stopping ends the process at once.
fn stop_on_ctrl_c() -> anyhow::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let raised = stop.clone();
    ctrlc::set_handler(move || {
        if raised.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    })
    .context("cannot install the Ctrl-C handler")?;
    Ok(stop)
}

/// `--metric` where a study is held to a limit: a metric a reliability standard is written in.
fn reliability_metric(text: &str) -> Result<Metric, String> {
    Metric::RELIABILITY
        .into_iter()
        .find(|m| m.key() == text)
        .ok_or_else(|| format!("expected one of {}", Metric::keys(&Metric::RELIABILITY)))
}

/// `--metric` of a precision target: any metric of `summary.json`.
fn any_metric(text: &str) -> Result<Metric, String> {
    Metric::from_key(text).ok_or_else(|| format!("expected one of {}", Metric::keys(&Metric::ALL)))
}

/// Prints each step of a credit or capability search to stderr as it completes, so that an
/// interrupted search still shows what it computed (nothing with `--quiet`).
fn show_step(metric: Metric, quiet: bool) -> impl FnMut(&egap::Step) {
    let mut n = 0;
    move |step| {
        n += 1;
        if quiet {
            return;
        }
        eprintln!(
            "step {n}: {}: {metric} = {:.4} ± {:.4}",
            step.what, step.estimate.mean, step.estimate.standard_error
        );
    }
}

/// A file the user names is never overwritten without --force; `other` says what else they
/// can do.
fn refuse_overwrite_file(path: &std::path::Path, force: bool, other: &str) -> anyhow::Result<()> {
    if path.exists() && !force {
        anyhow::bail!(
            "{} already exists; pass --force to overwrite it, or {other}",
            path.display()
        );
    }
    Ok(())
}

/// `egap report RESULTS.json`: the page of a sweep, credit or capability answer, written
/// beside the JSON (or at --out), never over an existing file without --force nor ever
/// over the JSON it is made from.
fn write_page(args: &RunArgs) -> anyhow::Result<ExitCode> {
    // Options of a run would change nothing on a page of results already computed.
    let run_only = [
        ("--set", !args.set.is_empty()),
        ("--samples", args.samples.is_some()),
        ("--shard", args.shard.is_some()),
        ("--checkpoint", args.checkpoint.is_some()),
        ("--target-rel-se", args.target_rel_se.is_some()),
        ("--criterion", args.criterion.is_some()),
    ];
    if let Some((flag, _)) = run_only.iter().find(|(_, given)| *given) {
        anyhow::bail!(
            "{flag} applies to a run, and {} holds results already computed; give a scenario to run, or leave out {flag}",
            args.scenario.display()
        );
    }
    let results = report::pages::read(&args.scenario)?;
    let page = (args.out.clone()).unwrap_or_else(|| report::pages::default_path(&args.scenario));
    if same_file(&page, &args.scenario) {
        anyhow::bail!(
            "{} is the JSON the page is made from; name another file with --out",
            page.display()
        );
    }
    refuse_overwrite_file(&page, args.force, "choose another file with --out")?;
    report::write_atomic(&page, &report::pages::page(&results))?;
    if !args.sampling.quiet {
        outln!("wrote {}", page.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `a` and `b` name one existing file (through links or `..` too).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Existing results are never overwritten without --force.
fn refuse_overwrite(path: &std::path::Path, force: bool) -> anyhow::Result<()> {
    refuse_overwrite_file(path, force, "choose another --out folder")
}

fn print_document(document: &Document, format: Format) -> anyhow::Result<()> {
    match format {
        Format::Table => out!("{}", report::table(document)),
        Format::Json => outln!("{}", report::json(document)?),
        Format::Csv => out!("{}", report::metrics_csv(document)),
    }
    Ok(())
}

/// Times each backend on the user's own study: what `egap run` will achieve.
fn bench(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let sampling = &args.sampling;
    set_threads(sampling.threads)?;
    let study = Study::load(&args.scenario)?;
    let backends = match sampling.backend {
        Backend::Auto => vec![egap::engine::Backend::Cpu, egap::engine::Backend::Gpu],
        b => vec![b.engine()],
    };
    let years = f64::from(study.system.header.hours) / 8760.0;
    let mut cpu_rate = None;
    for backend in backends {
        let engine = match Engine::open(backend, sampling.adapter.as_deref()) {
            Ok((engine, _)) => engine,
            Err(e) if sampling.backend == Backend::Auto => {
                outln!("gpu: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let options = RunOptions {
            trajectories: sampling.trajectories,
            seed: sampling.seed,
            chunk_size: sampling.chunk_size as usize,
            ..RunOptions::default()
        };
        // A short warm-up builds pipelines and fills caches.
        egap::run(
            &study,
            &engine,
            false,
            &RunOptions {
                trajectories: sampling.trajectories.min(2_000),
                ..options.clone()
            },
            &mut |_, _| Control::Continue,
        )?;
        let started = Instant::now();
        egap::run(&study, &engine, false, &options, &mut |_, _| {
            Control::Continue
        })?;
        let rate = sampling.trajectories as f64 * years / started.elapsed().as_secs_f64();
        let ratio = match cpu_rate {
            Some(c) if engine.is_gpu() => format!(" ({:.1}x the CPU)", rate / c),
            _ => String::new(),
        };
        if !engine.is_gpu() {
            cpu_rate = Some(rate);
        }
        outln!(
            "{:<50} {:>14} trajectory-years/s{ratio}",
            engine.describe(),
            report::thousands(rate.round() as u64)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `egap sweep`: the run layer's sweep runner (`egap::run::sweep`) with a bar of points,
/// Ctrl-C, and the table printed.
fn sweep(request: egap::run::sweep::Request, sampling: &Sampling) -> anyhow::Result<ExitCode> {
    use egap::run::sweep::{Event, Outcome};
    set_threads(sampling.threads)?;
    let bar = ProgressBar::hidden();
    if std::io::stderr().is_terminal() && !sampling.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let outcome = egap::run::sweep::run(&request, &mut |event| match event {
        Event::Engine { engine, note } => say_engine(engine, note, sampling.quiet),
        Event::Point { completed, total } => {
            bar.set_length(total as u64);
            bar.set_position(completed as u64);
        }
        Event::PlotsNotWritten(e) => eprintln!("warning: plots not written: {e}"),
    });
    bar.finish_and_clear();
    match outcome? {
        Outcome::Interrupted {
            completed,
            total,
            csv,
        } => {
            eprintln!(
                "interrupted: {} holds the {completed} of {total} points completed, marked partial; run the sweep again for the rest",
                csv.display()
            );
            Ok(ExitCode::from(130))
        }
        Outcome::Complete {
            settings,
            points,
            folder,
        } => {
            out!("{}", egap::sweep::table(&settings, &points));
            outln!("wrote {}", folder.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `egap run` and `egap report`: the run layer's runner (`egap::run::study`) with a
/// progress bar, Ctrl-C, and its outcome printed and mapped to an exit status.
fn run_study(args: RunArgs, html: bool) -> anyhow::Result<ExitCode> {
    let sampling = &args.sampling;
    set_threads(sampling.threads)?;
    let quiet = sampling.quiet;
    let range = match args.shard.as_deref() {
        Some(spec) => {
            let (k, n) = egap::shard::parse_spec(spec).map_err(anyhow::Error::msg)?;
            Range::Shard { k, n }
        }
        None => Range::From(args.first_trajectory),
    };
    let counted = Arc::new(AtomicU64::new(0));
    let request = Request {
        scenario: args.scenario.clone(),
        settings: args.set.clone(),
        trajectories: sampling.trajectories,
        seed: sampling.seed,
        range,
        backend: sampling.backend.engine(),
        adapter: sampling.adapter.clone(),
        out: args.out.clone(),
        criterion: args.criterion,
        target: args.target_rel_se.map(|t| Target {
            relative_standard_error: t,
            metric: args.metric,
        }),
        checkpoint: args.checkpoint.clone(),
        samples: args.samples.clone(),
        plots: !args.no_plots,
        html,
        force: args.force,
        chunk_size: sampling.chunk_size as usize,
        progress: Some(counted.clone()),
        stop: Some(stop_on_ctrl_c()?),
    };
    let (_, trajectories) = request.span();
    let bar = ProgressBar::new(trajectories);
    if std::io::stderr().is_terminal() && !quiet {
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {human_pos}/{human_len} trajectories · {rate} · ETA {eta}",
            )
            .expect("progress template is valid")
            .with_key(
                "rate",
                |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = write!(w, "{}/s", report::thousands(state.per_sec() as u64));
                },
            ),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let running = AtomicBool::new(true);
    let outcome = std::thread::scope(|scope| {
        // Between chunk ends the bar follows the engines' own count (GPU windows, CPU
        // batches), so a long chunk of a network study does not leave it still.
        let (bar, running, counted) = (&bar, &running, &counted);
        scope.spawn(move || {
            while running.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let done = counted.load(Ordering::Relaxed).min(trajectories);
                if done > bar.position() {
                    bar.set_position(done);
                }
            }
        });
        let outcome = study::run(&request, &mut |event| match event {
            Event::Engine { engine, note } => say_engine(engine, note, quiet),
            Event::Resuming {
                checkpoint,
                done,
                requested,
            } => eprintln!(
                "resuming from {}: {done} of {requested} trajectories already done",
                checkpoint.display()
            ),
            Event::Progress(p) => bar.set_position(p.completed),
            Event::Ran => bar.finish_and_clear(),
            Event::Note(note) => eprintln!("{note}"),
            Event::Precision {
                target,
                reached,
                completed,
                relative_standard_error,
            } => {
                if reached {
                    eprintln!(
                        "precision target met: relative standard error of {} ≤ {} after {completed} trajectories",
                        target.metric, target.relative_standard_error
                    );
                } else {
                    eprintln!(
                        "precision target NOT met: {completed} trajectories ran out first (relative standard error of {} is {})",
                        target.metric,
                        relative_standard_error.map_or("unknown".into(), |p| format!("{p:.4}"))
                    );
                }
            }
            Event::PlotsNotWritten(e) => eprintln!("warning: plots not written: {e}"),
            Event::ReportWritten(path) => {
                if !quiet {
                    eprintln!("report: {}", path.display());
                }
            }
        });
        running.store(false, Ordering::Relaxed);
        outcome
    })?;
    let interrupted = matches!(outcome, Outcome::Interrupted(_));
    match outcome {
        Outcome::ShardInterrupted {
            k,
            n,
            completed,
            requested,
        } => {
            // Interrupted, not bad input: the status of an interrupted run, and a
            // checkpoint (if any) kept for the rerun.
            eprintln!(
                "interrupted: shard {k}/{n} stopped after {completed} of {requested} trajectories and wrote no shard file (an incomplete shard cannot be merged); run the same command again{}",
                if args.checkpoint.is_some() {
                    " to continue from its checkpoint"
                } else {
                    ""
                }
            );
            Ok(ExitCode::from(130))
        }
        Outcome::Shard {
            path,
            first_trajectory,
            trajectories,
            seconds,
        } => {
            let (k, n) = match range {
                Range::Shard { k, n } => (k, n),
                Range::From(_) => unreachable!("only a shard request writes a shard"),
            };
            outln!(
                "shard {k}/{n}: trajectories {}..{} in {seconds:.2} s; wrote {}",
                first_trajectory,
                first_trajectory + trajectories,
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Complete(results) | Outcome::Interrupted(results) => {
            print_document(&results.document, args.format)?;
            if args.format == Format::Table {
                let elapsed = results.seconds;
                let rate = results.completed as f64 * f64::from(results.hours)
                    / 8760.0
                    / elapsed.max(1e-9);
                // Short studies run few trajectory-years a second: keep two decimals for them.
                let rate = if rate >= 100.0 {
                    report::thousands(rate.round() as u64)
                } else {
                    format!("{rate:.2}")
                };
                outln!(
                    "{} trajectories in {elapsed:.2} s ({rate} trajectory-years/s, {}); wrote {}",
                    report::thousands(results.completed),
                    results.engine,
                    results.written.display()
                );
            }
            if interrupted {
                eprintln!(
                    "interrupted: the summary covers the {} of {} trajectories completed",
                    results.completed, results.requested
                );
                return Ok(ExitCode::from(130));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
