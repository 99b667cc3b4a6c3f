//! Host side of the shader bindings: the `Globals` uniform and the packing of every compiled
//! table into one storage buffer (wgpu's default limits allow 8 storage buffers per stage, and
//! one buffer with offsets needs one binding however many tables the model grows).

use bytemuck::{Pod, Zeroable};

use crate::scenario::tables::{CompiledSystem, TermRow};

/// Twin of `Globals` in `shaders/shared.wgsl`; keep the two in sync.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Globals {
    pub hours: u32,
    pub weather_years: u32,
    pub units: u32,
    pub hourly_units: u32,
    pub renewables: u32,
    pub added_loads: u32,
    pub param_stride: u32,
    pub project_words: u32,
    pub range_levels: u32,
    pub seed_lo: u32,
    pub seed_hi: u32,
    pub first_lo: u32,
    pub first_hi: u32,
    /// Trajectories in this dispatch.
    pub count: u32,
    /// Threads per row of a two-dimensional dispatch.
    pub row_width: u32,
    /// Threads the scratch buffer is interleaved over.
    pub threads: u32,
    pub off_units: u32,
    pub off_hourly_units: u32,
    pub off_load: u32,
    pub off_renewables: u32,
    pub off_added_loads: u32,
    pub off_series: u32,
    pub off_range_max: u32,
    pub off_range_min: u32,
    pub off_log2: u32,
    pub regions: u32,
    pub interfaces: u32,
    pub storage: u32,
    pub generators: u32,
    pub record_slots: u32,
    pub flow_slots: u32,
    pub off_loads: u32,
    pub off_unit_region: u32,
    pub off_renewable_region: u32,
    pub off_added_load_region: u32,
    pub off_interfaces: u32,
    pub off_storage: u32,
    pub off_region_fold: u32,
    pub off_walk_renewables: u32,
    pub off_walk_hourly_units: u32,
    pub walk_renewables: u32,
    pub walk_hourly_units: u32,
    pub param_regions: u32,
    /// The hours [window_start, window_end) one dispatch of the network walk advances.
    pub window_start: u32,
    pub window_end: u32,
    pub padding: [u32; 3],
}

/// Every table of `sys` in one word array, and the globals with the offsets filled in.
pub fn pack_tables(sys: &CompiledSystem) -> (Vec<u32>, Globals) {
    let mut words: Vec<u32> = Vec::new();
    let mut place = |data: &[u32]| -> u32 {
        let at = words.len() as u32;
        words.extend_from_slice(data);
        at
    };
    let terms = |rows: &[TermRow]| -> Vec<u32> { bytemuck::cast_slice(rows).to_vec() };
    let h = &sys.header;
    let globals = Globals {
        hours: h.hours,
        weather_years: h.weather_years,
        units: h.units,
        hourly_units: h.hourly_units,
        renewables: h.renewables,
        added_loads: h.added_loads,
        param_stride: h.param_stride,
        project_words: h.project_words,
        range_levels: h.range_levels,
        off_units: place(bytemuck::cast_slice(&sys.units)),
        off_hourly_units: place(&sys.hourly_units),
        off_load: place(&terms(std::slice::from_ref(&sys.load))),
        off_renewables: place(&terms(&sys.renewables)),
        off_added_loads: place(&terms(&sys.added_loads)),
        off_series: place(&sys.series),
        off_range_max: place(&sys.range_max),
        off_range_min: place(&sys.range_min),
        off_log2: place(&sys.log2_table),
        regions: h.regions,
        interfaces: h.interfaces,
        storage: h.storage,
        generators: h.generators,
        record_slots: h.record_slots,
        flow_slots: h.flow_slots,
        off_loads: place(&terms(&sys.loads)),
        off_unit_region: place(&sys.unit_region),
        off_renewable_region: place(&sys.renewable_region),
        off_added_load_region: place(&sys.added_load_region),
        off_interfaces: place(bytemuck::cast_slice(&sys.interfaces)),
        off_storage: place(bytemuck::cast_slice(&sys.storage)),
        off_region_fold: place(bytemuck::cast_slice(&sys.region_fold)),
        off_walk_renewables: place(&sys.walk_renewables),
        off_walk_hourly_units: place(&sys.walk_hourly_units),
        walk_renewables: h.walk_renewables,
        walk_hourly_units: h.walk_hourly_units,
        param_regions: h.param_regions,
        window_start: 0,
        window_end: h.hours,
        ..Globals::default()
    };
    // A storage binding may not be empty.
    if words.is_empty() {
        words.push(0);
    }
    (words, globals)
}

/// Words of per-thread scratch: up, repair time and cycle per unit, and the heap with its
/// sentinel; then, for the network walk, the words laid out in `shaders/regions.wgsl`
/// (twelve words per region; per interface: up circuits and both limits; per store: state of
/// charge, charge and discharge room, give; two tally words per record slot; the cached
/// block and the heap's length; and the solver's arcs and nodes).
pub fn scratch_words_per_thread(sys: &CompiledSystem) -> u64 {
    let outages = 4 * u64::from(sys.header.units) + 1;
    if !sys.is_network() {
        return outages;
    }
    let h = &sys.header;
    let (r, i, s) = (
        u64::from(h.regions),
        u64::from(h.interfaces),
        u64::from(h.storage),
    );
    let arcs = 2 * (4 * r + 2 * i + 2 * s);
    let nodes = r + 2;
    outages + 12 * r + 3 * i + 4 * s + 2 * u64::from(h.record_slots) + 2 + 3 * arcs + 2 * nodes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globals_match_the_shader_struct() {
        // 48 u32 in shaders/shared.wgsl; a uniform struct's size is a multiple of 16.
        assert_eq!(std::mem::size_of::<Globals>(), 192);
    }
}
