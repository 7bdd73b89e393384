//! The examples of reports and diffs in the documentation come from real runs, so their version and
//! shape cannot drift: each JSON block after a `<!-- generated: NAME … -->` comment in README.md,
//! docs/report.md and docs/diff.md is what this test renders for NAME — the engine's own output for
//! a named example of the shipped pack, with long strings and lists shortened by `…` — and the
//! `[pack]` block of docs/pack-format.md is the pack's own. Run with `BAOKAO_BLESS=1` to rewrite the
//! blocks after a change of the pack or the report (then review the diff).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use baokao::diff::ApplicationsDiff;
use baokao::{Engine, Lang, Options};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn engine(name: &str) -> Engine {
    Engine::from_dir(root().join("rules").join(name)).unwrap()
}

/// The document of a pack example, by name.
fn example(engine: &Engine, name: &str) -> Value {
    engine
        .pack()
        .examples
        .iter()
        .find(|e| e.name == name)
        .and_then(|e| e.document.clone())
        .unwrap_or_else(|| panic!("no example `{name}`"))
}

/// Longest string shown whole; longer ones keep their start and a `…`.
const LONG: usize = 72;
/// Most items of a list shown; the rest are `…`.
const ITEMS: usize = 2;
/// Width a value may take on one line.
const WIDTH: usize = 110;

/// A JSON value with its object members in the order they were written (`serde_json::Value` sorts
/// them), so the documentation shows a report's keys in the report's order.
enum Node {
    Scalar(Value),
    List(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = a.next_element()? {
                    items.push(item);
                }
                Ok(Node::List(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = a.next_entry()? {
                    members.push(member);
                }
                Ok(Node::Object(members))
            }
        }
        d.deserialize_any(Visit)
    }
}

/// The documentation's form of what `item` serialises to.
fn pretty<T: serde::Serialize>(item: &T) -> String {
    let text = serde_json::to_string(item).unwrap();
    let node: Node = serde_json::from_str(&text).unwrap();
    let mut s = String::new();
    render(&node, 0, &mut s);
    s
}

/// JSON as the documentation shows it: an object or list on one line when it fits, else one
/// member per line; a digest as `sha256:…`; long strings and lists shortened with `…`.
fn render(v: &Node, indent: usize, out: &mut String) {
    let line = one_line(v);
    if line.chars().count() + indent <= WIDTH {
        out.push_str(&line);
        return;
    }
    let pad = " ".repeat(indent + 2);
    match v {
        Node::Object(m) => {
            out.push_str("{\n");
            for (i, (k, v)) in m.iter().enumerate() {
                let _ = write!(out, "{pad}{}: ", Value::String(k.clone()));
                render(v, indent + 2, out);
                out.push_str(if i + 1 < m.len() { ",\n" } else { "\n" });
            }
            let _ = write!(out, "{}}}", " ".repeat(indent));
        }
        Node::List(items) => {
            out.push_str("[\n");
            let shown = items.len().min(ITEMS);
            for (i, item) in items.iter().take(shown).enumerate() {
                out.push_str(&pad);
                render(item, indent + 2, out);
                out.push_str(if i + 1 < shown || items.len() > ITEMS {
                    ",\n"
                } else {
                    "\n"
                });
            }
            if items.len() > ITEMS {
                let _ = writeln!(out, "{pad}…");
            }
            let _ = write!(out, "{}]", " ".repeat(indent));
        }
        Node::Scalar(_) => out.push_str(&line),
    }
}

