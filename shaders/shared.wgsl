// Bindings and structs shared by the kernels. Each struct's Rust twin is named beside it;
// keep them in sync (tests check the sizes).

// Rust: engine::gpu::layout::Globals. Counts, the run's seed and first trajectory, and the
// offsets (in u32 words) of each table inside `tables`.
struct Globals {
    hours: u32,
    weather_years: u32,
    units: u32,
    hourly_units: u32,
    renewables: u32,
    added_loads: u32,
    param_stride: u32,
    project_words: u32,
    range_levels: u32,
    seed_lo: u32,
    seed_hi: u32,
    first_lo: u32,
    first_hi: u32,
    count: u32,
    row_width: u32,
    threads: u32,
    off_units: u32,
    off_hourly_units: u32,
    off_load: u32,
    off_renewables: u32,
    off_added_loads: u32,
    off_series: u32,
    off_range_max: u32,
    off_range_min: u32,
    off_log2: u32,
    regions: u32,
    interfaces: u32,
    storage: u32,
    generators: u32,
    record_slots: u32,
    flow_slots: u32,
    off_loads: u32,
    off_unit_region: u32,
    off_renewable_region: u32,
    off_added_load_region: u32,
    off_interfaces: u32,
    off_storage: u32,
    off_region_fold: u32,
    off_walk_renewables: u32,
    off_walk_hourly_units: u32,
    walk_renewables: u32,
    walk_hourly_units: u32,
    param_regions: u32,
    // The hours [window_start, window_end) this dispatch of the network walk advances.
    window_start: u32,
    window_end: u32,
    padding0: u32,
    padding1: u32,
    padding2: u32,
}

// Rust: engine::record::TrajectoryRecord (u64 fields are vec2<u32>, low word first).
struct TrajectoryRecord {
    unserved_energy: vec2<u32>,
    curtailed_energy: vec2<u32>,
    renewable_energy: vec2<u32>,
    demand_energy: vec2<u32>,
    peak_shortfall: u32,
    loss_of_load_hours: u32,
    loss_of_load_days: u32,
    loss_of_load_events: u32,
}

// Rust: engine::record::FlowRecord. Interface: energy each way and hours at each limit;
// storage: energy charged and discharged, hours full and empty.
struct FlowRecord {
    first_energy: vec2<u32>,
    second_energy: vec2<u32>,
    first_hours: u32,
    second_hours: u32,
}

@group(0) @binding(0) var<uniform> globals: Globals;
// Every compiled table, one after another (see engine::gpu::layout::pack_tables).
@group(0) @binding(1) var<storage, read> tables: array<u32>;
// One parameter block per trajectory of the chunk (scenario::tables::param).
@group(0) @binding(2) var<storage, read> params: array<u32>;
@group(0) @binding(3) var<storage, read_write> records: array<TrajectoryRecord>;
// Per hour: trajectories short, shortfall sum low word, high word.
@group(0) @binding(4) var<storage, read_write> risk: array<atomic<u32>>;
// Per-thread unit states and heap, interleaved by thread so that neighbours' accesses coalesce.
@group(0) @binding(5) var<storage, read_write> scratch: array<u32>;
// Network walk only: `flow_slots` records per trajectory (interfaces, then storage).
@group(0) @binding(6) var<storage, read_write> flows: array<FlowRecord>;

const NONE: u32 = 0xFFFFFFFFu;
const Q16_ONE: u32 = 65536u;
const Q31_ONE: u32 = 0x80000000u;
const NEVER: u32 = 32767u;
const UNIT_BITS: u32 = 17u;
const UNIT_WORDS: u32 = 10u;
const TERM_WORDS: u32 = 4u;
const INTERFACE_WORDS: u32 = 10u;
const STORAGE_WORDS: u32 = 10u;
const ROW_CIRCUIT: u32 = 0x40000000u;
const ROW_STORAGE: u32 = 0x80000000u;
const STORE_SHIFT: u32 = 1u;

// Parameter block layout (scenario::tables::param).
const PARAM_WEATHER_YEAR: u32 = 0u;
const PARAM_LOAD_SCALE: u32 = 1u;
const PARAM_DEMAND_ENERGY: u32 = 2u;
const PARAM_RENEWABLE_ENERGY: u32 = 4u;
const PARAM_LOAD_FRACTION: u32 = 6u;
const PARAM_PROJECTS: u32 = 7u;

fn table_word(i: u32) -> u32 {
    return tables[i];
}

// a + b for a 64-bit value held as (low, high).
fn add64(a: vec2<u32>, b: u32) -> vec2<u32> {
    let lo = a.x + b;
    return vec2<u32>(lo, a.y + select(0u, 1u, lo < b));
}
