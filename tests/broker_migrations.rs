//! The broker's schema migrations on SQLite and PostgreSQL: a database laid out by pactum
//! before migrations had checksums keeps working, an applied migration that changed is refused
//! at start with what to do, and both backends' schemas have the same tables, columns and
//! indexes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use sqlx::Connection as _;

use crate::support::broker::{Kind, TestBroker, TestDb, backends, pact};
use crate::support::runtime;

/// A direct connection to a test database, for laying it out and looking into it.
enum Conn {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Conn {
    async fn open(db: &TestDb, kind: Kind) -> Conn {
        match kind {
            Kind::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(&db.url)
                    .create_if_missing(true);
                Conn::Sqlite(
                    sqlx::SqliteConnection::connect_with(&options)
                        .await
                        .unwrap(),
                )
            }
            Kind::Postgres => Conn::Postgres(sqlx::PgConnection::connect(&db.url).await.unwrap()),
        }
    }

    async fn execute(&mut self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Conn::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
            Conn::Postgres(c) => sqlx::raw_sql(sql).execute(c).await.map(drop),
        }
        .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Every row of a query whose columns are all text (or NULL).
    async fn texts(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
        use sqlx::Row as _;
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        match self {
            Conn::Sqlite(c) => sqlx::query(sql)
                .fetch_all(c)
                .await
                .unwrap()
                .iter()
                .map(|row| (0..row.len()).map(|i| row.get(i)).collect())
                .collect(),
            Conn::Postgres(c) => sqlx::query(sql)
                .fetch_all(c)
                .await
                .unwrap()
                .iter()
                .map(|row| (0..row.len()).map(|i| row.get(i)).collect())
                .collect(),
        }
    }
}

fn init_script(kind: Kind) -> &'static str {
    match kind {
        Kind::Sqlite => include_str!("../crates/broker/src/migrations/sqlite/0001_init.sql"),
        Kind::Postgres => include_str!("../crates/broker/src/migrations/postgres/0001_init.sql"),
    }
}

/// The checksum recorded for migration 1.
fn recorded_checksum(db: &TestDb, kind: Kind) -> Option<String> {
    runtime().block_on(async {
        let mut conn = Conn::open(db, kind).await;
        conn.texts("SELECT checksum FROM pactum_migrations WHERE version = 1")
            .await
            .remove(0)
            .remove(0)
    })
}

