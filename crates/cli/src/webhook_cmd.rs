//! The webhook commands, flagged like the official `pact-broker` CLI's — which takes curl's
//! switches for the request the webhook sends: `create-webhook URL`, `create-or-update-webhook
//! URL --uuid U`, `test-webhook --uuid U`, `delete-webhook --uuid U`.
//!
//! As in the official CLI, `-u` of `create-webhook` and `create-or-update-webhook` is curl's
//! `--user` (the webhook's credentials); the broker's user name is `--broker-username` there.

use std::collections::BTreeMap;

use clap::ArgMatches;
use pactum_broker_api::webhooks::is_webhook_id;
use pactum_broker_api::{
    Webhook, WebhookEvent, WebhookExecutionResult, WebhookPacticipant, WebhookRequest,
    WebhookRequestBody,
};
use pactum_core::printable::{printable, printable_line};

use super::broker_client_cmd::{Connection, cell, ok, pretty, runtime};
use super::broker_error::{Asked, flag};
use super::{CliError, EXIT_FAILED, EXIT_OK, Outcome};

// The webhook as curl's switches describe it, and whom it is for. `-u` is curl's (the
// webhook's credentials), so the broker's user name has only its long switch here.
#[derive(Debug, clap::Args)]
#[command(mut_arg("broker_username", |arg| arg.short(None)))]
pub(super) struct WebhookArgs {
    /// The URL the webhook calls (`${pactbroker.NAME}` and `${user.NAME}` placeholders
    /// allowed, except in the host). Give it first, before the switches.
    #[arg(value_name = "URL")]
    url: String,
    /// The webhook's HTTP method.
    #[arg(long, short = 'X', value_name = "METHOD")]
    request: String,
    /// A header the webhook sends, as 'Name: value' (repeatable; several may follow one -H).
    #[arg(long, short = 'H', value_name = "NAME: VALUE", num_args = 1.., action = clap::ArgAction::Append)]
    header: Vec<String>,
    /// The body the webhook sends: JSON or text, or @FILE to read it from a file.
    #[arg(long, short = 'd', value_name = "DATA|@FILE")]
    data: Option<String>,
    /// The webhook's Basic-auth credentials, USER:PASSWORD (shown as ********** by the broker).
    #[arg(long, short = 'u', value_name = "USER:PASSWORD")]
    user: Option<String>,
    /// The consumer it is for (default: every consumer).
    #[arg(long, value_name = "NAME", conflicts_with = "consumer_label")]
    consumer: Option<String>,
    /// The consumers it is for: those with this label.
    #[arg(long, value_name = "LABEL")]
    consumer_label: Option<String>,
    /// The provider it is for (default: every provider).
    #[arg(long, value_name = "NAME", conflicts_with = "provider_label")]
    provider: Option<String>,
    /// The providers it is for: those with this label.
    #[arg(long, value_name = "LABEL")]
    provider_label: Option<String>,
    /// What it is for.
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// Fire when a contract's content changes.
    #[arg(long)]
    contract_content_changed: bool,
    /// Fire when a contract is published.
    #[arg(long)]
    contract_published: bool,
    /// Fire when a verification result is published.
    #[arg(long)]
    provider_verification_published: bool,
    /// Fire when a successful verification result is published.
    #[arg(long)]
    provider_verification_succeeded: bool,
    /// Fire when a failed verification result is published.
    #[arg(long)]
    provider_verification_failed: bool,
    /// Fire when a contract is published that a provider version still has to verify.
    #[arg(long)]
    contract_requiring_verification_published: bool,
    #[command(flatten)]
    connection: Connection,
}

#[derive(Debug, clap::Args)]
pub(super) struct UpsertArgs {
    #[command(flatten)]
    webhook: WebhookArgs,
    /// The webhook's id (a UUID; `uuidgen` makes one).
    #[arg(long, value_name = "UUID")]
    uuid: String,
}

#[derive(Debug, clap::Args)]
pub(super) struct UuidArgs {
    /// The webhook's id.
    #[arg(long, value_name = "UUID")]
    uuid: String,
    #[command(flatten)]
    connection: Connection,
}

/// The event switches, with the event each one selects.
fn events(args: &WebhookArgs) -> [(bool, &'static str, &'static str); 6] {
    [
        (
            args.contract_content_changed,
            "--contract-content-changed",
            "contract_content_changed",
        ),
        (
            args.contract_published,
            "--contract-published",
            "contract_published",
        ),
        (
            args.provider_verification_published,
            "--provider-verification-published",
            "provider_verification_published",
        ),
        (
            args.provider_verification_succeeded,
            "--provider-verification-succeeded",
            "provider_verification_succeeded",
        ),
        (
            args.provider_verification_failed,
            "--provider-verification-failed",
            "provider_verification_failed",
        ),
        (
            args.contract_requiring_verification_published,
            "--contract-requiring-verification-published",
            "contract_requiring_verification_published",
        ),
    ]
}

