//! Shared fixtures for the integration tests live beside this file; the tests are in `tests/`.
