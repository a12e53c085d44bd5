//! Checks across the locale files and every area's texts: a translation
//! that is missing, left over, or renders with a Fluent error shows up
//! here, named, before any chat sees it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::Entry;

use super::{Texts, admin, kb, levels, menus, survey, tests as client_and_team, web};
use crate::domain::language::Language;

/// The locale files of each language, by area. The loader finds a new file
/// only when the crate is compiled again, which editing this list does.
const AREAS: [&str; 7] = ["client", "survey", "team", "admin", "menus", "web", "kb"];

/// Letters Kazakh has and Russian does not.
const KAZAKH_LETTERS: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";

/// The Rust side of the texts, where every message id must be used.
const SOURCES: [&str; 11] = [
    include_str!("mod.rs"),
    include_str!("client_and_team.rs"),
    include_str!("tests.rs"),
    include_str!("kb.rs"),
    include_str!("admin/mod.rs"),
    include_str!("admin/figures.rs"),
    include_str!("admin/tests.rs"),
    include_str!("levels.rs"),
    include_str!("survey.rs"),
    include_str!("menus.rs"),
    include_str!("web.rs"),
];

fn locale_file(language: Language, area: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(language.code())
        .join(format!("{area}.ftl"))
}

/// The keys a locale file defines: `id` for a message with a value, and
/// `id.attribute` for each attribute. Terms (`-name`) are a language's own
/// business and need no counterpart.
fn keys(language: Language, area: &str) -> BTreeSet<String> {
    let path = locale_file(language, area);
    let source = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let resource = fluent_syntax::parser::parse(source.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", path.display()));
    let mut keys = BTreeSet::new();
    for entry in resource.body {
        if let Entry::Message(message) = entry {
            let id = message.id.name;
            if message.value.is_some() {
                keys.insert(id.to_owned());
            }
            for attribute in message.attributes {
                keys.insert(format!("{id}.{}", attribute.id.name));
            }
        }
    }
    keys
}

/// Every text of every area in one language, with sample arguments.
fn every_text(texts: Texts) -> Vec<String> {
    [
        client_and_team::all_texts(texts),
        survey::tests::all_texts(texts),
        admin::tests::all_texts(texts),
        menus::tests::all_texts(texts),
        web::tests::all_texts(texts),
        levels::tests::all_texts(texts),
        kb::tests::all_texts(texts),
    ]
    .concat()
}

#[test]
fn every_language_has_the_same_locale_files() {
    for language in Language::ALL {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(language.code());
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut expected: Vec<String> = AREAS.iter().map(|area| format!("{area}.ftl")).collect();
        expected.sort();
        assert_eq!(files, expected, "locales/{language}/");
    }
}

#[test]
fn every_message_and_attribute_exists_in_every_language() {
    let mut missing = Vec::new();
    for area in AREAS {
        let by_language: Vec<(Language, BTreeSet<String>)> = Language::ALL
            .into_iter()
            .map(|language| (language, keys(language, area)))
            .collect();
        let all: BTreeSet<&String> = by_language.iter().flat_map(|(_, keys)| keys).collect();
        for (language, keys) in &by_language {
            for key in all.iter().filter(|key| !keys.contains(**key)) {
                missing.push(format!(
                    "`{key}` is missing in locales/{language}/{area}.ftl"
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn no_message_is_defined_in_two_areas() {
    // The loader puts a language's files into one bundle, and a second
    // definition of an id would make it panic on first use.
    for language in Language::ALL {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for area in AREAS {
            for key in keys(language, area) {
                if let Some(first) = seen.insert(key.clone(), area) {
                    panic!("`{key}` is defined in both {first}.ftl and {area}.ftl ({language})");
                }
            }
        }
    }
}

#[test]
fn every_message_is_used_by_a_method() {
    let unused: Vec<String> = AREAS
        .iter()
        .flat_map(|area| keys(Language::Ru, area))
        .filter(|key| {
            let literal = format!("\"{key}\"");
            !SOURCES.iter().any(|source| source.contains(&literal))
        })
        .collect();
    assert!(unused.is_empty(), "no method renders {unused:?}");
}

#[test]
fn no_text_carries_a_fluent_error_marker_or_isolation_marks() {
    for language in Language::ALL {
        for text in every_text(Texts::new(language)) {
            assert!(!text.trim().is_empty(), "a blank text in {language}");
            // Fluent writes `{$name}` or `{message}` where it could not resolve a reference.
            assert!(!text.contains(['{', '}']), "{language}: {text}");
            assert!(
                !text.contains(['\u{2068}', '\u{2069}']),
                "{language}: {text:?}"
            );
        }
    }
}

#[test]
fn english_has_no_cyrillic_and_kazakh_is_kazakh() {
    let is_cyrillic = |c: char| ('\u{0400}'..='\u{04FF}').contains(&c);
    for text in every_text(Texts::new(Language::En)) {
        assert!(!text.chars().any(is_cyrillic), "{text}");
    }

    let kazakh = every_text(Texts::new(Language::Kk));
    let letters: BTreeSet<char> = kazakh
        .iter()
        .flat_map(|text| text.chars())
        .filter(|c| KAZAKH_LETTERS.contains(*c))
        .collect();
    assert!(letters.len() >= 6, "few Kazakh letters: {letters:?}");

    // A sentence copied over from Russian is a translation still to do.
    let russian = every_text(Texts::new(Language::Ru));
    let copied: Vec<&String> = kazakh
        .iter()
        .zip(&russian)
        .filter(|(kk, ru)| kk == ru && kk.chars().filter(|c| is_cyrillic(*c)).count() > 12)
        .map(|(kk, _)| kk)
        .collect();
    assert!(copied.is_empty(), "not translated: {copied:?}");
}

#[test]
fn a_text_with_no_arguments_is_the_same_every_time() {
    // Such texts are rendered once per language and kept: the second call
    // must not hand out another language's text.
    let first: Vec<&str> = Language::ALL
        .into_iter()
        .map(|language| Texts::new(language).greeting())
        .collect();
    let again: Vec<&str> = Language::ALL
        .into_iter()
        .map(|language| Texts::new(language).greeting())
        .collect();
    assert_eq!(first, again);
    assert_eq!(
        first.iter().collect::<BTreeSet<_>>().len(),
        Language::ALL.len()
    );
}
