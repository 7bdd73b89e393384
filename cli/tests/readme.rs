//! The README's command lines run as shown: every `baokao …` line of its `bash` code blocks, in a
//! directory holding the files they name (`app.json`, `partial.json`, `batch.jsonl`, `export.jsonl` in GB18030), and every
//! `make` target it names exists in the Makefile (running `make test` from a test would recurse).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::Path;
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The lines of the README's `bash` code blocks, without their comments.
fn bash_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).unwrap();
    let mut lines = Vec::new();
    let mut inside = false;
    for line in readme.lines() {
        match (inside, line.trim_end()) {
            (false, "```bash") => inside = true,
            (true, "```") => inside = false,
            (true, l) => {
                let code = l.split(" #").next().unwrap_or("").trim();
                if !code.is_empty() && !code.starts_with('#') {
                    lines.push(code.to_owned());
                }
            }
            _ => {}
        }
    }
    lines
}

#[test]
fn the_readmes_baokao_commands_run() {
    let dir = std::env::temp_dir().join(format!("baokao-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let examples = Path::new(ROOT).join("rules/nmec-2024/examples");
    let app = std::fs::read_to_string(examples.join("a-clinical-bachelor.json")).unwrap();
    std::fs::write(dir.join("app.json"), &app).unwrap();
    let whole: serde_json::Value = serde_json::from_str(&app).unwrap();
    let partial = serde_json::json!({"basic": whole["basic"]});
    std::fs::write(dir.join("partial.json"), partial.to_string()).unwrap();
    let batch = ["a-clinical-bachelor.json", "c-nursing-ineligible.json"]
        .map(|f| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(examples.join(f)).unwrap()).unwrap();
            v.to_string()
        })
        .join("\n");
    // The same batch as a GB18030 export, as provincial systems write them.
    let (gb, _, unmappable) = encoding_rs::GB18030.encode(&batch);
    assert!(!unmappable);
    std::fs::write(dir.join("export.jsonl"), &gb).unwrap();
    std::fs::write(dir.join("batch.jsonl"), batch).unwrap();

    let mut ran = 0;
    for line in bash_lines().iter().filter(|l| l.starts_with("baokao ")) {
        // `> FILE` at the end of a line redirects its output, as the shell would.
        let (command, redirect) = match line.split_once(" > ") {
            Some((c, f)) => (c, Some(f.trim())),
            None => (line.as_str(), None),
        };
        let args: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(|a| {
                a.strip_prefix("rules/")
                    .map_or_else(|| a.to_owned(), |rest| format!("{ROOT}/rules/{rest}"))
            })
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_baokao"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        // 0 or 1 (an application not valid and eligible) are answers; 2 is a usage or load error.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "`{line}` exited {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !out.stdout.is_empty() || args.iter().any(|a| a == "-o"),
            "`{line}` printed nothing"
        );
        if let Some(file) = redirect {
            std::fs::write(dir.join(file), &out.stdout).unwrap();
        }
        ran += 1;
    }
    assert!(dir.join("notice.html").exists(), "the notice was written");
    let diff: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("diff.json")).unwrap()).unwrap();
    assert!(diff.is_object(), "the diff was written as JSON");
    assert!(
        dir.join("nmec-2024.bundle.json").exists(),
        "the bundle was written"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(ran >= 10, "ran {ran} commands");
}

#[test]
fn the_readmes_make_targets_exist() {
    let makefile = std::fs::read_to_string(format!("{ROOT}/Makefile")).unwrap();
    let targets: Vec<&str> = makefile
        .lines()
        .filter_map(|l| l.split_once(':').map(|(t, _)| t))
        .filter(|t| !t.starts_with(['\t', '#', '.']) && !t.contains(' '))
        .collect();
    let named: Vec<String> = bash_lines()
        .iter()
        .filter_map(|l| l.strip_prefix("make ").map(|t| t.trim().to_owned()))
        .collect();
    assert!(named.len() >= 3, "{named:?}");
    for target in named {
        assert!(
            targets.contains(&target.as_str()),
            "`make {target}`: no such target in {targets:?}"
        );
    }
}
