//! Pacticipants, their versions, branches and tags, and recording deployments and releases of
//! a version.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use pactum_broker_api::pacticipants::{PacticipantsEmbedded, PacticipantsLinks};
use pactum_broker_api::versions::{
    BranchLinks, BranchesEmbedded, TagLinks, VersionsEmbedded, VersionsLinks,
};
use pactum_broker_api::{
    Branches, Link, PacticipantRequest, Pacticipants, RecordDeploymentRequest, SelfLinks,
    VersionRequest, Versions,
};

use super::repr::{self, Deployment, pacticipant_href, version_href};
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult, Hal, JsonBody, href, no_content, saved};
use crate::names::{check_name, check_optional_name};
use crate::store::{
    Branch, DeploymentKind, Label, Pacticipant, PacticipantFields, Tag, Version, VersionRef,
    rfc3339,
};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/pacticipants", get(list).post(create))
        .route(
            "/pacticipants/{p}",
            get(show).patch(patch).put(replace).delete(delete),
        )
        .route("/pacticipants/{p}/versions", get(versions))
        .route(
            "/pacticipants/{p}/versions/{v}",
            get(version)
                .put(put_version)
                .patch(put_version)
                .delete(delete_version),
        )
        .route("/pacticipants/{p}/latest-version", get(latest_version))
        .route(
            "/pacticipants/{p}/latest-version/{tag}",
            get(latest_tagged_version),
        )
        .route(
            "/pacticipants/{p}/versions/{v}/tags/{t}",
            get(tag).put(put_tag).delete(delete_tag),
        )
        .route("/pacticipants/{p}/branches", get(branches))
        .route(
            "/pacticipants/{p}/branches/{b}",
            get(branch).delete(delete_branch),
        )
        .route(
            "/pacticipants/{p}/branches/{b}/versions/{v}",
            get(branch_version).put(put_branch_version),
        )
        .route(
            "/pacticipants/{p}/versions/{v}/deployed-versions/environment/{env}",
            post(record_deployment).get(deployments_in_environment),
        )
        .route(
            "/pacticipants/{p}/versions/{v}/released-versions/environment/{env}",
            post(record_release).get(releases_in_environment),
        )
        .route(
            "/pacticipants/{p}/labels/{label}",
            get(label).put(put_label).delete(delete_label),
        )
        .route("/pacticipants/label/{label}", get(with_label))
}

// --- representations -------------------------------------------------------------------------

fn tag_resource(base: &str, tag: &Tag) -> pactum_broker_api::Tag {
    let version = version_href(base, &tag.pacticipant, &tag.version);
    pactum_broker_api::Tag {
        name: tag.name.clone(),
        created_at: Some(rfc3339(tag.created_at)),
        links: TagLinks {
            self_: Some(Link::titled(
                format!("{version}/tags/{}", crate::hal::seg(&tag.name)),
                "Tag",
            )),
            version: Some(Link::named(&version, "Version", &tag.version)),
            version_legacy: Some(Link::named(version, "Version", &tag.version)),
            pacticipant: Some(Link::named(
                pacticipant_href(base, &tag.pacticipant),
                "Pacticipant",
                &tag.pacticipant,
            )),
        },
    }
}

fn branch_resource(base: &str, branch: &Branch) -> pactum_broker_api::Branch {
    let self_href = href(
        base,
        &[
            "pacticipants",
            &branch.pacticipant,
            "branches",
            &branch.name,
        ],
    );
    pactum_broker_api::Branch {
        name: branch.name.clone(),
        created_at: Some(rfc3339(branch.created_at)),
        latest_version: branch.latest_version.clone(),
        links: BranchLinks {
            self_: Some(Link::named(self_href, "Branch", &branch.name)),
            pacticipant: Some(Link::named(
                pacticipant_href(base, &branch.pacticipant),
                "Pacticipant",
                &branch.pacticipant,
            )),
            latest_version: branch.latest_version.as_ref().map(|v| {
                Link::titled(version_href(base, &branch.pacticipant, v), "Latest version")
            }),
        },
    }
}

fn fields(request: PacticipantRequest) -> ApiResult<PacticipantFields> {
    check_optional_name("displayName", request.display_name.as_deref())?;
    if let Some(branch) = &request.main_branch {
        check_name("mainBranch", branch)?;
        if branch.contains(char::is_whitespace) {
            return Err(ApiError::invalid("mainBranch", "must not contain spaces"));
        }
    }
    Ok(PacticipantFields {
        display_name: request.display_name,
        main_branch: request.main_branch,
        repository_url: request.repository_url,
        repository_name: request.repository_name,
        repository_namespace: request.repository_namespace,
    })
}

