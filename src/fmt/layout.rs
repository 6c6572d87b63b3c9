//! Laid-out lines, the units that move as a whole, and putting the comments back.
//!
//! The printer turns each declaration into a [`Unit`]: either plain lines or a block of
//! inner units between an opening and a closing line. Units know the source range they
//! came from, so a comment can be given to the unit it belongs to even when the canonical
//! order moves units around (requirement entries are reordered). Inside a unit lines keep
//! the source order of their tokens, so a comment there is placed by position: before the
//! first line that starts after it (own-line comments) or at the end of the line holding
//! the token before it (trailing comments).

use super::comments::Comment;
use super::print::end_col;

/// The column limit the layout aims for.
pub const WIDTH: usize = 100;

/// One line of output code, before comments are placed.
#[derive(Clone, Debug)]
pub struct Line {
    /// Indentation in columns.
    pub indent: usize,
    /// The code, without indentation. May hold line breaks inside a verbatim string.
    pub text: String,
    /// Byte offset in the source of the first token on the line.
    pub pos: usize,
}

/// A construct that is laid out as a whole and takes its comments along when it moves.
#[derive(Debug)]
pub struct Unit {
    /// Source range: from its keyword to its last token.
    pub start: usize,
    /// End of the source range.
    pub end: usize,
    /// At top level: a one-line kind of declaration (`param`, `disable`), which may sit
    /// next to another one without a blank line.
    pub compact: bool,
    /// What it prints.
    pub body: Body,
}

/// The printed form of a unit.
#[derive(Debug)]
pub enum Body {
    /// Lines in source order.
    Lines(Vec<Line>),
    /// A braced block, or the whole file.
    Block(Block),
}

/// `header {`, inner units, `}`. The file itself is a block without header and brace.
#[derive(Debug)]
pub struct Block {
    /// The header, ending in `{`; empty for the file.
    pub open: Vec<Line>,
    /// Inner units, in output order.
    pub items: Vec<Unit>,
    /// The `}` line; none for the file.
    pub close: Option<Line>,
    /// Indentation of the inner units and of comments at the end of the block.
    pub inner_indent: usize,
    /// True for the file: declarations are separated by a blank line.
    pub top_level: bool,
}

impl Unit {
    /// A unit of plain lines.
    pub fn lines(start: usize, end: usize, lines: Vec<Line>) -> Unit {
        Unit {
            start,
            end,
            compact: false,
            body: Body::Lines(lines),
        }
    }
}

/// A line of the output.
#[derive(Debug)]
enum Out {
    Code {
        indent: usize,
        text: String,
        trailing: Option<String>,
        /// Spaces between code and trailing comment, set when aligning.
        gap: usize,
    },
    Comment {
        indent: usize,
        text: String,
    },
    Blank,
}

/// Places comments and renders a unit (normally the whole file) to text.
pub fn render(unit: &Unit, comments: &[Comment], source: &str) -> String {
    let mut out = Vec::new();
    let all: Vec<&Comment> = comments.iter().collect();
    let emitter = Emitter { source };
    emitter.unit(unit, all, &mut out);
    align_trailing(&mut out);
    let mut text = String::new();
    for line in &out {
        match line {
            Out::Code {
                indent,
                text: code,
                trailing,
                gap,
            } => {
                push_indent(&mut text, *indent);
                text.push_str(code);
                if let Some(comment) = trailing {
                    text.extend(std::iter::repeat_n(' ', *gap));
                    text.push_str(comment);
                }
            }
            Out::Comment { indent, text: c } => {
                push_indent(&mut text, *indent);
                text.push_str(c);
            }
            Out::Blank => {}
        }
        text.push('\n');
    }
    text
}

fn push_indent(text: &mut String, indent: usize) {
    text.extend(std::iter::repeat_n(' ', indent));
}

struct Emitter<'s> {
    source: &'s str,
}

