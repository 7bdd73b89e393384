//! The benchmark fixtures: one set of applications shared by the Rust, Python and Node benches.
//!
//! - [`full_application`]: `examples/a-clinical-bachelor.json` of the 2024 pack, a complete,
//!   valid and eligible application (route R-LV-1, no rule fires). [`full_application_text`] is
//!   its compact JSON, the text every "parse one application" bench parses.
//! - [`generate`]: `n` varied applications, deterministic for a seed. Application `i` starts from
//!   the pack's example documents in turn — every `[[example]]` that is a whole application (no
//!   `step`) expected to be valid: the five files of `examples/` and the applications the pack's
//!   tests derive from them, eligible, conditional, ineligible or needing review. (The examples
//!   expected to be invalid are left out: they are edge cases of one rule each, and would make
//!   a third of the batch invalid.) Then it changes a few fields with its own [`SplitMix64`]
//!   stream:
//!   - mainland ID holders (`居民身份证`) get a new name and matching pinyin, a new mobile number
//!     and a new ID number: same region and birth month, a new birth day (copied into
//!     `basic.birth_date`), new sequence digits with the parity of `basic.gender`, and a GB 11643
//!     check character that is correct with probability [`VALID_ID_PERCENT`] % and wrong otherwise;
//!   - half the applications move their enrolment and graduation months back 0–2 years (same
//!     programme length; enrolment in August or September, graduation in June or July);
//!   - one in [`MAJOR_SWAP_ONE_IN`] takes a random major from the pack's `majors` table, which may
//!     be a valid basis, one that needs review, one for another category, or never valid.
//!
//! The result mixes valid and eligible forms, invalid forms (mostly a wrong ID check character)
//! and valid forms whose candidate is not eligible or needs review — more of the last than a real
//! sitting, as the pack's examples favour edge cases. The `gen-fixtures` binary prints the exact
//! mix, and `docs/benchmarks.md` records it for the default [`SEED`] and [`BATCH`].
//!
//! `gen-fixtures` writes the same set as JSON Lines (each line is `serde_json::to_string` of one
//! application, the text the Rust batch bench parses) plus `full.json`, so the Python and Node
//! benches measure exactly the same inputs.

use std::fmt;
use std::path::{Path, PathBuf};

use baokao::{Engine, Pack};
use serde_json::Value;

/// Seed of the shared fixture set.
pub const SEED: u64 = 2024;
/// Size of the shared batch.
pub const BATCH: usize = 10_000;
/// File name of the full application in the pack's `examples/` directory.
pub const FULL_APPLICATION: &str = "a-clinical-bachelor.json";
/// Percentage of regenerated mainland ID numbers given a correct check character.
pub const VALID_ID_PERCENT: u64 = 88;
/// One application in this many gets a random major from the `majors` table.
pub const MAJOR_SWAP_ONE_IN: u64 = 5;

/// Why a fixture could not be built.
#[derive(Debug)]
pub enum FixtureError {
    /// The pack did not load or compile.
    Engine(baokao::Error),
    /// A fixture file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A fixture is not valid JSON (or could not be written as JSON).
    Json {
        /// The file, or what was being serialised.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// The pack has no complete example application to start from.
    NoExamples,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FixtureError::Engine(e) => write!(f, "the pack did not load: {e}"),
            FixtureError::Io { path, source } => write!(f, "`{}`: {source}", path.display()),
            FixtureError::Json { path, source } => write!(f, "`{}`: {source}", path.display()),
            FixtureError::NoExamples => f.write_str("the pack has no complete example application"),
        }
    }
}

impl std::error::Error for FixtureError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            FixtureError::Engine(e) => Some(e),
            FixtureError::Io { source, .. } => Some(source),
            FixtureError::Json { source, .. } => Some(source),
            FixtureError::NoExamples => None,
        }
    }
}

impl From<baokao::Error> for FixtureError {
    fn from(e: baokao::Error) -> Self {
        FixtureError::Engine(e)
    }
}

/// Rules per file of a [`write_synthetic_pack`] pack (a file of 1,000 rules is about 190 KB).
pub const SYNTHETIC_RULES_PER_FILE: usize = 1_000;

