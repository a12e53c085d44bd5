//! Every text the bot writes, in Russian (the default) and English. Short and
//! polite; user-written text is never mixed in with a parse mode, so nothing
//! here needs escaping and names like `_x_` arrive exactly as typed.
//!
//! Keeping all wording in one place lets a support team retune the tone
//! without touching the services, and keeps both languages in step: every
//! method has both versions side by side.

use crate::domain::card::CardWords;
use crate::domain::language::Language;
use crate::domain::topic_title::StageWords;

mod admin;
mod menus;
mod survey;

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

    pub(super) fn pick(&self, ru: &'static str, en: &'static str) -> &'static str {
        match self.language {
            Language::Ru | Language::Kk => ru,
            Language::En => en,
        }
    }

    fn is_ru(&self) -> bool {
        matches!(self.language, Language::Ru | Language::Kk)
    }

    // --- client's private chat ---

    pub fn greeting(&self) -> &'static str {
        self.pick(
            "Здравствуйте! Это служба поддержки. Опишите, пожалуйста, ваш вопрос одним или несколькими сообщениями — можно приложить фото, видео или файлы. Мы ответим здесь же.",
            "Hello! This is the support team. Please describe your question in one or more messages — photos, videos and files are welcome. We will answer right here.",
        )
    }

    pub fn help(&self) -> &'static str {
        self.pick(
            "Просто напишите сюда ваш вопрос — он попадёт к специалисту поддержки, и ответ придёт в этот чат.",
            "Just write your question here — it reaches a support specialist, and the answer arrives in this chat.",
        )
    }

    /// Sent once per ticket, after the client's first message of it.
    pub fn ticket_opened_ack(&self, ticket_id: i32) -> String {
        if self.is_ru() {
            format!("Обращение #{ticket_id} принято. Специалист ответит здесь же.")
        } else {
            format!("Request #{ticket_id} received. A specialist will reply right here.")
        }
    }

    /// Told to the client when their ticket is closed; the satisfaction
    /// survey follows separately once it exists.
    pub fn closed_for_client(&self, ticket_id: i32) -> String {
        if self.is_ru() {
            format!(
                "Обращение #{ticket_id} закрыто. Спасибо, что обратились к нам! Если появятся новые вопросы — просто напишите сюда."
            )
        } else {
            format!(
                "Request #{ticket_id} is closed. Thank you for contacting us! If anything else comes up, just write here."
            )
        }
    }

    // --- forum topic titles ---

    /// Stage word in a main-group topic title: `🟢 [Новый] #12 | …`.
    pub fn stage_new(&self) -> &'static str {
        self.pick("Новый", "New")
    }

    /// Stage word in a main-group topic title: `🟡 [В работе | @ivan] #12 | …`.
    pub fn stage_in_work(&self) -> &'static str {
        self.pick("В работе", "In progress")
    }

    /// Stage word in a main-group topic title: `🟣 [Закрыт] #12 | …`.
    pub fn stage_closed(&self) -> &'static str {
        self.pick("Закрыт", "Closed")
    }

    /// The stage words of the main topics' titles.
    pub fn stage_words(&self) -> StageWords {
        StageWords {
            new: self.stage_new().to_owned(),
            in_work: self.stage_in_work().to_owned(),
            closed: self.stage_closed().to_owned(),
        }
    }

    // --- client card ---

    /// Bold first line of the client card.
    pub fn card_title(&self, ticket_id: i32) -> String {
        if self.is_ru() {
            format!("Обращение #{ticket_id}")
        } else {
            format!("Ticket #{ticket_id}")
        }
    }

    pub fn card_name(&self) -> &'static str {
        self.pick("Имя", "Name")
    }

    pub fn card_username(&self) -> &'static str {
        "Username"
    }

    pub fn card_id(&self) -> &'static str {
        "ID"
    }

    pub fn card_language(&self) -> &'static str {
        self.pick("Язык", "Language")
    }

    pub fn card_earlier(&self, count: usize) -> String {
        if self.is_ru() {
            format!("Ранее обращений: {count}")
        } else {
            format!("Earlier tickets: {count}")
        }
    }

    /// Closes a card's list of earlier tickets when only the latest are shown.
    pub fn card_more(&self, count: usize) -> String {
        if self.is_ru() {
            format!("…и ещё {count}")
        } else {
            format!("…and {count} more")
        }
    }

    /// Shown for a missing username or language.
    pub fn card_missing(&self) -> &'static str {
        "—"
    }

    // --- buttons ---

    pub fn close_button(&self) -> &'static str {
        self.pick("Закрыть", "Close")
    }

    // --- notes in the team's topics ---

    /// Main topic, after a technician has been assigned.
    pub fn assigned_note(&self, tech_label: &str) -> String {
        if self.is_ru() {
            format!("Назначен специалист: {tech_label}.")
        } else {
            format!("Assigned to {tech_label}.")
        }
    }

    /// The previous technician's topic, right before it is closed.
    pub fn reassigned_away_note(&self, new_tech_label: &str) -> String {
        if self.is_ru() {
            format!(
                "Обращение передано другому специалисту: {new_tech_label}. Этот топик закрыт, сообщения отсюда больше не передаются."
            )
        } else {
            format!(
                "This ticket was handed over to {new_tech_label}. This topic is closed; messages here are no longer passed on."
            )
        }
    }

    /// First post of a technician's mirrored topic, before the history.
    pub fn tech_topic_intro(&self, ticket_id: i32) -> String {
        if self.is_ru() {
            format!(
                "Вам назначено обращение #{ticket_id}. Ответы из этого топика получит клиент от имени поддержки. Сообщение, начинающееся с //, останется внутренней заметкой."
            )
        } else {
            format!(
                "Ticket #{ticket_id} is assigned to you. Replies in this topic reach the client from the support team. Start a message with // to keep it as an internal note."
            )
        }
    }

    /// Last post of a ticket's topics; `by` is who closed it (a name, or the client).
    pub fn closed_note(&self, by: &str) -> String {
        if self.is_ru() {
            format!("Обращение закрыто ({by}).")
        } else {
            format!("Ticket closed by {by}.")
        }
    }

    /// Answer to a message posted in a closed ticket's topic.
    pub fn ticket_is_closed_note(&self) -> &'static str {
        self.pick(
            "Это обращение закрыто — сообщение клиенту не отправлено.",
            "This ticket is closed — the message was not sent to the client.",
        )
    }

    /// Told to the main topic once when the client has blocked the bot.
    pub fn client_blocked_note(&self) -> &'static str {
        self.pick(
            "Клиент заблокировал бота — сообщения до него не доходят.",
            "The client has blocked the bot — messages cannot reach them.",
        )
    }

    /// Posted after the client card when a deleted topic had to be recreated.
    pub fn topic_recreated_note(&self) -> &'static str {
        self.pick(
            "Топик был удалён и создан заново. Обращение продолжается здесь.",
            "The topic was deleted and has been recreated. The ticket continues here.",
        )
    }

    /// Stands in for an edit the Bot API cannot carry over (media swapped);
    /// `new_text` is the message's new text or caption, possibly empty.
    pub fn edit_note(&self, new_text: &str) -> String {
        let new_text = new_text.trim();
        match (self.is_ru(), new_text.is_empty()) {
            (true, true) => "✏️ Сообщение выше было изменено.".to_owned(),
            (true, false) => format!("✏️ Сообщение выше было изменено:\n{new_text}"),
            (false, true) => "✏️ The message above was edited.".to_owned(),
            (false, false) => format!("✏️ The message above was edited:\n{new_text}"),
        }
    }

    /// Shows a technician's call for a colleague in the main topic. The
    /// caller's `text` comes last, unchanged, so its entities move by
    /// `utf16_len(result) - utf16_len(text)`.
    pub fn specialist_call_note(&self, author: &str, text: &str) -> String {
        if self.is_ru() {
            format!("🙋 {author} зовёт на помощь:\n{text}")
        } else {
            format!("🙋 {author} asks for help:\n{text}")
        }
    }

    // --- answers to button presses (short: Telegram shows them as a toast) ---

    pub fn assign_done(&self, tech_label: &str) -> String {
        if self.is_ru() {
            format!("Назначено: {tech_label}")
        } else {
            format!("Assigned to {tech_label}")
        }
    }

    pub fn already_in_progress(&self) -> &'static str {
        self.pick(
            "Уже выполняется, подождите секунду.",
            "Already in progress, one moment.",
        )
    }

    pub fn ticket_already_closed(&self) -> &'static str {
        self.pick("Обращение уже закрыто.", "This ticket is already closed.")
    }

    pub fn stale_button(&self) -> &'static str {
        self.pick("Эта кнопка устарела.", "This button is out of date.")
    }

    pub fn only_in_main_group(&self) -> &'static str {
        self.pick(
            "Эта кнопка работает только в группе поддержки.",
            "This button works only in the support group.",
        )
    }

    pub fn closed_done(&self) -> &'static str {
        self.pick("Обращение закрыто.", "Ticket closed.")
    }

    pub fn unknown_ticket(&self) -> &'static str {
        self.pick("Обращение не найдено.", "Ticket not found.")
    }
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
mod tests {
    use super::*;

