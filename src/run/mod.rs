//! The run layer: what surrounds the engines when a study runs. For now its results folder
//! (`folder`); the runner itself still lives in `lib.rs` and the CLI.

pub mod folder;

pub use folder::{FolderError, ResultsFolder};
