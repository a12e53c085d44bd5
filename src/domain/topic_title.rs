//! Forum topic names. A topic's name is how staff find a ticket in a long
//! list, so the stage, the number and the client come first; Telegram caps
//! names at 128 characters (counted in UTF-16 units, like all its lengths),
//! and the client's name — the only part of unbounded length and content —
//! is what gets shortened.

use crate::domain::text::utf16_len;

/// Longest topic name Telegram accepts, in UTF-16 code units.
pub const TOPIC_TITLE_LIMIT: usize = 128;

const ELLIPSIS: &str = "…";
const ZERO_WIDTH_JOINER: char = '\u{200D}';
/// Stands in for a name that is blank after cleaning.
const NO_NAME: &str = "—";

/// The words for a ticket's stage in the staff's language: `Новый`,
/// `В работе`, `Закрыт` (or `New`, `In progress`, `Closed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageWords {
    pub new: String,
    pub in_work: String,
    pub closed: String,
    /// `Ждёт клиента`, `Waiting`.
    pub waiting: String,
}

/// Where a ticket is, as far as its main-group topic name shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketStage<'a> {
    New,
    /// `tech` is a [`tech_label`].
    InWork {
        tech: &'a str,
    },
    /// The team waits for the client; `tech` as for `InWork`, if assigned.
    Waiting {
        tech: Option<&'a str>,
    },
    /// `tech` is the last assigned technician's [`tech_label`], if any.
    Closed {
        tech: Option<&'a str>,
    },
}

/// How a technician is named in titles and notes: `@username` when they have
/// one (it is unique and clickable), otherwise their name.
pub fn tech_label(name: &str, username: Option<&str>) -> String {
    match username.map(clean_username).filter(|u| !u.is_empty()) {
        Some(username) => format!("@{username}"),
        None => or_no_name(clean(name)),
    }
}

/// Name of a ticket's topic in the main group:
/// `🟢 [Новый] #12 | Ivan Petrov (@ivan)`, `🟡 [В работе | @tech] #12 | Ivan
/// Petrov`, `🟣 [Закрыт | @tech] #12 | Ivan Petrov` (`🟣 [Закрыт] …` when no
/// one was ever assigned). The username is shown only while the ticket is
/// new, when staff still need to recognise the client. A long client name
/// is shortened with "…" so the rest always stays visible; a blank one is
/// left out.
pub fn main_topic_title(
    words: &StageWords,
    ticket_id: i32,
    stage: TicketStage,
    client_name: &str,
    client_username: Option<&str>,
) -> String {
    main_topic_title_badged(words, ticket_id, stage, false, client_name, client_username)
}

/// [`main_topic_title`], with `⏰ ` in front while an SLA deadline is missed
/// (`overdue`).
pub fn main_topic_title_badged(
    words: &StageWords,
    ticket_id: i32,
    stage: TicketStage,
    overdue: bool,
    client_name: &str,
    client_username: Option<&str>,
) -> String {
    let head = match stage {
        TicketStage::New => format!("🟢 [{}] #{ticket_id}", words.new),
        TicketStage::InWork { tech } => format!(
            "🟡 [{} | {}] #{ticket_id}",
            words.in_work,
            or_no_name(clean(tech))
        ),
        TicketStage::Closed { tech: Some(tech) } => format!(
            "🟣 [{} | {}] #{ticket_id}",
            words.closed,
            or_no_name(clean(tech))
        ),
        TicketStage::Closed { tech: None } => {
            format!("🟣 [{}] #{ticket_id}", words.closed)
        }
        TicketStage::Waiting { tech: Some(tech) } => format!(
            "⏸ [{} | {}] #{ticket_id}",
            words.waiting,
            or_no_name(clean(tech))
        ),
        TicketStage::Waiting { tech: None } => {
            format!("⏸ [{}] #{ticket_id}", words.waiting)
        }
    };
    let head = badged(head, overdue);
    let tail = match (stage, client_username.map(clean_username)) {
        (TicketStage::New, Some(username)) if !username.is_empty() => format!(" (@{username})"),
        _ => String::new(),
    };
    fit(&head, client_name, &tail)
}

