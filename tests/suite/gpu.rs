//! The GPU engine against the CPU engine: identical records, field by field.
//!
//! Runs on whatever adapter wgpu finds (in CI: Mesa's lavapipe, a software Vulkan device).
//! With CI=true a missing adapter fails the test; on a developer machine without Vulkan the
//! tests say so and pass without checking.

use std::path::Path;

use egap::Study;
use egap::engine::gpu::GpuEngine;

use crate::common;

fn engine() -> Option<GpuEngine> {
    common::gpu_engine()
}

fn study(name: &str) -> Study {
    Study::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name),
    )
    .unwrap()
}

fn assert_engines_agree(gpu: &GpuEngine, study: &Study, seed: u64, first: u64, n: usize) {
    let prepared = gpu.prepare(&study.system).unwrap();
    let g = gpu
        .run_chunk(&prepared, &study.laws, seed, first, n)
        .unwrap();
    let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, seed, first, n);
    let (g, gh, c, ch) = (g.records, g.risk, c.records, c.risk);
    assert_eq!(g.len(), c.len());
    for (i, (a, b)) in g.iter().zip(&c).enumerate() {
        assert_eq!(
            a,
            b,
            "{}: trajectory {} differs",
            study.scenario.name,
            first + i as u64
        );
    }
    assert_eq!(gh, ch, "{}: hourly counters differ", study.scenario.name);
    assert!(
        c.iter().any(|r| r.loss_of_load_hours > 0),
        "the comparison should include short hours"
    );
}

#[test]
fn philox_on_the_gpu_matches_the_known_answers() {
    let Some(gpu) = engine() else { return };
    let inputs = [
        [0, 0, 0, 0, 0, 0],
        [u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX, u32::MAX],
        [
            0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
        ],
    ];
    let expected = [
        [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8],
        [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
        [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
    ];
    assert_eq!(gpu.philox(&inputs).unwrap(), expected);
}

#[test]
fn rts79_records_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    assert_engines_agree(&gpu, &study("rts79/rts79.toml"), 7, 0, 3_000);
    // A trajectory index above 2^32 exercises the counter's high word.
    assert_engines_agree(&gpu, &study("rts79/rts79.toml"), 7, (1 << 32) - 700, 1_400);
}

#[test]
fn uncertain_demand_records_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    assert_engines_agree(
        &gpu,
        &study("rts79-datacentre/rts79-datacentre.toml"),
        3,
        0,
        2_000,
    );
}

