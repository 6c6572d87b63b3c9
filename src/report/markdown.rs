//! The Markdown report: the HTML report's content for wikis and pull-request comments
//! (GitHub-flavoured tables).
//!
//! Text from rules and evidence goes through [`esc`], which neutralises Markdown and HTML:
//! `<`, `>` and `&` become entities; the characters that start emphasis, links and images
//! (`[`; `(` and `!` mean nothing without it), code, table cells, headings, math or
//! mentions are backslash-escaped; and line breaks and control characters cannot start a
//! new block. Code spans are used only for text that cannot break out of them.

use std::fmt::Write as _;

use super::text::clean;
use super::view::{self, Chart, FindingView, RequirementView, StandardView, View};
use crate::eval::model::*;

/// Escapes untrusted text for Markdown, in running text or a table cell.
pub fn esc(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '$' | '@' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    // A leading `-`, `.` or digit run could make a list item when a cell's text is reused
    // on its own line; a leading backslash-escape is harmless everywhere.
    if out.starts_with('-') {
        out.insert(0, '\\');
    }
    out
}

/// An identifier in a code span when it is plainly safe there, else escaped text.
pub fn code(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '/' | ' '));
    if safe { format!("`{s}`") } else { esc(s) }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Renders the Markdown report.
pub fn render(report: &RunReport) -> String {
    let v = view::build(report);
    let mut w = String::new();
    header(&v, &mut w);
    standards(&v, &mut w);
    combined(&v, &mut w);
    matrix(&v, &mut w);
    register(&v, &mut w);
    findings(&v, &mut w);
    per_standard(&v, &mut w);
    waivers(&v, &mut w);
    metrics(&v, &mut w);
    attestations(&v, &mut w);
    inventory(&v, &mut w);
    let _ = writeln!(
        w,
        "---\n\n*Produced by {} {} for the evaluation date {}. The same rule files, evidence and date give a byte-identical report.*",
        esc(report.tool.name),
        esc(report.tool.version),
        esc(&report.as_of)
    );
    w
}

fn header(v: &View<'_>, w: &mut String) {
    let r = v.report;
    let _ = writeln!(w, "# Audit readiness report as of {}\n", esc(v.date));
    match &v.verdict {
        Some(b) => {
            let _ = writeln!(w, "**Overall verdict: {}**\n", b.label);
        }
        None => {
            let _ = writeln!(w, "**No standard in scope**\n");
        }
    }
    let o = &r.summary.outcomes;
    let titles: Vec<String> = r.standards.iter().map(|s| esc(&s.title)).collect();
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| Evaluation date (as of) | {} |", esc(&r.as_of));
    let _ = writeln!(
        w,
        "| Standards in scope | {} |",
        if titles.is_empty() {
            "none".to_string()
        } else {
            titles.join(", ")
        }
    );
    let _ = writeln!(
        w,
        "| Requirements evaluated | {} ({} pass, {} fail, {} no evidence, {} error, {} waived, {} not applicable) |",
        r.summary.requirements, o.pass, o.fail, o.no_evidence, o.error, o.waived, o.not_applicable
    );
    let _ = writeln!(w, "| Combined audit | {} |", esc(&r.combined.reuse));
    let _ = writeln!(
        w,
        "| Evidence | {} export{}, SHA\\-256 in the inventory below |",
        r.evidence.len(),
        plural(r.evidence.len())
    );
    let _ = writeln!(
        w,
        "| Rule set | {} rule file{}, SHA\\-256 below |",
        r.rules.len(),
        plural(r.rules.len())
    );
    let _ = writeln!(
        w,
        "| Produced by | {} {} · report schema {} |",
        esc(r.tool.name),
        esc(r.tool.version),
        esc(r.schema_version)
    );
    let _ = writeln!(w);
    if !r.param_overrides.is_empty() {
        let params: Vec<String> = r
            .param_overrides
            .iter()
            .map(|p| {
                format!(
                    "{} = {} (rule files: {})",
                    code(&p.name),
                    esc(&p.value),
                    esc(&p.declared)
                )
            })
            .collect();
        let _ = writeln!(w, "Parameters changed for this run: {}.\n", params.join("; "));
    }
}

fn standards(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Readiness per standard\n");
    if v.standards.is_empty() {
        let _ = writeln!(w, "No standard in scope.\n");
        return;
    }
    let _ = writeln!(
        w,
        "| Standard | Verdict | Pass | Fail | No evidence | Error | Waived | N/A | Coverage |\n|---|---|--:|--:|--:|--:|--:|--:|---|"
    );
    for st in &v.standards {
        let o = &st.s.outcomes;
        let _ = writeln!(
            w,
            "| {} | **{}** — {} | {} | {} | {} | {} | {} | {} | {} |",
            esc(&st.s.title),
            st.verdict.label,
            esc(&st.s.verdict_reason),
            o.pass,
            o.fail,
            o.no_evidence,
            o.error,
            o.waived,
            o.not_applicable,
            coverage_cell(st),
        );
    }
    let _ = writeln!(w);
}

