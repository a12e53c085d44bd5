//! Service levels: how long a ticket of each priority may wait for its first
//! answer and for its resolution (SLA_POLICY), and the moments that follow
//! from them — when each clock runs out ("due"), when staff are warned
//! before that, and how waiting for the client moves the resolution clock.
//!
//! Every moment is computed in business time with a [`BusinessCalendar`],
//! so a target of 30 minutes means 30 minutes of open hours.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::domain::calendar::BusinessCalendar;
use crate::domain::duration::parse_duration;

/// The priorities as users write them, lowest first.
pub const PRIORITY_KEYS: [&str; 4] = ["low", "normal", "high", "urgent"];

/// The share of a target after which staff are warned, when SLA_POLICY does
/// not say: late enough not to nag, early enough to act.
pub const DEFAULT_WARN_AT: f64 = 0.8;

/// The two clocks every ticket runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaClock {
    /// From opening until the first staff or technician message reaches the
    /// client.
    FirstResponse,
    /// From opening until the ticket is closed, paused while it waits for the
    /// client.
    Resolution,
}

impl SlaClock {
    pub const ALL: [SlaClock; 2] = [SlaClock::FirstResponse, SlaClock::Resolution];

    /// `first_response` or `resolution`: as in SLA_POLICY, and stable enough
    /// for dedup keys and metrics labels.
    pub const fn key(self) -> &'static str {
        match self {
            SlaClock::FirstResponse => "first_response",
            SlaClock::Resolution => "resolution",
        }
    }
}

/// The targets of one priority.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlaTargets {
    /// Business time allowed until the first answer.
    pub first_response: Duration,
    /// Business time allowed until the ticket is closed (time spent waiting
    /// for the client not counted).
    pub resolution: Duration,
    /// Share of a target after which staff are warned: `0 < warn_at < 1`.
    pub warn_at: f64,
}

/// Both deadlines of a ticket, fixed when it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlaDeadlines {
    pub first_response_due: DateTime<Utc>,
    pub resolution_due: DateTime<Utc>,
}

impl SlaTargets {
    /// The target of one clock.
    pub fn target(&self, clock: SlaClock) -> Duration {
        match clock {
            SlaClock::FirstResponse => self.first_response,
            SlaClock::Resolution => self.resolution,
        }
    }

    /// The deadlines of a ticket opened at `opened_at`.
    pub fn deadlines(&self, opened_at: DateTime<Utc>, calendar: &BusinessCalendar) -> SlaDeadlines {
        SlaDeadlines {
            first_response_due: due_at(opened_at, self.first_response, calendar),
            resolution_due: due_at(opened_at, self.resolution, calendar),
        }
    }

    /// When staff are warned about a clock that is due at `due`.
    pub fn warning_at(
        &self,
        clock: SlaClock,
        due: DateTime<Utc>,
        calendar: &BusinessCalendar,
    ) -> DateTime<Utc> {
        warning_at(due, self.target(clock), self.warn_at, calendar)
    }
}

/// The moment a clock started at `started_at` runs out: `target` of business
/// time later.
pub fn due_at(
    started_at: DateTime<Utc>,
    target: Duration,
    calendar: &BusinessCalendar,
) -> DateTime<Utc> {
    calendar.add(started_at, target)
}

/// When staff are warned: once `warn_at` of `target` has been used, which is
/// when the rest of it, `(1 - warn_at) × target` of business time, remains
/// before `due`. Counting back from the due moment keeps the warning right
/// after the due moment has been moved by a wait for the client.
pub fn warning_at(
    due: DateTime<Utc>,
    target: Duration,
    warn_at: f64,
    calendar: &BusinessCalendar,
) -> DateTime<Utc> {
    let used = share_of(target, warn_at);
    calendar.subtract(due, target.saturating_sub(used))
}

/// The resolution due moment after the ticket waited for the client from
/// `waiting_since` until `resumed_at`: moved out by the business time spent
/// waiting, since the clock does not run meanwhile. A wait outside business
/// hours moves nothing.
pub fn due_after_waiting(
    due: DateTime<Utc>,
    waiting_since: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
    calendar: &BusinessCalendar,
) -> DateTime<Utc> {
    calendar.add(due, calendar.between(waiting_since, resumed_at))
}

/// `fraction` of `duration`, for a fraction between 0 and 1 (others are
/// brought into that range; NaN counts as the default).
fn share_of(duration: Duration, fraction: f64) -> Duration {
    let fraction = if fraction.is_nan() {
        DEFAULT_WARN_AT
    } else {
        fraction.clamp(0.0, 1.0)
    };
    Duration::try_from_secs_f64(duration.as_secs_f64() * fraction)
        .unwrap_or(duration)
        .min(duration)
}

/// The targets per priority (SLA_POLICY). A priority without targets has no
/// SLA clocks: its tickets are never warned about nor breached.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlaPolicy {
    /// Indexed like [`PRIORITY_KEYS`].
    by_priority: [Option<SlaTargets>; 4],
}

