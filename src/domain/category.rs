//! Categories (CATEGORIES): what a client picks before a ticket opens. Each
//! has a name in the clients' languages, an optional emoji for its button,
//! a default priority, the technicians who take its tickets, and optionally
//! its own main group. Also how a new ticket finds its technician
//! (ASSIGN_MODE).

use crate::domain::language::Language;

/// The longest category key: keys travel in button data, which Telegram
/// caps at 64 bytes together with the action and the ticket id.
pub const CATEGORY_KEY_MAX_LEN: usize = 32;

/// Whether `key` is a usable category key: 1–32 characters of `a-z 0-9 _ -`.
pub fn is_category_key(key: &str) -> bool {
    (1..=CATEGORY_KEY_MAX_LEN).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// A category's name: one for every language, or one per language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryNames {
    /// The same name in every language.
    Same(String),
    /// Names by language in the order they were given (never empty); a
    /// language without its own name gets the first.
    PerLanguage(Vec<(Language, String)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Stable id: in button data, `/category <key>`, tickets and statistics.
    pub key: String,
    pub names: CategoryNames,
    /// Shown before the name on buttons and cards.
    pub emoji: Option<String>,
    /// The priority key (`low`, `normal`, `high`, `urgent`) its tickets start
    /// with; `None`: `normal`.
    pub priority: Option<String>,
    /// Who takes its tickets, as written in CATEGORIES: usernames (without
    /// `@`) or names from TECH_GROUPS_MAPPING. Empty: every technician.
    pub technicians: Vec<String>,
    /// The main group its topics open in; `None`: MAIN_GROUP_ID.
    pub main_group_id: Option<i64>,
}

impl Category {
    /// A category with one name and nothing else set.
    pub fn new(key: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            names: CategoryNames::Same(name.into()),
            emoji: None,
            priority: None,
            technicians: Vec::new(),
            main_group_id: None,
        }
    }

    /// The name in `language`, or the first name given when it has none.
    pub fn name(&self, language: Language) -> &str {
        match &self.names {
            CategoryNames::Same(name) => name,
            CategoryNames::PerLanguage(names) => names
                .iter()
                .find(|(lang, _)| *lang == language)
                .or_else(|| names.first())
                .map_or("", |(_, name)| name),
        }
    }

    /// The emoji and the name, as on buttons and cards: `💳 Оплата`.
    pub fn label(&self, language: Language) -> String {
        match &self.emoji {
            Some(emoji) => format!("{emoji} {}", self.name(language)),
            None => self.name(language).to_owned(),
        }
    }

    /// Whether a technician takes this category's tickets: one of its
    /// technicians by username or name, or anyone when it lists none.
    pub fn is_handled_by(&self, name: &str, username: Option<&str>) -> bool {
        self.technicians.is_empty()
            || self
                .technicians
                .iter()
                .any(|entry| names_technician(entry, name, username))
    }
}

/// Whether an entry of a category's `technicians` names this technician:
/// their username (any case, `@` optional) or their name (any case).
pub fn names_technician(entry: &str, name: &str, username: Option<&str>) -> bool {
    let entry = entry.trim();
    let by_username = username.is_some_and(|username| {
        entry
            .trim_start_matches('@')
            .eq_ignore_ascii_case(username.trim().trim_start_matches('@'))
    });
    by_username || entry.to_lowercase() == name.trim().to_lowercase()
}

/// How a new ticket gets its technician (ASSIGN_MODE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AssignMode {
    /// Staff pick one with the card's buttons.
    #[default]
    Manual,
    /// The category's available technicians take turns.
    RoundRobin,
    /// The available technician with the fewest open tickets.
    LeastLoaded,
}

impl AssignMode {
    pub const ALL: [AssignMode; 3] = [
        AssignMode::Manual,
        AssignMode::RoundRobin,
        AssignMode::LeastLoaded,
    ];

    /// As written in ASSIGN_MODE.
    pub const fn key(self) -> &'static str {
        match self {
            AssignMode::Manual => "manual",
            AssignMode::RoundRobin => "round_robin",
            AssignMode::LeastLoaded => "least_loaded",
        }
    }

    /// The mode a user wrote, in any case.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.key().eq_ignore_ascii_case(key.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn billing() -> Category {
        Category {
            emoji: Some("💳".to_owned()),
            names: CategoryNames::PerLanguage(vec![
                (Language::Ru, "Оплата".to_owned()),
                (Language::En, "Billing".to_owned()),
            ]),
            technicians: vec!["ivan".to_owned(), "Olga Smirnova".to_owned()],
            ..Category::new("billing", "")
        }
    }

    #[test]
    fn names_fall_back_to_the_first_given() {
        let category = billing();
        assert_eq!(category.name(Language::Ru), "Оплата");
        assert_eq!(category.name(Language::En), "Billing");
        assert_eq!(category.name(Language::Kk), "Оплата");
        let one = Category::new("other", "Другое");
        assert_eq!(one.name(Language::En), "Другое");
    }

    #[test]
    fn the_label_puts_the_emoji_first() {
        assert_eq!(billing().label(Language::Ru), "💳 Оплата");
        assert_eq!(
            Category::new("other", "Другое").label(Language::Ru),
            "Другое"
        );
    }

    #[test]
    fn technicians_are_recognised_by_username_or_name() {
        let category = billing();
        assert!(category.is_handled_by("Ivan Petrov", Some("Ivan")));
        assert!(category.is_handled_by("Olga Smirnova", None));
        assert!(category.is_handled_by("olga smirnova", Some("olga")));
        assert!(!category.is_handled_by("Petr", Some("petr")));
        // A category that lists nobody is everybody's.
        assert!(Category::new("other", "Другое").is_handled_by("Petr", None));
        assert!(names_technician("@ivan", "Ivan Petrov", Some("ivan")));
        assert!(!names_technician("ivan", "Ivan Petrov", None));
    }

    #[test]
    fn category_keys_are_short_lower_case_words() {
        for good in ["billing", "tech-support", "vip_2", "a"] {
            assert!(is_category_key(good), "{good}");
        }
        for bad in ["", "Billing", "оплата", "two words", "a:b", &"x".repeat(33)] {
            assert!(!is_category_key(bad), "{bad}");
        }
    }

    #[test]
    fn assign_modes_read_as_written() {
        for mode in AssignMode::ALL {
            assert_eq!(AssignMode::from_key(mode.key()), Some(mode));
        }
        assert_eq!(
            AssignMode::from_key(" Round_Robin "),
            Some(AssignMode::RoundRobin)
        );
        assert_eq!(AssignMode::from_key("random"), None);
        assert_eq!(AssignMode::default(), AssignMode::Manual);
    }
}
