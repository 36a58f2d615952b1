//! Matching rules as data: what a contract says about how flexible each part may be.
//!
//! This module reads the rule JSON of every spec version (V2's flat `$.body.x` map, V3/V4's
//! categories) into one model and writes the V3/V4 form back. Rules are validated when read: a
//! bad regex, a bad date pattern or an unknown matcher is an error naming where it was found, so
//! matching never meets an invalid rule. Applying rules is [`crate::matching`]'s job.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use regex::{Regex, RegexBuilder};
use serde_json::{Map, Value, json};

use super::ContractError;
use super::ascii_regex::{ASCII_SIZE_LIMIT, Narrowed};
use super::path::{PathExpr, PathToken, Segment};
use crate::datetime::DateTimePattern;

/// How the rules of one [`RuleList`] combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Combine {
    /// Every rule must pass (the default).
    #[default]
    And,
    /// At least one rule must pass.
    Or,
}

/// The rules attached to one location, with how they combine.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleList {
    /// The rules, in contract order.
    pub rules: Vec<MatchingRule>,
    /// AND (default) or OR.
    pub combine: Combine,
}

impl RuleList {
    /// A list holding one rule.
    pub fn single(rule: MatchingRule) -> Self {
        RuleList {
            rules: vec![rule],
            combine: Combine::And,
        }
    }
}

/// Status classes for the `statusCode` matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusCodes {
    /// 100–199.
    Information,
    /// 200–299.
    Success,
    /// 300–399.
    Redirect,
    /// 400–499.
    ClientError,
    /// 500–599.
    ServerError,
    /// Anything below 400.
    NonError,
    /// 400 and above.
    Error,
    /// One of these exact codes.
    Codes(Vec<u16>),
}

impl StatusCodes {
    /// True if `status` belongs to this class.
    pub fn contains(&self, status: u16) -> bool {
        match self {
            StatusCodes::Information => (100..200).contains(&status),
            StatusCodes::Success => (200..300).contains(&status),
            StatusCodes::Redirect => (300..400).contains(&status),
            StatusCodes::ClientError => (400..500).contains(&status),
            StatusCodes::ServerError => (500..600).contains(&status),
            StatusCodes::NonError => status < 400,
            StatusCodes::Error => status >= 400,
            StatusCodes::Codes(codes) => codes.contains(&status),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            StatusCodes::Information => json!("info"),
            StatusCodes::Success => json!("success"),
            StatusCodes::Redirect => json!("redirect"),
            StatusCodes::ClientError => json!("clientError"),
            StatusCodes::ServerError => json!("serverError"),
            StatusCodes::NonError => json!("nonError"),
            StatusCodes::Error => json!("error"),
            StatusCodes::Codes(codes) => json!(codes),
        }
    }
}

impl fmt::Display for StatusCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusCodes::Information => f.write_str("an informational (1xx) status"),
            StatusCodes::Success => f.write_str("a success (2xx) status"),
            StatusCodes::Redirect => f.write_str("a redirect (3xx) status"),
            StatusCodes::ClientError => f.write_str("a client error (4xx) status"),
            StatusCodes::ServerError => f.write_str("a server error (5xx) status"),
            StatusCodes::NonError => f.write_str("a non-error (< 400) status"),
            StatusCodes::Error => f.write_str("an error (>= 400) status"),
            StatusCodes::Codes(codes) => {
                let list: Vec<String> = codes.iter().map(u16::to_string).collect();
                write!(f, "one of the statuses {}", list.join(", "))
            }
        }
    }
}

/// One variant of an `arrayContains` matcher: the element at `index` of the expected array must
/// be matched by some actual element, using `rules` (paths relative to that element).
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayContainsVariant {
    /// Index of the example element in the expected array.
    pub index: usize,
    /// Rules for matching that element, rooted at the element.
    pub rules: PathRules,
    /// Generators for the element, kept as written.
    pub generators: Option<Value>,
}

/// A regular expression from a contract. It must match the *whole* value, as the
/// specification's test cases and Pact-JVM require (`.{4}` does not match `brent`), so only an
/// anchored form is compiled; the text is kept for writing back. Contracts repeat the same
/// expressions across many interactions (and rule paths), so compiled forms are shared between
/// equal sources. They are shared behind one `Arc` rather than as `Regex` clones: each clone of
/// a `Regex` gets its own pool of match caches, tens of kilobytes once used, which for a
/// contract repeating one expression on 10,000 rule paths came to 190 MB.
///
/// An expression whose meaning goes beyond ASCII (`\d`, `\w`, `.` are Unicode classes) is also
/// compiled narrowed to ASCII, which answers the same on ASCII values and compiles without the
/// Unicode classes' tables; its full form is then compiled when a value first needs it, unless
/// that could fail (see `ascii_regex`).
#[derive(Debug, Clone)]
pub struct AnchoredRegex {
    source: String,
    anchored: Arc<Compiled>,
}

/// An anchored expression's compiled forms.
#[derive(Debug)]
struct Compiled {
    /// The expression, for any value: compiled when first needed if `ascii` is there.
    full: OnceLock<Option<Regex>>,
    /// The anchored text `full` compiles from.
    pattern: String,
    /// For ASCII values, when it differs from the full form: the expression narrowed to ASCII.
    ascii: Option<Regex>,
}

impl Compiled {
    fn is_match(&self, value: &str) -> bool {
        match &self.ascii {
            Some(ascii) if value.is_ascii() => ascii.is_match(value),
            // The full form compiles: it did when read, or its size is bounded under the limit.
            _ => self
                .full
                .get_or_init(|| Regex::new(&self.pattern).ok())
                .as_ref()
                .is_some_and(|full| full.is_match(value)),
        }
    }
}

/// Compiled anchored expressions by source text, shared by every contract in the process.
/// Bounded: past the limit new expressions are compiled without being remembered.
static COMPILED: LazyLock<Mutex<HashMap<String, Arc<Compiled>>>> = LazyLock::new(Default::default);
const COMPILED_LIMIT: usize = 4096;

/// Why a regular expression from a contract cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RegexError {
    /// The expression is not valid syntax.
    #[error("invalid regular expression '{regex}': {source}")]
    Syntax {
        /// The expression as written.
        regex: String,
        /// What the parser said.
        source: Box<regex_syntax::Error>,
    },
    /// The expression is valid but cannot be compiled (too large, for one).
    #[error("invalid regular expression '{regex}': {source}")]
    Compile {
        /// The expression as written.
        regex: String,
        /// What the compiler said.
        source: regex::Error,
    },
}

