//! The broker operations behind pactum's client commands (`publish`, `can-i-deploy`,
//! `record-deployment`, …), following the same link relations as the official clients.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{BrokerClient, ClientError, link};

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

impl BrokerClient {
    /// Asks the matrix whether the selected versions can be deployed; returns the broker's
    /// answer (`summary.deployable` true, false or null).
    pub async fn can_i_deploy(
        &self,
        selectors: &[VersionSelector],
        target: Option<&Target>,
        ignore: &[(String, Option<String>)],
    ) -> Result<Value, ClientError> {
        let url = format!(
            "{}/matrix?{}",
            self.base_url(),
            matrix_query(selectors, target, ignore)
        );
        self.expect(Method::GET, &url, None).await
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
    ) -> Result<Vec<Value>, ClientError> {
        use base64::Engine as _;
        let url = self.relation("pb:publish-contracts", &[]).await?;
        let mut by_consumer: Vec<(String, Vec<&Value>)> = Vec::new();
        for contract in contracts {
            let consumer = contract["consumer"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            match by_consumer.iter_mut().find(|(c, _)| *c == consumer) {
                Some((_, list)) => list.push(contract),
                None => by_consumer.push((consumer, vec![contract])),
            }
        }
        let mut answers = Vec::new();
        for (consumer, list) in by_consumer {
            let items: Vec<Value> = list
                .iter()
                .map(|c| {
                    let mut item = json!({
                        "consumerName": consumer,
                        "providerName": c["provider"]["name"],
                        "specification": "pact",
                        "contentType": "application/json",
                        "content": base64::engine::general_purpose::STANDARD.encode(c.to_string()),
                    });
                    if merge {
                        item["onConflict"] = json!("merge");
                    }
                    item
                })
                .collect();
            let mut body = json!({
                "pacticipantName": consumer,
                "pacticipantVersionNumber": version,
                "tags": tags,
                "contracts": items,
            });
            if let Some(branch) = branch {
                body["branch"] = json!(branch);
            }
            if let Some(build_url) = build_url {
                body["buildUrl"] = json!(build_url);
            }
            answers.push(self.expect(Method::POST, &url, Some(&body)).await?);
        }
        Ok(answers)
    }

    /// A version resource; `Ok(None)` when the broker does not know it.
    pub async fn version(
        &self,
        pacticipant: &str,
        version: &str,
    ) -> Result<Option<Value>, ClientError> {
        let url = self
            .relation(
                "pb:pacticipant-version",
                &[("pacticipant", pacticipant), ("version", version)],
            )
            .await?;
        let (status, body) = self.send(Method::GET, &url, None).await?;
        match status {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(Some(body)),
            s => Err(ClientError::Status {
                method: "GET".into(),
                url,
                status: s.as_u16(),
                message: body.to_string(),
            }),
        }
    }

    /// The latest version (with a tag, if given).
    pub async fn latest_version(
        &self,
        pacticipant: &str,
        tag: Option<&str>,
    ) -> Result<Option<Value>, ClientError> {
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
        let (status, body) = self.send(Method::GET, &url, None).await?;
        match status {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => Ok(Some(body)),
            s => Err(ClientError::Status {
                method: "GET".into(),
                url,
                status: s.as_u16(),
                message: body.to_string(),
            }),
        }
    }

    /// Records a deployment (`deployed`) or release of a version to an environment, through
    /// the version's `pb:record-deployment` / `pb:record-release` link for that environment.
    pub async fn record(
        &self,
        deployed: bool,
        pacticipant: &str,
        version: &str,
        environment: &str,
        instance: Option<&str>,
    ) -> Result<Value, ClientError> {
        let resource = self.version(pacticipant, version).await?.ok_or_else(|| ClientError::Status {
            method: "GET".into(),
            url: format!("{}/pacticipants/{pacticipant}/versions/{version}", self.base_url()),
            status: 404,
            message: format!("{pacticipant} version {version} does not exist in the broker; publish or create it first"),
        })?;
        let rel = if deployed {
            "pb:record-deployment"
        } else {
            "pb:record-release"
        };
        let links = resource["_links"][rel]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let target = links.iter().find(|l| l["name"] == environment).and_then(|l| l["href"].as_str()).ok_or_else(|| {
            let known: Vec<&str> = links.iter().filter_map(|l| l["name"].as_str()).collect();
            ClientError::Status {
                method: "POST".into(),
                url: self.base_url().to_owned(),
                status: 404,
                message: format!("no environment named `{environment}` (known: {}); create it with create-environment", if known.is_empty() { "none".into() } else { known.join(", ") }),
            }
        })?;
        let body = match instance {
            Some(instance) => json!({"applicationInstance": instance, "target": instance}),
            None => json!({}),
        };
        self.expect(Method::POST, target, Some(&body)).await
    }

    /// The environment named `name`.
    pub async fn environment_named(&self, name: &str) -> Result<Value, ClientError> {
        let environments = self.environments().await?;
        environments
            .into_iter()
            .find(|e| e["name"] == name)
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
    pub async fn environments(&self) -> Result<Vec<Value>, ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        let list = self.expect(Method::GET, &url, None).await?;
        Ok(list["_embedded"]["environments"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// Ends deployments (`deployed`) or support of releases of a pacticipant in an environment;
    /// returns the records changed. An error when there is nothing to end.
    pub async fn end(
        &self,
        deployed: bool,
        pacticipant: &str,
        version: Option<&str>,
        environment: &str,
        instance: Option<&str>,
    ) -> Result<Vec<Value>, ClientError> {
        let env = self.environment_named(environment).await?;
        let (rel, key, field) = if deployed {
            (
                "pb:currently-deployed-deployed-versions",
                "deployedVersions",
                "currentlyDeployed",
            )
        } else {
            (
                "pb:currently-supported-released-versions",
                "releasedVersions",
                "currentlySupported",
            )
        };
        let url = link(&env, rel).ok_or_else(|| ClientError::Protocol {
            url: self.base_url().to_owned(),
            message: format!("the environment has no `{rel}` link"),
        })?;
        let mut query = format!("{url}?pacticipant={}", encode(pacticipant));
        if let Some(version) = version {
            query.push_str(&format!("&version={}", encode(version)));
        }
        let current = self.expect(Method::GET, &query, None).await?;
        let records: Vec<Value> = current["_embedded"][key]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| !deployed || r["applicationInstance"].as_str() == instance)
            .collect();
        if records.is_empty() {
            let what = if deployed {
                "currently deployed to"
            } else {
                "currently released and supported in"
            };
            let instance = instance
                .map(|i| format!(" (application instance {i})"))
                .unwrap_or_default();
            return Err(ClientError::Status {
                method: "GET".into(),
                url: query,
                status: 404,
                message: format!(
                    "{pacticipant}{} is not {what} {environment}{instance}",
                    version.map(|v| format!(" version {v}")).unwrap_or_default()
                ),
            });
        }
        let mut changed = Vec::new();
        for record in records {
            let href = link(&record, "self").ok_or_else(|| ClientError::Protocol {
                url: query.clone(),
                message: "a record without a self link".into(),
            })?;
            changed.push(
                self.expect(Method::PATCH, href, Some(&json!({field: false})))
                    .await?,
            );
        }
        Ok(changed)
    }

    /// Creates an environment.
    pub async fn create_environment(&self, body: &Value) -> Result<Value, ClientError> {
        let url = self.relation("pb:environments", &[]).await?;
        self.expect(Method::POST, &url, Some(body)).await
    }

    /// Creates a pacticipant, or updates the given properties of an existing one. Returns the
    /// resource and whether it was created.
    pub async fn create_or_update_pacticipant(
        &self,
        name: &str,
        properties: &Value,
    ) -> Result<(Value, bool), ClientError> {
        let url = self
            .relation("pb:pacticipant", &[("pacticipant", name)])
            .await?;
        let (status, existing) = self.send(Method::GET, &url, None).await?;
        if status == StatusCode::NOT_FOUND {
            let create = self.relation("pb:pacticipants", &[]).await?;
            let mut body = properties.clone();
            body["name"] = json!(name);
            return Ok((self.expect(Method::POST, &create, Some(&body)).await?, true));
        }
        if !status.is_success() {
            return Err(ClientError::Status {
                method: "GET".into(),
                url,
                status: status.as_u16(),
                message: existing.to_string(),
            });
        }
        let self_url = link(&existing, "self").unwrap_or(&url).to_owned();
        // PATCH with application/json (not merge-patch), as the official clients do here.
        let (status, body) = self
            .send_as(
                Method::PATCH,
                &self_url,
                Some(properties),
                "application/json",
            )
            .await?;
        if !status.is_success() {
            return Err(ClientError::Status {
                method: "PATCH".into(),
                url: self_url,
                status: status.as_u16(),
                message: body.to_string(),
            });
        }
        Ok((body, false))
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
            self.expect(Method::PUT, &url, Some(&json!({}))).await?;
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
