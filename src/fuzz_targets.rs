//! The bodies of the fuzz targets (`fuzz/fuzz_targets/`), here so that the regression test
//! (`tests/suite/fuzz_regressions.rs`) replays crashing inputs through the very code the fuzzer
//! runs, not a copy that could drift from it. Each may refuse its input; none may panic.

use std::path::Path;

use crate::shard::ShardFile;
use crate::stats::Units;

/// Scenario text → parse and validate → compile. Any input may be refused with an error;
/// none may panic, overflow, hang or exhaust memory.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = crate::scenario::validate::validate(Path::new("fuzz.toml"), text) {
        let _ = crate::scenario::compile(&scenario);
    }
}

/// Shard file bytes → `ShardFile` → its accumulator merged with itself → summary. Any input
/// may be refused by the parser; none may panic, and no NaN or infinity may reach the
/// summary (this panics if one does: that is the finding the fuzzer reports).
pub fn shard_merge(data: &[u8]) {
    let Ok(shard) = serde_json::from_slice::<ShardFile>(data) else {
        return;
    };
    let mut merged = shard.accumulator.clone();
    merged.merge(&shard.accumulator);
    let units = Units {
        power_unit_w: shard.power_unit_w,
        hours: u32::try_from(merged.hours()).unwrap_or(u32::MAX),
    };
    let summary = merged.summary(&units);
    // serde_json writes a non-finite f64 as `null`, and a summary has no optional fields, so
    // a `null` anywhere means a NaN or an infinity got through.
    let json = serde_json::to_string(&summary).expect("a summary always serializes");
    assert!(
        !json.contains("null"),
        "non-finite number in the summary: {json}"
    );
}
