//! The client list: SHEETS_RANGE's first row names the columns, every other
//! row is a client. A client is found by the Telegram id column, then by the
//! username column; the rest of the row becomes the card's extra fields.
//!
//! Column headers are compared case-insensitively with everything but
//! letters and digits left out, so `tg_id`, `TG ID` and `Tg-Id` are one
//! header, and `@username` is `username`:
//! - Telegram id: `tg_id`, `telegram_id`, `tg_user_id`, `telegram_user_id`,
//!   `тг id`, `телеграм id`, `user_id`, `id` (the first of these present
//!   wins);
//! - username: `username`, `tg_username`, `telegram_username`, `telegram`,
//!   `tg`, `юзернейм`, `телеграм`.
//!
//! Ids may be formatted with separators (`123 456 789`, `123,456,789`);
//! usernames may carry `@` or be a `t.me/` link.

use serde::{Deserialize, Serialize};

const ID_HEADERS: &[&str] = &[
    "tgid",
    "telegramid",
    "tguserid",
    "telegramuserid",
    "тгid",
    "телеграмid",
    "userid",
    "id",
];
const USERNAME_HEADERS: &[&str] = &[
    "username",
    "tgusername",
    "telegramusername",
    "telegram",
    "tg",
    "юзернейм",
    "телеграм",
];

/// The whole client list, as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ClientSheet {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    id_column: Option<usize>,
    username_column: Option<usize>,
}

impl ClientSheet {
    /// Reads the header row and finds the key columns. Refuses a sheet with
    /// neither key column: every lookup would miss, which is a setup mistake
    /// worth a warning rather than a silently empty card.
    pub(super) fn from_cells(mut cells: Vec<Vec<String>>) -> Result<ClientSheet, String> {
        if cells.is_empty() {
            return Err("the range is empty; its first row should name the columns".into());
        }
        let rows = cells.split_off(1);
        let headers: Vec<String> = cells
            .remove(0)
            .into_iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let find = |accepted: &[&str]| {
            accepted
                .iter()
                .find_map(|name| normalized.iter().position(|h| h == name))
        };
        let id_column = find(ID_HEADERS);
        let username_column = find(USERNAME_HEADERS);
        if id_column.is_none() && username_column.is_none() {
            return Err(format!(
                "the first row ({}) has no Telegram id column (tg_id, telegram_id, id, …) and no username column (username, @username, telegram, …)",
                headers.join(", ")
            ));
        }
        Ok(ClientSheet {
            headers,
            rows,
            id_column,
            username_column,
        })
    }

    /// The fields of the client's row: (header, value) in column order,
    /// without the key columns (the card shows id and username already),
    /// empty values, and columns without a header. Empty when no row matches.
    pub(super) fn fields_for(&self, tg_id: i64, username: Option<&str>) -> Vec<(String, String)> {
        fn cell(row: &[String], column: Option<usize>) -> Option<&str> {
            column.and_then(|c| row.get(c)).map(String::as_str)
        }
        let by_id = self
            .rows
            .iter()
            .find(|row| cell(row, self.id_column).and_then(parse_id) == Some(tg_id));
        let username = username.map(normalize_username).filter(|u| !u.is_empty());
        let by_username = || {
            let username = username.as_deref()?;
            self.rows.iter().find(|row| {
                cell(row, self.username_column)
                    .is_some_and(|value| normalize_username(value).eq_ignore_ascii_case(username))
            })
        };
        let Some(row) = by_id.or_else(by_username) else {
            return Vec::new();
        };
        self.headers
            .iter()
            .zip(row)
            .enumerate()
            .filter(|(column, _)| {
                Some(*column) != self.id_column && Some(*column) != self.username_column
            })
            .map(|(_, (header, value))| (header.clone(), value.trim().to_owned()))
            .filter(|(header, value)| !header.is_empty() && !value.is_empty())
            .collect()
    }
}

fn normalize_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A Telegram id as a sheet may show it: `123456789`, `123 456 789`,
/// `123,456,789`, `123456789.00`, `'123456789`.
fn parse_id(value: &str) -> Option<i64> {
    let digits: String = value
        .trim()
        .trim_start_matches('\'')
        .chars()
        .filter(|c| !matches!(c, ' ' | ',' | '\u{a0}' | '\u{202f}' | '_'))
        .collect();
    let digits = match digits.split_once('.') {
        Some((whole, fraction)) if fraction.chars().all(|c| c == '0') => whole.to_owned(),
        Some(_) => return None,
        None => digits,
    };
    digits.parse().ok()
}

