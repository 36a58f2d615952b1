//! The matrix and can-i-deploy: which consumer versions were verified by which provider
//! versions, and whether a version can go where it is going.
//!
//! A question names one or more pacticipant versions ("web-shop 1.2.0") and usually a
//! destination: an environment, a tag, the main branch, or "the latest of everything else".
//! For each integration of a named version the other side's versions at the destination are
//! found — every version currently deployed or supported there, not only the newest — and each
//! pair is one row: the contract the consumer version published, and the newest verification of
//! that content by that provider version. Every lookup is by key or through a head table, so
//! the cost does not grow with history.
//!
//! A provider version that published an OpenAPI document (a provider contract) and did not
//! verify the contract with a pact verification is judged by the cross-check of the contract
//! against its document: it passed when the cross-check found no error and the provider's own
//! tests against the document passed, failed when either did not, and is unknown while the
//! cross-check is being computed. A pact verification of the pair wins over a cross-check: it
//! ran the contract against the provider's code.
//!
//! The decision: **no** when a named version does not exist or any counted row failed;
//! **unknown** when a row was never verified, or a provider the consumer needs has no version
//! at the destination; otherwise **yes**. Each integration gets a reason naming the exact
//! versions and verification, and a "no"/"unknown" says what would make it "yes".
//!
//! The question is read from the query string by the API (`api/matrix.rs`); this module answers
//! a [`MatrixQuery`] that is already valid.
//!
//! Bounded: a question names at most [`MAX_SELECTORS`] distinct selectors (repeats are dropped
//! by the API), a version named by several selectors counts once, and an answer has at most
//! [`MAX_ROWS`] rows — the work stops with a 400 naming the limit as soon as it would have more.
//! Rows share their versions, so a matrix request holds at most about `MAX_ROWS` rows of a few
//! kilobytes each (measured in benches/README.md, "Hardening: memory bounds").

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use super::store::{
    Among, CrossCheckRecord, MissingCrossCheck, ProviderContractFacts, Snapshot, Store, StoreError,
    Version, VersionRef, snapshot,
};

/// Distinct selectors (`q[]` entries) a matrix question may name: more than a release names
/// (one per service), few enough that their pairs stay far below [`MAX_ROWS`] of work.
pub const MAX_SELECTORS: usize = 100;

/// Rows a matrix answer may have, with the pairs that have no row (a provider missing at the
/// destination, a consumer version without a contract): as many as the largest `limit`.
pub const MAX_ROWS: usize = 10_000;

/// What to do about an answer that would be larger than [`MAX_ROWS`].
pub const NARROW_THE_QUESTION: &str = "name versions (q[][version]) instead of every version, a branch or a tag, \
     give a destination (environment, tag with latest=true, or mainBranch), or lower limit";

/// One pacticipant version (or set of versions) named in a matrix question.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MatrixSelector {
    /// The pacticipant.
    pub pacticipant: String,
    /// A version number.
    pub version: Option<String>,
    /// The latest (of the branch or tag, if given).
    pub latest: bool,
    /// Versions with this tag.
    pub tag: Option<String>,
    /// Versions on this branch.
    pub branch: Option<String>,
    /// Versions on the pacticipant's main branch.
    pub main_branch: bool,
}

/// Where the named versions are going.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Versions currently deployed or released in this environment.
    Environment(String),
    /// The latest version with this tag.
    Tag(String),
    /// The latest version of each main branch.
    MainBranch,
    /// The latest version of everything else.
    Latest,
}

/// A matrix question.
#[derive(Debug, Clone, Default)]
pub struct MatrixQuery {
    /// The named versions: distinct selectors (at most [`MAX_SELECTORS`]), each with its
    /// position in the request (`q[position]`) for messages.
    pub selectors: Vec<(usize, MatrixSelector)>,
    /// Where they are going; `None` lists what is known about them.
    pub destination: Option<Destination>,
    /// Pacticipants (optionally one version) whose results do not count.
    pub ignore: Vec<(String, Option<String>)>,
    /// Versions at most per selector, and verifying provider versions at most per consumer
    /// version.
    pub limit: usize,
    /// `cvp`: without a destination, keep only the newest provider version per consumer
    /// version and provider (as the official clients ask for one pacticipant).
    pub latest_by: Option<String>,
    /// Only rows whose verification outcome is one of these (`Some(true)` successful,
    /// `Some(false)` failed, `None` not verified); `None` keeps every row.
    pub success: Option<Vec<Option<bool>>>,
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::invalid(field, message)
}

