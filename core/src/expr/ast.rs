//! The syntax tree of the expression language, and its canonical printer.
//!
//! Printing is the inverse of parsing (up to spans and redundant parentheses), which the property
//! tests check: `parse(print(e)) == e`.

use std::fmt;

/// Byte range of a node inside the expression text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// A literal as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `true` / `false`.
    Bool(bool),
    /// `12`.
    Int(i64),
    /// `1.5`.
    Num(f64),
    /// `"text"`.
    Text(String),
    /// `@2024-08-31`, kept as written and checked by the type checker.
    Date(String),
    /// `@2024-08`.
    Month(String),
    /// `@2024-02-04T23:59:59+08:00`.
    DateTime(String),
}

/// Binary operators, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
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
    /// `in`
    In,
    /// `not in`
    NotIn,
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

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::NotIn => "not in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::In
            | BinOp::NotIn => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
        }
    }
}

/// Quantifier kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quant {
    /// Some item satisfies the condition.
    Any,
    /// Every item does.
    All,
    /// How many do.
    Count,
}

impl Quant {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Quant::Any => "any",
            Quant::All => "all",
            Quant::Count => "count",
        }
    }
}

/// An expression node.
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    /// A literal.
    Lit(Lit, Span),
    /// A dotted field path (or a quantifier variable and its fields).
    Path(Vec<String>, Span),
    /// `$name`.
    Param(String, Span),
    /// `name(args)`.
    Call(String, Vec<Ast>, Span),
    /// `any(x in path, cond)` and friends.
    Quant {
        /// Which quantifier.
        kind: Quant,
        /// The variable name.
        var: String,
        /// The records or list it ranges over.
        over: Vec<String>,
        /// The condition.
        body: Box<Ast>,
        /// Whole span.
        span: Span,
    },
    /// `not x`.
    Not(Box<Ast>, Span),
    /// `-x`.
    Neg(Box<Ast>, Span),
    /// `l op r`.
    Binary(BinOp, Box<Ast>, Box<Ast>, Span),
    /// `[a, b]`.
    List(Vec<Ast>, Span),
}

impl Ast {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Ast::Lit(_, s)
            | Ast::Path(_, s)
            | Ast::Param(_, s)
            | Ast::Call(_, _, s)
            | Ast::Not(_, s)
            | Ast::Neg(_, s)
            | Ast::Binary(_, _, _, s)
            | Ast::List(_, s) => *s,
            Ast::Quant { span, .. } => *span,
        }
    }

    /// Binding strength of the node when printed (atoms bind tightest).
    fn precedence(&self) -> u8 {
        match self {
            Ast::Binary(op, ..) => op.precedence(),
            Ast::Not(..) => 3,
            _ => 9,
        }
    }

    /// The same tree with every span zeroed, for comparing trees parsed from different texts.
    #[cfg(test)]
    #[must_use]
    pub fn without_spans(&self) -> Ast {
        let z = Span::default();
        match self {
            Ast::Lit(l, _) => Ast::Lit(l.clone(), z),
            Ast::Path(p, _) => Ast::Path(p.clone(), z),
            Ast::Param(p, _) => Ast::Param(p.clone(), z),
            Ast::Call(n, a, _) => {
                Ast::Call(n.clone(), a.iter().map(Ast::without_spans).collect(), z)
            }
            Ast::Quant {
                kind,
                var,
                over,
                body,
                ..
            } => Ast::Quant {
                kind: *kind,
                var: var.clone(),
                over: over.clone(),
                body: Box::new(body.without_spans()),
                span: z,
            },
            Ast::Not(e, _) => Ast::Not(Box::new(e.without_spans()), z),
            Ast::Neg(e, _) => Ast::Neg(Box::new(e.without_spans()), z),
            Ast::Binary(op, l, r, _) => Ast::Binary(
                *op,
                Box::new(l.without_spans()),
                Box::new(r.without_spans()),
                z,
            ),
            Ast::List(items, _) => Ast::List(items.iter().map(Ast::without_spans).collect(), z),
        }
    }
}

fn write_text_literal(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

impl fmt::Display for Lit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(i) => write!(f, "{i}"),
            // `{:?}` keeps a decimal point (`1.0`), so the number reads back as a number.
            Lit::Num(n) => write!(f, "{n:?}"),
            Lit::Text(s) => write_text_literal(f, s),
            Lit::Date(s) | Lit::Month(s) | Lit::DateTime(s) => write!(f, "@{s}"),
        }
    }
}

fn write_joined(f: &mut fmt::Formatter<'_>, items: &[Ast]) -> fmt::Result {
    for (i, a) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{a}")?;
    }
    Ok(())
}

fn write_operand(f: &mut fmt::Formatter<'_>, e: &Ast, min: u8) -> fmt::Result {
    if e.precedence() < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl fmt::Display for Ast {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ast::Lit(l, _) => write!(f, "{l}"),
            Ast::Path(p, _) => f.write_str(&p.join(".")),
            Ast::Param(p, _) => write!(f, "${p}"),
            Ast::Call(n, args, _) => {
                write!(f, "{n}(")?;
                write_joined(f, args)?;
                f.write_str(")")
            }
            Ast::Quant {
                kind,
                var,
                over,
                body,
                ..
            } => {
                write!(f, "{}({var} in {}, {body})", kind.keyword(), over.join("."))
            }
            Ast::Not(e, _) => {
                f.write_str("not ")?;
                write_operand(f, e, 3)
            }
            Ast::Neg(e, _) => {
                f.write_str("-")?;
                write_operand(f, e, 9)
            }
            Ast::Binary(op, l, r, _) => {
                let p = op.precedence();
                // Comparisons do not chain, so both sides of one must bind tighter; the other
                // operators are left-associative, so only the right side needs the stricter bound.
                let left_min = if p == 4 { p + 1 } else { p };
                write_operand(f, l, left_min)?;
                write!(f, " {} ", op.symbol())?;
                write_operand(f, r, p + 1)
            }
            Ast::List(items, _) => {
                f.write_str("[")?;
                write_joined(f, items)?;
                f.write_str("]")
            }
        }
    }
}
