//! Parser tests: every construct, precedence, nesting, and hostile input.

use super::ast::*;
use super::*;
use crate::diagnostic::Code;

fn parse(text: &str) -> (File, Vec<crate::diagnostic::Diagnostic>) {
    let mut sources = SourceMap::new();
    let id = sources.add_text("t.rules", text);
    parse_file(&sources, id)
}

fn parse_ok(text: &str) -> File {
    let (file, diags) = parse(text);
    assert!(
        diags.is_empty(),
        "unexpected diagnostics for {text:?}: {diags:#?}"
    );
    file
}

/// An expression as an S-expression, to assert structure (precedence, nesting).
fn sexpr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(l) => match l {
            Literal::Int(i) => i.to_string(),
            Literal::Number(n) => n.to_string(),
            Literal::Text(t) => format!("{t:?}"),
            Literal::Bool(b) => b.to_string(),
            Literal::None => "none".into(),
            Literal::Date(d) => format!("date{d}"),
            Literal::DateTime(t) => format!("dt{t}"),
            Literal::Duration(d) => format!("dur{d}"),
            Literal::Months(m) => format!("months{m}"),
            Literal::Percent(p) => format!("{p}%"),
        },
        ExprKind::AsOf => "as_of".into(),
        ExprKind::Name(i) => i.name.clone(),
        ExprKind::Field(b, f) => format!("{}.{}", sexpr(b), f.name),
        ExprKind::Call(f, args) => format!(
            "({} {})",
            f.name,
            args.iter().map(sexpr).collect::<Vec<_>>().join(" ")
        ),
        ExprKind::List(items) => format!("[{}]", items.iter().map(sexpr).collect::<Vec<_>>().join(" ")),
        ExprKind::Unary(UnaryOp::Not, a) => format!("(not {})", sexpr(a)),
        ExprKind::Unary(UnaryOp::Neg, a) => format!("(neg {})", sexpr(a)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", op.as_str(), sexpr(a), sexpr(b)),
        ExprKind::IsNone { expr, negated } => format!(
            "({} {})",
            if *negated { "is-not-none" } else { "is-none" },
            sexpr(expr)
        ),
        ExprKind::Quantifier(q) => {
            let mut s = format!("({} {} {}", q.kind.name(), q.var.name, sexpr(&q.source));
            if let Some(f) = &q.filter {
                s.push_str(&format!(" where {}", sexpr(f)));
            }
            if let Some(g) = &q.group {
                s.push_str(&format!(" by {}", sexpr(g)));
            }
            if let Some(b) = &q.body {
                s.push_str(&format!(" : {}", sexpr(b)));
            }
            s.push(')');
            s
        }
    }
}

fn expr(text: &str) -> String {
    let file = parse_ok(&format!("param p = {text}"));
    match file.declarations.first() {
        Some(Declaration::Param(p)) => sexpr(&p.value),
        other => panic!("not a param: {other:?}"),
    }
}

#[test]
fn precedence_follows_the_pratt_table() {
    assert_eq!(expr("a or b and c"), "(or a (and b c))");
    assert_eq!(expr("not a and b"), "(and (not a) b)");
    assert_eq!(expr("not a == b"), "(not (== a b))");
    assert_eq!(expr("a + b * c < d - e"), "(< (+ a (* b c)) (- d e))");
    assert_eq!(expr("a - b - c"), "(- (- a b) c)");
    assert_eq!(expr("-a * b"), "(* (neg a) b)");
    assert_eq!(expr("a.b - c.d <= 24h"), "(<= (- a.b c.d) dur86400000000)");
    assert_eq!(
        expr("x is none or y is not none"),
        "(or (is-none x) (is-not-none y))"
    );
    assert_eq!(expr("a + b is none"), "(is-none (+ a b))");
    assert_eq!(
        expr("s in [\"A\", \"B\"] and t not in l"),
        "(and (in s [\"A\" \"B\"]) (not in t l))"
    );
    assert_eq!(
        expr("l contains \"x\" or s matches \"^A\""),
        "(or (contains l \"x\") (matches s \"^A\"))"
    );
    assert_eq!(expr("(a or b) and c"), "(and (or a b) c)");
}