/// One matrix row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The consumer version (shared with the other rows that name it).
    pub consumer: Arc<Version>,
    /// The provider's name.
    pub provider: String,
    /// The provider version, when there is one to compare with.
    pub provider_version: Option<Arc<Version>>,
    /// The contract: content hash and when it was published.
    pub pact_sha: String,
    /// When the contract was published by this consumer version.
    pub pact_created_at: i64,
    /// The newest verification of the content by the provider version: id, success, time.
    pub verification: Option<(i64, bool, i64)>,
    /// Ignored by the question.
    pub ignored: bool,
    /// When the provider version published an OpenAPI document and did not verify the
    /// contract with a pact verification: the cross-check of the contract against it.
    pub cross_check: Option<RowCrossCheck>,
}

/// The cross-check evidence of a row.
#[derive(Debug, Clone)]
pub struct RowCrossCheck {
    /// The provider contract.
    pub contract: ProviderContractFacts,
    /// The cross-check of the row's contract against it; `None` until it is enqueued.
    pub record: Option<CrossCheckRecord>,
}

impl RowCrossCheck {
    /// Passed (the provider's own tests and the cross-check), failed (either), or unknown
    /// (the cross-check is still being computed).
    pub fn outcome(&self) -> Option<bool> {
        if !self.contract.self_verified {
            return Some(false);
        }
        self.record
            .as_ref()
            .and_then(|record| record.outcome.as_ref())
            .map(|outcome| outcome.success)
    }
}

impl Row {
    /// Whether the pair is compatible: the pact verification when the provider version
    /// verified the contract (the stronger evidence: the provider's code ran it), otherwise
    /// the cross-check with the provider's OpenAPI document; `None` when neither is known.
    pub fn outcome(&self) -> Option<bool> {
        match (&self.verification, &self.cross_check) {
            (Some((_, success, _)), _) => Some(*success),
            (None, Some(check)) => check.outcome(),
            (None, None) => None,
        }
    }
}

/// Where a finding is in the contract, without the interaction's own position (the reason
/// names the interaction): `response.body.total`.
fn in_interaction(location: &str) -> &str {
    location
        .strip_prefix("[root].interactions[")
        .and_then(|rest| rest.split_once("]."))
        .map_or(location, |(_, rest)| rest)
}

/// The reason a row with cross-check evidence gets.
fn cross_check_reason(
    consumer: &str,
    provider: &str,
    provider_name: &str,
    check: &RowCrossCheck,
) -> (NoticeKind, String) {
    let contract = &check.contract;
    if !contract.self_verified {
        let by = contract
            .verifier
            .as_deref()
            .map(|v| format!(" ({v})"))
            .unwrap_or_default();
        return (
            NoticeKind::Error,
            format!(
                "{provider} published its OpenAPI document with a failed self-verification{by}: fix {provider_name}'s own tests against the document and publish the provider contract again"
            ),
        );
    }
    let Some(record) = &check.record else {
        return (
            NoticeKind::Error,
            format!(
                "The cross-check of the contract between {consumer} and {provider}'s OpenAPI document is being computed: ask again shortly (can-i-deploy --retry-while-unknown)"
            ),
        );
    };
    let id = record.id;
    match &record.outcome {
        None => (
            NoticeKind::Error,
            format!(
                "The cross-check of the contract between {consumer} and {provider}'s OpenAPI document is being computed (cross-check {id}): ask again shortly (can-i-deploy --retry-while-unknown)"
            ),
        ),
        Some(outcome) if outcome.success => (
            NoticeKind::Info,
            format!(
                "{consumer} → {provider}: the contract is compatible with {provider_name}'s OpenAPI document (cross-check {id}), whose self-verification passed"
            ),
        ),
        Some(outcome) => {
            if let Some(error) = &outcome.error {
                return (
                    NoticeKind::Error,
                    format!(
                        "The cross-check of the contract between {consumer} and {provider}'s OpenAPI document could not run (cross-check {id}): {error}"
                    ),
                );
            }
            let errors: Vec<_> = outcome.result.errors().collect();
            let first = errors
                .first()
                .map(|finding| {
                    format!(
                        "{} in '{}' at {}: {}",
                        finding.code,
                        finding.description,
                        in_interaction(&finding.contract_location),
                        finding.message
                    )
                })
                .unwrap_or_default();
            let more = match errors.len() {
                0 | 1 => String::new(),
                2 => " (and 1 more error)".to_owned(),
                n => format!(" (and {} more errors)", n - 1),
            };
            (
                NoticeKind::Error,
                format!(
                    "The cross-check of the contract between {consumer} and {provider}'s OpenAPI document failed (cross-check {id}): {first}{more}: fix {provider_name}'s document or the consumer's contract and publish again (pactum cross-check lists every finding)"
                ),
            )
        }
    }
}

