//! Contracts: publishing (content stored once per hash, a publication per consumer version and
//! provider, conflicts rejected, overwritten or merged) and reading them back.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::value::RawValue;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::cross_checks::{PROVIDER_CONTRACTS_TO_CHECK, enqueue_for_consumer_contract};
use super::environments::{ENVIRONMENT_COLUMNS, Environment, environment};
use super::labels::{Label, labels_in_batch, labels_of};
use super::pacticipants::{
    Pacticipant, find_pacticipant, pacticipant_in_batch, require_pacticipant,
};
use super::resolve::{Among, Resolved, VersionRef, require_version_id, resolve};
use super::versions::{
    Version, load_version, on_branch_in_batch, placed_on_branch, tag_in_batch, version_in_batch,
};
use super::webhooks::{
    ContentChange, enabled_webhooks_in, enabled_webhooks_sql, trigger_for_publication,
};
use super::{Result, Snapshot, Store, StoreError, now};
use crate::blocking::{by_size, on_blocking_thread};
use crate::db::{AsTransient, Backend, Batch, DbError, Row, Tx, args, read_tx, write_tx};
use pactum_core::contract::{InteractionIdentity, Mergeable, Pact, merge_interactions};

/// A stored contract publication.
#[derive(Debug, Clone)]
pub struct StoredPact {
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// The consumer version that published it.
    pub consumer_version: String,
    /// The content hash.
    pub sha: String,
    /// The contract JSON, with broker-assigned interaction `_id`s.
    pub content: String,
    /// When this revision was published.
    pub created_at: i64,
}

/// A contract publication without its content, for lists.
#[derive(Debug, Clone)]
pub struct PactSummary {
    /// The consumer.
    pub consumer: String,
    /// The provider.
    pub provider: String,
    /// The consumer version that published it.
    pub consumer_version: String,
    /// The content hash.
    pub sha: String,
    /// When this revision was published.
    pub created_at: i64,
}

/// What to do when a consumer version publishes different content for a provider it has
/// already published for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnConflict {
    /// Refuse (409): a version's contract should not change.
    Reject,
    /// Replace the stored content with the new one.
    Overwrite,
    /// Add the new interactions to the stored ones.
    Merge,
}

/// One contract to publish.
#[derive(Debug, Clone)]
pub struct NewContract {
    /// The provider's name.
    pub provider: String,
    /// The contract as JSON text (a JSON object; the API checks that much). Kept as text, not
    /// as a parsed value: a parsed contract of 100,000 interactions takes twenty times its size,
    /// and it is read one interaction at a time instead.
    pub content: Arc<[u8]>,
    /// Conflict handling.
    pub on_conflict: OnConflict,
}

/// What happened to one published contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishOutcome {
    /// First publication for this version and provider.
    Created,
    /// The same content was published again; nothing changed.
    Unchanged,
    /// Different content replaced the previous one.
    Overwritten,
    /// Interactions were merged into the previous content.
    Merged,
}

/// A publication request: one consumer version with its branch, tags and contracts.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The consumer.
    pub consumer: String,
    /// Its version number.
    pub version: String,
    /// Branch of the version.
    pub branch: Option<String>,
    /// Tags for the version.
    pub tags: Vec<String>,
    /// CI build URL.
    pub build_url: Option<String>,
    /// The contracts.
    pub contracts: Vec<NewContract>,
    /// The broker's base URL, for the links webhooks triggered by this publication send.
    pub base_url: String,
}

/// The result of a publication.
#[derive(Debug, Clone)]
pub struct Published {
    /// The consumer version after the publication.
    pub version: Version,
    /// Whether the version was created by it.
    pub version_created: bool,
    /// One outcome per contract, in request order.
    pub contracts: Vec<(String, PublishOutcome)>,
    /// The consumer after the publication.
    pub pacticipant: Pacticipant,
    /// How many webhook deliveries the publication triggered.
    pub webhook_deliveries: usize,
    /// How many cross-checks (against provider contracts) the publication enqueued.
    pub cross_checks: usize,
    /// Every environment (the answer links them), by name.
    pub environments: Vec<Environment>,
    /// The consumer's labels, by name.
    pub labels: Vec<Label>,
}

/// What a broker adds to a contract when serving it, which is not part of the contract (clients
/// republish downloaded contracts): top-level members, and each interaction's `_id`.
const SERVED_MEMBERS: [&str; 2] = ["_links", "createdAt"];

/// The member a broker adds to each interaction when serving a contract.
const SERVED_INTERACTION_ID: &str = "_id";

/// A contract's top-level members, unparsed (borrowed from its text).
fn outline<'t>(text: &'t [u8], field: &str) -> Result<BTreeMap<String, &'t RawValue>> {
    serde_json::from_slice(text).map_err(|error| {
        StoreError::invalid(
            field,
            format!("the contract must be a JSON object: {error}"),
        )
    })
}

/// Prepares contract JSON for storage: checks it is a valid pact and returns its content hash
/// and the JSON to store — compact, keys sorted, without what a broker adds when serving, each
/// interaction with a fresh `_id`. Both are computed one interaction at a time, so the memory a
/// contract takes here is a few times its text, not the twenty-odd times of a parsed value.
fn prepare_content(text: &[u8], field: &str) -> Result<(String, String)> {
    let members = outline(text, field)?;
    let sha = Pact::check_and_hash(text, &[SERVED_INTERACTION_ID])
        .map_err(|error| StoreError::invalid(field, format!("not a valid pact: {error}")))?;
    let unreadable =
        |error: serde_json::Error| StoreError::invalid(field, format!("cannot be read: {error}"));
    let mut stored = Vec::with_capacity(text.len() + text.len() / 4);
    stored.push(b'{');
    for (name, raw) in members
        .iter()
        .filter(|(name, _)| !SERVED_MEMBERS.contains(&name.as_str()))
    {
        if stored.len() > 1 {
            stored.push(b',');
        }
        serde_json::to_writer(&mut stored, name).map_err(unreadable)?;
        stored.push(b':');
        let items = match name.as_str() {
            "interactions" | "messages" => serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok(),
            _ => None,
        };
        let Some(items) = items else {
            let value: Value = serde_json::from_str(raw.get()).map_err(unreadable)?;
            serde_json::to_writer(&mut stored, &value).map_err(unreadable)?;
            continue;
        };
        stored.push(b'[');
        for (index, item) in items.into_iter().enumerate() {
            if index > 0 {
                stored.push(b',');
            }
            let mut item: Value = serde_json::from_str(item.get()).map_err(unreadable)?;
            if let Some(object) = item.as_object_mut() {
                object.remove(SERVED_INTERACTION_ID);
                let json = serde_json::to_string(object).map_err(unreadable)?;
                let digest = Sha256::digest(json.as_bytes());
                let id: String = digest[..20].iter().map(|b| format!("{b:02x}")).collect();
                object.insert(SERVED_INTERACTION_ID.into(), Value::String(id));
            }
            serde_json::to_writer(&mut stored, &item).map_err(unreadable)?;
        }
        stored.push(b']');
    }
    stored.push(b'}');
    let stored = String::from_utf8(stored)
        .map_err(|_| StoreError::invalid(field, "the stored JSON is not UTF-8"))?;
    Ok((sha.to_string(), stored))
}

