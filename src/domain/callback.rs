//! Data behind the card's inline buttons. Telegram hands `callback_data`
//! back verbatim, from any client and for buttons of any age, so it is
//! parsed strictly: anything that is not exactly what [`CallbackAction::encode`]
//! writes is refused rather than guessed at.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Telegram's limit for `callback_data`, in bytes.
pub const CALLBACK_DATA_LIMIT: usize = 64;

/// Buttons per row for technicians: two keep names readable on a phone.
const TECHS_PER_ROW: usize = 2;

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

/// Scores 1–5 in one row, for survey question `question`.
pub fn rating_keyboard(ticket_id: i32, question: u8) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![
        (1..=5)
            .map(|score| {
                let action = CallbackAction::Rate {
                    ticket_id,
                    question,
                    score,
                };
                InlineKeyboardButton::callback(score.to_string(), action.encode())
            })
            .collect::<Vec<_>>(),
    ])
}

/// The "skip" button under the survey's request for a comment.
pub fn skip_keyboard(skip_label: &str, ticket_id: i32) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::callback(
        skip_label,
        CallbackAction::SkipComment { ticket_id }.encode(),
    )]])
}

/// What the card offers besides technicians and closing, each as
/// `(label, marked)`; empty lists leave their row out.
#[derive(Debug, Clone, Default)]
pub struct CardChoices {
    /// The four priorities in [`PRIORITY_KEYS`](crate::domain::sla::PRIORITY_KEYS) order.
    pub priorities: Vec<(String, bool)>,
    /// The categories in CATEGORIES' order.
    pub categories: Vec<(String, bool)>,
    /// The "waiting for the client" button's label, while it applies.
    pub wait: Option<String>,
}

/// Categories per row on the card.
const CATEGORIES_PER_ROW: usize = 3;

/// The whole card keyboard: technicians two to a row, the priorities in a
/// row, the categories, then waiting and closing side by side. The current
/// priority and category are marked with "•".
pub fn full_card_keyboard(
    close_label: &str,
    ticket_id: i32,
    techs: &[(i32, String)],
    choices: &CardChoices,
) -> InlineKeyboardMarkup {
    let mark = |label: &str, marked: bool| {
        if marked {
            format!("• {label}")
        } else {
            label.to_owned()
        }
    };
    let mut keyboard = card_keyboard(close_label, ticket_id, techs);
    let close_row = keyboard.inline_keyboard.pop().unwrap_or_default();
    if !choices.priorities.is_empty() {
        keyboard.inline_keyboard.push(
            choices
                .priorities
                .iter()
                .enumerate()
                .map(|(level, (label, marked))| {
                    let action = CallbackAction::Priority {
                        ticket_id,
                        level: level as u8,
                    };
                    InlineKeyboardButton::callback(mark(label, *marked), action.encode())
                })
                .collect(),
        );
    }
    let categories: Vec<InlineKeyboardButton> = choices
        .categories
        .iter()
        .enumerate()
        .take(MAX_CATEGORIES)
        .map(|(index, (label, marked))| {
            let action = CallbackAction::Move {
                ticket_id,
                index: index as u8,
            };
            InlineKeyboardButton::callback(mark(label, *marked), action.encode())
        })
        .collect();
    keyboard
        .inline_keyboard
        .extend(categories.chunks(CATEGORIES_PER_ROW).map(<[_]>::to_vec));
    let mut last = Vec::new();
    if let Some(wait) = &choices.wait {
        last.push(InlineKeyboardButton::callback(
            wait.clone(),
            CallbackAction::Wait { ticket_id }.encode(),
        ));
    }
    last.extend(close_row);
    keyboard.inline_keyboard.push(last);
    keyboard
}

