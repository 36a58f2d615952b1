//! The official Pact broker clients against pactum's broker, on SQLite and PostgreSQL: the Rust
//! `pact broker` (npm `@pact-foundation/pact-cli` 18.1.2) and the Ruby `pact-broker`
//! (`@pact-foundation/pact-cli` 16.1.7, the Pact Broker's reference client). Each command is
//! checked against what the broker holds afterwards, not only against the client's exit code.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::broker_harness::{TestBroker, TestDb, backends, pact};
use crate::interop::{clients, pact_cli, scratch};

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
        command
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.name))
    }

    /// Runs a command that must succeed; returns its standard output.
    fn ok(&self, broker: &TestBroker, args: &[&str]) -> String {
        let output = self.run(broker, args);
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{} {args:?} failed ({}):\n{stdout}\n{}",
            self.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }
}

fn official_clients(dir: &Path) -> Vec<BrokerClient> {
    let ruby = dir.join("ruby-cli/node_modules/.bin/pact-broker");
    assert!(
        ruby.exists(),
        "the Ruby pact-broker is not installed in {}; run scripts/install-pact-clients.sh",
        ruby.display()
    );
    vec![
        BrokerClient {
            name: "pact broker (Rust, pact-cli 18.1.2)",
            program: pact_cli(dir).get_program().into(),
            prefix: &["broker"],
            suffix: &["--retries", "0"],
            auth: vec![("PACT_BROKER_TOKEN", "write-token")],
        },
        BrokerClient {
            name: "pact-broker (Ruby, pact-cli 16.1.7)",
            program: ruby,
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
    let Some(dir) = clients() else { return };
    let work = scratch("broker-clients");
    let contract_file = work.join("web-catalogue.json");
    std::fs::write(
        &contract_file,
        pact("web", "catalogue", &["get item", "get other"]).to_string(),
    )
    .unwrap();
    let contract_file = contract_file.display().to_string();
    for kind in backends() {
        for client in official_clients(&dir) {
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
    let Some(dir) = clients() else { return };
    let work = scratch("broker-old-api");
    let contract_file = work.join("mobile-catalogue.json");
    std::fs::write(
        &contract_file,
        pact("mobile", "catalogue", &["x"]).to_string(),
    )
    .unwrap();
    for kind in backends() {
        let db = TestDb::new(kind);
        let broker = TestBroker::start(&db);
        let client = official_clients(&dir).pop().unwrap();
        let output = Command::new(&client.program)
            .args([
                "publish",
                &contract_file.display().to_string(),
                "--consumer-app-version",
                "3",
                "--tag",
                "prod",
            ])
            .env("PACT_BROKER_BASE_URL", &broker.url)
            .env("PACT_BROKER_FEATURES", "publish_pacts_using_old_api")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(
            broker.ok("/pacts/provider/catalogue/consumer/mobile/latest/prod")["consumer"]["name"],
            "mobile"
        );
    }
}

fn pactum_client(broker: &TestBroker, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(args)
        .env("PACT_BROKER_BASE_URL", &broker.url)
        .env("PACT_BROKER_TOKEN", "write-token")
        .output()
        .unwrap()
}

fn pactum_ok(broker: &TestBroker, args: &[&str]) -> String {
    let out = pactum_client(broker, args);
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "pactum {args:?}: {said}");
    said
}

#[test]
fn pactum_broker_commands_do_what_the_official_ones_do() {
    let work = scratch("pactum-broker-commands");
    let contract_file = work.join("web-catalogue.json");
    std::fs::write(
        &contract_file,
        pact("web", "catalogue", &["get item"]).to_string(),
    )
    .unwrap();
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
            Some(1),
            "tagging an unknown version without --auto-create-version fails"
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
        assert_eq!(out.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("is not currently deployed to production")
        );
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
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains("no environment named `staging`"));

        // A malformed contract is refused before anything is sent.
        let broken = work.join("broken.json");
        std::fs::write(&broken, r#"{"consumer": {"name": "web"}, "provider": {"name": "catalogue"}, "interactions": 5}"#).unwrap();
        let out = pactum_client(
            &broker,
            &["publish", &broken.display().to_string(), "-a", "2"],
        );
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("interactions"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(admin.get("/pacticipants/web/versions/2").0 == 404);
        // Wrong credentials: exit 2 with what to set.
        let out = Command::new(env!("CARGO_BIN_EXE_pactum"))
            .args([
                "list-environments",
                "--broker-base-url",
                &broker.url,
                "--broker-token",
                "nope",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("PACT_BROKER_TOKEN"));
    }
}

#[test]
fn broker_commands_exit_two_when_the_base_url_is_not_a_broker() {
    // A server that answers, but not as a broker (the test provider: 404 at `/`).
    let provider = crate::provider::start(crate::provider::Breakage::None);
    let out = Command::new(env!("CARGO_BIN_EXE_pactum"))
        .args(["list-environments", "--broker-base-url", &provider.url])
        .env_remove("PACT_BROKER_TOKEN")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is the broker base URL right"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
