//! Webhook operations (`create-webhook`, `create-or-update-webhook`, `test-webhook`,
//! `delete-webhook`), through the index's `pb:webhooks` and `pb:webhook` relations as the
//! official clients go.

use pactum_broker_api::hal::href;
use pactum_broker_api::{Webhook, WebhookExecutionResult, WebhookRequestBody};
use reqwest::{Method, StatusCode};

use super::{BrokerClient, ClientError, Missing, Reply};

impl BrokerClient {
    /// Creates a webhook under an id the broker chooses.
    pub async fn create_webhook(
        &self,
        webhook: &WebhookRequestBody,
    ) -> Result<Webhook, ClientError> {
        let url = self.relation("pb:webhooks", &[]).await?;
        self.expect(Method::POST, &url, Some(webhook)).await
    }

    /// Creates the webhook `uuid`, or replaces it; `true` when it was created.
    pub async fn put_webhook(
        &self,
        uuid: &str,
        webhook: &WebhookRequestBody,
    ) -> Result<(Webhook, bool), ClientError> {
        let url = self.relation("pb:webhook", &[("uuid", uuid)]).await?;
        let (status, text) = self.send(Method::PUT, &url, Some(webhook)).await?;
        if !status.is_success() {
            return Err(Self::refused(&Method::PUT, &url, status, &text));
        }
        Ok((Self::read(&url, &text)?, status == StatusCode::CREATED))
    }

    /// The webhook `uuid`; [`Missing::Webhook`] when the broker has none.
    pub async fn webhook(&self, uuid: &str) -> Result<(String, Webhook), ClientError> {
        let url = self.relation("pb:webhook", &[("uuid", uuid)]).await?;
        let (status, text) = self.send::<()>(Method::GET, &url, None).await?;
        if status == StatusCode::NOT_FOUND {
            return Err(missing_webhook(uuid, Reply::new("GET", &url, 404, &text)));
        }
        if !status.is_success() {
            return Err(Self::refused(&Method::GET, &url, status, &text));
        }
        Ok((url.clone(), Self::read(&url, &text)?))
    }

    /// Runs the saved webhook `uuid` now (its `pb:execute` relation) and returns what it sent
    /// and got; the broker records nothing.
    pub async fn execute_webhook(&self, uuid: &str) -> Result<WebhookExecutionResult, ClientError> {
        let (url, webhook) = self.webhook(uuid).await?;
        let execute =
            href(webhook.links.execute.as_ref()).ok_or_else(|| ClientError::Protocol {
                url,
                message: "the webhook has no `pb:execute` relation".into(),
            })?;
        self.expect::<(), _>(Method::POST, execute, None).await
    }

    /// Deletes the webhook `uuid`; [`Missing::Webhook`] when the broker has none.
    pub async fn delete_webhook(&self, uuid: &str) -> Result<(), ClientError> {
        let url = self.relation("pb:webhook", &[("uuid", uuid)]).await?;
        let (status, text) = self.send::<()>(Method::DELETE, &url, None).await?;
        if status == StatusCode::NOT_FOUND {
            return Err(missing_webhook(
                uuid,
                Reply::new("DELETE", &url, 404, &text),
            ));
        }
        if !status.is_success() {
            return Err(Self::refused(&Method::DELETE, &url, status, &text));
        }
        Ok(())
    }
}

fn missing_webhook(uuid: &str, reply: Box<Reply>) -> ClientError {
    ClientError::NotFound {
        missing: Missing::Webhook {
            uuid: uuid.to_owned(),
        },
        reply: Some(reply),
    }
}
