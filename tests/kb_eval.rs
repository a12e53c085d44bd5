//! Measured quality of the knowledge-base search on a fixed evaluation set
//! (tests/kb_eval/README.md). Run with `-- --nocapture` to see the report.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use topicdesk::domain::knowledge::{IndexedArticle, SUGGEST_THRESHOLD, SearchIndex};
use topicdesk::domain::language::Language;

const TOP3_TARGET: f64 = 0.90;
const FALSE_SUGGESTION_LIMIT: f64 = 0.05;
/// The self-service flow offers at most three articles.
const SUGGESTIONS: usize = 3;

/// Counts live heap bytes and their peak, so the report can say what the
/// index really holds and what a rebuild needs on top, not just estimate it.
struct CountingAllocator;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to the system allocator unchanged; the
// counters only observe sizes.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[derive(Deserialize)]
struct Article {
    slug: String,
    language: String,
    title: String,
    body: String,
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Question {
    text: String,
    language: String,
    expected: Option<String>,
}

fn load<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
    let path = format!("{}/tests/kb_eval/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn language(code: &str) -> Language {
    Language::from_code(code).unwrap_or_else(|| panic!("unknown language {code}"))
}

fn articles() -> Vec<IndexedArticle> {
    load::<Article>("articles.json")
        .into_iter()
        .enumerate()
        .map(|(i, a)| IndexedArticle {
            id: i as i32 + 1,
            slug: a.slug,
            language: language(&a.language),
            title: a.title,
            body: a.body,
            tags: a.tags,
        })
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Tally {
    answerable: usize,
    top1: usize,
    top3: usize,
    suggested: usize,
    suggested_right: usize,
    unrelated: usize,
    falsely_suggested: usize,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.answerable += other.answerable;
        self.top1 += other.top1;
        self.top3 += other.top3;
        self.suggested += other.suggested;
        self.suggested_right += other.suggested_right;
        self.unrelated += other.unrelated;
        self.falsely_suggested += other.falsely_suggested;
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn percent(part: usize, whole: usize) -> String {
    format!("{:.1} % ({part}/{whole})", 100.0 * share(part, whole))
}

struct Report {
    table: String,
    /// Best confidence per answerable question (with whether its slug was
    /// right) and per unrelated message, for the threshold sweep.
    answerable_confidence: Vec<(f32, bool)>,
    unrelated_confidence: Vec<f32>,
    misses: Vec<String>,
    total: Tally,
    query_time: Duration,
    queries: usize,
}

/// Runs every question of `file` against `index` the way the bot would:
/// preferring the client's language, top three for the ranking, `suggest`
/// for self-service.
fn evaluate(index: &SearchIndex, file: &str) -> Report {
    let questions: Vec<Question> = load(file);
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut answerable_confidence = Vec::new();
    let mut unrelated_confidence = Vec::new();
    let started = Instant::now();
    for question in &questions {
        let prefer = Some(language(&question.language));
        let hits = index.search(&question.text, prefer, 3);
        let suggested = index.suggest(&question.text, prefer, SUGGESTIONS);
        let tally = tallies.entry(question.language.as_str()).or_default();
        let found: Vec<String> = hits
            .iter()
            .map(|h| format!("{} {:.2}", h.slug, h.confidence))
            .collect();
        let best = hits.first();
        match &question.expected {
            Some(expected) => {
                answerable_confidence
                    .push(best.map_or((0.0, false), |hit| (hit.confidence, &hit.slug == expected)));
                tally.answerable += 1;
                let rank = hits.iter().position(|hit| &hit.slug == expected);
                tally.top1 += usize::from(rank == Some(0));
                tally.top3 += usize::from(rank.is_some());
                tally.suggested += usize::from(!suggested.is_empty());
                tally.suggested_right +=
                    usize::from(suggested.iter().any(|hit| &hit.slug == expected));
                if rank != Some(0) {
                    misses.push(format!(
                        "{} «{}» expected {expected}, got {found:?}",
                        question.language, question.text
                    ));
                }
            }
            None => {
                unrelated_confidence
                    .push(hits.iter().map(|hit| hit.confidence).fold(0.0, f32::max));
                tally.unrelated += 1;
                if !suggested.is_empty() {
                    tally.falsely_suggested += 1;
                    misses.push(format!(
                        "{} «{}» unrelated, suggested {found:?}",
                        question.language, question.text
                    ));
                }
            }
        }
    }
    let query_time = started.elapsed();

    let mut table = String::from(
        "| language | questions | top-1 | top-3 | suggested | suggested right | unrelated | false suggestions |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    let mut total = Tally::default();
    let mut rows: Vec<(String, Tally)> = tallies
        .iter()
        .map(|(language, tally)| (language.to_string(), *tally))
        .collect();
    for (_, tally) in &rows {
        total.add(*tally);
    }
    rows.push(("**all**".to_string(), total));
    for (language, t) in rows {
        table.push_str(&format!(
            "| {language} | {} | {} | {} | {} | {} | {} | {} |\n",
            t.answerable,
            percent(t.top1, t.answerable),
            percent(t.top3, t.answerable),
            percent(t.suggested, t.answerable),
            percent(t.suggested_right, t.answerable),
            t.unrelated,
            percent(t.falsely_suggested, t.unrelated),
        ));
    }
    Report {
        table,
        answerable_confidence,
        unrelated_confidence,
        misses,
        total,
        query_time,
        queries: questions.len(),
    }
}

/// What other thresholds would have done: the share of answerable questions
/// whose first hit would be offered (and be right), and of unrelated
/// messages that would get a suggestion. Only the first hit is counted, so
/// this is a lower bound on what `suggest` offers.
fn threshold_sweep(report: &Report) -> String {
    let mut table = String::from(
        "| threshold | first hit offered | first hit offered and right | unrelated offered |\n|---|---|---|---|\n",
    );
    for threshold in [0.3f32, 0.4, 0.5, 0.6, 0.7, 0.8] {
        let answerable = report.answerable_confidence.len();
        let offered = report
            .answerable_confidence
            .iter()
            .filter(|(confidence, _)| *confidence >= threshold)
            .count();
        let right = report
            .answerable_confidence
            .iter()
            .filter(|(confidence, right)| *right && *confidence >= threshold)
            .count();
        let unrelated = report
            .unrelated_confidence
            .iter()
            .filter(|confidence| **confidence >= threshold)
            .count();
        let marker = if threshold == SUGGEST_THRESHOLD {
            " (used)"
        } else {
            ""
        };
        table.push_str(&format!(
            "| {threshold:.1}{marker} | {} | {} | {} |\n",
            percent(offered, answerable),
            percent(right, answerable),
            percent(unrelated, report.unrelated_confidence.len()),
        ));
    }
    let closest = report
        .unrelated_confidence
        .iter()
        .copied()
        .fold(0.0, f32::max);
    table.push_str(&format!(
        "\nHighest confidence of any hit for an unrelated message: {closest:.2}.\n"
    ));
    table
}

/// A deterministic stand-in for a large knowledge base: `count` articles of
/// pseudo-words with a Zipf-like spread, in all three languages, so the
/// index's size and query time can be seen at the scale the bot is meant
/// for. Quality on it means nothing.
fn synthetic_articles(count: usize) -> Vec<IndexedArticle> {
    const VOCABULARY: u64 = 20_000;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let cyrillic: Vec<char> = "абвгдежзиклмнопрстуфхшәғқңөұүі".chars().collect();
    let latin: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().collect();
    let word = |rank: u64, letters: &[char]| -> String {
        // Rank → a fixed pseudo-word of 4 to 10 letters.
        let mut h = rank.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xDEAD_BEEF;
        let length = 4 + (h % 7) as usize;
        (0..length)
            .map(|_| {
                h = h.rotate_left(7).wrapping_mul(0x9E37_79B9);
                letters[(h % letters.len() as u64) as usize]
            })
            .collect()
    };
    (0..count)
        .map(|i| {
            let language = Language::ALL[i % 3];
            let letters = if language == Language::En {
                &latin
            } else {
                &cyrillic
            };
            let mut text = |n: usize| -> String {
                (0..n)
                    .map(|_| {
                        // u^3 favours small ranks: a few very common words, a long tail.
                        let u = (next() % 10_000) as f64 / 10_000.0;
                        word((u * u * u * VOCABULARY as f64) as u64, letters)
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            IndexedArticle {
                id: 100_000 + i as i32,
                slug: format!("synthetic-{}", i / 3),
                language,
                title: text(5),
                body: text(150),
                tags: vec![text(1), text(1)],
            }
        })
        .collect()
}

#[test]
fn knowledge_base_search_meets_its_targets_on_the_held_out_questions() {
    let set = articles();
    let count = set.len();
    let started = Instant::now();
    let index = SearchIndex::build(set);
    let build_time = started.elapsed();

    let held_out = evaluate(&index, "questions.json");
    let dev = evaluate(&index, "dev_questions.json");

    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("\n## Knowledge-base search, held-out questions (questions.json)\n");
    println!("{}", held_out.table);
    println!(
        "Suggestion threshold: confidence ≥ {SUGGEST_THRESHOLD}; at most {SUGGESTIONS} suggestions.\n"
    );
    println!(
        "Index: {count} articles, {} terms, {} postings, about {:.1} KiB; built in {:.2} ms; \
         {:.3} ms per question (search + suggest, {profile} build, {} questions).\n",
        index.term_count(),
        index.posting_count(),
        index.approximate_bytes() as f64 / 1024.0,
        build_time.as_secs_f64() * 1e3,
        held_out.query_time.as_secs_f64() * 1e3 / held_out.queries as f64,
        held_out.queries,
    );
    println!("### Threshold sweep (held-out)\n");
    println!("{}", threshold_sweep(&held_out));
    println!("Held-out misses (top-1 wrong, or an unrelated message suggested):");
    for miss in &held_out.misses {
        println!("- {miss}");
    }
    println!("\n## Dev questions (dev_questions.json, used for tuning)\n");
    println!("{}", dev.table);
    for miss in &dev.misses {
        println!("- {miss}");
    }

    // The one test in this binary: nothing else allocates meanwhile.
    let before_input = LIVE.load(Ordering::Relaxed);
    let mut large = articles();
    large.extend(synthetic_articles(3_000));
    let input = LIVE.load(Ordering::Relaxed) - before_input;
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let started = Instant::now();
    let large = SearchIndex::build(large);
    let large_build = started.elapsed();
    // `build` consumed and dropped the input, so what is left is the index.
    let held = LIVE.load(Ordering::Relaxed) - before_input;
    let build_peak = PEAK.load(Ordering::Relaxed) - before_input;
    let started = Instant::now();
    let questions: Vec<Question> = load("questions.json");
    for question in &questions {
        large.suggest(
            &question.text,
            Some(language(&question.language)),
            SUGGESTIONS,
        );
    }
    let large_query = started.elapsed() / questions.len() as u32;
    let mib = |bytes: usize| bytes as f64 / (1024.0 * 1024.0);
    println!(
        "\n## Scale (the set plus 3,000 synthetic articles, {profile} build)\n\n\
         {} articles, {} terms, {} postings; the index holds {:.2} MiB of heap \
         (estimated {:.2} MiB); building it peaked at {:.2} MiB including the \
         {:.2} MiB of article text passed in; built in {:.0} ms; {:.2} ms per suggest.",
        large.len(),
        large.term_count(),
        large.posting_count(),
        mib(held),
        mib(large.approximate_bytes()),
        mib(build_peak),
        mib(input),
        large_build.as_secs_f64() * 1e3,
        large_query.as_secs_f64() * 1e3,
    );

    let total = held_out.total;
    let top3 = share(total.top3, total.answerable);
    let false_suggestions = share(total.falsely_suggested, total.unrelated);
    assert!(
        top3 >= TOP3_TARGET,
        "top-3 accuracy {top3:.3} below {TOP3_TARGET}"
    );
    assert!(
        false_suggestions <= FALSE_SUGGESTION_LIMIT,
        "false-suggestion rate {false_suggestions:.3} above {FALSE_SUGGESTION_LIMIT}"
    );
}
