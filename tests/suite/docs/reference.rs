//! `docs/scenarios.md` against the parser, both ways: every field the parser accepts in a
//! table is listed in that table's section, and every field a section lists is accepted.
//!
//! The accepted fields come from the parser itself, never from a list kept here: each table
//! is given the field `zzz_unknown`, and the parser's refusal names the fields it expects
//! (serde's "unknown field `zzz_unknown`, expected one of `a`, `b`, …" for the TOML tables;
//! egap's own messages for distributions and CSV profiles, whose keys it checks by hand).
//! The documented fields are the first column of the section's Markdown table whose header
//! starts with `| field |`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use egap::profiles::parse_spec;
use egap::scenario::validate::validate;

const DOC: &str = "docs/scenarios.md";

/// The field no table has, whose refusal lists the fields the table has.
const UNKNOWN: &str = "zzz_unknown";

/// A valid scenario of one region, to which each probe adds its unknown field.
const SCENARIO: &str = "[study]\nhours = 24\n\n[[regions]]\nname = \"R\"\nload_mw = 100\n";

/// A valid profile spec with no series.
const SPEC: &str = "hours = 24\nweather_years = [\"w1\"]\nseed = 1\n";

const SPEC_TOP: &str = "## `egap profiles` spec: top-level fields";
const SPEC_SERIES: &str = "## `egap profiles` spec: `[[series]]`";
const PROFILES: &str = "## Hourly profiles";
const DISTRIBUTIONS: &str = "## Distributions";

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {DOC}: {e}"))
}

/// The text under the heading line `heading`, up to the next `## ` heading.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(&format!("\n{heading}\n"))? + heading.len() + 2;
    let rest = &doc[start..];
    Some(&rest[..rest.find("\n## ").unwrap_or(rest.len())])
}

/// The cells of a Markdown table row, trimmed.
fn cells(row: &str) -> Vec<&str> {
    let row = row.trim();
    let row = row.strip_prefix('|').unwrap_or(row);
    let row = row.strip_suffix('|').unwrap_or(row);
    row.split('|').map(str::trim).collect()
}