/// An interaction as published: without the `_id` the broker adds when storing it.
pub(crate) fn without_id(interaction: &Value) -> Value {
    let mut interaction = interaction.clone();
    if let Some(object) = interaction.as_object_mut() {
        object.remove(SERVED_INTERACTION_ID);
    }
    interaction
}

/// What identifies an interaction within a contract: its description, and its provider states
/// as JSON (empty without states), whatever the specification version's spelling.
pub(crate) fn interaction_identity(interaction: &Value) -> (String, String) {
    let identity = Mergeable::identity(interaction);
    (identity.description, identity.provider_states)
}

/// What changed from one contract to another, by interaction (its description, with `given`
/// and its provider states when it has some): the API's diff resource and the contract page
/// both show this.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InteractionChanges {
    /// Only in the newer contract.
    pub added: Vec<String>,
    /// Only in the older one.
    pub removed: Vec<String>,
    /// In both, with different content.
    pub changed: Vec<String>,
}

/// Compares a contract with an earlier one (none: everything is added). A content that is not
/// JSON has no interactions.
pub fn interaction_changes(
    current: &StoredPact,
    previous: Option<&StoredPact>,
) -> InteractionChanges {
    let parse =
        |pact: &StoredPact| serde_json::from_str::<Value>(&pact.content).unwrap_or(Value::Null);
    let now = interactions_by_key(&parse(current));
    let before = previous
        .map(|pact| interactions_by_key(&parse(pact)))
        .unwrap_or_default();
    let keys = |filter: &dyn Fn(&String) -> bool, of: &Map<String, Value>| -> Vec<String> {
        of.keys().filter(|k| filter(k)).cloned().collect()
    };
    InteractionChanges {
        added: keys(&|k| !before.contains_key(k), &now),
        removed: keys(&|k| !now.contains_key(k), &before),
        changed: keys(&|k| before.get(k).is_some_and(|old| old != &now[k]), &now),
    }
}

fn interactions_by_key(content: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for key in ["interactions", "messages"] {
        for item in content
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let item = without_id(item);
            let (description, states) = interaction_identity(&item);
            let name = if states.is_empty() {
                description
            } else {
                format!("{description} given {states}")
            };
            out.insert(name, item);
        }
    }
    out
}

/// An interaction as JSON text, read only while a merge looks at it: merging contracts of
/// 100,000 interactions keeps their text and an index of identities, not parsed values.
struct RawInteraction<'t>(&'t RawValue);

impl RawInteraction<'_> {
    fn value(&self) -> Value {
        // The text was read as JSON already, so it reads again.
        serde_json::from_str(self.0.get()).unwrap_or(Value::Null)
    }
}

impl Mergeable for RawInteraction<'_> {
    fn identity(&self) -> InteractionIdentity {
        self.value().identity()
    }

    fn same_as(&self, other: &Self) -> bool {
        self.value().same_as(&other.value())
    }
}

/// Merges the interactions of `new` (as published) into the stored contract `old`: new ones
/// are added, identical ones kept once (a broker's `_id` aside), and a changed interaction is a
/// conflict. The rest of the stored contract stays. Returns the merged contract's JSON text, to
/// be prepared like a published one.
fn merge_texts(old: &str, new: &[u8], field: &str) -> Result<Vec<u8>> {
    let old: BTreeMap<String, &RawValue> = serde_json::from_str(old).map_err(|e| {
        StoreError::conflict("contracts", format!("stored contract unreadable: {e}"))
    })?;
    let new = outline(new, field)?;
    let mut merged = vec![b'{'];
    for (name, raw) in &old {
        let additions = match name.as_str() {
            "interactions" | "messages" => new.get(name).and_then(|raw| raw_list(raw)),
            _ => None,
        };
        let items = match (additions, raw_list(raw)) {
            (Some(additions), Some(existing)) => Some(merge_lists(existing, additions)?),
            _ => None,
        };
        write_member(&mut merged, name, items.as_deref(), raw);
    }
    // A list only the new contract has is taken as it is.
    for key in ["interactions", "messages"] {
        if let (None, Some(raw)) = (old.get(key), new.get(key))
            && let Some(additions) = raw_list(raw)
        {
            let items = merge_lists(Vec::new(), additions)?;
            write_member(&mut merged, key, Some(&items), raw);
        }
    }
    merged.push(b'}');
    Ok(merged)
}

/// The items of a JSON array, unparsed; `None` when it is not an array.
fn raw_list(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str(raw.get()).ok()
}

fn merge_lists<'t>(
    existing: Vec<&'t RawValue>,
    additions: Vec<&'t RawValue>,
) -> Result<Vec<&'t RawValue>> {
    let existing = existing.into_iter().map(RawInteraction).collect();
    merge_interactions(existing, additions.into_iter().map(RawInteraction))
        .map(|merged| merged.into_iter().map(|item| item.0).collect())
        .map_err(|conflict| {
            StoreError::conflict(
                "contracts",
                format!(
                    "cannot merge: {conflict}; publish the change under a new consumer version \
                     number, or ask to overwrite"
                ),
            )
        })
}

/// Appends `"name":` and the member's JSON — `raw`, or the array of `items` — to an object
/// being written.
fn write_member(out: &mut Vec<u8>, name: &str, items: Option<&[&RawValue]>, raw: &RawValue) {
    if out.len() > 1 {
        out.push(b',');
    }
    out.extend_from_slice(Value::from(name).to_string().as_bytes());
    out.push(b':');
    match items {
        None => out.extend_from_slice(raw.get().as_bytes()),
        Some(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(item.get().as_bytes());
            }
            out.push(b']');
        }
    }
}

/// A contract checked and hashed before its transaction starts (the parsing is the slow part,
/// and SQLite has one writer at a time): hash and stored JSON.
#[derive(Debug, Clone)]
struct Prepared {
    sha: String,
    stored: String,
}

impl Prepared {
    fn new(text: &[u8], field: &str) -> Result<Prepared> {
        let (sha, stored) = prepare_content(text, field)?;
        Ok(Prepared { sha, stored })
    }
}

/// Checks and hashes every contract of a publication; a contract whose bytes were prepared
/// recently is taken from `recent`.
fn prepare_all(
    consumer: &str,
    contracts: &[NewContract],
    recent: &RecentlyPrepared,
) -> Result<Vec<Prepared>> {
    contracts
        .iter()
        .enumerate()
        .map(|(index, contract)| {
            let field = contract_field(index);
            check_names(
                &outline(&contract.content, &field)?,
                consumer,
                &contract.provider,
                &field,
            )?;
            let key: [u8; 32] = Sha256::digest(&contract.content).into();
            if let Some(prepared) = recent.get(&key) {
                return Ok(prepared);
            }
            let prepared = Prepared::new(&contract.content, &field)?;
            recent.put(key, &prepared);
            Ok(prepared)
        })
        .collect()
}

