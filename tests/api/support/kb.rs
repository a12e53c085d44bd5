//! The knowledge base's tests' desk: a manager, the evaluation set's
//! articles, and what the bot says and sends where.

use fake_telegram::{RecordedCall, StoredMessage, UserSpec};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use topicdesk::entities::kb_articles;

use super::{Desk, WAIT, vars};

/// The evaluation set's articles (tests/kb_eval): twenty-odd topics in
/// three languages, the set the search engine is measured on.
const EVAL_ARTICLES: &str = include_str!("../../kb_eval/articles.json");

#[derive(serde::Deserialize)]
struct EvalArticle {
    slug: String,
    language: String,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Puts the evaluation set's articles into the database, as the API or
/// /kb_save would have.
pub async fn seed_articles(desk: &Desk) {
    let articles: Vec<EvalArticle> = serde_json::from_str(EVAL_ARTICLES).unwrap();
    let now = chrono::Utc::now();
    for article in articles {
        kb_articles::ActiveModel {
            slug: Set(article.slug),
            language: Set(article.language),
            title: Set(article.title),
            body: Set(article.body),
            entities: Set(serde_json::json!([])),
            tags: Set(serde_json::json!(article.tags)),
            media_file_id: Set(None),
            media_kind: Set(None),
            published: Set(true),
            created_by: Set(None),
            created_at: Set(now),
            updated_by: Set(None),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&desk.app.db)
        .await
        .unwrap();
    }
}

/// The body of `slug` in `language`.
pub async fn body_of(desk: &Desk, slug: &str, language: &str) -> String {
    kb_articles::Entity::find()
        .filter(kb_articles::Column::Slug.eq(slug))
        .filter(kb_articles::Column::Language.eq(language))
        .one(&desk.app.db)
        .await
        .unwrap()
        .unwrap()
        .body
}

pub struct KbDesk {
    pub desk: Desk,
    pub manager: i64,
}

/// A desk whose ADMIN_IDS names Maria, a member of the main group, with
/// `settings` on top.
pub async fn kb_desk(settings: &[(&str, &str)]) -> KbDesk {
    let fake = fake_telegram::FakeTelegram::start().await;
    let manager = fake.add_user(UserSpec::new("Maria").username("maria"));
    let mut all = vars([("ADMIN_IDS", manager.to_string().as_str())]);
    all.extend(vars(settings.iter().copied()));
    let desk = Desk::open_on(fake, all).await;
    desk.fake().add_member(desk.main_group(), manager);
    KbDesk { desk, manager }
}

/// The bot's newest text in `chat` once it contains `needle`.
pub async fn bot_mentions(desk: &Desk, chat: i64, needle: &str) -> StoredMessage {
    bot_mentions_after(desk, chat, 0, needle).await
}

/// The bot's first text in `chat` after message `after` that contains `needle`.
pub async fn bot_mentions_after(desk: &Desk, chat: i64, after: i32, needle: &str) -> StoredMessage {
    desk.fake()
        .wait_for_value(&format!("the bot to say {needle:?}"), WAIT, |w| {
            w.messages(chat).into_iter().find(|m| {
                m.id() > after
                    && m.is_from_bot()
                    && m.text_or_caption().is_some_and(|t| t.contains(needle))
            })
        })
        .await
        .unwrap()
}

/// Calls that put something into (or changed something in) `chat`; reads
/// such as getChat are not counted.
pub fn calls_into(desk: &Desk, chat: i64) -> Vec<RecordedCall> {
    desk.fake()
        .calls()
        .into_iter()
        .filter(|c| c.chat_id() == Some(chat))
        .filter(|c| !c.method.starts_with("get"))
        .collect()
}
