//! The environments page (`/environments` for browsers): what is deployed and released where,
//! since when.

use axum::extract::State;
use maud::{Markup, html};

use super::{Page, PageResult, Section, layout, pacticipant_link, text, when};
use crate::AppState;
use crate::base_url::Base;
use crate::store::Placement;

pub(super) async fn page(State(state): State<AppState>, Base(base): Base) -> PageResult {
    let environments = state.store.all_environments().await?;
    let placements = state.store.current_placements(None).await?;
    let body = html! {
        @if environments.is_empty() {
            p { "No environments yet. Create one with " code { "pactum create-environment" } "." }
        }
        @for env in &environments {
            section class="environment" {
                h2 id={ "env-" (env.uuid) } {
                    (text(env.display_name.as_deref().unwrap_or(&env.name)))
                    @if env.display_name.is_some() { " " span class="muted" { "(" (text(&env.name)) ")" } }
                    @if env.production { " " span class="status status-pending" { "production" } }
                }
                (placement_table(&base, placements.iter().filter(|p| p.environment == env.name), false))
            }
        }
    };
    Ok(Page(layout(
        &base,
        Section::Environments,
        "Environments",
        body,
    )))
}

/// Placements as a table; `with_environment` adds the environment column (the pacticipant
/// page lists every environment in one table).
pub(super) fn placement_table<'p>(
    base: &str,
    placements: impl Iterator<Item = &'p Placement>,
    with_environment: bool,
) -> Markup {
    let placements: Vec<&Placement> = placements.collect();
    html! {
        @if placements.is_empty() {
            p class="muted" { "Nothing deployed or released." }
        } @else {
            div class="table-scroll" {
                table class="placements" {
                    thead { tr {
                        @if with_environment { th scope="col" { "Environment" } }
                        th scope="col" { "Pacticipant" }
                        th scope="col" { "Version" }
                        th scope="col" { "How" }
                        th scope="col" { "Since" }
                    } }
                    tbody {
                        @for placement in placements {
                            tr {
                                @if with_environment { td { (text(&placement.environment)) } }
                                td { (pacticipant_link(base, &placement.pacticipant)) }
                                td { (text(&placement.version)) }
                                td {
                                    @if placement.released { "released (supported)" } @else { "deployed" }
                                    @if let Some(instance) = &placement.application_instance {
                                        " as " (text(instance))
                                    }
                                }
                                td { (when(placement.since)) }
                            }
                        }
                    }
                }
            }
        }
    }
}
