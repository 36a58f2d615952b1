//! Where contracts come from: files, directories of pact files, and URLs (with basic or bearer
//! authentication). Shared by `pactum stub` and the verifier. The broker's
//! pacts-for-verification flow is in the crate root ([`crate::BrokerClient`]).

use std::path::{Path, PathBuf};

use pactum_core::contract::{LoadError, Pact};

/// One place to load contracts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A pact file.
    File(PathBuf),
    /// Every `.json` file in a directory.
    Dir(PathBuf),
    /// A pact served over HTTP(S).
    Url(String),
}

impl Source {
    /// Classifies a command-line argument: `http(s)://` is a URL, an existing directory is a
    /// directory, anything else a file.
    pub fn parse(text: &str) -> Source {
        if text.starts_with("http://") || text.starts_with("https://") {
            Source::Url(text.to_string())
        } else if Path::new(text).is_dir() {
            Source::Dir(PathBuf::from(text))
        } else {
            Source::File(PathBuf::from(text))
        }
    }
}

/// Credentials for URL sources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// None.
    #[default]
    None,
    /// HTTP basic authentication.
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// A bearer token.
    Bearer(String),
}

impl Auth {
    /// The credentials command-line flags give: a token wins over a user name; a user name
    /// without a password has an empty one.
    pub fn from_flags(token: Option<&str>, username: Option<&str>, password: Option<&str>) -> Auth {
        match (token, username) {
            (Some(token), _) => Auth::Bearer(token.to_owned()),
            (None, Some(username)) => Auth::Basic {
                username: username.to_owned(),
                password: password.unwrap_or_default().to_owned(),
            },
            _ => Auth::None,
        }
    }

    /// The kind of credential (and Basic user name) these are, without their secret.
    pub fn credential(&self) -> crate::Credential {
        match self {
            Auth::None => crate::Credential::None,
            Auth::Basic { username, .. } => crate::Credential::Basic {
                username: username.clone(),
            },
            Auth::Bearer(_) => crate::Credential::Token,
        }
    }

    /// Adds the credentials to a request.
    pub fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Basic { username, password } => request.basic_auth(username, Some(password)),
            Auth::Bearer(token) => request.bearer_auth(token),
        }
    }
}

/// A contract and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file path or URL.
    pub origin: String,
    /// The contract.
    pub pact: Pact,
    /// What the broker said about it, when it came from pacts for verification.
    pub broker: Option<crate::BrokerContext>,
}

/// Why contracts could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// A contract file is missing, unreadable or invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A directory could not be listed.
    #[error("cannot list {dir}: {source}")]
    Dir {
        /// The directory.
        dir: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A directory holds no pact files.
    #[error("{0} contains no .json contract files")]
    EmptyDir(PathBuf),
    /// A URL could not be fetched or is not a contract.
    #[error("cannot load the contract at {url}: {message}")]
    Url {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// How long fetching one contract may take.
const FETCH_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// The largest contract fetched from a URL.
const MAX_CONTRACT_BYTES: usize = 64 * 1024 * 1024;

/// Loads every source, in order (directory entries sorted by name).
pub async fn load_all(sources: &[Source], auth: &Auth) -> Result<Vec<Loaded>, SourceError> {
    let mut out = Vec::new();
    for source in sources {
        match source {
            Source::File(file) => out.push(Loaded {
                origin: file.display().to_string(),
                pact: Pact::load(file)?,
                broker: None,
            }),
            Source::Dir(dir) => {
                let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                    .map_err(|source| SourceError::Dir {
                        dir: dir.clone(),
                        source,
                    })?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "json"))
                    .collect();
                files.sort();
                if files.is_empty() {
                    return Err(SourceError::EmptyDir(dir.clone()));
                }
                for file in files {
                    out.push(Loaded {
                        origin: file.display().to_string(),
                        pact: Pact::load(&file)?,
                        broker: None,
                    });
                }
            }
            Source::Url(url) => out.push(Loaded {
                origin: url.clone(),
                pact: fetch(url, auth).await?,
                broker: None,
            }),
        }
    }
    Ok(out)
}

async fn fetch(url: &str, auth: &Auth) -> Result<Pact, SourceError> {
    let fail = |message: String| SourceError::Url {
        url: url.to_string(),
        message,
    };
    let with_credentials = *auth != Auth::None;
    let client = reqwest::Client::builder()
        .connect_timeout(FETCH_TIMEOUT)
        .timeout(FETCH_TIMEOUT)
        .redirect(crate::origin::redirect_policy(with_credentials))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let request = client
        .get(url)
        .header("Accept", "application/hal+json, application/json");
    let mut response = auth
        .apply(request)
        .send()
        .await
        .map_err(|e| fail(e.to_string()))?;
    if with_credentials && response.status().is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| response.url().join(l).ok());
        if let Some(location) = location {
            return Err(fail(format!(
                "it redirects to {location}, on another origin; credentials are sent only to \
                 the URL's own origin, so the redirect was not followed (give that URL instead)"
            )));
        }
    }
    if !response.status().is_success() {
        return Err(fail(format!("the server answered {}", response.status())));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| fail(e.to_string()))? {
        if bytes.len() + chunk.len() > MAX_CONTRACT_BYTES {
            return Err(fail(format!(
                "the contract is larger than {MAX_CONTRACT_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Pact::from_slice(&bytes).map_err(|e| fail(e.to_string()))
}

/// The innermost cause of an error ("Connection refused" rather than "error sending request").
pub fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(inner) = current.source() {
        current = inner;
    }
    current.to_string()
}
