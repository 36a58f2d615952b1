//! Labels on pacticipants: names that group pacticipants (a team, a domain), for listing them
//! and for scoping webhooks.

use super::pacticipants::{PACTICIPANT_COLUMNS_OF_P, pacticipant, require_pacticipant};
use super::{Pacticipant, Result, Store, StoreError, now};
use crate::db::{Batch, Row, Tx, args, read_tx, write_tx};

/// A label on a pacticipant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The labelled pacticipant's name.
    pub pacticipant: String,
    /// The label.
    pub name: String,
    /// When it was put on the pacticipant.
    pub created_at: i64,
}

fn label(row: &Row) -> Label {
    Label {
        pacticipant: row.text(0),
        name: row.text(1),
        created_at: row.int(2),
    }
}

const LABEL_SELECT: &str = "SELECT p.name, l.name, l.created_at FROM pacticipant_labels l \
     JOIN pacticipants p ON p.id = l.pacticipant_id";

async fn find_label(tx: &mut Tx, pacticipant: &str, name: &str) -> Result<Option<Label>> {
    let sql = format!("{LABEL_SELECT} WHERE p.name = $1 AND l.name = $2");
    Ok(tx
        .row(&sql, args![pacticipant, name])
        .await?
        .map(|row| label(&row)))
}

/// The names of the labels on pacticipant `pacticipant` (none when it does not exist), sorted.
pub(super) async fn label_names(tx: &mut Tx, pacticipant: &str) -> Result<Vec<String>> {
    let sql = format!("{LABEL_SELECT} WHERE p.name = $1 ORDER BY l.name");
    Ok(tx
        .rows(&sql, args![pacticipant])
        .await?
        .iter()
        .map(|row| row.text(1))
        .collect())
}

/// [`labels_in`] in a batch; returns the index of the statement whose rows are the labels
/// (read them with [`labels_of`]).
pub(super) fn labels_in_batch(batch: &mut Batch, pacticipant: &str) -> usize {
    batch.push(
        format!("{LABEL_SELECT} WHERE p.name = $1 ORDER BY l.name"),
        args![pacticipant],
    )
}

/// The labels in the rows of [`labels_in_batch`].
pub(super) fn labels_of(rows: &[Row]) -> Vec<Label> {
    rows.iter().map(label).collect()
}

/// The labels on pacticipant `pacticipant` (none when it does not exist), sorted by name.
pub(super) async fn labels_in(tx: &mut Tx, pacticipant: &str) -> Result<Vec<Label>> {
    let sql = format!("{LABEL_SELECT} WHERE p.name = $1 ORDER BY l.name");
    Ok(tx
        .rows(&sql, args![pacticipant])
        .await?
        .iter()
        .map(label)
        .collect())
}

impl Store {
    /// Label `name` on pacticipant `pacticipant`.
    pub async fn label(&self, pacticipant: &str, name: &str) -> Result<Option<Label>> {
        read_tx!(self.db, tx => find_label(tx, pacticipant, name).await)
    }

    /// Every label, by pacticipant and name.
    pub async fn labels(&self) -> Result<Vec<Label>> {
        let sql = format!("{LABEL_SELECT} ORDER BY p.name, l.name");
        read_tx!(self.db, tx => Ok(tx.rows(&sql, args![]).await?.iter().map(label).collect()))
    }

    /// The labels on pacticipant `pacticipant`, by name.
    pub async fn labels_of(&self, pacticipant: &str) -> Result<Vec<Label>> {
        read_tx!(self.db, tx => labels_in(tx, pacticipant).await)
    }

    /// Puts label `name` on pacticipant `pacticipant` (which must exist); returns the label and
    /// whether it was new.
    pub async fn put_label(&self, pacticipant: &str, name: &str) -> Result<(Label, bool)> {
        write_tx!(self.db, tx => {
            if let Some(existing) = find_label(tx, pacticipant, name).await? {
                return Ok((existing, false));
            }
            let id = require_pacticipant(tx, pacticipant).await?.id;
            // A concurrent PUT of the same label may have inserted it since: then it is not new.
            let inserted = tx
                .execute(
                    "INSERT INTO pacticipant_labels (pacticipant_id, name, created_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (pacticipant_id, name) DO NOTHING",
                    args![id, name, now()],
                )
                .await?;
            let stored = find_label(tx, pacticipant, name)
                .await?
                .expect("the label was just stored");
            Ok((stored, inserted > 0))
        })
    }

    /// Takes label `name` off pacticipant `pacticipant`.
    pub async fn delete_label(&self, pacticipant: &str, name: &str) -> Result<()> {
        write_tx!(self.db, tx => {
            let gone = tx
                .execute(
                    "DELETE FROM pacticipant_labels WHERE name = $2 AND pacticipant_id = \
                     (SELECT id FROM pacticipants WHERE name = $1)",
                    args![pacticipant, name],
                )
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!(
                    "pacticipant `{pacticipant}` has no label `{name}`"
                )));
            }
            Ok(())
        })
    }

    /// The pacticipants carrying label `name`, by name.
    pub async fn pacticipants_with_label(&self, name: &str) -> Result<Vec<Pacticipant>> {
        let sql = format!(
            "SELECT {PACTICIPANT_COLUMNS_OF_P} FROM pacticipants p \
             JOIN pacticipant_labels l ON l.pacticipant_id = p.id WHERE l.name = $1 \
             ORDER BY p.name"
        );
        read_tx!(self.db, tx => Ok(tx
            .rows(&sql, args![name])
            .await?
            .iter()
            .map(pacticipant)
            .collect()))
    }
}
