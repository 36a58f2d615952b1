//! The database layer: one code path for SQLite and PostgreSQL.
//!
//! Store code writes each statement once, with `$1`-style placeholders (both drivers accept
//! them), binds [`Arg`]s and reads [`Row`] columns by index. The few places where the dialects
//! differ ask the transaction ([`Tx::for_update`], [`Tx::in_list`]). Every operation runs in a transaction:
//! writes through `write_tx!`, which retries when a concurrent writer got in first, reads
//! through `read_tx!`, which sees one consistent snapshot.

mod connect;
mod migrate;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Postgres, Row as _, Sqlite, Transaction};

pub use connect::{ConnectFailure, FIRST_CONNECTION_TIMEOUT};

/// Why the database could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database URL is not one pactum understands.
    #[error(
        "unsupported database URL `{0}`: use sqlite://FILE (or a plain file path) or postgres://USER@HOST/DB"
    )]
    UnsupportedUrl(String),
    /// The driver reported an error.
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    /// The PostgreSQL server cannot be reached, or refuses the broker.
    #[error("cannot connect to {target}: {failure}")]
    Connect {
        /// The server and database, as `postgres://user@host:port/db` (never the password).
        target: String,
        /// Why.
        failure: ConnectFailure,
        /// The driver's error; none when nothing answered in time.
        #[source]
        source: Option<sqlx::Error>,
    },
    /// The SQLite database file cannot be opened (or created) for reading and writing.
    #[error("cannot open the SQLite database {}: {source}", path.display())]
    SqliteFile {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// SQLite cannot use the database file.
    #[error("cannot open the SQLite database {}", path.display())]
    SqliteOpen {
        /// The file.
        path: PathBuf,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A migration failed; the database is left as it was before it.
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        /// The migration's number.
        version: i64,
        /// Its file name.
        name: &'static str,
        /// The driver's error.
        source: sqlx::Error,
    },
    /// A migration applied to this database has changed since; nothing was migrated.
    #[error(
        "migration {name} (number {version}) was changed after it was applied to this database \
         (checksum then {recorded}, in this build {embedded}): an applied migration must never \
         change; restore {name} as it was and put the change in a new migration, or run the \
         pactum version that applied it"
    )]
    MigrationChanged {
        /// The migration's number.
        version: i64,
        /// Its file name.
        name: &'static str,
        /// The checksum recorded when it was applied.
        recorded: String,
        /// The checksum of this build's file.
        embedded: String,
    },
    /// A migration is missing from this database although a later one was applied; nothing
    /// was migrated.
    #[error(
        "migration {name} (number {version}) was never applied to this database, which already \
         has migration {latest_applied}: migrations only run in order; renumber it above \
         {latest_applied}"
    )]
    MigrationOutOfOrder {
        /// The migration's number.
        version: i64,
        /// Its file name.
        name: &'static str,
        /// The newest migration the database has.
        latest_applied: i64,
    },
}

impl DbError {
    /// Whether retrying the whole transaction may succeed: a concurrent writer inserted the same
    /// key, PostgreSQL detected a deadlock or a serialisation failure, or SQLite was busy.
    pub fn is_transient(&self) -> bool {
        let DbError::Sqlx(sqlx::Error::Database(error)) = self else {
            return false;
        };
        if error.is_unique_violation() {
            return true;
        }
        let sqlite = error
            .as_error()
            .downcast_ref::<sqlx::sqlite::SqliteError>()
            .is_some();
        match error.code().as_deref() {
            // 5 SQLITE_BUSY, 6 SQLITE_LOCKED and their extended codes (low byte).
            Some(code) if sqlite => code
                .parse::<i64>()
                .is_ok_and(|code| matches!(code & 0xff, 5 | 6)),
            // serialization_failure, deadlock_detected.
            Some(code) => matches!(code, "40001" | "40P01"),
            None => false,
        }
    }
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A pool of connections to the broker's database.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    /// SQLite has one writer at a time. Writers of this process take turns here instead of
    /// polling the database's lock (SQLite's busy handler sleeps up to 100 ms between tries,
    /// which caps throughput and inflates latency); other processes still meet the busy
    /// timeout.
    sqlite_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite {
        /// Read transactions.
        read: SqlitePool,
        /// Write transactions: one connection (the same pool as `read` for an in-memory
        /// database). Each SQLite connection caches pages, and a connection that sees another
        /// one's commit drops its whole cache; writing always through the same connection keeps
        /// the writer's cache warm instead of re-reading the pages every write touches.
        write: SqlitePool,
    },
    Postgres(PgPool),
}

