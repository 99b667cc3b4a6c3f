//! The GPU engine: wgpu device selection, pipelines built once, buffers sized from the
//! device's limits, and chunked dispatch of `shaders/trajectory.wgsl`.
//!
//! The shader mirrors the CPU engine function by function and reads the same compiled
//! tables, so for the same seed it produces identical records; the tests assert equality.

pub mod layout;

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use wgpu::util::DeviceExt;

use crate::engine::cpu::network::{Dispatch, LinkHour, RegionHour};
use crate::engine::record::{ChunkRecords, FlowRecord, HourlyRisk, TrajectoryRecord};
use crate::engine::rng;
use crate::scenario::{CompiledSystem, ParameterLaws};

use layout::{Globals, pack_tables, scratch_words_per_thread};

/// The trajectory kernel: shared bindings, the RNG, then each part in call order.
pub const TRAJECTORY_SHADER: &str = concat!(
    include_str!("../../../shaders/shared.wgsl"),
    include_str!("../../../shaders/rng.wgsl"),
    include_str!("../../../shaders/terms.wgsl"),
    include_str!("../../../shaders/outages.wgsl"),
    include_str!("../../../shaders/trajectory.wgsl"),
);

/// The network walk kernel (several regions, interfaces or storage).
pub const REGIONS_SHADER: &str = concat!(
    include_str!("../../../shaders/shared.wgsl"),
    include_str!("../../../shaders/rng.wgsl"),
    include_str!("../../../shaders/terms.wgsl"),
    include_str!("../../../shaders/outages.wgsl"),
    include_str!("../../../shaders/network.wgsl"),
    include_str!("../../../shaders/regions.wgsl"),
);

/// A kernel that evaluates Philox on given counters, for the known-answer test on the GPU.
pub const RNG_KAT_SHADER: &str = concat!(
    include_str!("../../../shaders/shared.wgsl"),
    include_str!("../../../shaders/rng.wgsl"),
    include_str!("../../../shaders/rng_kat.wgsl"),
);

/// The network dispatch and its test kernel, for comparing with the CPU solver.
pub const NETWORK_TEST_SHADER: &str = concat!(
    include_str!("../../../shaders/shared.wgsl"),
    include_str!("../../../shaders/rng.wgsl"),
    include_str!("../../../shaders/network.wgsl"),
    include_str!("../../../shaders/network_test.wgsl"),
);

const WORKGROUP: u32 = 64;
const MAX_GROUPS_PER_DIMENSION: u32 = 65_535;

#[derive(Debug, thiserror::Error)]
pub enum GpuError {
    #[error("no GPU adapter found{0}")]
    NoAdapter(String),
    #[error("cannot open the GPU device {adapter}: {message}")]
    Device { adapter: String, message: String },
    #[error("the study needs {needed} bytes in one GPU buffer; {adapter} allows {limit}")]
    TooLarge {
        adapter: String,
        needed: u64,
        limit: u64,
    },
    #[error(
        "{adapter} stops every shader loop after 65,535 iterations in all, and this study needs about {estimate} per trajectory: results would be wrong, so use the CPU engine (--backend cpu) or a hardware GPU"
    )]
    LoopLimit { adapter: String, estimate: u64 },
    #[error("GPU error on {adapter}: {message}")]
    Runtime { adapter: String, message: String },
}

/// One adapter as `egap devices` lists it.
#[derive(Clone, Debug)]
pub struct AdapterSummary {
    pub name: String,
    pub backend: String,
    pub device_type: String,
    pub driver: String,
    pub max_storage_buffer_binding_size: u64,
    pub max_buffer_size: u64,
    pub max_compute_workgroups_per_dimension: u32,
}

/// Vulkan, Metal and DX12 (WGPU_BACKEND overrides): compute needs no GL, and probing GL on a
/// headless machine only prints warnings.
fn instance() -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    if std::env::var_os("WGPU_BACKEND").is_none() {
        desc.backends = wgpu::Backends::PRIMARY;
    }
    wgpu::Instance::new(desc)
}

