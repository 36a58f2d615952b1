//! Webhook benchmark against a running `pactum broker` process, on SQLite and (when
//! `PACTUM_TEST_DATABASE_URL` is set) PostgreSQL:
//!
//! * latency: the time from a publication's acknowledgement (its 200 read by the client) to the
//!   receiver's first request for it, p50/p99 over `WEBHOOK_BENCH_LATENCY` publications (default
//!   1000), one at a time so no delivery queues behind another;
//! * throughput: publications per second from 16 clients (`WEBHOOK_BENCH_PUBLISHES`, default
//!   1000) with no webhook, then on a fresh database with 10 webhooks listening (10 deliveries
//!   per publication, sent while the publications go on), and how long the last delivery took
//!   after the last acknowledgement.
//!
//! The receiver is an axum server in this process on 127.0.0.1 answering 200.
//!
//! `cargo bench --bench broker_webhooks`

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use base64::Engine as _;
use serde_json::json;

#[path = "support/broker_process.rs"]
mod broker_process;
use broker_process::{
    drop_postgres, fresh_postgres, percentile, publish_concurrently, start_broker_with,
};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the receiver saw: when the first request for each version came, and how many came.
#[derive(Clone, Default)]
struct Receiver {
    first: Arc<Mutex<HashMap<String, Instant>>>,
    count: Arc<AtomicUsize>,
}

async fn receive(State(receiver): State<Receiver>, body: Bytes) -> &'static str {
    let now = Instant::now();
    let version = String::from_utf8_lossy(&body).into_owned();
    receiver.first.lock().unwrap().entry(version).or_insert(now);
    receiver.count.fetch_add(1, Ordering::Relaxed);
    "ok"
}

async fn serve_receiver() -> (Receiver, String) {
    let receiver = Receiver::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().fallback(receive).with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (receiver, url)
}

/// A publication of a 10-interaction contract (about 6 KB) for a new version of `web`.
fn publish_body(version: &str) -> String {
    let interactions: Vec<_> = (0..10)
        .map(|n| {
            json!({
                "description": format!("request {n}"),
                "providerStates": [{"name": format!("item {n} exists")}],
                "request": {"method": "GET", "path": format!("/items/{n}")},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": {"id": n, "name": "a thing", "tags": ["x", "y"], "price": 9.5},
                    "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}
                }
            })
        })
        .collect();
    let contract = json!({
        "consumer": {"name": "web"},
        "provider": {"name": "catalogue"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    });
    json!({
        "pacticipantName": "web",
        "pacticipantVersionNumber": version,
        "branch": "main",
        "contracts": [{
            "consumerName": "web", "providerName": "catalogue", "specification": "pact",
            "contentType": "application/json",
            "content": base64::engine::general_purpose::STANDARD.encode(contract.to_string())
        }]
    })
    .to_string()
}

async fn post(client: &reqwest::Client, url: String, body: String) {
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        response.text().await.unwrap()
    );
}

/// A broker sending webhooks over http to 127.0.0.1, with `webhooks` webhooks listening for
/// `contract_published` (each sends the consumer version as its body).
async fn broker_with_webhooks(
    database_url: &str,
    receiver_url: &str,
    webhooks: usize,
) -> (broker_process::Running, String) {
    let (broker, url) = start_broker_with(
        database_url,
        &[
            "--webhook-allow-scheme",
            "http",
            "--webhook-allow-host",
            "127.0.0.1",
        ],
    );
    let client = reqwest::Client::new();
    for name in ["web", "catalogue"] {
        post(
            &client,
            format!("{url}/pacticipants"),
            json!({"name": name}).to_string(),
        )
        .await;
    }
    for n in 0..webhooks {
        let webhook = json!({
            "description": format!("webhook {n}"),
            "provider": {"name": "catalogue"},
            "events": [{"name": "contract_published"}],
            "request": {
                "method": "POST",
                "url": format!("{receiver_url}/hook/{n}"),
                "body": "${pactbroker.consumerVersionNumber}"
            }
        });
        post(&client, format!("{url}/webhooks"), webhook.to_string()).await;
    }
    (broker, url)
}

struct Latency {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    before_ack: usize,
}

/// Publishes `count` versions one at a time; for each, the time from the acknowledgement to
/// the receiver's first request (a request that came before the acknowledgement counts 0).
async fn latency(database_url: &str, count: usize) -> Latency {
    let (receiver, receiver_url) = serve_receiver().await;
    let (_broker, url) = broker_with_webhooks(database_url, &receiver_url, 1).await;
    let client = reqwest::Client::new();
    let mut samples = Vec::with_capacity(count);
    let mut before_ack = 0;
    for n in 0..count {
        let version = format!("1.0.{n}");
        post(
            &client,
            format!("{url}/contracts/publish"),
            publish_body(&version),
        )
        .await;
        let acknowledged = Instant::now();
        let deadline = acknowledged + Duration::from_secs(10);
        let arrived = loop {
            if let Some(at) = receiver.first.lock().unwrap().get(&version) {
                break *at;
            }
            assert!(Instant::now() < deadline, "no delivery for {version}");
            tokio::time::sleep(Duration::from_micros(200)).await;
        };
        if arrived < acknowledged {
            before_ack += 1;
        }
        samples.push(arrived.saturating_duration_since(acknowledged));
    }
    samples.sort();
    Latency {
        p50_ms: percentile(&samples, 0.50),
        p99_ms: percentile(&samples, 0.99),
        max_ms: percentile(&samples, 1.0),
        before_ack,
    }
}

