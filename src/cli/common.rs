//! What several subcommands share: loading the rule project, reading `--as-of` and
//! `--param`, loading evidence, writing output files.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::Exit;
use super::check::Checked;
use crate::check::{CheckOptions, Program, coerce, constant_value, example_of};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::eval::{DatasetInput, FileFacts, Located};
use crate::evidence::{self, LoadError, LoadObserver, Table};
use crate::report::diagnostics;
use crate::source::{SourceMap, Span};
use crate::value::{self, Value};

/// A checked rule project ready to run.
pub struct Project {
    /// Rule sources (for quoting expressions and rendering diagnostics).
    pub sources: SourceMap,
    /// The program.
    pub program: Program,
}

/// Reads and checks the rule directories; renders diagnostics to stderr. Errors → exit 2;
/// warnings are printed only when `show_warnings`.
pub fn load_project(
    rules: &[PathBuf],
    today: i32,
    color: bool,
    show_warnings: bool,
) -> Result<Project, Exit> {
    load_project_timed(rules, today, color, show_warnings, None)
}

/// [`load_project`], recording stage timings.
pub fn load_project_timed(
    rules: &[PathBuf],
    today: i32,
    color: bool,
    show_warnings: bool,
    timings: Option<&mut super::timings::Timings>,
) -> Result<Project, Exit> {
    let rules = if rules.is_empty() {
        super::default_rules()
    } else {
        rules.to_vec()
    };
    let Checked {
        sources,
        program,
        diagnostics: diags,
    } = super::check::load_and_check_timed(&rules, CheckOptions { today: Some(today) }, timings);
    let shown: Vec<Diagnostic> = diags
        .into_iter()
        .filter(|d| d.is_error() || (show_warnings && d.code != Code::C303))
        .collect();
    if !shown.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = diagnostics::render(&shown, &sources, color, &mut err);
    }
    match program {
        Some(program) => Ok(Project { sources, program }),
        None => {
            eprintln!("error: the rule files have errors (see above); nothing was evaluated");
            Err(Exit::Error)
        }
    }
}

/// Today's date in the local time zone, as days since the epoch.
pub fn today() -> i32 {
    crate::syntax::literal::days_since_epoch(jiff::Zoned::now().date())
}

/// The evaluation instant: midnight UTC of `--as-of` (YYYY-MM-DD), or of today.
pub fn as_of(arg: Option<&str>) -> Result<i64, Exit> {
    match arg {
        None => Ok(value::date_to_micros(today())),
        Some(text) => match crate::syntax::literal::parse_date(text.trim()) {
            Ok(days) => Ok(value::date_to_micros(days)),
            Err(e) => {
                // `parse_date` says either how to write a date (wrong shape) or what is
                // impossible about this one (`February 2026 has 28 days`); the hint on the
                // shape is given once.
                let why = if e.starts_with("write it as") {
                    String::new()
                } else {
                    format!(" ({e})")
                };
                eprintln!(
                    "error: --as-of `{}` is not a date{why}; write it as YYYY-MM-DD, like 2026-11-22",
                    crate::report::text::clean(text)
                );
                Err(Exit::Error)
            }
        },
    }
}

/// The file in an evidence directory that pins the date the evidence was exported.
pub const PINNED_AS_OF: &str = "as_of";

/// The evaluation instant for a command that reads an evidence directory: `--as-of` when
/// given; otherwise the date pinned in `<evidence>/as_of`, when that file exists; otherwise
/// today. A frozen evidence set (the shipped sample, an auditor's copy of last month's
/// exports) knows when it was exported, and evaluating it as of a later day would turn
/// every "within 30 days" into a finding that was not there when the exports were taken.
/// A note on stderr says where the date came from.
pub fn as_of_for(arg: Option<&str>, evidence: &Path) -> Result<i64, Exit> {
    if arg.is_some() {
        return as_of(arg);
    }
    let path = evidence.join(PINNED_AS_OF);
    if !path.is_file() {
        return as_of(None);
    }
    let shown = crate::report::text::clean(&path.display().to_string());
    let mut text = String::new();
    let read = std::fs::File::open(&path).and_then(|f| {
        use std::io::Read as _;
        // A date and a comment fit in far less; a larger file is not this file.
        f.take(4096).read_to_string(&mut text)
    });
    if let Err(e) = read {
        eprintln!("error: cannot read `{shown}`: {e}");
        return Err(Exit::Error);
    }
    // The first line that is neither blank nor a `#` comment holds the date.
    let found = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .find(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let Some((line, date)) = found else {
        eprintln!("error: `{shown}` holds no date; write the export date as YYYY-MM-DD on its own line");
        return Err(Exit::Error);
    };
    match crate::syntax::literal::parse_date(date) {
        Ok(days) => {
            eprintln!(
                "note: as_of {} from `{shown}` (the date this evidence was exported); --as-of overrides it",
                value::format_date(days)
            );
            Ok(value::date_to_micros(days))
        }
        Err(e) => {
            eprintln!(
                "error: `{shown}` line {line}: `{}` is not a date ({e}); write it as YYYY-MM-DD, like 2026-11-22",
                crate::report::text::clean(date)
            );
            Err(Exit::Error)
        }
    }
}

/// The requirement a command was asked about (`explain`, `sample`), or an error on stderr
/// with a did-you-mean.
pub fn requirement<'p>(
    program: &'p Program,
    id: &str,
) -> Result<(usize, &'p crate::check::program::Requirement), Exit> {
    program.requirement(id).ok_or_else(|| {
        let help = diagnostic::did_you_mean(id, program.requirements.iter().map(|r| r.id.as_str()))
            .unwrap_or_else(|| {
                "the ids are in the rule files (`requirement <id> {`) and in `auditready run`'s report".into()
            });
        eprintln!("error: no requirement `{id}`; {help}");
        Exit::Error
    })
}

