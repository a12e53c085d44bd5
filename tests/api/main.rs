//! Integration tests: the real application against the fake Telegram, on
//! SQLite + the in-process store by default, or on PostgreSQL + Redis when
//! TEST_DATABASE_URL and TEST_REDIS_URL are set.

mod support;

mod admin;
mod bridge;
mod daily_stats;
mod durability;
mod failures;
mod health;
mod jobs;
mod languages;
mod menus;
mod polling;
mod replicas;
mod services;
mod sheets;
mod startup;
mod survey;
mod tickets;
mod trust;
mod webhook;
