//! `lms/training-completions.csv`: the LMS completion report of active users (UTF-8 with a
//! byte-order mark, as LMS exports for Excel are).

use crate::clock::{AS_OF_DAY, WINDOW_START_DAY, days_from_civil as d};
use crate::out::{self, Row};
use crate::people::{Person, SALES, Staff, scaled_email, scaled_person};
use crate::rng::Rng;
use crate::{Ctx, Error};

const HEADER: [&str; 12] = [
    "User ID",
    "User Name",
    "Email",
    "Department",
    "Course ID",
    "Course Title",
    "Mandatory",
    "Assigned Date",
    "Due Date",
    "Completion Date",
    "Status",
    "Score",
];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Training rows at scale 1.
const ROWS_AT_SCALE_ONE: u64 = 2_000_000;

/// Who a course is assigned to: every department (`None`) or the listed ones.
type Audience = Option<&'static [usize]>;

/// A course and its assignment campaigns `(assigned, due)`.
pub struct Course {
    /// LMS course id.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Mandatory training counts towards the 95 % target.
    pub mandatory: bool,
    audience: Audience,
    campaigns: &'static [(i64, i64)],
}

/// The awareness course that every current employee takes once a year.
pub const AWARENESS: &str = "IMS-AWR";

/// The catalogue. Awareness runs once a year, so each employee has exactly one awareness
/// row in the export (the export covers assignments of the last 18 months).
pub const COURSES: [Course; 14] = [
    Course {
        id: AWARENESS,
        title: "Integrated management system and information security awareness",
        mandatory: true,
        audience: None,
        campaigns: &[(d(2026, 1, 12), d(2026, 2, 27))],
    },
    Course {
        id: "SEC-PHISH",
        title: "Phishing and social engineering",
        mandatory: true,
        audience: None,
        campaigns: &[(d(2025, 9, 1), d(2025, 9, 30)), (d(2026, 9, 1), d(2026, 9, 30))],
    },
    Course {
        id: "GDPR-101",
        title: "Data protection essentials (GDPR)",
        mandatory: true,
        audience: None,
        campaigns: &[(d(2025, 6, 2), d(2025, 6, 30))],
    },
    Course {
        id: "BCM-101",
        title: "Business continuity: your role in a disruption",
        mandatory: true,
        audience: None,
        campaigns: &[(d(2025, 10, 6), d(2025, 10, 31))],
    },
    Course {
        id: "AI-101",
        title: "Responsible use of AI tools",
        mandatory: true,
        audience: None,
        campaigns: &[(d(2026, 3, 2), d(2026, 3, 31))],
    },
    Course {
        id: "QMS-CC",
        title: "Handling customer complaints",
        mandatory: true,
        audience: Some(&[2, 4, 5]),
        campaigns: &[(d(2025, 8, 18), d(2025, 9, 15))],
    },
    Course {
        id: "ITSM-MI",
        title: "Incident and major incident management",
        mandatory: true,
        audience: Some(&[1, 2, 3]),
        campaigns: &[(d(2025, 7, 7), d(2025, 8, 29))],
    },
    Course {
        id: "SEC-DEV",
        title: "Secure development (OWASP Top 10)",
        mandatory: true,
        audience: Some(&[1]),
        campaigns: &[(d(2026, 4, 6), d(2026, 5, 15))],
    },
    Course {
        id: "ABC-101",
        title: "Anti-bribery and ethical selling",
        mandatory: true,
        audience: Some(&[0, 4]),
        campaigns: &[(d(2026, 5, 4), d(2026, 5, 29))],
    },
    Course {
        id: "ITIL4-F",
        title: "ITIL 4 Foundation",
        mandatory: false,
        audience: Some(&[2, 3]),
        campaigns: &[(d(2025, 11, 3), d(2026, 1, 30))],
    },
    Course {
        id: "AWS-CP",
        title: "AWS Cloud Practitioner",
        mandatory: false,
        audience: Some(&[1, 3]),
        campaigns: &[(d(2026, 2, 2), d(2026, 4, 30))],
    },
    Course {
        id: "LEAD-01",
        title: "Leadership essentials",
        mandatory: false,
        audience: Some(&[0, 6, 7, 9]),
        campaigns: &[(d(2025, 10, 1), d(2025, 12, 19))],
    },
    Course {
        id: "NEG-01",
        title: "Negotiation skills",
        mandatory: false,
        audience: Some(&[4, 5]),
        campaigns: &[(d(2026, 2, 9), d(2026, 3, 31))],
    },
    Course {
        id: "XL-FIN",
        title: "Excel for finance professionals",
        mandatory: false,
        audience: Some(&[6, 8]),
        campaigns: &[(d(2025, 9, 15), d(2025, 10, 31))],
    },
];

