//! Every text the bot writes, in Russian (the default) and English. Short and
//! polite; user-written text is never mixed in with a parse mode.

use crate::config::Language;

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

    fn pick(&self, ru: &'static str, en: &'static str) -> &'static str {
        match self.language {
            Language::Ru => ru,
            Language::En => en,
        }
    }

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
}
