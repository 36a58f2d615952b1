//! The official Pact broker clients against pactum's broker, on SQLite and PostgreSQL: the Rust
//! `pact broker` (npm `@pact-foundation/pact-cli` 18.1.2) and the Ruby `pact-broker`
//! (`@pact-foundation/pact-cli` 16.1.7, the Pact Broker's reference client). Each command is
//! checked against what the broker holds afterwards, not only against the client's exit code.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::broker::{TestBroker, TestDb, backends, pact};
use crate::support::clients::OfficialClients;
use crate::support::provider::{self, Breakage};
use crate::support::{ScratchDir, pactum_command, run, stderr, stdout, text};

/// One official broker client.
struct BrokerClient {
    name: &'static str,
    program: PathBuf,
    /// Arguments before the subcommand's own (`broker` for the Rust `pact` binary).
    prefix: &'static [&'static str],
    /// Arguments after them (`--retries 0`: the Rust client retries failures for minutes).
    suffix: &'static [&'static str],
    /// Environment variables that authenticate it.
    auth: Vec<(&'static str, &'static str)>,
}

impl BrokerClient {
    fn run(&self, broker: &TestBroker, args: &[&str]) -> Output {
        let mut command = Command::new(&self.program);
        command
            .args(self.prefix)
            .args(args)
            .args(self.suffix)
            .env("PACT_BROKER_BASE_URL", &broker.url)
            .env("PACT_DO_NOT_TRACK", "true")
            .env_remove("PACT_BROKER_TOKEN")
            .env_remove("PACT_BROKER_USERNAME")
            .env_remove("PACT_BROKER_PASSWORD");
        for (key, value) in &self.auth {
            command.env(key, value);
        }
        run(&mut command)
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, broker: &TestBroker, args: &[&str]) -> String {
        let output = self.run(broker, args);
        assert!(
            output.status.success(),
            "{} {args:?} failed ({}):\n{}",
            self.name,
            output.status,
            text(&output)
        );
        stdout(&output)
    }
}

fn official_clients(clients: &OfficialClients) -> Vec<BrokerClient> {
    vec![
        BrokerClient {
            name: "pact broker (Rust, pact-cli 18.1.2)",
            program: clients.pact().get_program().into(),
            prefix: &["broker"],
            suffix: &["--retries", "0"],
            auth: vec![("PACT_BROKER_TOKEN", "write-token")],
        },
        BrokerClient {
            name: "pact-broker (Ruby, pact-cli 16.1.7)",
            program: clients.ruby_broker_client(),
            prefix: &[],
            suffix: &[],
            auth: vec![
                ("PACT_BROKER_USERNAME", "ci"),
                ("PACT_BROKER_PASSWORD", "ci-password"),
            ],
        },
    ]
}

