//! The compiled system: flat integer tables, the only input of the engines.
//!
//! Host structs shared with WGSL are `#[repr(C)]` Pod; each has a twin of the same name in
//! `shaders/shared.wgsl` (keep them in sync; tests check the sizes). Power is an integer
//! number of *power units* of [`CompiledSystem::power_unit_w`] watts, chosen per scenario
//! (see `compile`); fractions (capacity factors, shapes, multipliers) are Q16 fixed point,
//! 65536 = 1.

use bytemuck::{Pod, Zeroable};

/// Fixed-point one for Q16 fractions (storage efficiencies), and the identity scale of a
/// renewable's term.
pub const Q16_ONE: u32 = 1 << 16;
/// Fixed-point one for Q31 fractions (added-load shapes): 2^31, so that a power below 2^31
/// power units times a shape is within half a unit of the exact product, and a product that
/// is a whole number of power units comes out exact.
pub const Q31_ONE: u32 = 1 << 31;
/// "No profile", "no project": the index fields' empty value.
pub const NONE: u32 = u32::MAX;
/// Event time meaning "not within the horizon". Times are < 2^14 (8784 hours), so a heap key
/// `time << UNIT_BITS | unit` fits 32 bits.
pub const NEVER: u32 = (1 << 15) - 1;
/// Bits of a heap key that hold the unit index (up to 131,071 units).
pub const UNIT_BITS: u32 = 17;

/// One physical dispatchable unit (a group of `count` identical units becomes `count` rows).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct UnitRow {
    /// Capacity in power units when `profile == NONE`.
    pub capacity: u32,
    /// First series of an hourly capacity profile (power units), or NONE.
    pub profile: u32,
    /// Series step per weather year: 1 if the profile differs by year, else 0.
    pub profile_year_stride: u32,
    /// Queued project the unit belongs to, or NONE.
    pub project: u32,
    /// 1 if the unit never fails (λ = 0).
    pub never_fails: u32,
    /// Initial state: available when the draw is below this (μ / (λ + μ) · 2^32).
    pub up_threshold: u32,
    /// Up-time law (see `rng::Sojourn`).
    pub fail_mantissa: u32,
    pub fail_shift: u32,
    /// Down-time law.
    pub repair_mantissa: u32,
    pub repair_shift: u32,
}

/// One profile term. Renewables: `series` is the plant's hourly output in power units,
/// computed at compile time from capacity × capacity factor (so decimal products are exact),
/// and `scale` is Q16_ONE. Loads: `series` in power units, scaled by the trajectory's load
/// multiplier. Added loads: `series` is the Q31 shape (NONE: flat, Q31_ONE), scaled by the
/// trajectory's drawn power.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct TermRow {
    /// First series, or NONE for a flat profile equal to one (Q16_ONE) in every hour.
    pub series: u32,
    /// Series step per weather year (0 when shared by all years).
    pub year_stride: u32,
    /// Fixed scale (renewables: capacity in power units); per-trajectory scales
    /// (load multiplier, added-load size) come from the trajectory parameters instead.
    pub scale: u32,
    /// Queued project, or NONE.
    pub project: u32,
}

/// Counts and offsets of the whole system.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct SystemHeader {
    pub hours: u32,
    pub weather_years: u32,
    pub units: u32,
    /// Units whose capacity follows an hourly profile (listed in `hourly_units`).
    pub hourly_units: u32,
    pub renewables: u32,
    pub added_loads: u32,
    /// Stride of one trajectory's parameter block, in u32 words.
    pub param_stride: u32,
    /// Words of the projects-online bit set in each parameter block.
    pub project_words: u32,
    /// Levels of each sparse range table (⌊log2 hours⌋ + 1).
    pub range_levels: u32,
    /// Regions, interfaces and storage devices. A study with more than one region, or with
    /// any interface or storage, runs the network walk (`regions` kernel) instead of the
    /// single-region interval walk.
    pub regions: u32,
    pub interfaces: u32,
    pub storage: u32,
    /// Unit rows that are dispatchable generators (the first `generators` rows); the rest are
    /// interface circuits and storage outage rows, tagged in `unit_region`.
    pub generators: u32,
    /// Trajectory records per trajectory: the system, then each region when there are several.
    pub record_slots: u32,
    /// Flow records per trajectory: each interface, then each storage device.
    pub flow_slots: u32,
    /// Network walk: renewables and hourly-capacity units left out of the per-region folds
    /// (listed in `walk_renewables` and `walk_hourly_units`).
    pub walk_renewables: u32,
    pub walk_hourly_units: u32,
    /// Word of the parameter block where the per-region energies start (see `param`).
    pub param_regions: u32,
}

/// A region's hourly series folded at compile time, so that the network walk reads one
/// series per region instead of one per plant: the output of its renewables that belong to
/// no queued project, and the capacity of all its hourly-capacity units that belong to no
/// project (wind, PV and run-of-river as PRAS files carry them), whether or not they can
/// fail; the walk subtracts the units that are down. Series are in power units (NONE: zero).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct RegionFold {
    pub renewable: u32,
    pub renewable_stride: u32,
    pub available: u32,
    pub available_stride: u32,
}

