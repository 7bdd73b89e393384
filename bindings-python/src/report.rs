//! `baokao.Report`: the core's report, held as is and exposed through its serde form.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::convert::to_python;

/// The result of validating an application: diagnostics and the eligibility decision.
///
/// Attributes return the report's JSON form as Python objects (see `docs/report.md`);
/// `to_json()` is byte-identical to the Rust core's `serde_json::to_string(&report)`.
#[pyclass(frozen, eq, module = "baokao", name = "Report")]
#[derive(PartialEq)]
pub struct Report {
    inner: baokao::Report,
}

impl Report {
    /// Wrap a core report.
    pub fn new(inner: baokao::Report) -> Self {
        Report { inner }
    }
}

#[pymethods]
impl Report {
    /// A report from its JSON form (`to_json()`), as the Rust core reads it back.
    #[staticmethod]
    fn from_json(json: &str) -> PyResult<Report> {
        serde_json::from_str(json)
            .map(Report::new)
            .map_err(|e| PyValueError::new_err(format!("not a baokao report: {e}")))
    }

    /// Pickling goes through the JSON form, so reports cross process boundaries.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((
            py.get_type::<Report>().getattr("from_json")?,
            (self.to_json()?,),
        ))
    }

    /// No diagnostic of severity `error`.
    #[getter]
    fn valid(&self) -> bool {
        self.inner.valid
    }

    /// The pack that judged: `{"id", "version", "digest"}`.
    #[getter]
    fn pack<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.pack)
    }

    /// The step judged (step-wise validation), else `None`.
    #[getter]
    fn step(&self) -> Option<&str> {
        self.inner.step.as_deref()
    }

    /// Problems in the data, in form order: a list of dicts.
    #[getter]
    fn diagnostics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.diagnostics)
    }

    /// The eligibility decision: `{"outcome", "route", "conditions", "restrictions", "reasons"}`.
    #[getter]
    fn eligibility<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner.eligibility)
    }

    /// The explain trace (from `explain`), else `None`.
    #[getter]
    fn trace<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .trace
            .as_ref()
            .map(|t| to_python(py, t))
            .transpose()
    }

    /// Shortcut for `eligibility["outcome"]`.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.inner.eligibility.outcome.as_str()
    }

    /// Shortcut for `eligibility["route"]`.
    #[getter]
    fn route(&self) -> Option<&str> {
        self.inner.eligibility.route.as_deref()
    }

    /// Valid and eligible (conditions and restrictions allowed).
    fn is_ok(&self) -> bool {
        self.inner.is_ok()
    }

    /// Ids (or codes) of everything that fired, sorted and de-duplicated.
    fn fired(&self) -> Vec<String> {
        self.inner.fired()
    }

    /// The report as plain Python objects (the JSON form).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.inner)
    }

    /// The report as compact JSON, byte-identical to the Rust core's.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The report for a terminal: one line per diagnostic and finding.
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Report {} valid={} outcome={} diagnostics={}>",
            self.inner.pack.id,
            if self.inner.valid { "True" } else { "False" },
            self.inner.eligibility.outcome.as_str(),
            self.inner.diagnostics.len()
        )
    }
}
