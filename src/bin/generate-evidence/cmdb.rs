//! `itsm/cmdb.csv`: configuration items with their information classification. Retired
//! items keep an empty classification (not a finding: only active items must be classified).

use crate::continuity::SERVICES;
use crate::people::role;
use crate::rng::Rng;
use crate::table::{Table, tag};

const HEADER: [&str; 8] = [
    "CI ID",
    "Name",
    "Class",
    "Owner",
    "Classification",
    "Personal Data",
    "Environment",
    "Status",
];

/// `(class, owner role, classification, personal data)` of each continuity service, in the
/// order of [`SERVICES`].
const SERVICE_CIS: [(&str, &str, &str, bool); 11] = [
    ("Application", "Service Desk Manager", "Confidential", true),
    ("Application", "Engineering Manager", "Confidential", true),
    ("Platform", "IT Operations Manager", "Restricted", true),
    ("Platform", "IT Operations Manager", "Restricted", true),
    ("Cloud Service", "IT Operations Manager", "Confidential", true),
    ("Cloud Service", "CISO", "Confidential", true),
    ("Cloud Service", "Service Desk Manager", "Confidential", true),
    ("Cloud Service", "Finance Manager", "Restricted", true),
    ("Cloud Service", "Head of Sales", "Confidential", true),
    ("Application", "Engineering Manager", "Confidential", false),
    ("Application", "IT Operations Manager", "Internal", false),
];

/// Infrastructure: `(name pattern, count, class, owner role, classification, personal
/// data, environment, active)`; `{}` is replaced by a two-digit number.
type Family = (
    &'static str,
    u32,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    bool,
);

const FAMILIES: [Family; 15] = [
    (
        "hel-prod-app{}",
        8,
        "Linux Server",
        "IT Operations Manager",
        "Confidential",
        true,
        "Production",
        true,
    ),
    (
        "hel-prod-db{}",
        4,
        "Database Server",
        "IT Operations Manager",
        "Restricted",
        true,
        "Production",
        true,
    ),
    (
        "hel-prod-2-node{}",
        12,
        "Kubernetes Node",
        "IT Operations Manager",
        "Restricted",
        true,
        "Production",
        true,
    ),
    (
        "hel-bkp-proxy{}",
        2,
        "Linux Server",
        "IT Operations Manager",
        "Restricted",
        true,
        "Production",
        true,
    ),
    (
        "hel-test-app{}",
        6,
        "Linux Server",
        "Engineering Manager",
        "Internal",
        false,
        "Test",
        true,
    ),
    (
        "hel-dev-{}",
        4,
        "Linux Server",
        "Engineering Manager",
        "Internal",
        false,
        "Development",
        true,
    ),
    (
        "customer-portal-db{}",
        1,
        "Database",
        "Engineering Manager",
        "Restricted",
        true,
        "Production",
        true,
    ),
    (
        "reporting-dw{}",
        1,
        "Database",
        "Finance Manager",
        "Confidential",
        true,
        "Production",
        true,
    ),
    (
        "fw-hel-{}",
        2,
        "Firewall",
        "IT Operations Manager",
        "Internal",
        false,
        "Production",
        true,
    ),
    (
        "sw-hel-core{}",
        2,
        "Network Switch",
        "IT Operations Manager",
        "Internal",
        false,
        "Production",
        true,
    ),
    (
        "vpn-hel-{}",
        1,
        "VPN Gateway",
        "IT Operations Manager",
        "Internal",
        false,
        "Production",
        true,
    ),
    (
        "san-hel-{}",
        1,
        "Storage Array",
        "IT Operations Manager",
        "Restricted",
        true,
        "Production",
        true,
    ),
    (
        "log-archive-bucket-{}",
        1,
        "Object Storage",
        "CISO",
        "Confidential",
        true,
        "Production",
        true,
    ),
    (
        "hel-legacy-app{}",
        8,
        "Linux Server",
        "IT Operations Manager",
        "",
        false,
        "Production",
        false,
    ),
    (
        "exchange{}",
        2,
        "Windows Server",
        "IT Operations Manager",
        "",
        false,
        "Production",
        false,
    ),
];

/// The CMDB.
pub fn table() -> Table {
    let mut rows = Vec::new();
    let mut id = 10_001;
    let mut push =
        |name: String, class: &str, owner: &str, classification: &str, pd: bool, env: &str, active: bool| {
            rows.push(vec![
                format!("CI{id:07}"),
                name,
                class.to_string(),
                role(owner),
                classification.to_string(),
                if pd { "Yes" } else { "No" }.to_string(),
                env.to_string(),
                if active { "Active" } else { "Retired" }.to_string(),
            ]);
            id += 1;
        };
    for (s, c) in SERVICES.iter().zip(SERVICE_CIS.iter()) {
        push(s.0.to_string(), c.0, c.1, c.2, c.3, "Production", true);
    }
    for (pattern, count, class, owner, classification, pd, env, active) in FAMILIES {
        for n in 1..=count {
            push(
                pattern.replace("{}", &format!("{n:02}")),
                class,
                owner,
                classification,
                pd,
                env,
                active,
            );
        }
    }
    Table::new("itsm/cmdb.csv", &HEADER, rows)
}

/// Copy `k` at scale: about 2 % of active items unclassified, 1 % holding personal data
/// under `Internal`.
pub fn scale(row: &mut [String], k: u64, rng: &mut Rng) {
    row[0] = format!("{}-{}", tag(k), row[0]);
    row[1] = format!("{} ({})", row[1], tag(k));
    if row[7] == "Active" {
        match rng.weighted(&[970, 20, 10]) {
            1 => row[4].clear(),
            2 if row[5] == "Yes" => row[4] = "Internal".to_string(),
            _ => {}
        }
    }
}
