//! The contracts a provider is held to by the consumer versions that matter: those deployed or
//! released in an environment — or, without one, in any environment plus each consumer's main
//! branch head (the broker's default selection for verification) — each with its consumer
//! version named, so a report can say *which* deployed version relies on what.
//!
//! Versions come from the environments' typed lists (`pb:currently-deployed-deployed-versions`,
//! `pb:currently-supported-released-versions`) and branch resources, and each version's contract
//! from `pb:publish-pact` (which answers GET with that version's contract). Pacts for
//! verification would need fewer contract fetches (one per distinct content) but name the
//! versions sharing a content only in prose, which no client should parse.

use std::collections::BTreeMap;
use std::fmt;

use pactum_broker_api::hal::href;
use pactum_broker_api::{
    Branch, DeployedVersions, Pacticipant, ProviderPacts, ReleasedVersions, Version, Versions,
};
use pactum_core::contract::Pact;
use serde::Serialize;
use serde_json::Value;

use super::{BrokerClient, ClientError, Missing, expand, relation_template};

/// Why a consumer version's contract counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Pick {
    /// Currently deployed to the environment.
    Deployed {
        /// The environment's name.
        environment: String,
    },
    /// Released in the environment and still supported.
    Released {
        /// The environment's name.
        environment: String,
    },
    /// The newest version on the consumer's main branch.
    MainBranch {
        /// The branch.
        branch: String,
    },
}

impl fmt::Display for Pick {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Pick::Deployed { environment } => write!(f, "deployed in {environment}"),
            Pick::Released { environment } => write!(f, "released in {environment}"),
            Pick::MainBranch { branch } => write!(f, "head of main branch {branch}"),
        }
    }
}

/// One consumer version's contract with a provider.
#[derive(Debug, Clone)]
pub struct ConsumerContract {
    /// The consumer.
    pub consumer: String,
    /// Its version.
    pub version: String,
    /// Why this version counts (deployed where, released where, main branch).
    pub picks: Vec<Pick>,
    /// Where the contract was read.
    pub url: String,
    /// The contract.
    pub pact: Pact,
}

/// Which consumer versions to collect contracts from.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    /// The versions deployed or released in this environment.
    Environment(&'a str),
    /// The versions deployed or released anywhere, and each consumer's main branch head.
    Default,
}

impl BrokerClient {
    /// The number of a branch's newest version: its `latestVersion` (pactum's broker), else
    /// through its `pb:latest-version` link — a version resource, or (the Pact Broker's) a
    /// page of the branch's versions holding the newest.
    async fn branch_head(&self, branch: &Branch) -> Result<Option<String>, ClientError> {
        if let Some(number) = &branch.latest_version {
            return Ok(Some(number.clone()));
        }
        let Some(url) = href(branch.links.latest_version.as_ref()) else {
            return Ok(None);
        };
        let Some(answer) = self.find::<Value>(url).await? else {
            return Ok(None);
        };
        let version: Version = Self::read(url, &answer.to_string())?;
        if !version.number.is_empty() {
            return Ok(Some(version.number));
        }
        let page: Versions = Self::read(url, &answer.to_string())?;
        Ok(page.embedded.versions.into_iter().next().map(|v| v.number))
    }

