//! Group commit: many tasks each wait for their own small write, and the
//! writes that arrive while one is in progress go together in the next
//! statement and commit. A lone write goes at once (no collecting window,
//! so no added latency at a low load); under a burst, one round trip and
//! one commit carry dozens of writes.
//!
//! Written here because no well-kept crate fits: sqlx and SeaORM have no
//! group commit, and the batching crates found (`batched-fn` and the like)
//! collect for a fixed window, which would add that window to every
//! webhook answer at a low load.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

/// The most items one write carries.
const MOST_PER_WRITE: usize = 512;
/// Items that may wait for the writer before submitters wait for room.
const QUEUE: usize = 4096;

type WriteFuture<O, E> = Pin<Box<dyn Future<Output = Result<Vec<O>, E>> + Send>>;

/// Why a submitted item was not written.
#[derive(Debug, thiserror::Error)]
pub enum GroupCommitError<E: std::error::Error + 'static> {
    /// The write failed; every item of it gets the same error.
    #[error(transparent)]
    Write(Arc<E>),
    /// The writer is gone (the process is stopping).
    #[error("the writer has stopped")]
    Stopped,
}

struct Job<I, O, E> {
    item: I,
    done: oneshot::Sender<Result<O, Arc<E>>>,
}

/// The submitting side; clone it freely.
pub struct GroupCommit<I, O, E> {
    jobs: mpsc::Sender<Job<I, O, E>>,
}

impl<I, O, E> Clone for GroupCommit<I, O, E> {
    fn clone(&self) -> Self {
        Self {
            jobs: self.jobs.clone(),
        }
    }
}

impl<I, O, E> GroupCommit<I, O, E>
where
    I: Send + 'static,
    O: Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    /// Starts the writer task. `write` gets the items in the order they were
    /// submitted and must answer one output per item, in the same order.
    pub fn start<W>(write: W) -> Self
    where
        W: Fn(Vec<I>) -> WriteFuture<O, E> + Send + Sync + 'static,
    {
        let (jobs, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(receiver, write));
        Self { jobs }
    }

    /// Writes `item` together with whatever else is waiting, and returns
    /// once that write committed (or failed).
    pub async fn submit(&self, item: I) -> Result<O, GroupCommitError<E>> {
        let (done, answer) = oneshot::channel();
        self.jobs
            .send(Job { item, done })
            .await
            .map_err(|_| GroupCommitError::Stopped)?;
        match answer.await {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(error)) => Err(GroupCommitError::Write(error)),
            Err(_) => Err(GroupCommitError::Stopped),
        }
    }
}

