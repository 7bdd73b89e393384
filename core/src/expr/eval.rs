//! Evaluation of compiled expressions over a bound application, in three-valued (Kleene) logic.

use std::cell::Cell;
use std::cmp::Ordering;

use regex::Regex;

use super::ast::Span;
use super::ir::{ArithOp, CmpOp, Node, Quant, Source, SymSet};
use crate::builtins;
use crate::mask::Mask;
use crate::value::{Scalar, Value};

/// Deepest nesting of quantifiers.
pub const MAX_QUANT_DEPTH: usize = 4;

/// A table as the evaluator sees it: rows of constants, with a key index.
#[derive(Debug)]
pub struct TableData {
    /// Rows; column 0 is the key.
    pub rows: Vec<Vec<Option<crate::value::Scalar>>>,
    /// Row index by key.
    pub index: std::collections::HashMap<Box<str>, usize, KeyHash>,
}

/// A fast, non-cryptographic hasher (the multiply-rotate scheme of rustc's `FxHasher`) for table
/// keys. Keys come from the pack, never from applications, so there is no collision flooding to
/// defend against; applications only look keys up.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher {
    hash: u64,
}

impl KeyHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        let mut last = [0u8; 8];
        for (dst, src) in last.iter_mut().zip(chunks.remainder()) {
            *dst = *src;
        }
        self.add(u64::from_le_bytes(last));
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`KeyHasher`]s.
pub type KeyHash = std::hash::BuildHasherDefault<KeyHasher>;

/// The symbol of no enumeration value.
pub const NO_SYM: u32 = u32::MAX;

/// An application bound to the schema's slots.
#[derive(Debug, Default)]
pub struct Bound<'a> {
    /// Top-level field values by slot.
    pub slots: Vec<Value<'a>>,
    /// By slot, the symbol of a value of the field's enumeration (its index there), else
    /// [`NO_SYM`] (no value, a field without enumeration, a value outside it).
    pub syms: Vec<u32>,
    /// Slots whose value was the placeholder `-`.
    pub dashes: Vec<u32>,
    /// Slots given a value of the wrong type or format: present, so not also `required_missing`.
    pub invalid: Vec<u32>,
    /// Steps given as something other than an object (their fields are not also `required_missing`).
    pub invalid_steps: Vec<u32>,
    /// The same for record items: (records ordinal, item index, item field).
    pub invalid_items: Vec<(u32, u32, u32)>,
    /// Records fields by ordinal: `None` when absent, else the items' field values.
    pub records: Vec<Option<Vec<Vec<Value<'a>>>>>,
    /// List fields by ordinal.
    pub lists: Vec<Option<Vec<Value<'a>>>>,
}

impl Bound<'_> {
    /// No document: every field unknown (for texts that read only parameters).
    pub fn empty() -> Self {
        Bound {
            slots: Vec::new(),
            syms: Vec::new(),
            dashes: Vec::new(),
            invalid: Vec::new(),
            invalid_steps: Vec::new(),
            invalid_items: Vec::new(),
            records: Vec::new(),
            lists: Vec::new(),
        }
    }
}

/// The evaluation budget of one validation, in work units: a quantifier's item costs its
/// body's size in nodes, `x in <list field>` the list's length, a regular expression or a text
/// function 1 + a unit per 64 bytes of text. Work outside these is bounded by the size of the
/// pack. When the budget is spent, quantifiers and list scans yield `Unknown` at once and the
/// engine reports `work_limit_exceeded` — never a silent pass.
#[derive(Debug)]
pub struct Work {
    limit: u64,
    left: Cell<u64>,
    exceeded: Cell<bool>,
}

impl Work {
    /// A budget of `limit` units.
    pub fn new(limit: u64) -> Self {
        Work {
            limit,
            left: Cell::new(limit),
            exceeded: Cell::new(false),
        }
    }

    /// Spend `units`; `false` (from now on, always) once the budget does not cover them.
    #[inline]
    pub fn spend(&self, units: u64) -> bool {
        let left = self.left.get();
        if units > left || self.exceeded.get() {
            self.exceeded.set(true);
            self.left.set(0);
            return false;
        }
        self.left.set(left - units);
        true
    }

