//! Publishing and reading contracts, and their verification results.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post, put};
use base64::Engine as _;
use pactum_broker_api::pacts::{DiffSide, PactDiffLinks};
use pactum_broker_api::publish::{Log, PublishEmbedded, PublishLinks};
use pactum_broker_api::verifications::VerificationResultLinks;
use pactum_broker_api::{
    ContractToPublish, Link, Notice, PactDiff, PactLinks, PactResource, ProviderPacts,
    PublishRequest, PublishResponse, VerificationResult, VerificationResultRequest,
};
use pactum_core::printable::printable_line;

use super::repr::{self, pact_version_href, pacticipant_href, pair_href, version_href};
use crate::AppState;
use crate::base_url::Base;
use crate::blocking::by_size;
use crate::hal::{
    ApiError, ApiResult, Hal, JsonBody, JsonObjectText, hal_text, href, is_json_object, no_content,
    saved, seg,
};
use crate::names::check_name;
use crate::store::{
    NewContract, NewVerification, OnConflict, PactRef, Publication, PublishOutcome, StoredPact,
    Verification, interaction_changes, rfc3339,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/contracts/publish", post(publish))
        .route(
            "/pacts/provider/{p}/consumer/{c}/version/{v}",
            get(pact_for_version).put(put_pact).patch(patch_pact).delete(delete_pact),
        )
        .route("/pacts/provider/{p}/consumer/{c}/latest", get(latest_pact))
        .route("/pacts/provider/{p}/consumer/{c}/latest/{tag}", get(latest_tagged_pact))
        .route("/pacts/provider/{p}/consumer/{c}/branch/{b}/latest", get(latest_branch_pact))
        .route("/pacts/provider/{p}/consumer/{c}/pact-version/{sha}", get(pact_by_sha))
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/metadata/{meta}",
            get(pact_by_sha_with_metadata),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/version/{v}/diff/previous-distinct",
            get(diff_previous_distinct),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results",
            post(publish_verification),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/metadata/{meta}/verification-results",
            post(publish_verification_with_metadata),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results/latest",
            get(latest_verification),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/pact-version/{sha}/verification-results/{id}",
            get(verification),
        )
        .route("/pacts/provider/{p}/latest", get(latest_provider_pacts))
        .route("/pacts/provider/{p}/latest/{tag}", get(latest_tagged_provider_pacts))
        .route("/pacts/provider/{p}/consumer/{c}/versions/{v}", put(put_pact))
}

// --- representations ---------------------------------------------------------------------------

fn pact_href(base: &str, pact: &StoredPact) -> String {
    repr::pact_href(base, &pact.provider, &pact.consumer, &pact.consumer_version)
}

/// The pact document as published, with the broker's `_links` and `createdAt` added. The
/// stored compact JSON is spliced, not parsed and re-serialised: reading a contract is the
/// broker's most frequent request.
fn pact_document(base: &str, pact: &StoredPact, metadata: Option<&str>) -> ApiResult<String> {
    let pair = pair_href(base, &pact.provider, &pact.consumer);
    let self_href = pact_href(base, pact);
    let content_href = pact_version_href(base, &pact.provider, &pact.consumer, &pact.sha, None);
    let selected_href =
        pact_version_href(base, &pact.provider, &pact.consumer, &pact.sha, metadata);
    let name = format!(
        "Pact between {} ({}) and {}",
        pact.consumer, pact.consumer_version, pact.provider
    );
    let members = PactResource {
        links: PactLinks {
            self_: Some(Link::named(&self_href, "Pact", name)),
            consumer: Some(Link::named(
                pacticipant_href(base, &pact.consumer),
                "Consumer",
                &pact.consumer,
            )),
            consumer_version: Some(Link::named(
                version_href(base, &pact.consumer, &pact.consumer_version),
                "Consumer version",
                &pact.consumer_version,
            )),
            provider: Some(Link::named(
                pacticipant_href(base, &pact.provider),
                "Provider",
                &pact.provider,
            )),
            pact_version: Some(Link::named(
                &content_href,
                "Pact content version permalink",
                &pact.sha,
            )),
            latest_pact_version: Some(Link::titled(
                format!("{pair}/latest"),
                "Latest version of this pact",
            )),
            diff_previous_distinct: Some(Link::titled(
                format!("{self_href}/diff/previous-distinct"),
                "Diff with previous distinct version of this pact",
            )),
            publish_verification_results: Some(Link::titled(
                format!("{selected_href}/verification-results"),
                "Publish verification results",
            )),
            latest_verification_results: Some(Link::titled(
                format!("{content_href}/verification-results/latest"),
                "Latest verification results for this pact content",
            )),
        },
        created_at: Some(rfc3339(pact.created_at)),
    };
    let internal = |what: &str| {
        ApiError::with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{what}; see the broker log"),
        )
    };
    let members = serde_json::to_string(&members).map_err(|error| {
        tracing::error!(%error, "cannot serialise a contract's links");
        internal("cannot write the contract's links")
    })?;
    // Stored contracts are compact JSON objects without `_links` or `createdAt` (the store
    // removes them on publication), so the members can be appended before the closing brace.
    let content = pact.content.trim_end();
    let (Some(open), Some(members)) = (
        content.strip_suffix('}'),
        members.strip_prefix('{').and_then(|m| m.strip_suffix('}')),
    ) else {
        return Err(internal("stored contract is not a JSON object"));
    };
    let separator = if open.trim_end() == "{" { "" } else { "," };
    Ok(format!("{open}{separator}{members}}}"))
}

