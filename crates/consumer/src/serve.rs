//! Serving contract interactions over HTTP: what the consumer mock server and `pactum stub`
//! share.
//!
//! Converts HTTP requests into the contract model and responses back, answers CORS
//! pre-flights, and finds the interaction for a request through an index: interactions are
//! keyed by method and literal path, so only the few candidates with the right method and path
//! (plus those whose path is a matcher) are compared in full. It does not decide what happens
//! when nothing matches — that is the caller's policy.

use std::collections::HashMap;
use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;

use pactum_core::contract::{Body, Request, Response, parse_query_string};
use pactum_core::matching::{Mismatch, match_request};

/// Largest request body read (bytes); larger requests get 413.
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;

/// Converts an HTTP request into the contract model. The body is kept as received and parsed
/// only if a matcher needs it.
pub(crate) fn to_request(
    method: &Method,
    uri: &axum::http::Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Request {
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .into_owned();
    let mut model = Request {
        method: method.as_str().to_string(),
        path,
        query: uri.query().map(parse_query_string).unwrap_or_default(),
        body: Body::received(body),
        ..Request::default()
    };
    for (name, value) in headers {
        model.headers.add(
            name.as_str(),
            String::from_utf8_lossy(value.as_bytes()).into_owned(),
        );
    }
    model
}

/// Renders a contract response as an HTTP response, adding a `Content-Type` from the body when
/// the response declares none.
pub(crate) fn to_http(response: &Response) -> axum::response::Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut headers = HeaderMap::new();
    for (name, values) in response.headers.iter() {
        if pactum_core::contract::is_framing_header(name) {
            continue;
        }
        let Ok(name) = HeaderName::try_from(name) else {
            continue;
        };
        for value in values {
            if let Ok(value) = HeaderValue::try_from(value.as_str()) {
                headers.append(name.clone(), value);
            }
        }
    }
    let bytes = response.body.to_bytes();
    if !bytes.is_empty()
        && !headers.contains_key(axum::http::header::CONTENT_TYPE)
        && let Some(ct) = response.body.content_type_with(&response.headers)
        && let Ok(value) = HeaderValue::try_from(ct)
    {
        headers.insert(axum::http::header::CONTENT_TYPE, value);
    }
    (status, headers, bytes).into_response()
}

