//! `docs/walkthrough.md` run as written: every ```sh block in order, with `bash -euo
//! pipefail`, in one fresh folder, with the `egap` under test first on PATH. A block that
//! exits non-zero fails the test. Each ```text block must be what the ```sh block before it
//! printed on standard output: its lines appear there, in order (a line `…` stands for lines
//! left out). The files the page says the commands write must exist.

use std::path::{Path, PathBuf};
use std::process::Command;

const DOC: &str = include_str!("../../../docs/walkthrough.md");

/// Files the walkthrough's commands write, relative to the folder they run in. Each is named
/// on the page, so renaming one there without here (or the reverse) fails the test.
const WRITTEN: &[&str] = &[
    "starter.toml",
    "my-system/units.csv",
    "my-system/profiles.csv",
    "my-system/my-system.toml",
    "runs/base/summary.json",
    "runs/base/metrics.csv",
    "runs/base/report.html",
    "runs/base/plots/exceedance.svg",
    "runs/line-800/summary.json",
    "runs/line-sweep/sweep.csv",
    "runs/line-sweep/sweep-lole_hours.svg",
];

/// A fenced block of the page: its language tag, its text and the line its fence opens on.
struct Block {
    lang: String,
    text: String,
    line: usize,
}

fn fenced_blocks(doc: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (i, line) in doc.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(tag)) => {
                open = Some(Block {
                    lang: tag.trim().to_string(),
                    text: String::new(),
                    line: i + 1,
                });
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                blocks.push(open.take().expect("a block is open"));
            }
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    if let Some(block) = open {
        panic!(
            "docs/walkthrough.md:{}: a ```{} block is never closed",
            block.line, block.lang
        );
    }
    blocks
}

/// PATH with the directory of the egap under test first.
fn path_with_egap() -> std::ffi::OsString {
    let bin = Path::new(env!("CARGO_BIN_EXE_egap"))
        .parent()
        .expect("the egap binary is in a directory")
        .to_path_buf();
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::iter::once(bin)
        .chain(std::env::split_paths(&rest))
        .collect();
    std::env::join_paths(dirs).expect("PATH entries are joinable")
}

/// Where `shown` (a ```text block) is not a subsequence of the lines of `printed`, the first
/// line of `shown` that could not be found.
fn first_line_not_printed<'a>(shown: &'a str, printed: &str) -> Option<&'a str> {
    let mut printed = printed.lines().map(str::trim_end);
    shown
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty() && *l != "…")
        .find(|l| !printed.any(|p| p == *l))
}

#[test]
fn every_command_runs_as_written() {
    let blocks = fenced_blocks(DOC);
    assert!(
        blocks.iter().filter(|b| b.lang == "sh").count() >= 8,
        "docs/walkthrough.md should have its commands in ```sh blocks"
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = path_with_egap();
    let started = std::time::Instant::now();
    let mut last_stdout: Option<(usize, String)> = None;
    for block in &blocks {
        match block.lang.as_str() {
            "sh" => {
                let out = Command::new("bash")
                    .args(["-euo", "pipefail", "-c", &block.text])
                    .current_dir(dir.path())
                    .env("PATH", &path)
                    .output()
                    .expect("bash runs");
                let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    out.status.success(),
                    "docs/walkthrough.md:{}: the block failed ({}):\n{}\n--- stdout:\n{stdout}\n--- stderr:\n{stderr}",
                    block.line,
                    out.status,
                    block.text
                );
                last_stdout = Some((block.line, stdout));
            }
            "text" => {
                let (sh_line, stdout) = last_stdout.as_ref().unwrap_or_else(|| {
                    panic!(
                        "docs/walkthrough.md:{}: a ```text block before any ```sh block",
                        block.line
                    )
                });
                if let Some(missing) = first_line_not_printed(&block.text, stdout) {
                    panic!(
                        "docs/walkthrough.md:{}: the output shown is not what the block at line \
                         {sh_line} printed; this line is missing (or out of order):\n{missing}\n\
                         --- printed:\n{stdout}",
                        block.line
                    );
                }
            }
            _ => {}
        }
    }
    eprintln!(
        "docs/walkthrough.md: every command ran in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    for file in WRITTEN {
        assert!(
            DOC.contains(file),
            "{file} is checked here but docs/walkthrough.md never names it"
        );
        let meta = std::fs::metadata(dir.path().join(file))
            .unwrap_or_else(|e| panic!("docs/walkthrough.md says {file} is written: {e}"));
        assert!(meta.len() > 0, "{file} is empty");
    }
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("runs/base/summary.json")).unwrap(),
    )
    .expect("summary.json is JSON");
    assert_eq!(summary["summary"]["trajectories"], 5000);
    assert_eq!(summary["run"]["seed"], 2024);
    let report = std::fs::read_to_string(dir.path().join("runs/base/report.html")).unwrap();
    assert!(report.contains("My system"), "report.html names the study");
}

#[test]
fn output_check_needs_every_line_in_order() {
    let printed = "a\nb  \nc\n";
    assert_eq!(first_line_not_printed("a\nc\n", printed), None);
    assert_eq!(first_line_not_printed("a\n…\nc\n", printed), None);
    assert_eq!(first_line_not_printed("c\na\n", printed), Some("a"));
    assert_eq!(first_line_not_printed("a\nd\n", printed), Some("d"));
}