fn verification_resource(base: &str, v: &Verification) -> VerificationResult {
    let content = pact_version_href(base, &v.provider, &v.consumer, &v.sha, None);
    VerificationResult {
        provider_name: v.provider.clone(),
        provider_application_version: v.provider_version.clone(),
        success: v.success,
        verification_date: Some(rfc3339(v.created_at)),
        build_url: v.build_url.clone(),
        // What the verifier sent is returned as sent.
        test_results: v.test_results.clone(),
        verified_by: v.verified_by.clone(),
        links: VerificationResultLinks {
            self_: Some(Link::titled(
                format!("{content}/verification-results/{}", v.id),
                "Verification result",
            )),
            pact_version: Some(Link::named(&content, "Pact", &v.sha)),
            provider_version: Some(Link::named(
                version_href(base, &v.provider, &v.provider_version),
                "Provider version",
                &v.provider_version,
            )),
        },
    }
}

// --- publishing --------------------------------------------------------------------------------

/// Reads the `contracts` of a publish request: base64 pact JSON, one per provider.
fn contracts(items: Vec<ContractToPublish>, consumer: &str) -> ApiResult<Vec<NewContract>> {
    if items.is_empty() {
        return Err(ApiError::invalid(
            "contracts",
            "is required: an array of at least one contract",
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let at = |field: &str| format!("contracts[{index}].{field}");
            if item.consumer_name != consumer {
                return Err(ApiError::invalid(
                    &at("consumerName"),
                    format!(
                        "must match pacticipantName `{}`, got `{}`",
                        printable_line(consumer),
                        printable_line(&item.consumer_name)
                    ),
                ));
            }
            check_name(&at("providerName"), &item.provider_name)?;
            if item.specification != "pact" {
                return Err(ApiError::invalid(
                    &at("specification"),
                    format!(
                        "must be `pact`, got `{}`",
                        printable_line(&item.specification)
                    ),
                ));
            }
            let media = item.content_type.split(';').next().unwrap_or_default();
            if media.trim() != "application/json" {
                return Err(ApiError::invalid(
                    &at("contentType"),
                    format!(
                        "must be `application/json`, got `{}`",
                        printable_line(&item.content_type)
                    ),
                ));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(item.content.trim())
                .map_err(|error| {
                    ApiError::invalid(&at("content"), format!("is not valid base64: {error}"))
                })?;
            drop(item.content);
            match is_json_object(&bytes) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(ApiError::invalid(
                        &at("content"),
                        "must decode to a JSON object",
                    ));
                }
                Err(error) => {
                    return Err(ApiError::invalid(
                        &at("content"),
                        format!("does not decode to valid JSON: {error}"),
                    ));
                }
            }
            Ok(NewContract {
                provider: item.provider_name,
                content: Arc::from(bytes),
                on_conflict: match item.on_conflict {
                    None => OnConflict::Reject,
                    Some(pactum_broker_api::OnConflict::Overwrite) => OnConflict::Overwrite,
                    Some(pactum_broker_api::OnConflict::Merge) => OnConflict::Merge,
                },
            })
        })
        .collect()
}

