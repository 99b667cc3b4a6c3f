//! Every link between the README and the pages of `docs/` leads to a file that exists, so
//! moving or renaming a page cannot leave a reader at a dead end.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The manual's pages: the README and every Markdown file in `docs/`.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The targets of Markdown links `[text](target)` in `text`, with their lines.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut targets = Vec::new();
    let mut in_code = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push((i + 1, after[..end].to_string()));
            rest = &after[end..];
        }
    }
    targets
}

fn resolves(page: &Path, target: &str) -> bool {
    let file = target.split('#').next().unwrap_or_default();
    if file.is_empty() {
        return true;
    }
    page.parent().unwrap().join(file).exists()
}

#[test]
fn every_relative_link_of_the_manual_leads_to_a_file() {
    let mut dead = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        for (line, target) in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            if !resolves(&page, &target) {
                dead.push(format!(
                    "{}:{line}: ({target})",
                    page.strip_prefix(root()).unwrap().display()
                ));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} links found: is the parser right?"
    );
    assert!(
        dead.is_empty(),
        "links to files that do not exist:\n{}",
        dead.join("\n")
    );
}

#[test]
fn a_dead_link_is_found() {
    let page = root().join("docs").join("model.md");
    assert!(resolves(&page, "limits.md#network"));
    assert!(resolves(&page, "#several-regions"));
    assert!(!resolves(&page, "no-such-page.md"));
    assert_eq!(
        link_targets("see [a](b.md) and [c](d.md#e)\n```\n[x](y)\n```\n"),
        vec![(1, "b.md".to_string()), (1, "d.md#e".to_string())]
    );
}
