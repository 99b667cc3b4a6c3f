//! The stated scaling limits of multi-region studies hold: a study at every limit at once
//! (64 regions, 256 interfaces, 256 storage devices, an interface of 64 circuits) loads,
//! compiles and runs on the CPU engine with records of the documented shapes whose region
//! records add up to the system record; the GPU engine either matches the CPU exactly on it
//! or, on a software adapter, refuses it up front for the loop limit, and a smaller study
//! from the same generator (which lavapipe admits) matches the CPU exactly on every adapter;
//! and one past each limit (65 regions, 257 interfaces, 257 storage devices, 65 circuits) is
//! refused with an error that names the field and the limit.
//!
//! GPU tests run on whatever adapter wgpu finds (lavapipe in CI, where CI=true makes a
//! missing adapter a failure) and skip with a message without Vulkan. A last test checks the
//! sizing of GPU dispatches against the scratch binding limit.
//!
//! The studies are generated into a temporary folder: a ring of regions plus chords, each
//! interface of 1-4 circuits (some failing, some with hourly limits), stores spread over the
//! regions, and regions that are short of capacity, that have a renewable surplus, or that
//! are nearly balanced.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use egap::Study;
use egap::engine::ChunkRecords;
use egap::engine::gpu::GpuEngine;

use crate::common;

/// The stated limits (the messages below spell them out too).
const MAX_REGIONS: usize = 64;
const MAX_INTERFACES: usize = 256;
const MAX_STORAGE: usize = 256;
const MAX_CIRCUITS: u32 = 64;

#[test]
fn the_stated_limits_are_those_the_validator_enforces() {
    use egap::scenario::validate;
    assert_eq!(validate::MAX_REGIONS, MAX_REGIONS);
    assert_eq!(validate::MAX_INTERFACES, MAX_INTERFACES);
    assert_eq!(validate::MAX_STORAGE, MAX_STORAGE);
    assert_eq!(validate::MAX_CIRCUITS, i64::from(MAX_CIRCUITS));
}

fn engine() -> Option<GpuEngine> {
    common::gpu_engine()
}

/// The shape of a generated study.
#[derive(Clone, Copy, Debug)]
struct Shape {
    regions: usize,
    interfaces: usize,
    storage: usize,
    hours: usize,
    /// Circuits of the first interface (the others have 1-4).
    first_circuits: u32,
}

impl Shape {
    /// Every limit at once, over a day.
    const AT_LIMITS: Shape = Shape {
        regions: MAX_REGIONS,
        interfaces: MAX_INTERFACES,
        storage: MAX_STORAGE,
        hours: 24,
        first_circuits: MAX_CIRCUITS,
    };
}

/// Interfaces as region pairs: the ring first, then chords of growing stride, every
/// unordered pair at most once.
fn links(regions: usize, count: usize) -> Vec<(usize, usize)> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(count);
    'strides: for stride in 1..regions {
        for a in 0..regions {
            if out.len() == count {
                break 'strides;
            }
            let b = (a + stride) % regions;
            if seen.insert((a.min(b), a.max(b))) {
                out.push((a, b));
            }
        }
    }
    assert_eq!(
        out.len(),
        count,
        "{regions} regions cannot hold {count} interfaces"
    );
    out
}