/// One assignment.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// Index into [`COURSES`].
    pub course: usize,
    /// Assigned day.
    pub assigned: i64,
    /// Due day.
    pub due: i64,
    /// Completion day.
    pub completed: Option<i64>,
    /// Quiz score when completed.
    pub score: Option<i64>,
}

impl Assignment {
    /// Compliant with the target: completed no later than due.
    pub fn on_time(&self) -> bool {
        self.completed.is_some_and(|c| c <= self.due)
    }

    fn status(&self) -> &'static str {
        match self.completed {
            Some(_) => "Completed",
            None if self.due < AS_OF_DAY => "Overdue",
            None if self.assigned + 3 >= AS_OF_DAY => "Not Started",
            None => "In Progress",
        }
    }
}

fn course(i: usize) -> &'static Course {
    &COURSES[i.min(COURSES.len() - 1)]
}

/// Writes one LMS record; `email` is passed in so the scaled population can number it.
fn put(out: &mut Vec<u8>, p: &Person, email: &str, a: &Assignment) {
    let c = course(a.course);
    Row::new(out)
        .text(&format!("U{}", p.number))
        .text(&p.name())
        .text(email)
        .text(p.dept_name())
        .text(c.id)
        .text(c.title)
        .yes_no(c.mandatory)
        .date(Some(a.assigned))
        .date(Some(a.due))
        .date(a.completed)
        .text(a.status())
        .opt(a.score.map(|s| s.to_string()).as_deref())
        .end();
}

/// A completed, on-time assignment (or one still open when it is not yet due).
fn on_time(rng: &mut Rng, course: usize, assigned: i64, due: i64) -> Assignment {
    let last = due.min(AS_OF_DAY - 1);
    let completed = (assigned < last).then(|| rng.range(assigned + 1, last));
    let completed = completed.filter(|_| due < AS_OF_DAY || rng.chance(600));
    Assignment {
        course,
        assigned,
        due,
        completed,
        score: completed.map(|_| rng.range(72, 100)),
    }
}

/// Every assignment of one employee: each campaign since they joined; a joiner who missed
/// every campaign of a mandatory course takes it as onboarding (awareness in the first days).
fn assignments(rng: &mut Rng, p: &Person) -> Vec<Assignment> {
    let mut v = Vec::new();
    for (ci, c) in COURSES.iter().enumerate() {
        if c.audience.is_some_and(|a| !a.contains(&p.dept)) || (!c.mandatory && !rng.chance(600)) {
            continue;
        }
        for &(assigned, due) in c.campaigns.iter().filter(|x| x.0 >= p.hired) {
            v.push(on_time(rng, ci, assigned, due));
        }
        let last_campaign = c.campaigns.iter().map(|x| x.0).max().unwrap_or(0);
        if c.mandatory && p.hired > last_campaign && p.hired >= WINDOW_START_DAY {
            let days = if c.id == AWARENESS { 14 } else { 21 };
            let mut a = on_time(rng, ci, p.hired, p.hired + days);
            if c.id == AWARENESS {
                a.completed = Some((p.hired + 2).min(AS_OF_DAY - 1));
                a.score = Some(rng.range(80, 100));
            }
            v.push(a);
        }
    }
    v
}

/// Makes an assignment non-compliant: completed late or never.
fn make_late(rng: &mut Rng, a: &mut Assignment, never: bool) {
    if never {
        a.completed = None;
        a.score = None;
    } else {
        let c = (a.due + rng.range(2, 14)).min(AS_OF_DAY - 1);
        a.completed = Some(c);
        a.score = Some(rng.range(70, 95));
    }
}

