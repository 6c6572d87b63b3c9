//! `servicenow/change_request.csv`: changes with their approval and, for security-relevant
//! ones, the security review that must not postdate the planned start.

use crate::clock::{AS_OF, AS_OF_DAY, DAY, HOUR, Helsinki, MINUTE, WINDOW_START_DAY};
use crate::out::{self, Row};
use crate::people::role;
use crate::rng::Rng;
use crate::{Ctx, Error};

const HEADER: [&str; 14] = [
    "number",
    "type",
    "state",
    "approval",
    "risk",
    "short_description",
    "requested_by_date",
    "start_date",
    "end_date",
    "closed_at",
    "u_security_relevant",
    "u_security_review",
    "u_security_reviewer",
    "u_security_review_date",
];

/// Changes at scale 1.
const ROWS_AT_SCALE_ONE: u64 = 500_000;
/// Changes in the sample.
const SAMPLE_ROWS: u64 = 200;

const ORDINARY: [&str; 10] = [
    "Upgrade Zabbix monitoring to 7.0",
    "Increase storage on Kubernetes cluster hel-prod-2",
    "Deploy customer portal release",
    "Migrate CRM integration to the new HubSpot API version",
    "Replace UPS batteries in the Helsinki server room",
    "Decommission legacy file server fs01",
    "Upgrade ServiceNow to the next family release",
    "Add new customer tenant to the managed backup platform",
    "Resize reporting database cluster",
    "Move GitLab runners to new build hosts",
];

const SECURITY: [&str; 9] = [
    "Open firewall port 8443 for the customer VPN concentrator",
    "Change Okta sign-on policy for contractors",
    "Rotate service account credentials of the backup platform",
    "Enable DLP policy for customer identifiers in Microsoft 365",
    "Update WAF rules on the customer portal",
    "Grant vendor remote access for SAN firmware upgrade",
    "Upgrade VPN appliance firmware (vendor security advisory)",
    "Change retention and access policy of the log archive bucket",
    "Renew wildcard TLS certificate for customer portal",
];

const STANDARD: [&str; 4] = [
    "Monthly Windows server patching (standard change)",
    "Create customer VM from approved template",
    "Add DNS record for customer subdomain",
    "Apply approved antivirus signature baseline",
];

/// One change request.
#[derive(Debug, Clone)]
pub struct Change {
    number: u64,
    kind: &'static str,
    state: &'static str,
    approval: &'static str,
    risk: &'static str,
    description: &'static str,
    requested_by: i64,
    start: i64,
    end: i64,
    closed: Option<i64>,
    relevant: bool,
    review: Option<&'static str>,
    reviewer: Option<String>,
    review_at: Option<i64>,
}

impl Change {
    /// The change went ahead: the population of the security review and approval checks.
    pub fn went_ahead(&self) -> bool {
        matches!(self.state, "Scheduled" | "Implement" | "Review" | "Closed")
    }
}

