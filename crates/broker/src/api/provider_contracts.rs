//! Provider contracts (PactFlow's API): a provider publishes its OpenAPI document with its own
//! test result, by `POST /provider-contracts/provider/{p}/publish` or the older
//! `PUT /contracts/provider/{p}/version/{v}`, and reads it back with a `GET` on the latter.
//!
//! A document that cannot be read (not base64, not UTF-8, not JSON or YAML) is refused with
//! where it breaks. One that reads but is not an OpenAPI document pactum can use is stored, as
//! PactFlow stores it, with a warning notice saying where it is wrong: the cross-check of
//! consumer contracts against it will fail for that reason. Not here: the cross-check itself.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{post, put};
use base64::Engine as _;
use pactum_broker_api::provider_contracts::{
    ProviderContractEmbedded, ProviderContractPublishedLinks,
};
use pactum_broker_api::{
    Link, Links, Notice, ProviderContractPublished, ProviderContractRequest,
    ProviderContractResource, PublishProviderContractRequest, Relation, SelfVerificationResults,
};
use pactum_openapi::{Document, LoadError};

use super::repr::{self, pacticipant_href, version_href};
use crate::AppState;
use crate::base_url::Base;
use crate::blocking::by_size;
use crate::hal::{ApiError, ApiResult, Hal, JsonBody, href, saved, seg};
use crate::names::check_name;
use crate::store::{self, NewProviderContract, SelfVerification, rfc3339};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/provider-contracts/provider/{p}/publish", post(publish))
        .route(
            "/contracts/provider/{p}/version/{v}",
            put(put_contract).get(get_contract),
        )
}

fn contract_href(base: &str, provider: &str, version: &str) -> String {
    href(
        base,
        &["contracts", "provider", provider, "version", version],
    )
}

/// The request members a provider contract is read from, for naming them in errors: the
/// publish body nests them under `contract`, the older `PUT` does not and calls the
/// specification `contractType`.
struct Members {
    content: &'static str,
    content_type: &'static str,
    specification: &'static str,
}

const PUBLISH_MEMBERS: Members = Members {
    content: "contract.content",
    content_type: "contract.contentType",
    specification: "contract.specification",
};

const PUT_MEMBERS: Members = Members {
    content: "content",
    content_type: "contentType",
    specification: "contractType",
};

/// The document as text, and what is wrong with it as an OpenAPI document (if anything).
struct ReadDocument {
    text: String,
    unusable: Option<String>,
}

