//! Taking the database away from a running application, and giving it back.
//!
//! PostgreSQL: the application connects through a TCP proxy that can cut
//! every connection and refuse new ones — what a real outage looks like.
//! SQLite: another connection holds an exclusive lock, so every write the
//! application attempts fails after its busy timeout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::sqlx::{Connection, SqliteConnection};
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy in front of PostgreSQL (or the Bot API) that can be switched
/// off.
pub struct TcpProxy {
    pub address: SocketAddr,
    down: Arc<AtomicBool>,
    cut: watch::Sender<u64>,
}

impl TcpProxy {
    pub async fn start(upstream: SocketAddr) -> TcpProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = listener.local_addr().expect("proxy address");
        let down = Arc::new(AtomicBool::new(false));
        let (cut, _) = watch::channel(0u64);
        let accept_down = down.clone();
        let accept_cut = cut.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if accept_down.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let mut cut_signal = accept_cut.subscribe();
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
        });
        TcpProxy { address, down, cut }
    }

    /// Drops every open connection and refuses new ones.
    pub fn go_down(&self) {
        self.down.store(true, Ordering::SeqCst);
        self.cut.send_modify(|generation| *generation += 1);
    }

    pub fn come_back(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

/// Holds SQLite's write lock until released.
pub struct SqliteWriteLock {
    connection: Option<SqliteConnection>,
}

impl SqliteWriteLock {
    pub async fn take(url: &str) -> SqliteWriteLock {
        let mut connection = SqliteConnection::connect(url)
            .await
            .expect("a second SQLite connection");
        sea_orm::sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut connection)
            .await
            .expect("taking the exclusive lock");
        SqliteWriteLock {
            connection: Some(connection),
        }
    }

    pub async fn release(mut self) {
        if let Some(mut connection) = self.connection.take() {
            sea_orm::sqlx::query("ROLLBACK")
                .execute(&mut connection)
                .await
                .expect("releasing the lock");
            connection.close().await.ok();
        }
    }
}

/// A TCP forwarder in front of the fake Telegram whose port can be closed:
/// from then on connections are refused, like a Bot API that is down,
/// and open ones are cut.
pub struct ClosablePort {
    pub address: SocketAddr,
    cut: watch::Sender<u64>,
    accepting: tokio::task::JoinHandle<()>,
}

impl ClosablePort {
    pub async fn start(upstream: SocketAddr) -> ClosablePort {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("an address");
        let (cut, _) = watch::channel(0u64);
        let accept_cut = cut.clone();
        let accepting = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let mut cut_signal = accept_cut.subscribe();
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
        });
        ClosablePort {
            address,
            cut,
            accepting,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Closes the port (returns once it is closed) and cuts open connections.
    pub async fn close(self) {
        self.accepting.abort();
        let _ = self.accepting.await;
        self.cut.send_modify(|generation| *generation += 1);
    }
}
