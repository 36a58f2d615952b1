//! The broker cannot be taken down by a question or a publication: selectors are answered once
//! and bounded, answers have a bounded number of rows. Every test runs on SQLite and PostgreSQL.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode, Uri};
use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact};
use crate::support::{ServedRouter, pactum_command, run, serve_router, stderr, text};

/// Runs `test` once per backend, naming the backend when it fails.
fn on_each_backend(test: impl Fn(&TestBroker, Kind)) {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        eprintln!("-- on {kind:?}");
        test(&broker, kind);
    }
}

/// The `errors` messages of a 400 for `field`, joined.
fn errors_for(body: &Value, field: &str) -> String {
    body["errors"][field]
        .as_array()
        .unwrap_or_else(|| panic!("no errors for {field} in {body}"))
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("; ")
}

/// 300 repeats of a pair of selectors (the issue's attack: 90,000 rows, a gigabyte) is the
/// question of one pair: the same answer, one row.
#[test]
fn repeated_matrix_selectors_are_answered_once() {
    on_each_backend(|broker, kind| {
        let (status, body) = broker.publish("web", "1", None, &[], &[pact("web", "api", &["a"])]);
        assert_eq!(status, 200, "{body}");
        let pact = broker.ok("/pacts/provider/api/consumer/web/latest");
        let results = pact["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap();
        let (status, body) = broker.post(
            results,
            &json!({"success": true, "providerApplicationVersion": "1"}),
        );
        assert_eq!(status, 201, "{body}");

        let pair = "q[][pacticipant]=web&q[][version]=1&q[][pacticipant]=api&q[][version]=1";
        let once = broker.ok(&format!("/matrix?{pair}&latestby=cvpv"));
        let repeated = vec![pair; 300].join("&");
        assert!(repeated.len() > 13_000, "the issue's URL was 13.6 KB");
        let many = broker.ok(&format!("/matrix?{repeated}&latestby=cvpv"));
        assert_eq!(many["matrix"].as_array().unwrap().len(), 1, "{kind:?}");
        assert_eq!(many, once, "{kind:?}");
        assert_eq!(many["summary"]["deployable"], true, "{kind:?}");

        // The same for pacts for verification: a repeated selector selects nothing new.
        let one = broker.post(
            "/pacts/provider/api/for-verification",
            &json!({"consumerVersionSelectors": [{"latest": true}]}),
        );
        let copies = broker.post(
            "/pacts/provider/api/for-verification",
            &json!({"consumerVersionSelectors": vec![json!({"latest": true}); 5_000]}),
        );
        assert_eq!(one.0, 200, "{}", one.1);
        assert_eq!(copies, one, "{kind:?}");
    });
}

/// A question names at most 100 distinct matrix selectors (1,000 for pacts for verification);
/// one more is a 400 that names the limit and how to ask with fewer.
#[test]
fn distinct_selectors_are_bounded_with_a_message_naming_the_limit() {
    on_each_backend(|broker, kind| {
        let (status, body) = broker.publish("web", "1", None, &[], &[pact("web", "api", &["a"])]);
        assert_eq!(status, 200, "{body}");
        let selectors = |count: usize| {
            (1..=count)
                .map(|n| format!("q[][pacticipant]=web&q[][version]={n}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        // At the limit: answered (99 of the versions do not exist, and say so).
        let (status, body) = broker.get(&format!("/matrix?{}", selectors(100)));
        assert_eq!(status, 200, "{kind:?}: {body}");
        assert_eq!(body["summary"]["deployable"], false, "{kind:?}");
        // Repeats do not count towards the limit.
        let (status, body) = broker.get(&format!("/matrix?{}&{}", selectors(100), selectors(100)));
        assert_eq!(status, 200, "{kind:?}: {body}");
        let (status, body) = broker.get(&format!("/matrix?{}", selectors(101)));
        assert_eq!(status, 400, "{kind:?}: {body}");
        let message = errors_for(&body, "q");
        assert!(
            message.contains("at most 100 distinct selectors"),
            "{message}"
        );
        assert!(message.contains("name versions"), "{message}");

        let (status, body) = broker.get(&format!(
            "/matrix?q[][pacticipant]=web&q[][version]=1&{}",
            (0..101)
                .map(|n| format!("ignore[][pacticipant]=p{n}"))
                .collect::<Vec<_>>()
                .join("&")
        ));
        assert_eq!(status, 400, "{kind:?}: {body}");
        assert!(
            errors_for(&body, "ignore").contains("at most 100"),
            "{body}"
        );

        let branches = |count: usize| -> Value {
            json!({"consumerVersionSelectors": (0..count)
                .map(|n| json!({"branch": format!("b{n}")}))
                .collect::<Vec<_>>()})
        };
        let (status, body) = broker.post("/pacts/provider/api/for-verification", &branches(1_000));
        assert_eq!(status, 200, "{kind:?}: {body}");
        let (status, body) = broker.post("/pacts/provider/api/for-verification", &branches(1_001));
        assert_eq!(status, 400, "{kind:?}: {body}");
        let message = errors_for(&body, "consumerVersionSelectors");
        assert!(
            message.contains("at most 1000 distinct selectors"),
            "{message}"
        );
    });
}

/// An answer has at most 10,000 rows: 100 consumer versions × 100 provider versions is
/// answered in full, 101 × 100 is a 400 naming the limit and how to narrow the question.
#[test]
fn a_matrix_answer_has_at_most_ten_thousand_rows() {
    on_each_backend(|broker, kind| {
        for n in 1..=101 {
            let (status, body) = broker.publish(
                "web",
                &format!("{n}"),
                None,
                &[],
                &[pact("web", "api", &["a"])],
            );
            assert_eq!(status, 200, "{body}");
        }
        for n in 1..=100 {
            let (status, body) = broker.put(&format!("/pacticipants/api/versions/{n}"), &json!({}));
            assert!(status == 200 || status == 201, "{body}");
        }
        let everything = "/matrix?q[][pacticipant]=web&q[][pacticipant]=api";
        let (status, body) = broker.get(&format!("{everything}&limit=100"));
        assert_eq!(status, 200, "{kind:?}: {}", body["errors"]);
        assert_eq!(body["matrix"].as_array().unwrap().len(), 10_000, "{kind:?}");
        assert_eq!(body["summary"]["unknown"], 10_000, "{kind:?}");

        let (status, body) = broker.get(&format!("{everything}&limit=101"));
        assert_eq!(status, 400, "{kind:?}: {body}");
        let message = errors_for(&body, "q");
        assert!(message.contains("more than 10000 rows"), "{message}");
        assert!(message.contains("give a destination"), "{message}");
        // The broker is none the worse.
        assert_eq!(broker.ok("/health")["ok"], true);
    });
}

/// Names that would not read as what they are — only invisible characters, line separators,
/// direction overrides, spaces at an end — are refused with a 400 that names the member and
/// says why, escaped; what the official clients send (`+` in versions, `/` in branches, spaces
/// inside display names) is accepted.
#[test]
fn names_that_do_not_read_as_what_they_are_are_refused() {
    on_each_backend(|broker, kind| {
        let contract = |consumer: &str| pact(consumer, "api", &["a"]);
        let publish = |consumer: &str, version: &str, branch: Option<&str>, tags: &[&str]| {
            broker.publish(consumer, version, branch, tags, &[contract(consumer)])
        };
        for (field, (status, body), expected) in [
            (
                "pacticipantName",
                publish("\u{200b}", "1", None, &[]),
                "only invisible ones: U+200B",
            ),
            (
                "pacticipantName",
                publish("\u{feff}\u{200b}", "1", None, &[]),
                "U+FEFF U+200B",
            ),
            (
                "pacticipantName",
                publish("web\u{202e}", "1", None, &[]),
                "direction controls",
            ),
            (
                "pacticipantVersionNumber",
                publish("web", " 1", None, &[]),
                "U+0020 at the start",
            ),
            (
                "branch",
                publish("web", "1", Some("main\u{2028}x"), &[]),
                "single line",
            ),
            (
                "tags",
                publish("web", "1", None, &["prod "]),
                "U+0020 at the end",
            ),
            (
                "displayName",
                broker.post(
                    "/pacticipants",
                    &json!({"name": "web", "displayName": " Web"}),
                ),
                "at the start",
            ),
            (
                "name",
                broker.post(
                    "/environments",
                    &json!({"name": "\u{feff}", "production": false}),
                ),
                "only invisible ones: U+FEFF",
            ),
            (
                "displayName",
                broker.post(
                    "/environments",
                    &json!({"name": "prod", "displayName": "Prod\u{2029}", "production": true}),
                ),
                "single line",
            ),
            (
                "tag",
                broker.put("/pacticipants/web/versions/1/tags/%E2%80%8B", &json!({})),
                "only invisible ones",
            ),
        ] {
            assert_eq!(status, 400, "{kind:?} {field}: {body}");
            let message = errors_for(&body, field);
            assert!(
                message.contains(expected),
                "{kind:?} {field}: {message} should say {expected}"
            );
            assert!(
                !message.contains(['\u{200b}', '\u{feff}', '\u{202e}', '\u{2028}', '\u{2029}']),
                "the message shows code points, not the characters: {message:?}"
            );
        }
        assert_eq!(
            broker.count("pacticipants"),
            0,
            "{kind:?}: nothing was stored"
        );

        // What the official clients send.
        let (status, body) = publish("web", "1.0.0+build.5", Some("feat/x"), &["prod"]);
        assert_eq!(status, 200, "{kind:?}: {body}");
        let (status, body) = broker.post(
            "/environments",
            &json!({"name": "prod-eu", "displayName": "Production (EU) ❤\u{fe0f}", "production": true}),
        );
        assert_eq!(status, 201, "{kind:?}: {body}");
    });
}

/// GETs `path` from `broker` with extra request headers; the status, the headers and the JSON.
fn get_with(
    broker: &TestBroker,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = broker.client.get(format!("{}{path}", broker.url));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().unwrap())
}

/// Without `--public-base-url`, links and `Location` are built from the URL the client used —
/// `Host` and the `X-Forwarded-*` headers a proxy sets, as the Pact Broker does — every such
/// answer says `Vary` on them, and anything but a host and port is refused; with it, the
/// request's headers play no part.
#[test]
fn links_follow_the_url_the_client_used_only_as_a_host_and_port() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let self_href =
            |index: &Value| index["_links"]["self"]["href"].as_str().unwrap().to_owned();

        let (status, headers, index) = get_with(&broker, "/", &[("host", "pacts.internal:8080")]);
        assert_eq!(status, 200, "{kind:?}: {index}");
        assert_eq!(self_href(&index), "http://pacts.internal:8080/", "{kind:?}");
        let vary = headers.get("vary").unwrap().to_str().unwrap();
        for header in [
            "Host",
            "X-Forwarded-Host",
            "X-Forwarded-Proto",
            "X-Forwarded-Port",
        ] {
            assert!(vary.contains(header), "{kind:?}: Vary: {vary}");
        }

        let (_, _, index) = get_with(
            &broker,
            "/",
            &[
                ("host", "broker:9292"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "pacts.example.com"),
            ],
        );
        assert_eq!(self_href(&index), "https://pacts.example.com/", "{kind:?}");

        let created = broker
            .client
            .post(format!("{}/pacticipants", broker.url))
            .header("host", "pacts.internal:8080")
            .header("content-type", "application/json")
            .body(json!({"name": "web"}).to_string())
            .send()
            .unwrap();
        assert_eq!(created.status().as_u16(), 201, "{kind:?}");
        assert_eq!(
            created.headers()["location"],
            "http://pacts.internal:8080/pacticipants/web",
            "{kind:?}"
        );

        for (name, value) in [
            ("host", "evil.example@127.0.0.1"),
            ("host", "127.0.0.1/elsewhere?"),
            ("x-forwarded-host", "user:secret@evil.example"),
            ("x-forwarded-proto", "javascript"),
        ] {
            let (status, _, body) = get_with(&broker, "/pacticipants/web", &[(name, value)]);
            assert_eq!(status, 400, "{kind:?} {name}: {value}: {body}");
            let message = body["errors"].to_string();
            assert!(message.contains("--public-base-url"), "{kind:?}: {message}");
        }

        let fixed = TestBroker::start_with(&db, |config| {
            config.public_base_url = Some("https://pacts.example.com/".into());
        });
        let (status, headers, index) = get_with(
            &fixed,
            "/",
            &[
                ("host", "evil.example@127.0.0.1"),
                ("x-forwarded-host", "evil.example"),
            ],
        );
        assert_eq!(status, 200, "{kind:?}: {index}");
        assert_eq!(self_href(&index), "https://pacts.example.com/", "{kind:?}");
        // Only what the answer really depends on: `/` is a page for browsers.
        let vary: Vec<_> = headers.get_all("vary").iter().collect();
        assert_eq!(vary, ["Accept"], "{kind:?}: {headers:?}");
    }
}

/// The requests a [`Recorder`] got: path, and `Authorization` header if any.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// A server on 127.0.0.1 that records each request's path and `Authorization` header and
/// answers `answer(path)`.
struct Recorder {
    url: String,
    seen: Seen,
    _server: ServedRouter,
}

fn recorder(
    answer: impl Fn(&str) -> axum::response::Response + Clone + Send + Sync + 'static,
) -> Recorder {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let server = serve_router(
        axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
            let answer = answer.clone();
            let log = Arc::clone(&log);
            async move {
                let authorization = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                log.lock().unwrap().push((uri.to_string(), authorization));
                answer(uri.path())
            }
        }),
    );
    Recorder {
        url: server.url.clone(),
        seen,
        _server: server,
    }
}

