//! Publishing and reading contracts, and their verification results.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use base64::Engine as _;
use serde_json::{Map, Value, json};

use super::pacticipants::{pacticipant_href, pacticipant_json, version_href, version_json};
use crate::AppState;
use crate::hal::{
    ApiError, ApiResult, Base, Hal, JsonBody, check_name, compact, hal_text, href, link,
    named_link, no_content, opt_str, req_str, seg,
};
use crate::query::parse_nested;
use crate::selection::{VerifiablePact, VerificationQuery, parse_query};
use crate::store::{
    NewContract, NewVerification, OnConflict, PactRef, Publication, PublishOutcome, StoredPact,
    Verification, interaction_identity, rfc3339, without_id,
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
        .route(
            "/pacts/provider/{p}/for-verification",
            get(for_verification_get).post(for_verification_post),
        )
}

// --- representations ---------------------------------------------------------------------------

fn pair_href(base: &str, provider: &str, consumer: &str) -> String {
    href(base, &["pacts", "provider", provider, "consumer", consumer])
}

pub(crate) fn pact_version_href(
    base: &str,
    provider: &str,
    consumer: &str,
    sha: &str,
    metadata: Option<&str>,
) -> String {
    let mut out = format!("{}/pact-version/{sha}", pair_href(base, provider, consumer));
    if let Some(metadata) = metadata {
        out.push_str("/metadata/");
        out.push_str(&seg(metadata));
    }
    out
}

fn pact_href(base: &str, pact: &StoredPact) -> String {
    format!(
        "{}/version/{}",
        pair_href(base, &pact.provider, &pact.consumer),
        seg(&pact.consumer_version)
    )
}

/// The pact document as published, with the broker's `_links` and `createdAt` added. The
/// stored compact JSON is spliced, not parsed and re-serialised: reading a contract is the
/// broker's most frequent request.
fn pact_json(base: &str, pact: &StoredPact, metadata: Option<&str>) -> ApiResult<String> {
    let pair = pair_href(base, &pact.provider, &pact.consumer);
    let self_href = pact_href(base, pact);
    let version_href = version_href(base, &pact.consumer, &pact.consumer_version);
    let sha_href = pact_version_href(base, &pact.provider, &pact.consumer, &pact.sha, metadata);
    let name = format!(
        "Pact between {} ({}) and {}",
        pact.consumer, pact.consumer_version, pact.provider
    );
    let links = json!({
        "self": named_link(self_href.clone(), "Pact", &name),
        "pb:consumer": named_link(pacticipant_href(base, &pact.consumer), "Consumer", &pact.consumer),
        "pb:consumer-version": named_link(version_href, "Consumer version", &pact.consumer_version),
        "pb:provider": named_link(pacticipant_href(base, &pact.provider), "Provider", &pact.provider),
        "pb:pact-version": named_link(pact_version_href(base, &pact.provider, &pact.consumer, &pact.sha, None), "Pact content version permalink", &pact.sha),
        "pb:latest-pact-version": link(format!("{pair}/latest"), "Latest version of this pact"),
        "pb:diff-previous-distinct": link(format!("{self_href}/diff/previous-distinct"), "Diff with previous distinct version of this pact"),
        "pb:publish-verification-results": link(format!("{sha_href}/verification-results"), "Publish verification results"),
        "pb:latest-verification-results": link(format!("{}/verification-results/latest", pact_version_href(base, &pact.provider, &pact.consumer, &pact.sha, None)), "Latest verification results for this pact content"),
    });
    // Stored contracts are compact JSON objects without `_links` or `createdAt` (the store
    // removes them on publication), so the members can be appended before the closing brace.
    let content = pact.content.trim_end();
    let Some(open) = content.strip_suffix('}') else {
        return Err(ApiError::with_status(
            StatusCode::INTERNAL_SERVER_ERROR,
            "stored contract is not a JSON object",
        ));
    };
    let separator = if open.trim_end() == "{" { "" } else { "," };
    Ok(format!(
        "{open}{separator}\"_links\":{links},\"createdAt\":\"{}\"}}",
        rfc3339(pact.created_at)
    ))
}