    /// Whether the budget ran out.
    pub fn is_exceeded(&self) -> bool {
        self.exceeded.get()
    }

    /// The budget.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// Work units of scanning `bytes` of text.
#[inline]
fn text_units(bytes: usize) -> u64 {
    1 + (bytes / 64) as u64
}

/// What evaluation reads besides the document.
pub struct Cx<'x> {
    /// The bound application.
    pub doc: &'x Bound<'x>,
    /// The engine's regular expressions.
    pub regexes: &'x [Regex],
    /// The engine's tables.
    pub tables: &'x [TableData],
    /// Outputs of the decisions evaluated so far.
    pub decisions: &'x [Value<'x>],
    /// The evaluation budget of this validation.
    pub work: &'x Work,
}

impl<'x> Cx<'x> {
    /// The enumeration symbol of a top-level field's value ([`NO_SYM`] when it has none).
    #[inline]
    pub fn sym(&self, slot: u32) -> u32 {
        self.doc.syms.get(slot as usize).copied().unwrap_or(NO_SYM)
    }

    /// The value of a top-level field by slot (`Unknown` when absent).
    #[inline]
    fn slot(&self, slot: u32) -> Value<'x> {
        self.doc
            .slots
            .get(slot as usize)
            .copied()
            .unwrap_or(Value::Unknown)
    }
}

/// Receives the value of every traced node (`explain`); [`NoTrace`] compiles to nothing.
pub trait Tracer {
    /// A traced node produced `value`.
    fn record(&mut self, span: Span, mask: Mask, value: Value<'_>);
}

/// The tracer of plain validation.
pub struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn record(&mut self, _: Span, _: Mask, _: Value<'_>) {}
}

/// The items bound by enclosing quantifiers.
#[derive(Clone, Copy)]
pub struct Env<'x> {
    items: [&'x [Value<'x>]; MAX_QUANT_DEPTH],
}

impl Default for Env<'_> {
    fn default() -> Self {
        Self {
            items: [&[]; MAX_QUANT_DEPTH],
        }
    }
}

fn item<'x>(env: &Env<'x>, depth: u8) -> &'x [Value<'x>] {
    env.items.get(usize::from(depth)).copied().unwrap_or(&[])
}