fn check_uuid(uuid: &str) -> Result<(), CliError> {
    if is_webhook_id(uuid) {
        return Ok(());
    }
    Err(CliError::Usage(format!(
        "{} is not a webhook id: use 16 to 64 letters, digits, `-` or `_` (a UUID, e.g. from uuidgen)",
        printable_line(&flag("--uuid", uuid))
    )))
}

/// `Name: value` → (name, value).
fn header(text: &str) -> Result<(String, String), CliError> {
    match text.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(CliError::Usage(format!(
            "{} is not a header: write it as 'Name: value', e.g. -H 'Content-Type: application/json'",
            printable_line(&flag("--header", text))
        ))),
    }
}

/// The body: JSON when it reads as JSON (so the broker can fill placeholders JSON-escaped),
/// text otherwise; `@FILE` reads it from a file.
fn body(data: &str) -> Result<serde_json::Value, CliError> {
    let text = match data.strip_prefix('@') {
        Some(file) => std::fs::read_to_string(file).map_err(|error| {
            CliError::Usage(format!(
                "cannot read the webhook body from {} (--data @{}): {error}",
                printable_line(file),
                printable_line(file)
            ))
        })?,
        None => data.to_owned(),
    };
    Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// The webhook the switches describe, checked before anything is sent.
fn request_body(args: &WebhookArgs) -> Result<WebhookRequestBody, CliError> {
    let events: Vec<WebhookEvent> = events(args)
        .into_iter()
        .filter(|(on, _, _)| *on)
        .map(|(_, _, name)| WebhookEvent { name: name.into() })
        .collect();
    if events.is_empty() {
        let switches: Vec<&str> = events_switches(args);
        return Err(CliError::Usage(format!(
            "a webhook needs at least one event: give one or more of {}",
            switches.join(", ")
        )));
    }
    let headers = args
        .header
        .iter()
        .map(|h| header(h))
        .collect::<Result<BTreeMap<_, _>, _>>()?;
    let (username, password) = match &args.user {
        None => (None, None),
        Some(user) => match user.split_once(':') {
            Some((name, password)) if !name.is_empty() => {
                (Some(name.to_owned()), Some(password.to_owned()))
            }
            _ => {
                return Err(CliError::Usage(
                    "--user takes the webhook's credentials as USER:PASSWORD (e.g. -u ci:${user.CI_PASSWORD})"
                        .into(),
                ));
            }
        },
    };
    let pacticipant = |name: &Option<String>, label: &Option<String>| {
        (name.is_some() || label.is_some()).then(|| WebhookPacticipant {
            name: name.clone(),
            label: label.clone(),
        })
    };
    Ok(WebhookRequestBody {
        description: args.description.clone(),
        consumer: pacticipant(&args.consumer, &args.consumer_label),
        provider: pacticipant(&args.provider, &args.provider_label),
        enabled: None,
        events: Some(events),
        request: WebhookRequest {
            method: args.request.clone(),
            url: args.url.clone(),
            headers,
            body: args.data.as_deref().map(body).transpose()?,
            username,
            password,
        },
    })
}

fn events_switches(args: &WebhookArgs) -> Vec<&'static str> {
    events(args).iter().map(|(_, switch, _)| *switch).collect()
}

/// How the command asked: each member of the webhook mapped to the switch that set it.
fn asked(args: &WebhookArgs, matches: &ArgMatches) -> Asked {
    let mut asked = args
        .connection
        .asked(matches)
        .field("request.url", format!("the URL `{}`", args.url))
        .field("request.method", flag("--request", &args.request))
        .field("request.headers", "--header")
        .field("request.body", "--data")
        .field("request.username", "--user")
        .field("request.password", "--user")
        .field("events", events_switches(args).join(", "))
        .field("description", "--description");
    for (member, switch, value) in [
        ("consumer.name", "--consumer", &args.consumer),
        ("consumer.label", "--consumer-label", &args.consumer_label),
        ("provider.name", "--provider", &args.provider),
        ("provider.label", "--provider-label", &args.provider_label),
    ] {
        if let Some(value) = value {
            asked = asked.field(member, flag(switch, value));
        }
    }
    for header in &args.header {
        if let Ok((name, _)) = self::header(header) {
            asked = asked.field(format!("request.headers.{name}"), flag("--header", header));
        }
    }
    asked
}

