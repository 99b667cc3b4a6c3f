//! Sharded runs: a study split into disjoint trajectory ranges that run as ordinary jobs
//! (Slurm job arrays, Kubernetes indexed jobs) and merge exactly.
//!
//! Every accumulator is a set of exact integer sums, so merging shards in any order gives
//! the single run's accumulator, and its summary is byte-identical.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::report::RunInfo;
use crate::stats::{Accumulator, Criterion};
use crate::{Error, Study};

/// Tag of the shard file format, checked on reading (2: with a checksum).
pub const FORMAT: &str = "egap-shard-2";

/// What one shard writes: where it lies in the study, and its exact accumulator.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ShardFile {
    pub format: String,
    pub egap_version: String,
    pub scenario: String,
    pub scenario_file: String,
    /// The study's question and criterion, which change no result (so are no part of its
    /// identity) but belong in the merged summary as in a single run's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criterion: Option<Criterion>,
    /// `Study::fingerprint` of the compiled study, and its parts (`Study::identity`), so
    /// that a refused merge can name what differs.
    pub fingerprint: String,
    #[serde(default)]
    pub identity: BTreeMap<String, String>,
    pub power_unit_w: u64,
    pub seed: u64,
    /// Trajectories of the whole study.
    pub total_trajectories: u64,
    pub shard: u64,
    pub shards: u64,
    pub first_trajectory: u64,
    pub trajectories: u64,
    pub accumulator: Accumulator,
    /// `seal` checksum of the rest of the file.
    #[serde(default)]
    pub checksum: String,
}

impl crate::seal::Sealed for ShardFile {
    fn checksum_field(&mut self) -> &mut String {
        &mut self.checksum
    }
}

/// The trajectory range `(first, count)` of shard `k` (1-based) of `n` over `total`.
pub fn range(total: u64, k: u64, n: u64) -> (u64, u64) {
    let edge = |i: u64| (u128::from(total) * u128::from(i) / u128::from(n)) as u64;
    (edge(k - 1), edge(k) - edge(k - 1))
}

/// Parses `K/N` with 1 ≤ K ≤ N.
pub fn parse_spec(spec: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard must be K/N with 1 <= K <= N (for example 3/8), got \"{spec}\"");
    let (k, n) = spec.split_once('/').ok_or_else(bad)?;
    let (k, n) = (
        k.trim().parse::<u64>().map_err(|_| bad())?,
        n.trim().parse::<u64>().map_err(|_| bad())?,
    );
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

impl ShardFile {
    pub fn new(
        study: &Study,
        seed: u64,
        total: u64,
        (shard, shards): (u64, u64),
        accumulator: Accumulator,
    ) -> ShardFile {
        let (first_trajectory, trajectories) = range(total, shard, shards);
        let identity = study.identity();
        ShardFile {
            format: FORMAT.into(),
            egap_version: env!("CARGO_PKG_VERSION").into(),
            scenario: study.scenario.name.clone(),
            scenario_file: study.scenario.source.display().to_string(),
            description: study.scenario.description.clone(),
            criterion: study.scenario.criterion,
            fingerprint: crate::fingerprint_of(&identity),
            identity,
            power_unit_w: study.system.power_unit_w,
            seed,
            total_trajectories: total,
            shard,
            shards,
            first_trajectory,
            trajectories,
            accumulator,
            checksum: String::new(),
        }
    }

    /// The file's text, sealed with its checksum.
    pub fn to_json(&mut self) -> Result<String, Error> {
        crate::seal::seal(self)
            .map_err(|e| Error::Merge(format!("cannot serialize the shard file: {e}")))
    }

    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.json", self.shard, self.shards)
    }

    pub fn read(path: &Path) -> Result<ShardFile, Error> {
        let text = crate::input::read_text(
            path,
            crate::input::MAX_STATE_BYTES,
            "cannot read the shard file",
        )?;
        let mut shard: ShardFile = serde_json::from_str(&text).map_err(|e| {
            Error::Merge(format!("{}: not an egap shard file: {e}", path.display()))
        })?;
        if shard.format != FORMAT {
            return Err(Error::Merge(format!(
                "{}: shard format \"{}\", this egap reads \"{FORMAT}\"",
                path.display(),
                shard.format
            )));
        }
        crate::seal::verify(&mut shard).map_err(|why| {
            Error::Merge(format!("{}: {why}; run the shard again", path.display()))
        })?;
        if shard.accumulator.trajectories() != shard.trajectories {
            return Err(Error::Merge(format!(
                "{}: holds {} trajectories but its range has {} (an interrupted shard cannot be merged; run it again)",
                path.display(),
                shard.accumulator.trajectories(),
                shard.trajectories
            )));
        }
        Ok(shard)
    }
}

