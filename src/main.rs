//! The egap command line: parses arguments, calls the library, maps errors to exit codes.
//! No model logic lives here.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use egap::engine::Engine;
use egap::report::{self, Document, RunInfo};
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
    /// scenario's sources and assumptions, egap's version and the seed).
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
    Capability {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
        /// The standard, e.g. "LOLE_h<=2.4", "LOLE_d<=0.1", "NEUE_ppm<=10".
        #[arg(long, value_parser = Criterion::parse)]
        criterion: Criterion,
        /// Trajectories at each step of the search (common random numbers: same seed).
        #[arg(long, short = 'n', default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
        trajectories: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = Backend::Auto)]
        backend: Backend,
        #[arg(long)]
        adapter: Option<String>,
        /// What to print on standard output: the table, or the answer as JSON or CSV for
        /// scripts (the steps still go to standard error).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Step one parameter over values with common random numbers; writes sweep.csv and a plot
    /// per metric (SVG) with 95% bands.
    Sweep {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
        /// PATH=VALUES, e.g. 'added_loads[campus].size_mw=0:600:100' or 'load_multiplier=1,1.1';
        /// give it twice for a two-parameter grid (one line per value of the second).
        #[arg(long, required = true)]
        set: Vec<String>,
        /// Trajectories at each point.
        #[arg(long, short = 'n', default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
        trajectories: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = Backend::Auto)]
        backend: Backend,
        #[arg(long)]
        adapter: Option<String>,
        /// Folder for sweep.csv and the plots [default: egap-out/<scenario name>-sweep].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite results already in --out.
        #[arg(long)]
        force: bool,
    },
    /// Capacity credit of a resource: EFC and ELCC, with 95% intervals.
    Credit {
        /// The scenario TOML file (or a PRAS .pras system file).
        scenario: PathBuf,
        /// The resource: units[NAME], renewables[NAME] or storage[NAME] (its discharge power is the nameplate).
        #[arg(long)]
        resource: String,
        /// The reliability metric both credits hold equal.
        #[arg(long, default_value = "lole_hours", value_parser = reliability_metric)]
        metric: Metric,
        /// Trajectories at each step (common random numbers: same seed).
        #[arg(long, short = 'n', default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
        trajectories: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, value_enum, default_value_t = Backend::Auto)]
        backend: Backend,
        #[arg(long)]
        adapter: Option<String>,
        /// What to print on standard output: the table, or the answer as JSON or CSV for
        /// scripts (the steps still go to standard error).
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List every GPU adapter with its backend, type, driver and limits.
    Devices,
    /// Measure trajectory-years per second for your study on this machine, per backend.
    Bench(BenchArgs),
}