// --- pacticipants ------------------------------------------------------------------------------

async fn list(State(state): State<AppState>, Base(base): Base) -> ApiResult<Hal<Pacticipants>> {
    let all = state.store.pacticipants_with_latest_version().await?;
    let labels = state.store.labels().await?;
    Ok(Hal::ok(pacticipant_list(
        &base,
        &all,
        &labels,
        Link::titled(format!("{base}/pacticipants"), "Pacticipants"),
    )))
}

/// A list of pacticipants (with their latest version numbers), embedding those of `labels`
/// that are theirs.
fn pacticipant_list(
    base: &str,
    all: &[(Pacticipant, Option<String>)],
    labels: &[Label],
    self_link: Link,
) -> Pacticipants {
    let pacticipants: Vec<_> = all
        .iter()
        .map(|(p, latest)| {
            let theirs: Vec<Label> = labels
                .iter()
                .filter(|l| l.pacticipant == p.name)
                .cloned()
                .collect();
            repr::pacticipant(base, p, &theirs, latest.as_deref())
        })
        .collect();
    let base = base.to_owned();
    Pacticipants {
        embedded: PacticipantsEmbedded {
            pacticipants: pacticipants.clone(),
        },
        // The Pact Broker's older forms, which the official Ruby client reads: the list outside
        // `_embedded`, and links titled with the name.
        pacticipants,
        links: PacticipantsLinks {
            self_: Some(self_link),
            pacticipants: all
                .iter()
                .map(|(p, _)| Link::named(pacticipant_href(&base, &p.name), "Pacticipant", &p.name))
                .collect(),
            pacticipants_legacy: all
                .iter()
                .map(|(p, _)| {
                    Link::named(
                        pacticipant_href(&base, &p.name),
                        &p.name,
                        "DEPRECATED - please use pb:pacticipants",
                    )
                })
                .collect(),
        },
    }
}

async fn render_pacticipant(
    state: &AppState,
    base: &str,
    p: &Pacticipant,
) -> ApiResult<pactum_broker_api::Pacticipant> {
    let latest = state.store.version(&p.name, VersionRef::Latest).await?;
    let labels = state.store.labels_of(&p.name).await?;
    Ok(repr::pacticipant(
        base,
        p,
        &labels,
        latest.as_ref().map(|v| v.number.as_str()),
    ))
}

/// The pacticipant as a response: 201 when it was just created.
async fn saved_pacticipant(
    state: &AppState,
    base: &str,
    p: &Pacticipant,
    created: bool,
) -> ApiResult<Response> {
    let body = render_pacticipant(state, base, p).await?;
    let location = body.links.self_.clone();
    Ok(saved(created, body, location.as_ref()))
}

async fn show(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
) -> ApiResult<Hal<pactum_broker_api::Pacticipant>> {
    let p = state
        .store
        .pacticipant(&name)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no pacticipant named `{name}`")))?;
    Ok(Hal::ok(render_pacticipant(&state, &base, &p).await?))
}

async fn create(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(mut request): JsonBody<PacticipantRequest>,
) -> ApiResult<Response> {
    let name = request.name.take().unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ApiError::invalid(
            "name",
            "is required and must not be blank",
        ));
    }
    check_name("name", &name)?;
    let p = state
        .store
        .create_pacticipant(&name, &fields(request)?)
        .await?;
    saved_pacticipant(&state, &base, &p, true).await
}

async fn patch(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
    JsonBody(request): JsonBody<PacticipantRequest>,
) -> ApiResult<Response> {
    check_name("name", &name)?;
    // PATCH creates a missing pacticipant, as the Pact Broker does for older clients.
    let (p, created) = state
        .store
        .update_pacticipant(&name, &fields(request)?, false, true)
        .await?;
    saved_pacticipant(&state, &base, &p, created).await
}

async fn replace(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
    JsonBody(request): JsonBody<PacticipantRequest>,
) -> ApiResult<Hal<pactum_broker_api::Pacticipant>> {
    check_name("name", &name)?;
    let (p, _) = state
        .store
        .update_pacticipant(&name, &fields(request)?, true, false)
        .await?;
    Ok(Hal::ok(render_pacticipant(&state, &base, &p).await?))
}

async fn delete(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<Response> {
    state.store.delete_pacticipant(&name).await?;
    Ok(no_content())
}

// --- labels ------------------------------------------------------------------------------------

async fn label(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, l)): Path<(String, String)>,
) -> ApiResult<Hal<pactum_broker_api::pacticipants::Label>> {
    let label = state
        .store
        .label(&p, &l)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("pacticipant `{p}` has no label `{l}`")))?;
    Ok(Hal::ok(repr::label(&base, &label)))
}

