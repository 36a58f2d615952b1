//! Whole processes, as a user runs them: `pactum match response --spec v4` against the
//! reference implementation's `match_response` wrapped in a small command
//! (`benches/peer/src/bin/match-response.rs`), both loading the same two files — an expected
//! V4 response whose example body holds 10,000 elements with type/integer/decimal/regex/
//! datetime/null rules on every element, and an actual response of 10,000 other elements. The
//! two commands run in turn, A B A B …, so a drift in the machine's speed hits both; the
//! report gives each one's median wall time and peak RSS, and the ratio of the medians.
//!
//! Run: `cargo bench --bench whole_process` (builds the peer command in benches/peer on first
//! use; needs GNU time at /usr/bin/time for peak RSS).

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const RUNS: usize = 11;

fn inputs(dir: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let (expected, actual) = common::whole_process_case(10_000);
    let expected_file = dir.join("expected-response.json");
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

/// One run under GNU time: wall time and peak RSS (KiB), after checking it matched.
fn run(program: &Path, args: &[&Path]) -> (Duration, u64) {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
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
    let rss = stderr
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (wall, rss)
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes flags such as --bench; nothing here takes arguments.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-whole-process");
    let (expected, actual) = inputs(&dir);
    let size =
        std::fs::metadata(&expected).unwrap().len() + std::fs::metadata(&actual).unwrap().len();
    let pactum = PathBuf::from(env!("CARGO_BIN_EXE_pactum"));
    let peer = peer_command(root);
    let pactum_args = |e: &Path, a: &Path| -> Vec<PathBuf> {
        ["match", "response", "--spec", "v4", "--expected"]
            .iter()
            .map(PathBuf::from)
            .chain([e.to_path_buf(), PathBuf::from("--actual"), a.to_path_buf()])
            .collect()
    };
    let pactum_args = pactum_args(&expected, &actual);
    let pactum_args: Vec<&Path> = pactum_args.iter().map(PathBuf::as_path).collect();
    // Warm the page cache and check both agree that the files match.
    run(&pactum, &pactum_args);
    run(&peer, &[&expected, &actual]);

    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        ours.push(run(&pactum, &pactum_args));
        theirs.push(run(&peer, &[&expected, &actual]));
    }
    let wall = |runs: &[(Duration, u64)]| median(runs.iter().map(|r| r.0).collect());
    let rss = |runs: &[(Duration, u64)]| median(runs.iter().map(|r| r.1).collect());
    let ratios: Vec<u64> = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| (b.0.as_secs_f64() / a.0.as_secs_f64() * 10.0) as u64)
        .collect();
    println!(
        "whole process, 10,000-element expected and actual bodies ({:.2} MB in two files), {RUNS} runs each, in turn:",
        size as f64 / 1e6
    );
    println!("| command | median wall | peak RSS |");
    println!("|---|---|---|");
    println!(
        "| pactum match response --spec v4 | {:.1} ms | {:.1} MB |",
        wall(&ours).as_secs_f64() * 1000.0,
        rss(&ours) as f64 / 1024.0
    );
    println!(
        "| pact_matching 2.1.0 match_response (peer command) | {:.1} ms | {:.1} MB |",
        wall(&theirs).as_secs_f64() * 1000.0,
        rss(&theirs) as f64 / 1024.0
    );
    println!(
        "pactum is {:.1}× faster (median of the pairwise ratios: {:.1}×)",
        wall(&theirs).as_secs_f64() / wall(&ours).as_secs_f64(),
        median(ratios) as f64 / 10.0
    );
}
