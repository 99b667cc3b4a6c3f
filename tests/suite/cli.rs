//! The command line as a user runs it: outputs, determinism, validation, exit codes.

use std::path::Path;
use std::process::Command;

use crate::common::scenario;

fn egap() -> Command {
    Command::new(env!("CARGO_BIN_EXE_egap"))
}

fn run_summary(threads: &str, chunk: &str, out: &Path) -> Vec<u8> {
    let status = egap()
        .args([
            "run",
            &scenario("rts79/rts79.toml"),
            "--trajectories",
            "20000",
            "--seed",
            "3",
            "--chunk-size",
            chunk,
            "--out",
        ])
        .arg(out)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read(out.join("summary.json")).unwrap()
}

#[test]
fn same_seed_gives_byte_identical_summaries_across_threads_and_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let one = run_summary("1", "65536", &dir.path().join("a"));
    let two = run_summary("2", "3000", &dir.path().join("b"));
    let again = run_summary("2", "65536", &dir.path().join("c"));
    assert_eq!(one, two);
    assert_eq!(two, again);
    for f in [
        "metrics.csv",
        "distributions.csv",
        "histograms.csv",
        "exceedance.csv",
        "hourly_risk.csv",
    ] {
        assert!(dir.path().join("a").join(f).is_file(), "{f} missing");
    }
}

