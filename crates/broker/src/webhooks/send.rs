//! Sending one rendered webhook request, within the address policy, and describing the
//! exchange for logs (credentials redacted, the response body cut at a limit).
//!
//! The client resolves names through [`PolicyResolver`], which drops every address the policy
//! refuses, so the check applies to the address actually connected to; an address in the URL
//! itself is checked before sending. Redirects are not followed and no proxy is used (a proxy
//! would resolve the name itself, out of the policy's sight).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use pactum_broker_api::webhooks::{ExecutedRequest, ExecutedResponse, REDACTED};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use serde_json::Value;

use super::policy::{AddressPolicy, Refusal};
use super::template::{Rendered, is_sensitive_header};

/// Drops resolved addresses the policy refuses; fails when none is left.
struct PolicyResolver {
    policy: Arc<AddressPolicy>,
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refusal = None;
            let allowed: Vec<SocketAddr> = resolved
                .into_iter()
                .filter(|address| match policy.check_address(&host, address.ip()) {
                    Ok(()) => true,
                    Err(why) => {
                        refusal.get_or_insert(why);
                        false
                    }
                })
                .collect();
            if allowed.is_empty() {
                let error: Box<dyn std::error::Error + Send + Sync> = match refusal {
                    Some(refusal) => Box::new(refusal),
                    None => format!("`{host}` resolves to no address").into(),
                };
                return Err(error);
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// An HTTP client for webhooks.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
    success_codes: Arc<Vec<(u16, u16)>>,
    max_logged_body: usize,
}

/// What happened to one request.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The request as sent, credentials redacted.
    pub request: ExecutedRequest,
    /// The answer.
    pub response: Option<ExecutedResponse>,
    /// Why there was no answer.
    pub error: Option<String>,
    /// Whether the answer's status is a success code.
    pub success: bool,
    /// Whether the request was refused by policy (not worth retrying).
    pub refused: bool,
    /// How long it took.
    pub duration: Duration,
    /// The exchange as text.
    pub logs: String,
}