/// A small random system exercising every feature of the format: weather years, hourly
/// capacity, renewables, uncertain and shaped added loads, queued projects, an uncertain
/// multiplier, and outage processes fast enough for many transitions per trajectory.
fn random_system(dir: &Path, case: u64) -> Study {
    let mut rng = common::Random(case.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut uniform =
        move |lo: f64, hi: f64| lo + (hi - lo) * rng.below(1_000_000) as f64 / 1_000_000.0;
    let hours = 24 + (uniform(0.0, 1.0) * 200.0) as usize;
    let years = if uniform(0.0, 1.0) < 0.5 { 1 } else { 3 };
    let year_names: Vec<String> = (0..years).map(|y| format!("y{y}")).collect();
    let mut csv = String::from("hour");
    for y in &year_names {
        csv.push_str(&format!(",load_{y},wind_{y},solar_{y},cap_{y}"));
    }
    csv.push_str(",shape\n");
    for h in 0..hours {
        csv.push_str(&h.to_string());
        for _ in &year_names {
            let daily = (std::f64::consts::TAU * h as f64 / 24.0).sin();
            csv.push_str(&format!(
                ",{:.4},{:.4},{:.4},{:.3}",
                500.0 + 150.0 * daily + uniform(-60.0, 60.0),
                uniform(0.0, 1.0),
                (daily.max(0.0) * uniform(0.6, 1.0)).min(1.0),
                uniform(20.0, 80.0)
            ));
        }
        csv.push_str(&format!(",{:.4}\n", uniform(0.2, 1.0)));
    }
    std::fs::write(dir.join("profiles.csv"), csv).unwrap();
    let mut toml = format!("[study]\nhours = {hours}\n");
    if years > 1 {
        toml.push_str(
            "weather_years = [\"y0\", \"y1\", \"y2\"]\nweather_year_weights = [0.5, 0.3, 0.2]\n",
        );
    }
    let col = |name: &str| {
        if years > 1 {
            format!("{name}_{{year}}")
        } else {
            format!("{name}_y0")
        }
    };
    toml.push_str(&format!(
        "\n[[regions]]\nname = \"r\"\nload_mw = {{ file = \"profiles.csv\", column = \"{}\" }}\n",
        col("load")
    ));
    toml.push_str("\n[[queued_projects]]\nname = \"p0\"\nprobability = 0.5\n\n[[queued_projects]]\nname = \"p1\"\nprobability = 0.3\n");
    if uniform(0.0, 1.0) < 0.6 {
        toml.push_str("\n[load_multiplier]\ndistribution = \"triangular\"\nlow = 0.9\nmode = 1.0\nhigh = 1.2\n");
    }
    let groups = 2 + (uniform(0.0, 6.0) as usize);
    for g in 0..groups {
        let count = 1 + (uniform(0.0, 4.0) as usize);
        toml.push_str(&format!("\n[[units]]\nname = \"g{g}\"\ncount = {count}\n"));
        if g == 0 {
            toml.push_str(&format!(
                "capacity_mw = {{ file = \"profiles.csv\", column = \"{}\" }}\n",
                col("cap")
            ));
        } else {
            toml.push_str(&format!("capacity_mw = {:.2}\n", uniform(40.0, 160.0)));
        }
        if g % 3 == 2 {
            toml.push_str(&format!(
                "failure_probability = {:.4}\nrepair_probability = {:.4}\n",
                uniform(0.0, 0.2),
                uniform(0.05, 1.0)
            ));
        } else {
            toml.push_str(&format!(
                "mttf_h = {:.1}\nmttr_h = {:.1}\n",
                uniform(5.0, 300.0),
                uniform(1.0, 40.0)
            ));
        }
        if g == 1 {
            toml.push_str("project = \"p0\"\n");
        }
    }
    toml.push_str(&format!(
        "\n[[renewables]]\nname = \"wind\"\ncapacity_mw = {:.1}\ncapacity_factor = {{ file = \"profiles.csv\", column = \"{}\" }}\n",
        uniform(300.0, 900.0),
        col("wind")
    ));
    toml.push_str(&format!(
        "\n[[renewables]]\nname = \"solar\"\ncapacity_mw = {:.1}\ncapacity_factor = {{ file = \"profiles.csv\", column = \"{}\" }}\nproject = \"p1\"\n",
        uniform(50.0, 600.0),
        col("solar")
    ));
    toml.push_str("\n[[added_loads]]\nname = \"campus\"\nsize_mw = { distribution = \"uniform\", low = 20, high = 120 }\nutilization = { distribution = \"beta\", alpha = 5, beta = 2 }\nshape = { file = \"profiles.csv\", column = \"shape\" }\n");
    toml.push_str("\n[[added_loads]]\nname = \"flat\"\nsize_mw = { distribution = \"normal\", mean = 30, sd = 10 }\n");
    let path = dir.join(format!("random-{case}.toml"));
    std::fs::write(&path, toml).unwrap();
    Study::load(&path).unwrap_or_else(|e| panic!("case {case}: {e}"))
}

#[test]
fn random_small_systems_are_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (mut curtailing, mut short) = (0, 0);
    for case in 1..=16 {
        let study = random_system(dir.path(), case);
        let prepared = gpu.prepare(&study.system).unwrap();
        let g = gpu.run_chunk(&prepared, &study.laws, case, 0, 400).unwrap();
        let c = egap::engine::cpu::run_chunk(&study.system, &study.laws, case, 0, 400);
        let (g, gh, c, ch) = (g.records, g.risk, c.records, c.risk);
        for (i, (a, b)) in g.iter().zip(&c).enumerate() {
            assert_eq!(a, b, "random system {case}: trajectory {i} differs");
        }
        assert_eq!(gh, ch, "random system {case}: hourly counters differ");
        curtailing += usize::from(c.iter().any(|r| r.curtailed_energy > 0));
        short += usize::from(c.iter().any(|r| r.loss_of_load_hours > 0));
    }
    assert!(
        curtailing >= 8 && short >= 8,
        "most random systems should curtail ({curtailing} of 16) and fall short ({short} of 16)"
    );
}

