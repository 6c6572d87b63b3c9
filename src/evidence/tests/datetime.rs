use super::*;

fn fmt(text: &str) -> DateFormat {
    DateFormat::compile(text).unwrap()
}

fn utc(formats: &[&str]) -> Temporal {
    Temporal {
        formats: formats.iter().map(|f| fmt(f)).collect(),
        zone: Zone::Utc,
        pivot: 1970,
    }
}

fn micros(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_microsecond()
}

#[test]
fn jira_twelve_hour_clock() {
    let t = utc(&["%d/%b/%y %-I:%M %p"]);
    let mut notes = Notes::default();
    assert_eq!(
        t.datetime("22/Nov/26 9:15 AM", &mut notes),
        Ok(micros("2026-11-22T09:15:00Z"))
    );
    assert_eq!(
        t.datetime("22/nov/26 12:00 am", &mut notes),
        Ok(micros("2026-11-22T00:00:00Z"))
    );
    assert_eq!(
        t.datetime("22/NOV/26 12:30 PM", &mut notes),
        Ok(micros("2026-11-22T12:30:00Z"))
    );
    assert_eq!(t.datetime("22/Nov/26 13:00 PM", &mut notes), Err(None));
    assert_eq!(t.datetime("22/Nox/26 9:15 AM", &mut notes), Err(None));
}

#[test]
fn offsets_and_fractions() {
    let t = utc(&["%Y-%m-%dT%H:%M:%S%.f%z"]);
    let mut notes = Notes::default();
    for (text, want) in [
        ("2018-05-11T09:46:53.000+0300", "2018-05-11T06:46:53Z"),
        ("2018-05-11T09:46:53+03:00", "2018-05-11T06:46:53Z"),
        ("2018-05-11T09:46:53.123456789Z", "2018-05-11T09:46:53.123456Z"),
        ("2018-05-11T09:46:53-05", "2018-05-11T14:46:53Z"),
    ] {
        assert_eq!(t.datetime(text, &mut notes), Ok(micros(want)), "{text}");
    }
}

#[test]
fn iso_default_forms() {
    let t = utc(&[]);
    let mut notes = Notes::default();
    for (text, want) in [
        ("2026-01-31", "2026-01-31T00:00:00Z"),
        ("2026-01-31T14:05", "2026-01-31T14:05:00Z"),
        ("2026-01-31 14:05:00", "2026-01-31T14:05:00Z"),
        ("2026-01-31T14:05:00.123Z", "2026-01-31T14:05:00.123Z"),
        ("2019-10-18T15:30:51.0273716+00:00", "2019-10-18T15:30:51.027371Z"),
        ("2026-01-31T14:05:00+0300", "2026-01-31T11:05:00Z"),
    ] {
        assert_eq!(t.datetime(text, &mut notes), Ok(micros(want)), "{text}");
    }
    // Day/month order is never guessed.
    assert_eq!(t.datetime("31/01/2026", &mut notes), Err(None));
    assert!(t.expected(true).contains("no `format` is declared"));
}

#[test]
fn impossible_dates_are_errors() {
    let t = utc(&["%d/%m/%Y"]);
    let mut notes = Notes::default();
    assert_eq!(t.date("29/02/2024"), Ok(days_from_civil(2024, 2, 29)));
    assert!(matches!(t.date("29/02/2026"), Err(Some(r)) if r.contains("february 2026 has no day 29")));
    assert!(matches!(t.date("30/02/2026"), Err(Some(_))));
    assert!(matches!(t.date("01/13/2026"), Err(Some(r)) if r.contains("month 13")));
    assert_eq!(utc(&[]).date("99999-01-01"), Err(None));
    assert!(matches!(
        utc(&[]).datetime("2026-01-31T24:00:00Z", &mut notes),
        Err(Some(_))
    ));
    assert!(matches!(utc(&[]).date("0000-00-00"), Err(Some(_))));
}

#[test]
fn leap_second_is_clamped_and_noted() {
    let mut notes = Notes::default();
    let got = utc(&[]).datetime("2016-12-31T23:59:60Z", &mut notes);
    assert_eq!(got, Ok(micros("2016-12-31T23:59:59Z")));
    assert_eq!(notes.leap.count, 1);
}

