//! Generators as data: how a value in a contract is to be replaced at replay time.
//!
//! A generator turns the example in a contract into a fresh value when the interaction is
//! played: a random id, today's date, a value from the provider state, the mock server's URL.
//! This module reads and writes their JSON and validates them fully when the contract is read:
//! a `Regex` generator's expression is compiled for sampling, date formats and date expressions
//! are parsed, a `ProviderState` generator's `dataType` and a `MockServerURL` generator's regex
//! are checked, and anything invalid is an error naming its JSON path. Generating a value then
//! never re-parses anything. The typed forms keep their text, so a contract is written back as
//! it was read. Producing values is [`crate::generate`]'s job.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
use regex_syntax::hir::{Hir, HirKind};
use serde_json::{Map, Value, json};

use super::ContractError;
use super::path::{PathExpr, PathToken};
use super::rules::{AnchoredRegex, DateFormat, RegexError};
use crate::date_expression::DateExpression;
use crate::datetime::DateTimePattern;

/// The longest value (in characters or bytes) one generator is allowed to produce. Contracts
/// are input: a `RandomString` of a billion characters is refused rather than attempted.
pub const MAX_GENERATED_LEN: usize = 1 << 20;

/// How many extra repetitions `*`, `+`, `{n,}` (and large `{n,m}`) may produce in a `Regex`
/// generator.
pub const MAX_REGEX_REPEAT: u32 = 8;

/// A `Regex` generator's expression, compiled for sampling when the contract is read.
///
/// Samples are drawn from a simplified form of the expression (anchors and word boundaries
/// dropped, classes narrowed to printable ASCII where that leaves something, repetitions
/// bounded by [`MAX_REGEX_REPEAT`]) and kept only if the whole expression matches them. Equal
/// when written the same; clones share the compiled forms.
#[derive(Debug, Clone)]
pub struct GeneratorRegex {
    /// The whole expression, anchored: what a sample must match. Keeps the text.
    whole: AnchoredRegex,
    sampler: Arc<rand_regex::Regex>,
}

/// Why a `Regex` generator's expression cannot be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GeneratorRegexError {
    /// It is not a valid regular expression.
    #[error(transparent)]
    Invalid(#[from] RegexError),
    /// Values matching it can be longer than [`MAX_GENERATED_LEN`].
    #[error(
        "regular expression '{regex}' can match values longer than the limit of {MAX_GENERATED_LEN} bytes"
    )]
    TooLong {
        /// The expression as written.
        regex: String,
    },
    /// No sampler can be built for it (it can never match, for one).
    #[error("cannot generate values from regular expression '{regex}': {source}")]
    Sampler {
        /// The expression as written.
        regex: String,
        /// What the sampler said.
        source: rand_regex::Error,
    },
}

impl GeneratorRegex {
    /// Validates and compiles an expression for sampling.
    pub fn new(regex: &str) -> Result<Self, GeneratorRegexError> {
        let hir = regex_syntax::Parser::new()
            .parse(&super::rules::literal_braces(regex))
            .map_err(|e| RegexError::Syntax {
                regex: regex.to_string(),
                source: Box::new(e),
            })?;
        let hir = simplify_hir(hir);
        if hir.properties().minimum_len().is_none() {
            // Nothing matches it at all (`[^\s\S]`): say so rather than "too long".
            return Err(GeneratorRegexError::Sampler {
                regex: regex.to_string(),
                source: rand_regex::Error::Unsatisfiable,
            });
        }
        match hir.properties().maximum_len() {
            Some(n) if n <= MAX_GENERATED_LEN => {}
            _ => {
                return Err(GeneratorRegexError::TooLong {
                    regex: regex.to_string(),
                });
            }
        }
        let sampler = rand_regex::Regex::with_hir(hir, MAX_REGEX_REPEAT).map_err(|source| {
            GeneratorRegexError::Sampler {
                regex: regex.to_string(),
                source,
            }
        })?;
        // Compiled last: an expression that is too long for sampling is better reported as
        // such than as too large for the regex compiler.
        let whole = AnchoredRegex::new(regex)?;
        Ok(GeneratorRegex {
            whole,
            sampler: Arc::new(sampler),
        })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        self.whole.as_str()
    }

