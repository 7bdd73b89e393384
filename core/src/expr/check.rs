//! The type checker: resolves names against the schema, parameters, tables and decisions, checks
//! types, and lowers the syntax tree to the compiled [`Node`] form.

use std::collections::HashMap;

use regex::Regex;

use super::ast::{Ast, BinOp, Lit, Span};
use super::eval::MAX_QUANT_DEPTH;
use super::ir::{ArithOp, CmpOp, Node, Source};
use crate::builtins::{self, dates};
use crate::mask::Mask;
use crate::schema::{symbol, symbols_of, Member, Schema};
use crate::value::{ItemTy, Scalar, Ty};

/// Largest compiled regex program accepted (bytes), so hostile patterns fail at compile time.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A type or name error inside one expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckError {
    /// Stable code (see `docs/errors.md`).
    pub code: &'static str,
    /// Where in the expression text.
    pub span: Span,
    /// Lower-case message without final period.
    pub message: String,
}

/// Why a `date_or_month` cannot be compared as it is: given only as a month, it is a range of days.
fn imprecise_hint() -> &'static str {
    "a date_or_month may be known only to the month: compare `earliest(x)` or `latest(x)` \
     (the first or last day it can be) or `to_month(x)`, and say which end the rule means"
}

fn fail<T>(code: &'static str, span: Span, message: impl Into<String>) -> Result<T, CheckError> {
    Err(CheckError {
        code,
        span,
        message: message.into(),
    })
}

/// A parameter value as the checker inlines it.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// A single value.
    Scalar(Scalar),
    /// A list of values of one type.
    List(ItemTy, Vec<Scalar>),
}

/// A table as the checker sees it: its index and column names and types.
#[derive(Debug, Clone)]
pub struct TableSig {
    /// Index into the engine's tables.
    pub index: u32,
    /// Column names, key first.
    pub columns: Vec<String>,
    /// Column types.
    pub types: Vec<Ty>,
}

/// Everything names resolve against.
pub struct Names<'c> {
    /// The compiled schema.
    pub schema: &'c Schema,
    /// Parameters by name.
    pub params: &'c HashMap<String, ParamValue>,
    /// Tables by id.
    pub tables: &'c HashMap<String, TableSig>,
    /// Decisions by id, with their index and step; only those declared before the expression's owner.
    pub decisions: &'c HashMap<String, (u32, u32)>,
}

/// The checker's state for one expression.
pub struct Checker<'c> {
    names: &'c Names<'c>,
    regexes: &'c mut Vec<Regex>,
    /// Quantifier variables in scope, innermost last.
    vars: Vec<(String, Source)>,
    /// Wrap values in `Traced` nodes (the explain form).
    trace: bool,
    /// Slots of the top-level fields read (for step inference and "what is missing").
    pub reads: Vec<u32>,
    /// Records/list fields read, as their step index.
    pub read_steps: Vec<u32>,
}

/// A checked expression.
pub struct Typed {
    /// Compiled node.
    pub node: Node,
    /// Its type.
    pub ty: Ty,
    /// How its value is shown: masked when it is, or is computed from, a field marked `mask`.
    pub mask: Mask,
}

impl Typed {
    /// A value that reads no masked field, or a boolean (which is shown: it tells one bit).
    fn clear(node: Node, ty: Ty) -> Typed {
        Typed {
            node,
            ty,
            mask: Mask::Clear,
        }
    }
}

impl<'c> Checker<'c> {
    /// A checker; `trace` selects the explain form.
    pub fn new(names: &'c Names<'c>, regexes: &'c mut Vec<Regex>, trace: bool) -> Self {
        Self {
            names,
            regexes,
            vars: Vec::new(),
            trace,
            reads: Vec::new(),
            read_steps: Vec::new(),
        }
    }

