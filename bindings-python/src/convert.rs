//! Python objects to JSON values, directly (no JSON text in between), and back.
//!
//! Accepted: `dict` with `str` keys, `list`, `tuple`, `str`, `int`, `float`, `bool`, `None` and
//! their subclasses — what `json.dumps` accepts without a `default`. Anything else, a `NaN` or an
//! infinity, an integer beyond 64 bits, or nesting deeper than [`baokao::MAX_DOCUMENT_DEPTH`] is
//! an `ApplicationError` naming the JSON pointer of the value.
//!
//! INVARIANT: these errors never quote the value itself — only its path and its type. The value
//! may be a masked field (an ID number given as an `int`), and an exception's message travels
//! into `repr`, `args`, pickles, tracebacks and logs.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

use crate::error::{panicked, Failure};

/// An application as handed to the engine: a converted object, or JSON text for the core to parse
/// (so that its size, depth and encoding checks apply).
pub enum Input {
    /// A `dict` (or any JSON-able object) converted to a value.
    Value(Value),
    /// A `str` holding JSON.
    Text(String),
    /// `bytes` or `bytearray` holding JSON, which the core checks is UTF-8 (and so a `str` that
    /// is not Unicode, encoded with its lone surrogates, for the core to locate them).
    Bytes(Vec<u8>),
}

/// A value that is not JSON, with the path to it (segments innermost first, added while
/// returning, so the success path never builds a path).
struct NotJson {
    code: &'static str,
    message: String,
    segments: Vec<String>,
}

impl NotJson {
    fn new(code: &'static str, message: String) -> Self {
        NotJson {
            code,
            message,
            segments: Vec::new(),
        }
    }

    fn within(mut self, segment: impl Into<String>) -> Self {
        self.segments.push(segment.into());
        self
    }

    fn into_failure(self) -> Failure {
        let mut path = String::new();
        for s in self.segments.iter().rev() {
            path.push('/');
            path.push_str(&s.replace('~', "~0").replace('/', "~1"));
        }
        let message = if path.is_empty() {
            self.message
        } else {
            format!("{} at `{path}`", self.message)
        };
        Failure::Input {
            code: self.code,
            message,
            path,
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

fn text(s: &Bound<'_, PyString>) -> Result<String, NotJson> {
    s.to_cow().map(Cow::into_owned).map_err(|_| {
        NotJson::new(
            "unsupported_type",
            "a string that is not valid Unicode (a lone surrogate) cannot be JSON".to_owned(),
        )
    })
}

fn number(obj: &Bound<'_, PyAny>) -> Result<Value, NotJson> {
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(u) = obj.extract::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    Err(NotJson::new(
        "unsupported_number",
        "an integer that does not fit in 64 bits".to_owned(),
    ))
}

fn float(f: f64) -> Result<Value, NotJson> {
    Number::from_f64(f).map(Value::Number).ok_or_else(|| {
        NotJson::new(
            "unsupported_number",
            "a NaN or infinite float is not a JSON number".to_owned(),
        )
    })
}

fn enter(depth: usize) -> Result<usize, NotJson> {
    let depth = depth + 1;
    if depth > baokao::MAX_DOCUMENT_DEPTH {
        return Err(NotJson::new(
            "too_deep",
            format!(
                "arrays and objects nest deeper than {} levels",
                baokao::MAX_DOCUMENT_DEPTH
            ),
        ));
    }
    Ok(depth)
}

fn items<'py>(
    iter: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
) -> Result<Value, NotJson> {
    let mut out = Vec::with_capacity(len);
    for (i, item) in iter.enumerate() {
        out.push(value(&item, depth).map_err(|e| e.within(i.to_string()))?);
    }
    Ok(Value::Array(out))
}

/// `obj` as a JSON value; `depth` is the number of arrays and objects around it.
fn value(obj: &Bound<'_, PyAny>, depth: usize) -> Result<Value, NotJson> {
    // Most frequent first; `bool` before `int`, of which it is a subclass.
    if let Ok(s) = obj.cast::<PyString>() {
        return text(s).map(Value::String);
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return number(obj);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return float(f.value());
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let depth = enter(depth)?;
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(NotJson::new(
                    "unsupported_type",
                    format!("a key of type `{}` (keys must be strings)", type_name(&k)),
                ));
            };
            let key = text(key)?;
            let v = value(&v, depth).map_err(|e| e.within(key.clone()))?;
            map.insert(key, v);
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return items(l.iter(), l.len(), enter(depth)?);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return items(t.iter(), t.len(), enter(depth)?);
    }
    Err(NotJson::new(
        "unsupported_type",
        format!("a value of type `{}` is not JSON", type_name(obj)),
    ))
}

/// Convert a Python object to a JSON value.
fn to_value(obj: &Bound<'_, PyAny>) -> Result<Value, Failure> {
    // pyo3 panics if a dict changes size while it is iterated; nothing here runs Python code that
    // could do so, but should it happen the caller gets an `internal_error`, as for the engine.
    match catch_unwind(AssertUnwindSafe(|| value(obj, 0))) {
        Ok(result) => result.map_err(NotJson::into_failure),
        Err(payload) => Err(panicked(payload.as_ref())),
    }
}

/// A bundle's text from `bytes`/`bytearray`, which must be UTF-8.
fn utf8(bytes: &[u8]) -> Result<String, Failure> {
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|e| Failure::Input {
            code: "malformed_json",
            message: format!("the JSON text is not UTF-8: {e}"),
            path: String::new(),
        })
}

/// A bundle's JSON text given as `str`, `bytes` or `bytearray` (`None` for any other type).
pub fn to_text(obj: &Bound<'_, PyAny>) -> Option<Result<String, Failure>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Some(s.to_cow().map(Cow::into_owned).map_err(|_| Failure::Input {
            code: "malformed_json",
            message: "the JSON text is not valid Unicode (a lone surrogate)".to_owned(),
            path: String::new(),
        }));
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Some(utf8(b.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Some(utf8(&b.to_vec()));
    }
    None
}

/// An application argument: JSON text (`str`, `bytes`, `bytearray`) or an object to convert.
pub fn to_input(obj: &Bound<'_, PyAny>) -> Result<Input, Failure> {
    if let Ok(s) = obj.cast::<PyString>() {
        return match s.to_cow() {
            Ok(text) => Ok(Input::Text(text.into_owned())),
            // Lone surrogates: the bytes Python would write for them, which are not UTF-8.
            Err(_) => surrogates(s).map(Input::Bytes),
        };
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Input::Bytes(b.as_bytes().to_vec()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Input::Bytes(b.to_vec()));
    }
    to_value(obj).map(Input::Value)
}

/// A `str` with lone surrogates encoded as `surrogatepass` does: three bytes each, never UTF-8.
fn surrogates(s: &Bound<'_, PyString>) -> Result<Vec<u8>, Failure> {
    s.call_method1("encode", ("utf-8", "surrogatepass"))
        .and_then(|b| b.extract::<Vec<u8>>())
        .map_err(|_| Failure::Input {
            code: "invalid_encoding",
            message: "the JSON text is not valid Unicode (a lone surrogate)".to_owned(),
            path: String::new(),
        })
}

static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// A serialisable core value as Python objects, through its serde JSON form — the same bytes as
/// `to_json()`, so key order and number formatting are the contract's, never re-derived here.
pub fn to_python<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    LOADS.import(py, "json", "loads")?.call1((json,))
}
