//! JSON and JSON Lines, without a DOM: each record is deserialized straight into the
//! declared paths (serde seeds over borrowed strings, `IgnoredAny` for everything else).
//!
//! A top-level array is read in blocks; a small scanner that understands strings and
//! escapes finds the record boundaries at nesting depth 1, and the records of each block are
//! parsed in parallel, then appended in order (the table does not depend on the split).
//! JSON Lines are split at line breaks the same way (blank lines skipped). A file with a
//! `records` path (`data.items`) is read whole (bounded) and parsed in one pass.
//!
//! Paths: `published`, `outcome.result`, `target[0].alternateId`, `["odd.key"]`. A `null`
//! anywhere along a path, an absent key and an empty string are none; the string `"null"` is
//! text unless declared a null token. With several paths in `from`, the first one present
//! (not none) in a record wins. A path that no record reaches at all is a missing column
//! (D404). A JSON array at a list field's path gives the list's items.
//!
//! Provenance: the 0-based array index (JSON) or the line (JSON Lines).

use std::path::Path;

use rayon::prelude::*;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::build::TableBuilder;
use super::convert::{Cell, Problem};
use super::error::LoadErrorKind;
use super::input::Input;
use super::spec::{Encoding, SourceFormat};
use super::{
    Fail, FileFacts, LoadError, LoadObserver, Location, MAX_CELL_BYTES, MAX_JSON_DEPTH,
    MAX_JSON_DOCUMENT_BYTES, MAX_RECORD_BYTES, Plan, ProvenanceKind, Table,
};

#[path = "json_fast.rs"]
mod fast;

/// Bytes read per block.
const BLOCK: usize = if cfg!(test) { 4096 } else { 8 << 20 };

/// Fewest records parsed per parallel task.
const MIN_CHUNK: usize = if cfg!(test) { 3 } else { 256 };

/// One step of a JSON path.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    Key(String),
    Index(u64),
}

/// Parses `a.b[0].c` and `["odd.key"]`.
pub(crate) fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let b = path.as_bytes();
    let mut i = 0;
    let mut expect_key = true;
    while i < b.len() {
        match b.get(i) {
            Some(b'[') => {
                i += 1;
                if b.get(i) == Some(&b'"') {
                    let start = i + 1;
                    let end = path
                        .get(start..)
                        .and_then(|rest| rest.find('"'))
                        .map(|n| start + n)
                        .ok_or_else(|| format!("unclosed `[\"` in `{path}`"))?;
                    steps.push(Step::Key(path.get(start..end).unwrap_or("").to_string()));
                    i = end + 1;
                } else {
                    let start = i;
                    while b.get(i).is_some_and(u8::is_ascii_digit) {
                        i += 1;
                    }
                    let index = path
                        .get(start..i)
                        .and_then(|d| d.parse::<u64>().ok())
                        .ok_or_else(|| format!("`[` must hold an index such as `[0]` in `{path}`"))?;
                    steps.push(Step::Index(index));
                }
                if b.get(i) != Some(&b']') {
                    return Err(format!("missing `]` in `{path}`"));
                }
                i += 1;
                expect_key = false;
            }
            Some(b'.') => {
                if expect_key {
                    return Err(format!("empty name in `{path}`"));
                }
                i += 1;
                expect_key = true;
            }
            _ => {
                if !expect_key {
                    return Err(format!("expected `.` or `[` in `{path}`"));
                }
                let start = i;
                while b.get(i).is_some_and(|c| *c != b'.' && *c != b'[') {
                    i += 1;
                }
                steps.push(Step::Key(path.get(start..i).unwrap_or("").to_string()));
                expect_key = false;
            }
        }
    }
    if steps.is_empty() || expect_key {
        return Err(format!("`{path}` is not a JSON path"));
    }
    Ok(steps)
}

#[derive(Debug, Default)]
struct Node {
    keys: Vec<(String, usize)>,
    indexes: Vec<(u64, usize)>,
    /// Fields whose path ends here, with the rank of the path in `from`.
    leaves: Vec<(usize, u8)>,
    /// Fields whose path passes through or ends here.
    below: Vec<usize>,
    /// A single-value (not list) field ends here.
    scalar_leaves: bool,
    /// A list field ends here.
    list_leaves: bool,
}

/// All declared paths, merged.
#[derive(Debug)]
pub(crate) struct Trie {
    nodes: Vec<Node>,
}

impl Trie {
    fn build(plan: &Plan<'_>) -> Result<Trie, LoadError> {
        let mut nodes = vec![Node::default()];
        for (f, field) in plan.fields.iter().enumerate() {
            for (rank, path) in field.from.iter().enumerate() {
                let steps = parse_path(path).map_err(|problem| {
                    plan.error(LoadErrorKind::InvalidDeclaration {
                        field: Some(field.name.clone()),
                        problem,
                        fix: String::from("write a path such as `outcome.result` or `target[0].alternateId`"),
                    })
                })?;
                let mut at = 0usize;
                for step in steps {
                    if let Some(node) = nodes.get_mut(at)
                        && !node.below.contains(&f)
                    {
                        node.below.push(f);
                    }
                    let existing = nodes.get(at).and_then(|node| match &step {
                        Step::Key(k) => node.keys.iter().find(|(n, _)| n == k).map(|(_, c)| *c),
                        Step::Index(x) => node.indexes.iter().find(|(n, _)| n == x).map(|(_, c)| *c),
                    });
                    at = match existing {
                        Some(child) => child,
                        None => {
                            let child = nodes.len();
                            nodes.push(Node::default());
                            if let Some(node) = nodes.get_mut(at) {
                                match step {
                                    Step::Key(k) => node.keys.push((k, child)),
                                    Step::Index(x) => node.indexes.push((x, child)),
                                }
                            }
                            child
                        }
                    };
                }
                if let Some(node) = nodes.get_mut(at) {
                    node.leaves.push((f, u8::try_from(rank).unwrap_or(u8::MAX)));
                    if !node.below.contains(&f) {
                        node.below.push(f);
                    }
                }
            }
        }
        for node in &mut nodes {
            for &(f, _) in &node.leaves {
                let list = plan.fields.get(f).is_some_and(|c| c.is_list());
                node.list_leaves |= list;
                node.scalar_leaves |= !list;
            }
        }
        Ok(Trie { nodes })
    }