/// Contracts prepared recently, by the SHA-256 of their bytes as published. Pipelines publish
/// the same contract again with every build of a consumer that did not change it, and
/// preparing it (checking it is a pact, hashing it, giving interactions their ids) is the
/// largest share of a publication's CPU time. Preparing is a function of the bytes alone, so a
/// hit is what preparing again would give. Bounded in bytes; the oldest entries go first.
#[derive(Default)]
pub(super) struct RecentlyPrepared(std::sync::Mutex<RecentEntries>);

#[derive(Default)]
struct RecentEntries {
    by_bytes: std::collections::HashMap<[u8; 32], Prepared>,
    oldest_first: std::collections::VecDeque<[u8; 32]>,
    stored_bytes: usize,
}

impl std::fmt::Debug for RecentlyPrepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecentlyPrepared")
    }
}

impl RecentlyPrepared {
    /// How many bytes of stored contract text the entries may hold together.
    const CAPACITY: usize = 4 << 20;
    /// Contracts larger than this are not kept: one would push out many small ones.
    const LARGEST: usize = 256 << 10;

    fn get(&self, key: &[u8; 32]) -> Option<Prepared> {
        let entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries.by_bytes.get(key).cloned()
    }

    fn put(&self, key: [u8; 32], prepared: &Prepared) {
        let size = prepared.stored.len() + prepared.sha.len();
        if size > Self::LARGEST {
            return;
        }
        let mut entries = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.by_bytes.contains_key(&key) {
            return;
        }
        while entries.stored_bytes + size > Self::CAPACITY {
            let Some(oldest) = entries.oldest_first.pop_front() else {
                break;
            };
            if let Some(gone) = entries.by_bytes.remove(&oldest) {
                entries.stored_bytes -= gone.stored.len() + gone.sha.len();
            }
        }
        entries.by_bytes.insert(key, prepared.clone());
        entries.oldest_first.push_back(key);
        entries.stored_bytes += size;
    }
}

fn contract_field(index: usize) -> String {
    format!("contracts[{index}].content")
}

/// The contract `new` (as published) merged into the stored contract `old`, checked and
/// hashed.
fn merge_prepared(old: &str, new: &[u8], field: &str) -> Result<Prepared> {
    Prepared::new(&merge_texts(old, new, field)?, field)
}

/// A merge computed before the write transaction, against the stored content `base` (a hash).
struct Premerged {
    base: String,
    merged: Prepared,
}

/// How many times a publication computes its merges outside the write transaction before it
/// merges inside it (when other publications keep changing the contracts it merges into).
const MERGE_ATTEMPTS: u32 = 3;

/// Why an attempt at a publication's write transaction ended without committing.
enum Abort {
    /// The publication fails.
    Failed(StoreError),
    /// A contract to merge into changed after its merge was computed: compute it again.
    Stale,
}

impl From<StoreError> for Abort {
    fn from(error: StoreError) -> Self {
        Abort::Failed(error)
    }
}

impl From<DbError> for Abort {
    fn from(error: DbError) -> Self {
        Abort::Failed(error.into())
    }
}

impl AsTransient for Abort {
    fn is_transient(&self) -> bool {
        matches!(self, Abort::Failed(error) if error.is_transient())
    }
}

/// Where [`store_contract`] stores a contract.
#[derive(Debug, Clone, Copy)]
struct StoreAt {
    consumer_id: i64,
    consumer_version_id: i64,
    /// The version was created by this transaction and has stored nothing for this provider
    /// yet.
    new_for_provider: bool,
    provider_id: i64,
    /// The publication's time.
    now: i64,
}

/// Stores one contract of a publication; says what happened.
async fn store_contract(
    tx: &mut Tx,
    at: StoreAt,
    contract: &NewContract,
    prepared: &Prepared,
    premerged: Option<&Premerged>,
    merge_inside: bool,
    field: &str,
) -> Result<Stored, Abort> {
    let StoreAt {
        consumer_id,
        consumer_version_id,
        new_for_provider,
        provider_id,
        now,
    } = at;
    // A version this transaction created is invisible to others until it commits and has
    // published nothing: no lock to take, no current contract to look up.
    let current = if new_for_provider {
        None
    } else {
        // Lock the consumer version so concurrent publications for it take turns (SQLite's
        // write transactions are already serialised, so there is nothing to do there).
        if tx.backend() == Backend::Postgres {
            let lock = format!("SELECT id FROM versions WHERE id = $1{}", tx.for_update());
            tx.execute(&lock, args![consumer_version_id]).await?;
        }
        tx.row(
            "SELECT pp.revision, pv.sha, pv.id FROM latest_pact_publications l \
             JOIN pact_publications pp ON pp.id = l.pact_publication_id \
             JOIN pact_versions pv ON pv.id = l.pact_version_id \
             WHERE l.consumer_version_id = $1 AND l.provider_id = $2",
            args![consumer_version_id, provider_id],
        )
        .await?
    };
    let merged_inside;
    let (sha, stored, outcome, revision) = match current {
        None => (&prepared.sha, &prepared.stored, PublishOutcome::Created, 1),
        Some(row) => {
            let (revision, old_sha, old_id) = (row.int(0), row.text(1), row.int(2));
            let sha = &prepared.sha;
            if *sha == old_sha {
                return unchanged(tx, old_id, provider_id).await;
            }
            match contract.on_conflict {
                OnConflict::Reject => {
                    return Err(StoreError::conflict("contracts", format!(
                        "this version already published a different contract for this provider \
                         (content {old_sha}, new content {sha}); publish under a new version number, \
                         or ask to overwrite or merge"
                    ))
                    .into());
                }
                OnConflict::Overwrite => (
                    sha,
                    &prepared.stored,
                    PublishOutcome::Overwritten,
                    revision + 1,
                ),
                OnConflict::Merge => {
                    let merged = match premerged {
                        Some(premerged) if premerged.base == old_sha => &premerged.merged,
                        // Others keep changing this contract: merge here, holding the lock.
                        _ if merge_inside => {
                            let old_content = tx
                                .row(
                                    "SELECT content FROM pact_versions WHERE id = $1",
                                    args![old_id],
                                )
                                .await?
                                .expect("the latest publication's content exists")
                                .text(0);
                            merged_inside = merge_prepared(&old_content, &contract.content, field)?;
                            &merged_inside
                        }
                        _ => return Err(Abort::Stale),
                    };
                    if merged.sha == old_sha {
                        return unchanged(tx, old_id, provider_id).await;
                    }
                    (
                        &merged.sha,
                        &merged.stored,
                        PublishOutcome::Merged,
                        revision + 1,
                    )
                }
            }
        }
    };
    // One batch: SQLite runs it in one call to its connection's thread. Each statement finds
    // the rows it needs by their keys, since none can use what another returned.
    let mut batch = Batch::new();
    let content_select =
        "SELECT id FROM pact_versions WHERE consumer_id = $1 AND provider_id = $2 AND sha = $3";
    let found = batch.push(content_select, args![consumer_id, provider_id, sha]);
    // Content of the pair already stored means the pair's integration exists: both are written
    // in the transaction that stores the pair's first content, and deleting the integration
    // deletes its contents. So the integration is written with new content only.
    batch.push_unless_found(
        found,
        "INSERT INTO integrations (consumer_id, provider_id, created_at) SELECT $1, $2, $3 \
         WHERE NOT EXISTS (SELECT 1 FROM pact_versions \
           WHERE consumer_id = $1 AND provider_id = $2 AND sha = $4) \
         ON CONFLICT (consumer_id, provider_id) DO NOTHING",
        args![consumer_id, provider_id, now, sha],
    );
    // No insert attempted (on PostgreSQL, no identity value taken) when the content exists.
    let created = batch.push_unless_found(
        found,
        "INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at) \
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM pact_versions \
           WHERE consumer_id = $1 AND provider_id = $2 AND sha = $3) \
         ON CONFLICT (consumer_id, provider_id, sha) DO NOTHING RETURNING id",
        args![consumer_id, provider_id, sha, stored, now],
    );
    batch.push(
        "INSERT INTO pact_publications (consumer_version_id, consumer_id, provider_id, \
         revision, pact_version_id, created_at) SELECT $1, $2, $3, $4, id, $6 \
         FROM pact_versions WHERE consumer_id = $2 AND provider_id = $3 AND sha = $5",
        args![
            consumer_version_id,
            consumer_id,
            provider_id,
            revision,
            sha,
            now
        ],
    );
    // The publication just inserted: (version, provider, revision) is unique.
    batch.push(
        "INSERT INTO latest_pact_publications (consumer_version_id, provider_id, consumer_id, \
         pact_publication_id, pact_version_id, created_at) \
         SELECT consumer_version_id, provider_id, consumer_id, id, pact_version_id, created_at \
         FROM pact_publications \
         WHERE consumer_version_id = $1 AND provider_id = $2 AND revision = $3 \
         ON CONFLICT (consumer_version_id, provider_id) DO UPDATE SET \
         pact_publication_id = excluded.pact_publication_id, \
         pact_version_id = excluded.pact_version_id, created_at = excluded.created_at \
         WHERE excluded.pact_publication_id > latest_pact_publications.pact_publication_id",
        args![consumer_version_id, provider_id, revision],
    );
    let to_check = batch.push(PROVIDER_CONTRACTS_TO_CHECK, args![provider_id]);
    let mut rows = tx.batch(batch).await?;
    let pact_version_id = match rows.row(found).or(rows.row(created)) {
        Some(row) => row.int(0),
        // Stored by a concurrent transaction between the two (PostgreSQL).
        None => tx
            .int(content_select, args![consumer_id, provider_id, sha])
            .await?
            .expect("the content was stored"),
    };
    Ok(Stored {
        outcome,
        content_id: pact_version_id,
        to_check: rows.take(to_check),
    })
}

