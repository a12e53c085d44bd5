//! Telegram's flood limits as numbers: about 30 messages a second overall,
//! 20 a minute into one group and one a second into one private chat.

use std::time::Duration;

/// How much may be sent; a limit of 0 switches that limit off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub global_per_second: u32,
    pub group_per_minute: u32,
    /// The window `group_per_minute` counts in: a minute. Only tests shorten
    /// it, to watch a minute's worth of traffic in seconds.
    pub group_window: Duration,
    pub private_per_second: u32,
    /// Added to every window. Telegram counts messages on arrival, after our
    /// network delay, so two sends spaced exactly one window apart can land
    /// closer together than that.
    pub margin: Duration,
}

impl Limits {
    /// Telegram's published limits with a 250 ms margin.
    pub fn telegram() -> Self {
        Self {
            global_per_second: 30,
            group_per_minute: 20,
            group_window: Duration::from_secs(60),
            private_per_second: 1,
            margin: Duration::from_millis(250),
        }
    }

    /// No limits at all, for tests against a fake Telegram that does not
    /// enforce any.
    pub fn unlimited() -> Self {
        Self {
            global_per_second: 0,
            group_per_minute: 0,
            group_window: Duration::from_secs(60),
            private_per_second: 0,
            margin: Duration::ZERO,
        }
    }

    /// Whether any limit counts messages into `chat` (negative ids are
    /// groups). With none, only a pause Telegram asked for (a 429) can hold
    /// a call into it.
    pub fn count_into(&self, chat: i64) -> bool {
        let chat_limit = if chat < 0 {
            self.group_per_minute
        } else {
            self.private_per_second
        };
        self.global_per_second > 0 || chat_limit > 0
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::telegram()
    }
}
