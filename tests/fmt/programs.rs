//! Random rule programs for the formatter's property test.
//!
//! A program is generated as a list of tokens (each one a piece of text the grammar reads
//! as a whole: a word, a literal, a string, an operator, `iso27001:A.5.18`) and then
//! printed with random whitespace and comments between every two tokens. Expressions are
//! printed naively, with parentheses added at random; whatever tree the parser makes of
//! them, formatting must keep it.

use proptest::prelude::*;
use proptest::sample::select;

type Tokens = Vec<String>;

fn t(s: &str) -> Tokens {
    vec![s.to_string()]
}

fn cat(parts: Vec<Tokens>) -> Tokens {
    parts.into_iter().flatten().collect()
}

fn word(choices: &'static [&'static str]) -> BoxedStrategy<String> {
    select(choices).prop_map(str::to_string).boxed()
}

/// Names that are not keywords.
fn name() -> BoxedStrategy<String> {
    word(&["a", "b", "x", "capa", "total", "revoke_within", "lower"])
}

/// Field names after a dot may be keywords.
fn field_name() -> BoxedStrategy<String> {
    word(&["status", "x", "created", "in", "where", "none"])
}

fn string() -> BoxedStrategy<String> {
    word(&[
        "\"Closed\"",
        "\"\"",
        "\"a \\\"quoted\\\" word\"",
        "\"tab\\there\"",
        "\"\\u{41}BC\"",
        "\"# not a comment\"",
        "\"two\n   lines\"",
    ])
}

fn literal() -> BoxedStrategy<String> {
    prop_oneof![
        (0u32..1000).prop_map(|n| n.to_string()),
        word(&[
            "2.5", "0.1", "95%", "99.5%", "24h", "30d", "2w", "1d12h", "90min", "1.5h", "250ms"
        ]),
        word(&[
            "2026-11-22",
            "2024-02-29",
            "2026-11-22T10:00:00Z",
            "2026-01-01T00:00:00+02:00"
        ]),
        word(&["12 months", "1   year", "3 years", "1 month"]),
        word(&["true", "false", "none", "as_of"]),
        string(),
    ]
    .boxed()
}

fn binary_op() -> BoxedStrategy<String> {
    word(&[
        "or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "matches", "+", "-", "*",
        "/",
    ])
}

fn quant_kind() -> BoxedStrategy<String> {
    word(&[
        "all", "any", "no", "count", "share", "min", "max", "sum", "avg", "median", "p90", "p5", "p05",
    ])
}

fn paren(tokens: Tokens) -> Tokens {
    cat(vec![t("("), tokens, t(")")])
}

fn comma_list(items: Vec<Tokens>, trailing: bool) -> Tokens {
    let n = items.len();
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        out.extend(item);
        if i + 1 < n || trailing {
            out.push(",".to_string());
        }
    }
    out
}

/// An expression as tokens.
pub fn expr() -> BoxedStrategy<Tokens> {
    let leaf = prop_oneof![
        3 => literal().prop_map(|l| vec![l]),
        2 => name().prop_map(|n| vec![n]),
        2 => (name(), prop::collection::vec(field_name(), 1..3)).prop_map(|(n, fields)| {
            let mut out = vec![n];
            for f in fields {
                out.push(".".to_string());
                out.push(f);
            }
            out
        }),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            // A comparison is parenthesised as a whole: comparisons do not chain (S009), and
            // token sequences glued side by side would otherwise chain them.
            3 => (inner.clone(), binary_op(), inner.clone()).prop_map(|(l, op, r)| {
                let comparison = !matches!(op.as_str(), "or" | "and" | "+" | "-" | "*" | "/");
                let e = cat(vec![l, vec![op], r]);
                if comparison { paren(e) } else { e }
            }),
            1 => (select(&["not", "-"][..]), inner.clone()).prop_map(|(op, e)| cat(vec![t(op), e])),
            1 => (inner.clone(), any::<bool>()).prop_map(|(e, neg)| {
                cat(vec![e, t("is"), if neg { t("not") } else { vec![] }, t("none")])
            }),
            2 => inner.clone().prop_map(paren),
            1 => (select(&["lower", "days", "month", "f"][..]), prop::collection::vec(inner.clone(), 0..3), any::<bool>())
                .prop_map(|(f, args, trailing)| {
                    let trailing = trailing && !args.is_empty();
                    cat(vec![t(f), t("("), comma_list(args, trailing), t(")")])
                }),
            1 => (prop::collection::vec(inner.clone(), 0..4), any::<bool>()).prop_map(|(items, trailing)| {
                let trailing = trailing && !items.is_empty();
                cat(vec![t("["), comma_list(items, trailing), t("]")])
            }),
            3 => quantifier(inner),
        ]
    })
    .boxed()
}

