//! A run's results folder: created and checked before any work, and held under a lock until
//! the run has written its files, so that two runs started into one folder never mix their
//! results (one `summary.json` of one seed beside the other seed's `metrics.csv`).
//!
//! A run's files go in whole: they are written into a staging folder inside the results
//! folder, synced, and then moved into place (`write_results`), after the files the folder's
//! previous run wrote are taken out, so that a run with `--force` never leaves a file of the
//! run before it (a `regions.csv` of a multi-region study beside a single-region summary,
//! plots that `--no-plots` did not redraw). Which files a run wrote is listed in the
//! folder's manifest, `.egap-files`; no other file is ever removed. `summary.json` goes
//! first and comes back last, so a folder interrupted mid-way shows no summary rather than
//! one of the other run's.
//!
//! The lock is an advisory lock on `.egap-lock` in the folder, taken without waiting: the
//! operating system drops it when the holding process ends, however it ends, so a run that
//! was killed blocks nothing (its lock file stays until the next run into the folder ends).
//! A run removes the file before it lets go of the lock; a run that locked the file just as
//! it was removed sees that the folder's lock file is no longer the one it holds, and tries
//! again. The file holds the process id of the run that holds it, for the message a refused
//! run prints.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The name of the lock file in a results folder.
pub const LOCK_FILE: &str = ".egap-lock";

/// The list of files the folder's last run wrote, one path (relative to the folder) a line.
pub const MANIFEST: &str = ".egap-files";

/// Where a run's files are written before they are moved into the folder.
pub const STAGING: &str = ".egap-staging";

/// What marks a folder's results complete: moved in last, taken out first.
const SUMMARY: &str = "summary.json";

/// Why a results folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("cannot create the output folder {} ({source}); choose another with --out", path.display())]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write in the output folder {} ({source}); choose another with --out", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "another egap run{} is writing into {}; wait for it to finish, or choose another --out",
        holder.map(|pid| format!(" (process {pid})")).unwrap_or_default(),
        path.display()
    )]
    InUse { path: PathBuf, holder: Option<u32> },
}

/// A results folder this process holds until the value is dropped.
#[derive(Debug)]
pub struct ResultsFolder {
    path: PathBuf,
    /// Holds the lock; closing the file releases it.
    _lock: File,
}

impl ResultsFolder {
    /// Creates `path` if needed, checks that a file can be written in it, and locks it.
    pub fn claim(path: &Path) -> Result<ResultsFolder, FolderError> {
        loop {
            if let Some(folder) = Self::try_claim(path)? {
                return Ok(folder);
            }
        }
    }

