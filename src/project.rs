//! Finding and reading rule files: every `*.rules` file under each rules directory, at any
//! depth, in a deterministic order.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Location};
use crate::source::{MAX_RULE_FILE_BYTES, SourceFile, SourceMap, display_path};

/// Reads every rule file under the directories, in order: directories in the order given,
/// files within each sorted by relative path. Problems become diagnostics; files that can
/// be read are still returned.
pub fn load_rules(dirs: &[PathBuf]) -> (SourceMap, Vec<Diagnostic>) {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let several = dirs.len() > 1;
    for (layer, dir) in dirs.iter().enumerate() {
        let before = sources.len();
        if !dir.is_dir() {
            diags.push(
                Diagnostic::new(
                    Code::S006,
                    if dir.exists() {
                        format!("`{}` is a file, not a rules directory", dir.display())
                    } else {
                        format!("rules directory `{}` does not exist", dir.display())
                    },
                )
                .with_help("pass the folder that holds your `*.rules` files with `--rules DIR`"),
            );
            continue;
        }
        let mut files = Vec::new();
        collect(dir, dir, &mut files, &mut diags, 0);
        files.sort();
        for path in files {
            let mut name = display_path(&path, dir);
            if several {
                name = format!("{}/{name}", dir.to_string_lossy().trim_end_matches('/'));
            }
            match read_rule_file(&path) {
                Ok(text) => {
                    sources.add(SourceFile::new(name, path, text).in_layer(layer));
                }
                Err(mut d) => {
                    // The file is not in the source map: name it here.
                    if let Some(l) = d.location.as_mut() {
                        l.file = name;
                    }
                    diags.push(*d);
                }
            }
        }
        if sources.len() == before && !diags.iter().any(|d| d.code == Code::S003 || d.code == Code::S004) {
            diags.push(
                Diagnostic::new(Code::S007, format!("no `*.rules` file under `{}`", dir.display()))
                    .with_help("rule files end in `.rules`; `auditready init` creates a starter project"),
            );
        }
    }
    (sources, diags)
}

/// Directory nesting beyond this is not followed (and reported): it guards against
/// pathological trees.
const MAX_DIR_DEPTH: usize = 32;

fn collect(root: &Path, dir: &Path, out: &mut Vec<PathBuf>, diags: &mut Vec<Diagnostic>, depth: usize) {
    if depth > MAX_DIR_DEPTH {
        diags.push(Diagnostic::new(
            Code::S006,
            format!(
                "`{}` is nested more than {MAX_DIR_DEPTH} directories deep; not read",
                dir.display()
            ),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            diags.push(Diagnostic::new(
                Code::S006,
                format!("cannot read `{}`: {e}", dir.display()),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Symbolic links are followed only when they stay inside the rules directory, so
        // a rule project cannot pull in files from elsewhere on the machine.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if entry.file_type().is_ok_and(|t| t.is_symlink()) && !stays_inside(root, &path) {
            diags.push(
                Diagnostic::new(
                    Code::S006,
                    format!(
                        "`{}` links outside the rules directory; not read",
                        display_path(&path, root)
                    ),
                )
                .with_help("copy the file into the rules directory, or pass its folder as another `--rules`"),
            );
            continue;
        }
        if meta.is_dir() {
            collect(root, &path, out, diags, depth + 1);
        } else if path.extension().is_some_and(|e| e == "rules") {
            out.push(path);
        }
    }
}

fn stays_inside(root: &Path, path: &Path) -> bool {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(r), Ok(p)) => p.starts_with(r),
        _ => false,
    }
}

/// Reads a rule file as UTF-8 text (a leading byte-order mark is dropped).
pub fn read_rule_file(path: &Path) -> Result<String, Box<Diagnostic>> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| Box::new(Diagnostic::new(Code::S006, format!("cannot read `{shown}`: {e}"))))?;
    rule_text(bytes).map_err(|d| {
        let mut d = *d;
        d.message = format!("`{shown}`: {}", d.message);
        Box::new(d)
    })
}

/// Validates rule-file bytes: size bound, UTF-8, byte-order mark.
pub fn rule_text(bytes: Vec<u8>) -> Result<String, Box<Diagnostic>> {
    if bytes.len() > MAX_RULE_FILE_BYTES {
        return Err(Box::new(
            Diagnostic::new(
                Code::S004,
                format!(
                    "rule file is {:.1} MiB, more than the {} MiB limit",
                    bytes.len() as f64 / 1_048_576.0,
                    MAX_RULE_FILE_BYTES / 1_048_576
                ),
            )
            .with_help("split it into several files")
            .with_location(Location {
                file: String::new(),
                line: 1,
                column: 1,
            }),
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = std::str::from_utf8(e.as_bytes().get(..at).unwrap_or_default()).unwrap_or_default();
        let line = 1 + valid.matches('\n').count();
        let column = 1 + valid.rsplit('\n').next().map_or(0, |l| l.chars().count());
        let mut d = Diagnostic::new(
            Code::S003,
            format!("not valid UTF-8 at line {line}, column {column} (byte {at})"),
        )
        .with_help("save the file as UTF-8; is it a binary file with a `.rules` name?");
        d.location = Some(Location {
            file: String::new(),
            line,
            column,
        });
        Box::new(d)
    })?;
    if text.starts_with('\u{feff}') {
        text.replace_range(..3, "");
    }
    Ok(text)
}
