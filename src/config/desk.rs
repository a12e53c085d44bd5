//! How the desk routes and times tickets: CATEGORIES, SLA_POLICY,
//! BUSINESS_HOURS with HOLIDAYS, ASSIGN_MODE, WAITING_AUTO_CLOSE and
//! DAILY_REPORT_AT. All optional; unset, the desk behaves as before: one
//! main group, no clocks, staff assign by hand.

use std::fmt;
use std::time::Duration;

use chrono::NaiveTime;
use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{ConfigError, TechnicianConfig};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::callback::MAX_CATEGORIES;
use crate::domain::category::{
    AssignMode, CATEGORY_KEY_MAX_LEN, Category, CategoryNames, is_category_key, names_technician,
};
use crate::domain::duration::parse_duration;
use crate::domain::language::Language;
use crate::domain::sla::{PRIORITY_KEYS, SlaPolicy, SlaTargets};

#[derive(Debug, Clone)]
pub struct DeskSettings {
    /// CATEGORIES in the order given: the order of the buttons; the first is
    /// the one a ticket gets when the client picks none in time. Empty: no
    /// category choice.
    pub categories: Vec<Category>,
    /// SLA_POLICY; `None`: tickets have no SLA clocks.
    pub sla: Option<SlaPolicy>,
    /// BUSINESS_HOURS and HOLIDAYS; around the clock in UTC when unset. Also
    /// the time zone of daily statistics and of DAILY_REPORT_AT.
    pub calendar: BusinessCalendar,
    pub assign_mode: AssignMode,
    /// WAITING_AUTO_CLOSE: a ticket waiting this long (real time) for the
    /// client is closed. `None`: never.
    pub waiting_auto_close: Option<Duration>,
    /// DAILY_REPORT_AT: when managers get yesterday's summary, on the
    /// calendar's wall clock. `None`: no report.
    pub daily_report_at: Option<NaiveTime>,
    /// CATEGORY_TIMEOUT: how long the client has to pick a category before
    /// the ticket opens in the first one (2 minutes).
    pub category_timeout: Duration,
    /// KB_SUGGEST: whether a new ticket's first message is answered from
    /// the knowledge base first (`suggest`, the default, which does
    /// nothing while no article is published), and whether the ticket
    /// waits for the client's answer before it reaches the team (`hold`).
    pub kb_suggest: KbSuggest,
    /// KB_HOLD_TIMEOUT: how long a held ticket waits for «Помогло» before
    /// it opens anyway (3 minutes).
    pub kb_hold_timeout: Duration,
}

/// KB_SUGGEST's three modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KbSuggest {
    Off,
    #[default]
    Suggest,
    Hold,
}

impl KbSuggest {
    pub fn from_key(key: &str) -> Option<KbSuggest> {
        match key.to_ascii_lowercase().as_str() {
            "off" => Some(KbSuggest::Off),
            "suggest" => Some(KbSuggest::Suggest),
            "hold" => Some(KbSuggest::Hold),
            _ => None,
        }
    }
}

/// How long a ticket held for the knowledge base waits, unless
/// KB_HOLD_TIMEOUT says.
pub const DEFAULT_KB_HOLD_TIMEOUT: Duration = Duration::from_secs(180);

/// How long a client has to pick a category, unless CATEGORY_TIMEOUT says.
pub const DEFAULT_CATEGORY_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            categories: Vec::new(),
            sla: None,
            calendar: BusinessCalendar::default(),
            assign_mode: AssignMode::Manual,
            waiting_auto_close: None,
            daily_report_at: None,
            category_timeout: DEFAULT_CATEGORY_TIMEOUT,
            kb_suggest: KbSuggest::default(),
            kb_hold_timeout: DEFAULT_KB_HOLD_TIMEOUT,
        }
    }
}

impl DeskSettings {
    /// The category with this key.
    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|category| category.key == key)
    }

    /// The category a ticket gets when the client picks none in time.
    pub fn default_category(&self) -> Option<&Category> {
        self.categories.first()
    }

    /// The SLA targets of a priority key; `None` without SLA_POLICY or when
    /// it gives that priority none.
    pub fn sla_targets(&self, priority_key: &str) -> Option<SlaTargets> {
        self.sla.as_ref()?.targets(priority_key)
    }
}

