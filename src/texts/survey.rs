//! Texts of the satisfaction survey.

use super::Texts;
use crate::domain::language::Language;

impl Texts {
    /// Question 1–3 of the survey.
    pub fn survey_question(&self, question: u8) -> &'static str {
        match (self.language(), question) {
            (Language::Ru | Language::Kk, 1) => {
                "Оцените, пожалуйста, скорость ответа (1 — плохо, 5 — отлично):"
            }
            (Language::Ru | Language::Kk, 2) => "Насколько хорошо решён ваш вопрос?",
            (Language::Ru | Language::Kk, _) => "Насколько вежливо с вами общались?",
            (Language::En, 1) => "Please rate how quickly we answered (1 — poor, 5 — excellent):",
            (Language::En, 2) => "How well was your question solved?",
            (Language::En, _) => "How polite were we?",
        }
    }

    /// The question once answered, shown in place of its buttons.
    pub fn survey_answered(&self, question: u8, score: u8) -> String {
        format!("{} {score}", self.survey_question(question))
    }

    pub fn survey_ask_comment(&self) -> &'static str {
        self.pick(
            "Спасибо! Что нам стоит улучшить? Напишите одним сообщением или нажмите «Пропустить».",
            "Thank you! What should we improve? Write it in one message, or press “Skip”.",
        )
    }

    pub fn survey_skip_button(&self) -> &'static str {
        self.pick("Пропустить", "Skip")
    }

    pub fn survey_thanks(&self) -> &'static str {
        self.pick(
            "Спасибо за отзыв! Он помогает нам работать лучше.",
            "Thank you for your feedback! It helps us do better.",
        )
    }

    /// Answer to a survey button that no longer applies.
    pub fn survey_stale(&self) -> &'static str {
        self.pick(
            "Этот опрос уже завершён или устарел.",
            "This survey is finished or no longer open.",
        )
    }

    pub fn survey_recorded(&self, score: u8) -> String {
        match self.language() {
            Language::Ru | Language::Kk => format!("Оценка {score} учтена"),
            Language::En => format!("Score {score} recorded"),
        }
    }

    /// The summary posted in the ticket's topics: `⭐ 5 · 4 · 5 — "answer faster"`.
    pub fn survey_summary(&self, scores: [u8; 3], comment: Option<&str>) -> String {
        let stars = format!("⭐ {} · {} · {}", scores[0], scores[1], scores[2]);
        match comment {
            Some(comment) => format!("{stars} — \"{comment}\""),
            None => stars,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_shows_the_three_scores_and_the_comment() {
        let texts = Texts::new(Language::Ru);
        assert_eq!(
            texts.survey_summary([5, 4, 5], Some("answer faster")),
            "⭐ 5 · 4 · 5 — \"answer faster\""
        );
        assert_eq!(texts.survey_summary([5, 5, 5], None), "⭐ 5 · 5 · 5");
    }

    #[test]
    fn every_question_has_a_text_in_both_languages() {
        for language in [Language::Ru, Language::En] {
            let texts = Texts::new(language);
            let questions: Vec<_> = (1..=3).map(|q| texts.survey_question(q)).collect();
            assert!(questions.iter().all(|q| !q.is_empty()));
            assert_ne!(questions[0], questions[1]);
            assert_ne!(questions[1], questions[2]);
        }
    }
}
