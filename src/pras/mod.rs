//! PRAS system files (`.pras`): run the systems adequacy analysts already keep for NREL's
//! PRAS, without rewriting them.
//!
//! `file` reads the HDF5 layout into plain tables; `convert` turns those into an egap
//! scenario (TOML text and a CSV of profiles) or refuses, naming the asset, the property and
//! the timestep, whatever egap cannot represent exactly. `egap import` writes that scenario;
//! `egap run FILE.pras` validates the same text with its profiles held in memory, so the two
//! give byte-identical summaries.

pub mod convert;
pub mod file;
#[cfg(feature = "pras")]
mod hdf5_read;

use std::path::{Path, PathBuf};

pub use convert::{Generators, Imported, to_scenario};
pub use file::PrasSystem;

/// A `.pras` file egap cannot read or represent: the file, the place in it (an HDF5 path such
/// as `/storages/carryoverefficiency`, or a root attribute), and why.
#[derive(Debug, thiserror::Error)]
#[error("{}: {place}{}{message}", path.display(), if place.is_empty() { "" } else { ": " })]
pub struct PrasError {
    pub path: PathBuf,
    pub place: String,
    pub message: String,
}

impl PrasError {
    pub fn new(path: &Path, place: &str, message: String) -> PrasError {
        PrasError {
            path: path.to_path_buf(),
            place: place.to_string(),
            message,
        }
    }
}

/// True when `path` names a PRAS system file (by its extension).
pub fn is_pras(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pras"))
}

/// Reads the PRAS system at `path` and converts it into an egap scenario, generators that
/// never fail and vary by the hour as renewables (how `egap run FILE.pras` reads it).
pub fn import(path: &Path) -> Result<Imported, PrasError> {
    import_as(path, Generators::default())
}

/// `import` with the generators classed as `generators` says.
pub fn import_as(path: &Path, generators: Generators) -> Result<Imported, PrasError> {
    let system = file::read(path)?;
    to_scenario(&system, path, generators)
}
