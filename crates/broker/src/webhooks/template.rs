//! Rendering a webhook's request template: `${pactbroker.NAME}` from the event, `${user.NAME}`
//! from the broker's configured secrets.
//!
//! Each value is escaped for where it lands: percent-encoded in the URL, JSON-escaped inside a
//! JSON body (the body is rendered string by string, then serialised), as is in headers and
//! text bodies. Placeholders without a value stay as written (as the Pact Broker leaves them);
//! a `${user.NAME}` secret that is not configured is an error, so a request never goes out
//! with a literal placeholder where a credential should be.

use std::collections::BTreeMap;

use base64::Engine as _;
use pactum_broker_api::WebhookRequest;
use pactum_broker_api::webhooks::REDACTED;
use serde_json::Value;

use crate::hal::{href, seg};
use crate::store::DeliveryContext;

/// Every `${pactbroker.X}` name the Pact Broker expands.
pub const VARIABLES: &[&str] = &[
    "pactUrl",
    "verificationResultUrl",
    "consumerName",
    "providerName",
    "consumerVersionNumber",
    "providerVersionNumber",
    "consumerVersionBranch",
    "providerVersionBranch",
    "consumerVersionTags",
    "providerVersionTags",
    "consumerLabels",
    "providerLabels",
    "githubVerificationStatus",
    "bitbucketVerificationStatus",
    "gitlabVerificationStatus",
    "azureDevOpsVerificationStatus",
    "providerVersionDescriptions",
    "eventName",
    "buildUrl",
    "currentlyDeployedProviderVersionNumber",
];

/// The values placeholders are replaced with, by full name (`pactbroker.consumerName`,
/// `user.TOKEN`).
#[derive(Debug, Clone, Default)]
pub struct Values {
    values: BTreeMap<String, String>,
    /// Secrets are shown as [`REDACTED`] when rendering for logs.
    redact_secrets: bool,
}

/// A `${user.NAME}` placeholder with no configured secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the webhook uses the secret `{0}`, which the broker does not have; configure it as a \
     webhook secret when starting the broker"
)]
pub struct MissingSecret(pub String);

impl Values {
    /// The event's values (with the pact and verification URLs built from its base URL) and
    /// the secrets.
    pub fn new(context: &DeliveryContext, secrets: &BTreeMap<String, String>) -> Values {
        let mut values: BTreeMap<String, String> = VARIABLES
            .iter()
            .map(|name| (format!("pactbroker.{name}"), String::new()))
            .collect();
        for (name, value) in &context.variables {
            values.insert(format!("pactbroker.{name}"), value.clone());
        }
        let consumer = context
            .variables
            .get("consumerName")
            .cloned()
            .unwrap_or_default();
        let provider = context
            .variables
            .get("providerName")
            .cloned()
            .unwrap_or_default();
        if !context.sha.is_empty() {
            values.insert(
                "pactbroker.pactUrl".into(),
                pact_url(
                    &context.base,
                    &provider,
                    &consumer,
                    &context.sha,
                    &context.consumer_version,
                ),
            );
            if let Some(id) = context.verification_id {
                values.insert(
                    "pactbroker.verificationResultUrl".into(),
                    href(
                        &context.base,
                        &[
                            "pacts",
                            "provider",
                            &provider,
                            "consumer",
                            &consumer,
                            "pact-version",
                            &context.sha,
                            "verification-results",
                            &id.to_string(),
                        ],
                    ),
                );
            }
        }
        for (name, value) in secrets {
            values.insert(format!("user.{name}"), value.clone());
        }
        Values {
            values,
            redact_secrets: false,
        }
    }

    /// The same values with secrets shown as [`REDACTED`], for logs and test executions.
    pub fn redacted(&self) -> Values {
        Values {
            values: self.values.clone(),
            redact_secrets: true,
        }
    }