#[test]
fn two_digit_year_pivot() {
    let mut t = utc(&["%d/%m/%y"]);
    assert_eq!(t.date("01/01/69"), Ok(days_from_civil(2069, 1, 1)));
    assert_eq!(t.date("01/01/70"), Ok(days_from_civil(1970, 1, 1)));
    t.pivot = 2000;
    assert_eq!(t.date("01/01/99"), Ok(days_from_civil(2099, 1, 1)));
    t.pivot = 1950;
    assert_eq!(t.date("01/01/49"), Ok(days_from_civil(2049, 1, 1)));
    assert_eq!(t.date("01/01/50"), Ok(days_from_civil(1950, 1, 1)));
}

#[test]
fn helsinki_dst_policy_matches_jiff_compatible() {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let t = Temporal {
        formats: vec![],
        zone: Zone::Named(tz.clone(), ZoneDays::new()),
        pivot: 1970,
    };
    for text in [
        "2026-03-29 03:30",
        "2026-10-25 03:30",
        "2026-07-01 12:00",
        "2026-01-01 00:00",
    ] {
        let mut notes = Notes::default();
        let ours = t.datetime(text, &mut notes).unwrap();
        let civil: jiff::civil::DateTime = text.replace(' ', "T").parse().unwrap();
        let theirs = tz.to_ambiguous_zoned(civil).compatible().unwrap();
        assert_eq!(ours, theirs.timestamp().as_microsecond(), "{text}");
    }
}

#[test]
fn other_directives() {
    let mut notes = Notes::default();
    assert_eq!(
        utc(&["%B %e, %Y %T"]).datetime("September  7, 2026 08:00:00", &mut notes),
        Ok(micros("2026-09-07T08:00:00Z"))
    );
    assert_eq!(utc(&["%F"]).date("2026-09-07"), Ok(days_from_civil(2026, 9, 7)));
    assert_eq!(utc(&["%D"]).date("09/07/26"), Ok(days_from_civil(2026, 9, 7)));
    assert_eq!(
        utc(&["%s"]).datetime("1739539623", &mut notes),
        Ok(1_739_539_623_000_000)
    );
    assert_eq!(
        utc(&["%Y-%m-%d %H:%M %Z"]).datetime("2026-07-01 12:00 Europe/Helsinki", &mut notes),
        Ok(micros("2026-07-01T09:00:00Z"))
    );
    assert_eq!(
        utc(&["%Y-%m-%d %H:%M %Z"]).datetime("2026-07-01 12:00 UTC", &mut notes),
        Ok(micros("2026-07-01T12:00:00Z"))
    );
    assert_eq!(
        utc(&["%Y%%%m%%%d"]).date("2026%07%01"),
        Ok(days_from_civil(2026, 7, 1))
    );
}

#[test]
fn bad_formats_are_rejected() {
    assert!(DateFormat::compile("%Q").unwrap_err().contains("`%Q`"));
    assert!(DateFormat::compile("%d/%m %").is_err());
    assert!(DateFormat::compile("%H:%M").unwrap_err().contains("full date"));
    assert!(DateFormat::compile("%d/%m/%Y %I:%M").unwrap_err().contains("%p"));
}

#[test]
fn civil_round_trip_and_excel_serials() {
    for days in [-719_162, -1, 0, 1, 20_000, 2_932_896] {
        let (y, m, d) = civil_from_days(days);
        assert_eq!(days_from_civil(y, m, d), days);
    }
    let p = excel_serial_parts(46053.0).unwrap();
    assert_eq!((p.year, p.month, p.day), (2026, 1, 31));
    let p = excel_serial_parts(1.5).unwrap();
    assert_eq!((p.year, p.month, p.day, p.hour), (1900, 1, 1, 12));
    assert!(excel_serial_parts(60.0).is_none());
    assert!(excel_serial_parts(f64::NAN).is_none());
    assert!(excel_serial_parts(-1.0).is_none());
}

mod day_cache {
    use proptest::prelude::*;

    use super::super::{
        Notes, Parts, ZoneDays, days_from_civil, days_in_month, local_to_utc, local_to_utc_cached,
    };