    /// The sampler (its samples still have to pass [`GeneratorRegex::matches_whole`]).
    pub fn sampler(&self) -> &rand_regex::Regex {
        &self.sampler
    }

    /// True if the whole expression matches `value`.
    pub fn matches_whole(&self, value: &str) -> bool {
        self.whole.matches(value)
    }
}

impl PartialEq for GeneratorRegex {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Prepares a parsed expression for sampling: anchors and boundaries become empty (samples are
/// checked against the real expression afterwards), classes are narrowed to printable ASCII
/// where that leaves something, and every repetition gets an upper bound.
fn simplify_hir(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Empty | HirKind::Look(_) => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Class(Class::Unicode(class)) => {
            let mut printable = ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]);
            printable.intersect(&class);
            if printable.ranges().is_empty() {
                Hir::class(Class::Unicode(class))
            } else {
                Hir::class(Class::Unicode(printable))
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut printable = ClassBytes::new([ClassBytesRange::new(b' ', b'~')]);
            printable.intersect(&class);
            if printable.ranges().is_empty() {
                Hir::class(Class::Bytes(class))
            } else {
                Hir::class(Class::Bytes(printable))
            }
        }
        HirKind::Repetition(mut rep) => {
            let cap = rep.min.saturating_add(MAX_REGEX_REPEAT);
            rep.max = Some(rep.max.map_or(cap, |m| m.min(cap)));
            rep.sub = Box::new(simplify_hir(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(simplify_hir(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(simplify_hir).collect()),
        HirKind::Alternation(subs) => {
            Hir::alternation(subs.into_iter().map(simplify_hir).collect())
        }
    }
}

/// A `MockServerURL` generator's regex, compiled when the contract is read: searched (not
/// anchored) in the example URL, its first group is the part kept after the mock server's base
/// URL. Equal when written the same.
#[derive(Debug, Clone)]
pub struct MockServerUrlRegex {
    written: String,
    compiled: regex::Regex,
}

impl MockServerUrlRegex {
    /// Compiles the expression (braces read as other Pact implementations read them).
    pub fn new(regex: &str) -> Result<Self, RegexError> {
        regex::Regex::new(&super::rules::literal_braces(regex))
            .map(|compiled| MockServerUrlRegex {
                written: regex.to_string(),
                compiled,
            })
            .map_err(|source| RegexError::Compile {
                regex: regex.to_string(),
                source,
            })
    }

    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// The text of the first group where the expression matches `text`, if it does.
    pub fn first_group<'t>(&self, text: &'t str) -> Option<&'t str> {
        self.compiled
            .captures(text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str())
    }
}

impl PartialEq for MockServerUrlRegex {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

/// What a `ProviderState` generator converts its result to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataTypeKind {
    /// Text: strings as they are, anything else as JSON.
    String,
    /// An integer (decimals truncated toward zero).
    Integer,
    /// A decimal number.
    Decimal,
    /// A floating-point number (the same as `Decimal` in JSON).
    Float,
    /// `true` or `false`.
    Boolean,
    /// The value unchanged.
    Raw,
}

/// A `ProviderState` generator's `dataType`: the conversion, with the spelling it was written
/// in (any case, surrounding spaces allowed) so that the contract is written back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataType {
    kind: DataTypeKind,
    written: String,
}

/// A `dataType` pactum does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dataType '{data_type}'; expected STRING, INTEGER, DECIMAL, FLOAT, BOOLEAN or RAW")]
pub struct UnknownDataType {
    /// The type as written.
    pub data_type: String,
}

impl DataType {
    /// Reads a `dataType` (`STRING`, `INTEGER`, `DECIMAL`, `FLOAT`, `BOOLEAN` or `RAW`, in any
    /// case).
    pub fn parse(written: &str) -> Result<Self, UnknownDataType> {
        let kind = match written.trim().to_ascii_uppercase().as_str() {
            "STRING" => DataTypeKind::String,
            "INTEGER" => DataTypeKind::Integer,
            "DECIMAL" => DataTypeKind::Decimal,
            "FLOAT" => DataTypeKind::Float,
            "BOOLEAN" => DataTypeKind::Boolean,
            "RAW" => DataTypeKind::Raw,
            _ => {
                return Err(UnknownDataType {
                    data_type: written.to_string(),
                });
            }
        };
        Ok(DataType {
            kind,
            written: written.to_string(),
        })
    }

