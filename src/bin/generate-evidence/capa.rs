//! `jira/capa.csv`: the Jira CAPA project export, with Jira's quirks (three repeated
//! `Labels` columns, `22/Nov/26 9:15 AM` on the Helsinki wall clock, date pickers exported
//! with midnight, multi-line summaries).

use std::collections::BTreeMap;

use crate::audits::FINDINGS;
use crate::clock::{
    AS_OF, AS_OF_DAY, DAY, HOUR, Helsinki, MINUTE, WINDOW_START_DAY, days_from_civil as d, weekday,
};
use crate::out::{self, Row};
use crate::people::{Staff, random_name, role};
use crate::rng::Rng;
use crate::{Ctx, Error};

const HEADER: [&str; 20] = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Priority",
    "Resolution",
    "Assignee",
    "Reporter",
    "Created",
    "Updated",
    "Resolved",
    "Due date",
    "Labels",
    "Labels",
    "Labels",
    "Custom field (Source)",
    "Custom field (Severity)",
    "Custom field (Detected)",
    "Custom field (Action Decided)",
];

/// CAPA rows at scale 1.
const ROWS_AT_SCALE_ONE: u64 = 1_000_000;

const INCIDENT: &str = "Incident";
const COMPLAINT: &str = "Customer complaint";
const SUPPLIER: &str = "Supplier";
const REVIEW: &str = "Management review";
const EXTERNAL: &str = "External audit";
const INTERNAL: &str = "Internal audit";

/// Jira label of each standard.
const Q: &str = "ISO9001";
const S: &str = "ISO27001";
const IT: &str = "ISO20000";
const BC: &str = "ISO22301";
const AI: &str = "ISO42001";

