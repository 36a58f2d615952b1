//! Broker failures for people: a sentence saying what went wrong and with which value, then
//! hints naming the flags (or environment variables) that fix it — and, with `--verbose` or
//! `--output json`, the broker's answer as received.
//!
//! The client ([`pactum_client::ClientError`]) says what happened in its own terms (a reply
//! with field names such as `q[0].pacticipant`, a credential kind, a missing environment);
//! this module knows how the command the user ran names those things ([`Asked`]). Not here:
//! talking to the broker, or deciding exit codes (every broker failure exits 2).

use std::fmt;

use pactum_client::{
    BaseUrlProblem, ClientError, Credential, Difference, EnvironmentSetting, Missing, Reply,
};
use pactum_core::printable::{printable, printable_line};

/// The flags and environment variables a command takes for the broker's address and
/// credentials.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Vocabulary {
    /// The base URL flag (`--broker-base-url`).
    pub base_url: &'static str,
    /// The bearer token flag.
    pub token: &'static str,
    /// The Basic-auth user name flag.
    pub username: &'static str,
    /// The Basic-auth password flag.
    pub password: &'static str,
}

/// The broker commands' flags (`publish`, `can-i-deploy`, …), as the official CLI names them.
pub(crate) const BROKER_COMMANDS: Vocabulary = Vocabulary {
    base_url: "--broker-base-url",
    token: "--broker-token",
    username: "--broker-username",
    password: "--broker-password",
};

/// `pactum verify`'s flags.
pub(crate) const VERIFY: Vocabulary = Vocabulary {
    base_url: "--broker-url",
    token: "--token",
    username: "--user",
    password: "--password",
};

/// The OpenAPI commands' flags (`openapi-diff`, `openapi-coverage`): `--broker-url` as
/// `verify` names it, the credentials as the broker commands do.
pub(crate) const OPENAPI: Vocabulary = Vocabulary {
    base_url: "--broker-url",
    ..BROKER_COMMANDS
};

/// A flag with its value as one would type it: `--name production`, `--name 'has space'`.
pub(crate) fn flag(name: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || "-_./:@,+=%".contains(c) || !c.is_ascii());
    if plain {
        format!("{name} {value}")
    } else {
        format!("{name} '{}'", value.replace('\'', r"'\''"))
    }
}

/// Where the credential a command sends came from: the token flag or variable (a token wins),
/// else the user name's. `token` and `username` are the clap ids of those arguments.
pub(crate) fn credential_origin(
    matches: &clap::ArgMatches,
    vocabulary: Vocabulary,
    token: &str,
    username: &str,
) -> Option<String> {
    let from_env = |id: &str| {
        matches
            .value_source(id)
            .map(|source| source == clap::parser::ValueSource::EnvVariable)
    };
    if let Some(env) = from_env(token) {
        return Some(if env { TOKEN_ENV } else { vocabulary.token }.to_owned());
    }
    from_env(username).map(|env| {
        if env {
            format!("{USERNAME_ENV} and {PASSWORD_ENV}")
        } else {
            format!("{} and {}", vocabulary.username, vocabulary.password)
        }
    })
}

/// What the broker said in an error answer, without member names: its messages, else the
/// start of the answer.
pub(crate) fn broker_messages(reply: &Reply) -> String {
    use pactum_broker_api::errors::Errors;
    let Some(body) = &reply.body else {
        return reply.summary();
    };
    let mut messages: Vec<String> = match &body.errors {
        Some(Errors::ByField(fields)) => fields.values().flatten().cloned().collect(),
        Some(Errors::List(list)) => list.clone(),
        None => Vec::new(),
    };
    messages.extend(body.error.iter().map(|e| e.message.clone()));
    if messages.is_empty() {
        messages.extend(body.notices.iter().map(|n| n.text.clone()));
    }
    messages.dedup();
    messages.join("; ")
}

/// The environment variables every command reads for the broker.
const BASE_URL_ENV: &str = "PACT_BROKER_BASE_URL";
const TOKEN_ENV: &str = "PACT_BROKER_TOKEN";
const USERNAME_ENV: &str = "PACT_BROKER_USERNAME";
const PASSWORD_ENV: &str = "PACT_BROKER_PASSWORD";

