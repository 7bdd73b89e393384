//! Unbounded costs from packs (issue 12): what a pack from a shared drive or a CDN can make the
//! engine do is bounded, and every refusal is a coded error.
//!
//! - pack directories: regular files only, per-file, per-pack and per-walk limits, `extends` and
//!   example applications inside the pack roots, example documents bounded;
//! - bundles: a size limit checked before parsing, and the digest a caller pins;
//! - validation: the per-document work limit.
//!
//! The broken packs that fit in the repository are in `tests/errors/` (checked by `errors.rs`);
//! these cases build theirs in a scratch directory: FIFOs, links to devices, large files.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use baokao::{
    Bundle, Engine, Error, LoadOptions, Options, DEFAULT_WORK_LIMIT, MAX_BUNDLE_BYTES,
    MAX_EXAMPLE_BYTES, MAX_FILE_BYTES, MAX_PACK_BYTES, MAX_PACK_ENTRIES,
};

fn tests_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn minimal() -> PathBuf {
    tests_root().join("fixtures").join("minimal")
}

/// A fresh directory of its own for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("baokao-limits-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// A copy of the minimal fixture pack at `<scratch>/<name>`.
    fn pack(&self, name: &str) -> PathBuf {
        let dir = self.0.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(minimal()).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
        }
        dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A file of a pack as errors name it: the path the loader read (the scratch paths have no `..`
/// to resolve).
fn file(pack: &Path, name: &str) -> String {
    pack.join(name).to_string_lossy().replace('\\', "/")
}

fn load_code(result: Result<Engine, Error>) -> String {
    match result {
        Ok(_) => "loaded".to_owned(),
        Err(e) => e.code().to_owned(),
    }
}

fn load_err(result: Result<Engine, Error>) -> baokao::LoadError {
    match result {
        Err(Error::Load(e)) => e,
        Err(other) => panic!("expected a load error, got {other}"),
        Ok(_) => panic!("expected a load error, the pack loaded"),
    }
}

/// A TOML comment of `bytes` bytes: a file of that size that is a valid (empty) pack file.
fn comment(bytes: u64) -> String {
    let mut s = String::with_capacity(usize::try_from(bytes).unwrap());
    while (s.len() as u64) + 81 <= bytes {
        s.push('#');
        s.push_str(&"x".repeat(79));
        s.push('\n');
    }
    while (s.len() as u64) < bytes {
        s.push('#');
    }
    s
}

// ---- pack directories: regular files only --------------------------------------------------

#[cfg(unix)]
#[test]
fn a_fifo_among_the_pack_files_is_refused_not_waited_on() {
    let scratch = Scratch::new("fifo");
    let pack = scratch.pack("pack");
    let fifo = pack.join("zz.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
    // Before: opening the FIFO blocked forever.
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "not_a_file", "{e}");
    assert_eq!(e.loc().unwrap().file, file(&pack, "zz.toml"));
}

#[cfg(unix)]
#[test]
fn a_link_to_a_device_is_refused_not_read_until_memory_runs_out() {
    let scratch = Scratch::new("zero");
    let pack = scratch.pack("pack");
    std::os::unix::fs::symlink("/dev/zero", pack.join("zz.toml")).unwrap();
    // By default the link leads out of the pack root.
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "path_outside_root", "{e}");
    assert_eq!(e.loc().unwrap().file, file(&pack, "zz.toml"));
    // Allowed to lead into /dev, it is still not a regular file. Before: read until out of memory.
    let options = LoadOptions::default().with_pack_root("/dev");
    let e = load_err(Engine::from_dir_with(&pack, &options));
    assert_eq!(e.code(), "not_a_file", "{e}");
}

#[cfg(unix)]
#[test]
fn a_link_to_a_regular_file_inside_the_root_is_read() {
    let scratch = Scratch::new("link-ok");
    let pack = scratch.pack("pack");
    std::fs::rename(pack.join("rules.toml"), scratch.0.join("shared-rules.toml")).unwrap();
    std::os::unix::fs::symlink("../shared-rules.toml", pack.join("rules.toml")).unwrap();
    let engine = Engine::from_dir(&pack).expect("a link inside the pack root is followed");
    assert!(!engine.pack().rules.is_empty());
}

