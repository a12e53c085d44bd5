//! A support desk in the fake Telegram: the main group, one technician with
//! their own forum group, a staff member, and the running bot.

use std::time::Duration;

use fake_telegram::{StoredMessage, TopicInfo, UserSpec};
use topicdesk::config::Language;
use topicdesk::texts::Texts;

use super::{AppOptions, TestApp, spawn_app_with};

pub const WAIT: Duration = Duration::from_secs(10);

pub struct Desk {
    pub app: TestApp,
    pub texts: Texts,
    pub staff: i64,
    pub tech: i64,
    pub tech_group: i64,
    pub second_tech: i64,
    pub second_tech_group: i64,
}

impl Desk {
    pub async fn open() -> Desk {
        Self::open_with(AppOptions::default()).await
    }

    pub async fn open_with(mut options: AppOptions) -> Desk {
        let fake = match options.fake.take() {
            Some(fake) => fake,
            None => fake_telegram::FakeTelegram::start().await,
        };
        let main_group = fake.add_forum_group("Support");
        let staff = fake.add_user(UserSpec::new("Sveta").last_name("Staff").username("sveta"));
        fake.add_member(main_group, staff);
        let tech = fake.add_user(UserSpec::new("Ivan").last_name("Petrov").username("ivan"));
        let tech_group = fake.add_forum_group("Ivan's desk");
        fake.add_member(tech_group, tech);
        let second_tech = fake.add_user(UserSpec::new("Olga").last_name("Sidorova"));
        let second_tech_group = fake.add_forum_group("Olga's desk");
        fake.add_member(second_tech_group, second_tech);
        let mapping = format!(
            r#"[{{"name":"Ivan Petrov","username":"ivan","tg_user_id":{tech},"group_chat_id":{tech_group}}},{{"name":"Olga Sidorova","tg_user_id":{second_tech},"group_chat_id":{second_tech_group}}}]"#
        );
        options.fake = Some(fake);
        options.main_group = Some(main_group);
        options.vars.push(("TECH_GROUPS_MAPPING".into(), mapping));
        let app = spawn_app_with(options).await;
        Desk {
            app,
            texts: Texts::new(Language::Ru),
            staff,
            tech,
            tech_group,
            second_tech,
            second_tech_group,
        }
    }

    pub fn main_group(&self) -> i64 {
        self.app.main_group
    }

    pub fn fake(&self) -> &fake_telegram::FakeTelegram {
        &self.app.fake
    }

    /// A new client who writes `text`; returns the client and the topic.
    pub async fn client_opens_ticket(&self, name: &str, text: &str) -> (i64, TopicInfo) {
        let client = self
            .fake()
            .add_user(UserSpec::new(name).username(name.to_lowercase()));
        self.fake().user(client).in_private().text(text);
        let topic = self.wait_for_topic_of(name).await;
        self.wait_for_topic_messages(self.main_group(), topic.thread_id, 2)
            .await;
        (client, topic)
    }

    /// The main-group topic whose title mentions `name`.
    pub async fn wait_for_topic_of(&self, name: &str) -> TopicInfo {
        self.wait_for_topic_in(self.main_group(), name).await
    }

    pub async fn wait_for_topic_messages(
        &self,
        chat: i64,
        thread: i32,
        n: usize,
    ) -> Vec<StoredMessage> {
        self.fake()
            .wait_for_topic_messages(chat, thread, n)
            .await
            .unwrap()
    }

    /// The client card: the first bot message with buttons in the topic.
    pub fn card(&self, thread: i32) -> StoredMessage {
        self.fake()
            .topic_messages(self.main_group(), thread)
            .into_iter()
            .find(|m| m.is_from_bot() && !m.buttons().is_empty())
            .expect("the topic has a card")
    }

    /// The card's current text: the bot's first post in the topic (a closed
    /// ticket's card has no buttons to find it by).
    pub fn card_text(&self, thread: i32) -> String {
        self.fake()
            .topic_messages(self.main_group(), thread)
            .into_iter()
            .filter(|m| m.is_from_bot() && m.service().is_none())
            .find_map(|m| m.text().map(str::to_owned))
            .expect("the topic has a card")
    }

    /// Staff presses the technician's button on the card; returns the
    /// technician's mirrored topic once it holds the history and intro.
    pub async fn assign(&self, thread: i32, label: &str, tech_group: i64) -> TopicInfo {
        let card = self.card(thread);
        self.staff_presses(thread, card.id(), label).await;
        let mirror = self
            .fake()
            .wait_for_value("the mirrored topic", WAIT, |w| {
                w.topics(tech_group)
                    .into_iter()
                    .find(|t| !t.deleted && !t.closed)
            })
            .await
            .unwrap();
        // History, then the intro with its close button.
        self.fake()
            .wait_for_value("the intro in the mirrored topic", WAIT, |w| {
                w.topic_messages(tech_group, mirror.thread_id)
                    .into_iter()
                    .find(|m| m.is_from_bot() && !m.buttons().is_empty())
            })
            .await
            .unwrap();
        mirror
    }
}
