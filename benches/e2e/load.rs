//! Driving the bot from outside: webhook POSTs the way Telegram makes them
//! (retried until answered 200), and a collector of what the bot put into
//! Telegram, with the instant each message landed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_telegram::{LandedMessage, SECRET_HEADER};
use tokio::sync::watch;

/// A benchmark message: client number and message number, written at the
/// start of its text (`c007-m12 …`), so every copy can be traced back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Marker {
    pub client: u32,
    pub seq: u32,
}

impl Marker {
    pub fn text(self) -> String {
        format!(
            "c{:03}-m{:02} the printer on floor {} shows error E{}",
            self.client,
            self.seq,
            self.seq % 7,
            self.client
        )
    }

    pub fn parse(text: &str) -> Option<Marker> {
        let token = text.split_whitespace().next()?;
        let (client, seq) = token.strip_prefix('c')?.split_once("-m")?;
        Some(Marker {
            client: client.parse().ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

/// How webhook POSTs went, counted by answer.
#[derive(Default)]
pub struct PostCounts {
    pub accepted: AtomicU64,
    pub unavailable: AtomicU64,
    pub other_status: AtomicU64,
    pub connection_failed: AtomicU64,
}

impl PostCounts {
    pub fn summary(&self) -> String {
        format!(
            "{} × 200, {} × 503, {} × other status, {} connection failures",
            self.accepted.load(Ordering::Relaxed),
            self.unavailable.load(Ordering::Relaxed),
            self.other_status.load(Ordering::Relaxed),
            self.connection_failed.load(Ordering::Relaxed)
        )
    }
}

/// One answer to a webhook POST: when it came, and its status (`None`: the
/// connection failed). The fault runs read these against the moment a
/// service went away or came back.
#[derive(Clone, Copy, Debug)]
pub struct Answer {
    pub at: Instant,
    pub status: Option<u16>,
}

/// POSTs updates to one or more bot instances, in turn, like Telegram
/// behind a load balancer; anything but 200 is retried, as Telegram does.
#[derive(Clone)]
pub struct Poster {
    http: reqwest::Client,
    urls: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicUsize>,
    secret: String,
    pub counts: Arc<PostCounts>,
    answers: Arc<Mutex<Vec<Answer>>>,
    retry_delay: Duration,
}

impl Poster {
    pub fn new(urls: Vec<String>, secret: &str) -> Poster {
        Poster {
            http: reqwest::Client::builder()
                .no_proxy()
                .pool_max_idle_per_host(64)
                .timeout(Duration::from_secs(60))
                .build()
                .expect("an HTTP client"),
            urls: Arc::new(Mutex::new(urls)),
            next: Arc::new(AtomicUsize::new(0)),
            secret: secret.to_owned(),
            counts: Arc::new(PostCounts::default()),
            answers: Arc::default(),
            retry_delay: Duration::from_millis(100),
        }
    }

    /// Points the poster at other instances (after a restart on a new port).
    pub fn set_urls(&self, urls: Vec<String>) {
        *self.urls.lock().expect("poisoned") = urls;
    }

    /// Every answer so far, in the order they came.
    pub fn answers(&self) -> Vec<Answer> {
        self.answers.lock().expect("poisoned").clone()
    }

    fn url(&self) -> String {
        let urls = self.urls.lock().expect("poisoned");
        let i = self.next.fetch_add(1, Ordering::Relaxed) % urls.len();
        urls[i].clone()
    }

    /// Posts until the bot answers 200; gives up after `deadline`.
    pub async fn deliver(&self, body: &str, deadline: Duration) -> anyhow::Result<()> {
        let give_up = Instant::now() + deadline;
        loop {
            let outcome = self
                .http
                .post(self.url())
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header(SECRET_HEADER, &self.secret)
                .body(body.to_owned())
                .send()
                .await;
            self.answers.lock().expect("poisoned").push(Answer {
                at: Instant::now(),
                status: outcome.as_ref().ok().map(|r| r.status().as_u16()),
            });
            let counts = &self.counts;
            match outcome {
                Ok(response) if response.status() == reqwest::StatusCode::OK => {
                    counts.accepted.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Ok(response) if response.status() == reqwest::StatusCode::SERVICE_UNAVAILABLE => {
                    counts.unavailable.fetch_add(1, Ordering::Relaxed);
                }
                Ok(response) => {
                    counts.other_status.fetch_add(1, Ordering::Relaxed);
                    if response.status().is_client_error() {
                        anyhow::bail!("the bot refused an update with {}", response.status());
                    }
                }
                Err(_) => {
                    counts.connection_failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            if Instant::now() > give_up {
                anyhow::bail!("an update was not accepted within {deadline:?}");
            }
            tokio::time::sleep(self.retry_delay).await;
        }
    }
}

/// Everything the bot put into Telegram during a run, as it landed.
#[derive(Clone)]
pub struct Collector {
    inner: Arc<Mutex<Landed>>,
    progress: watch::Receiver<usize>,
}

#[derive(Default)]
pub struct Landed {
    pub all: Vec<LandedMessage>,
    /// First landing of each marker in each chat.
    pub first: HashMap<(i64, Marker), Instant>,
    /// Landings of a marker in a chat after its first.
    pub repeats: usize,
    /// Distinct markers that landed in the watched chat.
    pub distinct_in_watched: usize,
}

impl Collector {
    /// Collects everything; progress counts distinct markers in `watched`.
    pub fn start(fake: &fake_telegram::FakeTelegram, watched: i64) -> Collector {
        let mut rx = fake.watch_bot_messages();
        let inner = Arc::new(Mutex::new(Landed::default()));
        let (tx, progress) = watch::channel(0usize);
        let sink = inner.clone();
        tokio::spawn(async move {
            while let Some(message) = rx.recv().await {
                let mut landed = sink.lock().expect("poisoned");
                if let Some(marker) = message.text.as_deref().and_then(Marker::parse) {
                    match landed.first.entry((message.chat_id, marker)) {
                        std::collections::hash_map::Entry::Occupied(_) => landed.repeats += 1,
                        std::collections::hash_map::Entry::Vacant(slot) => {
                            slot.insert(message.at);
                            if message.chat_id == watched {
                                landed.distinct_in_watched += 1;
                                let _ = tx.send(landed.distinct_in_watched);
                            }
                        }
                    }
                }
                landed.all.push(message);
            }
        });
        Collector { inner, progress }
    }

    /// Waits until `count` distinct markers landed in the watched chat.
    pub async fn wait_for(&self, count: usize, timeout: Duration) -> anyhow::Result<()> {
        let mut progress = self.progress.clone();
        let waited = tokio::time::timeout(timeout, progress.wait_for(|n| *n >= count)).await;
        match waited {
            Ok(Ok(_)) => Ok(()),
            _ => anyhow::bail!(
                "only {} of {count} messages landed within {timeout:?}",
                *self.progress.borrow()
            ),
        }
    }

    /// Waits until `count` distinct markers landed in the watched chat for
    /// as long as they keep coming: gives up once none has landed for
    /// `stall`, or after `cap` in all. After a fault a backlog may drain
    /// slowly; this tells "late" apart from "lost" without waiting for ever.
    pub async fn wait_while_arriving(
        &self,
        count: usize,
        stall: Duration,
        cap: Duration,
    ) -> anyhow::Result<()> {
        let mut progress = self.progress.clone();
        let started = Instant::now();
        loop {
            let landed = *progress.borrow_and_update();
            if landed >= count {
                return Ok(());
            }
            let left = cap.saturating_sub(started.elapsed());
            if left.is_zero() {
                anyhow::bail!("only {landed} of {count} messages landed within {cap:?}");
            }
            match tokio::time::timeout(stall.min(left), progress.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => anyhow::bail!("the collector stopped at {landed} of {count}"),
                Err(_) if left <= stall => {
                    anyhow::bail!("only {landed} of {count} messages landed within {cap:?}")
                }
                Err(_) => anyhow::bail!(
                    "only {landed} of {count} messages landed; none for {stall:?} ({:.0} s after waiting began)",
                    started.elapsed().as_secs_f64()
                ),
            }
        }
    }

    pub fn read<R>(&self, f: impl FnOnce(&Landed) -> R) -> R {
        f(&self.inner.lock().expect("poisoned"))
    }
}