fn summary(adapter: &wgpu::Adapter) -> AdapterSummary {
    let info = adapter.get_info();
    let limits = adapter.limits();
    AdapterSummary {
        name: info.name,
        backend: format!("{:?}", info.backend),
        device_type: format!("{:?}", info.device_type),
        driver: format!("{} {}", info.driver, info.driver_info)
            .trim()
            .to_string(),
        max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
        max_buffer_size: limits.max_buffer_size,
        max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
    }
}

/// Every adapter wgpu can see.
pub fn list_adapters() -> Vec<AdapterSummary> {
    pollster::block_on(instance().enumerate_adapters(wgpu::Backends::all()))
        .iter()
        .map(summary)
        .collect()
}

fn rank(t: wgpu::DeviceType) -> u8 {
    match t {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Other => 3,
        wgpu::DeviceType::Cpu => 4,
    }
}

/// An open device with the trajectory pipeline built.
pub struct GpuEngine {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipeline: wgpu::ComputePipeline,
    /// The network walk, for studies with several regions, interfaces or storage.
    regions_pipeline: wgpu::ComputePipeline,
    /// The bindings both kernels share (`shaders/shared.wgsl`), declared once.
    bindings: wgpu::BindGroupLayout,
    pub adapter: AdapterSummary,
    /// The first uncaptured device error or loss, reported by the next operation.
    fault: Arc<Mutex<Option<String>>>,
    /// Test hook: dispatches left before a simulated device fault (u32::MAX: never).
    fault_after: AtomicU32,
}

impl GpuEngine {
    /// Opens the best adapter (discrete first, then integrated, virtual, other, software),
    /// or the first whose name contains `name` (case-insensitive).
    pub fn new(name: Option<&str>) -> Result<GpuEngine, GpuError> {
        Self::open(name, true)
    }

