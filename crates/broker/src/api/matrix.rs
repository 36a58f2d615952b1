//! `/matrix` and `/can-i-deploy`.

use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::routing::get;
use serde_json::{Value, json};

use super::pacticipants::{pacticipant_href, version_href};
use super::pacts::pact_version_href;
use crate::AppState;
use crate::hal::{ApiError, ApiResult, Base, Hal, href, link};
use crate::matrix::{
    Destination, MatrixAnswer, MatrixQuery, MatrixSelector, NoticeKind, parse_matrix_query,
};
use crate::query::parse_nested;
use crate::store::{Version, rfc3339};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/matrix", get(matrix))
        .route("/can-i-deploy", get(can_i_deploy))
}

fn version_json(base: &str, v: &Version) -> Value {
    let branches: Vec<Value> = v
        .branches
        .iter()
        .map(|(name, latest)| json!({"name": name, "latest": latest}))
        .collect();
    let tags: Vec<Value> = v
        .tags
        .iter()
        .map(|(name, latest)| json!({"name": name, "latest": latest, "_links": {"self": link(format!("{}/tags/{}", version_href(base, &v.pacticipant, &v.number), crate::hal::seg(name)), "Tag")}}))
        .collect();
    let mut out = json!({
        "number": v.number,
        "branches": branches,
        "branchVersions": branches,
        "tags": tags,
        "_links": {"self": link(version_href(base, &v.pacticipant, &v.number), "Version")}
    });
    if let Some((branch, _)) = v.branches.last() {
        out["branch"] = json!(branch);
    }
    out
}

fn answer_json(base: &str, answer: &MatrixAnswer) -> Value {
    let rows: Vec<Value> = answer
        .rows
        .iter()
        .map(|row| {
            let consumer = &row.consumer.pacticipant;
            let mut item = json!({
                "consumer": {"name": consumer, "version": version_json(base, &row.consumer), "_links": {"self": link(pacticipant_href(base, consumer), "Consumer")}},
                "provider": {
                    "name": row.provider,
                    "version": row.provider_version.as_ref().map(|v| version_json(base, v)),
                    "_links": {"self": link(pacticipant_href(base, &row.provider), "Provider")}
                },
                "pact": {
                    "createdAt": rfc3339(row.pact_created_at),
                    "_links": {"self": link(format!("{}/version/{}", href(base, &["pacts", "provider", &row.provider, "consumer", consumer]), crate::hal::seg(&row.consumer.number)), "Pact")}
                },
                "verificationResult": row.verification.map(|(id, success, at)| json!({
                    "success": success,
                    "verifiedAt": rfc3339(at),
                    "_links": {"self": link(format!("{}/verification-results/{id}", pact_version_href(base, &row.provider, consumer, &row.pact_sha, None)), "Verification result")}
                })),
            });
            if row.ignored {
                item["ignored"] = json!(true);
            }
            item
        })
        .collect();
    let notices: Vec<Value> = answer
        .notices
        .iter()
        .map(|(kind, text)| {
            let kind = match kind {
                NoticeKind::Info => "info",
                NoticeKind::Warning => "warning",
                NoticeKind::Error => "error",
            };
            json!({"type": kind, "text": text})
        })
        .collect();
    // As the Pact Broker does: errors replace the success reasons; warnings come first.
    let errors: Vec<&str> = answer
        .notices
        .iter()
        .filter(|(k, _)| *k == NoticeKind::Error)
        .map(|(_, t)| t.as_str())
        .collect();
    let warnings = answer
        .notices
        .iter()
        .filter(|(k, _)| *k == NoticeKind::Warning)
        .map(|(_, t)| t.as_str());
    let main: Vec<&str> = if errors.is_empty() {
        answer
            .notices
            .iter()
            .filter(|(k, _)| *k == NoticeKind::Info)
            .map(|(_, t)| t.as_str())
            .take(1)
            .collect()
    } else {
        errors
    };
    let reason: Vec<&str> = warnings.chain(main).collect();
    let mut summary = json!({
        "deployable": answer.deployable,
        "reason": reason.join("\n"),
        "success": answer.success,
        "failed": answer.failed,
        "unknown": answer.unknown,
    });
    if let Some(ignored) = answer.ignored {
        summary["ignored"] = json!(ignored);
    }
    json!({
        "summary": summary,
        "notices": notices,
        "matrix": rows,
        "_links": {"self": link(format!("{base}/matrix"), "Matrix")}
    })
}

async fn matrix(State(state): State<AppState>, Base(base): Base, uri: Uri) -> ApiResult<Hal> {
    let query = parse_matrix_query(&parse_nested(uri.query().unwrap_or("")))?;
    let answer = state.store.matrix(&query).await?;
    Ok(Hal::ok(answer_json(&base, &answer)))
}

/// `GET /can-i-deploy?pacticipant=P&version=V&environment=E` (or `&to=TAG`).
async fn can_i_deploy(State(state): State<AppState>, Base(base): Base, uri: Uri) -> ApiResult<Hal> {
    let params = parse_nested(uri.query().unwrap_or(""));
    let text = |key: &str| {
        params
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let pacticipant =
        text("pacticipant").ok_or_else(|| ApiError::invalid("pacticipant", "is required"))?;
    let version = text("version").ok_or_else(|| ApiError::invalid("version", "is required"))?;
    let destination = match (text("environment"), text("to")) {
        (Some(env), None) => Destination::Environment(env),
        (None, Some(tag)) => Destination::Tag(tag),
        _ => {
            return Err(ApiError::invalid(
                "environment",
                "give exactly one of environment and to",
            ));
        }
    };
    let query = MatrixQuery {
        selectors: vec![MatrixSelector {
            pacticipant,
            version: Some(version),
            ..MatrixSelector::default()
        }],
        destination: Some(destination),
        ignore: Vec::new(),
        limit: 100,
        latest_by: Some("cvpv".into()),
    };
    let answer = state.store.matrix(&query).await?;
    Ok(Hal::ok(answer_json(&base, &answer)))
}
