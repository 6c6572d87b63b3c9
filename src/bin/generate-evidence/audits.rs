//! The internal audit programme, its findings and the management reviews
//! (`grc/internal-audits.csv`, `grc/audit-findings.csv`, `grc/management-reviews.csv`).

use std::collections::BTreeMap;

use crate::clock::days_from_civil as d;
use crate::rng::Rng;
use crate::table::{Table, tag};

/// One internal audit of the programme.
pub struct Audit {
    /// `IA-2026-02`.
    pub id: &'static str,
    /// What was audited.
    pub title: &'static str,
    /// Planned day.
    pub planned: i64,
    /// Day performed; `None` while only planned.
    pub performed: Option<i64>,
    /// Standards in the audit's scope.
    pub standards: &'static str,
    /// Processes sampled.
    pub processes: &'static str,
    /// Lead auditor: never the owner of an audited process.
    pub lead: &'static str,
}

const RIIKKA: &str = "Riikka Salo (Auditportti Oy)";
const MARCO: &str = "Marco Rossi";

/// The programme: every standard audited in the 12 months before as_of.
pub const AUDITS: [Audit; 11] = [
    Audit {
        id: "IA-2025-03",
        title: "Service level management and customer complaints",
        planned: d(2025, 6, 10),
        performed: Some(d(2025, 6, 11)),
        standards: "ISO 9001; ISO 20000-1",
        processes: "Service level management; Customer complaints; Service reporting",
        lead: MARCO,
    },
    Audit {
        id: "IA-2025-04",
        title: "Access control and supplier security",
        planned: d(2025, 9, 16),
        performed: Some(d(2025, 9, 17)),
        standards: "ISO 27001",
        processes: "Identity and access management; Supplier relationships",
        lead: RIIKKA,
    },
    Audit {
        id: "IA-2025-05",
        title: "Business impact analysis and exercise programme",
        planned: d(2025, 11, 4),
        performed: Some(d(2025, 11, 5)),
        standards: "ISO 22301",
        processes: "Business impact analysis; Exercise programme",
        lead: MARCO,
    },
    Audit {
        id: "IA-2026-01",
        title: "AI system lifecycle and data management",
        planned: d(2026, 1, 20),
        performed: Some(d(2026, 1, 21)),
        standards: "ISO 27001; ISO 42001",
        processes: "AI system lifecycle; Data for AI systems; Test environments",
        lead: RIIKKA,
    },
    Audit {
        id: "IA-2026-02",
        title: "Incident, problem and change management",
        planned: d(2026, 3, 10),
        performed: Some(d(2026, 3, 11)),
        standards: "ISO 9001; ISO 27001; ISO 20000-1",
        processes: "Incident management; Problem management; Change management",
        lead: MARCO,
    },
    Audit {
        id: "IA-2026-03",
        title: "Business continuity, backup and restore",
        planned: d(2026, 5, 12),
        performed: Some(d(2026, 5, 13)),
        standards: "ISO 27001; ISO 20000-1; ISO 22301",
        processes: "Business continuity plans; Backup and restore; Service continuity",
        lead: "Johanna Heikkinen",
    },
    Audit {
        id: "IA-2026-04",
        title: "AI impact assessment and AI suppliers",
        planned: d(2026, 6, 16),
        performed: Some(d(2026, 6, 16)),
        standards: "ISO 42001",
        processes: "AI system impact assessment; AI supplier management",
        lead: RIIKKA,
    },
    Audit {
        id: "IA-2026-05",
        title: "Leadership, objectives, document control and management review",
        planned: d(2026, 9, 8),
        performed: Some(d(2026, 9, 9)),
        standards: "ISO 9001; ISO 27001; ISO 20000-1; ISO 22301; ISO 42001",
        processes: "Leadership; Objectives; Document control; Management review",
        lead: RIIKKA,
    },
    Audit {
        id: "IA-2026-06",
        title: "Capacity, release and service continuity",
        planned: d(2026, 10, 13),
        performed: Some(d(2026, 10, 14)),
        standards: "ISO 20000-1; ISO 22301",
        processes: "Capacity management; Release and deployment; Service continuity",
        lead: MARCO,
    },
    Audit {
        id: "IA-2026-07",
        title: "Physical security and secure development",
        planned: d(2026, 12, 8),
        performed: None,
        standards: "ISO 9001; ISO 27001",
        processes: "Physical security; Secure development",
        lead: MARCO,
    },
    Audit {
        id: "IA-2027-01",
        title: "Customer satisfaction and supplier performance",
        planned: d(2027, 2, 9),
        performed: None,
        standards: "ISO 9001; ISO 20000-1",
        processes: "Customer satisfaction; Supplier performance",
        lead: RIIKKA,
    },
];

