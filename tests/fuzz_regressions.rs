//! Inputs that once crashed a fuzz target (see docs/ARCHITECTURE.md, "Fuzzing"), replayed through the same
//! calls on stable Rust: none may panic, and no NaN or infinity may reach a summary.
//!
//! `tests/fixtures/fuzz/scenario-*` go through the scenario target (text → validate →
//! compile); `tests/fixtures/fuzz/shard_merge-*` through the shard target (JSON → shard file
//! → its accumulator merged with itself → summary).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use egap::shard::ShardFile;
use egap::stats::Units;

/// The scenario target's body.
fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = egap::scenario::validate::validate(Path::new("fuzz.toml"), text) {
        let _ = egap::scenario::compile(&scenario);
    }
}

/// The shard_merge target's body.
fn shard_merge(data: &[u8]) {
    let Ok(shard) = serde_json::from_slice::<ShardFile>(data) else {
        return;
    };
    let mut merged = shard.accumulator.clone();
    merged.merge(&shard.accumulator);
    let units = Units {
        power_unit_w: shard.power_unit_w,
        hours: u32::try_from(merged.hours()).unwrap_or(u32::MAX),
    };
    let json = serde_json::to_string(&merged.summary(&units)).unwrap();
    // serde_json writes a non-finite f64 as `null`; a summary has no optional fields.
    assert!(
        !json.contains("null"),
        "non-finite number in the summary: {json}"
    );
}

#[test]
fn crashing_fuzz_inputs_no_longer_crash() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut failures = Vec::new();
    let mut replayed = 0;
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let target: fn(&[u8]) = if name.starts_with("scenario-") {
            scenario
        } else if name.starts_with("shard_merge-") {
            shard_merge
        } else {
            assert!(
                name.starts_with('.') || name == "README.md",
                "{name}: name fuzz regressions scenario-* or shard_merge-*"
            );
            continue;
        };
        let data = std::fs::read(&path).unwrap();
        replayed += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&data))) {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            failures.push(format!("{name}: panicked: {what}"));
        }
    }
    assert!(
        replayed > 0,
        "no fuzz regressions found in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {replayed} fuzz regressions fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