/// The cross-check evidence for a pair without a pact verification: `None` when the provider
/// version published no OpenAPI document. A pair not enqueued yet is added to `missing`.
async fn cross_check_of(
    tx: &mut Snapshot,
    content_id: i64,
    pact_sha: &str,
    provider_version_id: i64,
    missing: &mut Vec<MissingCrossCheck>,
) -> Result<Option<RowCrossCheck>, StoreError> {
    let Some(contract) = tx.provider_contract_facts(provider_version_id).await? else {
        return Ok(None);
    };
    let record = match &contract.sha {
        Some(sha) => {
            let record = tx.cross_check_of(pact_sha, sha).await?;
            if record.is_none() {
                missing.push((content_id, pact_sha.to_owned(), sha.clone()));
            }
            record
        }
        // Published before hashing existed: the worker hashes it and enqueues its pairs.
        None => None,
    };
    Ok(Some(RowCrossCheck { contract, record }))
}

/// The kind of a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Fine.
    Info,
    /// Worth knowing.
    Warning,
    /// Why it is not deployable.
    Error,
}

/// The answer to a matrix question.
#[derive(Debug, Clone)]
pub struct MatrixAnswer {
    /// true, false, or unknown.
    pub deployable: Option<bool>,
    /// The rows (considered first, then ignored ones).
    pub rows: Vec<Row>,
    /// Reasons and advice.
    pub notices: Vec<(NoticeKind, String)>,
    /// Successful rows.
    pub success: usize,
    /// Failed rows.
    pub failed: usize,
    /// Unverified rows plus missing required integrations.
    pub unknown: usize,
    /// Ignored rows (when ignore was asked).
    pub ignored: Option<usize>,
    /// Pairs whose cross-check nobody enqueued yet: the caller enqueues them, so "being
    /// computed" comes true.
    pub cross_checks_to_compute: Vec<MissingCrossCheck>,
}

async fn pacticipant_id(tx: &mut Snapshot, name: &str, field: &str) -> Result<i64, StoreError> {
    tx.pacticipant_id(name)
        .await?
        .ok_or_else(|| invalid(field, format!("no pacticipant named `{name}`")))
}

/// The version ids a selector names (newest first).
async fn resolve(
    tx: &mut Snapshot,
    id: i64,
    selector: &MatrixSelector,
    limit: usize,
) -> Result<Vec<i64>, StoreError> {
    let which = if let Some(number) = &selector.version {
        VersionRef::Number(number)
    } else if let Some(branch) = &selector.branch {
        if selector.latest {
            VersionRef::LatestOnBranch(branch)
        } else {
            VersionRef::OnBranch(branch)
        }
    } else if selector.main_branch {
        VersionRef::LatestOnMainBranch
    } else if let Some(tag) = &selector.tag {
        if selector.latest {
            VersionRef::LatestTagged(tag)
        } else {
            VersionRef::Tagged(tag)
        }
    } else if selector.latest {
        VersionRef::Latest
    } else {
        VersionRef::All
    };
    versions_of(tx, id, &which, Some(limit)).await
}

async fn versions_of(
    tx: &mut Snapshot,
    pacticipant_id: i64,
    which: &VersionRef<'_>,
    limit: Option<usize>,
) -> Result<Vec<i64>, StoreError> {
    let found = tx
        .resolve(Among::VersionsOf(pacticipant_id), which, limit)
        .await?;
    Ok(found
        .into_iter()
        .map(|version| version.version_id)
        .collect())
}

/// The versions of `pacticipant_id` at the destination.
async fn at_destination(
    tx: &mut Snapshot,
    pacticipant_id: i64,
    destination: &Destination,
) -> Result<Vec<i64>, StoreError> {
    let which = match destination {
        Destination::Environment(name) => VersionRef::DeployedOrReleased(Some(name)),
        Destination::Tag(tag) => VersionRef::LatestTagged(tag),
        Destination::MainBranch => VersionRef::LatestOnMainBranch,
        Destination::Latest => VersionRef::Latest,
    };
    versions_of(tx, pacticipant_id, &which, None).await
}