    const RU: Texts = Texts {
        language: Language::Ru,
    };
    const EN: Texts = Texts {
        language: Language::En,
    };

    /// Every text, with sample arguments, so the checks below cover new
    /// methods as soon as they are listed here.
    fn all_texts(texts: Texts) -> Vec<String> {
        vec![
            texts.greeting().to_owned(),
            texts.help().to_owned(),
            texts.ticket_opened_ack(12),
            texts.closed_for_client(12),
            texts.stage_new().to_owned(),
            texts.stage_in_work().to_owned(),
            texts.stage_closed().to_owned(),
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
        ]
    }

    #[test]
    fn every_text_exists_in_both_languages_and_is_never_blank() {
        let ru = all_texts(RU);
        let en = all_texts(EN);
        assert_eq!(ru.len(), en.len());
        for text in ru.iter().chain(&en) {
            assert!(!text.trim().is_empty());
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
        for texts in [RU, EN] {
            for answer in [
                texts.assign_done("@a_rather_long_username_32_chars"),
                texts.already_in_progress().to_owned(),
                texts.ticket_already_closed().to_owned(),
                texts.stale_button().to_owned(),
                texts.only_in_main_group().to_owned(),
                texts.closed_done().to_owned(),
                texts.unknown_ticket().to_owned(),
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
    }
}
