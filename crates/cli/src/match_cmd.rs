//! `pactum match`: explain why a request, response or message does (not) match.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeSeed as _;
use serde_json::value::RawValue;
use serde_json::{Value, json};

use super::file_bytes::FileBytes;
use super::{CliError, EXIT_FAILED, EXIT_OK, Format, MatchArgs, Outcome, Part};
use pactum_core::contract::{
    Body, BodyContent, ContentKind, ContractError, Headers, LoadError, Message, Request, Response,
    SpecVersion, parse_json_read,
};
use pactum_core::matching::text::{Cursor, Unread};
use pactum_core::matching::{self, BodySeed, Mismatch, StreamedBody};
use pactum_core::printable::printable;

type Read<T> = fn(Value, SpecVersion, &str) -> Result<T, ContractError>;

fn load<T>(file: &Path, part: Part, spec: SpecVersion, read: Read<T>) -> Result<T, CliError> {
    load_read(file, &FileBytes::of(file)?, part, spec, read)
}

/// [`load`] of the bytes already read from `file`.
fn load_read<T>(
    file: &Path,
    bytes: &[u8],
    part: Part,
    spec: SpecVersion,
    read: Read<T>,
) -> Result<T, CliError> {
    let value = parse_json_read(file, bytes)?;
    if let Some(other) = looks_like_another_part(|key| value.get(key).is_some(), part) {
        return Err(wrong_part(file, part, other));
    }
    read(value, spec, "$").map_err(|source| {
        CliError::Load(LoadError::Contract {
            file: file.to_path_buf(),
            source,
        })
    })
}

fn wrong_part(file: &Path, part: Part, other: Part) -> CliError {
    CliError::Usage(format!(
        "{} holds {} (it has `{}`), not {}; use `pactum match {}`, or pass {} file",
        file.display(),
        other.article(),
        other.telltale(),
        part.article(),
        other.command(),
        part.article(),
    ))
}

/// A request or a response: a part whose actual JSON body `pactum match` compares while it
/// reads the file.
trait HttpPart: Sized {
    fn body_and_headers(&self) -> (&Body, &Headers);
    /// The seed comparing an actual body with this expected part's, when it applies.
    fn body_seed(&self) -> Option<BodySeed<'_>>;
    fn mismatches(expected: &Self, actual: &Self) -> Vec<Mismatch>;
    fn mismatches_streamed(expected: &Self, actual: &Self, body: StreamedBody) -> Vec<Mismatch>;
}

impl HttpPart for Request {
    fn body_and_headers(&self) -> (&Body, &Headers) {
        (&self.body, &self.headers)
    }
    fn body_seed(&self) -> Option<BodySeed<'_>> {
        BodySeed::request(self)
    }
    fn mismatches(expected: &Self, actual: &Self) -> Vec<Mismatch> {
        matching::match_request(expected, actual)
    }
    fn mismatches_streamed(expected: &Self, actual: &Self, body: StreamedBody) -> Vec<Mismatch> {
        matching::match_request_streamed(expected, actual, body)
    }
}

impl HttpPart for Response {
    fn body_and_headers(&self) -> (&Body, &Headers) {
        (&self.body, &self.headers)
    }
    fn body_seed(&self) -> Option<BodySeed<'_>> {
        BodySeed::response(self)
    }
    fn mismatches(expected: &Self, actual: &Self) -> Vec<Mismatch> {
        matching::match_response(expected, actual)
    }
    fn mismatches_streamed(expected: &Self, actual: &Self, body: StreamedBody) -> Vec<Mismatch> {
        matching::match_response_streamed(expected, actual, body)
    }
}

