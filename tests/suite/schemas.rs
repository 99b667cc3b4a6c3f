//! The JSON Schemas in `schemas/` against real outputs of the binary: a single-region run
//! with a criterion and a precision target, a multi-region report with interfaces and
//! storage, a merge of two shards, the JSON answers of `credit` and `capability`, and the
//! `sweep.json` of a two-setting sweep. Every schema file must be a valid draft 2020-12
//! schema and must describe at least one of those outputs; copies of real outputs with a
//! value egap can never write must fail, so a schema that accepts anything cannot pass.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::{Value, json};

/// One output of the binary and the schema (a file stem in `schemas/`) that describes it.
struct Output {
    schema: &'static str,
    what: &'static str,
    json: Value,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(name: &str) -> PathBuf {
    root().join("scenarios").join(name)
}

/// Runs egap and returns its standard output; any failure fails the test.
fn egap(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_egap"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "egap {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn parse(text: &str, what: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what} is not JSON: {e}\n{text}"))
}

fn read(path: &Path) -> Value {
    parse(
        &std::fs::read_to_string(path).unwrap(),
        &path.display().to_string(),
    )
}

/// Every output the schemas describe, made once for all the tests (a few seconds on the CPU).
fn outputs() -> &'static [Output] {
    static OUTPUTS: OnceLock<Vec<Output>> = OnceLock::new();
    OUTPUTS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = |name: &str| dir.path().join(name).display().to_string();
        let rts79 = scenario("rts79/rts79.toml").display().to_string();
        let west_east = scenario("west-east/west-east.toml").display().to_string();
        // A run or report on the CPU into the folder `folder`.
        let run = |args: &[&str], folder: &str| {
            let quick = ["--backend", "cpu", "--no-plots", "--quiet", "--out"];
            egap(&[args, &quick, &[out(folder).as_str()]].concat())
        };
        let summary = |folder: &str| read(&dir.path().join(folder).join("summary.json"));
        let mut outputs = Vec::new();
        let mut add = |schema, what, json| outputs.push(Output { schema, what, json });

        // One region, a criterion and a precision target: `convergence` and `criterion`.
        let printed = run(
            &[
                "run",
                &rts79,
                "-n",
                "2000",
                "--seed",
                "7",
                "--format",
                "json",
                "--criterion",
                "LOLE_d<=0.1",
                "--target-rel-se",
                "0.2",
            ],
            "rts79",
        );
        add("summary", "rts79 summary.json", summary("rts79"));
        add("summary", "rts79 run --format json", parse(&printed, "run"));

        // Several regions, an interface and a store, through `egap report`.
        run(&["report", &west_east, "-n", "200"], "we");
        add("summary", "west-east summary.json", summary("we"));

        // The same study in two shards, merged.
        for k in ["1/2", "2/2"] {
            run(&["run", &west_east, "-n", "200", "--shard", k], "shards");
        }
        let [one, two] = [1, 2].map(|k| out(&format!("shards/shard-{k}-of-2.json")));
        let merged = out("merged");
        let printed = egap(&["merge", &one, &two, "--format", "json", "--out", &merged]);
        add("summary", "merged summary.json", summary("merged"));
        add("summary", "merge --format json", parse(&printed, "merge"));

        // Searches with few trajectories per step: the figures are rough, the layout is not.
        let steps = ["-n", "500", "--backend", "cpu", "--format", "json"];
        let credit = ["credit", &rts79, "--resource", "units[U400 nuclear]"];
        let printed = egap(&[&credit[..], &steps].concat());
        add("credit", "credit --format json", parse(&printed, "credit"));
        let capability = ["capability", &rts79, "--criterion", "LOLE_h<=2.4"];
        let printed = egap(&[&capability[..], &steps].concat());
        add(
            "capability",
            "capability --format json",
            parse(&printed, "capability"),
        );

        // A two-setting grid of four points: the line's limit, then the battery's energy.
        let sweep = out("sweep");
        egap(&[
            "sweep",
            &west_east,
            "--set",
            "interfaces[west-east].limit_mw=1500,3000",
            "--set",
            "storage[west battery].energy_mwh=0,6000",
            "-n",
            "300",
            "--backend",
            "cpu",
            "--out",
            &sweep,
        ]);
        add(
            "sweep",
            "west-east sweep.json",
            read(&dir.path().join("sweep").join("sweep.json")),
        );
        outputs
    })
}

