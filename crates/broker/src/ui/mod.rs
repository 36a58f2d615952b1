//! The broker's web pages: server-rendered HTML for people, on the same URLs as the API where
//! both make sense.
//!
//! * Negotiation ([`negotiate`]): a GET of a URL that has a page ([`PAGES`]) whose `Accept`
//!   prefers `text/html` — what browsers send — gets the page; every other request (the
//!   official clients send `application/hal+json`, `application/json`, `*/*` or nothing) goes
//!   on to the API unchanged. Both answers say `Vary: Accept`. Pages without a resource live
//!   under `/ui/` and are served whatever the `Accept`.
//! * Templates are [`maud`] macros: checked when the broker compiles, and every value inserted
//!   is HTML-escaped; nothing from a request or the database is ever inserted unescaped. Text
//!   people wrote (names, descriptions, states) goes through [`text`]: control characters and
//!   Unicode direction controls are shown as visible escapes (as the CLI prints them) and the
//!   text is isolated in `<bdi>`, so it cannot reorder what surrounds it.
//! * Links built from data: path segments are percent-encoded ([`crate::hal::href`]), and a URL
//!   taken from data (a build URL) becomes a link only when it is `http` or `https`
//!   ([`external_link`]); anything else is shown as text.
//! * Every page answer carries a strict Content-Security-Policy (no script at all, styles only
//!   from the broker's one stylesheet), `X-Content-Type-Options: nosniff` and
//!   `Referrer-Policy: same-origin`. The pages need no JavaScript. Forms only read (GET), so
//!   there is no state-changing request a cross-site page could forge.
//!
//! Auth is the API's (the middleware runs before this module): the read role sees pages.

mod contract;
mod coverage;
mod cross_checks;
mod deploy;
mod environments;
mod integrations;
mod pacticipant;
mod verification;
mod webhooks;

use std::convert::Infallible;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, html};
use tower::ServiceExt as _;

use crate::AppState;
use crate::hal::href;
use crate::store::StoreError;

/// The URLs that have a page as well as an API resource (axum's path syntax). A GET of one of
/// these that prefers HTML is answered by the page of the same path in [`pages`].
pub(crate) const PAGES: &[&str] = &[
    "/",
    "/pacticipants/{p}",
    "/pacts/provider/{p}/consumer/{c}/version/{v}",
    "/pacts/provider/{p}/consumer/{c}/latest",
    "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}",
    "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results/{id}",
    "/matrix",
    "/environments",
    "/webhooks",
    "/cross-checks/provider/{p}/version/{v}",
    "/cross-checks/provider/{p}/version/{v}/coverage",
];

/// The stylesheet every page links to.
pub(crate) const STYLESHEET: &str = "/ui/style.css";

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// What [`negotiate`] needs: the pages, and which paths have one.
#[derive(Clone)]
pub(crate) struct Pages {
    router: Router,
    negotiated: std::sync::Arc<matchit::Router<()>>,
}

impl Pages {
    pub(crate) fn new(state: AppState) -> Pages {
        let mut negotiated = matchit::Router::new();
        for path in PAGES {
            negotiated
                .insert(*path, ())
                .expect("the page paths are distinct and well-formed");
        }
        Pages {
            router: pages().with_state(state),
            negotiated: std::sync::Arc::new(negotiated),
        }
    }
}

fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(integrations::page))
        .route("/pacticipants/{p}", get(pacticipant::page))
        .route(
            "/pacts/provider/{p}/consumer/{c}/version/{v}",
            get(contract::by_version),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/latest",
            get(contract::latest),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}",
            get(contract::by_sha),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results/{id}",
            get(verification::page),
        )
        .route("/matrix", get(deploy::page))
        .route("/environments", get(environments::page))
        .route("/webhooks", get(webhooks::page))
        .route(
            "/cross-checks/provider/{p}/version/{v}",
            get(cross_checks::page),
        )
        .route(
            "/cross-checks/provider/{p}/version/{v}/coverage",
            get(coverage::page),
        )
        // Pages only.
        .route(STYLESHEET, get(stylesheet))
        .route("/ui/can-i-deploy", get(deploy::page))
        .route(
            "/ui/raw/pacts/provider/{p}/consumer/{c}/pact-version/{sha}",
            get(contract::raw),
        )
        .fallback(no_page)
        .layer(middleware::from_fn(security_headers))
}

