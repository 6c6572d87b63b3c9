//! Evaluation semantics on small in-memory evidence.

use super::memory::MemTable;
use super::model::{RunReport, StandardReport};
use super::*;
use crate::check::{self, CheckOptions};
use crate::value::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::{source::SourceMap, syntax};

const CATALOG: &str = r#"
standard iso27001 "ISO/IEC 27001:2022" {
  clause  "9"      "Performance evaluation"
  clause  "9.2"    "Internal audit"
  clause  "10"     "Improvement"
  clause  "10.2"   "Nonconformity and corrective action"
  control "A.5.18" "Access rights"
  control "A.6.5"  "Responsibilities after termination"
  control "A.8.32" "Change management"
}
standard iso9001 "ISO 9001:2015" {
  clause "10"   "Improvement"
  clause "10.2" "Nonconformity and corrective action"
}
"#;

pub(crate) struct Fixture {
    pub sources: SourceMap,
    pub program: Program,
}

pub(crate) fn fixture(rules: &str) -> Fixture {
    let mut sources = SourceMap::new();
    sources.add_text("catalog.rules", CATALOG);
    sources.add_text("test.rules", rules);
    let (files, mut diags) = syntax::parse_all(&sources);
    let (program, d) = check::check(&files, CheckOptions::default());
    diags.extend(d);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "{}",
        crate::report::diagnostics::render_plain(&diags, &sources)
    );
    Fixture {
        sources,
        program: program.expect("checked"),
    }
}

pub(crate) fn day(s: &str) -> i64 {
    crate::value::date_to_micros(crate::syntax::literal::parse_date(s).expect("date"))
}

pub(crate) fn at(s: &str) -> Value<'static> {
    Value::DateTime(s.parse::<jiff::Timestamp>().expect("timestamp").as_microsecond())
}

pub(crate) fn text(s: &str) -> Value<'static> {
    Value::Text(s.to_string().into())
}

impl Fixture {
    pub fn run(&self, tables: &[(&str, Vec<Vec<Value<'static>>>)], as_of: &str) -> RunReport {
        let mems: Vec<MemTable> = self
            .program
            .datasets
            .iter()
            .map(|d| {
                tables
                    .iter()
                    .find(|(n, _)| *n == d.name)
                    .map(|(_, rows)| MemTable::new(rows.clone()))
                    .unwrap_or_default()
            })
            .collect();
        let inputs: Vec<DatasetInput<'_>> = self
            .program
            .datasets
            .iter()
            .zip(&mems)
            .map(|(d, m)| DatasetInput {
                rows: Some(m as &dyn Located),
                error: None,
                file: Some(FileFacts {
                    path: d.spec.source.clone(),
                    ..FileFacts::default()
                }),
            })
            .collect();
        run(
            &self.program,
            &self.sources,
            &inputs,
            &RunOptions {
                as_of: day(as_of),
                standards: Vec::new(),
                params: Vec::new(),
                max_findings: 100,
            },
        )
    }
}

pub(crate) fn req<'r>(report: &'r RunReport, id: &str) -> &'r RequirementReport {
    report
        .requirements
        .iter()
        .find(|r| r.id == id)
        .expect("requirement in report")
}

const CAPA: &str = r#"
dataset capa "Jira CAPA" {
  source "jira/capa.csv"
  field key      : text key
  field status   : text
  field created  : datetime
  field resolved : datetime
  field labels   : list
}
param capa_days = 30d
requirement capa.cycle_time {
  title    "Corrective actions are closed in under 30 days"
  clauses  iso27001:10.2, iso9001:10.2
  severity major
  metric   median_days = median c in capa where c.status in ["Resolved", "Closed"]: days(c.resolved - c.created)
  metric   p90_days = p90 c in capa where c.status in ["Resolved", "Closed"]: days(c.resolved - c.created)
  expect   all c in capa where c.status in ["Resolved", "Closed"]: c.resolved - c.created < capa_days
}
"#;

fn capa_row(key: &str, status: &str, created: &str, days: Option<f64>) -> Vec<Value<'static>> {
    let c = at(created);
    let resolved = match (days, &c) {
        (Some(d), Value::DateTime(t)) => Value::DateTime(t + (d * MICROS_PER_DAY as f64) as i64),
        _ => Value::None,
    };
    vec![text(key), text(status), c, resolved, Value::List(vec![])]
}

#[test]
fn failing_all_cites_the_record_and_the_measured_duration() {
    let f = fixture(CAPA);
    let report = f.run(
        &[(
            "capa",
            vec![
                capa_row("CAPA-1", "Closed", "2026-09-01T09:00:00Z", Some(10.0)),
                capa_row("CAPA-2", "Closed", "2026-09-01T09:00:00Z", Some(47.0)),
                capa_row("CAPA-3", "Resolved", "2026-09-01T09:00:00Z", Some(29.99)),
                capa_row("CAPA-4", "Open", "2026-09-01T09:00:00Z", None),
                capa_row("CAPA-5", "Closed", "2026-09-01T09:00:00Z", Some(30.0)),
            ],
        )],
        "2026-11-22",
    );
    let r = req(&report, "capa.cycle_time");
    assert_eq!(r.outcome, Outcome::Fail);
    let keys: Vec<_> = r
        .findings
        .iter()
        .map(|f| f.key.clone().unwrap_or_default())
        .collect();
    assert_eq!(keys, ["CAPA-2", "CAPA-5"], "exactly 30 days fails: under 30 days");
    let first = &r.findings[0];
    assert!(
        first
            .values
            .iter()
            .any(|v| v.name == "c.resolved - c.created" && v.value == "47d"),
        "{:?}",
        first.values
    );
    assert_eq!(r.expects[0].population, Some(4));
    assert_eq!(r.metrics[0].value, "29.99");
    assert!(r.metrics[0].informational);
    assert_eq!(r.metrics[1].records, 4);
    assert_eq!(report.standards.len(), 2);
    assert_eq!(standard(&report, "iso27001").verdict, Verdict::NotReady);
    assert_eq!(report.combined.shared.len(), 1);
}

