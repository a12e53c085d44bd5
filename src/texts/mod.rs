//! Every text the bot writes, in Russian (the default), Kazakh and English.
//! The words live in Project Fluent files, `locales/<language>/<area>.ftl`
//! (client, survey, team, admin, menus), compiled into the binary; this
//! module gives each text a method with typed arguments, so a caller can
//! neither misspell a message id nor forget an argument. User-written text
//! is never mixed in with a parse mode, so nothing here needs escaping and
//! names like `_x_` arrive exactly as typed.
//!
//! A message id is its method's name in kebab case (`ticket_opened_ack` is
//! `ticket-opened-ack`); a method that picks one of a few fixed variants
//! reads an attribute (`status-filter.new`). Counts go to Fluent as numbers,
//! so plural selectors can see them; ticket numbers, Telegram ids and
//! ready-made pieces (durations, percentages) go as text, so no number
//! formatting ever touches them.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::LanguageIdentifier;
use fluent_templates::fluent_bundle::FluentValue;

use crate::domain::card::CardWords;
use crate::domain::language::Language;
use crate::domain::topic_title::StageWords;

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        // Fluent wraps every argument in U+2068/U+2069 (bidi isolation). They
        // would break what callers rely on: a specialist call ends with the
        // caller's text unchanged, so its entities move by a fixed amount,
        // and titles and notes are compared with what the bot sent before.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A text without arguments, rendered once per language and kept, so its
/// method can go on returning `&'static str` to the many callers that take
/// one.
macro_rules! fixed {
    ($texts:expr, $id:literal) => {{
        use std::sync::OnceLock;
        static RENDERED: [OnceLock<String>; $crate::domain::language::Language::ALL.len()] =
            [const { OnceLock::new() }; $crate::domain::language::Language::ALL.len()];
        let texts: &$crate::texts::Texts = $texts;
        RENDERED[texts.slot()]
            .get_or_init(|| texts.render($id, &[]))
            .as_str()
    }};
}

mod admin;
mod kb;
mod levels;

pub use levels::{ClockName, OpeningDay};
#[cfg(test)]
mod checks;
mod menus;
#[cfg(test)]
mod samples;
mod survey;
mod web;

/// One argument of a Fluent message.
type Arg<'a> = (&'static str, FluentValue<'a>);

/// A ticket number or Telegram id as an argument: as text, because it is a
/// name rather than an amount, and Fluent may format numbers (digit
/// grouping) in a future version.
fn id_arg(id: impl ToString) -> FluentValue<'static> {
    FluentValue::from(id.to_string())
}

#[derive(Debug, Clone, Copy)]
pub struct Texts {
    language: Language,
}

impl Texts {
    pub fn new(language: Language) -> Self {
        Self { language }
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Where this language's entries sit in the per-language caches.
    fn slot(&self) -> usize {
        match self.language {
            Language::Ru => 0,
            Language::Kk => 1,
            Language::En => 2,
        }
    }

    fn locale(&self) -> &'static LanguageIdentifier {
        static IDENTIFIERS: LazyLock<[LanguageIdentifier; Language::ALL.len()]> =
            LazyLock::new(|| {
                [Language::Ru, Language::Kk, Language::En].map(|language| {
                    language
                        .code()
                        .parse()
                        .expect("a language code is a language identifier")
                })
            });
        &IDENTIFIERS[self.slot()]
    }

    /// The message `id` (or `id.attribute`) in this language.
    fn render(&self, id: &str, args: &[Arg]) -> String {
        let args: HashMap<&str, FluentValue> = args.iter().cloned().collect();
        match LOCALES.lookup_single_language(self.locale(), id, Some(&args)) {
            Ok(text) => text,
            Err(error) => self.render_failed(id, &args, error),
        }
    }

    /// A missing or broken translation stops every debug build and test run
    /// that reaches it; a release build still says something, in Russian
    /// (the language every message is written in first).
    #[cold]
    fn render_failed(
        &self,
        id: &str,
        args: &HashMap<&str, FluentValue>,
        error: impl std::fmt::Display,
    ) -> String {
        if cfg!(debug_assertions) {
            panic!("text {id:?} in {} does not render: {error}", self.language);
        }
        tracing::error!(id, language = %self.language, %error, "a text does not render; sending the Russian one");
        LOCALES
            .lookup_single_language(Texts::new(Language::Ru).locale(), id, Some(args))
            .unwrap_or_else(|_| id.to_owned())
    }

    // --- client's private chat ---

