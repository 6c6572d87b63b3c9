//! Literals written in rule files: dates, durations, and prose that wraps.

use crate::value::{MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND};

/// Lines joined with single spaces; a blank line starts a new paragraph. Lets authors wrap
/// descriptions to the width of their editor.
pub fn normalize_prose(text: &str) -> String {
    let mut out = String::new();
    let mut blank_run = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push_str("\n\n");
            blank_run = false;
        } else if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(line);
    }
    out
}

/// Parses `YYYY-MM-DD` into days since 1970-01-01, rejecting impossible dates.
pub fn parse_date(text: &str) -> Result<i32, String> {
    let mut parts = text.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next()) else {
        return Err("write it as YYYY-MM-DD".into());
    };
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let Some(month) = m.checked_sub(1).and_then(|i| MONTHS.get(i as usize)) else {
        return Err(format!("there is no month {m}"));
    };
    // The years every date value may hold (`value::checked_date`): `--as-of 0000-01-01`
    // or `--as-of 20000-01-01` must not become a date no arithmetic can handle.
    let y = i32::try_from(y)
        .ok()
        .filter(|y| (1..=9999).contains(y))
        .ok_or_else(|| format!("the year {y} is outside 1 to 9999"))?;
    let last = crate::value::days_in_month(y, m);
    if d == 0 || d > last {
        return Err(format!("{month} {y} has {last} days"));
    }
    Ok(crate::value::days_from_civil(y, m, d))
}

/// Days since 1970-01-01 of a civil date.
pub fn days_since_epoch(date: jiff::civil::Date) -> i32 {
    crate::value::days_from_civil(i32::from(date.year()), date.month() as u32, date.day() as u32)
}

/// Parses `24h`, `30d`, `2w`, `1d12h`, `90min`, `1.5h` into microseconds; `None` on overflow.
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, tail) = rest.split_at(num_end);
        let unit_end = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_end);
        let per: i64 = match unit {
            "ms" => 1_000,
            "s" => MICROS_PER_SECOND,
            "min" => MICROS_PER_MINUTE,
            "h" => MICROS_PER_HOUR,
            "d" => MICROS_PER_DAY,
            "w" => 7 * MICROS_PER_DAY,
            _ => return None,
        };
        let part = if num.contains('.') {
            let f: f64 = num.parse().ok()?;
            let micros = f * per as f64;
            if !micros.is_finite() || micros.abs() >= i64::MAX as f64 {
                return None;
            }
            micros.round() as i64
        } else {
            num.parse::<i64>().ok()?.checked_mul(per)?
        };
        total = total.checked_add(part)?;
        rest = tail;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_add_their_parts() {
        assert_eq!(parse_duration("24h"), Some(24 * MICROS_PER_HOUR));
        assert_eq!(parse_duration("1d12h"), Some(36 * MICROS_PER_HOUR));
        assert_eq!(parse_duration("2w"), Some(14 * MICROS_PER_DAY));
        assert_eq!(parse_duration("90min"), Some(90 * MICROS_PER_MINUTE));
        assert_eq!(parse_duration("1.5h"), Some(90 * MICROS_PER_MINUTE));
        assert_eq!(parse_duration("99999999999999w"), None);
    }

    #[test]
    fn dates_reject_impossible_days() {
        assert_eq!(parse_date("1970-01-02"), Ok(1));
        assert_eq!(parse_date("2026-11-22"), Ok(20779));
        assert!(parse_date("2026-02-30").is_err());
    }

    #[test]
    fn prose_joins_wrapped_lines_and_keeps_paragraphs() {
        assert_eq!(normalize_prose("  one\n   two\n\n  three  "), "one two\n\nthree");
    }
}