#[test]
fn an_empty_population_is_no_evidence_unless_allowed() {
    let f = fixture(CAPA);
    let report = f.run(
        &[(
            "capa",
            vec![capa_row("CAPA-4", "Open", "2026-09-01T09:00:00Z", None)],
        )],
        "2026-11-22",
    );
    assert_eq!(req(&report, "capa.cycle_time").outcome, Outcome::NoEvidence);

    let allowed = CAPA.replace("severity major", "severity major\n  allow empty");
    let f = fixture(&allowed);
    let report = f.run(
        &[(
            "capa",
            vec![capa_row("CAPA-4", "Open", "2026-09-01T09:00:00Z", None)],
        )],
        "2026-11-22",
    );
    assert_eq!(req(&report, "capa.cycle_time").outcome, Outcome::Pass);
}

#[test]
fn an_empty_dataset_is_no_evidence_even_when_empty_is_allowed() {
    let allowed = CAPA.replace("severity major", "severity major\n  allow empty");
    let f = fixture(&allowed);
    let report = f.run(&[("capa", vec![])], "2026-11-22");
    let r = req(&report, "capa.cycle_time");
    assert_eq!(r.outcome, Outcome::NoEvidence);
    assert!(r.message.contains("holds no records"), "{}", r.message);
}

#[test]
fn a_missing_value_never_passes() {
    let f = fixture(CAPA);
    // Closed, but the resolution date is empty: compliance cannot be shown.
    let report = f.run(
        &[(
            "capa",
            vec![capa_row("CAPA-9", "Closed", "2026-09-01T09:00:00Z", None)],
        )],
        "2026-11-22",
    );
    let r = req(&report, "capa.cycle_time");
    assert_eq!(r.outcome, Outcome::Fail);
    assert!(
        r.findings[0].reason.contains("is empty"),
        "{}",
        r.findings[0].reason
    );
}

const WAIVERS: &str = r#"
waiver W-1 {
  requirement capa.cycle_time
  records     "CAPA-2"
  reason      "Supplier fix"
  approved_by "Managing director"
  expires     2027-01-31
}
waiver W-2 {
  requirement capa.cycle_time
  records     "CAPA-5"
  reason      "Old"
  approved_by "Managing director"
  expires     2026-09-30
}
waiver W-3 {
  requirement capa.cycle_time
  records     "CAPA-1"
  reason      "Nothing to waive"
  approved_by "Quality manager"
  expires     2027-01-31
}
"#;

#[test]
fn record_waivers_apply_until_they_expire() {
    let f = fixture(&format!("{CAPA}{WAIVERS}"));
    let rows = vec![
        capa_row("CAPA-1", "Closed", "2026-09-01T09:00:00Z", Some(10.0)),
        capa_row("CAPA-2", "Closed", "2026-09-01T09:00:00Z", Some(47.0)),
        capa_row("CAPA-5", "Closed", "2026-09-01T09:00:00Z", Some(31.0)),
    ];
    let report = f.run(&[("capa", rows.clone())], "2026-11-22");
    let r = req(&report, "capa.cycle_time");
    // CAPA-2 is waived; CAPA-5's waiver expired, so it still fails.
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].key.as_deref(), Some("CAPA-5"));
    assert_eq!(r.waived_records[0].waived_by.as_deref(), Some("W-1"));
    let status: Vec<_> = report.waivers.iter().map(|w| (w.id.as_str(), w.status)).collect();
    assert_eq!(
        status,
        [
            ("W-1", WaiverStatus::Applied),
            ("W-2", WaiverStatus::Expired),
            ("W-3", WaiverStatus::Unused)
        ]
    );
    assert!(report.warnings.iter().any(|w| w.code == "R503"));
    assert!(report.warnings.iter().any(|w| w.code == "R504"));

    // Evaluated before W-2 expired, every failure is waived.
    let report = f.run(&[("capa", rows)], "2026-09-15");
    assert_eq!(req(&report, "capa.cycle_time").outcome, Outcome::Waived);
}

const ACCESS: &str = r#"
dataset leavers "HR leavers" {
  source "hr/leavers.csv"
  field id         : text key
  field email      : text
  field terminated : datetime
}
dataset events "Okta" {
  source "iam/okta.json"
  field user : text
  field kind : text
  field at   : datetime
}
param revoke_within = 24h
requirement access.revoked_on_termination {
  title    "Access is revoked within 24 hours of termination"
  clauses  iso27001:A.5.18, iso27001:A.6.5
  severity major
  expect all l in leavers where l.terminated <= as_of - 1d:
         any e in events where lower(trim(e.user)) == lower(trim(l.email))
                          and e.kind == "user.lifecycle.deactivate"
                          and e.at >= l.terminated:
             e.at - l.terminated <= revoke_within
}
"#;

fn leaver(id: &str, email: &str, terminated: &str) -> Vec<Value<'static>> {
    vec![text(id), text(email), at(terminated)]
}

fn event(user: &str, kind: &str, when: i64) -> Vec<Value<'static>> {
    vec![text(user), text(kind), Value::DateTime(when)]
}

