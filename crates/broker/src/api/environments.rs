//! Environments, and the deployed and released versions recorded in them.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use pactum_broker_api::environments::{EnvironmentsEmbedded, EnvironmentsLinks};
use pactum_broker_api::{
    DeployedVersionPatch, Environment, EnvironmentRequest, Environments, Link,
    ReleasedVersionPatch, SelfLinks,
};

use super::repr::{self, Deployment, Deployments, environment_href};
use crate::AppState;
use crate::hal::{ApiError, ApiResult, Base, Hal, JsonBody, check_name, no_content, saved};
use crate::store::{DeploymentKind, EnvironmentFields};

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

fn fields(request: EnvironmentRequest) -> ApiResult<EnvironmentFields> {
    let name = request.name;
    check_name("name", &name)?;
    if name.contains(char::is_whitespace) {
        return Err(ApiError::invalid(
            "name",
            format!("must not contain spaces, got {name:?}"),
        ));
    }
    let contacts = match request.contacts {
        None => None,
        Some(contacts) => Some(serde_json::to_value(contacts).map_err(|error| {
            ApiError::invalid("contacts", format!("cannot be stored: {error}"))
        })?),
    };
    Ok(EnvironmentFields {
        name,
        display_name: request.display_name,
        production: request.production,
        contacts,
    })
}

async fn list(
    State(state): State<AppState>,
    Base(base): Base,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Hal<Environments>> {
    let all = state
        .store
        .environments(query.get("name").map(String::as_str))
        .await?;
    Ok(Hal::ok(Environments {
        embedded: EnvironmentsEmbedded {
            environments: all.iter().map(|e| repr::environment(&base, e)).collect(),
        },
        links: EnvironmentsLinks {
            self_: Some(Link::titled(format!("{base}/environments"), "Environments")),
            environments: all
                .iter()
                .map(|e| Link::named(environment_href(&base, &e.uuid), "Environment", &e.name))
                .collect(),
        },
    }))
}

async fn create(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(request): JsonBody<EnvironmentRequest>,
) -> ApiResult<Response> {
    let env = state.store.create_environment(&fields(request)?).await?;
    let body = repr::environment(&base, &env);
    let location = body.links.self_.clone();
    Ok(saved(true, body, location.as_ref()))
}

async fn show(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal<Environment>> {
    let env = state
        .store
        .environment(&uuid)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no environment with uuid `{uuid}`")))?;
    Ok(Hal::ok(repr::environment(&base, &env)))
}

async fn update(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(request): JsonBody<EnvironmentRequest>,
) -> ApiResult<Hal<Environment>> {
    let env = state
        .store
        .update_environment(&uuid, &fields(request)?)
        .await?;
    Ok(Hal::ok(repr::environment(&base, &env)))
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
) -> ApiResult<Hal<Deployments>> {
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
    let path = match kind {
        DeploymentKind::Deployed => "deployed-versions/currently-deployed",
        DeploymentKind::Released => "released-versions/currently-supported",
    };
    let links = SelfLinks::to(
        format!("{}/{path}", environment_href(base, uuid)),
        "Currently deployed versions",
    );
    Ok(Hal::ok(repr::deployments(base, kind, &found, links)))
}

async fn currently_deployed(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Hal<Deployments>> {
    current(&state, &base, DeploymentKind::Deployed, &uuid, &query).await
}

async fn currently_supported(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Hal<Deployments>> {
    current(&state, &base, DeploymentKind::Released, &uuid, &query).await
}

async fn show_deployment(
    state: &AppState,
    base: &str,
    kind: DeploymentKind,
    uuid: &str,
) -> ApiResult<Hal<Deployment>> {
    let d = state.store.deployment(kind, uuid).await?.ok_or_else(|| {
        ApiError::not_found(format!("no {} version with uuid `{uuid}`", kind.noun()))
    })?;
    Ok(Hal::ok(repr::deployment(base, kind, &d)))
}

async fn deployed(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal<Deployment>> {
    show_deployment(&state, &base, DeploymentKind::Deployed, &uuid).await
}

async fn released(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal<Deployment>> {
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
    current: Option<bool>,
) -> ApiResult<Hal<Deployment>> {
    match current {
        Some(false) => {
            let d = state.store.end_deployment(kind, uuid).await?;
            Ok(Hal::ok(repr::deployment(base, kind, &d)))
        }
        Some(true) => {
            let field = match kind {
                DeploymentKind::Deployed => "currentlyDeployed",
                DeploymentKind::Released => "currentlySupported",
            };
            Err(ApiError::with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!(
                    "{field} cannot be set back to true; record a new {} version instead",
                    kind.noun()
                ),
            ))
        }
        None => show_deployment(state, base, kind, uuid).await,
    }
}

async fn patch_deployed(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(patch): JsonBody<DeployedVersionPatch>,
) -> ApiResult<Hal<Deployment>> {
    end(
        &state,
        &base,
        DeploymentKind::Deployed,
        &uuid,
        patch.currently_deployed,
    )
    .await
}

async fn patch_released(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(patch): JsonBody<ReleasedVersionPatch>,
) -> ApiResult<Hal<Deployment>> {
    end(
        &state,
        &base,
        DeploymentKind::Released,
        &uuid,
        patch.currently_supported,
    )
    .await
}
