//! `grc/suppliers.csv`: the supplier register.

use crate::clock::days_from_civil as d;
use crate::rng::Rng;
use crate::table::{Table, tag};

const HEADER: [&str; 8] = [
    "Supplier",
    "Service",
    "Critical",
    "Security Requirements In Contract",
    "AI Supplier",
    "Last Evaluation",
    "Evaluation Result",
    "Data Processing Agreement",
];

/// `(supplier, service, critical, security terms, AI supplier, last evaluation, result, DPA)`.
type Supplier = (
    &'static str,
    &'static str,
    bool,
    bool,
    bool,
    i64,
    &'static str,
    bool,
);

/// The register. Pohjola Datacenter Oy (critical) was last evaluated 20 months before
/// as_of: the `supplier.evaluated` finding. Okta was evaluated exactly 12 months before
/// (a boundary). Non-critical suppliers evaluated long ago are not findings.
pub const SUPPLIERS: [Supplier; 23] = [
    (
        "Amazon Web Services EMEA SARL",
        "Cloud hosting (eu-north-1)",
        true,
        true,
        false,
        d(2026, 3, 18),
        "Approved",
        true,
    ),
    (
        "UpCloud Oy",
        "IaaS for the customer hosting platform",
        true,
        true,
        false,
        d(2026, 5, 20),
        "Approved",
        true,
    ),
    (
        "Microsoft Ireland Operations Ltd",
        "Microsoft 365 and Azure OpenAI Service",
        true,
        true,
        true,
        d(2026, 6, 24),
        "Approved",
        true,
    ),
    (
        "ServiceNow Nederland B.V.",
        "ITSM platform (SaaS)",
        true,
        true,
        false,
        d(2026, 2, 12),
        "Approved",
        true,
    ),
    (
        "Atlassian Network Services, Inc.",
        "Jira and Confluence Cloud",
        true,
        true,
        false,
        d(2026, 1, 28),
        "Approved",
        true,
    ),
    (
        "Okta Ireland Ltd",
        "Identity and access management (SaaS)",
        true,
        true,
        false,
        d(2025, 11, 22),
        "Approved",
        true,
    ),
    (
        "Elisa Oyj",
        "Internet connectivity and MPLS",
        true,
        true,
        false,
        d(2026, 9, 2),
        "Approved",
        true,
    ),
    (
        "Telia Finland Oyj",
        "Backup connectivity and SIP trunks",
        true,
        true,
        false,
        d(2026, 8, 11),
        "Approved with conditions",
        true,
    ),
    (
        "Pohjola Datacenter Oy",
        "Colocation of the secondary site (Kerava)",
        true,
        true,
        false,
        d(2025, 3, 19),
        "Approved",
        true,
    ),
    (
        "GitLab B.V.",
        "Source code hosting, CI and code review assistant",
        true,
        true,
        true,
        d(2026, 7, 7),
        "Approved",
        true,
    ),
    (
        "Veeam Software Group GmbH",
        "Backup software and support",
        true,
        true,
        false,
        d(2026, 4, 22),
        "Approved",
        false,
    ),
    (
        "Netvisor Oy",
        "Finance and payroll ERP (SaaS)",
        true,
        true,
        false,
        d(2026, 10, 6),
        "Approved",
        true,
    ),
    (
        "Kuulas Telephony Oy",
        "Contact centre telephony (SaaS)",
        true,
        true,
        false,
        d(2026, 6, 2),
        "Approved",
        true,
    ),
    (
        "HubSpot Ireland Ltd",
        "CRM and sales e-mail assistant",
        false,
        true,
        true,
        d(2026, 9, 15),
        "Approved",
        true,
    ),
    (
        "TalentFlow Oy",
        "Recruitment platform and CV screening",
        false,
        true,
        true,
        d(2026, 8, 18),
        "Approved with conditions",
        true,
    ),
    (
        "DeepL SE",
        "Machine translation of customer documents",
        false,
        true,
        true,
        d(2026, 5, 27),
        "Approved",
        true,
    ),
    (
        "Auditportti Oy",
        "Internal audit services",
        false,
        true,
        false,
        d(2026, 2, 19),
        "Approved",
        true,
    ),
    (
        "Nordic Field Services Oy",
        "On-site hardware maintenance",
        false,
        true,
        false,
        d(2026, 3, 3),
        "Approved",
        true,
    ),
    (
        "Vartija Security Oy",
        "Office guarding and access control",
        false,
        true,
        false,
        d(2026, 1, 14),
        "Approved",
        true,
    ),
    (
        "Polar Devices Oy",
        "Laptops and peripherals",
        false,
        false,
        false,
        d(2025, 4, 10),
        "Approved",
        false,
    ),
    (
        "Lumen Print Oy",
        "Printing and mailing",
        false,
        false,
        false,
        d(2025, 8, 19),
        "Approved",
        false,
    ),
    (
        "Arctic Courier Oy",
        "Courier services",
        false,
        false,
        false,
        d(2024, 11, 5),
        "Approved",
        false,
    ),
    (
        "Kiilto Facility Services Oy",
        "Office cleaning",
        false,
        false,
        false,
        d(2025, 10, 8),
        "Approved",
        false,
    ),
];

fn yes(b: bool) -> String {
    if b { "Yes" } else { "No" }.to_string()
}

/// The supplier register.
pub fn table() -> Table {
    let rows = SUPPLIERS
        .iter()
        .map(
            |&(name, service, critical, security, ai, evaluated, result, dpa)| {
                vec![
                    name.to_string(),
                    service.to_string(),
                    yes(critical),
                    yes(security),
                    yes(ai),
                    Table::day(Some(evaluated)),
                    result.to_string(),
                    yes(dpa),
                ]
            },
        )
        .collect();
    Table::new("grc/suppliers.csv", &HEADER, rows)
}

/// Copy `k` at scale: about 4 % of critical suppliers overdue for evaluation, 2 % without
/// security terms, 3 % of AI suppliers never evaluated.
pub fn scale(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{} ({})", row[0], tag(k));
    if row[5].as_str() < "2025-11-22" && row[2] == "Yes" && rng.chance(900) {
        row[5] = "2026-07-01".to_string();
    }
    match rng.weighted(&[940, 40, 20]) {
        1 if row[2] == "Yes" => row[5] = "2024-12-02".to_string(),
        2 if row[2] == "Yes" => row[3] = "No".to_string(),
        _ if row[4] == "Yes" && rng.chance(30) => row[5].clear(),
        _ => {}
    }
}
