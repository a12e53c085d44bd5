//! The knowledge base: articles (saved, replaced, translated, listed,
//! shown, deleted) and the search over the published ones.
//!
//! The database is the source of truth. Each instance keeps a
//! [`SearchIndex`] built from the published rows together with the
//! *stamp* it was built from (how many rows, the newest `updated_at`, the
//! highest id); before a search it reads the database's stamp (one small
//! query) and rebuilds when they differ, so every instance answers from the
//! same rows soon after any of them changes an article.
//!
//! Every change is also an `events` row (`kb_article_saved`,
//! `kb_article_deleted`), written in the change's transaction, so the web
//! desk's stream shows it.

mod article;
mod stats;

pub use article::{
    ArticleDraft, ArticleInvalid, ArticleMedia, MEDIA_KINDS, SLUG_MAX_CHARS, Saved, SourceMessage,
    is_slug, normalise_slug,
};

pub use stats::{ArticleFigures, KbFigures};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};
use serde_json::json;
use teloxide::types::MessageEntity;
use tokio::sync::Mutex;

use crate::domain::knowledge::{Hit, IndexedArticle, SearchIndex, detect_language};
use crate::domain::language::Language;
use crate::entities::{Actor, kb_articles};
use crate::records::events;
use crate::services::ServiceResult;

/// What the index was built from; equal stamps mean the same rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Stamp {
    rows: u64,
    newest: Option<DateTime<Utc>>,
    highest_id: Option<i32>,
}

#[derive(Default)]
struct Cached {
    stamp: Option<Stamp>,
    index: Arc<SearchIndex>,
    /// The published articles the index holds, by id.
    published: usize,
}

/// An article found, with its row.
#[derive(Debug, Clone)]
pub struct Found {
    pub hit: Hit,
    pub article: kb_articles::Model,
}

#[derive(Clone)]
pub struct KnowledgeService {
    db: DatabaseConnection,
    /// The staff's language: an article whose language cannot be told
    /// from its text is taken to be in it.
    staff_language: Language,
    cache: Arc<Mutex<Cached>>,
}

impl KnowledgeService {
    pub fn new(db: DatabaseConnection, staff_language: Language) -> Self {
        Self {
            db,
            staff_language,
            cache: Arc::default(),
        }
    }

