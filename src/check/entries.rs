//! Requirements, waivers, applicability, attestations and rule tests.

use std::collections::HashMap;

use super::expr::{Binding, ExprEnv, MetricInfo};
use super::program::{
    Applicability, Attestation, Expect, Given, GivenData, Metric, QSource, Requirement, TExpr, TKind,
    TestCase, TestExpectation, Waiver,
};
use super::{CheckOptions, Checker, Seen, coerce, constant_value, example_of};
use crate::diagnostic::{self, Code, Diagnostic};
use crate::source::Span;
use crate::syntax::ast::{self, QuantKind, RequirementEntry, Severity};
use crate::value::{Type, Value};

/// Outcome words a rule test may expect.
const TEST_STATUSES: &[&str] = &["pass", "fail", "no_evidence", "error", "waived", "not_applicable"];

impl Checker<'_> {
    /// Second pass: the body of every requirement.
    pub(super) fn check_requirements(&mut self) {
        let asts = self.requirement_asts.clone();
        for r in asts {
            let requirement = self.requirement(r);
            self.program.requirements.push(requirement);
        }
        // A duplicate's own errors are reported too; the requirement itself is dropped.
        for r in self.duplicate_requirement_asts.clone() {
            let _ = self.requirement(r);
        }
        let mut seen = Seen::new();
        for d in self.disables.clone() {
            if self.duplicate(&mut seen, "disable of requirement", &d.requirement) {
                continue;
            }
            if d.reason.value.trim().is_empty() {
                // The reason is what the report shows an auditor in place of the result.
                self.error(
                    Diagnostic::new(
                        Code::C113,
                        format!("`disable {}` gives no reason", d.requirement.name),
                    )
                    .with_primary(d.reason.span, "empty reason")
                    .with_help("say why it does not apply: `disable capa.recorded_promptly \"Detection time is not tracked in our Jira\"`"),
                );
            }
            match self.requirement_index(&d.requirement, "disable") {
                Some(i) => {
                    if let Some(r) = self.program.requirements.get_mut(i) {
                        r.disabled = Some(d.reason.value.clone());
                    }
                }
                None => continue,
            }
        }
    }

    fn requirement(&mut self, r: &ast::Requirement) -> Requirement {
        let mut title = None;
        let mut severity = None;
        let mut owner = None;
        let mut description = None;
        let mut clauses = Vec::new();
        let mut clauses_seen = false;
        let mut allow_empty = false;
        let mut singles: HashMap<&'static str, Span> = HashMap::new();

        let mut later: Vec<(String, Span)> = r
            .entries
            .iter()
            .filter_map(|e| match e {
                RequirementEntry::Metric { name, .. } => Some((name.name.clone(), name.span)),
                _ => None,
            })
            .collect();
        let mut metric_infos: Vec<MetricInfo> = Vec::new();
        let mut metrics: Vec<Metric> = Vec::new();
        let mut expects: Vec<Expect> = Vec::new();
        let mut datasets = std::collections::BTreeSet::new();

        for entry in &r.entries {
            let (word, span) = match entry {
                RequirementEntry::Title(s) => ("title", s.span),
                RequirementEntry::Owner(s) => ("owner", s.span),
                RequirementEntry::Description(s) => ("description", s.span),
                RequirementEntry::Severity(s) => ("severity", s.span),
                RequirementEntry::Clauses(_, s) => ("clauses", *s),
                RequirementEntry::AllowEmpty(s) => ("allow empty", *s),
                _ => ("", Span::default()),
            };
            if !word.is_empty() {
                if let Some(first) = singles.get(word) {
                    let first = *first;
                    self.error(
                        Diagnostic::new(
                            Code::C106,
                            format!("`{word}` is given twice in requirement `{}`", r.id.name),
                        )
                        .with_primary(span, "given again here")
                        .with_secondary(first, "first given here")
                        .with_help(if word == "clauses" {
                            "list every clause in one `clauses` line, separated by commas"
                        } else {
                            "keep one"
                        }),
                    );
                    continue;
                }
                singles.insert(word, span);
            }
            match entry {
                RequirementEntry::Title(s) => title = Some(s.value.clone()),
                RequirementEntry::Owner(s) => owner = Some(s.value.clone()),
                RequirementEntry::Description(s) => description = Some(s.value.clone()),
                RequirementEntry::Severity(s) => severity = Some(s.node),
                RequirementEntry::AllowEmpty(_) => allow_empty = true,
                RequirementEntry::Clauses(refs, _) => {
                    clauses_seen = true;
                    clauses = self.clause_refs(refs);
                }
                RequirementEntry::Metric { name, expr, span } => {
                    later.retain(|(n, s)| !(n == &name.name && *s == name.span));
                    if let Some(first) = metric_infos.iter().find(|m| m.name == name.name) {
                        let first = first.span;
                        self.error(
                            Diagnostic::new(Code::C106, format!("metric `{}` is defined twice", name.name))
                                .with_primary(name.span, "defined again here")
                                .with_secondary(first, "first defined here")
                                .with_help("give each metric its own name"),
                        );
                        continue;
                    }
                    if self.program.params.iter().any(|p| p.name == name.name) {
                        self.error(
                            Diagnostic::new(
                                Code::C106,
                                format!("metric `{}` has the name of a param", name.name),
                            )
                            .with_primary(name.span, "also a param")
                            .with_help("rename the metric; names in an expression must say one thing"),
                        );
                        continue;
                    }
                    let mut env = ExprEnv::new(&metric_infos, &later);
                    let mut scope: Vec<Binding> = Vec::new();
                    let t = self.expr(expr, &mut scope, &mut env, true);
                    datasets.extend(env.datasets_used.iter().copied());
                    let grouped = is_grouped(&t);
                    if !env.grouped_used.is_empty() {
                        self.error(
                            Diagnostic::new(Code::C207, "a metric cannot be computed from a grouped metric")
                                .with_primary(expr.span, "reads a grouped metric")
                                .with_help("expect on the grouped metric directly; the expect then holds for every group"),
                        );
                    }
                    metric_infos.push(MetricInfo {
                        name: name.name.clone(),
                        ty: t.ty,
                        grouped,
                        span: name.span,
                    });
                    metrics.push(Metric {
                        name: name.name.clone(),
                        expr: t,
                        grouped,
                        span: *span,
                    });
                }
                RequirementEntry::Expect { expr, span } => {
                    let mut env = ExprEnv::new(&metric_infos, &later);
                    let mut scope: Vec<Binding> = Vec::new();
                    let diags_before = self.diags.len();
                    let t = self.expr(expr, &mut scope, &mut env, false);
                    // An expect that failed to check already has its error; a lint on it is noise.
                    let checked_cleanly = self.diags.len() == diags_before;
                    // Inside a repaired chained comparison the type says nothing.
                    if !matches!(t.ty, Type::Bool | Type::Null) && !self.is_repaired(expr.span) {
                        let help = match t.ty {
                            Type::Int | Type::Number => "compare it with a target, like `… == 0` or `… <= 8`",
                            Type::Percent => "compare it with a target, like `… >= 95%`",
                            _ => "an expect is a condition that must hold",
                        };
                        self.error(
                            Diagnostic::new(
                                Code::C204,
                                format!("`expect` needs a condition, but this is {:#}", t.ty),
                            )
                            .with_primary(t.span, format!("{:#}", t.ty))
                            .with_help(help),
                        );
                    }
                    datasets.extend(env.datasets_used.iter().copied());
                    if checked_cleanly && t.ty == Type::Bool && !reads_evidence(&t) {
                        self.diags.push(
                            Diagnostic::new(Code::C306, "this expect reads no evidence")
                                .with_primary(t.span, "depends only on constants and params")
                                .with_help("an expect checks records or metrics over a dataset; as written it passes or fails whatever was exported"),
                        );
                    }
                    let grouped: Vec<usize> = env.grouped_used.iter().copied().collect();
                    if grouped.len() > 1 {
                        self.error(
                            Diagnostic::new(Code::C207, "an expect can read at most one grouped metric")
                                .with_primary(expr.span, "reads several grouped metrics")
                                .with_help("write one expect per grouped metric"),
                        );
                    }
                    expects.push(Expect {
                        expr: t,
                        grouped_metric: grouped.first().copied(),
                        span: *span,
                    });
                }
            }
        }

        for (present, word, help) in [
            (
                title.is_some(),
                "title",
                "add `title \"…\"`: the line auditors read",
            ),
            (
                severity.is_some(),
                "severity",
                "add `severity major`, `minor` or `observation`",
            ),
            (
                clauses_seen,
                "clauses",
                "add `clauses iso9001:10.2, …`: the clauses of every standard it serves",
            ),
        ] {
            if !present {
                self.error(
                    Diagnostic::new(Code::C113, format!("requirement `{}` has no `{word}`", r.id.name))
                        .with_primary(r.id.span, "declared here")
                        .with_help(help),
                );
            }
        }
        if expects.is_empty() {
            self.error(
                Diagnostic::new(Code::C114, format!("requirement `{}` has no `expect`", r.id.name))
                    .with_primary(r.id.span, "nothing to check")
                    .with_help("add `expect …`: a requirement passes when every expect holds"),
            );
        }

        Requirement {
            id: r.id.name.clone(),
            title: title.unwrap_or_default(),
            clauses,
            severity: severity.unwrap_or(Severity::Major),
            owner,
            description,
            allow_empty,
            metrics,
            expects,
            datasets: datasets.into_iter().collect(),
            disabled: None,
            span: r.id.span,
        }
    }

    /// The index of a requirement named by a waiver, test or disable; reports unknown ids.
    fn requirement_index(&mut self, id: &ast::Ident, by: &str) -> Option<usize> {
        if let Some(i) = self.program.requirements.iter().position(|r| r.id == id.name) {
            return Some(i);
        }
        let ids: Vec<&str> = self.program.requirements.iter().map(|r| r.id.as_str()).collect();
        let help = diagnostic::did_you_mean(&id.name, ids.iter().copied())
            .unwrap_or_else(|| "name a requirement declared in the rule files".into());
        self.error(
            Diagnostic::new(
                Code::C107,
                format!("{by} names unknown requirement `{}`", id.name),
            )
            .with_primary(id.span, "no requirement has this id")
            .with_help(help),
        );
        None
    }

    /// Third pass: everything that refers to requirements, datasets and catalogs.
    pub(super) fn check_rest(&mut self, options: CheckOptions) {
        let mut seen = Seen::new();
        for w in self.waiver_asts.clone() {
            if self.duplicate(&mut seen, "waiver", &w.id) {
                continue;
            }
            if let Some(waiver) = self.waiver(w, options) {
                self.program.waivers.push(waiver);
            }
        }
        let mut seen = Seen::new();
        for a in self.attestation_asts.clone() {
            if self.duplicate(&mut seen, "attestation", &a.id) {
                continue;
            }
            if let Some(att) = self.attestation(a) {
                self.program.attestations.push(att);
            }
        }
        let mut seen = Seen::new();
        for a in self.applicability_asts.clone() {
            if self.duplicate(&mut seen, "applicability for standard", &a.standard) {
                continue;
            }
            if let Some(app) = self.applicability(a) {
                self.program.applicability.push(app);
            }
        }
        // A test is named by its requirement and its name; two with the same pair could
        // not be told apart in the output of `auditready test`.
        let mut test_names: HashMap<(&str, &str), Span> = HashMap::new();
        for t in self.test_asts.clone() {
            let key = (t.requirement.name.as_str(), t.name.value.as_str());
            if let Some(first) = test_names.get(&key) {
                let first = *first;
                self.error(
                    Diagnostic::new(
                        Code::C106,
                        format!(
                            "test `{}` \"{}\" is declared twice",
                            t.requirement.name, t.name.value
                        ),
                    )
                    .with_primary(t.name.span, "declared again here")
                    .with_secondary(first, "first declared here")
                    .with_help("give each test of a requirement its own name, or delete the duplicate test"),
                );
                continue;
            }
            test_names.insert(key, t.name.span);
            if let Some(test) = self.test(t) {
                self.program.tests.push(test);
            }
        }
    }

    fn waiver(&mut self, w: &ast::Waiver, options: CheckOptions) -> Option<Waiver> {
        let mut requirement = None;
        let mut records = Vec::new();
        let mut records_span = None;
        let mut reason = None;
        let mut approved_by = None;
        let mut approved_on = None;
        let mut expires = None;
        let mut expires_span = w.span;
        for e in &w.entries {
            match e {
                ast::WaiverEntry::Requirement(id) => requirement = Some(id),
                ast::WaiverEntry::Records(list) => {
                    records = list.iter().map(|s| s.value.clone()).collect();
                    records_span = list
                        .first()
                        .map(|s| s.span)
                        .zip(list.last().map(|s| s.span))
                        .map(|(a, b)| a.to(b));
                }
                ast::WaiverEntry::Reason(s) => reason = Some(s.value.clone()),
                ast::WaiverEntry::ApprovedBy(s) => approved_by = Some(s.value.clone()),
                ast::WaiverEntry::ApprovedOn(d) => approved_on = Some(d.node),
                ast::WaiverEntry::Expires(d) => {
                    expires = Some(d.node);
                    expires_span = d.span;
                }
            }
        }
        let mut complete = true;
        for (present, word, help) in [
            (
                requirement.is_some(),
                "requirement",
                "name the waived requirement: `requirement capa.cycle_time`",
            ),
            (reason.is_some(), "reason", "say why: `reason \"…\"`"),
            (
                approved_by.is_some(),
                "approved_by",
                "name who approved it: `approved_by \"Managing director\"`",
            ),
            (
                expires.is_some(),
                "expires",
                "every waiver expires: `expires 2027-01-31`",
            ),
        ] {
            if !present {
                complete = false;
                self.error(
                    Diagnostic::new(Code::C113, format!("waiver `{}` has no `{word}`", w.id.name))
                        .with_primary(w.id.span, "declared here")
                        .with_help(help),
                );
            }
        }
        let index = self.requirement_index(requirement?, "waiver")?;
        if let (Some(span), Some(r)) = (records_span, self.program.requirements.get(index)) {
            if !has_waivable_records(r, &self.program.datasets) {
                self.error(
                    Diagnostic::new(
                        Code::C116,
                        format!("requirement `{}` has no records that a waiver could name", r.id),
                    )
                    .with_primary(span, "these records can never match")
                    .with_secondary(
                        r.span,
                        "its expects have no `all` or `no` over a dataset with a `key` field",
                    )
                    .with_help(
                        "waive the whole requirement (remove `records`), or give the dataset a `key` field",
                    ),
                );
                return None;
            }
        }
        // An expiry that did not parse was reported (S005) and stands for no date.
        let expiry_known = !self.is_repaired(expires_span);
        if let (Some(today), Some(exp), true) = (options.today, expires, expiry_known) {
            if exp < today {
                self.diags.push(
                    Diagnostic::new(
                        Code::C303,
                        format!(
                            "waiver `{}` expired on {}",
                            w.id.name,
                            crate::value::format_date(exp)
                        ),
                    )
                    .with_primary(expires_span, "expired")
                    .with_help("renew it with a new approval and expiry, or delete it: it no longer applies"),
                );
            }
        }
        if !complete {
            return None;
        }
        Some(Waiver {
            id: w.id.name.clone(),
            requirement: index,
            records,
            reason: reason.unwrap_or_default(),
            approved_by: approved_by.unwrap_or_default(),
            approved_on,
            expires: expires.unwrap_or_default(),
            span: w.span,
        })
    }

    fn attestation(&mut self, a: &ast::Attestation) -> Option<Attestation> {
        let mut clauses = None;
        let mut statement = None;
        let mut attested_by = None;
        let mut attested_on = None;
        let mut complete = true;
        let mut document = None;
        let mut expires = None;
        for e in &a.entries {
            match e {
                ast::AttestationEntry::Clauses(refs, _) => clauses = Some(self.clause_refs(refs)),
                ast::AttestationEntry::Statement(s) => statement = Some(s.value.clone()),
                ast::AttestationEntry::AttestedBy(s) => attested_by = Some(s.value.clone()),
                ast::AttestationEntry::AttestedOn(d) => attested_on = Some((d.node, d.span)),
                ast::AttestationEntry::Document(s) => document = Some(s.value.clone()),
                ast::AttestationEntry::Expires(d) => expires = Some((d.node, d.span)),
            }
        }
        // Swapped or mistyped dates would make an attestation that is valid on no day:
        // its clauses would quietly need manual evidence in every report.
        if let (Some((made, made_span)), Some((until, until_span))) = (attested_on, expires) {
            if until < made {
                complete = false;
                self.error(
                    Diagnostic::new(
                        Code::C117,
                        format!(
                            "attestation `{}` expires on {}, before it was made on {}",
                            a.id.name,
                            crate::value::format_date(until),
                            crate::value::format_date(made)
                        ),
                    )
                    .with_primary(until_span, "expires here")
                    .with_secondary(made_span, "attested on this later date")
                    .with_help("check the two dates: `expires` is the last day the attestation counts"),
                );
            }
        }
        for (present, word, help) in [
            (
                clauses.is_some(),
                "clauses",
                "name the clauses it covers: `clauses iso9001:5.1, …`",
            ),
            (
                attested_by.is_some(),
                "attested_by",
                "name who attests: `attested_by \"Managing director\"`",
            ),
            (
                attested_on.is_some(),
                "attested_on",
                "say when: `attested_on 2026-03-02`",
            ),
            (
                document.is_some(),
                "document",
                "name the document that shows it: `document \"POL-001 …\"`",
            ),
            (
                expires.is_some(),
                "expires",
                "every attestation expires: `expires 2027-03-02`",
            ),
        ] {
            if !present {
                complete = false;
                self.error(
                    Diagnostic::new(Code::C113, format!("attestation `{}` has no `{word}`", a.id.name))
                        .with_primary(a.id.span, "declared here")
                        .with_help(help),
                );
            }
        }
        if !complete {
            return None;
        }
        Some(Attestation {
            id: a.id.name.clone(),
            clauses: clauses.unwrap_or_default(),
            statement,
            attested_by: attested_by.unwrap_or_default(),
            attested_on: attested_on.map(|(d, _)| d).unwrap_or_default(),
            document: document.unwrap_or_default(),
            expires: expires.map(|(d, _)| d).unwrap_or_default(),
            span: a.span,
        })
    }

    fn applicability(&mut self, a: &ast::Applicability) -> Option<Applicability> {
        let standard = match self
            .program
            .standards
            .iter()
            .position(|s| s.id == a.standard.name)
        {
            Some(s) => s,
            None => {
                let ids: Vec<&str> = self.program.standards.iter().map(|s| s.id.as_str()).collect();
                self.error(
                    Diagnostic::new(Code::C104, format!("unknown standard `{}`", a.standard.name))
                        .with_primary(a.standard.span, "no standard has this id")
                        .with_help_opt(diagnostic::did_you_mean(&a.standard.name, ids)),
                );
                return None;
            }
        };
        let Some(dataset_id) = &a.dataset else {
            self.error(
                Diagnostic::new(Code::C113, "applicability has no `dataset`")
                    .with_primary(a.span, "declared here")
                    .with_help("name the Statement of Applicability dataset: `dataset soa`"),
            );
            return None;
        };
        let Some(dataset) = self
            .program
            .datasets
            .iter()
            .position(|d| d.name == dataset_id.name)
        else {
            let names: Vec<&str> = self.program.datasets.iter().map(|d| d.name.as_str()).collect();
            self.error(
                Diagnostic::new(Code::C101, format!("unknown dataset `{}`", dataset_id.name))
                    .with_primary(dataset_id.span, "no dataset has this name")
                    .with_help_opt(diagnostic::did_you_mean(&dataset_id.name, names)),
            );
            return None;
        };
        self.mark_dataset(dataset);
        let control = self.applicability_field(dataset, a.control.as_ref(), "control", Type::Text, a.span);
        let applicable =
            self.applicability_field(dataset, a.applicable.as_ref(), "applicable", Type::Bool, a.span);
        let justification = match &a.justification {
            Some(_) => Some(self.applicability_field(
                dataset,
                a.justification.as_ref(),
                "justification",
                Type::Text,
                a.span,
            )?),
            None => None,
        };
        Some(Applicability {
            standard,
            dataset,
            control: control?,
            applicable: applicable?,
            justification,
            span: a.span,
        })
    }

    fn applicability_field(
        &mut self,
        dataset: usize,
        field: Option<&ast::Ident>,
        role: &str,
        ty: Type,
        span: Span,
    ) -> Option<usize> {
        let Some(field) = field else {
            self.error(
                Diagnostic::new(Code::C113, format!("applicability has no `{role}` field"))
                    .with_primary(span, "declared here")
                    .with_help(format!("name the {ty} field that holds it: `{role} <field>`")),
            );
            return None;
        };
        let d = self.program.datasets.get(dataset)?;
        let Some(index) = d.field(&field.name) else {
            let names: Vec<&str> = d.fields.iter().map(|f| f.name.as_str()).collect();
            let message = format!("dataset `{}` has no field `{}`", d.name, field.name);
            let help = diagnostic::did_you_mean(&field.name, names);
            self.error(
                Diagnostic::new(Code::C102, message)
                    .with_primary(field.span, "not a field of this dataset")
                    .with_help_opt(help),
            );
            return None;
        };
        let actual = d.fields.get(index).map_or(Type::Null, |f| f.ty);
        if actual != ty {
            self.error(
                Diagnostic::new(
                    Code::C202,
                    format!(
                        "the `{role}` field must be {ty}, but `{}` is {actual}",
                        field.name
                    ),
                )
                .with_primary(field.span, format!("{actual:#} field"))
                .with_help(format!("declare `{}` as `{ty}` in its dataset", field.name)),
            );
            return None;
        }
        self.mark_field(dataset, index);
        Some(index)
    }

    fn test(&mut self, t: &ast::Test) -> Option<TestCase> {
        let requirement = self.requirement_index(&t.requirement, "test");
        let mut as_of = None;
        let mut params = Vec::new();
        let mut given = Vec::new();
        let mut expectations = Vec::new();
        for entry in &t.entries {
            match entry {
                ast::TestEntry::AsOf(e) => match constant_value(e) {
                    Some((Value::Date(d), _)) => as_of = Some(crate::value::date_to_micros(d)),
                    Some((Value::DateTime(ts), _)) => as_of = Some(ts),
                    _ => self.error(
                        Diagnostic::new(Code::C202, "`as_of` of a test must be a date or date-time")
                            .with_primary(e.span, "not a date")
                            .with_help("write `as_of 2026-11-22`"),
                    ),
                },
                ast::TestEntry::Param(name, value) => {
                    let Some(index) = self.program.params.iter().position(|p| p.name == name.name) else {
                        let names: Vec<&str> = self.program.params.iter().map(|p| p.name.as_str()).collect();
                        self.error(
                            Diagnostic::new(Code::C103, format!("unknown param `{}`", name.name))
                                .with_primary(name.span, "no param has this name")
                                .with_help_opt(diagnostic::did_you_mean(&name.name, names)),
                        );
                        continue;
                    };
                    if let Some(v) = self
                        .typed_constant(value, self.program.params.get(index).map_or(Type::Null, |p| p.ty))
                    {
                        self.mark_param(index);
                        params.push((index, v));
                    }
                }
                ast::TestEntry::Given { dataset, data, span } => {
                    let Some(d) = self.program.datasets.iter().position(|x| x.name == dataset.name) else {
                        let names: Vec<&str> =
                            self.program.datasets.iter().map(|d| d.name.as_str()).collect();
                        self.error(
                            Diagnostic::new(Code::C101, format!("unknown dataset `{}`", dataset.name))
                                .with_primary(dataset.span, "no dataset has this name")
                                .with_help_opt(diagnostic::did_you_mean(&dataset.name, names)),
                        );
                        continue;
                    };
                    let data = match data {
                        ast::GivenData::Csv(text) => GivenData::Csv(text.value.clone()),
                        ast::GivenData::Rows(rows) => {
                            GivenData::Rows(rows.iter().map(|row| self.given_row(d, row)).collect())
                        }
                    };
                    given.push(Given {
                        dataset: d,
                        data,
                        span: *span,
                    });
                }
                ast::TestEntry::Expect(e) => match e {
                    ast::TestExpectation::Status(s) => {
                        if TEST_STATUSES.contains(&s.node.as_str()) {
                            expectations.push(TestExpectation::Status(s.node.clone(), s.span));
                        }
                    }
                    ast::TestExpectation::Fails(keys, span) => expectations.push(TestExpectation::Fails(
                        keys.iter().map(|k| k.value.clone()).collect(),
                        *span,
                    )),
                    ast::TestExpectation::Metric { name, value, span } => {
                        let Some(r) = requirement.and_then(|r| self.program.requirements.get(r)) else {
                            continue;
                        };
                        let Some((index, metric)) =
                            r.metrics.iter().enumerate().find(|(_, m)| m.name == name.name)
                        else {
                            let names: Vec<&str> = r.metrics.iter().map(|m| m.name.as_str()).collect();
                            let message = format!("requirement `{}` has no metric `{}`", r.id, name.name);
                            let help = diagnostic::did_you_mean(&name.name, names);
                            self.error(
                                Diagnostic::new(Code::C103, message)
                                    .with_primary(name.span, "no such metric")
                                    .with_help_opt(help),
                            );
                            continue;
                        };
                        let ty = metric.expr.ty;
                        if let Some(v) = self.typed_constant(value, ty) {
                            expectations.push(TestExpectation::Metric(index, v, *span));
                        }
                    }
                },
            }
        }
        if !t.entries.iter().any(|e| matches!(e, ast::TestEntry::Expect(_))) {
            self.error(
                Diagnostic::new(Code::C118, format!("test `{}` has no `expect`", t.name.value))
                    .with_primary(t.name.span, "this test asserts nothing")
                    .with_help("say what must come out: `expect pass`, `expect fail \"KEY\"`, `expect no_evidence` or `expect metric NAME = VALUE`"),
            );
        }
        if as_of.is_none() {
            self.error(
                Diagnostic::new(Code::C113, format!("test `{}` has no `as_of`", t.name.value))
                    .with_primary(t.name.span, "declared here")
                    .with_help(
                        "pin the evaluation date, like `as_of 2026-11-22`: a test must not depend on today",
                    ),
            );
        }
        Some(TestCase {
            requirement: requirement?,
            name: t.name.value.clone(),
            as_of,
            params,
            given,
            expectations,
            span: t.span,
        })
    }

    fn given_row(&mut self, dataset: usize, row: &[(ast::Ident, ast::Expr)]) -> Vec<(usize, Value<'static>)> {
        let mut out = Vec::new();
        for (name, value) in row {
            let Some(d) = self.program.datasets.get(dataset) else {
                break;
            };
            let Some(field) = d.field(&name.name) else {
                let names: Vec<&str> = d.fields.iter().map(|f| f.name.as_str()).collect();
                let message = format!("dataset `{}` has no field `{}`", d.name, name.name);
                let help = diagnostic::did_you_mean(&name.name, names);
                self.error(
                    Diagnostic::new(Code::C102, message)
                        .with_primary(name.span, "not a field of this dataset")
                        .with_help_opt(help),
                );
                continue;
            };
            let ty = d.fields.get(field).map_or(Type::Null, |f| f.ty);
            if let Some(v) = self.typed_constant(value, ty) {
                out.push((field, v));
            }
        }
        out
    }

    /// A constant of an expected type (ints widen to numbers).
    fn typed_constant(&mut self, e: &ast::Expr, ty: Type) -> Option<Value<'static>> {
        let (value, actual) = self.constant(e, "a value in a test")?;
        match coerce(value, actual, ty) {
            Some(v) => Some(v),
            None => {
                self.error(
                    Diagnostic::new(Code::C208, format!("expected {ty:#}, found {actual:#}"))
                        .with_primary(e.span, format!("{actual:#}"))
                        .with_help(format!("write {ty:#}, like {}", example_of(ty))),
                );
                None
            }
        }
    }
}

