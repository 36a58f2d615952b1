//! What the broker stores, as operations: every public function is one transaction.
//!
//! Writes go through [`Db::write`], so a publication, a version with its branch and tags, a
//! deployment and the head rows they move are committed together or not at all, and retried as
//! a whole when a concurrent writer got in first. The head tables (`branch_heads`, `tag_heads`,
//! `latest_pact_publications`, `latest_verifications`) only ever move to a higher id, so
//! concurrent writers agree on them whatever order they commit in.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::db::{AsTransient, Db, DbError, Row, Tx, args, read_tx, write_tx};
use pactum_core::contract::Pact;

/// Why a broker operation failed; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed (500).
    #[error(transparent)]
    Db(#[from] DbError),
    /// Something named in the request does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with what is stored (409).
    #[error("{0}")]
    Conflict(String),
    /// The request is invalid: field → messages (400).
    #[error("invalid request")]
    Invalid(Vec<(String, String)>),
}

impl AsTransient for StoreError {
    fn is_transient(&self) -> bool {
        matches!(self, StoreError::Db(error) if error.is_transient())
    }
}

impl StoreError {
    /// A validation error on one field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid(vec![(field.into(), message.into())])
    }
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Microseconds since the Unix epoch, the broker's timestamp unit.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

/// A stored timestamp as RFC 3339 text.
pub fn rfc3339(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| t.round(jiff::Unit::Millisecond).unwrap_or(t).to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Pacticipants

/// A pacticipant (an application that takes part in contracts).
#[derive(Debug, Clone)]
pub struct Pacticipant {
    /// Row id.
    pub id: i64,
    /// The name, unique and case-sensitive.
    pub name: String,
    /// A human-friendly name.
    pub display_name: Option<String>,
    /// The branch releases are made from.
    pub main_branch: Option<String>,
    /// Where its source lives.
    pub repository_url: Option<String>,
    /// Repository name.
    pub repository_name: Option<String>,
    /// Repository namespace (organisation).
    pub repository_namespace: Option<String>,
    /// When it was created.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

const PACTICIPANT_COLUMNS: &str = "id, name, display_name, main_branch, repository_url, \
     repository_name, repository_namespace, created_at, updated_at";

fn pacticipant(row: &Row) -> Pacticipant {
    Pacticipant {
        id: row.int(0),
        name: row.text(1),
        display_name: row.opt_text(2),
        main_branch: row.opt_text(3),
        repository_url: row.opt_text(4),
        repository_name: row.opt_text(5),
        repository_namespace: row.opt_text(6),
        created_at: row.int(7),
        updated_at: row.int(8),
    }
}

/// The writable properties of a pacticipant; `None` leaves a property as it is (PATCH) or
/// clears it (PUT).
#[derive(Debug, Clone, Default)]
pub struct PacticipantFields {
    /// See [`Pacticipant::display_name`].
    pub display_name: Option<String>,
    /// See [`Pacticipant::main_branch`].
    pub main_branch: Option<String>,
    /// See [`Pacticipant::repository_url`].
    pub repository_url: Option<String>,
    /// See [`Pacticipant::repository_name`].
    pub repository_name: Option<String>,
    /// See [`Pacticipant::repository_namespace`].
    pub repository_namespace: Option<String>,
}

async fn find_pacticipant(tx: &mut Tx, name: &str) -> Result<Option<Pacticipant>> {
    let sql = format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants WHERE name = $1");
    Ok(tx
        .row(&sql, args![name])
        .await?
        .map(|row| pacticipant(&row)))
}

async fn require_pacticipant(tx: &mut Tx, name: &str) -> Result<Pacticipant> {
    find_pacticipant(tx, name)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no pacticipant named `{name}`")))
}

/// The id of the row `select` finds, inserted by `insert` (an `INSERT … ON CONFLICT DO NOTHING
/// RETURNING id`) when missing, and whether it was inserted. It tries the likelier statement
/// first, so the common case is one statement; a concurrent insert between the two is found by
/// the final select.
async fn find_or_insert(
    tx: &mut Tx,
    select: &str,
    select_args: Vec<super::db::Arg>,
    insert: &str,
    insert_args: Vec<super::db::Arg>,
    likely_new: bool,
) -> Result<(i64, bool)> {
    if !likely_new && let Some(id) = tx.int(select, select_args.clone()).await? {
        return Ok((id, false));
    }
    if let Some(id) = tx.int(insert, insert_args).await? {
        return Ok((id, true));
    }
    let id = tx
        .int(select, select_args)
        .await?
        .expect("the row exists: the insert found it there");
    Ok((id, false))
}

/// The id of pacticipant `name`, created when missing.
async fn ensure_pacticipant(tx: &mut Tx, name: &str) -> Result<i64> {
    let (id, _) = find_or_insert(
        tx,
        "SELECT id FROM pacticipants WHERE name = $1",
        args![name],
        "INSERT INTO pacticipants (name, created_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (name) DO NOTHING RETURNING id",
        args![name, now()],
        false,
    )
    .await?;
    Ok(id)
}

impl Store {
    /// The pacticipant named `name`.
    pub async fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>> {
        read_tx!(self.db, tx => find_pacticipant(tx, name).await)
    }

    /// Every pacticipant, by name.
    pub async fn pacticipants(&self) -> Result<Vec<Pacticipant>> {
        let sql = format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants ORDER BY name");
        read_tx!(self.db, tx => Ok(tx.rows(&sql, args![]).await?.iter().map(pacticipant).collect()))
    }

    /// Creates pacticipant `name`; a conflict when it exists.
    pub async fn create_pacticipant(
        &self,
        name: &str,
        fields: &PacticipantFields,
    ) -> Result<Pacticipant> {
        write_tx!(self.db, tx => {
            if find_pacticipant(tx, name).await?.is_some() {
                return Err(StoreError::Conflict(format!(
                    "a pacticipant named `{name}` already exists"
                )));
            }
            let now = now();
            tx.execute(
                "INSERT INTO pacticipants (name, display_name, main_branch, repository_url, \
                 repository_name, repository_namespace, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                args![
                    name,
                    &fields.display_name,
                    &fields.main_branch,
                    &fields.repository_url,
                    &fields.repository_name,
                    &fields.repository_namespace,
                    now
                ],
            )
            .await?;
            require_pacticipant(tx, name).await
        })
    }

    /// Updates pacticipant `name`: with `replace`, every property takes the given value (PUT);
    /// otherwise only the given ones (PATCH). Creates it when `create` is set and it is missing.
    /// Returns the pacticipant and whether it was created.
    pub async fn update_pacticipant(
        &self,
        name: &str,
        fields: &PacticipantFields,
        replace: bool,
        create: bool,
    ) -> Result<(Pacticipant, bool)> {
        write_tx!(self.db, tx => {
            let created = match find_pacticipant(tx, name).await? {
                Some(_) => false,
                None if create => {
                    ensure_pacticipant(tx, name).await?;
                    true
                }
                None => {
                    return Err(StoreError::NotFound(format!(
                        "no pacticipant named `{name}`"
                    )));
                }
            };
            let sql = if replace {
                "UPDATE pacticipants SET display_name = $2, main_branch = $3, \
                 repository_url = $4, repository_name = $5, repository_namespace = $6, \
                 updated_at = $7 WHERE name = $1"
            } else {
                "UPDATE pacticipants SET display_name = COALESCE($2, display_name), \
                 main_branch = COALESCE($3, main_branch), \
                 repository_url = COALESCE($4, repository_url), \
                 repository_name = COALESCE($5, repository_name), \
                 repository_namespace = COALESCE($6, repository_namespace), \
                 updated_at = $7 WHERE name = $1"
            };
            tx.execute(
                sql,
                args![
                    name,
                    &fields.display_name,
                    &fields.main_branch,
                    &fields.repository_url,
                    &fields.repository_name,
                    &fields.repository_namespace,
                    now()
                ],
            )
            .await?;
            Ok((require_pacticipant(tx, name).await?, created))
        })
    }

    /// Deletes pacticipant `name` with its versions, contracts and verifications.
    pub async fn delete_pacticipant(&self, name: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let gone = tx
                .execute("DELETE FROM pacticipants WHERE name = $1", args![name])
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!("no pacticipant named `{name}`")));
            }
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Versions, branches, tags

