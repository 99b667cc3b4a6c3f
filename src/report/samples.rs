//! Per-trajectory samples (`egap run --samples FILE.csv`): one row per trajectory, written
//! chunk by chunk as the run goes, so memory does not grow with the trajectory count.
//!
//! Each row has the trajectory's drawn parameters (weather year, load multiplier, each added
//! load's MW), so an analyst can relate shortfall to what was drawn, then the system's
//! record, then each region's unserved energy, curtailment and loss-of-load hours. The
//! parameters are drawn again from the seed: they are a pure function of (seed, trajectory).

use std::fs::File;
use std::io::{BufRead, BufWriter, Seek};
use std::path::{Path, PathBuf};

use super::csv::decimal;
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
        if path.exists() && !force {
            return Err(Error::Options(format!(
                "{} exists; pass --force to replace it",
                path.display()
            )));
        }
        let file = File::create(path).map_err(io_error("cannot create", path))?;
        let mut csv = csv::Writer::from_writer(BufWriter::new(file));
        csv.write_record(header(study))
            .map_err(|e| Error::Options(format!("{}: {e}", path.display())))?;
        Ok(SamplesWriter::around(study, seed, path, csv))
    }

    /// Continues the samples of a run resumed from a checkpoint that covers trajectories
    /// `first..first + done`. Rows are written before the checkpoint that counts them, so
    /// the file holds at least those rows (and possibly some of a chunk the checkpoint does
    /// not cover, or half a row from a killed write): it is cut after the last covered row
    /// and continued, so it ends with each trajectory exactly once, in order. A file with
    /// another header or missing rows is refused, not patched.
    pub fn resume(
        study: &'s Study,
        seed: u64,
        path: &Path,
        first: u64,
        done: u64,
    ) -> Result<Self, Error> {
        let refuse = |why: String| {
            Error::Options(format!(
                "{}: cannot continue these samples from the checkpoint: {why}; run again without --checkpoint to write every row, or choose another --samples file",
                path.display()
            ))
        };
        let file = crate::input::open_regular(path).map_err(|e| {
            refuse(format!(
                "the checkpoint covers {done} trajectories, but the file cannot be read ({e})"
            ))
        })?;
        let mut expected = csv::Writer::from_writer(Vec::new());
        expected
            .write_record(header(study))
            .and_then(|()| expected.flush().map_err(csv::Error::from))
            .map_err(|e| Error::Options(format!("{}: {e}", path.display())))?;
        let expected = expected.into_inner().map_err(|e| refuse(e.to_string()))?;
        let mut reader = std::io::BufReader::new(file);
        let mut line = Vec::new();
        let mut read_line = |line: &mut Vec<u8>| {
            line.clear();
            reader
                .read_until(b'\n', line)
                .map_err(|e| refuse(format!("it cannot be read ({e})")))
        };
        let mut block = vec![0; study.laws.stride];
        let mut kept = read_line(&mut line)? as u64;
        if line != expected {
            return Err(refuse("its header is not this study's".into()));
        }
        for i in 0..done {
            let t = first + i;
            let n = read_line(&mut line)?;
            let start =
                row_start(&drawn(study, seed, t, &mut block)).map_err(|e| refuse(e.to_string()))?;
            if line.last() != Some(&b'\n') || !line.starts_with(&start) {
                return Err(refuse(format!(
                    "the checkpoint covers trajectories {first}..{}, but row {} is not trajectory {t} of this seed",
                    first + done,
                    i + 1
                )));
            }
            kept += n as u64;
        }
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io_error("cannot open", path))?;
        file.set_len(kept).map_err(io_error("cannot write", path))?;
        let mut writer = BufWriter::new(file);
        writer
            .seek(std::io::SeekFrom::End(0))
            .map_err(io_error("cannot write", path))?;
        let csv = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(writer);
        Ok(SamplesWriter::around(study, seed, path, csv))
    }

    fn around(
        study: &'s Study,
        seed: u64,
        path: &Path,
        csv: csv::Writer<BufWriter<File>>,
    ) -> SamplesWriter<'s> {
        SamplesWriter {
            study,
            seed,
            path: path.to_path_buf(),
            csv,
            block: vec![0; study.laws.stride],
        }
    }

    /// Writes the rows of a chunk whose first trajectory is `first`, and flushes, so an
    /// interrupted run leaves every completed chunk on disk.
    pub fn write_chunk(&mut self, first: u64, chunk: &ChunkRecords) -> Result<(), Error> {
        let sys = &self.study.system;
        let slots = sys.header.record_slots as usize;
        let mw = |power: u64| sys.mw(power);
        for (i, records) in chunk.records.chunks_exact(slots).enumerate() {
            let mut row = drawn(self.study, self.seed, first + i as u64, &mut self.block);
            let s: &TrajectoryRecord = &records[0];
            row.extend([
                decimal(mw(s.unserved_energy)),
                decimal(mw(s.curtailed_energy)),
                decimal(mw(s.renewable_energy)),
                decimal(mw(s.demand_energy)),
                decimal(mw(u64::from(s.peak_shortfall))),
                s.loss_of_load_hours.to_string(),
                s.loss_of_load_days.to_string(),
                s.loss_of_load_events.to_string(),
            ]);
            for r in &records[1..] {
                row.extend([
                    decimal(mw(r.unserved_energy)),
                    decimal(mw(r.curtailed_energy)),
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
            reason: source,
        })
    }
}

/// The first columns of trajectory `t`'s row: its number and what it drew, a pure function
/// of (seed, trajectory).
fn drawn(study: &Study, seed: u64, t: u64, block: &mut [u32]) -> Vec<String> {
    let sys = &study.system;
    study.laws.draw(seed, t, block);
    let first_added = param::PROJECTS + sys.header.project_words as usize;
    let mut row: Vec<String> = vec![
        t.to_string(),
        study.scenario.weather_years[block[param::WEATHER_YEAR] as usize].clone(),
        decimal(
            f64::from(block[param::LOAD_SCALE])
                + f64::from(block[param::LOAD_FRACTION]) / 4294967296.0,
        ),
    ];
    for k in 0..sys.added_loads.len() {
        row.push(decimal(sys.mw(u64::from(block[first_added + k]))));
    }
    row
}

/// `fields` as the start of a CSV row, quoted as the writer quotes them, with the comma
/// that follows.
fn row_start(fields: &[String]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b','))
        .from_writer(Vec::new());
    w.write_record(fields)?;
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The header row: trajectory, its drawn parameters, the system's record, each region's.
fn header(study: &Study) -> Vec<String> {
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
    header
}