/// One audit finding.
pub struct Finding {
    /// `F-2026-011`.
    pub id: &'static str,
    /// The audit that raised it.
    pub audit: &'static str,
    /// `Major NC`, `Minor NC`, `Observation` or `OFI`.
    pub kind: &'static str,
    /// `ISO 27001 A.5.18`.
    pub clause: &'static str,
    /// What the auditor found.
    pub description: &'static str,
    /// Day raised (the audit day).
    pub raised: i64,
    /// Day the finding is due.
    pub due: i64,
    /// Day closed; `None` while open.
    pub closed: Option<i64>,
}

impl Finding {
    /// Nonconformities get a CAPA in Jira.
    pub fn needs_capa(&self) -> bool {
        self.kind.ends_with("NC")
    }

    /// Jira labels of the standard the clause belongs to.
    pub fn label(&self) -> &'static str {
        crate::capa::label_of(self.clause)
    }
}

macro_rules! finding {
    ($id:expr, $audit:expr, $kind:expr, $clause:expr, $desc:expr, $raised:expr, $due:expr, $closed:expr) => {
        Finding {
            id: $id,
            audit: $audit,
            kind: $kind,
            clause: $clause,
            description: $desc,
            raised: $raised,
            due: $due,
            closed: $closed,
        }
    };
}

