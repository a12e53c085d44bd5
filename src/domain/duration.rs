//! Durations as people write them in the configuration: `30s`, `15m`, `4h`,
//! `2d`, or several units together like `1h30m`. One format for every key
//! (SLA targets, WAITING_AUTO_CLOSE), so a user learns it once.

use std::time::Duration;

const EXPECTED: &str = "a duration like 30s, 15m, 4h, 2d or 1h30m";

/// The units, largest first: a value names each at most once, in this order,
/// so `1h30m` reads one way only and `30m1h` or `1h1h` are refused as typos.
const UNITS: [(char, u64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];

/// Parses `30s`, `15m`, `4h`, `2d` and combinations like `1d12h` or
/// `1h30m`. Upper-case units and spaces around the value are accepted;
/// anything else is refused with a message quoting the value.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let value = text.trim();
    let refuse = |why: &str| {
        if why.is_empty() {
            format!("expected {EXPECTED}, got {text:?}")
        } else {
            format!("expected {EXPECTED}, got {text:?} ({why})")
        }
    };
    if value.is_empty() {
        return Err(refuse("empty"));
    }

    let mut seconds: u64 = 0;
    // Index into UNITS of the next unit allowed: units only go down.
    let mut next_unit = 0;
    let mut rest = value;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(refuse(
                "each part is a whole number followed by d, h, m or s",
            ));
        }
        let (number, after) = rest.split_at(digits);
        let mut chars = after.chars();
        let Some(unit) = chars.next() else {
            return Err(refuse("the number needs a unit: d, h, m or s"));
        };
        let unit = unit.to_ascii_lowercase();
        let Some(position) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(refuse(&format!("unknown unit {unit:?}; use d, h, m or s")));
        };
        if position < next_unit {
            return Err(refuse("write each unit once, largest first, like 1h30m"));
        }
        next_unit = position + 1;
        let amount: u64 = number.parse().map_err(|_| refuse("too large"))?;
        seconds = amount
            .checked_mul(UNITS[position].1)
            .and_then(|part| seconds.checked_add(part))
            .filter(|total| *total <= MAX_SECONDS)
            .ok_or_else(|| refuse("too large"))?;
        rest = chars.as_str();
    }
    Ok(Duration::from_secs(seconds))
}

/// A hundred years: far beyond any sensible target, and small enough that
/// every date computed from it stays inside chrono's range.
const MAX_SECONDS: u64 = 100 * 366 * 86_400;

/// Writes a duration the way [`parse_duration`] reads it, whole seconds
/// only: `1h30m`, `2d`, `45s`, `0s`. For logs and messages to staff.
pub fn format_duration(duration: Duration) -> String {
    let mut seconds = duration.as_secs();
    if seconds == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (unit, size) in UNITS {
        let amount = seconds / size;
        if amount > 0 {
            out.push_str(&amount.to_string());
            out.push(unit);
            seconds %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> Duration {
        Duration::from_secs(s)
    }

    #[test]
    fn single_units_are_read() {
        assert_eq!(parse_duration("30s"), Ok(secs(30)));
        assert_eq!(parse_duration("15m"), Ok(secs(15 * 60)));
        assert_eq!(parse_duration("4h"), Ok(secs(4 * 3600)));
        assert_eq!(parse_duration("2d"), Ok(secs(2 * 86_400)));
        assert_eq!(parse_duration(" 0s "), Ok(secs(0)));
        assert_eq!(parse_duration("4H"), Ok(secs(4 * 3600)));
    }

    #[test]
    fn units_combine_largest_first() {
        assert_eq!(parse_duration("1h30m"), Ok(secs(5400)));
        assert_eq!(parse_duration("1d12h"), Ok(secs(36 * 3600)));
        assert_eq!(parse_duration("2m5s"), Ok(secs(125)));
        assert_eq!(parse_duration("1d1s"), Ok(secs(86_401)));
    }

    #[test]
    fn anything_else_is_refused_with_the_value_quoted() {
        for bad in [
            "", "   ", "4", "h", "4 hours", "4hours", "1.5h", "-1h", "30m1h", "1h1h", "4w",
            "1h 30m", "15min",
        ] {
            let err = parse_duration(bad).expect_err(bad);
            assert!(err.contains(&format!("{bad:?}")), "{bad}: {err}");
            assert!(err.contains("like 30s, 15m"), "{bad}: {err}");
        }
        assert!(
            parse_duration("4w")
                .unwrap_err()
                .contains("unknown unit 'w'")
        );
        assert!(
            parse_duration("30m1h")
                .unwrap_err()
                .contains("largest first")
        );
    }

    #[test]
    fn huge_values_are_refused_rather_than_wrapped() {
        assert!(parse_duration("99999999999999999999999d").is_err());
        assert!(parse_duration("999999999999d").is_err());
        assert!(parse_duration("36500d").is_ok());
    }

    #[test]
    fn formatting_reads_back_the_same() {
        for text in ["0s", "45s", "15m", "1h30m", "2d", "1d12h", "1d1s"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
        assert_eq!(format_duration(Duration::from_millis(90_500)), "1m30s");
    }
}
