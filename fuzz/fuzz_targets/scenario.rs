//! Scenario text → parse and validate → compile. Any input may be refused with an error;
//! none may panic, overflow, hang or exhaust memory.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(scenario) = egap::scenario::validate::validate(Path::new("fuzz.toml"), text) {
        let _ = egap::scenario::compile(&scenario);
    }
});
