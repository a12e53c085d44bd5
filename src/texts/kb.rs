//! Texts of the knowledge base: what a client reads when articles are
//! offered (in their language), what staff read in a ticket's topic and
//! managers in answer to their commands (in BOT_LANGUAGE).

use super::{Texts, id_arg};

impl Texts {
    // --- the client ---

    pub fn kb_question_suggest(&self) -> &'static str {
        fixed!(self, "kb-question-suggest")
    }

    pub fn kb_question_hold(&self) -> &'static str {
        fixed!(self, "kb-question-hold")
    }

    pub fn kb_helped_button(&self) -> &'static str {
        fixed!(self, "kb-helped-button")
    }

    pub fn kb_need_person_button(&self) -> &'static str {
        fixed!(self, "kb-need-person-button")
    }

    pub fn kb_helped_thanks(&self, ticket_id: i32) -> String {
        self.render("kb-helped-thanks", &[("ticket", id_arg(ticket_id))])
    }

    pub fn kb_need_person_thanks(&self) -> &'static str {
        fixed!(self, "kb-need-person-thanks")
    }

    pub fn kb_answered(&self) -> &'static str {
        fixed!(self, "kb-answered")
    }

    // --- staff in a ticket's topic ---

    pub fn usage_kb(&self) -> &'static str {
        fixed!(self, "usage-kb")
    }

    pub fn kb_no_match(&self, query: &str) -> String {
        self.render("kb-no-match", &[("query", query.to_owned().into())])
    }

    pub fn kb_choose(&self, query: &str) -> String {
        self.render("kb-choose", &[("query", query.to_owned().into())])
    }

    pub fn kb_sent(&self) -> &'static str {
        fixed!(self, "kb-sent")
    }

    /// Where a technician's name stands in a closed ticket's title:
    /// `🟣 [Закрыт | база знаний] #12 | …`.
    pub fn stage_kb(&self) -> &'static str {
        fixed!(self, "stage-kb")
    }

    pub fn kb_closed_note(&self) -> &'static str {
        fixed!(self, "kb-closed-note")
    }

    pub fn kb_card_offered(&self, titles: &str) -> String {
        self.render("kb-card-offered", &[("titles", titles.to_owned().into())])
    }

    // --- managers ---

    pub fn usage_kb_save(&self) -> &'static str {
        fixed!(self, "usage-kb-save")
    }

    pub fn kb_save_empty(&self) -> &'static str {
        fixed!(self, "kb-save-empty")
    }

    pub fn kb_save_too_long(&self) -> &'static str {
        fixed!(self, "kb-save-too-long")
    }

    pub fn kb_save_media(&self) -> &'static str {
        fixed!(self, "kb-save-media")
    }

    pub fn kb_saved_created(&self, slug: &str, language: &str, title: &str) -> String {
        self.render("kb-saved-created", &saved_args(slug, language, title))
    }

    pub fn kb_saved_translated(&self, slug: &str, language: &str, title: &str) -> String {
        self.render("kb-saved-translated", &saved_args(slug, language, title))
    }

    pub fn kb_saved_replaced(&self, slug: &str, language: &str, title: &str) -> String {
        self.render("kb-saved-replaced", &saved_args(slug, language, title))
    }

    pub fn kb_list_title(&self, count: usize) -> String {
        self.render("kb-list-title", &[("count", count.into())])
    }

    pub fn kb_list_none(&self) -> &'static str {
        fixed!(self, "kb-list-none")
    }

    pub fn kb_unpublished(&self) -> &'static str {
        fixed!(self, "kb-unpublished")
    }

    pub fn kb_not_found(&self, slug: &str) -> String {
        self.render("kb-not-found", &[("slug", slug.to_owned().into())])
    }

    pub fn usage_kb_show(&self) -> &'static str {
        fixed!(self, "usage-kb-show")
    }

    pub fn usage_kb_delete(&self) -> &'static str {
        fixed!(self, "usage-kb-delete")
    }

    pub fn kb_deleted(&self, slug: &str, count: u64) -> String {
        self.render(
            "kb-deleted",
            &[("slug", slug.to_owned().into()), ("count", count.into())],
        )
    }

    pub fn kb_media_line(&self, kind: &str) -> String {
        self.render("kb-media-line", &[("kind", kind.to_owned().into())])
    }

    // --- statistics ---

    pub fn stats_kb_title(&self) -> &'static str {
        fixed!(self, "stats-kb-title")
    }

    pub fn stats_kb_deflection(&self, offered: u64, helped: u64, rate: &str) -> String {
        self.render(
            "stats-kb-deflection",
            &[
                ("offered", offered.into()),
                ("helped", helped.into()),
                ("rate", rate.to_owned().into()),
            ],
        )
    }

    pub fn stats_kb_article(&self, slug: &str, helpful: u64, unhelpful: u64) -> String {
        self.render(
            "stats-kb-article",
            &[
                ("slug", slug.to_owned().into()),
                ("helpful", helpful.into()),
                ("unhelpful", unhelpful.into()),
            ],
        )
    }
}

fn saved_args<'a>(slug: &str, language: &str, title: &str) -> [super::Arg<'a>; 3] {
    [
        ("slug", slug.to_owned().into()),
        ("language", language.to_owned().into()),
        ("title", title.to_owned().into()),
    ]
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        vec![
            texts.kb_question_suggest().to_owned(),
            texts.kb_question_hold().to_owned(),
            texts.kb_helped_button().to_owned(),
            texts.kb_need_person_button().to_owned(),
            texts.kb_helped_thanks(12),
            texts.kb_need_person_thanks().to_owned(),
            texts.kb_answered().to_owned(),
            texts.usage_kb().to_owned(),
            texts.kb_no_match("payment"),
            texts.kb_choose("payment"),
            texts.kb_sent().to_owned(),
            texts.stage_kb().to_owned(),
            texts.kb_closed_note().to_owned(),
            texts.kb_card_offered("Paying by card"),
            texts.usage_kb_save().to_owned(),
            texts.kb_save_empty().to_owned(),
            texts.kb_save_too_long().to_owned(),
            texts.kb_save_media().to_owned(),
            texts.kb_saved_created("pay", "ru", "Paying"),
            texts.kb_saved_translated("pay", "kk", "Paying"),
            texts.kb_saved_replaced("pay", "ru", "Paying"),
            texts.kb_list_title(3),
            texts.kb_list_none().to_owned(),
            texts.kb_unpublished().to_owned(),
            texts.kb_not_found("pay"),
            texts.usage_kb_show().to_owned(),
            texts.usage_kb_delete().to_owned(),
            texts.kb_deleted("pay", 2),
            texts.kb_media_line("photo"),
            texts.stats_kb_title().to_owned(),
            texts.stats_kb_deflection(10, 4, "40%"),
            texts.stats_kb_article("pay", 3, 1),
        ]
    }
}
