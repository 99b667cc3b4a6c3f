//! Each region's hourly terms that do not depend on outages — demand, renewable output and
//! folded hourly capacity — for the network walk (`regions.rs`), and a small store of them
//! per parameter block.
//!
//! Trajectories that share their parameter block (every trajectory of one weather year when
//! nothing else is uncertain: china-west-east's three years, RTS-GMLC's one) have the same
//! terms in every hour. Forming them costs a multiply per load and a read per series for
//! every region every walked hour, about a tenth of a walked hour; reading them back from a
//! table costs three loads. A block's table is made the second time the block is met, so a
//! study whose parameters differ in every trajectory (a load multiplier drawn from a law)
//! never pays for one. The shader forms the terms every hour; the integers are the same.
//!
//! The store belongs to one `RegionsState`, which lives for one chunk of one system, so a
//! table can never be read for another system.

use crate::engine::cpu::network::RegionHour;
use crate::scenario::tables::{CompiledSystem, NONE, Q31_ONE, TermRow};

use super::settled_hours::{SettledDispatch, SettledHours, Settling};
use super::terms::{self, Params};
use crate::engine::cpu::network::{LinkHour, StoreHour};

/// The start of a series that is absent (a region without folded renewables, say).
pub const ABSENT: usize = usize::MAX;

/// Where `series` starts for weather year `year`, or ABSENT.
#[inline(always)]
pub fn series_at(sys: &CompiledSystem, series: u32, stride: u32, year: u32) -> usize {
    if series == NONE {
        ABSENT
    } else {
        terms::series_start(sys, series, stride, year)
    }
}

/// The hour-`h` value of the series starting at `at`, or `absent` when there is none.
#[inline(always)]
pub fn read_at(sys: &CompiledSystem, at: usize, h: u32, absent: u32) -> u32 {
    if at == ABSENT {
        absent
    } else {
        sys.series[at + h as usize]
    }
}

/// Where one trajectory's hourly series start in `sys.series` (its weather year's row),
/// found once per trajectory rather than every hour.
#[derive(Default)]
pub struct SeriesStarts {
    /// Per region: its load, its folded renewable output and its folded hourly capacity.
    load_at: Vec<usize>,
    renewable_at: Vec<usize>,
    available_at: Vec<usize>,
    /// (region, power, start) of each added load and (region, scale, start) of each walked
    /// renewable online in this trajectory.
    added_at: Vec<(usize, u32, usize)>,
    renewable_terms_at: Vec<(usize, u32, usize)>,
}

impl SeriesStarts {
    /// Finds the starts for the trajectory of parameters `p`.
    pub fn find(&mut self, sys: &CompiledSystem, p: &Params) {
        self.load_at.clear();
        self.renewable_at.clear();
        self.available_at.clear();
        for (l, f) in sys.loads.iter().zip(&sys.region_fold) {
            (self.load_at).push(series_at(sys, l.series, l.year_stride, p.year));
            (self.renewable_at).push(series_at(sys, f.renewable, f.renewable_stride, p.year));
            (self.available_at).push(series_at(sys, f.available, f.available_stride, p.year));
        }
        // (region, scale, start) of a term of this trajectory.
        let term_at = |region: u32, scale: u32, t: &TermRow| {
            let at = series_at(sys, t.series, t.year_stride, p.year);
            (region as usize, scale, at)
        };
        self.added_at.clear();
        self.added_at.extend(
            (sys.added_loads.iter().enumerate())
                .map(|(k, t)| term_at(sys.added_load_region[k], p.added_power[k], t)),
        );
        self.renewable_terms_at.clear();
        self.renewable_terms_at.extend(
            (sys.walk_renewables.iter().map(|&k| k as usize))
                .filter(|&k| p.online(sys.renewables[k].project))
                .map(|k| {
                    let t = &sys.renewables[k];
                    term_at(sys.renewable_region[k], t.scale, t)
                }),
        );
    }

    /// Hour `h`'s terms of every region into `regions`: demand, renewable output, and as
    /// `available` the folded hourly capacity (all its units up) plus `firm` (per region).
    #[inline(always)]
    pub fn hour(
        &self,
        sys: &CompiledSystem,
        p: &Params,
        h: u32,
        firm: &[u32],
        regions: &mut [RegionHour],
    ) {
        let starts = self.load_at.iter().zip(&self.renewable_at);
        let folded = self.available_at.iter().zip(firm);
        for ((g, (&load, &renewable)), (&available, &firm)) in
            regions.iter_mut().zip(starts).zip(folded)
        {
            *g = RegionHour {
                demand: terms::load_term(p, read_at(sys, load, h, Q31_ONE)),
                // A folded series of NONE is zero.
                renewable: read_at(sys, renewable, h, 0),
                available: read_at(sys, available, h, 0) + firm,
            };
        }
        for &(r, power, at) in &self.added_at {
            regions[r].demand += terms::added_term(power, read_at(sys, at, h, Q31_ONE));
        }
        for &(r, scale, at) in &self.renewable_terms_at {
            regions[r].renewable += terms::term(scale, read_at(sys, at, h, Q31_ONE));
        }
    }
}

