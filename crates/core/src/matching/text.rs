//! Reading JSON text in place, for the matcher's one-pass comparison of a received body.
//!
//! The matcher reads most received bodies once, comparing each value as it is read. Through
//! serde's visitor, every key is first scanned and handed over as a string, and only then
//! looked up among the expected keys; a [`Cursor`] lets the matcher ask instead whether the
//! next key *is* the one it expects (usually the case: documents write an object's keys in
//! their template's order), which is one comparison of bytes.
//!
//! The cursor reads well-formed JSON exactly as serde_json does: the same strings, the same
//! numbers (integers exact, `-0` and integers beyond 64 bits as floats, floats correctly
//! rounded), duplicate keys in document order. It does not word errors: anything it does not
//! read — malformed text, nesting deeper than [`MAX_DEPTH`], an escaped surrogate, a number out
//! of range — stops it with [`Unread`], and the caller reads the text again with serde_json,
//! which decides whether it is JSON and says why not. So results and error messages are
//! serde_json's by construction, and only well-formed text takes the fast way.

use std::borrow::Cow;

use super::node::{Node, Num};

/// The cursor stopped: the text is malformed, or at an edge it leaves to serde_json.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unread;

/// How deep the cursor follows nested containers before leaving the text to serde_json
/// (whose own limit, 128, then applies).
pub const MAX_DEPTH: usize = 100;

/// 10^0 to 10^22, the powers of ten an `f64` holds exactly.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// A position in a JSON text.
pub struct Cursor<'t> {
    text: &'t str,
    pos: usize,
    depth: usize,
}