    /// Like [`GpuEngine::new`]; without `software`, adapters that emulate a GPU on the CPU
    /// (Mesa's lavapipe) are passed over, since the CPU engine is faster than they are.
    pub fn open(name: Option<&str>, software: bool) -> Result<GpuEngine, GpuError> {
        let adapters = pollster::block_on(instance().enumerate_adapters(wgpu::Backends::all()));
        // Compute needs Vulkan, Metal or DX12; GL adapters lack storage-buffer guarantees.
        let mut usable: Vec<wgpu::Adapter> = adapters
            .into_iter()
            .filter(|a| a.get_info().backend != wgpu::Backend::Gl)
            .filter(|a| {
                a.get_downlevel_capabilities()
                    .flags
                    .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
            })
            .collect();
        if let Some(name) = name {
            let wanted = name.to_lowercase();
            usable.retain(|a| a.get_info().name.to_lowercase().contains(&wanted));
        }
        usable.sort_by_key(|a| rank(a.get_info().device_type));
        let only_software = usable
            .iter()
            .all(|a| a.get_info().device_type == wgpu::DeviceType::Cpu);
        if !software
            && only_software
            && let Some(a) = usable.first()
        {
            return Err(GpuError::NoAdapter(format!(
                " other than the software adapter {}, which is slower than the CPU engine (--backend gpu uses it)",
                a.get_info().name
            )));
        }
        let Some(adapter) = usable.into_iter().next() else {
            return Err(GpuError::NoAdapter(match name {
                Some(n) => format!(" whose name contains \"{n}\" (see `egap devices`)"),
                None => " (install a Vulkan driver, e.g. Debian's mesa-vulkan-drivers for the software adapter)".into(),
            }));
        };
        let summary = summary(&adapter);
        // Everything the adapter offers: buffers are then sized from its real limits.
        let required_limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("egap"),
            required_limits,
            ..Default::default()
        }))
        .map_err(|e| GpuError::Device {
            adapter: summary.name.clone(),
            message: e.to_string(),
        })?;
        // wgpu's default handler panics; egap reports device errors as GpuError instead.
        let fault = Arc::new(Mutex::new(None::<String>));
        let slot = fault.clone();
        device.on_uncaptured_error(Arc::new(move |e| {
            if let Ok(mut s) = slot.lock() {
                s.get_or_insert_with(|| e.to_string());
            }
        }));
        let slot = fault.clone();
        device.set_device_lost_callback(move |reason, message| {
            if let Ok(mut s) = slot.lock() {
                s.get_or_insert_with(|| format!("device lost ({reason:?}): {message}"));
            }
        });
        let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
        let bindings = bindings_layout(&device);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("egap.kernels"),
            bind_group_layouts: &[Some(&bindings)],
            immediate_size: 0,
        });
        let build = |label: &str, source: &str, entry: &str| {
            let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(label),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        let pipeline = build("egap.trajectory", TRAJECTORY_SHADER, "trajectory");
        let regions_pipeline = build("egap.regions", REGIONS_SHADER, "regions_trajectory");
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Device {
                adapter: summary.name.clone(),
                message: e.to_string(),
            });
        }
        Ok(GpuEngine {
            device,
            queue,
            pipeline,
            regions_pipeline,
            bindings,
            adapter: summary,
            fault,
            fault_after: AtomicU32::new(u32::MAX),
        })
    }

    /// Makes the dispatch after `dispatches` more fail as a lost device would, so tests can
    /// check that a run survives a GPU fault without losing or double-counting work.
    #[doc(hidden)]
    pub fn inject_fault_after(&self, dispatches: u32) {
        self.fault_after.store(dispatches, Ordering::SeqCst);
    }

    /// The device error recorded since the last check, if any.
    fn check(&self) -> Result<(), GpuError> {
        match self.fault.lock().ok().and_then(|mut s| s.take()) {
            Some(message) => Err(self.runtime(message)),
            None => Ok(()),
        }
    }

    fn runtime(&self, message: impl Into<String>) -> GpuError {
        GpuError::Runtime {
            adapter: self.adapter.name.clone(),
            message: message.into(),
        }
    }

    /// Uploads the tables of `sys` once; chunks then reuse them.
    pub fn prepare(&self, sys: &CompiledSystem) -> Result<GpuSystem, GpuError> {
        let (words, globals) = pack_tables(sys);
        let bytes = words.len() as u64 * 4;
        let limit = self.device.limits().max_storage_buffer_binding_size;
        if bytes > limit {
            return Err(GpuError::TooLarge {
                adapter: self.adapter.name.clone(),
                needed: bytes,
                limit,
            });
        }
        let software = self.adapter.device_type == "Cpu";
        let window = window_hours(sys, software);
        if software {
            // The network walk runs in windows of `window` hours; the one-region walk in one.
            let estimate = window_loop_estimate(sys, window);
            if estimate > SOFTWARE_LOOP_LIMIT {
                return Err(GpuError::LoopLimit {
                    adapter: self.adapter.name.clone(),
                    estimate,
                });
            }
        }
        let per_thread = scratch_words_per_thread(sys) * 4;
        // Whole workgroups only: a dispatch rounds its threads up to a multiple of WORKGROUP,
        // and every thread it launches has scratch, so the scratch of the rounded-up count
        // must fit the binding.
        let groups =
            (limit / per_thread / u64::from(WORKGROUP)).min((1 << 20) / u64::from(WORKGROUP));
        if groups == 0 {
            return Err(GpuError::TooLarge {
                adapter: self.adapter.name.clone(),
                needed: per_thread * u64::from(WORKGROUP),
                limit,
            });
        }
        let max_threads = (groups * u64::from(WORKGROUP)) as usize;
        let tables = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("egap.tables"),
                contents: bytemuck::cast_slice(&words),
                usage: wgpu::BufferUsages::STORAGE,
            });
        Ok(GpuSystem {
            tables,
            globals,
            hours: sys.hours(),
            record_slots: sys.header.record_slots as usize,
            flow_slots: sys.header.flow_slots as usize,
            network: sys.is_network(),
            window,
            per_thread,
            max_threads,
        })
    }

    /// Simulates trajectories `first .. first + count` (parameters drawn on the host), in
    /// dispatches that fit the device's buffer limits.
    pub fn run_chunk(
        &self,
        gs: &GpuSystem,
        laws: &ParameterLaws,
        seed: u64,
        first: u64,
        count: usize,
    ) -> Result<ChunkRecords, GpuError> {
        self.run_chunk_counted(gs, laws, seed, first, count, None)
    }

    /// Like `run_chunk`, adding to `progress` the trajectory-equivalents of each window of
    /// hours as the device finishes it.
    pub fn run_chunk_counted(
        &self,
        gs: &GpuSystem,
        laws: &ParameterLaws,
        seed: u64,
        first: u64,
        count: usize,
        progress: Option<&AtomicU64>,
    ) -> Result<ChunkRecords, GpuError> {
        let mut out = ChunkRecords {
            records: Vec::with_capacity(count * gs.record_slots),
            flows: Vec::with_capacity(count * gs.flow_slots),
            risk: HourlyRisk::with_slots(gs.hours, gs.record_slots),
        };
        let mut done = 0usize;
        while done < count {
            let n = (count - done).min(gs.max_threads);
            let params = laws.draw_chunk(seed, first + done as u64, n);
            let part = self.dispatch(gs, &params, seed, first + done as u64, n, progress)?;
            out.records.extend(part.records);
            out.flows.extend(part.flows);
            out.risk.merge(&part.risk);
            done += n;
        }
        Ok(out)
    }

    /// Philox4x32-10 evaluated on the device for each (counter, key), for the known-answer
    /// test of `shaders/rng.wgsl`.
    pub fn philox(&self, inputs: &[[u32; 6]]) -> Result<Vec<[u32; 4]>, GpuError> {
        let input: Vec<u32> = inputs.iter().flatten().copied().collect();
        let words = self.test_kernel(
            RNG_KAT_SHADER,
            "rng_kat",
            &input,
            inputs.len() * 4,
            inputs.len() as u32,
        )?;
        Ok(words
            .chunks_exact(4)
            .map(|w| [w[0], w[1], w[2], w[3]])
            .collect())
    }

    /// The hourly network dispatch of `shaders/network.wgsl` on the device, for comparison
    /// with `cpu::network::dispatch_hour` (at most 8 regions and 28 links per problem).
    pub fn network(
        &self,
        problems: &[(Vec<RegionHour>, Vec<LinkHour>)],
    ) -> Result<Vec<Dispatch>, GpuError> {
        const STRIDE: usize = 138;
        const WORK: usize = 548;
        const RESULT: usize = 72;
        let mut input = vec![0u32; problems.len() * STRIDE];
        for (p, (regions, links)) in problems.iter().enumerate() {
            assert!(
                regions.len() <= 8 && links.len() <= 28,
                "the test kernel holds 8 regions and 28 links"
            );
            let at = &mut input[p * STRIDE..(p + 1) * STRIDE];
            at[0] = regions.len() as u32;
            at[1] = links.len() as u32;
            for (r, g) in regions.iter().enumerate() {
                at[2 + 3 * r..5 + 3 * r].copy_from_slice(&[g.demand, g.renewable, g.available]);
            }
            for (i, l) in links.iter().enumerate() {
                at[26 + 4 * i..30 + 4 * i].copy_from_slice(&[l.from, l.to, l.forward, l.backward]);
            }
        }
        let words = self.test_kernel(
            NETWORK_TEST_SHADER,
            "network_test",
            &input,
            problems.len() * (WORK + RESULT),
            problems.len() as u32,
        )?;
        let results = &words[problems.len() * WORK..];
        Ok(problems
            .iter()
            .enumerate()
            .map(|(p, (regions, links))| {
                let w = &results[p * RESULT..(p + 1) * RESULT];
                Dispatch {
                    charge: Vec::new(),
                    discharge: Vec::new(),
                    shortfall: w[..regions.len()].to_vec(),
                    curtailment: w[8..8 + regions.len()].to_vec(),
                    flow: (0..links.len())
                        .map(|i| {
                            if w[16 + 2 * i + 1] == 1 {
                                -i64::from(w[16 + 2 * i])
                            } else {
                                i64::from(w[16 + 2 * i])
                            }
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// Runs a test kernel that reads `input` as `params` (binding 2) and writes `output_words`
    /// of `scratch` (binding 5), one workgroup per item.
    fn test_kernel(
        &self,
        source: &str,
        entry: &str,
        input: &[u32],
        output_words: usize,
        groups: u32,
    ) -> Result<Vec<u32>, GpuError> {
        let d = &self.device;
        let scope = d.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = d.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(entry),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let pipeline = d.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(entry),
            layout: None,
            module: &module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            cache: None,
        });
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(self.runtime(e.to_string()));
        }
        let params = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("egap.test.in"),
            contents: bytemuck::cast_slice(input),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let size = (output_words * 4) as u64;
        let out = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.test.out"),
            size,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let readback = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.test.readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(entry),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: out.as_entire_binding(),
                },
            ],
        });
        let mut encoder =
            d.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(entry) });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(entry),
                timestamp_writes: None,
            });
            pass.set_pipeline(&pipeline);
            pass.set_bind_group(0, &bind, &[]);
            pass.dispatch_workgroups(groups, 1, 1);
        }
        encoder.copy_buffer_to_buffer(&out, 0, &readback, 0, size);
        self.queue.submit(Some(encoder.finish()));
        self.read_back(&readback)
    }

    /// Waits for the queue and copies a mapped readback buffer out as words.
    fn read_back(&self, readback: &wgpu::Buffer) -> Result<Vec<u32>, GpuError> {
        let (tx, rx) = mpsc::channel();
        readback.map_async(wgpu::MapMode::Read, .., move |r| {
            let _ = tx.send(r);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| self.runtime(e.to_string()))?;
        rx.recv()
            .map_err(|_| self.runtime("the readback was dropped"))?
            .map_err(|e| self.runtime(e.to_string()))?;
        self.check()?;
        let view = readback
            .get_mapped_range(..)
            .map_err(|e| self.runtime(e.to_string()))?;
        let words: Vec<u32> = bytemuck::pod_collect_to_vec(&view);
        drop(view);
        readback.unmap();
        Ok(words)
    }

    fn dispatch(
        &self,
        gs: &GpuSystem,
        params: &[u32],
        seed: u64,
        first: u64,
        n: usize,
        progress: Option<&AtomicU64>,
    ) -> Result<ChunkRecords, GpuError> {
        let left = self.fault_after.load(Ordering::SeqCst);
        if left != u32::MAX {
            if left == 0 {
                return Err(self.runtime("device lost (injected fault)"));
            }
            self.fault_after.store(left - 1, Ordering::SeqCst);
        }
        let groups = (n as u32).div_ceil(WORKGROUP);
        let groups_x = groups.min(MAX_GROUPS_PER_DIMENSION);
        let groups_y = groups.div_ceil(groups_x);
        let threads = groups_x * groups_y * WORKGROUP;
        let key = rng::seed_key(seed);
        let globals = Globals {
            seed_lo: key[0],
            seed_hi: key[1],
            first_lo: first as u32,
            first_hi: (first >> 32) as u32,
            count: n as u32,
            // One shared block when every trajectory has the same parameters.
            param_stride: if params.len() == gs.globals.param_stride as usize * n {
                gs.globals.param_stride
            } else {
                0
            },
            row_width: groups_x * WORKGROUP,
            threads,
            ..gs.globals
        };
        let d = &self.device;
        let storage = wgpu::BufferUsages::STORAGE;
        let uniform = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("egap.globals"),
            contents: bytemuck::bytes_of(&globals),
            usage: wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        });
        let params = d.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("egap.params"),
            contents: bytemuck::cast_slice(if params.is_empty() { &[0u32] } else { params }),
            usage: storage,
        });
        let record_bytes = (n * gs.record_slots * std::mem::size_of::<TrajectoryRecord>()) as u64;
        // A binding may not be empty: at least one flow record even when there are none.
        let flow_bytes = (n * gs.flow_slots.max(1) * std::mem::size_of::<FlowRecord>()) as u64;
        let flows = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.flows"),
            size: flow_bytes,
            usage: storage | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let records = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.records"),
            size: record_bytes,
            usage: storage | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let risk_bytes = (gs.hours * gs.record_slots * 3 * 4) as u64;
        let risk = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.risk"),
            size: risk_bytes,
            usage: storage | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let scratch = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.scratch"),
            size: (u64::from(threads) * gs.per_thread).max(4),
            usage: storage,
            mapped_at_creation: false,
        });
        let readback = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some("egap.readback"),
            size: record_bytes + risk_bytes + if gs.network { flow_bytes } else { 0 },
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let pipeline = if gs.network {
            &self.regions_pipeline
        } else {
            &self.pipeline
        };
        let entries = vec![
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: gs.tables.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: params.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: records.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: risk.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 5,
                resource: scratch.as_entire_binding(),
            },
            // The single-region kernel leaves the flows alone.
            wgpu::BindGroupEntry {
                binding: 6,
                resource: flows.as_entire_binding(),
            },
        ];
        let bind = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("egap.trajectory"),
            layout: &self.bindings,
            entries: &entries,
        });
        // The network walk advances every trajectory by one window per dispatch, its state
        // kept in `scratch` between them; the one-region walk runs whole in one.
        let window = if gs.network {
            gs.window
        } else {
            gs.hours as u32
        };
        let hours = gs.hours as u32;
        let mut start = 0u32;
        loop {
            let end = start.saturating_add(window).min(hours);
            let last = end >= hours;
            // Each write lands before the submit that follows it, so each pass reads its own
            // window.
            let window_globals = Globals {
                window_start: start,
                window_end: end,
                ..globals
            };
            self.queue
                .write_buffer(&uniform, 0, bytemuck::bytes_of(&window_globals));
            let mut encoder = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("egap.window"),
            });
            if start == 0 {
                encoder.clear_buffer(&risk, 0, None);
            }
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("egap.trajectory"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, &bind, &[]);
                pass.dispatch_workgroups(groups_x, groups_y, 1);
            }
            if last {
                encoder.copy_buffer_to_buffer(&records, 0, &readback, 0, record_bytes);
                encoder.copy_buffer_to_buffer(&risk, 0, &readback, record_bytes, risk_bytes);
                if gs.network {
                    encoder.copy_buffer_to_buffer(
                        &flows,
                        0,
                        &readback,
                        record_bytes + risk_bytes,
                        flow_bytes,
                    );
                }
            }
            self.queue.submit(Some(encoder.finish()));
            if let Some(p) = progress {
                // Wait for the window, then count its share of the trajectories.
                if !last {
                    self.device
                        .poll(wgpu::PollType::wait_indefinitely())
                        .map_err(|e| self.runtime(e.to_string()))?;
                }
                let share = |hour: u32| n as u64 * u64::from(hour) / u64::from(hours);
                p.fetch_add(share(end) - share(start), Ordering::Relaxed);
            }
            if last {
                break;
            }
            start = end;
        }
        let words = self.read_back(&readback)?;
        let split = record_bytes as usize / 4;
        let out: Vec<TrajectoryRecord> = bytemuck::pod_collect_to_vec(&words[..split]);
        let risk_words = risk_bytes as usize / 4;
        let (risk_part, flow_part) = words[split..].split_at(risk_words);
        let mut hourly = HourlyRisk::with_slots(gs.hours, gs.record_slots);
        for (h, w) in risk_part.chunks_exact(3).enumerate() {
            hourly.short_trajectories[h] = u64::from(w[0]);
            hourly.shortfall_sum[h] = u64::from(w[1]) | (u64::from(w[2]) << 32);
        }
        let flows: Vec<FlowRecord> = if gs.network && gs.flow_slots > 0 {
            bytemuck::pod_collect_to_vec(flow_part)
        } else {
            Vec::new()
        };
        Ok(ChunkRecords {
            records: out,
            flows,
            risk: hourly,
        })
    }
}

