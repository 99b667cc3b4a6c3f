//! `egap report RESULTS.json`: the page of a study built from several runs, from the JSON
//! that study wrote: `sweep.json` of `egap sweep`, or what `egap credit` and `egap
//! capability` print with `--format json`.
//!
//! A planner who ran a credit or a sweep for a script wants the same answer in front of a
//! board; the JSON holds every figure, so the page is made from it without running
//! anything again. Which study a file holds is read from its fields, not from its name
//! (`credit.json` may be anything, and a sweep's JSON need not be called `sweep.json`).
//! Each page is one self-contained file in the style of a run's `report.html`: the answer
//! first, then the table of figures, then how they were computed.

mod capability;
mod credit;
mod sweep;

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::Error;

pub use capability::CapabilityFile;
pub use credit::CreditFile;
pub use sweep::SweepFile;

/// The results of one study, as read from its JSON.
#[derive(Debug)]
pub enum Results {
    Sweep(SweepFile),
    Credit(CreditFile),
    Capability(CapabilityFile),
}

/// An answer with its 95% interval, as the credit and capability JSON write it.
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub estimate: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
}

/// What `egap report` accepts besides a scenario, for messages.
const ACCEPTED: &str = "a scenario (TOML or .pras) to run, or the JSON of a study built from \
runs: the sweep.json egap sweep writes, or what egap credit or egap capability print with \
--format json";

/// Whether `path` holds JSON (its first character, after a byte-order mark and white
/// space, is `{`), so is results to make a page of rather than a scenario to run: a TOML
/// scenario cannot start so, and a PRAS file is binary HDF5. False for a file that cannot
/// be opened (or is not a regular file): the run reports why.
pub fn is_json(path: &Path) -> bool {
    let Ok(file) = crate::input::open_regular(path) else {
        return false;
    };
    let mut start = Vec::new();
    if file.take(4096).read_to_end(&mut start).is_err() {
        return false;
    }
    let start = start.strip_prefix("\u{feff}".as_bytes()).unwrap_or(&start);
    start.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

/// Reads the results in `path`, telling which study wrote them by their fields.
pub fn read(path: &Path) -> Result<Results, Error> {
    let text = crate::input::read_text(path, crate::input::MAX_STATE_BYTES, "cannot read")?;
    let bad = |why: String| Error::Page(format!("{}: {why}", path.display()));
    let json: Value = serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text))
        .map_err(|e| bad(format!("is not JSON ({e}); egap report takes {ACCEPTED}")))?;
    let has = |key: &str| json.get(key).is_some();
    let (what, results) = if has("settings") && has("points") {
        let sweep = parse(json).and_then(|s: SweepFile| s.check().map(|()| s));
        ("egap sweep's sweep.json", sweep.map(Results::Sweep))
    } else if has("efc_mw") && has("elcc_mw") {
        ("egap credit's JSON", parse(json).map(Results::Credit))
    } else if has("demand_scale") && has("peak_carried_mw") {
        (
            "egap capability's JSON",
            parse(json).map(Results::Capability),
        )
    } else {
        let summary = if json.get("schema") == Some(&Value::from(super::SCHEMA)) {
            "; it is the summary.json of a run, whose page `egap report SCENARIO` writes beside it as report.html"
        } else {
            ""
        };
        return Err(bad(format!(
            "is JSON, but not results egap report can show{summary}; egap report takes {ACCEPTED}"
        )));
    };
    results.map_err(|e| {
        bad(format!(
            "looks like {what} but cannot be read ({e}); egap report takes {ACCEPTED}, as egap wrote it"
        ))
    })
}

fn parse<T: serde::de::DeserializeOwned>(json: Value) -> Result<T, String> {
    serde_json::from_value(json).map_err(|e| e.to_string())
}

/// The page of `results`.
pub fn page(results: &Results) -> String {
    match results {
        Results::Sweep(s) => sweep::page(s),
        Results::Credit(c) => credit::page(c),
        Results::Capability(c) => capability::page(c),
    }
}

/// Where the page of the results in `json` goes when no `--out` names it: beside the JSON,
/// under its name with `.html` (`sweep.json` → `sweep.html`), so that pages of several
/// answers kept in one folder (`credit-u400.json`, `credit-battery.json`) never collide
/// with each other or with a run's `report.html`.
pub fn default_path(json: &Path) -> PathBuf {
    json.with_extension("html")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_told_from_a_scenario_by_its_first_character() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        assert!(is_json(&file("a.toml", "\u{feff}\n  {\"x\": 1}")));
        assert!(!is_json(&file("b.json", "# a scenario\n[study]\n")));
        assert!(!is_json(&dir.path().join("missing.json")));
        assert!(!is_json(dir.path()));
        let e = read(&file("c.json", "{\"schema\": \"egap-summary/1\"}"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("c.json") && e.contains("summary.json") && e.contains("sweep.json"),
            "{e}"
        );
        let e = read(&file("d.json", "{\"efc_mw\": 1, \"elcc_mw\": 2}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("looks like egap credit's JSON"), "{e}");
    }
}
