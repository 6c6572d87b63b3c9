//! Dates and date-times: declared strftime-like formats, ISO 8601, zones and DST.
//!
//! Directives (all parse ASCII; month names are English, case-insensitive):
//! `%Y` 4-digit year, `%y` 2-digit year (mapped into `[pivot, pivot + 99]`), `%m` `%d` `%H`
//! `%I` `%M` `%S` exactly 2 digits, `%-m` `%-d` `%-H` `%-I` 1 or 2 digits, `%e` day with an
//! optional leading space, `%b` month abbreviation (`Nov`), `%B` month name or abbreviation,
//! `%p` `AM`/`PM`, `%f` 1–9 fractional digits, `%.f` an optional `.` or `,` and 1–9 digits,
//! `%z` offset (`Z`, `+03:00`, `+0300`, `+03`), `%Z` `UTC`/`GMT`/`Z`, an offset or an IANA
//! zone name, `%s` seconds since the epoch, `%T` = `%H:%M:%S`, `%F` = `%Y-%m-%d`,
//! `%D` = `%m/%d/%y`, `%%` a percent sign. A space matches one or more spaces; any other
//! character matches itself. `%I` needs `%p`. Fractions beyond microseconds are truncated.
//!
//! With no format declared, only ISO 8601 / RFC 3339 forms are accepted: `2026-01-31`,
//! `2026-01-31T14:05`, `2026-01-31 14:05:00`, with 0–9 fractional digits and an optional
//! `Z`, `±HH:MM`, `±HHMM` or `±HH`. Day/month order is never guessed.
//!
//! **DST policy.** A date-time written without an offset is read in the field's (or the
//! dataset's) zone, UTC by default. A local time that does not exist (the spring-forward
//! gap) is shifted forward by the gap's length; a local time that happens twice (the
//! autumn overlap) takes the earlier instant (summer-time offset). This is RFC 5545's and
//! `jiff`'s "compatible" disambiguation. Each such adjustment is counted in the file's notes.
//! A leap second `23:59:60` is read as `23:59:59` and noted. Impossible dates (30 February,
//! month 13, year 0 or beyond 9999) are errors.

use jiff::tz::{AmbiguousOffset, TimeZone};

use super::build::Notes;

/// Microseconds per second.
const US: i64 = 1_000_000;

/// How a 2-digit field may be written.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Pad {
    /// Exactly two digits (`%d`).
    Zero,
    /// One or two digits (`%-d`).
    Free,
    /// An optional leading space, then one or two digits (`%e`).
    Space,
}

#[derive(Clone, Debug, PartialEq)]
enum Item {
    Lit(u8),
    Space,
    Year4,
    Year2,
    Month(Pad),
    MonthAbbr,
    MonthName,
    Day(Pad),
    Hour24(Pad),
    Hour12(Pad),
    Minute(Pad),
    Second(Pad),
    Frac { dot: bool },
    AmPm,
    Offset,
    Zone,
    Epoch,
}

/// A compiled date/date-time format.
#[derive(Clone, Debug)]
pub(crate) struct DateFormat {
    items: Vec<Item>,
    pub(crate) text: String,
    /// The format is `%Y-%m-%d %H:%M:%S` (ServiceNow's), which [`fixed_iso`] reads.
    pub(crate) iso_seconds: bool,
    /// The format has Jira's layout, which [`DateFormat::parse`] reads without walking
    /// the items.
    jira: Option<JiraShape>,
}

/// Jira's export layout, `%d/%b/%y %-I:%M %p` (`22/May/25 8:43 AM`), with any padding of
/// the day and hour (but `%e`) and any separators around the month. Walking the items
/// costs a mispredicted jump per item; this layout is read in one straight pass.
#[derive(Clone, Copy, Debug, PartialEq)]
struct JiraShape {
    day: Pad,
    separators: (u8, u8),
    hour: Pad,
}

impl JiraShape {
    fn of(items: &[Item]) -> Option<JiraShape> {
        match items {
            [
                Item::Day(day @ (Pad::Zero | Pad::Free)),
                Item::Lit(first),
                Item::MonthAbbr,
                Item::Lit(second),
                Item::Year2,
                Item::Space,
                Item::Hour12(hour @ (Pad::Zero | Pad::Free)),
                Item::Lit(b':'),
                Item::Minute(Pad::Zero),
                Item::Space,
                Item::AmPm,
            ] => Some(JiraShape {
                day: *day,
                separators: (*first, *second),
                hour: *hour,
            }),
            _ => None,
        }
    }