#[test]
fn literals_of_every_kind() {
    assert_eq!(expr("42"), "42");
    assert_eq!(expr("4.5"), "4.5");
    assert_eq!(expr("95%"), "95%");
    assert_eq!(expr("12.5%"), "12.5%");
    assert_eq!(expr("\"a\\\"b\\n\\u{e9}\""), "\"a\\\"b\\né\"");
    assert_eq!(expr("true"), "true");
    assert_eq!(expr("none"), "none");
    assert_eq!(expr("1970-01-02"), "date1");
    assert_eq!(expr("1970-01-01T00:00:01Z"), "dt1000000");
    assert_eq!(expr("1970-01-01T02:00:00+02:00"), "dt0");
    assert_eq!(expr("2w"), format!("dur{}", 14 * 86_400_000_000i64));
    assert_eq!(expr("1d12h"), format!("dur{}", 36 * 3_600_000_000i64));
    assert_eq!(expr("90min"), format!("dur{}", 90 * 60_000_000i64));
    assert_eq!(expr("12 months"), "months12");
    assert_eq!(expr("1 year"), "months12");
    assert_eq!(expr("as_of - 12 months"), "(- as_of months12)");
    assert_eq!(expr("[]"), "[]");
}

#[test]
fn quantifiers_nest_with_filters_groups_and_bodies() {
    assert_eq!(
        expr(
            "all l in leavers where l.t <= as_of - 1d: any e in events where e.u == lower(l.m): e.at - l.t <= 24h"
        ),
        "(all l leavers where (<= l.t (- as_of dur86400000000)) : (any e events where (== e.u (lower l.m)) : (<= (- e.at l.t) dur86400000000)))"
    );
    assert_eq!(
        expr("share t in training where t.mandatory by t.department: t.done"),
        "(share t training where t.mandatory by t.department : t.done)"
    );
    assert_eq!(expr("count c in capa"), "(count c capa)");
    assert_eq!(
        expr("p90 c in capa: days(c.r - c.c)"),
        "(p90 c capa : (days (- c.r c.c)))"
    );
    assert_eq!(
        expr("count i in incidents by month(i.opened)"),
        "(count i incidents by (month i.opened))"
    );
    assert_eq!(
        expr("all s in [\"A\"]: s != \"B\""),
        "(all s [\"A\"] : (!= s \"B\"))"
    );
    assert_eq!(expr("(count c in capa) > 3"), "(> (count c capa) 3)");
    for kind in [
        "all", "any", "no", "count", "share", "min", "max", "sum", "avg", "median", "p50", "p99",
    ] {
        assert!(expr(&format!("{kind} x in d: x.v")).starts_with(&format!("({kind} x d")));
    }
}

#[test]
fn names_may_contain_keywords_as_parts() {
    assert_eq!(
        expr("p90_days + notable + index + nobody"),
        "(+ (+ (+ p90_days notable) index) nobody)"
    );
    assert_eq!(expr("c.count + c.all"), "(+ c.count c.all)");
}

