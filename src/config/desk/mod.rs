//! How the desk routes and times tickets: CATEGORIES, SLA_POLICY,
//! BUSINESS_HOURS with HOLIDAYS, ASSIGN_MODE, WAITING_AUTO_CLOSE and
//! DAILY_REPORT_AT. All optional; unset, the desk behaves as before: one
//! main group, no clocks, staff assign by hand.

mod categories;
#[cfg(test)]
mod tests;

use categories::parse_categories;
use std::time::Duration;

use chrono::NaiveTime;

use super::{ConfigError, TechnicianConfig};
use crate::domain::calendar::BusinessCalendar;
use crate::domain::category::{AssignMode, Category};
use crate::domain::duration::parse_duration;
use crate::domain::sla::{SlaPolicy, SlaTargets};

#[derive(Debug, Clone)]
pub struct DeskSettings {
    /// CATEGORIES in the order given: the order of the buttons; the first is
    /// the one a ticket gets when the client picks none in time. Empty: no
    /// category choice.
    pub categories: Vec<Category>,
    /// SLA_POLICY; `None`: tickets have no SLA clocks.
    pub sla: Option<SlaPolicy>,
    /// BUSINESS_HOURS and HOLIDAYS; around the clock in UTC when unset. Also
    /// the time zone of daily statistics and of DAILY_REPORT_AT.
    pub calendar: BusinessCalendar,
    pub assign_mode: AssignMode,
    /// WAITING_AUTO_CLOSE: a ticket waiting this long (real time) for the
    /// client is closed. `None`: never.
    pub waiting_auto_close: Option<Duration>,
    /// DAILY_REPORT_AT: when managers get yesterday's summary, on the
    /// calendar's wall clock. `None`: no report.
    pub daily_report_at: Option<NaiveTime>,
    /// CATEGORY_TIMEOUT: how long the client has to pick a category before
    /// the ticket opens in the first one (2 minutes).
    pub category_timeout: Duration,
    /// KB_SUGGEST: whether a new ticket's first message is answered from
    /// the knowledge base first (`suggest`, the default, which does
    /// nothing while no article is published), and whether the ticket
    /// waits for the client's answer before it reaches the team (`hold`).
    pub kb_suggest: KbSuggest,
    /// KB_HOLD_TIMEOUT: how long a held ticket waits for «Помогло» before
    /// it opens anyway (3 minutes).
    pub kb_hold_timeout: Duration,
}

/// KB_SUGGEST's three modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KbSuggest {
    Off,
    #[default]
    Suggest,
    Hold,
}

impl KbSuggest {
    pub fn from_key(key: &str) -> Option<KbSuggest> {
        match key.to_ascii_lowercase().as_str() {
            "off" => Some(KbSuggest::Off),
            "suggest" => Some(KbSuggest::Suggest),
            "hold" => Some(KbSuggest::Hold),
            _ => None,
        }
    }
}

/// How long a ticket held for the knowledge base waits, unless
/// KB_HOLD_TIMEOUT says.
pub const DEFAULT_KB_HOLD_TIMEOUT: Duration = Duration::from_secs(180);

/// How long a client has to pick a category, unless CATEGORY_TIMEOUT says.
pub const DEFAULT_CATEGORY_TIMEOUT: Duration = Duration::from_secs(120);

impl Default for DeskSettings {
    fn default() -> Self {
        Self {
            categories: Vec::new(),
            sla: None,
            calendar: BusinessCalendar::default(),
            assign_mode: AssignMode::Manual,
            waiting_auto_close: None,
            daily_report_at: None,
            category_timeout: DEFAULT_CATEGORY_TIMEOUT,
            kb_suggest: KbSuggest::default(),
            kb_hold_timeout: DEFAULT_KB_HOLD_TIMEOUT,
        }
    }
}

impl DeskSettings {
    /// The category with this key.
    pub fn category(&self, key: &str) -> Option<&Category> {
        self.categories.iter().find(|category| category.key == key)
    }

    /// The category a ticket gets when the client picks none in time.
    pub fn default_category(&self) -> Option<&Category> {
        self.categories.first()
    }

    /// The SLA targets of a priority key; `None` without SLA_POLICY or when
    /// it gives that priority none.
    pub fn sla_targets(&self, priority_key: &str) -> Option<SlaTargets> {
        self.sla.as_ref()?.targets(priority_key)
    }
}