/// `(summary, source, labels)`; `{sys}`, `{sup}` and `{inc}` are filled in per record.
const TEMPLATES: [(&str, &str, &[&str]); 38] = [
    (
        "Backup job for {sys} failed silently for three nights",
        INCIDENT,
        &[S, IT],
    ),
    (
        "Major incident {inc}: customer portal unavailable, expired TLS certificate",
        INCIDENT,
        &[IT, S],
    ),
    (
        "Phishing e-mail led to a compromised mailbox ({inc})",
        INCIDENT,
        &[S],
    ),
    (
        "Disk capacity alert for {sys} not routed to on-call",
        INCIDENT,
        &[IT],
    ),
    (
        "Change implemented outside its approved window caused an outage of {sys}",
        INCIDENT,
        &[IT, Q],
    ),
    (
        "Vulnerability scan found {sys} unpatched for more than 30 days",
        INCIDENT,
        &[S],
    ),
    (
        "Restore of {sys} took longer than its RTO during the quarterly test",
        INCIDENT,
        &[BC, IT, S],
    ),
    (
        "Ticket triage model routed P2 incidents to the wrong queue",
        INCIDENT,
        &[AI, IT],
    ),
    (
        "Laptop lost on public transport; remote wipe delayed by two days",
        INCIDENT,
        &[S],
    ),
    (
        "Customer data export sent to the wrong recipient ({inc})",
        INCIDENT,
        &[S, Q],
    ),
    (
        "Capacity threshold breached on {sys} storage\nNo capacity forecast since the migration",
        INCIDENT,
        &[IT, BC],
    ),
    ("Privileged account without MFA found on {sys}", INCIDENT, &[S]),
    (
        "Service desk first-response SLA missed during the holiday season",
        COMPLAINT,
        &[IT, Q],
    ),
    (
        "Customer invoiced twice for the same managed service month",
        COMPLAINT,
        &[Q],
    ),
    (
        "Monthly service report delivered late to the customer",
        COMPLAINT,
        &[IT, Q],
    ),
    (
        "Ticket closed without the customer's confirmation",
        COMPLAINT,
        &[IT],
    ),
    (
        "Customer reported that a former employee still had portal access",
        COMPLAINT,
        &[S],
    ),
    (
        "Release deployed without documented acceptance by the customer",
        COMPLAINT,
        &[Q, IT],
    ),
    (
        "Chatbot gave wrong information about service hours\nCustomer escalated to the account manager",
        COMPLAINT,
        &[AI, Q],
    ),
    (
        "Service catalogue entry for Managed Backup published a wrong RPO",
        COMPLAINT,
        &[IT, BC, Q],
    ),
    (
        "Customers not informed during the network outage of {sys}",
        COMPLAINT,
        &[IT, BC],
    ),
    (
        "Supplier {sup} delivered laptops without disk encryption enabled",
        SUPPLIER,
        &[S],
    ),
    (
        "Supplier SLA report missing availability data for {sys}",
        SUPPLIER,
        &[IT, Q],
    ),
    (
        "Cloud provider maintenance not announced to customers in time",
        SUPPLIER,
        &[IT, BC],
    ),
    (
        "AI vendor changed the underlying model without notice",
        SUPPLIER,
        &[AI, S],
    ),
    (
        "Data processing agreement missing for a new subcontractor",
        SUPPLIER,
        &[S, Q],
    ),
    (
        "Supplier \"{sup}\" missed the agreed response time, penalty not applied",
        SUPPLIER,
        &[Q, IT],
    ),
    (
        "Resource planning action from the management review not started",
        REVIEW,
        &[Q],
    ),
    (
        "First-call resolution objective not measured since Q2",
        REVIEW,
        &[Q, IT],
    ),
    (
        "Generator test at the Helsinki office not performed as scheduled",
        REVIEW,
        &[BC],
    ),
    (
        "Competence records incomplete for two contractors (certification body, minor NC)",
        EXTERNAL,
        &[Q, S],
    ),
    (
        "BC exercise report lacks lessons learned (certification body, minor NC)",
        EXTERNAL,
        &[BC],
    ),
    (
        "Impact assessment criteria not defined for low-risk AI systems (certification body)",
        EXTERNAL,
        &[AI],
    ),
    (
        "Onboarding checklist skipped security awareness for summer trainees",
        INTERNAL,
        &[S, Q],
    ),
    (
        "Firewall rule review overdue\nFound in the quarterly control self-assessment",
        INTERNAL,
        &[S],
    ),
    (
        "Problem record for recurring VPN disconnects not progressed",
        INTERNAL,
        &[IT],
    ),
    (
        "Password policy exception granted without an expiry date",
        INTERNAL,
        &[S],
    ),
    (
        "Training records missing for the AI acceptable use course",
        INTERNAL,
        &[AI, Q],
    ),
];

const SYSTEMS: [&str; 8] = [
    "Customer Portal",
    "ServiceNow",
    "Managed Backup Platform",
    "Netvisor",
    "HubSpot CRM",
    "GitLab",
    "Kubernetes cluster hel-prod-2",
    "Zabbix",
];
const SUPPLIERS: [&str; 4] = [
    "Polar Devices Oy",
    "Arctic Courier Oy",
    "Lumen Print Oy",
    "Nordic Field Services Oy",
];

/// One CAPA issue.
#[derive(Debug, Clone)]
pub struct Capa {
    /// Jira summary (may span lines).
    pub summary: String,
    /// Number of `CAPA-n`.
    pub key: u64,
    /// `Nonconformity` or `Improvement`.
    pub issue_type: &'static str,
    /// `Open`, `In Progress`, `Resolved` or `Closed`.
    pub status: &'static str,
    /// Jira priority.
    pub priority: &'static str,
    /// Assignee's display name.
    pub assignee: String,
    /// Reporter's display name.
    pub reporter: String,
    /// Created instant.
    pub created: i64,
    /// Last update instant.
    pub updated: i64,
    /// Resolved instant.
    pub resolved: Option<i64>,
    /// Due day.
    pub due: Option<i64>,
    /// Standards tags, at most three.
    pub labels: Vec<&'static str>,
    /// Where the nonconformity came from.
    pub source: &'static str,
    /// `Major`, `Minor` or `Observation`.
    pub severity: &'static str,
    /// When the nonconformity was found.
    pub detected: i64,
    /// Day the corrective action was decided.
    pub decided: Option<i64>,
    /// The audit finding this CAPA answers, if any.
    pub finding: Option<&'static str>,
}

