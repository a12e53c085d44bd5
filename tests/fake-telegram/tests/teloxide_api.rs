//! A real teloxide `Bot` drives the fake: every answer must deserialize into
//! teloxide's types, and the effects must show in the fake's state.

mod common;

use common::bot;
use fake_telegram::{CallOutcome, FakeTelegram, GroupSpec, UserSpec};
use teloxide::prelude::*;
use teloxide::types::{
    AllowedUpdate, BotCommand, ChatMemberKind, InlineKeyboardButton, InlineKeyboardMarkup,
    InputFile, InputMedia, InputMediaDocument, InputMediaPhoto, MessageId, ParseMode,
    ReplyParameters, Rgb, ThreadId, UpdateKind,
};
use teloxide::{ApiError, RequestError};

fn thread(id: i32) -> ThreadId {
    ThreadId(MessageId(id))
}

#[tokio::test]
async fn get_me_reports_the_configured_bot() {
    let tg = FakeTelegram::start().await;
    let me = bot(&tg).get_me().await.unwrap();
    assert_eq!(me.id.0, 4242);
    assert!(me.is_bot);
    assert_eq!(me.username(), "topicdesk_test_bot");
    assert!(me.can_join_groups);
}

#[tokio::test]
async fn get_chat_returns_full_info_for_private_chats_and_forums() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user(
        UserSpec::new("Alice")
            .last_name("Liddell")
            .username("alice"),
    );
    let forum = tg.add_group(GroupSpec::forum("Support").username("support_hq"));
    let plain = tg.add_group(GroupSpec::plain("Chatter"));
    let bot = bot(&tg);

    let private = bot.get_chat(ChatId(alice)).await.unwrap();
    assert!(private.is_private());
    assert_eq!(private.first_name(), Some("Alice"));
    assert_eq!(private.username(), Some("alice"));

    let group = bot.get_chat(ChatId(forum)).await.unwrap();
    assert!(group.is_supergroup());
    assert_eq!(group.title(), Some("Support"));
    let is_forum = |c: &teloxide::types::ChatFullInfo| match &c.kind {
        teloxide::types::ChatFullInfoKind::Public(p) => match &p.kind {
            teloxide::types::ChatFullInfoPublicKind::Supergroup(s) => s.is_forum,
            _ => false,
        },
        _ => false,
    };
    assert!(is_forum(&group));
    assert!(!is_forum(&bot.get_chat(ChatId(plain)).await.unwrap()));
    // Topics can be turned off (and on) under a running bot.
    tg.set_forum(forum, false);
    assert!(!is_forum(&bot.get_chat(ChatId(forum)).await.unwrap()));
    tg.set_forum(forum, true);
    assert!(is_forum(&bot.get_chat(ChatId(forum)).await.unwrap()));

    let by_username = bot
        .get_chat(teloxide::types::Recipient::ChannelUsername(
            "@support_hq".into(),
        ))
        .await
        .unwrap();
    assert_eq!(by_username.id.0, forum);

    let err = bot.get_chat(ChatId(-100999)).await.unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::ChatNotFound)),
        "{err:?}"
    );
}

#[tokio::test]
async fn get_chat_member_shows_bot_rights_and_member_status() {
    let tg = FakeTelegram::start().await;
    let staff = tg.add_user("Sam");
    let outsider = tg.add_user("Olga");
    let forum = tg.add_group(GroupSpec::forum("Support").members([staff]));
    let weak = tg.add_group(GroupSpec::forum("No rights").bot_without_topic_rights());
    let bot = bot(&tg);
    let me = UserId(tg.bot_id() as u64);

    let member = bot.get_chat_member(ChatId(forum), me).await.unwrap();
    let ChatMemberKind::Administrator(rights) = &member.kind else {
        panic!("{member:?}")
    };
    assert!(rights.can_manage_topics);
    let member = bot.get_chat_member(ChatId(weak), me).await.unwrap();
    let ChatMemberKind::Administrator(rights) = &member.kind else {
        panic!("{member:?}")
    };
    assert!(!rights.can_manage_topics);

    assert!(
        bot.get_chat_member(ChatId(forum), UserId(staff as u64))
            .await
            .unwrap()
            .kind
            .is_member()
    );
    assert!(
        bot.get_chat_member(ChatId(forum), UserId(outsider as u64))
            .await
            .unwrap()
            .kind
            .is_left()
    );
}

