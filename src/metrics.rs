//! Prometheus metrics of one running application. Each `Application` owns its
//! own registry, so tests that start several in one process do not mix counts.

use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Where a delivery goes, as the outbox metrics label it.
pub const DESTINATIONS: [&str; 3] = ["client", "main_group", "tech_group"];

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Updates accepted into the inbound store, by source (webhook, polling).
    pub updates_received: IntCounterVec,
    /// Updates whose handlers finished (including ones ignored on purpose).
    pub updates_processed: IntCounter,
    /// Failed attempts (each one is retried until the update is parked).
    pub updates_failed: IntCounter,
    /// Updates given up on after every attempt failed, or at replay.
    pub updates_parked: IntCounter,
    /// Updates of a kind this version cannot read (acknowledged, skipped).
    pub updates_unparsable: IntCounter,
    /// Updates queued in memory and not yet finished.
    pub inbound_backlog: IntGauge,
    /// Updates left in the database because the in-memory queue was full
    /// (read back as it drains).
    pub inbound_left_in_database: IntCounter,
    /// Time from picking an update up until its handlers finish.
    pub handler_seconds: Histogram,
    /// Bot API calls by method and outcome (ok, retry_after, api_error, network).
    pub telegram_calls: IntCounterVec,
    /// Outbox rows waiting to be sent, by destination.
    pub outbox_pending: IntGaugeVec,
    /// Age of the oldest waiting row, by destination, in seconds.
    pub outbox_oldest_pending_seconds: IntGaugeVec,
    /// Rows sent, by destination.
    pub outbox_sent: IntCounterVec,
    /// Rows failed for good, by destination.
    pub outbox_failed: IntCounterVec,
    /// Attempts that will be tried again (outages included), by destination.
    pub outbox_retried: IntCounterVec,
    /// 429 answers received, by destination.
    pub outbox_rate_limited: IntCounterVec,
    /// Job runs begun (each attempt), by job.
    pub jobs_run: IntCounterVec,
    /// Jobs given up after every attempt failed, by job.
    pub jobs_failed: IntCounterVec,
    /// Failed attempts that will be tried again (outages included), by job.
    pub jobs_retried: IntCounterVec,
    /// How long each attempt took, by job.
    pub job_seconds: HistogramVec,
    /// Jobs stored and waiting for their moment or a worker, by queue.
    pub jobs_waiting: IntGaugeVec,
    /// SQL statements the application sent to its database (transactions'
    /// BEGIN and COMMIT not counted): the cost per message, from outside.
    pub database_statements: IntCounter,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("topicdesk".into()), None)
            .expect("a constant prefix is valid");
        let metrics = Self {
            updates_received: register(
                &registry,
                IntCounterVec::new(
                    Opts::new("updates_received_total", "Updates stored by the intake"),
                    &["source"],
                ),
            ),
            database_statements: register(
                &registry,
                IntCounter::new(
                    "database_statements_total",
                    "SQL statements sent to the database (BEGIN and COMMIT not counted)",
                ),
            ),
            updates_processed: register(
                &registry,
                IntCounter::new(
                    "updates_processed_total",
                    "Updates whose processing finished",
                ),
            ),
            updates_failed: register(
                &registry,
                IntCounter::new(
                    "updates_failed_total",
                    "Failed processing attempts (retried until parked)",
                ),
            ),
            updates_parked: register(
                &registry,
                IntCounter::new(
                    "updates_parked_total",
                    "Updates given up on after every attempt failed",
                ),
            ),
            updates_unparsable: register(
                &registry,
                IntCounter::new(
                    "updates_unparsable_total",
                    "Updates of a kind this version cannot read, skipped",
                ),
            ),
            inbound_backlog: register(
                &registry,
                IntGauge::new(
                    "inbound_backlog",
                    "Updates queued in memory and not yet processed",
                ),
            ),
            inbound_left_in_database: register(
                &registry,
                IntCounter::new(
                    "inbound_left_in_database_total",
                    "Updates left in the database because the in-memory queue was full",
                ),
            ),
            handler_seconds: register(
                &registry,
                Histogram::with_opts(
                    HistogramOpts::new(
                        "handler_duration_seconds",
                        "Time from picking an update up until its handlers finish",
                    )
                    .buckets(vec![
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                        10.0,
                    ]),
                ),
            ),
            telegram_calls: register(
                &registry,
                IntCounterVec::new(
                    Opts::new("telegram_api_calls_total", "Bot API calls"),
                    &["method", "outcome"],
                ),
            ),
            outbox_pending: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new("outbox_pending", "Outbox rows waiting to be sent"),
                    &["destination"],
                ),
            ),
            outbox_oldest_pending_seconds: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "outbox_oldest_pending_seconds",
                        "Age of the oldest outbox row waiting to be sent",
                    ),
                    &["destination"],
                ),
            ),
            outbox_sent: register(
                &registry,
                IntCounterVec::new(
                    Opts::new("outbox_sent_total", "Outbox rows sent"),
                    &["destination"],
                ),
            ),
            outbox_failed: register(
                &registry,
                IntCounterVec::new(
                    Opts::new("outbox_failed_total", "Outbox rows failed for good"),
                    &["destination"],
                ),
            ),
            outbox_retried: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "outbox_retried_total",
                        "Delivery attempts that will be tried again",
                    ),
                    &["destination"],
                ),
            ),
            outbox_rate_limited: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "outbox_rate_limited_total",
                        "429 answers from Telegram to deliveries",
                    ),
                    &["destination"],
                ),
            ),
            jobs_run: register(
                &registry,
                IntCounterVec::new(
                    Opts::new("jobs_run_total", "Job runs begun (each attempt)"),
                    &["job"],
                ),
            ),
            jobs_failed: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "jobs_failed_total",
                        "Jobs given up after every attempt failed",
                    ),
                    &["job"],
                ),
            ),
            jobs_retried: register(
                &registry,
                IntCounterVec::new(
                    Opts::new(
                        "jobs_retried_total",
                        "Failed job attempts that will be tried again (outages included)",
                    ),
                    &["job"],
                ),
            ),
            job_seconds: register(
                &registry,
                HistogramVec::new(
                    HistogramOpts::new("job_duration_seconds", "How long a job attempt took")
                        .buckets(vec![
                            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                            60.0, 300.0,
                        ]),
                    &["job"],
                ),
            ),
            jobs_waiting: register(
                &registry,
                IntGaugeVec::new(
                    Opts::new(
                        "jobs_waiting",
                        "Jobs stored and waiting for their moment or a worker",
                    ),
                    &["queue"],
                ),
            ),
            registry,
        };
        // Every destination shows up from the start, at zero.
        for destination in DESTINATIONS {
            for family in [
                &metrics.outbox_sent,
                &metrics.outbox_failed,
                &metrics.outbox_retried,
                &metrics.outbox_rate_limited,
            ] {
                family.with_label_values(&[destination]);
            }
            metrics.outbox_pending.with_label_values(&[destination]);
            metrics
                .outbox_oldest_pending_seconds
                .with_label_values(&[destination]);
        }
        metrics
    }

    /// Makes a job's counters show up at zero before it first runs.
    pub fn touch_job(&self, job: &str) {
        for family in [&self.jobs_run, &self.jobs_failed, &self.jobs_retried] {
            family.with_label_values(&[job]);
        }
        self.job_seconds.with_label_values(&[job]);
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

/// Registers a metric built from constant names; both steps only fail for a
/// programming mistake (a bad or repeated name).
fn register<M: Collector + Clone + 'static>(
    registry: &Registry,
    metric: prometheus::Result<M>,
) -> M {
    let metric = metric.expect("a valid metric");
    registry
        .register(Box::new(metric.clone()))
        .expect("each metric is registered once");
    metric
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}