/// Write a pack of `rules` trivial validation rules into `dir` (created; its TOML files are
/// replaced): one field, and rule `R-i` checking `basic.age > i` with a message quoting the
/// field — the shape of the issue-12 measurement of compile time against the rule count. The
/// rules go into files of [`SYNTHETIC_RULES_PER_FILE`], so every size stays within the loader's
/// per-file limit.
pub fn write_synthetic_pack(dir: &Path, rules: usize) -> Result<(), FixtureError> {
    use std::fmt::Write as _;
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| FixtureError::Io { path, source }
    };
    let rules_dir = dir.join("rules");
    if rules_dir.exists() {
        std::fs::remove_dir_all(&rules_dir).map_err(io(&rules_dir))?;
    }
    std::fs::create_dir_all(&rules_dir).map_err(io(&rules_dir))?;
    let pack = dir.join("pack.toml");
    std::fs::write(
        &pack,
        format!(
            "[pack]\nid = \"synthetic-{rules}\"\nversion = \"1.0.0\"\ntitle = {{ zh = \"合成\", en = \"Synthetic\" }}\n\n\
             [[step]]\nid = \"basic\"\ntitle = {{ zh = \"基本信息\", en = \"Basic\" }}\n\n\
             [[field]]\npath = \"basic.age\"\ntype = \"int\"\nlabel = {{ zh = \"年龄\", en = \"Age\" }}\n"
        ),
    )
    .map_err(io(&pack))?;
    for (file, start) in (0..rules).step_by(SYNTHETIC_RULES_PER_FILE).enumerate() {
        let mut text = String::new();
        for i in start..(start + SYNTHETIC_RULES_PER_FILE).min(rules) {
            let _ = write!(
                text,
                "[[rule]]\nid = \"R-{i}\"\nsummary = \"rule {i}\"\nseverity = \"error\"\n\
                 check = 'basic.age > {i}'\n\
                 message = {{ zh = \"年龄 {{basic.age}}\", en = \"age {{basic.age}}\" }}\n\
                 cite = \"test\"\nconfidence = \"H\"\n\n"
            );
        }
        let path = rules_dir.join(format!("rules-{file:03}.toml"));
        std::fs::write(&path, text).map_err(io(&path))?;
    }
    Ok(())
}

/// The pack of the work-limit tests (`tests/limits/work`): a pairwise check of a records field,
/// and three nested quantifiers over it that reach the work limit at 1,000 items.
pub fn work_pack_dir() -> PathBuf {
    workspace_dir().join("tests").join("limits").join("work")
}

/// An application of [`work_pack_dir`]'s pack with `n` distinct certificate numbers; `deep`
/// turns on the three nested quantifiers.
pub fn certificates(n: usize, deep: bool) -> Value {
    let records: Vec<Value> = (0..n)
        .map(|i| serde_json::json!({ "no": format!("N{i}") }))
        .collect();
    serde_json::json!({ "cert": { "deep": deep, "records": records } })
}

/// The workspace root (the parent of this crate).
pub fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// The 2024 rule pack: `rules/nmec-2024` in the workspace.
pub fn pack_dir() -> PathBuf {
    workspace_dir().join("rules").join("nmec-2024")
}

/// The engine compiled from [`pack_dir`].
pub fn engine() -> Result<Engine, baokao::Error> {
    Engine::from_dir(pack_dir())
}

/// The full application ([`FULL_APPLICATION`]), parsed.
pub fn full_application() -> Result<Value, FixtureError> {
    let path = pack_dir().join("examples").join(FULL_APPLICATION);
    let text = std::fs::read_to_string(&path).map_err(|source| FixtureError::Io {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| FixtureError::Json { path, source })
}

/// The full application as compact JSON: what `full.json` holds and the parse benches parse.
pub fn full_application_text() -> Result<String, FixtureError> {
    to_json(&full_application()?)
}

/// One application as compact JSON (one line of the JSON Lines fixture).
pub fn to_json(application: &Value) -> Result<String, FixtureError> {
    serde_json::to_string(application).map_err(|source| FixtureError::Json {
        path: PathBuf::from("<application>"),
        source,
    })
}

/// `n` varied applications for `seed`, derived from the pack at [`pack_dir`] (see the crate docs).
pub fn generate(n: usize, seed: u64) -> Result<Vec<Value>, FixtureError> {
    let engine = engine()?;
    generate_from(engine.pack(), n, seed)
}

/// `n` varied applications for `seed`, derived from `pack`'s complete examples and `majors` table.
///
/// Application `i` depends only on `seed`, `i` and the pack, so a shorter set is a prefix of a
/// longer one.
pub fn generate_from(pack: &Pack, n: usize, seed: u64) -> Result<Vec<Value>, FixtureError> {
    let bases: Vec<&Value> = pack
        .examples
        .iter()
        .filter(|e| e.step.is_none() && e.expect.valid == Some(true))
        .filter_map(|e| e.document.as_ref())
        .collect();
    if bases.is_empty() {
        return Err(FixtureError::NoExamples);
    }
    let majors: Vec<&str> = pack
        .tables
        .get("majors")
        .map(|t| {
            t.rows
                .iter()
                .filter_map(|row| row.first().and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let out = bases
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, base)| {
            let mut rng = SplitMix64::new(mix64(seed ^ mix64(i as u64 + 1)));
            let mut doc = (*base).clone();
            vary(&mut doc, &majors, &mut rng);
            doc
        })
        .collect();
    Ok(out)
}

/// A tiny, fast PRNG (Steele, Lea and Flood's SplitMix64): enough for varied fixtures, and
/// simple to reimplement in Python or JavaScript should a bench ever need to.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// The output function of `SplitMix64`, also used to derive a per-application seed.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN_GAMMA);
        mix64(self.state)
    }

    /// A number in `0..n` (`0` when `n` is 0). The modulo bias is negligible for small `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A random element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items.get(i)
    }
}

