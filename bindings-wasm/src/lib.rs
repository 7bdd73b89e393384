//! # baokao-wasm — the WebAssembly binding of baokao
//!
//! Built for `wasm32-unknown-unknown` with `wasm-bindgen` into the npm package `baokao` (ES
//! modules for browsers and Node; see `bindings-wasm/README.md` and `scripts/build-wasm.sh`).
//! The crate also builds for the host, where [`glue`] is unit-tested: everything the binding
//! does is there, in plain Rust (JSON text in, JSON text out); [`wasm`] only exports it.
//!
//! Panics: `wasm32-unknown-unknown` aborts on panic (a trap), so `catch_unwind` is not
//! available. The core is written not to panic (clippy denies `unwrap`, `expect`, `panic` and
//! indexing), and the JavaScript wrapper re-creates the WebAssembly instance and its engines
//! after a trap, so one bad call never leaves the module unusable.

pub mod glue;
pub mod wasm;