pub fn card_keyboard(
    close_label: &str,
    ticket_id: i32,
    techs: &[(i32, String)],
) -> InlineKeyboardMarkup {
    let mut rows: Vec<Vec<InlineKeyboardButton>> = techs
        .chunks(TECHS_PER_ROW)
        .map(|row| {
            row.iter()
                .map(|(tech_id, label)| {
                    let action = CallbackAction::Assign {
                        ticket_id,
                        tech_id: *tech_id,
                    };
                    InlineKeyboardButton::callback(label.clone(), action.encode())
                })
                .collect()
        })
        .collect();
    rows.push(vec![InlineKeyboardButton::callback(
        close_label,
        CallbackAction::Close { ticket_id }.encode(),
    )]);
    InlineKeyboardMarkup::new(rows)
}

#[cfg(test)]
mod tests {

    #[test]
    fn knowledge_base_buttons_round_trip_and_refuse_anything_else() {
        for action in [
            CallbackAction::KbSend {
                ticket_id: 12,
                article_id: 7,
            },
            CallbackAction::KbHelped { ticket_id: 12 },
            CallbackAction::KbNeedPerson { ticket_id: 12 },
        ] {
            assert_eq!(CallbackAction::parse(&action.encode()), Some(action));
            assert_eq!(action.ticket_id(), 12);
        }
        assert_eq!(CallbackAction::parse("s:12"), None);
        assert_eq!(CallbackAction::parse("h:12:1"), None);
        assert_eq!(CallbackAction::parse("n:-1"), None);
    }

    use teloxide::types::InlineKeyboardButtonKind;

    use super::*;

    #[test]
    fn survey_actions_round_trip_and_refuse_out_of_range_values() {
        let rate = CallbackAction::Rate {
            ticket_id: 7,
            question: 2,
            score: 4,
        };
        assert_eq!(rate.encode(), "r:7:2:4");
        assert_eq!(CallbackAction::parse("r:7:2:4"), Some(rate));
        assert_eq!(
            CallbackAction::parse("k:7"),
            Some(CallbackAction::SkipComment { ticket_id: 7 })
        );
        for bad in [
            "r:7:0:4",
            "r:7:4:4",
            "r:7:2:6",
            "r:7:2:0",
            "r:7:2",
            "r:7:2:4:1",
            "r:7:22:4",
            "k:x",
        ] {
            assert_eq!(CallbackAction::parse(bad), None, "{bad}");
        }
        let keyboard = rating_keyboard(7, 3);
        assert_eq!(keyboard.inline_keyboard[0].len(), 5);
    }

    #[test]
    fn actions_encode_to_short_colon_separated_data() {
        assert_eq!(
            CallbackAction::Assign {
                ticket_id: 12,
                tech_id: 3
            }
            .encode(),
            "a:12:3"
        );
        assert_eq!(CallbackAction::Close { ticket_id: 12 }.encode(), "c:12");
    }

    #[test]
    fn encoded_actions_parse_back_to_themselves() {
        for action in [
            CallbackAction::Assign {
                ticket_id: 1,
                tech_id: 1,
            },
            CallbackAction::Assign {
                ticket_id: i32::MAX,
                tech_id: i32::MAX,
            },
            CallbackAction::Close { ticket_id: 7 },
            CallbackAction::Close {
                ticket_id: i32::MAX,
            },
        ] {
            let data = action.encode();
            assert!(data.len() <= CALLBACK_DATA_LIMIT);
            assert_eq!(CallbackAction::parse(&data), Some(action));
        }
    }

    #[test]
    fn garbage_and_foreign_data_parse_to_nothing() {
        let too_long = format!("c:{}", "1".repeat(100));
        let padded = format!("c:{}1", "0".repeat(70));
        for data in [
            "",
            ":",
            "a",
            "a:1",
            "a:1:",
            "a::1",
            "a:x:2",
            "a:1:2:3",
            "a:1:-2",
            "a:0:2",
            "c",
            "c:",
            "c:-1",
            "c:0",
            "c:+1",
            "c: 1",
            "c:1 ",
            "c:1:2",
            "c:2147483648",
            "c:1١",
            "C:1",
            "x:1",
            "close:1",
            too_long.as_str(),
            padded.as_str(),
        ] {
            assert_eq!(CallbackAction::parse(data), None, "{data:?}");
        }
    }

