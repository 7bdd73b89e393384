//! The printable registration success notice (`Engine::notice`): what it shows, what it refuses, and
//! that it is a self-contained page whose text is escaped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests"
)]

use std::path::{Path, PathBuf};

use baokao::{ApplicationError, Engine, Error, Lang};

fn pack_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/nmec-2024")
}

fn example(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(pack_dir().join("examples").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn engine() -> Engine {
    Engine::from_dir(pack_dir()).unwrap()
}

#[test]
fn a_conditional_candidates_notice_has_the_route_in_words_the_condition_and_the_checklist() {
    let app = example("b-trial-conditional.json");
    let html = engine().notice(&app, Lang::Zh).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // The route in words (the route table's label), never only the id.
    assert!(
        html.contains("本科及以上医学学历，试用期满一年，报考执业医师"),
        "{html}"
    );
    // The condition with its due date (spec R-TR-3: the pass certificate by 08-31).
    assert!(html.contains("有条件符合报考条件"));
    assert!(html.contains("截止日期：2024-08-31"));
    // The materials a first-eligible-year graduate brings (spec §c Steps 10-11), with tick boxes.
    assert!(html.contains("data-material=\"commitment-letter\""));
    assert!(html.contains("《应届医学专业毕业生报考承诺书》"));
    assert!(html.contains("class=\"box\""));
    // The review window from the pack's parameters, and the pack that decided.
    assert!(html.contains("2024-02-21至2024-03-05"));
    assert!(html.contains("nmec-2024 2024.2.0"));
    assert!(html.contains("sha256:"));
    // The data as captured, the ID masked; exam area in words.
    assert!(html.contains("420***********0247"));
    assert!(!html.contains("420106199911030247"));
    assert!(html.contains("湖北省（420000）"));
    // Self-contained: print styles, no script, no external resource.
    assert!(html.contains("@page{size:A4"));
    for banned in ["<script", "src=", "href=", "@import", "url("] {
        assert!(!html.contains(banned), "the notice contains `{banned}`");
    }
}

#[test]
fn the_notice_speaks_english_too() {
    let app = example("d-assistant-upgrade.json");
    let html = engine().notice(&app, Lang::En).unwrap();
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains(
        "a junior-college diploma and two years of practice as a licensed assistant, for the practitioner exam"
    ));
    assert!(html.contains("practice-period assessment certificate"));
}

#[test]
fn text_from_the_application_is_escaped() {
    let mut app = example("a-clinical-bachelor.json");
    app["basic"]["address"] = serde_json::json!("<script>alert(1)</script>&\"'");
    app["work"]["work_unit"] = serde_json::json!("<img src=x onerror=alert(1)>医院");
    let html = engine().notice(&app, Lang::Zh).unwrap();
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<img"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;医院"));
}

fn refusal(app: &serde_json::Value) -> (bool, &'static str, String) {
    match engine().notice(app, Lang::Zh) {
        Err(Error::Application(ApplicationError::NoticeRefused {
            valid,
            outcome,
            reasons,
        })) => (valid, outcome, reasons),
        other => panic!("expected notice_refused, got {other:?}"),
    }
}

#[test]
fn no_notice_for_an_ineligible_invalid_or_undetermined_application() {
    // Ineligible: a nursing diploma (R-EDU-0).
    let (valid, outcome, reasons) = refusal(&example("c-nursing-ineligible.json"));
    assert!(valid);
    assert_eq!(outcome, "ineligible");
    assert!(reasons.contains("R-EDU-0"), "{reasons}");
    // Invalid: a wrong check character (XF-01), though eligible.
    let mut app = example("a-clinical-bachelor.json");
    app["basic"]["id_number"] = serde_json::json!("430102199805140319");
    let (valid, outcome, reasons) = refusal(&app);
    assert!(!valid);
    assert_eq!(outcome, "eligible");
    assert!(reasons.contains("XF-01"), "{reasons}");
    // Undetermined: the education step is missing.
    let mut app = example("a-clinical-bachelor.json");
    app.as_object_mut().unwrap().remove("education");
    let (_, outcome, _) = refusal(&app);
    assert_eq!(outcome, "undetermined");
    let e = engine().notice(&app, Lang::Zh).unwrap_err();
    assert_eq!(e.code(), "notice_refused");
}

#[test]
fn a_candidate_for_review_gets_a_notice_with_the_questions() {
    // 西学中 without the course certificate: the reviewer checks proof (a) or (b) of R-CAT-5.
    let mut app = example("a-clinical-bachelor.json");
    app["exam"]["category"] = serde_json::json!("中西医结合");
    app["work"]["department"] = serde_json::json!("中西医结合科");
    app["certificates"]["records"] = serde_json::json!([{
        "cert_type": "医师资格证书", "cert_no": "202243110430102199805140318",
        "level": "执业医师", "category": "临床", "issue_date": "2022-12", "province": "430000"
    }]);
    let report = engine().validate(&app).unwrap();
    assert_eq!(report.eligibility.outcome.as_str(), "needs_review");
    let html = engine().notice(&app, Lang::Zh).unwrap();
    assert!(html.contains("须现场审核确定"));
    assert!(html.contains("现场审核时须核定的事项"));
    assert!(html.contains("西医学习中医培训班"), "{html}");
    assert!(html.contains("data-material=\"xixuezhong-proof\""));
}
