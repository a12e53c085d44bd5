//! The layers run one way (ARCHITECTURE.md): every `crate::…` path in a
//! module of `src/` must name a module that module may use. A new import
//! across the layers fails here, with the file and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Top-level modules of `src/` and what each may import besides itself.
fn allowed() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        // ground
        ("domain", &[][..]),
        ("entities", &[][..]),
        ("records", &["entities"][..]),
        // The flood gate shared through Redis implements telegram's trait.
        ("store", &["domain", "telegram"][..]),
        ("metrics", &[][..]),
        ("retry", &[][..]),
        ("group_commit", &[][..]),
        ("config", &["domain"][..]),
        ("texts", &["domain", "entities"][..]),
        ("telegram", &["config", "domain", "metrics"][..]),
        ("telemetry", &["config"][..]),
        ("database", &["config"][..]),
        // delivery
        (
            "outbox",
            &[
                "domain",
                "entities",
                // Whether a database error is an outage.
                "database",
                "records",
                "store",
                "telegram",
                "texts",
                "retry",
                "metrics",
                "group_commit",
            ][..],
        ),
        // The enqueue side of the job engine, beside the outbox.
        ("schedule", &["domain", "entities", "store", "config"][..]),
        // rules
        (
            "services",
            &[
                "domain",
                "entities",
                // Whether a database error is an outage.
                "database",
                "records",
                "store",
                "outbox",
                "texts",
                "config",
                "retry",
                "metrics",
                "schedule",
                "group_commit",
            ][..],
        ),
        // The job engine's workers and clocks: they call the services.
        (
            "jobs",
            &[
                "services", "schedule", "domain", "entities", "records", "store", "outbox",
                "texts", "config", "retry", "metrics",
            ][..],
        ),
        // doors
        (
            "bot",
            &["services", "domain", "entities", "texts", "telegram"][..],
        ),
        (
            "intake",
            &[
                "services",
                "config",
                "entities",
                // The done mark a handler's last write may carry.
                "records",
                "metrics",
                "telegram",
                "retry",
                "group_commit",
                // Presence: whether other instances share the database.
                "store",
            ][..],
        ),
        (
            "http",
            &[
                "intake",
                "metrics",
                "self_check",
                "store",
                "services",
                "telegram",
                "texts",
            ][..],
        ),
        ("self_check", &["config", "telegram"][..]),
    ])
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

/// The module names after `crate::` on a line of code (comments dropped).
fn imported_modules(line: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or_default();
    code.match_indices("crate::")
        .map(|(at, _)| {
            code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn no_module_imports_from_a_layer_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let rules = allowed();
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        // The top layer wires everything together.
        let Some(may_use) = rules.get(top.as_str()) else {
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            for module in imported_modules(line) {
                if module != top && !may_use.contains(&module.as_str()) {
                    wrong.push(format!(
                        "src/{}:{}: {top} may not use crate::{module}",
                        relative.display(),
                        number + 1
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_top_level_module_has_a_place_in_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let top_level: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|entry| {
            entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_owned()
        })
        .filter(|name| !["lib", "main", "startup"].contains(&name.as_str()))
        .collect();
    let rules = allowed();
    for module in top_level {
        assert!(
            rules.contains_key(module.as_str()),
            "src/{module} is in no layer: add it to tests/layers.rs and ARCHITECTURE.md"
        );
    }
}

#[test]
fn the_rule_reads_paths_in_code_not_in_comments() {
    assert_eq!(
        imported_modules("use crate::domain::text::{utf16_len}; // see crate::bot"),
        ["domain"]
    );
    assert_eq!(
        imported_modules("    x: crate::services::A, y: crate::outbox::B"),
        ["services", "outbox"]
    );
}
