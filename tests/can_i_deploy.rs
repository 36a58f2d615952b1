//! The release gate, step by step through a consumer's and a provider's life, on SQLite and
//! PostgreSQL, with writes through one broker instance and questions through another on the same
//! database. At every step `pactum can-i-deploy`, the broker's `/can-i-deploy`, the official
//! Rust `pact broker can-i-deploy` (pact-cli 18.1.2) and the Ruby `pact-broker can-i-deploy`
//! (pact-cli 16.1.7) must give the same answer.

use std::process::Command;

use serde_json::{Value, json};

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact};
use crate::support::clients::OfficialClients;
use crate::support::{pactum, run, snapshot_filters, text};

struct Gate<'a> {
    writer: &'a TestBroker,
    reader: &'a TestBroker,
    official: Option<OfficialClients>,
}

impl Gate<'_> {
    /// Asks every client; all must agree with `expected` (Some(true) yes, Some(false) no, None
    /// unknown — which every client reports as "no", exit 1).
    fn check(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
        ignore: Option<&str>,
        expected: Option<bool>,
        step: &str,
    ) -> Value {
        let exit = if expected == Some(true) { 0 } else { 1 };
        self.check_exits(
            pacticipant,
            version,
            environment,
            ignore,
            expected,
            step,
            exit,
        )
    }

    /// [`Gate::check`] where pactum's exit code is `pactum_exit` (the official clients' stays
    /// 0 for yes, 1 otherwise): 2 when the question names a version the broker does not have,
    /// which the broker answers "no" and pactum calls a question that cannot be asked.
    #[allow(clippy::too_many_arguments)]
    fn check_exits(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
        ignore: Option<&str>,
        expected: Option<bool>,
        step: &str,
        pactum_exit: i32,
    ) -> Value {
        let mut args = vec![
            "can-i-deploy",
            "--pacticipant",
            pacticipant,
            "--version",
            version,
            "--to-environment",
            environment,
        ];
        if let Some(ignore) = ignore {
            args.extend(["--ignore", ignore]);
        }
        let exit = if expected == Some(true) { 0 } else { 1 };
        let out = self.reader.pactum(&args);
        assert_eq!(
            out.status.code(),
            Some(pactum_exit),
            "{step}: pactum can-i-deploy\n{}",
            text(&out)
        );
        let said = text(&out);
        let _filters = snapshot_filters();
        let snapshot = format!("can_i_deploy_{}", step.replace(' ', "_"));
        insta::assert_snapshot!(format!("{snapshot}_text"), said);
        match expected {
            _ if pactum_exit == 2 => assert!(said.starts_with("error: "), "{step}: {said}"),
            Some(true) => assert!(said.contains("Computer says yes"), "{step}: {said}"),
            Some(false) => assert!(said.contains("Computer says no ¯"), "{step}: {said}"),
            None => assert!(said.contains("unknown"), "{step}: {said}"),
        }
        let mut json_args = args.clone();
        json_args.extend(["--output", "json"]);
        let json_out = self.reader.pactum(&json_args);
        assert_eq!(
            json_out.status.code(),
            Some(pactum_exit),
            "{step}: --output json"
        );
        let answer: Value = serde_json::from_slice(&json_out.stdout).unwrap();
        insta::assert_json_snapshot!(format!("{snapshot}_json"), answer);
        assert_eq!(
            answer["summary"]["deployable"],
            json!(expected),
            "{step}: {answer}"
        );
        if ignore.is_none() {
            let direct = self.reader.ok(&format!("/can-i-deploy?pacticipant={pacticipant}&version={version}&environment={environment}"));
            assert_eq!(
                direct["summary"]["deployable"],
                json!(expected),
                "{step}: /can-i-deploy {direct}"
            );
        }
        if let Some(clients) = &self.official {
            let out = run(clients.pact().args(["broker"]).args(&args).args([
                "--broker-base-url",
                &self.reader.url,
                "--retries",
                "0",
            ]));
            assert_eq!(
                out.status.code(),
                Some(exit),
                "{step}: official Rust can-i-deploy\n{}",
                text(&out)
            );
            let out = run(Command::new(clients.ruby_broker_client())
                .args(&args)
                .args(["--broker-base-url", &self.reader.url]));
            assert_eq!(
                out.status.code(),
                Some(exit),
                "{step}: official Ruby can-i-deploy\n{}",
                text(&out)
            );
        }
        answer
    }

    fn deploy(
        &self,
        pacticipant: &str,
        version: &str,
        env_uuid: &str,
        instance: Option<&str>,
    ) -> String {
        let body = instance
            .map(|i| json!({"applicationInstance": i}))
            .unwrap_or(json!({}));
        let (status, record) = self.writer.post(&format!("/pacticipants/{pacticipant}/versions/{version}/deployed-versions/environment/{env_uuid}"), &body);
        assert!(status == 201 || status == 200, "{record}");
        record["_links"]["self"]["href"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn verify(&self, provider_version: &str, consumer_version: &str, success: bool) {
        self.writer.put(
            &format!("/pacticipants/catalogue/branches/main/versions/{provider_version}"),
            &json!({}),
        );
        let contract = self.writer.ok(&format!(
            "/pacts/provider/catalogue/consumer/web-shop/version/{consumer_version}"
        ));
        let url = contract["_links"]["pb:publish-verification-results"]["href"]
            .as_str()
            .unwrap();
        let (status, body) = self.writer.post(
            url,
            &json!({"success": success, "providerApplicationVersion": provider_version}),
        );
        assert_eq!(status, 201, "{body}");
    }
}

#[test]
fn can_i_deploy_through_a_release_cycle_agrees_with_the_official_clients() {
    let official = OfficialClients::find();
    for kind in backends() {
        let db = TestDb::new(kind);
        let writer = TestBroker::start(&db);
        let reader = TestBroker::start(&db);
        let gate = Gate {
            writer: &writer,
            reader: &reader,
            official: official.clone(),
        };
        let env = |name: &str, production: bool| {
            writer
                .post(
                    "/environments",
                    &json!({"name": name, "production": production}),
                )
                .1["uuid"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (test, production) = (env("test", false), env("production", true));
        writer.patch("/pacticipants/web-shop", &json!({"mainBranch": "main"}));
        writer.put(
            "/pacticipants/catalogue/branches/main/versions/1",
            &json!({}),
        );
        gate.deploy("catalogue", "1", &test, None);
        let catalogue_1_prod = gate.deploy("catalogue", "1", &production, Some("blue"));
        assert_eq!(
            writer
                .publish(
                    "web-shop",
                    "1",
                    Some("main"),
                    &[],
                    &[pact("web-shop", "catalogue", &["get item"])]
                )
                .0,
            200
        );

        // 1. Nobody verified web-shop 1's contract yet.
        let answer = gate.check("web-shop", "1", "test", None, None, "unverified");
        assert_eq!(answer["summary"]["unknown"], 1);
        assert!(
            answer["notices"]
                .to_string()
                .contains("There is no verified contract between web-shop (1) and catalogue (1)"),
            "{answer}"
        );
        // 2. catalogue 1 fails it.
        gate.verify("1", "1", false);
        let answer = gate.check(
            "web-shop",
            "1",
            "test",
            None,
            Some(false),
            "failed verification",
        );
        assert!(
            answer["summary"]["reason"]
                .as_str()
                .unwrap()
                .contains("failed"),
            "{answer}"
        );
        // 3. catalogue 2 passes it, but catalogue 1 is what runs in test.
        gate.verify("2", "1", true);
        gate.check(
            "web-shop",
            "1",
            "test",
            None,
            Some(false),
            "fixed provider not deployed yet",
        );
        // 4. catalogue 2 may go to test (no consumer there depends on it yet), and does.
        let answer = gate.check(
            "catalogue",
            "2",
            "test",
            None,
            Some(true),
            "provider with no consumers deployed",
        );
        assert!(
            answer["summary"]["reason"]
                .as_str()
                .unwrap()
                .contains("no missing dependencies"),
            "{answer}"
        );
        gate.deploy("catalogue", "2", &test, None);
        gate.check(
            "web-shop",
            "1",
            "test",
            None,
            Some(true),
            "fixed provider deployed",
        );
        // 5. Production runs catalogue 1 (blue) and 2 (green): every deployed version counts.
        gate.deploy("catalogue", "2", &production, Some("green"));
        let answer = gate.check(
            "web-shop",
            "1",
            "production",
            None,
            Some(false),
            "one of two deployed providers failed",
        );
        assert_eq!(
            (
                answer["summary"]["success"].as_u64(),
                answer["summary"]["failed"].as_u64()
            ),
            (Some(1), Some(1)),
            "{answer}"
        );
        writer.patch(&catalogue_1_prod, &json!({"currentlyDeployed": false}));
        gate.check(
            "web-shop",
            "1",
            "production",
            None,
            Some(true),
            "failing provider undeployed",
        );
        gate.deploy("web-shop", "1", &production, None);
        // 6. A new provider version has not verified the consumer already in production.
        writer.put(
            "/pacticipants/catalogue/branches/main/versions/3",
            &json!({}),
        );
        gate.check(
            "catalogue",
            "3",
            "production",
            None,
            None,
            "new provider unverified against deployed consumer",
        );
        gate.verify("3", "1", true);
        gate.check(
            "catalogue",
            "3",
            "production",
            None,
            Some(true),
            "new provider verified",
        );
        // 7. A consumer version whose contract changed, unverified, unless its provider is ignored.
        assert_eq!(
            writer
                .publish(
                    "web-shop",
                    "2",
                    Some("main"),
                    &[],
                    &[pact("web-shop", "catalogue", &["get item", "get other"])]
                )
                .0,
            200
        );
        gate.check(
            "web-shop",
            "2",
            "production",
            None,
            None,
            "changed contract unverified",
        );
        let answer = gate.check(
            "web-shop",
            "2",
            "production",
            Some("catalogue"),
            Some(true),
            "provider ignored",
        );
        assert_eq!(answer["summary"]["ignored"], 1, "{answer}");
        // 8. A version the broker does not know is a "no" from the broker and the official
        // clients, with the reason; pactum cannot ask about it (exit 2) and says which version.
        let answer = gate.check_exits(
            "web-shop",
            "9",
            "production",
            None,
            Some(false),
            "unknown version",
            2,
        );
        assert!(
            answer["summary"]["reason"]
                .as_str()
                .unwrap()
                .contains("web-shop has no version 9"),
            "{answer}"
        );
        // 8b. `--version` right after `--ignore` narrows what is ignored: production runs
        // catalogue 2, which never verified web-shop 2's contract.
        let ignoring = |version: &str| {
            reader.pactum(&[
                "can-i-deploy",
                "--pacticipant",
                "web-shop",
                "--version",
                "2",
                "--ignore",
                "catalogue",
                "--version",
                version,
                "--to-environment",
                "production",
                "--output",
                "json",
            ])
        };
        let out = ignoring("2");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            answer["matrix"][0]["consumer"]["version"]["number"], "2",
            "{answer}"
        );
        assert_eq!(ignoring("3").status.code(), Some(1));
        // Each pacticipant names its version; --main-branch may repeat.
        let out = reader.pactum(&[
            "can-i-deploy",
            "--pacticipant",
            "web-shop",
            "--main-branch",
            "--pacticipant",
            "catalogue",
            "--main-branch",
            "--output",
            "json",
        ]);
        let answer: Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", text(&out)));
        assert_eq!(
            answer["matrix"][0]["consumer"]["version"]["number"], "2",
            "{answer}"
        );
        assert_eq!(
            answer["matrix"][0]["provider"]["version"]["number"], "3",
            "{answer}"
        );
        // 9. Two named versions and no destination: only the row between them counts
        // (catalogue 1 failed web-shop 1, catalogue 2 passed it).
        let pair = [
            "can-i-deploy",
            "--pacticipant",
            "web-shop",
            "--version",
            "1",
            "--pacticipant",
            "catalogue",
            "--version",
            "2",
        ];
        let out = reader.pactum(&pair);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        let out = reader.pactum(
            &[
                &pair[..],
                &["--pacticipant", "catalogue", "--version", "1"][..],
            ]
            .concat(),
        );
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        if let Some(clients) = &official {
            let out = run(clients.pact().arg("broker").args(pair).args([
                "--broker-base-url",
                &reader.url,
                "--retries",
                "0",
            ]));
            assert_eq!(out.status.code(), Some(0), "official Rust: {}", text(&out));
            let out = run(Command::new(clients.ruby_broker_client())
                .args(pair)
                .args(["--broker-base-url", &reader.url]));
            assert_eq!(out.status.code(), Some(0), "official Ruby: {}", text(&out));
        }
    }
}

#[test]
fn can_i_deploy_usage_and_connection_errors_exit_two() {
    let db = TestDb::new(Kind::Sqlite);
    let broker = TestBroker::start(&db);
    broker.put("/pacticipants/web/versions/1", &json!({}));
    let asking = |who: &[&str], to: &str| {
        let args = [&["can-i-deploy"], who, &["--to-environment", to]].concat();
        broker.pactum(&args)
    };
    // (the broker's answer, what it must say, snapshot)
    let cases = [
        (
            asking(&["--pacticipant", "web", "--version", "1"], "nowhere"),
            Some("no environment named `nowhere`"),
            "can_i_deploy_error_unknown_environment",
        ),
        (
            asking(&["--pacticipant", "ghost", "--version", "1"], "x"),
            None,
            "can_i_deploy_error_unknown_pacticipant",
        ),
        (
            asking(
                &[
                    "--pacticipant",
                    "web",
                    "--version",
                    "1",
                    "--pacticipant",
                    "api",
                ],
                "x",
            ),
            Some("say which version of api"),
            "can_i_deploy_error_second_version_missing",
        ),
        (
            asking(&["--pacticipant", "web"], "x"),
            Some("say which version of web"),
            "can_i_deploy_error_version_missing",
        ),
        (
            pactum(&[
                "can-i-deploy",
                "--pacticipant",
                "web",
                "--version",
                "1",
                "--broker-base-url",
                "http://127.0.0.1:9",
            ]),
            Some("cannot reach the broker"),
            "can_i_deploy_error_broker_down",
        ),
    ];
    let _filters = snapshot_filters();
    for (out, needle, snapshot) in cases {
        assert_eq!(out.status.code(), Some(2), "{snapshot}: {}", text(&out));
        if let Some(needle) = needle {
            assert!(text(&out).contains(needle), "{snapshot}: {}", text(&out));
        }
        insta::assert_snapshot!(snapshot, text(&out));
    }
}
