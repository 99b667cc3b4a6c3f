//! Scenario files: the format, its validation, and compilation into engine tables.

pub mod compile;
pub mod error;
pub mod format;
pub mod model;
pub mod parameters;
pub mod profile;
pub mod tables;
pub mod uncertain;
pub mod validate;

use std::path::Path;

pub use compile::compile;
pub use error::{Diagnostic, ScenarioError};
pub use model::Scenario;
pub use parameters::ParameterLaws;
pub use tables::CompiledSystem;

/// Reads and validates the scenario at `path` (profile paths are relative to its folder).
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ScenarioError::Invalid(vec![Diagnostic {
            file: path.to_path_buf(),
            line: None,
            column: None,
            field: String::new(),
            message: format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        }])
    })?;
    validate::validate(path, &text)
}
