use super::*;

fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn minimal() -> Vec<(&'static str, &'static str)> {
    vec![
        ("BOT_TOKEN", "123456:ABC-def_1"),
        ("MAIN_GROUP_ID", "-1001234567890"),
    ]
}

fn load(extra: &[(&'static str, &'static str)]) -> Result<Settings, ConfigError> {
    let mut pairs = minimal();
    pairs.extend_from_slice(extra);
    Settings::from_vars(vars(&pairs))
}

#[test]
fn minimal_settings_use_the_embedded_defaults() {
    let s = load(&[]).unwrap();
    assert_eq!(s.main_group_id, -1001234567890);
    assert_eq!(s.database.url.expose_secret(), DEFAULT_DATABASE_URL);
    assert!(s.store.redis_url.is_none());
    assert!(s.webhook.is_none());
    assert_eq!(s.http.port, 8080);
    assert_eq!(s.language, Language::Ru);
    assert_eq!(s.log_format, LogFormat::Json);
    assert_eq!(s.telegram.api_url.as_str(), "https://api.telegram.org/");
}

#[test]
fn a_missing_token_names_its_key() {
    let err = Settings::from_vars(vars(&[("MAIN_GROUP_ID", "-100")])).unwrap_err();
    assert_eq!(err.key, "BOT_TOKEN");
}

#[test]
fn a_malformed_group_id_names_its_key_and_the_value() {
    let err = load(&[("MAIN_GROUP_ID", "main")]).unwrap_err();
    assert_eq!(err.key, "MAIN_GROUP_ID");
    assert!(err.problem.contains("\"main\""), "{err}");
    let err = load(&[("MAIN_GROUP_ID", "42")]).unwrap_err();
    assert!(err.problem.contains("negative"), "{err}");
}

#[test]
fn the_webhook_needs_a_well_formed_secret() {
    let err = load(&[("WEBHOOK_URL", "https://bot.example.com")]).unwrap_err();
    assert_eq!(err.key, "WEBHOOK_SECRET");
    let err = load(&[
        ("WEBHOOK_URL", "https://bot.example.com"),
        ("WEBHOOK_SECRET", "has spaces"),
    ])
    .unwrap_err();
    assert_eq!(err.key, "WEBHOOK_SECRET");
    let s = load(&[
        ("WEBHOOK_URL", "https://bot.example.com/"),
        ("WEBHOOK_SECRET", "s3cr3t_-X"),
    ])
    .unwrap();
    assert_eq!(
        s.webhook.unwrap().endpoint(),
        "https://bot.example.com/webhook/s3cr3t_-X"
    );
}

#[test]
fn technicians_are_parsed_and_normalised() {
    let s = load(&[(
        "TECH_GROUPS_MAPPING",
        r#"[{"name":" Ivan Petrov ","username":"@ivan","tg_user_id":111,"group_chat_id":-1002222},{"name":"Olga","group_chat_id":-1003333}]"#,
    )])
    .unwrap();
    assert_eq!(s.technicians.len(), 2);
    assert_eq!(s.technicians[0].name, "Ivan Petrov");
    assert_eq!(s.technicians[0].username.as_deref(), Some("ivan"));
    assert_eq!(s.technicians[1].tg_user_id, None);
}

#[test]
fn a_broken_technician_mapping_names_its_key() {
    let err = load(&[("TECH_GROUPS_MAPPING", "[{\"name\":\"x\"}]")]).unwrap_err();
    assert_eq!(err.key, "TECH_GROUPS_MAPPING");
    assert!(err.problem.contains("group_chat_id"), "{err}");
}

#[test]
fn admin_ids_are_a_comma_separated_list() {
    let s = load(&[("ADMIN_IDS", "111, 222,")]).unwrap();
    assert_eq!(s.admin_ids, vec![111, 222]);
    let err = load(&[("ADMIN_IDS", "111,bob")]).unwrap_err();
    assert_eq!(err.key, "ADMIN_IDS");
}

#[test]
fn postgres_parts_build_a_database_url() {
    let s = load(&[
        ("POSTGRES_HOST", "db"),
        ("POSTGRES_USER", "desk"),
        ("POSTGRES_PASSWORD", "p@ss word"),
        ("POSTGRES_DB", "helpdesk"),
    ])
    .unwrap();
    assert_eq!(
        s.database.url.expose_secret(),
        "postgres://desk:p%40ss%20word@db:5432/helpdesk"
    );
}