    /// A fused `field == text` or `field in [texts]` of a field with an enumeration, rewritten to
    /// compare symbols ([`Node::FieldSymEq`], [`Node::FieldSymIn`]); any other node unchanged.
    fn intern(&self, node: Node) -> Node {
        let allowed = |slot: u32| {
            self.names
                .schema
                .field(slot)
                .and_then(|f| f.constraints.allowed.as_ref())
        };
        match node {
            Node::FieldCmpConst(op @ (CmpOp::Eq | CmpOp::Ne), slot, Scalar::Text(text)) => {
                match allowed(slot) {
                    Some(values) => Node::FieldSymEq {
                        slot,
                        sym: symbol(values, &text),
                        text,
                        negate: op == CmpOp::Ne,
                    },
                    None => Node::FieldCmpConst(op, slot, Scalar::Text(text)),
                }
            }
            Node::FieldInConst { slot, set, negate } => {
                match allowed(slot).and_then(|values| symbols_of(values, &set)) {
                    Some(syms) => Node::FieldSymIn {
                        slot,
                        syms,
                        set,
                        negate,
                    },
                    None => Node::FieldInConst { slot, set, negate },
                }
            }
            node => node,
        }
    }

    fn traced(&self, span: Span, node: Node) -> Node {
        self.traced_masked(span, Mask::Clear, node)
    }

    fn traced_masked(&self, span: Span, mask: Mask, node: Node) -> Node {
        if self.trace {
            Node::Traced(span, mask, Box::new(node))
        } else {
            node
        }
    }

    /// Check an expression that must be boolean.
    pub fn check_bool(&mut self, ast: &Ast) -> Result<Node, CheckError> {
        let t = self.check(ast)?;
        if t.ty != Ty::Bool {
            return fail(
                "type_mismatch",
                ast.span(),
                format!("expected a condition (bool), found {}", t.ty),
            );
        }
        Ok(t.node)
    }

    /// Check any expression.
    pub fn check(&mut self, ast: &Ast) -> Result<Typed, CheckError> {
        match ast {
            Ast::Lit(l, span) => {
                let s = literal(l, *span)?;
                Ok(Typed::clear(Node::Const(s.clone()), s.ty()))
            }
            Ast::Param(name, span) => match self.names.params.get(name) {
                Some(ParamValue::Scalar(s)) => Ok(Typed::clear(Node::Const(s.clone()), s.ty())),
                Some(ParamValue::List(..)) => fail(
                    "type_mismatch",
                    *span,
                    format!("`${name}` is a list; use it on the right of `in`"),
                ),
                None => fail(
                    "unknown_param",
                    *span,
                    format!(
                        "unknown parameter `${name}`{}",
                        hint(name, self.names.params.keys())
                    ),
                ),
            },
            Ast::Path(parts, span) => self.path(parts, *span),
            Ast::Not(e, _) => {
                let n = self.check_bool(e)?;
                Ok(Typed::clear(Node::Not(Box::new(n)), Ty::Bool))
            }
            Ast::Neg(e, span) => {
                let t = self.check(e)?;
                if !matches!(t.ty, Ty::Int | Ty::Num) {
                    return fail("type_mismatch", *span, format!("cannot negate {}", t.ty));
                }
                Ok(Typed {
                    node: Node::Neg(Box::new(t.node)),
                    ty: t.ty,
                    mask: t.mask.derive(),
                })
            }
            Ast::Binary(op, l, r, span) => self.binary(*op, l, r, *span),
            Ast::List(_, span) => fail(
                "type_mismatch",
                *span,
                "a list can only stand on the right of `in`",
            ),
            Ast::Call(name, args, span) => self.call(name, args, *span),
            Ast::Quant {
                kind,
                var,
                over,
                body,
                span,
            } => {
                let source = self.source(over, *span)?;
                if self.vars.len() >= MAX_QUANT_DEPTH {
                    return fail(
                        "too_complex",
                        *span,
                        format!("quantifiers nest deeper than {MAX_QUANT_DEPTH}"),
                    );
                }
                if self.names.schema.step_index(var).is_some() {
                    return fail(
                        "shadowed_name",
                        *span,
                        format!("`{var}` is a step name; pick another variable"),
                    );
                }
                let depth = u8::try_from(self.vars.len()).unwrap_or(u8::MAX);
                self.vars.push((var.clone(), source));
                let body = self.check_bool(body);
                self.vars.pop();
                let body = body?;
                let node = Node::Quant {
                    kind: *kind,
                    source,
                    depth,
                    cost: body.weight().saturating_add(1),
                    body: Box::new(body),
                };
                let ty = if *kind == super::ast::Quant::Count {
                    Ty::Int
                } else {
                    Ty::Bool
                };
                // A count of booleans tells no more than the booleans: shown.
                Ok(Typed::clear(self.traced(*span, node), ty))
            }
        }
    }