/// The rows of the first table in `text` whose header's first cell is `first`, in order:
/// the name in the first cell (one name in backticks, or an error) and the other cells.
fn table_column(text: &str, first: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut lines = text.lines().skip_while(|l| {
        let l = l.trim_start();
        !(l.starts_with('|') && cells(l).first() == Some(&first))
    });
    lines
        .next()
        .ok_or_else(|| format!("has no table whose header starts with `| {first} |`"))?;
    let separator = lines.next().unwrap_or("");
    if !cells(separator)
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
    {
        return Err(format!(
            "its `| {first} |` table has no separator row under the header"
        ));
    }
    let mut rows = Vec::new();
    for line in lines.take_while(|l| l.trim_start().starts_with('|')) {
        let row = cells(line);
        let name = row[0]
            .strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .filter(|n| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .ok_or_else(|| {
                format!(
                    "the row `{}` of its `| {first} |` table does not start with one name in backticks",
                    line.trim()
                )
            })?;
        let rest = row[1..].iter().map(|c| c.to_string()).collect();
        rows.push((name.to_string(), rest));
    }
    Ok(rows)
}

/// The names in backticks in `text`.
fn backticked(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The messages of the problems the parser finds in scenario `text`.
fn scenario_problems(text: &str) -> Vec<String> {
    match validate(Path::new("reference.toml"), text) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().iter().map(|d| d.message.clone()).collect(),
    }
}

/// The messages of the problems the parser finds in profile spec `text`.
fn spec_problems(text: &str) -> Vec<String> {
    match parse_spec(text, Path::new("spec.toml")) {
        Ok(_) => Vec::new(),
        Err(e) => e.diagnostics().iter().map(|d| d.message.clone()).collect(),
    }
}

/// The fields a serde table expects, from its refusal of `zzz_unknown`: "unknown field
/// `zzz_unknown`, expected one of `a`, `b`" (or "expected `a`", "expected `a` or `b`"),
/// before any "; did you mean …" that egap adds.
fn serde_fields(problems: &[String], probe: &str) -> BTreeSet<String> {
    let head = format!("unknown field `{UNKNOWN}`");
    let message = problems
        .iter()
        .find(|m| m.starts_with(&head))
        .unwrap_or_else(|| {
            panic!("the parser did not refuse `{UNKNOWN}` in\n{probe}\nit said: {problems:?}")
        });
    let expected = message.split_once("expected").map_or("", |(_, e)| e);
    let expected = expected.split(';').next().unwrap_or("");
    let fields = backticked(expected);
    assert!(
        !fields.is_empty(),
        "cannot read the expected fields from the parser's message: {message}"
    );
    fields
}

/// The TOML header of the table documented under `heading` (`## `[[units]]``).
fn header_of(heading: &str) -> Option<&str> {
    heading
        .strip_prefix("## `")?
        .strip_suffix('`')
        .filter(|h| h.starts_with('['))
}

/// Compares documented with accepted fields of `table`, adding a line to `problems` for each
/// difference.
fn compare(
    table: &str,
    heading: &str,
    documented: &[String],
    accepted: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let at = format!("{DOC}, section \"{heading}\"");
    let mut seen = BTreeSet::new();
    for field in documented {
        if !seen.insert(field.clone()) {
            problems.push(format!("{at}: lists `{field}` twice"));
        }
    }
    for field in accepted.difference(&seen) {
        problems.push(format!(
            "{at}: the parser accepts `{field}` in {table}, but the section's table does not list it"
        ));
    }
    for field in seen.difference(accepted) {
        problems.push(format!(
            "{at}: lists `{field}`, which the parser does not accept in {table}"
        ));
    }
}

/// Checks the section `heading` against `accepted` fields of `table`.
fn check_section(
    doc: &str,
    table: &str,
    heading: &str,
    accepted: &BTreeSet<String>,
    problems: &mut Vec<String>,
) {
    let Some(text) = section(doc, heading) else {
        problems.push(format!(
            "{DOC} has no section \"{heading}\" for {table}, whose fields are {accepted:?}"
        ));
        return;
    };
    match table_column(text, "field") {
        Ok(rows) => {
            let names: Vec<String> = rows.into_iter().map(|(name, _)| name).collect();
            compare(table, heading, &names, accepted, problems);
        }
        Err(e) => problems.push(format!("{DOC}, section \"{heading}\": {e}")),
    }
}

/// The tables a scenario file may hold, from the parser's refusal of a top-level
/// `zzz_unknown`.
fn top_level_tables() -> BTreeSet<String> {
    let probe = format!("{UNKNOWN} = 1\n{SCENARIO}");
    serde_fields(&scenario_problems(&probe), &probe)
}

/// The laws a distribution may follow and the keys each takes (with `min` and `max`), and
/// the key that names the law, learnt from the parser through `place`, which puts an inline
/// table in a scenario.
struct Laws {
    key: String,
    laws: BTreeMap<String, BTreeSet<String>>,
    optional: BTreeSet<String>,
}

fn laws(place: impl Fn(&str) -> String) -> Laws {
    let only_message = |probe: &str| -> String {
        let problems = scenario_problems(probe);
        match &problems[..] {
            [message] => message.clone(),
            _ => panic!("expected one problem in\n{probe}\nthe parser said: {problems:?}"),
        }
    };
    // "needs `distribution` = one of normal, lognormal, …"
    let probe = place("{ }");
    let message = only_message(&probe);
    let key = backticked(&message)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no key named in the parser's message: {message}"));
    // "unknown distribution \"zzz_unknown\"; use normal, lognormal, … or discrete"
    let probe = place(&format!("{{ {key} = \"{UNKNOWN}\" }}"));
    let message = only_message(&probe);
    let names = message
        .split_once("; use ")
        .unwrap_or_else(|| panic!("cannot read the laws from the parser's message: {message}"))
        .1
        .replace(" or ", ", ");
    let mut laws = BTreeMap::new();
    let mut optional = BTreeSet::new();
    for name in names.split(", ").map(str::trim) {
        // "unknown field `zzz_unknown` for a normal distribution; it takes mean, sd, and
        // optionally min and max"
        let probe = place(&format!("{{ {key} = \"{name}\", {UNKNOWN} = 1 }}"));
        let message = only_message(&probe);
        let takes = message
            .split_once("it takes ")
            .unwrap_or_else(|| panic!("cannot read the keys from the parser's message: {message}"))
            .1;
        let (own, extra) = takes.split_once("and optionally").unwrap_or((takes, ""));
        let words = |s: &str| -> BTreeSet<String> {
            s.replace(" and ", ", ")
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        laws.insert(name.to_string(), words(own));
        optional.extend(words(extra));
    }
    assert!(
        !laws.is_empty() && laws.values().all(|k| !k.is_empty()),
        "cannot read the laws and their keys from the parser: {laws:?}"
    );
    Laws {
        key,
        laws,
        optional,
    }
}

#[test]
fn every_scenario_table_has_a_section_and_every_section_a_table() {
    let doc = doc();
    let tables = top_level_tables();
    let mut problems = Vec::new();
    for table in &tables {
        let single = format!("## `[{table}]`");
        let array = format!("## `[[{table}]]`");
        if section(&doc, &single).is_none() && section(&doc, &array).is_none() {
            problems.push(format!(
                "the parser accepts the table {table}, but {DOC} has no section \"{single}\" or \"{array}\""
            ));
        }
    }
    for heading in doc.lines().filter(|l| l.starts_with("## `[")) {
        let name = header_of(heading).map(|h| h.trim_matches(|c| c == '[' || c == ']'));
        if !name.is_some_and(|n| tables.contains(n)) {
            problems.push(format!(
                "{DOC} has a section \"{heading}\", but the parser accepts no such table; its tables are {tables:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_scenario_field_is_documented_and_every_documented_field_accepted() {
    let doc = doc();
    let mut problems = Vec::new();
    for table in top_level_tables() {
        if table == "load_multiplier" {
            continue; // a number or a distribution: see the test of distributions
        }
        let heading = [format!("## `[{table}]`"), format!("## `[[{table}]]`")]
            .into_iter()
            .find(|h| section(&doc, h).is_some());
        let Some(heading) = heading else {
            continue; // reported by the test of tables and sections
        };
        let header = header_of(&heading).expect("a table heading").to_string();
        // The probe: the unknown field in the base scenario's own table of that name, or
        // in a table of that name added to it.
        let probe = if SCENARIO.contains(&format!("{header}\n")) {
            SCENARIO.replacen(
                &format!("{header}\n"),
                &format!("{header}\n{UNKNOWN} = 1\n"),
                1,
            )
        } else {
            format!("{SCENARIO}\n{header}\n{UNKNOWN} = 1\n")
        };
        let accepted = serde_fields(&scenario_problems(&probe), &probe);
        check_section(&doc, &table, &heading, &accepted, &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn csv_profile_keys_are_documented_and_accepted() {
    let doc = doc();
    // "unknown field; a CSV profile has only `file` and `column`"
    let probe = SCENARIO.replace(
        "load_mw = 100",
        &format!("load_mw = {{ {UNKNOWN} = \"x\" }}"),
    );
    let problems = scenario_problems(&probe);
    let message = problems
        .iter()
        .find(|m| m.starts_with("unknown field"))
        .unwrap_or_else(|| {
            panic!("the parser did not refuse `{UNKNOWN}` in\n{probe}\nit said: {problems:?}")
        });
    let accepted = backticked(message);
    assert!(
        !accepted.is_empty(),
        "cannot read the keys of a CSV profile from: {message}"
    );
    let mut problems = Vec::new();
    check_section(&doc, "a CSV profile", PROFILES, &accepted, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn distributions_are_documented_as_the_parser_reads_them() {
    let doc = doc();
    let multiplier = laws(|table| format!("load_multiplier = {table}\n{SCENARIO}"));
    // Every uncertain parameter is read by the same code; the page documents its keys once,
    // under [load_multiplier], so they must be the same everywhere.
    let size =
        laws(|table| format!("{SCENARIO}\n[[added_loads]]\nname = \"A\"\nsize_mw = {table}\n"));
    let utilization = laws(|table| {
        format!("{SCENARIO}\n[[added_loads]]\nname = \"A\"\nsize_mw = 1\nutilization = {table}\n")
    });
    for (what, other) in [
        ("added_loads size_mw", &size),
        ("added_loads utilization", &utilization),
    ] {
        assert!(
            other.key == multiplier.key
                && other.laws == multiplier.laws
                && other.optional == multiplier.optional,
            "{what} takes other distributions than load_multiplier, which {DOC} documents for all"
        );
    }

    let mut problems = Vec::new();
    // The keys of a distribution table: the law's name, each law's own, min and max.
    let mut accepted: BTreeSet<String> = multiplier.laws.values().flatten().cloned().collect();
    accepted.insert(multiplier.key.clone());
    accepted.extend(multiplier.optional.iter().cloned());
    check_section(
        &doc,
        "load_multiplier",
        "## `[load_multiplier]`",
        &accepted,
        &mut problems,
    );

    // The table of laws: one row per law, its parameters in backticks in the second column.
    match section(&doc, DISTRIBUTIONS).map(|s| table_column(s, "distribution")) {
        None => problems.push(format!("{DOC} has no section \"{DISTRIBUTIONS}\"")),
        Some(Err(e)) => problems.push(format!("{DOC}, section \"{DISTRIBUTIONS}\": {e}")),
        Some(Ok(rows)) => {
            let at = format!("{DOC}, section \"{DISTRIBUTIONS}\"");
            let documented: BTreeMap<String, BTreeSet<String>> = rows
                .iter()
                .map(|(name, rest)| {
                    let parameters = rest.first().map_or_else(BTreeSet::new, |c| backticked(c));
                    (name.clone(), parameters)
                })
                .collect();
            if documented.len() != rows.len() {
                problems.push(format!("{at}: a distribution is listed twice"));
            }
            for (law, keys) in &multiplier.laws {
                match documented.get(law) {
                    None => problems.push(format!(
                        "{at}: the parser accepts the distribution `{law}`, but the table does not list it"
                    )),
                    Some(listed) if listed != keys => problems.push(format!(
                        "{at}: `{law}` is listed with the parameters {listed:?}; the parser takes {keys:?}"
                    )),
                    Some(_) => {}
                }
            }
            for law in documented.keys() {
                if !multiplier.laws.contains_key(law) {
                    problems.push(format!(
                        "{at}: lists the distribution `{law}`, which the parser does not accept"
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn profile_spec_fields_are_documented_and_accepted() {
    let doc = doc();
    let mut problems = Vec::new();
    let probe = format!("{UNKNOWN} = 1\n{SPEC}");
    let top = serde_fields(&spec_problems(&probe), &probe);
    check_section(&doc, "a profile spec", SPEC_TOP, &top, &mut problems);
    let probe = format!("{SPEC}\n[[series]]\n{UNKNOWN} = 1\n");
    let series = serde_fields(&spec_problems(&probe), &probe);
    check_section(&doc, "series", SPEC_SERIES, &series, &mut problems);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checks above can fail: a section that misses an accepted field or lists a refused
/// one is reported with the field and the section.
#[test]
fn a_wrong_section_is_reported_with_its_field() {
    let accepted: BTreeSet<String> = ["name", "load_mw"].map(String::from).into();
    let text = "\n## `[[regions]]`\n\n| field | unit | default | valid values | meaning |\n\
                |---|---|---|---|---|\n| `name` | — | required | text | a name |\n\
                | `load_mv` | MW | required | 0 | a typo |\n";
    let mut problems = Vec::new();
    check_section(
        text,
        "regions",
        "## `[[regions]]`",
        &accepted,
        &mut problems,
    );
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems[0].contains("`load_mw`") && problems[0].contains("does not list"));
    assert!(problems[1].contains("`load_mv`") && problems[1].contains("does not accept"));
    assert!(problems.iter().all(|p| p.contains("[[regions]]")));
}