    const ZONES: &[&str] = &[
        "Europe/Helsinki",
        "America/New_York",
        "Australia/Lord_Howe",
        "Pacific/Apia",
        "Europe/Moscow",
        "UTC",
    ];

    /// A wall-clock time, half of them on or next to a March/October/April/November
    /// Sunday, where the transitions are.
    fn wall() -> impl Strategy<Value = Parts> {
        (
            1965i32..2040,
            prop_oneof![Just(3u32), Just(4), Just(10), Just(11), 1u32..=12, Just(12)],
            1u32..=31,
            0u32..24,
            0u32..60,
            0u32..60,
            0u32..1_000_000,
        )
            .prop_map(|(year, month, day, hour, minute, second, micros)| Parts {
                year,
                month,
                day: day.min(days_in_month(year, month)),
                hour,
                minute,
                second,
                micros,
                ..Parts::default()
            })
    }

    fn zones() -> Vec<(jiff::tz::TimeZone, ZoneDays)> {
        ZONES
            .iter()
            .map(|name| (jiff::tz::TimeZone::get(name).unwrap(), ZoneDays::new()))
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn cached_offsets_equal_the_zone_database(p in wall(), which in 0..ZONES.len()) {
            thread_local! {
                static ZONE_SET: Vec<(jiff::tz::TimeZone, ZoneDays)> = zones();
            }
            let (tz, id) = ZONE_SET.with(|z| z[which].clone());
            let (mut cached_notes, mut exact_notes) = (Notes::default(), Notes::default());
            let cached = local_to_utc_cached(&tz, id, &p, "raw", &mut cached_notes);
            let exact = local_to_utc(&tz, &p, "raw", &mut exact_notes);
            prop_assert_eq!(cached, exact);
            prop_assert_eq!(cached_notes, exact_notes);
        }
    }

    /// Every minute of the days around Helsinki's and Apia's transitions, twice (the second
    /// pass hits the cache).
    #[test]
    fn every_minute_around_transitions() {
        for (name, days) in [
            ("Europe/Helsinki", [(2026, 3, 29), (2026, 10, 25), (2025, 3, 30)]),
            ("Pacific/Apia", [(2011, 12, 29), (2011, 12, 30), (2011, 12, 31)]),
        ] {
            let tz = jiff::tz::TimeZone::get(name).unwrap();
            let id = ZoneDays::new();
            for _ in 0..2 {
                for (y, m, d) in days {
                    for offset_days in -4i32..=4 {
                        let (year, month, day) =
                            crate::value::civil_from_days(days_from_civil(y, m, d) + offset_days);
                        for minute in 0..24 * 60 {
                            let p = Parts {
                                year,
                                month,
                                day,
                                hour: minute / 60,
                                minute: minute % 60,
                                ..Parts::default()
                            };
                            let (mut a, mut b) = (Notes::default(), Notes::default());
                            assert_eq!(
                                local_to_utc_cached(&tz, id, &p, "x", &mut a),
                                local_to_utc(&tz, &p, "x", &mut b),
                                "{name} {p:?}"
                            );
                            assert_eq!(a, b);
                        }
                    }
                }
            }
        }
    }
}

mod fixed_width {
    use proptest::prelude::*;

    use super::super::{DateFormat, Notes, Temporal, Zone, fixed_iso, parse_iso};

    /// ISO-looking text: valid shapes with random digits, and broken ones.
    fn isoish() -> impl Strategy<Value = String> {
        let digit = || proptest::char::range('0', '9');
        prop_oneof![
            (
                0u32..10000,
                0u32..14,
                0u32..33,
                0u32..26,
                0u32..61,
                0u32..62,
                0u32..1000,
                0usize..6,
                proptest::sample::select(vec!['T', 't', ' ', 'x'])
            )
                .prop_map(|(y, mo, d, h, mi, s, ms, shape, sep)| {
                    let date = format!("{y:04}-{mo:02}-{d:02}");
                    let time = format!("{date}{sep}{h:02}:{mi:02}:{s:02}");
                    match shape {
                        0 => date,
                        1 => time,
                        2 => format!("{time}Z"),
                        3 => format!("{time}.{ms:03}"),
                        4 => format!("{time}.{ms:03}Z"),
                        _ => format!("{time}.{ms:03}+02:00"),
                    }
                }),
            proptest::collection::vec(
                prop_oneof![
                    digit(),
                    Just('-'),
                    Just(':'),
                    Just('T'),
                    Just(' '),
                    Just('.'),
                    Just('Z'),
                    Just('z'),
                    Just('+'),
                    Just(',')
                ],
                8..26
            )
            .prop_map(|c| c.into_iter().collect::<String>()),
        ]
    }

