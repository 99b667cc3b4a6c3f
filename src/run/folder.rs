//! A run's results folder: created and checked before any work, and held under a lock until
//! the run has written its files, so that two runs started into one folder never mix their
//! results (one `summary.json` of one seed beside the other seed's `metrics.csv`).
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