    fn source(&mut self, parts: &[String], span: Span) -> Result<Source, CheckError> {
        let path = parts.join(".");
        match self.names.schema.member(&path) {
            Some(Member::Records(i)) => {
                self.note_step(&path);
                Ok(Source::Records(i))
            }
            Some(Member::List(i)) => {
                self.note_step(&path);
                Ok(Source::List(i))
            }
            Some(Member::Scalar(_)) => {
                fail("type_mismatch", span, format!("`{path}` is not a list"))
            }
            None => fail(
                "unknown_field",
                span,
                format!("unknown field `{path}`{}", self.field_hint(&path)),
            ),
        }
    }

    fn note_step(&mut self, path: &str) {
        if let Some(step) = path
            .split('.')
            .next()
            .and_then(|s| self.names.schema.step_index(s))
        {
            self.read_steps.push(step);
        }
    }

    fn field_hint(&self, path: &str) -> String {
        hint(path, self.names.schema.paths())
    }

    fn path(&mut self, parts: &[String], span: Span) -> Result<Typed, CheckError> {
        let schema = self.names.schema;
        if let Some(first) = parts.first() {
            if let Some(depth) = self.vars.iter().rposition(|(v, _)| v == first) {
                let source = self.vars.get(depth).map(|(_, s)| *s);
                let depth = u8::try_from(depth).unwrap_or(u8::MAX);
                return match (source, parts) {
                    (Some(Source::List(l)), [_]) => {
                        let ty = schema.list_item_ty(l).map_or(Ty::Text, ItemTy::ty);
                        let mask = field_mask(schema.lists.get(l as usize).map(|l| &l.field));
                        Ok(Typed {
                            node: self.traced_masked(span, mask, Node::ItemValue { depth }),
                            ty,
                            mask,
                        })
                    }
                    (Some(Source::Records(r)), [_, name]) => match schema.item_field(r, name) {
                        Some((field, info)) => {
                            let mask = field_mask(Some(info));
                            let node = self.traced_masked(span, mask, Node::Item { depth, field });
                            Ok(Typed {
                                node,
                                ty: info.ty,
                                mask,
                            })
                        }
                        None => fail(
                            "unknown_field",
                            span,
                            format!(
                                "records have no field `{name}`{}",
                                hint(name, schema.item_names(r))
                            ),
                        ),
                    },
                    (Some(Source::Records(_)), [_]) => fail(
                        "type_mismatch",
                        span,
                        format!("`{first}` is a record; name one of its fields"),
                    ),
                    _ => fail(
                        "unknown_field",
                        span,
                        format!("`{}` is not a field of `{first}`", parts.join(".")),
                    ),
                };
            }
        }
        let path = parts.join(".");
        match schema.member(&path) {
            Some(Member::Scalar(slot)) => {
                let info = schema.field(slot);
                self.reads.push(slot);
                let ty = info.map_or(Ty::Text, |f| f.ty);
                let mask = field_mask(info);
                Ok(Typed {
                    node: self.traced_masked(span, mask, Node::Field(slot)),
                    ty,
                    mask,
                })
            }
            Some(Member::Records(_) | Member::List(_)) => fail(
                "type_mismatch",
                span,
                format!("`{path}` is a list; use it with any/all/count, len or `in`"),
            ),
            None if parts.len() == 1 && builtins::NAMES.contains(&path.as_str()) => fail(
                "syntax_error",
                span,
                format!("`{path}` is a function; call it as `{path}(…)`"),
            ),
            None => fail(
                "unknown_field",
                span,
                format!("unknown field `{path}`{}", self.field_hint(&path)),
            ),
        }
    }

