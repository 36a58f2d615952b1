//! Reading the cross-checks of a provider version's OpenAPI document against its consumers'
//! contracts, through the index's `pactum:cross-checks` relation (a pactum broker resource).

use pactum_broker_api::ProviderVersionCrossChecks;

use super::{BrokerClient, ClientError, expand};

impl BrokerClient {
    /// The cross-checks of `provider` version `version`'s provider contract (only those with
    /// `consumer`'s contracts, when given).
    pub async fn cross_checks(
        &self,
        provider: &str,
        version: &str,
        consumer: Option<&str>,
    ) -> Result<ProviderVersionCrossChecks, ClientError> {
        let mut url = self
            .relation(
                "pactum:cross-checks",
                &[("provider", provider), ("version", version)],
            )
            .await?;
        if let Some(consumer) = consumer {
            url.push_str(&expand("/consumer/{consumer}", &[("consumer", consumer)]));
        }
        self.get(&url).await
    }
}
