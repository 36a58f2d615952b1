//! The delivery worker: one task per broker instance that takes due deliveries from the outbox
//! with a lease, attempts each (concurrently, bounded), and records the attempt with the
//! delivery's next state. It is woken by the store after a commit that wrote deliveries, and
//! otherwise looks again when the next retry is due or after the poll interval (for deliveries
//! other instances wrote).

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;

use super::WebhookConfig;
use super::send::Sender;
use super::template::{Values, render};
use crate::store::{AttemptRecord, LeasedDelivery, Store, delivery_status, now};

/// How many deliveries one instance attempts at once.
const CONCURRENCY: usize = 16;

/// While attempts are running, the worker leases again only when this many have finished: a
/// lease is a write transaction, and one per finished attempt would pace a backlog by the
/// database's commit latency (on a loaded PostgreSQL, 110 deliveries/s instead of 1,000; see
/// benches/README.md).
const LEASE_BATCH: usize = CONCURRENCY / 4;

/// Starts the worker; it runs until the returned handle is aborted. An attempt cut short by
/// that keeps its lease until the lease expires, then is attempted again (by any instance).
pub(crate) fn spawn_worker(
    store: Store,
    config: Arc<WebhookConfig>,
) -> tokio::task::JoinHandle<()> {
    let owner = uuid::Uuid::new_v4().to_string();
    let sender = config.sender();
    tokio::spawn(async move {
        let mut running: JoinSet<()> = JoinSet::new();
        loop {
            let room = CONCURRENCY - running.len();
            if room < LEASE_BATCH && !running.is_empty() {
                running.join_next().await;
                while running.try_join_next().is_some() {}
                continue;
            }
            let lease = config.timeout + Duration::from_secs(30);
            let leased = if room == 0 {
                Vec::new()
            } else {
                let until = now() + i64::try_from(lease.as_micros()).unwrap_or(i64::MAX);
                match store.lease_deliveries(&owner, until, room as i64).await {
                    Ok(leased) => leased,
                    Err(error) => {
                        tracing::error!(%error, "cannot take webhook deliveries");
                        Vec::new()
                    }
                }
            };
            let full = leased.len() == room;
            for delivery in leased {
                let (store, config, sender, owner) = (
                    store.clone(),
                    Arc::clone(&config),
                    sender.clone(),
                    owner.clone(),
                );
                running.spawn(
                    async move { attempt(&store, &config, &sender, &owner, delivery).await },
                );
            }
            if full && room > 0 {
                continue;
            }
            let wait = match store.next_delivery_due().await {
                Ok(Some(due)) => Duration::from_micros(u64::try_from(due - now()).unwrap_or(0))
                    .min(config.poll_interval),
                Ok(None) => config.poll_interval,
                Err(error) => {
                    tracing::error!(%error, "cannot read the webhook outbox");
                    config.poll_interval
                }
            };
            tokio::select! {
                () = store.outbox().notified() => {}
                () = tokio::time::sleep(wait.max(Duration::from_millis(5))) => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
            }
        }
    })
}

/// One attempt at a leased delivery, recorded with the delivery's next state.
async fn attempt(
    store: &Store,
    config: &WebhookConfig,
    sender: &Sender,
    owner: &str,
    delivery: LeasedDelivery,
) {
    let started_at = now();
    let attempt_number = delivery.attempts_made + 1;
    let webhook = match store.webhook(&delivery.webhook_uuid).await {
        Ok(webhook) => webhook,
        Err(error) => {
            tracing::error!(%error, "cannot read a webhook; the delivery is attempted again later");
            return;
        }
    };
    let (success, refused, record) = match webhook {
        None => (false, true, failure(started_at, "the webhook was deleted")),
        Some(webhook) if !webhook.fields.enabled => {
            (false, true, failure(started_at, "the webhook was disabled"))
        }
        Some(webhook) => {
            let values = Values::new(&delivery.context, &config.secrets);
            match (
                render(&webhook.fields.request, &values),
                render(&webhook.fields.request, &values.redacted()),
            ) {
                (Ok(request), Ok(shown)) => {
                    let exchange = sender.send(&request, &shown, Some(&delivery.uuid)).await;
                    let record = AttemptRecord {
                        success: exchange.success,
                        response_status: exchange.response.as_ref().map(|r| r.status),
                        error: exchange.error.clone(),
                        duration_ms: i64::try_from(exchange.duration.as_millis())
                            .unwrap_or(i64::MAX),
                        logs: exchange.logs,
                        started_at,
                    };
                    (exchange.success, exchange.refused, record)
                }
                (Err(missing), _) | (_, Err(missing)) => {
                    (false, true, failure(started_at, &missing.to_string()))
                }
            }
        }
    };
    // A refusal (policy, deleted webhook, missing secret) does not change by waiting.
    let retry_after = (!success && !refused)
        .then(|| {
            config
                .retry_schedule
                .get(usize::try_from(attempt_number - 1).unwrap_or(usize::MAX))
        })
        .flatten();
    let (new_status, next_attempt_at) = match (success, retry_after) {
        (true, _) => (delivery_status::SUCCESS, now()),
        (false, Some(pause)) => (
            delivery_status::RETRYING,
            now() + i64::try_from(pause.as_micros()).unwrap_or(i64::MAX),
        ),
        (false, None) => (delivery_status::FAILURE, now()),
    };
    tracing::info!(
        delivery = delivery.uuid,
        webhook = delivery.webhook_uuid,
        event = delivery.event_name,
        attempt = attempt_number,
        status = new_status,
        response = record.response_status,
        "webhook attempt"
    );
    match store
        .finish_attempt(&delivery, owner, &record, new_status, next_attempt_at)
        .await
    {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            delivery = delivery.uuid,
            "a webhook attempt outlived its lease; another instance took the delivery"
        ),
        Err(error) => tracing::error!(%error, "cannot record a webhook attempt"),
    }
}

fn failure(started_at: i64, reason: &str) -> AttemptRecord {
    AttemptRecord {
        success: false,
        response_status: None,
        error: Some(reason.to_owned()),
        duration_ms: 0,
        logs: format!("Not sent: {reason}\n"),
        started_at,
    }
}
