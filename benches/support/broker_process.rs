//! What the broker benchmarks share: a `pactum broker` process, scratch PostgreSQL databases,
//! and latency percentiles.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the release `pactum broker` on a free port; returns it and its base URL.
#[allow(dead_code)] // not every bench including this file uses both
pub fn start_broker(database_url: &str) -> (Running, String) {
    start_broker_with(database_url, &[])
}

/// [`start_broker`] with more arguments.
#[allow(dead_code)]
pub fn start_broker_with(database_url: &str, more: &[&str]) -> (Running, String) {
    start_broker_binary_with(env!("CARGO_BIN_EXE_pactum"), database_url, more)
}

/// Starts `pactum broker` from the binary at `binary` (another build, to compare with) on a free
/// port; returns it and its base URL.
#[allow(dead_code)]
pub fn start_broker_binary(binary: &str, database_url: &str) -> (Running, String) {
    start_broker_binary_with(binary, database_url, &[])
}

fn start_broker_binary_with(binary: &str, database_url: &str, more: &[&str]) -> (Running, String) {
    let mut child = Command::new(binary)
        .args([
            "broker",
            "--port",
            "0",
            "--log-level",
            "warn",
            "--database-url",
            database_url,
        ])
        .args(more)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("pactum broker starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .nth(4)
        .expect("listening line")
        .to_owned();
    (Running(child), url)
}

async fn admin(admin_url: &str, sql: String) {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("PostgreSQL answers");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut connection)
        .await
        .unwrap();
}

/// A fresh database named `{prefix}_{pid}` on the server of `admin_url`; returns its URL.
pub async fn fresh_postgres(admin_url: &str, prefix: &str) -> String {
    let name = format!("{prefix}_{}", std::process::id());
    admin(
        admin_url,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
    admin(admin_url, format!("CREATE DATABASE {name}")).await;
    let slash = admin_url.rfind('/').unwrap();
    format!("{}/{name}", &admin_url[..slash])
}

/// Drops a benchmark's database (it would otherwise keep PostgreSQL busy vacuuming).
pub async fn drop_postgres(admin_url: &str, url: &str) {
    let name = url.rsplit('/').next().unwrap_or_default();
    admin(
        admin_url,
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
}

/// The `p` percentile (0–1) of sorted samples, in milliseconds.
pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Publishes every body through `POST {url}/contracts/publish` from `clients` concurrent
/// keep-alive clients, each taking the next body until none is left; every answer must be a
/// 2xx. Returns the wall time and each publication's latency, sorted.
#[allow(dead_code)] // not every bench including this file publishes
pub async fn publish_concurrently(
    url: &str,
    bodies: Arc<Vec<String>>,
    clients: usize,
) -> (Duration, Vec<Duration>) {
    let client = reqwest::Client::new();
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (client, url, bodies, next) = (
            client.clone(),
            format!("{url}/contracts/publish"),
            bodies.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while let Some(body) = bodies.get(next.fetch_add(1, Ordering::Relaxed)) {
                let t = Instant::now();
                let response = client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                let status = response.status();
                assert!(
                    status.is_success(),
                    "{status}: {}",
                    response.text().await.unwrap()
                );
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    (elapsed, latencies)
}
