//! Instants, calendar dates and the Helsinki wall clock.
//!
//! Instants are Unix seconds (UTC) and dates are days since 1970-01-01: plain integers keep
//! millions of rows cheap. jiff's bundled tz database supplies the Helsinki offsets, so the
//! output does not depend on the machine's tzdata.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Seconds in a minute.
pub const MINUTE: i64 = 60;
/// Seconds in an hour.
pub const HOUR: i64 = 3_600;
/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// The evaluation instant of the sample: 2026-11-22T00:00:00Z.
pub const AS_OF: i64 = 1_795_305_600;
/// The day of [`AS_OF`].
pub const AS_OF_DAY: i64 = AS_OF / DAY;
/// First day of the 18-month window the evidence spans (2025-05-22).
pub const WINDOW_START_DAY: i64 = days_from_civil(2025, 5, 22);

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day number.
pub const fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// Day of the week, 0 = Monday.
pub const fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// The Europe/Helsinki offsets over the years the evidence can touch.
#[derive(Debug, Clone)]
pub struct Helsinki {
    /// `(instant from which the offset applies, offset in seconds)`, sorted.
    spans: Vec<(i64, i64)>,
}

impl Helsinki {
    /// Reads the offsets from jiff's bundled database once.
    pub fn new() -> Result<Self, jiff::Error> {
        let tz = TimeZone::get("Europe/Helsinki")?;
        // EU transitions fall on whole hours, so hourly sampling finds every one.
        let from = days_from_civil(2023, 1, 1) * DAY;
        let to = days_from_civil(2029, 1, 1) * DAY;
        let mut spans: Vec<(i64, i64)> = Vec::new();
        let mut t = from;
        while t < to {
            let off = i64::from(tz.to_offset(Timestamp::from_second(t)?).seconds());
            if spans.last().is_none_or(|&(_, o)| o != off) {
                spans.push((t, off));
            }
            t += HOUR;
        }
        Ok(Helsinki { spans })
    }

    /// The UTC offset in force at `ts`.
    pub fn offset(&self, ts: i64) -> i64 {
        let i = self.spans.partition_point(|&(start, _)| start <= ts);
        self.spans
            .get(i.saturating_sub(1))
            .map_or(2 * HOUR, |&(_, off)| off)
    }

    /// The instant of a Helsinki wall-clock time; `local` counts seconds as if the wall clock
    /// were UTC. An ambiguous time takes the earlier instant and a skipped one the later,
    /// as jiff's "compatible" strategy does (the generator avoids both).
    pub fn to_utc(&self, local: i64) -> i64 {
        for off in [3 * HOUR, 2 * HOUR] {
            let utc = local - off;
            if self.offset(utc) == off {
                return utc;
            }
        }
        // In the spring gap: the offset before the change (winter time) gives the later instant.
        local - 2 * HOUR
    }

    /// The Helsinki wall clock of an instant, as seconds counted as if it were UTC.
    pub fn to_local(&self, ts: i64) -> i64 {
        ts + self.offset(ts)
    }

