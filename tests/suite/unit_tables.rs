//! Unit tables (`[[unit_tables]]`): unit groups read from CSV give exactly the study of the
//! same groups written as `[[units]]`, are inputs of the study and part of its identity, and
//! answer `--set`, `egap sweep` and `egap credit` as `[[units]]` tables do.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The study with unit tables and the same study written all in TOML (see their comments).
const TABLES: &str = "unit-tables.toml";
const INLINE: &str = "unit-tables-inline.toml";
const CSVS: [&str; 2] = ["unit-tables-north.csv", "unit-tables-south.csv"];

fn good() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/good")
}

/// A folder holding the fixture `scenario` as `study.toml`, with the unit tables beside it:
/// both studies then run under one file name, which `summary.json` records.
fn folder_with(scenario: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(good().join(scenario), dir.path().join("study.toml")).unwrap();
    for csv in CSVS {
        std::fs::copy(good().join(csv), dir.path().join(csv)).unwrap();
    }
    dir
}

fn egap(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_egap"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn succeeds(dir: &Path, args: &[&str]) -> Output {
    let out = egap(dir, args);
    assert!(
        out.status.success(),
        "egap {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Refused with status 2; the error.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = egap(dir, args);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "egap {args:?}: {err}");
    err
}

const RUN: [&str; 9] = [
    "run",
    "study.toml",
    "--backend",
    "cpu",
    "-n",
    "3000",
    "--seed",
    "11",
    "--quiet",
];

/// `summary.json` of `egap run` on the study in `dir`, with `extra` arguments.
fn summary(dir: &Path, out: &str, extra: &[&str]) -> Vec<u8> {
    succeeds(dir, &[&RUN[..], &["--out", out], extra].concat());
    std::fs::read(dir.join(out).join("summary.json")).unwrap()
}

#[test]
fn units_from_csv_give_the_summary_of_the_same_units_in_toml() {
    let (tables, inline) = (folder_with(TABLES), folder_with(INLINE));
    let (a, b) = (tables.path(), inline.path());
    let plain = summary(a, "out", &[]);
    assert!(plain == summary(b, "out", &[]), "the summaries differ");
    // `--set` reaches a unit of a unit table as it reaches a [[units]] table.
    for set in [
        "units[Gas CC].count=5",
        "units[Hydro].capacity_mw=95.5",
        "units[Biomass].mttr_h=70",
    ] {
        let edited = summary(a, "set", &["--set", set, "--force"]);
        assert!(edited != plain, "{set} changed nothing");
        assert!(
            edited == summary(b, "set", &["--set", set, "--force"]),
            "{set}: the summaries differ"
        );
    }
    // So does a sweep, over one unit of each kind of table.
    let sweep = [
        "sweep",
        "study.toml",
        "--backend",
        "cpu",
        "-n",
        "1000",
        "--set",
        "units[Coal, units 1-2].count=1:3:1",
        "--set",
        "units[Diesel].capacity_mw=0,20",
        "--out",
        "sweep",
    ];
    succeeds(a, &sweep);
    succeeds(b, &sweep);
    let read = |dir: &Path| std::fs::read_to_string(dir.join("sweep/sweep.csv")).unwrap();
    assert_eq!(read(a), read(b));
    assert_eq!(read(a).lines().count(), 7);
}

#[test]
fn a_unit_table_is_an_input_and_part_of_the_identity() {
    let load = |path: &Path| egap::Study::load(path).unwrap_or_else(|e| panic!("{e}"));
    let tables = load(&good().join(TABLES));
    let inline = load(&good().join(INLINE));
    assert_eq!(tables.identity(), inline.identity());
    for csv in CSVS {
        assert!(
            tables.scenario.inputs.contains(&good().join(csv)),
            "{csv} is not among the inputs {:?}",
            tables.scenario.inputs
        );
    }
    // One cell changed changes the units' part of the identity, and only that part.
    let dir = folder_with(TABLES);
    let south = dir.path().join(CSVS[1]);
    let text = std::fs::read_to_string(&south).unwrap();
    std::fs::write(&south, text.replace("90,Biomass", "91,Biomass")).unwrap();
    let changed = load(&dir.path().join("study.toml"));
    let differ: Vec<_> = (tables.identity().into_iter())
        .filter(|(part, hash)| changed.identity()[part] != *hash)
        .map(|(part, _)| part)
        .collect();
    assert_eq!(differ, ["units"]);

    // Results are not written over a unit table, with --set or without.
    let dir = tempfile::tempdir().unwrap();
    let scenario = "[study]\nhours = 4\n\n[[regions]]\nname = \"R\"\nload_mw = 100\n\n\
                    [[unit_tables]]\nfile = \"metrics.csv\"\n";
    std::fs::write(dir.path().join("study.toml"), scenario).unwrap();
    let units = "name,capacity_mw,mttf_h,mttr_h\nG1,150,1000,50\n";
    std::fs::write(dir.path().join("metrics.csv"), units).unwrap();
    for set in [&[][..], &["--set", "units[G1].count=2"]] {
        let args = [&RUN[..], &["--out", ".", "--force"], set].concat();
        let err = refused(dir.path(), &args);
        assert!(
            err.contains("metrics.csv is an input of this study"),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("metrics.csv")).unwrap(),
        units
    );
}

#[test]
fn set_on_a_unit_of_a_unit_table_is_checked_as_the_file_is() {
    let dir = folder_with(TABLES);
    let run = |set: &str| {
        refused(
            dir.path(),
            &[&RUN[..], &["--out", "x", "--set", set]].concat(),
        )
    };
    let err = run("units[Gas CC].capcity_mw=1");
    assert!(
        err.contains("--set units[Gas CC].capcity_mw: a unit has no field `capcity_mw`; did you mean `capacity_mw`?"),
        "{err}"
    );
    let err = run("units[Peakers].project=0");
    assert!(
        err.contains("`project` is text, and --set gives numbers"),
        "{err}"
    );
    let err = run("units[Gas CC].mttf_h.x=1");
    assert!(err.contains("write units[Gas CC].FIELD"), "{err}");
    let err = run("units[Gas turbine].count=2");
    assert!(
        err.contains(
            "no entry of `units` is named \"Gas turbine\", in the scenario or its unit tables"
        ),
        "{err}"
    );
    // A value out of range is reported on the flag, in the unit table's file.
    let err = run("units[Gas CC].count=0");
    assert!(
        err.contains(
            "unit-tables-north.csv: units \"Gas CC\" → count: must be a whole number of units \
             from 1 to 100000, got 0 (as changed by --set units[Gas CC].count=0)"
        ),
        "{err}"
    );
    // A mistake of the file's own keeps its line and column whatever else is set.
    let south = dir.path().join(CSVS[1]);
    let text = std::fs::read_to_string(&south).unwrap();
    std::fs::write(&south, text.replace("90,Biomass,South", "90,Biomass,Sooth")).unwrap();
    let err = run("units[Gas CC].count=4");
    assert!(
        err.contains(
            "unit-tables-south.csv:4:3: units \"Biomass\" → region: no region is named \"Sooth\""
        ),
        "{err}"
    );
}

#[test]
fn credit_of_a_unit_of_a_unit_table_is_that_of_the_same_unit_in_toml() {
    let (tables, inline) = (folder_with(TABLES), folder_with(INLINE));
    let credit = [
        "credit",
        "study.toml",
        "--resource",
        "units[New CCGT]",
        "--backend",
        "cpu",
        "-n",
        "400",
        "--format",
        "json",
    ];
    let a = succeeds(tables.path(), &credit).stdout;
    let b = succeeds(inline.path(), &credit).stdout;
    assert_eq!(String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
    let json: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(json["nameplate_mw"], 200.0);
}

/// Large or endless unit tables are refused without being read to the end.
#[test]
fn oversized_and_special_unit_tables_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = "[study]\nhours = 4\n\n[[regions]]\nname = \"R\"\nload_mw = 100\n\n\
                    [[unit_tables]]\nfile = \"units.csv\"\n";
    let path = dir.path().join("study.toml");
    std::fs::write(&path, scenario).unwrap();
    let error = || match egap::scenario::load(&path) {
        Ok(_) => panic!("loaded"),
        Err(e) => e.to_string(),
    };
    let units = dir.path().join("units.csv");

    // More rows than a study may have units: reading stops at the first one too many.
    let mut csv = String::from("name,capacity_mw,forced_outage_rate,mttr_h\n");
    for i in 0..150_000 {
        csv.push_str(&format!("G{i},1,0,10\n"));
    }
    std::fs::write(&units, csv).unwrap();
    let e = error();
    assert!(
        e.contains("units.csv:100002: unit_tables: is past the 100000th unit group"),
        "{e}"
    );

    // Beyond the size limit (a sparse file): not read at all.
    std::fs::remove_file(&units).unwrap();
    std::fs::File::create(&units)
        .unwrap()
        .set_len(egap::scenario::unit_table::MAX_UNIT_TABLE_BYTES + 1)
        .unwrap();
    let e = error();
    assert!(e.contains("is larger than 64 MiB"), "{e}");

    // A FIFO is refused at once rather than waited on.
    std::fs::remove_file(&units).unwrap();
    let made = Command::new("mkfifo").arg(&units).status().unwrap();
    assert!(made.success());
    let e = error();
    assert!(
        e.contains("unit_tables → file: cannot read \"units.csv\"") && e.contains("regular file"),
        "{e}"
    );
}