fn not_found(_: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    (StatusCode::NOT_FOUND, "{}").into_response()
}

/// A broker whose links point to another origin (here: its public base URL is another server's)
/// does not get the client's token sent there: pactum refuses to follow the link, naming both
/// origins, and the other server sees no request at all.
#[test]
fn credentials_are_not_sent_where_the_brokers_links_point_elsewhere() {
    let elsewhere = recorder(not_found);
    for kind in backends() {
        let db = TestDb::new(kind);
        let public = elsewhere.url.clone();
        let broker = TestBroker::start_with(&db, move |config| {
            config.credentials.add_token("write:the-secret").unwrap();
            config.public_base_url = Some(public);
        });
        let writer = broker.with_auth("Bearer the-secret");
        let (status, body) = writer.publish("web", "1", None, &[], &[pact("web", "api", &["a"])]);
        assert_eq!(status, 200, "{kind:?}: {body}");

        let out = run(pactum_command().args([
            "verify",
            "--broker-url",
            &broker.url,
            "--provider",
            "api",
            "--token",
            "the-secret",
            "--provider-base-url",
            "http://127.0.0.1:9",
        ]));
        assert_eq!(out.status.code(), Some(2), "{kind:?}: {}", text(&out));
        let message = stderr(&out);
        assert!(
            message.contains(&format!(
                "which is not on the broker's origin {}",
                broker.url
            )),
            "{kind:?}: {message}"
        );
        assert!(message.contains("--broker-url"), "{kind:?}: {message}");
        assert!(!message.contains("the-secret"), "{message}");
        assert_eq!(
            elsewhere.seen.lock().unwrap().as_slice(),
            &[],
            "{kind:?}: the other origin was asked"
        );
    }
}