#[cfg(unix)]
#[test]
fn a_bundle_file_that_is_a_device_is_refused() {
    let scratch = Scratch::new("bundle-zero");
    let link = scratch.0.join("pack.bundle.json");
    std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
    // Before: `from_path` read /dev/zero until memory ran out.
    assert_eq!(load_code(Engine::from_path(&link)), "not_a_file");
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_its_line() {
    let scratch = Scratch::new("utf8");
    let pack = scratch.pack("pack");
    std::fs::write(
        pack.join("zz.toml"),
        b"# fine\n# also fine\n# not \xff fine\n",
    )
    .unwrap();
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "not_utf8", "{e}");
    let loc = e.loc().unwrap();
    let want = (file(&pack, "zz.toml"), 3, 7);
    assert_eq!((loc.file.clone(), loc.line, loc.column), want);
}

// ---- pack directories: sizes and counts ---------------------------------------------------

#[test]
fn a_file_over_the_per_file_limit_is_refused() {
    let scratch = Scratch::new("file-size");
    let pack = scratch.pack("pack");
    std::fs::write(pack.join("big.toml"), comment(MAX_FILE_BYTES + 1)).unwrap();
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "file_too_large", "{e}");
    assert_eq!(e.loc().unwrap().file, file(&pack, "big.toml"));
    // At the limit it is read.
    std::fs::write(pack.join("big.toml"), comment(MAX_FILE_BYTES)).unwrap();
    Engine::from_dir(&pack).expect("a file at the limit loads");
}

#[test]
fn files_over_the_total_limit_are_refused() {
    let scratch = Scratch::new("pack-size");
    let pack = scratch.pack("pack");
    // Each file is within the per-file limit; together they exceed the pack's.
    let n = MAX_PACK_BYTES / MAX_FILE_BYTES + 1;
    for i in 0..n {
        std::fs::write(pack.join(format!("big-{i}.toml")), comment(MAX_FILE_BYTES)).unwrap();
    }
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "pack_too_large", "{e}");
    assert!(
        e.loc().unwrap().file.starts_with(&file(&pack, "big-")),
        "{e}"
    );
}

#[test]
fn more_entries_than_the_walk_limit_are_refused() {
    let scratch = Scratch::new("entries");
    let pack = scratch.pack("pack");
    let dir = pack.join("many");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..MAX_PACK_ENTRIES {
        std::fs::write(dir.join(format!("{i}.txt")), "").unwrap();
    }
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "too_many_files", "{e}");
}

#[test]
fn example_documents_are_bounded_in_total() {
    let scratch = Scratch::new("examples");
    let pack = scratch.pack("pack");
    // One application of ~64 KiB, and enough examples based on it to exceed the budget: each
    // example holds its own copy of the document.
    let mut app: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("valid.json")).unwrap()).unwrap();
    app["basic"]["note"] = serde_json::Value::String("x".repeat(64 * 1024));
    std::fs::write(pack.join("big.json"), app.to_string()).unwrap();
    let copies = MAX_EXAMPLE_BYTES / (64 * 1024) + 1;
    let mut toml =
        String::from("[[example]]\nname = \"big\"\napplication = \"big.json\"\nexpect = {}\n");
    for i in 0..copies {
        writeln!(
            toml,
            "[[example]]\nname = \"copy-{i}\"\nbase = \"big\"\nexpect = {{}}"
        )
        .unwrap();
    }
    std::fs::write(pack.join("many-examples.toml"), toml).unwrap();
    // Before: every copy was made (memory grows with examples x document size).
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "pack_too_large", "{e}");
    assert_eq!(e.loc().unwrap().file, file(&pack, "many-examples.toml"));
    assert!(e.loc().unwrap().line > 0, "{e}");
}

