//! The HTTP surface: routing, tokens, body encodings, error shapes, and the
//! validation Telegram applies to what the bot sends.

mod common;

use common::{bot, call, http};
use fake_telegram::{FakeTelegram, GroupSpec, UserSpec};
use serde_json::{Value, json};
use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode, ThreadId};
use teloxide::{ApiError, RequestError};

#[tokio::test]
async fn method_names_are_case_insensitive() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    for method in ["sendMessage", "SendMessage", "SENDMESSAGE", "sendmessage"] {
        let (status, body) = call(&tg, method, json!({ "chat_id": alice, "text": method })).await;
        assert_eq!(status, 200, "{method}: {body}");
        assert_eq!(body["ok"], true);
        assert_eq!(body["result"]["text"], method);
    }
    let calls = tg.calls_to("SendMessage");
    assert_eq!(calls.len(), 4);
    assert!(calls.iter().all(|c| c.method == "sendmessage"));
}

#[tokio::test]
async fn a_wrong_token_gets_401_and_an_unknown_method_404() {
    let tg = FakeTelegram::start().await;
    let url = format!("{}/bot4242:wrong/getMe", tg.api_url());
    let response = http().post(url).send().await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 401, "description": "Unauthorized" })
    );

    let (status, body) = call(&tg, "sendTelepathy", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 404, "description": "Not Found" })
    );
    assert_eq!(
        tg.calls_to("sendtelepathy").len(),
        1,
        "unknown methods are recorded too"
    );

    let wrong = teloxide::Bot::with_client(
        "4242:wrong",
        reqwest::Client::builder().no_proxy().build().unwrap(),
    )
    .set_api_url(reqwest::Url::parse(&tg.api_url()).unwrap());
    let err = wrong.get_me().await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::InvalidToken)),
        "{err:?}"
    );
}

#[tokio::test]
async fn form_query_and_multipart_bodies_are_understood() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let base = format!("{}/bot{}", tg.api_url(), tg.token());

    let markup =
        json!({ "inline_keyboard": [[{ "text": "Yes", "callback_data": "y" }]] }).to_string();
    let form = [
        ("chat_id", alice.to_string()),
        ("text", "via form".into()),
        ("reply_markup", markup),
    ];
    let body: Value = http()
        .post(format!("{base}/sendMessage"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
        "y"
    );

    let body: Value = http()
        .get(format!(
            "{base}/sendMessage?chat_id={alice}&text=via%20query"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["result"]["text"], "via query");

    let part = reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("notes.txt");
    let multipart = reqwest::multipart::Form::new()
        .text("chat_id", alice.to_string())
        .text("caption", "<i>notes</i>")
        .text("parse_mode", "HTML")
        .part("document", part);
    let body: Value = http()
        .post(format!("{base}/sendDocument"))
        .multipart(multipart)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let message = &body["result"];
    assert_eq!(message["document"]["file_name"], "notes.txt");
    assert_eq!(message["document"]["file_size"], 5);
    assert_eq!(message["document"]["mime_type"], "text/plain");
    assert_eq!(message["caption"], "notes");
    assert_eq!(message["caption_entities"][0]["type"], "italic");
    assert_eq!(tg.texts(alice), vec!["via form", "via query", "notes"]);
}

#[tokio::test]
async fn errors_are_4xx_with_telegram_bodies() {
    let tg = FakeTelegram::start().await;
    let (status, body) = call(&tg, "sendMessage", json!({ "chat_id": 123, "text": "x" })).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "ok": false, "error_code": 400, "description": "Bad Request: chat not found" })
    );
    let (status, body) = call(&tg, "sendMessage", json!({ "text": "x" })).await;
    assert_eq!(
        (status, body["description"].as_str()),
        (400, Some("Bad Request: chat_id is empty"))
    );
}

#[tokio::test]
async fn text_limits_count_utf16_code_units() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);

    bot.send_message(ChatId(alice), "😀".repeat(2048))
        .await
        .expect("2048 emoji are 4096 UTF-16 units");
    bot.send_message(ChatId(alice), "ж".repeat(4096))
        .await
        .expect("4096 Cyrillic letters fit");
    let err = bot
        .send_message(ChatId(alice), format!("{}a", "😀".repeat(2048)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageIsTooLong)),
        "{err:?}"
    );
    let err = bot.send_message(ChatId(alice), " \n ").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageTextIsEmpty)),
        "{err:?}"
    );

    let photo = tg.user(alice).photo("");
    let file_id = tg
        .message(alice, photo.message_id)
        .unwrap()
        .file_id()
        .unwrap()
        .to_owned();
    let err = bot
        .send_photo(
            ChatId(alice),
            teloxide::types::InputFile::file_id(file_id.into()),
        )
        .caption("c".repeat(1025))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Bad Request: message caption is too long"),
        "{err}"
    );
}

