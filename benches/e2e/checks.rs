//! What must hold after every run, read from the fake Telegram's own
//! record of the main group: one topic per client, each client's messages
//! in order, none missing, none twice.

use std::collections::{BTreeMap, BTreeSet};

use fake_telegram::FakeTelegram;

use crate::load::Marker;

#[derive(Debug, Default)]
pub struct Audit {
    pub topics: usize,
    /// Topics the bot opened that hold no client message (say, opened by a
    /// process that died before it recorded the topic on the ticket).
    pub topics_without_messages: usize,
    /// Clients whose messages sit in more than one topic.
    pub clients_split: usize,
    /// Messages that never reached the main group.
    pub missing: usize,
    /// Extra copies of a message in its topic.
    pub duplicates: usize,
    /// Clients whose messages are out of order in their topic.
    pub out_of_order: usize,
    /// The first such client's messages as they stand in the topic, to
    /// show what the disorder looks like (`c007: m00 m01 m03 m02 …`).
    pub out_of_order_example: Option<String>,
    /// That client's number (the `client` of its markers).
    pub out_of_order_client: Option<u32>,
}

impl Audit {
    /// Checks the main group against what was sent: `sent[client]` is the
    /// number of messages client `client` wrote.
    pub fn of_main_group(fake: &FakeTelegram, main_group: i64, sent: &BTreeMap<u32, u32>) -> Audit {
        let mut audit = Audit::default();
        let mut topics_of: BTreeMap<u32, BTreeSet<i32>> = BTreeMap::new();
        let mut seqs_of: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let topics = fake.topics(main_group);
        audit.topics = topics.iter().filter(|t| t.created_by_bot).count();
        // The group's messages are read once and split by topic: reading
        // them topic by topic copies the whole group once per topic, which
        // takes minutes with a thousand topics.
        let mut by_topic: BTreeMap<i32, Vec<_>> = BTreeMap::new();
        for message in fake.messages(main_group) {
            if let Some(thread) = message.topic()
                && message.service().is_none()
                && message.is_from_bot()
            {
                by_topic.entry(thread).or_default().push(message);
            }
        }
        for topic in &topics {
            let from_bot = by_topic.remove(&topic.thread_id).unwrap_or_default();
            let mut holds_markers = false;
            for message in from_bot {
                if let Some(marker) = message.text_or_caption().and_then(Marker::parse) {
                    holds_markers = true;
                    topics_of
                        .entry(marker.client)
                        .or_default()
                        .insert(topic.thread_id);
                    seqs_of.entry(marker.client).or_default().push(marker.seq);
                }
            }
            if topic.created_by_bot && !holds_markers {
                audit.topics_without_messages += 1;
            }
        }
        audit.clients_split = topics_of.values().filter(|t| t.len() > 1).count();
        for (client, &count) in sent {
            let seqs = seqs_of.remove(client).unwrap_or_default();
            let distinct: BTreeSet<u32> = seqs.iter().copied().collect();
            audit.missing += (0..count).filter(|s| !distinct.contains(s)).count();
            audit.duplicates += seqs.len() - distinct.len();
            // First landings must be in sending order.
            let mut seen = BTreeSet::new();
            let firsts: Vec<u32> = seqs.into_iter().filter(|s| seen.insert(*s)).collect();
            if firsts.windows(2).any(|w| w[0] > w[1]) {
                audit.out_of_order += 1;
                audit.out_of_order_client.get_or_insert(*client);
                audit.out_of_order_example.get_or_insert_with(|| {
                    let seqs: Vec<String> = firsts.iter().map(|s| format!("m{s:02}")).collect();
                    format!("c{client:03}: {}", seqs.join(" "))
                });
            }
        }
        audit
    }

    pub fn is_clean(&self) -> bool {
        self.clients_split == 0
            && self.missing == 0
            && self.duplicates == 0
            && self.out_of_order == 0
    }
}

impl std::fmt::Display for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} topics", self.topics)?;
        if self.topics_without_messages > 0 {
            write!(
                f,
                " ({} without any client message)",
                self.topics_without_messages
            )?;
        }
        write!(
            f,
            "; {} clients split over topics; {} missing; {} duplicates; {} clients out of order",
            self.clients_split, self.missing, self.duplicates, self.out_of_order
        )
    }
}
