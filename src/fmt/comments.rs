//! Finding comments. The grammar drops them, so the formatter lexes them itself: a `#`
//! outside a string starts a comment that runs to the end of the line.

/// One `# …` comment of a source file.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// Byte offset just past the comment text (trailing whitespace excluded).
    pub end: usize,
    /// The text from `#` on, trailing whitespace (and a `\r` of a CRLF line end) removed.
    pub text: String,
    /// True when only whitespace precedes it on its line.
    pub own_line: bool,
    /// True when an empty line separates it from the code or comment before it.
    pub blank_before: bool,
}

/// Every comment of `text`, in order. Never fails: on text that does not parse (an
/// unterminated string, say) it still returns the comments it could tell apart.
pub fn lex(text: &str) -> Vec<Comment> {
    let bytes = text.as_bytes();
    let mut comments = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => i = string_end(bytes, i),
            b'#' => {
                let line_end =
                    memchr::memchr(b'\n', bytes.get(i..).unwrap_or_default()).map_or(bytes.len(), |n| i + n);
                let body = text.get(i..line_end).unwrap_or("").trim_end();
                let line_start = text.get(..i).and_then(|t| t.rfind('\n')).map_or(0, |n| n + 1);
                let own_line = text.get(line_start..i).is_some_and(|t| t.trim().is_empty());
                comments.push(Comment {
                    start: i,
                    end: i + body.len(),
                    text: body.to_string(),
                    own_line,
                    blank_before: own_line && blank_line_before(text, line_start),
                });
                i = line_end;
            }
            _ => i += 1,
        }
    }
    comments
}

/// The offset just past the string literal that opens at `start` (or the end of the text
/// when it is never closed). Escapes are skipped whole, so `\"` does not end the string,
/// and strings may span lines.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// True when the whitespace that ends at `offset` holds an empty line, that is, at least
/// two line breaks. Comments end in a non-space character, so the walk stops at them.
pub fn blank_line_before(text: &str, offset: usize) -> bool {
    let before = text.get(..offset).unwrap_or("");
    let gap = before.len() - before.trim_end_matches([' ', '\t', '\r', '\n']).len();
    before
        .get(before.len() - gap..)
        .is_some_and(|g| g.bytes().filter(|&b| b == b'\n').count() >= 2)
}

/// The comment texts, sorted: two files hold the same comments when these are equal.
pub fn texts(comments: &[Comment]) -> Vec<&str> {
    let mut t: Vec<&str> = comments.iter().map(|c| c.text.as_str()).collect();
    t.sort_unstable();
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_strings_with_escapes_and_line_breaks() {
        let text = "title \"a # b \\\" # c\nstill # string\" # real\n";
        let c = lex(text);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].text, "# real");
        assert!(!c[0].own_line);
    }

    #[test]
    fn tells_own_line_comments_and_blank_lines_apart() {
        let text = "a\n\n  # one  \r\n# two\nb # three";
        let c = lex(text);
        let summary: Vec<(&str, bool, bool)> = c
            .iter()
            .map(|c| (c.text.as_str(), c.own_line, c.blank_before))
            .collect();
        assert_eq!(
            summary,
            [
                ("# one", true, true),
                ("# two", true, false),
                ("# three", false, false)
            ]
        );
        assert_eq!(&text[c[0].start..c[0].end], "# one");
    }

    #[test]
    fn an_unterminated_string_hides_nothing_after_it_from_the_parser() {
        assert!(lex("title \"open # not a comment").is_empty());
    }
}
