//! Any text as a pack bundle: a coded error or an engine, never a panic; an engine that compiles
//! judges an empty application without panicking either.
#![no_main]

use baokao::Engine;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Engine::from_bundle(text) {
        Ok(engine) => {
            let _ = engine.validate(&serde_json::json!({}));
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
});
