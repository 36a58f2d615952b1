//! The contract page: a contract as documentation. Every interaction kind (HTTP, asynchronous
//! and synchronous messages), provider states with their parameters, each matching rule and
//! generator next to the value it governs, the changes since the previous distinct contract of
//! the pair, and a link to the raw JSON.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use pactum_core::contract::generators::{Generator, Generators};
use pactum_core::contract::path::{PathExpr, Segment};
use pactum_core::contract::rules::{Combine, MatchingRule, MatchingRules, RuleList};
use pactum_core::contract::{
    Body, BodyContent, Headers, Interaction, InteractionKind, Message, Pact, ProviderState,
};
use serde_json::{Map, Value};

use super::{
    Page, PageError, PageResult, Section, layout, pacticipant_link, page_href, text, when,
};
use crate::AppState;
use crate::base_url::Base;
use crate::store::{PactRef, StoredPact, interaction_changes};

/// Provider versions whose cross-check with the contract is linked (the newest).
const CROSS_CHECKS_SHOWN: usize = 5;

/// JSON nodes shown per body; the rest is in the raw JSON.
const MAX_NODES: usize = 2_000;

pub(super) async fn by_version(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, v)): Path<(String, String, String)>,
) -> PageResult {
    let pact = state
        .store
        .pact(&p, &c, PactRef::Version(&v))
        .await?
        .ok_or_else(|| {
            PageError::not_found(format!("Version {v} of {c} published no contract for {p}."))
        })?;
    render(&state, &base, &pact).await
}

pub(super) async fn latest(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c)): Path<(String, String)>,
) -> PageResult {
    let pact = state
        .store
        .pact(&p, &c, PactRef::Latest)
        .await?
        .ok_or_else(|| PageError::not_found(format!("{c} has published no contract for {p}.")))?;
    render(&state, &base, &pact).await
}

