//! Every file egap reads goes through here, so that no input can hang a run or fill memory.
//!
//! A path that is not a regular file is refused before it is opened: opening a FIFO blocks
//! until something writes into it, and a device such as `/dev/zero` never ends. A regular
//! file is read no further than a limit suited to what it should hold.

use std::io::{Error, ErrorKind, Read};
use std::path::Path;

/// Opens `path` for reading if it is a regular file (a symbolic link to one is followed).
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let kind = std::fs::metadata(path)?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a folder"
        } else {
            "not a regular file (a FIFO, a device or a socket)"
        };
        return Err(Error::new(
            ErrorKind::InvalidInput,
            format!("is {what}; egap reads its inputs from regular files"),
        ));
    }
    std::fs::File::open(path)
}

/// The bytes of `path`, or `None` when it holds more than `limit` bytes. Reads no further
/// than that, so a huge file costs little, and refuses what is not a regular file.
pub fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let file = open_regular(path)?;
    if file.metadata()?.len() > limit {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// Largest state or summary file read (a shard, a checkpoint, a `summary.json`), bytes: the
/// largest bundled study's are a few MiB.
pub const MAX_STATE_BYTES: u64 = 256 << 20;

/// The UTF-8 text of `path`, at most `limit` bytes, with errors as [`Error`] values that
/// name the file and say what it should have been.
///
/// [`Error`]: crate::Error
pub fn read_text(path: &Path, limit: u64, what: &'static str) -> Result<String, crate::Error> {
    let io = |source| crate::Error::Io {
        what,
        path: path.to_path_buf(),
        reason: source,
    };
    let bytes = read_at_most(path, limit).map_err(io)?.ok_or_else(|| {
        io(Error::new(
            ErrorKind::InvalidData,
            format!(
                "is larger than {} MiB, the most egap reads from such a file",
                limit >> 20
            ),
        ))
    })?;
    String::from_utf8(bytes)
        .map_err(|_| io(Error::new(ErrorKind::InvalidData, "is not UTF-8 text")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A FIFO is refused at once, not opened (which would wait for a writer), and a device
    /// is refused rather than read without end.
    #[test]
    fn fifos_devices_and_folders_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for path in [fifo.as_path(), Path::new("/dev/zero"), dir.path()] {
            let e = read_at_most(path, 1 << 20).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{}", path.display());
            assert!(e.to_string().contains("regular files"), "{e}");
        }
        let file = dir.path().join("f.json");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_at_most(&file, 5).unwrap().unwrap(), b"12345");
        assert_eq!(read_at_most(&file, 4).unwrap(), None);
        let e = read_text(&file, 4, "cannot read").unwrap_err().to_string();
        assert!(e.contains("is larger than"), "{e}");
    }
}
