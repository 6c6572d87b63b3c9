//! The file system: evidence is never modified, reports are written atomically, and rule
//! directories cannot pull in files from elsewhere through symbolic links.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/project")
}

fn auditready(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auditready"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run auditready")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        out.push(d.clone());
        for e in fs::read_dir(&d).unwrap().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What a run must leave exactly as it was: every path, its bytes, modification time and
/// permissions.
#[derive(Debug, PartialEq)]
struct Snapshot(Vec<(PathBuf, Option<String>, SystemTime, u32)>);

fn snapshot(dir: &Path) -> Snapshot {
    #[cfg(unix)]
    use std::os::unix::fs::PermissionsExt;
    Snapshot(
        files_under(dir)
            .into_iter()
            .map(|p| {
                let meta = fs::symlink_metadata(&p).unwrap();
                let hash = meta
                    .is_file()
                    .then(|| format!("{:x}", Sha256::digest(fs::read(&p).unwrap())));
                #[cfg(unix)]
                let mode = meta.permissions().mode();
                #[cfg(not(unix))]
                let mode = u32::from(meta.permissions().readonly());
                (p, hash, meta.modified().unwrap(), mode)
            })
            .collect(),
    )
}

#[cfg(unix)]
fn make_read_only(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    // Files first, then directories deepest first, so the walk can still list them.
    let mut paths = files_under(dir);
    paths.reverse();
    for p in paths {
        let mode = if p.is_dir() { 0o555 } else { 0o444 };
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
    }
}

#[cfg(unix)]
fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    for p in files_under(dir) {
        let mode = if p.is_dir() { 0o755 } else { 0o644 };
        let _ = fs::set_permissions(&p, fs::Permissions::from_mode(mode));
    }
}

#[cfg(unix)]
#[test]
fn evidence_in_a_read_only_directory_is_read_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = dir.path().join("evidence");
    copy_dir(&fixture().join("evidence"), &evidence);
    make_read_only(&evidence);
    let before = snapshot(&evidence);
    let rules = fixture().join("rules");
    let reports = dir.path().join("reports");
    fs::create_dir_all(&reports).unwrap();
    for format in ["text", "json"] {
        let output = reports.join(format!("report.{format}"));
        let out = auditready(&[
            "run".as_ref(),
            "--rules".as_ref(),
            rules.as_os_str(),
            "--evidence".as_ref(),
            evidence.as_os_str(),
            "--as-of".as_ref(),
            "2026-11-22".as_ref(),
            "--format".as_ref(),
            format.as_ref(),
            "--output".as_ref(),
            output.as_os_str(),
        ]);
        // The fixture project has a failing major requirement: the gate says not ready,
        // but the run itself worked (no evidence error).
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(output.is_file());
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(reports.join("report.json")).unwrap()).unwrap();
    for e in json["evidence"].as_array().unwrap() {
        assert_eq!(e["status"], "loaded", "{e}");
    }
    // Permission bits do not stop root, which tests may run as: the bytes, times and
    // modes are compared too.
    assert_eq!(
        snapshot(&evidence),
        before,
        "a run changed the evidence directory"
    );
    make_writable(&evidence);
}

#[test]
fn every_reader_leaves_its_file_untouched() {
    use auditready::evidence::{DatasetSpec, FieldSpec, NoProgress, load};
    use auditready::value::Type;
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a.csv"), "ID,At\nE1,2026-10-01T12:00:00Z\n").unwrap();
    fs::write(
        dir.path().join("a.json"),
        r#"[{"ID": "E1", "At": "2026-10-01T12:00:00Z"}]"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("a.jsonl"),
        "{\"ID\": \"E1\", \"At\": \"2026-10-01T12:00:00Z\"}\n",
    )
    .unwrap();
    #[cfg(unix)]
    make_read_only(dir.path());
    let before = snapshot(dir.path());
    for file in ["a.csv", "a.json", "a.jsonl"] {
        let spec = DatasetSpec::new("a", file)
            .field(FieldSpec::new("id", Type::Text, "ID").key())
            .field(FieldSpec::new("at", Type::DateTime, "At"));
        let table = load(&spec, dir.path(), &NoProgress).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(table.file().rows, 1);
    }
    assert_eq!(snapshot(dir.path()), before);
    #[cfg(unix)]
    make_writable(dir.path());
}