    /// Saves `draft`: a new article, a translation of an existing slug (in
    /// another language), or a replacement (same slug and language).
    pub async fn save(
        &self,
        draft: ArticleDraft,
        by: Option<i64>,
        actor: Actor,
    ) -> ServiceResult<Result<Saved, ArticleInvalid>> {
        let draft = match draft.checked() {
            Ok(draft) => draft,
            Err(invalid) => return Ok(Err(invalid)),
        };
        let language = draft
            .language
            .or_else(|| detect_language(&draft.text))
            .unwrap_or(self.staff_language);
        let now = Utc::now();
        // Read before the transaction: on SQLite a transaction that reads
        // first and writes later can be refused its write lock. Two saves
        // of one slug and language at once meet the unique index instead.
        let existing = kb_articles::Entity::find()
            .filter(kb_articles::Column::Slug.eq(&draft.slug))
            .all(&self.db)
            .await?;
        let same = existing.iter().find(|a| a.language == language.code());
        let title = draft
            .title
            .clone()
            .unwrap_or_else(|| article::title_from(&draft.text));
        let entities = serde_json::to_value(&draft.entities).unwrap_or_else(|_| json!([]));
        let tags = json!(draft.tags);
        let (media_file_id, media_kind) = match &draft.media {
            Some(media) => (Some(media.file_id.clone()), Some(media.kind.clone())),
            None => (None, None),
        };
        let txn = self.db.begin().await?;
        let (model, kind) = match same {
            Some(same) => {
                let mut row = same.clone().into_active_model();
                row.title = Set(title);
                row.body = Set(draft.text.clone());
                row.entities = Set(entities);
                if draft.tags_given {
                    row.tags = Set(tags);
                }
                row.media_file_id = Set(media_file_id);
                row.media_kind = Set(media_kind);
                row.published = Set(draft.published);
                row.updated_by = Set(by);
                row.updated_at = Set(now);
                (row.update(&txn).await?, SavedKind::Replaced)
            }
            None => {
                let row = kb_articles::ActiveModel {
                    slug: Set(draft.slug.clone()),
                    language: Set(language.code().to_owned()),
                    title: Set(title),
                    body: Set(draft.text.clone()),
                    entities: Set(entities),
                    tags: Set(tags),
                    media_file_id: Set(media_file_id),
                    media_kind: Set(media_kind),
                    published: Set(draft.published),
                    created_by: Set(by),
                    created_at: Set(now),
                    updated_by: Set(by),
                    updated_at: Set(now),
                    ..Default::default()
                };
                let kind = if existing.is_empty() {
                    SavedKind::Created
                } else {
                    SavedKind::Translated
                };
                (row.insert(&txn).await?, kind)
            }
        };
        events::record(
            &txn,
            None,
            actor,
            "kb_article_saved",
            json!({
                "article_id": model.id,
                "slug": model.slug,
                "language": model.language,
                "title": model.title,
                "change": kind.name(),
                "by": by,
            }),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(slug = %model.slug, language = %model.language, change = kind.name(), "knowledge-base article saved");
        Ok(Ok(kind.with(model)))
    }

    /// Changes an article by id (the API's PUT): the slug and language
    /// stay, everything else is taken from `draft`.
    pub async fn update(
        &self,
        id: i32,
        draft: ArticleDraft,
        by: Option<i64>,
        actor: Actor,
    ) -> ServiceResult<Option<Result<kb_articles::Model, ArticleInvalid>>> {
        let Some(current) = self.get(id).await? else {
            return Ok(None);
        };
        let mut draft = draft;
        draft.slug = current.slug.clone();
        draft.language = Language::from_code(&current.language);
        Ok(Some(
            self.save(draft, by, actor)
                .await?
                .map(|saved| saved.article().clone()),
        ))
    }

    pub async fn get(&self, id: i32) -> Result<Option<kb_articles::Model>, DbErr> {
        kb_articles::Entity::find_by_id(id).one(&self.db).await
    }

    /// Every article, by slug then language.
    pub async fn list(&self) -> Result<Vec<kb_articles::Model>, DbErr> {
        kb_articles::Entity::find()
            .order_by_asc(kb_articles::Column::Slug)
            .order_by_asc(kb_articles::Column::Language)
            .all(&self.db)
            .await
    }

    /// The translations of `slug`.
    pub async fn by_slug(&self, slug: &str) -> Result<Vec<kb_articles::Model>, DbErr> {
        kb_articles::Entity::find()
            .filter(kb_articles::Column::Slug.eq(normalise_slug(slug)))
            .order_by_asc(kb_articles::Column::Language)
            .all(&self.db)
            .await
    }

    /// The published translation of `slug` for a reader of `language`:
    /// theirs when it exists, else the staff's, else any.
    pub async fn for_reader(
        &self,
        slug: &str,
        language: Language,
    ) -> Result<Option<kb_articles::Model>, DbErr> {
        let translations: Vec<_> = self
            .by_slug(slug)
            .await?
            .into_iter()
            .filter(|a| a.published)
            .collect();
        Ok(pick_translation(
            translations,
            language,
            self.staff_language,
        ))
    }

    /// Deletes `slug` (every translation, or only `language`'s). Returns
    /// how many rows went.
    pub async fn delete(
        &self,
        slug: &str,
        language: Option<Language>,
        by: Option<i64>,
        actor: Actor,
    ) -> ServiceResult<u64> {
        let mut rows = self.by_slug(slug).await?;
        if let Some(language) = language {
            rows.retain(|a| a.language == language.code());
        }
        self.delete_rows(rows, by, actor).await
    }

    /// Deletes the article with this id; false when there is none.
    pub async fn delete_id(&self, id: i32, by: Option<i64>, actor: Actor) -> ServiceResult<bool> {
        let rows: Vec<_> = self.get(id).await?.into_iter().collect();
        Ok(self.delete_rows(rows, by, actor).await? > 0)
    }

    async fn delete_rows(
        &self,
        rows: Vec<kb_articles::Model>,
        by: Option<i64>,
        actor: Actor,
    ) -> ServiceResult<u64> {
        if rows.is_empty() {
            return Ok(0);
        }
        let txn = self.db.begin().await?;
        let mut deleted = 0;
        for row in &rows {
            deleted += kb_articles::Entity::delete_by_id(row.id)
                .exec(&txn)
                .await?
                .rows_affected;
            events::record(
                &txn,
                None,
                actor,
                "kb_article_deleted",
                json!({
                    "article_id": row.id,
                    "slug": row.slug,
                    "language": row.language,
                    "by": by,
                }),
            )
            .await?;
        }
        txn.commit().await?;
        tracing::info!(slug = %rows[0].slug, deleted, "knowledge-base article deleted");
        Ok(deleted)
    }

    /// Whether any article is published (KB_SUGGEST's default applies
    /// only then).
    pub async fn has_published(&self) -> Result<bool, DbErr> {
        Ok(kb_articles::Entity::find()
            .filter(kb_articles::Column::Published.eq(true))
            .count(&self.db)
            .await?
            > 0)
    }

    /// The best `limit` published articles for `query`, one per slug, each
    /// in `prefer`'s translation when the slug has one.
    pub async fn search(
        &self,
        query: &str,
        prefer: Option<Language>,
        limit: usize,
    ) -> Result<Vec<Found>, DbErr> {
        let index = self.index().await?;
        let hits = index.search(query, prefer, limit);
        self.found(hits).await
    }

    /// The articles confident enough to offer a client unasked (at most
    /// `max`).
    pub async fn suggest(
        &self,
        query: &str,
        prefer: Option<Language>,
        max: usize,
    ) -> Result<Vec<Found>, DbErr> {
        let index = self.index().await?;
        let hits = index.suggest(query, prefer, max);
        self.found(hits).await
    }

    async fn found(&self, hits: Vec<Hit>) -> Result<Vec<Found>, DbErr> {
        if hits.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i32> = hits.iter().map(|h| h.article_id).collect();
        let rows = kb_articles::Entity::find()
            .filter(kb_articles::Column::Id.is_in(ids))
            .all(&self.db)
            .await?;
        Ok(hits
            .into_iter()
            .filter_map(|hit| {
                let article = rows.iter().find(|r| r.id == hit.article_id)?.clone();
                Some(Found { hit, article })
            })
            .collect())
    }

    /// The index of the published articles, rebuilt when the database's
    /// rows differ from those it was built from.
    async fn index(&self) -> Result<Arc<SearchIndex>, DbErr> {
        let stamp = self.stamp().await?;
        let mut cache = self.cache.lock().await;
        if cache.stamp.as_ref() != Some(&stamp) {
            let rows = kb_articles::Entity::find()
                .filter(kb_articles::Column::Published.eq(true))
                .all(&self.db)
                .await?;
            cache.published = rows.len();
            // Pure CPU, a second for thousands of articles: off the runtime's
            // worker, which meanwhile answers webhooks.
            let index = tokio::task::spawn_blocking(move || {
                SearchIndex::build(rows.iter().filter_map(indexed))
            })
            .await
            .map_err(|error| {
                DbErr::Custom(format!("building the knowledge-base index failed: {error}"))
            })?;
            cache.index = Arc::new(index);
            cache.stamp = Some(stamp);
            tracing::debug!(articles = cache.published, "knowledge-base index built");
        }
        Ok(cache.index.clone())
    }

    /// The database's stamp: one aggregate query.
    async fn stamp(&self) -> Result<Stamp, DbErr> {
        let rows = kb_articles::Entity::find().count(&self.db).await?;
        let newest = kb_articles::Entity::find()
            .select_only()
            .column(kb_articles::Column::UpdatedAt)
            .column(kb_articles::Column::Id)
            .order_by_desc(kb_articles::Column::UpdatedAt)
            .order_by_desc(kb_articles::Column::Id)
            .into_tuple::<(DateTime<Utc>, i32)>()
            .one(&self.db)
            .await?;
        let highest_id = kb_articles::Entity::find()
            .select_only()
            .column(kb_articles::Column::Id)
            .order_by_desc(kb_articles::Column::Id)
            .into_tuple::<i32>()
            .one(&self.db)
            .await?;
        Ok(Stamp {
            rows,
            newest: newest.map(|(at, _)| at),
            highest_id,
        })
    }
}

/// Which kind of save happened.
#[derive(Debug, Clone, Copy)]
enum SavedKind {
    Created,
    Translated,
    Replaced,
}

impl SavedKind {
    fn name(self) -> &'static str {
        match self {
            SavedKind::Created => "created",
            SavedKind::Translated => "translated",
            SavedKind::Replaced => "replaced",
        }
    }

