//! Applying generators: turning the examples in a contract into fresh values at replay time.
//!
//! A contract's [`Generators`] say which parts of a request, response or message are to be
//! replaced when the interaction is played: a random id, today's date, a value the
//! provider-state setup returned, the running mock server's URL. This module produces those
//! values ([`generate_value`]) and applies them to a whole [`Request`], [`Response`] or
//! [`Message`] ([`generate_request`], [`generate_response`], [`generate_message`]), returning a
//! copy with the generated values in place. The copy keeps its matching rules and generators.
//! Contracts are input, so output is bounded: one generator produces at most
//! [`MAX_GENERATED_LEN`] bytes, and the generators of one request, response or message at most
//! [`MAX_GENERATED_TOTAL`] together.
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

use jiff::Zoned;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use rand::Rng;
use serde_json::{Map, Number, Value, json};

use crate::contract::generators::{
    DataType, DataTypeKind, GeneratorRegex, MAX_GENERATED_LEN, MockServerUrlRegex, UuidFormat,
};
use crate::contract::path::PathToken;
use crate::contract::rules::DateFormat;
use crate::contract::{
    Body, BodyContent, ContentKind, Generator, Generators, Headers, Message, Request, Response,
};
use crate::date_expression::{DateExpression, DateExpressionError};
use crate::datetime::DateTimePattern;

