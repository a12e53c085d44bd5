//! Files: every photo, document, voice note… gets a `file_id` the bot can
//! send again, and the registry remembers what kind of file each id names.

use std::collections::HashMap;

use serde_json::{Value, json};

/// The kinds of media a message can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Photo,
    Video,
    Document,
    Audio,
    Voice,
    Sticker,
    Animation,
    VideoNote,
}

impl FileKind {
    /// The message field (and send parameter) of this kind: `"photo"`, `"video_note"`…
    pub fn field(self) -> &'static str {
        match self {
            FileKind::Photo => "photo",
            FileKind::Video => "video",
            FileKind::Document => "document",
            FileKind::Audio => "audio",
            FileKind::Voice => "voice",
            FileKind::Sticker => "sticker",
            FileKind::Animation => "animation",
            FileKind::VideoNote => "video_note",
        }
    }

    /// The kind named by a message field or `InputMedia.type`.
    pub fn from_field(field: &str) -> Option<Self> {
        Some(match field {
            "photo" => FileKind::Photo,
            "video" => FileKind::Video,
            "document" => FileKind::Document,
            "audio" => FileKind::Audio,
            "voice" => FileKind::Voice,
            "sticker" => FileKind::Sticker,
            "animation" => FileKind::Animation,
            "video_note" => FileKind::VideoNote,
            _ => return None,
        })
    }

    fn title(self) -> &'static str {
        match self {
            FileKind::Photo => "Photo",
            FileKind::Video => "Video",
            FileKind::Document => "Document",
            FileKind::Audio => "Audio",
            FileKind::Voice => "Voice",
            FileKind::Sticker => "Sticker",
            FileKind::Animation => "Animation",
            FileKind::VideoNote => "VideoNote",
        }
    }

    /// Prefixes real file ids of this kind start with (purely cosmetic).
    fn id_prefix(self) -> &'static str {
        match self {
            FileKind::Photo => "AgACAgIAAxkBAAI",
            FileKind::Video => "BAACAgIAAxkBAAI",
            FileKind::Document => "BQACAgIAAxkBAAI",
            FileKind::Audio => "CQACAgIAAxkBAAI",
            FileKind::Voice => "AwACAgIAAxkBAAI",
            FileKind::Sticker => "CAACAgIAAxkBAAI",
            FileKind::Animation => "CgACAgIAAxkBAAI",
            FileKind::VideoNote => "DQACAgIAAxkBAAI",
        }
    }

    /// Whether a caption may accompany this kind.
    pub fn takes_caption(self) -> bool {
        !matches!(self, FileKind::Sticker | FileKind::VideoNote)
    }
}

/// What is known about a new file.
#[derive(Clone, Debug, Default)]
pub struct FileHints {
    pub file_name: Option<String>,
    pub mime_type: Option<String>,
    pub size: Option<usize>,
    pub emoji: Option<String>,
    pub title: Option<String>,
    pub performer: Option<String>,
    pub duration: Option<u32>,
}

#[derive(Clone, Debug)]
struct FileRecord {
    kind: FileKind,
    /// The object (or, for photos, the array of sizes) placed in messages.
    media: Value,
}

/// All files the world has seen, by `file_id`.
#[derive(Debug, Default)]
pub(crate) struct FileRegistry {
    by_id: HashMap<String, FileRecord>,
    next: u64,
}

/// Why a file reference could not be used.
pub(crate) enum FileLookupError {
    Unknown,
    WrongKind {
        actual: &'static str,
        wanted: &'static str,
    },
}

impl FileRegistry {
    fn next_ids(&mut self, kind: FileKind) -> (String, String) {
        self.next += 1;
        let n = self.next;
        (
            format!("{}{n:06}Fk{}", kind.id_prefix(), kind.field()),
            format!("AQAD{n:06}"),
        )
    }

