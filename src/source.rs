//! Rule source files, byte spans into them, and line/column lookup.

use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file. Every AST node carries one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    /// The file the range lies in.
    pub file: FileId,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets; offsets are clamped to `u32` (files are far smaller, see
    /// [`MAX_RULE_FILE_BYTES`]).
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both (they must lie in the same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range, for slicing the source text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// Rule files larger than this are refused before parsing: no real rule file comes close,
/// and the bound keeps hostile input from exhausting memory in the parser.
pub const MAX_RULE_FILE_BYTES: usize = 16 * 1024 * 1024;

/// One loaded rule file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to users: relative to the rules directory, forward slashes.
    pub name: String,
    /// The full path on disk (empty for in-memory sources).
    pub path: PathBuf,
    /// The text (valid UTF-8; files that are not are rejected before they get here).
    pub text: String,
    /// Which `--rules` directory the file came from, counted from 0 in the order given
    /// (0 for in-memory sources). Rule tests use it: a directory's tests do not see
    /// `override param`s of directories given after it.
    pub layer: usize,
    line_starts: Vec<u32>,
}

impl SourceFile {
    /// A source file from its display name and text.
    pub fn new(name: impl Into<String>, path: PathBuf, text: String) -> SourceFile {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        SourceFile {
            name: name.into(),
            path,
            text,
            layer: 0,
            line_starts,
        }
    }

    /// The same file, marked as read from the `layer`-th rules directory.
    pub fn in_layer(mut self, layer: usize) -> SourceFile {
        self.layer = layer;
        self
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let offset = (offset as usize).min(self.text.len());
        let column = self
            .text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(0);
        (line + 1, column + 1)
    }

    /// The text of a span, or "" if the span does not fit this file.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// Every rule file of a project, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }

    /// Adds an in-memory source (tests, `--param` values).
    pub fn add_text(&mut self, name: &str, text: &str) -> FileId {
        self.add(SourceFile::new(name, PathBuf::new(), text.to_string()))
    }

    /// The file with this id. Ids only come from [`SourceMap::add`], so lookups succeed;
    /// an id from another map yields an empty placeholder rather than a panic.
    pub fn get(&self, id: FileId) -> &SourceFile {
        static EMPTY: std::sync::OnceLock<SourceFile> = std::sync::OnceLock::new();
        self.files
            .get(id.0 as usize)
            .unwrap_or_else(|| EMPTY.get_or_init(|| SourceFile::new("", PathBuf::new(), String::new())))
    }

    /// All files with their ids, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The display name, line and column of a span's start.
    pub fn locate(&self, span: Span) -> (&str, usize, usize) {
        let file = self.get(span.file);
        let (line, col) = file.line_col(span.start);
        (&file.name, line, col)
    }
}

/// Display form of a path: forward slashes, relative to `base` when it lies below it.
pub fn display_path(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("a.rules", PathBuf::new(), "ab\nçd x\n".to_string());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'ç' is two bytes: byte 6 is the space after "çd", column 3.
        assert_eq!(f.line_col(6), (2, 3));
    }
}
