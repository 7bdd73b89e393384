//! `baokao.diff`: what changed between two packs and whom it affects — the core's `baokao::diff`,
//! with the applications converted as `validate` converts them.

use std::panic::{catch_unwind, AssertUnwindSafe};

use baokao::diff::{ApplicationsDiff, PackDiff};
use baokao::{Lang, Options};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::convert::{to_input, to_python, Input};
use crate::engine::Engine;
use crate::error::{panicked, raise, Failure};

/// What changed between two packs (and, with applications, whom it affects): the core's diff.
///
/// `to_dict()` and `to_json()` give its JSON form (`docs/diff.md`), `to_text()` the reviewer's
/// text that `baokao diff` prints.
#[pyclass(frozen, module = "baokao", name = "Diff")]
pub struct Diff {
    inner: PackDiff,
}

#[pymethods]
impl Diff {
    /// Whether anything differs: a section of the packs, or an application's report.
    #[getter]
    fn changed(&self) -> bool {
        self.inner.changed
    }

    /// The diff as plain Python objects (the JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner)
    }

    /// The diff as compact JSON, byte-identical to `baokao diff --format json`.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The diff for people, as `baokao diff` prints it.
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Diff {} {} -> {} {} changed={}>",
            self.inner.old.id,
            self.inner.old.version,
            self.inner.new.id,
            self.inner.new.version,
            if self.inner.changed { "True" } else { "False" }
        )
    }
}

/// The code and message of a record that could not be read, when `obj` is a `baokao` error.
fn unreadable_record(obj: &Bound<'_, PyAny>) -> PyResult<Option<(String, String)>> {
    let errors = obj.py().import("baokao.errors")?;
    if !obj.is_instance(&errors.getattr("BaokaoError")?)? {
        return Ok(None);
    }
    let code: String = obj.getattr("code")?.extract()?;
    let message: String = obj.getattr("message")?.extract()?;
    Ok(Some((code, message)))
}

/// Compare one application (or record its error), catching a panic of the core.
fn compare(
    apps: &mut ApplicationsDiff,
    old: &baokao::Engine,
    new: &baokao::Engine,
    input: Option<&str>,
    app: &Bound<'_, PyAny>,
    options: &Options,
) -> PyResult<()> {
    if let Some((code, message)) = unreadable_record(app)? {
        apps.unreadable(input, &code, &message);
        return Ok(());
    }
    let doc = to_input(app).and_then(|i| {
        let parsed = match i {
            Input::Value(v) => Ok(v),
            Input::Text(t) => baokao::parse_application(&t),
            Input::Bytes(b) => baokao::parse_application_bytes(&b),
        };
        parsed.map_err(|e| Failure::Core(e.into()))
    });
    match doc {
        Ok(doc) => {
            // AssertUnwindSafe: a panic leaves at most one application uncounted, and is raised.
            catch_unwind(AssertUnwindSafe(|| {
                apps.compare(old, new, input, &doc, options);
            }))
            .map_err(|p| raise(app.py(), &panicked(p.as_ref())))?;
        }
        Err(Failure::Core(e)) => apps.unreadable(input, e.code(), &e.to_string()),
        Err(Failure::Input { code, message, .. }) => apps.unreadable(input, code, &message),
        Err(f @ Failure::Internal(_)) => return Err(raise(app.py(), &f)),
    }
    Ok(())
}

/// What changed between the packs of `old` and `new`; with `applications`, each judged by both
/// and every one whose report changes listed. An item is an application (`dict`, JSON `str` or
/// `bytes`), or a pair `(input, application)` naming where it came from; a `baokao` error in
/// place of an application (a record that could not be read) is counted as unreadable.
#[pyfunction]
#[pyo3(signature = (old, new, applications = None, *, lang = "zh"))]
pub fn diff(
    py: Python<'_>,
    old: &Engine,
    new: &Engine,
    applications: Option<&Bound<'_, PyAny>>,
    lang: &str,
) -> PyResult<Diff> {
    let lang = Lang::parse(lang).ok_or_else(|| {
        PyValueError::new_err(format!("unknown language `{lang}`: {}", Lang::EXPECTED))
    })?;
    let (a, b) = (old.core(), new.core());
    let result = py.detach(|| catch_unwind(AssertUnwindSafe(|| baokao::diff::diff(a, b))));
    let mut result = result.map_err(|p| raise(py, &panicked(p.as_ref())))?;
    if let Some(items) = applications {
        let options = Options::default().with_lang(lang);
        let mut apps = ApplicationsDiff::default();
        for item in items.try_iter()? {
            let item = item?;
            let pair = item.cast::<PyTuple>().ok().filter(|t| {
                t.len() == 2 && t.get_item(0).is_ok_and(|x| x.is_instance_of::<PyString>())
            });
            match pair {
                Some(t) => {
                    let input: String = t.get_item(0)?.extract()?;
                    compare(&mut apps, a, b, Some(&input), &t.get_item(1)?, &options)?;
                }
                None if item.is_instance_of::<PyTuple>() => {
                    return Err(PyTypeError::new_err(
                        "an application is a dict, JSON text, or a pair (input, application)",
                    ))
                }
                None => compare(&mut apps, a, b, None, &item, &options)?,
            }
        }
        result = result.with_applications(apps);
    }
    Ok(Diff { inner: result })
}

/// The language messages are written in for a language tag: `"zh"` or `"en"` (a BCP 47 tag whose
/// primary subtag is one of them, in any case: `zh-CN`, `EN`, `en-US`); `ValueError` otherwise.
#[pyfunction]
pub fn language(tag: &str) -> PyResult<&'static str> {
    Lang::parse(tag).map(Lang::as_str).ok_or_else(|| {
        PyValueError::new_err(format!("unknown language `{tag}`: {}", Lang::EXPECTED))
    })
}
