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
        // Two links with `.rules` names to the same other file would still load it twice:
        // keep the first name of each file, in the sorted order.
        let mut seen = std::collections::HashSet::new();
        files.retain(|path| seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())));
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
    // Sorted so that the diagnostics below come out in the same order on every machine
    // (the files themselves are sorted again by the caller).
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            match link_target(root, &path) {
                // Symbolic links are followed only when they stay inside the rules
                // directory, so a rule project cannot pull in files from elsewhere on the
                // machine.
                LinkTarget::Outside => {
                    diags.push(
                        Diagnostic::new(
                            Code::S006,
                            format!(
                                "`{}` links outside the rules directory; not read",
                                display_path(&path, root)
                            ),
                        )
                        .with_help(
                            "copy the file into the rules directory, or pass its folder as another `--rules`",
                        ),
                    );
                    continue;
                }
                // A link to a directory inside the rules directory is not followed: the
                // walk reaches that directory under its real name anyway (its canonical
                // path lies under the root, so it is reached without going through any
                // link), so following it could only load the same files twice (duplicate
                // definitions) or, for a link to an ancestor such as `loop -> .`, go round
                // in circles. Skipping it silently is enough: nothing is lost, and each file
                // keeps one stable name, its real path.
                LinkTarget::Inside(_) if meta.is_dir() => continue,
                // A link to a rule file inside the tree is skipped for the same reason;
                // a link with a `.rules` name to a file with another name is the only way
                // that file is loaded, so it is kept.
                LinkTarget::Inside(target) if meta.is_file() && is_rule_file(&target) => continue,
                LinkTarget::Inside(_) => {}
            }
        }
        if meta.is_dir() {
            collect(root, &path, out, diags, depth + 1);
        } else if is_rule_file(&path) {
            out.push(path);
        }
    }
}

fn is_rule_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rules")
}

/// Where a symbolic link leads, relative to the rules directory.
enum LinkTarget {
    /// Inside the rules directory: the canonical path of the target.
    Inside(PathBuf),
    /// Outside it, or nowhere (a dangling link).
    Outside,
}

fn link_target(root: &Path, path: &Path) -> LinkTarget {
    match (root.canonicalize(), path.canonicalize()) {
        (Ok(r), Ok(p)) if p.starts_with(&r) => LinkTarget::Inside(p),
        _ => LinkTarget::Outside,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh empty directory under the system temp directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("auditready-project-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }

        fn write(&self, rel: &str, text: &str) {
            let path = self.0.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn names(sources: &SourceMap) -> Vec<String> {
        sources.files().map(|(_, f)| f.name.clone()).collect()
    }

    fn codes(diags: &[Diagnostic]) -> Vec<String> {
        diags
            .iter()
            .map(|d| format!("{:?}: {}", d.code, d.message))
            .collect()
    }

    #[test]
    fn files_at_any_depth_come_in_sorted_order() {
        let dir = TempDir::new("order");
        for rel in [
            "z.rules",
            "b/c/d/deep.rules",
            "a.rules",
            "b/a.rules",
            "b/notes.txt",
            "B.rules",
        ] {
            dir.write(rel, "");
        }
        let (sources, diags) = load_rules(std::slice::from_ref(&dir.0));
        assert!(diags.is_empty(), "{:?}", codes(&diags));
        assert_eq!(
            names(&sources),
            ["B.rules", "a.rules", "b/a.rules", "b/c/d/deep.rules", "z.rules"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_directory_inside_the_tree_is_read_once_under_its_real_name() {
        let dir = TempDir::new("alias");
        dir.write("shared/common.rules", "");
        dir.write("team/own.rules", "");
        std::os::unix::fs::symlink(dir.0.join("shared"), dir.0.join("team/shared")).unwrap();
        std::os::unix::fs::symlink(dir.0.join("team/own.rules"), dir.0.join("alias.rules")).unwrap();
        let (sources, diags) = load_rules(std::slice::from_ref(&dir.0));
        assert!(diags.is_empty(), "{:?}", codes(&diags));
        assert_eq!(names(&sources), ["shared/common.rules", "team/own.rules"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_back_to_an_ancestor_is_not_followed() {
        let dir = TempDir::new("loop");
        dir.write("a.rules", "");
        dir.write("sub/b.rules", "");
        std::os::unix::fs::symlink(".", dir.0.join("loop")).unwrap();
        std::os::unix::fs::symlink("..", dir.0.join("sub/up")).unwrap();
        let (sources, diags) = load_rules(std::slice::from_ref(&dir.0));
        // No "nested too deep" report and no file twice (which the checker would report
        // as duplicate definitions).
        assert!(diags.is_empty(), "{:?}", codes(&diags));
        assert_eq!(names(&sources), ["a.rules", "sub/b.rules"]);
    }

    #[cfg(unix)]
    #[test]
    fn links_with_rules_names_to_another_file_load_it_once() {
        let dir = TempDir::new("named");
        dir.write("notes.txt", "");
        std::os::unix::fs::symlink("notes.txt", dir.0.join("b.rules")).unwrap();
        std::os::unix::fs::symlink("notes.txt", dir.0.join("a.rules")).unwrap();
        let (sources, diags) = load_rules(std::slice::from_ref(&dir.0));
        assert!(diags.is_empty(), "{:?}", codes(&diags));
        assert_eq!(names(&sources), ["a.rules"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_outside_the_tree_is_reported_once_and_not_read() {
        let outside = TempDir::new("outside");
        outside.write("x.rules", "");
        let dir = TempDir::new("inside");
        dir.write("a.rules", "");
        std::os::unix::fs::symlink(&outside.0, dir.0.join("elsewhere")).unwrap();
        let (sources, diags) = load_rules(std::slice::from_ref(&dir.0));
        assert_eq!(names(&sources), ["a.rules"]);
        assert_eq!(diags.len(), 1, "{:?}", codes(&diags));
        assert_eq!(diags[0].code, Code::S006);
        assert!(
            diags[0].message.contains("`elsewhere` links outside"),
            "{}",
            diags[0].message
        );
    }
}
