//! The `pactum` command line.
