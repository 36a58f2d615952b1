//! `/matrix` and `/can-i-deploy`: reads the question (Rack-style query strings) into a
//! [`MatrixQuery`], and writes the answer. How the answer is found is [`crate::matrix`]'s
//! business.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::routing::get;
use pactum_broker_api::matrix::{
    MatrixCrossCheck, MatrixPact, MatrixSelectorParams, MatrixVerificationResult,
};
use pactum_broker_api::versions::{BranchRef, TagRef};
use pactum_broker_api::{
    CanIDeployRequest, Link, Matrix, MatrixPacticipant, MatrixRequest, MatrixRow, MatrixSummary,
    MatrixVersion, Notice, SelfLinks,
};

use super::cross_checks::{cross_check_href, status_of};
use super::repr::{pact_href, pact_version_href, pacticipant_href, version_href};
use super::selectors::Distinct;
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult, Hal, read, seg};
use crate::matrix::{
    Destination, MAX_SELECTORS, MatrixAnswer, MatrixQuery, MatrixSelector, NARROW_THE_QUESTION,
    NoticeKind, RowCrossCheck,
};
use crate::query::parse_nested;
use crate::store::{Version, rfc3339};
use pactum_broker_api::cross_checks::status;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/matrix", get(matrix))
        .route("/can-i-deploy", get(can_i_deploy))
        .route("/matrix/provider/{p}/consumer/{c}", get(pair_matrix))
}

// --- the question ------------------------------------------------------------------------------

/// A text parameter; blank is absent.
fn given(text: Option<String>) -> Option<String> {
    text.filter(|s| !s.trim().is_empty())
}

/// Reads a `/matrix` question.
fn matrix_query(request: MatrixRequest) -> ApiResult<MatrixQuery> {
    if request.q.is_empty() {
        return Err(ApiError::invalid(
            "q",
            "give at least one selector: q[][pacticipant]=NAME&q[][version]=VERSION",
        ));
    }
    let mut selectors = Distinct::new("q", MAX_SELECTORS, NARROW_THE_QUESTION);
    for (index, item) in request.q.into_iter().enumerate() {
        let field = format!("q[{index}]");
        let pacticipant = given(item.pacticipant)
            .ok_or_else(|| ApiError::invalid(&field, "pacticipant is required"))?;
        let selector = MatrixSelector {
            pacticipant,
            version: given(item.version),
            latest: item.latest.unwrap_or(false),
            tag: given(item.tag),
            branch: given(item.branch),
            main_branch: item.main_branch.unwrap_or(false),
        };
        if selector.version.is_some() && selector.latest {
            return Err(ApiError::invalid(
                &field,
                "version and latest cannot both be given",
            ));
        }
        if [
            selector.tag.is_some(),
            selector.branch.is_some(),
            selector.main_branch,
        ]
        .iter()
        .filter(|b| **b)
        .count()
            > 1
        {
            return Err(ApiError::invalid(
                &field,
                "give at most one of tag, branch and mainBranch",
            ));
        }
        selectors.push(index, selector)?;
    }
    let latest = request.latest.unwrap_or(false);
    let destination = match (
        given(request.environment),
        given(request.tag),
        request.main_branch.unwrap_or(false),
    ) {
        (Some(_), Some(_), _) | (Some(_), _, true) | (_, Some(_), true) => {
            return Err(ApiError::invalid(
                "environment",
                "give at most one destination: environment, tag (with latest) or mainBranch",
            ));
        }
        (Some(env), None, false) => {
            if latest {
                return Err(ApiError::invalid(
                    "latest",
                    "latest and environment cannot both be given",
                ));
            }
            Some(Destination::Environment(env))
        }
        (None, Some(tag), false) => Some(Destination::Tag(tag)),
        (None, None, true) => Some(Destination::MainBranch),
        (None, None, false) if latest => Some(Destination::Latest),
        (None, None, false) => None,
    };
    let mut ignore = Distinct::new(
        "ignore",
        MAX_SELECTORS,
        "ignore a pacticipant without a version to ignore all of its versions",
    );
    for (index, item) in request.ignore.into_iter().enumerate() {
        let pacticipant = given(item.pacticipant).ok_or_else(|| {
            ApiError::invalid(&format!("ignore[{index}]"), "pacticipant is required")
        })?;
        ignore.push(index, (pacticipant, given(item.version)))?;
    }
    let limit = match request.limit {
        None => 100,
        Some(n) => usize::try_from(n)
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(
                    "limit",
                    format!("must be a number from 1 to 10000, got {n}"),
                )
            })?,
    };
    let success = (!request.success.is_empty())
        .then(|| {
            request
                .success
                .iter()
                .map(|value| match value.as_str() {
                    "true" => Ok(Some(true)),
                    "false" => Ok(Some(false)),
                    "" => Ok(None),
                    other => Err(ApiError::invalid(
                        "success",
                        format!("must be true, false or empty (not verified), got `{other}`"),
                    )),
                })
                .collect::<ApiResult<Vec<_>>>()
        })
        .transpose()?;
    Ok(MatrixQuery {
        selectors: selectors.into_items(),
        destination,
        ignore: ignore
            .into_items()
            .into_iter()
            .map(|(_, item)| item)
            .collect(),
        limit,
        latest_by: given(request.latest_by),
        success,
    })
}