/// Matches the actual request or response in `file` against `expected`.
///
/// When the expected body is JSON, the actual body is compared while the file is read (as
/// `pactum verify` does with a provider's answer): the file is parsed once, and a large
/// received body is never built as a tree, which was most of this command's time. Anything
/// that does not read that way (another body kind, a file this reading does not understand)
/// is loaded whole, as the expected side is, so errors and results are the same either way.
fn match_http<T: HttpPart>(
    expected: &T,
    file: &Path,
    part: Part,
    spec: SpecVersion,
    read: Read<T>,
) -> Result<Vec<Mismatch>, CliError> {
    let bytes = FileBytes::of(file)?;
    if let Some(seed) = expected.body_seed()
        && let Some((actual, body)) = with_streamed_body(&bytes, part, spec, read, seed)
    {
        let mismatches = T::mismatches_streamed(expected, &actual, body);
        let_go(actual);
        return Ok(mismatches);
    }
    let actual = load_read(file, &bytes, part, spec, read)?;
    let mismatches = T::mismatches(expected, &actual);
    let_go(actual);
    Ok(mismatches)
}

/// The part in `bytes` with its JSON body compared by `seed` while read, or `None` when it
/// does not read that way.
///
/// The body's content is compared, then stands in the part as an empty placeholder of the
/// same JSON type; the rest is read as usual, and the comparison counts only if the reader
/// took the placeholder as the body's JSON content: whatever the spec version's body layout
/// (V4's `content` wrapper or a bare V1–V3 body), the body was where the reader would have
/// found it.
fn with_streamed_body<T: HttpPart>(
    bytes: &[u8],
    part: Part,
    spec: SpecVersion,
    read: Read<T>,
    seed: BodySeed<'_>,
) -> Option<(T, StreamedBody)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Checked whole first: one pass over the bytes is cheaper than checking each string as
    // it is read, and JSON text is UTF-8 throughout anyway.
    let text = std::str::from_utf8(bytes).ok()?;
    let (fields, streamed, body_value) = if spec >= SpecVersion::V4 {
        // A V4 body is a wrapper object whose `content` is the document.
        let part = split_in_place_or_not(
            text,
            |cursor| {
                read_split_in_place(cursor, "body", |cursor| {
                    read_split_in_place(cursor, "content", |cursor| seed.compare_at(cursor))
                })
            },
            || {
                let wrapper_seed = SplitSeed {
                    key: "content",
                    seed,
                };
                read_split(
                    text,
                    SplitSeed {
                        key: "body",
                        seed: wrapper_seed,
                    },
                )
            },
        )?;
        let wrapper = part.value?;
        let content = wrapper.value?;
        let mut rest = to_values(wrapper.fields)?;
        rest.insert("content".into(), content.placeholder()?.clone());
        (part.fields, content, Value::Object(rest))
    } else {
        let part = split_in_place_or_not(
            text,
            |cursor| read_split_in_place(cursor, "body", |cursor| seed.compare_at(cursor)),
            || read_split(text, SplitSeed { key: "body", seed }),
        )?;
        let body = part.value?;
        let placeholder = body.placeholder()?.clone();
        (part.fields, body, placeholder)
    };
    if looks_like_another_part(|key| fields.contains_key(key), part).is_some() {
        return None;
    }
    let mut object = to_values(fields)?;
    object.insert("body".into(), body_value);
    let actual = read(Value::Object(object), spec, "$").ok()?;
    let (body, headers) = actual.body_and_headers();
    let read_as_json = match &body.content {
        BodyContent::Json(value) => Some(value) == streamed.placeholder(),
        _ => false,
    };
    let content_type = body.content_type_with(headers).unwrap_or_default();
    (read_as_json && ContentKind::of(&content_type) == ContentKind::Json)
        .then_some((actual, streamed))
}

/// The whole of `text` split by `in_place` with a [`Cursor`] (the fast way: keys compared
/// where they stand), or by `with_serde` when the cursor leaves the text to serde_json (see
/// [`pactum_core::matching::text`]); `None` when it does not read that way.
fn split_in_place_or_not<'t, V>(
    text: &'t str,
    in_place: impl FnOnce(&mut Cursor<'t>) -> Result<V, Unread>,
    with_serde: impl FnOnce() -> Option<V>,
) -> Option<V> {
    let mut cursor = Cursor::new(text);
    match in_place(&mut cursor).and_then(|split| cursor.end().map(|()| split)) {
        Ok(split) => Some(split),
        Err(Unread) => with_serde(),
    }
}

