//! The texts in each language, for the tests.

use super::Texts;
use crate::domain::language::Language;

pub const RU: Texts = Texts {
    language: Language::Ru,
};
pub const KK: Texts = Texts {
    language: Language::Kk,
};
pub const EN: Texts = Texts {
    language: Language::En,
};