/// A version of a pacticipant.
#[derive(Debug, Clone)]
pub struct Version {
    /// Row id; ids grow with creation, which is the version order.
    pub id: i64,
    /// The pacticipant's name.
    pub pacticipant: String,
    /// The version number (often a commit SHA).
    pub number: String,
    /// The CI build that made it.
    pub build_url: Option<String>,
    /// When it was created.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// Its branches, each with whether this version is the branch's latest.
    pub branches: Vec<(String, bool)>,
    /// Its tags, each with whether this version is the latest with that tag.
    pub tags: Vec<(String, bool)>,
}

pub(crate) async fn load_version(tx: &mut Tx, version_id: i64) -> Result<Version> {
    let row = tx
        .row(
            "SELECT v.id, p.name, v.number, v.build_url, v.created_at, v.updated_at \
             FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id WHERE v.id = $1",
            args![version_id],
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no version with id {version_id}")))?;
    let branches = tx
        .rows(
            "SELECT b.name, CASE WHEN h.version_id = bv.version_id THEN TRUE ELSE FALSE END \
             FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id \
             LEFT JOIN branch_heads h ON h.branch_id = b.id \
             WHERE bv.version_id = $1 ORDER BY bv.created_at, b.name",
            args![version_id],
        )
        .await?
        .iter()
        .map(|row| (row.text(0), row.bool(1)))
        .collect();
    let tags = tx
        .rows(
            "SELECT t.name, CASE WHEN h.version_id = t.version_id THEN TRUE ELSE FALSE END \
             FROM tags t JOIN versions v ON v.id = t.version_id \
             LEFT JOIN tag_heads h ON h.pacticipant_id = v.pacticipant_id AND h.name = t.name \
             WHERE t.version_id = $1 ORDER BY t.created_at, t.name",
            args![version_id],
        )
        .await?
        .iter()
        .map(|row| (row.text(0), row.bool(1)))
        .collect();
    Ok(Version {
        id: row.int(0),
        pacticipant: row.text(1),
        number: row.text(2),
        build_url: row.opt_text(3),
        created_at: row.int(4),
        updated_at: row.int(5),
        branches,
        tags,
    })
}

async fn find_version_id(tx: &mut Tx, pacticipant: &str, number: &str) -> Result<Option<i64>> {
    Ok(tx
        .int(
            "SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id \
             WHERE p.name = $1 AND v.number = $2",
            args![pacticipant, number],
        )
        .await?)
}

async fn require_version_id(tx: &mut Tx, pacticipant: &str, number: &str) -> Result<i64> {
    find_version_id(tx, pacticipant, number)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(format!(
                "no version `{number}` of pacticipant `{pacticipant}`"
            ))
        })
}

/// The id of version `number` of pacticipant `pacticipant_id`, and whether it was created.
async fn ensure_version(tx: &mut Tx, pacticipant_id: i64, number: &str) -> Result<(i64, bool)> {
    find_or_insert(
        tx,
        "SELECT id FROM versions WHERE pacticipant_id = $1 AND number = $2",
        args![pacticipant_id, number],
        "INSERT INTO versions (pacticipant_id, number, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (pacticipant_id, number) DO NOTHING RETURNING id",
        args![pacticipant_id, number, now()],
        true,
    )
    .await
}

/// Branch names taken as the main branch of a pacticipant that has none.
const MAIN_BRANCH_CANDIDATES: &[&str] = &["develop", "main", "master"];

/// Puts version `version_id` on branch `name`; returns whether it was not on it before.
async fn add_to_branch(
    tx: &mut Tx,
    pacticipant_id: i64,
    version_id: i64,
    name: &str,
) -> Result<bool> {
    let now = now();
    let (branch_id, new_branch) = find_or_insert(
        tx,
        "SELECT id FROM branches WHERE pacticipant_id = $1 AND name = $2",
        args![pacticipant_id, name],
        "INSERT INTO branches (pacticipant_id, name, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (pacticipant_id, name) DO NOTHING RETURNING id",
        args![pacticipant_id, name, now],
        false,
    )
    .await?;
    let added = tx
        .execute(
            "INSERT INTO branch_versions (branch_id, version_id, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (branch_id, version_id) DO NOTHING",
            args![branch_id, version_id, now],
        )
        .await?
        == 1;
    tx.execute(
        "INSERT INTO branch_heads (branch_id, version_id) VALUES ($1, $2) \
         ON CONFLICT (branch_id) DO UPDATE SET version_id = excluded.version_id \
         WHERE excluded.version_id > branch_heads.version_id",
        args![branch_id, version_id],
    )
    .await?;
    // As the Pact Broker does: a pacticipant without a main branch gets the first of these
    // conventional names it uses (checked when the branch appears, not on every version).
    if new_branch && MAIN_BRANCH_CANDIDATES.contains(&name) {
        tx.execute(
            "UPDATE pacticipants SET main_branch = $2 WHERE id = $1 AND main_branch IS NULL",
            args![pacticipant_id, name],
        )
        .await?;
    }
    Ok(added)
}

/// Tags version `version_id` with `name`; returns whether the tag is new.
async fn add_tag(tx: &mut Tx, pacticipant_id: i64, version_id: i64, name: &str) -> Result<bool> {
    let added = tx
        .execute(
            "INSERT INTO tags (version_id, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (version_id, name) DO NOTHING",
            args![version_id, name, now()],
        )
        .await?
        == 1;
    tx.execute(
        "INSERT INTO tag_heads (pacticipant_id, name, version_id) VALUES ($1, $2, $3) \
         ON CONFLICT (pacticipant_id, name) DO UPDATE SET version_id = excluded.version_id \
         WHERE excluded.version_id > tag_heads.version_id",
        args![pacticipant_id, name, version_id],
    )
    .await?;
    Ok(added)
}

/// Recomputes the head rows of a pacticipant's branches and tags after versions were removed.
async fn repair_heads(tx: &mut Tx, pacticipant_id: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO branch_heads (branch_id, version_id) \
         SELECT bv.branch_id, MAX(bv.version_id) FROM branch_versions bv \
         JOIN branches b ON b.id = bv.branch_id WHERE b.pacticipant_id = $1 \
         GROUP BY bv.branch_id \
         ON CONFLICT (branch_id) DO UPDATE SET version_id = excluded.version_id",
        args![pacticipant_id],
    )
    .await?;
    tx.execute(
        "INSERT INTO tag_heads (pacticipant_id, name, version_id) \
         SELECT v.pacticipant_id, t.name, MAX(t.version_id) FROM tags t \
         JOIN versions v ON v.id = t.version_id WHERE v.pacticipant_id = $1 \
         GROUP BY v.pacticipant_id, t.name \
         ON CONFLICT (pacticipant_id, name) DO UPDATE SET version_id = excluded.version_id",
        args![pacticipant_id],
    )
    .await?;
    Ok(())
}

