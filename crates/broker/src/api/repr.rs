//! Representations: the store's records as the API's resources (`pactum_broker_api` structs),
//! and the hrefs between resources. Every resource module builds on these, so no resource
//! module needs another. Not here: reading requests, or anything that asks the store.

use pactum_broker_api::environments::{
    Contact, DeployedVersionsEmbedded, ReleasedVersionsEmbedded,
};
use pactum_broker_api::integrations::{IntegrationLinks, IntegrationParty};
use pactum_broker_api::pacticipants::{
    Label, LabelLinks, PacticipantEmbedded, PacticipantLinks, PacticipantSummary, VersionSummary,
};
use pactum_broker_api::pacts::{
    LatestPact, LatestPactEmbedded, LatestPactLinks, LatestPactsLinks, PactParty,
    PactPartyEmbedded, PactVersionSummary, PactVersionSummaryEmbedded, PactVersionsEmbedded,
    PactVersionsLinks, ProviderPactsLinks,
};
use pactum_broker_api::versions::{BranchRef, TagRef, VersionEmbedded, VersionLinks};
use pactum_broker_api::{
    DeployedVersion, DeployedVersions, DeploymentEmbedded, Environment, EnvironmentLinks,
    Integration, LatestPacts, Link, PactVersions, ProviderPacts, ReleasedVersion, ReleasedVersions,
    SelfLinks,
};
use serde::Serialize;
use serde_json::Value;

use crate::hal::{href, seg};
use crate::store::{self, DeploymentKind, rfc3339};

pub(crate) fn pacticipant_href(base: &str, name: &str) -> String {
    href(base, &["pacticipants", name])
}

pub(crate) fn version_href(base: &str, pacticipant: &str, number: &str) -> String {
    href(base, &["pacticipants", pacticipant, "versions", number])
}

pub(crate) fn environment_href(base: &str, uuid: &str) -> String {
    format!("{base}/environments/{uuid}")
}

/// `/pacts/provider/{p}/consumer/{c}`.
pub(crate) fn pair_href(base: &str, provider: &str, consumer: &str) -> String {
    href(base, &["pacts", "provider", provider, "consumer", consumer])
}

/// The contract a consumer version published for a provider.
pub(crate) fn pact_href(base: &str, provider: &str, consumer: &str, version: &str) -> String {
    format!(
        "{}/version/{}",
        pair_href(base, provider, consumer),
        seg(version)
    )
}

/// Contract content by hash, with the selection metadata of pacts for verification.
pub(crate) fn pact_version_href(
    base: &str,
    provider: &str,
    consumer: &str,
    sha: &str,
    metadata: Option<&str>,
) -> String {
    let mut out = format!("{}/pact-version/{sha}", pair_href(base, provider, consumer));
    if let Some(metadata) = metadata {
        out.push_str("/metadata/");
        out.push_str(&seg(metadata));
    }
    out
}

/// A provider's contracts as links, one per `(consumer, consumer version)`, under `self_link`
/// (`/pacts/provider/{p}[/latest][/{tag}]`, `/pacts/provider/{p}/tag/{tag}`).
pub(crate) fn provider_pacts<'a>(
    base: &str,
    provider: &str,
    self_link: Link,
    pacts: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> ProviderPacts {
    let links: Vec<Link> = pacts
        .into_iter()
        .map(|(consumer, version)| {
            Link::named(
                pact_href(base, provider, consumer, version),
                format!("Pact between {consumer} ({version}) and {provider}"),
                consumer,
            )
        })
        .collect();
    let provider = Link::named(pacticipant_href(base, provider), "Provider", provider);
    ProviderPacts {
        links: ProviderPactsLinks {
            self_: Some(self_link),
            provider: Some(provider.clone()),
            provider_legacy: Some(provider),
            pacts: links.clone(),
            pacts_legacy: links,
        },
    }
}