/// One value bound to a `$n` placeholder.
#[derive(Debug, Clone)]
pub enum Arg {
    /// An integer (ids, timestamps, counts).
    Int(Option<i64>),
    /// Text.
    Text(Option<String>),
    /// A boolean.
    Bool(Option<bool>),
    /// A list of texts, bound as one value whatever its length (a placeholder per item would
    /// meet the drivers' limit on bound values: 32,766 on SQLite, 65,535 on PostgreSQL); match
    /// against it with [`Tx::in_list`].
    TextList(Vec<String>),
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Arg::Int(Some(value))
    }
}
impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Arg::Int(value)
    }
}
impl From<bool> for Arg {
    fn from(value: bool) -> Self {
        Arg::Bool(Some(value))
    }
}
impl From<Option<bool>> for Arg {
    fn from(value: Option<bool>) -> Self {
        Arg::Bool(value)
    }
}
impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(Some(value.to_owned()))
    }
}
impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(Some(value))
    }
}
impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Arg::Text(Some(value.clone()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Self {
        Arg::Text(value.map(str::to_owned))
    }
}
impl From<Option<String>> for Arg {
    fn from(value: Option<String>) -> Self {
        Arg::Text(value)
    }
}
impl From<&Option<String>> for Arg {
    fn from(value: &Option<String>) -> Self {
        Arg::Text(value.clone())
    }
}

/// Builds a `Vec<Arg>` from values of mixed types.
macro_rules! args {
    ($($value:expr),* $(,)?) => {
        vec![$($crate::db::Arg::from($value)),*]
    };
}
pub(crate) use args;

/// One result row; columns are read by index, in `SELECT` order.
pub enum Row {
    /// A SQLite row.
    Sqlite(SqliteRow),
    /// A PostgreSQL row.
    Postgres(PgRow),
}

macro_rules! column {
    ($row:expr, $index:expr, $ty:ty) => {
        match $row {
            Row::Sqlite(row) => row.try_get::<$ty, usize>($index),
            Row::Postgres(row) => row.try_get::<$ty, usize>($index),
        }
        .unwrap_or_else(|error| panic!("column {} of a broker query: {error}", $index))
    };
}

// A column of the wrong type is a bug in a query written in this module's callers, not a
// condition the broker can recover from at run time; the panic names the column.
impl Row {
    /// An integer column.
    pub fn int(&self, index: usize) -> i64 {
        self.opt_int(index)
            .unwrap_or_else(|| panic!("column {index} of a broker query is NULL"))
    }
    /// A nullable integer column. PostgreSQL types integer literals and some expressions as
    /// INT4, so both widths are read.
    pub fn opt_int(&self, index: usize) -> Option<i64> {
        match self {
            Row::Sqlite(row) => row.try_get::<Option<i64>, usize>(index),
            Row::Postgres(row) => row.try_get::<Option<i64>, usize>(index).or_else(|_| {
                row.try_get::<Option<i32>, usize>(index)
                    .map(|v| v.map(i64::from))
            }),
        }
        .unwrap_or_else(|error| panic!("column {index} of a broker query: {error}"))
    }
    /// A text column.
    pub fn text(&self, index: usize) -> String {
        column!(self, index, String)
    }
    /// A nullable text column.
    pub fn opt_text(&self, index: usize) -> Option<String> {
        column!(self, index, Option<String>)
    }
    /// A boolean column.
    pub fn bool(&self, index: usize) -> bool {
        column!(self, index, bool)
    }
    /// A nullable boolean column.
    pub fn opt_bool(&self, index: usize) -> Option<bool> {
        column!(self, index, Option<bool>)
    }
}

/// An open transaction on either backend.
pub struct Tx {
    inner: TxInner,
    /// For SQLite writes: this process's turn to write (see [`Db::begin`]).
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

// `$list` turns a text list into what the backend binds: a JSON array for SQLite (read with
// `json_each`), a `text[]` for PostgreSQL.
macro_rules! bind_all {
    ($query:expr, $args:expr, $list:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
                Arg::Bool(value) => query.bind(value),
                Arg::TextList(values) => query.bind($list(values)),
            };
        }
        query
    }};
}