    pub fn greeting(&self) -> &'static str {
        fixed!(self, "greeting")
    }

    pub fn help(&self) -> &'static str {
        fixed!(self, "help")
    }

    /// Sent once per ticket, after the client's first message of it.
    pub fn ticket_opened_ack(&self, ticket_id: i32) -> String {
        self.render("ticket-opened-ack", &[("ticket", id_arg(ticket_id))])
    }

    /// Told to the client when their ticket is closed; the satisfaction
    /// survey follows separately.
    pub fn closed_for_client(&self, ticket_id: i32) -> String {
        self.render("closed-for-client", &[("ticket", id_arg(ticket_id))])
    }

    // --- forum topic titles ---

    /// Stage word in a main-group topic title: `🟢 [Новый] #12 | …`.
    pub fn stage_new(&self) -> &'static str {
        fixed!(self, "stage-new")
    }

    /// Stage word in a main-group topic title: `🟡 [В работе | @ivan] #12 | …`.
    pub fn stage_in_work(&self) -> &'static str {
        fixed!(self, "stage-in-work")
    }

    /// Stage word in a main-group topic title: `🟣 [Закрыт] #12 | …`.
    pub fn stage_closed(&self) -> &'static str {
        fixed!(self, "stage-closed")
    }

    pub fn stage_waiting(&self) -> &'static str {
        fixed!(self, "stage-waiting")
    }

    pub fn stage_held(&self) -> &'static str {
        fixed!(self, "stage-held")
    }

    /// The stage words of the main topics' titles.
    pub fn stage_words(&self) -> StageWords {
        StageWords {
            new: self.stage_new().to_owned(),
            in_work: self.stage_in_work().to_owned(),
            closed: self.stage_closed().to_owned(),
            waiting: self.stage_waiting().to_owned(),
        }
    }

    // --- client card ---

    /// Bold first line of the client card.
    pub fn card_title(&self, ticket_id: i32) -> String {
        self.render("card-title", &[("ticket", id_arg(ticket_id))])
    }

    pub fn card_name(&self) -> &'static str {
        fixed!(self, "card-name")
    }

    pub fn card_username(&self) -> &'static str {
        fixed!(self, "card-username")
    }

    pub fn card_id(&self) -> &'static str {
        fixed!(self, "card-id")
    }

    pub fn card_language(&self) -> &'static str {
        fixed!(self, "card-language")
    }

    pub fn card_earlier(&self, count: usize) -> String {
        self.render("card-earlier", &[("count", count.into())])
    }

    /// Closes a card's list of earlier tickets when only the latest are shown.
    pub fn card_more(&self, count: usize) -> String {
        self.render("card-more", &[("count", count.into())])
    }

    /// Shown for a missing username or language.
    pub fn card_missing(&self) -> &'static str {
        fixed!(self, "card-missing")
    }

    // --- buttons ---

    pub fn close_button(&self) -> &'static str {
        fixed!(self, "close-button")
    }

    // --- notes in the team's topics ---

    /// Main topic, after a technician has been assigned.
    pub fn assigned_note(&self, tech_label: &str) -> String {
        self.render("assigned-note", &[("tech", tech_label.into())])
    }

    /// The previous technician's topic, right before it is closed.
    pub fn reassigned_away_note(&self, new_tech_label: &str) -> String {
        self.render("reassigned-away-note", &[("tech", new_tech_label.into())])
    }

    /// First post of a technician's mirrored topic, before the history.
    pub fn tech_topic_intro(&self, ticket_id: i32) -> String {
        self.render("tech-topic-intro", &[("ticket", id_arg(ticket_id))])
    }

    /// Last post of a ticket's topics; `by` is who closed it (a name, or the client).
    pub fn closed_note(&self, by: &str) -> String {
        self.render("closed-note", &[("by", by.into())])
    }

    /// Answer to a message posted in a closed ticket's topic.
    pub fn ticket_is_closed_note(&self) -> &'static str {
        fixed!(self, "ticket-is-closed-note")
    }

    /// Told to the main topic once when the client has blocked the bot.
    pub fn client_blocked_note(&self) -> &'static str {
        fixed!(self, "client-blocked-note")
    }

    /// Posted after the client card when a deleted topic had to be recreated.
    pub fn topic_recreated_note(&self) -> &'static str {
        fixed!(self, "topic-recreated-note")
    }

    /// Stands in for an edit the Bot API cannot carry over (media swapped);
    /// `new_text` is the message's new text or caption, possibly empty.
    pub fn edit_note(&self, new_text: &str) -> String {
        match new_text.trim() {
            "" => fixed!(self, "edit-note").to_owned(),
            new_text => self.render("edit-note.with-text", &[("text", new_text.into())]),
        }
    }

    /// Shows a technician's call for a colleague in the main topic. The
    /// caller's `text` comes last, unchanged, so its entities move by
    /// `utf16_len(result) - utf16_len(text)`.
    pub fn specialist_call_note(&self, author: &str, text: &str) -> String {
        self.render(
            "specialist-call-note",
            &[("author", author.into()), ("text", text.into())],
        )
    }

    // --- answers to button presses (short: Telegram shows them as a toast) ---

    pub fn assign_done(&self, tech_label: &str) -> String {
        self.render("assign-done", &[("tech", tech_label.into())])
    }

    pub fn already_in_progress(&self) -> &'static str {
        fixed!(self, "already-in-progress")
    }

    pub fn ticket_already_closed(&self) -> &'static str {
        fixed!(self, "ticket-already-closed")
    }

    pub fn stale_button(&self) -> &'static str {
        fixed!(self, "stale-button")
    }

    /// One line in a ticket's main topic about a delivery that failed for
    /// good; `reason` is Telegram's answer.
    pub fn delivery_failed_note(&self, ticket_id: i32, place: FailedPlace, reason: &str) -> String {
        let place = match place {
            FailedPlace::Client => "client",
            FailedPlace::MainTopic => "main",
            FailedPlace::Mirror => "mirror",
        };
        self.render(
            "delivery-failed-note",
            &[
                ("ticket", id_arg(ticket_id)),
                ("place", place.into()),
                ("reason", reason.into()),
            ],
        )
    }

    /// To the client whose message joined their latest ticket instead of
    /// opening another (too many tickets within the hour).
    pub fn added_to_latest_ticket(&self, ticket_id: i32) -> String {
        self.render("added-to-latest-ticket", &[("ticket", id_arg(ticket_id))])
    }

    /// Once to a client a manager banned.
    pub fn banned_notice(&self) -> &'static str {
        fixed!(self, "banned-notice")
    }

    pub fn only_in_main_group(&self) -> &'static str {
        fixed!(self, "only-in-main-group")
    }

    pub fn closed_done(&self) -> &'static str {
        fixed!(self, "closed-done")
    }

    pub fn unknown_ticket(&self) -> &'static str {
        fixed!(self, "unknown-ticket")
    }
}

