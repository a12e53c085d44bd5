//! A burst of client messages for the fault runs: every client's messages
//! one after another (as Telegram sends one chat's updates), all clients at
//! once through a fixed number of webhook connections. The fault runs need
//! to act in the middle of it, so it runs in the background and tells how
//! many messages the bot has accepted so far.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::desk::Desk;
use crate::load::{Marker, Poster};

/// Webhook bodies per client, in sending order.
pub type Bodies = Vec<Vec<(Marker, String)>>;

/// The bodies of `messages` messages from each of `clients`; client
/// `clients[i]` writes as marker client `first_marker + i`. Made up front,
/// so making them is not part of what is measured.
pub fn bodies(desk: &Desk, clients: &[i64], first_marker: u32, messages: u32) -> Bodies {
    let mut bodies: Bodies = vec![Vec::new(); clients.len()];
    for seq in 0..messages {
        for (i, &client) in clients.iter().enumerate() {
            let marker = Marker {
                client: first_marker + i as u32,
                seq,
            };
            bodies[i].push((marker, desk.client_update(client, &marker.text())));
        }
    }
    bodies
}

pub struct Burst {
    accepted: watch::Receiver<usize>,
    accepted_at: Arc<Mutex<HashMap<Marker, Instant>>>,
    senders: JoinSet<anyhow::Result<()>>,
}

impl Burst {
    /// Starts posting; each message is retried until it is answered 200 or
    /// `deadline` passes.
    pub fn start(poster: &Poster, bodies: Bodies, connections: usize, deadline: Duration) -> Burst {
        let (progress, accepted) = watch::channel(0usize);
        let progress = Arc::new(progress);
        let accepted_at: Arc<Mutex<HashMap<Marker, Instant>>> = Arc::default();
        let connections = Arc::new(Semaphore::new(connections));
        let mut senders = JoinSet::new();
        for client_bodies in bodies {
            let (poster, progress, accepted_at, connections) = (
                poster.clone(),
                progress.clone(),
                accepted_at.clone(),
                connections.clone(),
            );
            senders.spawn(async move {
                for (marker, body) in client_bodies {
                    let _connection = connections.acquire().await.expect("never closed");
                    poster.deliver(&body, deadline).await?;
                    accepted_at
                        .lock()
                        .expect("poisoned")
                        .insert(marker, Instant::now());
                    progress.send_modify(|n| *n += 1);
                }
                anyhow::Ok(())
            });
        }
        Burst {
            accepted,
            accepted_at,
            senders,
        }
    }

    /// Messages answered 200 so far.
    pub fn accepted(&self) -> usize {
        *self.accepted.borrow()
    }

    /// Waits until `count` messages were answered 200 (or `timeout`).
    pub async fn wait_accepted(&self, count: usize, timeout: Duration) -> anyhow::Result<()> {
        let mut accepted = self.accepted.clone();
        match tokio::time::timeout(timeout, accepted.wait_for(|n| *n >= count)).await {
            Ok(Ok(_)) => Ok(()),
            _ => anyhow::bail!(
                "only {} messages were accepted within {timeout:?}, not {count}",
                self.accepted()
            ),
        }
    }

    /// Waits for every message to be accepted; returns when each was.
    pub async fn finish(mut self) -> anyhow::Result<HashMap<Marker, Instant>> {
        while let Some(sent) = self.senders.join_next().await {
            sent??;
        }
        Ok(std::mem::take(
            &mut *self.accepted_at.lock().expect("poisoned"),
        ))
    }
}