/// Reads a publish request into a publication.
fn publication(request: PublishRequest) -> ApiResult<Publication> {
    let consumer = request.pacticipant_name;
    check_name("pacticipantName", &consumer)?;
    let version = request.pacticipant_version_number;
    check_name("pacticipantVersionNumber", &version)?;
    if let Some(branch) = &request.branch {
        check_name("branch", branch)?;
    }
    for tag in &request.tags {
        check_name("tags", tag)?;
    }
    Ok(Publication {
        contracts: contracts(request.contracts, &consumer)?,
        consumer,
        version,
        branch: request.branch,
        tags: request.tags,
        build_url: request.build_url,
        // Set by the handler, which knows the base URL.
        base_url: String::new(),
    })
}

async fn publish(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(request): JsonBody<PublishRequest>,
) -> ApiResult<Hal<PublishResponse>> {
    let size = request.contracts.iter().map(|c| c.content.len()).sum();
    let publication = Publication {
        base_url: base.clone(),
        ..by_size(size, move || publication(request)).await?
    };
    let published = state.store.publish(&publication).await?;
    let consumer = &publication.consumer;
    let v = &published.version;
    let mut notices = vec![Notice::new(
        "debug",
        format!(
            "{} {consumer} version {}{}{}",
            if published.version_created {
                "Created"
            } else {
                "Updated"
            },
            v.number,
            publication
                .branch
                .as_ref()
                .map(|b| format!(" with branch {b}"))
                .unwrap_or_default(),
            if publication.tags.is_empty() {
                String::new()
            } else {
                format!(" and tags {}", publication.tags.join(", "))
            },
        ),
    )];
    if publication.branch.is_none() {
        notices.push(Notice::new(
            "prompt",
            "Next time, set the version's branch (--branch) so the broker can select contracts by branch.",
        ));
    }
    let mut contract_links = Vec::new();
    for (provider, outcome) in &published.contracts {
        let pact_href = repr::pact_href(&base, provider, consumer, &v.number);
        let text = match outcome {
            PublishOutcome::Created => format!(
                "Pact successfully published for {consumer} version {} and provider {provider}.",
                v.number
            ),
            PublishOutcome::Unchanged => format!(
                "Pact successfully republished for {consumer} version {} and provider {provider} with no content changes.",
                v.number
            ),
            PublishOutcome::Overwritten => format!(
                "Pact for {consumer} version {} and provider {provider} overwritten with new content.",
                v.number
            ),
            PublishOutcome::Merged => format!(
                "Pact for {consumer} version {} and provider {provider} merged with the previously published interactions.",
                v.number
            ),
        };
        notices.push(Notice::new("success", text));
        notices.push(Notice::new(
            "debug",
            format!("  View the published pact at {pact_href}"),
        ));
        contract_links.push(Link::named(
            pact_href,
            "Pact",
            format!("Pact between {consumer} ({}) and {provider}", v.number),
        ));
    }
    let version_href = version_href(&base, consumer, &v.number);
    let tag_links = publication
        .tags
        .iter()
        .map(|tag| Link::named(format!("{version_href}/tags/{}", seg(tag)), "Tag", tag))
        .collect();
    let logs = notices
        .iter()
        .map(|n| Log {
            level: n.kind.clone(),
            message: n.text.clone(),
            deprecation_warning: Some("Replaced by notices".into()),
        })
        .collect();
    Ok(Hal::ok(PublishResponse {
        notices,
        logs,
        embedded: PublishEmbedded {
            pacticipant: repr::pacticipant(
                &base,
                &published.pacticipant,
                &published.labels,
                Some(&v.number),
            ),
            version: repr::version(&base, v, &published.environments),
        },
        links: PublishLinks {
            pacticipant: Some(Link::named(
                pacticipant_href(&base, consumer),
                "Pacticipant",
                consumer,
            )),
            pacticipant_version: Some(Link::named(&version_href, "Pacticipant version", &v.number)),
            pacticipant_version_tags: tag_links,
            contracts: contract_links,
        },
    }))
}