/// `egap run --backend gpu` and `--backend cpu` write byte-identical summaries.
#[test]
fn gpu_and_cpu_summaries_are_byte_identical() {
    if engine().is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/rts79-datacentre/rts79-datacentre.toml");
    let mut summaries = Vec::new();
    for backend in ["gpu", "cpu"] {
        let out = dir.path().join(backend);
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_egap"))
            .args([
                "run",
                "--trajectories",
                "20000",
                "--seed",
                "9",
                "--chunk-size",
                "8192",
                "--backend",
                backend,
            ])
            .arg(&scenario)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(String::from_utf8_lossy(&run.stderr).contains(&format!("engine: {backend}")));
        summaries.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    assert!(
        summaries[0] == summaries[1],
        "summary.json differs between backends"
    );
}

/// A device fault mid-run under `auto` finishes on the CPU from the failed chunk: the
/// statistics equal a clean CPU run's exactly, and the run says what happened.
#[test]
fn a_gpu_fault_mid_run_finishes_on_the_cpu_without_loss() {
    let Some(gpu) = engine() else { return };
    let study = study("rts79/rts79.toml");
    gpu.inject_fault_after(2);
    let engine = egap::engine::Engine::Gpu(Box::new(gpu));
    let options = egap::RunOptions {
        trajectories: 5_000,
        seed: 4,
        chunk_size: 1_000,
        ..egap::RunOptions::default()
    };
    let faulty = egap::run(&study, &engine, true, &options, &mut |_, _| {
        egap::Control::Continue
    })
    .unwrap();
    assert_eq!(faulty.completed, 5_000);
    assert!(
        faulty
            .notes
            .iter()
            .any(|n| n.contains("injected fault") && n.contains("from trajectory 2000")),
        "{:?}",
        faulty.notes
    );
    let clean = egap::run(
        &study,
        &egap::engine::Engine::Cpu,
        false,
        &options,
        &mut |_, _| egap::Control::Continue,
    )
    .unwrap();
    assert_eq!(faulty.accumulator, clean.accumulator);
    // Without fallback (--backend gpu) the same fault is an error.
    let Some(gpu) = self::engine() else { return };
    gpu.inject_fault_after(1);
    let engine = egap::engine::Engine::Gpu(Box::new(gpu));
    let err = egap::run(&study, &engine, false, &options, &mut |_, _| {
        egap::Control::Continue
    })
    .err()
    .expect("the fault is reported");
    assert!(err.to_string().contains("injected fault"), "{err}");
}

/// The WGSL network dispatch equals the CPU solver exactly on 600 random networks of up to
/// 8 regions: shortfall and curtailment per region and the flow on every link.
#[test]
fn network_dispatch_is_identical_on_gpu_and_cpu() {
    let Some(gpu) = engine() else { return };
    let problems = common::random_networks(600, 8, 0x9E37_79B9_7F4A_7C15);
    let on_gpu = gpu.network(&problems).unwrap();
    let mut net = egap::engine::cpu::network::Network::default();
    let mut out = egap::engine::cpu::network::Dispatch::default();
    for (i, ((regions, links), g)) in problems.iter().zip(&on_gpu).enumerate() {
        egap::engine::cpu::network::dispatch_hour(regions, links, &[], &mut net, &mut out);
        assert_eq!(g, &out, "network {i} differs: {regions:?} {links:?}");
    }
}
