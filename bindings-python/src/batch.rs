//! Validating many applications with several threads, results in input order.
//!
//! Converting a `dict` needs the interpreter (and so the GIL, which Python 3.11 has); judging does
//! not. So the work is a pipeline: the calling thread converts the applications in chunks of
//! [`CHUNK`] under the GIL and offers each chunk to `threads - 1` workers through a queue holding
//! one waiting chunk per worker; when the queue is full the calling thread judges that chunk itself
//! (GIL released), which balances the work without either side waiting. Finished chunks are wrapped
//! into Python objects by the calling thread as they come back, and put in place by chunk number.
//! Only the core engine, options, converted inputs and core reports cross threads.
//!
//! The workers hand the converted inputs back with their reports, for the calling thread to free:
//! freeing a converted `dict` (thousands of small blocks allocated by the calling thread) on a worker
//! while the calling thread allocates the next ones is what made this pipeline slower than one
//! thread (e90a2d9: 0.71x; here too, 54.4 against 38.8 µs per application). Handed back, 2 threads
//! measured 1.22x of one on 10,000 dicts (load average about 1.3 on 2 cores); chunks of 16 gave
//! 1.07x, of 128 1.22x.

use std::sync::mpsc::{self, TrySendError};
use std::sync::{Mutex, PoisonError};

use baokao::{Engine, Options, Report};
use pyo3::prelude::*;

use crate::convert::{to_input, Input};
use crate::engine::judge;
use crate::error::{exception, Failure};
use crate::report::Report as PyReport;

/// Applications per unit of work: large enough that the queue and the GIL release are not the
/// cost, small enough that a chunk's converted documents stay in cache until judged.
const CHUNK: usize = 64;

type Outcome = Result<Report, Failure>;
/// A judged chunk: its number, its outcomes, and its inputs, handed back for the calling thread to
/// free (it allocated them).
type Done = (usize, Vec<Outcome>, Vec<Result<Input, Failure>>);
/// A numbered chunk of converted inputs.
type Job = (usize, Vec<Result<Input, Failure>>);

fn one(engine: &Engine, input: &Result<Input, Failure>, options: &Options) -> Outcome {
    match input {
        Ok(input) => judge(engine, input, options),
        Err(f) => Err(f.clone()),
    }
}

fn judge_all(engine: &Engine, chunk: &[Result<Input, Failure>], options: &Options) -> Vec<Outcome> {
    chunk.iter().map(|i| one(engine, i, options)).collect()
}