/// Tables kept per state: enough for a few weather years met in turn.
const MOST_TABLES: usize = 4;
/// Bytes of tables kept per state; a study whose one table is larger keeps none.
const TABLE_BYTES: usize = 16 << 20;
/// Parameter blocks remembered without a table, to tell when one comes back.
const MOST_SEEN: usize = 16;

/// One parameter block's terms, hour by hour (`regions` entries per hour).
struct Table {
    block: Vec<u32>,
    cells: Vec<RegionHour>,
    /// Bit h set when some region has a renewable surplus in hour h (renewable output above
    /// demand), which no outage changes: the walk skips the quiet hours between them.
    surplus: Vec<u64>,
    /// The dispatch of its surplus hours for trajectories whose fleet covers every region's
    /// need, settled as the hours are met.
    settled: SettledHours,
    /// When it was last chosen (in trajectories): the least recent is replaced first.
    used: u64,
}

/// The tables of the parameter blocks met more than once.
#[derive(Default)]
pub struct TermTables {
    tables: Vec<Table>,
    /// Blocks met once, oldest first.
    seen: Vec<Vec<u32>>,
    /// Trajectories started with this store.
    clock: u64,
    /// Scratch for settling an hour.
    settling: Settling,
}

impl TermTables {
    /// The table of `block` (the trajectory's parameter block, whose terms `starts` were
    /// found for), made now when the block is met the second time; None when the block has
    /// been met only once or the study's table would be too large.
    pub fn choose(
        &mut self,
        sys: &CompiledSystem,
        p: &Params,
        block: &[u32],
        starts: &SeriesStarts,
    ) -> Option<usize> {
        self.clock += 1;
        if let Some(i) = self.tables.iter().position(|t| t.block == block) {
            self.tables[i].used = self.clock;
            return Some(i);
        }
        let regions = sys.header.regions as usize;
        let bytes = sys.header.hours as usize * regions * size_of::<RegionHour>();
        let room = (TABLE_BYTES / bytes.max(1)).min(MOST_TABLES);
        if room == 0 {
            return None;
        }
        let Some(k) = self.seen.iter().position(|b| b == block) else {
            if self.seen.len() == MOST_SEEN {
                self.seen.remove(0);
            }
            self.seen.push(block.to_vec());
            return None;
        };
        self.seen.remove(k);
        let i = if self.tables.len() < room {
            self.tables.push(Table {
                block: Vec::new(),
                cells: Vec::new(),
                surplus: Vec::new(),
                settled: SettledHours::default(),
                used: 0,
            });
            self.tables.len() - 1
        } else {
            (0..self.tables.len())
                .min_by_key(|&i| self.tables[i].used)
                .unwrap_or(0)
        };
        let t = &mut self.tables[i];
        t.block.clear();
        t.block.extend_from_slice(block);
        t.used = self.clock;
        t.cells.clear();
        t.cells
            .resize(sys.header.hours as usize * regions, RegionHour::default());
        t.surplus.clear();
        t.surplus
            .resize((sys.header.hours as usize).div_ceil(64), 0);
        t.settled.reset(sys.header.hours as usize);
        let no_firm = vec![0; regions];
        for (h, cells) in t.cells.chunks_exact_mut(regions.max(1)).enumerate() {
            starts.hour(sys, p, h as u32, &no_firm, cells);
            if cells.iter().any(|g| g.renewable > g.demand) {
                t.surplus[h / 64] |= 1 << (h % 64);
            }
        }
        Some(i)
    }

    /// Whether some region of table `i` has a renewable surplus in hour `h`.
    #[inline(always)]
    pub fn surplus(&self, i: usize, h: u32) -> bool {
        self.tables[i].surplus[h as usize / 64] >> (h % 64) & 1 == 1
    }

    /// The first hour from `h` to `end` in which some region of table `i` has a renewable
    /// surplus (`surplus`) or none does, or `end`.
    pub fn next(&self, i: usize, surplus: bool, h: u32, end: u32) -> u32 {
        let bits = &self.tables[i].surplus;
        let word_at = |k: usize| if surplus { bits[k] } else { !bits[k] };
        let mut word = h as usize / 64;
        let mut found = word_at(word) & (u64::MAX << (h % 64));
        while found == 0 {
            word += 1;
            if word * 64 >= end as usize {
                return end;
            }
            found = word_at(word);
        }
        (word as u32 * 64 + found.trailing_zeros()).min(end)
    }