#[test]
fn json_format_prints_the_summary_with_every_metric() {
    let dir = tempfile::tempdir().unwrap();
    let out = egap()
        .args([
            "run",
            &scenario("rts79-datacentre/rts79-datacentre.toml"),
            "-n",
            "2000",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &v["summary"]["metrics"];
    for key in [
        "lole_hours",
        "lole_days",
        "eue_mwh",
        "neue_ppm",
        "lolp",
        "lolf_events",
        "curtailment_mwh",
        "curtailment_rate",
    ] {
        assert!(m[key]["mean"].is_number(), "{key}");
        assert!(m[key]["ci95_high"].as_f64().unwrap() >= m[key]["ci95_low"].as_f64().unwrap());
    }
    assert_eq!(v["summary"]["hourly"].as_array().unwrap().len(), 8736);
    // Uncertain demand: demand energy varies between trajectories.
    assert!(m["demand_energy_mwh"]["standard_error"].as_f64().unwrap() > 0.0);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("NaN") && !text.contains("inf"));
}

#[test]
fn validate_accepts_the_bundled_scenarios() {
    for s in [
        "rts79/rts79.toml",
        "rts79x3/rts79x3.toml",
        "rts79-datacentre/rts79-datacentre.toml",
    ] {
        let out = egap().args(["validate", &scenario(s)]).output().unwrap();
        assert!(
            out.status.success(),
            "{s}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("valid"));
    }
}

#[test]
fn bad_input_exits_with_status_2_and_a_short_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[study]\nhours = 24\n\n[[regions]]\nname = \"a\"\nload_mw = 100\n\n[[units]]\nname = \"g\"\ncapacity_mw = 150\nmttf_h = 0\nmttr_h = 10\n").unwrap();
    for args in [vec!["validate"], vec!["run", "-n", "10"]] {
        let out = egap().args(&args).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("bad.toml:11:"), "{err}");
        assert!(err.contains("mttf_h") && err.contains("from 1"), "{err}");
        assert!(err.lines().count() <= 15, "{err}");
    }
    let out = egap().args(["run", "-n", "0"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// Shards merged with `egap merge` give the single run's summary.json byte for byte, for 1,
/// 2, 3 and 7 shards; an incomplete set is refused.
#[test]
fn merged_shards_are_byte_identical_to_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario("rts79-datacentre/rts79-datacentre.toml");
    let common = ["--trajectories", "7000", "--seed", "21", "--backend", "cpu"];
    let single = dir.path().join("single");
    let out = egap()
        .args(["run", &scenario])
        .args(common)
        .arg("--out")
        .arg(&single)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = std::fs::read(single.join("summary.json")).unwrap();
    // The study's question and criterion travel in the shards to the merged summary.
    let text = String::from_utf8_lossy(&expected);
    assert!(text.contains("\"description\"") && text.contains("\"verdict\""));
    for n in [1, 2, 3, 7] {
        let shards = dir.path().join(format!("shards-{n}"));
        for k in 1..=n {
            let out = egap()
                .args(["run", &scenario])
                .args(common)
                .args(["--shard", &format!("{k}/{n}"), "--out"])
                .arg(&shards)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut files: Vec<_> = std::fs::read_dir(&shards)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.reverse(); // order must not matter
        let merged = dir.path().join(format!("merged-{n}"));
        let out = egap()
            .arg("merge")
            .args(&files)
            .arg("--out")
            .arg(&merged)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            std::fs::read(merged.join("summary.json")).unwrap() == expected,
            "{n} shards differ from the single run"
        );
        if n == 3 {
            let out = egap().arg("merge").args(&files[..2]).output().unwrap();
            assert_eq!(out.status.code(), Some(2));
            assert!(
                String::from_utf8_lossy(&out.stderr).contains("missing"),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// `--target-rel-se` stops once the metric's relative standard error is met and says so.
#[test]
fn a_precision_target_stops_the_run_when_met() {
    let dir = tempfile::tempdir().unwrap();
    let out = egap()
        .args([
            "run",
            &scenario("rts79/rts79.toml"),
            "--trajectories",
            "1000000",
            "--target-rel-se",
            "0.05",
        ])
        .args([
            "--metric",
            "lole_hours",
            "--chunk-size",
            "2000",
            "--backend",
            "cpu",
            "--format",
            "json",
            "--out",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["convergence"];
    assert_eq!(c["reached"], true);
    let achieved = c["achieved_relative_standard_error"].as_f64().unwrap();
    assert!(achieved <= 0.05);
    let n = v["summary"]["trajectories"].as_u64().unwrap();
    assert!(n < 1_000_000 && n.is_multiple_of(2000), "{n}");
    let lole = &v["summary"]["metrics"]["lole_hours"];
    let rel = lole["standard_error"].as_f64().unwrap() / lole["mean"].as_f64().unwrap();
    assert!((rel - achieved).abs() < 1e-12);
    assert_eq!(v["run"]["interrupted"], false);
}

/// A sweep over the data-centre size runs every point with the same seed: with common random
/// numbers, more load can only mean more loss-of-load hours, point by point.
#[test]
fn a_sweep_writes_a_table_and_plots_and_is_monotone_under_common_random_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = egap()
        .args([
            "sweep",
            &scenario("rts79-datacentre/rts79-datacentre.toml"),
            "--set",
            "added_loads[data-centre campus].size_mw=0:300:100",
        ])
        .args(["-n", "2000", "--backend", "cpu", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
    let lole: Vec<f64> = table
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lole.len(), 4);
    assert!(lole.windows(2).all(|w| w[0] <= w[1]), "{lole:?}");
    assert!(lole[3] > lole[0]);
    let svg = std::fs::read_to_string(dir.path().join("sweep-lole_hours.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("polyline"));
    assert!(
        svg.contains("data-centre campus: size (MW)"),
        "the axis names the parameter"
    );
    // sweep.json holds the same points as sweep.csv, keyed as summary.json keys metrics.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["interrupted"], false);
    assert_eq!(
        json["settings"][0]["values"],
        serde_json::json!([0.0, 100.0, 200.0, 300.0])
    );
    let from_json: Vec<f64> = (json["points"].as_array().unwrap().iter())
        .map(|p| p["metrics"]["lole_hours"]["mean"].as_f64().unwrap())
        .collect();
    assert_eq!(from_json, lole);
    let bad = egap()
        .args([
            "sweep",
            &scenario("rts79/rts79.toml"),
            "--set",
            "units[nope].count=1,2",
            "-n",
            "10",
            "--out",
        ])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no entry of `units` is named \"nope\""),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// A sweep into a folder that holds an earlier sweep is refused without --force; with it,
/// the folder holds the new sweep's files and nothing of the earlier one's (its plots go
/// when the new sweep draws none), and a file egap did not write stays.
#[test]
fn a_sweep_replaces_an_earlier_sweep_whole_and_only_what_egap_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = |extra: &[&str]| {
        egap()
            .args(["sweep", &scenario("rts79/rts79.toml")])
            .args(["-n", "300", "--backend", "cpu", "--quiet", "--out"])
            .arg(dir.path())
            .args(extra)
            .output()
            .unwrap()
    };
    let first = sweep(&["--set", "load_multiplier=1,1.1,1.2"]);
    assert!(first.status.success(), "{first:?}");
    assert!(first.stderr.is_empty(), "--quiet: {first:?}");
    assert!(dir.path().join("sweep-lole_hours.svg").is_file());
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let refused = sweep(&["--set", "load_multiplier=1.3,1.4"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("pass --force"),
        "{refused:?}"
    );
    let second = sweep(&["--set", "load_multiplier=1.3,1.4", "--force", "--no-plots"]);
    assert!(second.status.success(), "{second:?}");
    let table = std::fs::read_to_string(dir.path().join("sweep.csv")).unwrap();
    assert_eq!(table.lines().count(), 3, "{table}");
    assert!(table.lines().nth(1).unwrap().starts_with("1.3,"), "{table}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["points_completed"], 2);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("sweep-"))
        .collect();
    assert!(
        left.is_empty(),
        "plots of the earlier sweep remain: {left:?}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

/// A folder that cannot take the results is refused before any work; a failure to write
/// the results after the work keeps the work as a checkpoint, from which a rerun writes the
/// summary a clean run writes.
#[test]
fn results_that_cannot_be_written_keep_the_finished_work() {
    let dir = tempfile::tempdir().unwrap();
    let rts79 = scenario("rts79/rts79.toml");
    let run = |out: &Path, extra: &[&str]| {
        egap()
            .args(["run", &rts79, "-n", "3000", "--seed", "5", "--out"])
            .arg(out)
            .args(extra)
            .output()
            .unwrap()
    };
    // An output "folder" that is a file: refused at once, exit 2.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = run(&file, &[]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot create the output folder"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"x");

    // summary.json a folder: the run finishes, cannot write, and keeps its checkpoint.
    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join("summary.json")).unwrap();
    let ck = dir.path().join("run.ckpt");
    let ck_arg = ck.to_str().unwrap();
    let o = run(&blocked, &["--force", "--checkpoint", ck_arg]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("the finished work is kept in"), "{err}");
    assert!(ck.exists(), "the checkpoint of the finished work is kept");

    // The rerun into a good folder resumes all 3,000 and writes the clean run's summary.
    let resumed = dir.path().join("resumed");
    let o = run(&resumed, &["--checkpoint", ck_arg]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("3000 of 3000"), "{err}");
    assert!(!ck.exists(), "a completed run removes its checkpoint");
    let clean = dir.path().join("clean");
    assert!(run(&clean, &[]).status.success());
    assert_eq!(
        std::fs::read(resumed.join("summary.json")).unwrap(),
        std::fs::read(clean.join("summary.json")).unwrap()
    );
}

/// `egap run … | head`: a reader that goes away ends egap quietly with status 0, its
/// results already written.
#[test]
fn a_closed_pipe_ends_a_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = egap()
        .args(["run", &scenario("rts79/rts79.toml"), "-n", "4000", "--out"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader closes before egap prints anything.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked") && !err.contains("error"), "{err}");
    assert!(dir.path().join("summary.json").exists());
}

/// `--quiet` prints the results and nothing else; `--threads` changes no result; on a
/// machine without a display, probing adapters prints no XDG_RUNTIME_DIR complaint.
#[test]
fn quiet_runs_say_nothing_and_threads_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let run = |out: &str, extra: &[&str]| {
        egap()
            .args(["run", &scenario("rts79/rts79.toml"), "-n", "3000", "--out"])
            .arg(dir.path().join(out))
            .args(extra)
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("WAYLAND_DISPLAY")
            .env_remove("DISPLAY")
            .env_remove("NODEVICE_SELECT")
            .output()
            .unwrap()
    };
    let quiet = run("one", &["--quiet", "--threads", "1"]);
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    let stdout = String::from_utf8_lossy(&quiet.stdout);
    assert!(stdout.contains("3,000 trajectories in"), "{stdout}");
    assert!(stdout.contains("cpu (1 thread)"), "{stdout}");

    let loud = run("two", &["--threads", "2"]);
    let err = String::from_utf8_lossy(&loud.stderr);
    assert!(loud.status.success(), "{err}");
    assert!(err.starts_with("engine: "), "{err}");
    assert_eq!(
        err.lines().count(),
        1,
        "one line saying which engine runs: {err}"
    );
    assert!(!err.contains("XDG_RUNTIME_DIR"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("one/summary.json")).unwrap(),
        std::fs::read(dir.path().join("two/summary.json")).unwrap()
    );
}

/// State files are checked before they are trusted: a shard or checkpoint with one digit
/// changed is refused, as are shards of another egap version or scenario name, and a
/// --checkpoint that names a file which is not a checkpoint is left alone.
#[test]
fn changed_or_foreign_state_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rts79 = scenario("rts79/rts79.toml");
    let shards = dir.path().join("shards");
    for k in 1..=2 {
        let o = egap()
            .args(["run", &rts79, "-n", "2000", "--backend", "cpu"])
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(&shards)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let one = shards.join("shard-1-of-2.json");
    let two = shards.join("shard-2-of-2.json");
    let text = std::fs::read_to_string(&one).unwrap();
    let merge = |first: &Path| {
        egap()
            .arg("merge")
            .arg(first)
            .arg(&two)
            .arg("--out")
            .arg(dir.path().join("merged"))
            .arg("--force")
            .output()
            .unwrap()
    };
    assert!(merge(&one).status.success());
    // One digit of the unserved-energy sum changed.
    let at = text.find("\"unserved_energy\":{\"sum\":").unwrap() + 25;
    let mut bytes = text.clone().into_bytes();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    let changed = dir.path().join("changed.json");
    std::fs::write(&changed, &bytes).unwrap();
    let o = merge(&changed);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("checksum does not match"), "{err}");
    // Another egap version or scenario name, resealed so the checksum holds.
    for (field, value) in [("egap_version", "9.9.9"), ("scenario", "another study")] {
        let mut v: egap::shard::ShardFile = serde_json::from_str(&text).unwrap();
        match field {
            "egap_version" => v.egap_version = value.into(),
            _ => v.scenario = value.into(),
        }
        let foreign = dir.path().join(format!("{field}.json"));
        std::fs::write(&foreign, v.to_json().unwrap()).unwrap();
        let o = merge(&foreign);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{field}: {err}");
        assert!(err.contains("different runs"), "{field}: {err}");
    }

    // A checkpoint with one digit changed is refused, not resumed.
    let ck = dir.path().join("run.ckpt");
    let mut child = egap()
        .args(["run", &rts79, "-n", "50000000", "--backend", "cpu", "--out"])
        .arg(dir.path().join("long"))
        .arg("--checkpoint")
        .arg(&ck)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while !ck.exists() {
        assert!(started.elapsed().as_secs() < 120, "no checkpoint appeared");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let text = std::fs::read_to_string(&ck).unwrap();
    // The first digit of the count of trajectories with a shortfall.
    let at = text.find("\"short_trajectories\":").unwrap() + 21;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::write(&ck, &bytes).unwrap();
    let resume = |ck: &Path| {
        egap()
            .args(["run", &rts79, "-n", "50000000", "--backend", "cpu", "--out"])
            .arg(dir.path().join("long"))
            .arg("--checkpoint")
            .arg(ck)
            .output()
            .unwrap()
    };
    let o = resume(&ck);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("checksum does not match"), "{err}");
    // The scenario itself named as the checkpoint: not a checkpoint, and not deleted.
    let o = resume(Path::new(&rts79));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("is not an egap checkpoint"), "{err}");
    assert!(!err.contains("delete"), "{err}");
    assert!(Path::new(&rts79).exists());
}

/// Results never overwrite the study's inputs, with or without --force: a profile named
/// like a result file, in the folder given as --out, and the scenario given as --samples.
#[test]
fn results_are_never_written_over_the_studys_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let profile = "load\n50\n60\n70\n80\n";
    std::fs::write(dir.path().join("hourly_risk.csv"), profile).unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        "[study]\nname = \"inputs kept\"\nhours = 4\n\n[[regions]]\nname = \"A\"\n\
         load_mw = { file = \"hourly_risk.csv\", column = \"load\" }\n\n[[units]]\n\
         name = \"g\"\nregion = \"A\"\ncount = 1\ncapacity_mw = 100\nmttf_h = 100\nmttr_h = 10\n",
    )
    .unwrap();
    let text = std::fs::read(&scenario).unwrap();
    for extra in [
        vec!["--out", ".", "--force"],
        vec!["--out", "results", "--samples", "s.toml", "--force"],
    ] {
        let o = egap()
            .args(["run", "s.toml", "-n", "100", "--backend", "cpu"])
            .args(&extra)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.contains("is an input of this study"),
            "{extra:?}: {err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("hourly_risk.csv")).unwrap(),
        profile
    );
    assert_eq!(std::fs::read(&scenario).unwrap(), text);
    // Into a folder of its own the same study runs.
    let o = egap()
        .args([
            "run",
            "s.toml",
            "-n",
            "100",
            "--backend",
            "cpu",
            "--out",
            "results",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// `egap init` writes a starter scenario that validates and runs as written, and does not
/// overwrite a file without --force.
#[test]
fn init_writes_a_starter_scenario_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    let init = |extra: &[&str]| egap().arg("init").arg(&file).args(extra).output().unwrap();
    let o = init(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("[[interfaces]]") && text.contains("forced_outage_rate"));
    let o = egap().arg("validate").arg(&file).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = egap()
        .arg("run")
        .arg(&file)
        .args(["-n", "200", "--backend", "cpu", "--quiet", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Not overwritten without --force; overwritten with it.
    std::fs::write(&file, "# edited\n").unwrap();
    let o = init(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("already exists"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# edited\n");
    assert!(init(&["--force"]).status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);
}

/// Small traps: one field set twice is refused (run and sweep), and a scenario file named
/// only with dots writes its results to egap-out/study, not into the current folder.
#[test]
fn repeated_settings_and_dotted_names_are_caught() {
    let rts79 = scenario("rts79/rts79.toml");
    for command in ["run", "sweep"] {
        let (a, b) = if command == "run" {
            ("load_multiplier=1", "load_multiplier=1.1")
        } else {
            ("load_multiplier=1,1.1", "load_multiplier=1.2")
        };
        let o = egap()
            .args([
                command,
                &rts79,
                "-n",
                "100",
                "--backend",
                "cpu",
                "--set",
                a,
                "--set",
                b,
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{command}: {err}");
        assert!(err.contains("is given twice"), "{command}: {err}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&rts79, dir.path().join("...toml")).unwrap();
    std::fs::copy(
        Path::new(&rts79).with_file_name("load.csv"),
        dir.path().join("load.csv"),
    )
    .unwrap();
    let o = egap()
        .args(["run", "...toml", "-n", "100", "--backend", "cpu", "--quiet"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.path().join("egap-out/study/summary.json").exists());
    assert!(!dir.path().join("summary.json").exists());
    assert!(!dir.path().join("egap-out/summary.json").exists());
}

#[test]
fn two_runs_never_write_into_one_folder_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shared");
    let rts79 = scenario("rts79/rts79.toml");
    // A run long enough to be still working when the second one starts.
    let mut first = egap()
        .args(["run", &rts79, "-n", "50000000", "-q", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lock = out.join(".egap-lock");
    let pid = first.id().to_string();
    let started = std::time::Instant::now();
    while std::fs::read_to_string(&lock)
        .ok()
        .as_deref()
        .map(str::trim)
        != Some(pid.as_str())
    {
        assert!(
            started.elapsed().as_secs() < 60,
            "the first run never locked {}",
            out.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    // Refused with --force too: --force overwrites results, it does not share a folder.
    let second = egap()
        .args([
            "run", &rts79, "-n", "2000", "--seed", "2", "--force", "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("another egap run (process {pid}) is writing into")),
        "{err}"
    );
    assert!(
        !out.join("summary.json").exists(),
        "the refused run wrote results"
    );
    // A run that was killed leaves no lock in force.
    first.kill().unwrap();
    first.wait().unwrap();
    let third = egap()
        .args(["run", &rts79, "-n", "2000", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
    assert!(out.join("summary.json").is_file());
    assert!(!lock.exists(), "a finished run left its lock file");
}

/// A FIFO or a device given as a scenario, a shard or a summary is refused at once with an
/// error naming it (opening a FIFO would wait for a writer; /dev/zero never ends), and the
/// CLI exits with the bad-input status rather than hanging or filling memory.
#[test]
fn fifos_and_devices_are_refused_as_inputs_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo = fifo.to_str().unwrap();
    let out_dir = dir.path().join("out");
    let out_dir = out_dir.to_str().unwrap();
    let attempts: [&[&str]; 4] = [
        &["run", fifo, "-n", "10", "--out", out_dir],
        &["merge", fifo, "--out", out_dir],
        &["merge", "/dev/zero", "--out", out_dir],
        &["compare", fifo, "/dev/zero"],
    ];
    for args in attempts {
        let mut child = egap()
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("egap {args:?} still running after 30 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(2), "egap {args:?}: {stderr}");
        assert!(
            stderr.contains("regular file") || stderr.contains("not a regular"),
            "egap {args:?}: {stderr}"
        );
    }
}

/// Files named on the command line are not overwritten without --force: `profiles --out`,
/// `compare --csv`, and the profiles CSV of `import` (its scenario file already was).
#[test]
fn named_output_files_are_not_overwritten_without_force() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let mine = |name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, "mine\n").unwrap();
        path
    };
    let refused = |args: &[&std::ffi::OsStr], kept: &Path| {
        let o = egap().args(args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("already exists; pass --force"), "{err}");
        assert_eq!(std::fs::read_to_string(kept).unwrap(), "mine\n");
    };
    let spec = root.join("scenarios/us-datacenter-2030/profiles-spec.toml");
    let csv = mine("profiles.csv");
    refused(
        &[
            "profiles".as_ref(),
            spec.as_os_str(),
            "--out".as_ref(),
            csv.as_os_str(),
        ],
        &csv,
    );
    let table = mine("compare.csv");
    let summary = root.join("tests/data/none.json");
    refused(
        &[
            "compare".as_ref(),
            summary.as_os_str(),
            summary.as_os_str(),
            "--csv".as_ref(),
            table.as_os_str(),
        ],
        &table,
    );
    // Only the CSV of an earlier import is there: still the user's.
    let pras = root.join("data/pras/rts.pras");
    let profiles = mine("rts-profiles.csv");
    refused(
        &[
            "import".as_ref(),
            pras.as_os_str(),
            "--out".as_ref(),
            dir.path().as_os_str(),
        ],
        &profiles,
    );
    assert!(!dir.path().join("rts.toml").exists());
    // With --force each goes ahead.
    let o = egap()
        .arg("profiles")
        .arg(&spec)
        .arg("--out")
        .arg(&csv)
        .arg("--force")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .starts_with("# Generated by `egap profiles`")
    );
    let o = egap()
        .arg("import")
        .arg(&pras)
        .arg("--out")
        .arg(dir.path())
        .arg("--force")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(dir.path().join("rts.toml").exists());
}

/// A `--set` value that is out of range is reported on the flag, not on a line of the file
/// (the file's lines say something else); a problem the file has as written keeps its line.
#[test]
fn set_errors_name_the_flag_and_file_errors_keep_their_line() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["rts79.toml", "load.csv"] {
        std::fs::copy(scenario(&format!("rts79/{f}")), dir.path().join(f)).unwrap();
    }
    let path = dir.path().join("rts79.toml");
    let run = || {
        let o = egap()
            .arg("run")
            .arg(&path)
            .args(["-n", "100", "--backend", "cpu", "--quiet", "--out"])
            .arg(dir.path().join("out"))
            .args(["--set", "units[U12 oil/steam].capacity_mw=-5"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = run();
    assert!(
        err.contains(
            "rts79.toml: units \"U12 oil/steam\" → capacity_mw: must be a number of MW from 0 to \
             10,000,000, got -5 (as changed by --set units[U12 oil/steam].capacity_mw=-5)"
        ),
        "{err}"
    );
    // The same run with a mistake of the file's own: that one is placed on its line.
    let text = std::fs::read_to_string(&path).unwrap();
    let line = 1 + text.lines().position(|l| l == "mttr_h = 60").unwrap();
    std::fs::write(&path, text.replacen("mttr_h = 60", "mttr_h = -1", 1)).unwrap();
    let err = run();
    assert!(err.contains("2 problems"), "{err}");
    assert!(
        err.contains(&format!(
            "rts79.toml:{line}:10: units \"U12 oil/steam\" → mttr_h"
        )),
        "{err}"
    );
}

/// `credit` and `capability` answer in JSON and CSV for scripts, with the figures the table
/// prints.
#[test]
fn credit_and_capability_answer_in_json_and_csv() {
    let rts79 = scenario("rts79/rts79.toml");
    let run = |args: &[&str]| {
        let o = egap()
            .args(args)
            .args(["-n", "300", "--backend", "cpu"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let credit = ["credit", &rts79, "--resource", "units[U400 nuclear]"];
    let json: serde_json::Value =
        serde_json::from_str(&run(&[&credit[..], &["--format", "json"]].concat())).unwrap();
    let table = run(&credit);
    let csv = run(&[&credit[..], &["--format", "csv"]].concat());
    assert_eq!(json["nameplate_mw"], 800.0);
    assert_eq!(json["metric"], "lole_hours");
    assert_eq!(json["trajectories_per_step"], 300);
    for key in ["efc_mw", "elcc_mw"] {
        let (e, lo, hi) = (
            json[key]["estimate"].as_f64().unwrap(),
            json[key]["ci95_low"].as_f64().unwrap(),
            json[key]["ci95_high"].as_f64().unwrap(),
        );
        assert!(lo <= e && e <= hi && e > 0.0 && e < 1600.0, "{key}: {json}");
        // The table prints the same figure, and the CSV carries it exactly.
        assert!(table.contains(&format!("{e:.1} MW")), "{key} {e}\n{table}");
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        let at = header.iter().position(|h| *h == key).unwrap();
        assert_eq!(row[at].parse::<f64>().unwrap(), e, "{csv}");
    }
    let capability = ["capability", &rts79, "--criterion", "LOLE_h<=2.4"];
    let json: serde_json::Value =
        serde_json::from_str(&run(&[&capability[..], &["--format", "json"]].concat())).unwrap();
    let scale = json["demand_scale"]["estimate"].as_f64().unwrap();
    assert!(scale > 0.85 && scale < 0.95, "{json}");
    assert_eq!(json["criterion"]["limit"], 2.4);
    assert_eq!(json["study"], "IEEE RTS-79 generating system");
    let csv = run(&[&capability[..], &["--format", "csv"]].concat());
    assert!(csv.starts_with("study,metric,limit,"), "{csv}");
    assert_eq!(csv.lines().count(), 2, "{csv}");
}

/// `egap report` leads with the answer: the verdict against a criterion reads the whole 95%
/// interval (RTS-79's LOLE is about 1.6 d/yr at 2,000 trajectories, with an interval about
/// ±0.1 wide), per-year units, and no curtailment rows for a study without renewables. The
/// verdict is in `summary.json` too.
#[test]
fn the_report_leads_with_the_answer_and_checks_a_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let report = |criterion: &str, out: &str| {
        let out = dir.path().join(out);
        let o = egap()
            .args(["report", &scenario("rts79/rts79.toml"), "-n", "2000"])
            .args(["--backend", "cpu", "--no-plots", "--criterion", criterion])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let page = std::fs::read_to_string(out.join("report.html")).unwrap();
        let summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        (
            page,
            summary,
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    let (page, summary, table) = report("LOLE_d<=0.1", "strict");
    let answer = page
        .find("<h2>The answer</h2>")
        .expect("a headline section");
    assert!(answer < page.find("<h2>Adequacy</h2>").unwrap());
    assert!(
        page.contains("<b>Does not meet</b> the criterion LOLE ≤ 0.1 d/yr"),
        "{page}"
    );
    assert_eq!(summary["criterion"]["metric"], "lole_days");
    assert_eq!(summary["criterion"]["limit"], 0.1);
    assert_eq!(summary["criterion"]["verdict"], "not_met");
    assert!(table.contains("criterion LOLE_d<=0.1: NOT MET"), "{table}");
    // RTS-79 has no renewables: no curtailment anywhere, in the page or the terminal table.
    assert!(!page.contains("curtailment"), "{page}");
    assert!(!table.contains("curtailment"), "{table}");
    assert!(page.contains("LOLE</td><td>h/yr</td>"), "{page}");

    let lole_days = summary["summary"]["metrics"]["lole_days"].clone();
    let high = lole_days["ci95_high"].as_f64().unwrap();
    let mean = lole_days["mean"].as_f64().unwrap();
    let (page, summary, _) = report(&format!("LOLE_d<={}", high * 1.01), "loose");
    assert!(page.contains("<b>Meets</b>"), "{page}");
    assert_eq!(summary["criterion"]["verdict"], "met");
    // Inside the interval, off the mean: undecided, and a count of trajectories that would
    // decide it (none would, were the limit the mean itself).
    let (page, summary, _) = report(&format!("LOLE_d<={}", (mean + high) / 2.0), "tight");
    assert!(page.contains("<b>Undecided</b>"), "{page}");
    assert!(page.contains("trajectories would decide it"), "{page}");
    assert_eq!(summary["criterion"]["verdict"], "undecided");
}

/// A criterion in the scenario's `[study]` is checked without the flag; a malformed one is
/// refused with the file, the line and the field.
#[test]
fn a_scenario_names_its_own_criterion() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(scenario("rts79/rts79.toml"))
        .unwrap()
        .replace("\"load.csv\"", &format!("{:?}", scenario("rts79/load.csv")));
    let with = |criterion: &str| {
        let text = text.replacen(
            "[study]\n",
            &format!(
                "[study]\ncriterion = \"{criterion}\"\ndescription = \"Is RTS-79 adequate?\"\n"
            ),
            1,
        );
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        egap()
            .args([
                "report",
                "-n",
                "500",
                "--backend",
                "cpu",
                "--no-plots",
                "--out",
            ])
            .arg(dir.path().join("out"))
            .arg("--force")
            .arg(&path)
            .output()
            .unwrap()
    };
    let o = with("LOLE_h<=1000");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(dir.path().join("out/report.html")).unwrap();
    assert!(
        page.contains("<p class=\"question\">Is RTS-79 adequate?</p>"),
        "{page}"
    );
    assert!(
        page.contains("<b>Meets</b> the criterion LOLE ≤ 1,000 h/yr"),
        "{page}"
    );

    let o = with("LOLE_x<=1");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("s.toml") && err.contains("study.criterion") && err.contains("LOLE_d<=0.1"),
        "{err}"
    );
}

/// `egap devices` lists each adapter with its backend and limits, or says plainly that
/// there is none (under `CI=true`, where lavapipe is installed, one must be listed); an
/// `--adapter` that matches none is refused as bad input, pointing at `egap devices`.
#[test]
fn devices_are_listed_and_an_unknown_adapter_is_refused() {
    let o = egap().arg("devices").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let listed = text.contains("  backend ") && text.contains("max storage binding");
    assert!(
        listed || text.starts_with("no GPU adapter found; egap runs on the CPU"),
        "{text}"
    );
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        assert!(
            listed,
            "CI installs lavapipe, so an adapter must be listed:\n{text}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let o = egap()
        .args([
            "run",
            &scenario("rts79/rts79.toml"),
            "-n",
            "10",
            "--backend",
            "gpu",
        ])
        .args(["--adapter", "no such adapter", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no GPU adapter found") && err.contains("egap devices"),
        "{err}"
    );
}

/// `egap bench` times the study and reports trajectory-years per second per backend.
#[test]
fn bench_reports_a_rate_for_the_backend_asked() {
    let o = egap()
        .args(["bench", &scenario("rts79/rts79.toml"), "-n", "2000"])
        .args(["--backend", "cpu", "--threads", "1"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("cpu (1 thread"))
        .unwrap_or_else(|| panic!("no line for the CPU engine on one thread:\n{text}"));
    let rate: f64 = line
        .split_whitespace()
        .rev()
        .nth(1)
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap_or_else(|_| panic!("no rate in {line:?}"));
    assert!(rate > 0.0 && line.ends_with("trajectory-years/s"), "{line}");
}

/// `--first-trajectory K -n N` runs trajectories K..K+N: with the run of 0..K they make
/// the run of 0..K+N.
#[test]
fn a_first_trajectory_runs_the_range_a_shard_would() {
    let dir = tempfile::tempdir().unwrap();
    let summary = |args: &[&str], out: &str| -> serde_json::Value {
        let o = egap()
            .args(["run", &scenario("rts79/rts79.toml"), "--seed", "4"])
            .args(["--backend", "cpu", "--no-plots", "--format", "json"])
            .args(args)
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&std::fs::read(dir.path().join(out).join("summary.json")).unwrap())
            .unwrap()
    };
    let ranged = summary(&["-n", "1500", "--first-trajectory", "1500"], "ranged");
    let whole = summary(&["-n", "3000"], "whole");
    let first_half = summary(&["-n", "1500"], "first");
    assert_eq!(ranged["run"]["first_trajectory"], 1500);
    assert_ne!(
        ranged["summary"], first_half["summary"],
        "another range, other outages"
    );
    // Trajectories 1,500..3,000 and 0..1,500 make 0..3,000: LOLE is a mean over
    // trajectories, of exact integer sums.
    let lole = |v: &serde_json::Value| {
        v["summary"]["metrics"]["lole_hours"]["mean"]
            .as_f64()
            .unwrap()
    };
    let combined = (lole(&ranged) + lole(&first_half)) / 2.0;
    assert!(
        (combined - lole(&whole)).abs() < 1e-9,
        "{combined} vs {}",
        lole(&whole)
    );
}

/// The CSV tables hold the summary's numbers under the summary's names: every row of every
/// table of a multi-region run is found in summary.json by its key columns (and its place
/// among rows with the same key), every table has as many rows as the JSON has entries, and
/// every cell equals its JSON field: text exactly, a number to the CSV rule's 12 significant
/// digits, written with no more digits than that (no float noise) and an integer as itself.
#[test]
fn csv_tables_read_back_as_the_summary() {
    use serde_json::Value;
    let dir = tempfile::tempdir().unwrap();
    let o = egap()
        .args(["run", &scenario("west-east/west-east.toml"), "-n", "500"])
        .args(["--backend", "cpu", "--no-plots", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    let s = &summary["summary"];
    let named = |list: &Value, name: &str| -> Value {
        (list.as_array().unwrap().iter())
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {list}"))
            .clone()
    };
    // Significant digits of a decimal as written: 0.000123 has 3, 1.50e-7 has 3, 500 has 1.
    let significant = |cell: &str| {
        let mantissa = cell.split(['e', 'E']).next().unwrap();
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let digits = digits.trim_start_matches('0');
        if mantissa.contains('.') {
            digits.len()
        } else {
            digits.trim_end_matches('0').len()
        }
    };
    let same = |cell: &str, want: &Value, what: &str| match want {
        Value::String(text) => assert_eq!(cell, text, "{what}"),
        Value::Number(n) if n.is_u64() => assert_eq!(cell, n.to_string(), "{what}"),
        Value::Number(n) => {
            let want = n.as_f64().unwrap();
            let got: f64 = cell.parse().unwrap_or_else(|_| panic!("{what}: {cell}"));
            assert!(
                (got - want).abs() <= 5e-12 * want.abs(),
                "{what}: {cell} vs {want}"
            );
            assert!(significant(cell) <= 12, "{what}: {cell} has float noise");
        }
        other => panic!("{what}: {other} in summary.json"),
    };
    // One table: `key` columns locate a row's JSON object (given the row and how many rows
    // before it had the same key), `renamed` maps a column to its JSON field, and columns
    // in `free` (labels, units: words for people, not in the JSON) need only be non-empty.
    let check = |name: &str,
                 key: usize,
                 renamed: &[(&str, &str)],
                 rows_in_json: usize,
                 at: &dyn Fn(&[String], usize) -> Value| {
        let text = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let mut seen: Vec<Vec<String>> = Vec::new();
        for record in reader.records() {
            let row: Vec<String> = record.unwrap().iter().map(String::from).collect();
            let before = seen.iter().filter(|r| r[..key] == row[..key]).count();
            let object = at(&row, before);
            for (column, cell) in header.iter().zip(&row).skip(key) {
                let what = format!("{name}: {column} of {:?}", &row[..key]);
                if ["label", "unit"].contains(&column.as_str()) {
                    assert!(!cell.is_empty(), "{what}");
                    continue;
                }
                let field =
                    (renamed.iter().find(|(c, _)| c == column)).map_or(column.as_str(), |r| r.1);
                same(cell, &object[field], &what);
            }
            seen.push(row);
        }
        assert_eq!(seen.len(), rows_in_json, "{name}: rows");
    };
    let count = |v: &Value| v.as_array().unwrap().len();
    // The distributions of the system or a region, less a curtailment rate where no
    // trajectory had renewable energy (which has no rate to show).
    let trajectories = s["trajectories"].as_u64().unwrap();
    let distributions = |d: &Value| -> Vec<String> {
        let without = d["trajectories_without_renewable"].as_u64().unwrap();
        (d.as_object().unwrap().iter())
            .filter(|(k, v)| v.is_object() && (*k != "curtailment_rate" || without < trajectories))
            .map(|(k, _)| k.clone())
            .collect()
    };
    let regions = s["regions"].as_array().unwrap();
    assert!(regions.len() >= 2, "a multi-region run");

    check(
        "metrics.csv",
        1,
        &[],
        s["metrics"].as_object().unwrap().len(),
        &|r, _| s["metrics"][&r[0]].clone(),
    );
    let keys = distributions(&s["distributions"]);
    check("distributions.csv", 1, &[], keys.len(), &|r, _| {
        s["distributions"][&r[0]].clone()
    });
    let bins: usize = keys
        .iter()
        .map(|k| count(&s["distributions"][k]["histogram"]))
        .sum();
    check(
        "histograms.csv",
        1,
        &[("trajectories", "count")],
        bins,
        &|r, i| s["distributions"][&r[0]]["histogram"][i].clone(),
    );
    let points: usize = keys
        .iter()
        .map(|k| count(&s["distributions"][k]["exceedance"]))
        .sum();
    let renamed = [("probability_at_least", "probability")];
    check("exceedance.csv", 1, &renamed, points, &|r, i| {
        s["distributions"][&r[0]]["exceedance"][i].clone()
    });
    check("hourly_risk.csv", 0, &[], count(&s["hourly"]), &|_, i| {
        s["hourly"][i].clone()
    });
    let metrics: usize = regions
        .iter()
        .map(|r| r["metrics"].as_object().unwrap().len())
        .sum();
    check("regions.csv", 2, &[], metrics, &|r, _| {
        named(&s["regions"], &r[0])["metrics"][&r[1]].clone()
    });
    let rows: usize = regions
        .iter()
        .map(|r| distributions(&r["distributions"]).len())
        .sum();
    check("regions_distributions.csv", 2, &[], rows, &|r, _| {
        named(&s["regions"], &r[0])["distributions"][&r[1]].clone()
    });
    let hours: usize = regions.iter().map(|r| count(&r["hourly"])).sum();
    check("regions_hourly_risk.csv", 1, &[], hours, &|r, i| {
        named(&s["regions"], &r[0])["hourly"][i].clone()
    });
    let renamed = [("interface", "name")];
    check(
        "interfaces.csv",
        0,
        &renamed,
        count(&s["interfaces"]),
        &|_, i| s["interfaces"][i].clone(),
    );
    check(
        "storage.csv",
        0,
        &[("storage", "name")],
        count(&s["storage"]),
        &|_, i| s["storage"][i].clone(),
    );

    let histograms = std::fs::read_to_string(dir.path().join("histograms.csv")).unwrap();
    let shortfall: u64 = (csv::Reader::from_reader(histograms.as_bytes()).records())
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == "unserved_energy_mwh")
        .map(|r| r[5].parse::<u64>().unwrap())
        .sum();
    assert_eq!(shortfall, 500);
}