/// `clauses 75% (6 of 8), controls 50% (1 of 2)`.
fn coverage_cell(st: &StandardView<'_>) -> String {
    let mut s = format!(
        "clauses {}% ({} of {})",
        st.clauses.percent, st.clauses.covered, st.clauses.in_scope
    );
    if let Some(c) = &st.controls {
        let _ = write!(s, ", controls {}% ({} of {})", c.percent, c.covered, c.in_scope);
        if c.counts.excluded > 0 {
            let _ = write!(s, ", {} excluded by the SoA", c.counts.excluded);
        }
    }
    s
}

fn coverage_sentence(st: &StandardView<'_>) -> String {
    let mut s = format!(
        "{} of its {} clauses ({}%)",
        st.clauses.covered, st.clauses.in_scope, st.clauses.percent
    );
    if let Some(c) = &st.controls {
        let _ = write!(
            s,
            " and {} of its {} controls in scope ({}%)",
            c.covered, c.in_scope, c.percent
        );
    }
    s.push_str(" have an automated check or an attestation.");
    s
}

fn combined(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Combined audit\n");
    let _ = writeln!(
        w,
        "{}. Each requirement is evaluated once and counts for every standard it serves. A clause \
         obligation is one clause or control of one standard in scope, counted once however many \
         requirements check it; requirements and controls the Statement of Applicability excludes \
         are left out.\n",
        esc(&v.report.combined.reuse)
    );
    if v.shared.is_empty() {
        let _ = writeln!(w, "No requirement serves more than one standard.\n");
        return;
    }
    let ids: Vec<String> = v.report.standards.iter().map(|s| esc(&s.id)).collect();
    let _ = writeln!(w, "| Shared requirement | Outcome | {} |", ids.join(" | "));
    let _ = writeln!(w, "|---|---|{}", "---|".repeat(ids.len()));
    for s in &v.shared {
        let cells: Vec<String> = s
            .cells
            .iter()
            .map(|c| c.iter().map(|x| esc(x)).collect::<Vec<_>>().join(", "))
            .collect();
        let _ = writeln!(
            w,
            "| {} {} | {} | {} |",
            code(&s.r.id),
            esc(&s.r.title),
            s.outcome.label,
            cells.join(" | ")
        );
    }
    let _ = writeln!(w);
}

fn matrix(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Clause coverage matrix\n");
    let _ = writeln!(
        w,
        "● automated check · ◐ attested · ○ manual evidence needed · – excluded by the SoA · blank: not a clause of that standard. Annex controls are listed per standard.\n"
    );
    if v.matrix.standards.is_empty() {
        return;
    }
    let ids: Vec<String> = v.matrix.standards.iter().map(|s| esc(s)).collect();
    let _ = writeln!(w, "| Clause | {} |", ids.join(" | "));
    let _ = writeln!(w, "|---|{}", ":-:|".repeat(ids.len()));
    for row in &v.matrix.rows {
        let label = match &row.title {
            Some(t) => format!("{} {}", esc(&row.id), esc(t)),
            None => esc(&row.id),
        };
        let label = if row.top { format!("**{label}**") } else { label };
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| match c {
                Some(c) if c.by.is_empty() => c.mark.to_string(),
                Some(c) => format!(
                    "{} {}",
                    c.mark,
                    c.by.iter().map(|b| esc(b)).collect::<Vec<_>>().join(", ")
                ),
                None => String::new(),
            })
            .collect();
        let _ = writeln!(w, "| {label} | {} |", cells.join(" | "));
    }
    let _ = writeln!(w);
}

fn register(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Requirement register\n");
    if v.register.is_empty() {
        let _ = writeln!(w, "No requirement in scope.\n");
        return;
    }
    let _ = writeln!(
        w,
        "| Requirement | Title | Severity | Outcome | Clauses | Result |\n|---|---|---|---|---|---|"
    );
    for row in &v.register {
        let clauses: Vec<String> = row.r.clauses.iter().map(|c| esc(c)).collect();
        let _ = writeln!(
            w,
            "| {} | {} | {} | **{}** | {} | {} |",
            code(&row.r.id),
            esc(&row.r.title),
            row.severity,
            row.outcome.label,
            clauses.join(", "),
            esc(&row.r.message)
        );
    }
    let _ = writeln!(w);
}

