//! The broker: a versioned contract store that speaks the Pact Broker HTTP API.
//!
//! * [`db`] — one SQL code path over SQLite (default, WAL) and PostgreSQL, with migrations.
//! * [`store`] — what is stored, as transactional operations (publish, versions, deployments…).
//! * [`api`](self) — the HAL+JSON resources the official Pact clients use, under the same paths.
//! * [`auth`] — bearer tokens with roles and Basic pairs.
//! * [`webhooks`] — sending webhooks: address policy, templates, the delivery worker.
//! * [`cross_check`] — computing cross-checks of consumer contracts against providers' OpenAPI
//!   documents, off the request path; `coverage` — what of a document those contracts use.
//!
//! Instances keep no state of their own beyond their connection pool, so several can share one
//! PostgreSQL database behind a load balancer.

mod api;
pub mod auth;
mod base_url;
mod blocking;
mod coverage;
pub mod cross_check;
pub mod db;
mod hal;
pub mod matrix;
mod names;
pub mod query;
pub mod selection;
pub mod store;
mod timestamp;
mod ui;
pub mod webhooks;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use tokio::net::TcpListener;

pub use auth::{Credentials, Role};
pub use cross_check::CrossCheckConfig;
pub use db::{Backend, Db, DbError};
pub use store::Store;
pub use webhooks::WebhookConfig;

/// How a broker runs.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    /// Address to bind.
    pub host: IpAddr,
    /// Port to bind (0: any free port).
    pub port: u16,
    /// `sqlite://FILE`, a file path, or `postgres://…`.
    pub database_url: String,
    /// Base URL for hrefs and `Location`; without it, the URL the client used (`Host` and the
    /// `X-Forwarded-*` headers; see the `base_url` module for why that is safe).
    pub public_base_url: Option<String>,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Credentials; empty means no authentication (only allowed on loopback unless
    /// `allow_public_without_auth`).
    pub credentials: Credentials,
    /// Serve without authentication on a non-loopback address.
    pub allow_public_without_auth: bool,
    /// Database connections per instance.
    pub max_connections: u32,
    /// Limits on client connections: how many may be open, how long one may take to send a
    /// request head (or sit idle between requests).
    pub http: pactum_http::Limits,
    /// How webhooks are sent.
    pub webhooks: WebhookConfig,
    /// How cross-checks against provider contracts are computed.
    pub cross_checks: CrossCheckConfig,
}

impl BrokerConfig {
    /// A configuration with defaults: 127.0.0.1:9292, `pactum.sqlite` in the working
    /// directory, 16 MiB bodies, no authentication.
    pub fn new(database_url: impl Into<String>) -> Self {
        BrokerConfig {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 9292,
            database_url: database_url.into(),
            public_base_url: None,
            max_body_bytes: 16 * 1024 * 1024,
            credentials: Credentials::default(),
            allow_public_without_auth: false,
            max_connections: 10,
            http: pactum_http::Limits::default(),
            webhooks: WebhookConfig::default(),
            cross_checks: CrossCheckConfig::default(),
        }
    }

    pub(crate) fn listen_address(&self) -> String {
        SocketAddr::new(self.host, self.port).to_string()
    }
}

/// Why a broker cannot start.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The database cannot be opened or migrated.
    #[error("{0}")]
    Db(#[from] DbError),
    /// The address cannot be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// Why.
        source: std::io::Error,
    },
    /// Refusing to serve unauthenticated on a public address.
    #[error(
        "refusing to serve without authentication on {0}, which is not a loopback address: \
         configure credentials (--token, --basic-auth, --auth-file) or pass \
         --allow-public-without-auth"
    )]
    NoAuth(IpAddr),
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) store: Store,
    pub(crate) config: Arc<BrokerConfig>,
    /// Turns for requests with large bodies (`hal::large_bodies_take_turns`).
    pub(crate) large_bodies: Arc<tokio::sync::Semaphore>,
    /// Sends test executions of webhooks.
    pub(crate) webhook_sender: webhooks::send::Sender,
}

/// How many requests with a large body are handled at once; the others wait their turn before
/// their body is read. Each takes a few times its body in memory while its contract is parsed
/// (benches/README.md, "Hardening: memory bounds"), so this bounds what concurrent large
/// publications can take together.
const LARGE_BODIES_AT_ONCE: usize = 2;

/// A broker bound to its port, ready to serve.
pub struct Broker {
    listener: TcpListener,
    router: Router,
    store: Store,
    limits: pactum_http::Limits,
    webhooks: Arc<WebhookConfig>,
    cross_checks: CrossCheckConfig,
}

impl Broker {
    /// Opens (and migrates) the database and binds the port.
    pub async fn bind(config: BrokerConfig) -> Result<Broker, BrokerError> {
        if config.credentials.is_empty()
            && !config.host.is_loopback()
            && !config.allow_public_without_auth
        {
            return Err(BrokerError::NoAuth(config.host));
        }
        let db = Db::connect(&config.database_url, config.max_connections).await?;
        db.migrate().await?;
        let store = Store::new(db);
        let address = config.listen_address();
        let listener = TcpListener::bind(&address)
            .await
            .map_err(|source| BrokerError::Bind { address, source })?;
        let limits = config.http;
        let webhooks = Arc::new(config.webhooks.clone());
        let cross_checks = config.cross_checks.clone();
        let router = app(store.clone(), config);
        Ok(Broker {
            listener,
            router,
            store,
            limits,
            webhooks,
            cross_checks,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and closes the
    /// database. Webhook deliveries are sent and cross-checks computed meanwhile, off the
    /// request path; one cut short by the shutdown is taken again after its lease expires.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Broker {
            listener,
            router,
            store,
            limits,
            webhooks,
            cross_checks,
        } = self;
        let worker = webhooks::spawn_worker(store.clone(), webhooks);
        let checker = cross_check::spawn_worker(store.clone(), cross_checks);
        let served = pactum_http::serve(listener, router, limits, shutdown).await;
        worker.abort();
        checker.abort();
        let _ = worker.await;
        let _ = checker.await;
        served?;
        store.db().close().await;
        Ok(())
    }
}

/// The broker's HTTP API over `store`, as an axum `Router` to serve some other way or to call
/// in process (`pactum_verifier::Verifier::service` verifies it without a port). `config`
/// gives what requests see — the base URL of hrefs, the body limit, credentials — and its
/// address is not bound. The store must be migrated ([`Db::migrate`]).
pub fn app(store: Store, config: BrokerConfig) -> Router {
    router(AppState {
        store,
        webhook_sender: config.webhooks.sender(),
        config: Arc::new(config),
        large_bodies: Arc::new(tokio::sync::Semaphore::new(LARGE_BODIES_AT_ONCE)),
    })
}

fn router(state: AppState) -> Router {
    api::routes()
        // Inside authorisation: a page needs the same role as its resource.
        .layer(middleware::from_fn_with_state(
            ui::Pages::new(state.clone()),
            ui::negotiate,
        ))
        // Inside authorisation: only requests that may go ahead wait for a turn.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            hal::large_bodies_take_turns,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authorize,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            base_url::vary_on_base_headers,
        ))
        // A bug must cost one request a 500, not the connection or the process.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(message, "request handler panicked");
    use axum::response::IntoResponse;
    hal::ApiError::with_status(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal error in the broker; see its log",
    )
    .into_response()
}

/// One log line per request: method, path, status, time. Headers (credentials) are not logged.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
