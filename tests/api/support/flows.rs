//! Steps many tests take on the way to what they check: building a desk
//! with settings, a client choosing a category, pressing buttons, a ticket
//! assigned to Ivan, the survey, and looking rows and topics up.

use fake_telegram::{CallbackAnswer, FakeTelegram, StoredMessage, TopicInfo, UserSpec};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use topicdesk::entities::{technicians, tickets};

use super::{AppOptions, Desk, WAIT, eventually};

/// Settings as a user would put them in .env, for `AppOptions::vars`.
pub fn vars<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// CATEGORIES with billing (high priority, Ivan only, `billing_group` as
/// its own main group) and tech (anyone, MAIN_GROUP_ID).
pub fn billing_and_tech(billing_group: i64) -> String {
    format!(
        r#"[{{"key":"billing","name":{{"ru":"Оплата","en":"Billing","kk":"Төлем"}},"emoji":"💳","priority":"high","technicians":["ivan"],"main_group_id":{billing_group}}},{{"key":"tech","name":{{"ru":"Техника","en":"Technical"}},"emoji":"🛠"}}]"#
    )
}

/// Adds Maria Manager (@maria) to `fake`, the manager of the web and
/// admin desks; returns her id.
pub fn add_manager(fake: &FakeTelegram) -> i64 {
    fake.add_user(
        UserSpec::new("Maria")
            .last_name("Manager")
            .username("maria"),
    )
}

/// The technician called `name`'s id.
pub async fn tech_id_in(db: &DatabaseConnection, name: &str) -> i32 {
    technicians::Entity::find()
        .filter(technicians::Column::Name.eq(name))
        .one(db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("technician {name}"))
        .id
}

impl Desk {
    /// A desk on a fake the test has prepared (say, with a manager or a
    /// category's own group), with `vars` as settings.
    pub async fn open_on(fake: FakeTelegram, vars: Vec<(String, String)>) -> Desk {
        Desk::open_with(AppOptions {
            fake: Some(fake),
            vars,
            ..AppOptions::default()
        })
        .await
    }

    /// Ticket `id`'s row.
    pub async fn ticket(&self, id: i32) -> tickets::Model {
        tickets::Entity::find_by_id(id)
            .one(&self.app.db)
            .await
            .unwrap()
            .expect("the ticket exists")
    }

    /// The technician called `name`'s id.
    pub async fn tech_id(&self, name: &str) -> i32 {
        tech_id_in(&self.app.db, name).await
    }

    /// `manager` turns technician `tech` on or off with /tech_on or
    /// /tech_off; waits for the change.
    pub async fn set_available(&self, manager: i64, tech: i32, on: bool) {
        let command = if on { "tech_on" } else { "tech_off" };
        self.fake()
            .user(manager)
            .in_private()
            .command(&format!("/{command} {tech}"));
        eventually("the availability to change", WAIT, || async {
            technicians::Entity::find_by_id(tech)
                .one(&self.app.db)
                .await
                .unwrap()
                .is_some_and(|t| t.available == on)
        })
        .await;
    }

    /// The topic in `chat` whose title mentions `name`, if there is one.
    pub fn topic_in(&self, chat: i64, name: &str) -> Option<TopicInfo> {
        self.fake()
            .topics(chat)
            .into_iter()
            .find(|t| t.name.contains(name) && !t.deleted)
    }

    /// Waits for the topic in `chat` whose title mentions `name`.
    pub async fn wait_for_topic_in(&self, chat: i64, name: &str) -> TopicInfo {
        self.fake()
            .wait_for_value(&format!("a topic for {name}"), WAIT, |w| {
                w.topics(chat)
                    .into_iter()
                    .find(|t| t.name.contains(name) && !t.deleted)
            })
            .await
            .unwrap()
    }

    /// `client` presses `label` on message `message` in their private chat;
    /// returns the bot's answer to the press.
    pub async fn client_presses(&self, client: i64, message: i32, label: &str) -> CallbackAnswer {
        let pressed = self
            .fake()
            .user(client)
            .in_private()
            .presses_button(message, label);
        self.fake()
            .wait_for_callback_answer(&pressed.callback_id)
            .await
            .unwrap()
    }

