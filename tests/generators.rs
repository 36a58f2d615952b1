//! Generators applied through the public API, one table of cases run by one `check` helper.
//!
//! Each generator is checked in both directions: what it produces satisfies the matching rule it
//! would be paired with in a contract (RandomInt with `integer`, Uuid with a regex of its format,
//! Date with `date` in the same format, ...), and something fails: the value does not satisfy a
//! deliberately different rule, generation is an error (missing provider-state key, impossible
//! status), or the generator does not run in that mode and the input comes back unchanged.

use pactum::contract::{ContractError, Message, Request, Response, SpecVersion};
use pactum::generate::{
    GenerateError, GeneratorContext, Mode, generate_message, generate_request, generate_response,
    generate_value,
};
use pactum::matching::{Mismatch, match_message, match_request, match_response, render_text};
use serde_json::{Map, Value, json};

const MOCK_URL: &str = "http://127.0.0.1:41234";

/// Where the generator (and the rule) sit.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A JSON response body; the string is the path of both the generator and the rule, and the
    /// example is placed at `$.value`.
    Body(&'static str),
    /// A plain-text response body (`$`).
    TextBody,
    /// A form request body (generators there are not applied).
    FormBody,
    /// Request header `X-Value` (the generator is keyed `x-value`, to check case-insensitivity).
    Header,
    /// Request query parameter `value`, given twice.
    Query,
    /// Request path.
    Path,
    /// Request method.
    Method,
    /// Response status.
    Status,
    /// Message metadata key `value`.
    Metadata,
}

