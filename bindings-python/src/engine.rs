//! `baokao.Engine`: a compiled rule pack.

use std::path::PathBuf;

use baokao::{Lang, LoadOptions, Options};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use crate::batch;
use crate::convert::{to_input, to_python, to_text, Input};
use crate::error::{guard, raise, Failure};
use crate::report::Report;

/// A compiled rule pack: immutable and thread-safe; compile once, validate many.
#[pyclass(frozen, module = "baokao", name = "Engine")]
pub struct Engine {
    inner: baokao::Engine,
}

fn options(lang: &str, step: Option<String>, explain: bool) -> PyResult<Options> {
    let lang = Lang::parse(lang).ok_or_else(|| {
        PyValueError::new_err(format!("unknown language `{lang}`: {}", Lang::EXPECTED))
    })?;
    Ok(Options {
        lang,
        step,
        explain,
        ..Options::default()
    })
}

/// The core's load options from the keyword arguments.
fn load_options(digest: Option<String>, pack_roots: Vec<PathBuf>) -> LoadOptions {
    LoadOptions { digest, pack_roots }
}

fn compile(
    py: Python<'_>,
    f: impl FnOnce() -> Result<baokao::Engine, baokao::Error> + Send,
) -> PyResult<Engine> {
    // Loading and compiling take milliseconds: let other Python threads run meanwhile.
    py.detach(|| guard(f))
        .map(|inner| Engine { inner })
        .map_err(|e| raise(py, &e))
}

/// Judge one converted application: `Engine::run` on a value, `Engine::validate_json` on text.
pub fn judge(
    core: &baokao::Engine,
    input: &Input,
    options: &Options,
) -> Result<baokao::Report, Failure> {
    match input {
        Input::Value(v) => guard(|| core.run(v, options)),
        Input::Text(t) => guard(|| core.validate_json(t, options)),
        Input::Bytes(b) => guard(|| core.validate_json_bytes(b, options)),
    }
}

impl Engine {
    /// The core engine.
    pub fn core(&self) -> &baokao::Engine {
        &self.inner
    }

    fn judge(&self, py: Python<'_>, app: &Bound<'_, PyAny>, options: &Options) -> PyResult<Report> {
        to_input(app)
            .and_then(|input| judge(&self.inner, &input, options))
            .map(Report::new)
            .map_err(|e| raise(py, &e))
    }
}

#[pymethods]
impl Engine {
    /// Load and compile a pack directory or a bundle file, whichever `path` is; `digest` pins
    /// the pack, `pack_roots` lets its paths lead into more directories.
    #[staticmethod]
    #[pyo3(signature = (path, *, digest = None, pack_roots = None))]
    fn from_path(
        py: Python<'_>,
        path: PathBuf,
        digest: Option<String>,
        pack_roots: Option<Vec<PathBuf>>,
    ) -> PyResult<Engine> {
        let options = load_options(digest, pack_roots.unwrap_or_default());
        compile(py, move || baokao::Engine::from_path_with(&path, &options))
    }

    /// Load and compile a bundle (the JSON written by `baokao bundle` or `Engine.bundle()`);
    /// `digest` pins the pack.
    #[staticmethod]
    #[pyo3(signature = (json, *, digest = None))]
    fn from_bundle(
        py: Python<'_>,
        json: &Bound<'_, PyAny>,
        digest: Option<String>,
    ) -> PyResult<Engine> {
        let text = match to_text(json) {
            Some(Ok(text)) => text,
            // Text that is not Unicode is a bundle that cannot be read: a load error.
            Some(Err(f)) => {
                let message = match f {
                    Failure::Input { message, .. } => message,
                    _ => "the bundle is not valid text".to_owned(),
                };
                let error = baokao::LoadError::Json { loc: None, message };
                return Err(raise(py, &Failure::Core(error.into())));
            }
            None => {
                return Err(PyTypeError::new_err(
                    "a bundle is JSON text: pass `str` or `bytes`",
                ))
            }
        };
        let options = load_options(digest, Vec::new());
        compile(py, move || {
            baokao::Engine::from_bundle_with(&text, &options)
        })
    }

