//! The command menus set at start, per audience.

use serde_json::json;

use crate::support::{AppOptions, Desk, WAIT};

fn names(commands: Vec<(String, String)>) -> Vec<String> {
    commands.into_iter().map(|(name, _)| name).collect()
}

#[tokio::test]
async fn clients_the_main_group_and_managers_each_get_their_menu() {
    let desk = Desk::open_with(AppOptions {
        vars: vec![("ADMIN_IDS".into(), "777".into())],
        ..AppOptions::default()
    })
    .await;
    desk.fake()
        .wait_until(WAIT, |w| w.command_sets().len() == 4)
        .await
        .expect("four menus are set");
    let main = desk.main_group();
    let menu = |scope| {
        names(
            desk.fake()
                .my_commands(Some(scope), None)
                .unwrap_or_default(),
        )
    };

    assert_eq!(
        menu(json!({"type": "all_private_chats"})),
        ["start", "help", "close"]
    );
    assert_eq!(
        menu(json!({"type": "chat", "chat_id": main})),
        ["close", "priority", "category", "wait", "kb"]
    );
    let manager_private = menu(json!({"type": "chat", "chat_id": 777}));
    assert_eq!(
        manager_private,
        [
            "start",
            "help",
            "close",
            "techs",
            "tickets",
            "ticket",
            "find",
            "stats",
            "tech_on",
            "tech_off",
            "failed",
            "resend",
            "ban",
            "unban",
            "banned",
            "app",
            "api_token",
            "kb_save",
            "kb_list",
            "kb_show",
            "kb_delete"
        ]
    );
    let manager_in_group = menu(json!({"type": "chat_member", "chat_id": main, "user_id": 777}));
    assert_eq!(manager_in_group[0], "close");
    assert!(manager_in_group.contains(&"stats".to_owned()));
    // The Mini App's button and new tokens belong in the private chat.
    assert!(!manager_in_group.contains(&"app".to_owned()));
    assert!(!manager_in_group.contains(&"api_token".to_owned()));

    // Descriptions are in the configured language (Russian by default).
    let private = desk
        .fake()
        .my_commands(Some(json!({"type": "all_private_chats"})), None)
        .unwrap();
    assert_eq!(private[2].1, desk.texts.command_description("close"));
    assert_eq!(private[2].1, "Закрыть обращение");
}
