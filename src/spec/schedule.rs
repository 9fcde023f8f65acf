//! A spec's `schedule`: the 5-field crontab form (minute hour day-of-month month
//! day-of-week) in an IANA time zone, read with `croner` in its crontab-compatible mode
//! (0 and 7 are Sunday; when both day fields are restricted, either one matching fires).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// When a scheduled job runs.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// The expression as written in the spec.
    pub expr: String,
    pub timezone: Tz,
    cron: Cron,
}

impl Schedule {
    /// Parses a crontab expression; the error says what is wrong with it.
    pub fn parse(expr: &str, timezone: Tz) -> Result<Schedule, String> {
        let fields = expr.split_whitespace().count();
        if !expr.trim_start().starts_with('@') && fields != 5 {
            return Err(format!(
                "a schedule has 5 fields (minute hour day-of-month month day-of-week), this one has {fields}"
            ));
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser.parse(expr).map_err(|e| e.to_string())?;
        Ok(Schedule {
            expr: expr.to_string(),
            timezone,
            cron,
        })
    }

    /// The first time strictly after `after` at which the job is due.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = after.with_timezone(&self.timezone);
        self.cron
            .find_next_occurrence(&local, false)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// The latest time at or before `at` at which the job was due (its latest slot).
    pub fn latest_at_or_before(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&self.timezone);
        self.cron
            .find_previous_occurrence(&local, true)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    /// Whether the job is due in the minute that `at` falls in.
    pub fn fires_at(&self, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&self.timezone);
        self.cron.is_time_matching(&local).unwrap_or(false)
    }
}

/// Parses an IANA zone name; the error names the closest zone when one is close.
pub fn parse_timezone(name: &str) -> Result<Tz, Option<String>> {
    if let Ok(tz) = name.parse::<Tz>() {
        return Ok(tz);
    }
    let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
    Err(super::closest(name, names).map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .expect("a real time")
    }

    #[test]
    fn one_to_five_fires_monday_to_friday_at_six_and_never_at_the_weekend() {
        let s = Schedule::parse("0 6 * * 1-5", Tz::UTC).expect("valid");
        // 2026-03-02 is a Monday.
        for day in 2..=8 {
            let at = utc(2026, 3, day, 6, 0);
            let weekday = at.weekday();
            let weekend = matches!(weekday, Weekday::Sat | Weekday::Sun);
            assert_eq!(s.fires_at(at), !weekend, "{weekday}");
            assert!(!s.fires_at(utc(2026, 3, day, 7, 0)));
        }
        // From Friday 06:00, the next run is Monday 06:00.
        let next = s.next_after(utc(2026, 3, 6, 6, 0)).expect("a next run");
        assert_eq!(next, utc(2026, 3, 9, 6, 0));
        assert_eq!(next.weekday(), Weekday::Mon);
    }

    #[test]
    fn the_latest_slot_is_the_last_due_time_at_or_before_a_moment() {
        let s = Schedule::parse("0 6 * * 1-5", Tz::Europe__Berlin).expect("valid");
        // Monday 2026-03-02 06:00 Berlin is 05:00 UTC.
        let slot = utc(2026, 3, 2, 5, 0);
        assert_eq!(s.latest_at_or_before(slot), Some(slot));
        assert_eq!(
            s.latest_at_or_before(slot + chrono::Duration::seconds(30)),
            Some(slot)
        );
        // Sunday evening: the latest slot is Friday's.
        assert_eq!(
            s.latest_at_or_before(utc(2026, 3, 8, 20, 0)),
            Some(utc(2026, 3, 6, 5, 0))
        );
    }

    #[test]
    fn zero_and_seven_both_mean_sunday() {
        let sunday = utc(2026, 3, 8, 12, 0);
        assert_eq!(sunday.weekday(), Weekday::Sun);
        for expr in ["0 12 * * 0", "0 12 * * 7", "0 12 * * SUN"] {
            let s = Schedule::parse(expr, Tz::UTC).expect("valid");
            assert!(s.fires_at(sunday), "{expr}");
            assert!(!s.fires_at(utc(2026, 3, 7, 12, 0)), "{expr} on Saturday");
            assert!(!s.fires_at(utc(2026, 3, 9, 12, 0)), "{expr} on Monday");
        }
    }

    #[test]
    fn the_schedule_runs_in_its_time_zone() {
        let s = Schedule::parse("0 6 * * 1-5", Tz::Europe__Berlin).expect("valid");
        // 06:00 in Berlin is 05:00 UTC in winter (CET) and 04:00 UTC in summer (CEST).
        assert_eq!(
            s.next_after(utc(2026, 1, 5, 0, 0)),
            Some(utc(2026, 1, 5, 5, 0))
        );
        let summer = s.next_after(utc(2026, 7, 6, 0, 0)).expect("a next run");
        assert_eq!((summer.hour(), summer.minute()), (4, 0));
    }

    #[test]
    fn a_schedule_has_five_fields_and_valid_values() {
        assert!(Schedule::parse("0 0 6 * * 1-5", Tz::UTC).is_err());
        assert!(Schedule::parse("0 6 * *", Tz::UTC).is_err());
        assert!(Schedule::parse("61 6 * * *", Tz::UTC).is_err());
        assert!(Schedule::parse("0 6 * * 8", Tz::UTC).is_err());
        assert!(Schedule::parse("*/15 9-17 1,15 * *", Tz::UTC).is_ok());
        assert!(Schedule::parse("@daily", Tz::UTC).is_ok());
    }

    #[test]
    fn an_unknown_zone_names_the_closest_one() {
        assert_eq!(parse_timezone("Europe/Berlin"), Ok(Tz::Europe__Berlin));
        assert_eq!(
            parse_timezone("Europe/Berln"),
            Err(Some("Europe/Berlin".into()))
        );
        assert_eq!(parse_timezone("Mars/Olympus_Mons_Base"), Err(None));
    }

    proptest::proptest! {
        #[test]
        fn any_expression_is_read_without_panic(expr in "[0-9*/,\\-A-Z@LW# ]{0,24}") {
            if let Ok(s) = Schedule::parse(&expr, Tz::Europe__Berlin) {
                let _ = s.next_after(utc(2026, 3, 29, 0, 30));
            }
        }
    }
}
