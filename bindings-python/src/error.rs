//! Failures of the binding and their Python exceptions.
//!
//! The exception classes are defined in Python (`baokao/errors.py`) so that they are ordinary,
//! picklable, documented classes; this module imports them once and instantiates them.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

/// Why a call could not produce a report.
#[derive(Debug, Clone)]
pub enum Failure {
    /// The core's own error (load, compile, application).
    Core(baokao::Error),
    /// A Python object that is not a JSON value (the binding's `ApplicationError`s).
    Input {
        /// Stable code: `unsupported_type`, `unsupported_number`, `too_deep`, `invalid_encoding`.
        code: &'static str,
        /// What and where, for people.
        message: String,
        /// JSON pointer of the offending value.
        path: String,
    },
    /// The core panicked; the message of the panic.
    Internal(String),
}

/// Run a core call, turning a panic into [`Failure::Internal`].
pub fn guard<T>(f: impl FnOnce() -> Result<T, baokao::Error>) -> Result<T, Failure> {
    // AssertUnwindSafe: the engine is immutable, so an unwound call leaves nothing half-updated.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(Failure::Core),
        Err(payload) => Err(panicked(payload.as_ref())),
    }
}

/// The failure for a caught panic, with the panic's message.
pub fn panicked(payload: &(dyn std::any::Any + Send)) -> Failure {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Failure::Internal(format!(
        "internal error in the engine (please report it): {message}"
    ))
}

static BAOKAO_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static LOAD_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static COMPILE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static APPLICATION_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

const MODULE: &str = "baokao.errors";

/// Keyword arguments of an exception, with `None` for absent locations.
struct Fields<'a> {
    code: &'a str,
    path: &'a str,
    file: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
}

impl<'a> Fields<'a> {
    fn new(code: &'a str) -> Self {
        Fields {
            code,
            path: "",
            file: None,
            line: None,
            column: None,
        }
    }

    fn at(mut self, loc: Option<&'a baokao::model::Loc>) -> Self {
        if let Some(l) = loc {
            self.file = Some(&l.file);
            // Line 0 means "the whole file": no line or column to point at.
            if l.line > 0 {
                self.line = Some(l.line);
                self.column = Some(l.column);
            }
        }
        self
    }

    fn kwargs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let kw = PyDict::new(py);
        kw.set_item("code", self.code)?;
        kw.set_item("path", self.path)?;
        kw.set_item("file", self.file)?;
        kw.set_item("line", self.line)?;
        kw.set_item("column", self.column)?;
        Ok(kw)
    }
}

fn instantiate<'py>(
    py: Python<'py>,
    class: &'static PyOnceLock<Py<PyType>>,
    name: &str,
    message: &str,
    kwargs: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    class
        .import(py, MODULE, name)?
        .call((message,), Some(kwargs))
}

/// One problem of a pack that does not compile, as a `CompileError` of its own.
fn compile_error<'py>(py: Python<'py>, e: &baokao::CompileError) -> PyResult<Bound<'py, PyAny>> {
    let kw = Fields::new(e.code).at(e.loc.as_ref()).kwargs(py)?;
    kw.set_item("item", &e.item)?;
    instantiate(py, &COMPILE_ERROR, "CompileError", &e.to_string(), &kw)
}

/// The exception instance for a failure (not raised: batches return it in place of a report).
pub fn exception<'py>(py: Python<'py>, failure: &Failure) -> PyResult<Bound<'py, PyAny>> {
    match failure {
        Failure::Core(baokao::Error::Load(e)) => {
            let mut fields = Fields::new(e.code()).at(e.loc());
            if let baokao::LoadError::Io { path, .. } = e {
                fields.file = Some(path);
            }
            instantiate(
                py,
                &LOAD_ERROR,
                "LoadError",
                &e.to_string(),
                &fields.kwargs(py)?,
            )
        }
        Failure::Core(err @ baokao::Error::Compile(all)) => {
            let first = all.first();
            let kw = Fields::new(err.code())
                .at(first.and_then(|e| e.loc.as_ref()))
                .kwargs(py)?;
            kw.set_item("item", first.map_or("", |e| e.item.as_str()))?;
            let each = all
                .iter()
                .map(|e| compile_error(py, e))
                .collect::<PyResult<Vec<_>>>()?;
            kw.set_item("errors", PyList::new(py, each)?)?;
            instantiate(py, &COMPILE_ERROR, "CompileError", &err.to_string(), &kw)
        }
        Failure::Core(baokao::Error::Application(e)) => {
            let mut fields = Fields::new(e.code());
            fields.path = e.path();
            if let baokao::ApplicationError::Json { line, column, .. }
            | baokao::ApplicationError::Encoding { line, column, .. } = e
            {
                fields.line = u32::try_from(*line).ok();
                fields.column = u32::try_from(*column).ok();
            }
            instantiate(
                py,
                &APPLICATION_ERROR,
                "ApplicationError",
                &e.to_string(),
                &fields.kwargs(py)?,
            )
        }
        Failure::Input {
            code,
            message,
            path,
        } => {
            let mut fields = Fields::new(code);
            fields.path = path;
            instantiate(
                py,
                &APPLICATION_ERROR,
                "ApplicationError",
                message,
                &fields.kwargs(py)?,
            )
        }
        Failure::Internal(message) => instantiate(
            py,
            &BAOKAO_ERROR,
            "BaokaoError",
            message,
            &Fields::new("internal_error").kwargs(py)?,
        ),
    }
}

/// The exception to raise for a failure.
pub fn raise(py: Python<'_>, failure: &Failure) -> PyErr {
    match exception(py, failure) {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

/// Panics inside the guard, so the tests can prove a panic becomes `BaokaoError(internal_error)`.
#[pyfunction]
#[pyo3(name = "_panic_for_tests")]
pub fn panic_for_tests(py: Python<'_>, message: &str) -> PyResult<()> {
    #[expect(
        clippy::panic,
        reason = "the point of this function is to panic under the guard"
    )]
    let result = guard(|| -> Result<(), baokao::Error> { panic!("{message}") });
    result.map_err(|f| raise(py, &f))
}
