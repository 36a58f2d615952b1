//! The cross-checks of consumer contracts against providers' OpenAPI documents:
//! `GET /cross-checks/provider/{p}/version/{v}` (every consumer contract the version's document
//! was checked against), `…/consumer/{c}` (one consumer's), `GET /cross-checks/{id}` (one), and
//! `…/version/{v}/coverage` (what of the document those contracts use, `crate::coverage`).
//! They are computed in the background (`crate::cross_check`); what they mean for a deployment
//! is the matrix's business.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use pactum_broker_api::cross_checks::{
    CoverageLinks, CoverageTotals, CoveringContract, FieldCoverage, OperationCoverage,
    ParameterCoverage, StatusCoverage, UsedOfAll, status,
};
use pactum_broker_api::{
    CrossCheckFinding, CrossCheckResource, CrossCheckedContract, CrossChecksLinks, Link,
    ProviderVersionCoverage, ProviderVersionCrossChecks, SelfLinks,
};

use crate::AppState;
use crate::base_url::Base;
use crate::coverage::{CoverageError, provider_version_coverage};
use crate::hal::{ApiError, ApiResult, Hal, href};
use crate::store::{CrossCheckRecord, rfc3339};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/cross-checks/{id}", get(one))
        .route(
            "/cross-checks/provider/{p}/version/{v}",
            get(of_provider_version),
        )
        .route(
            "/cross-checks/provider/{p}/version/{v}/consumer/{c}",
            get(of_pair),
        )
        .route(
            "/cross-checks/provider/{p}/version/{v}/coverage",
            get(coverage_of_provider_version),
        )
}

/// `/cross-checks/provider/{p}/version/{v}`.
pub(crate) fn cross_checks_href(base: &str, provider: &str, version: &str) -> String {
    href(
        base,
        &["cross-checks", "provider", provider, "version", version],
    )
}

/// `/cross-checks/provider/{p}/version/{v}/coverage`.
pub(crate) fn coverage_href(base: &str, provider: &str, version: &str) -> String {
    href(
        base,
        &[
            "cross-checks",
            "provider",
            provider,
            "version",
            version,
            "coverage",
        ],
    )
}

/// `/cross-checks/{id}`.
pub(crate) fn cross_check_href(base: &str, id: i64) -> String {
    format!("{base}/cross-checks/{id}")
}

/// The state of a cross-check as the wire says it.
pub(crate) fn status_of(record: &CrossCheckRecord) -> &'static str {
    match &record.outcome {
        None => status::PENDING,
        Some(outcome) if outcome.success => status::SUCCESS,
        Some(_) => status::FAILURE,
    }
}

fn resource(
    base: &str,
    record: CrossCheckRecord,
    consumer: Option<String>,
    consumer_versions: Vec<String>,
) -> CrossCheckResource {
    let status = status_of(&record).to_owned();
    let (error, computed_at, result) = match record.outcome {
        Some(outcome) => (
            outcome.error,
            Some(rfc3339(outcome.computed_at)),
            outcome.result,
        ),
        None => (None, None, Default::default()),
    };
    CrossCheckResource {
        id: record.id,
        consumer,
        consumer_versions,
        pact_sha: record.pact_sha,
        provider_contract_sha: record.provider_contract_sha,
        status,
        error,
        interactions_checked: result.interactions_checked as u64,
        interactions_skipped: result.interactions_skipped as u64,
        findings: result
            .findings
            .into_iter()
            .map(|finding| CrossCheckFinding {
                code: finding.code.as_str().to_owned(),
                severity: match finding.severity {
                    pactum_openapi::Severity::Error => "error",
                    pactum_openapi::Severity::Warning => "warning",
                }
                .to_owned(),
                message: finding.message,
                interaction: finding.interaction as u64,
                description: finding.description,
                provider_state: finding.provider_state,
                contract_location: finding.contract_location,
                document_location: finding.document_location,
                operation: finding.operation,
            })
            .collect(),
        created_at: Some(rfc3339(record.created_at)),
        computed_at,
        links: SelfLinks::to(cross_check_href(base, record.id), "Cross-check"),
    }
}

async fn one(
    State(state): State<AppState>,
    Base(base): Base,
    Path(id): Path<String>,
) -> ApiResult<Hal<CrossCheckResource>> {
    let missing = || ApiError::not_found(format!("no cross-check with id `{id}`"));
    let number: i64 = id.parse().map_err(|_| missing())?;
    let record = state.store.cross_check(number).await?.ok_or_else(missing)?;
    Ok(Hal::ok(resource(&base, record, None, Vec::new())))
}

