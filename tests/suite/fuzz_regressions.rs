//! Inputs that once crashed a fuzz target (see docs/ARCHITECTURE.md, "Fuzzing"), replayed on
//! stable Rust through the targets' own bodies (`egap::fuzz_targets`): none may panic, and no
//! NaN or infinity may reach a summary.
//!
//! `tests/fixtures/fuzz/scenario-*` go through the scenario target (text → validate →
//! compile); `tests/fixtures/fuzz/shard_merge-*` through the shard target (JSON → shard file
//! → its accumulator merged with itself → summary).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

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
            egap::fuzz_targets::scenario
        } else if name.starts_with("shard_merge-") {
            egap::fuzz_targets::shard_merge
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