fn sqlite_list(values: Vec<String>) -> String {
    serde_json::Value::from(values).to_string()
}

fn postgres_list(values: Vec<String>) -> Vec<String> {
    values
}

impl Tx {
    /// Which database this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self.inner {
            TxInner::Sqlite(_) => Backend::Sqlite,
            TxInner::Postgres(_) => Backend::Postgres,
        }
    }

    /// ` FOR UPDATE` on PostgreSQL (row lock); nothing on SQLite, whose write transactions
    /// already hold the database's one write lock.
    pub fn for_update(&self) -> &'static str {
        match self.inner {
            TxInner::Sqlite(_) => "",
            TxInner::Postgres(_) => " FOR UPDATE",
        }
    }

    /// ` FOR UPDATE SKIP LOCKED` on PostgreSQL, for taking rows other transactions are not
    /// working on (a queue); nothing on SQLite, whose write transactions hold the one write lock.
    pub fn for_update_skip_locked(&self) -> &'static str {
        match self.inner {
            TxInner::Sqlite(_) => "",
            TxInner::Postgres(_) => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// A subquery yielding the items of the [`Arg::TextList`] bound to `placeholder` (`$3`),
    /// for `column IN (…)`.
    pub fn in_list(&self, placeholder: &str) -> String {
        match self.inner {
            TxInner::Sqlite(_) => format!("(SELECT value FROM json_each({placeholder}))"),
            TxInner::Postgres(_) => format!("(SELECT unnest({placeholder}::text[]))"),
        }
    }

    /// Runs a statement; returns the number of rows it changed.
    pub async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> Result<u64, DbError> {
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match &mut self.inner {
            TxInner::Sqlite(tx) => bind_all!(sqlx::query(sql), args, sqlite_list)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            TxInner::Postgres(tx) => bind_all!(sqlx::query(sql), args, postgres_list)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs a query and returns every row.
    pub async fn rows(&mut self, sql: &str, args: Vec<Arg>) -> Result<Vec<Row>, DbError> {
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match &mut self.inner {
            TxInner::Sqlite(tx) => bind_all!(sqlx::query(sql), args, sqlite_list)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Sqlite)
                .collect(),
            TxInner::Postgres(tx) => bind_all!(sqlx::query(sql), args, postgres_list)
                .fetch_all(&mut **tx)
                .await?
                .into_iter()
                .map(Row::Postgres)
                .collect(),
        })
    }

    /// Runs a query and returns its first row, if any.
    pub async fn row(&mut self, sql: &str, args: Vec<Arg>) -> Result<Option<Row>, DbError> {
        let sql = AssertSqlSafe(sql.to_owned());
        Ok(match &mut self.inner {
            TxInner::Sqlite(tx) => bind_all!(sqlx::query(sql), args, sqlite_list)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Sqlite),
            TxInner::Postgres(tx) => bind_all!(sqlx::query(sql), args, postgres_list)
                .fetch_optional(&mut **tx)
                .await?
                .map(Row::Postgres),
        })
    }

    /// Runs a query expected to return one integer (an id, a count).
    pub async fn int(&mut self, sql: &str, args: Vec<Arg>) -> Result<Option<i64>, DbError> {
        Ok(self.row(sql, args).await?.and_then(|row| row.opt_int(0)))
    }

    /// Commits when `outcome` is a success, rolls back otherwise; a failed commit becomes the
    /// outcome.
    pub(crate) async fn finish<T, E: From<DbError>>(self, outcome: Result<T, E>) -> Result<T, E> {
        match outcome {
            Ok(value) => self.commit().await.map(|()| value).map_err(E::from),
            Err(error) => {
                // The error is what matters; a failed rollback closes the connection.
                let _ = self.rollback().await;
                Err(error)
            }
        }
    }

    async fn commit(self) -> Result<(), DbError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<(), DbError> {
        match self.inner {
            TxInner::Sqlite(tx) => tx.rollback().await?,
            TxInner::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    /// Runs a [`Batch`]'s statements in order and returns each one's rows (none for a statement
    /// without `RETURNING` or a result), in the order they were pushed. On SQLite the statements
    /// go to the connection's thread as one multi-statement query, so they cost one round trip
    /// to it instead of one each; on PostgreSQL they run one at a time. A failing statement
    /// stops the batch with its error, the statements before it having run (the transaction
    /// then rolls back as a whole).
    pub async fn batch(&mut self, batch: Batch) -> Result<BatchRows, DbError> {
        let count = batch.statements.len();
        let mut out = Vec::with_capacity(count);
        match &mut self.inner {
            TxInner::Sqlite(tx) => {
                if count == 0 {
                    return Ok(BatchRows(out));
                }
                let (sql, args) = batch.joined();
                // sqlx's SQLite driver prepares each statement of the text in turn and binds
                // `$n` to the n-th argument of the whole list; it reports each statement's
                // end as a `Left` after its rows. (Its `Query::fetch_many` is deprecated for
                // the other drivers' sake; `Executor::fetch_many` is the same call.)
                let query = bind_all!(sqlx::query(AssertSqlSafe(sql)), args, sqlite_list);
                let mut stream = sqlx::Executor::fetch_many(&mut **tx, query);
                let mut current = Vec::new();
                while let Some(item) =
                    std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await
                {
                    match item? {
                        sqlx::Either::Left(_) => out.push(std::mem::take(&mut current)),
                        sqlx::Either::Right(row) => current.push(Row::Sqlite(row)),
                    }
                }
                // Each statement ends with one `Left`; anything else (an empty statement, a
                // driver that changed) fails the transaction rather than misreading rows.
                if out.len() != count {
                    return Err(DbError::Sqlx(sqlx::Error::Protocol(format!(
                        "a batch of {count} statements returned the results of {}",
                        out.len()
                    ))));
                }
            }
            TxInner::Postgres(_) => {
                for (sql, args, unless_found) in batch.statements {
                    let skip = unless_found.is_some_and(|found: usize| !out[found].is_empty());
                    out.push(if skip {
                        Vec::new()
                    } else {
                        self.rows(&sql, args).await?
                    });
                }
            }
        }
        Ok(BatchRows(out))
    }

    async fn execute_script(&mut self, script: &str) -> Result<(), sqlx::Error> {
        let script = AssertSqlSafe(script.to_owned());
        match &mut self.inner {
            TxInner::Sqlite(tx) => sqlx::raw_sql(script).execute(&mut **tx).await.map(drop),
            TxInner::Postgres(tx) => sqlx::raw_sql(script).execute(&mut **tx).await.map(drop),
        }
    }
}

/// Statements to run together with [`Tx::batch`], each written and bound as for
/// [`Tx::rows`] (its own `$1`, `$2`… and arguments). A statement cannot use what an earlier
/// one of the batch returned, only what it wrote: later statements find rows by their keys
/// (`SELECT id FROM versions WHERE …` as a subquery).
#[derive(Debug, Default)]
pub struct Batch {
    /// Each statement, its arguments, and the statement whose finding a row makes it
    /// unnecessary (see [`Batch::push_unless_found`]).
    statements: Vec<(String, Vec<Arg>, Option<usize>)>,
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a statement (one, without a trailing `;`); returns its index in the results.
    pub fn push(&mut self, sql: impl Into<String>, args: Vec<Arg>) -> usize {
        self.statements.push((sql.into(), args, None));
        self.statements.len() - 1
    }

    /// Adds a statement needed only when statement `found` returned no row (an insert of
    /// what a select looked for). PostgreSQL, running the statements one at a time, skips it
    /// otherwise (it returns no row then); SQLite runs it anyway, in the same call, so it must
    /// change nothing when the row exists (`… WHERE NOT EXISTS …`).
    pub fn push_unless_found(
        &mut self,
        found: usize,
        sql: impl Into<String>,
        args: Vec<Arg>,
    ) -> usize {
        assert!(found < self.statements.len(), "an earlier statement");
        self.statements.push((sql.into(), args, Some(found)));
        self.statements.len() - 1
    }

    /// The statements as one SQLite text, each statement's placeholders shifted past the
    /// arguments of the statements before it, and all the arguments in order.
    fn joined(self) -> (String, Vec<Arg>) {
        let size = self.statements.iter().map(|(sql, ..)| sql.len() + 8).sum();
        let mut sql = String::with_capacity(size);
        let mut args = Vec::new();
        for (statement, statement_args, _) in self.statements {
            shift_placeholders(&statement, args.len(), &mut sql);
            sql.push_str(";\n");
            args.extend(statement_args);
        }
        (sql, args)
    }
}

/// Appends `sql` to `out` with every `$n` placeholder outside quotes written `$(n + by)`.
fn shift_placeholders(sql: &str, by: usize, out: &mut String) {
    let mut quote = None;
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '$') if chars.peek().is_some_and(|(_, d)| d.is_ascii_digit()) => {
                let mut n = 0usize;
                while let Some(digit) = chars.peek().and_then(|(_, d)| d.to_digit(10)) {
                    n = n * 10 + digit as usize;
                    chars.next();
                }
                out.push('$');
                out.push_str(&(n + by).to_string());
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
}

/// The rows each statement of a [`Batch`] returned, by the index [`Batch::push`] gave it.
pub struct BatchRows(Vec<Vec<Row>>);

impl BatchRows {
    /// Every row statement `index` returned.
    pub fn rows(&self, index: usize) -> &[Row] {
        &self.0[index]
    }

    /// The first row statement `index` returned, if any.
    pub fn row(&self, index: usize) -> Option<&Row> {
        self.0[index].first()
    }

    /// Every row statement `index` returned, taken out (left empty).
    pub fn take(&mut self, index: usize) -> Vec<Row> {
        std::mem::take(&mut self.0[index])
    }
}

/// How many times a write transaction is attempted before a transient failure is reported.
const WRITE_ATTEMPTS: u32 = 8;

/// Whether a write transaction that ended with `outcome` should run again (after a short
/// pause): it failed because of a concurrent writer and has attempts left.
pub(crate) async fn retry<T, E: AsTransient>(outcome: &Result<T, E>, attempt: &mut u32) -> bool {
    match outcome {
        Err(error) if error.is_transient() && *attempt < WRITE_ATTEMPTS => {
            *attempt += 1;
            tokio::time::sleep(Duration::from_millis(5 * u64::from(*attempt))).await;
            true
        }
        _ => false,
    }
}

/// Runs a block in a write transaction: commits it when the block returns `Ok`, rolls it back
/// otherwise, and runs it again from the start when it failed because of a concurrent writer
/// (a unique key inserted first, a deadlock, a busy database). So callers see all of their
/// changes or none. The block sees the transaction as `$tx: &mut Tx`; `?` and `return` in it
/// leave the block, not the enclosing function.
macro_rules! write_tx {
    ($db:expr, $tx:ident => $body:expr) => {{
        let mut attempt = 1u32;
        loop {
            let mut owned = $db.begin(true).await?;
            let outcome = {
                let $tx = &mut owned;
                async { $body }.await
            };
            let outcome = owned.finish(outcome).await;
            if !$crate::db::retry(&outcome, &mut attempt).await {
                break outcome;
            }
        }
    }};
}
pub(crate) use write_tx;

/// Runs a block in a read transaction (one consistent snapshot), then ends it.
macro_rules! read_tx {
    ($db:expr, $tx:ident => $body:expr) => {{
        let mut owned = $db.begin(false).await?;
        let outcome = {
            let $tx = &mut owned;
            async { $body }.await
        };
        let _ = owned.rollback().await;
        outcome
    }};
}
pub(crate) use read_tx;

impl Db {
    /// Opens a pool for `url`: `postgres://…`/`postgresql://…`, `sqlite://FILE`, `sqlite::memory:`
    /// or a plain file path (SQLite). A SQLite file is created when missing and put in WAL mode;
    /// one of its `max_connections` is kept for writes (two in all when `max_connections` is 1).
    /// Says where it connects (at info level, without the password) before trying; a
    /// PostgreSQL server that does not accept a connection within
    /// [`FIRST_CONNECTION_TIMEOUT`] is an error naming it and the cause.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let target = connect::describe(&options);
            tracing::info!("connecting to {target}");
            connect::first_connection(&options, &target).await?;
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(options)
                .await
                .map_err(|error| DbError::Connect {
                    target,
                    failure: ConnectFailure::of(&error),
                    source: Some(error),
                })?;
            Pool::Postgres(pool)
        } else if url.starts_with("sqlite:") || !url.contains("://") {
            let options = if url.starts_with("sqlite:") {
                SqliteConnectOptions::from_str(url)?
            } else {
                SqliteConnectOptions::new().filename(url)
            };
            let in_memory = url.contains(":memory:");
            let path = options.get_filename().to_owned();
            if in_memory {
                tracing::info!("opening an in-memory SQLite database");
            } else {
                tracing::info!("opening SQLite database {}", path.display());
                connect::check_sqlite_file(&path)?;
            }
            let options = options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL with NORMAL is durable across application crashes; only a power loss
                // can drop the last commits, never corrupt the file.
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let pool = |connections: u32| {
                SqlitePoolOptions::new()
                    .max_connections(connections)
                    // A connection to a local file does not go stale the way a network one
                    // does; testing it on every acquire would cost a round trip through its
                    // worker thread, which for a write happens while holding the write turn.
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
            };
            if in_memory {
                // One connection for an in-memory database: each connection would otherwise
                // see its own empty database.
                let only = pool(1)
                    .connect_with(options)
                    .await
                    .map_err(|source| DbError::SqliteOpen { path, source })?;
                Pool::Sqlite {
                    read: only.clone(),
                    write: only,
                }
            } else {
                // The writer's connection counts towards `max_connections`; at least one is
                // left for reads.
                let write = pool(1)
                    .connect_with(options.clone())
                    .await
                    .map_err(|source| DbError::SqliteOpen {
                        path: path.clone(),
                        source,
                    })?;
                let read = pool(max_connections.saturating_sub(1).max(1))
                    .connect_with(options)
                    .await
                    .map_err(|source| DbError::SqliteOpen { path, source })?;
                Pool::Sqlite { read, write }
            }
        } else {
            return Err(DbError::UnsupportedUrl(url.to_owned()));
        };
        Ok(Db {
            pool,
            sqlite_writer: Default::default(),
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite { .. } => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }

    /// Starts a transaction; `write` ones take SQLite's write lock at once. Callers use the
    /// [`write_tx!`] and [`read_tx!`] macros, which commit, roll back and retry.
    pub(crate) async fn begin(&self, write: bool) -> Result<Tx, DbError> {
        Ok(match &self.pool {
            Pool::Sqlite { write: pool, .. } if write => {
                let turn = self.sqlite_writer.clone().lock_owned().await;
                // IMMEDIATE takes SQLite's write lock at the start, so writers of other
                // processes queue on the busy timeout instead of failing when both try to
                // upgrade a read lock.
                Tx {
                    inner: TxInner::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
                    _turn: Some(turn),
                }
            }
            Pool::Sqlite { read: pool, .. } => Tx {
                inner: TxInner::Sqlite(pool.begin().await?),
                _turn: None,
            },
            // Reads see one snapshot (READ COMMITTED would let each statement see newer
            // commits); writes keep READ COMMITTED and lock what they depend on.
            Pool::Postgres(pool) if !write => Tx {
                inner: TxInner::Postgres(
                    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                        .await?,
                ),
                _turn: None,
            },
            Pool::Postgres(pool) => Tx {
                inner: TxInner::Postgres(pool.begin().await?),
                _turn: None,
            },
        })
    }

    /// Brings the schema up to date (see `db/migrate.rs`). Safe when several brokers start at once.
    /// Refuses, changing nothing, when a migration already applied to this database differs
    /// from this build's.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrations = match self.backend() {
            Backend::Sqlite => migrate::SQLITE,
            Backend::Postgres => migrate::POSTGRES,
        };
        migrate::run(self, migrations).await
    }
}

