//! Reaching the database at start-up, so a broker that cannot start says at once which
//! database and why: the first PostgreSQL connection is made within a few seconds (a server
//! that is still starting gets those seconds) or refused with the reason — refused, host name
//! not resolved, authentication failed, no such database, TLS — and a SQLite file is opened
//! for writing before the driver opens it, so its path and the operating system's error are
//! known. Not here: the pools, queries and migrations (`db`).

use std::fmt;
use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::PgConnectOptions;
use tokio::time::Instant;

use super::DbError;

/// How long the first PostgreSQL connection may take, retries included.
pub const FIRST_CONNECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the broker could not connect to its PostgreSQL server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailure {
    /// Nothing listens at that host and port.
    Refused,
    /// The host name does not resolve.
    NameNotResolved,
    /// The server refused the user name or password.
    AuthenticationFailed,
    /// The server has no database of that name.
    NoSuchDatabase,
    /// The TLS connection could not be set up.
    Tls,
    /// Nothing answered within [`FIRST_CONNECTION_TIMEOUT`].
    TimedOut,
    /// Anything else (the driver's error says what).
    Other,
}

impl ConnectFailure {
    /// Classifies the driver's error.
    pub fn of(error: &sqlx::Error) -> Self {
        match error {
            sqlx::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused => ConnectFailure::Refused,
                ErrorKind::TimedOut => ConnectFailure::TimedOut,
                // The standard library's resolver errors have no kind of their own.
                _ if io.to_string().contains("failed to lookup address") => {
                    ConnectFailure::NameNotResolved
                }
                _ => ConnectFailure::Other,
            },
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // invalid_password, invalid_authorization_specification.
                Some("28P01" | "28000") => ConnectFailure::AuthenticationFailed,
                // invalid_catalog_name.
                Some("3D000") => ConnectFailure::NoSuchDatabase,
                _ => ConnectFailure::Other,
            },
            sqlx::Error::Tls(_) => ConnectFailure::Tls,
            sqlx::Error::PoolTimedOut => ConnectFailure::TimedOut,
            _ => ConnectFailure::Other,
        }
    }
}

impl fmt::Display for ConnectFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectFailure::Refused => f.write_str(
                "connection refused (is PostgreSQL running and listening on that host and port?)",
            ),
            ConnectFailure::NameNotResolved => f.write_str("the host name does not resolve"),
            ConnectFailure::AuthenticationFailed => {
                f.write_str("authentication failed (check the user name and password)")
            }
            ConnectFailure::NoSuchDatabase => f.write_str("the database does not exist"),
            ConnectFailure::Tls => f.write_str("the TLS connection failed"),
            ConnectFailure::TimedOut => write!(
                f,
                "no answer within {} s",
                FIRST_CONNECTION_TIMEOUT.as_secs()
            ),
            ConnectFailure::Other => f.write_str("the connection failed"),
        }
    }
}

/// Where `options` connect, for messages and logs: `postgres://user@host:port/db`, never the
/// password.
pub fn describe(options: &PgConnectOptions) -> String {
    let host = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    let database = options
        .get_database()
        .map(|name| format!("/{name}"))
        .unwrap_or_default();
    format!("postgres://{}@{host}{database}", options.get_username())
}

/// Makes (and closes) one connection with `options`. A refused connection is tried again
/// until [`FIRST_CONNECTION_TIMEOUT`] (a server that is starting refuses for a moment); any
/// other failure, or that time running out, is the error, naming `target` and the cause.
pub async fn first_connection(options: &PgConnectOptions, target: &str) -> Result<(), DbError> {
    let deadline = Instant::now() + FIRST_CONNECTION_TIMEOUT;
    let mut pause = Duration::from_millis(100);
    loop {
        let failed = |failure, source| DbError::Connect {
            target: target.to_owned(),
            failure,
            source,
        };
        let attempt = tokio::time::timeout_at(deadline, options.connect()).await;
        let error = match attempt {
            Ok(Ok(connection)) => {
                // The pool makes its own connections; this one only proved the server answers.
                let _ = sqlx::Connection::close(connection).await;
                return Ok(());
            }
            Ok(Err(error)) => error,
            Err(_) => return Err(failed(ConnectFailure::TimedOut, None)),
        };
        let failure = ConnectFailure::of(&error);
        if failure != ConnectFailure::Refused || Instant::now() + pause >= deadline {
            return Err(failed(failure, Some(error)));
        }
        tracing::debug!(database = target, "connection refused; trying again");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}

/// Opens the SQLite file at `path` for reading and writing, creating it (empty, which SQLite
/// reads as an empty database) when missing, so a missing directory or a file the broker may
/// not write is reported with the path and the operating system's error.
pub fn check_sqlite_file(path: &Path) -> Result<(), DbError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(drop)
        .map_err(|source| DbError::SqliteFile {
            path: path.to_owned(),
            source,
        })
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn failures_are_told_apart_by_the_drivers_error() {
        let io = |kind, text: &str| sqlx::Error::Io(std::io::Error::new(kind, text.to_owned()));
        assert_eq!(
            ConnectFailure::of(&io(ErrorKind::ConnectionRefused, "Connection refused")),
            ConnectFailure::Refused
        );
        assert_eq!(
            ConnectFailure::of(&io(
                ErrorKind::Other,
                "failed to lookup address information: Name or service not known"
            )),
            ConnectFailure::NameNotResolved
        );
        assert_eq!(
            ConnectFailure::of(&sqlx::Error::Tls("handshake failed".into())),
            ConnectFailure::Tls
        );
        assert_eq!(
            ConnectFailure::of(&sqlx::Error::PoolTimedOut),
            ConnectFailure::TimedOut
        );
        assert_eq!(
            ConnectFailure::of(&io(ErrorKind::Other, "something else")),
            ConnectFailure::Other
        );
    }

    #[test]
    fn the_target_names_user_host_port_and_database_but_not_the_password() {
        let options =
            PgConnectOptions::from_str("postgres://pactum:s3cret@db.internal:6543/broker").unwrap();
        assert_eq!(
            describe(&options),
            "postgres://pactum@db.internal:6543/broker"
        );
    }
}