#[tokio::test]
async fn send_message_into_a_topic_lands_in_that_topic() {
    let tg = FakeTelegram::start().await;
    let forum = tg.add_forum_group("Support");
    let topic = tg.add_topic(forum, "Ticket #1");
    let bot = bot(&tg);

    let keyboard =
        InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Take it", "take:1")]]);
    let sent = bot
        .send_message(ChatId(forum), "New *ticket*")
        .parse_mode(ParseMode::MarkdownV2)
        .message_thread_id(thread(topic))
        .reply_markup(keyboard)
        .await
        .unwrap();
    assert_eq!(sent.text(), Some("New ticket"));
    assert_eq!(sent.thread_id, Some(thread(topic)));
    assert!(sent.is_topic_message);
    assert_eq!(
        sent.reply_to_message().map(|m| m.id.0),
        Some(topic),
        "topic messages reply to the topic root"
    );
    assert!(sent.reply_markup().is_some());
    assert_eq!(sent.from.as_ref().map(|u| u.id.0), Some(4242));

    let stored = tg.topic_messages(forum, topic);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].text(), Some("New ticket"));
    assert_eq!(stored[0].entity_types(), vec!["bold"]);
    assert_eq!(
        stored[0].buttons(),
        vec![("Take it".to_owned(), "take:1".to_owned())]
    );
}

#[tokio::test]
async fn copy_message_carries_media_and_caption_and_returns_a_message_id() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let forum = tg.add_forum_group("Support");
    let topic = tg.add_topic(forum, "Alice");
    let photo = tg.user(alice).photo("broken screen https://x.test");
    let text = tg.user(alice).text("hello *not bold*");
    let bot = bot(&tg);

    let copy = bot
        .copy_message(ChatId(forum), ChatId(alice), MessageId(photo.message_id))
        .message_thread_id(thread(topic))
        .await
        .unwrap();
    let copied = tg.message(forum, copy.0).unwrap();
    assert_eq!(copied.kind(), "photo");
    assert_eq!(copied.caption(), Some("broken screen https://x.test"));
    assert_eq!(copied.entity_types(), vec!["url"]);
    assert_eq!(copied.topic(), Some(topic));
    assert!(copied.is_from_bot());
    assert!(copied.forward_origin().is_none());

    let recaptioned = bot
        .copy_message(ChatId(forum), ChatId(alice), MessageId(photo.message_id))
        .message_thread_id(thread(topic))
        .caption("<b>From Alice</b>")
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    let recaptioned = tg.message(forum, recaptioned.0).unwrap();
    assert_eq!(recaptioned.caption(), Some("From Alice"));
    assert_eq!(recaptioned.entity_types(), vec!["bold"]);
    assert_eq!(
        recaptioned.file_id(),
        copied.file_id(),
        "a copy reuses the file"
    );

    let text_copy = bot
        .copy_message(ChatId(forum), ChatId(alice), MessageId(text.message_id))
        .await
        .unwrap();
    assert_eq!(
        tg.message(forum, text_copy.0).unwrap().text(),
        Some("hello *not bold*")
    );

    let err = bot
        .copy_message(ChatId(forum), ChatId(alice), MessageId(999))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToCopyNotFound)),
        "{err:?}"
    );
}

