//! Every input a fuzzer (or a proptest run) ever crashed on, replayed through the same
//! entry point on every `cargo test`. Inputs live in `tests/fixtures/fuzz/<target>/`, one
//! file each, named after what they found (`crash-<what>`); add a file, and it is tested.
//! The fuzz runs recorded in docs/security.md found no crash; the `corpus-*` files are a
//! few inputs from those runs' corpora that reach deep into each entry point.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

mod robustness_gen;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) -> usize {
    // A fresh checkout has at least the corpus samples; an empty directory means the
    // fixtures went missing.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    inputs.retain(|p: &std::path::PathBuf| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"));
    inputs.sort();
    for input in &inputs {
        let bytes = std::fs::read(input).unwrap();
        let name = input.display().to_string();
        let result = std::panic::catch_unwind(|| run(&bytes));
        assert!(result.is_ok(), "{name} crashes again");
    }
    assert!(!inputs.is_empty(), "no inputs under {}", dir.display());
    inputs.len()
}

#[test]
fn parse_check() {
    replay("parse_check", robustness_gen::parse_bytes);
}

#[test]
fn load_csv() {
    replay("load_csv", robustness_gen::csv_bytes);
}

#[test]
fn load_json() {
    replay("load_json", robustness_gen::json_bytes);
}

#[test]
fn load_jsonl() {
    replay("load_jsonl", robustness_gen::jsonl_bytes);
}

#[test]
fn eval() {
    replay("eval", robustness_gen::eval_bytes);
}
