//! Webhooks: creating, listing (all, by consumer, provider or pair), replacing (PUT creates with
//! the client's UUID) and deleting them; the status of a pair's deliveries and each delivery's
//! logs; test executions of a saved or an unsaved webhook.

use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use pactum_broker_api::webhooks::{
    DEFAULT_EVENT, EVENT_NAMES, ExecutionError, ExecutionLinks, TriggeredWebhookLinks,
    TriggeredWebhooksEmbedded, WebhookLinks, WebhooksEmbedded, WebhooksLinks, WebhooksStatusLinks,
    WebhooksStatusSummary,
};
use pactum_broker_api::{
    Link, TriggeredWebhook, TriggeredWebhookLogs, Webhook, WebhookAttempt, WebhookEvent,
    WebhookExecutionResult, WebhookPacticipant, WebhookRequestBody, Webhooks, WebhooksStatus,
};
use pactum_core::printable::printable_line;

use super::repr::{pacticipant_href, pair_href};
use crate::AppState;
use crate::base_url::Base;
use crate::hal::{ApiError, ApiResult, Hal, JsonBody, href, no_content, saved};
use crate::names::check_name;
use crate::store::{
    DeliveryContext, DeliveryRecord, PactRef, Scope, StoredWebhook, WebhookFields, WebhookFilter,
    delivery_status, rfc3339,
};
use crate::webhooks::template::{Values, redact, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list_all).post(create))
        .route("/webhooks/execute", post(execute_unsaved))
        .route(
            "/webhooks/{uuid}",
            get(show).put(put_webhook).delete(delete),
        )
        .route("/webhooks/{uuid}/execute", post(execute_saved))
        .route(
            "/webhooks/provider/{p}/consumer/{c}",
            get(list_pair).post(create_for_pair),
        )
        .route(
            "/webhooks/consumer/{c}",
            get(list_consumer).post(create_for_consumer),
        )
        .route(
            "/webhooks/provider/{p}",
            get(list_provider).post(create_for_provider),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/webhooks",
            get(list_pact).post(create_for_pair),
        )
        .route(
            "/pacts/provider/{p}/consumer/{c}/webhooks/status",
            get(status),
        )
        .route("/triggered-webhooks/{uuid}/logs", get(logs))
}

// --- representations ---------------------------------------------------------------------------

fn webhook_href(base: &str, uuid: &str) -> String {
    href(base, &["webhooks", uuid])
}

fn pact_webhooks_href(base: &str, provider: &str, consumer: &str) -> String {
    format!("{}/webhooks", pair_href(base, provider, consumer))
}

fn scope_resource(scope: &Option<Scope>) -> Option<WebhookPacticipant> {
    scope.as_ref().map(|scope| match scope {
        Scope::Name(name) => WebhookPacticipant {
            name: Some(name.clone()),
            label: None,
        },
        Scope::Label(label) => WebhookPacticipant {
            name: None,
            label: Some(label.clone()),
        },
    })
}

fn scoped_name(scope: &Option<Scope>) -> Option<&str> {
    match scope {
        Some(Scope::Name(name)) => Some(name),
        _ => None,
    }
}

/// What a webhook is for, for people: its description, or its scope and events.
fn display_description(webhook: &StoredWebhook) -> String {
    if let Some(description) = webhook
        .fields
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        return description.to_owned();
    }
    let side = |scope: &Option<Scope>, all: &str| match scope {
        None => all.to_owned(),
        Some(Scope::Name(name)) => name.clone(),
        Some(Scope::Label(label)) => format!("pacticipants labelled {label}"),
    };
    format!(
        "A webhook for the pact between {} and {}",
        side(&webhook.fields.consumer, "all consumers"),
        side(&webhook.fields.provider, "all providers")
    )
}