/// Reads a `/can-i-deploy` question: the matrix question for one version, to an environment or
/// the latest versions with a tag.
fn can_i_deploy_query(request: CanIDeployRequest) -> ApiResult<MatrixQuery> {
    let pacticipant = given(request.pacticipant)
        .ok_or_else(|| ApiError::invalid("pacticipant", "is required"))?;
    let version =
        given(request.version).ok_or_else(|| ApiError::invalid("version", "is required"))?;
    let destination = match (given(request.environment), given(request.to)) {
        (Some(env), None) => Destination::Environment(env),
        (None, Some(tag)) => Destination::Tag(tag),
        _ => {
            return Err(ApiError::invalid(
                "environment",
                "give exactly one of environment and to",
            ));
        }
    };
    Ok(MatrixQuery {
        selectors: vec![(
            0,
            MatrixSelector {
                pacticipant,
                version: Some(version),
                ..MatrixSelector::default()
            },
        )],
        destination: Some(destination),
        ignore: Vec::new(),
        limit: 100,
        latest_by: Some("cvpv".into()),
        success: None,
    })
}

// --- the answer --------------------------------------------------------------------------------

fn matrix_version(base: &str, v: &Version) -> MatrixVersion {
    let branches: Vec<BranchRef> = v
        .branches
        .iter()
        .map(|(name, latest)| BranchRef {
            name: name.clone(),
            latest: Some(*latest),
            links: None,
        })
        .collect();
    let self_href = version_href(base, &v.pacticipant, &v.number);
    MatrixVersion {
        number: v.number.clone(),
        branch: v.branches.last().map(|(branch, _)| branch.clone()),
        branch_versions: branches.clone(),
        branches,
        tags: v
            .tags
            .iter()
            .map(|(name, latest)| TagRef {
                name: name.clone(),
                latest: Some(*latest),
                links: Some(SelfLinks::to(
                    format!("{self_href}/tags/{}", seg(name)),
                    "Tag",
                )),
            })
            .collect(),
        links: SelfLinks::to(self_href, "Version"),
    }
}

fn kind(kind: NoticeKind) -> &'static str {
    match kind {
        NoticeKind::Info => "info",
        NoticeKind::Warning => "warning",
        NoticeKind::Error => "error",
    }
}

/// A row's cross-check, as pactum's `crossCheck` member.
fn matrix_cross_check(base: &str, check: &RowCrossCheck) -> MatrixCrossCheck {
    let record = check.record.as_ref();
    let outcome = record.and_then(|record| record.outcome.as_ref());
    MatrixCrossCheck {
        status: record.map_or(status::PENDING, status_of).to_owned(),
        self_verification_success: check.contract.self_verified,
        errors: outcome.map_or(0, |o| o.result.errors().count() as u64),
        warnings: outcome.map_or(0, |o| o.result.warnings().count() as u64),
        links: record
            .map(|record| SelfLinks::to(cross_check_href(base, record.id), "Cross-check"))
            .unwrap_or_default(),
    }
}

/// The verification result a row's cross-check stands for: `None` while it is unknown.
fn cross_check_result(base: &str, check: &RowCrossCheck) -> Option<MatrixVerificationResult> {
    let success = check.outcome()?;
    let record = check.record.as_ref();
    let at = record
        .and_then(|record| record.outcome.as_ref())
        .map_or(check.contract.created_at, |outcome| outcome.computed_at);
    Some(MatrixVerificationResult {
        success,
        verified_at: Some(rfc3339(at)),
        links: record
            .map(|record| SelfLinks::to(cross_check_href(base, record.id), "Cross-check"))
            .unwrap_or_default(),
    })
}