fn output(what: &str) -> &'static Value {
    &outputs().iter().find(|o| o.what == what).unwrap().json
}

/// The stems of the schema files in `schemas/`.
fn schema_files() -> BTreeSet<String> {
    std::fs::read_dir(root().join("schemas"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .map(|name| {
            name.strip_suffix(".schema.json")
                .unwrap_or_else(|| panic!("schemas/{name}: every file there is NAME.schema.json"))
                .to_string()
        })
        .collect()
}

fn schema(name: &str) -> Value {
    read(&root().join("schemas").join(format!("{name}.schema.json")))
}

fn validator(name: &str) -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema(name))
        .unwrap_or_else(|e| panic!("schemas/{name}.schema.json does not compile: {e}"))
}

/// Every way `instance` breaks the schema, one line each (empty when it is valid).
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("at {}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_schema_file_is_a_valid_draft_2020_12_schema() {
    let files = schema_files();
    assert!(!files.is_empty());
    for name in &files {
        let s = schema(name);
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "schemas/{name}.schema.json names another draft"
        );
        if let Err(e) = jsonschema::draft202012::meta::validate(&s) {
            panic!("schemas/{name}.schema.json is not a valid schema: {e}");
        }
        validator(name);
    }
    // The small definitions the other schemas share with the summary's (estimates, metrics)
    // are copies (each file stands alone); they must not drift apart. A schema's own
    // definitions therefore belong in the summary's as well.
    let summary = schema("summary");
    for name in files.iter().filter(|name| *name != "summary") {
        let s = schema(name);
        for (key, def) in s["$defs"].as_object().into_iter().flatten() {
            assert_eq!(
                def, &summary["$defs"][key],
                "$defs/{key} of schemas/{name}.schema.json differs from the summary's"
            );
        }
    }
}

#[test]
fn every_real_output_matches_its_schema_and_every_schema_is_exercised() {
    let mut exercised = BTreeSet::new();
    for o in outputs() {
        let problems = errors(&validator(o.schema), &o.json);
        assert!(
            problems.is_empty(),
            "{} breaks schemas/{}.schema.json:\n{}",
            o.what,
            o.schema,
            problems.join("\n")
        );
        exercised.insert(o.schema.to_string());
    }
    assert_eq!(
        exercised,
        schema_files(),
        "every schema in schemas/ must be checked against a real output here"
    );
}

/// The optional parts of a summary are checked only if the outputs hold them.
#[test]
fn the_outputs_hold_every_optional_part_of_the_summary() {
    let rts79 = output("rts79 summary.json");
    assert_eq!(rts79, output("rts79 run --format json"));
    assert_eq!(rts79["criterion"]["metric"], "lole_days");
    assert_eq!(rts79["convergence"]["metric"], "eue_mwh");
    assert!(rts79["summary"].get("regions").is_none());
    let west_east = output("west-east summary.json");
    assert!(west_east["description"].is_string());
    for part in ["regions", "interfaces", "storage"] {
        for what in ["west-east summary.json", "merged summary.json"] {
            let items = output(what)["summary"][part].as_array();
            assert!(items.is_some_and(|i| !i.is_empty()), "{what} has no {part}");
        }
    }
    assert_eq!(output("merged summary.json"), output("merge --format json"));
    assert_eq!(
        output("merged summary.json")["summary"],
        west_east["summary"],
        "two shards merged give the single run's results"
    );
}

/// Sets the value at `pointer` (its parent must exist); `None` removes it.
fn changed(value: &Value, pointer: &str, to: Option<Value>) -> Value {
    let mut copy = value.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = copy
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("no {parent}"));
    match (parent, to) {
        (Value::Array(items), to) => {
            let i: usize = key.parse().unwrap();
            match to {
                Some(v) => items[i] = v,
                None => {
                    items.remove(i);
                }
            }
        }
        (Value::Object(map), Some(v)) => {
            map.insert(key.to_string(), v);
        }
        (Value::Object(map), None) => {
            assert!(map.remove(key).is_some(), "no {pointer}");
        }
        (other, _) => panic!("{pointer}: {other} holds no fields"),
    }
    copy
}

