//! Checkpoints: a long run saves its exact statistics at chunk boundaries, and a run started
//! again with the same checkpoint continues where it stopped. Because the statistics are
//! integer sums and every trajectory depends only on its index, the resumed run's summary is
//! byte-identical to an uninterrupted one.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::stats::Accumulator;
use crate::{Error, RunOptions, Study};

/// Tag of the checkpoint format, checked on reading.
pub const FORMAT: &str = "egap-checkpoint-1";

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: String,
    fingerprint: String,
    seed: u64,
    first_trajectory: u64,
    trajectories: u64,
    accumulator: Accumulator,
}

/// The statistics saved in `path` for this study and run, or `None` when there is no file yet.
/// A checkpoint of another study, seed or range is an error, never silently ignored.
pub fn load(
    path: &Path,
    study: &Study,
    options: &RunOptions,
) -> Result<Option<Accumulator>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                what: "cannot read the checkpoint",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let bad = |why: String| {
        Error::Options(format!(
            "checkpoint {}: {why}; delete it to start afresh",
            path.display()
        ))
    };
    let c: Checkpoint =
        serde_json::from_str(&text).map_err(|e| bad(format!("unreadable ({e})")))?;
    if c.format != FORMAT {
        return Err(bad(format!(
            "format \"{}\", this egap writes \"{FORMAT}\"",
            c.format
        )));
    }
    if c.fingerprint != study.fingerprint() {
        return Err(bad(
            "it was written for a different scenario (or the scenario has changed)".into(),
        ));
    }
    if (c.seed, c.first_trajectory, c.trajectories)
        != (options.seed, options.first_trajectory, options.trajectories)
    {
        return Err(bad(format!(
            "it belongs to --seed {} with trajectories {}..{}, not --seed {} with {}..{}",
            c.seed,
            c.first_trajectory,
            c.first_trajectory + c.trajectories,
            options.seed,
            options.first_trajectory,
            options.first_trajectory + options.trajectories
        )));
    }
    if c.accumulator.trajectories() > c.trajectories || !c.accumulator.fits_system(&study.system) {
        return Err(bad("its statistics do not fit the run".into()));
    }
    Ok(Some(c.accumulator))
}

/// Writes the statistics so far to `path` (to a temporary name, then renamed).
pub fn save(
    path: &Path,
    study: &Study,
    options: &RunOptions,
    accumulator: &Accumulator,
) -> Result<(), Error> {
    let c = Checkpoint {
        format: FORMAT.into(),
        fingerprint: study.fingerprint(),
        seed: options.seed,
        first_trajectory: options.first_trajectory,
        trajectories: options.trajectories,
        accumulator: accumulator.clone(),
    };
    let text = serde_json::to_string(&c)
        .map_err(|e| Error::Options(format!("cannot serialize the checkpoint: {e}")))?;
    crate::report::write_atomic(path, &text)
}
