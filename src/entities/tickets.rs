//! `tickets`: one row per support request; `id` is the ticket number the
//! client sees. The ticket's topic in the main group is
//! (`main_chat_id`, `main_thread_id`); the row is inserted first and the
//! topic id filled in once Telegram has created the topic. A client has at
//! most one ticket that is not `CLOSED` (partial unique index
//! `ux_tickets_one_open_per_client`: a second insert fails with a unique
//! violation).

use sea_orm::entity::prelude::*;

use super::enums::{Priority, TicketStatus};

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tickets")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub client_tg_id: i64,
    pub status: TicketStatus,
    pub main_chat_id: i64,
    pub main_thread_id: Option<i32>,
    /// The client card, first post of the topic.
    pub card_message_id: Option<i32>,
    pub assigned_tech_id: Option<i32>,
    pub created_at: DateTimeUtc,
    pub first_response_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub priority: Priority,
    /// A key of CATEGORIES, when categories are configured.
    #[sea_orm(column_type = "Text", nullable)]
    pub category: Option<String>,
    /// SLA deadlines, in business time; none without an SLA policy.
    pub first_response_due: Option<DateTimeUtc>,
    /// Moved out by the time the ticket waits for the client.
    pub resolution_due: Option<DateTimeUtc>,
    /// Set while the status is `WAITING`.
    pub waiting_since: Option<DateTimeUtc>,
    /// When each SLA warning and breach fired (each once).
    pub first_response_warned_at: Option<DateTimeUtc>,
    pub first_response_breached_at: Option<DateTimeUtc>,
    pub resolution_warned_at: Option<DateTimeUtc>,
    pub resolution_breached_at: Option<DateTimeUtc>,
    /// Why it closed, when not by a person: `KB` (the client's «Помогло»).
    #[sea_orm(column_type = "Text", nullable)]
    pub close_reason: Option<String>,
    /// `HELD` while the client reads the articles offered to them
    /// (KB_SUGGEST=hold), rather than for a category.
    pub kb_held: bool,
    #[sea_orm(
        belongs_to,
        from = "client_tg_id",
        to = "tg_id",
        on_update = "Cascade",
        on_delete = "NoAction"
    )]
    pub client: BelongsTo<super::users::Entity>,
    #[sea_orm(
        belongs_to,
        from = "assigned_tech_id",
        to = "id",
        on_update = "Cascade",
        on_delete = "SetNull"
    )]
    pub assigned_tech: BelongsTo<Option<super::technicians::Entity>>,
    #[sea_orm(has_many)]
    pub mirrors: HasMany<super::mirrors::Entity>,
    #[sea_orm(has_one)]
    pub feedback: HasOne<super::feedback::Entity>,
    #[sea_orm(has_many)]
    pub events: HasMany<super::events::Entity>,
    #[sea_orm(has_many)]
    pub message_links: HasMany<super::message_links::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