/// `Webhook "description" created with UUID U.`
fn saved(webhook: &Webhook, what: &str) -> String {
    let name = webhook
        .description
        .clone()
        .filter(|d| !d.is_empty())
        .or_else(|| webhook.links.self_.as_ref().and_then(|l| l.title.clone()))
        .unwrap_or_default();
    format!(
        "Webhook \"{}\" {what} with UUID {}.\n",
        cell(&name),
        cell(&webhook.uuid)
    )
}

pub(super) fn create(args: &WebhookArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    let body = request_body(args)?;
    let asked = asked(args, matches);
    let client = args.connection.client(&asked)?;
    let webhook = runtime()?
        .block_on(client.create_webhook(&body))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(&webhook));
    }
    ok(saved(&webhook, "created"))
}

pub(super) fn create_or_update(
    args: &UpsertArgs,
    matches: &ArgMatches,
) -> Result<Outcome, CliError> {
    check_uuid(&args.uuid)?;
    let body = request_body(&args.webhook)?;
    let asked = asked(&args.webhook, matches).field("uuid", flag("--uuid", &args.uuid));
    let client = args.webhook.connection.client(&asked)?;
    let (webhook, created) = runtime()?
        .block_on(client.put_webhook(&args.uuid, &body))
        .map_err(|e| asked.failure(e))?;
    if args.webhook.connection.json() {
        return ok(pretty(&webhook));
    }
    ok(saved(&webhook, if created { "created" } else { "updated" }))
}

/// What a test execution did, for people: the exchange as the broker logged it, then the
/// verdict.
fn describe_execution(result: &WebhookExecutionResult) -> String {
    let mut out = printable(result.logs.trim_end()).into_owned();
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    let request = format!(
        "{} {}",
        printable_line(&result.request.method),
        printable_line(&result.request.url)
    );
    let verdict = match (&result.response, &result.error) {
        (Some(response), _) if result.success => {
            format!(
                "Webhook test succeeded: {request} answered {}.",
                response.status
            )
        }
        (Some(response), _) => format!(
            "Webhook test failed: {request} answered {}, which the broker does not count as success.",
            response.status
        ),
        (None, Some(error)) => format!(
            "Webhook test failed: {}.",
            printable_line(error.message.trim_end_matches('.'))
        ),
        (None, None) => "Webhook test failed: no answer.".to_owned(),
    };
    out.push_str(&verdict);
    out.push('\n');
    out
}

pub(super) fn test(args: &UuidArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    check_uuid(&args.uuid)?;
    let asked = args
        .connection
        .asked(matches)
        .field("uuid", flag("--uuid", &args.uuid));
    let client = args.connection.client(&asked)?;
    let result = runtime()?
        .block_on(client.execute_webhook(&args.uuid))
        .map_err(|e| asked.failure(e))?;
    // The broker carried the test out; a receiver that failed it is a "no", not an error.
    let code = if result.success { EXIT_OK } else { EXIT_FAILED };
    let stdout = if args.connection.json() {
        pretty(&result)
    } else {
        describe_execution(&result)
    };
    Ok(Outcome::new(stdout, code))
}

pub(super) fn delete(args: &UuidArgs, matches: &ArgMatches) -> Result<Outcome, CliError> {
    check_uuid(&args.uuid)?;
    let asked = args
        .connection
        .asked(matches)
        .field("uuid", flag("--uuid", &args.uuid));
    let client = args.connection.client(&asked)?;
    runtime()?
        .block_on(client.delete_webhook(&args.uuid))
        .map_err(|e| asked.failure(e))?;
    if args.connection.json() {
        return ok(pretty(
            &serde_json::json!({"uuid": args.uuid, "deleted": true}),
        ));
    }
    ok(format!("Webhook {} deleted.\n", cell(&args.uuid)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_need_a_name_and_a_colon() {
        assert_eq!(
            header("Content-Type:  application/json ").unwrap(),
            ("Content-Type".into(), "application/json".into())
        );
        assert_eq!(
            header("X-Empty:").unwrap(),
            ("X-Empty".into(), String::new())
        );
        assert!(header("no colon").is_err());
        assert!(header(": value").is_err());
    }

    #[test]
    fn bodies_are_json_when_they_read_as_json() {
        assert_eq!(body(r#"{"a": 1}"#).unwrap(), serde_json::json!({"a": 1}));
        assert_eq!(body("plain text").unwrap(), serde_json::json!("plain text"));
        assert!(body("@/nonexistent/pactum-body.json").is_err());
    }
}
