//! Signing in to the Mini App, and staying signed in.
//!
//! A sign-in with valid initData starts a family of refresh tokens and
//! returns the first with an access token. Each refresh marks its token
//! used and hands out the next one of the family; a used token presented
//! again means two parties hold it, so the whole family is revoked and
//! both must sign in again. Logout revokes the family too. The role is
//! looked up afresh at every refresh, so someone removed from ADMIN_IDS or
//! TECH_GROUPS_MAPPING loses access within one access token's life.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QuerySelect,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::WebDesk;
use super::error::{WebError, WebResult};
use super::init_data::{self, WebAppUser};
use super::principal::{Principal, Role};
use super::tokens::{
    ACCESS_TTL, AccessClaims, REFRESH_PREFIX, REFRESH_TTL, random_token, token_hash,
};
use crate::entities::{technicians, web_sessions};

/// What a sign-in or a refresh hands out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionTokens {
    /// A JWT for `Authorization: Bearer …`, good for `expires_in` seconds.
    pub access_token: String,
    /// Exchange it at `/api/v1/auth/refresh` for new tokens; good once,
    /// for 30 days.
    pub refresh_token: String,
    pub expires_in: i64,
    pub role: Role,
}

impl WebDesk {
    /// The role of a Telegram user on this desk, with their technician row.
    pub async fn role_of(&self, tg_user_id: i64) -> WebResult<Option<(Role, Option<i32>)>> {
        let tech: Option<i32> = technicians::Entity::find()
            .select_only()
            .column(technicians::Column::Id)
            .filter(technicians::Column::TgUserId.eq(tg_user_id))
            .filter(technicians::Column::IsActive.eq(true))
            .into_tuple()
            .one(&self.db)
            .await?;
        Ok(if self.admins.contains(&tg_user_id) {
            Some((Role::Admin, tech))
        } else {
            tech.map(|id| (Role::Technician, Some(id)))
        })
    }

    fn outsider(tg_user_id: i64) -> WebError {
        WebError::Forbidden(format!(
            "you are not on this desk's team: ask a manager of the desk to add your Telegram id {tg_user_id} to ADMIN_IDS (managers) or TECH_GROUPS_MAPPING (technicians)"
        ))
    }

    /// Exchanges Telegram's initData for tokens.
    pub async fn sign_in(&self, init_data: &str) -> WebResult<SessionTokens> {
        let user = init_data::verify(init_data, &self.bot_token, Utc::now(), self.auth_max_age)
            .map_err(|error| WebError::Unauthorized(error.to_string()))?;
        let Some((role, tech)) = self.role_of(user.id).await? else {
            tracing::info!(tg_user_id = user.id, "web sign-in refused: not on the team");
            return Err(Self::outsider(user.id));
        };
        let family = uuid::Uuid::new_v4().simple().to_string();
        let refresh = self.new_refresh_token(&family, user.id).await?;
        tracing::info!(tg_user_id = user.id, role = role.as_str(), "web sign-in");
        Ok(self.tokens(&user, role, tech, family, refresh))
    }

    /// Rotates a refresh token: the old one is spent, a new pair returned.
    pub async fn refresh(&self, refresh_token: &str) -> WebResult<SessionTokens> {
        let refused = || WebError::Unauthorized("the refresh token is not valid".into());
        let Some(row) = web_sessions::Entity::find()
            .filter(web_sessions::Column::TokenHash.eq(token_hash(refresh_token)))
            .one(&self.db)
            .await?
        else {
            return Err(refused());
        };
        let now = Utc::now();
        if row.revoked_at.is_some() || row.expires_at <= now {
            return Err(refused());
        }
        // Spending is one conditional update, so of two refreshes racing
        // with the same token exactly one wins; the loser is a reuse.
        let spent = web_sessions::Entity::update_many()
            .col_expr(web_sessions::Column::UsedAt, Expr::value(now))
            .filter(web_sessions::Column::Id.eq(row.id))
            .filter(web_sessions::Column::UsedAt.is_null())
            .exec(&self.db)
            .await?;
        if spent.rows_affected == 0 {
            self.revoke_family(&row.family).await?;
            tracing::warn!(
                tg_user_id = row.tg_user_id,
                "a spent refresh token was presented again: the sign-in is revoked"
            );
            return Err(WebError::Unauthorized(
                "the refresh token was already used: sign in again".into(),
            ));
        }
        let Some((role, tech)) = self.role_of(row.tg_user_id).await? else {
            self.revoke_family(&row.family).await?;
            return Err(Self::outsider(row.tg_user_id));
        };
        let refresh = self.new_refresh_token(&row.family, row.tg_user_id).await?;
        let user = self.known_user(row.tg_user_id).await?;
        Ok(self.tokens(&user, role, tech, row.family, refresh))
    }

    /// Ends the sign-in the refresh token belongs to. Unknown tokens are
    /// fine: the caller is signed out either way.
    pub async fn logout(&self, refresh_token: &str) -> WebResult<()> {
        if let Some(row) = web_sessions::Entity::find()
            .filter(web_sessions::Column::TokenHash.eq(token_hash(refresh_token)))
            .one(&self.db)
            .await?
        {
            self.revoke_family(&row.family).await?;
        }
        Ok(())
    }