fn verification_json(base: &str, v: &Verification) -> Value {
    let content = pact_version_href(base, &v.provider, &v.consumer, &v.sha, None);
    let mut body = compact(json!({
        "providerName": v.provider,
        "providerApplicationVersion": v.provider_version,
        "success": v.success,
        "verificationDate": rfc3339(v.created_at),
        "buildUrl": v.build_url,
        "_links": {
            "self": link(format!("{content}/verification-results/{}", v.id), "Verification result"),
            "pb:pact-version": named_link(content, "Pact", &v.sha),
            "pb:provider-version": named_link(version_href(base, &v.provider, &v.provider_version), "Provider version", &v.provider_version),
        }
    }));
    // What the verifier sent is returned as sent.
    for (key, value) in [
        ("testResults", &v.test_results),
        ("verifiedBy", &v.verified_by),
    ] {
        if let Some(value) = value {
            body[key] = value.clone();
        }
    }
    body
}

// --- publishing --------------------------------------------------------------------------------

fn on_conflict(contract: &Value, field: &str, default: OnConflict) -> ApiResult<OnConflict> {
    match opt_str(contract, "onConflict")
        .map_err(|_| ApiError::invalid(field, "must be \"overwrite\" or \"merge\""))?
    {
        None => Ok(default),
        Some(mode) => match mode.as_str() {
            "overwrite" => Ok(OnConflict::Overwrite),
            "merge" => Ok(OnConflict::Merge),
            other => Err(ApiError::invalid(
                field,
                format!("must be \"overwrite\" or \"merge\", got {other:?}"),
            )),
        },
    }
}

fn tags(body: &Value) -> ApiResult<Vec<String>> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(tag) => check_name("tags", tag).map(|()| tag.clone()),
                other => Err(ApiError::invalid(
                    "tags",
                    format!("must be strings, got {other}"),
                )),
            })
            .collect(),
        Some(other) => Err(ApiError::invalid(
            "tags",
            format!("must be an array of strings, got {other}"),
        )),
    }
}