    /// Exactly what the item walk gives for this layout.
    fn parse(self, b: &[u8], pivot: i32) -> Option<Parts> {
        let mut i = 0;
        let day = two(b, &mut i, self.day)?;
        lit(b, &mut i, self.separators.0)?;
        let month = month_index(b.get(i..i + 3)?)?;
        i += 3;
        lit(b, &mut i, self.separators.1)?;
        let year = year_of_two(two_at(b, i)? as i32, pivot);
        i += 2;
        spaces(b, &mut i)?;
        let hour12 = two(b, &mut i, self.hour)?;
        lit(b, &mut i, b':')?;
        let minute = two_at(b, i)?;
        i += 2;
        spaces(b, &mut i)?;
        let pm = am_pm(b.get(i..i + 2)?)?;
        if i + 2 != b.len() || !(1..=12).contains(&hour12) {
            return None;
        }
        Some(Parts {
            year,
            month,
            day,
            hour: if pm { hour12 % 12 + 12 } else { hour12 % 12 },
            minute,
            ..Parts::default()
        })
    }
}

/// A 2-digit year mapped into `[pivot, pivot + 99]`.
fn year_of_two(yy: i32, pivot: i32) -> i32 {
    let year = pivot - pivot.rem_euclid(100) + yy;
    if year < pivot { year + 100 } else { year }
}

/// One or more spaces or tabs.
fn spaces(b: &[u8], i: &mut usize) -> Option<()> {
    let start = *i;
    while b.get(*i).is_some_and(|c| *c == b' ' || *c == b'\t') {
        *i += 1;
    }
    (*i > start).then_some(())
}

/// `AM` (false) or `PM` (true), ASCII case ignored.
fn am_pm(word: &[u8]) -> Option<bool> {
    if word.eq_ignore_ascii_case(b"am") {
        Some(false)
    } else if word.eq_ignore_ascii_case(b"pm") {
        Some(true)
    } else {
        None
    }
}

