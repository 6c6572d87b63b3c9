//! Typed values: what evidence cells hold once converted, and what expressions compute.
//!
//! Dates are days since 1970-01-01, date-times and durations are microseconds (UTC for
//! date-times), so comparisons and differences are integer operations and a column of
//! them is a plain `Vec` of integers.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Microseconds in common units; durations and date-times are counted in microseconds.
pub const MICROS_PER_SECOND: i64 = 1_000_000;
/// Microseconds in a minute.
pub const MICROS_PER_MINUTE: i64 = 60 * MICROS_PER_SECOND;
/// Microseconds in an hour.
pub const MICROS_PER_HOUR: i64 = 60 * MICROS_PER_MINUTE;
/// Microseconds in a (24-hour) day.
pub const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// The type of a field, parameter or expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Type {
    /// Free text.
    Text,
    /// A whole number.
    Int,
    /// A decimal number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A calendar date without time of day.
    Date,
    /// An instant (stored in UTC).
    DateTime,
    /// An exact length of time (`24h`, `30d`).
    Duration,
    /// A calendar span in months (`12 months`, `1 year`): its length depends on the date it is added to.
    Months,
    /// A percentage (`95%`).
    Percent,
    /// A list of text values.
    List,
    /// The type of `none` alone: fits anywhere.
    Null,
}

impl Type {
    /// The name users write and read in diagnostics.
    pub fn name(self) -> &'static str {
        match self {
            Type::Text => "text",
            Type::Int => "int",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Date => "date",
            Type::DateTime => "datetime",
            Type::Duration => "duration",
            Type::Months => "calendar span",
            Type::Percent => "percent",
            Type::List => "list",
            Type::Null => "none",
        }
    }

    /// Parses a type name as written in a `field` declaration.
    pub fn from_name(name: &str) -> Option<Type> {
        Some(match name {
            "text" => Type::Text,
            "int" => Type::Int,
            "number" => Type::Number,
            "bool" => Type::Bool,
            "date" => Type::Date,
            "datetime" => Type::DateTime,
            "duration" => Type::Duration,
            "percent" => Type::Percent,
            "list" => Type::List,
            _ => return None,
        })
    }

    /// True for `int` and `number`, which mix freely in arithmetic and comparisons.
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Int | Type::Number)
    }
}

/// `{}` writes the name (`int`); `{:#}` writes it with an article (`an int`), for messages.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.write_str(if *self == Type::Int { "an " } else { "a " })?;
        }
        f.write_str(self.name())
    }
}