/// Why a broker would not start on `db`.
fn start_error(db: &TestDb) -> String {
    let mut config = pactum::broker::BrokerConfig::new(db.url.clone());
    config.port = 0;
    match runtime().block_on(pactum::broker::Broker::bind(config)) {
        Ok(_) => panic!("the broker started"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn a_database_from_before_checksums_keeps_working_and_gets_them() {
    for kind in backends() {
        let db = TestDb::new(kind);
        // Exactly what pactum's migration runner did before it kept checksums, plus some data.
        runtime().block_on(async {
            let mut conn = Conn::open(&db, kind).await;
            conn.execute(
                "CREATE TABLE IF NOT EXISTS pactum_migrations (version BIGINT PRIMARY KEY, \
                 name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await;
            conn.execute(init_script(kind)).await;
            conn.execute(
                "INSERT INTO pactum_migrations (version, name, applied_at) \
                 VALUES (1, '0001_init.sql', 1700000000000000); \
                 INSERT INTO pacticipants (name, created_at, updated_at) \
                 VALUES ('legacy', 1700000000000000, 1700000000000000)",
            )
            .await;
        });
        {
            let broker = TestBroker::start(&db);
            assert_eq!(
                broker.ok("/pacticipants/legacy")["name"],
                "legacy",
                "{kind:?}"
            );
            let (status, body) =
                broker.publish("web", "1", Some("main"), &[], &[pact("web", "api", &["a"])]);
            assert_eq!(status, 200, "{kind:?}: {body}");
        }
        let checksum = recorded_checksum(&db, kind).expect("a checksum is recorded");
        assert!(
            checksum.len() == 64 && checksum.bytes().all(|b| b.is_ascii_hexdigit()),
            "{checksum}"
        );
        // Started again, it checks the adopted checksum and finds it matches.
        let broker = TestBroker::start(&db);
        assert_eq!(broker.count("pactPublications"), 1, "{kind:?}");
        assert_eq!(recorded_checksum(&db, kind).as_deref(), Some(&*checksum));
    }
}

#[test]
fn an_applied_migration_that_changed_is_refused_at_start_naming_it() {
    for kind in backends() {
        let db = TestDb::new(kind);
        let applied = {
            let broker = TestBroker::start(&db);
            assert_eq!(
                broker
                    .post(
                        "/environments",
                        &json!({"name": "prod", "production": true})
                    )
                    .0,
                201
            );
            recorded_checksum(&db, kind).unwrap()
        };
        // The same as a build whose 0001_init.sql differs from the one that was applied.
        let other = "0".repeat(64);
        runtime().block_on(async {
            let mut conn = Conn::open(&db, kind).await;
            conn.execute(&format!(
                "UPDATE pactum_migrations SET checksum = '{other}' WHERE version = 1"
            ))
            .await;
        });
        let error = start_error(&db);
        for expected in [
            "0001_init.sql",
            "changed after it was applied",
            &other,
            &applied,
            "new migration",
        ] {
            assert!(
                error.contains(expected),
                "{kind:?}: {expected:?} in {error}"
            );
        }
        // Nothing was changed: the refusal is the same the next time.
        assert_eq!(recorded_checksum(&db, kind), Some(other.clone()));
        assert_eq!(start_error(&db), error);
    }
}

/// Tables → columns (name, type, not null), primary key, and indexes (columns, unique,
/// partial), with each backend's spellings normalised.
#[derive(Debug, PartialEq, Eq)]
struct Table {
    columns: Vec<(String, String, bool)>,
    primary_key: Vec<String>,
    indexes: BTreeSet<(Vec<String>, bool, bool)>,
}

fn column_type(kind: Kind, declared: &str) -> String {
    match (kind, declared.to_ascii_lowercase().as_str()) {
        // SQLite's integers are 64 bits whatever the declaration; PostgreSQL's `integer` is 32.
        (Kind::Sqlite, "integer" | "bigint") | (Kind::Postgres, "bigint") => "int64".into(),
        (Kind::Postgres, "integer") => "int32".into(),
        (_, other) => other.to_owned(),
    }
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

async fn schema(conn: &mut Conn) -> BTreeMap<String, Table> {
    let mut tables = BTreeMap::new();
    match conn {
        Conn::Sqlite(_) => {
            let names = conn
                .texts("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .await;
            for name in names.iter().map(|row| text(&row[0]).to_owned()) {
                let columns = conn
                    .texts(&format!(
                        "SELECT name, type, CAST(\"notnull\" AS TEXT), CAST(pk AS TEXT) \
                         FROM pragma_table_info('{name}') ORDER BY cid"
                    ))
                    .await;
                let mut primary_key: Vec<(String, String)> = columns
                    .iter()
                    .filter(|c| text(&c[3]) != "0")
                    .map(|c| (text(&c[3]).to_owned(), text(&c[0]).to_owned()))
                    .collect();
                primary_key.sort();
                let mut indexes = BTreeSet::new();
                let listed = conn
                    .texts(&format!(
                        "SELECT name, CAST(\"unique\" AS TEXT), origin, CAST(partial AS TEXT) \
                         FROM pragma_index_list('{name}')"
                    ))
                    .await;
                for index in listed.iter().filter(|i| text(&i[2]) != "pk") {
                    let index_columns = conn
                        .texts(&format!(
                            "SELECT name FROM pragma_index_info('{}') ORDER BY seqno",
                            text(&index[0])
                        ))
                        .await
                        .iter()
                        .map(|c| text(&c[0]).to_owned())
                        .collect();
                    indexes.insert((
                        index_columns,
                        text(&index[1]) == "1",
                        text(&index[3]) == "1",
                    ));
                }
                tables.insert(
                    name,
                    Table {
                        columns: columns
                            .iter()
                            .map(|c| {
                                (
                                    text(&c[0]).to_owned(),
                                    column_type(Kind::Sqlite, text(&c[1])),
                                    // SQLite does not mark an INTEGER PRIMARY KEY NOT NULL, but
                                    // it never holds NULL.
                                    text(&c[2]) == "1" || text(&c[3]) != "0",
                                )
                            })
                            .collect(),
                        primary_key: primary_key.into_iter().map(|(_, c)| c).collect(),
                        indexes,
                    },
                );
            }
        }
        Conn::Postgres(_) => {
            let names = conn
                .texts(
                    "SELECT table_name::text FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
                )
                .await;
            for name in names.iter().map(|row| text(&row[0]).to_owned()) {
                let columns = conn
                    .texts(&format!(
                        "SELECT column_name::text, data_type::text, is_nullable::text \
                         FROM information_schema.columns \
                         WHERE table_schema = current_schema() AND table_name = '{name}' \
                         ORDER BY ordinal_position"
                    ))
                    .await;
                let listed = conn
                    .texts(&format!(
                        "SELECT (SELECT string_agg(a.attname, ',' ORDER BY k.ord) \
                                 FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                                 JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum), \
                                ix.indisunique::text, ix.indisprimary::text, (ix.indpred IS NOT NULL)::text \
                         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
                         JOIN pg_namespace n ON n.oid = t.relnamespace \
                         WHERE n.nspname = current_schema() AND t.relname = '{name}'"
                    ))
                    .await;
                let split = |list: &Option<String>| -> Vec<String> {
                    text(list).split(',').map(str::to_owned).collect()
                };
                tables.insert(
                    name,
                    Table {
                        columns: columns
                            .iter()
                            .map(|c| {
                                (
                                    text(&c[0]).to_owned(),
                                    column_type(Kind::Postgres, text(&c[1])),
                                    text(&c[2]) == "NO",
                                )
                            })
                            .collect(),
                        primary_key: listed
                            .iter()
                            .find(|i| text(&i[2]) == "true")
                            .map(|i| split(&i[0]))
                            .unwrap_or_default(),
                        indexes: listed
                            .iter()
                            .filter(|i| text(&i[2]) != "true")
                            .map(|i| (split(&i[0]), text(&i[1]) == "true", text(&i[3]) == "true"))
                            .collect(),
                    },
                );
            }
        }
    }
    tables
}

#[test]
fn sqlite_and_postgresql_schemas_define_the_same_tables_columns_and_indexes() {
    let kinds = backends();
    if !kinds.contains(&Kind::Postgres) {
        eprintln!("schema comparison skipped: no PostgreSQL");
        return;
    }
    let schemas: Vec<BTreeMap<String, Table>> = kinds
        .iter()
        .map(|&kind| {
            let db = TestDb::new(kind);
            // Migrated by a broker, as in production.
            drop(TestBroker::start(&db));
            runtime().block_on(async { schema(&mut Conn::open(&db, kind).await).await })
        })
        .collect();
    let (sqlite, postgres) = (&schemas[0], &schemas[1]);
    // The comparison is not vacuous: the schema is there, with its keys and indexes.
    for table in [
        "pactum_migrations",
        "pacticipants",
        "versions",
        "latest_verifications",
    ] {
        assert!(sqlite.contains_key(table), "{table}: {:?}", sqlite.keys());
    }
    assert_eq!(
        sqlite["versions"].primary_key,
        ["id"],
        "{:?}",
        sqlite["versions"]
    );
    assert!(
        sqlite["deployed_versions"].indexes.contains(&(
            vec![
                "pacticipant_id".into(),
                "environment_id".into(),
                "application_instance".into()
            ],
            true,
            true
        )),
        "{:?}",
        sqlite["deployed_versions"]
    );
    assert_eq!(
        sqlite.keys().collect::<Vec<_>>(),
        postgres.keys().collect::<Vec<_>>()
    );
    for (name, table) in sqlite {
        assert_eq!(
            table, &postgres[name],
            "table {name}: SQLite, then PostgreSQL"
        );
    }
}