struct Throughput {
    webhooks: usize,
    publishes_per_s: f64,
    publish_p99_ms: f64,
    /// From the last acknowledgement to the last delivery's arrival.
    drain_ms: Option<f64>,
}

async fn throughput(database_url: &str, webhooks: usize, publishes: usize) -> Throughput {
    const CLIENTS: usize = 16;
    let (receiver, receiver_url) = serve_receiver().await;
    let (_broker, url) = broker_with_webhooks(database_url, &receiver_url, webhooks).await;
    let bodies: Arc<Vec<String>> = Arc::new(
        (0..publishes)
            .map(|n| publish_body(&format!("2.0.{n}")))
            .collect(),
    );
    let (elapsed, latencies) = publish_concurrently(&url, bodies, CLIENTS).await;
    let last_ack = Instant::now();
    let expected = webhooks * publishes;
    let mut drain_ms = None;
    if expected > 0 {
        let deadline = last_ack + Duration::from_secs(600);
        while receiver.count.load(Ordering::Relaxed) < expected {
            assert!(Instant::now() < deadline, "deliveries did not all arrive");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        drain_ms = Some(last_ack.elapsed().as_secs_f64() * 1000.0);
    }
    Throughput {
        webhooks,
        publishes_per_s: publishes as f64 / elapsed.as_secs_f64(),
        publish_p99_ms: percentile(&latencies, 0.99),
        drain_ms,
    }
}

/// A fresh database of the backend for one measurement.
struct Backend {
    name: &'static str,
    dir: std::path::PathBuf,
    postgres: Option<String>,
}

impl Backend {
    async fn fresh(&self, n: usize) -> String {
        match &self.postgres {
            None => self.dir.join(format!("{n}.sqlite")).display().to_string(),
            Some(admin) => fresh_postgres(admin, &format!("pactum_webhook_bench_{n}")).await,
        }
    }

    async fn done(&self, url: &str) {
        if let Some(admin) = &self.postgres {
            drop_postgres(admin, url).await;
        }
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let latency_count = env_usize("WEBHOOK_BENCH_LATENCY", 1000);
    let publishes = env_usize("WEBHOOK_BENCH_PUBLISHES", 1000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = std::env::temp_dir().join(format!("pactum-webhook-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut backends = vec![Backend {
        name: "SQLite",
        dir: dir.clone(),
        postgres: None,
    }];
    match std::env::var("PACTUM_TEST_DATABASE_URL") {
        Ok(admin) => backends.push(Backend {
            name: "PostgreSQL",
            dir: dir.clone(),
            postgres: Some(admin),
        }),
        Err(_) => eprintln!("PostgreSQL skipped: set PACTUM_TEST_DATABASE_URL"),
    }
    let mut latency_rows = Vec::new();
    let mut throughput_rows = Vec::new();
    for backend in &backends {
        runtime.block_on(async {
            let url = backend.fresh(0).await;
            latency_rows.push((backend.name, latency(&url, latency_count).await));
            backend.done(&url).await;
            for (n, webhooks) in [(1, 0), (2, 10)] {
                let url = backend.fresh(n).await;
                throughput_rows.push((backend.name, throughput(&url, webhooks, publishes).await));
                backend.done(&url).await;
            }
        });
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\n{latency_count} publications, one at a time: acknowledgement → receiver's first request\n"
    );
    println!("| backend | p50 | p99 | max | arrived before the acknowledgement |");
    println!("|---|---|---|---|---|");
    for (name, l) in &latency_rows {
        println!(
            "| {name} | {:.2} ms | {:.2} ms | {:.2} ms | {} of {latency_count} |",
            l.p50_ms, l.p99_ms, l.max_ms, l.before_ack
        );
    }
    println!("\n{publishes} publications from 16 clients\n");
    println!("| backend | webhooks | publishes/s | publish p99 | last delivery after last ack |");
    println!("|---|---|---|---|---|");
    for (name, t) in &throughput_rows {
        println!(
            "| {name} | {} | {:.0} | {:.1} ms | {} |",
            t.webhooks,
            t.publishes_per_s,
            t.publish_p99_ms,
            t.drain_ms
                .map(|ms| format!("{ms:.0} ms ({} deliveries)", t.webhooks * publishes))
                .unwrap_or_else(|| "-".into())
        );
    }
}
