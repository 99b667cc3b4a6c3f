//! Interruptions lose nothing: a run killed mid-way resumes from its checkpoint to a summary
//! and samples file byte-identical to an uninterrupted run's, and SIGTERM stops at a chunk
//! boundary with valid results, every file marked partial, which the same command continues.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const TRAJECTORIES: &str = "600000";

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/rts79/rts79.toml")
}

fn egap_run(out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_egap"));
    c.arg("run").arg(scenario()).args([
        "--trajectories",
        TRAJECTORIES,
        "--seed",
        "3",
        "--chunk-size",
        "4000",
        "--backend",
        "cpu",
        "--out",
    ]);
    c.arg(out).args(extra).stdout(Stdio::null());
    c
}

/// Waits until the checkpoint exists (the run has saved at least once), then signals.
fn signal_after_checkpoint(child: &mut Child, checkpoint: &Path, signal: &str) {
    wait_for(child, checkpoint);
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until the running `child` has written `checkpoint` once.
fn wait_for(child: &mut Child, checkpoint: &Path) {
    wait_until(child, "no checkpoint appeared", || checkpoint.exists());
}

/// Waits until `done` holds, failing with `what` after a minute or if `child` ends first.
fn wait_until(child: &mut Child, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < Duration::from_secs(60), "{what}");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn trajectories_in(summary: &Path) -> u64 {
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(summary).unwrap()).unwrap();
    v["summary"]["trajectories"].as_u64().unwrap()
}

#[test]
fn killed_and_terminated_runs_resume_to_the_uninterrupted_summary() {
    let dir = tempfile::tempdir().unwrap();
    let reference = dir.path().join("reference");
    let samples = |folder: &Path| folder.with_extension("samples.csv");
    let samples_arg = samples(&reference);
    let with_samples = ["--samples", samples_arg.to_str().unwrap()];
    assert!(
        egap_run(&reference, &with_samples)
            .output()
            .unwrap()
            .status
            .success()
    );
    let expected = std::fs::read(reference.join("summary.json")).unwrap();
    let expected_samples = std::fs::read(samples(&reference)).unwrap();

    // SIGKILL: nothing is written but the checkpoint; the rerun continues from it.
    let killed = dir.path().join("killed");
    let checkpoint = dir.path().join("killed.ckpt");
    let ck = checkpoint.to_str().unwrap();
    let samples_arg = samples(&killed);
    let killed_args = [
        "--checkpoint",
        ck,
        "--samples",
        samples_arg.to_str().unwrap(),
    ];
    let mut child = egap_run(&killed, &killed_args)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed between checkpoints (the next save is a second after the first), with rows
    // written after the last one: the rerun must drop those rows, then write them again.
    wait_for(&mut child, &checkpoint);
    std::thread::sleep(Duration::from_millis(400));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!killed.join("summary.json").exists());
    let resumed = egap_run(&killed, &killed_args).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("resuming from"));
    assert!(
        std::fs::read(killed.join("summary.json")).unwrap() == expected,
        "resumed summary differs"
    );
    assert!(
        std::fs::read(samples(&killed)).unwrap() == expected_samples,
        "resumed samples differ: rows lost, repeated or reordered"
    );
    assert!(
        !checkpoint.exists(),
        "a completed run removes its checkpoint"
    );

    // SIGTERM: stops at the next chunk boundary, writes a marked partial summary, exits 130.
    let stopped = dir.path().join("stopped");
    let checkpoint = dir.path().join("stopped.ckpt");
    let ck = checkpoint.to_str().unwrap();
    let mut child = egap_run(&stopped, &["--checkpoint", ck])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    signal_after_checkpoint(&mut child, &checkpoint, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let partial = trajectories_in(&stopped.join("summary.json"));
    assert!(
        partial > 0 && partial < 600_000 && partial.is_multiple_of(4000),
        "{partial}"
    );
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(stopped.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["run"]["interrupted"], true);
    for table in ["metrics.csv", "distributions.csv", "hourly_risk.csv"] {
        let text = std::fs::read_to_string(stopped.join(table)).unwrap();
        assert_eq!(
            text.lines().next().unwrap(),
            format!("# interrupted: {partial} of 600000 trajectories completed"),
            "{table}"
        );
    }
    // The same command continues: the partial results are its own, so no --force.
    let resumed = egap_run(&stopped, &["--checkpoint", ck]).output().unwrap();
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(
        std::fs::read(stopped.join("summary.json")).unwrap() == expected,
        "resumed summary differs"
    );
    let metrics = std::fs::read_to_string(stopped.join("metrics.csv")).unwrap();
    assert!(
        metrics.starts_with("metric,"),
        "the complete run's tables are unmarked"
    );
}

#[test]
fn results_are_not_overwritten_without_force_and_foreign_checkpoints_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let small = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_egap"))
            .arg("run")
            .arg(scenario())
            .args(["-n", "500", "--backend", "cpu", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(small(&[]).status.success());
    let again = small(&[]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert!(small(&["--force"]).status.success());
    // A checkpoint of another seed is refused, not silently mixed in.
    let ck = dir.path().join("c.ckpt");
    let mut child = egap_run(
        &dir.path().join("x"),
        &["--checkpoint", ck.to_str().unwrap()],
    )
    .spawn()
    .unwrap();
    signal_after_checkpoint(&mut child, &ck, "-KILL");
    child.wait().unwrap();
    let other = small(&[
        "--force",
        "--seed",
        "99",
        "--checkpoint",
        ck.to_str().unwrap(),
    ]);
    assert_eq!(other.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&other.stderr).contains("checkpoint"),
        "{}",
        String::from_utf8_lossy(&other.stderr)
    );
}

/// An interrupted sweep keeps the points it completed: `sweep.csv` is rewritten after each
/// point, marked partial until the last, and the sweep exits 130.
#[test]
fn an_interrupted_sweep_keeps_its_completed_points() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let mut child = Command::new(env!("CARGO_BIN_EXE_egap"))
        .arg("sweep")
        .arg(scenario())
        .args([
            "--set",
            "units[U400 nuclear].capacity_mw=300:390:10",
            "--trajectories",
            "200000",
            "--backend",
            "cpu",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let table = out.join("sweep.csv");
    // The table exists, empty, from the start; wait for its first point.
    wait_until(&mut child, "no point of the sweep was written", || {
        std::fs::read_to_string(&table)
            .is_ok_and(|t| t.lines().next().is_some_and(|l| !l.contains(": 0 of")))
    });
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let text = std::fs::read_to_string(&table).unwrap();
    let mut lines = text.lines();
    let mark = lines.next().unwrap();
    let done: usize = mark
        .strip_prefix("# interrupted: ")
        .and_then(|m| m.strip_suffix(" of 10 points completed"))
        .unwrap_or_else(|| panic!("{mark}"))
        .parse()
        .unwrap();
    assert!((1..10).contains(&done), "{mark}");
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("units[U400 nuclear].capacity_mw,")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), done, "{text}");
    assert!(rows[0].starts_with("300,"), "{text}");
}