/// What [`store_contract`] did.
struct Stored {
    outcome: PublishOutcome,
    /// The id of the content the version now has for the provider.
    content_id: i64,
    /// The rows of [`PROVIDER_CONTRACTS_TO_CHECK`] for the provider.
    to_check: Vec<Row>,
}

/// A contract left as it was: nothing to write, the provider contracts to check it against
/// still to read.
async fn unchanged(tx: &mut Tx, content_id: i64, provider_id: i64) -> Result<Stored, Abort> {
    Ok(Stored {
        outcome: PublishOutcome::Unchanged,
        content_id,
        to_check: tx
            .rows(PROVIDER_CONTRACTS_TO_CHECK, args![provider_id])
            .await?,
    })
}

/// Checks that a contract names the expected consumer and provider.
fn check_names(
    members: &BTreeMap<String, &RawValue>,
    consumer: &str,
    provider: &str,
    field: &str,
) -> Result<()> {
    let name = |side: &str| {
        let value: Value = serde_json::from_str(members.get(side)?.get()).ok()?;
        value.get("name").and_then(Value::as_str).map(str::to_owned)
    };
    match name("consumer") {
        Some(name) if name == consumer => {}
        other => {
            return Err(StoreError::invalid(
                field,
                format!(
                    "the contract's consumer.name is {} but the request publishes for consumer `{consumer}`",
                    other.map_or("missing".into(), |n| format!("`{n}`"))
                ),
            ));
        }
    }
    match name("provider") {
        Some(name) if name == provider => Ok(()),
        other => Err(StoreError::invalid(
            field,
            format!(
                "the contract's provider.name is {} but the request publishes for provider `{provider}`",
                other.map_or("missing".into(), |n| format!("`{n}`"))
            ),
        )),
    }
}

impl Store {
    /// Publishes contracts for one consumer version, with its branch and tags, in one
    /// transaction: all of it is stored, or nothing.
    ///
    /// Checking, hashing and merging contracts is the slow part, so it happens before the write
    /// transaction, on a blocking thread: a merge is computed against the stored content read
    /// first, and the transaction stores it only if that content is still the current one
    /// (otherwise the merge is computed again).
    pub async fn publish(&self, publication: &Publication) -> Result<Published> {
        let (consumer, contracts) = (publication.consumer.clone(), publication.contracts.clone());
        let size = contracts.iter().map(|c| c.content.len()).sum();
        let recent = Arc::clone(&self.recently_prepared);
        let prepared =
            Arc::new(by_size(size, move || prepare_all(&consumer, &contracts, &recent)).await?);
        let mut attempt = 1;
        loop {
            let premerged = self.premerge(publication, &prepared).await?;
            let merge_inside = attempt == MERGE_ATTEMPTS;
            match self
                .write_publication(publication, &prepared, &premerged, merge_inside)
                .await
            {
                Ok(published) => {
                    self.wake_outbox(published.webhook_deliveries);
                    self.wake_cross_checks(published.cross_checks);
                    return Ok(published);
                }
                Err(Abort::Failed(error)) => return Err(error),
                Err(Abort::Stale) => attempt += 1,
            }
        }
    }

    /// The merges a publication asks for, computed against the contracts stored now: one entry
    /// per contract, `None` when it asks for no merge or there is nothing to merge into.
    async fn premerge(
        &self,
        publication: &Publication,
        prepared: &Arc<Vec<Prepared>>,
    ) -> Result<Vec<Option<Premerged>>> {
        let mut stored = Vec::with_capacity(publication.contracts.len());
        if publication
            .contracts
            .iter()
            .any(|c| c.on_conflict == OnConflict::Merge)
        {
            read_tx!(self.db, tx => {
                for (contract, prepared) in publication.contracts.iter().zip(prepared.iter()) {
                    let current = match contract.on_conflict {
                        OnConflict::Merge => current_content(tx, &publication.consumer, &publication.version, &contract.provider).await?,
                        OnConflict::Reject | OnConflict::Overwrite => None,
                    };
                    // Publishing what is stored again changes nothing: no merge to compute.
                    stored.push(current.filter(|(sha, _)| *sha != prepared.sha));
                }
                Ok::<_, StoreError>(())
            })?;
        }
        if stored.iter().all(Option::is_none) {
            return Ok(publication.contracts.iter().map(|_| None).collect());
        }
        let new: Vec<Arc<[u8]>> = publication
            .contracts
            .iter()
            .map(|c| Arc::clone(&c.content))
            .collect();
        on_blocking_thread(move || {
            stored
                .into_iter()
                .enumerate()
                .map(|(index, current)| {
                    let Some((base, content)) = current else {
                        return Ok(None);
                    };
                    let merged = merge_prepared(&content, &new[index], &contract_field(index))?;
                    Ok(Some(Premerged { base, merged }))
                })
                .collect()
        })
        .await
    }

