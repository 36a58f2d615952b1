//! Real brokers for tests: each runs in-process on 127.0.0.1:0 with its own runtime thread,
//! on a fresh SQLite file or a fresh PostgreSQL database.
//!
//! Every broker test runs on each backend [`backends`] returns: SQLite always, and PostgreSQL
//! on the server `PACTUM_TEST_DATABASE_URL` names (any database on it; the tests create and
//! drop their own). Without that URL the tests fail unless `PACTUM_SKIP_POSTGRES` is set (see
//! [`super::prerequisites`]).

use std::process::Output;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use pactum::broker::{Broker, BrokerConfig};
use pactum::broker_api::{OnConflict, PublishRequest};
use pactum::client::contract_to_publish;
use reqwest::Method;
use reqwest::blocking::Client;
use serde_json::{Value, json};

use super::{ScratchDir, ServerThread, pactum_command, prerequisites, run, runtime, test_log};

/// Which database a test broker uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// The backends broker tests run on.
/// A broker that may send webhooks over http to 127.0.0.1, retrying after `retry`.
pub fn webhooks_to_loopback(retry: &[Duration]) -> impl FnOnce(&mut BrokerConfig) {
    let retry = retry.to_vec();
    move |config: &mut BrokerConfig| {
        let webhooks = &mut config.webhooks;
        webhooks.policy.schemes = vec!["http".into()];
        webhooks.policy.methods = vec!["POST".into(), "PUT".into()];
        webhooks.policy.hosts = vec!["127.0.0.1".parse().unwrap()];
        webhooks.retry_schedule = retry;
        webhooks.poll_interval = Duration::from_millis(200);
        webhooks.secrets.insert("CI_TOKEN".into(), "t0k\"en".into());
    }
}

pub fn backends() -> Vec<Kind> {
    let mut kinds = vec![Kind::Sqlite];
    if prerequisites::postgres_url().is_some() {
        kinds.push(Kind::Postgres);
    }
    kinds
}

/// A fresh, empty database, removed on drop.
pub struct TestDb {
    pub url: String,
    /// The SQLite file's directory, removed on drop.
    _scratch: Option<ScratchDir>,
    /// The PostgreSQL database, dropped on drop.
    _database: Option<ScratchDatabase>,
}

/// A database created on the PostgreSQL server for one test.
struct ScratchDatabase {
    admin_url: String,
    name: String,
}

async fn admin_execute(admin_url: &str, sql: String) {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to PACTUM_TEST_DATABASE_URL {admin_url}: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut connection)
        .await
        .unwrap();
}

impl TestDb {
    pub fn new(kind: Kind) -> TestDb {
        match kind {
            Kind::Sqlite => {
                let dir = ScratchDir::new("broker");
                TestDb {
                    url: dir.join("broker.sqlite").display().to_string(),
                    _scratch: Some(dir),
                    _database: None,
                }
            }
            Kind::Postgres => {
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let admin_url = prerequisites::postgres_url()
                    .expect("PostgreSQL is one of the backends only when it is not skipped");
                let name = format!(
                    "pactum_test_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed)
                );
                runtime().block_on(admin_execute(&admin_url, format!("CREATE DATABASE {name}")));
                let url = match admin_url.rfind('/') {
                    Some(slash) if slash > admin_url.find("://").unwrap() + 2 => {
                        let (head, tail) = admin_url.split_at(slash);
                        let query = tail.find('?').map(|q| &tail[q..]).unwrap_or("");
                        format!("{head}/{name}{query}")
                    }
                    _ => format!("{admin_url}/{name}"),
                };
                TestDb {
                    url,
                    _scratch: None,
                    _database: Some(ScratchDatabase { admin_url, name }),
                }
            }
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let admin_url = self.admin_url.clone();
        // Dropping may run while a test unwinds; never panic twice.
        let _ =
            std::thread::spawn(move || runtime().block_on(admin_execute(&admin_url, sql))).join();
    }
}

/// Sends the in-process brokers' logs to the test output, once, when `TEST_LOG` is set.
fn init_logs() {
    static INIT: std::sync::Once = std::sync::Once::new();
    if let Some(filter) = test_log() {
        INIT.call_once(|| {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .with_ansi(false)
                .try_init();
        });
    }
}

/// A broker serving on 127.0.0.1; stopped (gracefully) on drop.
pub struct TestBroker {
    pub url: String,
    pub client: Client,
    auth: Option<String>,
    /// `None` for the copies [`TestBroker::with_auth`] makes.
    _server: Option<ServerThread>,
}

impl TestBroker {
    pub fn start(db: &TestDb) -> TestBroker {
        TestBroker::start_with(db, |_| {})
    }

