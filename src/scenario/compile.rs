//! Compiles a validated scenario into integer tables.
//!
//! The power unit is the finest power of ten of watts (1 W … 1 MW) at which the largest
//! hourly sum the engines can form — total unit capacity, total renewable capacity, peak
//! demand at the largest multiplier plus every added load at its largest — stays below 2^31.
//! RTS-79 (3,405 MW) gets 10 W: loads given to 0.1 kW are represented exactly, so rounding
//! neither creates nor breaks ties between load and available capacity. After this step
//! nothing downstream re-checks the scenario.

use super::error::ScenarioError;
use super::model::{Outage, Scenario};
use super::parameters::{EnergySums, ParameterLaws};
use super::profile::Profile;
use super::tables::*;
use crate::engine::rng::{self, Sojourn};

/// How far `ParameterLaws::load_scale` may scale demand: the power unit leaves this headroom.
pub const LOAD_SCALE_HEADROOM: f64 = 4.0;
/// Largest hourly power sum accepted, MW (10 TW).
pub const MAX_SYSTEM_MW: f64 = 1.0e7;
const LIMIT: f64 = (1u64 << 31) as f64 - 1.0;

/// Compiles `scenario`.
pub fn compile(scenario: &Scenario) -> Result<(CompiledSystem, ParameterLaws), ScenarioError> {
    let hours = scenario.hours;
    let years = scenario.weather_years.len();
    let capacity_mw: f64 = scenario
        .units
        .iter()
        .map(|u| f64::from(u.count) * u.capacity_mw.max())
        .sum::<f64>()
        + 0.0;
    // `+ 0.0`: an empty f64 sum is -0.0, which would print as "renewables -0".
    let renewable_mw = scenario
        .renewables
        .iter()
        .map(|r| r.capacity_mw)
        .sum::<f64>()
        + 0.0;
    let demand_mw = scenario.load_multiplier.max
        * scenario
            .regions
            .iter()
            .map(|r| r.load_mw.max())
            .sum::<f64>()
        + scenario
            .added_loads
            .iter()
            .map(|a| a.size_mw.max * a.utilization.max)
            .sum::<f64>();
    // Storage energy is held in power units × hours in 32 bits, and interface limits in power
    // units: both must fit as the power sums do.
    let storage_mw = scenario
        .storage
        .iter()
        .map(|s| s.energy_mwh.max(s.charge_mw).max(s.discharge_mw))
        .fold(0.0, f64::max);
    let interface_mw = scenario
        .interfaces
        .iter()
        .map(|i| i.forward_mw.max().max(i.backward_mw.max()))
        .fold(0.0, f64::max);
    let bound_mw = capacity_mw
        .max(renewable_mw)
        .max(demand_mw)
        .max(storage_mw)
        .max(interface_mw);
    if bound_mw > MAX_SYSTEM_MW {
        return Err(ScenarioError::Invalid(vec![super::error::Diagnostic {
            file: scenario.source.clone(),
            line: None,
            column: None,
            field: "units / renewables / load".into(),
            message: format!(
                "the system's largest hourly sum is {bound_mw:.0} MW (capacity {capacity_mw:.0}, renewables {renewable_mw:.0}, peak demand {demand_mw:.0}); at most {MAX_SYSTEM_MW:.0} MW (10 TW) is supported"
            ),
        }]));
    }
    // Room for the demand to be scaled up (load-carrying-capability searches) without overflow.
    let unit_bound_mw = bound_mw.max(LOAD_SCALE_HEADROOM * demand_mw);
    let power_unit_w = (0..=6)
        .map(|k| 10u64.pow(k))
        .find(|&w| unit_bound_mw * 1.0e6 / w as f64 <= LIMIT)
        .unwrap_or(1_000_000);
    let units_per_mw = 1.0e6 / power_unit_w as f64;
    let power = |mw: f64| (mw * units_per_mw).round() as u32;
    // Added-load shapes are Q31 fractions (see `Q31_ONE`).
    let q31 = |f: f64| (f * f64::from(Q31_ONE)).round().min(f64::from(Q31_ONE)) as u32;

    let mut series = Vec::new();
    let mut add = |p: &Profile, quantize: &dyn Fn(f64) -> u32| -> (u32, u32) {
        let first = (series.len() / hours) as u32;
        let count = if p.is_shared() { 1 } else { years };
        for y in 0..count {
            series.extend(p.year(y).iter().map(|&v| quantize(v)));
        }
        (first, u32::from(!p.is_shared()))
    };

    let project = |p: Option<usize>| p.map_or(NONE, |i| i as u32);
    let mut units = Vec::new();
    let mut unit_region = Vec::new();
    let mut hourly_units = Vec::new();
    for group in &scenario.units {
        let (capacity, profile, stride) = if group.capacity_mw.is_constant() {
            (power(group.capacity_mw.year(0)[0]), NONE, 0)
        } else {
            let (first, stride) = add(&group.capacity_mw, &power);
            (0, first, stride)
        };
        for _ in 0..group.count {
            if profile != NONE {
                hourly_units.push(units.len() as u32);
            }
            unit_region.push(group.region as u32);
            units.push(unit_row(
                capacity,
                profile,
                stride,
                project(group.project),
                group.outage,
            ));
        }
    }
    let generators = units.len() as u32;
    let loads: Vec<TermRow> = scenario
        .regions
        .iter()
        .map(|r| {
            let (series, year_stride) = add(&r.load_mw, &power);
            TermRow {
                series,
                year_stride,
                scale: 0,
                project: NONE,
            }
        })
        .collect();
    let load_term = loads[0];
    // A limit: a constant, or an hourly series (power units).
    let mut limit = |p: &Profile| -> (u32, u32, u32) {
        if p.is_constant() {
            (power(p.year(0)[0]), NONE, 0)
        } else {
            let (first, stride) = add(p, &power);
            (0, first, stride)
        }
    };
    let mut interfaces = Vec::new();
    for (i, f) in scenario.interfaces.iter().enumerate() {
        let (forward, forward_series, forward_stride) = limit(&f.forward_mw);
        let (backward, backward_series, backward_stride) = limit(&f.backward_mw);
        interfaces.push(InterfaceRow {
            from: f.from as u32,
            to: f.to as u32,
            circuits: f.circuits,
            forward,
            forward_series,
            forward_stride,
            backward,
            backward_series,
            backward_stride,
            padding: 0,
        });
        if f.outage.failure_probability > 0.0 {
            for _ in 0..f.circuits {
                units.push(unit_row(0, NONE, 0, NONE, f.outage));
                unit_region.push(ROW_CIRCUIT | i as u32);
            }
        }
    }
    let q16_fraction = |f: f64| ((f * f64::from(Q16_ONE)).round() as u32).clamp(1, Q16_ONE);
    let mut storage = Vec::new();
    for (i, s) in scenario.storage.iter().enumerate() {
        let unit = if s.outage.failure_probability > 0.0 {
            units.push(unit_row(0, NONE, 0, project(s.project), s.outage));
            unit_region.push(ROW_STORAGE | i as u32);
            units.len() as u32 - 1
        } else {
            NONE
        };
        let energy = power(s.energy_mwh);
        storage.push(StorageRow {
            region: s.region as u32,
            charge: power(s.charge_mw),
            discharge: power(s.discharge_mw),
            energy,
            charge_efficiency: q16_fraction(s.charge_efficiency),
            discharge_efficiency: q16_fraction(s.discharge_efficiency),
            initial: ((s.initial_soc * f64::from(energy)).round() as u32).min(energy),
            project: project(s.project),
            unit,
            mode: if s.shift {
                STORE_SHIFT
            } else {
                STORE_RELIABILITY
            },
        });
    }
    let renewables: Vec<TermRow> = scenario
        .renewables
        .iter()
        .map(|r| {
            // The plant's output in power units, hour by hour: capacity × capacity factor in
            // floating point, rounded once, so 100 MW at 0.7 is exactly 70 MW.
            let output = |cf: f64| power(r.capacity_mw * cf);
            let (s, stride) = add(&r.capacity_factor, &output);
            TermRow {
                series: s,
                year_stride: stride,
                scale: Q16_ONE,
                project: project(r.project),
            }
        })
        .collect();
    let added_loads: Vec<TermRow> = scenario
        .added_loads
        .iter()
        .map(|a| match &a.shape {
            Some(shape) => {
                let (s, stride) = add(shape, &q31);
                TermRow {
                    series: s,
                    year_stride: stride,
                    scale: 0,
                    project: NONE,
                }
            }
            None => TermRow {
                series: NONE,
                year_stride: 0,
                scale: 0,
                project: NONE,
            },
        })
        .collect();

    let regions = scenario.regions.len() as u32;
    let network = regions > 1 || !interfaces.is_empty() || !storage.is_empty();
    // Every hourly-capacity unit of no project is folded; the walk subtracts the ones that
    // are down (few at a time) and adds the project units that are online and up.
    let unit_folded = |u: &UnitRow| u.project == NONE;
    let unit_walked = |u: &UnitRow| u.never_fails == 0 || u.project != NONE;
    let (region_fold, walk_renewables, walk_hourly_units) = if network {
        let renewable_in = |r: usize| -> Vec<(u32, u32, u32)> {
            renewables
                .iter()
                .zip(&scenario.renewables)
                .filter(|(t, spec)| spec.region == r && t.project == NONE)
                .map(|(t, _)| (t.series, t.year_stride, t.scale))
                .collect()
        };
        let available_in = |r: usize| -> Vec<(u32, u32, u32)> {
            hourly_units
                .iter()
                .map(|&u| &units[u as usize])
                .zip(hourly_units.iter().map(|&u| unit_region[u as usize]))
                .filter(|(row, region)| *region == r as u32 && unit_folded(row))
                .map(|(row, _)| (row.profile, row.profile_year_stride, Q16_ONE))
                .collect()
        };
        let folds = (0..regions as usize)
            .map(|r| {
                let (renewable, renewable_stride) =
                    fold_series(&mut series, hours, years, &renewable_in(r));
                let (available, available_stride) =
                    fold_series(&mut series, hours, years, &available_in(r));
                RegionFold {
                    renewable,
                    renewable_stride,
                    available,
                    available_stride,
                }
            })
            .collect();
        let walk_renewables = (0..renewables.len() as u32)
            .filter(|&k| renewables[k as usize].project != NONE)
            .collect();
        let walk_hourly_units = hourly_units
            .iter()
            .copied()
            .filter(|&u| unit_walked(&units[u as usize]))
            .collect();
        (folds, walk_renewables, walk_hourly_units)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let levels = usize::BITS - hours.leading_zeros(); // ⌊log2 hours⌋ + 1
    let (range_max, range_min) = range_tables(&series, hours, levels as usize);

    // Σ_h ⌊scale · series[h] / 2^16⌋; a flat added-load shape (NONE) is Q31_ONE each hour.
    let term_sum = |t: &TermRow, y: usize, scale: u32| -> u64 {
        if t.series == NONE {
            return u64::from(Q31_ONE) * hours as u64;
        }
        let s = (t.series + y as u32 * t.year_stride) as usize * hours;
        series[s..s + hours]
            .iter()
            .map(|&v| (u64::from(scale) * u64::from(v)) >> 16)
            .sum()
    };
    let energy = EnergySums {
        load: (0..years)
            .map(|y| loads.iter().map(|l| term_sum(l, y, Q16_ONE)).sum())
            .collect(),
        added_shape: added_loads
            .iter()
            .map(|t| (0..years).map(|y| term_sum(t, y, Q16_ONE)).collect())
            .collect(),
        renewable: renewables
            .iter()
            .map(|t| (0..years).map(|y| term_sum(t, y, t.scale)).collect())
            .collect(),
        renewable_project: renewables.iter().map(|t| t.project).collect(),
        load_by_region: if regions > 1 {
            loads
                .iter()
                .map(|l| (0..years).map(|y| term_sum(l, y, Q16_ONE)).collect())
                .collect()
        } else {
            Vec::new()
        },
        added_region: scenario.added_loads.iter().map(|a| a.region).collect(),
        renewable_region: scenario.renewables.iter().map(|r| r.region).collect(),
    };

    let record_slots = if regions > 1 { 1 + regions } else { 1 };
    let project_words = scenario.projects.len().div_ceil(32);
    let param_regions = param::PROJECTS + project_words + added_loads.len();
    let param_stride = param_regions
        + if regions > 1 {
            param::REGION_WORDS * regions as usize
        } else {
            0
        };
    let header = SystemHeader {
        hours: hours as u32,
        weather_years: years as u32,
        units: units.len() as u32,
        hourly_units: hourly_units.len() as u32,
        renewables: renewables.len() as u32,
        added_loads: added_loads.len() as u32,
        param_stride: param_stride as u32,
        project_words: project_words as u32,
        range_levels: levels,
        regions,
        interfaces: interfaces.len() as u32,
        storage: storage.len() as u32,
        generators,
        record_slots: if network { record_slots } else { 1 },
        flow_slots: (interfaces.len() + storage.len()) as u32,
        walk_renewables: walk_renewables.len() as u32,
        walk_hourly_units: walk_hourly_units.len() as u32,
        param_regions: param_regions as u32,
    };
    let mut cumulative = 0.0;
    let weather_year_cumulative = scenario
        .weather_year_weights
        .iter()
        .map(|w| {
            cumulative += w;
            cumulative
        })
        .collect();
    let laws = ParameterLaws {
        weather_year_cumulative,
        load_multiplier: scenario.load_multiplier.clone(),
        project_probabilities: scenario.projects.iter().map(|p| p.probability).collect(),
        added_loads: scenario
            .added_loads
            .iter()
            .map(|a| (a.size_mw.clone(), a.utilization.clone()))
            .collect(),
        units_per_mw,
        load_scale: 1.0,
        stride: param_stride,
        energy,
        project_words,
    };
    let system = CompiledSystem {
        name: scenario.name.clone(),
        power_unit_w,
        header,
        units,
        hourly_units,
        load: load_term,
        loads,
        unit_region,
        renewable_region: scenario
            .renewables
            .iter()
            .map(|r| r.region as u32)
            .collect(),
        added_load_region: scenario
            .added_loads
            .iter()
            .map(|a| a.region as u32)
            .collect(),
        interfaces,
        storage,
        region_names: scenario.regions.iter().map(|r| r.name.clone()).collect(),
        interface_names: scenario.interfaces.iter().map(|i| i.name.clone()).collect(),
        storage_names: scenario.storage.iter().map(|s| s.name.clone()).collect(),
        renewables,
        region_fold,
        walk_renewables,
        walk_hourly_units,
        added_loads,
        series,
        range_max,
        range_min,
        log2_table: rng::log2_table(),
    };
    Ok((system, laws))
}

fn unit_row(capacity: u32, profile: u32, stride: u32, project: u32, outage: Outage) -> UnitRow {
    let never_fails = outage.failure_probability == 0.0;
    let fail = if never_fails {
        Sojourn {
            mantissa: 0,
            shift: 0,
        }
    } else {
        Sojourn::from_probability(outage.failure_probability)
    };
    let repair = Sojourn::from_probability(outage.repair_probability);
    let up_threshold = (outage.availability() * 4294967296.0).min(f64::from(u32::MAX)) as u32;
    UnitRow {
        capacity,
        profile,
        profile_year_stride: stride,
        project,
        never_fails: u32::from(never_fails),
        up_threshold,
        fail_mantissa: fail.mantissa,
        fail_shift: fail.shift,
        repair_mantissa: repair.mantissa,
        repair_shift: repair.shift,
    }
}

/// Appends the sum of the terms ⌊scale · series\[h\] / 2^16⌋ of `parts` (series, year stride,
/// scale) as one series per weather year (one in all when no part differs by year), summed
/// in the engines' own integer arithmetic so that a folded hour equals the sum the walk
/// would have formed; returns (first series, year stride), or NONE for no parts.
fn fold_series(
    series: &mut Vec<u32>,
    hours: usize,
    years: usize,
    parts: &[(u32, u32, u32)],
) -> (u32, u32) {
    if parts.is_empty() {
        return (NONE, 0);
    }
    let stride = parts.iter().map(|p| p.1).max().unwrap_or(0);
    let first = (series.len() / hours) as u32;
    for y in 0..if stride == 1 { years } else { 1 } {
        let mut sum = vec![0u32; hours];
        for &(s, step, scale) in parts {
            let start = (s + y as u32 * step) as usize * hours;
            for h in 0..hours {
                sum[h] += rng::mul_shr_sat(scale, series[start + h], 16);
            }
        }
        series.extend_from_slice(&sum);
    }
    (first, stride)
}

/// Sparse range-maximum and range-minimum tables of every series, so that an engine can bound
/// any interval of hours in O(1) and skip it when no hour in it can be short.
fn range_tables(series: &[u32], hours: usize, levels: usize) -> (Vec<u32>, Vec<u32>) {
    let count = series.len() / hours;
    let mut max = vec![0u32; count * levels * hours];
    let mut min = vec![0u32; count * levels * hours];
    for s in 0..count {
        let base = s * levels * hours;
        max[base..base + hours].copy_from_slice(&series[s * hours..(s + 1) * hours]);
        min[base..base + hours].copy_from_slice(&series[s * hours..(s + 1) * hours]);
        for k in 1..levels {
            let half = 1 << (k - 1);
            let (prev, cur) = (base + (k - 1) * hours, base + k * hours);
            for i in 0..hours {
                let j = (i + half).min(hours - 1);
                max[cur + i] = max[prev + i].max(max[prev + j]);
                min[cur + i] = min[prev + i].min(min[prev + j]);
            }
        }
    }
    (max, min)
}