    /// The pack: `{"id", "version", "digest"}`, as in every report.
    #[getter]
    fn pack<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.info())
    }

    /// Ids of the form's steps, in order.
    #[getter]
    fn steps(&self) -> Vec<String> {
        self.inner.steps().map(str::to_owned).collect()
    }

    /// The application format as JSON Schema (draft 2020-12), as `baokao schema` prints it.
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let schema = self.inner.json_schema();
        to_python(py, &schema)
    }

    /// The pack as a bundle (JSON text), with or without its example applications.
    #[pyo3(signature = (with_examples = false))]
    fn bundle(&self, with_examples: bool) -> String {
        self.inner.bundle(with_examples).to_json()
    }

    /// `value` of the field at `path` (`basic.id_number`) as reports show it: masked when the pack
    /// marks the field `mask`, else unchanged.
    fn mask(&self, path: &str, value: &str) -> String {
        self.inner.mask(path, value).into_owned()
    }

    /// Validate a whole application: a `dict`, or JSON text as `str`/`bytes`.
    #[pyo3(signature = (app, lang = "zh"))]
    fn validate(&self, py: Python<'_>, app: &Bound<'_, PyAny>, lang: &str) -> PyResult<Report> {
        self.judge(py, app, &options(lang, None, false)?)
    }

    /// Judge only what `step` of the form can know.
    #[pyo3(signature = (step, app, lang = "zh"))]
    fn validate_step(
        &self,
        py: Python<'_>,
        step: String,
        app: &Bound<'_, PyAny>,
        lang: &str,
    ) -> PyResult<Report> {
        self.judge(py, app, &options(lang, Some(step), false)?)
    }

    /// The printable registration success notice of an application: one A4 HTML page, the same
    /// text as `baokao notice` and JavaScript's `engine.notice()`. An invalid, ineligible or
    /// undetermined application raises `ApplicationError` with code `notice_refused`.
    #[pyo3(signature = (app, lang = "zh"))]
    fn notice(&self, py: Python<'_>, app: &Bound<'_, PyAny>, lang: &str) -> PyResult<String> {
        let lang = options(lang, None, false)?.lang;
        let core = &self.inner;
        to_input(app)
            .and_then(|input| match input {
                Input::Value(v) => guard(|| core.notice(&v, lang)),
                Input::Text(t) => guard(|| core.notice_json(&t, lang)),
                Input::Bytes(b) => guard(|| {
                    baokao::parse_application_bytes(&b)
                        .map_err(baokao::Error::from)
                        .and_then(|doc| core.notice(&doc, lang))
                }),
            })
            .map_err(|e| raise(py, &e))
    }

    /// The form as the pack describes it, its texts in `lang`: the JSON contract of docs/form.md
    /// as a `dict` (the same document as `baokao form` and JavaScript's `engine.form()`).
    #[pyo3(signature = (lang = "zh"))]
    fn form<'py>(&self, py: Python<'py>, lang: &str) -> PyResult<Bound<'py, PyAny>> {
        let lang = options(lang, None, false)?.lang;
        to_python(py, &self.inner.form(lang))
    }

    /// What an application makes of the form: the fields required now and the values of derived
    /// fields, as a `dict` (docs/form.md).
    fn form_state<'py>(
        &self,
        py: Python<'py>,
        app: &Bound<'_, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let core = &self.inner;
        let state = to_input(app)
            .and_then(|input| match input {
                Input::Value(v) => guard(|| core.form_state(&v)),
                Input::Text(t) => guard(|| core.form_state_json(&t)),
                Input::Bytes(b) => guard(|| {
                    baokao::parse_application_bytes(&b)
                        .map_err(baokao::Error::from)
                        .and_then(|doc| core.form_state(&doc))
                }),
            })
            .map_err(|e| raise(py, &e))?;
        to_python(py, &state)
    }

    /// Validate with a trace of every rule and decision and the values they saw.
    #[pyo3(signature = (app, lang = "zh"))]
    fn explain(&self, py: Python<'_>, app: &Bound<'_, PyAny>, lang: &str) -> PyResult<Report> {
        self.judge(py, app, &options(lang, None, true)?)
    }

    /// Validate with every option: the Rust `Engine::run`.
    #[pyo3(signature = (app, *, lang = "zh", step = None, explain = false))]
    fn run(
        &self,
        py: Python<'_>,
        app: &Bound<'_, PyAny>,
        lang: &str,
        step: Option<String>,
        explain: bool,
    ) -> PyResult<Report> {
        self.judge(py, app, &options(lang, step, explain)?)
    }

    /// Whether the application is valid and eligible with nothing left to do (not `conditional`);
    /// `False` when it cannot be read at all.
    fn is_valid(&self, app: &Bound<'_, PyAny>) -> bool {
        to_input(app)
            .and_then(|input| judge(&self.inner, &input, &Options::default()))
            .is_ok_and(|r| r.is_ok())
    }

    /// Validate many applications on every core; one result per input, in input order: a
    /// `Report`, or the exception (not raised) for an input that could not be judged.
    #[pyo3(signature = (apps, lang = "zh", threads = None, step = None))]
    fn validate_many<'py>(
        &self,
        py: Python<'py>,
        apps: &Bound<'py, PyAny>,
        lang: &str,
        threads: Option<usize>,
        step: Option<String>,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let options = options(lang, step, false)?;
        let threads = match threads {
            Some(0) => return Err(PyValueError::new_err("`threads` must be at least 1")),
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        };
        if threads == 1 {
            return batch::run_in_turn(py, &self.inner, apps, &options);
        }
        // Several threads: convert in chunks under the GIL while workers judge (batch.rs). Measured
        // per application (threads=1 path, 10,000 dicts): converting 10.0 µs, judging 22.5 µs,
        // wrapping the report 0.5 µs, freeing the converted input 2.7 µs and the report 2.7 µs,
        // releasing and taking back the GIL 0.13 µs. Converting, wrapping and freeing stay on the
        // calling thread (about 16 µs of the 38): that serial part bounds 2 threads under 2x.
        batch::run(py, &self.inner, apps, &options, threads)
    }

    fn __repr__(&self) -> String {
        let info = &self.inner.info();
        format!("<Engine {} {}>", info.id, info.version)
    }
}