#[tokio::test]
async fn copy_messages_keeps_albums_grouped_and_order() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let forum = tg.add_forum_group("Support");
    let topic = tg.add_topic(forum, "Alice");
    let before = tg.user(alice).text("look:");
    let album = tg.user(alice).album(vec![
        fake_telegram::Media::photo().caption("one"),
        fake_telegram::Media::photo(),
        fake_telegram::Media::video(),
    ]);
    let after = tg.user(alice).text("thanks");
    let mut ids: Vec<MessageId> = vec![MessageId(before.message_id)];
    ids.extend(album.iter().map(|s| MessageId(s.message_id)));
    ids.push(MessageId(after.message_id));

    let copies = bot(&tg)
        .copy_messages(ChatId(forum), ChatId(alice), ids)
        .message_thread_id(thread(topic))
        .await
        .unwrap();
    assert_eq!(copies.len(), 5);
    let copied: Vec<_> = copies
        .iter()
        .map(|id| tg.message(forum, id.0).unwrap())
        .collect();
    assert_eq!(
        copied.iter().map(|m| m.kind()).collect::<Vec<_>>(),
        vec!["text", "photo", "photo", "video", "text"]
    );
    let group = copied[1]
        .media_group_id()
        .expect("album copies are grouped");
    assert_ne!(
        Some(group),
        album[0].media_group_id.as_deref(),
        "a new media_group_id"
    );
    assert!(
        copied[1..4]
            .iter()
            .all(|m| m.media_group_id() == Some(group))
    );
    assert!(copied[0].media_group_id().is_none() && copied[4].media_group_id().is_none());
    assert!(copies.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(
        tg.topic_texts(forum, topic),
        vec!["look:", "one", "", "", "thanks"]
    );
}

#[tokio::test]
async fn send_media_group_returns_messages_and_uploads_files() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let earlier = tg.user(alice).photo("");
    let file_id = tg
        .message(alice, earlier.message_id)
        .unwrap()
        .file_id()
        .unwrap()
        .to_owned();
    let bot = bot(&tg);

    let sent = bot
        .send_media_group(
            ChatId(alice),
            vec![
                InputMedia::Photo(
                    InputMediaPhoto::new(InputFile::file_id(file_id.clone().into()))
                        .caption("first"),
                ),
                InputMedia::Photo(InputMediaPhoto::new(
                    InputFile::memory(&b"png bytes"[..]).file_name("shot.png"),
                )),
            ],
        )
        .await
        .unwrap();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].caption(), Some("first"));
    assert!(sent[0].photo().is_some() && sent[1].photo().is_some());
    assert_eq!(sent[0].media_group_id(), sent[1].media_group_id());
    assert!(sent[0].media_group_id().is_some());

    let docs = bot
        .send_media_group(
            ChatId(alice),
            vec![
                InputMedia::Document(InputMediaDocument::new(
                    InputFile::memory(&b"a"[..]).file_name("a.pdf"),
                )),
                InputMedia::Document(InputMediaDocument::new(
                    InputFile::memory(&b"bb"[..]).file_name("b.txt"),
                )),
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        docs[0].document().unwrap().file_name.as_deref(),
        Some("a.pdf")
    );
    assert_eq!(docs[1].document().unwrap().file.size, 2);
}

#[tokio::test]
async fn uploads_and_file_ids_work_for_single_media() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let voice = tg.user(alice).voice();
    let voice_id = tg
        .message(alice, voice.message_id)
        .unwrap()
        .file_id()
        .unwrap()
        .to_owned();
    let bot = bot(&tg);

    let doc = bot
        .send_document(
            ChatId(alice),
            InputFile::memory(&b"%PDF-1.4"[..]).file_name("report.pdf"),
        )
        .caption("your report")
        .await
        .unwrap();
    let document = doc.document().unwrap();
    assert_eq!(document.file_name.as_deref(), Some("report.pdf"));
    assert_eq!(document.file.size, 8);
    assert_eq!(doc.caption(), Some("your report"));

    let resent = bot
        .send_voice(ChatId(alice), InputFile::file_id(voice_id.clone().into()))
        .await
        .unwrap();
    assert_eq!(resent.voice().unwrap().file.id.0, voice_id);

    let err = bot
        .send_photo(ChatId(alice), InputFile::file_id(voice_id.into()))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("can't use file of type Voice as Photo"),
        "{err}"
    );
    let err = bot
        .send_photo(ChatId(alice), InputFile::file_id("nope".to_owned().into()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::WrongFileIdOrUrl)),
        "{err:?}"
    );
}

