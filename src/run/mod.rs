//! The run layer: what surrounds the engines when a study runs. The runner of one study
//! (`study`): the scenario with its overrides, the trajectory range (a whole study, a range
//! from a first trajectory, or shard K of N), the precision target, the stop flag,
//! checkpoints, the samples file, and the results written; `egap run` and `egap report`
//! are this runner behind a command line. The runner of a sweep (`sweep`), which owns its
//! folder and the tables it rewrites after each point. And the state it keeps and hands on: the locked
//! results folder it writes into (`folder`), the checkpoint it resumes from (`checkpoint`)
//! and the shard files `egap merge` combines (`shard`). The chunked engine loop it drives
//! is `egap::run_with_records` in `lib.rs`.

pub mod checkpoint;
pub mod folder;
pub mod shard;
pub mod study;
pub mod sweep;

pub use folder::{FolderError, ResultsFolder};