/// A value: a converted evidence cell or the result of an expression.
///
/// Text borrows from the evidence tables where it can, so reading a cell allocates nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// Absent: an empty cell, a null token, or an unknown result.
    None,
    /// A boolean.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A decimal number (never NaN or infinite).
    Number(f64),
    /// A percentage; `95.0` is 95 %.
    Percent(f64),
    /// Text.
    Text(Cow<'a, str>),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since 1970-01-01T00:00:00Z.
    DateTime(i64),
    /// Microseconds.
    Duration(i64),
    /// A calendar span in months.
    Months(i32),
    /// A list of text values.
    List(Vec<Cow<'a, str>>),
}

impl Value<'_> {
    /// Copies any borrowed text so the value outlives the table it came from.
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Value::None => Value::None,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Number(n) => Value::Number(n),
            Value::Percent(p) => Value::Percent(p),
            Value::Text(t) => Value::Text(Cow::Owned(t.into_owned())),
            Value::Date(d) => Value::Date(d),
            Value::DateTime(t) => Value::DateTime(t),
            Value::Duration(d) => Value::Duration(d),
            Value::Months(m) => Value::Months(m),
            Value::List(items) => {
                Value::List(items.into_iter().map(|s| Cow::Owned(s.into_owned())).collect())
            }
        }
    }

    /// True for [`Value::None`].
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// Orders two values of comparable types; `None` when either is absent or the types differ.
    ///
    /// Ints and numbers compare numerically; a date compares with a date-time as midnight UTC
    /// of that date (the semantics of `as_of`).
    pub fn compare(&self, other: &Value<'_>) -> Option<Ordering> {
        use Value as V;
        match (self, other) {
            (V::Int(a), V::Int(b)) => Some(a.cmp(b)),
            (V::Int(a), V::Number(b)) => (*a as f64).partial_cmp(b),
            (V::Number(a), V::Int(b)) => a.partial_cmp(&(*b as f64)),
            (V::Number(a), V::Number(b)) => a.partial_cmp(b),
            (V::Percent(a), V::Percent(b)) => a.partial_cmp(b),
            (V::Text(a), V::Text(b)) => Some(a.as_ref().cmp(b.as_ref())),
            (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
            (V::Date(a), V::Date(b)) => Some(a.cmp(b)),
            (V::DateTime(a), V::DateTime(b)) => Some(a.cmp(b)),
            (V::Date(a), V::DateTime(b)) => Some(date_to_micros(*a).cmp(b)),
            (V::DateTime(a), V::Date(b)) => Some(a.cmp(&date_to_micros(*b))),
            (V::Duration(a), V::Duration(b)) => Some(a.cmp(b)),
            (V::Months(a), V::Months(b)) => Some(a.cmp(b)),
            (V::List(a), V::List(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

/// The first date a value may hold: 0001-01-01, as days since 1970-01-01.
pub const MIN_DATE: i32 = -719_162;
/// The last date a value may hold: 9999-12-31, as days since 1970-01-01.
pub const MAX_DATE: i32 = 2_932_896;
/// The first instant a value may hold: 0001-01-01T00:00:00Z, in microseconds.
pub const MIN_INSTANT: i64 = MIN_DATE as i64 * MICROS_PER_DAY;
/// The last instant a value may hold: 9999-12-31T23:59:59.999999Z, in microseconds.
pub const MAX_INSTANT: i64 = (MAX_DATE as i64 + 1) * MICROS_PER_DAY - 1;

/// The one checked constructor of dates: `days` since 1970-01-01 when the date lies in
/// years 1 to 9999, `None` otherwise.
///
/// Evidence, rule literals, `--as-of` and every date arithmetic produce dates through it
/// (or through [`checked_instant`]), so a date out of that range is an error where it is
/// computed rather than a value that compares or prints wrongly later.
pub fn checked_date(days: i64) -> Option<i32> {
    if (i64::from(MIN_DATE)..=i64::from(MAX_DATE)).contains(&days) {
        i32::try_from(days).ok()
    } else {
        None
    }
}

/// The one checked constructor of instants: `micros` since the epoch when the instant lies
/// in years 1 to 9999 (UTC), `None` otherwise. See [`checked_date`].
pub fn checked_instant(micros: i64) -> Option<i64> {
    (MIN_INSTANT..=MAX_INSTANT).contains(&micros).then_some(micros)
}

/// Midnight UTC of a date, in microseconds since the epoch.
///
/// Exact for every date of years 1 to 9999 (all the dates [`checked_date`] admits);
/// saturates beyond, so even a date that bypassed it cannot overflow.
pub fn date_to_micros(days: i32) -> i64 {
    i64::from(days).saturating_mul(MICROS_PER_DAY)
}

/// The UTC date of an instant.
pub fn micros_to_date(micros: i64) -> i32 {
    // Days are at most ±106 million for any i64 of microseconds, well inside i32.
    micros.div_euclid(MICROS_PER_DAY) as i32
}

/// Year, month (1–12) and day (1–31) of a day count since 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    // Howard Hinnant's days_from_civil inverse; exact for every i32 day count.
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (y as i32, m, d)
}

/// Days since 1970-01-01 of a civil date; the date must be valid.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// Number of days in a month of the proleptic Gregorian calendar; 0 for a month that is
/// not 1–12.
pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// `2026-11-22`
pub fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `2026-11-22T09:15:00Z`, with fractional seconds only when there are any.
pub fn format_datetime(micros: i64) -> String {
    let days = micros_to_date(micros);
    let rem = micros - date_to_micros(days);
    let (h, rem) = (rem / MICROS_PER_HOUR, rem % MICROS_PER_HOUR);
    let (min, rem) = (rem / MICROS_PER_MINUTE, rem % MICROS_PER_MINUTE);
    let (s, frac) = (rem / MICROS_PER_SECOND, rem % MICROS_PER_SECOND);
    let date = format_date(days);
    if frac == 0 {
        format!("{date}T{h:02}:{min:02}:{s:02}Z")
    } else {
        let frac = format!("{frac:06}");
        format!("{date}T{h:02}:{min:02}:{s:02}.{}Z", frac.trim_end_matches('0'))
    }
}

/// A duration the way people say it, exactly: `47d 2h 5min`, `31h`, `24h 0min 27s`,
/// `1.5s`, `250ms`, `0s`, `-3d`.
///
/// Nothing is rounded away: a finding prints the value that failed, and `24h 0min 27s`
/// must never read as `24h` next to a limit of `<= 24h`. Units between the largest and the
/// smallest non-zero one are all written (`0min`) so the reading is unambiguous.
pub fn format_duration(micros: i64) -> String {
    if micros == 0 {
        return "0s".to_string();
    }
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let (day, hour, minute, second) = (
        MICROS_PER_DAY as u64,
        MICROS_PER_HOUR as u64,
        MICROS_PER_MINUTE as u64,
        MICROS_PER_SECOND as u64,
    );
    if abs < second {
        // Under a second: milliseconds, with a fraction for what is left of them.
        return format!("{sign}{}ms", decimal(abs / 1000, abs % 1000, 3));
    }
    // Under three days people count hours: "31h", not "1d 7h".
    let (days, rest) = if abs >= 3 * day {
        (abs / day, abs % day)
    } else {
        (0, abs)
    };
    let units = [
        (days, "d"),
        (rest / hour, "h"),
        (rest % hour / minute, "min"),
        (rest % minute / second, "s"),
    ];
    let fraction = rest % second;
    let first = units.iter().position(|(n, _)| *n > 0).unwrap_or(3);
    let last = if fraction > 0 {
        3
    } else {
        units.iter().rposition(|(n, _)| *n > 0).unwrap_or(3)
    };
    let mut parts = Vec::new();
    for (i, (n, name)) in units.iter().enumerate().take(last + 1).skip(first) {
        if i == 3 && fraction > 0 {
            parts.push(format!("{}s", decimal(*n, fraction, 6)));
        } else {
            parts.push(format!("{n}{name}"));
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// `whole.fraction` with the fraction written in `digits` digits, trailing zeros dropped.
fn decimal(whole: u64, fraction: u64, digits: usize) -> String {
    if fraction == 0 {
        return whole.to_string();
    }
    let fraction = format!("{fraction:0digits$}");
    format!("{whole}.{}", fraction.trim_end_matches('0'))
}

/// A number without a spurious fraction: `30`, `4.5`, `93.33`.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::Percent(p) => write!(f, "{}%", format_number(*p)),
            Value::Text(t) => f.write_str(t),
            Value::Date(d) => f.write_str(&format_date(*d)),
            Value::DateTime(t) => f.write_str(&format_datetime(*t)),
            Value::Duration(d) => f.write_str(&format_duration(*d)),
            Value::Months(m) if m % 12 == 0 && *m != 0 => {
                let y = m / 12;
                write!(f, "{y} year{}", if y.abs() == 1 { "" } else { "s" })
            }
            Value::Months(m) => write!(f, "{m} month{}", if m.abs() == 1 { "" } else { "s" }),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item:?}")?;
                }
                f.write_str("]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_prints_every_unit_it_has() {
        // 86 427 s against `<= 24h`: the finding must not read "24h, not <= 24h".
        assert_eq!(format_duration(86_427 * MICROS_PER_SECOND), "24h 0min 27s");
        assert_eq!(format_duration(24 * MICROS_PER_HOUR), "24h");
        assert_eq!(format_duration(30 * MICROS_PER_DAY + 1), "30d 0h 0min 0.000001s");
        assert_eq!(
            format_duration(
                47 * MICROS_PER_DAY + 2 * MICROS_PER_HOUR + 5 * MICROS_PER_MINUTE + 3 * MICROS_PER_SECOND
            ),
            "47d 2h 5min 3s"
        );
        assert_eq!(format_duration(i64::MIN), "-106751991d 4h 0min 54.775808s");
        // Every duration a second or more that is not a whole unit shows its remainder.
        for micros in [86_400_000_001, 3_600_000_001, 60_000_001, 1_000_001] {
            assert!(format_duration(micros).contains(".000001s"), "{micros}");
        }
    }

    #[test]
    fn dates_outside_years_1_to_9999_are_refused() {
        assert_eq!(checked_date(i64::from(MIN_DATE)), Some(MIN_DATE));
        assert_eq!(checked_date(i64::from(MAX_DATE)), Some(MAX_DATE));
        assert_eq!(checked_date(i64::from(MIN_DATE) - 1), None);
        assert_eq!(checked_date(i64::from(MAX_DATE) + 1), None);
        assert_eq!(format_date(MIN_DATE), "0001-01-01");
        assert_eq!(format_date(MAX_DATE), "9999-12-31");
        assert_eq!(days_from_civil(1, 1, 1), MIN_DATE);
        assert_eq!(days_from_civil(9999, 12, 31), MAX_DATE);
        assert_eq!(checked_instant(MIN_INSTANT), Some(MIN_INSTANT));
        assert_eq!(checked_instant(MAX_INSTANT), Some(MAX_INSTANT));
        assert_eq!(checked_instant(MIN_INSTANT - 1), None);
        assert_eq!(checked_instant(MAX_INSTANT + 1), None);
        assert_eq!(format_datetime(MAX_INSTANT), "9999-12-31T23:59:59.999999Z");
        // Out-of-range dates that bypassed the constructor saturate instead of overflowing.
        assert_eq!(date_to_micros(i32::MIN), i64::MIN);
        assert_eq!(date_to_micros(i32::MAX), i64::MAX);
    }

    #[test]
    fn civil_conversion_round_trips() {
        for days in [-719_468, -1, 0, 1, 20_779, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(format_date(20_779), "2026-11-22");
    }

    #[test]
    fn values_display_for_people() {
        assert_eq!(
            format_duration(47 * MICROS_PER_DAY + 2 * MICROS_PER_HOUR),
            "47d 2h"
        );
        assert_eq!(format_duration(31 * MICROS_PER_HOUR), "31h");
        assert_eq!(format_duration(-3 * MICROS_PER_DAY), "-3d");
        assert_eq!(format_duration(90 * MICROS_PER_MINUTE), "1h 30min");
        assert_eq!(format_duration(250_000), "250ms");
        assert_eq!(format_duration(1), "0.001ms");
        assert_eq!(format_duration(1_500_000), "1.5s");
        assert_eq!(
            format_datetime(date_to_micros(20_779) + 9 * MICROS_PER_HOUR + 15 * MICROS_PER_MINUTE),
            "2026-11-22T09:15:00Z"
        );
        assert_eq!(Value::Percent(93.333).to_string(), "93.33%");
        assert_eq!(Value::Months(12).to_string(), "1 year");
    }
}
