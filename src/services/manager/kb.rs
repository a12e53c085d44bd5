//! /kb_save, /kb_list, /kb_show, /kb_delete: managers keep the knowledge
//! base from Telegram. /kb_save takes the message the command replies to
//! (its text, entities and media) as the article.

use teloxide::types::MessageEntityKind;

use super::ManagerRequest;
use crate::domain::language::Language;
use crate::domain::rich_text::RichBuilder;
use crate::entities::Actor;
use crate::services::ServiceResult;
use crate::services::knowledge::{
    ArticleDraft, ArticleInvalid, KnowledgeService, Saved, SourceMessage, entities_of,
};
use crate::texts::Texts;

/// `<slug> [title words] [lang=xx]` as written.
struct SaveArgs {
    slug: String,
    title: Option<String>,
    language: Option<Language>,
}

/// Reads `/kb_save`'s arguments; `None` for a missing slug or an unknown
/// `lang=`.
fn parse_save(args: &str) -> Option<SaveArgs> {
    let mut words = args.split_whitespace();
    let slug = words.next()?.to_owned();
    let mut title = Vec::new();
    let mut language = None;
    for word in words {
        match word.strip_prefix("lang=") {
            Some(code) => language = Some(Language::from_code(code)?),
            None => title.push(word),
        }
    }
    Some(SaveArgs {
        slug,
        title: (!title.is_empty()).then(|| title.join(" ")),
        language,
    })
}

/// `<slug> [lang=xx]`.
fn parse_slug_and_language(args: &str) -> Option<(String, Option<Language>)> {
    let mut slug = None;
    let mut language = None;
    for word in args.split_whitespace() {
        match word.strip_prefix("lang=") {
            Some(code) => language = Some(Language::from_code(code)?),
            None if slug.is_none() => slug = Some(word.to_owned()),
            None => return None,
        }
    }
    Some((slug?, language))
}

pub(super) async fn save(
    request: &ManagerRequest,
    args: &str,
    texts: &Texts,
    knowledge: &KnowledgeService,
) -> ServiceResult<RichBuilder> {
    let (Some(args), Some(source)) = (parse_save(args), request.replied.as_ref()) else {
        return Ok(RichBuilder::plain(texts.usage_kb_save()));
    };
    let SourceMessage {
        text,
        entities,
        media,
        unsupported_media,
    } = source.clone();
    if unsupported_media {
        return Ok(RichBuilder::plain(texts.kb_save_media()));
    }
    let draft = ArticleDraft {
        slug: args.slug,
        title: args.title,
        language: args.language,
        text,
        entities,
        media,
        published: true,
        ..ArticleDraft::default()
    };
    let saved = knowledge.save(draft, request.from, Actor::Staff).await?;
    Ok(RichBuilder::plain(&match saved {
        Ok(saved) => {
            let a = saved.article();
            match &saved {
                Saved::Created(_) => texts.kb_saved_created(&a.slug, &a.language, &a.title),
                Saved::Translated(_) => texts.kb_saved_translated(&a.slug, &a.language, &a.title),
                Saved::Replaced(_) => texts.kb_saved_replaced(&a.slug, &a.language, &a.title),
            }
        }
        Err(ArticleInvalid::Slug) => texts.usage_kb_save().to_owned(),
        Err(ArticleInvalid::Empty) => texts.kb_save_empty().to_owned(),
        Err(ArticleInvalid::TooLong) => texts.kb_save_too_long().to_owned(),
        Err(ArticleInvalid::MediaKind) => texts.kb_save_media().to_owned(),
    }))
}

pub(super) async fn list(
    texts: &Texts,
    knowledge: &KnowledgeService,
) -> ServiceResult<RichBuilder> {
    let articles = knowledge.list().await?;
    if articles.is_empty() {
        return Ok(RichBuilder::plain(texts.kb_list_none()));
    }
    let mut reply = RichBuilder::default();
    let slugs: std::collections::BTreeSet<&str> =
        articles.iter().map(|a| a.slug.as_str()).collect();
    reply.push_with(&texts.kb_list_title(slugs.len()), MessageEntityKind::Bold);
    for slug in slugs {
        let translations: Vec<_> = articles.iter().filter(|a| a.slug == slug).collect();
        reply.push("\n");
        reply.push_with(slug, MessageEntityKind::Code);
        for article in translations {
            reply.push(&format!(" · {}: {}", article.language, article.title));
            if !article.published {
                reply.push(&format!(" ({})", texts.kb_unpublished()));
            }
        }
    }
    Ok(reply)
}