/// `@Anna`, `https://t.me/Anna`, `t.me/anna` → `Anna` / `anna`.
fn normalize_username(value: &str) -> String {
    let value = value.trim();
    let value = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .unwrap_or(value);
    let value = value
        .strip_prefix("t.me/")
        .or_else(|| value.strip_prefix("telegram.me/"))
        .unwrap_or(value);
    value
        .trim_start_matches('@')
        .trim_end_matches('/')
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> Result<ClientSheet, String> {
        ClientSheet::from_cells(
            rows.iter()
                .map(|row| row.iter().map(|c| c.to_string()).collect())
                .collect(),
        )
    }

    fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
        fields
            .iter()
            .map(|(h, v)| (h.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn a_client_is_found_by_id_then_by_username() {
        let sheet = sheet(&[
            &["Telegram ID", "@Username", "Company", "Plan", "Notes"],
            &["111", "", "Acme", "Gold"],
            &["", "@Anna", "Globex", "", "likes tea"],
            &["222", "anna", "Wrong row", "", ""],
        ])
        .unwrap();
        assert_eq!(
            pairs(&sheet.fields_for(111, Some("someone"))),
            [("Company", "Acme"), ("Plan", "Gold")]
        );
        assert_eq!(
            pairs(&sheet.fields_for(999, Some("anna"))),
            [("Company", "Globex"), ("Notes", "likes tea")]
        );
        // The id wins over a username match further up.
        assert_eq!(
            pairs(&sheet.fields_for(222, Some("anna"))),
            [("Company", "Wrong row")]
        );
        assert!(sheet.fields_for(999, None).is_empty());
        assert!(sheet.fields_for(999, Some("")).is_empty());
    }

    #[test]
    fn headers_are_recognised_loosely_and_the_most_specific_id_column_wins() {
        for header in [
            "tg_id",
            "TG ID",
            "Tg-Id",
            "telegram_id",
            "Телеграм ID",
            "id",
        ] {
            let sheet = sheet(&[&[header, "Name"], &["5", "Bob"]]).unwrap();
            assert_eq!(
                pairs(&sheet.fields_for(5, None)),
                [("Name", "Bob")],
                "{header}"
            );
        }
        let both = sheet(&[&["id", "tg_id", "Name"], &["1", "5", "Bob"]]).unwrap();
        assert_eq!(
            pairs(&both.fields_for(5, None)),
            [("id", "1"), ("Name", "Bob")]
        );
        for header in [
            "username",
            "@username",
            "Telegram",
            "TG Username",
            "Юзернейм",
        ] {
            let sheet = sheet(&[&["Name", header], &["Bob", "@bob"]]).unwrap();
            assert_eq!(
                pairs(&sheet.fields_for(1, Some("Bob"))),
                [("Name", "Bob")],
                "{header}"
            );
        }
    }

    #[test]
    fn formatted_ids_and_username_links_match() {
        for id in [
            "123456789",
            "123 456 789",
            "123,456,789",
            "123456789.00",
            "'123456789",
        ] {
            assert_eq!(parse_id(id), Some(123456789), "{id}");
        }
        assert_eq!(parse_id("1.5"), None);
        assert_eq!(parse_id("abc"), None);
        for username in ["@anna", "https://t.me/anna", "t.me/anna/", "ANNA"] {
            assert!(
                normalize_username(username).eq_ignore_ascii_case("anna"),
                "{username}"
            );
        }
    }

    #[test]
    fn a_sheet_without_key_columns_or_rows_is_refused() {
        let error = sheet(&[&["Name", "Company"], &["Bob", "Acme"]]).unwrap_err();
        assert!(error.contains("Name, Company"), "{error}");
        assert!(sheet(&[]).is_err());
        // Headers only is fine: nobody is in the list yet.
        assert!(
            sheet(&[&["tg_id", "Name"]])
                .unwrap()
                .fields_for(1, None)
                .is_empty()
        );
    }

    #[test]
    fn short_rows_and_headerless_columns_are_handled() {
        let sheet = sheet(&[
            &["tg_id", "", "Plan"],
            &["7", "orphan", "Gold", "extra"],
            &["8"],
        ])
        .unwrap();
        assert_eq!(pairs(&sheet.fields_for(7, None)), [("Plan", "Gold")]);
        assert!(sheet.fields_for(8, None).is_empty());
    }
}
