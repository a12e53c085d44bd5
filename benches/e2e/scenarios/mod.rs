//! One module per scenario; `run` picks one by name.

mod flood;
mod groups;
mod kill;
mod limits;
mod outage;
mod replicas;
mod replicas_limits;
mod steady;
mod telegram_outage;
mod throughput;

use crate::desk::Lane;
use crate::report::Report;

pub async fn run(name: &str, lane: Lane, report: &mut Report) -> anyhow::Result<()> {
    match name {
        "throughput" => throughput::run(lane, &throughput::Options::default(), report).await,
        "steady" => steady::run(lane, &steady::Options::default(), report).await,
        "limits" => limits::run(lane, &limits::Options::default(), report).await,
        "kill" => kill::run(lane, &kill::Options::default(), report).await,
        "postgres" => outage::run_postgres(lane, &outage::Options::default(), report).await,
        "redis" => outage::run_redis(lane, &outage::Options::default(), report).await,
        "replicas" => replicas::run(lane, &replicas::Options::default(), report).await,
        "replicas-limits" => {
            replicas_limits::run(lane, &replicas_limits::Options::default(), report).await
        }
        "telegram-outage" => {
            telegram_outage::run(lane, &telegram_outage::Options::default(), report).await
        }
        "flood" => flood::run(lane, &flood::Options::default(), report).await,
        "groups" => groups::run(lane, &groups::Options::default(), report).await,
        other => anyhow::bail!("the {other} scenario is not written yet"),
    }
}
