//! Why a broker request failed, typed so that a front end can say what to do: which base URL
//! is unusable, which credential the broker refused (its kind, never its value), which
//! pacticipant, version or environment the broker does not have, which settings of an existing
//! environment differ — and, for every answer the broker gave, that answer as received.
//!
//! Not here: wording for a particular front end. The messages below are plain English without
//! command-line flags; the CLI renders its own sentences and hints from the variants.

use std::fmt;

use pactum_broker_api::ErrorBody;

use crate::VersionSelector;

/// At most this much of an answer is kept (a proxy's error page can be large).
const MAX_KEPT: usize = 64 * 1024;

/// An answer the broker (or whatever answered at its URL) gave to a request that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The request's method.
    pub method: String,
    /// The request's URL.
    pub url: String,
    /// The answer's status.
    pub status: u16,
    /// The answer read as a broker error body (`errors`, `error.message`, `notices`), when it
    /// is one.
    pub body: Option<ErrorBody>,
    /// The answer as received (its first 64 KiB).
    pub raw: String,
}

impl Reply {
    /// An answer to `method url` (boxed: errors carry it, and stay small).
    pub fn new(method: &str, url: &str, status: u16, text: &str) -> Box<Reply> {
        let body = serde_json::from_str::<ErrorBody>(text)
            .ok()
            .filter(|body| !body.is_empty());
        let mut end = text.len().min(MAX_KEPT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        Box::new(Reply {
            method: method.to_owned(),
            url: url.to_owned(),
            status,
            body,
            raw: text[..end].to_owned(),
        })
    }

    /// What the answer says, short: the error body's messages, else the start of the text.
    pub fn summary(&self) -> String {
        match &self.body {
            Some(body) => body.to_string(),
            None if self.raw.trim().is_empty() => "no details".to_owned(),
            None => self.raw.chars().take(300).collect(),
        }
    }
}

/// The credential a request carried: its kind and, for Basic authentication, the user name —
/// never a token or password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// No credential.
    None,
    /// A bearer token.
    Token,
    /// A user name and password.
    Basic {
        /// The user name.
        username: String,
    },
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Credential::None => f.write_str("no credentials"),
            Credential::Token => f.write_str("the bearer token"),
            Credential::Basic { username } => {
                write!(f, "the user name `{username}` and its password")
            }
        }
    }
}

/// Why a base URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaseUrlProblem {
    /// `127.0.0.1:9292`: no `http://` or `https://`.
    #[error("it has no scheme (http:// or https://)")]
    NoScheme,
    /// A scheme other than http and https.
    #[error("its scheme `{0}` is not http or https")]
    Scheme(String),
    /// Not a URL at all.
    #[error("it is not a URL")]
    Invalid(#[source] url::ParseError),
}

/// Something an operation names that the broker does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// A pacticipant.
    Pacticipant {
        /// Its name.
        name: String,
    },
    /// A version of a pacticipant (a number, or the latest of a tag or branch).
    Version(VersionSelector),
    /// An environment.
    Environment {
        /// The name asked for.
        name: String,
        /// The environments the broker has.
        known: Vec<String>,
    },
    /// A version currently deployed to an environment (to record an undeployment).
    Deployment {
        /// The pacticipant.
        pacticipant: String,
        /// The environment.
        environment: String,
        /// The application instance asked for.
        instance: Option<String>,
    },
    /// A version released and supported in an environment (to record the end of support).
    Release {
        /// The pacticipant.
        pacticipant: String,
        /// The version.
        version: String,
        /// The environment.
        environment: String,
    },
    /// A webhook.
    Webhook {
        /// The id asked for.
        uuid: String,
    },
}

impl VersionSelector {
    /// The versions the selector names, in words: `version 1.2`, `version tagged prod`,
    /// `version on branch main`, `version on its main branch`, or `version`.
    pub fn describe(&self) -> String {
        match (&self.version, &self.latest, &self.branch) {
            (Some(version), _, _) => format!("version {version}"),
            (None, Some(Some(tag)), _) => format!("version tagged {tag}"),
            (None, _, Some(branch)) => format!("version on branch {branch}"),
            _ if self.main_branch => "version on its main branch".to_owned(),
            _ => "version".to_owned(),
        }
    }
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Missing::Pacticipant { name } => {
                write!(f, "the broker has no pacticipant named `{name}`")
            }
            Missing::Version(selector) => write!(
                f,
                "{} has no {} in the broker",
                selector.pacticipant,
                selector.describe()
            ),
            Missing::Environment { name, .. } => {
                write!(f, "the broker has no environment named `{name}`")
            }
            Missing::Deployment {
                pacticipant,
                environment,
                instance,
            } => {
                write!(
                    f,
                    "{pacticipant} is not currently deployed to {environment}"
                )?;
                match instance {
                    Some(instance) => write!(f, " (application instance {instance})"),
                    None => Ok(()),
                }
            }
            Missing::Release {
                pacticipant,
                version,
                environment,
            } => write!(
                f,
                "{pacticipant} version {version} is not currently released and supported in {environment}"
            ),
            Missing::Webhook { uuid } => write!(f, "the broker has no webhook with UUID {uuid}"),
        }
    }
}

