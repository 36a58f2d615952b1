//! pactum's broker verified against the official Ruby broker client's own contracts with the
//! Pact Broker and PactFlow (pact-foundation/pact_broker-client `spec/pacts`), by pactum's
//! verifier, in process (`Verifier::service` over `pactum::broker::app`), on SQLite and on
//! PostgreSQL.
//!
//! Every `*.json` in the folder `PACTUM_OFFICIAL_CONTRACTS` names (else
//! `../shared/official-contracts` beside the checkout) is verified, so other versions of these
//! contracts can be checked the same way; without it the tests fail unless
//! `PACTUM_SKIP_OFFICIAL_CONTRACTS` is set. Each interaction runs alone on a fresh database,
//! with its provider states set up through the store (`states`), and hrefs built on
//! `http://example.org`, the base URL of the Pact Broker's own verification. Every interaction
//! must pass, except those in `listed`: `NOT_YET` (features still to come) and `DIFFERS`
//! (answers different on purpose) ones run and must still fail, `CANNOT_SET_UP` ones are not
//! run. Each contract's counts are printed, past the harness's output capture.

mod listed;
mod states;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::Request;
use serde_json::Map;

use crate::support::broker::{Kind, TestDb};
use crate::support::{prerequisites, runtime};
use listed::{CANNOT_SET_UP, CLIENT_QUERIES, DIFFERS, Listed, NOT_YET};
use pactum::broker::{BrokerConfig, Db, Store};
use pactum::contract::{Interaction, InteractionKind, Pact};
use pactum::sources::Loaded;
use pactum::verifier::{Outcome, StateAction, Verifier};

/// The base URL the broker builds hrefs on, as in the Pact Broker's verification of these
/// contracts (some expect `http://example.org/…` hrefs exactly).
const BASE_URL: &str = "http://example.org";

#[test]
fn the_broker_on_sqlite_satisfies_the_official_clients_contracts() {
    verify_all(Kind::Sqlite);
}

#[test]
fn the_broker_on_postgres_satisfies_the_official_clients_contracts() {
    if prerequisites::postgres_url().is_some() {
        verify_all(Kind::Postgres);
    }
}

/// A contract file, read.
struct Contract {
    /// The file name without `.json`.
    name: String,
    pact: Pact,
}

fn load_contracts(folder: &Path) -> Vec<Contract> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", folder.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| Contract {
            name: file.file_stem().unwrap().to_string_lossy().into_owned(),
            pact: Pact::load(file).unwrap_or_else(|e| panic!("{e}")),
        })
        .collect()
}

/// The entry of `list` that names `interaction` of a contract with `provider`.
fn listed<'a>(list: &'a [Listed], provider: &str, interaction: &Interaction) -> Option<&'a Listed> {
    let state = interaction.provider_states.first().map(|s| s.name.as_str());
    list.iter().find(|entry| {
        entry.provider == provider
            && entry.description == interaction.description
            && entry.state == state
    })
}

/// How one contract fared.
#[derive(Default)]
struct Tally {
    passed: usize,
    not_yet: usize,
    differs: usize,
    cannot_set_up: usize,
}

