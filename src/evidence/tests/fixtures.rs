//! One test per quirk of real exports (FORMATS.md §0), on invented fixtures.

use crate::value::{MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, Type, Value};

use super::super::{
    ColumnData, DatasetSpec, DurationUnit, Encoding, FieldSpec, LoadErrorKind, Location, SourceFormat,
    TextData,
};
use super::{at, day, load_err, load_ok};

fn f(name: &str, ty: Type, from: &str) -> FieldSpec {
    FieldSpec::new(name, ty, from)
}

fn jira_cloud() -> DatasetSpec {
    DatasetSpec {
        timezone: Some("Europe/Helsinki".into()),
        ..DatasetSpec::new("capa", "jira/capa_cloud_bom.csv")
    }
    .field(f("summary", Type::Text, "Summary"))
    .field(f("key", Type::Text, "Issue key").key().required())
    .field(f("status", Type::Text, "Status"))
    .field(f("created", Type::DateTime, "Created").format("%d/%b/%y %-I:%M %p"))
    .field(f("resolved", Type::DateTime, "Resolved").format("%d/%b/%y %-I:%M %p"))
    .field(f("due", Type::Date, "Due date").format("%d/%b/%y %-I:%M %p"))
    .field(f("labels", Type::List, "Labels"))
}

#[test]
fn jira_bom_repeated_labels_multiline_and_provenance() {
    let t = load_ok(&jira_cloud());
    assert_eq!(t.rows(), 3);
    // The BOM is stripped: `Summary` matched exactly.
    assert_eq!(t.column(0).source(), "Summary");
    assert_eq!(
        t.column(0).text(0),
        Some("Supplier certificate expired\nfound in audit, second line")
    );
    assert_eq!(t.column(0).text(2), Some("Quote \"inside\" summary"));
    assert_eq!(t.key_text(1), Some("CAPA-102"));
    // 22/Nov/26 9:15 AM in Helsinki (EET, +02:00).
    assert_eq!(t.column(3).datetime(0), Some(at("2026-11-22T07:15:00Z")));
    // 12:05 PM is noon; 11:33 PM is 23:33 (EEST in July, +03:00).
    assert_eq!(t.column(3).datetime(1), Some(at("2026-12-01T10:05:00Z")));
    assert_eq!(t.column(3).datetime(2), Some(at("2026-07-30T20:33:00Z")));
    assert_eq!(t.column(4).datetime(1), None);
    // A date field with a date-time format takes the local date as written.
    assert_eq!(t.column(5).date(0), Some(day("2026-09-17")));
    assert!(t.column(5).is_none(1));
    // Every non-empty `Labels` cell, in order.
    assert_eq!(t.column(6).list(0).collect::<Vec<_>>(), ["ISO27001", "ISO9001"]);
    assert_eq!(t.column(6).list(1).collect::<Vec<_>>(), ["ISO22301"]);
    assert!(t.column(6).is_none(2));
    // The multi-line summary pushes the second record to line 4.
    assert_eq!(
        t.provenance(0),
        Location {
            line: Some(2),
            index: None
        }
    );
    assert_eq!(t.provenance(1).line, Some(4));
    assert_eq!(t.provenance(2).line, Some(5));
    let file = t.file();
    assert_eq!(file.encoding, Encoding::Utf8);
    assert_eq!(file.delimiter, Some(b','));
    assert_eq!(file.rows, 3);
    assert_eq!(file.sha256.len(), 64);
    assert_eq!(
        file.size,
        std::fs::metadata(super::fixtures().join("jira/capa_cloud_bom.csv"))
            .unwrap()
            .len()
    );
    // Text with few distinct values is dictionary-encoded.
    assert!(t.column(2).text_code(0).is_some());
    assert_eq!(t.value(2, 0), Value::Text("Resolved".into()));
}

#[test]
fn headers_differing_only_in_case_are_distinct() {
    let spec = DatasetSpec::new("capa", "jira/capa_cloud_bom.csv")
        .field(f("upper", Type::Text, "Custom field (Testing Status)"))
        .field(f("lower", Type::Text, "Custom field (Testing status)"))
        .field(f("severity", Type::Text, "custom field (severity)"));
    let t = load_ok(&spec);
    assert_eq!(t.column(0).text(0), Some("Passed"));
    assert_eq!(t.column(1).text(0), Some("Open"));
    // A unique case-insensitive match is used, and noted.
    assert_eq!(t.column(2).text(0), Some("Major"));
    assert_eq!(t.column(2).source(), "Custom field (Severity)");
    assert!(t.file().notes.iter().any(|n| n.contains("matched ignoring case")));
    // Two headers equal ignoring case: refuse to pick one.
    let spec = DatasetSpec::new("capa", "jira/capa_cloud_bom.csv").field(f(
        "t",
        Type::Text,
        "custom field (testing status)",
    ));
    let e = load_err(&spec);
    assert_eq!(e.code(), "D405");
}