/// The parts of a parsed date-time, before validation.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parts {
    pub(crate) year: i32,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
    pub(crate) micros: u32,
    /// Offset from UTC in seconds, when written.
    pub(crate) offset: Option<i32>,
    /// A zone named in the value (`%Z`).
    pub(crate) zone: Option<TimeZone>,
    /// Seconds since the epoch (`%s`).
    pub(crate) epoch: Option<i64>,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl DateFormat {
    /// Compiles a format; the error says which directive is wrong.
    pub(crate) fn compile(text: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                if c == ' ' {
                    items.push(Item::Space);
                } else if c.is_ascii() {
                    items.push(Item::Lit(c as u8));
                } else {
                    let mut buf = [0u8; 4];
                    for &b in c.encode_utf8(&mut buf).as_bytes() {
                        items.push(Item::Lit(b));
                    }
                }
                continue;
            }
            let mut directive = chars.next();
            let mut pad = Pad::Zero;
            if directive == Some('-') {
                pad = Pad::Free;
                directive = chars.next();
            }
            let mut dot = false;
            if directive == Some('.') {
                dot = true;
                directive = chars.next();
                if directive != Some('f') {
                    return Err(format!("`%.` must be followed by `f` in `{text}`"));
                }
            }
            let item = match directive {
                Some('Y') => Item::Year4,
                Some('y') => Item::Year2,
                Some('m') => Item::Month(pad),
                Some('d') => Item::Day(pad),
                Some('e') => Item::Day(Pad::Space),
                Some('b') | Some('h') => Item::MonthAbbr,
                Some('B') => Item::MonthName,
                Some('H') => Item::Hour24(pad),
                Some('I') => Item::Hour12(pad),
                Some('M') => Item::Minute(pad),
                Some('S') => Item::Second(pad),
                Some('f') => Item::Frac { dot },
                Some('p') | Some('P') => Item::AmPm,
                Some('z') => Item::Offset,
                Some('Z') => Item::Zone,
                Some('s') => Item::Epoch,
                Some('T') => {
                    items.extend([
                        Item::Hour24(Pad::Zero),
                        Item::Lit(b':'),
                        Item::Minute(Pad::Zero),
                        Item::Lit(b':'),
                    ]);
                    Item::Second(Pad::Zero)
                }
                Some('F') => {
                    items.extend([
                        Item::Year4,
                        Item::Lit(b'-'),
                        Item::Month(Pad::Zero),
                        Item::Lit(b'-'),
                    ]);
                    Item::Day(Pad::Zero)
                }
                Some('D') => {
                    items.extend([
                        Item::Month(Pad::Zero),
                        Item::Lit(b'/'),
                        Item::Day(Pad::Zero),
                        Item::Lit(b'/'),
                    ]);
                    Item::Year2
                }
                Some('%') => Item::Lit(b'%'),
                Some(other) => {
                    return Err(format!(
                        "`%{other}` is not a known format directive (in `{text}`)"
                    ));
                }
                None => return Err(format!("`{text}` ends with a lone `%`")),
            };
            items.push(item);
        }
        let has = |f: fn(&Item) -> bool| items.iter().any(f);
        if has(|i| matches!(i, Item::Hour12(_))) && !has(|i| matches!(i, Item::AmPm)) {
            return Err(format!(
                "`{text}` uses a 12-hour `%I` without `%p` (AM/PM); use `%H` for 24-hour times"
            ));
        }
        let has_date = has(|i| matches!(i, Item::Epoch))
            || (has(|i| matches!(i, Item::Year4 | Item::Year2))
                && has(|i| matches!(i, Item::Month(_) | Item::MonthAbbr | Item::MonthName))
                && has(|i| matches!(i, Item::Day(_))));
        if !has_date {
            return Err(format!(
                "`{text}` does not give a full date (year, month and day, or `%s`)"
            ));
        }
        let iso_seconds = items
            == [
                Item::Year4,
                Item::Lit(b'-'),
                Item::Month(Pad::Zero),
                Item::Lit(b'-'),
                Item::Day(Pad::Zero),
                Item::Space,
                Item::Hour24(Pad::Zero),
                Item::Lit(b':'),
                Item::Minute(Pad::Zero),
                Item::Lit(b':'),
                Item::Second(Pad::Zero),
            ];
        Ok(DateFormat {
            jira: JiraShape::of(&items),
            items,
            text: text.to_string(),
            iso_seconds,
        })
    }

    /// Parses `s` with this format; `None` when the value does not have this layout.
    pub(crate) fn parse(&self, s: &str, pivot: i32) -> Option<Parts> {
        match self.jira {
            Some(jira) => jira.parse(s.as_bytes(), pivot),
            None => self.walk(s, pivot),
        }
    }

    /// [`DateFormat::parse`] item by item.
    fn walk(&self, s: &str, pivot: i32) -> Option<Parts> {
        let b = s.as_bytes();
        let mut i = 0usize;
        let mut parts = Parts {
            month: 1,
            day: 1,
            ..Parts::default()
        };
        let mut pm: Option<bool> = None;
        let mut hour12: Option<u32> = None;
        for item in &self.items {
            match item {
                Item::Lit(c) => {
                    if b.get(i) != Some(c) {
                        return None;
                    }
                    i += 1;
                }
                Item::Space => spaces(b, &mut i)?,
                Item::Year4 => {
                    parts.year = (two_at(b, i)? * 100 + two_at(b, i + 2)?) as i32;
                    i += 4;
                }
                Item::Year2 => {
                    parts.year = year_of_two(two_at(b, i)? as i32, pivot);
                    i += 2;
                }
                Item::Month(pad) => parts.month = two(b, &mut i, *pad)?,
                Item::Day(pad) => parts.day = two(b, &mut i, *pad)?,
                Item::Hour24(pad) => parts.hour = two(b, &mut i, *pad)?,
                Item::Hour12(pad) => hour12 = Some(two(b, &mut i, *pad)?),
                Item::Minute(pad) => parts.minute = two(b, &mut i, *pad)?,
                Item::Second(pad) => parts.second = two(b, &mut i, *pad)?,
                Item::MonthAbbr => {
                    let word = b.get(i..i + 3)?;
                    parts.month = month_index(word)?;
                    i += 3;
                }
                Item::MonthName => {
                    let mut found = None;
                    for (n, name) in MONTHS.iter().enumerate() {
                        let full = name.as_bytes();
                        if b.get(i..i + full.len())
                            .is_some_and(|w| w.eq_ignore_ascii_case(full))
                        {
                            found = Some((n as u32 + 1, full.len()));
                            break;
                        }
                    }
                    let (month, len) = match found {
                        Some(f) => f,
                        None => (month_index(b.get(i..i + 3)?)?, 3),
                    };
                    parts.month = month;
                    i += len;
                }
                Item::Frac { dot } => {
                    if *dot {
                        if matches!(b.get(i), Some(b'.') | Some(b',')) {
                            i += 1;
                            parts.micros = fraction(b, &mut i)?;
                        }
                    } else {
                        parts.micros = fraction(b, &mut i)?;
                    }
                }
                Item::AmPm => {
                    pm = Some(am_pm(b.get(i..i + 2)?)?);
                    i += 2;
                }
                Item::Offset => parts.offset = Some(offset(b, &mut i)?),
                Item::Zone => {
                    let rest = s.get(i..)?;
                    if rest.starts_with(['+', '-', 'Z', 'z']) && !rest.starts_with("Zulu") {
                        parts.offset = Some(offset(b, &mut i)?);
                    } else {
                        let len = rest
                            .bytes()
                            .take_while(|c| c.is_ascii_alphanumeric() || b"/_+-".contains(c))
                            .count();
                        let name = rest.get(..len)?;
                        if name.eq_ignore_ascii_case("UTC") || name.eq_ignore_ascii_case("GMT") {
                            parts.offset = Some(0);
                        } else {
                            parts.zone = Some(jiff::tz::db().get(name).ok()?);
                        }
                        i += len;
                    }
                }
                Item::Epoch => {
                    let negative = b.get(i) == Some(&b'-');
                    if negative || b.get(i) == Some(&b'+') {
                        i += 1;
                    }
                    let secs = digits(b, &mut i, 1, 12)? as i64;
                    parts.epoch = Some(if negative { -secs } else { secs });
                }
            }
        }
        if i != b.len() {
            return None;
        }
        if let Some(h) = hour12 {
            if !(1..=12).contains(&h) {
                return None;
            }
            parts.hour = match pm {
                Some(true) => h % 12 + 12,
                _ => h % 12,
            };
        }
        Some(parts)
    }

    /// Writes parts in this format (the inverse of [`DateFormat::parse`]; used by tests).
    #[cfg(test)]
    pub(crate) fn render(&self, p: &Parts) -> String {
        let mut out = String::new();
        let two = |out: &mut String, v: u32, pad: Pad| match pad {
            Pad::Zero => out.push_str(&format!("{v:02}")),
            Pad::Free => out.push_str(&format!("{v}")),
            Pad::Space => out.push_str(&format!("{v:>2}")),
        };
        for item in &self.items {
            match item {
                Item::Lit(c) => out.push(*c as char),
                Item::Space => out.push(' '),
                Item::Year4 => out.push_str(&format!("{:04}", p.year)),
                Item::Year2 => out.push_str(&format!("{:02}", p.year.rem_euclid(100))),
                Item::Month(pad) => two(&mut out, p.month, *pad),
                Item::Day(pad) => two(&mut out, p.day, *pad),
                Item::Hour24(pad) => two(&mut out, p.hour, *pad),
                Item::Hour12(pad) => two(&mut out, (p.hour + 11) % 12 + 1, *pad),
                Item::Minute(pad) => two(&mut out, p.minute, *pad),
                Item::Second(pad) => two(&mut out, p.second, *pad),
                Item::MonthAbbr => {
                    out.push_str(&title(MONTHS[(p.month - 1) as usize].get(..3).unwrap_or("")))
                }
                Item::MonthName => out.push_str(&title(MONTHS[(p.month - 1) as usize])),
                Item::Frac { dot } => {
                    if *dot {
                        out.push('.');
                    }
                    out.push_str(&format!("{:06}", p.micros));
                }
                Item::AmPm => out.push_str(if p.hour >= 12 { "PM" } else { "AM" }),
                Item::Offset | Item::Zone => {
                    let off = p.offset.unwrap_or(0);
                    let sign = if off < 0 { '-' } else { '+' };
                    let off = off.abs();
                    out.push_str(&format!("{sign}{:02}:{:02}", off / 3600, off / 60 % 60));
                }
                Item::Epoch => out.push_str(&format!("{}", p.epoch.unwrap_or(0))),
            }
        }
        out
    }
}