pub(super) async fn by_sha(
    State(state): State<AppState>,
    Base(base): Base,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> PageResult {
    let pact = find_by_sha(&state, &p, &c, &sha).await?;
    render(&state, &base, &pact).await
}

async fn find_by_sha(
    state: &AppState,
    p: &str,
    c: &str,
    sha: &str,
) -> Result<StoredPact, PageError> {
    state
        .store
        .pact(p, c, PactRef::Sha(sha))
        .await?
        .ok_or_else(|| {
            PageError::not_found(format!(
                "{c} has no contract with {p} whose content hash is {sha}."
            ))
        })
}

/// The contract as stored, as JSON (what the page's "raw JSON" link opens in a browser).
pub(super) async fn raw(
    State(state): State<AppState>,
    Path((p, c, sha)): Path<(String, String, String)>,
) -> Result<Response, PageError> {
    let pact = find_by_sha(&state, &p, &c, &sha).await?;
    let mut response = pact.content.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

async fn render(state: &AppState, base: &str, pact: &StoredPact) -> PageResult {
    let (p, c) = (pact.provider.as_str(), pact.consumer.as_str());
    let verification = state.store.latest_verification(p, c, &pact.sha).await?;
    let cross_checks = state
        .store
        .cross_checks_of_contract(p, &pact.sha, CROSS_CHECKS_SHOWN)
        .await?;
    let previous = state
        .store
        .previous_distinct_pact(p, c, &pact.consumer_version)
        .await?;
    let changes = interaction_changes(pact, previous.as_ref());
    let read = Pact::from_slice(pact.content.as_bytes());
    let pair = ["pacts", "provider", p, "consumer", c];
    let version_page = |version: &str| {
        let mut segments = pair.to_vec();
        segments.extend(["version", version]);
        page_href(base, &segments)
    };
    let content_page = |tail: &[&str]| {
        let mut segments = pair.to_vec();
        segments.extend(["pact-version", &pact.sha]);
        segments.extend(tail);
        page_href(base, &segments)
    };
    let raw_href = {
        let mut segments = vec!["ui", "raw"];
        segments.extend(pair);
        segments.extend(["pact-version", &pact.sha]);
        page_href(base, &segments)
    };
    let body = html! {
        dl class="fields" {
            dt { "Consumer" } dd { (pacticipant_link(base, c)) " version "
                a href=(version_page(&pact.consumer_version)) { (text(&pact.consumer_version)) } }
            dt { "Provider" } dd { (pacticipant_link(base, p)) }
            dt { "Published" } dd { (when(pact.created_at)) }
            dt { "Content" } dd { a href=(content_page(&[])) { code { (pact.sha) } }
                " · " a href=(raw_href) type="application/json" { "raw JSON" } }
            @if let Ok(read) = &read {
                dt { "Specification" } dd { "Pact " (read.spec) }
            }
            dt { "Verification" } dd {
                @match &verification {
                    Some(v) => {
                        span class={ "status status-" (if v.success { "verified" } else { "failed" }) } {
                            (if v.success { "verified" } else { "failed" })
                        }
                        " by " (text(&v.provider_version)) " "
                        a href=(content_page(&["verification-results", &v.id.to_string()])) { "result " (v.id) }
                        " " span class="muted" { (when(v.created_at)) }
                    }
                    None => span class="status status-never" { "not yet verified" },
                }
            }
            @if let Some(cross_checks) = &cross_checks {
                dt { "Cross-checks" } dd {
                    @if cross_checks.is_empty() {
                        span class="muted" { (text(p)) " publishes OpenAPI documents; none has been checked against this contract yet." }
                    } @else { ul class="cross-checks" {
                        @for check in cross_checks {
                            @let (kind, words) = match check.passed {
                                Some(true) => ("verified", "passed"),
                                Some(false) => ("failed", "failed"),
                                None => ("pending", "being computed"),
                            };
                            li {
                                a href=(page_href(base, &["cross-checks", "provider", p, "version", &check.provider_version])) {
                                    "document of " (text(&check.provider_version))
                                }
                                " " span class={ "status status-" (kind) } { (words) }
                            }
                        }
                    } }
                }
            }
        }
        h2 id="changes" { "Changes" }
        @match &previous {
            None => p { "The first contract of " (text(c)) " with " (text(p)) "." },
            Some(before) => {
                p { "Since the previous distinct contract, published by version "
                    a href=(version_page(&before.consumer_version)) { (text(&before.consumer_version)) } ":" }
                @if changes.added.is_empty() && changes.removed.is_empty() && changes.changed.is_empty() {
                    p { "Same interactions; only other parts of the contract (such as metadata) differ." }
                }
                ul class="changes" {
                    @for name in &changes.added { li class="diff-added" { "added: " (text(name)) } }
                    @for name in &changes.removed { li class="diff-removed" { "removed: " (text(name)) } }
                    @for name in &changes.changed { li class="diff-changed" { "changed: " (text(name)) } }
                }
            }
        }
        @match &read {
            Ok(read) => {
                h2 id="interactions" { "Interactions (" (read.interactions.len()) ")" }
                @for interaction in &read.interactions { (interaction_section(interaction)) }
            }
            Err(error) => p class="error" {
                "pactum cannot read this contract as a Pact file: " (text(&error.to_string()))
                ". Its raw JSON is linked above."
            },
        }
    };
    let title = format!("Contract: {c} → {p}");
    Ok(Page(layout(base, Section::Integrations, &title, body)))
}

fn interaction_section(interaction: &Interaction) -> Markup {
    let kind = match &interaction.kind {
        InteractionKind::Http { .. } => "HTTP request and response",
        InteractionKind::AsyncMessage(_) => "asynchronous message",
        InteractionKind::SyncMessage { .. } => "synchronous message request and responses",
    };
    html! {
        section class="interaction" {
            h2 { (text(&interaction.description)) }
            p class="kind" { (kind)
                @if interaction.pending { " · pending" }
                @if let Some(key) = &interaction.key { " · key " code { (text(key)) } }
            }
            @if !interaction.provider_states.is_empty() {
                ul class="states" {
                    @for state in &interaction.provider_states { li { (provider_state(state)) } }
                }
            }
            @if !interaction.comments.is_empty() {
                h3 { "Comments" }
                (json_fields(&interaction.comments))
            }
            @match &interaction.kind {
                InteractionKind::Http { request, response } => {
                    h3 { "Request" }
                    dl class="fields" {
                        dt { "Method" } dd { code { (text(&request.method)) }
                            (optional_rules(request.matching_rules.method.as_ref()))
                            (optional_generator(request.generators.method.as_ref())) }
                        dt { "Path" } dd { code { (text(&request.path)) }
                            (optional_rules(request.matching_rules.path.as_ref()))
                            (optional_generator(request.generators.path.as_ref())) }
                        @for (name, values) in &request.query {
                            dt { "Query " code { (text(name)) } }
                            dd { code { (text(&values.join(", "))) }
                                (optional_rules(request.matching_rules.query.get(name)))
                                (optional_generator(request.generators.query.get(name))) }
                        }
                        (headers(&request.headers, &request.matching_rules, &request.generators))
                    }
                    (body(&request.body, request.headers.get("content-type"), &request.matching_rules, &request.generators))
                    h3 { "Response" }
                    dl class="fields" {
                        dt { "Status" } dd { code { (response.status) }
                            (optional_rules(response.matching_rules.status.as_ref()))
                            (optional_generator(response.generators.status.as_ref())) }
                        (headers(&response.headers, &response.matching_rules, &response.generators))
                    }
                    (body(&response.body, response.headers.get("content-type"), &response.matching_rules, &response.generators))
                }
                InteractionKind::AsyncMessage(message) => {
                    h3 { "Message" }
                    (message_parts(message))
                }
                InteractionKind::SyncMessage { request, responses } => {
                    h3 { "Request message" }
                    (message_parts(request))
                    @for (n, response) in responses.iter().enumerate() {
                        h3 { "Response message " (n + 1) }
                        (message_parts(response))
                    }
                }
            }
        }
    }
}

fn provider_state(state: &ProviderState) -> Markup {
    html! {
        "Given " (text(&state.name))
        @if !state.params.is_empty() { (json_fields(&state.params)) }
    }
}

/// Named values (state parameters, comments) as a definition list of JSON.
fn json_fields(fields: &Map<String, Value>) -> Markup {
    html! {
        dl class="fields" {
            @for (name, value) in fields {
                dt { code { (text(name)) } }
                dd { code { (text(&compact(value))) } }
            }
        }
    }
}

fn compact(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn headers(headers: &Headers, rules: &MatchingRules, generators: &Generators) -> Markup {
    html! {
        @for (name, values) in headers.iter() {
            dt { "Header " code { (text(name)) } }
            dd { code { (text(&values.join(", "))) }
                (optional_rules(rules.header_rules(name)))
                (optional_generator(generators.header.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, g)| g))) }
        }
    }
}

fn message_parts(message: &Message) -> Markup {
    let content_type = message
        .metadata
        .iter()
        .find(|(k, _)| {
            k.eq_ignore_ascii_case("contentType") || k.eq_ignore_ascii_case("content-type")
        })
        .and_then(|(_, v)| v.as_str())
        .map(|s| vec![s.to_owned()]);
    html! {
        @if !message.metadata.is_empty() {
            dl class="fields" {
                @for (name, value) in &message.metadata {
                    dt { "Metadata " code { (text(name)) } }
                    dd { code { (text(&compact(value))) }
                        (optional_rules(message.matching_rules.metadata.get(name)))
                        (optional_generator(message.generators.metadata.get(name))) }
                }
            }
        }
        (body(&message.contents, content_type.as_deref(), &message.matching_rules, &message.generators))
    }
}

fn body(
    body: &Body,
    content_type_header: Option<&[String]>,
    rules: &MatchingRules,
    generators: &Generators,
) -> Markup {
    let content_type = body
        .content_type
        .clone()
        .or_else(|| content_type_header.and_then(|v| v.first().cloned()));
    let mut shown = Shown::new(rules, generators);
    let rendered = match &body.content {
        BodyContent::Missing => {
            html! { p class="muted" { "No body given: any body is accepted." } }
        }
        BodyContent::Empty => html! { p { "An empty body." } },
        BodyContent::Null => html! { p { "The body " code { "null" } "." } },
        BodyContent::Json(value) => {
            let mut path = Vec::new();
            let mut budget = MAX_NODES;
            let tree = json_node(value, &mut path, &mut shown, &mut budget);
            html! {
                div class="json" { (tree) }
                @if budget == 0 { p class="muted" { "The body is longer than shown here; see the raw JSON." } }
            }
        }
        BodyContent::Text(body_text) => html! {
            p class="muted" { "Text, " (body_text.len()) " bytes" }
            pre { (text(body_text)) (shown.at(&[])) }
        },
        BodyContent::Bytes(bytes) => html! {
            p { "Binary content, " (bytes.len()) " bytes" }
        },
    };
    html! {
        @if !matches!(body.content, BodyContent::Missing) {
            p class="kind" { "Body"
                @if let Some(content_type) = &content_type { " · " (text(content_type)) } }
        }
        (rendered)
        (shown.rest())
    }
}

/// The body rules and generators, and which of them the body rendering has placed next to a
/// value; the others are listed after it by path (rules for parts of a body the example does
/// not have, or for XML and text bodies).
struct Shown<'r> {
    rules: &'r [(PathExpr, RuleList)],
    generators: &'r [(PathExpr, Generator)],
    rules_shown: Vec<bool>,
    generators_shown: Vec<bool>,
}

