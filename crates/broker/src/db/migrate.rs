//! Schema migrations: the SQL files under `migrations/{sqlite,postgres}`, embedded in the
//! binary, applied in order and recorded in `pactum_migrations` with a SHA-256 checksum of
//! their text.
//!
//! A broker refuses to start when a migration it already applied to the database has changed
//! since (its recorded checksum differs): the schema would no longer be what the code
//! expects, silently. Rows recorded before pactum kept checksums have none; they are given
//! the checksum of this build's file the first time, and checked from then on. Not here: the
//! schema itself (the SQL files) and everything that queries it.

use sha2::{Digest, Sha256};

use super::{Backend, Db, DbError, Tx, args};

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// Its number; migrations run in this order.
    pub version: i64,
    /// Its file name.
    pub name: &'static str,
    /// The SQL.
    pub script: &'static str,
}

impl Migration {
    /// SHA-256 of the script as hex. Line endings are normalised first, so a checkout that turns
    /// `\n` into `\r\n` builds the same checksum.
    pub fn checksum(&self) -> String {
        let normalised = self.script.replace("\r\n", "\n");
        Sha256::digest(normalised.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Both dialects' lists from one list of file names, so that they cannot drift apart: every
/// migration exists as `migrations/sqlite/NAME` and `migrations/postgres/NAME`.
macro_rules! migrations {
    ($($version:literal => $name:literal),+ $(,)?) => {
        /// The SQLite migrations, in order.
        pub(crate) const SQLITE: &[Migration] = &[$(Migration {
            version: $version,
            name: $name,
            script: include_str!(concat!("../migrations/sqlite/", $name)),
        }),+];

        /// The PostgreSQL migrations, in order; the same files as [`SQLITE`] in the other
        /// dialect.
        pub(crate) const POSTGRES: &[Migration] = &[$(Migration {
            version: $version,
            name: $name,
            script: include_str!(concat!("../migrations/postgres/", $name)),
        }),+];
    };
}

migrations! {
    1 => "0001_init.sql",
    2 => "0002_webhooks.sql",
    3 => "0003_provider_contracts.sql",
    4 => "0004_pacticipant_labels.sql",
    5 => "0005_cross_checks.sql",
}

/// Every pactum broker takes this PostgreSQL advisory lock while migrating; any constant works
/// as long as they all use the same one.
const POSTGRES_LOCK: i64 = 7_261_746_375;

/// Checks the applied migrations against `migrations` and applies the missing ones, all in one
/// transaction under the database's write lock (SQLite) or an advisory lock (PostgreSQL), so
/// brokers starting together take turns and each migration is applied once, with its
/// bookkeeping row.
pub(crate) async fn run(db: &Db, migrations: &[Migration]) -> Result<(), DbError> {
    let mut tx = db.begin(true).await?;
    let outcome = migrate(&mut tx, migrations).await;
    tx.finish(outcome).await
}

async fn migrate(tx: &mut Tx, migrations: &[Migration]) -> Result<(), DbError> {
    if tx.backend() == Backend::Postgres {
        tx.execute("SELECT pg_advisory_xact_lock($1)", args![POSTGRES_LOCK])
            .await?;
    }
    tx.execute(
        "CREATE TABLE IF NOT EXISTS pactum_migrations (version BIGINT PRIMARY KEY, \
         name TEXT NOT NULL, applied_at BIGINT NOT NULL, checksum TEXT)",
        args![],
    )
    .await?;
    add_checksum_column(tx).await?;

    let applied = tx
        .rows(
            "SELECT version, name, checksum FROM pactum_migrations ORDER BY version",
            args![],
        )
        .await?;
    let mut latest_applied = 0;
    for row in &applied {
        let (version, name, recorded) = (row.int(0), row.text(1), row.opt_text(2));
        latest_applied = latest_applied.max(version);
        let Some(migration) = migrations.iter().find(|m| m.version == version) else {
            // A newer pactum migrated this database (a rolling upgrade, or a rollback): go on
            // with the schema this build knows, and say so.
            tracing::warn!(
                version,
                name,
                "the database has a migration this pactum does not know; a newer pactum applied it"
            );
            continue;
        };
        let embedded = migration.checksum();
        match recorded {
            Some(recorded) if recorded == embedded => {}
            Some(recorded) => {
                return Err(DbError::MigrationChanged {
                    version,
                    name: migration.name,
                    recorded,
                    embedded,
                });
            }
            // Applied by a pactum that kept no checksums: adopt this build's.
            None => {
                tx.execute(
                    "UPDATE pactum_migrations SET checksum = $2 WHERE version = $1",
                    args![version, embedded],
                )
                .await?;
            }
        }
    }

    for migration in migrations {
        if applied.iter().any(|row| row.int(0) == migration.version) {
            continue;
        }
        if migration.version < latest_applied {
            return Err(DbError::MigrationOutOfOrder {
                version: migration.version,
                name: migration.name,
                latest_applied,
            });
        }
        tx.execute_script(migration.script)
            .await
            .map_err(|source| DbError::Migration {
                version: migration.version,
                name: migration.name,
                source,
            })?;
        tx.execute(
            "INSERT INTO pactum_migrations (version, name, applied_at, checksum) \
             VALUES ($1, $2, $3, $4)",
            args![
                migration.version,
                migration.name,
                crate::timestamp::now(),
                migration.checksum()
            ],
        )
        .await?;
    }
    Ok(())
}

/// Adds the `checksum` column to a `pactum_migrations` table made before pactum kept
/// checksums.
async fn add_checksum_column(tx: &mut Tx) -> Result<(), DbError> {
    match tx.backend() {
        Backend::Postgres => {
            tx.execute(
                "ALTER TABLE pactum_migrations ADD COLUMN IF NOT EXISTS checksum TEXT",
                args![],
            )
            .await?;
        }
        Backend::Sqlite => {
            let present = tx
                .int(
                    "SELECT COUNT(*) FROM pragma_table_info('pactum_migrations') \
                     WHERE name = 'checksum'",
                    args![],
                )
                .await?
                == Some(1);
            if !present {
                tx.execute(
                    "ALTER TABLE pactum_migrations ADD COLUMN checksum TEXT",
                    args![],
                )
                .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh in-memory SQLite database.
    async fn database() -> Db {
        Db::connect("sqlite::memory:", 1).await.unwrap()
    }

    const FIRST: Migration = Migration {
        version: 1,
        name: "0001_a.sql",
        script: "CREATE TABLE a (id BIGINT);",
    };
    const SECOND: Migration = Migration {
        version: 2,
        name: "0002_b.sql",
        script: "CREATE TABLE b (id BIGINT);",
    };

    async fn tables(db: &Db) -> Vec<String> {
        let mut tx = db.begin(false).await.unwrap();
        let names = tx
            .rows(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
                args![],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| row.text(0))
            .collect();
        tx.rollback().await.unwrap();
        names
    }

    async fn recorded(db: &Db) -> Vec<(i64, Option<String>)> {
        let mut tx = db.begin(false).await.unwrap();
        let rows = tx
            .rows(
                "SELECT version, checksum FROM pactum_migrations ORDER BY version",
                args![],
            )
            .await
            .unwrap()
            .iter()
            .map(|row| (row.int(0), row.opt_text(1)))
            .collect();
        tx.rollback().await.unwrap();
        rows
    }

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn applies_each_migration_once_and_records_its_checksum() {
        block_on(async {
            let db = database().await;
            run(&db, &[FIRST]).await.unwrap();
            run(&db, &[FIRST, SECOND]).await.unwrap();
            run(&db, &[FIRST, SECOND]).await.unwrap();
            assert_eq!(tables(&db).await, ["a", "b", "pactum_migrations"]);
            assert_eq!(
                recorded(&db).await,
                [(1, Some(FIRST.checksum())), (2, Some(SECOND.checksum()))]
            );
        });
    }

    #[test]
    fn an_applied_migration_that_changed_is_refused_by_name_and_nothing_else_runs() {
        block_on(async {
            let db = database().await;
            run(&db, &[FIRST]).await.unwrap();
            let edited = Migration {
                script: "CREATE TABLE a (id BIGINT, extra TEXT);",
                ..FIRST
            };
            let error = run(&db, &[edited, SECOND]).await.unwrap_err();
            assert!(
                matches!(
                    &error,
                    DbError::MigrationChanged {
                        version: 1,
                        name: "0001_a.sql",
                        ..
                    }
                ),
                "{error:?}"
            );
            let message = error.to_string();
            assert!(
                message.contains("0001_a.sql")
                    && message.contains(&FIRST.checksum())
                    && message.contains(&edited.checksum())
                    && message.contains("new migration"),
                "{message}"
            );
            assert_eq!(tables(&db).await, ["a", "pactum_migrations"]);
        });
    }

    #[test]
    fn line_endings_do_not_change_the_checksum() {
        let crlf = Migration {
            script: "CREATE TABLE a (id BIGINT);\r\nCREATE TABLE c (id BIGINT);\r\n",
            ..FIRST
        };
        let lf = Migration {
            script: "CREATE TABLE a (id BIGINT);\nCREATE TABLE c (id BIGINT);\n",
            ..FIRST
        };
        assert_eq!(crlf.checksum(), lf.checksum());
        assert_ne!(lf.checksum(), FIRST.checksum());
    }

    #[test]
    fn rows_from_before_checksums_adopt_this_builds_checksum_then_are_checked() {
        block_on(async {
            let db = database().await;
            // The bookkeeping pactum kept before checksums.
            let mut tx = db.begin(true).await.unwrap();
            tx.execute_script(
                "CREATE TABLE pactum_migrations (version BIGINT PRIMARY KEY, \
                 name TEXT NOT NULL, applied_at BIGINT NOT NULL); \
                 CREATE TABLE a (id BIGINT); \
                 INSERT INTO pactum_migrations VALUES (1, '0001_a.sql', 0);",
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();

            run(&db, &[FIRST, SECOND]).await.unwrap();
            assert_eq!(
                recorded(&db).await,
                [(1, Some(FIRST.checksum())), (2, Some(SECOND.checksum()))]
            );
            let edited = Migration {
                script: "CREATE TABLE a (id TEXT);",
                ..FIRST
            };
            assert!(matches!(
                run(&db, &[edited, SECOND]).await,
                Err(DbError::MigrationChanged { version: 1, .. })
            ));
        });
    }

    #[test]
    fn a_migration_numbered_below_an_applied_one_is_refused() {
        block_on(async {
            let db = database().await;
            run(&db, &[SECOND]).await.unwrap();
            let error = run(&db, &[FIRST, SECOND]).await.unwrap_err();
            assert!(
                matches!(
                    error,
                    DbError::MigrationOutOfOrder {
                        version: 1,
                        latest_applied: 2,
                        ..
                    }
                ),
                "{error:?}"
            );
            assert_eq!(tables(&db).await, ["b", "pactum_migrations"]);
        });
    }

    #[test]
    fn a_migration_unknown_to_this_build_is_left_alone() {
        block_on(async {
            let db = database().await;
            run(&db, &[FIRST, SECOND]).await.unwrap();
            run(&db, &[FIRST]).await.unwrap();
            assert_eq!(recorded(&db).await.len(), 2);
        });
    }

    /// Every file in the migration directories is embedded, under the same numbers and names
    /// for both backends.
    #[test]
    fn every_migration_file_is_embedded_for_both_backends() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/migrations");
        for (backend, embedded) in [("sqlite", SQLITE), ("postgres", POSTGRES)] {
            let mut files: Vec<String> = std::fs::read_dir(dir.join(backend))
                .unwrap()
                .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            files.sort();
            let names: Vec<&str> = embedded.iter().map(|m| m.name).collect();
            assert_eq!(files, names, "{backend}");
            for (index, migration) in embedded.iter().enumerate() {
                assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
                assert!(
                    migration
                        .name
                        .starts_with(&format!("{:04}_", migration.version)),
                    "{}",
                    migration.name
                );
                let on_disk = std::fs::read_to_string(dir.join(backend).join(migration.name));
                assert_eq!(on_disk.unwrap(), migration.script, "{}", migration.name);
            }
        }
        let sqlite: Vec<_> = SQLITE.iter().map(|m| (m.version, m.name)).collect();
        let postgres: Vec<_> = POSTGRES.iter().map(|m| (m.version, m.name)).collect();
        assert_eq!(sqlite, postgres);
    }
}