    /// Hour `h`'s settled dispatch in table `i` (see `settled_hours`), for an hour with a
    /// surplus, every circuit up, every region's need covered and no reliability store with
    /// room; None when the hour is walked.
    #[inline(always)]
    pub fn settled(
        &mut self,
        i: usize,
        h: u32,
        regions: &[RegionHour],
        links: &[LinkHour],
        stores: &[StoreHour],
    ) -> Option<SettledDispatch<'_>> {
        let settling = &mut self.settling;
        self.tables[i]
            .settled
            .hour(h, regions, links, stores, settling)
    }

    /// Hour `h`'s terms of every region in table `i`.
    #[inline(always)]
    pub fn hour(&self, i: usize, h: u32, regions: usize) -> &[RegionHour] {
        let at = h as usize * regions;
        &self.tables[i].cells[at..at + regions]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `next` finds the first hour of either kind from any hour, across word boundaries,
    /// and never past `end`; it agrees with reading the bits one by one.
    #[test]
    fn next_finds_the_first_hour_of_each_kind() {
        let hours = 200u32;
        let surplus_hours = [3u32, 4, 63, 64, 65, 127, 128, 190];
        let mut bits = vec![0u64; (hours as usize).div_ceil(64)];
        for &h in &surplus_hours {
            bits[h as usize / 64] |= 1 << (h % 64);
        }
        let tables = TermTables {
            tables: vec![Table {
                block: Vec::new(),
                cells: Vec::new(),
                surplus: bits,
                settled: SettledHours::default(),
                used: 0,
            }],
            ..TermTables::default()
        };
        for end in [1, 63, 64, 65, 128, 191, hours] {
            for h in 0..end {
                for kind in [true, false] {
                    let slow = (h..end)
                        .find(|&k| surplus_hours.contains(&k) == kind)
                        .unwrap_or(end);
                    assert_eq!(tables.next(0, kind, h, end), slow, "{kind} {h} {end}");
                }
                assert_eq!(tables.surplus(0, h), surplus_hours.contains(&h));
            }
        }
    }

    /// A block's table is made the second time the block is met, holds the terms formed
    /// hour by hour and the hours with a surplus, and the least recently chosen of
    /// MOST_TABLES is the one replaced.
    #[test]
    fn tables_are_made_on_the_second_meeting_and_hold_the_hourly_terms() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/west-east/west-east.toml");
        let study = crate::Study::load(&path).unwrap();
        let sys = &study.system;
        let n = sys.header.regions as usize;
        let block_with = |fraction: u32| {
            let mut block = vec![0u32; study.laws.stride];
            study.laws.draw(1, 0, &mut block);
            block[crate::scenario::tables::param::LOAD_FRACTION] = fraction;
            block
        };
        let mut tables = TermTables::default();
        let mut starts = SeriesStarts::default();
        let mut choose = |tables: &mut TermTables, block: &[u32]| {
            let p = Params::unpack(sys, block);
            starts.find(sys, &p);
            tables.choose(sys, &p, block, &starts)
        };
        let first = block_with(0);
        assert_eq!(choose(&mut tables, &first), None, "met once");
        let i = choose(&mut tables, &first).expect("met twice");
        let p = Params::unpack(sys, &first);
        let mut formed = SeriesStarts::default();
        formed.find(sys, &p);
        let mut terms = vec![RegionHour::default(); n];
        let (mut surplus, mut none) = (0, 0);
        for h in 0..sys.header.hours {
            formed.hour(sys, &p, h, &vec![0; n], &mut terms);
            assert_eq!(tables.hour(i, h, n), &terms[..], "hour {h}");
            let any = terms.iter().any(|g| g.renewable > g.demand);
            assert_eq!(tables.surplus(i, h), any, "hour {h}");
            (surplus, none) = if any {
                (surplus + 1, none)
            } else {
                (surplus, none + 1)
            };
        }
        assert!(surplus > 0 && none > 0, "{surplus} {none}");
        // Four more blocks, with the first chosen again after the third: the second is then
        // the least recently chosen, and the fifth replaces it.
        let others: Vec<Vec<u32>> = (1..5).map(|k| block_with(k << 28)).collect();
        for (k, block) in others.iter().enumerate() {
            if k == 3 {
                assert_eq!(choose(&mut tables, &first), Some(i));
            }
            assert_eq!(choose(&mut tables, block), None);
            assert!(choose(&mut tables, block).is_some());
        }
        assert_eq!(tables.tables.len(), MOST_TABLES);
        assert_eq!(choose(&mut tables, &first), Some(i), "kept");
        assert_eq!(
            choose(&mut tables, &others[0]),
            None,
            "replaced: met once again"
        );
    }
}
