//! Integrations: the consumer/provider pairs that have exchanged a contract. A publication
//! records its pair (see `contracts`); this file lists, finds and deletes them.

use super::contracts::by_name;
use super::pacticipants::find_pacticipant;
use super::{Result, Store, StoreError};
use crate::db::{args, read_tx, write_tx};

/// A consumer/provider pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// The consumer's name.
    pub consumer: String,
    /// The provider's name.
    pub provider: String,
}

const INTEGRATION_SELECT: &str = "SELECT c.name, p.name FROM integrations i \
     JOIN pacticipants c ON c.id = i.consumer_id \
     JOIN pacticipants p ON p.id = i.provider_id";

impl Store {
    /// The integrations whose consumer or provider name contains `filter` (ignoring case), or
    /// all of them, by consumer then provider name.
    pub async fn integrations(&self, filter: Option<&str>) -> Result<Vec<Integration>> {
        let all: Vec<Integration> = read_tx!(self.db, tx => {
            Ok::<_, StoreError>(
                tx.rows(INTEGRATION_SELECT, args![])
                    .await?
                    .iter()
                    .map(|row| Integration {
                        consumer: row.text(0),
                        provider: row.text(1),
                    })
                    .collect(),
            )
        })?;
        let wanted = filter.map(str::to_lowercase);
        let mut found: Vec<Integration> = all
            .into_iter()
            .filter(|i| {
                wanted.as_deref().is_none_or(|part| {
                    i.consumer.to_lowercase().contains(part)
                        || i.provider.to_lowercase().contains(part)
                })
            })
            .collect();
        found.sort_by(|a, b| {
            by_name(&a.consumer, &b.consumer).then_with(|| by_name(&a.provider, &b.provider))
        });
        Ok(found)
    }

    /// The integration of `consumer` with `provider`, if they have one.
    pub async fn integration(&self, provider: &str, consumer: &str) -> Result<Option<Integration>> {
        let sql = format!("{INTEGRATION_SELECT} WHERE p.name = $1 AND c.name = $2");
        read_tx!(self.db, tx => {
            Ok(tx.row(&sql, args![provider, consumer]).await?.map(|row| Integration {
                consumer: row.text(0),
                provider: row.text(1),
            }))
        })
    }

    /// Deletes an integration: every contract `consumer` published for `provider` (all
    /// revisions and contents), their verification results, and the pair itself. The
    /// pacticipants, their versions, branches, tags and deployments stay.
    pub async fn delete_integration(&self, provider: &str, consumer: &str) -> Result<()> {
        let missing = || {
            StoreError::NotFound(format!(
                "`{consumer}` and `{provider}` have no integration (no contract between them)"
            ))
        };
        write_tx!(self.db, tx => {
            let (Some(provider), Some(consumer)) = (
                find_pacticipant(tx, provider).await?,
                find_pacticipant(tx, consumer).await?,
            ) else {
                return Err(missing());
            };
            // Publications, the latest-publication heads and verification results go with
            // their content.
            tx.execute(
                "DELETE FROM pact_versions WHERE consumer_id = $1 AND provider_id = $2",
                args![consumer.id, provider.id],
            )
            .await?;
            let gone = tx
                .execute(
                    "DELETE FROM integrations WHERE consumer_id = $1 AND provider_id = $2",
                    args![consumer.id, provider.id],
                )
                .await?;
            if gone == 0 {
                return Err(missing());
            }
            Ok(())
        })
    }
}
