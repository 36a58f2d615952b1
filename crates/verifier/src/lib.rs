//! Verifying a provider: replay every interaction of its contracts against it and compare.
//!
//! For each interaction the verifier sets up the provider states (through a state-change URL
//! or Rust handlers), builds the request (generators applied, provider-state values injected,
//! extra headers, an optional filter hook), sends it to the provider — over HTTP or in process
//! through a `tower::Service` — and matches the response with [`pactum_core::matching`]. Messages are
//! requested from the provider the way the official verifier does, or from Rust closures.
//! Results go into a [`Report`]. Not here: fetching contracts (see [`pactum_client::sources`]) and
//! rendering for a terminal (see `cli`).

mod provider;
pub mod publish;
pub mod report;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use regex::Regex;
use serde_json::{Map, Value};

pub use provider::ProviderService;
use provider::{CallError, HttpClient, Limits, Provider};
pub use report::{ContractResult, InteractionResult, Outcome, Report, Summary};

use pactum_client::sources::Loaded;
use pactum_core::contract::{Interaction, InteractionKind, Message, ProviderState, Request};
use pactum_core::generate::{GeneratorContext, Mode, generate_request};
use pactum_core::matching::{match_message, match_response};

/// Whether a state is being set up (before the interaction) or torn down (after).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateAction {
    /// Before the interaction.
    Setup,
    /// After the interaction.
    Teardown,
}

impl StateAction {
    fn as_str(self) -> &'static str {
        match self {
            StateAction::Setup => "setup",
            StateAction::Teardown => "teardown",
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type StateHandler = Arc<
    dyn Fn(Map<String, Value>, StateAction) -> BoxFuture<Result<Map<String, Value>, String>>
        + Send
        + Sync,
>;
type MessageHandler = Arc<dyn Fn(&[ProviderState]) -> Result<Message, String> + Send + Sync>;
type RequestFilter = Arc<dyn Fn(&mut Request) + Send + Sync>;
type Progress = Arc<dyn Fn(&InteractionResult) + Send + Sync>;

/// Which interactions to verify.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only interactions whose description matches.
    pub description: Option<Regex>,
    /// Only interactions with a provider state whose name matches.
    pub state: Option<Regex>,
    /// Only contracts of these consumers (empty: all).
    pub consumers: Vec<String>,
}

impl Filter {
    fn keeps(&self, consumer: &str, interaction: &Interaction) -> bool {
        (self.consumers.is_empty() || self.consumers.iter().any(|c| c == consumer))
            && self
                .description
                .as_ref()
                .is_none_or(|re| re.is_match(&interaction.description))
            && self.state.as_ref().is_none_or(|re| {
                interaction
                    .provider_states
                    .iter()
                    .any(|s| re.is_match(&s.name))
            })
    }
}

/// Settings of a verification run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Verify only contracts for this provider (when sources hold others too).
    pub provider_name: Option<String>,
    /// Headers added to (or replacing those of) every request, e.g. credentials.
    pub headers: Vec<(String, String)>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The largest response body read from the provider (bytes); a larger one makes the
    /// interaction an error.
    pub max_response_body: usize,
    /// URL that sets up and tears down provider states.
    pub state_change_url: Option<String>,
    /// Path of the provider's message endpoint (HTTP providers).
    pub message_path: String,
    /// Which interactions to run.
    pub filter: Filter,
    /// How many interactions may run at once.
    pub parallel: usize,
    /// Also run interactions with provider states in parallel (their states must not clash).
    pub parallel_with_states: bool,
}

/// The default for [`Options::max_response_body`]: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 16 * 1024 * 1024;

impl Default for Options {
    fn default() -> Self {
        Options {
            provider_name: None,
            headers: Vec::new(),
            timeout: Duration::from_secs(30),
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            state_change_url: None,
            message_path: "/".into(),
            filter: Filter::default(),
            parallel: 1,
            parallel_with_states: false,
        }
    }
}

/// Why a verification run could not be carried out at all (as opposed to failing).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The provider does not answer.
    #[error("{0}")]
    ProviderUnreachable(String),
    /// The provider's base URL cannot be used.
    #[error("the provider base URL `{url}` is not an http or https URL with a host")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse, when it does not.
        #[source]
        source: Option<url::ParseError>,
    },
    /// No contract is for this provider.
    #[error("no contract to verify{0}")]
    NothingToVerify(String),
    /// The filters left no interaction to verify.
    #[error(
        "no interaction was verified: the filters (description, state, consumer) match none of the {0} interactions"
    )]
    NothingSelected(usize),
}

