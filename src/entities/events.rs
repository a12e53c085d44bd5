//! `events`: append-only log of what happened — who (`actor`), what
//! (`action`, e.g. `"ticket.assigned"`) and the details (`payload`, a JSON
//! object). `ticket_id` is null for events that concern no ticket. Read a
//! ticket's history by (`ticket_id`, `ts`).
//!
//! An event whose payload carries a `"text"` (a bridged message) also gets
//! `search_text`, that text in [`search_form`], filled in on insert: /find
//! matches words against it.

use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::*;

use super::enums::Actor;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub ticket_id: Option<i32>,
    pub actor: Actor,
    #[sea_orm(column_type = "Text")]
    pub action: String,
    /// `jsonb` on PostgreSQL, JSON text on SQLite.
    #[sea_orm(column_type = "JsonBinary")]
    pub payload: Json,
    pub ts: DateTimeUtc,
    /// `payload.text` in [`search_form`], for /find; null without a text.
    #[sea_orm(column_type = "Text", nullable)]
    pub search_text: Option<String>,
    #[sea_orm(
        belongs_to,
        from = "ticket_id",
        to = "id",
        on_update = "Cascade",
        on_delete = "SetNull"
    )]
    pub ticket: BelongsTo<Option<super::tickets::Entity>>,
}

#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert && self.search_text.is_not_set() {
            let text = self.payload.try_as_ref().and_then(search_text_of);
            self.search_text = Set(text);
        }
        Ok(self)
    }
}

/// What `search_text` holds for `payload`: its `"text"` in [`search_form`],
/// or nothing when it has no text.
pub fn search_text_of(payload: &Json) -> Option<String> {
    payload
        .get("text")
        .and_then(Json::as_str)
        .filter(|text| !text.trim().is_empty())
        .map(search_form)
}

/// The form text is searched in: lower case by Unicode rules (SQL `LOWER()`
/// folds only ASCII on SQLite), and "ё" as "е", as Russian is often typed
/// without it. Queries are put in the same form before matching.
pub fn search_form(text: &str) -> String {
    text.to_lowercase().replace('ё', "е")
}

#[cfg(test)]
mod tests {
    use super::search_form;

    #[test]
    fn the_search_form_folds_case_in_any_script_and_reads_yo_as_ye() {
        assert_eq!(search_form("ПРИНТЕР Ёлка Printer"), "принтер елка printer");
        assert_eq!(search_form("100% _x_"), "100% _x_");
    }
}