pub(super) async fn show(
    args: &str,
    texts: &Texts,
    knowledge: &KnowledgeService,
) -> ServiceResult<RichBuilder> {
    let slug = args.trim();
    if slug.is_empty() || slug.contains(char::is_whitespace) {
        return Ok(RichBuilder::plain(texts.usage_kb_show()));
    }
    let translations = knowledge.by_slug(slug).await?;
    if translations.is_empty() {
        return Ok(RichBuilder::plain(&texts.kb_not_found(slug)));
    }
    let mut reply = RichBuilder::default();
    for (index, article) in translations.iter().enumerate() {
        if index > 0 {
            reply.push("\n\n");
        }
        reply.push_with(
            &format!(
                "{} · {} · {}",
                article.slug, article.language, article.title
            ),
            MessageEntityKind::Bold,
        );
        if !article.published {
            reply.push(&format!(" ({})", texts.kb_unpublished()));
        }
        if let Some(kind) = &article.media_kind {
            reply.push("\n");
            reply.push(&texts.kb_media_line(kind));
        }
        reply.push("\n");
        reply.push_rich(&article.body, &entities_of(article));
    }
    Ok(reply)
}

pub(super) async fn delete(
    request: &ManagerRequest,
    args: &str,
    texts: &Texts,
    knowledge: &KnowledgeService,
) -> ServiceResult<RichBuilder> {
    let Some((slug, language)) = parse_slug_and_language(args) else {
        return Ok(RichBuilder::plain(texts.usage_kb_delete()));
    };
    let deleted = knowledge
        .delete(&slug, language, request.from, Actor::Staff)
        .await?;
    Ok(RichBuilder::plain(&if deleted == 0 {
        texts.kb_not_found(&slug)
    } else {
        texts.kb_deleted(&slug, deleted)
    }))
}

/// The knowledge base's lines under /stats: offers, deflection, and each
/// article's helpful and unhelpful counts (nothing while none was offered).
pub(super) async fn stats(
    reply: &mut RichBuilder,
    days: u32,
    texts: &Texts,
    knowledge: &KnowledgeService,
) -> ServiceResult<()> {
    let until = chrono::Utc::now();
    let from = until - chrono::Duration::days(i64::from(days.max(1)));
    let figures = knowledge.figures(from, until).await?;
    if figures.offered == 0 {
        return Ok(());
    }
    reply.push("\n\n");
    reply.push_with(texts.stats_kb_title(), MessageEntityKind::Bold);
    let rate = texts.percent(figures.deflection_rate.unwrap_or_default());
    reply.push(&format!(
        "\n{}",
        texts.stats_kb_deflection(figures.offered, figures.helped, &rate)
    ));
    for article in &figures.articles {
        reply.push(&format!(
            "\n{}",
            texts.stats_kb_article(&article.slug, article.helpful, article.unhelpful)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn save_takes_a_slug_a_title_and_a_language_in_any_order() {
        let args = parse_save("pay-card Оплата картой lang=ru").unwrap();
        assert_eq!(args.slug, "pay-card");
        assert_eq!(args.title.as_deref(), Some("Оплата картой"));
        assert_eq!(args.language, Some(Language::Ru));
        let args = parse_save("pay lang=kk").unwrap();
        assert_eq!(args.title, None);
        assert_eq!(args.language, Some(Language::Kk));
        assert!(parse_save("").is_none());
        assert!(parse_save("pay lang=de").is_none());
    }

    #[test]
    fn delete_takes_one_slug_and_maybe_a_language() {
        assert_eq!(
            parse_slug_and_language("pay lang=en"),
            Some(("pay".to_owned(), Some(Language::En)))
        );
        assert_eq!(
            parse_slug_and_language("pay"),
            Some(("pay".to_owned(), None))
        );
        assert_eq!(parse_slug_and_language("pay other"), None);
        assert_eq!(parse_slug_and_language(""), None);
    }
}