fn findings(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Findings\n");
    for sec in &v.sections {
        let _ = writeln!(w, "### {} ({})\n", sec.title, sec.requirements.len());
        for r in &sec.requirements {
            requirement(r, w);
        }
    }
}

fn requirement(v: &RequirementView<'_>, w: &mut String) {
    let r = v.r;
    let _ = writeln!(w, "#### {} — {}\n", code(&r.id), esc(&r.title));
    let owner = r
        .owner
        .as_deref()
        .map(|o| format!(" · owner: {}", esc(o)))
        .unwrap_or_default();
    let _ = writeln!(
        w,
        "**{}** · {}{owner} · defined at {}\n",
        v.outcome.label,
        v.severity,
        code(&r.defined_at)
    );
    let _ = writeln!(w, "{}\n", esc(&r.message));
    if let Some(d) = &r.description {
        let _ = writeln!(w, "> {}\n", esc(d));
    }
    let clauses: Vec<String> = v
        .clauses
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                esc(&c.standard),
                c.clauses.iter().map(|x| esc(x)).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    let _ = writeln!(w, "- **Clauses:** {}", clauses.join(" · "));
    let datasets: Vec<String> = r.datasets.iter().map(|d| esc(d)).collect();
    let _ = writeln!(
        w,
        "- **Datasets:** {}",
        if datasets.is_empty() {
            "—".to_string()
        } else {
            datasets.join(", ")
        }
    );
    if !r.waivers.is_empty() {
        let ids: Vec<String> = r.waivers.iter().map(|x| esc(x)).collect();
        let _ = writeln!(w, "- **Waivers:** {}", ids.join(", "));
    }
    if let Some(na) = &r.not_applicable {
        let _ = writeln!(w, "- **Not applicable:** {}", esc(na));
    }
    for e in &r.errors {
        let _ = writeln!(w, "- **Error:** {}", esc(e));
    }
    for e in &v.expects {
        let mut facts = Vec::new();
        if !e.e.failing_groups.is_empty() {
            facts.push(format!(
                "{} groups, {} missing the target",
                e.e.population.unwrap_or(0),
                e.e.failing.unwrap_or(0)
            ));
        } else {
            if let Some(p) = e.e.population {
                facts.push(format!("{p} in population"));
            }
            if let Some(f) = e.e.failing {
                facts.push(format!("{f} failing"));
            }
            if e.e.waived > 0 {
                facts.push(format!("{} waived", e.e.waived));
            }
        }
        if let Some(m) = &e.e.measured {
            facts.push(format!("measured **{}**", esc(m)));
        }
        if let Some(t) = &e.e.target {
            facts.push(format!("target {}", esc(t)));
        }
        let _ = writeln!(
            w,
            "- **Expect {}** ({}): {}{}",
            e.number,
            e.outcome.label,
            esc(&e.e.expect),
            if facts.is_empty() {
                String::new()
            } else {
                format!(" — {}", facts.join(", "))
            }
        );
        for g in &e.e.failing_groups {
            let _ = writeln!(
                w,
                "  - misses the target: {} = {} ({} record{})",
                esc(&g.group),
                esc(&g.value),
                g.records,
                plural(g.records)
            );
        }
    }
    for m in &v.metrics {
        let _ = writeln!(
            w,
            "- **Metric** {} = **{}**{} over {} record{}: {}",
            code(&m.m.name),
            esc(&m.m.value),
            lowest(m.m),
            m.m.records,
            plural(m.m.records),
            esc(&m.m.expression)
        );
        groups(&m.m.groups, m.chart.as_ref(), "  ", w);
    }
    let _ = writeln!(w);
    if !v.findings.is_empty() {
        let _ = writeln!(w, "Cited records ({}):\n", v.findings.len());
        records(&v.findings, false, w);
    }
    if v.uncited > 0 {
        let _ = writeln!(
            w,
            "{} further failing record{} not cited here (raise --max\\-findings); they are counted above.\n",
            v.uncited,
            plural(v.uncited)
        );
    }
    if !v.waived.is_empty() {
        let _ = writeln!(w, "Waived records ({}):\n", v.waived.len());
        records(&v.waived, true, w);
    }
}

/// ` (lowest: Sales 50%)` for a grouped metric of percents.
fn lowest(m: &MetricReport) -> String {
    m.lowest
        .as_ref()
        .map(|g| format!(" (lowest: {} {})", esc(&g.group), esc(&g.value)))
        .unwrap_or_default()
}

