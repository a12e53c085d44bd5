//! Clients are answered in their own language (Russian, Kazakh or English,
//! as their Telegram app reports it; anything else gets BOT_LANGUAGE), while
//! the team reads BOT_LANGUAGE.

use fake_telegram::UserSpec;
use topicdesk::config::Language;
use topicdesk::texts::Texts;

use crate::support::{AppOptions, Desk, WAIT};

/// A new client speaking `language_code` who writes `text`; waits for the
/// ticket's topic and its card, as staff would see them, and returns the
/// client. (The topic shows in the fake the moment Telegram creates it; the
/// bot records it a moment later and only then posts the card, so a command
/// sent before the card could land in a topic the bot does not know yet.)
async fn client_writes(desk: &Desk, name: &str, language_code: &str, text: &str) -> i64 {
    let client = desk.new_client_writes(UserSpec::new(name).language_code(language_code), text);
    let topic = desk.wait_for_topic_of(name).await;
    desk.wait_for_topic_messages(desk.main_group(), topic.thread_id, 2)
        .await;
    client
}

async fn wait_for_text(desk: &Desk, chat: i64, text: &str) {
    desk.fake()
        .wait_until(WAIT, |w| w.texts(chat).iter().any(|t| t == text))
        .await
        .unwrap_or_else(|_| panic!("{text:?} in {:?}", desk.fake().texts(chat)));
}

#[tokio::test]
async fn a_kazakh_client_gets_the_acknowledgement_closing_and_survey_in_kazakh() {
    let desk = Desk::open().await;
    let kk = Texts::new(Language::Kk);
    let client = client_writes(&desk, "Айгүл", "kk", "Сәлеметсіз бе, төлем өтпей жатыр").await;
    wait_for_text(&desk, client, &kk.ticket_opened_ack(1)).await;
    // The team's topic keeps the staff's language.
    let topic = desk.wait_for_topic_of("Айгүл").await;
    assert!(topic.name.starts_with("🟢 [Новый] #1"), "{}", topic.name);

    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .command("/close");
    wait_for_text(&desk, client, &kk.closed_for_client(1)).await;
    wait_for_text(&desk, client, kk.survey_question(1)).await;
    let question = desk
        .fake()
        .bot_messages(client)
        .into_iter()
        .find(|m| m.text() == Some(kk.survey_question(1)))
        .unwrap();
    let answer = desk.client_presses(client, question.id(), "4").await;
    assert_eq!(answer.text.as_deref(), Some(kk.survey_recorded(4).as_str()));
    wait_for_text(&desk, client, kk.survey_question(2)).await;
    assert_ne!(kk.survey_question(2), desk.texts.survey_question(2));
}

#[tokio::test]
async fn a_client_in_another_language_gets_the_bots_language() {
    let desk = Desk::open().await;
    let client = client_writes(&desk, "Hans", "de", "Hallo").await;
    wait_for_text(&desk, client, &desk.texts.ticket_opened_ack(1)).await;

    let english = Desk::open_with(AppOptions {
        vars: vec![("BOT_LANGUAGE".into(), "en".into())],
        ..AppOptions::default()
    })
    .await;
    let en = Texts::new(Language::En);
    let client = client_writes(&english, "Greta", "de", "Hallo").await;
    wait_for_text(&english, client, &en.ticket_opened_ack(1)).await;
    let topic = english.wait_for_topic_of("Greta").await;
    assert!(topic.name.starts_with("🟢 [New] #1"), "{}", topic.name);
}

#[tokio::test]
async fn an_english_client_of_a_russian_desk_is_greeted_in_english() {
    let desk = Desk::open().await;
    let client = desk
        .fake()
        .add_user(UserSpec::new("Mary").language_code("en-GB"));
    desk.fake().user(client).in_private().command("/start");
    wait_for_text(&desk, client, Texts::new(Language::En).greeting()).await;
}
