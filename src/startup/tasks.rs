//! The background tasks the application runs beside intake and delivery:
//! signals, the dispatcher, webhook registration or long polling, command
//! menus and the self-check. Each keeps trying through Telegram's
//! or the database's bad minutes, with the one backoff of [`crate::retry`].

use std::sync::Arc;
use std::time::Duration;

use teloxide::dispatching::Dispatcher;
use teloxide::dptree;
use teloxide::error_handlers::LoggingErrorHandler;
use teloxide::payloads::SetWebhookSetters;
use teloxide::prelude::Requester;
use teloxide::types::AllowedUpdate;
use tokio_util::sync::CancellationToken;

use crate::intake::{InboundListener, Intake, UpdateProcessor, ordering_key, run_polling};
use crate::retry::{backoff, until_success};
use crate::self_check::{self, RequiredGroup, SelfCheckStatus};
use crate::telegram::{ALLOWED_UPDATES, Sender, TelegramError};
use crate::texts::Texts;

/// Per-chat queue length inside the dispatcher. Deep enough that one busy chat
/// does not block the dispatcher loop feeding the others.
const WORKER_QUEUE_SIZE: usize = 4096;

pub(super) async fn cancel_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(error = %error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => tracing::info!("SIGINT received"),
        _ = terminate => tracing::info!("SIGTERM received"),
        _ = shutdown.cancelled() => return,
    }
    shutdown.cancel();
}

/// Dispatches until the listener is stopped. The dispatcher asks Telegram
/// who the bot is first (getMe); while Telegram cannot be reached, that is
/// retried.
pub(super) async fn run_dispatcher(
    sender: Sender,
    processor: Arc<UpdateProcessor>,
    updates: InboundListener,
    shutdown: CancellationToken,
) {
    let dispatch = || {
        let mut dispatcher =
            Dispatcher::builder(sender.bot().clone(), UpdateProcessor::root_handler())
                .dependencies(dptree::deps![processor.clone()])
                .distribution_function(ordering_key)
                .worker_queue_size(WORKER_QUEUE_SIZE)
                .error_handler(LoggingErrorHandler::with_custom_text(
                    "an update handler failed",
                ))
                .build();
        let updates = updates.clone();
        let token = sender.bot().token().to_owned();
        async move {
            dispatcher
                .try_dispatch_with_listener(
                    updates,
                    LoggingErrorHandler::with_custom_text("update listener failed"),
                )
                .await
                // teloxide's own getMe, outside the send path: described
                // here so its error cannot quote the token.
                .map_err(|error| TelegramError::new("GetMe", error, &token))
        }
    };
    until_success(
        "cannot start dispatching: getMe failed",
        backoff(Duration::from_millis(500), Duration::from_secs(30)),
        &shutdown,
        dispatch,
    )
    .await;
}

pub(super) async fn register_webhook(
    sender: Sender,
    endpoint: String,
    secret: String,
    shutdown: CancellationToken,
) {
    let url = match reqwest::Url::parse(&endpoint) {
        Ok(url) => url,
        Err(error) => {
            tracing::error!(error = %error, "WEBHOOK_URL does not form a valid webhook URL");
            return;
        }
    };
    let allowed: Vec<AllowedUpdate> = ALLOWED_UPDATES
        .iter()
        .filter_map(|kind| serde_json::from_value(serde_json::json!(kind)).ok())
        .collect();
    let register = || {
        let request = sender
            .bot()
            .set_webhook(url.clone())
            .secret_token(secret.clone())
            .allowed_updates(allowed.clone());
        let sender = sender.clone();
        async move { sender.call(request).await }
    };
    if until_success(
        "setWebhook failed; retrying",
        backoff(Duration::from_secs(1), Duration::from_secs(60)),
        &shutdown,
        register,
    )
    .await
    .is_some()
    {
        tracing::info!(path = "/webhook/…", "webhook registered with Telegram");
    }
}

/// Sets the command menus, retrying while Telegram cannot be reached.
pub(super) async fn set_command_menus(
    sender: Sender,
    texts: Texts,
    main_groups: Vec<i64>,
    admins: Vec<i64>,
    shutdown: CancellationToken,
) {
    until_success(
        "command menus not set yet; retrying",
        backoff(Duration::from_secs(1), Duration::from_secs(300)),
        &shutdown,
        || crate::bot::menus::set_menus(&sender, &texts, &main_groups, &admins),
    )
    .await;
}

pub(super) async fn start_polling(sender: Sender, intake: Intake, shutdown: CancellationToken) {
    // getUpdates refuses to work while a webhook is registered.
    let deleted = until_success(
        "deleteWebhook failed; retrying before polling",
        backoff(Duration::from_secs(1), Duration::from_secs(60)),
        &shutdown,
        || sender.call(sender.bot().delete_webhook()),
    )
    .await;
    if deleted.is_some() {
        run_polling(sender.telegram().clone(), intake, shutdown).await;
    }
}

/// How often the self-check runs.
#[derive(Debug, Clone, Copy)]
pub(super) struct SelfCheckPace {
    /// While everything is fine: a right can be taken away, or Topics
    /// turned off, under a running bot.
    pub every: Duration,
    /// While something is wrong, so /readyz turns green soon after the fix.
    pub retry: Duration,
}

/// Runs the self-check now and then for as long as the bot runs, and keeps
/// /readyz up to date. Each problem is logged once when it appears and
/// once when it is resolved; while Telegram cannot be reached the last
/// results stand, with that said on top.
pub(super) async fn keep_self_checking(
    sender: Sender,
    groups: Vec<RequiredGroup>,
    status: SelfCheckStatus,
    pace: SelfCheckPace,
    shutdown: CancellationToken,
) {
    // The problems of the last run that reached Telegram; None before one did.
    let mut known: Option<Vec<String>> = None;
    let mut unreachable = false;
    loop {
        let findings = self_check::run(&sender, &groups).await;
        match findings.unreachable {
            Some(reason) => {
                if !unreachable {
                    tracing::warn!(reason = %reason, "self-check cannot reach Telegram; the last results stand");
                }
                unreachable = true;
                let mut problems = known.clone().unwrap_or_default();
                problems.push(reason);
                status.set(problems);
            }
            None => {
                if unreachable {
                    tracing::info!("self-check reaches Telegram again");
                }
                unreachable = false;
                log_changes(known.as_deref(), &findings.problems, groups.len());
                status.set(findings.problems.clone());
                known = Some(findings.problems);
            }
        }
        let all_well = !unreachable && known.as_ref().is_some_and(Vec::is_empty);
        let pause = if all_well { pace.every } else { pace.retry };
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(pause) => {}
        }
    }
}

/// One line per problem that appeared, and per problem that went away.
fn log_changes(before: Option<&[String]>, now: &[String], groups: usize) {
    let earlier = before.unwrap_or_default();
    for problem in now.iter().filter(|p| !earlier.contains(p)) {
        tracing::error!(problem = %problem, "self-check found a problem");
    }
    for problem in earlier.iter().filter(|p| !now.contains(p)) {
        tracing::info!(problem = %problem, "self-check: problem resolved");
    }
    if now.is_empty() && (before.is_none() || !earlier.is_empty()) {
        tracing::info!(groups, "self-check passed");
    }
}
