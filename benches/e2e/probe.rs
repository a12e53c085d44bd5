//! Asking /readyz over and over during a fault run, the way an orchestrator
//! would, and keeping every answer.
//!
//! A new request goes out every `every` whether or not the last one has
//! answered: while a service is down a probe can take seconds (the bot
//! gives each dependency 2 s), and waiting for it would blur the moment
//! the bot became ready again.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ReadyzSample {
    pub sent: Instant,
    pub answered: Instant,
    /// `None`: no answer (connection failed or timed out).
    pub status: Option<u16>,
    pub body: String,
}

pub struct ReadyzProbe {
    samples: Arc<Mutex<Vec<ReadyzSample>>>,
    task: tokio::task::JoinHandle<()>,
}

impl ReadyzProbe {
    pub fn start(bot: SocketAddr, every: Duration) -> ReadyzProbe {
        let samples: Arc<Mutex<Vec<ReadyzSample>>> = Arc::default();
        let sink = samples.clone();
        let task = tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("an HTTP client");
            let url = format!("http://{bot}/readyz");
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                let (http, url, sink) = (http.clone(), url.clone(), sink.clone());
                tokio::spawn(async move {
                    let sent = Instant::now();
                    let (status, body) = match http.get(&url).send().await {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            (Some(status), response.text().await.unwrap_or_default())
                        }
                        Err(error) => (None, error.to_string()),
                    };
                    sink.lock().expect("poisoned").push(ReadyzSample {
                        sent,
                        answered: Instant::now(),
                        status,
                        body,
                    });
                });
            }
        });
        ReadyzProbe { samples, task }
    }

    /// Stops asking; returns the answers so far, by the time they were sent.
    pub fn stop(self) -> Vec<ReadyzSample> {
        self.task.abort();
        let mut samples = std::mem::take(&mut *self.samples.lock().expect("poisoned"));
        samples.sort_by_key(|s| s.sent);
        samples
    }
}
