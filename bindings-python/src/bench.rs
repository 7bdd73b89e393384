//! A private timing hook for `bench/bench.py`: the core alone, in the same process and build, so
//! the binding's overhead is the difference of two numbers measured side by side.

use std::time::Instant;

use baokao::Options;
use pyo3::prelude::*;

use crate::convert::to_input;
use crate::engine::{judge, Engine};
use crate::error::raise;

/// Nanoseconds taken by `repetitions` core validations of `app` (converted once, beforehand):
/// `Engine::run` for a `dict`, `Engine::validate_json` for JSON text.
#[pyfunction]
#[pyo3(name = "_time_core")]
pub fn time_core(
    py: Python<'_>,
    engine: &Engine,
    app: &Bound<'_, PyAny>,
    repetitions: u32,
) -> PyResult<u128> {
    let input = to_input(app).map_err(|e| raise(py, &e))?;
    let core = engine.core();
    let options = Options::default();
    let start = Instant::now();
    for _ in 0..repetitions {
        std::hint::black_box(judge(core, &input, &options).map_err(|e| raise(py, &e))?);
    }
    Ok(start.elapsed().as_nanos())
}

/// Nanoseconds taken by `repetitions` conversions of `app` to the engine's input, alone.
#[pyfunction]
#[pyo3(name = "_time_convert")]
pub fn time_convert(py: Python<'_>, app: &Bound<'_, PyAny>, repetitions: u32) -> PyResult<u128> {
    let start = Instant::now();
    for _ in 0..repetitions {
        std::hint::black_box(to_input(app).map_err(|e| raise(py, &e))?);
    }
    Ok(start.elapsed().as_nanos())
}

/// Nanoseconds spent in each stage of validating every item of `apps` one by one, as
/// `validate_many(threads=1)` does: (convert, judge, wrap, an empty detach, dropping the input).
#[pyfunction]
#[pyo3(name = "_time_stages")]
pub fn time_stages(
    py: Python<'_>,
    engine: &Engine,
    apps: &Bound<'_, PyAny>,
) -> PyResult<(u128, u128, u128, u128, u128)> {
    let core = engine.core();
    let options = Options::default();
    let (mut convert, mut judged, mut wrap, mut detach, mut dropped) = (0, 0, 0, 0, 0);
    let mut out = Vec::new();
    for item in apps.try_iter()? {
        let item = item?;
        let t = Instant::now();
        let input = to_input(&item).map_err(|e| raise(py, &e))?;
        convert += t.elapsed().as_nanos();
        let t = Instant::now();
        py.detach(|| std::hint::black_box(()));
        detach += t.elapsed().as_nanos();
        let t = Instant::now();
        let report = judge(core, &input, &options).map_err(|e| raise(py, &e))?;
        judged += t.elapsed().as_nanos();
        let t = Instant::now();
        drop(input);
        dropped += t.elapsed().as_nanos();
        let t = Instant::now();
        out.push(Bound::new(py, crate::report::Report::new(report))?);
        wrap += t.elapsed().as_nanos();
    }
    Ok((convert, judged, wrap, detach, dropped))
}
