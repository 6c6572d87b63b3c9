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
/// syntax error does not hide the errors in the declarations after it, and a declaration
/// nested too deeply is refused alone.
pub fn parse_file(sources: &SourceMap, file: FileId) -> (ast::File, Vec<Diagnostic>) {
    let text = &sources.get(file).text;
    let scan = scan::scan(text);
    // Declarations parse independently, so in parallel; their results are joined in order.
    let parsed: Vec<Parsed> = scan
        .chunks
        .par_iter()
        .map(|chunk| {
            let chunk_text = text.get(chunk.clone()).unwrap_or("");
            // The first too-deep place found over the whole file, or one found in the
            // declaration alone (a file may nest too deeply in several declarations).
            let too_deep = match scan.too_deep {
                Some(at) if chunk.contains(&at) => Some(at - chunk.start),
                Some(_) => scan::scan(chunk_text).too_deep,
                None => None,
            };
            parse_declaration(chunk_text, file, chunk.start, too_deep)
        })
        .collect();
    let mut out = ast::File {
        file,
        ..ast::File::default()
    };
    let mut diags = Vec::new();
    for p in parsed {
        out.declarations.extend(p.declarations);
        out.broken.extend(p.broken);
        // A literal that cannot be represented, or a chained comparison, is reported
        // here and replaced by a placeholder the checker must not judge.
        out.repaired.extend(
            p.diags
                .iter()
                .filter(|d| matches!(d.code, Code::S005 | Code::S009))
                .filter_map(Diagnostic::primary_span),
        );
        diags.extend(p.diags);
    }
    (out, diags)
}

/// One declaration's parse.
struct Parsed {
    declarations: Vec<ast::Declaration>,
    broken: Option<ast::Broken>,
    diags: Vec<Diagnostic>,
}

/// Parses one declaration (a chunk of the file starting at `offset`), unless it nests too
/// deeply (`too_deep`: where, relative to the chunk).
fn parse_declaration(text: &str, file: FileId, offset: usize, too_deep: Option<usize>) -> Parsed {
    let span = Span::new(file, offset, offset + text.len());
    let mut diags = Vec::new();
    if let Some(at) = too_deep {
        let at = offset + at;
        diags.push(
            Diagnostic::new(
                Code::S002,
                format!(
                    "expression nested too deeply (more than {} levels)",
                    scan::MAX_DEPTH
                ),
            )
            .with_primary(Span::new(file, at, at + 1), "nesting exceeds the limit here")
            .with_help("split the expression into metrics, or remove redundant brackets and operators"),
        );
        return Parsed {
            declarations: Vec::new(),
            broken: Some(ast::Broken::from_text(text, span)),
            diags,
        };
    }
    let declarations = lower::parse_chunk(text, file, offset, &mut diags);
    let failed = declarations.is_empty() && diags.iter().any(Diagnostic::is_error);
    Parsed {
        broken: failed.then(|| ast::Broken::from_text(text, span)),
        declarations,
        diags,
    }
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