/// The expression with every `{` that does not start a counted repetition (`{2}`, `{2,}`,
/// `{2,5}` after something to repeat) escaped, so it reads as itself. Ruby, JavaScript and PCRE
/// read such a brace literally, and contracts written with them hold expressions like
/// `.*(\/pacticipants\/{pacticipant})$` (the official Pact Broker client's), which Rust's
/// syntax would reject. Braces inside character classes and escaped ones are left alone.
pub(crate) fn literal_braces(source: &str) -> std::borrow::Cow<'_, str> {
    if !source.contains('{') {
        return source.into();
    }
    let bytes = source.as_bytes();
    let mut out = String::with_capacity(source.len() + 4);
    let mut class_depth = 0usize;
    let mut escaped = false;
    // After `\p`, `\P`, `\x`, `\u` or `\U`, a `{` opens a class name or a code point
    // (`\p{Greek}`, `\x{41}`, `\u{e9}`), read to its `}` as written.
    let mut named_escape = false;
    let mut in_name = false;
    // Whether the previous token can be repeated (not the start, `(` or `|`).
    let mut repeatable = false;
    for (at, c) in source.char_indices() {
        if in_name {
            in_name = c != '}';
            out.push(c);
            continue;
        }
        if std::mem::take(&mut named_escape) && c == '{' {
            in_name = true;
            out.push(c);
            continue;
        }
        if escaped {
            escaped = false;
            named_escape = matches!(c, 'p' | 'P' | 'x' | 'u' | 'U');
            repeatable = true;
            out.push(c);
            continue;
        }
        match c {
            '\\' => escaped = true,
            '[' => class_depth += 1,
            ']' if class_depth > 0 => class_depth -= 1,
            '{' if class_depth == 0 && !(repeatable && counted_repetition(&bytes[at + 1..])) => {
                out.push_str("\\{");
                repeatable = true;
                continue;
            }
            _ => {}
        }
        repeatable = class_depth > 0 || !matches!(c, '(' | '|');
        out.push(c);
    }
    out.into()
}

/// Whether `rest` (what follows a `{`) is `n}`, `n,}` or `n,m}`.
fn counted_repetition(rest: &[u8]) -> bool {
    let digits = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let first = digits(0);
    if first == 0 {
        return false;
    }
    match rest.get(first) {
        Some(b'}') => true,
        Some(b',') => {
            let second = digits(first + 1);
            rest.get(first + 1 + second) == Some(&b'}')
        }
        _ => false,
    }
}