fn names(list: &Value, key: &str) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {list}"))
        .iter()
        .map(|item| {
            item.pointer(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn official_broker_clients_manage_pacticipants_environments_contracts_and_deployments() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    let work = ScratchDir::new("broker-clients");
    let contract_file = work.write(
        "web-catalogue.json",
        pact("web", "catalogue", &["get item", "get other"]).to_string(),
    );
    let contract_file = contract_file.display().to_string();
    for kind in backends() {
        for client in official_clients(&clients) {
            eprintln!("-- {} on {kind:?}", client.name);
            let db = TestDb::new(kind);
            let broker = TestBroker::start_with(&db, |config| {
                config.credentials.add_token("write:write-token").unwrap();
                config
                    .credentials
                    .add_basic("ci:ci-password", pactum::broker::Role::Write)
                    .unwrap();
            });
            let admin = broker.with_auth("Bearer write-token");
            let rust = client.prefix == ["broker"];

            client.ok(
                &broker,
                &[
                    "create-or-update-pacticipant",
                    "--name",
                    "web",
                    "--main-branch",
                    "main",
                    "--repository-url",
                    "https://git.example/web",
                ],
            );
            let web = admin.ok("/pacticipants/web");
            assert_eq!(
                (web["mainBranch"].as_str(), web["repositoryUrl"].as_str()),
                (Some("main"), Some("https://git.example/web")),
                "{web}"
            );
            client.ok(
                &broker,
                &[
                    "create-or-update-pacticipant",
                    "--name",
                    "web",
                    "--display-name",
                    "Web Shop",
                ],
            );
            let web = admin.ok("/pacticipants/web");
            assert_eq!(
                (web["displayName"].as_str(), web["mainBranch"].as_str()),
                (Some("Web Shop"), Some("main")),
                "{web}"
            );

            client.ok(
                &broker,
                &[
                    "create-environment",
                    "--name",
                    "test",
                    "--display-name",
                    "Test",
                ],
            );
            client.ok(
                &broker,
                &["create-environment", "--name", "production", "--production"],
            );
            let environments = admin.ok("/environments")["_embedded"]["environments"].clone();
            assert_eq!(names(&environments, "/name"), ["production", "test"]);
            let production = environments
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == "production")
                .unwrap();
            assert_eq!(production["production"], true);
            let listed = client.ok(&broker, &["list-environments"]);
            assert!(
                listed.contains("production") && listed.contains("test"),
                "{listed}"
            );

            let tags: &[&str] = if rust {
                &["--tag", "dev,beta"]
            } else {
                &["--tag", "dev", "--tag", "beta"]
            };
            let mut publish = vec![
                "publish",
                contract_file.as_str(),
                "--consumer-app-version",
                "1.0.0",
                "--branch",
                "feat/x",
            ];
            publish.extend_from_slice(tags);
            let published = client.ok(&broker, &publish);
            assert!(
                published.contains("/pacts/provider/catalogue/consumer/web/version/1.0.0"),
                "{published}"
            );
            let stored = admin.ok("/pacts/provider/catalogue/consumer/web/version/1.0.0");
            assert_eq!(
                names(&stored["interactions"], "/description"),
                ["get item", "get other"]
            );
            let version = admin.ok("/pacticipants/web/versions/1.0.0");
            assert_eq!(
                names(&version["_embedded"]["branchVersions"], "/name"),
                ["feat/x"]
            );
            assert_eq!(
                names(&version["_embedded"]["tags"], "/name"),
                ["beta", "dev"]
            );

            client.ok(
                &broker,
                &[
                    "create-version-tag",
                    "--pacticipant",
                    "web",
                    "--version",
                    "1.0.0",
                    "--tag",
                    "rc",
                ],
            );
            let version = admin.ok("/pacticipants/web/versions/1.0.0");
            assert_eq!(
                names(&version["_embedded"]["tags"], "/name"),
                ["beta", "dev", "rc"]
            );
            let described = client.ok(
                &broker,
                &[
                    "describe-version",
                    "--pacticipant",
                    "web",
                    "--version",
                    "1.0.0",
                ],
            );
            assert!(
                described.contains("1.0.0") && described.contains("rc"),
                "{described}"
            );

            let test_uuid = environments
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == "test")
                .unwrap()["uuid"]
                .as_str()
                .unwrap()
                .to_owned();
            let production_uuid = production["uuid"].as_str().unwrap().to_owned();
            let deployed = |instance: Option<&str>| -> Vec<Value> {
                let path = format!(
                    "/environments/{test_uuid}/deployed-versions/currently-deployed?pacticipant=web"
                );
                admin.ok(&path)["_embedded"]["deployedVersions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|d| d["applicationInstance"].as_str() == instance)
                    .cloned()
                    .collect()
            };
            let instance: &[&str] = if rust {
                &["--application-instance", "blue"]
            } else {
                &[]
            };
            let instance_name = rust.then_some("blue");
            let mut record = vec![
                "record-deployment",
                "--pacticipant",
                "web",
                "--version",
                "1.0.0",
                "--environment",
                "test",
            ];
            record.extend_from_slice(instance);
            client.ok(&broker, &record);
            let current = deployed(instance_name);
            assert_eq!(current.len(), 1, "{current:?}");
            assert_eq!(current[0]["_embedded"]["version"]["number"], "1.0.0");
            let mut undeploy = vec![
                "record-undeployment",
                "--pacticipant",
                "web",
                "--environment",
                "test",
            ];
            undeploy.extend_from_slice(instance);
            client.ok(&broker, &undeploy);
            assert!(deployed(instance_name).is_empty());
            let uuid = current[0]["uuid"].as_str().unwrap();
            assert_eq!(
                admin.ok(&format!("/deployed-versions/{uuid}"))["currentlyDeployed"],
                false
            );

            client.ok(
                &broker,
                &[
                    "record-release",
                    "--pacticipant",
                    "web",
                    "--version",
                    "1.0.0",
                    "--environment",
                    "production",
                ],
            );
            let supported = |admin: &TestBroker| {
                admin.ok(&format!(
                    "/environments/{production_uuid}/released-versions/currently-supported"
                ))["_embedded"]["releasedVersions"]
                    .as_array()
                    .unwrap()
                    .len()
            };
            assert_eq!(supported(&admin), 1);
            client.ok(
                &broker,
                &[
                    "record-support-ended",
                    "--pacticipant",
                    "web",
                    "--version",
                    "1.0.0",
                    "--environment",
                    "production",
                ],
            );
            assert_eq!(supported(&admin), 0);
            assert_eq!(admin.count("releasedVersions"), 1);

            // A failure is reported as one: recording a version that does not exist.
            let output = client.run(
                &broker,
                &[
                    "record-deployment",
                    "--pacticipant",
                    "web",
                    "--version",
                    "9.9.9",
                    "--environment",
                    "test",
                ],
            );
            assert!(
                !output.status.success(),
                "{}: recording an unknown version succeeded",
                client.name
            );
        }
    }
}

#[test]
fn the_ruby_client_publishes_through_the_older_api_when_asked() {
    let Some(clients) = OfficialClients::find() else {
        return;
    };
    let work = ScratchDir::new("broker-old-api");
    let contract_file = work.write(
        "mobile-catalogue.json",
        pact("mobile", "catalogue", &["x"]).to_string(),
    );
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let client = official_clients(&clients).pop().unwrap();
        let output = run(Command::new(&client.program)
            .args([
                "publish",
                &contract_file.display().to_string(),
                "--consumer-app-version",
                "3",
                "--tag",
                "prod",
            ])
            .env("PACT_BROKER_BASE_URL", &broker.url)
            .env("PACT_BROKER_FEATURES", "publish_pacts_using_old_api"));
        assert!(output.status.success(), "{}", text(&output));
        assert_eq!(
            broker.ok("/pacts/provider/catalogue/consumer/mobile/latest/prod")["consumer"]["name"],
            "mobile"
        );
    }
}

