//! The verifier sends a contract's requests only to the provider it was given: a contract path
//! cannot change the host, redirects are answers (not followed with the run's credentials), and
//! response bodies are read up to a limit.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, Uri};
use pactum::contract::Pact;
use pactum::sources::Loaded;
use pactum::verifier::{Options, Outcome, Verifier};
use serde_json::json;

use crate::support::{ServedRouter, runtime, serve_router};

/// A server on 127.0.0.1 that records every request it gets (path and headers) and answers
/// with `answer`.
struct Recorder {
    addr: String,
    seen: Arc<Mutex<Vec<(String, HeaderMap)>>>,
    _server: ServedRouter,
}

fn recorder(
    answer: impl Fn(&Uri) -> axum::response::Response + Clone + Send + Sync + 'static,
) -> Recorder {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let answer = answer.clone();
        let log = Arc::clone(&log);
        async move {
            log.lock().unwrap().push((uri.to_string(), headers));
            answer(&uri)
        }
    });
    let server = serve_router(app);
    Recorder {
        addr: server.url.trim_start_matches("http://").to_owned(),
        seen,
        _server: server,
    }
}

fn ok(_: &Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    (StatusCode::OK, "{}").into_response()
}

fn contract(paths: &[&str]) -> Vec<Loaded> {
    let interactions: Vec<_> = paths
        .iter()
        .map(|path| {
            json!({
                "description": format!("GET {path}"),
                "request": {"method": "GET", "path": path},
                "response": {"status": 200},
            })
        })
        .collect();
    let pact = Pact::from_json(&json!({
        "consumer": {"name": "attacker"},
        "provider": {"name": "provider"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }))
    .unwrap();
    vec![Loaded {
        origin: "in-memory".into(),
        pact,
        broker: None,
    }]
}

fn verify(base: &str, contracts: &[Loaded], options: Options) -> Vec<Outcome> {
    let verifier = Verifier::http(base).unwrap().options(options);
    let report = runtime().block_on(verifier.verify(contracts)).unwrap();
    report
        .contracts
        .into_iter()
        .flat_map(|c| c.interactions)
        .map(|i| i.outcome)
        .collect()
}

fn with_secret() -> Options {
    Options {
        headers: vec![("X-Api-Key".into(), "s3cret".into())],
        ..Options::default()
    }
}

#[test]
fn a_contract_path_cannot_send_the_request_or_its_credentials_to_another_host() {
    let thief = recorder(ok);
    let port = crate::support::port_of(&thief.addr);
    // Appended to a base URL without a port, these used to reach the thief: the first as
    // `http://127.0.0.1:PORT/x`, the second with the base's host turned into userinfo.
    let stealing = [
        format!(":{port}/x"),
        format!("@127.0.0.1:{port}/x"),
        format!("127.0.0.1:{port}/x"),
    ];
    let paths: Vec<&str> = stealing.iter().map(String::as_str).collect();
    let outcomes = verify("http://127.0.0.1", &contract(&paths), with_secret());
    assert_eq!(outcomes.len(), 3);
    for (path, outcome) in paths.iter().zip(&outcomes) {
        match outcome {
            Outcome::Error { message } => assert!(
                message.contains(&format!("`{path}` does not start with `/`")),
                "{path}: {message}"
            ),
            other => panic!("{path}: expected an error, got {other:?}"),
        }
    }
    assert!(
        thief.seen.lock().unwrap().is_empty(),
        "the thief was reached: {:?}",
        thief.seen.lock().unwrap()
    );
}

#[test]
fn contract_paths_go_below_the_base_path_on_the_base_host_percent_encoded() {
    let provider = recorder(ok);
    let base = format!("http://{}/api/", provider.addr);
    let outcomes = verify(
        &base,
        &contract(&["/items/a b", "//127.0.0.2/x", "/q?x"]),
        with_secret(),
    );
    assert!(
        outcomes.iter().all(|o| matches!(o, Outcome::Passed)),
        "{outcomes:?}"
    );
    let seen: Vec<String> = provider
        .seen
        .lock()
        .unwrap()
        .iter()
        .map(|(uri, headers)| {
            assert_eq!(headers["x-api-key"], "s3cret");
            uri.clone()
        })
        .collect();
    // A `?` in a contract path is part of the path, not the start of a query.
    assert_eq!(
        seen,
        ["/api/items/a%20b", "/api//127.0.0.2/x", "/api/q%3Fx"]
    );
}

#[test]
fn a_base_url_that_is_not_http_is_refused() {
    for base in [
        "127.0.0.1:8080",
        "file:///etc/passwd",
        "http://",
        "not a url",
    ] {
        let error = Verifier::http(base)
            .err()
            .unwrap_or_else(|| panic!("{base} accepted"));
        assert!(error.to_string().contains(base), "{base}: {error}");
    }
}

#[test]
fn redirects_are_answers_and_are_not_followed_with_the_run_s_headers() {
    use axum::response::IntoResponse;
    let elsewhere = recorder(ok);
    let target = format!("http://{}/collect", elsewhere.addr);
    let provider =
        recorder(move |_| (StatusCode::FOUND, [("location", target.clone())]).into_response());
    let outcomes = verify(
        &format!("http://{}", provider.addr),
        &contract(&["/moved"]),
        with_secret(),
    );
    match &outcomes[..] {
        [Outcome::Failed { mismatches }] => {
            let text = format!("{mismatches:?}");
            assert!(text.contains("302"), "{text}");
        }
        other => panic!("expected a status mismatch, got {other:?}"),
    }
    assert_eq!(provider.seen.lock().unwrap().len(), 1);
    assert!(elsewhere.seen.lock().unwrap().is_empty());
}

#[test]
fn a_response_body_over_the_limit_is_an_error_naming_the_limit() {
    use axum::response::IntoResponse;
    let provider = recorder(|_| (StatusCode::OK, vec![b'x'; 3 << 20]).into_response());
    let options = Options {
        max_response_body: 1 << 20,
        ..Options::default()
    };
    let outcomes = verify(
        &format!("http://{}", provider.addr),
        &contract(&["/big"]),
        options,
    );
    match &outcomes[..] {
        [Outcome::Error { message }] => {
            assert!(message.contains("limit of 1048576 bytes"), "{message}")
        }
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn text_reports_escape_terminal_control_sequences_from_contracts() {
    let provider = recorder(ok);
    let pact = Pact::from_json(&json!({
        "consumer": {"name": "evil\u{1b}[2J"},
        "provider": {"name": "provider"},
        "interactions": [{
            "description": "sets the title\u{1b}]0;owned\u{7} and \u{202e}reverses",
            "providerStates": [{"name": "state\u{9b}31m"}],
            "request": {"method": "GET", "path": "/x"},
            "response": {"status": 201},
        }],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }))
    .unwrap();
    let verifier = Verifier::http(&format!("http://{}", provider.addr)).unwrap();
    let report = runtime()
        .block_on(verifier.verify(&[Loaded {
            origin: "in-memory".into(),
            pact,
            broker: None,
        }]))
        .unwrap();
    let text = report.to_text(false);
    for raw in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
        assert!(!text.contains(raw), "{raw:?} printed raw:\n{text}");
    }
    assert!(
        text.contains("sets the title\\u{1b}]0;owned\\u{7} and \\u{202e}reverses"),
        "{text}"
    );
    assert!(text.contains("given state\\u{9b}31m"), "{text}");
}
