//! `/pacts/provider/{p}/for-verification`: reads the question (the POST body, or the GET query
//! in snake_case) into a [`VerificationQuery`], checks each consumer version selector, and
//! writes the selected contracts with their pending/WIP notices. Which contracts are selected
//! is [`crate::selection`]'s business.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use base64::Engine as _;
use pactum_broker_api::for_verification::{BEFORE_VERIFICATION, PactsForVerificationEmbedded};
use pactum_broker_api::{
    BranchSelector, ConsumerVersionSelector, Link, PactForVerification, PactsForVerification,
    PactsForVerificationRequest, SelfLinks, VerificationNotice, VerificationProperties,
};
use pactum_core::printable::printable_line;
use serde::Serialize;

use super::repr::pact_version_href;
use super::selectors::Distinct;
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult, Hal, JsonBody, href, read};
use crate::query::parse_nested;
use crate::selection::{MAX_SELECTORS, Selector, VerifiablePact, VerificationQuery};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route(
        "/pacts/provider/{p}/for-verification",
        get(for_verification_get).post(for_verification_post),
    )
}

// --- the question ------------------------------------------------------------------------------

fn invalid(index: usize, message: impl Into<String>) -> ApiError {
    ApiError::invalid(&format!("consumerVersionSelectors[{index}]"), message)
}

/// The selector keys, for the message about a key pactum does not know.
const SELECTOR_KEYS: &str = "mainBranch, branch, fallbackBranch, matchingBranch, tag, \
                             fallbackTag, latest, consumer, deployed, released, \
                             deployedOrReleased, environment";

/// Reads one selector: a known key with a blank value, or an unknown key, is refused.
fn selector(index: usize, wire: ConsumerVersionSelector) -> ApiResult<Selector> {
    if let Some(key) = wire.other.keys().next() {
        return Err(invalid(
            index,
            format!("unknown key `{key}`; selectors take {SELECTOR_KEYS}"),
        ));
    }
    let text = |key: &str, value: Option<String>| -> ApiResult<Option<String>> {
        match value {
            Some(text) if text.trim().is_empty() => Err(invalid(
                index,
                format!(
                    "{key} must be a non-blank string, got `{}`",
                    printable_line(&text)
                ),
            )),
            other => Ok(other),
        }
    };
    let (branch, matching_alias) = match wire.branch {
        Some(BranchSelector::Named(name)) => (text("branch", Some(name))?, false),
        Some(BranchSelector::Matching) => (None, true),
        None => (None, false),
    };
    Ok(Selector {
        main_branch: wire.main_branch.unwrap_or(false),
        branch,
        fallback_branch: text("fallbackBranch", wire.fallback_branch)?,
        matching_branch: matching_alias || wire.matching_branch.unwrap_or(false),
        tag: text("tag", wire.tag)?,
        fallback_tag: text("fallbackTag", wire.fallback_tag)?,
        latest: wire.latest,
        consumer: text("consumer", wire.consumer)?,
        deployed: wire.deployed.unwrap_or(false),
        released: wire.released.unwrap_or(false),
        deployed_or_released: wire.deployed_or_released.unwrap_or(false),
        environment: text("environment", wire.environment)?,
    })
}

