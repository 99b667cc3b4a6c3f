//! Scenario files: the format, its validation, and compilation into engine tables.

pub mod compile;
pub(crate) mod csv_file;
pub mod error;
pub mod format;
pub mod model;
pub mod parameters;
pub mod profile;
pub mod tables;
pub mod uncertain;
pub mod unit_table;
pub mod validate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use compile::compile;
pub use error::{Diagnostic, ScenarioError};
pub use model::Scenario;
pub use parameters::ParameterLaws;
pub use tables::CompiledSystem;

/// Files held in memory, by the path a scenario's `file = "…"` resolves to: an imported PRAS
/// system's profiles are validated from memory exactly as its written copy's are from disk,
/// and a unit table edited by `--set` is validated from its edited copy.
pub type Files = HashMap<PathBuf, Vec<u8>>;

/// Largest scenario file read, bytes: ten inline profiles of a leap year take about 1 MiB,
/// and longer data belongs in CSV profiles.
pub const MAX_SCENARIO_BYTES: u64 = 64 << 20;

/// Reads and validates the scenario at `path` (profile paths are relative to its folder).
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let bytes = read_at_most(path, MAX_SCENARIO_BYTES)
        .map_err(|reason| ScenarioError::Read {
            path: path.to_path_buf(),
            reason,
        })?
        .ok_or_else(|| {
            ScenarioError::Invalid(vec![Diagnostic {
                file: path.to_path_buf(),
                line: None,
                column: None,
                field: String::new(),
                message: format!(
                    "is larger than {} MiB, the most a scenario file may be (put long profiles in CSV files)",
                    MAX_SCENARIO_BYTES >> 20
                ),
            }])
        })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let bytes = e.as_bytes();
        let at = e.utf8_error().valid_up_to();
        // The prefix up to the bad byte is valid, so lines and columns count as usual.
        let before = std::str::from_utf8(&bytes[..at]).unwrap_or("");
        let (line, column) = error::line_column(before, at);
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        let key = before[start..].split_once('=').map(|(k, _)| k.trim());
        ScenarioError::Invalid(vec![Diagnostic {
            file: path.to_path_buf(),
            line: Some(line),
            column: Some(column),
            field: key
                .filter(|k| !k.starts_with('#'))
                .unwrap_or_default()
                .to_string(),
            message: format!(
                "is not UTF-8 text: byte 0x{:02X} cannot be read as a character (save the file as UTF-8)",
                bytes[at]
            ),
        }])
    })?;
    validate::validate(path, &text)
}

pub(crate) use crate::input::read_at_most;
