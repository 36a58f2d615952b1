//! Integrations: the consumer/provider pairs (`/integrations`, filtered with `q` and paged
//! with `page`/`size`), and one pair (`/integrations/provider/{p}/consumer/{c}`), which DELETE
//! removes with its contracts and verification results.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use pactum_broker_api::integrations::{IntegrationsEmbedded, IntegrationsLinks, Page};
use pactum_broker_api::{Integration, Integrations, IntegrationsQuery, Link};

use super::repr;
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult, Hal, no_content, read, seg};
use crate::query::parse_nested;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/integrations", get(list)).route(
        "/integrations/provider/{p}/consumer/{c}",
        get(show).delete(delete),
    )
}

/// Items per page when a page number is given without a size.
const DEFAULT_PAGE_SIZE: u64 = 100;

async fn list(
    State(state): State<AppState>,
    Base(base): Base,
    uri: Uri,
) -> ApiResult<Hal<Integrations>> {
    let query: IntegrationsQuery = read(parse_nested(uri.query().unwrap_or("")))?;
    let filter = query.q.as_deref().filter(|q| !q.trim().is_empty());
    let all = state.store.integrations(filter).await?;
    let self_href = format!("{base}/integrations");
    let number = query.page.or(query.page_number);
    let size = query.size.or(query.page_size);
    let mut links = IntegrationsLinks {
        self_: Some(Link::titled(&self_href, "All integrations")),
        ..IntegrationsLinks::default()
    };
    let (shown, page) = if number.is_none() && size.is_none() {
        (all.iter().collect::<Vec<_>>(), None)
    } else {
        let number = number.unwrap_or(1);
        let size = size.unwrap_or(DEFAULT_PAGE_SIZE);
        if number == 0 || size == 0 {
            return Err(ApiError::invalid(
                if number == 0 { "page" } else { "size" },
                "must be a whole number from 1",
            ));
        }
        let total = all.len() as u64;
        let pages = total.div_ceil(size).max(1);
        let page_href = |n: u64| {
            let mut href = format!("{self_href}?size={size}&page={n}");
            if let Some(q) = filter {
                href.push_str("&q=");
                href.push_str(&seg(q));
            }
            href
        };
        if number < pages {
            links.next = Some(Link::titled(page_href(number + 1), "Next page"));
        }
        if number > 1 {
            links.previous = Some(Link::titled(page_href(number - 1), "Previous page"));
        }
        let skip = usize::try_from((number - 1).saturating_mul(size)).unwrap_or(usize::MAX);
        let take = usize::try_from(size).unwrap_or(usize::MAX);
        let page = Page {
            number,
            size,
            total_elements: total,
            total_pages: pages,
        };
        (all.iter().skip(skip).take(take).collect(), Some(page))
    };
    Ok(Hal::ok(Integrations {
        embedded: IntegrationsEmbedded {
            integrations: shown
                .into_iter()
                .map(|pair| repr::integration(&base, pair))
                .collect(),
        },
        page,
        links,
    }))
}

async fn show(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
) -> ApiResult<Hal<Integration>> {
    let pair = state.store.integration(&p, &c).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "`{c}` and `{p}` have no integration (no contract between them)"
        ))
    })?;
    Ok(Hal::ok(repr::integration(&base, &pair)))
}

async fn delete(
    State(state): State<AppState>,
    Path((p, c)): Path<(String, String)>,
) -> ApiResult<Response> {
    state.store.delete_integration(&p, &c).await?;
    Ok(no_content())
}
