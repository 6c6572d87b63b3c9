//! The charts of the HTML report, laid out in points for inline SVG: readiness and
//! coverage per standard as 100 % stacked bars, and metric values against their target.
//! Geometry is rounded to a tenth of a point so the page is byte-identical across runs.

use serde::Serialize;

use super::percent;
use crate::eval::model::*;

/// A small horizontal bar chart, laid out in points for an inline SVG.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Chart {
    /// Total width.
    pub width: f64,
    /// Total height.
    pub height: f64,
    /// Where the bars start (after the labels).
    pub bar_x: f64,
    /// Width of the bar area.
    pub bar_width: f64,
    /// Rows.
    pub rows: Vec<ChartRow>,
    /// A vertical target line.
    pub target: Option<ChartTarget>,
    /// Legend entries.
    pub legend: Vec<LegendEntry>,
    /// Y of the legend.
    pub legend_y: f64,
    /// What the chart shows, for screen readers.
    pub summary: String,
}

/// One row of a chart.
#[derive(Clone, Debug, Serialize)]
pub struct ChartRow {
    /// Label left of the bar.
    pub label: String,
    /// Y of the bar.
    pub y: f64,
    /// Height of the bar.
    pub h: f64,
    /// Segments left to right.
    pub segments: Vec<Segment>,
    /// Text right of the bar.
    pub note: String,
}

/// One coloured part of a bar.
#[derive(Clone, Debug, Serialize)]
pub struct Segment {
    /// X.
    pub x: f64,
    /// Width.
    pub w: f64,
    /// CSS class (colour).
    pub class: &'static str,
    /// Text inside, when it fits.
    pub text: String,
    /// Tooltip.
    pub title: String,
}

/// A target line.
#[derive(Clone, Debug, Serialize)]
pub struct ChartTarget {
    /// X.
    pub x: f64,
    /// Label (`target >= 95%`).
    pub label: String,
}

/// A legend entry.
#[derive(Clone, Debug, Serialize)]
pub struct LegendEntry {
    /// X.
    pub x: f64,
    /// CSS class.
    pub class: &'static str,
    /// Text.
    pub label: &'static str,
}

const CHART_WIDTH: f64 = 720.0;
const LABEL_WIDTH: f64 = 170.0;
const NOTE_WIDTH: f64 = 130.0;
const ROW_HEIGHT: f64 = 26.0;
const BAR_HEIGHT: f64 = 18.0;

fn chart_frame(rows: usize) -> Chart {
    Chart {
        width: CHART_WIDTH,
        height: rows as f64 * ROW_HEIGHT + 34.0,
        bar_x: LABEL_WIDTH,
        bar_width: CHART_WIDTH - LABEL_WIDTH - NOTE_WIDTH,
        legend_y: rows as f64 * ROW_HEIGHT + 20.0,
        ..Chart::default()
    }
}

/// Rounds to a tenth of a point, so the SVG stays short and byte-identical.
fn pt(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A 100 % stacked bar from counts.
fn stacked(
    chart: &Chart,
    parts: &[(usize, &'static str, &'static str)],
    text: impl Fn(usize) -> String,
) -> Vec<Segment> {
    let total: usize = parts.iter().map(|p| p.0).sum();
    let mut x = chart.bar_x;
    let mut out = Vec::new();
    if total == 0 {
        return out;
    }
    for &(n, class, label) in parts {
        if n == 0 {
            continue;
        }
        let w = chart.bar_width * n as f64 / total as f64;
        let shown = text(n);
        out.push(Segment {
            x: pt(x),
            w: pt(w),
            class,
            // Text only where it fits (about 7 points a character).
            text: if w >= shown.chars().count() as f64 * 7.0 + 6.0 {
                shown.clone()
            } else {
                String::new()
            },
            title: format!("{label}: {shown}"),
        });
        x += w;
    }
    out
}

fn legend(entries: &[(&'static str, &'static str)]) -> Vec<LegendEntry> {
    let mut x = LABEL_WIDTH;
    entries
        .iter()
        .map(|&(class, label)| {
            let e = LegendEntry {
                x: pt(x),
                class,
                label,
            };
            x += 16.0 + label.chars().count() as f64 * 6.2 + 14.0;
            e
        })
        .collect()
}

const OUTCOME_PARTS: [(Outcome, &str); 6] = [
    (Outcome::Pass, "pass"),
    (Outcome::Waived, "waived"),
    (Outcome::NotApplicable, "na"),
    (Outcome::NoEvidence, "no-evidence"),
    (Outcome::Error, "error"),
    (Outcome::Fail, "fail"),
];

pub(super) fn readiness_chart(report: &RunReport) -> Chart {
    let mut chart = chart_frame(report.standards.len());
    chart.summary = "Requirements by outcome, per standard".into();
    chart.rows = report
        .standards
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = pt(i as f64 * ROW_HEIGHT + 4.0);
            let parts: Vec<(usize, &'static str, &'static str)> = OUTCOME_PARTS
                .iter()
                .map(|&(o, class)| (s.outcomes.get(o), class, o.label()))
                .collect();
            let total: usize = parts.iter().map(|p| p.0).sum();
            ChartRow {
                label: s.title.clone(),
                y,
                h: BAR_HEIGHT,
                segments: stacked(&chart, &parts, |n| n.to_string()),
                note: format!("{total} requirement{}", if total == 1 { "" } else { "s" }),
            }
        })
        .collect();
    chart.legend = legend(&[
        ("pass", "pass"),
        ("waived", "waived"),
        ("na", "not applicable"),
        ("no-evidence", "no evidence"),
        ("error", "error"),
        ("fail", "fail"),
    ]);
    chart
}

