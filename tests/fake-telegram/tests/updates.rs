//! Every update the actors produce deserializes into teloxide's `Update` as
//! the right kind, with the fields a bot relies on.

use fake_telegram::{AdminRights, BotRole, FakeTelegram, GroupSpec, Media, Origin, entity};
use serde_json::{Value, json};
use teloxide::types::{
    ChatMemberKind, MaybeInaccessibleMessage, Message, MessageEntityKind, MessageId, MessageOrigin,
    ThreadId, Update, UpdateKind,
};

struct World {
    tg: FakeTelegram,
    alice: i64,
    staff: i64,
    group: i64,
    topic: i32,
}

async fn world() -> World {
    let tg = FakeTelegram::start().await;
    let alice = tg.add_user(
        fake_telegram::UserSpec::new("Alice")
            .username("alice")
            .language_code("en"),
    );
    let staff = tg.add_user("Sam");
    let group = tg.add_group(GroupSpec::forum("Support").members([staff]));
    let topic = tg.add_topic(group, "Ticket #1");
    World {
        tg,
        alice,
        staff,
        group,
        topic,
    }
}

/// The update with this id, parsed by teloxide; never `UpdateKind::Error`.
fn update(tg: &FakeTelegram, id: i64) -> Update {
    let raw: Value = tg
        .updates_sent()
        .into_iter()
        .find(|u| u["update_id"] == json!(id))
        .unwrap_or_else(|| panic!("no update {id}"));
    // From text, as teloxide parses webhook bodies and getUpdates answers
    // (its UpdateKind visitor needs borrowed keys, so from_value would fail).
    let parsed: Update = serde_json::from_str(&raw.to_string()).unwrap();
    assert!(
        !matches!(parsed.kind, UpdateKind::Error(_)),
        "teloxide could not parse {raw:#}"
    );
    assert_eq!(parsed.id.0 as i64, id);
    parsed
}

