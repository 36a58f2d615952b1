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
//! The decision: **no** when a named version does not exist or any counted row failed;
//! **unknown** when a row was never verified, or a provider the consumer needs has no version
//! at the destination; otherwise **yes**. Each integration gets a reason naming the exact
//! versions and verification, and a "no"/"unknown" says what would make it "yes".
//!
//! The question is read from the query string by the API (`api/matrix.rs`); this module answers
//! a [`MatrixQuery`] that is already valid.

use std::collections::BTreeMap;

use super::db::{Tx, args, read_tx};
use super::store::{Store, StoreError, Version, load_version};

/// One pacticipant version (or set of versions) named in a matrix question.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// The named versions.
    pub selectors: Vec<MatrixSelector>,
    /// Where they are going; `None` lists what is known about them.
    pub destination: Option<Destination>,
    /// Pacticipants (optionally one version) whose results do not count.
    pub ignore: Vec<(String, Option<String>)>,
    /// Rows at most.
    pub limit: usize,
    /// `cvp`: without a destination, keep only the newest provider version per consumer
    /// version and provider (as the official clients ask for one pacticipant).
    pub latest_by: Option<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> StoreError {
    StoreError::invalid(field, message)
}

/// One matrix row.
#[derive(Debug, Clone)]
pub struct Row {
    /// The consumer version.
    pub consumer: Version,
    /// The provider's name.
    pub provider: String,
    /// The provider version, when there is one to compare with.
    pub provider_version: Option<Version>,
    /// The contract: content hash and when it was published.
    pub pact_sha: String,
    /// When the contract was published by this consumer version.
    pub pact_created_at: i64,
    /// The newest verification of the content by the provider version: id, success, time.
    pub verification: Option<(i64, bool, i64)>,
    /// Ignored by the question.
    pub ignored: bool,
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
}

async fn pacticipant_id(tx: &mut Tx, name: &str, field: &str) -> Result<i64, StoreError> {
    tx.int("SELECT id FROM pacticipants WHERE name = $1", args![name])
        .await?
        .ok_or_else(|| invalid(field, format!("no pacticipant named `{name}`")))
}

/// The version ids a selector names (newest first).
async fn resolve(
    tx: &mut Tx,
    id: i64,
    selector: &MatrixSelector,
    limit: usize,
) -> Result<Vec<i64>, StoreError> {
    let one = |v: Option<i64>| v.into_iter().collect::<Vec<_>>();
    let limit = limit as i64;
    Ok(if let Some(number) = &selector.version {
        one(tx
            .int(
                "SELECT id FROM versions WHERE pacticipant_id = $1 AND number = $2",
                args![id, number],
            )
            .await?)
    } else if let Some(branch) = &selector.branch {
        if selector.latest {
            one(tx
                .int(
                    "SELECT h.version_id FROM branch_heads h JOIN branches b ON b.id = h.branch_id \
                     WHERE b.pacticipant_id = $1 AND b.name = $2",
                    args![id, branch],
                )
                .await?)
        } else {
            ids(tx, "SELECT bv.version_id FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id \
                     WHERE b.pacticipant_id = $1 AND b.name = $2 ORDER BY bv.version_id DESC LIMIT $3", args![id, branch, limit]).await?
        }
    } else if selector.main_branch {
        one(main_branch_head(tx, id).await?)
    } else if let Some(tag) = &selector.tag {
        if selector.latest {
            one(tx
                .int(
                    "SELECT version_id FROM tag_heads WHERE pacticipant_id = $1 AND name = $2",
                    args![id, tag],
                )
                .await?)
        } else {
            ids(tx, "SELECT t.version_id FROM tags t JOIN versions v ON v.id = t.version_id \
                     WHERE v.pacticipant_id = $1 AND t.name = $2 ORDER BY t.version_id DESC LIMIT $3", args![id, tag, limit]).await?
        }
    } else if selector.latest {
        one(tx
            .int(
                "SELECT MAX(id) FROM versions WHERE pacticipant_id = $1",
                args![id],
            )
            .await?)
    } else {
        ids(
            tx,
            "SELECT id FROM versions WHERE pacticipant_id = $1 ORDER BY id DESC LIMIT $2",
            args![id, limit],
        )
        .await?
    })
}

async fn ids(tx: &mut Tx, sql: &str, args: Vec<super::db::Arg>) -> Result<Vec<i64>, StoreError> {
    Ok(tx.rows(sql, args).await?.iter().map(|r| r.int(0)).collect())
}