/// What must come out.
#[derive(Debug)]
enum Expect {
    /// The generated interaction matches the input carrying this rule at the generated part.
    Satisfies(Value),
    /// The generated interaction does not match the input carrying this rule.
    Violates(Value),
    /// The generated value (at `$.value` for bodies) is exactly this.
    Equals(Value),
    /// Generation fails; the error's text contains every one of these.
    Fails(&'static [&'static str]),
    /// The contract is refused when read, at this JSON path (the generator sits at `$.g`
    /// relative to its part, so only the end of the path is given), and the error's text
    /// contains every one of these.
    Refused(&'static str, &'static [&'static str]),
    /// Nothing is generated: the output equals the input.
    Unchanged,
}

struct Case {
    name: &'static str,
    part: Part,
    generator: Value,
    example: Value,
    mode: Mode,
    expect: Expect,
}

use Expect::*;
use Mode::{Consumer, Provider};
use Part::*;

fn case(
    name: &'static str,
    part: Part,
    generator: Value,
    example: Value,
    mode: Mode,
    expect: Expect,
) -> Case {
    Case {
        name,
        part,
        generator,
        example,
        mode,
        expect,
    }
}

fn provider_state() -> Map<String, Value> {
    match json!({
        "id": 42,
        "name": "Bob",
        "price": "10.50",
        "code": 201,
        "method": "PUT",
        "flag": "true"
    }) {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// The contract JSON of the part, with the generator and (optionally) a rule beside the example.
fn document(part: Part, generator: &Value, example: &Value, rule: Option<&Value>) -> Value {
    let rules = |r: &Value| json!({"combine": "AND", "matchers": [r]});
    let mut doc = match part {
        Body(path) => json!({
            "status": 200,
            "headers": {"Content-Type": "application/json"},
            "body": {
                "content": {"value": example, "untouched": "same"},
                "contentType": "application/json",
                "encoded": false
            },
            "generators": {"body": {path: generator}}
        }),
        TextBody => json!({
            "status": 200,
            "headers": {"Content-Type": "text/plain"},
            "body": {"content": example, "contentType": "text/plain", "encoded": false},
            "generators": {"body": {"$": generator}}
        }),
        FormBody => json!({
            "method": "POST",
            "path": "/",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            "body": {
                "content": format!("value={}", example.as_str().unwrap_or_default()),
                "contentType": "application/x-www-form-urlencoded",
                "encoded": false
            },
            "generators": {"body": {"$.value": generator}}
        }),
        Header => json!({
            "method": "GET",
            "path": "/",
            "headers": {"X-Value": example},
            "generators": {"header": {"x-value": generator}}
        }),
        Query => json!({
            "method": "GET",
            "path": "/",
            "query": {"value": [example, example]},
            "generators": {"query": {"value": generator}}
        }),
        Path => json!({"method": "GET", "path": example, "generators": {"path": generator}}),
        Method => json!({"method": example, "path": "/", "generators": {"method": generator}}),
        Status => json!({"status": example, "generators": {"status": generator}}),
        Metadata => json!({
            "contents": {"content": {"a": 1}, "contentType": "application/json"},
            "metadata": {"value": example},
            "generators": {"metadata": {"value": generator}}
        }),
    };
    if let Some(rule) = rule {
        doc["matchingRules"] = match part {
            Body(path) => json!({"body": {path: rules(rule)}}),
            TextBody | FormBody => json!({"body": {"$": rules(rule)}}),
            Header => json!({"header": {"X-Value": rules(rule)}}),
            Query => json!({"query": {"value": rules(rule)}}),
            Path => json!({"path": rules(rule)}),
            Method => json!({"method": rules(rule)}),
            Status => json!({"status": rules(rule)}),
            Metadata => json!({"metadata": {"value": rules(rule)}}),
        };
    }
    doc
}

/// A request, response or message read from contract JSON.
#[derive(Debug, PartialEq)]
enum Interaction {
    Request(Request),
    Response(Response),
    Message(Message),
}

impl Interaction {
    fn read(part: Part, doc: &Value) -> Result<Interaction, ContractError> {
        let spec = SpecVersion::V4;
        Ok(match part {
            Body(_) | TextBody | Status => {
                Interaction::Response(Response::from_json(doc, spec, "$")?)
            }
            FormBody | Header | Query | Path | Method => {
                Interaction::Request(Request::from_json(doc, spec, "$")?)
            }
            Metadata => Interaction::Message(Message::from_json(doc, spec, "$")?),
        })
    }

    fn generate(&self, ctx: &GeneratorContext) -> Result<Interaction, GenerateError> {
        Ok(match self {
            Interaction::Request(r) => Interaction::Request(generate_request(r, ctx)?),
            Interaction::Response(r) => Interaction::Response(generate_response(r, ctx)?),
            Interaction::Message(m) => Interaction::Message(generate_message(m, ctx)?),
        })
    }

    /// Mismatches of `actual` against `self` as the expectation.
    fn mismatches(&self, actual: &Interaction) -> Vec<Mismatch> {
        match (self, actual) {
            (Interaction::Request(e), Interaction::Request(a)) => match_request(e, a),
            (Interaction::Response(e), Interaction::Response(a)) => match_response(e, a),
            (Interaction::Message(e), Interaction::Message(a)) => match_message(e, a),
            _ => unreachable!("same kinds"),
        }
    }

    /// The generated part's value(s); query parameters give both values in an array.
    fn value(&self, part: Part) -> Value {
        use pactum::contract::BodyContent;
        match (self, part) {
            (Interaction::Response(r), Body(_)) => match &r.body.content {
                BodyContent::Json(v) => v["value"].clone(),
                other => panic!("the body is no longer JSON: {other:?}"),
            },
            (Interaction::Response(r), TextBody) => json!(r.body.display_text()),
            (Interaction::Response(r), Status) => json!(r.status),
            (Interaction::Request(r), FormBody) => json!(r.body.display_text()),
            (Interaction::Request(r), Header) => json!(r.headers.first("X-Value")),
            (Interaction::Request(r), Query) => json!(r.query["value"]),
            (Interaction::Request(r), Path) => json!(r.path),
            (Interaction::Request(r), Method) => json!(r.method),
            (Interaction::Message(m), Metadata) => m.metadata["value"].clone(),
            _ => unreachable!("the part decides the kind"),
        }
    }
}

/// Runs one case; returns what went wrong, if anything.
fn check(case: &Case) -> Result<(), String> {
    let state = provider_state();
    let ctx = GeneratorContext {
        mode: case.mode,
        provider_state: &state,
        mock_server_url: Some(MOCK_URL),
    };
    let rule = match &case.expect {
        Satisfies(rule) | Violates(rule) => Some(rule),
        _ => None,
    };
    let read = Interaction::read(
        case.part,
        &document(case.part, &case.generator, &case.example, rule),
    );
    let input = match (&case.expect, read) {
        (Refused(path_end, needles), Err(e)) => {
            let text = e.to_string();
            if !e.path.ends_with(path_end) {
                return Err(format!(
                    "the error '{text}' is not at a path ending '{path_end}'"
                ));
            }
            if std::error::Error::source(&e).is_none() {
                return Err(format!("the error '{text}' does not keep its cause"));
            }
            return match needles.iter().find(|n| !text.contains(**n)) {
                None => Ok(()),
                Some(n) => Err(format!("the error '{text}' does not mention '{n}'")),
            };
        }
        (Refused(..), Ok(_)) => return Err("expected the contract to be refused when read".into()),
        (_, Err(e)) => return Err(format!("the contract was refused: {e}")),
        (_, Ok(input)) => input,
    };
    // The example must start on the other side of the rule, so that the verdict on the
    // generated value proves something was generated.
    let example_ok = input.mismatches(&input).is_empty();
    match (&case.expect, example_ok) {
        (Satisfies(_), true) => {
            return Err("the example already satisfies the rule; the case proves nothing".into());
        }
        (Violates(_), false) => {
            return Err("the example already violates the rule; the case proves nothing".into());
        }
        _ => {}
    }
    let generated = input.generate(&ctx);
    match (&case.expect, generated) {
        (Fails(needles), Err(e)) => {
            let text = e.to_string();
            match needles.iter().find(|n| !text.contains(**n)) {
                None => Ok(()),
                Some(n) => Err(format!("the error '{text}' does not mention '{n}'")),
            }
        }
        (Fails(_), Ok(out)) => Err(format!(
            "expected an error, generated {}",
            out.value(case.part)
        )),
        (Refused(..), _) => unreachable!("refused cases return once read"),
        (_, Err(e)) => Err(format!("generation failed: {e}")),
        (Unchanged, Ok(out)) if out == input => Ok(()),
        (Unchanged, Ok(out)) => Err(format!(
            "expected no change, but {} became {}",
            input.value(case.part),
            out.value(case.part)
        )),
        (Equals(want), Ok(out)) if out.value(case.part) == *want => Ok(()),
        (Equals(want), Ok(out)) => Err(format!(
            "expected {want}, generated {}",
            out.value(case.part)
        )),
        (Satisfies(_), Ok(out)) => {
            let mismatches = input.mismatches(&out);
            if mismatches.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "generated {} does not satisfy the rule:\n{}",
                    out.value(case.part),
                    render_text(&mismatches)
                ))
            }
        }
        (Violates(_), Ok(out)) => {
            if input.mismatches(&out).is_empty() {
                Err(format!(
                    "generated {} unexpectedly satisfies the rule",
                    out.value(case.part)
                ))
            } else {
                Ok(())
            }
        }
    }
}