impl<'t> Cursor<'t> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        Cursor {
            text,
            pos: 0,
            depth: 0,
        }
    }

    #[inline]
    fn bytes(&self) -> &'t [u8] {
        self.text.as_bytes()
    }

    #[inline]
    fn skip_whitespace(&mut self) {
        let bytes = self.bytes();
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    #[inline]
    pub(crate) fn peek(&mut self) -> Result<u8, Unread> {
        self.skip_whitespace();
        self.bytes().get(self.pos).copied().ok_or(Unread)
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Result<(), Unread> {
        if self.peek()? == byte {
            self.pos += 1;
            Ok(())
        } else {
            Err(Unread)
        }
    }

    fn enter(&mut self, open: u8) -> Result<(), Unread> {
        self.eat(open)?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Unread);
        }
        Ok(())
    }

    /// Enters the object that comes next.
    pub fn begin_object(&mut self) -> Result<(), Unread> {
        self.enter(b'{')
    }

    /// Enters the array that comes next.
    pub fn begin_array(&mut self) -> Result<(), Unread> {
        self.enter(b'[')
    }

    /// Whether the object or array being read has another member or element: `true` with the
    /// cursor on it, `false` with the container closed. `first` is true until the first call
    /// has returned.
    #[inline]
    fn has_next(&mut self, first: &mut bool, close: u8) -> Result<bool, Unread> {
        let next = self.peek()?;
        if next == close {
            self.pos += 1;
            self.depth = self.depth.saturating_sub(1);
            return Ok(false);
        }
        if *first {
            *first = false;
        } else if next == b',' {
            self.pos += 1;
        } else {
            return Err(Unread);
        }
        Ok(true)
    }

    /// Whether the object being read has another member: `true` with the cursor on it,
    /// `false` with the object closed. `first` is true until the first call has returned.
    #[inline]
    pub fn has_member(&mut self, first: &mut bool) -> Result<bool, Unread> {
        self.has_next(first, b'}')
    }

    /// Whether the array being read has another element: `true` with the cursor on it,
    /// `false` with the array closed. `first` is true until the first call has returned.
    #[inline]
    pub fn has_element(&mut self, first: &mut bool) -> Result<bool, Unread> {
        // `[1,]` reads as having a second element, and reading it finds `]`, which is no
        // value: the cursor stops there.
        self.has_next(first, b']')
    }

    /// Reads a member's key and the colon after it.
    pub fn key(&mut self) -> Result<Cow<'t, str>, Unread> {
        if self.peek()? != b'"' {
            return Err(Unread);
        }
        let key = self.string()?;
        self.eat(b':')?;
        Ok(key)
    }

    /// Reads the member's key and its colon if the key is `key`.
    #[inline]
    pub(crate) fn key_is(&mut self, key: PlainKey<'_>) -> Result<bool, Unread> {
        if self.peek()? != b'"' {
            return Err(Unread);
        }
        let start = self.pos + 1;
        let end = start + key.text.len();
        let bytes = self.bytes();
        let same = match (key.word, bytes.get(start..start + 8)) {
            (Some((word, mask)), Some(chunk)) => {
                u64::from_le_bytes(chunk.try_into().expect("eight bytes")) & mask == word
            }
            _ => bytes.get(start..end) == Some(key.text.as_bytes()),
        };
        if same && bytes.get(end) == Some(&b'"') {
            self.pos = end + 1;
            self.eat(b':')?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Skips the value that comes next, checking it as it is read; returns its text.
    pub fn skip_value(&mut self) -> Result<&'t str, Unread> {
        self.skip_whitespace();
        let start = self.pos;
        self.skip()?;
        Ok(&self.text[start..self.pos])
    }

    fn skip(&mut self) -> Result<(), Unread> {
        match self.peek()? {
            b'{' => {
                self.begin_object()?;
                let mut first = true;
                while self.has_member(&mut first)? {
                    self.key()?;
                    self.skip()?;
                }
                Ok(())
            }
            b'[' => {
                self.begin_array()?;
                let mut first = true;
                while self.has_element(&mut first)? {
                    self.skip()?;
                }
                Ok(())
            }
            _ => self.scalar().map(drop),
        }
    }

    /// Checks that nothing but whitespace follows.
    pub fn end(&mut self) -> Result<(), Unread> {
        self.skip_whitespace();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Unread)
        }
    }

    /// Reads the value that comes next as a tree.
    pub(crate) fn node(&mut self) -> Result<Node<'t>, Unread> {
        match self.peek()? {
            b'{' => {
                self.begin_object()?;
                let mut entries = Vec::with_capacity(8);
                let mut first = true;
                while self.has_member(&mut first)? {
                    let key = self.key()?;
                    entries.push((key, self.node()?));
                }
                Ok(Node::Object(entries))
            }
            b'[' => {
                self.begin_array()?;
                let mut items = Vec::with_capacity(4);
                let mut first = true;
                while self.has_element(&mut first)? {
                    items.push(self.node()?);
                }
                Ok(Node::Array(items))
            }
            _ => self.scalar(),
        }
    }

    /// Reads the scalar that comes next (not an object or an array).
    #[inline]
    pub(crate) fn scalar(&mut self) -> Result<Node<'t>, Unread> {
        match self.peek()? {
            b'"' => self.string().map(Node::String),
            b'-' | b'0'..=b'9' => self.number().map(Node::Number),
            b't' => self.word(b"true", Node::Bool(true)),
            b'f' => self.word(b"false", Node::Bool(false)),
            b'n' => self.word(b"null", Node::Null),
            _ => Err(Unread),
        }
    }

    fn word(&mut self, word: &[u8], node: Node<'t>) -> Result<Node<'t>, Unread> {
        if self.bytes()[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(node)
        } else {
            Err(Unread)
        }
    }

    /// Reads a string, the cursor on its opening quote.
    #[inline]
    fn string(&mut self) -> Result<Cow<'t, str>, Unread> {
        let bytes = self.bytes();
        let start = self.pos + 1;
        let at = start + stop_in(bytes.get(start..).ok_or(Unread)?);
        match bytes.get(at) {
            Some(b'"') => {
                self.pos = at + 1;
                Ok(Cow::Borrowed(&self.text[start..at]))
            }
            Some(b'\\') => self.escaped_string(start, at).map(Cow::Owned),
            _ => Err(Unread),
        }
    }

    /// The rest of a string with escapes, from its first backslash at `at`.
    fn escaped_string(&mut self, start: usize, mut at: usize) -> Result<String, Unread> {
        let bytes = self.bytes();
        let mut out = String::with_capacity(at - start + 16);
        let mut plain_from = start;
        loop {
            match bytes.get(at) {
                Some(b'"') => {
                    out.push_str(&self.text[plain_from..at]);
                    self.pos = at + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.text[plain_from..at]);
                    let escape = *bytes.get(at + 1).ok_or(Unread)?;
                    at += 2;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hex = bytes.get(at..at + 4).ok_or(Unread)?;
                            // Four hex digits, no more lenient than serde_json (`from_str_radix`
                            // alone would take `+41`).
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return Err(Unread);
                            }
                            let hex = std::str::from_utf8(hex).map_err(|_| Unread)?;
                            let unit = u32::from_str_radix(hex, 16).map_err(|_| Unread)?;
                            // Surrogates (pairs included) are left to serde_json.
                            out.push(char::from_u32(unit).ok_or(Unread)?);
                            at += 4;
                        }
                        _ => return Err(Unread),
                    }
                    plain_from = at;
                }
                Some(&b) if b < 0x20 => return Err(Unread),
                Some(_) => at += 1,
                None => return Err(Unread),
            }
        }
    }

    /// Reads a number as serde_json does (see the module's documentation).
    fn number(&mut self) -> Result<Num, Unread> {
        let bytes = self.bytes();
        let start = self.pos;
        let mut at = start;
        let negative = bytes[at] == b'-';
        if negative {
            at += 1;
        }
        let mut value: u64 = 0;
        let mut overflowed = false;
        match bytes.get(at) {
            Some(b'0') => {
                at += 1;
                if bytes.get(at).is_some_and(u8::is_ascii_digit) {
                    return Err(Unread);
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(&digit @ b'0'..=b'9') = bytes.get(at) {
                    match value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                    {
                        Some(v) => value = v,
                        None => overflowed = true,
                    }
                    at += 1;
                }
            }
            _ => return Err(Unread),
        }
        let mut float = overflowed;
        // The digits after the point while the significand stays exact: the number is then
        // `value` divided by ten to their count.
        let mut fraction_digits: Option<i32> = Some(0);
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            let from = at;
            at = digits(bytes, at)?;
            float = true;
            for &digit in &bytes[from..at] {
                match value
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(digit - b'0')))
                {
                    Some(v) if !overflowed && fraction_digits.is_some() => {
                        value = v;
                        fraction_digits = fraction_digits.map(|n| n + 1);
                    }
                    _ => fraction_digits = None,
                }
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            at = digits(bytes, at)?;
            float = true;
            fraction_digits = None;
        }
        self.pos = at;
        if float {
            // An integer below 2^53 divided by an exact power of ten is correctly rounded: the
            // value any exact parse gives (Clinger's fast path). The rest goes to the parser.
            if let Some(n @ 0..=22) = fraction_digits
                && !overflowed
                && value < 1 << 53
            {
                let magnitude = value as f64 / POWERS_OF_TEN[n as usize];
                return Ok(Num::Float(if negative { -magnitude } else { magnitude }));
            }
            let parsed: f64 = self.text[start..at].parse().map_err(|_| Unread)?;
            // serde_json calls an infinite result out of range.
            return if parsed.is_finite() {
                Ok(Num::Float(parsed))
            } else {
                Err(Unread)
            };
        }
        Ok(if !negative {
            i64::try_from(value).map_or(Num::UInt(value), Num::Int)
        } else {
            let negated = (value as i64).wrapping_neg();
            // `-0`, and magnitudes beyond i64's, are floats in serde_json.
            if negated >= 0 {
                Num::Float(-(value as f64))
            } else {
                Num::Int(negated)
            }
        })
    }
}