/// Evaluate a node.
pub fn eval<'x, T: Tracer>(n: &'x Node, cx: &Cx<'x>, env: &Env<'x>, tr: &mut T) -> Value<'x> {
    match n {
        Node::Const(c) => c.value(),
        Node::Field(slot) => cx.slot(*slot),
        Node::Item { depth, field } => item(env, *depth)
            .get(*field as usize)
            .copied()
            .unwrap_or(Value::Unknown),
        Node::ItemValue { depth } => item(env, *depth).first().copied().unwrap_or(Value::Unknown),
        Node::Present(slot) => Value::Bool(
            cx.doc
                .slots
                .get(*slot as usize)
                .is_some_and(Value::is_known)
                || cx.doc.dashes.contains(slot),
        ),
        Node::PresentSource(src) => Value::Bool(match src {
            Source::Records(i) => cx.doc.records.get(*i as usize).is_some_and(Option::is_some),
            Source::List(i) => cx.doc.lists.get(*i as usize).is_some_and(Option::is_some),
        }),
        Node::PresentItem { depth, field } => Value::Bool(
            item(env, *depth)
                .get(*field as usize)
                .is_some_and(Value::is_known),
        ),
        Node::IsDash(slot) => Value::Bool(cx.doc.dashes.contains(slot)),
        Node::Not(e) => match sub(e, cx, env, tr) {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Unknown,
        },
        Node::Neg(e) => match sub(e, cx, env, tr) {
            Value::Int(i) => i.checked_neg().map_or(Value::Unknown, Value::Int),
            Value::Num(x) => Value::Num(-x),
            _ => Value::Unknown,
        },
        Node::And(items) => {
            let mut unknown = false;
            for e in items {
                match sub(e, cx, env, tr) {
                    Value::Bool(false) => return Value::Bool(false),
                    Value::Bool(true) => {}
                    _ => unknown = true,
                }
            }
            if unknown {
                Value::Unknown
            } else {
                Value::Bool(true)
            }
        }
        Node::Or(items) => {
            let mut unknown = false;
            for e in items {
                match sub(e, cx, env, tr) {
                    Value::Bool(true) => return Value::Bool(true),
                    Value::Bool(false) => {}
                    _ => unknown = true,
                }
            }
            if unknown {
                Value::Unknown
            } else {
                Value::Bool(false)
            }
        }
        Node::Cmp(op, l, r) => {
            let (a, b) = (sub(l, cx, env, tr), sub(r, cx, env, tr));
            compare(*op, &a, &b)
        }
        Node::CmpConst(op, l, c) => compare(*op, &sub(l, cx, env, tr), &c.value()),
        Node::FieldCmpConst(op, slot, c) => compare(*op, &cx.slot(*slot), &c.value()),
        Node::FieldInConst { slot, set, negate } => member(cx.slot(*slot), set, *negate),
        Node::FieldSymEq {
            slot,
            sym,
            text,
            negate,
        } => sym_eq(cx, *slot, *sym, text, *negate),
        Node::FieldSymIn {
            slot,
            syms,
            set,
            negate,
        } => sym_in(cx, *slot, syms, set, *negate),
        Node::Arith(op, l, r) => arith(*op, sub(l, cx, env, tr), sub(r, cx, env, tr)),
        Node::InConst {
            needle,
            set,
            negate,
        } => member(sub(needle, cx, env, tr), set, *negate),
        Node::InNodes {
            needle,
            items,
            negate,
        } => {
            let v = sub(needle, cx, env, tr);
            if !v.is_known() {
                return Value::Unknown;
            }
            let mut unknown = false;
            for e in items {
                let x = sub(e, cx, env, tr);
                match v.equals(&x) {
                    Some(true) => return Value::Bool(!*negate),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                Value::Unknown
            } else {
                Value::Bool(*negate)
            }
        }
        Node::InSource {
            needle,
            source,
            negate,
        } => {
            let v = sub(needle, cx, env, tr);
            let Source::List(i) = source else {
                return Value::Unknown;
            };
            match (v.is_known(), cx.doc.lists.get(*i as usize)) {
                (true, Some(Some(list))) => {
                    if !cx.work.spend(list.len() as u64) {
                        return Value::Unknown;
                    }
                    let found = list.iter().any(|x| v.equals(x) == Some(true));
                    Value::Bool(found != *negate)
                }
                _ => Value::Unknown,
            }
        }
        Node::Quant {
            kind,
            source,
            depth,
            body,
            cost,
        } => quantify(
            *kind,
            *source,
            (*depth, u64::from(*cost)),
            body,
            cx,
            env,
            tr,
        ),
        Node::Len(source) => match source {
            Source::Records(i) => match cx.doc.records.get(*i as usize) {
                Some(Some(items)) => i64::try_from(items.len()).map_or(Value::Unknown, Value::Int),
                _ => Value::Unknown,
            },
            Source::List(i) => match cx.doc.lists.get(*i as usize) {
                Some(Some(items)) => i64::try_from(items.len()).map_or(Value::Unknown, Value::Int),
                _ => Value::Unknown,
            },
        },
        Node::Call(f, args) => {
            let mut vals = [Value::Unknown; 3];
            for (slot, a) in vals.iter_mut().zip(args.iter()) {
                *slot = sub(a, cx, env, tr);
                if !slot.is_known() {
                    return Value::Unknown;
                }
            }
            let args = vals.get(..args.len()).unwrap_or(&[]);
            let text: usize = args
                .iter()
                .map(|v| match v {
                    Value::Text(t) => t.len(),
                    _ => 0,
                })
                .sum();
            if !cx.work.spend(text_units(text)) {
                return Value::Unknown;
            }
            builtins::call(*f, args)
        }
        Node::Matches(e, re) => match (sub(e, cx, env, tr), cx.regexes.get(*re as usize)) {
            (Value::Text(t), Some(re)) => {
                if !cx.work.spend(text_units(t.len())) {
                    return Value::Unknown;
                }
                Value::Bool(re.is_match(t))
            }
            _ => Value::Unknown,
        },
        Node::Lookup { table, column, key } => {
            match (sub(key, cx, env, tr), cx.tables.get(*table as usize)) {
                (Value::Text(k), Some(t)) => t
                    .index
                    .get(k)
                    .and_then(|row| t.rows.get(*row))
                    .and_then(|row| row.get(*column as usize))
                    .and_then(Option::as_ref)
                    .map_or(Value::Unknown, crate::value::Scalar::value),
                _ => Value::Unknown,
            }
        }
        Node::InTable { table, key } => {
            match (sub(key, cx, env, tr), cx.tables.get(*table as usize)) {
                (Value::Text(k), Some(t)) => Value::Bool(t.index.contains_key(k)),
                _ => Value::Unknown,
            }
        }
        Node::Decision(i) => cx
            .decisions
            .get(*i as usize)
            .copied()
            .unwrap_or(Value::Unknown),
        Node::If(parts) => {
            let [c, a, b] = &**parts;
            match sub(c, cx, env, tr) {
                Value::Bool(true) => sub(a, cx, env, tr),
                Value::Bool(false) => sub(b, cx, env, tr),
                _ => Value::Unknown,
            }
        }
        Node::Coalesce(parts) => {
            let [a, b] = &**parts;
            match sub(a, cx, env, tr) {
                Value::Unknown => sub(b, cx, env, tr),
                v => v,
            }
        }
        Node::Traced(span, mask, e) => {
            let v = sub(e, cx, env, tr);
            tr.record(*span, *mask, v);
            v
        }
    }
}