    /// The enumeration of a field a node reads directly, if any.
    fn enum_of(&self, ast: &Ast) -> Option<(String, &'c [Box<str>])> {
        let Ast::Path(parts, _) = ast else {
            return None;
        };
        let schema = self.names.schema;
        if let Some((_, source)) = parts
            .first()
            .and_then(|f| self.vars.iter().rev().find(|(v, _)| v == f))
        {
            let (Source::Records(r), [_, name]) = (source, parts.as_slice()) else {
                return None;
            };
            let (_, info) = schema.item_field(*r, name)?;
            return info.enumeration.as_deref().map(|e| (parts.join("."), e));
        }
        let path = parts.join(".");
        let Member::Scalar(slot) = schema.member(&path)? else {
            return None;
        };
        schema
            .field(slot)?
            .enumeration
            .as_deref()
            .map(|e| (path, e))
    }

    fn check_enum_literal(&self, field: &Ast, lit: &Ast) -> Result<(), CheckError> {
        let Some((path, values)) = self.enum_of(field) else {
            return Ok(());
        };
        let check_one = |a: &Ast| match a {
            Ast::Lit(Lit::Text(s), span) if !values.iter().any(|v| &**v == s.as_str()) => fail(
                "unknown_enum_value",
                *span,
                format!(
                    "`{s}` is not a value of `{path}`{}",
                    hint(s, values.iter().map(AsRef::as_ref))
                ),
            ),
            _ => Ok(()),
        };
        match lit {
            Ast::List(items, _) => items.iter().try_for_each(check_one),
            other => check_one(other),
        }
    }

    fn binary(&mut self, op: BinOp, l: &Ast, r: &Ast, span: Span) -> Result<Typed, CheckError> {
        match op {
            BinOp::And | BinOp::Or => {
                let (a, b) = (self.check_bool(l)?, self.check_bool(r)?);
                let mut items = Vec::new();
                for n in [a, b] {
                    match (op, n) {
                        (BinOp::And, Node::And(inner)) | (BinOp::Or, Node::Or(inner)) => {
                            items.extend(inner.into_vec());
                        }
                        (_, n) => items.push(n),
                    }
                }
                let node = if op == BinOp::And {
                    Node::And(items.into())
                } else {
                    Node::Or(items.into())
                };
                Ok(Typed::clear(node, Ty::Bool))
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.check_enum_literal(l, r)?;
                self.check_enum_literal(r, l)?;
                let (a, b) = (self.check(l)?, self.check(r)?);
                if a.ty == Ty::DateOrMonth || b.ty == Ty::DateOrMonth {
                    return fail("type_mismatch", span, imprecise_hint());
                }
                if Ty::unify(a.ty, b.ty).is_none() || matches!(a.ty, Ty::List(_) | Ty::Records) {
                    return fail(
                        "type_mismatch",
                        span,
                        format!("cannot compare {} with {}", a.ty, b.ty),
                    );
                }
                if !matches!(op, BinOp::Eq | BinOp::Ne) && a.ty == Ty::Bool {
                    return fail("type_mismatch", span, "booleans have no order");
                }
                let cmp = match op {
                    BinOp::Eq => CmpOp::Eq,
                    BinOp::Ne => CmpOp::Ne,
                    BinOp::Lt => CmpOp::Lt,
                    BinOp::Le => CmpOp::Le,
                    BinOp::Gt => CmpOp::Gt,
                    _ => CmpOp::Ge,
                };
                let node = self.intern(fuse_cmp(cmp, a.node, b.node));
                Ok(Typed::clear(self.traced(span, node), Ty::Bool))
            }
            BinOp::In | BinOp::NotIn => {
                let negate = op == BinOp::NotIn;
                self.check_enum_literal(l, r)?;
                let needle = self.check(l)?;
                let node = self.membership(needle, r, negate, span)?;
                Ok(Typed::clear(self.traced(span, node), Ty::Bool))
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                let (a, b) = (self.check(l)?, self.check(r)?);
                let ty = match (a.ty, b.ty) {
                    (Ty::Int, Ty::Int) => Ty::Int,
                    (Ty::Int | Ty::Num, Ty::Int | Ty::Num) => Ty::Num,
                    _ => {
                        return fail(
                            "type_mismatch",
                            span,
                            format!(
                                "`{}` needs numbers, found {} and {}{}",
                                op.symbol(),
                                a.ty,
                                b.ty,
                                if matches!(a.ty, Ty::Date | Ty::Month) {
                                    "; use add_months or months_between for dates"
                                } else {
                                    ""
                                }
                            ),
                        )
                    }
                };
                let aop = match op {
                    BinOp::Add => ArithOp::Add,
                    BinOp::Sub => ArithOp::Sub,
                    BinOp::Mul => ArithOp::Mul,
                    BinOp::Div => ArithOp::Div,
                    _ => ArithOp::Rem,
                };
                Ok(Typed {
                    node: Node::Arith(aop, Box::new(a.node), Box::new(b.node)),
                    ty,
                    mask: a.mask.join(b.mask).derive(),
                })
            }
        }
    }