    #[test]
    fn an_action_knows_its_ticket() {
        assert_eq!(CallbackAction::parse("a:5:9").unwrap().ticket_id(), 5);
        assert_eq!(CallbackAction::parse("c:8").unwrap().ticket_id(), 8);
    }

    fn layout(markup: &InlineKeyboardMarkup) -> Vec<Vec<(String, String)>> {
        markup
            .inline_keyboard
            .iter()
            .map(|row| {
                row.iter()
                    .map(|button| match &button.kind {
                        InlineKeyboardButtonKind::CallbackData(data) => {
                            (button.text.clone(), data.clone())
                        }
                        other => panic!("unexpected button kind {other:?}"),
                    })
                    .collect()
            })
            .collect()
    }

    fn pair(text: &str, data: &str) -> (String, String) {
        (text.to_owned(), data.to_owned())
    }

    #[test]
    fn the_card_keyboard_puts_technicians_two_to_a_row_then_close_alone() {
        let techs = vec![
            (1, "@ivan".to_owned()),
            (2, "Petr Sidorov".to_owned()),
            (5, "@anna".to_owned()),
        ];
        let markup = card_keyboard("Закрыть", 12, &techs);
        assert_eq!(
            layout(&markup),
            vec![
                vec![pair("@ivan", "a:12:1"), pair("Petr Sidorov", "a:12:2")],
                vec![pair("@anna", "a:12:5")],
                vec![pair("Закрыть", "c:12")],
            ]
        );
    }

    #[test]
    fn routing_actions_round_trip_and_refuse_what_is_out_of_range() {
        for action in [
            CallbackAction::Category {
                ticket_id: 3,
                index: 0,
            },
            CallbackAction::Priority {
                ticket_id: 3,
                level: 3,
            },
            CallbackAction::Move {
                ticket_id: i32::MAX,
                index: 99,
            },
            CallbackAction::Wait { ticket_id: 3 },
        ] {
            let data = action.encode();
            assert!(data.len() <= CALLBACK_DATA_LIMIT);
            assert_eq!(CallbackAction::parse(&data), Some(action));
        }
        for bad in [
            "p:3:4", "p:3:01", "g:3:100", "g:3:", "m:3:-1", "w:3:1", "w:x",
        ] {
            assert_eq!(CallbackAction::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_full_card_marks_the_current_choices_and_puts_waiting_beside_close() {
        let choices = CardChoices {
            priorities: vec![
                ("🔽".into(), false),
                ("▫️".into(), true),
                ("🔼".into(), false),
                ("🔥".into(), false),
            ],
            categories: vec![("💳 Billing".into(), true), ("🛠 Tech".into(), false)],
            wait: Some("⏸".into()),
        };
        let markup = full_card_keyboard("Close", 7, &[(1, "@ivan".to_owned())], &choices);
        assert_eq!(
            layout(&markup),
            vec![
                vec![pair("@ivan", "a:7:1")],
                vec![
                    pair("🔽", "p:7:0"),
                    pair("• ▫️", "p:7:1"),
                    pair("🔼", "p:7:2"),
                    pair("🔥", "p:7:3")
                ],
                vec![pair("• 💳 Billing", "m:7:0"), pair("🛠 Tech", "m:7:1")],
                vec![pair("⏸", "w:7"), pair("Close", "c:7")],
            ]
        );
        let plain = full_card_keyboard("Close", 7, &[], &CardChoices::default());
        assert_eq!(layout(&plain), vec![vec![pair("Close", "c:7")]]);
    }

    #[test]
    fn without_technicians_the_card_keyboard_is_only_the_close_button() {
        let markup = card_keyboard("Close", 4, &[]);
        assert_eq!(layout(&markup), vec![vec![pair("Close", "c:4")]]);
    }
}