#[test]
fn revocation_is_a_join_with_case_insensitive_emails() {
    let f = fixture(ACCESS);
    let t = |s: &str| match at(s) {
        Value::DateTime(x) => x,
        _ => 0,
    };
    let leavers = vec![
        leaver("E1", "Anna.K@example.com", "2026-10-01T14:00:00Z"),
        leaver("E2", "ben@example.com", "2026-10-02T14:00:00Z"),
        leaver("E3", "cara@example.com", "2026-10-03T14:00:00Z"),
        leaver("E4", "dan@example.com", "2026-10-04T14:00:00Z"),
        // Terminated yesterday: not yet in the population.
        leaver("E5", "eve@example.com", "2026-11-21T12:00:00Z"),
    ];
    let events = vec![
        event(
            "anna.k@example.com",
            "user.lifecycle.deactivate",
            t("2026-10-01T14:00:00Z") + 24 * MICROS_PER_HOUR,
        ),
        event(
            "ben@example.com",
            "user.lifecycle.suspend",
            t("2026-10-02T15:00:00Z"),
        ),
        event(
            "ben@example.com",
            "user.lifecycle.deactivate",
            t("2026-10-02T14:00:00Z") + 31 * MICROS_PER_HOUR,
        ),
        event(
            "someone@example.com",
            "user.session.start",
            t("2026-10-03T15:00:00Z"),
        ),
        event(
            " DAN@example.com ",
            "user.lifecycle.deactivate",
            t("2026-10-04T15:00:00Z"),
        ),
    ];
    let report = f.run(&[("leavers", leavers), ("events", events)], "2026-11-22");
    let r = req(&report, "access.revoked_on_termination");
    let keys: Vec<_> = r
        .findings
        .iter()
        .map(|f| f.key.clone().unwrap_or_default())
        .collect();
    assert_eq!(keys, ["E2", "E3"]);
    assert!(
        r.findings[0]
            .values
            .iter()
            .any(|v| v.name == "e.at - l.terminated" && v.value == "31h"),
        "{:?}",
        r.findings[0].values
    );
    assert!(
        r.findings[1].reason.starts_with("no `events` record matches"),
        "{}",
        r.findings[1].reason
    );
    assert_eq!(f.program.requirements.len(), 1);
    let plans = join::JoinPlans::build(&f.program);
    assert_eq!(plans.len(), 1, "the nested any runs as a hash join");
}

const TRAINING: &str = r#"
dataset training "LMS" {
  source "lms/training.csv"
  field user       : text key
  field department : text
  field mandatory  : bool
  field due        : date
  field completed  : date
}
param training_target = 95%
requirement training.mandatory_completion {
  title    "Mandatory training completion"
  clauses  iso27001:9
  severity major
  metric completion = share t in training where t.mandatory: t.completed is not none and t.completed <= t.due
  metric by_department = share t in training where t.mandatory by t.department: t.completed is not none and t.completed <= t.due
  expect completion >= training_target
}
requirement training.department_completion {
  title    "Every department completes mandatory training"
  clauses  iso27001:9
  severity minor
  metric by_department = share t in training where t.mandatory by t.department: t.completed is not none and t.completed <= t.due
  expect by_department >= training_target
}
"#;

#[test]
fn grouped_metrics_name_the_groups_that_miss() {
    let f = fixture(TRAINING);
    let due = Value::Date(crate::syntax::literal::parse_date("2026-06-30").expect("date"));
    let done = Value::Date(crate::syntax::literal::parse_date("2026-06-01").expect("date"));
    let mut rows = Vec::new();
    for i in 0..40 {
        rows.push(vec![
            text(&format!("u{i}")),
            text("Engineering"),
            Value::Bool(true),
            due.clone(),
            done.clone(),
        ]);
    }
    for i in 0..15 {
        let completed = if i < 14 { done.clone() } else { Value::None };
        rows.push(vec![
            text(&format!("s{i}")),
            text("Sales"),
            Value::Bool(true),
            due.clone(),
            completed,
        ]);
    }
    rows.push(vec![
        text("x"),
        text("Sales"),
        Value::Bool(false),
        due.clone(),
        Value::None,
    ]);
    let report = f.run(&[("training", rows)], "2026-11-22");
    let overall = req(&report, "training.mandatory_completion");
    assert_eq!(overall.outcome, Outcome::Pass, "54 of 55 is 98.2%");
    assert_eq!(overall.metrics[1].groups.len(), 2);
    assert!(overall.metrics[1].informational);
    let by_dept = req(&report, "training.department_completion");
    assert_eq!(by_dept.outcome, Outcome::Fail);
    assert_eq!(by_dept.expects[0].failing_groups.len(), 1);
    assert_eq!(by_dept.expects[0].failing_groups[0].group, "Sales");
    assert_eq!(by_dept.expects[0].failing_groups[0].value, "93.33%");
    assert_eq!(
        standard(&report, "iso27001").verdict,
        Verdict::ReadyWithObservations
    );
}

#[test]
fn the_statement_of_applicability_makes_controls_not_applicable() {
    let rules = r#"
dataset soa "SoA" {
  source "grc/soa.csv"
  field control       : text key
  field applicable    : bool
  field justification : text
}
dataset changes "Changes" {
  source "servicenow/change.csv"
  field number : text key
  field reviewed : bool
}
applicability iso27001 {
  dataset       soa
  control       control
  applicable    applicable
  justification justification
}
requirement change.security_review {
  title "Security-relevant changes are reviewed"
  clauses iso27001:A.8.32
  severity major
  expect all c in changes: c.reviewed
}
"#;
    let f = fixture(rules);
    let soa = vec![vec![
        text("A.8.32"),
        Value::Bool(false),
        text("No in-house development"),
    ]];
    let changes = vec![vec![text("CHG1"), Value::Bool(false)]];
    let report = f.run(&[("soa", soa), ("changes", changes)], "2026-11-22");
    let r = req(&report, "change.security_review");
    assert_eq!(r.outcome, Outcome::NotApplicable);
    assert!(r.message.contains("No in-house development"));
    let a832 = standard(&report, "iso27001")
        .coverage
        .items
        .iter()
        .find(|i| i.id == "A.8.32")
        .expect("item");
    assert_eq!(a832.coverage, CoverageKind::Excluded);
}