    fn membership(
        &mut self,
        needle: Typed,
        r: &Ast,
        negate: bool,
        span: Span,
    ) -> Result<Node, CheckError> {
        if needle.ty == Ty::DateOrMonth {
            return fail("type_mismatch", span, imprecise_hint());
        }
        let mismatch = |item: Ty| {
            fail(
                "type_mismatch",
                span,
                format!("cannot look for {} in a list of {}", needle.ty, item),
            )
        };
        match r {
            Ast::List(items, _) => {
                let mut consts = Vec::new();
                let mut nodes = Vec::new();
                for item in items {
                    let t = self.check(item)?;
                    if Ty::unify(needle.ty, t.ty).is_none() {
                        return mismatch(t.ty);
                    }
                    if let Node::Const(s) = &t.node {
                        consts.push(s.clone());
                    }
                    nodes.push(t.node);
                }
                Ok(if consts.len() == nodes.len() {
                    self.intern(fuse_in(needle.node, consts, negate))
                } else {
                    Node::InNodes {
                        needle: Box::new(needle.node),
                        items: nodes.into(),
                        negate,
                    }
                })
            }
            Ast::Param(name, pspan) => match self.names.params.get(name) {
                Some(ParamValue::List(item, values)) => {
                    if Ty::unify(needle.ty, item.ty()).is_none() {
                        return mismatch(item.ty());
                    }
                    Ok(self.intern(fuse_in(needle.node, values.clone(), negate)))
                }
                Some(ParamValue::Scalar(_)) => {
                    fail("type_mismatch", *pspan, format!("`${name}` is not a list"))
                }
                None => fail(
                    "unknown_param",
                    *pspan,
                    format!("unknown parameter `${name}`"),
                ),
            },
            Ast::Path(parts, pspan) => {
                let source = self.source(parts, *pspan)?;
                let Source::List(l) = source else {
                    return fail("type_mismatch", *pspan, "use any(…) to search records");
                };
                let item = self
                    .names
                    .schema
                    .list_item_ty(l)
                    .map_or(Ty::Text, ItemTy::ty);
                if Ty::unify(needle.ty, item).is_none() {
                    return mismatch(item);
                }
                Ok(Node::InSource {
                    needle: Box::new(needle.node),
                    source,
                    negate,
                })
            }
            other => fail(
                "type_mismatch",
                other.span(),
                "expected a list, a list parameter or a list field after `in`",
            ),
        }
    }