    /// The instant of `day` at `hh:mm` Helsinki time.
    pub fn at(&self, day: i64, hh: i64, mm: i64) -> i64 {
        self.to_utc(day * DAY + hh * HOUR + mm * MINUTE)
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn two(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn four(out: &mut Vec<u8>, v: i64) {
    two(out, v / 100);
    two(out, v % 100);
}

/// `2026-01-31`: registers, LMS.
pub fn put_date(out: &mut Vec<u8>, day: i64) {
    let (y, m, d) = civil_from_days(day);
    four(out, y);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
}

/// `2026-01-31 14:05:00` (UTC): ServiceNow.
pub fn put_servicenow(out: &mut Vec<u8>, ts: i64) {
    put_date(out, ts.div_euclid(DAY));
    let s = ts.rem_euclid(DAY);
    out.push(b' ');
    two(out, s / HOUR);
    out.push(b':');
    two(out, s % HOUR / MINUTE);
    out.push(b':');
    two(out, s % MINUTE);
}

/// `2026-01-31T14:05:00.123Z`: Okta `published`.
pub fn put_okta(out: &mut Vec<u8>, ts_ms: i64) {
    let ts = ts_ms.div_euclid(1000);
    put_date(out, ts.div_euclid(DAY));
    let s = ts.rem_euclid(DAY);
    out.push(b'T');
    two(out, s / HOUR);
    out.push(b':');
    two(out, s % HOUR / MINUTE);
    out.push(b':');
    two(out, s % MINUTE);
    out.push(b'.');
    let ms = ts_ms.rem_euclid(1000);
    out.push(b'0' + (ms / 100) as u8);
    two(out, ms % 100);
    out.push(b'Z');
}

/// `31/01/2026 17:00` from a Helsinki wall-clock value: the HR report.
pub fn put_hr(out: &mut Vec<u8>, local: i64) {
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let s = local.rem_euclid(DAY);
    two(out, d);
    out.push(b'/');
    two(out, m);
    out.push(b'/');
    four(out, y);
    out.push(b' ');
    two(out, s / HOUR);
    out.push(b':');
    two(out, s % HOUR / MINUTE);
}

/// `22/Nov/26 9:15 AM` from a wall-clock value: Jira (`%d/%b/%y %-I:%M %p`).
fn put_jira_local(out: &mut Vec<u8>, local: i64) {
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let s = local.rem_euclid(DAY);
    two(out, d);
    out.push(b'/');
    out.extend_from_slice(MONTHS[(m - 1) as usize].as_bytes());
    out.push(b'/');
    two(out, y % 100);
    out.push(b' ');
    let h24 = s / HOUR;
    let h12 = match h24 % 12 {
        0 => 12,
        h => h,
    };
    if h12 >= 10 {
        two(out, h12);
    } else {
        out.push(b'0' + h12 as u8);
    }
    out.push(b':');
    two(out, s % HOUR / MINUTE);
    out.extend_from_slice(if h24 < 12 { b" AM" } else { b" PM" });
}

/// A Jira date-time field: the instant on the Helsinki wall clock.
pub fn put_jira(out: &mut Vec<u8>, hel: &Helsinki, ts: i64) {
    put_jira_local(out, hel.to_local(ts));
}

/// A Jira date-picker field, exported with midnight appended (`17/Sep/26 12:00 AM`).
pub fn put_jira_date(out: &mut Vec<u8>, day: i64) {
    put_jira_local(out, day * DAY);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(days_from_civil(2026, 11, 22), AS_OF_DAY);
        assert_eq!(civil_from_days(AS_OF_DAY), (2026, 11, 22));
        assert_eq!(weekday(AS_OF_DAY), 6); // a Sunday
    }

    #[test]
    fn formats() {
        let hel = Helsinki::new().unwrap();
        let ts = hel.at(days_from_civil(2026, 11, 22), 9, 15);
        assert_eq!(s(|o| put_jira(o, &hel, ts)), "22/Nov/26 9:15 AM");
        assert_eq!(
            s(|o| put_jira_date(o, days_from_civil(2026, 9, 17))),
            "17/Sep/26 12:00 AM"
        );
        assert_eq!(s(|o| put_servicenow(o, ts)), "2026-11-22 07:15:00");
        assert_eq!(s(|o| put_okta(o, ts * 1000 + 123)), "2026-11-22T07:15:00.123Z");
        assert_eq!(s(|o| put_hr(o, hel.to_local(ts))), "22/11/2026 09:15");
        let pm = hel.at(days_from_civil(2026, 1, 2), 12, 5);
        assert_eq!(s(|o| put_jira(o, &hel, pm)), "02/Jan/26 12:05 PM");
    }

    #[test]
    fn helsinki_dst() {
        let hel = Helsinki::new().unwrap();
        // Summer time: UTC+3; winter: UTC+2.
        let summer = hel.at(days_from_civil(2026, 3, 30), 17, 0);
        assert_eq!(summer % DAY, 14 * HOUR);
        let winter = hel.at(days_from_civil(2026, 3, 27), 17, 0);
        assert_eq!(winter % DAY, 15 * HOUR);
    }
}