async fn answer(
    state: &AppState,
    base: &str,
    provider: &str,
    version: &str,
    consumer: Option<&str>,
) -> ApiResult<Hal<ProviderVersionCrossChecks>> {
    if let Some(consumer) = consumer
        && state.store.pacticipant(consumer).await?.is_none()
    {
        return Err(ApiError::not_found(format!(
            "no pacticipant named `{consumer}`"
        )));
    }
    let found = state
        .store
        .provider_version_cross_checks(provider, version, consumer)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "provider {provider} version {version} has published no provider contract \
                 (publish one with pactum publish-provider-contract)"
            ))
        })?;
    let mut path = vec!["cross-checks", "provider", provider, "version", version];
    if let Some(consumer) = consumer {
        path.extend(["consumer", consumer]);
    }
    Ok(Hal::ok(ProviderVersionCrossChecks {
        provider: provider.to_owned(),
        provider_version: version.to_owned(),
        provider_contract: CrossCheckedContract {
            sha: found.contract.sha,
            self_verification_success: found.contract.self_verified,
            verifier: found.contract.verifier,
        },
        cross_checks: found
            .checks
            .into_iter()
            .map(|check| {
                resource(
                    base,
                    check.record,
                    Some(check.consumer),
                    check.consumer_versions,
                )
            })
            .collect(),
        links: CrossChecksLinks {
            self_: Some(Link::titled(href(base, &path), "Cross-checks")),
            coverage: Some(Link::titled(
                coverage_href(base, provider, version),
                "What of the document the consumer contracts use",
            )),
        },
    }))
}

async fn of_provider_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version)): Path<(String, String)>,
) -> ApiResult<Hal<ProviderVersionCrossChecks>> {
    answer(&state, &base, &provider, &version, None).await
}

async fn of_pair(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version, consumer)): Path<(String, String, String)>,
) -> ApiResult<Hal<ProviderVersionCrossChecks>> {
    answer(&state, &base, &provider, &version, Some(&consumer)).await
}

async fn coverage_of_provider_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version)): Path<(String, String)>,
) -> ApiResult<Hal<ProviderVersionCoverage>> {
    let found = provider_version_coverage(&state.store, &provider, &version)
        .await
        .map_err(|error| match error {
            CoverageError::Store(error) => ApiError::from(error),
            CoverageError::NoDocument { .. } => ApiError::not_found(error.to_string()),
            CoverageError::Unreadable { .. } => {
                ApiError::with_status(StatusCode::UNPROCESSABLE_ENTITY, error.to_string())
            }
        })?;
    let [operations, statuses, fields] = found.coverage.totals().map(|(used, all)| UsedOfAll {
        used: used as u64,
        all: all as u64,
    });
    let fields_of = |fields: Vec<pactum_openapi::coverage::FieldCoverage>| {
        fields
            .into_iter()
            .map(|f| FieldCoverage {
                field: f.field,
                used_by: f.used_by,
            })
            .collect()
    };
    Ok(Hal::ok(ProviderVersionCoverage {
        links: CoverageLinks {
            self_: Some(Link::titled(
                coverage_href(&base, &provider, &version),
                "Coverage",
            )),
            cross_checks: Some(Link::titled(
                cross_checks_href(&base, &provider, &version),
                "Cross-checks",
            )),
            provider: Some(Link::named(
                href(&base, &["pacticipants", &provider]),
                "Provider",
                &provider,
            )),
        },
        provider,
        provider_version: version,
        provider_contract_sha: found.contract.sha,
        contracts: found
            .contracts
            .into_iter()
            .map(|c| CoveringContract {
                consumer: c.consumer,
                pact_sha: c.pact_sha,
                error: c.error,
            })
            .collect(),
        totals: CoverageTotals {
            operations,
            statuses,
            fields,
        },
        operations: found
            .coverage
            .operations
            .into_iter()
            .map(|o| OperationCoverage {
                operation: o.operation,
                used_by: o.used_by,
                parameters: o
                    .parameters
                    .into_iter()
                    .map(|p| ParameterCoverage {
                        location: p.location,
                        name: p.name,
                        used_by: p.used_by,
                    })
                    .collect(),
                request_fields: fields_of(o.request_fields),
                statuses: o
                    .statuses
                    .into_iter()
                    .map(|s| StatusCoverage {
                        status: s.status,
                        used_by: s.used_by,
                        fields: fields_of(s.fields),
                    })
                    .collect(),
            })
            .collect(),
        unrouted: found.coverage.unrouted,
    }))
}
