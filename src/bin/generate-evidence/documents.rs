//! `grc/documents.csv` and `grc/objectives.csv`.
//!
//! Convention: a register entry that holds a mandatory documented-information item names
//! each item it serves in its title as `[<standard> <clause>]`, with the standard spelled
//! as in the registers (`ISO 20000-1`) and the clause exactly as in the catalog's
//! documented-information list (`6.1.3 d)`, `7.5.1 b)`). A rule matches an item with
//! `title contains "[ISO 27001 6.1.3 d)]"` and `status == "Approved"`.

use crate::clock::{civil_from_days, days_from_civil as d};
use crate::continuity::BC_PLANS;
use crate::people::role;
use crate::rng::Rng;
use crate::table::{Table, tag};

const HEADER: [&str; 11] = [
    "Doc ID",
    "Title",
    "Type",
    "Level",
    "Standards",
    "Version",
    "Owner",
    "Approved By",
    "Approved On",
    "Next Review",
    "Status",
];

const Q: &str = "ISO 9001";
const S: &str = "ISO 27001";
const IT: &str = "ISO 20000-1";
const BC: &str = "ISO 22301";
const AI: &str = "ISO 42001";
const ORDER: [&str; 5] = [Q, S, IT, BC, AI];

/// `(doc id, name, type, level, references, owner role, version, approved on)`; entries
/// without references list the standards they serve in `refs` as `(standard, "")`.
type Doc = (
    &'static str,
    &'static str,
    &'static str,
    u8,
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
    i64,
);

const ALL: &[(&str, &str)] = &[(Q, ""), (S, ""), (IT, ""), (BC, ""), (AI, "")];