async fn main_branch_head(tx: &mut Tx, pacticipant_id: i64) -> Result<Option<i64>, StoreError> {
    Ok(tx
        .int(
            "SELECT h.version_id FROM branch_heads h JOIN branches b ON b.id = h.branch_id \
             JOIN pacticipants p ON p.id = b.pacticipant_id AND p.main_branch = b.name \
             WHERE p.id = $1",
            args![pacticipant_id],
        )
        .await?)
}

/// The versions of `pacticipant_id` at the destination, and how to describe them.
async fn at_destination(
    tx: &mut Tx,
    pacticipant_id: i64,
    destination: &Destination,
) -> Result<Vec<i64>, StoreError> {
    Ok(match destination {
        Destination::Environment(name) => {
            ids(
                tx,
                "SELECT d.version_id FROM deployed_versions d JOIN environments e ON e.id = d.environment_id \
                 WHERE d.pacticipant_id = $1 AND e.name = $2 AND d.currently_deployed \
                 UNION SELECT r.version_id FROM released_versions r JOIN environments e ON e.id = r.environment_id \
                 WHERE r.pacticipant_id = $1 AND e.name = $2 AND r.currently_supported \
                 ORDER BY 1 DESC",
                args![pacticipant_id, name],
            )
            .await?
        }
        Destination::Tag(tag) => tx
            .int("SELECT version_id FROM tag_heads WHERE pacticipant_id = $1 AND name = $2", args![pacticipant_id, tag])
            .await?
            .into_iter()
            .collect(),
        Destination::MainBranch => main_branch_head(tx, pacticipant_id).await?.into_iter().collect(),
        Destination::Latest => tx
            .int("SELECT MAX(id) FROM versions WHERE pacticipant_id = $1", args![pacticipant_id])
            .await?
            .into_iter()
            .collect(),
    })
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
    tx: &mut Tx,
    cv: i64,
    provider_id: i64,
) -> Result<Option<(i64, String, i64)>, StoreError> {
    Ok(tx
        .row(
            "SELECT l.pact_version_id, pv.sha, l.created_at FROM latest_pact_publications l \
             JOIN pact_versions pv ON pv.id = l.pact_version_id \
             WHERE l.consumer_version_id = $1 AND l.provider_id = $2",
            args![cv, provider_id],
        )
        .await?
        .map(|r| (r.int(0), r.text(1), r.int(2))))
}

async fn verification_of(
    tx: &mut Tx,
    pact_version_id: i64,
    provider_version_id: i64,
) -> Result<Option<(i64, bool, i64)>, StoreError> {
    Ok(tx
        .row(
            "SELECT lv.verification_id, lv.success, v.created_at FROM latest_verifications lv \
             JOIN verifications v ON v.id = lv.verification_id \
             WHERE lv.pact_version_id = $1 AND lv.provider_version_id = $2",
            args![pact_version_id, provider_version_id],
        )
        .await?
        .map(|r| (r.int(0), r.bool(1), r.int(2))))
}

/// Caches loaded versions: a matrix names the same versions in many rows.
struct Versions(BTreeMap<i64, Version>);

impl Versions {
    async fn get(&mut self, tx: &mut Tx, id: i64) -> Result<Version, StoreError> {
        if let Some(v) = self.0.get(&id) {
            return Ok(v.clone());
        }
        let v = load_version(tx, id).await?;
        self.0.insert(id, v.clone());
        Ok(v)
    }
}

fn label(version: &Version) -> String {
    format!("{} ({})", version.pacticipant, version.number)
}