/// `unit_region` tag of a row that is a circuit of interface `i` (`ROW_CIRCUIT | i`).
pub const ROW_CIRCUIT: u32 = 1 << 30;
/// `unit_region` tag of the outage row of storage device `s` (`ROW_STORAGE | s`).
pub const ROW_STORAGE: u32 = 1 << 31;

/// An interface: its ends, circuits, and the limit each way (constant, or an hourly series).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct InterfaceRow {
    pub from: u32,
    pub to: u32,
    pub circuits: u32,
    /// Limit from `from` to `to` (power units) when `forward_series == NONE`.
    pub forward: u32,
    pub forward_series: u32,
    pub forward_stride: u32,
    pub backward: u32,
    pub backward_series: u32,
    pub backward_stride: u32,
    pub padding: u32,
}

/// A storage device. Stored energy is in power units × hours; efficiencies are Q16.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct StorageRow {
    pub region: u32,
    /// Most power drawn from the grid in an hour.
    pub charge: u32,
    /// Most power delivered to the grid in an hour.
    pub discharge: u32,
    pub energy: u32,
    pub charge_efficiency: u32,
    pub discharge_efficiency: u32,
    /// Stored energy at hour 0.
    pub initial: u32,
    pub project: u32,
    /// Its outage row in `units`, or NONE when it never fails.
    pub unit: u32,
    /// STORE_RELIABILITY or STORE_SHIFT.
    pub mode: u32,
}

/// `StorageRow::mode`: discharges only to avoid shortfall; charges from any surplus.
pub const STORE_RELIABILITY: u32 = 0;
/// `StorageRow::mode`: also gives its energy back in quiet hours in place of units; charges
/// from renewable surplus only.
pub const STORE_SHIFT: u32 = 1;

/// Layout of one trajectory's parameter block (u32 words).
pub mod param {
    /// Index of the weather year.
    pub const WEATHER_YEAR: usize = 0;
    /// Load-forecast multiplier m: its whole part here, and the rest as a Q32 fraction at
    /// LOAD_FRACTION. Demand is v · m rounded to the nearest power unit, within a quarter of a
    /// unit of the exact product, so a multiplier a user writes in decimals (1.05) turns a
    /// load into exactly the product when that is a whole number of power units.
    pub const LOAD_SCALE: usize = 1;
    /// Demand energy of the trajectory, power units × hours (low word, high word): computed
    /// on the host from the parameters, since it does not depend on outages.
    pub const DEMAND_ENERGY: usize = 2;
    /// Renewable energy available, power units × hours (low word, high word).
    pub const RENEWABLE_ENERGY: usize = 4;
    /// Then `project_words` words of projects-online bits, then one power per added load;
    /// then, in a study with several regions, four words per region (at
    /// `SystemHeader::param_regions`): its demand energy and its renewable energy (low word,
    /// high word each). The system's energies are then the regions' sums.
    pub const PROJECTS: usize = 7;
    /// The Q32 fraction of the load multiplier (see LOAD_SCALE).
    pub const LOAD_FRACTION: usize = 6;
    /// Words per region in the per-region energy block.
    pub const REGION_WORDS: usize = 4;
}

/// The parts of a study's identity (`CompiledSystem::identity`, then the parameter laws),
/// each hashed on its own so that a refused merge or resume can name the parts that differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityPart {
    Regions,
    Units,
    Renewables,
    AddedLoads,
    Interfaces,
    Storage,
    Profiles,
    Horizon,
    Laws,
}

impl IdentityPart {
    pub const ALL: [IdentityPart; 9] = [
        IdentityPart::Regions,
        IdentityPart::Units,
        IdentityPart::Renewables,
        IdentityPart::AddedLoads,
        IdentityPart::Interfaces,
        IdentityPart::Storage,
        IdentityPart::Profiles,
        IdentityPart::Horizon,
        IdentityPart::Laws,
    ];

    /// The part as a refusal names it (and as shards and checkpoints key it).
    pub fn name(self) -> &'static str {
        match self {
            IdentityPart::Regions => "regions and their loads",
            IdentityPart::Units => "units",
            IdentityPart::Renewables => "renewables",
            IdentityPart::AddedLoads => "added loads",
            IdentityPart::Interfaces => "interfaces",
            IdentityPart::Storage => "storage",
            IdentityPart::Profiles => "hourly profiles",
            IdentityPart::Horizon => "horizon, power unit and table sizes",
            IdentityPart::Laws => "uncertain parameters",
        }
    }
}