/// The register. Every item of the documented-information catalog has an approved entry.
const DOCS: [Doc; 53] = [
    (
        "POL-001",
        "Integrated Management System Policy (quality, information security, service management, business continuity and AI)",
        "Policy",
        1,
        &[
            (Q, "5.2.2 a)"),
            (S, "5.2"),
            (IT, "5.2.2"),
            (IT, "8.7.3.1"),
            (BC, "5.2.2"),
            (AI, "5.2"),
        ],
        "Managing Director",
        "4.0",
        d(2026, 2, 3),
    ),
    (
        "SCP-9001",
        "Scope statement: quality management system, incl. justification of requirements not applicable",
        "Scope",
        1,
        &[(Q, "4.3")],
        "Quality & Compliance Manager",
        "3.1",
        d(2026, 2, 3),
    ),
    (
        "SCP-27001",
        "Scope statement: information security management system",
        "Scope",
        1,
        &[(S, "4.3")],
        "CISO",
        "3.2",
        d(2026, 2, 3),
    ),
    (
        "SCP-20000",
        "Scope statement: service management system",
        "Scope",
        1,
        &[(IT, "4.3")],
        "Service Desk Manager",
        "2.1",
        d(2026, 2, 3),
    ),
    (
        "SCP-22301",
        "Scope statement: business continuity management system, incl. exclusions",
        "Scope",
        1,
        &[(BC, "4.3.2")],
        "Business Continuity Manager",
        "2.0",
        d(2026, 2, 3),
    ),
    (
        "SCP-42001",
        "Scope statement: AI management system",
        "Scope",
        1,
        &[(AI, "4.3")],
        "AI Lead",
        "1.1",
        d(2026, 2, 3),
    ),
    (
        "CTX-001",
        "Context of the organization: internal and external issues, interested parties and their requirements",
        "Context assessment",
        1,
        ALL,
        "Quality & Compliance Manager",
        "3.0",
        d(2026, 9, 18),
    ),
    (
        "ORG-001",
        "Roles, responsibilities and authorities in the integrated management system",
        "Governance",
        1,
        ALL,
        "Managing Director",
        "2.3",
        d(2026, 2, 3),
    ),
    (
        "REG-LEG",
        "Register of legal, regulatory and contractual requirements",
        "Register",
        2,
        &[(BC, "4.2.2")],
        "Quality & Compliance Manager",
        "5.2",
        d(2026, 8, 27),
    ),
    (
        "MAN-PRC",
        "IMS process map and process descriptions",
        "Manual",
        2,
        &[(Q, "4.4.2 a)")],
        "Quality & Compliance Manager",
        "3.4",
        d(2026, 3, 10),
    ),
    (
        "PRC-RSK",
        "Risk management procedure: assessment and treatment process, risk criteria",
        "Procedure",
        3,
        &[
            (S, "6.1.2"),
            (S, "6.1.3"),
            (BC, "8.2.3"),
            (AI, "6.1.2"),
            (AI, "6.1.3"),
        ],
        "CISO",
        "3.0",
        d(2026, 1, 20),
    ),
    (
        "REG-RSK",
        "Risk register: risk assessment results and risk treatment status",
        "Register",
        4,
        &[
            (S, "8.2"),
            (S, "8.3"),
            (BC, "8.2.3"),
            (AI, "6.1.1"),
            (AI, "8.2"),
            (AI, "8.3"),
        ],
        "CISO",
        "2026.3",
        d(2026, 9, 15),
    ),
    (
        "SOA-27001",
        "Statement of Applicability (ISO/IEC 27001:2022 Annex A)",
        "Statement of Applicability",
        2,
        &[(S, "6.1.3 d)")],
        "CISO",
        "5.1",
        d(2026, 9, 22),
    ),
    (
        "SOA-42001",
        "Statement of Applicability (ISO/IEC 42001:2023 Annex A)",
        "Statement of Applicability",
        2,
        &[(AI, "6.1.3 d)")],
        "AI Lead",
        "1.2",
        d(2026, 6, 30),
    ),
    (
        "PLN-RTP",
        "Risk treatment plan 2026 (information security and AI)",
        "Plan",
        2,
        &[(S, "6.1.3 e)"), (AI, "6.1.3 e)")],
        "CISO",
        "2026.2",
        d(2026, 9, 22),
    ),
    (
        "PRC-AIIA",
        "AI system impact assessment procedure",
        "Procedure",
        3,
        &[(AI, "6.1.4")],
        "AI Lead",
        "1.1",
        d(2026, 1, 27),
    ),
    (
        "REC-AIIA",
        "AI system impact assessment reports",
        "Record",
        4,
        &[(AI, "6.1.4"), (AI, "8.4")],
        "AI Lead",
        "2026",
        d(2026, 9, 29),
    ),
    (
        "REG-OBJ",
        "Objectives register and monitoring of objectives",
        "Register",
        2,
        &[
            (Q, "6.2.1"),
            (S, "6.2"),
            (IT, "6.2.1"),
            (BC, "6.2.1"),
            (AI, "6.2"),
        ],
        "Quality & Compliance Manager",
        "2026.2",
        d(2026, 6, 11),
    ),
    (
        "PLN-SMP",
        "Service management plan",
        "Plan",
        2,
        &[(IT, "6.3")],
        "Service Desk Manager",
        "3.1",
        d(2026, 10, 22),
    ),
    (
        "REC-COMP",
        "Competence records: training completions, certificates and CVs",
        "Record",
        4,
        &[
            (Q, "7.2 d)"),
            (S, "7.2"),
            (IT, "7.2 d)"),
            (BC, "7.2 d)"),
            (AI, "7.2"),
        ],
        "HR Manager",
        "2026",
        d(2026, 1, 15),
    ),
    (
        "REG-DOC",
        "Document and records register (documented information the organization determined necessary)",
        "Register",
        2,
        &[
            (Q, "7.5.1 b)"),
            (S, "7.5.1 b)"),
            (IT, "7.5.1 b)"),
            (BC, "7.5.1 b)"),
            (AI, "7.5.1 b)"),
        ],
        "Quality & Compliance Manager",
        "2026.4",
        d(2026, 10, 1),
    ),
    (
        "IDX-SMS",
        "SMS documented information index: scope, policy, objectives, plan, policies, processes, catalogue, SLAs, contracts",
        "Register",
        2,
        &[(IT, "7.5.4")],
        "Service Desk Manager",
        "2.2",
        d(2026, 10, 22),
    ),
    (
        "REC-OPS",
        "Operational records: tickets, change records, logs and checklists",
        "Record",
        4,
        &[
            (Q, "4.4.2 b)"),
            (Q, "8.1 e)"),
            (S, "8.1"),
            (IT, "8.1"),
            (BC, "8.1"),
            (AI, "8.1"),
        ],
        "Chief Operating Officer",
        "2026",
        d(2026, 1, 15),
    ),
    (
        "REC-MSR",
        "Validation records of monitoring and measuring tools (synthetic checks, time sources)",
        "Record",
        4,
        &[(Q, "7.1.5.1"), (Q, "7.1.5.2 a)")],
        "IT Operations Manager",
        "2026",
        d(2026, 3, 3),
    ),
    (
        "REC-REQ",
        "Customer requirement reviews and contract change records",
        "Record",
        4,
        &[(Q, "8.2.3.2"), (Q, "8.2.4")],
        "Head of Sales",
        "2026",
        d(2026, 1, 15),
    ),
    (
        "REC-DEV",
        "Design and development records: inputs, reviews, verification, validation, outputs and changes",
        "Record",
        4,
        &[
            (Q, "8.3.2 j)"),
            (Q, "8.3.3"),
            (Q, "8.3.4 f)"),
            (Q, "8.3.5"),
            (Q, "8.3.6"),
        ],
        "Engineering Manager",
        "2026",
        d(2026, 4, 7),
    ),
    (
        "REC-SUP",
        "Supplier evaluation, selection, monitoring and re-evaluation records",
        "Record",
        4,
        &[(Q, "8.4.1")],
        "Chief Operating Officer",
        "2026",
        d(2026, 3, 24),
    ),
    (
        "CAT-SVC",
        "Service catalogue and service descriptions",
        "Catalogue",
        2,
        &[(Q, "8.5.1 a)"), (IT, "8.2.4")],
        "Chief Customer Officer",
        "6.0",
        d(2026, 5, 12),
    ),
    (
        "REC-TRC",
        "Traceability records (CMDB and ticket references)",
        "Record",
        4,
        &[(Q, "8.5.2")],
        "IT Operations Manager",
        "2026",
        d(2026, 2, 17),
    ),
    (
        "REC-PROP",
        "Records of customer property lost, damaged or unsuitable (customer data and equipment)",
        "Record",
        4,
        &[(Q, "8.5.3")],
        "Service Desk Manager",
        "2026",
        d(2026, 2, 17),
    ),
    (
        "REC-CHG",
        "Change review and authorisation records (CAB minutes)",
        "Record",
        4,
        &[(Q, "8.5.6")],
        "IT Operations Manager",
        "2026",
        d(2026, 2, 17),
    ),
    (
        "REC-REL",
        "Release acceptance records",
        "Record",
        4,
        &[(Q, "8.6")],
        "Engineering Manager",
        "2026",
        d(2026, 2, 17),
    ),
    (
        "REC-NCO",
        "Nonconforming outputs log",
        "Record",
        4,
        &[(Q, "8.7.2")],
        "Quality & Compliance Manager",
        "2026",
        d(2026, 2, 17),
    ),
    (
        "REC-KPI",
        "Monitoring and measurement results (integrated dashboard and KPI reports)",
        "Record",
        4,
        &[(Q, "9.1.1"), (S, "9.1"), (IT, "9.1"), (BC, "9.1"), (AI, "9.1")],
        "Quality & Compliance Manager",
        "2026",
        d(2026, 6, 11),
    ),
    (
        "REC-AUD",
        "Internal audit programme and audit reports",
        "Record",
        4,
        &[
            (Q, "9.2.2 f)"),
            (S, "9.2.2"),
            (IT, "9.2"),
            (BC, "9.2.2"),
            (AI, "9.2.2"),
        ],
        "Internal Auditor",
        "2026",
        d(2025, 12, 16),
    ),
    (
        "REC-MR",
        "Management review minutes",
        "Record",
        4,
        &[
            (Q, "9.3.3"),
            (S, "9.3.3"),
            (IT, "9.3"),
            (BC, "9.3.3"),
            (AI, "9.3.3"),
        ],
        "Managing Director",
        "2026",
        d(2026, 6, 11),
    ),
    (
        "REC-CAPA",
        "Nonconformity and corrective action records (Jira CAPA project)",
        "Record",
        4,
        &[
            (Q, "10.2.2"),
            (S, "10.2"),
            (IT, "10.1"),
            (BC, "10.1"),
            (AI, "10.2"),
        ],
        "Quality & Compliance Manager",
        "2026",
        d(2026, 1, 15),
    ),
    (
        "REG-SLA",
        "Service level agreements register",
        "Register",
        2,
        &[(IT, "8.3.3")],
        "Chief Customer Officer",
        "2026.3",
        d(2026, 7, 1),
    ),
    (
        "REG-CON",
        "Supplier contracts and agreements register",
        "Register",
        2,
        &[(IT, "8.3.4.1")],
        "Chief Operating Officer",
        "2026.2",
        d(2026, 7, 1),
    ),
    (
        "POL-CHG",
        "Change management policy",
        "Topic-specific policy",
        2,
        &[(IT, "8.5.1.1")],
        "IT Operations Manager",
        "2.4",
        d(2026, 4, 14),
    ),
    (
        "PLN-ITSC",
        "IT service continuity plans (ITSCP-01 to ITSCP-11)",
        "Plan",
        2,
        &[(IT, "8.7.2")],
        "Business Continuity Manager",
        "3.0",
        d(2026, 4, 28),
    ),
    (
        "REC-SRV",
        "Monthly service reports to customers",
        "Record",
        4,
        &[(IT, "9.4")],
        "Service Desk Manager",
        "2026",
        d(2026, 1, 15),
    ),
    (
        "BIA-001",
        "Business impact analysis: procedure and results",
        "Analysis",
        2,
        &[(BC, "8.2.2")],
        "Business Continuity Manager",
        "2026.1",
        d(2026, 4, 10),
    ),
    (
        "PLN-BCS",
        "Business continuity strategies and solutions",
        "Plan",
        2,
        &[(BC, "8.3")],
        "Business Continuity Manager",
        "2.1",
        d(2026, 4, 28),
    ),
    (
        "REC-COMMS",
        "Disruption communication log (information, actions and decisions)",
        "Record",
        4,
        &[(BC, "8.4.3.1")],
        "Chief Customer Officer",
        "2026",
        d(2026, 3, 24),
    ),
    (
        "PLN-EXP",
        "Exercise programme and post-exercise reports",
        "Plan",
        2,
        &[(BC, "8.5")],
        "Business Continuity Manager",
        "2026.2",
        d(2025, 11, 22),
    ),
    (
        "TSP-01",
        "Access control policy",
        "Topic-specific policy",
        2,
        &[(S, "")],
        "CISO",
        "3.3",
        d(2026, 5, 5),
    ),
    (
        "TSP-02",
        "Acceptable use policy",
        "Topic-specific policy",
        2,
        &[(S, "")],
        "CISO",
        "2.8",
        d(2026, 5, 5),
    ),
    (
        "TSP-05",
        "AI acceptable use policy",
        "Topic-specific policy",
        2,
        &[(S, ""), (AI, "")],
        "AI Lead",
        "1.3",
        d(2026, 3, 2),
    ),
    (
        "TSP-06",
        "Backup policy",
        "Topic-specific policy",
        2,
        &[(S, ""), (IT, ""), (BC, "")],
        "IT Operations Manager",
        "2.2",
        d(2026, 5, 5),
    ),
    (
        "PRC-INC",
        "Incident and major incident management procedure",
        "Procedure",
        3,
        &[(S, ""), (IT, "")],
        "Service Desk Manager",
        "4.1",
        d(2026, 4, 21),
    ),
    (
        "PRC-JML",
        "Joiner, mover and leaver procedure",
        "Procedure",
        3,
        &[(S, "")],
        "HR Manager",
        "2.5",
        d(2026, 2, 24),
    ),
    (
        "PRC-CAPA",
        "Nonconformity and corrective action procedure",
        "Procedure",
        3,
        ALL,
        "Quality & Compliance Manager",
        "3.2",
        d(2026, 1, 20),
    ),
];

