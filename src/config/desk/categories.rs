//! CATEGORIES: the JSON array as written, checked against the technicians.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::config::{ConfigError, TechnicianConfig};
use crate::domain::callback::MAX_CATEGORIES;
use crate::domain::category::{
    CATEGORY_KEY_MAX_LEN, Category, CategoryNames, is_category_key, names_technician,
};
use crate::domain::language::Language;
use crate::domain::sla::PRIORITY_KEYS;

const CATEGORIES_EXAMPLE: &str = r#"[{"key":"billing","name":"Оплата","emoji":"💳","priority":"normal","technicians":["ivan"],"main_group_id":-1003333333333}]"#;

/// One element of CATEGORIES as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    key: String,
    name: RawNames,
    #[serde(default)]
    emoji: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    technicians: Vec<String>,
    #[serde(default)]
    main_group_id: Option<i64>,
}

/// `"Оплата"` or `{"ru":"Оплата","en":"Billing"}`, keeping the order of
/// the object: the first name given is every other language's.
enum RawNames {
    Same(String),
    PerLanguage(Vec<(String, String)>),
}

impl<'de> Deserialize<'de> for RawNames {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NamesVisitor;

        impl<'de> Visitor<'de> for NamesVisitor {
            type Value = RawNames;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(r#"a name, or names by language like {"ru":"Оплата","en":"Billing"}"#)
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<RawNames, E> {
                Ok(RawNames::Same(name.to_owned()))
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNames, A::Error> {
                let mut names = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    names.push(entry);
                }
                Ok(RawNames::PerLanguage(names))
            }
        }

        deserializer.deserialize_any(NamesVisitor)
    }
}

pub(super) fn parse_categories(
    json: &str,
    technicians: &[TechnicianConfig],
) -> Result<Vec<Category>, ConfigError> {
    let fail = |problem: String| ConfigError::new("CATEGORIES", problem);
    // Each element is read on its own, so an error can say which one.
    let elements: Vec<&RawValue> = serde_json::from_str(json).map_err(|e| {
        fail(format!(
            "expected a JSON array like {CATEGORIES_EXAMPLE}: {e}"
        ))
    })?;
    if elements.len() > MAX_CATEGORIES {
        return Err(fail(format!(
            "{} categories; at most {MAX_CATEGORIES} fit on the buttons",
            elements.len()
        )));
    }
    let mut categories: Vec<Category> = Vec::with_capacity(elements.len());
    for (index, element) in elements.into_iter().enumerate() {
        let raw: RawCategory = serde_json::from_str(element.get())
            .map_err(|e| fail(format!("category #{}: {e}", index + 1)))?;
        let category = check_category(raw, technicians)
            .map_err(|problem| fail(format!("category #{}: {problem}", index + 1)))?;
        if categories.iter().any(|other| other.key == category.key) {
            return Err(fail(format!(
                "category #{}: key {:?} is used twice; keys must be unique",
                index + 1,
                category.key
            )));
        }
        categories.push(category);
    }
    Ok(categories)
}

fn check_category(raw: RawCategory, technicians: &[TechnicianConfig]) -> Result<Category, String> {
    let key = raw.key.trim().to_owned();
    if !is_category_key(&key) {
        return Err(format!(
            "key {key:?}: expected 1–{CATEGORY_KEY_MAX_LEN} characters of a-z 0-9 _ -"
        ));
    }
    let names = match raw.name {
        RawNames::Same(name) => CategoryNames::Same(non_empty_name(&key, &name)?),
        RawNames::PerLanguage(pairs) => {
            if pairs.is_empty() {
                return Err(format!(
                    "{key:?}: name has no language; give at least one of ru, kk, en"
                ));
            }
            let mut names = Vec::with_capacity(pairs.len());
            for (code, name) in pairs {
                let language = Language::ALL
                    .into_iter()
                    .find(|language| language.code() == code.trim())
                    .ok_or_else(|| {
                        format!("{key:?}: name in {code:?}: expected the languages ru, kk or en")
                    })?;
                names.push((language, non_empty_name(&key, &name)?));
            }
            CategoryNames::PerLanguage(names)
        }
    };
    let emoji = raw
        .emoji
        .map(|e| e.trim().to_owned())
        .filter(|e| !e.is_empty());
    let priority = match raw.priority {
        None => None,
        Some(value) => {
            let value = value.trim().to_ascii_lowercase();
            if !PRIORITY_KEYS.contains(&value.as_str()) {
                return Err(format!(
                    "{key:?}: priority {value:?}: expected low, normal, high or urgent"
                ));
            }
            Some(value)
        }
    };
    let mut listed = Vec::with_capacity(raw.technicians.len());
    for entry in raw.technicians {
        let entry = entry.trim().trim_start_matches('@').to_owned();
        let known = technicians
            .iter()
            .any(|tech| names_technician(&entry, &tech.name, tech.username.as_deref()));
        if !known {
            return Err(format!(
                "{key:?}: technician {entry:?} is not in TECH_GROUPS_MAPPING (by username or name)"
            ));
        }
        listed.push(entry);
    }
    if let Some(id) = raw.main_group_id {
        if id >= 0 {
            return Err(format!(
                "{key:?}: main_group_id {id}: expected a negative supergroup id like -1001234567890"
            ));
        }
        if let Some(tech) = technicians.iter().find(|tech| tech.group_chat_id == id) {
            return Err(format!(
                "{key:?}: main_group_id {id} is the group of technician {:?}; a main group must be a group of its own",
                tech.name
            ));
        }
    }
    Ok(Category {
        key,
        names,
        emoji,
        priority,
        technicians: listed,
        main_group_id: raw.main_group_id,
    })
}

fn non_empty_name(key: &str, name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("{key:?}: a name is empty"));
    }
    Ok(name.to_owned())
}