/// Middleware (inside authorisation): pages for browsers, the API for everything else.
pub(crate) async fn negotiate(
    State(pages): State<Pages>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if path.starts_with("/ui/") {
        return serve(pages.router, request).await;
    }
    let readable = matches!(*request.method(), Method::GET | Method::HEAD);
    if !readable || pages.negotiated.at(path).is_err() {
        return next.run(request).await;
    }
    let mut response = if prefers_html(request.headers()) {
        serve(pages.router, request).await
    } else {
        next.run(request).await
    };
    response
        .headers_mut()
        .append(header::VARY, HeaderValue::from_static("Accept"));
    response
}

async fn serve(router: Router, request: Request) -> Response {
    // Without the extensions: the API router has matched this path already, and its path
    // parameters would be read as the page's.
    let (parts, body) = request.into_parts();
    let mut fresh = Request::new(body);
    *fresh.method_mut() = parts.method;
    *fresh.uri_mut() = parts.uri;
    *fresh.version_mut() = parts.version;
    *fresh.headers_mut() = parts.headers;
    let answer: Result<Response, Infallible> = router.oneshot(fresh).await;
    match answer {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Whether an `Accept` header asks for HTML before JSON: `text/html` (or XHTML) is named with a
/// quality above zero and above every JSON type's. `*/*` alone, JSON types, and ties choose
/// the API, so no client that worked before gets a page.
pub(crate) fn prefers_html(headers: &HeaderMap) -> bool {
    let mut html: f32 = 0.0;
    let mut json: f32 = 0.0;
    for value in headers.get_all(header::ACCEPT) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match media.as_str() {
                "text/html" | "application/xhtml+xml" => html = html.max(quality),
                "application/json" | "application/hal+json" | "application/*" => {
                    json = json.max(quality)
                }
                _ => {}
            }
        }
    }
    html > 0.0 && html > json
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

async fn stylesheet() -> Response {
    let mut response = include_str!("style.css").into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    // Cached for a day; a new broker version may change it.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=86400"),
    );
    response
}

async fn no_page(uri: axum::http::Uri) -> PageError {
    PageError::new(
        StatusCode::NOT_FOUND,
        format!("There is no page at {}.", uri.path()),
    )
}

// --- layout ------------------------------------------------------------------------------------

/// Which section of the navigation a page belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Integrations,
    CanIDeploy,
    Environments,
    Webhooks,
    None,
}