/// A setting of an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvironmentSetting {
    /// Its display name.
    DisplayName,
    /// Whether it is a production environment.
    Production,
    /// Its contacts.
    Contacts,
}

impl fmt::Display for EnvironmentSetting {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            EnvironmentSetting::DisplayName => "display name",
            EnvironmentSetting::Production => "production",
            EnvironmentSetting::Contacts => "contacts",
        })
    }
}

/// A setting whose value in the broker differs from the one asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The setting.
    pub setting: EnvironmentSetting,
    /// Its value in the broker.
    pub existing: String,
    /// The value asked for.
    pub requested: String,
}

/// Why a broker request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The base URL cannot be used.
    #[error("the broker base URL `{url}` cannot be used: {problem}")]
    BaseUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        #[source]
        problem: BaseUrlProblem,
    },
    /// The HTTP client could not be set up (no TLS roots, …).
    #[error("cannot set up the HTTP client")]
    Setup(#[source] reqwest::Error),
    /// The broker cannot be reached.
    #[error("cannot reach the broker at {url}")]
    Unreachable {
        /// The URL asked.
        url: String,
        /// Why.
        #[source]
        source: reqwest::Error,
    },
    /// Something answers at the base URL, but it is not a Pact broker: its index is missing or
    /// is not a broker's.
    #[error("{index} is not a Pact broker's index")]
    NotABroker {
        /// The index URL (the base URL with `/`).
        index: String,
        /// What it answered.
        reply: Box<Reply>,
    },
    /// The broker refused the credentials (401) or the request for them (403).
    #[error("the broker refused {sent} ({} at {} {}): {}", reply.status, reply.method, reply.url, reply.summary())]
    Unauthorized {
        /// What the request carried.
        sent: Credential,
        /// The broker's answer.
        reply: Box<Reply>,
    },
    /// The broker answered with an error.
    #[error("{} {} failed with {}: {}", reply.method, reply.url, reply.status, reply.summary())]
    Refused {
        /// The broker's answer.
        reply: Box<Reply>,
    },
    /// Something the operation names does not exist in the broker.
    #[error("{missing}")]
    NotFound {
        /// What is missing.
        missing: Missing,
        /// The broker's answer that led here, when there is one.
        reply: Option<Box<Reply>>,
    },
    /// An environment of that name exists with other settings.
    #[error("an environment named `{name}` already exists with other settings")]
    EnvironmentDiffers {
        /// The name.
        name: String,
        /// The existing environment's UUID.
        uuid: String,
        /// What differs.
        differences: Vec<Difference>,
    },
    /// With credentials, a link from the broker (or a redirect) points to another origin than
    /// the broker's; it was not followed, so the credentials did not go there.
    #[error(
        "{} {url}, which is not on the broker's origin {broker}; credentials are sent only to the broker's origin, so it was not followed",
        match redirected_from { Some(from) => format!("{from} redirected to"), None => "the broker linked to".to_owned() }
    )]
    OtherOrigin {
        /// The broker's origin (`https://broker.example`).
        broker: String,
        /// Where the link or redirect points.
        url: String,
        /// The URL that redirected, when it was a redirect.
        redirected_from: Option<String>,
    },
    /// The broker's answer is not what the Pact Broker API describes.
    #[error("unexpected answer from {url}: {message}")]
    Protocol {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// A contract the broker returned is not a valid pact.
    #[error("the contract at {url} is not a valid pact")]
    Contract {
        /// Its URL.
        url: String,
        /// Why.
        #[source]
        source: pactum_core::contract::ContractError,
    },
}

impl ClientError {
    /// The broker's answer behind the error, when there is one (for showing it as received).
    pub fn reply(&self) -> Option<&Reply> {
        match self {
            ClientError::NotABroker { reply, .. }
            | ClientError::Unauthorized { reply, .. }
            | ClientError::Refused { reply } => Some(reply),
            ClientError::NotFound { reply, .. } => reply.as_deref(),
            _ => None,
        }
    }
}