/// The standards column: those referenced, in the registers' usual order.
fn standards(refs: &[(&str, &str)]) -> String {
    ORDER
        .iter()
        .filter(|s| refs.iter().any(|r| r.0 == **s))
        .copied()
        .collect::<Vec<_>>()
        .join("; ")
}

fn title(name: &str, refs: &[(&str, &str)]) -> String {
    let mut t = name.to_string();
    for (std, clause) in refs.iter().filter(|r| !r.1.is_empty()) {
        t.push_str(&format!(" [{std} {clause}]"));
    }
    t
}

/// The day a year later (29 February becomes 28 February).
fn next_year(day: i64) -> i64 {
    let (y, m, dd) = civil_from_days(day);
    d(y + 1, m, if m == 2 && dd == 29 { 28 } else { dd })
}

/// The document register: everything approved, none past its review date (the exercise
/// programme is due for review on the as_of day itself, a boundary).
pub fn table() -> Table {
    let mut rows: Vec<Vec<String>> = DOCS
        .iter()
        .map(|&(id, name, kind, level, refs, owner, version, approved)| {
            let approver = if level == 1 {
                "Managing Director"
            } else {
                "Quality & Compliance Manager"
            };
            vec![
                id.to_string(),
                title(name, refs),
                kind.to_string(),
                level.to_string(),
                standards(refs),
                version.to_string(),
                role(owner),
                role(approver),
                Table::day(Some(approved)),
                Table::day(Some(next_year(approved))),
                "Approved".to_string(),
            ]
        })
        .collect();
    for (id, name, _) in BC_PLANS {
        let approved = d(2026, 4, 28);
        rows.push(vec![
            id.to_string(),
            title(
                &format!("Business continuity plan: {}", name.to_lowercase()),
                &[(BC, "8.4")],
            ),
            "Plan".to_string(),
            "2".to_string(),
            BC.to_string(),
            "2.0".to_string(),
            role("Business Continuity Manager"),
            role("Quality & Compliance Manager"),
            Table::day(Some(approved)),
            Table::day(Some(next_year(approved))),
            "Approved".to_string(),
        ]);
    }
    Table::new("grc/documents.csv", &HEADER, rows)
}

