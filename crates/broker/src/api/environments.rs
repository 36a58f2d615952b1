//! Environments, and the deployed and released versions recorded in them.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use pactum_broker_api::environments::{EnvironmentsEmbedded, EnvironmentsLinks};
use pactum_broker_api::{
    CurrentDeploymentsQuery, DeployedVersionPatch, Environment, EnvironmentRequest, Environments,
    EnvironmentsQuery, Link, ReleasedVersionPatch, SelfLinks,
};
use pactum_core::printable::printable_line;

use super::repr::{self, Deployment, Deployments, environment_href};
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult, Hal, JsonBody, no_content, read, saved};
use crate::names::{check_name, check_optional_name};
use crate::query::parse_nested;
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
            format!("must not contain spaces, got `{}`", printable_line(&name)),
        ));
    }
    check_optional_name("displayName", request.display_name.as_deref())?;
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
    uri: Uri,
) -> ApiResult<Hal<Environments>> {
    let query: EnvironmentsQuery = read(parse_nested(uri.query().unwrap_or("")))?;
    let all = state.store.environments(query.name.as_deref()).await?;
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
    uri: &Uri,
) -> ApiResult<Hal<Deployments>> {
    let query: CurrentDeploymentsQuery = read(parse_nested(uri.query().unwrap_or("")))?;
    let instance = query.application_instance.or(query.target);
    let found = state
        .store
        .current_deployments(
            kind,
            uuid,
            query.pacticipant.as_deref(),
            query.version.as_deref(),
            instance.as_deref(),
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
    uri: Uri,
) -> ApiResult<Hal<Deployments>> {
    current(&state, &base, DeploymentKind::Deployed, &uuid, &uri).await
}

async fn currently_supported(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    uri: Uri,
) -> ApiResult<Hal<Deployments>> {
    current(&state, &base, DeploymentKind::Released, &uuid, &uri).await
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
