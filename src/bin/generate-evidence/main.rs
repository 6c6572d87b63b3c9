//! `generate-evidence`: writes the sample evidence export set of Kuura Systems Oy (a
//! fictional 120-person IT service company in Helsinki, as of 2026-11-22), or, with
//! `--scale`, a set of the same layout sized for benchmarks.
//!
//! Deterministic: the same seed and scale give byte-identical files. This binary is an
//! independent producer of evidence and does not use the auditready library.

mod access;
mod ai;
mod audits;
mod capa;
mod changes;
mod clock;
mod cmdb;
mod continuity;
mod documents;
mod incidents;
mod okta;
mod out;
mod people;
mod risk;
mod rng;
mod soa;
mod suppliers;
mod table;
mod training;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clock::Helsinki;
use table::{Mutate, Table};

/// The seed used when none is given: the sample's as_of date.
const DEFAULT_SEED: u64 = 20_261_122;

/// Business-unit copies of each register per unit of scale.
const REGISTER_COPIES_AT_SCALE_ONE: f64 = 1_000.0;

const USAGE: &str = "usage: generate-evidence --out DIR [--scale F] [--seed N]

Without --scale, writes the sample export set (as of 2026-11-22).
With --scale F, writes a benchmark set of the same layout (F = 1: about 2 GB in 20 s on 2 cores).";

/// What went wrong, for the user.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    /// An I/O failure on a path.
    pub fn io(path: &Path, e: std::io::Error) -> Self {
        Error(format!("{}: {e}", path.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<jiff::Error> for Error {
    fn from(e: jiff::Error) -> Self {
        Error(format!("time zone data: {e}"))
    }
}

/// Everything a writer needs: where to write, the seed, the scale and the Helsinki clock.
pub struct Ctx {
    /// Seed of every random choice.
    pub seed: u64,
    /// `None` for the sample.
    pub scale: Option<f64>,
    /// Europe/Helsinki offsets.
    pub hel: Helsinki,
    root: PathBuf,
}

impl Ctx {
    /// A path under the output directory.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Rows of a scaled file that has `at_one` rows at scale 1 (at least one).
    pub fn rows(&self, at_one: u64) -> u64 {
        let f = self.scale.unwrap_or(1.0);
        ((at_one as f64 * f).round() as u64).max(1)
    }
}

struct Args {
    out: PathBuf,
    scale: Option<f64>,
    seed: u64,
}

fn parse_args() -> Result<Option<Args>, Error> {
    let mut out = None;
    let mut scale = None;
    let mut seed = DEFAULT_SEED;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| Error(format!("{name} needs a value\n{USAGE}")))
        };
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--scale" => {
                let v = value("--scale")?;
                let f: f64 = v
                    .parse()
                    .map_err(|_| Error(format!("--scale: not a number: {v}")))?;
                if !(f > 0.0 && f <= 100.0) {
                    return Err(Error(format!("--scale must be in (0, 100], got {v}")));
                }
                scale = Some(f);
            }
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| Error(format!("--seed: not an unsigned integer: {v}")))?;
            }
            other => return Err(Error(format!("unknown argument: {other}\n{USAGE}"))),
        }
    }
    let out = out.ok_or_else(|| Error(format!("--out is required\n{USAGE}")))?;
    Ok(Some(Args { out, scale, seed }))
}

const DIRS: [&str; 8] = ["jira", "lms", "hr", "iam", "servicenow", "grc", "bcm", "itsm"];

