//! The bridge: what goes where, with its content, replies and edits; and
//! what never leaves the team.

use fake_telegram::{Media, Origin, entity};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use topicdesk::entities::{events, message_links, tickets};

use crate::support::{AppOptions, Desk, WAIT, eventually};

async fn event_count(desk: &Desk, action: &str) -> usize {
    events::Entity::find()
        .filter(events::Column::Action.eq(action))
        .all(&desk.app.db)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_technicians_answer_reaches_the_client_as_the_team_and_the_main_topic_marked() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Anya", "Help with VPN").await;

    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text("Please restart the router");

    let replies = desk.fake().wait_for_bot_messages(client, 2).await.unwrap();
    let answer = replies.last().unwrap();
    assert_eq!(answer.text(), Some("Please restart the router"));
    assert!(
        answer.is_from_bot(),
        "the technician's account stays hidden"
    );

    let main = desk.main_group();
    let marked = desk
        .fake()
        .wait_for_value("the marked copy", WAIT, |w| {
            w.topic_messages(main, topic.thread_id)
                .into_iter()
                .find(|m| m.text().is_some_and(|t| t.ends_with("restart the router")))
        })
        .await
        .unwrap();
    assert_eq!(
        marked.text(),
        Some("Ivan Petrov:\nPlease restart the router")
    );
    assert_eq!(marked.entity_types(), ["bold"]);

    eventually("the first response to be recorded", WAIT, || async {
        let ticket = tickets::Entity::find_by_id(1)
            .one(&desk.app.db)
            .await
            .unwrap()
            .unwrap();
        ticket.first_response_at.is_some()
    })
    .await;
}

#[tokio::test]
async fn a_staff_message_reaches_the_client_and_the_technicians_topic() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Borya", "Broken mouse").await;

    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .text("We ordered a new one");
    let replies = desk.fake().wait_for_bot_messages(client, 2).await.unwrap();
    assert_eq!(replies[1].text(), Some("We ordered a new one"));
    let tech_group = desk.tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(tech_group, mirror.thread_id)
                .contains(&"Sveta Staff:\nWe ordered a new one".to_owned())
        })
        .await
        .expect("the technician sees who wrote it");
}

#[tokio::test]
async fn the_clients_messages_reach_the_technician_once_assigned() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Vasya", "First").await;
    let mirror = desk
        .assign(topic.thread_id, "Olga Sidorova", desk.second_tech_group)
        .await;
    desk.fake().user(client).in_private().text("Second");
    let group = desk.second_tech_group;
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(group, mirror.thread_id)
                .contains(&"Second".to_owned())
        })
        .await
        .unwrap();
    // Olga answers from her own group.
    desk.fake()
        .user(desk.second_tech)
        .in_topic(desk.second_tech_group, mirror.thread_id)
        .text("On it");
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&"On it".to_owned()))
        .await
        .unwrap();
}

#[tokio::test]
async fn internal_notes_and_specialist_calls_stay_inside_the_team() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Gala", "Need access").await;
    let before = desk.fake().bot_messages(client).len();

    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), topic.thread_id)
        .text("// she is a VIP, be quick");
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text("@petya помоги с доступом");
    // A marker that does reach the client, after both.
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text("Done");
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&"Done".to_owned()))
        .await
        .unwrap();
    assert_eq!(desk.fake().bot_messages(client).len(), before + 1);

    let main = desk.main_group();
    let call = desk
        .texts
        .specialist_call_note("Ivan Petrov", "@petya помоги с доступом");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id).contains(&call)
        })
        .await
        .expect("the specialist call is shown in the main topic");
    // The main group's note is handled on its own, beside the technician's
    // messages: wait for it rather than assume it came first.
    eventually("the internal note to be recorded", WAIT, || async {
        event_count(&desk, "internal_note").await == 1
    })
    .await;
    assert_eq!(event_count(&desk, "internal_note").await, 1);
    assert_eq!(event_count(&desk, "specialist_call").await, 1);
}

#[tokio::test]
async fn commands_service_messages_and_the_general_topic_are_never_bridged() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Dima", "Question").await;
    let main = desk.main_group();
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .command("/whatever");
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .renames_topic("Renamed by hand");
    desk.fake()
        .user(desk.staff)
        .in_group(main)
        .text("Hello everyone in General");
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("Real answer");
    let replies = desk.fake().wait_for_bot_messages(client, 2).await.unwrap();
    assert_eq!(replies[1].text(), Some("Real answer"));
    assert_eq!(desk.fake().bot_messages(client).len(), 2);
}

