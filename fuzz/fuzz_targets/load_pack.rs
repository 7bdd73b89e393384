//! Any text as the one TOML file of a pack directory (written to a scratch directory of this
//! process): a coded error with a location, or an engine; never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use baokao::Engine;
use libfuzzer_sys::fuzz_target;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("baokao-fuzz-pack-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        dir
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = scratch();
    if std::fs::write(dir.join("pack.toml"), data).is_err() {
        return;
    }
    match Engine::from_dir(dir) {
        Ok(engine) => {
            let _ = engine.validate(&serde_json::json!({}));
        }
        Err(e) => assert!(!e.code().is_empty()),
    }
});