/// Name of the technician's mirrored topic in their own group:
/// `#12 | Ivan Petrov`. The stage is left out: the technician's group holds
/// only their own tickets, and a closed mirror is closed as a topic.
pub fn tech_topic_title(ticket_id: i32, client_name: &str) -> String {
    tech_topic_title_badged(ticket_id, false, client_name)
}

/// [`tech_topic_title`], with `⏰ ` in front while an SLA deadline is missed.
pub fn tech_topic_title_badged(ticket_id: i32, overdue: bool, client_name: &str) -> String {
    fit(&badged(format!("#{ticket_id}"), overdue), client_name, "")
}

/// The overdue badge, in front of everything else so it shows in any list.
fn badged(head: String, overdue: bool) -> String {
    if overdue { format!("⏰ {head}") } else { head }
}

/// `text` cut to at most `max_units` UTF-16 units, ending with "…" when cut.
/// Cuts only between characters, so a surrogate pair is never torn, and drops
/// whitespace or a dangling zero-width joiner left in front of the "…".
pub fn truncate_utf16(text: &str, max_units: usize) -> String {
    if utf16_len(text) <= max_units {
        return text.to_owned();
    }
    let Some(budget) = max_units.checked_sub(utf16_len(ELLIPSIS)) else {
        return String::new();
    };
    let mut used = 0;
    let mut end = 0;
    for (index, c) in text.char_indices() {
        used += c.len_utf16();
        if used > budget {
            break;
        }
        end = index + c.len_utf8();
    }
    let kept = text[..end].trim_end_matches(|c: char| c.is_whitespace() || c == ZERO_WIDTH_JOINER);
    format!("{kept}{ELLIPSIS}")
}

/// `head | name tail`, with `name` shortened to keep the whole within the
/// limit; `head tail` when the name is blank.
fn fit(head: &str, name: &str, tail: &str) -> String {
    const SEPARATOR: &str = " | ";
    let name = clean(name);
    if name.is_empty() {
        return truncate_utf16(&format!("{head}{tail}"), TOPIC_TITLE_LIMIT);
    }
    let room =
        TOPIC_TITLE_LIMIT.saturating_sub(utf16_len(head) + utf16_len(SEPARATOR) + utf16_len(tail));
    // Room for at least one character and the ellipsis; otherwise the head
    // itself is absurdly long and the whole title is cut instead.
    if room >= 3 {
        format!("{head}{SEPARATOR}{}{tail}", truncate_utf16(&name, room))
    } else {
        truncate_utf16(&format!("{head}{SEPARATOR}{name}{tail}"), TOPIC_TITLE_LIMIT)
    }
}

