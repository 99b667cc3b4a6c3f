//! Per-trajectory samples (`egap run --samples FILE.csv`): one row per trajectory, written
//! chunk by chunk as the run goes, so memory does not grow with the trajectory count.
//!
//! Each row has the trajectory's drawn parameters (weather year, load multiplier, each added
//! load's MW), so an analyst can relate shortfall to what was drawn, then the system's
//! record, then each region's unserved energy, curtailment and loss-of-load hours. The
//! parameters are drawn again from the seed: they are a pure function of (seed, trajectory).

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::engine::{ChunkRecords, TrajectoryRecord};
use crate::scenario::tables::param;
use crate::{Error, Study};

pub struct SamplesWriter<'s> {
    study: &'s Study,
    seed: u64,
    path: PathBuf,
    csv: csv::Writer<BufWriter<File>>,
    block: Vec<u32>,
}

impl<'s> SamplesWriter<'s> {
    /// Creates `path` (refusing to replace a file unless `force`) and writes the header.
    pub fn create(study: &'s Study, seed: u64, path: &Path, force: bool) -> Result<Self, Error> {
        let io = |what: &'static str| {
            let path = path.to_path_buf();
            move |source| Error::Io { what, path, source }
        };
        if path.exists() && !force {
            return Err(Error::Options(format!(
                "{} exists; pass --force to replace it",
                path.display()
            )));
        }
        let file = File::create(path).map_err(io("cannot create"))?;
        let mut csv = csv::Writer::from_writer(BufWriter::new(file));
        let sc = &study.scenario;
        let mut header: Vec<String> = vec![
            "trajectory".into(),
            "weather_year".into(),
            "load_multiplier".into(),
        ];
        header.extend(sc.added_loads.iter().map(|a| format!("{} (MW)", a.name)));
        header.extend(
            [
                "unserved_mwh",
                "curtailed_mwh",
                "renewable_mwh",
                "demand_mwh",
                "peak_shortfall_mw",
                "loss_of_load_hours",
                "loss_of_load_days",
                "loss_of_load_events",
            ]
            .map(String::from),
        );
        if study.system.header.record_slots > 1 {
            for r in &sc.regions {
                for field in ["unserved_mwh", "curtailed_mwh", "loss_of_load_hours"] {
                    header.push(format!("{}: {field}", r.name));
                }
            }
        }
        csv.write_record(&header)
            .map_err(|e| Error::Options(format!("{}: {e}", path.display())))?;
        Ok(SamplesWriter {
            study,
            seed,
            path: path.to_path_buf(),
            csv,
            block: vec![0; study.laws.stride],
        })
    }

    /// Writes the rows of a chunk whose first trajectory is `first`, and flushes, so an
    /// interrupted run leaves every completed chunk on disk.
    pub fn write_chunk(&mut self, first: u64, chunk: &ChunkRecords) -> Result<(), Error> {
        let sys = &self.study.system;
        let slots = sys.header.record_slots as usize;
        let mw = |power: u64| sys.mw(power);
        let first_added = param::PROJECTS + sys.header.project_words as usize;
        for (i, records) in chunk.records.chunks_exact(slots).enumerate() {
            let t = first + i as u64;
            self.study.laws.draw(self.seed, t, &mut self.block);
            let b = &self.block;
            let mut row: Vec<String> = vec![
                t.to_string(),
                self.study.scenario.weather_years[b[param::WEATHER_YEAR] as usize].clone(),
                (f64::from(b[param::LOAD_SCALE])
                    + f64::from(b[param::LOAD_FRACTION]) / 4294967296.0)
                    .to_string(),
            ];
            for k in 0..sys.added_loads.len() {
                row.push(mw(u64::from(b[first_added + k])).to_string());
            }
            let s: &TrajectoryRecord = &records[0];
            row.extend([
                mw(s.unserved_energy).to_string(),
                mw(s.curtailed_energy).to_string(),
                mw(s.renewable_energy).to_string(),
                mw(s.demand_energy).to_string(),
                mw(u64::from(s.peak_shortfall)).to_string(),
                s.loss_of_load_hours.to_string(),
                s.loss_of_load_days.to_string(),
                s.loss_of_load_events.to_string(),
            ]);
            for r in &records[1..] {
                row.extend([
                    mw(r.unserved_energy).to_string(),
                    mw(r.curtailed_energy).to_string(),
                    r.loss_of_load_hours.to_string(),
                ]);
            }
            self.csv
                .write_record(&row)
                .map_err(|e| Error::Options(format!("{}: {e}", self.path.display())))?;
        }
        self.csv.flush().map_err(|source| Error::Io {
            what: "cannot write",
            path: self.path.clone(),
            source,
        })
    }
}
