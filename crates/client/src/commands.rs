//! The broker operations behind pactum's client commands (`publish`, `can-i-deploy`,
//! `record-deployment`, …), following the same link relations as the official clients.

use base64::Engine as _;
use pactum_broker_api::environments::Contact;
use pactum_broker_api::hal::href;
use pactum_broker_api::{
    ContractToPublish, DeployedVersion, DeployedVersionPatch, DeployedVersions, Environment,
    EnvironmentRequest, Environments, Matrix, OnConflict, Pacticipant, PacticipantRequest,
    PublishRequest, PublishResponse, RecordDeploymentRequest, ReleasedVersion,
    ReleasedVersionPatch, ReleasedVersions, Version, VersionRequest,
};
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{BrokerClient, ClientError, Difference, EnvironmentSetting, Missing, Reply};

/// Which versions of one pacticipant a can-i-deploy question names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VersionSelector {
    /// The pacticipant.
    pub pacticipant: String,
    /// A version number.
    pub version: Option<String>,
    /// The latest (with a tag: the latest with that tag).
    pub latest: Option<Option<String>>,
    /// The latest on this branch.
    pub branch: Option<String>,
    /// The latest on the main branch.
    pub main_branch: bool,
}

/// Where a can-i-deploy question is going.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An environment.
    Environment(String),
    /// The latest version with a tag.
    Tag(String),
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The `/matrix` query string for a can-i-deploy question, Rack-style as the official clients
/// send it.
pub fn matrix_query(
    selectors: &[VersionSelector],
    target: Option<&Target>,
    ignore: &[(String, Option<String>)],
) -> String {
    let mut parts = Vec::new();
    for s in selectors {
        parts.push(format!("q[][pacticipant]={}", encode(&s.pacticipant)));
        if let Some(version) = &s.version {
            parts.push(format!("q[][version]={}", encode(version)));
        }
        if let Some(tag) = &s.latest {
            parts.push("q[][latest]=true".into());
            if let Some(tag) = tag {
                parts.push(format!("q[][tag]={}", encode(tag)));
            }
        }
        if let Some(branch) = &s.branch {
            parts.push(format!("q[][branch]={}&q[][latest]=true", encode(branch)));
        }
        if s.main_branch {
            parts.push("q[][mainBranch]=true&q[][latest]=true".into());
        }
    }
    for (pacticipant, version) in ignore {
        parts.push(format!("ignore[][pacticipant]={}", encode(pacticipant)));
        if let Some(version) = version {
            parts.push(format!("ignore[][version]={}", encode(version)));
        }
    }
    parts.push("latestby=cvpv".into());
    match target {
        Some(Target::Environment(env)) => parts.push(format!("environment={}", encode(env))),
        Some(Target::Tag(tag)) => parts.push(format!("latest=true&tag={}", encode(tag))),
        None if selectors.len() == 1 => parts.push("latest=true".into()),
        None => {}
    }
    parts.join("&")
}