/// The older API: PUT (or PATCH, to merge) the pact JSON itself to
/// `/pacts/provider/P/consumer/C/version/V`.
async fn put_pact_document(
    state: &AppState,
    base: &str,
    (p, c, v): (String, String, String),
    body: Arc<[u8]>,
    mode: OnConflict,
) -> ApiResult<Response> {
    check_name("provider", &p)?;
    check_name("consumer", &c)?;
    check_name("version", &v)?;
    let publication = Publication {
        consumer: c.clone(),
        version: v.clone(),
        branch: None,
        tags: Vec::new(),
        build_url: None,
        contracts: vec![NewContract {
            provider: p.clone(),
            content: body,
            on_conflict: mode,
        }],
        base_url: base.to_owned(),
    };
    let published = state.store.publish(&publication).await?;
    let pact = state
        .store
        .pact(&p, &c, PactRef::Version(&v))
        .await?
        .ok_or_else(|| ApiError::not_found("the contract disappeared during publication"))?;
    let body = pact_document(base, &pact, None)?;
    Ok(match published.contracts[0].1 {
        PublishOutcome::Created => {
            let location = pact_href(base, &pact);
            let mut response = hal_text(StatusCode::CREATED, body);
            if let Ok(location) = axum::http::HeaderValue::from_str(&location) {
                response
                    .headers_mut()
                    .insert(axum::http::header::LOCATION, location);
            }
            response
        }
        _ => hal_text(StatusCode::OK, body),
    })
}

async fn put_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonObjectText(body): JsonObjectText,
) -> ApiResult<Response> {
    put_pact_document(&state, &base, path, body, OnConflict::Reject).await
}

async fn patch_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonObjectText(body): JsonObjectText,
) -> ApiResult<Response> {
    put_pact_document(&state, &base, path, body, OnConflict::Merge).await
}

async fn delete_pact(
    State(state): State<AppState>,
    Path((p, c, v)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    state.store.delete_pact(&p, &c, &v).await?;
    Ok(no_content())
}

// --- reading -----------------------------------------------------------------------------------

async fn show_pact(
    state: &AppState,
    base: &str,
    p: &str,
    c: &str,
    which: PactRef<'_>,
    metadata: Option<&str>,
) -> ApiResult<Response> {
    let described = match &which {
        PactRef::Version(v) => format!("published by version `{v}` of `{c}`"),
        PactRef::Latest => format!("published by `{c}`"),
        PactRef::LatestTagged(tag) => format!("published by a version of `{c}` tagged `{tag}`"),
        PactRef::LatestOnBranch(branch) => {
            format!("published by a version of `{c}` on branch `{branch}`")
        }
        PactRef::Sha(sha) => format!("of `{c}` with content {sha}"),
    };
    let pact = state.store.pact(p, c, which).await?.ok_or_else(|| {
        ApiError::not_found(format!("no contract for provider `{p}` {described}"))
    })?;
    let mut response = hal_text(StatusCode::OK, pact_document(base, &pact, metadata)?);
    // Which consumer version published it, which `latest`, a tag or a hash does not say (the
    // Pact Broker's header; the official Ruby client reads it).
    if let Ok(version) = axum::http::HeaderValue::from_str(&pact.consumer_version) {
        response
            .headers_mut()
            .insert("x-pact-consumer-version", version);
    }
    Ok(response)
}

async fn pact_for_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, v)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    show_pact(&state, &base, &p, &c, PactRef::Version(&v), None).await
}

async fn latest_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
) -> ApiResult<Response> {
    show_pact(&state, &base, &p, &c, PactRef::Latest, None).await
}

async fn latest_tagged_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, tag)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    show_pact(&state, &base, &p, &c, PactRef::LatestTagged(&tag), None).await
}

async fn latest_branch_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, b)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    show_pact(&state, &base, &p, &c, PactRef::LatestOnBranch(&b), None).await
}

async fn pact_by_sha(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    show_pact(&state, &base, &p, &c, PactRef::Sha(&sha), None).await
}

async fn pact_by_sha_with_metadata(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha, meta)): Path<(String, String, String, String)>,
) -> ApiResult<Response> {
    show_pact(&state, &base, &p, &c, PactRef::Sha(&sha), Some(&meta)).await
}