fn io_error(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io {
        what,
        path,
        reason: source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A resumed samples file keeps exactly the rows its checkpoint covers, and one from
    /// another seed (told by the drawn load multiplier and campus size), or with too few
    /// rows, is refused.
    #[test]
    fn resuming_cuts_to_the_checkpoint_and_refuses_foreign_rows() {
        let scenario = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/rts79-datacentre/rts79-datacentre.toml");
        let study = Study::load(&scenario).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("samples.csv");
        let chunk = crate::engine::cpu::run_chunk(&study.system, &study.laws, 5, 10, 8);
        let mut w = SamplesWriter::create(&study, 5, &path, false).unwrap();
        w.write_chunk(10, &chunk).unwrap();
        drop(w);
        let full = std::fs::read_to_string(&path).unwrap();
        assert_eq!(full.lines().count(), 9);

        let err = |seed, first, done| match SamplesWriter::resume(&study, seed, &path, first, done)
        {
            Ok(_) => panic!("resumed a foreign file (seed {seed}, {first}+{done})"),
            Err(e) => e.to_string(),
        };
        assert!(err(6, 10, 8).contains("is not trajectory 10 of this seed"));
        assert!(err(5, 11, 4).contains("is not trajectory 11"));
        assert!(err(5, 10, 9).contains("row 9 is not trajectory 18"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), full, "left alone");

        drop(SamplesWriter::resume(&study, 5, &path, 10, 5).unwrap());
        let kept: Vec<&str> = full.lines().take(6).collect();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            kept.join("\n") + "\n"
        );
    }
}
