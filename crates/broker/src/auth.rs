//! Who may do what: bearer tokens with roles, and Basic username/password pairs.
//!
//! Roles are ordered: `read` may GET (and ask for pacts for verification, which is a POST but
//! a read), `write` may also publish and record, `admin` may also delete. Secrets are compared
//! as SHA-256 digests in constant time, against every configured credential, so neither the
//! timing nor the position of a match leaks; they never reach the log.

use std::collections::BTreeMap;
use std::path::Path;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::hal::ApiError;
use super::webhooks::{HostPattern, WebhookSettings, is_secret_name};

/// What a credential allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads, including pacts-for-verification queries.
    Read,
    /// Reads and writes (publish, record deployments, verification results).
    Write,
    /// Everything, including deletes.
    Admin,
}

/// The role's name as it is configured (`read`, `write`, `admin`).
impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::Admin => "admin",
        })
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.to_ascii_lowercase().as_str() {
            "read" => Ok(Role::Read),
            "write" => Ok(Role::Write),
            "admin" => Ok(Role::Admin),
            other => Err(format!("unknown role `{other}`: use read, write or admin")),
        }
    }
}

/// The configured credentials; empty means no authentication.
#[derive(Clone, Default)]
pub struct Credentials {
    tokens: Vec<([u8; 32], Role)>,
    basic: Vec<([u8; 32], Role)>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("tokens", &self.tokens.len())
            .field("basic", &self.basic.len())
            .finish()
    }
}

/// Why a credential configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// A `ROLE:SECRET` or `USER:PASSWORD` value is malformed.
    #[error("invalid credential `{shown}`: {why}")]
    Malformed {
        /// The value with its secret part hidden.
        shown: String,
        /// What is wrong.
        why: String,
    },
    /// The auth file cannot be read.
    #[error("cannot read auth file {file}: {why}")]
    File {
        /// The file.
        file: String,
        /// What went wrong.
        why: String,
    },
}