/// The Jira label of the standard a clause reference (`ISO 27001 A.5.18`) belongs to.
pub fn label_of(clause: &str) -> &'static str {
    match clause.get(..9) {
        Some("ISO 9001 ") => Q,
        Some("ISO 27001") => S,
        Some("ISO 20000") => IT,
        Some("ISO 22301") => BC,
        _ => AI,
    }
}

fn fill(template: &str, rng: &mut Rng) -> String {
    template
        .replace("{sys}", rng.pick::<&str>(&SYSTEMS))
        .replace("{sup}", rng.pick::<&str>(&SUPPLIERS))
        .replace("{inc}", &format!("INC{:07}", 10_001 + rng.below(400)))
}

/// The local day of an instant.
fn local_day(hel: &Helsinki, ts: i64) -> i64 {
    hel.to_local(ts).div_euclid(DAY)
}

/// An instant in working hours on `day`.
fn working_time(hel: &Helsinki, rng: &mut Rng, day: i64) -> i64 {
    hel.at(day, rng.range(8, 16), rng.range(0, 59))
}

/// Moves weekend days to the next Monday.
fn weekday_on_or_after(day: i64) -> i64 {
    match weekday(day) {
        5 => day + 2,
        6 => day + 1,
        _ => day,
    }
}

/// Who records and who fixes: for the sample, named staff; at scale, drawn names.
pub enum Names<'a> {
    /// The sample's staff.
    Staff(&'a Staff),
    /// Random names.
    Random,
}

impl Names<'_> {
    fn any(&self, rng: &mut Rng) -> String {
        match self {
            Names::Staff(s) => rng.pick(&s.current).name(),
            Names::Random => random_name(rng),
        }
    }
}

/// A CAPA that passes every CAPA requirement: recorded within a day or so of detection,
/// action decided within 10 days, closed in under 29 days, never left open past due.
pub fn compliant(
    hel: &Helsinki,
    rng: &mut Rng,
    created: i64,
    template: (&str, &'static str, &[&'static str]),
    names: &Names,
) -> Capa {
    let (summary, source, tags) = template;
    let cday = local_day(hel, created);
    let age_days = AS_OF_DAY - cday;
    // The certification body's grading is part of the summary; otherwise mostly minor.
    let severity = if summary.contains("minor NC") {
        "Minor"
    } else if source == EXTERNAL {
        "Observation"
    } else {
        ["Major", "Minor", "Minor", "Minor", "Observation"][rng.below(5) as usize]
    };
    let priority = match severity {
        "Major" => *rng.pick(&["Highest", "High"]),
        "Minor" => *rng.pick(&["High", "Medium", "Medium"]),
        _ => *rng.pick(&["Medium", "Low"]),
    };
    let mut detected = if rng.chance(800) {
        created - rng.range(10, 180) * MINUTE
    } else {
        created - DAY + rng.range(-120, 60) * MINUTE
    };
    // Wall-clock 03:xx is ambiguous on the autumn DST night; stay clear of it.
    if hel.to_local(detected).rem_euclid(DAY) / HOUR == 3 {
        detected -= HOUR;
    }
    let undecided = age_days <= 14 && rng.chance(400);
    let decided = (!undecided).then(|| (cday + rng.range(0, 10)).min(AS_OF_DAY - 1).max(cday));
    let must_close = age_days > 29;
    let resolved = match decided {
        Some(dd) if must_close || rng.chance(500) => {
            let latest = (cday + 28).min(AS_OF_DAY - 1);
            let first = (dd.max(cday + 1)).min(latest);
            if first <= latest {
                let day = rng.range(first, latest);
                let t = working_time(hel, rng, day);
                (t > created && t < AS_OF - HOUR).then_some(t)
            } else {
                None
            }
        }
        _ => None,
    };
    let (status, updated) = match resolved {
        Some(r) if AS_OF - r > 7 * DAY && rng.chance(850) => (
            "Closed",
            (r + rng.range(1, 5) * DAY + rng.range(0, 300) * MINUTE).min(AS_OF - HOUR),
        ),
        Some(r) => ("Resolved", r),
        None if decided.is_some() => ("In Progress", (created + rng.range(1, 6) * DAY).min(AS_OF - HOUR)),
        None => ("Open", created + rng.range(5, 120) * MINUTE),
    };
    let mut labels = tags.to_vec();
    labels.sort_unstable();
    Capa {
        summary: fill(summary, rng),
        key: 0,
        issue_type: if severity == "Observation" {
            "Improvement"
        } else {
            "Nonconformity"
        },
        status,
        priority,
        assignee: names.any(rng),
        reporter: names.any(rng),
        created,
        updated,
        resolved,
        due: Some(cday + 30),
        labels,
        source,
        severity,
        detected,
        decided,
        finding: None,
    }
}

