//! `pactum stub`: serve contracts until interrupted.

use std::io::{IsTerminal, Write};

use super::{CliError, EXIT_OK, Outcome, StubArgs};
use pactum_client::sources::{Auth, Loaded, Source, load_all};
use pactum_consumer::stub;

pub(super) fn run(args: &StubArgs) -> Result<Outcome, CliError> {
    // Checked when the arguments were parsed.
    let filter = tracing_subscriber::EnvFilter::new(&args.log_level);
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let sources: Vec<Source> = args.contracts.iter().map(|c| Source::parse(c)).collect();
    runtime.block_on(async {
        let pacts = load_all(&sources, &Auth::None).await?;
        let interactions = stub::select(
            pacts
                .into_iter()
                .map(|Loaded { origin, pact, .. }| (origin, pact)),
            args.state.as_deref(),
        )?;
        let count = interactions.len();
        let on_ready = |addr| {
            // The first line of output says where to connect (useful with --port 0).
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(
                stdout,
                "pactum stub listening on http://{addr} ({count} interactions)"
            );
            let _ = stdout.flush();
        };
        stub::serve(
            interactions,
            std::net::SocketAddr::new(args.host, args.port),
            args.cors,
            args.connections.limits(),
            on_ready,
            crate::signal::shutdown(),
        )
        .await?;
        Ok::<_, CliError>(())
    })?;
    Ok(Outcome::new(String::new(), EXIT_OK))
}