#[cfg(test)]
fn title(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// The month (1–12) of a three-letter English abbreviation, ASCII case ignored.
fn month_index(word: &[u8]) -> Option<u32> {
    let [a, b, c] = word else {
        return None;
    };
    // Setting bit 5 lower-cases ASCII letters and turns no other byte into a letter.
    Some(match &[a | 0x20, b | 0x20, c | 0x20] {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

/// Reads between `min` and `max` ASCII digits.
fn digits(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<u64> {
    let mut value: u64 = 0;
    let mut n = 0;
    while n < max {
        match b.get(*i) {
            Some(c) if c.is_ascii_digit() => {
                value = value * 10 + u64::from(c - b'0');
                *i += 1;
                n += 1;
            }
            _ => break,
        }
    }
    (n >= min).then_some(value)
}

fn two(b: &[u8], i: &mut usize, pad: Pad) -> Option<u32> {
    let v = match pad {
        // The common case, read without the general loop.
        Pad::Zero => {
            let v = two_at(b, *i)?;
            *i += 2;
            return Some(v);
        }
        Pad::Free => digits(b, i, 1, 2)?,
        Pad::Space => {
            if b.get(*i) == Some(&b' ') {
                *i += 1;
                digits(b, i, 1, 1)?
            } else {
                digits(b, i, 1, 2)?
            }
        }
    };
    Some(v as u32)
}

/// 1–9 fractional digits as microseconds (truncated).
fn fraction(b: &[u8], i: &mut usize) -> Option<u32> {
    let start = *i;
    let v = digits(b, i, 1, 9)?;
    let n = *i - start;
    let scaled = match n {
        0..=6 => v * 10u64.pow((6 - n) as u32),
        _ => v / 10u64.pow((n - 6) as u32),
    };
    Some(scaled as u32)
}

/// `Z`, `±HH:MM`, `±HHMM` or `±HH`, in seconds.
fn offset(b: &[u8], i: &mut usize) -> Option<i32> {
    match b.get(*i)? {
        b'Z' | b'z' => {
            *i += 1;
            Some(0)
        }
        sign @ (b'+' | b'-') => {
            let negative = *sign == b'-';
            *i += 1;
            let hours = digits(b, i, 2, 2)? as i32;
            let mut minutes = 0;
            if b.get(*i) == Some(&b':') {
                *i += 1;
                minutes = digits(b, i, 2, 2)? as i32;
            } else if b.get(*i).is_some_and(u8::is_ascii_digit) {
                minutes = digits(b, i, 2, 2)? as i32;
            }
            if hours > 23 || minutes > 59 {
                return None;
            }
            let secs = hours * 3600 + minutes * 60;
            Some(if negative { -secs } else { secs })
        }
        _ => None,
    }
}

/// Two ASCII digits at `at` as a number.
fn two_at(b: &[u8], at: usize) -> Option<u32> {
    let (&hi, &lo) = (b.get(at)?, b.get(at + 1)?);
    (hi.is_ascii_digit() && lo.is_ascii_digit()).then(|| u32::from(hi - b'0') * 10 + u32::from(lo - b'0'))
}

/// The fixed-width shapes most exports use, read without [`parse_iso`]'s general walk:
/// `2026-01-31`, `2026-01-31 14:05:00` (or `T`), and either with `.123` milliseconds
/// and/or `Z`. Gives exactly [`parse_iso`]'s parts, or `None` for any other shape (which
/// then takes the general path).
pub(crate) fn fixed_iso(b: &[u8]) -> Option<Parts> {
    if !matches!(b.len(), 10 | 19 | 20 | 23 | 24) || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let mut p = Parts {
        year: (two_at(b, 0)? * 100 + two_at(b, 2)?) as i32,
        month: two_at(b, 5)?,
        day: two_at(b, 8)?,
        ..Parts::default()
    };
    if b.len() == 10 {
        return Some(p);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') || b.get(16) != Some(&b':')
    {
        return None;
    }
    p.hour = two_at(b, 11)?;
    p.minute = two_at(b, 14)?;
    p.second = two_at(b, 17)?;
    let mut rest = b.get(19..)?;
    if let [b'.', d1, d2, d3, tail @ ..] = rest {
        if !(d1.is_ascii_digit() && d2.is_ascii_digit() && d3.is_ascii_digit()) {
            return None;
        }
        p.micros = (u32::from(d1 - b'0') * 100 + u32::from(d2 - b'0') * 10 + u32::from(d3 - b'0')) * 1000;
        rest = tail;
    }
    match rest {
        [] => {}
        [b'Z'] => p.offset = Some(0),
        _ => return None,
    }
    Some(p)
}

/// ISO 8601 / RFC 3339: a date, optionally `T` or space and a time, optionally an offset.
pub(crate) fn parse_iso(s: &str) -> Option<(Parts, bool)> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut p = Parts {
        year: digits(b, &mut i, 4, 4)? as i32,
        ..Parts::default()
    };
    lit(b, &mut i, b'-')?;
    p.month = digits(b, &mut i, 2, 2)? as u32;
    lit(b, &mut i, b'-')?;
    p.day = digits(b, &mut i, 2, 2)? as u32;
    if i == b.len() {
        return Some((p, false));
    }
    match b.get(i) {
        Some(b'T' | b't' | b' ') => i += 1,
        _ => return None,
    }
    p.hour = digits(b, &mut i, 2, 2)? as u32;
    lit(b, &mut i, b':')?;
    p.minute = digits(b, &mut i, 2, 2)? as u32;
    if b.get(i) == Some(&b':') {
        i += 1;
        p.second = digits(b, &mut i, 2, 2)? as u32;
        if matches!(b.get(i), Some(b'.' | b',')) {
            i += 1;
            p.micros = fraction(b, &mut i)?;
        }
    }
    if i < b.len() {
        p.offset = Some(offset(b, &mut i)?);
    }
    (i == b.len()).then_some((p, true))
}

fn lit(b: &[u8], i: &mut usize, c: u8) -> Option<()> {
    if b.get(*i) == Some(&c) {
        *i += 1;
        Some(())
    } else {
        None
    }
}

pub(crate) use crate::value::{civil_from_days, days_from_civil, days_in_month};

/// Checks the calendar; returns the day number or why the date is impossible.
pub(crate) fn validate_date(p: &Parts) -> Result<i32, String> {
    if !(1..=9999).contains(&p.year) {
        return Err(format!("year {} is out of range", p.year));
    }
    if !(1..=12).contains(&p.month) {
        return Err(format!("month {} does not exist", p.month));
    }
    let dim = days_in_month(p.year, p.month);
    if p.day < 1 || p.day > dim {
        return Err(format!(
            "{} {} has no day {}",
            MONTHS.get(p.month as usize - 1).copied().unwrap_or("?"),
            p.year,
            p.day
        ));
    }
    Ok(days_from_civil(p.year, p.month, p.day))
}

/// Checks the time of day; clamps a leap second (noted).
fn validate_time(p: &mut Parts, raw: &str, notes: &mut Notes) -> Result<(), String> {
    if p.hour > 23 {
        return Err(format!("hour {} is out of range", p.hour));
    }
    if p.minute > 59 {
        return Err(format!("minute {} is out of range", p.minute));
    }
    if p.second == 60 {
        p.second = 59;
        notes.leap.add(raw);
    } else if p.second > 60 {
        return Err(format!("second {} is out of range", p.second));
    }
    Ok(())
}

/// The zone of date-times written without an offset.
#[derive(Clone, Debug)]
pub(crate) enum Zone {
    Utc,
    /// A zone and its identity in the per-day offset cache ([`ZoneDays`]).
    Named(TimeZone, ZoneDays),
}

impl Zone {
    pub(crate) fn from_name(name: &str) -> Result<Zone, String> {
        if name.eq_ignore_ascii_case("utc") || name == "Z" {
            return Ok(Zone::Utc);
        }
        jiff::tz::db()
            .get(name)
            .map(|tz| Zone::Named(tz, ZoneDays::of(name)))
            .map_err(|_| format!("`{name}` is not a known IANA time zone"))
    }
}

/// The identity of a declared zone in a per-thread cache of UTC offsets per local day.
///
/// Jira exports carry four Helsinki wall-clock times per row, and asking the zone database
/// for each (a binary search over transitions, then the gap/fold analysis) was a visible
/// part of loading them. A local day far from any transition has one offset for all its
/// times, so the offset is remembered per (zone, day); days near a transition are never
/// cached and always take the exact path ([`local_to_utc`]), which also counts gap and
/// fold adjustments in the notes. The identity is a process-wide counter, so a cache entry
/// can never be mistaken for another zone's, even one later allocated at the same address;
/// fields declared with the same zone name share one identity (and so the cached days).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ZoneDays(u64);

/// Zone names given an identity so far (a handful per process).
static ZONE_IDS: std::sync::Mutex<Vec<(String, u64)>> = std::sync::Mutex::new(Vec::new());

/// The next identity.
static NEXT_ZONE_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl ZoneDays {
    /// A new identity, shared with nobody.
    pub(crate) fn new() -> ZoneDays {
        ZoneDays(NEXT_ZONE_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    /// The identity of the zone the database knows as `name` (the database never changes
    /// while the process runs, so one name is always the same zone).
    pub(crate) fn of(name: &str) -> ZoneDays {
        let Ok(mut ids) = ZONE_IDS.lock() else {
            // A poisoned registry only costs sharing: a fresh identity is always correct.
            return ZoneDays::new();
        };
        if let Some(&(_, id)) = ids.iter().find(|(n, _)| n == name) {
            return ZoneDays(id);
        }
        let id = ZoneDays::new();
        ids.push((name.to_string(), id.0));
        id
    }
}

/// Slots of the per-thread day cache (direct-mapped by day).
const DAY_SLOTS: usize = 1024;

/// A cached day: zone identity (0: empty slot), local day number, offset in seconds or
/// [`NEAR_TRANSITION`].
type DaySlot = (u64, i32, i32);

/// The cached "offset" of a day near a transition: take the exact path.
const NEAR_TRANSITION: i32 = i32::MIN;

thread_local! {
    static DAY_OFFSETS: std::cell::RefCell<Vec<DaySlot>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The UTC offset (seconds) of every wall-clock time of local day `day` in `tz`, when the
/// zone has no transition within three days of it; `None` near a transition.
fn clean_day_offset(tz: &TimeZone, day: i32) -> Option<i32> {
    const DAY: i64 = 86_400;
    // A transition changes the local times within its offset change (below 26 hours in any
    // zone) of its instant; three days either side of the day's wall clock read as UTC
    // leaves room for any offset, so with none there every local time of the day maps to
    // exactly one instant, with the one offset in force.
    let start = i64::from(day) * DAY - 3 * DAY;
    let end = i64::from(day) * DAY + 4 * DAY;
    let probe = jiff::Timestamp::from_second(start).ok()?;
    if let Some(next) = tz.following(probe).next()
        && next.timestamp().as_second() <= end
    {
        return None;
    }
    Some(tz.to_offset(probe).seconds())
}

/// [`local_to_utc`] through the per-day cache for a declared zone.
fn local_to_utc_cached(
    tz: &TimeZone,
    id: ZoneDays,
    p: &Parts,
    raw: &str,
    notes: &mut Notes,
) -> Result<i64, String> {
    let day = days_from_civil(p.year, p.month, p.day);
    let slot = day.rem_euclid(DAY_SLOTS as i32) as usize;
    let offset = DAY_OFFSETS.with_borrow_mut(|cache| {
        if cache.len() != DAY_SLOTS {
            cache.resize(DAY_SLOTS, (0, 0, 0));
        }
        match cache.get(slot) {
            Some(&(zone, d, offset)) if zone == id.0 && d == day => offset,
            _ => {
                let offset = clean_day_offset(tz, day).unwrap_or(NEAR_TRANSITION);
                if let Some(entry) = cache.get_mut(slot) {
                    *entry = (id.0, day, offset);
                }
                offset
            }
        }
    });
    if offset == NEAR_TRANSITION {
        return local_to_utc(tz, p, raw, notes);
    }
    Ok(wall_micros(p) - i64::from(offset) * US)
}

/// Converts local wall-clock time to a UTC instant under the DST policy above.
fn local_to_utc(tz: &TimeZone, p: &Parts, raw: &str, notes: &mut Notes) -> Result<i64, String> {
    let dt = jiff::civil::DateTime::new(
        p.year as i16,
        p.month as i8,
        p.day as i8,
        p.hour as i8,
        p.minute as i8,
        p.second as i8,
        0,
    )
    .map_err(|e| e.to_string())?;
    let local = wall_micros(p);
    let offset = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        AmbiguousOffset::Gap { before, .. } => {
            notes.dst_gap.add(raw);
            before
        }
        AmbiguousOffset::Fold { before, .. } => {
            notes.dst_fold.add(raw);
            before
        }
    };
    Ok(local - i64::from(offset.seconds()) * US)
}

/// Microseconds since the epoch of the wall-clock time read as if it were UTC.
fn wall_micros(p: &Parts) -> i64 {
    let days = i64::from(days_from_civil(p.year, p.month, p.day));
    let secs = days * 86_400 + i64::from(p.hour * 3600 + p.minute * 60 + p.second);
    secs * US + i64::from(p.micros)
}

/// Smallest and largest instants accepted: years 1 to 9999.
const MIN_MICROS: i64 = -62_135_596_800 * US;
const MAX_MICROS: i64 = 253_402_300_799 * US + 999_999;

/// Date/date-time parsing for one field.
#[derive(Clone, Debug)]
pub(crate) struct Temporal {
    pub(crate) formats: Vec<DateFormat>,
    pub(crate) zone: Zone,
    pub(crate) pivot: i32,
}

impl Temporal {
    /// What a value must look like, for messages.
    pub(crate) fn expected(&self, date_only: bool) -> String {
        if self.formats.is_empty() {
            return if date_only {
                String::from("an ISO 8601 date such as `2026-01-31` (no `format` is declared)")
            } else {
                String::from(
                    "an ISO 8601 date-time such as `2026-01-31T14:05:00Z` or `2026-01-31 14:05:00` (no `format` is declared)",
                )
            };
        }
        let list: Vec<String> = self.formats.iter().map(|f| format!("`{}`", f.text)).collect();
        match list.as_slice() {
            [one] => one.clone(),
            _ => format!("one of {}", list.join(", ")),
        }
    }

    fn parts(&self, s: &str) -> Option<Parts> {
        if self.formats.is_empty() {
            if let Some(p) = fixed_iso(s.as_bytes()) {
                return Some(p);
            }
            return parse_iso(s).map(|(p, _)| p);
        }
        // The first format decides whenever it matches, so its fixed-width reading may
        // answer for it; anything else goes through every format in order.
        if let Some(first) = self.formats.first()
            && first.iso_seconds
            && let Some(p) = fixed_iso(s.as_bytes()).filter(|p| p.offset.is_none() && s.len() == 19)
            && s.as_bytes().get(10) == Some(&b' ')
        {
            return Some(p);
        }
        self.formats.iter().find_map(|f| f.parse(s, self.pivot))
    }

    /// A date: the local date as written (a time of day, if any, is ignored).
    pub(crate) fn date(&self, s: &str) -> Result<i32, Option<String>> {
        if self.formats.len() > 1 {
            return self.choose(s, false, date_of).map(|(days, _)| days);
        }
        date_of(&mut self.parts(s).ok_or(None)?)
    }

    /// A date-time as UTC microseconds.
    pub(crate) fn datetime(&self, s: &str, notes: &mut Notes) -> Result<i64, Option<String>> {
        if self.formats.len() > 1 {
            // Alternatives are judged without noting anything; the reading chosen is
            // converted again below so that its notes (DST, leap second) are counted once.
            let mut scratch = Notes::default();
            let (_, mut p) = self.choose(s, true, |p| self.datetime_of(p, s, &mut scratch))?;
            return self.datetime_of(&mut p, s, notes);
        }
        self.datetime_of(&mut self.parts(s).ok_or(None)?, s, notes)
    }

    fn datetime_of(&self, p: &mut Parts, s: &str, notes: &mut Notes) -> Result<i64, Option<String>> {
        if let Some(epoch) = p.epoch {
            return epoch_micros(epoch, p.micros).map_err(Some);
        }
        validate_date(p).map_err(Some)?;
        validate_time(p, s, notes).map_err(Some)?;
        self.instant(p, s, notes).map_err(Some)
    }

    /// With several formats: every format is tried, not only the first whose layout
    /// matches (`01/30/2026` is no date under `%d/%m/%Y` but is one under `%m/%d/%Y`).
    /// A value valid under two formats with different results (`03/04/2026` under
    /// `%d/%m/%Y` and `%m/%d/%Y`) is an error: day and month order is never guessed.
    /// Returns the value and the parts it was read from; with no valid reading, the
    /// reason of the first format whose layout matched.
    fn choose<T: PartialEq>(
        &self,
        s: &str,
        with_time: bool,
        mut convert: impl FnMut(&mut Parts) -> Result<T, Option<String>>,
    ) -> Result<(T, Parts), Option<String>> {
        let mut found: Option<(usize, T, Parts)> = None;
        let mut reason: Option<Option<String>> = None;
        for (i, format) in self.formats.iter().enumerate() {
            let Some(parsed) = format.parse(s, self.pivot) else {
                continue;
            };
            let mut p = parsed.clone();
            match convert(&mut p) {
                Ok(value) => match &found {
                    None => found = Some((i, value, parsed)),
                    Some((j, other, first)) if *other != value => {
                        let name = |k: usize| self.formats.get(k).map_or("", |f| f.text.as_str());
                        return Err(Some(format!(
                            "ambiguous: `{}` reads it as {} and `{}` as {}; day and month order is never guessed, declare one of them",
                            name(*j),
                            describe(first, with_time),
                            name(i),
                            describe(&parsed, with_time),
                        )));
                    }
                    Some(_) => {}
                },
                Err(why) => {
                    reason.get_or_insert(why);
                }
            }
        }
        match found {
            Some((_, value, parts)) => Ok((value, parts)),
            None => Err(reason.flatten()),
        }
    }

    /// The UTC instant of validated parts.
    pub(crate) fn instant(&self, p: &Parts, raw: &str, notes: &mut Notes) -> Result<i64, String> {
        let micros = if let Some(offset) = p.offset {
            wall_micros(p) - i64::from(offset) * US
        } else if let Some(zone) = &p.zone {
            local_to_utc(zone, p, raw, notes)?
        } else {
            match &self.zone {
                Zone::Utc => wall_micros(p),
                Zone::Named(tz, id) => local_to_utc_cached(tz, *id, p, raw, notes)?,
            }
        };
        if !(MIN_MICROS..=MAX_MICROS).contains(&micros) {
            return Err(String::from("the instant is outside years 1 to 9999"));
        }
        Ok(micros)
    }
}

/// A date from parsed parts.
fn date_of(p: &mut Parts) -> Result<i32, Option<String>> {
    if let Some(epoch) = p.epoch {
        return epoch_micros(epoch, p.micros)
            .map(crate::value::micros_to_date)
            .map_err(Some);
    }
    validate_date(p).map_err(Some)
}

/// Parts as written, for a message: `3 April 2026`, `3 April 2026 14:05`.
fn describe(p: &Parts, with_time: bool) -> String {
    let month = MONTHS
        .get((p.month as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("?");
    let mut out = format!(
        "{} {}{} {}",
        p.day,
        month.get(..1).unwrap_or("").to_uppercase(),
        month.get(1..).unwrap_or(""),
        p.year
    );
    if with_time {
        out.push_str(&format!(" {:02}:{:02}", p.hour, p.minute));
    }
    out
}

fn epoch_micros(secs: i64, micros: u32) -> Result<i64, String> {
    secs.checked_mul(US)
        .and_then(|m| m.checked_add(i64::from(micros)))
        .filter(|m| (MIN_MICROS..=MAX_MICROS).contains(m))
        .ok_or_else(|| String::from("the epoch time is outside years 1 to 9999"))
}

/// An Excel serial date-time (1900 date system) as wall-clock parts.
pub(crate) fn excel_serial_parts(serial: f64) -> Option<Parts> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let mut day = serial.floor() as i64;
    // Excel counts the non-existent 1900-02-29 (serial 60); serials before it are a day off.
    if day == 60 {
        return None;
    }
    if day < 60 {
        day += 1;
    }
    let millis = ((serial - serial.floor()) * 86_400_000.0).round() as i64;
    let days_1970 = day - 25_569 + i64::from(millis >= 86_400_000);
    let millis = millis % 86_400_000;
    let (year, month, d) = civil_from_days(i32::try_from(days_1970).ok()?);
    Some(Parts {
        year,
        month,
        day: d,
        hour: (millis / 3_600_000) as u32,
        minute: (millis / 60_000 % 60) as u32,
        second: (millis / 1000 % 60) as u32,
        micros: (millis % 1000 * 1000) as u32,
        ..Parts::default()
    })
}

/// Renders a date as `YYYY-MM-DD`.
pub(crate) fn format_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Validates a leap-second-free time of day and returns the UTC instant of wall time
/// `parts` in `temporal`'s zone (used for Excel date-time cells).
pub(crate) fn parts_instant(
    temporal: &Temporal,
    p: &mut Parts,
    raw: &str,
    notes: &mut Notes,
) -> Result<i64, String> {
    validate_date(p)?;
    validate_time(p, raw, notes)?;
    temporal.instant(p, raw, notes)
}

#[cfg(test)]
#[path = "tests/datetime.rs"]
mod tests;
