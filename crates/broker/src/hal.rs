//! HAL+JSON plumbing shared by the API handlers: responses, errors, request bodies, hrefs.
//!
//! HAL is `_links` (relation → `{href, title?, name?, templated?}` or an array of them) and
//! `_embedded`; `serde_json::json!` writes that directly, so there is no HAL type here, only
//! the pieces every handler needs: absolute hrefs built from the broker's base URL with each
//! path segment percent-encoded, a JSON-only error type, and a size-limited JSON body.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};

use super::AppState;
use super::store::StoreError;

/// The media type of every broker response.
pub const HAL_JSON: &str = "application/hal+json;charset=utf-8";

/// A HAL document with a status.
pub struct Hal(pub StatusCode, pub Value);

impl Hal {
    /// 200 with `body`.
    pub fn ok(body: Value) -> Self {
        Hal(StatusCode::OK, body)
    }

    /// 201 with `body` and a `Location` of its self link.
    pub fn created(body: Value) -> Response {
        let location = body
            .pointer("/_links/self/href")
            .and_then(Value::as_str)
            .and_then(|href| HeaderValue::from_str(href).ok());
        let mut response = Hal(StatusCode::CREATED, body).into_response();
        if let Some(location) = location {
            response.headers_mut().insert(header::LOCATION, location);
        }
        response
    }
}

impl IntoResponse for Hal {
    fn into_response(self) -> Response {
        let mut response = (self.0, self.1.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(HAL_JSON));
        response
    }
}

/// A HAL response from already-serialised JSON.
pub fn hal_text(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(HAL_JSON));
    response
}

/// An error response; always a JSON body, so clients that reject non-JSON replies can read it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Value,
}

impl ApiError {
    /// 400 with `{"errors": {field: [message]}}`, the shape every official client parses.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ApiError::from(StoreError::invalid(field, message))
    }

    /// 404 with a message.
    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::from(StoreError::NotFound(message.into()))
    }

    /// Any status with `{"error": {"message": …}}`.
    pub fn with_status(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: json!({"error": {"message": message.into()}}),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(fields) => {
                let mut errors = serde_json::Map::new();
                for (field, message) in fields {
                    let entry = errors.entry(field).or_insert_with(|| json!([]));
                    entry
                        .as_array_mut()
                        .expect("array")
                        .push(Value::String(message));
                }
                ApiError {
                    status: StatusCode::BAD_REQUEST,
                    body: json!({ "errors": errors }),
                }
            }
            StoreError::NotFound(message) => ApiError::with_status(StatusCode::NOT_FOUND, message),
            StoreError::Conflict(message) => ApiError {
                status: StatusCode::CONFLICT,
                body: json!({
                    "errors": {"contracts": [message.clone()]},
                    "notices": [{"type": "error", "text": message}],
                }),
            },
            StoreError::Db(error) => {
                // The detail goes to the log, not to clients.
                tracing::error!(%error, "database failure");
                ApiError::with_status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the broker's database failed; see the broker log",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        Hal(self.status, self.body).into_response()
    }
}

/// The handlers' result type.
pub type ApiResult<T = Response> = Result<T, ApiError>;

/// A JSON request body, read up to the broker's size limit. An empty body reads as `{}` (the
/// official clients PUT versions and tags with no body).
pub struct JsonBody(pub Value);

impl FromRequest<AppState> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let limit = state.config.max_body_bytes;
        let too_large = || {
            ApiError::with_status(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the request body is larger than the broker's limit of {limit} bytes; \
                     raise it with --max-body-size (PACTUM_MAX_BODY_SIZE)"
                ),
            )
        };
        let declared = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|length| length > limit) {
            return Err(too_large());
        }
        let bytes = axum::body::to_bytes(request.into_body(), limit)
            .await
            .map_err(|_| too_large())?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(JsonBody(json!({})));
        }
        serde_json::from_slice(&bytes)
            .map(JsonBody)
            .map_err(|error| {
                ApiError::invalid(
                    "body",
                    format!("the request body is not valid JSON: {error}"),
                )
            })
    }
}

/// The base URL hrefs are built on: `--public-base-url`, or the scheme-less `Host` the client
/// used.
pub struct Base(pub String);

impl FromRequestParts<AppState> for Base {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(base) = &state.config.public_base_url {
            return Ok(Base(base.trim_end_matches('/').to_owned()));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .map(str::to_owned)
            .unwrap_or_else(|| state.config.listen_address());
        Ok(Base(format!("http://{host}")))
    }
}

/// Characters encoded in an href path segment: everything but unreserved characters, so `/` in
/// a branch name becomes `%2F` and the segment stays one segment.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^')
    .add(b'[')
    .add(b']')
    .add(b'+')
    .add(b'&')
    .add(b'=');

/// Percent-encodes one path segment.
pub fn seg(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// Builds an absolute href from a base and already-encoded path segments.
pub fn href(base: &str, segments: &[&str]) -> String {
    let mut out = base.to_owned();
    for segment in segments {
        out.push('/');
        out.push_str(&seg(segment));
    }
    out
}

/// A link object.
pub fn link(href: String, title: &str) -> Value {
    json!({"href": href, "title": title})
}

/// A link object with a name.
pub fn named_link(href: String, title: &str, name: &str) -> Value {
    json!({"href": href, "title": title, "name": name})
}

/// A templated link object.
pub fn templated(href: String, title: &str) -> Value {
    json!({"href": href, "title": title, "templated": true})
}

/// Reads an optional string property of a JSON body; a value of another type is a 400.
pub fn opt_str(body: &Value, field: &str) -> ApiResult<Option<String>> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(ApiError::invalid(
            field,
            format!("must be a string, got {other}"),
        )),
    }
}

/// Reads a required, non-blank string property.
pub fn req_str(body: &Value, field: &str) -> ApiResult<String> {
    match opt_str(body, field)? {
        Some(text) if !text.trim().is_empty() => Ok(text),
        _ => Err(ApiError::invalid(
            field,
            "is required and must not be blank",
        )),
    }
}

/// Checks a name (pacticipant, version, branch, tag, environment) for the characters the
/// broker cannot store in a URL or a single line.
pub fn check_name(field: &str, value: &str) -> ApiResult<()> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(field, "must not be blank"));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::invalid(
            field,
            format!("must be a single line without control characters, got {value:?}"),
        ));
    }
    if value.len() > 255 {
        return Err(ApiError::invalid(field, "must be at most 255 bytes long"));
    }
    Ok(())
}

/// Removes `null` members from a resource, recursively, as the Pact Broker's representers do:
/// clients such as the official Rust CLI read optional strings as "absent or a string" and fail
/// on `null`. Only for the broker's own resources, never for contract content.
pub fn compact(mut value: Value) -> Value {
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|_, v| !v.is_null());
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

/// Makes a response body from any JSON for places that need a `Response`.
pub fn respond(status: StatusCode, body: Value) -> Response {
    Hal(status, body).into_response()
}

/// An empty 204 response (DELETE).
pub fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
