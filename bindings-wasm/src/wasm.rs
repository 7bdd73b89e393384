//! The `#[wasm_bindgen]` exports: thin wrappers over [`crate::glue`].
//!
//! These are the raw exports; the public JavaScript API is `js/baokao.js`, which turns objects
//! into JSON text, parses the JSON text that comes back, throws errors as plain
//! `{code, message, path}` objects and re-creates the WebAssembly instance after a trap.
//! Errors leave Rust as the JSON text of an [`ErrorInfo`], thrown as a
//! JavaScript string.

use std::sync::Mutex;

use wasm_bindgen::prelude::*;

use baokao::LoadOptions;

use crate::glue::{ErrorInfo, Glue};

/// The message of the last panic, kept for the JavaScript wrapper to read from the trapped
/// instance before it re-creates it.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Runs when the instance starts (also after a re-creation): install the panic hook.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(info.to_string());
        }
    }));
}

/// The message of the last panic, if any (read by the wrapper after a trap). Not part of the API.
#[wasm_bindgen(js_name = __lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|mut last| last.take())
}

fn thrown(e: &ErrorInfo) -> JsValue {
    JsValue::from_str(&e.to_json())
}

/// A compiled rule pack (raw export; use `Engine` from `baokao.js`).
#[wasm_bindgen]
pub struct RawEngine {
    glue: Glue,
}

#[wasm_bindgen]
impl RawEngine {
    /// Compile a bundle, refusing any other content than `digest` when given. Throws the JSON
    /// text of `{code, message, path}`.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(json: &str, digest: Option<String>) -> Result<RawEngine, JsValue> {
        let options = LoadOptions {
            digest,
            ..LoadOptions::default()
        };
        Glue::from_bundle_with(json, &options)
            .map(|glue| RawEngine { glue })
            .map_err(|e| thrown(&e))
    }

    /// Validate application JSON text: the whole form, or only `step`; with the explain trace
    /// when `explain`. Returns the report as JSON text.
    pub fn run(
        &self,
        application: &str,
        lang: &str,
        step: Option<String>,
        explain: bool,
    ) -> Result<String, JsValue> {
        self.glue
            .run(application, lang, step, explain)
            .map_err(|e| thrown(&e))
    }

    /// The printable registration success notice of application JSON text: an HTML page.
    pub fn notice(&self, application: &str, lang: &str) -> Result<String, JsValue> {
        self.glue.notice(application, lang).map_err(|e| thrown(&e))
    }

    /// What a live form shows next to one field, as JSON text.
    #[wasm_bindgen(js_name = validateField)]
    pub fn validate_field(
        &self,
        path: &str,
        application: &str,
        lang: &str,
    ) -> Result<String, JsValue> {
        self.glue
            .validate_field(path, application, lang)
            .map_err(|e| thrown(&e))
    }

    /// Step ids in form order, as a JSON array.
    pub fn steps(&self) -> Result<String, JsValue> {
        self.glue.steps().map_err(|e| thrown(&e))
    }

    /// The form as the pack describes it, its texts in `lang`, as JSON text.
    pub fn form(&self, lang: &str) -> Result<String, JsValue> {
        self.glue.form(lang).map_err(|e| thrown(&e))
    }

    /// What application JSON text makes of the form (fields required now, derived values), as
    /// JSON text.
    #[wasm_bindgen(js_name = formState)]
    pub fn form_state(&self, application: &str) -> Result<String, JsValue> {
        self.glue.form_state(application).map_err(|e| thrown(&e))
    }
}

/// The serde-wasm-bindgen route, for the benchmark only (feature `swb-bench`).
#[cfg(feature = "swb-bench")]
#[wasm_bindgen]
impl RawEngine {
    /// Validate a JavaScript object converted with serde-wasm-bindgen; the report as an object.
    #[wasm_bindgen(js_name = runValue)]
    pub fn run_value(
        &self,
        application: JsValue,
        lang: &str,
        step: Option<String>,
        explain: bool,
    ) -> Result<JsValue, JsValue> {
        use serde::Serialize as _;
        let doc: serde_json::Value = serde_wasm_bindgen::from_value(application)
            .map_err(|e| thrown(&ErrorInfo::new("malformed_json", e.to_string(), "")))?;
        let report = self
            .glue
            .run_value(&doc, lang, step, explain)
            .map_err(|e| thrown(&e))?;
        report
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| thrown(&ErrorInfo::new("internal_error", e.to_string(), "")))
    }
}

/// Panics, to test that the JavaScript wrapper recovers from a trapped instance. Not part of
/// the API.
///
/// # Panics
///
/// Always: that is its purpose.
#[wasm_bindgen(js_name = __panicForTest)]
#[expect(
    clippy::panic,
    reason = "the one deliberate panic: the test hook of trap recovery"
)]
pub fn panic_for_test() {
    panic!("__panicForTest: deliberate panic");
}