    /// The contracts `provider`'s consumers hold it to, one per consumer version in `scope`
    /// that has a contract with it, sorted by consumer then version as found. An unknown
    /// provider or environment is [`ClientError::NotFound`]; a provider without consumers
    /// gives an empty list.
    pub async fn consumer_contracts(
        &self,
        provider: &str,
        scope: Scope<'_>,
    ) -> Result<Vec<ConsumerContract>, ClientError> {
        let index = self.index().await?;
        let base = self.base_url();
        let pacticipant_template = relation_template(&index, base, "pb:pacticipant")?;
        let pacticipant = |name: &str| expand(pacticipant_template, &[("pacticipant", name)]);
        if self.find::<Value>(&pacticipant(provider)).await?.is_none() {
            return Err(ClientError::NotFound {
                missing: Missing::Pacticipant {
                    name: provider.to_owned(),
                },
                reply: None,
            });
        }
        let environments_url = relation_template(&index, base, "pb:environments")?;
        let environments = match scope {
            Scope::Environment(name) => vec![self.environment_at(environments_url, name).await?],
            Scope::Default => self.environments_at(environments_url).await?,
        };
        let latest_url = expand(
            relation_template(&index, base, "pb:latest-provider-pacts")?,
            &[("provider", provider)],
        );
        let latest: ProviderPacts = self.get(&latest_url).await?;
        let links = if latest.links.pacts.is_empty() {
            &latest.links.pacts_legacy
        } else {
            &latest.links.pacts
        };
        let consumers: Vec<String> = links.iter().filter_map(|l| l.name.clone()).collect();

        // (consumer, version) → why; in the order found, each pick once.
        let mut picked: Vec<((String, String), Vec<Pick>)> = Vec::new();
        let mut pick = |consumer: &str, version: &str, why: Pick| {
            if !consumers.iter().any(|c| c == consumer) {
                return;
            }
            let key = (consumer.to_owned(), version.to_owned());
            match picked.iter_mut().find(|(k, _)| *k == key) {
                Some((_, picks)) if !picks.contains(&why) => picks.push(why),
                Some(_) => {}
                None => picked.push((key, vec![why])),
            }
        };
        for environment in &environments {
            if let Some(url) = href(environment.links.currently_deployed.as_ref()) {
                let deployed: DeployedVersions = self.get(url).await?;
                for record in deployed.embedded.deployed_versions {
                    let why = Pick::Deployed {
                        environment: environment.name.clone(),
                    };
                    pick(
                        &record.embedded.pacticipant.name,
                        &record.embedded.version.number,
                        why,
                    );
                }
            }
            if let Some(url) = href(environment.links.currently_supported.as_ref()) {
                let released: ReleasedVersions = self.get(url).await?;
                for record in released.embedded.released_versions {
                    let why = Pick::Released {
                        environment: environment.name.clone(),
                    };
                    pick(
                        &record.embedded.pacticipant.name,
                        &record.embedded.version.number,
                        why,
                    );
                }
            }
        }
        if matches!(scope, Scope::Default) {
            let branch_template = relation_template(&index, base, "pb:pacticipant-branch")?;
            for consumer in &consumers {
                let Some(main) = self
                    .find::<Pacticipant>(&pacticipant(consumer))
                    .await?
                    .and_then(|p| p.main_branch)
                else {
                    continue;
                };
                let url = expand(
                    branch_template,
                    &[("pacticipant", consumer), ("branch", &main)],
                );
                let Some(branch) = self.find::<Branch>(&url).await? else {
                    continue;
                };
                if let Some(version) = self.branch_head(&branch).await? {
                    pick(consumer, &version, Pick::MainBranch { branch: main });
                }
            }
        }

        let pact_template = relation_template(&index, base, "pb:publish-pact")?;
        let mut by_consumer: BTreeMap<String, Vec<ConsumerContract>> = BTreeMap::new();
        for ((consumer, version), mut picks) in picked {
            let url = expand(
                pact_template,
                &[
                    ("provider", provider),
                    ("consumer", &consumer),
                    ("consumerApplicationVersion", &version),
                ],
            );
            // A version deployed without a contract for this provider does not rely on it.
            let Some(document) = self.find::<Value>(&url).await? else {
                continue;
            };
            let pact = Pact::from_value(document).map_err(|source| ClientError::Contract {
                url: url.clone(),
                source,
            })?;
            picks.sort();
            by_consumer
                .entry(consumer.clone())
                .or_default()
                .push(ConsumerContract {
                    consumer,
                    version,
                    picks,
                    url,
                    pact,
                });
        }
        Ok(by_consumer.into_values().flatten().collect())
    }
}