/// The findings log: one closed late (F-2026-041) and two still open, so that at least
/// 29 of 32 are on time however open ones are counted.
pub const FINDINGS: [Finding; 32] = [
    finding!(
        "F-2025-011",
        "IA-2025-03",
        "Minor NC",
        "ISO 9001 9.1.2",
        "Customer satisfaction survey results for Q1 2025 not analysed",
        d(2025, 6, 11),
        d(2025, 8, 10),
        Some(d(2025, 7, 15))
    ),
    finding!(
        "F-2025-012",
        "IA-2025-03",
        "Observation",
        "ISO 20000-1 8.3.3",
        "SLA review minutes do not record the customer's sign-off",
        d(2025, 6, 11),
        d(2025, 9, 9),
        Some(d(2025, 8, 20))
    ),
    finding!(
        "F-2025-013",
        "IA-2025-03",
        "OFI",
        "ISO 20000-1 9.4",
        "Service reports could show per-customer trend charts",
        d(2025, 6, 11),
        d(2025, 9, 9),
        Some(d(2025, 9, 1))
    ),
    finding!(
        "F-2025-021",
        "IA-2025-04",
        "Minor NC",
        "ISO 27001 A.5.18",
        "Quarterly access review of the CRM not evidenced for Q2 2025",
        d(2025, 9, 17),
        d(2025, 11, 16),
        Some(d(2025, 10, 28))
    ),
    finding!(
        "F-2025-022",
        "IA-2025-04",
        "Minor NC",
        "ISO 27001 A.5.20",
        "Two supplier contracts lack a security incident notification clause",
        d(2025, 9, 17),
        d(2025, 11, 16),
        Some(d(2025, 11, 10))
    ),
    finding!(
        "F-2025-023",
        "IA-2025-04",
        "Observation",
        "ISO 27001 A.5.17",
        "Password manager onboarding guide refers to the old vault",
        d(2025, 9, 17),
        d(2025, 12, 16),
        Some(d(2025, 11, 30))
    ),
    finding!(
        "F-2025-024",
        "IA-2025-04",
        "OFI",
        "ISO 27001 A.6.3",
        "Awareness training could cover the use of AI tools",
        d(2025, 9, 17),
        d(2025, 12, 16),
        Some(d(2025, 12, 12))
    ),
    finding!(
        "F-2025-031",
        "IA-2025-05",
        "Minor NC",
        "ISO 22301 8.2.2",
        "BIA for payroll not reviewed after the change of payroll provider",
        d(2025, 11, 5),
        d(2026, 1, 4),
        Some(d(2025, 12, 12))
    ),
    finding!(
        "F-2025-032",
        "IA-2025-05",
        "OFI",
        "ISO 22301 8.5",
        "Exercise scenarios could include the outage of a key supplier",
        d(2025, 11, 5),
        d(2026, 2, 3),
        Some(d(2026, 1, 30))
    ),
    finding!(
        "F-2026-001",
        "IA-2026-01",
        "Minor NC",
        "ISO 42001 A.7.5",
        "Provenance of the data used to retrain the ticket triage model not recorded",
        d(2026, 1, 21),
        d(2026, 3, 22),
        Some(d(2026, 2, 24))
    ),
    finding!(
        "F-2026-002",
        "IA-2026-01",
        "Observation",
        "ISO 42001 6.1.4",
        "Impact assessment template has no section on affected third parties",
        d(2026, 1, 21),
        d(2026, 4, 21),
        Some(d(2026, 3, 31))
    ),
    finding!(
        "F-2026-003",
        "IA-2026-01",
        "Minor NC",
        "ISO 27001 A.8.11",
        "Production customer data used in the AI test environment without masking",
        d(2026, 1, 21),
        d(2026, 3, 22),
        Some(d(2026, 2, 27))
    ),
    finding!(
        "F-2026-004",
        "IA-2026-01",
        "OFI",
        "ISO 27001 A.5.23",
        "Exit plans for cloud services could be consolidated in one document",
        d(2026, 1, 21),
        d(2026, 4, 21),
        Some(d(2026, 4, 15))
    ),
    finding!(
        "F-2026-011",
        "IA-2026-02",
        "Major NC",
        "ISO 20000-1 8.5.1",
        "Emergency changes implemented without retrospective ECAB approval (3 of 12 sampled)",
        d(2026, 3, 11),
        d(2026, 4, 10),
        Some(d(2026, 4, 7))
    ),
    finding!(
        "F-2026-012",
        "IA-2026-02",
        "Minor NC",
        "ISO 9001 10.2",
        "Root cause not recorded for two customer complaints",
        d(2026, 3, 11),
        d(2026, 5, 10),
        Some(d(2026, 4, 28))
    ),
    finding!(
        "F-2026-013",
        "IA-2026-02",
        "Observation",
        "ISO 20000-1 8.6.3",
        "Known error records lack an owner for the workaround",
        d(2026, 3, 11),
        d(2026, 6, 9),
        Some(d(2026, 5, 20))
    ),
    finding!(
        "F-2026-014",
        "IA-2026-02",
        "OFI",
        "ISO 27001 A.5.24",
        "Security incident triage could reuse the major incident bridge",
        d(2026, 3, 11),
        d(2026, 6, 9),
        Some(d(2026, 6, 5))
    ),
    finding!(
        "F-2026-015",
        "IA-2026-02",
        "Minor NC",
        "ISO 9001 8.5.6",
        "Post-implementation review notes missing on two closed changes",
        d(2026, 3, 11),
        d(2026, 5, 10),
        Some(d(2026, 4, 21))
    ),
    finding!(
        "F-2026-021",
        "IA-2026-03",
        "Minor NC",
        "ISO 27001 A.8.13",
        "Evidence of the Q1 2026 restore tests not attached to the restore log",
        d(2026, 5, 13),
        d(2026, 7, 12),
        Some(d(2026, 6, 30))
    ),
    finding!(
        "F-2026-022",
        "IA-2026-03",
        "Minor NC",
        "ISO 22301 8.4",
        "Crisis communication contact list out of date",
        d(2026, 5, 13),
        d(2026, 7, 12),
        Some(d(2026, 6, 16))
    ),
    finding!(
        "F-2026-023",
        "IA-2026-03",
        "Observation",
        "ISO 20000-1 8.7.2",
        "Telephony continuity plan refers to a decommissioned SIP trunk",
        d(2026, 5, 13),
        d(2026, 8, 11),
        Some(d(2026, 7, 10))
    ),
    finding!(
        "F-2026-024",
        "IA-2026-03",
        "OFI",
        "ISO 22301 8.5",
        "A full failover test of the customer portal could replace the walkthrough",
        d(2026, 5, 13),
        d(2026, 8, 11),
        Some(d(2026, 8, 7))
    ),
    finding!(
        "F-2026-031",
        "IA-2026-04",
        "Minor NC",
        "ISO 42001 A.10.3",
        "AI supplier evaluation did not cover notification of model changes",
        d(2026, 6, 16),
        d(2026, 8, 15),
        Some(d(2026, 7, 28))
    ),
    finding!(
        "F-2026-032",
        "IA-2026-04",
        "Observation",
        "ISO 42001 A.5.4",
        "Impact assessment results not shared with the service desk",
        d(2026, 6, 16),
        d(2026, 9, 14),
        Some(d(2026, 8, 14))
    ),
    finding!(
        "F-2026-033",
        "IA-2026-04",
        "OFI",
        "ISO 42001 A.6.2.6",
        "AI monitoring dashboard could show drift metrics",
        d(2026, 6, 16),
        d(2026, 9, 14),
        Some(d(2026, 9, 11))
    ),
    finding!(
        "F-2026-041",
        "IA-2026-05",
        "Minor NC",
        "ISO 9001 7.5.3",
        "Two procedures on the intranet differ from the approved versions",
        d(2026, 9, 9),
        d(2026, 11, 8),
        Some(d(2026, 11, 12))
    ),
    finding!(
        "F-2026-042",
        "IA-2026-05",
        "Observation",
        "ISO 27001 6.2",
        "Phishing click-rate objective has no baseline",
        d(2026, 9, 9),
        d(2026, 12, 8),
        Some(d(2026, 10, 20))
    ),
    finding!(
        "F-2026-043",
        "IA-2026-05",
        "OFI",
        "ISO 22301 9.3",
        "Management review could include the suppliers' continuity readiness",
        d(2026, 9, 9),
        d(2026, 12, 8),
        Some(d(2026, 10, 30))
    ),
    finding!(
        "F-2026-044",
        "IA-2026-05",
        "Minor NC",
        "ISO 20000-1 6.3",
        "Service management plan not updated for the new customer portal service",
        d(2026, 9, 9),
        d(2026, 11, 8),
        Some(d(2026, 10, 22))
    ),
    finding!(
        "F-2026-051",
        "IA-2026-06",
        "Minor NC",
        "ISO 20000-1 8.4.3",
        "Capacity plan not updated after two large customers were onboarded",
        d(2026, 10, 14),
        d(2026, 12, 13),
        None
    ),
    finding!(
        "F-2026-052",
        "IA-2026-06",
        "Observation",
        "ISO 22301 8.4",
        "Release checklist has no step for updating continuity plans",
        d(2026, 10, 14),
        d(2027, 1, 12),
        None
    ),
    finding!(
        "F-2026-053",
        "IA-2026-06",
        "OFI",
        "ISO 20000-1 8.5.3",
        "Release notes could be generated from the change records",
        d(2026, 10, 14),
        d(2027, 1, 12),
        Some(d(2026, 11, 2))
    ),
];