fn digest(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

fn hidden(value: &str) -> String {
    match value.split_once(':') {
        Some((head, _)) => format!("{head}:***"),
        None => "***".into(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthFile {
    #[serde(default)]
    tokens: Vec<TokenEntry>,
    #[serde(default)]
    basic: Vec<BasicEntry>,
    #[serde(default)]
    webhooks: WebhooksEntry,
}

/// The auth file's `webhooks`: secrets are credentials too, and the allow-lists belong with
/// them when an operator keeps the broker's sensitive settings in one file.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WebhooksEntry {
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default)]
    allow_schemes: Vec<String>,
    #[serde(default)]
    allow_methods: Vec<String>,
    #[serde(default)]
    allow_hosts: Vec<String>,
}

impl WebhooksEntry {
    /// The settings, checked as the command line checks them; an error names the member.
    fn settings(self) -> Result<WebhookSettings, String> {
        if let Some(name) = self.secrets.keys().find(|name| !is_secret_name(name)) {
            return Err(format!(
                "webhooks.secrets: `{name}` is not a secret name (use letters, digits and _)"
            ));
        }
        let hosts = self
            .allow_hosts
            .iter()
            .enumerate()
            .map(|(index, host)| {
                host.parse::<HostPattern>()
                    .map_err(|e| format!("webhooks.allowHosts[{index}]: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(WebhookSettings {
            secrets: self.secrets,
            schemes: self.allow_schemes,
            methods: self.allow_methods,
            hosts,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenEntry {
    token: String,
    role: Role,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BasicEntry {
    username: String,
    password: String,
    role: Role,
}

impl Credentials {
    /// Whether any credential is configured.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.basic.is_empty()
    }

    /// Adds a bearer token given as `ROLE:TOKEN`.
    pub fn add_token(&mut self, value: &str) -> Result<(), CredentialError> {
        let (role, token) = value
            .split_once(':')
            .ok_or_else(|| CredentialError::Malformed {
                shown: hidden(value),
                why: "expected ROLE:TOKEN, e.g. write:s3cret".into(),
            })?;
        let role = role.parse().map_err(|why| CredentialError::Malformed {
            shown: hidden(value),
            why,
        })?;
        if token.is_empty() {
            return Err(CredentialError::Malformed {
                shown: hidden(value),
                why: "the token is empty".into(),
            });
        }
        self.tokens.push((digest(token.as_bytes()), role));
        Ok(())
    }

    /// Adds a Basic-auth pair given as `USER:PASSWORD`.
    pub fn add_basic(&mut self, value: &str, role: Role) -> Result<(), CredentialError> {
        match value.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => {
                self.basic.push((digest(value.as_bytes()), role));
                Ok(())
            }
            _ => Err(CredentialError::Malformed {
                shown: hidden(value),
                why: "expected USERNAME:PASSWORD, both non-empty".into(),
            }),
        }
    }

    /// Adds the credentials of a JSON auth file and returns its webhook settings:
    /// `{"tokens": [{"token", "role"}], "basic": [{"username", "password", "role"}],
    /// "webhooks": {"secrets": {NAME: VALUE}, "allowSchemes", "allowMethods", "allowHosts"}}`.
    /// Nothing is added when the file has an error.
    pub fn add_file(&mut self, file: &Path) -> Result<WebhookSettings, CredentialError> {
        let error = |why: String| CredentialError::File {
            file: file.display().to_string(),
            why,
        };
        let text = std::fs::read_to_string(file).map_err(|e| error(e.to_string()))?;
        let parsed: AuthFile = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        let webhooks = parsed.webhooks.settings().map_err(error)?;
        let mut added = Credentials::default();
        for entry in parsed.tokens {
            if entry.token.is_empty() {
                return Err(error("a token is empty".into()));
            }
            added
                .tokens
                .push((digest(entry.token.as_bytes()), entry.role));
        }
        for entry in parsed.basic {
            added
                .add_basic(
                    &format!("{}:{}", entry.username, entry.password),
                    entry.role,
                )
                .map_err(|e| error(e.to_string()))?;
        }
        self.tokens.extend(added.tokens);
        self.basic.extend(added.basic);
        Ok(webhooks)
    }

    /// The role an `Authorization` header grants, if any.
    pub fn role_for(&self, authorization: Option<&HeaderValue>) -> Option<Role> {
        let value = authorization?.to_str().ok()?;
        let (scheme, secret) = value.split_once(' ')?;
        let (candidates, secret) = if scheme.eq_ignore_ascii_case("bearer") {
            (&self.tokens, secret.trim().as_bytes().to_vec())
        } else if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(secret.trim())
                .ok()?;
            (&self.basic, decoded)
        } else {
            return None;
        };
        let given = digest(&secret);
        // Check every entry, keeping the best role, so the time taken does not depend on
        // which entry matched.
        let mut granted = None;
        for (expected, role) in candidates {
            if bool::from(expected.ct_eq(&given)) {
                granted = granted.max(Some(*role));
            }
        }
        granted
    }
}

/// The role a request needs.
pub fn required_role(method: &Method, path: &str) -> Role {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Role::Read;
    }
    if *method == Method::POST
        && path.starts_with("/pacts/provider/")
        && path.ends_with("/for-verification")
    {
        return Role::Read;
    }
    if *method == Method::DELETE {
        return Role::Admin;
    }
    Role::Write
}

/// Paths anyone may read: health checks for load balancers.
fn is_public(method: &Method, path: &str) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
        && matches!(path, "/diagnostic/status/heartbeat" | "/health")
}

/// The middleware: 401 without a valid credential, 403 with one whose role is too low.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let credentials = &state.config.credentials;
    if credentials.is_empty() || is_public(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let needed = required_role(request.method(), request.uri().path());
    match credentials.role_for(request.headers().get(header::AUTHORIZATION)) {
        Some(role) if role >= needed => next.run(request).await,
        Some(role) => ApiError::with_status(
            StatusCode::FORBIDDEN,
            format!(
                "this credential has the {role} role; {} {} needs the {needed} role",
                request.method(),
                request.uri().path()
            ),
        )
        .into_response(),
        None => {
            let mut response = ApiError::with_status(
                StatusCode::UNAUTHORIZED,
                "authentication required: send `Authorization: Bearer TOKEN` or Basic credentials \
                 (PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD)",
            )
            .into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"pactum broker\", Bearer"),
            );
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user_pass: &str) -> HeaderValue {
        let encoded = base64::engine::general_purpose::STANDARD.encode(user_pass);
        HeaderValue::from_str(&format!("Basic {encoded}")).unwrap()
    }

    /// Writes `content` to a file of its own and reads it as an auth file.
    fn read_auth_file(
        credentials: &mut Credentials,
        content: &str,
    ) -> Result<WebhookSettings, CredentialError> {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let file = std::env::temp_dir().join(format!(
            "pactum-auth-{}-{}.json",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::write(&file, content).unwrap();
        let read = credentials.add_file(&file);
        std::fs::remove_file(&file).unwrap();
        read
    }

    #[test]
    fn the_auth_file_holds_webhook_secrets_and_allow_lists() {
        let mut credentials = Credentials::default();
        let settings = read_auth_file(
            &mut credentials,
            r#"{"tokens": [{"token": "w", "role": "write"}],
                "webhooks": {"secrets": {"CI_TOKEN": "s3cret"}, "allowSchemes": ["http"],
                             "allowMethods": ["PUT"], "allowHosts": ["ci.example.com", "10.0.0.0/8"]}}"#,
        )
        .unwrap();
        assert!(!credentials.is_empty());
        assert_eq!(settings.secrets["CI_TOKEN"], "s3cret");
        assert_eq!(settings.schemes, ["http"]);
        assert_eq!(settings.methods, ["PUT"]);
        assert_eq!(
            settings.hosts,
            vec![
                "ci.example.com".parse::<HostPattern>().unwrap(),
                "10.0.0.0/8".parse().unwrap()
            ]
        );
        // A file without webhooks has none.
        let settings = read_auth_file(&mut credentials, r#"{"tokens": []}"#).unwrap();
        assert_eq!(settings, WebhookSettings::default());
    }

    #[test]
    fn a_wrong_webhook_entry_names_its_member_and_adds_nothing() {
        for (content, names) in [
            (
                r#"{"tokens": [{"token": "w", "role": "write"}], "webhooks": {"allowHosts": ["ok.example", "not a host"]}}"#,
                "webhooks.allowHosts[1]",
            ),
            (
                r#"{"tokens": [{"token": "w", "role": "write"}], "webhooks": {"secrets": {"A-B": "x"}}}"#,
                "webhooks.secrets: `A-B`",
            ),
            (
                r#"{"webhooks": {"allowHost": ["x"]}}"#,
                "unknown field `allowHost`",
            ),
        ] {
            let mut credentials = Credentials::default();
            let error = read_auth_file(&mut credentials, content)
                .unwrap_err()
                .to_string();
            assert!(error.contains(names), "{error}");
            assert!(credentials.is_empty(), "{content}");
        }
    }

    #[test]
    fn tokens_and_basic_pairs_grant_their_roles() {
        let mut credentials = Credentials::default();
        credentials.add_token("read:r-token").unwrap();
        credentials.add_token("admin:a-token").unwrap();
        credentials.add_basic("ci:pw", Role::Write).unwrap();
        let bearer = |t: &str| HeaderValue::from_str(&format!("Bearer {t}")).unwrap();
        assert_eq!(
            credentials.role_for(Some(&bearer("r-token"))),
            Some(Role::Read)
        );
        assert_eq!(
            credentials.role_for(Some(&bearer("a-token"))),
            Some(Role::Admin)
        );
        assert_eq!(credentials.role_for(Some(&bearer("nope"))), None);
        assert_eq!(
            credentials.role_for(Some(&basic("ci:pw"))),
            Some(Role::Write)
        );
        assert_eq!(credentials.role_for(Some(&basic("ci:wrong"))), None);
        // A token is not a Basic password and vice versa.
        assert_eq!(credentials.role_for(Some(&basic("read:r-token"))), None);
        assert_eq!(credentials.role_for(None), None);
    }

    #[test]
    fn malformed_credentials_are_rejected_without_echoing_the_secret() {
        let mut credentials = Credentials::default();
        let error = credentials
            .add_token("superuser:s3cret")
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown role"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
        assert!(credentials.add_basic("nopassword", Role::Read).is_err());
    }

    #[test]
    fn roles_needed_by_method_and_path() {
        assert_eq!(required_role(&Method::GET, "/pacticipants"), Role::Read);
        assert_eq!(
            required_role(&Method::POST, "/pacts/provider/P/for-verification"),
            Role::Read
        );
        assert_eq!(
            required_role(&Method::POST, "/contracts/publish"),
            Role::Write
        );
        assert_eq!(
            required_role(&Method::DELETE, "/pacticipants/A"),
            Role::Admin
        );
    }
}
