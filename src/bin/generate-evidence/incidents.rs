//! `servicenow/incident.csv` and `servicenow/sn_si_incident.csv`: ITSM incidents (slowly
//! decreasing over the window, so the quarterly trend holds) and the security incident
//! records that security-flagged incidents escalate to.

use rayon::prelude::*;

use crate::clock::{AS_OF, DAY, HOUR, MINUTE, WINDOW_START_DAY};
use crate::out::{self, Row};
use crate::rng::Rng;
use crate::{Ctx, Error};

const INCIDENT_HEADER: [&str; 14] = [
    "number",
    "opened_at",
    "resolved_at",
    "closed_at",
    "priority",
    "state",
    "category",
    "subcategory",
    "short_description",
    "assignment_group",
    "u_security_incident",
    "u_major_incident",
    "problem_id",
    "u_customer_impact",
];

const SIR_HEADER: [&str; 10] = [
    "number",
    "parent_incident",
    "opened_at",
    "contained_at",
    "closed_at",
    "state",
    "priority",
    "category",
    "short_description",
    "lessons_learned",
];

/// Incidents at scale 1.
const INCIDENTS_AT_SCALE_ONE: u64 = 1_000_000;
/// Incidents in the sample.
const SAMPLE_INCIDENTS: u64 = 420;

/// ServiceNow priority labels, P1 first.
pub const PRIORITIES: [&str; 5] = [
    "1 - Critical",
    "2 - High",
    "3 - Moderate",
    "4 - Low",
    "5 - Planning",
];

/// `(category, subcategory, assignment group, short descriptions)` of ordinary incidents.
const KINDS: [(&str, &str, &str, &[&str]); 10] = [
    (
        "Software",
        "Application error",
        "Application Support",
        &[
            "Customer portal returns HTTP 500 on invoice page",
            "ServiceNow form fails to save attachments",
            "Error when exporting report to PDF",
        ],
    ),
    (
        "Software",
        "Login issue",
        "Service Desk",
        &[
            "User cannot sign in to Microsoft 365",
            "SSO loop when opening Jira",
            "MFA push not received",
        ],
    ),
    (
        "Software",
        "Performance",
        "Application Support",
        &[
            "Customer portal slow for Finnish customers",
            "CRM search takes over 30 s",
        ],
    ),
    (
        "Hardware",
        "Laptop",
        "Service Desk",
        &[
            "Laptop does not boot after update",
            "Docking station not detected",
            "Laptop battery swelling",
        ],
    ),
    (
        "Hardware",
        "Server",
        "Cloud Operations",
        &[
            "Disk failure on hel-prod-2 node",
            "Memory errors reported on backup proxy",
        ],
    ),
    (
        "Network",
        "VPN",
        "Network Team",
        &[
            "VPN disconnects every 10 minutes",
            "Customer site-to-site VPN down",
        ],
    ),
    (
        "Network",
        "DNS",
        "Network Team",
        &[
            "Internal DNS resolution failing for *.kuura.local",
            "Customer domain not resolving after change",
        ],
    ),
    (
        "Network",
        "Wi-Fi",
        "Service Desk",
        &[
            "Office Wi-Fi drops on 3rd floor",
            "Guest Wi-Fi portal not loading",
        ],
    ),
    (
        "Database",
        "Performance",
        "Database Team",
        &[
            "Reporting database CPU at 100 %",
            "Replication lag on customer database cluster",
        ],
    ),
    (
        "Inquiry / Help",
        "How-to",
        "Service Desk",
        &[
            "How to share a Teams recording with a customer",
            "Request for VPN client on new laptop",
            "How to reset Okta Verify",
        ],
    ),
];