#[test]
fn jira_excel_resave_crlf_day_first() {
    let spec = DatasetSpec::new("capa", "jira/capa_excel_crlf.csv")
        .field(f("key", Type::Text, "Issue key").key())
        .field(f("summary", Type::Text, "Summary"))
        .field(f("created", Type::DateTime, "Created").format("%d/%m/%Y %H:%M"))
        .field(
            f("due", Type::Date, "Due date")
                .alias("Due Date")
                .format("%d/%m/%Y %H:%M"),
        )
        .field(f("labels", Type::List, "Labels"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column(1).text(1), Some("Crash on save\r\nwhen offline"));
    assert_eq!(t.column(2).datetime(0), Some(at("2017-02-16T15:26:00Z")));
    // `Due date` is absent, its alias `Due Date` is not.
    assert_eq!(t.column(3).source(), "Due Date");
    assert_eq!(t.column(3).date(1), Some(day("2017-03-05")));
    assert_eq!(t.column(4).list(0).collect::<Vec<_>>(), ["bug", "ui"]);
    assert_eq!(t.provenance(2).line, Some(5));
}

#[test]
fn truncated_1024_column_export_reports_column_absent() {
    let spec = DatasetSpec::new("soc", "jira/soc_truncated_1024.csv")
        .field(f("key", Type::Text, "Issue key"))
        .field(f("work", Type::List, "Log Work"))
        .field(f("root", Type::Text, "Custom field (Root cause)"));
    let e = load_err(&spec);
    assert_eq!(e.code(), "D404");
    let LoadErrorKind::MissingColumn { available, .. } = &*e.kind else {
        panic!("{e}")
    };
    // Repeated headers are listed once.
    assert_eq!(available.len(), 5);
    let spec = DatasetSpec::new("soc", "jira/soc_truncated_1024.csv")
        .field(f("key", Type::Text, "Issue key"))
        .field(f("work", Type::List, "Log Work"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 1);
    assert!(t.column(1).is_none(0));
}

#[test]
fn servicenow_label_headers_through_aliases() {
    let spec = DatasetSpec::new("incidents", "servicenow/incident_labels.csv")
        .field(f("number", Type::Text, "number").key())
        .field(
            f("opened", Type::DateTime, "opened_at")
                .alias("Opened")
                .alias("Created")
                .format("%m-%d-%Y %H:%M:%S"),
        )
        .field(f("priority", Type::Text, "priority"));
    let t = load_ok(&spec);
    assert_eq!(t.column(0).source(), "Number");
    assert_eq!(t.column(1).source(), "Created");
    assert_eq!(t.column(1).datetime(0), Some(at("2025-03-12T15:21:08Z")));
    // Values with units stay text.
    assert_eq!(t.column(2).text(0), Some("3 - Moderate"));
}

#[test]
fn servicenow_excel_resave_nulls_bools_trailing_header() {
    let spec = DatasetSpec::new("incidents", "servicenow/incident_resaved.csv")
        .nulls(&["null"])
        .field(f("number", Type::Text, "number").key())
        .field(
            f("opened", Type::DateTime, "opened_at")
                .format("%-m/%-d/%Y %-H:%M")
                .format("%-m/%-d/%y %-H:%M"),
        )
        .field(f("desc", Type::Text, "short_description"))
        .field(f("security", Type::Bool, "u_security_incident"))
        .field(f("problem", Type::Text, "problem_id"))
        .field(f("status", Type::Text, "Status"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column(1).datetime(0), Some(at("2025-03-17T06:04:00Z")));
    assert_eq!(t.column(1).datetime(1), Some(at("2025-12-01T13:49:00Z")));
    assert_eq!(t.column(1).datetime(2), Some(at("2020-01-01T01:18:00Z")));
    // `null`, `Null` and `NULL` are one token, ignoring case.
    assert!(t.column(2).is_none(0));
    assert_eq!(t.column(2).text(1), Some("Printer jam"));
    assert!(t.column(2).is_none(2));
    assert!(t.column(4).is_none(0));
    assert_eq!(t.column(3).bool(0), Some(true));
    assert_eq!(t.column(3).bool(1), Some(false));
    assert_eq!(t.column(3).bool(2), Some(false));
    assert_eq!(t.column(5).text(2), Some("Open"));
    assert!(t.file().notes.iter().any(|n| n.contains("1 unnamed column")));
    // Without the null token, the word is text.
    let mut plain = spec.clone();
    plain.null_tokens.clear();
    let t = load_ok(&plain);
    assert_eq!(t.column(2).text(0), Some("null"));
}

#[test]
fn windows_1252_detected_and_declared() {
    let spec = DatasetSpec::new("changes", "servicenow/change_request_cp1252.csv")
        .field(f("number", Type::Text, "number"))
        .field(f("desc", Type::Text, "short_description"))
        .field(f("relevant", Type::Bool, "u_security_relevant"))
        .field(f("closed", Type::DateTime, "closed_at"));
    let t = load_ok(&spec);
    assert_eq!(t.column(1).text(0), Some("Patch DB \u{2013} night window"));
    assert_eq!(t.column(1).text(1), Some("Caf\u{e9} Wi\u{2013}Fi cert renewal"));
    assert_eq!(t.file().encoding, Encoding::Windows1252);
    assert!(t.file().notes[0].starts_with("not valid UTF-8 at byte "));
    assert_eq!(t.column(3).datetime(0), Some(at("2020-11-13T15:22:31Z")));
    // Declared: same text, no note.
    let mut declared = spec.clone();
    declared.encoding = Some(Encoding::Windows1252);
    let t = load_ok(&declared);
    assert_eq!(t.column(1).text(0), Some("Patch DB \u{2013} night window"));
    assert!(t.file().notes.is_empty());
    // UTF-8 declared: an error with the line, column and byte offset.
    let mut utf8 = spec;
    utf8.encoding = Some(Encoding::Utf8);
    let e = load_err(&utf8);
    assert_eq!(
        *e.kind,
        LoadErrorKind::InvalidUtf8 {
            byte: 104,
            line: Some(2),
            column: Some(35)
        }
    );
}

#[test]
fn question_mark_null_and_unpadded_day_month() {
    let spec = DatasetSpec::new("events", "servicenow/incident_event_log.csv")
        .nulls(&["?"])
        .field(f("number", Type::Text, "number"))
        .field(f("opened", Type::DateTime, "opened_at").format("%-d/%-m/%Y %H:%M"))
        .field(f("resolved", Type::DateTime, "resolved_at").format("%-d/%-m/%Y %H:%M"))
        .field(f("problem", Type::Text, "problem_id"))
        .field(f("sla", Type::Bool, "made_sla"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 3);
    // The same incident number repeats: one row per update.
    assert_eq!(t.column(0).text(0), t.column(0).text(1));
    assert_eq!(t.column(1).datetime(0), Some(at("2016-02-29T01:16:00Z")));
    assert!(t.column(2).is_none(0));
    assert_eq!(t.column(2).datetime(1), Some(at("2016-02-29T11:29:00Z")));
    assert!(t.column(3).is_none(0));
    assert_eq!(t.column(3).text(2), Some("PRB0000005"));
    assert_eq!(t.column(4).bool(2), Some(false));
}

#[test]
fn table_ends_at_blank_line_before_markdown() {
    let spec = DatasetSpec::new("soa", "grc/soa_with_markdown.csv")
        .field(f("control", Type::Text, "Control ID").key())
        .field(f("applicable", Type::Bool, "Applicable (Yes/No)"))
        .field(f("why", Type::Text, "Justification"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 2);
    assert_eq!(t.column(1).bool(1), Some(false));
    assert_eq!(t.column(2).text(1), Some("Fully remote, no offices"));
    let note = t.file().notes.iter().find(|n| n.contains("blank line")).unwrap();
    assert!(note.contains("line 4"), "{note}");
}

#[test]
fn semicolon_bom_dash_null_and_formula_escape() {
    let spec = DatasetSpec {
        unescape_formulas: true,
        ..DatasetSpec::new("risks", "grc/risk_assessment_semicolon.csv")
    }
    .nulls(&["--"])
    .field(f("ref", Type::Text, "ref_id").key())
    .field(f("name", Type::Text, "name"))
    .field(f("residual", Type::Text, "residual_risk"))
    .field(f("proba", Type::Text, "residual_proba"))
    .field(f("controls", Type::List, "existing_controls"))
    .field(f("score", Type::Int, "score"));
    let mut spec = spec;
    spec.fields[4].separator = Some(",".into());
    let t = load_ok(&spec);
    assert_eq!(t.file().delimiter, Some(b';'));
    assert_eq!(t.column(0).text(0), Some("R.1"));
    // `--` and the escaped `'--` are both none.
    assert!(t.column(2).is_none(0));
    assert!(t.column(3).is_none(0));
    assert!(t.column(2).is_none(2));
    // `'=HYPERLINK(x)` loses the escape; `'-1` is the number -1.
    assert_eq!(t.column(1).text(1), Some("=HYPERLINK(x)"));
    assert_eq!(t.column(5).int(0), Some(-1));
    assert_eq!(t.column(5).int(2), Some(2));
    assert_eq!(t.column(4).list(0).collect::<Vec<_>>(), ["Backups", "EDR"]);
    // Without `unescape_formulas` the quote stays.
    let mut raw = spec.clone();
    raw.unescape_formulas = false;
    raw.fields.truncate(4);
    let t = load_ok(&raw);
    assert_eq!(t.column(1).text(1), Some("'=HYPERLINK(x)"));
    assert_eq!(t.column(3).text(0), Some("'--"));
}

#[test]
fn powershell_type_line_is_skipped() {
    let spec = DatasetSpec::new("users", "ad/users_type_line.csv")
        .field(f("sam", Type::Text, "SamAccountName").key())
        .field(f("enabled", Type::Bool, "Enabled"))
        .field(f("changed", Type::DateTime, "whenChanged").format("%-m/%-d/%Y %-I:%M:%S %p"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 2);
    assert_eq!(t.file().delimiter, Some(b';'));
    assert_eq!(t.column(1).bool(0), Some(true));
    assert_eq!(t.column(2).datetime(0), Some(at("2007-01-09T09:41:00Z")));
    assert_eq!(t.column(2).datetime(1), Some(at("2024-12-31T23:59:59Z")));
    // The header is on line 2, the first record on line 3.
    assert_eq!(t.provenance(0).line, Some(3));
}

#[test]
fn tab_separated_percent_bool_duration() {
    let spec = DatasetSpec::new("training", "lms/training.tsv")
        .field(f("user", Type::Text, "User ID").key())
        .field(f("email", Type::Text, "Email"))
        .field(f("dept", Type::Text, "Department"))
        .field(f("mandatory", Type::Bool, "Mandatory"))
        .field(f("completed", Type::Date, "Completion Date"))
        .field(f("score", Type::Percent, "Score"))
        .field(f("spent", Type::Duration, "Time Spent"));
    let t = load_ok(&spec);
    assert_eq!(t.file().delimiter, Some(b'\t'));
    assert_eq!(t.column(3).bool(2), Some(true));
    assert!(t.column(4).is_none(1));
    assert_eq!(t.column(4).date(2), Some(day("2026-02-28")));
    assert_eq!(t.value(5, 0), Value::Percent(95.0));
    assert_eq!(t.column(5).number(1), Some(80.0));
    assert_eq!(t.column(5).number(2), Some(100.0));
    assert_eq!(t.column(6).duration(0), Some(90 * MICROS_PER_MINUTE));
    assert_eq!(t.column(6).duration(1), Some(45 * MICROS_PER_MINUTE));
    assert_eq!(t.column(6).duration(2), Some(75 * MICROS_PER_MINUTE));
    assert_eq!(t.column(1).text(0), Some("A.Virtanen@example.com"));
}

#[test]
fn veeam_units_timespans_and_two_formats() {
    let spec = DatasetSpec::new("backups", "veeam/sessions.csv")
        .field(f("job", Type::Text, "JobName"))
        .field(f("size", Type::Text, "DataSize"))
        .field(f("duration", Type::Duration, "Duration"))
        .field(
            f("date", Type::DateTime, "Date")
                .format("%-m/%-d/%Y %-I:%M:%S %p")
                .format("%-m/%-d/%Y %-H:%M:%S"),
        )
        .field(f("reason", Type::Text, "Reason"))
        .field(f("tags", Type::List, "IncludedTags"));
    let t = load_ok(&spec);
    assert_eq!(t.column(1).text(0), Some("30 GB"));
    assert_eq!(t.column(1).text(2), Some("1.62x"));
    assert_eq!(t.column(2).duration(0), Some(95 * MICROS_PER_SECOND + 883_000));
    assert_eq!(
        t.column(2).duration(1),
        Some(26 * MICROS_PER_HOUR + 3 * MICROS_PER_MINUTE + 4 * MICROS_PER_SECOND)
    );
    assert_eq!(t.column(2).duration(2), Some(0));
    assert_eq!(t.column(3).datetime(0), Some(at("2020-07-27T13:05:49Z")));
    assert_eq!(t.column(3).datetime(1), Some(at("2020-02-05T12:00:16Z")));
    assert_eq!(t.column(3).datetime(2), Some(at("2020-12-31T23:59:59Z")));
    // `""` and an empty unquoted cell are both none.
    assert!(t.column(4).is_none(0));
    assert!(t.column(4).is_none(2));
    assert!(t.column(5).is_none(0));
    assert!(t.column(5).is_none(2));
}

#[test]
fn helsinki_local_time_with_both_dst_transitions() {
    let spec = DatasetSpec {
        timezone: Some("Europe/Helsinki".into()),
        ..DatasetSpec::new("leavers", "hr/leavers.csv")
    }
    .field(f("id", Type::Text, "Employee ID").key())
    .field(f("email", Type::Text, "Work Email"))
    .field(f("terminated", Type::DateTime, "Termination Date").format("%d/%m/%Y %H:%M"))
    .field(f("notice", Type::Duration, "Notice (d)").unit(DurationUnit::Days));
    let t = load_ok(&spec);
    let col = t.column(2);
    // Winter (EET, +02:00).
    assert_eq!(col.datetime(0), Some(at("2026-01-31T15:00:00Z")));
    // 03:30 on 29 March does not exist: shifted forward to 04:30 EEST = 01:30 UTC.
    assert_eq!(col.datetime(1), Some(at("2026-03-29T01:30:00Z")));
    // 03:30 on 25 October happens twice: the earlier one (EEST) = 00:30 UTC.
    assert_eq!(col.datetime(2), Some(at("2026-10-25T00:30:00Z")));
    // Summer (EEST, +03:00).
    assert_eq!(col.datetime(3), Some(at("2026-06-30T20:59:00Z")));
    let notes = &t.file().notes;
    assert!(
        notes
            .iter()
            .any(|n| n.contains("gap") && n.contains("29/03/2026 03:30")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("overlap") && n.contains("25/10/2026 03:30")),
        "{notes:?}"
    );
    assert_eq!(
        t.column(3).duration(1),
        Some(14 * 24 * MICROS_PER_HOUR + 12 * MICROS_PER_HOUR)
    );
    assert!(t.column(3).is_none(2));
    // The same file read as UTC moves every instant (the trap PERFORMANCE.md warns about).
    let mut utc = spec;
    utc.timezone = None;
    let t = load_ok(&utc);
    assert_eq!(t.column(2).datetime(0), Some(at("2026-01-31T17:00:00Z")));
    assert!(t.file().notes.is_empty());
}

#[test]
fn every_observed_timestamp_format() {
    use Type::{Date, DateTime};
    type Case<'a> = (&'a str, Type, &'a [&'a str], [Option<&'a str>; 2]);
    let cases: &[Case<'_>] = &[
        (
            "jira_cloud",
            DateTime,
            &["%d/%b/%y %-I:%M %p"],
            [Some("2024-01-09T15:54:00Z"), Some("2018-07-30T00:00:00Z")],
        ),
        (
            "jira_dateonly",
            Date,
            &["%d/%b/%y %-I:%M %p"],
            [Some("2024-01-10"), Some("2026-09-17")],
        ),
        (
            "jira_24h",
            DateTime,
            &["%d/%b/%y %H:%M"],
            [Some("2018-07-30T23:33:00Z"), Some("2018-08-01T00:00:00Z")],
        ),
        (
            "jira_excel",
            DateTime,
            &["%d/%m/%Y %H:%M"],
            [Some("2017-02-16T15:26:00Z"), Some("2017-12-01T00:00:00Z")],
        ),
        (
            "jira_rest",
            DateTime,
            &["%Y-%m-%dT%H:%M:%S%.f%z"],
            [Some("2018-05-11T06:46:53Z"), Some("2019-01-01T04:59:59.999Z")],
        ),
        (
            "snow_display",
            DateTime,
            &["%Y-%m-%d %H:%M:%S"],
            [Some("2020-11-13T15:22:31Z"), Some("2021-01-01T00:00:00Z")],
        ),
        (
            "snow_us",
            DateTime,
            &["%m-%d-%Y %H:%M:%S"],
            [Some("2025-03-12T15:21:08Z"), Some("2025-12-31T23:59:59Z")],
        ),
        (
            "uci_orig",
            DateTime,
            &["%-d/%-m/%Y %H:%M"],
            [Some("2016-02-29T01:16:00Z"), Some("2016-03-05T12:00:00Z")],
        ),
        (
            "uci_excel",
            DateTime,
            &["%d-%m-%Y %H:%M"],
            [Some("2016-02-29T01:16:00Z"), Some("2016-03-05T12:00:00Z")],
        ),
        (
            "snow_excel_us",
            DateTime,
            &["%-m/%-d/%Y %-H:%M"],
            [Some("2025-03-17T06:04:00Z"), Some("2025-12-01T13:49:00Z")],
        ),
        (
            "snow_excel_us2",
            DateTime,
            &["%-m/%-d/%y %-H:%M"],
            [Some("2020-01-01T01:18:00Z"), Some("1999-12-31T23:59:00Z")],
        ),
        (
            "okta",
            DateTime,
            &[],
            [Some("2020-02-14T22:18:51.843Z"), Some("2026-01-31T14:05:00.123Z")],
        ),
        (
            "entra",
            DateTime,
            &[],
            [
                Some("2019-10-18T15:30:51.027371Z"),
                Some("2019-10-18T15:30:51.027371Z"),
            ],
        ),
        (
            // Elastic's `01/09/2007 09:41:00` is the same instant as its `1/9/2007 9:41:00 AM`
            // and `2007-01-09T09:41:00`: month first, 9 January.
            "entra_corner_mdy",
            DateTime,
            &["%m/%d/%Y %H:%M:%S"],
            [Some("2007-01-09T09:41:00Z"), Some("2007-12-31T23:00:00Z")],
        ),
        (
            "entra_corner_us",
            DateTime,
            &["%-m/%-d/%Y %-I:%M:%S %p %z", "%-m/%-d/%Y %-I:%M:%S %p"],
            [Some("2007-01-09T09:41:00Z"), Some("2007-01-09T09:41:00Z")],
        ),
        (
            "entra_corner_iso",
            DateTime,
            &[],
            [Some("2007-01-09T09:41:00Z"), Some("2007-01-09T09:41:00.535404Z")],
        ),
        (
            "knowbe4",
            DateTime,
            &[],
            [Some("2018-06-18T19:00:14Z"), Some("2018-06-18T19:49:00Z")],
        ),
        ("bamboohr", Date, &[], [Some("2020-12-30"), None]),
        (
            "google",
            DateTime,
            &[],
            [Some("2020-10-02T15:00:00Z"), Some("2020-10-02T15:00:00.1Z")],
        ),
        (
            "prowler",
            DateTime,
            &[],
            [
                Some("2025-02-14T14:27:03.913874Z"),
                Some("2025-02-14T14:27:03.913874Z"),
            ],
        ),
        (
            "prowler_epoch",
            DateTime,
            &["%s"],
            [Some("2025-02-14T13:27:03Z"), Some("1970-01-01T00:00:00Z")],
        ),
        (
            "defectdojo_dmy",
            Date,
            &["%d/%m/%Y"],
            [Some("2021-02-28"), Some("2021-12-01")],
        ),
        (
            "defectdojo_mdy",
            Date,
            &["%m/%d/%Y"],
            [Some("2018-01-30"), Some("2018-12-01")],
        ),
        (
            "veeam_ps",
            DateTime,
            &["%-m/%-d/%Y %-I:%M:%S %p", "%-m/%-d/%Y %-H:%M:%S"],
            [Some("2020-07-27T13:05:49Z"), Some("2020-02-05T12:00:16Z")],
        ),
        (
            "veeam_api",
            DateTime,
            &[],
            [Some("2019-04-18T17:27:47.74Z"), Some("2019-04-19T05:27:22.863Z")],
        ),
        ("ciso", Date, &[], [Some("2026-03-06"), Some("2026-12-31")]),
    ];
    let mut spec = DatasetSpec::new("ts", "timestamps/observed.csv").nulls(&["0000-00-00"]);
    for (name, ty, formats, _) in cases {
        let mut field = f(name, *ty, name);
        field.formats = formats.iter().map(|s| s.to_string()).collect();
        spec = spec.field(field);
    }
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 2);
    for (i, (name, ty, _, expected)) in cases.iter().enumerate() {
        for (row, want) in expected.iter().enumerate() {
            let got = t.value(i, row);
            let want = match (want, ty) {
                (None, _) => Value::None,
                (Some(s), Type::Date) => Value::Date(day(s)),
                (Some(s), _) => Value::DateTime(at(s)),
            };
            assert_eq!(got, want, "{name} row {row}");
        }
    }
}

#[test]
fn prowler_header_only_without_newline() {
    let spec = DatasetSpec::new("prowler", "prowler/zero_findings.csv")
        .field(f("status", Type::Text, "STATUS"))
        .field(f("muted", Type::Bool, "MUTED"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 0);
    assert_eq!(t.file().delimiter, Some(b';'));
}

fn okta_spec(source: &str) -> DatasetSpec {
    DatasetSpec::new("okta", source)
        .field(f("uuid", Type::Text, "uuid").key())
        .field(f("at", Type::DateTime, "published"))
        .field(f("kind", Type::Text, "eventType"))
        .field(f("user", Type::Text, "target[0].alternateId"))
        .field(f("actor", Type::Text, "actor.alternateId"))
        .field(f("result", Type::Text, "outcome.result"))
        .field(f("zone", Type::Text, "client.zone"))
        .field(f("message", Type::Text, "displayMessage"))
}

fn check_okta(t: &super::super::Table) {
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column(1).datetime(0), Some(at("2026-01-31T14:05:00.123Z")));
    assert_eq!(t.column(1).datetime(2), Some(at("2026-02-02T09:30:15.5Z")));
    assert_eq!(t.column(2).text(0), Some("user.lifecycle.deactivate"));
    // The user acted on is in `target`, not in `actor`.
    assert_eq!(t.column(3).text(0), Some("Anna.Virtanen@EXAMPLE.com"));
    assert_eq!(t.column(4).text(0), Some("admin@example.com"));
    // `target: null` and `target: []` are none.
    assert!(t.column(3).is_none(1));
    assert!(t.column(3).is_none(2));
    // `outcome: null` is none all the way down.
    assert!(t.column(5).is_none(2));
    // The string "null" is text.
    assert_eq!(t.column(6).text(0), Some("null"));
    assert!(t.column(6).is_none(2));
    assert_eq!(
        t.column(7).text(1),
        Some("User login to Okta \"portal\" \u{e9}\\n")
    );
}

#[test]
fn okta_json_array() {
    let t = load_ok(&okta_spec("iam/okta_system_log.json"));
    check_okta(&t);
    assert_eq!(t.file().format, SourceFormat::Json);
    assert_eq!(
        t.provenance(2),
        Location {
            line: None,
            index: Some(2)
        }
    );
}

#[test]
fn okta_json_lines_with_blank_lines() {
    let t = load_ok(&okta_spec("iam/okta_system_log.ndjson"));
    check_okta(&t);
    assert_eq!(t.file().format, SourceFormat::JsonLines);
    assert_eq!(t.provenance(0).line, Some(1));
    assert_eq!(t.provenance(1).line, Some(3));
    assert_eq!(t.provenance(2).line, Some(5));
}

#[test]
fn bamboohr_records_path_and_zero_date() {
    let spec = DatasetSpec {
        records: Some("employees".into()),
        ..DatasetSpec::new("hr", "hr/bamboohr.json")
    }
    .nulls(&["0000-00-00"])
    .field(f("id", Type::Text, "id").key())
    .field(f("email", Type::Text, "workEmail"))
    .field(f("terminated", Type::Date, "terminationDate"))
    .field(f("status", Type::Text, "status"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 3);
    assert_eq!(t.column(2).date(0), Some(day("2026-01-31")));
    assert!(t.column(2).is_none(1));
    assert!(t.column(1).is_none(2));
    assert_eq!(
        t.provenance(1),
        Location {
            line: None,
            index: Some(1)
        }
    );
    // Without the records path the object is read as one record, which lacks the fields.
    let mut flat = spec.clone();
    flat.records = None;
    assert_eq!(load_err(&flat).code(), "D404");
    // A wrong records path.
    let mut wrong = spec;
    wrong.records = Some("data.employees".into());
    let e = load_err(&wrong);
    assert_eq!(e.code(), "D415");
    assert!(e.to_string().contains("no key `data`"), "{e}");
}

#[test]
fn nested_records_typed_json_values() {
    let spec = DatasetSpec {
        records: Some("data.items".into()),
        ..DatasetSpec::new("items", "json/nested_records.json")
    }
    .field(f("id", Type::Text, "id").key())
    .field(f("id_int", Type::Int, "id"))
    .field(f("score", Type::Number, "score"))
    .field(f("passed", Type::Bool, "passed"))
    .field(f("groups", Type::List, "groups"))
    .field(f("hours", Type::Duration, "hours").unit(DurationUnit::Hours))
    .field(f("first_group", Type::Text, "groups[0]"));
    let t = load_ok(&spec);
    // A JSON number for a text field renders without a fraction.
    assert_eq!(t.column(0).text(0), Some("7"));
    assert_eq!(t.column(1).int(1), Some(8));
    assert_eq!(t.column(2).number(0), Some(91.5));
    assert_eq!(t.column(2).number(1), Some(80.0));
    assert_eq!(t.column(3).bool(0), Some(true));
    assert_eq!(t.column(4).list(0).collect::<Vec<_>>(), ["Sales", "All staff"]);
    assert!(t.column(4).is_none(1));
    assert_eq!(t.column(5).duration(0), Some(90 * MICROS_PER_MINUTE));
    assert!(t.column(5).is_none(1));
}

#[test]
fn knowbe4_array_with_null_dates_and_duplicate_ids() {
    let spec = DatasetSpec::new("enrollments", "training/knowbe4_enrollments.json")
        .field(f("id", Type::Int, "enrollment_id").key())
        .field(f("email", Type::Text, "user.email"))
        .field(f("completed", Type::DateTime, "completion_date"))
        .field(f("spent", Type::Duration, "time_spent").unit(DurationUnit::Seconds))
        .field(f("ack", Type::Bool, "policy_acknowledged"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 2);
    assert_eq!(t.column(0).int(0), t.column(0).int(1));
    assert!(t.column(2).is_none(0));
    assert_eq!(t.column(2).datetime(1), Some(at("2018-07-02T10:00:00Z")));
    assert_eq!(t.column(3).duration(0), Some(497 * MICROS_PER_SECOND));
    assert_eq!(t.column(4).bool(1), Some(true));
}

#[test]
fn json_aliases_take_the_first_present_path() {
    let spec = DatasetSpec::new("okta", "iam/okta_system_log.json")
        .field(f("who", Type::Text, "target[0].alternateId").alias("actor.alternateId"));
    let t = load_ok(&spec);
    assert_eq!(t.column(0).text(0), Some("Anna.Virtanen@EXAMPLE.com"));
    assert_eq!(t.column(0).text(1), Some("b.korhonen@example.com"));
    assert_eq!(t.column(0).text(2), Some("admin@example.com"));
}

#[test]
fn json_path_never_present_is_column_absent() {
    let spec = DatasetSpec::new("okta", "iam/okta_system_log.json").field(f("kind", Type::Text, "eventTyp"));
    let e = load_err(&spec);
    assert_eq!(e.code(), "D404");
    assert!(e.help().contains("did you mean `eventType`"), "{}", e.help());
}

#[test]
fn xlsx_declared_sheet_typed_cells() {
    let spec = DatasetSpec {
        sheet: Some("Findings".into()),
        ..DatasetSpec::new("findings", "grc/findings.xlsx")
    }
    .field(f("ref", Type::Text, "ref_id").key())
    .field(f("severity", Type::Text, "severity"))
    .field(f("closed", Type::Bool, "closed"))
    .field(f("raised", Type::Date, "raised"))
    .field(f("raised_at", Type::DateTime, "raised"))
    .field(f("due", Type::Date, "due"))
    .field(f("count", Type::Number, "count"))
    .field(f("labels", Type::List, "Labels"));
    let t = load_ok(&spec);
    assert_eq!(t.rows(), 2);
    // A number cell for a text field has no spurious ".0".
    assert_eq!(t.column(1).text(0), Some("3"));
    assert_eq!(t.column(2).bool(0), Some(true));
    assert_eq!(t.column(3).date(0), Some(day("2026-01-31")));
    assert_eq!(t.column(4).datetime(1), Some(at("2026-02-01T18:00:00Z")));
    // A text date and a serial date in one column.
    assert_eq!(t.column(5).date(0), Some(day("2026-03-01")));
    assert_eq!(t.column(5).date(1), Some(day("2026-03-19")));
    assert_eq!(t.column(6).number(1), Some(1.5));
    assert_eq!(t.column(7).list(0).collect::<Vec<_>>(), ["ISO27001", "ISO9001"]);
    // Header on worksheet row 2, records on rows 3 and 4.
    assert_eq!(
        t.provenance(0),
        Location {
            line: None,
            index: Some(3)
        }
    );
    assert_eq!(t.file().sheet.as_deref(), Some("Findings"));
    assert!(t.file().notes.iter().any(|n| n.contains("empty row 5")));
    // The first sheet by default.
    let first = DatasetSpec::new("notes", "grc/findings.xlsx").field(f(
        "x",
        Type::Text,
        "This sheet is not the register",
    ));
    assert_eq!(load_ok(&first).rows(), 0);
}

#[test]
fn unused_fields_are_checked_but_not_loaded() {
    let spec = DatasetSpec::new("capa", "jira/capa_excel_crlf.csv")
        .field(f("key", Type::Text, "Issue key"))
        .field(f("created", Type::Int, "Created").unused());
    let t = load_ok(&spec);
    assert!(!t.column(1).is_used());
    assert_eq!(t.value(1, 0), Value::None);
    let spec =
        DatasetSpec::new("capa", "jira/capa_excel_crlf.csv").field(f("x", Type::Text, "Nope").unused());
    assert_eq!(load_err(&spec).code(), "D404");
}

#[test]
fn dictionary_falls_back_to_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("id,kind\n");
    for i in 0..5000 {
        csv.push_str(&format!("{i},{}\n", if i % 2 == 0 { "a" } else { "b" }));
    }
    std::fs::write(dir.path().join("many.csv"), csv).unwrap();
    let spec = DatasetSpec::new("many", "many.csv")
        .field(f("id", Type::Text, "id"))
        .field(f("kind", Type::Text, "kind"));
    let t = super::load_in(&spec, dir.path());
    assert_eq!(t.rows(), 5000);
    assert!(matches!(t.column(0).data(), ColumnData::Text(TextData::Plain(_))));
    assert!(matches!(
        t.column(1).data(),
        ColumnData::Text(TextData::Dict { .. })
    ));
    assert_eq!(t.column(0).text(4999), Some("4999"));
    assert_eq!(t.column(1).text_code(0), t.column(1).text_code(2));
    assert_ne!(t.column(1).text_code(0), t.column(1).text_code(1));
}

#[test]
fn load_all_keeps_spec_order_and_reports_progress() {
    use std::sync::Mutex;
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);
    impl super::super::LoadObserver for Log {
        fn started(&self, d: &str, _: u64) {
            self.0.lock().unwrap().push(format!("start {d}"));
        }
        fn advanced(&self, _: &str, _: u64) {}
        fn finished(&self, d: &str) {
            self.0.lock().unwrap().push(format!("end {d}"));
        }
    }
    let specs = vec![
        okta_spec("iam/okta_system_log.json"),
        DatasetSpec::new("missing", "nope/missing.csv").field(f("x", Type::Text, "x")),
        jira_cloud(),
    ];
    let log = Log::default();
    let results = super::super::load_all(&specs, &super::fixtures(), &log);
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().dataset(), "okta");
    assert_eq!(results[1].as_ref().unwrap_err().code(), "D401");
    assert_eq!(results[2].as_ref().unwrap().dataset(), "capa");
    let log = log.0.into_inner().unwrap();
    assert!(log.contains(&"start capa".to_string()) && log.contains(&"end capa".to_string()));
}