    fn node(&self, i: usize) -> Option<&Node> {
        self.nodes.get(i)
    }

    /// A single-value field's path ends at node `i`.
    fn has_scalar_leaves(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(|n| n.scalar_leaves)
    }

    /// A list field's path ends at node `i`.
    fn has_list_leaves(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(|n| n.list_leaves)
    }

    /// The child of node `i` under object key `key` (unescaped bytes).
    fn key_child(&self, i: usize, key: &[u8]) -> Option<usize> {
        let node = self.nodes.get(i)?;
        node.keys
            .iter()
            .find(|(k, _)| k.as_bytes() == key)
            .map(|(_, c)| *c)
    }

    /// The child of node `i` at array index `index`.
    fn index_child(&self, i: usize, index: u64) -> Option<usize> {
        let node = self.nodes.get(i)?;
        node.indexes.iter().find(|(x, _)| *x == index).map(|(_, c)| *c)
    }
}

/// Why a record could not be converted.
enum RecordError {
    Cell {
        field: usize,
        /// Which of the field's `from` paths held the value (0 when none did).
        rank: u8,
        problem: Problem,
        raw: String,
    },
    NotARecord(&'static str),
    TooLarge(u64),
}

/// Per-chunk conversion state.
struct Ctx<'p> {
    plan: &'p Plan<'p>,
    trie: &'p Trie,
    builder: TableBuilder,
    /// Rank of the path that set each field in the current record.
    seen: Vec<Option<u8>>,
    /// Whether any record reached each field's path.
    present: Vec<bool>,
    error: Option<RecordError>,
    /// Top-level keys of the first record (for "did you mean").
    first_keys: Option<Vec<String>>,
    collecting_keys: bool,
}

impl<'p> Ctx<'p> {
    fn new(plan: &'p Plan<'p>, trie: &'p Trie) -> Ctx<'p> {
        Ctx {
            plan,
            trie,
            builder: plan.builder(),
            seen: vec![None; plan.fields.len()],
            present: vec![false; plan.fields.len()],
            error: None,
            first_keys: None,
            collecting_keys: false,
        }
    }

    fn fail<E: de::Error>(&mut self, error: RecordError) -> E {
        self.error = Some(error);
        E::custom("record conversion failed")
    }

    /// A null (or scalar where an object was expected) at a node: its fields are present.
    fn mark_present(&mut self, node: usize) {
        if let Some(n) = self.trie.node(node) {
            for &f in &n.below {
                if let Some(p) = self.present.get_mut(f) {
                    *p = true;
                }
            }
        }
    }

    /// Gives a scalar to every field whose path ends at `node`.
    fn scalar<E: de::Error>(&mut self, node: usize, cell: Cell<'_>) -> Result<(), E> {
        let trie = self.trie;
        let Some(n) = trie.node(node) else {
            return Ok(());
        };
        self.mark_present(node);
        for &(f, rank) in &n.leaves {
            let Some(conv) = self.plan.fields.get(f) else {
                continue;
            };
            let empty = match cell {
                Cell::Null => true,
                Cell::Text(s) => conv.clean(s).is_none(),
                _ => false,
            };
            if empty {
                continue;
            }
            let Some(slot) = self.seen.get_mut(f) else {
                continue;
            };
            match *slot {
                Some(r) if r <= rank => continue,
                Some(_) => {
                    if let Some(col) = self.builder.columns.get_mut(f) {
                        col.pop();
                    }
                }
                None => {}
            }
            *slot = Some(rank);
            if !conv.used {
                continue;
            }
            let Some(col) = self.builder.columns.get_mut(f) else {
                continue;
            };
            if let Err(problem) = conv.convert(cell, col, &mut self.builder.notes) {
                let raw = match cell {
                    Cell::Text(s) => s.to_string(),
                    Cell::Int(i) => i.to_string(),
                    Cell::UInt(u) => u.to_string(),
                    Cell::Float(x) => x.to_string(),
                    Cell::Bool(b) => b.to_string(),
                    _ => String::new(),
                };
                return Err(self.fail(RecordError::Cell {
                    field: f,
                    rank,
                    problem,
                    raw,
                }));
            }
        }
        Ok(())
    }

    /// Closes a record: fields no path reached get none (or fail if required).
    fn end_record(&mut self, position: u64) -> Result<(), RecordError> {
        for (f, conv) in self.plan.fields.iter().enumerate() {
            let seen = self.seen.get_mut(f).and_then(Option::take).is_some();
            if seen || !conv.used {
                if !conv.used && !seen && conv.required {
                    return Err(RecordError::Cell {
                        field: f,
                        rank: 0,
                        problem: Problem::Required,
                        raw: String::new(),
                    });
                }
                continue;
            }
            let Some(col) = self.builder.columns.get_mut(f) else {
                continue;
            };
            if let Err(problem) = conv.convert(Cell::Null, col, &mut self.builder.notes) {
                return Err(RecordError::Cell {
                    field: f,
                    rank: 0,
                    problem,
                    raw: String::new(),
                });
            }
        }
        self.builder.positions.push(position);
        self.builder.rows += 1;
        Ok(())
    }

    /// Resets after a failed record (the whole load fails, but keep state consistent).
    fn describe(&self, error: RecordError, location: Location) -> LoadError {
        match error {
            RecordError::Cell {
                field,
                rank,
                problem,
                raw,
            } => {
                // The path that held the value, not the first one declared.
                let column = self
                    .plan
                    .fields
                    .get(field)
                    .and_then(|f| f.from.get(usize::from(rank)).or(f.from.first()))
                    .map_or("", String::as_str);
                self.plan.cell_error(field, column, &raw, problem, location)
            }
            RecordError::NotARecord(found) => self
                .plan
                .error(LoadErrorKind::NotARecord {
                    found: found.to_string(),
                })
                .at(location),
            RecordError::TooLarge(size) => self
                .plan
                .error(LoadErrorKind::TooLarge {
                    what: String::from("a string value"),
                    size,
                    limit: MAX_CELL_BYTES as u64,
                })
                .at(location),
        }
    }
}

/// Deserializes the value at a trie node.
struct NodeSeed<'a, 'p> {
    ctx: &'a mut Ctx<'p>,
    node: usize,
    record: bool,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl NodeSeed<'_, '_> {
    fn not_record<E: de::Error>(self, found: &'static str) -> Result<(), E> {
        if self.record {
            return Err(self.ctx.fail(RecordError::NotARecord(found)));
        }
        Ok(())
    }

