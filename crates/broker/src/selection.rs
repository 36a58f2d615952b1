//! Pacts for verification: which contracts a provider should verify, and whether each is
//! pending or work in progress.
//!
//! A request carries consumer version selectors (`{"mainBranch": true}`,
//! `{"deployedOrReleased": true}`, `{"tag": "prod", "latest": true}`, …), the provider's branch
//! and tags, and whether to include pending status and WIP pacts. Each selector picks consumer
//! versions that published a contract for the provider; contracts with the same content are
//! squashed into one entry carrying every reason it was selected.
//!
//! Pending: a contract's content is pending for the provider's branch until a provider version
//! on that branch has verified it successfully (or, for a provider version that published an
//! OpenAPI document, passed its cross-check with it) — or one on another branch did, before this
//! branch was created (with tags
//! instead of a branch: a version with one of the tags; with neither: any version). A pending
//! contract's failure does not fail the build. WIP: with `includeWipPactsSince`, the newest
//! contract of every consumer branch and tag published since that date, not selected otherwise
//! and not yet verified by the provider's branch, is added as pending.
//!
//! The request is read and its selectors checked by the API (`api/for_verification.rs`); this
//! module answers a [`VerificationQuery`] that is already valid.

use std::collections::BTreeMap;

use super::store::{Among, CountedVerifiers, Snapshot, Store, StoreError, VersionRef, snapshot};

/// Distinct consumer version selectors a question may give. Answers are squashed by content,
/// so selectors do not multiply each other; each costs a few indexed queries.
pub const MAX_SELECTORS: usize = 1_000;

/// One consumer version selector.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selector {
    /// The latest version from each consumer's main branch.
    pub main_branch: bool,
    /// The latest version from this branch.
    pub branch: Option<String>,
    /// The branch to use when `branch` has no versions.
    pub fallback_branch: Option<String>,
    /// The latest version from the branch named like the provider's branch.
    pub matching_branch: bool,
    /// Versions with this tag (all of them, or the latest with `latest`).
    pub tag: Option<String>,
    /// The tag to use when `tag` has no versions.
    pub fallback_tag: Option<String>,
    /// Only the latest (with `tag`), or alone: each consumer's latest version.
    pub latest: Option<bool>,
    /// Only this consumer.
    pub consumer: Option<String>,
    /// Versions currently deployed (optionally to `environment`).
    pub deployed: bool,
    /// Versions currently released and supported (optionally in `environment`).
    pub released: bool,
    /// Deployed or released.
    pub deployed_or_released: bool,
    /// An environment: alone, versions deployed or released there.
    pub environment: Option<String>,
}

/// A pacts-for-verification question, read and checked.
#[derive(Debug, Clone, Default)]
pub struct VerificationQuery {
    /// The selectors, distinct (at most [`MAX_SELECTORS`]), each with its position in the
    /// request for messages; empty means the defaults (main branch, deployed, released).
    pub selectors: Vec<(usize, Selector)>,
    /// The branch of the provider version about to verify.
    pub provider_branch: Option<String>,
    /// Its tags.
    pub provider_tags: Vec<String>,
    /// Compute pending status.
    pub include_pending: bool,
    /// Add work-in-progress contracts published since this time (microseconds).
    pub include_wip_since: Option<i64>,
}

/// One contract to verify.
#[derive(Debug, Clone)]
pub struct VerifiablePact {
    /// The consumer.
    pub consumer: String,
    /// The content hash.
    pub sha: String,
    /// The consumer versions that selected it (newest last), with why.
    pub selected_by: Vec<(String, String)>,
    /// Pending (only computed when asked).
    pub pending: Option<bool>,
    /// A work-in-progress contract.
    pub wip: bool,
}

fn invalid(index: usize, message: impl Into<String>) -> StoreError {
    StoreError::invalid(format!("consumerVersionSelectors[{index}]"), message)
}

/// One way to pick consumer versions, after expanding convenience forms.
#[derive(Debug, Clone)]
enum Pick {
    Latest,
    LatestOnBranch(String),
    LatestOnMainBranch,
    LatestTagged(String),
    AllTagged(String),
    Deployed(Option<String>),
    Released(Option<String>),
}