/// The name of the consumer or provider of a contract (`"consumer"` or `"provider"`); empty
/// when the contract does not say.
fn party<'a>(contract: &'a Value, side: &str) -> &'a str {
    contract
        .get(side)
        .and_then(|party| party.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// One contract of a `POST /contracts/publish` request: the pact JSON, base64-encoded, for its
/// provider. Every publish body pactum sends is made of these.
pub fn contract_to_publish(
    consumer: &str,
    contract: &Value,
    on_conflict: Option<OnConflict>,
) -> ContractToPublish {
    ContractToPublish {
        on_conflict,
        ..ContractToPublish::pact(
            consumer,
            party(contract, "provider"),
            base64::engine::general_purpose::STANDARD.encode(contract.to_string()),
        )
    }
}

impl VersionSelector {
    /// The version `version` of `pacticipant`.
    pub fn number(pacticipant: &str, version: &str) -> VersionSelector {
        VersionSelector {
            pacticipant: pacticipant.to_owned(),
            version: Some(version.to_owned()),
            ..VersionSelector::default()
        }
    }
}

/// The settings of `existing` that differ from those `request` asks for. Production is always
/// compared (the request says yes or no); the display name and contacts only when the request
/// gives them.
fn environment_differences(
    existing: &Environment,
    request: &EnvironmentRequest,
) -> Vec<Difference> {
    let mut differences = Vec::new();
    if existing.production != request.production {
        differences.push(Difference {
            setting: EnvironmentSetting::Production,
            existing: existing.production.to_string(),
            requested: request.production.to_string(),
        });
    }
    if let Some(wanted) = &request.display_name
        && existing.display_name.as_ref() != Some(wanted)
    {
        differences.push(Difference {
            setting: EnvironmentSetting::DisplayName,
            existing: existing.display_name.clone().unwrap_or_default(),
            requested: wanted.clone(),
        });
    }
    if let Some(wanted) = &request.contacts
        && existing.contacts.as_ref() != Some(wanted)
    {
        differences.push(Difference {
            setting: EnvironmentSetting::Contacts,
            existing: describe_contacts(existing.contacts.as_deref().unwrap_or_default()),
            requested: describe_contacts(wanted),
        });
    }
    differences
}

/// Contacts in words: `ops (emailAddress: ops@example.com)`, or `none`.
fn describe_contacts(contacts: &[Contact]) -> String {
    if contacts.is_empty() {
        return "none".into();
    }
    let described: Vec<String> = contacts
        .iter()
        .map(|contact| {
            let details: Vec<String> = contact
                .details
                .iter()
                .flatten()
                .map(|(key, value)| match value {
                    Value::String(text) => format!("{key}: {text}"),
                    other => format!("{key}: {other}"),
                })
                .collect();
            match (&contact.name, details.is_empty()) {
                (Some(name), true) => name.clone(),
                (Some(name), false) => format!("{name} ({})", details.join(", ")),
                (None, _) => details.join(", "),
            }
        })
        .collect();
    described.join("; ")
}

/// Where to end deployments or releases, and which.
struct Ending<'a> {
    pacticipant: &'a str,
    version: Option<&'a str>,
    environment: &'a str,
}

impl BrokerClient {
    /// Asks the matrix whether the selected versions can be deployed (`summary.deployable`
    /// true, false, or unknown).
    ///
    /// A question that names what the broker does not have is an error, not an answer:
    /// [`ClientError::NotFound`] for an unknown pacticipant or environment (which the broker
    /// refuses) and for a named version that does not exist (which the broker answers "no").
    /// An answer that is no matrix at all is checked against the index, to tell a wrong base
    /// URL ([`ClientError::NotABroker`]) from a broker refusing the question.
    pub async fn can_i_deploy(
        &self,
        selectors: &[VersionSelector],
        target: Option<&Target>,
        ignore: &[(String, Option<String>)],
    ) -> Result<Matrix, ClientError> {
        let url = format!(
            "{}/matrix?{}",
            self.base_url(),
            matrix_query(selectors, target, ignore)
        );
        let (status, text) = self.send::<()>(Method::GET, &url, None).await?;
        let reply = || Reply::new("GET", &url, status.as_u16(), &text);
        // Every matrix has a summary; a JSON answer without one is something else's.
        let answer = serde_json::from_str::<Value>(&text)
            .ok()
            .filter(|value| status.is_success() && value.get("summary").is_some())
            .and_then(|value| serde_json::from_value::<Matrix>(value).ok());
        let Some(answer) = answer else {
            self.index().await?;
            if let Some(missing) = self.missing_names(selectors, target).await? {
                return Err(ClientError::NotFound {
                    missing,
                    reply: Some(reply()),
                });
            }
            return Err(if status.is_success() {
                ClientError::Protocol {
                    url,
                    message: "the answer is not a matrix (it has no `summary`)".into(),
                }
            } else {
                ClientError::Refused { reply: reply() }
            });
        };
        if answer.summary.deployable != Some(true) {
            for selector in selectors {
                if !self.selected_version_exists(selector).await? {
                    return Err(ClientError::NotFound {
                        missing: Missing::Version(selector.clone()),
                        reply: Some(reply()),
                    });
                }
            }
        }
        Ok(answer)
    }