#[test]
fn every_declaration_parses() {
    let file = parse_ok(
        r#"
# comment
standard iso27001 "ISO/IEC 27001:2022" {
  clause  "9.2"    "Internal audit"
  clause  "8.7.2"
  control "A.5.18" "Access rights"
  superseded "A.9.2.6" by "A.5.18", "A.6.5"
}
dataset capa "Jira" {
  source "jira/capa.csv"
  format csv
  delimiter ";"
  encoding "windows-1252"
  null "?", "N/A"
  timezone "Europe/Helsinki"
  true_values "Yes"
  false_values "No"
  separator "; "
  decimal_comma
  year_pivot 1970
  unescape_formulas
  freshness created within 7d
  field key     : text key required from "Issue key", "Key"
  field created : datetime from "Created" format "%d/%b/%y %-I:%M %p", "%d/%m/%Y %H:%M" timezone "UTC"
  field rto     : duration from "RTO (h)" unit h decimal_comma
  field ok      : bool true_values "Y" false_values "N" null "--"
  field tags    : list from "Labels" separator ","
}
param capa_days = 30d
override param capa_days = 14d
requirement capa.cycle_time {
  title "T"
  clauses iso27001:9.2, iso27001:A.5.18..A.6.5
  severity minor
  owner "Quality manager"
  description "Line one
    line two"
  allow empty
  metric n = count c in capa
  expect n >= 0
}
waiver W-2026-004 {
  requirement capa.cycle_time
  records "CAPA-1", "CAPA-2"
  reason "R"
  approved_by "MD"
  approved_on 2026-10-01
  expires 2027-01-31
}
applicability iso27001 {
  dataset soa
  control control
  applicable applicable
  justification justification
}
attestation ATT-1 {
  clauses iso27001:9.2
  statement "S"
  attested_by "MD"
  attested_on 2026-03-02
  document "DOC-1"
  expires 2027-03-02
}
disable capa.other "Covered by the group policy"
test capa.cycle_time "inline evidence" {
  as_of 2026-11-22
  param capa_days = 10d
  given capa [
    { key = "CAPA-1", created = 2026-09-01T09:00:00Z },
    { key = "CAPA-2" },
  ]
  given capa csv "Issue key,Created\nCAPA-3,01/Sep/26 9:00 AM\n"
  expect fail "CAPA-1"
  expect pass
  expect metric n = 2
}
"#,
    );
    let kinds: Vec<&str> = file
        .declarations
        .iter()
        .map(|d| match d {
            Declaration::Standard(_) => "standard",
            Declaration::Dataset(_) => "dataset",
            Declaration::Param(p) if p.is_override => "override",
            Declaration::Param(_) => "param",
            Declaration::Requirement(_) => "requirement",
            Declaration::Waiver(_) => "waiver",
            Declaration::Applicability(_) => "applicability",
            Declaration::Attestation(_) => "attestation",
            Declaration::Disable(_) => "disable",
            Declaration::Test(_) => "test",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "standard",
            "dataset",
            "param",
            "override",
            "requirement",
            "waiver",
            "applicability",
            "attestation",
            "disable",
            "test"
        ]
    );
    let Some(Declaration::Dataset(d)) = file.declarations.get(1) else {
        panic!()
    };
    assert_eq!(d.options.len(), 13);
    assert_eq!(d.fields.len(), 5);
    assert_eq!(d.fields[0].options.len(), 3);
    let Some(Declaration::Requirement(r)) = file.declarations.get(4) else {
        panic!()
    };
    let Some(RequirementEntry::Description(desc)) = r
        .entries
        .iter()
        .find(|e| matches!(e, RequirementEntry::Description(_)))
    else {
        panic!()
    };
    assert_eq!(desc.value, "Line one line two");
    let Some(RequirementEntry::Clauses(refs, _)) = r.entries.get(1) else {
        panic!()
    };
    assert_eq!(refs[1].clause.node, "A.5.18");
    assert_eq!(refs[1].until.as_ref().map(|u| u.node.as_str()), Some("A.6.5"));
    let Some(Declaration::Test(t)) = file.declarations.get(9) else {
        panic!()
    };
    assert_eq!(t.entries.len(), 7);
}

#[test]
fn spans_point_at_the_source() {
    let text = "param limit = 30d\n";
    let file = parse_ok(text);
    let Some(Declaration::Param(p)) = file.declarations.first() else {
        panic!()
    };
    assert_eq!(&text[p.name.span.range()], "limit");
    assert_eq!(&text[p.value.span.range()], "30d");
    assert_eq!(&text[p.span.range()], "param limit = 30d");
}

#[test]
fn a_syntax_error_does_not_hide_the_next_declaration() {
    let (file, diags) = parse("param a = = 1\nparam b = 2\nparam c = )\nparam d = 4\n");
    assert_eq!(diags.len(), 2, "{diags:#?}");
    assert!(diags.iter().all(|d| d.code == Code::S001));
    assert_eq!(file.declarations.len(), 2);
}

#[test]
fn impossible_literals_are_diagnosed() {
    for (text, needle) in [
        ("param d = 2026-02-30", "February 2026 has 28 days"),
        ("param d = 2026-13-01", "no month 13"),
        ("param n = 99999999999999999999", "64-bit"),
        ("param d = 9999999999999999w", "too long a duration"),
    ] {
        let (_, diags) = parse(text);
        assert_eq!(diags.len(), 1, "{text}");
        assert_eq!(diags[0].code, Code::S005, "{text}");
        assert!(diags[0].message.contains(needle), "{text}: {}", diags[0].message);
    }
}

#[test]
fn hostile_input_never_panics() {
    let inputs: Vec<String> = vec![
        String::new(),
        "\u{0}\u{1}\u{2}garbage\u{ff}".into(),
        "requirement {".into(),
        "param s = \"unterminated".into(),
        "standard x \"t\" { clause \"1\" ".into(),
        "}}}}}".into(),
        "param p = 1 +".into(),
        "#".into(),
        "param a = \"\\u{110000}\"".into(),
        "param a = \"\\u{d800}\"".into(),
        "é".repeat(1000),
    ];
    for text in inputs {
        let _ = parse(&text);
    }
}