fn resource(base: &str, webhook: &StoredWebhook) -> Webhook {
    let fields = &webhook.fields;
    let consumer = scoped_name(&fields.consumer);
    let provider = scoped_name(&fields.provider);
    let description = display_description(webhook);
    Webhook {
        uuid: webhook.uuid.clone(),
        description: Some(description.clone()),
        consumer: scope_resource(&fields.consumer),
        provider: scope_resource(&fields.provider),
        enabled: fields.enabled,
        request: redact(&fields.request),
        events: fields
            .events
            .iter()
            .map(|name| WebhookEvent { name: name.clone() })
            .collect(),
        created_at: Some(rfc3339(webhook.created_at)),
        updated_at: Some(rfc3339(webhook.updated_at)),
        links: WebhookLinks {
            self_: Some(Link::titled(webhook_href(base, &webhook.uuid), description)),
            execute: Some(Link::titled(
                format!("{}/execute", webhook_href(base, &webhook.uuid)),
                "Test the execution of the webhook with the latest matching pact or verification \
                 by sending a POST request to this URL",
            )),
            consumer: consumer.map(|c| Link::named(pacticipant_href(base, c), "Consumer", c)),
            provider: provider.map(|p| Link::named(pacticipant_href(base, p), "Provider", p)),
            pact_webhooks: consumer.zip(provider).map(|(c, p)| {
                Link::titled(
                    pact_webhooks_href(base, p, c),
                    format!("All webhooks for consumer {c} and provider {p}"),
                )
            }),
            webhooks: Some(Link::titled(format!("{base}/webhooks"), "All webhooks")),
        },
    }
}

fn list(base: &str, self_href: String, title: &str, webhooks: &[StoredWebhook]) -> Webhooks {
    Webhooks {
        embedded: WebhooksEmbedded {
            webhooks: webhooks.iter().map(|w| resource(base, w)).collect(),
        },
        links: WebhooksLinks {
            self_: Some(Link::titled(self_href.clone(), title)),
            create: Some(Link::titled(self_href, "POST to create a webhook")),
            webhooks: webhooks
                .iter()
                .map(|w| {
                    Link::named(
                        webhook_href(base, &w.uuid),
                        scope_title(w),
                        display_description(w),
                    )
                })
                .collect(),
        },
    }
}

fn scope_title(webhook: &StoredWebhook) -> String {
    match (
        scoped_name(&webhook.fields.consumer),
        scoped_name(&webhook.fields.provider),
    ) {
        (Some(c), Some(p)) => format!("A webhook for the pact between {c} and {p}"),
        (Some(c), None) => format!("A webhook for consumer {c}"),
        (None, Some(p)) => format!("A webhook for provider {p}"),
        (None, None) => "A webhook for all pacts".to_owned(),
    }
}

fn triggered(base: &str, delivery: &DeliveryRecord, attempts_allowed: usize) -> TriggeredWebhook {
    let attempts_made = u64::try_from(delivery.attempts_made).unwrap_or(0);
    let remaining = match delivery.status.as_str() {
        delivery_status::NOT_RUN | delivery_status::RETRYING => {
            (attempts_allowed as u64).saturating_sub(attempts_made)
        }
        _ => 0,
    };
    let name = delivery
        .webhook_description
        .clone()
        .unwrap_or_else(|| format!("webhook {}", delivery.webhook_uuid));
    TriggeredWebhook {
        name: name.clone(),
        status: delivery.status.clone(),
        attempts_made,
        attempts_remaining: remaining,
        trigger_type: delivery.trigger_type.clone(),
        event_name: delivery.event_name.clone(),
        triggered_at: rfc3339(delivery.created_at),
        links: delivery_links(base, delivery, &name),
    }
}

fn delivery_links(base: &str, delivery: &DeliveryRecord, name: &str) -> TriggeredWebhookLinks {
    TriggeredWebhookLinks {
        logs: Some(Link::named(
            href(base, &["triggered-webhooks", &delivery.uuid, "logs"]),
            "Webhook execution logs",
            name,
        )),
        webhook: delivery
            .webhook_exists
            .then(|| Link::named(webhook_href(base, &delivery.webhook_uuid), "Webhook", name)),
    }
}

