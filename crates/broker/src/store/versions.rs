//! Versions of pacticipants, the branches they are on and their tags, with the head rows
//! (`branch_heads`, `tag_heads`) that make "latest on a branch" and "latest with a tag" lookups.

use super::pacticipants::{ensure_pacticipant, find_pacticipant, require_pacticipant};
use super::resolve::{Among, VersionRef, find_version_id, require_version_id, resolve};
use super::{Result, Snapshot, Store, StoreError, find_or_insert, now};
use crate::db::{Batch, BatchRows, Tx, args, read_tx, write_tx};

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

pub(super) async fn load_version(tx: &mut Tx, version_id: i64) -> Result<Version> {
    load_versions(
        tx,
        "SELECT id FROM versions WHERE id = $1",
        args![version_id],
    )
    .await?
    .pop()
    .ok_or_else(|| StoreError::NotFound(format!("no version with id {version_id}")))
}

/// The versions whose ids `ids` (a subquery using `args`) yields, newest first, with their
/// branches and tags: three statements however many versions.
pub(super) async fn load_versions(
    tx: &mut Tx,
    ids: &str,
    args: Vec<crate::db::Arg>,
) -> Result<Vec<Version>> {
    let mut versions: Vec<Version> = tx
        .rows(
            &format!(
                "SELECT v.id, p.name, v.number, v.build_url, v.created_at, v.updated_at \
                 FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id \
                 WHERE v.id IN ({ids}) ORDER BY v.id DESC"
            ),
            args.clone(),
        )
        .await?
        .iter()
        .map(|row| Version {
            id: row.int(0),
            pacticipant: row.text(1),
            number: row.text(2),
            build_url: row.opt_text(3),
            created_at: row.int(4),
            updated_at: row.int(5),
            branches: Vec::new(),
            tags: Vec::new(),
        })
        .collect();
    let position: std::collections::HashMap<i64, usize> = versions
        .iter()
        .enumerate()
        .map(|(n, version)| (version.id, n))
        .collect();
    let branches = tx
        .rows(
            &format!(
                "SELECT bv.version_id, b.name, \
                 CASE WHEN h.version_id = bv.version_id THEN TRUE ELSE FALSE END \
                 FROM branch_versions bv JOIN branches b ON b.id = bv.branch_id \
                 LEFT JOIN branch_heads h ON h.branch_id = b.id \
                 WHERE bv.version_id IN ({ids}) ORDER BY bv.created_at, b.name"
            ),
            args.clone(),
        )
        .await?;
    for row in &branches {
        if let Some(&n) = position.get(&row.int(0)) {
            versions[n].branches.push((row.text(1), row.bool(2)));
        }
    }
    let tags = tx
        .rows(
            &format!(
                "SELECT t.version_id, t.name, \
                 CASE WHEN h.version_id = t.version_id THEN TRUE ELSE FALSE END \
                 FROM tags t JOIN versions v ON v.id = t.version_id \
                 LEFT JOIN tag_heads h ON h.pacticipant_id = v.pacticipant_id AND h.name = t.name \
                 WHERE t.version_id IN ({ids}) ORDER BY t.created_at, t.name"
            ),
            args,
        )
        .await?;
    for row in &tags {
        if let Some(&n) = position.get(&row.int(0)) {
            versions[n].tags.push((row.text(1), row.bool(2)));
        }
    }
    Ok(versions)
}

/// The id of version `number` of pacticipant `pacticipant_id`, and whether it was created.
pub(super) async fn ensure_version(
    tx: &mut Tx,
    pacticipant_id: i64,
    number: &str,
) -> Result<(i64, bool)> {
    let now = now();
    find_or_insert(
        tx,
        "SELECT id FROM versions WHERE pacticipant_id = $1 AND number = $2",
        args![pacticipant_id, number],
        "INSERT INTO versions (pacticipant_id, number, created_at, updated_at) \
         VALUES ($1, $2, $3, $3) ON CONFLICT (pacticipant_id, number) DO NOTHING RETURNING id",
        args![pacticipant_id, number, now],
        true,
    )
    .await
}

/// What putting a version on a branch, or tagging it, did.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placement {
    /// The version was not on the branch (did not have the tag) before.
    pub added: bool,
    /// This put the version at the head of the branch (tag); false also when it was already
    /// there.
    pub made_head: bool,
    /// When the version joined the branch (got the tag), if `added`.
    pub created_at: i64,
    /// The branch was new and became the pacticipant's main branch.
    pub made_main: bool,
}

/// Branch names taken as the main branch of a pacticipant that has none.
const MAIN_BRANCH_CANDIDATES: &[&str] = &["develop", "main", "master"];

/// As the Pact Broker does: a pacticipant without a main branch gets the first of the
/// conventional names it uses (checked when the branch appears, not on every version).
/// Whether `name` became its main branch.
async fn adopt_main_branch(tx: &mut Tx, pacticipant_id: i64, name: &str) -> Result<bool> {
    if !MAIN_BRANCH_CANDIDATES.contains(&name) {
        return Ok(false);
    }
    let changed = tx
        .execute(
            "UPDATE pacticipants SET main_branch = $2 WHERE id = $1 AND main_branch IS NULL",
            args![pacticipant_id, name],
        )
        .await?;
    Ok(changed == 1)
}