    /// The conversion.
    pub fn kind(&self) -> DataTypeKind {
        self.kind
    }

    /// The type as written.
    pub fn as_str(&self) -> &str {
        &self.written
    }

    /// The canonical name (`INTEGER`, ...), for messages.
    pub fn name(&self) -> &'static str {
        match self.kind {
            DataTypeKind::String => "STRING",
            DataTypeKind::Integer => "INTEGER",
            DataTypeKind::Decimal => "DECIMAL",
            DataTypeKind::Float => "FLOAT",
            DataTypeKind::Boolean => "BOOLEAN",
            DataTypeKind::Raw => "RAW",
        }
    }
}

impl From<DataTypeKind> for DataType {
    /// The type spelled canonically (`INTEGER`, ...).
    fn from(kind: DataTypeKind) -> Self {
        let mut data_type = DataType {
            kind,
            written: String::new(),
        };
        data_type.written = data_type.name().to_string();
        data_type
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a generated UUID is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UuidFormat {
    /// `936da01f9abd4d9d80c702af85c822a8`
    Simple,
    /// `936da01f-9abd-4d9d-80c7-02af85c822a8` (the default)
    #[default]
    LowerCaseHyphenated,
    /// `936DA01F-9ABD-4D9D-80C7-02AF85C822A8`
    UpperCaseHyphenated,
    /// `urn:uuid:936da01f-9abd-4d9d-80c7-02af85c822a8`
    Urn,
}

impl UuidFormat {
    fn as_str(self) -> &'static str {
        match self {
            UuidFormat::Simple => "simple",
            UuidFormat::LowerCaseHyphenated => "lower-case-hyphenated",
            UuidFormat::UpperCaseHyphenated => "upper-case-hyphenated",
            UuidFormat::Urn => "URN",
        }
    }
}

/// Every generator of the V3/V4 specification.
#[derive(Debug, Clone, PartialEq)]
pub enum Generator {
    /// A random integer in `min..=max`.
    RandomInt {
        /// Lower bound (inclusive).
        min: i64,
        /// Upper bound (inclusive).
        max: i64,
    },
    /// A random decimal number with this many digits.
    RandomDecimal {
        /// Number of digits.
        digits: usize,
    },
    /// A random hexadecimal string with this many digits.
    RandomHexadecimal {
        /// Number of digits.
        digits: usize,
    },
    /// A random alphanumeric string of this length.
    RandomString {
        /// Length.
        size: usize,
    },
    /// A random string matching the regular expression.
    Regex {
        /// The expression, compiled for sampling.
        regex: GeneratorRegex,
    },
    /// A random UUID.
    Uuid {
        /// How it is written.
        format: UuidFormat,
    },
    /// The current (or an expression-relative) date.
    Date {
        /// Java-style format; ISO 8601 when absent.
        format: DateFormat,
        /// Relative expression such as `+ 1 day`.
        expression: Option<DateExpression>,
    },
    /// The current time.
    Time {
        /// Java-style format; ISO 8601 when absent.
        format: DateFormat,
        /// Relative expression such as `+ 1 hour`.
        expression: Option<DateExpression>,
    },
    /// The current date-time.
    DateTime {
        /// Java-style format; ISO 8601 when absent.
        format: DateFormat,
        /// Relative expression such as `+ 1 day @ midnight`.
        expression: Option<DateExpression>,
    },
    /// `true` or `false` at random.
    RandomBoolean,
    /// A value taken from the provider state (`${id}` expressions). Provider side only.
    ProviderState {
        /// Expression such as `/items/${id}`.
        expression: String,
        /// Type to convert the result to (`STRING`, `INTEGER`, …), if any.
        data_type: Option<DataType>,
    },
    /// The example URL re-pointed at the running mock server. Consumer side only.
    MockServerUrl {
        /// The example URL.
        example: String,
        /// A regex whose first group is the part after the base URL.
        regex: MockServerUrlRegex,
    },
}

impl Generator {
    /// The `type` name written in contracts.
    pub fn name(&self) -> &'static str {
        match self {
            Generator::RandomInt { .. } => "RandomInt",
            Generator::RandomDecimal { .. } => "RandomDecimal",
            Generator::RandomHexadecimal { .. } => "RandomHexadecimal",
            Generator::RandomString { .. } => "RandomString",
            Generator::Regex { .. } => "Regex",
            Generator::Uuid { .. } => "Uuid",
            Generator::Date { .. } => "Date",
            Generator::Time { .. } => "Time",
            Generator::DateTime { .. } => "DateTime",
            Generator::RandomBoolean => "RandomBoolean",
            Generator::ProviderState { .. } => "ProviderState",
            Generator::MockServerUrl { .. } => "MockServerURL",
        }
    }