/// The most bytes (about, written as JSON) the generators of one request, response or message
/// may produce together. Each generator is limited to [`MAX_GENERATED_LEN`], but a contract can
/// hold hundreds of them, or one on a wildcard path over a large array; past this total the
/// whole generation is refused rather than building a body of gigabytes.
pub const MAX_GENERATED_TOTAL: usize = 16 << 20;

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
    /// A `Regex` generator found no sample its whole expression matches.
    #[error("cannot generate a value from regular expression '{regex}': {reason}")]
    Regex {
        /// The expression.
        regex: String,
        /// What went wrong.
        reason: String,
    },
    /// A date expression (`+ 1 day @ midnight`) named a moment out of range.
    #[error(transparent)]
    DateExpression(#[from] DateExpressionError),
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
        data_type: DataType,
        /// Why not.
        reason: String,
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
    /// The generated values of one request, response or message add up to more than
    /// [`MAX_GENERATED_TOTAL`] bytes.
    #[error(
        "the generated values add up to more than the limit of {limit} bytes for one request, \
         response or message"
    )]
    TooMuch {
        /// The limit, in bytes.
        limit: usize,
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
///   example), as a path on the mock server: see `mock_server_url`.
///
/// Date expressions are described on [`DateExpression`].
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
        Generator::Regex { regex } => Value::String(sample_regex(regex)?),
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
            &ISO_DATE,
            format,
            expression.as_ref(),
            &clock.now(),
        )?),
        Generator::Time { format, expression } => Value::String(date_like(
            &ISO_TIME,
            format,
            expression.as_ref(),
            &clock.now(),
        )?),
        Generator::DateTime { format, expression } => Value::String(date_like(
            &ISO_DATE_TIME,
            format,
            expression.as_ref(),
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

fn sample_regex(regex: &GeneratorRegex) -> Result<String, GenerateError> {
    let mut rng = rand::rng();
    for _ in 0..REGEX_ATTEMPTS {
        let sample: Result<String, FromUtf8Error> = rng.sample(regex.sampler());
        if let Ok(s) = sample
            && regex.matches_whole(&s)
        {
            return Ok(s);
        }
    }
    Err(GenerateError::Regex {
        regex: regex.as_str().to_string(),
        reason: format!(
            "none of {REGEX_ATTEMPTS} attempts matched the whole expression (anchors or word \
             boundaries inside the expression may make it unsatisfiable)"
        ),
    })
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
fn convert(value: Value, data_type: &DataType) -> Result<Value, GenerateError> {
    let fail = |value: &Value, reason: &str| GenerateError::Conversion {
        value: value.to_string(),
        data_type: data_type.clone(),
        reason: reason.to_string(),
    };
    match data_type.kind() {
        DataTypeKind::Raw => Ok(value),
        DataTypeKind::String => Ok(Value::String(text_of(&value))),
        DataTypeKind::Integer => match &value {
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
        DataTypeKind::Decimal | DataTypeKind::Float => {
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
        DataTypeKind::Boolean => match &value {
            Value::Null => Ok(Value::Bool(false)),
            Value::Bool(_) => Ok(value),
            Value::Number(n) => Ok(Value::Bool(n.as_f64().is_some_and(|f| f > 0.0))),
            Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(fail(&value, "it is not true or false")),
        },
    }
}

fn mock_server_url(
    regex: &MockServerUrlRegex,
    example: Option<&str>,
    own_example: &str,
    base: Option<&str>,
) -> Result<String, GenerateError> {
    let part = example
        .and_then(|e| regex.first_group(e))
        .or_else(|| regex.first_group(own_example))
        .ok_or_else(|| GenerateError::MockServerUrlNoMatch {
            regex: regex.as_str().to_string(),
            example: example.unwrap_or(own_example).to_string(),
        })?;
    let base = base.ok_or(GenerateError::NoMockServerUrl)?;
    // The part is a path (with its query) on the mock server, whatever the contract says:
    // appended after exactly one `/`, so `:9000/x` or `@elsewhere/x` cannot become the port or
    // the host, and with what cannot appear in a URL percent-encoded.
    const NOT_IN_URL: &AsciiSet = &CONTROLS
        .add(b' ')
        .add(b'"')
        .add(b'<')
        .add(b'>')
        .add(b'\\')
        .add(b'^')
        .add(b'`')
        .add(b'{')
        .add(b'|')
        .add(b'}');
    Ok(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        utf8_percent_encode(part.trim_start_matches('/'), NOT_IN_URL)
    ))
}

// ---------------------------------------------------------------------------------------------
// Dates and date expressions

/// The ISO 8601 forms generators use when they have no format, parsed once.
static ISO_DATE: LazyLock<DateTimePattern> = LazyLock::new(|| iso_pattern("yyyy-MM-dd"));
static ISO_TIME: LazyLock<DateTimePattern> = LazyLock::new(|| iso_pattern("HH:mm:ss"));
static ISO_DATE_TIME: LazyLock<DateTimePattern> =
    LazyLock::new(|| iso_pattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"));

fn iso_pattern(pattern: &str) -> DateTimePattern {
    match DateTimePattern::parse(pattern) {
        Ok(p) => p,
        // A constant of this file; the unit tests parse all three.
        Err(e) => unreachable!("built-in pattern: {e}"),
    }
}

fn date_like(
    iso: &DateTimePattern,
    format: &DateFormat,
    expression: Option<&DateExpression>,
    now: &Zoned,
) -> Result<String, GenerateError> {
    let at = match expression {
        Some(e) => e.evaluate(now)?,
        None => now.clone(),
    };
    Ok(format.0.as_ref().unwrap_or(iso).format(&at))
}

// ---------------------------------------------------------------------------------------------
// Applying generators to requests, responses and messages

/// One pass of generators over a request, response or message: who is replaying, the clock,
/// and how many bytes have been generated so far (see [`MAX_GENERATED_TOTAL`]).
struct Run<'a, 'c> {
    ctx: &'a GeneratorContext<'c>,
    clock: Clock<'a>,
    generated: usize,
}

impl<'a, 'c> Run<'a, 'c> {
    fn new(ctx: &'a GeneratorContext<'c>, clock: Clock<'a>) -> Self {
        Run {
            ctx,
            clock,
            generated: 0,
        }
    }

    /// A generated value, counted against the total.
    fn value(
        &mut self,
        generator: &Generator,
        example: &Value,
    ) -> Result<Option<Value>, GenerateError> {
        let value = value_with_clock(generator, example, self.ctx, self.clock)?;
        if let Some(v) = &value {
            self.generated = self.generated.saturating_add(json_size(v));
            if self.generated > MAX_GENERATED_TOTAL {
                return Err(GenerateError::TooMuch {
                    limit: MAX_GENERATED_TOTAL,
                });
            }
        }
        Ok(value)
    }

    /// A generated value as text (for headers, query parameters, the path and the method).
    fn text(
        &mut self,
        generator: &Generator,
        example: &str,
    ) -> Result<Option<String>, GenerateError> {
        Ok(self
            .value(generator, &Value::String(example.to_string()))?
            .map(|v| text_of(&v)))
    }
}

/// About how many bytes a value takes written as JSON (strings by their length, numbers at
/// most 24), without writing it.
fn json_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 5,
        Value::Number(_) => 24,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(json_size).fold(2, usize::saturating_add),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.len() + 3).saturating_add(json_size(v)))
            .fold(2, usize::saturating_add),
    }
}

fn request_with_clock(
    request: &Request,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Request, GenerateError> {
    let run = &mut Run::new(ctx, clock);
    let mut out = request.clone();
    let generators = &request.generators;
    if let Some(g) = &generators.method
        && let Some(method) = run.text(g, &out.method).map_err(|e| e.at("method"))?
    {
        out.method = method;
    }
    if let Some(g) = &generators.path
        && let Some(path) = run.text(g, &out.path).map_err(|e| e.at("path"))?
    {
        out.path = path;
    }
    for (name, g) in &generators.query {
        let at = |e: GenerateError| e.at(format!("query parameter '{name}'"));
        match out.query.get_mut(name) {
            Some(values) => {
                for value in values.iter_mut() {
                    if let Some(new) = run.text(g, value).map_err(at)? {
                        *value = new;
                    }
                }
            }
            // A generator for a parameter the example leaves out still produces it.
            None => {
                if let Some(new) = run.text(g, "").map_err(at)? {
                    out.query.insert(name.clone(), vec![new]);
                }
            }
        }
    }
    apply_headers(&mut out.headers, generators, run)?;
    let headers = out.headers.clone();
    apply_body(&mut out.body, &headers, generators, run)?;
    Ok(out)
}

fn response_with_clock(
    response: &Response,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Response, GenerateError> {
    let run = &mut Run::new(ctx, clock);
    let mut out = response.clone();
    let generators = &response.generators;
    if let Some(g) = &generators.status
        && let Some(value) = run
            .value(g, &json!(out.status))
            .map_err(|e| e.at("status"))?
    {
        out.status = status_code(&value).map_err(|e| e.at("status"))?;
    }
    apply_headers(&mut out.headers, generators, run)?;
    let headers = out.headers.clone();
    apply_body(&mut out.body, &headers, generators, run)?;
    Ok(out)
}

fn message_with_clock(
    message: &Message,
    ctx: &GeneratorContext,
    clock: Clock,
) -> Result<Message, GenerateError> {
    let run = &mut Run::new(ctx, clock);
    let mut out = message.clone();
    let generators = &message.generators;
    for (key, g) in &generators.metadata {
        if let Some(value) = out.metadata.get_mut(key)
            && let Some(new) = run
                .value(g, value)
                .map_err(|e| e.at(format!("metadata '{key}'")))?
        {
            *value = new;
        }
    }
    let mut headers = Headers::new();
    if let Some(ct) = message.content_type() {
        headers.add("Content-Type", ct);
    }
    apply_body(&mut out.contents, &headers, generators, run)?;
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
    run: &mut Run,
) -> Result<(), GenerateError> {
    for (name, g) in &generators.header {
        let Some(values) = headers.get(name) else {
            // A generator for a header the example leaves out still produces it.
            if let Some(new) = run
                .text(g, "")
                .map_err(|e| e.at(format!("header '{name}'")))?
            {
                headers.add(name, new);
            }
            continue;
        };
        let mut new_values = Vec::with_capacity(values.len());
        let mut changed = false;
        for value in values {
            match run
                .text(g, value)
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
    run: &mut Run,
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
                    if let Some(new) = run.value(g, node).map_err(|e| e.at(rendered()))? {
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
                if let Some(new) = run.text(g, text).map_err(|e| e.at("body $"))? {
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

    #[test]
    fn the_iso_defaults_parse() {
        for pattern in [&ISO_DATE, &ISO_TIME, &ISO_DATE_TIME] {
            assert!(!pattern.as_str().is_empty());
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
        let out_of_range = Generator::from_json(
            &json!({"type": "Date", "expression": "+ 100000 years"}),
            "$",
        )
        .unwrap();
        assert!(matches!(
            value_with_clock(&out_of_range, &json!(""), &ctx, Clock::Fixed(&now)),
            Err(GenerateError::DateExpression(_))
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
            let compiled = GeneratorRegex::new(regex).unwrap_or_else(|e| panic!("{regex}: {e}"));
            let s = sample_regex(&compiled).unwrap_or_else(|e| panic!("{regex}: {e}"));
            assert!(
                regex::Regex::new(&format!("^(?:{regex})$"))
                    .unwrap()
                    .is_match(&s),
                "{regex} -> {s:?}"
            );
        }
        // Refused when compiled (that is, when the contract is read).
        for regex in ["(x", r"a{2000000}", r"((a{1000}){1000}){10}", r"[^\s\S]"] {
            assert!(GeneratorRegex::new(regex).is_err(), "{regex}");
        }
        // Valid, but no sample matches the whole expression: refused when generating.
        let boundary = GeneratorRegex::new(r"a\bb").unwrap();
        assert!(matches!(
            sample_regex(&boundary),
            Err(GenerateError::Regex { .. })
        ));
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
            let got = convert(value.clone(), &DataType::parse(data_type).unwrap()).ok();
            assert_eq!(got, expected, "{value} as {data_type}");
        }
        assert!(DataType::parse("UUID").is_err());
    }

    #[test]
    fn mock_server_urls() {
        let re = &MockServerUrlRegex::new(r".*(/orders/\d+)$").unwrap();
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
        assert!(MockServerUrlRegex::new("(").is_err());
    }

    #[test]
    fn a_mock_server_url_stays_on_the_mock_server() {
        let url = |regex: &str, example: &str| {
            let re = MockServerUrlRegex::new(regex).unwrap();
            mock_server_url(&re, Some(example), "", Some("http://127.0.0.1:9")).unwrap()
        };
        assert_eq!(
            url(r"^http://x(.*)$", "http://x:19401/steal"),
            "http://127.0.0.1:9/:19401/steal"
        );
        assert_eq!(
            url(r"^http://x(.*)$", "http://x@evil.example/x"),
            "http://127.0.0.1:9/@evil.example/x"
        );
        assert_eq!(
            url(r"^http://x(.*)$", "http://x//evil.example/x"),
            "http://127.0.0.1:9/evil.example/x"
        );
        assert_eq!(
            url(r".*/(orders/\d+)$", "http://x/orders/7"),
            "http://127.0.0.1:9/orders/7"
        );
        assert_eq!(
            url(r"^http://x(.*)$", "http://x/a b\\c?q=1&r=%20#f"),
            "http://127.0.0.1:9/a%20b%5Cc?q=1&r=%20#f"
        );
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
    fn generated_output_is_capped_per_response() {
        // Provider-state values of 1 MiB stand in for `RandomString`s of 1 MiB: the total is
        // the same, and copying is fast where drawing 16 MiB of random text in a debug build
        // is not.
        let mut state = Map::new();
        state.insert("big".into(), json!("x".repeat(MAX_GENERATED_LEN)));
        let ctx = GeneratorContext::provider(&state);
        let mib = json!({"type": "ProviderState", "expression": "${big}"});
        let response = |fields: usize| {
            let body: Map<String, Value> =
                (0..fields).map(|i| (format!("f{i}"), json!(""))).collect();
            let generators: Map<String, Value> = (0..fields)
                .map(|i| (format!("$.f{i}"), mib.clone()))
                .collect();
            Response::from_json(
                &json!({"status": 200, "body": body, "generators": {"body": generators}}),
                SpecVersion::V3,
                "$",
            )
            .unwrap()
        };
        // Under the total: every field is generated in full.
        let fine = generate_response(&response(15), &ctx).unwrap();
        let BodyContent::Json(doc) = &fine.body.content else {
            panic!("not JSON: {:?}", fine.body.content);
        };
        for i in 0..15 {
            assert_eq!(
                doc[format!("f{i}")].as_str().map(str::len),
                Some(MAX_GENERATED_LEN)
            );
        }
        // Each value within its own limit, but together over the total.
        let err = generate_response(&response(500), &ctx).unwrap_err();
        assert!(
            matches!(err.innermost(), GenerateError::TooMuch { limit } if *limit == MAX_GENERATED_TOTAL),
            "{err}"
        );
        assert!(err.to_string().starts_with("body $.f"), "{err}");
        // One generator on a wildcard over a large array counts every element.
        let items = vec![json!("x"); 40];
        let wildcard = Response::from_json(
            &json!({"status": 200, "body": {"items": items},
                    "generators": {"body": {"$.items[*]": mib}}}),
            SpecVersion::V3,
            "$",
        )
        .unwrap();
        let err = generate_response(&wildcard, &ctx).unwrap_err();
        assert!(
            matches!(err.innermost(), GenerateError::TooMuch { .. }),
            "{err}"
        );
        // Headers count toward the same total as the body.
        let mut request = Request::from_json(
            &json!({"method": "GET", "path": "/", "headers": {"X-A": "a"},
                    "body": {"f": ""},
                    "generators": {"header": {"X-A": mib}, "body": {"$.f": mib}}}),
            SpecVersion::V3,
            "$",
        )
        .unwrap();
        assert!(generate_request(&request, &ctx).is_ok());
        for i in 0..15 {
            request.headers.add(&format!("X-{i}"), "v");
            request
                .generators
                .header
                .insert(format!("X-{i}"), Generator::from_json(&mib, "$").unwrap());
        }
        let err = generate_request(&request, &ctx).unwrap_err();
        assert!(
            matches!(err.innermost(), GenerateError::TooMuch { .. }),
            "{err}"
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
