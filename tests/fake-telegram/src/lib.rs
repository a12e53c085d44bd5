//! A stateful fake of the Telegram Bot API for topicdesk's tests and
//! benchmarks.
//!
//! [`FakeTelegram::start`] runs an axum server on `127.0.0.1` that answers
//! `POST|GET /bot{token}/{method}` close enough to api.telegram.org that the
//! unchanged bot (teloxide pointed at [`FakeTelegram::api_url`]) runs
//! against it. Tests build a world (people, forum groups, topics), act as
//! people ([`FakeTelegram::user`] → [`Actor`]), let the fake deliver the
//! resulting updates (webhook with secret header, or getUpdates), wait for
//! the bot's reaction without fixed sleeps ([`FakeTelegram::wait_until`] and
//! friends) and inspect what reached Telegram ([`StoredMessage`],
//! [`RecordedCall`], [`TopicInfo`]). Faults ([`Fault`]), latency and
//! Telegram's flood limits ([`Limits`]) can be switched on.
//!
//! ```no_run
//! use fake_telegram::{FakeTelegram, Fault, GroupSpec};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let tg = FakeTelegram::start().await;
//! let alice = tg.add_user("Alice");
//! let staff = tg.add_user("Sam");
//! let support = tg.add_group(GroupSpec::forum("Support").members([staff]));
//!
//! // Point the bot at the fake: teloxide's `Bot::set_api_url(tg.api_url())`
//! // with `tg.token()`. A bot that registers a public webhook such as
//! // https://bot.example.test/webhook/SECRET gets its updates on its own
//! // listener once the test routes them there:
//! # let bot_listener_addr: std::net::SocketAddr = "127.0.0.1:1".parse()?;
//! tg.route_webhooks_to(bot_listener_addr);
//!
//! tg.user(alice).command("/start");
//! let replies = tg.wait_for_bot_messages(alice, 1).await?;
//! assert!(replies[0].text().is_some());
//!
//! tg.user(alice).text("my printer is on fire");
//! let topic = tg.wait_for_topics(support, 1).await?.remove(0);
//! let card = tg.wait_for_topic_messages(support, topic.thread_id, 1).await?;
//! assert!(card[0].buttons().iter().any(|(label, _)| label == "Take"));
//!
//! // The next send into the topic fails as if staff had deleted it.
//! tg.inject(Fault::thread_not_found().on("sendMessage").in_chat(support));
//! # Ok(())
//! # }
//! ```
//!
//! Inside, each module has one job: `server` (routing and the call
//! pipeline), `params` (JSON / form / multipart decoding), `world` (the
//! state model and JSON shapes), `methods` (the Bot API grouped by area),
//! `markup` (parse modes, entities, UTF-16 lengths), `actors` (acting as
//! people), `delivery` (webhook pushes), `faults` (errors, latency, flood
//! limits), `observe` (watching messages land), `inspect` (snapshots), `wait` (waiting), `setup` (world specs),
//! `fake` (the handle tying them together).

mod actors;
mod api_error;
mod delivery;
mod fake;
mod faults;
mod inspect;
mod markup;
mod methods;
mod observe;
mod options;
mod params;
mod server;
mod setup;
mod wait;
mod world;

pub use actors::{Actor, Media, Origin, Pressed, Sent};
pub use api_error::ApiError;
pub use delivery::SECRET_HEADER;
pub use fake::{BotUser, FakeTelegram};
pub use faults::{Fault, Limits};
pub use inspect::{
    CallOutcome, CallbackAnswer, CommandSetInfo, DeliveryAttempt, RecordedCall, StoredMessage,
    TopicInfo, WebhookState,
};
pub use markup::{entity, utf16_len};
pub use observe::LandedMessage;
pub use options::FakeOptions;
pub use setup::{AdminRights, BotRole, GroupSpec, MemberRole, UserSpec};
pub use wait::WaitError;
pub use world::{InFlight, World};
