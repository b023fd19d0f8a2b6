//! Moments and the calendar, in one place: Connect's ISO 8601 timestamps read once into a [`Moment`], and
//! a moment written back as a date, a timestamp or a SOQL datetime literal. UTC throughout, as both Connect
//! and Salesforce's REST API give and take times.

use std::time::{SystemTime, UNIX_EPOCH};

/// A moment, as milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Moment(pub i64);

impl Moment {
    /// A UTC ISO 8601 timestamp as Connect writes them (`2026-12-06T10:00:05Z`, `2026-12-06T10:00:05.123Z`);
    /// `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().strip_suffix('Z')?;
        let (date, time) = text.split_once('T')?;
        let mut date = date.split('-').map(|p| p.parse::<i64>().ok());
        let (year, month, day) = (date.next()??, date.next()??, date.next()??);
        let (time, fraction) = time.split_once('.').unwrap_or((time, ""));
        let mut time = time.split(':').map(|p| p.parse::<i64>().ok());
        let (hour, minute, second) = (time.next()??, time.next()??, time.next()??);
        if date.next().is_some() || time.next().is_some() {
            return None;
        }
        let sane = (0..=9999).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day);
        if !sane || !(0..=23).contains(&hour) || !(0..=59).contains(&minute) || !(0..=60).contains(&second) {
            return None;
        }
        let millis = if fraction.is_empty() {
            0
        } else {
            if !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
            digits.parse::<i64>().ok()?
        };
        let days = days_from_civil(year, month, day);
        Some(Self(((days * 86_400 + hour * 3600 + minute * 60 + second) * 1000) + millis))
    }

    /// A moment of the system clock; one before 1970 is 1970's first.
    pub fn from_system(moment: SystemTime) -> Self {
        let millis = moment.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        Self(i64::try_from(millis).unwrap_or(i64::MAX))
    }

    /// Whole seconds from `earlier` to `self`, never negative.
    pub fn seconds_since(self, earlier: Self) -> u64 {
        u64::try_from((self.0 - earlier.0) / 1000).unwrap_or(0)
    }

    /// The UTC date: `2026-12-06`.
    pub fn date(self) -> String {
        let (year, month, day) = civil_from_days(self.0.div_euclid(86_400_000));
        format!("{year:04}-{month:02}-{day:02}")
    }

    /// To the second, as SOQL writes a datetime literal and Connect a timestamp: `2026-12-06T10:00:05Z`.
    pub fn to_seconds_text(self) -> String {
        let seconds = self.0.div_euclid(1000).rem_euclid(86_400);
        format!("{}T{:02}:{:02}:{:02}Z", self.date(), seconds / 3600, seconds % 3600 / 60, seconds % 60)
    }

    /// As Connect wrote it: `2026-12-06T10:00:05Z`, or with its milliseconds when it had some
    /// (`2026-12-06T10:00:05.250Z`).
    pub fn to_text(self) -> String {
        match self.0.rem_euclid(1000) {
            0 => self.to_seconds_text(),
            millis => format!("{}.{millis:03}Z", self.to_seconds_text().trim_end_matches('Z')),
        }
    }
}

/// Days from 1970-01-01 to the Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(text: &str) -> Moment {
        Moment::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn moments_compare_whatever_their_precision() {
        assert_eq!(at("1970-01-01T00:00:01Z"), Moment(1000));
        assert!(at("2026-12-06T10:00:05.001Z") > at("2026-12-06T10:00:05Z"));
        assert_eq!(at("2026-12-06T10:01:40Z").seconds_since(at("2026-12-06T10:00:05.500Z")), 94);
        assert_eq!(at("2026-12-06T10:00:05Z").seconds_since(at("2026-12-06T10:01:40Z")), 0, "never negative");
        assert_eq!(at("2024-03-01T00:00:00Z").0 - at("2024-02-28T00:00:00Z").0, 2 * 86_400_000, "a leap year");
        for bad in [
            "2026-12-06 10:00:05",
            "2026-13-06T10:00:05Z",
            "yesterday",
            "2026-12-06T10:00:05+01:00",
            "2026-12-06T24:00:00Z",
            "2026-12-06T10:00:05.x1Z",
            "2026-12-06-01T10:00:05Z",
        ] {
            assert_eq!(Moment::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_moment_is_written_back_as_it_was_read() {
        for text in
            ["2026-12-06T10:02:30Z", "2026-12-06T10:03:05.250Z", "2000-02-29T23:59:59.001Z", "1970-01-01T00:00:00Z"]
        {
            assert_eq!(at(text).to_text(), text);
        }
        assert_eq!(at("2026-12-06T10:03:05.25Z").to_text(), "2026-12-06T10:03:05.250Z");
        assert_eq!(at("2026-12-06T23:59:59.999Z").date(), "2026-12-06");
        assert_eq!(at("2026-12-06T10:03:05.999Z").to_seconds_text(), "2026-12-06T10:03:05Z");
    }

    #[test]
    fn the_system_clock_is_read_in_utc() {
        let from = |seconds: u64| Moment::from_system(UNIX_EPOCH + Duration::from_secs(seconds)).to_seconds_text();
        assert_eq!(from(0), "1970-01-01T00:00:00Z");
        assert_eq!(from(951_782_400), "2000-02-29T00:00:00Z", "a leap day");
        assert_eq!(from(1_798_657_200 + 65), "2026-12-30T19:01:05Z");
        assert_eq!(from(4_107_542_399), "2100-02-28T23:59:59Z", "2100 is no leap year");
        assert_eq!(Moment::from_system(UNIX_EPOCH - Duration::from_secs(1)), Moment(0), "before 1970");
    }

    #[test]
    fn the_two_calendar_halves_agree() {
        for days in (-800_000..800_000).step_by(997) {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days, "{year}-{month}-{day}");
        }
    }
}
