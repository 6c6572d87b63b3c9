//! The single registry of diagnostic codes.
//!
//! A code is a stage letter and three digits: `S0xx` syntax, `C1xx` names, `C2xx` types,
//! `C3xx` lints (warnings), `D4xx` evidence loading, `R5xx` evaluation. Codes are stable:
//! a code is never reused for another meaning. Each entry's documentation says what it
//! means, why it matters and shows an example; `auditready explain-code C105` prints it,
//! and a test checks that every code has a snapshot showing it.

use super::Severity;

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $code:ident = $sev:ident, $title:literal; )*) => {
        /// A stable diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[doc = $doc])* $code, )*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$code),*];

            /// The code as written in output (`C105`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$code => stringify!($code)),* }
            }

            /// A short name for the kind of problem.
            pub fn title(self) -> &'static str {
                match self { $(Code::$code => $title),* }
            }

            /// The severity diagnostics with this code have unless the stage says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$code => Severity::$sev),* }
            }

            /// What it means, why it matters, and an example.
            pub fn documentation(self) -> &'static str {
                match self { $(Code::$code => concat!($($doc, "\n"),*)),* }
            }
        }
    };
}

impl Code {
    /// Looks a code up by its written form, case-insensitively.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

codes! {
    /// What: the text is not valid rule syntax at this point.
    /// Why: nothing in a file with a syntax error can be trusted to mean what it says.
    /// Example: `expect all c in capa c.closed` (the `:` before the body is missing).
    S001 = Error, "syntax error";
    /// What: brackets or prefix operators nest deeper than the parser allows (256 levels).
    /// Why: the bound keeps hostile rule files from exhausting the stack.
    /// Example: a file with 10 000 `(` in a row.
    S002 = Error, "nesting too deep";
    /// What: the rule file is not valid UTF-8.
    /// Why: rule files are text; a binary file was probably picked up by mistake.
    /// Example: a `.rules` file saved as UTF-16.
    S003 = Error, "invalid utf-8";
    /// What: the rule file is larger than 16 MiB.
    /// Why: no real rule file comes close; the bound protects the parser.
    /// Example: a generated file with a 20 MB string literal.
    S004 = Error, "rule file too large";
    /// What: a literal cannot be represented: an impossible date, a number out of range,
    /// a duration that overflows, an unknown escape.
    /// Why: a silently wrong constant would change verdicts.
    /// Example: `2026-02-30`, `99999999999999999999`, `"\u{110000}"`.
    S005 = Error, "invalid literal";
    /// What: the rules directory or a rule file cannot be read.
    /// Why: a missing rule file would silently drop requirements.
    /// Example: `--rules ./rulez` where the directory does not exist.
    S006 = Error, "cannot read rules";
    /// What: the rules directory holds no `*.rules` file.
    /// Why: an empty rule set checks nothing and must not look like a pass.
    /// Example: `--rules ./evidence`.
    S007 = Error, "no rule files";
    /// What: `auditready fmt` could not lay the file out without losing a comment or
    /// changing what the rules say; the file is left as it is.
    /// Why: a formatter must never change rules; it checks its own output before writing.
    /// Example: none known: this is a bug in the formatter; please report it with the file.
    S008 = Error, "formatter failure";

    /// What: two comparisons in a row without parentheses, like `a < b <= c`.
    /// Why: read as `(a < b) <= c` it compares a bool with a value, which is never what was
    /// meant; most often a bodiless quantifier's `where` swallowed the comparison with its
    /// target (`count c in capa where … <= 0`).
    /// Example: `expect count c in capa where c.due < as_of <= 0` (write
    /// `(count c in capa where c.due < as_of) <= 0`).
    S009 = Error, "comparisons do not chain";

    /// What: a name that should be a dataset is not declared.
    /// Why: a requirement over an undeclared dataset cannot be evaluated.
    /// Example: `all l in leaver: …` where the dataset is `leavers`.
    C101 = Error, "unknown dataset";
    /// What: a field is not declared in the dataset.
    /// Why: every field must map to an export column so the rule reads real evidence.
    /// Example: `c.closed` where `capa` declares `resolved`.
    C102 = Error, "unknown field";
    /// What: a name is neither a quantifier variable in scope, a param nor a metric.
    /// Why: unresolved names would silently be empty.
    /// Example: `c.resolved - c.created < max_days` with no `param max_days`.
    C103 = Error, "unknown name";
    /// What: a clause reference or catalog names a standard that is not declared.
    /// Why: readiness is reported per declared standard.
    /// Example: `clauses iso2700:9.2`.
    C104 = Error, "unknown standard";
    /// What: a clause or control is not in the standard's catalog.
    /// Why: clause coverage must refer to real clauses of the edition in force.
    /// Example: `clauses iso27001:9.4` (27001 has no clause 9.4).
    C105 = Error, "unknown clause";
    /// What: two declarations of the same kind share an id, or an entry repeats.
    /// Why: ids are how reports, waivers and tests refer to things.
    /// Example: two `requirement capa.cycle_time` blocks.
    C106 = Error, "duplicate";
    /// What: a waiver, test or `disable` names a requirement that does not exist.
    /// Why: a waiver that applies to nothing hides a typo and waives nothing.
    /// Example: `waiver W-1 { requirement capa.cycletime … }`.
    C107 = Error, "unknown requirement";
    /// What: a quantifier variable has the name of a variable already in scope.
    /// Why: the inner name would hide the outer record, a classic source of wrong joins.
    /// Example: `all c in capa: any c in capa: …`.
    C108 = Error, "shadowed variable";
    /// What: an expression uses a metric defined later in the requirement.
    /// Why: metrics are computed in order; a forward reference has no value yet.
    /// Example: `metric a = b * 2` before `metric b = …`.
    C109 = Error, "metric used before definition";
    /// What: a function name is not known.
    /// Why: the language has a fixed set of functions.
    /// Example: `lowercase(e.user)` (the function is `lower`).
    C110 = Error, "unknown function";
    /// What: a clause reference uses ISO/IEC 27001:2013 Annex A numbering.
    /// Why: certification is to the 2022 edition; the control was renumbered.
    /// Example: `clauses iso27001:A.9.2.6` (now A.5.18 and A.6.5 in 2022).
    C111 = Error, "superseded control";
    /// What: an `override param` names a param that no rule file declares.
    /// Why: an override of nothing would silently not apply.
    /// Example: `override param capa_days = 14d` where the param is `capa_max_days`.
    C112 = Error, "override of unknown param";
    /// What: a declaration lacks an entry it must have.
    /// Why: reports need a title, severity and clauses; datasets need a source.
    /// Example: a `requirement` without `severity`.
    C113 = Error, "missing entry";
    /// What: a requirement has no `expect`.
    /// Why: a requirement passes when every expect holds; with none it would always pass.
    /// Example: a requirement with only `metric` lines.
    C114 = Error, "requirement without expect";
    /// What: a dataset option or field option is invalid: unknown time zone, bad
    /// delimiter, a date format on a text field, a format the loader cannot read.
    /// Why: the loader must know exactly how to read the export.
    /// Example: `timezone "Europe/Helsinky"`.
    C115 = Error, "invalid dataset declaration";
    /// What: a record-level waiver names records, but the requirement has no top-level
    /// `all`/`no` over a dataset with a `key` field whose records it could name.
    /// Why: such a waiver could never match anything.
    /// Example: `records "CAPA-1"` on a requirement that only expects a metric.
    C116 = Error, "records cannot be waived";
    /// What: an attestation's `expires` date is before its `attested_on` date.
    /// Why: such an attestation is valid on no day at all; the dates are swapped or
    /// mistyped, and the clauses it names would silently need manual evidence.
    /// Example: `attested_on 2026-03-02` with `expires 2025-03-02`.
    C117 = Error, "attestation expires before it is made";
    /// What: a rule test has no `expect` entry.
    /// Why: a test that asserts nothing always passes; it would count as a test of the
    /// requirement and hide that nothing is checked.
    /// Example: `test capa.cycle_time "late CAPA" { as_of 2026-11-22 given capa [...] }`.
    C118 = Error, "test without expect";

    /// What: operands of an arithmetic operator have types it does not combine.
    /// Why: `text + date` has no meaning; the rule is probably not what was intended.
    /// Example: `c.summary + c.created`.
    C201 = Error, "type mismatch";
    /// What: a comparison between values of incompatible types or units.
    /// Why: comparing a duration with a bare number, or a percent with a count, hides a
    /// unit error that would flip verdicts.
    /// Example: `c.resolved - c.created < 30` (write `30d`).
    C202 = Error, "incomparable types";
    /// What: an aggregate (`sum`, `avg`, `median`, `pNN`, `min`, `max`) over values it
    /// cannot aggregate.
    /// Why: the average of text is meaningless.
    /// Example: `avg c in capa: c.status`.
    C203 = Error, "aggregate over non-numeric values";
    /// What: a condition (`where`, an `all`/`any`/`no` body, `expect`, `and`/`or`/`not`)
    /// is not a boolean.
    /// Why: a verdict must be true or false.
    /// Example: `expect count c in capa`.
    C204 = Error, "not a condition";
    /// What: a function was called with the wrong number or types of arguments.
    /// Why: each function has a fixed signature.
    /// Example: `days(c.created)` (days takes a duration).
    C205 = Error, "bad function arguments";
    /// What: a `matches` pattern is not a valid regular expression or not a literal.
    /// Why: patterns are compiled once, before anything runs.
    /// Example: `c.summary matches "(unclosed"`.
    C206 = Error, "invalid pattern";
    /// What: grouping (`by`) is used where one value per group cannot be used.
    /// Why: a grouped metric yields one value per group; only a metric and the expects
    /// on it can hold them.
    /// Example: `by` inside a nested quantifier.
    C207 = Error, "grouping not allowed here";
    /// What: a param value, override or `--param` has a different type than declared.
    /// Why: `--param capa_max_days=14` would turn a duration into a number.
    /// Example: `override param training_target = 30d` where the param is a percent.
    C208 = Error, "param type mismatch";
    /// What: a field's type name is not one of text, int, number, bool, date, datetime,
    /// duration, percent, list.
    /// Why: the loader converts each cell to the declared type.
    /// Example: `field due : timestamp`.
    C209 = Error, "unknown type";
    /// What: a record variable is used where a value is needed.
    /// Why: records are compared by their fields.
    /// Example: `c == "CAPA-1"` (write `c.key == "CAPA-1"`).
    C210 = Error, "record used as a value";
    /// What: the right side of `in` is not a list, or a quantifier ranges over something
    /// that is neither a dataset nor a list.
    /// Why: membership needs a list.
    /// Example: `c.status in "Closed"`.
    C211 = Error, "not a list";
    /// What: a field is accessed on something that is not a record.
    /// Why: only quantifier variables over datasets have fields.
    /// Example: `capa_max_days.value`.
    C212 = Error, "not a record";
    /// What: a param's value, an override or a value in a rule test is not a constant.
    /// Why: params are the organisation's targets and test records are data; both are fixed
    /// before evaluation.
    /// Example: `param cutoff = as_of - 30d`.
    C213 = Error, "param not constant";

    /// What: a dataset is declared but no requirement reads it.
    /// Why: evidence nobody checks is usually a forgotten requirement.
    /// Example: `dataset cmdb …` with no rule over `cmdb`.
    C301 = Warning, "unused dataset";
    /// What: a param is declared but never used.
    /// Why: a target that nothing uses gives false confidence.
    /// Example: `param restore_within = 4h` unused.
    C302 = Warning, "unused param";
    /// What: a waiver has expired (relative to today, or `--as-of`).
    /// Why: an expired waiver no longer applies; the records it covered fail again.
    /// Example: `expires 2026-01-31` checked on 2026-11-22.
    C303 = Warning, "expired waiver";

    /// What: a value is compared with `none` using `==` or `!=`.
    /// Why: a comparison with an empty value is unknown, so it never holds: every record
    /// would fail (or never match). Empty values are tested with `is none`.
    /// Example: `c.owner == none` (write `c.owner is none`).
    C305 = Warning, "comparison with none";

    /// What: an expect depends only on constants and params, not on any dataset or metric.
    /// Why: it passes (or fails) whatever the exports say, so it proves nothing about them.
    /// Example: `expect 1 == 1`, or `expect capa_max_days <= 30d`.
    C306 = Warning, "expect reads no evidence";

    /// What: the evidence directory does not exist or cannot be read.
    /// Why: nothing can be evaluated without evidence; this never passes.
    /// Example: `--evidence ./exports` where the folder is missing.
    D400 = Error, "evidence directory unreadable";
    /// What: the evidence file a dataset declares does not exist.
    /// Why: missing evidence never passes: the requirements that read it turn `error`.
    /// Example: `source "hr/leavers.csv"` with no such file under the evidence directory.
    D401 = Error, "evidence file missing";
    /// What: the evidence file exists but cannot be read (permissions, a directory).
    /// Why: unreadable evidence proves nothing.
    /// Example: a file readable only by another user.
    D402 = Error, "evidence file unreadable";
    /// What: a dataset's source path leaves the evidence directory (`..`, an absolute
    /// path, or a symbolic link pointing outside).
    /// Why: rule files come from pull requests; they must not read arbitrary files.
    /// Example: `source "../../etc/passwd"`.
    D403 = Error, "path escapes the evidence directory";
    /// What: a column or JSON path that the declaration names is not in the file.
    /// Why: a renamed column in an export must stop the check, not read as empty.
    /// Example: `from "Work Email"` when the export says `Email`.
    D404 = Error, "column absent";
    /// What: no column matches the declared name exactly, and several match when case is
    /// ignored.
    /// Why: Jira exports have custom fields differing only in case; guessing is unsafe.
    /// Example: `Custom field (Testing Status)` and `Custom field (Testing status)`.
    D405 = Error, "ambiguous column";
    /// What: a value does not convert to the field's declared type or format.
    /// Why: a date read wrongly would flip verdicts; the cell is cited exactly.
    /// Example: `31/02/2026 17:00` in a date-time column.
    D406 = Error, "value does not convert";
    /// What: a field declared `required` is empty in a record.
    /// Why: the rules rely on it being present.
    /// Example: a leaver without a termination date.
    D407 = Error, "required value empty";
    /// What: a row has a different number of cells than the header.
    /// Why: a shifted row would put values under the wrong columns.
    /// Example: an unquoted comma inside a summary.
    D408 = Error, "wrong number of cells";
    /// What: the file is not valid UTF-8 although UTF-8 was declared.
    /// Why: text would be misread.
    /// Example: a Windows-1252 export declared `encoding "utf-8"`.
    D409 = Error, "invalid utf-8";
    /// What: the file is not valid JSON.
    /// Why: a truncated export proves nothing.
    /// Example: an Okta log cut off mid-record.
    D410 = Error, "invalid json";
    /// What: JSON nested deeper than 128 levels.
    /// Why: the bound protects the loader from hostile files.
    /// Example: `[[[[…]]]]` a thousand levels deep.
    D411 = Error, "json too deep";
    /// What: the declared sheet is not in the workbook.
    /// Why: reading another sheet would check the wrong register.
    /// Example: `sheet "Risks"` in a workbook whose sheet is `Risk register`.
    D412 = Error, "sheet not found";
    /// What: a size bound was exceeded (a cell over 1 MiB, a JSON record over 64 MiB, …).
    /// Why: bounds keep hostile exports from exhausting memory.
    /// Example: a 5 MB description cell.
    D413 = Error, "size bound exceeded";
    /// What: the dataset declaration cannot be used as written (a bad date format, an
    /// unknown extension, a bad JSON path).
    /// Why: the loader must know exactly how to read the export.
    /// Example: `format "%I:%M"` without `%p`.
    D414 = Error, "unusable declaration";
    /// What: the JSON records array is not where the declaration says.
    /// Why: reading another array would check the wrong records.
    /// Example: `records "employees"` when the file holds `data.employees`.
    D415 = Error, "records not found";
    /// What: the workbook cannot be opened.
    /// Why: a corrupt spreadsheet proves nothing.
    /// Example: a `.xlsx` that is really a CSV.
    D416 = Error, "workbook unreadable";
    /// What: the file has no header row.
    /// Why: columns are matched by their header.
    /// Example: an empty CSV file.
    D417 = Error, "no header row";
    /// What: a JSON record is not an object.
    /// Why: fields are read by name from objects.
    /// Example: `[1, 2, 3]`.
    D418 = Error, "record not an object";
    /// What: a quoted CSV cell is never closed.
    /// Why: the rest of the file would silently become one cell.
    /// Example: `1,"abc` on the last-but-two line of an export cut short.
    D419 = Error, "unclosed quote";
    /// What: a blank line (or an empty worksheet row) ends the table, but records of the
    /// header's width follow it.
    /// Why: the rows after it would be silently dropped.
    /// Example: a register with one blank line in the middle.
    D420 = Error, "records after table end";

    /// What: evaluating an expression failed on a record: arithmetic overflow, a date out
    /// of range.
    /// Why: the requirement turns `error`, never `pass`.
    /// Example: `sum` of amounts beyond the range of integers.
    R501 = Error, "evaluation error";
    /// What: a dataset's newest record is older than its declared freshness allows.
    /// Why: an audit on last year's export proves nothing about today.
    /// Example: `freshness published within 7d` and the newest event is 40 days old.
    R502 = Warning, "stale evidence";
    /// What: a waiver expired before the evaluation date and did not apply.
    /// Why: the records it covered count as failures again.
    /// Example: a waiver with `expires 2026-09-30` evaluated as of 2026-11-22.
    R503 = Warning, "expired waiver not applied";
    /// What: a waiver matched no failing record or applied to a passing requirement.
    /// Why: stale waivers should be withdrawn.
    /// Example: a waiver for `CAPA-3`, which was closed on time.
    R504 = Warning, "unused waiver";
    /// What: an attestation expired before the evaluation date.
    /// Why: expired attestations count as missing manual evidence.
    /// Example: `expires 2026-06-30` evaluated as of 2026-11-22.
    R505 = Warning, "expired attestation";
    /// What: an attestation is dated after the evaluation date.
    /// Why: on the as-of date it had not been made yet, so it cannot count; its clauses
    /// need manual evidence in that report.
    /// Example: `attested_on 2026-12-01` evaluated as of 2026-11-22.
    R506 = Warning, "attestation not yet made";
    /// What: a waiver's `approved_on` date is after the evaluation date, so it did not apply.
    /// Why: a waiver approved in October does not excuse a failure seen in September; the
    /// records it names count as failures as of that date.
    /// Example: `approved_on 2026-10-01` evaluated as of 2026-09-20.
    R507 = Warning, "waiver not yet approved";
    /// What: the Statement of Applicability excludes a control and gives no justification.
    /// Why: the exclusion applies, but a Statement of Applicability must justify each
    /// exclusion and the auditor will ask for it.
    /// Example: `A.8.32,false,` in the SoA export.
    R508 = Warning, "exclusion without justification";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_documented_and_well_formed() {
        for code in Code::ALL {
            let s = code.as_str();
            assert_eq!(s.len(), 4, "{s}");
            assert!(matches!(&s[..1], "S" | "C" | "D" | "R"), "{s}");
            let doc = code.documentation();
            for part in ["What:", "Why:", "Example:"] {
                assert!(doc.contains(part), "{s} lacks {part}");
            }
            assert_eq!(Code::parse(s), Some(*code));
        }
    }

    #[test]
    fn every_evidence_code_is_registered() {
        for (code, _) in crate::evidence::CODES {
            assert!(Code::parse(code).is_some(), "{code} is not in the registry");
        }
    }
}
