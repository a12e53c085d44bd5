use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta, TimeZone};
use proptest::prelude::*;

use super::*;

const MOSCOW_OFFICE: &str = "Mon-Fri 09:00-18:00 Europe/Moscow";

fn calendar(hours: &str) -> BusinessCalendar {
    BusinessCalendar::parse(hours, "").unwrap()
}

/// A wall-clock time in the calendar's zone, as UTC.
fn local(cal: &BusinessCalendar, text: &str) -> DateTime<Utc> {
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
    cal.time_zone()
        .from_local_datetime(&naive)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn show(cal: &BusinessCalendar, at: DateTime<Utc>) -> String {
    cal.to_local(at).format("%a %Y-%m-%d %H:%M").to_string()
}

fn utc(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
}

fn minutes(m: u64) -> Duration {
    Duration::from_secs(m * 60)
}

fn hours(h: u64) -> Duration {
    Duration::from_secs(h * 3600)
}

#[test]
fn a_ticket_opened_friday_evening_is_due_monday_morning() {
    let cal = calendar(MOSCOW_OFFICE);
    // 2026-01-16 is a Friday.
    let due = cal.add(local(&cal, "2026-01-16 17:50"), minutes(30));
    assert_eq!(show(&cal, due), "Mon 2026-01-19 09:20");
}

#[test]
fn a_ticket_opened_on_saturday_starts_counting_on_monday() {
    let cal = calendar(MOSCOW_OFFICE);
    let due = cal.add(local(&cal, "2026-01-17 12:00"), minutes(30));
    assert_eq!(show(&cal, due), "Mon 2026-01-19 09:30");
}

#[test]
fn work_that_ends_at_closing_time_is_due_at_closing_time() {
    let cal = calendar(MOSCOW_OFFICE);
    let due = cal.add(local(&cal, "2026-01-16 17:30"), minutes(30));
    assert_eq!(show(&cal, due), "Fri 2026-01-16 18:00");
}

#[test]
fn long_targets_span_several_working_days() {
    let cal = calendar(MOSCOW_OFFICE);
    // 4 h on Monday, 9 h on Tuesday, 3 h on Wednesday.
    let due = cal.add(local(&cal, "2026-01-19 14:00"), hours(16));
    assert_eq!(show(&cal, due), "Wed 2026-01-21 12:00");
    let due = cal.add(
        local(&cal, "2026-01-19 10:00"),
        Duration::from_secs(2 * 86_400),
    );
    // 48 h of work is 5 days and 3 h of nine-hour days.
    assert_eq!(show(&cal, due), "Mon 2026-01-26 13:00");
}

#[test]
fn holidays_are_skipped_like_weekends() {
    let cal = BusinessCalendar::parse(MOSCOW_OFFICE, "2026-01-19, 2026-01-20").unwrap();
    let due = cal.add(local(&cal, "2026-01-16 17:50"), minutes(30));
    assert_eq!(show(&cal, due), "Wed 2026-01-21 09:20");
    assert!(!cal.is_open(local(&cal, "2026-01-19 12:00")));
    assert_eq!(
        cal.next_opening(local(&cal, "2026-01-16 18:00"))
            .map(|at| show(&cal, at)),
        Some("Wed 2026-01-21 09:00".to_owned())
    );
    assert_eq!(cal.holidays().count(), 2);
}

#[test]
fn between_counts_only_open_hours() {
    let cal = calendar(MOSCOW_OFFICE);
    let friday = local(&cal, "2026-01-16 17:50");
    let monday = local(&cal, "2026-01-19 09:20");
    assert_eq!(cal.between(friday, monday), minutes(30));
    assert_eq!(cal.between(monday, friday), Duration::ZERO);
    assert_eq!(cal.between(friday, friday), Duration::ZERO);
    let saturday = local(&cal, "2026-01-17 08:00");
    let sunday = local(&cal, "2026-01-18 20:00");
    assert_eq!(cal.between(saturday, sunday), Duration::ZERO);
    // A whole working week.
    let week_start = local(&cal, "2026-01-19 00:00");
    let week_end = local(&cal, "2026-01-26 00:00");
    assert_eq!(cal.between(week_start, week_end), hours(45));
}

#[test]
fn subtract_walks_back_over_closed_time() {
    let cal = calendar(MOSCOW_OFFICE);
    let monday = local(&cal, "2026-01-19 09:20");
    assert_eq!(
        show(&cal, cal.subtract(monday, minutes(30))),
        "Fri 2026-01-16 17:50"
    );
    // Exactly back to an opening: the earliest such moment is the close
    // before it, which is what `add` would have answered.
    assert_eq!(
        show(&cal, cal.subtract(monday, minutes(20))),
        "Fri 2026-01-16 18:00"
    );
    assert_eq!(
        cal.add(cal.subtract(monday, minutes(20)), minutes(20)),
        monday
    );
    assert_eq!(cal.subtract(monday, Duration::ZERO), monday);
}

#[test]
fn is_open_and_next_opening_tell_when_the_team_is_back() {
    let cal = calendar(MOSCOW_OFFICE);
    let saturday = local(&cal, "2026-01-17 12:00");
    assert!(!cal.is_open(saturday));
    assert_eq!(
        cal.next_opening(saturday).map(|at| show(&cal, at)),
        Some("Mon 2026-01-19 09:00".to_owned())
    );
    // Opening is inclusive, closing exclusive.
    let opening = local(&cal, "2026-01-19 09:00");
    assert!(cal.is_open(opening));
    assert_eq!(cal.next_opening(opening), None);
    let closing = local(&cal, "2026-01-19 18:00");
    assert!(!cal.is_open(closing));
    assert_eq!(
        cal.next_opening(closing).map(|at| show(&cal, at)),
        Some("Tue 2026-01-20 09:00".to_owned())
    );
    let night = local(&cal, "2026-01-20 03:00");
    assert_eq!(
        cal.next_opening(night).map(|at| show(&cal, at)),
        Some("Tue 2026-01-20 09:00".to_owned())
    );
}

#[test]
fn around_the_clock_business_time_is_plain_time() {
    let cal = BusinessCalendar::always();
    assert!(cal.is_always_open());
    assert_eq!(cal.time_zone(), Tz::UTC);
    let start = utc("2026-03-29 00:30");
    assert_eq!(cal.add(start, hours(50)), start + TimeDelta::hours(50));
    assert_eq!(cal.between(start, start + TimeDelta::hours(50)), hours(50));
    assert_eq!(cal.subtract(start, hours(3)), start - TimeDelta::hours(3));
    assert!(cal.is_open(start));
    assert_eq!(cal.next_opening(start), None);
    assert_eq!(BusinessCalendar::default(), cal);
    let almaty = calendar("Mon-Sun 00:00-24:00 Asia/Almaty");
    assert!(almaty.is_always_open());
    assert_eq!(almaty.add(start, hours(50)), start + TimeDelta::hours(50));
}

#[test]
fn open_every_minute_but_with_a_holiday_still_counts_dst_nights_in_real_time() {
    // The holiday keeps the calendar off the shortcut, so this runs the
    // day-by-day path through both of Berlin's DST changes in 2026.
    let cal = BusinessCalendar::parse("Mon-Sun 00:00-24:00 Europe/Berlin", "2030-01-01").unwrap();
    assert!(!cal.is_always_open());
    for start in [utc("2026-03-28 20:00"), utc("2026-10-24 20:00")] {
        assert_eq!(cal.add(start, hours(12)), start + TimeDelta::hours(12));
        assert_eq!(cal.between(start, start + TimeDelta::hours(12)), hours(12));
    }
    // The last Sunday of March has 23 hours, of October 25.
    let day = |d: &str| cal.start_of_local_day(NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap());
    assert_eq!(cal.between(day("2026-03-29"), day("2026-03-30")), hours(23));
    assert_eq!(cal.between(day("2026-10-25"), day("2026-10-26")), hours(25));
    assert_eq!(cal.between(day("2026-03-28"), day("2026-03-29")), hours(24));
}

#[test]
fn hours_across_a_dst_change_last_what_the_wall_clock_says() {
    let cal = calendar("Mon-Sun 01:00-04:00 Europe/Berlin");
    // 29 March: 01:00 CET to 04:00 CEST is two real hours.
    let opens = local(&cal, "2026-03-29 01:00");
    assert_eq!(cal.between(opens, opens + TimeDelta::hours(6)), hours(2));
    assert_eq!(
        show(&cal, cal.add(opens, minutes(90))),
        "Sun 2026-03-29 03:30"
    );
    // 25 October: 01:00 CEST to 04:00 CET is four real hours.
    let opens = local(&cal, "2026-10-25 01:00");
    assert_eq!(cal.between(opens, opens + TimeDelta::hours(6)), hours(4));
    assert_eq!(cal.add(opens, hours(4)), opens + TimeDelta::hours(4));
}

#[test]
fn an_opening_time_the_clocks_skip_opens_when_they_jump() {
    let cal = calendar("Sun 02:30-05:00 Europe/Berlin");
    let saturday = local(&cal, "2026-03-28 12:00");
    let opens = cal.next_opening(saturday).unwrap();
    // 02:00 CET jumps to 03:00 CEST, which is 01:00 UTC.
    assert_eq!(opens, utc("2026-03-29 01:00"));
    assert_eq!(show(&cal, opens), "Sun 2026-03-29 03:00");
    // A time shown twice counts from its first occurrence (CEST).
    let opens = cal.next_opening(local(&cal, "2026-10-24 12:00")).unwrap();
    assert_eq!(opens, utc("2026-10-25 00:30"));
    assert_eq!(
        cal.between(opens, opens + TimeDelta::hours(8)),
        minutes(210)
    );
}

#[test]
fn working_days_after_a_dst_weekend_keep_their_wall_clock_hours() {
    let cal = calendar("Mon-Fri 09:00-18:00 Europe/Berlin");
    let due = cal.add(local(&cal, "2026-03-27 17:50"), minutes(30));
    assert_eq!(show(&cal, due), "Mon 2026-03-30 09:20");
    assert_eq!(due, utc("2026-03-30 07:20"));
    let due = cal.add(local(&cal, "2026-10-23 17:50"), minutes(30));
    assert_eq!(show(&cal, due), "Mon 2026-10-26 09:20");
    assert_eq!(due, utc("2026-10-26 08:20"));
}

#[test]
fn a_night_shift_split_at_midnight_runs_through_it() {
    let cal = calendar("Mon-Fri 22:00-24:00; Tue-Sat 00:00-06:00 UTC");
    let late = utc("2026-01-19 23:30");
    assert_eq!(cal.add(late, minutes(60)), utc("2026-01-20 00:30"));
    assert_eq!(
        cal.between(utc("2026-01-19 23:00"), utc("2026-01-20 01:00")),
        hours(2)
    );
    assert!(cal.is_open(utc("2026-01-20 00:00")));
    assert_eq!(cal.next_opening(utc("2026-01-20 00:00")), None);
    // Saturday 06:00 to Monday 22:00 is closed.
    assert_eq!(
        cal.add(utc("2026-01-24 05:00"), hours(2)),
        utc("2026-01-26 23:00")
    );
}

#[test]
fn local_dates_and_days_follow_the_time_zone() {
    let cal = calendar(MOSCOW_OFFICE);
    let late_utc = utc("2026-01-16 22:30");
    assert_eq!(
        cal.local_date(late_utc),
        NaiveDate::from_ymd_opt(2026, 1, 17).unwrap()
    );
    assert_eq!(
        cal.start_of_local_day(NaiveDate::from_ymd_opt(2026, 1, 17).unwrap()),
        utc("2026-01-16 21:00")
    );
    assert_eq!(
        cal.next_local_time(
            local(&cal, "2026-01-16 10:00"),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        ),
        local(&cal, "2026-01-17 09:00")
    );
    assert_eq!(
        cal.next_local_time(
            local(&cal, "2026-01-16 08:59"),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        ),
        local(&cal, "2026-01-16 09:00")
    );
    // Strictly after: at 09:00 the next 09:00 is tomorrow's.
    assert_eq!(
        cal.next_local_time(
            local(&cal, "2026-01-16 09:00"),
            NaiveTime::from_hms_opt(9, 0, 0).unwrap()
        ),
        local(&cal, "2026-01-17 09:00")
    );
}

#[test]
fn the_schedule_forms_of_the_readme_are_read() {
    let cal = calendar("Mon,Wed,Fri 10:00-16:00 UTC");
    assert!(cal.is_open(utc("2026-01-21 10:00")));
    assert!(!cal.is_open(utc("2026-01-20 12:00")));
    assert_eq!(
        cal.to_string(),
        "Mon 10:00-16:00; Wed 10:00-16:00; Fri 10:00-16:00 UTC"
    );
    let cal = calendar("Fri-Mon 10:00-12:00 UTC");
    assert!(cal.is_open(utc("2026-01-18 11:00")), "Sunday");
    assert!(!cal.is_open(utc("2026-01-20 11:00")), "Tuesday");
    let cal = calendar("mon, wed - thu 9:00-13:00 14:00-18:00 Europe/Moscow");
    assert_eq!(
        cal.to_string(),
        "Mon 09:00-13:00 14:00-18:00; Wed-Thu 09:00-13:00 14:00-18:00 Europe/Moscow"
    );
    assert_eq!(calendar(MOSCOW_OFFICE).to_string(), MOSCOW_OFFICE);
    assert_eq!(
        calendar("Mon-Fri 09:00-18:00; Sat 10:00-14:00 Europe/Berlin").to_string(),
        "Mon-Fri 09:00-18:00; Sat 10:00-14:00 Europe/Berlin"
    );
    assert_eq!(BusinessCalendar::always().to_string(), "24/7 (UTC)");
    // Overlapping groups merge.
    let cal = calendar("Mon 09:00-12:00; Mon 11:00-13:00 UTC");
    assert_eq!(cal.to_string(), "Mon 09:00-13:00 UTC");
    let cal = BusinessCalendar::parse("Monday-Friday 09:00-18:00 UTC", " 2026-01-01 ,").unwrap();
    assert_eq!(cal.to_string(), "Mon-Fri 09:00-18:00 UTC, 1 holidays");
}

#[test]
fn malformed_schedules_are_refused_with_a_reason() {
    let refused = |hours: &str, holidays: &str, expected: &str| {
        let err = BusinessCalendar::parse(hours, holidays).expect_err(hours);
        assert!(err.contains(expected), "{hours:?} / {holidays:?}: {err}");
    };
    refused("Mon-Fri 09:00-18:00", "", "not an IANA time zone");
    refused(
        "Mon-Fri 09:00-18:00 Moscow",
        "",
        "\"Moscow\" is not an IANA time zone",
    );
    refused("Europe/Moscow", "", "expected days, hours and a time zone");
    refused("", "", "expected days, hours and a time zone");
    refused("Mon-Fri Europe/Moscow", "", "no hours");
    refused(
        "09:00-18:00 Europe/Moscow",
        "",
        "expected days like Mon-Fri",
    );
    refused("Mon-Fry 09:00-18:00 UTC", "", "\"Fry\" is not a day");
    refused("Mon-Fri 09:00 UTC", "", "expected hours like 09:00-18:00");
    refused("Mon-Fri 9-18:00 UTC", "", "\"9\" is not a time");
    refused("Mon-Fri 09:00-25:00 UTC", "", "\"25:00\" is not a time");
    refused("Mon-Fri 09:60-18:00 UTC", "", "\"09:60\" is not a time");
    refused(
        "Mon-Fri 18:00-09:00 UTC",
        "",
        "split a night shift at midnight",
    );
    refused("Mon-Fri 09:00-09:00 UTC", "", "must end after they start");
    refused("Mon-Fri 24:00-24:00 UTC", "", "must end after they start");
    refused(MOSCOW_OFFICE, "2026-13-01", "\"2026-13-01\" is not a date");
    refused(MOSCOW_OFFICE, "01.01.2026", "expected YYYY-MM-DD");
}

/// Calendars for the properties: a plain office, one with a lunch break,
/// DST and holidays, a night shift, and around the clock.
fn sample_calendars() -> Vec<BusinessCalendar> {
    vec![
        calendar(MOSCOW_OFFICE),
        BusinessCalendar::parse(
            "Mon-Fri 09:00-13:00 14:00-18:00; Sat 10:00-14:00 Europe/Berlin",
            "2026-04-03,2026-05-01,2026-12-24,2026-12-25",
        )
        .unwrap(),
        calendar("Mon-Fri 22:00-24:00; Tue-Sat 00:00-06:00 America/New_York"),
        calendar("Sun 01:30-03:30 Europe/Berlin"),
        BusinessCalendar::always(),
    ]
}

/// Moments in 2026 (both DST changes included), to the nanosecond.
fn moment() -> impl Strategy<Value = DateTime<Utc>> {
    let from = utc("2026-01-01 00:00").timestamp();
    let to = utc("2027-01-01 00:00").timestamp();
    (from..to, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
}

/// Up to 20 days of work, to the nanosecond.
fn work() -> impl Strategy<Value = Duration> {
    (0u64..20 * 86_400, 0u32..1_000_000_000).prop_map(|(secs, nanos)| Duration::new(secs, nanos))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn between_undoes_add(which in 0usize..5, start in moment(), work in work()) {
        let cal = &sample_calendars()[which];
        let due = cal.add(start, work);
        prop_assert!(due >= start);
        prop_assert_eq!(cal.between(start, due), work);
    }

    #[test]
    fn add_never_goes_back(which in 0usize..5, start in moment(), a in work(), b in work(), shift in work()) {
        let cal = &sample_calendars()[which];
        let (short, long) = (a.min(b), a.max(b));
        prop_assert!(cal.add(start, short) <= cal.add(start, long));
        let later = start + TimeDelta::from_std(shift).unwrap();
        prop_assert!(cal.add(start, short) <= cal.add(later, short));
    }

    #[test]
    fn adding_in_two_steps_is_adding_once(which in 0usize..5, start in moment(), a in work(), b in work()) {
        let cal = &sample_calendars()[which];
        prop_assert_eq!(cal.add(cal.add(start, a), b), cal.add(start, a + b));
    }

    #[test]
    fn subtract_undoes_add(which in 0usize..5, start in moment(), a in work(), b in work()) {
        let cal = &sample_calendars()[which];
        let end = cal.add(start, a + b);
        let back = cal.subtract(end, b);
        prop_assert_eq!(cal.between(back, end), b);
        if !a.is_zero() {
            prop_assert_eq!(back, cal.add(start, a));
        }
    }

    #[test]
    fn the_team_is_open_at_its_next_opening(which in 0usize..5, at in moment()) {
        let cal = &sample_calendars()[which];
        match cal.next_opening(at) {
            None => prop_assert!(cal.is_open(at)),
            Some(opens) => {
                prop_assert!(!cal.is_open(at));
                prop_assert!(opens > at);
                prop_assert!(cal.is_open(opens));
                prop_assert_eq!(cal.between(at, opens), Duration::ZERO);
            }
        }
    }
}