/// The latest contract of every pair (`/pacts/latest`), documented under `curies`.
pub(crate) fn latest_pacts(base: &str, pacts: &[store::PactSummary]) -> LatestPacts {
    let party = |name: &str, version: Option<&str>| PactParty {
        name: name.to_owned(),
        embedded: version.map(|number| PactPartyEmbedded {
            version: version_summary(base, name, number),
        }),
        links: SelfLinks {
            self_: Some(Link {
                href: pacticipant_href(base, name),
                ..Link::default()
            }),
        },
    };
    let latest_href = |pact: &store::PactSummary| {
        format!("{}/latest", pair_href(base, &pact.provider, &pact.consumer))
    };
    let listed = |pact: &store::PactSummary| {
        Link::titled(
            latest_href(pact),
            format!(
                "Latest pact between {} and {}",
                pact.consumer, pact.provider
            ),
        )
    };
    LatestPacts {
        pacts: pacts
            .iter()
            .map(|pact| LatestPact {
                created_at: Some(rfc3339(pact.created_at)),
                embedded: LatestPactEmbedded {
                    consumer: party(&pact.consumer, Some(&pact.consumer_version)),
                    provider: party(&pact.provider, None),
                },
                links: LatestPactLinks {
                    self_: vec![
                        Link {
                            href: latest_href(pact),
                            ..Link::default()
                        },
                        Link {
                            href: pact_href(
                                base,
                                &pact.provider,
                                &pact.consumer,
                                &pact.consumer_version,
                            ),
                            ..Link::default()
                        },
                    ],
                },
            })
            .collect(),
        links: LatestPactsLinks {
            self_: Some(Link::titled(
                format!("{base}/pacts/latest"),
                "Latest pact versions",
            )),
            pacts: pacts.iter().map(listed).collect(),
            pacts_legacy: pacts
                .iter()
                .map(|pact| Link {
                    name: Some("DEPRECATED - please use the pb:pacts relation".into()),
                    ..listed(pact)
                })
                .collect(),
            curies: vec![doc_curie(base, "pb", "pacts")],
        },
    }
}

/// The curie that documents relations `{name}:…` at `/doc/{rel}?context=…`.
pub(crate) fn doc_curie(base: &str, name: &str, context: &str) -> Link {
    Link {
        href: format!("{base}/doc/{{rel}}?context={context}"),
        name: Some(name.to_owned()),
        templated: true,
        ..Link::default()
    }
}

/// A pair's contracts from consumer versions with `tag`, newest first
/// (`/pacts/provider/{p}/consumer/{c}/tag/{tag}`).
pub(crate) fn tagged_pacts(
    base: &str,
    provider: &str,
    consumer: &str,
    tag: &str,
    pacts: &[store::PactSummary],
) -> PactVersions {
    let href_of =
        |pact: &store::PactSummary| pact_href(base, provider, consumer, &pact.consumer_version);
    PactVersions {
        embedded: PactVersionsEmbedded {
            pacts: pacts
                .iter()
                .map(|pact| PactVersionSummary {
                    created_at: Some(rfc3339(pact.created_at)),
                    embedded: PactVersionSummaryEmbedded {
                        consumer_version: version_summary(base, consumer, &pact.consumer_version),
                    },
                    links: SelfLinks::to(
                        href_of(pact),
                        format!(
                            "Pact between {consumer} ({}) and {provider}",
                            pact.consumer_version
                        ),
                    ),
                })
                .collect(),
        },
        links: PactVersionsLinks {
            self_: Some(Link::titled(
                format!("{}/tag/{}", pair_href(base, provider, consumer), seg(tag)),
                format!(
                    "All versions of the pact between {consumer} and {provider} with tag {tag}"
                ),
            )),
            consumer: Some(Link::named(
                pacticipant_href(base, consumer),
                "Consumer",
                consumer,
            )),
            provider: Some(Link::named(
                pacticipant_href(base, provider),
                "Provider",
                provider,
            )),
            pact_versions: pacts
                .iter()
                .map(|pact| {
                    Link::named(
                        href_of(pact),
                        "Pact version",
                        format!(
                            "Version {} - {}",
                            pact.consumer_version,
                            rfc3339(pact.created_at)
                        ),
                    )
                })
                .collect(),
        },
    }
}

/// `/integrations/provider/{p}/consumer/{c}`.
pub(crate) fn integration_href(base: &str, provider: &str, consumer: &str) -> String {
    href(
        base,
        &["integrations", "provider", provider, "consumer", consumer],
    )
}

/// A consumer/provider pair, with its matrix and where to delete it.
pub(crate) fn integration(base: &str, pair: &store::Integration) -> Integration {
    let (consumer, provider) = (&pair.consumer, &pair.provider);
    Integration {
        consumer: IntegrationParty {
            name: consumer.clone(),
        },
        provider: IntegrationParty {
            name: provider.clone(),
        },
        links: IntegrationLinks {
            matrix: Some(Link::titled(
                href(
                    base,
                    &["matrix", "provider", provider, "consumer", consumer],
                ),
                format!("Matrix of pacts and verification results for {consumer} and {provider}"),
            )),
            delete_integration: Some(Link::titled(
                integration_href(base, provider, consumer),
                format!("Delete the integration between {consumer} and {provider}"),
            )),
        },
    }
}