fn describe_destination(destination: &Destination) -> String {
    match destination {
        Destination::Environment(env) => format!("in {env}"),
        Destination::Tag(tag) => format!("with tag {tag}"),
        Destination::MainBranch => "from the main branch".into(),
        Destination::Latest => "(latest)".into(),
    }
}

/// The contract consumer version `cv` published for provider `provider_id`: (content id, sha,
/// published at).
async fn contract_of(
    tx: &mut Snapshot,
    cv: i64,
    provider_id: i64,
) -> Result<Option<(i64, String, i64)>, StoreError> {
    Ok(tx
        .published_contract(cv, provider_id)
        .await?
        .map(|found| (found.content_id, found.sha, found.published_at)))
}

async fn verification_of(
    tx: &mut Snapshot,
    pact_version_id: i64,
    provider_version_id: i64,
) -> Result<Option<(i64, bool, i64)>, StoreError> {
    Ok(tx
        .latest_verification(pact_version_id, provider_version_id)
        .await?
        .map(|found| (found.id, found.success, found.created_at)))
}

/// Caches loaded versions: a matrix names the same versions in many rows, which share them.
struct Versions(BTreeMap<i64, Arc<Version>>);

impl Versions {
    async fn get(&mut self, tx: &mut Snapshot, id: i64) -> Result<Arc<Version>, StoreError> {
        if let Some(v) = self.0.get(&id) {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(tx.version(id).await?);
        self.0.insert(id, Arc::clone(&v));
        Ok(v)
    }
}

/// Refuses an answer that has grown past [`MAX_ROWS`] (rows plus pairs without one), before it
/// grows further.
fn within_bounds(rows: usize, without_row: usize) -> Result<(), StoreError> {
    if rows + without_row > MAX_ROWS {
        return Err(invalid(
            "q",
            format!(
                "the answer has more than {MAX_ROWS} rows, the most a matrix answer may have; \
                 narrow the question: {NARROW_THE_QUESTION}"
            ),
        ));
    }
    Ok(())
}

fn label(version: &Version) -> String {
    format!("{} ({})", version.pacticipant, version.number)
}

impl Store {
    /// Answers a matrix question.
    pub async fn matrix(&self, query: &MatrixQuery) -> Result<MatrixAnswer, StoreError> {
        snapshot!(self, tx => {
            let mut notices: Vec<(NoticeKind, String)> = Vec::new();
            let mut rows: Vec<Row> = Vec::new();
            let mut missing: Vec<String> = Vec::new();
            let mut not_found = false;
            let mut versions = Versions(BTreeMap::new());
            let mut to_compute: Vec<MissingCrossCheck> = Vec::new();
            if let Some(Destination::Environment(env)) = &query.destination
                && !tx.environment_exists(env).await? {
                    return Err(invalid("environment", format!("no environment named `{env}`")));
                }
            let mut specified: Vec<(i64, String, Vec<i64>)> = Vec::new();
            // A version named by several selectors (its number, and its branch's latest) is one
            // version: each pair of versions makes one row, however often it is named.
            let mut named_already: HashSet<i64> = HashSet::new();
            for (index, selector) in &query.selectors {
                let id = pacticipant_id(tx, &selector.pacticipant, &format!("q[{index}].pacticipant")).await?;
                let found = resolve(tx, id, selector, query.limit).await?;
                if found.is_empty() {
                    not_found = true;
                    let what = match (&selector.version, &selector.branch, &selector.tag) {
                        (Some(v), _, _) => format!("version {v}"),
                        (_, Some(b), _) => format!("version on branch {b}"),
                        (_, _, Some(t)) => format!("version tagged {t}"),
                        _ if selector.main_branch => "version on its main branch".to_owned(),
                        _ => "versions".to_owned(),
                    };
                    notices.push((NoticeKind::Error, format!("{} has no {what}: publish or create it first", selector.pacticipant)));
                }
                let found = found.into_iter().filter(|vid| named_already.insert(*vid)).collect();
                specified.push((id, selector.pacticipant.clone(), found));
            }
            let specified_ids: Vec<i64> = specified.iter().map(|(id, _, _)| *id).collect();
            let ignored_side = |name: &str, number: Option<&str>| {
                query.ignore.iter().any(|(p, v)| p == name && v.as_deref().is_none_or(|v| Some(v) == number))
            };
            // A row is ignored when either side is: the version asked about may be one of the
            // ignored ones (can Bar be deployed with every Foo tagged prod but 3.4.5?).
            let ignored = |consumer: &Version, provider: &str, provider_number: Option<&str>| {
                ignored_side(&consumer.pacticipant, Some(&consumer.number))
                    || ignored_side(provider, provider_number)
            };
            let limit = query.limit;
            for (id, name, version_ids) in &specified {
                for &vid in version_ids {
                    // As consumer: each provider of this version's contracts.
                    let providers = tx.providers_of(vid).await?;
                    for (provider_id, provider_name) in providers {
                        let Some((content, sha, published)) = contract_of(tx, vid, provider_id).await? else {
                            continue;
                        };
                        let consumer = versions.get(tx, vid).await?;
                        // Every version named for the provider (it may be named more than once).
                        let named: Vec<i64> = specified
                            .iter()
                            .filter(|(pid, _, _)| *pid == provider_id)
                            .flat_map(|(_, _, vids)| vids.iter().copied())
                            .collect();
                        let other_specified = specified.iter().any(|(pid, _, _)| *pid == provider_id);
                        let provider_versions: Vec<i64> = match (other_specified, &query.destination) {
                            (true, _) => named,
                            (false, Some(destination)) => {
                                let found = at_destination(tx, provider_id, destination).await?;
                                if found.is_empty() && !ignored(&consumer, &provider_name, None) {
                                    missing.push(format!(
                                        "{} needs {provider_name}, which has no version {}: deploy a {provider_name} version that verified this contract there first",
                                        label(&consumer), describe_destination(destination)
                                    ));
                                    within_bounds(rows.len(), missing.len() + notices.len())?;
                                }
                                found
                            }
                            // Several named versions and no destination: only the rows between them.
                            (false, None) if specified.len() > 1 => continue,
                            (false, None) => {
                                // No destination: every provider version that verified the content
                                // (only the newest with latestby=cvp).
                                let limit = if query.latest_by.as_deref() == Some("cvp") { 1 } else { limit };
                                let mut verified = tx.verifiers_of(content, limit).await?;
                                // Provider versions whose OpenAPI document was cross-checked
                                // with the content count as having verified it.
                                verified.extend(tx.cross_checked_provider_versions(content, provider_id, limit).await?);
                                verified.sort_unstable_by(|a, b| b.cmp(a));
                                verified.dedup();
                                verified.truncate(limit);
                                if verified.is_empty() {
                                    within_bounds(rows.len() + 1, missing.len() + notices.len())?;
                                    rows.push(Row {
                                        consumer: consumer.clone(),
                                        provider: provider_name.clone(),
                                        provider_version: None,
                                        pact_sha: sha.clone(),
                                        pact_created_at: published,
                                        verification: None,
                                        ignored: ignored(&consumer, &provider_name, None),
                                        cross_check: None,
                                    });
                                }
                                verified
                            }
                        };
                        within_bounds(rows.len() + provider_versions.len(), missing.len() + notices.len())?;
                        for pvid in provider_versions {
                            let provider_version = versions.get(tx, pvid).await?;
                            let verification = verification_of(tx, content, pvid).await?;
                            let cross_check = match verification {
                                Some(_) => None,
                                None => cross_check_of(tx, content, &sha, pvid, &mut to_compute).await?,
                            };
                            rows.push(Row {
                                cross_check,
                                ignored: ignored(&consumer, &provider_name, Some(&provider_version.number)),
                                consumer: consumer.clone(),
                                provider: provider_name.clone(),
                                provider_version: Some(provider_version),
                                pact_sha: sha.clone(),
                                pact_created_at: published,
                                verification,
                            });
                        }
                    }
                    // As provider: each consumer integrated with it, at the destination. With
                    // several named versions and no destination, only rows between them count,
                    // and those were built from the consumer's side.
                    if query.destination.is_none() && specified.len() > 1 {
                        continue;
                    }
                    let provider_version = versions.get(tx, vid).await?;
                    let consumers = tx.consumers_of(*id).await?;
                    for (consumer_id, _) in consumers {
                        if specified_ids.contains(&consumer_id) {
                            continue; // covered from the consumer's side
                        }
                        let consumer_versions = match &query.destination {
                            Some(destination) => at_destination(tx, consumer_id, destination).await?,
                            None => {
                                let mut found = tx.consumer_versions_verified_by(vid, consumer_id, limit).await?;
                                // Consumer versions whose contract was cross-checked with this
                                // version's OpenAPI document count as verified by it.
                                found.extend(tx.consumer_versions_cross_checked_by(vid, consumer_id, limit).await?);
                                found.sort_unstable_by(|a, b| b.cmp(a));
                                found.dedup();
                                found.truncate(limit);
                                found
                            }
                        };
                        for cvid in consumer_versions {
                            let Some((content, sha, published)) = contract_of(tx, cvid, *id).await? else {
                                let cv = versions.get(tx, cvid).await?;
                                notices.push((NoticeKind::Info, format!("{} has no contract with {name}: nothing to verify", label(&cv))));
                                within_bounds(rows.len(), missing.len() + notices.len())?;
                                continue;
                            };
                            within_bounds(rows.len() + 1, missing.len() + notices.len())?;
                            let consumer_version = versions.get(tx, cvid).await?;
                            let verification = verification_of(tx, content, vid).await?;
                            let cross_check = match verification {
                                Some(_) => None,
                                None => cross_check_of(tx, content, &sha, vid, &mut to_compute).await?,
                            };
                            rows.push(Row {
                                cross_check,
                                ignored: ignored(&consumer_version, name, Some(&provider_version.number)),
                                consumer: consumer_version,
                                provider: name.clone(),
                                provider_version: Some(provider_version.clone()),
                                pact_sha: sha,
                                pact_created_at: published,
                                verification,
                            });
                        }
                    }
                }
            }
            if let Some(wanted) = &query.success {
                rows.retain(|row| wanted.contains(&row.outcome()));
            }
            // Reasons, one per row, in row order.
            let (mut success, mut failed, mut unknown, mut ignored_count) = (0, 0, 0, 0);
            for row in &rows {
                let consumer = label(&row.consumer);
                let provider = row
                    .provider_version
                    .as_deref()
                    .map(label)
                    .unwrap_or_else(|| format!("{} (no version)", row.provider));
                if row.ignored {
                    ignored_count += 1;
                    notices.push((NoticeKind::Info, format!("Ignoring the result between {consumer} and {provider}, as asked")));
                    continue;
                }
                if let (None, Some(check)) = (&row.verification, &row.cross_check) {
                    match check.outcome() {
                        Some(true) => success += 1,
                        Some(false) => failed += 1,
                        None => unknown += 1,
                    }
                    notices.push(cross_check_reason(&consumer, &provider, &row.provider, check));
                    continue;
                }
                match row.verification {
                    Some((id, true, _)) => {
                        success += 1;
                        notices.push((NoticeKind::Info, format!("{consumer} → {provider}: the contract was verified successfully (verification {id})")));
                    }
                    Some((id, false, _)) => {
                        failed += 1;
                        notices.push((NoticeKind::Error, format!(
                            "The verification of the contract between {consumer} and {provider} failed (verification {id}): fix {} and publish a successful verification, or use a {} version that passes",
                            row.provider, row.provider
                        )));
                    }
                    None => {
                        unknown += 1;
                        notices.push((NoticeKind::Error, format!(
                            "There is no verified contract between {consumer} and {provider}: verify {provider} against it and publish the results (pactum verify --publish)"
                        )));
                    }
                }
            }
            for text in missing.drain(..) {
                unknown += 1;
                notices.push((NoticeKind::Error, text));
            }
            let deployable = if not_found || failed > 0 {
                Some(false)
            } else if unknown > 0 {
                None
            } else {
                Some(true)
            };
            if deployable == Some(true) {
                let text = if success == 0 { "There are no missing dependencies" } else { "All required verification results are published and successful" };
                notices.insert(0, (NoticeKind::Info, text.to_owned()));
            }
            if query.destination.is_none() && query.selectors.len() == 1 {
                notices.insert(0, (NoticeKind::Warning, "WARN: It is recommended to specify the environment into which you are deploying; without it every known result is listed".to_owned()));
            }
            // Considered rows first, then ignored ones.
            rows.sort_by_key(|r| r.ignored);
            Ok(MatrixAnswer {
                deployable,
                rows,
                notices,
                success,
                failed,
                unknown,
                ignored: (!query.ignore.is_empty()).then_some(ignored_count),
                cross_checks_to_compute: to_compute,
            })
        })
    }
}
