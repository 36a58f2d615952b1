//! The cross-check worker: one task per broker instance that takes pending cross-checks (a
//! consumer contract against a provider's OpenAPI document) with a lease, computes each on a
//! blocking thread with `pactum-openapi`, and records the result while it still holds the
//! lease. It is woken by the store after a commit that enqueued cross-checks, and otherwise
//! looks again after the poll interval (for work other instances enqueued, or a lease that
//! expired because its instance stopped).
//!
//! The queue is the `cross_checks` table itself (`store/cross_checks.rs`), so a restart loses
//! no work and instances sharing a PostgreSQL database compute each pair once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pactum_core::contract::Pact;
use pactum_openapi::{CrossCheck, Document};

use crate::store::{LeasedCrossCheck, Store, now};

/// How cross-checks are computed.
#[derive(Debug, Clone)]
pub struct CrossCheckConfig {
    /// How many cross-checks one instance computes at once; 0: this instance computes none
    /// (another instance sharing the database does).
    pub concurrency: usize,
    /// How long an instance may take over one before another may take it.
    pub lease: Duration,
    /// How often to look for work nobody woke this instance for.
    pub poll_interval: Duration,
}

impl Default for CrossCheckConfig {
    fn default() -> Self {
        CrossCheckConfig {
            concurrency: 2,
            lease: Duration::from_secs(120),
            poll_interval: Duration::from_secs(2),
        }
    }
}

/// Provider contracts published before migration 0005 hashed per transaction.
const HASHED_PER_PASS: i64 = 16;

/// Documents kept loaded per instance.
const DOCUMENTS_KEPT: usize = 4;

/// The documents checked most recently, by content hash, with their compiled schemas: a new
/// provider contract is checked against every consumer's contract in a row, and loading a
/// 500-operation document and compiling its schemas costs more than checking a 1,000-interaction
/// contract against it once they are compiled (benches/README.md).
#[derive(Debug, Clone, Default)]
struct LoadedDocuments(Arc<Mutex<Kept>>);

/// Loaded documents by content hash, most recently loaded first.
type Kept = VecDeque<(String, Arc<Document>)>;

impl LoadedDocuments {
    fn get_or_load(&self, sha: &str, text: &str) -> Result<Arc<Document>, String> {
        let kept = |documents: &Kept| {
            documents
                .iter()
                .find(|(kept, _)| kept == sha)
                .map(|(_, document)| Arc::clone(document))
        };
        if let Some(document) = kept(&self.0.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(document);
        }
        let document = Arc::new(
            Document::from_bytes(text.as_bytes())
                .map_err(|error| format!("the provider contract cannot be read: {error}"))?,
        );
        let mut documents = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if kept(&documents).is_none() {
            documents.push_front((sha.to_owned(), Arc::clone(&document)));
            documents.truncate(DOCUMENTS_KEPT);
        }
        Ok(document)
    }
}

/// Checks a consumer contract's text against a loaded document. `Err` says why the check could
/// not run: a content cannot be read (both were checked when published, so only a stored
/// document that is gone, or a newer pactum that reads stricter, gets here).
fn check(pact: &str, document: &Document) -> Result<CrossCheck, String> {
    let pact = Pact::from_slice(pact.as_bytes())
        .map_err(|error| format!("the consumer contract cannot be read: {error}"))?;
    Ok(document.cross_check(&pact))
}

/// Starts the worker; it runs until the returned handle is aborted. A computation cut short by
/// that keeps its lease until the lease expires, then is taken again (by any instance).
pub(crate) fn spawn_worker(store: Store, config: CrossCheckConfig) -> tokio::task::JoinHandle<()> {
    let owner = uuid::Uuid::new_v4().to_string();
    let documents = LoadedDocuments::default();
    tokio::spawn(async move {
        if config.concurrency == 0 {
            return;
        }
        // Documents published before migration 0005 have no hash yet (new ones are hashed
        // when published): hash them once, which enqueues their pairs.
        loop {
            match store.hash_provider_contracts(HASHED_PER_PASS).await {
                Ok(hashed) if hashed == HASHED_PER_PASS as usize => continue,
                Ok(_) => break,
                Err(error) => {
                    tracing::error!(%error, "cannot hash provider contracts published before 0005");
                    break;
                }
            }
        }
        loop {
            let until = now() + i64::try_from(config.lease.as_micros()).unwrap_or(i64::MAX);
            let limit = i64::try_from(config.concurrency).unwrap_or(i64::MAX);
            let leased = match store.lease_cross_checks(&owner, until, limit).await {
                Ok(leased) => leased,
                Err(error) => {
                    tracing::error!(%error, "cannot take cross-checks");
                    Vec::new()
                }
            };
            if !leased.is_empty() {
                let mut running = tokio::task::JoinSet::new();
                for work in leased {
                    let (store, owner, documents) =
                        (store.clone(), owner.clone(), documents.clone());
                    running.spawn(async move { run(&store, &owner, &documents, work).await });
                }
                while running.join_next().await.is_some() {}
                continue;
            }
            tokio::select! {
                () = store.cross_check_queue().notified() => {}
                () = tokio::time::sleep(config.poll_interval) => {}
            }
        }
    })
}

/// Computes one leased cross-check and records it.
async fn run(store: &Store, owner: &str, documents: &LoadedDocuments, work: LeasedCrossCheck) {
    let id = work.id;
    let outcome = match work.document {
        None => Err("no provider contract with this content is stored any more".to_owned()),
        Some(document) => {
            let documents = documents.clone();
            let sha = work.provider_contract_sha;
            let pact = work.pact;
            let computed = tokio::task::spawn_blocking(move || {
                check(&pact, &*documents.get_or_load(&sha, &document)?)
            });
            match computed.await {
                Ok(outcome) => outcome,
                Err(error) => {
                    // A panic in the checker: leave the row pending; after the lease it is
                    // tried again, and the log says why.
                    tracing::error!(cross_check = id, %error, "the cross-check failed to run");
                    return;
                }
            }
        }
    };
    let recorded = store
        .finish_cross_check(id, owner, outcome.as_ref().map_err(String::as_str))
        .await;
    match recorded {
        Ok(true) => tracing::info!(
            cross_check = id,
            success = outcome.as_ref().is_ok_and(CrossCheck::success),
            "cross-check computed"
        ),
        Ok(false) => tracing::warn!(
            cross_check = id,
            "a cross-check outlived its lease; another instance took it"
        ),
        Err(error) => tracing::error!(cross_check = id, %error, "cannot record a cross-check"),
    }
}
