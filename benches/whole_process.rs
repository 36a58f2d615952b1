//! Whole processes, as a user runs them: `pactum match response --spec v4` against the
//! reference implementation's `match_response` wrapped in a small command
//! (`benches/peer/src/bin/match-response.rs`), both loading the same two files: an actual V4
//! response of 10,000 elements (1.76 MB), and an expected V4 response whose example holds one
//! element with type/integer/decimal/regex/datetime/null rules applying to every element (the
//! shape a consumer's contract has) — and, as a second case, an expected example that holds
//! 10,000 elements itself (a recorded one). The two commands run in turn, A B A B …, so a drift
//! in the machine's speed hits both; the report gives each one's median wall time, CPU time and
//! peak RSS, and the median of the pairs' ratios (for CPU only when pactum's spans 10 of GNU
//! time's 10 ms ticks).
//!
//! Run: `cargo bench --bench whole_process` (builds the peer command in benches/peer on first
//! use; needs GNU time at /usr/bin/time for peak RSS).

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 11;
/// GNU time's resolution for CPU time (`%U`, `%S`).
const TICK: Duration = Duration::from_millis(10);

fn inputs(dir: &Path, expected_elements: u64) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let (expected, actual) = common::whole_process_case(expected_elements, 10_000);
    let expected_file = dir.join(format!("expected-response-{expected_elements}.json"));
    let actual_file = dir.join("actual-response.json");
    std::fs::write(&expected_file, serde_json::to_vec(&expected).unwrap()).unwrap();
    std::fs::write(&actual_file, serde_json::to_vec(&actual).unwrap()).unwrap();
    (expected_file, actual_file)
}

fn peer_command(root: &Path) -> PathBuf {
    let manifest = root.join("benches/peer/Cargo.toml");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--release",
            "--bin",
            "match-response",
            "--manifest-path",
        ])
        .arg(&manifest)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the peer command failed");
    root.join("benches/peer/target/release/match-response")
}

/// One run's figures.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    /// User + system CPU time, from GNU time: what a busy machine inflates least.
    cpu: Duration,
    /// Peak RSS in KiB.
    rss: u64,
}

/// One run under GNU time, after checking it reported a match.
fn run(program: &Path, args: &[&Path]) -> Run {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%U %S %M"])
        .arg(program)
        .args(args)
        .output()
        .expect("/usr/bin/time runs");
    let wall = started.elapsed();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{} did not report a match:\n{}{}",
        program.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    let figures: Vec<f64> = stderr
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let [user, system, rss] = figures[..] else {
        panic!("unexpected GNU time output: {stderr}");
    };
    Run {
        wall,
        cpu: Duration::from_secs_f64(user + system),
        rss: rss as u64,
    }
}

fn median<T: PartialOrd + Copy>(mut values: Vec<T>) -> T {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes flags such as --bench; nothing here takes arguments.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-whole-process");
    let pactum = PathBuf::from(env!("CARGO_BIN_EXE_pactum"));
    let peer = peer_command(root);
    println!("whole processes, {RUNS} runs each, in turn; medians (GNU time: CPU = user + system)");
    println!("| expected example | command | wall | CPU | peak RSS | peer/pactum (wall, CPU) |");
    println!("|---|---|---|---|---|---|");
    for expected_elements in [1, 10_000] {
        let (expected, actual) = inputs(&dir, expected_elements);
        let pactum_args: Vec<&Path> = vec![
            Path::new("match"),
            Path::new("response"),
            Path::new("--spec"),
            Path::new("v4"),
            Path::new("--expected"),
            &expected,
            Path::new("--actual"),
            &actual,
        ];
        let peer_args: Vec<&Path> = vec![&expected, &actual];
        // Warm the page cache and check both agree that the files match.
        run(&pactum, &pactum_args);
        run(&peer, &peer_args);
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            ours.push(run(&pactum, &pactum_args));
            theirs.push(run(&peer, &peer_args));
        }
        let ratio = |pick: fn(&Run) -> Duration| {
            median(
                ours.iter()
                    .zip(&theirs)
                    .map(|(a, b)| pick(b).as_secs_f64() / pick(a).as_secs_f64().max(1e-4))
                    .collect(),
            )
        };
        let wall_ratio = ratio(|r| r.wall);
        // GNU time reports CPU in 10 ms ticks: a ratio over a few ticks is noise (pactum's
        // 11 ms read as 0 or 10 ms gave "4000×" and "76×").
        let cpu_ratio =
            (median(ours.iter().map(|r| r.cpu).collect()) >= 10 * TICK).then(|| ratio(|r| r.cpu));
        let label = if expected_elements == 1 {
            "1 element, rules on every element".to_owned()
        } else {
            format!("{expected_elements} elements")
        };
        for (name, runs) in [
            ("pactum match response --spec v4", &ours),
            ("pact_matching 2.1.0 match_response (peer command)", &theirs),
        ] {
            println!(
                "| {label} | {name} | {:.1} ms | {:.1} ms | {:.1} MB | {} |",
                median(runs.iter().map(|r| r.wall).collect()).as_secs_f64() * 1000.0,
                median(runs.iter().map(|r| r.cpu).collect()).as_secs_f64() * 1000.0,
                median(runs.iter().map(|r| r.rss).collect()) as f64 / 1024.0,
                if std::ptr::eq(runs, &ours) {
                    match cpu_ratio {
                        Some(cpu_ratio) => format!("{wall_ratio:.1}×, {cpu_ratio:.1}×"),
                        None => format!("{wall_ratio:.1}×, – (pactum's CPU under 10 ticks)"),
                    }
                } else {
                    String::new()
                }
            );
        }
    }
}