/// "user-service" → "User Service", the broker's default display name.
pub(crate) fn display_name(name: &str) -> String {
    name.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A version by number and link.
pub(crate) fn version_summary(base: &str, pacticipant: &str, number: &str) -> VersionSummary {
    VersionSummary {
        number: number.to_owned(),
        links: SelfLinks::to(version_href(base, pacticipant, number), "Version"),
    }
}

pub(crate) fn label_href(base: &str, pacticipant: &str, name: &str) -> String {
    href(base, &["pacticipants", pacticipant, "labels", name])
}

pub(crate) fn label(base: &str, label: &store::Label) -> Label {
    Label {
        name: label.name.clone(),
        created_at: Some(rfc3339(label.created_at)),
        links: LabelLinks {
            self_: Some(Link::named(
                label_href(base, &label.pacticipant, &label.name),
                "Label",
                &label.name,
            )),
            pacticipant: Some(Link::named(
                pacticipant_href(base, &label.pacticipant),
                "Pacticipant",
                &label.pacticipant,
            )),
        },
    }
}

/// Pacticipant `p`, embedding its `labels` and latest version.
pub(crate) fn pacticipant(
    base: &str,
    p: &store::Pacticipant,
    labels: &[store::Label],
    latest_version: Option<&str>,
) -> pactum_broker_api::Pacticipant {
    let self_href = pacticipant_href(base, &p.name);
    let versions = format!("{self_href}/versions");
    let latest = latest_version.map(|number| version_summary(base, &p.name, number));
    pactum_broker_api::Pacticipant {
        name: p.name.clone(),
        display_name: Some(
            p.display_name
                .clone()
                .unwrap_or_else(|| display_name(&p.name)),
        ),
        main_branch: p.main_branch.clone(),
        repository_url: p.repository_url.clone(),
        repository_name: p.repository_name.clone(),
        repository_namespace: p.repository_namespace.clone(),
        created_at: Some(rfc3339(p.created_at)),
        updated_at: Some(rfc3339(p.updated_at)),
        embedded: PacticipantEmbedded {
            labels: labels.iter().map(|l| label(base, l)).collect(),
            latest_version_legacy: latest.clone(),
            latest_version: latest,
        },
        links: PacticipantLinks {
            self_: Some(Link::named(&self_href, &p.name, &p.name)),
            versions: Some(Link::titled(&versions, "Versions")),
            versions_legacy: Some(Link::titled(&versions, "Versions")),
            version: Some(Link::template(
                format!("{self_href}/versions/{{version}}"),
                "Get, create or delete a pacticipant version",
            )),
            version_tag: Some(Link::template(
                format!("{self_href}/versions/{{version}}/tags/{{tag}}"),
                "Get, create or delete a tag for a version of this pacticipant",
            )),
            branch_version: Some(Link::template(
                format!("{self_href}/branches/{{branch}}/versions/{{version}}"),
                "Get or add/create a version for a branch of this pacticipant",
            )),
            branches: Some(Link::titled(format!("{self_href}/branches"), "Branches")),
            latest_version: Some(Link::titled(
                format!("{self_href}/latest-version"),
                "Latest version",
            )),
        },
    }
}

/// A version, with a link per environment to record a deployment or release of it.
pub(crate) fn version(
    base: &str,
    v: &store::Version,
    environments: &[store::Environment],
) -> pactum_broker_api::Version {
    let self_href = version_href(base, &v.pacticipant, &v.number);
    let branch_versions: Vec<BranchRef> = v
        .branches
        .iter()
        .map(|(name, latest)| BranchRef {
            name: name.clone(),
            latest: Some(*latest),
            links: Some(SelfLinks::to(
                href(
                    base,
                    &[
                        "pacticipants",
                        &v.pacticipant,
                        "branches",
                        name,
                        "versions",
                        &v.number,
                    ],
                ),
                "Branch version",
            )),
        })
        .collect();
    let tags = v
        .tags
        .iter()
        .map(|(name, _)| TagRef {
            name: name.clone(),
            latest: None,
            links: Some(SelfLinks::to(
                format!("{self_href}/tags/{}", seg(name)),
                "Tag",
            )),
        })
        .collect();
    let record = |kind: &str, title: &str| -> Vec<Link> {
        environments
            .iter()
            .map(|env| {
                Link::named(
                    format!("{self_href}/{kind}/environment/{}", env.uuid),
                    format!(
                        "{title} to {}",
                        env.display_name.as_deref().unwrap_or(&env.name)
                    ),
                    &env.name,
                )
            })
            .collect()
    };
    pactum_broker_api::Version {
        number: v.number.clone(),
        build_url: v.build_url.clone(),
        created_at: Some(rfc3339(v.created_at)),
        updated_at: Some(rfc3339(v.updated_at)),
        embedded: VersionEmbedded {
            branches: branch_versions.clone(),
            branch_versions,
            tags,
        },
        links: VersionLinks {
            self_: Some(Link::named(&self_href, "Version", &v.number)),
            pacticipant: Some(Link::named(
                pacticipant_href(base, &v.pacticipant),
                "Pacticipant",
                &v.pacticipant,
            )),
            tag: Some(Link::template(
                format!("{self_href}/tags/{{tag}}"),
                "Get, create or delete a tag for this pacticipant version",
            )),
            record_deployment: record("deployed-versions", "Record deployment"),
            record_release: record("released-versions", "Record release"),
        },
    }
}

pub(crate) fn environment(base: &str, env: &store::Environment) -> Environment {
    let self_href = environment_href(base, &env.uuid);
    let title = env
        .display_name
        .clone()
        .unwrap_or_else(|| display_name(&env.name));
    Environment {
        uuid: env.uuid.clone(),
        name: env.name.clone(),
        display_name: Some(title.clone()),
        production: env.production,
        contacts: contacts(env.contacts.as_ref()),
        created_at: Some(rfc3339(env.created_at)),
        updated_at: Some(rfc3339(env.updated_at)),
        links: EnvironmentLinks {
            self_: Some(Link::named(&self_href, title, &env.name)),
            currently_deployed: Some(Link::titled(
                format!("{self_href}/deployed-versions/currently-deployed"),
                "Versions currently deployed to this environment",
            )),
            currently_supported: Some(Link::titled(
                format!("{self_href}/released-versions/currently-supported"),
                "Versions released and supported in this environment",
            )),
            environments: Some(Link::titled(format!("{base}/environments"), "Environments")),
        },
    }
}

/// Stored contacts as contacts. Older pactum clients sent `null` for what they did not know;
/// those members are left out, as the broker always wrote them.
fn contacts(stored: Option<&Value>) -> Option<Vec<Contact>> {
    let Some(Value::Array(items)) = stored else {
        return None;
    };
    let contacts = items
        .iter()
        .filter_map(|item| serde_json::from_value::<Contact>(item.clone()).ok())
        .map(|mut contact| {
            if let Some(details) = &mut contact.details {
                details.retain(|_, value| !value.is_null());
            }
            contact
        })
        .collect();
    Some(contacts)
}

/// A deployment or a release: the two record types, written as themselves.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Deployment {
    Deployed(DeployedVersion),
    Released(ReleasedVersion),
}

