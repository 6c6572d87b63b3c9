//! Numbers, percentages and durations as written in exports.
//!
//! Numbers: an optional sign, digits, an optional fraction and exponent (`1234.5`, `-3`,
//! `1e3`); with a decimal comma, `1.234,5` or `1234,5` (dots only as thousands separators in
//! groups of three). Thousands separators are never guessed otherwise: `1,234` is an error
//! without a decimal comma. `NaN` and `inf` are errors.

use crate::value::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};

use super::spec::DurationUnit;

/// Longest number text accepted (beyond it a value is an error, not a number).
const MAX_NUMBER_LEN: usize = 64;

/// Parses a decimal number; `None` when it is not one.
pub(crate) fn parse_number(s: &str, decimal_comma: bool) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > MAX_NUMBER_LEN {
        return None;
    }
    let mut buf = [0u8; MAX_NUMBER_LEN];
    let mut n = 0;
    let mut i = 0;
    if let Some(&c @ (b'+' | b'-')) = b.first() {
        buf[0] = c;
        n = 1;
        i = 1;
    }
    let int_start = i;
    let mut int_digits = 0;
    if decimal_comma {
        // Digits, optionally grouped by dots in threes.
        let mut group = 0;
        let mut grouped = false;
        while let Some(&c) = b.get(i) {
            if c.is_ascii_digit() {
                *buf.get_mut(n)? = c;
                n += 1;
                group += 1;
                int_digits += 1;
            } else if c == b'.' {
                if (grouped && group != 3) || (!grouped && (group == 0 || group > 3)) {
                    return None;
                }
                grouped = true;
                group = 0;
            } else {
                break;
            }
            i += 1;
        }
        if grouped && group != 3 {
            return None;
        }
    } else {
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            *buf.get_mut(n)? = c;
            n += 1;
            i += 1;
            int_digits += 1;
        }
    }
    let _ = int_start;
    let point = if decimal_comma { b',' } else { b'.' };
    let mut frac_digits = 0;
    if b.get(i) == Some(&point) {
        *buf.get_mut(n)? = b'.';
        n += 1;
        i += 1;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            *buf.get_mut(n)? = c;
            n += 1;
            i += 1;
            frac_digits += 1;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if let Some(&(b'e' | b'E')) = b.get(i) {
        *buf.get_mut(n)? = b'e';
        n += 1;
        i += 1;
        if let Some(&c @ (b'+' | b'-')) = b.get(i) {
            *buf.get_mut(n)? = c;
            n += 1;
            i += 1;
        }
        let start = i;
        while let Some(&c) = b.get(i) {
            if !c.is_ascii_digit() {
                break;
            }
            *buf.get_mut(n)? = c;
            n += 1;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    let text = std::str::from_utf8(buf.get(..n)?).ok()?;
    text.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Parses a whole number: digits with an optional sign; a zero fraction (`12.0`, as Excel
/// re-saves write) is accepted. `None` when it is not one or it overflows.
pub(crate) fn parse_int(s: &str, decimal_comma: bool) -> Option<i64> {
    let b = s.as_bytes();
    let (negative, mut i) = match b.first() {
        Some(b'-') => (true, 1),
        Some(b'+') => (false, 1),
        _ => (false, 0),
    };
    let start = i;
    let mut value: i64 = 0;
    while let Some(&c) = b.get(i) {
        if !c.is_ascii_digit() {
            break;
        }
        let digit = i64::from(c - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(digit)?
        } else {
            value.checked_add(digit)?
        };
        i += 1;
    }
    if i == start {
        return None;
    }
    let point = if decimal_comma { b',' } else { b'.' };
    if b.get(i) == Some(&point) {
        i += 1;
        while b.get(i) == Some(&b'0') {
            i += 1;
        }
    }
    (i == b.len()).then_some(value)
}

/// Parses a percentage: `95%`, `95 %` or `95` (all 95 %).
pub(crate) fn parse_percent(s: &str, decimal_comma: bool) -> Option<f64> {
    let number = s.strip_suffix('%').map_or(s, str::trim_end);
    parse_number(number, decimal_comma)
}

/// Why a duration did not parse.
#[derive(Debug, PartialEq)]
pub(crate) enum DurationError {
    /// Not a duration in any accepted form.
    Syntax,
    /// A bare number, and no unit is declared.
    NoUnit,
    /// Too large for microseconds in an `i64`.
    Overflow,
    /// Years or months: not an exact length of time.
    Calendar,
}

/// Parses a duration: a bare number in `unit`, a TimeSpan (`[-][d.]HH:MM:SS[.fffffff]`),
/// ISO 8601 (`PT4H30M`, `P2DT1H`, `P1W`), or number–unit pairs (`4h`, `1d 2h`, `90 min`,
/// `1.5 hours`). Returns microseconds.
pub(crate) fn parse_duration(
    s: &str,
    unit: Option<DurationUnit>,
    decimal_comma: bool,
) -> Result<i64, DurationError> {
    if let Some(x) = parse_number(s, decimal_comma) {
        let unit = unit.ok_or(DurationError::NoUnit)?;
        return scale(x, unit.micros());
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let micros = if body.contains(':') {
        timespan(body)?
    } else if body.starts_with(['P', 'p']) {
        iso(body)?
    } else {
        unit_pairs(body)?
    };
    if negative {
        micros.checked_neg().ok_or(DurationError::Overflow)
    } else {
        Ok(micros)
    }
}

fn scale(x: f64, unit_micros: i64) -> Result<i64, DurationError> {
    let micros = (x * unit_micros as f64).round();
    // i64::MIN is the none sentinel; stay strictly inside.
    if micros.is_finite() && micros > -9.2e18 && micros < 9.2e18 {
        Ok(micros as i64)
    } else {
        Err(DurationError::Overflow)
    }
}

/// `[d.]HH:MM:SS[.f]` or `HH:MM`.
fn timespan(s: &str) -> Result<i64, DurationError> {
    let (days, clock) = match s.split_once('.') {
        Some((d, rest)) if rest.contains(':') && !d.contains(':') => (Some(d), rest),
        _ => (None, s),
    };
    let mut parts = clock.split(':');
    let hours = parts.next().ok_or(DurationError::Syntax)?;
    let minutes = parts.next().ok_or(DurationError::Syntax)?;
    let seconds = parts.next();
    if parts.next().is_some() {
        return Err(DurationError::Syntax);
    }
    let digits = |t: &str| -> Result<i64, DurationError> {
        if t.is_empty() || t.len() > 12 || !t.bytes().all(|c| c.is_ascii_digit()) {
            return Err(DurationError::Syntax);
        }
        t.parse::<i64>().map_err(|_| DurationError::Syntax)
    };
    let h = digits(hours)?;
    let m = digits(minutes)?;
    if m > 59 || (days.is_some() && h > 23) {
        return Err(DurationError::Syntax);
    }
    let mut total: i128 =
        i128::from(h) * i128::from(MICROS_PER_HOUR) + i128::from(m) * i128::from(MICROS_PER_MINUTE);
    if let Some(sec) = seconds {
        let (whole, frac) = match sec.split_once('.') {
            Some((w, f)) => (w, Some(f)),
            None => (sec, None),
        };
        let s = digits(whole)?;
        if s > 59 {
            return Err(DurationError::Syntax);
        }
        total += i128::from(s) * i128::from(MICROS_PER_SECOND);
        if let Some(frac) = frac {
            if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|c| c.is_ascii_digit()) {
                return Err(DurationError::Syntax);
            }
            let mut micros: i128 = 0;
            for (k, c) in frac.bytes().take(6).enumerate() {
                micros += i128::from(c - b'0') * 10i128.pow(5 - k as u32);
            }
            total += micros;
        }
    }
    if let Some(d) = days {
        total += i128::from(digits(d)?) * i128::from(MICROS_PER_DAY);
    }
    fit(total)
}

fn fit(total: i128) -> Result<i64, DurationError> {
    i64::try_from(total)
        .ok()
        .filter(|&x| x != i64::MIN)
        .ok_or(DurationError::Overflow)
}

/// ISO 8601 durations with exact units only (`W`, `D`, and `H` `M` `S` after `T`).
fn iso(s: &str) -> Result<i64, DurationError> {
    let b = s.as_bytes();
    let mut i = 1;
    let mut in_time = false;
    let mut total: f64 = 0.0;
    let mut any = false;
    while i < b.len() {
        if matches!(b.get(i), Some(b'T' | b't')) {
            in_time = true;
            i += 1;
            continue;
        }
        let start = i;
        while b
            .get(i)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'.' || *c == b',')
        {
            i += 1;
        }
        let number = s.get(start..i).ok_or(DurationError::Syntax)?.replace(',', ".");
        let x = parse_number(&number, false).ok_or(DurationError::Syntax)?;
        let unit = match (b.get(i).map(u8::to_ascii_uppercase), in_time) {
            (Some(b'W'), false) => 7 * MICROS_PER_DAY,
            (Some(b'D'), false) => MICROS_PER_DAY,
            (Some(b'Y' | b'M'), false) => return Err(DurationError::Calendar),
            (Some(b'H'), true) => MICROS_PER_HOUR,
            (Some(b'M'), true) => MICROS_PER_MINUTE,
            (Some(b'S'), true) => MICROS_PER_SECOND,
            _ => return Err(DurationError::Syntax),
        };
        i += 1;
        total += x * unit as f64;
        any = true;
    }
    if !any {
        return Err(DurationError::Syntax);
    }
    scale(total, 1)
}

/// `4h`, `1d 2h`, `90 min`, `1.5 hours`, `2w`.
fn unit_pairs(s: &str) -> Result<i64, DurationError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut total: f64 = 0.0;
    let mut any = false;
    loop {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'.') {
            i += 1;
        }
        let x = parse_number(s.get(start..i).ok_or(DurationError::Syntax)?, false)
            .ok_or(DurationError::Syntax)?;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        let word_start = i;
        while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        let word = s
            .get(word_start..i)
            .ok_or(DurationError::Syntax)?
            .to_ascii_lowercase();
        let unit = match word.as_str() {
            "w" | "wk" | "wks" | "week" | "weeks" => 7 * MICROS_PER_DAY,
            "d" | "day" | "days" => MICROS_PER_DAY,
            "h" | "hr" | "hrs" | "hour" | "hours" => MICROS_PER_HOUR,
            "min" | "mins" | "minute" | "minutes" => MICROS_PER_MINUTE,
            "s" | "sec" | "secs" | "second" | "seconds" => MICROS_PER_SECOND,
            "ms" => 1000,
            "y" | "yr" | "year" | "years" | "mo" | "month" | "months" => {
                return Err(DurationError::Calendar);
            }
            _ => return Err(DurationError::Syntax),
        };
        total += x * unit as f64;
        any = true;
    }
    if !any {
        return Err(DurationError::Syntax);
    }
    scale(total, 1)
}

/// Writes a number as text: integers without a fraction (`5`, not `5.0`), others in the
/// shortest form that reads back exactly.
pub(crate) fn render_f64(x: f64, out: &mut String) {
    use std::fmt::Write;
    if x.fract() == 0.0 && x.abs() < 1e15 {
        let _ = write!(out, "{}", x as i64);
    } else {
        let _ = write!(out, "{x}");
    }
}

#[cfg(test)]
#[path = "tests/number.rs"]
mod tests;