/// Security subcategories: `(subcategory, short description, lessons learned)`.
const SECURITY: [(&str, &str, &str); 6] = [
    (
        "Phishing",
        "Phishing e-mail reported by several users",
        "Phishing simulation scheduled for the affected team; mail filter rule added for the sender domain.",
    ),
    (
        "Malware",
        "Endpoint protection quarantined malware on a laptop",
        "Local admin rights removed from the affected user group; EDR policy tightened.",
    ),
    (
        "Unauthorized access",
        "Suspicious sign-in to Microsoft 365 from abroad",
        "Conditional access now blocks legacy authentication; impossible-travel alert tuned.",
    ),
    (
        "Data leak",
        "Customer file shared with an external address by mistake",
        "DLP rule for customer identifiers added; sharing defaults changed to internal only.",
    ),
    (
        "Lost device",
        "Company phone lost on public transport",
        "Remote wipe runbook shortened; MDM compliance check added to onboarding.",
    ),
    (
        "Vulnerability",
        "Critical vulnerability exploited attempt on VPN appliance",
        "Emergency patch process documented; external attack-surface scan now weekly.",
    ),
];

/// One ITSM incident.
#[derive(Debug, Clone)]
pub struct Incident {
    number: u64,
    opened: i64,
    resolved: Option<i64>,
    closed: Option<i64>,
    priority: usize,
    state: &'static str,
    category: &'static str,
    subcategory: &'static str,
    description: &'static str,
    group: &'static str,
    security: Option<usize>,
    major: bool,
    problem: Option<u64>,
    customer_impact: bool,
    /// Has a security incident record (false only for planted escalation misses).
    escalated: bool,
}

/// When incident `i` of `n` was opened: the rate falls linearly to 60 % over the window.
fn opened_at(seed: u64, i: u64, n: u64) -> i64 {
    let start = WINDOW_START_DAY * DAY;
    let span = (AS_OF - start - HOUR) as f64;
    let jitter = Rng::derive(seed, 0x1AC0, i).below(1_000) as f64 / 1_000.0;
    let u = (i as f64 + jitter) / n.max(1) as f64;
    let a = 0.4;
    let x = (1.0 - (1.0 - 2.0 * a * u * (1.0 - a / 2.0)).sqrt()) / a;
    start + (x * span) as i64
}

/// Incident `i` of `n`; `faults` plants failures at realistic rates (scaled sets only).
fn incident(seed: u64, i: u64, n: u64, faults: bool) -> Incident {
    let mut rng = Rng::derive(seed, 0x1AC1, i);
    let opened = opened_at(seed, i, n);
    let mut priority = rng.weighted(&[20, 80, 400, 400, 100]);
    let security = rng.chance(94).then(|| rng.below(SECURITY.len() as u64) as usize);
    if security.is_some() {
        priority = priority.clamp(1, 3);
    }
    let (category, subcategory, group, texts) = KINDS[rng.below(KINDS.len() as u64) as usize];
    let (category, subcategory, group, description) = match security {
        Some(s) => ("Security", SECURITY[s].0, "Security Operations", SECURITY[s].1),
        None => (category, subcategory, group, *rng.pick(texts)),
    };
    let late = faults && priority <= 1 && rng.chance(50);
    let minutes = match priority {
        0 if late => rng.range(4 * 60 + 1, 9 * 60),
        0 => rng.range(30, 3 * 60 + 50),
        1 if late => rng.range(24 * 60 + 1, 60 * 60),
        1 => rng.range(60, 22 * 60),
        2 => rng.range(2 * 60, 5 * 24 * 60),
        3 => rng.range(4 * 60, 10 * 24 * 60),
        _ => rng.range(24 * 60, 20 * 24 * 60),
    };
    let resolve_at = opened + minutes * MINUTE + rng.range(0, 59);
    // The sample keeps every P1/P2 resolved: an open one would count against the SLA.
    if !faults && priority <= 1 && resolve_at >= AS_OF {
        priority = 2;
    }
    let major = priority == 0 && rng.chance(600);
    let cancelled = priority >= 3 && security.is_none() && rng.chance(10);
    let (resolved, closed, state) = if cancelled {
        (None, Some((opened + DAY).min(AS_OF - 1)), "Canceled")
    } else if resolve_at < AS_OF {
        let close_at = resolve_at + 3 * DAY;
        if close_at < AS_OF {
            (Some(resolve_at), Some(close_at), "Closed")
        } else {
            (Some(resolve_at), None, "Resolved")
        }
    } else if AS_OF - opened < 2 * HOUR {
        (None, None, "New")
    } else {
        (None, None, *rng.pick(&["In Progress", "In Progress", "On Hold"]))
    };
    let recurring = priority <= 2 && rng.chance(50);
    let problem = (major || recurring).then(|| 40_001 + i / 8);
    let problem = if faults && major && rng.chance(40) {
        None
    } else {
        problem
    };
    let escalated = !(faults && security.is_some() && rng.chance(20));
    Incident {
        number: 10_001 + i,
        opened,
        resolved,
        closed,
        priority,
        state,
        category,
        subcategory,
        description,
        group,
        security,
        major,
        problem,
        customer_impact: priority <= 1 || rng.chance(200),
        escalated,
    }
}

