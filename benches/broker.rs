//! Broker load benchmark: publish throughput, contract-read latency and memory, against a
//! running `pactum broker` process on SQLite and (when `PACTUM_TEST_DATABASE_URL` is set) on
//! PostgreSQL.
//!
//! `cargo bench --bench broker` — options by environment: `BROKER_BENCH_PUBLISHES` (default
//! 3000), `BROKER_BENCH_READS` (default 20000), `BROKER_BENCH_CLIENTS` (concurrent clients,
//! default 16). Each publication is a new consumer version with a branch, a tag and a
//! 10-interaction contract (about 6 KB), as a CI pipeline sends it.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

#[path = "support/broker_process.rs"]
mod broker_process;
use broker_process::{
    drop_postgres, fresh_postgres, percentile, publish_concurrently, start_broker,
};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn contract(consumer: &str, variant: usize) -> Value {
    let interactions: Vec<Value> = (0..10)
        .map(|n| {
            json!({
                "description": format!("request {n} (variant {})", variant % 50),
                "providerStates": [{"name": format!("item {n} exists"), "params": {"id": n}}],
                "request": {"method": "GET", "path": format!("/items/{n}"), "headers": {"Accept": "application/json"}},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": {"id": n, "name": "a thing", "tags": ["x", "y"], "price": 9.5, "created": "2026-01-01T00:00:00Z"},
                    "matchingRules": {"body": {
                        "$.id": {"matchers": [{"match": "integer"}]},
                        "$.name": {"matchers": [{"match": "type"}]},
                        "$.tags": {"matchers": [{"match": "type", "min": 1}]},
                        "$.price": {"matchers": [{"match": "decimal"}]},
                        "$.created": {"matchers": [{"match": "datetime", "format": "yyyy-MM-dd'T'HH:mm:ssXXX"}]}
                    }}
                }
            })
        })
        .collect();
    json!({
        "consumer": {"name": consumer},
        "provider": {"name": "catalogue"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}}
    })
}

fn publish_body(consumer: &str, version: &str, variant: usize) -> String {
    let content =
        base64::engine::general_purpose::STANDARD.encode(contract(consumer, variant).to_string());
    json!({
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "branch": "main",
        "tags": ["dev"],
        "contracts": [{
            "consumerName": consumer, "providerName": "catalogue", "specification": "pact",
            "contentType": "application/json", "content": content
        }]
    })
    .to_string()
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

struct Figures {
    backend: &'static str,
    publishes_per_s: f64,
    publish_p99_ms: f64,
    read_p50_ms: f64,
    read_p99_ms: f64,
    reads_per_s: f64,
    idle_rss_mb: f64,
    loaded_rss_mb: f64,
}

async fn run(backend: &'static str, database_url: &str) -> Figures {
    let publishes = env_usize("BROKER_BENCH_PUBLISHES", 3000);
    let reads = env_usize("BROKER_BENCH_READS", 20000);
    let clients = env_usize("BROKER_BENCH_CLIENTS", 16);
    let (broker, url) = start_broker(database_url);
    let pid = broker.0.id();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss_mb = rss_kb(pid) as f64 / 1024.0;
    let client = reqwest::Client::new();

    // Publish: every request a new version of one of 20 consumers.
    let bodies: Arc<Vec<(String, String, String)>> = Arc::new(
        (0..publishes)
            .map(|n| {
                let consumer = format!("consumer-{}", n % 20);
                let version = format!("1.0.{n}");
                let body = publish_body(&consumer, &version, n);
                (consumer, version, body)
            })
            .collect(),
    );
    let (publish_elapsed, publish_latencies) = publish_concurrently(
        &url,
        Arc::new(bodies.iter().map(|(_, _, body)| body.clone()).collect()),
        clients,
    )
    .await;

    // Read: contracts by consumer version (random) and latest per consumer.
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, bodies, next) =
            (client.clone(), url.clone(), bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= reads {
                    break;
                }
                let (consumer, version, _) = &bodies[(n * 7919) % bodies.len()];
                let path = if n % 2 == 0 {
                    format!("{url}/pacts/provider/catalogue/consumer/{consumer}/version/{version}")
                } else {
                    format!("{url}/pacts/provider/catalogue/consumer/{consumer}/latest")
                };
                let t = Instant::now();
                let response = client.get(path).send().await.unwrap();
                assert_eq!(response.status(), 200);
                let _ = response.bytes().await.unwrap();
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut read_latencies = Vec::new();
    for task in tasks {
        read_latencies.extend(task.await.unwrap());
    }
    let read_elapsed = started.elapsed();
    read_latencies.sort();
    let loaded_rss_mb = rss_kb(pid) as f64 / 1024.0;
    drop(broker);
    Figures {
        backend,
        publishes_per_s: publishes as f64 / publish_elapsed.as_secs_f64(),
        publish_p99_ms: percentile(&publish_latencies, 0.99),
        read_p50_ms: percentile(&read_latencies, 0.50),
        read_p99_ms: percentile(&read_latencies, 0.99),
        reads_per_s: reads as f64 / read_elapsed.as_secs_f64(),
        idle_rss_mb,
        loaded_rss_mb,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a plain `cargo test --benches` run passes nothing and
    // should not spend a minute here.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut figures = Vec::new();
    let dir = std::env::temp_dir().join(format!("pactum-broker-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = dir.join("broker.sqlite").display().to_string();
    figures.push(runtime.block_on(run("SQLite", &sqlite)));
    if let Ok(admin_url) = std::env::var("PACTUM_TEST_DATABASE_URL") {
        let url = runtime.block_on(fresh_postgres(&admin_url, "pactum_bench"));
        figures.push(runtime.block_on(run("PostgreSQL", &url)));
        runtime.block_on(drop_postgres(&admin_url, &url));
    } else {
        eprintln!("PostgreSQL skipped: set PACTUM_TEST_DATABASE_URL");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "\n| backend | publishes/s | publish p99 | read p50 | read p99 | reads/s | RSS idle | RSS after load |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {:.0} | {:.1} ms | {:.2} ms | {:.2} ms | {:.0} | {:.1} MB | {:.1} MB |",
            f.backend,
            f.publishes_per_s,
            f.publish_p99_ms,
            f.read_p50_ms,
            f.read_p99_ms,
            f.reads_per_s,
            f.idle_rss_mb,
            f.loaded_rss_mb
        );
    }
}
