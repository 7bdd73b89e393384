//! `docs/pack.schema.json` (for editors) must accept every key the real packs use: a small
//! structural check of every pack TOML file in the repository against the schema's `properties`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use serde_json::Value as J;

fn resolve<'a>(root: &'a J, s: &'a J) -> &'a J {
    match s.get("$ref").and_then(J::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => s,
    }
}

/// Check that `v` uses only keys the schema declares, recursively; returns the offending paths.
fn unknown_keys(root: &J, schema: &J, v: &toml::Value, path: &str, out: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if let Some(any) = schema.get("anyOf").and_then(J::as_array) {
        // Pick the object branch for tables, the first branch otherwise.
        let branch = any
            .iter()
            .find(|b| v.is_table() == (b.get("type") == Some(&J::from("object"))))
            .unwrap_or(&any[0]);
        return unknown_keys(root, branch, v, path, out);
    }
    match v {
        toml::Value::Table(t) => {
            let props = schema.get("properties").and_then(J::as_object);
            let closed = schema.get("additionalProperties") == Some(&J::Bool(false));
            for (k, child) in t {
                let p = format!("{path}.{k}");
                match (
                    props.and_then(|m| m.get(k)),
                    schema.get("additionalProperties"),
                ) {
                    (Some(s), _) => unknown_keys(root, s, child, &p, out),
                    (None, Some(extra)) if extra.is_object() => {
                        unknown_keys(root, extra, child, &p, out);
                    }
                    (None, _) if closed => out.push(p),
                    _ => {}
                }
            }
        }
        toml::Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    unknown_keys(root, item_schema, item, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") && !p.ends_with("expected.toml") {
            out.push(p);
        }
    }
}

#[test]
fn every_pack_file_fits_the_editor_schema() {
    let root_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let schema: J = serde_json::from_str(
        &std::fs::read_to_string(root_dir.join("docs/pack.schema.json")).unwrap(),
    )
    .unwrap();
    let mut files = Vec::new();
    toml_files(&root_dir.join("rules"), &mut files);
    assert!(files.len() > 3, "found the pack files");
    let mut problems = Vec::new();
    for f in &files {
        let Ok(v) = std::fs::read_to_string(f).unwrap().parse::<toml::Table>() else {
            continue;
        };
        unknown_keys(
            &schema,
            &schema,
            &toml::Value::Table(v),
            &f.display().to_string(),
            &mut problems,
        );
    }
    assert!(
        problems.is_empty(),
        "keys missing from docs/pack.schema.json: {problems:#?}"
    );
}

#[test]
fn the_check_can_fail() {
    let schema: J = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/pack.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let v: toml::Table = "[[rule]]\nid = \"X\"\nseverity = \"error\"\nchek = \"true\"\n"
        .parse()
        .unwrap();
    let mut problems = Vec::new();
    unknown_keys(&schema, &schema, &toml::Value::Table(v), "f", &mut problems);
    assert_eq!(problems, vec!["f.rule[0].chek".to_owned()]);
}
