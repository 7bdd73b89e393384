//! The compiled form of an expression: a typed tree with every name resolved to an index.
//!
//! Fields are slot numbers, parameters are inlined constants, regular expressions and tables are
//! indices into the engine, so evaluation never parses, hashes a name or allocates.

use super::ast::Span;
use crate::builtins::Builtin;
use crate::mask::Mask;
use crate::value::Scalar;

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

/// What a quantifier or `len` ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A records field, by its records ordinal.
    Records(u32),
    /// A list field, by its list ordinal.
    List(u32),
}

/// A set of enumeration symbols, as a bit set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SymSet(Box<[u64]>);

impl SymSet {
    /// The set of `syms`.
    pub fn of(syms: impl IntoIterator<Item = u32>) -> Self {
        let mut words: Vec<u64> = Vec::new();
        for s in syms {
            let w = (s / 64) as usize;
            if words.len() <= w {
                words.resize(w + 1, 0);
            }
            if let Some(word) = words.get_mut(w) {
                *word |= 1 << (s % 64);
            }
        }
        SymSet(words.into())
    }

    /// Whether `sym` is in the set.
    #[inline]
    pub fn contains(&self, sym: u32) -> bool {
        self.0
            .get((sym / 64) as usize)
            .is_some_and(|w| w & (1 << (sym % 64)) != 0)
    }
}

/// Quantifier kinds.
pub use super::ast::Quant;

/// A compiled expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A constant (literals and parameters).
    Const(Scalar),
    /// A top-level field, by slot.
    Field(u32),
    /// A field of the record bound by the quantifier at `depth`.
    Item {
        /// Quantifier depth (0 = outermost).
        depth: u8,
        /// Index of the item field within its record.
        field: u32,
    },
    /// The scalar item bound by the quantifier at `depth` (lists of scalars).
    ItemValue {
        /// Quantifier depth.
        depth: u8,
    },
    /// Presence of a top-level field (a value, or `-` where allowed).
    Present(u32),
    /// Presence of a records or list field.
    PresentSource(Source),
    /// Presence of a record field.
    PresentItem {
        /// Quantifier depth.
        depth: u8,
        /// Item field.
        field: u32,
    },
    /// The field holds the placeholder `-` (师承/确有专长 records).
    IsDash(u32),
    /// Kleene negation.
    Not(Box<Node>),
    /// Arithmetic negation.
    Neg(Box<Node>),
    /// Kleene conjunction.
    And(Box<[Node]>),
    /// Kleene disjunction.
    Or(Box<[Node]>),
    /// Comparison.
    Cmp(CmpOp, Box<Node>, Box<Node>),
    /// Comparison with a constant (fused).
    CmpConst(CmpOp, Box<Node>, Scalar),
    /// Comparison of a field with a constant (fused: the most common condition).
    FieldCmpConst(CmpOp, u32, Scalar),
    /// Membership of a field's value in a constant set (fused).
    FieldInConst {
        /// The field's slot.
        slot: u32,
        /// The set.
        set: Box<[Scalar]>,
        /// `not in`.
        negate: bool,
    },
    /// `field == constant` (or `!=`) of a field with an enumeration, by symbol: no string
    /// comparison when the field's value belongs to the enumeration.
    FieldSymEq {
        /// The field's slot.
        slot: u32,
        /// The constant's symbol in the field's enumeration ([`crate::expr::eval::NO_SYM`] if
        /// it is not one of its values).
        sym: u32,
        /// The constant, compared as text with a value outside the enumeration.
        text: Box<str>,
        /// `!=`.
        negate: bool,
    },
    /// Membership of an enumeration field's value in a constant set, by symbol.
    FieldSymIn {
        /// The field's slot.
        slot: u32,
        /// The symbols of the set's values that belong to the enumeration.
        syms: SymSet,
        /// The set, compared as text with a value outside the enumeration.
        set: Box<[Scalar]>,
        /// `not in`.
        negate: bool,
    },
    /// Arithmetic.
    Arith(ArithOp, Box<Node>, Box<Node>),
    /// Membership in a constant set.
    InConst {
        /// Value looked for.
        needle: Box<Node>,
        /// The set.
        set: Box<[Scalar]>,
        /// `not in`.
        negate: bool,
    },
    /// Membership in a list of expressions.
    InNodes {
        /// Value looked for.
        needle: Box<Node>,
        /// The items.
        items: Box<[Node]>,
        /// `not in`.
        negate: bool,
    },
    /// Membership in a list field.
    InSource {
        /// Value looked for.
        needle: Box<Node>,
        /// The list.
        source: Source,
        /// `not in`.
        negate: bool,
    },
    /// `any` / `all` / `count` over a source, binding the item at `depth`.
    Quant {
        /// Kind.
        kind: Quant,
        /// What it ranges over.
        source: Source,
        /// Depth of the bound variable.
        depth: u8,
        /// The condition.
        body: Box<Node>,
        /// Work units one item costs: 1 + the body's [`Node::weight`].
        cost: u32,
    },
    /// Number of items of a source.
    Len(Source),
    /// A pure built-in.
    Call(Builtin, Box<[Node]>),
    /// Regex match; index into the engine's regexes.
    Matches(Box<Node>, u32),
    /// Table lookup.
    Lookup {
        /// Table index.
        table: u32,
        /// Column index.
        column: u32,
        /// Key.
        key: Box<Node>,
    },
    /// Key present in a table.
    InTable {
        /// Table index.
        table: u32,
        /// Key.
        key: Box<Node>,
    },
    /// Output of a decision table evaluated earlier.
    Decision(u32),
    /// `if(c, a, b)`.
    If(Box<[Node; 3]>),
    /// `coalesce(a, b)`.
    Coalesce(Box<[Node; 2]>),
    /// Records its value in an `explain` trace under the source text of `span`, shown as its
    /// mask says (a field marked `mask`, or a value computed from one).
    Traced(Span, Mask, Box<Node>),
}

