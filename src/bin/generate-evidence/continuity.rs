//! Business continuity and IT service continuity: `bcm/bia.csv`,
//! `itsm/service-continuity-plans.csv`, `bcm/exercises.csv` and
//! `itsm/backup-restore-tests.csv`. The BIA's dependencies and the plans' supported functions
//! are derived from one table, so they always agree.

use crate::clock::days_from_civil as d;
use crate::people::role;
use crate::rng::Rng;
use crate::table::{Table, tag};

/// IT services with a continuity plan: `(service, plan, RTO, RPO)` in tenths of an hour.
/// These are also the critical systems of the restore-test log and the CMDB.
pub const SERVICES: [(&str, &str, i64, i64); 11] = [
    ("ServiceNow ITSM", "ITSCP-01", 40, 10),
    ("Customer Portal", "ITSCP-02", 40, 10),
    ("Customer Hosting Platform", "ITSCP-03", 20, 5),
    ("Managed Backup Platform", "ITSCP-04", 80, 40),
    ("Microsoft 365", "ITSCP-05", 40, 20),
    ("Okta SSO", "ITSCP-06", 20, 5),
    ("Contact Centre Telephony", "ITSCP-07", 10, 5),
    ("Netvisor ERP", "ITSCP-08", 240, 80),
    ("HubSpot CRM", "ITSCP-09", 240, 80),
    ("GitLab", "ITSCP-10", 80, 20),
    ("Zabbix Monitoring", "ITSCP-11", 20, 5),
];