/// A record's outcome as Python sees it: a `Report`, or the exception object in its place.
fn wrap(py: Python<'_>, outcome: Outcome) -> PyResult<Bound<'_, PyAny>> {
    match outcome {
        Ok(report) => Ok(Bound::new(py, PyReport::new(report))?.into_any()),
        Err(f) => exception(py, &f),
    }
}

fn wrap_all(py: Python<'_>, outcomes: Vec<Outcome>) -> PyResult<Vec<Bound<'_, PyAny>>> {
    outcomes.into_iter().map(|o| wrap(py, o)).collect()
}

/// Convert and judge each item of `apps` in turn, the GIL released while judging (`threads=1`).
/// Measured at 623312c on 10,000 dicts: as fast as a plain loop of `validate`, where converting
/// them all first was 1.32x slower (the converted batch no longer in cache).
pub fn run_in_turn<'py>(
    py: Python<'py>,
    engine: &Engine,
    apps: &Bound<'py, PyAny>,
    options: &Options,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut out = Vec::new();
    for item in apps.try_iter()? {
        let input = to_input(&item?);
        let outcome = match input {
            Ok(input) => py.detach(|| judge(engine, &input, options)),
            Err(f) => Err(f),
        };
        out.push(wrap(py, outcome)?);
    }
    Ok(out)
}

/// Judge queued chunks until the queue is closed and empty, sending each chunk's outcomes back.
fn work(
    engine: &Engine,
    options: &Options,
    jobs: &Mutex<mpsc::Receiver<Job>>,
    done: &mpsc::Sender<Done>,
) {
    loop {
        // The lock is held only to take a job (poisoned only if a worker panicked, which `judge`
        // prevents: take the queue anyway).
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((n, chunk)) = job else { return };
        let out = judge_all(engine, &chunk, options);
        if done.send((n, out, chunk)).is_err() {
            return;
        }
    }
}

/// Convert and validate every item of `apps` with `threads` threads (the calling one included,
/// `threads >= 2`); a record that cannot be converted or judged gives its exception object in
/// place. An error of the iteration itself (an iterator that raises) is the call's error.
pub fn run<'py>(
    py: Python<'py>,
    engine: &Engine,
    apps: &Bound<'py, PyAny>,
    options: &Options,
    threads: usize,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    let mut items = apps.try_iter()?;
    let mut next_chunk = || -> PyResult<Vec<Result<Input, Failure>>> {
        let mut chunk = Vec::with_capacity(CHUNK);
        for item in items.by_ref().take(CHUNK) {
            chunk.push(to_input(&item?));
        }
        Ok(chunk)
    };
    let first = next_chunk()?;
    if first.len() < CHUNK {
        // Too few to be worth a thread.
        let outcomes = py.detach(|| judge_all(engine, &first, options));
        return wrap_all(py, outcomes);
    }

    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(threads - 1);
    let jobs = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    let mut slots: Vec<Option<Vec<Bound<'py, PyAny>>>> = Vec::new();
    std::thread::scope(|scope| -> PyResult<()> {
        for _ in 1..threads {
            let done_tx = done_tx.clone();
            let jobs = &jobs;
            scope.spawn(move || work(engine, options, jobs, &done_tx));
        }
        let place = |slots: &mut Vec<Option<Vec<Bound<'py, PyAny>>>>,
                     n: usize,
                     out: Vec<Outcome>|
         -> PyResult<()> {
            // Every chunk number was given a slot before the chunk was queued.
            if let Some(slot) = slots.get_mut(n) {
                *slot = Some(wrap_all(py, out)?);
            }
            Ok(())
        };
        let converted = (|| -> PyResult<()> {
            let mut chunk = first;
            loop {
                let n = slots.len();
                slots.push(None);
                match job_tx.try_send((n, chunk)) {
                    Ok(()) => {}
                    Err(
                        TrySendError::Full((n, chunk)) | TrySendError::Disconnected((n, chunk)),
                    ) => {
                        // Every worker is busy and one chunk each is waiting: judge this one here.
                        let out = py.detach(|| judge_all(engine, &chunk, options));
                        place(&mut slots, n, out)?;
                    }
                }
                while let Ok((n, out, inputs)) = done_rx.try_recv() {
                    drop(inputs);
                    place(&mut slots, n, out)?;
                }
                chunk = next_chunk()?;
                if chunk.is_empty() {
                    return Ok(());
                }
            }
        })();
        // Conversion is over (or failed): close the queue and help judge what is still in it.
        drop(job_tx);
        drop(done_tx);
        let jobs = &jobs;
        let mine = py.detach(move || {
            let mut mine = Vec::new();
            while let Ok((n, chunk)) = jobs
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .try_recv()
            {
                let out = judge_all(engine, &chunk, options);
                mine.push((n, out, chunk));
            }
            // Then wait for the workers' last chunks.
            mine.extend(done_rx.iter());
            mine
        });
        converted?;
        for (n, out, inputs) in mine {
            drop(inputs);
            place(&mut slots, n, out)?;
        }
        Ok(())
    })?;
    let mut results = Vec::with_capacity(slots.len() * CHUNK);
    for slot in slots {
        // Every chunk queued is judged and placed before the scope ends.
        results.extend(slot.ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("a validation thread failed")
        })?);
    }
    Ok(results)
}
