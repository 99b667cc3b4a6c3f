//! Scenario text → parse and validate → compile (`egap::fuzz_targets::scenario`). Any input
//! may be refused with an error; none may panic, overflow, hang or exhaust memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| egap::fuzz_targets::scenario(data));
