//! The real exports in `../shared/evidence-samples` (FORMATS.md), read through declarations
//! that exercise their quirks. Skipped when the folder is absent.

use std::path::PathBuf;

use crate::value::{MICROS_PER_SECOND, Type};

use super::super::{DatasetSpec, Encoding, FieldSpec, SourceFormat, Table};
use super::{at, day, load_in};

fn samples() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/evidence-samples"));
    if dir.is_dir() {
        Some(dir)
    } else {
        // On stderr, so that a skipped run is visible without `--nocapture`.
        eprintln!("skipping the real-samples test: {} not found", dir.display());
        None
    }
}

fn f(name: &str, ty: Type, from: &str) -> FieldSpec {
    FieldSpec::new(name, ty, from)
}

fn load(spec: DatasetSpec) -> Option<Table> {
    samples().map(|dir| load_in(&spec, &dir))
}

#[test]
fn jira_cloud_bom() {
    let Some(t) = load(
        DatasetSpec::new("capa", "corrective-actions/jira_cloud_all_fields_bom_2issues.csv")
            .field(f("summary", Type::Text, "Summary"))
            .field(f("key", Type::Text, "Issue key").key().required())
            .field(f("status", Type::Text, "Status"))
            .field(f("created", Type::DateTime, "Created").format("%d/%b/%y %-I:%M %p"))
            .field(f("due", Type::Date, "Due date").format("%d/%b/%y %-I:%M %p"))
            .field(f("unused", Type::Text, "Σ Time Spent").unused()),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 2);
    assert_eq!(t.key_text(0), Some("PT-2"));
    assert_eq!(t.column(2).text(0), Some("To Do"));
    assert_eq!(t.column(3).datetime(0), Some(at("2024-01-09T15:54:00Z")));
    assert_eq!(t.column(0).source(), "Summary");
}

#[test]
fn jira_excel_resaved_crlf() {
    let Some(t) = load(
        DatasetSpec::new(
            "capa",
            "corrective-actions/jira_all_fields_excel_resaved_crlf_anonymized.csv",
        )
        .field(f("key", Type::Text, "Issue key").key())
        .field(f("status", Type::Text, "Status"))
        .field(f("created", Type::DateTime, "Created").format("%d/%m/%Y %H:%M"))
        .field(f("resolved", Type::DateTime, "Resolved").format("%d/%m/%Y %H:%M"))
        .field(
            f("due", Type::Date, "Due date")
                .alias("Due Date")
                .format("%d/%m/%Y %H:%M")
                .format("%d/%m/%Y"),
        )
        .field(f("labels", Type::List, "Labels")),
    ) else {
        return;
    };
    // One anonymised issue, then 739 rows of empty cells left by Excel.
    assert_eq!(t.rows(), 1);
    assert!(
        t.file().notes.iter().any(|n| n.contains("skipped 739 row(s)")),
        "{:?}",
        t.file().notes
    );
    assert_eq!(t.key_text(0), Some("A-3367"));
    assert_eq!(t.column(1).text(0), Some("Open"));
    assert_eq!(t.column(2).datetime(0), Some(at("2017-02-16T15:26:00Z")));
    assert!(t.column(3).is_none(0));
    assert!(t.column(5).is_none(0));
    assert_eq!(t.provenance(0).line, Some(2));
}

