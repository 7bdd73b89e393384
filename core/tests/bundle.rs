//! A bundle is the same pack as its directory: same digest, and the same report, byte for byte,
//! for every example application.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::path::Path;

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
        from_dir.info(),
        from_bundle.info(),
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

/// The digest hashes the pack's own JSON with its examples emptied, written from borrowed parts:
/// the same bytes as serialising a copy of the pack without examples, for every pack here (the
/// national one has materials, a notice, omissions and form checks; the engine cases have none).
#[test]
fn the_digest_is_the_hash_of_the_pack_without_examples() {
    use sha2::{Digest as _, Sha256};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut dirs: Vec<_> = ["rules", "tests/engine"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap().flatten())
        .map(|e| e.path())
        .filter(|p| p.join("pack.toml").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() > 10, "{dirs:?}");
    let mut with_examples = 0;
    for dir in dirs {
        let pack = baokao::Pack::from_dir(&dir).unwrap();
        let copy = baokao::Pack {
            examples: Vec::new(),
            ..pack.clone()
        };
        let hash = Sha256::digest(serde_json::to_vec(&copy).unwrap());
        let expected: String = std::iter::once("sha256:".to_owned())
            .chain(hash.iter().map(|b| format!("{b:02x}")))
            .collect();
        assert_eq!(pack.digest(), expected, "{}", dir.display());
        with_examples += usize::from(!pack.examples.is_empty());
    }
    assert!(
        with_examples > 5,
        "examples are left out of the digest, not absent"
    );
}
