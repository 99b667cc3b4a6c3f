//! Shard file bytes → `ShardFile` → its accumulator merged with itself → summary. Any input
//! may be refused by the parser; none may panic, and no NaN or infinity may reach the summary.
#![no_main]

use egap::shard::ShardFile;
use egap::stats::Units;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
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
});