/// A CORS pre-flight answer, if `request` is one (an `OPTIONS` with
/// `Access-Control-Request-Method`).
pub(crate) fn preflight(request: &Request) -> Option<axum::response::Response> {
    if !request.method.eq_ignore_ascii_case("OPTIONS") {
        return None;
    }
    request.headers.first("access-control-request-method")?;
    let mut headers = HeaderMap::new();
    let allow_headers = request
        .headers
        .first("access-control-request-headers")
        .unwrap_or("*");
    let pairs = [
        (
            "access-control-allow-origin",
            request.headers.first("origin").unwrap_or("*"),
        ),
        (
            "access-control-allow-methods",
            "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        ),
        ("access-control-allow-headers", allow_headers),
        ("access-control-max-age", "600"),
        ("vary", "Origin"),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    Some((StatusCode::NO_CONTENT, headers).into_response())
}

/// Adds `Access-Control-Allow-Origin` (echoing the request's origin) to a response. Credentials
/// are never allowed: with any origin echoed, allowing them would let every web page a
/// developer visits make credentialed calls to the server.
pub(crate) fn allow_origin(response: &mut axum::response::Response, request: &Request) {
    let origin = request.headers.first("origin").unwrap_or("*");
    if let Ok(value) = HeaderValue::try_from(origin) {
        let headers = response.headers_mut();
        headers.insert(
            HeaderName::from_static("access-control-allow-origin"),
            value,
        );
        headers.append(axum::http::header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// Finds candidate interactions by method and path without comparing every one.
pub(crate) struct Index {
    /// (upper-case method, path) → interaction positions, for literal paths.
    literal: HashMap<(String, String), Vec<usize>>,
    /// upper-case method → positions of interactions whose path is a matcher or generated.
    by_method: HashMap<String, Vec<usize>>,
    /// Interactions whose method itself is a matcher.
    any: Vec<usize>,
    /// Literal path → positions of every interaction with it, for explaining a miss.
    same_path: HashMap<String, Vec<usize>>,
    /// upper-case method → positions of every interaction with it, for explaining a miss.
    same_method: HashMap<String, Vec<usize>>,
    /// How many interactions are indexed.
    len: usize,
}

impl Index {
    /// Indexes the expected requests, by position.
    pub(crate) fn new<'a>(requests: impl IntoIterator<Item = &'a Request>) -> Self {
        let mut index = Index {
            literal: HashMap::new(),
            by_method: HashMap::new(),
            any: Vec::new(),
            same_path: HashMap::new(),
            same_method: HashMap::new(),
            len: 0,
        };
        for (i, request) in requests.into_iter().enumerate() {
            index.len = i + 1;
            let method = request.method.to_ascii_uppercase();
            index.same_method.entry(method.clone()).or_default().push(i);
            index
                .same_path
                .entry(request.path.clone())
                .or_default()
                .push(i);
            if request.matching_rules.method.is_some() {
                index.any.push(i);
            } else if request.matching_rules.path.is_some() || request.generators.path.is_some() {
                index.by_method.entry(method).or_default().push(i);
            } else {
                index
                    .literal
                    .entry((method, request.path.clone()))
                    .or_default()
                    .push(i);
            }
        }
        index
    }

    /// Positions of the interactions that could match: those with this exact method and path
    /// first (most specific), then those whose path is a matcher, then those whose method is —
    /// each group in declaration order.
    pub(crate) fn candidates(&self, request: &Request) -> Vec<usize> {
        let method = request.method.to_ascii_uppercase();
        let mut out: Vec<usize> = Vec::new();
        if let Some(found) = self.literal.get(&(method.clone(), request.path.clone())) {
            out.extend(found);
        }
        if let Some(found) = self.by_method.get(&method) {
            out.extend(found);
        }
        out.extend(&self.any);
        out
    }

    /// Up to `limit` positions worth comparing with a request nothing matched: the candidates,
    /// then the other interactions with its path, then those with its method, then the rest —
    /// each in declaration order.
    fn closest_candidates(&self, request: &Request, limit: usize) -> Vec<usize> {
        let mut seen = std::collections::HashSet::new();
        let same_path = self.same_path.get(&request.path).into_iter().flatten();
        let same_method = self
            .same_method
            .get(&request.method.to_ascii_uppercase())
            .into_iter()
            .flatten()
            .copied();
        self.candidates(request)
            .into_iter()
            .chain(same_path.copied())
            .chain(same_method)
            .chain(0..self.len)
            .filter(|i| seen.insert(*i))
            .take(limit)
            .collect()
    }
}

/// How many interactions a request nothing matched is compared with to name the closest: the
/// explanation stays useful, and a 100,000-interaction stub answers a miss as fast as a hit.
const CLOSEST_COMPARED: usize = 64;

/// The result of looking for the interaction that serves a request.
pub(crate) enum Dispatch {
    /// This interaction matches.
    Matched(usize),
    /// None matches; the closest ones with their mismatches, best first.
    Unmatched(Vec<(usize, Vec<Mismatch>)>),
}

/// Finds the first interaction (in declaration order) whose request matches. When none does,
/// compares the request with the most likely interactions (same method and path first, at most
/// [`CLOSEST_COMPARED`]) and returns up to three with the fewest mismatches, so the caller can
/// explain.
pub(crate) fn dispatch(index: &Index, expected: &[&Request], actual: &Request) -> Dispatch {
    dispatch_preferring(index, expected, actual, |_| true)
}

/// Like [`dispatch`], but among matching interactions the first for which `prefer` holds wins;
/// if none does, the first match.
pub(crate) fn dispatch_preferring(
    index: &Index,
    expected: &[&Request],
    actual: &Request,
    prefer: impl Fn(usize) -> bool,
) -> Dispatch {
    let mut first = None;
    for i in index.candidates(actual) {
        if match_request(expected[i], actual).is_empty() {
            if prefer(i) {
                return Dispatch::Matched(i);
            }
            first.get_or_insert(i);
        }
    }
    if let Some(i) = first {
        return Dispatch::Matched(i);
    }
    let mut near: Vec<(usize, Vec<Mismatch>)> = index
        .closest_candidates(actual, CLOSEST_COMPARED)
        .into_iter()
        .map(|i| (i, match_request(expected[i], actual)))
        .collect();
    near.sort_by_key(|(i, m)| (m.len(), *i));
    near.truncate(3);
    Dispatch::Unmatched(near)
}

/// A short description of a request for logs and reports: `GET /items?page=2` (shortened
/// when very long).
pub(crate) fn describe(request: &Request) -> String {
    let query = pactum_core::contract::render_query_string(&request.query);
    let line = if query.is_empty() {
        format!("{} {}", request.method.to_ascii_uppercase(), request.path)
    } else {
        format!(
            "{} {}?{query}",
            request.method.to_ascii_uppercase(),
            request.path
        )
    };
    pactum_core::printable::printable_line(&shortened(&line)).into_owned()
}

/// How much of a request's body and path an error answer repeats.
const ECHOED_BYTES: usize = 2048;

/// `text` cut to at most [`ECHOED_BYTES`] (on a character boundary), saying how long it was.
fn shortened(text: &str) -> String {
    if text.len() <= ECHOED_BYTES {
        return text.to_owned();
    }
    let mut end = ECHOED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// The request as JSON, for error bodies; long paths and bodies are shortened.
pub(crate) fn request_json(request: &Request) -> serde_json::Value {
    let headers: serde_json::Map<String, serde_json::Value> = request
        .headers
        .iter()
        .map(|(n, v)| (n.to_string(), serde_json::Value::from(v.join(", "))))
        .collect();
    serde_json::json!({
        "method": request.method,
        "path": shortened(&request.path),
        "query": request.query,
        "headers": headers,
        "body": shortened(&request.body.display_text()),
    })
}

/// A server running on its own thread with its own runtime, so it can be used from both
/// synchronous and asynchronous tests without nesting runtimes.
pub(crate) struct ServerThread {
    pub(crate) addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ServerThread {
    /// Binds `host:port` (port 0: any free port) and serves `router` until stopped.
    pub(crate) fn start(
        host: &str,
        port: u16,
        router: axum::Router,
        limits: pactum_http::Limits,
    ) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind((host, port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name(format!("pactum-server-{}", addr.port()))
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let stopped = async {
                        let _ = rx.await;
                    };
                    let _ = pactum_http::serve(listener, router, limits, stopped).await;
                });
            })?;
        Ok(ServerThread {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Stops the server and waits for its thread.
    pub(crate) fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Request {
        Request {
            method: "GET".into(),
            path: path.into(),
            ..Request::default()
        }
    }

    #[test]
    fn a_miss_is_compared_with_a_bounded_number_of_likely_interactions() {
        let mut requests: Vec<Request> = (0..1000).map(|i| get(&format!("/items/{i}"))).collect();
        requests.push(Request {
            method: "POST".into(),
            ..get("/items/7")
        });
        requests.push(Request {
            method: "PUT".into(),
            ..get("/items/7")
        });
        requests.push(Request {
            method: "POST".into(),
            ..get("/other")
        });
        let index = Index::new(&requests);
        let miss = Request {
            method: "POST".into(),
            ..get("/items/7")
        };
        let picked = index.closest_candidates(&miss, CLOSEST_COMPARED);
        assert_eq!(picked.len(), CLOSEST_COMPARED);
        // The same method and path first, then the same path, then the same method.
        assert_eq!(picked[..4], [1000, 7, 1001, 1002]);
        let expected: Vec<&Request> = requests.iter().collect();
        let Dispatch::Unmatched(closest) = dispatch(
            &index,
            &expected,
            &Request {
                method: "DELETE".into(),
                ..get("/items/7")
            },
        ) else {
            panic!("nothing should match a DELETE");
        };
        // The interactions on the same path differ only by method: the closest, found though
        // they come last among a thousand.
        let found: Vec<usize> = closest.iter().map(|(i, _)| *i).collect();
        assert_eq!(found, [7, 1000, 1001]);
    }
}