impl<'r> Shown<'r> {
    fn new(rules: &'r MatchingRules, generators: &'r Generators) -> Self {
        Shown {
            rules: rules.body.entries(),
            generators: &generators.body,
            rules_shown: vec![false; rules.body.entries().len()],
            generators_shown: vec![false; generators.body.len()],
        }
    }

    /// The rules and generators declared exactly at `path`, marked shown.
    fn at(&mut self, path: &[Segment<'_>]) -> Markup {
        let mut out = Vec::new();
        for (n, (expr, list)) in self.rules.iter().enumerate() {
            if expr.depth() == path.len() && expr.weight(path).is_some() {
                self.rules_shown[n] = true;
                out.push(rule_list(list));
            }
        }
        for (n, (expr, generator)) in self.generators.iter().enumerate() {
            if expr.depth() == path.len() && expr.weight(path).is_some() {
                self.generators_shown[n] = true;
                out.push(generator_span(generator));
            }
        }
        html! { @for item in out { (item) } }
    }

    fn rest(&self) -> Markup {
        let rules: Vec<_> = self
            .rules
            .iter()
            .zip(&self.rules_shown)
            .filter(|(_, shown)| !**shown)
            .map(|(entry, _)| entry)
            .collect();
        let generators: Vec<_> = self
            .generators
            .iter()
            .zip(&self.generators_shown)
            .filter(|(_, shown)| !**shown)
            .map(|(entry, _)| entry)
            .collect();
        html! {
            @if !rules.is_empty() || !generators.is_empty() {
                p class="kind" { "Body rules by path" }
                dl class="fields" {
                    @for (expr, list) in rules { dt { code { (text(expr.as_str())) } } dd { (rule_list(list)) } }
                    @for (expr, generator) in generators { dt { code { (text(expr.as_str())) } } dd { (generator_span(generator)) } }
                }
            }
        }
    }
}

/// A JSON value as nested lists, with its rules and generators next to each value.
fn json_node<'v>(
    value: &'v Value,
    path: &mut Vec<Segment<'v>>,
    shown: &mut Shown<'_>,
    budget: &mut usize,
) -> Markup {
    if *budget == 0 {
        return html! { "…" };
    }
    *budget -= 1;
    let here = shown.at(path);
    match value {
        Value::Object(map) => html! {
            "{" (here)
            ul {
                @for (key, item) in map {
                    li {
                        span class="key" { (text(&Value::String(key.clone()).to_string())) } ": "
                        ({ path.push(Segment::Key(key)); let node = json_node(item, path, shown, budget); path.pop(); node })
                    }
                }
            }
            "}"
        },
        Value::Array(items) => html! {
            "[" (here)
            ul {
                @for (index, item) in items.iter().enumerate() {
                    li { ({ path.push(Segment::Index(index)); let node = json_node(item, path, shown, budget); path.pop(); node }) }
                }
            }
            "]"
        },
        scalar => html! { code { (text(&scalar.to_string())) } (here) },
    }
}

