//! A client of the Pact Broker HTTP API — pactum's broker or any other.
//!
//! It navigates by link relations from the index, as the official clients do, so it works with
//! brokers behind path prefixes and proxies. Used by `pactum verify --broker-url` (pacts for
//! verification, publishing results) and by the broker commands of the CLI. [`sources`] loads
//! contracts from files, directories and URLs, for the verifier and the stub.
#![warn(missing_docs)]

mod commands;
pub mod sources;

use std::time::Duration;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::sources::{Auth, Loaded};
use pactum_core::contract::Pact;

pub use commands::{Target, VersionSelector, matrix_query};

/// Why a broker request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The broker cannot be reached.
    #[error("cannot reach the broker at {url}: {message}")]
    Unreachable {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// The broker refused the credentials.
    #[error(
        "the broker refused the request to {url} ({status}): {message}; check PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD"
    )]
    Unauthorized {
        /// The URL.
        url: String,
        /// 401 or 403.
        status: u16,
        /// The broker's message.
        message: String,
    },
    /// The broker answered with an error.
    #[error("{method} {url} failed with {status}: {message}")]
    Status {
        /// The method.
        method: String,
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The broker's message (its `errors`, or the body).
        message: String,
    },
    /// The broker's answer is not what the Pact Broker API describes.
    #[error("unexpected answer from {url}: {message}")]
    Protocol {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A contract the broker returned is not a valid pact.
    #[error("the contract at {url} is not a valid pact: {message}")]
    Contract {
        /// Its URL.
        url: String,
        /// Why.
        message: String,
    },
}

/// What to ask the broker for when verifying a provider.
#[derive(Debug, Clone, Default)]
pub struct VerificationRequest {
    /// The provider's name.
    pub provider: String,
    /// Consumer version selectors, as JSON objects (`{"mainBranch": true}`).
    pub selectors: Vec<Value>,
    /// The provider version's branch.
    pub provider_branch: Option<String>,
    /// The provider version's tags.
    pub provider_tags: Vec<String>,
    /// Ask which contracts are pending.
    pub include_pending: bool,
    /// Include work-in-progress contracts published since this date.
    pub include_wip_since: Option<String>,
}

/// What the broker said about a contract it selected for verification.
#[derive(Debug, Clone, Default)]
pub struct BrokerContext {
    /// Failures do not fail the build.
    pub pending: bool,
    /// A work-in-progress contract.
    pub wip: bool,
    /// The broker's notices to show before verification.
    pub notices: Vec<String>,
}

/// A verification result to publish for one contract.
#[derive(Debug, Clone)]
pub struct VerificationResult {
    /// Whether every interaction passed.
    pub success: bool,
    /// `testResults`: one object per interaction.
    pub test_results: Vec<Value>,
}

/// A Pact Broker client.
#[derive(Debug, Clone)]
pub struct BrokerClient {
    base: String,
    auth: Auth,
    http: reqwest::Client,
}

/// Fills `{name}` placeholders of a templated href, percent-encoding each value.
pub fn expand(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(
            &format!("{{{name}}}"),
            &utf8_percent_encode(value, NON_ALPHANUMERIC).to_string(),
        );
    }
    out
}

/// The href of relation `rel` in a HAL document.
pub fn link<'a>(document: &'a Value, rel: &str) -> Option<&'a str> {
    document
        .pointer(&format!(
            "/_links/{}/href",
            rel.replace('~', "~0").replace('/', "~1")
        ))
        .and_then(Value::as_str)
}

fn error_message(body: &str) -> String {
    match serde_json::from_str::<Value>(body) {
        Ok(json) => json
            .get("errors")
            .or_else(|| json.pointer("/error/message"))
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_else(|| json.to_string()),
        Err(_) if body.trim().is_empty() => "no details".into(),
        Err(_) => body.chars().take(500).collect(),
    }
}