    /// Creates a new file and returns what goes into a message's `kind.field()`.
    pub fn create(&mut self, kind: FileKind, hints: FileHints) -> Value {
        let size = hints
            .size
            .unwrap_or(10_240 + (self.next as usize % 997) * 7);
        let default_mime = match kind {
            FileKind::Document => Some(guess_mime(hints.file_name.as_deref().unwrap_or(""))),
            FileKind::Video | FileKind::Animation => Some("video/mp4"),
            FileKind::Audio => Some("audio/mpeg"),
            FileKind::Voice => Some("audio/ogg"),
            _ => None,
        };
        let mime = hints
            .mime_type
            .clone()
            .or_else(|| default_mime.map(str::to_owned));
        let media = if kind == FileKind::Photo {
            let (small_id, small_uid) = self.next_ids(kind);
            let (big_id, big_uid) = self.next_ids(kind);
            json!([
                { "file_id": small_id, "file_unique_id": small_uid, "file_size": size / 20 + 1, "width": 90, "height": 68 },
                { "file_id": big_id, "file_unique_id": big_uid, "file_size": size, "width": 1280, "height": 960 },
            ])
        } else {
            let (file_id, unique_id) = self.next_ids(kind);
            let mut v =
                json!({ "file_id": file_id, "file_unique_id": unique_id, "file_size": size });
            let mut set = |k: &str, val: Value| v[k] = val;
            match kind {
                FileKind::Video => {
                    set("width", json!(1280));
                    set("height", json!(720));
                    set("duration", json!(hints.duration.unwrap_or(5)));
                }
                FileKind::Animation => {
                    set("width", json!(320));
                    set("height", json!(240));
                    set("duration", json!(hints.duration.unwrap_or(2)));
                }
                FileKind::Audio => {
                    set("duration", json!(hints.duration.unwrap_or(120)));
                    if let Some(t) = &hints.title {
                        set("title", json!(t));
                    }
                    if let Some(p) = &hints.performer {
                        set("performer", json!(p));
                    }
                }
                FileKind::Voice => set("duration", json!(hints.duration.unwrap_or(3))),
                FileKind::VideoNote => {
                    set("length", json!(240));
                    set("duration", json!(hints.duration.unwrap_or(4)));
                }
                FileKind::Sticker => {
                    set("width", json!(512));
                    set("height", json!(512));
                    set("type", json!("regular"));
                    set("is_animated", json!(false));
                    set("is_video", json!(false));
                    set("emoji", json!(hints.emoji.as_deref().unwrap_or("👍")));
                }
                FileKind::Photo | FileKind::Document => {}
            }
            let file_name = hints.file_name.clone().or_else(|| match kind {
                FileKind::Document => Some("file".to_owned()),
                FileKind::Animation => Some("animation.mp4".to_owned()),
                _ => None,
            });
            if let Some(name) = file_name
                && matches!(
                    kind,
                    FileKind::Document | FileKind::Video | FileKind::Audio | FileKind::Animation
                )
            {
                v["file_name"] = json!(name);
            }
            if let Some(mime) = mime {
                v["mime_type"] = json!(mime);
            }
            v
        };
        self.register(kind, media.clone());
        media
    }

    /// Makes every `file_id` inside `media` usable in later sends.
    pub fn register(&mut self, kind: FileKind, media: Value) {
        let ids: Vec<String> = match &media {
            Value::Array(sizes) => sizes
                .iter()
                .filter_map(|s| s["file_id"].as_str().map(str::to_owned))
                .collect(),
            other => other["file_id"]
                .as_str()
                .map(str::to_owned)
                .into_iter()
                .collect(),
        };
        for id in ids {
            self.by_id.insert(
                id,
                FileRecord {
                    kind,
                    media: media.clone(),
                },
            );
        }
    }

    /// The media for an existing `file_id`, if it is of kind `wanted`.
    pub fn lookup(&self, file_id: &str, wanted: FileKind) -> Result<Value, FileLookupError> {
        let record = self.by_id.get(file_id).ok_or(FileLookupError::Unknown)?;
        // Telegram lets an animation's file go out as a document.
        let compatible = record.kind == wanted
            || (record.kind == FileKind::Animation && wanted == FileKind::Document);
        if !compatible {
            return Err(FileLookupError::WrongKind {
                actual: record.kind.title(),
                wanted: wanted.title(),
            });
        }
        Ok(record.media.clone())
    }
}

fn guess_mime(file_name: &str) -> &'static str {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "pdf" => "application/pdf",
        "txt" | "log" => "text/plain",
        "csv" => "text/csv",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "zip" => "application/zip",
        "json" => "application/json",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    }
}