/// Everything an engine needs, as flat integer tables.
#[derive(Clone, Debug)]
pub struct CompiledSystem {
    pub name: String,
    /// Watts per power unit (a power of ten).
    pub power_unit_w: u64,
    pub header: SystemHeader,
    pub units: Vec<UnitRow>,
    /// Indices of units with hourly capacity.
    pub hourly_units: Vec<u32>,
    /// The load term of the first region (its scale is the trajectory's multiplier).
    pub load: TermRow,
    /// The load term of every region (`loads[0] == load`).
    pub loads: Vec<TermRow>,
    /// Region of each generator row, or a `ROW_CIRCUIT` / `ROW_STORAGE` tag.
    pub unit_region: Vec<u32>,
    pub renewable_region: Vec<u32>,
    pub added_load_region: Vec<u32>,
    pub interfaces: Vec<InterfaceRow>,
    pub storage: Vec<StorageRow>,
    /// Names, for reports.
    pub region_names: Vec<String>,
    pub interface_names: Vec<String>,
    pub storage_names: Vec<String>,
    pub renewables: Vec<TermRow>,
    /// Network walk: each region's folded series; the renewables that are not folded (they
    /// belong to a project); and the hourly-capacity units the walk must look at: those of no
    /// project that can fail (subtracted from the fold while down) and those of a project
    /// (added while online and up).
    pub region_fold: Vec<RegionFold>,
    pub walk_renewables: Vec<u32>,
    pub walk_hourly_units: Vec<u32>,
    /// Added loads (their scale is the trajectory's drawn power).
    pub added_loads: Vec<TermRow>,
    /// All series, `hours` values each.
    pub series: Vec<u32>,
    /// Sparse tables: `range_max[(s · levels + k) · hours + i]` = max of series s over
    /// [i, i + 2^k); `range_min` likewise.
    pub range_max: Vec<u32>,
    pub range_min: Vec<u32>,
    /// −log2 interpolation table for the sojourn sampler.
    pub log2_table: [u32; crate::engine::rng::LOG2_TABLE_LEN],
}

impl CompiledSystem {
    pub fn hours(&self) -> usize {
        self.header.hours as usize
    }

    /// Whether the study needs the network walk (several regions, interfaces or storage).
    pub fn is_network(&self) -> bool {
        self.header.regions > 1 || self.header.interfaces > 0 || self.header.storage > 0
    }

    pub fn mw(&self, power: u64) -> f64 {
        power as f64 * self.power_unit_w as f64 / 1.0e6
    }

    /// Feeds every table and name to `eat`, each under the part of the study it describes
    /// (see `IdentityPart`), for the study's fingerprint. The destructuring names every
    /// field, so a field added to the system cannot be left out of its identity (two studies
    /// that differ only in a region's load, an interface or a store must never share shards
    /// or checkpoints), and a refusal can say which parts differ.
    pub fn identity(&self, eat: &mut dyn FnMut(IdentityPart, &[u8])) {
        use IdentityPart::*;
        let CompiledSystem {
            // The study's title is a label: retitling a study keeps its shards.
            name: _,
            power_unit_w,
            header,
            units,
            hourly_units,
            load,
            loads,
            unit_region,
            renewable_region,
            added_load_region,
            interfaces,
            storage,
            region_names,
            interface_names,
            storage_names,
            renewables,
            region_fold,
            walk_renewables,
            walk_hourly_units,
            added_loads,
            series,
            range_max: _,
            range_min: _,
            log2_table: _,
        } = self;
        // The range tables and the log2 table are functions of the series and of nothing.
        let mut text = |part: IdentityPart, names: &[String]| {
            for s in names {
                eat(part, &(s.len() as u64).to_le_bytes());
                eat(part, s.as_bytes());
            }
        };
        text(Regions, region_names);
        text(Interfaces, interface_names);
        text(Storage, storage_names);
        eat(Horizon, &power_unit_w.to_le_bytes());
        eat(Horizon, bytemuck::bytes_of(header));
        let mut table = |part: IdentityPart, words: &[u32]| {
            eat(part, &(words.len() as u64).to_le_bytes());
            eat(part, bytemuck::cast_slice(words));
        };
        table(Units, bytemuck::cast_slice(units));
        table(Units, hourly_units);
        table(Units, unit_region);
        table(Units, walk_hourly_units);
        table(Regions, bytemuck::cast_slice(std::slice::from_ref(load)));
        table(Regions, bytemuck::cast_slice(loads));
        table(Renewables, bytemuck::cast_slice(renewables));
        table(Renewables, renewable_region);
        table(Renewables, walk_renewables);
        table(Renewables, bytemuck::cast_slice(region_fold));
        table(AddedLoads, bytemuck::cast_slice(added_loads));
        table(AddedLoads, added_load_region);
        table(Interfaces, bytemuck::cast_slice(interfaces));
        table(Storage, bytemuck::cast_slice(storage));
        table(Profiles, series);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_match_the_shader_structs() {
        assert_eq!(std::mem::size_of::<UnitRow>(), 40);
        assert_eq!(std::mem::size_of::<TermRow>(), 16);
        assert_eq!(std::mem::size_of::<SystemHeader>(), 72);
        assert_eq!(std::mem::size_of::<RegionFold>(), 16);
        assert_eq!(std::mem::size_of::<InterfaceRow>(), 40);
        assert_eq!(std::mem::size_of::<StorageRow>(), 40);
    }
}