#[test]
fn list_quantifiers_cite_the_missing_element() {
    let rules = r#"
dataset reviews "Management reviews" {
  source "grc/reviews.csv"
  field id        : text key
  field date      : date
  field standards : list
}
param in_scope = ["ISO 9001", "ISO 27001"]
requirement mgmt_review.held {
  title "A management review in the last 12 months covers every standard"
  clauses iso9001:10, iso27001:9
  severity major
  expect all s in in_scope: any r in reviews where r.date >= as_of - 12 months: r.standards contains s
}
"#;
    let f = fixture(rules);
    let d = |s: &str| Value::Date(crate::syntax::literal::parse_date(s).expect("date"));
    let reviews = vec![
        vec![
            text("MR-1"),
            d("2026-03-01"),
            Value::List(vec!["ISO 9001".into()]),
        ],
        vec![
            text("MR-0"),
            d("2025-03-01"),
            Value::List(vec!["ISO 27001".into()]),
        ],
    ];
    let report = f.run(&[("reviews", reviews)], "2026-11-22");
    let r = req(&report, "mgmt_review.held");
    assert_eq!(r.outcome, Outcome::Fail);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].key.as_deref(), Some("ISO 27001"));
}

mod joins_agree_with_nested_loops {
    use super::*;
    use proptest::prelude::*;

    const RULES: &str = r#"
dataset leavers "HR leavers" {
  source "hr/leavers.csv"
  field id         : text key
  field email      : text
  field terminated : datetime
}
dataset events "Okta" {
  source "iam/okta.json"
  field user : text
  field kind : text
  field at   : datetime
}
dataset plans "Continuity plans" {
  source "itsm/plans.csv"
  field service : text key
  field rto     : duration
}
dataset bia "BIA" {
  source "bcm/bia.csv"
  field function : text key
  field services : list
  field rto      : duration
}
requirement access.revoked {
  title    "Access is revoked within a day"
  clauses  iso27001:A.5.18
  severity major
  expect all l in leavers:
         any e in events where lower(trim(e.user)) == lower(trim(l.email)) and e.kind == "deactivate" and e.at >= l.terminated:
             e.at - l.terminated <= 24h
  expect no l in leavers: any e in events where e.user == l.email: e.kind == "login" and e.at > l.terminated + 48h
}
requirement continuity.aligned {
  title    "Service RTO fits the functions that depend on it"
  clauses  iso27001:A.5.18
  severity major
  expect all p in plans: no f in bia where f.services contains p.service: p.rto > f.rto
}
requirement memo.self_join {
  title    "Nested quantifiers memoized by the outer values they read"
  clauses  iso27001:A.5.18
  severity major
  metric n = count l in leavers: (count e in events where e.user == l.email: e.kind == "login") > 1
  expect all l in leavers: any m in leavers where m.email == l.email: m.terminated > l.terminated - 24h
  expect all l in leavers: any m in leavers where lower(m.email) == lower(l.email) and m.id != l.id: m.terminated >= l.terminated
  expect all b in bia: all s in b.services: any p in plans where p.service == s: p.rto <= b.rto
  expect n >= 0
}
requirement memo.part_errors {
  title    "A part that fails is evaluated where the interpreter evaluates it"
  clauses  iso27001:A.5.18
  severity major
  expect all l in leavers: no m in leavers where m.email == l.email and m.id != l.id: m.terminated < l.terminated + 100000 months
}
requirement keyed.per_key {
  title    "Nested quantifiers answered from counts per join key"
  clauses  iso27001:A.5.18
  severity major
  metric logins = count l in leavers: (count e in events where e.kind == "login" and e.user == l.email) > 1
  expect all l in leavers: any e in events where lower(e.user) == lower(l.email): e.kind == "deactivate"
  expect all l in leavers: no e in events where e.kind != "login" and e.user == l.email and e.at > as_of - 4000h: e.kind == "suspend"
  expect all l in leavers: (share e in events where e.user == trim(l.email): e.kind == "login") < 50%
  expect logins >= 0
}
requirement pushed.conjuncts {
  title    "Inner-only conjuncts applied while the index is built"
  clauses  iso27001:A.5.18
  severity major
  expect all l in leavers: any e in events where e.kind == "suspend" and e.user == l.email: e.at > l.terminated
  expect all l in leavers: no e in events where e.kind != "login" and e.user == l.email and not (e.at is none): e.at < l.terminated
}
requirement keyed.body_errors {
  title    "A body that fails somewhere is evaluated where the interpreter evaluates it"
  clauses  iso27001:A.5.18
  severity major
  expect all l in leavers: all e in events where e.user == l.email: e.at + 100000 months > as_of
}
"#;

