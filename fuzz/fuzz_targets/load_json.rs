//! Fuzz target `load_json`: see `tests/robustness_gen/mod.rs` for the input's meaning and the
//! invariants checked. `tests/robustness_props.rs` runs the same function under proptest.
#![no_main]

#[path = "../../tests/robustness_gen/mod.rs"]
mod robustness_gen;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    robustness_gen::json_bytes(data);
});