/// `pactum args` against `broker` with the write token.
fn pactum_client(broker: &TestBroker, args: &[&str]) -> Output {
    broker.with_auth("Bearer write-token").pactum(args)
}

/// [`pactum_client`] for a command that must succeed; returns everything it printed.
fn pactum_ok(broker: &TestBroker, args: &[&str]) -> String {
    let out = pactum_client(broker, args);
    assert!(out.status.success(), "pactum {args:?}: {}", text(&out));
    text(&out)
}

#[test]
fn pactum_broker_commands_do_what_the_official_ones_do() {
    let work = ScratchDir::new("pactum-broker-commands");
    let contract_file = work.write(
        "web-catalogue.json",
        pact("web", "catalogue", &["get item"]).to_string(),
    );
    let contract_file = contract_file.display().to_string();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start_with(&db, |config| {
            config.credentials.add_token("write:write-token").unwrap()
        });
        let admin = broker.with_auth("Bearer write-token");

        assert!(
            pactum_ok(
                &broker,
                &[
                    "create-or-update-pacticipant",
                    "--name",
                    "web",
                    "--main-branch",
                    "main"
                ]
            )
            .contains("created")
        );
        assert!(
            pactum_ok(
                &broker,
                &[
                    "create-or-update-pacticipant",
                    "--name",
                    "web",
                    "--repository-url",
                    "https://git/web"
                ]
            )
            .contains("updated")
        );
        let web = admin.ok("/pacticipants/web");
        assert_eq!(
            (web["mainBranch"].as_str(), web["repositoryUrl"].as_str()),
            (Some("main"), Some("https://git/web"))
        );

        pactum_ok(
            &broker,
            &[
                "create-environment",
                "--name",
                "production",
                "--production",
                "--contact-name",
                "ops",
                "--contact-email-address",
                "ops@example.com",
            ],
        );
        let listed = pactum_ok(&broker, &["list-environments"]);
        assert!(
            listed.contains("production") && listed.contains("true"),
            "{listed}"
        );
        let json: Value = serde_json::from_str(&pactum_ok(
            &broker,
            &["list-environments", "--output", "json"],
        ))
        .unwrap();
        assert_eq!(
            json[0]["contacts"][0]["details"]["emailAddress"],
            "ops@example.com"
        );

        let said = pactum_ok(
            &broker,
            &[
                "publish",
                &contract_file,
                "--consumer-app-version",
                "1.0.0",
                "--branch",
                "feat/x",
                "--tag",
                "dev,beta",
            ],
        );
        assert!(
            said.contains(
                "Pact successfully published for web version 1.0.0 and provider catalogue"
            ),
            "{said}"
        );
        let version = admin.ok("/pacticipants/web/versions/1.0.0");
        assert_eq!(
            names(&version["_embedded"]["tags"], "/name"),
            ["beta", "dev"]
        );
        assert_eq!(
            names(&version["_embedded"]["branchVersions"], "/name"),
            ["feat/x"]
        );

        pactum_ok(
            &broker,
            &["create-version-tag", "-a", "web", "-e", "1.0.0", "-t", "rc"],
        );
        let described = pactum_ok(&broker, &["describe-version", "-a", "web", "-e", "1.0.0"]);
        assert!(
            described.contains("feat/x") && described.contains("rc"),
            "{described}"
        );
        let out = pactum_client(
            &broker,
            &["create-version-tag", "-a", "web", "-e", "9", "-t", "rc"],
        );
        assert_eq!(
            out.status.code(),
            Some(2),
            "tagging an unknown version without --auto-create-version cannot be done"
        );
        pactum_ok(
            &broker,
            &[
                "create-version-tag",
                "-a",
                "web",
                "-e",
                "9",
                "-t",
                "rc",
                "--auto-create-version",
            ],
        );
        assert!(
            pactum_ok(
                &broker,
                &["describe-version", "-a", "web", "--latest", "rc"]
            )
            .contains(" 9 ")
        );

        pactum_ok(
            &broker,
            &[
                "record-deployment",
                "-a",
                "web",
                "-e",
                "1.0.0",
                "--environment",
                "production",
                "--application-instance",
                "blue",
            ],
        );
        assert_eq!(admin.count("currentlyDeployedVersions"), 1);
        pactum_ok(
            &broker,
            &[
                "record-undeployment",
                "-a",
                "web",
                "--environment",
                "production",
                "--application-instance",
                "blue",
            ],
        );
        assert_eq!(admin.count("currentlyDeployedVersions"), 0);
        let out = pactum_client(
            &broker,
            &[
                "record-undeployment",
                "-a",
                "web",
                "--environment",
                "production",
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("is not currently deployed to production"));
        pactum_ok(
            &broker,
            &[
                "record-release",
                "-a",
                "web",
                "-e",
                "1.0.0",
                "--environment",
                "production",
            ],
        );
        assert_eq!(admin.count("currentlySupportedReleasedVersions"), 1);
        pactum_ok(
            &broker,
            &[
                "record-support-ended",
                "-a",
                "web",
                "-e",
                "1.0.0",
                "--environment",
                "production",
            ],
        );
        assert_eq!(admin.count("currentlySupportedReleasedVersions"), 0);
        let out = pactum_client(
            &broker,
            &[
                "record-deployment",
                "-a",
                "web",
                "-e",
                "1.0.0",
                "--environment",
                "staging",
            ],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("no environment named `staging`"));

        // A malformed contract is refused before anything is sent.
        let broken = work.write("broken.json", r#"{"consumer": {"name": "web"}, "provider": {"name": "catalogue"}, "interactions": 5}"#);
        let out = pactum_client(
            &broker,
            &["publish", &broken.display().to_string(), "-a", "2"],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("interactions"), "{}", stderr(&out));
        assert!(admin.get("/pacticipants/web/versions/2").0 == 404);
        // Wrong credentials: exit 2 with what to set.
        let out = run(pactum_command().args([
            "list-environments",
            "--broker-base-url",
            &broker.url,
            "--broker-token",
            "nope",
        ]));
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("PACT_BROKER_TOKEN"));
    }
}

#[test]
fn broker_commands_exit_two_when_the_base_url_is_not_a_broker() {
    // A server that answers, but not as a broker (the test provider: 404 at `/`).
    let provider = provider::start(Breakage::None);
    let out = crate::support::pactum(&["list-environments", "--broker-base-url", &provider.url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("does not look like a Pact broker (no index at"),
        "{}",
        stderr(&out)
    );
}