    /// Reads one generator object; `at` is its JSON path, for errors.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ContractError> {
        let obj = value.as_object().ok_or_else(|| {
            ContractError::new(at, format!("a generator must be an object, found {value}"))
        })?;
        let kind = obj.get("type").and_then(Value::as_str).ok_or_else(|| {
            ContractError::new(
                at,
                "a generator needs a \"type\" string (RandomInt, Uuid, ...)",
            )
        })?;
        let int = |key: &str, default: i64| -> Result<i64, ContractError> {
            match obj.get(key) {
                None | Some(Value::Null) => Ok(default),
                Some(Value::Number(n)) if n.as_i64().is_some() => Ok(n.as_i64().unwrap_or(default)),
                Some(Value::String(s)) if s.parse::<i64>().is_ok() => {
                    Ok(s.parse().unwrap_or(default))
                }
                Some(other) => Err(ContractError::new(
                    format!("{at}.{key}"),
                    format!("expected an integer, found {other}"),
                )),
            }
        };
        let size = |key: &str, default: usize| -> Result<usize, ContractError> {
            let n = int(key, default as i64)?;
            usize::try_from(n).map_err(|_| {
                ContractError::new(
                    format!("{at}.{key}"),
                    format!("expected a non-negative integer, found {n}"),
                )
            })
        };
        let text = |key: &str| -> Option<String> {
            obj.get(key).and_then(Value::as_str).map(str::to_string)
        };
        let required = |key: &str| -> Result<String, ContractError> {
            text(key).ok_or_else(|| {
                ContractError::new(at, format!("the {kind} generator needs a \"{key}\" string"))
            })
        };
        let generator = match kind {
            "RandomInt" => {
                let (min, max) = (int("min", 0)?, int("max", 10)?);
                if min > max {
                    return Err(ContractError::new(
                        at,
                        format!("min ({min}) is greater than max ({max})"),
                    ));
                }
                Generator::RandomInt { min, max }
            }
            "RandomDecimal" => Generator::RandomDecimal {
                digits: size("digits", 10)?,
            },
            "RandomHexadecimal" => Generator::RandomHexadecimal {
                digits: size("digits", 10)?,
            },
            "RandomString" => Generator::RandomString {
                size: size("size", 10)?,
            },
            "Regex" => {
                let regex = GeneratorRegex::new(&required("regex")?)
                    .map_err(|e| ContractError::caused_by(format!("{at}.regex"), e))?;
                Generator::Regex { regex }
            }
            "Uuid" => {
                let format = match text("format").as_deref() {
                    None | Some("lower-case-hyphenated") => UuidFormat::LowerCaseHyphenated,
                    Some("simple") => UuidFormat::Simple,
                    Some("upper-case-hyphenated") => UuidFormat::UpperCaseHyphenated,
                    Some("URN") | Some("urn") => UuidFormat::Urn,
                    Some(other) => {
                        return Err(ContractError::new(
                            format!("{at}.format"),
                            format!(
                                "unknown UUID format '{other}'; expected simple, lower-case-hyphenated, \
                                 upper-case-hyphenated or URN"
                            ),
                        ));
                    }
                };
                Generator::Uuid { format }
            }
            "Date" | "Time" | "DateTime" => {
                let format = match text("format") {
                    Some(pattern) => {
                        DateFormat(Some(DateTimePattern::parse(&pattern).map_err(|e| {
                            ContractError::caused_by(format!("{at}.format"), e)
                        })?))
                    }
                    None => DateFormat(None),
                };
                let expression = match text("expression") {
                    Some(expression) => Some(
                        DateExpression::parse(&expression)
                            .map_err(|e| ContractError::caused_by(format!("{at}.expression"), e))?,
                    ),
                    None => None,
                };
                match kind {
                    "Date" => Generator::Date { format, expression },
                    "Time" => Generator::Time { format, expression },
                    _ => Generator::DateTime { format, expression },
                }
            }
            "RandomBoolean" => Generator::RandomBoolean,
            "ProviderState" => Generator::ProviderState {
                expression: required("expression")?,
                data_type: match text("dataType") {
                    Some(t) => Some(
                        DataType::parse(&t)
                            .map_err(|e| ContractError::caused_by(format!("{at}.dataType"), e))?,
                    ),
                    None => None,
                },
            },
            "MockServerURL" => Generator::MockServerUrl {
                example: required("example")?,
                regex: MockServerUrlRegex::new(&required("regex")?)
                    .map_err(|e| ContractError::caused_by(format!("{at}.regex"), e))?,
            },
            other => {
                return Err(ContractError::new(
                    format!("{at}.type"),
                    format!(
                        "unknown generator '{other}'; expected RandomInt, RandomDecimal, \
                         RandomHexadecimal, RandomString, Regex, Uuid, Date, Time, DateTime, \
                         RandomBoolean, ProviderState or MockServerURL"
                    ),
                ));
            }
        };
        Ok(generator)
    }

    /// The JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("type".into(), json!(self.name()));
        let mut put = |k: &str, v: Value| {
            obj.insert(k.into(), v);
        };
        match self {
            Generator::RandomInt { min, max } => {
                put("min", json!(min));
                put("max", json!(max));
            }
            Generator::RandomDecimal { digits } | Generator::RandomHexadecimal { digits } => {
                put("digits", json!(digits))
            }
            Generator::RandomString { size } => put("size", json!(size)),
            Generator::Regex { regex } => put("regex", json!(regex.as_str())),
            Generator::Uuid { format } => put("format", json!(format.as_str())),
            Generator::Date { format, expression }
            | Generator::Time { format, expression }
            | Generator::DateTime { format, expression } => {
                if let Some(f) = format.as_str() {
                    put("format", json!(f));
                }
                if let Some(e) = expression {
                    put("expression", json!(e.as_str()));
                }
            }
            Generator::RandomBoolean => {}
            Generator::ProviderState {
                expression,
                data_type,
            } => {
                put("expression", json!(expression));
                if let Some(t) = data_type {
                    put("dataType", json!(t.as_str()));
                }
            }
            Generator::MockServerUrl { example, regex } => {
                put("example", json!(example));
                put("regex", json!(regex.as_str()));
            }
        }
        Value::Object(obj)
    }
}