fn optional_rules(list: Option<&RuleList>) -> Markup {
    html! { @if let Some(list) = list { (rule_list(list)) } }
}

fn optional_generator(generator: Option<&Generator>) -> Markup {
    html! { @if let Some(generator) = generator { (generator_span(generator)) } }
}

fn rule_list(list: &RuleList) -> Markup {
    let joiner = match list.combine {
        Combine::And => " and ",
        Combine::Or => " or ",
    };
    let labels: Vec<String> = list.rules.iter().map(rule_label).collect();
    html! { span class="rule" { (text(&labels.join(joiner))) } }
}

/// What a rule asks, in the words of the consumer DSLs ("integer", "each like, min 1",
/// "matches `\d+`").
pub(super) fn rule_label(rule: &MatchingRule) -> String {
    let format = |name: &str, format: Option<&str>| match format {
        Some(pattern) => format!("{name} `{pattern}`"),
        None => format!("{name} (ISO 8601)"),
    };
    match rule {
        MatchingRule::Equality => "equal to the example".into(),
        MatchingRule::Regex(regex) => format!("matches `{}`", regex.as_str()),
        MatchingRule::Type {
            min: None,
            max: None,
        } => "like (same type)".into(),
        MatchingRule::Type { min, max } => {
            let mut label = String::from("each like");
            if let Some(min) = min {
                label.push_str(&format!(", min {min}"));
            }
            if let Some(max) = max {
                label.push_str(&format!(", max {max}"));
            }
            label
        }
        MatchingRule::Include(part) => format!("includes `{part}`"),
        MatchingRule::Integer => "integer".into(),
        MatchingRule::Decimal => "decimal".into(),
        MatchingRule::Number => "number".into(),
        MatchingRule::Boolean => "boolean".into(),
        MatchingRule::Null => "null".into(),
        MatchingRule::Date(f) => format("date", f.as_str()),
        MatchingRule::Time(f) => format("time", f.as_str()),
        MatchingRule::DateTime(f) => format("date-time", f.as_str()),
        MatchingRule::ContentType(content_type) => format!("content type `{content_type}`"),
        MatchingRule::Values => "values (any keys)".into(),
        MatchingRule::ArrayContains(variants) => {
            format!("array contains {} variant(s)", variants.len())
        }
        MatchingRule::Semver => "semantic version".into(),
        MatchingRule::EachKey(list) => format!("each key: {}", plain_list(list)),
        MatchingRule::EachValue(list) => format!("each value: {}", plain_list(list)),
        MatchingRule::NotEmpty => "not empty".into(),
        MatchingRule::StatusCode(codes) => format!("status: {codes}"),
    }
}