#[tokio::test]
async fn every_kind_of_content_keeps_its_content() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Eva", "Here is everything").await;
    let me = desk.fake().user(client).in_private();
    me.text_with_entities(
        "bold and italic",
        vec![entity("bold", 0, 4), entity("italic", 9, 6)],
    );
    me.photo("a photo caption");
    me.document("report.pdf", "the report");
    me.video("a video");
    me.voice();
    me.sticker("🙂");
    me.location(55.75, 37.62);
    me.contact("+70000000000", "Mom");
    me.poll("Which one?", &["A", "B"]);
    me.dice("🎲", 4);
    me.forwarded(Origin::HiddenUser("Someone".into()), "forwarded text");
    me.media(Media::video_note());

    let posts = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 14)
        .await;
    let kinds: Vec<&str> = posts[2..].iter().map(|m| m.kind()).collect();
    assert_eq!(
        kinds,
        [
            "text",
            "photo",
            "document",
            "video",
            "voice",
            "sticker",
            "location",
            "contact",
            "poll",
            "dice",
            "text",
            "video_note"
        ]
    );
    assert_eq!(posts[2].entity_types(), ["bold", "italic"]);
    assert_eq!(posts[3].caption(), Some("a photo caption"));
    assert_eq!(posts[4].caption(), Some("the report"));
    assert_eq!(posts[12].text(), Some("forwarded text"));
}

/// A client's album of ten photos (Telegram's most) reaches the topic as
/// one album, in order, in one call: more than a batch of copies.
async fn an_album_of_ten_leaves_as_one_album_in_order(desk: Desk) {
    let (client, topic) = desk.client_opens_ticket("Zhenya", "Photos follow").await;
    let mut parts = vec![Media::photo().caption("first")];
    parts.extend((1..10).map(|_| Media::photo()));
    desk.fake().user(client).in_private().album(parts);
    let posts = desk
        .wait_for_topic_messages(desk.main_group(), topic.thread_id, 12)
        .await;
    let album = &posts[2..12];
    let group = album[0].media_group_id().expect("copies form an album");
    assert!(album.iter().all(|m| m.media_group_id() == Some(group)));
    assert_eq!(album[0].caption(), Some("first"));
    let copy_calls = desk.fake().calls_to("copyMessages");
    assert_eq!(copy_calls.len(), 1, "one copyMessages call for the album");
}

#[tokio::test]
async fn an_album_leaves_as_one_album_in_order() {
    an_album_of_ten_leaves_as_one_album_in_order(Desk::open().await).await;
}

/// With Telegram's limits counted, copies go five to a call into a group;
/// an album still goes whole.
#[tokio::test]
async fn an_album_leaves_whole_under_telegrams_limits_too() {
    let desk = Desk::open_with(AppOptions {
        adjust: Some(Box::new(|settings| {
            settings.limits = topicdesk::telegram::limits::Limits::telegram();
        })),
        ..AppOptions::default()
    })
    .await;
    an_album_of_ten_leaves_as_one_album_in_order(desk).await;
}

#[tokio::test]
async fn replies_point_at_the_counterpart_in_every_place() {
    let desk = Desk::open().await;
    let (client, _, mirror) = desk.assigned_ticket("Zina", "Original question").await;
    let tech_answer = desk
        .fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text("Which model?");
    let copy_for_client = desk
        .fake()
        .wait_for_value("the answer in the client's chat", WAIT, |w| {
            w.bot_messages(client)
                .into_iter()
                .find(|m| m.text() == Some("Which model?"))
        })
        .await
        .unwrap();
    // The bot writes down which copy stands for which answer a moment after
    // the copy lands; a person replies later than that.
    eventually("the copy's link", WAIT, || async {
        message_links::Entity::find()
            .filter(message_links::Column::DstChatId.eq(client))
            .filter(message_links::Column::DstMessageId.eq(copy_for_client.id()))
            .one(&desk.app.db)
            .await
            .unwrap()
            .is_some()
    })
    .await;

    desk.fake()
        .user(client)
        .in_private()
        .replying_to(copy_for_client.id())
        .text("Model X");
    let group = desk.tech_group;
    let reply = desk
        .fake()
        .wait_for_value("the reply in the tech topic", WAIT, |w| {
            w.topic_messages(group, mirror.thread_id)
                .into_iter()
                .find(|m| m.text() == Some("Model X"))
        })
        .await
        .unwrap();
    assert_eq!(reply.reply_to_id(), Some(tech_answer.message_id));
}

