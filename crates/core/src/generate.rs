//! Applying generators: turning the examples in a contract into fresh values at replay time.
//!
//! A contract's [`Generators`] say which parts of a request, response or message are to be
//! replaced when the interaction is played: a random id, today's date, a value the
//! provider-state setup returned, the running mock server's URL. This module produces those
//! values ([`generate_value`]) and applies them to a whole [`Request`], [`Response`] or
//! [`Message`] ([`generate_request`], [`generate_response`], [`generate_message`]), returning a
//! copy with the generated values in place. The copy keeps its matching rules and generators.
//!
//! Which generators run depends on who is replaying ([`Mode`]): `ProviderState` generators run
//! only for the provider verifier (only it has provider-state values), `MockServerURL` only for the
//! consumer's mock server (only it has a URL); all others run on both sides.
//!
//! Date, time and date-time generators accept a relative *date expression* such as
//! `+ 1 day @ midnight`, `next monday`, `today + 2 hours` or `last december + 2 weeks`; the grammar
//! is described on [`generate_value`].
//!
//! What this module does not do: it does not read or validate generator definitions (that is
//! [`crate::contract::generators`]), does not match anything, and does no IO. Body generators are
//! applied to JSON bodies by path and to plain-text bodies at `$` only; generators for XML and
//! `application/x-www-form-urlencoded` bodies, and the V4 `ArrayContains` variant generators, are
//! not applied (those bodies are left as written). Header, query and metadata generators replace
//! values that exist; they never add a header, parameter or key the example does not have.

use std::string::FromUtf8Error;
use std::sync::LazyLock;

use jiff::civil::{Date, Time, Weekday};
use jiff::{Span, Zoned};
use rand::Rng;
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange};
use regex_syntax::hir::{Hir, HirKind};
use serde_json::{Map, Number, Value, json};

use crate::contract::generators::UuidFormat;
use crate::contract::path::PathToken;
use crate::contract::{
    Body, BodyContent, ContentKind, Generator, Generators, Headers, Message, Request, Response,
};
use crate::datetime::{DateTimePattern, PatternError};

/// The longest value (in characters or bytes) a generator is allowed to produce. Contracts are
/// input: a `RandomString` of a billion characters is refused rather than attempted.
const MAX_GENERATED_LEN: usize = 1 << 20;

/// How many extra repetitions `*`, `+`, `{n,}` (and large `{n,m}`) may produce in a `Regex`
/// generator.
const MAX_REGEX_REPEAT: u32 = 8;

/// How many samples a `Regex` generator draws before giving up on finding one that matches the
/// whole expression (only anchors or word boundaries in the middle of an expression need more
/// than one).
const REGEX_ATTEMPTS: usize = 64;

/// Which side is replaying: the consumer's mock server, or the provider verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The consumer's mock server is producing responses (and message contents) for the consumer.
    Consumer,
    /// The provider verifier is producing requests to send to the real provider.
    Provider,
}

/// What generators may draw on.
#[derive(Debug, Clone, Copy)]
pub struct GeneratorContext<'a> {
    /// Who is replaying; decides which generators run.
    pub mode: Mode,
    /// Values returned by provider-state setup (for `ProviderState` generators, `${name}`
    /// expressions).
    pub provider_state: &'a Map<String, Value>,
    /// Base URL of the running mock server (for `MockServerURL`), e.g. "http://127.0.0.1:41234".
    pub mock_server_url: Option<&'a str>,
}

static NO_PROVIDER_STATE: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

impl<'a> GeneratorContext<'a> {
    /// A consumer-side context: no provider-state values, the mock server's base URL if known.
    pub fn consumer(mock_server_url: Option<&'a str>) -> Self {
        GeneratorContext {
            mode: Mode::Consumer,
            provider_state: &NO_PROVIDER_STATE,
            mock_server_url,
        }
    }

    /// A provider-side context with the values the provider-state setup returned.
    pub fn provider(provider_state: &'a Map<String, Value>) -> Self {
        GeneratorContext {
            mode: Mode::Provider,
            provider_state,
            mock_server_url: None,
        }
    }
}

/// Why a value could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The generator's settings cannot produce a value (`min` above `max`, a size beyond the
    /// limit of 1 MiB, ...).
    #[error("{generator} generator: {reason}")]
    Invalid {
        /// The generator's type name (`RandomInt`, ...).
        generator: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A `Regex` (or `MockServerURL`) generator's expression cannot be used.
    #[error("cannot generate a value from regular expression '{regex}': {reason}")]
    Regex {
        /// The expression.
        regex: String,
        /// What went wrong.
        reason: String,
    },
    /// A date expression (`+ 1 day @ midnight`) could not be parsed or evaluated.
    #[error("invalid date expression '{expression}' at character {position}: {reason}")]
    DateExpression {
        /// The expression as written.
        expression: String,
        /// Zero-based character index of the problem.
        position: usize,
        /// What was wrong, and what was expected.
        reason: String,
    },
    /// A date/time generator's `format` is not a valid pattern.
    #[error(transparent)]
    Format(#[from] PatternError),
    /// A provider-state expression names a value the provider state did not supply.
    #[error(
        "the provider state has no value '{name}' (needed by expression '{expression}'); available: {}",
        key_list(.available)
    )]
    MissingProviderStateValue {
        /// The name inside `${...}`.
        name: String,
        /// The whole expression.
        expression: String,
        /// The names the provider state did supply, sorted.
        available: Vec<String>,
    },
    /// A provider-state expression has a `${` without its closing `}`.
    #[error("unterminated '${{' in provider-state expression '{expression}'")]
    UnterminatedExpression {
        /// The expression.
        expression: String,
    },
    /// A provider-state value cannot be converted to the generator's `dataType`.
    #[error("cannot convert {value} to {data_type}: {reason}")]
    Conversion {
        /// The value, as JSON.
        value: String,
        /// The requested type.
        data_type: String,
        /// Why not.
        reason: String,
    },
    /// A `ProviderState` generator names a `dataType` pactum does not know.
    #[error(
        "unknown dataType '{data_type}'; expected STRING, INTEGER, DECIMAL, FLOAT, BOOLEAN or RAW"
    )]
    UnknownDataType {
        /// The type as written.
        data_type: String,
    },
    /// A `MockServerURL` generator ran without a mock server URL in the context.
    #[error("the MockServerURL generator needs the mock server's URL, but none was given")]
    NoMockServerUrl,
    /// A `MockServerURL` generator's regex did not pick a path out of the example.
    #[error(
        "the MockServerURL generator's regex '{regex}' has no first group matching '{example}'"
    )]
    MockServerUrlNoMatch {
        /// The generator's regex.
        regex: String,
        /// The example it was applied to.
        example: String,
    },
    /// A status generator produced something other than an HTTP status code.
    #[error("the status generator produced {value}, which is not an HTTP status code (100-599)")]
    InvalidStatus {
        /// What was produced, as JSON.
        value: String,
    },
    /// An error at a location of a request, response or message.
    #[error("{location}: {source}")]
    At {
        /// Where: `body $.items[0].id`, `header 'X-Id'`, `query parameter 'page'`, `path`,
        /// `status`, `method` or `metadata 'key'`.
        location: String,
        /// What went wrong there.
        source: Box<GenerateError>,
    },
}

impl GenerateError {
    /// The error without its location wrappers ([`GenerateError::At`]).
    pub fn innermost(&self) -> &GenerateError {
        let mut e = self;
        while let GenerateError::At { source, .. } = e {
            e = source;
        }
        e
    }

    fn at(self, location: impl Into<String>) -> Self {
        GenerateError::At {
            location: location.into(),
            source: Box::new(self),
        }
    }
}

fn key_list(keys: &[String]) -> String {
    if keys.is_empty() {
        "none (the provider state returned no values)".into()
    } else {
        keys.join(", ")
    }
}

/// Where "now" comes from: the system clock, or a fixed moment (tests).
#[derive(Clone, Copy)]
enum Clock<'a> {
    System,
    #[cfg_attr(not(test), allow(dead_code))]
    Fixed(&'a Zoned),
}

