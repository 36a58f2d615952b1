//! `pactum broker`: run the contract broker until interrupted.

use std::io::{IsTerminal, Write};

use std::time::Duration;

use super::{BrokerArgs, CliError, EXIT_OK, LogFormat, Outcome};
use pactum_broker::webhooks::{HostPattern, WebhookSettings};
use pactum_broker::{Broker, BrokerConfig, Credentials, Role, WebhookConfig};

// How the broker sends webhooks (`pactum broker --webhook-…`).
#[derive(Debug, clap::Args)]
pub(super) struct WebhookArgs {
    /// A URL scheme webhooks may use (repeatable; also from the auth file's webhooks; without
    /// any: https).
    #[arg(
        long = "webhook-allow-scheme",
        value_name = "SCHEME",
        env = "PACTUM_WEBHOOK_ALLOW_SCHEMES",
        value_delimiter = ','
    )]
    schemes: Vec<String>,
    /// An HTTP method webhooks may use (repeatable; also from the auth file's webhooks;
    /// without any: POST).
    #[arg(
        long = "webhook-allow-method",
        value_name = "METHOD",
        env = "PACTUM_WEBHOOK_ALLOW_METHODS",
        value_delimiter = ','
    )]
    methods: Vec<String>,
    /// A host webhooks may send to: a name, *.domain, an IP address or a CIDR range
    /// (repeatable; also from the auth file's webhooks). Without any, any public address is
    /// allowed; loopback, link-local and private addresses only when listed.
    #[arg(long = "webhook-allow-host", value_name = "HOST", env = "PACTUM_WEBHOOK_ALLOW_HOSTS",
          value_delimiter = ',', value_parser = parse_host_pattern)]
    hosts: Vec<HostPattern>,
    /// A secret webhooks can use as ${user.NAME} (repeatable; never shown by the API; also
    /// from the auth file's webhooks, which this overrides for the same name).
    #[arg(long = "webhook-secret", value_name = "NAME=VALUE", env = "PACTUM_WEBHOOK_SECRETS",
          value_delimiter = ',', hide_env_values = true, value_parser = parse_secret)]
    secrets: Vec<(String, String)>,
    /// Seconds to wait before each retry of a failed delivery, comma-separated.
    #[arg(
        long = "webhook-retry-schedule",
        value_name = "SECONDS,...",
        env = "PACTUM_WEBHOOK_RETRY_SCHEDULE",
        value_delimiter = ',',
        default_value = "10,60,120,300,600,1200"
    )]
    retry_schedule: Vec<u64>,
    /// Status codes that count as delivered: codes or ranges, comma-separated.
    #[arg(long = "webhook-success-codes", value_name = "CODES", env = "PACTUM_WEBHOOK_SUCCESS_CODES",
          value_delimiter = ',', default_value = "200-206", value_parser = parse_code_range)]
    success_codes: Vec<(u16, u16)>,
    /// Seconds one webhook request may take.
    #[arg(long = "webhook-timeout", value_name = "SECONDS", env = "PACTUM_WEBHOOK_TIMEOUT",
          default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    timeout: u64,
}

fn parse_host_pattern(text: &str) -> Result<HostPattern, String> {
    text.parse()
        .map_err(|e: pactum_broker::webhooks::HostPatternError| e.to_string())
}

fn parse_secret(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if pactum_broker::webhooks::is_secret_name(name) => {
            Ok((name.to_owned(), value.to_owned()))
        }
        _ => Err("expected NAME=VALUE, the name made of letters, digits and _".into()),
    }
}

fn parse_code_range(text: &str) -> Result<(u16, u16), String> {
    let code = |t: &str| {
        t.trim()
            .parse::<u16>()
            .ok()
            .filter(|c| (100..600).contains(c))
            .ok_or_else(|| format!("`{t}` is not an HTTP status code (100-599)"))
    };
    match text.split_once('-') {
        Some((low, high)) => {
            let (low, high) = (code(low)?, code(high)?);
            if low > high {
                return Err(format!("the range {low}-{high} is empty"));
            }
            Ok((low, high))
        }
        None => code(text).map(|c| (c, c)),
    }
}

impl WebhookArgs {
    /// The configuration of these flags and of the auth file's `file` settings: allow-lists
    /// joined (the defaults apply when neither gives a list), secrets of the flags replacing
    /// those of the file with the same name.
    fn config(&self, file: WebhookSettings) -> WebhookConfig {
        let mut config = WebhookConfig::default();
        let schemes: Vec<String> = (self.schemes.iter().chain(&file.schemes))
            .map(|s| s.to_ascii_lowercase())
            .collect();
        if !schemes.is_empty() {
            config.policy.schemes = schemes;
        }
        let methods: Vec<String> = (self.methods.iter().chain(&file.methods))
            .map(|m| m.to_ascii_uppercase())
            .collect();
        if !methods.is_empty() {
            config.policy.methods = methods;
        }
        config.policy.hosts = self.hosts.iter().cloned().chain(file.hosts).collect();
        config.secrets = file.secrets;
        config.secrets.extend(self.secrets.iter().cloned());
        config.retry_schedule = self
            .retry_schedule
            .iter()
            .map(|s| Duration::from_secs(*s))
            .collect();
        config.success_codes = self.success_codes.clone();
        config.timeout = Duration::from_secs(self.timeout);
        config
    }
}

/// The credentials of the flags and the auth file, and the auth file's webhook settings.
fn credentials(args: &BrokerArgs) -> Result<(Credentials, WebhookSettings), CliError> {
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
    let webhooks = match &args.auth_file {
        Some(file) => credentials.add_file(file).map_err(usage)?,
        None => WebhookSettings::default(),
    };
    Ok((credentials, webhooks))
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
    let (credentials, webhook_settings) = credentials(args)?;
    config.credentials = credentials;
    config.allow_public_without_auth = args.allow_public_without_auth;
    config.max_connections = args.max_connections;
    config.http = args.connections.limits();
    config.webhooks = args.webhooks.config(webhook_settings);

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