/// Puts a label on an existing pacticipant: 201 when it is new, 200 when it was there; 404 for
/// an unknown pacticipant, as the Pact Broker (which does not create one here).
async fn put_label(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, l)): Path<(String, String)>,
) -> ApiResult<Response> {
    check_name("pacticipant", &p)?;
    check_name("label", &l)?;
    let (label, created) = state.store.put_label(&p, &l).await?;
    let body = repr::label(&base, &label);
    let location = body.links.self_.clone();
    Ok(saved(created, body, location.as_ref()))
}

async fn delete_label(
    State(state): State<AppState>,
    Path((p, l)): Path<(String, String)>,
) -> ApiResult<Response> {
    state.store.delete_label(&p, &l).await?;
    Ok(no_content())
}

/// The pacticipants carrying a label (none: an empty list, as the Pact Broker).
async fn with_label(
    State(state): State<AppState>,
    Base(base): Base,
    Path(l): Path<String>,
) -> ApiResult<Hal<Pacticipants>> {
    let labelled = state.store.pacticipants_with_label(&l).await?;
    let labels = state.store.labels().await?;
    let mut all = Vec::with_capacity(labelled.len());
    for p in labelled {
        let latest = state.store.version(&p.name, VersionRef::Latest).await?;
        all.push((p, latest.map(|v| v.number)));
    }
    Ok(Hal::ok(pacticipant_list(
        &base,
        &all,
        &labels,
        Link::titled(href(&base, &["pacticipants", "label", &l]), "Pacticipants"),
    )))
}

// --- versions ----------------------------------------------------------------------------------

async fn render_version(
    state: &AppState,
    base: &str,
    v: &Version,
) -> ApiResult<pactum_broker_api::Version> {
    let environments = state.store.environments(None).await?;
    Ok(repr::version(base, v, &environments))
}

/// The version as a response: 201 when it was just created.
async fn saved_version(
    state: &AppState,
    base: &str,
    v: &Version,
    created: bool,
) -> ApiResult<Response> {
    let body = render_version(state, base, v).await?;
    let location = body.links.self_.clone();
    Ok(saved(created, body, location.as_ref()))
}

async fn found_version(
    state: &AppState,
    base: &str,
    pacticipant: &str,
    which: VersionRef<'_>,
) -> ApiResult<Hal<pactum_broker_api::Version>> {
    let described = which.to_string();
    let v = state
        .store
        .version(pacticipant, which)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!("pacticipant `{pacticipant}` has no {described}"))
        })?;
    Ok(Hal::ok(render_version(state, base, &v).await?))
}

async fn versions(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal<Versions>> {
    let all = state.store.versions(&p).await?;
    let environments = state.store.environments(None).await?;
    Ok(Hal::ok(Versions {
        embedded: VersionsEmbedded {
            versions: all
                .iter()
                .map(|v| repr::version(&base, v, &environments))
                .collect(),
        },
        links: VersionsLinks {
            self_: Some(Link::titled(
                href(&base, &["pacticipants", &p, "versions"]),
                "Versions",
            )),
            versions: all
                .iter()
                .map(|v| Link::named(version_href(&base, &p, &v.number), "Version", &v.number))
                .collect(),
        },
    }))
}

async fn version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v)): Path<(String, String)>,
) -> ApiResult<Hal<pactum_broker_api::Version>> {
    found_version(&state, &base, &p, VersionRef::Number(&v)).await
}

async fn latest_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal<pactum_broker_api::Version>> {
    found_version(&state, &base, &p, VersionRef::Latest).await
}

async fn latest_tagged_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, tag)): Path<(String, String)>,
) -> ApiResult<Hal<pactum_broker_api::Version>> {
    found_version(&state, &base, &p, VersionRef::LatestTagged(&tag)).await
}

async fn put_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v)): Path<(String, String)>,
    JsonBody(request): JsonBody<VersionRequest>,
) -> ApiResult<Response> {
    check_name("pacticipant", &p)?;
    check_name("version", &v)?;
    let (version, created) = state
        .store
        .put_version(&p, &v, request.build_url.as_deref(), None, &[])
        .await?;
    saved_version(&state, &base, &version, created).await
}

async fn delete_version(
    State(state): State<AppState>,
    Path((p, v)): Path<(String, String)>,
) -> ApiResult<Response> {
    state.store.delete_version(&p, &v).await?;
    Ok(no_content())
}

// --- tags and branches -------------------------------------------------------------------------