/// What changed between this version's contract and the previous distinct one: interactions
/// added, removed and changed, by description and provider states.
async fn diff_previous_distinct(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, v)): Path<(String, String, String)>,
) -> ApiResult<Hal<PactDiff>> {
    let current = state
        .store
        .pact(&p, &c, PactRef::Version(&v))
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "version `{v}` of `{c}` published no contract for `{p}`"
            ))
        })?;
    let previous = state.store.previous_distinct_pact(&p, &c, &v).await?;
    let changes = interaction_changes(&current, previous.as_ref());
    let side = |pact: &StoredPact| DiffSide {
        consumer_version: pact.consumer_version.clone(),
        sha: pact.sha.clone(),
    };
    let current_href = pact_href(&base, &current);
    Ok(Hal::ok(PactDiff {
        current: side(&current),
        previous: previous.as_ref().map(side),
        added: changes.added,
        removed: changes.removed,
        changed: changes.changed,
        links: PactDiffLinks {
            self_: Some(Link::titled(
                format!("{current_href}/diff/previous-distinct"),
                "Diff with the previous distinct version",
            )),
            pact: Some(Link::titled(current_href, "Pact")),
            previous_distinct: previous
                .as_ref()
                .map(|pp| Link::titled(pact_href(&base, pp), "Previous distinct pact")),
        },
    }))
}

async fn provider_pacts(
    state: &AppState,
    base: &str,
    p: &str,
    tag: Option<&str>,
) -> ApiResult<Hal<ProviderPacts>> {
    let pacts = state.store.latest_pacts_for_provider(p, tag).await?;
    let self_href = match tag {
        Some(tag) => format!(
            "{}/latest/{}",
            href(base, &["pacts", "provider", p]),
            seg(tag)
        ),
        None => format!("{}/latest", href(base, &["pacts", "provider", p])),
    };
    let self_link = Link::titled(self_href, "Latest pact versions for the provider");
    let listed = pacts
        .iter()
        .map(|pact| (pact.consumer.as_str(), pact.consumer_version.as_str()));
    Ok(Hal::ok(repr::provider_pacts(base, p, self_link, listed)))
}

async fn latest_provider_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal<ProviderPacts>> {
    provider_pacts(&state, &base, &p, None).await
}

async fn latest_tagged_provider_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, tag)): Path<(String, String)>,
) -> ApiResult<Hal<ProviderPacts>> {
    provider_pacts(&state, &base, &p, Some(&tag)).await
}

// --- verification results ----------------------------------------------------------------------

async fn record_verification(
    state: &AppState,
    base: &str,
    (p, c, sha): (String, String, String),
    metadata: Option<String>,
    request: VerificationResultRequest,
) -> ApiResult<Response> {
    check_name(
        "providerApplicationVersion",
        &request.provider_application_version,
    )?;
    let verified_by = match request.verified_by {
        None => None,
        Some(by) => Some(serde_json::to_value(by).map_err(|error| {
            ApiError::invalid("verifiedBy", format!("cannot be stored: {error}"))
        })?),
    };
    let result = NewVerification {
        provider_version: request.provider_application_version,
        success: request.success,
        build_url: request.build_url,
        test_results: request.test_results,
        verified_by,
        metadata,
        base_url: base.to_owned(),
    };
    let verification = state
        .store
        .record_verification(&p, &c, &sha, &result)
        .await?;
    let body = verification_resource(base, &verification);
    let location = body.links.self_.clone();
    Ok(saved(true, body, location.as_ref()))
}

async fn publish_verification(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(request): JsonBody<VerificationResultRequest>,
) -> ApiResult<Response> {
    record_verification(&state, &base, path, None, request).await
}

async fn publish_verification_with_metadata(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha, meta)): Path<(String, String, String, String)>,
    JsonBody(request): JsonBody<VerificationResultRequest>,
) -> ApiResult<Response> {
    record_verification(&state, &base, (p, c, sha), Some(meta), request).await
}

async fn verification(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha, id)): Path<(String, String, String, String)>,
) -> ApiResult<Hal<VerificationResult>> {
    let missing = || ApiError::not_found(format!("no verification result {id} for this contract"));
    let id: i64 = id.parse().map_err(|_| missing())?;
    let v = state
        .store
        .verification(id)
        .await?
        .filter(|v| v.provider == p && v.consumer == c && v.sha == sha)
        .ok_or_else(missing)?;
    Ok(Hal::ok(verification_resource(&base, &v)))
}

async fn latest_verification(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> ApiResult<Hal<VerificationResult>> {
    let v = state
        .store
        .latest_verification(&p, &c, &sha)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "content {sha} of `{c}` has not been verified by `{p}`"
            ))
        })?;
    Ok(Hal::ok(verification_resource(&base, &v)))
}
