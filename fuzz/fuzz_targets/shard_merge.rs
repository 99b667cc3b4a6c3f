//! Shard file bytes → `ShardFile` → its accumulator merged with itself → summary
//! (`egap::fuzz_targets::shard_merge`). Any input may be refused by the parser; none may
//! panic, and no NaN or infinity may reach the summary.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| egap::fuzz_targets::shard_merge(data));