    fn text_literal<'a>(ast: &'a Ast, what: &str) -> Result<&'a str, CheckError> {
        match ast {
            Ast::Lit(Lit::Text(s), _) => Ok(s),
            other => fail(
                "type_mismatch",
                other.span(),
                format!("{what} must be a string literal"),
            ),
        }
    }

    fn call(&mut self, name: &str, args: &[Ast], span: Span) -> Result<Typed, CheckError> {
        let arity = |n: usize| -> Result<(), CheckError> {
            if args.len() == n {
                Ok(())
            } else {
                fail(
                    "wrong_arity",
                    span,
                    format!("`{name}` takes {n} argument(s), found {}", args.len()),
                )
            }
        };
        let node = match name {
            "present" | "absent" | "is_dash" => {
                arity(1)?;
                let Some(Ast::Path(parts, pspan)) = args.first() else {
                    return fail(
                        "type_mismatch",
                        span,
                        format!("`{name}` takes a field path"),
                    );
                };
                let mut node = self.presence(parts, *pspan, name == "is_dash")?;
                if name == "absent" {
                    node = Node::Not(Box::new(node));
                }
                return Ok(Typed::clear(self.traced(span, node), Ty::Bool));
            }
            "coalesce" => {
                let [a, b] = args else {
                    return arity(2).and_then(|()| fail("wrong_arity", span, ""));
                };
                let (a, b) = (self.check(a)?, self.check(b)?);
                let Some(ty) = Ty::unify(a.ty, b.ty) else {
                    return fail(
                        "type_mismatch",
                        span,
                        format!("`coalesce` of {} and {}", a.ty, b.ty),
                    );
                };
                // Either operand passes through unchanged: the stricter of their masks.
                return Ok(Typed {
                    mask: a.mask.join(b.mask),
                    node: Node::Coalesce(Box::new([a.node, b.node])),
                    ty,
                });
            }
            "if" => {
                let [c, a, b] = args else {
                    return arity(3).and_then(|()| fail("wrong_arity", span, ""));
                };
                let c = self.check_bool(c)?;
                let (a, b) = (self.check(a)?, self.check(b)?);
                let Some(ty) = Ty::unify(a.ty, b.ty) else {
                    return fail(
                        "type_mismatch",
                        span,
                        format!("`if` branches are {} and {}", a.ty, b.ty),
                    );
                };
                // The condition is a boolean (shown); either branch passes through unchanged.
                return Ok(Typed {
                    mask: a.mask.join(b.mask),
                    node: Node::If(Box::new([c, a.node, b.node])),
                    ty,
                });
            }
            "len" if matches!(args, [Ast::Path(p, _)] if self.is_source(p)) => {
                let [Ast::Path(parts, pspan)] = args else {
                    return fail("wrong_arity", span, "");
                };
                let source = self.source(parts, *pspan)?;
                return Ok(Typed::clear(self.traced(span, Node::Len(source)), Ty::Int));
            }
            "matches" => {
                let [text_arg, pattern_arg] = args else {
                    return arity(2).and_then(|()| fail("wrong_arity", span, ""));
                };
                let t = self.check(text_arg)?;
                if t.ty != Ty::Text {
                    return fail(
                        "type_mismatch",
                        text_arg.span(),
                        format!("`matches` needs text, found {}", t.ty),
                    );
                }
                let pattern = Self::text_literal(pattern_arg, "the pattern")?;
                let re = compile_regex(pattern).map_err(|m| CheckError {
                    code: "bad_regex",
                    span: pattern_arg.span(),
                    message: m,
                })?;
                let index = u32::try_from(self.regexes.len()).unwrap_or(u32::MAX);
                self.regexes.push(re);
                Node::Matches(Box::new(t.node), index)
            }
            "lookup" | "in_table" => {
                let (table_arg, key_arg, column_arg) = match (name, args) {
                    ("lookup", [t, k, c]) => (t, k, Some(c)),
                    ("in_table", [t, k]) => (t, k, None),
                    _ => {
                        return arity(if name == "lookup" { 3 } else { 2 })
                            .and_then(|()| fail("wrong_arity", span, ""))
                    }
                };
                let table_name = Self::text_literal(table_arg, "the table name")?;
                let Some(table) = self.names.tables.get(table_name) else {
                    return fail(
                        "unknown_table",
                        table_arg.span(),
                        format!(
                            "unknown table `{table_name}`{}",
                            hint(table_name, self.names.tables.keys())
                        ),
                    );
                };
                let key = self.check(key_arg)?;
                if key.ty != Ty::Text {
                    return fail(
                        "type_mismatch",
                        key_arg.span(),
                        format!("table keys are text, found {}", key.ty),
                    );
                }
                let Some(column_arg) = column_arg else {
                    let node = Node::InTable {
                        table: table.index,
                        key: Box::new(key.node),
                    };
                    return Ok(Typed::clear(self.traced(span, node), Ty::Bool));
                };
                let column_name = Self::text_literal(column_arg, "the column name")?;
                let Some(column) = table.columns.iter().position(|c| c == column_name) else {
                    return fail(
                        "unknown_column",
                        column_arg.span(),
                        format!(
                            "table `{table_name}` has no column `{column_name}`{}",
                            hint(column_name, table.columns.iter())
                        ),
                    );
                };
                let ty = table.types.get(column).copied().unwrap_or(Ty::Text);
                let node = Node::Lookup {
                    table: table.index,
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                    key: Box::new(key.node),
                };
                // A row found by a masked key tells about the key: masked like a computed value.
                let mask = key.mask.derive();
                return Ok(Typed {
                    node: self.traced_masked(span, mask, node),
                    ty,
                    mask,
                });
            }
            "decision" => {
                let [id_arg] = args else {
                    return arity(1).and_then(|()| fail("wrong_arity", span, ""));
                };
                let id = Self::text_literal(id_arg, "the decision id")?;
                let Some(&(index, step)) = self.names.decisions.get(id) else {
                    return fail(
                        "unknown_decision",
                        id_arg.span(),
                        format!(
                            "no decision `{id}` is declared before this point{}",
                            hint(id, self.names.decisions.keys())
                        ),
                    );
                };
                // A rule that reads a decision belongs no earlier than the decision's step.
                self.read_steps.push(step);
                // A decision's output is a constant of the pack, picked by conditions: shown.
                return Ok(Typed::clear(
                    self.traced(span, Node::Decision(index)),
                    Ty::Text,
                ));
            }
            _ => {
                let mut typed = Vec::with_capacity(args.len());
                for a in args {
                    typed.push(self.check(a)?);
                }
                if typed.len() > 3 {
                    return fail(
                        "wrong_arity",
                        span,
                        format!("`{name}` takes at most 3 arguments"),
                    );
                }
                let tys: Vec<Ty> = typed.iter().map(|t| t.ty).collect();
                match builtins::resolve(name, &tys) {
                    Ok(Some((f, ty))) => {
                        let mask = if ty == Ty::Bool {
                            Mask::Clear
                        } else {
                            typed
                                .iter()
                                .fold(Mask::Clear, |m, t| m.join(t.mask))
                                .derive()
                        };
                        let node = Node::Call(f, typed.into_iter().map(|t| t.node).collect());
                        return Ok(Typed {
                            node: self.traced_masked(span, mask, node),
                            ty,
                            mask,
                        });
                    }
                    Ok(None) => {
                        return fail(
                            "unknown_function",
                            span,
                            format!(
                                "unknown function `{name}`{}",
                                hint(name, builtins::NAMES.iter().copied())
                            ),
                        )
                    }
                    Err(m) => match m.strip_prefix("wrong_arity: ") {
                        Some(m) => return fail("wrong_arity", span, m),
                        None => return fail("type_mismatch", span, m),
                    },
                }
            }
        };
        Ok(Typed::clear(self.traced(span, node), Ty::Bool))
    }

    fn is_source(&self, parts: &[String]) -> bool {
        matches!(
            self.names.schema.member(&parts.join(".")),
            Some(Member::Records(_) | Member::List(_))
        )
    }

    fn presence(&mut self, parts: &[String], span: Span, dash: bool) -> Result<Node, CheckError> {
        if let Some(depth) = parts
            .first()
            .and_then(|f| self.vars.iter().rposition(|(v, _)| v == f))
        {
            if let (Some((_, Source::Records(r))), [_, name]) = (self.vars.get(depth), parts) {
                if let Some((field, _)) = self.names.schema.item_field(*r, name) {
                    if !dash {
                        let depth = u8::try_from(depth).unwrap_or(u8::MAX);
                        return Ok(Node::PresentItem { depth, field });
                    }
                }
            }
            return fail("type_mismatch", span, "presence tests take a field path");
        }
        let path = parts.join(".");
        match self.names.schema.member(&path) {
            Some(Member::Scalar(slot)) => {
                self.reads.push(slot);
                Ok(if dash {
                    Node::IsDash(slot)
                } else {
                    Node::Present(slot)
                })
            }
            Some(Member::Records(i)) if !dash => Ok(Node::PresentSource(Source::Records(i))),
            Some(Member::List(i)) if !dash => Ok(Node::PresentSource(Source::List(i))),
            Some(_) => fail("type_mismatch", span, "`is_dash` takes a scalar field"),
            None => fail(
                "unknown_field",
                span,
                format!("unknown field `{path}`{}", self.field_hint(&path)),
            ),
        }
    }
}