impl Pick {
    /// The consumer versions this pick selects among those that published a contract for the
    /// provider (only `consumer`'s, when given): `(consumer id, consumer version id)`, oldest
    /// first.
    async fn run(
        &self,
        tx: &mut Snapshot,
        provider_id: i64,
        consumer: Option<&str>,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let consumer_id = match consumer {
            Some(name) => match tx.pacticipant_id(name).await? {
                Some(id) => Some(id),
                None => return Ok(Vec::new()),
            },
            None => None,
        };
        let which = match self {
            Pick::Latest => VersionRef::Latest,
            Pick::LatestOnBranch(branch) => VersionRef::LatestOnBranch(branch),
            Pick::LatestOnMainBranch => VersionRef::LatestOnMainBranch,
            Pick::LatestTagged(tag) => VersionRef::LatestTagged(tag),
            Pick::AllTagged(tag) => VersionRef::Tagged(tag),
            Pick::Deployed(environment) => VersionRef::Deployed(environment.as_deref()),
            Pick::Released(environment) => VersionRef::Released(environment.as_deref()),
        };
        let among = Among::PublishersFor {
            provider_id,
            consumer_id,
        };
        let found = tx.resolve(among, &which, None).await?;
        Ok(found
            .into_iter()
            .rev()
            .map(|version| (version.pacticipant_id, version.version_id))
            .collect())
    }
}

/// What a selector means, in words, for notices.
fn describe(pick: &Pick, environment: Option<&str>) -> String {
    match pick {
        Pick::Latest => "latest version".into(),
        Pick::LatestOnBranch(branch) => format!("latest version from branch '{branch}'"),
        Pick::LatestOnMainBranch => "latest version from the main branch".into(),
        Pick::LatestTagged(tag) => format!("latest version tagged '{tag}'"),
        Pick::AllTagged(tag) => format!("one of the versions tagged '{tag}'"),
        Pick::Deployed(_) => match environment {
            Some(env) => format!("currently deployed to {env}"),
            None => "currently deployed".into(),
        },
        Pick::Released(_) => match environment {
            Some(env) => format!("currently released and supported in {env}"),
            None => "currently released and supported".into(),
        },
    }
}

/// The environment a selector names, checked to exist.
async fn environment(tx: &mut Snapshot, index: usize, name: &str) -> Result<String, StoreError> {
    if tx.environment_exists(name).await? {
        Ok(name.to_owned())
    } else {
        Err(invalid(
            index,
            format!("no environment named `{name}`; create it first"),
        ))
    }
}

/// Expands one selector into picks, each with a fallback pick and its description.
async fn expand(
    tx: &mut Snapshot,
    index: usize,
    selector: &Selector,
    provider_branch: Option<&str>,
) -> Result<Vec<(Pick, Option<Pick>, String)>, StoreError> {
    let environment = match &selector.environment {
        Some(name) => Some(environment(tx, index, name).await?),
        None => None,
    };
    let env_name = selector.environment.as_deref();
    let mut picks = Vec::new();
    let mut push = |pick: Pick, fallback: Option<Pick>| {
        let text = describe(&pick, env_name);
        picks.push((pick, fallback, text));
    };
    if selector.main_branch {
        push(Pick::LatestOnMainBranch, None);
    } else if selector.matching_branch {
        push(
            Pick::LatestOnBranch(provider_branch.unwrap_or_default().to_owned()),
            None,
        );
    } else if let Some(branch) = &selector.branch {
        push(
            Pick::LatestOnBranch(branch.clone()),
            selector.fallback_branch.clone().map(Pick::LatestOnBranch),
        );
    } else if let Some(tag) = &selector.tag {
        if selector.latest == Some(true) {
            push(
                Pick::LatestTagged(tag.clone()),
                selector.fallback_tag.clone().map(Pick::LatestTagged),
            );
        } else {
            push(Pick::AllTagged(tag.clone()), None);
        }
    } else if selector.deployed {
        push(Pick::Deployed(environment), None);
    } else if selector.released {
        push(Pick::Released(environment), None);
    } else if selector.deployed_or_released || environment.is_some() {
        push(Pick::Deployed(environment.clone()), None);
        push(Pick::Released(environment), None);
    } else {
        push(Pick::Latest, None);
    }
    Ok(picks)
}

