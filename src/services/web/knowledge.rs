//! The knowledge base through the web desk: articles listed, shown,
//! written and deleted (admins and write-scope tokens write; everyone
//! signed in reads), and searched, all through `KnowledgeService`, so an
//! article written here is recorded and found like one saved by /kb_save.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use teloxide::types::MessageEntity;
use utoipa::ToSchema;

use super::WebDesk;
use super::error::{WebError, WebResult};
use super::principal::Principal;
use crate::domain::language::Language;
use crate::entities::{Actor, kb_articles};
use crate::services::knowledge::{
    ArticleDraft, ArticleInvalid, ArticleMedia, entities_of, tags_of,
};
use crate::services::tickets::KB_CHOICES;

/// Most results one search returns.
const SEARCH_LIMIT: usize = 20;

/// An article as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i32,
    /// `a-z0-9-`; translations share it.
    pub slug: String,
    /// `ru`, `kk` or `en`.
    pub language: String,
    pub title: String,
    pub body: String,
    /// Telegram message entities of the body (bold, links…).
    #[schema(value_type = Vec<Object>)]
    pub entities: Vec<MessageEntity>,
    pub tags: Vec<String>,
    /// A Telegram file_id the article is sent with.
    pub media_file_id: Option<String>,
    /// `photo`, `document`, `video`, `animation`, `audio` or `voice`.
    pub media_kind: Option<String>,
    pub published: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_by: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

impl From<kb_articles::Model> for ArticleView {
    fn from(row: kb_articles::Model) -> Self {
        Self {
            entities: entities_of(&row),
            tags: tags_of(&row),
            id: row.id,
            slug: row.slug,
            language: row.language,
            title: row.title,
            body: row.body,
            media_file_id: row.media_file_id,
            media_kind: row.media_kind,
            published: row.published,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_by: row.updated_by,
            updated_at: row.updated_at,
        }
    }
}

/// An article to write. Writing a slug and language that exist replaces
/// that translation; another language of an existing slug adds one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ArticleInput {
    /// `a-z0-9-`, up to 64 characters. Ignored when changing an article by id.
    #[serde(default)]
    pub slug: String,
    /// `ru`, `kk` or `en`; told from the text when left out. Ignored when
    /// changing an article by id.
    #[serde(default)]
    pub language: Option<String>,
    /// The first line of the body when left out.
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub entities: Vec<MessageEntity>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub media_file_id: Option<String>,
    #[serde(default)]
    pub media_kind: Option<String>,
    /// Unpublished articles are neither searched nor offered (default true).
    #[serde(default = "yes")]
    pub published: bool,
}

fn yes() -> bool {
    true
}

/// One search result.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    pub article: ArticleView,
    /// In [0, 1]; at 0.5 or more the article would be offered to a client.
    pub confidence: f32,
    /// Only for ordering.
    pub score: f32,
}

impl ArticleInput {
    fn draft(self) -> WebResult<ArticleDraft> {
        let language = match self.language.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(code) => Some(
                Language::from_code(code)
                    .ok_or_else(|| WebError::invalid("language", "ru, kk or en"))?,
            ),
        };
        let media = match (self.media_file_id, self.media_kind) {
            (Some(file_id), Some(kind)) if !file_id.trim().is_empty() => {
                Some(ArticleMedia { file_id, kind })
            }
            (Some(_), None) => {
                return Err(WebError::invalid("media_kind", "needed with media_file_id"));
            }
            _ => None,
        };
        Ok(ArticleDraft {
            slug: self.slug,
            title: self.title,
            language,
            text: self.body,
            entities: self.entities,
            tags: self.tags,
            tags_given: true,
            media,
            published: self.published,
        })
    }
}

fn invalid(why: ArticleInvalid) -> WebError {
    WebError::invalid(why.field(), why.explain())
}

impl WebDesk {
    pub async fn articles(
        &self,
        _caller: &Principal,
        language: Option<&str>,
    ) -> WebResult<Vec<ArticleView>> {
        let mut rows = self.tickets.knowledge().list().await?;
        if let Some(language) = language.filter(|l| !l.is_empty()) {
            rows.retain(|a| a.language == language);
        }
        Ok(rows.into_iter().map(ArticleView::from).collect())
    }

    pub async fn article(&self, _caller: &Principal, id: i32) -> WebResult<ArticleView> {
        self.tickets
            .knowledge()
            .get(id)
            .await?
            .map(ArticleView::from)
            .ok_or_else(|| WebError::not_found(format!("no article {id}")))
    }

    pub async fn save_article(
        &self,
        caller: &Principal,
        input: ArticleInput,
    ) -> WebResult<ArticleView> {
        caller.may_edit_articles()?;
        let draft = input.draft()?;
        let saved = self
            .tickets
            .knowledge()
            .save(draft, Some(caller.acting_user_id()), Actor::Staff)
            .await?
            .map_err(invalid)?;
        Ok(saved.article().clone().into())
    }

    pub async fn update_article(
        &self,
        caller: &Principal,
        id: i32,
        input: ArticleInput,
    ) -> WebResult<ArticleView> {
        caller.may_edit_articles()?;
        let draft = input.draft()?;
        match self
            .tickets
            .knowledge()
            .update(id, draft, Some(caller.acting_user_id()), Actor::Staff)
            .await?
        {
            None => Err(WebError::not_found(format!("no article {id}"))),
            Some(Err(why)) => Err(invalid(why)),
            Some(Ok(article)) => Ok(article.into()),
        }
    }

    pub async fn delete_article(&self, caller: &Principal, id: i32) -> WebResult<()> {
        caller.may_edit_articles()?;
        if self
            .tickets
            .knowledge()
            .delete_id(id, Some(caller.acting_user_id()), Actor::Staff)
            .await?
        {
            Ok(())
        } else {
            Err(WebError::not_found(format!("no article {id}")))
        }
    }

    /// The published articles best matching `query`, one per slug, each
    /// in `language`'s translation when there is one.
    pub async fn search_articles(
        &self,
        _caller: &Principal,
        query: &str,
        language: Option<&str>,
        limit: Option<usize>,
    ) -> WebResult<Vec<SearchResult>> {
        if query.trim().is_empty() {
            return Err(WebError::invalid("q", "what to search for"));
        }
        let language = match language.map(str::trim).filter(|l| !l.is_empty()) {
            None => None,
            Some(code) => Some(
                Language::from_code(code)
                    .ok_or_else(|| WebError::invalid("language", "ru, kk or en"))?,
            ),
        };
        let limit = limit.unwrap_or(KB_CHOICES).clamp(1, SEARCH_LIMIT);
        let found = self
            .tickets
            .knowledge()
            .search(query, language, limit)
            .await?;
        Ok(found
            .into_iter()
            .map(|found| SearchResult {
                confidence: found.hit.confidence,
                score: found.hit.score,
                article: found.article.into(),
            })
            .collect())
    }
}
