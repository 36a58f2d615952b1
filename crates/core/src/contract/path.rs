//! Matching-rule path expressions: `$.items[*].price`, `$['x.y']`, `$.*`.
//!
//! This is the small JSONPath dialect Pact uses to attach matching rules and generators to parts
//! of a body (and, in V2 files, to headers and query parameters). It is *not* general JSONPath:
//! there are no filters, slices or recursive descent. The module parses expressions and decides
//! how strongly an expression applies to a concrete location ([`PathExpr::weight`]); walking
//! documents is the matcher's job.

use std::fmt;

/// One step of a parsed path expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathToken {
    /// `$`, the document root. Always the first token.
    Root,
    /// `.name` or `['name']`.
    Field(String),
    /// `[3]`.
    Index(usize),
    /// `.*` or `['*']`: any field or index.
    Star,
    /// `[*]`: any array index.
    StarIndex,
}

/// One step of a concrete location inside a document, as the matcher walks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    /// A map key, XML element or attribute name.
    Key(&'a str),
    /// An array index.
    Index(usize),
}

/// A parsed matching-rule path. Keeps its source text so it is written back unchanged.
#[derive(Debug, Clone)]
pub struct PathExpr {
    text: String,
    tokens: Vec<PathToken>,
}

/// Why a path expression could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid path expression '{expression}' at character {position}: {reason}")]
pub struct PathError {
    /// The expression as written.
    pub expression: String,
    /// Zero-based character index of the problem.
    pub position: usize,
    /// What was wrong.
    pub reason: String,
}

impl PartialEq for PathExpr {
    fn eq(&self, other: &Self) -> bool {
        self.tokens == other.tokens
    }
}
impl Eq for PathExpr {}

impl PathExpr {
    /// The root expression `$`.
    pub fn root() -> Self {
        PathExpr {
            text: "$".into(),
            tokens: vec![PathToken::Root],
        }
    }