/// Parses `--param name=value` into typed values. A param given twice is a usage error:
/// silently keeping one of two targets would let a pipeline gate on the wrong one.
pub fn params(program: &Program, args: &[String]) -> Result<Vec<(usize, Value<'static>)>, Exit> {
    let mut out: Vec<(usize, Value<'static>)> = Vec::new();
    let mut seen: HashMap<usize, &str> = HashMap::new();
    for arg in args {
        let Some((name, text)) = arg.split_once('=') else {
            eprintln!(
                "error: --param `{}` must be written NAME=VALUE, like capa_cycle_max=14d",
                crate::report::text::clean(arg)
            );
            return Err(Exit::Error);
        };
        let name = name.trim();
        let Some((index, param)) = program.param(name) else {
            let help = diagnostic::did_you_mean(name, program.params.iter().map(|p| p.name.as_str()))
                .unwrap_or_else(|| "list the params with `grep -r '^param' rules/`".into());
            eprintln!("error: --param `{name}`: no param has this name; {help}");
            return Err(Exit::Error);
        };
        if let Some(first) = seen.insert(index, arg) {
            eprintln!(
                "error: --param `{name}` is given twice (`{}` and `{}`); give each param once",
                crate::report::text::clean(first),
                crate::report::text::clean(arg)
            );
            return Err(Exit::Error);
        }
        let mut sources = SourceMap::new();
        let file = sources.add_text("--param", text.trim());
        let parsed = crate::syntax::parse_expression(&sources, file);
        let constant = match &parsed {
            Ok(e) => constant_value(e),
            Err(_) => None,
        };
        let Some((v, ty)) = constant else {
            eprintln!(
                "error: --param {name}=`{text}` is not a {} value; write a literal like {}",
                param.ty,
                example_of(param.ty)
            );
            return Err(Exit::Error);
        };
        match coerce(v, ty, param.ty) {
            Some(v) => out.push((index, v)),
            None => {
                eprintln!(
                    "error: --param {name}=`{text}` is {ty:#}, but `{name}` is {:#}; write a value like {}",
                    param.ty,
                    example_of(param.ty)
                );
                return Err(Exit::Error);
            }
        }
    }
    Ok(out)
}

/// Loaded evidence of every dataset, in program order.
pub struct Evidence {
    /// Per dataset: the table or the load error.
    pub tables: Vec<Result<Table, LoadError>>,
}

impl Evidence {
    /// Inputs for the evaluator (borrowing the tables).
    pub fn inputs(&self, program: &Program) -> Vec<DatasetInput<'_>> {
        self.tables
            .iter()
            .zip(&program.datasets)
            .map(|(t, d)| match t {
                Ok(table) => {
                    let f = table.file();
                    let mut notes = vec![format!("{} {}", f.format.name(), f.encoding.name())];
                    if let Some(delim) = f.delimiter {
                        notes.push(format!("delimiter {}", describe_delimiter(delim)));
                    }
                    notes.extend(f.notes.iter().cloned());
                    DatasetInput {
                        rows: Some(table as &dyn Located),
                        error: None,
                        file: Some(FileFacts {
                            path: f.path.clone(),
                            sha256: f.sha256.clone(),
                            bytes: f.size,
                            notes,
                        }),
                    }
                }
                Err(e) => DatasetInput {
                    rows: None,
                    error: Some(format!("[{}] {e}", e.code())),
                    file: Some(FileFacts {
                        path: if e.file.is_empty() {
                            d.spec.source.clone()
                        } else {
                            e.file.clone()
                        },
                        ..FileFacts::default()
                    }),
                },
            })
            .collect()
    }
}

fn describe_delimiter(b: u8) -> String {
    match b {
        b'\t' => "tab".into(),
        b',' => "`,`".into(),
        b';' => "`;`".into(),
        other => format!("`{}`", char::from(other)),
    }
}

/// Loads every dataset the program declares from the evidence directory.
pub fn load_evidence(program: &Program, dir: &Path, progress: bool) -> Result<Evidence, Exit> {
    load_evidence_timed(program, dir, progress, None)
}