/// Puts version `version_id` on branch `name`; says what that did.
pub(super) async fn add_to_branch(
    tx: &mut Tx,
    pacticipant_id: i64,
    version_id: i64,
    name: &str,
) -> Result<Placement> {
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
    // RETURNING yields a row only when the head was inserted or moved to this version.
    let made_head = tx
        .row(
            "INSERT INTO branch_heads (branch_id, version_id) VALUES ($1, $2) \
             ON CONFLICT (branch_id) DO UPDATE SET version_id = excluded.version_id \
             WHERE excluded.version_id > branch_heads.version_id RETURNING version_id",
            args![branch_id, version_id],
        )
        .await?
        .is_some();
    let made_main = new_branch && adopt_main_branch(tx, pacticipant_id, name).await?;
    Ok(Placement {
        added,
        made_head,
        created_at: now,
        made_main,
    })
}

/// The statements of a batch creating a version (see [`version_in_batch`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct VersionStatements {
    created: usize,
    found: usize,
}

/// [`ensure_version`] in a batch, for a pacticipant named `pacticipant` (which an earlier
/// statement of the batch may have created), giving a version it creates the time `now`;
/// and its build URL set when one is given. [`VersionStatements::id`] reads the outcome.
pub(super) fn version_in_batch(
    batch: &mut Batch,
    pacticipant: &str,
    number: &str,
    build_url: Option<&str>,
    now: i64,
) -> VersionStatements {
    let created = batch.push(
        "INSERT INTO versions (pacticipant_id, number, created_at, updated_at) \
         SELECT id, $2, $3, $3 FROM pacticipants WHERE name = $1 \
         ON CONFLICT (pacticipant_id, number) DO NOTHING RETURNING id",
        args![pacticipant, number, now],
    );
    let found = batch.push_unless_found(
        created,
        "SELECT v.id FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id \
         WHERE p.name = $1 AND v.number = $2",
        args![pacticipant, number],
    );
    if let Some(build_url) = build_url {
        batch.push(
            "UPDATE versions SET build_url = $3 WHERE pacticipant_id = \
             (SELECT id FROM pacticipants WHERE name = $1) AND number = $2",
            args![pacticipant, number, build_url],
        );
    }
    VersionStatements { created, found }
}

impl VersionStatements {
    /// The version's id, and whether the batch created it.
    pub(super) fn id(self, rows: &BatchRows) -> (i64, bool) {
        let created = rows.row(self.created);
        let id = created
            .or(rows.row(self.found))
            .expect("the version exists: the batch created it or found it")
            .int(0);
        (id, created.is_some())
    }
}

/// The statements of a batch putting a version on a branch (see [`on_branch_in_batch`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct BranchStatements {
    new_branch: usize,
    added: usize,
    made_head: usize,
}

/// [`add_to_branch`] in a batch, for a version named by its pacticipant's name and number
/// (which earlier statements of the batch may have created); [`placed_on_branch`] reads what
/// it did.
pub(super) fn on_branch_in_batch(
    batch: &mut Batch,
    pacticipant: &str,
    number: &str,
    name: &str,
    now: i64,
) -> BranchStatements {
    // As `find_or_insert`: no insert attempted (on PostgreSQL, no identity value taken) when
    // the branch exists.
    let new_branch = batch.push(
        "INSERT INTO branches (pacticipant_id, name, created_at) SELECT p.id, $2, $3 \
         FROM pacticipants p WHERE p.name = $1 AND NOT EXISTS \
         (SELECT 1 FROM branches b WHERE b.pacticipant_id = p.id AND b.name = $2) \
         ON CONFLICT (pacticipant_id, name) DO NOTHING RETURNING id",
        args![pacticipant, name, now],
    );
    let added = batch.push(
        "INSERT INTO branch_versions (branch_id, version_id, created_at) \
         SELECT b.id, v.id, $4 FROM pacticipants p \
         JOIN branches b ON b.pacticipant_id = p.id JOIN versions v ON v.pacticipant_id = p.id \
         WHERE p.name = $1 AND v.number = $2 AND b.name = $3 \
         ON CONFLICT (branch_id, version_id) DO NOTHING RETURNING version_id",
        args![pacticipant, number, name, now],
    );
    // RETURNING yields a row only when the head was inserted or moved to this version.
    let made_head = batch.push(
        "INSERT INTO branch_heads (branch_id, version_id) SELECT b.id, v.id FROM pacticipants p \
         JOIN branches b ON b.pacticipant_id = p.id JOIN versions v ON v.pacticipant_id = p.id \
         WHERE p.name = $1 AND v.number = $2 AND b.name = $3 \
         ON CONFLICT (branch_id) DO UPDATE SET version_id = excluded.version_id \
         WHERE excluded.version_id > branch_heads.version_id RETURNING version_id",
        args![pacticipant, number, name],
    );
    BranchStatements {
        new_branch,
        added,
        made_head,
    }
}

