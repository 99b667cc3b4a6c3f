//! `egap report RESULTS.json`: the JSON of `sweep`, `credit` and `capability` (from a
//! bundled study, few trajectories) made into a page that leads with the answer, whose
//! figures are the JSON's values; the page is written beside the JSON, not over an existing
//! file without --force, and a JSON that is none of these is refused by name.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::scenario;

fn egap(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egap"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs egap, which must succeed, and returns its standard output.
fn ok(args: &[&str]) -> String {
    let o = egap(args);
    assert!(
        o.status.success(),
        "egap {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Makes the page of `json` with `egap report` and returns its text.
fn page_of(json: &Path) -> String {
    let printed = ok(&["report", &json.display().to_string()]);
    let page = json.with_extension("html");
    assert!(printed.contains(&page.display().to_string()), "{printed}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "a page runs no script");
    assert!(
        !html.contains("src=\"http") && !html.contains("<link"),
        "a page fetches nothing"
    );
    html
}

/// The values of the page's figures (`<data value="...">`), in order.
fn figures(html: &str) -> Vec<f64> {
    html.split("<data value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
        .collect()
}

/// The text of the page's answer section, which comes first.
fn answer(html: &str) -> &str {
    let start = html
        .find("<section class=\"answer\">")
        .expect("an answer section");
    let end = html[start..].find("</section>").unwrap() + start;
    assert!(
        !html[..start].contains("<table"),
        "the answer comes before any table"
    );
    &html[start..end]
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn contains(figures: &[f64], want: f64, what: &str) {
    assert!(
        figures.contains(&want),
        "{what} {want} is not a figure of the page: {figures:?}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

const QUICK: [&str; 4] = ["-n", "300", "--backend", "cpu"];

#[test]
fn a_credit_page_says_what_the_resource_adds_with_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let rts79 = scenario("rts79/rts79.toml");
    let printed = ok(&[
        &["credit", &rts79, "--resource", "units[U400 nuclear]"][..],
        &QUICK,
        &["--format", "json"],
    ]
    .concat());
    let json: Value = serde_json::from_str(&printed).unwrap();
    // Named as a user might: the content, not the name, says it is a credit.
    let file = write(dir.path(), "nuclear.json", &printed);
    let html = page_of(&file);
    let said = figures(answer(&html));
    for key in ["efc_mw", "elcc_mw"] {
        for end in ["estimate", "ci95_low", "ci95_high"] {
            contains(&said, number(&json[key][end]), &format!("{key}.{end}"));
        }
    }
    let efc = number(&json["efc_mw"]["estimate"]);
    assert!(
        answer(&html).contains(&format!("{efc:.1}</data> MW of firm capacity")),
        "{}",
        answer(&html)
    );
    // Then the table of figures, then how they were computed.
    let all = figures(&html);
    contains(&all, number(&json["with"]["mean"]), "with.mean");
    contains(&all, number(&json["without"]["mean"]), "without.mean");
    let provenance = &html[html.find("How this was computed").unwrap()..];
    for fact in [
        rts79.as_str(),
        json["egap_version"].as_str().unwrap(),
        "<th>seed</th><td>1</td>",
        "<th>trajectories per step</th><td>300</td>",
    ] {
        assert!(provenance.contains(fact), "{fact} not in {provenance}");
    }

    // Never over an existing page without --force; with it, the same page again.
    let again = egap(&["report", &file.display().to_string()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let other = dir.path().join("elsewhere.html");
    ok(&[
        "report",
        &file.display().to_string(),
        "--out",
        &other.display().to_string(),
    ]);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), html);
    // Nor over the JSON it is made from, even with --force.
    let o = egap(&[
        "report",
        &file.display().to_string(),
        "--out",
        &file.display().to_string(),
        "--force",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), printed);
}

#[test]
fn a_capability_page_gives_the_demand_carried_with_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let printed = ok(&[
        &[
            "capability",
            &scenario("rts79/rts79.toml"),
            "--criterion",
            "LOLE_h<=2.4",
        ][..],
        &QUICK,
        &["--format", "json"],
    ]
    .concat());
    let json: Value = serde_json::from_str(&printed).unwrap();
    let html = page_of(&write(dir.path(), "capability.json", &printed));
    let said = figures(answer(&html));
    for key in ["demand_scale", "peak_carried_mw"] {
        for end in ["estimate", "ci95_low", "ci95_high"] {
            contains(&said, number(&json[key][end]), &format!("{key}.{end}"));
        }
    }
    contains(&said, number(&json["base_peak_mw"]), "base_peak_mw");
    contains(&said, number(&json["as_it_is"]["mean"]), "as_it_is.mean");
    let scale = number(&json["demand_scale"]["estimate"]);
    assert!(
        answer(&html).contains(&format!("{scale:.4}</data> × today's demand")),
        "{}",
        answer(&html)
    );
    assert!(
        answer(&html).contains("LOLE ≤ 2.4 h/yr"),
        "{}",
        answer(&html)
    );
}

#[test]
fn a_sweep_page_shows_how_the_metrics_move_with_its_plots_and_points() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    ok(&[
        &[
            "sweep",
            &scenario("rts79-datacentre/rts79-datacentre.toml"),
            "--set",
            "added_loads[data-centre campus].size_mw=0:600:300",
            "--out",
            &out.display().to_string(),
        ][..],
        &QUICK,
    ]
    .concat());
    let file = out.join("sweep.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let html = page_of(&file);
    assert!(out.join("sweep.html").is_file());
    let answer = answer(&html);
    assert!(
        answer.contains("data-centre campus: size (MW) goes from 0 to 600"),
        "{answer}"
    );
    // The answer: each shown metric from the first point to the last.
    let points = json["points"].as_array().unwrap();
    let said = figures(answer);
    for metric in ["lole_hours", "eue_mwh", "neue_ppm"] {
        for p in [&points[0], points.last().unwrap()] {
            contains(&said, number(&p["metrics"][metric]["mean"]), metric);
        }
    }
    // The sweep's own plots, inline.
    for metric in ["lole_hours", "eue_mwh"] {
        assert!(
            html.contains(&format!("<figure id=\"sweep-{metric}\"><svg")),
            "no plot of {metric}"
        );
    }
    // Then every point of the table.
    let table = &html[html.find("The points").unwrap()..];
    let listed = figures(table);
    for p in points {
        contains(&listed, number(&p["values"][0]), "a point's value");
        for metric in ["lole_hours", "eue_mwh", "neue_ppm"] {
            contains(&listed, number(&p["metrics"][metric]["mean"]), metric);
        }
    }
    // RTS-79 has no renewables: no curtailment anywhere.
    assert!(!html.contains("curtailment"), "curtailment shown");
    let provenance = &html[html.find("How this was computed").unwrap()..];
    assert!(provenance.contains("<th>trajectories per point</th><td>300</td>"));
    assert!(provenance.contains("added_loads[data-centre campus].size_mw"));
    // An option of a run with results already computed is refused, not ignored.
    let o = egap(&[
        "report",
        &file.display().to_string(),
        "--set",
        "load_multiplier=2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--set applies to a run"),
        "{o:?}"
    );
}

#[test]
fn a_json_that_is_no_study_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text, says) in [
        (
            "other.json",
            "{\"hello\": 1}",
            "not results egap report can show",
        ),
        (
            "summary.json",
            "{\"schema\": \"egap-summary/1\", \"summary\": {}}",
            "summary.json of a run",
        ),
        (
            "broken-credit.json",
            "{\"efc_mw\": 1, \"elcc_mw\": 2}",
            "looks like egap credit's JSON but cannot be read",
        ),
        ("truncated.json", "{\"settings\": [", "is not JSON"),
    ] {
        let file = write(dir.path(), name, text);
        let o = egap(&["report", &file.display().to_string()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(stderr.contains("sweep.json"), "what is accepted: {stderr}");
        assert!(!file.with_extension("html").exists());
    }
}
