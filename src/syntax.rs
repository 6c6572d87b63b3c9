//! Parsing: rule text → AST with spans, collecting every syntax error.

pub mod ast;
mod errors;
mod grammar;
pub mod literal;
pub mod lower;
pub mod scan;

use rayon::prelude::*;

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
    // Declarations parse independently, so in parallel; their results are joined in order.
    let parsed: Vec<(Vec<ast::Declaration>, Vec<Diagnostic>)> = scan
        .chunks
        .par_iter()
        .map(|chunk| {
            let mut diags = Vec::new();
            let declarations = text
                .get(chunk.clone())
                .map(|chunk_text| lower::parse_chunk(chunk_text, file, chunk.start, &mut diags))
                .unwrap_or_default();
            (declarations, diags)
        })
        .collect();
    let mut declarations = Vec::new();
    for (d, more) in parsed {
        declarations.extend(d);
        diags.extend(more);
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

/// Parses every file of the map (in parallel; files and diagnostics in the map's order).
pub fn parse_all(sources: &SourceMap) -> (Vec<ast::File>, Vec<Diagnostic>) {
    let ids: Vec<FileId> = sources.files().map(|(id, _)| id).collect();
    let parsed: Vec<(ast::File, Vec<Diagnostic>)> =
        ids.par_iter().map(|&id| parse_file(sources, id)).collect();
    let mut files = Vec::with_capacity(parsed.len());
    let mut diags = Vec::new();
    for (file, d) in parsed {
        files.push(file);
        diags.extend(d);
    }
    (files, diags)
}

#[cfg(test)]
mod tests;
