//! A bundle is the same pack as its directory: same digest, and the same report, byte for byte,
//! for every example application.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use baokao::{Bundle, Engine, Lang, Options};

fn pack_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/nmec-2024").to_owned()
}

#[test]
fn bundle_judges_exactly_like_the_directory() {
    let from_dir = Engine::from_dir(pack_dir()).expect("pack compiles");
    let json = from_dir.bundle(false).to_json();
    let from_bundle = Engine::from_bundle(&json).expect("bundle compiles");
    assert_eq!(
        from_dir.program().info,
        from_bundle.program().info,
        "same pack id, version and digest"
    );
    let examples = &from_dir.pack().examples;
    assert!(!examples.is_empty(), "the pack has examples");
    for e in examples {
        let doc = e.document.as_ref().unwrap();
        for lang in [Lang::Zh, Lang::En] {
            let options = Options::default().with_lang(lang).with_explain(true);
            let a = serde_json::to_string(&from_dir.run(doc, &options).unwrap()).unwrap();
            let b = serde_json::to_string(&from_bundle.run(doc, &options).unwrap()).unwrap();
            assert_eq!(
                a, b,
                "example `{}` ({lang:?}) differs between directory and bundle",
                e.name
            );
        }
    }
}

#[test]
fn examples_do_not_change_the_digest() {
    let engine = Engine::from_dir(pack_dir()).unwrap();
    assert_eq!(engine.bundle(true).digest, engine.bundle(false).digest);
}

#[test]
fn a_tampered_bundle_is_rejected() {
    let engine = Engine::from_dir(pack_dir()).unwrap();
    let mut bundle = engine.bundle(false);
    bundle.pack.pack.version.push_str("-edited");
    let err = Bundle::from_json(&bundle.to_json()).unwrap_err();
    assert_eq!(err.code(), "digest_mismatch");
    let err = Engine::from_bundle("{\"format\": \"baokao-bundle/1\"").unwrap_err();
    assert_eq!(err.code(), "json_syntax");
}