    /// Parses an expression. A missing leading `$` is tolerated (`a.b` means `$.a.b`), as some
    /// older pact files write header and query keys that way.
    pub fn parse(text: &str) -> Result<Self, PathError> {
        let chars: Vec<char> = text.chars().collect();
        let err = |position: usize, reason: &str| PathError {
            expression: text.to_string(),
            position,
            reason: reason.to_string(),
        };
        let mut tokens = vec![PathToken::Root];
        let mut i = 0;
        if chars.is_empty() {
            return Err(err(0, "the expression is empty"));
        }
        if chars[0] == '$' {
            i = 1;
        } else {
            // Bare leading identifier: treat as the first field.
            let start = i;
            while i < chars.len() && is_ident_char(chars[i]) {
                i += 1;
            }
            if i == start {
                return Err(err(0, "expected '$' or a field name"));
            }
            tokens.push(field_token(chars[start..i].iter().collect()));
        }
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    i += 1;
                    if i < chars.len() && chars[i] == '*' {
                        tokens.push(PathToken::Star);
                        i += 1;
                        continue;
                    }
                    let start = i;
                    while i < chars.len() && is_ident_char(chars[i]) {
                        i += 1;
                    }
                    if i == start {
                        return Err(err(start, "expected a field name or '*' after '.'"));
                    }
                    tokens.push(PathToken::Field(chars[start..i].iter().collect()));
                }
                '[' => {
                    i += 1;
                    match chars.get(i) {
                        Some('*') => {
                            if chars.get(i + 1) != Some(&']') {
                                return Err(err(i + 1, "expected ']' after '[*'"));
                            }
                            tokens.push(PathToken::StarIndex);
                            i += 2;
                        }
                        Some('\'') | Some('"') => {
                            let quote = chars[i];
                            i += 1;
                            let mut name = String::new();
                            loop {
                                match chars.get(i) {
                                    None => return Err(err(i, "unterminated quoted name")),
                                    Some('\\') if chars.get(i + 1).is_some() => {
                                        name.push(chars[i + 1]);
                                        i += 2;
                                    }
                                    Some(&c) if c == quote => {
                                        i += 1;
                                        break;
                                    }
                                    Some(&c) => {
                                        name.push(c);
                                        i += 1;
                                    }
                                }
                            }
                            if chars.get(i) != Some(&']') {
                                return Err(err(i, "expected ']' after a quoted name"));
                            }
                            i += 1;
                            tokens.push(if name == "*" {
                                PathToken::Star
                            } else {
                                PathToken::Field(name)
                            });
                        }
                        Some(c) if c.is_ascii_digit() => {
                            let start = i;
                            while i < chars.len() && chars[i].is_ascii_digit() {
                                i += 1;
                            }
                            if chars.get(i) != Some(&']') {
                                return Err(err(i, "expected ']' after an index"));
                            }
                            let digits: String = chars[start..i].iter().collect();
                            let index = digits
                                .parse()
                                .map_err(|_| err(start, "the index is too large"))?;
                            tokens.push(PathToken::Index(index));
                            i += 1;
                        }
                        _ => {
                            return Err(err(
                                i,
                                "expected an index, '*' or a quoted name after '['",
                            ));
                        }
                    }
                }
                _ => return Err(err(i, "expected '.' or '['")),
            }
        }
        Ok(PathExpr {
            text: text.to_string(),
            tokens,
        })
    }

    /// Builds an expression from tokens (the first must be [`PathToken::Root`]).
    pub fn from_tokens(tokens: Vec<PathToken>) -> Self {
        let mut text = String::from("$");
        for token in tokens.iter().skip(1) {
            write_token(&mut text, token);
        }
        PathExpr { text, tokens }
    }

    /// The expression as written in the contract.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed tokens, starting with [`PathToken::Root`].
    pub fn tokens(&self) -> &[PathToken] {
        &self.tokens
    }

    /// Number of steps below the root.
    pub fn depth(&self) -> usize {
        self.tokens.len() - 1
    }

    /// How strongly this expression applies to the location `path` (the steps below the root).
    ///
    /// Returns `None` when it does not apply. Otherwise the weight is the product of one factor
    /// per step (exact name or index: 2, wildcard: 1, the root: 2), as the Pact specification
    /// describes; an expression shorter than `path` applies to it as an ancestor.
    pub fn weight(&self, path: &[Segment<'_>]) -> Option<u64> {
        let steps = &self.tokens[1..];
        if steps.len() > path.len() {
            return None;
        }
        let mut weight: u64 = 2;
        for (token, segment) in steps.iter().zip(path) {
            let factor = match (token, segment) {
                (PathToken::Field(name), Segment::Key(key)) if name == key => 2,
                (PathToken::Field(name), Segment::Index(i)) if index_eq(name, *i) => 2,
                (PathToken::Index(n), Segment::Index(i)) if n == i => 2,
                (PathToken::Index(n), Segment::Key(key)) if index_eq(key, *n) => 2,
                (PathToken::Star, _) => 1,
                (PathToken::StarIndex, Segment::Index(_)) => 1,
                (PathToken::StarIndex, Segment::Key(key)) if key.parse::<usize>().is_ok() => 1,
                _ => return None,
            };
            weight = weight.saturating_mul(factor);
        }
        Some(weight)
    }

    /// True if this is exactly `$`.
    pub fn is_root(&self) -> bool {
        self.tokens.len() == 1
    }
}

impl fmt::Display for PathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn index_eq(text: &str, index: usize) -> bool {
    text.parse::<usize>() == Ok(index)
}

fn field_token(name: String) -> PathToken {
    if name == "*" {
        PathToken::Star
    } else {
        PathToken::Field(name)
    }
}

/// Characters allowed in a dotted field name. `@`, `#` and `:` let XML attributes (`@id`), text
/// nodes (`#text`) and namespaced names (`ns:item`) be written without brackets.
fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '#' | '@' | '$')
}

