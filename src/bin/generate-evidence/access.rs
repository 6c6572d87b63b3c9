//! `hr/leavers.csv` and `iam/okta-system-log.json`: who left (Helsinki wall clock) and
//! what the identity provider logged (UTC, milliseconds). Most Okta events are noise; the
//! deactivations of leavers are merged into the stream in time order.

use crate::clock::{AS_OF, DAY, HOUR, MINUTE, WINDOW_START_DAY, days_from_civil as d};
use crate::okta::{self, Principal};
use crate::out::{self, Row};
use crate::people::{DOMAIN, Person, Staff, head_of, scaled_email, scaled_person};
use crate::rng::Rng;
use crate::{Ctx, Error};

const HEADER: [&str; 8] = [
    "Employee ID",
    "First Name",
    "Last Name",
    "Work Email",
    "Department",
    "Manager",
    "Termination Date",
    "Termination Type",
];

/// Leavers at scale 1.
const LEAVERS_AT_SCALE_ONE: u64 = 50_000;
/// Okta events at scale 1.
const EVENTS_AT_SCALE_ONE: u64 = 2_000_000;
/// Noise events in the sample.
const SAMPLE_NOISE: u64 = 380;

/// What the identity team did after a termination.
#[derive(Debug, Clone, Copy)]
pub enum Revocation {
    /// Deactivated after the delay (seconds); `auto` when the HR-driven workflow did it.
    Deactivated { after: i64, auto: bool },
    /// Suspended in time, deactivated only later.
    SuspendedFirst { suspend: i64, deactivate: i64 },
    /// Never deactivated; the account was even used again after the delay.
    Never { login_after: i64 },
    /// Not yet due at export time.
    Pending,
}

/// One leaver.
#[derive(Debug, Clone)]
pub struct Leaver {
    /// The employee.
    pub person: Person,
    /// Work e-mail as HR typed it (case may differ from the Okta login).
    pub hr_email: String,
    /// Okta login as Okta logged it.
    pub okta_login: String,
    /// Termination on the Helsinki wall clock (seconds counted as if UTC).
    pub local: i64,
    /// Termination type.
    pub kind: &'static str,
    /// What happened to the account.
    pub revocation: Revocation,
}

/// A lifecycle event about a leaver, to be merged into the noise.
#[derive(Debug, Clone)]
struct LifeEvent {
    ts_ms: i64,
    event_type: &'static str,
    leaver: usize,
    auto: bool,
}

const RESIGNATION: &str = "Resignation";

