//! The run layer: what surrounds the engines when a study runs. The runner of one study
//! (`study`): the scenario with its overrides, the trajectory range (a whole study, a range
//! from a first trajectory, or shard K of N), the precision target, the stop flag,
//! checkpoints, the samples file, and the results written; `egap run` and `egap report`
//! are this runner behind a command line. And the locked results folder it writes into
//! (`folder`). The chunked engine loop it drives is `egap::run_with_records` in `lib.rs`.

pub mod folder;
pub mod study;

pub use folder::{FolderError, ResultsFolder};
