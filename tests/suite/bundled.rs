//! The bundled studies: every scenario file loads and compiles, and every generated profile
//! file is exactly what `egap profiles` writes from its spec (so the committed CSVs can be
//! regenerated, and nobody edits them by hand).

use std::path::Path;

fn scenario_files() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".toml") && name != "profiles-spec.toml" {
                files.push(f);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_bundled_scenario_loads_and_compiles() {
    let files = scenario_files();
    assert!(files.len() >= 7, "{files:?}");
    for f in files {
        egap::Study::load(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

#[test]
fn generated_profiles_match_their_specs() {
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for study in ["us-datacenter-2030", "china-west-east"] {
        // The spec path as the README's command gives it (it is written into the header).
        let spec = format!("scenarios/{study}/profiles-spec.toml");
        let committed =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{study}/profiles.csv"));
        let out = dir.path().join(format!("{study}.csv"));
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_egap"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["profiles", &spec, "--out"])
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        assert!(
            std::fs::read(&out).unwrap() == std::fs::read(&committed).unwrap(),
            "{} differs from what `egap profiles {spec} --force` writes (run it to regenerate)",
            committed.display()
        );
        checked += 1;
    }
    assert_eq!(checked, 2);
}