impl Clock<'_> {
    fn now(&self) -> Zoned {
        match self {
            Clock::System => Zoned::now(),
            Clock::Fixed(z) => (*z).clone(),
        }
    }
}

/// Produces a fresh value for `example` with `generator`; `None` when the generator does not
/// run in `ctx.mode`.
///
/// * `RandomInt` — an integer in `min..=max`; a string when the example is a string, else a number.
/// * `RandomDecimal` — a decimal with `digits` digits in total (`6` → `1234.56`), never with a
///   leading zero or a trailing zero after the point; a JSON number when the example is a number
///   (then with `f64` precision, about 15 significant digits), else a string. Fewer than 2 digits
///   are treated as 2.
/// * `RandomHexadecimal` — `digits` lower-case hexadecimal digits.
/// * `RandomString` — `size` random ASCII letters and digits.
/// * `Regex` — a string the whole regular expression matches. `*`, `+` and `{n,}` repeat at most
///   8 extra times; classes such as `.` and `\w` draw printable ASCII where they can.
/// * `Uuid` — a random (v4) UUID in the generator's format.
/// * `Date`, `Time`, `DateTime` — now (or the `expression` relative to now) in the generator's
///   Java-style `format`; without one, ISO 8601: `yyyy-MM-dd`, `HH:mm:ss` and
///   `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.
/// * `RandomBoolean` — `true` or `false`; a string when the example is a string.
/// * `ProviderState` (provider mode only) — the `expression` with every `${name}` replaced by the
///   provider-state value `name`. An expression that is exactly one `${name}` keeps the value's
///   JSON type; otherwise the result is a string. A `dataType` of `STRING`, `INTEGER`, `DECIMAL`,
///   `FLOAT`, `BOOLEAN` or `RAW` (any case) converts the result.
/// * `MockServerURL` (consumer mode only) — the mock server's base URL followed by the regex's
///   first capture group in `example` (or, when that does not match, in the generator's own
///   example).
///
/// # Date expressions
///
/// Expressions are evaluated left to right from now, case-insensitively, with any whitespace
/// between words:
///
/// ```text
/// expression := [ part ] [ "@" time-part ]            (empty: now)
/// part       := anchor { shift } | shift { shift }
/// time-part  := [ time-anchor ] { shift }
/// anchor     := "now" | "today" | "tomorrow" | "yesterday" | time-anchor
///             | ("next" | "last") (unit | weekday | month)
/// time-anchor:= "now" | "midnight" | "noon" | "midday"
///             | HOUR "o'clock" ["am" | "pm"] | HOUR ("am" | "pm")          (HOUR: 1 to 12)
///             | ("next" | "last") time-unit
/// shift      := ("+" | "-") INTEGER unit
/// unit       := time-unit | "day(s)" | "week(s)" | "fortnight(s)" | "month(s)" | "year(s)"
/// time-unit  := "hour(s)" | "minute(s)" | "second(s)" | "millisecond(s)"
/// weekday    := "monday" | "mon" | "tuesday" | "tue" | "tues" | ... | "sunday" | "sun"
/// month      := "january" | "jan" | ... | "september" | "sep" | "sept" | ... | "dec"
/// ```
///
/// `today` is now (the time of day is kept, as Pact does); `tomorrow`/`yesterday` are a day
/// either side. `next monday` is the first Monday after today, `last monday` the last one before
/// it. `next june` is the 1st of the first June after the current month, `last june` the 1st of
/// the last June before it (the time of day is kept). `next <unit>` is `+ 1 <unit>`. `midnight`,
/// `noon` and `N o'clock` set the time of day to the whole hour (`12 o'clock am` is midnight);
/// `N o'clock` without `am`/`pm` is whichever of N am and N pm is the next one today (N pm when
/// both have passed). Months and years added to the 31st land on the month's last day. Examples:
/// `+ 1 day @ midnight`, `today + 2 hours`, `yesterday @ noon - 1 hour`,
/// `next june + 2 weeks @ 3 o'clock`.
pub fn generate_value(
    generator: &Generator,
    example: &Value,
    ctx: &GeneratorContext,
) -> Result<Option<Value>, GenerateError> {
    value_with_clock(generator, example, ctx, Clock::System)
}

/// Applies a request's generators (method, path, query, headers, body) and returns the
/// generated copy.
pub fn generate_request(
    request: &Request,
    ctx: &GeneratorContext,
) -> Result<Request, GenerateError> {
    request_with_clock(request, ctx, Clock::System)
}

/// Applies a response's generators (status, headers, body) and returns the generated copy.
/// A status generator must produce an integer from 100 to 599 (or a string of one).
pub fn generate_response(
    response: &Response,
    ctx: &GeneratorContext,
) -> Result<Response, GenerateError> {
    response_with_clock(response, ctx, Clock::System)
}

/// Applies a message's generators (contents and metadata) and returns the generated copy.
pub fn generate_message(
    message: &Message,
    ctx: &GeneratorContext,
) -> Result<Message, GenerateError> {
    message_with_clock(message, ctx, Clock::System)
}

fn value_with_clock(
    generator: &Generator,
    example: &Value,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Option<Value>, GenerateError> {
    let runs = match generator {
        Generator::ProviderState { .. } => ctx.mode == Mode::Provider,
        Generator::MockServerUrl { .. } => ctx.mode == Mode::Consumer,
        _ => true,
    };
    if !runs {
        return Ok(None);
    }
    let text_example = example.is_string();
    let value = match generator {
        Generator::RandomInt { min, max } => {
            if min > max {
                return Err(GenerateError::Invalid {
                    generator: "RandomInt",
                    reason: format!("min ({min}) is greater than max ({max})"),
                });
            }
            let n = rand::rng().random_range(*min..=*max);
            if text_example {
                Value::String(n.to_string())
            } else {
                json!(n)
            }
        }
        Generator::RandomDecimal { digits } => {
            check_size("RandomDecimal", "digits", *digits)?;
            let as_number = example.is_number();
            let text = random_decimal(*digits, as_number);
            if as_number {
                text.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| GenerateError::Invalid {
                        generator: "RandomDecimal",
                        reason: format!("{text} cannot be written as a JSON number"),
                    })?
            } else {
                Value::String(text)
            }
        }
        Generator::RandomHexadecimal { digits } => {
            check_size("RandomHexadecimal", "digits", *digits)?;
            const HEX: &[u8] = b"0123456789abcdef";
            let mut rng = rand::rng();
            let s: String = (0..*digits)
                .map(|_| HEX[rng.random_range(0..HEX.len())] as char)
                .collect();
            Value::String(s)
        }
        Generator::RandomString { size } => {
            check_size("RandomString", "size", *size)?;
            let s: String = rand::rng()
                .sample_iter(rand::distr::Alphanumeric)
                .take(*size)
                .map(char::from)
                .collect();
            Value::String(s)
        }
        Generator::Regex { regex } => Value::String(generate_from_regex(regex)?),
        Generator::Uuid { format } => {
            let id = uuid::Uuid::new_v4();
            Value::String(match format {
                UuidFormat::Simple => id.simple().to_string(),
                UuidFormat::LowerCaseHyphenated => id.hyphenated().to_string(),
                UuidFormat::UpperCaseHyphenated => id.hyphenated().to_string().to_uppercase(),
                UuidFormat::Urn => id.urn().to_string(),
            })
        }
        Generator::Date { format, expression } => Value::String(date_like(
            DateKind::Date,
            format.as_deref(),
            expression.as_deref(),
            &clock.now(),
        )?),
        Generator::Time { format, expression } => Value::String(date_like(
            DateKind::Time,
            format.as_deref(),
            expression.as_deref(),
            &clock.now(),
        )?),
        Generator::DateTime { format, expression } => Value::String(date_like(
            DateKind::DateTime,
            format.as_deref(),
            expression.as_deref(),
            &clock.now(),
        )?),
        Generator::RandomBoolean => {
            let b = rand::rng().random::<bool>();
            if text_example {
                Value::String(b.to_string())
            } else {
                Value::Bool(b)
            }
        }
        Generator::ProviderState {
            expression,
            data_type,
        } => {
            let value = substitute(expression, ctx.provider_state)?;
            match data_type {
                Some(t) => convert(value, t)?,
                None => value,
            }
        }
        Generator::MockServerUrl {
            example: own_example,
            regex,
        } => Value::String(mock_server_url(
            regex,
            example.as_str(),
            own_example,
            ctx.mock_server_url,
        )?),
    };
    Ok(Some(value))
}

