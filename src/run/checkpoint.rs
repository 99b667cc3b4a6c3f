//! Checkpoints: a long run saves its exact statistics at chunk boundaries, and a run started
//! again with the same checkpoint continues where it stopped. Because the statistics are
//! integer sums and every trajectory depends only on its index, the resumed run's summary is
//! byte-identical to an uninterrupted one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::stats::Accumulator;
use crate::{Error, RunOptions, Study};

/// Tag of the checkpoint format, checked on reading.
pub const FORMAT: &str = "egap-checkpoint-2";

#[derive(Serialize, Deserialize)]
struct Checkpoint {
    format: String,
    /// A checkpoint resumes only with the egap that wrote it: another version may compute
    /// trajectories differently, and the run would blend the two.
    #[serde(default)]
    egap_version: String,
    fingerprint: String,
    /// `Study::identity`, so that a refusal can name what differs.
    #[serde(default)]
    identity: BTreeMap<String, String>,
    seed: u64,
    first_trajectory: u64,
    trajectories: u64,
    accumulator: Accumulator,
    #[serde(default)]
    checksum: String,
}

impl crate::seal::Sealed for Checkpoint {
    fn checksum_field(&mut self) -> &mut String {
        &mut self.checksum
    }
}

/// The statistics saved in `path` for this study and run, or `None` when there is no file yet.
/// A checkpoint of another study, seed or range is an error, never silently ignored.
pub fn load(
    path: &Path,
    study: &Study,
    options: &RunOptions,
) -> Result<Option<Accumulator>, Error> {
    if !path.exists() {
        return Ok(None);
    }
    let text = crate::input::read_text(
        path,
        crate::input::MAX_STATE_BYTES,
        "cannot read the checkpoint",
    )?;
    let bad = |why: String| {
        Error::Options(format!(
            "checkpoint {}: {why}; delete it to start afresh, or choose another --checkpoint file",
            path.display()
        ))
    };
    // A file that is not a checkpoint at all (a scenario named by mistake, say) is the
    // user's, not egap's to have deleted.
    let mut c: Checkpoint = serde_json::from_str(&text).map_err(|e| {
        Error::Options(format!(
            "{} is not an egap checkpoint ({e}); choose another --checkpoint file (egap creates it)",
            path.display()
        ))
    })?;
    if c.format != FORMAT {
        return Err(bad(format!(
            "format \"{}\", this egap writes \"{FORMAT}\"",
            c.format
        )));
    }
    crate::seal::verify(&mut c).map_err(bad)?;
    if c.egap_version != env!("CARGO_PKG_VERSION") {
        return Err(bad(format!(
            "it was written by egap {}, this is egap {}",
            c.egap_version,
            env!("CARGO_PKG_VERSION")
        )));
    }
    let identity = study.identity();
    if c.fingerprint != crate::fingerprint_of(&identity) {
        return Err(bad(
            match crate::identity_differences(&c.identity, &identity) {
                Some(parts) => format!(
                    "it was written for a different study (or the scenario has changed): they differ in {parts}"
                ),
                None => {
                    "it was written for a different scenario (or the scenario has changed)".into()
                }
            },
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
    let identity = study.identity();
    let mut c = Checkpoint {
        format: FORMAT.into(),
        egap_version: env!("CARGO_PKG_VERSION").into(),
        fingerprint: crate::fingerprint_of(&identity),
        identity,
        seed: options.seed,
        first_trajectory: options.first_trajectory,
        trajectories: options.trajectories,
        accumulator: accumulator.clone(),
        checksum: String::new(),
    };
    let text = crate::seal::seal(&mut c)
        .map_err(|e| Error::Options(format!("cannot serialize the checkpoint: {e}")))?;
    crate::report::write_atomic(path, &text)
}