fn message(tg: &FakeTelegram, id: i64) -> Message {
    match update(tg, id).kind {
        UpdateKind::Message(m) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[tokio::test]
async fn private_text_commands_and_entities_parse() {
    let w = world().await;
    let tg = &w.tg;
    let m = message(
        tg,
        tg.user(w.alice)
            .text("hello @support see https://x.test")
            .update_id,
    );
    assert_eq!(m.text(), Some("hello @support see https://x.test"));
    assert!(m.chat.is_private());
    assert_eq!(m.chat.id.0, w.alice);
    let from = m.from.as_ref().unwrap();
    assert_eq!(
        (
            from.id.0 as i64,
            from.username.as_deref(),
            from.language_code.as_deref()
        ),
        (w.alice, Some("alice"), Some("en"))
    );
    let kinds: Vec<_> = m
        .entities()
        .unwrap()
        .iter()
        .map(|e| e.kind.clone())
        .collect();
    assert_eq!(
        kinds,
        vec![MessageEntityKind::Mention, MessageEntityKind::Url]
    );

    let m = message(tg, tg.user(w.alice).command("/start ref42").update_id);
    let e = &m.entities().unwrap()[0];
    assert_eq!(
        (e.kind.clone(), e.offset, e.length),
        (MessageEntityKind::BotCommand, 0, 6)
    );

    let m = message(
        tg,
        tg.user(w.alice)
            .text_with_entities("bold move", vec![entity("bold", 0, 4)])
            .update_id,
    );
    assert_eq!(m.entities().unwrap()[0].kind, MessageEntityKind::Bold);
}

#[tokio::test]
async fn every_media_kind_parses() {
    let w = world().await;
    let u = w.tg.user(w.alice);
    let tg = &w.tg;

    let m = message(tg, u.photo("a #tag").update_id);
    assert_eq!(m.photo().unwrap().len(), 2);
    assert_eq!(m.caption(), Some("a #tag"));
    assert_eq!(
        m.caption_entities().unwrap()[0].kind,
        MessageEntityKind::Hashtag
    );
    let m = message(tg, u.document("invoice.pdf", "").update_id);
    let doc = m.document().unwrap();
    assert_eq!(doc.file_name.as_deref(), Some("invoice.pdf"));
    assert_eq!(
        doc.mime_type
            .as_ref()
            .map(|m| m.essence_str().to_owned())
            .as_deref(),
        Some("application/pdf")
    );
    assert!(message(tg, u.video("clip").update_id).video().is_some());
    assert!(message(tg, u.voice().update_id).voice().is_some());
    assert_eq!(
        message(tg, u.sticker("🔥").update_id)
            .sticker()
            .unwrap()
            .emoji
            .as_deref(),
        Some("🔥")
    );
    assert!(
        message(tg, u.media(Media::animation()).update_id)
            .animation()
            .is_some()
    );
    assert!(
        message(tg, u.media(Media::video_note()).update_id)
            .video_note()
            .is_some()
    );
    assert_eq!(
        message(tg, u.media(Media::audio("Song")).update_id)
            .audio()
            .unwrap()
            .title
            .as_deref(),
        Some("Song")
    );
    let loc = message(tg, u.location(59.93, 30.31).update_id);
    assert_eq!(loc.location().unwrap().latitude, 59.93);
    assert_eq!(
        message(tg, u.contact("+100", "Bob").update_id)
            .contact()
            .unwrap()
            .first_name,
        "Bob"
    );
    let poll = message(tg, u.poll("Coffee?", &["yes", "no"]).update_id);
    assert_eq!(poll.poll().unwrap().options.len(), 2);
    assert_eq!(
        message(tg, u.dice("🎯", 6).update_id).dice().unwrap().value,
        6
    );
    let venue = message(
        tg,
        u.content(json!({
            "venue": { "location": { "latitude": 1.0, "longitude": 2.0 }, "title": "Office", "address": "Main st" },
            "location": { "latitude": 1.0, "longitude": 2.0 }
        }))
        .update_id,
    );
    assert_eq!(venue.venue().unwrap().title, "Office");
}

#[tokio::test]
async fn forwards_albums_replies_and_edits_parse() {
    let w = world().await;
    let tg = &w.tg;
    let u = tg.user(w.alice);

    let m = message(tg, u.forwarded(Origin::User(w.staff), "fwd").update_id);
    assert!(
        matches!(m.forward_origin(), Some(MessageOrigin::User { sender_user, .. }) if sender_user.id.0 as i64 == w.staff)
    );
    let m = message(
        tg,
        u.forwarded(Origin::HiddenUser("Anon".into()), "fwd")
            .update_id,
    );
    assert_eq!(m.forward_from_sender_name(), Some("Anon"));
    let channel = Origin::Channel {
        chat_id: -100777,
        title: "News".into(),
        message_id: 5,
    };
    let m = message(tg, u.forwarded(channel, "fwd").update_id);
    assert!(matches!(
        m.forward_origin(),
        Some(MessageOrigin::Channel {
            message_id: MessageId(5),
            ..
        })
    ));

    let album = u.album(vec![Media::photo().caption("1/2"), Media::photo()]);
    let parts: Vec<_> = album.iter().map(|s| message(tg, s.update_id)).collect();
    assert!(parts.iter().all(|m| m.media_group_id().map(|g| g.0.as_str()) == album[0].media_group_id.as_deref()));
    assert_eq!(
        album[1].update_id,
        album[0].update_id + 1,
        "album parts arrive back to back"
    );

    let first = u.text("typo");
    let reply = message(
        tg,
        u.replying_to(first.message_id).text("I meant…").update_id,
    );
    assert_eq!(reply.reply_to_message().unwrap().text(), Some("typo"));

    let edit = u.edits(first.message_id, "fixed");
    let UpdateKind::EditedMessage(edited) = update(tg, edit.update_id).kind else {
        panic!("not an edit")
    };
    assert_eq!(
        (edited.id.0, edited.text()),
        (first.message_id, Some("fixed"))
    );
    assert!(edited.edit_date().is_some());
    assert_eq!(
        tg.message(w.alice, first.message_id).unwrap().text(),
        Some("fixed")
    );
    let photo = u.photo("old caption");
    let edit = u.edits(photo.message_id, "new caption");
    let UpdateKind::EditedMessage(edited) = update(tg, edit.update_id).kind else {
        panic!("not an edit")
    };
    assert_eq!(edited.caption(), Some("new caption"));
}

#[tokio::test]
async fn group_messages_carry_topic_and_reply_threads_like_telegram() {
    let w = world().await;
    let tg = &w.tg;
    let staff = tg.user(w.staff);

    let m = message(tg, staff.in_topic(w.group, w.topic).text("on it").update_id);
    assert!(m.is_topic_message);
    assert_eq!(m.thread_id, Some(ThreadId(MessageId(w.topic))));
    let root = m.reply_to_message().unwrap();
    assert_eq!(root.id.0, w.topic);
    assert!(
        root.forum_topic_created().is_some(),
        "topic messages reply to the creation message"
    );
    assert!(m.chat.is_supergroup());

    let cmd = message(
        tg,
        staff
            .in_topic(w.group, w.topic)
            .command("/close@topicdesk_test_bot")
            .update_id,
    );
    assert_eq!(cmd.entities().unwrap()[0].length, 25);
    assert!(cmd.is_topic_message);

    let general = staff.in_group(w.group).text("hello all");
    let m = message(tg, general.update_id);
    assert!(!m.is_topic_message && m.thread_id.is_none());

    let reply = message(
        tg,
        staff
            .in_group(w.group)
            .replying_to(general.message_id)
            .text("hi")
            .update_id,
    );
    assert_eq!(
        reply.thread_id,
        Some(ThreadId(MessageId(general.message_id))),
        "replies in General carry a thread id"
    );
    assert!(!reply.is_topic_message, "…that is not a topic");

    let earlier = staff.in_topic(w.group, w.topic).text("first");
    let m = message(
        tg,
        staff
            .in_topic(w.group, w.topic)
            .replying_to(earlier.message_id)
            .text("second")
            .update_id,
    );
    assert_eq!(m.reply_to_message().unwrap().id.0, earlier.message_id);
    assert!(m.is_topic_message);
}

#[tokio::test]
async fn topic_service_messages_parse() {
    let w = world().await;
    let tg = &w.tg;
    let staff = tg.user(w.staff);

    let created = staff.in_group(w.group).creates_topic("Ticket #2");
    let m = message(tg, created.update_id);
    assert_eq!(m.forum_topic_created().unwrap().name, "Ticket #2");
    assert_eq!(m.id.0, created.thread());
    assert_eq!(m.thread_id, Some(ThreadId(MessageId(created.thread()))));

    let in_topic = staff.in_topic(w.group, created.thread());
    let m = message(tg, in_topic.renames_topic("Ticket #2 (urgent)").update_id);
    assert_eq!(
        m.forum_topic_edited().unwrap().name.as_deref(),
        Some("Ticket #2 (urgent)")
    );
    assert!(
        message(tg, in_topic.closes_topic().update_id)
            .forum_topic_closed()
            .is_some()
    );
    assert!(tg.topic(w.group, created.thread()).unwrap().closed);
    assert!(
        message(tg, in_topic.reopens_topic().update_id)
            .forum_topic_reopened()
            .is_some()
    );

    let before = tg.updates_sent().len();
    in_topic.deletes_topic();
    assert_eq!(
        tg.updates_sent().len(),
        before,
        "deleting a topic sends the bot nothing"
    );
    assert!(tg.topic(w.group, created.thread()).unwrap().deleted);
    assert!(
        tg.messages(w.group)
            .iter()
            .all(|m| m.topic() != Some(created.thread()))
    );
}

#[tokio::test]
async fn callback_queries_and_blocking_parse() {
    let w = world().await;
    let tg = &w.tg;
    tg.user(w.alice).text("hi");
    let bot = fake_bot_message(tg, w.alice).await;

    let press = tg.user(w.alice).presses(bot, "rate:4");
    let UpdateKind::CallbackQuery(q) = update(tg, press.update_id).kind else {
        panic!("not a callback query")
    };
    assert_eq!(q.id.0, press.callback_id);
    assert_eq!(q.data.as_deref(), Some("rate:4"));
    assert_eq!(q.from.id.0 as i64, w.alice);
    assert!(!q.chat_instance.is_empty());
    let Some(MaybeInaccessibleMessage::Regular(m)) = &q.message else {
        panic!("{:?}", q.message)
    };
    assert_eq!(m.id.0, bot);
    assert!(m.reply_markup().is_some());

    let blocked = tg.user(w.alice).blocks_bot();
    let UpdateKind::MyChatMember(change) = update(tg, blocked).kind else {
        panic!("not my_chat_member")
    };
    assert!(change.old_chat_member.kind.is_member());
    assert!(matches!(
        change.new_chat_member.kind,
        ChatMemberKind::Banned(_)
    ));
    assert_eq!(change.new_chat_member.user.id.0 as i64, tg.bot_id());
    let alice = w.alice;
    assert!(tg.read(|world| world.has_blocked_bot(alice)));

    let unblocked = tg.user(w.alice).unblocks_bot();
    let UpdateKind::MyChatMember(change) = update(tg, unblocked).kind else {
        panic!("not my_chat_member")
    };
    assert!(change.new_chat_member.kind.is_member());
    assert!(!tg.read(|world| world.has_blocked_bot(alice)));
}

/// Has the bot send a message with a keyboard through the HTTP API.
async fn fake_bot_message(tg: &FakeTelegram, chat: i64) -> i32 {
    let url = format!("{}/bot{}/sendMessage", tg.api_url(), tg.token());
    let body = json!({
        "chat_id": chat,
        "text": "How did we do?",
        "reply_markup": { "inline_keyboard": [[{ "text": "4", "callback_data": "rate:4" }]] },
    });
    let response: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    response["result"]["message_id"].as_i64().unwrap() as i32
}

#[tokio::test]
async fn writing_to_a_blocked_bot_unblocks_it_first() {
    let w = world().await;
    let tg = &w.tg;
    let blocked = tg.user(w.alice).blocks_bot();
    let sent = tg.user(w.alice).command("/start");
    assert_eq!(
        sent.update_id,
        blocked + 2,
        "a my_chat_member update comes first"
    );
    let UpdateKind::MyChatMember(change) = update(tg, blocked + 1).kind else {
        panic!("not my_chat_member")
    };
    assert!(change.new_chat_member.kind.is_member());
    assert_eq!(message(tg, sent.update_id).text(), Some("/start"));
}

/// Not about the fake but about teloxide, and it matters to the bot: an
/// `Update` parsed from a `serde_json::Value` loses its kind (teloxide's
/// `UpdateKind` visitor reads borrowed keys), so raw updates must be parsed
/// from text.
#[tokio::test]
async fn teloxide_parses_updates_from_text_but_not_from_a_value() {
    let w = world().await;
    let sent = w.tg.user(w.alice).text("hi");
    let raw =
        w.tg.updates_sent()
            .into_iter()
            .find(|u| u["update_id"] == json!(sent.update_id))
            .unwrap();
    let from_text: Update = serde_json::from_str(&raw.to_string()).unwrap();
    assert!(matches!(from_text.kind, UpdateKind::Message(_)));
    let from_value: Update = serde_json::from_value(raw).unwrap();
    assert!(
        matches!(from_value.kind, UpdateKind::Error(_)),
        "teloxide behaviour changed: {from_value:?}"
    );
}

#[tokio::test]
async fn adding_the_bot_to_a_group_parses_and_changes_its_role() {
    let tg = FakeTelegram::start().await;
    let owner = tg.add_user("Olga");
    let group = tg.add_group(
        GroupSpec::forum("Elsewhere")
            .bot_role(BotRole::Left)
            .admins([owner]),
    );

    let added = tg.user(owner).in_group(group).adds_bot();
    let UpdateKind::MyChatMember(change) = update(&tg, added).kind else {
        panic!("not my_chat_member")
    };
    assert_eq!(change.chat.id.0, group);
    assert_eq!(change.chat.title(), Some("Elsewhere"));
    assert_eq!(change.from.id.0 as i64, owner);
    assert!(change.old_chat_member.kind.is_left());
    assert!(change.new_chat_member.kind.is_member());
    assert_eq!(change.new_chat_member.user.id.0 as i64, tg.bot_id());

    let promoted = tg
        .user(owner)
        .in_group(group)
        .sets_bot_role(BotRole::Admin(AdminRights::default()));
    let UpdateKind::MyChatMember(change) = update(&tg, promoted).kind else {
        panic!("not my_chat_member")
    };
    assert!(change.old_chat_member.kind.is_member());
    assert!(change.new_chat_member.kind.is_administrator());
}
