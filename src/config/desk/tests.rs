use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::*;
use crate::config::Settings;
use crate::domain::language::Language;

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
    let example = include_str!("../../../.env.example");
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
    let readme = include_str!("../../../README.md");
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