impl Node {
    /// The number of nodes evaluated at most by one evaluation of this node, not counting the
    /// bodies of nested quantifiers (each of their items pays for its own body): the work units
    /// one item of an enclosing quantifier costs.
    pub fn weight(&self) -> u32 {
        let sum = |nodes: &[Node]| {
            nodes
                .iter()
                .fold(0u32, |acc, n| acc.saturating_add(n.weight()))
        };
        let own = match self {
            Node::Const(_)
            | Node::Field(_)
            | Node::Item { .. }
            | Node::ItemValue { .. }
            | Node::Present(_)
            | Node::PresentSource(_)
            | Node::PresentItem { .. }
            | Node::IsDash(_)
            | Node::FieldCmpConst(..)
            | Node::FieldInConst { .. }
            | Node::FieldSymEq { .. }
            | Node::FieldSymIn { .. }
            | Node::Len(_)
            | Node::Decision(_)
            | Node::Quant { .. } => 0,
            Node::Not(e)
            | Node::Neg(e)
            | Node::CmpConst(_, e, _)
            | Node::InConst { needle: e, .. }
            | Node::InSource { needle: e, .. }
            | Node::Lookup { key: e, .. }
            | Node::InTable { key: e, .. }
            | Node::Traced(_, _, e) => e.weight(),
            // A regular expression costs about as much as eight simple nodes (measured: the
            // benches' `work_limit` group), so a body of matches reaches the limit as fast.
            Node::Matches(e, _) => e.weight().saturating_add(7),
            Node::And(items) | Node::Or(items) | Node::Call(_, items) => sum(items),
            Node::Cmp(_, l, r) | Node::Arith(_, l, r) => l.weight().saturating_add(r.weight()),
            Node::InNodes { needle, items, .. } => needle.weight().saturating_add(sum(items)),
            Node::If(parts) => sum(&**parts),
            Node::Coalesce(parts) => sum(&**parts),
        };
        own.saturating_add(1)
    }
}