#[tokio::test]
async fn edits_follow_to_the_copies() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Kolya", "Typo here").await;
    let original = desk
        .fake()
        .messages(client)
        .into_iter()
        .find(|m| m.text() == Some("Typo here"))
        .unwrap();
    desk.fake()
        .user(client)
        .in_private()
        .edits(original.id(), "No typo here");
    let (main, tech) = (desk.main_group(), desk.tech_group);
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id)
                .contains(&"No typo here".to_owned())
        })
        .await
        .expect("the main topic copy is edited");

    let answer = desk
        .fake()
        .user(desk.tech)
        .in_topic(tech, mirror.thread_id)
        .text("Fixed it");
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&"Fixed it".to_owned()))
        .await
        .unwrap();
    desk.fake()
        .user(desk.tech)
        .in_topic(tech, mirror.thread_id)
        .edits(answer.message_id, "Fixed it for good");
    desk.fake()
        .wait_until(WAIT, |w| {
            w.texts(client).contains(&"Fixed it for good".to_owned())
                && w.topic_texts(main, topic.thread_id)
                    .contains(&"Ivan Petrov:\nFixed it for good".to_owned())
        })
        .await
        .expect("the client's and the main topic's copies are edited");
}

#[tokio::test]
async fn a_long_marked_text_is_split_on_line_boundaries() {
    let desk = Desk::open().await;
    let (client, topic, mirror) = desk.assigned_ticket("Lena", "Send me the manual").await;
    // Just under Telegram's limit; the name in front pushes it over.
    let mut lines: Vec<String> = (0..40).map(|_| "x".repeat(99)).collect();
    lines.push("y".repeat(85));
    let manual = lines.join("\n");
    assert_eq!(manual.chars().count(), 4085);
    desk.fake()
        .user(desk.tech)
        .in_topic(desk.tech_group, mirror.thread_id)
        .text(&manual);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&manual))
        .await
        .expect("the client gets it whole");
    let main = desk.main_group();
    let parts = desk
        .fake()
        .wait_for_value("the marked copy in two parts", WAIT, |w| {
            let parts: Vec<String> = w
                .topic_texts(main, topic.thread_id)
                .into_iter()
                .filter(|t| {
                    t.starts_with("Ivan Petrov:") || t.starts_with("xxx") || t.starts_with("yyy")
                })
                .collect();
            (parts.len() == 2).then_some(parts)
        })
        .await
        .unwrap();
    assert!(parts.iter().all(|p| p.encode_utf16().count() <= 4096));
    assert_eq!(parts.join("\n"), format!("Ivan Petrov:\n{manual}"));
}

#[tokio::test]
async fn a_message_in_a_closed_tickets_topic_gets_a_note_and_is_not_bridged() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Masha", "Done soon").await;
    let main = desk.main_group();
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .command("/close");
    let told = desk.texts.closed_for_client(1);
    desk.fake()
        .wait_until(WAIT, |w| w.texts(client).contains(&told))
        .await
        .unwrap();
    desk.fake()
        .user(desk.staff)
        .in_topic(main, topic.thread_id)
        .text("Late answer");
    let note = desk.texts.ticket_is_closed_note().to_owned();
    desk.fake()
        .wait_until(WAIT, |w| {
            w.topic_texts(main, topic.thread_id).contains(&note)
        })
        .await
        .expect("the sender is told the ticket is closed");
    assert!(
        !desk
            .fake()
            .texts(client)
            .contains(&"Late answer".to_owned())
    );
}

#[tokio::test]
async fn an_edit_that_swaps_the_media_is_posted_as_a_note() {
    let desk = Desk::open().await;
    let (client, topic) = desk.client_opens_ticket("Nadya", "Look at this").await;
    let photo = desk
        .fake()
        .user(client)
        .in_private()
        .photo("the old picture");
    let main = desk.main_group();
    desk.wait_for_topic_messages(main, topic.thread_id, 3).await;

    // The client replaces the photo: Telegram sends edited_message with a new file.
    let mut edited = desk
        .fake()
        .message(client, photo.message_id)
        .unwrap()
        .json()
        .clone();
    edited["photo"] = serde_json::json!([{
        "file_id": "swapped-file",
        "file_unique_id": "swapped-unique",
        "width": 640,
        "height": 480
    }]);
    edited["caption"] = serde_json::json!("the new picture");
    edited["edit_date"] = serde_json::json!(edited["date"].as_i64().unwrap() + 5);
    desk.fake()
        .enqueue_update(serde_json::json!({ "edited_message": edited }));

    let note = desk.texts.edit_note("the new picture");
    let posted = desk
        .fake()
        .wait_for_value("the edit note", WAIT, |w| {
            w.topic_messages(main, topic.thread_id)
                .into_iter()
                .find(|m| m.text() == Some(note.as_str()))
        })
        .await
        .unwrap();
    let copy = desk
        .fake()
        .topic_messages(main, topic.thread_id)
        .into_iter()
        .find(|m| m.caption() == Some("the old picture"))
        .expect("the copy keeps the old picture");
    assert_eq!(
        posted.reply_to_id(),
        Some(copy.id()),
        "the note answers the copy"
    );
}
