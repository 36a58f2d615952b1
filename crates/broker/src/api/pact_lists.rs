//! Lists of contracts: every pair's latest (`/pacts/latest`), all of a provider's
//! (`/pacts/provider/{p}`, by consumer version tag `/pacts/provider/{p}/tag/{tag}`), and a
//! pair's by consumer version tag (`/pacts/provider/{p}/consumer/{c}/tag/{tag}`, which DELETE
//! empties). Not here: single contracts and a provider's latest ones (`pacts`).

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use pactum_broker_api::{LatestPacts, Link, PactVersions, ProviderPacts};

use super::repr;
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiResult, Hal, href, no_content, seg};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pacts/latest", get(latest_pacts))
        .route("/pacts/provider/{p}", get(provider_pacts))
        .route("/pacts/provider/{p}/tag/{tag}", get(tagged_provider_pacts))
        .route(
            "/pacts/provider/{p}/consumer/{c}/tag/{tag}",
            get(tagged_pacts).delete(delete_tagged_pacts),
        )
}

async fn latest_pacts(
    State(state): State<AppState>,
    Base(base): Base,
) -> ApiResult<Hal<LatestPacts>> {
    let pacts = state.store.latest_pacts().await?;
    Ok(Hal::ok(repr::latest_pacts(&base, &pacts)))
}

/// A provider's contracts, every consumer version's (with `tag`, when given).
async fn all_provider_pacts(
    state: &AppState,
    base: &str,
    provider: &str,
    tag: Option<&str>,
) -> ApiResult<Hal<ProviderPacts>> {
    let pacts = state.store.pacts_for_provider(provider, tag).await?;
    let provider_href = href(base, &["pacts", "provider", provider]);
    let self_link = match tag {
        Some(tag) => Link::titled(
            format!("{provider_href}/tag/{}", seg(tag)),
            format!(
                "All pact versions for the provider {provider} with consumer version tag '{tag}'"
            ),
        ),
        None => Link::titled(
            provider_href,
            format!("All pact versions for the provider {provider}"),
        ),
    };
    let listed = pacts
        .iter()
        .map(|pact| (pact.consumer.as_str(), pact.consumer_version.as_str()));
    Ok(Hal::ok(repr::provider_pacts(
        base, provider, self_link, listed,
    )))
}

async fn provider_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal<ProviderPacts>> {
    all_provider_pacts(&state, &base, &p, None).await
}

async fn tagged_provider_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, tag)): Path<(String, String)>,
) -> ApiResult<Hal<ProviderPacts>> {
    all_provider_pacts(&state, &base, &p, Some(&tag)).await
}

async fn tagged_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, tag)): Path<(String, String, String)>,
) -> ApiResult<Hal<PactVersions>> {
    let pacts = state.store.tagged_pacts(&p, &c, &tag).await?;
    Ok(Hal::ok(repr::tagged_pacts(&base, &p, &c, &tag, &pacts)))
}

async fn delete_tagged_pacts(
    State(state): State<AppState>,
    Path((p, c, tag)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    state.store.delete_tagged_pacts(&p, &c, &tag).await?;
    Ok(no_content())
}