/// Reads the `contracts` of a publish request: base64 pact JSON, one per provider.
fn contracts(body: &Value, consumer: &str) -> ApiResult<Vec<NewContract>> {
    let Some(Value::Array(items)) = body.get("contracts") else {
        return Err(ApiError::invalid(
            "contracts",
            "is required: an array of contracts",
        ));
    };
    if items.is_empty() {
        return Err(ApiError::invalid(
            "contracts",
            "must contain at least one contract",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let at = |field: &str| format!("contracts[{index}].{field}");
            let consumer_name = req_str(item, "consumerName")
                .map_err(|_| ApiError::invalid(&at("consumerName"), "is required"))?;
            if consumer_name != consumer {
                return Err(ApiError::invalid(
                    &at("consumerName"),
                    format!("must match pacticipantName `{consumer}`, got `{consumer_name}`"),
                ));
            }
            let provider = req_str(item, "providerName")
                .map_err(|_| ApiError::invalid(&at("providerName"), "is required"))?;
            check_name(&at("providerName"), &provider)?;
            match item.get("specification").and_then(Value::as_str) {
                Some("pact") => {}
                other => {
                    return Err(ApiError::invalid(
                        &at("specification"),
                        format!(
                            "must be \"pact\", got {}",
                            other.map_or("nothing".into(), |s| format!("{s:?}"))
                        ),
                    ));
                }
            }
            match item.get("contentType").and_then(Value::as_str) {
                Some(media)
                    if media
                        .split(';')
                        .next()
                        .is_some_and(|m| m.trim() == "application/json") => {}
                other => {
                    return Err(ApiError::invalid(
                        &at("contentType"),
                        format!(
                            "must be \"application/json\", got {}",
                            other.map_or("nothing".into(), |s| format!("{s:?}"))
                        ),
                    ));
                }
            }
            let encoded = item.get("content").and_then(Value::as_str).ok_or_else(|| {
                ApiError::invalid(&at("content"), "is required: the pact JSON, base64-encoded")
            })?;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .map_err(|error| {
                    ApiError::invalid(&at("content"), format!("is not valid base64: {error}"))
                })?;
            let content: Value = serde_json::from_slice(&bytes).map_err(|error| {
                ApiError::invalid(
                    &at("content"),
                    format!("does not decode to valid JSON: {error}"),
                )
            })?;
            if !content.is_object() {
                return Err(ApiError::invalid(
                    &at("content"),
                    "must decode to a JSON object",
                ));
            }
            Ok(NewContract {
                provider,
                content,
                on_conflict: on_conflict(item, &at("onConflict"), OnConflict::Reject)?,
            })
        })
        .collect()
}

async fn publish(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let consumer = req_str(&body, "pacticipantName")?;
    check_name("pacticipantName", &consumer)?;
    let number = req_str(&body, "pacticipantVersionNumber")?;
    check_name("pacticipantVersionNumber", &number)?;
    let branch = opt_str(&body, "branch")?;
    if let Some(branch) = &branch {
        check_name("branch", branch)?;
    }
    let publication = Publication {
        contracts: contracts(&body, &consumer)?,
        consumer,
        version: number,
        branch,
        tags: tags(&body)?,
        build_url: opt_str(&body, "buildUrl")?,
    };
    let published = state.store.publish(&publication).await?;
    let v = &published.version;
    let mut notices = vec![json!({
        "type": "debug",
        "text": format!(
            "{} {} version {}{}{}",
            if published.version_created { "Created" } else { "Updated" },
            publication.consumer,
            v.number,
            publication.branch.as_ref().map(|b| format!(" with branch {b}")).unwrap_or_default(),
            if publication.tags.is_empty() { String::new() } else { format!(" and tags {}", publication.tags.join(", ")) },
        )
    })];
    if publication.branch.is_none() {
        notices.push(json!({"type": "prompt", "text": "Next time, set the version's branch (--branch) so the broker can select contracts by branch."}));
    }
    let mut contract_links = Vec::new();
    for (provider, outcome) in &published.contracts {
        let pact_href = format!(
            "{}/version/{}",
            pair_href(&base, provider, &publication.consumer),
            seg(&v.number)
        );
        let text = match outcome {
            PublishOutcome::Created => format!(
                "Pact successfully published for {} version {} and provider {provider}.",
                publication.consumer, v.number
            ),
            PublishOutcome::Unchanged => format!(
                "Pact successfully republished for {} version {} and provider {provider} with no content changes.",
                publication.consumer, v.number
            ),
            PublishOutcome::Overwritten => format!(
                "Pact for {} version {} and provider {provider} overwritten with new content.",
                publication.consumer, v.number
            ),
            PublishOutcome::Merged => format!(
                "Pact for {} version {} and provider {provider} merged with the previously published interactions.",
                publication.consumer, v.number
            ),
        };
        notices.push(json!({"type": "success", "text": text}));
        notices.push(
            json!({"type": "debug", "text": format!("  View the published pact at {pact_href}")}),
        );
        contract_links.push(named_link(
            pact_href,
            "Pact",
            &format!(
                "Pact between {} ({}) and {provider}",
                publication.consumer, v.number
            ),
        ));
    }
    let tag_links: Vec<Value> = publication
        .tags
        .iter()
        .map(|tag| {
            named_link(
                format!(
                    "{}/tags/{}",
                    version_href(&base, &publication.consumer, &v.number),
                    seg(tag)
                ),
                "Tag",
                tag,
            )
        })
        .collect();
    let logs: Vec<Value> = notices
        .iter()
        .map(|n| json!({"level": n["type"], "message": n["text"], "deprecationWarning": "Replaced by notices"}))
        .collect();
    Ok(Hal::ok(json!({
        "notices": notices,
        "logs": logs,
        "_embedded": {
            "pacticipant": pacticipant_json(&base, &published.pacticipant, Some(v)),
            "version": version_json(&base, v, &published.environments),
        },
        "_links": {
            "pb:pacticipant": named_link(pacticipant_href(&base, &publication.consumer), "Pacticipant", &publication.consumer),
            "pb:pacticipant-version": named_link(version_href(&base, &publication.consumer, &v.number), "Pacticipant version", &v.number),
            "pb:pacticipant-version-tags": tag_links,
            "pb:contracts": contract_links,
        }
    }))
    .into_response())
}

/// The older API: PUT (or PATCH, to merge) the pact JSON itself to
/// `/pacts/provider/P/consumer/C/version/V`.
async fn put_pact_document(
    state: &AppState,
    base: &str,
    (p, c, v): (String, String, String),
    body: Value,
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
    };
    let published = state.store.publish(&publication).await?;
    let pact = state
        .store
        .pact(&p, &c, PactRef::Version(&v))
        .await?
        .ok_or_else(|| ApiError::not_found("the contract disappeared during publication"))?;
    let body = pact_json(base, &pact, None)?;
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
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    put_pact_document(&state, &base, path, body, OnConflict::Reject).await
}

async fn patch_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
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
    Ok(hal_text(StatusCode::OK, pact_json(base, &pact, metadata)?))
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

fn interactions_by_key(content: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for key in ["interactions", "messages"] {
        for item in content
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let item = without_id(item);
            let (description, states) = interaction_identity(&item);
            let name = if states.is_empty() {
                description
            } else {
                format!("{description} given {states}")
            };
            out.insert(name, item);
        }
    }
    out
}

