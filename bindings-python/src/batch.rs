//! Validating many applications on every core, results in input order.

use baokao::{Engine, Options, Report};

use crate::convert::Input;
use crate::engine::judge;
use crate::error::Failure;

/// Fewest applications worth a thread of their own: below this, spawning costs more than it saves.
const MIN_PER_THREAD: usize = 32;

fn one(
    engine: &Engine,
    input: &Result<Input, Failure>,
    options: &Options,
) -> Result<Report, Failure> {
    match input {
        Ok(input) => judge(engine, input, options),
        Err(f) => Err(f.clone()),
    }
}

/// Validate `inputs` with up to `threads` threads; a failed input gives its own `Err` in place.
pub fn run(
    engine: &Engine,
    inputs: &[Result<Input, Failure>],
    options: &Options,
    threads: usize,
) -> Vec<Result<Report, Failure>> {
    let threads = threads.min(inputs.len().div_ceil(MIN_PER_THREAD)).max(1);
    if threads == 1 {
        return inputs.iter().map(|i| one(engine, i, options)).collect();
    }
    // Contiguous chunks, one per thread, concatenated in order: the output order is the input's.
    let size = inputs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .chunks(size)
            .map(|chunk| {
                let handle = scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|i| one(engine, i, options))
                        .collect::<Vec<_>>()
                });
                (chunk.len(), handle)
            })
            .collect();
        let mut out = Vec::with_capacity(inputs.len());
        for (len, handle) in handles {
            // `one` catches panics, so a worker cannot fail; should it anyway, its records say so.
            out.extend(handle.join().unwrap_or_else(|_| {
                vec![Err(Failure::Internal("a validation thread failed".to_owned())); len]
            }));
        }
        out
    })
}