/// The desk's keys as the user wrote them (already trimmed, empty = unset).
pub(super) struct DeskKeys {
    pub categories: Option<String>,
    pub sla_policy: Option<String>,
    pub business_hours: Option<String>,
    pub holidays: Option<String>,
    pub assign_mode: Option<String>,
    pub waiting_auto_close: Option<String>,
    pub daily_report_at: Option<String>,
    pub category_timeout: Option<String>,
    pub kb_suggest: Option<String>,
    pub kb_hold_timeout: Option<String>,
}

impl DeskKeys {
    /// Validates the keys; technicians are needed to check the categories'.
    pub(super) fn validate(
        self,
        technicians: &[TechnicianConfig],
    ) -> Result<DeskSettings, ConfigError> {
        let categories = match self.categories {
            Some(json) => parse_categories(&json, technicians)?,
            None => Vec::new(),
        };
        let sla = self
            .sla_policy
            .map(|json| SlaPolicy::parse(&json).map_err(|e| ConfigError::new("SLA_POLICY", e)))
            .transpose()?;
        let calendar = match (self.business_hours, self.holidays) {
            (None, None) => BusinessCalendar::always(),
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "HOLIDAYS",
                    "needs BUSINESS_HOURS, whose time zone its dates are in; for a desk open around the clock write BUSINESS_HOURS=Mon-Sun 00:00-24:00 Europe/Moscow (your zone)",
                ));
            }
            (Some(hours), holidays) => {
                // Read the hours alone first, so a mistake in the holidays
                // is reported under their own key.
                BusinessCalendar::parse(&hours, "")
                    .map_err(|e| ConfigError::new("BUSINESS_HOURS", e))?;
                BusinessCalendar::parse(&hours, holidays.as_deref().unwrap_or_default())
                    .map_err(|e| ConfigError::new("HOLIDAYS", e))?
            }
        };
        let assign_mode = match self.assign_mode {
            None => AssignMode::Manual,
            Some(value) => AssignMode::from_key(&value).ok_or_else(|| {
                ConfigError::new(
                    "ASSIGN_MODE",
                    format!("expected manual, round_robin or least_loaded, got {value:?}"),
                )
            })?,
        };
        let waiting_auto_close = match self.waiting_auto_close {
            None => None,
            Some(value) if value.eq_ignore_ascii_case("off") => None,
            Some(value) => {
                let duration = parse_duration(&value)
                    .map_err(|e| ConfigError::new("WAITING_AUTO_CLOSE", format!("{e}, or off")))?;
                if duration.is_zero() {
                    return Err(ConfigError::new(
                        "WAITING_AUTO_CLOSE",
                        "expected a duration longer than 0 like 3d, or off",
                    ));
                }
                Some(duration)
            }
        };
        let daily_report_at = match self.daily_report_at {
            None => None,
            Some(value) if value.eq_ignore_ascii_case("off") => None,
            Some(value) => Some(NaiveTime::parse_from_str(&value, "%H:%M").map_err(|_| {
                ConfigError::new(
                    "DAILY_REPORT_AT",
                    format!("expected a time of day HH:MM like 09:00, or off, got {value:?}"),
                )
            })?),
        };
        let category_timeout = match self.category_timeout {
            None => DEFAULT_CATEGORY_TIMEOUT,
            Some(value) => {
                parse_duration(&value).map_err(|e| ConfigError::new("CATEGORY_TIMEOUT", e))?
            }
        };
        let kb_suggest = match self.kb_suggest {
            None => KbSuggest::default(),
            Some(value) => KbSuggest::from_key(&value).ok_or_else(|| {
                ConfigError::new(
                    "KB_SUGGEST",
                    format!("expected off, suggest or hold, got {value:?}"),
                )
            })?,
        };
        let kb_hold_timeout = match self.kb_hold_timeout {
            None => DEFAULT_KB_HOLD_TIMEOUT,
            Some(value) => {
                let duration =
                    parse_duration(&value).map_err(|e| ConfigError::new("KB_HOLD_TIMEOUT", e))?;
                if duration.is_zero() {
                    return Err(ConfigError::new(
                        "KB_HOLD_TIMEOUT",
                        "expected a duration longer than 0 like 3m",
                    ));
                }
                duration
            }
        };
        Ok(DeskSettings {
            categories,
            sla,
            calendar,
            assign_mode,
            waiting_auto_close,
            daily_report_at,
            category_timeout,
            kb_suggest,
            kb_hold_timeout,
        })
    }
}