impl Capa {
    /// Appends the CSV record.
    pub fn write(&self, hel: &Helsinki, out: &mut Vec<u8>) {
        let mut r = Row::new(out);
        r.text(&self.summary)
            .text(&format!("CAPA-{}", self.key))
            .int(10_000 + self.key as i64)
            .text(self.issue_type)
            .text(self.status)
            .text(self.priority)
            .text(if self.resolved.is_some() { "Done" } else { "" })
            .text(&self.assignee)
            .text(&self.reporter)
            .jira(hel, Some(self.created))
            .jira(hel, Some(self.updated))
            .jira(hel, self.resolved)
            .jira_date(self.due);
        for i in 0..3 {
            r.opt(self.labels.get(i).copied());
        }
        r.text(self.source)
            .text(self.severity)
            .jira(hel, Some(self.detected))
            .jira_date(self.decided)
            .end();
    }
}

/// Sets a CAPA's resolution `cycle` after creation, closed a few days later.
fn close_after(c: &mut Capa, cycle: i64) {
    let r = c.created + cycle;
    c.resolved = Some(r);
    c.status = "Closed";
    c.updated = r + 2 * DAY + 40 * MINUTE;
}

/// The sample's CAPAs (about 150), with the planted findings and boundary cases, keyed in
/// order of creation; also returns the CAPA key of each audit finding.
pub fn sample(hel: &Helsinki, seed: u64, staff: &Staff) -> (Vec<Capa>, BTreeMap<&'static str, String>) {
    let mut rng = Rng::derive(seed, 0xCA9A, 0);
    let names = Names::Staff(staff);
    let mut capas = Vec::new();
    let planted = |day: i64, hh: i64, mm: i64, t: (&str, &'static str, &[&'static str]), rng: &mut Rng| {
        let created = hel.at(day, hh, mm);
        let mut c = compliant(hel, rng, created, t, &names);
        c.severity = "Minor";
        c.issue_type = "Nonconformity";
        c.priority = "High";
        c.detected = created - 3 * HOUR;
        c.decided = Some(day + 3);
        c.labels.truncate(3);
        c
    };
    // capa.cycle_time finding: closed after 47 days.
    let mut f47 = planted(
        d(2026, 3, 5),
        9,
        40,
        (
            "Customer portal outage not communicated to customers within the agreed 30 minutes",
            COMPLAINT,
            &[IT, Q],
        ),
        &mut rng,
    );
    close_after(&mut f47, 47 * DAY + 2 * HOUR + 10 * MINUTE);
    f47.severity = "Major";
    // Waived by W-2026-004 (valid until 2027-01-31): 41 days, waiting for a vendor release.
    let mut waived = planted(
        d(2026, 7, 7),
        13,
        5,
        (
            "Backup encryption keys stored on the backup server itself\nFix depends on the backup vendor's KMS integration release",
            INTERNAL,
            &[S, BC],
        ),
        &mut rng,
    );
    close_after(&mut waived, 41 * DAY + 3 * HOUR);
    // Covered by W-2026-001, which expired on 2026-09-30: 36 days, still a finding.
    let mut expired = planted(
        d(2026, 1, 13),
        10,
        30,
        (
            "Core firewall replacement delayed; end-of-life firewall still in production",
            INCIDENT,
            &[S, IT],
        ),
        &mut rng,
    );
    close_after(&mut expired, 36 * DAY + 5 * HOUR);
    // capa.no_overdue_open finding: in progress, due 2026-10-28.
    let mut overdue = planted(
        d(2026, 9, 28),
        10,
        15,
        (
            "Supplier NDA template not updated to the 2026 data protection clauses",
            SUPPLIER,
            &[S, Q],
        ),
        &mut rng,
    );
    overdue.resolved = None;
    overdue.status = "In Progress";
    overdue.due = Some(d(2026, 10, 28));
    overdue.decided = Some(d(2026, 10, 2));
    overdue.updated = hel.at(d(2026, 10, 20), 14, 2);
    // Boundary: closed in exactly 29 d 23 h (no DST change in between).
    let mut b2923 = planted(
        d(2026, 5, 5),
        9,
        0,
        (
            "Service desk knowledge article for password resets outdated",
            INTERNAL,
            &[IT],
        ),
        &mut rng,
    );
    close_after(&mut b2923, 29 * DAY + 23 * HOUR);
    // Boundary and DST trap: 29 d 23 h 30 min across the spring change; the wall clocks
    // differ by 30 d 0 h 30 min, so reading Jira times as UTC or +02:00 wrongly fails it.
    let mut bdst = planted(
        d(2026, 3, 10),
        10,
        0,
        (
            "Escalation matrix in the major incident procedure lists a former manager",
            INTERNAL,
            &[IT, Q],
        ),
        &mut rng,
    );
    close_after(&mut bdst, 29 * DAY + 23 * HOUR + 30 * MINUTE);
    // Boundary: recorded exactly 48 h after detection, decided exactly 14 days after.
    let mut b48 = planted(
        d(2026, 8, 18),
        11,
        20,
        (
            "Monitoring gap: certificate expiry checks missing for customer domains",
            INCIDENT,
            &[S, IT],
        ),
        &mut rng,
    );
    b48.detected = b48.created - 48 * HOUR;
    b48.decided = Some(d(2026, 9, 1));
    close_after(&mut b48, 20 * DAY + 4 * HOUR);
    // Boundary: open and due on the as_of day itself.
    let mut bdue = planted(
        d(2026, 10, 23),
        15,
        45,
        (
            "Customer onboarding checklist misses the data processing agreement step",
            COMPLAINT,
            &[Q, S],
        ),
        &mut rng,
    );
    bdue.resolved = None;
    bdue.status = "In Progress";
    bdue.due = Some(AS_OF_DAY);
    bdue.decided = Some(d(2026, 10, 27));
    bdue.updated = hel.at(d(2026, 11, 19), 9, 12);
    // Boundary: no action decided yet, created exactly 14 days before as_of.
    let mut bnew = planted(
        d(2026, 11, 8),
        11,
        20,
        (
            "Weekend on-call engineer could not reach the backup supplier's hotline",
            INCIDENT,
            &[BC, IT],
        ),
        &mut rng,
    );
    bnew.resolved = None;
    bnew.status = "Open";
    bnew.decided = None;
    bnew.due = Some(d(2026, 12, 8));
    bnew.updated = bnew.created + 25 * MINUTE;
    for c in [f47, waived, expired, overdue, b2923, bdst, b48, bdue, bnew] {
        capas.push(c);
    }
    // Audit nonconformities: recorded the day after the audit.
    for f in FINDINGS.iter().filter(|f| f.needs_capa()) {
        let day = weekday_on_or_after(f.raised + 1);
        let created = hel.at(day, 10, rng.range(0, 50));
        let summary = format!("{}: {}", f.id, f.description);
        let mut c = compliant(hel, &mut rng, created, (&summary, INTERNAL, &[]), &names);
        c.labels = vec![f.label()];
        c.severity = if f.kind == "Major NC" { "Major" } else { "Minor" };
        c.issue_type = "Nonconformity";
        c.detected = hel.at(f.raised, 15, 0);
        c.reporter = role("Internal Auditor");
        c.finding = Some(f.id);
        capas.push(c);
    }
    // The rest, spread over working days of the window.
    let rest = 150 - capas.len() as i64;
    let span = AS_OF_DAY - 3 - WINDOW_START_DAY;
    for i in 0..rest {
        let day = weekday_on_or_after(WINDOW_START_DAY + 1 + i * span / rest + rng.range(0, 2));
        let created = working_time(hel, &mut rng, day.min(AS_OF_DAY - 2));
        let t = *rng.pick(&TEMPLATES);
        capas.push(compliant(hel, &mut rng, created, t, &names));
    }
    capas.sort_by_key(|c| c.created);
    let mut keys = BTreeMap::new();
    for (i, c) in capas.iter_mut().enumerate() {
        c.key = i as u64 + 1;
        if let Some(f) = c.finding {
            keys.insert(f, format!("CAPA-{}", c.key));
        }
    }
    (capas, keys)
}