    fn with(self, model: kb_articles::Model) -> Saved {
        match self {
            SavedKind::Created => Saved::Created(model),
            SavedKind::Translated => Saved::Translated(model),
            SavedKind::Replaced => Saved::Replaced(model),
        }
    }
}

/// The translation a reader of `language` gets: theirs, else `fallback`'s,
/// else the first.
pub fn pick_translation(
    translations: Vec<kb_articles::Model>,
    language: Language,
    fallback: Language,
) -> Option<kb_articles::Model> {
    let position = translations
        .iter()
        .position(|a| a.language == language.code())
        .or_else(|| {
            translations
                .iter()
                .position(|a| a.language == fallback.code())
        })
        .or(if translations.is_empty() {
            None
        } else {
            Some(0)
        })?;
    translations.into_iter().nth(position)
}

fn indexed(row: &kb_articles::Model) -> Option<IndexedArticle> {
    Some(IndexedArticle {
        id: row.id,
        slug: row.slug.clone(),
        language: Language::from_code(&row.language)?,
        title: row.title.clone(),
        body: row.body.clone(),
        tags: tags_of(row),
    })
}

/// The article's tags.
pub fn tags_of(row: &kb_articles::Model) -> Vec<String> {
    serde_json::from_value(row.tags.clone()).unwrap_or_default()
}

/// The article's body entities.
pub fn entities_of(row: &kb_articles::Model) -> Vec<MessageEntity> {
    serde_json::from_value(row.entities.clone()).unwrap_or_default()
}