#[test]
fn servicenow_pdi_list() {
    let Some(t) = load(
        DatasetSpec::new("incidents", "incidents/servicenow_incident_list_csv_pdi.csv")
            .field(f("number", Type::Text, "number").key())
            .field(f("opened", Type::DateTime, "opened_at").alias("Created"))
            .field(f("priority", Type::Text, "priority"))
            .field(f("group", Type::Text, "assignment_group")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 66);
    assert_eq!(t.column(1).datetime(0), Some(at("2019-07-29T11:48:43Z")));
    assert_eq!(t.column(2).text(0), Some("5 - Planning"));
    assert!(t.column(3).is_none(0));
}

#[test]
fn servicenow_excel_resaved_with_null_words() {
    let Some(t) = load(
        DatasetSpec::new(
            "incidents",
            "incidents/servicenow_incident_excel_resaved_crlf.csv",
        )
        .nulls(&["null"])
        .field(f("number", Type::Text, "number").key())
        .field(f("opened", Type::DateTime, "opened_at").format("%-m/%-d/%Y %-H:%M"))
        .field(f("desc", Type::Text, "short_description")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 97);
    assert_eq!(t.column(1).datetime(0), Some(at("2025-03-17T06:04:00Z")));
    assert!(t.column(2).is_none(0));
    let Some(t) = load(
        DatasetSpec::new("tasks", "incidents/servicenow_sc_task_excel_resaved.csv")
            .nulls(&["null"])
            .field(f("number", Type::Text, "number").key())
            .field(f("desc", Type::Text, "short_description"))
            .field(f("opened", Type::DateTime, "opened_at").format("%-m/%-d/%Y %-H:%M")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 34);
    assert!(t.column(1).is_none(0), "`Null` is the declared token `null`");
}

#[test]
fn servicenow_event_log() {
    let Some(t) = load(
        DatasetSpec::new(
            "events",
            "incidents/servicenow_incident_event_log_excel_resaved_EXCERPT_first150lines.csv",
        )
        .nulls(&["?"])
        .field(f("number", Type::Text, "number"))
        .field(f("active", Type::Bool, "active"))
        .field(f("opened", Type::DateTime, "opened_at").format("%d-%m-%Y %H:%M"))
        .field(f("resolved", Type::DateTime, "resolved_at").format("%d-%m-%Y %H:%M"))
        .field(f("problem", Type::Text, "problem_id")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 149);
    assert_eq!(t.column(1).bool(0), Some(true));
    assert_eq!(t.column(2).datetime(0), Some(at("2016-02-29T01:16:00Z")));
    assert!(t.column(4).is_none(0));
}

#[test]
fn okta_ndjson_and_single_deactivate_event() {
    let okta = |source: &str| {
        DatasetSpec::new("okta", source)
            .field(f("at", Type::DateTime, "published"))
            .field(f("kind", Type::Text, "eventType"))
            .field(f("user", Type::Text, "target[0].alternateId"))
            .field(f("zone", Type::Text, "client.zone"))
    };
    let Some(t) = load(okta(
        "iam-audit-logs/okta_system_log_api_EXCERPT_first3lines.ndjson",
    )) else {
        return;
    };
    assert_eq!(t.rows(), 3);
    assert_eq!(t.file().format, SourceFormat::JsonLines);
    assert_eq!(t.column(0).datetime(0), Some(at("2020-02-14T22:18:51.843Z")));
    assert!(t.column(2).is_none(0), "target is null");
    assert_eq!(t.column(2).text(2), Some("unknown"));
    assert_eq!(t.column(3).text(0), Some("null"));
    assert_eq!(t.provenance(2).line, Some(3));
    let Some(t) = load(okta(
        "iam-audit-logs/okta_user_lifecycle_deactivate_event_from_markdown.json",
    )) else {
        return;
    };
    assert_eq!(t.rows(), 1);
    assert_eq!(t.column(1).text(0), Some("user.lifecycle.deactivate"));
    assert_eq!(t.column(2).text(0), Some("johndoet@doesnotexist.com"));
    assert_eq!(t.column(0).datetime(0), Some(at("2020-11-16T18:15:12.862Z")));
}

#[test]
fn bamboohr_object_with_array() {
    let Some(t) = load(
        DatasetSpec {
            records: Some("employees".into()),
            ..DatasetSpec::new(
                "hr",
                "hr-joiners-leavers/bamboohr_custom_report_employees_from_har.json",
            )
        }
        .nulls(&["0000-00-00"])
        .field(f("id", Type::Text, "id").key())
        .field(f("email", Type::Text, "workEmail"))
        .field(f("status", Type::Text, "status"))
        .field(f("terminated", Type::Date, "terminationDate"))
        .field(f("hired", Type::Date, "hireDate")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 103);
    let active = (0..t.rows()).filter(|&r| t.column(3).is_none(r)).count();
    assert_eq!(active, 86);
    let dates: Vec<i32> = (0..t.rows()).filter_map(|r| t.column(3).date(r)).collect();
    assert!(dates.contains(&day("2021-03-15")));
}

#[test]
fn knowbe4_api_json() {
    let Some(t) = load(
        DatasetSpec::new("enrollments", "training/knowbe4_api_training-enrollments.json")
            .field(f("id", Type::Int, "enrollment_id"))
            .field(f("email", Type::Text, "user.email"))
            .field(f("enrolled", Type::DateTime, "enrollment_date"))
            .field(f("completed", Type::DateTime, "completion_date"))
            .field(f("status", Type::Text, "status"))
            .field(f("spent", Type::Duration, "time_spent").unit(super::super::DurationUnit::Seconds))
            .field(f("ack", Type::Bool, "policy_acknowledged")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 5);
    assert_eq!(t.column(1).text(0), Some("jblake@kb4-demo.com"));
    assert_eq!(t.column(2).datetime(0), Some(at("2018-06-18T19:00:14Z")));
    assert!(t.column(3).is_none(0));
    assert_eq!(t.column(5).duration(0), Some(497 * MICROS_PER_SECOND));
    let Some(t) = load(
        DatasetSpec::new("users", "training/knowbe4_api_users.json")
            .field(f("email", Type::Text, "email"))
            .field(f("groups", Type::List, "groups")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 6);
}

#[test]
fn hand_made_soa_with_markdown() {
    let Some(t) = load(
        DatasetSpec::new(
            "soa",
            "statement-of-applicability/hand_made_soa_csv_with_trailing_markdown.csv",
        )
        .field(f("control", Type::Text, "Control ID").key())
        .field(f("applicable", Type::Bool, "Applicable (Yes/No)")),
    ) else {
        return;
    };
    assert!(t.rows() > 0 && t.rows() < 20, "{}", t.rows());
    assert!((0..t.rows()).all(|r| t.column(0).text(r).is_some_and(|c| c.starts_with("A."))));
    assert!(t.file().notes.iter().any(|n| n.contains("blank line")));
}

#[test]
fn ciso_assistant_semicolon_risk_assessment() {
    let Some(t) = load(
        DatasetSpec::new("risks", "risk-register/ciso_assistant_RA_sample_semicolon.csv")
            .nulls(&["--"])
            .field(f("ref", Type::Text, "ref_id").key())
            .field(f("residual", Type::Text, "residual_risk"))
            .field(f("controls", Type::List, "existing_controls"))
            .field(f("treatment", Type::Text, "treatment")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 3);
    assert_eq!(t.file().delimiter, Some(b';'));
    assert_eq!(t.column(0).text(0), Some("R.1"));
}

#[test]
fn veeam_exports() {
    let Some(t) = load(
        DatasetSpec::new("sessions", "backup-restore/veeam_VeeamBackupSessionReport.csv")
            .field(f("job", Type::Text, "JobName"))
            .field(f("result", Type::Text, "Result"))
            .field(f("size", Type::Number, "DataSize(GB)"))
            .field(f("dedup", Type::Text, "DedupRatio"))
            .field(f("date", Type::DateTime, "Date").format("%-m/%-d/%Y %-I:%M:%S %p")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 2343);
    assert_eq!(t.column(2).number(0), Some(40.0));
    assert_eq!(t.column(3).text(0), Some("3.3x"));
    assert_eq!(t.column(4).datetime(0), Some(at("2020-07-27T13:05:49Z")));
    let results = t.column(1).dictionary().unwrap();
    assert_eq!(results.len(), 3);
    let Some(t) = load(
        DatasetSpec::new(
            "api",
            "backup-restore/veeam_API_Backup_Session_Report_SampleOutput.csv",
        )
        .field(f("end", Type::DateTime, "BackupEndTime(UTC)"))
        .field(f("tags", Type::Text, "IncludedTags"))
        .field(f("reason", Type::Text, "Reason"))
        .field(f("size", Type::Int, "TotalSize")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 178);
    assert_eq!(t.column(0).datetime(0), Some(at("2019-04-18T17:27:47.74Z")));
    assert!(t.column(1).is_none(0) && t.column(2).is_none(0));
    assert_eq!(t.column(3).int(0), Some(827_129_856));
    let Some(t) = load(
        DatasetSpec::new("vbo", "backup-restore/veeam_VBOSessionLog.csv")
            .field(f("start", Type::DateTime, "SessionStartTime").format("%-m/%-d/%Y %-I:%M:%S %p"))
            .field(f("result", Type::Text, "SessionResult")),
    ) else {
        return;
    };
    assert_eq!(t.rows(), 136);
    assert_eq!(t.column(0).datetime(0), Some(at("2020-09-02T10:41:32Z")));
}

#[test]
fn prowler_and_defectdojo() {
    let prowler = |source: &str| {
        DatasetSpec::new("prowler", source)
            .field(f("at", Type::DateTime, "TIMESTAMP"))
            .field(f("status", Type::Text, "STATUS"))
            .field(f("muted", Type::Bool, "MUTED"))
            .field(f("compliance", Type::List, "COMPLIANCE").tap_sep("|"))
    };
    let Some(t) = load(prowler("vulnerability-findings/prowler_example_output_aws.csv")) else {
        return;
    };
    assert_eq!(t.rows(), 4);
    assert_eq!(t.column(0).datetime(0), Some(at("2025-02-14T14:27:03.913874Z")));
    assert_eq!(t.column(1).text(0), Some("FAIL"));
    assert_eq!(t.column(2).bool(0), Some(false));
    assert!(t.column(3).list(0).count() > 1);
    let Some(t) = load(prowler("vulnerability-findings/prowler_example_output_azure.csv")) else {
        return;
    };
    assert_eq!(t.rows(), 4);
    let Some(t) = load(prowler("vulnerability-findings/prowler_prowler_zero_vul.csv")) else {
        return;
    };
    assert_eq!(t.rows(), 0);
    let dojo = |source: &str, format: &str| {
        DatasetSpec::new("dojo", source)
            .field(f("date", Type::Date, "Date").format(format))
            .field(f("active", Type::Bool, "Active"))
            .field(f("title", Type::Text, "Title"))
    };
    let Some(t) = load(dojo(
        "vulnerability-findings/defectdojo_generic_csv_defect_dojo.csv",
        "%m/%d/%Y",
    )) else {
        return;
    };
    assert_eq!(t.rows(), 4);
    assert_eq!(t.column(0).date(0), Some(day("2018-01-30")));
    assert_eq!(t.column(1).bool(0), Some(false));
    let Some(t) = load(dojo(
        "vulnerability-findings/defectdojo_generic_report1.csv",
        "%d/%m/%Y",
    )) else {
        return;
    };
    assert_eq!(t.rows(), 5);
    assert_eq!(t.column(0).date(0), Some(day("2021-02-28")));
    assert_eq!(t.column(1).bool(0), Some(true));
    let Some(t) = load(
        DatasetSpec {
            records: Some("findings".into()),
            ..DatasetSpec::new("dojo", "vulnerability-findings/defectdojo_generic_report1.json")
        }
        .field(f("title", Type::Text, "title"))
        .field(f("severity", Type::Text, "severity")),
    ) else {
        return;
    };
    assert!(t.rows() > 0);
}

#[test]
fn ciso_assistant_xlsx_templates() {
    let Some(dir) = samples() else {
        return;
    };
    for (source, column) in [
        (
            "audit-findings/ciso_assistant_findings_import_template.xlsx",
            "ref_id",
        ),
        (
            "business-continuity/ciso_assistant_bia_import_template.xlsx",
            "recovery_documented",
        ),
        (
            "incidents/ciso_assistant_incidents_import_template.xlsx",
            "ref_id",
        ),
        (
            "risk-register/ciso_assistant_risk_assessment_import_template.xlsx",
            "ref_id",
        ),
        (
            "management-review-and-recurring-tasks/ciso_assistant_tasks_import_template.xlsx",
            "name",
        ),
        (
            "supplier-evaluations/ciso_assistant_third_parties_import_template.xlsx",
            "name",
        ),
    ] {
        let spec = DatasetSpec::new("template", source).field(f("x", Type::Text, column));
        match super::super::load(&spec, &dir, &super::super::NoProgress) {
            Ok(t) => {
                assert_eq!(t.file().encoding, Encoding::Utf8);
                assert!(t.file().sheet.is_some());
                println!("{source}: {} rows", t.rows());
            }
            // A template whose first sheet lacks the column says which columns it has.
            Err(e) => {
                assert_eq!(e.code(), "D404", "{source}: {e}");
                println!("{source}: {e}; {}", e.help());
            }
        }
    }
}

trait Sep {
    fn tap_sep(self, sep: &str) -> Self;
}

impl Sep for FieldSpec {
    fn tap_sep(mut self, sep: &str) -> Self {
        self.separator = Some(sep.to_string());
        self
    }
}
