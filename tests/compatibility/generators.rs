//! Generator steps (`V3/generators.feature`, `V3/http_generators.feature`,
//! `V4/generators.feature`): a request or response with generators from pact-file JSON, run
//! through `pactum::generate` for the consumer or the provider side, and the generated values
//! checked by kind.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use pactum::contract::{Body, Generators, Headers, Request, Response};
use pactum::generate::{GeneratorContext, Mode, generate_request, generate_response};
use regex::Regex;
use serde_json::{Map, Value};

use crate::CompatWorld;
use crate::support;

/// A generator scenario.
#[derive(Default)]
pub struct GeneratorState {
    /// The request with generators.
    pub request: Option<Request>,
    /// The response with generators.
    pub response: Option<Response>,
    /// Consumer (mock server) or provider (verifier) side; the consumer side unless set.
    pub mode: Option<Mode>,
    /// The generated request.
    pub generated_request: Option<Request>,
    /// The generated response.
    pub generated_response: Option<Response>,
}

/// The value at a simple JSON path (`$.a.b`, `$.a[0]`).
pub fn value_at<'a>(json: &'a Value, path: &str) -> &'a Value {
    let expr = pactum::contract::path::PathExpr::parse(path).expect("a JSON path");
    let mut node = json;
    for token in expr.tokens().iter().skip(1) {
        node = match token {
            pactum::contract::path::PathToken::Field(name) => &node[name.as_str()],
            pactum::contract::path::PathToken::Index(i) => &node[*i],
            other => panic!("{path}: {other:?} is not a single value"),
        };
    }
    node
}

fn matches(pattern: &str, text: &str) -> bool {
    Regex::new(&format!("^(?:{pattern})$"))
        .expect("a valid pattern")
        .is_match(text)
}

