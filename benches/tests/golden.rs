//! Reports stay byte-identical while the evaluator changes (issue 16): the JSON of every report of
//! the 10,000-application benchmark batch, of every conformance vector (each pack's examples, zh and
//! en, with the explain trace) and of 2,000 seeded mutations per pack is hashed, and the digests
//! must equal `golden-reports.txt`, written at a commit before the change.
//!
//! A digest that differs writes the reports of its set to `target/golden/<set>.jsonl`: run the test
//! at the earlier commit too and `diff` the two files to see which report changed. A change of the
//! packs' rules changes the reports on purpose: `BAOKAO_BLESS=1 cargo test -p baokao-benches --test
//! golden` rewrites the file, and the commit says why.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use baokao::{testing, Engine, Lang, Options};
use sha2::{Digest, Sha256};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden-reports.txt");

/// Seed and size of the mutations per pack (the CLI's `--write-mutations` default size).
const MUTATION_SEED: u64 = 16;
const MUTATIONS: usize = 2000;

/// One set of reports: its name and the JSON lines of its reports.
struct Set {
    name: String,
    lines: Vec<String>,
}

impl Set {
    fn digest(&self) -> String {
        let mut h = Sha256::new();
        for l in &self.lines {
            h.update(l.as_bytes());
            h.update(b"\n");
        }
        let mut s = String::from("sha256:");
        for b in h.finalize() {
            let _ = write!(s, "{b:02x}");
        }
        s
    }
}

fn report_line(engine: &Engine, doc: &serde_json::Value, options: &Options) -> String {
    match engine.run(doc, options) {
        Ok(r) => serde_json::to_string(&r).unwrap(),
        Err(e) => format!("error [{}] {e}", e.code()),
    }
}

fn packs() -> Vec<PathBuf> {
    let rules = baokao_benches::workspace_dir().join("rules");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&rules)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("pack.toml").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn sets() -> Vec<Set> {
    let mut sets = Vec::new();
    // The benchmark batch, judged from the value and from its text (which must agree).
    let engine = baokao_benches::engine().unwrap();
    let batch = baokao_benches::generate(baokao_benches::BATCH, baokao_benches::SEED).unwrap();
    for (lang_name, lang) in [("zh", Lang::Zh), ("en", Lang::En)] {
        let options = Options::default().with_lang(lang);
        let mut lines = Vec::with_capacity(batch.len());
        for app in &batch {
            let line = report_line(&engine, app, &options);
            let text = serde_json::to_string(app).unwrap();
            let from_text = match engine.validate_json(&text, &options) {
                Ok(r) => serde_json::to_string(&r).unwrap(),
                Err(e) => format!("error [{}] {e}", e.code()),
            };
            assert_eq!(line, from_text, "validate_json and run disagree");
            lines.push(line);
        }
        sets.push(Set {
            name: format!(
                "batch-{}-seed-{}-{lang_name}",
                batch.len(),
                baokao_benches::SEED
            ),
            lines,
        });
    }
    // Each pack's conformance vectors (examples judged by the pack itself) and mutations.
    for dir in packs() {
        let pack = dir.file_name().unwrap().to_string_lossy().into_owned();
        let engine = Engine::from_dir(&dir).unwrap();
        let mut lines = Vec::new();
        for e in &engine.pack().examples {
            let (Some(doc), true) = (&e.document, e.params.is_empty()) else {
                continue;
            };
            for lang in [Lang::Zh, Lang::En] {
                let mut options = Options::default().with_lang(lang);
                options.step.clone_from(&e.step);
                lines.push(report_line(&engine, doc, &options));
            }
            let mut options = Options::default().with_explain(true);
            options.step.clone_from(&e.step);
            lines.push(report_line(&engine, doc, &options));
        }
        sets.push(Set {
            name: format!("{pack}-examples"),
            lines,
        });
        let mut lines = Vec::new();
        for m in testing::mutations::generate(&engine, MUTATION_SEED, MUTATIONS) {
            let mut options = Options::default();
            options.step.clone_from(&m.step);
            lines.push(match (&m.document, &m.text) {
                (Some(doc), _) => report_line(&engine, doc, &options),
                (None, Some(text)) => match engine.validate_json(text, &options) {
                    Ok(r) => serde_json::to_string(&r).unwrap(),
                    Err(e) => format!("error [{}] {e}", e.code()),
                },
                (None, None) => String::from("nothing"),
            });
        }
        sets.push(Set {
            name: format!("{pack}-mutations-{MUTATIONS}-seed-{MUTATION_SEED}"),
            lines,
        });
    }
    sets
}

#[test]
fn reports_are_byte_identical_to_the_golden_digests() {
    let sets = sets();
    let mut actual = String::new();
    for s in &sets {
        let _ = writeln!(actual, "{} {} {}", s.name, s.lines.len(), s.digest());
    }
    if std::env::var_os("BAOKAO_BLESS").is_some() {
        std::fs::write(GOLDEN, &actual).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(GOLDEN).unwrap_or_default();
    if golden == actual {
        return;
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/golden");
    std::fs::create_dir_all(&out).unwrap();
    let mut changed = Vec::new();
    for (set, line) in sets.iter().zip(actual.lines()) {
        if !golden.lines().any(|g| g == line) {
            std::fs::write(
                out.join(format!("{}.jsonl", set.name)),
                set.lines.join("\n"),
            )
            .unwrap();
            changed.push(set.name.clone());
        }
    }
    panic!(
        "reports differ from tests/golden-reports.txt in {changed:?} (written to target/golden/);\n\
         expected:\n{golden}\nactual:\n{actual}"
    );
}
