//! Words that say nothing about which article a client needs: pronouns,
//! particles, question words, greetings and the "I want / can you / please"
//! of help requests. They are left out of the index and out of queries, so a
//! message made only of them ("привет", "у меня вопрос") finds nothing.
//!
//! The lists are short and written for client messages, not for literature.
//! Cyrillic words are checked against Russian and Kazakh together: clients
//! mix the two in one message and a Kazakh message typed without Kazakh
//! letters looks Russian, while the two lists share no word that means
//! something in the other language.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::words::{Script, fold};

#[rustfmt::skip]
const RUSSIAN: &[&str] = &[
    "а", "без", "бы", "был", "была", "были", "было", "быть", "в", "вам", "вас", "вот", "во",
    "все", "всё", "всем", "вы", "где", "да", "даже", "для", "до", "его", "ее", "её", "если",
    "есть", "еще", "ещё", "же", "за", "и", "из", "или", "им", "их", "к", "как", "какая",
    "какие", "какой", "когда", "ко", "кто", "ли", "либо", "мне", "меня", "мной", "мой",
    "моя", "мое", "моё", "мои", "мы", "на", "над", "нам", "нас", "не", "нет", "ни", "но",
    "ну", "о", "об", "он", "она", "они", "оно", "от", "по", "под", "при", "про", "с", "со",
    "так", "также", "там", "то", "тоже", "только", "ты", "тут", "у", "уже", "чем", "что",
    "чтобы", "чего", "это", "этот", "эта", "эти", "я", "ваш", "ваша", "ваше", "вашей",
    "вашего", "свой", "свою", "своего", "сколько", "почему", "зачем", "куда", "откуда",
    "можно", "нельзя", "нужно", "надо", "хочу", "хотел", "хотела", "хотим", "могу", "может",
    "можете", "мочь", "делать", "сделать", "подскажите", "скажите", "помогите",
    "пожалуйста", "пж", "плиз", "привет", "здравствуйте", "здрасте", "добрый", "доброе",
    "спасибо", "ок", "окей", "ладно", "вопрос", "помощь", "очень", "просто", "сейчас",
    "теперь", "потом", "всё", "весь", "вообще", "тогда", "типа",
];

#[rustfmt::skip]
const KAZAKH: &[&str] = &[
    "және", "мен", "сен", "сіз", "сіздер", "ол", "біз", "олар", "бұл", "осы", "сол", "мына",
    "ана", "да", "де", "та", "те", "ма", "ме", "ба", "бе", "па", "пе", "ғой", "қой", "ғана",
    "тек", "не", "неге", "неліктен", "қалай", "қашан", "қайда", "кім", "қандай", "қанша",
    "бар", "үшін", "туралы", "бойынша", "арқылы", "дейін", "кейін", "бірақ", "немесе",
    "егер", "өте", "енді", "керек", "бола", "болады", "болама", "болса", "еді", "екен",
    "деп", "маған", "менің", "сізге", "сіздің", "сізде", "мені", "оның", "сәлем",
    "сәлеметсіз", "сәлеметсізбе", "рахмет", "рақмет", "өтінемін", "сұрақ", "сұрағым",
    "көмек", "көмектесіңіз", "ия", "иә", "жоқ", "әлі", "қазір",
    // auxiliary verbs: «ұмытып қалдым», «келмей жатыр», «істемей тұр» — the
    // meaning is in the verb before them
    "қалады", "қалды", "болды", "жатыр", "тұр", "отыр", "етеді",
];

#[rustfmt::skip]
const ENGLISH: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by",
    "can", "cant", "could", "did", "do", "does", "doesnt", "dont", "for", "from", "get",
    "got", "had", "has", "have", "hello", "help", "hey", "hi", "how", "i", "im", "ive",
    "if", "in", "is", "isnt", "it", "its", "just", "me", "my", "need", "no", "not", "of",
    "ok", "okay", "on", "or", "our", "please", "pls", "plz", "question", "so", "still",
    "thank", "thanks", "that", "the", "there", "this", "to", "u", "up", "ur", "want", "was",
    "we", "were", "what", "whats", "when", "where", "wheres", "which", "who", "why", "will",
    "with", "would", "you", "your", "yes",
];

static CYRILLIC: LazyLock<HashSet<String>> =
    LazyLock::new(|| RUSSIAN.iter().chain(KAZAKH).map(|w| fold(w)).collect());

static LATIN: LazyLock<HashSet<&'static str>> = LazyLock::new(|| ENGLISH.iter().copied().collect());

/// `word` is lower case; Cyrillic words are compared folded, so "кайда"
/// typed without Kazakh letters is as empty as «қайда».
pub(super) fn is_stop_word(word: &str, script: Script) -> bool {
    match script {
        Script::Cyrillic => CYRILLIC.contains(&fold(word)),
        Script::Latin => LATIN.contains(word),
    }
}

/// Every stop word of a script, for the analyser to stem: a word whose stem
/// is a stop word's stem ("скольки", «қалайсыз») is as empty as the word.
pub(super) fn stop_words(script: Script) -> impl Iterator<Item = &'static str> {
    let lists: &[&[&'static str]] = match script {
        Script::Cyrillic => &[RUSSIAN, KAZAKH],
        Script::Latin => &[ENGLISH],
    };
    lists.iter().flat_map(|list| list.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_and_question_words_are_stop_words_in_every_language() {
        assert!(is_stop_word("привет", Script::Cyrillic));
        assert!(is_stop_word("қалай", Script::Cyrillic));
        assert!(is_stop_word("калай", Script::Cyrillic));
        assert!(is_stop_word("how", Script::Latin));
    }

    #[test]
    fn words_that_name_a_topic_are_kept() {
        assert!(!is_stop_word("оплата", Script::Cyrillic));
        assert!(!is_stop_word("төлем", Script::Cyrillic));
        assert!(!is_stop_word("refund", Script::Latin));
    }
}