/// Which version of a pacticipant a request names.
#[derive(Debug, Clone)]
pub enum VersionRef<'a> {
    /// By number.
    Number(&'a str),
    /// The latest.
    Latest,
    /// The latest with a tag.
    LatestTagged(&'a str),
}

async fn resolve_version(
    tx: &mut Tx,
    pacticipant: &str,
    which: &VersionRef<'_>,
) -> Result<Option<i64>> {
    Ok(match which {
        VersionRef::Number(number) => find_version_id(tx, pacticipant, number).await?,
        VersionRef::Latest => {
            tx.int(
                "SELECT MAX(v.id) FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id \
                 WHERE p.name = $1",
                args![pacticipant],
            )
            .await?
        }
        VersionRef::LatestTagged(tag) => {
            tx.int(
                "SELECT h.version_id FROM tag_heads h JOIN pacticipants p ON p.id = h.pacticipant_id \
                 WHERE p.name = $1 AND h.name = $2",
                args![pacticipant, *tag],
            )
            .await?
        }
    })
}

/// A branch of a pacticipant.
#[derive(Debug, Clone)]
pub struct Branch {
    /// The pacticipant.
    pub pacticipant: String,
    /// The branch name.
    pub name: String,
    /// When it was created.
    pub created_at: i64,
    /// Its latest version number.
    pub latest_version: Option<String>,
}

/// A tag on a version.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The pacticipant.
    pub pacticipant: String,
    /// The version number.
    pub version: String,
    /// The tag.
    pub name: String,
    /// When it was applied.
    pub created_at: i64,
}

impl Store {
    /// The version a reference names, with its branches and tags.
    pub async fn version(
        &self,
        pacticipant: &str,
        which: VersionRef<'_>,
    ) -> Result<Option<Version>> {
        read_tx!(self.db, tx => match resolve_version(tx, pacticipant, &which).await? {
            Some(id) => Ok(Some(load_version(tx, id).await?)),
            None => Ok(None),
        })
    }

    /// Every version of a pacticipant, newest first.
    pub async fn versions(&self, pacticipant: &str) -> Result<Vec<Version>> {
        read_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            let ids: Vec<i64> = tx
                .rows(
                    "SELECT id FROM versions WHERE pacticipant_id = $1 ORDER BY id DESC",
                    args![p.id],
                )
                .await?
                .iter()
                .map(|row| row.int(0))
                .collect();
            let mut versions = Vec::with_capacity(ids.len());
            for id in ids {
                versions.push(load_version(tx, id).await?);
            }
            Ok(versions)
        })
    }

    /// Creates (or updates the build URL of) a version, creating the pacticipant when missing.
    /// Returns the version and whether it was created.
    pub async fn put_version(
        &self,
        pacticipant: &str,
        number: &str,
        build_url: Option<&str>,
        branch: Option<&str>,
        tags: &[String],
    ) -> Result<(Version, bool)> {
        write_tx!(self.db, tx => {
            let pacticipant_id = ensure_pacticipant(tx, pacticipant).await?;
            let (version_id, created) = ensure_version(tx, pacticipant_id, number).await?;
            if let Some(build_url) = build_url {
                tx.execute(
                    "UPDATE versions SET build_url = $2, updated_at = $3 WHERE id = $1",
                    args![version_id, build_url, now()],
                )
                .await?;
            }
            if let Some(branch) = branch {
                add_to_branch(tx, pacticipant_id, version_id, branch).await?;
            }
            for tag in tags {
                add_tag(tx, pacticipant_id, version_id, tag).await?;
            }
            Ok((load_version(tx, version_id).await?, created))
        })
    }

    /// Deletes a version with its tags, branch memberships, contracts, verifications and
    /// deployments.
    pub async fn delete_version(&self, pacticipant: &str, number: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            let version_id = require_version_id(tx, pacticipant, number).await?;
            tx.execute("DELETE FROM versions WHERE id = $1", args![version_id])
                .await?;
            repair_heads(tx, p.id).await
        })
    }

    /// Puts a version on a branch, creating the pacticipant, version and branch when missing.
    /// Returns the version and whether the branch membership is new.
    pub async fn put_branch_version(
        &self,
        pacticipant: &str,
        branch: &str,
        number: &str,
    ) -> Result<(Version, bool)> {
        write_tx!(self.db, tx => {
            let pacticipant_id = ensure_pacticipant(tx, pacticipant).await?;
            let (version_id, _) = ensure_version(tx, pacticipant_id, number).await?;
            let added = add_to_branch(tx, pacticipant_id, version_id, branch).await?;
            Ok((load_version(tx, version_id).await?, added))
        })
    }

    /// A branch with its latest version.
    pub async fn branch(&self, pacticipant: &str, name: &str) -> Result<Option<Branch>> {
        Ok(self.find_branches(pacticipant, Some(name)).await?.pop())
    }

    /// Every branch of a pacticipant, newest first.
    pub async fn branches(&self, pacticipant: &str) -> Result<Vec<Branch>> {
        self.find_branches(pacticipant, None).await
    }

    async fn find_branches(&self, pacticipant: &str, name: Option<&str>) -> Result<Vec<Branch>> {
        read_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            let rows = tx
                .rows(
                    "SELECT b.name, b.created_at, v.number FROM branches b \
                     LEFT JOIN branch_heads h ON h.branch_id = b.id \
                     LEFT JOIN versions v ON v.id = h.version_id \
                     WHERE b.pacticipant_id = $1 AND ($2 IS NULL OR b.name = $2) \
                     ORDER BY b.id DESC",
                    args![p.id, name],
                )
                .await?;
            Ok(rows
                .iter()
                .map(|row| Branch {
                    pacticipant: pacticipant.to_owned(),
                    name: row.text(0),
                    created_at: row.int(1),
                    latest_version: row.opt_text(2),
                })
                .collect())
        })
    }

    /// Deletes a branch (its versions stay).
    pub async fn delete_branch(&self, pacticipant: &str, name: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            let gone = tx
                .execute(
                    "DELETE FROM branches WHERE pacticipant_id = $1 AND name = $2",
                    args![p.id, name],
                )
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!(
                    "pacticipant `{pacticipant}` has no branch `{name}`"
                )));
            }
            Ok(())
        })
    }

    /// Tags a version, creating the pacticipant and version when missing. Returns the tag and
    /// whether it is new.
    pub async fn put_tag(
        &self,
        pacticipant: &str,
        number: &str,
        name: &str,
    ) -> Result<(Tag, bool)> {
        write_tx!(self.db, tx => {
            let pacticipant_id = ensure_pacticipant(tx, pacticipant).await?;
            let (version_id, _) = ensure_version(tx, pacticipant_id, number).await?;
            let added = add_tag(tx, pacticipant_id, version_id, name).await?;
            let created_at = tx
                .int(
                    "SELECT created_at FROM tags WHERE version_id = $1 AND name = $2",
                    args![version_id, name],
                )
                .await?
                .unwrap_or_else(now);
            Ok((
                Tag {
                    pacticipant: pacticipant.to_owned(),
                    version: number.to_owned(),
                    name: name.to_owned(),
                    created_at,
                },
                added,
            ))
        })
    }

    /// A tag on a version.
    pub async fn tag(&self, pacticipant: &str, number: &str, name: &str) -> Result<Option<Tag>> {
        read_tx!(self.db, tx => {
            let Some(version_id) = find_version_id(tx, pacticipant, number).await? else {
                return Ok(None);
            };
            Ok(tx
                .int(
                    "SELECT created_at FROM tags WHERE version_id = $1 AND name = $2",
                    args![version_id, name],
                )
                .await?
                .map(|created_at| Tag {
                    pacticipant: pacticipant.to_owned(),
                    version: number.to_owned(),
                    name: name.to_owned(),
                    created_at,
                }))
        })
    }

    /// Removes a tag from a version.
    pub async fn delete_tag(&self, pacticipant: &str, number: &str, name: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            let version_id = require_version_id(tx, pacticipant, number).await?;
            let gone = tx
                .execute(
                    "DELETE FROM tags WHERE version_id = $1 AND name = $2",
                    args![version_id, name],
                )
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!(
                    "version `{number}` of `{pacticipant}` has no tag `{name}`"
                )));
            }
            tx.execute(
                "DELETE FROM tag_heads WHERE pacticipant_id = $1 AND name = $2",
                args![p.id, name],
            )
            .await?;
            repair_heads(tx, p.id).await
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Environments, deployments, releases

