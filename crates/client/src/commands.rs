//! The broker operations behind pactum's client commands (`publish`, `can-i-deploy`,
//! `record-deployment`, …), following the same link relations as the official clients.

use base64::Engine as _;
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

use super::{BrokerClient, ClientError};

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

/// Where to end deployments or releases, and which.
struct Ending<'a> {
    pacticipant: &'a str,
    version: Option<&'a str>,
    environment: &'a str,
}

impl BrokerClient {
    /// Asks the matrix whether the selected versions can be deployed (`summary.deployable`
    /// true, false, or unknown).
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
        self.get(&url).await
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
        let resource = self.version(pacticipant, version).await?.ok_or_else(|| ClientError::Status {
            method: "GET".into(),
            url: format!("{}/pacticipants/{pacticipant}/versions/{version}", self.base_url()),
            status: 404,
            message: format!("{pacticipant} version {version} does not exist in the broker; publish or create it first"),
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
            .ok_or_else(|| {
                let known: Vec<&str> = links.iter().filter_map(|l| l.name.as_deref()).collect();
                ClientError::Status {
                    method: "POST".into(),
                    url: self.base_url().to_owned(),
                    status: 404,
                    message: format!(
                        "no environment named `{environment}` (known: {}); create it with create-environment",
                        if known.is_empty() { "none".into() } else { known.join(", ") }
                    ),
                }
            })?;
        self.expect(Method::POST, target, Some(request)).await
    }

    /// The environment named `name`.
    pub async fn environment_named(&self, name: &str) -> Result<Environment, ClientError> {
        let environments = self.environments().await?;
        environments
            .into_iter()
            .find(|e| e.name == name)
            .ok_or_else(|| ClientError::Status {
                method: "GET".into(),
                url: format!("{}/environments", self.base_url()),
                status: 404,
                message: format!(
                    "no environment named `{name}`; create it with create-environment"
                ),
            })
    }

    /// Every environment.
    pub async fn environments(&self) -> Result<Vec<Environment>, ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        let list: Environments = self.get(&url).await?;
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

    /// The error when there is nothing to end.
    fn nothing_to_end(
        ending: &Ending<'_>,
        what: &str,
        instance: Option<&str>,
        url: String,
    ) -> ClientError {
        let instance = instance
            .map(|i| format!(" (application instance {i})"))
            .unwrap_or_default();
        ClientError::Status {
            method: "GET".into(),
            url,
            status: 404,
            message: format!(
                "{}{} is not {what} {}{instance}",
                ending.pacticipant,
                ending
                    .version
                    .map(|v| format!(" version {v}"))
                    .unwrap_or_default(),
                ending.environment
            ),
        }
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
            return Err(Self::nothing_to_end(
                &ending,
                "currently deployed to",
                instance,
                url,
            ));
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
            return Err(Self::nothing_to_end(
                &ending,
                "currently released and supported in",
                None,
                url,
            ));
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

    /// Creates an environment.
    pub async fn create_environment(
        &self,
        request: &EnvironmentRequest,
    ) -> Result<Environment, ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        self.expect(Method::POST, &url, Some(request)).await
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
            return Err(ClientError::Status {
                method: "GET".into(),
                url: format!(
                    "{}/pacticipants/{pacticipant}/versions/{version}",
                    self.base_url()
                ),
                status: 404,
                message: format!(
                    "{pacticipant} version {version} does not exist; publish it first or pass --auto-create-version"
                ),
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