impl Emitter<'_> {
    fn blank_before(&self, offset: usize) -> bool {
        super::comments::blank_line_before(self.source, offset)
    }

    /// Emits a unit with the comments that belong inside or right after it (leading
    /// comments are emitted by the enclosing block).
    fn unit(&self, unit: &Unit, comments: Vec<&Comment>, out: &mut Vec<Out>) {
        match &unit.body {
            Body::Lines(lines) => self.lines(lines, unit.end, comments, out),
            Body::Block(block) => self.block(block, unit.end, comments, out),
        }
    }

    /// Places comments among lines whose tokens are in source order.
    fn lines(&self, lines: &[Line], end: usize, comments: Vec<&Comment>, out: &mut Vec<Out>) {
        let n = lines.len();
        let mut above: Vec<Vec<&Comment>> = vec![Vec::new(); n];
        let mut trailing: Vec<Vec<&Comment>> = vec![Vec::new(); n];
        for c in comments {
            // The line holding the token just before the comment.
            let prev = lines.iter().rposition(|l| l.pos < c.start).unwrap_or(0);
            let slot = if c.start >= end {
                trailing.get_mut(n.saturating_sub(1))
            } else if c.own_line {
                match lines.iter().position(|l| l.pos > c.start) {
                    Some(next) if next > 0 => above.get_mut(next),
                    // The next token is in the middle of an output line: the comment
                    // cannot stand on a line of its own there, so it trails the line.
                    _ => trailing.get_mut(prev),
                }
            } else {
                trailing.get_mut(prev)
            };
            if let Some(slot) = slot {
                slot.push(c);
            }
        }
        for ((line, above), mut trailing) in lines.iter().zip(above).zip(trailing) {
            // A line can carry one trailing comment; when lines were joined, the earlier
            // comments go on their own lines above it, keeping their order.
            let last = trailing.pop();
            for c in above.into_iter().chain(trailing) {
                out.push(Out::Comment {
                    indent: line.indent,
                    text: c.text.clone(),
                });
            }
            out.push(Out::Code {
                indent: line.indent,
                text: line.text.clone(),
                trailing: last.map(|c| c.text.clone()),
                gap: 2,
            });
        }
    }

    fn block(&self, block: &Block, end: usize, comments: Vec<&Comment>, out: &mut Vec<Out>) {
        let mut open_comments = Vec::new();
        let mut item_comments: Vec<Vec<&Comment>> = vec![Vec::new(); block.items.len()];
        let mut end_comments = Vec::new();
        let mut close_comments = Vec::new();
        for c in comments {
            if c.start >= end {
                close_comments.push(c);
            } else if let Some(i) = block
                .items
                .iter()
                .position(|it| it.start <= c.start && c.start < it.end)
            {
                push_at(&mut item_comments, i, c);
            } else if !c.own_line {
                // Code precedes it on its line: it trails the unit that ends before it,
                // or the header.
                let prev = block
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| it.end <= c.start)
                    .max_by_key(|(_, it)| it.end)
                    .map(|(i, _)| i);
                match prev {
                    Some(i) => push_at(&mut item_comments, i, c),
                    None => open_comments.push(c),
                }
            } else {
                // On a line of its own: it leads the next unit, or ends the block.
                let next = block
                    .items
                    .iter()
                    .enumerate()
                    .filter(|(_, it)| it.start > c.start)
                    .min_by_key(|(_, it)| it.start)
                    .map(|(i, _)| i);
                match next {
                    Some(i) => push_at(&mut item_comments, i, c),
                    None => end_comments.push(c),
                }
            }
        }

        if block.items.is_empty() && end_comments.is_empty() {
            // An empty block is `header {}` on one line.
            let mut lines = block.open.clone();
            if let Some(last) = lines.last_mut() {
                last.text.push('}');
            }
            if !lines.is_empty() {
                open_comments.extend(close_comments);
                self.lines(&lines, usize::MAX, open_comments, out);
            } else {
                self.comment_run(&open_comments, 0, false, out);
            }
            return;
        }

        if !block.open.is_empty() {
            self.lines(&block.open, usize::MAX, open_comments, out);
        } else {
            // At top level nothing precedes the first declaration on its line, so no
            // comment can trail a header; keep any such comment anyway.
            self.comment_run(&open_comments, block.inner_indent, false, out);
        }

        let mut prev: Option<&Unit> = None;
        for (item, comments) in block.items.iter().zip(item_comments) {
            let (leading, rest): (Vec<&Comment>, Vec<&Comment>) =
                comments.into_iter().partition(|c| c.start < item.start);
            let first_start = leading.first().map_or(item.start, |c| c.start);
            let source_blank = self.blank_before(first_start);
            let blank = match prev {
                None => false,
                Some(p) if block.top_level => !(p.compact && item.compact) || source_blank,
                Some(_) => source_blank,
            };
            if blank {
                out.push(Out::Blank);
            }
            self.comment_run(&leading, block.inner_indent, false, out);
            if !leading.is_empty() && self.blank_before(item.start) {
                out.push(Out::Blank);
            }
            self.unit(item, rest, out);
            prev = Some(item);
        }

        self.comment_run(&end_comments, block.inner_indent, !block.items.is_empty(), out);
        if let Some(close) = &block.close {
            self.lines(std::slice::from_ref(close), usize::MAX, close_comments, out);
        } else {
            // Nothing follows the file's end.
            self.comment_run(&close_comments, 0, true, out);
        }
    }

    /// Own-line comments in a row, keeping single blank lines between groups. The first
    /// one keeps a blank line before it only when `first_may_blank`.
    fn comment_run(&self, comments: &[&Comment], indent: usize, first_may_blank: bool, out: &mut Vec<Out>) {
        for (i, c) in comments.iter().enumerate() {
            if c.blank_before && (i > 0 || first_may_blank) {
                out.push(Out::Blank);
            }
            out.push(Out::Comment {
                indent,
                text: c.text.clone(),
            });
        }
    }
}