fn check_size(generator: &'static str, field: &str, n: usize) -> Result<(), GenerateError> {
    if n > MAX_GENERATED_LEN {
        return Err(GenerateError::Invalid {
            generator,
            reason: format!("{field} {n} is more than the limit of {MAX_GENERATED_LEN}"),
        });
    }
    Ok(())
}

/// `digits` decimal digits with a point somewhere inside: no leading zero, and no trailing zero
/// after the point (so the digit count survives a round trip through a JSON number). For a JSON
/// number the integer part is kept to 15 digits so the value stays within `f64` range and plain
/// notation.
fn random_decimal(digits: usize, as_number: bool) -> String {
    let digits = digits.max(2);
    let mut rng = rand::rng();
    let max_int = if as_number { 15 } else { digits - 1 };
    let int_len = rng.random_range(1..=(digits - 1).min(max_int));
    let mut out = String::with_capacity(digits + 1);
    for i in 0..digits {
        if i == int_len {
            out.push('.');
        }
        let first_or_last = i == 0 || i == digits - 1;
        let d = if first_or_last {
            rng.random_range(1..=9u8)
        } else {
            rng.random_range(0..=9u8)
        };
        out.push(char::from(b'0' + d));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Regex generator

fn generate_from_regex(regex: &str) -> Result<String, GenerateError> {
    let fail = |reason: String| GenerateError::Regex {
        regex: regex.to_string(),
        reason,
    };
    let hir = regex_syntax::Parser::new()
        .parse(regex)
        .map_err(|e| fail(e.to_string()))?;
    let hir = simplify_hir(hir);
    match hir.properties().maximum_len() {
        Some(n) if n <= MAX_GENERATED_LEN => {}
        _ => {
            return Err(fail(format!(
                "its values can be longer than the limit of {MAX_GENERATED_LEN} bytes"
            )));
        }
    }
    let sampler =
        rand_regex::Regex::with_hir(hir, MAX_REGEX_REPEAT).map_err(|e| fail(e.to_string()))?;
    let whole = regex::Regex::new(&format!("^(?:{regex})$")).map_err(|e| fail(e.to_string()))?;
    let mut rng = rand::rng();
    for _ in 0..REGEX_ATTEMPTS {
        let sample: Result<String, FromUtf8Error> = rng.sample(&sampler);
        if let Ok(s) = sample
            && whole.is_match(&s)
        {
            return Ok(s);
        }
    }
    Err(fail(format!(
        "none of {REGEX_ATTEMPTS} attempts matched the whole expression (anchors or word \
         boundaries inside the expression may make it unsatisfiable)"
    )))
}

/// Prepares a parsed expression for sampling: anchors and boundaries become empty (the sample is
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

// ---------------------------------------------------------------------------------------------
// Provider state and mock server URL

/// Replaces every `${name}` in `expression` with the provider-state value `name`.
fn substitute(expression: &str, state: &Map<String, Value>) -> Result<Value, GenerateError> {
    let lookup = |name: &str| -> Result<&Value, GenerateError> {
        state
            .get(name)
            .ok_or_else(|| GenerateError::MissingProviderStateValue {
                name: name.to_string(),
                expression: expression.to_string(),
                available: {
                    let mut keys: Vec<String> = state.keys().cloned().collect();
                    keys.sort();
                    keys
                },
            })
    };
    // Exactly one reference: keep the value's type.
    if let Some(inner) = expression
        .strip_prefix("${")
        .and_then(|rest| rest.strip_suffix('}'))
        && !inner.contains('}')
        && !inner.contains("${")
    {
        return lookup(inner.trim()).cloned();
    }
    let mut out = String::with_capacity(expression.len());
    let mut rest = expression;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err(GenerateError::UnterminatedExpression {
                expression: expression.to_string(),
            });
        };
        out.push_str(&text_of(lookup(after[..end].trim())?));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Value::String(out))
}

/// A JSON value as text: strings raw, anything else as JSON.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Converts a provider-state result to a `dataType`.
fn convert(value: Value, data_type: &str) -> Result<Value, GenerateError> {
    let upper = data_type.trim().to_ascii_uppercase();
    let fail = |value: &Value, reason: &str| GenerateError::Conversion {
        value: value.to_string(),
        data_type: upper.clone(),
        reason: reason.to_string(),
    };
    match upper.as_str() {
        "RAW" => Ok(value),
        "STRING" => Ok(Value::String(text_of(&value))),
        "INTEGER" => match &value {
            Value::Null => Ok(json!(0)),
            Value::Bool(b) => Ok(json!(i64::from(*b))),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(value),
            Value::Number(n) => match n.as_f64() {
                // Truncated toward zero, as Pact does.
                Some(f) if f.is_finite() && f.abs() < 9.2e18 => Ok(json!(f.trunc() as i64)),
                _ => Err(fail(&value, "it is out of the integer range")),
            },
            Value::String(s) => {
                let t = s.trim();
                t.parse::<i64>()
                    .map(|n| json!(n))
                    .or_else(|_| t.parse::<u64>().map(|n| json!(n)))
                    .map_err(|_| fail(&value, "it is not an integer"))
            }
            Value::Array(_) | Value::Object(_) => Err(fail(&value, "it is not a scalar")),
        },
        "DECIMAL" | "FLOAT" => {
            let f = match &value {
                Value::Null => Some(0.0),
                Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().parse::<f64>().ok(),
                Value::Array(_) | Value::Object(_) => None,
            };
            f.and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| fail(&value, "it is not a finite number"))
        }
        "BOOLEAN" => match &value {
            Value::Null => Ok(Value::Bool(false)),
            Value::Bool(_) => Ok(value),
            Value::Number(n) => Ok(Value::Bool(n.as_f64().is_some_and(|f| f > 0.0))),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(fail(&value, "it is not true or false")),
        },
        _ => Err(GenerateError::UnknownDataType {
            data_type: data_type.to_string(),
        }),
    }
}