async fn tag(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v, t)): Path<(String, String, String)>,
) -> ApiResult<Hal<pactum_broker_api::Tag>> {
    let tag =
        state.store.tag(&p, &v, &t).await?.ok_or_else(|| {
            ApiError::not_found(format!("version `{v}` of `{p}` has no tag `{t}`"))
        })?;
    Ok(Hal::ok(tag_resource(&base, &tag)))
}

async fn put_tag(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v, t)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    check_name("pacticipant", &p)?;
    check_name("version", &v)?;
    check_name("tag", &t)?;
    let (tag, created) = state.store.put_tag(&p, &v, &t).await?;
    let body = tag_resource(&base, &tag);
    let location = body.links.self_.clone();
    Ok(saved(created, body, location.as_ref()))
}

async fn delete_tag(
    State(state): State<AppState>,
    Path((p, v, t)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    state.store.delete_tag(&p, &v, &t).await?;
    Ok(no_content())
}

async fn branches(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal<Branches>> {
    let all = state.store.branches(&p).await?;
    Ok(Hal::ok(Branches {
        embedded: BranchesEmbedded {
            branches: all.iter().map(|b| branch_resource(&base, b)).collect(),
        },
        links: SelfLinks::to(href(&base, &["pacticipants", &p, "branches"]), "Branches"),
    }))
}

async fn branch(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, b)): Path<(String, String)>,
) -> ApiResult<Hal<pactum_broker_api::Branch>> {
    let branch = state
        .store
        .branch(&p, &b)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("pacticipant `{p}` has no branch `{b}`")))?;
    Ok(Hal::ok(branch_resource(&base, &branch)))
}

async fn delete_branch(
    State(state): State<AppState>,
    Path((p, b)): Path<(String, String)>,
) -> ApiResult<Response> {
    state.store.delete_branch(&p, &b).await?;
    Ok(no_content())
}

async fn branch_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, b, v)): Path<(String, String, String)>,
) -> ApiResult<Hal<pactum_broker_api::Version>> {
    let version = state
        .store
        .version(&p, VersionRef::Number(&v))
        .await?
        .filter(|version| version.branches.iter().any(|(name, _)| *name == b))
        .ok_or_else(|| {
            ApiError::not_found(format!("version `{v}` of `{p}` is not on branch `{b}`"))
        })?;
    Ok(Hal::ok(render_version(&state, &base, &version).await?))
}

async fn put_branch_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, b, v)): Path<(String, String, String)>,
) -> ApiResult<Response> {
    check_name("pacticipant", &p)?;
    check_name("branch", &b)?;
    check_name("version", &v)?;
    let (version, added) = state.store.put_branch_version(&p, &b, &v).await?;
    saved_version(&state, &base, &version, added).await
}

// --- deployments and releases of a version -------------------------------------------------------

async fn record(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    (p, v, env): (String, String, String),
    request: RecordDeploymentRequest,
) -> ApiResult<Response> {
    let instance = match kind {
        DeploymentKind::Deployed => request.application_instance.or(request.target),
        DeploymentKind::Released => None,
    };
    check_optional_name("applicationInstance", instance.as_deref())?;
    let (deployment, created) = state
        .store
        .record_deployment(kind, &p, &v, &env, instance.as_deref())
        .await?;
    let body: Deployment = repr::deployment(base, kind, &deployment);
    let location = body.self_link().cloned();
    Ok(saved(created, body, location.as_ref()))
}

async fn record_deployment(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(request): JsonBody<RecordDeploymentRequest>,
) -> ApiResult<Response> {
    record(&state, &base, DeploymentKind::Deployed, path, request).await
}

async fn record_release(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(request): JsonBody<RecordDeploymentRequest>,
) -> ApiResult<Response> {
    record(&state, &base, DeploymentKind::Released, path, request).await
}

async fn of_version_in_environment(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    (p, v, env): (String, String, String),
) -> ApiResult<Hal<repr::Deployments>> {
    let version = state
        .store
        .version(&p, VersionRef::Number(&v))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no version `{v}` of pacticipant `{p}`")))?;
    let all = state.store.deployments_of_version(kind, version.id).await?;
    let in_environment: Vec<_> = all
        .into_iter()
        .filter(|d| d.environment.uuid == env)
        .collect();
    Ok(Hal::ok(repr::deployments(
        base,
        kind,
        &in_environment,
        SelfLinks::default(),
    )))
}

async fn deployments_in_environment(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Hal<repr::Deployments>> {
    of_version_in_environment(&state, &base, DeploymentKind::Deployed, path).await
}

async fn releases_in_environment(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Hal<repr::Deployments>> {
    of_version_in_environment(&state, &base, DeploymentKind::Released, path).await
}
