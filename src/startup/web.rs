//! Wiring of the web desk: the service, its routes, the instance's watch
//! on the events log, and the Mini App's menu buttons.

use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::bot::app_button::set_app_buttons;
use crate::config::Settings;
use crate::http::WebRoutes;
use crate::outbox::Outbox;
use crate::retry::Pauses;
use crate::services::tickets::TicketService;
use crate::services::web::{WebConfig, WebDesk};
use crate::store::Store;
use crate::telegram::Sender;
use crate::texts::Texts;

pub(super) fn desk(
    settings: &Settings,
    db: &DatabaseConnection,
    store: &Store,
    outbox: &Outbox,
    texts: Texts,
    tickets: &TicketService,
) -> WebDesk {
    WebDesk::new(
        db.clone(),
        store.clone(),
        outbox.clone(),
        texts,
        tickets.clone(),
        WebConfig {
            bot_token: settings.telegram.token.clone(),
            admins: settings.admin_ids.clone(),
            auth_max_age: settings.web.auth_max_age,
            mini_app_url: settings.web.mini_app_url(),
        },
    )
}

pub(super) fn routes(settings: &Settings, desk: WebDesk) -> WebRoutes {
    WebRoutes {
        desk,
        cors_origins: settings.web.cors_origins.clone(),
    }
}

/// Expired refresh tokens go once an hour.
async fn prune_sessions(desk: WebDesk, shutdown: CancellationToken) {
    loop {
        match desk.prune_sessions().await {
            Ok(0) => {}
            Ok(deleted) => tracing::info!(deleted, "expired web sessions pruned"),
            Err(error) => tracing::warn!(error = %error, "could not prune web sessions"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
        }
    }
}

/// The background work of the web desk; says once whether the Mini App
/// is on.
pub(super) fn start(
    settings: &Settings,
    desk: &WebDesk,
    sender: &Sender,
    shutdown: &CancellationToken,
) -> Vec<JoinHandle<()>> {
    let mut tasks = vec![
        tokio::spawn(desk.clone().watch_events(shutdown.clone())),
        tokio::spawn(prune_sessions(desk.clone(), shutdown.clone())),
    ];
    let Some(url) = desk.mini_app_url().map(str::to_owned) else {
        tracing::info!(
            "Mini App off: it needs a public HTTPS address (PUBLIC_URL, or WEBHOOK_URL); the REST API is served at /api/v1"
        );
        return tasks;
    };
    tracing::info!(url = %url, "Mini App on");
    let mut people: Vec<i64> = settings.admin_ids.clone();
    people.extend(settings.technicians.iter().filter_map(|t| t.tg_user_id));
    people.sort_unstable();
    people.dedup();
    let sender = sender.clone();
    let texts = desk.texts();
    let shutdown = shutdown.clone();
    tasks.push(tokio::spawn(async move {
        let mut pauses = Pauses::new(Duration::from_secs(1), Duration::from_secs(300));
        while !people.is_empty() {
            people = set_app_buttons(&sender, &texts, &url, &people).await;
            if people.is_empty() {
                break;
            }
            tracing::warn!(
                left = people.len(),
                "Telegram out of reach; setting menu buttons again later"
            );
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tokio::time::sleep(pauses.next_pause()) => {}
            }
        }
    }));
    tasks
}
