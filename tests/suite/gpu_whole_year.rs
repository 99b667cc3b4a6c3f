//! GPU == CPU on every bundled study for its whole horizon: `egap run … --backend gpu` writes
//! a `summary.json` byte for byte the same as `--backend cpu`.
//!
//! The network walk advances in windows of hours (one dispatch each, its state kept on the
//! device between them), so even Mesa's lavapipe, which ends a shader's loops after 65,535
//! iterations, runs a whole year of every study; in CI this runs there (CI=true makes a
//! missing adapter a failure).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;

/// Trajectories per study: enough that every study has short, curtailing and storing
/// trajectories, as the summaries below check.
const TRAJECTORIES: &str = "4000";

fn bundled() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).into_iter().flatten())
        .map(|f| f.unwrap().path())
        .filter(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            name.ends_with(".toml") && name != "profiles-spec.toml"
        })
        .collect();
    files.sort();
    files.push(root.join("data/pras/rts.pras"));
    files
}

fn summary(scenario: &Path, backend: &str, out: &Path) -> String {
    let run = Command::new(env!("CARGO_BIN_EXE_egap"))
        .arg("run")
        .arg(scenario)
        .args([
            "--trajectories",
            TRAJECTORIES,
            "--seed",
            "11",
            "--backend",
            backend,
        ])
        .arg("--out")
        .arg(out)
        .args(["--force", "--no-plots"])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{} on {backend}: {}",
        scenario.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::read_to_string(out.join("summary.json")).unwrap()
}

#[test]
fn every_bundled_study_gives_the_same_summary_on_gpu_and_cpu_for_its_whole_horizon() {
    let Some(gpu) = common::gpu_engine() else {
        return;
    };
    drop(gpu);
    let dir = tempfile::tempdir().unwrap();
    let files = bundled();
    assert!(files.len() >= 9, "{files:?}");
    let (mut short, mut curtailing) = (0, 0);
    for (k, scenario) in files.iter().enumerate() {
        let cpu = summary(scenario, "cpu", &dir.path().join(format!("{k}-cpu")));
        let gpu = summary(scenario, "gpu", &dir.path().join(format!("{k}-gpu")));
        assert!(
            cpu == gpu,
            "{}: the GPU summary differs",
            scenario.display()
        );
        let json: serde_json::Value = serde_json::from_str(&cpu).unwrap();
        let metric = |name: &str| {
            json["summary"]["metrics"][name]["mean"]
                .as_f64()
                .unwrap_or(0.0)
        };
        short += usize::from(metric("eue_mwh") > 0.0);
        curtailing += usize::from(metric("curtailment_mwh") > 0.0);
    }
    // The equality means something only if the studies exercise shortfall and curtailment.
    assert!(
        short >= 5 && curtailing >= 4,
        "{short} studies with shortfall, {curtailing} with curtailment"
    );
}