impl Sender {
    /// A sender with `policy`; `success_codes` are inclusive ranges; `timeout` bounds a whole
    /// request; response bodies beyond `max_logged_body` bytes are not read.
    pub fn new(
        policy: AddressPolicy,
        success_codes: Vec<(u16, u16)>,
        timeout: Duration,
        max_logged_body: usize,
    ) -> Sender {
        let policy = Arc::new(policy);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("pactum-broker/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PolicyResolver {
                policy: Arc::clone(&policy),
            }))
            .build()
            .expect("the webhook HTTP client builds");
        Sender {
            client,
            policy,
            success_codes: Arc::new(success_codes),
            max_logged_body,
        }
    }

    /// Checks a URL and method against the policy, without resolving the host: what can be
    /// said when a webhook is saved.
    pub fn check_template(&self, url: &url::Url, method: &str) -> Result<(), Refusal> {
        self.policy.check_request(url.scheme(), method)
    }

    /// Sends `request` (`shown` is the same request rendered with secrets redacted, for the
    /// logs), with an `Idempotency-Key` header when given.
    pub async fn send(
        &self,
        request: &Rendered,
        shown: &Rendered,
        idempotency_key: Option<&str>,
    ) -> Exchange {
        let started = Instant::now();
        let mut shown_headers: BTreeMap<String, String> = shown
            .headers
            .iter()
            .map(|(name, value)| {
                let value = if is_sensitive_header(name) {
                    REDACTED.to_owned()
                } else {
                    value.clone()
                };
                (name.clone(), value)
            })
            .collect();
        if let Some(key) = idempotency_key {
            shown_headers.insert("Idempotency-Key".into(), key.to_owned());
        }
        if shown.basic.is_some() {
            shown_headers.insert("Authorization".into(), REDACTED.into());
        }
        let executed = ExecutedRequest {
            method: shown.method.clone(),
            url: shown.url.clone(),
            headers: shown_headers,
            body: shown.body.as_ref().map(|(text, _)| body_value(text)),
        };
        let mut logs = format!("{} {}\n", executed.method, executed.url);
        for (name, value) in &executed.headers {
            logs.push_str(&format!("{name}: {value}\n"));
        }
        if let Some((body, _)) = &shown.body {
            logs.push('\n');
            logs.push_str(body);
            logs.push('\n');
        }
        let failed = |error: String, refused: bool, logs: String| Exchange {
            request: executed.clone(),
            response: None,
            logs: format!("{logs}\nNo response: {error}\n"),
            error: Some(error),
            success: false,
            refused,
            duration: started.elapsed(),
        };

        let url = match url::Url::parse(&request.url) {
            Ok(url) => url,
            Err(error) => {
                return failed(
                    format!("the URL `{}` is not valid: {error}", shown.url),
                    true,
                    logs,
                );
            }
        };
        if let Err(refusal) = self.policy.check_request(url.scheme(), &request.method) {
            return failed(refusal.to_string(), true, logs);
        }
        // An address in the URL is not resolved, so it is checked here.
        let literal = match url.host() {
            Some(url::Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(url::Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(url::Host::Domain(_)) => None,
            None => return failed(format!("the URL `{}` has no host", shown.url), true, logs),
        };
        if let Some(address) = literal
            && let Err(refusal) = self.policy.check_address(&address.to_string(), address)
        {
            return failed(refusal.to_string(), true, logs);
        }
        let method = match reqwest::Method::from_bytes(request.method.as_bytes()) {
            Ok(method) => method,
            Err(_) => {
                return failed(
                    format!("`{}` is not an HTTP method", request.method),
                    true,
                    logs,
                );
            }
        };
        let mut builder = self.client.request(method, url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(key) = idempotency_key {
            builder = builder.header("Idempotency-Key", key);
        }
        if let Some((user, password)) = &request.basic {
            builder = builder.basic_auth(user, Some(password));
        }
        if let Some((body, json)) = &request.body {
            if *json
                && !request
                    .headers
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            {
                builder = builder.header("Content-Type", "application/json");
            }
            builder = builder.body(body.clone());
        }
        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(error) => {
                let refused = refusal_in(&error);
                let message = match &refused {
                    Some(refusal) => refusal.clone(),
                    None => describe(&error),
                };
                return failed(message, refused.is_some(), logs);
            }
        };
        let status = response.status().as_u16();
        let headers: BTreeMap<String, String> = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        let mut truncated = false;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = self.max_logged_body.saturating_sub(body.len());
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                    if chunk.len() > room {
                        truncated = true;
                        break;
                    }
                }
                Ok(None) => break,
                // The status is what counts; a body cut short is logged as far as it came.
                Err(_) => break,
            }
        }
        let mut text = String::from_utf8_lossy(&body).into_owned();
        if truncated {
            text.push_str(&format!(
                "\n[response body cut at {} bytes]",
                self.max_logged_body
            ));
        }
        let success = self
            .success_codes
            .iter()
            .any(|(low, high)| (*low..=*high).contains(&status));
        logs.push_str(&format!("\nHTTP {status}\n"));
        for (name, value) in &headers {
            logs.push_str(&format!("{name}: {value}\n"));
        }
        if !text.is_empty() {
            logs.push('\n');
            logs.push_str(&text);
            logs.push('\n');
        }
        Exchange {
            request: executed,
            response: Some(ExecutedResponse {
                status,
                headers,
                body: (!text.is_empty()).then(|| body_value(&text)),
            }),
            error: None,
            success,
            refused: false,
            duration: started.elapsed(),
            logs,
        }
    }
}

/// A body as JSON when it parses, else as text.
fn body_value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// The policy refusal behind a failed request, if that is why it failed.
fn refusal_in(error: &reqwest::Error) -> Option<String> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(refusal) = current.downcast_ref::<Refusal>() {
            return Some(refusal.to_string());
        }
        source = current.source();
    }
    None
}

/// A transport error with its causes, on one line.
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut message = kind.to_owned();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}