/// Copy `k` at scale: a few documents past their review date or still in draft.
pub fn scale(row: &mut [String], k: u64, rng: &mut Rng) {
    let t = tag(k);
    row[0] = format!("{t}-{}", row[0]);
    match rng.weighted(&[950, 30, 20]) {
        1 => row[9] = "2026-06-30".to_string(),
        2 => row[10] = "Draft".to_string(),
        _ => {}
    }
}

const OBJECTIVE_HEADER: [&str; 9] = [
    "Objective ID",
    "Objective",
    "Standards",
    "Owner",
    "Metric",
    "Target",
    "Actual",
    "Due",
    "Status",
];

/// `(objective, standards, owner role, metric, target, actual, due, status)`.
type Objective = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    &'static str,
);

/// Objectives: each with owner, metric and target; the two past their due date were met.
const OBJECTIVES: [Objective; 16] = [
    (
        "Close corrective actions promptly",
        "ISO 9001; ISO 27001; ISO 20000-1; ISO 22301; ISO 42001",
        "Quality & Compliance Manager",
        "Median CAPA cycle time (days)",
        "<= 20",
        "14",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Complete mandatory training on time",
        "ISO 9001; ISO 27001; ISO 20000-1; ISO 22301; ISO 42001",
        "HR Manager",
        "Mandatory assignments completed by the due date (%)",
        ">= 95 %",
        "97.5 %",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Resolve P1 and P2 incidents within target",
        "ISO 20000-1; ISO 9001",
        "Service Desk Manager",
        "P1/P2 incidents resolved within target (%)",
        ">= 90 %",
        "95.2 %",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Keep customers satisfied",
        "ISO 9001; ISO 20000-1",
        "Chief Customer Officer",
        "Customer satisfaction score (1-5)",
        ">= 4.3",
        "4.4",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Reduce phishing susceptibility",
        "ISO 27001",
        "CISO",
        "Phishing simulation click rate (%)",
        "<= 5 %",
        "6.1 %",
        d(2026, 12, 31),
        "At risk",
    ),
    (
        "Revoke leavers' access within 24 hours",
        "ISO 27001",
        "IT Operations Manager",
        "Leavers deactivated within 24 h (%)",
        "100 %",
        "81 %",
        d(2026, 12, 31),
        "At risk",
    ),
    (
        "No major nonconformity at the recertification audit",
        "ISO 9001; ISO 27001; ISO 20000-1; ISO 22301",
        "Quality & Compliance Manager",
        "Major nonconformities raised",
        "0",
        "0",
        d(2025, 10, 31),
        "Achieved",
    ),
    (
        "Meet RTO and RPO in every continuity exercise",
        "ISO 22301; ISO 20000-1",
        "Business Continuity Manager",
        "Exercises within RTO and RPO (%)",
        "100 %",
        "100 %",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Assess the impact of every AI system",
        "ISO 42001",
        "AI Lead",
        "AI systems with an impact assessment in 12 months (%)",
        "100 %",
        "88 %",
        d(2026, 12, 31),
        "At risk",
    ),
    (
        "Restore-test every critical system each quarter",
        "ISO 27001; ISO 22301; ISO 20000-1",
        "IT Operations Manager",
        "Critical systems restore-tested in the quarter (%)",
        "100 %",
        "100 %",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Evaluate critical suppliers yearly",
        "ISO 9001; ISO 27001; ISO 20000-1",
        "Chief Operating Officer",
        "Critical suppliers evaluated in 12 months (%)",
        "100 %",
        "92 %",
        d(2026, 12, 31),
        "At risk",
    ),
    (
        "Reduce incident volume",
        "ISO 20000-1; ISO 9001",
        "Service Desk Manager",
        "Incidents per month",
        "<= 25",
        "19",
        d(2026, 12, 31),
        "On track",
    ),
    (
        "Roll out data leakage prevention",
        "ISO 27001",
        "CISO",
        "DLP roll-out milestones completed (%)",
        "100 %",
        "40 %",
        d(2027, 3, 31),
        "On track",
    ),
    (
        "Certify the AI management system",
        "ISO 42001",
        "AI Lead",
        "Certification audit passed",
        "Yes",
        "Stage 1 passed",
        d(2027, 2, 28),
        "On track",
    ),
    (
        "Reduce the carbon footprint of hosting",
        "ISO 9001",
        "Chief Operating Officer",
        "kg CO2e per customer VM per month",
        "<= 4.0",
        "4.3",
        d(2027, 6, 30),
        "On track",
    ),
    (
        "Raise first-call resolution",
        "ISO 20000-1; ISO 9001",
        "Service Desk Manager",
        "First-call resolution (%)",
        ">= 70 %",
        "72 %",
        d(2026, 9, 30),
        "Achieved",
    ),
];

/// The objectives register.
pub fn objective_table() -> Table {
    let rows = OBJECTIVES
        .iter()
        .enumerate()
        .map(
            |(i, &(objective, stds, owner, metric, target, actual, due, status))| {
                vec![
                    format!("OBJ-{:02}", i + 1),
                    objective.to_string(),
                    stds.to_string(),
                    role(owner),
                    metric.to_string(),
                    target.to_string(),
                    actual.to_string(),
                    Table::day(Some(due)),
                    status.to_string(),
                ]
            },
        )
        .collect();
    Table::new("grc/objectives.csv", &OBJECTIVE_HEADER, rows)
}

/// Copy `k` of the objectives at scale: a few lack a metric or are overdue and unflagged.
pub fn scale_objective(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{}-{}", tag(k), row[0]);
    match rng.weighted(&[960, 20, 20]) {
        1 => row[4].clear(),
        2 => row[7] = "2026-08-31".to_string(),
        _ => {}
    }
}
