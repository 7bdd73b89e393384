//! The expression language: syntax ([`ast`], [`parser`]), type checking ([`check`]), the compiled
//! form ([`ir`]) and evaluation ([`eval`]). The grammar and the built-ins are documented in
//! `docs/expressions.md`.

pub mod ast;
pub mod check;
pub mod eval;
pub mod ir;
pub mod parser;

#[cfg(test)]
mod properties;