    /// One attempt: None when the lock taken belongs to a file already removed.
    fn try_claim(path: &Path) -> Result<Option<ResultsFolder>, FolderError> {
        std::fs::create_dir_all(path).map_err(|source| FolderError::Create {
            path: path.to_owned(),
            source,
        })?;
        let write_error = |source| FolderError::Write {
            path: path.to_owned(),
            source,
        };
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path.join(LOCK_FILE))
            .map_err(write_error)?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let holder = lock
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.trim().parse().ok());
                return Err(FolderError::InUse {
                    path: path.to_owned(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(write_error(e)),
        }
        if !still_in_place(&lock, &path.join(LOCK_FILE)) {
            return Ok(None);
        }
        // The holder's process id, for a run that is refused meanwhile.
        lock.set_len(0)
            .and_then(|()| lock.rewind())
            .and_then(|()| writeln!(lock, "{}", std::process::id()))
            .and_then(|()| lock.flush())
            .map_err(write_error)?;
        Ok(Some(ResultsFolder {
            path: path.to_owned(),
            _lock: lock,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A file of the folder.
    pub fn join(&self, name: impl AsRef<Path>) -> PathBuf {
        self.path.join(name)
    }

    /// Has `write` write a run's files into an empty staging folder, then moves them into
    /// this folder in place of the files its previous run wrote (see the module's
    /// documentation). Returns what `write` returned.
    pub fn write_results<T>(
        &self,
        write: impl FnOnce(&Path) -> Result<T, crate::Error>,
    ) -> Result<T, crate::Error> {
        let staging = self.join(STAGING);
        // A staging folder left by a run that died is that run's, and unfinished.
        remove_all(&staging)?;
        std::fs::create_dir(&staging).map_err(io("cannot create", &staging))?;
        let value = match write(&staging) {
            Ok(value) => value,
            Err(e) => {
                // Half a run's files are no one's results.
                let _ = remove_all(&staging);
                return Err(e);
            }
        };
        let mut staged = Vec::new();
        list_files(&staging, Path::new(""), &mut staged)?;
        for name in &staged {
            let path = staging.join(name);
            File::open(&path)
                .and_then(|f| f.sync_all())
                .map_err(io("cannot sync", &path))?;
        }
        let earlier = self.written_before();
        remove_file(&self.join(SUMMARY))?;
        for name in earlier.iter().filter(|name| !staged.contains(name)) {
            remove_file(&self.join(name))?;
        }
        let manifest: String = staged
            .iter()
            .map(|n| format!("{}\n", n.display()))
            .collect();
        crate::report::write_atomic(&self.join(MANIFEST), &manifest)?;
        // The summary last: its presence says the rest is this run's.
        staged.sort_by_key(|name| name == Path::new(SUMMARY));
        for name in &staged {
            let (from, to) = (staging.join(name), self.join(name));
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent).map_err(io("cannot create", parent))?;
            }
            std::fs::rename(&from, &to).map_err(io("cannot move into place", &to))?;
        }
        for name in &earlier {
            // A folder of plots the new run did not draw goes when empty; one that still
            // holds anything stays.
            if let Some(parent) = name.parent().filter(|p| !p.as_os_str().is_empty()) {
                let _ = std::fs::remove_dir(self.join(parent));
            }
        }
        remove_all(&staging)?;
        Ok(value)
    }

    /// The files the folder's previous run wrote: its manifest's, or, in a folder without
    /// one, the names of egap's result files.
    fn written_before(&self) -> Vec<PathBuf> {
        const LIMIT: u64 = 1 << 20;
        let path = self.join(MANIFEST);
        let listed = std::fs::metadata(&path)
            .is_ok_and(|m| m.is_file() && m.len() <= LIMIT)
            .then(|| std::fs::read_to_string(&path).ok())
            .flatten();
        match listed {
            // Only plain relative paths inside the folder: a line naming anything else is
            // not one egap wrote, and nothing outside the folder is ever removed.
            Some(text) => text
                .lines()
                .map(PathBuf::from)
                .filter(|p| {
                    p.components()
                        .all(|c| matches!(c, std::path::Component::Normal(_)))
                        && p.components().next().is_some()
                })
                .collect(),
            None => crate::report::RESULT_FILES
                .iter()
                .map(PathBuf::from)
                .collect(),
        }
    }
}

fn io<'a>(what: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> crate::Error + 'a {
    move |reason| crate::Error::Io {
        what,
        path: path.to_owned(),
        reason,
    }
}

/// Removes a file that may not exist.
fn remove_file(path: &Path) -> Result<(), crate::Error> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("cannot remove", path)(e)),
        _ => Ok(()),
    }
}

/// Removes a folder egap made, with what is in it, if it exists.
fn remove_all(path: &Path) -> Result<(), crate::Error> {
    match std::fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io("cannot remove", path)(e)),
        _ => Ok(()),
    }
}

/// Every file under `dir`, as paths relative to the staging root (`prefix` so far).
fn list_files(dir: &Path, prefix: &Path, into: &mut Vec<PathBuf>) -> Result<(), crate::Error> {
    let entries = std::fs::read_dir(dir).map_err(io("cannot read", dir))?;
    for entry in entries {
        let entry = entry.map_err(io("cannot read", dir))?;
        let name = prefix.join(entry.file_name());
        if entry.path().is_dir() {
            list_files(&entry.path(), &name, into)?;
        } else {
            into.push(name);
        }
    }
    into.sort();
    Ok(())
}

