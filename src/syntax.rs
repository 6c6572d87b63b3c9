//! Parsing: rule text → AST with spans, collecting every syntax error.

pub mod ast;
mod errors;
mod grammar;
pub mod literal;
pub mod lower;
pub mod scan;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};

/// Parses one file of the map. Each top-level declaration is parsed on its own, so one
/// syntax error does not hide the errors in the declarations after it.
pub fn parse_file(sources: &SourceMap, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    let text = &sources.get(file).text;
    let mut diags = Vec::new();
    let scan = scan::scan(text);
    if let Some(offset) = scan.too_deep {
        diags.push(
            Diagnostic::new(
                Code::S002,
                format!(
                    "expression nested too deeply (more than {} levels)",
                    scan::MAX_DEPTH
                ),
            )
            .with_primary(
                Span::new(file, offset, offset + 1),
                "nesting exceeds the limit here",
            )
            .with_help("split the expression into metrics, or remove redundant brackets and operators"),
        );
        return (
            ast::File {
                file,
                declarations: Vec::new(),
            },
            diags,
        );
    }
    let mut declarations = Vec::new();
    for chunk in scan.chunks {
        let Some(chunk_text) = text.get(chunk.clone()) else {
            continue;
        };
        declarations.extend(lower::parse_chunk(chunk_text, file, chunk.start, &mut diags));
    }
    (ast::File { file, declarations }, diags)
}

/// Parses a lone expression from a file of the map (a `--param` value).
pub fn parse_expression(sources: &SourceMap, file: FileId) -> Result<ast::Expr, Vec<Diagnostic>> {
    let text = &sources.get(file).text;
    if let Some(offset) = scan::scan(text).too_deep {
        return Err(vec![
            Diagnostic::new(Code::S002, "expression nested too deeply")
                .with_primary(Span::new(file, offset, offset + 1), "here"),
        ]);
    }
    lower::parse_expression(text, file)
}

/// Parses every file of the map, in order.
pub fn parse_all(sources: &SourceMap) -> (Vec<ast::File>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for (id, _) in sources.files() {
        let (file, d) = parse_file(sources, id);
        files.push(file);
        diags.extend(d);
    }
    (files, diags)
}

#[cfg(test)]
mod tests;