/// What changed between this version's contract and the previous distinct one: interactions
/// added, removed and changed, by description and provider states.
async fn diff_previous_distinct(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, v)): Path<(String, String, String)>,
) -> ApiResult<Hal> {
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
    let parse =
        |pact: &StoredPact| serde_json::from_str::<Value>(&pact.content).unwrap_or(Value::Null);
    let now = interactions_by_key(&parse(&current));
    let before = previous
        .as_ref()
        .map(|pact| interactions_by_key(&parse(pact)))
        .unwrap_or_default();
    let added: Vec<&String> = now.keys().filter(|k| !before.contains_key(*k)).collect();
    let removed: Vec<&String> = before.keys().filter(|k| !now.contains_key(*k)).collect();
    let changed: Vec<&String> = now
        .keys()
        .filter(|k| before.get(*k).is_some_and(|old| old != &now[*k]))
        .collect();
    Ok(Hal::ok(json!({
        "current": {"consumerVersion": current.consumer_version, "sha": current.sha},
        "previous": previous.as_ref().map(|pp| json!({"consumerVersion": pp.consumer_version, "sha": pp.sha})),
        "added": added,
        "removed": removed,
        "changed": changed,
        "_links": {
            "self": link(format!("{}/diff/previous-distinct", pact_href(&base, &current)), "Diff with the previous distinct version"),
            "pb:pact": link(pact_href(&base, &current), "Pact"),
            "pb:previous-distinct": previous.as_ref().map(|pp| link(pact_href(&base, pp), "Previous distinct pact")),
        }
    })))
}

async fn provider_pacts(
    state: &AppState,
    base: &str,
    p: &str,
    tag: Option<&str>,
) -> ApiResult<Hal> {
    let pacts = state.store.latest_pacts_for_provider(p, tag).await?;
    let links: Vec<Value> = pacts
        .iter()
        .map(|pact| {
            named_link(
                pact_href(base, pact),
                &format!(
                    "Pact between {} ({}) and {}",
                    pact.consumer, pact.consumer_version, pact.provider
                ),
                &pact.consumer,
            )
        })
        .collect();
    let self_href = match tag {
        Some(tag) => format!(
            "{}/latest/{}",
            href(base, &["pacts", "provider", p]),
            seg(tag)
        ),
        None => format!("{}/latest", href(base, &["pacts", "provider", p])),
    };
    Ok(Hal::ok(json!({
        "_links": {
            "self": link(self_href, "Latest pact versions for the provider"),
            "provider": named_link(pacticipant_href(base, p), "Provider", p),
            "pb:provider": named_link(pacticipant_href(base, p), "Provider", p),
            "pb:pacts": links.clone(),
            "pacts": links,
        }
    })))
}

async fn latest_provider_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal> {
    provider_pacts(&state, &base, &p, None).await
}

async fn latest_tagged_provider_pacts(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, tag)): Path<(String, String)>,
) -> ApiResult<Hal> {
    provider_pacts(&state, &base, &p, Some(&tag)).await
}

// --- verification results ----------------------------------------------------------------------

async fn record_verification(
    state: &AppState,
    base: &str,
    (p, c, sha): (String, String, String),
    metadata: Option<String>,
    body: &Value,
) -> ApiResult<Response> {
    let success = match body.get("success") {
        Some(Value::Bool(success)) => *success,
        Some(other) => {
            return Err(ApiError::invalid(
                "success",
                format!("must be true or false, got {other}"),
            ));
        }
        None => return Err(ApiError::invalid("success", "is required (true or false)")),
    };
    let provider_version = req_str(body, "providerApplicationVersion")?;
    check_name("providerApplicationVersion", &provider_version)?;
    let result = NewVerification {
        provider_version,
        success,
        build_url: opt_str(body, "buildUrl")?,
        test_results: body.get("testResults").cloned(),
        verified_by: body.get("verifiedBy").cloned(),
        metadata,
    };
    let verification = state
        .store
        .record_verification(&p, &c, &sha, &result)
        .await?;
    Ok(Hal::created(verification_json(base, &verification)))
}

async fn publish_verification(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    record_verification(&state, &base, path, None, &body).await
}

async fn publish_verification_with_metadata(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha, meta)): Path<(String, String, String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    record_verification(&state, &base, (p, c, sha), Some(meta), &body).await
}

async fn verification(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha, id)): Path<(String, String, String, String)>,
) -> ApiResult<Hal> {
    let missing = || ApiError::not_found(format!("no verification result {id} for this contract"));
    let id: i64 = id.parse().map_err(|_| missing())?;
    let v = state
        .store
        .verification(id)
        .await?
        .filter(|v| v.provider == p && v.consumer == c && v.sha == sha)
        .ok_or_else(missing)?;
    Ok(Hal::ok(verification_json(&base, &v)))
}

