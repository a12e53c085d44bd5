//! Technicians come from TECH_GROUPS_MAPPING. At every start the table is
//! brought in line with it: new ones are added, changed ones updated, missing
//! ones deactivated — never deleted, because tickets still point at them.
//!
//! The technicians offered on new cards ([`active_technicians`]) are cached
//! in the store for [`ACTIVE_CACHE_TTL`]; whatever changes who is offered
//! (the sync, /tech_on, /tech_off) calls [`forget_active_technicians`].

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::config::TechnicianConfig;
use crate::entities::technicians::{self, Entity as Technician};
use crate::store::Store;

/// How long the list of technicians offered on cards is cached.
pub const ACTIVE_CACHE_TTL: Duration = Duration::from_secs(10 * 60);
const ACTIVE_CACHE_KEY: &str = "technicians:active";

/// A technician a new card offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveTechnician {
    pub id: i32,
    pub name: String,
    pub username: Option<String>,
}

/// The technicians who take new tickets (in TECH_GROUPS_MAPPING and not
/// switched off by a manager), by id: from the store's cache, or from the
/// database and then cached for [`ACTIVE_CACHE_TTL`]. A store that is down
/// only costs the cache.
pub async fn active_technicians(
    db: &DatabaseConnection,
    store: &Store,
) -> Result<Vec<ActiveTechnician>, DbErr> {
    match store.cache_get_json(ACTIVE_CACHE_KEY).await {
        Ok(Some(list)) => return Ok(list),
        Ok(None) => {}
        Err(error) => {
            tracing::debug!(error = %error, "store unavailable; reading technicians uncached")
        }
    }
    let list: Vec<ActiveTechnician> = Technician::find()
        .filter(technicians::Column::IsActive.eq(true))
        .filter(technicians::Column::Available.eq(true))
        .order_by_asc(technicians::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|t| ActiveTechnician {
            id: t.id,
            name: t.name,
            username: t.username,
        })
        .collect();
    if let Err(error) = store
        .cache_set_json(ACTIVE_CACHE_KEY, &list, ACTIVE_CACHE_TTL)
        .await
    {
        tracing::debug!(error = %error, "could not cache the technicians");
    }
    Ok(list)
}

/// Drops the cached list, after anything that changes who is offered.
pub async fn forget_active_technicians(store: &Store) {
    if let Err(error) = store.cache_delete(ACTIVE_CACHE_KEY).await {
        tracing::warn!(
            error = %error,
            "could not drop the cached technicians; new cards may show the old list for up to 10 minutes"
        );
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub added: usize,
    pub updated: usize,
    pub deactivated: usize,
}

/// Applies the configured list. A configured technician matches a stored one
/// by Telegram id, then by username, then by name — the most stable identity
/// the configuration gives.
pub async fn sync(
    db: &DatabaseConnection,
    configured: &[TechnicianConfig],
) -> Result<SyncReport, DbErr> {
    let txn = db.begin().await?;
    let mut stored = Technician::find().all(&txn).await?;
    let mut matched = vec![false; stored.len()];
    let mut report = SyncReport::default();

    for config in configured {
        let found = find_match(&stored, &matched, config);
        match found {
            Some(index) => {
                matched[index] = true;
                let row = &stored[index];
                if differs(row, config) {
                    let mut active = row.clone().into_active_model();
                    active.name = Set(config.name.clone());
                    active.username = Set(config.username.clone());
                    active.tg_user_id = Set(config.tg_user_id.or(row.tg_user_id));
                    active.group_chat_id = Set(config.group_chat_id);
                    active.is_active = Set(true);
                    stored[index] = active.update(&txn).await?;
                    report.updated += 1;
                }
            }
            None => {
                technicians::ActiveModel {
                    name: Set(config.name.clone()),
                    username: Set(config.username.clone()),
                    tg_user_id: Set(config.tg_user_id),
                    group_chat_id: Set(config.group_chat_id),
                    is_active: Set(true),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
                report.added += 1;
            }
        }
    }

    for (row, was_matched) in stored.iter().zip(&matched) {
        if !was_matched && row.is_active {
            let mut active = row.clone().into_active_model();
            active.is_active = Set(false);
            active.update(&txn).await?;
            report.deactivated += 1;
        }
    }
    txn.commit().await?;
    Ok(report)
}

fn find_match(
    stored: &[technicians::Model],
    matched: &[bool],
    config: &TechnicianConfig,
) -> Option<usize> {
    let free = |index: &usize| !matched[*index];
    let by = |predicate: &dyn Fn(&technicians::Model) -> bool| {
        (0..stored.len())
            .filter(free)
            .find(|&i| predicate(&stored[i]))
    };
    if let Some(id) = config.tg_user_id
        && let Some(index) = by(&|row| row.tg_user_id == Some(id))
    {
        return Some(index);
    }
    if let Some(username) = &config.username
        && let Some(index) = by(&|row| {
            row.username
                .as_deref()
                .is_some_and(|u| u.eq_ignore_ascii_case(username))
        })
    {
        return Some(index);
    }
    by(&|row| row.name == config.name)
}

fn differs(row: &technicians::Model, config: &TechnicianConfig) -> bool {
    row.name != config.name
        || row.username != config.username
        || (config.tg_user_id.is_some() && row.tg_user_id != config.tg_user_id)
        || row.group_chat_id != config.group_chat_id
        || !row.is_active
}
