//! The pest parser generated from `grammar/auditready.pest`. Only `lower.rs` looks at
//! what it produces.

/// The generated parser.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/auditready.pest"]
pub struct RuleParser;