async fn latest_verification(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> ApiResult<Hal> {
    let v = state
        .store
        .latest_verification(&p, &c, &sha)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "content {sha} of `{c}` has not been verified by `{p}`"
            ))
        })?;
    Ok(Hal::ok(verification_json(&base, &v)))
}

// --- pacts for verification ----------------------------------------------------------------

fn for_verification_response(
    base: &str,
    provider: &str,
    query: &VerificationQuery,
    pacts: &[VerifiablePact],
    deprecated_get: bool,
) -> Value {
    let provider_description = match (&query.provider_branch, query.provider_tags.is_empty()) {
        (Some(branch), _) => format!("{provider} branch '{branch}'"),
        (None, false) => format!(
            "{provider} versions tagged {}",
            query.provider_tags.join(", ")
        ),
        (None, true) => format!("any version of {provider}"),
    };
    let items: Vec<Value> = pacts
        .iter()
        .map(|pact| {
            let versions: Vec<&str> = pact.selected_by.iter().map(|(v, _)| v.as_str()).collect();
            let metadata = json!({"cv": versions, "p": pact.pending, "w": pact.wip}).to_string();
            let metadata = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(metadata);
            let href = pact_version_href(base, provider, &pact.consumer, &pact.sha, Some(&metadata));
            let reasons: Vec<String> = pact.selected_by.iter().map(|(v, why)| format!("{why} ({v})")).collect();
            let latest_version = versions.last().copied().unwrap_or_default();
            let mut notices = vec![json!({
                "when": "before_verification",
                "text": if pact.wip {
                    format!("The pact at {href} is being verified because it is a 'work in progress' pact: the newest contract of {} version {latest_version}, not yet verified successfully by {provider_description}.", pact.consumer)
                } else {
                    format!("The pact at {href} is being verified because the pact content belongs to the consumer version(s) matching: {} of {}.", reasons.join("; "), pact.consumer)
                }
            })];
            match pact.pending {
                Some(true) => {
                    notices.push(json!({"when": "before_verification", "text": format!("This pact is in pending state for {provider_description}: it has not yet been verified successfully there. If the verification fails, it will not cause the overall build to fail.")}));
                    notices.push(json!({"when": "after_verification:success_true_published_false", "text": format!("This pact is still pending for {provider_description}; publish the results to take it out of pending.")}));
                    notices.push(json!({"when": "after_verification:success_false_published_false", "text": "This pact is pending; the failure does not fail the build.".to_owned()}));
                    notices.push(json!({"when": "after_verification:success_true_published_true", "text": format!("This pact is no longer pending for {provider_description}: a later failure will fail the build.")}));
                    notices.push(json!({"when": "after_verification:success_false_published_true", "text": "This pact is still pending; the failure does not fail the build.".to_owned()}));
                }
                Some(false) => notices.push(json!({"when": "before_verification", "text": format!("This pact has been verified successfully by {provider_description} before; if this verification fails, it will fail the build.")})),
                None => {}
            }
            if deprecated_get {
                notices.push(json!({"when": "before_verification", "text": "Fetching pacts for verification with GET is deprecated; POST the same parameters as JSON.".to_owned()}));
            }
            let mut properties = json!({"notices": notices});
            if let Some(pending) = pact.pending {
                properties["pending"] = json!(pending);
            }
            if pact.wip {
                properties["wip"] = json!(true);
            }
            json!({
                "shortDescription": format!("{} of {}", reasons.join(", "), pact.consumer),
                "verificationProperties": properties,
                "_links": {"self": {"href": href, "name": format!("Pact between {} ({latest_version}) and {provider}", pact.consumer)}}
            })
        })
        .collect();
    json!({
        "_embedded": {"pacts": items},
        "_links": {"self": link(format!("{}/for-verification", href(base, &["pacts", "provider", provider])), "Pacts to be verified")}
    })
}

async fn for_verification(
    state: &AppState,
    base: &str,
    provider: &str,
    body: &Value,
    get: bool,
) -> ApiResult<Hal> {
    let query = parse_query(body)?;
    let pacts = state.store.pacts_for_verification(provider, &query).await?;
    Ok(Hal::ok(for_verification_response(
        base, provider, &query, &pacts, get,
    )))
}

async fn for_verification_get(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
    uri: axum::http::Uri,
) -> ApiResult<Hal> {
    let query = parse_nested(uri.query().unwrap_or(""));
    for_verification(&state, &base, &p, &query, true).await
}

async fn for_verification_post(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Hal> {
    for_verification(&state, &base, &p, &body, false).await
}