/// Writes the study of `shape` (and its profiles) into `dir` as `name`.toml.
fn write_study(dir: &Path, name: &str, shape: Shape) -> PathBuf {
    let Shape {
        regions,
        interfaces,
        storage,
        hours,
        first_circuits,
    } = shape;
    // A fixed xorshift stream: the same study every run.
    let mut state =
        0x9E37_79B9_7F4A_7C15u64 ^ (regions * 1_000_003 + interfaces * 1009 + storage) as u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut uniform =
        move |lo: f64, hi: f64| lo + (hi - lo) * (next() % 1_000_000) as f64 / 1_000_000.0;

    // Region kinds by index: short of capacity, renewable surplus, nearly balanced.
    let peak = |r: usize| match r % 3 {
        0 => 900.0,
        1 => 200.0,
        _ => 500.0,
    };
    let wind = |r: usize| match r % 3 {
        0 => 0.0,
        1 => 1500.0,
        _ => 300.0,
    };
    let csv_name = format!("{name}.csv");
    let mut csv = String::from("hour");
    for r in 0..regions {
        write!(csv, ",load{r},wind{r},limit{r}").unwrap();
    }
    csv.push('\n');
    for h in 0..hours {
        write!(csv, "{h}").unwrap();
        let daily = 0.75 + 0.25 * (std::f64::consts::TAU * h as f64 / 24.0).sin();
        for r in 0..regions {
            write!(
                csv,
                ",{:.3},{:.4},{:.2}",
                peak(r) * daily * uniform(0.9, 1.1),
                uniform(0.1, 0.95),
                uniform(0.0, 250.0)
            )
            .unwrap();
        }
        csv.push('\n');
    }
    std::fs::write(dir.join(&csv_name), csv).unwrap();

    let mut toml = format!("[study]\nname = \"{name}\"\nhours = {hours}\n");
    for r in 0..regions {
        write!(
            toml,
            "\n[[regions]]\nname = \"R{r}\"\nload_mw = {{ file = \"{csv_name}\", column = \"load{r}\" }}\n"
        )
        .unwrap();
        if wind(r) > 0.0 {
            write!(
                toml,
                "\n[[renewables]]\nname = \"wind{r}\"\nregion = \"R{r}\"\ncapacity_mw = {:.1}\ncapacity_factor = {{ file = \"{csv_name}\", column = \"wind{r}\" }}\n",
                wind(r) * uniform(0.8, 1.2)
            )
            .unwrap();
        }
        // Short regions hold a third of their peak in units, the others most of it.
        let firm = if r % 3 == 0 { 0.35 } else { 0.8 } * peak(r);
        let count = 2 + r % 3;
        write!(
            toml,
            "\n[[units]]\nname = \"u{r}\"\nregion = \"R{r}\"\ncount = {count}\ncapacity_mw = {:.1}\nmttf_h = {:.1}\nmttr_h = {:.1}\n",
            firm / count as f64,
            uniform(20.0, 200.0),
            uniform(2.0, 30.0)
        )
        .unwrap();
    }
    for (k, (a, b)) in links(regions, interfaces).into_iter().enumerate() {
        let circuits = if k == 0 {
            first_circuits
        } else {
            1 + (k % 4) as u32
        };
        write!(
            toml,
            "\n[[interfaces]]\nname = \"i{k}\"\nfrom = \"R{a}\"\nto = \"R{b}\"\ncircuits = {circuits}\n"
        )
        .unwrap();
        if k % 5 == 3 {
            write!(
                toml,
                "limit_forward_mw = {{ file = \"{csv_name}\", column = \"limit{a}\" }}\nlimit_backward_mw = {:.1}\n",
                uniform(20.0, 150.0)
            )
            .unwrap();
        } else {
            writeln!(toml, "limit_mw = {:.1}", uniform(40.0, 200.0)).unwrap();
        }
        if k == 0 || k % 3 == 1 {
            write!(
                toml,
                "failure_probability = {:.3}\nrepair_probability = {:.3}\n",
                uniform(0.02, 0.3),
                uniform(0.1, 0.8)
            )
            .unwrap();
        }
    }
    for s in 0..storage {
        // Round robin, so every region holds some storage.
        let r = s % regions;
        write!(
            toml,
            "\n[[storage]]\nname = \"s{s}\"\nregion = \"R{r}\"\ncharge_mw = {:.1}\ndischarge_mw = {:.1}\nenergy_mwh = {:.1}\nround_trip_efficiency = {:.3}\ninitial_soc = {:.2}\n",
            uniform(10.0, 80.0),
            uniform(10.0, 80.0),
            uniform(20.0, 300.0),
            uniform(0.7, 0.95),
            uniform(0.0, 1.0)
        )
        .unwrap();
        if s % 5 == 2 {
            toml.push_str("mttf_h = 30\nmttr_h = 6\n");
        }
    }
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, toml).unwrap();
    path
}