fn mock_server_url(
    regex: &str,
    example: Option<&str>,
    own_example: &str,
    base: Option<&str>,
) -> Result<String, GenerateError> {
    let re = regex::Regex::new(regex).map_err(|e| GenerateError::Regex {
        regex: regex.to_string(),
        reason: e.to_string(),
    })?;
    let first_group = |text: &str| -> Option<String> {
        re.captures(text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
    };
    let part = example
        .and_then(first_group)
        .or_else(|| first_group(own_example))
        .ok_or_else(|| GenerateError::MockServerUrlNoMatch {
            regex: regex.to_string(),
            example: example.unwrap_or(own_example).to_string(),
        })?;
    let base = base.ok_or(GenerateError::NoMockServerUrl)?;
    if part.starts_with('/') {
        Ok(format!("{}{part}", base.trim_end_matches('/')))
    } else {
        Ok(format!("{base}{part}"))
    }
}

// ---------------------------------------------------------------------------------------------
// Dates and date expressions

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DateKind {
    Date,
    Time,
    DateTime,
}

fn date_like(
    kind: DateKind,
    format: Option<&str>,
    expression: Option<&str>,
    now: &Zoned,
) -> Result<String, GenerateError> {
    let at = match expression {
        Some(e) => evaluate_date_expression(e, now)?,
        None => now.clone(),
    };
    let pattern = match format {
        Some(f) => f,
        None => match kind {
            DateKind::Date => "yyyy-MM-dd",
            DateKind::Time => "HH:mm:ss",
            DateKind::DateTime => "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        },
    };
    Ok(DateTimePattern::parse(pattern)?.format(&at))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Int(u64),
    Plus,
    Minus,
    At,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Millisecond,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Fortnight,
    Month,
    Year,
}

impl Unit {
    fn parse(word: &str) -> Option<Unit> {
        let singular = word.strip_suffix('s').unwrap_or(word);
        Some(match singular {
            "millisecond" => Unit::Millisecond,
            "second" => Unit::Second,
            "minute" => Unit::Minute,
            "hour" => Unit::Hour,
            "day" => Unit::Day,
            "week" => Unit::Week,
            "fortnight" => Unit::Fortnight,
            "month" => Unit::Month,
            "year" => Unit::Year,
            _ => return None,
        })
    }

    fn is_time(self) -> bool {
        matches!(
            self,
            Unit::Millisecond | Unit::Second | Unit::Minute | Unit::Hour
        )
    }

    fn span(self, amount: i64) -> Result<Span, jiff::Error> {
        let s = Span::new();
        match self {
            Unit::Millisecond => s.try_milliseconds(amount),
            Unit::Second => s.try_seconds(amount),
            Unit::Minute => s.try_minutes(amount),
            Unit::Hour => s.try_hours(amount),
            Unit::Day => s.try_days(amount),
            Unit::Week => s.try_weeks(amount),
            Unit::Fortnight => s.try_weeks(amount.saturating_mul(2)),
            Unit::Month => s.try_months(amount),
            Unit::Year => s.try_years(amount),
        }
    }
}

fn parse_weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" | "tues" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" | "thur" | "thurs" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

fn parse_month(word: &str) -> Option<i8> {
    Some(match word {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// One evaluation step of a parsed date expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Add (or, negative, subtract) an amount of a unit.
    Shift(Unit, i64),
    /// Set the time of day to a whole hour (0-23).
    SetHour(i8),
    /// `N o'clock` without am/pm: hour 1-12.
    Clock(i8),
    /// The next (`true`) or last weekday of that name, strictly after/before the date.
    Weekday(Weekday, bool),
    /// The 1st of the next (`true`) or last month of that number.
    Month(i8, bool),
}

struct ExpressionParser<'e> {
    expression: &'e str,
    tokens: Vec<(Token, usize)>,
    next: usize,
}

impl<'e> ExpressionParser<'e> {
    fn new(expression: &'e str) -> Result<Self, GenerateError> {
        let mut tokens = Vec::new();
        let chars: Vec<char> = expression.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            let start = i;
            if c.is_whitespace() {
                i += 1;
                continue;
            }
            let token = match c {
                '+' => {
                    i += 1;
                    Token::Plus
                }
                '-' => {
                    i += 1;
                    Token::Minus
                }
                '@' => {
                    i += 1;
                    Token::At
                }
                c if c.is_ascii_digit() => {
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                    let digits: String = chars[start..i].iter().collect();
                    match digits.parse::<u64>() {
                        Ok(n) => Token::Int(n),
                        Err(_) => {
                            return Err(date_error(expression, start, "the number is too large"));
                        }
                    }
                }
                c if c.is_alphabetic() => {
                    while i < chars.len()
                        && (chars[i].is_alphabetic() || chars[i] == '\'' || chars[i] == '\u{2019}')
                    {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    Token::Word(word.to_lowercase())
                }
                other => {
                    return Err(date_error(
                        expression,
                        start,
                        &format!("unexpected character '{other}'"),
                    ));
                }
            };
            tokens.push((token, start));
        }
        Ok(ExpressionParser {
            expression,
            tokens,
            next: 0,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next).map(|(t, _)| t)
    }

    /// Position of the next token, or the end of the expression.
    fn position(&self) -> usize {
        self.tokens
            .get(self.next)
            .map_or(self.expression.chars().count(), |(_, p)| *p)
    }

    fn error(&self, reason: &str) -> GenerateError {
        date_error(self.expression, self.position(), reason)
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            None => "the end".into(),
            Some(Token::Word(w)) => format!("'{w}'"),
            Some(Token::Int(n)) => format!("'{n}'"),
            Some(Token::Plus) => "'+'".into(),
            Some(Token::Minus) => "'-'".into(),
            Some(Token::At) => "'@'".into(),
        }
    }

    fn parse(mut self) -> Result<Vec<(Step, usize)>, GenerateError> {
        let mut steps = Vec::new();
        self.segment(false, &mut steps)?;
        if self.peek() == Some(&Token::At) {
            self.next += 1;
            if self.peek().is_none() {
                return Err(self
                    .error("expected a time after '@' (now, midnight, noon, N o'clock, + or -)"));
            }
            self.segment(true, &mut steps)?;
            if self.peek().is_some() {
                return Err(self.error(&format!(
                    "unexpected {}; expected '+' or '-'",
                    self.describe_next()
                )));
            }
        } else if self.peek().is_some() {
            return Err(self.error(&format!(
                "unexpected {}; expected '+', '-' or '@'",
                self.describe_next()
            )));
        }
        Ok(steps)
    }

    /// `[anchor] {shift}`; after `@` only time anchors are allowed.
    fn segment(
        &mut self,
        time_only: bool,
        steps: &mut Vec<(Step, usize)>,
    ) -> Result<(), GenerateError> {
        let position = self.position();
        match self.peek().cloned() {
            Some(Token::Word(word)) => {
                self.next += 1;
                match word.as_str() {
                    "now" => {}
                    "today" | "tomorrow" | "yesterday" if time_only => {
                        return Err(date_error(
                            self.expression,
                            position,
                            &format!(
                                "'{word}' is a date; after '@' expected now, midnight, noon or N o'clock"
                            ),
                        ));
                    }
                    "today" => {}
                    "tomorrow" => steps.push((Step::Shift(Unit::Day, 1), position)),
                    "yesterday" => steps.push((Step::Shift(Unit::Day, -1), position)),
                    "midnight" => steps.push((Step::SetHour(0), position)),
                    "noon" | "midday" => steps.push((Step::SetHour(12), position)),
                    "next" | "last" => {
                        let forward = word == "next";
                        let step = self.offset(forward, time_only)?;
                        steps.push((step, position));
                    }
                    _ => {
                        return Err(date_error(
                            self.expression,
                            position,
                            &format!(
                                "unexpected '{word}'; expected {}",
                                if time_only {
                                    "now, midnight, noon, N o'clock, next, last, + or -"
                                } else {
                                    "now, today, tomorrow, yesterday, midnight, noon, next, last, + or -"
                                }
                            ),
                        ));
                    }
                }
            }
            Some(Token::Int(hour)) => {
                self.next += 1;
                let step = self.clock(hour, position)?;
                steps.push((step, position));
            }
            _ => {}
        }
        while let Some(sign @ (Token::Plus | Token::Minus)) = self.peek().cloned() {
            let position = self.position();
            self.next += 1;
            let amount = match self.peek() {
                Some(Token::Int(n)) => *n,
                _ => {
                    return Err(self.error(&format!(
                        "expected a number after '{}', found {}",
                        if sign == Token::Plus { '+' } else { '-' },
                        self.describe_next()
                    )));
                }
            };
            self.next += 1;
            let unit = match self.peek() {
                Some(Token::Word(w)) => Unit::parse(w),
                _ => None,
            }
            .ok_or_else(|| {
                self.error(&format!(
                    "expected a unit (millisecond, second, minute, hour, day, week, fortnight, \
                     month or year), found {}",
                    self.describe_next()
                ))
            })?;
            self.next += 1;
            let amount = i64::try_from(amount)
                .map_err(|_| date_error(self.expression, position, "the number is too large"))?;
            let amount = if sign == Token::Minus {
                -amount
            } else {
                amount
            };
            steps.push((Step::Shift(unit, amount), position));
        }
        Ok(())
    }

    /// What follows `next`/`last`.
    fn offset(&mut self, forward: bool, time_only: bool) -> Result<Step, GenerateError> {
        let Some(Token::Word(word)) = self.peek().cloned() else {
            return Err(self.error(&format!(
                "expected a unit, weekday or month after '{}', found {}",
                if forward { "next" } else { "last" },
                self.describe_next()
            )));
        };
        let sign = if forward { 1 } else { -1 };
        let step = if let Some(unit) = Unit::parse(&word) {
            if time_only && !unit.is_time() {
                return Err(self.error(&format!(
                    "'{word}' is not a time unit; after '@' expected hour, minute, second or millisecond"
                )));
            }
            Step::Shift(unit, sign)
        } else if let (false, Some(day)) = (time_only, parse_weekday(&word)) {
            Step::Weekday(day, forward)
        } else if let (false, Some(month)) = (time_only, parse_month(&word)) {
            Step::Month(month, forward)
        } else {
            return Err(self.error(&format!(
                "unexpected '{word}'; expected {}",
                if time_only {
                    "hour, minute, second or millisecond"
                } else {
                    "a unit (day, week, month, hour, ...), a weekday or a month"
                }
            )));
        };
        self.next += 1;
        Ok(step)
    }

    /// `N o'clock [am|pm]` or `N am|pm`, the number already taken.
    fn clock(&mut self, hour: u64, position: usize) -> Result<Step, GenerateError> {
        if !(1..=12).contains(&hour) {
            return Err(date_error(
                self.expression,
                position,
                "expected an hour from 1 to 12 before o'clock",
            ));
        }
        let hour = hour as i8;
        let mut said_oclock = false;
        if let Some(Token::Word(w)) = self.peek()
            && matches!(w.as_str(), "o'clock" | "oclock" | "o\u{2019}clock")
        {
            said_oclock = true;
            self.next += 1;
        }
        let meridiem = match self.peek() {
            Some(Token::Word(w)) if w == "am" => Some(Meridiem::Am),
            Some(Token::Word(w)) if w == "pm" => Some(Meridiem::Pm),
            _ => None,
        };
        if meridiem.is_some() {
            self.next += 1;
        }
        Ok(match meridiem {
            Some(Meridiem::Am) => Step::SetHour(hour % 12),
            Some(Meridiem::Pm) => Step::SetHour(hour % 12 + 12),
            None if said_oclock => Step::Clock(hour),
            None => {
                return Err(self.error(&format!(
                    "expected o'clock, am or pm after {hour}, found {}",
                    self.describe_next()
                )));
            }
        })
    }
}

fn date_error(expression: &str, position: usize, reason: &str) -> GenerateError {
    GenerateError::DateExpression {
        expression: expression.to_string(),
        position,
        reason: reason.to_string(),
    }
}

/// Evaluates a date expression relative to `now`.
fn evaluate_date_expression(expression: &str, now: &Zoned) -> Result<Zoned, GenerateError> {
    let steps = ExpressionParser::new(expression)?.parse()?;
    let mut at = now.clone();
    for (step, position) in steps {
        let out_of_range = |e: jiff::Error| {
            date_error(
                expression,
                position,
                &format!("the result is out of range: {e}"),
            )
        };
        at = match step {
            Step::Shift(unit, amount) => at
                .checked_add(unit.span(amount).map_err(out_of_range)?)
                .map_err(out_of_range)?,
            Step::SetHour(hour) => set_hour(&at, hour).map_err(out_of_range)?,
            Step::Clock(hour) => {
                let am = hour % 12;
                let am_time = Time::new(am, 0, 0, 0).map_err(out_of_range)?;
                let hour = if at.time() < am_time { am } else { am + 12 };
                set_hour(&at, hour).map_err(out_of_range)?
            }
            Step::Weekday(day, forward) => at
                .nth_weekday(if forward { 1 } else { -1 }, day)
                .map_err(out_of_range)?,
            Step::Month(month, forward) => {
                let current = at.month();
                let year = match (forward, month > current, month < current) {
                    (true, true, _) | (false, _, true) => at.year(),
                    (true, false, _) => at.year().checked_add(1).unwrap_or(at.year()),
                    (false, _, false) => at.year().checked_sub(1).unwrap_or(at.year()),
                };
                let date = Date::new(year, month, 1).map_err(out_of_range)?;
                at.with().date(date).build().map_err(out_of_range)?
            }
        };
    }
    Ok(at)
}

fn set_hour(at: &Zoned, hour: i8) -> Result<Zoned, jiff::Error> {
    at.with().time(Time::new(hour, 0, 0, 0)?).build()
}

// ---------------------------------------------------------------------------------------------
// Applying generators to requests, responses and messages

/// A generated value as text (for headers, query parameters, the path and the method).
fn generate_text(
    generator: &Generator,
    example: &str,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Option<String>, GenerateError> {
    Ok(
        value_with_clock(generator, &Value::String(example.to_string()), ctx, clock)?
            .map(|v| text_of(&v)),
    )
}

fn request_with_clock(
    request: &Request,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Request, GenerateError> {
    let mut out = request.clone();
    let generators = &request.generators;
    if let Some(g) = &generators.method
        && let Some(method) =
            generate_text(g, &out.method, ctx, clock).map_err(|e| e.at("method"))?
    {
        out.method = method;
    }
    if let Some(g) = &generators.path
        && let Some(path) = generate_text(g, &out.path, ctx, clock).map_err(|e| e.at("path"))?
    {
        out.path = path;
    }
    for (name, g) in &generators.query {
        let at = |e: GenerateError| e.at(format!("query parameter '{name}'"));
        match out.query.get_mut(name) {
            Some(values) => {
                for value in values.iter_mut() {
                    if let Some(new) = generate_text(g, value, ctx, clock).map_err(at)? {
                        *value = new;
                    }
                }
            }
            // A generator for a parameter the example leaves out still produces it.
            None => {
                if let Some(new) = generate_text(g, "", ctx, clock).map_err(at)? {
                    out.query.insert(name.clone(), vec![new]);
                }
            }
        }
    }
    apply_headers(&mut out.headers, generators, ctx, clock)?;
    let headers = out.headers.clone();
    apply_body(&mut out.body, &headers, generators, ctx, clock)?;
    Ok(out)
}

fn response_with_clock(
    response: &Response,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Response, GenerateError> {
    let mut out = response.clone();
    let generators = &response.generators;
    if let Some(g) = &generators.status
        && let Some(value) =
            value_with_clock(g, &json!(out.status), ctx, clock).map_err(|e| e.at("status"))?
    {
        out.status = status_code(&value).map_err(|e| e.at("status"))?;
    }
    apply_headers(&mut out.headers, generators, ctx, clock)?;
    let headers = out.headers.clone();
    apply_body(&mut out.body, &headers, generators, ctx, clock)?;
    Ok(out)
}

fn message_with_clock(
    message: &Message,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Message, GenerateError> {
    let mut out = message.clone();
    let generators = &message.generators;
    for (key, g) in &generators.metadata {
        if let Some(value) = out.metadata.get_mut(key)
            && let Some(new) = value_with_clock(g, value, ctx, clock)
                .map_err(|e| e.at(format!("metadata '{key}'")))?
        {
            *value = new;
        }
    }
    let mut headers = Headers::new();
    if let Some(ct) = message.content_type() {
        headers.add("Content-Type", ct);
    }
    apply_body(&mut out.contents, &headers, generators, ctx, clock)?;
    Ok(out)
}

fn status_code(value: &Value) -> Result<u16, GenerateError> {
    let code = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    code.filter(|c| (100..=599).contains(c))
        .map(|c| c as u16)
        .ok_or_else(|| GenerateError::InvalidStatus {
            value: value.to_string(),
        })
}

fn apply_headers(
    headers: &mut Headers,
    generators: &Generators,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<(), GenerateError> {
    for (name, g) in &generators.header {
        let Some(values) = headers.get(name) else {
            // A generator for a header the example leaves out still produces it.
            if let Some(new) =
                generate_text(g, "", ctx, clock).map_err(|e| e.at(format!("header '{name}'")))?
            {
                headers.add(name, new);
            }
            continue;
        };
        let mut new_values = Vec::with_capacity(values.len());
        let mut changed = false;
        for value in values {
            match generate_text(g, value, ctx, clock)
                .map_err(|e| e.at(format!("header '{name}'")))?
            {
                Some(new) => {
                    changed = true;
                    new_values.push(new);
                }
                None => new_values.push(value.clone()),
            }
        }
        if changed {
            headers.set(name, new_values);
        }
    }
    Ok(())
}

fn apply_body(
    body: &mut Body,
    headers: &Headers,
    generators: &Generators,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<(), GenerateError> {
    if generators.body.is_empty() {
        return Ok(());
    }
    let kind = body
        .content_type_with(headers)
        .map(|ct| ContentKind::of(&ct));
    match &mut body.content {
        BodyContent::Json(doc) => {
            for (path, g) in &generators.body {
                for location in select(doc, path.tokens()) {
                    let Some(node) = node_mut(doc, &location) else {
                        continue;
                    };
                    let rendered = || format!("body {}", render(&location));
                    if let Some(new) =
                        value_with_clock(g, node, ctx, clock).map_err(|e| e.at(rendered()))?
                    {
                        *node = new;
                    }
                }
            }
        }
        // XML and form bodies would need their own path semantics (elements and attributes,
        // repeated form fields); their generators are not applied and the body is left as
        // written.
        BodyContent::Text(_) if matches!(kind, Some(ContentKind::Xml | ContentKind::Form)) => {}
        BodyContent::Text(text) => {
            for (path, g) in &generators.body {
                // Only `$` means anything in plain text: the whole body.
                if !path.is_root() {
                    continue;
                }
                if let Some(new) = generate_text(g, text, ctx, clock).map_err(|e| e.at("body $"))? {
                    *text = new;
                }
            }
        }
        // Nothing to replace in missing, empty or null bodies; bytes have no paths.
        BodyContent::Missing | BodyContent::Empty | BodyContent::Null | BodyContent::Bytes(_) => {}
    }
    Ok(())
}

/// One step of a concrete location in a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Loc {
    Key(String),
    Index(usize),
}

/// Every location the path expression selects in `doc`. Walks breadth-first, without recursion.
fn select(doc: &Value, tokens: &[PathToken]) -> Vec<Vec<Loc>> {
    let mut current: Vec<(Vec<Loc>, &Value)> = vec![(Vec::new(), doc)];
    for token in tokens {
        let mut next = Vec::new();
        for (location, value) in current {
            let child = |loc: Loc| {
                let mut l = location.clone();
                l.push(loc);
                l
            };
            match (token, value) {
                (PathToken::Root, _) => next.push((location.clone(), value)),
                (PathToken::Field(name), Value::Object(map)) => {
                    if let Some(v) = map.get(name) {
                        next.push((child(Loc::Key(name.clone())), v));
                    }
                }
                (PathToken::Field(name), Value::Array(items)) => {
                    if let Some((i, v)) = name
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| items.get(i).map(|v| (i, v)))
                    {
                        next.push((child(Loc::Index(i)), v));
                    }
                }
                (PathToken::Index(i), Value::Array(items)) => {
                    if let Some(v) = items.get(*i) {
                        next.push((child(Loc::Index(*i)), v));
                    }
                }
                (PathToken::Index(i), Value::Object(map)) => {
                    let key = i.to_string();
                    if let Some(v) = map.get(&key) {
                        next.push((child(Loc::Key(key)), v));
                    }
                }
                (PathToken::Star, Value::Object(map)) => {
                    for (k, v) in map {
                        next.push((child(Loc::Key(k.clone())), v));
                    }
                }
                (PathToken::Star | PathToken::StarIndex, Value::Array(items)) => {
                    for (i, v) in items.iter().enumerate() {
                        next.push((child(Loc::Index(i)), v));
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current.into_iter().map(|(l, _)| l).collect()
}

fn node_mut<'v>(doc: &'v mut Value, location: &[Loc]) -> Option<&'v mut Value> {
    let mut node = doc;
    for loc in location {
        node = match (loc, node) {
            (Loc::Key(k), Value::Object(map)) => map.get_mut(k)?,
            (Loc::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(node)
}

fn render(location: &[Loc]) -> String {
    let segments: Vec<crate::contract::path::Segment<'_>> = location
        .iter()
        .map(|l| match l {
            Loc::Key(k) => crate::contract::path::Segment::Key(k),
            Loc::Index(i) => crate::contract::path::Segment::Index(*i),
        })
        .collect();
    crate::contract::path::render_location(&segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::SpecVersion;

    fn fixed(text: &str) -> Zoned {
        text.parse().unwrap()
    }

    /// 2000-01-01 (a Saturday) 10:00 UTC, the base the Pact documentation uses.
    fn base() -> Zoned {
        fixed("2000-01-01T10:00:00+00:00[UTC]")
    }

    fn eval(expression: &str) -> String {
        match evaluate_date_expression(expression, &base()) {
            Ok(z) => z.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
            Err(e) => panic!("{expression}: {e}"),
        }
    }

    #[test]
    fn date_expressions_from_the_pact_documentation() {
        let cases = [
            ("", "2000-01-01T10:00:00.000"),
            ("   ", "2000-01-01T10:00:00.000"),
            ("now", "2000-01-01T10:00:00.000"),
            ("today", "2000-01-01T10:00:00.000"),
            ("yesterday", "1999-12-31T10:00:00.000"),
            ("tomorrow", "2000-01-02T10:00:00.000"),
            ("+ 1 day", "2000-01-02T10:00:00.000"),
            ("+ 1 week", "2000-01-08T10:00:00.000"),
            ("- 2 weeks", "1999-12-18T10:00:00.000"),
            ("+ 4 years", "2004-01-01T10:00:00.000"),
            ("tomorrow+ 4 years", "2004-01-02T10:00:00.000"),
            ("next week", "2000-01-08T10:00:00.000"),
            ("last month", "1999-12-01T10:00:00.000"),
            ("next fortnight", "2000-01-15T10:00:00.000"),
            ("next monday", "2000-01-03T10:00:00.000"),
            ("last wednesday", "1999-12-29T10:00:00.000"),
            ("next mon", "2000-01-03T10:00:00.000"),
            ("last december", "1999-12-01T10:00:00.000"),
            ("next jan", "2001-01-01T10:00:00.000"),
            ("next june + 2 weeks", "2000-06-15T10:00:00.000"),
            ("last mon + 2 weeks", "2000-01-10T10:00:00.000"),
            // Time parts.
            ("midnight", "2000-01-01T00:00:00.000"),
            ("noon", "2000-01-01T12:00:00.000"),
            ("1 o'clock", "2000-01-01T13:00:00.000"),
            ("1 o'clock am", "2000-01-01T01:00:00.000"),
            ("1 o'clock pm", "2000-01-01T13:00:00.000"),
            ("+ 1 hour", "2000-01-01T11:00:00.000"),
            ("- 2 minutes", "2000-01-01T09:58:00.000"),
            ("+ 4 seconds", "2000-01-01T10:00:04.000"),
            ("+ 4 milliseconds", "2000-01-01T10:00:00.004"),
            ("midnight+ 4 minutes", "2000-01-01T00:04:00.000"),
            ("next hour", "2000-01-01T11:00:00.000"),
            ("last minute", "2000-01-01T09:59:00.000"),
            ("now + 2 hours - 4 minutes", "2000-01-01T11:56:00.000"),
            (" + 2 hours - 4 minutes", "2000-01-01T11:56:00.000"),
            // Date and time together.
            ("today @ 1 o'clock", "2000-01-01T13:00:00.000"),
            ("yesterday @ midnight", "1999-12-31T00:00:00.000"),
            ("yesterday @ midnight - 1 hour", "1999-12-30T23:00:00.000"),
            ("tomorrow @ now", "2000-01-02T10:00:00.000"),
            ("+ 1 day @ noon", "2000-01-02T12:00:00.000"),
            ("+ 1 week @ +1 hour", "2000-01-08T11:00:00.000"),
            ("- 2 weeks @ now + 1 hour", "1999-12-18T11:00:00.000"),
            ("+ 4 years @ midnight", "2004-01-01T00:00:00.000"),
            (
                "tomorrow+ 4 years @ 3 o'clock + 40 milliseconds",
                "2004-01-02T15:00:00.040",
            ),
            ("next week @ next hour", "2000-01-08T11:00:00.000"),
            ("last month @ last hour", "1999-12-01T09:00:00.000"),
        ];
        for (expression, expected) in cases {
            assert_eq!(eval(expression), expected, "{expression:?}");
        }
    }

    #[test]
    fn date_expression_extensions() {
        let cases = [
            ("today + 2 hours", "2000-01-01T12:00:00.000"),
            ("+ 1 day @ midnight", "2000-01-02T00:00:00.000"),
            ("@ 2 o'clock", "2000-01-01T14:00:00.000"),
            ("@ noon", "2000-01-01T12:00:00.000"),
            ("TOMORROW @ Midnight", "2000-01-02T00:00:00.000"),
            ("+3 months", "2000-04-01T10:00:00.000"),
            ("- 30 minutes", "2000-01-01T09:30:00.000"),
            ("last year", "1999-01-01T10:00:00.000"),
            ("next year", "2001-01-01T10:00:00.000"),
            ("next day", "2000-01-02T10:00:00.000"),
            ("next saturday", "2000-01-08T10:00:00.000"),
            ("last saturday", "1999-12-25T10:00:00.000"),
            ("next tues", "2000-01-04T10:00:00.000"),
            ("last sept", "1999-09-01T10:00:00.000"),
            ("next december", "2000-12-01T10:00:00.000"),
            ("last january", "1999-01-01T10:00:00.000"),
            ("+ 2 fortnights", "2000-01-29T10:00:00.000"),
            ("12 o'clock", "2000-01-01T12:00:00.000"),
            ("12 o'clock am", "2000-01-01T00:00:00.000"),
            ("12 o'clock pm", "2000-01-01T12:00:00.000"),
            ("11 o'clock", "2000-01-01T11:00:00.000"),
            ("10 o'clock", "2000-01-01T22:00:00.000"),
            ("3pm", "2000-01-01T15:00:00.000"),
            ("7 am", "2000-01-01T07:00:00.000"),
            ("@ 9 oclock", "2000-01-01T21:00:00.000"),
            ("1 o\u{2019}clock am", "2000-01-01T01:00:00.000"),
            ("+ 1 day + 1 day - 3 days", "1999-12-31T10:00:00.000"),
            ("yesterday @ noon - 1 hour", "1999-12-31T11:00:00.000"),
            ("next june + 2 weeks @ 3 o'clock", "2000-06-15T15:00:00.000"),
            ("+ 0 days", "2000-01-01T10:00:00.000"),
        ];
        for (expression, expected) in cases {
            assert_eq!(eval(expression), expected, "{expression:?}");
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        let jan31 = fixed("2001-01-31T08:00:00+00:00[UTC]");
        let at = |e: &str| {
            evaluate_date_expression(e, &jan31)
                .unwrap()
                .strftime("%Y-%m-%d")
                .to_string()
        };
        assert_eq!(at("+ 1 month"), "2001-02-28");
        assert_eq!(at("- 2 months"), "2000-11-30");
        let leap = fixed("2000-02-29T08:00:00+00:00[UTC]");
        let z = evaluate_date_expression("+ 1 year", &leap).unwrap();
        assert_eq!(z.strftime("%Y-%m-%d").to_string(), "2001-02-28");
    }

    #[test]
    fn afternoon_clock_times_pick_the_next_one_today() {
        let afternoon = fixed("2000-01-01T15:30:00+00:00[UTC]");
        let at = |e: &str| {
            evaluate_date_expression(e, &afternoon)
                .unwrap()
                .strftime("%H:%M")
                .to_string()
        };
        assert_eq!(at("4 o'clock"), "16:00");
        assert_eq!(at("3 o'clock"), "15:00");
        assert_eq!(at("1 o'clock"), "13:00");
        assert_eq!(at("1 o'clock am"), "01:00");
    }

    #[test]
    fn offsets_are_kept() {
        let z = fixed("2000-01-01T23:30:00+10:00[+10:00]");
        let out = evaluate_date_expression("+ 1 hour", &z).unwrap();
        assert_eq!(out.to_string(), "2000-01-02T00:30:00+10:00[+10:00]");
    }

    #[test]
    fn invalid_date_expressions_are_errors_with_positions() {
        let cases = [
            ("not valid", 0, "unexpected 'not'"),
            ("+ 1", 3, "expected a unit"),
            ("+ day", 2, "expected a number"),
            ("+ 1 fortnite", 4, "expected a unit"),
            ("tomorrow noon", 9, "expected '+', '-' or '@'"),
            ("today @", 7, "expected a time after '@'"),
            ("@ tomorrow", 2, "is a date"),
            ("@ next monday", 7, "expected hour"),
            ("next", 4, "expected a unit, weekday or month"),
            ("next blue", 5, "unexpected 'blue'"),
            ("13 o'clock", 0, "from 1 to 12"),
            ("0 o'clock", 0, "from 1 to 12"),
            ("3", 1, "expected o'clock"),
            ("+ 1 day * 2", 8, "unexpected character '*'"),
            ("+ 99999999999999999999999 days", 2, "too large"),
            ("+ 1 day @ noon @ midnight", 15, "expected '+' or '-'"),
            ("+ 1 day - - 1 day", 10, "expected a number"),
        ];
        for (expression, position, reason) in cases {
            match evaluate_date_expression(expression, &base()) {
                Err(GenerateError::DateExpression {
                    position: p,
                    reason: r,
                    ..
                }) => {
                    assert_eq!(p, position, "{expression:?}: {r}");
                    assert!(r.contains(reason), "{expression:?}: {r}");
                }
                other => panic!("{expression:?}: expected an error, got {other:?}"),
            }
        }
    }

    #[test]
    fn out_of_range_dates_are_errors_not_panics() {
        for expression in [
            "+ 100000 years",
            "- 9223372036854775807 milliseconds",
            "+ 9223372036854775807 fortnights",
            "+ 9223372036854775807 days",
            "- 99999999 months",
        ] {
            let err = evaluate_date_expression(expression, &base()).unwrap_err();
            assert!(
                err.to_string().contains("out of range"),
                "{expression}: {err}"
            );
        }
    }

    #[test]
    fn date_generators_format_the_evaluated_moment() {
        let now = base();
        let ctx = GeneratorContext::consumer(None);
        let run = |g: Value| {
            let g = Generator::from_json(&g, "$").unwrap();
            value_with_clock(&g, &json!(""), &ctx, Clock::Fixed(&now))
                .unwrap()
                .unwrap()
        };
        assert_eq!(run(json!({"type": "Date"})), json!("2000-01-01"));
        assert_eq!(run(json!({"type": "Time"})), json!("10:00:00"));
        assert_eq!(
            run(json!({"type": "DateTime"})),
            json!("2000-01-01T10:00:00.000Z")
        );
        assert_eq!(
            run(json!({"type": "Date", "format": "dd/MM/yyyy", "expression": "next monday"})),
            json!("03/01/2000")
        );
        assert_eq!(
            run(json!({"type": "Time", "format": "h:mm a", "expression": "+ 1 hour"})),
            json!("11:00 AM")
        );
        assert_eq!(
            run(
                json!({"type": "DateTime", "format": "yyyy-MM-dd HH:mm", "expression": "+ 1 day @ midnight"})
            ),
            json!("2000-01-02 00:00")
        );
        let bad = Generator::Date {
            format: Some("yyyy-MM-dd'".into()),
            expression: None,
        };
        assert!(matches!(
            value_with_clock(&bad, &json!(""), &ctx, Clock::Fixed(&now)),
            Err(GenerateError::Format(_))
        ));
    }

    #[test]
    fn whole_interactions_use_the_injected_clock() {
        let now = base();
        let response = Response::from_json(
            &json!({
                "status": 200,
                "headers": {"Expires": "x"},
                "body": {"due": "2020-01-01"},
                "generators": {
                    "header": {"Expires": {"type": "Date", "expression": "tomorrow"}},
                    "body": {"$.due": {"type": "Date", "expression": "+ 1 week"}}
                }
            }),
            SpecVersion::V3,
            "$",
        )
        .unwrap();
        let out = response_with_clock(
            &response,
            &GeneratorContext::consumer(None),
            Clock::Fixed(&now),
        )
        .unwrap();
        assert_eq!(out.headers.first("expires"), Some("2000-01-02"));
        assert_eq!(
            out.body.content,
            BodyContent::Json(json!({"due": "2000-01-08"}))
        );
    }

    #[test]
    fn decimals_have_the_requested_digits() {
        for digits in [0, 1, 2, 3, 6, 10, 40] {
            for as_number in [false, true] {
                for _ in 0..50 {
                    let s = random_decimal(digits, as_number);
                    let (int, frac) = s.split_once('.').unwrap();
                    assert_eq!(int.len() + frac.len(), digits.max(2), "{s}");
                    assert!(!int.is_empty() && !frac.is_empty(), "{s}");
                    assert!(!int.starts_with('0') && !frac.ends_with('0'), "{s}");
                    if as_number {
                        assert!(int.len() <= 15, "{s}");
                    }
                }
            }
        }
    }

    #[test]
    fn regex_generation_handles_anchors_and_limits() {
        for regex in [
            r"^\d{3}-[a-z]+$",
            r"\w+@\w+\.com",
            r"(?i)abc|def",
            r"^a$|^b$",
            r".*",
            r"\bword\b",
            r"[^\x00-\x7F]{2}",
            r"x{0,4000}",
            "",
        ] {
            let s = generate_from_regex(regex).unwrap_or_else(|e| panic!("{regex}: {e}"));
            assert!(
                regex::Regex::new(&format!("^(?:{regex})$"))
                    .unwrap()
                    .is_match(&s),
                "{regex} -> {s:?}"
            );
        }
        for regex in [
            "(x",
            r"a{2000000}",
            r"((a{1000}){1000}){10}",
            r"a\bb",
            r"[^\s\S]",
        ] {
            assert!(generate_from_regex(regex).is_err(), "{regex}");
        }
    }

    #[test]
    fn provider_state_substitution() {
        let state: Map<String, Value> = serde_json::from_value(json!({
            "id": 42, "name": "Bob", "ok": true, "price": 1.5, "nested": {"a": [1]}
        }))
        .unwrap();
        let s = |e: &str| substitute(e, &state).unwrap();
        assert_eq!(s("${id}"), json!(42));
        assert_eq!(s("${ id }"), json!(42));
        assert_eq!(s("${nested}"), json!({"a": [1]}));
        assert_eq!(s("/items/${id}"), json!("/items/42"));
        assert_eq!(s("${name}-${id}-${ok}"), json!("Bob-42-true"));
        assert_eq!(s("no expression"), json!("no expression"));
        assert_eq!(s("$${id}}"), json!("$42}"));
        assert_eq!(s(""), json!(""));
        assert!(matches!(
            substitute("/x/${id", &state),
            Err(GenerateError::UnterminatedExpression { .. })
        ));
        let err = substitute("/x/${missing}", &state).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("'missing'") && text.contains("id, name"),
            "{text}"
        );
        let empty = Map::new();
        let text = substitute("${a}", &empty).unwrap_err().to_string();
        assert!(text.contains("none"), "{text}");
    }

    #[test]
    fn data_type_conversions() {
        let cases = [
            (json!("42"), "INTEGER", Some(json!(42))),
            (json!(" 42 "), "integer", Some(json!(42))),
            (json!(4.7), "INTEGER", Some(json!(4))),
            (json!(true), "INTEGER", Some(json!(1))),
            (json!("4.7"), "INTEGER", None),
            (json!([1]), "INTEGER", None),
            (json!(1e300), "INTEGER", None),
            (json!("4.5"), "DECIMAL", Some(json!(4.5))),
            (json!(4), "FLOAT", Some(json!(4.0))),
            (json!("x"), "FLOAT", None),
            (json!("NaN"), "FLOAT", None),
            (json!("TRUE"), "BOOLEAN", Some(json!(true))),
            (json!(0), "BOOLEAN", Some(json!(false))),
            (json!("yes"), "BOOLEAN", None),
            (json!(42), "STRING", Some(json!("42"))),
            (json!({"a": 1}), "RAW", Some(json!({"a": 1}))),
        ];
        for (value, data_type, expected) in cases {
            let got = convert(value.clone(), data_type).ok();
            assert_eq!(got, expected, "{value} as {data_type}");
        }
        assert!(matches!(
            convert(json!(1), "UUID"),
            Err(GenerateError::UnknownDataType { .. })
        ));
    }

    #[test]
    fn mock_server_urls() {
        let re = r".*(/orders/\d+)$";
        assert_eq!(
            mock_server_url(
                re,
                Some("http://localhost:1234/orders/7"),
                "",
                Some("http://127.0.0.1:9/")
            )
            .unwrap(),
            "http://127.0.0.1:9/orders/7"
        );
        // Falls back to the generator's own example.
        assert_eq!(
            mock_server_url(re, Some("nothing"), "http://x/orders/1", Some("http://m:1")).unwrap(),
            "http://m:1/orders/1"
        );
        assert!(matches!(
            mock_server_url(re, Some("a"), "b", Some("http://m")),
            Err(GenerateError::MockServerUrlNoMatch { .. })
        ));
        assert!(matches!(
            mock_server_url(re, Some("http://a/orders/1"), "", None),
            Err(GenerateError::NoMockServerUrl)
        ));
        assert!(matches!(
            mock_server_url("(", Some("a"), "", Some("http://m")),
            Err(GenerateError::Regex { .. })
        ));
    }

    #[test]
    fn oversized_and_inverted_generators_are_errors() {
        let ctx = GeneratorContext::consumer(None);
        for g in [
            Generator::RandomString { size: usize::MAX },
            Generator::RandomHexadecimal { digits: usize::MAX },
            Generator::RandomDecimal { digits: usize::MAX },
            Generator::RandomInt { min: 5, max: 1 },
        ] {
            assert!(
                matches!(
                    generate_value(&g, &json!(1), &ctx),
                    Err(GenerateError::Invalid { .. })
                ),
                "{g:?}"
            );
        }
        let full = Generator::RandomInt {
            min: i64::MIN,
            max: i64::MAX,
        };
        assert!(
            generate_value(&full, &json!(1), &ctx)
                .unwrap()
                .unwrap()
                .is_i64()
        );
    }

    #[test]
    fn path_selection() {
        let doc = json!({"a": [{"b": 1}, {"b": 2}, {"c": 3}], "m": {"x": 1, "y": 2}, "0": "zero"});
        let sel = |p: &str| {
            select(
                &doc,
                crate::contract::path::PathExpr::parse(p).unwrap().tokens(),
            )
            .iter()
            .map(|l| render(l))
            .collect::<Vec<_>>()
        };
        assert_eq!(sel("$"), ["$"]);
        assert_eq!(sel("$.a[*].b"), ["$.a[0].b", "$.a[1].b"]);
        assert_eq!(sel("$.a[1]"), ["$.a[1]"]);
        assert_eq!(sel("$.a.1.b"), ["$.a[1].b"]);
        assert_eq!(sel("$.m.*"), ["$.m.x", "$.m.y"]);
        assert_eq!(sel("$.m[*]"), Vec::<String>::new());
        assert_eq!(sel("$[0]"), ["$.0"]);
        assert_eq!(sel("$.nope.x"), Vec::<String>::new());
        assert_eq!(sel("$.a[9]"), Vec::<String>::new());
    }
}