/// Verifies a provider against contracts.
#[derive(Clone)]
pub struct Verifier {
    provider: Provider,
    options: Options,
    states: HashMap<String, StateHandler>,
    messages: HashMap<String, MessageHandler>,
    request_filter: Option<RequestFilter>,
    progress: Option<Progress>,
    /// Built on first use (most runs have no state-change URL), shared by clones.
    state_client: Arc<std::sync::OnceLock<reqwest::Client>>,
}

/// A client builder for URLs of `scheme`. Plain `http` has no certificates to check, so the
/// platform's certificate store is not loaded: reading and parsing it is a large share of a
/// short verification run.
fn client_builder(scheme: &str) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    if scheme == "http" {
        builder.tls_certs_only([])
    } else {
        builder
    }
}

impl Verifier {
    /// Verifies a provider running at `base_url` (http or https; a path in it is kept as a
    /// prefix of every contract path). Redirects are not followed: a redirect is a response to
    /// match like any other, and following one would carry the run's headers elsewhere.
    pub fn http(base_url: &str) -> Result<Self, VerifyError> {
        let invalid = |source| VerifyError::InvalidBaseUrl {
            url: base_url.to_owned(),
            source,
        };
        let base = reqwest::Url::parse(base_url).map_err(|e| invalid(Some(e)))?;
        if !matches!(base.scheme(), "http" | "https") || base.host().is_none() {
            return Err(invalid(None));
        }
        let client = if base.scheme() == "http" && !provider::proxy_in_environment() {
            HttpClient::plain()
        } else {
            HttpClient::Reqwest(
                client_builder(base.scheme())
                    .tcp_nodelay(true)
                    .pool_max_idle_per_host(64)
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .unwrap_or_default(),
            )
        };
        Ok(Verifier::new(Provider::Http { client, base }))
    }

