//! Environments, and the versions deployed (running) or released (supported) in them.

use serde_json::Value;

use super::pacticipants::require_pacticipant;
use super::resolve::require_version_id;
use super::versions::{Version, load_version};
use super::{Result, Snapshot, Store, StoreError, now};
use crate::db::{Row, Tx, args, read_tx, write_tx};

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

pub(super) const ENVIRONMENT_COLUMNS: &str =
    "id, uuid, name, display_name, production, contacts, created_at, updated_at";

pub(super) fn environment(row: &Row) -> Environment {
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

pub(super) async fn find_environment(tx: &mut Tx, uuid: &str) -> Result<Option<Environment>> {
    let sql = format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments WHERE uuid = $1");
    Ok(tx
        .row(&sql, args![uuid])
        .await?
        .map(|row| environment(&row)))
}

pub(super) async fn require_environment(tx: &mut Tx, uuid: &str) -> Result<Environment> {
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

    /// Creates an environment with a fresh uuid; a conflict when the name is taken.
    pub async fn create_environment(&self, fields: &EnvironmentFields) -> Result<Environment> {
        let uuid = uuid::Uuid::new_v4().to_string();
        self.create_environment_with_uuid(&uuid, fields).await
    }

    /// Creates an environment with the given uuid (as when data moves from another broker);
    /// a conflict when the name or the uuid is taken.
    pub async fn create_environment_with_uuid(
        &self,
        uuid: &str,
        fields: &EnvironmentFields,
    ) -> Result<Environment> {
        write_tx!(self.db, tx => {
            let taken = tx
                .int("SELECT id FROM environments WHERE name = $1", args![&fields.name])
                .await?;
            if taken.is_some() {
                return Err(StoreError::conflict("name", format!(
                    "an environment named `{}` already exists",
                    fields.name
                )));
            }
            if find_environment(tx, uuid).await?.is_some() {
                return Err(StoreError::conflict("uuid", format!(
                    "an environment with uuid `{uuid}` already exists"
                )));
            }
            let now = now();
            tx.execute(
                "INSERT INTO environments (uuid, name, display_name, production, contacts, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
                args![
                    uuid,
                    &fields.name,
                    &fields.display_name,
                    fields.production,
                    fields.contacts.as_ref().map(Value::to_string),
                    now
                ],
            )
            .await?;
            require_environment(tx, uuid).await
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
                return Err(StoreError::conflict("name", format!(
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
        self.record_deployment_with_uuid(
            &fresh_uuid,
            kind,
            pacticipant,
            number,
            environment_uuid,
            application_instance,
        )
        .await
    }

    /// [`Store::record_deployment`], with the uuid a new record gets (as when data moves from
    /// another broker).
    pub async fn record_deployment_with_uuid(
        &self,
        fresh_uuid: &str,
        kind: DeploymentKind,
        pacticipant: &str,
        number: &str,
        environment_uuid: &str,
        application_instance: Option<&str>,
    ) -> Result<(Deployment, bool)> {
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
                                args![fresh_uuid, version_id, p.id, env.id, instance, now],
                            )
                            .await?;
                            (fresh_uuid.to_owned(), true)
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
                            args![fresh_uuid, version_id, p.id, env.id, now],
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

impl Snapshot {
    /// Whether an environment named `name` exists.
    pub(crate) async fn environment_exists(&mut self, name: &str) -> Result<bool> {
        Ok(self
            .tx
            .int("SELECT id FROM environments WHERE name = $1", args![name])
            .await?
            .is_some())
    }
}