/// How many bytes of `bytes` come before the first that ends a run of a string's plain
/// characters: a quote, a backslash or a control character (`bytes.len()` if none does).
#[inline]
fn stop_in(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Eight bytes at a time: a byte equal to `b` is a zero byte of `chunk ^ (ONES * b)`, and
    // `(x - ONES * n) & !x & HIGH` marks bytes below `n`; the lowest mark is exact (a borrow
    // can only mark bytes above a true one).
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGH;
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let chunk = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let marks = below(chunk ^ (ONES * u64::from(b'"')), 1)
            | below(chunk ^ (ONES * u64::from(b'\\')), 1)
            | below(chunk, 0x20);
        if marks != 0 {
            return at + (marks.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + bytes[at..]
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(bytes.len() - at)
}

/// The position after one or more digits starting at `at`.
fn digits(bytes: &[u8], mut at: usize) -> Result<usize, Unread> {
    let start = at;
    while bytes.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    if at == start { Err(Unread) } else { Ok(at) }
}

/// An expected key that JSON text writes as its bytes, without escapes (no quote, backslash or
/// control character), so [`Cursor::key_is`] can compare it with the text where it stands.
#[derive(Clone, Copy)]
pub(crate) struct PlainKey<'k> {
    text: &'k str,
    /// A key of up to eight bytes as a little-endian word, with the mask of its bytes: one
    /// comparison of the text's next eight bytes instead of a call to `memcmp`.
    word: Option<(u64, u64)>,
}

impl<'k> PlainKey<'k> {
    pub(crate) fn new(text: &'k str) -> Option<Self> {
        let plain = text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
        let word = (text.len() <= 8).then(|| {
            let mut bytes = [0u8; 8];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            let mask = u64::MAX
                .checked_shr(8 * (8 - text.len() as u32))
                .unwrap_or(0);
            (u64::from_le_bytes(bytes), mask)
        });
        plain.then_some(PlainKey { text, word })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::node::JsonView;
    use proptest::prelude::*;

    fn read(text: &str) -> Result<Node<'_>, Unread> {
        let mut cursor = Cursor::new(text);
        let node = cursor.node()?;
        cursor.end()?;
        Ok(node)
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a": [1, -2, 3.5, 18446744073709551615, 18446744073709551616], "b\"q": "x\ny\u00e9\/", "c": {"d": null, "e": true, "f": false}, "a": "dup"}"#,
            "[-0, -0.0, 0, 1e3, 1E-3, -9223372036854775808, -9223372036854775809, 1.5e+2, 0.1]",
            " \t\r\n[ ] ",
            "{}",
            r#""\u00e9\u20ac""#,
            "123456789012345678901234567890",
            "2.2250738585072011e-308",
        ] {
            let node = read(text).unwrap_or_else(|_| panic!("{text}"));
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(node.to_value(), value, "{text}");
            assert_eq!(node, Node::parse(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn leaves_malformed_text_and_edges_to_serde_json() {
        for text in [
            "",
            "{",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "01",
            "1.",
            ".5",
            "1e",
            "-",
            "tru",
            "nul",
            "\"a",
            "\"a\u{1}\"",
            "\"\\x\"",
            "[1]x",
            "1e400",
            "\"\\ud800\"",
            "\"\\ud83d\\ude00\"",
            "{1:2}",
            "\"\\u+041\"",
            "\"\\u-041\"",
            "\"\\u 041\"",
        ] {
            assert_eq!(read(text).err(), Some(Unread), "{text:?}");
        }
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(read(&deep).err(), Some(Unread));
        let fits = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(read(&fits).is_ok());
    }

    fn json() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::{Value, json};
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter_map("finite", serde_json::Number::from_f64)
                .prop_map(Value::Number),
            (-10_000i64..10_000, 0u32..6).prop_map(|(n, d)| json!(n as f64 / 10f64.powi(d as i32))),
            "\\PC{0,12}".prop_map(Value::String),
            "[ -~\u{0}-\u{1f}é日🦀]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(("[a-z\"\\\\é]{0,4}", inner), 0..6)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(crate::test_support::proptest_config(512))]

        /// Any document serde_json writes, compact or pretty, reads back as serde_json reads it.
        #[test]
        fn reads_any_written_document_as_serde_json_does(doc in json()) {
            for text in [doc.to_string(), serde_json::to_string_pretty(&doc).unwrap()] {
                let node = read(&text);
                prop_assert!(node.is_ok(), "{}", text);
                prop_assert_eq!(node.unwrap().to_value(), serde_json::from_str::<serde_json::Value>(&text).unwrap());
            }
        }

        /// Text damaged anywhere is either read as serde_json reads it, or left to it.
        #[test]
        fn damaged_text_is_read_as_serde_json_reads_it_or_left(
            doc in json(),
            at in any::<prop::sample::Index>(),
            edit in 0u8..3,
            byte in prop::sample::select(b"{}[]:,\"\\ 0-+.eEtfnu1aF\x01".to_vec()),
        ) {
            let mut bytes = doc.to_string().into_bytes();
            let i = at.index(bytes.len() + 1);
            match edit {
                0 if i < bytes.len() => { bytes.remove(i); }
                1 => bytes.insert(i, byte),
                _ if i < bytes.len() => bytes[i] = byte,
                _ => bytes.push(byte),
            }
            let Ok(text) = std::str::from_utf8(&bytes) else { return Ok(()) };
            if let Ok(node) = read(text) {
                let value = serde_json::from_str::<serde_json::Value>(text);
                prop_assert!(value.is_ok(), "read what serde_json rejects: {}", text);
                prop_assert_eq!(node.to_value(), value.unwrap(), "{}", text);
            }
        }
    }

    #[test]
    fn a_plain_key_is_compared_with_the_text() {
        let mut cursor = Cursor::new(r#"{"id" : 1, "na\u006de": 2}"#);
        cursor.begin_object().unwrap();
        let mut first = true;
        assert!(cursor.has_member(&mut first).unwrap());
        fn key(text: &str) -> PlainKey<'_> {
            PlainKey::new(text).unwrap()
        }
        assert!(!cursor.key_is(key("i")).unwrap());
        assert!(!cursor.key_is(key("")).unwrap());
        assert!(cursor.key_is(key("id")).unwrap());
        assert_eq!(cursor.skip_value().unwrap(), "1");
        assert!(cursor.has_member(&mut first).unwrap());
        assert!(!cursor.key_is(key("name")).unwrap(), "escaped in the text");
        assert_eq!(cursor.key().unwrap(), "name");
        assert_eq!(cursor.skip_value().unwrap(), "2");
        assert!(!cursor.has_member(&mut first).unwrap());
        for text in ["a\"b", "a\\b", "a\nb"] {
            assert!(PlainKey::new(text).is_none(), "{text:?}");
        }
        // Keys of every length up to past a word, at the very end of a text and not.
        for text in [
            "",
            "a",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnopq",
        ] {
            for tail in ["", "                "] {
                let json = format!("{{\"{text}\":1{tail}}}");
                let mut cursor = Cursor::new(&json);
                cursor.begin_object().unwrap();
                assert!(cursor.has_member(&mut true).unwrap());
                let longer = format!("{text}x");
                assert!(!cursor.key_is(key(&longer)).unwrap(), "{json}");
                if !text.is_empty() {
                    assert!(!cursor.key_is(key(&text[1..])).unwrap(), "{json}");
                }
                assert!(cursor.key_is(key(text)).unwrap(), "{json}");
            }
        }
    }
}