    /// One attempt at a publication's write transaction.
    ///
    /// SQLite writers take turns, so every call to the database here is time no other
    /// publication can write. The statements go in batches (one call each on SQLite): the
    /// consumer, its version, branch and tags, the providers and the enabled webhooks in one;
    /// then per contract its current content when the version had one, and one batch storing
    /// it. What the answer needs and this transaction already knows (a new version's branches
    /// and tags, the consumer) is not read back; what the answer shows besides (environments,
    /// the consumer's labels) is read in the first batch.
    async fn write_publication(
        &self,
        publication: &Publication,
        prepared: &[Prepared],
        premerged: &[Option<Premerged>],
        merge_inside: bool,
    ) -> Result<Published, Abort> {
        write_tx!(self.db, tx => {
            let now = now();
            let (name, number) = (&publication.consumer, &publication.version);
            let mut batch = Batch::new();
            let consumer_row = pacticipant_in_batch(&mut batch, name, now);
            let version_statements = version_in_batch(
                &mut batch,
                name,
                number,
                publication.build_url.as_deref(),
                now,
            );
            let branch_statements = publication
                .branch
                .as_ref()
                .map(|branch| on_branch_in_batch(&mut batch, name, number, branch, now));
            let tag_statements: Vec<_> = publication
                .tags
                .iter()
                .map(|tag| tag_in_batch(&mut batch, name, number, tag, now))
                .collect();
            let provider_rows: Vec<_> = publication
                .contracts
                .iter()
                .map(|contract| pacticipant_in_batch(&mut batch, &contract.provider, now))
                .collect();
            let webhooks_row = batch.push(enabled_webhooks_sql(), args![]);
            // What the answer shows besides what the publication writes: read here, in the same
            // call, rather than in a read transaction of its own after the commit.
            let environments_row = batch.push(
                format!("SELECT {ENVIRONMENT_COLUMNS} FROM environments ORDER BY name"),
                args![],
            );
            let labels_row = labels_in_batch(&mut batch, name);
            let rows = tx.batch(batch).await?;

            let mut consumer = consumer_row.row(tx, &rows, name).await?;
            let (version_id, version_created) = version_statements.id(&rows);
            let mut branches = Vec::new();
            if let (Some(branch), Some(statements)) = (&publication.branch, branch_statements) {
                let placed =
                    placed_on_branch(tx, &rows, statements, consumer.id, branch, now).await?;
                if placed.made_main {
                    consumer.main_branch = Some(branch.clone());
                }
                branches.push((placed.created_at, branch.clone(), placed.made_head));
            }
            let mut tags = Vec::new();
            for (tag, statements) in publication.tags.iter().zip(tag_statements) {
                let placed = statements.placement(&rows, now);
                if placed.added {
                    tags.push((placed.created_at, tag.clone(), placed.made_head));
                }
            }
            let webhooks = enabled_webhooks_in(rows.rows(webhooks_row));
            let mut outcomes = Vec::with_capacity(publication.contracts.len());
            let mut webhook_deliveries = 0;
            let mut cross_checks = 0;
            for (index, contract) in publication.contracts.iter().enumerate() {
                let provider_id = provider_rows[index].row(tx, &rows, &contract.provider).await?.id;
                let stored = store_contract(
                    tx,
                    StoreAt {
                        consumer_id: consumer.id,
                        consumer_version_id: version_id,
                        // Unless an earlier contract of this request was for the same provider.
                        new_for_provider: version_created
                            && !publication.contracts[..index]
                                .iter()
                                .any(|earlier| earlier.provider == contract.provider),
                        provider_id,
                        now,
                    },
                    contract,
                    &prepared[index],
                    premerged[index].as_ref(),
                    merge_inside,
                    &contract_field(index),
                )
                .await?;
                // Webhooks: the deliveries commit with the publication (an outbox).
                let change = match stored.outcome {
                    PublishOutcome::Created => ContentChange::New,
                    PublishOutcome::Unchanged => ContentChange::Unchanged,
                    PublishOutcome::Overwritten | PublishOutcome::Merged => ContentChange::Replaced,
                };
                webhook_deliveries += trigger_for_publication(
                    tx,
                    &webhooks,
                    &publication.base_url,
                    version_id,
                    provider_id,
                    change,
                )
                .await?;
                // Cross-checks against the provider's OpenAPI documents: enqueued with the
                // publication, computed off the request path.
                cross_checks +=
                    enqueue_for_consumer_contract(tx, stored.content_id, &stored.to_check).await?;
                outcomes.push((contract.provider.clone(), stored.outcome));
            }
            let version = if version_created {
                // Everything about a version this transaction created was written just above;
                // ordered as `load_version` orders it (by when each was added, then by name).
                let ordered = |mut items: Vec<(i64, String, bool)>| {
                    items.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
                    items.into_iter().map(|(_, name, head)| (name, head)).collect()
                };
                Version {
                    id: version_id,
                    pacticipant: consumer.name.clone(),
                    number: publication.version.clone(),
                    build_url: publication.build_url.clone(),
                    created_at: now,
                    updated_at: now,
                    branches: ordered(branches),
                    tags: ordered(tags),
                }
            } else {
                load_version(tx, version_id).await?
            };
            Ok(Published {
                version,
                version_created,
                contracts: outcomes,
                pacticipant: consumer,
                webhook_deliveries,
                cross_checks,
                environments: rows.rows(environments_row).iter().map(environment).collect(),
                labels: labels_of(rows.rows(labels_row)),
            })
        })
    }
}

/// The hash and text of the contract version `number` of `consumer` currently has for
/// `provider`.
async fn current_content(
    tx: &mut Tx,
    consumer: &str,
    number: &str,
    provider: &str,
) -> Result<Option<(String, String)>> {
    Ok(tx
        .row(
            "SELECT pv.sha, pv.content FROM latest_pact_publications l \
             JOIN pact_versions pv ON pv.id = l.pact_version_id \
             JOIN versions v ON v.id = l.consumer_version_id \
             JOIN pacticipants c ON c.id = v.pacticipant_id \
             JOIN pacticipants p ON p.id = l.provider_id \
             WHERE c.name = $1 AND v.number = $2 AND p.name = $3",
            args![consumer, number, provider],
        )
        .await?
        .map(|row| (row.text(0), row.text(1))))
}