/// Refuses selectors that select nothing or combine keys that contradict each other.
fn validate(selector: &Selector, index: usize, provider_branch: Option<&str>) -> ApiResult<()> {
    let branch_keys = selector.main_branch
        || selector.branch.is_some()
        || selector.fallback_branch.is_some()
        || selector.matching_branch
        || selector.tag.is_some()
        || selector.fallback_tag.is_some()
        || selector.latest.is_some();
    let environment_keys = selector.deployed
        || selector.released
        || selector.deployed_or_released
        || selector.environment.is_some();
    if branch_keys && environment_keys {
        return Err(invalid(
            index,
            "branch/tag/latest keys cannot be combined with deployed/released/environment keys; use two selectors",
        ));
    }
    let choice = selector.main_branch
        || selector.branch.is_some()
        || selector.matching_branch
        || selector.tag.is_some()
        || environment_keys
        || selector.latest == Some(true);
    if !choice {
        return Err(invalid(
            index,
            "selects nothing: give one of mainBranch, branch, matchingBranch, tag, latest: true, deployed, released, deployedOrReleased, environment",
        ));
    }
    if selector.main_branch
        && (selector.branch.is_some()
            || selector.tag.is_some()
            || selector.matching_branch
            || selector.fallback_branch.is_some()
            || selector.fallback_tag.is_some()
            || selector.latest == Some(false))
    {
        return Err(invalid(
            index,
            "mainBranch can only be combined with consumer",
        ));
    }
    if selector.matching_branch {
        if selector.branch.is_some()
            || selector.tag.is_some()
            || selector.fallback_tag.is_some()
            || selector.latest == Some(false)
        {
            return Err(invalid(
                index,
                "matchingBranch can only be combined with consumer",
            ));
        }
        if provider_branch.is_none_or(|b| b.trim().is_empty()) {
            return Err(invalid(
                index,
                "matchingBranch needs the request's providerVersionBranch",
            ));
        }
    }
    if selector.branch.is_some() && selector.tag.is_some() {
        return Err(invalid(
            index,
            "branch and tag cannot be combined; use two selectors",
        ));
    }
    if selector.branch.is_some() && selector.latest == Some(false) {
        return Err(invalid(
            index,
            "branch selects the latest version of the branch; latest: false is not supported",
        ));
    }
    if selector.fallback_branch.is_some() && selector.branch.is_none() {
        return Err(invalid(index, "fallbackBranch needs branch"));
    }
    if selector.fallback_tag.is_some() && (selector.tag.is_none() || selector.latest != Some(true))
    {
        return Err(invalid(index, "fallbackTag needs tag and latest: true"));
    }
    if [
        selector.deployed,
        selector.released,
        selector.deployed_or_released,
    ]
    .iter()
    .filter(|b| **b)
    .count()
        > 1
    {
        return Err(invalid(
            index,
            "use only one of deployed, released and deployedOrReleased",
        ));
    }
    Ok(())
}

/// `2024-01-31` (midnight UTC) or an RFC 3339 time, in microseconds.
fn parse_date(text: &str) -> Option<i64> {
    if let Ok(timestamp) = text.parse::<jiff::Timestamp>() {
        return Some(timestamp.as_microsecond());
    }
    let date: jiff::civil::Date = text.parse().ok()?;
    Some(
        date.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_microsecond(),
    )
}

/// Reads a pacts-for-verification request into the question [`crate::selection`] answers.
fn verification_query(request: PactsForVerificationRequest) -> ApiResult<VerificationQuery> {
    let mut query = VerificationQuery {
        provider_branch: request
            .provider_version_branch
            .filter(|b| !b.trim().is_empty()),
        include_pending: request.include_pending_status.unwrap_or(false),
        ..VerificationQuery::default()
    };
    for tag in request.provider_version_tags {
        if tag.trim().is_empty() {
            return Err(ApiError::invalid(
                "providerVersionTags",
                format!("must be non-blank strings, got `{}`", printable_line(&tag)),
            ));
        }
        query.provider_tags.push(tag);
    }
    if let Some(text) = request.include_wip_pacts_since {
        let since = parse_date(&text).ok_or_else(|| {
            ApiError::invalid(
                "includeWipPactsSince",
                format!(
                    "must be a date (2024-01-31) or an RFC 3339 time, got `{}`",
                    printable_line(&text)
                ),
            )
        })?;
        if query.provider_branch.is_none() && query.provider_tags.is_empty() {
            // As the Pact Broker does: with neither, no contract can be "not yet verified by
            // this branch", so WIP selects nothing; say so rather than silently return nothing.
            return Err(ApiError::invalid(
                "includeWipPactsSince",
                "work-in-progress pacts need providerVersionBranch (or providerVersionTags)",
            ));
        }
        query.include_wip_since = Some(since);
    }
    let mut selectors = Distinct::new(
        "consumerVersionSelectors",
        MAX_SELECTORS,
        "select by consumer only where it matters, and prefer mainBranch, deployedOrReleased or matchingBranch to one selector per branch or version",
    );
    for (index, wire) in request.consumer_version_selectors.into_iter().enumerate() {
        let selector = selector(index, wire)?;
        validate(&selector, index, query.provider_branch.as_deref())?;
        selectors.push(index, selector)?;
    }
    query.selectors = selectors.into_items();
    Ok(query)
}

// --- the answer --------------------------------------------------------------------------------

fn notice(when: &str, text: impl Into<String>) -> VerificationNotice {
    VerificationNotice {
        when: when.to_owned(),
        text: text.into(),
    }
}

/// What a selected contract's URL carries back to the broker with the verification result
/// (stored with it): the consumer versions that selected the contract, pending, WIP.
#[derive(Serialize)]
struct SelectionMetadata<'a> {
    cv: Vec<&'a str>,
    p: Option<bool>,
    w: bool,
}