fn regex(r: &str) -> Value {
    json!({"match": "regex", "regex": r})
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    const HYPHENATED: &str = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";
    const UPPER: &str = "[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}";
    const UUID_LOWER: &str = "936da01f-9abd-4d9d-80c7-02af85c822a8";
    const UUID_UPPER: &str = "936DA01F-9ABD-4D9D-80C7-02AF85C822A8";
    const UUID_SIMPLE: &str = "936da01f9abd4d9d80c702af85c822a8";
    const SIX_DIGIT_DECIMAL: &str =
        r"[1-9]\.\d{4}[1-9]|[1-9]\d\.\d{3}[1-9]|[1-9]\d{2}\.\d{2}[1-9]|[1-9]\d{3}\.\d[1-9]|[1-9]\d{4}\.[1-9]";
    let value = Body("$.value");
    let random_int = json!({"type": "RandomInt", "min": 1, "max": 1000});
    let decimal = json!({"type": "RandomDecimal", "digits": 5});
    let hex = json!({"type": "RandomHexadecimal", "digits": 8});
    let string = json!({"type": "RandomString", "size": 12});
    let pattern = json!({"type": "Regex", "regex": r"^\d{3}-[A-Z]{2}$"});
    let uuid = |format: &str| json!({"type": "Uuid", "format": format});
    let date = json!({"type": "Date", "format": "yyyy-MM-dd"});
    let time = json!({"type": "Time", "format": "HH:mm"});
    let midnight = json!({
        "type": "DateTime",
        "format": "yyyy-MM-dd'T'HH:mm:ss",
        "expression": "+ 1 day @ midnight"
    });
    let state = |e: &str| json!({"type": "ProviderState", "expression": e});
    let typed = |e: &str, t: &str| json!({"type": "ProviderState", "expression": e, "dataType": t});
    let mock = json!({
        "type": "MockServerURL",
        "example": "http://localhost:8080/orders/1",
        "regex": r".*(/orders/\d+)$"
    });
    vec![
        // RandomInt
        case("RandomInt is an integer", value, random_int.clone(), json!(1.5), Consumer, Satisfies(json!({"match": "integer"}))),
        case("RandomInt is not a decimal", value, random_int.clone(), json!(1.5), Consumer, Violates(json!({"match": "decimal"}))),
        case("RandomInt keeps to its range", value, json!({"type": "RandomInt", "min": 7, "max": 7}), json!(0), Provider, Equals(json!(7))),
        case("RandomInt in a header is digits", Header, random_int.clone(), json!("x"), Provider, Satisfies(regex(r"\d{1,4}"))),
        case("RandomInt in a header is not letters", Header, random_int.clone(), json!("abc"), Provider, Violates(regex("[a-z]+"))),
        case("RandomInt in every query value", Query, random_int.clone(), json!("x"), Provider, Satisfies(json!({"match": "integer"}))),
        case("RandomInt in the query is not a date", Query, random_int.clone(), json!("2000-01-01"), Provider, Violates(json!({"match": "date"}))),
        // RandomDecimal
        case("RandomDecimal number is a decimal", value, decimal.clone(), json!(1), Consumer, Satisfies(json!({"match": "decimal"}))),
        case("RandomDecimal number is not an integer", value, decimal.clone(), json!(1), Consumer, Violates(json!({"match": "integer"}))),
        case("RandomDecimal string has six digits", value, json!({"type": "RandomDecimal", "digits": 6}), json!("1.5"), Consumer, Satisfies(regex(SIX_DIGIT_DECIMAL))),
        case("RandomDecimal string is not digits alone", value, decimal.clone(), json!("15"), Consumer, Violates(regex(r"\d+"))),
        // RandomHexadecimal
        case("RandomHexadecimal has its digits", value, hex.clone(), json!("zz"), Consumer, Satisfies(regex("[0-9a-f]{8}"))),
        case("RandomHexadecimal has no more", value, hex.clone(), json!("abcdef012"), Consumer, Violates(regex("[0-9a-f]{9}"))),
        // RandomString
        case("RandomString is alphanumeric of its size", value, string.clone(), json!("x"), Consumer, Satisfies(regex("[A-Za-z0-9]{12}"))),
        case("RandomString is not shorter", value, string.clone(), json!("abcdefghijk"), Consumer, Violates(regex("[A-Za-z0-9]{11}"))),
        case("RandomString as the whole text body", TextBody, string.clone(), json!("hello"), Consumer, Satisfies(regex("[A-Za-z0-9]{12}"))),
        // Regex
        case("Regex satisfies its own regex", value, pattern.clone(), json!("x"), Consumer, Satisfies(regex(r"^\d{3}-[A-Z]{2}$"))),
        case("Regex does not satisfy another", value, pattern.clone(), json!("1234-AB"), Consumer, Violates(regex(r"\d{4}-[A-Z]{2}"))),
        case("Regex with invalid syntax", value, json!({"type": "Regex", "regex": "[a-"}), json!("x"), Consumer, Refused("generators.body['$.value'].regex", &["invalid regular expression '[a-'"])),
        case("Regex that can be too long", Query, json!({"type": "Regex", "regex": "x{2000000}"}), json!("x"), Provider, Refused(".query['value'].regex", &["longer than the limit"])),
        case("Regex that matches nothing", Method, json!({"type": "Regex", "regex": "[^\\s\\S]"}), json!("GET"), Provider, Refused(".method.regex", &["unsatisfiable"])),
        case("Regex generates a path", Path, json!({"type": "Regex", "regex": r"/items/\d{1,5}"}), json!("/x"), Provider, Satisfies(regex(r"/items/\d+"))),
        case("Regex path is not another path", Path, json!({"type": "Regex", "regex": r"/items/\d{1,5}"}), json!("/orders/1"), Provider, Violates(regex(r"/orders/\d+"))),
        case("Regex generates a method", Method, json!({"type": "Regex", "regex": "GET|POST"}), json!("PUT"), Provider, Satisfies(regex("GET|POST"))),
        case("Regex method is not DELETE", Method, json!({"type": "Regex", "regex": "GET|POST"}), json!("DELETE"), Provider, Violates(regex("DELETE"))),
        // Uuid
        case("Uuid default is lower-case hyphenated", value, json!({"type": "Uuid"}), json!(""), Consumer, Satisfies(regex(HYPHENATED))),
        case("Uuid lower-case is not upper-case", value, uuid("lower-case-hyphenated"), json!(UUID_UPPER), Consumer, Violates(regex(UPPER))),
        case("Uuid upper-case hyphenated", value, uuid("upper-case-hyphenated"), json!(""), Consumer, Satisfies(regex(UPPER))),
        case("Uuid upper-case is not lower-case", value, uuid("upper-case-hyphenated"), json!(UUID_LOWER), Consumer, Violates(regex(HYPHENATED))),
        case("Uuid simple", value, uuid("simple"), json!(""), Consumer, Satisfies(regex("[0-9a-f]{32}"))),
        case("Uuid simple has no hyphens", value, uuid("simple"), json!(UUID_LOWER), Consumer, Violates(regex(HYPHENATED))),
        case("Uuid URN", value, uuid("URN"), json!(""), Consumer, Satisfies(regex(&format!("urn:uuid:{HYPHENATED}")))),
        case("Uuid URN is not bare", value, uuid("URN"), json!(UUID_LOWER), Consumer, Violates(regex(HYPHENATED))),
        case("Uuid in message metadata", Metadata, json!({"type": "Uuid"}), json!("x"), Consumer, Satisfies(regex(HYPHENATED))),
        case("Uuid in metadata is not simple", Metadata, json!({"type": "Uuid"}), json!(UUID_SIMPLE), Consumer, Violates(regex("[0-9a-f]{32}"))),
        // Date, Time, DateTime
        case("Date in its format", value, date.clone(), json!("x"), Consumer, Satisfies(json!({"match": "date", "format": "yyyy-MM-dd"}))),
        case("Date not in another format", value, date.clone(), json!("01/01/2000"), Consumer, Violates(json!({"match": "date", "format": "dd/MM/yyyy"}))),
        case("Date without a format is ISO", value, json!({"type": "Date", "expression": "next monday"}), json!(""), Consumer, Satisfies(json!({"match": "date"}))),
        case("Date is not a time", value, json!({"type": "Date"}), json!("10:00:00"), Consumer, Violates(json!({"match": "time"}))),
        case("Date in a header", Header, json!({"type": "Date", "format": "EEE, dd MMM yyyy", "expression": "tomorrow"}), json!("x"), Provider, Satisfies(json!({"match": "date", "format": "EEE, dd MMM yyyy"}))),
        case("Time in its format", value, time.clone(), json!("x"), Consumer, Satisfies(json!({"match": "time", "format": "HH:mm"}))),
        case("Time has no seconds", value, time.clone(), json!("10:00:00"), Consumer, Violates(json!({"match": "time", "format": "HH:mm:ss"}))),
        case("Time without a format is ISO", value, json!({"type": "Time", "expression": "noon + 30 minutes"}), json!(""), Consumer, Satisfies(json!({"match": "time"}))),
        case("DateTime at midnight in its format", value, midnight.clone(), json!(""), Consumer, Satisfies(json!({"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ss"}))),
        case("DateTime at midnight is at midnight", value, midnight.clone(), json!(""), Consumer, Satisfies(regex(r"\d{4}-\d\d-\d\dT00:00:00"))),
        case("DateTime not in another format", value, midnight.clone(), json!("2000-01-01 10:00"), Consumer, Violates(json!({"match": "datetime", "format": "yyyy-MM-dd HH:mm"}))),
        case("DateTime without a format is ISO", value, json!({"type": "DateTime", "expression": "today + 2 hours"}), json!(""), Consumer, Satisfies(json!({"match": "datetime"}))),
        case("DateTime is not a bare date", value, json!({"type": "DateTime"}), json!("2000-01-01"), Consumer, Violates(json!({"match": "date"}))),
        case("Date with a bad expression", value, json!({"type": "Date", "expression": "next blursday"}), json!(""), Consumer, Refused("generators.body['$.value'].expression", &["invalid date expression 'next blursday'", "'blursday'"])),
        case("Date out of range", value, json!({"type": "Date", "expression": "+ 100000 years"}), json!(""), Consumer, Fails(&["body $.value", "out of range"])),
        case("Date with a bad format", Header, json!({"type": "Date", "format": "yyyy-MM-dd B"}), json!("x"), Provider, Refused(".header['x-value'].format", &["invalid date/time pattern 'yyyy-MM-dd B'"])),
        case("Time with a bad expression after @", Metadata, json!({"type": "Time", "expression": "@ tomorrow"}), json!("x"), Consumer, Refused(".metadata['value'].expression", &["'tomorrow' is a date"])),
        // RandomBoolean
        case("RandomBoolean is a boolean", value, json!({"type": "RandomBoolean"}), json!(0), Consumer, Satisfies(json!({"match": "boolean"}))),
        case("RandomBoolean is not an integer", value, json!({"type": "RandomBoolean"}), json!(0), Consumer, Violates(json!({"match": "integer"}))),
        case("RandomBoolean in the query", Query, json!({"type": "RandomBoolean"}), json!("x"), Provider, Satisfies(json!({"match": "boolean"}))),
        // ProviderState
        case("ProviderState keeps the value's type", value, state("${id}"), json!(1), Provider, Equals(json!(42))),
        case("ProviderState whole value is an integer", value, state("${id}"), json!(1.5), Provider, Satisfies(json!({"match": "integer"}))),
        case("ProviderState whole value is not a decimal", value, state("${id}"), json!(1.5), Provider, Violates(json!({"match": "decimal"}))),
        case("ProviderState with text is a string", value, state("item-${id}"), json!("item-1"), Provider, Equals(json!("item-42"))),
        case("ProviderState STRING", value, typed("${id}", "STRING"), json!("1"), Provider, Equals(json!("42"))),
        case("ProviderState DECIMAL", value, typed("${price}", "DECIMAL"), json!(1), Provider, Satisfies(json!({"match": "decimal"}))),
        case("ProviderState BOOLEAN", value, typed("${flag}", "BOOLEAN"), json!(false), Provider, Equals(json!(true))),
        case("ProviderState INTEGER of a decimal string", value, typed("${price}", "INTEGER"), json!(1), Provider, Fails(&["cannot convert \"10.50\" to INTEGER"])),
        case("ProviderState unknown dataType", value, typed("${id}", "MONEY"), json!(1), Provider, Refused("generators.body['$.value'].dataType", &["unknown dataType 'MONEY'"])),
        case("ProviderState dataType in lower case", value, typed("${price}", "integer"), json!(1), Provider, Fails(&["cannot convert \"10.50\" to INTEGER"])),
        case("ProviderState missing key", value, state("/items/${missing}"), json!("/items/1"), Provider, Fails(&["body $.value", "'missing'", "available: code, flag, id, method, name, price"])),
        case("ProviderState unterminated", value, state("/items/${id"), json!("/items/1"), Provider, Fails(&["unterminated"])),
        case("ProviderState does not run for the consumer", value, state("${id}"), json!(1), Consumer, Unchanged),
        case("ProviderState path", Path, state("/items/${id}"), json!("/items/1"), Provider, Equals(json!("/items/42"))),
        case("ProviderState path satisfies its regex", Path, state("/items/${id}"), json!("/x"), Provider, Satisfies(regex(r"/items/\d+"))),
        case("ProviderState path is not the example", Path, state("/items/${id}"), json!("/items/1"), Provider, Violates(json!({"match": "equality"}))),
        case("ProviderState path missing key", Path, state("/items/${nope}"), json!("/items/1"), Provider, Fails(&["path: ", "'nope'"])),
        case("ProviderState header", Header, state("Bearer ${name}"), json!("Bearer x"), Provider, Equals(json!("Bearer Bob"))),
        case("ProviderState query, every value", Query, state("${name}"), json!("x"), Provider, Equals(json!(["Bob", "Bob"]))),
        case("ProviderState method", Method, state("${method}"), json!("POST"), Provider, Equals(json!("PUT"))),
        case("ProviderState status", Status, state("${code}"), json!(200), Provider, Equals(json!(201))),
        case("ProviderState status as text", Status, state("${code}"), json!(500), Provider, Satisfies(json!({"match": "statusCode", "status": "success"}))),
        case("ProviderState status that is no status", Status, state("${name}"), json!(200), Provider, Fails(&["status: ", "\"Bob\"", "not an HTTP status code"])),
        case("ProviderState metadata", Metadata, state("${id}"), json!(1), Provider, Equals(json!(42))),
        case("ProviderState text body", TextBody, state("Hello ${name}"), json!("Hello x"), Provider, Equals(json!("Hello Bob"))),
        // MockServerURL
        case("MockServerURL points at the mock server", value, mock.clone(), json!("http://localhost:8080/orders/1"), Consumer, Equals(json!(format!("{MOCK_URL}/orders/1")))),
        case("MockServerURL satisfies the mock server's URL", value, mock.clone(), json!("http://localhost:8080/orders/1"), Consumer, Satisfies(regex(r"http://127\.0\.0\.1:41234/orders/\d+"))),
        case("MockServerURL is not the example's host", value, mock.clone(), json!("http://localhost:8080/orders/1"), Consumer, Violates(regex(r"http://localhost:8080/.*"))),
        case("MockServerURL keeps the example's own path", Header, mock.clone(), json!("http://localhost:8080/orders/99"), Consumer, Equals(json!(format!("{MOCK_URL}/orders/99")))),
        case("MockServerURL does not run for the provider", value, mock.clone(), json!("http://localhost:8080/orders/1"), Provider, Unchanged),
        case("MockServerURL with an invalid regex", Status, json!({"type": "MockServerURL", "example": "http://x/1", "regex": "(/1"}), json!(200), Consumer, Refused(".status.regex", &["invalid regular expression '(/1'"])),
        case("MockServerURL regex without a match", value, json!({"type": "MockServerURL", "example": "nothing", "regex": r".*(/orders/\d+)$"}), json!("nothing here"), Consumer, Fails(&["has no first group matching 'nothing here'"])),
        // Status
        case("RandomInt status is a status", Status, json!({"type": "RandomInt", "min": 200, "max": 299}), json!(500), Consumer, Satisfies(json!({"match": "statusCode", "status": "success"}))),
        case("RandomInt status is not a client error", Status, json!({"type": "RandomInt", "min": 200, "max": 299}), json!(404), Consumer, Violates(json!({"match": "statusCode", "status": "clientError"}))),
        case("RandomInt status out of range", Status, json!({"type": "RandomInt", "min": 600, "max": 700}), json!(200), Consumer, Fails(&["status: ", "not an HTTP status code (100-599)"])),
        // Application
        case("a wildcard reaches every element", Body("$.value[*].id"), random_int.clone(), json!([{"id": 1.5}, {"id": 2.5}, {"id": 3.5}]), Consumer, Satisfies(json!({"match": "integer"}))),
        case("a wildcard leaves no example behind", Body("$.value[*].id"), json!({"type": "RandomInt", "min": 5, "max": 5}), json!([{"id": 0}, {"id": 1}]), Consumer, Equals(json!([{"id": 5}, {"id": 5}]))),
        case("a star reaches every field", Body("$.value.*"), json!({"type": "RandomString", "size": 3}), json!({"a": "x", "b": "y"}), Consumer, Satisfies(regex("[A-Za-z0-9]{3}"))),
        case("a path that selects nothing is skipped", Body("$.nothing.here"), random_int.clone(), json!(0), Consumer, Unchanged),
        case("form bodies are left alone", FormBody, json!({"type": "RandomString", "size": 4}), json!("x"), Provider, Unchanged),
    ]
}