    /// Staff press `label` on message `message` in the main group's topic
    /// `thread`; returns the bot's answer to the press.
    pub async fn staff_presses(&self, thread: i32, message: i32, label: &str) -> CallbackAnswer {
        let pressed = self
            .fake()
            .user(self.staff)
            .in_topic(self.main_group(), thread)
            .presses_button(message, label);
        self.fake()
            .wait_for_callback_answer(&pressed.callback_id)
            .await
            .unwrap()
    }

    /// The category question: the bot's first message with buttons in the
    /// client's chat.
    pub async fn category_question(&self, client: i64) -> StoredMessage {
        self.fake()
            .wait_for_value("the category question", WAIT, |w| {
                w.messages(client)
                    .into_iter()
                    .find(|m| m.is_from_bot() && !m.buttons().is_empty())
            })
            .await
            .unwrap()
    }

    /// `client` picks the category labelled `label` (as they see it) once
    /// asked; returns the question.
    pub async fn client_chooses(&self, client: i64, label: &str) -> StoredMessage {
        let question = self.category_question(client).await;
        self.client_presses(client, question.id(), label).await;
        question
    }

    /// A new client, `user`, writes `text` to the bot; returns the client.
    pub fn new_client_writes(&self, user: impl Into<UserSpec>, text: &str) -> i64 {
        let client = self.fake().add_user(user);
        self.fake().user(client).in_private().text(text);
        client
    }

    /// A new client called `name` writes `text` and picks the category
    /// labelled `label`; returns the client.
    pub async fn new_client_chooses(&self, name: &str, text: &str, label: &str) -> i64 {
        let client = self.new_client_writes(UserSpec::new(name), text);
        self.client_chooses(client, label).await;
        client
    }

    /// A new client's ticket (see `client_opens_ticket`), assigned to Ivan
    /// by staff; returns the client, the main topic and Ivan's mirror.
    pub async fn assigned_ticket(&self, name: &str, text: &str) -> (i64, TopicInfo, TopicInfo) {
        let (client, topic) = self.client_opens_ticket(name, text).await;
        let mirror = self
            .assign(topic.thread_id, "Ivan Petrov", self.tech_group)
            .await;
        (client, topic, mirror)
    }

    /// Ivan writes `text` in his `mirror` of the client's ticket; waits
    /// until it reaches the client.
    pub async fn tech_answers(&self, client: i64, mirror: &TopicInfo, text: &str) {
        self.fake()
            .user(self.tech)
            .in_topic(self.tech_group, mirror.thread_id)
            .text(text);
        self.fake()
            .wait_until(WAIT, |w| w.texts(client).iter().any(|t| t == text))
            .await
            .unwrap();
    }

    /// The texts (or captions) of the bot's own posts in a topic, service
    /// messages left out.
    pub fn bot_posts(&self, chat: i64, thread: i32) -> Vec<String> {
        self.fake()
            .topic_messages(chat, thread)
            .into_iter()
            .filter(|m| m.is_from_bot() && m.service().is_none())
            .map(|m| m.text_or_caption().unwrap_or_default().to_owned())
            .collect()
    }

    /// Waits for survey question `n` in the client's chat.
    pub async fn survey_question_to(&self, client: i64, n: u8) -> StoredMessage {
        let text = self.texts.survey_question(n);
        self.fake()
            .wait_for_value(&format!("survey question {n}"), WAIT, |w| {
                w.bot_messages(client)
                    .into_iter()
                    .find(|m| m.text() == Some(text) && !m.buttons().is_empty())
            })
            .await
            .unwrap()
    }

    /// The client answers survey question `n` with `score`; returns the
    /// bot's answer to the press.
    pub async fn answer_survey(&self, client: i64, n: u8, score: u8) -> String {
        let message = self.survey_question_to(client, n).await;
        let answer = self
            .client_presses(client, message.id(), &score.to_string())
            .await;
        answer.text.unwrap_or_default()
    }
}
