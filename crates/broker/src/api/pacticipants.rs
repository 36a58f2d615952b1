//! Pacticipants, their versions, branches and tags, and recording deployments and releases of
//! a version.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value, json};

use super::environments::deployment_json;
use crate::AppState;
use crate::hal::{
    ApiError, ApiResult, Base, Hal, JsonBody, check_name, compact, href, link, named_link,
    no_content, opt_str, req_str, respond, templated,
};
use crate::store::{
    Branch, DeploymentKind, Environment, Pacticipant, PacticipantFields, Tag, Version, VersionRef,
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
                .patch(patch_version)
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
        .route("/pacticipants/{p}/labels/{label}", put(no_labels))
}

// --- representations -------------------------------------------------------------------------

pub(crate) fn pacticipant_href(base: &str, name: &str) -> String {
    href(base, &["pacticipants", name])
}

pub(crate) fn version_href(base: &str, pacticipant: &str, number: &str) -> String {
    href(base, &["pacticipants", pacticipant, "versions", number])
}

pub(crate) fn pacticipant_json(base: &str, p: &Pacticipant, latest: Option<&Version>) -> Value {
    let self_href = pacticipant_href(base, &p.name);
    let body = json!({
        "name": p.name,
        "displayName": p.display_name.clone().unwrap_or_else(|| display_name(&p.name)),
        "mainBranch": p.main_branch,
        "repositoryUrl": p.repository_url,
        "repositoryName": p.repository_name,
        "repositoryNamespace": p.repository_namespace,
        "createdAt": rfc3339(p.created_at),
        "updatedAt": rfc3339(p.updated_at),
        "_embedded": {"labels": []},
        "_links": {
            "self": named_link(self_href.clone(), &p.name, &p.name),
            "pb:versions": link(format!("{self_href}/versions"), "Versions"),
            "versions": link(format!("{self_href}/versions"), "Versions"),
            "pb:version": templated(format!("{self_href}/versions/{{version}}"), "Get, create or delete a pacticipant version"),
            "pb:version-tag": templated(format!("{self_href}/versions/{{version}}/tags/{{tag}}"), "Get, create or delete a tag for a version of this pacticipant"),
            "pb:branch-version": templated(format!("{self_href}/branches/{{branch}}/versions/{{version}}"), "Get or add/create a version for a branch of this pacticipant"),
            "pb:branches": link(format!("{self_href}/branches"), "Branches"),
            "pb:latest-version": link(format!("{self_href}/latest-version"), "Latest version"),
        }
    });
    let mut body = compact(body);
    if let Some(latest) = latest {
        let summary = json!({
            "number": latest.number,
            "_links": {"self": link(version_href(base, &p.name, &latest.number), "Version")}
        });
        body["_embedded"]["latestVersion"] = summary.clone();
        body["_embedded"]["latest-version"] = summary;
    }
    body
}

/// "user-service" → "User Service", the broker's default display name.
pub(crate) fn display_name(name: &str) -> String {
    name.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) fn version_json(base: &str, v: &Version, environments: &[Environment]) -> Value {
    let self_href = version_href(base, &v.pacticipant, &v.number);
    let branch_versions: Vec<Value> = v
        .branches
        .iter()
        .map(|(name, latest)| {
            json!({
                "name": name,
                "latest": latest,
                "_links": {"self": link(href(base, &["pacticipants", &v.pacticipant, "branches", name, "versions", &v.number]), "Branch version")}
            })
        })
        .collect();
    let tags: Vec<Value> = v
        .tags
        .iter()
        .map(|(name, _)| {
            json!({
                "name": name,
                "_links": {"self": link(format!("{self_href}/tags/{}", crate::hal::seg(name)), "Tag")}
            })
        })
        .collect();
    let record = |kind: &str, title: &str| -> Vec<Value> {
        environments
            .iter()
            .map(|env| {
                named_link(
                    format!("{self_href}/{kind}/environment/{}", env.uuid),
                    &format!(
                        "{title} to {}",
                        env.display_name.as_deref().unwrap_or(&env.name)
                    ),
                    &env.name,
                )
            })
            .collect()
    };
    compact(json!({
        "number": v.number,
        "buildUrl": v.build_url,
        "createdAt": rfc3339(v.created_at),
        "updatedAt": rfc3339(v.updated_at),
        "_embedded": {
            "branchVersions": branch_versions,
            "branches": branch_versions,
            "tags": tags,
        },
        "_links": {
            "self": named_link(self_href.clone(), "Version", &v.number),
            "pb:pacticipant": named_link(pacticipant_href(base, &v.pacticipant), "Pacticipant", &v.pacticipant),
            "pb:tag": templated(format!("{self_href}/tags/{{tag}}"), "Get, create or delete a tag for this pacticipant version"),
            "pb:record-deployment": record("deployed-versions", "Record deployment"),
            "pb:record-release": record("released-versions", "Record release"),
        }
    }))
}