/// A field removed, in [`assert_refused`]'s list of changes.
const GONE: Option<Value> = None;

/// Each change of a real output must be refused by its schema.
fn assert_refused(what: &str, schema: &str, changes: &[(&str, Option<Value>)]) {
    let v = validator(schema);
    let real = output(what);
    assert!(errors(&v, real).is_empty());
    for (pointer, to) in changes {
        let bad = changed(real, pointer, to.clone());
        assert!(
            !v.is_valid(&bad),
            "schemas/{schema}.schema.json accepts {what} with {pointer} {}",
            to.as_ref()
                .map_or("removed".to_string(), |v| format!("= {v}"))
        );
    }
}

#[test]
fn a_summary_egap_cannot_write_is_refused() {
    assert_refused(
        "rts79 summary.json",
        "summary",
        &[
            ("/summary/metrics/lolp/mean", Some(json!(1.5))),
            (
                "/summary/metrics/curtailment_rate/ci95_high",
                Some(json!(1.01)),
            ),
            ("/summary/metrics/eue_mwh/mean", Some(json!(-1.0))),
            ("/summary/metrics/neue_ppm/mean", Some(json!(2e6))),
            // serde_json writes a NaN as null.
            (
                "/summary/metrics/lole_hours/standard_error",
                Some(Value::Null),
            ),
            ("/summary/metrics/eue_mwh", GONE),
            ("/summary/metrics/eue_mw", Some(json!(0))),
            ("/run/seed", GONE),
            ("/run/seed", Some(json!(-1))),
            ("/summary/trajectories", Some(json!(2.5))),
            ("/summary/hourly/0/lolp", Some(json!(-0.1))),
            ("/summary/hourly/0/hour", Some(json!("0"))),
            (
                "/summary/distributions/unserved_energy_mwh/histogram/0/count",
                Some(json!(0)),
            ),
            (
                "/summary/distributions/unserved_energy_mwh/exceedance/0/probability",
                Some(json!(1.5)),
            ),
            (
                "/summary/distributions/curtailment_rate/p50",
                Some(json!(2.0)),
            ),
            (
                "/summary/distributions/trajectories_without_renewable",
                Some(json!(-3)),
            ),
            ("/schema", Some(json!("egap-summary/2"))),
            ("/power_unit_w", Some(json!(20))),
            ("/criterion/verdict", Some(json!("maybe"))),
            ("/criterion/metric", Some(json!("curtailment_mwh"))),
            ("/criterion/limit", Some(json!(0))),
            ("/convergence/reached", GONE),
            (
                "/convergence/target_relative_standard_error",
                Some(json!(1.0)),
            ),
            ("/summary/regions", Some(json!([]))),
            ("/unexpected", Some(json!(true))),
        ],
    );
    assert_refused(
        "west-east summary.json",
        "summary",
        &[
            ("/summary/storage/0/share_of_hours_full", Some(json!(1.2))),
            ("/summary/storage/0/cycles", Some(json!(-0.5))),
            (
                "/summary/interfaces/0/share_at_forward_limit",
                Some(json!(-0.01)),
            ),
            ("/summary/interfaces/0/name", GONE),
            ("/summary/regions/0/metrics/lolp/ci95_low", Some(json!(1.1))),
            (
                "/summary/regions/0/hourly/0/expected_shortfall_mw",
                Some(json!(-1)),
            ),
        ],
    );
    // What egap may write: no description (merge), a precision target whose metric is still
    // zero (no relative error yet), a negative net flow.
    let v = validator("summary");
    for (what, pointer, to) in [
        ("west-east summary.json", "/description", None),
        (
            "west-east summary.json",
            "/summary/interfaces/0/mean_flow_mw",
            Some(json!(-12.5)),
        ),
        (
            "rts79 summary.json",
            "/convergence/achieved_relative_standard_error",
            Some(Value::Null),
        ),
    ] {
        let fine = changed(output(what), pointer, to);
        let problems = errors(&v, &fine);
        assert!(
            problems.is_empty(),
            "{what} with {pointer} changed: {problems:?}"
        );
    }
}

