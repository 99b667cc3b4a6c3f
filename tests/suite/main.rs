//! egap's integration tests, one test crate: each module was once a test binary of its own,
//! and each of those linked wgpu, HDF5 and the plotting stack again. One binary links them
//! once, and libtest spreads every module's tests over the cores together instead of one
//! binary after another.
//!
//! PRAS files (`tests/pras.rs`) stay a binary of their own: HDF5 leaves the files it writes
//! open without close-on-exec, so a process another module starts while one is written would
//! inherit the file's write lock. Run one module with a filter: `cargo test --release --test
//! suite -- reference::`.

mod common;

mod bad_input;
mod bundled;
mod capability;
mod cli;
mod compare;
mod credit;
mod determinism;
mod docs;
mod exact_decimals;
mod fuzz_regressions;
mod gpu;
mod gpu_network;
mod gpu_whole_year;
mod hand_derived;
mod interrupt;
mod limits;
mod network;
mod network_limits;
mod network_oracle;
mod profiles;
mod reference;
mod report_pages;
mod rng_kat;
mod samples;
mod schemas;
mod unit_tables;
