//! auditready: policy-as-code readiness checks for integrated ISO management systems.
//!
//! The pipeline, one module per stage:
//! `project` reads `*.rules` files → `syntax` parses them into an AST with spans →
//! `check` resolves names and types into a [`check::Program`] → `evidence` loads the
//! exports each dataset declares into typed tables → `eval` evaluates every requirement
//! → `report` renders the results. Every stage reports problems as
//! [`diagnostic::Diagnostic`]s with stable codes; only `report` renders them.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod eval;
pub mod evidence;
pub mod fmt;
pub mod hashing;
pub mod project;
pub mod report;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod value;