impl BrokerClient {
    /// A client of the broker at `base_url`.
    pub fn new(base_url: &str, auth: Auth) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("pactum/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Unreachable {
                url: base_url.to_owned(),
                message: e.to_string(),
            })?;
        Ok(BrokerClient {
            base: base_url.trim_end_matches('/').to_owned(),
            auth,
            http,
        })
    }

    /// The broker's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends a request; returns the status and the JSON body (`Null` when empty). Errors for
    /// transport failures and for 401/403; other statuses are the caller's to judge.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), ClientError> {
        let content_type = if method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        self.send_as(method, url, body, content_type).await
    }

    /// [`BrokerClient::send`] with an explicit request content type.
    pub async fn send_as(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        content_type: &str,
    ) -> Result<(StatusCode, Value), ClientError> {
        let url = if url.starts_with("http://") || url.starts_with("https://") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let mut request = self
            .auth
            .apply(self.http.request(method.clone(), &url))
            .header("accept", "application/hal+json, application/json");
        if let Some(body) = body {
            request = request
                .header("content-type", content_type)
                .body(body.to_string());
        }
        let response = request.send().await.map_err(|e| ClientError::Unreachable {
            url: url.clone(),
            message: crate::sources::innermost_cause(&e),
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| ClientError::Unreachable {
                url: url.clone(),
                message: e.to_string(),
            })?;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(ClientError::Unauthorized {
                url,
                status: status.as_u16(),
                message: error_message(&text),
            });
        }
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, json))
    }

    /// Sends a request that must succeed (2xx).
    pub async fn expect(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Value, ClientError> {
        let (status, json) = self.send(method.clone(), url, body).await?;
        if !status.is_success() {
            return Err(ClientError::Status {
                method: method.to_string(),
                url: url.to_owned(),
                status: status.as_u16(),
                message: error_message(&json.to_string()),
            });
        }
        Ok(json)
    }

    /// The index document.
    /// Anything but a JSON 2xx answer means the base URL is not a broker's (or the broker is
    /// down): a setup problem, not a refusal.
    pub async fn index(&self) -> Result<Value, ClientError> {
        let url = format!("{}/", self.base);
        let (status, body) = self.send(Method::GET, &url, None).await?;
        if !status.is_success() || !body.is_object() {
            return Err(ClientError::Protocol {
                url,
                message: format!(
                    "the broker's index answered {status}; is the broker base URL right, and is the broker up?"
                ),
            });
        }
        Ok(body)
    }

    /// A relation's href from the index, expanded.
    pub async fn relation(
        &self,
        rel: &str,
        values: &[(&str, &str)],
    ) -> Result<String, ClientError> {
        let index = self.index().await?;
        let template = link(&index, rel).ok_or_else(|| ClientError::Protocol {
            url: format!("{}/", self.base),
            message: format!(
                "the index has no `{rel}` relation; is this a Pact Broker (2.86 or later)?"
            ),
        })?;
        Ok(expand(template, values))
    }

    /// Asks for the contracts a provider should verify and fetches each.
    pub async fn pacts_for_verification(
        &self,
        request: &VerificationRequest,
    ) -> Result<Vec<Loaded>, ClientError> {
        let url = self
            .relation(
                "pb:provider-pacts-for-verification",
                &[("provider", &request.provider)],
            )
            .await?;
        let mut body = json!({
            "consumerVersionSelectors": request.selectors,
            // Work-in-progress contracts are pending by definition (the verifier treats `wip`
            // as pending), so asking for them does not turn on pending for the others.
            "includePendingStatus": request.include_pending,
        });
        if let Some(branch) = &request.provider_branch {
            body["providerVersionBranch"] = json!(branch);
        }
        if !request.provider_tags.is_empty() {
            body["providerVersionTags"] = json!(request.provider_tags);
        }
        if let Some(since) = &request.include_wip_since {
            body["includeWipPactsSince"] = json!(since);
        }
        let (status, answer) = self.send(Method::POST, &url, Some(&body)).await?;
        if status == StatusCode::NOT_FOUND {
            return Err(ClientError::Status {
                method: "POST".into(),
                url,
                status: 404,
                message: format!(
                    "the broker knows no provider named `{}` (nothing was published for it yet?)",
                    request.provider
                ),
            });
        }
        if !status.is_success() {
            return Err(ClientError::Status {
                method: "POST".into(),
                url,
                status: status.as_u16(),
                message: error_message(&answer.to_string()),
            });
        }
        let pacts = answer
            .pointer("/_embedded/pacts")
            .and_then(Value::as_array)
            .ok_or_else(|| ClientError::Protocol {
                url: url.clone(),
                message: "no `_embedded.pacts` array".into(),
            })?;
        let mut loaded = Vec::with_capacity(pacts.len());
        for item in pacts {
            let href = link(item, "self").ok_or_else(|| ClientError::Protocol {
                url: url.clone(),
                message: "a pact without `_links.self.href`".into(),
            })?;
            let properties = item.get("verificationProperties");
            let context = BrokerContext {
                pending: properties
                    .and_then(|p| p.get("pending"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                wip: properties
                    .and_then(|p| p.get("wip"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                notices: properties
                    .and_then(|p| p.get("notices"))
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|n| {
                        n.get("when").and_then(Value::as_str) == Some("before_verification")
                    })
                    .filter_map(|n| n.get("text").and_then(Value::as_str).map(str::to_owned))
                    .collect(),
            };
            let document = self.expect(Method::GET, href, None).await?;
            let pact = Pact::from_value(document).map_err(|e| ClientError::Contract {
                url: href.to_owned(),
                message: e.to_string(),
            })?;
            loaded.push(Loaded {
                origin: href.to_owned(),
                pact,
                broker: Some(context),
            });
        }
        Ok(loaded)
    }

    /// Records the provider version's branch and tags (once per run), as the official verifier
    /// does before publishing results: through the provider resource's templated links.
    pub async fn tag_provider_version(
        &self,
        pact: &Pact,
        version: &str,
        branch: Option<&str>,
        tags: &[String],
    ) -> Result<(), ClientError> {
        if branch.is_none() && tags.is_empty() {
            return Ok(());
        }
        let links = Value::Object(pact.extra.clone());
        let provider_url = link(&links, "pb:provider").ok_or_else(|| ClientError::Protocol {
            url: self.base.clone(),
            message: "the contract has no `pb:provider` link to record the provider version's branch and tags".into(),
        })?;
        let provider = self.expect(Method::GET, provider_url, None).await?;
        if let Some(branch) = branch {
            let template = link(&provider, "pb:branch-version").ok_or_else(|| ClientError::Protocol {
                url: provider_url.to_owned(),
                message: "no `pb:branch-version` link; the broker is too old for branches (2.86 or later needed)".into(),
            })?;
            self.expect(
                Method::PUT,
                &expand(template, &[("branch", branch), ("version", version)]),
                Some(&json!({})),
            )
            .await?;
        }
        for tag in tags {
            let template =
                link(&provider, "pb:version-tag").ok_or_else(|| ClientError::Protocol {
                    url: provider_url.to_owned(),
                    message: "no `pb:version-tag` link".into(),
                })?;
            self.expect(
                Method::PUT,
                &expand(template, &[("version", version), ("tag", tag)]),
                Some(&json!({})),
            )
            .await?;
        }
        Ok(())
    }

    /// Publishes one contract's verification result to its `pb:publish-verification-results`
    /// link. Returns the URL of the recorded result.
    pub async fn publish_result(
        &self,
        pact: &Pact,
        provider_version: &str,
        build_url: Option<&str>,
        result: &VerificationResult,
    ) -> Result<String, ClientError> {
        let links = Value::Object(pact.extra.clone());
        let url = link(&links, "pb:publish-verification-results").ok_or_else(|| ClientError::Protocol {
            url: self.base.clone(),
            message: format!(
                "the contract between {} and {} has no `pb:publish-verification-results` link (was it fetched from a broker?)",
                pact.consumer.name, pact.provider.name
            ),
        })?;
        let mut body = json!({
            "success": result.success,
            "providerApplicationVersion": provider_version,
            "verifiedBy": {"implementation": "pactum", "version": env!("CARGO_PKG_VERSION")},
            "testResults": result.test_results,
        });
        if let Some(build_url) = build_url {
            body["buildUrl"] = json!(build_url);
        }
        let answer = self.expect(Method::POST, url, Some(&body)).await?;
        Ok(link(&answer, "self").unwrap_or(url).to_owned())
    }
}