/// Whether content `pact_version_id` was verified successfully by a provider version that
/// counts for this query's branch or tags.
async fn verified(
    tx: &mut Snapshot,
    pact_version_id: i64,
    provider_id: i64,
    query: &VerificationQuery,
) -> Result<bool, StoreError> {
    let counted = if let Some(branch) = &query.provider_branch {
        CountedVerifiers::Branch(branch)
    } else if !query.provider_tags.is_empty() {
        CountedVerifiers::Tags(&query.provider_tags)
    } else {
        CountedVerifiers::Any
    };
    // A provider version with an OpenAPI document counts when the content passed its
    // cross-check (and the provider's own tests of the document passed).
    Ok(tx
        .verified_successfully(pact_version_id, provider_id, counted)
        .await?
        || tx
            .cross_checked_successfully(pact_version_id, provider_id, counted)
            .await?)
}

/// The publication details of a consumer version's contract for the provider: consumer,
/// version number, content id and hash.
async fn publication(
    tx: &mut Snapshot,
    provider_id: i64,
    consumer_version_id: i64,
) -> Result<Option<(String, String, i64, String)>, StoreError> {
    Ok(tx
        .published_contract(consumer_version_id, provider_id)
        .await?
        .map(|found| {
            (
                found.consumer,
                found.consumer_version,
                found.content_id,
                found.sha,
            )
        }))
}

impl Store {
    /// The contracts `provider` should verify for `query`.
    pub async fn pacts_for_verification(
        &self,
        provider: &str,
        query: &VerificationQuery,
    ) -> Result<Vec<VerifiablePact>, StoreError> {
        snapshot!(self, tx => {
            let provider_id = tx
                .pacticipant_id(provider)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("no pacticipant named `{provider}`")))?;
            // (consumer, content id) → entry; BTreeMap keeps the output ordered.
            let mut found: BTreeMap<(String, i64), VerifiablePact> = BTreeMap::new();
            let default_selectors = [
                (0, Selector { main_branch: true, ..Selector::default() }),
                (1, Selector { deployed: true, ..Selector::default() }),
                (2, Selector { released: true, ..Selector::default() }),
            ];
            let selectors: &[(usize, Selector)] = if query.selectors.is_empty() { &default_selectors } else { &query.selectors };
            for &(index, ref selector) in selectors {
                for (pick, fallback, reason) in expand(tx, index, selector, query.provider_branch.as_deref()).await? {
                    let consumer = selector.consumer.as_deref();
                    let mut rows = pick.run(tx, provider_id, consumer).await?;
                    let mut reasons = vec![reason.clone(); rows.len()];
                    if let Some(fallback) = fallback {
                        let covered: Vec<i64> = rows.iter().map(|(c, _)| *c).collect();
                        let text = format!("{} (fallback)", describe(&fallback, None));
                        for row in fallback.run(tx, provider_id, consumer).await? {
                            if !covered.contains(&row.0) {
                                rows.push(row);
                                reasons.push(text.clone());
                            }
                        }
                    }
                    for ((_, version_id), reason) in rows.into_iter().zip(reasons) {
                        let Some((consumer, number, pact_version_id, sha)) = publication(tx, provider_id, version_id).await? else {
                            continue;
                        };
                        let key = (consumer.clone(), pact_version_id);
                        let entry = found.entry(key).or_insert_with(|| VerifiablePact {
                            consumer,
                            sha,
                            selected_by: Vec::new(),
                            pending: None,
                            wip: false,
                        });
                        if !entry.selected_by.iter().any(|(v, r)| *v == number && *r == reason) {
                            entry.selected_by.push((number, reason));
                        }
                    }
                }
            }
            if let Some(since) = query.include_wip_since {
                let heads = tx.recent_branch_and_tag_heads(provider_id, since).await?;
                for version_id in heads {
                    let Some((consumer, number, pact_version_id, sha)) = publication(tx, provider_id, version_id).await? else {
                        continue;
                    };
                    let key = (consumer.clone(), pact_version_id);
                    if found.contains_key(&key) || verified(tx, pact_version_id, provider_id, query).await? {
                        continue;
                    }
                    found.insert(key, VerifiablePact {
                        consumer,
                        sha,
                        selected_by: vec![(number, "work in progress".into())],
                        pending: Some(true),
                        wip: true,
                    });
                }
            }
            if query.include_pending {
                for ((_, pact_version_id), entry) in found.iter_mut() {
                    if entry.pending.is_none() {
                        entry.pending = Some(!verified(tx, *pact_version_id, provider_id, query).await?);
                    }
                }
            }
            Ok(found.into_values().collect())
        })
    }
}
