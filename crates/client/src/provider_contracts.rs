//! Publishing a provider contract (an OpenAPI document with the provider's own test result),
//! following the index's `pf:publish-provider-contract` relation as PactFlow's clients do.

use base64::Engine as _;
use pactum_broker_api::provider_contracts::ProviderContractToPublish;
use pactum_broker_api::{
    ProviderContractPublished, PublishProviderContractRequest, SelfVerificationResults,
};
use reqwest::Method;

use super::{BrokerClient, ClientError};

/// A provider contract to publish, its document and report as read (the client encodes them).
#[derive(Debug, Clone, Default)]
pub struct ProviderContractPublication {
    /// The provider.
    pub provider: String,
    /// The provider version the document belongs to.
    pub version: String,
    /// The version's branch.
    pub branch: Option<String>,
    /// Tags for the version.
    pub tags: Vec<String>,
    /// The CI build that made the version.
    pub build_url: Option<String>,
    /// The document.
    pub document: Vec<u8>,
    /// Its media type (`application/json`, `application/yaml`).
    pub content_type: String,
    /// Whether the provider's own tests against the document passed.
    pub success: bool,
    /// Their report.
    pub report: Option<Vec<u8>>,
    /// The report's media type.
    pub report_content_type: Option<String>,
    /// The report's format (`text`, `junit`, …).
    pub report_format: Option<String>,
    /// The tool that ran the tests.
    pub verifier: Option<String>,
    /// Its version.
    pub verifier_version: Option<String>,
}

impl ProviderContractPublication {
    /// The wire body: document and report base64-encoded, specification `oas`.
    pub fn request(&self) -> PublishProviderContractRequest {
        let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        PublishProviderContractRequest {
            pacticipant_version_number: self.version.clone(),
            branch: self.branch.clone(),
            tags: self.tags.clone(),
            build_url: self.build_url.clone(),
            contract: ProviderContractToPublish {
                content: encode(&self.document),
                content_type: self.content_type.clone(),
                specification: "oas".into(),
                self_verification_results: SelfVerificationResults {
                    success: self.success,
                    content: self.report.as_deref().map(encode),
                    content_type: self.report_content_type.clone(),
                    format: self.report_format.clone(),
                    verifier: self.verifier.clone(),
                    verifier_version: self.verifier_version.clone(),
                },
            },
        }
    }
}

impl BrokerClient {
    /// Publishes a provider contract; the broker's answer names the version, its branch and
    /// tags, and the stored contract.
    pub async fn publish_provider_contract(
        &self,
        publication: &ProviderContractPublication,
    ) -> Result<ProviderContractPublished, ClientError> {
        let url = self
            .relation(
                "pf:publish-provider-contract",
                &[("provider", &publication.provider)],
            )
            .await?;
        self.expect(Method::POST, &url, Some(&publication.request()))
            .await
    }
}
