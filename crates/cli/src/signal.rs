//! Waiting for the request to stop a long-running command (`pactum broker`, `pactum stub`).

/// Completes on Ctrl-C, or on SIGTERM where there is one (what containers and CI runners send to
/// stop a process).
pub(crate) async fn shutdown() {
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}