#[test]
fn examples_may_build_on_examples_declared_later_in_a_long_chain() {
    // The resolution walks the chain once (it used to pass over the examples left until none
    // was: quadratic). Declared in reverse order: e0 is based on e1, … on e(n-1).
    let scratch = Scratch::new("chain");
    let pack = scratch.pack("pack");
    let n = 2_000;
    let mut toml = String::new();
    for i in 0..n - 1 {
        writeln!(
            toml,
            "[[example]]\nname = \"e{i}\"\nbase = \"e{}\"\nset = {{ \"exam.years\" = {} }}\nexpect = {{}}",
            i + 1,
            i % 50
        )
        .unwrap();
    }
    writeln!(
        toml,
        "[[example]]\nname = \"e{}\"\napplication = \"valid.json\"\nexpect = {{}}",
        n - 1
    )
    .unwrap();
    std::fs::write(pack.join("chain.toml"), toml).unwrap();
    let engine = Engine::from_dir(&pack).expect("the chain resolves");
    let examples = &engine.pack().examples;
    let chain: Vec<&str> = examples
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| n.starts_with('e'))
        .collect();
    // The order the loader has always given: the base last declared first, then each example
    // one pass after its base.
    let expected: Vec<String> = (0..n).rev().map(|i| format!("e{i}")).collect();
    assert_eq!(chain, expected);
    let e0 = examples.iter().find(|e| e.name == "e0").unwrap();
    assert_eq!(e0.document.as_ref().unwrap()["exam"]["years"], 0);
}

#[test]
fn example_cycles_name_the_examples_and_the_place() {
    let scratch = Scratch::new("cycle");
    let pack = scratch.pack("pack");
    std::fs::write(
        pack.join("cycle.toml"),
        "[[example]]\nname = \"a\"\nbase = \"b\"\nexpect = {}\n\n[[example]]\nname = \"b\"\nbase = \"a\"\nexpect = {}\n",
    )
    .unwrap();
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "example_cycle", "{e}");
    // At the `base` of the first example the message names.
    let loc = e.loc().unwrap();
    let want = (file(&pack, "cycle.toml"), 3, 9);
    assert_eq!((loc.file.clone(), loc.line, loc.column), want, "{e}");
    assert!(e.to_string().contains("a, b"), "{e}");
}

// ---- pack directories: pack roots ---------------------------------------------------------

#[test]
fn extends_to_an_absolute_path_is_refused_before_it_is_read() {
    let scratch = Scratch::new("absolute");
    let pack = scratch.pack("pack");
    let text = std::fs::read_to_string(pack.join("pack.toml")).unwrap();
    let text = text.replacen("title = {", "extends = \"/usr/share\"\ntitle = {", 1);
    std::fs::write(pack.join("pack.toml"), text).unwrap();
    // Before: the loader walked /usr/share looking for TOML files.
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "path_outside_root", "{e}");
    let loc = e.loc().unwrap();
    assert_eq!(loc.file, file(&pack, "pack.toml"));
    assert!(loc.line > 0, "{e}");
}

#[test]
fn a_caller_may_allow_another_pack_root() {
    let dir = tests_root()
        .join("errors")
        .join("extends_outside_root")
        .join("pack");
    assert_eq!(load_code(Engine::from_dir(&dir)), "path_outside_root");
    let options = LoadOptions::default().with_pack_root(tests_root().join("fixtures"));
    let engine = Engine::from_dir_with(&dir, &options).expect("the allowed root is read");
    assert_eq!(engine.pack().pack.lineage, ["minimal"]);
}

#[test]
fn example_applications_stay_inside_the_pack_root() {
    let scratch = Scratch::new("app-outside");
    let pack = scratch.pack("pack");
    let outside = Scratch::new("app-outside-target");
    std::fs::copy(pack.join("valid.json"), outside.0.join("app.json")).unwrap();
    let app = outside.0.join("app.json");
    std::fs::write(
        pack.join("outside.toml"),
        format!(
            "[[example]]\nname = \"outside\"\napplication = \"{}\"\nexpect = {{}}\n",
            app.display()
        ),
    )
    .unwrap();
    let e = load_err(Engine::from_dir(&pack));
    assert_eq!(e.code(), "path_outside_root", "{e}");
    // At the `application` that leads outside.
    assert_eq!(
        (e.loc().unwrap().file.clone(), e.loc().unwrap().line),
        (file(&pack, "outside.toml"), 3)
    );
    let options = LoadOptions::default().with_pack_root(&outside.0);
    Engine::from_dir_with(&pack, &options).expect("allowed");
}

#[test]
fn shipped_overlays_stay_inside_rules() {
    // The default root is the directory that holds the pack directory: `rules/` for the
    // provincial overlays, which extend `../nmec-2024`.
    let rules = tests_root().join("..").join("rules");
    for overlay in ["nmec-2024-hunan", "nmec-2024-beijing"] {
        Engine::from_dir(rules.join(overlay)).expect("an overlay loads by default");
    }
}