/// True when an expression reads a field, a metric or a dataset: evidence, not only constants.
fn reads_evidence(e: &TExpr) -> bool {
    use super::program::TKind as K;
    match &e.kind {
        K::Field { .. } | K::Metric(_) => true,
        K::Quant(q) => {
            matches!(q.source, QSource::Dataset(_))
                || matches!(&q.source, QSource::List(l) if reads_evidence(l))
                || [&q.filter, &q.group, &q.body]
                    .into_iter()
                    .flatten()
                    .any(reads_evidence)
        }
        K::Unary(_, a) | K::Matches(a, _) | K::IsNone(a, _) => reads_evidence(a),
        K::Binary(_, a, b) => reads_evidence(a) || reads_evidence(b),
        K::Call(_, args) | K::List(args) => args.iter().any(reads_evidence),
        K::Const(_) | K::Param(_) | K::AsOf | K::Var(_) => false,
    }
}

fn is_grouped(e: &TExpr) -> bool {
    matches!(&e.kind, TKind::Quant(q) if q.group.is_some())
}

/// True when some expect is an `all` or `no` over a dataset with a key field: only then can
/// a waiver name records.
pub fn has_waivable_records(r: &Requirement, datasets: &[super::program::Dataset]) -> bool {
    r.expects.iter().any(|e| match &e.expr.kind {
        TKind::Quant(q) if matches!(q.kind, QuantKind::All | QuantKind::No) => match q.source {
            QSource::Dataset(d) => datasets.get(d).is_some_and(|d| !d.key.is_empty()),
            QSource::List(_) => false,
        },
        _ => false,
    })
}