#[tokio::test]
async fn forum_topics_can_be_created_edited_closed_and_deleted() {
    let tg = FakeTelegram::start().await;
    let forum = tg.add_forum_group("Support");
    let bot = bot(&tg);

    let topic = bot
        .create_forum_topic(ChatId(forum), "Ticket #7")
        .icon_color(Rgb::from_u32(0xFB6F5F))
        .await
        .unwrap();
    assert_eq!(topic.name, "Ticket #7");
    assert_eq!(topic.icon_color, Rgb::from_u32(0xFB6F5F));
    let id = topic.thread_id.0.0;
    let created = tg.message(forum, id).unwrap();
    assert_eq!(
        created.service(),
        Some("forum_topic_created"),
        "the topic id is its creation message id"
    );
    assert_eq!(created.topic(), Some(id));

    bot.edit_forum_topic(ChatId(forum), topic.thread_id)
        .name("Ticket #7 — printer")
        .await
        .unwrap();
    bot.close_forum_topic(ChatId(forum), topic.thread_id)
        .await
        .unwrap();
    let info = tg.topic(forum, id).unwrap();
    assert_eq!(info.name, "Ticket #7 — printer");
    assert!(info.closed && info.created_by_bot);
    let services: Vec<_> = tg
        .messages(forum)
        .iter()
        .filter_map(|m| m.service())
        .collect();
    assert_eq!(
        services,
        vec![
            "forum_topic_created",
            "forum_topic_edited",
            "forum_topic_closed"
        ]
    );

    let again = bot
        .close_forum_topic(ChatId(forum), topic.thread_id)
        .await
        .unwrap_err();
    assert!(again.to_string().contains("TOPIC_NOT_MODIFIED"), "{again}");
    bot.reopen_forum_topic(ChatId(forum), topic.thread_id)
        .await
        .unwrap();
    bot.unpin_all_forum_topic_messages(ChatId(forum), topic.thread_id)
        .await
        .unwrap();
    bot.delete_forum_topic(ChatId(forum), topic.thread_id)
        .await
        .unwrap();
    assert!(tg.topic(forum, id).unwrap().deleted);

    let err = bot
        .send_message(ChatId(forum), "anyone?")
        .message_thread_id(topic.thread_id)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "A Telegram's error: Unknown error: \"Bad Request: message thread not found\""
    );
}

#[tokio::test]
async fn create_forum_topic_needs_a_forum_and_topic_rights() {
    let tg = FakeTelegram::start().await;
    let plain = tg.add_group(GroupSpec::plain("Chatter"));
    let weak = tg.add_group(GroupSpec::forum("Weak").bot_without_topic_rights());
    let member = tg.add_group(GroupSpec::forum("Member").bot_not_admin());
    let forum = tg.add_forum_group("Support");
    let bot = bot(&tg);

    let err = bot
        .create_forum_topic(ChatId(plain), "x")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Bad Request: the chat is not a forum"),
        "{err}"
    );
    for chat in [weak, member] {
        let err = bot.create_forum_topic(ChatId(chat), "x").await.unwrap_err();
        assert!(
            err.to_string()
                .contains("Bad Request: not enough rights to create a topic"),
            "{err}"
        );
    }
    let err = bot
        .create_forum_topic(ChatId(forum), "x".repeat(129))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("TOPIC_TITLE_TOO_LONG"), "{err}");
    let err = bot.create_forum_topic(ChatId(forum), "").await.unwrap_err();
    assert!(err.to_string().contains("TOPIC_TITLE_EMPTY"), "{err}");
    assert!(tg.topics(forum).is_empty());
    bot.create_forum_topic(ChatId(forum), "ж".repeat(128))
        .await
        .unwrap();
}