/// The sample's leavers: 16 in the population, 3 of them deliberate findings.
pub fn sample_leavers(staff: &Staff) -> Vec<Leaver> {
    use Revocation::{Deactivated, Never, Pending, SuspendedFirst};
    let plan: [(i64, i64, i64, usize, &str, Revocation); 18] = [
        (
            d(2025, 6, 13),
            16,
            0,
            1,
            RESIGNATION,
            Deactivated {
                after: HOUR + 50 * MINUTE,
                auto: false,
            },
        ),
        (
            d(2025, 7, 31),
            17,
            0,
            2,
            "End of fixed-term contract",
            Deactivated {
                after: 15 * HOUR,
                auto: false,
            },
        ),
        (
            d(2025, 8, 29),
            16,
            30,
            8,
            RESIGNATION,
            Deactivated {
                after: 40 * MINUTE,
                auto: true,
            },
        ),
        (
            d(2025, 10, 24),
            17,
            0,
            3,
            RESIGNATION,
            Deactivated {
                after: 5 * MINUTE,
                auto: true,
            },
        ),
        (
            d(2025, 11, 28),
            17,
            0,
            4,
            "Dismissal",
            Deactivated {
                after: 24 * HOUR,
                auto: false,
            },
        ),
        (
            d(2026, 1, 16),
            16,
            0,
            5,
            RESIGNATION,
            Deactivated {
                after: 31 * HOUR,
                auto: false,
            },
        ),
        (
            d(2026, 2, 27),
            17,
            0,
            1,
            RESIGNATION,
            Deactivated {
                after: 30 * MINUTE,
                auto: true,
            },
        ),
        (
            d(2026, 3, 30),
            17,
            0,
            6,
            "Retirement",
            Deactivated {
                after: 40 * MINUTE,
                auto: true,
            },
        ),
        (
            d(2026, 4, 30),
            12,
            0,
            2,
            "Mutual agreement",
            Deactivated {
                after: 3 * HOUR,
                auto: false,
            },
        ),
        (
            d(2026, 5, 29),
            17,
            0,
            1,
            RESIGNATION,
            SuspendedFirst {
                suspend: HOUR,
                deactivate: 6 * DAY + 17 * HOUR,
            },
        ),
        (
            d(2026, 6, 30),
            17,
            0,
            3,
            "End of fixed-term contract",
            Deactivated {
                after: 23 * HOUR + 59 * MINUTE,
                auto: false,
            },
        ),
        (
            d(2026, 8, 14),
            16,
            0,
            4,
            RESIGNATION,
            Never {
                login_after: 2 * DAY + 16 * HOUR + 12 * MINUTE,
            },
        ),
        (
            d(2026, 9, 30),
            17,
            0,
            1,
            RESIGNATION,
            Deactivated {
                after: 10 * MINUTE,
                auto: true,
            },
        ),
        (
            d(2026, 10, 23),
            17,
            0,
            2,
            RESIGNATION,
            Deactivated {
                after: 16 * HOUR,
                auto: false,
            },
        ),
        (
            d(2026, 10, 30),
            17,
            0,
            8,
            "Dismissal",
            Deactivated {
                after: 20 * MINUTE,
                auto: true,
            },
        ),
        (
            d(2026, 11, 20),
            16,
            0,
            1,
            RESIGNATION,
            Deactivated {
                after: 2 * HOUR,
                auto: true,
            },
        ),
        (d(2026, 11, 21), 17, 0, 5, RESIGNATION, Pending),
        (d(2026, 12, 31), 17, 0, 1, "End of fixed-term contract", Pending),
    ];
    plan.iter()
        .enumerate()
        .map(|(i, &(day, hh, mm, dept, kind, revocation))| {
            let (first, last) = staff.leaver_names.get(i).cloned().unwrap_or_default();
            let person = Person {
                number: 640 + 17 * i as u64,
                first,
                last,
                dept,
                hired: d(2019, 3, 1),
            };
            let login = person.email();
            // HR typed one address with capitals; Okta logged another login with capitals.
            let hr_email = if i == 12 {
                capitalised(&person)
            } else {
                login.clone()
            };
            let okta_login = if i == 2 { capitalised(&person) } else { login };
            Leaver {
                person,
                hr_email,
                okta_login,
                local: day * DAY + hh * HOUR + mm * MINUTE,
                kind,
                revocation,
            }
        })
        .collect()
}