impl Incident {
    fn write(&self, out: &mut Vec<u8>) {
        Row::new(out)
            .text(&format!("INC{:07}", self.number))
            .servicenow(Some(self.opened))
            .servicenow(self.resolved)
            .servicenow(self.closed)
            .text(PRIORITIES[self.priority.min(4)])
            .text(self.state)
            .text(self.category)
            .text(self.subcategory)
            .text(self.description)
            .text(self.group)
            .boolean(self.security.is_some())
            .boolean(self.major)
            .opt(self.problem.map(|p| format!("PRB{p:07}")).as_deref())
            .boolean(self.customer_impact)
            .end();
    }
}

/// One security incident record.
struct Sir {
    number: u64,
    parent: Option<u64>,
    opened: i64,
    contained: Option<i64>,
    closed: Option<i64>,
    state: &'static str,
    priority: usize,
    kind: usize,
    lessons: bool,
}

/// The security incident record escalated from `parent` (or found by the SOC directly when
/// `standalone`); `faults` leaves some closed ones without lessons learned.
fn sir(seed: u64, p: u64, parent: &Incident, standalone: bool, faults: bool) -> Sir {
    let mut rng = Rng::derive(seed, 0x51E, p);
    let opened = parent.opened + rng.range(5, 60) * MINUTE + if standalone { 2 * HOUR } else { 0 };
    let contained = opened + rng.range(1, 12 * 60) * MINUTE;
    let closed = contained + rng.range(2, 20) * DAY;
    let (contained, closed, state) = if closed < AS_OF {
        (Some(contained), Some(closed), "Closed")
    } else if contained < AS_OF {
        (
            Some(contained),
            None,
            *rng.pick(&["Eradicate", "Recover", "Review"]),
        )
    } else {
        (None, None, "Analysis")
    };
    let kind = match parent.security {
        Some(k) if !standalone => k,
        _ => rng.below(SECURITY.len() as u64) as usize,
    };
    Sir {
        number: 10_001 + p,
        parent: (!standalone).then_some(parent.number),
        opened: opened.min(AS_OF - MINUTE),
        contained,
        closed,
        state,
        priority: if standalone { 2 } else { parent.priority },
        kind,
        lessons: closed.is_some() && !(faults && rng.chance(30)),
    }
}

impl Sir {
    fn write(&self, out: &mut Vec<u8>) {
        let (category, description, lessons) = SECURITY[self.kind.min(SECURITY.len() - 1)];
        let description = if self.parent.is_none() {
            "SIEM alert: suspicious activity detected by the SOC"
        } else {
            description
        };
        Row::new(out)
            .text(&format!("SIR{:07}", self.number))
            .opt(self.parent.map(|p| format!("INC{p:07}")).as_deref())
            .servicenow(Some(self.opened))
            .servicenow(self.contained)
            .servicenow(self.closed)
            .text(self.state)
            .text(PRIORITIES[self.priority.min(4)])
            .text(category)
            .text(description)
            .text(if self.lessons { lessons } else { "" })
            .end();
    }
}

/// Security incident records come in groups of 12: 11 escalated ones, then one the SOC
/// found without an ITSM incident.
const GROUP: u64 = 12;

fn sir_count(escalated: u64) -> u64 {
    escalated / (GROUP - 1) * GROUP + escalated % (GROUP - 1)
}

/// Position `p` of the SIR list: `(index into escalated incidents, standalone)`.
fn sir_slot(p: u64) -> (u64, bool) {
    let (g, r) = (p / GROUP, p % GROUP);
    if r < GROUP - 1 {
        (g * (GROUP - 1) + r, false)
    } else {
        (g * (GROUP - 1) + GROUP - 2, true)
    }
}