/// Where a delivery that failed was going.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailedPlace {
    Client,
    MainTopic,
    Mirror,
}

impl CardWords for Texts {
    fn title(&self, ticket_id: i32) -> String {
        self.card_title(ticket_id)
    }
    fn name(&self) -> String {
        self.card_name().to_owned()
    }
    fn username(&self) -> String {
        self.card_username().to_owned()
    }
    fn id(&self) -> String {
        self.card_id().to_owned()
    }
    fn language(&self) -> String {
        self.card_language().to_owned()
    }
    fn earlier(&self, count: usize) -> String {
        self.card_earlier(count)
    }
    fn more(&self, count: usize) -> String {
        self.card_more(count)
    }
    fn missing(&self) -> String {
        self.card_missing().to_owned()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    use crate::texts::samples::{EN, KK, RU};

    /// Every text, with sample arguments, so the checks below cover new
    /// methods as soon as they are listed here.
    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        vec![
            texts.greeting().to_owned(),
            texts.help().to_owned(),
            texts.ticket_opened_ack(12),
            texts.closed_for_client(12),
            texts.stage_new().to_owned(),
            texts.stage_in_work().to_owned(),
            texts.stage_closed().to_owned(),
            texts.stage_waiting().to_owned(),
            texts.stage_held().to_owned(),
            texts.card_title(12),
            texts.card_name().to_owned(),
            texts.card_username().to_owned(),
            texts.card_id().to_owned(),
            texts.card_language().to_owned(),
            texts.card_earlier(3),
            texts.card_more(3),
            texts.card_missing().to_owned(),
            texts.close_button().to_owned(),
            texts.assigned_note("@ivan"),
            texts.reassigned_away_note("@petya"),
            texts.tech_topic_intro(12),
            texts.closed_note("Ivan Petrov"),
            texts.ticket_is_closed_note().to_owned(),
            texts.client_blocked_note().to_owned(),
            texts.topic_recreated_note().to_owned(),
            texts.edit_note("new"),
            texts.edit_note(""),
            texts.specialist_call_note("Ivan", "@petya help"),
            texts.assign_done("@ivan"),
            texts.already_in_progress().to_owned(),
            texts.ticket_already_closed().to_owned(),
            texts.stale_button().to_owned(),
            texts.only_in_main_group().to_owned(),
            texts.closed_done().to_owned(),
            texts.unknown_ticket().to_owned(),
            texts.delivery_failed_note(12, FailedPlace::Client, "Bad Request: chat not found"),
            texts.delivery_failed_note(12, FailedPlace::MainTopic, "x"),
            texts.delivery_failed_note(12, FailedPlace::Mirror, "x"),
            texts.added_to_latest_ticket(12),
            texts.banned_notice().to_owned(),
        ]
    }

    #[test]
    fn every_text_exists_in_every_language_and_is_never_blank() {
        for texts in [RU, KK, EN] {
            for text in all_texts(texts) {
                assert!(!text.trim().is_empty(), "{}", texts.language());
            }
        }
    }

