//! The org's clock: record timestamps written as Salesforce writes them (`2026-11-30T19:05:00.000+0000`),
//! and datetimes read back from those or from SOQL literals (`2026-11-30T19:05:00Z`) as seconds since 1970.
//! A leaf.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, as a record's `LastModifiedDate` holds it.
pub(crate) fn now() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    timestamp(i64::try_from(seconds).unwrap_or(i64::MAX))
}

/// `seconds` since 1970 as a record's timestamp.
pub(crate) fn timestamp(seconds: i64) -> String {
    let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.000+0000", time / 3600, time % 3600 / 60, time % 60)
}

/// Seconds since 1970 of `2026-11-30T19:05:00Z`, `…T19:05:00.000+0000` or `…T19:05:00.000Z` (UTC only).
pub(crate) fn seconds(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let time = time.strip_suffix('Z').or_else(|| time.strip_suffix("+0000"))?;
    let time = time.split_once('.').map_or(time, |(whole, _)| whole);
    let mut clock = time.splitn(3, ':').map(str::parse::<i64>);
    let (hour, minute, second) = (clock.next()?.ok()?, clock.next()?.ok()?, clock.next()?.ok()?);
    Some(days(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days from 1970-01-01 to a Gregorian date (Howard Hinnant's `days_from_civil`).
fn days(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Gregorian date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_literals_read_back_to_the_same_second() {
        for seconds_since in [0, 951_782_400, 1_798_657_265, 4_107_542_399] {
            assert_eq!(seconds(&timestamp(seconds_since)), Some(seconds_since), "{}", timestamp(seconds_since));
        }
        assert_eq!(timestamp(951_782_400), "2000-02-29T00:00:00.000+0000");
        assert_eq!(seconds("2026-12-30T19:01:05Z"), Some(1_798_657_265));
        assert_eq!(seconds("2026-12-30T19:01:05+0100"), None, "UTC only");
        assert_eq!(seconds("yesterday"), None);
    }
}