    fn email() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("a@x.fi"),
            Just("A@x.fi"),
            Just(" a@x.fi "),
            Just("b@x.fi"),
            Just("c@x.fi"),
            Just(""),
            Just(NONE)
        ]
        .prop_map(str::to_string)
    }

    /// Generated as an absent value rather than text.
    const NONE: &str = "(none)";

    fn text_or_none(s: &str) -> Value<'static> {
        if s == NONE { Value::None } else { text(s) }
    }

    fn service() -> impl Strategy<Value = String> {
        prop_oneof![Just("CRM"), Just("ERP"), Just("Mail"), Just("crm")].prop_map(str::to_string)
    }

    fn hours(h: i64) -> Value<'static> {
        Value::DateTime(day("2026-06-01") + h * MICROS_PER_HOUR)
    }

    fn compare(f: &Fixture, tables: &[(&str, Vec<Vec<Value<'static>>>)]) {
        let mems: Vec<MemTable> = f
            .program
            .datasets
            .iter()
            .map(|d| {
                tables
                    .iter()
                    .find(|(n, _)| *n == d.name)
                    .map(|(_, rows)| MemTable::new(rows.clone()))
                    .unwrap_or_default()
            })
            .collect();
        let inputs: Vec<DatasetInput<'_>> = mems
            .iter()
            .map(|m| DatasetInput {
                rows: Some(m as &dyn Located),
                error: None,
                file: None,
            })
            .collect();
        let options = RunOptions {
            as_of: day("2026-11-22"),
            standards: Vec::new(),
            params: Vec::new(),
            max_findings: usize::MAX,
        };
        let joined = RunContext::new(&f.program, &f.sources, &inputs, &options);
        // The straightforward evaluation: nested loops, no compiled paths, no memo.
        let mut looped = RunContext::new(&f.program, &f.sources, &inputs, &options);
        looped.use_joins = false;
        looped.use_fast_paths = false;
        for i in 0..f.program.requirements.len() {
            let (a, ma) = joined.evaluate(i).expect("evaluated");
            let (b, mb) = looped.evaluate(i).expect("evaluated");
            assert_eq!(a.outcome, b.outcome, "{}", a.id);
            let keys = |r: &RequirementReport| {
                r.findings
                    .iter()
                    .map(|f| (f.key.clone(), f.reason.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(keys(&a), keys(&b), "{}", a.id);
            let json = |r: &RequirementReport| serde_json::to_string(r).expect("json");
            assert_eq!(json(&a), json(&b), "{}", a.id);
            assert_eq!(format!("{ma:?}"), format!("{mb:?}"), "{}", a.id);
        }
        // Evaluating again answers from the memo filled by the first pass.
        for i in 0..f.program.requirements.len() {
            let (a, _) = joined.evaluate(i).expect("evaluated");
            let (b, _) = looped.evaluate(i).expect("evaluated");
            let json = |r: &RequirementReport| serde_json::to_string(r).expect("json");
            assert_eq!(json(&a), json(&b), "{}", a.id);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]
        #[test]
        fn on_random_evidence(
            leavers in proptest::collection::vec((email(), 0i64..100), 0..8),
            events in proptest::collection::vec((email(), prop_oneof![Just("deactivate"), Just("login"), Just("suspend")], 0i64..200), 0..30),
            plans in proptest::collection::vec((service(), 1i64..10), 0..5),
            bia in proptest::collection::vec((proptest::collection::vec(service(), 0..3), 1i64..10), 0..5),
        ) {
            let f = fixture(RULES);
            let joins = join::JoinPlans::build(&f.program);
            prop_assert_eq!(joins.len(), 15, "every nested quantifier joins");
            prop_assert_eq!(memo::MemoPlans::build(&f.program).len(), 16, "every nested quantifier is memoized");
            // Those whose filter reads outer records only through the join key, and whose
            // body reads none: the login count of `memo.self_join` and `keyed.*`.
            prop_assert_eq!(keyed::KeyedPlans::build(&f.program, &joins).len(), 6, "keyed quantifiers");
            // Leavers repeat (duplicate keys); some terminations are absent.
            let leavers = leavers
                .into_iter()
                .enumerate()
                .map(|(i, (e, t))| vec![text(&format!("E{}", i % 5)), text_or_none(&e), if t % 7 == 0 { Value::None } else { hours(t) }])
                .collect();
            let events = events.into_iter().map(|(u, k, t)| vec![text_or_none(&u), text(k), hours(t)]).collect();
            let plans = plans.into_iter().map(|(s, h)| vec![text(&s), Value::Duration(h * MICROS_PER_HOUR)]).collect();
            let bia = bia
                .into_iter()
                .enumerate()
                .map(|(i, (services, h))| {
                    vec![text(&format!("F{i}")), Value::List(services.into_iter().map(Into::into).collect()), Value::Duration(h * MICROS_PER_HOUR)]
                })
                .collect();
            compare(&f, &[("leavers", leavers), ("events", events), ("plans", plans), ("bia", bia)]);
        }
    }
}

/// Which conjuncts a join index applies while it is built: those reading only the inner
/// record, as long as nothing before them (the join's own equality included) can fail.
#[test]
fn join_indexes_apply_inner_conjuncts_that_cannot_fail() {
    let shapes = r#"
requirement pushed.shapes {
  title    "Pushed conjuncts"
  clauses  iso27001:A.5.18
  severity major
  expect all l in leavers: any e in events where lower(e.user) == l.email and e.kind == "deactivate" and e.at >= l.terminated: true
  expect all l in leavers: any e in events where e.kind in ["a", "b"] and e.user == l.email and not (e.at is none): true
  expect all l in leavers: any e in events where e.at + 1h > l.terminated and e.user == l.email and e.kind == "a": true
  expect all l in leavers: any e in events where e.user == l.email and e.at + 1h > as_of and e.kind == "a": true
  expect all l in leavers: any e in events where e.user == l.email and e.kind == "a" or e.kind == "b": true
  metric cutoff = max l in leavers: l.terminated
  expect all l in leavers: any e in events where coalesce(e.at, cutoff) == l.terminated: true
}
"#;
    let f = fixture(&(ACCESS.to_string() + shapes));
    let plans = join::JoinPlans::build(&f.program);
    let mut pushed: Vec<usize> = Vec::new();
    let requirement = f.program.requirements.iter().find(|r| r.id == "pushed.shapes");
    for e in &requirement.expect("the requirement").expects {
        let check::program::TKind::Quant(outer) = &e.expr.kind else {
            panic!("a quantifier");
        };
        let Some(check::program::TKind::Quant(inner)) = outer.body.as_ref().map(|b| &b.kind) else {
            panic!("a nested quantifier");
        };
        pushed.push(plans.get(inner).map_or(usize::MAX, |p| p.pushed.len()));
    }
    // 1: the kind test after the key; 2: both inner tests around it; 3: nothing after a
    // sum that can overflow; 4: the key only (the sum stops it); 5: `or` is no conjunction;
    // 6: a key that reads a metric is no join key.
    assert_eq!(pushed, [1, 2, 0, 0, usize::MAX, usize::MAX]);
}

#[test]
fn substring_contains_in_a_nested_filter_is_not_a_join() {
    let rules = r#"
dataset docs "Documents" {
  source "grc/documents.csv"
  field id    : text key
  field title : text
}
param required_items = ["[ISO 9001 4.3]", "[ISO 27001 4.3]"]
requirement docs.present {
  title    "Every required document is in the register"
  clauses  iso9001:10.2
  severity major
  expect   all t in required_items: any d in docs where d.title contains t: true
}
requirement docs.not_draft {
  title    "No required document is only a draft"
  clauses  iso9001:10.2
  severity major
  expect   all t in required_items: no d in docs where d.title contains t: d.id == "DRAFT"
}
"#;
    let f = fixture(rules);
    assert!(
        join::JoinPlans::build(&f.program).is_empty(),
        "substring tests cannot use an index"
    );
    let docs = vec![
        vec![text("D1"), text("Scope statement [ISO 9001 4.3]")],
        vec![text("DRAFT"), text("Scope statement [ISO 27001 4.3] (draft)")],
    ];
    let report = f.run(&[("docs", docs)], "2026-11-22");
    assert_eq!(req(&report, "docs.present").outcome, Outcome::Pass);
    let drafts = req(&report, "docs.not_draft");
    assert_eq!(drafts.outcome, Outcome::Fail);
    assert_eq!(drafts.findings[0].key.as_deref(), Some("[ISO 27001 4.3]"));
}

#[test]
fn an_empty_applicable_cell_does_not_exclude_a_control() {
    let rules = r#"
dataset soa "SoA" {
  source "grc/soa.csv"
  field control    : text key
  field applicable : bool
}
dataset changes "Changes" {
  source "servicenow/change.csv"
  field number   : text key
  field reviewed : bool
}
applicability iso27001 {
  dataset    soa
  control    control
  applicable applicable
}
requirement change.security_review {
  title    "Security-relevant changes are reviewed"
  clauses  iso27001:A.8.32
  severity major
  expect   all c in changes: c.reviewed
}
"#;
    let f = fixture(rules);
    let soa = vec![vec![text("A.8.32"), Value::None]];
    let changes = vec![vec![text("CHG1"), Value::Bool(false)]];
    let report = f.run(&[("soa", soa), ("changes", changes)], "2026-11-22");
    assert_eq!(req(&report, "change.security_review").outcome, Outcome::Fail);
}

#[test]
fn a_failure_does_not_hide_missing_evidence_and_a_waiver_does_not_cover_it() {
    let rules = r#"
dataset capa "Jira CAPA" {
  source "jira/capa.csv"
  field key    : text key
  field status : text
  field owner  : text
}
requirement capa.owned {
  title    "Open CAPAs have an owner, closed ones a status"
  clauses  iso27001:10.2
  severity minor
  expect   all c in capa where c.status == "Open": c.owner is not none
  expect   all c in capa where c.status == "Verified": c.owner is not none
}
waiver W-1 {
  requirement capa.owned
  records     "C1"
  reason      "Owner left"
  approved_by "Quality manager"
  expires     2027-01-31
}
"#;
    let f = fixture(rules);
    let capa = vec![vec![text("C1"), text("Open"), Value::None]];
    let report = f.run(&[("capa", capa)], "2026-11-22");
    let r = req(&report, "capa.owned");
    assert_eq!(r.outcome, Outcome::NoEvidence, "{}", r.message);
    assert!(r.message.contains("no record matches"), "{}", r.message);
    assert_eq!(standard(&report, "iso27001").verdict, Verdict::NotReady);
}

pub(crate) fn standard<'r>(report: &'r RunReport, id: &str) -> &'r StandardReport {
    report
        .standards
        .iter()
        .find(|s| s.id == id)
        .expect("standard in report")
}

/// The compiled fast paths (typed column kernels, code sets, shared selections, coded
/// grouping, prefix joins) agree with the row interpreter on random typed tables loaded
/// through the real loader (so text columns are dictionary-encoded as in production).
mod fast_paths_agree {
    use super::*;
    use proptest::prelude::*;

    const RULES: &str = r#"
dataset items "Items" {
  source "items.csv"
  field key      : text     key from "Key"
  field status   : text     from "Status"
  field dept     : text     from "Dept"
  field title    : text     from "Title"
  field created  : datetime from "Created" format "%Y-%m-%d %H:%M:%S"
  field resolved : datetime from "Resolved" format "%Y-%m-%d %H:%M:%S"
  field due      : date     from "Due"
  field score    : number   from "Score"
  field flag     : bool     from "Flag"
  field tags     : list     from "Tags"
}
dataset systems "Systems" {
  source "systems.csv"
  field name : text key from "Name"
}
param closed = ["Resolved", "Closed"]
param limit = 30d
requirement fast.cycle {
  title    "Closed items within the limit"
  clauses  iso27001:10.2
  severity major
  metric   median_days = median i in items where i.status in closed: days(i.resolved - i.created)
  metric   p90_days = p90 i in items where i.status in closed: days(i.resolved - i.created)
  metric   mean_days = avg i in items: hours(i.resolved - i.created)
  metric   p10_score = p10 i in items where i.flag: i.score
  expect   all i in items where i.status in closed: i.resolved - i.created < limit
  expect   p90_days <= 40
}
requirement fast.share {
  title    "Share per department"
  clauses  iso27001:10.2
  severity minor
  metric   overall = share i in items where i.flag: i.resolved is not none and i.resolved <= i.due
  metric   by_dept = share i in items where i.flag by i.dept: i.resolved is not none and i.resolved <= i.due
  expect   by_dept >= 50%
  expect   overall >= 10%
}
requirement fast.periods {
  title    "Counts per period"
  clauses  iso27001:10.2
  severity observation
  metric   per_month = count i in items by month(i.created)
  metric   per_quarter = count i in items where i.status != "Closed" by quarter(i.created)
  metric   last = count i in items where quarter(i.created) == quarter(as_of - 3 months)
  metric   odd = count i in items where month(i.created) != "2026-13"
  metric   this_year = count i in items where year(i.created) == 2026
  expect   per_month <= 3
  expect   last <= odd
}
requirement fast.logic {
  title    "Three-valued logic"
  clauses  iso27001:10.2
  severity minor
  expect   all i in items: (i.status == "Open" and i.due is none) or not i.flag or i.score >= 2.5 or i.status not in ["Closed"]
  expect   no i in items where i.dept in ["Sales", "HR"]: i.created + 24h > as_of - 60d and i.title is none
  expect   all i in items where i.score > 1 or i.dept != "IT": i.due >= as_of - 12 months or i.due is none
}
requirement fast.nested {
  title    "Every system has an open item titled with its name"
  clauses  iso27001:10.2
  severity major
  expect   all s in systems: any i in items where i.status == "Open" and starts_with(i.title, s.name): true
  expect   all s in systems: any i in items where i.dept == "IT": ends_with(i.title, s.name)
}
requirement fast.aggregates {
  title    "Aggregates"
  clauses  iso27001:10.2
  severity observation
  metric   first = min i in items where i.flag: i.created
  metric   last_due = max i in items: i.due
  metric   total = sum i in items where i.score is not none: i.score
  metric   mean = avg i in items: i.resolved - i.created
  expect   first is not none
}
requirement fast.memo {
  title    "Nested quantifiers over the same table, memoized by the outer values they read"
  clauses  iso27001:10.2
  severity minor
  metric   peers = count i in items: (count j in items where j.dept == i.dept: j.flag) >= 2
  metric   best = max i in items: max j in items where j.status == i.status: j.score
  expect   all i in items where i.flag: any j in items where j.dept == i.dept and j.key != i.key: j.score >= i.score or j.score is none
  expect   no i in items: any j in items where j.title == i.title and j.created > i.created: j.due < i.due
  expect   peers >= 0
}
requirement fast.text_functions {
  title    "lower and trim"
  clauses  iso27001:10.2
  severity minor
  metric   same_title = count i in items: any j in items where lower(trim(j.title)) == lower(trim(i.title)) and j.key != i.key: true
  expect   no i in items where trim(i.title) == "": lower(i.dept) in ["it", "hr"]
  expect   all i in items where lower(i.status) != "closed": starts_with(lower(trim(i.title)), "alpha") or trim(i.title) is none or upper(i.dept) == "SALES"
  expect   same_title >= 0
}
requirement fast.keyed {
  title    "Nested quantifiers answered from counts per key"
  clauses  iso27001:10.2
  severity minor
  expect   all i in items where i.flag: any j in items where j.dept == i.dept: j.status == "Open"
  expect   no s in systems: all i in items where i.title == s.name and i.score is not none: i.score > 2
  expect   all i in items: any j in items where j.key == i.title or j.flag: true
  expect   all i in items: no j in items where i.status == j.status and j.resolved is not none: j.resolved > j.created + 30d
}
requirement fast.keyed_empty {
  title    "An empty keyed all is true when the requirement allows it"
  clauses  iso27001:10.2
  severity minor
  allow empty
  expect   all s in systems: all i in items where i.title == s.name: i.flag
}
requirement fast.lists {
  title    "List lengths"
  clauses  iso27001:10.2
  severity minor
  metric   tagged = count i in items: len(i.tags) > 0
  expect   all i in items where len(i.tags) >= 1: len(i.tags) < 2 or i.flag
  expect   no i in items: 1 < len(i.tags) and len(i.tags) != 3
}
"#;

    fn pick(options: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
        proptest::sample::select(options)
    }

    fn datetime() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => Just(String::new()),
            6 => (0i64..330, 0i64..24).prop_map(|(d, h)| {
                let t = day("2026-01-01") + d * MICROS_PER_DAY + h * MICROS_PER_HOUR;
                crate::value::format_datetime(t).replace('T', " ").replace('Z', "")
            }),
        ]
    }

    fn date() -> impl Strategy<Value = String> {
        prop_oneof![
            1 => Just(String::new()),
            4 => (0i32..330).prop_map(|d| crate::value::format_date(crate::value::micros_to_date(day("2026-01-01")) + d)),
        ]
    }

    type Item = (
        &'static str,
        &'static str,
        &'static str,
        String,
        String,
        String,
        &'static str,
        &'static str,
        &'static str,
    );

    fn item() -> impl Strategy<Value = Item> {
        (
            pick(&["Open", "In Progress", "Resolved", "Closed", ""]),
            pick(&["Sales", "IT", "HR", ""]),
            pick(&[
                "Alpha: drift",
                "Beta: bias",
                "Alphabet soup",
                "Gamma",
                "",
                " ALPHA: Drift ",
                "  ",
            ]),
            datetime(),
            datetime(),
            date(),
            pick(&["", "1", "2.5", "4"]),
            pick(&["true", "false", ""]),
            pick(&["", "x", "x;y", " ; ", "x;x;y", ";"]),
        )
    }

    fn evaluate(f: &Fixture, dir: &std::path::Path) -> Vec<(String, String)> {
        let tables: Vec<_> = f
            .program
            .datasets
            .iter()
            .map(|d| crate::evidence::load(&d.spec, dir, &crate::evidence::NoProgress))
            .collect();
        let inputs: Vec<DatasetInput<'_>> = tables
            .iter()
            .map(|t| DatasetInput {
                rows: t.as_ref().ok().map(|t| t as &dyn Located),
                error: t.as_ref().err().map(|e| e.to_string()),
                file: None,
            })
            .collect();
        let options = RunOptions {
            as_of: day("2026-11-22"),
            standards: Vec::new(),
            params: Vec::new(),
            max_findings: usize::MAX,
        };
        let fast = RunContext::new(&f.program, &f.sources, &inputs, &options);
        let mut slow = RunContext::new(&f.program, &f.sources, &inputs, &options);
        slow.use_fast_paths = false;
        slow.use_joins = false;
        let mut out = Vec::new();
        for i in 0..f.program.requirements.len() {
            let (a, ma) = fast.evaluate(i).expect("evaluated");
            let (b, mb) = slow.evaluate(i).expect("evaluated");
            let a = (serde_json::to_string(&a).expect("json"), format!("{ma:?}"));
            let b = (serde_json::to_string(&b).expect("json"), format!("{mb:?}"));
            assert_eq!(a, b, "requirement {}", f.program.requirements[i].id);
            out.push(a);
        }
        out
    }

    fn write(dir: &std::path::Path, items: &[Item], systems: &[&str]) {
        let mut csv = String::from("Key,Status,Dept,Title,Created,Resolved,Due,Score,Flag,Tags\n");
        for (n, (status, dept, title, created, resolved, due, score, flag, tags)) in items.iter().enumerate()
        {
            csv.push_str(&format!(
                "R{n},{status},{dept},{title},{created},{resolved},{due},{score},{flag},{tags}\n"
            ));
        }
        std::fs::write(dir.join("items.csv"), csv).expect("write");
        let mut csv = String::from("Name\n");
        for s in systems {
            csv.push_str(s);
            csv.push('\n');
        }
        std::fs::write(dir.join("systems.csv"), csv).expect("write");
    }

    #[test]
    fn every_shape_compiles() {
        let f = fixture(RULES);
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), &[], &["Alpha"]);
        // An empty table still has typed columns: the plans compile against them.
        let _ = evaluate(&f, dir.path());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn on_random_tables(
            items in proptest::collection::vec(item(), 0..40),
            systems in proptest::collection::vec(pick(&["Alpha", "Beta", "Gamma", "Alphabet", "Delta"]), 0..5),
        ) {
            let f = fixture(RULES);
            let dir = tempfile::tempdir().expect("tempdir");
            write(dir.path(), &items, &systems);
            evaluate(&f, dir.path());
        }
    }
}

