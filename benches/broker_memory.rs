//! Memory bounds of the broker: the peak RSS of a release `pactum broker` process (SQLite) for
//! the heaviest requests it accepts — matrix questions at the limits, and publications at the
//! body limit, alone, three at once, and merged — and what it keeps afterwards.
//!
//! `cargo bench --bench broker_memory`. Each case starts a fresh broker process on a fresh
//! SQLite file (the two matrix cases over many rows share one), seeds it through the API,
//! resets the peak (`/proc/PID/clear_refs`) and reads `VmRSS`, sends the request(s), and reads
//! `VmHWM` (the peak RSS since) and `VmRSS` again. While
//! publications run, `/health` is asked every 10 ms and its slowest answer recorded.
//! `BROKER_MEMORY_BINARY=/path/to/pactum` measures another build (an older release) with the
//! same requests; `BROKER_MEMORY_CASES=matrix,publish` picks cases by name prefix.

use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::blocking::Client;
use serde_json::{Value, json};

#[allow(dead_code)] // the helpers of the other broker benchmarks
#[path = "support/broker_process.rs"]
mod broker_process;
use broker_process::start_broker_binary;

/// `VmHWM` and `VmRSS` of a process, in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc is there");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

struct Broker {
    process: broker_process::Running,
    url: String,
    client: Client,
    _dir: std::path::PathBuf,
}

impl Broker {
    fn start(binary: &str, case: &str) -> Broker {
        let dir = std::env::temp_dir().join(format!(
            "pactum-broker-memory-{}-{case}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let database = dir.join("broker.sqlite").display().to_string();
        let (process, url) = start_broker_binary(binary, &database);
        Broker {
            process,
            url,
            client: Client::builder()
                .timeout(Duration::from_secs(600))
                .build()
                .unwrap(),
            _dir: dir,
        }
    }

    fn pid(&self) -> u32 {
        self.process.0.id()
    }

    fn send(&self, method: reqwest::Method, path: &str, body: Option<String>) -> (u16, usize) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.url))
            .header("content-type", "application/json");
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().expect("the broker answers");
        let status = response.status().as_u16();
        let bytes = response.bytes().map(|b| b.len()).unwrap_or(0);
        (status, bytes)
    }

    fn ok(&self, method: reqwest::Method, path: &str, body: Option<String>) {
        let (status, _) = self.send(method.clone(), path, body);
        assert!((200..300).contains(&status), "{method} {path}: {status}");
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

/// A V3 contract of `count` interactions between `consumer` and `api`, as JSON text (about 130
/// bytes an interaction); `offset` numbers them.
fn contract(consumer: &str, count: usize, offset: usize) -> String {
    let interactions: Vec<String> = (offset..offset + count)
        .map(|n| {
            format!(
                r#"{{"description":"get item {n}","request":{{"method":"GET","path":"/items/{n}"}},"response":{{"status":200,"body":{{"id":{n}}}}}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"consumer":{{"name":"{consumer}"}},"provider":{{"name":"api"}},"interactions":[{}],"metadata":{{"pactSpecification":{{"version":"3.0.0"}}}}}}"#,
        interactions.join(",")
    )
}

fn publish_body(consumer: &str, version: &str, contract: &str, branch: Option<&str>) -> String {
    json!({
        "pacticipantName": consumer,
        "pacticipantVersionNumber": version,
        "branch": branch,
        "tags": ["dev", "prod"],
        "contracts": [{
            "consumerName": consumer,
            "providerName": "api",
            "specification": "pact",
            "contentType": "application/json",
            "content": base64::engine::general_purpose::STANDARD.encode(contract),
        }]
    })
    .to_string()
}

/// One measured case.
struct Figures {
    case: String,
    request: String,
    answer: String,
    seconds: f64,
    before: (f64, f64),
    after: (f64, f64),
    slowest_health: Option<Duration>,
}

/// Runs `work` (requests against `broker`), asking `/health` every 10 ms meanwhile when
/// `watch_health`.
fn measure(
    broker: &Broker,
    case: &str,
    request: String,
    watch_health: bool,
    work: impl FnOnce() -> String + Send,
) -> Figures {
    // Start the peak afresh from what the process holds now (Linux 4.0 and later), so each
    // case's peak is its own even when cases share a process.
    let _ = std::fs::write(format!("/proc/{}/clear_refs", broker.pid()), "5");
    let before = memory(broker.pid());
    let started = Instant::now();
    let done = std::sync::atomic::AtomicBool::new(false);
    let (answer, slowest_health) = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut slowest = Duration::ZERO;
            while watch_health && !done.load(std::sync::atomic::Ordering::Relaxed) {
                let asked = Instant::now();
                broker.ok(reqwest::Method::GET, "/health", None);
                slowest = slowest.max(asked.elapsed());
                std::thread::sleep(Duration::from_millis(10));
            }
            slowest
        });
        let answer = work();
        done.store(true, std::sync::atomic::Ordering::Relaxed);
        (answer, watcher.join().unwrap())
    });
    let seconds = started.elapsed().as_secs_f64();
    // Let the allocator settle before reading what stays.
    std::thread::sleep(Duration::from_millis(500));
    Figures {
        case: case.to_owned(),
        request,
        answer,
        seconds,
        before,
        after: memory(broker.pid()),
        slowest_health: watch_health.then_some(slowest_health),
    }
}