/// Errors that can tell whether retrying the transaction may help.
pub trait AsTransient {
    /// See [`DbError::is_transient`].
    fn is_transient(&self) -> bool;
}

impl AsTransient for DbError {
    fn is_transient(&self) -> bool {
        DbError::is_transient(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_shift_outside_quotes_only() {
        let mut out = String::from("x;");
        shift_placeholders(
            "SELECT $1, '$2', \"$3\", $10 || 'it''s $1', $2, $",
            3,
            &mut out,
        );
        assert_eq!(out, "x;SELECT $4, '$2', \"$3\", $13 || 'it''s $1', $5, $");
    }

    /// An in-memory SQLite database, and the PostgreSQL server of `PACTUM_TEST_DATABASE_URL`
    /// when it is set (the tests only create temporary tables, in transactions they roll back).
    async fn databases() -> Vec<Db> {
        let mut out = vec![Db::connect("sqlite::memory:", 1).await.unwrap()];
        if let Ok(url) = std::env::var("PACTUM_TEST_DATABASE_URL") {
            out.push(Db::connect(&url, 2).await.unwrap());
        }
        out
    }

    /// A batch whose results cannot be told apart by statement (here an empty statement, which
    /// SQLite runs as nothing) is an error, not rows handed to the wrong statement.
    #[tokio::test]
    async fn a_batch_whose_results_do_not_line_up_is_an_error() {
        let db = Db::connect("sqlite::memory:", 1).await.unwrap();
        let mut tx = db.begin(true).await.unwrap();
        let mut batch = Batch::new();
        batch.push("SELECT $1", args![1i64]);
        batch.push("", args![]);
        batch.push("SELECT $1", args![2i64]);
        let error = tx.batch(batch).await.err().expect("an error");
        assert!(
            error.to_string().contains("a batch of 3 statements"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_batch_runs_its_statements_in_order_and_returns_each_ones_rows() {
        for db in databases().await {
            let backend = db.backend();
            let mut tx = db.begin(true).await.unwrap();
            tx.execute(
                "CREATE TEMPORARY TABLE batch_test (id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
                args![],
            )
            .await
            .unwrap();
            let mut batch = Batch::new();
            let inserted = batch.push(
                "INSERT INTO batch_test (id, name) VALUES ($1, $2) RETURNING id",
                args![1i64, "one"],
            );
            let skipped = batch.push(
                "INSERT INTO batch_test (id, name) VALUES ($2, $1) ON CONFLICT (name) DO NOTHING \
                 RETURNING id",
                args!["one", 2i64],
            );
            let updated = batch.push(
                "UPDATE batch_test SET name = $1 WHERE id = $2",
                args!["uno", 1i64],
            );
            let read = batch.push(
                "SELECT id, name FROM batch_test WHERE id >= $1 ORDER BY id",
                args![0i64],
            );
            let last = batch.push(
                "INSERT INTO batch_test (id, name) SELECT id + $1, name || $2 FROM batch_test \
                 WHERE name = $3 RETURNING id, name",
                args![10i64, "!", "uno"],
            );
            let found = batch.push("SELECT id FROM batch_test WHERE name = $1", args!["uno"]);
            let unless_found = batch.push_unless_found(
                found,
                "INSERT INTO batch_test (id, name) SELECT $1, $2 \
                 WHERE NOT EXISTS (SELECT 1 FROM batch_test WHERE name = $2) RETURNING id",
                args![20i64, "uno"],
            );
            let not_found = batch.push("SELECT id FROM batch_test WHERE name = $1", args!["zwei"]);
            let needed = batch.push_unless_found(
                not_found,
                "INSERT INTO batch_test (id, name) SELECT $1, $2 \
                 WHERE NOT EXISTS (SELECT 1 FROM batch_test WHERE name = $2) RETURNING id",
                args![2i64, "zwei"],
            );
            let rows = tx.batch(batch).await.unwrap();
            assert_eq!(rows.row(found).map(|r| r.int(0)), Some(1), "{backend:?}");
            assert!(rows.row(unless_found).is_none(), "{backend:?}");
            assert!(rows.row(not_found).is_none(), "{backend:?}");
            assert_eq!(rows.row(needed).map(|r| r.int(0)), Some(2), "{backend:?}");
            assert_eq!(rows.row(inserted).map(|r| r.int(0)), Some(1), "{backend:?}");
            assert!(rows.row(skipped).is_none(), "{backend:?}");
            assert!(rows.rows(updated).is_empty(), "{backend:?}");
            let read: Vec<(i64, String)> = rows
                .rows(read)
                .iter()
                .map(|r| (r.int(0), r.text(1)))
                .collect();
            assert_eq!(read, [(1, "uno".to_owned())], "{backend:?}");
            let last: Vec<(i64, String)> = rows
                .rows(last)
                .iter()
                .map(|r| (r.int(0), r.text(1)))
                .collect();
            assert_eq!(last, [(11, "uno!".to_owned())], "{backend:?}");
            assert!(tx.batch(Batch::new()).await.unwrap().0.is_empty());

            // A failing statement ends the batch with its error; the ones after it do not run.
            let mut batch = Batch::new();
            batch.push(
                "INSERT INTO batch_test (id, name) VALUES ($1, $2)",
                args![4i64, "four"],
            );
            batch.push(
                "INSERT INTO batch_test (id, name) VALUES ($1, $2)",
                args![5i64, "uno"],
            );
            batch.push(
                "INSERT INTO batch_test (id, name) VALUES ($1, $2)",
                args![6i64, "six"],
            );
            let error = tx.batch(batch).await.err().expect("a duplicate name");
            assert!(error.is_transient(), "{backend:?}: {error}");
            if backend == Backend::Sqlite {
                // (A PostgreSQL transaction accepts nothing more after an error.)
                let ids: Vec<i64> = tx
                    .rows("SELECT id FROM batch_test ORDER BY id", args![])
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.int(0))
                    .collect();
                assert_eq!(ids, [1, 2, 4, 11]);
            }
            tx.rollback().await.unwrap();
        }
    }
}