impl Deployment {
    /// `self`, for `Location`.
    pub(crate) fn self_link(&self) -> Option<&Link> {
        match self {
            Deployment::Deployed(d) => d.links.self_.as_ref(),
            Deployment::Released(r) => r.links.self_.as_ref(),
        }
    }
}

pub(crate) fn deployment(base: &str, kind: DeploymentKind, d: &store::Deployment) -> Deployment {
    let embedded = DeploymentEmbedded {
        pacticipant: PacticipantSummary {
            name: d.pacticipant.clone(),
            links: SelfLinks::to(pacticipant_href(base, &d.pacticipant), "Pacticipant"),
        },
        version: version_summary(base, &d.pacticipant, &d.version.number),
        environment: environment(base, &d.environment),
    };
    match kind {
        DeploymentKind::Deployed => Deployment::Deployed(DeployedVersion {
            uuid: d.uuid.clone(),
            currently_deployed: d.current,
            target: d.application_instance.clone(),
            application_instance: d.application_instance.clone(),
            created_at: Some(rfc3339(d.created_at)),
            undeployed_at: d.ended_at.map(rfc3339),
            embedded,
            links: SelfLinks::to(
                format!("{base}/deployed-versions/{}", d.uuid),
                "Deployed version",
            ),
        }),
        DeploymentKind::Released => Deployment::Released(ReleasedVersion {
            uuid: d.uuid.clone(),
            currently_supported: d.current,
            created_at: Some(rfc3339(d.created_at)),
            support_ended_at: d.ended_at.map(rfc3339),
            embedded,
            links: SelfLinks::to(
                format!("{base}/released-versions/{}", d.uuid),
                "Released version",
            ),
        }),
    }
}

/// A list of deployments or releases.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum Deployments {
    Deployed(DeployedVersions),
    Released(ReleasedVersions),
}

pub(crate) fn deployments(
    base: &str,
    kind: DeploymentKind,
    records: &[store::Deployment],
    links: SelfLinks,
) -> Deployments {
    let mut deployed = Vec::new();
    let mut released = Vec::new();
    for record in records {
        match deployment(base, kind, record) {
            Deployment::Deployed(d) => deployed.push(d),
            Deployment::Released(r) => released.push(r),
        }
    }
    match kind {
        DeploymentKind::Deployed => Deployments::Deployed(DeployedVersions {
            embedded: DeployedVersionsEmbedded {
                deployed_versions: deployed,
            },
            links,
        }),
        DeploymentKind::Released => Deployments::Released(ReleasedVersions {
            embedded: ReleasedVersionsEmbedded {
                released_versions: released,
            },
            links,
        }),
    }
}
