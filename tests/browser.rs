//! The HTML report in a real browser: Debian's `chromium`, headless, renders the fixture's
//! and the shipped sample's reports to a screenshot (not blank) and prints them to PDF (a
//! page per standard, a reasonable size), with no console error; a page that does log an
//! error shows that the check can fail. Skipped, with a message, when chromium is not
//! installed.

// A test crate: its helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::expect_used, clippy::panic, clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser"].into_iter().find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs headless chromium on a file with the flags that keep it off the network and out
/// of the user's profile; gives up after two minutes.
fn headless(browser: &str, profile: &Path, page: &Path, extra: &[String]) -> Output {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .args(extra)
    .arg(format!("file://{}", page.display()));
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = std::time::Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().expect("chromium output")
}

/// Lines in chromium's log that report a problem with the page itself: script errors,
/// console messages, blocked or failed loads. (Its D-Bus and GPU chatter is not the
/// page's.)
fn page_problems(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| {
            l.contains("Uncaught")
                || l.contains("CONSOLE")
                || l.contains("console")
                || l.contains("Refused to")
                || l.contains("net::ERR_")
                || l.contains("Failed to load resource")
        })
        .collect()
}

#[test]
fn the_html_report_renders_and_prints_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (Debian package `chromium`)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--rules",
            "tests/fixtures/report/sample/rules",
            "--evidence",
            "tests/fixtures/report/sample/evidence",
            "--as-of",
            "2026-11-22",
            "--fail-on",
            "never",
            "--format",
            "html",
            "--output",
        ])
        .arg(&page)
        .output()
        .expect("run auditready");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let shot = dir.path().join("shot.png");
    let run = headless(
        browser,
        &dir.path().join("profile-shot"),
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(shot.is_file(), "no screenshot: {stderr}");
    let problems = page_problems(&stderr);
    assert!(problems.is_empty(), "the page logged problems: {problems:#?}");

    // The screenshot is the window's size and shows a page, not a blank canvas.
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&shot).expect("open png"),
    ));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut buf).expect("decode PNG");
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.color_type.samples();
    let pixels = buf.get(..info.buffer_size()).expect("frame");
    let colours: BTreeSet<&[u8]> = pixels.chunks(channels).step_by(97).collect();
    assert!(
        colours.len() > 20,
        "the screenshot looks blank: {} colours",
        colours.len()
    );
    let white = pixels
        .chunks(channels)
        .filter(|p| p.iter().take(3).all(|&c| c > 245))
        .count();
    let share = white as f64 / (info.width as f64 * info.height as f64);
    assert!(share < 0.95, "the screenshot is {:.0}% white", share * 100.0);

    let pdf = dir.path().join("report.pdf");
    let run = headless(
        browser,
        &dir.path().join("profile-pdf"),
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {stderr}"));
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(bytes.len() > 20_000, "the PDF is only {} bytes", bytes.len());
    let problems = page_problems(&stderr);
    assert!(problems.is_empty(), "printing logged problems: {problems:#?}");
    // Page breaks: the cover and summary, the combined view, the matrix, the register,
    // the findings, one page per standard (two), waivers and the inventory at least.
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page\n").count()
        + text.matches("/Type /Page ").count()
        + text.matches("/Type /Page/").count()
        + text.matches("/Type /Page>").count();
    assert!(
        pages >= 9,
        "expected a page per section and standard, found {pages} pages"
    );
}

/// The shipped sample project (`rules/` and `evidence/`), as the README's demo shows it:
/// five standards and a large coverage matrix, which must render and print to a PDF of a
/// sensible size (a patterned fill in the matrix once made it 30 MB).
#[test]
fn the_shipped_sample_report_renders_and_prints_in_chromium() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (Debian package `chromium`)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_auditready"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "--rules",
            "rules",
            "--evidence",
            "evidence",
            "--as-of",
            "2026-11-22",
            "--fail-on",
            "never",
            "--format",
            "html",
            "--output",
        ])
        .arg(&page)
        .output()
        .expect("run auditready");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let shot = dir.path().join("shot.png");
    let run = headless(
        browser,
        &dir.path().join("profile-shot"),
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(shot.is_file(), "no screenshot: {stderr}");
    let problems = page_problems(&stderr);
    assert!(problems.is_empty(), "the page logged problems: {problems:#?}");

    let pdf = dir.path().join("report.pdf");
    let run = headless(
        browser,
        &dir.path().join("profile-pdf"),
        &page,
        &[
            format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer".to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let bytes = std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {stderr}"));
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    assert!(
        bytes.len() < 8_000_000,
        "the PDF is {} bytes: a print style draws too much",
        bytes.len()
    );
    let problems = page_problems(&stderr);
    assert!(problems.is_empty(), "printing logged problems: {problems:#?}");
}

/// The detector of page problems is not vacuous: a page that calls `console.error` (and
/// throws) is caught in chromium's log.
#[test]
fn a_page_that_logs_a_console_error_is_detected() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium is not installed (Debian package `chromium`)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!doctype html><title>broken</title><p>x</p>\
         <script>console.error('auditready-test-error'); undefinedFunction();</script>",
    )
    .expect("write page");
    let run = headless(
        browser,
        &dir.path().join("profile"),
        &page,
        &[
            format!("--screenshot={}", dir.path().join("shot.png").display()),
            "--window-size=400,300".to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    let problems = page_problems(&stderr);
    assert!(
        !problems.is_empty(),
        "a console error went unnoticed; chromium's log:\n{stderr}"
    );
}
