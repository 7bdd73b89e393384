//! The Python binding of the baokao rules engine, importable as `baokao` (this crate is its native
//! part, `baokao._native`; the package around it is `python/baokao/`).
//!
//! The binding converts and forwards, nothing else: Python objects become `serde_json::Value`s,
//! the core judges, and the core's `Report` comes back with its serde form as the one contract.
//! Exceptions are the classes of `baokao.errors`, raised from here; a panic in the core becomes a
//! `BaokaoError` with code `internal_error`, never a crashed interpreter.

mod batch;
mod bench;
mod convert;
mod diff;
mod engine;
mod error;
mod report;

use pyo3::prelude::*;

/// Native part of the `baokao` package: `Engine`, `Report`, `Diff` and `diff`. Import `baokao`, not this module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::Engine>()?;
    m.add_class::<report::Report>()?;
    m.add_class::<diff::Diff>()?;
    m.add_function(wrap_pyfunction!(diff::diff, m)?)?;
    m.add_function(wrap_pyfunction!(diff::language, m)?)?;
    m.add("MAX_DOCUMENT_BYTES", baokao::MAX_DOCUMENT_BYTES)?;
    m.add("MAX_DOCUMENT_DEPTH", baokao::MAX_DOCUMENT_DEPTH)?;
    m.add("MAX_BUNDLE_BYTES", baokao::MAX_BUNDLE_BYTES)?;
    m.add("DEFAULT_WORK_LIMIT", baokao::DEFAULT_WORK_LIMIT)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(error::panic_for_tests, m)?)?;
    m.add_function(wrap_pyfunction!(bench::time_core, m)?)?;
    m.add_function(wrap_pyfunction!(bench::time_convert, m)?)?;
    m.add_function(wrap_pyfunction!(bench::time_stages, m)?)?;
    Ok(())
}