/// An environment versions are deployed or released to.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Row id.
    pub id: i64,
    /// Its public identifier.
    pub uuid: String,
    /// Unique name, no spaces.
    pub name: String,
    /// Human-friendly name.
    pub display_name: Option<String>,
    /// Whether this is a production environment.
    pub production: bool,
    /// Contacts, as given.
    pub contacts: Option<Value>,
    /// When it was created.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
}

const ENVIRONMENT_COLUMNS: &str =
    "id, uuid, name, display_name, production, contacts, created_at, updated_at";

fn environment(row: &Row) -> Environment {
    Environment {
        id: row.int(0),
        uuid: row.text(1),
        name: row.text(2),
        display_name: row.opt_text(3),
        production: row.bool(4),
        contacts: row
            .opt_text(5)
            .and_then(|text| serde_json::from_str(&text).ok()),
        created_at: row.int(6),
        updated_at: row.int(7),
    }
}

/// The writable properties of an environment.
#[derive(Debug, Clone)]
pub struct EnvironmentFields {
    /// See [`Environment::name`].
    pub name: String,
    /// See [`Environment::display_name`].
    pub display_name: Option<String>,
    /// See [`Environment::production`].
    pub production: bool,
    /// See [`Environment::contacts`].
    pub contacts: Option<Value>,
}

async fn find_environment(tx: &mut Tx, uuid: &str) -> Result<Option<Environment>> {
    let sql = format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE uuid = $1");
    Ok(tx
        .row(&sql, args![uuid])
        .await?
        .map(|row| environment(&row)))
}

async fn require_environment(tx: &mut Tx, uuid: &str) -> Result<Environment> {
    find_environment(tx, uuid)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no environment with uuid `{uuid}`")))
}

/// A version deployed to an environment.
#[derive(Debug, Clone)]
pub struct Deployment {
    /// Its public identifier.
    pub uuid: String,
    /// The pacticipant.
    pub pacticipant: String,
    /// The version deployed.
    pub version: Version,
    /// Where.
    pub environment: Environment,
    /// Which instance of the application, when several run at once.
    pub application_instance: Option<String>,
    /// Whether it is still deployed (for a release: still supported).
    pub current: bool,
    /// When it was recorded.
    pub created_at: i64,
    /// When it was undeployed (for a release: support ended).
    pub ended_at: Option<i64>,
}

/// Deployments (versions running in an environment) or releases (versions supported there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentKind {
    /// `deployed_versions`: a new deployment replaces the previous one of the same instance.
    Deployed,
    /// `released_versions`: many can be supported at once.
    Released,
}

impl DeploymentKind {
    fn select(self) -> &'static str {
        match self {
            DeploymentKind::Deployed => {
                "SELECT d.uuid, p.name, d.version_id, d.environment_id, d.application_instance, \
                 d.currently_deployed, d.created_at, d.undeployed_at \
                 FROM deployed_versions d JOIN pacticipants p ON p.id = d.pacticipant_id"
            }
            DeploymentKind::Released => {
                "SELECT d.uuid, p.name, d.version_id, d.environment_id, '', \
                 d.currently_supported, d.created_at, d.support_ended_at \
                 FROM released_versions d JOIN pacticipants p ON p.id = d.pacticipant_id"
            }
        }
    }
}

async fn load_deployments(tx: &mut Tx, rows: Vec<Row>) -> Result<Vec<Deployment>> {
    let mut deployments = Vec::with_capacity(rows.len());
    for row in rows {
        let version = load_version(tx, row.int(2)).await?;
        let sql = format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE id = $1");
        let env = tx
            .row(&sql, args![row.int(3)])
            .await?
            .map(|row| environment(&row))
            .ok_or_else(|| {
                StoreError::NotFound("the deployment's environment was deleted".into())
            })?;
        let instance = row.text(4);
        deployments.push(Deployment {
            uuid: row.text(0),
            pacticipant: row.text(1),
            version,
            environment: env,
            application_instance: (!instance.is_empty()).then_some(instance),
            current: row.bool(5),
            created_at: row.int(6),
            ended_at: row.opt_int(7),
        });
    }
    Ok(deployments)
}

impl Store {
    /// Every environment (or the one named `name`), by name.
    pub async fn environments(&self, name: Option<&str>) -> Result<Vec<Environment>> {
        let sql = format!(
            "SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE ($1 IS NULL OR name = $1) \
             ORDER BY name"
        );
        read_tx!(self.db, tx => Ok(tx.rows(&sql, args![name]).await?.iter().map(environment).collect()))
    }

    /// The environment with this uuid.
    pub async fn environment(&self, uuid: &str) -> Result<Option<Environment>> {
        read_tx!(self.db, tx => find_environment(tx, uuid).await)
    }