/// The registers, each with the function that copies it per business unit at scale.
fn registers(
    seed: u64,
    capa_keys: &std::collections::BTreeMap<&'static str, String>,
) -> Vec<(Table, Option<Mutate>)> {
    vec![
        (risk::table(), Some(risk::scale as Mutate)),
        (soa::table(), None),
        (audits::audit_table(), Some(audits::scale_audit as Mutate)),
        (
            audits::finding_table(capa_keys),
            Some(audits::scale_finding as Mutate),
        ),
        (audits::review_table(), Some(audits::scale_review as Mutate)),
        (documents::table(), Some(documents::scale as Mutate)),
        (
            documents::objective_table(),
            Some(documents::scale_objective as Mutate),
        ),
        (suppliers::table(), Some(suppliers::scale as Mutate)),
        (continuity::bia_table(), Some(continuity::scale_bia as Mutate)),
        (
            continuity::exercise_table(),
            Some(continuity::scale_exercise as Mutate),
        ),
        (continuity::plan_table(), Some(continuity::scale_plan as Mutate)),
        (
            continuity::restore_table(seed),
            Some(continuity::scale_restore as Mutate),
        ),
        (cmdb::table(), Some(cmdb::scale as Mutate)),
        (ai::table(), Some(ai::scale as Mutate)),
    ]
}

fn write_sample(ctx: &Ctx) -> Result<(), Error> {
    let staff = people::sample_staff(ctx.seed, 18);
    let (capas, capa_keys) = capa::sample(&ctx.hel, ctx.seed, &staff);
    capa::write_sample(ctx, &capas)?;
    training::write_sample(ctx, &staff)?;
    access::write_sample(ctx, &staff)?;
    incidents::write_sample(ctx)?;
    changes::write_sample(ctx)?;
    for (t, _) in registers(ctx.seed, &capa_keys) {
        t.write(&ctx.root)?;
    }
    Ok(())
}

fn write_scaled(ctx: &Ctx, f: f64) -> Result<(), Error> {
    let copies = ((REGISTER_COPIES_AT_SCALE_ONE * f).round() as u64).max(1);
    let staff = people::sample_staff(ctx.seed, 18);
    let (_, capa_keys) = capa::sample(&ctx.hel, ctx.seed, &staff);
    let regs = registers(ctx.seed, &capa_keys);
    type Job<'a> = Box<dyn Fn() -> Result<(), Error> + Send + Sync + 'a>;
    let mut jobs: Vec<Job> = vec![
        Box::new(|| access::write_scaled(ctx)),
        Box::new(|| training::write_scaled(ctx)),
        Box::new(|| capa::write_scaled(ctx)),
        Box::new(|| incidents::write_scaled(ctx)),
        Box::new(|| changes::write_scaled(ctx)),
    ];
    for (t, mutate) in &regs {
        jobs.push(Box::new(move || match mutate {
            Some(m) => t.write_scaled(ctx, copies, *m),
            None => t.write(&ctx.root),
        }));
    }
    use rayon::prelude::*;
    jobs.par_iter().map(|j| j()).collect::<Result<Vec<()>, Error>>()?;
    Ok(())
}

fn run() -> Result<(), Error> {
    let Some(args) = parse_args()? else {
        println!("{USAGE}");
        return Ok(());
    };
    for d in DIRS.iter().chain(["ai"].iter()) {
        let p = args.out.join(d);
        std::fs::create_dir_all(&p).map_err(|e| Error::io(&p, e))?;
    }
    let ctx = Ctx {
        seed: args.seed,
        scale: args.scale,
        hel: Helsinki::new()?,
        root: args.out,
    };
    match ctx.scale {
        None => write_sample(&ctx)?,
        Some(f) => write_scaled(&ctx, f)?,
    }
    write_as_of(&ctx)
}

/// `as_of`: the date the exports were taken, which `auditready` evaluates them as of when
/// no `--as-of` is given, so the sample's report does not drift as calendar time passes.
fn write_as_of(ctx: &Ctx) -> Result<(), Error> {
    let mut out = b"# The date these exports were taken. auditready evaluates this evidence as of\n\
# this date unless --as-of says otherwise.\n"
        .to_vec();
    clock::put_date(&mut out, clock::AS_OF_DAY);
    out.push(b'\n');
    let path = ctx.path("as_of");
    std::fs::write(&path, out).map_err(|e| Error::io(&path, e))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("generate-evidence: {e}");
            ExitCode::from(2)
        }
    }
}