fn push_at<'c>(slots: &mut [Vec<&'c Comment>], i: usize, c: &'c Comment) {
    if let Some(slot) = slots.get_mut(i) {
        slot.push(c);
    }
}

/// Aligns trailing comments two columns after the longest line that carries one, among
/// the lines of one indentation within one block: deeper lines (continuations, nested
/// entries), lines without a comment, blank lines and comment lines do not end the run; a
/// line indented less (the block's `}`) does. At top level a blank line or an indented
/// line ends it too, so only one-line declarations written next to each other align.
fn align_trailing(out: &mut [Out]) {
    let mut done = vec![false; out.len()];
    for i in 0..out.len() {
        let indent = match out.get(i) {
            Some(Out::Code {
                indent,
                trailing: Some(_),
                ..
            }) if !done.get(i).copied().unwrap_or(true) => *indent,
            _ => continue,
        };
        let mut run = vec![i];
        for (j, line) in out.iter().enumerate().skip(i + 1) {
            match line {
                Out::Blank if indent == 0 => break,
                Out::Code { indent: ind, .. } if indent == 0 && *ind > 0 => break,
                Out::Code { indent: ind, .. } if *ind < indent => break,
                Out::Code {
                    indent: ind,
                    trailing: Some(_),
                    ..
                } if *ind == indent => run.push(j),
                _ => {}
            }
        }
        let col = run
            .iter()
            .filter_map(|&k| match out.get(k) {
                Some(Out::Code { indent, text, .. }) => Some(end_col(*indent, text)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
            + 2;
        for &k in &run {
            if let Some(Out::Code {
                indent, text, gap, ..
            }) = out.get_mut(k)
            {
                *gap = col.saturating_sub(end_col(*indent, text)).max(1);
            }
            if let Some(d) = done.get_mut(k) {
                *d = true;
            }
        }
    }
}
