//! The web desk: what the Mini App and the REST API may ask and do. The
//! HTTP handlers are doors that turn a request into one call here; every
//! change goes through the same services as the bot (`TicketService` for
//! assigning and closing, `reports::set_available`, the outbox for every
//! message), so the web is a second door, not a second desk.
//!
//! - [`init_data`], [`tokens`], [`sessions`], [`api_tokens`]: who the
//!   caller is; [`principal`]: what they may do;
//! - [`tickets`]: lists, search and a ticket's timeline;
//! - [`actions`]: assign, close, reply, availability;
//! - [`levels`]: SLA clocks, categories and priorities; setting the
//!   priority, moving to a category, waiting for the client;
//! - [`stats`]: figures per day and the dashboard;
//! - [`feed`]: the events log as a live stream that resumes exactly.

pub mod actions;
pub mod api_tokens;
pub mod error;
pub mod feed;
pub mod init_data;
pub mod knowledge;
pub mod levels;
pub mod principal;
pub mod sessions;
pub mod stats;
pub mod tickets;
pub mod tokens;

pub use error::{WebError, WebResult};
pub use principal::{Principal, Refusal, Role};

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::watch;

use crate::outbox::Outbox;
use crate::services::tickets::TicketService;
use crate::store::Store;
use crate::texts::Texts;
use tokens::AccessKeys;

/// What the web desk needs to know from the settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub bot_token: SecretString,
    pub admins: Vec<i64>,
    pub auth_max_age: Duration,
    /// `{PUBLIC_URL}/app/`, when there is a public HTTPS URL.
    pub mini_app_url: Option<String>,
}

#[derive(Clone)]
pub struct WebDesk {
    db: DatabaseConnection,
    store: Store,
    outbox: Outbox,
    /// The staff's language (notes in the topics, the Mini App's words).
    texts: Texts,
    tickets: TicketService,
    admins: Arc<Vec<i64>>,
    bot_token: Arc<str>,
    keys: AccessKeys,
    auth_max_age: Duration,
    mini_app_url: Option<Arc<str>>,
    /// The newest event id this instance has seen committed.
    latest_event: Arc<watch::Sender<i32>>,
}

impl std::fmt::Debug for WebDesk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebDesk").finish_non_exhaustive()
    }
}

impl WebDesk {
    pub fn new(
        db: DatabaseConnection,
        store: Store,
        outbox: Outbox,
        texts: Texts,
        tickets: TicketService,
        config: WebConfig,
    ) -> Self {
        let token = config.bot_token.expose_secret();
        Self {
            db,
            store,
            outbox,
            texts,
            tickets,
            admins: Arc::new(config.admins),
            keys: AccessKeys::from_bot_token(token),
            bot_token: Arc::from(token),
            auth_max_age: config.auth_max_age,
            mini_app_url: config.mini_app_url.map(Arc::from),
            latest_event: Arc::new(watch::channel(0).0),
        }
    }

    pub fn texts(&self) -> Texts {
        self.texts
    }

    /// The Mini App's public address; `None` when it is off.
    pub fn mini_app_url(&self) -> Option<&str> {
        self.mini_app_url.as_deref()
    }
}