/// The bindings of `shaders/shared.wgsl`, for both kernels: the globals (uniform), the
/// tables and the parameter blocks (read), then the records, the per-hour counters, the
/// per-thread scratch and the flow records (read and write).
fn bindings_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let entry = |binding: u32, ty: wgpu::BufferBindingType| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    let read = wgpu::BufferBindingType::Storage { read_only: true };
    let write = wgpu::BufferBindingType::Storage { read_only: false };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("egap.bindings"),
        entries: &[
            entry(0, wgpu::BufferBindingType::Uniform),
            entry(1, read),
            entry(2, read),
            entry(3, write),
            entry(4, write),
            entry(5, write),
            entry(6, write),
        ],
    })
}

/// Mesa's software adapter (llvmpipe/lavapipe) ends a shader's loops after this many
/// iterations in all, silently; a study that may need more is refused there.
const SOFTWARE_LOOP_LIMIT: u64 = 65_535;

/// Loop iterations one window of the network walk is sized for: half the software cap there
/// (the estimate is an average, and outages bunch), and on a hardware GPU enough for a week
/// of most studies while a dispatch stays far below a desktop watchdog's two seconds.
const SOFTWARE_WINDOW_BUDGET: f64 = 32_768.0;
const HARDWARE_WINDOW_BUDGET: f64 = 4_000_000.0;
/// The longest window: a week, so that a chunk's progress shows and no dispatch runs long.
const MAX_WINDOW_HOURS: u32 = 168;