impl AnchoredRegex {
    /// Validates and compiles an expression (with braces read as other Pact implementations
    /// read them: [`literal_braces`]).
    pub fn new(source: &str) -> Result<Self, RegexError> {
        let written = source;
        // Only expressions that passed the checks below are cached, so a contract repeating
        // one expression on every interaction checks and compiles it once.
        if let Some(anchored) = COMPILED
            .lock()
            .ok()
            .and_then(|cache| cache.get(written).cloned())
        {
            return Ok(AnchoredRegex {
                source: written.to_string(),
                anchored,
            });
        }
        let source = &*literal_braces(written);
        // Checking the expression on its own matters: `a)(b` is invalid, yet `^(?:a)(b)$`
        // would compile.
        let hir = regex_syntax::Parser::new()
            .parse(source)
            .map_err(|e| RegexError::Syntax {
                regex: written.to_string(),
                source: Box::new(e),
            })?;
        let pattern = format!("^(?:{source})$");
        let compile_full = |pattern: &str| {
            Regex::new(pattern).map_err(|e| RegexError::Compile {
                regex: written.to_string(),
                source: e,
            })
        };
        let ascii = match Narrowed::of(&hir) {
            Narrowed::Same => None,
            // The full form may wait only if it certainly compiles: bounded in size, and its
            // anchored text parses (one more group can pass the nesting limit).
            Narrowed::Ascii {
                pattern: ascii,
                lazy_full,
            } => {
                let lazy_full = lazy_full && regex_syntax::Parser::new().parse(&pattern).is_ok();
                RegexBuilder::new(&format!("^(?:{ascii})$"))
                    .size_limit(ASCII_SIZE_LIMIT)
                    .build()
                    .ok()
                    .map(|ascii| (ascii, lazy_full))
            }
        };
        let anchored = Arc::new(match ascii {
            Some((ascii, true)) => Compiled {
                full: OnceLock::new(),
                pattern,
                ascii: Some(ascii),
            },
            Some((ascii, false)) => Compiled {
                full: OnceLock::from(Some(compile_full(&pattern)?)),
                pattern,
                ascii: Some(ascii),
            },
            None => Compiled {
                full: OnceLock::from(Some(compile_full(&pattern)?)),
                pattern,
                ascii: None,
            },
        });
        if let Ok(mut cache) = COMPILED.lock()
            && cache.len() < COMPILED_LIMIT
        {
            cache.insert(written.to_string(), anchored.clone());
        }
        Ok(AnchoredRegex {
            source: written.to_string(),
            anchored,
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True if the whole of `value` matches.
    pub fn matches(&self, value: &str) -> bool {
        self.anchored.is_match(value)
    }
}

impl PartialEq for AnchoredRegex {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// A date/time format that compares by its source text; `None` inside means ISO 8601.
#[derive(Debug, Clone)]
pub struct DateFormat(pub Option<DateTimePattern>);

impl PartialEq for DateFormat {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl DateFormat {
    /// The pattern text, if one was given.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_ref().map(DateTimePattern::as_str)
    }
}

/// Every matcher of the V3/V4 specification.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchingRule {
    /// Values must be equal. Stops a cascading type rule from applying below this point.
    Equality,
    /// The value, as text, must match the regular expression.
    Regex(AnchoredRegex),
    /// Same JSON type as the example; for arrays optionally a minimum and maximum length.
    Type {
        /// Minimum array length.
        min: Option<usize>,
        /// Maximum array length.
        max: Option<usize>,
    },
    /// The value, as text, must contain this string.
    Include(String),
    /// An integer number.
    Integer,
    /// A number with a fractional part.
    Decimal,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// JSON `null`.
    Null,
    /// A date in the given format (ISO 8601 when none).
    Date(DateFormat),
    /// A time of day in the given format.
    Time(DateFormat),
    /// A date-time (timestamp) in the given format.
    DateTime(DateFormat),
    /// The body's content type, detected from its bytes, must be this one.
    ContentType(String),
    /// Map values are matched by the example's shape, ignoring the keys.
    Values,
    /// The actual array must contain an element matching each variant, in any order.
    ArrayContains(Vec<ArrayContainsVariant>),
    /// A semantic version (`1.2.3`).
    Semver,
    /// Every key of a map must match these rules.
    EachKey(RuleList),
    /// Every value of a map or array must match these rules.
    EachValue(RuleList),
    /// Present and not empty (string, array, map).
    NotEmpty,
    /// The HTTP status must be in the class.
    StatusCode(StatusCodes),
}

impl MatchingRule {
    /// The name written in contracts (`"match"` field).
    pub fn name(&self) -> &'static str {
        match self {
            MatchingRule::Equality => "equality",
            MatchingRule::Regex(_) => "regex",
            MatchingRule::Type { .. } => "type",
            MatchingRule::Include(_) => "include",
            MatchingRule::Integer => "integer",
            MatchingRule::Decimal => "decimal",
            MatchingRule::Number => "number",
            MatchingRule::Boolean => "boolean",
            MatchingRule::Null => "null",
            MatchingRule::Date(_) => "date",
            MatchingRule::Time(_) => "time",
            MatchingRule::DateTime(_) => "datetime",
            MatchingRule::ContentType(_) => "contentType",
            MatchingRule::Values => "values",
            MatchingRule::ArrayContains(_) => "arrayContains",
            MatchingRule::Semver => "semver",
            MatchingRule::EachKey(_) => "eachKey",
            MatchingRule::EachValue(_) => "eachValue",
            MatchingRule::NotEmpty => "notEmpty",
            MatchingRule::StatusCode(_) => "statusCode",
        }
    }

    /// Whether a rule declared on a container also applies to what is inside it. The ones that
    /// describe a container's own shape do not.
    pub fn cascades(&self) -> bool {
        !matches!(
            self,
            MatchingRule::Values
                | MatchingRule::EachKey(_)
                | MatchingRule::EachValue(_)
                | MatchingRule::ArrayContains(_)
        )
    }

    /// Reads one rule object. `at` is the JSON path of the object, for error messages.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ContractError> {
        let obj = value
            .as_object()
            .ok_or_else(|| ContractError::new(at, "a matching rule must be a JSON object"))?;
        let name = match obj.get("match").or_else(|| obj.get("pact:matcher:type")) {
            Some(Value::String(name)) => name.as_str(),
            Some(other) => {
                return Err(ContractError::new(
                    format!("{at}.match"),
                    format!("the matcher name must be a string, found {other}"),
                ));
            }
            None => infer_name(obj).ok_or_else(|| {
                ContractError::new(
                    at,
                    "the rule has no \"match\" field and its fields do not say which matcher it is",
                )
            })?,
        };
        let text = |key: &str| -> Result<String, ContractError> {
            match obj.get(key) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(other) => Err(ContractError::new(
                    format!("{at}.{key}"),
                    format!("expected a string, found {other}"),
                )),
                None => Err(ContractError::new(
                    at,
                    format!("the {name} matcher needs a \"{key}\" field"),
                )),
            }
        };
        let rule = match name {
            "equality" => MatchingRule::Equality,
            "regex" => {
                let source = text("regex")?;
                let pattern = AnchoredRegex::new(&source)
                    .map_err(|e| ContractError::caused_by(format!("{at}.regex"), e))?;
                MatchingRule::Regex(pattern)
            }
            "type" | "min" | "max" | "min-type" | "max-type" | "minType" | "maxType" => {
                let min = read_bound(obj, "min", at)?;
                let max = read_bound(obj, "max", at)?;
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    return Err(ContractError::new(
                        at,
                        format!("min ({min}) is greater than max ({max})"),
                    ));
                }
                MatchingRule::Type { min, max }
            }
            "include" => MatchingRule::Include(text("value")?),
            "integer" => MatchingRule::Integer,
            "decimal" | "real" => MatchingRule::Decimal,
            "number" => MatchingRule::Number,
            "boolean" => MatchingRule::Boolean,
            "null" => MatchingRule::Null,
            "date" => MatchingRule::Date(read_format(obj, &["format", "date"], at)?),
            "time" => MatchingRule::Time(read_format(obj, &["format", "time"], at)?),
            "timestamp" | "datetime" => {
                MatchingRule::DateTime(read_format(obj, &["format", "timestamp", "datetime"], at)?)
            }
            "contentType" | "content-type" => MatchingRule::ContentType(text("value")?),
            "values" => MatchingRule::Values,
            "semver" => MatchingRule::Semver,
            "notEmpty" | "not-empty" => MatchingRule::NotEmpty,
            "statusCode" | "status-code" => MatchingRule::StatusCode(read_status(obj, at)?),
            "eachKey" | "each-key" => MatchingRule::EachKey(read_nested_rules(obj, at)?),
            "eachValue" | "each-value" => MatchingRule::EachValue(read_nested_rules(obj, at)?),
            "arrayContains" | "array-contains" => {
                MatchingRule::ArrayContains(read_variants(obj, at)?)
            }
            other => {
                return Err(ContractError::new(
                    format!("{at}.match"),
                    format!(
                        "unknown matcher '{other}'; expected one of equality, regex, type, include, \
                         integer, decimal, number, boolean, null, date, time, datetime, \
                         contentType, values, arrayContains, semver, eachKey, eachValue, \
                         notEmpty, statusCode"
                    ),
                ));
            }
        };
        Ok(rule)
    }

    /// The V3/V4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("match".into(), json!(self.name()));
        match self {
            MatchingRule::Regex(p) => {
                obj.insert("regex".into(), json!(p.as_str()));
            }
            MatchingRule::Type { min, max } => {
                if let Some(min) = min {
                    obj.insert("min".into(), json!(min));
                }
                if let Some(max) = max {
                    obj.insert("max".into(), json!(max));
                }
            }
            MatchingRule::Include(s) | MatchingRule::ContentType(s) => {
                obj.insert("value".into(), json!(s));
            }
            MatchingRule::Date(f) | MatchingRule::Time(f) | MatchingRule::DateTime(f) => {
                if let Some(format) = f.as_str() {
                    obj.insert("format".into(), json!(format));
                }
            }
            MatchingRule::StatusCode(s) => {
                obj.insert("status".into(), s.to_json());
            }
            MatchingRule::EachKey(list) | MatchingRule::EachValue(list) => {
                let rules: Vec<Value> = list.rules.iter().map(MatchingRule::to_json).collect();
                obj.insert("rules".into(), Value::Array(rules));
            }
            MatchingRule::ArrayContains(variants) => {
                let variants: Vec<Value> = variants
                    .iter()
                    .map(|v| {
                        let mut out = Map::new();
                        out.insert("index".into(), json!(v.index));
                        out.insert("rules".into(), v.rules.to_json());
                        if let Some(g) = &v.generators {
                            out.insert("generators".into(), g.clone());
                        }
                        Value::Object(out)
                    })
                    .collect();
                obj.insert("variants".into(), Value::Array(variants));
            }
            _ => {}
        }
        Value::Object(obj)
    }
}

impl fmt::Display for MatchingRule {
    /// A short human description, used in mismatch reports ("integer", "regex '^\d+$'").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MatchingRule::Regex(p) => write!(f, "regex '{}'", p.as_str()),
            MatchingRule::Type {
                min: None,
                max: None,
            } => f.write_str("type"),
            MatchingRule::Type { min, max } => {
                f.write_str("type")?;
                if let Some(min) = min {
                    write!(f, " min={min}")?;
                }
                if let Some(max) = max {
                    write!(f, " max={max}")?;
                }
                Ok(())
            }
            MatchingRule::Include(s) => write!(f, "include '{s}'"),
            MatchingRule::Date(fmt_) | MatchingRule::Time(fmt_) | MatchingRule::DateTime(fmt_) => {
                match fmt_.as_str() {
                    Some(p) => write!(f, "{} '{p}'", self.name()),
                    None => write!(f, "{} (ISO 8601)", self.name()),
                }
            }
            MatchingRule::ContentType(s) => write!(f, "contentType '{s}'"),
            MatchingRule::StatusCode(s) => write!(f, "statusCode ({s})"),
            other => f.write_str(other.name()),
        }
    }
}

fn infer_name(obj: &Map<String, Value>) -> Option<&'static str> {
    if obj.contains_key("regex") {
        Some("regex")
    } else if obj.contains_key("min") || obj.contains_key("max") {
        Some("type")
    } else if obj.contains_key("timestamp") || obj.contains_key("datetime") {
        Some("datetime")
    } else if obj.contains_key("date") {
        Some("date")
    } else if obj.contains_key("time") {
        Some("time")
    } else {
        None
    }
}