const SURNAMES: [(&str, &str); 20] = [
    ("王", "Wang"),
    ("李", "Li"),
    ("张", "Zhang"),
    ("刘", "Liu"),
    ("陈", "Chen"),
    ("杨", "Yang"),
    ("黄", "Huang"),
    ("赵", "Zhao"),
    ("吴", "Wu"),
    ("周", "Zhou"),
    ("徐", "Xu"),
    ("孙", "Sun"),
    ("马", "Ma"),
    ("朱", "Zhu"),
    ("胡", "Hu"),
    ("郭", "Guo"),
    ("何", "He"),
    ("林", "Lin"),
    ("罗", "Luo"),
    ("高", "Gao"),
];

const GIVEN: [(&str, &str); 24] = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀", "xiu"),
    ("霞", "xia"),
    ("平", "ping"),
    ("刚", "gang"),
    ("桂", "gui"),
    ("英", "ying"),
    ("华", "hua"),
    ("文", "wen"),
];

/// GB 11643 weights of the first 17 digits.
const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// GB 11643 check characters, indexed by the weighted sum modulo 11.
const ID_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character of the first 17 digits of `id` (`None` if they are not digits).
pub fn id_check_char(id: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (b, w) in id.bytes().zip(ID_WEIGHTS) {
        let d = char::from(b).to_digit(10)?;
        sum += d * w;
        count += 1;
    }
    if count != ID_WEIGHTS.len() {
        return None;
    }
    ID_CHECK.get((sum % 11) as usize).map(|&b| char::from(b))
}

fn text<'a>(doc: &'a Value, step: &str, field: &str) -> Option<&'a str> {
    doc.get(step)?.get(field)?.as_str()
}

fn set(doc: &mut Value, step: &str, field: &str, value: impl Into<Value>) {
    if let Some(obj) = doc.get_mut(step).and_then(Value::as_object_mut) {
        obj.insert(field.to_owned(), value.into());
    }
}

/// Apply the variations described in the crate docs to one application.
fn vary(doc: &mut Value, majors: &[&str], rng: &mut SplitMix64) {
    if text(doc, "basic", "id_type") == Some("居民身份证") {
        vary_person(doc, rng);
    }
    if rng.chance(50) {
        vary_education_dates(doc, rng);
    }
    if rng.below(MAJOR_SWAP_ONE_IN) == 0 {
        if let Some(major) = rng.pick(majors) {
            set(doc, "education", "major", *major);
        }
    }
}