async fn run<I, O, E, W>(mut receiver: mpsc::Receiver<Job<I, O, E>>, write: W)
where
    W: Fn(Vec<I>) -> WriteFuture<O, E>,
{
    let mut batch = Vec::with_capacity(MOST_PER_WRITE);
    loop {
        if batch.is_empty() {
            // Waits for the first item, then takes what else is already waiting.
            if receiver.recv_many(&mut batch, MOST_PER_WRITE).await == 0 {
                return;
            }
        } else {
            // Items left over from the last write go next, with whatever
            // arrived meanwhile; nothing is waited for.
            while batch.len() < MOST_PER_WRITE {
                match receiver.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        let take = shape_size(batch.len());
        let (items, waiters): (Vec<I>, Vec<_>) =
            batch.drain(..take).map(|job| (job.item, job.done)).unzip();
        match write(items).await {
            Ok(outputs) if outputs.len() == waiters.len() => {
                for (waiter, output) in waiters.into_iter().zip(outputs) {
                    // A waiter that gave up (a timeout) just misses its answer.
                    let _ = waiter.send(Ok(output));
                }
            }
            Ok(outputs) => {
                // A bug in `write`: nobody may take a missing answer for success.
                tracing::error!(
                    items = waiters.len(),
                    outputs = outputs.len(),
                    "a group write answered for the wrong number of items"
                );
                drop(waiters);
            }
            Err(error) => {
                let error = Arc::new(error);
                for waiter in waiters {
                    let _ = waiter.send(Err(error.clone()));
                }
            }
        }
    }
}

/// How many of `waiting` items one write takes: the largest power of two
/// not above it. Every count of rows is another statement text, and the
/// database driver keeps a prepared statement per text on every
/// connection; with any count from 1 to 512 possible, those caches would
/// fill with one-off shapes (on SQLite a compiled 512-row insert is large).
/// Powers of two leave ten shapes per statement, each reused; the rest of
/// the items go in the next write, which starts at once.
fn shape_size(waiting: usize) -> usize {
    match waiting {
        0 => 0,
        n => 1 << n.ilog2(),
    }
}

/// `values` lengthened to a power of two by repeating the last one, for a
/// statement whose row or list count comes from several items: an `IN`
/// list or an insert that skips conflicts takes the repeats as no-ops, and
/// the statement keeps one of few shapes (see [`shape_size`]).
pub fn padded_to_shape<T: Clone>(values: &[T]) -> Vec<T> {
    let mut padded = values.to_vec();
    if let Some(last) = values.last() {
        padded.resize(values.len().next_power_of_two(), last.clone());
    }
    padded
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Debug, thiserror::Error)]
    #[error("refused")]
    struct Refused;

    #[tokio::test]
    async fn writes_arriving_together_share_one_write_and_each_gets_its_answer() {
        let writes: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
        let seen = writes.clone();
        let commit = GroupCommit::<u32, u32, Refused>::start(move |items| {
            seen.lock().unwrap().push(items.clone());
            Box::pin(async move { Ok(items.into_iter().map(|i| i * 10).collect()) })
        });
        let answers = futures::future::join_all((0..100).map(|i| commit.submit(i))).await;
        for (i, answer) in answers.into_iter().enumerate() {
            assert_eq!(answer.unwrap(), i as u32 * 10);
        }
        let writes = writes.lock().unwrap();
        assert!(writes.len() < 100, "{} writes for 100 items", writes.len());
        let all: Vec<u32> = writes.iter().flatten().copied().collect();
        assert_eq!(all, (0..100).collect::<Vec<_>>(), "submission order kept");
    }

    #[test]
    fn writes_take_a_power_of_two_and_lists_are_padded_to_one() {
        let sizes: Vec<usize> = [0, 1, 2, 3, 5, 8, 100, 512]
            .into_iter()
            .map(shape_size)
            .collect();
        assert_eq!(sizes, [0, 1, 2, 2, 4, 8, 64, 512]);
        assert_eq!(padded_to_shape(&[7, 8, 9]), [7, 8, 9, 9]);
        assert_eq!(padded_to_shape(&[7, 8]), [7, 8]);
        assert!(padded_to_shape::<u8>(&[]).is_empty());
    }

    #[tokio::test]
    async fn every_write_carries_a_power_of_two_and_none_is_left_behind() {
        let writes: Arc<Mutex<Vec<usize>>> = Arc::default();
        let seen = writes.clone();
        let commit = GroupCommit::<u32, u32, Refused>::start(move |items| {
            seen.lock().unwrap().push(items.len());
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(items)
            })
        });
        let answers = futures::future::join_all((0..77).map(|i| commit.submit(i))).await;
        assert_eq!(
            answers.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            (0..77).collect::<Vec<_>>()
        );
        let writes = writes.lock().unwrap();
        assert!(writes.iter().all(|n| n.is_power_of_two()), "{writes:?}");
        assert_eq!(writes.iter().sum::<usize>(), 77);
    }

    #[tokio::test]
    async fn a_failed_write_fails_every_item_in_it() {
        let commit = GroupCommit::<u32, (), Refused>::start(|_| Box::pin(async { Err(Refused) }));
        let answer = commit.submit(1).await;
        assert!(matches!(answer, Err(GroupCommitError::Write(_))));
    }

    #[tokio::test]
    async fn a_wrong_number_of_answers_is_never_taken_for_success() {
        let commit = GroupCommit::<u32, u32, Refused>::start(|_| Box::pin(async { Ok(vec![]) }));
        assert!(matches!(
            commit.submit(1).await,
            Err(GroupCommitError::Stopped)
        ));
    }
}
