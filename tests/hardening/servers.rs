//! Servers let go of clients that hold connections without sending requests.

/// A broker with fewer file descriptors than silent clients still answers once its
/// header-read timeout has closed them.
#[cfg(unix)]
#[test]
fn a_broker_out_of_descriptors_answers_again_after_the_header_read_timeout() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use crate::support::{Process, ScratchDir};

    let dir = ScratchDir::new("fds");
    let database = dir.join("broker.sqlite");
    let mut broker = Process::spawn(
        Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -n 128 && exec "$0" broker --port 0 --header-read-timeout 1 --database-url "$1""#)
        .arg(env!("CARGO_BIN_EXE_pactum"))
            .arg(&database)
            .stdout(Stdio::piped()),
    );
    let first_line = broker.first_line();
    let url = first_line
        .split_whitespace()
        .nth(4)
        .unwrap_or_else(|| panic!("no address in {first_line:?}"))
        .to_owned();
    let addr = url.trim_start_matches("http://").to_owned();

    // More silent sockets than the broker has descriptors.
    let silent: Vec<_> = (0..140)
        .map(|_| std::net::TcpStream::connect(&addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));

    let started = Instant::now();
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let health = client.get(format!("{url}/health")).send();
    let waited = started.elapsed();
    broker.terminate();
    drop(silent);
    let health = health.expect("the broker answers /health");
    assert_eq!(health.status(), 200);
    // The silent sockets are closed after one second each; the queue ahead of /health drains
    // in a few rounds of that, far below the client's own 20 s timeout.
    assert!(
        waited < Duration::from_secs(15),
        "answered after {waited:?}"
    );
}
