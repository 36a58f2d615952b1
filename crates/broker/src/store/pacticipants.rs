//! Pacticipants: the applications taking part in contracts, found by name and created on first
//! use by publications and versions.

use super::{Result, Snapshot, Store, StoreError, find_or_insert, now};
use crate::db::{Batch, BatchRows, Row, Tx, args, read_tx, write_tx};

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

/// [`PACTICIPANT_COLUMNS`] of a table aliased `p`, for joins.
pub(super) const PACTICIPANT_COLUMNS_OF_P: &str = "p.id, p.name, p.display_name, p.main_branch, \
     p.repository_url, p.repository_name, p.repository_namespace, p.created_at, p.updated_at";

pub(super) fn pacticipant(row: &Row) -> Pacticipant {
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

pub(super) async fn find_pacticipant(tx: &mut Tx, name: &str) -> Result<Option<Pacticipant>> {
    let sql = format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants WHERE name = $1");
    Ok(tx
        .row(&sql, args![name])
        .await?
        .map(|row| pacticipant(&row)))
}

pub(super) async fn require_pacticipant(tx: &mut Tx, name: &str) -> Result<Pacticipant> {
    find_pacticipant(tx, name)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("no pacticipant named `{name}`")))
}

/// The id of pacticipant `name`, created when missing.
pub(super) async fn ensure_pacticipant(tx: &mut Tx, name: &str) -> Result<i64> {
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

/// [`ensure_pacticipant`] in a batch: pacticipant `name` looked up, and created when missing
/// (by a statement PostgreSQL skips when the lookup found it). [`PacticipantStatements::row`]
/// reads it.
pub(super) fn pacticipant_in_batch(
    batch: &mut Batch,
    name: &str,
    now: i64,
) -> PacticipantStatements {
    let found = batch.push(
        format!("SELECT {PACTICIPANT_COLUMNS} FROM pacticipants WHERE name = $1"),
        args![name],
    );
    // Changes nothing when it exists (SQLite runs it anyway); takes no identity value then.
    let created = batch.push_unless_found(
        found,
        format!(
            "INSERT INTO pacticipants (name, created_at, updated_at) SELECT $1, $2, $2 \
             WHERE NOT EXISTS (SELECT 1 FROM pacticipants WHERE name = $1) \
             ON CONFLICT (name) DO NOTHING RETURNING {PACTICIPANT_COLUMNS}"
        ),
        args![name, now],
    );
    PacticipantStatements { found, created }
}

/// The statements of [`pacticipant_in_batch`].
#[derive(Debug, Clone, Copy)]
pub(super) struct PacticipantStatements {
    found: usize,
    created: usize,
}

impl PacticipantStatements {
    /// The pacticipant the statements found or created. Neither, when a concurrent
    /// transaction created it between them (PostgreSQL): it is read again.
    pub(super) async fn row(
        self,
        tx: &mut Tx,
        rows: &BatchRows,
        name: &str,
    ) -> Result<Pacticipant> {
        match rows.row(self.found).or(rows.row(self.created)) {
            Some(row) => Ok(pacticipant(row)),
            None => require_pacticipant(tx, name).await,
        }
    }
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

    /// Every pacticipant, by name, with the number of its latest version (if it has one).
    pub async fn pacticipants_with_latest_version(
        &self,
    ) -> Result<Vec<(Pacticipant, Option<String>)>> {
        let sql = format!(
            "SELECT {PACTICIPANT_COLUMNS}, (SELECT v.number FROM versions v \
             WHERE v.pacticipant_id = pacticipants.id ORDER BY v.id DESC LIMIT 1) \
             FROM pacticipants ORDER BY name"
        );
        read_tx!(self.db, tx => Ok(tx
            .rows(&sql, args![])
            .await?
            .iter()
            .map(|row| (pacticipant(row), row.opt_text(9)))
            .collect()))
    }

    /// Creates pacticipant `name`; a conflict when it exists.
    pub async fn create_pacticipant(
        &self,
        name: &str,
        fields: &PacticipantFields,
    ) -> Result<Pacticipant> {
        write_tx!(self.db, tx => {
            if find_pacticipant(tx, name).await?.is_some() {
                return Err(StoreError::conflict("name", format!(
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

impl Snapshot {
    /// The id of the pacticipant named `name`.
    pub(crate) async fn pacticipant_id(&mut self, name: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .int("SELECT id FROM pacticipants WHERE name = $1", args![name])
            .await?)
    }
}