/// The object at `cursor` read as a [`SplitSeed`] reads it, `read_value` reading the value at
/// `key`.
fn read_split_in_place<'t, V>(
    cursor: &mut Cursor<'t>,
    key: &str,
    mut read_value: impl FnMut(&mut Cursor<'t>) -> Result<V, Unread>,
) -> Result<Split<'t, V>, Unread> {
    let mut split = Split {
        fields: BTreeMap::new(),
        value: None,
    };
    cursor.begin_object()?;
    let mut first = true;
    while cursor.has_member(&mut first)? {
        let name = cursor.key()?;
        if name == key {
            split.value = Some(read_value(cursor)?);
        } else {
            split.fields.insert(name.into_owned(), cursor.skip_value()?);
        }
    }
    Ok(split)
}

/// The whole of `text` read by `seed`, or `None` when it does not read that way.
fn read_split<'de, S>(text: &'de str, seed: SplitSeed<S>) -> Option<Split<'de, S::Value>>
where
    S: serde::de::DeserializeSeed<'de> + Copy,
{
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let split = seed.deserialize(&mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(split)
}

/// An object read in one pass: its fields as their raw texts, except `key`, whose value `seed`
/// reads (the body, compared while read; for V4, the body's wrapper, whose `content` is).
#[derive(Clone, Copy)]
struct SplitSeed<S> {
    key: &'static str,
    seed: S,
}

/// What a [`SplitSeed`] read: the other fields, and the value at its key (the last one, if the
/// key is repeated, as a JSON reader keeps it).
struct Split<'a, V> {
    /// Each other field's text.
    fields: BTreeMap<String, &'a str>,
    value: Option<V>,
}

impl<'de, S: serde::de::DeserializeSeed<'de> + Copy> serde::de::DeserializeSeed<'de>
    for SplitSeed<S>
{
    type Value = Split<'de, S::Value>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: serde::de::DeserializeSeed<'de> + Copy> serde::de::Visitor<'de> for SplitSeed<S> {
    type Value = Split<'de, S::Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a JSON object with `{}`", self.key)
    }

    fn visit_map<M: serde::de::MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut split = Split {
            fields: BTreeMap::new(),
            value: None,
        };
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                split.value = Some(map.next_value_seed(self.seed)?);
            } else {
                split
                    .fields
                    .insert(key, map.next_value::<&RawValue>()?.get());
            }
        }
        Ok(split)
    }
}

fn to_values(fields: BTreeMap<String, &str>) -> Option<serde_json::Map<String, Value>> {
    fields
        .into_iter()
        .map(|(key, raw)| Some((key, serde_json::from_str(raw).ok()?)))
        .collect()
}

/// Which other part an object is, when its keys say so unmistakably: a request has a
/// `method`, a response a `status`, a message `contents` and neither of the others.
fn looks_like_another_part(has: impl Fn(&str) -> bool, part: Part) -> Option<Part> {
    let shape = if has("method") && !has("status") {
        Part::Request
    } else if has("status") && !has("method") {
        Part::Response
    } else if has("contents") && !has("method") && !has("status") {
        Part::Message
    } else {
        return None;
    };
    (shape != part).then_some(shape)
}

impl Part {
    fn command(self) -> &'static str {
        match self {
            Part::Request => "request",
            Part::Response => "response",
            Part::Message => "message",
        }
    }

    fn article(self) -> &'static str {
        match self {
            Part::Request => "a request",
            Part::Response => "a response",
            Part::Message => "a message",
        }
    }

    fn telltale(self) -> &'static str {
        match self {
            Part::Request => "method",
            Part::Response => "status",
            Part::Message => "contents",
        }
    }
}

/// Lets a loaded document go without freeing it.
///
/// `pactum match` exits right after printing the report, and a document can be a large tree
/// of small allocations (a 1.7 MB body is hundreds of thousands): walking it only to hand
/// every node back to the allocator costs a visible share of the whole command, while the
/// operating system reclaims the process's memory at exit anyway. Only this one-shot command
/// does this; library code always frees what it loads.
fn let_go<T>(document: T) {
    std::mem::forget(document);
}