/// How the command the user ran asked: its flags, what it passed, and how much to show.
#[derive(Debug, Clone)]
pub(crate) struct Asked {
    /// The command's flags for the broker.
    pub vocabulary: Vocabulary,
    /// The base URL as given.
    pub base_url: String,
    /// Where the credential sent came from (`--broker-token`, `PACT_BROKER_TOKEN`, …).
    pub credential_origin: Option<String>,
    /// Request members the broker may name in an error → what the user passed for them
    /// (`q[0].pacticipant` → `--pacticipant web`). A member under a mapped one (`contracts[0]
    /// .content` under `contracts[0]`) maps too. Names the broker may lack are keyed
    /// `pacticipant:NAME`, `version:PACTICIPANT` and `environment:NAME`.
    pub fields: Vec<(String, String)>,
    /// A sentence that replaces the generic one (a command that knows what a refusal means).
    pub sentence: Option<String>,
    /// What the command was doing, said before the sentence (`cannot publish the verification
    /// results`), when the command does more than talk to the broker.
    pub doing: Option<String>,
    /// What to do, specific to the command, shown before the generic hints.
    pub hints: Vec<String>,
    /// Show the broker's answer as received (on stderr).
    pub verbose: bool,
    /// `--output json`: the broker's answer as received goes to stdout.
    pub json: bool,
}

impl Asked {
    /// How a command with these flags asked the broker at `base_url`.
    pub fn new(vocabulary: Vocabulary, base_url: &str) -> Asked {
        Asked {
            vocabulary,
            base_url: base_url.to_owned(),
            credential_origin: None,
            fields: Vec::new(),
            sentence: None,
            doing: None,
            hints: Vec::new(),
            verbose: false,
            json: false,
        }
    }

    /// Maps the request member `field` to what the user passed (`--name production`).
    pub fn field(mut self, field: impl Into<String>, passed: impl Into<String>) -> Asked {
        self.fields.push((field.into(), passed.into()));
        self
    }

    /// Adds a command-specific hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Asked {
        self.hints.push(hint.into());
        self
    }

    /// The failure of a request asked this way.
    pub fn failure(&self, error: ClientError) -> super::CliError {
        super::CliError::Broker(Box::new(BrokerFailure {
            error,
            asked: self.clone(),
        }))
    }

    /// What the user passed for the request member `field`, if known.
    fn passed(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .filter(|(known, _)| {
                field == known
                    || field
                        .strip_prefix(known.as_str())
                        .is_some_and(|rest| rest.starts_with(['.', '[']))
            })
            .max_by_key(|(known, _)| known.len())
            .map(|(_, passed)| passed.as_str())
    }

    /// The base URL flag with its environment variable.
    fn base_url_flag(&self) -> String {
        format!("{} (or {BASE_URL_ENV})", self.vocabulary.base_url)
    }

    /// Every way to pass a credential.
    fn credential_ways(&self) -> String {
        let v = self.vocabulary;
        format!(
            "pass a bearer token with {} TOKEN (or {TOKEN_ENV}), or a user name and password with {} and {} (or {USERNAME_ENV} and {PASSWORD_ENV})",
            v.token, v.username, v.password
        )
    }
}

/// A broker request that failed, and how the command asked it.
#[derive(Debug)]
pub struct BrokerFailure {
    /// What the client says happened.
    pub error: ClientError,
    pub(crate) asked: Asked,
}

impl BrokerFailure {
    /// Whether the command was asked for JSON output.
    pub fn json_output(&self) -> bool {
        self.asked.json
    }

    /// The broker's answer as received, when it is JSON (printed on stdout with `--output
    /// json`, for scripts).
    pub fn json_reply(&self) -> Option<&str> {
        let reply = self.error.reply()?;
        serde_json::from_str::<serde_json::Value>(&reply.raw)
            .is_ok()
            .then_some(reply.raw.as_str())
    }