    /// Creates an environment; a conflict when the name is taken.
    pub async fn create_environment(&self, fields: &EnvironmentFields) -> Result<Environment> {
        let uuid = uuid::Uuid::new_v4().to_string();
        write_tx!(self.db, tx => {
            let taken = tx
                .int("SELECT id FROM environments WHERE name = $1", args![&fields.name])
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!(
                    "an environment named `{}` already exists",
                    fields.name
                )));
            }
            let now = now();
            tx.execute(
                "INSERT INTO environments (uuid, name, display_name, production, contacts, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                args![
                    &uuid,
                    &fields.name,
                    &fields.display_name,
                    fields.production,
                    fields.contacts.as_ref().map(Value::to_string),
                    now
                ],
            )
            .await?;
            require_environment(tx, &uuid).await
        })
    }

    /// Replaces an environment's properties.
    pub async fn update_environment(
        &self,
        uuid: &str,
        fields: &EnvironmentFields,
    ) -> Result<Environment> {
        write_tx!(self.db, tx => {
            let env = require_environment(tx, uuid).await?;
            let taken = tx
                .int("SELECT id FROM environments WHERE name = $1", args![&fields.name])
                .await?;
            if taken.is_some_and(|id| id != env.id) {
                return Err(StoreError::Conflict(format!(
                    "an environment named `{}` already exists",
                    fields.name
                )));
            }
            tx.execute(
                "UPDATE environments SET name = $2, display_name = $3, production = $4, \
                 contacts = $5, updated_at = $6 WHERE uuid = $1",
                args![
                    uuid,
                    &fields.name,
                    &fields.display_name,
                    fields.production,
                    fields.contacts.as_ref().map(Value::to_string),
                    now()
                ],
            )
            .await?;
            require_environment(tx, uuid).await
        })
    }

    /// Deletes an environment and the deployments and releases recorded in it.
    pub async fn delete_environment(&self, uuid: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let gone = tx
                .execute("DELETE FROM environments WHERE uuid = $1", args![uuid])
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!("no environment with uuid `{uuid}`")));
            }
            Ok(())
        })
    }

    /// Records that a version was deployed (or released) to an environment. A deployment
    /// replaces the current one of the same pacticipant and application instance; recording
    /// the current deployment again returns it unchanged. Returns the record and whether it is
    /// new.
    pub async fn record_deployment(
        &self,
        kind: DeploymentKind,
        pacticipant: &str,
        number: &str,
        environment_uuid: &str,
        application_instance: Option<&str>,
    ) -> Result<(Deployment, bool)> {
        let fresh_uuid = uuid::Uuid::new_v4().to_string();
        let instance = application_instance.unwrap_or("");
        write_tx!(self.db, tx => {
            let p = require_pacticipant(tx, pacticipant).await?;
            let version_id = require_version_id(tx, pacticipant, number).await?;
            let env = require_environment(tx, environment_uuid).await?;
            let now = now();
            let (uuid, created) = match kind {
                DeploymentKind::Deployed => {
                    let current = tx
                        .row(
                            &format!(
                                "SELECT uuid, version_id FROM deployed_versions \
                                 WHERE pacticipant_id = $1 AND environment_id = $2 \
                                 AND application_instance = $3 AND currently_deployed{}",
                                tx.for_update()
                            ),
                            args![p.id, env.id, instance],
                        )
                        .await?;
                    match current {
                        Some(row) if row.int(1) == version_id => (row.text(0), false),
                        _ => {
                            tx.execute(
                                "UPDATE deployed_versions SET currently_deployed = FALSE, \
                                 undeployed_at = $4 WHERE pacticipant_id = $1 \
                                 AND environment_id = $2 AND application_instance = $3 \
                                 AND currently_deployed",
                                args![p.id, env.id, instance, now],
                            )
                            .await?;
                            tx.execute(
                                "INSERT INTO deployed_versions (uuid, version_id, \
                                 pacticipant_id, environment_id, application_instance, \
                                 currently_deployed, created_at) \
                                 VALUES ($1, $2, $3, $4, $5, TRUE, $6)",
                                args![&fresh_uuid, version_id, p.id, env.id, instance, now],
                            )
                            .await?;
                            (fresh_uuid.clone(), true)
                        }
                    }
                }
                DeploymentKind::Released => {
                    let created = tx
                        .execute(
                            "INSERT INTO released_versions (uuid, version_id, pacticipant_id, \
                             environment_id, currently_supported, created_at) \
                             VALUES ($1, $2, $3, $4, TRUE, $5) \
                             ON CONFLICT (version_id, environment_id) DO NOTHING",
                            args![&fresh_uuid, version_id, p.id, env.id, now],
                        )
                        .await?
                        == 1;
                    if !created {
                        tx.execute(
                            "UPDATE released_versions SET currently_supported = TRUE, \
                             support_ended_at = NULL WHERE version_id = $1 AND environment_id = $2",
                            args![version_id, env.id],
                        )
                        .await?;
                    }
                    let uuid = tx
                        .row(
                            "SELECT uuid FROM released_versions WHERE version_id = $1 \
                             AND environment_id = $2",
                            args![version_id, env.id],
                        )
                        .await?
                        .expect("release row exists after insert")
                        .text(0);
                    (uuid, created)
                }
            };
            let deployment = self::deployment(tx, kind, &uuid).await?;
            Ok((deployment.expect("recorded deployment exists"), created))
        })
    }

    /// The deployment (or release) with this uuid.
    pub async fn deployment(&self, kind: DeploymentKind, uuid: &str) -> Result<Option<Deployment>> {
        read_tx!(self.db, tx => deployment(tx, kind, uuid).await)
    }

    /// The current deployments (or supported releases) in an environment, optionally of one
    /// pacticipant, version or application instance.
    pub async fn current_deployments(
        &self,
        kind: DeploymentKind,
        environment_uuid: &str,
        pacticipant: Option<&str>,
        version: Option<&str>,
        application_instance: Option<&str>,
    ) -> Result<Vec<Deployment>> {
        let current = match kind {
            DeploymentKind::Deployed => "d.currently_deployed",
            DeploymentKind::Released => "d.currently_supported",
        };
        let sql = format!(
            "{} JOIN versions v ON v.id = d.version_id \
             WHERE d.environment_id = $1 AND {current} AND ($2 IS NULL OR p.name = $2) \
             AND ($3 IS NULL OR v.number = $3) ORDER BY d.id",
            kind.select()
        );
        read_tx!(self.db, tx => {
            let env = require_environment(tx, environment_uuid).await?;
            let rows = tx.rows(&sql, args![env.id, pacticipant, version]).await?;
            let mut found = load_deployments(tx, rows).await?;
            if let Some(instance) = application_instance {
                found.retain(|d| d.application_instance.as_deref() == Some(instance));
            }
            Ok(found)
        })
    }

    /// Marks a deployment undeployed (or a release unsupported). Ending one that has ended
    /// already changes nothing.
    pub async fn end_deployment(&self, kind: DeploymentKind, uuid: &str) -> Result<Deployment> {
        let sql = match kind {
            DeploymentKind::Deployed => {
                "UPDATE deployed_versions SET currently_deployed = FALSE, undeployed_at = $2 \
                 WHERE uuid = $1 AND currently_deployed"
            }
            DeploymentKind::Released => {
                "UPDATE released_versions SET currently_supported = FALSE, support_ended_at = $2 \
                 WHERE uuid = $1 AND currently_supported"
            }
        };
        write_tx!(self.db, tx => {
            tx.execute(sql, args![uuid, now()]).await?;
            deployment(tx, kind, uuid).await?.ok_or_else(|| {
                StoreError::NotFound(format!("no {} version with uuid `{uuid}`", kind.noun()))
            })
        })
    }

    /// Every deployment (or release) of one version.
    pub async fn deployments_of_version(
        &self,
        kind: DeploymentKind,
        version_id: i64,
    ) -> Result<Vec<Deployment>> {
        let sql = format!("{} WHERE d.version_id = $1 ORDER BY d.id", kind.select());
        read_tx!(self.db, tx => {
            let rows = tx.rows(&sql, args![version_id]).await?;
            load_deployments(tx, rows).await
        })
    }
}

impl DeploymentKind {
    /// "deployed" or "released".
    pub fn noun(self) -> &'static str {
        match self {
            DeploymentKind::Deployed => "deployed",
            DeploymentKind::Released => "released",
        }
    }
}

async fn deployment(tx: &mut Tx, kind: DeploymentKind, uuid: &str) -> Result<Option<Deployment>> {
    let sql = format!("{} WHERE d.uuid = $1", kind.select());
    let rows = tx.rows(&sql, args![uuid]).await?;
    Ok(load_deployments(tx, rows).await?.pop())
}

// ---------------------------------------------------------------------------------------------
// Contracts

/// A stored contract publication.
#[derive(Debug, Clone)]
pub struct StoredPact {
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// The consumer version that published it.
    pub consumer_version: String,
    /// The content hash.
    pub sha: String,
    /// The contract JSON, with broker-assigned interaction `_id`s.
    pub content: String,
    /// When this revision was published.
    pub created_at: i64,
}

/// What to do when a consumer version publishes different content for a provider it has
/// already published for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Refuse (409): a version's contract should not change.
    Reject,
    /// Replace the stored content with the new one.
    Overwrite,
    /// Add the new interactions to the stored ones.
    Merge,
}

/// One contract to publish.
#[derive(Debug, Clone)]
pub struct NewContract {
    /// The provider's name.
    pub provider: String,
    /// The contract JSON.
    pub content: Value,
    /// Conflict handling.
    pub on_conflict: OnConflict,
}

/// What happened to one published contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// First publication for this version and provider.
    Created,
    /// The same content was published again; nothing changed.
    Unchanged,
    /// Different content replaced the previous one.
    Overwritten,
    /// Interactions were merged into the previous content.
    Merged,
}

/// A publication request: one consumer version with its branch, tags and contracts.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The consumer.
    pub consumer: String,
    /// Its version number.
    pub version: String,
    /// Branch of the version.
    pub branch: Option<String>,
    /// Tags for the version.
    pub tags: Vec<String>,
    /// CI build URL.
    pub build_url: Option<String>,
    /// The contracts.
    pub contracts: Vec<NewContract>,
}

/// The result of a publication.
#[derive(Debug, Clone)]
pub struct Published {
    /// The consumer version after the publication.
    pub version: Version,
    /// Whether the version was created by it.
    pub version_created: bool,
    /// One outcome per contract, in request order.
    pub contracts: Vec<(String, PublishOutcome)>,
    /// The consumer after the publication.
    pub pacticipant: Pacticipant,
    /// Every environment (the version resource links to recording a deployment to each).
    pub environments: Vec<Environment>,
}