/// web 1 → api, verified by api 1.
fn seed_one_pair(broker: &Broker) {
    broker.ok(
        reqwest::Method::POST,
        "/contracts/publish",
        Some(publish_body(
            "web",
            "1",
            &contract("web", 3, 0),
            Some("main"),
        )),
    );
    broker.ok(
        reqwest::Method::PUT,
        "/pacticipants/api/versions/1",
        Some("{}".into()),
    );
    verify_all(broker, 1..=1);
}

/// Each of the api versions in `versions` verifies the one contract web published.
fn verify_all(broker: &Broker, versions: std::ops::RangeInclusive<usize>) {
    let latest: Value = broker
        .client
        .get(format!(
            "{}/pacts/provider/api/consumer/web/latest",
            broker.url
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let href = latest["_links"]["pb:publish-verification-results"]["href"]
        .as_str()
        .unwrap()
        .to_owned();
    for n in versions {
        let path = href.trim_start_matches(&broker.url).to_owned();
        broker.ok(
            reqwest::Method::POST,
            &path,
            Some(
                json!({"success": true, "providerApplicationVersion": format!("{n}")}).to_string(),
            ),
        );
        broker.ok(
            reqwest::Method::PUT,
            &format!("/pacticipants/api/branches/main/versions/{n}"),
            Some("{}".into()),
        );
    }
}

fn matrix(broker: &Broker, query: &str) -> String {
    let (status, bytes) = broker.send(reqwest::Method::GET, &format!("/matrix?{query}"), None);
    format!("{status}, {:.1} MB", bytes as f64 / 1e6)
}

fn cases(binary: &str, wanted: &dyn Fn(&str) -> bool) -> Vec<Figures> {
    let mut figures = Vec::new();

    if wanted("idle") {
        let broker = Broker::start(binary, "idle");
        figures.push(measure(&broker, "idle", "-".into(), false, || "-".into()));
    }

    if wanted("matrix-repeated") {
        let broker = Broker::start(binary, "repeated");
        seed_one_pair(&broker);
        let pair = "q[][pacticipant]=web&q[][version]=1&q[][pacticipant]=api&q[][version]=1";
        let query = format!("{}&latestby=cvpv", vec![pair; 300].join("&"));
        let request = format!(
            "GET /matrix, 300 repeated pairs ({:.1} KB)",
            query.len() as f64 / 1e3
        );
        figures.push(measure(&broker, "matrix-repeated", request, false, || {
            matrix(&broker, &query)
        }));
    }

    if wanted("matrix-rows") || wanted("matrix-selectors") {
        let broker = Broker::start(binary, "rows");
        // 100 web versions (one contract, branch main, two tags) × 100 api versions, each
        // of which verified it.
        let text = contract("web", 3, 0);
        for n in 1..=100 {
            broker.ok(
                reqwest::Method::POST,
                "/contracts/publish",
                Some(publish_body("web", &format!("{n}"), &text, Some("main"))),
            );
        }
        verify_all(&broker, 1..=100);
        if wanted("matrix-rows") {
            let query = "q[][pacticipant]=web&q[][pacticipant]=api&limit=100";
            figures.push(measure(
                &broker,
                "matrix-rows",
                "GET /matrix, every version of both (10,000 rows)".into(),
                false,
                || matrix(&broker, query),
            ));
        }
        if wanted("matrix-selectors") {
            let query: Vec<String> = (1..=50)
                .flat_map(|n| {
                    [
                        format!("q[][pacticipant]=web&q[][version]={n}"),
                        format!("q[][pacticipant]=api&q[][version]={n}"),
                    ]
                })
                .collect();
            let query = query.join("&");
            figures.push(measure(
                &broker,
                "matrix-selectors",
                "GET /matrix, 100 distinct selectors (2,500 rows)".into(),
                false,
                || matrix(&broker, &query),
            ));
        }
    }

    let large = contract("web", 100_000, 0);
    if wanted("publish-put") {
        let broker = Broker::start(binary, "put");
        let request = format!(
            "PUT a {:.1} MB contract of 100,000 interactions",
            large.len() as f64 / 1e6
        );
        let body = large.clone();
        figures.push(measure(&broker, "publish-put", request, true, || {
            let (status, _) = broker.send(
                reqwest::Method::PUT,
                "/pacts/provider/api/consumer/web/version/1",
                Some(body),
            );
            status.to_string()
        }));
    }

    if wanted("publish-limit") {
        // The largest contract whose /contracts/publish body fits the default 16 MiB limit.
        let limit = 16 * 1024 * 1024;
        let mut count = 96_000;
        let mut body = publish_body("web", "1", &contract("web", count, 0), None);
        while body.len() > limit {
            count -= 1_000;
            body = publish_body("web", "1", &contract("web", count, 0), None);
        }
        let broker = Broker::start(binary, "limit");
        let request = format!(
            "POST /contracts/publish, {:.1} MB body ({count} interactions)",
            body.len() as f64 / 1e6
        );
        figures.push(measure(&broker, "publish-limit", request, true, || {
            broker
                .send(reqwest::Method::POST, "/contracts/publish", Some(body))
                .0
                .to_string()
        }));
    }

    if wanted("publish-three") {
        let broker = Broker::start(binary, "three");
        let bodies: Vec<(String, String)> = ["one", "two", "three"]
            .iter()
            .map(|c| (c.to_string(), contract(c, 100_000, 0)))
            .collect();
        let request = format!(
            "3 × PUT a {:.1} MB contract at once",
            bodies[0].1.len() as f64 / 1e6
        );
        figures.push(measure(&broker, "publish-three", request, true, || {
            std::thread::scope(|scope| {
                let threads: Vec<_> = bodies
                    .into_iter()
                    .map(|(consumer, body)| {
                        let broker = &broker;
                        scope.spawn(move || {
                            broker
                                .send(
                                    reqwest::Method::PUT,
                                    &format!("/pacts/provider/api/consumer/{consumer}/version/1"),
                                    Some(body),
                                )
                                .0
                                .to_string()
                        })
                    })
                    .collect();
                threads
                    .into_iter()
                    .map(|t| t.join().unwrap())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
        }));
    }

    if wanted("publish-merge") {
        let broker = Broker::start(binary, "merge");
        broker.ok(
            reqwest::Method::PUT,
            "/pacts/provider/api/consumer/web/version/1",
            Some(large.clone()),
        );
        let more = contract("web", 100_000, 100_000);
        let request = format!(
            "PATCH (merge) {:.1} MB, 100,000 new interactions, into as many",
            more.len() as f64 / 1e6
        );
        figures.push(measure(&broker, "publish-merge", request, true, || {
            broker
                .send(
                    reqwest::Method::PATCH,
                    "/pacts/provider/api/consumer/web/version/1",
                    Some(more),
                )
                .0
                .to_string()
        }));
    }
    figures
}

fn main() {
    let binary = std::env::var("BROKER_MEMORY_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_pactum").to_owned());
    let selected = std::env::var("BROKER_MEMORY_CASES").ok();
    let wanted = |case: &str| {
        selected
            .as_deref()
            .is_none_or(|list| list.split(',').any(|prefix| case.starts_with(prefix)))
    };
    eprintln!("measuring {binary}");
    let figures = cases(&binary, &wanted);
    println!(
        "| case | request | answer | time | RSS before | peak RSS | RSS after | slowest /health |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for f in figures {
        println!(
            "| {} | {} | {} | {:.2} s | {:.1} MB | {:.1} MB | {:.1} MB | {} |",
            f.case,
            f.request,
            f.answer,
            f.seconds,
            f.before.1,
            f.after.0,
            f.after.1,
            f.slowest_health
                .map(|d| format!("{:.0} ms", d.as_secs_f64() * 1000.0))
                .unwrap_or_else(|| "-".into())
        );
    }
}