/// The desk's keys as the user wrote them (already trimmed, empty = unset).
pub(super) struct DeskKeys {
    pub categories: Option<String>,
    pub sla_policy: Option<String>,
    pub business_hours: Option<String>,
    pub holidays: Option<String>,
    pub assign_mode: Option<String>,
    pub waiting_auto_close: Option<String>,
    pub daily_report_at: Option<String>,
    pub category_timeout: Option<String>,
    pub kb_suggest: Option<String>,
    pub kb_hold_timeout: Option<String>,
}

impl DeskKeys {
    /// Validates the keys; technicians are needed to check the categories'.
    pub(super) fn validate(
        self,
        technicians: &[TechnicianConfig],
    ) -> Result<DeskSettings, ConfigError> {
        let categories = match self.categories {
            Some(json) => parse_categories(&json, technicians)?,
            None => Vec::new(),
        };
        let sla = self
            .sla_policy
            .map(|json| SlaPolicy::parse(&json).map_err(|e| ConfigError::new("SLA_POLICY", e)))
            .transpose()?;
        let calendar = match (self.business_hours, self.holidays) {
            (None, None) => BusinessCalendar::always(),
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "HOLIDAYS",
                    "needs BUSINESS_HOURS, whose time zone its dates are in; for a desk open around the clock write BUSINESS_HOURS=Mon-Sun 00:00-24:00 Europe/Moscow (your zone)",
                ));
            }
            (Some(hours), holidays) => {
                // Read the hours alone first, so a mistake in the holidays
                // is reported under their own key.
                BusinessCalendar::parse(&hours, "")
                    .map_err(|e| ConfigError::new("BUSINESS_HOURS", e))?;
                BusinessCalendar::parse(&hours, holidays.as_deref().unwrap_or_default())
                    .map_err(|e| ConfigError::new("HOLIDAYS", e))?
            }
        };
        let assign_mode = match self.assign_mode {
            None => AssignMode::Manual,
            Some(value) => AssignMode::from_key(&value).ok_or_else(|| {
                ConfigError::new(
                    "ASSIGN_MODE",
                    format!("expected manual, round_robin or least_loaded, got {value:?}"),
                )
            })?,
        };
        let waiting_auto_close = match self.waiting_auto_close {
            None => None,
            Some(value) if value.eq_ignore_ascii_case("off") => None,
            Some(value) => {
                let duration = parse_duration(&value)
                    .map_err(|e| ConfigError::new("WAITING_AUTO_CLOSE", format!("{e}, or off")))?;
                if duration.is_zero() {
                    return Err(ConfigError::new(
                        "WAITING_AUTO_CLOSE",
                        "expected a duration longer than 0 like 3d, or off",
                    ));
                }
                Some(duration)
            }
        };
        let daily_report_at = match self.daily_report_at {
            None => None,
            Some(value) if value.eq_ignore_ascii_case("off") => None,
            Some(value) => Some(NaiveTime::parse_from_str(&value, "%H:%M").map_err(|_| {
                ConfigError::new(
                    "DAILY_REPORT_AT",
                    format!("expected a time of day HH:MM like 09:00, or off, got {value:?}"),
                )
            })?),
        };
        let category_timeout = match self.category_timeout {
            None => DEFAULT_CATEGORY_TIMEOUT,
            Some(value) => {
                parse_duration(&value).map_err(|e| ConfigError::new("CATEGORY_TIMEOUT", e))?
            }
        };
        let kb_suggest = match self.kb_suggest {
            None => KbSuggest::default(),
            Some(value) => KbSuggest::from_key(&value).ok_or_else(|| {
                ConfigError::new(
                    "KB_SUGGEST",
                    format!("expected off, suggest or hold, got {value:?}"),
                )
            })?,
        };
        let kb_hold_timeout = match self.kb_hold_timeout {
            None => DEFAULT_KB_HOLD_TIMEOUT,
            Some(value) => {
                let duration =
                    parse_duration(&value).map_err(|e| ConfigError::new("KB_HOLD_TIMEOUT", e))?;
                if duration.is_zero() {
                    return Err(ConfigError::new(
                        "KB_HOLD_TIMEOUT",
                        "expected a duration longer than 0 like 3m",
                    ));
                }
                duration
            }
        };
        Ok(DeskSettings {
            categories,
            sla,
            calendar,
            assign_mode,
            waiting_auto_close,
            daily_report_at,
            category_timeout,
            kb_suggest,
            kb_hold_timeout,
        })
    }
}

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