    #[test]
    fn russian_texts_are_russian_and_english_texts_carry_no_cyrillic() {
        let has_cyrillic = |s: &str| s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        assert!(all_texts(EN).iter().all(|text| !has_cyrillic(text)));
        assert!(has_cyrillic(RU.ticket_opened_ack(1).as_str()));
    }

    #[test]
    fn callback_answers_fit_in_a_telegram_toast() {
        // answerCallbackQuery text is limited to 200 characters.
        for texts in [RU, KK, EN] {
            for answer in [
                texts.assign_done("@a_rather_long_username_32_chars"),
                texts.already_in_progress().to_owned(),
                texts.ticket_already_closed().to_owned(),
                texts.stale_button().to_owned(),
                texts.only_in_main_group().to_owned(),
                texts.closed_done().to_owned(),
                texts.unknown_ticket().to_owned(),
                texts.survey_recorded(5),
                texts.survey_stale().to_owned(),
            ] {
                assert!(answer.chars().count() <= 200, "{answer}");
            }
        }
    }

    #[test]
    fn the_acknowledgement_names_the_ticket_number() {
        assert_eq!(
            RU.ticket_opened_ack(12),
            "Обращение #12 принято. Специалист ответит здесь же."
        );
        assert_eq!(
            EN.ticket_opened_ack(12),
            "Request #12 received. A specialist will reply right here."
        );
    }

    #[test]
    fn the_close_button_says_close() {
        assert_eq!(RU.close_button(), "Закрыть");
        assert_eq!(EN.close_button(), "Close");
    }

    #[test]
    fn stage_words_match_the_topic_title_format() {
        assert_eq!(
            [RU.stage_new(), RU.stage_in_work(), RU.stage_closed()],
            ["Новый", "В работе", "Закрыт"]
        );
        assert_eq!(
            [EN.stage_new(), EN.stage_in_work(), EN.stage_closed()],
            ["New", "In progress", "Closed"]
        );
        assert_eq!(
            [KK.stage_new(), KK.stage_in_work(), KK.stage_closed()],
            ["Жаңа", "Жұмыста", "Жабық"]
        );
    }

    #[test]
    fn stage_words_and_card_words_come_from_the_same_texts() {
        for texts in [RU, KK, EN] {
            let words = texts.stage_words();
            assert_eq!(words.new, texts.stage_new());
            assert_eq!(words.in_work, texts.stage_in_work());
            assert_eq!(words.closed, texts.stage_closed());
            assert_eq!(CardWords::title(&texts, 12), texts.card_title(12));
            assert_eq!(CardWords::more(&texts, 4), texts.card_more(4));
        }
    }

    #[test]
    fn notes_carry_their_arguments_verbatim() {
        assert_eq!(RU.assigned_note("@ivan"), "Назначен специалист: @ivan.");
        assert_eq!(EN.assigned_note("Ivan Petrov"), "Assigned to Ivan Petrov.");
        assert_eq!(RU.closed_note("_x_"), "Обращение закрыто (_x_).");
        assert_eq!(EN.closed_note("_x_"), "Ticket closed by _x_.");
        assert!(RU.reassigned_away_note("@petya").contains("@petya"));
        assert!(EN.tech_topic_intro(7).contains("#7"));
        assert_eq!(EN.assign_done("@ivan"), "Assigned to @ivan");
    }

    #[test]
    fn an_edit_note_quotes_the_new_text_or_says_only_that_it_changed() {
        assert_eq!(
            EN.edit_note("  new caption "),
            "✏️ The message above was edited:\nnew caption"
        );
        assert_eq!(EN.edit_note(" "), "✏️ The message above was edited.");
        assert_eq!(
            RU.edit_note("новое"),
            "✏️ Сообщение выше было изменено:\nновое"
        );
    }

    #[test]
    fn a_specialist_call_note_ends_with_the_original_text_unchanged() {
        let note = RU.specialist_call_note("Ivan", "@petya помоги");
        assert_eq!(note, "🙋 Ivan зовёт на помощь:\n@petya помоги");
        assert!(EN.specialist_call_note("Ivan", " x ").ends_with(" x "));
        let kazakh = KK.specialist_call_note("Ivan", "@petya\n *көмектес*");
        assert!(kazakh.ends_with(":\n@petya\n *көмектес*"), "{kazakh}");
    }

    #[test]
    fn kazakh_notes_carry_their_arguments_verbatim() {
        assert_eq!(
            KK.ticket_opened_ack(12),
            "#12 өтінішіңіз қабылданды. Маман осы жерде жауап береді."
        );
        assert_eq!(KK.closed_note("_x_"), "Өтініш жабылды (_x_).");
        assert_eq!(KK.card_title(1234567), "Өтініш #1234567");
        assert_eq!(KK.edit_note(" "), "✏️ Жоғарыдағы хабарлама өзгертілді.");
    }
}
