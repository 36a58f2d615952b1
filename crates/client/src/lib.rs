//! A client of the Pact Broker HTTP API — pactum's broker or any other.
//!
//! It navigates by link relations from the index, as the official clients do, so it works with
//! brokers behind path prefixes and proxies. Used by `pactum verify --broker-url` (pacts for
//! verification, publishing results) and by the broker commands of the CLI. [`sources`] loads
//! contracts from files, directories and URLs, for the verifier and the stub.
#![warn(missing_docs)]

mod commands;
mod consumer_contracts;
mod cross_checks;
mod error;
mod origin;
mod provider_contracts;
pub mod sources;
mod webhooks;

use std::time::Duration;

use pactum_broker_api::hal::href;
use pactum_broker_api::{
    ConsumerVersionSelector, Index, PactResource, Pacticipant, PactsForVerification,
    PactsForVerificationRequest, VerificationResult as RecordedResult, VerificationResultRequest,
    VerifiedBy, VersionRequest,
};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::sources::{Auth, Loaded};
use pactum_core::contract::Pact;

pub use commands::{Target, VersionSelector, contract_to_publish, matrix_query};
pub use consumer_contracts::{ConsumerContract, Pick, Scope};
pub use error::{
    BaseUrlProblem, ClientError, Credential, Difference, EnvironmentSetting, Missing, Reply,
};
pub use provider_contracts::ProviderContractPublication;

/// What to ask the broker for when verifying a provider.
#[derive(Debug, Clone, Default)]
pub struct VerificationRequest {
    /// The provider's name.
    pub provider: String,
    /// Consumer version selectors (`{"mainBranch": true}`).
    pub selectors: Vec<ConsumerVersionSelector>,
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
    /// The base URL's origin: the only one credentials are sent to.
    origin: url::Origin,
    auth: Auth,
    http: reqwest::Client,
}

/// Checks that a base URL is an http(s) URL: `127.0.0.1:9292` would otherwise be read as a
/// path relative to nothing, or (`localhost:9292`) as a URL of the scheme `localhost`.
fn check_base_url(base_url: &str) -> Result<(), ClientError> {
    let problem = if !base_url.contains("://") {
        Some(BaseUrlProblem::NoScheme)
    } else {
        match url::Url::parse(base_url) {
            Err(error) => Some(BaseUrlProblem::Invalid(error)),
            Ok(url) if !matches!(url.scheme(), "http" | "https") => {
                Some(BaseUrlProblem::Scheme(url.scheme().to_owned()))
            }
            Ok(_) => None,
        }
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(ClientError::BaseUrl {
            url: base_url.to_owned(),
            problem,
        }),
    }
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

/// A relation's (templated) href from the index of the broker at `base`.
fn relation_template<'a>(index: &'a Index, base: &str, rel: &str) -> Result<&'a str, ClientError> {
    href(index.link(rel)).ok_or_else(|| ClientError::Protocol {
        url: format!("{base}/"),
        message: format!(
            "the index has no `{rel}` relation; is this a Pact Broker (2.86 or later)?"
        ),
    })
}

/// The links a broker adds to a contract it serves (`_links` in the contract's unknown members).
fn pact_links(pact: &Pact) -> PactResource {
    serde_json::from_value(Value::Object(pact.extra.clone())).unwrap_or_default()
}

/// Whether a contract came from a broker that takes its verification results (it has a
/// `pb:publish-verification-results` link).
pub fn publishable(pact: &Pact) -> bool {
    href(pact_links(pact).links.publish_verification_results.as_ref()).is_some()
}

