//! The HTTP resources, under the Pact Broker's paths (the official Rust CLI builds some of them
//! itself, so the paths matter as much as the link relations).

mod environments;
mod matrix;
mod pacticipants;
mod pacts;

use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;

use super::AppState;
use super::hal::{ApiResult, Base, Hal, link, templated};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/diagnostic/status/heartbeat", get(heartbeat))
        .route("/health", get(heartbeat))
        .route("/metrics", get(metrics))
        .merge(pacticipants::routes())
        .merge(environments::routes())
        .merge(pacts::routes())
        .merge(matrix::routes())
        .fallback(not_found)
}

async fn not_found(uri: axum::http::Uri) -> super::hal::ApiError {
    super::hal::ApiError::not_found(format!("no resource at {}", uri.path()))
}

/// The health check: 200 when the database answers, 503 otherwise.
async fn heartbeat(State(state): State<AppState>) -> ApiResult<Hal> {
    state.store.ping().await.map_err(|error| {
        tracing::error!(%error, "health check failed");
        super::hal::ApiError::with_status(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        )
    })?;
    Ok(Hal::ok(json!({"ok": true})))
}

/// Counts of what the broker holds, for monitoring and for tests that check stored state.
async fn metrics(State(state): State<AppState>, Base(base): Base) -> ApiResult<Hal> {
    let mut body = serde_json::Map::new();
    for (name, count) in state.store.counts().await? {
        body.insert(name.to_owned(), json!({ "count": count }));
    }
    body.insert(
        "_links".into(),
        json!({"self": link(format!("{base}/metrics"), "Metrics")}),
    );
    Ok(Hal::ok(serde_json::Value::Object(body)))
}

async fn index(Base(base): Base) -> Hal {
    let t = |path: &str, title: &str| templated(format!("{base}{path}"), title);
    let l = |path: &str, title: &str| link(format!("{base}{path}"), title);
    Hal::ok(json!({
        "_links": {
            "self": l("/", "Index"),
            "pb:publish-pact": t("/pacts/provider/{provider}/consumer/{consumer}/version/{consumerApplicationVersion}", "Publish a pact"),
            "pb:publish-contracts": l("/contracts/publish", "Publish contracts"),
            "pb:latest-pact-versions": l("/pacts/latest", "Latest pact versions"),
            "pb:tagged-pact-versions": t("/pacts/provider/{provider}/consumer/{consumer}/tag/{tag}", "All versions of a pact for a given consumer, provider and consumer version tag"),
            "pb:pacticipants": l("/pacticipants", "Pacticipants"),
            "pb:pacticipant": t("/pacticipants/{pacticipant}", "Fetch pacticipant by name"),
            "pb:latest-provider-pacts": t("/pacts/provider/{provider}/latest", "Latest pacts by provider"),
            "pb:latest-provider-pacts-with-tag": t("/pacts/provider/{provider}/latest/{tag}", "Latest pacts for provider with the specified tag"),
            "pb:provider-pacts-with-tag": t("/pacts/provider/{provider}/tag/{tag}", "All pact versions for the provider with the specified consumer version tag"),
            "pb:provider-pacts": t("/pacts/provider/{provider}", "All pact versions for the specified provider"),
            "pb:latest-version": t("/pacticipants/{pacticipant}/latest-version", "Latest pacticipant version"),
            "pb:latest-tagged-version": t("/pacticipants/{pacticipant}/latest-version/{tag}", "Latest pacticipant version with the specified tag"),
            "pb:pacticipant-version-tag": t("/pacticipants/{pacticipant}/versions/{version}/tags/{tag}", "Get, create or delete a tag for a pacticipant version"),
            "pb:pacticipant-branch": t("/pacticipants/{pacticipant}/branches/{branch}", "Get or delete a pacticipant branch"),
            "pb:pacticipant-branch-version": t("/pacticipants/{pacticipant}/branches/{branch}/versions/{version}", "Get or add/create a pacticipant version for a branch"),
            "pb:pacticipant-version": t("/pacticipants/{pacticipant}/versions/{version}", "Get, create or delete a pacticipant version"),
            "pb:provider-pacts-for-verification": t("/pacts/provider/{provider}/for-verification", "Pact versions to be verified for the specified provider"),
            "beta:provider-pacts-for-verification": t("/pacts/provider/{provider}/for-verification", "DEPRECATED - please use pb:provider-pacts-for-verification"),
            "pb:environments": l("/environments", "Environments"),
            "pb:environment": t("/environments/{uuid}", "Environment"),
            "pb:metrics": l("/metrics", "Get Pact Broker metrics"),
            "pb:can-i-deploy-pacticipant-version-to-environment": t("/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}", "Determine if a pacticipant version can be deployed to an environment"),
            "pb:can-i-deploy-pacticipant-version-to-tag": t("/can-i-deploy?pacticipant={pacticipant}&version={version}&to={tag}", "Determine if a pacticipant version can be deployed to the latest of a tag"),
            "curies": [
                {"name": "pb", "href": format!("{base}/doc/{{rel}}?context=index"), "templated": true},
                {"name": "beta", "href": format!("{base}/doc/{{rel}}?context=index"), "templated": true}
            ]
        }
    }))
}