    fn service_now(fast: bool) -> Temporal {
        let Ok(mut format) = DateFormat::compile("%Y-%m-%d %H:%M:%S") else {
            panic!("a valid format");
        };
        assert!(format.iso_seconds);
        format.iso_seconds = fast;
        Temporal {
            formats: vec![format],
            zone: Zone::Utc,
            pivot: 1970,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn fixed_iso_equals_parse_iso(s in isoish()) {
            if let Some(fast) = fixed_iso(s.as_bytes()) {
                let general = parse_iso(&s).map(|(p, _)| p);
                prop_assert_eq!(format!("{:?}", Some(fast)), format!("{general:?}"), "{}", s);
            }
        }

        #[test]
        fn fast_temporals_equal_general_ones(s in isoish()) {
            let iso = Temporal { formats: vec![], zone: Zone::Utc, pivot: 1970 };
            let (mut a, mut b) = (Notes::default(), Notes::default());
            // No format: the fast path is always on; compare with the general parser's parts.
            let general = parse_iso(&s).map(|(p, _)| p);
            prop_assert_eq!(format!("{:?}", iso.parts(&s)), format!("{general:?}"));
            let (fast, slow) = (service_now(true), service_now(false));
            prop_assert_eq!(fast.datetime(&s, &mut a), slow.datetime(&s, &mut b), "{}", s);
            prop_assert_eq!(a, b);
            prop_assert_eq!(fast.date(&s), slow.date(&s), "{}", s);
        }
    }

    #[test]
    fn common_shapes_take_the_fast_path() {
        for s in [
            "2026-01-31",
            "2026-01-31 14:05:00",
            "2026-01-31T14:05:00.123Z",
            "2024-02-29T23:59:60Z",
        ] {
            assert!(fixed_iso(s.as_bytes()).is_some(), "{s}");
        }
        for s in [
            "2026-1-31",
            "2026-01-31T14:05",
            "2026-01-31T14:05:00+02:00",
            "2026-01-31T14:05:00.1234Z",
        ] {
            assert!(fixed_iso(s.as_bytes()).is_none(), "{s}");
        }
    }
}

mod jira_layout {
    use proptest::prelude::*;

    use super::super::DateFormat;