    /// The first pacticipant or environment a question names that the broker does not have.
    async fn missing_names(
        &self,
        selectors: &[VersionSelector],
        target: Option<&Target>,
    ) -> Result<Option<Missing>, ClientError> {
        for selector in selectors {
            if self.pacticipant(&selector.pacticipant).await?.is_none() {
                return Ok(Some(Missing::Pacticipant {
                    name: selector.pacticipant.clone(),
                }));
            }
        }
        if let Some(Target::Environment(name)) = target {
            let known = self.environments().await?;
            if !known.iter().any(|e| &e.name == name) {
                return Ok(Some(Missing::Environment {
                    name: name.clone(),
                    known: known.into_iter().map(|e| e.name).collect(),
                }));
            }
        }
        Ok(None)
    }

    /// A pacticipant; `Ok(None)` when the broker does not know it.
    pub async fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>, ClientError> {
        let url = self
            .relation("pb:pacticipant", &[("pacticipant", name)])
            .await?;
        self.find(&url).await
    }

    /// Whether the version a selector names exists. Where the broker offers no relation to
    /// find out (branches on an older broker), it is taken to exist.
    async fn selected_version_exists(
        &self,
        selector: &VersionSelector,
    ) -> Result<bool, ClientError> {
        let pacticipant = selector.pacticipant.as_str();
        if let Some(version) = &selector.version {
            return Ok(self.version(pacticipant, version).await?.is_some());
        }
        let branch = match (&selector.branch, selector.main_branch) {
            (Some(branch), _) => branch.clone(),
            (None, true) => match self
                .pacticipant(pacticipant)
                .await?
                .and_then(|p| p.main_branch)
            {
                Some(branch) => branch,
                None => return Ok(false),
            },
            (None, false) => {
                let tag = selector.latest.clone().flatten();
                return Ok(self
                    .latest_version(pacticipant, tag.as_deref())
                    .await?
                    .is_some());
            }
        };
        let index = self.index().await?;
        let Some(template) = href(index.link("pb:pacticipant-branch")) else {
            return Ok(true);
        };
        let url = super::expand(
            template,
            &[("pacticipant", pacticipant), ("branch", &branch)],
        );
        Ok(self.find::<Value>(&url).await?.is_some())
    }

    /// Publishes contract files for one consumer version (`POST /contracts/publish`, one
    /// request per consumer). Returns the broker's answers.
    pub async fn publish_contracts(
        &self,
        contracts: &[Value],
        version: &str,
        branch: Option<&str>,
        tags: &[String],
        build_url: Option<&str>,
        merge: bool,
    ) -> Result<Vec<PublishResponse>, ClientError> {
        let url = self.relation("pb:publish-contracts", &[]).await?;
        let mut by_consumer: Vec<(&str, Vec<&Value>)> = Vec::new();
        for contract in contracts {
            let consumer = party(contract, "consumer");
            match by_consumer.iter_mut().find(|(c, _)| *c == consumer) {
                Some((_, list)) => list.push(contract),
                None => by_consumer.push((consumer, vec![contract])),
            }
        }
        let on_conflict = merge.then_some(OnConflict::Merge);
        let mut answers = Vec::new();
        for (consumer, list) in by_consumer {
            let request = PublishRequest {
                pacticipant_name: consumer.to_owned(),
                pacticipant_version_number: version.to_owned(),
                branch: branch.map(str::to_owned),
                tags: tags.to_vec(),
                build_url: build_url.map(str::to_owned),
                contracts: list
                    .iter()
                    .map(|c| contract_to_publish(consumer, c, on_conflict))
                    .collect(),
            };
            answers.push(self.expect(Method::POST, &url, Some(&request)).await?);
        }
        Ok(answers)
    }

