//! Generators as data: how a value in a contract is to be replaced at replay time.
//!
//! A generator turns the example in a contract into a fresh value when the interaction is
//! played: a random id, today's date, a value from the provider state, the mock server's URL.
//! This module reads and writes their JSON and validates them (a `Regex` generator with a bad
//! expression is an error when the contract is read). Producing values is [`crate::generate`]'s
//! job.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::ContractError;
use super::path::{PathExpr, PathToken};

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
        /// The expression.
        regex: String,
    },
    /// A random UUID.
    Uuid {
        /// How it is written.
        format: UuidFormat,
    },
    /// The current (or an expression-relative) date.
    Date {
        /// Java-style format; ISO 8601 when absent.
        format: Option<String>,
        /// Relative expression such as `+ 1 day`.
        expression: Option<String>,
    },
    /// The current time.
    Time {
        /// Java-style format; ISO 8601 when absent.
        format: Option<String>,
        /// Relative expression such as `+ 1 hour`.
        expression: Option<String>,
    },
    /// The current date-time.
    DateTime {
        /// Java-style format; ISO 8601 when absent.
        format: Option<String>,
        /// Relative expression such as `+ 1 day @ midnight`.
        expression: Option<String>,
    },
    /// `true` or `false` at random.
    RandomBoolean,
    /// A value taken from the provider state (`${id}` expressions). Provider side only.
    ProviderState {
        /// Expression such as `/items/${id}`.
        expression: String,
        /// Type to convert the result to (`STRING`, `INTEGER`, …), if any.
        data_type: Option<String>,
    },
    /// The example URL re-pointed at the running mock server. Consumer side only.
    MockServerUrl {
        /// The example URL.
        example: String,
        /// A regex whose first group is the part after the base URL.
        regex: String,
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
                let regex = required("regex")?;
                if let Err(e) = regex_syntax::Parser::new().parse(&regex) {
                    return Err(ContractError::new(
                        format!("{at}.regex"),
                        format!("invalid regular expression '{regex}': {e}"),
                    ));
                }
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
                let format = text("format");
                if let Some(pattern) = &format {
                    crate::datetime::DateTimePattern::parse(pattern)
                        .map_err(|e| ContractError::new(format!("{at}.format"), e.to_string()))?;
                }
                let expression = text("expression");
                match kind {
                    "Date" => Generator::Date { format, expression },
                    "Time" => Generator::Time { format, expression },
                    _ => Generator::DateTime { format, expression },
                }
            }
            "RandomBoolean" => Generator::RandomBoolean,
            "ProviderState" => Generator::ProviderState {
                expression: required("expression")?,
                data_type: text("dataType"),
            },
            "MockServerURL" => Generator::MockServerUrl {
                example: required("example")?,
                regex: required("regex")?,
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
            Generator::Regex { regex } => put("regex", json!(regex)),
            Generator::Uuid { format } => put("format", json!(format.as_str())),
            Generator::Date { format, expression }
            | Generator::Time { format, expression }
            | Generator::DateTime { format, expression } => {
                if let Some(f) = format {
                    put("format", json!(f));
                }
                if let Some(e) = expression {
                    put("expression", json!(e));
                }
            }
            Generator::RandomBoolean => {}
            Generator::ProviderState {
                expression,
                data_type,
            } => {
                put("expression", json!(expression));
                if let Some(t) = data_type {
                    put("dataType", json!(t));
                }
            }
            Generator::MockServerUrl { example, regex } => {
                put("example", json!(example));
                put("regex", json!(regex));
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
