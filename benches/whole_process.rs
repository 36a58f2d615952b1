//! Whole processes, as a user runs them: `pactum match response --spec v4` against the
//! reference implementation's `match_response` wrapped in a small command
//! (`benches/peer/src/bin/match-response.rs`), both loading the same two files: an actual V4
//! response of 10,000 elements (1.76 MB), and an expected V4 response whose example holds one
//! element with type/integer/decimal/regex/datetime/null rules applying to every element (the
//! shape a consumer's contract has) — and, as a second case, an expected example that holds
//! 10,000 elements itself (a recorded one). The two commands run in turn, A B A B …, so a drift
//! in the machine's speed hits both; the report gives each one's median wall time and CPU time,
//! the median of the pairs' ratios, and peak RSS. Each timed run is the bench's own child, its
//! CPU time read from `wait4` (microseconds, not the 10 ms ticks of GNU time, and without a
//! `time` process around each run, which added ~1 ms to every run). Peak RSS comes from separate
//! runs under GNU time: a child's peak as `wait4` reports it starts from its parent's, and the
//! bench's is larger than pactum's. Children run without the `LD_LIBRARY_PATH` cargo sets, as a
//! user runs them.
//!
//! Run: `cargo bench --bench whole_process` (builds the peer command in benches/peer on first
//! use; Unix only, GNU time at /usr/bin/time).

#[path = "common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 11;

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
    /// User + system CPU time: what a busy machine inflates least.
    cpu: Duration,
}

/// A command without the environment cargo gives a bench.
fn command(program: &Path, args: &[&Path]) -> Command {
    let mut command = Command::new(program);
    command.args(args).env_remove("LD_LIBRARY_PATH");
    command
}

/// One run, after checking it reported a match.
#[cfg(unix)]
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, not Child::wait"
)]
fn run(program: &Path, args: &[&Path]) -> Run {
    let started = Instant::now();
    let child = command(program, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", program.display()));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value of that plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is this process's own unwaited child, and both pointers are to live locals
    // of the types `wait4` takes; `child` is not waited for again.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        // Again with its output, to say why.
        let output = command(program, args).output().unwrap();
        panic!(
            "{} did not report a match:\n{}{}",
            program.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let seconds = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    Run {
        wall,
        cpu: seconds(usage.ru_utime) + seconds(usage.ru_stime),
    }
}

/// Peak RSS in KiB, from GNU time (its own small process is the parent whose peak the child's
/// starts from).
fn peak_rss(program: &Path, args: &[&Path]) -> u64 {
    let output = command(
        Path::new("/usr/bin/time"),
        &[Path::new("-f"), Path::new("%M")],
    )
    .arg(program)
    .args(args)
    .output()
    .expect("/usr/bin/time runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .last()
        .and_then(|line| line.trim().parse().ok())
        .unwrap_or_else(|| panic!("unexpected GNU time output: {stderr}"))
}

#[cfg(not(unix))]
fn run(_: &Path, _: &[&Path]) -> Run {
    panic!("the whole-process bench reads its children's usage with wait4: Unix only")
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
    println!("whole processes, {RUNS} runs each, in turn; medians (wait4: CPU = user + system)");
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
        let peaks = |program: &Path, args: &[&Path]| {
            median((0..3).map(|_| peak_rss(program, args)).collect())
        };
        let (our_peak, their_peak) = (peaks(&pactum, &pactum_args), peaks(&peer, &peer_args));
        let ratio = |pick: fn(&Run) -> Duration| {
            median(
                ours.iter()
                    .zip(&theirs)
                    .map(|(a, b)| pick(b).as_secs_f64() / pick(a).as_secs_f64().max(1e-4))
                    .collect(),
            )
        };
        let wall_ratio = ratio(|r| r.wall);
        let cpu_ratio = ratio(|r| r.cpu);
        let label = if expected_elements == 1 {
            "1 element, rules on every element".to_owned()
        } else {
            format!("{expected_elements} elements")
        };
        for (name, runs, peak) in [
            ("pactum match response --spec v4", &ours, our_peak),
            (
                "pact_matching 2.1.0 match_response (peer command)",
                &theirs,
                their_peak,
            ),
        ] {
            println!(
                "| {label} | {name} | {:.1} ms | {:.1} ms | {:.1} MB | {} |",
                median(runs.iter().map(|r| r.wall).collect()).as_secs_f64() * 1000.0,
                median(runs.iter().map(|r| r.cpu).collect()).as_secs_f64() * 1000.0,
                peak as f64 / 1024.0,
                if std::ptr::eq(runs, &ours) {
                    format!("{wall_ratio:.1}×, {cpu_ratio:.1}×")
                } else {
                    String::new()
                }
            );
        }
    }
}