/// The loop iterations of the window that needs most: the first, which also draws every
/// unit's first state (the estimate's per-unit part), and a window's share of the rest.
fn window_loop_estimate(sys: &CompiledSystem, window: u32) -> u64 {
    let total = software_loop_estimate(sys) as f64;
    let hours = f64::from(sys.header.hours.max(1));
    let units = 2.5 * f64::from(sys.header.units);
    let share = (f64::from(window) / hours).min(1.0);
    (units + (total - units).max(0.0) * share).ceil() as u64
}

/// Hours one dispatch of the network walk advances: the loop work of one window stays within
/// the budget by `software_loop_estimate`'s account.
fn window_hours(sys: &CompiledSystem, software: bool) -> u32 {
    let hours = sys.header.hours.max(1);
    if !sys.is_network() {
        return hours;
    }
    let units = 2.5 * f64::from(sys.header.units);
    let per_hour = ((software_loop_estimate(sys) as f64 - units) / f64::from(hours)).max(1.0);
    let budget = if software {
        SOFTWARE_WINDOW_BUDGET
    } else {
        HARDWARE_WINDOW_BUDGET
    };
    (((budget - units).max(0.0) / per_hour).floor() as u32).clamp(1, MAX_WINDOW_HOURS.min(hours))
}

/// A generous estimate of the loop iterations one trajectory needs: the unit loops, 1.5 times
/// the expected outage transitions (each with a heap sift), the event loop and an hour walk
/// over the horizon, and the curtailment pass, each hour costing one step per term.
fn software_loop_estimate(sys: &CompiledSystem) -> u64 {
    let units = sys.units.len() as f64;
    let hours = f64::from(sys.header.hours);
    let rate = |mantissa: u32, shift: u32| -> f64 {
        if mantissa == 0 {
            return 1.0;
        }
        // mantissa · 2^(26 - shift) = 1 / -log2(1 - p)
        let scale = f64::from(mantissa) * 2f64.powi(26 - shift as i32);
        1.0 - 2f64.powf(-1.0 / scale)
    };
    let transitions_per_hour: f64 = sys
        .units
        .iter()
        .filter(|u| u.never_fails == 0)
        .map(|u| {
            let (l, m) = (
                rate(u.fail_mantissa, u.fail_shift),
                rate(u.repair_mantissa, u.repair_shift),
            );
            2.0 * l * m / (l + m)
        })
        .sum();
    let terms = f64::from(sys.header.renewables + sys.header.added_loads + sys.header.hourly_units);
    let depth = 2.0 + units.max(2.0).log2();
    let mut estimate =
        2.5 * units + 1.5 * transitions_per_hour * hours * depth + hours * (2.0 + terms);
    if sys.is_network() {
        // Every hour: the per-region, interface and store loops, and (at worst) the solver:
        // an augmenting path per source or sink arc, each a Bellman-Ford over the nodes.
        let h = &sys.header;
        let (r, i, s) = (
            f64::from(h.regions),
            f64::from(h.interfaces),
            f64::from(h.storage),
        );
        let arcs = 2.0 * (4.0 * r + 2.0 * i + 2.0 * s);
        let nodes = r + 2.0;
        let paths = 2.0 * r + i + s + 1.0;
        estimate += hours * (8.0 * r + 4.0 * i + 4.0 * s + paths * (nodes * arcs + 2.0 * nodes));
    } else if sys.header.renewables > 0 {
        estimate += hours * (1.0 + terms);
    }
    estimate.ceil() as u64
}