/// Prepares contract JSON for storage: checks it is a valid pact, removes interaction ids a
/// client may have downloaded with it, and returns the content hash, the compact JSON with
/// fresh `_id`s, and the content with ids removed (for merging).
fn prepare_content(mut content: Value, field: &str) -> Result<(String, String, Value)> {
    let Some(object) = content.as_object_mut() else {
        return Err(StoreError::invalid(
            field,
            "the contract must be a JSON object",
        ));
    };
    // What a broker adds when serving a contract is not part of it (clients republish
    // downloaded contracts).
    object.remove("_links");
    object.remove("createdAt");
    for key in ["interactions", "messages"] {
        if let Some(Value::Array(items)) = object.get_mut(key) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                item.remove("_id");
            }
        }
    }
    let pact = Pact::from_json(&content)
        .map_err(|error| StoreError::invalid(field, format!("not a valid pact: {error}")))?;
    let sha = pact.content_hash().to_string();
    let mut stored = content.clone();
    for key in ["interactions", "messages"] {
        if let Some(Value::Array(items)) = stored.get_mut(key) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                let digest = Sha256::digest(Value::Object(item.clone()).to_string().as_bytes());
                let id: String = digest[..20].iter().map(|b| format!("{b:02x}")).collect();
                item.insert("_id".into(), Value::String(id));
            }
        }
    }
    Ok((sha, stored.to_string(), content))
}

/// An interaction as published: without the `_id` the broker adds when storing it.
pub(crate) fn without_id(interaction: &Value) -> Value {
    let mut interaction = interaction.clone();
    if let Some(object) = interaction.as_object_mut() {
        object.remove("_id");
    }
    interaction
}

/// What identifies an interaction within a contract: its description, and its provider states
/// as JSON text (empty without states; any spec version's spelling).
pub(crate) fn interaction_identity(interaction: &Value) -> (String, String) {
    let description = interaction
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let states = interaction
        .get("providerStates")
        .or_else(|| interaction.get("providerState"))
        .or_else(|| interaction.get("provider_state"))
        .map(Value::to_string)
        .unwrap_or_default();
    (description, states)
}

/// Merges the interactions of `new` into `old`: new ones are added, identical ones kept, and a
/// changed interaction (same description and states, different content) is a conflict.
fn merge_contents(old: &Value, new: &Value) -> Result<Value> {
    let mut merged = old.clone();
    for key in ["interactions", "messages"] {
        let Some(Value::Array(additions)) = new.get(key) else {
            continue;
        };
        let target = merged
            .as_object_mut()
            .expect("stored pacts are objects")
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()));
        let Value::Array(existing) = target else {
            continue;
        };
        for addition in additions {
            let addition = without_id(addition);
            let wanted = interaction_identity(&addition);
            match existing
                .iter()
                .find(|item| interaction_identity(item) == wanted)
            {
                // Stored interactions carry broker-assigned ids; compare without them.
                Some(item) if without_id(item) == addition => {}
                Some(_) => {
                    return Err(StoreError::Conflict(format!(
                        "cannot merge: interaction {} with the same provider states differs from the published one",
                        addition.get("description").unwrap_or(&Value::Null)
                    )));
                }
                None => existing.push(addition),
            }
        }
    }
    Ok(merged)
}

/// A contract checked and hashed before its transaction starts (the parsing is the slow part,
/// and SQLite has one writer at a time): hash, stored JSON, and the JSON without ids.
struct Prepared {
    sha: String,
    stored: String,
    plain: Value,
}

