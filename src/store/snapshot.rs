//! Keeping the in-process store's conversation state across restarts.
//!
//! Redis keeps a survey's progress when the bot restarts; the in-process
//! store would forget it. So the entries under one key prefix (the `fsm:`
//! namespace) are written to a small JSON file after every change and read
//! back at start. Dedup keys, locks and caches stay in memory only: losing
//! them at a restart is harmless.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// Where the snapshot lives and which keys belong in it.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    path: PathBuf,
    /// Keys starting with this are persisted.
    key_prefix: String,
}

#[derive(Serialize, Deserialize)]
struct Saved {
    value: String,
    /// Unix milliseconds; `None` never expires.
    expires_at_ms: Option<u64>,
}

impl Snapshot {
    pub(crate) fn new(path: PathBuf, key_prefix: String) -> Self {
        Self { path, key_prefix }
    }

    pub(crate) fn covers(&self, key: &str) -> bool {
        key.starts_with(&self.key_prefix)
    }

    /// Entries saved earlier that have not expired, with their expiry as an
    /// `Instant`. A missing or unreadable file means none (logged).
    pub(crate) fn load(&self) -> Vec<(String, String, Option<Instant>)> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
            Err(error) => {
                tracing::warn!(path = %self.path.display(), error = %error, "cannot read the store's saved state; starting empty");
                return Vec::new();
            }
        };
        let saved: BTreeMap<String, Saved> = match serde_json::from_slice(&bytes) {
            Ok(saved) => saved,
            Err(error) => {
                tracing::warn!(path = %self.path.display(), error = %error, "the store's saved state is damaged; starting empty");
                return Vec::new();
            }
        };
        let (now, now_ms) = (Instant::now(), unix_millis(SystemTime::now()));
        saved
            .into_iter()
            .filter(|(key, _)| self.covers(key))
            .filter_map(|(key, entry)| match entry.expires_at_ms {
                None => Some((key, entry.value, None)),
                Some(at) if at > now_ms => Some((
                    key,
                    entry.value,
                    now.checked_add(Duration::from_millis(at - now_ms)),
                )),
                Some(_) => None,
            })
            .collect()
    }

    /// Writes the covered live entries, atomically (temporary file, then rename).
    pub(crate) fn save<'a>(
        &self,
        entries: impl Iterator<Item = (&'a String, &'a str, Option<Instant>)>,
    ) {
        let (now, now_ms) = (Instant::now(), unix_millis(SystemTime::now()));
        let saved: BTreeMap<&String, Saved> = entries
            .filter(|(key, _, _)| self.covers(key))
            .filter(|(_, _, expires)| expires.is_none_or(|at| at > now))
            .map(|(key, value, expires)| {
                let expires_at_ms =
                    expires.map(|at| now_ms + at.duration_since(now).as_millis() as u64);
                (
                    key,
                    Saved {
                        value: value.to_owned(),
                        expires_at_ms,
                    },
                )
            })
            .collect();
        if let Err(error) = write_atomically(&self.path, &saved) {
            tracing::warn!(path = %self.path.display(), error = %error, "cannot save the store's state; it will not survive a restart");
        }
    }
}

fn write_atomically(path: &Path, saved: &impl Serialize) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, serde_json::to_vec(saved)?)?;
    std::fs::rename(&temporary, path)
}

fn unix_millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis() as u64
}
