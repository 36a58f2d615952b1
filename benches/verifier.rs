//! `pactum verify` against the official `pact verifier` (1.3.5): one generated V4 contract of
//! 100 and of 1,000 interactions with the common matchers, verified against the same fast
//! local provider (an axum app in this process, Nagle off) in the same run. Reports wall time,
//! time per interaction and peak RSS (GNU `time`), and how `--parallel N` scales.
//!
//! Then, for the 1,000-interaction contract, the provider alone and `pactum verify` alternate
//! (A B A B, 11 rounds) and the medians give the ratio: single runs on a shared machine moved
//! that ratio between 0.9× and 2.7×.
//!
//! Run: `cargo bench --bench verifier` (needs scripts/install-pact-clients.sh and /usr/bin/time).

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::Path as UrlPath;
use axum::routing::get;
use serde_json::json;

/// The official `pact` binary inside the npm package (run directly, not through the shim).
const PACT_BINARY: &str = "node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact";

fn contract(n: usize, dir: &Path) -> PathBuf {
    let file = dir.join(format!("verify-{n}.json"));
    std::fs::write(&file, common::verifier_contract(n).to_string()).unwrap();
    file
}

async fn item(UrlPath(id): UrlPath<u64>) -> Json<serde_json::Value> {
    Json(
        json!({"id": id, "name": format!("item {id}"), "price": 12.5, "sku": "XYZ-9999",
        "updatedAt": "2025-02-03T04:05:06", "tags": ["x", "y"], "discontinuedAt": null}),
    )
}

fn start_provider() -> (u16, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    runtime.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let app = axum::Router::new().route("/items/{id}", get(item));
        let _ = axum::serve(listener, app).await;
    });
    (port, runtime)
}

/// Runs a command under GNU time; returns (wall time, peak RSS in KB, exit code).
fn timed(command: Command) -> (Duration, u64, i32) {
    let rss_file = std::env::temp_dir().join(format!("pactum-bench-rss-{}", std::process::id()));
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let start = Instant::now();
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&rss_file)
        .arg(program)
        .args(args)
        .env("PACT_DO_NOT_TRACK", "true")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    let elapsed = start.elapsed();
    let rss = std::fs::read_to_string(&rss_file)
        .unwrap_or_default()
        .trim()
        .lines()
        .last()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    (elapsed, rss, status.code().unwrap_or(-1))
}

/// The provider alone: one keep-alive client requesting every item once.
fn provider_baseline(port: u16, n: usize) -> Duration {
    let client = reqwest::blocking::Client::new();
    let start = Instant::now();
    for i in 0..n {
        client
            .get(format!("http://127.0.0.1:{port}/items/{i}"))
            .send()
            .unwrap()
            .bytes()
            .unwrap();
    }
    start.elapsed()
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let clients = std::env::var_os("PACTUM_PACT_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/pact-clients"));
    let official = clients.join(PACT_BINARY);
    let dir = std::env::temp_dir().join(format!("pactum-verify-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (port, _runtime) = start_provider();
    let base = format!("http://127.0.0.1:{port}");

    println!("| verifier | interactions | wall time | per interaction | peak RSS | exit |");
    println!("|---|---|---|---|---|---|");
    for n in [100, 1000] {
        let file = contract(n, &dir);
        let baseline = provider_baseline(port, n);
        println!(
            "| provider alone (keep-alive client) | {n} | {:.3} s | {:.3} ms | - | - |",
            baseline.as_secs_f64(),
            baseline.as_secs_f64() * 1000.0 / n as f64
        );
        for parallel in [1, 2, 4, 8] {
            let mut command = pactum_verify(&file, &base);
            command.args(["--parallel", &parallel.to_string()]);
            let (time, rss, code) = timed(command);
            println!(
                "| pactum verify --parallel {parallel} | {n} | {:.3} s | {:.3} ms | {:.1} MB | {code} |",
                time.as_secs_f64(),
                time.as_secs_f64() * 1000.0 / n as f64,
                rss as f64 / 1024.0
            );
        }
        if official.exists() {
            let mut command = Command::new(&official);
            command.args([
                "verifier",
                "-f",
                file.to_str().unwrap(),
                "--hostname",
                "127.0.0.1",
                "--port",
                &port.to_string(),
            ]);
            let (time, rss, code) = timed(command);
            println!(
                "| pact verifier 1.3.5 | {n} | {:.3} s | {:.3} ms | {:.1} MB | {code} |",
                time.as_secs_f64(),
                time.as_secs_f64() * 1000.0 / n as f64,
                rss as f64 / 1024.0
            );
        }
    }
    alternating(port, &base, &contract(1000, &dir), 1000, 11);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The provider alone and `pactum verify` of the same `n` interactions, alternated `rounds`
/// times; prints the medians and their ratio.
/// `pactum verify` of `file` against the provider at `base`.
fn pactum_verify(file: &Path, base: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command.args([
        "verify",
        "--contract",
        file.to_str().unwrap(),
        "--provider-base-url",
        base,
    ]);
    command
}

fn alternating(port: u16, base: &str, file: &Path, n: usize, rounds: usize) {
    let mut provider = Vec::new();
    let mut verify = Vec::new();
    let mut peak = 0;
    for _ in 0..rounds {
        provider.push(provider_baseline(port, n));
        let (time, rss, code) = timed(pactum_verify(file, base));
        assert_eq!(code, 0, "pactum verify failed on the benchmark contract");
        verify.push(time);
        peak = peak.max(rss);
    }
    let median = |times: &mut Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    let (provider, verify) = (median(&mut provider), median(&mut verify));
    println!();
    println!("| {n} interactions, {rounds} alternating rounds | median wall time | peak RSS |");
    println!("|---|---|---|");
    println!(
        "| provider alone (keep-alive client) | {:.3} s | - |",
        provider.as_secs_f64()
    );
    println!(
        "| pactum verify | {:.3} s | {:.1} MB |",
        verify.as_secs_f64(),
        peak as f64 / 1024.0
    );
    println!(
        "| ratio (verify ÷ provider alone) | {:.2}× | |",
        verify.as_secs_f64() / provider.as_secs_f64()
    );
}