fn tag_json(base: &str, tag: &Tag) -> Value {
    let version = version_href(base, &tag.pacticipant, &tag.version);
    compact(json!({
        "name": tag.name,
        "createdAt": rfc3339(tag.created_at),
        "_links": {
            "self": link(format!("{version}/tags/{}", crate::hal::seg(&tag.name)), "Tag"),
            "pb:version": named_link(version.clone(), "Version", &tag.version),
            "version": named_link(version, "Version", &tag.version),
            "pb:pacticipant": named_link(pacticipant_href(base, &tag.pacticipant), "Pacticipant", &tag.pacticipant),
        }
    }))
}

fn branch_json(base: &str, branch: &Branch) -> Value {
    let self_href = href(
        base,
        &[
            "pacticipants",
            &branch.pacticipant,
            "branches",
            &branch.name,
        ],
    );
    compact(json!({
        "name": branch.name,
        "createdAt": rfc3339(branch.created_at),
        "latestVersion": branch.latest_version,
        "_links": {
            "self": named_link(self_href.clone(), "Branch", &branch.name),
            "pb:pacticipant": named_link(pacticipant_href(base, &branch.pacticipant), "Pacticipant", &branch.pacticipant),
            "pb:latest-version": branch.latest_version.as_ref().map(|v| link(version_href(base, &branch.pacticipant, v), "Latest version")),
        }
    }))
}

fn fields(body: &Value) -> ApiResult<PacticipantFields> {
    let fields = PacticipantFields {
        display_name: opt_str(body, "displayName")?,
        main_branch: opt_str(body, "mainBranch")?,
        repository_url: opt_str(body, "repositoryUrl")?,
        repository_name: opt_str(body, "repositoryName")?,
        repository_namespace: opt_str(body, "repositoryNamespace")?,
    };
    if let Some(branch) = &fields.main_branch {
        check_name("mainBranch", branch)?;
        if branch.contains(char::is_whitespace) {
            return Err(ApiError::invalid("mainBranch", "must not contain spaces"));
        }
    }
    Ok(fields)
}

// --- pacticipants ------------------------------------------------------------------------------

async fn list(State(state): State<AppState>, Base(base): Base) -> ApiResult<Hal> {
    let all = state.store.pacticipants().await?;
    let items: Vec<Value> = all
        .iter()
        .map(|p| pacticipant_json(&base, p, None))
        .collect();
    let links: Vec<Value> = all
        .iter()
        .map(|p| named_link(pacticipant_href(&base, &p.name), "Pacticipant", &p.name))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": {"pacticipants": items},
        "_links": {"self": link(format!("{base}/pacticipants"), "Pacticipants"), "pb:pacticipants": links.clone(), "pacticipants": links}
    })))
}

async fn render_pacticipant(state: &AppState, base: &str, p: &Pacticipant) -> ApiResult<Value> {
    let latest = state.store.version(&p.name, VersionRef::Latest).await?;
    Ok(pacticipant_json(base, p, latest.as_ref()))
}

async fn show(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
) -> ApiResult<Hal> {
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
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let name = req_str(&body, "name")?;
    check_name("name", &name)?;
    let p = state
        .store
        .create_pacticipant(&name, &fields(&body)?)
        .await?;
    Ok(Hal::created(render_pacticipant(&state, &base, &p).await?))
}

async fn patch(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    check_name("name", &name)?;
    // PATCH creates a missing pacticipant, as the Pact Broker does for older clients.
    let (p, created) = state
        .store
        .update_pacticipant(&name, &fields(&body)?, false, true)
        .await?;
    let body = render_pacticipant(&state, &base, &p).await?;
    Ok(if created {
        Hal::created(body)
    } else {
        Hal::ok(body).into_response()
    })
}

async fn replace(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Hal> {
    let (p, _) = state
        .store
        .update_pacticipant(&name, &fields(&body)?, true, false)
        .await?;
    Ok(Hal::ok(render_pacticipant(&state, &base, &p).await?))
}

async fn delete(State(state): State<AppState>, Path(name): Path<String>) -> ApiResult<Response> {
    state.store.delete_pacticipant(&name).await?;
    Ok(no_content())
}

async fn no_labels(Path((name, label)): Path<(String, String)>) -> ApiError {
    ApiError::with_status(
        StatusCode::NOT_IMPLEMENTED,
        format!(
            "labels are not supported by pactum's broker (asked to label `{name}` with `{label}`)"
        ),
    )
}

// --- versions ----------------------------------------------------------------------------------

async fn render_version(state: &AppState, base: &str, v: &Version) -> ApiResult<Value> {
    let environments = state.store.environments(None).await?;
    Ok(version_json(base, v, &environments))
}

async fn found_version(
    state: &AppState,
    base: &str,
    pacticipant: &str,
    which: VersionRef<'_>,
) -> ApiResult<Hal> {
    let described = format!("{which:?}");
    let v = state
        .store
        .version(pacticipant, which)
        .await?
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "pacticipant `{pacticipant}` has no version matching {described}"
            ))
        })?;
    Ok(Hal::ok(render_version(state, base, &v).await?))
}

