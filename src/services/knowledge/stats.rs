//! What the knowledge base achieved in a period: how many tickets it was
//! offered on, how many it resolved without a person (the deflection
//! rate), and each article's helpful and unhelpful counts.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, QueryFilter};
use serde::Serialize;
use utoipa::ToSchema;

use super::KnowledgeService;
use crate::entities::kb_suggestions::{self, SuggestionOutcome};

/// The knowledge base's figures over a period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct KbFigures {
    /// Tickets whose client was offered articles.
    pub offered: u64,
    /// Of those, tickets «Помогло» closed without a person.
    pub helped: u64,
    /// `helped / offered`, when anything was offered.
    pub deflection_rate: Option<f64>,
    /// Per article (slug), most offered first.
    pub articles: Vec<ArticleFigures>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ArticleFigures {
    pub slug: String,
    pub offered: u64,
    /// Offers answered «Помогло».
    pub helpful: u64,
    /// Offers answered «Нужен специалист», or left until the ticket opened.
    pub unhelpful: u64,
}

impl KnowledgeService {
    /// The figures of the offers made in `[from, until)`.
    pub async fn figures(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<KbFigures, DbErr> {
        let rows = kb_suggestions::Entity::find()
            .filter(kb_suggestions::Column::CreatedAt.gte(from))
            .filter(kb_suggestions::Column::CreatedAt.lt(until))
            .all(&self.db)
            .await?;
        let offered: BTreeSet<_> = rows.iter().map(|r| (r.ticket_id, r.client_tg_id)).collect();
        let helped: BTreeSet<_> = rows
            .iter()
            .filter(|r| r.outcome == SuggestionOutcome::Helped)
            .map(|r| (r.ticket_id, r.client_tg_id))
            .collect();
        let mut per_slug: BTreeMap<&str, ArticleFigures> = BTreeMap::new();
        for row in &rows {
            let entry = per_slug
                .entry(row.slug.as_str())
                .or_insert_with(|| ArticleFigures {
                    slug: row.slug.clone(),
                    offered: 0,
                    helpful: 0,
                    unhelpful: 0,
                });
            entry.offered += 1;
            match row.outcome {
                SuggestionOutcome::Helped => entry.helpful += 1,
                SuggestionOutcome::NeededPerson | SuggestionOutcome::TimedOut => {
                    entry.unhelpful += 1
                }
                SuggestionOutcome::Offered => {}
            }
        }
        let mut articles: Vec<ArticleFigures> = per_slug.into_values().collect();
        articles.sort_by(|a, b| b.offered.cmp(&a.offered).then(a.slug.cmp(&b.slug)));
        let offered = offered.len() as u64;
        let helped = helped.len() as u64;
        Ok(KbFigures {
            offered,
            helped,
            deflection_rate: (offered > 0).then(|| helped as f64 / offered as f64),
            articles,
        })
    }
}
