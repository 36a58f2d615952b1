//! `pactum broker`: run the contract broker until interrupted.

use std::io::{IsTerminal, Write};

use super::{BrokerArgs, CliError, EXIT_OK, LogFormat, Outcome};
use pactum_broker::{Broker, BrokerConfig, Credentials, Role};

fn credentials(args: &BrokerArgs) -> Result<Credentials, CliError> {
    let usage = |e: pactum_broker::auth::CredentialError| CliError::Usage(e.to_string());
    let mut credentials = Credentials::default();
    for token in &args.tokens {
        credentials.add_token(token).map_err(usage)?;
    }
    for pair in &args.basic_auth {
        credentials.add_basic(pair, Role::Write).map_err(usage)?;
    }
    for pair in &args.basic_auth_read_only {
        credentials.add_basic(pair, Role::Read).map_err(usage)?;
    }
    if let Some(file) = &args.auth_file {
        credentials.add_file(file).map_err(usage)?;
    }
    Ok(credentials)
}

pub(super) fn run(args: &BrokerArgs) -> Result<Outcome, CliError> {
    // Checked when the arguments were parsed.
    let filter = tracing_subscriber::EnvFilter::new(&args.log_level);
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match args.log_format {
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => logs.json().try_init(),
    };

    let mut config = BrokerConfig::new(args.database_url.clone());
    config.host = args.host;
    config.port = args.port;
    config.public_base_url = args.public_base_url.clone();
    config.max_body_bytes = args.max_body_size;
    config.credentials = credentials(args)?;
    config.allow_public_without_auth = args.allow_public_without_auth;
    config.max_connections = args.max_connections;
    config.http = args.connections.limits();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    runtime.block_on(async {
        let authenticated = !config.credentials.is_empty();
        let database = redact_url(&config.database_url);
        let broker = Broker::bind(config).await?;
        let addr = broker.local_addr();
        {
            // The first line of output says where to connect (useful with --port 0).
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(
                stdout,
                "pactum broker listening on http://{addr} (database {database}, authentication {})",
                if authenticated { "on" } else { "off" }
            );
            let _ = stdout.flush();
        }
        broker
            .serve(crate::signal::shutdown())
            .await
            .map_err(CliError::Output)?;
        tracing::info!("broker stopped");
        Ok::<_, CliError>(())
    })?;
    Ok(Outcome::new(String::new(), EXIT_OK))
}

/// The database URL without its password, for output.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_not_shown() {
        assert_eq!(
            redact_url("postgres://pactum:s3cret@db:5432/broker"),
            "postgres://pactum:***@db:5432/broker"
        );
        assert_eq!(redact_url("pactum.sqlite"), "pactum.sqlite");
    }
}