async fn versions(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal> {
    let all = state.store.versions(&p).await?;
    let environments = state.store.environments(None).await?;
    let items: Vec<Value> = all
        .iter()
        .map(|v| version_json(&base, v, &environments))
        .collect();
    let links: Vec<Value> = all
        .iter()
        .map(|v| named_link(version_href(&base, &p, &v.number), "Version", &v.number))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": {"versions": items},
        "_links": {"self": link(href(&base, &["pacticipants", &p, "versions"]), "Versions"), "pb:versions": links}
    })))
}

async fn version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v)): Path<(String, String)>,
) -> ApiResult<Hal> {
    found_version(&state, &base, &p, VersionRef::Number(&v)).await
}

async fn latest_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal> {
    found_version(&state, &base, &p, VersionRef::Latest).await
}

async fn latest_tagged_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, tag)): Path<(String, String)>,
) -> ApiResult<Hal> {
    found_version(&state, &base, &p, VersionRef::LatestTagged(&tag)).await
}

async fn put_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    check_name("pacticipant", &p)?;
    check_name("version", &v)?;
    let build_url = opt_str(&body, "buildUrl")?;
    let (version, created) = state
        .store
        .put_version(&p, &v, build_url.as_deref(), None, &[])
        .await?;
    let body = render_version(&state, &base, &version).await?;
    Ok(if created {
        Hal::created(body)
    } else {
        Hal::ok(body).into_response()
    })
}

async fn patch_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, v)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    put_version(State(state), Base(base), Path((p, v)), JsonBody(body)).await
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
) -> ApiResult<Hal> {
    let tag =
        state.store.tag(&p, &v, &t).await?.ok_or_else(|| {
            ApiError::not_found(format!("version `{v}` of `{p}` has no tag `{t}`"))
        })?;
    Ok(Hal::ok(tag_json(&base, &tag)))
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
    let body = tag_json(&base, &tag);
    Ok(if created {
        Hal::created(body)
    } else {
        Hal::ok(body).into_response()
    })
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
) -> ApiResult<Hal> {
    let all = state.store.branches(&p).await?;
    let items: Vec<Value> = all.iter().map(|b| branch_json(&base, b)).collect();
    Ok(Hal::ok(json!({
        "_embedded": {"branches": items},
        "_links": {"self": link(href(&base, &["pacticipants", &p, "branches"]), "Branches")}
    })))
}

async fn branch(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, b)): Path<(String, String)>,
) -> ApiResult<Hal> {
    let branch = state
        .store
        .branch(&p, &b)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("pacticipant `{p}` has no branch `{b}`")))?;
    Ok(Hal::ok(branch_json(&base, &branch)))
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
) -> ApiResult<Hal> {
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
    let body = render_version(&state, &base, &version).await?;
    Ok(if added {
        Hal::created(body)
    } else {
        Hal::ok(body).into_response()
    })
}

// --- deployments and releases of a version -------------------------------------------------------

async fn record(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    (p, v, env): (String, String, String),
    body: &Value,
) -> ApiResult<Response> {
    let instance = match kind {
        DeploymentKind::Deployed => {
            opt_str(body, "applicationInstance")?.or(opt_str(body, "target")?)
        }
        DeploymentKind::Released => None,
    };
    let (deployment, created) = state
        .store
        .record_deployment(kind, &p, &v, &env, instance.as_deref())
        .await?;
    let body = deployment_json(base, kind, &deployment);
    Ok(if created {
        Hal::created(body)
    } else {
        respond(StatusCode::OK, body)
    })
}

async fn record_deployment(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    record(&state, &base, DeploymentKind::Deployed, path, &body).await
}

async fn record_release(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    record(&state, &base, DeploymentKind::Released, path, &body).await
}

async fn of_version_in_environment(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    (p, v, env): (String, String, String),
) -> ApiResult<Hal> {
    let version = state
        .store
        .version(&p, VersionRef::Number(&v))
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no version `{v}` of pacticipant `{p}`")))?;
    let all = state.store.deployments_of_version(kind, version.id).await?;
    let items: Vec<Value> = all
        .iter()
        .filter(|d| d.environment.uuid == env)
        .map(|d| deployment_json(base, kind, d))
        .collect();
    let key = match kind {
        DeploymentKind::Deployed => "deployedVersions",
        DeploymentKind::Released => "releasedVersions",
    };
    Ok(Hal::ok(json!({"_embedded": {key: items}, "_links": {}})))
}

async fn deployments_in_environment(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Hal> {
    of_version_in_environment(&state, &base, DeploymentKind::Deployed, path).await
}

async fn releases_in_environment(
    State(state): State<AppState>,
    Base(base): Base,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Hal> {
    of_version_in_environment(&state, &base, DeploymentKind::Released, path).await
}
