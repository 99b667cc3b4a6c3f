//! The sweeps whose results the README and `docs/` quote and draw are run again, as their
//! commands are written there, and must give the committed files byte for byte: a change
//! to the engine or to the plots that moves a quoted figure fails here until the files (and
//! the figures quoted from them) are regenerated with those commands.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every shell command of the page's ```sh blocks, continuation lines joined.
fn commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_sh = false;
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_sh = trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => current.push_str(part),
            None => {
                current.push_str(trimmed);
                commands.push(std::mem::take(&mut current));
            }
        }
    }
    commands
}

/// Words of a command as a POSIX shell splits them, for the quoting these pages use:
/// single quotes and plain words.
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in command.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// A sweep a page quotes: the arguments after `egap`, and the folder it writes into.
struct Sweep {
    page: String,
    args: Vec<String>,
    out: String,
}

fn quoted_sweeps() -> Vec<Sweep> {
    let mut pages = vec![root().join("README.md")];
    pages.extend(
        std::fs::read_dir(root().join("docs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "md")),
    );
    let mut sweeps = Vec::new();
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        for command in commands(&text) {
            let words = words(&command);
            let Some(args) = words.strip_prefix(&[
                "cargo".to_string(),
                "run".into(),
                "--release".into(),
                "--".into(),
            ]) else {
                continue;
            };
            if args.first().map(String::as_str) != Some("sweep") {
                continue;
            }
            let at = args.iter().position(|a| a == "--out").expect("--out");
            sweeps.push(Sweep {
                page: page.file_name().unwrap().to_string_lossy().into_owned(),
                out: args[at + 1].clone(),
                args: args.to_vec(),
            });
        }
    }
    sweeps
}

/// The files of a committed sweep folder that must come out the same.
fn compared(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".csv") || n.ends_with(".svg") || n == "sweep.json")
        .collect();
    names.sort();
    names
}

/// `sweep.json` without the version of egap that wrote it.
fn without_version(bytes: &[u8]) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    json.as_object_mut().unwrap().remove("egap_version");
    json
}

#[test]
fn every_quoted_sweep_gives_its_committed_files() {
    let sweeps = quoted_sweeps();
    assert!(
        sweeps.len() >= 5,
        "only {} quoted sweeps found: is the parser right?",
        sweeps.len()
    );
    let scratch = tempfile::tempdir().unwrap();
    let mut stale = Vec::new();
    for (i, sweep) in sweeps.iter().enumerate() {
        let committed = root().join(&sweep.out);
        let names = compared(&committed);
        assert!(
            names.iter().any(|n| n == "sweep.csv") && names.iter().any(|n| n == "sweep.json"),
            "{}: {} lacks sweep.csv or sweep.json; run the command there",
            sweep.page,
            sweep.out
        );
        let out = scratch.path().join(i.to_string());
        let mut args = sweep.args.clone();
        let at = args.iter().position(|a| a == "--out").unwrap();
        args[at + 1] = out.display().to_string();
        let result = Command::new(env!("CARGO_BIN_EXE_egap"))
            .args(&args)
            .current_dir(root())
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{}: egap {} failed:\n{}",
            sweep.page,
            args.join(" "),
            String::from_utf8_lossy(&result.stderr)
        );
        for name in names {
            let (a, b) = (
                std::fs::read(committed.join(&name)).unwrap(),
                std::fs::read(out.join(&name)).unwrap_or_default(),
            );
            let same = if name == "sweep.json" {
                without_version(&a) == without_version(&b)
            } else {
                a == b
            };
            if !same {
                stale.push(format!("{}/{name} (quoted in {})", sweep.out, sweep.page));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "these committed files differ from what their commands give now; run the commands \
         as the pages write them and update the figures quoted from them:\n{}",
        stale.join("\n")
    );
}

#[test]
fn commands_are_read_as_the_shell_reads_them() {
    let text =
        "```sh\ncargo run --release -- sweep a.toml \\\n  --set 'x[a b].y=1,2' --out d\n```\n";
    let commands = commands(text);
    assert_eq!(commands.len(), 1);
    assert_eq!(
        words(&commands[0]),
        [
            "cargo",
            "run",
            "--release",
            "--",
            "sweep",
            "a.toml",
            "--set",
            "x[a b].y=1,2",
            "--out",
            "d"
        ]
    );
}