/// Which publication of a consumer/provider pair a request names.
#[derive(Debug, Clone)]
pub enum PactRef<'a> {
    /// The one published by a consumer version.
    Version(&'a str),
    /// The latest publication.
    Latest,
    /// The latest from a consumer version with a tag.
    LatestTagged(&'a str),
    /// The latest from a consumer version on a branch.
    LatestOnBranch(&'a str),
    /// By content hash (the newest publication of that content).
    Sha(&'a str),
}

const PACT_SELECT: &str = "SELECT c.name, pr.name, v.number, pv.sha, pv.content, pp.created_at \
     FROM latest_pact_publications l \
     JOIN pact_publications pp ON pp.id = l.pact_publication_id \
     JOIN pact_versions pv ON pv.id = l.pact_version_id \
     JOIN versions v ON v.id = l.consumer_version_id \
     JOIN pacticipants c ON c.id = l.consumer_id \
     JOIN pacticipants pr ON pr.id = l.provider_id";

fn stored_pact(row: &Row) -> StoredPact {
    StoredPact {
        consumer: row.text(0),
        provider: row.text(1),
        consumer_version: row.text(2),
        sha: row.text(3),
        content: row.text(4),
        created_at: row.int(5),
    }
}

/// The current contract of each resolved consumer version for `provider_id`, without content,
/// in the order given.
async fn summaries(tx: &mut Tx, found: &[Resolved], provider_id: i64) -> Result<Vec<PactSummary>> {
    let mut out = Vec::with_capacity(found.len());
    for version in found {
        let row = tx
            .row(
                "SELECT c.name, pr.name, v.number, pv.sha, pp.created_at \
                 FROM latest_pact_publications l \
                 JOIN pact_publications pp ON pp.id = l.pact_publication_id \
                 JOIN pact_versions pv ON pv.id = l.pact_version_id \
                 JOIN versions v ON v.id = l.consumer_version_id \
                 JOIN pacticipants c ON c.id = l.consumer_id \
                 JOIN pacticipants pr ON pr.id = l.provider_id \
                 WHERE l.consumer_version_id = $1 AND l.provider_id = $2",
                args![version.version_id, provider_id],
            )
            .await?;
        out.extend(row.map(|row| PactSummary {
            consumer: row.text(0),
            provider: row.text(1),
            consumer_version: row.text(2),
            sha: row.text(3),
            created_at: row.int(4),
        }));
    }
    Ok(out)
}

/// Names compared as people expect in a list: ignoring case, then exactly (both backends sort
/// alike, whatever the database's collation).
pub(super) fn by_name(a: &str, b: &str) -> std::cmp::Ordering {
    a.to_lowercase()
        .cmp(&b.to_lowercase())
        .then_with(|| a.cmp(b))
}

/// The current contract consumer version `consumer_version_id` published for `provider_id`.
async fn current_pact(
    tx: &mut Tx,
    consumer_version_id: i64,
    provider_id: i64,
) -> Result<Option<StoredPact>> {
    let sql = format!("{PACT_SELECT} WHERE l.consumer_version_id = $1 AND l.provider_id = $2");
    Ok(tx
        .row(&sql, args![consumer_version_id, provider_id])
        .await?
        .map(|row| stored_pact(&row)))
}

impl Store {
    /// The contract a reference names.
    pub async fn pact(
        &self,
        provider: &str,
        consumer: &str,
        which: PactRef<'_>,
    ) -> Result<Option<StoredPact>> {
        read_tx!(self.db, tx => {
            let (Some(provider), Some(consumer)) = (
                find_pacticipant(tx, provider).await?,
                find_pacticipant(tx, consumer).await?,
            ) else {
                return Ok(None);
            };
            let version = match which {
                PactRef::Version(number) => VersionRef::Number(number),
                PactRef::Latest => VersionRef::Latest,
                PactRef::LatestTagged(tag) => VersionRef::LatestTagged(tag),
                PactRef::LatestOnBranch(branch) => VersionRef::LatestOnBranch(branch),
                PactRef::Sha(sha) => {
                    let newest = tx
                        .int(
                            "SELECT MAX(l.consumer_version_id) FROM latest_pact_publications l \
                             JOIN pact_versions pv ON pv.id = l.pact_version_id \
                             WHERE pv.consumer_id = $1 AND pv.provider_id = $2 AND pv.sha = $3",
                            args![consumer.id, provider.id, sha],
                        )
                        .await?;
                    return match newest {
                        Some(version_id) => current_pact(tx, version_id, provider.id).await,
                        None => Ok(None),
                    };
                }
            };
            let among = Among::PublishersFor { provider_id: provider.id, consumer_id: Some(consumer.id) };
            match resolve(tx, among, &version, Some(1)).await?.first() {
                Some(found) => current_pact(tx, found.version_id, provider.id).await,
                None => Ok(None),
            }
        })
    }

    /// The latest contract of each consumer of `provider` (optionally only from consumer
    /// versions with a tag), by consumer name.
    pub async fn latest_pacts_for_provider(
        &self,
        provider: &str,
        tag: Option<&str>,
    ) -> Result<Vec<StoredPact>> {
        let which = match tag {
            Some(tag) => VersionRef::LatestTagged(tag),
            None => VersionRef::Latest,
        };
        read_tx!(self.db, tx => {
            let provider = require_pacticipant(tx, provider).await?;
            let among = Among::PublishersFor { provider_id: provider.id, consumer_id: None };
            let mut pacts = Vec::new();
            for found in resolve(tx, among, &which, None).await? {
                pacts.extend(current_pact(tx, found.version_id, provider.id).await?);
            }
            pacts.sort_by(|a, b| a.consumer.cmp(&b.consumer));
            Ok(pacts)
        })
    }

    /// The latest contract of every consumer/provider pair, by consumer then provider name.
    pub async fn latest_pacts(&self) -> Result<Vec<PactSummary>> {
        read_tx!(self.db, tx => {
            let providers: Vec<i64> = tx
                .rows("SELECT DISTINCT provider_id FROM integrations", args![])
                .await?
                .iter()
                .map(|row| row.int(0))
                .collect();
            let mut pacts = Vec::new();
            for provider_id in providers {
                let among = Among::PublishersFor { provider_id, consumer_id: None };
                let found = resolve(tx, among, &VersionRef::Latest, None).await?;
                pacts.extend(summaries(tx, &found, provider_id).await?);
            }
            pacts.sort_by(|a, b| {
                by_name(&a.consumer, &b.consumer).then_with(|| by_name(&a.provider, &b.provider))
            });
            Ok(pacts)
        })
    }

    /// Every consumer version's contract for `provider` (only versions with `tag`, when one
    /// is given), by consumer name, oldest version first.
    pub async fn pacts_for_provider(
        &self,
        provider: &str,
        tag: Option<&str>,
    ) -> Result<Vec<PactSummary>> {
        let which = tag.map_or(VersionRef::All, VersionRef::Tagged);
        read_tx!(self.db, tx => {
            let provider = require_pacticipant(tx, provider).await?;
            let among = Among::PublishersFor { provider_id: provider.id, consumer_id: None };
            let mut found = resolve(tx, among, &which, None).await?;
            found.reverse();
            let mut pacts = summaries(tx, &found, provider.id).await?;
            // Stable: each consumer's versions stay oldest first.
            pacts.sort_by(|a, b| by_name(&a.consumer, &b.consumer));
            Ok(pacts)
        })
    }

    /// The contracts `consumer`'s versions with `tag` published for `provider`, newest first.
    pub async fn tagged_pacts(
        &self,
        provider: &str,
        consumer: &str,
        tag: &str,
    ) -> Result<Vec<PactSummary>> {
        read_tx!(self.db, tx => {
            let provider = require_pacticipant(tx, provider).await?;
            let consumer = require_pacticipant(tx, consumer).await?;
            let among = Among::PublishersFor {
                provider_id: provider.id,
                consumer_id: Some(consumer.id),
            };
            let found = resolve(tx, among, &VersionRef::Tagged(tag), None).await?;
            summaries(tx, &found, provider.id).await
        })
    }

    /// Deletes the contracts (every revision) `consumer`'s versions with `tag` published for
    /// `provider`; returns how many consumer versions' contracts went. The versions stay.
    pub async fn delete_tagged_pacts(
        &self,
        provider: &str,
        consumer: &str,
        tag: &str,
    ) -> Result<u64> {
        write_tx!(self.db, tx => {
            let provider = require_pacticipant(tx, provider).await?;
            let consumer = require_pacticipant(tx, consumer).await?;
            let among = Among::PublishersFor {
                provider_id: provider.id,
                consumer_id: Some(consumer.id),
            };
            let found = resolve(tx, among, &VersionRef::Tagged(tag), None).await?;
            for version in &found {
                tx.execute(
                    "DELETE FROM pact_publications WHERE consumer_version_id = $1 \
                     AND provider_id = $2",
                    args![version.version_id, provider.id],
                )
                .await?;
            }
            Ok(found.len() as u64)
        })
    }

    /// The contract published before `consumer_version`'s whose content differs from it.
    pub async fn previous_distinct_pact(
        &self,
        provider: &str,
        consumer: &str,
        consumer_version: &str,
    ) -> Result<Option<StoredPact>> {
        let sql = format!(
            "{PACT_SELECT} WHERE pr.name = $1 AND c.name = $2 AND l.consumer_version_id < $3 \
             AND l.pact_version_id <> $4 ORDER BY l.consumer_version_id DESC LIMIT 1"
        );
        read_tx!(self.db, tx => {
            let version_id = require_version_id(tx, consumer, consumer_version).await?;
            let row = tx
                .row(
                    "SELECT l.pact_version_id FROM latest_pact_publications l \
                     JOIN pacticipants pr ON pr.id = l.provider_id \
                     WHERE l.consumer_version_id = $1 AND pr.name = $2",
                    args![version_id, provider],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!(
                        "version `{consumer_version}` of `{consumer}` published no contract for `{provider}`"
                    ))
                })?;
            Ok(tx
                .row(&sql, args![provider, consumer, version_id, row.int(0)])
                .await?
                .map(|row| stored_pact(&row)))
        })
    }

    /// Deletes the contract a consumer version published for a provider (every revision).
    pub async fn delete_pact(
        &self,
        provider: &str,
        consumer: &str,
        consumer_version: &str,
    ) -> Result<()> {
        write_tx!(self.db, tx => {
            let version_id = require_version_id(tx, consumer, consumer_version).await?;
            let provider = require_pacticipant(tx, provider).await?;
            let gone = tx
                .execute(
                    "DELETE FROM pact_publications WHERE consumer_version_id = $1 AND provider_id = $2",
                    args![version_id, provider.id],
                )
                .await?;
            if gone == 0 {
                return Err(StoreError::NotFound(format!(
                    "version `{consumer_version}` of `{consumer}` published no contract for `{}`",
                    provider.name
                )));
            }
            Ok(())
        })
    }
}

/// The contract a consumer version currently has for a provider, without its content.
#[derive(Debug, Clone)]
pub(crate) struct PublishedContract {
    /// The consumer's name.
    pub consumer: String,
    /// The consumer version's number.
    pub consumer_version: String,
    /// The content's id (`pact_versions`).
    pub content_id: i64,
    /// The content hash.
    pub sha: String,
    /// When this consumer version published it.
    pub published_at: i64,
}

impl Snapshot {
    /// The contract consumer version `consumer_version_id` currently has for `provider_id`.
    pub(crate) async fn published_contract(
        &mut self,
        consumer_version_id: i64,
        provider_id: i64,
    ) -> Result<Option<PublishedContract>> {
        Ok(self
            .tx
            .row(
                "SELECT c.name, v.number, pv.id, pv.sha, l.created_at \
                 FROM latest_pact_publications l \
                 JOIN pacticipants c ON c.id = l.consumer_id \
                 JOIN versions v ON v.id = l.consumer_version_id \
                 JOIN pact_versions pv ON pv.id = l.pact_version_id \
                 WHERE l.consumer_version_id = $1 AND l.provider_id = $2",
                args![consumer_version_id, provider_id],
            )
            .await?
            .map(|row| PublishedContract {
                consumer: row.text(0),
                consumer_version: row.text(1),
                content_id: row.int(2),
                sha: row.text(3),
                published_at: row.int(4),
            }))
    }

    /// The providers consumer version `consumer_version_id` has contracts with: (id, name), by
    /// name.
    pub(crate) async fn providers_of(
        &mut self,
        consumer_version_id: i64,
    ) -> Result<Vec<(i64, String)>> {
        Ok(self
            .tx
            .rows(
                "SELECT l.provider_id, p.name FROM latest_pact_publications l \
                 JOIN pacticipants p ON p.id = l.provider_id \
                 WHERE l.consumer_version_id = $1 ORDER BY p.name",
                args![consumer_version_id],
            )
            .await?
            .iter()
            .map(|row| (row.int(0), row.text(1)))
            .collect())
    }

    /// The consumers that ever published a contract for `provider_id`: (id, name), by name.
    pub(crate) async fn consumers_of(&mut self, provider_id: i64) -> Result<Vec<(i64, String)>> {
        Ok(self
            .tx
            .rows(
                "SELECT i.consumer_id, p.name FROM integrations i \
                 JOIN pacticipants p ON p.id = i.consumer_id \
                 WHERE i.provider_id = $1 ORDER BY p.name",
                args![provider_id],
            )
            .await?
            .iter()
            .map(|row| (row.int(0), row.text(1)))
            .collect())
    }

    /// The newest consumer version of each consumer branch and of each consumer tag that
    /// published a contract for `provider_id` at or after `since` (microseconds): the
    /// candidates for work-in-progress contracts.
    pub(crate) async fn recent_branch_and_tag_heads(
        &mut self,
        provider_id: i64,
        since: i64,
    ) -> Result<Vec<i64>> {
        Ok(self
            .tx
            .rows(
                "SELECT MAX(l.consumer_version_id) FROM latest_pact_publications l \
                 JOIN branch_versions bv ON bv.version_id = l.consumer_version_id \
                 WHERE l.provider_id = $1 AND l.created_at >= $2 \
                 GROUP BY l.consumer_id, bv.branch_id \
                 UNION SELECT MAX(l.consumer_version_id) FROM latest_pact_publications l \
                 JOIN tags t ON t.version_id = l.consumer_version_id \
                 WHERE l.provider_id = $1 AND l.created_at >= $2 GROUP BY l.consumer_id, t.name",
                args![provider_id, since],
            )
            .await?
            .iter()
            .map(|row| row.int(0))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How contracts were prepared when they were parsed whole: stored contracts and their
    /// interaction ids must come out the same, one interaction at a time.
    fn prepared_whole(text: &str) -> (String, String) {
        let mut content: Value = serde_json::from_str(text).unwrap();
        let object = content.as_object_mut().unwrap();
        object.remove("_links");
        object.remove("createdAt");
        for key in ["interactions", "messages"] {
            if let Some(Value::Array(items)) = object.get_mut(key) {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    item.remove(SERVED_INTERACTION_ID);
                }
            }
        }
        let sha = Pact::from_json(&content)
            .unwrap()
            .content_hash()
            .to_string();
        for key in ["interactions", "messages"] {
            if let Some(Value::Array(items)) = content.get_mut(key) {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    let digest = Sha256::digest(Value::Object(item.clone()).to_string().as_bytes());
                    let id: String = digest[..20].iter().map(|b| format!("{b:02x}")).collect();
                    item.insert("_id".into(), Value::String(id));
                }
            }
        }
        (sha, content.to_string())
    }

    const CONTRACTS: [&str; 3] = [
        r#"{"provider": {"name": "p"}, "consumer": {"name": "c"}, "createdAt": "x",
            "_links": {"self": {"href": "http://b/x"}},
            "interactions": [
              {"request": {"path": "/1", "method": "GET"}, "description": "one \u00e9 \ud83d\ude00", "_id": "old",
               "response": {"status": 200, "body": {"b": 1.50, "a": [1e3, -0, "\u0000"]}}},
              {"description": "two", "providerStates": [{"name": "s", "params": {"id": 7}}],
               "request": {"method": "POST", "path": "/2"}, "response": {"status": 201}}
            ],
            "metadata": {"pactSpecification": {"version": "3.0.0"}, "z": null}}"#,
        r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "messages": [
              {"description": "an event", "contents": {"id": 1}, "metaData": {"k": "v"}},
              "not an object"
            ], "interactions": []}"#,
        r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "messages": [
              {"description": "an event", "contents": {"id": 1}}]}"#,
    ];

    #[test]
    fn contracts_published_again_are_prepared_as_the_first_time() {
        let recent = RecentlyPrepared::default();
        let contract = |text: &str| NewContract {
            provider: "p".into(),
            content: Arc::from(text.as_bytes()),
            on_conflict: OnConflict::Reject,
        };
        let contracts = [contract(CONTRACTS[0]), contract(CONTRACTS[2])];
        let first = prepare_all("c", &contracts, &recent).unwrap();
        let again = prepare_all("c", &contracts, &recent).unwrap();
        for (index, (first, again)) in first.iter().zip(&again).enumerate() {
            let fresh = Prepared::new(&contracts[index].content, "f").unwrap();
            assert_eq!((&first.sha, &first.stored), (&fresh.sha, &fresh.stored));
            assert_eq!((&again.sha, &again.stored), (&fresh.sha, &fresh.stored));
        }
        // Names are checked on every publication, prepared before or not.
        let error = prepare_all("someone else", &contracts, &recent).unwrap_err();
        let StoreError::Invalid(problems) = &error else {
            panic!("{error:?}");
        };
        assert!(problems[0].1.contains("consumer.name"), "{problems:?}");
    }

    #[test]
    fn recently_prepared_contracts_stay_within_their_byte_budget() {
        let recent = RecentlyPrepared::default();
        let entry = |size: usize| Prepared {
            sha: "s".into(),
            stored: "x".repeat(size),
        };
        let size = 100 << 10;
        for n in 0..100u8 {
            recent.put([n; 32], &entry(size));
        }
        let kept: Vec<u8> = (0..100u8)
            .filter(|n| recent.get(&[*n; 32]).is_some())
            .collect();
        assert_eq!(kept.len(), RecentlyPrepared::CAPACITY / (size + 1));
        assert_eq!(kept.last(), Some(&99), "the newest stay");
        assert!(
            recent.0.lock().unwrap().stored_bytes <= RecentlyPrepared::CAPACITY,
            "within the budget"
        );
        recent.put([200; 32], &entry(RecentlyPrepared::LARGEST + 1));
        assert!(recent.get(&[200; 32]).is_none(), "too large to keep");
    }

    #[test]
    fn contracts_are_prepared_as_when_they_were_parsed_whole() {
        for text in &CONTRACTS[..1] {
            assert_eq!(
                prepare_content(text.as_bytes(), "f").unwrap(),
                prepared_whole(text),
                "{text}"
            );
        }
        let (sha, stored) = prepare_content(CONTRACTS[2].as_bytes(), "f").unwrap();
        assert_eq!((sha, stored), prepared_whole(CONTRACTS[2]));
        // Both lists: the interactions are the contract (an empty one here), and each list's
        // items get ids.
        let (_, stored) = prepare_content(CONTRACTS[1].as_bytes(), "f").unwrap();
        assert_eq!(stored, prepared_whole(CONTRACTS[1]).1);
    }

    #[test]
    fn merging_texts_adds_new_interactions_and_keeps_the_stored_rest() {
        let (_, stored) = prepare_content(CONTRACTS[0].as_bytes(), "f").unwrap();
        let new = r#"{"consumer": {"name": "c"}, "provider": {"name": "p"},
            "interactions": [
              {"description": "two", "providerStates": [{"name": "s", "params": {"id": 7}}],
               "request": {"method": "POST", "path": "/2"}, "response": {"status": 201}},
              {"description": "three", "request": {"method": "GET", "path": "/3"}, "response": {"status": 204}}
            ],
            "messages": [{"description": "an event", "contents": {}}],
            "metadata": {"pactSpecification": {"version": "3.0.0"}, "other": true}}"#;
        let merged: Value =
            serde_json::from_slice(&merge_texts(&stored, new.as_bytes(), "f").unwrap()).unwrap();
        let descriptions: Vec<&str> = merged["interactions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["description"].as_str().unwrap())
            .collect();
        assert_eq!(descriptions, ["one é 😀", "two", "three"]);
        assert_eq!(merged["messages"][0]["description"], "an event");
        assert_eq!(
            merged["metadata"]["z"],
            Value::Null,
            "the stored metadata stays"
        );
        assert!(merged["metadata"].get("other").is_none());

        let changed = new.replace("201", "202");
        let error = merge_texts(&stored, changed.as_bytes(), "f").unwrap_err();
        assert!(error.to_string().contains("'two'"), "{error}");
    }
}
