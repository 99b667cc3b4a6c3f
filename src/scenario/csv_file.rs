//! CSV files as a scenario reads them (hourly profiles and unit tables): `#` comment lines, a
//! UTF-8 byte-order mark, Windows line endings and spaces around cells are accepted, a column
//! named twice is refused, and every record is given the line it starts on.

use std::borrow::Cow;
use std::path::Path;

/// The bytes of the CSV file at `path`, taken from `in_memory` when it is held there; `None`
/// when the file is larger than `limit` (it is then not read). What is not a regular file is
/// refused (see `crate::input`).
pub(crate) fn read_bytes<'a>(
    path: &Path,
    limit: u64,
    in_memory: Option<&'a Vec<u8>>,
) -> std::io::Result<Option<Cow<'a, [u8]>>> {
    Ok(match in_memory {
        Some(bytes) => Some(Cow::Borrowed(bytes.as_slice())),
        None => super::read_at_most(path, limit)?.map(Cow::Owned),
    })
}

/// What is wrong with a CSV file's text: the line, where one is at fault, and the message.
#[derive(Debug)]
pub(crate) struct Malformed {
    pub line: Option<usize>,
    pub message: String,
}

/// A CSV text opened for reading: its header, then its records one by one.
pub(crate) struct CsvText<'b> {
    bytes: &'b [u8],
    reader: csv::Reader<&'b [u8]>,
    /// The column names, trimmed, without a byte-order mark.
    pub headers: Vec<String>,
    /// The line of the header row.
    pub header_line: usize,
    /// (byte offset, its line): where line counting stopped.
    counted: (usize, usize),
}

impl<'b> CsvText<'b> {
    /// Reads the header row. A column named twice is refused (it would be read as whichever
    /// comes first, silently); a header with no names is left for the caller to refuse, with
    /// words for what the file should hold.
    pub fn open(bytes: &'b [u8]) -> Result<CsvText<'b>, Malformed> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(bytes);
        let header = reader
            .headers()
            .map_err(|e| Malformed {
                line: Some(1),
                message: format!("cannot read the CSV header: {e}"),
            })?
            .clone();
        let headers: Vec<String> = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        let mut text = CsvText {
            bytes,
            reader,
            headers,
            header_line: 1,
            counted: (0, 1),
        };
        text.header_line = header.position().map_or(1, |p| text.line_at(p.byte()));
        let headers = &text.headers;
        for (j, name) in headers.iter().enumerate() {
            if let Some(k) = headers[..j].iter().position(|h| h == name && !h.is_empty()) {
                return Err(Malformed {
                    line: Some(text.header_line),
                    message: format!(
                        "names column \"{name}\" twice (columns {} and {}); column names must be unique",
                        k + 1,
                        j + 1
                    ),
                });
            }
        }
        Ok(text)
    }

    /// Whether the header names no column at all (an empty file, or a blank header).
    pub fn is_empty(&self) -> bool {
        self.headers.iter().all(String::is_empty)
    }

    /// The whole text.
    pub fn bytes(&self) -> &'b [u8] {
        self.bytes
    }

    /// The line of the record at byte offset `byte`, counted from the bytes themselves: on
    /// files with CRLF line endings the csv crate consumes only the `\r` of each terminator,
    /// so its line numbers run one behind and a record's offset points at the `\n` before it
    /// (BurntSushi/rust-csv#395); and a record's offset is where the reader stood before it,
    /// ahead of the byte-order mark, blank lines and comment lines it skipped.
    fn line_at(&mut self, byte: u64) -> usize {
        let bytes = self.bytes;
        let mut byte = usize::try_from(byte).map_or(bytes.len(), |b| b.min(bytes.len()));
        // The csv crate drops a byte-order mark (so a comment may follow one).
        if byte == 0 && bytes.starts_with("\u{feff}".as_bytes()) {
            byte = 3;
        }
        loop {
            match bytes.get(byte) {
                Some(b'\r' | b'\n') => byte += 1,
                Some(b'#') => {
                    byte = (bytes[byte..].iter().position(|&b| b == b'\n'))
                        .map_or(bytes.len(), |end| byte + end);
                }
                _ => break,
            }
        }
        if byte < self.counted.0 {
            self.counted = (0, 1);
        }
        self.counted.1 += bytes[self.counted.0..byte]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted.0 = byte;
        self.counted.1
    }

    /// The next record and the line it starts on; blank lines and comment lines are skipped.
    /// A record that is not valid CSV (or not UTF-8) ends the reading with its line.
    pub fn next_record(&mut self) -> Option<Result<(usize, csv::StringRecord), Malformed>> {
        let mut record = csv::StringRecord::new();
        match self.reader.read_record(&mut record) {
            Ok(false) => None,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.byte());
                Some(Ok((self.line_at(line), record)))
            }
            Err(e) => {
                let line = e.position().map(|p| p.byte());
                Some(Err(Malformed {
                    line: line.map(|b| self.line_at(b)),
                    message: format!("malformed CSV: {e}"),
                }))
            }
        }
    }

    /// Why `record` does not fit the header, if it has more or fewer cells.
    pub fn wrong_length(&self, record: &csv::StringRecord) -> Option<String> {
        (record.len() != self.headers.len()).then(|| {
            format!(
                "row has {} cells but the header has {} columns",
                record.len(),
                self.headers.len()
            )
        })
    }
}