fn verify_all(kind: Kind) {
    let Some(folder) = prerequisites::official_contracts() else {
        return;
    };
    let contracts = load_contracts(&folder);
    let mut problems = stale_entries(&contracts);
    for contract in &contracts {
        let provider = contract.pact.provider.name.as_str();
        let mut tally = Tally::default();
        for interaction in &contract.pact.interactions {
            let name = describe(interaction);
            if let Some(entry) = listed(CANNOT_SET_UP, provider, interaction) {
                tally.cannot_set_up += 1;
                eprintln!("not run: {name}: {}", entry.reason);
                continue;
            }
            let outcome = verify_one(kind, &contract.pact, interaction);
            let expected_to_fail = [(NOT_YET, "NOT_YET"), (DIFFERS, "DIFFERS")]
                .into_iter()
                .find_map(|(list, list_name)| {
                    Some((listed(list, provider, interaction)?, list_name))
                });
            match (expected_to_fail, outcome) {
                (None, Ok(())) => tally.passed += 1,
                (None, Err(why)) => {
                    problems.push(format!("{}: {name} failed:\n{why}", contract.name))
                }
                (Some((entry, list_name)), Err(why)) => {
                    if list_name == "NOT_YET" {
                        tally.not_yet += 1;
                    } else {
                        tally.differs += 1;
                    }
                    eprintln!(
                        "{list_name}: {name}: {}; it fails with: {why}",
                        entry.reason
                    );
                }
                (Some((_, list_name)), Ok(())) => problems.push(format!(
                    "{}: {name} passes but is listed in {list_name}: take it off the list in \
                     tests/official_contracts/listed.rs (and the README's table)",
                    contract.name
                )),
            }
        }
        // Written past the test harness's capture, so every run's log has the counts.
        let _ = writeln!(
            std::io::stderr().lock(),
            "official contract '{}' on {kind:?}: {} passed, {} not yet (listed, still failing), \
             {} differing on purpose (listed, still failing), {} cannot be set up (listed, not \
             run), of {} interactions",
            contract.name,
            tally.passed,
            tally.not_yet,
            tally.differs,
            tally.cannot_set_up,
            contract.pact.interactions.len()
        );
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) on {kind:?}:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Entries of the lists that name no interaction of the loaded contract they are about: they
/// must go, so the lists say only what is true. (A list entry for a provider none of the
/// loaded contracts is with stays: another folder may hold only some of the contracts.)
fn stale_entries(contracts: &[Contract]) -> Vec<String> {
    let mut stale = Vec::new();
    for entry in NOT_YET.iter().chain(DIFFERS).chain(CANNOT_SET_UP) {
        let with_provider: Vec<&Contract> = contracts
            .iter()
            .filter(|c| c.pact.provider.name == entry.provider)
            .collect();
        let named = with_provider.iter().any(|c| {
            c.pact
                .interactions
                .iter()
                .any(|i| listed(std::slice::from_ref(entry), entry.provider, i).is_some())
        });
        if !with_provider.is_empty() && !named {
            stale.push(format!(
                "tests/official_contracts/listed.rs lists '{}' ({}) for {}, which no contract has",
                entry.description,
                entry.state.unwrap_or("no provider state"),
                entry.provider
            ));
        }
    }
    // Each restored query must be one a loaded contract sends (when the contract with the
    // Pact Broker is among them).
    let sent: Vec<Vec<(&str, &str)>> = contracts
        .iter()
        .filter(|c| c.pact.provider.name == "Pact Broker")
        .flat_map(|c| &c.pact.interactions)
        .filter_map(|interaction| match &interaction.kind {
            InteractionKind::Http { request, .. } => client_query(
                request
                    .query
                    .iter()
                    .flat_map(|(name, values)| values.iter().map(|v| (name.clone(), v.clone())))
                    .collect(),
            ),
            _ => None,
        })
        .collect();
    if contracts
        .iter()
        .any(|c| c.pact.provider.name == "Pact Broker")
    {
        for entry in CLIENT_QUERIES {
            let pairs: Vec<(&str, &str)> = entry
                .split('&')
                .map(|pair| pair.split_once('=').expect("name=value"))
                .collect();
            if !sent.contains(&pairs) {
                stale.push(format!(
                    "tests/official_contracts/listed.rs restores the order of `{entry}`, which no \
                     interaction of the contract with the Pact Broker sends"
                ));
            }
        }
    }
    stale
}

/// The interaction's description and provider states, for messages.
fn describe(interaction: &Interaction) -> String {
    match interaction.provider_states.first() {
        Some(state) => format!("'{}' given '{}'", interaction.description, state.name),
        None => format!("'{}'", interaction.description),
    }
}

/// Verifies one interaction against a broker on a fresh database: `Err` holds why it did not
/// pass (mismatches, or the error).
fn verify_one(kind: Kind, pact: &Pact, interaction: &Interaction) -> Result<(), String> {
    let db = TestDb::new(kind);
    runtime().block_on(async {
        let database = Db::connect(&db.url, 2)
            .await
            .unwrap_or_else(|e| panic!("cannot open the test database: {e}"));
        database.migrate().await.unwrap();
        let store = Store::new(database.clone());
        let mut config = BrokerConfig::new(db.url.clone());
        config.public_base_url = Some(BASE_URL.to_owned());
        let broker = tower::util::MapRequest::new(
            pactum::broker::app(store.clone(), config),
            in_client_order,
        );
        let mut verifier = Verifier::service(broker);
        for state in &interaction.provider_states {
            let (store, name) = (store.clone(), state.name.clone());
            verifier = verifier.state(&state.name, move |_params, action| {
                let (store, name) = (store.clone(), name.clone());
                async move {
                    if action == StateAction::Setup {
                        states::set_up(&store, &name).await?;
                    }
                    Ok(Map::new())
                }
            });
        }
        let one = Loaded {
            origin: "official contract".into(),
            pact: Pact {
                interactions: vec![interaction.clone()],
                ..pact.clone()
            },
            broker: None,
        };
        let report = verifier.verify(&[one]).await;
        database.close().await;
        let result = report
            .map_err(|e| e.to_string())?
            .contracts
            .remove(0)
            .interactions
            .remove(0);
        match result.outcome {
            Outcome::Passed => Ok(()),
            Outcome::Failed { mismatches } => Err(pactum::matching::render_text(&mismatches)),
            Outcome::Error { message } => Err(message),
            Outcome::Skipped => Err("skipped".into()),
        }
    })
}

/// The request with its query in the order the client sends it, when its parameters are those
/// of an entry of [`CLIENT_QUERIES`]; otherwise unchanged.
fn in_client_order(mut request: Request<Body>) -> Request<Body> {
    let Some(query) = request.uri().query() else {
        return request;
    };
    if let Some(pairs) = client_query(decoded_pairs(query)) {
        let mut url = reqwest::Url::parse("http://broker/").unwrap();
        url.query_pairs_mut().extend_pairs(pairs);
        let target = format!("{}?{}", request.uri().path(), url.query().unwrap_or(""));
        *request.uri_mut() = target.parse().expect("a path and query");
    }
    request
}

/// The entry of [`CLIENT_QUERIES`] with exactly these parameters (in any order), as pairs in the
/// client's order.
fn client_query(pairs: Vec<(String, String)>) -> Option<Vec<(&'static str, &'static str)>> {
    let wanted = sorted(pairs);
    CLIENT_QUERIES
        .iter()
        .map(|entry| {
            entry
                .split('&')
                .map(|pair| {
                    pair.split_once('=')
                        .expect("CLIENT_QUERIES holds name=value pairs")
                })
                .collect::<Vec<_>>()
        })
        .find(|entry| {
            let owned = entry
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            sorted(owned) == wanted
        })
}

fn decoded_pairs(query: &str) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://broker/?{query}")).unwrap();
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn sorted(mut pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    pairs.sort();
    pairs
}