const POLICY_EXAMPLE: &str = r#"{"normal":{"first_response":"1h","resolution":"8h"},"urgent":{"first_response":"15m","resolution":"4h","warn_at":0.5},"warn_at":0.8}"#;

/// SLA_POLICY as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    warn_at: Option<f64>,
    low: Option<RawTargets>,
    normal: Option<RawTargets>,
    high: Option<RawTargets>,
    urgent: Option<RawTargets>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    first_response: String,
    resolution: String,
    warn_at: Option<f64>,
}

impl SlaPolicy {
    /// Reads SLA_POLICY: per priority `first_response` and `resolution` as
    /// durations and an optional `warn_at`; a top-level `warn_at` is the
    /// default for all (0.8 without one).
    pub fn parse(json: &str) -> Result<Self, String> {
        let raw: RawPolicy = serde_json::from_str(json)
            .map_err(|e| format!("expected JSON like {POLICY_EXAMPLE}: {e}"))?;
        let default_warn_at = match raw.warn_at {
            Some(value) => check_warn_at("warn_at", value)?,
            None => DEFAULT_WARN_AT,
        };
        let mut by_priority = [None; 4];
        for (slot, (key, targets)) in by_priority.iter_mut().zip([
            ("low", raw.low),
            ("normal", raw.normal),
            ("high", raw.high),
            ("urgent", raw.urgent),
        ]) {
            let Some(targets) = targets else { continue };
            let target = |field: &str, text: &str| {
                let duration = parse_duration(text).map_err(|e| format!("{key}.{field}: {e}"))?;
                if duration.is_zero() {
                    return Err(format!("{key}.{field}: must be longer than 0"));
                }
                Ok(duration)
            };
            *slot = Some(SlaTargets {
                first_response: target("first_response", &targets.first_response)?,
                resolution: target("resolution", &targets.resolution)?,
                warn_at: match targets.warn_at {
                    Some(value) => check_warn_at(&format!("{key}.warn_at"), value)?,
                    None => default_warn_at,
                },
            });
        }
        if by_priority.iter().all(Option::is_none) {
            return Err(format!(
                "names no priority; give targets for at least one of low, normal, high, urgent, like {POLICY_EXAMPLE}"
            ));
        }
        Ok(Self { by_priority })
    }

    /// The targets of a priority (`low`, `normal`, `high`, `urgent`, any
    /// case); `None` when SLA_POLICY gives that priority none.
    pub fn targets(&self, priority_key: &str) -> Option<SlaTargets> {
        let index = PRIORITY_KEYS
            .iter()
            .position(|key| key.eq_ignore_ascii_case(priority_key.trim()))?;
        self.by_priority[index]
    }