const FRESH: &str = r#"
dataset capa "Jira CAPA" {
  source "jira/capa.csv"
  freshness created within 30d
  field key      : text key
  field status   : text
  field created  : datetime
  field resolved : datetime
  field labels   : list
}
requirement capa.closed {
  title    "Corrective actions are closed"
  clauses  iso27001:10.2
  severity major
  expect   all c in capa: c.status == "Closed"
}
"#;

#[test]
fn stale_evidence_is_no_evidence_with_the_exports_age() {
    let f = fixture(FRESH);
    let rows = vec![
        capa_row("CAPA-1", "Closed", "2026-09-01T09:00:00Z", Some(1.0)),
        capa_row("CAPA-2", "Closed", "2026-10-01T12:00:00Z", Some(1.0)),
    ];
    // Newest `created` 2026-10-01T12:00Z; as_of 2026-11-22T00:00Z is 51.5 days later.
    let report = f.run(&[("capa", rows.clone())], "2026-11-22");
    let r = req(&report, "capa.closed");
    assert_eq!(r.outcome, Outcome::NoEvidence);
    assert!(
        r.message
            .contains("the export `jira/capa.csv` is stale: its newest `created` is 2026-10-01"),
        "{}",
        r.message
    );
    assert!(r.message.contains("51d 12h before as_of"), "{}", r.message);
    assert!(r.message.contains("the rules require 30d"), "{}", r.message);
    assert!(
        report.warnings.iter().any(|w| w.code == "R502"),
        "{:?}",
        report.warnings
    );
    // Within 30 days of as_of: evaluated as usual.
    let report = f.run(&[("capa", rows)], "2026-10-20");
    assert_eq!(req(&report, "capa.closed").outcome, Outcome::Pass);
}

#[test]
fn freshness_without_any_value_is_no_evidence() {
    let f = fixture(FRESH);
    let mut row = capa_row("CAPA-1", "Closed", "2026-11-20T09:00:00Z", Some(1.0));
    row[2] = Value::None;
    let report = f.run(&[("capa", vec![row.clone(), row])], "2026-11-22");
    let r = req(&report, "capa.closed");
    assert_eq!(r.outcome, Outcome::NoEvidence);
    assert!(
        r.message
            .contains("the export `jira/capa.csv` has no `created` value, so its freshness cannot be shown"),
        "{}",
        r.message
    );
}