/// Writes the sample: 420 incidents, about 40 security incidents, with the planted
/// findings (a major incident without a problem record, a closed security incident
/// without lessons learned) and SLA boundaries.
pub fn write_sample(ctx: &Ctx) -> Result<(), Error> {
    let n = SAMPLE_INCIDENTS;
    let mut incidents: Vec<Incident> = (0..n).map(|i| incident(ctx.seed, i, n, false)).collect();
    // Two P2s resolved late: 93 %+ of P1/P2 stay within target.
    for (k, extra) in [(0usize, 27 * HOUR + 12 * MINUTE), (1, 31 * HOUR + 40 * MINUTE)] {
        if let Some(x) = incidents
            .iter_mut()
            .filter(|x| x.priority == 1 && x.closed.is_some() && x.security.is_none())
            .nth(3 + 7 * k)
        {
            let r = x.opened + extra;
            x.resolved = Some(r);
            x.closed = Some(r + 3 * DAY);
        }
    }
    // Boundaries: a P1 resolved in exactly 4 h, a P2 in exactly 24 h.
    for (prio, limit, nth) in [(0usize, 4 * HOUR, 0), (1, 24 * HOUR, 1)] {
        if let Some(x) = incidents
            .iter_mut()
            .filter(|x| x.priority == prio && x.closed.is_some())
            .nth(nth)
        {
            x.resolved = Some(x.opened + limit);
            x.closed = Some(x.opened + limit + 3 * DAY);
        }
    }
    // The most recent major incident has no problem record.
    if let Some(x) = incidents.iter_mut().rev().find(|x| x.major && x.closed.is_some()) {
        x.problem = None;
    }
    let mut buf = Vec::new();
    out::header(&mut buf, &INCIDENT_HEADER);
    for x in &incidents {
        x.write(&mut buf);
    }
    out::write_all(&ctx.path("servicenow/incident.csv"), &buf)?;

    let escalated: Vec<&Incident> = incidents.iter().filter(|x| x.security.is_some()).collect();
    let mut sirs: Vec<Sir> = (0..sir_count(escalated.len() as u64))
        .filter_map(|p| {
            let (k, standalone) = sir_slot(p);
            escalated
                .get(k as usize)
                .map(|x| sir(ctx.seed, p, x, standalone, false))
        })
        .collect();
    // One closed security incident without lessons learned.
    if let Some(s) = sirs
        .iter_mut()
        .filter(|s| s.closed.is_some() && s.parent.is_some())
        .nth(9)
    {
        s.lessons = false;
    }
    let mut buf = Vec::new();
    out::header(&mut buf, &SIR_HEADER);
    for s in &sirs {
        s.write(&mut buf);
    }
    out::write_all(&ctx.path("servicenow/sn_si_incident.csv"), &buf)
}

/// Writes the scaled incident and security incident exports.
pub fn write_scaled(ctx: &Ctx) -> Result<(), Error> {
    let n = ctx.rows(INCIDENTS_AT_SCALE_ONE);
    let seed = ctx.seed;
    let mut head = Vec::new();
    out::header(&mut head, &INCIDENT_HEADER);
    out::write_chunked(
        &ctx.path("servicenow/incident.csv"),
        &head,
        n,
        b"",
        |from, to, buf| {
            for i in from..to {
                incident(seed, i, n, true).write(buf);
            }
            Ok(())
        },
    )?;
    // Which incidents escalated: one cheap pass, then each record is rebuilt on demand.
    let escalated: Vec<u64> = (0..n)
        .into_par_iter()
        .filter(|&i| {
            let x = incident(seed, i, n, true);
            x.security.is_some() && x.escalated
        })
        .collect();
    let mut head = Vec::new();
    out::header(&mut head, &SIR_HEADER);
    out::write_chunked(
        &ctx.path("servicenow/sn_si_incident.csv"),
        &head,
        sir_count(escalated.len() as u64),
        b"",
        |from, to, buf| {
            for p in from..to {
                let (k, standalone) = sir_slot(p);
                if let Some(&i) = escalated.get(k as usize) {
                    sir(seed, p, &incident(seed, i, n, true), standalone, true).write(buf);
                }
            }
            Ok(())
        },
    )
}
