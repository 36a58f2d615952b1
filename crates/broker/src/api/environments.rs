//! Environments, and the deployed and released versions recorded in them.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde_json::{Value, json};

use super::pacticipants::{pacticipant_href, version_href};
use crate::AppState;
use crate::hal::{
    ApiError, ApiResult, Base, Hal, JsonBody, check_name, compact, link, named_link, no_content,
    opt_str, req_str,
};
use crate::store::{Deployment, DeploymentKind, Environment, EnvironmentFields, rfc3339};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/environments", get(list).post(create))
        .route("/environments/{uuid}", get(show).put(update).delete(delete))
        .route(
            "/environments/{uuid}/deployed-versions/currently-deployed",
            get(currently_deployed),
        )
        .route(
            "/environments/{uuid}/released-versions/currently-supported",
            get(currently_supported),
        )
        .route(
            "/deployed-versions/{uuid}",
            get(deployed).patch(patch_deployed),
        )
        .route(
            "/released-versions/{uuid}",
            get(released).patch(patch_released),
        )
}

fn environment_href(base: &str, uuid: &str) -> String {
    format!("{base}/environments/{uuid}")
}

pub(crate) fn environment_json(base: &str, env: &Environment) -> Value {
    let self_href = environment_href(base, &env.uuid);
    let title = env
        .display_name
        .clone()
        .unwrap_or_else(|| super::pacticipants::display_name(&env.name));
    compact(json!({
        "uuid": env.uuid,
        "name": env.name,
        "displayName": title,
        "production": env.production,
        "contacts": env.contacts,
        "createdAt": rfc3339(env.created_at),
        "updatedAt": rfc3339(env.updated_at),
        "_links": {
            "self": named_link(self_href.clone(), &title, &env.name),
            "pb:currently-deployed-deployed-versions": link(format!("{self_href}/deployed-versions/currently-deployed"), "Versions currently deployed to this environment"),
            "pb:currently-supported-released-versions": link(format!("{self_href}/released-versions/currently-supported"), "Versions released and supported in this environment"),
            "pb:environments": link(format!("{base}/environments"), "Environments"),
        }
    }))
}

pub(crate) fn deployment_json(base: &str, kind: DeploymentKind, d: &Deployment) -> Value {
    let embedded = json!({
        "pacticipant": {"name": d.pacticipant, "_links": {"self": link(pacticipant_href(base, &d.pacticipant), "Pacticipant")}},
        "version": {"number": d.version.number, "_links": {"self": link(version_href(base, &d.pacticipant, &d.version.number), "Version")}},
        "environment": environment_json(base, &d.environment),
    });
    compact(match kind {
        DeploymentKind::Deployed => json!({
            "uuid": d.uuid,
            "currentlyDeployed": d.current,
            "target": d.application_instance,
            "applicationInstance": d.application_instance,
            "createdAt": rfc3339(d.created_at),
            "undeployedAt": d.ended_at.map(rfc3339),
            "_embedded": embedded,
            "_links": {"self": link(format!("{base}/deployed-versions/{}", d.uuid), "Deployed version")}
        }),
        DeploymentKind::Released => json!({
            "uuid": d.uuid,
            "currentlySupported": d.current,
            "createdAt": rfc3339(d.created_at),
            "supportEndedAt": d.ended_at.map(rfc3339),
            "_embedded": embedded,
            "_links": {"self": link(format!("{base}/released-versions/{}", d.uuid), "Released version")}
        }),
    })
}

fn fields(body: &Value) -> ApiResult<EnvironmentFields> {
    let name = req_str(body, "name")?;
    check_name("name", &name)?;
    if name.contains(char::is_whitespace) {
        return Err(ApiError::invalid(
            "name",
            format!("must not contain spaces, got {name:?}"),
        ));
    }
    let production = match body.get("production") {
        Some(Value::Bool(value)) => *value,
        Some(other) => {
            return Err(ApiError::invalid(
                "production",
                format!("must be true or false, got {other}"),
            ));
        }
        None => {
            return Err(ApiError::invalid(
                "production",
                "is required (true or false)",
            ));
        }
    };
    let contacts = match body.get("contacts") {
        None | Some(Value::Null) => None,
        Some(contacts @ Value::Array(_)) => Some(contacts.clone()),
        Some(other) => {
            return Err(ApiError::invalid(
                "contacts",
                format!("must be an array, got {other}"),
            ));
        }
    };
    Ok(EnvironmentFields {
        name,
        display_name: opt_str(body, "displayName")?,
        production,
        contacts,
    })
}