impl Store {
    /// Answers a matrix question.
    pub async fn matrix(&self, query: &MatrixQuery) -> Result<MatrixAnswer, StoreError> {
        read_tx!(self.db(), tx => {
            let mut notices: Vec<(NoticeKind, String)> = Vec::new();
            let mut rows: Vec<Row> = Vec::new();
            let mut missing: Vec<String> = Vec::new();
            let mut not_found = false;
            let mut versions = Versions(BTreeMap::new());
            if let Some(Destination::Environment(env)) = &query.destination
                && tx.int("SELECT id FROM environments WHERE name = $1", args![env]).await?.is_none() {
                    return Err(invalid("environment", format!("no environment named `{env}`")));
                }
            let mut specified: Vec<(i64, String, Vec<i64>)> = Vec::new();
            for (index, selector) in query.selectors.iter().enumerate() {
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
                specified.push((id, selector.pacticipant.clone(), found));
            }
            let specified_ids: Vec<i64> = specified.iter().map(|(id, _, _)| *id).collect();
            let ignored = |name: &str, number: Option<&str>| {
                query.ignore.iter().any(|(p, v)| p == name && v.as_deref().is_none_or(|v| Some(v) == number))
            };
            let limit = query.limit;
            for (id, name, version_ids) in &specified {
                for &vid in version_ids {
                    // As consumer: each provider of this version's contracts.
                    let providers = tx
                        .rows(
                            "SELECT l.provider_id, p.name FROM latest_pact_publications l \
                             JOIN pacticipants p ON p.id = l.provider_id WHERE l.consumer_version_id = $1 ORDER BY p.name",
                            args![vid],
                        )
                        .await?;
                    for provider in providers {
                        let (provider_id, provider_name) = (provider.int(0), provider.text(1));
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
                                if found.is_empty() && !ignored(&provider_name, None) {
                                    missing.push(format!(
                                        "{} needs {provider_name}, which has no version {}: deploy a {provider_name} version that verified this contract there first",
                                        label(&consumer), describe_destination(destination)
                                    ));
                                }
                                found
                            }
                            // Several named versions and no destination: only the rows between them.
                            (false, None) if specified.len() > 1 => continue,
                            (false, None) => {
                                // No destination: every provider version that verified the content
                                // (only the newest with latestby=cvp).
                                let limit = if query.latest_by.as_deref() == Some("cvp") { 1 } else { limit };
                                let verified = ids(
                                    tx,
                                    "SELECT provider_version_id FROM latest_verifications WHERE pact_version_id = $1 \
                                     ORDER BY provider_version_id DESC LIMIT $2",
                                    args![content, limit as i64],
                                )
                                .await?;
                                if verified.is_empty() {
                                    rows.push(Row {
                                        consumer: consumer.clone(),
                                        provider: provider_name.clone(),
                                        provider_version: None,
                                        pact_sha: sha.clone(),
                                        pact_created_at: published,
                                        verification: None,
                                        ignored: ignored(&provider_name, None),
                                    });
                                }
                                verified
                            }
                        };
                        for pvid in provider_versions {
                            let provider_version = versions.get(tx, pvid).await?;
                            let verification = verification_of(tx, content, pvid).await?;
                            rows.push(Row {
                                ignored: ignored(&provider_name, Some(&provider_version.number)),
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
                    let consumers = tx
                        .rows(
                            "SELECT i.consumer_id, p.name FROM integrations i JOIN pacticipants p ON p.id = i.consumer_id \
                             WHERE i.provider_id = $1 ORDER BY p.name",
                            args![*id],
                        )
                        .await?;
                    for consumer in consumers {
                        let (consumer_id, consumer_name) = (consumer.int(0), consumer.text(1));
                        if specified_ids.contains(&consumer_id) {
                            continue; // covered from the consumer's side
                        }
                        let consumer_versions = match &query.destination {
                            Some(destination) => at_destination(tx, consumer_id, destination).await?,
                            None => ids(
                                tx,
                                "SELECT l.consumer_version_id FROM latest_verifications lv \
                                 JOIN latest_pact_publications l ON l.pact_version_id = lv.pact_version_id \
                                 WHERE lv.provider_version_id = $1 AND l.consumer_id = $2 \
                                 ORDER BY l.consumer_version_id DESC LIMIT $3",
                                args![vid, consumer_id, limit as i64],
                            )
                            .await?,
                        };
                        for cvid in consumer_versions {
                            let Some((content, sha, published)) = contract_of(tx, cvid, *id).await? else {
                                let cv = versions.get(tx, cvid).await?;
                                notices.push((NoticeKind::Info, format!("{} has no contract with {name}: nothing to verify", label(&cv))));
                                continue;
                            };
                            let consumer_version = versions.get(tx, cvid).await?;
                            let verification = verification_of(tx, content, vid).await?;
                            rows.push(Row {
                                ignored: ignored(&consumer_name, Some(&consumer_version.number)),
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
            // Reasons, one per row, in row order.
            let (mut success, mut failed, mut unknown, mut ignored_count) = (0, 0, 0, 0);
            for row in &rows {
                let consumer = label(&row.consumer);
                let provider = row
                    .provider_version
                    .as_ref()
                    .map(label)
                    .unwrap_or_else(|| format!("{} (no version)", row.provider));
                if row.ignored {
                    ignored_count += 1;
                    notices.push((NoticeKind::Info, format!("Ignoring the result between {consumer} and {provider}, as asked")));
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
            })
        })
    }
}