fn groups(groups: &[GroupValue], chart: Option<&Chart>, indent: &str, w: &mut String) {
    let target = chart.and_then(|c| c.target.as_ref());
    for g in groups {
        let _ = writeln!(
            w,
            "{indent}- {}: {} ({} record{})",
            esc(&g.group),
            esc(&g.value),
            g.records,
            plural(g.records)
        );
    }
    if let Some(t) = target {
        let _ = writeln!(w, "{indent}- {}", esc(&t.label));
    }
}

fn records(list: &[FindingView<'_>], waived: bool, w: &mut String) {
    let _ = writeln!(
        w,
        "| Record | Evidence (file:line) | Expect | Why | Values |{}",
        if waived { " Waived by |" } else { "" }
    );
    let _ = writeln!(w, "|---|---|--:|---|---|{}", if waived { "---|" } else { "" });
    for f in list {
        let key = f.f.key.as_deref().map_or("(no key)".to_string(), esc);
        let values: Vec<String> =
            f.f.values
                .iter()
                .map(|v| format!("{} = {}", esc(&v.name), esc(&v.value)))
                .collect();
        let _ = writeln!(
            w,
            "| **{key}** ({}) | {} | {} | {} | {} |{}",
            esc(&f.f.dataset),
            esc(&f.location),
            f.expect,
            esc(&f.f.reason),
            values.join("; "),
            if waived {
                format!(" {} |", f.f.waived_by.as_deref().map_or("—".to_string(), esc))
            } else {
                String::new()
            }
        );
    }
    let _ = writeln!(w);
}

fn per_standard(v: &View<'_>, w: &mut String) {
    for st in &v.standards {
        let _ = writeln!(w, "## {} ({})\n", esc(&st.s.title), esc(&st.s.id));
        let _ = writeln!(
            w,
            "**Verdict: {}** — {}\n",
            st.verdict.label,
            esc(&st.s.verdict_reason)
        );
        let _ = writeln!(
            w,
            "{} requirement{} serve{} this standard. {}\n",
            st.s.requirements.len(),
            plural(st.s.requirements.len()),
            if st.s.requirements.len() == 1 { "s" } else { "" },
            coverage_sentence(st)
        );
        if !st.requirements.is_empty() {
            let _ = writeln!(
                w,
                "| Requirement | Severity | Outcome | Clauses of this standard |\n|---|---|---|---|"
            );
            for r in &st.requirements {
                let _ = writeln!(
                    w,
                    "| {} {} | {} | **{}** | {} |",
                    code(&r.r.id),
                    esc(&r.r.title),
                    view::severity_label(r.r.severity),
                    r.outcome.label,
                    r.clauses.iter().map(|c| esc(c)).collect::<Vec<_>>().join(", ")
                );
            }
            let _ = writeln!(w);
        }
        if !st.covered_items.is_empty() {
            let _ = writeln!(
                w,
                "Covered clauses and controls ({}):\n\n| Item | Title | Coverage | By |\n|---|---|---|---|",
                st.covered_items.len()
            );
            for i in &st.covered_items {
                let by: Vec<String> = i
                    .requirements
                    .iter()
                    .chain(&i.attestations)
                    .map(|x| esc(x))
                    .collect();
                let _ = writeln!(
                    w,
                    "| {} | {} | {} | {} |",
                    esc(&i.id),
                    i.title.as_deref().map(esc).unwrap_or_default(),
                    view::coverage_badge(i.coverage).label,
                    by.join(", ")
                );
            }
            let _ = writeln!(w);
        }
        let list = |items: &[&CoverageItem]| items.iter().map(|i| esc(&i.id)).collect::<Vec<_>>().join(", ");
        if !st.manual_clauses.is_empty() {
            let _ = writeln!(
                w,
                "Clauses needing manual evidence ({}): {}\n",
                st.manual_clauses.len(),
                list(&st.manual_clauses)
            );
        }
        if !st.manual_controls.is_empty() {
            let _ = writeln!(
                w,
                "Controls needing manual evidence ({}): {}\n",
                st.manual_controls.len(),
                list(&st.manual_controls)
            );
        }
        if !st.excluded.is_empty() {
            let _ = writeln!(
                w,
                "Excluded by the Statement of Applicability ({}): {}\n",
                st.excluded.len(),
                list(&st.excluded)
            );
        }
    }
}

fn waivers(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Waivers\n");
    if v.waivers.is_empty() {
        let _ = writeln!(w, "No waivers.\n");
    } else {
        let _ = writeln!(
            w,
            "| Waiver | Requirement | Records | Reason | Approved by | Approved on | Expires | Status |\n|---|---|---|---|---|---|---|---|"
        );
        for x in &v.waivers {
            let wv = x.w;
            let mut records = if wv.records.is_empty() {
                "whole requirement".to_string()
            } else {
                wv.records.iter().map(|r| esc(r)).collect::<Vec<_>>().join(", ")
            };
            if !wv.unmatched.is_empty() {
                let _ = write!(
                    records,
                    " (did not fail: {})",
                    wv.unmatched.iter().map(|r| esc(r)).collect::<Vec<_>>().join(", ")
                );
            }
            let status = if wv.status == WaiverStatus::Expired {
                "**EXPIRED**, not applied".to_string()
            } else {
                x.status.label.to_string()
            };
            let _ = writeln!(
                w,
                "| {} | {} | {records} | {} | {} | {} | {} | {status} |",
                esc(&wv.id),
                code(&wv.requirement),
                esc(&wv.reason),
                esc(&wv.approved_by),
                wv.approved_on.as_deref().map_or("—".to_string(), esc),
                esc(&wv.expires)
            );
        }
        let _ = writeln!(w);
    }
    if !v.report.disabled.is_empty() {
        let _ = writeln!(w, "Disabled requirements:\n");
        for d in &v.report.disabled {
            let _ = writeln!(w, "- {}: {}", code(&d.id), esc(&d.reason));
        }
        let _ = writeln!(w);
    }
}

fn metrics(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Metrics for the management review\n");
    if v.metrics.is_empty() {
        let _ = writeln!(w, "No informational metrics.\n");
        return;
    }
    for m in &v.metrics {
        let _ = writeln!(
            w,
            "- {} {} = **{}**{} over {} record{}: {}",
            code(m.requirement),
            code(&m.m.name),
            esc(&m.m.value),
            lowest(m.m),
            m.m.records,
            plural(m.m.records),
            esc(&m.m.expression)
        );
        groups(&m.m.groups, m.chart.as_ref(), "  ", w);
    }
    let _ = writeln!(w);
}

fn attestations(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Attestations\n");
    if v.attestations.is_empty() {
        let _ = writeln!(w, "No attestations.\n");
        return;
    }
    let _ = writeln!(
        w,
        "| Attestation | Clauses | Statement | Attested by | On | Document | Expires | Status |\n|---|---|---|---|---|---|---|---|"
    );
    for x in &v.attestations {
        let a = x.a;
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            esc(&a.id),
            a.clauses.iter().map(|c| esc(c)).collect::<Vec<_>>().join(", "),
            a.statement.as_deref().map(esc).unwrap_or_default(),
            esc(&a.attested_by),
            esc(&a.attested_on),
            esc(&a.document),
            esc(&a.expires),
            if a.valid { "valid" } else { "**EXPIRED**" }
        );
    }
    let _ = writeln!(w);
}