/// [`load_evidence`], recording each dataset's load time.
pub fn load_evidence_timed(
    program: &Program,
    dir: &Path,
    progress: bool,
    timings: Option<&super::timings::Timings>,
) -> Result<Evidence, Exit> {
    if !dir.is_dir() {
        eprintln!(
            "error[{}]: evidence directory `{}` does not exist or is not a directory; pass the folder of exports with --evidence DIR",
            Code::D400.as_str(),
            dir.display()
        );
        return Err(Exit::Error);
    }
    let specs: Vec<evidence::DatasetSpec> = program.datasets.iter().map(|d| d.spec.clone()).collect();
    let observer = Progress::new(progress && std::io::stderr().is_terminal(), timings);
    let tables = evidence::load_all(&specs, dir, &observer);
    observer.done();
    Ok(Evidence { tables })
}

/// A load error as a diagnostic pointing at the dataset declaration.
pub fn load_diagnostic(e: &LoadError, program: &Program, dataset: usize) -> Diagnostic {
    let code = Code::parse(e.code()).unwrap_or(Code::D402);
    let span = program
        .datasets
        .get(dataset)
        .map_or(Span::default(), |d| d.source_span);
    let mut d = Diagnostic::new(code, e.to_string())
        .with_primary(span, "declared here")
        .with_help(e.help());
    if let Some(expected) = e.expected() {
        d = d.with_note(format!("expected: {expected}"));
    }
    d
}

/// A progress bar over the bytes of every evidence file, on stderr, only on a terminal
/// and only for loads big enough to take a moment.
struct Progress<'t> {
    bar: Option<indicatif::ProgressBar>,
    done: Mutex<HashMap<String, u64>>,
    timings: Option<&'t super::timings::Timings>,
}

/// Loads smaller than this finish before a bar would be worth drawing.
const PROGRESS_MIN_BYTES: u64 = 32 << 20;

impl<'t> Progress<'t> {
    fn new(enabled: bool, timings: Option<&'t super::timings::Timings>) -> Progress<'t> {
        let bar = enabled.then(|| {
            let bar =
                indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "loading evidence {bar:30} {bytes}/{total_bytes} {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Progress {
            bar,
            done: Mutex::new(HashMap::new()),
            timings,
        }
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl LoadObserver for Progress<'_> {
    fn started(&self, dataset: &str, bytes: u64) {
        if let Some(t) = self.timings {
            t.dataset_started(dataset);
        }
        if let Some(bar) = &self.bar {
            bar.inc_length(bytes);
            if bar.length().unwrap_or(0) < PROGRESS_MIN_BYTES {
                bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
            } else {
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.set_message(dataset.to_string());
            }
        }
    }

    fn advanced(&self, dataset: &str, bytes_done: u64) {
        if let (Some(bar), Ok(mut done)) = (&self.bar, self.done.lock()) {
            let previous = done.insert(dataset.to_string(), bytes_done).unwrap_or(0);
            bar.inc(bytes_done.saturating_sub(previous));
        }
    }

    fn finished(&self, dataset: &str) {
        if let Some(t) = self.timings {
            t.dataset_finished(dataset);
        }
    }
}

/// Writes output to a file (see [`replace_file`]) or to stdout (no path, or `-`). A failed
/// run never leaves a half-written report.
pub fn write_output(path: Option<&Path>, bytes: &[u8]) -> Result<(), Exit> {
    match path.filter(|p| p.as_os_str() != "-") {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("error: cannot write to stdout: {e}");
                }
                Exit::Error
            })
        }
        Some(path) => replace_file(path, bytes).map_err(|e| {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            Exit::Error
        }),
    }
}

/// Replaces the contents of `path` so that nobody sees half a file: the bytes go to a
/// temporary file beside the target, which is then renamed over it.
///
/// A symbolic link is followed (the link stays, the file it names is replaced) and an
/// existing file keeps its permissions; a new one gets the usual `0666` less the umask, not
/// the temporary file's private `0600`. A path that exists but is not a regular file
/// (`/dev/stdout`, `/dev/null`, a FIFO) is written in place: renaming over it would replace
/// the device, and for root that turns `/dev/null` into an ordinary file for the whole
/// machine.
pub fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let (target, permissions) = match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Err(std::io::Error::other("it is a directory")),
        Ok(meta) if !meta.is_file() => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .truncate(true)
                .open(path)?;
            return file.write_all(bytes).and_then(|()| file.flush());
        }
        Ok(meta) => (std::fs::canonicalize(path)?, Some(meta.permissions())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (path.to_path_buf(), None),
        Err(e) => return Err(e),
    };
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Said here, because creating the temporary file would name that file instead.
    if !dir.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("the directory `{}` does not exist", dir.display()),
        ));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".auditready-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Passed to open(2), so the umask applies as it does to any new file.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Some(permissions) = permissions {
        tmp.as_file().set_permissions(permissions)?;
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
