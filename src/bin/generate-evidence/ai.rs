//! `ai/ai-systems.csv`: the ISO/IEC 42001 AI system inventory.

use crate::clock::days_from_civil as d;
use crate::people::role;
use crate::rng::Rng;
use crate::table::{Table, tag};

const HEADER: [&str; 10] = [
    "AI System",
    "Purpose",
    "Owner",
    "Risk Level",
    "Impact Assessment Date",
    "Human Oversight",
    "Training Data Provenance",
    "Model Card",
    "Status",
    "Supplier",
];

/// One AI system of the inventory.
pub struct AiSystem {
    /// Name; AI risks in the risk register start with it.
    pub name: &'static str,
    purpose: &'static str,
    owner: &'static str,
    risk: &'static str,
    assessed: Option<i64>,
    oversight: &'static str,
    provenance: &'static str,
    model_card: bool,
    status: &'static str,
    /// Supplier as named in the supplier register (empty when built in-house).
    pub supplier: &'static str,
}

/// The inventory. The sales e-mail assistant (a pilot) has no impact assessment: the
/// `ai.impact_assessed` finding. The code review assistant was assessed exactly 12 months
/// before as_of (a boundary).
pub const SYSTEMS: [AiSystem; 8] = [
    AiSystem {
        name: "Ticket triage assistant",
        purpose: "Classifies incoming incidents and suggests the assignment group",
        owner: "AI Lead",
        risk: "Medium",
        assessed: Some(d(2026, 4, 14)),
        oversight: "Service desk agent confirms every suggested group; low-confidence tickets go to manual triage",
        provenance: "Trained in-house on pseudonymised ServiceNow tickets 2023-2025; data sheet DS-AI-01",
        model_card: true,
        status: "In production",
        supplier: "",
    },
    AiSystem {
        name: "Kuura Assist customer chatbot",
        purpose: "Answers customer questions about services and ticket status on the customer portal",
        owner: "Head of Customer Success",
        risk: "High",
        assessed: Some(d(2026, 2, 10)),
        oversight: "Hand-over to a human agent on request or low confidence; weekly review of sampled transcripts",
        provenance: "Vendor foundation model (Azure OpenAI Service); answers grounded only in the approved knowledge base",
        model_card: true,
        status: "In production",
        supplier: "Microsoft Ireland Operations Ltd",
    },
    AiSystem {
        name: "CV screening assistant",
        purpose: "Ranks job applications against the published requirements for recruiters",
        owner: "HR Manager",
        risk: "High",
        assessed: Some(d(2026, 8, 20)),
        oversight: "A recruiter reviews every application; the ranking is advisory and never rejects a candidate",
        provenance: "Vendor model; vendor data statement reviewed in August 2026 (no scraping, EU-hosted)",
        model_card: true,
        status: "Pilot",
        supplier: "TalentFlow Oy",
    },
    AiSystem {
        name: "Monitoring anomaly detection",
        purpose: "Detects anomalies in infrastructure metrics and raises monitoring alerts",
        owner: "IT Operations Manager",
        risk: "Low",
        assessed: Some(d(2025, 12, 3)),
        oversight: "On-call engineer triages every alert before action",
        provenance: "Trained in-house on 12 months of Zabbix metrics; no personal data",
        model_card: true,
        status: "In production",
        supplier: "",
    },
    AiSystem {
        name: "Code review assistant",
        purpose: "Suggests code changes and flags insecure patterns in merge requests",
        owner: "Engineering Manager",
        risk: "Medium",
        assessed: Some(d(2025, 11, 22)),
        oversight: "A second engineer approves every merge request",
        provenance: "Vendor model; customer code excluded from vendor training by contract",
        model_card: false,
        status: "In production",
        supplier: "GitLab B.V.",
    },
    AiSystem {
        name: "Meeting transcription and summaries",
        purpose: "Transcribes internal meetings and drafts minutes",
        owner: "Executive Assistant",
        risk: "Low",
        assessed: Some(d(2026, 5, 6)),
        oversight: "The meeting owner edits and approves the minutes",
        provenance: "Vendor model (Microsoft Teams Premium); no training on company data",
        model_card: false,
        status: "In production",
        supplier: "Microsoft Ireland Operations Ltd",
    },
    AiSystem {
        name: "Capacity forecasting model",
        purpose: "Forecasts storage and compute demand of the customer hosting platform",
        owner: "IT Operations Manager",
        risk: "Low",
        assessed: Some(d(2026, 9, 29)),
        oversight: "Capacity manager reviews the forecast monthly before ordering",
        provenance: "Trained in-house on 24 months of platform metrics; no personal data",
        model_card: true,
        status: "In production",
        supplier: "",
    },
    AiSystem {
        name: "Sales e-mail assistant",
        purpose: "Drafts outbound sales e-mails and meeting follow-ups in the CRM",
        owner: "Head of Sales",
        risk: "Medium",
        assessed: None,
        oversight: "The sales representative edits and sends every e-mail personally",
        provenance: "Vendor model (HubSpot); CRM data stays in the EU tenant, vendor data statement on file",
        model_card: false,
        status: "Pilot",
        supplier: "HubSpot Ireland Ltd",
    },
];

/// The inventory as a register.
pub fn table() -> Table {
    let rows = SYSTEMS
        .iter()
        .map(|s| {
            vec![
                s.name.to_string(),
                s.purpose.to_string(),
                role(s.owner),
                s.risk.to_string(),
                Table::day(s.assessed),
                s.oversight.to_string(),
                s.provenance.to_string(),
                if s.model_card { "Yes" } else { "No" }.to_string(),
                s.status.to_string(),
                s.supplier.to_string(),
            ]
        })
        .collect();
    Table::new("ai/ai-systems.csv", &HEADER, rows)
}

/// Copy `k` at scale: names carry the business unit; a few systems lack an assessment,
/// oversight or provenance.
pub fn scale(row: &mut [String], k: u64, rng: &mut Rng) {
    let t = tag(k);
    row[0] = format!("{} ({t})", row[0]);
    if !row[9].is_empty() {
        row[9] = format!("{} ({t})", row[9]);
    }
    match rng.weighted(&[950, 30, 10, 10]) {
        1 => row[4].clear(),
        2 if row[3] == "High" => row[5].clear(),
        3 => row[6].clear(),
        _ => {}
    }
    if row[4].is_empty() && rng.chance(900) {
        row[4] = "2026-06-15".to_string();
    }
}
