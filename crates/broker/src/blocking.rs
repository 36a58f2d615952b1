//! CPU-heavy work off the async workers. Parsing, checking, hashing and merging a large
//! request body — a 16 MiB contract takes the better part of a second — runs on the runtime's
//! blocking threads, so it holds up neither the requests that share a worker thread (`/health`
//! and reads stay fast) nor any database lock. Small bodies are handled in place: moving them
//! to another thread costs more than they do.
//!
//! How many large bodies are in the works at once is bounded separately, by
//! `hal::large_bodies_take_turns`.

/// Bodies larger than this (bytes) are parsed on a blocking thread, and take turns.
pub(crate) const LARGE_BODY: usize = 1 << 20;

/// Runs `work` on one of the runtime's blocking threads; a panic in it resumes here (and the
/// handler's panic layer turns it into a 500).
pub(crate) async fn on_blocking_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(error) => match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => panic!("the runtime shut down while a request was being handled"),
        },
    }
}

/// Runs `work` over `size` bytes of input: in place when that is small, on a blocking thread
/// when it is larger than [`LARGE_BODY`].
pub(crate) async fn by_size<T: Send + 'static>(
    size: usize,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    if size > LARGE_BODY {
        on_blocking_thread(work).await
    } else {
        work()
    }
}