/// The sample: Sales ends at 82/88 (93.2 %), every other department at 95 % or more.
pub fn write_sample(ctx: &Ctx, staff: &Staff) -> Result<(), Error> {
    let mut rng = Rng::derive(ctx.seed, 0x7A1, 0);
    // (department, how many completed late, how many never completed)
    let plan: [(usize, usize, usize); 4] = [(SALES, 3, 3), (1, 4, 0), (2, 2, 0), (3, 1, 1)];
    let mut people: Vec<(&Person, Vec<Assignment>)> = staff
        .current
        .iter()
        .map(|p| (p, assignments(&mut rng, p)))
        .collect();
    for (dept, late, never) in plan {
        let mut slots: Vec<(usize, usize)> = Vec::new();
        for (pi, (p, asg)) in people.iter().enumerate() {
            if p.dept != dept {
                continue;
            }
            for (ai, a) in asg.iter().enumerate() {
                let c = course(a.course);
                if c.mandatory && c.id != AWARENESS && a.due < AS_OF_DAY - 30 && a.on_time() {
                    slots.push((pi, ai));
                }
            }
        }
        // Spread the misses over different people: take every k-th eligible slot.
        let want = late + never;
        let step = (slots.len() / want.max(1)).max(1);
        for (n, (pi, ai)) in slots.iter().step_by(step).take(want).enumerate() {
            if let Some(a) = people.get_mut(*pi).and_then(|(_, v)| v.get_mut(*ai)) {
                make_late(&mut rng, a, n >= late);
            }
        }
    }
    let mut buf = BOM.to_vec();
    out::header(&mut buf, &HEADER);
    for (p, asg) in &mut people {
        asg.sort_by_key(|a| (a.assigned, a.course));
        let email = p.email();
        for a in asg.iter() {
            put(&mut buf, p, &email, a);
        }
    }
    out::write_all(&ctx.path("lms/training-completions.csv"), &buf)
}

/// Courses of the ten rows each person has at scale: six for everyone, one by department,
/// three optional.
const SCALE_SLOTS: [usize; 10] = [0, 1, 1, 2, 3, 4, 5, 9, 10, 12];

/// Writes the scaled LMS report: ten rows a person, about 3 % of mandatory ones missed
/// (7 % in Sales), a few awareness courses never taken.
pub fn write_scaled(ctx: &Ctx) -> Result<(), Error> {
    let n = ctx.rows(ROWS_AT_SCALE_ONE);
    let mut head = BOM.to_vec();
    out::header(&mut head, &HEADER);
    out::write_chunked(
        &ctx.path("lms/training-completions.csv"),
        &head,
        n,
        b"",
        |from, to, buf| {
            let mut cached: Option<(u64, Person, String)> = None;
            for r in from..to {
                let u = r / 10;
                let slot = (r % 10) as usize;
                if cached.as_ref().is_none_or(|c| c.0 != u) {
                    let p = scaled_person(ctx.seed, u);
                    let e = scaled_email(&p);
                    cached = Some((u, p, e));
                }
                let Some((_, p, email)) = cached.as_ref() else {
                    continue;
                };
                let mut rng = Rng::derive(ctx.seed, 0x7A1, r + 1);
                let mut ci = SCALE_SLOTS[slot];
                if slot == 6 {
                    ci = match p.dept {
                        1 => 7,
                        2 | 5 => 5,
                        3 => 6,
                        0 | 4 => 8,
                        _ => 13,
                    };
                }
                let c = course(ci);
                let campaign = if slot == 2 {
                    c.campaigns.last()
                } else {
                    c.campaigns.first()
                };
                let &(assigned, due) = campaign.unwrap_or(&(AS_OF_DAY - 60, AS_OF_DAY - 30));
                let mut a = on_time(&mut rng, ci, assigned, due);
                let miss = if p.dept == SALES { 70 } else { 28 };
                if c.id == AWARENESS {
                    if rng.chance(5) {
                        make_late(&mut rng, &mut a, true);
                    }
                } else if (!c.mandatory && rng.chance(150)) || (c.mandatory && rng.chance(miss)) {
                    let never = rng.chance(400);
                    make_late(&mut rng, &mut a, never);
                }
                put(buf, p, email, &a);
            }
            Ok(())
        },
    )
}