#[test]
fn deep_nesting_is_refused_with_a_clear_error() {
    let deep = format!("param a = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let (_, diags) = parse(&deep);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::S002);
    for text in [
        format!("param a = {}true", "not ".repeat(100_000)),
        format!("param a = 1{}", " + 1".repeat(100_000)),
        format!("param a = {}x in d: true", "all x in d: ".repeat(5_000)),
    ] {
        let (_, diags) = parse(&text);
        assert_eq!(diags.first().map(|d| d.code), Some(Code::S002));
    }
}

#[test]
fn a_ten_megabyte_line_is_handled() {
    let long_string = format!("param a = \"{}\"", "x".repeat(10 * 1024 * 1024));
    let file = parse_ok(&long_string);
    assert_eq!(file.declarations.len(), 1);
    let long_garbage = "x".repeat(10 * 1024 * 1024);
    let (_, diags) = parse(&long_garbage);
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].code, Code::S001);
    let long_list = format!("param a = [{}\"a\"]", "\"a\", ".repeat(200_000));
    let (_, diags) = parse(&long_list);
    assert!(diags.is_empty());
}

#[test]
fn comparisons_do_not_chain_without_parentheses() {
    for text in [
        "param p = a < b <= c\n",
        "param p = a == b == c\n",
        "param p = x in l == true\n",
        "param p = (count c in capa where c.due < as_of <= 0)\n",
    ] {
        let (_, diags) = parse(text);
        let codes: Vec<Code> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::S009], "{text}");
    }
    // Parenthesised, the left comparison is a bool like any other.
    parse_ok("param p = (a < b) == c\n");
    parse_ok("param p = a == (b < c)\n");
    parse_ok("param p = a < b and b <= c\n");
}

#[test]
fn arithmetic_and_comparison_operators_not_covered_above() {
    assert_eq!(expr("a / b * c"), "(* (/ a b) c)");
    assert_eq!(expr("a + b / c >= d"), "(>= (+ a (/ b c)) d)");
    assert_eq!(expr("a > b or a >= c"), "(or (> a b) (>= a c))");
    // Documented in language.md 4.3: `is none` binds tighter than a comparison.
    assert_eq!(expr("a == b is none"), "(== a (is-none b))");
    assert_eq!(expr("(a == b) is none"), "(is-none (== a b))");
}

#[test]
fn calls_take_several_arguments_and_nest() {
    assert_eq!(expr("round(x, 1)"), "(round x 1)");
    assert_eq!(
        expr("coalesce(c.resolved, as_of) - c.created"),
        "(- (coalesce c.resolved as_of) c.created)"
    );
    assert_eq!(
        expr("starts_with(lower(trim(a)), \"x\")"),
        "(starts_with (lower (trim a)) \"x\")"
    );
}

#[test]
fn quantifier_sources_may_be_parenthesised_or_calls() {
    assert_eq!(expr("all s in (l): s != \"B\""), "(all s l : (!= s \"B\"))");
    assert_eq!(expr("count t in split(x, \",\")"), "(count t (split x \",\"))");
    assert_eq!(
        expr("any t in c.tags: t == \"a\""),
        "(any t c.tags : (== t \"a\"))"
    );
}

#[test]
fn date_time_literal_variants() {
    assert_eq!(expr("1970-01-01T02:00+02:00"), "dt0");
    assert_eq!(expr("1970-01-01T02:00:00+0200"), "dt0");
    assert_eq!(expr("1970-01-01T00:01Z"), "dt60000000");
    assert_eq!(expr("1970-01-01T00:00:00.5Z"), "dt500000");
    assert_eq!(expr("1970-01-01T00:00:00.000001Z"), "dt1");
}

#[test]
fn duration_units_and_fractions() {
    assert_eq!(expr("90s"), "dur90000000");
    assert_eq!(expr("500ms"), "dur500000");
    assert_eq!(expr("1.5h"), format!("dur{}", 90 * 60_000_000i64));
}

#[test]
fn comments_may_sit_inside_expressions() {
    assert_eq!(expr("a # the first\n  + b # the second\n  * c"), "(+ a (* b c))");
    assert_eq!(expr("all x in d # every record\n: x.v"), "(all x d : x.v)");
}

#[test]
fn an_impossible_date_time_is_explained_in_our_words() {
    for (text, said) in [
        ("2026-01-01T25:00:00Z", "the hour `25` is out of range (00 to 23)"),
        ("2026-01-01T10:61Z", "the minute `61` is out of range (00 to 59)"),
        ("2026-02-30T10:00:00Z", "there is no date `2026-02-30`"),
    ] {
        let (_, diags) = parse(&format!("param p = {text}"));
        assert_eq!(diags.len(), 1, "{text}: {diags:#?}");
        assert_eq!(diags[0].code, Code::S005);
        assert_eq!(
            diags[0].message,
            format!("`{text}` is not a valid date-time: {said}")
        );
    }
}