fn answer(base: &str, answer: &MatrixAnswer) -> Matrix {
    let rows = answer
        .rows
        .iter()
        .map(|row| {
            let consumer = &row.consumer.pacticipant;
            MatrixRow {
                consumer: MatrixPacticipant {
                    name: consumer.clone(),
                    version: Some(matrix_version(base, &row.consumer)),
                    links: SelfLinks::to(pacticipant_href(base, consumer), "Consumer"),
                },
                provider: MatrixPacticipant {
                    name: row.provider.clone(),
                    version: row
                        .provider_version
                        .as_deref()
                        .map(|v| matrix_version(base, v)),
                    links: SelfLinks::to(pacticipant_href(base, &row.provider), "Provider"),
                },
                pact: MatrixPact {
                    created_at: Some(rfc3339(row.pact_created_at)),
                    links: SelfLinks::to(
                        pact_href(base, &row.provider, consumer, &row.consumer.number),
                        "Pact",
                    ),
                },
                verification_result: row
                    .verification
                    .map(|(id, success, at)| MatrixVerificationResult {
                        success,
                        verified_at: Some(rfc3339(at)),
                        links: SelfLinks {
                            self_: Some(Link::titled(
                                format!(
                                    "{}/verification-results/{id}",
                                    pact_version_href(
                                        base,
                                        &row.provider,
                                        consumer,
                                        &row.pact_sha,
                                        None
                                    )
                                ),
                                "Verification result",
                            )),
                        },
                    })
                    // Without a pact verification, the cross-check's outcome stands in for one, so
                    // every client counts it.
                    .or_else(|| {
                        row.cross_check
                            .as_ref()
                            .and_then(|check| cross_check_result(base, check))
                    }),
                ignored: row.ignored.then_some(true),
                cross_check: row
                    .cross_check
                    .as_ref()
                    .map(|check| matrix_cross_check(base, check)),
            }
        })
        .collect();
    let texts = |wanted: NoticeKind| {
        answer
            .notices
            .iter()
            .filter(move |(k, _)| *k == wanted)
            .map(|(_, t)| t.as_str())
    };
    // As the Pact Broker does: errors replace the success reasons; warnings come first.
    let errors: Vec<&str> = texts(NoticeKind::Error).collect();
    let main: Vec<&str> = if errors.is_empty() {
        texts(NoticeKind::Info).take(1).collect()
    } else {
        errors
    };
    let reason: Vec<&str> = texts(NoticeKind::Warning).chain(main).collect();
    Matrix {
        summary: MatrixSummary {
            deployable: answer.deployable,
            reason: Some(reason.join("\n")),
            success: Some(answer.success as u64),
            failed: Some(answer.failed as u64),
            unknown: Some(answer.unknown as u64),
            ignored: answer.ignored.map(|n| n as u64),
        },
        notices: answer
            .notices
            .iter()
            .map(|(k, text)| Notice::new(kind(*k), text))
            .collect(),
        matrix: rows,
        links: SelfLinks::to(format!("{base}/matrix"), "Matrix"),
    }
}

/// Answers a question, and enqueues the cross-checks it found missing (pairs no publication
/// enqueued), so the "being computed" it answers comes true.
async fn ask(state: &AppState, query: &MatrixQuery) -> ApiResult<MatrixAnswer> {
    let found = state.store.matrix(query).await?;
    state
        .store
        .enqueue_cross_checks(&found.cross_checks_to_compute)
        .await?;
    Ok(found)
}

async fn matrix(
    State(state): State<AppState>,
    Base(base): Base,
    uri: Uri,
) -> ApiResult<Hal<Matrix>> {
    let query = matrix_query(read(parse_nested(uri.query().unwrap_or("")))?)?;
    let found = ask(&state, &query).await?;
    Ok(Hal::ok(answer(&base, &found)))
}

/// `GET /can-i-deploy?pacticipant=P&version=V&environment=E` (or `&to=TAG`).
async fn can_i_deploy(
    State(state): State<AppState>,
    Base(base): Base,
    uri: Uri,
) -> ApiResult<Hal<Matrix>> {
    let query = can_i_deploy_query(read(parse_nested(uri.query().unwrap_or("")))?)?;
    let found = ask(&state, &query).await?;
    Ok(Hal::ok(answer(&base, &found)))
}

/// `GET /matrix/provider/{p}/consumer/{c}`: every version of the consumer with the provider
/// versions that verified its contracts (the query may add `latestby` and `limit`).
async fn pair_matrix(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
    uri: Uri,
) -> ApiResult<Hal<Matrix>> {
    let mut request: MatrixRequest = read(parse_nested(uri.query().unwrap_or("")))?;
    let all_versions_of = |name: &str| MatrixSelectorParams {
        pacticipant: Some(name.to_owned()),
        ..MatrixSelectorParams::default()
    };
    request.q = vec![all_versions_of(&c), all_versions_of(&p)];
    let found = ask(&state, &matrix_query(request)?).await?;
    Ok(Hal::ok(answer(&base, &found)))
}
