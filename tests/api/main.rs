//! Integration tests: the real application against the fake Telegram, on
//! SQLite + the in-process store by default, or on PostgreSQL + Redis when
//! TEST_DATABASE_URL and TEST_REDIS_URL are set.

mod support;

mod admin;
mod admin_lookup;
mod authorisation;
mod bridge;
mod daily_stats;
mod durability;
mod failures;
mod health;
mod jobs;
mod knowledge;
mod knowledge_suggest;
mod languages;
mod levels;
mod menus;
mod polling;
mod replicas;
mod routing;
mod secrets;
mod services;
mod sheets;
mod startup;
mod survey;
mod tickets;
mod trust;
mod web_auth;
mod web_browser;
mod web_events;
mod web_levels;
mod web_misc;
mod web_tickets;
mod webhook;