/// A redirect to another origin is not followed with credentials — neither by the broker
/// commands nor when a contract is fetched from a URL — and the other server sees nothing.
#[test]
fn credentials_do_not_follow_a_redirect_to_another_origin() {
    use axum::response::IntoResponse;
    let elsewhere = recorder(not_found);
    let target = elsewhere.url.clone();
    let redirecting = recorder(move |path| {
        (
            StatusCode::FOUND,
            [("location", format!("{target}{path}"))],
            "",
        )
            .into_response()
    });

    let out = run(pactum_command()
        .args(["list-environments"])
        .env("PACT_BROKER_BASE_URL", &redirecting.url)
        .env("PACT_BROKER_TOKEN", "the-secret"));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains(&format!("redirected to {}/", elsewhere.url)),
        "{}",
        stderr(&out)
    );

    let out = run(pactum_command().args([
        "verify",
        "--url",
        &format!("{}/pact.json", redirecting.url),
        "--token",
        "the-secret",
        "--provider-base-url",
        "http://127.0.0.1:9",
    ]));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        stderr(&out).contains("on another origin"),
        "{}",
        stderr(&out)
    );

    let asked = redirecting.seen.lock().unwrap().clone();
    assert!(
        asked
            .iter()
            .all(|(_, auth)| auth.as_deref() == Some("Bearer the-secret")),
        "{asked:?}"
    );
    assert_eq!(asked.len(), 2, "{asked:?}");
    assert_eq!(
        elsewhere.seen.lock().unwrap().as_slice(),
        &[],
        "the other origin was asked"
    );

    // Without credentials there is nothing to leak: the redirect is followed.
    let out = run(pactum_command()
        .args(["list-environments"])
        .env("PACT_BROKER_BASE_URL", &redirecting.url));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let followed = elsewhere.seen.lock().unwrap().clone();
    assert_eq!(followed, vec![("/".to_owned(), None)], "{}", text(&out));
}