// ---- bundles ------------------------------------------------------------------------------

#[test]
fn a_bundle_over_the_limit_is_refused_before_parsing() {
    // Not even JSON: refused on its size alone, before any parsing.
    let text = " ".repeat(MAX_BUNDLE_BYTES + 1);
    let e = load_err(Engine::from_bundle(&text));
    assert_eq!(e.code(), "bundle_too_large", "{e}");
    let scratch = Scratch::new("bundle-size");
    let file = scratch.0.join("big.bundle.json");
    std::fs::write(&file, &text).unwrap();
    assert_eq!(load_code(Engine::from_path(&file)), "bundle_too_large");
}

/// The minimal pack with rule M-BIRTH's check made `true`, bundled again: its digest recomputed,
/// so the bundle is self-consistent.
fn edited_bundle() -> (String, String) {
    let engine = Engine::from_dir(minimal()).unwrap();
    let original = engine.bundle(false);
    let mut pack = original.pack.clone();
    let rule = pack.rules.iter_mut().find(|r| r.id == "M-BIRTH").unwrap();
    rule.check = Some(baokao::model::Source::new("true"));
    let edited = Bundle::new(&pack, false);
    assert_ne!(edited.digest, original.digest);
    (edited.to_json(), original.digest)
}

#[test]
fn a_pinned_digest_refuses_an_edited_bundle_with_a_recomputed_digest() {
    let (edited, pinned) = edited_bundle();
    // Unpinned, the edited bundle loads: its own digest proves nothing.
    Engine::from_bundle(&edited).expect("self-consistent");
    let options = LoadOptions::default().with_digest(&pinned);
    let e = load_err(Engine::from_bundle_with(&edited, &options));
    assert_eq!(e.code(), "digest_mismatch");
    let message = e.to_string();
    assert!(message.contains(&pinned), "{message}");
    let actual = Bundle::from_json(&edited).unwrap().digest;
    assert!(message.contains(&actual), "{message}");
}

#[test]
fn a_pinned_digest_accepts_the_pack_it_names_from_a_bundle_or_a_directory() {
    let engine = Engine::from_dir(minimal()).unwrap();
    let digest = engine.info().digest.to_string();
    let bundle = engine.bundle(false).to_json();
    let options = LoadOptions::default().with_digest(&digest);
    Engine::from_bundle_with(&bundle, &options).expect("the pinned bundle loads");
    Engine::from_dir_with(minimal(), &options).expect("the pinned directory loads");
    // Upper-case hex names the same digest.
    let upper = format!("sha256:{}", digest["sha256:".len()..].to_uppercase());
    Engine::from_bundle_with(&bundle, &LoadOptions::default().with_digest(upper)).unwrap();
    // Another digest refuses the directory too.
    let other = format!("sha256:{}", "0".repeat(64));
    let wrong = LoadOptions::default().with_digest(other);
    assert_eq!(
        load_code(Engine::from_dir_with(minimal(), &wrong)),
        "digest_mismatch"
    );
    assert_eq!(
        load_code(Engine::from_path_with(minimal(), &wrong)),
        "digest_mismatch"
    );
}

#[test]
fn a_malformed_expected_digest_is_its_own_error() {
    let bundle = Engine::from_dir(minimal()).unwrap().bundle(false).to_json();
    for bad in ["", "sha256:", "abc", "sha256:xyz", "md5:0123"] {
        let options = LoadOptions::default().with_digest(bad);
        assert_eq!(
            load_code(Engine::from_bundle_with(&bundle, &options)),
            "invalid_digest",
            "{bad:?}"
        );
    }
}

// ---- validation: the work limit -----------------------------------------------------------

fn work_engine() -> Engine {
    Engine::from_dir(tests_root().join("limits").join("work")).unwrap()
}

/// `cert.records` with `n` distinct numbers; `deep` turns on the three nested quantifiers.
fn certificates(n: usize, deep: bool) -> serde_json::Value {
    let records: Vec<serde_json::Value> = (0..n)
        .map(|i| serde_json::json!({ "no": format!("N{i}") }))
        .collect();
    serde_json::json!({ "cert": { "deep": deep, "records": records } })
}