fn run_to(output: &Path) -> Output {
    let rules = fixture().join("rules");
    let evidence = fixture().join("evidence");
    auditready(&[
        "run".as_ref(),
        "--rules".as_ref(),
        rules.as_os_str(),
        "--evidence".as_ref(),
        evidence.as_os_str(),
        "--as-of".as_ref(),
        "2026-11-22".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--output".as_ref(),
        output.as_os_str(),
    ])
}

#[test]
fn a_report_that_cannot_be_written_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    // The output path is a directory: the rename onto it fails after the temporary file
    // was written in full.
    let target = dir.path().join("report.json");
    fs::create_dir(&target).unwrap();
    let out = run_to(&target);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write"));
    assert_eq!(
        files_under(dir.path()),
        vec![dir.path().to_path_buf(), target.clone()],
        "no temporary file is left behind"
    );
    // The parent directory does not exist: nothing is created anywhere.
    let missing = dir.path().join("no/such/dir/report.json");
    let out = run_to(&missing);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("no").exists());
}

/// A disk that fills up mid-write (simulated with the file-size limit): the previous
/// report stays as it was and no temporary file is left.
#[cfg(unix)]
#[test]
fn a_write_that_fails_midway_keeps_the_previous_report() {
    if Command::new("sh").arg("-c").arg("true").status().is_err() {
        eprintln!("skipped: no sh");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    fs::write(&target, "previous report\n").unwrap();
    let rules = fixture().join("rules");
    let evidence = fixture().join("evidence");
    // `ulimit -f 1` allows at most 512 or 1024 bytes per file; the report is larger. The
    // signal the limit raises is ignored, so the write fails with an error instead.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 1 && exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_auditready"))
        .args(["run", "--rules"])
        .arg(&rules)
        .arg("--evidence")
        .arg(&evidence)
        .args(["--as-of", "2026-11-22", "--format", "json", "--output"])
        .arg(&target)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "previous report\n");
    assert_eq!(
        files_under(dir.path()),
        vec![dir.path().to_path_buf(), target],
        "no temporary file is left behind"
    );
}

#[test]
fn a_report_is_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.json");
    fs::write(&target, "x".repeat(1 << 20)).unwrap();
    let out = run_to(&target);
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&target).unwrap()).expect("whole JSON");
    assert_eq!(json["schema_version"], "2.0");
    assert_eq!(files_under(dir.path()).len(), 2);
}

const OUTSIDE_RULES: &str = r#"
requirement outside.sneaky {
  title    "Would pass if read"
  clauses  iso27001:10.2
  severity major
  expect   1 == 1
}
"#;