// --- validation --------------------------------------------------------------------------------

/// Where a webhook is created: the scope its path names, if any.
#[derive(Default)]
struct PathScope {
    consumer: Option<String>,
    provider: Option<String>,
}

impl PathScope {
    fn pair(provider: &str, consumer: &str) -> Self {
        PathScope {
            consumer: Some(consumer.to_owned()),
            provider: Some(provider.to_owned()),
        }
    }

    fn consumer(consumer: &str) -> Self {
        PathScope {
            consumer: Some(consumer.to_owned()),
            provider: None,
        }
    }

    fn provider(provider: &str) -> Self {
        PathScope {
            consumer: None,
            provider: Some(provider.to_owned()),
        }
    }
}

fn check_scope(
    field: &str,
    given: Option<WebhookPacticipant>,
    from_path: Option<&str>,
    errors: &mut Vec<(String, String)>,
) -> ApiResult<Option<Scope>> {
    Ok(match (given, from_path) {
        (None, None) => None,
        (None, Some(name)) => Some(Scope::Name(name.to_owned())),
        (Some(given), from_path) => match (given.name, given.label) {
            (Some(_), Some(_)) => {
                errors.push((field.into(), "give a name or a label, not both".into()));
                None
            }
            (Some(name), None) => {
                if let Some(path) = from_path.filter(|path| *path != name) {
                    errors.push((
                        format!("{field}.name"),
                        format!(
                            "is `{}` but the URL is for `{}`",
                            printable_line(&name),
                            printable_line(path)
                        ),
                    ));
                }
                check_name(&format!("{field}.name"), &name)?;
                Some(Scope::Name(name))
            }
            (None, Some(label)) => {
                if let Some(path) = from_path {
                    return Ok(Some(Scope::Name(path.to_owned())));
                }
                check_name(&format!("{field}.label"), &label)?;
                Some(Scope::Label(label))
            }
            (None, None) => from_path.map(|name| Scope::Name(name.to_owned())),
        },
    })
}