    /// Verifies an in-process provider, e.g. an axum `Router`: no network, no port.
    pub fn service<S>(service: S) -> Self
    where
        S: tower::Service<
                axum::http::Request<axum::body::Body>,
                Response = axum::http::Response<axum::body::Body>,
                Error = std::convert::Infallible,
            > + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        Verifier::new(Provider::Service(tower::util::BoxCloneSyncService::new(
            service,
        )))
    }

    fn new(provider: Provider) -> Self {
        Verifier {
            provider,
            options: Options::default(),
            states: HashMap::new(),
            messages: HashMap::new(),
            request_filter: None,
            progress: None,
            state_client: Arc::default(),
        }
    }

    /// Sets the options.
    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    /// Handles a provider state in Rust. The handler gets the state's parameters and whether
    /// to set up or tear down; values it returns feed `ProviderState` generators.
    pub fn state<F, Fut>(mut self, name: &str, handler: F) -> Self
    where
        F: Fn(Map<String, Value>, StateAction) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Map<String, Value>, String>> + Send + 'static,
    {
        self.states.insert(
            name.to_string(),
            Arc::new(move |params, action| Box::pin(handler(params, action))),
        );
        self
    }

    /// Produces the message for a message interaction in Rust.
    pub fn message<F>(mut self, description: &str, produce: F) -> Self
    where
        F: Fn(&[ProviderState]) -> Result<Message, String> + Send + Sync + 'static,
    {
        self.messages
            .insert(description.to_string(), Arc::new(produce));
        self
    }

    /// Changes every request just before it is sent (e.g. to add a fresh token).
    pub fn request_filter(mut self, filter: impl Fn(&mut Request) + Send + Sync + 'static) -> Self {
        self.request_filter = Some(Arc::new(filter));
        self
    }

    /// Calls `report` after each interaction (e.g. to drive a progress bar).
    pub fn on_progress(
        mut self,
        report: impl Fn(&InteractionResult) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }

    /// Verifies the contracts; a provider that does not answer is an error, failures are in
    /// the report.
    pub async fn verify(&self, contracts: &[Loaded]) -> Result<Report, VerifyError> {
        let selected: Vec<&Loaded> = contracts
            .iter()
            .filter(|c| {
                self.options
                    .provider_name
                    .as_ref()
                    .is_none_or(|p| &c.pact.provider.name == p)
            })
            .collect();
        if selected.is_empty() {
            let why = self
                .options
                .provider_name
                .as_ref()
                .map(|p| format!(": none of the contracts is for provider '{p}'"))
                .unwrap_or_default();
            return Err(VerifyError::NothingToVerify(why));
        }
        let mut report = Report::default();
        for loaded in selected {
            let pact = &loaded.pact;
            let mut results = self
                .verify_interactions(&pact.consumer.name, &pact.interactions)
                .await?;
            // A contract the broker says is pending (or work in progress, which is pending by
            // definition even when the broker was not asked for pending status) makes all of
            // its interactions pending.
            if loaded.broker.as_ref().is_some_and(|b| b.pending || b.wip) {
                results.iter_mut().for_each(|r| r.pending = true);
            }
            report.contracts.push(ContractResult {
                consumer: pact.consumer.name.clone(),
                provider: pact.provider.name.clone(),
                source: loaded.origin.clone(),
                notices: loaded
                    .broker
                    .as_ref()
                    .map(|b| b.notices.clone())
                    .unwrap_or_default(),
                interactions: results,
            });
        }
        let summary = report.summary();
        if summary.interactions == 0 {
            let total = report.contracts.iter().map(|c| c.interactions.len()).sum();
            if total > 0 {
                return Err(VerifyError::NothingSelected(total));
            }
        }
        Ok(report)
    }

    async fn verify_interactions(
        &self,
        consumer: &str,
        interactions: &[Interaction],
    ) -> Result<Vec<InteractionResult>, VerifyError> {
        let mut results: Vec<Option<InteractionResult>> = vec![None; interactions.len()];
        let parallel = self.options.parallel.max(1);
        let (concurrent, sequential): (Vec<usize>, Vec<usize>) =
            (0..interactions.len()).partition(|&i| {
                parallel > 1
                    && (self.options.parallel_with_states
                        || interactions[i].provider_states.is_empty())
            });

        if !concurrent.is_empty() {
            let semaphore = Arc::new(tokio::sync::Semaphore::new(parallel));
            let mut tasks = tokio::task::JoinSet::new();
            let mut positions = HashMap::new();
            for i in concurrent {
                // A task is started only when a slot is free, so at most `parallel` copies of
                // interactions exist at a time (not a copy of the whole contract).
                let permit = Arc::clone(&semaphore)
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                let verifier = self.clone();
                let interaction = interactions[i].clone();
                let consumer = consumer.to_string();
                let handle = tasks.spawn(async move {
                    let _permit = permit;
                    verifier.verify_one(&consumer, &interaction).await
                });
                positions.insert(handle.id(), i);
            }
            while let Some(joined) = tasks.join_next_with_id().await {
                match joined {
                    Ok((id, result)) => results[positions[&id]] = Some(result?),
                    // A panic (in a request filter, a handler...) is that interaction's error,
                    // never a silently missing result.
                    Err(e) => {
                        let i = positions[&e.id()];
                        results[i] = Some(InteractionResult {
                            outcome: Outcome::Error {
                                message: format!("verifying this interaction panicked: {e}"),
                            },
                            ..InteractionResult::of(&interactions[i])
                        });
                    }
                }
            }
        }
        for i in sequential {
            results[i] = Some(self.verify_one(consumer, &interactions[i]).await?);
        }
        Ok(results.into_iter().flatten().collect())
    }

    async fn verify_one(
        &self,
        consumer: &str,
        interaction: &Interaction,
    ) -> Result<InteractionResult, VerifyError> {
        let started = Instant::now();
        let mut result = InteractionResult::of(interaction);
        if !self.options.filter.keeps(consumer, interaction) {
            if let Some(progress) = &self.progress {
                progress(&result);
            }
            return Ok(result);
        }
        result.warnings = self.unhandled_states(&interaction.provider_states);
        result.outcome = match self.set_up(&interaction.provider_states).await {
            Err(message) => Outcome::Error { message },
            Ok(values) => {
                let outcome = self.exercise(interaction, &values).await;
                let teardown = self.tear_down(&interaction.provider_states).await;
                match (outcome, teardown) {
                    (Err(CallError::Unreachable { url, message }), _) => {
                        return Err(VerifyError::ProviderUnreachable(format!(
                            "cannot connect to the provider at {url}: {message}"
                        )));
                    }
                    (Err(e), _) => Outcome::Error {
                        message: e.to_string(),
                    },
                    (Ok(Outcome::Passed), Err(message)) => Outcome::Error { message },
                    (Ok(outcome), _) => outcome,
                }
            }
        };
        result.duration_ms = report::millis(started.elapsed());
        if let Some(progress) = &self.progress {
            progress(&result);
        }
        Ok(result)
    }

    /// Runs the interaction against the provider and compares.
    async fn exercise(
        &self,
        interaction: &Interaction,
        values: &Map<String, Value>,
    ) -> Result<Outcome, CallError> {
        let context = GeneratorContext {
            mode: Mode::Provider,
            provider_state: values,
            mock_server_url: None,
        };
        let outcome = |mismatches: Vec<pactum_core::matching::Mismatch>| {
            if mismatches.is_empty() {
                Outcome::Passed
            } else {
                Outcome::Failed { mismatches }
            }
        };
        match &interaction.kind {
            InteractionKind::Http { request, response } => {
                let mut request = match generate_request(request, &context) {
                    Ok(request) => request,
                    Err(e) => {
                        return Ok(Outcome::Error {
                            message: format!("cannot build the request: {e}"),
                        });
                    }
                };
                for (name, value) in &self.options.headers {
                    request.headers.set(name, vec![value.clone()]);
                }
                if let Some(filter) = &self.request_filter {
                    filter(&mut request);
                }
                let actual = self.provider.send(&request, self.limits()).await?;
                Ok(outcome(match_response(response, &actual)))
            }
            InteractionKind::AsyncMessage(expected) => {
                let actual = self.produce_message(interaction).await?;
                Ok(outcome(match_message(expected, &actual)))
            }
            InteractionKind::SyncMessage { responses, .. } => {
                let Some(expected) = responses.first() else {
                    return Ok(Outcome::Passed);
                };
                let actual = self.produce_message(interaction).await?;
                Ok(outcome(match_message(expected, &actual)))
            }
        }
    }

    fn limits(&self) -> Limits {
        Limits {
            timeout: self.options.timeout,
            max_body: self.options.max_response_body,
        }
    }

    async fn produce_message(&self, interaction: &Interaction) -> Result<Message, CallError> {
        match self.messages.get(&interaction.description) {
            Some(produce) => produce(&interaction.provider_states).map_err(CallError::Other),
            None => {
                self.provider
                    .fetch_message(
                        &self.options.message_path,
                        &interaction.description,
                        &interaction.provider_states,
                        self.limits(),
                    )
                    .await
            }
        }
    }

    /// Warnings for provider states that nothing can set up: no Rust handler is registered
    /// for them and no state-change URL is configured. The interaction still runs (the
    /// provider may not need the state), but a failure is then easier to understand.
    fn unhandled_states(&self, states: &[ProviderState]) -> Vec<String> {
        if self.options.state_change_url.is_some() {
            return Vec::new();
        }
        states
            .iter()
            .filter(|s| !self.states.contains_key(&s.name))
            .map(|s| {
                format!(
                    "provider state '{}' was not set up: no handler is registered for it and no state-change URL is configured",
                    s.name
                )
            })
            .collect()
    }

    /// The states to set up and tear down for an interaction: its own, or — when it has none
    /// and a state-change URL is configured — one unnamed state, as the official verifier
    /// sends, so a provider can reset itself before every interaction.
    fn states_to_change<'a>(
        &self,
        states: &'a [ProviderState],
    ) -> std::borrow::Cow<'a, [ProviderState]> {
        if states.is_empty() && self.options.state_change_url.is_some() {
            std::borrow::Cow::Owned(vec![ProviderState::default()])
        } else {
            std::borrow::Cow::Borrowed(states)
        }
    }

    async fn set_up(&self, states: &[ProviderState]) -> Result<Map<String, Value>, String> {
        let states = &*self.states_to_change(states);
        let mut values = Map::new();
        for (done, state) in states.iter().enumerate() {
            for (k, v) in &state.params {
                values.entry(k.clone()).or_insert_with(|| v.clone());
            }
            match self.change_state(state, StateAction::Setup).await {
                Ok(more) => values.extend(more),
                Err(e) => {
                    // Undo what was set up, so it does not leak into later interactions.
                    let _ = self.tear_down_each(&states[..done]).await;
                    return Err(e);
                }
            }
        }
        Ok(values)
    }

    async fn tear_down(&self, states: &[ProviderState]) -> Result<(), String> {
        self.tear_down_each(&self.states_to_change(states)).await
    }

    /// Tears down exactly `states`, last first.
    async fn tear_down_each(&self, states: &[ProviderState]) -> Result<(), String> {
        for state in states.iter().rev() {
            self.change_state(state, StateAction::Teardown).await?;
        }
        Ok(())
    }

    /// Calls the Rust handler for the state, or the state-change URL, or nothing when
    /// neither is configured.
    async fn change_state(
        &self,
        state: &ProviderState,
        action: StateAction,
    ) -> Result<Map<String, Value>, String> {
        if let Some(handler) = self.states.get(&state.name) {
            return handler(state.params.clone(), action).await.map_err(|e| {
                format!(
                    "the {} of provider state '{}' failed: {e}",
                    action.as_str(),
                    state.name
                )
            });
        }
        let Some(url) = &self.options.state_change_url else {
            return Ok(Map::new());
        };
        let body = serde_json::json!({"state": state.name, "params": state.params, "action": action.as_str()});
        let fail = |why: String| {
            format!(
                "the {} of provider state '{}' via {url} failed: {why}; check that the state-change endpoint is running and knows this state",
                action.as_str(),
                state.name
            )
        };
        let client = self.state_client.get_or_init(|| {
            let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
            client_builder(scheme).build().unwrap_or_default()
        });
        let response = client
            .post(url)
            .json(&body)
            .timeout(self.options.timeout)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| fail(e.to_string()))?;
        if !status.is_success() {
            return Err(fail(format!(
                "it answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            )));
        }
        Ok(match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        })
    }
}