/// Checks that a generated value is of the kind the suite names. Numbers and booleans may be
/// written as JSON or as text: pactum keeps the JSON type of the example it replaces (the
/// suite's examples are strings), so a generated integer replacing `"a"` is `"986"`.
pub fn assert_generated(value: &Value, kind: &str) {
    let text = value.as_str();
    let written = text
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string());
    let ok = match kind {
        "integer" => {
            (value.is_i64() || value.is_u64() || value.is_string()) && matches(r"-?\d+", &written)
        }
        "decimal number" => {
            (value.is_f64() || value.is_string()) && matches(r"-?\d+\.\d+", &written)
        }
        "hexadecimal number" => text.is_some_and(|t| matches("[0-9a-fA-F]+", t)),
        "random string" => text.is_some_and(|t| !t.is_empty()),
        "string from the regex" => text.is_some_and(|t| matches(r"\d{1,8}", t)),
        "date" => text.is_some_and(|t| matches(r"\d{4}-\d{2}-\d{2}", t)),
        "time" => text.is_some_and(|t| matches(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?", t)),
        "date-time" => text.is_some_and(|t| {
            matches(
                r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?",
                t,
            )
        }),
        "UUID" | "lower-case-hyphenated UUID" => text.is_some_and(|t| {
            matches(
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                t,
            )
        }),
        "simple UUID" => text.is_some_and(|t| matches("[0-9a-f]{32}", t)),
        "upper-case-hyphenated UUID" => text.is_some_and(|t| {
            matches(
                "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
                t,
            )
        }),
        "URN UUID" => text.is_some_and(|t| {
            matches(
                "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                t,
            )
        }),
        "boolean" => value.is_boolean() || matches!(text, Some("true" | "false")),
        other => panic!("unknown generated kind {other:?}"),
    };
    assert!(ok, "{value} is not a generated {kind}");
}

/// Reads a "configured with the following generators" table: `body` and `generators`.
fn configured(step: &Step) -> (Body, Headers, Generators) {
    let row = support::rows(support::table(step))
        .into_iter()
        .next()
        .expect("a row");
    let mut body = Body::missing();
    let mut headers = Headers::new();
    if let Some(spec) = support::cell(&row, "body").and_then(|b| support::body_spec(b, None)) {
        body = Body::from_bytes(&spec.bytes, Some(&spec.content_type));
        body.content_type = Some(spec.content_type.clone());
        headers.add("Content-Type", spec.content_type);
    }
    let generators = support::cell(&row, "generators")
        .map(|g| {
            Generators::from_json(&support::json_or_fixture(g), "$.generators")
                .unwrap_or_else(|e| panic!("the suite's generators do not load: {e}"))
        })
        .unwrap_or_default();
    (body, headers, generators)
}

#[given("a request configured with the following generators:")]
fn request_configured(world: &mut CompatWorld, step: &Step) {
    let (body, headers, generators) = configured(step);
    world.generators.request = Some(Request {
        method: "GET".into(),
        path: "/path/one".into(),
        headers,
        body,
        generators,
        ..Request::default()
    });
}

#[given("a response configured with the following generators:")]
fn response_configured(world: &mut CompatWorld, step: &Step) {
    let (body, headers, generators) = configured(step);
    world.generators.response = Some(Response {
        status: 200,
        headers,
        body,
        generators,
        ..Response::default()
    });
}

#[given(expr = "the generator test mode is set as {string}")]
fn test_mode(world: &mut CompatWorld, mode: String) {
    world.generators.mode = Some(match mode.as_str() {
        "Consumer" => Mode::Consumer,
        "Provider" => Mode::Provider,
        other => panic!("unknown generator test mode {other:?}"),
    });
}

fn prepare_request(world: &mut CompatWorld, state: &Map<String, Value>, url: Option<&str>) {
    let context = GeneratorContext {
        mode: world.generators.mode.unwrap_or(Mode::Consumer),
        provider_state: state,
        mock_server_url: url,
    };
    let request = world.generators.request.as_ref().expect("a request");
    world.generators.generated_request = Some(
        generate_request(request, &context)
            .unwrap_or_else(|e| panic!("generating the request failed: {e}")),
    );
}

#[when("the request is prepared for use")]
fn request_prepared(world: &mut CompatWorld) {
    prepare_request(world, &Map::new(), None);
}

#[when(expr = "the request is prepared for use with a {string} context:")]
fn request_prepared_with_context(world: &mut CompatWorld, step: &Step, kind: String) {
    let table = support::table(step);
    let Value::Object(context) =
        serde_json::from_str(&table.rows[0][0]).expect("the context is JSON")
    else {
        panic!("the context is a JSON object");
    };
    match kind.as_str() {
        "providerState" => prepare_request(world, &context, None),
        "mockServer" => {
            let href = context["href"].as_str().expect("an href").to_string();
            prepare_request(world, &Map::new(), Some(&href));
        }
        other => panic!("unknown generator context {other:?}"),
    }
}

#[when("the response is prepared for use")]
fn response_prepared(world: &mut CompatWorld) {
    let context = GeneratorContext {
        mode: world.generators.mode.unwrap_or(Mode::Consumer),
        provider_state: &Map::new(),
        mock_server_url: None,
    };
    let response = world.generators.response.as_ref().expect("a response");
    world.generators.generated_response = Some(
        generate_response(response, &context)
            .unwrap_or_else(|e| panic!("generating the response failed: {e}")),
    );
}

fn generated_body(world: &CompatWorld) -> Value {
    let body = match (
        &world.generators.generated_request,
        &world.generators.generated_response,
    ) {
        (Some(request), _) => &request.body,
        (None, Some(response)) => &response.body,
        _ => panic!("nothing was prepared"),
    };
    match &body.content {
        pactum::contract::BodyContent::Json(v) => v.clone(),
        other => panic!("the generated body is not JSON: {other:?}"),
    }
}

#[then(expr = "the body value for {string} will have been replaced with a(n) {string}")]
fn body_replaced_with_kind(world: &mut CompatWorld, path: String, kind: String) {
    let body = generated_body(world);
    assert_generated(value_at(&body, &path), &kind);
}

#[then(expr = "the body value for {string} will have been replaced with {string}")]
fn body_replaced_with_value(world: &mut CompatWorld, path: String, text: String) {
    let body = generated_body(world);
    let value = value_at(&body, &path);
    let shown = value
        .as_str()
        .map(str::to_string)
        .unwrap_or(value.to_string());
    assert_eq!(shown, text, "generated {value}");
}

/// `path`, `status`, `header[NAME]` or `queryParameter[NAME]` of a generated part.
fn part(request: Option<&Request>, response: Option<&Response>, what: &str) -> String {
    let name_in = |prefix: &str| {
        what.strip_prefix(prefix)
            .and_then(|w| w.strip_suffix(']'))
            .map(str::to_string)
    };
    let headers = request.map(|r| &r.headers).or(response.map(|r| &r.headers));
    if what == "path" {
        request.expect("a request").path.clone()
    } else if what == "status" {
        response.expect("a response").status.to_string()
    } else if let Some(name) = name_in("header[") {
        let values = headers
            .and_then(|h| h.get(&name))
            .unwrap_or_else(|| panic!("no header {name}"));
        values.join(", ")
    } else if let Some(name) = name_in("queryParameter[") {
        let values = request
            .expect("a request")
            .query
            .get(&name)
            .unwrap_or_else(|| panic!("no query parameter {name}"));
        values.join("&")
    } else {
        panic!("unknown part {what:?}")
    }
}

#[then(expr = "the request {string} will be set as {string}")]
fn request_part_set(world: &mut CompatWorld, what: String, value: String) {
    let request = world.generators.generated_request.as_ref();
    assert_eq!(part(request, None, &what), value);
}

#[then(expr = "the request {string} will match {string}")]
fn request_part_matches(world: &mut CompatWorld, what: String, pattern: String) {
    let text = part(world.generators.generated_request.as_ref(), None, &what);
    assert!(matches(&pattern, &text), "{what} = {text:?}");
}

#[then(expr = "the response {string} will not be {string}")]
fn response_part_not(world: &mut CompatWorld, what: String, value: String) {
    let text = part(None, world.generators.generated_response.as_ref(), &what);
    assert_ne!(text, value);
}

#[then(expr = "the response {string} will match {string}")]
fn response_part_matches(world: &mut CompatWorld, what: String, pattern: String) {
    let text = part(None, world.generators.generated_response.as_ref(), &what);
    assert!(matches(&pattern, &text), "{what} = {text:?}");
}