fn quantifier(inner: BoxedStrategy<Tokens>) -> BoxedStrategy<Tokens> {
    let source = prop_oneof![
        name().prop_map(|n| vec![n]),
        (name(), field_name()).prop_map(|(n, f)| vec![n, ".".to_string(), f]),
        inner.clone().prop_map(paren),
        Just(vec![
            "[".to_string(),
            "1".to_string(),
            ",".to_string(),
            "2".to_string(),
            "]".to_string()
        ]),
        Just(vec![
            "f".to_string(),
            "(".to_string(),
            "capa".to_string(),
            ")".to_string()
        ]),
    ];
    (
        quant_kind(),
        select(&["c", "d", "e"][..]),
        source,
        prop::option::of(inner.clone()),
        prop::option::of(inner.clone()),
        prop::option::of(inner),
    )
        .prop_map(|(kind, var, source, filter, group, body)| {
            let mut out = vec![kind, var.to_string(), "in".to_string()];
            out.extend(source);
            if let Some(f) = filter {
                out.push("where".to_string());
                out.extend(f);
            }
            if let Some(g) = group {
                out.push("by".to_string());
                out.extend(g);
            }
            if let Some(b) = body {
                out.push(":".to_string());
                out.extend(b);
            }
            out
        })
        .boxed()
}

fn strings() -> BoxedStrategy<Tokens> {
    (prop::collection::vec(string(), 1..4))
        .prop_map(|s| comma_list(s.into_iter().map(|s| vec![s]).collect(), false))
        .boxed()
}

fn clause_refs() -> BoxedStrategy<Tokens> {
    prop::collection::vec(
        word(&[
            "iso27001:A.5.18",
            "iso9001:10.2",
            "iso27001:A.5.24..A.5.28",
            "iso42001:9.3",
            "iso22301:8.4.1",
        ]),
        1..12,
    )
    .prop_map(|refs| comma_list(refs.into_iter().map(|r| vec![r]).collect(), false))
    .boxed()
}

/// Entries in a random order.
fn shuffled(entries: Vec<BoxedStrategy<Tokens>>) -> BoxedStrategy<Tokens> {
    entries
        .prop_shuffle()
        .prop_map(|entries| entries.into_iter().flatten().collect())
        .boxed()
}

fn optional(s: BoxedStrategy<Tokens>) -> BoxedStrategy<Tokens> {
    prop::option::of(s).prop_map(Option::unwrap_or_default).boxed()
}

fn block(header: Tokens, entries: Tokens) -> Tokens {
    cat(vec![header, t("{"), entries, t("}")])
}

fn standard() -> BoxedStrategy<Tokens> {
    let entry = prop_oneof![
        (
            select(&["clause", "control"][..]),
            word(&["\"4\"", "\"A.5.18\"", "\"10.2.1\""]),
            prop::option::of(string())
        )
            .prop_map(|(kw, id, title)| {
                let mut out = vec![kw.to_string(), id];
                out.extend(title);
                out
            }),
        (word(&["\"A.9.2.6\"", "\"8.5.1.1\""]), strings()).prop_map(|(old, new)| cat(vec![
            t("superseded"),
            vec![old],
            t("by"),
            new
        ])),
    ];
    (name(), string(), prop::collection::vec(entry, 0..5))
        .prop_map(|(id, title, entries)| block(vec!["standard".to_string(), id, title], entries.concat()))
        .boxed()
}

fn dataset() -> BoxedStrategy<Tokens> {
    let option = prop_oneof![
        string().prop_map(|s| vec!["source".to_string(), s]),
        word(&["csv", "json", "jsonl", "xlsx"]).prop_map(|f| vec!["format".to_string(), f]),
        (
            word(&[
                "delimiter",
                "encoding",
                "sheet",
                "records",
                "timezone",
                "separator"
            ]),
            string()
        )
            .prop_map(|(k, s)| vec![k, s]),
        (word(&["null", "true_values", "false_values"]), strings()).prop_map(|(k, s)| cat(vec![vec![k], s])),
        word(&["decimal_comma", "unescape_formulas"]).prop_map(|w| vec![w]),
        Just(vec!["year_pivot".to_string(), "1970".to_string()]),
        Just(vec![
            "freshness".to_string(),
            "created".to_string(),
            "within".to_string(),
            "7d".to_string()
        ]),
    ];
    let field_option = prop_oneof![
        word(&["key", "required", "decimal_comma"]).prop_map(|w| vec![w]),
        (
            word(&["from", "format", "true_values", "false_values", "null"]),
            strings()
        )
            .prop_map(|(k, s)| cat(vec![vec![k], s])),
        (word(&["timezone", "separator"]), string()).prop_map(|(k, s)| vec![k, s]),
        word(&["s", "min", "h", "d", "w"]).prop_map(|u| vec!["unit".to_string(), u]),
    ];
    let field = (
        word(&["key", "status", "created", "a_rather_long_field_name", "in"]),
        word(&["text", "int", "datetime", "duration", "list"]),
        prop::collection::vec(field_option, 0..4),
    )
        .prop_map(|(n, ty, opts)| cat(vec![t("field"), vec![n, ":".to_string(), ty], opts.concat()]));
    (
        name(),
        prop::option::of(string()),
        prop::collection::vec(option, 0..4),
        prop::collection::vec(field, 0..4),
    )
        .prop_map(|(id, title, options, fields)| {
            let mut header = vec!["dataset".to_string(), id];
            header.extend(title);
            block(header, cat(vec![options.concat(), fields.concat()]))
        })
        .boxed()
}