#[tokio::test]
#[allow(deprecated)] // legacy Markdown is what is being checked
async fn parse_modes_are_checked_and_explicit_entities_never_rejected() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);

    for (text, mode) in [
        ("Hi _x", ParseMode::MarkdownV2),
        ("Ticket #5 closed.", ParseMode::MarkdownV2),
        ("*unclosed", ParseMode::Markdown),
        ("<b>unclosed", ParseMode::Html),
        ("<blink>x</blink>", ParseMode::Html),
    ] {
        let err = bot
            .send_message(ChatId(alice), text)
            .parse_mode(mode)
            .await
            .unwrap_err();
        assert!(
            matches!(err, RequestError::Api(ApiError::CantParseEntities(_))),
            "{text}: {err:?}"
        );
    }

    let m = bot
        .send_message(ChatId(alice), "Ticket \\#5 *closed*\\.")
        .parse_mode(ParseMode::MarkdownV2)
        .await
        .unwrap();
    assert_eq!(m.text(), Some("Ticket #5 closed."));
    let m = bot
        .send_message(ChatId(alice), "a <b>b</b> &amp; c")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(m.text(), Some("a b & c"));

    let user_text = "_x_ *[oops](";
    let m = bot
        .send_message(ChatId(alice), user_text)
        .entities([teloxide::types::MessageEntity::bold(0, 3)])
        .await
        .unwrap();
    assert_eq!(m.text(), Some(user_text));
    assert_eq!(tg.last_message(alice).unwrap().entity_types(), vec!["bold"]);
}

#[tokio::test]
async fn threads_must_be_existing_topics() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let forum = tg.add_forum_group("Support");
    let plain = tg.add_group(GroupSpec::plain("Chatter"));
    let topic = tg.add_topic(forum, "Ticket");
    let bot = bot(&tg);
    let thread = |id| ThreadId(MessageId(id));

    for (chat, id) in [(forum, 1), (forum, topic + 50), (plain, 1), (alice, topic)] {
        let err = bot
            .send_message(ChatId(chat), "x")
            .message_thread_id(thread(id))
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("Bad Request: message thread not found"),
            "{chat}/{id}: {err}"
        );
    }
    let general = bot.send_message(ChatId(forum), "in General").await.unwrap();
    assert!(general.thread_id.is_none() && !general.is_topic_message);
}

#[tokio::test]
async fn closed_topics_accept_only_bots_with_topic_rights() {
    let tg = FakeTelegram::start().await;
    let staff = tg.add_user("Sam");
    let strong = tg.add_group(GroupSpec::forum("Strong").members([staff]));
    let weak = tg.add_group(
        GroupSpec::forum("Weak")
            .members([staff])
            .bot_without_topic_rights(),
    );
    let bot = bot(&tg);
    for chat in [strong, weak] {
        let topic = tg.user(staff).in_group(chat).creates_topic("t").thread();
        tg.user(staff).in_topic(chat, topic).closes_topic();
        let result = bot
            .send_message(ChatId(chat), "x")
            .message_thread_id(ThreadId(MessageId(topic)))
            .await;
        if chat == strong {
            result.expect("admins with can_manage_topics may post in closed topics");
        } else {
            assert!(
                result
                    .unwrap_err()
                    .to_string()
                    .contains("Bad Request: TOPIC_CLOSED")
            );
        }
    }
}

#[tokio::test]
async fn the_bot_needs_membership_and_a_started_chat() {
    let tg = FakeTelegram::start().await;
    let shy = tg.add_user(UserSpec::new("Shy").never_started());
    let gone = tg.add_group(GroupSpec::forum("Left").bot_not_member());
    let bot = bot(&tg);

    let err = bot.send_message(ChatId(shy), "hello").await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::CantInitiateConversation))
            || err
                .to_string()
                .contains("bot can't initiate conversation with a user"),
        "{err:?}"
    );
    tg.user(shy).command("/start");
    bot.send_message(ChatId(shy), "hello")
        .await
        .expect("the user wrote first");

    let err = bot.send_message(ChatId(gone), "x").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("Forbidden: bot is not a member of the supergroup chat"),
        "{err}"
    );
}

#[tokio::test]
async fn replies_without_thread_id_follow_the_replied_message_into_its_topic() {
    let tg = FakeTelegram::start().await;
    let staff = tg.add_user("Sam");
    let forum = tg.add_group(GroupSpec::forum("Support").members([staff]));
    let topic = tg.add_topic(forum, "Ticket");
    let question = tg
        .user(staff)
        .in_topic(forum, topic)
        .text("who takes this?");

    let answer = bot(&tg)
        .send_message(ChatId(forum), "me")
        .reply_parameters(teloxide::types::ReplyParameters::new(MessageId(
            question.message_id,
        )))
        .await
        .unwrap();
    assert_eq!(answer.thread_id, Some(ThreadId(MessageId(topic))));
    assert!(answer.is_topic_message);
    assert_eq!(tg.topic_texts(forum, topic), vec!["who takes this?", "me"]);
}

#[tokio::test]
async fn pinning_leaves_a_service_message_and_shows_in_get_chat() {
    let tg = FakeTelegram::start().await;
    let forum = tg.add_forum_group("Support");
    let bot = bot(&tg);
    let card = bot
        .send_message(ChatId(forum), "Ticket card")
        .await
        .unwrap();
    bot.pin_chat_message(ChatId(forum), card.id).await.unwrap();
    assert_eq!(
        tg.last_message(forum).unwrap().service(),
        Some("pinned_message")
    );
    let chat = bot.get_chat(ChatId(forum)).await.unwrap();
    assert_eq!(chat.pinned_message.as_ref().map(|m| m.id), Some(card.id));
    let weak = tg.add_group(GroupSpec::forum("Weak").bot_not_admin());
    let other = bot.send_message(ChatId(weak), "x").await.unwrap();
    let err = bot
        .pin_chat_message(ChatId(weak), other.id)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RequestError::Api(ApiError::NotEnoughRightsToManagePins)
        ),
        "{err:?}"
    );
}