/// Matches `actual` against `expected`, then lets both go (see [`let_go`]).
fn compare<T>(expected: T, actual: T, matcher: fn(&T, &T) -> Vec<Mismatch>) -> Vec<Mismatch> {
    let mismatches = matcher(&expected, &actual);
    let_go(expected);
    let_go(actual);
    mismatches
}

pub(super) fn run(args: &MatchArgs) -> Result<Outcome, CliError> {
    let spec = SpecVersion::from(args.spec);
    let (part, expected, actual) = (args.part, &args.expected, &args.actual);
    let mismatches: Vec<Mismatch> = match part {
        Part::Request => {
            let expected = load(expected, part, spec, Request::from_value)?;
            let mismatches = match_http(&expected, actual, part, spec, Request::from_value)?;
            let_go(expected);
            mismatches
        }
        Part::Response => {
            let expected = load(expected, part, spec, Response::from_value)?;
            let mismatches = match_http(&expected, actual, part, spec, Response::from_value)?;
            let_go(expected);
            mismatches
        }
        Part::Message => compare(
            load(expected, part, spec, Message::from_value)?,
            load(actual, part, spec, Message::from_value)?,
            matching::match_message,
        ),
    };
    let code = if mismatches.is_empty() {
        EXIT_OK
    } else {
        EXIT_FAILED
    };
    let stdout = match args.format {
        Format::Json => {
            let report = json!({"matched": mismatches.is_empty(), "mismatches": mismatches});
            format!(
                "{}\n",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            )
        }
        Format::Text if mismatches.is_empty() => "match: no mismatches\n".to_string(),
        Format::Text => {
            let mut out = format!(
                "mismatch: {} difference{} found\n",
                mismatches.len(),
                if mismatches.len() == 1 { "" } else { "s" }
            );
            for m in &mismatches {
                out.push_str(&format!("  - {}\n", printable(&m.to_string())));
                if let (Some(e), Some(a)) = (&m.expected, &m.actual) {
                    out.push_str(&format!(
                        "      expected: {}\n      actual:   {}\n",
                        printable(e),
                        printable(a)
                    ));
                }
                if let Some(rule) = &m.rule {
                    out.push_str(&format!("      rule:     {}\n", printable(rule)));
                }
            }
            out
        }
    };
    Ok(Outcome::new(stdout, code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Matches `actual` (a JSON part, as a file would hold it) against `expected` both ways:
    /// the actual body built as a tree, and compared while read when that path takes it.
    /// Returns the two results, the streamed one `None` when that path did not take the part.
    fn both_ways<T: HttpPart>(
        expected: &Value,
        actual: &Value,
        part: Part,
        spec: SpecVersion,
        read: Read<T>,
    ) -> Option<(Vec<Mismatch>, Option<Vec<Mismatch>>)> {
        let expected = read(expected.clone(), spec, "$").ok()?;
        let tree = read(actual.clone(), spec, "$").ok()?;
        let tree_result = T::mismatches(&expected, &tree);
        let Some(seed) = expected.body_seed() else {
            return Some((tree_result, None));
        };
        let bytes = serde_json::to_vec_pretty(actual).unwrap();
        let streamed = with_streamed_body(&bytes, part, spec, read, seed)
            .map(|(actual, body)| T::mismatches_streamed(&expected, &actual, body));
        Some((tree_result, streamed))
    }

    #[test]
    fn a_json_body_compared_while_read_gives_the_tree_results() {
        let expected = json!({"status": 200, "headers": {"Content-Type": "application/json"},
            "body": {"items": [{"id": 1, "name": "a"}]},
            "matchingRules": {"body": {"$.items": {"matchers": [{"match": "type", "min": 1}]},
                "$.items[*].id": {"matchers": [{"match": "integer"}]}}}});
        let v4 = |content: Value| {
            json!({"status": 200, "headers": {"Content-Type": ["application/json"]},
                "body": {"content": content, "contentType": "application/json", "encoded": false}})
        };
        let bare = |body: Value| json!({"status": 200, "body": body});
        let cases = [
            (
                SpecVersion::V3,
                bare(json!({"items": [{"id": 2, "name": "b"}]})),
                true,
            ),
            (
                SpecVersion::V3,
                bare(json!({"items": [{"id": "x", "name": 3}], "extra": null})),
                true,
            ),
            (SpecVersion::V3, bare(json!([1, 2])), true),
            // A V3 body that has a `content` field is the body itself, not a wrapper.
            (
                SpecVersion::V3,
                bare(json!({"content": {"items": []}})),
                true,
            ),
            // A V4 part whose body is not a wrapper: loaded whole.
            (SpecVersion::V4, bare(json!({"items": []})), false),
            (
                SpecVersion::V4,
                v4(json!({"items": [{"id": 2.5, "name": "b"}]})),
                true,
            ),
            (SpecVersion::V4, v4(json!({"items": []})), true),
            // Not JSON on the actual side: loaded whole.
            (
                SpecVersion::V3,
                json!({"status": 200, "headers": {"Content-Type": "text/plain"}, "body": {"items": []}}),
                false,
            ),
            (SpecVersion::V3, bare(json!("text")), false),
        ];
        for (spec, actual, text_path) in cases {
            let expected_v4 = if spec == SpecVersion::V4 {
                v4(expected["body"].clone())
                    .as_object()
                    .cloned()
                    .map(|mut o| {
                        o.insert("matchingRules".into(), expected["matchingRules"].clone());
                        Value::Object(o)
                    })
                    .unwrap()
            } else {
                expected.clone()
            };
            let (tree, text) = both_ways(
                &expected_v4,
                &actual,
                Part::Response,
                spec,
                Response::from_value,
            )
            .unwrap();
            assert_eq!(text.is_some(), text_path, "{actual}");
            if let Some(text) = text {
                assert!(same_mismatches(&text, &tree), "{actual}");
            }
        }
    }

    fn case_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                case_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }

    /// The same mismatches, whatever their order: read from text, a body's mismatches come in
    /// the order of the received document (as in `pactum verify`), from a tree in the order of
    /// its sorted keys.
    fn same_mismatches(a: &[Mismatch], b: &[Mismatch]) -> bool {
        let sorted = |v: &[Mismatch]| {
            let mut v: Vec<String> = v.iter().map(|m| format!("{m:?}")).collect();
            v.sort();
            v
        };
        sorted(a) == sorted(b)
    }

    /// Every request and response case of the Pact specification, matched with its actual
    /// side loaded both ways, gives the same mismatches.
    #[test]
    fn specification_cases_match_the_same_with_the_body_compared_while_read() {
        let Some(root) = std::env::var_os("PACTUM_SPEC_CASES").map(PathBuf::from) else {
            assert!(
                std::env::var_os("PACTUM_SKIP_SPEC_CASES").is_some(),
                "PACTUM_SPEC_CASES is not set: point it at the pact-specification checkout, \
                 or set PACTUM_SKIP_SPEC_CASES=1 to skip"
            );
            return;
        };
        let (mut compared, mut by_text) = (0, 0);
        for (folder, spec) in [
            ("v1", SpecVersion::V1),
            ("v1.1", SpecVersion::V1_1),
            ("v2", SpecVersion::V2),
            ("v3", SpecVersion::V3),
            ("v4", SpecVersion::V4),
        ] {
            for kind in ["request", "response"] {
                let mut files = Vec::new();
                case_files(&root.join(folder).join("testcases").join(kind), &mut files);
                for file in files {
                    let case =
                        pactum_core::contract::parse_json_bytes(&std::fs::read(&file).unwrap())
                            .unwrap();
                    let (expected, actual) = (&case["expected"], &case["actual"]);
                    let result = if kind == "request" {
                        both_ways(expected, actual, Part::Request, spec, Request::from_value)
                    } else {
                        both_ways(expected, actual, Part::Response, spec, Response::from_value)
                    };
                    let Some((tree, text)) = result else { continue };
                    compared += 1;
                    if let Some(text) = text {
                        by_text += 1;
                        assert!(
                            same_mismatches(&text, &tree),
                            "{}: {text:?} != {tree:?}",
                            file.display()
                        );
                    }
                }
            }
        }
        assert!(compared > 300, "only {compared} cases compared");
        assert!(by_text > 100, "only {by_text} cases took the text path");
    }
}