/// New name, pinyin, mobile number, birth day and ID number for a mainland ID holder.
fn vary_person(doc: &mut Value, rng: &mut SplitMix64) {
    let (Some(&(surname, surname_py)), Some(&(g1, g1_py))) =
        (rng.pick(&SURNAMES), rng.pick(&GIVEN))
    else {
        return;
    };
    let mut name = format!("{surname}{g1}");
    let mut pinyin = format!("{surname_py} {}", capitalised(g1_py));
    if rng.chance(60) {
        if let Some(&(g2, g2_py)) = rng.pick(&GIVEN) {
            name.push_str(g2);
            pinyin.push_str(g2_py);
        }
    }
    set(doc, "basic", "name", name);
    set(doc, "basic", "name_pinyin", pinyin);

    if let Some(prefix) = text(doc, "basic", "mobile").and_then(|m| m.get(..3)) {
        let mobile = format!("{prefix}{:08}", rng.below(100_000_000));
        set(doc, "basic", "mobile", mobile);
    }

    let Some(id) = text(doc, "basic", "id_number").filter(|id| id.len() == 18) else {
        return;
    };
    let (Some(region), Some(year), Some(month)) = (id.get(..6), id.get(6..10), id.get(10..12))
    else {
        return;
    };
    let (region, year, month) = (region.to_owned(), year.to_owned(), month.to_owned());
    let male = match text(doc, "basic", "gender") {
        Some(g) => g == "男",
        None => id
            .get(16..17)
            .and_then(|d| d.parse::<u32>().ok())
            .is_some_and(|d| d % 2 == 1),
    };
    let day = 1 + rng.below(28);
    let sequence = rng.below(100);
    let gender_digit = 2 * rng.below(5) + u64::from(male);
    let first17 = format!("{region}{year}{month}{day:02}{sequence:02}{gender_digit}");
    let Some(correct) = id_check_char(&first17) else {
        return;
    };
    let check = if rng.chance(VALID_ID_PERCENT) {
        correct
    } else {
        // Any of the other ten check characters: the typo a candidate makes.
        let at = ID_CHECK
            .iter()
            .position(|&b| char::from(b) == correct)
            .unwrap_or(0);
        let wrong = (at as u64 + 1 + rng.below(10)) % 11;
        ID_CHECK
            .get(usize::try_from(wrong).unwrap_or(0))
            .map_or('0', |&b| char::from(b))
    };
    set(doc, "basic", "id_number", format!("{first17}{check}"));
    set(
        doc,
        "basic",
        "birth_date",
        format!("{year}-{month}-{day:02}"),
    );
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

/// Move enrolment and graduation back 0–2 years, keeping the programme length.
fn vary_education_dates(doc: &mut Value, rng: &mut SplitMix64) {
    let year = |m: Option<&str>| {
        m.and_then(|m| m.get(..4))
            .and_then(|y| y.parse::<u64>().ok())
    };
    let (Some(enrol), Some(grad)) = (
        year(text(doc, "education", "enrol_date")),
        year(text(doc, "education", "grad_date")),
    ) else {
        return;
    };
    let back = rng.below(3);
    let enrol_month = 8 + rng.below(2);
    let grad_month = 6 + rng.below(2);
    set(
        doc,
        "education",
        "enrol_date",
        format!("{}-{enrol_month:02}", enrol.saturating_sub(back)),
    );
    set(
        doc,
        "education",
        "grad_date",
        format!("{}-{grad_month:02}", grad.saturating_sub(back)),
    );
}

#[cfg(test)]
mod tests {
    #![expect(
        clippy::unwrap_used,
        reason = "a test that cannot load its fixtures fails"
    )]

    use super::*;

    /// The engine's own verdict on an ID number's check character (rule XF-01): an oracle
    /// independent of `id_check_char`.
    fn engine_accepts(engine: &Engine, id: &str) -> bool {
        let app = serde_json::json!({"basic": {"id_type": "居民身份证", "id_number": id}});
        let report = engine.validate_step("basic", &app).unwrap();
        !report
            .diagnostics
            .iter()
            .any(|d| &*d.code == "id_checksum_invalid")
    }

    #[test]
    fn check_char_matches_the_pack_examples() {
        // The examples' ID numbers were checked by hand (and by the pack's own tests).
        assert_eq!(id_check_char("430102199805140318"), Some('8'));
        assert_eq!(id_check_char("41030519950708035X"), Some('X'));
        let engine = engine().unwrap();
        assert!(engine_accepts(&engine, "41030519950708035X"));
        assert!(!engine_accepts(&engine, "410305199507080351"));
        assert_eq!(id_check_char("4301"), None);
    }

    #[test]
    fn generation_is_deterministic_and_prefix_stable() {
        let engine = engine().unwrap();
        let a = generate_from(engine.pack(), 200, SEED).unwrap();
        let b = generate_from(engine.pack(), 50, SEED).unwrap();
        let c = generate_from(engine.pack(), 200, SEED + 1).unwrap();
        assert_eq!(a.len(), 200);
        assert_eq!(a.get(..50).unwrap(), b.as_slice());
        assert_ne!(a, c);
    }

    #[test]
    fn generated_ids_are_mostly_valid_and_consistent() {
        let engine = engine().unwrap();
        let apps = generate(1_000, SEED).unwrap();
        let mut mainland = 0;
        let mut valid = 0;
        for app in &apps {
            let id = text(app, "basic", "id_number").unwrap_or("");
            if text(app, "basic", "id_type") != Some("居民身份证") || id.len() != 18 {
                continue;
            }
            mainland += 1;
            if engine_accepts(&engine, id) {
                valid += 1;
            }
            let birth = text(app, "basic", "birth_date").unwrap().replace('-', "");
            assert_eq!(id.get(6..14).unwrap(), birth);
        }
        assert!(mainland > 800, "{mainland}");
        let share = valid * 100 / mainland;
        assert!(
            (80..=95).contains(&share),
            "{share}% valid check characters"
        );
    }

    #[test]
    fn the_mix_has_every_kind_of_report() {
        let engine = engine().unwrap();
        let apps = generate_from(engine.pack(), 500, SEED).unwrap();
        let reports: Vec<_> = apps.iter().map(|a| engine.validate(a).unwrap()).collect();
        let invalid = reports.iter().filter(|r| !r.valid).count();
        let ineligible = reports
            .iter()
            .filter(|r| r.eligibility.outcome == baokao::Outcome::Ineligible)
            .count();
        let ok = reports.iter().filter(|r| r.is_ok()).count();
        assert!(
            invalid >= 25 && ineligible >= 25 && ok >= 150,
            "{invalid} {ineligible} {ok}"
        );
    }
}
