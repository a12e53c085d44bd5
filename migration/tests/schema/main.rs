//! The schema, tested on a fresh SQLite file and, when `TEST_DATABASE_URL`
//! names a PostgreSQL server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`),
//! on a fresh PostgreSQL database per test. Every test runs on both backends:
//! `sqlite::<name>` and `postgres::<name>`.

#[macro_use]
mod harness;

mod cli;
mod constraints;
mod entities;
mod migrations;