/// A business function: `(function, owner role, MTPD, RTO, RPO, dependent services, last
/// reviewed)`.
type Function = (&'static str, &'static str, i64, i64, i64, &'static [usize], i64);

/// Business functions; hours in tenths. Every service's RTO and RPO are within those of each
/// function that depends on it (ServiceNow ITSM and the service desk are equal: a boundary).
const FUNCTIONS: [Function; 11] = [
    (
        "Service desk and incident handling",
        "Service Desk Manager",
        80,
        40,
        10,
        &[0, 1, 6, 5, 10],
        d(2026, 3, 17),
    ),
    (
        "Managed hosting operations",
        "IT Operations Manager",
        40,
        20,
        5,
        &[2, 5, 10],
        d(2026, 3, 17),
    ),
    (
        "Managed backup service",
        "IT Operations Manager",
        240,
        80,
        40,
        &[3, 5, 10],
        d(2026, 3, 18),
    ),
    (
        "Customer and crisis communication",
        "Chief Customer Officer",
        80,
        40,
        20,
        &[4, 1, 6],
        d(2026, 3, 18),
    ),
    (
        "Invoicing and billing",
        "Finance Manager",
        720,
        240,
        80,
        &[7, 4, 8],
        d(2026, 4, 8),
    ),
    (
        "Payroll",
        "Finance Manager",
        1200,
        480,
        240,
        &[7, 4],
        d(2026, 4, 8),
    ),
    (
        "Sales and contract management",
        "Head of Sales",
        720,
        240,
        80,
        &[8, 4],
        d(2026, 4, 9),
    ),
    (
        "Software delivery",
        "Engineering Manager",
        720,
        240,
        40,
        &[9, 5],
        d(2026, 4, 9),
    ),
    (
        "Security monitoring and incident response",
        "CISO",
        120,
        40,
        10,
        &[10, 5, 0],
        d(2026, 3, 19),
    ),
    (
        "Internal communications",
        "Chief Operating Officer",
        240,
        80,
        40,
        &[4, 5],
        d(2026, 4, 10),
    ),
    (
        "Recruitment and HR administration",
        "HR Manager",
        1680,
        720,
        240,
        &[4, 7],
        d(2026, 4, 10),
    ),
];

/// Business continuity plans (ISO 22301 8.4), also in the document register:
/// `(id, title, RTO target in tenths)`.
pub const BC_PLANS: [(&str, &str, i64); 4] = [
    ("BCP-01", "Crisis management and communication plan", 20),
    ("BCP-02", "Service desk continuity plan", 40),
    ("BCP-03", "Workplace recovery plan (Helsinki office)", 240),
    ("BCP-04", "Managed services continuity plan", 20),
];

/// The business impact analysis.
pub fn bia_table() -> Table {
    let rows = FUNCTIONS
        .iter()
        .map(|&(name, owner, mtpd, rto, rpo, deps, reviewed)| {
            let services: Vec<&str> = deps
                .iter()
                .filter_map(|&i| SERVICES.get(i).map(|s| s.0))
                .collect();
            vec![
                name.to_string(),
                role(owner),
                tenths(mtpd),
                tenths(rto),
                tenths(rpo),
                services.join("; "),
                Table::day(Some(reviewed)),
            ]
        })
        .collect();
    Table::new(
        "bcm/bia.csv",
        &[
            "Function",
            "Owner",
            "MTPD (h)",
            "RTO (h)",
            "RPO (h)",
            "Dependent IT Services",
            "Last Reviewed",
        ],
        rows,
    )
}

/// Hours as `5.0` from tenths.
fn tenths(v: i64) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// `(exercise id, plan, day, type, scenario, RTO achieved, RPO achieved, lessons)`.
type Exercise = (
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    &'static str,
);

/// The exercise log: every plan exercised in the 12 months before as_of, every exercise
/// within its targets (ITSCP-06 exactly on target: a boundary).
const EXERCISES: [Exercise; 21] = [
    (
        "EX-2025-04",
        "BCP-01",
        d(2025, 6, 18),
        "Tabletop",
        "Ransomware encrypts file shares on a Friday evening",
        15,
        None,
        "Crisis team call list moved to the out-of-band app",
    ),
    (
        "EX-2025-05",
        "ITSCP-03",
        d(2025, 9, 23),
        "Technical recovery test",
        "Loss of availability zone for the hosting platform",
        16,
        Some(3),
        "Runbook step for DNS failover automated",
    ),
    (
        "EX-2025-06",
        "BCP-03",
        d(2025, 10, 15),
        "Walkthrough",
        "Helsinki office unavailable for a week (water damage)",
        180,
        None,
        "Laptop pool for staff without home setup added",
    ),
    (
        "EX-2025-07",
        "BCP-01",
        d(2025, 12, 9),
        "Simulation",
        "Key cloud supplier outage during the year-end freeze",
        12,
        None,
        "Supplier escalation contacts added to the crisis plan",
    ),
    (
        "EX-2026-01",
        "ITSCP-01",
        d(2026, 1, 27),
        "Technical recovery test",
        "ServiceNow instance unavailable; switch to the offline ticket process",
        25,
        Some(5),
        "Offline ticket template printed at the service desk",
    ),
    (
        "EX-2026-02",
        "ITSCP-05",
        d(2026, 2, 17),
        "Technical recovery test",
        "Mailbox and SharePoint site restored from third-party backup",
        30,
        Some(12),
        "Restore permissions documented for the backup admin role",
    ),
    (
        "EX-2026-03",
        "BCP-02",
        d(2026, 3, 24),
        "Simulation",
        "Telephony outage during a major incident",
        30,
        None,
        "Call-back process added to the service desk plan",
    ),
    (
        "EX-2026-04",
        "ITSCP-07",
        d(2026, 3, 24),
        "Technical recovery test",
        "Fail over contact centre to the secondary SIP trunk",
        6,
        Some(0),
        "Secondary trunk capacity increased",
    ),
    (
        "EX-2026-05",
        "ITSCP-06",
        d(2026, 4, 21),
        "Technical recovery test",
        "Okta org misconfiguration rolled back from Terraform state",
        20,
        Some(5),
        "Break-glass accounts tested and documented",
    ),
    (
        "EX-2026-06",
        "ITSCP-02",
        d(2026, 5, 19),
        "Full failover",
        "Customer portal failed over to the secondary region",
        32,
        Some(6),
        "Health check for the secondary region added to monitoring",
    ),
    (
        "EX-2026-07",
        "ITSCP-03",
        d(2026, 6, 9),
        "Technical recovery test",
        "Restore of the hosting platform control plane",
        17,
        Some(4),
        "etcd snapshot frequency increased",
    ),
    (
        "EX-2026-08",
        "ITSCP-04",
        d(2026, 6, 30),
        "Technical recovery test",
        "Backup platform rebuilt from configuration backup",
        62,
        Some(24),
        "Configuration backup moved to immutable storage",
    ),
    (
        "EX-2026-09",
        "BCP-04",
        d(2026, 8, 25),
        "Tabletop",
        "Simultaneous outage of hosting and monitoring",
        18,
        None,
        "Decision rights of the duty manager clarified",
    ),
    (
        "EX-2026-10",
        "ITSCP-08",
        d(2026, 9, 8),
        "Walkthrough",
        "Netvisor unavailable during month-end invoicing",
        120,
        Some(40),
        "Manual invoicing template updated",
    ),
    (
        "EX-2026-11",
        "ITSCP-09",
        d(2026, 9, 8),
        "Walkthrough",
        "CRM unavailable during quarter-end",
        96,
        Some(24),
        "Export of open deals scheduled weekly",
    ),
    (
        "EX-2026-12",
        "ITSCP-10",
        d(2026, 9, 22),
        "Technical recovery test",
        "GitLab restored from backup to a clean host",
        54,
        Some(12),
        "Runner registration tokens added to the vault",
    ),
    (
        "EX-2026-13",
        "ITSCP-11",
        d(2026, 10, 6),
        "Technical recovery test",
        "Monitoring server rebuilt from configuration management",
        14,
        Some(3),
        "Alert routing exported nightly",
    ),
    (
        "EX-2026-14",
        "BCP-03",
        d(2026, 10, 14),
        "Walkthrough",
        "Office access system failure",
        160,
        None,
        "Visitor process without the access system documented",
    ),
    (
        "EX-2026-15",
        "BCP-01",
        d(2026, 10, 27),
        "Simulation",
        "Data breach with media attention",
        14,
        None,
        "Holding statements pre-approved by legal",
    ),
    (
        "EX-2026-16",
        "ITSCP-01",
        d(2026, 11, 3),
        "Technical recovery test",
        "ServiceNow clone restored and validated",
        31,
        Some(8),
        "Validation checklist shortened",
    ),
    (
        "EX-2026-17",
        "BCP-02",
        d(2026, 11, 10),
        "Tabletop",
        "Service desk staff unavailable (influenza)",
        36,
        None,
        "Cross-training plan for operations staff agreed",
    ),
];

/// RTO and RPO targets of a plan in tenths.
fn targets(plan: &str) -> (i64, Option<i64>) {
    if let Some(s) = SERVICES.iter().find(|s| s.1 == plan) {
        return (s.2, Some(s.3));
    }
    (BC_PLANS.iter().find(|p| p.0 == plan).map_or(240, |p| p.2), None)
}

/// The exercise log.
pub fn exercise_table() -> Table {
    let rows = EXERCISES
        .iter()
        .map(|&(id, plan, day, kind, scenario, rto, rpo, lessons)| {
            let (rto_t, rpo_t) = targets(plan);
            let opt = |v: Option<i64>| v.map(tenths).unwrap_or_default();
            vec![
                id.to_string(),
                plan.to_string(),
                Table::day(Some(day)),
                kind.to_string(),
                scenario.to_string(),
                tenths(rto_t),
                tenths(rto),
                opt(rpo_t),
                opt(rpo),
                "Passed".to_string(),
                lessons.to_string(),
            ]
        })
        .collect();
    Table::new(
        "bcm/exercises.csv",
        &[
            "Exercise ID",
            "Plan",
            "Date",
            "Type",
            "Scenario",
            "RTO Target (h)",
            "RTO Achieved (h)",
            "RPO Target (h)",
            "RPO Achieved (h)",
            "Result",
            "Lessons Learned",
        ],
        rows,
    )
}

/// The IT service continuity plans, with the functions that depend on each service and the
/// day of its latest exercise.
pub fn plan_table() -> Table {
    let rows = SERVICES
        .iter()
        .enumerate()
        .map(|(i, &(service, plan, rto, rpo))| {
            let supports: Vec<&str> = FUNCTIONS
                .iter()
                .filter(|f| f.5.contains(&i))
                .map(|f| f.0)
                .collect();
            let tested = EXERCISES.iter().filter(|e| e.1 == plan).map(|e| e.2).max();
            vec![
                service.to_string(),
                plan.to_string(),
                tenths(rto),
                tenths(rpo),
                supports.join("; "),
                Table::day(tested),
            ]
        })
        .collect();
    Table::new(
        "itsm/service-continuity-plans.csv",
        &[
            "Service",
            "Plan ID",
            "RTO (h)",
            "RPO (h)",
            "Supports Functions",
            "Last Tested",
        ],
        rows,
    )
}

/// The restore-test log: every critical system each quarter, the latest in September 2026
/// (inside both the last 90 days and the last calendar quarter); one failed test in March
/// was repeated a week later.
pub fn restore_table(seed: u64) -> Table {
    let mut rng = Rng::derive(seed, 0xBAC, 0);
    let rounds = [
        d(2025, 6, 10),
        d(2025, 9, 9),
        d(2025, 12, 9),
        d(2026, 3, 10),
        d(2026, 6, 9),
        d(2026, 9, 8),
    ];
    let mut rows = Vec::new();
    for (r, &day) in rounds.iter().enumerate() {
        for (i, &(service, _, rto, rpo)) in SERVICES.iter().enumerate() {
            let test_day = day + (i as i64 % 4) * 2;
            let time = rng.range(rto / 4, rto * 4 / 5).max(1);
            let lag = rng.range(rpo / 4, rpo).max(0);
            if r == 3 && i == 2 {
                rows.push(vec![
                    service.to_string(),
                    Table::day(Some(test_day)),
                    "Failed".to_string(),
                    tenths(rto + 14),
                    tenths(lag),
                ]);
                rows.push(vec![
                    service.to_string(),
                    Table::day(Some(test_day + 7)),
                    "Success".to_string(),
                    tenths(time),
                    tenths(lag),
                ]);
            } else {
                rows.push(vec![
                    service.to_string(),
                    Table::day(Some(test_day)),
                    "Success".to_string(),
                    tenths(time),
                    tenths(lag),
                ]);
            }
        }
    }
    rows.sort_by(|a, b| (&a[1], &a[0]).cmp(&(&b[1], &b[0])));
    Table::new(
        "itsm/backup-restore-tests.csv",
        &[
            "System",
            "Test Date",
            "Result",
            "Restore Time (h)",
            "RPO Achieved (h)",
        ],
        rows,
    )
}

/// Scale copies: service, function and plan names carry the business unit.
pub fn scale_bia(row: &mut [String], k: u64, rng: &mut Rng) {
    let t = tag(k);
    row[0] = format!("{} ({t})", row[0]);
    row[5] = row[5]
        .split("; ")
        .map(|s| format!("{s} ({t})"))
        .collect::<Vec<_>>()
        .join("; ");
    if rng.chance(30) {
        row[6] = "2025-06-30".to_string();
    }
}

/// Scale copies of the continuity plans; a few services promise a slower RTO than a
/// dependent function needs.
pub fn scale_plan(row: &mut [String], k: u64, rng: &mut Rng) {
    let t = tag(k);
    row[0] = format!("{} ({t})", row[0]);
    row[1] = format!("{t}-{}", row[1]);
    row[4] = row[4]
        .split("; ")
        .map(|s| format!("{s} ({t})"))
        .collect::<Vec<_>>()
        .join("; ");
    if rng.chance(30) {
        row[2] = "96.0".to_string();
    }
}

/// Scale copies of the exercise log; a few exercises miss their RTO.
pub fn scale_exercise(row: &mut [String], k: u64, rng: &mut Rng) {
    let t = tag(k);
    row[0] = format!("{t}-{}", row[0]);
    row[1] = format!("{t}-{}", row[1]);
    if rng.chance(30) {
        row[6] = format!(
            "{}.5",
            row[5]
                .split('.')
                .next()
                .unwrap_or("0")
                .parse::<i64>()
                .unwrap_or(0)
                + 2
        );
        row[9] = "Failed".to_string();
    }
}

/// Scale copies of the restore log; a few tests fail.
pub fn scale_restore(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{} ({})", row[0], tag(k));
    if rng.chance(20) {
        row[2] = "Failed".to_string();
    }
}