fn parse_categories(
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::{DateTime, Utc};

    use super::*;
    use crate::config::Settings;

    const TECHS: &str = r#"[{"name":"Ivan Petrov","username":"ivan","group_chat_id":-1002222222222},{"name":"Olga Smirnova","group_chat_id":-1004444444444}]"#;
    const TWO_CATEGORIES: &str = r#"[{"key":"billing","name":{"ru":"Оплата","en":"Billing","kk":"Төлем"},"emoji":"💳","priority":"high","technicians":["@ivan"],"main_group_id":-1003333333333},{"key":"tech","name":"Техника","emoji":"🛠","technicians":["Olga Smirnova","ivan"]}]"#;

    fn load(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut vars: HashMap<String, String> = [
            ("BOT_TOKEN", "123456:ABC-def_1"),
            ("MAIN_GROUP_ID", "-1001111111111"),
            ("TECH_GROUPS_MAPPING", TECHS),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Settings::from_vars(vars)
    }

    fn refused(extra: &[(&str, &str)], key: &str, expected: &str) {
        let err = load(extra).expect_err(expected);
        assert_eq!(err.key, key, "{err}");
        assert!(err.problem.contains(expected), "{err}");
        assert!(!err.to_string().contains('\n'), "one line: {err}");
    }

    #[test]
    fn without_desk_keys_the_desk_is_as_before() {
        let s = load(&[]).unwrap();
        assert!(s.desk.categories.is_empty());
        assert!(s.desk.sla.is_none());
        assert!(s.desk.calendar.is_always_open());
        assert_eq!(s.desk.assign_mode, AssignMode::Manual);
        assert_eq!(s.desk.waiting_auto_close, None);
        assert_eq!(s.desk.daily_report_at, None);
        assert_eq!(s.main_groups(), vec![-1001111111111]);
        assert_eq!(s.main_group_for(None), -1001111111111);
        let empty = load(&[
            ("CATEGORIES", ""),
            ("ASSIGN_MODE", ""),
            ("WAITING_AUTO_CLOSE", "off"),
            ("DAILY_REPORT_AT", "OFF"),
        ])
        .unwrap();
        assert!(empty.desk.categories.is_empty());
        assert_eq!(empty.desk.waiting_auto_close, None);
        assert_eq!(empty.desk.daily_report_at, None);
    }

    #[test]
    fn an_example_desk_of_two_categories_is_read() {
        let s = load(&[
            ("CATEGORIES", TWO_CATEGORIES),
            (
                "SLA_POLICY",
                r#"{"normal":{"first_response":"1h","resolution":"8h"},"high":{"first_response":"15m","resolution":"4h","warn_at":0.5}}"#,
            ),
            ("BUSINESS_HOURS", "Mon-Fri 09:00-18:00 Europe/Moscow"),
            ("HOLIDAYS", "2026-01-01,2026-01-02,2026-01-07"),
            ("ASSIGN_MODE", "round_robin"),
            ("WAITING_AUTO_CLOSE", "3d"),
            ("DAILY_REPORT_AT", "09:00"),
        ])
        .unwrap();
        let desk = &s.desk;
        assert_eq!(desk.categories.len(), 2);
        let billing = desk.category("billing").unwrap();
        assert_eq!(billing.label(Language::Ru), "💳 Оплата");
        assert_eq!(billing.label(Language::Kk), "💳 Төлем");
        assert_eq!(billing.priority.as_deref(), Some("high"));
        assert_eq!(billing.technicians, ["ivan"]);
        assert!(billing.is_handled_by("Ivan Petrov", Some("ivan")));
        assert!(!billing.is_handled_by("Olga Smirnova", None));
        let tech = desk.category("tech").unwrap();
        assert_eq!(tech.name(Language::En), "Техника");
        assert_eq!(tech.priority, None);
        assert_eq!(
            desk.default_category().map(|c| c.key.as_str()),
            Some("billing")
        );
        assert_eq!(desk.sla_targets("high").unwrap().warn_at, 0.5);
        assert_eq!(desk.sla_targets("low"), None);
        assert_eq!(desk.calendar.time_zone(), chrono_tz::Europe::Moscow);
        assert_eq!(desk.calendar.holidays().count(), 3);
        assert_eq!(desk.assign_mode, AssignMode::RoundRobin);
        assert_eq!(
            desk.waiting_auto_close,
            Some(Duration::from_secs(3 * 86_400))
        );
        assert_eq!(desk.daily_report_at, NaiveTime::from_hms_opt(9, 0, 0));
        assert_eq!(s.main_groups(), vec![-1001111111111, -1003333333333]);
        assert_eq!(s.main_group_for(Some("billing")), -1003333333333);
        assert_eq!(s.main_group_for(Some("tech")), -1001111111111);
        assert_eq!(s.main_group_for(Some("gone")), -1001111111111);
    }

    #[test]
    fn main_groups_are_listed_once_each() {
        let s = load(&[(
            "CATEGORIES",
            r#"[{"key":"a","name":"A","main_group_id":-1005},{"key":"b","name":"B","main_group_id":-1001111111111},{"key":"c","name":"C","main_group_id":-1005},{"key":"d","name":"D","main_group_id":-1006}]"#,
        )])
        .unwrap();
        assert_eq!(s.main_groups(), vec![-1001111111111, -1005, -1006]);
    }

    #[test]
    fn a_category_naming_an_unknown_technician_says_which() {
        refused(
            &[(
                "CATEGORIES",
                r#"[{"key":"billing","name":"Оплата","technicians":["ivan","petr"]}]"#,
            )],
            "CATEGORIES",
            r#"category #1: "billing": technician "petr" is not in TECH_GROUPS_MAPPING"#,
        );
    }

    #[test]
    fn malformed_categories_are_refused_with_their_number() {
        let cases = [
            ("{}", "expected a JSON array like"),
            (r#"[{"name":"x"}]"#, "category #1: missing field `key`"),
            (
                r#"[{"key":"a","name":"A"},{"key":"Bad Key","name":"B"}]"#,
                "category #2: key \"Bad Key\"",
            ),
            (
                r#"[{"key":"a","name":"A"},{"key":"a","name":"B"}]"#,
                "key \"a\" is used twice",
            ),
            (r#"[{"key":"a","name":" "}]"#, "a name is empty"),
            (r#"[{"key":"a","name":{}}]"#, "name has no language"),
            (
                r#"[{"key":"a","name":{"ru":"А","de":"A"}}]"#,
                "name in \"de\"",
            ),
            (r#"[{"key":"a","name":42}]"#, "names by language"),
            (
                r#"[{"key":"a","name":"A","priority":"asap"}]"#,
                "priority \"asap\"",
            ),
            (
                r#"[{"key":"a","name":"A","main_group_id":42}]"#,
                "main_group_id 42: expected a negative",
            ),
            (
                r#"[{"key":"a","name":"A","main_group_id":-1002222222222}]"#,
                "is the group of technician \"Ivan Petrov\"",
            ),
            (
                r#"[{"key":"a","name":"A","colour":"red"}]"#,
                "unknown field `colour`",
            ),
        ];
        for (json, expected) in cases {
            refused(&[("CATEGORIES", json)], "CATEGORIES", expected);
        }
    }

    #[test]
    fn localised_names_fall_back_to_the_first_given_in_its_order() {
        let s = load(&[(
            "CATEGORIES",
            r#"[{"key":"a","name":{"en":"Billing","ru":"Оплата"}}]"#,
        )])
        .unwrap();
        let category = &s.desk.categories[0];
        assert_eq!(category.name(Language::Kk), "Billing");
        assert_eq!(category.name(Language::Ru), "Оплата");
    }

    #[test]
    fn bad_service_level_keys_name_themselves() {
        refused(
            &[(
                "SLA_POLICY",
                r#"{"normal":{"first_response":"soon","resolution":"8h"}}"#,
            )],
            "SLA_POLICY",
            "normal.first_response",
        );
        refused(
            &[("BUSINESS_HOURS", "Mon-Fri 09:00-18:00")],
            "BUSINESS_HOURS",
            "IANA time zone",
        );
        refused(
            &[
                ("BUSINESS_HOURS", "Mon-Fri 09:00-18:00 UTC"),
                ("HOLIDAYS", "2026-02-30"),
            ],
            "HOLIDAYS",
            "\"2026-02-30\" is not a date",
        );
        refused(
            &[("HOLIDAYS", "2026-01-01")],
            "HOLIDAYS",
            "needs BUSINESS_HOURS",
        );
        refused(
            &[("ASSIGN_MODE", "random")],
            "ASSIGN_MODE",
            "expected manual, round_robin or least_loaded",
        );
        refused(
            &[("WAITING_AUTO_CLOSE", "3 days")],
            "WAITING_AUTO_CLOSE",
            "like 30s",
        );
        refused(
            &[("WAITING_AUTO_CLOSE", "0s")],
            "WAITING_AUTO_CLOSE",
            "longer than 0",
        );
        refused(&[("DAILY_REPORT_AT", "9am")], "DAILY_REPORT_AT", "HH:MM");
        refused(&[("DAILY_REPORT_AT", "24:00")], "DAILY_REPORT_AT", "HH:MM");
    }

    #[test]
    fn the_daily_report_time_is_on_the_business_clock() {
        let s = load(&[
            ("BUSINESS_HOURS", "Mon-Fri 09:00-18:00 Asia/Almaty"),
            ("DAILY_REPORT_AT", "9:30"),
        ])
        .unwrap();
        let at = s.desk.daily_report_at.unwrap();
        let after: DateTime<Utc> = "2026-01-16T00:00:00Z".parse().unwrap();
        let next = s.desk.calendar.next_local_time(after, at);
        assert_eq!(
            s.desk.calendar.to_local(next).format("%H:%M").to_string(),
            "09:30"
        );
        assert!(next > after);
    }

    /// The examples in `.env.example` are what users copy: they must load.
    #[test]
    fn the_examples_in_env_example_load_together() {
        let example = include_str!("../../.env.example");
        let wanted = [
            "TECH_GROUPS_MAPPING",
            "CATEGORIES",
            "SLA_POLICY",
            "BUSINESS_HOURS",
            "HOLIDAYS",
            "DAILY_REPORT_AT",
        ];
        let mut found: Vec<(&str, &str)> = Vec::new();
        for line in example.lines() {
            let Some((key, value)) = line
                .trim_start_matches('#')
                .trim()
                .trim_start_matches("Example:")
                .trim()
                .split_once('=')
            else {
                continue;
            };
            if wanted.contains(&key) && !value.is_empty() {
                found.push((key, value.trim_matches('\'')));
            }
        }
        let keys: Vec<_> = found.iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, wanted, "one example of each");
        let s = load(&found).unwrap();
        assert_eq!(s.desk.categories.len(), 2);
        assert_eq!(s.main_groups().len(), 2);
        assert!(s.desk.sla.is_some());
        assert!(!s.desk.calendar.is_always_open());
        assert!(s.desk.daily_report_at.is_some());
    }

    /// So is the example desk in the README.
    #[test]
    fn the_example_desk_in_the_readme_loads() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("```sh\nMAIN_GROUP_ID=")
            .expect("the README shows an example desk");
        let block = &readme[start + "```sh\n".len()..];
        let block = &block[..block.find("```").expect("the block ends")];
        let pairs: Vec<(&str, &str)> = block
            .lines()
            .filter_map(|line| line.split_once('='))
            .map(|(key, value)| (key, value.trim_matches('\'')))
            .collect();
        assert_eq!(pairs.len(), 9);
        let s = load(&pairs).unwrap();
        let billing = s.desk.category("billing").unwrap();
        let targets = s
            .desk
            .sla_targets(billing.priority.as_deref().unwrap())
            .unwrap();
        let opened = s
            .desk
            .calendar
            .start_of_local_day(chrono::NaiveDate::from_ymd_opt(2026, 1, 16).unwrap())
            + chrono::TimeDelta::minutes(17 * 60 + 50);
        let due = s.desk.calendar.add(opened, targets.first_response);
        assert_eq!(
            s.desk.calendar.to_local(due).format("%a %H:%M").to_string(),
            "Mon 09:20"
        );
    }

    #[test]
    fn default_desk_settings_suit_tests() {
        let desk = DeskSettings::default();
        assert!(desk.categories.is_empty() && desk.sla.is_none());
        assert!(desk.calendar.is_always_open());
        assert_eq!(desk.assign_mode, AssignMode::Manual);
    }
}
