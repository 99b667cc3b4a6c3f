//! `egap compare`: a study against itself with a campus added, through the CLI.

use std::path::Path;
use std::process::Command;

fn egap(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_egap"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn compare_flags_a_real_difference_and_not_an_identical_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rts = root.join("scenarios/rts79/rts79.toml");
    let text = std::fs::read_to_string(&rts).unwrap().replace(
        "\"load.csv\"",
        &format!("{:?}", root.join("scenarios/rts79/load.csv")),
    );
    let bigger = dir.path().join("campus.toml");
    std::fs::write(
        &bigger,
        format!("{text}\n[[added_loads]]\nname = \"campus\"\nsize_mw = 300\n"),
    )
    .unwrap();
    let out = |name: &str| dir.path().join(name).display().to_string();
    for (scenario, folder) in [
        (rts.as_path(), "a"),
        (rts.as_path(), "b"),
        (bigger.as_path(), "c"),
    ] {
        let o = egap(&[
            "run",
            scenario.to_str().unwrap(),
            "--trajectories",
            "2000",
            "--seed",
            "3",
            "--backend",
            "cpu",
            "--out",
            &out(folder),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let summary = |f: &str| format!("{}/summary.json", out(f));
    let csv = out("compare.csv");
    let o = egap(&[
        "compare",
        &summary("a"),
        &summary("b"),
        &summary("c"),
        "--csv",
        &csv,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("same seed: common random numbers"), "{text}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    let verdict = |file: &str, metric: &str| {
        rows.lines()
            .find(|l| l.contains(file) && l.contains(&format!(",{metric},")))
            .unwrap_or_else(|| panic!("no {metric} row for {file}:\n{rows}"))
            .ends_with("true")
    };
    // The same run: no difference anywhere.
    assert!(!verdict("/b/", "eue_mwh"));
    assert!(!verdict("/b/", "lole_hours"));
    // 300 MW more load on a 2,850 MW peak: EUE rises far beyond its error.
    assert!(verdict("/c/", "eue_mwh"));
    assert!(verdict("/c/", "demand_energy_mwh"));

    let o = egap(&["compare", &summary("a"), &out("missing.json")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.json"));
}