/// `Mikko.Virtanen@kuurasystems.fi`.
fn capitalised(p: &Person) -> String {
    let cap = |s: &str| {
        let f = crate::people::fold(s);
        let mut c = f.chars();
        c.next()
            .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    format!("{}.{}@{DOMAIN}", cap(&p.first), cap(&p.last))
}

fn put_leaver(out: &mut Vec<u8>, l: &Leaver) {
    let p = &l.person;
    Row::new(out)
        .text(&format!("E{:04}", p.number))
        .text(&p.first)
        .text(&p.last)
        .text(&l.hr_email)
        .text(p.dept_name())
        .text(&head_of(p.dept))
        .hr(l.local)
        .text(l.kind)
        .end();
}

/// The lifecycle events of the leavers, sorted by time; none after the export (as_of).
fn life_events(ctx: &Ctx, leavers: &[Leaver]) -> Vec<LifeEvent> {
    let mut v = Vec::new();
    for (i, l) in leavers.iter().enumerate() {
        let term = ctx.hel.to_utc(l.local);
        let mut rng = Rng::derive(ctx.seed, 0x1EA7, i as u64);
        // The exact 24 h boundary keeps .000; others get the milliseconds a log has.
        let ms = |rng: &mut Rng, s: i64| {
            s * 1000
                + if s == term + 24 * HOUR {
                    0
                } else {
                    rng.range(0, 999)
                }
        };
        let mut push = |ts_ms: i64, event_type, auto| {
            if ts_ms < AS_OF * 1000 {
                v.push(LifeEvent {
                    ts_ms,
                    event_type,
                    leaver: i,
                    auto,
                });
            }
        };
        match l.revocation {
            Revocation::Deactivated { after, auto } => {
                push(ms(&mut rng, term + after), "user.lifecycle.deactivate", auto);
            }
            Revocation::SuspendedFirst { suspend, deactivate } => {
                push(ms(&mut rng, term + suspend), "user.lifecycle.suspend", false);
                push(
                    ms(&mut rng, term + deactivate),
                    "user.lifecycle.deactivate",
                    false,
                );
            }
            Revocation::Never { login_after } => {
                push(
                    ms(&mut rng, term + login_after) + 417,
                    "user.session.start",
                    false,
                );
            }
            Revocation::Pending => {}
        }
    }
    v.sort_by_key(|e| (e.ts_ms, e.leaver));
    v
}

/// Who the noise is about: for the sample, `(person, login, active until)`.
enum Population {
    Sample(Vec<(Person, String, i64)>),
    Scaled(u64),
}

/// Writes the Okta log: `noise` events at increasing times with `life` merged in.
fn write_okta(
    ctx: &Ctx,
    leavers: &[Leaver],
    life: &[LifeEvent],
    noise: u64,
    pop: Population,
) -> Result<(), Error> {
    let start_ms = WINDOW_START_DAY * DAY * 1000;
    let span = AS_OF * 1000 - start_ms - 1;
    let step = (span / noise.max(1) as i64).max(1);
    let time_of = |i: u64| start_ms + i as i64 * step + Rng::derive(ctx.seed, 0x0C7A, i).range(0, step - 1);
    let admin = okta::admin();
    let workflows = okta::workflows();
    okta::write_array(&ctx.path("iam/okta-system-log.json"), noise, |from, to, buf| {
        let lo = if from == 0 { i64::MIN } else { time_of(from) };
        let hi = if to == noise { i64::MAX } else { time_of(to) };
        let first = life.partition_point(|e| e.ts_ms < lo);
        let last = life.partition_point(|e| e.ts_ms < hi);
        let mut pending = life.get(first..last).unwrap_or(&[]).iter().peekable();
        let mut is_first = from == 0;
        let mut sep = |buf: &mut Vec<u8>| {
            if !is_first {
                buf.extend_from_slice(b",\n");
            }
            is_first = false;
        };
        for i in from..to {
            let t = time_of(i);
            while let Some(e) = pending.next_if(|e| e.ts_ms < t) {
                sep(buf);
                put_life(ctx, buf, e, leavers, &admin, &workflows);
            }
            sep(buf);
            let mut rng = Rng::derive(ctx.seed, 0x0C7B, i);
            let (name, email) = match &pop {
                Population::Sample(people) => {
                    let day = t.div_euclid(1000 * DAY);
                    let mut p = rng.pick(people);
                    for _ in 0..16 {
                        if p.0.hired <= day && t < p.2 * 1000 {
                            break;
                        }
                        p = rng.pick(people);
                    }
                    (p.0.name(), p.1.clone())
                }
                Population::Scaled(size) => {
                    let p = scaled_person(ctx.seed, rng.below(*size));
                    (p.name(), scaled_email(&p))
                }
            };
            okta::put_noise(buf, &mut rng, t, &name, &email);
        }
        for e in pending {
            sep(buf);
            put_life(ctx, buf, e, leavers, &admin, &workflows);
        }
        Ok(())
    })
}

fn put_life(
    ctx: &Ctx,
    buf: &mut Vec<u8>,
    e: &LifeEvent,
    leavers: &[Leaver],
    admin: &Principal,
    workflows: &Principal,
) {
    let Some(l) = leavers.get(e.leaver) else {
        return;
    };
    let mut rng = Rng::derive(ctx.seed, 0x0C7C, e.ts_ms as u64 ^ e.leaver as u64);
    let user = Principal::user(&l.person.name(), &l.okta_login);
    if e.event_type == "user.session.start" {
        okta::put_event(buf, &mut rng, e.ts_ms, e.event_type, &user, None, 1);
    } else {
        let actor = if e.auto { workflows } else { admin };
        okta::put_event(
            buf,
            &mut rng,
            e.ts_ms,
            e.event_type,
            actor,
            Some(&[user]),
            if e.auto { 4 } else { 0 },
        );
    }
}

/// Writes the sample's HR leavers report and Okta log.
pub fn write_sample(ctx: &Ctx, staff: &Staff) -> Result<(), Error> {
    let leavers = sample_leavers(staff);
    let mut buf = Vec::new();
    out::header(&mut buf, &HEADER);
    for l in &leavers {
        put_leaver(&mut buf, l);
    }
    out::write_all(&ctx.path("hr/leavers.csv"), &buf)?;
    let mut life = life_events(ctx, &leavers);
    life.extend(sample_housekeeping(ctx, staff));
    life.sort_by_key(|e| (e.ts_ms, e.leaver));
    let mut people: Vec<(Person, String, i64)> = staff
        .current
        .iter()
        .map(|p| (p.clone(), p.email(), AS_OF))
        .collect();
    // Leavers were active until their last day.
    for l in &leavers {
        people.push((
            l.person.clone(),
            l.okta_login.clone(),
            ctx.hel.to_utc(l.local) - 2 * HOUR,
        ));
    }
    let mut all = leavers;
    all.extend(housekeeping_subjects(staff));
    write_okta(ctx, &all, &life, SAMPLE_NOISE, Population::Sample(people))
}

/// Subjects of the sample's other lifecycle events, appended after the leavers.
fn housekeeping_subjects(staff: &Staff) -> Vec<Leaver> {
    let mut v: Vec<Leaver> = staff
        .current
        .iter()
        .filter(|p| p.hired >= WINDOW_START_DAY)
        .map(|p| Leaver {
            person: p.clone(),
            hr_email: p.email(),
            okta_login: p.email(),
            local: 0,
            kind: "",
            revocation: Revocation::Pending,
        })
        .collect();
    // A contractor account that HR never employed, and an employee on parental leave.
    let contractor = Person {
        number: 0,
        first: "Viktor".into(),
        last: "Lund".into(),
        dept: 1,
        hired: d(2025, 9, 1),
    };
    v.push(Leaver {
        hr_email: String::new(),
        okta_login: format!("ext.viktor.lund@{DOMAIN}"),
        person: contractor,
        local: 0,
        kind: "",
        revocation: Revocation::Pending,
    });
    if let Some(p) = staff
        .current
        .iter()
        .find(|p| p.dept == 8 && p.hired < WINDOW_START_DAY)
    {
        v.push(Leaver {
            person: p.clone(),
            hr_email: p.email(),
            okta_login: p.email(),
            local: 0,
            kind: "",
            revocation: Revocation::Pending,
        });
    }
    v
}

/// Joiners' accounts created, a contractor deactivated, a suspension during leave: lifecycle
/// events that are not about leavers and must not confuse the access check.
fn sample_housekeeping(ctx: &Ctx, staff: &Staff) -> Vec<LifeEvent> {
    let base = sample_leavers(staff).len();
    let subjects = housekeeping_subjects(staff);
    let mut v = Vec::new();
    let mut rng = Rng::derive(ctx.seed, 0x40E5, 0);
    for (k, s) in subjects.iter().enumerate() {
        let i = base + k;
        if k + 2 < subjects.len() {
            let t = ctx.hel.at(s.person.hired - 3, 10, rng.range(0, 59)) * 1000 + rng.range(0, 999);
            v.push(LifeEvent {
                ts_ms: t,
                event_type: "user.lifecycle.create",
                leaver: i,
                auto: true,
            });
            v.push(LifeEvent {
                ts_ms: t + 1_200,
                event_type: "user.lifecycle.activate",
                leaver: i,
                auto: true,
            });
        } else if k + 2 == subjects.len() {
            let t = ctx.hel.at(d(2026, 2, 27), 16, 5) * 1000 + 311;
            v.push(LifeEvent {
                ts_ms: t,
                event_type: "user.lifecycle.deactivate",
                leaver: i,
                auto: false,
            });
        } else {
            let t = ctx.hel.at(d(2026, 4, 1), 9, 2) * 1000 + 54;
            v.push(LifeEvent {
                ts_ms: t,
                event_type: "user.lifecycle.suspend",
                leaver: i,
                auto: false,
            });
            let t = ctx.hel.at(d(2026, 9, 1), 8, 31) * 1000 + 608;
            v.push(LifeEvent {
                ts_ms: t,
                event_type: "user.lifecycle.unsuspend",
                leaver: i,
                auto: false,
            });
        }
    }
    v
}

/// Leaver `j` at scale: terminations spread over the window (a few after as_of), about
/// 3.5 % revoked late, only suspended, or never.
fn scaled_leaver(ctx: &Ctx, j: u64, n: u64) -> Leaver {
    let mut rng = Rng::derive(ctx.seed, 0x1EA5, j);
    let person = scaled_person(ctx.seed, 50_000_000 + j);
    let span = crate::clock::AS_OF_DAY + 20 - (WINDOW_START_DAY + 5);
    let day = WINDOW_START_DAY + 5 + (j as i64 * span) / n.max(1) as i64;
    let (hh, mm) = *rng.pick(&[(16, 0), (17, 0), (17, 0), (16, 30), (12, 0), (15, 0)]);
    let revocation = match rng.weighted(&[600, 330, 2, 15, 10, 10]) {
        0 => Revocation::Deactivated {
            after: rng.range(1, 60) * MINUTE,
            auto: true,
        },
        1 => Revocation::Deactivated {
            after: rng.range(60, 24 * 60 - 1) * MINUTE,
            auto: false,
        },
        2 => Revocation::Deactivated {
            after: 24 * HOUR,
            auto: false,
        },
        3 => Revocation::Deactivated {
            after: rng.range(25, 96) * HOUR,
            auto: false,
        },
        4 => Revocation::SuspendedFirst {
            suspend: rng.range(10, 300) * MINUTE,
            deactivate: rng.range(2, 10) * DAY,
        },
        _ => Revocation::Never {
            login_after: rng.range(20, 120) * HOUR,
        },
    };
    let login = scaled_email(&person);
    let hr_email = if rng.chance(20) {
        login.to_uppercase()
    } else {
        login.clone()
    };
    let kind = *rng.pick(&[
        RESIGNATION,
        RESIGNATION,
        RESIGNATION,
        "End of fixed-term contract",
        "Dismissal",
        "Retirement",
        "Mutual agreement",
    ]);
    Leaver {
        person,
        hr_email,
        okta_login: login,
        local: day * DAY + hh * HOUR + mm * MINUTE,
        kind,
        revocation,
    }
}

/// Writes the scaled HR report and Okta log.
pub fn write_scaled(ctx: &Ctx) -> Result<(), Error> {
    let n = ctx.rows(LEAVERS_AT_SCALE_ONE);
    let leavers: Vec<Leaver> = (0..n).map(|j| scaled_leaver(ctx, j, n)).collect();
    let mut head = Vec::new();
    out::header(&mut head, &HEADER);
    out::write_chunked(&ctx.path("hr/leavers.csv"), &head, n, b"", |from, to, buf| {
        for l in leavers.get(from as usize..to as usize).unwrap_or(&[]) {
            put_leaver(buf, l);
        }
        Ok(())
    })?;
    let life = life_events(ctx, &leavers);
    let total = ctx.rows(EVENTS_AT_SCALE_ONE);
    let noise = total.saturating_sub(life.len() as u64).max(1);
    let population = (ctx.rows(2_000_000) / 10).max(1_000);
    write_okta(ctx, &leavers, &life, noise, Population::Scaled(population))
}
