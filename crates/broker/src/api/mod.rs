//! The HTTP resources, under the Pact Broker's paths (the official Rust CLI builds some of them
//! itself, so the paths matter as much as the link relations).

mod cross_checks;
mod doc;
mod environments;
mod for_verification;
mod integrations;
mod matrix;
mod pact_lists;
mod pacticipants;
mod pacts;
mod provider_contracts;
mod repr;
mod selectors;
mod webhooks;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use pactum_broker_api::index::Count;
use pactum_broker_api::{Heartbeat, Index, Link, Links, Metrics, Relation, SelfLinks};

use super::AppState;
use super::base_url::Base;
use super::hal::{ApiResult, Hal};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/diagnostic/status/heartbeat", get(heartbeat))
        .route("/health", get(heartbeat))
        .route("/metrics", get(metrics))
        .merge(pacticipants::routes())
        .merge(environments::routes())
        .merge(pacts::routes())
        .merge(for_verification::routes())
        .merge(matrix::routes())
        .merge(pact_lists::routes())
        .merge(integrations::routes())
        .merge(webhooks::routes())
        .merge(provider_contracts::routes())
        .merge(cross_checks::routes())
        .merge(doc::routes())
        .fallback(not_found)
}

async fn not_found(uri: axum::http::Uri) -> super::hal::ApiError {
    super::hal::ApiError::not_found(format!("no resource at {}", uri.path()))
}

/// The health check: 200 when the database answers, 503 otherwise.
async fn heartbeat(State(state): State<AppState>) -> ApiResult<Hal<Heartbeat>> {
    state.store.ping().await.map_err(|error| {
        tracing::error!(%error, "health check failed");
        super::hal::ApiError::with_status(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        )
    })?;
    Ok(Hal::ok(Heartbeat { ok: true }))
}

/// Counts of what the broker holds, for monitoring and for tests that check stored state.
async fn metrics(State(state): State<AppState>, Base(base): Base) -> ApiResult<Hal<Metrics>> {
    Ok(Hal::ok(Metrics {
        counts: state
            .store
            .counts()
            .await?
            .into_iter()
            .map(|(name, count)| (name.to_owned(), Count { count }))
            .collect(),
        links: SelfLinks::to(format!("{base}/metrics"), "Metrics"),
    }))
}

/// Every relation clients start from, with the Pact Broker's names, hrefs and templates.
const RELATIONS: &[(&str, &str, &str, bool)] = &[
    ("self", "/", "Index", false),
    (
        "pb:publish-pact",
        "/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}",
        "Publish a pact",
        true,
    ),
    (
        "pb:publish-contracts",
        "/contracts/publish",
        "Publish contracts",
        false,
    ),
    (
        "pb:latest-pact-versions",
        "/pacts/latest",
        "Latest pact versions",
        false,
    ),
    (
        "pb:tagged-pact-versions",
        "/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}",
        "All versions of a pact for a given consumer, provider and consumer version tag",
        true,
    ),
    ("pb:pacticipants", "/pacticipants", "Pacticipants", false),
    ("pb:integrations", "/integrations", "Integrations", false),
    (
        "pb:pacticipant",
        "/pacticipants/{pacticipant}",
        "Fetch pacticipant by name",
        true,
    ),
    (
        "pb:latest-provider-pacts",
        "/pacts/provider/{provider}/latest",
        "Latest pacts by provider",
        true,
    ),
    (
        "pb:latest-provider-pacts-with-tag",
        "/pacts/provider/{provider}/latest/{tag}",
        "Latest pacts for provider with the specified tag",
        true,
    ),
    (
        "pb:provider-pacts-with-tag",
        "/pacts/provider/{provider}/tag/{tag}",
        "All pact versions for the provider with the specified consumer version tag",
        true,
    ),
    (
        "pb:provider-pacts",
        "/pacts/provider/{provider}",
        "All pact versions for the specified provider",
        true,
    ),
    (
        "pb:latest-version",
        "/pacticipants/{pacticipant}/latest-version",
        "Latest pacticipant version",
        true,
    ),
    (
        "pb:latest-tagged-version",
        "/pacticipants/{pacticipant}/latest-version/{tag}",
        "Latest pacticipant version with the specified tag",
        true,
    ),
    (
        "pb:pacticipant-version-tag",
        "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}",
        "Get, create or delete a tag for a pacticipant version",
        true,
    ),
    (
        "pb:pacticipant-branch",
        "/pacticipants/{pacticipant}/branches/{branch}",
        "Get or delete a pacticipant branch",
        true,
    ),
    (
        "pb:pacticipant-branch-version",
        "/pacticipants/{pacticipant}/branches/{branch}/versions/{version}",
        "Get or add/create a pacticipant version for a branch",
        true,
    ),
    (
        "pb:pacticipant-version",
        "/pacticipants/{pacticipant}/versions/{version}",
        "Get, create or delete a pacticipant version",
        true,
    ),
    (
        "pb:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
        "Pact versions to be verified for the specified provider",
        true,
    ),
    (
        "beta:provider-pacts-for-verification",
        "/pacts/provider/{provider}/for-verification",
        "DEPRECATED - please use pb:provider-pacts-for-verification",
        true,
    ),
    ("pb:environments", "/environments", "Environments", false),
    (
        "pb:environment",
        "/environments/{uuid}",
        "Environment",
        true,
    ),
    (
        "pf:publish-provider-contract",
        "/provider-contracts/provider/{provider}/publish",
        "Publish a provider contract (an OpenAPI document) with its self-verification results",
        true,
    ),
    (
        "pactum:cross-checks",
        "/cross-checks/provider/{provider}/version/{version}",
        "Cross-checks of consumer contracts against a provider version's OpenAPI document",
        true,
    ),
    ("pb:metrics", "/metrics", "Get Pact Broker metrics", false),
    ("pb:webhooks", "/webhooks", "Webhooks", false),
    ("pb:webhook", "/webhooks/{uuid}", "Webhook", true),
    (
        "pb:can-i-deploy-pacticipant-version-to-environment",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}",
        "Determine if a pacticipant version can be deployed to an environment",
        true,
    ),
    (
        "pb:can-i-deploy-pacticipant-version-to-tag",
        "/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}",
        "Determine if a pacticipant version can be deployed to the latest of a tag",
        true,
    ),
];

async fn index(Base(base): Base) -> Hal<Index> {
    let mut links: Links = RELATIONS
        .iter()
        .map(|(rel, path, title, templated)| {
            let href = format!("{base}{path}");
            let link = if *templated {
                Link::template(href, *title)
            } else {
                Link::titled(href, *title)
            };
            ((*rel).to_owned(), Relation::One(link))
        })
        .collect();
    let curie = |name: &str| repr::doc_curie(&base, name, "index");
    links.insert(
        "curies".into(),
        Relation::Many(vec![
            curie("pb"),
            curie("beta"),
            curie("pf"),
            curie("pactum"),
        ]),
    );
    Hal::ok(Index { links })
}
