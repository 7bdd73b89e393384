//! Lexer and recursive-descent parser for the expression language (grammar in `docs/expressions.md`).

use super::ast::{Ast, BinOp, Lit, Quant, Span};

/// Longest expression text accepted, in bytes; longer texts are rejected before lexing.
pub const MAX_EXPR_BYTES: usize = 16 * 1024;
/// Deepest nesting of parentheses, calls and operators accepted.
pub const MAX_EXPR_DEPTH: usize = 64;

/// A syntax error: where (byte offset in the expression) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// Lower-case message without final period.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Num(f64),
    Text(String),
    Date(String),
    Month(String),
    DateTime(String),
    Ident(String),
    Param(String),
    Op(&'static str),
    End,
}

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError {
        offset,
        message: message.into(),
    })
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl<'s> Lexer<'s> {
    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn rest(&self) -> &'s str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'s str {
        let start = self.pos;
        while let Some(c) = self.peek_char() {
            if !f(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    /// Next token and the byte offset where it starts.
    fn next(&mut self) -> Result<(Tok, usize), SyntaxError> {
        self.take_while(char::is_whitespace);
        let start = self.pos;
        let Some(c) = self.peek_char() else {
            return Ok((Tok::End, start));
        };
        let tok = if c.is_ascii_digit() {
            let int = self.take_while(|c| c.is_ascii_digit());
            let rest = self.rest();
            if rest.starts_with('.') && rest.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
                self.take_while(|c| c.is_ascii_digit());
                let text = self.src.get(start..self.pos).unwrap_or("");
                match text.parse::<f64>() {
                    Ok(n) if n.is_finite() => Tok::Num(n),
                    Ok(_) => return err(start, format!("number `{text}` is too large")),
                    Err(_) => return err(start, format!("bad number `{text}`")),
                }
            } else {
                match int.parse::<i64>() {
                    Ok(i) => Tok::Int(i),
                    Err(_) => return err(start, format!("integer `{int}` is too large")),
                }
            }
        } else if c == '"' || c == '\'' {
            Tok::Text(self.string(c)?)
        } else if c == '@' {
            self.pos += 1;
            let text = self
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '+' | '.'));
            match text.len() {
                7 => Tok::Month(text.to_owned()),
                10 => Tok::Date(text.to_owned()),
                l if l > 10 => Tok::DateTime(text.to_owned()),
                _ => {
                    return err(
                        start,
                        format!(
                        "`@{text}` is not a date (`@YYYY-MM-DD`), month (`@YYYY-MM`) or timestamp"
                    ),
                    )
                }
            }
        } else if c == '$' {
            self.pos += 1;
            let name = self.take_while(is_ident_char);
            if name.is_empty() {
                return err(start, "expected a parameter name after `$`");
            }
            Tok::Param(name.to_owned())
        } else if is_ident_start(c) {
            Tok::Ident(self.take_while(is_ident_char).to_owned())
        } else {
            const OPS: [&str; 16] = [
                "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", ",",
            ];
            let rest = self.rest();
            if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
                self.pos += op.len();
                Tok::Op(op)
            } else if rest.starts_with('.') {
                self.pos += 1;
                Tok::Op(".")
            } else if rest.starts_with('=') {
                return err(start, "use `==` to compare");
            } else {
                return err(start, format!("unexpected character `{c}`"));
            }
        };
        Ok((tok, start))
    }

    fn string(&mut self, quote: char) -> Result<String, SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.peek_char() else {
                return err(start, "unterminated string");
            };
            self.pos += c.len_utf8();
            if c == quote {
                return Ok(out);
            }
            if c == '\\' {
                let Some(e) = self.peek_char() else {
                    return err(start, "unterminated string");
                };
                self.pos += e.len_utf8();
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    '\\' | '"' | '\'' => out.push(e),
                    other => {
                        return err(
                            self.pos - other.len_utf8() - 1,
                            format!("unknown escape `\\{other}`"),
                        )
                    }
                }
            } else {
                out.push(c);
            }
        }
    }
}

struct Parser<'s> {
    lexer: Lexer<'s>,
    tok: Tok,
    at: usize,
    prev_end: usize,
    depth: usize,
}

/// Parse one expression.
pub fn parse(src: &str) -> Result<Ast, SyntaxError> {
    if src.len() > MAX_EXPR_BYTES {
        return err(
            0,
            format!("expression is longer than {MAX_EXPR_BYTES} bytes"),
        );
    }
    let mut lexer = Lexer { src, pos: 0 };
    let (tok, at) = lexer.next()?;
    let mut p = Parser {
        lexer,
        tok,
        at,
        prev_end: 0,
        depth: 0,
    };
    if p.tok == Tok::End {
        return err(0, "empty expression");
    }
    let e = p.expr()?;
    if p.tok != Tok::End {
        return err(p.at, format!("unexpected {}", describe(&p.tok)));
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::End => "end of expression".into(),
        Tok::Op(o) => format!("`{o}`"),
        Tok::Ident(i) => format!("`{i}`"),
        Tok::Param(p) => format!("`${p}`"),
        Tok::Int(i) => format!("`{i}`"),
        Tok::Num(n) => format!("`{n}`"),
        Tok::Text(s) => format!("string \"{s}\""),
        Tok::Date(s) | Tok::Month(s) | Tok::DateTime(s) => format!("`@{s}`"),
    }
}