    async fn revoke_family(&self, family: &str) -> WebResult<()> {
        web_sessions::Entity::update_many()
            .col_expr(web_sessions::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(web_sessions::Column::Family.eq(family))
            .filter(web_sessions::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Whether a sign-in is still on (not logged out, not revoked).
    pub(super) async fn family_is_live(&self, family: &str) -> WebResult<bool> {
        let revoked = web_sessions::Entity::find()
            .select_only()
            .column(web_sessions::Column::Id)
            .filter(web_sessions::Column::Family.eq(family))
            .filter(web_sessions::Column::RevokedAt.is_not_null())
            .into_tuple::<i32>()
            .one(&self.db)
            .await?;
        Ok(revoked.is_none())
    }

    async fn new_refresh_token(&self, family: &str, tg_user_id: i64) -> WebResult<String> {
        let token = random_token(REFRESH_PREFIX);
        let now = Utc::now();
        web_sessions::ActiveModel {
            family: Set(family.to_owned()),
            tg_user_id: Set(tg_user_id),
            token_hash: Set(token_hash(&token)),
            created_at: Set(now),
            expires_at: Set(now + REFRESH_TTL),
            used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(token)
    }

    /// The name to show for a user signing in again, from the users table
    /// or the technicians list; the id when neither knows them.
    async fn known_user(&self, tg_user_id: i64) -> WebResult<WebAppUser> {
        use crate::entities::users;
        let (name, username) =
            if let Some(user) = users::Entity::find_by_id(tg_user_id).one(&self.db).await? {
                (user.full_name, user.username)
            } else if let Some(tech) = technicians::Entity::find()
                .filter(technicians::Column::TgUserId.eq(tg_user_id))
                .one(&self.db)
                .await?
            {
                (tech.name, tech.username)
            } else {
                (tg_user_id.to_string(), None)
            };
        Ok(WebAppUser {
            id: tg_user_id,
            first_name: name,
            last_name: None,
            username,
            language_code: None,
        })
    }

    fn tokens(
        &self,
        user: &WebAppUser,
        role: Role,
        tech: Option<i32>,
        family: String,
        refresh_token: String,
    ) -> SessionTokens {
        let claims = AccessClaims {
            sub: user.id.to_string(),
            name: user.full_name(),
            username: user.username.clone(),
            role: role.as_str().to_owned(),
            tech,
            sid: family,
            iat: 0,
            exp: 0,
            iss: String::new(),
            aud: String::new(),
        };
        SessionTokens {
            access_token: self.keys.issue(claims, Utc::now()),
            refresh_token,
            expires_in: ACCESS_TTL.num_seconds(),
            role,
        }
    }

    /// The caller behind a bearer token: an access token whose sign-in is
    /// still on, or a live API token.
    pub async fn authenticate(&self, bearer: &str) -> WebResult<Principal> {
        if bearer.starts_with(super::tokens::API_PREFIX) {
            return self.authenticate_api_token(bearer).await;
        }
        let refused = || {
            WebError::Unauthorized(
                "the access token is not valid or has expired: refresh it".into(),
            )
        };
        let claims = self.keys.check(bearer).ok_or_else(refused)?;
        let tg_user_id: i64 = claims.sub.parse().map_err(|_| refused())?;
        let role = Role::parse(&claims.role).ok_or_else(refused)?;
        // Logout and reuse revoke at once, not when the token runs out.
        if !self.family_is_live(&claims.sid).await? {
            return Err(refused());
        }
        let other_categories = self.other_categories(role, claims.tech).await?;
        Ok(Principal::Person {
            tg_user_id,
            name: claims.name,
            username: claims.username,
            role,
            tech_id: claims.tech,
            family: claims.sid,
            other_categories,
        })
    }

    /// For a technician: the categories (CATEGORIES) that list technicians,
    /// but not them. Nothing to look up when no category lists anyone.
    async fn other_categories(&self, role: Role, tech: Option<i32>) -> WebResult<Vec<String>> {
        let categories = &self.tickets.desk().categories;
        let (Role::Technician, Some(tech)) = (role, tech) else {
            return Ok(Vec::new());
        };
        if categories.iter().all(|c| c.technicians.is_empty()) {
            return Ok(Vec::new());
        }
        let Some(row) = technicians::Entity::find_by_id(tech).one(&self.db).await? else {
            return Ok(Vec::new());
        };
        Ok(categories
            .iter()
            .filter(|c| !c.is_handled_by(&row.name, row.username.as_deref()))
            .map(|c| c.key.clone())
            .collect())
    }

    /// Deletes refresh tokens past their expiry: they sign nobody in, and
    /// every refresh adds a row.
    pub async fn prune_sessions(&self) -> WebResult<u64> {
        let deleted = web_sessions::Entity::delete_many()
            .filter(web_sessions::Column::ExpiresAt.lt(Utc::now()))
            .exec(&self.db)
            .await?;
        Ok(deleted.rows_affected)
    }

    /// When the access token runs out (for streams, which then end).
    pub fn access_expiry(&self, bearer: &str) -> Option<chrono::DateTime<Utc>> {
        self.keys
            .check(bearer)
            .and_then(|claims| chrono::DateTime::from_timestamp(claims.exp, 0))
    }
}