/// All generators of one request, response or message, by category.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Generators {
    /// Body (or message contents) generators by path.
    pub body: Vec<(PathExpr, Generator)>,
    /// Header generators by header name.
    pub header: BTreeMap<String, Generator>,
    /// Query parameter generators by name.
    pub query: BTreeMap<String, Generator>,
    /// Message metadata generators by key.
    pub metadata: BTreeMap<String, Generator>,
    /// Generator for the request path.
    pub path: Option<Generator>,
    /// Generator for the response status.
    pub status: Option<Generator>,
    /// Generator for the request method.
    pub method: Option<Generator>,
}

impl Generators {
    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
            && self.header.is_empty()
            && self.query.is_empty()
            && self.metadata.is_empty()
            && self.path.is_none()
            && self.status.is_none()
            && self.method.is_none()
    }

    /// Reads the `generators` object.
    pub fn from_json(value: &Value, at: &str) -> Result<Self, ContractError> {
        let obj = value.as_object().ok_or_else(|| {
            ContractError::new(
                at,
                format!("\"generators\" must be an object, found {value}"),
            )
        })?;
        let mut out = Generators::default();
        for (category, v) in obj {
            let at = format!("{at}.{category}");
            match category.as_str() {
                "body" | "content" | "contents" => {
                    for (key, g) in as_object(v, &at)? {
                        let at = format!("{at}['{key}']");
                        let path = PathExpr::parse(key)
                            .map_err(|e| ContractError::new(&at, e.to_string()))?;
                        out.body.push((path, Generator::from_json(g, &at)?));
                    }
                }
                "header" | "headers" | "query" | "metadata" | "metaData" => {
                    let target = match category.as_str() {
                        "query" => &mut out.query,
                        "metadata" | "metaData" => &mut out.metadata,
                        _ => &mut out.header,
                    };
                    for (key, g) in as_object(v, &at)? {
                        let name = key_name(key);
                        target.insert(name, Generator::from_json(g, &format!("{at}['{key}']"))?);
                    }
                }
                "path" | "status" | "method" => {
                    // Written either as the generator itself or keyed by a path.
                    let g = match v.get("type") {
                        Some(_) => Generator::from_json(v, &at)?,
                        None => match v.as_object().and_then(|o| o.values().next()) {
                            Some(inner) => Generator::from_json(inner, &at)?,
                            None => {
                                return Err(ContractError::new(&at, "expected a generator object"));
                            }
                        },
                    };
                    match category.as_str() {
                        "path" => out.path = Some(g),
                        "status" => out.status = Some(g),
                        _ => out.method = Some(g),
                    }
                }
                other => {
                    return Err(ContractError::new(
                        &at,
                        format!(
                            "unknown generator category '{other}'; expected body, content, header, \
                             query, path, status, method or metadata"
                        ),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// Writes the JSON form.
    pub fn to_json(&self) -> Value {
        let mut obj = Map::new();
        if !self.body.is_empty() {
            let inner: Map<String, Value> = self
                .body
                .iter()
                .map(|(p, g)| (p.as_str().to_string(), g.to_json()))
                .collect();
            obj.insert("body".into(), Value::Object(inner));
        }
        for (name, map) in [
            ("header", &self.header),
            ("query", &self.query),
            ("metadata", &self.metadata),
        ] {
            if !map.is_empty() {
                let inner: Map<String, Value> =
                    map.iter().map(|(k, g)| (k.clone(), g.to_json())).collect();
                obj.insert(name.into(), Value::Object(inner));
            }
        }
        for (name, single) in [
            ("path", &self.path),
            ("status", &self.status),
            ("method", &self.method),
        ] {
            if let Some(g) = single {
                obj.insert(name.into(), g.to_json());
            }
        }
        Value::Object(obj)
    }
}

fn as_object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, ContractError> {
    value
        .as_object()
        .ok_or_else(|| ContractError::new(at, format!("expected an object, found {value}")))
}

/// Header/query/metadata keys are names, though some writers use `$.name` paths.
fn key_name(key: &str) -> String {
    if key.starts_with('$')
        && let Ok(expr) = PathExpr::parse(key)
        && let [PathToken::Root, PathToken::Field(name), ..] = expr.tokens()
    {
        return name.clone();
    }
    key.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generator_round_trips() {
        let inputs = [
            json!({"type": "RandomInt", "min": 1, "max": 5}),
            json!({"type": "RandomDecimal", "digits": 4}),
            json!({"type": "RandomHexadecimal", "digits": 8}),
            json!({"type": "RandomString", "size": 12}),
            json!({"type": "Regex", "regex": "\\d{3}-[a-z]+"}),
            json!({"type": "Uuid", "format": "URN"}),
            json!({"type": "Date", "format": "yyyy-MM-dd", "expression": "+ 1 day"}),
            json!({"type": "Time", "format": "HH:mm"}),
            json!({"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss"}),
            json!({"type": "RandomBoolean"}),
            json!({"type": "ProviderState", "expression": "/items/${id}", "dataType": "STRING"}),
            json!({"type": "MockServerURL", "example": "http://localhost:1234/x", "regex": ".*(/x)$"}),
        ];
        for input in inputs {
            let g = Generator::from_json(&input, "$.g").unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(g.to_json(), input);
        }
    }

    #[test]
    fn invalid_generators_are_errors() {
        let cases = [
            (json!({"type": "Nope"}), "$.g.type"),
            (json!({"type": "Regex", "regex": "(x"}), "$.g.regex"),
            (json!({"type": "RandomInt", "min": 5, "max": 1}), "$.g"),
            (json!({"type": "Uuid", "format": "weird"}), "$.g.format"),
            (json!({"min": 1}), "$.g"),
            (json!({"type": "RandomString", "size": -1}), "$.g.size"),
        ];
        for (input, path) in cases {
            let err = Generator::from_json(&input, "$.g").unwrap_err();
            assert_eq!(err.path, path, "{input}: {err}");
        }
    }

    /// Every part of a generator that used to be parsed when a value was generated is refused
    /// when the contract is read, at its path, with the parser's error kept as the cause.
    #[test]
    fn unusable_generator_settings_are_load_errors_with_causes() {
        let cases = [
            (
                json!({"type": "Regex", "regex": "a)(b"}),
                "$.g.regex",
                "invalid regular expression 'a)(b'",
            ),
            (
                json!({"type": "Regex", "regex": "a{2000000}"}),
                "$.g.regex",
                "longer than the limit",
            ),
            (
                json!({"type": "Regex", "regex": "((a{1000}){1000}){10}"}),
                "$.g.regex",
                "longer than the limit",
            ),
            (
                json!({"type": "Regex", "regex": "[^\\s\\S]"}),
                "$.g.regex",
                "'[^\\s\\S]': regex is unsatisfiable",
            ),
            (
                json!({"type": "Date", "format": "yyyy-MM-dd B"}),
                "$.g.format",
                "invalid date/time pattern",
            ),
            (
                json!({"type": "Time", "expression": "next blursday"}),
                "$.g.expression",
                "invalid date expression 'next blursday' at character 5",
            ),
            (
                json!({"type": "DateTime", "format": "HH", "expression": "+ 1 fortnite"}),
                "$.g.expression",
                "expected a unit",
            ),
            (
                json!({"type": "ProviderState", "expression": "${id}", "dataType": "MONEY"}),
                "$.g.dataType",
                "unknown dataType 'MONEY'",
            ),
            (
                json!({"type": "MockServerURL", "example": "http://x/a", "regex": "(/a"}),
                "$.g.regex",
                "invalid regular expression '(/a'",
            ),
        ];
        for (input, path, text) in cases {
            let err = Generator::from_json(&input, "$.g").unwrap_err();
            assert_eq!(err.path, path, "{input}: {err}");
            assert!(err.to_string().contains(text), "{input}: {err}");
            let cause = std::error::Error::source(&err)
                .unwrap_or_else(|| panic!("{input}: {err} has no cause"));
            assert!(err.message.contains(&cause.to_string()), "{input}: {err}");
        }
    }

    #[test]
    fn data_types_keep_their_spelling() {
        for written in ["integer", " Boolean ", "RAW"] {
            let input = json!({"type": "ProviderState", "expression": "${x}", "dataType": written});
            let g = Generator::from_json(&input, "$.g").unwrap();
            assert_eq!(g.to_json(), input);
        }
        let g = Generator::from_json(
            &json!({"type": "ProviderState", "expression": "${x}", "dataType": "decimal"}),
            "$.g",
        )
        .unwrap();
        match g {
            Generator::ProviderState {
                data_type: Some(t), ..
            } => assert_eq!(t.kind(), DataTypeKind::Decimal),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn categories_round_trip() {
        let input = json!({
            "body": {"$.id": {"type": "RandomInt", "min": 0, "max": 10}},
            "header": {"X-Id": {"type": "Uuid", "format": "simple"}},
            "path": {"type": "ProviderState", "expression": "/items/${id}"}
        });
        let g = Generators::from_json(&input, "$").unwrap();
        assert_eq!(g.to_json(), input);
    }
}
