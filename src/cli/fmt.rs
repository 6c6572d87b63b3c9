//! `auditready fmt`: rewrite rule files in the canonical layout, or (`--check`) show what
//! would change.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{Exit, common};
use crate::diagnostic::Diagnostic;
use crate::report::diagnostics;
use crate::report::text::clean;
use crate::source::{SourceFile, SourceMap, display_path};

/// Arguments of `fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Rule files, or directories searched at any depth for `*.rules` files [default: rules]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Change nothing: print a unified diff of what would change, and exit 1 if anything
    /// would.
    #[arg(long)]
    pub check: bool,
}

/// What happened to one file.
enum Outcome {
    Unchanged,
    Changed,
    Failed,
}

/// Runs `fmt`: exit 0 when every file is (or now is) formatted, 1 when `--check` found a
/// file to reformat, 2 when a file could not be read, parsed or written.
pub fn run(args: &FmtArgs, color: bool) -> Exit {
    let paths = if args.paths.is_empty() {
        super::default_rules()
    } else {
        args.paths.clone()
    };
    let mut stderr = std::io::stderr().lock();
    let mut failed = false;
    let mut files = Vec::new();
    for path in &paths {
        match rule_files(path) {
            Ok(found) => files.extend(found),
            Err(message) => {
                let _ = writeln!(stderr, "error: {message}");
                failed = true;
            }
        }
    }
    let (mut changed, mut errors) = (0usize, 0usize);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for file in &files {
        match format_one(file, args.check, color, &mut out, &mut stderr) {
            Outcome::Unchanged => {}
            Outcome::Changed => changed += 1,
            Outcome::Failed => errors += 1,
        }
    }
    let total = files.len();
    let _ = writeln!(
        stderr,
        "fmt: {total} rule file{}, {changed} {}{}",
        if total == 1 { "" } else { "s" },
        match (args.check, changed == 1) {
            (true, true) => "needs formatting",
            (true, false) => "need formatting",
            (false, _) => "reformatted",
        },
        if errors > 0 {
            format!(", {errors} not formatted because of errors")
        } else {
            String::new()
        }
    );
    if failed || errors > 0 {
        Exit::Error
    } else if args.check && changed > 0 {
        Exit::NotReady
    } else {
        Exit::Ok
    }
}

/// The rule files under a path: the path itself when it is a file, else every `*.rules`
/// file below it, sorted. Symbolic links are not followed inside directories (a formatter
/// writes files, and a link could lead outside the project or around in a cycle).
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let p = entry.path();
            if kind.is_dir() {
                dirs.push(p);
            } else if kind.is_file() && p.extension().is_some_and(|e| e == "rules") {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn format_one(path: &Path, check: bool, color: bool, out: &mut dyn Write, err: &mut dyn Write) -> Outcome {
    let name = display_path(path, Path::new(""));
    let raw = match std::fs::read(path) {
        Ok(raw) => raw,
        Err(e) => {
            let _ = writeln!(err, "error: cannot read `{name}`: {e}");
            return Outcome::Failed;
        }
    };
    let mut sources = SourceMap::new();
    let text = match crate::project::rule_text(raw.clone()) {
        Ok(text) => text,
        Err(d) => {
            let mut d = *d;
            d.message = format!("`{name}`: {}", d.message);
            render(&[d], &sources, color, err);
            return Outcome::Failed;
        }
    };
    let id = sources.add(SourceFile::new(name.clone(), path.to_path_buf(), text));
    let formatted = match crate::fmt::format_file(&sources, id) {
        Ok(f) => f,
        Err(diags) => {
            render(&diags, &sources, color, err);
            return Outcome::Failed;
        }
    };
    // Compare with the bytes on disk: a byte-order mark or CRLF line ends count as changes.
    if formatted.as_bytes() == raw.as_slice() {
        return Outcome::Unchanged;
    }
    if check {
        let old = String::from_utf8_lossy(&raw);
        let diff = similar::TextDiff::from_lines(old.as_ref(), formatted.as_str());
        let name = clean(&name);
        let text = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{name}"), &format!("b/{name}"))
            .to_string();
        // Rule text is untrusted: control characters in it are shown, not sent to the
        // terminal. Line breaks, tabs and carriage returns are layout and stay.
        let shown: String = text
            .chars()
            .map(|c| match c {
                '\n' | '\t' | '\r' => c.to_string(),
                _ => clean(c.encode_utf8(&mut [0; 4])),
            })
            .collect();
        let _ = write!(out, "{shown}");
        return Outcome::Changed;
    }
    match common::replace_file(path, formatted.as_bytes()) {
        Ok(()) => {
            let _ = writeln!(err, "formatted {}", clean(&name));
            Outcome::Changed
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot write `{}`: {e}", clean(&name));
            Outcome::Failed
        }
    }
}

fn render(diags: &[Diagnostic], sources: &SourceMap, color: bool, err: &mut dyn Write) {
    let _ = diagnostics::render(diags, sources, color, err);
}
