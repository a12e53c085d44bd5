//! The arguments of manager commands, checked strictly: anything else gets
//! the command's usage line.

use crate::entities::TicketStatus;
use crate::services::reports::{FindQuery, TechRef};

/// The default period of /stats, and the longest one.
const DEFAULT_DAYS: u32 = 7;
const MAX_DAYS: u32 = 3650;
/// At most this many words of a /find query are matched.
pub(super) const MAX_WORDS: usize = 10;

/// `""` → all; `new`, `work`, `closed` → that status; anything else → `None`.
pub(super) fn parse_status(args: &str) -> Option<Option<TicketStatus>> {
    match args.to_ascii_lowercase().as_str() {
        "" => Some(None),
        "new" => Some(Some(TicketStatus::New)),
        "work" => Some(Some(TicketStatus::Work)),
        "closed" => Some(Some(TicketStatus::Closed)),
        _ => None,
    }
}

/// `12` or `#12`.
pub(super) fn parse_ticket_number(args: &str) -> Option<i32> {
    let digits = args.strip_prefix('#').unwrap_or(args);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|id| *id > 0)
}

pub fn parse_find(args: &str) -> Option<FindQuery> {
    if let Some(number) = args.strip_prefix('#') {
        return parse_ticket_number(number).map(FindQuery::TicketNumber);
    }
    if let Some(username) = args.strip_prefix('@') {
        let valid = !username.is_empty()
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| FindQuery::Username(username.to_owned()));
    }
    let words: Vec<String> = args
        .split_whitespace()
        .take(MAX_WORDS)
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        return None;
    }
    let tg_id = match words.as_slice() {
        [only] if only.bytes().all(|b| b.is_ascii_digit()) => only.parse().ok(),
        _ => None,
    };
    Some(FindQuery::Words { words, tg_id })
}

/// `""` → the default; a whole number of days within 1..=3650.
pub(super) fn parse_days(args: &str) -> Option<u32> {
    if args.is_empty() {
        return Some(DEFAULT_DAYS);
    }
    if !args.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    args.parse()
        .ok()
        .filter(|days| (1..=MAX_DAYS).contains(days))
}

/// `3` (the id /techs shows) or `@username`.
pub(super) fn parse_tech(args: &str) -> Option<TechRef> {
    if let Some(username) = args.strip_prefix('@') {
        let valid = !username.is_empty()
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        return valid.then(|| TechRef::Username(username.to_owned()));
    }
    parse_ticket_number(args)
        .filter(|_| !args.starts_with('#'))
        .map(TechRef::Id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_takes_a_status_or_nothing() {
        assert_eq!(parse_status(""), Some(None));
        assert_eq!(parse_status("NEW"), Some(Some(TicketStatus::New)));
        assert_eq!(parse_status("work"), Some(Some(TicketStatus::Work)));
        assert_eq!(parse_status("closed"), Some(Some(TicketStatus::Closed)));
        assert_eq!(parse_status("open"), None);
        assert_eq!(parse_status("new work"), None);
    }

    #[test]
    fn a_ticket_number_is_a_positive_integer_with_or_without_a_hash() {
        assert_eq!(parse_ticket_number("12"), Some(12));
        assert_eq!(parse_ticket_number("#12"), Some(12));
        for bad in [
            "",
            "#",
            "0",
            "-3",
            "+3",
            "abc",
            "#abc",
            "1 2",
            "99999999999",
        ] {
            assert_eq!(parse_ticket_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn find_tells_numbers_usernames_ids_and_words_apart() {
        assert_eq!(parse_find("#7"), Some(FindQuery::TicketNumber(7)));
        assert_eq!(
            parse_find("@Anna_S"),
            Some(FindQuery::Username("Anna_S".into()))
        );
        assert_eq!(
            parse_find("123456"),
            Some(FindQuery::Words {
                words: vec!["123456".into()],
                tg_id: Some(123456)
            })
        );
        assert_eq!(
            parse_find("Принтер  100%"),
            Some(FindQuery::Words {
                words: vec!["Принтер".into(), "100%".into()],
                tg_id: None
            })
        );
        for bad in ["", "#", "#abc", "#0", "@", "@a b", "@анна"] {
            assert_eq!(parse_find(bad), None, "{bad}");
        }
    }

    #[test]
    fn find_matches_at_most_ten_words() {
        let query = (1..=15)
            .map(|n| format!("w{n}"))
            .collect::<Vec<_>>()
            .join(" ");
        let Some(FindQuery::Words { words, .. }) = parse_find(&query) else {
            panic!("words");
        };
        assert_eq!(words.len(), MAX_WORDS);
    }

    #[test]
    fn stats_takes_one_to_3650_days_and_defaults_to_seven() {
        assert_eq!(parse_days(""), Some(7));
        assert_eq!(parse_days("30"), Some(30));
        assert_eq!(parse_days("3650"), Some(3650));
        for bad in ["abc", "0", "3651", "-1", "7d", "1.5", "99999999999"] {
            assert_eq!(parse_days(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_technician_is_named_by_id_or_username() {
        assert_eq!(parse_tech("3"), Some(TechRef::Id(3)));
        assert_eq!(parse_tech("@ivan"), Some(TechRef::Username("ivan".into())));
        for bad in ["", "#3", "ivan", "@", "0"] {
            assert_eq!(parse_tech(bad), None, "{bad}");
        }
    }
}
