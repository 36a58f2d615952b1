//! The `pactum` binary: all work happens in the library's `cli` module.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(pactum::cli::main())
}