    /// The sentence, the hints, and with `--verbose` the broker's answer.
    pub fn render(&self) -> String {
        let (sentence, generic_hints) = explain(&self.error, &self.asked);
        let sentence = self.asked.sentence.clone().unwrap_or(sentence);
        let mut text = match &self.asked.doing {
            Some(doing) => format!("{doing}: {sentence}"),
            None => sentence,
        };
        for hint in self.asked.hints.iter().chain(&generic_hints) {
            text.push_str("\n  hint: ");
            text.push_str(hint);
        }
        if self.asked.verbose {
            if let Some(reply) = self.error.reply() {
                text.push_str(&format!(
                    "\n  the broker answered {} to {} {}:\n{}",
                    reply.status,
                    reply.method,
                    printable_line(&reply.url),
                    indent(&printable(&reply.raw))
                ));
            }
            let mut cause = std::error::Error::source(&self.error);
            while let Some(error) = cause {
                text.push_str(&format!("\n  caused by: {error}"));
                cause = error.source();
            }
        }
        text
    }
}

impl fmt::Display for BrokerFailure {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for BrokerFailure {}

fn indent(text: &str) -> String {
    let text = if text.trim().is_empty() {
        "(an empty body)"
    } else {
        text.trim_end()
    };
    text.lines()
        .map(|line| format!("    {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Text from the broker or the command line, safe to print on one line.
fn quoted(text: &str) -> String {
    format!("`{}`", printable_line(text))
}

/// The path of a URL (`/environments`), for naming a request briefly.
fn path_of(url: &str) -> &str {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .find('/')
        .map_or("/", |slash| &after_scheme[slash..]);
    path.split('?').next().unwrap_or(path)
}

/// The path of a URL, with the middle of a long one left out: `/pacts/…/verification-results`.
fn short_path(url: &str) -> String {
    let path = path_of(url);
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [first, .., last] if segments.len() > 3 => format!("/{first}/…/{last}"),
        _ => path.to_owned(),
    }
}

/// The innermost cause of an error ("Connection refused" rather than "error sending request").
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    pactum_client::sources::innermost_cause(error)
}

/// The sentence and the generic hints for an error.
fn explain(error: &ClientError, asked: &Asked) -> (String, Vec<String>) {
    let base = printable_line(&asked.base_url).into_owned();
    match error {
        ClientError::BaseUrl { url, problem } => {
            let url = printable_line(url);
            match problem {
                BaseUrlProblem::NoScheme => (
                    format!("the broker base URL `{url}` has no scheme (http:// or https://)"),
                    vec![format!(
                        "write it with its scheme: {} http://{url}",
                        asked.vocabulary.base_url
                    )],
                ),
                BaseUrlProblem::Scheme(scheme) => (
                    format!(
                        "the broker base URL `{url}` uses {}://, not http:// or https://",
                        printable_line(scheme)
                    ),
                    vec![format!(
                        "give {} the broker's http:// or https:// URL",
                        asked.base_url_flag()
                    )],
                ),
                BaseUrlProblem::Invalid(cause) => (
                    format!("the broker base URL `{url}` is not a URL ({cause})"),
                    vec![format!(
                        "give {} the broker's URL, e.g. http://127.0.0.1:9292",
                        asked.base_url_flag()
                    )],
                ),
            }
        }
        ClientError::Setup(cause) => (
            format!("cannot set up the HTTP client: {}", innermost(cause)),
            Vec::new(),
        ),
        ClientError::Unreachable { source, .. } => (
            format!("cannot reach the broker at {base}: {}", innermost(source)),
            vec![format!(
                "check that the broker is running and that {} is its address",
                asked.base_url_flag()
            )],
        ),
        ClientError::NotABroker { index, reply } => {
            let what = if (200..300).contains(&reply.status) {
                format!(
                    "the answer at {} is not a broker's index",
                    printable_line(index)
                )
            } else {
                format!(
                    "no index at {}: it answered {}",
                    printable_line(index),
                    reply.status
                )
            };
            (
                format!("{base} does not look like a Pact broker ({what})"),
                vec![format!(
                    "check {}: it is the address the broker's index is served at, e.g. http://127.0.0.1:9292",
                    asked.base_url_flag()
                )],
            )
        }
        ClientError::Unauthorized { sent, reply } => unauthorized(sent, reply, asked),
        ClientError::Refused { reply } => refused(reply, asked),
        ClientError::NotFound { missing, .. } => not_found(missing, asked),
        ClientError::EnvironmentDiffers {
            name,
            uuid,
            differences,
        } => {
            let mut sentence = format!(
                "the broker already has an environment named {} (UUID {}), with other settings:",
                quoted(name),
                printable_line(uuid)
            );
            for difference in differences {
                sentence.push_str(&format!("\n  {}", describe_difference(difference)));
            }
            (
                sentence,
                vec![
                    "run it with the settings the environment has to reuse it, or choose another --name"
                        .to_owned(),
                ],
            )
        }
        ClientError::OtherOrigin {
            broker,
            url,
            redirected_from,
        } => (
            format!(
                "{} {}, which is not on the broker's origin {}; pactum sends the credentials only \
                 to the broker's origin, so it did not follow it",
                match redirected_from {
                    Some(from) => format!("{} redirected to", printable_line(from)),
                    None => "the broker linked to".to_owned(),
                },
                printable_line(url),
                printable_line(broker)
            ),
            vec![format!(
                "if that is the same broker under another address, give {} that address, or set \
                 the broker's public base URL to the one you use",
                asked.base_url_flag()
            )],
        ),
        ClientError::Protocol { url, message } => (
            format!(
                "the broker's answer at {} is not what the Pact Broker API describes: {}",
                printable_line(url),
                printable_line(message)
            ),
            vec![format!(
                "check that {} is a Pact broker's address",
                asked.base_url_flag()
            )],
        ),
        ClientError::Contract { url, source } => (
            format!(
                "the contract the broker serves at {} is not a valid pact: {source}",
                printable_line(url)
            ),
            Vec::new(),
        ),
    }
}

fn describe_difference(difference: &Difference) -> String {
    let (existing, requested) = (
        printable_line(&difference.existing),
        printable_line(&difference.requested),
    );
    match difference.setting {
        EnvironmentSetting::Production => format!(
            "production: {existing} in the broker, {requested} here (--production {})",
            if requested == "true" {
                "given"
            } else {
                "not given"
            }
        ),
        EnvironmentSetting::DisplayName => {
            format!("display name: `{existing}` in the broker, `{requested}` here (--display-name)")
        }
        EnvironmentSetting::Contacts => format!(
            "contacts: {existing} in the broker, {requested} here (--contact-name, --contact-email-address)"
        ),
    }
}

/// 401: which credential was sent (never its value), and every way to send one; 403: what the
/// broker does not allow it.
fn unauthorized(sent: &Credential, reply: &Reply, asked: &Asked) -> (String, Vec<String>) {
    let base = printable_line(&asked.base_url);
    let origin = asked
        .credential_origin
        .as_deref()
        .map(|origin| format!(" (from {origin})"))
        .unwrap_or_default();
    if reply.status == 403 {
        let who = match sent {
            Credential::None => "requests without credentials".to_owned(),
            sent => format!("{sent} sent{origin}"),
        };
        let sentence = format!(
            "the broker at {base} does not allow {who} to {} {}",
            reply.method,
            printable_line(&short_path(&reply.url))
        );
        return (
            sentence,
            vec![format!(
                "use a credential allowed to do this (a read-only one can only read; publishing and recording need write); {}",
                asked.credential_ways()
            )],
        );
    }
    let sentence = match sent {
        Credential::None => {
            format!("the broker at {base} requires credentials, and none were sent")
        }
        Credential::Token => format!("the broker at {base} rejected the bearer token sent{origin}"),
        Credential::Basic { username } => format!(
            "the broker at {base} rejected the user name {} and password sent{origin}",
            quoted(username)
        ),
    };
    let mut hints = Vec::new();
    match sent {
        Credential::None => {}
        Credential::Token => {
            hints.push("check the token against those the broker was started with".to_owned())
        }
        Credential::Basic { .. } => hints.push(
            "check the user name and password against those the broker was started with".to_owned(),
        ),
    }
    hints.push(asked.credential_ways());
    (sentence, hints)
}

/// An error answer: field errors with the flags that set those fields; otherwise the broker's
/// message, with the request.
fn refused(reply: &Reply, asked: &Asked) -> (String, Vec<String>) {
    let base = printable_line(&asked.base_url);
    let request = format!("{} {}", reply.method, printable_line(path_of(&reply.url)));
    if reply.status >= 500 {
        return (
            format!(
                "the broker at {base} failed at {request} ({}): {}",
                reply.status,
                printable_line(&reply.summary())
            ),
            vec!["the broker's log says why; try again once it is fixed".into()],
        );
    }
    if let Some(pactum_broker_api::ErrorBody {
        errors: Some(pactum_broker_api::errors::Errors::ByField(fields)),
        ..
    }) = &reply.body
    {
        let lines: Vec<String> = fields
            .iter()
            .flat_map(|(field, messages)| {
                let named = match asked.passed(field) {
                    Some(passed) => printable_line(passed).into_owned(),
                    None => quoted(field),
                };
                messages
                    .iter()
                    .map(move |message| format!("{named}: {}", printable_line(message)))
            })
            .collect();
        let sentence = match lines.as_slice() {
            [one] => format!("the broker refused {one}"),
            many => format!("the broker refused the request:\n  {}", many.join("\n  ")),
        };
        return (sentence, Vec::new());
    }
    (
        format!(
            "the broker refused {request} ({}): {}",
            reply.status,
            printable_line(&reply.summary())
        ),
        Vec::new(),
    )
}

fn not_found(missing: &Missing, asked: &Asked) -> (String, Vec<String>) {
    let mut sentence = printable_line(&missing.to_string()).into_owned();
    let key = match missing {
        Missing::Pacticipant { name } => Some(format!("pacticipant:{name}")),
        Missing::Version(selector) => Some(format!("version:{}", selector.pacticipant)),
        Missing::Environment { name, .. } => Some(format!("environment:{name}")),
        _ => None,
    };
    if let Some(passed) = key.as_deref().and_then(|key| asked.passed(key)) {
        sentence.push_str(&format!(" ({})", printable_line(passed)));
    }
    let hints = match missing {
        // A command that knows better where the name came from says so instead.
        Missing::Pacticipant { .. } if !asked.hints.is_empty() => Vec::new(),
        Missing::Pacticipant { .. } => vec![
            "check the name (names are case-sensitive): the broker knows a pacticipant once a contract or version of it was published".to_owned(),
        ],
        // A command that knows how to make the version says so instead.
        Missing::Version(_) if !asked.hints.is_empty() => Vec::new(),
        Missing::Version(_) => vec![
            "check the version: the broker knows a version once contracts or verification results were published for it, or it was tagged or put on a branch".to_owned(),
        ],
        Missing::Environment { name, known } => {
            let known = if known.is_empty() {
                "the broker has no environments yet".to_owned()
            } else {
                format!(
                    "the broker's environments: {}",
                    known
                        .iter()
                        .map(|k| printable_line(k).into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            vec![
                known,
                format!(
                    "create it with: pactum create-environment {}",
                    printable_line(&flag("--name", name))
                ),
            ]
        }
        Missing::Deployment { instance, .. } => vec![match instance {
            Some(_) => "check --environment and --application-instance".to_owned(),
            None => "check --environment; a deployment recorded with --application-instance is undeployed with the same --application-instance".to_owned(),
        }],
        Missing::Release { .. } => vec!["check --version and --environment".to_owned()],
        Missing::Webhook { .. } => vec![
            "check --uuid: the broker's webhooks are listed at /webhooks".to_owned(),
        ],
    };
    (sentence, hints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_written_as_one_would_type_them() {
        assert_eq!(flag("--name", "production"), "--name production");
        assert_eq!(flag("--branch", "feat/x-1.2"), "--branch feat/x-1.2");
        assert_eq!(flag("--name", "has space"), "--name 'has space'");
        assert_eq!(flag("--name", "it's"), r"--name 'it'\''s'");
        assert_eq!(flag("--name", ""), "--name ''");
    }

    #[test]
    fn members_under_a_mapped_one_map_to_it() {
        let asked = Asked::new(BROKER_COMMANDS, "http://broker")
            .field("contracts[1]", "b.json")
            .field("contracts[1].content", "b.json (its content)");
        assert_eq!(asked.passed("contracts[1]"), Some("b.json"));
        assert_eq!(
            asked.passed("contracts[1].content"),
            Some("b.json (its content)")
        );
        assert_eq!(asked.passed("contracts[1].providerName"), Some("b.json"));
        assert_eq!(asked.passed("contracts[10]"), None);
        assert_eq!(asked.passed("contracts"), None);
    }

    #[test]
    fn long_paths_are_shortened_in_the_middle() {
        assert_eq!(short_path("http://b/environments"), "/environments");
        assert_eq!(
            short_path("http://b/pacts/provider/p/consumer/c/verification-results?x=1"),
            "/pacts/…/verification-results"
        );
        assert_eq!(short_path("http://b"), "/");
    }
}
