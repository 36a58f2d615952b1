//! The coverage of a provider version's OpenAPI document by the consumer contracts cross-checked
//! against it (the contracts `GET /cross-checks/provider/{p}/version/{v}` lists): which
//! operations, statuses, parameters and fields they rely on, and which none does. Shared by the
//! API resource (`api/cross_checks.rs`) and the page (`ui/coverage.rs`).
//!
//! Computed on request, not stored: it depends on the whole set of contracts, which changes
//! with every publication. Loading the document, reading the contracts and computing run on a
//! blocking thread — a 500-operation document and a few large contracts take long enough to
//! hold up the requests sharing an async worker.

use pactum_core::contract::Pact;
use pactum_openapi::coverage::{Coverage, coverage};
use pactum_openapi::{Document, LoadError};

use crate::blocking::on_blocking_thread;
use crate::store::{ProviderContractFacts, Store, StoreError};

/// A provider version's coverage, with what it was computed from.
#[derive(Debug, Clone)]
pub(crate) struct ProviderVersionCoverage {
    /// The provider contract.
    pub contract: ProviderContractFacts,
    /// The consumer contracts, in the cross-checks' order.
    pub contracts: Vec<CoveringContract>,
    /// The coverage (contracts named by their consumer).
    pub coverage: Coverage,
}

/// A consumer contract a coverage was computed from.
#[derive(Debug, Clone)]
pub(crate) struct CoveringContract {
    /// Its consumer.
    pub consumer: String,
    /// Its content hash.
    pub pact_sha: String,
    /// Why it was left out (it cannot be read), if it was.
    pub error: Option<String>,
}

/// Why a coverage cannot be computed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CoverageError {
    /// The version published no OpenAPI document (or does not exist).
    #[error(
        "version {version} of {provider} published no OpenAPI document (publish one with pactum publish-provider-contract)"
    )]
    NoDocument { provider: String, version: String },
    /// The stored document does not load (it did when published; a newer pactum may read
    /// stricter).
    #[error("the provider contract of {provider} version {version} cannot be read: {source}")]
    Unreadable {
        provider: String,
        version: String,
        #[source]
        source: LoadError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Computes the coverage of `provider` version `version`'s document.
pub(crate) async fn provider_version_coverage(
    store: &Store,
    provider: &str,
    version: &str,
) -> Result<ProviderVersionCoverage, CoverageError> {
    let sources = store
        .provider_version_coverage_sources(provider, version)
        .await?
        .ok_or_else(|| CoverageError::NoDocument {
            provider: provider.to_owned(),
            version: version.to_owned(),
        })?;
    let (provider, version) = (provider.to_owned(), version.to_owned());
    on_blocking_thread(move || {
        let document = Document::from_bytes(sources.document.as_bytes()).map_err(|source| {
            CoverageError::Unreadable {
                provider,
                version,
                source,
            }
        })?;
        let mut contracts = Vec::with_capacity(sources.contracts.len());
        let mut pacts = Vec::with_capacity(sources.contracts.len());
        for source in sources.contracts {
            let error = match Pact::from_slice(source.content.as_bytes()) {
                Ok(pact) => {
                    pacts.push((source.consumer.clone(), pact));
                    None
                }
                Err(error) => Some(format!("the contract cannot be read: {error}")),
            };
            contracts.push(CoveringContract {
                consumer: source.consumer,
                pact_sha: source.pact_sha,
                error,
            });
        }
        let named: Vec<(String, &Pact)> = pacts
            .iter()
            .map(|(consumer, pact)| (consumer.clone(), pact))
            .collect();
        Ok(ProviderVersionCoverage {
            contract: sources.contract,
            contracts,
            coverage: coverage(&document, &named),
        })
    })
    .await
}