    /// A version resource; `Ok(None)` when the broker does not know it.
    pub async fn version(
        &self,
        pacticipant: &str,
        version: &str,
    ) -> Result<Option<Version>, ClientError> {
        let url = self
            .relation(
                "pb:pacticipant-version",
                &[("pacticipant", pacticipant), ("version", version)],
            )
            .await?;
        self.find(&url).await
    }

    /// The latest version (with a tag, if given).
    pub async fn latest_version(
        &self,
        pacticipant: &str,
        tag: Option<&str>,
    ) -> Result<Option<Version>, ClientError> {
        let url = match tag {
            Some(tag) => {
                self.relation(
                    "pb:latest-tagged-version",
                    &[("pacticipant", pacticipant), ("tag", tag)],
                )
                .await?
            }
            None => {
                self.relation("pb:latest-version", &[("pacticipant", pacticipant)])
                    .await?
            }
        };
        self.find(&url).await
    }

    /// Records a deployment of a version to an environment, through the version's
    /// `pb:record-deployment` link for that environment.
    pub async fn record_deployment(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
        instance: Option<&str>,
    ) -> Result<DeployedVersion, ClientError> {
        let request = RecordDeploymentRequest::instance(instance);
        self.record(true, pacticipant, version, environment, &request)
            .await
    }

    /// Records a release of a version in an environment, through the version's
    /// `pb:record-release` link for that environment.
    pub async fn record_release(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
    ) -> Result<ReleasedVersion, ClientError> {
        let request = RecordDeploymentRequest::default();
        self.record(false, pacticipant, version, environment, &request)
            .await
    }

    async fn record<T: DeserializeOwned>(
        &self,
        deployed: bool,
        pacticipant: &str,
        version: &str,
        environment: &str,
        request: &RecordDeploymentRequest,
    ) -> Result<T, ClientError> {
        let resource =
            self.version(pacticipant, version)
                .await?
                .ok_or_else(|| ClientError::NotFound {
                    missing: Missing::Version(VersionSelector::number(pacticipant, version)),
                    reply: None,
                })?;
        let links = if deployed {
            &resource.links.record_deployment
        } else {
            &resource.links.record_release
        };
        let target = links
            .iter()
            .find(|l| l.name.as_deref() == Some(environment))
            .and_then(|l| l.target())
            .ok_or_else(|| ClientError::NotFound {
                missing: Missing::Environment {
                    name: environment.to_owned(),
                    known: links.iter().filter_map(|l| l.name.clone()).collect(),
                },
                reply: None,
            })?;
        self.expect(Method::POST, target, Some(request)).await
    }