/// Writes the sample CAPAs.
pub fn write_sample(ctx: &Ctx, capas: &[Capa]) -> Result<(), Error> {
    let mut buf = Vec::new();
    out::header(&mut buf, &HEADER);
    for c in capas {
        c.write(&ctx.hel, &mut buf);
    }
    out::write_all(&ctx.path("jira/capa.csv"), &buf)
}

/// CAPA `i` of a scaled export: compliant, or with one planted failure (about 8 %).
fn scaled(ctx: &Ctx, i: u64, n: u64) -> Capa {
    let hel = &ctx.hel;
    let mut rng = Rng::derive(ctx.seed, 0xCA9A, i + 1);
    let span = (AS_OF_DAY - 2 - WINDOW_START_DAY) as u64;
    let day = WINDOW_START_DAY + (i * span / n.max(1)) as i64;
    let created = working_time(hel, &mut rng, day);
    let t = *rng.pick(&TEMPLATES);
    let mut c = compliant(hel, &mut rng, created, t, &Names::Random);
    c.key = i + 1;
    let cday = day;
    match rng.weighted(&[917, 40, 15, 15, 10, 3]) {
        1 if cday + 62 < AS_OF_DAY => {
            let day = cday + rng.range(30, 60);
            let r = working_time(hel, &mut rng, day);
            c.resolved = Some(r);
            c.status = "Closed";
            c.updated = r + DAY;
            c.decided = Some(cday + 2);
        }
        2 => c.detected = created - rng.range(49, 120) * HOUR,
        3 if cday + 31 < AS_OF_DAY => {
            let dd = cday + rng.range(15, 25);
            c.decided = Some(dd);
            if let Some(r) = c.resolved {
                let r = r.max(hel.at(dd, 15, 0));
                c.resolved = Some(r);
                c.updated = c.updated.max(r);
            }
        }
        4 => c.labels.clear(),
        5 if cday + 31 < AS_OF_DAY => {
            c.resolved = None;
            c.status = "In Progress";
            c.updated = created + 3 * DAY;
        }
        _ => {}
    }
    c
}

/// Writes `jira/capa.csv` at scale.
pub fn write_scaled(ctx: &Ctx) -> Result<(), Error> {
    let n = ctx.rows(ROWS_AT_SCALE_ONE);
    let mut head = Vec::new();
    out::header(&mut head, &HEADER);
    out::write_chunked(&ctx.path("jira/capa.csv"), &head, n, b"", |from, to, buf| {
        for i in from..to {
            scaled(ctx, i, n).write(&ctx.hel, buf);
        }
        Ok(())
    })
}