    /// One value, by full name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Replaces the placeholders in `template`, each value passed through `escape`.
    pub fn render(
        &self,
        template: &str,
        escape: impl Fn(&str) -> String,
    ) -> Result<String, MissingSecret> {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = &after[..end];
            match self.values.get(name) {
                Some(_) if self.redact_secrets && name.starts_with("user.") => {
                    out.push_str(REDACTED)
                }
                Some(value) => out.push_str(&escape(value)),
                None if name.starts_with("user.") => {
                    if self.redact_secrets {
                        out.push_str(REDACTED);
                    } else {
                        return Err(MissingSecret(name["user.".len()..].to_owned()));
                    }
                }
                None => out.push_str(&rest[start..start + 2 + end + 1]),
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// The pact's permalink, with metadata naming the consumer version (as pacts for verification
/// writes it), so a verifier that publishes results to it triggers the verification events for
/// that consumer version.
fn pact_url(
    base: &str,
    provider: &str,
    consumer: &str,
    sha: &str,
    consumer_version: &str,
) -> String {
    let metadata = serde_json::json!({ "cv": [consumer_version] }).to_string();
    let metadata = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(metadata);
    href(
        base,
        &[
            "pacts",
            "provider",
            provider,
            "consumer",
            consumer,
            "pact-version",
            sha,
            "metadata",
            &metadata,
        ],
    )
}

/// A rendered request, ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// The method (uppercase).
    pub method: String,
    /// The URL.
    pub url: String,
    /// The headers, in template order.
    pub headers: Vec<(String, String)>,
    /// The body text, and whether it is JSON.
    pub body: Option<(String, bool)>,
    /// Basic credentials.
    pub basic: Option<(String, String)>,
}

/// Whether a header carries credentials (shown as [`REDACTED`]).
pub fn is_sensitive_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("authorization")
        || name.contains("token")
        || name.contains("secret")
        || name.contains("api-key")
        || name.contains("apikey")
}

fn render_json(value: &Value, values: &Values) -> Result<Value, MissingSecret> {
    Ok(match value {
        Value::String(text) => Value::String(values.render(text, str::to_owned)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| render_json(item, values))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, item)| {
                    Ok((
                        values.render(key, str::to_owned)?,
                        render_json(item, values)?,
                    ))
                })
                .collect::<Result<_, MissingSecret>>()?,
        ),
        other => other.clone(),
    })
}

/// Renders a request template with `values`.
pub fn render(request: &WebhookRequest, values: &Values) -> Result<Rendered, MissingSecret> {
    let url = values.render(&request.url, seg)?;
    let headers = request
        .headers
        .iter()
        .map(|(name, value)| Ok((name.clone(), values.render(value, str::to_owned)?)))
        .collect::<Result<_, MissingSecret>>()?;
    let body = match &request.body {
        None => None,
        // A string body is text, sent as written.
        Some(Value::String(text)) => Some((values.render(text, str::to_owned)?, false)),
        Some(json) => Some((render_json(json, values)?.to_string(), true)),
    };
    let basic = match (&request.username, &request.password) {
        (None, None) => None,
        (user, password) => Some((
            values.render(user.as_deref().unwrap_or_default(), str::to_owned)?,
            values.render(password.as_deref().unwrap_or_default(), str::to_owned)?,
        )),
    };
    Ok(Rendered {
        method: request.method.to_ascii_uppercase(),
        url,
        headers,
        body,
        basic,
    })
}

