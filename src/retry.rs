//! One way to keep trying, for every loop that waits out a failure: capped
//! exponential backoff from the `backon` crate, stopped by shutdown.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder, Retryable};
use tokio_util::sync::CancellationToken;

/// Pauses that start at `first`, double, and stop growing at `longest`;
/// never give up.
pub fn backoff(first: Duration, longest: Duration) -> ExponentialBuilder {
    ExponentialBuilder::default()
        .with_min_delay(first)
        .with_max_delay(longest)
        .with_factor(2.0)
        .without_max_times()
}

/// The pauses of [`backoff`] one by one, for loops that decide per failure
/// whether to pause (call [`Pauses::reset`] after a success).
pub struct Pauses {
    builder: ExponentialBuilder,
    current: ExponentialBackoff,
}

impl Pauses {
    pub fn new(first: Duration, longest: Duration) -> Self {
        let builder = backoff(first, longest);
        Self {
            current: builder.build(),
            builder,
        }
    }

    /// The next pause: longer each time, up to the longest.
    pub fn next_pause(&mut self) -> Duration {
        self.current
            .next()
            .unwrap_or_else(|| self.builder.build().next().unwrap_or_default())
    }

    /// Back to the first pause.
    pub fn reset(&mut self) {
        self.current = self.builder.build();
    }
}

/// Runs `attempt` until it succeeds, pausing as `backoff` says between
/// failures and logging each one as `what`; `None` when shutdown came first.
pub async fn until_success<T, E, F, Fut>(
    what: &str,
    backoff: ExponentialBuilder,
    shutdown: &CancellationToken,
    attempt: F,
) -> Option<T>
where
    E: Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let retrying =
        attempt
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .notify(|error: &E, pause: Duration| {
                tracing::warn!(error = %error, retry_in_ms = pause.as_millis() as u64, "{what}");
            });
    tokio::select! {
        _ = shutdown.cancelled() => None,
        result = retrying => result.ok(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn pauses_double_up_to_the_longest_and_start_over_after_a_reset() {
        let mut pauses = Pauses::new(Duration::from_millis(250), Duration::from_secs(1));
        let seen: Vec<u128> = (0..5).map(|_| pauses.next_pause().as_millis()).collect();
        assert_eq!(seen, [250, 500, 1000, 1000, 1000]);
        pauses.reset();
        assert_eq!(pauses.next_pause(), Duration::from_millis(250));
    }

    #[tokio::test(start_paused = true)]
    async fn an_attempt_is_repeated_until_it_succeeds() {
        let tries = AtomicU32::new(0);
        let shutdown = CancellationToken::new();
        let result = until_success(
            "not yet",
            backoff(Duration::from_millis(10), Duration::from_millis(40)),
            &shutdown,
            || async {
                match tries.fetch_add(1, Ordering::SeqCst) {
                    0..=2 => Err("down"),
                    n => Ok(n),
                }
            },
        )
        .await;
        assert_eq!(result, Some(3));
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_ends_the_retrying() {
        let shutdown = CancellationToken::new();
        shutdown.cancel();
        let result: Option<()> = until_success(
            "never",
            backoff(Duration::from_millis(10), Duration::from_millis(40)),
            &shutdown,
            || async { Err::<(), _>("down") },
        )
        .await;
        assert_eq!(result, None);
    }
}