fn span(start: usize, end: usize) -> Span {
    Span {
        start: u32::try_from(start).unwrap_or(u32::MAX),
        end: u32::try_from(end).unwrap_or(u32::MAX),
    }
}

impl Parser<'_> {
    fn bump(&mut self) -> Result<Tok, SyntaxError> {
        self.prev_end = self.lexer.pos;
        let (next, at) = self.lexer.next()?;
        self.at = at;
        Ok(std::mem::replace(&mut self.tok, next))
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(&self.tok, Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Ident(i) if i == kw)
    }

    fn expect_op(&mut self, op: &str) -> Result<(), SyntaxError> {
        if self.is_op(op) {
            self.bump()?;
            Ok(())
        } else {
            err(
                self.at,
                format!("expected `{op}`, found {}", describe(&self.tok)),
            )
        }
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return err(
                self.at,
                format!("expression nests deeper than {MAX_EXPR_DEPTH}"),
            );
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Ast, SyntaxError> {
        self.enter()?;
        let e = self.binary(1);
        self.depth -= 1;
        e
    }

    fn peek_binop(&mut self) -> Option<BinOp> {
        match &self.tok {
            Tok::Ident(i) if i == "or" => Some(BinOp::Or),
            Tok::Ident(i) if i == "and" => Some(BinOp::And),
            Tok::Ident(i) if i == "in" => Some(BinOp::In),
            Tok::Ident(i) if i == "not" => {
                // `not in` is a binary operator; a lone `not` here is a syntax error caught later.
                let rest = self.lexer.rest().trim_start();
                let follows_in =
                    rest.starts_with("in") && !rest.chars().nth(2).is_some_and(is_ident_char);
                follows_in.then_some(BinOp::NotIn)
            }
            Tok::Op(o) => match *o {
                "==" => Some(BinOp::Eq),
                "!=" => Some(BinOp::Ne),
                "<" => Some(BinOp::Lt),
                "<=" => Some(BinOp::Le),
                ">" => Some(BinOp::Gt),
                ">=" => Some(BinOp::Ge),
                "+" => Some(BinOp::Add),
                "-" => Some(BinOp::Sub),
                "*" => Some(BinOp::Mul),
                "/" => Some(BinOp::Div),
                "%" => Some(BinOp::Rem),
                _ => None,
            },
            _ => None,
        }
    }

    /// Precedence climbing over binary operators, with `not` at level 3.
    fn binary(&mut self, min: u8) -> Result<Ast, SyntaxError> {
        let start = self.at;
        let mut lhs = if min <= 3 && self.is_kw("not") {
            self.bump()?;
            self.enter()?;
            let inner = self.binary(3)?;
            self.depth -= 1;
            Ast::Not(Box::new(inner), span(start, self.prev_end))
        } else {
            self.unary()?
        };
        while let Some(op) = self.peek_binop() {
            let p = op.precedence();
            if p < min {
                break;
            }
            if op == BinOp::NotIn {
                self.bump()?;
            }
            self.bump()?;
            self.enter()?;
            let rhs = self.binary(p + 1)?;
            self.depth -= 1;
            lhs = Ast::Binary(op, Box::new(lhs), Box::new(rhs), span(start, self.prev_end));
            if p == 4 && self.peek_binop().is_some_and(|o| o.precedence() == 4) {
                return err(self.at, "comparisons do not chain; combine them with `and`");
            }
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Ast, SyntaxError> {
        let start = self.at;
        if self.is_op("-") {
            self.bump()?;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            // Fold `-literal` so printed negative numbers read back as literals.
            return Ok(match inner {
                Ast::Lit(Lit::Int(i), _) if i != i64::MIN => {
                    Ast::Lit(Lit::Int(-i), span(start, self.prev_end))
                }
                Ast::Lit(Lit::Num(n), _) => Ast::Lit(Lit::Num(-n), span(start, self.prev_end)),
                other => Ast::Neg(Box::new(other), span(start, self.prev_end)),
            });
        }
        self.primary()
    }

    fn path_rest(&mut self, first: String) -> Result<Vec<String>, SyntaxError> {
        let mut parts = vec![first];
        while self.is_op(".") {
            self.bump()?;
            match self.bump()? {
                Tok::Ident(i) => parts.push(i),
                other => {
                    return err(
                        self.at,
                        format!(
                            "expected a field name after `.`, found {}",
                            describe(&other)
                        ),
                    )
                }
            }
        }
        Ok(parts)
    }

    fn primary(&mut self) -> Result<Ast, SyntaxError> {
        let start = self.at;
        let tok = self.bump()?;
        let lit = |l: Lit, p: &Self| Ok(Ast::Lit(l, span(start, p.prev_end)));
        match tok {
            Tok::Int(i) => lit(Lit::Int(i), self),
            Tok::Num(n) => lit(Lit::Num(n), self),
            Tok::Text(s) => lit(Lit::Text(s), self),
            Tok::Date(s) => lit(Lit::Date(s), self),
            Tok::Month(s) => lit(Lit::Month(s), self),
            Tok::DateTime(s) => lit(Lit::DateTime(s), self),
            Tok::Param(p) => Ok(Ast::Param(p, span(start, self.prev_end))),
            Tok::Op("(") => {
                let e = self.expr()?;
                self.expect_op(")")?;
                Ok(e)
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.is_op("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.is_op(",") {
                            self.bump()?;
                        } else {
                            break;
                        }
                    }
                }
                self.expect_op("]")?;
                Ok(Ast::List(items, span(start, self.prev_end)))
            }
            Tok::Ident(name) if name == "true" => lit(Lit::Bool(true), self),
            Tok::Ident(name) if name == "false" => lit(Lit::Bool(false), self),
            Tok::Ident(name) if matches!(name.as_str(), "and" | "or" | "in" | "not") => {
                err(start, format!("expected a value, found `{name}`"))
            }
            Tok::Ident(name) => {
                if self.is_op("(") {
                    self.bump()?;
                    let quant = match name.as_str() {
                        "any" => Some(Quant::Any),
                        "all" => Some(Quant::All),
                        "count" => Some(Quant::Count),
                        _ => None,
                    };
                    if let Some(kind) = quant {
                        return self.quantifier(kind, start);
                    }
                    let mut args = Vec::new();
                    if !self.is_op(")") {
                        loop {
                            args.push(self.expr()?);
                            if self.is_op(",") {
                                self.bump()?;
                            } else {
                                break;
                            }
                        }
                    }
                    self.expect_op(")")?;
                    Ok(Ast::Call(name, args, span(start, self.prev_end)))
                } else {
                    let parts = self.path_rest(name)?;
                    Ok(Ast::Path(parts, span(start, self.prev_end)))
                }
            }
            other => err(
                start,
                format!("expected a value, found {}", describe(&other)),
            ),
        }
    }

    fn quantifier(&mut self, kind: Quant, start: usize) -> Result<Ast, SyntaxError> {
        let var = match self.bump()? {
            Tok::Ident(v) => v,
            other => {
                return err(
                    self.at,
                    format!("expected a variable name, found {}", describe(&other)),
                )
            }
        };
        if !self.is_kw("in") {
            return err(
                self.at,
                format!("expected `in` after `{}({var}`", kind.keyword()),
            );
        }
        self.bump()?;
        let over = match self.bump()? {
            Tok::Ident(first) => self.path_rest(first)?,
            other => {
                return err(
                    self.at,
                    format!("expected a field path, found {}", describe(&other)),
                )
            }
        };
        self.expect_op(",")?;
        let body = self.expr()?;
        self.expect_op(")")?;
        Ok(Ast::Quant {
            kind,
            var,
            over,
            body: Box::new(body),
            span: span(start, self.prev_end),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn round(src: &str) -> String {
        parse(src).unwrap().to_string()
    }

    #[test]
    fn precedence_and_printing() {
        assert_eq!(
            round("a.b == 1 or c.d < 2 and not e.f"),
            "a.b == 1 or c.d < 2 and not e.f"
        );
        assert_eq!(round("(a.b + 1) * 2"), "(a.b + 1) * 2");
        assert_eq!(round("a - (b - c)"), "a - (b - c)");
        assert_eq!(round("x not in ['a', \"b\"]"), "x not in [\"a\", \"b\"]");
        assert_eq!(
            round("any(c in certificates.records, c.cert_type == '医师执业证书')"),
            "any(c in certificates.records, c.cert_type == \"医师执业证书\")"
        );
        assert_eq!(round("@2024-08-31 <= $cutoff"), "@2024-08-31 <= $cutoff");
        assert_eq!(round("-3 + -x"), "-3 + -x");
    }

    #[test]
    fn errors_have_offsets() {
        let e = parse("a == ").unwrap_err();
        assert_eq!(e.offset, 5);
        assert_eq!(parse("a = 1").unwrap_err().offset, 2);
        assert!(parse("a < b < c").unwrap_err().message.contains("chain"));
        assert!(parse("'open").unwrap_err().message.contains("unterminated"));
        assert!(parse("@2024").is_err());
        assert!(parse("").is_err());
        assert!(parse("f(1,)").is_err());
    }

    #[test]
    fn depth_is_limited() {
        let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
        assert!(parse(&deep).unwrap_err().message.contains("deeper"));
        let negs = format!("{}x", "-".repeat(500));
        assert!(parse(&negs).is_err());
        let nots = format!("{}x", "not ".repeat(500));
        assert!(parse(&nots).is_err());
    }
}
