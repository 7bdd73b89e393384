//! Any bytes as an application to the 2024 pack: never a panic, and every report keeps the report
//! contract (docs/report.md; `testing::mutations::contract_violations`). The first byte picks the
//! language, a step and whether to explain; the notice is rendered for printable reports.
#![no_main]

use std::sync::OnceLock;

use baokao::testing::mutations::contract_violations;
use baokao::{Engine, Lang, Options};
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::from_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/nmec-2024"))
            .expect("the 2024 pack compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let e = engine();
    let (flags, doc) = data.split_first().map_or((0, data), |(f, d)| (*f, d));
    let steps = ["account", "exam", "basic", "work", "education", "certificates", "submission"];
    let mut options = Options::default()
        .with_lang(if flags & 1 == 0 { Lang::Zh } else { Lang::En })
        .with_explain(flags & 2 != 0);
    let step = (flags & 4 != 0).then(|| steps[usize::from(flags >> 3) % steps.len()]);
    if let Some(s) = step {
        options = options.with_step(s);
    }
    if let Ok(report) = e.validate_json_bytes(doc, &options) {
        let violations = contract_violations(e, &report, step);
        assert!(violations.is_empty(), "{violations:?}");
        if step.is_none() {
            if let Ok(parsed) = baokao::parse_application_bytes(doc) {
                let _ = e.notice(&parsed, options.lang);
            }
        }
    }
});