    /// The environment named `name`.
    pub async fn environment_named(&self, name: &str) -> Result<Environment, ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        self.environment_at(&url, name).await
    }

    /// The environment named `name` in the list at `url` (the index's `pb:environments`).
    pub(crate) async fn environment_at(
        &self,
        url: &str,
        name: &str,
    ) -> Result<Environment, ClientError> {
        let environments = self.environments_at(url).await?;
        let known = environments.iter().map(|e| e.name.clone()).collect();
        environments
            .into_iter()
            .find(|e| e.name == name)
            .ok_or_else(|| ClientError::NotFound {
                missing: Missing::Environment {
                    name: name.to_owned(),
                    known,
                },
                reply: None,
            })
    }

    /// Every environment.
    pub async fn environments(&self) -> Result<Vec<Environment>, ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        self.environments_at(&url).await
    }

    /// Every environment in the list at `url` (the index's `pb:environments`).
    pub(crate) async fn environments_at(&self, url: &str) -> Result<Vec<Environment>, ClientError> {
        let list: Environments = self.get(url).await?;
        Ok(list.embedded.environments)
    }

    /// The records currently deployed to (or released in) an environment, through its
    /// `pb:currently-deployed-deployed-versions` (or `pb:currently-supported-released-versions`)
    /// link, filtered by pacticipant and version. Returns the records and the URL asked.
    async fn current<T: DeserializeOwned>(
        &self,
        deployed: bool,
        ending: &Ending<'_>,
    ) -> Result<(T, String), ClientError> {
        let env = self.environment_named(ending.environment).await?;
        let (link, rel) = if deployed {
            (
                env.links.currently_deployed.as_ref(),
                "pb:currently-deployed-deployed-versions",
            )
        } else {
            (
                env.links.currently_supported.as_ref(),
                "pb:currently-supported-released-versions",
            )
        };
        let url = href(link).ok_or_else(|| ClientError::Protocol {
            url: self.base_url().to_owned(),
            message: format!("the environment has no `{rel}` link"),
        })?;
        let mut query = format!("{url}?pacticipant={}", encode(ending.pacticipant));
        if let Some(version) = ending.version {
            query.push_str(&format!("&version={}", encode(version)));
        }
        Ok((self.get(&query).await?, query))
    }

    /// PATCHes each record's `self` with `patch`.
    async fn patch_each<P: Serialize, T: DeserializeOwned>(
        &self,
        selves: Vec<Option<String>>,
        patch: &P,
        listed_at: &str,
    ) -> Result<Vec<T>, ClientError> {
        let mut changed = Vec::new();
        for href in selves {
            let href = href.ok_or_else(|| ClientError::Protocol {
                url: listed_at.to_owned(),
                message: "a record without a self link".into(),
            })?;
            changed.push(self.expect(Method::PATCH, &href, Some(patch)).await?);
        }
        Ok(changed)
    }

    /// Records the undeployment of what a pacticipant has deployed to an environment (the
    /// given application instance only, or what was deployed without one); returns the records
    /// changed. An error when nothing is deployed there.
    pub async fn end_deployments(
        &self,
        pacticipant: &str,
        environment: &str,
        instance: Option<&str>,
    ) -> Result<Vec<DeployedVersion>, ClientError> {
        let ending = Ending {
            pacticipant,
            version: None,
            environment,
        };
        let (current, url): (DeployedVersions, String) = self.current(true, &ending).await?;
        let records: Vec<DeployedVersion> = current
            .embedded
            .deployed_versions
            .into_iter()
            .filter(|r| r.application_instance.as_deref() == instance)
            .collect();
        if records.is_empty() {
            return Err(ClientError::NotFound {
                missing: Missing::Deployment {
                    pacticipant: pacticipant.to_owned(),
                    environment: environment.to_owned(),
                    instance: instance.map(str::to_owned),
                },
                reply: None,
            });
        }
        let selves = records
            .iter()
            .map(|r| href(r.links.self_.as_ref()).map(str::to_owned))
            .collect();
        let patch = DeployedVersionPatch {
            currently_deployed: Some(false),
        };
        self.patch_each(selves, &patch, &url).await
    }

    /// Records the end of support for a version released in an environment; returns the
    /// records changed. An error when it is not currently supported there.
    pub async fn end_support(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
    ) -> Result<Vec<ReleasedVersion>, ClientError> {
        let ending = Ending {
            pacticipant,
            version: Some(version),
            environment,
        };
        let (current, url): (ReleasedVersions, String) = self.current(false, &ending).await?;
        let records = current.embedded.released_versions;
        if records.is_empty() {
            return Err(ClientError::NotFound {
                missing: Missing::Release {
                    pacticipant: pacticipant.to_owned(),
                    version: version.to_owned(),
                    environment: environment.to_owned(),
                },
                reply: None,
            });
        }
        let selves = records
            .iter()
            .map(|r| href(r.links.self_.as_ref()).map(str::to_owned))
            .collect();
        let patch = ReleasedVersionPatch {
            currently_supported: Some(false),
        };
        self.patch_each(selves, &patch, &url).await
    }

    /// Creates an environment; returns it and whether it was created. Creating one that
    /// exists with the settings asked for is not an error (running a setup script twice is
    /// safe): the existing one is returned. With other settings it is
    /// [`ClientError::EnvironmentDiffers`], naming each.
    pub async fn create_environment(
        &self,
        request: &EnvironmentRequest,
    ) -> Result<(Environment, bool), ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        let (status, text) = self.send(Method::POST, &url, Some(request)).await?;
        if status.is_success() {
            return Ok((Self::read(&url, &text)?, true));
        }
        // A taken name is a 409 from pactum's broker and a 400 on `name` from the Pact Broker:
        // either way, the environment of that name decides.
        if status.is_client_error()
            && let Some(existing) = self
                .environments()
                .await?
                .into_iter()
                .find(|e| e.name == request.name)
        {
            let differences = environment_differences(&existing, request);
            if differences.is_empty() {
                return Ok((existing, false));
            }
            return Err(ClientError::EnvironmentDiffers {
                name: existing.name,
                uuid: existing.uuid,
                differences,
            });
        }
        Err(Self::refused(&Method::POST, &url, status, &text))
    }

    /// Creates a pacticipant, or updates the given properties of an existing one. Returns the
    /// resource and whether it was created.
    pub async fn create_or_update_pacticipant(
        &self,
        name: &str,
        properties: &PacticipantRequest,
    ) -> Result<(Pacticipant, bool), ClientError> {
        let url = self
            .relation("pb:pacticipant", &[("pacticipant", name)])
            .await?;
        let Some(existing) = self.find::<Pacticipant>(&url).await? else {
            let create = self.relation("pb:pacticipants", &[]).await?;
            let request = PacticipantRequest {
                name: Some(name.to_owned()),
                ..properties.clone()
            };
            return Ok((
                self.expect(Method::POST, &create, Some(&request)).await?,
                true,
            ));
        };
        let self_url = href(existing.links.self_.as_ref())
            .unwrap_or(&url)
            .to_owned();
        // PATCH with application/json (not merge-patch), as the official clients do here.
        let (status, text) = self
            .send_as(
                Method::PATCH,
                &self_url,
                Some(properties),
                "application/json",
            )
            .await?;
        if !status.is_success() {
            return Err(Self::refused(&Method::PATCH, &self_url, status, &text));
        }
        Ok((Self::read(&self_url, &text)?, false))
    }

    /// Tags a version (creating it first only when `auto_create`).
    pub async fn tag_version(
        &self,
        pacticipant: &str,
        version: &str,
        tags: &[String],
        auto_create: bool,
    ) -> Result<(), ClientError> {
        if !auto_create && self.version(pacticipant, version).await?.is_none() {
            return Err(ClientError::NotFound {
                missing: Missing::Version(VersionSelector::number(pacticipant, version)),
                reply: None,
            });
        }
        // One index lookup for every tag: `{tag}` stays in the template until each is filled.
        let template = self
            .relation(
                "pb:pacticipant-version-tag",
                &[("pacticipant", pacticipant), ("version", version)],
            )
            .await?;
        for tag in tags {
            let url = super::expand(&template, &[("tag", tag)]);
            // The PUT creates the version if needed; it has nothing more to say.
            self.submit(Method::PUT, &url, &VersionRequest::default())
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_queries_are_rack_style() {
        let query = matrix_query(
            &[VersionSelector {
                pacticipant: "web shop".into(),
                version: Some("1.0/rc".into()),
                ..Default::default()
            }],
            Some(&Target::Environment("production".into())),
            &[("legacy".into(), None)],
        );
        assert_eq!(
            query,
            "q[][pacticipant]=web%20shop&q[][version]=1%2E0%2Frc&ignore[][pacticipant]=legacy&latestby=cvpv&environment=production"
        );
        let query = matrix_query(
            &[VersionSelector {
                pacticipant: "a".into(),
                latest: Some(Some("prod".into())),
                ..Default::default()
            }],
            Some(&Target::Tag("prod".into())),
            &[],
        );
        assert_eq!(
            query,
            "q[][pacticipant]=a&q[][latest]=true&q[][tag]=prod&latestby=cvpv&latest=true&tag=prod"
        );
    }
}
