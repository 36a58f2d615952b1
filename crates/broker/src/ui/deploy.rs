//! The can-i-deploy page (`/ui/can-i-deploy`, and `/matrix` for browsers): pick a pacticipant,
//! a version (or the latest, of a branch or overall) and an environment, and get the answer,
//! the matrix rows and the reasons that `pactum can-i-deploy` gives — the question is put to
//! the same [`crate::matrix`] code the API answers with, as the CLI puts it (`latestby=cvpv`,
//! the latest of everything else when no environment is given).

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use pactum_broker_api::matrix::verdict_line;
use serde::Deserialize;

use super::{PageError, Section, layout, pacticipant_link, page_href, query, text, when};
use crate::AppState;
use crate::base_url::Base;
use crate::matrix::{Destination, MatrixAnswer, MatrixQuery, MatrixSelector, NoticeKind};
use crate::store::StoreError;

#[derive(Debug, Default, Deserialize)]
struct Question {
    #[serde(default)]
    pacticipant: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    branch: Option<String>,
    #[serde(default)]
    environment: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn matrix_query(pacticipant: &str, question: &Question) -> MatrixQuery {
    let version = given(&question.version).map(str::to_owned);
    let selector = MatrixSelector {
        pacticipant: pacticipant.to_owned(),
        latest: version.is_none(),
        branch: if version.is_none() {
            given(&question.branch).map(str::to_owned)
        } else {
            None
        },
        version,
        ..MatrixSelector::default()
    };
    MatrixQuery {
        selectors: vec![(0, selector)],
        destination: Some(match given(&question.environment) {
            Some(environment) => Destination::Environment(environment.to_owned()),
            None => Destination::Latest,
        }),
        ignore: Vec::new(),
        limit: 100,
        latest_by: Some("cvpv".into()),
        success: None,
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    Base(base): Base,
    uri: Uri,
) -> Result<Response, PageError> {
    let question: Question = query(&uri)?;
    let environments = state.store.all_environments().await?;
    let (status, answer) = match given(&question.pacticipant) {
        None => (StatusCode::OK, html! {}),
        Some(pacticipant) => match state
            .store
            .matrix(&matrix_query(pacticipant, &question))
            .await
        {
            Ok(found) => (StatusCode::OK, answer(&base, &found)),
            Err(StoreError::Invalid(fields)) => (
                StatusCode::BAD_REQUEST,
                html! {
                    @for (_, message) in &fields { p class="error" { (text(message)) } }
                },
            ),
            Err(other) => return Err(other.into()),
        },
    };
    let action = uri.path().to_owned();
    let body = html! {
        form id="can-i-deploy" method="get" action={ (base) (action) } {
            label { "Pacticipant"
                input type="text" name="pacticipant" required value=[given(&question.pacticipant)];
            }
            label { "Version (empty: the latest)"
                input type="text" name="version" value=[given(&question.version)];
            }
            label { "Branch (for the latest)"
                input type="text" name="branch" value=[given(&question.branch)];
            }
            label { "To environment"
                select name="environment" {
                    option value="" { "none: with the latest of each other pacticipant" }
                    @for env in &environments {
                        @if given(&question.environment) == Some(env.name.as_str()) {
                            option value=(env.name) selected { (env.name) }
                        } @else {
                            option value=(env.name) { (env.name) }
                        }
                    }
                }
            }
            button type="submit" { "Ask" }
        }
        (answer)
    };
    let mut response =
        super::Page(layout(&base, Section::CanIDeploy, "Can I deploy?", body)).into_response();
    *response.status_mut() = status;
    Ok(response)
}

fn answer(base: &str, found: &MatrixAnswer) -> Markup {
    let class = match found.deployable {
        Some(true) => "verdict verdict-yes",
        Some(false) => "verdict verdict-no",
        None => "verdict verdict-unknown",
    };
    // As the CLI prints them: every notice for a "yes", otherwise what is not merely informative.
    let reasons: Vec<&(NoticeKind, String)> = found
        .notices
        .iter()
        .filter(|(kind, _)| *kind != NoticeKind::Info || found.deployable == Some(true))
        .collect();
    html! {
        p class=(class) role="status" { (verdict_line(found.deployable)) }
        @if !reasons.is_empty() {
            ul class="reasons" {
                @for (kind, reason) in reasons {
                    li class={ "reason-" (match kind { NoticeKind::Info => "info", NoticeKind::Warning => "warning", NoticeKind::Error => "error" }) } {
                        (text(reason))
                    }
                }
            }
        }
        @if !found.rows.is_empty() {
            h2 { "Matrix" }
            div class="table-scroll" {
                table id="matrix" {
                    thead { tr {
                        th scope="col" { "Consumer" }
                        th scope="col" { "Consumer version" }
                        th scope="col" { "Provider" }
                        th scope="col" { "Provider version" }
                        th scope="col" { "Verified?" }
                    } }
                    tbody {
                        @for row in &found.rows {
                            tr {
                                td { (pacticipant_link(base, &row.consumer.pacticipant)) }
                                td { a href=(page_href(base, &["pacts", "provider", &row.provider, "consumer", &row.consumer.pacticipant, "version", &row.consumer.number])) { (text(&row.consumer.number)) } }
                                td { (pacticipant_link(base, &row.provider)) }
                                td { @match &row.provider_version { Some(v) => (text(&v.number)), None => span class="muted" { "none" } } }
                                @match row.verification {
                                    Some((id, success, at)) => td class={ "status status-" (if success { "verified" } else { "failed" }) } {
                                        a href=(page_href(base, &["pacts", "provider", &row.provider, "consumer", &row.consumer.pacticipant, "pact-version", &row.pact_sha, "verification-results", &id.to_string()])) {
                                            (if success { "verified" } else { "failed" })
                                        }
                                        " " (when(at))
                                        @if row.ignored { " (ignored)" }
                                    },
                                    None => td class="status status-never" { "not verified" @if row.ignored { " (ignored)" } },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