impl BrokerClient {
    /// A client of the broker at `base_url` (an `http://` or `https://` URL).
    pub fn new(base_url: &str, auth: Auth) -> Result<Self, ClientError> {
        check_base_url(base_url)?;
        let origin = url::Url::parse(base_url)
            .map_err(|error| ClientError::BaseUrl {
                url: base_url.to_owned(),
                problem: BaseUrlProblem::Invalid(error),
            })?
            .origin();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("pactum/", env!("CARGO_PKG_VERSION")))
            .redirect(origin::redirect_policy(auth != Auth::None))
            .build()
            .map_err(ClientError::Setup)?;
        Ok(BrokerClient {
            base: base_url.trim_end_matches('/').to_owned(),
            origin,
            auth,
            http,
        })
    }

    /// The broker's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends a request with a JSON body (`content_type` names it); returns the status and the
    /// answer's text. Errors for transport failures, for 401/403, and — with credentials — for a
    /// URL or a redirect to another origin than the broker's; other statuses are the caller's
    /// to judge.
    async fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Option<String>,
        content_type: &str,
    ) -> Result<(StatusCode, String), ClientError> {
        let url = if url.starts_with("http://") || url.starts_with("https://") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let with_credentials = self.auth != Auth::None;
        if with_credentials && !origin::same_origin(&self.origin, &url) {
            return Err(ClientError::OtherOrigin {
                broker: origin::describe(&self.origin),
                url,
                redirected_from: None,
            });
        }
        let mut request = self
            .auth
            .apply(self.http.request(method.clone(), &url))
            .header("accept", "application/hal+json, application/json");
        if let Some(body) = body {
            request = request.header("content-type", content_type).body(body);
        }
        let unreachable = |source| ClientError::Unreachable {
            url: url.clone(),
            source,
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        if with_credentials && status.is_redirection() {
            // The redirect policy stopped at another origin.
            if let Some(location) = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .and_then(|l| response.url().join(l).ok())
            {
                return Err(ClientError::OtherOrigin {
                    broker: origin::describe(&self.origin),
                    url: location.to_string(),
                    redirected_from: Some(response.url().to_string()),
                });
            }
        }
        let text = response.text().await.map_err(unreachable)?;
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(ClientError::Unauthorized {
                sent: self.auth.credential(),
                reply: Reply::new(method.as_str(), &url, status.as_u16(), &text),
            });
        }
        Ok((status, text))
    }

    /// Sends `body` (if any) as JSON — merge-patch JSON for PATCH, as the official clients do;
    /// returns the status and the answer's text.
    async fn send<B: Serialize>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<(StatusCode, String), ClientError> {
        let content_type = if method == Method::PATCH {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        self.send_as(method, url, body, content_type).await
    }

    /// [`BrokerClient::send`] with an explicit request content type.
    async fn send_as<B: Serialize>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
        content_type: &str,
    ) -> Result<(StatusCode, String), ClientError> {
        let body = match body {
            None => None,
            Some(body) => Some(
                serde_json::to_string(body).map_err(|e| ClientError::Protocol {
                    url: url.to_owned(),
                    message: format!("cannot write the request body: {e}"),
                })?,
            ),
        };
        self.exchange(method, url, body, content_type).await
    }

    /// Reads a 2xx answer as `T`; an empty body reads as `{}` (brokers answer some writes with
    /// no body).
    fn read<T: DeserializeOwned>(url: &str, text: &str) -> Result<T, ClientError> {
        let text = if text.trim().is_empty() { "{}" } else { text };
        serde_json::from_str(text).map_err(|e| ClientError::Protocol {
            url: url.to_owned(),
            message: format!("the answer is not the JSON resource expected: {e}"),
        })
    }

    /// The error for an answer that is not a 2xx.
    fn refused(method: &Method, url: &str, status: StatusCode, text: &str) -> ClientError {
        ClientError::Refused {
            reply: Reply::new(method.as_str(), url, status.as_u16(), text),
        }
    }

    /// Sends a request that must succeed (2xx) and reads the answer as `T`.
    async fn expect<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: Option<&B>,
    ) -> Result<T, ClientError> {
        let (status, text) = self.send(method.clone(), url, body).await?;
        if !status.is_success() {
            return Err(Self::refused(&method, url, status, &text));
        }
        Self::read(url, &text)
    }

    /// Sends a request that must succeed (2xx); what the broker answers is not needed.
    async fn submit<B: Serialize>(
        &self,
        method: Method,
        url: &str,
        body: &B,
    ) -> Result<(), ClientError> {
        let (status, text) = self.send(method.clone(), url, Some(body)).await?;
        if !status.is_success() {
            return Err(Self::refused(&method, url, status, &text));
        }
        Ok(())
    }

    /// GETs a resource that must exist.
    async fn get<T: DeserializeOwned>(&self, url: &str) -> Result<T, ClientError> {
        self.expect::<(), T>(Method::GET, url, None).await
    }

    /// GETs a resource; `Ok(None)` when the broker does not know it (404).
    async fn find<T: DeserializeOwned>(&self, url: &str) -> Result<Option<T>, ClientError> {
        let (status, text) = self.send::<()>(Method::GET, url, None).await?;
        match status {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Self::read(url, &text).map(Some),
            s => Err(Self::refused(&Method::GET, url, s, &text)),
        }
    }

    /// The index document.
    /// Anything but a JSON 2xx answer means the base URL is not a broker's (or the broker is
    /// down): a setup problem, not a refusal.
    pub async fn index(&self) -> Result<Index, ClientError> {
        let url = format!("{}/", self.base);
        let (status, text) = self.send::<()>(Method::GET, &url, None).await?;
        // A JSON object without links (`{}`) is no broker's index either.
        let index = serde_json::from_str::<Index>(&text)
            .ok()
            .filter(|index| !index.links.is_empty());
        match index {
            Some(index) if status.is_success() => Ok(index),
            _ => Err(ClientError::NotABroker {
                reply: Reply::new("GET", &url, status.as_u16(), &text),
                index: url,
            }),
        }
    }

    /// A relation's href from the index, expanded.
    pub async fn relation(
        &self,
        rel: &str,
        values: &[(&str, &str)],
    ) -> Result<String, ClientError> {
        let index = self.index().await?;
        Ok(expand(relation_template(&index, &self.base, rel)?, values))
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
        let body = PactsForVerificationRequest {
            consumer_version_selectors: request.selectors.clone(),
            provider_version_branch: request.provider_branch.clone(),
            provider_version_tags: request.provider_tags.clone(),
            // Work-in-progress contracts are pending by definition (the verifier treats `wip`
            // as pending), so asking for them does not turn on pending for the others.
            include_pending_status: Some(request.include_pending),
            include_wip_pacts_since: request.include_wip_since.clone(),
        };
        let (status, text) = self.send(Method::POST, &url, Some(&body)).await?;
        if status == StatusCode::NOT_FOUND {
            return Err(ClientError::NotFound {
                missing: Missing::Pacticipant {
                    name: request.provider.clone(),
                },
                reply: Some(Reply::new("POST", &url, 404, &text)),
            });
        }
        if !status.is_success() {
            return Err(Self::refused(&Method::POST, &url, status, &text));
        }
        let answer: PactsForVerification = Self::read(&url, &text)?;
        let mut loaded = Vec::with_capacity(answer.embedded.pacts.len());
        for item in &answer.embedded.pacts {
            let href = href(item.links.self_.as_ref()).ok_or_else(|| ClientError::Protocol {
                url: url.clone(),
                message: "a pact without `_links.self.href`".into(),
            })?;
            let properties = &item.verification_properties;
            let context = BrokerContext {
                pending: properties.pending.unwrap_or(false),
                wip: properties.wip.unwrap_or(false),
                notices: properties
                    .notices
                    .iter()
                    .filter(|n| n.when == pactum_broker_api::for_verification::BEFORE_VERIFICATION)
                    .map(|n| n.text.clone())
                    .collect(),
            };
            // The contract is the consumer's document, not a broker resource: read as JSON.
            let document: Value = self.get(href).await?;
            let pact = Pact::from_value(document).map_err(|source| ClientError::Contract {
                url: href.to_owned(),
                source,
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
        let links = pact_links(pact).links;
        let provider_url = href(links.provider.as_ref()).ok_or_else(|| ClientError::Protocol {
            url: self.base.clone(),
            message: "the contract has no `pb:provider` link to record the provider version's branch and tags".into(),
        })?;
        let provider: Pacticipant = self.get(provider_url).await?;
        // Both PUTs create the provider version if needed; it has nothing more to say.
        let no_properties = VersionRequest::default();
        if let Some(branch) = branch {
            let template = href(provider.links.branch_version.as_ref()).ok_or_else(|| ClientError::Protocol {
                url: provider_url.to_owned(),
                message: "no `pb:branch-version` link; the broker is too old for branches (2.86 or later needed)".into(),
            })?;
            self.submit(
                Method::PUT,
                &expand(template, &[("branch", branch), ("version", version)]),
                &no_properties,
            )
            .await?;
        }
        for tag in tags {
            let template =
                href(provider.links.version_tag.as_ref()).ok_or_else(|| ClientError::Protocol {
                    url: provider_url.to_owned(),
                    message: "no `pb:version-tag` link".into(),
                })?;
            self.submit(
                Method::PUT,
                &expand(template, &[("version", version), ("tag", tag)]),
                &no_properties,
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
        let links = pact_links(pact).links;
        let url = href(links.publish_verification_results.as_ref()).ok_or_else(|| ClientError::Protocol {
            url: self.base.clone(),
            message: format!(
                "the contract between {} and {} has no `pb:publish-verification-results` link (was it fetched from a broker?)",
                pact.consumer.name, pact.provider.name
            ),
        })?;
        let body = VerificationResultRequest {
            success: result.success,
            provider_application_version: provider_version.to_owned(),
            build_url: build_url.map(str::to_owned),
            test_results: Some(Value::from(result.test_results.clone())),
            verified_by: Some(VerifiedBy {
                implementation: Some("pactum".into()),
                version: Some(env!("CARGO_PKG_VERSION").into()),
                other: Default::default(),
            }),
        };
        let answer: RecordedResult = self.expect(Method::POST, url, Some(&body)).await?;
        Ok(href(answer.links.self_.as_ref()).unwrap_or(url).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(url: &str) -> Option<BaseUrlProblem> {
        match check_base_url(url) {
            Ok(()) => None,
            Err(ClientError::BaseUrl { problem, .. }) => Some(problem),
            Err(other) => panic!("{other}"),
        }
    }

    #[test]
    fn base_urls_need_an_http_scheme() {
        assert_eq!(problem("http://127.0.0.1:9292"), None);
        assert_eq!(problem("https://broker.example/prefix/"), None);
        assert_eq!(problem("127.0.0.1:9292"), Some(BaseUrlProblem::NoScheme));
        // `localhost:9292` parses as a URL of the scheme `localhost`: still no scheme given.
        assert_eq!(problem("localhost:9292"), Some(BaseUrlProblem::NoScheme));
        assert_eq!(
            problem("ftp://broker.example"),
            Some(BaseUrlProblem::Scheme("ftp".into()))
        );
        assert!(matches!(
            problem("http://"),
            Some(BaseUrlProblem::Invalid(_))
        ));
    }

    #[test]
    fn replies_keep_the_error_body_and_the_text() {
        let reply = Reply::new(
            "GET",
            "http://b/matrix",
            400,
            r#"{"errors": {"q[0].pacticipant": ["no pacticipant named `x`"]}}"#,
        );
        assert_eq!(
            reply.summary(),
            "q[0].pacticipant: no pacticipant named `x`"
        );
        assert!(reply.raw.contains("q[0].pacticipant"));
        let page = Reply::new("GET", "http://b/", 404, "<html>not here</html>");
        assert_eq!(page.body, None);
        assert_eq!(page.summary(), "<html>not here</html>");
        let huge = "é".repeat(100_000);
        assert!(Reply::new("GET", "http://b/", 500, &huge).raw.len() <= 64 * 1024);
    }
}