fn response(
    base: &str,
    provider: &str,
    query: &VerificationQuery,
    pacts: &[VerifiablePact],
    deprecated_get: bool,
) -> PactsForVerification {
    let provider_description = match (&query.provider_branch, query.provider_tags.is_empty()) {
        (Some(branch), _) => format!("{provider} branch '{branch}'"),
        (None, false) => format!(
            "{provider} versions tagged {}",
            query.provider_tags.join(", ")
        ),
        (None, true) => format!("any version of {provider}"),
    };
    let items = pacts
        .iter()
        .map(|pact| {
            let versions: Vec<&str> = pact.selected_by.iter().map(|(v, _)| v.as_str()).collect();
            let metadata = SelectionMetadata { cv: versions.clone(), p: pact.pending, w: pact.wip };
            let metadata = serde_json::to_string(&metadata).unwrap_or_default();
            let metadata = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(metadata);
            let href = pact_version_href(base, provider, &pact.consumer, &pact.sha, Some(&metadata));
            let reasons: Vec<String> = pact.selected_by.iter().map(|(v, why)| format!("{why} ({v})")).collect();
            let latest_version = versions.last().copied().unwrap_or_default();
            let mut notices = vec![notice(
                BEFORE_VERIFICATION,
                if pact.wip {
                    format!("The pact at {href} is being verified because it is a 'work in progress' pact: the newest contract of {} version {latest_version}, not yet verified successfully by {provider_description}.", pact.consumer)
                } else {
                    format!("The pact at {href} is being verified because the pact content belongs to the consumer version(s) matching: {} of {}.", reasons.join("; "), pact.consumer)
                },
            )];
            match pact.pending {
                Some(true) => {
                    notices.push(notice(BEFORE_VERIFICATION, format!("This pact is in pending state for {provider_description}: it has not yet been verified successfully there. If the verification fails, it will not cause the overall build to fail.")));
                    notices.push(notice("after_verification:success_true_published_false", format!("This pact is still pending for {provider_description}; publish the results to take it out of pending.")));
                    notices.push(notice("after_verification:success_false_published_false", "This pact is pending; the failure does not fail the build."));
                    notices.push(notice("after_verification:success_true_published_true", format!("This pact is no longer pending for {provider_description}: a later failure will fail the build.")));
                    notices.push(notice("after_verification:success_false_published_true", "This pact is still pending; the failure does not fail the build."));
                }
                Some(false) => notices.push(notice(BEFORE_VERIFICATION, format!("This pact has been verified successfully by {provider_description} before; if this verification fails, it will fail the build."))),
                None => {}
            }
            if deprecated_get {
                notices.push(notice(BEFORE_VERIFICATION, "Fetching pacts for verification with GET is deprecated; POST the same parameters as JSON."));
            }
            PactForVerification {
                short_description: Some(format!("{} of {}", reasons.join(", "), pact.consumer)),
                verification_properties: VerificationProperties {
                    pending: pact.pending,
                    wip: pact.wip.then_some(true),
                    notices,
                },
                links: SelfLinks {
                    self_: Some(Link {
                        href,
                        name: Some(format!("Pact between {} ({latest_version}) and {provider}", pact.consumer)),
                        ..Link::default()
                    }),
                },
            }
        })
        .collect();
    PactsForVerification {
        embedded: PactsForVerificationEmbedded { pacts: items },
        links: SelfLinks::to(
            format!(
                "{}/for-verification",
                href(base, &["pacts", "provider", provider])
            ),
            "Pacts to be verified",
        ),
    }
}

async fn for_verification(
    state: &AppState,
    base: &str,
    provider: &str,
    request: PactsForVerificationRequest,
    get: bool,
) -> ApiResult<Hal<PactsForVerification>> {
    let query = verification_query(request)?;
    let pacts = state.store.pacts_for_verification(provider, &query).await?;
    Ok(Hal::ok(response(base, provider, &query, &pacts, get)))
}

async fn for_verification_get(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
    uri: Uri,
) -> ApiResult<Hal<PactsForVerification>> {
    let request = read(parse_nested(uri.query().unwrap_or("")))?;
    for_verification(&state, &base, &p, request, true).await
}

async fn for_verification_post(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
    JsonBody(request): JsonBody<PactsForVerificationRequest>,
) -> ApiResult<Hal<PactsForVerification>> {
    for_verification(&state, &base, &p, request, false).await
}