fn param() -> BoxedStrategy<Tokens> {
    (any::<bool>(), name(), expr())
        .prop_map(|(over, n, e)| {
            let head = if over {
                vec!["override", "param"]
            } else {
                vec!["param"]
            };
            cat(vec![
                head.into_iter().map(str::to_string).collect(),
                vec![n, "=".to_string()],
                e,
            ])
        })
        .boxed()
}

fn requirement() -> BoxedStrategy<Tokens> {
    let metric = (name(), expr()).prop_map(|(n, e)| cat(vec![t("metric"), vec![n, "=".to_string()], e]));
    let expect = expr().prop_map(|e| cat(vec![t("expect"), e]));
    let body = prop::collection::vec(prop_oneof![metric, expect], 0..4)
        .prop_map(|v| v.concat())
        .boxed();
    let entries = shuffled(vec![
        optional(string().prop_map(|s| vec!["title".to_string(), s]).boxed()),
        optional(clause_refs().prop_map(|c| cat(vec![t("clauses"), c])).boxed()),
        optional(
            word(&["major", "minor", "observation"])
                .prop_map(|s| vec!["severity".to_string(), s])
                .boxed(),
        ),
        optional(string().prop_map(|s| vec!["owner".to_string(), s]).boxed()),
        optional(string().prop_map(|s| vec!["description".to_string(), s]).boxed()),
        optional(Just(vec!["allow".to_string(), "empty".to_string()]).boxed()),
        body,
    ]);
    (word(&["capa.cycle_time", "r", "access.revoked.x"]), entries)
        .prop_map(|(id, entries)| block(vec!["requirement".to_string(), id], entries))
        .boxed()
}

fn date() -> BoxedStrategy<String> {
    word(&["2026-10-01", "2027-01-31"])
}

fn waiver() -> BoxedStrategy<Tokens> {
    let entries = shuffled(vec![
        optional(Just(vec!["requirement".to_string(), "capa.cycle_time".to_string()]).boxed()),
        optional(strings().prop_map(|s| cat(vec![t("records"), s])).boxed()),
        optional(string().prop_map(|s| vec!["reason".to_string(), s]).boxed()),
        optional(string().prop_map(|s| vec!["approved_by".to_string(), s]).boxed()),
        optional(date().prop_map(|d| vec!["approved_on".to_string(), d]).boxed()),
        optional(date().prop_map(|d| vec!["expires".to_string(), d]).boxed()),
    ]);
    (word(&["W-2026-004", "W_1", "2026.1"]), entries)
        .prop_map(|(id, e)| block(vec!["waiver".to_string(), id], e))
        .boxed()
}

fn attestation() -> BoxedStrategy<Tokens> {
    let entries = shuffled(vec![
        optional(clause_refs().prop_map(|c| cat(vec![t("clauses"), c])).boxed()),
        optional(string().prop_map(|s| vec!["statement".to_string(), s]).boxed()),
        optional(string().prop_map(|s| vec!["attested_by".to_string(), s]).boxed()),
        optional(date().prop_map(|d| vec!["attested_on".to_string(), d]).boxed()),
        optional(string().prop_map(|s| vec!["document".to_string(), s]).boxed()),
        optional(date().prop_map(|d| vec!["expires".to_string(), d]).boxed()),
    ]);
    entries
        .prop_map(|e| block(vec!["attestation".to_string(), "ATT-1".to_string()], e))
        .boxed()
}