/// A whole page: `title` is the `<h1>` and, with " · pactum", the `<title>`.
pub(crate) fn layout(base: &str, section: Section, title: &str, body: Markup) -> Markup {
    let nav = [
        (Section::Integrations, "Integrations", format!("{base}/")),
        (
            Section::CanIDeploy,
            "Can I deploy?",
            format!("{base}/ui/can-i-deploy"),
        ),
        (
            Section::Environments,
            "Environments",
            format!("{base}/environments"),
        ),
        (Section::Webhooks, "Webhooks", format!("{base}/webhooks")),
    ];
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (printable_text(title)) " · pactum" }
                link rel="stylesheet" href={ (base) (STYLESHEET) };
            }
            body {
                header class="site" {
                    a class="brand" href={ (base) "/" } { "pactum" }
                    nav aria-label="Main" {
                        ul {
                            @for (which, label, target) in &nav {
                                li {
                                    @if *which == section {
                                        a href=(target) aria-current="page" { (label) }
                                    } @else {
                                        a href=(target) { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                main {
                    h1 { (text(title)) }
                    (body)
                }
            }
        }
    }
}

/// An HTML page with status 200.
pub(crate) struct Page(pub Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        html_response(StatusCode::OK, self.0)
    }
}

fn html_response(status: StatusCode, markup: Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Pages show the newest state, and may show what only credentials allow.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Why a page cannot be shown, as a page.
#[derive(Debug)]
pub(crate) struct PageError {
    status: StatusCode,
    messages: Vec<String>,
}

impl PageError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> Self {
        PageError {
            status,
            messages: vec![message.into()],
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        PageError::new(StatusCode::NOT_FOUND, message)
    }
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(message) => PageError::not_found(message),
            StoreError::Invalid(fields) => PageError {
                status: StatusCode::BAD_REQUEST,
                messages: fields
                    .into_iter()
                    .map(|(field, message)| format!("{field}: {message}"))
                    .collect(),
            },
            StoreError::Conflict { message, .. } => PageError::new(StatusCode::CONFLICT, message),
            StoreError::Db(error) => {
                tracing::error!(%error, "database failure");
                PageError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The broker's database failed; see the broker log.",
                )
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Cannot show this page",
            _ => "Error",
        };
        // No base URL here (it may be what failed): links are relative to the site root.
        let body = html! {
            @for message in &self.messages {
                p class="error" { (text(message)) }
            }
            p { a href="/" { "Back to the integrations" } }
        };
        html_response(self.status, layout("", Section::None, title, body))
    }
}

/// The pages' result type.
pub(crate) type PageResult = Result<Page, PageError>;

// --- pieces ------------------------------------------------------------------------------------

/// Text someone wrote, safe to show: control characters and direction controls as visible
/// escapes, isolated from the surrounding text's direction.
pub(crate) fn text(value: &str) -> Markup {
    html! { bdi { (printable_text(value)) } }
}

fn printable_text(value: &str) -> std::borrow::Cow<'_, str> {
    pactum_core::printable::printable(value)
}

/// A link to a page of the broker: `segments` are percent-encoded.
pub(crate) fn page_href(base: &str, segments: &[&str]) -> String {
    href(base, segments)
}

/// A link to a pacticipant's page.
pub(crate) fn pacticipant_link(base: &str, name: &str) -> Markup {
    html! { a href=(page_href(base, &["pacticipants", name])) { (text(name)) } }
}

/// A URL from data (a build URL): a link when it is http(s), otherwise text.
pub(crate) fn external_link(url: &str) -> Markup {
    let linkable = url::Url::parse(url)
        .map(|parsed| matches!(parsed.scheme(), "http" | "https"))
        .unwrap_or(false);
    html! {
        @if linkable {
            a href=(url) rel="noreferrer noopener" { (text(url)) }
        } @else {
            code { (text(url)) }
        }
    }
}

/// A moment (microseconds since the epoch) as a `<time>`, in UTC to the minute.
pub(crate) fn when(micros: i64) -> Markup {
    let Ok(at) = jiff::Timestamp::from_microsecond(micros) else {
        return html! { "?" };
    };
    let shown = at.strftime("%Y-%m-%d %H:%M UTC").to_string();
    html! { time datetime=(crate::timestamp::rfc3339(micros)) { (shown) } }
}

/// A page's query string read as `T` (Rack-style nesting as the API reads it); a value of the
/// wrong shape is a 400 page naming it.
pub(crate) fn query<T: serde::de::DeserializeOwned>(uri: &axum::http::Uri) -> Result<T, PageError> {
    let document = crate::query::parse_nested(uri.query().unwrap_or(""));
    serde_path_to_error::deserialize(document).map_err(|error| {
        PageError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "The query parameter `{}` is not what this page reads: {}. Give it once, as text.",
                error.path(),
                error.inner()
            ),
        )
    })
}

/// A query string value, percent-encoded.
pub(crate) fn query_value(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn browsers_get_pages_and_clients_get_the_api() {
        // Chromium's and Firefox's navigation Accept headers.
        assert!(prefers_html(&accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
        )));
        assert!(prefers_html(&accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        )));
        // What the official clients and curl send.
        for api in [
            "application/hal+json",
            "application/hal+json, application/json, */*; q=0.01",
            "application/json",
            "*/*",
            "",
            "text/html;q=0, */*",
            "application/json, text/html",
            "text/html;q=0.5, application/hal+json",
        ] {
            assert!(!prefers_html(&accept(api)), "{api}");
        }
        assert!(!prefers_html(&HeaderMap::new()));
    }

    #[test]
    fn only_http_urls_become_links() {
        let shown = external_link("javascript:alert(1)").into_string();
        assert!(!shown.contains("href"), "{shown}");
        assert!(shown.contains("javascript:alert(1)"), "{shown}");
        let shown = external_link("https://ci.example.com/b/1?x=\"><script>").into_string();
        assert!(
            shown.contains("href=\"https://ci.example.com/b/1?x=&quot;&gt;&lt;script&gt;\""),
            "{shown}"
        );
    }

    #[test]
    fn direction_controls_are_visible_and_isolated() {
        let shown = text("evil\u{202e}gnp.exe<b>").into_string();
        assert_eq!(shown, "<bdi>evil\\u{202e}gnp.exe&lt;b&gt;</bdi>");
    }
}