fn inventory(v: &View<'_>, w: &mut String) {
    let _ = writeln!(w, "## Evidence inventory\n");
    let _ = writeln!(
        w,
        "| Dataset | File | Status | Records | Bytes | SHA\\-256 |\n|---|---|---|--:|--:|---|"
    );
    for x in &v.evidence {
        let e = x.e;
        let mut file = esc(&e.file);
        if let Some(err) = &e.error {
            let _ = write!(file, " — error: {}", esc(err));
        }
        let _ = writeln!(
            w,
            "| {} | {file} | {} | {} | {} | {} |",
            esc(&e.dataset),
            x.status.label,
            e.rows.map_or("—".to_string(), |r| r.to_string()),
            x.bytes.map_or("—".to_string(), |b| b.to_string()),
            x.sha256.map_or("—".to_string(), code)
        );
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "### Rule files\n\n| File | SHA\\-256 |\n|---|---|");
    for f in &v.report.rules {
        let _ = writeln!(w, "| {} | {} |", esc(&f.file), code(&f.sha256));
    }
    let _ = writeln!(w);
    if !v.report.warnings.is_empty() {
        let _ = writeln!(w, "### Warnings about this run\n");
        for x in &v.report.warnings {
            let _ = writeln!(w, "- {} {}", code(x.code), esc(&x.message));
        }
        let _ = writeln!(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metacharacters_are_neutralised() {
        assert_eq!(esc("a|b"), "a\\|b");
        assert_eq!(esc("<script>"), "&lt;script&gt;");
        assert_eq!(esc("*x* `y` [z](u)"), "\\*x\\* \\`y\\` \\[z\\](u)");
        assert_eq!(esc("line\nbreak"), "line break");
        assert_eq!(esc("- item"), "\\- item");
        assert_eq!(code("capa.cycle_time"), "`capa.cycle_time`");
        assert_eq!(code("a`b"), "a\\`b");
    }
}
