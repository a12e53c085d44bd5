//! Texts of the satisfaction survey.

use fluent_templates::fluent_bundle::FluentValue;

use super::Texts;

impl Texts {
    /// Question 1–3 of the survey.
    pub fn survey_question(&self, question: u8) -> &'static str {
        match question {
            1 => fixed!(self, "survey-question.speed"),
            2 => fixed!(self, "survey-question.quality"),
            _ => fixed!(self, "survey-question.politeness"),
        }
    }

    /// The question once answered, shown in place of its buttons.
    pub fn survey_answered(&self, question: u8, score: u8) -> String {
        self.render(
            "survey-answered",
            &[
                ("question", self.survey_question(question).into()),
                ("score", score.into()),
            ],
        )
    }

    pub fn survey_ask_comment(&self) -> &'static str {
        fixed!(self, "survey-ask-comment")
    }

    pub fn survey_skip_button(&self) -> &'static str {
        fixed!(self, "survey-skip-button")
    }

    pub fn survey_thanks(&self) -> &'static str {
        fixed!(self, "survey-thanks")
    }

    /// Answer to a survey button that no longer applies.
    pub fn survey_stale(&self) -> &'static str {
        fixed!(self, "survey-stale")
    }

    pub fn survey_recorded(&self, score: u8) -> String {
        self.render("survey-recorded", &[("score", score.into())])
    }

    /// The summary posted in the ticket's topics: `⭐ 5 · 4 · 5 — "answer faster"`.
    pub fn survey_summary(&self, scores: [u8; 3], comment: Option<&str>) -> String {
        let [speed, quality, politeness] = scores.map(FluentValue::from);
        let mut args = vec![
            ("speed", speed),
            ("quality", quality),
            ("politeness", politeness),
        ];
        match comment {
            Some(comment) => {
                args.push(("comment", comment.into()));
                self.render("survey-summary.with-comment", &args)
            }
            None => self.render("survey-summary", &args),
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::domain::language::Language;

    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        let mut all: Vec<String> = (1..=3)
            .flat_map(|q| {
                [
                    texts.survey_question(q).to_owned(),
                    texts.survey_answered(q, 4),
                ]
            })
            .collect();
        all.extend([
            texts.survey_ask_comment().to_owned(),
            texts.survey_skip_button().to_owned(),
            texts.survey_thanks().to_owned(),
            texts.survey_stale().to_owned(),
            texts.survey_recorded(5),
            texts.survey_summary([5, 4, 5], Some("answer faster")),
            texts.survey_summary([5, 5, 5], None),
        ]);
        all
    }

    #[test]
    fn the_summary_shows_the_three_scores_and_the_comment() {
        let texts = Texts::new(Language::Ru);
        assert_eq!(
            texts.survey_summary([5, 4, 5], Some("answer faster")),
            "⭐ 5 · 4 · 5 — \"answer faster\""
        );
        assert_eq!(texts.survey_summary([5, 5, 5], None), "⭐ 5 · 5 · 5");
        let kazakh = Texts::new(Language::Kk).survey_summary([1, 2, 3], Some("  {x}  "));
        assert_eq!(kazakh, "⭐ 1 · 2 · 3 — \"  {x}  \"");
    }

    #[test]
    fn an_answered_question_ends_with_its_score() {
        for language in Language::ALL {
            let texts = Texts::new(language);
            let answered = texts.survey_answered(2, 4);
            assert_eq!(answered, format!("{} 4", texts.survey_question(2)));
        }
    }

    #[test]
    fn every_question_has_a_text_in_every_language() {
        for language in Language::ALL {
            let texts = Texts::new(language);
            let questions: Vec<_> = (1..=3).map(|q| texts.survey_question(q)).collect();
            assert!(questions.iter().all(|q| !q.is_empty()));
            assert_ne!(questions[0], questions[1]);
            assert_ne!(questions[1], questions[2]);
        }
    }
}