pub(super) fn coverage_chart(report: &RunReport) -> Chart {
    let mut chart = chart_frame(report.standards.len());
    chart.summary = "Clause and control coverage, per standard".into();
    chart.rows = report
        .standards
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = pt(i as f64 * ROW_HEIGHT + 4.0);
            let c = &s.coverage;
            let parts = [
                (c.automated, "automated", "automated"),
                (c.attested, "attested", "attested"),
                (c.manual, "manual", "manual evidence needed"),
                (c.excluded, "excluded", "excluded by the SoA"),
            ];
            let in_scope = c.total.saturating_sub(c.excluded);
            ChartRow {
                label: s.title.clone(),
                y,
                h: BAR_HEIGHT,
                segments: stacked(&chart, &parts, |n| n.to_string()),
                note: format!(
                    "{}% of {in_scope} covered",
                    percent(c.automated + c.attested, in_scope)
                ),
            }
        })
        .collect();
    chart.legend = legend(&[
        ("automated", "automated"),
        ("attested", "attested"),
        ("manual", "manual"),
        ("excluded", "excluded"),
    ]);
    chart
}

/// A number read from a shown value: `93.33%` → (93.33, true); `26.22` → (26.22, false).
/// Durations and dates are not charted.
pub fn parse_number(s: &str) -> Option<(f64, bool)> {
    let s = s.trim();
    let (digits, percent) = match s.strip_suffix('%') {
        Some(d) => (d, true),
        None => (s, false),
    };
    let digits = digits.replace(',', "");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') {
        return None;
    }
    digits
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .map(|x| (x, percent))
}

/// The operator and value of a target (`>= 95%`, `<= 20 (p90_limit)`).
pub fn parse_target(t: &str) -> Option<(&str, f64, bool)> {
    let t = t.trim();
    let op_len = t
        .char_indices()
        .find(|(_, c)| !matches!(c, '<' | '>' | '=' | '!'))
        .map_or(t.len(), |(i, _)| i);
    let op = t.get(..op_len)?;
    let rest = t.get(op_len..)?.trim_start();
    let value = rest.split_whitespace().next()?;
    let (x, percent) = parse_number(value)?;
    (!op.is_empty()).then_some((op, x, percent))
}

/// Whether a value meets a target.
fn meets(x: f64, op: &str, target: f64) -> bool {
    match op {
        "<" => x < target,
        "<=" => x <= target,
        ">" => x > target,
        ">=" => x >= target,
        "==" => x == target,
        "!=" => x != target,
        _ => true,
    }
}

pub(super) fn value_chart(
    rows: &[(String, f64, String)],
    target: Option<(&str, f64, bool)>,
    percent: bool,
) -> Chart {
    let mut chart = chart_frame(rows.len());
    let max = rows
        .iter()
        .map(|r| r.1)
        .chain(target.map(|t| t.1))
        .fold(0.0f64, f64::max);
    let scale_max = if percent && max <= 100.0 {
        100.0
    } else if max > 0.0 {
        max * 1.1
    } else {
        1.0
    };
    let scale = |x: f64| pt(chart.bar_x + chart.bar_width * (x.max(0.0) / scale_max).min(1.0));
    chart.rows = rows
        .iter()
        .enumerate()
        .map(|(i, (label, x, note))| {
            let y = pt(i as f64 * ROW_HEIGHT + 4.0);
            let ok = target.is_none_or(|(op, t, _)| meets(*x, op, t));
            ChartRow {
                label: label.clone(),
                y,
                h: BAR_HEIGHT,
                segments: vec![Segment {
                    x: chart.bar_x,
                    w: pt(scale(*x) - chart.bar_x),
                    class: if target.is_none() {
                        "neutral"
                    } else if ok {
                        "pass"
                    } else {
                        "fail"
                    },
                    text: String::new(),
                    title: format!("{label}: {note}"),
                }],
                note: note.clone(),
            }
        })
        .collect();
    chart.target = target.map(|(op, t, pc)| ChartTarget {
        x: scale(t),
        label: format!(
            "target {op} {}{}",
            crate::value::format_number(t),
            if pc { "%" } else { "" }
        ),
    });
    chart.summary = match &chart.target {
        Some(t) => format!("values against the {}", t.label),
        None => "values".into(),
    };
    chart.legend_y = rows.len() as f64 * ROW_HEIGHT + 20.0;
    chart
}

/// Measured against target for a comparison expect, when both are numbers.
pub(super) fn measured_chart(e: &ExpectReport) -> Option<Chart> {
    let (x, percent) = parse_number(e.measured.as_deref()?)?;
    let target = parse_target(e.target.as_deref()?)?;
    if target.2 != percent {
        return None;
    }
    let shown = e.measured.clone().unwrap_or_default();
    Some(value_chart(
        &[("measured".into(), x, shown)],
        Some(target),
        percent,
    ))
}