impl Drop for ResultsFolder {
    /// Removes the lock file while the lock is still held; closing the file then releases it.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.path.join(LOCK_FILE));
    }
}

/// Whether `path` still names the file `lock` was opened from.
#[cfg(unix)]
fn still_in_place(lock: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (lock.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
        _ => false,
    }
}

/// Elsewhere an open file cannot be removed from under its name in the same way.
#[cfg(not(unix))]
fn still_in_place(_lock: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_folder_is_refused_and_freed_when_dropped() {
        let dir = std::env::temp_dir().join(format!("egap-folder-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = ResultsFolder::claim(&dir).expect("a new folder can be claimed");
        match ResultsFolder::claim(&dir) {
            Err(FolderError::InUse { holder, .. }) => {
                assert_eq!(holder, Some(std::process::id()));
            }
            other => panic!("a held folder was not refused: {other:?}"),
        }
        drop(first);
        assert!(
            !dir.join(LOCK_FILE).exists(),
            "the lock file was left behind"
        );
        let again = ResultsFolder::claim(&dir).expect("a released folder can be claimed");
        drop(again);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn write(staging: &Path, files: &[&str]) -> Result<(), crate::Error> {
        for name in files {
            let path = staging.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, name).unwrap();
        }
        Ok(())
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut found = Vec::new();
        list_files(dir, Path::new(""), &mut found).unwrap();
        found.iter().map(|p| p.display().to_string()).collect()
    }

    /// A second run's files replace the first's whole: what the first wrote and the second
    /// did not is gone, a file egap did not write stays, and nothing is left staged.
    #[test]
    fn results_replace_the_previous_runs_and_only_those() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside.txt");
        std::fs::write(&outside, "not egap's").unwrap();
        let out = dir.path().join("out");
        let folder = ResultsFolder::claim(&out).unwrap();
        folder
            .write_results(|s| write(s, &["summary.json", "regions.csv", "plots/a.svg"]))
            .unwrap();
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        folder
            .write_results(|s| write(s, &["summary.json", "metrics.csv"]))
            .unwrap();
        assert_eq!(
            files_in(&out),
            [
                ".egap-files",
                ".egap-lock",
                "metrics.csv",
                "notes.txt",
                "summary.json"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(out.join(MANIFEST)).unwrap(),
            "metrics.csv\nsummary.json\n"
        );
        // A manifest naming a path outside the folder removes nothing there.
        std::fs::write(
            out.join(MANIFEST),
            "../outside.txt\n/etc/hostname\nmetrics.csv\n",
        )
        .unwrap();
        folder
            .write_results(|s| write(s, &["summary.json"]))
            .unwrap();
        assert!(outside.is_file());
        assert!(!out.join("metrics.csv").exists());
        // A folder without a manifest loses egap's result names, not the user's files.
        std::fs::remove_file(out.join(MANIFEST)).unwrap();
        std::fs::write(out.join("regions.csv"), "an older egap's").unwrap();
        folder
            .write_results(|s| write(s, &["summary.json", "report.html"]))
            .unwrap();
        assert_eq!(
            files_in(&out),
            [
                ".egap-files",
                ".egap-lock",
                "notes.txt",
                "report.html",
                "summary.json"
            ]
        );
        // A run that fails to write leaves the folder as it was.
        let failed = folder.write_results(|s| {
            write(s, &["summary.json"])?;
            Err::<(), _>(crate::Error::Options("no".into()))
        });
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read_to_string(out.join("summary.json")).unwrap(),
            "summary.json"
        );
        assert!(out.join("report.html").is_file());
        assert!(!out.join(STAGING).exists());
    }

    #[test]
    fn a_file_in_the_way_is_a_clear_error() {
        let file = std::env::temp_dir().join(format!("egap-folder-file-{}", std::process::id()));
        std::fs::write(&file, b"not a folder").unwrap();
        let e = ResultsFolder::claim(&file).unwrap_err();
        assert!(matches!(e, FolderError::Create { .. }), "{e:?}");
        assert!(e.to_string().contains("choose another with --out"), "{e}");
        std::fs::remove_file(&file).unwrap();
    }
}