#[test]
fn every_generator_case() {
    let cases = cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} generator cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn random_generators_are_random_and_repeatable_cases_are_stable() {
    // The random cases are run a few more times: a rule that holds only by luck shows up here.
    for _ in 0..20 {
        for c in cases() {
            if let Err(e) = check(&c) {
                panic!("{}: {e}", c.name);
            }
        }
    }
    let state = Map::new();
    let ctx = GeneratorContext::provider(&state);
    let g = pactum::contract::Generator::RandomString { size: 16 };
    let a = generate_value(&g, &json!(""), &ctx).unwrap();
    let b = generate_value(&g, &json!(""), &ctx).unwrap();
    assert_ne!(a, b, "two 16-character random strings were equal");
}

#[test]
fn generate_value_reports_mode_filtering_as_none() {
    let state = provider_state();
    let provider = GeneratorContext::provider(&state);
    let consumer = GeneratorContext::consumer(Some(MOCK_URL));
    let ps = pactum::contract::Generator::ProviderState {
        expression: "${id}".into(),
        data_type: None,
    };
    let url = pactum::contract::Generator::MockServerUrl {
        example: "http://x/a".into(),
        regex: pactum::contract::generators::MockServerUrlRegex::new(".*(/a)$").unwrap(),
    };
    assert_eq!(
        generate_value(&ps, &json!(0), &provider).unwrap(),
        Some(json!(42))
    );
    assert_eq!(generate_value(&ps, &json!(0), &consumer).unwrap(), None);
    assert_eq!(
        generate_value(&url, &json!("http://x/a"), &consumer).unwrap(),
        Some(json!(format!("{MOCK_URL}/a")))
    );
    assert_eq!(
        generate_value(&url, &json!("http://x/a"), &provider).unwrap(),
        None
    );
    // Consumer side without a URL is an error, not a silent example.
    let no_url = GeneratorContext::consumer(None);
    let err = generate_value(&url, &json!("http://x/a"), &no_url).unwrap_err();
    assert!(matches!(err, GenerateError::NoMockServerUrl), "{err}");
}

