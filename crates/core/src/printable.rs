//! Making text from contracts, brokers and providers safe to print to a terminal or a log file.
//!
//! Descriptions, names and messages come from whoever wrote a contract or runs a broker. Printed
//! raw, an escape sequence in them can rewrite the terminal (colours, cursor moves, window titles,
//! OSC 8 links) and a direction override can make text read differently from what it is. Every
//! human-facing output passes such text through [`printable`]; JSON output does not need it
//! (JSON escapes control characters itself).

use std::borrow::Cow;

/// `text` with control characters (except newline and tab) and Unicode direction controls
/// replaced by visible `\u{…}` escapes; unchanged (and not copied) when there are none.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` as [`printable`], and on one line: newlines and tabs are escaped too (for table
/// cells, log fields and one-line summaries).
pub fn printable_line(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| needs_escape(c) || matches!(c, '\n' | '\r' | '\t'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t'))
        || is_direction_control(c)
        || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Unicode's explicit direction embeddings, overrides and isolates (and the marks), which can
/// make text display in another order than it is stored.
pub fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(
            printable("a request for product 10 ✓"),
            Cow::Borrowed(_)
        ));
        assert_eq!(printable("two\nlines\tand a tab"), "two\nlines\tand a tab");
    }

    #[test]
    fn escapes_and_direction_overrides_become_visible() {
        assert_eq!(
            printable("\x1b]0;owned\x07title \x1b[31mred"),
            "\\u{1b}]0;owned\\u{7}title \\u{1b}[31mred"
        );
        assert_eq!(printable("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(printable("a\u{9b}b\rc"), "a\\u{9b}b\\u{d}c");
        assert_eq!(
            printable_line("one\ntwo\t\u{2028}"),
            "one\\ntwo\\t\\u{2028}"
        );
    }
}