fn read_document(
    members: &Members,
    content: &str,
    content_type: &str,
    specification: &str,
) -> ApiResult<ReadDocument> {
    let at = members.content;
    if !specification.eq_ignore_ascii_case("oas") {
        return Err(ApiError::invalid(
            members.specification,
            format!(
                "`{specification}` is not a specification pactum reads; provider contracts are \
                 OpenAPI documents: `oas`"
            ),
        ));
    }
    let media = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let readable = matches!(
        media.as_str(),
        "application/json"
            | "application/yaml"
            | "application/x-yaml"
            | "text/yaml"
            | "text/x-yaml"
    ) || media.ends_with("+json")
        || media.ends_with("+yaml");
    if !readable {
        return Err(ApiError::invalid(
            members.content_type,
            format!(
                "`{content_type}` is not a media type pactum reads; an OpenAPI document is \
                 `application/json` or `application/yaml`"
            ),
        ));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.trim())
        .map_err(|e| ApiError::invalid(at, format!("is not base64: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        ApiError::invalid(
            at,
            format!(
                "the decoded document is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let unusable = match Document::from_bytes(text.as_bytes()) {
        Ok(document) => document.compile_all().err().map(|e| e.to_string()),
        Err(error @ LoadError::Syntax { .. }) => {
            return Err(ApiError::invalid(
                at,
                format!("the decoded document cannot be read: {error}"),
            ));
        }
        Err(error) => Some(error.to_string()),
    };
    Ok(ReadDocument { text, unusable })
}

fn self_verification(results: SelfVerificationResults) -> SelfVerification {
    SelfVerification {
        success: results.success,
        verifier: results.verifier,
        verifier_version: results.verifier_version,
        content: results.content,
        content_type: results.content_type,
        format: results.format,
    }
}

/// Checks the names and the document (off the async workers when large), and says what to
/// store.
async fn new_contract(
    members: &'static Members,
    content: String,
    content_type: String,
    specification: String,
) -> ApiResult<(String, String, String, Option<String>)> {
    by_size(content.len(), move || {
        let document = read_document(members, &content, &content_type, &specification)?;
        Ok((
            document.text,
            content_type,
            specification.to_ascii_lowercase(),
            document.unusable,
        ))
    })
    .await
}

async fn publish(
    State(state): State<AppState>,
    Base(base): Base,
    Path(provider): Path<String>,
    JsonBody(request): JsonBody<PublishProviderContractRequest>,
) -> ApiResult<Hal<ProviderContractPublished>> {
    check_name("provider", &provider)?;
    check_name(
        "pacticipantVersionNumber",
        &request.pacticipant_version_number,
    )?;
    if let Some(branch) = &request.branch {
        check_name("branch", branch)?;
    }
    for tag in &request.tags {
        check_name("tags", tag)?;
    }
    let contract = request.contract;
    let (content, content_type, specification, unusable) = new_contract(
        &PUBLISH_MEMBERS,
        contract.content,
        contract.content_type,
        contract.specification,
    )
    .await?;
    let new = NewProviderContract {
        provider_version: request.pacticipant_version_number,
        branch: request.branch,
        tags: request.tags,
        build_url: request.build_url,
        content,
        content_type,
        specification,
        self_verification: self_verification(contract.self_verification_results),
    };
    let (body, _) = published(&state, &base, &provider, new, unusable).await?;
    Ok(Hal::ok(body))
}

async fn put_contract(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version)): Path<(String, String)>,
    JsonBody(request): JsonBody<ProviderContractRequest>,
) -> ApiResult<Response> {
    check_name("provider", &provider)?;
    check_name("version", &version)?;
    let (content, content_type, specification, unusable) = new_contract(
        &PUT_MEMBERS,
        request.content,
        request.content_type,
        request.contract_type,
    )
    .await?;
    let new = NewProviderContract {
        provider_version: version,
        branch: None,
        tags: Vec::new(),
        build_url: None,
        content,
        content_type,
        specification,
        self_verification: self_verification(request.verification_results),
    };
    let (body, replaced) = published(&state, &base, &provider, new, unusable).await?;
    let location = body.links.provider_contract.clone();
    Ok(saved(!replaced, body, location.as_ref()))
}

/// Stores a checked provider contract and describes what happened.
async fn published(
    state: &AppState,
    base: &str,
    provider: &str,
    new: NewProviderContract,
    unusable: Option<String>,
) -> ApiResult<(ProviderContractPublished, bool)> {
    let outcome = state
        .store
        .publish_provider_contract(provider, &new)
        .await?;
    let v = &outcome.version;
    let version_href = version_href(base, provider, &v.number);
    let contract_href = contract_href(base, provider, &v.number);
    let mut notices = vec![Notice::new(
        "debug",
        format!(
            "{} {provider} version {}{}{}",
            if outcome.version_created {
                "Created"
            } else {
                "Updated"
            },
            v.number,
            new.branch
                .as_ref()
                .map(|b| format!(" with branch {b}"))
                .unwrap_or_default(),
            if new.tags.is_empty() {
                String::new()
            } else {
                format!(" and tags {}", new.tags.join(", "))
            },
        ),
    )];
    notices.push(Notice::new(
        "success",
        if outcome.replaced {
            format!(
                "Provider contract for {provider} version {} replaced with the newly published one.",
                v.number
            )
        } else {
            format!(
                "Provider contract for {provider} version {} successfully published.",
                v.number
            )
        },
    ));
    if !new.self_verification.success {
        notices.push(Notice::new(
            "warning",
            format!(
                "The provider's own tests of this document failed ({}): consumers cannot rely on it.",
                new.self_verification
                    .verifier
                    .as_deref()
                    .unwrap_or("verifier not named")
            ),
        ));
    }
    if let Some(problem) = unusable {
        notices.push(Notice::new(
            "warning",
            format!(
                "The document is not an OpenAPI document pactum can check contracts against: \
                 {problem}. Consumer contracts will fail their cross-check until a corrected \
                 document is published."
            ),
        ));
    }
    notices.push(Notice::new(
        "debug",
        format!("  View the provider contract at {contract_href}"),
    ));
    let branch_version = new.branch.as_ref().map(|branch| {
        Link::named(
            href(
                base,
                &[
                    "pacticipants",
                    provider,
                    "branches",
                    branch,
                    "versions",
                    &v.number,
                ],
            ),
            "Version",
            &v.number,
        )
    });
    let tags = new
        .tags
        .iter()
        .map(|tag| Link::named(format!("{version_href}/tags/{}", seg(tag)), "Tag", tag))
        .collect();
    let body = ProviderContractPublished {
        notices,
        embedded: ProviderContractEmbedded {
            version: repr::version(base, v, &[]),
        },
        links: ProviderContractPublishedLinks {
            pacticipant_version: Some(Link::named(&version_href, "Pacticipant version", &v.number)),
            branch_version,
            pacticipant_version_tags: tags,
            provider_contract: Some(Link::named(
                contract_href,
                "Provider contract",
                format!("Provider contract of {provider} version {}", v.number),
            )),
        },
    };
    Ok((body, outcome.replaced))
}

async fn get_contract(
    State(state): State<AppState>,
    Base(base): Base,
    Path((provider, version)): Path<(String, String)>,
) -> ApiResult<Hal<ProviderContractResource>> {
    let contract = state
        .store
        .provider_contract(&provider, &version)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "provider {provider} version {version} has published no provider contract"
            ))
        })?;
    Ok(Hal::ok(resource(&base, contract)))
}

fn resource(base: &str, contract: store::ProviderContract) -> ProviderContractResource {
    let provider = &contract.provider;
    let number = &contract.provider_version;
    let mut links = Links::new();
    let mut link = |rel: &str, link: Link| {
        links.insert(rel.to_owned(), Relation::One(link));
    };
    link(
        "self",
        Link::titled(contract_href(base, provider, number), "Provider contract"),
    );
    link(
        "pb:pacticipant",
        Link::named(pacticipant_href(base, provider), "Pacticipant", provider),
    );
    link(
        "pb:pacticipant-version",
        Link::named(
            version_href(base, provider, number),
            "Pacticipant version",
            number,
        ),
    );
    let verification = contract.self_verification;
    ProviderContractResource {
        content: contract.content,
        content_type: contract.content_type,
        specification: contract.specification,
        self_verification_results: SelfVerificationResults {
            success: verification.success,
            content: verification.content,
            content_type: verification.content_type,
            format: verification.format,
            verifier: verification.verifier,
            verifier_version: verification.verifier_version,
        },
        created_at: Some(rfc3339(contract.created_at)),
        links,
    }
}