/// Merges shard files of one study into the whole study's accumulator and run description,
/// after checking that they belong together and cover every trajectory exactly once.
pub fn merge(paths: &[PathBuf]) -> Result<(ShardFile, RunInfo), Error> {
    let mut shards = paths
        .iter()
        .map(|p| ShardFile::read(p).map(|s| (p.clone(), s)))
        .collect::<Result<Vec<_>, _>>()?;
    if shards.is_empty() {
        return Err(Error::Merge("no shard files given".into()));
    }
    shards.sort_by_key(|(_, s)| s.first_trajectory);
    let reference = shards[0].1.clone();
    let mut next = 0;
    for (path, s) in &shards {
        let mut differ = Vec::new();
        if s.scenario != reference.scenario {
            differ.push(format!(
                "scenario (\"{}\" and \"{}\")",
                reference.scenario, s.scenario
            ));
        }
        if s.fingerprint != reference.fingerprint {
            differ.push(
                match crate::identity_differences(&reference.identity, &s.identity) {
                    Some(parts) => format!("the study's {parts}"),
                    None => "the study (its fingerprint)".into(),
                },
            );
        }
        if s.egap_version != reference.egap_version {
            differ.push(format!(
                "egap version ({} and {})",
                reference.egap_version, s.egap_version
            ));
        }
        if s.seed != reference.seed {
            differ.push(format!("seed ({} and {})", reference.seed, s.seed));
        }
        if s.total_trajectories != reference.total_trajectories {
            differ.push(format!(
                "total trajectories ({} and {})",
                reference.total_trajectories, s.total_trajectories
            ));
        }
        if s.shards != reference.shards {
            differ.push(format!(
                "shard count ({} and {})",
                reference.shards, s.shards
            ));
        }
        if !differ.is_empty() {
            return Err(Error::Merge(format!(
                "{} and {} come from different runs: they differ in {}",
                shards[0].0.display(),
                path.display(),
                differ.join(", ")
            )));
        }
        if s.first_trajectory != next {
            return Err(Error::Merge(format!(
                "the shards do not tile the study: trajectories {next}..{} are {} ({})",
                s.first_trajectory.max(next),
                if s.first_trajectory > next {
                    "missing"
                } else {
                    "in two shards"
                },
                path.display()
            )));
        }
        next = s
            .first_trajectory
            .checked_add(s.trajectories)
            .ok_or_else(|| {
                Error::Merge(format!(
                    "{}: first trajectory {} plus {} trajectories overflows a 64-bit count",
                    path.display(),
                    s.first_trajectory,
                    s.trajectories
                ))
            })?;
    }
    if next != reference.total_trajectories {
        return Err(Error::Merge(format!(
            "the shards cover {next} of {} trajectories; shards {} are missing",
            reference.total_trajectories,
            missing(
                &shards.iter().map(|(_, s)| s.shard).collect::<Vec<_>>(),
                reference.shards
            )
        )));
    }
    let mut merged = reference.clone();
    for (_, s) in &shards[1..] {
        merged.accumulator.merge(&s.accumulator);
    }
    merged.first_trajectory = 0;
    merged.trajectories = merged.total_trajectories;
    let run = RunInfo {
        seed: merged.seed,
        first_trajectory: 0,
        requested: merged.total_trajectories,
        interrupted: false,
    };
    Ok((merged, run))
}

fn missing(present: &[u64], n: u64) -> String {
    let list: Vec<String> = (1..=n)
        .filter(|k| !present.contains(k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tile_the_study() {
        for (total, n) in [(10u64, 3u64), (1, 7), (1_000_000, 7), (5, 5)] {
            let mut next = 0;
            for k in 1..=n {
                let (first, count) = range(total, k, n);
                assert_eq!(first, next);
                next += count;
            }
            assert_eq!(next, total);
        }
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!(parse_spec("3/8"), Ok((3, 8)));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(parse_spec(bad).is_err(), "{bad}");
        }
    }
}