async fn list(
    State(state): State<AppState>,
    Base(base): Base,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Hal> {
    let all = state
        .store
        .environments(query.get("name").map(String::as_str))
        .await?;
    let items: Vec<Value> = all.iter().map(|e| environment_json(&base, e)).collect();
    let links: Vec<Value> = all
        .iter()
        .map(|e| named_link(environment_href(&base, &e.uuid), "Environment", &e.name))
        .collect();
    Ok(Hal::ok(json!({
        "_embedded": {"environments": items},
        "_links": {"self": link(format!("{base}/environments"), "Environments"), "pb:environments": links}
    })))
}

async fn create(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(body): JsonBody,
) -> ApiResult<Response> {
    let env = state.store.create_environment(&fields(&body)?).await?;
    Ok(Hal::created(environment_json(&base, &env)))
}

async fn show(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal> {
    let env = state
        .store
        .environment(&uuid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no environment with uuid `{uuid}`")))?;
    Ok(Hal::ok(environment_json(&base, &env)))
}

async fn update(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Hal> {
    let env = state
        .store
        .update_environment(&uuid, &fields(&body)?)
        .await?;
    Ok(Hal::ok(environment_json(&base, &env)))
}

async fn delete(State(state): State<AppState>, Path(uuid): Path<String>) -> ApiResult<Response> {
    state.store.delete_environment(&uuid).await?;
    Ok(no_content())
}

async fn current(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    uuid: &str,
    query: &HashMap<String, String>,
) -> ApiResult<Hal> {
    let instance = query
        .get("applicationInstance")
        .or_else(|| query.get("target"))
        .map(String::as_str);
    let found = state
        .store
        .current_deployments(
            kind,
            uuid,
            query.get("pacticipant").map(String::as_str),
            query.get("version").map(String::as_str),
            instance,
        )
        .await?;
    let items: Vec<Value> = found
        .iter()
        .map(|d| deployment_json(base, kind, d))
        .collect();
    let (key, path) = match kind {
        DeploymentKind::Deployed => ("deployedVersions", "deployed-versions/currently-deployed"),
        DeploymentKind::Released => ("releasedVersions", "released-versions/currently-supported"),
    };
    Ok(Hal::ok(json!({
        "_embedded": {key: items},
        "_links": {"self": link(format!("{}/{path}", environment_href(base, uuid)), "Currently deployed versions")}
    })))
}

async fn currently_deployed(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Hal> {
    current(&state, &base, DeploymentKind::Deployed, &uuid, &query).await
}

async fn currently_supported(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Hal> {
    current(&state, &base, DeploymentKind::Released, &uuid, &query).await
}

async fn show_deployment(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    uuid: &str,
) -> ApiResult<Hal> {
    let d = state.store.deployment(kind, uuid).await?.ok_or_else(|| {
        ApiError::not_found(format!("no {} version with uuid `{uuid}`", kind.noun()))
    })?;
    Ok(Hal::ok(deployment_json(base, kind, &d)))
}

async fn deployed(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal> {
    show_deployment(&state, &base, DeploymentKind::Deployed, &uuid).await
}

async fn released(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal> {
    show_deployment(&state, &base, DeploymentKind::Released, &uuid).await
}

/// PATCH `{"currentlyDeployed": false}` / `{"currentlySupported": false}` ends a deployment or
/// release; setting it back to true is refused (record a new one instead), as the Pact Broker
/// does.
async fn end(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    uuid: &str,
    body: &Value,
) -> ApiResult<Hal> {
    let field = match kind {
        DeploymentKind::Deployed => "currentlyDeployed",
        DeploymentKind::Released => "currentlySupported",
    };
    match body.get(field) {
        Some(Value::Bool(false)) => {
            let d = state.store.end_deployment(kind, uuid).await?;
            Ok(Hal::ok(deployment_json(base, kind, &d)))
        }
        Some(Value::Bool(true)) => Err(ApiError::with_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "{field} cannot be set back to true; record a new {} version instead",
                kind.noun()
            ),
        )),
        None => show_deployment(state, base, kind, uuid).await,
        Some(other) => Err(ApiError::invalid(
            field,
            format!("must be false, got {other}"),
        )),
    }
}

async fn patch_deployed(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Hal> {
    end(&state, &base, DeploymentKind::Deployed, &uuid, &body).await
}

async fn patch_released(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody,
) -> ApiResult<Hal> {
    end(&state, &base, DeploymentKind::Released, &uuid, &body).await
}