fn write_token(out: &mut String, token: &PathToken) {
    match token {
        PathToken::Root => out.push('$'),
        PathToken::Field(name) => {
            if !name.is_empty() && name.chars().all(is_ident_char) {
                out.push('.');
                out.push_str(name);
            } else {
                out.push_str("['");
                out.push_str(&name.replace('\\', "\\\\").replace('\'', "\\'"));
                out.push_str("']");
            }
        }
        PathToken::Index(i) => {
            out.push('[');
            out.push_str(&i.to_string());
            out.push(']');
        }
        PathToken::Star => out.push_str(".*"),
        PathToken::StarIndex => out.push_str("[*]"),
    }
}

/// Renders a concrete location as a path expression, e.g. `$.items[2].price`. Used in
/// mismatch reports.
pub fn render_location(path: &[Segment<'_>]) -> String {
    let mut out = String::from("$");
    for segment in path {
        match segment {
            Segment::Key(key) => write_token(&mut out, &PathToken::Field((*key).to_string())),
            Segment::Index(i) => write_token(&mut out, &PathToken::Index(*i)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use PathToken::*;
    use Segment::{Index as I, Key as K};

    fn tokens(text: &str) -> Vec<PathToken> {
        PathExpr::parse(text).unwrap().tokens
    }

    #[test]
    fn parses_every_token_form() {
        assert_eq!(tokens("$"), vec![Root]);
        assert_eq!(
            tokens("$.a.b[2][*].*"),
            vec![
                Root,
                Field("a".into()),
                Field("b".into()),
                Index(2),
                StarIndex,
                Star
            ]
        );
        assert_eq!(
            tokens("$['x.y']['it\\'s'].@id.#text"),
            vec![
                Root,
                Field("x.y".into()),
                Field("it's".into()),
                Field("@id".into()),
                Field("#text".into())
            ]
        );
        assert_eq!(tokens("$['a b']"), vec![Root, Field("a b".into())]);
        assert_eq!(tokens("$['*']"), vec![Root, Star]);
        assert_eq!(
            tokens("header.X-Id"),
            vec![Root, Field("header".into()), Field("X-Id".into())]
        );
    }

    #[test]
    fn rejects_malformed_expressions_with_position() {
        for (text, position) in [
            ("", 0),
            ("$.", 2),
            ("$[", 2),
            ("$[1", 3),
            ("$['a", 4),
            ("$x", 1),
            ("$[*", 3),
        ] {
            let err = PathExpr::parse(text).unwrap_err();
            assert_eq!(err.position, position, "{text}: {err}");
        }
    }

    #[test]
    fn weights_follow_the_specification_table() {
        let path = [K("item1"), K("level"), I(1), K("id")];
        let w = |e: &str| PathExpr::parse(e).unwrap().weight(&path);
        assert_eq!(w("$"), Some(2));
        assert_eq!(w("$.item1"), Some(4));
        assert_eq!(w("$.item2"), None);
        assert_eq!(w("$.item1.level"), Some(8));
        assert_eq!(w("$.item1.level[1]"), Some(16));
        assert_eq!(w("$.item1.level[1].id"), Some(32));
        assert_eq!(w("$.item1.level[1].name"), None);
        assert_eq!(w("$.item1.level[2]"), None);
        assert_eq!(w("$.item1.level[*].id"), Some(16));
        assert_eq!(w("$.*.level[*].id"), Some(8));
        assert_eq!(w("$.item1.level[1].id.more"), None);
    }

    #[test]
    fn renders_locations_with_brackets_only_where_needed() {
        assert_eq!(
            render_location(&[K("items"), I(2), K("price")]),
            "$.items[2].price"
        );
        assert_eq!(render_location(&[K("a.b"), K("")]), "$['a.b']['']");
        assert_eq!(render_location(&[]), "$");
    }

    #[test]
    fn from_tokens_round_trips_through_parse() {
        for text in ["$.a[*].b", "$['x y'][3].*", "$"] {
            let parsed = PathExpr::parse(text).unwrap();
            let rebuilt = PathExpr::from_tokens(parsed.tokens().to_vec());
            assert_eq!(PathExpr::parse(rebuilt.as_str()).unwrap(), parsed);
        }
    }
}
