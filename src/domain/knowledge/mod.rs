//! Knowledge-base search: one engine for both databases.
//!
//! Each instance builds a small in-memory index from the article rows it
//! reads ([`SearchIndex::build`]) and builds it again when articles change;
//! the database stays the source of truth, and since the build is
//! deterministic all instances answer alike. No database-specific search is
//! needed, and the index stays a few megabytes for thousands of articles.
//!
//! Pieces, one job each:
//! - `detect`: which language a message is in;
//! - `words`: text to lower-case words, folding Kazakh letters;
//! - `stopwords`: words that name no topic, per language;
//! - `kazakh`: a light suffix-stripping stemmer for Kazakh;
//! - `analyze`: words to index terms (Snowball stems for Russian and English);
//! - `fuzzy`: typo distance and Latin spellings of Cyrillic names;
//! - `index`: the inverted index and its build;
//! - `query`: a query's words as exact, prefix, typo and Latin-spelling
//!   matches against one language's terms;
//! - `search`: scoring, grouping by slug, confidence and suggestions.

mod analyze;
mod detect;
mod fuzzy;
mod index;
mod kazakh;
mod query;
mod search;
mod stopwords;
mod words;

pub use detect::detect_language;
pub use index::{IndexedArticle, SearchIndex};
pub use search::{Hit, SUGGEST_THRESHOLD};