fn applicability() -> BoxedStrategy<Tokens> {
    // Each entry at most once: the syntax tree keeps only the last of repeated entries.
    let entries = shuffled(vec![
        optional(Just(vec!["dataset".to_string(), "soa".to_string()]).boxed()),
        optional(Just(vec!["control".to_string(), "control".to_string()]).boxed()),
        optional(Just(vec!["applicable".to_string(), "ok".to_string()]).boxed()),
        optional(Just(vec!["justification".to_string(), "why".to_string()]).boxed()),
    ]);
    entries
        .prop_map(|e| block(vec!["applicability".to_string(), "iso27001".to_string()], e))
        .boxed()
}

fn test() -> BoxedStrategy<Tokens> {
    let cell = (field_name(), expr()).prop_map(|(n, e)| cat(vec![vec![n, "=".to_string()], e]));
    let row = (prop::collection::vec(cell, 0..3), any::<bool>()).prop_map(|(cells, trailing)| {
        let trailing = trailing && !cells.is_empty();
        cat(vec![t("{"), comma_list(cells, trailing), t("}")])
    });
    let given = prop_oneof![
        (name(), prop::collection::vec(row, 0..3), any::<bool>()).prop_map(|(d, rows, trailing)| {
            let trailing = trailing && !rows.is_empty();
            cat(vec![
                t("given"),
                vec![d],
                t("["),
                comma_list(rows, trailing),
                t("]"),
            ])
        }),
        (name(), string()).prop_map(|(d, s)| vec!["given".to_string(), d, "csv".to_string(), s]),
    ];
    let expectation = prop_oneof![
        word(&["pass", "waived", "not_applicable", "no_evidence", "error", "fail"])
            .prop_map(|s| vec!["expect".to_string(), s]),
        strings().prop_map(|s| cat(vec![t("expect"), t("fail"), s])),
        (name(), expr()).prop_map(|(n, e)| cat(vec![t("expect"), t("metric"), vec![n, "=".to_string()], e])),
    ];
    let entries = prop::collection::vec(
        prop_oneof![
            word(&["2026-11-22", "2026-11-22T10:00:00Z"]).prop_map(|d| vec!["as_of".to_string(), d]),
            (name(), expr()).prop_map(|(n, e)| cat(vec![t("param"), vec![n, "=".to_string()], e])),
            given,
            expectation,
        ],
        0..5,
    );
    (string(), entries)
        .prop_map(|(title, e)| {
            block(
                vec!["test".to_string(), "capa.cycle_time".to_string(), title],
                e.concat(),
            )
        })
        .boxed()
}

fn disable() -> BoxedStrategy<Tokens> {
    string()
        .prop_map(|s| vec!["disable".to_string(), "capa.cycle_time".to_string(), s])
        .boxed()
}

fn declaration() -> BoxedStrategy<Tokens> {
    prop_oneof![
        1 => standard(),
        1 => dataset(),
        2 => param(),
        3 => requirement(),
        1 => waiver(),
        1 => attestation(),
        1 => applicability(),
        1 => disable(),
        1 => test(),
    ]
    .boxed()
}

/// What goes between two tokens: never nothing, sometimes a comment.
fn separator() -> BoxedStrategy<String> {
    prop_oneof![
        8 => Just(" ".to_string()),
        2 => Just("   ".to_string()),
        2 => Just("\n".to_string()),
        1 => Just("\n\t  ".to_string()),
        1 => Just("\n\n".to_string()),
        1 => (0u8..100).prop_map(|n| format!("  # c{n}\n")),
        1 => (0u8..100).prop_map(|n| format!("\n  # own line {n}\n\n ")),
    ]
    .boxed()
}

/// A whole program, printed with random whitespace and comments.
///
/// Declarations start on a line of their own: the parser splits a file into declarations
/// at the start of the line of each declaration keyword, so `} waiver …` on one line does
/// not parse (a limitation of `syntax::scan`, not of the formatter).
pub fn program() -> BoxedStrategy<String> {
    prop::collection::vec(declaration(), 0..5)
        .prop_flat_map(|decls| {
            let mut starts = Vec::new();
            let mut tokens = Vec::new();
            for d in decls {
                starts.push(tokens.len());
                tokens.extend(d);
            }
            let n = tokens.len();
            (Just((tokens, starts)), prop::collection::vec(separator(), n + 1))
        })
        .prop_map(|((tokens, starts), seps)| {
            let mut text = String::new();
            for (i, (tok, sep)) in tokens.iter().zip(&seps).enumerate() {
                if starts.contains(&i) && !sep.contains('\n') {
                    text.push('\n');
                }
                text.push_str(sep);
                text.push_str(tok);
            }
            if let Some(last) = seps.last() {
                text.push_str(last);
            }
            text
        })
        .boxed()
}