/// A system's tables on the device, and how many trajectories one dispatch may hold.
pub struct GpuSystem {
    tables: wgpu::Buffer,
    globals: Globals,
    hours: usize,
    record_slots: usize,
    flow_slots: usize,
    /// Runs the `regions` kernel (several regions, interfaces or storage).
    network: bool,
    /// Hours one dispatch of the `regions` kernel advances.
    window: u32,
    per_thread: u64,
    max_threads: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use wgpu::naga;

    /// Parses and validates each kernel with naga, so a shader error fails the tests even on a
    /// machine with no adapter at all.
    #[test]
    fn shaders_parse_and_validate() {
        for (name, source) in [
            ("trajectory", TRAJECTORY_SHADER),
            ("rng_kat", RNG_KAT_SHADER),
            ("network_test", NETWORK_TEST_SHADER),
            ("regions", REGIONS_SHADER),
        ] {
            let module = naga::front::wgsl::parse_str(source)
                .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
            naga::valid::Validator::new(
                naga::valid::ValidationFlags::all(),
                naga::valid::Capabilities::empty(),
            )
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(source)));
        }
    }

    /// Constants the network kernel shares with the host are the host's.
    #[test]
    fn shader_constants_match_the_host() {
        let module = naga::front::wgsl::parse_str(REGIONS_SHADER).expect("parses");
        let constant = |name: &str| -> u32 {
            let (_, c) = module
                .constants
                .iter()
                .find(|(_, c)| c.name.as_deref() == Some(name))
                .unwrap_or_else(|| panic!("no constant {name} in the shader"));
            match module.global_expressions[c.init] {
                naga::Expression::Literal(naga::Literal::U32(v)) => v,
                ref e => panic!("{name} = {e:?}"),
            }
        };
        use crate::scenario::tables as t;
        let words = |bytes: usize| (bytes / 4) as u32;
        for (name, host) in [
            ("QUIET_BLOCK", crate::engine::cpu::regions::QUIET_BLOCK),
            ("FOLD_WORDS", words(std::mem::size_of::<t::RegionFold>())),
            ("UNIT_WORDS", words(std::mem::size_of::<t::UnitRow>())),
            ("TERM_WORDS", words(std::mem::size_of::<t::TermRow>())),
            (
                "INTERFACE_WORDS",
                words(std::mem::size_of::<t::InterfaceRow>()),
            ),
            ("STORAGE_WORDS", words(std::mem::size_of::<t::StorageRow>())),
            ("ROW_CIRCUIT", t::ROW_CIRCUIT),
            ("ROW_STORAGE", t::ROW_STORAGE),
            ("STORE_SHIFT", t::STORE_SHIFT),
            ("NEVER", t::NEVER),
            ("UNIT_BITS", t::UNIT_BITS),
            ("Q31_ONE", t::Q31_ONE),
            ("PARAM_LOAD_FRACTION", t::param::LOAD_FRACTION as u32),
            ("PARAM_PROJECTS", t::param::PROJECTS as u32),
        ] {
            assert_eq!(constant(name), host, "{name}");
        }
    }

    /// The WGSL twins of the host structs have the host's size.
    #[test]
    fn shader_structs_match_the_host_structs() {
        let module = naga::front::wgsl::parse_str(TRAJECTORY_SHADER).expect("parses");
        let span = |name: &str| {
            module
                .types
                .iter()
                .find(|(_, t)| t.name.as_deref() == Some(name))
                .map(|(_, t)| match t.inner {
                    naga::TypeInner::Struct { span, .. } => span as usize,
                    _ => panic!("{name} is not a struct"),
                })
                .unwrap_or_else(|| panic!("no struct {name} in the shader"))
        };
        assert_eq!(span("Globals"), std::mem::size_of::<Globals>());
        assert_eq!(
            span("TrajectoryRecord"),
            std::mem::size_of::<TrajectoryRecord>()
        );
        assert_eq!(span("FlowRecord"), std::mem::size_of::<FlowRecord>());
    }
}
