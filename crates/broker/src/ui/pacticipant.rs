//! The pacticipant page (`/pacticipants/{name}` for browsers): its newest versions with
//! branches, tags, build URLs and times (and, for a provider's versions that published an
//! OpenAPI document, a link to its cross-checks), what is deployed and released where, its
//! integrations, and a network graph of who it talks to, drawn on the server as SVG.

use std::f64::consts::PI;

use axum::extract::{Path, State};
use maud::{Markup, html};

use super::environments::placement_table;
use super::{
    Page, PageError, PageResult, Section, external_link, layout, pacticipant_link, page_href, text,
    when,
};
use crate::AppState;
use crate::base_url::Base;

/// Versions shown (the newest).
const VERSIONS_SHOWN: usize = 30;
/// Partners drawn in the network graph; the integrations table lists every one.
const GRAPH_PARTNERS: usize = 24;
/// Integrations listed.
const INTEGRATIONS_SHOWN: usize = 500;

pub(super) async fn page(
    State(state): State<AppState>,
    Base(base): Base,
    Path(name): Path<String>,
) -> PageResult {
    let pacticipant = state
        .store
        .pacticipant(&name)
        .await?
        .ok_or_else(|| PageError::not_found(format!("No pacticipant is named {name}.")))?;
    let versions = state.store.recent_versions(&name, VERSIONS_SHOWN).await?;
    let placements = state
        .store
        .current_placements(Some(std::slice::from_ref(&name)))
        .await?;
    let pairs = state.store.neighbourhood(&name, INTEGRATIONS_SHOWN).await?;
    let documented = state
        .store
        .versions_with_provider_contracts(&name, VERSIONS_SHOWN)
        .await?;
    let body = html! {
        dl class="fields" {
            @if let Some(display) = &pacticipant.display_name { dt { "Display name" } dd { (text(display)) } }
            @if let Some(branch) = &pacticipant.main_branch { dt { "Main branch" } dd { (text(branch)) } }
            @if let Some(url) = &pacticipant.repository_url { dt { "Repository" } dd { (external_link(url)) } }
            dt { "Created" } dd { (when(pacticipant.created_at)) }
        }
        h2 { "Deployed and released" }
        (placement_table(&base, placements.iter(), true))
        h2 { "Integrations" }
        @if pairs.is_empty() {
            p class="muted" { "No contracts with anyone yet." }
        } @else {
            (network(&base, &name, &pairs))
            div class="table-scroll" {
                table class="pairs" {
                    thead { tr { th scope="col" { "Consumer" } th scope="col" { "Provider" } th scope="col" { "Latest contract" } } }
                    tbody {
                        @for (consumer, provider) in &pairs {
                            tr data-consumer=(consumer) data-provider=(provider) {
                                td { (pacticipant_link(&base, consumer)) }
                                td { (pacticipant_link(&base, provider)) }
                                td { a href=(page_href(&base, &["pacts", "provider", provider, "consumer", consumer, "latest"])) { "latest contract" } }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Versions" }
        @if versions.is_empty() {
            p class="muted" { "No versions yet." }
        } @else {
            p class="muted" { "The newest " (versions.len()) ", newest first." }
            div class="table-scroll" {
                table class="versions" {
                    thead { tr {
                        th scope="col" { "Version" }
                        th scope="col" { "Branches" }
                        th scope="col" { "Tags" }
                        th scope="col" { "Build" }
                        th scope="col" { "Created" }
                        @if !documented.is_empty() { th scope="col" { "OpenAPI document" } }
                    } }
                    tbody {
                        @for version in &versions {
                            tr {
                                td { (text(&version.number)) }
                                td { @for (n, (branch, _)) in version.branches.iter().enumerate() { @if n > 0 { ", " } (text(branch)) } }
                                td { @for (n, (tag, _)) in version.tags.iter().enumerate() { @if n > 0 { ", " } (text(tag)) } }
                                td { @if let Some(url) = &version.build_url { (external_link(url)) } }
                                td { (when(version.created_at)) }
                                @if !documented.is_empty() {
                                    td { @if documented.contains(&version.number) {
                                        a href=(page_href(&base, &["cross-checks", "provider", &name, "version", &version.number])) { "cross-checks" }
                                    } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = format!("Pacticipant: {name}");
    Ok(Page(layout(&base, Section::Integrations, &title, body)))
}

/// Who `name` talks to, as SVG: `name` in the middle, its partners around it, an arrow from
/// each consumer to its provider. Each partner links to its page.
fn network(base: &str, name: &str, pairs: &[(String, String)]) -> Markup {
    let mut partners: Vec<(&str, bool, bool)> = Vec::new(); // (name, consumes name, provides to name)
    for (consumer, provider) in pairs {
        let (other, consumes) = if consumer == name {
            (provider.as_str(), false)
        } else {
            (consumer.as_str(), true)
        };
        if other == name {
            continue;
        }
        match partners.iter_mut().find(|(n, _, _)| *n == other) {
            Some(entry) => {
                entry.1 |= consumes;
                entry.2 |= !consumes;
            }
            None => partners.push((other, consumes, !consumes)),
        }
    }
    let drawn = partners.len().min(GRAPH_PARTNERS);
    let (width, height, radius) = (640.0_f64, 420.0_f64, 160.0_f64);
    let (cx, cy) = (width / 2.0, height / 2.0);
    let position = |n: usize| {
        let angle = 2.0 * PI * n as f64 / drawn.max(1) as f64 - PI / 2.0;
        (cx + radius * angle.cos(), cy + radius * angle.sin())
    };
    let label = |s: &str| {
        let shown: String = pactum_core::printable::printable_line(s)
            .chars()
            .take(24)
            .collect();
        shown
    };
    html! {
        figure {
            svg class="network" role="img" viewBox={ "0 0 " (width) " " (height) } width=(width) height=(height) xmlns="http://www.w3.org/2000/svg" {
                title { "Who " (label(name)) " talks to" }
                defs {
                    marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse" {
                        path d="M 0 0 L 10 5 L 0 10 z" {}
                    }
                }
                @for (n, (_, consumes, provides)) in partners.iter().take(drawn).enumerate() {
                    @let (x, y) = position(n);
                    // Arrows point from consumer to provider, stopping short of the circles.
                    @let (dx, dy) = (x - cx, y - cy);
                    @let length = (dx * dx + dy * dy).sqrt().max(1.0);
                    @let (ux, uy) = (dx / length, dy / length);
                    @let (near_x, near_y, far_x, far_y) = (cx + ux * 30.0, cy + uy * 30.0, x - ux * 22.0, y - uy * 22.0);
                    @if *provides {
                        line x1=(fmt(near_x)) y1=(fmt(near_y)) x2=(fmt(far_x)) y2=(fmt(far_y)) marker-end="url(#arrow)" {}
                    }
                    @if *consumes {
                        line x1=(fmt(far_x)) y1=(fmt(far_y)) x2=(fmt(near_x)) y2=(fmt(near_y)) marker-end="url(#arrow)" {}
                    }
                }
                circle class="self" cx=(fmt(cx)) cy=(fmt(cy)) r="28" {}
                text x=(fmt(cx)) y=(fmt(cy + 46.0)) text-anchor="middle" { (label(name)) }
                @for (n, (partner, _, _)) in partners.iter().take(drawn).enumerate() {
                    @let (x, y) = position(n);
                    a href=(page_href(base, &["pacticipants", partner])) {
                        circle cx=(fmt(x)) cy=(fmt(y)) r="20" {}
                        text x=(fmt(x)) y=(fmt(y + 36.0)) text-anchor="middle" { (label(partner)) }
                    }
                }
            }
            figcaption class="muted" {
                "Arrows point from consumer to provider."
                @if partners.len() > drawn { " The graph shows " (drawn) " of " (partners.len()) " partners; the table lists all." }
            }
        }
    }
}

fn fmt(value: f64) -> String {
    format!("{value:.1}")
}