fn read_bound(
    obj: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<usize>, ContractError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64().map(|n| n as usize)),
        Some(Value::String(s)) if s.parse::<usize>().is_ok() => Ok(s.parse().ok()),
        Some(other) => Err(ContractError::new(
            format!("{at}.{key}"),
            format!("expected a non-negative integer, found {other}"),
        )),
    }
}

fn read_format(
    obj: &Map<String, Value>,
    keys: &[&str],
    at: &str,
) -> Result<DateFormat, ContractError> {
    for key in keys {
        match obj.get(*key) {
            Some(Value::String(s)) if s.is_empty() => return Ok(DateFormat(None)),
            Some(Value::String(s)) => {
                let pattern = DateTimePattern::parse(s)
                    .map_err(|e| ContractError::caused_by(format!("{at}.{key}"), e))?;
                return Ok(DateFormat(Some(pattern)));
            }
            Some(Value::Null) | None => continue,
            Some(other) => {
                return Err(ContractError::new(
                    format!("{at}.{key}"),
                    format!("a date/time format must be a string, found {other}"),
                ));
            }
        }
    }
    Ok(DateFormat(None))
}

fn read_status(obj: &Map<String, Value>, at: &str) -> Result<StatusCodes, ContractError> {
    let at = format!("{at}.status");
    match obj.get("status") {
        None => Ok(StatusCodes::Success),
        Some(Value::String(s)) => match s.as_str() {
            "info" | "information" => Ok(StatusCodes::Information),
            "success" => Ok(StatusCodes::Success),
            "redirect" => Ok(StatusCodes::Redirect),
            "clientError" => Ok(StatusCodes::ClientError),
            "serverError" => Ok(StatusCodes::ServerError),
            "nonError" => Ok(StatusCodes::NonError),
            "error" => Ok(StatusCodes::Error),
            other => Err(ContractError::new(
                at,
                format!(
                    "unknown status class '{other}'; expected info, success, redirect, \
                     clientError, serverError, nonError, error or an array of codes"
                ),
            )),
        },
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_u64()
                    .filter(|c| (100..=999).contains(c))
                    .map(|c| c as u16)
                    .ok_or_else(|| {
                        ContractError::new(
                            format!("{at}[{i}]"),
                            format!("{v} is not an HTTP status code"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(StatusCodes::Codes),
        Some(other) => Err(ContractError::new(
            at,
            format!("expected a status class name or an array of codes, found {other}"),
        )),
    }
}

fn read_nested_rules(obj: &Map<String, Value>, at: &str) -> Result<RuleList, ContractError> {
    let at = format!("{at}.rules");
    let items = match obj.get("rules") {
        Some(Value::Array(items)) => items,
        None => return Ok(RuleList::default()),
        Some(other) => {
            return Err(ContractError::new(
                at,
                format!("expected an array of rules, found {other}"),
            ));
        }
    };
    let rules = items
        .iter()
        .enumerate()
        .map(|(i, v)| MatchingRule::from_json(v, &format!("{at}[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RuleList {
        rules,
        combine: Combine::And,
    })
}

fn read_variants(
    obj: &Map<String, Value>,
    at: &str,
) -> Result<Vec<ArrayContainsVariant>, ContractError> {
    let at = format!("{at}.variants");
    let items = match obj.get("variants") {
        Some(Value::Array(items)) => items,
        None => return Ok(Vec::new()),
        Some(other) => {
            return Err(ContractError::new(
                at,
                format!("expected an array of variants, found {other}"),
            ));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let at = format!("{at}[{i}]");
            let index = v.get("index").and_then(Value::as_u64).ok_or_else(|| {
                ContractError::new(&at, "a variant needs a non-negative \"index\"")
            })? as usize;
            let rules = match v.get("rules") {
                // Variants hold a whole category map ({"body": {...}}) or just the path map.
                Some(Value::Object(map)) => {
                    let inner = map
                        .get("body")
                        .or_else(|| map.get("content"))
                        .unwrap_or(v.get("rules").unwrap());
                    PathRules::from_json(inner, &format!("{at}.rules"))?
                }
                None => PathRules::default(),
                Some(other) => {
                    return Err(ContractError::new(
                        format!("{at}.rules"),
                        format!("expected an object of rules, found {other}"),
                    ));
                }
            };
            Ok(ArrayContainsVariant {
                index,
                rules,
                generators: v.get("generators").cloned(),
            })
        })
        .collect()
}

/// Reads `{"matchers": [...], "combine": "AND"}` (V3/V4) or a bare rule object (V2).
pub fn read_rule_list(value: &Value, at: &str) -> Result<RuleList, ContractError> {
    let Some(obj) = value.as_object() else {
        return Err(ContractError::new(
            at,
            format!("expected a rule object, found {value}"),
        ));
    };
    let Some(matchers) = obj.get("matchers") else {
        return Ok(RuleList::single(MatchingRule::from_json(value, at)?));
    };
    let items = matchers.as_array().ok_or_else(|| {
        ContractError::new(format!("{at}.matchers"), "\"matchers\" must be an array")
    })?;
    let rules = items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            MatchingRule::from_json(v, at)
                .map_err(|e| e.below(at, || format!("{at}.matchers[{i}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let combine = match obj.get("combine") {
        None | Some(Value::Null) => Combine::And,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("and") => Combine::And,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("or") => Combine::Or,
        Some(other) => {
            return Err(ContractError::new(
                format!("{at}.combine"),
                format!("expected \"AND\" or \"OR\", found {other}"),
            ));
        }
    };
    Ok(RuleList { rules, combine })
}

fn write_rule_list(list: &RuleList) -> Value {
    let mut obj = Map::new();
    obj.insert(
        "matchers".into(),
        Value::Array(list.rules.iter().map(MatchingRule::to_json).collect()),
    );
    if list.combine == Combine::Or {
        obj.insert("combine".into(), json!("OR"));
    }
    Value::Object(obj)
}

/// Rules keyed by path expression: the body category (and message contents).
///
/// Cloning shares the entries (they are copied only when a clone is changed): a contract
/// repeats one rule set across many interactions, and each holds the set read once.
#[derive(Debug, Clone, Default)]
pub struct PathRules(Arc<PathIndex>);

#[derive(Debug, Clone, Default)]
struct PathIndex {
    /// Kept in the order of their paths' text, the order a contract file's rule map has. Where
    /// two paths select a value equally specifically, the later one's rules apply; keeping that
    /// order however the rules were added (one map or several categories read, a consumer's
    /// builder calls) means a contract matches the same after it is written and read back.
    entries: Vec<(PathExpr, RuleList)>,
    /// Entry positions by the hash of their path's tokens, so that adding a path is one lookup
    /// rather than a pass over every entry (contracts with tens of thousands of rule paths
    /// exist). A hash names the first entry that had it; entries whose hash collides with an
    /// earlier one are found by a scan, which 64-bit hashes make rare.
    by_hash: HashMap<u64, usize>,
}

/// Hashes path tokens; the keys are per process so that contracts cannot be written to collide.
static PATH_HASHER: LazyLock<RandomState> = LazyLock::new(RandomState::new);

fn path_hash(path: &PathExpr) -> u64 {
    PATH_HASHER.hash_one(path.tokens())
}

impl PartialEq for PathRules {
    /// Equal when the entries are (the hash index follows from them).
    fn eq(&self, other: &Self) -> bool {
        self.0.entries == other.0.entries
    }
}

impl PathRules {
    /// True if no rules are defined.
    pub fn is_empty(&self) -> bool {
        self.0.entries.is_empty()
    }

    /// Adds rules for a path, merging with rules already there.
    pub fn add(&mut self, path: PathExpr, list: RuleList) {
        let index = Arc::make_mut(&mut self.0);
        let hash = path_hash(&path);
        let existing = match index.by_hash.get(&hash) {
            Some(&i) if index.entries[i].0 == path => Some(i),
            // Another path with the same hash: the rare case, a scan.
            Some(_) => index.entries.iter().position(|(p, _)| *p == path),
            None => None,
        };
        match existing {
            Some(i) => {
                let existing = &mut index.entries[i].1;
                // An OR list added where rules already are makes them alternatives too
                // (`each_like(..).or(null())`: an array of these, or null).
                if list.combine == Combine::Or {
                    existing.combine = Combine::Or;
                }
                existing.rules.extend(list.rules);
            }
            None => {
                // Rules read from a file arrive in order: one comparison puts them at the end.
                let at = match index.entries.last() {
                    Some((last, _)) if last.as_str() > path.as_str() => index
                        .entries
                        .partition_point(|(p, _)| p.as_str() < path.as_str()),
                    _ => index.entries.len(),
                };
                if at < index.entries.len() {
                    for position in index.by_hash.values_mut() {
                        if *position >= at {
                            *position += 1;
                        }
                    }
                }
                index.by_hash.entry(hash).or_insert(at);
                index.entries.insert(at, (path, list));
            }
        }
    }

    /// The entries in the order of their paths' text.
    pub fn entries(&self) -> &[(PathExpr, RuleList)] {
        &self.0.entries
    }

    /// The rules that apply to `path`: the entry with the greatest weight × depth, on the path
    /// itself or an ancestor. The flag says whether they come from an ancestor (cascaded).
    pub fn best(&self, path: &[Segment<'_>]) -> Option<(&RuleList, bool)> {
        let mut best: Option<(&PathExpr, &RuleList, u64)> = None;
        for (expr, list) in self.entries() {
            if let Some(weight) = expr.weight(path) {
                let score = weight.saturating_mul(expr.tokens().len() as u64);
                if best.is_none_or(|(_, _, s)| score >= s) {
                    best = Some((expr, list, score));
                }
            }
        }
        best.map(|(expr, list, _)| (list, expr.depth() < path.len()))
    }

    /// Reads `{"$.a": {"matchers": [...]}, ...}`.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ContractError> {
        let obj = value.as_object().ok_or_else(|| {
            ContractError::new(
                at,
                format!("expected an object keyed by path, found {value}"),
            )
        })?;
        let mut rules = PathRules::default();
        for (key, v) in obj {
            let here = || format!("{at}['{key}']");
            let path =
                PathExpr::parse(key).map_err(|e| ContractError::new(here(), e.to_string()))?;
            rules.add(path, read_rule_list(v, at).map_err(|e| e.below(at, here))?);
        }
        Ok(rules)
    }

    /// Writes `{"$.a": {"matchers": [...]}, ...}`.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        for (path, list) in self.entries() {
            obj.insert(path.as_str().to_string(), write_rule_list(list));
        }
        Value::Object(obj)
    }
}

/// Rule sets read recently, with their JSON text, shared by every contract in the process. A
/// contract repeats one rule set across many interactions (each item of a collection, each
/// answer of an endpoint), and reading a set again — parsing its JSON, paths and date formats,
/// looking up its expressions — costs many times comparing its text and cloning the set read
/// before. Only sets read without error are kept: the few most recent small ones.
static RECENTLY_READ: LazyLock<Mutex<VecDeque<ReadBefore>>> = LazyLock::new(Default::default);
/// A rule set's JSON text and what it read as.
type ReadBefore = (Box<str>, MatchingRules);
const RECENTLY_READ_LIMIT: usize = 16;
/// Larger sets (rules written one path per element of a large example) are not kept.
const RECENTLY_READ_LARGEST: usize = 64;

fn recently_read(text: &str) -> Option<MatchingRules> {
    let recent = RECENTLY_READ.lock().ok()?;
    recent
        .iter()
        .find(|(seen, _)| **seen == *text)
        .map(|(_, rules)| rules.clone())
}

fn remember_read(text: &str, rules: &MatchingRules) {
    let size =
        rules.body.entries().len() + rules.header.len() + rules.query.len() + rules.metadata.len();
    if size > RECENTLY_READ_LARGEST {
        return;
    }
    if let Ok(mut recent) = RECENTLY_READ.lock() {
        if recent.len() == RECENTLY_READ_LIMIT {
            recent.pop_front();
        }
        recent.push_back((text.into(), rules.clone()));
    }
}

/// Rules keyed by name: headers (case-insensitive), query parameters, message metadata.
pub type NamedRules = BTreeMap<String, RuleList>;

/// All matching rules of one request, response or message, by category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchingRules {
    /// Body (HTTP) or contents (messages), by path.
    pub body: PathRules,
    /// Header rules by header name.
    pub header: NamedRules,
    /// Query parameter rules by parameter name.
    pub query: NamedRules,
    /// Message metadata rules by key.
    pub metadata: NamedRules,
    /// Rules for the request path.
    pub path: Option<RuleList>,
    /// Rules for the response status.
    pub status: Option<RuleList>,
    /// Rules for the request method.
    pub method: Option<RuleList>,
}

impl MatchingRules {
    /// True if there are no rules at all.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
            && self.header.is_empty()
            && self.query.is_empty()
            && self.metadata.is_empty()
            && self.path.is_none()
            && self.status.is_none()
            && self.method.is_none()
    }

    /// The rules for a header, looked up case-insensitively.
    pub fn header_rules(&self, name: &str) -> Option<&RuleList> {
        self.header
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// Reads the `matchingRules` object of a request/response/message. V2 files use one flat map
    /// keyed by `$.body…`, `$.headers.X`, `$.query.x` and `$.path`; V3+ group by category.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ContractError> {
        let obj = value.as_object().ok_or_else(|| {
            ContractError::new(
                at,
                format!("\"matchingRules\" must be an object, found {value}"),
            )
        })?;
        let flat = obj.keys().next().is_some_and(|k| k.starts_with('$'));
        if flat {
            Self::from_v2_json(obj, at)
        } else {
            Self::from_v3_json(obj, at)
        }
    }

    /// [`MatchingRules::from_json`] of a `matchingRules` object's JSON text (well-formed, as
    /// taken from a parsed document), with the set read before when the text is the same.
    /// `at` (where the object is) is built only when the set is read.
    pub(crate) fn from_text(
        text: &str,
        at: impl FnOnce() -> String,
    ) -> Result<Self, ContractError> {
        Self::remembered(text, at, |at| {
            let value: Value =
                serde_json::from_str(text).map_err(|e| ContractError::caused_by(at, e))?;
            Self::from_json(&value, at)
        })
    }

    /// [`MatchingRules::from_json`], with the set read before when the value's JSON text is
    /// the same (the text is the key, so a tree's rules and a document's share the sets).
    pub(crate) fn from_tree(
        value: &Value,
        at: impl FnOnce() -> String,
    ) -> Result<Self, ContractError> {
        Self::remembered(&value.to_string(), at, |at| Self::from_json(value, at))
    }

    /// The rules remembered for `text`, or those `read` gives at `at` (then remembered).
    fn remembered(
        text: &str,
        at: impl FnOnce() -> String,
        read: impl FnOnce(&str) -> Result<Self, ContractError>,
    ) -> Result<Self, ContractError> {
        if let Some(rules) = recently_read(text) {
            return Ok(rules);
        }
        let rules = read(&at())?;
        remember_read(text, &rules);
        Ok(rules)
    }

    fn from_v2_json(obj: &Map<String, Value>, at: &str) -> Result<Self, ContractError> {
        let mut rules = MatchingRules::default();
        for (key, v) in obj {
            let at = format!("{at}['{key}']");
            let expr = PathExpr::parse(key).map_err(|e| ContractError::new(&at, e.to_string()))?;
            let list = read_rule_list(v, &at)?;
            let tokens = expr.tokens();
            let category = match tokens.get(1) {
                Some(PathToken::Field(name)) => name.as_str(),
                _ => {
                    return Err(ContractError::new(
                        &at,
                        "a V2 rule path must start with $.body, $.headers, $.query or $.path",
                    ));
                }
            };
            let name = || match tokens.get(2) {
                Some(PathToken::Field(name)) => Ok(name.clone()),
                _ => Err(ContractError::new(
                    &at,
                    format!("expected a name after $.{category}"),
                )),
            };
            match category {
                "body" => {
                    let mut rooted = vec![PathToken::Root];
                    rooted.extend_from_slice(&tokens[2..]);
                    rules.body.add(PathExpr::from_tokens(rooted), list);
                }
                "headers" | "header" => {
                    rules.header.insert(name()?, list);
                }
                "query" => {
                    rules.query.insert(name()?, list);
                }
                "path" => rules.path = Some(list),
                "status" => rules.status = Some(list),
                "method" => rules.method = Some(list),
                other => {
                    return Err(ContractError::new(
                        &at,
                        format!(
                            "unknown rule category '{other}'; expected body, headers, query or path"
                        ),
                    ));
                }
            }
        }
        Ok(rules)
    }

    fn from_v3_json(obj: &Map<String, Value>, at: &str) -> Result<Self, ContractError> {
        let mut rules = MatchingRules::default();
        for (category, v) in obj {
            let at = format!("{at}.{category}");
            match category.as_str() {
                "body" | "content" | "contents" => {
                    let more = PathRules::from_json(v, &at)?;
                    for (path, list) in Arc::unwrap_or_clone(more.0).entries {
                        rules.body.add(path, list);
                    }
                }
                "header" | "headers" => rules.header.extend(read_named(v, &at)?),
                "query" => rules.query.extend(read_named(v, &at)?),
                "metadata" | "metaData" => rules.metadata.extend(read_named(v, &at)?),
                "path" => rules.path = read_single(v, &at)?,
                "status" => rules.status = read_single(v, &at)?,
                "method" => rules.method = read_single(v, &at)?,
                other => {
                    return Err(ContractError::new(
                        &at,
                        format!(
                            "unknown matching rule category '{other}'; expected body, content, \
                             header, query, path, status, method or metadata"
                        ),
                    ));
                }
            }
        }
        Ok(rules)
    }

    /// Writes the V3/V4 categorised form. Message contents use the `body` category too, as the
    /// reference implementation writes and every Pact tool reads.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        if !self.body.is_empty() {
            obj.insert("body".into(), self.body.to_json());
        }
        for (name, map) in [
            ("header", &self.header),
            ("query", &self.query),
            ("metadata", &self.metadata),
        ] {
            if !map.is_empty() {
                let inner: Map<String, Value> = map
                    .iter()
                    .map(|(k, l)| (k.clone(), write_rule_list(l)))
                    .collect();
                obj.insert(name.into(), Value::Object(inner));
            }
        }
        for (name, single) in [
            ("path", &self.path),
            ("status", &self.status),
            ("method", &self.method),
        ] {
            if let Some(list) = single {
                obj.insert(name.into(), write_rule_list(list));
            }
        }
        Value::Object(obj)
    }
}

fn read_named(value: &Value, at: &str) -> Result<NamedRules, ContractError> {
    let obj = value.as_object().ok_or_else(|| {
        ContractError::new(
            at,
            format!("expected an object keyed by name, found {value}"),
        )
    })?;
    let mut out = NamedRules::new();
    for (key, v) in obj {
        // Some writers key headers/query by path (`$.X-Id` or `$['X-Id']`): keep the name.
        let name = match PathExpr::parse(key) {
            Ok(expr) if key.starts_with('$') => match expr.tokens() {
                [PathToken::Root, PathToken::Field(name), ..] => name.clone(),
                _ => key.clone(),
            },
            _ => key.clone(),
        };
        out.insert(name, read_rule_list(v, &format!("{at}['{key}']"))?);
    }
    Ok(out)
}

fn read_single(value: &Value, at: &str) -> Result<Option<RuleList>, ContractError> {
    let Some(obj) = value.as_object() else {
        return Err(ContractError::new(
            at,
            format!("expected a rule object, found {value}"),
        ));
    };
    if obj.is_empty() {
        return Ok(None);
    }
    if obj.contains_key("matchers") || obj.contains_key("match") {
        return read_rule_list(value, at).map(Some);
    }
    // Some writers key the single rule list by a path ("$" or "").
    match obj.values().next() {
        Some(inner) if obj.len() == 1 => read_rule_list(inner, at).map(Some),
        _ => Err(ContractError::new(at, "expected {\"matchers\": [...]}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body rule paths as written, in the order they are kept.
    fn body_paths(rules: &MatchingRules) -> Vec<&str> {
        rules
            .body
            .entries()
            .iter()
            .map(|(p, _)| p.as_str())
            .collect()
    }

    fn rule(v: Value) -> Result<MatchingRule, ContractError> {
        MatchingRule::from_json(&v, "$.r")
    }

    /// A rule set read again comes from the recently read ones, the same as reading it anew;
    /// one that differs anywhere (a value, a nested key, only its spacing) is read on its
    /// own; errors are not remembered, so each says where it was found.
    #[test]
    fn a_rule_set_read_again_is_the_same_as_read_anew() {
        let json = json!({"body": {
            "$.id": {"matchers": [{"match": "integer"}]},
            "$.sku": {"matchers": [{"match": "regex", "regex": "[A-Z]{3}-\\d{4}"}]},
            "$.at": {"matchers": [{"match": "datetime", "format": "yyyy-MM-dd"}]}},
            "header": {"X-Trace": {"matchers": [{"match": "type"}]}}});
        let text = json.to_string();
        let first = MatchingRules::from_text(&text, || "$.a".into()).unwrap();
        let again = MatchingRules::from_text(&text, || unreachable!("read before")).unwrap();
        assert_eq!(again, first);
        assert_eq!(again, MatchingRules::from_json(&json, "$.c").unwrap());
        // A tree's rules are remembered by the same text.
        let from_tree = MatchingRules::from_tree(&json, || unreachable!("read before")).unwrap();
        assert_eq!(from_tree, first);

        let mut other = json.clone();
        other["body"]["$.at"]["matchers"][0]["format"] = json!("HH:mm");
        let other_rules = MatchingRules::from_text(&other.to_string(), || "$.d".into()).unwrap();
        assert_ne!(other_rules, first);
        assert_eq!(
            other_rules,
            MatchingRules::from_json(&other, "$.d").unwrap()
        );
        let mut other_tree = other.clone();
        other_tree["header"]["X-Other"] = json!({"matchers": [{"match": "type"}]});
        let tree_rules = MatchingRules::from_tree(&other_tree, || "$.f".into()).unwrap();
        assert_eq!(
            tree_rules,
            MatchingRules::from_json(&other_tree, "$.f").unwrap()
        );
        assert_ne!(tree_rules, other_rules);

        // The same set written differently (here spaced out) is another text: read anew.
        let spaced = serde_json::to_string_pretty(&json).unwrap();
        let mut asked = false;
        let rules = MatchingRules::from_text(&spaced, || {
            asked = true;
            "$.e".into()
        });
        assert!(asked, "a different text is read, not looked up");
        assert_eq!(rules.unwrap(), first);

        let bad = json!({"body": {"$.id": {"matchers": [{"match": "no-such-matcher"}]}}});
        for at in [
            "$.interactions[0].response.matchingRules",
            "$.interactions[1].response.matchingRules",
        ] {
            let error = MatchingRules::from_text(&bad.to_string(), || at.into()).unwrap_err();
            assert!(error.to_string().contains(at), "{error}");
        }
    }

    #[test]
    fn braces_that_are_no_repetition_read_as_themselves() {
        // (expression, a value it must match whole, one it must not)
        let cases = [
            (
                r".*(\/pacticipants\/{pacticipant})$",
                "http://x/pacticipants/{pacticipant}",
                "http://x/pacticipants/Foo",
            ),
            (r"{}", "{}", ""),
            (r"{2}", "{2}", ""),
            (r"a|{x}", "{x}", "a{x}"),
            (r"(a{x)", "a{x", "a"),
            (r"a{2}", "aa", "a{2}"),
            (r"a{1,}b", "aaab", "b"),
            (r"a{1,2}", "aa", "aaa"),
            (r"a{1,x}", "a{1,x}", "a"),
            (r"\{a}", "{a}", "a"),
            (r"[{]x}", "{x}", "x"),
            (r"\p{Greek}{2}", "αβ", "α"),
            (r"\P{L}x{1}", "1x", "ax"),
            (r"\x{41}{2}\x41", "AAA", "A"),
            (r"\u{e9}\U{1F980}", "é🦀", "e"),
            (r"[\p{N}]{a}", "1{a}", "1"),
        ];
        for (source, matching, other) in cases {
            let regex = AnchoredRegex::new(source).unwrap_or_else(|e| panic!("{source}: {e}"));
            assert!(regex.matches(matching), "{source} should match {matching}");
            assert!(!regex.matches(other), "{source} should not match {other}");
            assert_eq!(regex.as_str(), source, "kept as written");
        }
    }

    #[test]
    fn unicode_classes_match_beyond_ascii_and_ascii_values_the_same() {
        let cases = [
            // Arabic-Indic and fullwidth digits are Unicode digits.
            (r"\d+", vec!["123", "١٢٣", "１２"], vec!["12a", "", "١a"]),
            (
                r"[A-Z]{3}-\d{4}",
                vec!["ABC-0001", "ABC-١٢٣٤"],
                vec!["ABC-001", "abc-0001"],
            ),
            (r"\w+\b.*", vec!["été", "a b", "ab"], vec!["", " a"]),
            (r"(?i)k+", vec!["kK", "\u{212a}k"], vec!["x"]),
            (r"\p{Greek}*x", vec!["x", "αβx"], vec!["ax"]),
            (r".{2}", vec!["ab", "é!"], vec!["a", "\n\n"]),
        ];
        for (source, matching, other) in cases {
            let regex = AnchoredRegex::new(source).unwrap();
            for value in matching {
                assert!(regex.matches(value), "{source} should match {value:?}");
            }
            for value in other {
                assert!(!regex.matches(value), "{source} should not match {value:?}");
            }
        }
        // Too large when compiled in full: still an error when read, not when first used.
        let error = AnchoredRegex::new(r"\w{1000}").unwrap_err();
        assert!(matches!(error, RegexError::Compile { .. }), "{error}");
    }

    #[test]
    fn reads_every_matcher_and_writes_the_canonical_name() {
        let cases = [
            (json!({"match": "equality"}), "equality"),
            (json!({"match": "regex", "regex": "\\d+"}), "regex"),
            (json!({"match": "type", "min": 1, "max": 3}), "type"),
            (json!({"match": "min-type", "min": 1}), "type"),
            (json!({"match": "include", "value": "x"}), "include"),
            (json!({"match": "integer"}), "integer"),
            (json!({"match": "real"}), "decimal"),
            (json!({"match": "number"}), "number"),
            (json!({"match": "boolean"}), "boolean"),
            (json!({"match": "null"}), "null"),
            (json!({"match": "date", "format": "yyyy-MM-dd"}), "date"),
            (json!({"match": "time", "time": "HH:mm"}), "time"),
            (
                json!({"match": "timestamp", "timestamp": "yyyy-MM-dd HH:mm"}),
                "datetime",
            ),
            (
                json!({"match": "content-type", "value": "image/png"}),
                "contentType",
            ),
            (json!({"match": "values"}), "values"),
            (json!({"match": "semver"}), "semver"),
            (json!({"match": "not-empty"}), "notEmpty"),
            (
                json!({"match": "statusCode", "status": "clientError"}),
                "statusCode",
            ),
            (
                json!({"match": "eachKey", "rules": [{"match": "regex", "regex": "^a"}]}),
                "eachKey",
            ),
            (
                json!({"match": "each-value", "rules": [{"match": "type"}]}),
                "eachValue",
            ),
            (
                json!({"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.id": {"matchers": [{"match": "integer"}]}}}]}),
                "arrayContains",
            ),
            (json!({"regex": "a+"}), "regex"),
            (json!({"min": 2}), "type"),
        ];
        for (input, name) in cases {
            let parsed = rule(input.clone()).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(parsed.name(), name, "{input}");
            let written = parsed.to_json();
            assert_eq!(written["match"], json!(name));
            assert_eq!(rule(written).unwrap(), parsed, "round trip of {input}");
        }
    }

    #[test]
    fn invalid_rules_are_errors_naming_the_place() {
        let cases = [
            (
                json!({"match": "regex", "regex": "(unclosed"}),
                "$.r.regex",
                "invalid regular expression",
            ),
            (
                json!({"match": "bogus"}),
                "$.r.match",
                "unknown matcher 'bogus'",
            ),
            (
                json!({"match": "date", "format": "yyyy-MM-dd B"}),
                "$.r.format",
                "invalid date/time pattern",
            ),
            (
                json!({"match": "type", "min": -1}),
                "$.r.min",
                "non-negative",
            ),
            (
                json!({"match": "type", "min": 3, "max": 1}),
                "$.r",
                "greater than max",
            ),
            (
                json!({"match": "statusCode", "status": "teapot"}),
                "$.r.status",
                "unknown status class",
            ),
            (json!({"match": "regex"}), "$.r", "needs a \"regex\" field"),
            (json!({"foo": 1}), "$.r", "no \"match\" field"),
            (json!("type"), "$.r", "must be a JSON object"),
        ];
        for (input, path, text) in cases {
            let err = rule(input.clone()).unwrap_err();
            assert_eq!(err.path, path, "{input}");
            assert!(err.message.contains(text), "{input}: {}", err.message);
        }
    }

    #[test]
    fn errors_in_rule_lists_name_the_rule_path_and_matcher() {
        // Locations are built only when something is wrong; they must still be exact.
        let rules = json!({
            "$.id": {"matchers": [{"match": "integer"}]},
            "$.sku": {"matchers": [{"match": "type"}, {"match": "regex", "regex": "(open"}]}
        });
        let err = PathRules::from_json(&rules, "$.body").unwrap_err();
        assert_eq!(err.path, "$.body['$.sku'].matchers[1].regex");
        let err = PathRules::from_json(
            &json!({"$.a": {"matchers": [{"match": "integer"}], "combine": 1}}),
            "$.body",
        )
        .unwrap_err();
        assert_eq!(err.path, "$.body['$.a'].combine");
        let err = PathRules::from_json(&json!({"$[": {"matchers": []}}), "$.body").unwrap_err();
        assert_eq!(err.path, "$.body['$[']");
    }

    #[test]
    fn rules_for_one_path_merge_however_the_path_is_spelled() {
        let mut rules = PathRules::default();
        let parse = |p: &str| PathExpr::parse(p).unwrap();
        rules.add(parse("$.a.b"), RuleList::single(MatchingRule::Integer));
        rules.add(parse("$.c"), RuleList::single(MatchingRule::Null));
        rules.add(
            parse("$['a']['b']"),
            RuleList {
                rules: vec![MatchingRule::Null],
                combine: Combine::Or,
            },
        );
        assert_eq!(rules.entries().len(), 2);
        let (path, merged) = &rules.entries()[0];
        assert_eq!(path.as_str(), "$.a.b");
        assert_eq!(merged.rules, [MatchingRule::Integer, MatchingRule::Null]);
        assert_eq!(merged.combine, Combine::Or);
        // Equality ignores how the entries were indexed.
        let mut again = PathRules::default();
        again.add(
            parse("$.a.b"),
            RuleList {
                rules: vec![MatchingRule::Integer, MatchingRule::Null],
                combine: Combine::Or,
            },
        );
        again.add(parse("$.c"), RuleList::single(MatchingRule::Null));
        assert_eq!(rules, again);
    }

    #[test]
    fn equally_specific_paths_resolve_the_same_whatever_order_they_were_added_in() {
        let parse = |p: &str| PathExpr::parse(p).unwrap();
        // `$.a.*` and `$.*.b` both select `$.a.b`, equally specifically.
        let added = |first: (&str, MatchingRule), second: (&str, MatchingRule)| {
            let mut rules = PathRules::default();
            for (path, rule) in [first, second] {
                rules.add(parse(path), RuleList::single(rule));
            }
            rules
        };
        let one = added(
            ("$.a.*", MatchingRule::Integer),
            ("$.*.b", MatchingRule::Null),
        );
        let other = added(
            ("$.*.b", MatchingRule::Null),
            ("$.a.*", MatchingRule::Integer),
        );
        assert_eq!(one.entries(), other.entries());
        use Segment::Key;
        let at = [Key("a"), Key("b")];
        assert_eq!(one.best(&at), other.best(&at));
        // And as the contract file has them: one map, in its keys' order.
        let written = PathRules::from_json(&one.to_json(), "$").unwrap();
        assert_eq!(written.best(&at), one.best(&at));
    }

    #[test]
    fn body_rules_in_several_categories_read_back_the_same_once_written() {
        let rules = MatchingRules::from_json(
            &json!({
                "body": {"$.xa": {"matchers": [{"match": "integer"}]}},
                "content": {"$.x": {"matchers": [{"match": "null"}]}}
            }),
            "$",
        )
        .unwrap();
        let paths = body_paths(&rules);
        assert_eq!(paths, ["$.x", "$.xa"]);
        assert_eq!(
            MatchingRules::from_json(&rules.to_json(), "$").unwrap(),
            rules
        );
    }

    #[test]
    fn v2_flat_rules_are_split_into_categories() {
        let rules = MatchingRules::from_json(
            &json!({
                "$.body.animals[*].name": {"match": "type"},
                "$.body": {"min": 1},
                "$.headers.Accept": {"match": "regex", "regex": "json"},
                "$.query.page": {"match": "regex", "regex": "\\d+"},
                "$.path": {"regex": "/items/\\d+"}
            }),
            "$.matchingRules",
        )
        .unwrap();
        let paths = body_paths(&rules);
        assert!(
            paths.contains(&"$.animals[*].name") && paths.contains(&"$"),
            "{paths:?}"
        );
        assert!(rules.header_rules("accept").is_some());
        assert!(rules.query.contains_key("page"));
        assert!(rules.path.is_some());
    }

    #[test]
    fn v3_rules_round_trip() {
        let input = json!({
            "body": {"$.a[*]": {"matchers": [{"match": "integer"}, {"match": "null"}], "combine": "OR"}},
            "header": {"X-Id": {"matchers": [{"match": "regex", "regex": "^\\d+$"}]}},
            "path": {"matchers": [{"match": "regex", "regex": "^/x"}]},
            "status": {"matchers": [{"match": "statusCode", "status": [200, 201]}]}
        });
        let rules = MatchingRules::from_json(&input, "$").unwrap();
        assert_eq!(rules.to_json(), input);
    }

    #[test]
    fn unknown_category_is_an_error() {
        let err = MatchingRules::from_json(&json!({"bodyy": {}}), "$.matchingRules").unwrap_err();
        assert_eq!(err.path, "$.matchingRules.bodyy");
    }

    #[test]
    fn best_rule_prefers_the_most_specific_path() {
        let rules = PathRules::from_json(
            &json!({
                "$.items": {"matchers": [{"match": "type", "min": 1}]},
                "$.items[*].id": {"matchers": [{"match": "integer"}]},
                "$.*": {"matchers": [{"match": "include", "value": "x"}]}
            }),
            "$",
        )
        .unwrap();
        use Segment::{Index, Key};
        let (list, cascaded) = rules.best(&[Key("items"), Index(0), Key("id")]).unwrap();
        assert_eq!(list.rules[0], MatchingRule::Integer);
        assert!(!cascaded);
        let (list, cascaded) = rules.best(&[Key("items"), Index(0), Key("name")]).unwrap();
        assert_eq!(list.rules[0].name(), "type");
        assert!(cascaded);
        assert!(rules.best(&[]).is_none());
    }
}
