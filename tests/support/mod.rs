//! What the integration tests share: running the `pactum` binary and reading what it printed,
//! servers spawned as processes or on threads, scratch directories, free ports, HTTP clients,
//! and the snapshot filters for rendered output. The submodules hold the larger fixtures: real
//! brokers on SQLite and PostgreSQL ([`broker`]), the test provider ([`provider`]), the official
//! Pact clients ([`clients`]) and the policy for suites whose prerequisites are missing
//! ([`prerequisites`]).
//!
//! Tests assert here nothing about pactum itself; a helper that fails says which helper and why.
//!
//! Logs: servers started by these helpers (spawned `pactum` processes and in-process brokers)
//! log nothing unless `TEST_LOG` is set, to a tracing filter such as `debug` or
//! `pactum_broker=trace` (`1` means `info`).

pub mod broker;
pub mod browser;
pub mod clients;
pub mod prerequisites;
pub mod provider;

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a helper waits for a server to answer or a process to stop.
const PATIENCE: Duration = Duration::from_secs(20);

/// A path inside the repository (fixtures such as `contracts/...`).
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `pactum` binary, started in the repository root (so `contracts/...` paths resolve) with
/// none of the caller's `PACT_*` or `PACTUM_*` variables: a developer's broker settings must
/// not leak into a test.
pub fn pactum_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("PACT_") || name.starts_with("PACTUM_") {
            command.env_remove(name.as_ref());
        }
    }
    command
}

/// Runs `pactum args` to completion (see [`pactum_command`]).
pub fn pactum<S: AsRef<OsStr>>(args: &[S]) -> Output {
    run(pactum_command().args(args))
}

/// Runs a command to completion, collecting what it printed.
pub fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", command.get_program()))
}

/// Runs a command to completion with its standard output and standard error going to one
/// file, so the text is in the order the process printed it (two pipes lose that order).
/// Returns the exit status and the text.
pub fn run_interleaved(command: &mut Command) -> (ExitStatus, String) {
    let dir = ScratchDir::new("interleaved");
    let path = dir.join("output");
    let file = std::fs::File::create(&path).unwrap();
    let status = command
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", command.get_program()));
    (status, std::fs::read_to_string(&path).unwrap())
}

/// What a process printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a process printed on standard error.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Everything a process printed: standard output, then standard error.
pub fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// The tracing filter `TEST_LOG` names, if set.
pub fn test_log() -> Option<String> {
    match std::env::var("TEST_LOG") {
        Ok(value) if value.is_empty() || value == "0" => None,
        Ok(value) if value == "1" => Some("info".to_owned()),
        Ok(value) => Some(value),
        Err(_) => None,
    }
}

/// A child process, killed when dropped.
pub struct Process {
    child: Child,
}

impl Process {
    /// Starts `command`; what it prints on standard error is shown only with `TEST_LOG`.
    pub fn spawn(command: &mut Command) -> Process {
        let stderr = if test_log().is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        };
        let child = command
            .stderr(stderr)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", command.get_program()));
        Process { child }
    }

    /// The first line it printed on standard output (it must have been spawned with stdout
    /// piped; the rest of its output is not read).
    pub fn first_line(&mut self) -> String {
        let mut line = String::new();
        BufReader::new(
            self.child
                .stdout
                .take()
                .expect("spawned with stdout piped, read once"),
        )
        .read_line(&mut line)
        .unwrap();
        line
    }

    /// The operating system's id of the process.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "cannot send SIGTERM to {}", self.id());
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "process {} did not stop on SIGTERM",
                self.id()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `pactum` server (`broker`, `stub`) running as a process; killed when dropped.
pub struct Served {
    pub process: Process,
    /// Its base URL, from the first line it printed.
    pub url: String,
    /// The first line it printed (`pactum … listening on http://…`).
    pub first_line: String,
}

/// Starts `pactum args` (a command that serves on `--port 0`) and waits for the first line of
/// its output, which names its address. Its logs are shown at the `TEST_LOG` level, if set.
pub fn serve_pactum(args: &[&str]) -> Served {
    let level = test_log().unwrap_or_else(|| "warn".to_owned());
    let mut process = Process::spawn(
        pactum_command()
            .args(args)
            .args(["--log-level", &level])
            .stdout(Stdio::piped()),
    );
    let first_line = process.first_line();
    let url = first_line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("pactum {args:?} printed no address: {first_line:?}"))
        .to_owned();
    Served {
        process,
        url,
        first_line,
    }
}