const AUDIT_HEADER: [&str; 9] = [
    "Audit ID",
    "Title",
    "Planned Date",
    "Performed Date",
    "Standards",
    "Processes",
    "Lead Auditor",
    "Auditor Independent",
    "Report",
];

const FINDING_HEADER: [&str; 10] = [
    "Finding ID",
    "Audit ID",
    "Type",
    "Clause",
    "Description",
    "Raised",
    "Due",
    "Closed",
    "Status",
    "CAPA",
];

const REVIEW_HEADER: [&str; 8] = [
    "Review ID",
    "Date",
    "Chair",
    "Standards Covered",
    "Inputs Covered",
    "Dashboard Metrics",
    "Minutes",
    "Decisions",
];

/// The review inputs the five standards require (9.3.2 of each; see evidence/README.md).
pub const REVIEW_INPUTS: [&str; 18] = [
    "Status of actions from previous reviews",
    "Changes in external and internal issues",
    "Changes in needs and expectations of interested parties",
    "Customer satisfaction and feedback from interested parties",
    "Extent to which objectives have been met",
    "Process performance and conformity of products and services",
    "Nonconformities and corrective actions",
    "Monitoring and measurement results",
    "Audit results",
    "Performance of external providers",
    "Adequacy of resources",
    "Effectiveness of actions to address risks and opportunities",
    "Risk assessment results and status of risk treatment",
    "Information security performance",
    "Service performance, workload and service reports",
    "Business continuity performance and exercise results",
    "AI system performance and impact assessment results",
    "Opportunities for continual improvement",
];

