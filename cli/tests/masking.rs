//! The command line never shows a masked field beyond its mask: seeded random ID numbers, passwords
//! and recovery answers go through `check` and `explain` in text and JSON, both languages, whole and
//! by step, including lines that cannot be read. No run of 6 or more consecutive characters of a
//! secret may appear (also after removing `-`: an ID's birth date shown as `1998-05-14`), beyond
//! the documented mask (`430***********0318`); runs that the same commands print for the same
//! applications without the secrets are not the secrets' and are not counted.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

const PACK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../rules/nmec-2024");
const RUN: usize = 6;

/// xorshift64*: a seeded generator, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    fn text(&mut self, alphabet: &[char], min: u64, max: u64) -> String {
        let n = min + self.below(max - min);
        (0..n).map(|_| *self.pick(alphabet)).collect()
    }
}

fn id_number(r: &mut Rng) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let digits = format!(
        "{}{:04}{:04}{:02}{:02}{:03}",
        r.pick(&["11", "31", "37", "44", "51", "65", "81", "99"]),
        r.below(10_000),
        1940 + r.below(70),
        1 + r.below(12),
        1 + r.below(28),
        r.below(1000)
    );
    let sum: u32 = digits
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let good = "10X98765432".chars().nth((sum % 11) as usize).unwrap();
    let check = if r.below(10) < 7 {
        good
    } else if good == '0' {
        '1'
    } else {
        '0'
    };
    format!("{digits}{check}")
}

struct Case {
    secrets: [String; 3],
    id_type: &'static str,
    gender: &'static str,
    birth_date: String,
}

fn case(r: &mut Rng) -> Case {
    let alnum: Vec<char> = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
        .chars()
        .collect();
    let mut answer_chars: Vec<char> = (0x4e00..0x4e00 + 400).filter_map(char::from_u32).collect();
    answer_chars.extend(&alnum);
    let mut password_chars = alnum.clone();
    if r.below(10) < 3 {
        password_chars.extend("_!@#.-".chars());
    }
    Case {
        secrets: [
            id_number(r),
            r.text(&password_chars, 6, 25),
            r.text(&answer_chars, 6, 41),
        ],
        id_type: ID_TYPES[r.below(ID_TYPES.len() as u64) as usize],
        gender: ["男", "女"][r.below(2) as usize],
        birth_date: format!(
            "{}-{:02}-{:02}",
            1950 + r.below(55),
            1 + r.below(12),
            1 + r.below(28)
        ),
    }
}

const ID_TYPES: [&str; 4] = ["居民身份证", "居民身份证", "港澳台居民居住证", "外籍护照"];

const FIELDS: [(&str, &str); 3] = [
    ("basic", "id_number"),
    ("account", "password"),
    ("account", "recovery_answer"),
];

fn application(c: &Case, with_secrets: bool) -> serde_json::Value {
    let text =
        std::fs::read_to_string(format!("{PACK}/examples/a-clinical-bachelor.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["basic"]["id_type"] = c.id_type.into();
    doc["basic"]["gender"] = c.gender.into();
    doc["basic"]["birth_date"] = c.birth_date.as_str().into();
    for ((step, key), secret) in FIELDS.iter().zip(&c.secrets) {
        let fields = doc[step].as_object_mut().unwrap();
        if with_secrets {
            fields.insert((*key).to_owned(), secret.as_str().into());
        } else {
            fields.remove(*key);
        }
    }
    doc
}

/// JSON Lines of the cases' applications, then lines cut just after each password (unreadable).
fn lines(cases: &[Case], with_secrets: bool) -> String {
    let mut out = String::new();
    for c in cases {
        out.push_str(&application(c, with_secrets).to_string());
        out.push('\n');
    }
    for c in cases.iter().take(4) {
        let text = application(c, with_secrets).to_string();
        let cut = match text.find(c.secrets[1].as_str()) {
            Some(at) => text[..at + c.secrets[1].len()].to_owned(),
            None => "{\"account\": {".to_owned(),
        };
        out.push_str(&cut);
        out.push('\n');
    }
    out
}

/// Everything `check` and `explain` print (stdout and stderr) for the JSON Lines on stdin.
fn outputs(stdin: &str) -> String {
    let mut all = String::new();
    for args in [
        &["check", "--lang", "zh", "--explain"][..],
        &["check", "--lang", "en", "--format", "json", "--explain"],
        &["check", "--step", "basic", "--format", "json"],
        &["check", "--step", "account", "--lang", "en"],
        &["explain", "--lang", "en"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_baokao"))
            .args(args)
            .args(["--pack", PACK, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        all.push_str(&String::from_utf8_lossy(&out.stdout));
        all.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    all
}

fn leaks(secret: &str, text: &str) -> BTreeSet<String> {
    let chars: Vec<char> = secret.chars().collect();
    let views = [text.to_owned(), text.replace('-', "")];
    chars
        .windows(RUN)
        .map(|w| w.iter().collect::<String>())
        .filter(|r| views.iter().any(|v| v.contains(r.as_str())))
        .collect()
}

#[test]
fn no_run_of_a_masked_value_leaves_the_command_line() {
    let mut r = Rng(0x1998_0514_0318_4301);
    let cases: Vec<Case> = (0..16).map(|_| case(&mut r)).collect();
    let shown = outputs(&lines(&cases, true));
    let baseline = outputs(&lines(&cases, false));
    assert!(shown.contains("trace"), "the trace is printed");
    for c in &cases {
        for secret in &c.secrets {
            let found: Vec<String> = leaks(secret, &shown)
                .difference(&leaks(secret, &baseline))
                .cloned()
                .collect();
            assert!(
                found.is_empty(),
                "runs {found:?} of the masked value `{secret}` appear in the CLI's output"
            );
        }
    }
}
