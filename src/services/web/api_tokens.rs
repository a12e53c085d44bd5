//! API tokens for integrations: created by a manager (in the Mini App, or
//! with `/api_token <name> [read|write]` in the private chat), shown once,
//! kept as a hash, listed and revoked in the Mini App.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait,
    QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::WebDesk;
use super::error::{WebError, WebResult};
use super::principal::Principal;
use super::tokens::{API_PREFIX, random_token, token_hash};
use crate::entities::api_tokens::{self, TokenScope};
use crate::entities::{Actor, OutboxStatus, outbox};
use crate::records::events;

/// Longest token name, in characters.
pub const NAME_LIMIT: usize = 64;
/// `last_used_at` is written at most this often per token, not on every
/// request.
const USE_RECORD_INTERVAL: chrono::Duration = chrono::Duration::minutes(1);
/// The outbox rows that carry a new token to the manager's chat: their
/// dedup keys start with this, and once sent their text is blanked.
pub const TOKEN_MESSAGE_KEY: &str = "api-token:";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Read,
    Write,
}

impl From<Scope> for TokenScope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::Read => TokenScope::Read,
            Scope::Write => TokenScope::Write,
        }
    }
}

impl From<TokenScope> for Scope {
    fn from(scope: TokenScope) -> Self {
        match scope {
            TokenScope::Read => Scope::Read,
            TokenScope::Write => Scope::Write,
        }
    }
}

/// A token as lists show it: never the token itself.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiTokenView {
    pub id: i32,
    pub name: String,
    pub scope: Scope,
    /// The token's first characters.
    pub hint: String,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_tokens::Model> for ApiTokenView {
    fn from(row: api_tokens::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            scope: row.scope.into(),
            hint: row.hint,
            created_by: row.created_by,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A token just made: the only time it is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub view: ApiTokenView,
    /// Keep it now: it cannot be shown again.
    pub token: String,
}

/// Checks a token name: 1–64 characters, no control characters.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("a name is required, like \"crm\"".into());
    }
    if name.chars().count() > NAME_LIMIT {
        return Err(format!("at most {NAME_LIMIT} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("no control characters".into());
    }
    Ok(name.to_owned())
}

/// Makes a token. `name` must have passed [`check_name`].
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    scope: Scope,
    by: i64,
) -> Result<CreatedToken, DbErr> {
    let token = random_token(API_PREFIX);
    let hint = format!("{}…", &token[..API_PREFIX.len() + 6]);
    let row = api_tokens::ActiveModel {
        name: Set(name.to_owned()),
        scope: Set(scope.into()),
        token_hash: Set(token_hash(&token)),
        hint: Set(hint),
        created_by: Set(by),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    events::record(
        conn,
        None,
        Actor::Staff,
        "api_token_created",
        json!({ "token_id": row.id, "name": row.name, "scope": scope, "by": by }),
    )
    .await?;
    tracing::info!(token_id = row.id, by, "API token created");
    Ok(CreatedToken {
        view: row.into(),
        token,
    })
}

/// Blanks the text of sent outbox rows that carried a new token to a
/// manager's chat: once Telegram has it, the database needs no copy.
pub async fn forget_sent_token_messages<C: ConnectionTrait>(conn: &C) -> Result<u64, DbErr> {
    use sea_orm::sea_query::{ExprTrait, LikeExpr};
    let rows = outbox::Entity::find()
        .filter(
            Expr::col(outbox::Column::DedupKey)
                .like(LikeExpr::new(format!("{TOKEN_MESSAGE_KEY}%"))),
        )
        .filter(outbox::Column::Status.ne(OutboxStatus::Pending))
        .all(conn)
        .await?;
    let mut blanked = 0;
    for row in rows {
        if row.action.get("text").and_then(|t| t.get("text")) == Some(&json!("")) {
            continue;
        }
        let mut action = row.action.clone();
        action["text"] = json!({ "text": "", "entities": [] });
        action["keyboard"] = serde_json::Value::Null;
        outbox::Entity::update_many()
            .col_expr(outbox::Column::Action, Expr::value(action))
            .filter(outbox::Column::Id.eq(row.id))
            .exec(conn)
            .await?;
        blanked += 1;
    }
    Ok(blanked)
}

impl WebDesk {
    pub async fn create_api_token(
        &self,
        caller: &Principal,
        name: &str,
        scope: Scope,
    ) -> WebResult<CreatedToken> {
        caller.may_manage_tokens()?;
        let name = check_name(name).map_err(|detail| WebError::invalid("name", detail))?;
        Ok(create(&self.db, &name, scope, caller.acting_user_id()).await?)
    }

    pub async fn api_tokens(&self, caller: &Principal) -> WebResult<Vec<ApiTokenView>> {
        caller.may_manage_tokens()?;
        // A good moment to make sure no token text lingers in the outbox.
        forget_sent_token_messages(&self.db).await?;
        Ok(api_tokens::Entity::find()
            .order_by_desc(api_tokens::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    pub async fn revoke_api_token(&self, caller: &Principal, id: i32) -> WebResult<ApiTokenView> {
        caller.may_manage_tokens()?;
        let Some(row) = api_tokens::Entity::find_by_id(id).one(&self.db).await? else {
            return Err(WebError::not_found(format!("no API token {id}")));
        };
        if row.revoked_at.is_some() {
            return Ok(row.into());
        }
        let mut update: api_tokens::ActiveModel = row.into();
        update.revoked_at = Set(Some(Utc::now()));
        let row = update.update(&self.db).await?;
        events::record(
            &self.db,
            None,
            Actor::Staff,
            "api_token_revoked",
            json!({ "token_id": row.id, "name": row.name, "by": caller.acting_user_id() }),
        )
        .await?;
        tracing::info!(token_id = row.id, "API token revoked");
        Ok(row.into())
    }

    pub(super) async fn authenticate_api_token(&self, token: &str) -> WebResult<Principal> {
        let refused = || WebError::Unauthorized("the API token is not valid or was revoked".into());
        let row = api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(token_hash(token)))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .one(&self.db)
            .await?
            .ok_or_else(refused)?;
        let now = Utc::now();
        if row
            .last_used_at
            .is_none_or(|at| now - at > USE_RECORD_INTERVAL)
        {
            api_tokens::Entity::update_many()
                .col_expr(api_tokens::Column::LastUsedAt, Expr::value(now))
                .filter(api_tokens::Column::Id.eq(row.id))
                .exec(&self.db)
                .await?;
        }
        Ok(Principal::Token {
            id: row.id,
            name: row.name,
            scope: row.scope,
            created_by: row.created_by,
        })
    }
}