    pub fn start_with(db: &TestDb, configure: impl FnOnce(&mut BrokerConfig)) -> TestBroker {
        init_logs();
        let mut config = BrokerConfig::new(db.url.clone());
        config.port = 0;
        configure(&mut config);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let server = ServerThread::spawn(move |stop| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let broker = match Broker::bind(config).await {
                    Ok(broker) => broker,
                    Err(error) => {
                        ready_tx.send(Err(error.to_string())).unwrap();
                        return;
                    }
                };
                ready_tx.send(Ok(broker.local_addr())).unwrap();
                broker
                    .serve(async {
                        let _ = stop.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = ready_rx
            .recv()
            .unwrap()
            .unwrap_or_else(|e| panic!("broker did not start: {e}"));
        TestBroker {
            url: format!("http://{addr}"),
            client: Client::builder().build().unwrap(),
            auth: None,
            _server: Some(server),
        }
    }

    /// The same broker, with requests sent with this `Authorization` header.
    pub fn with_auth(&self, authorization: &str) -> TestBroker {
        TestBroker {
            url: self.url.clone(),
            client: self.client.clone(),
            auth: Some(authorization.to_owned()),
            _server: None,
        }
    }

    /// Sends a request; returns the status and the JSON body (`Value::Null` when empty).
    pub fn send(&self, method: Method, path: &str, body: Option<&Value>) -> (u16, Value) {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.url)
        };
        let mut request = self.client.request(method.clone(), &url);
        if let Some(auth) = &self.auth {
            request = request.header("authorization", auth);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request
            .send()
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let text = response.text().unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{method} {url} returned non-JSON ({e}): {text}"))
        };
        (status, json)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None)
    }

    /// GETs a resource that must exist.
    pub fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    pub fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(Method::POST, path, Some(body))
    }

    pub fn put(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(Method::PUT, path, Some(body))
    }

    pub fn patch(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(Method::PATCH, path, Some(body))
    }

    pub fn delete(&self, path: &str) -> (u16, Value) {
        self.send(Method::DELETE, path, None)
    }

    /// The broker's count of one kind of thing (`/metrics`).
    pub fn count(&self, what: &str) -> i64 {
        self.ok("/metrics")[what]["count"]
            .as_i64()
            .unwrap_or_else(|| panic!("no metric {what}"))
    }

    /// Runs `pactum args` against this broker (`PACT_BROKER_BASE_URL`), with its bearer token
    /// (`PACT_BROKER_TOKEN`) when it has one.
    pub fn pactum(&self, args: &[&str]) -> Output {
        let mut command = pactum_command();
        command.args(args).env("PACT_BROKER_BASE_URL", &self.url);
        if let Some(token) = self.auth.as_deref().and_then(|a| a.strip_prefix("Bearer ")) {
            command.env("PACT_BROKER_TOKEN", token);
        }
        run(&mut command)
    }

    /// Publishes `document` (an OpenAPI document's JSON text) as the provider contract of
    /// `provider` version `version` (on `branch`, when given), self-verified by schemathesis
    /// with the outcome `self_verified`, through PactFlow's publish resource.
    pub fn publish_openapi(
        &self,
        provider: &str,
        version: &str,
        branch: Option<&str>,
        self_verified: bool,
        document: &str,
    ) {
        use base64::Engine as _;
        let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        let mut request = json!({
            "pacticipantVersionNumber": version,
            "contract": {
                "content": encode(document),
                "contentType": "application/json",
                "specification": "oas",
                "selfVerificationResults": {
                    "success": self_verified,
                    "content": encode("12 tests"),
                    "contentType": "text/plain",
                    "verifier": "schemathesis"
                }
            }
        });
        if let Some(branch) = branch {
            request["branch"] = json!(branch);
        }
        let (status, body) = self.post(
            &format!("/provider-contracts/provider/{provider}/publish"),
            &request,
        );
        assert_eq!(status, 200, "{body}");
    }

    /// Waits until the broker holds `expected` cross-checks and none is pending (`/metrics`).
    pub fn wait_for_cross_checks(&self, expected: i64) {
        let started = std::time::Instant::now();
        while self.count("crossChecksPending") != 0 || self.count("crossChecks") != expected {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "not {expected} cross-checks computed after a minute: {}",
                self.ok("/metrics")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Publishes contracts through `/contracts/publish`.
    pub fn publish(
        &self,
        consumer: &str,
        version: &str,
        branch: Option<&str>,
        tags: &[&str],
        contracts: &[Value],
    ) -> (u16, Value) {
        self.post(
            "/contracts/publish",
            &publish_body(consumer, version, branch, tags, contracts, None),
        )
    }
}

/// A `/contracts/publish` request body, as pactum's client builds it.
pub fn publish_body(
    consumer: &str,
    version: &str,
    branch: Option<&str>,
    tags: &[&str],
    contracts: &[Value],
    on_conflict: Option<OnConflict>,
) -> Value {
    let request = PublishRequest {
        pacticipant_name: consumer.to_owned(),
        pacticipant_version_number: version.to_owned(),
        branch: branch.map(str::to_owned),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        build_url: None,
        contracts: contracts
            .iter()
            .map(|pact| contract_to_publish(consumer, pact, on_conflict))
            .collect(),
    };
    serde_json::to_value(request).expect("a publish request is JSON")
}

/// A small V3 pact between `consumer` and `provider` whose interactions are named by
/// `descriptions`, each `GET /<description>` answering `{"id": <n>}` with an integer matcher.
pub fn pact(consumer: &str, provider: &str, descriptions: &[&str]) -> Value {
    let interactions: Vec<Value> = descriptions
        .iter()
        .enumerate()
        .map(|(n, description)| {
            json!({
                "description": description,
                "providerStates": [{"name": format!("{description} exists")}],
                "request": {"method": "GET", "path": format!("/items/{n}")},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": {"id": n},
                    "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}
                }
            })
        })
        .collect();
    json!({
        "consumer": {"name": consumer},
        "provider": {"name": provider},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}