#[tokio::test]
async fn edit_message_text_edits_only_own_messages_and_reports_not_modified() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let theirs = tg.user(alice).text("hi");
    let bot = bot(&tg);
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Close", "close")]]);
    let mine = bot
        .send_message(ChatId(alice), "Ticket open")
        .reply_markup(keyboard.clone())
        .await
        .unwrap();

    let edited = bot
        .edit_message_text(ChatId(alice), mine.id, "Ticket closed")
        .await
        .unwrap();
    assert_eq!(edited.text(), Some("Ticket closed"));
    assert!(edited.edit_date().is_some());
    assert!(
        edited.reply_markup().is_none(),
        "an edit without reply_markup drops the keyboard"
    );

    let same = bot
        .edit_message_text(ChatId(alice), mine.id, "Ticket closed")
        .await
        .unwrap_err();
    assert!(
        matches!(same, RequestError::Api(ApiError::MessageNotModified)),
        "{same:?}"
    );
    let with_keyboard = bot
        .edit_message_text(ChatId(alice), mine.id, "Ticket closed")
        .reply_markup(keyboard)
        .await
        .unwrap();
    assert!(
        with_keyboard.reply_markup().is_some(),
        "adding a keyboard is a modification"
    );

    let err = bot
        .edit_message_text(ChatId(alice), MessageId(theirs.message_id), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageCantBeEdited)),
        "{err:?}"
    );
    let err = bot
        .edit_message_text(ChatId(alice), MessageId(777), "x")
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToEditNotFound)),
        "{err:?}"
    );
    assert_eq!(
        tg.message(alice, mine.id.0).unwrap().text(),
        Some("Ticket closed")
    );
}

#[tokio::test]
async fn answer_callback_query_is_recorded_once_per_press() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let bot = bot(&tg);
    let keyboard = InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("★★★★★", "rate:5")]]);
    let survey = bot
        .send_message(ChatId(alice), "Rate us")
        .reply_markup(keyboard)
        .await
        .unwrap();

    let press = tg.user(alice).presses_button(survey.id.0, "★★★★★");
    bot.answer_callback_query(press.callback_id.clone().into())
        .text("Thanks!")
        .show_alert(true)
        .await
        .unwrap();
    let answer = tg.callback_answer(&press.callback_id).unwrap();
    assert_eq!(answer.text.as_deref(), Some("Thanks!"));
    assert!(answer.show_alert);
    assert_eq!(answer.data.as_deref(), Some("rate:5"));
    assert_eq!(
        (answer.user_id, answer.chat_id, answer.message_id),
        (alice, alice, survey.id.0)
    );

    let twice = bot
        .answer_callback_query(press.callback_id.clone().into())
        .await
        .unwrap_err();
    let unknown = bot
        .answer_callback_query("123".to_owned().into())
        .await
        .unwrap_err();
    for err in [twice, unknown] {
        assert!(
            err.to_string()
                .contains("query is too old and response timeout expired or query ID is invalid")
        );
    }
}

#[tokio::test]
async fn webhook_can_be_set_inspected_and_deleted() {
    let tg = FakeTelegram::start().await;
    let bot = bot(&tg);
    bot.set_webhook(reqwest::Url::parse("https://bot.example.test/webhook/abc").unwrap())
        .secret_token("s3cr3t_Token-1")
        .allowed_updates([AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
        .max_connections(5)
        .drop_pending_updates(true)
        .await
        .unwrap();
    let hook = tg.webhook().unwrap();
    assert_eq!(hook.url, "https://bot.example.test/webhook/abc");
    assert_eq!(hook.secret_token.as_deref(), Some("s3cr3t_Token-1"));
    assert_eq!(hook.max_connections, 5);
    assert_eq!(
        hook.allowed_updates,
        Some(vec!["message".to_owned(), "callback_query".to_owned()])
    );

    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(
        info.url.unwrap().as_str(),
        "https://bot.example.test/webhook/abc"
    );
    assert_eq!(info.max_connections, Some(5));
    assert_eq!(
        info.allowed_updates,
        Some(vec![AllowedUpdate::Message, AllowedUpdate::CallbackQuery])
    );

    let err = bot.get_updates().await.unwrap_err();
    assert!(
        err.to_string().contains(
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        ),
        "{err}"
    );

    let err = bot
        .set_webhook(reqwest::Url::parse("http://bot.example.test/webhook").unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::WebhookRequireHttps)),
        "{err:?}"
    );

    bot.delete_webhook()
        .drop_pending_updates(true)
        .await
        .unwrap();
    assert!(tg.webhook().is_none());
    assert!(bot.get_webhook_info().await.unwrap().url.is_none());
}