#[derive(clap::Args)]
struct BenchArgs {
    /// The scenario TOML file (or a PRAS .pras system file).
    scenario: PathBuf,
    /// Trajectories per measurement.
    #[arg(long, short = 'n', default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..))]
    trajectories: u64,
    /// Backends to measure.
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    /// Use the first GPU adapter whose name contains this text.
    #[arg(long)]
    adapter: Option<String>,
    /// CPU threads [default: one per core].
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=4096))]
    threads: Option<u64>,
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
    /// Number of trajectories to sample.
    #[arg(long, short = 'n', default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    trajectories: u64,
    /// Seed of the random streams; the same seed gives the same results on any machine.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Index of the first trajectory (to run one shard of a larger study).
    #[arg(long, default_value_t = 0)]
    first_trajectory: u64,
    /// Engine to run on.
    #[arg(long, value_enum, default_value_t = Backend::Auto)]
    backend: Backend,
    /// Use the first GPU adapter whose name contains this text (see `egap devices`).
    #[arg(long)]
    adapter: Option<String>,
    /// Folder for summary.json and the CSV tables [default: egap-out/<scenario name>].
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
            trajectories,
            seed,
            backend,
            adapter,
            format,
        } => {
            let (engine, note) = Engine::open(backend.engine(), adapter.as_deref())?;
            if let Some(note) = note {
                eprintln!("{note}");
            }
            eprintln!("engine: {}", engine.describe());
            let options = RunOptions {
                trajectories,
                seed,
                stop: Some(stop_on_ctrl_c()?),
                ..RunOptions::default()
            };
            let c = egap::credit::capacity_credit(
                &scenario,
                &resource,
                metric,
                &engine,
                &options,
                &mut show_step(metric),
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
            trajectories,
            seed,
            backend,
            adapter,
            out,
            force,
        } => {
            let settings = set
                .iter()
                .map(|s| egap::sweep::Setting::parse(s))
                .collect::<Result<Vec<_>, _>>()?;
            let points_total: usize = settings.iter().map(|s| s.values.len()).product();
            let stem = scenario
                .file_stem()
                .map_or("study".into(), |s| s.to_string_lossy().into_owned());
            let out =
                out.unwrap_or_else(|| PathBuf::from("egap-out").join(format!("{stem}-sweep")));
            // Checked and locked before the sweep's work, as for a run.
            let _folder = egap::run::ResultsFolder::claim(&out)?;
            refuse_overwrite(&out.join("sweep.csv"), force)?;
            let (engine, note) = Engine::open(backend.engine(), adapter.as_deref())?;
            if let Some(note) = note {
                eprintln!("{note}");
            }
            eprintln!("engine: {}", engine.describe());
            let options = RunOptions {
                trajectories,
                seed,
                stop: Some(stop_on_ctrl_c()?),
                ..RunOptions::default()
            };
            let bar = ProgressBar::new(points_total as u64);
            if !std::io::stderr().is_terminal() {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            }
            // sweep.csv is rewritten after every point, marked partial until the last, so
            // an interrupted (even killed) sweep keeps every point it completed.
            let sweep_csv = out.join("sweep.csv");
            let partial = |points: &[egap::sweep::Point]| {
                format!(
                    "# interrupted: {} of {points_total} points completed\n{}",
                    points.len(),
                    egap::sweep::csv(&settings, points)
                )
            };
            // sweep.json likewise, its `interrupted` true until the last point.
            let write_sweep_json = |points: &[egap::sweep::Point], total: usize| {
                let json = egap::sweep::json(
                    &scenario.display().to_string(),
                    &settings,
                    points,
                    trajectories,
                    seed,
                    total,
                );
                report::write_atomic(&out.join("sweep.json"), &format!("{json:#}\n"))
            };
            let swept = egap::sweep::sweep(&scenario, &settings, &engine, &options, &mut |done| {
                bar.set_position(done.len() as u64);
                if done.len() < points_total {
                    report::write_atomic(&sweep_csv, &partial(done))?;
                    write_sweep_json(done, points_total)?;
                }
                Ok(())
            });
            bar.finish_and_clear();
            let points = match swept {
                Err(egap::Error::Interrupted) => {
                    eprintln!(
                        "interrupted: {} holds the points completed, marked partial; run the sweep again for the rest",
                        sweep_csv.display()
                    );
                    return Ok(ExitCode::from(130));
                }
                other => other?,
            };
            report::write_atomic(&sweep_csv, &egap::sweep::csv(&settings, &points))?;
            write_sweep_json(&points, points_total)?;
            out!("{}", egap::sweep::table(&settings, &points));
            if let Err(e) =
                report::plot::write_svgs_and_pngs(&out, egap::sweep::plots(&settings, &points))
            {
                // As for a run: plots are an extra, a missing font only costs the PNGs.
                eprintln!("warning: plots not written: {e}");
            }
            outln!("wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Capability {
            scenario,
            criterion,
            trajectories,
            seed,
            backend,
            adapter,
            format,
        } => {
            let study = Study::load(&scenario)?;
            let (engine, note) = Engine::open(backend.engine(), adapter.as_deref())?;
            if let Some(note) = note {
                eprintln!("{note}");
            }
            eprintln!("engine: {}", engine.describe());
            let options = RunOptions {
                trajectories,
                seed,
                stop: Some(stop_on_ctrl_c()?),
                ..RunOptions::default()
            };
            let c = egap::capability::load_carrying_capability(
                &study,
                &engine,
                &options,
                &criterion,
                &mut show_step(criterion.metric),
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
            let _folder = egap::run::ResultsFolder::claim(&out)?;
            refuse_overwrite(&out.join("summary.json"), force)?;
            let written = report::write_all(&document, &out)?;
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

/// Results are never written over the study's own inputs (a profile named
/// `hourly_risk.csv` in the folder given as --out, say), with or without --force. A
/// target that is a folder (the plots) must not hold an input either.
fn refuse_overwriting_inputs(study: &Study, targets: &[PathBuf]) -> anyhow::Result<()> {
    // The target's folder exists (or is created) before the check; the target itself may not.
    let resolve = |p: &std::path::Path| -> Option<PathBuf> {
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
            anyhow::bail!(
                "{} is an input of this study, and the run would write {} over it; choose another --out (or --samples) for the results",
                input.display(),
                target.display()
            );
        }
    }
    Ok(())
}

/// The results of a finished run could not be written: the statistics are saved as a
/// checkpoint (the run's own, or one in the temporary folder) so that rerunning with it
/// and a writable `--out` writes them without computing anything again.
fn keep_work(
    e: anyhow::Error,
    checkpoint: Option<&std::path::Path>,
    study: &Study,
    options: &RunOptions,
    accumulator: &egap::stats::Accumulator,
) -> anyhow::Error {
    let path = checkpoint.map(PathBuf::from).unwrap_or_else(|| {
        std::env::temp_dir().join(format!(
            "egap-{}-{}.checkpoint.json",
            report::file_stem(study),
            std::process::id()
        ))
    });
    match egap::checkpoint::save(&path, study, options, accumulator) {
        Ok(()) => e.context(format!(
            "the results could not be written; the finished work is kept in {}: run the same command with --checkpoint {} (and a writable --out) to write them without recomputing",
            path.display(),
            path.display()
        )),
        Err(save) => e.context(format!(
            "the results could not be written, and neither could a checkpoint of the finished work ({save})"
        )),
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

/// Prints each step of a credit or capability search to stderr as it completes, so that an
/// interrupted search still shows what it computed.
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

fn show_step(metric: Metric) -> impl FnMut(&egap::Step) {
    let mut n = 0;
    move |step| {
        n += 1;
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
    set_threads(args.threads)?;
    let study = Study::load(&args.scenario)?;
    let backends = match args.backend {
        Backend::Auto => vec![egap::engine::Backend::Cpu, egap::engine::Backend::Gpu],
        b => vec![b.engine()],
    };
    let years = f64::from(study.system.header.hours) / 8760.0;
    let mut cpu_rate = None;
    for backend in backends {
        let engine = match Engine::open(backend, args.adapter.as_deref()) {
            Ok((engine, _)) => engine,
            Err(e) if args.backend == Backend::Auto => {
                outln!("gpu: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let options = RunOptions {
            trajectories: args.trajectories,
            seed: 1,
            ..RunOptions::default()
        };
        // A short warm-up builds pipelines and fills caches.
        egap::run(
            &study,
            &engine,
            false,
            &RunOptions {
                trajectories: args.trajectories.min(2_000),
                ..options.clone()
            },
            &mut |_, _| Control::Continue,
        )?;
        let started = Instant::now();
        egap::run(&study, &engine, false, &options, &mut |_, _| {
            Control::Continue
        })?;
        let rate = args.trajectories as f64 * years / started.elapsed().as_secs_f64();
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

fn run_study(args: RunArgs, html: bool) -> anyhow::Result<ExitCode> {
    set_threads(args.threads)?;
    let quiet = args.quiet;
    let settings = args
        .set
        .iter()
        .map(|s| egap::sweep::Setting::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    let study = egap::sweep::load_with_settings(&args.scenario, &settings)?;
    let (engine, note) = Engine::open(args.backend.engine(), args.adapter.as_deref())?;
    if !quiet {
        match note {
            Some(note) => eprintln!("engine: {} ({note})", engine.describe()),
            None => eprintln!("engine: {}", engine.describe()),
        }
    }
    let shard = args
        .shard
        .as_deref()
        .map(egap::shard::parse_spec)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let (first_trajectory, trajectories) = match shard {
        Some((k, n)) => egap::shard::range(args.trajectories, k, n),
        None => (args.first_trajectory, args.trajectories),
    };
    if trajectories == 0 {
        anyhow::bail!(
            "shard {} has no trajectories: use more trajectories than shards",
            args.shard.unwrap_or_default()
        );
    }
    if let Some(t) = args.target_rel_se
        && !(t > 0.0 && t < 1.0)
    {
        anyhow::bail!(
            "--target-rel-se must be a fraction above 0 and below 1 (0.01 is 1%), got {t}"
        );
    }
    let options = RunOptions {
        trajectories,
        seed: args.seed,
        first_trajectory,
        chunk_size: args.chunk_size as usize,
        progress: Some(Default::default()),
        // Ctrl-C reaches this run through its observer, which saves the checkpoint first.
        stop: None,
    };
    let units = study.units();
    let mut precision = None;
    let out = args
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
    let _folder = egap::run::ResultsFolder::claim(&out)?;
    let resumed = match &args.checkpoint {
        Some(path) => egap::checkpoint::load(path, &study, &options)?,
        None => None,
    };
    // The partial summary of an interrupted run is what its checkpoint continues: the
    // same command replaces it without --force. Complete results still need --force.
    let continuing = resumed.is_some() && report::is_interrupted_summary(&result_file);
    refuse_overwrite(&result_file, args.force || continuing)?;
    let mut targets: Vec<PathBuf> = report::RESULT_FILES.iter().map(|f| out.join(f)).collect();
    targets.push(result_file.clone());
    targets.extend(args.samples.clone());
    if !args.no_plots {
        targets.push(out.join("plots"));
    }
    refuse_overwriting_inputs(&study, &targets)?;
    if let Some(done) = &resumed {
        eprintln!(
            "resuming from {}: {} of {trajectories} trajectories already done",
            args.checkpoint
                .as_ref()
                .map_or(String::new(), |p| p.display().to_string()),
            done.trajectories()
        );
    }
    let mut last_save = Instant::now();
    let mut save_error = None;
    let stop = stop_on_ctrl_c()?;
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
    // A resumed run continues its samples file, so that it ends with every trajectory once.
    let done = resumed.as_ref().map_or(0, |a| a.trajectories());
    let mut samples = args
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
                report::samples::SamplesWriter::create(&study, options.seed, p, args.force)
            }
        })
        .transpose()?;
    let started = Instant::now();
    // Between chunk ends the bar follows the engines' own count (GPU windows, CPU batches),
    // so a long chunk of a network study does not leave it still.
    let counted = options.progress.clone();
    let running = AtomicBool::new(true);
    let outcome = std::thread::scope(|scope| {
        if let Some(counted) = &counted {
            let (bar, running) = (&bar, &running);
            scope.spawn(move || {
                while running.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                    let done = counted.load(Ordering::Relaxed).min(trajectories);
                    if done > bar.position() {
                        bar.set_position(done);
                    }
                }
            });
        }
        let outcome = egap::run_with_records(
            &study,
            &engine,
            args.backend == Backend::Auto,
            &options,
            resumed.unwrap_or_else(|| egap::stats::Accumulator::for_system(&study.system)),
            &mut |done, accumulator| {
                bar.set_position(done);
                if args.target_rel_se.is_some() {
                    let summary = accumulator.summary(&units);
                    let e = args.metric.of(&summary.metrics);
                    let rel = if e.mean > 0.0 {
                        e.standard_error / e.mean
                    } else {
                        f64::INFINITY
                    };
                    precision = Some(rel);
                }
                let met = args
                    .target_rel_se
                    .is_some_and(|t| precision.is_some_and(|p| p <= t));
                let decision = if met || stop.load(Ordering::SeqCst) {
                    Control::Stop
                } else {
                    Control::Continue
                };
                if let Some(path) = &args.checkpoint
                    && (decision == Control::Stop || last_save.elapsed().as_secs_f64() >= 1.0)
                {
                    if let Err(e) = egap::checkpoint::save(path, &study, &options, accumulator) {
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
        );
        running.store(false, Ordering::Relaxed);
        outcome
    })?;
    if let Some(e) = save_error {
        return Err(e.into());
    }
    bar.finish_and_clear();
    for note in &outcome.notes {
        eprintln!("{note}");
    }
    let elapsed = started.elapsed().as_secs_f64();

    let reached = args
        .target_rel_se
        .is_some_and(|t| precision.is_some_and(|p| p <= t));
    // A run that stopped on its precision target is complete, not interrupted.
    let interrupted = outcome.interrupted && !reached;
    // From here on the work is done: if its results cannot be written, it is kept.
    let keep = |e: anyhow::Error| {
        keep_work(
            e,
            args.checkpoint.as_deref(),
            &study,
            &options,
            &outcome.accumulator,
        )
    };
    // The run is complete once its results are written: its checkpoint has then served.
    let checkpoint_served = || {
        if let Some(path) = &args.checkpoint
            && !interrupted
        {
            let _ = std::fs::remove_file(path);
        }
    };
    if let Some((k, n)) = shard {
        if interrupted {
            // Interrupted, not bad input: the status of an interrupted run, and a
            // checkpoint (if any) kept for the rerun.
            eprintln!(
                "interrupted: shard {k}/{n} stopped after {} of {trajectories} trajectories and wrote no shard file (an incomplete shard cannot be merged); run the same command again{}",
                outcome.completed,
                if args.checkpoint.is_some() {
                    " to continue from its checkpoint"
                } else {
                    ""
                }
            );
            return Ok(ExitCode::from(130));
        }
        let mut file = egap::shard::ShardFile::new(
            &study,
            args.seed,
            args.trajectories,
            (k, n),
            outcome.accumulator.clone(),
        );
        let path = out.join(file.file_name());
        file.to_json()
            .and_then(|text| report::write_atomic(&path, &text))
            .map_err(anyhow::Error::from)
            .map_err(keep)?;
        checkpoint_served();
        outln!(
            "shard {k}/{n}: trajectories {}..{} in {:.2} s; wrote {}",
            file.first_trajectory,
            file.first_trajectory + file.trajectories,
            started.elapsed().as_secs_f64(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let summary = outcome.accumulator.summary(&units);
    let mut document = Document::new(
        &study,
        RunInfo {
            seed: args.seed,
            first_trajectory,
            requested: trajectories,
            interrupted,
        },
        summary,
    );
    if let Some(criterion) = args.criterion {
        document.check(criterion);
    }
    if let Some(target) = args.target_rel_se {
        document.convergence = Some(report::Convergence {
            metric: args.metric.key().to_string(),
            target_relative_standard_error: target,
            achieved_relative_standard_error: precision.filter(|p| p.is_finite()),
            reached,
        });
        if reached {
            eprintln!(
                "precision target met: relative standard error of {} ≤ {target} after {} trajectories",
                args.metric, outcome.completed
            );
        } else {
            eprintln!(
                "precision target NOT met: {} trajectories ran out first (relative standard error of {} is {})",
                outcome.completed,
                args.metric,
                precision.map_or("unknown".into(), |p| format!("{p:.4}"))
            );
        }
    }
    let written = report::write_all(&document, &out)
        .map_err(anyhow::Error::from)
        .map_err(keep)?;
    checkpoint_served();
    if !args.no_plots {
        // Plots are an extra: a missing font (PNG) is a warning, not a failed run.
        if let Err(e) = report::plot::write_plots(&document.summary, &out.join("plots")) {
            eprintln!("warning: plots not written: {e}");
        }
    }
    if html {
        // A PRAS file's assumptions are in the header of the scenario it imports to.
        let text = if egap::pras::is_pras(&args.scenario) {
            egap::pras::import(&args.scenario)?.toml
        } else {
            std::fs::read_to_string(&args.scenario).unwrap_or_default()
        };
        let page = report::html::page(
            &document,
            &report::html::header_comments(&text),
            &report::describe(&study),
            &report::plot::all_svgs(&document.summary),
        );
        report::write_atomic(&out.join("report.html"), &page)?;
        if !quiet {
            eprintln!("report: {}", out.join("report.html").display());
        }
    }
    print_document(&document, args.format)?;
    if args.format == Format::Table {
        let rate = outcome.completed as f64 * f64::from(study.system.header.hours)
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
            report::thousands(outcome.completed),
            engine.describe(),
            written.display()
        );
    }
    if interrupted {
        eprintln!(
            "interrupted: the summary covers the {} of {} trajectories completed",
            outcome.completed, trajectories
        );
        return Ok(ExitCode::from(130));
    }
    Ok(ExitCode::SUCCESS)
}