#[test]
fn nested_quantifiers_over_long_lists_reach_the_work_limit() {
    let engine = work_engine();
    // Before: 10^9 item visits, about 40 s of a release build, and then `valid`.
    let doc = certificates(1000, true);
    for options in [
        Options::default(),
        Options::default().with_explain(true),
        Options::default().with_step("cert"),
    ] {
        match engine.run(&doc, &options) {
            Err(Error::Application(e)) => {
                assert_eq!(e.code(), "work_limit_exceeded");
                assert!(e.to_string().contains("W-TRIPLE"), "{e}");
            }
            other => panic!("expected work_limit_exceeded, got {other:?}"),
        }
    }
    assert!(!engine.is_valid(&doc));
}

/// The work pack with a field `cert.note` required when the three nested quantifiers hold.
fn work_pack_with_a_costly_required_when(scratch: &Scratch) -> Engine {
    let pack = scratch.0.join("work");
    std::fs::create_dir_all(&pack).unwrap();
    for name in ["pack.toml", "three.json"] {
        let from = tests_root().join("limits").join("work").join(name);
        std::fs::copy(from, pack.join(name)).unwrap();
    }
    std::fs::write(
        pack.join("note.toml"),
        r#"[[field]]
path = "cert.note"
type = "text"
label = { zh = "备注", en = "Note" }
required_when = 'cert.deep and all(a in cert.records, all(b in cert.records, all(c in cert.records, a.no != "" or b.no != "" or c.no != "")))'
"#,
    )
    .unwrap();
    Engine::from_dir(&pack).unwrap()
}

#[test]
fn the_form_state_and_a_field_check_have_the_work_limit_too() {
    let scratch = Scratch::new("form-state-work");
    let engine = work_pack_with_a_costly_required_when(&scratch);
    // A small document: the note is required, nothing runs out.
    let state = engine.form_state(&certificates(3, true)).unwrap();
    assert!(
        state.required.iter().any(|p| p == "/cert/note"),
        "{state:?}"
    );
    // 1,000 records: the condition would visit 10^9 items; the form state stops at the limit,
    // naming the field, instead of answering after 40 s (or, cut short, saying it is not required).
    let deep = certificates(1000, true);
    let e = engine.form_state(&deep).unwrap_err();
    assert_eq!(e.code(), "work_limit_exceeded");
    assert!(e.to_string().contains("cert.note"), "{e}");
    let e = engine
        .validate_field("cert.note", &deep, baokao::Lang::Zh)
        .unwrap_err();
    assert_eq!(e.code(), "work_limit_exceeded");
}

#[test]
fn a_pairwise_check_of_the_longest_list_fits_the_default_limit() {
    let engine = work_engine();
    let doc = certificates(1000, false);
    let report = engine
        .run(&doc, &Options::default())
        .expect("within the limit");
    assert!(report.valid, "{:?}", report.diagnostics);
    // The same document under a smaller budget: the work is counted.
    let small = Options::default().with_work_limit(DEFAULT_WORK_LIMIT / 10);
    let e = engine.run(&doc, &small).unwrap_err();
    assert_eq!(e.code(), "work_limit_exceeded");
    assert!(e.to_string().contains("W-UNIQUE"), "{e}");
}

#[test]
fn shipped_packs_use_a_thousandth_of_the_default_limit() {
    // The default leaves the shipped packs a margin of over 1,000: every example of every pack
    // validates within DEFAULT_WORK_LIMIT / 1000 (they use at most a few hundred units).
    let options = Options::default().with_work_limit(DEFAULT_WORK_LIMIT / 1000);
    let rules = tests_root().join("..").join("rules");
    let mut checked = 0;
    for entry in std::fs::read_dir(&rules).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.join("pack.toml").is_file() {
            continue;
        }
        let engine = Engine::from_dir(&dir).unwrap();
        for e in &engine.pack().examples {
            let mut options = options.clone();
            options.step.clone_from(&e.step);
            let doc = e.document.as_ref().unwrap();
            if let Err(err) = engine.run(doc, &options) {
                panic!("{} example `{}`: {err}", dir.display(), e.name);
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked} examples");
}