/// A name as one line: control characters dropped, runs of whitespace
/// (line breaks included) turned into one space, ends trimmed.
fn clean(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn clean_username(username: &str) -> &str {
    username.trim().trim_start_matches('@')
}

fn or_no_name(name: String) -> String {
    if name.is_empty() {
        NO_NAME.to_owned()
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiting_ticket_shows_the_pause_and_its_technician() {
        let title = |tech| {
            main_topic_title(
                &ru(),
                12,
                TicketStage::Waiting { tech },
                "Anna",
                Some("anna"),
            )
        };
        assert_eq!(title(Some("@ivan")), "⏸ [Ждёт клиента | @ivan] #12 | Anna");
        assert_eq!(title(None), "⏸ [Ждёт клиента] #12 | Anna");
        let english = main_topic_title(
            &en(),
            12,
            TicketStage::Waiting {
                tech: Some("@ivan"),
            },
            "Anna",
            None,
        );
        assert_eq!(english, "⏸ [Waiting | @ivan] #12 | Anna");
    }

    #[test]
    fn an_overdue_ticket_carries_the_badge_in_both_topics_within_the_limit() {
        let title = main_topic_title_badged(
            &ru(),
            12,
            TicketStage::InWork { tech: "@ivan" },
            true,
            "Anna",
            None,
        );
        assert_eq!(title, "⏰ 🟡 [В работе | @ivan] #12 | Anna");
        assert_eq!(tech_topic_title_badged(12, true, "Anna"), "⏰ #12 | Anna");
        let long = "Я".repeat(300);
        let title = main_topic_title_badged(&ru(), 12, TicketStage::New, true, &long, Some("anna"));
        assert!(utf16_len(&title) <= TOPIC_TITLE_LIMIT);
        assert!(title.starts_with("⏰ 🟢 [Новый] #12 | "), "{title}");
        assert!(title.ends_with(" (@anna)"), "{title}");
    }

    fn ru() -> StageWords {
        StageWords {
            new: "Новый".into(),
            in_work: "В работе".into(),
            closed: "Закрыт".into(),
            waiting: "Ждёт клиента".into(),
        }
    }

    fn en() -> StageWords {
        StageWords {
            new: "New".into(),
            in_work: "In progress".into(),
            closed: "Closed".into(),
            waiting: "Waiting".into(),
        }
    }

    #[test]
    fn a_new_ticket_shows_the_clients_name_and_username() {
        assert_eq!(
            main_topic_title(&ru(), 12, TicketStage::New, "Ivan Petrov", Some("ivan")),
            "🟢 [Новый] #12 | Ivan Petrov (@ivan)"
        );
    }

    #[test]
    fn a_new_ticket_of_a_client_without_username_has_no_parentheses() {
        assert_eq!(
            main_topic_title(&ru(), 12, TicketStage::New, "Ivan Petrov", None),
            "🟢 [Новый] #12 | Ivan Petrov"
        );
        assert_eq!(
            main_topic_title(&ru(), 12, TicketStage::New, "Ivan Petrov", Some(" ")),
            "🟢 [Новый] #12 | Ivan Petrov"
        );
    }

    #[test]
    fn a_ticket_in_work_names_the_technician_and_drops_the_username() {
        assert_eq!(
            main_topic_title(
                &ru(),
                12,
                TicketStage::InWork { tech: "@tech" },
                "Ivan Petrov",
                Some("ivan")
            ),
            "🟡 [В работе | @tech] #12 | Ivan Petrov"
        );
    }

    #[test]
    fn a_closed_ticket_names_its_last_technician_if_it_had_one() {
        assert_eq!(
            main_topic_title(
                &ru(),
                12,
                TicketStage::Closed {
                    tech: Some("@tech")
                },
                "Ivan Petrov",
                None
            ),
            "🟣 [Закрыт | @tech] #12 | Ivan Petrov"
        );
        assert_eq!(
            main_topic_title(
                &ru(),
                12,
                TicketStage::Closed { tech: None },
                "Ivan Petrov",
                None
            ),
            "🟣 [Закрыт] #12 | Ivan Petrov"
        );
    }

    #[test]
    fn english_titles_use_english_stage_words() {
        let title = |stage| main_topic_title(&en(), 3, stage, "Ann", Some("ann"));
        assert_eq!(title(TicketStage::New), "🟢 [New] #3 | Ann (@ann)");
        assert_eq!(
            title(TicketStage::InWork { tech: "Bob Stone" }),
            "🟡 [In progress | Bob Stone] #3 | Ann"
        );
        assert_eq!(
            title(TicketStage::Closed { tech: Some("@bob") }),
            "🟣 [Closed | @bob] #3 | Ann"
        );
        assert_eq!(
            title(TicketStage::Closed { tech: None }),
            "🟣 [Closed] #3 | Ann"
        );
    }

    #[test]
    fn a_tech_label_prefers_the_username_and_falls_back_to_the_name() {
        assert_eq!(tech_label("Ivan Petrov", Some("ivan")), "@ivan");
        assert_eq!(tech_label("Ivan Petrov", Some("@ivan")), "@ivan");
        assert_eq!(tech_label("Ivan Petrov", None), "Ivan Petrov");
        assert_eq!(tech_label(" Ivan\nPetrov ", Some("")), "Ivan Petrov");
        assert_eq!(tech_label("", None), "—");
    }

    #[test]
    fn a_tech_topic_is_titled_with_number_and_client_name() {
        assert_eq!(tech_topic_title(12, "Ivan Petrov"), "#12 | Ivan Petrov");
    }

    #[test]
    fn a_blank_client_name_is_left_out_rather_than_leaving_a_dangling_bar() {
        assert_eq!(
            main_topic_title(&ru(), 12, TicketStage::New, " \n ", Some("ivan")),
            "🟢 [Новый] #12 (@ivan)"
        );
        assert_eq!(tech_topic_title(12, ""), "#12");
    }

    #[test]
    fn line_breaks_and_control_characters_in_a_name_become_single_spaces() {
        assert_eq!(
            tech_topic_title(5, "Ivan\n\n Petrov\u{7}\tJr"),
            "#5 | Ivan Petrov Jr"
        );
    }

    #[test]
    fn a_huge_name_is_shortened_and_the_username_stays_visible() {
        let name = "Вася".repeat(100);
        let title = main_topic_title(&ru(), 12, TicketStage::New, &name, Some("vasya"));
        assert_eq!(utf16_len(&title), TOPIC_TITLE_LIMIT);
        assert!(title.starts_with("🟢 [Новый] #12 | ВасяВася"));
        assert!(title.ends_with("… (@vasya)"));
    }

    #[test]
    fn a_name_of_emoji_is_cut_between_characters_and_fits() {
        // Head "#7 | " is 5 units, leaving 123: 61 emoji (122 units) + "…".
        let name = "😀".repeat(100);
        let title = tech_topic_title(7, &name);
        assert_eq!(title, format!("#7 | {}…", "😀".repeat(61)));
        assert_eq!(utf16_len(&title), 128);

        for stage in [
            TicketStage::New,
            TicketStage::InWork {
                tech: "@a_long_technician_username_x32",
            },
            TicketStage::Closed { tech: None },
        ] {
            let title = main_topic_title(&en(), i32::MAX, stage, &name, Some("u"));
            assert!(utf16_len(&title) <= TOPIC_TITLE_LIMIT, "{title}");
            assert!(title.contains('…'));
        }
    }

    #[test]
    fn a_name_that_just_fits_is_not_shortened() {
        // "#7 | " is 5 units.
        let name = "n".repeat(123);
        assert_eq!(tech_topic_title(7, &name), format!("#7 | {name}"));
        let name = "n".repeat(124);
        assert_eq!(
            tech_topic_title(7, &name),
            format!("#7 | {}…", "n".repeat(122))
        );
    }

    #[test]
    fn an_absurdly_long_technician_label_still_gives_a_valid_title() {
        let tech = "T".repeat(300);
        let title = main_topic_title(&ru(), 1, TicketStage::InWork { tech: &tech }, "Ann", None);
        assert_eq!(utf16_len(&title), TOPIC_TITLE_LIMIT);
        assert!(title.ends_with("TTT…"));
    }

    #[test]
    fn truncation_leaves_a_fitting_text_alone() {
        assert_eq!(truncate_utf16("hello", 5), "hello");
        assert_eq!(truncate_utf16("", 0), "");
    }

    #[test]
    fn truncation_ends_with_an_ellipsis_within_the_limit() {
        assert_eq!(truncate_utf16("hello world", 6), "hello…");
        assert_eq!(truncate_utf16("hello", 4), "hel…");
        assert_eq!(truncate_utf16("hello", 1), "…");
        assert_eq!(truncate_utf16("hello", 0), "");
    }

    #[test]
    fn truncation_never_splits_a_surrogate_pair() {
        // "a" (1) + "😀" (2) would be 3 units before the ellipsis.
        assert_eq!(truncate_utf16("a😀b", 3), "a…");
        assert_eq!(truncate_utf16("a😀bc", 4), "a😀…");
    }

    #[test]
    fn truncation_drops_a_dangling_zero_width_joiner() {
        // 👨‍👩: man (2), ZWJ (1), woman (2).
        assert_eq!(truncate_utf16("👨\u{200D}👩 family", 4), "👨…");
    }
}