#[cfg(unix)]
#[test]
fn rule_symlinks_pointing_outside_are_skipped() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&fixture().join("rules"), &rules);
    let outside = dir.path().join("elsewhere");
    fs::create_dir_all(outside.join("more")).unwrap();
    fs::write(outside.join("sneaky.rules"), OUTSIDE_RULES).unwrap();
    fs::write(
        outside.join("more/sneaky2.rules"),
        OUTSIDE_RULES.replace("sneaky", "sneaky2"),
    )
    .unwrap();
    symlink(outside.join("sneaky.rules"), rules.join("linked.rules")).unwrap();
    symlink(outside.join("more"), rules.join("linked-dir")).unwrap();
    symlink("/etc/passwd", rules.join("passwd.rules")).unwrap();
    symlink("../../../../../../../../etc", rules.join("etc")).unwrap();

    let (sources, diags) = auditready::project::load_rules(std::slice::from_ref(&rules));
    let names: Vec<String> = sources.files().map(|(_, f)| f.name.clone()).collect();
    assert_eq!(names, ["catalog.rules", "datasets.rules", "requirements.rules"]);
    let messages: Vec<&str> = diags.iter().map(|d| d.message.as_str()).collect();
    for link in ["linked.rules", "linked-dir", "passwd.rules", "etc"] {
        assert!(
            messages
                .iter()
                .any(|m| m.contains(link) && m.contains("outside the rules directory")),
            "{link}: {messages:?}"
        );
    }
    let out = auditready(&["check".as_ref(), "--rules".as_ref(), rules.as_os_str()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("links outside the rules directory"), "{stderr}");
    assert!(!stderr.contains("sneaky"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn rule_symlinks_inside_the_directory_load_each_file_once_and_loops_end() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    copy_dir(&fixture().join("rules"), &rules);
    fs::create_dir_all(rules.join("shared")).unwrap();
    fs::rename(
        rules.join("requirements.rules"),
        rules.join("shared/requirements.rules"),
    )
    .unwrap();
    symlink("shared/requirements.rules", rules.join("requirements.rules")).unwrap();
    let (sources, diags) = auditready::project::load_rules(std::slice::from_ref(&rules));
    assert!(diags.is_empty(), "{diags:?}");
    // Read once, under its real name: the link inside the directory is not followed.
    let names: Vec<&str> = sources.files().map(|(_, f)| f.name.as_str()).collect();
    assert_eq!(
        names
            .iter()
            .filter(|n| n.ends_with("requirements.rules"))
            .collect::<Vec<_>>(),
        [&"shared/requirements.rules"]
    );

    // A directory link to itself is not followed: no endless walk, no file read twice.
    symlink(".", rules.join("loop")).unwrap();
    let started = std::time::Instant::now();
    let (again, diags) = auditready::project::load_rules(std::slice::from_ref(&rules));
    assert!(started.elapsed().as_secs() < 30);
    assert!(
        diags.is_empty(),
        "{:?}",
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert_eq!(again.len(), sources.len());
}

/// Paths that are not regular files are written in place: renaming a report over a FIFO
/// or a device would replace it (for root, `--output /dev/null` turned `/dev/null` into an
/// ordinary file for every process on the machine). The test uses a FIFO of its own, so a
/// regression cannot damage the machine it runs on.
#[cfg(unix)]
#[test]
fn output_to_a_device_or_fifo_is_written_in_place() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("report.fifo");
    match Command::new("mkfifo").arg(&fifo).status() {
        Ok(status) if status.success() => {
            let reader = {
                let fifo = fifo.clone();
                std::thread::spawn(move || fs::read(fifo).unwrap())
            };
            let out = run_to(&fifo);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let json: serde_json::Value =
                serde_json::from_slice(&reader.join().unwrap()).expect("whole JSON");
            assert_eq!(json["schema_version"], "2.0");
            assert!(
                fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo(),
                "still a FIFO"
            );
            assert_eq!(
                files_under(dir.path()).len(),
                2,
                "no temporary file is left behind"
            );
        }
        _ => eprintln!("skipped the FIFO: no mkfifo"),
    }
}

/// A report written through a symbolic link replaces the file the link names and keeps
/// the link; an existing report keeps its permissions, a new one gets the umask's, not the
/// temporary file's private 0600.
#[cfg(unix)]
#[test]
fn output_follows_links_and_keeps_permissions() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.json");
    fs::write(&real, "old").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.json");
    symlink(&real, &link).unwrap();
    assert_eq!(run_to(&link).status.code(), Some(1));
    assert!(
        fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "the link stays"
    );
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&real).unwrap()).expect("whole JSON");
    assert_eq!(json["schema_version"], "2.0");
    assert_eq!(fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);

    let umask = fs::read_to_string("/proc/self/status").ok().and_then(|status| {
        let line = status.lines().find(|l| l.starts_with("Umask:"))?;
        u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).ok()
    });
    let fresh = dir.path().join("fresh.json");
    assert_eq!(run_to(&fresh).status.code(), Some(1));
    match umask {
        Some(umask) => assert_eq!(
            fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            0o666 & !umask
        ),
        None => eprintln!("skipped the new-file mode: no /proc/self/status"),
    }
}

/// `--output -` is stdout, as in most command-line tools, not a file named `-`.
#[test]
fn output_dash_is_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
        .current_dir(dir.path())
        .arg("run")
        .arg("--rules")
        .arg(fixture().join("rules"))
        .arg("--evidence")
        .arg(fixture().join("evidence"))
        .args(["--as-of", "2026-11-22", "--format", "json", "--output", "-"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("the report on stdout");
    assert_eq!(json["schema_version"], "2.0");
    assert_eq!(
        files_under(dir.path()),
        vec![dir.path().to_path_buf()],
        "no file named `-`"
    );
}