fn load(dir: &Path, name: &str, shape: Shape) -> Study {
    let path = write_study(dir, name, shape);
    Study::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Shapes, and that the region records add up to the system record; returns whether any
/// trajectory fell short, curtailed, moved power and discharged storage.
fn check_records(study: &Study, c: &ChunkRecords, n: usize) -> [bool; 4] {
    let sys = &study.system;
    let regions = study.scenario.regions.len();
    let links = sys.interfaces.len();
    let slots = sys.header.record_slots as usize;
    let flow_slots = sys.header.flow_slots as usize;
    assert_eq!(slots, 1 + regions);
    assert_eq!(flow_slots, links + sys.storage.len());
    assert_eq!(c.records.len(), n * slots);
    assert_eq!(c.flows.len(), n * flow_slots);
    assert_eq!(c.risk.short_trajectories.len(), sys.hours() * slots);
    assert_eq!(c.risk.shortfall_sum.len(), sys.hours() * slots);
    for (t, r) in c.records.chunks_exact(slots).enumerate() {
        let (system, parts) = (&r[0], &r[1..]);
        let sum = |f: fn(&egap::engine::TrajectoryRecord) -> u64| parts.iter().map(f).sum::<u64>();
        assert_eq!(
            system.unserved_energy,
            sum(|p| p.unserved_energy),
            "trajectory {t}: unserved"
        );
        assert_eq!(
            system.demand_energy,
            sum(|p| p.demand_energy),
            "trajectory {t}: demand"
        );
        assert_eq!(
            system.renewable_energy,
            sum(|p| p.renewable_energy),
            "trajectory {t}: renewable"
        );
        assert_eq!(
            system.curtailed_energy,
            sum(|p| p.curtailed_energy),
            "trajectory {t}: curtailed"
        );
        for p in r {
            assert!(p.curtailed_energy <= p.renewable_energy, "trajectory {t}");
            assert!(p.unserved_energy <= p.demand_energy, "trajectory {t}");
        }
    }
    // The hourly counters of the system add up to its records.
    let hours = sys.hours();
    let shortfall: u64 = c.risk.shortfall_sum[..hours].iter().sum();
    assert_eq!(
        shortfall,
        c.records
            .chunks_exact(slots)
            .map(|r| r[0].unserved_energy)
            .sum::<u64>()
    );
    let short = c.records.iter().any(|r| r.unserved_energy > 0);
    let curtailed = c.records.iter().any(|r| r.curtailed_energy > 0);
    let flowing = c.flows.chunks_exact(flow_slots).any(|f| {
        f[..links]
            .iter()
            .any(|l| l.first_energy + l.second_energy > 0)
    });
    let discharging = c
        .flows
        .chunks_exact(flow_slots)
        .any(|f| f[links..].iter().any(|s| s.second_energy > 0));
    [short, curtailed, flowing, discharging]
}

#[test]
fn a_study_at_every_network_limit_runs_on_the_cpu_with_consistent_records() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let study = load(dir.path(), "limits", Shape::AT_LIMITS);
    let sys = &study.system;
    assert_eq!(sys.header.regions as usize, MAX_REGIONS);
    assert_eq!(sys.interfaces.len(), MAX_INTERFACES);
    assert_eq!(sys.storage.len(), MAX_STORAGE);
    assert_eq!(study.scenario.interfaces[0].circuits, MAX_CIRCUITS);
    let loaded = started.elapsed();
    let n = 16;
    let c = egap::engine::cpu::run_chunk(sys, &study.laws, 7, 0, n);
    eprintln!(
        "limits study: loaded in {loaded:?}, {n} trajectories on the CPU in {:?}",
        started.elapsed() - loaded
    );
    let [short, curtailed, flowing, discharging] = check_records(&study, &c, n);
    assert!(
        short && curtailed && flowing && discharging,
        "short {short}, curtailed {curtailed}, flowing {flowing}, discharging {discharging}"
    );
}

/// A study lavapipe's loop budget admits, from the same generator: 4 regions joined by all
/// 6 pairs (the first in 64 failing circuits), 4 stores, 6 hours.
const SMALL: Shape = Shape {
    regions: 4,
    interfaces: 6,
    storage: 4,
    hours: 6,
    first_circuits: MAX_CIRCUITS,
};

fn assert_identical(name: &str, g: &ChunkRecords, c: &ChunkRecords, slots: usize) {
    assert_eq!(g.records.len(), c.records.len(), "{name}");
    for (i, (a, b)) in g.records.iter().zip(&c.records).enumerate() {
        assert_eq!(
            a,
            b,
            "{name}: trajectory {} slot {} differs",
            i / slots,
            i % slots
        );
    }
    assert_eq!(g.flows, c.flows, "{name}: flow records differ");
    assert_eq!(g.risk, c.risk, "{name}: hourly counters differ");
}

#[test]
fn the_study_at_the_limits_is_identical_on_gpu_and_cpu_or_refused_on_a_software_adapter() {
    let Some(gpu) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let study = load(dir.path(), "limits", Shape::AT_LIMITS);
    let sys = &study.system;
    // The scratch of one workgroup (64 trajectories) fits in one binding, so `prepare` can
    // always size at least one dispatch of this study.
    let per_thread = egap::engine::gpu::layout::scratch_words_per_thread(sys) * 4;
    let limit = gpu.adapter.max_storage_buffer_binding_size;
    assert!(
        64 * per_thread <= limit,
        "{per_thread} bytes of scratch per trajectory; {} allows {limit} bytes in a binding",
        gpu.adapter.name
    );
    match gpu.prepare(sys) {
        Ok(prepared) => {
            let n = 16;
            let started = std::time::Instant::now();
            let g = gpu.run_chunk(&prepared, &study.laws, 7, 0, n).unwrap();
            eprintln!(
                "limits study: {n} trajectories on {} in {:?}",
                gpu.adapter.name,
                started.elapsed()
            );
            let c = egap::engine::cpu::run_chunk(sys, &study.laws, 7, 0, n);
            check_records(&study, &c, n);
            assert_identical("limits study", &g, &c, sys.header.record_slots as usize);
        }
        Err(e) => {
            // Mesa's software adapter ends shader loops after 65,535 iterations; a day of
            // dispatch over 64 regions needs far more, so egap refuses it up front.
            assert_eq!(gpu.adapter.device_type, "Cpu", "{e}");
            let text = e.to_string();
            assert!(
                text.contains("65,535") && text.contains("--backend cpu"),
                "{text}"
            );
            eprintln!("limits study refused on {}: {text}", gpu.adapter.name);
        }
    }
}