/// The mask of a field's value: [`Mask::Field`] for a field marked `mask = true`; a field marked
/// `mask = "all"` shows none of its characters, as a value derived from a masked one.
fn field_mask(info: Option<&crate::schema::FieldInfo>) -> Mask {
    match info.map(|f| f.mask) {
        Some(crate::pack::model::MaskStyle::Partial) => Mask::Field,
        Some(crate::pack::model::MaskStyle::All) => Mask::Derived,
        _ => Mask::Clear,
    }
}

/// A comparison, fused into one node for the common shapes `field op constant` and
/// `expr op constant` (the explain form keeps its `Traced` wrappers, so it is never fused).
fn fuse_cmp(op: CmpOp, a: Node, b: Node) -> Node {
    match (a, b) {
        (Node::Field(slot), Node::Const(c)) => Node::FieldCmpConst(op, slot, c),
        (a, Node::Const(c)) => Node::CmpConst(op, Box::new(a), c),
        (a, b) => Node::Cmp(op, Box::new(a), Box::new(b)),
    }
}

/// Membership in a constant set, fused with a field read when the needle is one.
fn fuse_in(needle: Node, set: Vec<Scalar>, negate: bool) -> Node {
    match needle {
        Node::Field(slot) => Node::FieldInConst {
            slot,
            set: set.into(),
            negate,
        },
        needle => Node::InConst {
            needle: Box::new(needle),
            set: set.into(),
            negate,
        },
    }
}