/// A V3 contract of `count` interactions between `consumer` and `api`, as JSON text (about
/// 130 bytes an interaction).
fn large_contract(consumer: &str, count: usize) -> String {
    let interactions: Vec<String> = (0..count)
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

/// PUTs `contract` as `consumer` version 1; the status.
fn put_contract(broker: &TestBroker, consumer: &str, contract: String) -> u16 {
    broker
        .client
        .put(format!(
            "{}/pacts/provider/api/consumer/{consumer}/version/1",
            broker.url
        ))
        .header("content-type", "application/json")
        .body(contract)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

/// Parsing a large contract happens on a blocking thread, not on the async workers: while two
/// contracts of several megabytes are published at once (one PUT as the body, one through
/// `/contracts/publish`), `/health` keeps answering within a second. A second is generous: the
/// answer is one database ping, a few milliseconds even with both cores busy parsing; a worker
/// parsing the contract itself would hold it up for the whole parse, several seconds here.
#[test]
fn health_answers_while_large_contracts_are_published() {
    use std::time::{Duration, Instant};
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let put = large_contract("web", 40_000);
        let published: Value = serde_json::from_str(&large_contract("mobile", 40_000)).unwrap();
        assert!(put.len() > 5_000_000, "{} bytes", put.len());
        let started = Instant::now();
        let (health, slowest, samples, statuses) = std::thread::scope(|scope| {
            let put_thread = scope.spawn(|| put_contract(&broker, "web", put));
            let publish_thread =
                scope.spawn(|| broker.publish("mobile", "1", None, &[], &[published]).0);
            let mut slowest = Duration::ZERO;
            let mut samples = 0;
            let mut health = 200;
            while !(put_thread.is_finished() && publish_thread.is_finished()) {
                let asked = Instant::now();
                let status = broker.get("/health").0;
                slowest = slowest.max(asked.elapsed());
                samples += 1;
                if status != 200 {
                    health = status;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let statuses = (put_thread.join().unwrap(), publish_thread.join().unwrap());
            (health, slowest, samples, statuses)
        });
        let took = started.elapsed();
        eprintln!(
            "{kind:?}: publishing took {took:?}; /health at most {slowest:?} over {samples} asks"
        );
        assert_eq!(statuses, (201, 200), "{kind:?}");
        assert_eq!(health, 200, "{kind:?}");
        assert!(
            samples >= 5,
            "{kind:?}: /health was asked only {samples} times in {took:?}"
        );
        assert!(
            slowest < Duration::from_secs(1),
            "{kind:?}: /health took {slowest:?} while contracts were published ({took:?})"
        );
    }
}

/// Three large publications at once — more than take turns together — are all stored, whole.
#[test]
fn three_large_publications_at_once_are_all_stored() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let consumers = ["one", "two", "three"];
        let statuses: Vec<u16> = std::thread::scope(|scope| {
            let threads: Vec<_> = consumers
                .iter()
                .map(|consumer| {
                    let contract = large_contract(consumer, 12_000);
                    let broker = &broker;
                    scope.spawn(move || put_contract(broker, consumer, contract))
                })
                .collect();
            threads.into_iter().map(|t| t.join().unwrap()).collect()
        });
        assert_eq!(statuses, [201, 201, 201], "{kind:?}");
        for consumer in consumers {
            let pact = broker.ok(&format!(
                "/pacts/provider/api/consumer/{consumer}/version/1"
            ));
            let interactions = pact["interactions"].as_array().unwrap();
            assert_eq!(interactions.len(), 12_000, "{kind:?} {consumer}");
            assert_eq!(interactions[11_999]["request"]["path"], "/items/11999");
            assert!(
                interactions[0]["_id"]
                    .as_str()
                    .is_some_and(|id| id.len() == 40)
            );
        }
    }
}
