//! Rendering results and diagnostics for people and machines.

pub mod diagnostics;