async fn store_contract(
    tx: &mut Tx,
    consumer_id: i64,
    consumer_version_id: i64,
    provider_id: i64,
    contract: &NewContract,
    prepared: &Prepared,
    field: &str,
) -> Result<PublishOutcome> {
    // Lock the consumer version so concurrent publications for it take turns (SQLite's write
    // transactions are already serialised, so there is nothing to do there).
    if tx.backend() == super::db::Backend::Postgres {
        let lock = format!("SELECT id FROM versions WHERE id = $1{}", tx.for_update());
        tx.execute(&lock, args![consumer_version_id]).await?;
    }
    let current = tx
        .row(
            "SELECT pp.revision, pv.sha, pv.id FROM latest_pact_publications l \
             JOIN pact_publications pp ON pp.id = l.pact_publication_id \
             JOIN pact_versions pv ON pv.id = l.pact_version_id \
             WHERE l.consumer_version_id = $1 AND l.provider_id = $2",
            args![consumer_version_id, provider_id],
        )
        .await?;
    let (sha, stored, outcome, revision) = match current {
        None => (
            prepared.sha.clone(),
            prepared.stored.clone(),
            PublishOutcome::Created,
            1,
        ),
        Some(row) => {
            let (revision, old_sha, old_id) = (row.int(0), row.text(1), row.int(2));
            let (sha, stored, plain) = (&prepared.sha, &prepared.stored, &prepared.plain);
            if *sha == old_sha {
                return Ok(PublishOutcome::Unchanged);
            }
            match contract.on_conflict {
                OnConflict::Reject => {
                    return Err(StoreError::Conflict(format!(
                        "this version already published a different contract for this provider \
                         (content {old_sha}, new content {sha}); publish under a new version number, \
                         or ask to overwrite or merge"
                    )));
                }
                OnConflict::Overwrite => (
                    sha.clone(),
                    stored.clone(),
                    PublishOutcome::Overwritten,
                    revision + 1,
                ),
                OnConflict::Merge => {
                    let old_content = tx
                        .row(
                            "SELECT content FROM pact_versions WHERE id = $1",
                            args![old_id],
                        )
                        .await?
                        .expect("the latest publication's content exists")
                        .text(0);
                    let old: Value = serde_json::from_str(&old_content).map_err(|e| {
                        StoreError::Conflict(format!("stored contract unreadable: {e}"))
                    })?;
                    let merged = merge_contents(&old, plain)?;
                    let (sha, stored, _) = prepare_content(merged, field)?;
                    if sha == old_sha {
                        return Ok(PublishOutcome::Unchanged);
                    }
                    (sha, stored, PublishOutcome::Merged, revision + 1)
                }
            }
        }
    };
    let now = now();
    let (pact_version_id, _) = find_or_insert(
        tx,
        "SELECT id FROM pact_versions WHERE consumer_id = $1 AND provider_id = $2 AND sha = $3",
        args![consumer_id, provider_id, &sha],
        "INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (consumer_id, provider_id, sha) DO NOTHING \
         RETURNING id",
        args![consumer_id, provider_id, &sha, stored, now],
        false,
    )
    .await?;
    let publication_id = tx
        .int(
            "INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, \
             revision, pact_version_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![
                consumer_version_id,
                consumer_id,
                provider_id,
                revision,
                pact_version_id,
                now
            ],
        )
        .await?
        .expect("RETURNING gives the id");
    tx.execute(
        "INSERT INTO latest_pact_publications (consumer_version_id, provider_id, consumer_id, \
         pact_publication_id, pact_version_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (consumer_version_id, provider_id) DO UPDATE SET \
         pact_publication_id = excluded.pact_publication_id, \
         pact_version_id = excluded.pact_version_id, created_at = excluded.created_at \
         WHERE excluded.pact_publication_id > latest_pact_publications.pact_publication_id",
        args![
            consumer_version_id,
            provider_id,
            consumer_id,
            publication_id,
            pact_version_id,
            now
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO integrations (consumer_id, provider_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (consumer_id, provider_id) DO NOTHING",
        args![consumer_id, provider_id, now],
    )
    .await?;
    Ok(outcome)
}

/// Checks that a contract names the expected consumer and provider.
fn check_names(content: &Value, consumer: &str, provider: &str, field: &str) -> Result<()> {
    let name = |side: &str| {
        content
            .get(side)
            .and_then(|p| p.get("name"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match name("consumer") {
        Some(name) if name == consumer => {}
        other => {
            return Err(StoreError::invalid(
                field,
                format!(
                    "the contract's consumer.name is {} but the request publishes for consumer `{consumer}`",
                    other.map_or("missing".into(), |n| format!("`{n}`"))
                ),
            ));
        }
    }
    match name("provider") {
        Some(name) if name == provider => Ok(()),
        other => Err(StoreError::invalid(
            field,
            format!(
                "the contract's provider.name is {} but the request publishes for provider `{provider}`",
                other.map_or("missing".into(), |n| format!("`{n}`"))
            ),
        )),
    }
}

impl Store {
    /// Publishes contracts for one consumer version, with its branch and tags, in one
    /// transaction: all of it is stored, or nothing.
    pub async fn publish(&self, publication: &Publication) -> Result<Published> {
        let mut prepared = Vec::with_capacity(publication.contracts.len());
        for (index, contract) in publication.contracts.iter().enumerate() {
            let field = format!("contracts[{index}].content");
            check_names(
                &contract.content,
                &publication.consumer,
                &contract.provider,
                &field,
            )?;
            let (sha, stored, plain) = prepare_content(contract.content.clone(), &field)?;
            prepared.push(Prepared { sha, stored, plain });
        }
        write_tx!(self.db, tx => {
            let consumer_id = ensure_pacticipant(tx, &publication.consumer).await?;
            let (version_id, version_created) =
                ensure_version(tx, consumer_id, &publication.version).await?;
            if let Some(build_url) = &publication.build_url {
                tx.execute(
                    "UPDATE versions SET build_url = $2 WHERE id = $1",
                    args![version_id, build_url],
                )
                .await?;
            }
            if let Some(branch) = &publication.branch {
                add_to_branch(tx, consumer_id, version_id, branch).await?;
            }
            for tag in &publication.tags {
                add_tag(tx, consumer_id, version_id, tag).await?;
            }
            let mut outcomes = Vec::with_capacity(publication.contracts.len());
            for (index, (contract, prepared)) in publication.contracts.iter().zip(&prepared).enumerate() {
                let provider_id = ensure_pacticipant(tx, &contract.provider).await?;
                let outcome = store_contract(
                    tx,
                    consumer_id,
                    version_id,
                    provider_id,
                    contract,
                    prepared,
                    &format!("contracts[{index}].content"),
                )
                .await?;
                outcomes.push((contract.provider.clone(), outcome));
            }
            let environments = tx
                .rows(&format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name"), args![])
                .await?
                .iter()
                .map(environment)
                .collect();
            Ok(Published {
                version: load_version(tx, version_id).await?,
                version_created,
                contracts: outcomes,
                pacticipant: require_pacticipant(tx, &publication.consumer).await?,
                environments,
            })
        })
    }
}

/// Which publication of a consumer/provider pair a request names.
#[derive(Debug, Clone)]
pub enum PactRef<'a> {
    /// The one published by a consumer version.
    Version(&'a str),
    /// The latest publication.
    Latest,
    /// The latest from a consumer version with a tag.
    LatestTagged(&'a str),
    /// The latest from a consumer version on a branch.
    LatestOnBranch(&'a str),
    /// By content hash (the newest publication of that content).
    Sha(&'a str),
}

const PACT_SELECT: &str = "SELECT c.name, pr.name, v.number, pv.sha, pv.content, pp.created_at \
     FROM latest_pact_publications l \
     JOIN pact_publications pp ON pp.id = l.pact_publication_id \
     JOIN pact_versions pv ON pv.id = l.pact_version_id \
     JOIN versions v ON v.id = l.consumer_version_id \
     JOIN pacticipants c ON c.id = l.consumer_id \
     JOIN pacticipants pr ON pr.id = l.provider_id";

fn stored_pact(row: &Row) -> StoredPact {
    StoredPact {
        consumer: row.text(0),
        provider: row.text(1),
        consumer_version: row.text(2),
        sha: row.text(3),
        content: row.text(4),
        created_at: row.int(5),
    }
}

impl Store {
    /// The contract a reference names.
    pub async fn pact(
        &self,
        provider: &str,
        consumer: &str,
        which: PactRef<'_>,
    ) -> Result<Option<StoredPact>> {
        // Each reference names one consumer version; finding it first (an index lookup or a
        // MAX over an index) keeps the cost flat however many versions the pair has.
        let target = match which {
            PactRef::Version(_) => {
                "SELECT v2.id FROM versions v2 WHERE v2.pacticipant_id = c.id AND v2.number = $3"
            }
            PactRef::Latest => {
                "SELECT MAX(l2.consumer_version_id) FROM latest_pact_publications l2 \
                 WHERE l2.provider_id = pr.id AND l2.consumer_id = c.id"
            }
            PactRef::Sha(_) => {
                "SELECT MAX(l2.consumer_version_id) FROM latest_pact_publications l2 \
                 JOIN pact_versions pv2 ON pv2.id = l2.pact_version_id \
                 WHERE pv2.consumer_id = c.id AND pv2.provider_id = pr.id AND pv2.sha = $3"
            }
            PactRef::LatestTagged(_) => {
                "SELECT MAX(l2.consumer_version_id) FROM latest_pact_publications l2 \
                 JOIN tags t ON t.version_id = l2.consumer_version_id AND t.name = $3 \
                 WHERE l2.provider_id = pr.id AND l2.consumer_id = c.id"
            }
            PactRef::LatestOnBranch(_) => {
                "SELECT MAX(l2.consumer_version_id) FROM latest_pact_publications l2 \
                 JOIN branch_versions bv ON bv.version_id = l2.consumer_version_id \
                 JOIN branches b ON b.id = bv.branch_id AND b.name = $3 \
                 WHERE l2.provider_id = pr.id AND l2.consumer_id = c.id"
            }
        };
        let sql = format!(
            "{PACT_SELECT} WHERE pr.name = $1 AND c.name = $2 AND l.consumer_version_id = ({target})"
        );
        let mut args = args![provider, consumer];
        match which {
            PactRef::Version(x)
            | PactRef::Sha(x)
            | PactRef::LatestTagged(x)
            | PactRef::LatestOnBranch(x) => args.push(x.into()),
            PactRef::Latest => {}
        }
        read_tx!(self.db, tx => Ok(tx.row(&sql, args.clone()).await?.map(|row| stored_pact(&row))))
    }

    /// The latest contract of each consumer of `provider` (optionally only from consumer
    /// versions with a tag).
    pub async fn latest_pacts_for_provider(
        &self,
        provider: &str,
        tag: Option<&str>,
    ) -> Result<Vec<StoredPact>> {
        let sql = format!(
            "{PACT_SELECT} WHERE pr.name = $1 AND l.consumer_version_id = ( \
             SELECT MAX(l2.consumer_version_id) FROM latest_pact_publications l2 \
             WHERE l2.provider_id = l.provider_id AND l2.consumer_id = l.consumer_id \
             AND ($2 IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.version_id = l2.consumer_version_id AND t.name = $2))) \
             ORDER BY c.name"
        );
        read_tx!(self.db, tx => {
            require_pacticipant(tx, provider).await?;
            Ok(tx.rows(&sql, args![provider, tag]).await?.iter().map(stored_pact).collect())
        })
    }

    /// The contract published before `consumer_version`'s whose content differs from it.
    pub async fn previous_distinct_pact(
        &self,
        provider: &str,
        consumer: &str,
        consumer_version: &str,
    ) -> Result<Option<StoredPact>> {
        let sql = format!(
            "{PACT_SELECT} WHERE pr.name = $1 AND c.name = $2 AND l.consumer_version_id < $3 \
             AND l.pact_version_id <> $4 ORDER BY l.consumer_version_id DESC LIMIT 1"
        );
        read_tx!(self.db, tx => {
            let version_id = require_version_id(tx, consumer, consumer_version).await?;
            let row = tx
                .row(
                    "SELECT l.pact_version_id FROM latest_pact_publications l \
                     JOIN pacticipants pr ON pr.id = l.provider_id \
                     WHERE l.consumer_version_id = $1 AND pr.name = $2",
                    args![version_id, provider],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "version `{consumer_version}` of `{consumer}` published no contract for `{provider}`"
                    ))
                })?;
            Ok(tx
                .row(&sql, args![provider, consumer, version_id, row.int(0)])
                .await?
                .map(|row| stored_pact(&row)))
        })
    }

    /// Deletes the contract a consumer version published for a provider (every revision).
    pub async fn delete_pact(
        &self,
        provider: &str,
        consumer: &str,
        consumer_version: &str,
    ) -> Result<()> {
        write_tx!(self.db, tx => {
            let version_id = require_version_id(tx, consumer, consumer_version).await?;
            let provider = require_pacticipant(tx, provider).await?;
            let gone = tx
                .execute(
                    "DELETE FROM pact_publications WHERE consumer_version_id = $1 AND provider_id = $2",
                    args![version_id, provider.id],
                )
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!(
                    "version `{consumer_version}` of `{consumer}` published no contract for `{}`",
                    provider.name
                )));
            }
            Ok(())
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Verification results

/// A verification result published by a provider.
#[derive(Debug, Clone)]
pub struct Verification {
    /// Its number (global sequence).
    pub id: i64,
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// The verified content.
    pub sha: String,
    /// The provider version that verified it.
    pub provider_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// The provider build.
    pub build_url: Option<String>,
    /// Per-interaction results, as sent.
    pub test_results: Option<Value>,
    /// The verifier that produced it, as sent.
    pub verified_by: Option<Value>,
    /// When it was published.
    pub created_at: i64,
}

/// A verification result to record.
#[derive(Debug, Clone)]
pub struct NewVerification {
    /// The provider version.
    pub provider_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// The provider build.
    pub build_url: Option<String>,
    /// Per-interaction results.
    pub test_results: Option<Value>,
    /// The verifier.
    pub verified_by: Option<Value>,
    /// The pacts-for-verification metadata the verifier fetched the contract with.
    pub metadata: Option<String>,
}

fn verification(row: &Row) -> Verification {
    let json = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
    Verification {
        id: row.int(0),
        consumer: row.text(1),
        provider: row.text(2),
        sha: row.text(3),
        provider_version: row.text(4),
        success: row.bool(5),
        build_url: row.opt_text(6),
        test_results: json(row.opt_text(7)),
        verified_by: json(row.opt_text(8)),
        created_at: row.int(9),
    }
}

const VERIFICATION_SELECT: &str = "SELECT vr.id, c.name, p.name, pv.sha, v.number, vr.success, \
     vr.build_url, vr.test_results, vr.verified_by, vr.created_at FROM verifications vr \
     JOIN pact_versions pv ON pv.id = vr.pact_version_id \
     JOIN versions v ON v.id = vr.provider_version_id \
     JOIN pacticipants c ON c.id = vr.consumer_id \
     JOIN pacticipants p ON p.id = vr.provider_id";

impl Store {
    /// Records a verification of content `sha` by a provider version (created when missing).
    pub async fn record_verification(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
        result: &NewVerification,
    ) -> Result<Verification> {
        write_tx!(self.db, tx => {
            let row = tx
                .row(
                    "SELECT pv.id, pv.consumer_id, pv.provider_id FROM pact_versions pv \
                     JOIN pacticipants c ON c.id = pv.consumer_id \
                     JOIN pacticipants p ON p.id = pv.provider_id \
                     WHERE p.name = $1 AND c.name = $2 AND pv.sha = $3",
                    args![provider, consumer, sha],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "no contract between consumer `{consumer}` and provider `{provider}` with content {sha}"
                    ))
                })?;
            let (pact_version_id, consumer_id, provider_id) = (row.int(0), row.int(1), row.int(2));
            let (provider_version_id, _) =
                ensure_version(tx, provider_id, &result.provider_version).await?;
            let id = tx
                .int(
                    "INSERT INTO verifications (pact_version_id, provider_version_id, \
                     consumer_id, provider_id, success, build_url, test_results, verified_by, \
                     metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     RETURNING id",
                    args![
                        pact_version_id,
                        provider_version_id,
                        consumer_id,
                        provider_id,
                        result.success,
                        &result.build_url,
                        result.test_results.as_ref().map(Value::to_string),
                        result.verified_by.as_ref().map(Value::to_string),
                        &result.metadata,
                        now()
                    ],
                )
                .await?
                .expect("RETURNING gives the id");
            tx.execute(
                "INSERT INTO latest_verifications (pact_version_id, provider_version_id, \
                 verification_id, success) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (pact_version_id, provider_version_id) DO UPDATE SET \
                 verification_id = excluded.verification_id, success = excluded.success \
                 WHERE excluded.verification_id > latest_verifications.verification_id",
                args![pact_version_id, provider_version_id, id, result.success],
            )
            .await?;
            let sql = format!("{VERIFICATION_SELECT} WHERE vr.id = $1");
            Ok(verification(&tx.row(&sql, args![id]).await?.expect("just inserted")))
        })
    }

    /// A verification result by number.
    pub async fn verification(&self, id: i64) -> Result<Option<Verification>> {
        let sql = format!("{VERIFICATION_SELECT} WHERE vr.id = $1");
        read_tx!(self.db, tx => Ok(tx.row(&sql, args![id]).await?.map(|row| verification(&row))))
    }

    /// The newest verification of content `sha` (by any provider version).
    pub async fn latest_verification(
        &self,
        provider: &str,
        consumer: &str,
        sha: &str,
    ) -> Result<Option<Verification>> {
        let sql = format!(
            "{VERIFICATION_SELECT} WHERE p.name = $1 AND c.name = $2 AND pv.sha = $3 \
             ORDER BY vr.id DESC LIMIT 1"
        );
        read_tx!(self.db, tx => Ok(tx.row(&sql, args![provider, consumer, sha]).await?.map(|row| verification(&row))))
    }
}

// ---------------------------------------------------------------------------------------------

/// The broker's storage: typed operations over a [`Db`].
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
}

impl Store {
    /// Wraps a migrated database.
    pub fn new(db: Db) -> Self {
        Store { db }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// How many of each thing the broker holds (the `/metrics` resource).
    pub async fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        const COUNTS: &[(&str, &str)] = &[
            ("pacticipants", "SELECT COUNT(*) FROM pacticipants"),
            ("versions", "SELECT COUNT(*) FROM versions"),
            ("branches", "SELECT COUNT(*) FROM branches"),
            ("tags", "SELECT COUNT(*) FROM tags"),
            ("pactVersions", "SELECT COUNT(*) FROM pact_versions"),
            ("pactPublications", "SELECT COUNT(*) FROM pact_publications"),
            ("integrations", "SELECT COUNT(*) FROM integrations"),
            ("verificationResults", "SELECT COUNT(*) FROM verifications"),
            ("environments", "SELECT COUNT(*) FROM environments"),
            ("deployedVersions", "SELECT COUNT(*) FROM deployed_versions"),
            (
                "currentlyDeployedVersions",
                "SELECT COUNT(*) FROM deployed_versions WHERE currently_deployed",
            ),
            ("releasedVersions", "SELECT COUNT(*) FROM released_versions"),
            (
                "currentlySupportedReleasedVersions",
                "SELECT COUNT(*) FROM released_versions WHERE currently_supported",
            ),
        ];
        read_tx!(self.db, tx => {
            let mut out = Vec::with_capacity(COUNTS.len());
            for (name, sql) in COUNTS {
                out.push((*name, tx.int(sql, args![]).await?.unwrap_or(0)));
            }
            Ok(out)
        })
    }

    /// Checks that the database answers (health endpoint).
    pub async fn ping(&self) -> Result<()> {
        read_tx!(self.db, tx => {
            tx.int("SELECT 1", args![]).await?;
            Ok(())
        })
    }
}
