//! Writing contract files that many tests contribute to.
//!
//! Tests of one consumer–provider pair run in parallel threads and in separate test binaries,
//! and each contributes its interactions to the same file. Writers take an exclusive lock on
//! `.pactum/<file>.lock`, read what is there, merge by description and provider states, and
//! replace the file atomically (write a temporary file in `.pactum/`, rename). The lock file
//! lives on in that hidden folder of the output directory, not beside the contracts, so the
//! directory lists contracts only (`pactum publish target/pacts`, `pactum verify --dir`, the
//! official clients' globs): it must outlive each write, because it is both the lock every
//! writer opens (removing it while another writer waits would let two writers in at once) and
//! the record of the run that last wrote. A file left by an *earlier* `cargo test`
//! run is replaced rather than merged, so interactions deleted from the tests disappear from
//! the contract: the lock file records which run last wrote (the parent process — `cargo` —
//! and its start time; override with `PACTUM_PACT_RUN_ID`). Where the platform cannot name the
//! parent process (not Unix) and `PACTUM_PACT_RUN_ID` is unset, files are always merged.
//!
//! Where files go: the builder's `output_dir`, else `$PACTUM_PACT_DIR`, else `target/pacts`
//! under the current directory (cargo runs tests from the package root).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use pactum_core::contract::{Interaction, LoadError, Pact, WriteError, merge_interactions};

/// Why a contract file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum PactFileError {
    /// A filesystem operation failed.
    #[error("cannot write the contract {file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The existing file from this run could not be read.
    #[error("cannot merge into the existing contract: {0}")]
    Existing(#[from] LoadError),
    /// The file holds the contract of another consumer–provider pair whose names map to the
    /// same file name.
    #[error(
        "{file} holds the contract between '{existing_consumer}' and '{existing_provider}', not this one; the names map to the same file name, so rename one pair or use another output directory"
    )]
    OtherPair {
        /// The file.
        file: PathBuf,
        /// Its consumer.
        existing_consumer: String,
        /// Its provider.
        existing_provider: String,
    },
    /// Two tests declared the same interaction differently.
    #[error(
        "interaction '{description}' is declared twice with different content (in {file}); give one of them another description or provider state"
    )]
    Conflict {
        /// The interaction.
        description: String,
        /// The file.
        file: PathBuf,
    },
    /// The contract cannot be written in the requested version.
    #[error(transparent)]
    Version(#[from] WriteError),
}

/// The hidden folder of the output directory that holds the lock files (and, during a write,
/// the temporary file), so that the directory itself holds only contracts.
pub const STATE_DIR: &str = ".pactum";

/// The directory contracts are written to.
pub fn pact_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(dir) = explicit {
        return dir.to_path_buf();
    }
    match std::env::var_os("PACTUM_PACT_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from("target").join("pacts"),
    }
}

/// The file name for a pact: `<consumer>-<provider>.json`, with characters unsafe in file
/// names replaced.
pub fn file_name(pact: &Pact) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "{}-{}.json",
        clean(&pact.consumer.name),
        clean(&pact.provider.name)
    )
}

/// Identifies this test run: the same for every test binary `cargo test` starts. `None` where
/// the platform gives no way to tell (then files are always merged, never replaced: stale
/// interactions may stay, but nothing a concurrent binary wrote is lost).
fn run_id() -> Option<String> {
    if let Ok(id) = std::env::var("PACTUM_PACT_RUN_ID") {
        return Some(id);
    }
    parent_run_id()
}

/// The parent process (`cargo`) and, where `/proc` has it, its start time, which tells a reused
/// process id from the same process.
#[cfg(unix)]
fn parent_run_id() -> Option<String> {
    let parent = std::os::unix::process::parent_id();
    let started = fs::read_to_string(format!("/proc/{parent}/stat"))
        .ok()
        .and_then(|stat| {
            let after_name = stat.rsplit_once(')')?.1;
            after_name.split_whitespace().nth(19).map(str::to_string)
        })
        .unwrap_or_default();
    Some(format!("{parent}:{started}"))
}

/// The standard library has no portable parent process id.
#[cfg(not(unix))]
fn parent_run_id() -> Option<String> {
    None
}

fn io(file: &Path) -> impl Fn(std::io::Error) -> PactFileError + '_ {
    move |source| PactFileError::Io {
        file: file.to_path_buf(),
        source,
    }
}

/// Writes `pact` into `dir`, merging with interactions other tests of this run wrote.
pub fn write(pact: &Pact, dir: Option<&Path>) -> Result<PathBuf, PactFileError> {
    let dir = pact_dir(dir);
    let state = dir.join(STATE_DIR);
    fs::create_dir_all(&state).map_err(io(&state))?;
    let file = dir.join(file_name(pact));
    let lock_path = state.join(format!("{}.lock", file_name(pact)));
    let mut lock = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&lock_path)
        .map_err(io(&lock_path))?;
    lock.lock().map_err(io(&lock_path))?;
    let result = write_locked(pact, &file, &state, &mut lock);
    let _ = lock.unlock();
    result
}

/// Writes the contract `file` while holding `lock`; the temporary file goes to `state` (same
/// filesystem, so the rename is atomic; a crash leaves it there, not beside the contracts).
fn write_locked(
    pact: &Pact,
    file: &Path,
    state: &Path,
    lock: &mut File,
) -> Result<PathBuf, PactFileError> {
    let mut previous_run = String::new();
    lock.read_to_string(&mut previous_run).map_err(io(file))?;
    let run = run_id();
    let same_run = run.as_deref().is_none_or(|run| previous_run.trim() == run);
    let mut merged = pact.clone();
    if same_run && file.exists() {
        let existing = Pact::load(file)?;
        if existing.consumer.name != pact.consumer.name
            || existing.provider.name != pact.provider.name
        {
            return Err(PactFileError::OtherPair {
                file: file.to_path_buf(),
                existing_consumer: existing.consumer.name,
                existing_provider: existing.provider.name,
            });
        }
        merged.interactions =
            merge_interactions(existing.interactions, pact.interactions.iter().cloned()).map_err(
                |conflict| PactFileError::Conflict {
                    description: conflict.identity.description,
                    file: file.to_path_buf(),
                },
            )?;
    }
    merged.interactions.sort_by_cached_key(|i| {
        (
            i.description.clone(),
            serde_json::to_string(&states_json(i)).unwrap_or_default(),
        )
    });
    let json = merged.to_json(merged.spec)?;
    let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
    text.push('\n');

    let temp = state.join(format!(
        "{}.tmp-{}",
        file.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    fs::write(&temp, text).map_err(io(&temp))?;
    fs::rename(&temp, file).map_err(io(file))?;

    lock.set_len(0).map_err(io(file))?;
    lock.seek(SeekFrom::Start(0)).map_err(io(file))?;
    lock.write_all(run.unwrap_or_default().as_bytes())
        .map_err(io(file))?;
    Ok(file.to_path_buf())
}

fn states_json(
    interaction: &Interaction,
) -> Vec<(String, serde_json::Map<String, serde_json::Value>)> {
    interaction
        .provider_states
        .iter()
        .map(|s| (s.name.clone(), s.params.clone()))
        .collect()
}