#[test]
fn credit_and_capability_answers_egap_cannot_write_are_refused() {
    assert_refused(
        "credit --format json",
        "credit",
        &[
            // A loss-of-load probability cannot be the 10 h/yr the real `with` holds.
            ("/metric", Some(json!("lolp"))),
            ("/metric", Some(json!("lolf_events"))),
            ("/efc_mw", GONE),
            ("/elcc_mw/ci95_low", Some(json!(-1.0))),
            ("/nameplate_mw", Some(json!(0))),
            ("/resource", Some(json!("U400 nuclear"))),
            ("/trajectories_per_step", Some(json!(0))),
            ("/with/standard_error", Some(Value::Null)),
            ("/without/extra", Some(json!(1))),
        ],
    );
    assert_refused(
        "capability --format json",
        "capability",
        &[
            ("/criterion/metric", Some(json!("lolp"))),
            ("/criterion/limit", Some(json!(-2.4))),
            ("/demand_scale/estimate", Some(json!(0))),
            ("/peak_carried_mw", GONE),
            ("/as_it_is/mean", Some(json!("10.4"))),
            ("/steps", Some(json!(0))),
        ],
    );
}

/// What the schema cannot say of a sweep: the counts agree with the lists, and the points
/// are the grid of the settings' values, the second setting varying fastest.
#[test]
fn the_sweep_holds_every_point_of_its_grid() {
    let sweep = output("west-east sweep.json");
    assert_eq!(sweep["interrupted"], false);
    assert_eq!(sweep["points_total"], 4);
    assert_eq!(sweep["points_completed"], 4);
    let values: Vec<&Value> = sweep["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["values"])
        .collect();
    assert_eq!(
        values,
        [
            &json!([1500.0, 0.0]),
            &json!([1500.0, 6000.0]),
            &json!([3000.0, 0.0]),
            &json!([3000.0, 6000.0])
        ]
    );
    let settings = &sweep["settings"];
    assert_eq!(settings[0]["path"], "interfaces[west-east].limit_mw");
    assert_eq!(settings[1]["values"], json!([0.0, 6000.0]));
    // The same metrics as the summary of a run.
    let keys =
        |metrics: &Value| -> Vec<String> { metrics.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(
        keys(&sweep["points"][0]["metrics"]),
        keys(&output("west-east summary.json")["summary"]["metrics"])
    );
}

#[test]
fn a_sweep_egap_cannot_write_is_refused() {
    assert_refused(
        "west-east sweep.json",
        "sweep",
        &[
            ("/points/0/metrics/eue_mwh", GONE),
            ("/points/3/metrics/lole_mwh", Some(json!({}))),
            ("/points/1/metrics/lolp/mean", Some(json!(1.5))),
            ("/points/2/metrics/neue_ppm/ci95_high", Some(json!(1.5e6))),
            (
                "/points/0/metrics/eue_mwh/standard_error",
                Some(Value::Null),
            ),
            ("/points/0/values/0", Some(json!("1500"))),
            ("/points/0/values", Some(json!([]))),
            ("/points/0/extra", Some(json!(1))),
            ("/points", Some(json!([]))),
            ("/interrupted", Some(json!("false"))),
            ("/interrupted", GONE),
            ("/points_completed", Some(json!(-1))),
            ("/points_total", Some(json!(0))),
            ("/trajectories_per_point", Some(json!(0))),
            ("/seed", Some(json!(1.5))),
            ("/settings", Some(json!([]))),
            ("/settings/0/values", Some(json!([]))),
            ("/settings/1/path", Some(json!(""))),
            ("/settings/1/unit", Some(json!("MWh"))),
            ("/egap_version", Some(json!("latest"))),
            ("/unexpected", Some(json!(true))),
        ],
    );
    // What egap may write: an interrupted sweep of one point, and a negative value (the range
    // of a setting's values is its field's, which the scenario's validation judges).
    let v = validator("sweep");
    let mut partial = changed(
        output("west-east sweep.json"),
        "/interrupted",
        Some(json!(true)),
    );
    partial["points_completed"] = json!(1);
    partial["points"].as_array_mut().unwrap().truncate(1);
    partial["settings"][0]["values"][0] = json!(-0.5);
    partial["points"][0]["values"][0] = json!(-0.5);
    let problems = errors(&v, &partial);
    assert!(problems.is_empty(), "a partial sweep: {problems:?}");
}
