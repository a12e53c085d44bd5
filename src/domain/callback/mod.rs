//! Data behind the card's inline buttons. Telegram hands `callback_data`
//! back verbatim, from any client and for buttons of any age, so it is
//! parsed strictly: anything that is not exactly what [`CallbackAction::encode`]
//! writes is refused rather than guessed at.

mod keyboards;
#[cfg(test)]
mod tests;

pub use keyboards::{
    CardChoices, card_keyboard, full_card_keyboard, rating_keyboard, skip_keyboard,
};

/// Telegram's limit for `callback_data`, in bytes.
pub const CALLBACK_DATA_LIMIT: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackAction {
    /// Give the ticket to a technician (`tech_id` is `technicians.id`).
    Assign {
        ticket_id: i32,
        tech_id: i32,
    },
    Close {
        ticket_id: i32,
    },
    /// A survey answer: question 1–3, score 1–5.
    Rate {
        ticket_id: i32,
        question: u8,
        score: u8,
    },
    /// The survey's "skip" under the request for a comment.
    SkipComment {
        ticket_id: i32,
    },
    /// The client picks category number `index` (in CATEGORIES' order) for
    /// their held ticket.
    Category {
        ticket_id: i32,
        index: u8,
    },
    /// Staff set the priority: `level` indexes
    /// [`PRIORITY_KEYS`](crate::domain::sla::PRIORITY_KEYS).
    Priority {
        ticket_id: i32,
        level: u8,
    },
    /// Staff move the ticket to category number `index`.
    Move {
        ticket_id: i32,
        index: u8,
    },
    /// Staff wait for the client.
    Wait {
        ticket_id: i32,
    },
    /// Staff chose a knowledge-base article (`/kb <words>`'s buttons):
    /// send it to the client.
    KbSend {
        ticket_id: i32,
        article_id: i32,
    },
    /// The client's «Помогло» under the articles offered to them.
    KbHelped {
        ticket_id: i32,
    },
    /// The client's «Нужен специалист».
    KbNeedPerson {
        ticket_id: i32,
    },
}

/// Most categories a button can name (their index is one byte in the data).
pub const MAX_CATEGORIES: usize = 100;

impl CallbackAction {
    /// `a:<ticket>:<tech>` or `c:<ticket>`: short, so it stays far below the
    /// 64-byte limit (at most 24 bytes).
    pub fn encode(&self) -> String {
        match self {
            Self::Assign { ticket_id, tech_id } => format!("a:{ticket_id}:{tech_id}"),
            Self::Close { ticket_id } => format!("c:{ticket_id}"),
            Self::Rate {
                ticket_id,
                question,
                score,
            } => format!("r:{ticket_id}:{question}:{score}"),
            Self::SkipComment { ticket_id } => format!("k:{ticket_id}"),
            Self::Category { ticket_id, index } => format!("g:{ticket_id}:{index}"),
            Self::Priority { ticket_id, level } => format!("p:{ticket_id}:{level}"),
            Self::Move { ticket_id, index } => format!("m:{ticket_id}:{index}"),
            Self::Wait { ticket_id } => format!("w:{ticket_id}"),
            Self::KbSend {
                ticket_id,
                article_id,
            } => format!("s:{ticket_id}:{article_id}"),
            Self::KbHelped { ticket_id } => format!("h:{ticket_id}"),
            Self::KbNeedPerson { ticket_id } => format!("n:{ticket_id}"),
        }
    }

    /// The action `data` stands for, or `None` for anything else: other
    /// formats, missing or extra parts, ids that are not positive decimal
    /// numbers (no signs, no spaces), and data over the 64-byte limit.
    pub fn parse(data: &str) -> Option<Self> {
        if data.len() > CALLBACK_DATA_LIMIT {
            return None;
        }
        let mut parts = data.split(':');
        let action = match (parts.next()?, parts.next(), parts.next()) {
            ("r", Some(ticket), Some(question)) => {
                let question = parse_small(question, 1..=3)?;
                let score = parse_small(parts.next()?, 1..=5)?;
                Self::Rate {
                    ticket_id: parse_id(ticket)?,
                    question,
                    score,
                }
            }
            ("k", Some(ticket), None) => Self::SkipComment {
                ticket_id: parse_id(ticket)?,
            },
            ("a", Some(ticket), Some(tech)) => Self::Assign {
                ticket_id: parse_id(ticket)?,
                tech_id: parse_id(tech)?,
            },
            ("c", Some(ticket), None) => Self::Close {
                ticket_id: parse_id(ticket)?,
            },
            ("g", Some(ticket), Some(index)) => Self::Category {
                ticket_id: parse_id(ticket)?,
                index: parse_index(index, MAX_CATEGORIES)?,
            },
            ("p", Some(ticket), Some(level)) => Self::Priority {
                ticket_id: parse_id(ticket)?,
                level: parse_index(level, crate::domain::sla::PRIORITY_KEYS.len())?,
            },
            ("m", Some(ticket), Some(index)) => Self::Move {
                ticket_id: parse_id(ticket)?,
                index: parse_index(index, MAX_CATEGORIES)?,
            },
            ("w", Some(ticket), None) => Self::Wait {
                ticket_id: parse_id(ticket)?,
            },
            ("s", Some(ticket), Some(article)) => Self::KbSend {
                ticket_id: parse_id(ticket)?,
                article_id: parse_id(article)?,
            },
            ("h", Some(ticket), None) => Self::KbHelped {
                ticket_id: parse_id(ticket)?,
            },
            ("n", Some(ticket), None) => Self::KbNeedPerson {
                ticket_id: parse_id(ticket)?,
            },
            _ => return None,
        };
        parts.next().is_none().then_some(action)
    }

    /// The ticket the button belongs to.
    pub fn ticket_id(&self) -> i32 {
        match self {
            Self::Assign { ticket_id, .. }
            | Self::Close { ticket_id }
            | Self::Rate { ticket_id, .. }
            | Self::SkipComment { ticket_id }
            | Self::Category { ticket_id, .. }
            | Self::Priority { ticket_id, .. }
            | Self::Move { ticket_id, .. }
            | Self::Wait { ticket_id }
            | Self::KbSend { ticket_id, .. }
            | Self::KbHelped { ticket_id }
            | Self::KbNeedPerson { ticket_id } => *ticket_id,
        }
    }
}

/// An index below `bound`: digits only, no leading zeros.
fn parse_index(text: &str, bound: usize) -> Option<u8> {
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || (text.len() > 1 && text.starts_with('0'))
    {
        return None;
    }
    let index: usize = text.parse().ok()?;
    (index < bound).then_some(index as u8)
}

/// A database id: digits only, positive, fits in `i32`.
fn parse_id(text: &str) -> Option<i32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok().filter(|&id| id > 0)
}

/// The card's buttons: one per active technician, two to a row, in the
/// order given, then a full-width close button. `techs` holds
/// `(technicians.id, label)` pairs, the label usually a
/// [`tech_label`](crate::domain::topic_title::tech_label).
fn parse_small(text: &str, range: std::ops::RangeInclusive<u8>) -> Option<u8> {
    if text.len() != 1 {
        return None;
    }
    text.parse().ok().filter(|n| range.contains(n))
}
