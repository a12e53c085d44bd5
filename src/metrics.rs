//! Prometheus metrics of one running application. Each `Application` owns its
//! own registry, so tests that start several in one process do not mix counts.

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Updates accepted into the inbound store, by source (webhook, polling).
    pub updates_received: IntCounterVec,
    /// Updates whose handlers finished (including ones ignored on purpose).
    pub updates_processed: IntCounter,
    /// Failed attempts (each one is retried until the update is parked).
    pub updates_failed: IntCounter,
    /// Updates given up on after every attempt failed.
    pub updates_parked: IntCounter,
    /// Updates queued in memory and not yet finished.
    pub inbound_backlog: IntGauge,
    /// Updates left in the database because the in-memory queue was full
    /// (read back as it drains).
    pub inbound_left_in_database: IntCounter,
    /// Time from picking an update up until its handlers finish.
    pub handler_seconds: Histogram,
    /// Bot API calls by method and outcome (ok, retry_after, api_error, network).
    pub telegram_calls: IntCounterVec,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("topicdesk".into()), None)
            .expect("a constant prefix is valid");
        let updates_received = IntCounterVec::new(
            Opts::new("updates_received_total", "Updates stored by the intake"),
            &["source"],
        )
        .expect("valid metric");
        let updates_processed = IntCounter::new(
            "updates_processed_total",
            "Updates whose processing finished",
        )
        .expect("valid metric");
        let updates_failed = IntCounter::new(
            "updates_failed_total",
            "Failed processing attempts (retried until parked)",
        )
        .expect("valid metric");
        let updates_parked = IntCounter::new(
            "updates_parked_total",
            "Updates given up on after every attempt failed",
        )
        .expect("valid metric");
        let inbound_backlog = IntGauge::new(
            "inbound_backlog",
            "Updates queued in memory and not yet processed",
        )
        .expect("valid metric");
        let inbound_left_in_database = IntCounter::new(
            "inbound_left_in_database_total",
            "Updates left in the database because the in-memory queue was full",
        )
        .expect("valid metric");
        let handler_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "handler_duration_seconds",
                "Time from picking an update up until its handlers finish",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
        )
        .expect("valid metric");
        let telegram_calls = IntCounterVec::new(
            Opts::new("telegram_api_calls_total", "Bot API calls"),
            &["method", "outcome"],
        )
        .expect("valid metric");

        for collector in [
            Box::new(updates_received.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(updates_processed.clone()),
            Box::new(updates_failed.clone()),
            Box::new(updates_parked.clone()),
            Box::new(inbound_backlog.clone()),
            Box::new(inbound_left_in_database.clone()),
            Box::new(handler_seconds.clone()),
            Box::new(telegram_calls.clone()),
        ] {
            registry
                .register(collector)
                .expect("each metric is registered once");
        }

        Self {
            registry,
            updates_received,
            updates_processed,
            updates_failed,
            updates_parked,
            inbound_backlog,
            inbound_left_in_database,
            handler_seconds,
            telegram_calls,
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("encoding into memory cannot fail");
        String::from_utf8(buffer).expect("the text format is UTF-8")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