/// All five standards, as the registers spell them.
pub const ALL_STANDARDS: &str = "ISO 9001; ISO 27001; ISO 20000-1; ISO 22301; ISO 42001";

/// The internal audit programme.
pub fn audit_table() -> Table {
    let rows = AUDITS
        .iter()
        .map(|a| {
            let report = a
                .performed
                .map(|_| format!("DMS/Audits/{} internal audit report v1.0.pdf", a.id));
            vec![
                a.id.to_string(),
                a.title.to_string(),
                Table::day(Some(a.planned)),
                Table::day(a.performed),
                a.standards.to_string(),
                a.processes.to_string(),
                a.lead.to_string(),
                "Yes".to_string(),
                report.unwrap_or_default(),
            ]
        })
        .collect();
    Table::new("grc/internal-audits.csv", &AUDIT_HEADER, rows)
}

/// The findings log; `capa_keys` maps finding ids to the Jira keys of their CAPAs.
pub fn finding_table(capa_keys: &BTreeMap<&str, String>) -> Table {
    let rows = FINDINGS
        .iter()
        .map(|f| {
            vec![
                f.id.to_string(),
                f.audit.to_string(),
                f.kind.to_string(),
                f.clause.to_string(),
                f.description.to_string(),
                Table::day(Some(f.raised)),
                Table::day(Some(f.due)),
                Table::day(f.closed),
                if f.closed.is_some() { "Closed" } else { "Open" }.to_string(),
                capa_keys.get(f.id).cloned().unwrap_or_default(),
            ]
        })
        .collect();
    Table::new("grc/audit-findings.csv", &FINDING_HEADER, rows)
}

/// The management review register: every review joint, with every input.
pub fn review_table() -> Table {
    let reviews = [
        (
            "MR-2025-01",
            d(2025, 6, 12),
            8,
            "Approve 2025 objectives update; fund SIEM upgrade; start ISO 42001 implementation",
        ),
        (
            "MR-2025-02",
            d(2025, 12, 11),
            8,
            "Adopt integrated dashboard; approve AI policy; add a supplier-outage exercise to the programme",
        ),
        (
            "MR-2026-01",
            d(2026, 6, 11),
            7,
            "Approve the DLP roll-out plan; raise the training target for Sales; keep the 30-day CAPA target",
        ),
    ];
    let rows = reviews
        .iter()
        .map(|(id, day, metrics, decisions)| {
            vec![
                id.to_string(),
                Table::day(Some(*day)),
                crate::people::role("Managing Director"),
                ALL_STANDARDS.to_string(),
                REVIEW_INPUTS.join("; "),
                metrics.to_string(),
                format!("DMS/Management reviews/{id} minutes.pdf"),
                decisions.to_string(),
            ]
        })
        .collect();
    Table::new("grc/management-reviews.csv", &REVIEW_HEADER, rows)
}

/// Copy `k` of the audit programme at scale; `fail` drops the auditor's independence.
pub fn scale_audit(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{}-{}", tag(k), row[0]);
    if rng.chance(20) {
        row[7] = "No".to_string();
    }
}

/// Copy `k` of the findings log at scale; some findings close late.
pub fn scale_finding(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{}-{}", tag(k), row[0]);
    row[1] = format!("{}-{}", tag(k), row[1]);
    // Due on the day raised: a closed finding is then late.
    if rng.chance(30) && !row[7].is_empty() && row[7] != row[5] {
        row[6] = row[5].clone();
    }
}

/// Copy `k` of the management reviews at scale; a few miss an input or a standard.
pub fn scale_review(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{}-{}", tag(k), row[0]);
    if rng.chance(30) {
        row[3] = "ISO 9001; ISO 27001; ISO 20000-1; ISO 22301".to_string();
    } else if rng.chance(30) {
        row[4] = REVIEW_INPUTS[..17].join("; ");
    }
}