#[test]
fn redis_parts_build_a_redis_url() {
    let s = load(&[
        ("REDIS_HOST", "cache"),
        ("REDIS_PASSWORD", "pw"),
        ("REDIS_DB", "2"),
    ])
    .unwrap();
    assert_eq!(
        s.store.redis_url.unwrap().expose_secret(),
        "redis://:pw@cache:6379/2"
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let s = load(&[
        ("WEBHOOK_URL", "https://bot.example.com"),
        ("WEBHOOK_SECRET", "webhooksecretvalue"),
        ("DATABASE_URL", "postgres://u:dbpasswordvalue@h/d"),
        ("SHEETS_CREDS", "sheetskeyvalue"),
    ])
    .unwrap();
    let printed = format!("{s:?}");
    for secret in [
        "ABC-def_1",
        "webhooksecretvalue",
        "dbpasswordvalue",
        "sheetskeyvalue",
    ] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
    }
}

#[test]
fn unknown_language_and_log_format_are_refused() {
    assert_eq!(
        load(&[("BOT_LANGUAGE", "de")]).unwrap_err().key,
        "BOT_LANGUAGE"
    );
    assert_eq!(
        load(&[("LOG_FORMAT", "xml")]).unwrap_err().key,
        "LOG_FORMAT"
    );
    assert_eq!(
        load(&[("TELEGRAM_FLOOD_LIMITS", "sometimes")])
            .unwrap_err()
            .key,
        "TELEGRAM_FLOOD_LIMITS"
    );
    assert_eq!(
        load(&[("TELEGRAM_FLOOD_LIMITS", "OFF")]).unwrap().limits,
        crate::domain::limits::Limits::unlimited()
    );
    assert_eq!(
        load(&[]).unwrap().limits,
        crate::domain::limits::Limits::telegram()
    );
    assert_eq!(
        load(&[("BOT_LANGUAGE", "EN")]).unwrap().language,
        Language::En
    );
}

#[test]
fn a_short_webhook_secret_is_a_warning_that_names_the_key_not_the_value() {
    let s = load(&[
        ("WEBHOOK_URL", "https://bot.example.com"),
        ("WEBHOOK_SECRET", "hunter2_short"),
    ])
    .unwrap();
    let warnings = s.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].key, "WEBHOOK_SECRET");
    assert!(
        !warnings[0].to_string().contains("hunter2"),
        "{}",
        warnings[0]
    );

    let long = load(&[
        ("WEBHOOK_URL", "https://bot.example.com"),
        ("WEBHOOK_SECRET", "0123456789abcdef"),
    ])
    .unwrap();
    assert!(long.warnings().is_empty());
    // Without a webhook the secret is not used.
    let polling = load(&[("WEBHOOK_SECRET", "short")]).unwrap();
    assert!(polling.warnings().is_empty());
}

#[test]
fn the_knowledge_base_suggests_by_default_and_holds_for_three_minutes() {
    let s = load(&[]).unwrap();
    assert_eq!(s.desk.kb_suggest, KbSuggest::Suggest);
    assert_eq!(s.desk.kb_hold_timeout, std::time::Duration::from_secs(180));
    let s = load(&[("KB_SUGGEST", "HOLD"), ("KB_HOLD_TIMEOUT", "90s")]).unwrap();
    assert_eq!(s.desk.kb_suggest, KbSuggest::Hold);
    assert_eq!(s.desk.kb_hold_timeout, std::time::Duration::from_secs(90));
    assert_eq!(
        load(&[("KB_SUGGEST", "off")]).unwrap().desk.kb_suggest,
        KbSuggest::Off
    );
    assert_eq!(
        load(&[("KB_SUGGEST", "always")]).unwrap_err().key,
        "KB_SUGGEST"
    );
    assert_eq!(
        load(&[("KB_HOLD_TIMEOUT", "0s")]).unwrap_err().key,
        "KB_HOLD_TIMEOUT"
    );
}

#[test]
fn updates_in_memory_defaults_to_sixteen_and_refuses_zero() {
    assert_eq!(load(&[]).unwrap().intake.queue_capacity, 16);
    assert_eq!(
        load(&[("UPDATES_IN_MEMORY", "32")])
            .unwrap()
            .intake
            .queue_capacity,
        32
    );
    for bad in ["0", "many"] {
        let error = load(&[("UPDATES_IN_MEMORY", bad)]).unwrap_err();
        assert!(error.to_string().contains("UPDATES_IN_MEMORY"), "{error}");
    }
}