/// What the statements of [`on_branch_in_batch`] did, after making the branch pacticipant
/// `pacticipant_id`'s main one when it is new and has a conventional name (as
/// [`add_to_branch`]).
pub(super) async fn placed_on_branch(
    tx: &mut Tx,
    rows: &BatchRows,
    statements: BranchStatements,
    pacticipant_id: i64,
    name: &str,
    now: i64,
) -> Result<Placement> {
    let new_branch = rows.row(statements.new_branch).is_some();
    let made_main = new_branch && adopt_main_branch(tx, pacticipant_id, name).await?;
    Ok(Placement {
        added: rows.row(statements.added).is_some(),
        made_head: rows.row(statements.made_head).is_some(),
        created_at: now,
        made_main,
    })
}

/// The statements of a batch tagging a version (see [`tag_in_batch`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct TagStatements {
    added: usize,
    made_head: usize,
}

/// [`add_tag`] in a batch, for a version named by its pacticipant's name and number;
/// [`TagStatements::placement`] reads what it did.
pub(super) fn tag_in_batch(
    batch: &mut Batch,
    pacticipant: &str,
    number: &str,
    name: &str,
    now: i64,
) -> TagStatements {
    let added = batch.push(
        "INSERT INTO tags (version_id, name, created_at) SELECT v.id, $3, $4 FROM pacticipants p \
         JOIN versions v ON v.pacticipant_id = p.id WHERE p.name = $1 AND v.number = $2 \
         ON CONFLICT (version_id, name) DO NOTHING RETURNING version_id",
        args![pacticipant, number, name, now],
    );
    // RETURNING yields a row only when the head was inserted or moved to this version.
    let made_head = batch.push(
        "INSERT INTO tag_heads (pacticipant_id, name, version_id) SELECT p.id, $3, v.id \
         FROM pacticipants p JOIN versions v ON v.pacticipant_id = p.id \
         WHERE p.name = $1 AND v.number = $2 \
         ON CONFLICT (pacticipant_id, name) DO UPDATE SET version_id = excluded.version_id \
         WHERE excluded.version_id > tag_heads.version_id RETURNING version_id",
        args![pacticipant, number, name],
    );
    TagStatements { added, made_head }
}

impl TagStatements {
    /// What the statements did.
    pub(super) fn placement(self, rows: &BatchRows, now: i64) -> Placement {
        Placement {
            added: rows.row(self.added).is_some(),
            made_head: rows.row(self.made_head).is_some(),
            created_at: now,
            made_main: false,
        }
    }
}

/// Tags version `version_id` with `name`; says what that did.
pub(super) async fn add_tag(
    tx: &mut Tx,
    pacticipant_id: i64,
    version_id: i64,
    name: &str,
) -> Result<Placement> {
    let now = now();
    let added = tx
        .execute(
            "INSERT INTO tags (version_id, name, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (version_id, name) DO NOTHING",
            args![version_id, name, now],
        )
        .await?
        == 1;
    // RETURNING yields a row only when the head was inserted or moved to this version.
    let made_head = tx
        .row(
            "INSERT INTO tag_heads (pacticipant_id, name, version_id) VALUES ($1, $2, $3) \
             ON CONFLICT (pacticipant_id, name) DO UPDATE SET version_id = excluded.version_id \
             WHERE excluded.version_id > tag_heads.version_id RETURNING version_id",
            args![pacticipant_id, name, version_id],
        )
        .await?
        .is_some();
    Ok(Placement {
        added,
        made_head,
        created_at: now,
        made_main: false,
    })
}

/// Recomputes the head rows of a pacticipant's branches and tags after versions were removed.
pub(super) async fn repair_heads(tx: &mut Tx, pacticipant_id: i64) -> Result<()> {
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
    /// The version a reference names (the newest, for a reference naming several), with its
    /// branches and tags.
    pub async fn version(
        &self,
        pacticipant: &str,
        which: VersionRef<'_>,
    ) -> Result<Option<Version>> {
        read_tx!(self.db, tx => {
            let Some(found) = find_pacticipant(tx, pacticipant).await? else {
                return Ok(None);
            };
            match resolve(tx, Among::VersionsOf(found.id), &which, Some(1)).await?.first() {
                Some(version) => Ok(Some(load_version(tx, version.version_id).await?)),
                None => Ok(None),
            }
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
            let added = add_to_branch(tx, pacticipant_id, version_id, branch).await?.added;
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
            let added = add_tag(tx, pacticipant_id, version_id, name).await?.added;
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

impl Snapshot {
    /// The version with this id, with its branches and tags.
    pub(crate) async fn version(&mut self, version_id: i64) -> Result<Version> {
        load_version(&mut self.tx, version_id).await
    }
}
