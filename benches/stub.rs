//! `pactum stub` against the official `pact stub` (0.7.1), same contracts, same requests, same
//! run: contracts of 10, 100 and 1,000 interactions (`GET /items/{i}` with an `Accept` header,
//! JSON responses with matchers and a generator).
//!
//! For each server and size it reports the start-up time (from spawning the process to its
//! first answered request, the last-declared interaction), the latency per request from one keep-alive client
//! (mean and p99, requests cycling over all interactions), requests per second under `wrk`
//! (2 threads, 32 connections, on the last-declared interaction, the worst case for a linear
//! search) and the peak RSS. The official stub gets as many requests as fit in a time budget,
//! because it needs seconds per request on large contracts; a watchdog stops it if its memory
//! passes 8 GB.
//!
//! Run: `cargo bench --bench stub` (needs `wrk` and scripts/install-pact-clients.sh).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The official `pact` binary inside the npm package. Run directly: the npm shim in
/// `.bin/` starts it as a child process, which would outlive a kill of the shim.
const PACT_BINARY: &str = "node_modules/@pact-foundation/pact-cli-linux-x64/standalone/pact";

const SIZES: [usize; 3] = [10, 100, 1000];
const RSS_LIMIT_KB: u64 = 8 * 1024 * 1024;

fn contract(n: usize, dir: &Path) -> PathBuf {
    let interactions: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            serde_json::json!({
                "type": "Synchronous/HTTP",
                "description": format!("a request for item {i}"),
                "request": {"method": "GET", "path": format!("/items/{i}"), "headers": {"Accept": ["application/json"]}},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": ["application/json"]},
                    "body": {"contentType": "application/json", "encoded": false,
                        "content": {"id": i, "name": format!("item {i}"), "price": 9.99, "tags": ["a", "b"]}},
                    "matchingRules": {"body": {
                        "$.id": {"matchers": [{"match": "integer"}]},
                        "$.name": {"matchers": [{"match": "type"}]},
                        "$.tags": {"matchers": [{"match": "type", "min": 1}]}
                    }},
                    "generators": {"body": {"$.price": {"type": "RandomDecimal", "digits": 4}}}
                }
            })
        })
        .collect();
    let pact = serde_json::json!({
        "consumer": {"name": "bench-consumer"}, "provider": {"name": "bench-provider"},
        "interactions": interactions, "metadata": {"pactSpecification": {"version": "4.0"}}
    });
    let file = dir.join(format!("bench-{n}.json"));
    std::fs::write(&file, pact.to_string()).unwrap();
    file
}

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn start_pactum(file: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args([
            "stub",
            "--port",
            "0",
            "--log-level",
            "warn",
            "--contract",
            file.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split(':')
        .nth(2)
        .and_then(|p| p.split_whitespace().next())
        .unwrap()
        .parse()
        .unwrap();
    Server { child, port }
}

fn start_official(clients: &Path, file: &Path) -> Server {
    let port = free_port();
    let child = Command::new(clients.join(PACT_BINARY))
        .args([
            "stub",
            "-f",
            file.to_str().unwrap(),
            "-p",
            &port.to_string(),
        ])
        .env("PACT_DO_NOT_TRACK", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for(port);
    Server { child, port }
}

fn status_kb(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Time from `spawned` to the first successful answer to the last-declared interaction: what
/// a test suite that starts a stub waits before its first request.
fn first_answer(server: &Server, n: usize, spawned: Instant) -> Duration {
    let response = reqwest::blocking::Client::new()
        .get(format!("http://127.0.0.1:{}/items/{}", server.port, n - 1))
        .header("Accept", "application/json")
        .timeout(Duration::from_secs(300))
        .send()
        .expect("the stub answers its first request");
    assert!(
        response.status().is_success(),
        "the stub's first answer is {}",
        response.status()
    );
    spawned.elapsed()
}

struct Latency {
    requests: usize,
    mean: Duration,
    p99: Duration,
    failed: usize,
}

fn latency(server: &Server, n: usize, max_requests: usize, budget: Duration) -> Latency {
    let client = reqwest::blocking::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let pid = server.child.id();
    let mut times = Vec::new();
    let mut failed = 0;
    let start = Instant::now();
    for k in 0..max_requests {
        let i = (k * 7919) % n;
        let t = Instant::now();
        let ok = client
            .get(format!("http://127.0.0.1:{}/items/{i}", server.port))
            .header("Accept", "application/json")
            .send()
            .map(|r| r.status().is_success())
            .unwrap_or(false);
        times.push(t.elapsed());
        if !ok {
            failed += 1;
        }
        if start.elapsed() > budget || status_kb(pid, "VmRSS") > RSS_LIMIT_KB {
            break;
        }
    }
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let p99 = times[(times.len() * 99 / 100).min(times.len() - 1)];
    Latency {
        requests: times.len(),
        mean,
        p99,
        failed,
    }
}

/// Requests per second from `wrk` on the last interaction, or None if wrk is missing.
fn throughput(server: &Server, n: usize, seconds: u32) -> Option<f64> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            "-c32",
            &format!("-d{seconds}s"),
            "-H",
            "Accept: application/json",
        ])
        .arg(format!("http://127.0.0.1:{}/items/{}", server.port, n - 1))
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let non2xx = text.lines().any(|l| l.contains("Non-2xx"));
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok());
    if non2xx {
        eprintln!("warning: wrk saw non-2xx responses:\n{text}");
    }
    rps
}

fn fmt(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.3} ms", d.as_secs_f64() * 1000.0)
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful: only run
    // for real benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("pactum-stub-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let clients = std::env::var_os("PACTUM_PACT_CLIENTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/pact-clients"));
    let official_available = clients.join(PACT_BINARY).exists();

    println!(
        "| server | interactions | start-up (first answer) | keep-alive latency mean | p99 | requests | wrk req/s | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for n in SIZES {
        let file = contract(n, &dir);
        {
            let spawned = Instant::now();
            let server = start_pactum(&file);
            let start_up = first_answer(&server, n, spawned);
            let lat = latency(&server, n, 5000, Duration::from_secs(10));
            let rps = throughput(&server, n, 5);
            let rss = status_kb(server.child.id(), "VmHWM");
            println!(
                "| pactum stub | {n} | {} | {} | {} | {} ({} failed) | {} | {:.1} MB |",
                fmt(start_up),
                fmt(lat.mean),
                fmt(lat.p99),
                lat.requests,
                lat.failed,
                rps.map(|r| format!("{r:.0}")).unwrap_or_else(|| "-".into()),
                rss as f64 / 1024.0
            );
        }
        if official_available {
            let spawned = Instant::now();
            let server = start_official(&clients, &file);
            let start_up = first_answer(&server, n, spawned);
            let budget = if n >= 1000 {
                Duration::from_secs(60)
            } else {
                Duration::from_secs(20)
            };
            let lat = latency(&server, n, 500, budget);
            // Under load the official stub at 100+ interactions would only queue requests.
            let rps = if n <= 10 {
                throughput(&server, n, 5)
            } else {
                None
            };
            let rss = status_kb(server.child.id(), "VmHWM");
            println!(
                "| pact stub 0.7.1 | {n} | {} | {} | {} | {} ({} failed) | {} | {:.1} MB |",
                fmt(start_up),
                fmt(lat.mean),
                fmt(lat.p99),
                lat.requests,
                lat.failed,
                rps.map(|r| format!("{r:.0}"))
                    .unwrap_or_else(|| "not run".into()),
                rss as f64 / 1024.0
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
