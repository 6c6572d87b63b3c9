use super::*;

#[test]
fn numbers() {
    assert_eq!(parse_number("1234.5", false), Some(1234.5));
    assert_eq!(parse_number("-3", false), Some(-3.0));
    assert_eq!(parse_number("1e3", false), Some(1000.0));
    assert_eq!(parse_number(".5", false), Some(0.5));
    assert_eq!(parse_number("1,234", false), None);
    assert_eq!(parse_number("NaN", false), None);
    assert_eq!(parse_number("inf", false), None);
    assert_eq!(parse_number("1e999", false), None);
    assert_eq!(parse_number("", false), None);
    assert_eq!(parse_number(".", false), None);
    assert_eq!(parse_number("1.234,5", true), Some(1234.5));
    assert_eq!(parse_number("1234,5", true), Some(1234.5));
    assert_eq!(parse_number("1.234.567", true), Some(1_234_567.0));
    assert_eq!(parse_number("12.34", true), None);
    assert_eq!(parse_number("1.2345,6", true), None);
}

#[test]
fn ints() {
    assert_eq!(parse_int("42", false), Some(42));
    assert_eq!(parse_int("-9223372036854775808", false), Some(i64::MIN));
    assert_eq!(parse_int("9223372036854775808", false), None);
    assert_eq!(parse_int("12.0", false), Some(12));
    assert_eq!(parse_int("12.5", false), None);
    assert_eq!(parse_int("12,0", true), Some(12));
    assert_eq!(parse_int("+7", false), Some(7));
    assert_eq!(parse_int("-", false), None);
}

#[test]
fn percents() {
    assert_eq!(parse_percent("95%", false), Some(95.0));
    assert_eq!(parse_percent("95 %", false), Some(95.0));
    assert_eq!(parse_percent("95", false), Some(95.0));
    assert_eq!(parse_percent("95,5 %", true), Some(95.5));
    assert_eq!(parse_percent("%", false), None);
}

#[test]
fn durations() {
    let h = |x: i64| x * MICROS_PER_HOUR;
    assert_eq!(parse_duration("5.0", Some(DurationUnit::Hours), false), Ok(h(5)));
    assert_eq!(parse_duration("5", None, false), Err(DurationError::NoUnit));
    assert_eq!(parse_duration("00:01:35.8830000", None, false), Ok(95_883_000));
    assert_eq!(
        parse_duration("1.02:03:04", None, false),
        Ok(h(26) + 184 * MICROS_PER_SECOND)
    );
    assert_eq!(parse_duration("-00:00:01", None, false), Ok(-MICROS_PER_SECOND));
    assert_eq!(parse_duration("36:00:00", None, false), Ok(h(36)));
    assert_eq!(
        parse_duration("PT4H30M", None, false),
        Ok(h(4) + 30 * MICROS_PER_MINUTE)
    );
    assert_eq!(parse_duration("P2DT1H", None, false), Ok(h(49)));
    assert_eq!(parse_duration("P1W", None, false), Ok(h(168)));
    assert_eq!(parse_duration("P1M", None, false), Err(DurationError::Calendar));
    assert_eq!(parse_duration("4h", None, false), Ok(h(4)));
    assert_eq!(parse_duration("1d 2h", None, false), Ok(h(26)));
    assert_eq!(parse_duration("90 min", None, false), Ok(90 * MICROS_PER_MINUTE));
    assert_eq!(
        parse_duration("1.5 hours", None, false),
        Ok(h(1) + 30 * MICROS_PER_MINUTE)
    );
    assert_eq!(parse_duration("2w", None, false), Ok(h(336)));
    assert_eq!(
        parse_duration("3 months", None, false),
        Err(DurationError::Calendar)
    );
    assert_eq!(
        parse_duration("9999999999999 w", None, false),
        Err(DurationError::Overflow)
    );
    assert_eq!(
        parse_duration("1e300", Some(DurationUnit::Days), false),
        Err(DurationError::Overflow)
    );
    assert_eq!(parse_duration("soon", None, false), Err(DurationError::Syntax));
    assert_eq!(parse_duration("1:60:00", None, false), Err(DurationError::Syntax));
}

#[test]
fn rendering() {
    let mut out = String::new();
    render_f64(5.0, &mut out);
    assert_eq!(out, "5");
    out.clear();
    render_f64(1.25, &mut out);
    assert_eq!(out, "1.25");
}