#[test]
fn a_smaller_study_from_the_same_generator_is_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let study = load(dir.path(), "small", SMALL);
    assert_eq!(study.scenario.interfaces[0].circuits, MAX_CIRCUITS);
    let prepared = gpu
        .prepare(&study.system)
        .unwrap_or_else(|e| panic!("the small study must run on every adapter: {e}"));
    let slots = study.system.header.record_slots as usize;
    let n = 256;
    let mut seen = [false; 4];
    for seed in [1, 2, 3] {
        let g = gpu.run_chunk(&prepared, &study.laws, seed, 0, n).unwrap();
        let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, seed, 0, n);
        let flags = check_records(&study, &c, n);
        for (s, f) in seen.iter_mut().zip(flags) {
            *s |= f;
        }
        assert_identical(&format!("small study, seed {seed}"), &g, &c, slots);
    }
    assert!(
        seen.iter().all(|&s| s),
        "short, curtailed, flowing, discharging: {seen:?}"
    );
}

/// The error of loading the study of `shape`, which must be refused for exactly one reason.
fn refusal(dir: &Path, name: &str, shape: Shape) -> String {
    let path = write_study(dir, name, shape);
    let err = match Study::load(&path) {
        Ok(_) => panic!("{name}: a study past a limit was accepted"),
        Err(e) => e,
    };
    match &err {
        egap::Error::Scenario(e) => assert_eq!(e.diagnostics().len(), 1, "{name}: {err}"),
        other => panic!("{name}: not a scenario error: {other}"),
    }
    err.to_string()
}

#[test]
fn one_past_each_limit_is_refused_with_the_field_and_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let past = |field: fn(&mut Shape)| {
        let mut shape = Shape::AT_LIMITS;
        shape.hours = 2;
        field(&mut shape);
        shape
    };
    let text = refusal(dir.path(), "regions", past(|s| s.regions += 1));
    assert!(
        text.contains("regions: the study has 65 regions; at most 64 are supported"),
        "{text}"
    );
    let text = refusal(dir.path(), "interfaces", past(|s| s.interfaces += 1));
    assert!(
        text.contains("interfaces: the study has 257 interfaces; at most 256 are supported"),
        "{text}"
    );
    let text = refusal(dir.path(), "storage", past(|s| s.storage += 1));
    assert!(
        text.contains("storage: the study has 257 storage devices; at most 256 are supported"),
        "{text}"
    );
    let text = refusal(dir.path(), "circuits", past(|s| s.first_circuits += 1));
    assert!(
        text.contains("interfaces \"i0\" → circuits: must be a whole number from 1 to 64, got 65"),
        "{text}"
    );
}

/// A chunk larger than one dispatch holds fits its scratch buffer in one binding: the
/// dispatches are whole workgroups (64 threads) and their scratch stays within the adapter's
/// limit. (Found by this test: before, the threads per dispatch were not rounded down to
/// whole workgroups, and on lavapipe's 128 MiB this 2-region study with 20,000 units failed
/// from 385 trajectories a chunk, the 64-region study above from 2,817.)
#[test]
fn a_full_dispatch_fits_the_scratch_binding() {
    let Some(gpu) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let toml = r#"
[study]
hours = 1

[[regions]]
name = "A"
load_mw = 600000

[[regions]]
name = "B"
load_mw = 100

[[units]]
name = "fleet"
region = "A"
count = 20000
capacity_mw = 50
failure_probability = 0
repair_probability = 1

[[interfaces]]
from = "A"
to = "B"
limit_mw = 50
"#;
    let path = dir.path().join("scratch.toml");
    std::fs::write(&path, toml).unwrap();
    let study = Study::load(&path).unwrap();
    let per_thread = egap::engine::gpu::layout::scratch_words_per_thread(&study.system) * 4;
    // More than fit one dispatch, and not a multiple of the workgroup.
    let n = ((gpu.adapter.max_storage_buffer_binding_size / per_thread).clamp(1, 1 << 20) as usize)
        + 37;
    let prepared = gpu.prepare(&study.system).unwrap();
    let g = gpu
        .run_chunk(&prepared, &study.laws, 1, 0, n)
        .unwrap_or_else(|e| panic!("{n} trajectories of {per_thread} bytes of scratch: {e}"));
    let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, 1, 0, n);
    assert_eq!(g, c);
}