/// Compile a pattern with the size limits that keep hostile patterns from exhausting memory.
pub fn compile_regex(pattern: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .nest_limit(64)
        .build()
        .map_err(|e| {
            format!(
                "bad regular expression: {}",
                e.to_string().lines().last().unwrap_or("invalid")
            )
        })
}

/// Read a literal into a constant.
pub fn literal(l: &Lit, span: Span) -> Result<Scalar, CheckError> {
    Ok(match l {
        Lit::Bool(b) => Scalar::Bool(*b),
        Lit::Int(i) => Scalar::Int(*i),
        Lit::Num(n) => Scalar::Num(*n),
        Lit::Text(s) => Scalar::Text(s.as_str().into()),
        Lit::Date(s) => match dates::parse_date(s) {
            Some(d) => Scalar::Date(d),
            None => return fail("bad_literal", span, format!("`@{s}` is not a valid date")),
        },
        Lit::Month(s) => match dates::YearMonth::parse(s) {
            Some(m) => Scalar::Month(m),
            None => return fail("bad_literal", span, format!("`@{s}` is not a valid month")),
        },
        Lit::DateTime(s) => match dates::parse_datetime(s) {
            Some(t) => Scalar::DateTime(t),
            None => {
                return fail(
                    "bad_literal",
                    span,
                    format!("`@{s}` is not an RFC 3339 timestamp"),
                )
            }
        },
    })
}

/// `"; did you mean `x`?"` for the closest candidate within a small edit distance, else `""`.
pub fn hint<'a, S: AsRef<str> + ?Sized + 'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a S>,
) -> String {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (distance(name, c.as_ref()), c.as_ref()))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}
