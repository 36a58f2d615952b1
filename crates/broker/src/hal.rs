//! HAL+JSON plumbing shared by the API handlers: responses, errors, request bodies, hrefs.
//!
//! The resources themselves are `pactum_broker_api` structs; this module turns them into
//! responses (`application/hal+json`), reads request bodies into them (size-limited, large ones
//! on a blocking thread and taking turns; a member of the wrong type is a 400 naming it), and
//! builds absolute hrefs from the broker's base URL with each path segment percent-encoded.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pactum_broker_api::{ErrorBody, Link, Notice};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::AppState;
use super::blocking::{LARGE_BODY, by_size};
use super::store::StoreError;

/// The media type of every broker response.
pub const HAL_JSON: &str = "application/hal+json;charset=utf-8";

/// A resource with a status.
pub struct Hal<T>(pub StatusCode, pub T);

impl<T: Serialize> Hal<T> {
    /// 200 with `body`.
    pub fn ok(body: T) -> Self {
        Hal(StatusCode::OK, body)
    }
}

impl<T: Serialize> IntoResponse for Hal<T> {
    fn into_response(self) -> Response {
        match serde_json::to_string(&self.1) {
            Ok(text) => hal_text(self.0, text),
            Err(error) => {
                tracing::error!(%error, "cannot serialise a response");
                ApiError::with_status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the broker cannot write this resource; see its log",
                )
                .into_response()
            }
        }
    }
}

/// 201 with `body` and `Location: location` — or, when the resource already existed, 200 with
/// `body`.
pub fn saved<T: Serialize>(created: bool, body: T, location: Option<&Link>) -> Response {
    if !created {
        return Hal::ok(body).into_response();
    }
    let mut response = Hal(StatusCode::CREATED, body).into_response();
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(&l.href).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
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
    body: ErrorBody,
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
            body: ErrorBody::message(message),
        }
    }

    /// A request body (or query) that does not read as its wire type: 400 naming the member
    /// (`contracts[0].content`), or `body` when the document as a whole is wrong.
    fn unreadable(error: serde_path_to_error::Error<serde_json::Error>) -> Self {
        let path = error.path().to_string();
        let at = |field: &str| match path.as_str() {
            "." => field.to_owned(),
            parent => format!("{parent}.{field}"),
        };
        let message = error.into_inner().to_string();
        // serde reports a missing member at its parent; name the member itself.
        if let Some(field) = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            return ApiError::invalid(&at(field), "is required");
        }
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::invalid(&field, message)
    }
}

/// Reads a request document (a JSON body, or a query string parsed into JSON) as its wire type.
pub fn read<T: DeserializeOwned>(document: Value) -> ApiResult<T> {
    serde_path_to_error::deserialize(document).map_err(ApiError::unreadable)
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Invalid(fields) => {
                let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for (field, message) in fields {
                    errors.entry(field).or_default().push(message);
                }
                ApiError {
                    status: StatusCode::BAD_REQUEST,
                    body: ErrorBody::invalid(errors),
                }
            }
            StoreError::NotFound(message) => ApiError::with_status(StatusCode::NOT_FOUND, message),
            StoreError::Conflict { field, message } => ApiError {
                status: StatusCode::CONFLICT,
                body: ErrorBody {
                    notices: vec![Notice::new("error", message.clone())],
                    ..ErrorBody::invalid(BTreeMap::from([(field.into(), vec![message])]))
                },
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

/// Middleware: requests with a large body (more than [`LARGE_BODY`] bytes declared, or a body
/// of unknown length) take turns, at most `LARGE_BODIES_AT_ONCE` at a time, from before the
/// body is read until the answer is ready. Parsing and storing a contract takes several times
/// its size in memory for a while; without turns, concurrent large publications would add that
/// up without bound. Small requests — nearly all — never wait.
pub async fn large_bodies_take_turns(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let large = match declared {
        Some(length) => length > LARGE_BODY,
        None => request.headers().contains_key(header::TRANSFER_ENCODING),
    };
    let _turn = if large {
        // The semaphore is never closed.
        state.large_bodies.clone().acquire_owned().await.ok()
    } else {
        None
    };
    next.run(request).await
}

/// The body of a request, up to the broker's size limit: 413 above it.
async fn limited_body(request: Request, state: &AppState) -> ApiResult<Bytes> {
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
    axum::body::to_bytes(request.into_body(), limit)
        .await
        .map_err(|_| too_large())
}

/// Whether a body is empty apart from whitespace (the official clients PUT versions and tags
/// with no body).
fn blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

fn not_json(error: serde_json::Error) -> ApiError {
    ApiError::invalid(
        "body",
        format!("the request body is not valid JSON: {error}"),
    )
}

/// A JSON request body read as `T`, up to the broker's size limit. An empty body reads as `{}`
/// (the official clients PUT versions and tags with no body). A large body is read on a
/// blocking thread.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + Send + 'static> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = limited_body(request, state).await?;
        by_size(bytes.len(), move || {
            let document = if blank(&bytes) {
                Value::Object(serde_json::Map::new())
            } else {
                serde_json::from_slice(&bytes).map_err(not_json)?
            };
            drop(bytes);
            read(document).map(JsonBody)
        })
        .await
    }
}

/// Whether `json` is a JSON object — `Ok(false)` when it is other JSON — checked without
/// building it.
pub fn is_json_object(json: &[u8]) -> Result<bool, serde_json::Error> {
    use serde::de::IgnoredAny;
    match serde_json::from_slice::<BTreeMap<String, IgnoredAny>>(json) {
        Ok(_) => Ok(true),
        Err(error) if error.is_data() => serde_json::from_slice::<IgnoredAny>(json).map(|_| false),
        Err(error) => Err(error),
    }
}

/// A request body that is a JSON object, kept as its text (a contract PUT as the body is
/// stored from its text, without ever being one parsed value). An empty body reads as `{}`.
pub struct JsonObjectText(pub Arc<[u8]>);

impl FromRequest<AppState> for JsonObjectText {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = limited_body(request, state).await?;
        if blank(&bytes) {
            return Ok(JsonObjectText(Arc::from(&b"{}"[..])));
        }
        by_size(bytes.len(), move || match is_json_object(&bytes) {
            Ok(true) => Ok(JsonObjectText(Arc::from(&bytes[..]))),
            Ok(false) => Err(ApiError::invalid(
                "body",
                "the request body must be a JSON object",
            )),
            Err(error) => Err(not_json(error)),
        })
        .await
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

/// An empty 204 response (DELETE).
pub fn no_content() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    response
}
