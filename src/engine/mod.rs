//! The engines over one compiled system: the GPU engine (wgpu + WGSL) and its CPU mirror.

pub mod cpu;
pub mod gpu;
pub mod record;
pub mod rng;

pub use record::{ChunkRecords, FlowRecord, HourlyRisk, TrajectoryRecord};

use crate::scenario::{CompiledSystem, ParameterLaws};
use gpu::{GpuEngine, GpuError, GpuSystem};
use std::sync::atomic::AtomicU64;

/// Which engine a run asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A hardware GPU when one exists, else the CPU; a GPU error mid-run finishes on the CPU.
    Auto,
    Gpu,
    Cpu,
}

/// An opened engine.
pub enum Engine {
    Cpu,
    Gpu(Box<GpuEngine>),
}

impl Engine {
    /// Opens `backend`; with `Auto` and no usable adapter, returns the CPU engine and a note
    /// saying why.
    pub fn open(
        backend: Backend,
        adapter: Option<&str>,
    ) -> Result<(Engine, Option<String>), GpuError> {
        match backend {
            Backend::Cpu => Ok((Engine::Cpu, None)),
            Backend::Gpu => Ok((Engine::Gpu(Box::new(GpuEngine::new(adapter)?)), None)),
            // A named adapter is taken even if it is a software one.
            Backend::Auto => match GpuEngine::open(adapter, adapter.is_some()) {
                Ok(g) => Ok((Engine::Gpu(Box::new(g)), None)),
                Err(e) => Ok((Engine::Cpu, Some(format!("{e}; running on the CPU")))),
            },
        }
    }

    /// The engine in words, for the terminal: `gpu: NAME (backend, type)` or `cpu (N threads)`.
    pub fn describe(&self) -> String {
        match self {
            Engine::Cpu => match rayon::current_num_threads() {
                1 => "cpu (1 thread)".to_string(),
                n => format!("cpu ({n} threads)"),
            },
            Engine::Gpu(g) => format!(
                "gpu: {} ({}, {})",
                g.adapter.name, g.adapter.backend, g.adapter.device_type
            ),
        }
    }

    pub fn is_gpu(&self) -> bool {
        matches!(self, Engine::Gpu(_))
    }

    /// Uploads what the engine keeps for a whole run.
    pub fn prepare(&self, sys: &CompiledSystem) -> Result<Prepared, GpuError> {
        match self {
            Engine::Cpu => Ok(Prepared::Cpu),
            Engine::Gpu(g) => Ok(Prepared::Gpu(Box::new(g.prepare(sys)?))),
        }
    }

    /// Records of trajectories `first .. first + count` and their per-hour counters.
    pub fn run_chunk(
        &self,
        prepared: &Prepared,
        sys: &CompiledSystem,
        laws: &ParameterLaws,
        seed: u64,
        first: u64,
        count: usize,
    ) -> Result<ChunkRecords, GpuError> {
        self.run_chunk_counted(prepared, sys, laws, seed, first, count, None)
    }

    /// Like `run_chunk`, adding to `progress` the trajectories done as the chunk goes.
    #[allow(
        clippy::too_many_arguments,
        reason = "the chunk's coordinates and a counter"
    )]
    pub fn run_chunk_counted(
        &self,
        prepared: &Prepared,
        sys: &CompiledSystem,
        laws: &ParameterLaws,
        seed: u64,
        first: u64,
        count: usize,
        progress: Option<&AtomicU64>,
    ) -> Result<ChunkRecords, GpuError> {
        match (self, prepared) {
            (Engine::Gpu(g), Prepared::Gpu(gs)) => {
                g.run_chunk_counted(gs, laws, seed, first, count, progress)
            }
            _ => Ok(cpu::run_chunk_counted(
                sys, laws, seed, first, count, progress,
            )),
        }
    }
}

/// Per-run state of an engine (the GPU's uploaded tables).
pub enum Prepared {
    Cpu,
    Gpu(Box<GpuSystem>),
}
