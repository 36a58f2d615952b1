//! Regression tests for the hardening issue: no contract or request can steer the verifier
//! elsewhere or take the broker down. One test per finding, named after what it guarantees.

mod broker;
mod consumer;
mod servers;
mod verifier;