/// The port of a base URL such as `http://127.0.0.1:4321`.
pub fn port_of(url: &str) -> u16 {
    url.rsplit(':')
        .next()
        .and_then(|port| port.trim_end_matches('/').parse().ok())
        .unwrap_or_else(|| panic!("no port in {url}"))
}

/// A port nothing listens on (at the time of asking).
pub fn free_port() -> u16 {
    unused_address().port()
}

/// An address on 127.0.0.1 nothing listens on (at the time of asking).
pub fn unused_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// Waits until something accepts connections on `port` of 127.0.0.1.
pub fn wait_for_port(port: u16) {
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An HTTP client for talking to test servers. A new one each time: a pooled connection to a
/// server that has since stopped would fail a later test that gets the same port.
pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::new()
}

/// A single-threaded tokio runtime, for driving async library APIs from a test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A server running on its own thread until dropped, when it is told to stop (gracefully)
/// and its thread is joined.
pub struct ServerThread {
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ServerThread {
    /// Runs `serve` on a new thread, handing it the signal to stop: a receiver that completes
    /// when the `ServerThread` is dropped.
    pub fn spawn(
        serve: impl FnOnce(tokio::sync::oneshot::Receiver<()>) + Send + 'static,
    ) -> ServerThread {
        let (shutdown, stop) = tokio::sync::oneshot::channel();
        let thread = std::thread::spawn(move || serve(stop));
        ServerThread {
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }
}

impl Drop for ServerThread {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// An axum app served on 127.0.0.1; stopped when dropped.
pub struct ServedRouter {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    _server: ServerThread,
}

/// Serves `router` on a free port of 127.0.0.1.
pub fn serve_router(router: axum::Router) -> ServedRouter {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = ServerThread::spawn(move |stop| {
        runtime().block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
                let _ = tcp.set_nodelay(true);
            });
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stop.await;
                })
                .await;
        });
    });
    ServedRouter {
        url,
        _server: server,
    }
}

/// Where scratch directories go: one folder under the system's temporary directory, so the
/// snapshot filters can hide it.
fn scratch_root() -> PathBuf {
    std::env::temp_dir().join("pactum-tests")
}

/// A fresh, empty directory for one test, removed when dropped — unless the test is failing,
/// in which case it is kept for a look and its path printed.
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// A new directory whose path ends in `name` (unique per process and call).
    pub fn new(name: &str) -> ScratchDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let path = scratch_root()
            .join(format!(
                "{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ))
            .join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        ScratchDir { path }
    }

    /// Writes `content` to the file `name` in the directory; returns its path.
    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let file = self.path.join(name);
        std::fs::write(&file, content)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", file.display()));
        file
    }
}

impl Deref for ScratchDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for ScratchDir {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<OsStr> for ScratchDir {
    fn as_ref(&self) -> &OsStr {
        self.path.as_os_str()
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("kept the scratch directory {}", self.path.display());
            return;
        }
        // The per-call parent goes too; it holds only this directory.
        let parent = self.path.parent().unwrap_or(&self.path);
        let _ = std::fs::remove_dir_all(parent);
    }
}

/// Snapshot settings for rendered output, active until the guard is dropped: what differs
/// between runs is replaced by a placeholder — ports of 127.0.0.1, scratch paths, timestamps,
/// UUIDs and durations. Content hashes are not: they are stable by design.
///
/// ```ignore
/// let _filters = support::snapshot_filters();
/// insta::assert_snapshot!("match_text", stdout(&out));
/// ```
pub fn snapshot_filters() -> insta::internals::SettingsBindDropGuard {
    let mut settings = insta::Settings::clone_current();
    let root = regex::escape(&scratch_root().display().to_string());
    settings.add_filter(&format!(r"{root}/[0-9]+-[0-9]+"), "[scratch]");
    settings.add_filter(r"(127\.0\.0\.1|localhost):[0-9]+", "$1:[port]");
    settings.add_filter(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})",
        "[timestamp]",
    );
    settings.add_filter(
        r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
        "[uuid]",
    );
    settings.add_filter(r#""durationMs": [0-9]+"#, r#""durationMs": "[ms]""#);
    settings.add_filter(r"\b[0-9]+(\.[0-9]+)? ?(ms|s)\b", "[duration]");
    settings.add_filter(r#"time="[0-9.]+""#, r#"time="[seconds]""#);
    settings.bind_to_scope()
}