    /// Jira-looking text: the real layout with random numbers, padding and case, and
    /// random strings of the characters it uses.
    fn jiraish() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                0u32..40,
                proptest::sample::select(vec!["Jan", "feb", "MAR", "Sep", "Dec", "Foo", "Ma", "May "]),
                0u32..100,
                0u32..15,
                0u32..62,
                proptest::sample::select(vec!["AM", "pm", "Pm", "XM", "A", ""]),
                proptest::sample::select(vec![" ", "  ", "\t", ""]),
                any::<bool>(),
            )
                .prop_map(|(d, mon, y, h, mi, ampm, gap, padded)| {
                    if padded {
                        format!("{d:02}/{mon}/{y:02}{gap}{h:02}:{mi:02} {ampm}")
                    } else {
                        format!("{d}/{mon}/{y}{gap}{h}:{mi:02}{gap}{ampm}")
                    }
                }),
            proptest::collection::vec(
                prop_oneof![
                    proptest::char::range('0', '9'),
                    Just('/'),
                    Just('-'),
                    Just(':'),
                    Just(' '),
                    Just('M'),
                    Just('a'),
                    Just('p'),
                    Just('J'),
                    Just('n'),
                    Just('u')
                ],
                10..22
            )
            .prop_map(|c| c.into_iter().collect::<String>()),
        ]
    }

    fn formats() -> Vec<DateFormat> {
        ["%d/%b/%y %-I:%M %p", "%-d/%b/%y %I:%M %p", "%d-%b-%y %-I:%M %p"]
            .iter()
            .filter_map(|f| DateFormat::compile(f).ok())
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// The straight pass over Jira's layout gives exactly what the item walk gives.
        #[test]
        fn jira_shape_equals_the_item_walk(s in jiraish(), pivot in 1950i32..2050) {
            let formats = formats();
            prop_assert_eq!(formats.len(), 3);
            for f in &formats {
                let shape = f.jira;
                prop_assert!(shape.is_some(), "{} has Jira's layout", f.text);
                let fast = shape.and_then(|j| j.parse(s.as_bytes(), pivot));
                prop_assert_eq!(format!("{fast:?}"), format!("{:?}", f.walk(&s, pivot)), "{} {}", f.text, s);
            }
        }
    }

    #[test]
    fn other_layouts_walk_the_items() {
        for f in [
            "%d/%b/%y %H:%M",
            "%e/%b/%y %-I:%M %p",
            "%d/%b/%Y %-I:%M %p",
            "%d/%b/%y %-I:%M:%S %p",
        ] {
            let Ok(format) = DateFormat::compile(f) else {
                panic!("{f} is a valid format");
            };
            assert!(format.jira.is_none(), "{f}");
        }
    }
}

#[test]
fn every_declared_format_is_tried() {
    let t = utc(&["%d/%m/%Y", "%m/%d/%Y"]);
    let mut notes = Notes::default();
    // Month 30 under the first format; a valid date only under the second.
    assert_eq!(t.date("01/30/2026"), Ok(day("2026-01-30")));
    assert_eq!(t.date("30/01/2026"), Ok(day("2026-01-30")));
    // The same date under both: no ambiguity.
    assert_eq!(t.date("05/05/2026"), Ok(day("2026-05-05")));
    // Two different dates: never guessed.
    assert_eq!(
        t.date("03/04/2026"),
        Err(Some(String::from(
            "ambiguous: `%d/%m/%Y` reads it as 3 April 2026 and `%m/%d/%Y` as 4 March 2026; day and \
             month order is never guessed, declare one of them"
        )))
    );
    // Invalid under every format that matched: the first one's reason.
    assert_eq!(
        t.date("31/31/2026"),
        Err(Some(String::from("month 31 does not exist")))
    );
    assert_eq!(t.date("2026-01-30"), Err(None));
    // Date-times: the same rules, and a time in the message.
    let t = utc(&["%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"]);
    assert_eq!(
        t.datetime("12/30/2026 10:00", &mut notes),
        Ok(micros("2026-12-30T10:00:00Z"))
    );
    let e = t.datetime("01/09/2007 09:41", &mut notes).unwrap_err().unwrap();
    assert!(
        e.contains("as 1 September 2007 09:41 and `%m/%d/%Y %H:%M` as 9 January 2007 09:41"),
        "{e}"
    );
    // Formats of different layouts never compete.
    let t = utc(&["%d/%b/%y %-I:%M %p", "%Y-%m-%d"]);
    assert_eq!(t.date("22/Nov/26 9:15 AM"), Ok(day("2026-11-22")));
    assert_eq!(t.date("2026-11-23"), Ok(day("2026-11-23")));
}

#[test]
fn a_dst_note_is_counted_once_with_several_formats() {
    let t = Temporal {
        formats: vec![fmt("%Y-%m-%d %H:%M"), fmt("%Y-%d-%m %H:%M")],
        zone: Zone::from_name("Europe/Helsinki").unwrap(),
        pivot: 1970,
    };
    let mut notes = Notes::default();
    // 29 March 2026 03:30 is in Helsinki's spring-forward gap; `%Y-%d-%m` has no month 29.
    assert!(t.datetime("2026-03-29 03:30", &mut notes).is_ok());
    assert_eq!(notes.dst_gap.count, 1);
}

fn day(s: &str) -> i32 {
    let d: jiff::civil::Date = s.parse().unwrap();
    (d - jiff::civil::date(1970, 1, 1)).get_days()
}