/// A request template as resources show it: the password and credential headers as
/// [`REDACTED`].
pub fn redact(request: &WebhookRequest) -> WebhookRequest {
    let mut shown = request.clone();
    if shown.password.is_some() {
        shown.password = Some(REDACTED.into());
    }
    for (name, value) in shown.headers.iter_mut() {
        if is_sensitive_header(name) {
            *value = REDACTED.into();
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(pairs: &[(&str, &str)]) -> Values {
        let context = DeliveryContext {
            base: "http://broker:9292".into(),
            variables: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            sha: "abc".into(),
            consumer_version: "1.0 /\"é".into(),
            verification_id: Some(7),
        };
        let secrets = BTreeMap::from([("TOKEN".to_string(), "s3cr\"t".to_string())]);
        Values::new(&context, &secrets)
    }

    #[test]
    fn values_are_escaped_for_the_url_and_the_json_body() {
        let tricky = "feat/\"quoted\" & spaced é";
        let values = values(&[
            ("consumerName", "web app"),
            ("consumerVersionBranch", tricky),
        ]);
        let request = WebhookRequest {
            method: "post".into(),
            url: "https://ci.example/build?branch=${pactbroker.consumerVersionBranch}&t=${user.TOKEN}".into(),
            headers: [("X-Branch".to_string(), "${pactbroker.consumerVersionBranch}".to_string())].into(),
            body: Some(json!({"branch": "${pactbroker.consumerVersionBranch}", "n": 1,
                              "${pactbroker.consumerName}": ["${user.TOKEN}"]})),
            username: Some("ci".into()),
            password: Some("${user.TOKEN}".into()),
        };
        let rendered = render(&request, &values).unwrap();
        assert_eq!(rendered.method, "POST");
        assert_eq!(
            rendered.url,
            "https://ci.example/build?branch=feat%2F%22quoted%22%20%26%20spaced%20%C3%A9&t=s3cr%22t"
        );
        assert_eq!(
            rendered.headers,
            [("X-Branch".to_string(), tricky.to_string())]
        );
        let (body, json) = rendered.body.unwrap();
        assert!(json);
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(
            parsed,
            json!({"branch": tricky, "n": 1, "web app": ["s3cr\"t"]})
        );
        assert_eq!(rendered.basic, Some(("ci".into(), "s3cr\"t".into())));

        let shown = render(&request, &values.redacted()).unwrap();
        assert!(
            shown.url.ends_with(&format!("&t={REDACTED}")),
            "{}",
            shown.url
        );
        assert_eq!(shown.basic.unwrap().1, REDACTED);
    }

    #[test]
    fn every_pact_broker_variable_has_a_value_and_urls_are_permalinks() {
        let values = values(&[("consumerName", "web"), ("providerName", "api")]);
        for name in VARIABLES {
            assert!(
                values.get(&format!("pactbroker.{name}")).is_some(),
                "{name}"
            );
        }
        let pact_url = values.get("pactbroker.pactUrl").unwrap();
        assert!(
            pact_url.starts_with(
                "http://broker:9292/pacts/provider/api/consumer/web/pact-version/abc/metadata/"
            ),
            "{pact_url}"
        );
        assert_eq!(
            values.get("pactbroker.verificationResultUrl").unwrap(),
            "http://broker:9292/pacts/provider/api/consumer/web/pact-version/abc/verification-results/7"
        );
    }

    #[test]
    fn unknown_placeholders_stay_and_missing_secrets_are_errors() {
        let values = values(&[]);
        assert_eq!(
            values
                .render(
                    "${other.x} ${pactbroker.nope} ${unterminated",
                    str::to_owned
                )
                .unwrap(),
            "${other.x} ${pactbroker.nope} ${unterminated"
        );
        assert_eq!(
            values.render("${user.MISSING}", str::to_owned),
            Err(MissingSecret("MISSING".into()))
        );
        assert_eq!(
            values
                .redacted()
                .render("${user.MISSING}", str::to_owned)
                .unwrap(),
            REDACTED
        );
    }

    #[test]
    fn credentials_are_redacted_in_resources() {
        let request = WebhookRequest {
            headers: [
                ("Authorization".to_string(), "Bearer x".to_string()),
                ("X-Api-Token".to_string(), "y".to_string()),
                ("Content-Type".to_string(), "application/json".to_string()),
            ]
            .into(),
            password: Some("p".into()),
            ..WebhookRequest::default()
        };
        let shown = redact(&request);
        assert_eq!(shown.password.as_deref(), Some(REDACTED));
        assert_eq!(shown.headers["Authorization"], REDACTED);
        assert_eq!(shown.headers["X-Api-Token"], REDACTED);
        assert_eq!(shown.headers["Content-Type"], "application/json");
    }
}