fn plain_list(list: &RuleList) -> String {
    let joiner = match list.combine {
        Combine::And => " and ",
        Combine::Or => " or ",
    };
    list.rules
        .iter()
        .map(rule_label)
        .collect::<Vec<_>>()
        .join(joiner)
}

fn generator_span(generator: &Generator) -> Markup {
    html! { span class="generator" { (text(&generator_label(generator))) } }
}

/// What a generator produces.
pub(super) fn generator_label(generator: &Generator) -> String {
    let written = generator.to_json();
    let member = |name: &str| written.get(name).and_then(Value::as_str).map(str::to_owned);
    let moment = |what: &str| {
        let mut label = format!("generated: current {what}");
        if let Some(format) = member("format") {
            label.push_str(&format!(" `{format}`"));
        }
        if let Some(expression) = member("expression") {
            label.push_str(&format!(" {expression}"));
        }
        label
    };
    match generator {
        Generator::RandomInt { min, max } => format!("generated: random integer {min} to {max}"),
        Generator::RandomDecimal { digits } => {
            format!("generated: random decimal, {digits} digits")
        }
        Generator::RandomHexadecimal { digits } => {
            format!("generated: random hexadecimal, {digits} digits")
        }
        Generator::RandomString { size } => {
            format!("generated: random string, {size} characters")
        }
        Generator::Regex { regex } => format!("generated: matching `{}`", regex.as_str()),
        Generator::Uuid { .. } => "generated: random UUID".into(),
        Generator::Date { .. } => moment("date"),
        Generator::Time { .. } => moment("time"),
        Generator::DateTime { .. } => moment("date-time"),
        Generator::RandomBoolean => "generated: random boolean".into(),
        Generator::ProviderState { expression, .. } => {
            format!("generated: from provider state `{expression}`")
        }
        Generator::MockServerUrl { .. } => "generated: mock server URL".into(),
    }
}
