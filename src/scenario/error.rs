//! Scenario errors: every problem names the file, the line (and column), the field, the bad
//! value and what would be valid, so a user can fix a hand-written file without guessing.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in a scenario or one of its profile files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// 1-based column, where known.
    pub column: Option<usize>,
    /// The field, as a path a user can find: `units "U12" → mttr_h`.
    pub field: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if self.field.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": {}: {}", self.field, self.message)
        }
    }
}

/// Everything wrong with a scenario, reported at once where the parser could go on.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// (`reason` rather than `source`: the message already includes it, and a `source` would
    /// print it twice in an error chain.)
    #[error("cannot read scenario {}: {reason}", path.display())]
    Read {
        path: PathBuf,
        reason: std::io::Error,
    },
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
    /// Valid input that this version cannot simulate yet (rather than a wrong answer).
    #[error("{}: {what} is not yet supported: {detail}", file.display())]
    Unsupported {
        file: PathBuf,
        what: String,
        detail: String,
    },
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let shown = 12;
    let mut out = String::new();
    let n = diagnostics.len();
    out.push_str(&format!(
        "{n} problem{} in the scenario:",
        if n == 1 { "" } else { "s" }
    ));
    for d in diagnostics.iter().take(shown) {
        out.push_str(&format!("\n  {d}"));
    }
    if n > shown {
        out.push_str(&format!("\n  … and {} more", n - shown));
    }
    out
}

impl ScenarioError {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ScenarioError::Invalid(d) => d,
            _ => &[],
        }
    }
}

/// Collects diagnostics for one scenario file, turning byte offsets into lines and columns.
///
/// Values read from other files (the cells of a unit table) are given offsets past the end
/// of the scenario's text, each standing for a place in its own file (see [`Collector::place`]),
/// so that the checks written for the scenario's TOML report them at their file, line and
/// column unchanged.
pub struct Collector<'a> {
    pub file: &'a Path,
    source: &'a str,
    pub problems: Vec<Diagnostic>,
    /// The other files places are in.
    files: Vec<PathBuf>,
    /// (index in `files`, line, column) of each place, the first at offset `source.len() + 1`.
    places: Vec<(u32, u32, u32)>,
}

impl<'a> Collector<'a> {
    pub fn new(file: &'a Path, source: &'a str) -> Self {
        Collector {
            file,
            source,
            problems: Vec::new(),
            files: Vec::new(),
            places: Vec::new(),
        }
    }

    /// An offset that [`Collector::at`] reports as `line` and `column` (1-based; 0 for none)
    /// of `file`, another file than the scenario.
    pub fn place(&mut self, file: &Path, line: usize, column: usize) -> usize {
        if self.files.last().is_none_or(|f| f != file) {
            self.files.push(file.to_path_buf());
        }
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        self.places
            .push((narrow(self.files.len() - 1), narrow(line), narrow(column)));
        self.source.len() + self.places.len()
    }

    /// The file, line and column of offset `at`.
    fn locate(&self, at: usize) -> (PathBuf, usize, Option<usize>) {
        let place = at
            .checked_sub(self.source.len() + 1)
            .and_then(|i| self.places.get(i));
        match place {
            Some(&(file, line, column)) => (
                self.files[file as usize].clone(),
                line as usize,
                (column > 0).then_some(column as usize),
            ),
            None => {
                let (line, column) = line_column(self.source, at);
                (self.file.to_path_buf(), line, Some(column))
            }
        }
    }

    /// The file and line of offset `at`.
    pub fn line_of(&self, at: usize) -> (PathBuf, usize) {
        let (file, line, _) = self.locate(at);
        (file, line)
    }

    /// Records a problem at byte offset `at` of the scenario file (or at a place in another
    /// file, see [`Collector::place`]).
    pub fn at(&mut self, at: usize, field: impl Into<String>, message: impl Into<String>) {
        let (file, line, column) = self.locate(at);
        self.problems.push(Diagnostic {
            file,
            line: Some(line),
            column,
            field: field.into(),
            message: message.into(),
        });
    }

    /// Records a problem found in another file (a profile CSV).
    pub fn push(&mut self, d: Diagnostic) {
        self.problems.push(d);
    }

    pub fn finish(self) -> Result<(), ScenarioError> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(ScenarioError::Invalid(self.problems))
        }
    }
}

/// A number for a message: as written when moderate, in e-notation when huge or tiny, so that
/// a value such as `1e300` keeps its message on one line.
pub fn number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1.0e-4..1.0e15).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// 1-based line and column (in characters) of byte offset `at`.
pub fn line_column(source: &str, at: usize) -> (usize, usize) {
    let at = at.min(source.len());
    let before = source.get(..at).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}