#[test]
fn errors_carry_their_location() {
    let response = Response::from_json(
        &json!({
            "status": 200,
            "body": {"items": [{"id": 1}, {"id": 2}]},
            "generators": {"body": {"$.items[*].id": {"type": "ProviderState", "expression": "${nope}"}}}
        }),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let state = provider_state();
    let err = generate_response(&response, &GeneratorContext::provider(&state)).unwrap_err();
    assert!(err.to_string().starts_with("body $.items[0].id: "), "{err}");
    assert!(
        matches!(err.innermost(), GenerateError::MissingProviderStateValue { name, .. } if name == "nope"),
        "{err:?}"
    );
}

#[test]
fn a_generator_for_an_absent_header_or_query_parameter_produces_it() {
    let request = Request::from_json(
        &json!({
            "method": "GET",
            "path": "/",
            "generators": {
                "header": {"X-Test": {"type": "RandomInt", "min": 1, "max": 10}},
                "query": {"v1": {"type": "RandomInt", "min": 1, "max": 10}}
            }
        }),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let generated = generate_request(&request, &GeneratorContext::consumer(None)).unwrap();
    let in_range = |text: &str| text.parse::<i64>().is_ok_and(|n| (1..=10).contains(&n));
    let header = generated
        .headers
        .get("X-Test")
        .expect("the header is generated");
    assert!(header.len() == 1 && in_range(&header[0]), "{header:?}");
    let query = generated
        .query
        .get("v1")
        .expect("the parameter is generated");
    assert!(query.len() == 1 && in_range(&query[0]), "{query:?}");

    // A generator that does not run on this side adds nothing.
    let provider_only = Request::from_json(
        &json!({"method": "GET", "path": "/",
            "generators": {"header": {"X-Id": {"type": "ProviderState", "expression": "${id}"}}}}),
        SpecVersion::V3,
        "$",
    )
    .unwrap();
    let generated = generate_request(&provider_only, &GeneratorContext::consumer(None)).unwrap();
    assert!(
        generated.headers.get("X-Id").is_none(),
        "{:?}",
        generated.headers
    );
}
