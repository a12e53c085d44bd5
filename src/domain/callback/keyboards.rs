//! The inline keyboards built from [`CallbackAction`]s: the survey's
//! scores and skip button, and the ticket card's buttons.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::{CallbackAction, MAX_CATEGORIES};

/// Buttons per row for technicians: two keep names readable on a phone.
const TECHS_PER_ROW: usize = 2;

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
    use teloxide::types::InlineKeyboardButtonKind;

    use super::*;

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