fn one_line(v: &Node) -> String {
    match v {
        Node::Scalar(Value::String(s)) if s.starts_with("sha256:") => "\"sha256:…\"".into(),
        Node::Scalar(Value::String(s)) if s.chars().count() > LONG => {
            let head: String = s.chars().take(LONG - 8).collect();
            Value::String(format!("{head}…")).to_string()
        }
        Node::Scalar(other) => other.to_string(),
        Node::Object(m) => {
            let members: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), one_line(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Node::List(items) => {
            let mut shown: Vec<String> = items.iter().take(ITEMS).map(one_line).collect();
            if items.len() > ITEMS {
                shown.push("…".into());
            }
            format!("[{}]", shown.join(", "))
        }
    }
}

/// The English report of a shipped example, without its trace.
fn report(example_name: &str) -> baokao::Report {
    let e = engine("nmec-2024");
    let options = Options::default().with_lang(Lang::En);
    e.run(&example(&e, example_name), &options).unwrap()
}

/// One entry of the English explain trace of a shipped example.
fn trace_entry(example_name: &str, rule: &str) -> baokao::TraceEntry {
    let e = engine("nmec-2024");
    let options = Options::default().with_lang(Lang::En).with_explain(true);
    let report = e.run(&example(&e, example_name), &options).unwrap();
    report
        .trace
        .unwrap_or_default()
        .into_iter()
        .find(|t| &*t.rule == rule)
        .unwrap_or_else(|| panic!("no trace entry `{rule}`"))
}

/// The diff of the national pack and the Hunan overlay over the national examples, one of them
/// unreadable, as `baokao diff --format json --apps export.jsonl` gives it.
fn diff() -> baokao::diff::PackDiff {
    let (old, new) = (engine("nmec-2024"), engine("nmec-2024-hunan"));
    let docs: Vec<Value> = old
        .pack()
        .examples
        .iter()
        .filter(|e| e.step.is_none() && e.params.is_empty())
        .filter_map(|e| e.document.clone())
        .collect();
    let mut apps = ApplicationsDiff::default();
    for (i, d) in docs.iter().enumerate() {
        let input = format!("export.jsonl:{}", i + 1);
        apps.compare(&old, &new, Some(&input), d, &Options::default());
    }
    let last = format!("export.jsonl:{}", docs.len() + 1);
    let bad = baokao::parse_application("{\"basic\": ").unwrap_err();
    apps.unreadable(Some(&last), bad.code(), &bad.to_string());
    // The first change that moves an outcome shows best what a change is: list it first.
    if let Some(i) = apps.changes.iter().position(|c| c.has("outcome")) {
        let c = apps.changes.remove(i);
        apps.changes.insert(0, c);
    }
    baokao::diff::diff(&old, &new).with_applications(apps)
}

/// What the block after `<!-- generated: NAME -->` must hold.
fn generated(name: &str) -> String {
    match name {
        "readme-report" => pretty(&report(
            "R-FE-1-fails-for-foreign-degree-declared-without-authentication",
        )),
        "report-shape" => pretty(&report("XF-10.c-fails-for-current-year-graduate")),
        "report-trace" => pretty(&trace_entry("b-trial-conditional", "XF-11.a")),
        "diff-json" => pretty(&diff()),
        "pack-meta" => {
            let text = std::fs::read_to_string(root().join("rules/nmec-2024/pack.toml")).unwrap();
            let start = text.find("[pack]\n").unwrap();
            let lines: Vec<&str> = text[start..]
                .lines()
                .take_while(|l| {
                    l.starts_with('[')
                        || l.starts_with("id =")
                        || l.starts_with("version =")
                        || l.starts_with("title =")
                })
                .collect();
            lines.join("\n")
        }
        other => panic!("unknown generated block `{other}`"),
    }
}

/// Check (or, with `BAOKAO_BLESS=1`, rewrite) every generated block of a Markdown file.
fn check(file: &str) -> usize {
    let path = root().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let marker = "<!-- generated: ";
    let mut out = String::new();
    let mut rest = text.as_str();
    let mut stale = Vec::new();
    let mut count = 0;
    while let Some(at) = rest.find(marker) {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let name: String = after[marker.len()..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        let fence = after
            .find("\n```")
            .unwrap_or_else(|| panic!("{file}: `{name}` has no block"));
        let body_start = after[fence + 4..].find('\n').unwrap() + fence + 5;
        let body_end = body_start + after[body_start..].find("\n```").unwrap();
        let want = generated(&name);
        if after[body_start..body_end] != want {
            stale.push(name.clone());
        }
        out.push_str(&after[..body_start]);
        out.push_str(&want);
        rest = &after[body_end..];
        count += 1;
    }
    out.push_str(rest);
    if std::env::var_os("BAOKAO_BLESS").is_some() {
        if out != text {
            std::fs::write(&path, out).unwrap();
        }
    } else {
        assert!(
            stale.is_empty(),
            "{file}: generated block(s) {stale:?} differ from a real run: run `BAOKAO_BLESS=1 cargo test -p baokao --test docs_examples` and review the diff"
        );
    }
    count
}

#[test]
fn the_readme_report_is_a_real_one() {
    assert_eq!(check("README.md"), 1);
}

#[test]
fn the_report_shape_and_trace_are_real_ones() {
    assert_eq!(check("docs/report.md"), 2);
}

#[test]
fn the_diff_json_is_a_real_one() {
    assert_eq!(check("docs/diff.md"), 1);
}

#[test]
fn the_pack_format_shows_the_packs_own_identity() {
    assert_eq!(check("docs/pack-format.md"), 1);
    // The overlays it shows name their packs' versions too.
    let text = std::fs::read_to_string(root().join("docs/pack-format.md")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(id) = line
            .strip_prefix("id = \"")
            .and_then(|l| l.strip_suffix('"'))
        else {
            continue;
        };
        let Some(version) = lines
            .get(i + 1)
            .and_then(|l| l.strip_prefix("version = \""))
        else {
            continue;
        };
        if root().join("rules").join(id).is_dir() {
            let real = engine(id).pack().pack.version.clone();
            assert_eq!(
                version.trim_end_matches('"'),
                real,
                "docs/pack-format.md line {}: `{id}`",
                i + 2
            );
        }
    }
}

#[test]
fn the_renderer_shortens_what_the_docs_shorten() {
    #[derive(serde::Serialize)]
    struct Ordered {
        z: u8,
        a: u8,
    }
    let v = serde_json::json!({"digest": "sha256:0123", "items": [1, 2, 3], "s": "x".repeat(80)});
    let shown = pretty(&v);
    assert!(
        shown.contains("\"sha256:…\"") && shown.contains("[1, 2, …]"),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("\"{}…\"", "x".repeat(LONG - 8))),
        "{shown}"
    );
    // The members keep the order they are written in.
    assert_eq!(pretty(&Ordered { z: 1, a: 2 }), "{\"z\": 1, \"a\": 2}");
}