/// The part of a URL template between `://` and the path: its host and port.
fn authority(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Checks a webhook body; every problem is reported, each under the member it is about.
fn fields(
    state: &AppState,
    body: WebhookRequestBody,
    path: &PathScope,
) -> ApiResult<WebhookFields> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let consumer = check_scope(
        "consumer",
        body.consumer,
        path.consumer.as_deref(),
        &mut errors,
    )?;
    let provider = check_scope(
        "provider",
        body.provider,
        path.provider.as_deref(),
        &mut errors,
    )?;
    let events = match body.events {
        None => vec![DEFAULT_EVENT.to_owned()],
        Some(events) if events.is_empty() => {
            errors.push(("events".into(), "must name at least one event".into()));
            Vec::new()
        }
        Some(events) => {
            let mut names = Vec::new();
            for (index, event) in events.into_iter().enumerate() {
                if EVENT_NAMES.contains(&event.name.as_str()) {
                    if !names.contains(&event.name) {
                        names.push(event.name);
                    }
                } else {
                    errors.push((
                        format!("events[{index}].name"),
                        format!(
                            "`{}` is not an event; use one of {}",
                            printable_line(&event.name),
                            EVENT_NAMES.join(", ")
                        ),
                    ));
                }
            }
            names
        }
    };
    let request = body.request;
    if request.method.trim().is_empty() {
        errors.push(("request.method".into(), "is required".into()));
    } else if reqwest::Method::from_bytes(request.method.as_bytes()).is_err() {
        errors.push((
            "request.method".into(),
            format!(
                "`{}` is not an HTTP method",
                printable_line(&request.method)
            ),
        ));
    } else if !state
        .config
        .webhooks
        .policy
        .methods
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&request.method))
    {
        errors.push((
            "request.method".into(),
            format!(
                "`{}` is not allowed; the broker allows {} (configure the allowed methods when \
                 starting the broker)",
                printable_line(&request.method),
                state.config.webhooks.policy.methods.join(", ")
            ),
        ));
    }
    if request.url.trim().is_empty() {
        errors.push(("request.url".into(), "is required".into()));
    } else if authority(&request.url).is_some_and(|host| host.contains("${")) {
        errors.push((
            "request.url".into(),
            "the host must not contain placeholders (a webhook's destination is fixed when it is \
             saved); put them in the path or query"
                .into(),
        ));
    } else {
        // Placeholders stand for escaped values, so any text shows whether the rest parses.
        let sample = Values::default().redacted();
        let sample_url = sample
            .render(&request.url, str::to_owned)
            .unwrap_or_else(|_| request.url.clone())
            .replace("${", "x")
            .replace('}', "x");
        match url::Url::parse(&sample_url) {
            Err(error) => errors.push((
                "request.url".into(),
                format!(
                    "`{}` is not a valid URL: {error}",
                    printable_line(&request.url)
                ),
            )),
            Ok(url) if url.host().is_none() => errors.push((
                "request.url".into(),
                format!("`{}` has no host", printable_line(&request.url)),
            )),
            Ok(url) => {
                let schemes = &state.config.webhooks.policy.schemes;
                if !schemes.iter().any(|s| s.eq_ignore_ascii_case(url.scheme())) {
                    errors.push((
                        "request.url".into(),
                        format!(
                            "scheme `{}` is not allowed; the broker allows {} (configure the \
                             allowed schemes when starting the broker)",
                            url.scheme(),
                            schemes.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    for (name, value) in &request.headers {
        if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            errors.push((
                "request.headers".into(),
                format!("`{}` is not a header name", printable_line(name)),
            ));
        }
        if value.contains(['\r', '\n']) {
            errors.push((
                format!("request.headers.{name}"),
                "must be a single line".into(),
            ));
        }
    }
    if body
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 1000)
    {
        errors.push((
            "description".into(),
            "must be at most 1000 characters".into(),
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::from(crate::store::StoreError::Invalid(errors)));
    }
    Ok(WebhookFields {
        description: body.description,
        consumer,
        provider,
        enabled: body.enabled.unwrap_or(true),
        events,
        request,
    })
}

/// Checks that the pacticipants a webhook names exist (as the Pact Broker does).
async fn check_pacticipants(state: &AppState, fields: &WebhookFields) -> ApiResult<()> {
    let mut errors = Vec::new();
    for (field, scope) in [
        ("consumer.name", &fields.consumer),
        ("provider.name", &fields.provider),
    ] {
        if let Some(name) = scoped_name(scope)
            && state.store.pacticipant(name).await?.is_none()
        {
            errors.push((
                field.to_owned(),
                format!("no pacticipant named `{}`", printable_line(name)),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::from(crate::store::StoreError::Invalid(errors)))
    }
}

/// Answers 404 when a pacticipant the path names does not exist: a path scoped to pacticipants
/// is a resource of theirs, as in the Pact Broker (whose clients read the 404 as "create the
/// pacticipant first"). Pacticipants named in the body are checked by [`check_pacticipants`].
async fn check_path_pacticipants(state: &AppState, path: &PathScope) -> ApiResult<()> {
    for name in [&path.consumer, &path.provider].into_iter().flatten() {
        if state.store.pacticipant(name).await?.is_none() {
            return Err(ApiError::not_found(format!(
                "no pacticipant named `{}`",
                printable_line(name)
            )));
        }
    }
    Ok(())
}

fn check_uuid(uuid: &str) -> ApiResult<()> {
    if pactum_broker_api::webhooks::is_webhook_id(uuid) {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "uuid",
            format!(
                "`{}` is not a webhook id: use 16 to 64 letters, digits, `-` or `_` (a UUID)",
                printable_line(uuid)
            ),
        ))
    }
}

// --- handlers ----------------------------------------------------------------------------------

async fn save(
    state: &AppState,
    base: &str,
    uuid: &str,
    fields: WebhookFields,
) -> ApiResult<Response> {
    check_pacticipants(state, &fields).await?;
    let (webhook, created) = state.store.put_webhook(uuid, &fields).await?;
    let body = resource(base, &webhook);
    let location = body.links.self_.clone();
    Ok(saved(created, body, location.as_ref()))
}

async fn create_in(
    state: &AppState,
    base: &str,
    body: WebhookRequestBody,
    path: PathScope,
) -> ApiResult<Response> {
    let fields = fields(state, body, &path)?;
    check_path_pacticipants(state, &path).await?;
    save(state, base, &uuid::Uuid::new_v4().to_string(), fields).await
}

async fn create(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(body): JsonBody<WebhookRequestBody>,
) -> ApiResult<Response> {
    create_in(&state, &base, body, PathScope::default()).await
}

async fn create_for_pair(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
    JsonBody(body): JsonBody<WebhookRequestBody>,
) -> ApiResult<Response> {
    create_in(&state, &base, body, PathScope::pair(&p, &c)).await
}

async fn create_for_consumer(
    State(state): State<AppState>,
    Base(base): Base,
    Path(c): Path<String>,
    JsonBody(body): JsonBody<WebhookRequestBody>,
) -> ApiResult<Response> {
    create_in(&state, &base, body, PathScope::consumer(&c)).await
}

async fn create_for_provider(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
    JsonBody(body): JsonBody<WebhookRequestBody>,
) -> ApiResult<Response> {
    create_in(&state, &base, body, PathScope::provider(&p)).await
}

async fn put_webhook(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
    JsonBody(body): JsonBody<WebhookRequestBody>,
) -> ApiResult<Response> {
    check_uuid(&uuid)?;
    let fields = fields(&state, body, &PathScope::default())?;
    save(&state, &base, &uuid, fields).await
}

async fn find(state: &AppState, uuid: &str) -> ApiResult<StoredWebhook> {
    state.store.webhook(uuid).await?.ok_or_else(|| {
        ApiError::not_found(format!("no webhook with uuid {}", printable_line(uuid)))
    })
}

async fn show(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal<Webhook>> {
    Ok(Hal::ok(resource(&base, &find(&state, &uuid).await?)))
}

async fn delete(State(state): State<AppState>, Path(uuid): Path<String>) -> ApiResult<Response> {
    state.store.delete_webhook(&uuid).await?;
    Ok(no_content())
}

async fn list_all(State(state): State<AppState>, Base(base): Base) -> ApiResult<Hal<Webhooks>> {
    let webhooks = state.store.webhooks(WebhookFilter::All).await?;
    Ok(Hal::ok(list(
        &base,
        format!("{base}/webhooks"),
        "Webhooks",
        &webhooks,
    )))
}

async fn list_pair(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
) -> ApiResult<Hal<Webhooks>> {
    check_path_pacticipants(&state, &PathScope::pair(&p, &c)).await?;
    let webhooks = state
        .store
        .webhooks(WebhookFilter::Pair {
            provider: &p,
            consumer: &c,
        })
        .await?;
    let self_href = href(&base, &["webhooks", "provider", &p, "consumer", &c]);
    Ok(Hal::ok(list(
        &base,
        self_href,
        &format!("Webhooks for consumer {c} and provider {p}"),
        &webhooks,
    )))
}

async fn list_consumer(
    State(state): State<AppState>,
    Base(base): Base,
    Path(c): Path<String>,
) -> ApiResult<Hal<Webhooks>> {
    check_path_pacticipants(&state, &PathScope::consumer(&c)).await?;
    let webhooks = state.store.webhooks(WebhookFilter::Consumer(&c)).await?;
    let self_href = href(&base, &["webhooks", "consumer", &c]);
    Ok(Hal::ok(list(
        &base,
        self_href,
        &format!("Webhooks for consumer {c}"),
        &webhooks,
    )))
}

async fn list_provider(
    State(state): State<AppState>,
    Base(base): Base,
    Path(p): Path<String>,
) -> ApiResult<Hal<Webhooks>> {
    check_path_pacticipants(&state, &PathScope::provider(&p)).await?;
    let webhooks = state.store.webhooks(WebhookFilter::Provider(&p)).await?;
    let self_href = href(&base, &["webhooks", "provider", &p]);
    Ok(Hal::ok(list(
        &base,
        self_href,
        &format!("Webhooks for provider {p}"),
        &webhooks,
    )))
}

async fn list_pact(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
) -> ApiResult<Hal<Webhooks>> {
    check_path_pacticipants(&state, &PathScope::pair(&p, &c)).await?;
    let webhooks = state
        .store
        .webhooks(WebhookFilter::ApplyingTo {
            provider: &p,
            consumer: &c,
        })
        .await?;
    Ok(Hal::ok(list(
        &base,
        pact_webhooks_href(&base, &p, &c),
        &format!("Webhooks for the pact between {c} and {p}"),
        &webhooks,
    )))
}

async fn status(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
) -> ApiResult<Hal<WebhooksStatus>> {
    let deliveries = state.store.latest_deliveries(&p, &c).await?;
    let attempts_allowed = state.config.webhooks.retry_schedule.len() + 1;
    let mut summary = WebhooksStatusSummary::default();
    for delivery in &deliveries {
        match delivery.status.as_str() {
            delivery_status::SUCCESS => summary.successful += 1,
            delivery_status::FAILURE => summary.failed += 1,
            delivery_status::RETRYING => summary.retrying += 1,
            _ => summary.not_run += 1,
        }
    }
    let error_logs = deliveries
        .iter()
        .filter(|d| d.status == delivery_status::FAILURE || d.status == delivery_status::RETRYING)
        .map(|d| {
            Link::named(
                href(&base, &["triggered-webhooks", &d.uuid, "logs"]),
                "Error logs",
                d.webhook_description
                    .clone()
                    .unwrap_or_else(|| d.webhook_uuid.clone()),
            )
        })
        .collect();
    Ok(Hal::ok(WebhooksStatus {
        summary,
        embedded: TriggeredWebhooksEmbedded {
            triggered_webhooks: deliveries
                .iter()
                .map(|d| triggered(&base, d, attempts_allowed))
                .collect(),
        },
        links: WebhooksStatusLinks {
            self_: Some(Link::titled(
                format!("{}/status", pact_webhooks_href(&base, &p, &c)),
                "Webhooks status",
            )),
            error_logs,
            pact_webhooks: Some(Link::titled(
                pact_webhooks_href(&base, &p, &c),
                format!("Webhooks for the pact between {c} and {p}"),
            )),
            consumer: Some(Link::named(
                pacticipant_href(&base, &c),
                "Consumer",
                c.clone(),
            )),
            provider: Some(Link::named(
                pacticipant_href(&base, &p),
                "Provider",
                p.clone(),
            )),
        },
    }))
}

async fn logs(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal<TriggeredWebhookLogs>> {
    let (delivery, attempts) = state.store.delivery(&uuid).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "no triggered webhook with uuid {}",
            printable_line(&uuid)
        ))
    })?;
    let name = delivery
        .webhook_description
        .clone()
        .unwrap_or_else(|| format!("webhook {}", delivery.webhook_uuid));
    Ok(Hal::ok(TriggeredWebhookLogs {
        uuid: delivery.uuid.clone(),
        event_name: delivery.event_name.clone(),
        consumer_name: delivery.consumer.clone(),
        provider_name: delivery.provider.clone(),
        status: delivery.status.clone(),
        executions: attempts
            .into_iter()
            .map(|a| WebhookAttempt {
                attempt: u64::try_from(a.attempt).unwrap_or(0),
                success: a.record.success,
                status: a.record.response_status,
                error: a.record.error,
                duration_ms: u64::try_from(a.record.duration_ms).unwrap_or(0),
                logs: a.record.logs,
                created_at: rfc3339(a.record.started_at),
            })
            .collect(),
        links: delivery_links(&base, &delivery, &name),
    }))
}

/// The values a test execution renders with: the latest pact between the webhook's consumer
/// and provider when both are named and one exists, otherwise placeholders.
async fn test_context(
    state: &AppState,
    base: &str,
    fields: &WebhookFields,
) -> ApiResult<DeliveryContext> {
    let consumer = scoped_name(&fields.consumer).unwrap_or("placeholder-consumer");
    let provider = scoped_name(&fields.provider).unwrap_or("placeholder-provider");
    let mut context = DeliveryContext {
        base: base.to_owned(),
        ..DeliveryContext::default()
    };
    let vars = &mut context.variables;
    vars.insert("consumerName".into(), consumer.to_owned());
    vars.insert("providerName".into(), provider.to_owned());
    vars.insert("eventName".into(), "test".into());
    for (name, value) in [
        ("githubVerificationStatus", "pending"),
        ("bitbucketVerificationStatus", "INPROGRESS"),
        ("gitlabVerificationStatus", "pending"),
        ("azureDevOpsVerificationStatus", "pending"),
    ] {
        vars.insert(name.into(), value.into());
    }
    if let Some(pact) = state
        .store
        .pact(provider, consumer, PactRef::Latest)
        .await?
    {
        context.variables.insert(
            "consumerVersionNumber".into(),
            pact.consumer_version.clone(),
        );
        context.sha = pact.sha;
        context.consumer_version = pact.consumer_version;
    }
    Ok(context)
}

async fn execute(
    state: &AppState,
    base: &str,
    fields: &WebhookFields,
    uuid: Option<&str>,
) -> ApiResult<Hal<WebhookExecutionResult>> {
    let context = test_context(state, base, fields).await?;
    let values = Values::new(&context, &state.config.webhooks.secrets);
    let rendered = render(&fields.request, &values)
        .and_then(|request| Ok((request, render(&fields.request, &values.redacted())?)));
    let links = ExecutionLinks {
        webhook: uuid.map(|uuid| Link::titled(webhook_href(base, uuid), "Webhook")),
    };
    let result = match rendered {
        Err(missing) => WebhookExecutionResult {
            error: Some(ExecutionError {
                message: missing.to_string(),
            }),
            logs: format!("Not sent: {missing}\n"),
            success: false,
            links,
            ..WebhookExecutionResult::default()
        },
        Ok((request, shown)) => {
            let exchange = state.webhook_sender.send(&request, &shown, None).await;
            WebhookExecutionResult {
                request: exchange.request,
                response: exchange.response,
                error: exchange.error.map(|message| ExecutionError { message }),
                logs: exchange.logs,
                success: exchange.success,
                links,
            }
        }
    };
    Ok(Hal::ok(result))
}

async fn execute_saved(
    State(state): State<AppState>,
    Base(base): Base,
    Path(uuid): Path<String>,
) -> ApiResult<Hal<WebhookExecutionResult>> {
    let webhook = find(&state, &uuid).await?;
    execute(&state, &base, &webhook.fields, Some(&uuid)).await
}

async fn execute_unsaved(
    State(state): State<AppState>,
    Base(base): Base,
    JsonBody(body): JsonBody<WebhookRequestBody>,
) -> ApiResult<Hal<WebhookExecutionResult>> {
    let fields = fields(&state, body, &PathScope::default())?;
    execute(&state, &base, &fields, None).await
}
