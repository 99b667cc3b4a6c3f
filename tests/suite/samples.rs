//! `egap run --samples`: one row per trajectory, in order, whose columns add up to the
//! summary (the same records feed both).

use std::path::Path;

#[test]
fn samples_have_a_row_per_trajectory_that_adds_up_to_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/west-east/west-east.toml");
    let samples = dir.path().join("samples.csv");
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_egap"))
            .arg("run")
            .arg(&scenario)
            .args([
                "--trajectories",
                "70",
                "--seed",
                "2",
                "--backend",
                "cpu",
                "--chunk-size",
                "16",
            ])
            .arg("--out")
            .arg(&out)
            .arg("--samples")
            .arg(&samples)
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&samples).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..3],
        ["trajectory", "weather_year", "load_multiplier"]
    );
    assert!(header.contains(&"East: unserved_mwh"), "{header:?}");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 70);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], i.to_string(), "rows in trajectory order");
        assert_eq!(r.len(), header.len());
    }
    let mean = |name: &str| {
        let c = col(name);
        rows.iter()
            .map(|r| r[c].parse::<f64>().unwrap())
            .sum::<f64>()
            / rows.len() as f64
    };
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let metric = |k: &str| summary["summary"]["metrics"][k]["mean"].as_f64().unwrap();
    for (column, key) in [
        ("unserved_mwh", "eue_mwh"),
        ("curtailed_mwh", "curtailment_mwh"),
        ("loss_of_load_hours", "lole_hours"),
    ] {
        let (a, b) = (mean(column), metric(key));
        assert!(
            (a - b).abs() <= 1e-6 * b.abs().max(1.0),
            "{column}: {a} vs {key} {b}"
        );
    }
    // An existing samples file is not replaced without --force.
    let o = run(&["--force"]);
    assert!(o.status.success());
    std::fs::remove_file(out.join("summary.json")).unwrap();
    let o = run(&[]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--force"));
}
