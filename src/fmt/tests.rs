//! Unit tests of single layout rules; fixtures, idempotence and the property test are in
//! `tests/fmt.rs`.

use super::format_source;

fn fmt(text: &str) -> String {
    match format_source(text) {
        Ok(t) => t,
        Err(d) => panic!("{d:?}"),
    }
}

/// The formatted value of `param p = <expr>`.
fn expr(e: &str) -> String {
    let out = fmt(&format!("param p = {e}\n"));
    out.strip_prefix("param p = ")
        .unwrap_or(&out)
        .trim_end()
        .to_string()
}

#[test]
fn parentheses_follow_precedence() {
    let cases = [
        ("(a + b) * c", "(a + b) * c"),
        ("a + (b * c)", "a + b * c"),
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("not (a and b)", "not (a and b)"),
        ("(not a) and b", "not a and b"),
        ("(not a) == b", "(not a) == b"),
        ("not (a == b)", "not a == b"),
        ("(a + b) is none", "a + b is none"),
        ("(a == b) is none", "(a == b) is none"),
        ("-(a is none)", "-(a is none)"),
        ("(-a) is none", "-a is none"),
        ("-(-a)", "- -a"),
        ("a or (b and c)", "a or (b and c)"),
        ("a or b and c", "a or (b and c)"),
        ("(a or b) and c", "(a or b) and c"),
        ("(a < b) == c", "(a < b) == c"),
        ("a == (b in c)", "a == (b in c)"),
    ];
    for (input, want) in cases {
        assert_eq!(expr(input), want, "{input}");
    }
}

#[test]
fn a_quantifier_is_parenthesised_unless_it_ends_the_expression() {
    assert_eq!(expr("(count c in capa) > 3"), "(count c in capa) > 3");
    assert_eq!(expr("3 < (count c in capa)"), "3 < count c in capa");
    assert_eq!(
        expr("(all c in d: c.x) and (any c in d: c.y)"),
        "(all c in d: c.x) and any c in d: c.y"
    );
    assert_eq!(
        expr("all c in d where (any e in f: e.x): c.y"),
        "all c in d where (any e in f: e.x): c.y"
    );
    assert_eq!(expr("[(all c in d: c.x), 1]"), "[all c in d: c.x, 1]");
}

#[test]
fn literals_stay_as_written() {
    assert_eq!(expr("( 24h )"), "24h");
    assert_eq!(expr("2w + 1d12h"), "2w + 1d12h");
    assert_eq!(expr("12    months"), "12 months");
    assert_eq!(expr(r#""a\"b\u{41}""#), r#""a\"b\u{41}""#);
    assert_eq!(expr("p05 c in capa: c.x"), "p05 c in capa: c.x");
}

#[test]
fn requirement_entries_take_the_canonical_order() {
    let out =
        fmt("requirement r { expect m > 1 metric m = 2 owner \"o\" severity minor allow empty title \"t\" }");
    assert_eq!(
        out,
        "requirement r {\n  title    \"t\"\n  severity minor\n  owner    \"o\"\n  allow empty\n  expect   m > 1\n  metric   m = 2\n}\n"
    );
}

#[test]
fn blank_lines_between_one_line_declarations_are_kept_others_added() {
    assert_eq!(
        fmt("param a = 1\nparam b = 2\n\n\n\nparam c = 3\n"),
        "param a = 1\nparam b = 2\n\nparam c = 3\n"
    );
    assert_eq!(fmt("param a = 1\nwaiver W {}\n"), "param a = 1\n\nwaiver W {}\n");
}

#[test]
fn a_comment_after_an_untitled_clause_stays_with_the_next_entry() {
    // Pest's span of `clause "1"` (the title is optional) reaches over the comment.
    let out = fmt("standard s \"S\" {\n  clause \"1\"\n  # about two\n  clause \"2\" \"Two\"\n}\n");
    assert_eq!(
        out,
        "standard s \"S\" {\n  clause  \"1\"\n  # about two\n  clause  \"2\" \"Two\"\n}\n"
    );
}

#[test]
fn trailing_comments_of_a_block_align() {
    let out = fmt(
        "dataset d {\n  source \"a.csv\" # a\n  field x : text # b\n  field long_name : int from \"L\"\n}\n",
    );
    assert_eq!(
        out,
        "dataset d {\n  source \"a.csv\"          # a\n  field x         : text  # b\n  field long_name : int from \"L\"\n}\n"
    );
}

#[test]
fn comments_that_end_up_on_one_line_keep_their_order() {
    assert_eq!(
        fmt("param a = 1 + # one\n  2 # two\n"),
        "# one\nparam a = 1 + 2  # two\n"
    );
}

#[test]
fn a_comment_inside_a_where_clause_breaks_it() {
    let out = fmt("requirement r {\n  expect all c in d where c.x # why\n    and c.y: c.z\n}\n");
    assert_eq!(
        out,
        "requirement r {\n  expect   all c in d where c.x  # why\n                            and c.y:\n             c.z\n}\n"
    );
}

#[test]
fn records_without_fields_keep_their_comments() {
    let text = "test t \"x\" {\n  given d [\n    {},  # first\n    # second\n    {},\n  ]\n}\n";
    assert_eq!(fmt(text), text);
}
