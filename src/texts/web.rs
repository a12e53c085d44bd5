//! Texts of the web desk: the Mini App's button and the answers to /app
//! and /api_token in Telegram, the charts' labels, and the words of the
//! Mini App itself, which the page receives as one dictionary in
//! BOT_LANGUAGE (the staff's language).

use std::collections::BTreeMap;

use fluent_templates::fluent_bundle::FluentValue;

use super::Texts;

/// Every word of the Mini App, by id (`ui-…`, or `ui-….attribute`).
const UI: [&str; 129] = [
    "ui-nav.dashboard",
    "ui-nav.kb",
    "ui-kb-new",
    "ui-kb-slug",
    "ui-kb-language",
    "ui-kb-title",
    "ui-kb-body",
    "ui-kb-tags",
    "ui-kb-published",
    "ui-kb-save",
    "ui-kb-delete",
    "ui-no-articles",
    "ui-nav.tickets",
    "ui-nav.technicians",
    "ui-nav.tokens",
    "ui-signing-in",
    "ui-no-telegram",
    "ui-forbidden-title",
    "ui-forbidden-body",
    "ui-error",
    "ui-retry",
    "ui-live",
    "ui-reconnecting",
    "ui-sign-out",
    "ui-role.admin",
    "ui-role.technician",
    "ui-role.token",
    "ui-status.new",
    "ui-status.work",
    "ui-status.closed",
    "ui-open-tickets",
    "ui-oldest-waiting",
    "ui-nothing-waiting",
    "ui-today",
    "ui-opened",
    "ui-closed",
    "ui-first-response",
    "ui-resolution",
    "ui-chart-tickets",
    "ui-chart-survey",
    "ui-load",
    "ui-open-count",
    "ui-rating",
    "ui-no-rating",
    "ui-search",
    "ui-filter-all",
    "ui-filter-open",
    "ui-load-more",
    "ui-no-tickets",
    "ui-unassigned",
    "ui-back",
    "ui-ticket",
    "ui-client",
    "ui-technician",
    "ui-opened-at",
    "ui-reply",
    "ui-send",
    "ui-sent",
    "ui-close",
    "ui-confirm-close",
    "ui-assign",
    "ui-take",
    "ui-timeline",
    "ui-feedback",
    "ui-comment",
    "ui-via-web",
    "ui-event.opened",
    "ui-event.assigned",
    "ui-event.reassigned",
    "ui-event.closed",
    "ui-event.note",
    "ui-event.call",
    "ui-event.edited",
    "ui-event.recreated",
    "ui-event.blocked",
    "ui-event.failed",
    "ui-event.other",
    "ui-reason.ticket-closed",
    "ui-reason.not-your-ticket",
    "ui-reason.assigned",
    "ui-reason.admins-only",
    "ui-reason.read-only",
    "ui-available",
    "ui-unavailable",
    "ui-not-in-mapping",
    "ui-token-name",
    "ui-token-scope.read",
    "ui-token-scope.write",
    "ui-token-create",
    "ui-token-once",
    "ui-token-revoke",
    "ui-token-revoked",
    "ui-token-last-used",
    "ui-token-never-used",
    "ui-no-tokens",
    "ui-unit.s",
    "ui-unit.min",
    "ui-unit.h",
    "ui-unit.d",
    "ui-status.waiting",
    "ui-status.held",
    "ui-event.priority",
    "ui-event.category",
    "ui-event.category-chosen",
    "ui-event.waiting",
    "ui-event.waiting-ended",
    "ui-event.sla-warning",
    "ui-event.sla-breached",
    "ui-reason.not-open-yet",
    "ui-reason.already-waiting",
    "ui-reason.no-categories",
    "ui-priority",
    "ui-category",
    "ui-no-category",
    "ui-wait",
    "ui-sla",
    "ui-sla-at-risk",
    "ui-sla-breached",
    "ui-sla-none",
    "ui-sla-first",
    "ui-sla-resolution",
    "ui-sla-due",
    "ui-sla-left",
    "ui-sla-overdue",
    "ui-sla-met",
    "ui-sla-paused",
    "ui-sla-no-target",
    "ui-filter-category",
    "ui-filter-priority",
];

impl Texts {
    /// The menu button that opens the Mini App.
    pub fn menu_button_app(&self) -> &'static str {
        fixed!(self, "menu-button-app")
    }

    /// The answer to /app, above its button.
    pub fn app_open(&self) -> &'static str {
        fixed!(self, "app-open")
    }

    pub fn app_button(&self) -> &'static str {
        fixed!(self, "app-button")
    }

    /// /app without a public HTTPS address.
    pub fn app_off(&self) -> &'static str {
        fixed!(self, "app-off")
    }

    /// The answer to /api_token: the new token, shown once.
    pub fn api_token_created(&self, name: &str, scope: &str, token: &str) -> String {
        self.render(
            "api-token-created",
            &[
                ("name", name.to_owned().into()),
                ("scope", scope.to_owned().into()),
                ("token", token.to_owned().into()),
            ],
        )
    }

    pub fn usage_api_token(&self) -> &'static str {
        fixed!(self, "usage-api-token")
    }

    pub fn chart_opened(&self) -> &'static str {
        fixed!(self, "chart-opened")
    }

    pub fn chart_closed(&self) -> &'static str {
        fixed!(self, "chart-closed")
    }

    pub fn chart_speed(&self) -> &'static str {
        fixed!(self, "chart-speed")
    }

    pub fn chart_quality(&self) -> &'static str {
        fixed!(self, "chart-quality")
    }

    pub fn chart_politeness(&self) -> &'static str {
        fixed!(self, "chart-politeness")
    }

    /// The Mini App's words. A placeholder like `{ $id }` comes out as
    /// `%id%`, for the page to fill in.
    pub fn web_ui(&self) -> BTreeMap<&'static str, String> {
        let placeholders: Vec<(&'static str, FluentValue)> =
            vec![("id", FluentValue::from("%id%"))];
        UI.iter()
            .map(|id| (*id, self.render(id, &placeholders)))
            .collect()
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::texts) fn all_texts(texts: Texts) -> Vec<String> {
        let mut all = vec![
            texts.menu_button_app().to_owned(),
            texts.app_open().to_owned(),
            texts.app_button().to_owned(),
            texts.app_off().to_owned(),
            texts.api_token_created("crm", "read", "tdk_abc"),
            texts.usage_api_token().to_owned(),
            texts.chart_opened().to_owned(),
            texts.chart_closed().to_owned(),
            texts.chart_speed().to_owned(),
            texts.chart_quality().to_owned(),
            texts.chart_politeness().to_owned(),
        ];
        // The page's placeholders are filled in here as the page would.
        all.extend(
            texts
                .web_ui()
                .into_values()
                .map(|text| text.replace("%id%", "12345")),
        );
        all
    }

    #[test]
    fn the_menu_button_is_short_and_the_ui_has_every_word() {
        for language in crate::domain::language::Language::ALL {
            let texts = Texts::new(language);
            assert!(texts.menu_button_app().chars().count() <= 16);
            let ui = texts.web_ui();
            assert_eq!(ui.len(), UI.len());
            assert!(ui["ui-forbidden-body"].contains("%id%"), "{language}");
        }
    }
}