/// Evaluate a sub-expression: the leaves that most conditions are made of — constants, field
/// reads, a field compared with a constant or an enumeration's symbols — here, inlined into the
/// node that holds them; any other node by a call of [`eval`]. Under callgrind, the prologue and
/// epilogue of the large recursive [`eval`] were about 45 % of the evaluator's instructions, most
/// of them paid by leaves (docs/benchmarks.md, "Evaluator, round 2").
#[cfg(not(target_arch = "wasm32"))]
#[expect(
    clippy::inline_always,
    reason = "a hint is not enough: LLVM does not inline into a recursive cycle (measured)"
)]
#[inline(always)]
fn sub<'x, T: Tracer>(n: &'x Node, cx: &Cx<'x>, env: &Env<'x>, tr: &mut T) -> Value<'x> {
    match n {
        Node::Const(c) => c.value(),
        Node::Field(slot) => cx.slot(*slot),
        Node::FieldSymEq {
            slot,
            sym,
            text,
            negate,
        } => sym_eq(cx, *slot, *sym, text, *negate),
        Node::FieldSymIn {
            slot,
            syms,
            set,
            negate,
        } => sym_in(cx, *slot, syms, set, *negate),
        _ => eval(n, cx, env, tr),
    }
}

/// In the WebAssembly build, every sub-expression is a call of [`eval`]: its size budget has no
/// room for the inlined leaves.
#[cfg(target_arch = "wasm32")]
#[inline]
fn sub<'x, T: Tracer>(n: &'x Node, cx: &Cx<'x>, env: &Env<'x>, tr: &mut T) -> Value<'x> {
    eval(n, cx, env, tr)
}

/// `field == text` (or `!=`, `negate`) of a field with an enumeration.
#[inline]
fn sym_eq<'x>(cx: &Cx<'x>, slot: u32, sym: u32, text: &str, negate: bool) -> Value<'x> {
    match cx.sym(slot) {
        // A value of the enumeration equals the constant exactly when their symbols do (a
        // constant outside the enumeration has none, and equals no such value).
        NO_SYM => compare(
            if negate { CmpOp::Ne } else { CmpOp::Eq },
            &cx.slot(slot),
            &Value::Text(text),
        ),
        s => Value::Bool((s == sym) != negate),
    }
}

