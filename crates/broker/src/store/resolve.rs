//! Version resolution: the one place where "version 1.2.0", "the latest", "the latest with a
//! tag", "a branch's head", "the main branch's head", "every version with a tag" and "currently
//! deployed in an environment" become version ids.
//!
//! A [`VersionRef`] is resolved [`Among`] the versions of one pacticipant (version resources,
//! the matrix) or among the consumer versions that published a contract for a provider (contract
//! lookups such as "the latest pact tagged prod", pacts for verification), where "latest" means
//! the latest of each consumer. Not here: what the versions are used for.

use std::fmt;

use super::{Result, Snapshot, StoreError};
use crate::db::{Arg, Tx, args};

/// Which versions a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionRef<'a> {
    /// The version with this number.
    Number(&'a str),
    /// The latest version.
    Latest,
    /// The latest version with a tag.
    LatestTagged(&'a str),
    /// The latest version on a branch (the branch's head).
    LatestOnBranch(&'a str),
    /// The latest version on the pacticipant's main branch.
    LatestOnMainBranch,
    /// Every version with a tag.
    Tagged(&'a str),
    /// Every version on a branch.
    OnBranch(&'a str),
    /// Every version.
    All,
    /// Every version currently deployed (to this environment, when one is named).
    Deployed(Option<&'a str>),
    /// Every version currently released and supported (in this environment, when named).
    Released(Option<&'a str>),
    /// Every version currently deployed or released and supported.
    DeployedOrReleased(Option<&'a str>),
}

/// For people: what the reference names, as a noun phrase ("latest version tagged `prod`"),
/// so a message can say "`app` has no latest version tagged `prod`".
impl fmt::Display for VersionRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = |f: &mut fmt::Formatter<'_>, what: &str, environment: &Option<&str>| {
            f.write_str(what)?;
            match environment {
                Some(name) => write!(f, " in environment `{name}`"),
                None => Ok(()),
            }
        };
        match self {
            VersionRef::Number(number) => write!(f, "version `{number}`"),
            VersionRef::Latest => f.write_str("latest version"),
            VersionRef::LatestTagged(tag) => write!(f, "latest version tagged `{tag}`"),
            VersionRef::LatestOnBranch(branch) => {
                write!(f, "latest version on branch `{branch}`")
            }
            VersionRef::LatestOnMainBranch => f.write_str("latest version on its main branch"),
            VersionRef::Tagged(tag) => write!(f, "version tagged `{tag}`"),
            VersionRef::OnBranch(branch) => write!(f, "version on branch `{branch}`"),
            VersionRef::All => f.write_str("version"),
            VersionRef::Deployed(environment) => {
                within(f, "version currently deployed", environment)
            }
            VersionRef::Released(environment) => {
                within(f, "version currently released and supported", environment)
            }
            VersionRef::DeployedOrReleased(environment) => within(
                f,
                "version currently deployed or released and supported",
                environment,
            ),
        }
    }
}

/// Among which versions a [`VersionRef`] is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Among {
    /// The versions of this pacticipant.
    VersionsOf(i64),
    /// The versions of this consumer (or of every consumer) that published a contract for this
    /// provider; "latest" is the latest of each consumer.
    PublishersFor {
        /// The provider's id.
        provider_id: i64,
        /// Only this consumer's versions.
        consumer_id: Option<i64>,
    },
}

/// A resolved version: the pacticipant it belongs to and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resolved {
    /// The pacticipant's id.
    pub pacticipant_id: i64,
    /// The version's id.
    pub version_id: i64,
}

/// The versions `which` names among `among`, newest first, at most `limit` of them.
pub(super) async fn resolve(
    tx: &mut Tx,
    among: Among,
    which: &VersionRef<'_>,
    limit: Option<usize>,
) -> Result<Vec<Resolved>> {
    let limit = limit.map_or(i64::MAX, |n| i64::try_from(n).unwrap_or(i64::MAX));
    let (sql, args) = match among {
        Among::VersionsOf(pacticipant_id) => match direct_lookup(pacticipant_id, which) {
            Some(found) => found,
            None => joined(
                "versions x",
                "x.id",
                "x.pacticipant_id",
                "x.pacticipant_id = $1".to_owned(),
                args![pacticipant_id],
                which,
                limit,
            ),
        },
        Among::PublishersFor {
            provider_id,
            consumer_id,
        } => {
            let (scope, args) = match consumer_id {
                Some(consumer_id) => (
                    "x.provider_id = $1 AND x.consumer_id = $2".to_owned(),
                    args![provider_id, consumer_id],
                ),
                None => ("x.provider_id = $1".to_owned(), args![provider_id]),
            };
            joined(
                "latest_pact_publications x",
                "x.consumer_version_id",
                "x.consumer_id",
                scope,
                args,
                which,
                limit,
            )
        }
    };
    Ok(tx
        .rows(&sql, args)
        .await?
        .iter()
        .filter_map(|row| {
            Some(Resolved {
                pacticipant_id: row.opt_int(0)?,
                version_id: row.opt_int(1)?,
            })
        })
        .collect())
}

/// The references one pacticipant answers by key: its head rows and its deployment records,
/// so the cost does not grow with its history.
fn direct_lookup(pacticipant_id: i64, which: &VersionRef<'_>) -> Option<(String, Vec<Arg>)> {
    let (sql, args) = match which {
        VersionRef::Number(number) => (
            "SELECT pacticipant_id, id FROM versions WHERE pacticipant_id = $1 AND number = $2"
                .to_owned(),
            args![pacticipant_id, *number],
        ),
        VersionRef::Latest => (
            "SELECT pacticipant_id, MAX(id) FROM versions WHERE pacticipant_id = $1 \
             GROUP BY pacticipant_id"
                .to_owned(),
            args![pacticipant_id],
        ),
        VersionRef::LatestTagged(tag) => (
            "SELECT pacticipant_id, version_id FROM tag_heads WHERE pacticipant_id = $1 \
             AND name = $2"
                .to_owned(),
            args![pacticipant_id, *tag],
        ),
        VersionRef::LatestOnBranch(branch) => (
            "SELECT b.pacticipant_id, h.version_id FROM branch_heads h \
             JOIN branches b ON b.id = h.branch_id WHERE b.pacticipant_id = $1 AND b.name = $2"
                .to_owned(),
            args![pacticipant_id, *branch],
        ),
        VersionRef::LatestOnMainBranch => (
            "SELECT b.pacticipant_id, h.version_id FROM branch_heads h \
             JOIN branches b ON b.id = h.branch_id \
             JOIN pacticipants p ON p.id = b.pacticipant_id AND p.main_branch = b.name \
             WHERE p.id = $1"
                .to_owned(),
            args![pacticipant_id],
        ),
        VersionRef::Deployed(environment)
        | VersionRef::Released(environment)
        | VersionRef::DeployedOrReleased(environment) => {
            let tables: &[(&str, &str)] = match which {
                VersionRef::Deployed(_) => &[DEPLOYED],
                VersionRef::Released(_) => &[RELEASED],
                _ => &[DEPLOYED, RELEASED],
            };
            let in_environment = if environment.is_some() {
                " AND environment_id = (SELECT id FROM environments WHERE name = $2)"
            } else {
                ""
            };
            let selects: Vec<String> = tables
                .iter()
                .map(|(table, current)| {
                    format!(
                        "SELECT DISTINCT pacticipant_id, version_id FROM {table} \
                         WHERE pacticipant_id = $1 AND {current}{in_environment}"
                    )
                })
                .collect();
            let mut args = args![pacticipant_id];
            args.extend(environment.map(Arg::from));
            (format!("{} ORDER BY 2 DESC", selects.join(" UNION ")), args)
        }
        VersionRef::Tagged(_) | VersionRef::OnBranch(_) | VersionRef::All => return None,
    };
    Some((sql, args))
}

/// The deployment records of versions running in an environment, and their "current" column.
const DEPLOYED: (&str, &str) = ("deployed_versions", "currently_deployed");
/// The release records of versions supported in an environment, and their "current" column.
const RELEASED: (&str, &str) = ("released_versions", "currently_supported");

/// A query over `from` (whose version id column is `version` and whose pacticipant column is
/// `owner`), kept to the rows `scope` allows and `which` names: the latest per owner, or every
/// match, newest first.
fn joined(
    from: &str,
    version: &str,
    owner: &str,
    scope: String,
    mut args: Vec<Arg>,
    which: &VersionRef<'_>,
    limit: i64,
) -> (String, Vec<Arg>) {
    let mut bind = |value: Arg| {
        args.push(value);
        format!("${}", args.len())
    };
    let branch_join = format!(
        "JOIN branch_versions bv ON bv.version_id = {version} JOIN branches b ON b.id = bv.branch_id"
    );
    // The versions current in the tables (in the environment, when one is named).
    let mut current = |tables: &[(&str, &str)], environment: Option<&str>| {
        let in_environment = match environment {
            Some(name) => format!(
                " AND environment_id = (SELECT id FROM environments WHERE name = {})",
                bind(name.into())
            ),
            None => String::new(),
        };
        let selects: Vec<String> = tables
            .iter()
            .map(|(table, current)| {
                format!("SELECT version_id FROM {table} WHERE {current}{in_environment}")
            })
            .collect();
        format!(
            "JOIN ({}) d ON d.version_id = {version}",
            selects.join(" UNION ")
        )
    };
    let (join, condition, latest) = match which {
        VersionRef::Number(number) => (
            format!("JOIN versions n ON n.id = {version}"),
            format!("n.number = {}", bind((*number).into())),
            false,
        ),
        VersionRef::Latest => (String::new(), String::new(), true),
        VersionRef::All => (String::new(), String::new(), false),
        VersionRef::LatestTagged(tag) | VersionRef::Tagged(tag) => (
            format!("JOIN tags t ON t.version_id = {version}"),
            format!("t.name = {}", bind((*tag).into())),
            matches!(which, VersionRef::LatestTagged(_)),
        ),
        VersionRef::LatestOnBranch(branch) | VersionRef::OnBranch(branch) => (
            branch_join.clone(),
            format!("b.name = {}", bind((*branch).into())),
            matches!(which, VersionRef::LatestOnBranch(_)),
        ),
        VersionRef::LatestOnMainBranch => (
            format!("{branch_join} JOIN pacticipants mp ON mp.id = b.pacticipant_id"),
            "b.name = mp.main_branch".to_owned(),
            true,
        ),
        VersionRef::Deployed(environment) => {
            (current(&[DEPLOYED], *environment), String::new(), false)
        }
        VersionRef::Released(environment) => {
            (current(&[RELEASED], *environment), String::new(), false)
        }
        VersionRef::DeployedOrReleased(environment) => (
            current(&[DEPLOYED, RELEASED], *environment),
            String::new(),
            false,
        ),
    };
    let condition = if condition.is_empty() {
        scope
    } else {
        format!("{scope} AND {condition}")
    };
    let limit = bind(limit.into());
    let sql = if latest {
        format!(
            "SELECT {owner}, MAX({version}) FROM {from} {join} WHERE {condition} \
             GROUP BY {owner} ORDER BY 2 DESC LIMIT {limit}"
        )
    } else {
        format!(
            "SELECT DISTINCT {owner}, {version} FROM {from} {join} WHERE {condition} \
             ORDER BY 2 DESC LIMIT {limit}"
        )
    };
    (sql, args)
}

/// The id of version `number` of the pacticipant named `pacticipant`.
pub(super) async fn find_version_id(
    tx: &mut Tx,
    pacticipant: &str,
    number: &str,
) -> Result<Option<i64>> {
    Ok(tx
        .int(
            "SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id \
             WHERE p.name = $1 AND v.number = $2",
            args![pacticipant, number],
        )
        .await?)
}

/// Like [`find_version_id`], with a missing version a not-found error.
pub(super) async fn require_version_id(
    tx: &mut Tx,
    pacticipant: &str,
    number: &str,
) -> Result<i64> {
    find_version_id(tx, pacticipant, number)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "no version `{number}` of pacticipant `{pacticipant}`"
            ))
        })
}

impl Snapshot {
    /// The versions `which` names among `among`, newest first, at most `limit` of them.
    pub(crate) async fn resolve(
        &mut self,
        among: Among,
        which: &VersionRef<'_>,
        limit: Option<usize>,
    ) -> Result<Vec<Resolved>> {
        resolve(&mut self.tx, among, which, limit).await
    }
}
