//! A TCP proxy between the bot and one of its services (PostgreSQL or
//! Redis) that can take the service away and give it back.
//!
//! Stopping the machine's own PostgreSQL or Redis would disturb everything
//! else that uses them; cutting the bot's connections in the proxy is the
//! same outage as seen from the bot: every open connection drops at once
//! and new ones fail until the service returns. The same proxy stands
//! between the bot and the fake Telegram in the Telegram outage run, where
//! it can also go silent: connections are taken but never answered, which
//! is a timeout as seen from the bot.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use anyhow::Context;
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct Proxy {
    pub address: SocketAddr,
    down: Arc<AtomicBool>,
    silent: Arc<AtomicBool>,
    /// Bumped on every `go_down`; each forwarding task watches it.
    cut: watch::Sender<u64>,
    refused: Arc<AtomicU64>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream`.
    pub async fn start(upstream: SocketAddr) -> anyhow::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the proxy")?;
        let address = listener.local_addr()?;
        let down = Arc::new(AtomicBool::new(false));
        let silent = Arc::new(AtomicBool::new(false));
        let (cut, _) = watch::channel(0u64);
        let refused = Arc::new(AtomicU64::new(0));
        let accept_loop = tokio::spawn(accept(
            listener,
            upstream,
            Modes {
                down: down.clone(),
                silent: silent.clone(),
            },
            cut.clone(),
            refused.clone(),
        ));
        Ok(Proxy {
            address,
            down,
            silent,
            cut,
            refused,
            accept_loop,
        })
    }

    /// `url` (postgres://… or redis://…) with its host and port replaced by
    /// the proxy's, and the address the proxy must forward to.
    pub async fn start_for_url(url: &str) -> anyhow::Result<(Proxy, String)> {
        let mut parsed = url::Url::parse(url).with_context(|| format!("parsing {url}"))?;
        let host = parsed.host_str().context("the URL has no host")?.to_owned();
        let port = parsed.port().unwrap_or(match parsed.scheme() {
            "redis" => 6379,
            _ => 5432,
        });
        let upstream = tokio::net::lookup_host((host.as_str(), port))
            .await?
            .next()
            .with_context(|| format!("resolving {host}"))?;
        let proxy = Proxy::start(upstream).await?;
        parsed
            .set_host(Some(&proxy.address.ip().to_string()))
            .context("setting the proxy's host")?;
        parsed
            .set_port(Some(proxy.address.port()))
            .map_err(|()| anyhow::anyhow!("setting the proxy's port"))?;
        Ok((proxy, parsed.to_string()))
    }

    /// The outage: drops every open connection and refuses new ones.
    pub fn go_down(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    /// The other outage: drops every open connection, then takes new ones
    /// and never answers on them (they are dropped when the service comes
    /// back). Nothing sent on them reaches the service.
    pub fn go_silent(&self) {
        self.silent.store(true, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    /// The service is back: new connections go through again, and the ones
    /// held silent are dropped.
    pub fn come_back(&self) {
        let was_silent = self.silent.swap(false, Ordering::SeqCst);
        self.down.store(false, Ordering::SeqCst);
        if was_silent {
            self.cut.send_modify(|generation| *generation += 1);
        }
    }

    /// Connections refused (or held unanswered) while down.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept_loop.abort();
        // Whatever is still forwarding stops too.
        self.cut.send_modify(|generation| *generation += 1);
    }
}

struct Modes {
    down: Arc<AtomicBool>,
    silent: Arc<AtomicBool>,
}

async fn accept(
    listener: TcpListener,
    upstream: SocketAddr,
    modes: Modes,
    cut: watch::Sender<u64>,
    refused: Arc<AtomicU64>,
) {
    while let Ok((mut client, _)) = listener.accept().await {
        // Subscribe before looking at the modes: a `go_down` in between
        // then still reaches this connection, so none outlives an outage.
        let mut cut_signal = cut.subscribe();
        if modes.silent.load(Ordering::SeqCst) {
            // Held open, never read from or answered, until the next cut
            // (the service coming back).
            refused.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let _ = cut_signal.changed().await;
                drop(client);
            });
            continue;
        }
        if modes.down.load(Ordering::SeqCst) {
            // Accepted and closed at once: the client sees its connection
            // end before the handshake, as with a service that is gone.
            refused.fetch_add(1, Ordering::Relaxed);
            drop(client);
            continue;
        }
        tokio::spawn(async move {
            let Ok(mut server) = TcpStream::connect(upstream).await else {
                return;
            };
            tokio::select! {
                _ = copy_bidirectional(&mut client, &mut server) => {}
                _ = cut_signal.changed() => {}
            }
        });
    }
}