/// `field in [texts]` (or `not in`, `negate`) of a field with an enumeration: `syms` are the
/// symbols of the set's texts that belong to the enumeration.
#[inline]
fn sym_in<'x>(cx: &Cx<'x>, slot: u32, syms: &SymSet, set: &[Scalar], negate: bool) -> Value<'x> {
    match cx.sym(slot) {
        // A value outside the enumeration (no symbol) is compared by its text.
        NO_SYM => member(cx.slot(slot), set, negate),
        s => Value::Bool(syms.contains(s) != negate),
    }
}

fn quantify<'x, T: Tracer>(
    kind: Quant,
    source: Source,
    (depth, cost): (u8, u64),
    body: &'x Node,
    cx: &Cx<'x>,
    env: &Env<'x>,
    tr: &mut T,
) -> Value<'x> {
    let mut unknown = false;
    let mut count: i64 = 0;
    // Evaluates the body for one item; `Some` ends the quantifier early.
    let mut visit = |row: &'x [Value<'x>]| -> Option<Value<'x>> {
        if !cx.work.spend(cost) {
            // Out of budget: stop here; the engine reports `work_limit_exceeded`.
            return Some(Value::Unknown);
        }
        let mut inner = *env;
        *inner.items.get_mut(usize::from(depth))? = row;
        match (kind, sub(body, cx, &inner, tr)) {
            (Quant::Any, Value::Bool(true)) => return Some(Value::Bool(true)),
            (Quant::All, Value::Bool(false)) => return Some(Value::Bool(false)),
            (Quant::Count, Value::Bool(true)) => count += 1,
            (_, Value::Bool(_)) => {}
            _ => unknown = true,
        }
        None
    };
    let early = match source {
        Source::Records(i) => {
            let Some(Some(items)) = cx.doc.records.get(i as usize) else {
                return Value::Unknown;
            };
            items.iter().find_map(|row| visit(row))
        }
        Source::List(i) => {
            let Some(Some(items)) = cx.doc.lists.get(i as usize) else {
                return Value::Unknown;
            };
            items.iter().find_map(|v| visit(std::slice::from_ref(v)))
        }
    };
    match (early, kind) {
        (Some(v), _) => v,
        _ if unknown => Value::Unknown,
        (None, Quant::Any) => Value::Bool(false),
        (None, Quant::All) => Value::Bool(true),
        (None, Quant::Count) => Value::Int(count),
    }
}

/// Membership of a value in a constant set; unknown when the value is.
#[inline]
fn member<'x>(v: Value<'_>, set: &[crate::value::Scalar], negate: bool) -> Value<'x> {
    if !v.is_known() {
        return Value::Unknown;
    }
    let found = set.iter().any(|s| v.equals(&s.value()) == Some(true));
    Value::Bool(found != negate)
}

/// Compare two values; unknown when either is unknown or they do not compare.
pub fn compare<'x>(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> Value<'x> {
    match op {
        CmpOp::Eq => return a.equals(b).map_or(Value::Unknown, Value::Bool),
        CmpOp::Ne => return a.equals(b).map_or(Value::Unknown, |e| Value::Bool(!e)),
        _ => {}
    }
    let Some(ord) = a.compare(b) else {
        return Value::Unknown;
    };
    Value::Bool(match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    })
}

#[expect(
    clippy::cast_precision_loss,
    reason = "int operands widen to number like JSON numbers"
)]
fn arith<'x>(op: ArithOp, a: Value<'x>, b: Value<'x>) -> Value<'x> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => {
            let r = match op {
                ArithOp::Add => x.checked_add(y),
                ArithOp::Sub => x.checked_sub(y),
                ArithOp::Mul => x.checked_mul(y),
                ArithOp::Div => x.checked_div(y),
                ArithOp::Rem => x.checked_rem(y),
            };
            r.map_or(Value::Unknown, Value::Int)
        }
        (Value::Int(_) | Value::Num(_), Value::Int(_) | Value::Num(_)) => {
            let f = |v: Value<'_>| match v {
                Value::Int(i) => i as f64,
                Value::Num(n) => n,
                _ => f64::NAN,
            };
            let (x, y) = (f(a), f(b));
            let r = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
                ArithOp::Rem => x % y,
            };
            if r.is_finite() {
                Value::Num(r)
            } else {
                Value::Unknown
            }
        }
        _ => Value::Unknown,
    }
}
