//! What the broker accepts as a name: pacticipants, version numbers, branches, tags,
//! environments, application instances and display names.
//!
//! Names are shown in tables, links, terminals and the official clients' output, so a name must
//! read as what it is: one line, no control characters, no direction controls (which make text
//! display in another order than it is stored), something visible, and no spaces or invisible
//! characters at either end (`web ` and `web\u{200b}` would look like `web`). Anything else —
//! `+` in a version number, `/` in a branch, spaces inside a display name, any script — is
//! accepted, because the official clients send such names.

use pactum_core::printable::{is_direction_control, printable_line};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::hal::{ApiError, ApiResult};

/// The longest name, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// Checks a name before it is stored; a 400 naming `field` and saying why otherwise.
pub fn check_name(field: &str, value: &str) -> ApiResult<()> {
    let refuse = |why: String| Err(ApiError::invalid(field, why));
    if value.trim().is_empty() {
        return refuse("must not be blank".into());
    }
    if value
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return refuse(format!(
            "must be a single line without control characters or line separators, got `{}`",
            printable_line(value)
        ));
    }
    if let Some(c) = value.chars().find(|c| is_direction_control(*c)) {
        return refuse(format!(
            "must not contain Unicode direction controls, which make text display in another \
             order than it is stored: {} in `{}`",
            code_point(c),
            printable_line(value)
        ));
    }
    if value.chars().all(invisible) {
        return refuse(format!(
            "must contain a visible character, got only invisible ones: {}",
            value.chars().map(code_point).collect::<Vec<_>>().join(" ")
        ));
    }
    let first = value.chars().next().filter(|c| blank_at_an_end(*c));
    let last = value.chars().next_back().filter(|c| blank_at_an_end(*c));
    if let Some((c, end)) = first.map(|c| (c, "start")).or(last.map(|c| (c, "end"))) {
        return refuse(format!(
            "must not start or end with a space or an invisible character, got {} at the {end} \
             of `{}`",
            code_point(c),
            printable_line(value)
        ));
    }
    if value.len() > MAX_NAME_BYTES {
        return refuse(format!("must be at most {MAX_NAME_BYTES} bytes long"));
    }
    Ok(())
}

/// Checks an optional free-text name (a display name, an application instance): empty means
/// not given; anything else is a name.
pub fn check_optional_name(field: &str, value: Option<&str>) -> ApiResult<()> {
    match value {
        Some(text) if !text.is_empty() => check_name(field, text),
        _ => Ok(()),
    }
}

/// `U+200B`.
fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// Characters that show nothing: whitespace, format characters (zero-width space and joiners,
/// the byte order mark, soft hyphen, tags), and the few letters, symbols and marks that render
/// as blank (Hangul fillers, the braille blank, the combining grapheme joiner, variation
/// selectors and Mongolian free variation selectors).
fn invisible(c: char) -> bool {
    blank_at_an_end(c)
        || matches!(
            c,
            '\u{034f}'
                | '\u{115f}'
                | '\u{1160}'
                | '\u{17b4}'
                | '\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{2800}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{ffa0}'
                | '\u{e0100}'..='\u{e01ef}'
        )
}

/// Characters a name may not start or end with: whitespace and format characters. (Variation
/// selectors are not among them: an emoji ends with one.)
fn blank_at_an_end(c: char) -> bool {
    c.is_whitespace() || c.general_category() == GeneralCategory::Format
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(value: &str) -> String {
        match check_name("name", value) {
            Ok(()) => String::new(),
            Err(error) => format!("{error:?}"),
        }
    }

    #[test]
    fn names_the_official_clients_send_are_accepted() {
        for name in [
            "web-shop",
            "1.2.3+build.4",
            "feat/x",
            "0f1e2d3c4b5a",
            "Production EU",
            "Zahlungsdienst Ü",
            "サービス",
            "خدمة",
            "love ❤\u{fe0f}",
            "a\u{200d}b",
        ] {
            assert_eq!(why(name), "", "{name}");
        }
    }

    #[test]
    fn unreadable_names_are_refused_saying_why() {
        for (name, expected) in [
            ("", "must not be blank"),
            ("   ", "must not be blank"),
            ("a\u{1b}[31mb", "single line"),
            ("a\u{2028}b", "single line"),
            ("a\u{2029}b", "single line"),
            ("abc\u{202e}fed", "U+202E"),
            ("\u{2066}x", "direction controls"),
            ("\u{200b}", "only invisible ones: U+200B"),
            ("\u{feff}\u{200b}\u{3164}", "U+FEFF U+200B U+3164"),
            ("\u{a0}\u{2003}", "must not be blank"),
            (" web", "U+0020 at the start"),
            ("web ", "U+0020 at the end"),
            ("web\u{200b}", "U+200B at the end"),
            ("\u{feff}web", "U+FEFF at the start"),
        ] {
            let message = why(name);
            assert!(
                message.contains(expected),
                "{name:?}: {message} should say {expected}"
            );
            assert!(!message.contains('\u{1b}') && !message.contains('\u{202e}'));
        }
        assert!(why(&"x".repeat(256)).contains("at most 255 bytes"));
    }
}