/// Change `i` of `n`; `faults` plants missing or late reviews and unapproved changes.
fn change(hel: &Helsinki, seed: u64, i: u64, n: u64, faults: bool) -> Change {
    let mut rng = Rng::derive(seed, 0xC4A9, i);
    let span = AS_OF_DAY + 30 - (WINDOW_START_DAY + 7);
    let day = WINDOW_START_DAY + 7 + (i as i64 * span) / n.max(1) as i64;
    let kind = ["Normal", "Standard", "Emergency"][rng.weighted(&[55, 35, 10])];
    let relevant = kind != "Standard" && rng.chance(450);
    let description = match (kind, relevant) {
        ("Standard", _) => *rng.pick(&STANDARD),
        (_, true) => *rng.pick(&SECURITY),
        _ => *rng.pick(&ORDINARY),
    };
    let start = match kind {
        "Emergency" => hel.at(day, rng.range(7, 21), rng.range(0, 59)),
        "Standard" => hel.at(day, rng.range(8, 15), 5 * rng.range(0, 11)),
        _ => hel.at(day, rng.range(18, 21), 15 * rng.range(0, 3)),
    };
    let end = start + rng.range(2, 16) * 15 * MINUTE;
    let risk = match kind {
        "Standard" => "Low",
        "Emergency" => *rng.pick(&["High", "Very High"]),
        _ if relevant => *rng.pick(&["Moderate", "High"]),
        _ => *rng.pick(&["Low", "Moderate", "Moderate"]),
    };
    let cancelled = kind == "Normal" && rng.chance(40);
    let (state, closed) = if cancelled && start < AS_OF {
        (
            "Canceled",
            Some((start - rng.range(1, 48) * HOUR).min(AS_OF - HOUR)),
        )
    } else if end + 2 * DAY < AS_OF {
        ("Closed", Some((end + rng.range(1, 47) * HOUR).min(AS_OF - HOUR)))
    } else if end < AS_OF {
        ("Review", None)
    } else if start < AS_OF {
        ("Implement", None)
    } else if start - AS_OF > 6 * DAY {
        (*rng.pick(&["New", "Assess", "Authorize"]), None)
    } else {
        ("Scheduled", None)
    };
    let approval = match state {
        "New" | "Assess" => "Not Yet Requested",
        "Authorize" => "Requested",
        "Canceled" => *rng.pick(&["Rejected", "Approved", "Not Yet Requested"]),
        _ if kind == "Standard" && rng.chance(150) => "Not Yet Requested",
        _ => "Approved",
    };
    let reviewed = relevant && (!matches!(state, "New" | "Assess" | "Canceled") || rng.chance(500));
    let went_ahead = matches!(state, "Scheduled" | "Implement" | "Review" | "Closed");
    // Reviews happen in office hours days ahead; emergency ones minutes before the start.
    // The export is taken at as_of, so no review is dated after it: a change that has not
    // gone ahead is simply not reviewed yet, and a scheduled one was reviewed on the last
    // working day before as_of (the Friday; as_of 2026-11-22 is a Sunday).
    let review_at = reviewed
        .then(|| {
            if kind == "Emergency" {
                start - rng.range(10, 90) * MINUTE
            } else {
                hel.at(day - rng.range(1, 6), rng.range(9, 15), rng.range(0, 59))
            }
        })
        .and_then(|at| match (at < AS_OF, went_ahead) {
            (true, _) => Some(at),
            (false, true) => Some(hel.at(AS_OF_DAY - 2, 14, 0).min(start)),
            (false, false) => None,
        });
    let mut c = Change {
        number: 30_001 + i,
        kind,
        state,
        approval,
        risk,
        description,
        requested_by: hel.at(day + rng.range(0, 7), 16, 0),
        start,
        end,
        closed,
        relevant,
        review: review_at.map(|_| {
            if rng.chance(800) {
                "Approved"
            } else {
                "Approved with conditions"
            }
        }),
        reviewer: review_at.map(|_| {
            role(if rng.chance(700) {
                "CISO"
            } else {
                "Quality & Compliance Manager"
            })
        }),
        review_at,
    };
    if faults && c.went_ahead() {
        if c.relevant && rng.chance(40) {
            if rng.chance(500) {
                (c.review, c.reviewer, c.review_at) = (None, None, None);
            } else {
                // Late, but still before the export was taken.
                c.review_at = Some((c.start + rng.range(1, 72) * HOUR).min(AS_OF - MINUTE));
            }
        } else if c.kind != "Standard" && rng.chance(15) {
            c.approval = "Not Yet Requested";
        }
    }
    c
}

impl Change {
    fn write(&self, out: &mut Vec<u8>) {
        Row::new(out)
            .text(&format!("CHG{:07}", self.number))
            .text(self.kind)
            .text(self.state)
            .text(self.approval)
            .text(self.risk)
            .text(self.description)
            .servicenow(Some(self.requested_by))
            .servicenow(Some(self.start))
            .servicenow(Some(self.end))
            .servicenow(self.closed)
            .boolean(self.relevant)
            .opt(self.review)
            .opt(self.reviewer.as_deref())
            .servicenow(self.review_at)
            .end();
    }
}

/// Writes the sample's 200 changes: one closed security-relevant change without a review
/// (the finding) and one reviewed exactly at its start (a boundary).
pub fn write_sample(ctx: &Ctx) -> Result<(), Error> {
    let n = SAMPLE_ROWS;
    let mut changes: Vec<Change> = (0..n).map(|i| change(&ctx.hel, ctx.seed, i, n, false)).collect();
    let mut relevant_closed = changes
        .iter_mut()
        .filter(|c| c.relevant && c.state == "Closed" && c.kind == "Normal");
    if let Some(c) = relevant_closed.nth(11) {
        (c.review, c.reviewer, c.review_at) = (None, None, None);
    }
    if let Some(c) = relevant_closed.nth(7) {
        c.review_at = Some(c.start);
    }
    let mut buf = Vec::new();
    out::header(&mut buf, &HEADER);
    for c in &changes {
        c.write(&mut buf);
    }
    out::write_all(&ctx.path("servicenow/change_request.csv"), &buf)
}

/// Writes the scaled change export.
pub fn write_scaled(ctx: &Ctx) -> Result<(), Error> {
    let n = ctx.rows(ROWS_AT_SCALE_ONE);
    let mut head = Vec::new();
    out::header(&mut head, &HEADER);
    out::write_chunked(
        &ctx.path("servicenow/change_request.csv"),
        &head,
        n,
        b"",
        |from, to, buf| {
            for i in from..to {
                change(&ctx.hel, ctx.seed, i, n, true).write(buf);
            }
            Ok(())
        },
    )
}
