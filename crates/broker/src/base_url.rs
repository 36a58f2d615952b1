//! The base URL every href and `Location` is built on.
//!
//! With `--public-base-url`, that URL, whatever the request says. Without it, the URL the client
//! used, as the Pact Broker does — so a broker in a container, behind a port mapping or a
//! TLS-terminating proxy, hands out links that work for the client that asked, with no
//! configuration: the scheme from `X-Forwarded-Proto` (else `http`), the host from
//! `X-Forwarded-Host` (else `Host`), the port from `X-Forwarded-Port` (else the host's; left out
//! when it is the scheme's default). Of a comma-separated forwarded list the last value counts:
//! the one the nearest proxy wrote.
//!
//! Why reflecting is safe: the links go back only to the client that sent the headers, so a
//! client that sends a wrong `Host` misleads itself and no one else. The values must be a host
//! and port (no user information, path or query: a 400 otherwise), so they cannot change what a
//! link points to within the broker. The one way an answer built for one client can reach
//! another is a shared cache; every such answer says `Vary` on the headers it was built from, so
//! a cache keeps one copy per value — and answers to requests with credentials are not stored by
//! shared caches at all. `pactum-client` sends credentials only to the origin it was given, not
//! to wherever links point. Behind a cache that ignores `Vary`, set `--public-base-url`.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::uri::Authority;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use super::hal::ApiError;

/// The base URL hrefs are built on (no trailing `/`): `--public-base-url`, or the URL the
/// client used (see the module documentation).
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
        request_base(&parts.headers, &state.config.listen_address()).map(Base)
    }
}

/// The request headers a base URL is read from, for `Vary`.
const FROM_HEADERS: &str = "Host, X-Forwarded-Host, X-Forwarded-Proto, X-Forwarded-Port";

/// Middleware: without `--public-base-url`, every answer may carry links built from the
/// request's headers, and says so (`Vary`), so no cache serves one client's links to another.
pub(crate) async fn vary_on_base_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if state.config.public_base_url.is_none() {
        // One `Vary` field with every name (the pages add `Accept`): clients that read only
        // the first field see them all.
        let headers = response.headers_mut();
        let mut names: Vec<String> = headers
            .get_all(header::VARY)
            .iter()
            .filter_map(|value| value.to_str().ok().map(str::to_owned))
            .collect();
        names.push(FROM_HEADERS.to_owned());
        if let Ok(value) = HeaderValue::from_str(&names.join(", ")) {
            headers.insert(header::VARY, value);
        }
    }
    response
}

/// The last value of a (comma-separated) header, if there is a non-blank one.
fn last_value<'h>(headers: &'h HeaderMap, name: &str) -> Result<Option<&'h str>, ApiError> {
    let Some(value) = headers.get_all(name).iter().next_back() else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| {
        ApiError::invalid(
            name,
            "the header is not ASCII text; set --public-base-url on the broker, or fix the proxy",
        )
    })?;
    Ok(text
        .rsplit(',')
        .next()
        .map(str::trim)
        .filter(|v| !v.is_empty()))
}

fn bad_header(name: &str, what: &str, value: &str) -> ApiError {
    ApiError::invalid(
        name,
        format!(
            "must be {what}, got `{}`: links are built from it (set --public-base-url on the \
             broker to stop that)",
            pactum_core::printable::printable_line(value)
        ),
    )
}

/// The base URL a request's headers give, or `http://` + the listen address without any.
fn request_base(headers: &HeaderMap, listen_address: &str) -> Result<String, ApiError> {
    let scheme = match last_value(headers, "x-forwarded-proto")? {
        None => "http",
        Some(proto) if proto.eq_ignore_ascii_case("http") => "http",
        Some(proto) if proto.eq_ignore_ascii_case("https") => "https",
        Some(other) => return Err(bad_header("X-Forwarded-Proto", "http or https", other)),
    };
    let (name, text) = match last_value(headers, "x-forwarded-host")? {
        Some(host) => ("X-Forwarded-Host", host),
        None => match last_value(headers, "host")? {
            Some(host) => ("Host", host),
            None => ("Host", listen_address),
        },
    };
    let authority = text
        .parse::<Authority>()
        .ok()
        .filter(|a| !a.as_str().contains('@') && !a.host().is_empty())
        .ok_or_else(|| bad_header(name, "a host name with an optional port", text))?;
    let port = match last_value(headers, "x-forwarded-port")? {
        Some(port) => Some(
            port.parse::<u16>()
                .map_err(|_| bad_header("X-Forwarded-Port", "a port number", port))?,
        ),
        None => authority.port_u16(),
    };
    let default_port = if scheme == "https" { 443 } else { 80 };
    Ok(match port {
        Some(port) if port != default_port => {
            format!("{scheme}://{}:{port}", authority.host())
        }
        _ => format!("{scheme}://{}", authority.host()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(pairs: &[(&str, &str)]) -> Result<String, String> {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        request_base(&headers, "127.0.0.1:9292").map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn the_url_the_client_used_through_any_proxies() {
        assert_eq!(base(&[]).unwrap(), "http://127.0.0.1:9292");
        assert_eq!(
            base(&[("host", "broker:9292")]).unwrap(),
            "http://broker:9292"
        );
        assert_eq!(
            base(&[("host", "[::1]:8080")]).unwrap(),
            "http://[::1]:8080"
        );
        assert_eq!(base(&[("host", "broker:80")]).unwrap(), "http://broker");
        assert_eq!(
            base(&[
                ("host", "broker:9292"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "pacts.example.com"),
            ])
            .unwrap(),
            "https://pacts.example.com"
        );
        assert_eq!(
            base(&[
                ("host", "broker:9292"),
                ("x-forwarded-proto", "http, HTTPS"),
                ("x-forwarded-host", "a.example, pacts.example.com"),
                ("x-forwarded-port", "8443"),
            ])
            .unwrap(),
            "https://pacts.example.com:8443"
        );
    }

    #[test]
    fn anything_but_a_host_and_port_is_refused_naming_the_header() {
        for (pairs, header) in [
            (&[("host", "evil.example@127.0.0.1")][..], "Host"),
            (&[("host", "127.0.0.1/x?")][..], "Host"),
            (&[("host", "a b")][..], "Host"),
            (
                &[("x-forwarded-host", "u:p@evil.example")][..],
                "X-Forwarded-Host",
            ),
            (
                &[("x-forwarded-proto", "javascript")][..],
                "X-Forwarded-Proto",
            ),
            (&[("x-forwarded-port", "99999")][..], "X-Forwarded-Port"),
        ] {
            let error = base(pairs).unwrap_err();
            assert!(error.contains(header), "{pairs:?}: {error}");
            assert!(error.contains("--public-base-url"), "{error}");
        }
    }
}
