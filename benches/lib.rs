//! Fixtures for the benchmarks.