#[tokio::test]
async fn get_updates_returns_queued_updates_and_confirms_by_offset() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let first = tg.user(alice).text("one");
    let second = tg.user(alice).command("/start");
    let bot = bot(&tg);

    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0].id.0 as i64, first.update_id);
    let UpdateKind::Message(message) = &updates[1].kind else {
        panic!("{:?}", updates[1])
    };
    assert_eq!(message.text(), Some("/start"));

    let again = bot.get_updates().await.unwrap();
    assert_eq!(again.len(), 2, "nothing is confirmed without an offset");
    let after = bot
        .get_updates()
        .offset(updates[1].id.as_offset())
        .timeout(0)
        .await
        .unwrap();
    assert!(after.is_empty());
    assert!(tg.read(|w| w.is_delivered(second.update_id)));
    assert_eq!(tg.pending_updates(), 0);
}

#[tokio::test]
async fn my_commands_are_kept_per_scope_and_language() {
    let tg = FakeTelegram::start().await;
    let bot = bot(&tg);
    bot.set_my_commands([
        BotCommand::new("start", "Start"),
        BotCommand::new("help", "Help"),
    ])
    .await
    .unwrap();
    bot.set_my_commands([BotCommand::new("start", "Начать")])
        .language_code("ru")
        .await
        .unwrap();

    let default = bot.get_my_commands().await.unwrap();
    assert_eq!(
        default
            .iter()
            .map(|c| c.command.as_str())
            .collect::<Vec<_>>(),
        vec!["start", "help"]
    );
    assert_eq!(
        tg.my_commands(None, Some("ru")),
        Some(vec![("start".to_owned(), "Начать".to_owned())])
    );
    let err = bot
        .set_my_commands([BotCommand::new("Bad-Name", "x")])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("BOT_COMMAND_INVALID"), "{err}");
    bot.delete_my_commands().await.unwrap();
    assert!(bot.get_my_commands().await.unwrap().is_empty());
    assert!(tg.my_commands(None, None).is_none());
}

#[tokio::test]
async fn replies_forwards_and_deletes_behave_like_telegram() {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user("Alice");
    let forum = tg.add_forum_group("Support");
    let question = tg.user(alice).text("where is my order?");
    let bot = bot(&tg);

    let reply = bot
        .send_message(ChatId(alice), "on its way")
        .reply_parameters(ReplyParameters::new(MessageId(question.message_id)))
        .await
        .unwrap();
    assert_eq!(
        reply.reply_to_message().unwrap().text(),
        Some("where is my order?")
    );
    let err = bot
        .send_message(ChatId(alice), "?")
        .reply_parameters(ReplyParameters::new(MessageId(999)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToReplyNotFound)),
        "{err:?}"
    );

    let forwarded = bot
        .forward_message(ChatId(forum), ChatId(alice), MessageId(question.message_id))
        .await
        .unwrap();
    assert_eq!(forwarded.text(), Some("where is my order?"));
    assert_eq!(
        forwarded.forward_from_user().map(|u| u.id.0 as i64),
        Some(alice)
    );

    bot.delete_message(ChatId(alice), reply.id).await.unwrap();
    assert!(tg.message(alice, reply.id.0).unwrap().is_deleted());
    let err = bot
        .delete_message(ChatId(alice), reply.id)
        .await
        .unwrap_err();
    assert!(
        matches!(err, RequestError::Api(ApiError::MessageToDeleteNotFound)),
        "{err:?}"
    );
    let calls = tg.calls_to("deleteMessage");
    assert!(matches!(calls[1].outcome, CallOutcome::Err(_)));
}