    /// The priorities that have targets, lowest first.
    pub fn configured(&self) -> impl Iterator<Item = (&'static str, SlaTargets)> + '_ {
        PRIORITY_KEYS
            .iter()
            .zip(&self.by_priority)
            .filter_map(|(key, targets)| targets.map(|t| (*key, t)))
    }
}

fn check_warn_at(name: &str, value: f64) -> Result<f64, String> {
    if value > 0.0 && value < 1.0 {
        Ok(value)
    } else {
        Err(format!(
            "{name}: expected a share of the target between 0 and 1 like 0.8, got {value}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDateTime, TimeZone};

    fn minutes(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }

    fn office() -> BusinessCalendar {
        BusinessCalendar::parse("Mon-Fri 09:00-18:00 Europe/Moscow", "").unwrap()
    }

    fn local(cal: &BusinessCalendar, text: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        cal.time_zone()
            .from_local_datetime(&naive)
            .single()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_policy_of_the_readme_is_read() {
        let policy = SlaPolicy::parse(POLICY_EXAMPLE).unwrap();
        assert_eq!(
            policy.targets("normal"),
            Some(SlaTargets {
                first_response: minutes(60),
                resolution: minutes(8 * 60),
                warn_at: 0.8,
            })
        );
        assert_eq!(
            policy.targets("URGENT"),
            Some(SlaTargets {
                first_response: minutes(15),
                resolution: minutes(4 * 60),
                warn_at: 0.5,
            })
        );
        assert_eq!(policy.targets("low"), None);
        assert_eq!(policy.targets("critical"), None);
        let keys: Vec<_> = policy.configured().map(|(key, _)| key).collect();
        assert_eq!(keys, ["normal", "urgent"]);
    }

    #[test]
    fn warn_at_defaults_to_four_fifths_and_can_be_set_for_all() {
        let policy =
            SlaPolicy::parse(r#"{"high":{"first_response":"30s","resolution":"2m"}}"#).unwrap();
        assert_eq!(policy.targets("high").unwrap().warn_at, DEFAULT_WARN_AT);
        let policy =
            SlaPolicy::parse(r#"{"warn_at":0.9,"low":{"first_response":"1d","resolution":"5d"}}"#)
                .unwrap();
        assert_eq!(policy.targets("low").unwrap().warn_at, 0.9);
    }

    #[test]
    fn a_malformed_policy_says_what_is_wrong_where() {
        let refused = |json: &str, expected: &str| {
            let err = SlaPolicy::parse(json).expect_err(json);
            assert!(err.contains(expected), "{json}: {err}");
        };
        refused("not json", "expected JSON like");
        refused(
            r#"{"hihg":{"first_response":"1h","resolution":"2h"}}"#,
            "unknown field `hihg`",
        );
        refused(
            r#"{"normal":{"first_response":"1h"}}"#,
            "missing field `resolution`",
        );
        refused(
            r#"{"normal":{"first_response":"1 hour","resolution":"2h"}}"#,
            "normal.first_response: expected a duration",
        );
        refused(
            r#"{"normal":{"first_response":"1h","resolution":"0s"}}"#,
            "normal.resolution: must be longer than 0",
        );
        refused(
            r#"{"urgent":{"first_response":"1h","resolution":"2h","warn_at":1.5}}"#,
            "urgent.warn_at: expected a share of the target between 0 and 1",
        );
        refused(
            r#"{"warn_at":0,"urgent":{"first_response":"1h","resolution":"2h"}}"#,
            "warn_at: expected a share",
        );
        refused("{}", "names no priority");
    }

    #[test]
    fn deadlines_count_business_time_from_opening() {
        let cal = office();
        let targets = SlaTargets {
            first_response: minutes(30),
            resolution: minutes(8 * 60),
            warn_at: 0.8,
        };
        // Friday 17:50: 10 minutes on Friday, the rest on Monday.
        let deadlines = targets.deadlines(local(&cal, "2026-01-16 17:50"), &cal);
        assert_eq!(
            deadlines.first_response_due,
            local(&cal, "2026-01-19 09:20")
        );
        assert_eq!(deadlines.resolution_due, local(&cal, "2026-01-19 16:50"));
    }

    #[test]
    fn the_warning_comes_when_warn_at_of_the_target_is_used() {
        let cal = office();
        let targets = SlaTargets {
            first_response: minutes(30),
            resolution: minutes(8 * 60),
            warn_at: 0.8,
        };
        let opened = local(&cal, "2026-01-16 17:50");
        let due = due_at(opened, targets.first_response, &cal);
        // 24 of the 30 minutes: 10 on Friday and 14 on Monday.
        let warning = targets.warning_at(SlaClock::FirstResponse, due, &cal);
        assert_eq!(warning, local(&cal, "2026-01-19 09:14"));
        assert_eq!(warning, cal.add(opened, minutes(24)));
        // Around the clock it is plain arithmetic.
        let always = BusinessCalendar::always();
        let due = due_at(opened, minutes(10), &always);
        assert_eq!(
            warning_at(due, minutes(10), 0.5, &always),
            opened + chrono::TimeDelta::minutes(5)
        );
    }

    #[test]
    fn waiting_for_the_client_moves_the_resolution_due_by_the_business_time_waited() {
        let cal = office();
        let due = local(&cal, "2026-01-19 16:50");
        // Waited Monday 10:00–11:30: 90 minutes later, Tuesday 09:20.
        let moved = due_after_waiting(
            due,
            local(&cal, "2026-01-19 10:00"),
            local(&cal, "2026-01-19 11:30"),
            &cal,
        );
        assert_eq!(moved, local(&cal, "2026-01-20 09:20"));
        // A wait over the weekend costs nothing.
        let unmoved = due_after_waiting(
            due,
            local(&cal, "2026-01-17 10:00"),
            local(&cal, "2026-01-18 20:00"),
            &cal,
        );
        assert_eq!(unmoved, due);
        // The warning follows the moved due moment: a fifth of the 8 hours,
        // 96 minutes, before it (20 on Tuesday morning, 76 on Monday).
        let warning = warning_at(moved, minutes(8 * 60), 0.8, &cal);
        assert_eq!(warning, local(&cal, "2026-01-19 16:44"));
    }

    #[test]
    fn shares_outside_the_range_are_kept_inside_the_target() {
        assert_eq!(share_of(minutes(10), 0.5), minutes(5));
        assert_eq!(share_of(minutes(10), 7.0), minutes(10));
        assert_eq!(share_of(minutes(10), -1.0), Duration::ZERO);
        assert_eq!(share_of(minutes(10), f64::NAN), minutes(8));
    }

    #[test]
    fn clock_keys_are_the_policy_field_names() {
        let keys: Vec<_> = SlaClock::ALL.iter().map(|c| c.key()).collect();
        assert_eq!(keys, ["first_response", "resolution"]);
    }
}