    fn text<E: de::Error>(self, s: &str) -> Result<(), E> {
        if self.record {
            return self.not_record("a string");
        }
        if s.len() > MAX_CELL_BYTES {
            return Err(self.ctx.fail(RecordError::TooLarge(s.len() as u64)));
        }
        self.ctx.scalar(self.node, Cell::Text(s))
    }

    fn has_scalar_leaves(&self) -> bool {
        self.ctx.trie.node(self.node).is_some_and(|n| {
            n.leaves
                .iter()
                .any(|&(f, _)| self.ctx.plan.fields.get(f).is_some_and(|c| !c.is_list()))
        })
    }

    fn list_leaves(&self) -> Vec<(usize, u8)> {
        self.ctx.trie.node(self.node).map_or_else(Vec::new, |n| {
            n.leaves
                .iter()
                .copied()
                .filter(|&(f, _)| self.ctx.plan.fields.get(f).is_some_and(|c| c.is_list()))
                .collect()
        })
    }

    /// An object or array where a single value was expected: the error quotes it as
    /// compact JSON (cut when quoted).
    fn wrong_shape<E: de::Error>(&mut self, found: &str, value: &serde_json::Value) -> Result<(), E> {
        let Some(n) = self.ctx.trie.node(self.node) else {
            return Ok(());
        };
        let (f, rank) = n
            .leaves
            .iter()
            .copied()
            .find(|&(f, _)| self.ctx.plan.fields.get(f).is_some_and(|c| !c.is_list()))
            .unwrap_or((0, 0));
        Err(self.ctx.fail(RecordError::Cell {
            field: f,
            rank,
            problem: Problem::Invalid(Some(format!("found {found}, not a single value"))),
            raw: compact(value),
        }))
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        if self.record {
            return self.not_record("a boolean");
        }
        self.ctx.scalar(self.node, Cell::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        if self.record {
            return self.not_record("a number");
        }
        self.ctx.scalar(self.node, Cell::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        if self.record {
            return self.not_record("a number");
        }
        self.ctx.scalar(self.node, Cell::UInt(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        if self.record {
            return self.not_record("a number");
        }
        self.ctx.scalar(self.node, Cell::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.text(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        self.text(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        if self.record {
            return self.not_record("null");
        }
        self.ctx.mark_present(self.node);
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.has_scalar_leaves() {
            let value = <serde_json::Value as serde::Deserialize>::deserialize(
                de::value::MapAccessDeserializer::new(map),
            )?;
            return self.wrong_shape("an object", &value);
        }
        let trie = self.ctx.trie;
        let collect = self.record && self.ctx.collecting_keys;
        let mut keys = Vec::new();
        while let Some(child) = map.next_key_seed(KeySeed {
            trie,
            node: self.node,
            keys: collect.then_some(&mut keys),
        })? {
            match child {
                Some(child) => map.next_value_seed(NodeSeed {
                    ctx: &mut *self.ctx,
                    node: child,
                    record: false,
                })?,
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if collect {
            self.ctx.first_keys = Some(keys);
            self.ctx.collecting_keys = false;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        if self.record {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return self.not_record("an array");
        }
        if self.has_scalar_leaves() {
            let value = <serde_json::Value as serde::Deserialize>::deserialize(
                de::value::SeqAccessDeserializer::new(seq),
            )?;
            return self.wrong_shape("an array", &value);
        }
        self.ctx.mark_present(self.node);
        let lists = self.list_leaves();
        // List fields at this node take the array's items.
        let mut active = Vec::new();
        for (f, rank) in lists {
            let Some(slot) = self.ctx.seen.get_mut(f) else {
                continue;
            };
            match *slot {
                Some(r) if r <= rank => continue,
                Some(_) => {
                    if let Some(col) = self.ctx.builder.columns.get_mut(f) {
                        col.pop();
                    }
                }
                None => {}
            }
            *slot = Some(rank);
            active.push(f);
        }
        let trie = self.ctx.trie;
        let mut index = 0u64;
        loop {
            let child = trie
                .node(self.node)
                .and_then(|n| n.indexes.iter().find(|(x, _)| *x == index).map(|(_, c)| *c));
            let more = if !active.is_empty() {
                seq.next_element_seed(ItemSeed {
                    ctx: &mut *self.ctx,
                    fields: &active,
                })?
                .is_some()
            } else if let Some(child) = child {
                seq.next_element_seed(NodeSeed {
                    ctx: &mut *self.ctx,
                    node: child,
                    record: false,
                })?
                .is_some()
            } else {
                seq.next_element::<IgnoredAny>()?.is_some()
            };
            if !more {
                break;
            }
            index += 1;
        }
        for &f in &active {
            let (Some(conv), Some(col)) = (self.ctx.plan.fields.get(f), self.ctx.builder.columns.get_mut(f))
            else {
                continue;
            };
            if col.open_items() == 0 {
                // An empty array is none: let a later path (or the record end) decide.
                col.discard_items();
                if let Some(slot) = self.ctx.seen.get_mut(f) {
                    *slot = None;
                }
                continue;
            }
            if let Err(problem) = conv.end_list(col) {
                let rank = self.ctx.seen.get(f).copied().flatten().unwrap_or(0);
                return Err(self.ctx.fail(RecordError::Cell {
                    field: f,
                    rank,
                    problem,
                    raw: String::new(),
                }));
            }
        }
        Ok(())
    }
}

/// One element of an array read into list fields.
struct ItemSeed<'a, 'p> {
    ctx: &'a mut Ctx<'p>,
    fields: &'a [usize],
}

impl<'de> DeserializeSeed<'de> for ItemSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl ItemSeed<'_, '_> {
    fn item<E: de::Error>(self, s: &str) -> Result<(), E> {
        for &f in self.fields {
            let (Some(conv), Some(col)) = (self.ctx.plan.fields.get(f), self.ctx.builder.columns.get_mut(f))
            else {
                continue;
            };
            if !conv.used {
                continue;
            }
            if let Some(item) = conv.clean(s)
                && col.push_item(item).is_err()
            {
                let rank = self.ctx.seen.get(f).copied().flatten().unwrap_or(0);
                return Err(self.ctx.fail(RecordError::Cell {
                    field: f,
                    rank,
                    problem: Problem::Overflow,
                    raw: String::new(),
                }));
            }
        }
        Ok(())
    }

    /// An object or array as a list item: the error quotes it as compact JSON.
    fn nested<E: de::Error>(self, value: &serde_json::Value) -> Result<(), E> {
        let f = self.fields.first().copied().unwrap_or(0);
        let rank = self.ctx.seen.get(f).copied().flatten().unwrap_or(0);
        Err(self.ctx.fail(RecordError::Cell {
            field: f,
            rank,
            problem: Problem::Invalid(Some(String::from("a list item is an object or array, not text"))),
            raw: compact(value),
        }))
    }
}

impl<'de> Visitor<'de> for ItemSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list item")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.item(if v { "true" } else { "false" })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.item(&v.to_string())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.item(&v.to_string())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let mut text = String::new();
        super::number::render_f64(v, &mut text);
        self.item(&text)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.item(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let value = <serde_json::Value as serde::Deserialize>::deserialize(
            de::value::MapAccessDeserializer::new(map),
        )?;
        self.nested(&value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let value = <serde_json::Value as serde::Deserialize>::deserialize(
            de::value::SeqAccessDeserializer::new(seq),
        )?;
        self.nested(&value)
    }
}

/// A JSON value as compact text for a message, cut at a few hundred bytes (messages quote
/// at most 80 characters of it).
fn compact(value: &serde_json::Value) -> String {
    let mut text = value.to_string();
    if text.len() > 400 {
        let mut end = 400;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Matches an object key against a node's children without allocating.
struct KeySeed<'a, 'k> {
    trie: &'a Trie,
    node: usize,
    keys: Option<&'k mut Vec<String>>,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_, '_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Option<usize>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_, '_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        if let Some(keys) = self.keys
            && keys.len() < fast::MAX_LISTED_KEYS
        {
            keys.push(v.to_string());
        }
        Ok(self
            .trie
            .node(self.node)
            .and_then(|n| n.keys.iter().find(|(k, _)| k == v).map(|(_, c)| *c)))
    }
}

/// How a record may be parsed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Route {
    /// Only through serde.
    Serde,
    /// Through the fast path when the record fits it, else through serde.
    Fast,
    /// Only through the fast path: a record it declines is an error (the caller then
    /// redoes the block the careful way, see [`split_lines`]).
    FastOnly,
}

/// Parses one record from its bytes into `ctx` by `route`; `events` is the fast path's
/// scratch space.
fn parse_record<'a>(
    ctx: &mut Ctx<'_>,
    bytes: &'a [u8],
    location: Location,
    first_line: u64,
    first_col: u64,
    events: &mut Vec<fast::Event<'a>>,
    route: Route,
) -> Result<(), LoadError> {
    let mut keys = Vec::new();
    let fits = route != Route::Serde
        && fast::record(ctx.trie, bytes, events, ctx.collecting_keys.then_some(&mut keys));
    if !fits && route == Route::FastOnly {
        return Err(ctx.plan.error(LoadErrorKind::NotARecord {
            found: String::from("a record the fast path declines"),
        }));
    }
    if fits {
        if ctx.collecting_keys {
            ctx.first_keys = Some(keys);
            ctx.collecting_keys = false;
        }
        for event in events.drain(..) {
            let replayed: Result<(), serde_json::Error> = match event {
                fast::Event::Text(node, s) => ctx.scalar(node, Cell::Text(s)),
                fast::Event::Bool(node, b) => ctx.scalar(node, Cell::Bool(b)),
                fast::Event::Present(node) => {
                    ctx.mark_present(node);
                    Ok(())
                }
            };
            if replayed.is_err() {
                break;
            }
        }
        if let Some(error) = ctx.error.take() {
            return Err(ctx.describe(error, location));
        }
        let position = location.line.or(location.index).unwrap_or(0);
        return ctx
            .end_record(position)
            .map_err(|error| ctx.describe(error, location));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = NodeSeed {
        ctx: &mut *ctx,
        node: 0,
        record: true,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Some(error) = ctx.error.take() {
        return Err(ctx.describe(error, location));
    }
    if let Err(e) = result {
        return Err(json_error(ctx.plan, &e, location, first_line, first_col));
    }
    let position = location.line.or(location.index).unwrap_or(0);
    ctx.end_record(position)
        .map_err(|error| ctx.describe(error, location))
}

fn json_error(
    plan: &Plan<'_>,
    e: &serde_json::Error,
    location: Location,
    first_line: u64,
    first_col: u64,
) -> LoadError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_string(),
        None => text,
    };
    if message.contains("recursion limit exceeded") {
        return plan
            .error(LoadErrorKind::TooDeep {
                limit: MAX_JSON_DEPTH,
            })
            .at(location);
    }
    let line = e.line() as u64;
    let column = e.column() as u64;
    let (line, column) = if line <= 1 {
        (first_line, first_col + column.saturating_sub(1))
    } else {
        (first_line + line - 1, column)
    };
    plan.error(LoadErrorKind::InvalidJson {
        message,
        line,
        column: column.max(1),
    })
    .at(location)
}

/// A record found by the scanner.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    /// 1-based line and column where the record starts.
    line: u64,
    col: u64,
    /// Array index, or line for JSON Lines.
    position: u64,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    Before,
    Inside,
    After,
}

/// Finds record boundaries at depth 1 of the top-level array.
#[derive(Clone)]
struct Scanner {
    stage: Stage,
    depth: usize,
    in_string: bool,
    escape: bool,
    elem: Option<(usize, u64, u64)>,
    line: u64,
    /// Offset (in `data`) of the current line's start, for columns.
    line_start: usize,
    index: u64,
    pos: usize,
}

enum ScanError {
    NotArray(&'static str),
    Syntax(&'static str, u64, u64),
    TooDeep(u64),
}

impl Scanner {
    fn new() -> Scanner {
        Scanner {
            stage: Stage::Before,
            depth: 0,
            in_string: false,
            escape: false,
            elem: None,
            line: 1,
            line_start: 0,
            index: 0,
            pos: 0,
        }
    }

    /// Scans `data[self.pos..]`, pushing complete records.
    fn scan(&mut self, data: &[u8], spans: &mut Vec<Span>) -> Result<(), ScanError> {
        let mut i = self.pos;
        let len = data.len();
        while i < len {
            if self.escape {
                self.escape = false;
                i += 1;
                continue;
            }
            if self.in_string {
                match fast::quote_or_escape(data, i) {
                    None => {
                        i = len;
                    }
                    Some(k) => {
                        i = k;
                        if data.get(i) == Some(&b'\\') {
                            self.escape = true;
                        } else {
                            self.in_string = false;
                        }
                        i += 1;
                    }
                }
                continue;
            }
            let Some(&b) = data.get(i) else {
                break;
            };
            if b == b'\n' {
                self.line += 1;
                self.line_start = i + 1;
                i += 1;
                continue;
            }
            if matches!(b, b' ' | b'\t' | b'\r') {
                i += 1;
                continue;
            }
            match self.stage {
                Stage::Before => {
                    if b == b'[' {
                        self.stage = Stage::Inside;
                        self.depth = 1;
                        i += 1;
                        continue;
                    }
                    return Err(ScanError::NotArray(match b {
                        b'{' => "an object",
                        b'"' => "a string",
                        b't' | b'f' => "a boolean",
                        b'n' => "null",
                        b'-' | b'0'..=b'9' => "a number",
                        _ => "something that is not JSON",
                    }));
                }
                Stage::After => {
                    return Err(ScanError::Syntax(
                        "trailing characters after the array",
                        self.line,
                        (i - self.line_start) as u64 + 1,
                    ));
                }
                Stage::Inside => {}
            }
            if self.depth == 1 && self.elem.is_none() && b != b',' && b != b']' {
                self.elem = Some((i, self.line, (i.saturating_sub(self.line_start)) as u64 + 1));
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.depth += 1;
                    if self.depth > MAX_JSON_DEPTH {
                        return Err(ScanError::TooDeep(self.line));
                    }
                }
                b'}' | b']' => {
                    if self.depth == 1 {
                        if b == b'}' {
                            return Err(ScanError::Syntax(
                                "unexpected `}`",
                                self.line,
                                (i - self.line_start) as u64 + 1,
                            ));
                        }
                        self.close(i, spans);
                        self.stage = Stage::After;
                        self.depth = 0;
                    } else {
                        self.depth -= 1;
                    }
                }
                b',' if self.depth == 1 => {
                    if self.elem.is_none() {
                        return Err(ScanError::Syntax(
                            "expected a value before `,`",
                            self.line,
                            (i - self.line_start) as u64 + 1,
                        ));
                    }
                    self.close(i, spans);
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = i;
        Ok(())
    }

    fn close(&mut self, end: usize, spans: &mut Vec<Span>) {
        if let Some((start, line, col)) = self.elem.take() {
            spans.push(Span {
                start,
                end,
                line,
                col,
                position: self.index,
            });
            self.index += 1;
        }
    }

    /// Takes up at the end of the lines [`split_lines`] verified (`records` records in
    /// them): the state the byte-by-byte scan would have reached there.
    fn resume_at(&mut self, split: &Split, records: u64) {
        self.stage = split.stage;
        self.depth = usize::from(split.stage == Stage::Inside);
        self.in_string = false;
        self.escape = false;
        self.elem = None;
        self.line = split.line;
        self.line_start = split.consumed;
        self.index += records;
        self.pos = split.consumed;
    }

    /// `n` bytes were dropped from the front of the buffer.
    fn shift(&mut self, n: usize) {
        self.pos = self.pos.saturating_sub(n);
        self.line_start = self.line_start.saturating_sub(n);
        if let Some((start, _, _)) = &mut self.elem {
            *start = start.saturating_sub(n);
        }
    }
}

/// Records of one block, parsed in parallel chunks and appended in order.
fn parse_spans(
    plan: &Plan<'_>,
    trie: &Trie,
    data: &[u8],
    spans: &[Span],
    lines: bool,
    route: Route,
    acc: &mut Acc,
) -> Result<(), LoadError> {
    let Acc {
        builder: out,
        present,
        first_keys,
    } = acc;
    let threads = rayon::current_num_threads().max(1);
    let per = spans.len().div_ceil(threads * 4).max(MIN_CHUNK);
    let want_keys = first_keys.is_none();
    let template: &TableBuilder = out;
    let chunks: Vec<Result<Ctx<'_>, LoadError>> = spans
        .par_chunks(per)
        .enumerate()
        .map(|(n, chunk)| {
            let mut ctx = Ctx::new(plan, trie);
            ctx.collecting_keys = want_keys && n == 0;
            // Columns the table already holds as plain text stay plain: a chunk need not
            // build (and then drop) a dictionary of unique values such as ids.
            ctx.builder.plain_like(template);
            let mut events = Vec::new();
            for span in chunk {
                let bytes = data.get(span.start..span.end).unwrap_or(&[]);
                let location = if lines {
                    Location {
                        line: Some(span.position),
                        index: None,
                    }
                } else {
                    Location {
                        line: None,
                        index: Some(span.position),
                    }
                };
                parse_record(&mut ctx, bytes, location, span.line, span.col, &mut events, route)?;
            }
            Ok(ctx)
        })
        .collect();
    // All or nothing: a speculative block that fails leaves the table as it was.
    let chunks = chunks.into_iter().collect::<Result<Vec<_>, _>>()?;
    for ctx in chunks {
        for (p, q) in present.iter_mut().zip(&ctx.present) {
            *p |= *q;
        }
        if first_keys.is_none() {
            *first_keys = ctx.first_keys;
        }
        out.append(ctx.builder).map_err(|(f, _)| plan.overflow(f))?;
    }
    Ok(())
}

/// What the records of a file add up to.
struct Acc {
    builder: TableBuilder,
    present: Vec<bool>,
    first_keys: Option<Vec<String>>,
}

pub(crate) fn load(
    plan: &Plan<'_>,
    path: &Path,
    encoding: Encoding,
    observer: &dyn LoadObserver,
) -> Result<Table, Fail> {
    let trie = Trie::build(plan)?;
    let lines = plan.format == SourceFormat::JsonLines;
    if lines && plan.spec.records.is_some() {
        return Err(Fail::Load(plan.error(LoadErrorKind::InvalidDeclaration {
            field: None,
            problem: String::from("`records` applies to JSON files, not to JSON Lines"),
            fix: String::from("remove `records`: every line of a JSON Lines file is a record"),
        })));
    }
    let mut input = Input::open(path, Some(encoding), BLOCK, observer, &plan.spec.name)
        .map_err(|e| plan.input_error(e))?;
    let mut acc = Acc {
        builder: plan.builder(),
        present: vec![false; plan.fields.len()],
        first_keys: None,
    };
    if let Some(records) = &plan.spec.records {
        read_document(plan, &trie, &mut input, records, &mut acc)?;
    } else if lines {
        read_lines(plan, &trie, &mut input, &mut acc)?;
    } else {
        read_array(plan, &trie, &mut input, &mut acc)?;
    }
    let Acc {
        builder,
        present,
        first_keys,
    } = acc;
    if builder.rows > 0 {
        for (f, field) in plan.fields.iter().enumerate() {
            if !present.get(f).copied().unwrap_or(true) {
                let header = first_keys.clone().unwrap_or_default();
                let heads: Vec<String> = field
                    .from
                    .iter()
                    .map(|p| match parse_path(p).ok().and_then(|s| s.into_iter().next()) {
                        Some(Step::Key(k)) => k,
                        _ => p.clone(),
                    })
                    .collect();
                let mut error = super::csv::missing_column(plan, &field.name, &heads, &header);
                if let LoadErrorKind::MissingColumn {
                    wanted, available, ..
                } = &mut *error.kind
                {
                    wanted.clone_from(&field.from);
                    available.clear();
                    if let Some(keys) = &first_keys {
                        available.extend(keys.iter().cloned());
                    }
                }
                return Err(Fail::Load(error));
            }
        }
    }
    let (sha256, size) = input.finish().map_err(|e| plan.input_error(e))?;
    let sources = plan
        .fields
        .iter()
        .map(|f| f.from.first().cloned().unwrap_or_default())
        .collect();
    Ok(plan.finish(
        builder,
        sources,
        if lines {
            ProvenanceKind::Lines
        } else {
            ProvenanceKind::Sequential
        },
        FileFacts {
            sha256,
            size,
            encoding,
            delimiter: None,
            sheet: None,
            notes: Vec::new(),
        },
    ))
}

fn read_array(plan: &Plan<'_>, trie: &Trie, input: &mut Input<'_>, acc: &mut Acc) -> Result<(), Fail> {
    let mut scanner = Scanner::new();
    let mut spans = Vec::new();
    let mut speculate = speculation_enabled();
    loop {
        let added = input.fill().map_err(|e| plan.input_error(e))?;
        let data = input.data();
        spans.clear();
        if speculate {
            let before = scanner.clone();
            let mut tail = Vec::new();
            let verified = split_lines(&scanner, data, input.at_eof(), &mut spans).is_some_and(|split| {
                // The rest of the block (the unfinished last line) goes through the scanner,
                // so errors in it surface in this block, and the state at the block's end is
                // the scanner's own, as without speculation.
                scanner.resume_at(&split, spans.len() as u64);
                scanner.scan(data, &mut tail).is_ok()
                    && tail.is_empty()
                    && (spans.is_empty()
                        || parse_spans(plan, trie, data, &spans, false, Route::FastOnly, acc).is_ok())
            });
            if verified {
                #[cfg(test)]
                SPECULATED.with(|n| n.set(n.get() + 1));
                keep_unfinished(plan, &mut scanner, input)?;
                if added == 0 && input.at_eof() {
                    break;
                }
                continue;
            }
            // The careful way, from the start of this block, with the state the scanner
            // had there (the blocks before were verified).
            scanner = before;
            speculate = false;
            spans.clear();
        }
        let scanned = scanner.scan(data, &mut spans);
        if let Err(ScanError::NotArray("an object")) = scanned {
            return read_single(plan, trie, input, acc);
        }
        scanned.map_err(|e| match e {
            ScanError::NotArray(found) => plan.error(LoadErrorKind::RecordsNotFound {
                path: None,
                found: found.to_string(),
            }),
            ScanError::Syntax(message, line, column) => plan.error(LoadErrorKind::InvalidJson {
                message: message.to_string(),
                line,
                column,
            }),
            ScanError::TooDeep(line) => plan
                .error(LoadErrorKind::TooDeep {
                    limit: MAX_JSON_DEPTH,
                })
                .at(Location {
                    line: Some(line),
                    index: None,
                }),
        })?;
        if !spans.is_empty() {
            parse_spans(plan, trie, data, &spans, false, Route::Fast, acc)?;
        }
        keep_unfinished(plan, &mut scanner, input)?;
        if added == 0 && input.at_eof() {
            break;
        }
    }
    match scanner.stage {
        Stage::After => Ok(()),
        Stage::Before => Err(Fail::Load(plan.error(LoadErrorKind::RecordsNotFound {
            path: None,
            found: String::from("nothing"),
        }))),
        Stage::Inside => Err(Fail::Load(plan.error(LoadErrorKind::InvalidJson {
            message: String::from("the array is not closed: the file ends inside it"),
            line: scanner.line,
            column: 1,
        }))),
    }
}

/// What [`split_lines`] found in a block.
struct Split {
    /// Bytes used (up to and including the last line break used).
    consumed: usize,
    /// The line where they end.
    line: u64,
    /// Where the array stands after them.
    stage: Stage,
}

#[cfg(test)]
thread_local! {
    /// Tests turn speculation off to compare with the careful path.
    pub(super) static SPECULATE: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
    /// Blocks read speculatively (tests check the speculation is exercised).
    pub(super) static SPECULATED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn speculation_enabled() -> bool {
    #[cfg(test)]
    return SPECULATE.with(std::cell::Cell::get);
    #[cfg(not(test))]
    true
}

/// Speculative record boundaries for an array written one record per line (`[`, then
/// `{...},` lines, the last without the comma, then `]`: the Okta export's layout),
/// found with a line-break search instead of the byte-by-byte scanner.
///
/// The guess is verified, never trusted: the caller parses the records through the fast
/// path only ([`Route::FastOnly`]), which validates each as exactly one JSON object
/// (no raw line break can occur inside a JSON string, so a record never spans lines),
/// and appends nothing unless all of them convert. The lines around the records are
/// checked here (`[`, commas, `]`, blank lines). A valid array has only one split into
/// elements, so a verified guess is the scanner's split. Anything else (another layout,
/// an escape, a record the fast path declines, any error) returns `None` or fails the
/// parse, and the block is read again by the scanner and the serde path, which report
/// errors exactly as before. Nesting stays below the fast path's limit (64), far below
/// the scanner's (128).
fn split_lines(scanner: &Scanner, data: &[u8], eof: bool, spans: &mut Vec<Span>) -> Option<Split> {
    spans.clear();
    // The state at the start of `data`: between elements, or at the start of the
    // unfinished element the previous block left (then re-read from its first byte).
    let (mut stage, first_line) = match scanner.elem {
        None if !scanner.in_string && !scanner.escape && scanner.pos == 0 => {
            let depth_ok = match scanner.stage {
                Stage::Before | Stage::After => scanner.depth == 0,
                Stage::Inside => scanner.depth == 1,
            };
            if !depth_ok {
                return None;
            }
            (scanner.stage, scanner.line)
        }
        Some((0, line, _)) if scanner.stage == Stage::Inside => (Stage::Inside, line),
        _ => return None,
    };
    let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let mut index = scanner.index;
    let (mut consumed, mut lines) = (0usize, 0u64);
    // A record without a trailing comma: only `]` may follow it.
    let mut last: Option<(Span, usize, u64)> = None;
    let mut comma_before = false;
    let mut start = 0usize;
    while start < data.len() {
        let (end, next, newline) = match memchr::memchr(b'\n', data.get(start..).unwrap_or(&[])) {
            Some(k) => (start + k, start + k + 1, true),
            None if eof => (data.len(), data.len(), false),
            None => break,
        };
        let line = data.get(start..end).unwrap_or(&[]);
        let lead = line.iter().take_while(|b| is_ws(b)).count();
        let trail = line.iter().rev().take_while(|b| is_ws(b)).count();
        let text = line.get(lead..line.len().saturating_sub(trail)).unwrap_or(&[]);
        let here = first_line + lines;
        match stage {
            _ if text.is_empty() => {}
            Stage::Before if text == b"[" => stage = Stage::Inside,
            Stage::Inside if text == b"]" => {
                if comma_before {
                    return None;
                }
                if let Some((span, _, _)) = last.take() {
                    spans.push(span);
                }
                stage = Stage::After;
            }
            Stage::Inside if text.first() == Some(&b'{') && last.is_none() => {
                let (body, comma) = match text.strip_suffix(b",") {
                    Some(body) => (body, true),
                    None => (text, false),
                };
                let body_len = body.len() - body.iter().rev().take_while(|b| is_ws(b)).count();
                if body.get(body_len.checked_sub(1)?) != Some(&b'}') {
                    return None;
                }
                let span = Span {
                    start: start + lead,
                    end: start + lead + body_len,
                    line: here,
                    col: lead as u64 + 1,
                    position: index,
                };
                index += 1;
                if comma {
                    spans.push(span);
                } else {
                    last = Some((span, start, lines));
                }
                comma_before = comma;
            }
            _ => return None,
        }
        if newline {
            lines += 1;
        }
        consumed = next;
        start = next;
    }
    if let Some((_, line_start, lines_before)) = last {
        if eof {
            return None;
        }
        // Its `]` is in the next block: leave it to the scanner, and read it again then.
        consumed = line_start;
        lines = lines_before;
    }
    Some(Split {
        consumed,
        line: first_line + lines,
        stage,
    })
}

/// A file holding one object (a single exported event): one record, index 0.
/// After a block is read: refuses an unfinished record that outgrew the bound, then drops
/// everything scanned before it (the unfinished record stays for the next block).
fn keep_unfinished(plan: &Plan<'_>, scanner: &mut Scanner, input: &mut Input<'_>) -> Result<(), Fail> {
    if let Some((start, _, _)) = scanner.elem
        && scanner.pos.saturating_sub(start) > MAX_RECORD_BYTES
    {
        return Err(Fail::Load(plan.error(LoadErrorKind::TooLarge {
            what: format!("record {}", scanner.index),
            size: scanner.pos.saturating_sub(start) as u64,
            limit: MAX_RECORD_BYTES as u64,
        })));
    }
    let drop = match scanner.elem {
        Some((start, _, _)) => start,
        None => scanner.pos,
    };
    input.consume(drop);
    scanner.shift(drop);
    Ok(())
}

fn read_single(plan: &Plan<'_>, trie: &Trie, input: &mut Input<'_>, acc: &mut Acc) -> Result<(), Fail> {
    loop {
        if input.data().len() > MAX_RECORD_BYTES {
            return Err(Fail::Load(plan.error(LoadErrorKind::TooLarge {
                what: String::from("the single record"),
                size: input.data().len() as u64,
                limit: MAX_RECORD_BYTES as u64,
            })));
        }
        let added = input.fill().map_err(|e| plan.input_error(e))?;
        if added == 0 && input.at_eof() {
            break;
        }
    }
    let data = input.data();
    let span = Span {
        start: 0,
        end: data.len(),
        line: 1,
        col: 1,
        position: 0,
    };
    parse_spans(plan, trie, data, &[span], false, Route::Fast, acc)?;
    let len = data.len();
    input.consume(len);
    Ok(())
}

fn read_lines(plan: &Plan<'_>, trie: &Trie, input: &mut Input<'_>, acc: &mut Acc) -> Result<(), Fail> {
    let mut line = 1u64;
    let mut spans = Vec::new();
    loop {
        let added = input.fill().map_err(|e| plan.input_error(e))?;
        let eof = added == 0 && input.at_eof();
        let data = input.data();
        spans.clear();
        let mut start = 0usize;
        let mut next = line;
        for nl in memchr::memchr_iter(b'\n', data) {
            push_line(data, start, nl, next, &mut spans);
            next += 1;
            start = nl + 1;
        }
        if eof && start < data.len() {
            push_line(data, start, data.len(), next, &mut spans);
            start = data.len();
            next += 1;
        }
        if data.len() - start > MAX_RECORD_BYTES {
            return Err(Fail::Load(plan.error(LoadErrorKind::TooLarge {
                what: format!("line {next}"),
                size: (data.len() - start) as u64,
                limit: MAX_RECORD_BYTES as u64,
            })));
        }
        if !spans.is_empty() {
            parse_spans(plan, trie, data, &spans, true, Route::Fast, acc)?;
        }
        input.consume(start);
        line = next;
        if eof {
            break;
        }
    }
    Ok(())
}

fn push_line(data: &[u8], start: usize, end: usize, line: u64, spans: &mut Vec<Span>) {
    let text = data.get(start..end).unwrap_or(&[]);
    if text.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    spans.push(Span {
        start,
        end,
        line,
        col: 1,
        position: line,
    });
}

/// A file with a `records` path: read whole, walk to the array, parse its records.
fn read_document(
    plan: &Plan<'_>,
    trie: &Trie,
    input: &mut Input<'_>,
    records: &str,
    acc: &mut Acc,
) -> Result<(), Fail> {
    if input.size() > MAX_JSON_DOCUMENT_BYTES {
        return Err(Fail::Load(plan.error(LoadErrorKind::TooLarge {
            what: String::from("a JSON file with a `records` path"),
            size: input.size(),
            limit: MAX_JSON_DOCUMENT_BYTES,
        })));
    }
    let steps = parse_path(records).map_err(|problem| {
        plan.error(LoadErrorKind::InvalidDeclaration {
            field: None,
            problem,
            fix: String::from("write the records path like `data.items`"),
        })
    })?;
    while input.fill().map_err(|e| plan.input_error(e))? > 0 || !input.at_eof() {}
    let data = input.data();
    let mut ctx = Ctx::new(plan, trie);
    ctx.collecting_keys = true;
    let mut walk = Walk {
        ctx: &mut ctx,
        steps: &steps,
        found: None,
        failure: None,
        index: 0,
    };
    let mut de = serde_json::Deserializer::from_slice(data);
    let result = (&mut walk).deserialize(&mut de).and_then(|()| de.end());
    let found = walk.found.take();
    let failure = walk.failure.take();
    let index = walk.index;
    if let Some(error) = failure {
        return Err(Fail::Load(error));
    }
    if let Some(error) = ctx.error.take() {
        let location = Location {
            line: None,
            index: Some(index),
        };
        return Err(Fail::Load(ctx.describe(error, location)));
    }
    if let Err(e) = result {
        let location = Location {
            line: None,
            index: Some(index),
        };
        return Err(Fail::Load(json_error(plan, &e, location, 1, 1)));
    }
    if let Some(found) = found {
        return Err(Fail::Load(plan.error(LoadErrorKind::RecordsNotFound {
            path: Some(records.to_string()),
            found,
        })));
    }
    acc.present.copy_from_slice(&ctx.present);
    acc.first_keys = ctx.first_keys.take();
    acc.builder
        .append(ctx.builder)
        .map_err(|(f, _)| plan.overflow(f))?;
    Ok(())
}

/// Walks to the records array along `steps`, then parses each element as a record.
struct Walk<'a, 'c, 'p> {
    ctx: &'c mut Ctx<'p>,
    steps: &'a [Step],
    /// What was found instead of the array (`None`: found it).
    found: Option<String>,
    failure: Option<LoadError>,
    index: u64,
}

impl<'de> DeserializeSeed<'de> for &mut Walk<'_, '_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Walk<'_, '_, '_> {
    fn other<E>(&mut self, what: &str) -> Result<(), E> {
        self.found = Some(what.to_string());
        Ok(())
    }
}

impl<'de> Visitor<'de> for &mut Walk<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the records array")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.other("a boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.other("a number")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.other("a number")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.other("a number")
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.other("a string")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.other("null")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.steps.split_first() else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return self.other("an object");
        };
        let Step::Key(wanted) = first else {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return self.other("an object");
        };
        let mut seen = false;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if !seen && key.as_ref() == wanted.as_str() {
                seen = true;
                let steps = self.steps;
                self.steps = rest;
                map.next_value_seed(&mut *self)?;
                self.steps = steps;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        if !seen {
            self.found = Some(format!("no key `{wanted}`"));
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if let Some((first, rest)) = self.steps.split_first() {
            let Step::Index(wanted) = first else {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                return self.other("an array");
            };
            let mut i = 0;
            let mut seen = false;
            loop {
                let more = if i == *wanted {
                    seen = true;
                    let steps = self.steps;
                    self.steps = rest;
                    let more = seq.next_element_seed(&mut *self)?.is_some();
                    self.steps = steps;
                    more
                } else {
                    seq.next_element::<IgnoredAny>()?.is_some()
                };
                if !more {
                    break;
                }
                i += 1;
            }
            if !seen {
                self.found = Some(format!("no element {wanted}"));
            }
            return Ok(());
        }
        loop {
            let more = seq
                .next_element_seed(NodeSeed {
                    ctx: &mut *self.ctx,
                    node: 0,
                    record: true,
                })?
                .is_some();
            if !more {
                break;
            }
            if let Err(error) = self.ctx.end_record(self.index) {
                let location = Location {
                    line: None,
                    index: Some(self.index),
                };
                self.failure = Some(self.ctx.describe(error, location));
                return Err(de::Error::custom("record conversion failed"));
            }
            self.index += 1;
        }
        Ok(())
    }
}
