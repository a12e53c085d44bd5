//! What the services promise the job engine: to carry out a planned job,
//! and to sweep up whatever is due and was missed.

use async_trait::async_trait;

use super::Planned;

/// The work behind the planned jobs, implemented by the services (SLA
/// clocks, category timeouts, waiting auto-close) and handed to the
/// application at startup.
#[async_trait]
pub trait PlannedWork: Send + Sync {
    /// Carry out one planned job (idempotent: it may run twice).
    async fn run(&self, job: &Planned) -> Result<(), JobFailure>;
    /// The safety net, every minute: whatever is due and was missed (after a
    /// restart, a lost job).
    async fn sweep(&self) -> Result<(), JobFailure>;
}

/// Why a job did not get done. An outage (the database or the store away)
/// is retried without using up the job's attempts: the job itself did
/// nothing wrong and will succeed once the outage is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFailure {
    pub message: String,
    pub outage: bool,
}

impl JobFailure {
    /// Something is away; try again later, as often as it takes.
    pub fn outage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            outage: true,
        }
    }

    /// The job itself failed; it is retried a few times, then given up.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            outage: false,
        }
    }
}

impl std::fmt::Display for JobFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.outage {
            write!(f, "outage: {}", self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for JobFailure {}
