//! Scalar expressions, pipelines (`source | op | ...`), literals and `dynamic(...)`.

use super::{Parser, Progress, unquote};
use crate::kql::ast::*;
use crate::kql::errors::SyntaxErrorCode;
use crate::kql::lexer::TokenKind as K;
use crate::span::TextRange;

/// String operators: (word, op, case_sensitive). `!` prefixed forms are handled by the caller.
const STRING_OPS: &[(&str, StringOp, bool)] = &[
    ("contains", StringOp::Contains, false),
    ("contains_cs", StringOp::Contains, true),
    ("containscs", StringOp::Contains, true),
    ("endswith", StringOp::EndsWith, false),
    ("endswith_cs", StringOp::EndsWith, true),
    ("has", StringOp::Has, false),
    ("has_cs", StringOp::Has, true),
    ("hasprefix", StringOp::HasPrefix, false),
    ("hasprefix_cs", StringOp::HasPrefix, true),
    ("hassuffix", StringOp::HasSuffix, false),
    ("hassuffix_cs", StringOp::HasSuffix, true),
    ("like", StringOp::Like, false),
    ("likecs", StringOp::Like, true),
    ("notcontains", StringOp::NotContains, false),
    ("notcontainscs", StringOp::NotContains, true),
    ("startswith", StringOp::StartsWith, false),
    ("startswith_cs", StringOp::StartsWith, true),
];

fn string_op(word: &str) -> Option<(StringOp, bool)> {
    if !word.as_bytes().first().is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    STRING_OPS.binary_search_by(|(w, _, _)| w.cmp(&word)).ok().map(|i| (STRING_OPS[i].1, STRING_OPS[i].2))
}

/// Keywords that cannot be used as bare names in expressions (sorted); Kusto
/// requires `['and']` etc.
const RESERVED: &[&str] = &[
    "and",
    "as",
    "asc",
    "between",
    "by",
    "contains",
    "contains_cs",
    "datetime",
    "desc",
    "dynamic",
    "endswith",
    "endswith_cs",
    "find",
    "first",
    "has",
    "has_all",
    "has_any",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "in",
    "invoke",
    "last",
    "like",
    "matches",
    "materialize",
    "mv-expand",
    "notcontains",
    "notcontainscs",
    "of",
    "or",
    "others",
    "print",
    "project",
    "search",
    "set",
    "startswith",
    "startswith_cs",
    "title",
    "to",
    "union",
    "where",
];

pub(crate) fn is_reserved(word: &str) -> bool {
    // all keywords start with a lower-case letter; most names do not
    word.as_bytes().first().is_some_and(u8::is_ascii_lowercase) && RESERVED.binary_search(&word).is_ok()
}

/// Words that start a source operator when they head a pipeline.
pub(crate) fn is_source_operator(p: &Parser) -> bool {
    if p.kind() != K::Ident {
        return false;
    }
    match p.text() {
        "print" | "union" | "search" | "find" => true,
        "datatable" | "externaldata" | "external_data" => {
            matches!(p.nth_kind(1), K::LParen) || p.nth_kind(1) == K::Ident
        }
        "range" => p.nth_kind(1) == K::Ident && p.nth_is_kw(2, "from"),
        "evaluate" => p.nth_kind(1) == K::Ident,
        // Kusto also accepts a query that starts with one of these (keyword) operators
        "where" | "project" | "project-away" | "project-keep" | "project-rename" | "project-reorder" | "mv-expand"
        | "mv-apply" | "render" | "make-series" | "invoke" | "parse-where" | "parse-kv" | "top-nested"
        | "top-hitters" | "sample" | "sample-distinct" | "partition" => {
            !matches!(p.nth_kind(1), K::Pipe | K::Semi | K::Eof | K::RParen | K::Comma | K::Eq | K::Dot | K::LParen)
        }
        "as" | "reduce" | "facet" => p.nth_kind(1) == K::Ident,
        _ => false,
    }
}

impl Parser<'_> {
    /// `head ( | operator )*`
    pub(crate) fn parse_pipe_expr(&mut self) -> Expr {
        let start = self.start();
        if !self.enter() {
            self.leave();
            return Expr { kind: ExprKind::Missing, range: TextRange::empty(start) };
        }
        let head = if is_source_operator(self) {
            let op = self.parse_operator();
            Expr { range: op.range, kind: ExprKind::Source(Box::new(op)) }
        } else if self.at(K::Pipe) {
            let at = self.start();
            self.add_error(
                SyntaxErrorCode::ExpectedExpression,
                "expected a tabular expression before `|`".into(),
                self.tok().range,
                Some("a query cannot start with `|`; put the table name first".into()),
            );
            Expr { kind: ExprKind::Missing, range: TextRange::empty(at) }
        } else if self.at_kw("materialize") && self.nth_kind(1) == K::LParen {
            let t = self.bump();
            let func =
                Expr { kind: ExprKind::Name(Name { text: "materialize".into(), range: t.range }), range: t.range };
            let args = self.parse_call_args();
            Expr { kind: ExprKind::Call { func: Box::new(func), args }, range: self.range_from(start) }
        } else {
            self.parse_expr()
        };
        let mut operators = Vec::new();
        let mut progress = Progress::new();
        while self.at(K::Pipe) {
            if !progress.check(self) {
                break;
            }
            self.bump();
            operators.push(self.parse_operator());
        }
        self.leave();
        if operators.is_empty() {
            head
        } else {
            Expr { kind: ExprKind::Pipeline { source: Box::new(head), operators }, range: self.range_from(start) }
        }
    }

    /// Counts one more link of a left-deep operator chain (`a or b or c`)
    /// against the nesting limit, so trees stay shallow enough to walk.
    fn chain_link(&mut self, links: &mut u32) -> bool {
        *links += 1;
        if !self.enter() {
            return false;
        }
        true
    }

    pub(crate) fn missing_expr(&mut self) -> Expr {
        let at = self.prev_end();
        let found = self.describe_current();
        self.add_error(
            SyntaxErrorCode::ExpectedExpression,
            format!("expected an expression, found {found}"),
            TextRange::empty(at),
            None,
        );
        Expr { kind: ExprKind::Missing, range: TextRange::empty(at) }
    }

    pub(crate) fn parse_expr(&mut self) -> Expr {
        if !self.enter() {
            self.leave();
            let at = self.start();
            return Expr { kind: ExprKind::Missing, range: TextRange::empty(at) };
        }
        let e = self.parse_or();
        self.leave();
        e
    }

    fn binary(&self, op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
        let range = lhs.range.cover(rhs.range);
        Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, range }
    }

    fn parse_or(&mut self) -> Expr {
        let mut lhs = self.parse_and();
        let mut links = 0;
        while self.at_kw("or") {
            if !self.chain_link(&mut links) {
                break;
            }
            self.bump();
            let rhs = self.parse_and();
            lhs = self.binary(BinaryOp::Or, lhs, rhs);
        }
        self.depth -= links;
        lhs
    }

    fn parse_and(&mut self) -> Expr {
        let mut lhs = self.parse_cmp();
        let mut links = 0;
        while self.at_kw("and") {
            if !self.chain_link(&mut links) {
                break;
            }
            self.bump();
            let rhs = self.parse_cmp();
            lhs = self.binary(BinaryOp::And, lhs, rhs);
        }
        self.depth -= links;
        lhs
    }

    fn parse_cmp(&mut self) -> Expr {
        let mut lhs = self.parse_add();
        let mut progress = Progress::new();
        let mut done = false;
        loop {
            if done || !progress.check(self) {
                break;
            }
            done = true;
            if self.at(K::Colon) && self.in_search {
                self.bump();
                let rhs = self.parse_add();
                lhs = self.binary(BinaryOp::Colon, lhs, rhs);
                continue;
            }
            let simple = match self.kind() {
                K::EqEq => Some(BinaryOp::Eq),
                K::NotEq => Some(BinaryOp::NotEq),
                K::Lt => Some(BinaryOp::Lt),
                K::Le => Some(BinaryOp::Le),
                K::Gt => Some(BinaryOp::Gt),
                K::Ge => Some(BinaryOp::Ge),
                K::EqTilde => Some(BinaryOp::EqTilde),
                K::BangTilde => Some(BinaryOp::NotTilde),
                _ => None,
            };
            if let Some(op) = simple {
                self.bump();
                let rhs = self.parse_add();
                lhs = self.binary(op, lhs, rhs);
                continue;
            }
            // optional adjacent `!`
            let negated = self.at(K::Bang) && self.nth_kind(1) == K::Ident && self.nth_adjacent(1);
            let word_tok = if negated { self.nth(1) } else { self.tok() };
            if word_tok.kind != K::Ident {
                break;
            }
            let word = self.text_of(word_tok);
            let skip = usize::from(negated);
            if negated && matches!(word, "has_any" | "has_all" | "matches") {
                let r = self.tok().range;
                self.add_error(
                    SyntaxErrorCode::UnexpectedToken,
                    format!("`{word}` cannot be negated with `!`"),
                    r,
                    Some(format!("wrap the comparison in `not(...)`, e.g. `not(x {word} ...)`")),
                );
                break;
            }
            if let Some((op, cs)) = string_op(word) {
                self.pos += skip;
                self.bump();
                let rhs = self.parse_add();
                lhs = self.binary(BinaryOp::Str { op, negated, case_sensitive: cs }, lhs, rhs);
                continue;
            }
            match word {
                "matches" if !negated && self.nth_is_kw(1, "regex") => {
                    self.bump();
                    self.bump();
                    let rhs = self.parse_add();
                    let op = BinaryOp::Str { op: StringOp::MatchesRegex, negated: false, case_sensitive: true };
                    lhs = self.binary(op, lhs, rhs);
                }
                "in" if !negated && self.nth_is_kw(1, "range") && self.nth_kind(2) == K::LParen => break,
                "in" | "has_any" | "has_all" if !(negated && word != "in") => {
                    self.pos += skip;
                    self.bump();
                    let op = if word == "in" {
                        let ci = self.at(K::Tilde) && self.prev_end() == self.start();
                        if ci {
                            self.bump();
                        }
                        ListOp::In { negated, case_insensitive: ci }
                    } else if word == "has_any" {
                        ListOp::HasAny
                    } else {
                        ListOp::HasAll
                    };
                    let items = self.parse_paren_list();
                    let range = self.range_from(lhs.range.start);
                    lhs = Expr { kind: ExprKind::List { op, expr: Box::new(lhs), items }, range };
                }
                "between" => {
                    self.pos += skip;
                    self.bump();
                    self.expect(K::LParen, "(");
                    let low = self.parse_add();
                    self.expect(K::DotDot, "..");
                    let high = self.parse_add();
                    self.expect(K::RParen, ")");
                    let range = self.range_from(lhs.range.start);
                    lhs = Expr {
                        kind: ExprKind::Between {
                            negated,
                            expr: Box::new(lhs),
                            low: Box::new(low),
                            high: Box::new(high),
                        },
                        range,
                    };
                }
                _ => break,
            }
        }
        lhs
    }

    /// `( item, ... )` where items may be sub-queries.
    pub(crate) fn parse_paren_list(&mut self) -> Vec<Expr> {
        let mut items = Vec::new();
        if !self.expect(K::LParen, "(") {
            return items;
        }
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                self.error_unexpected();
                self.bump();
                continue;
            }
            items.push(self.parse_pipe_expr());
            if !self.eat(K::Comma) {
                break;
            }
        }
        self.expect_closer(K::RParen, ")");
        items
    }

    /// Expect a closing bracket; on failure skip to it if it closes this group.
    pub(crate) fn expect_closer(&mut self, k: K, sym: &str) -> bool {
        if self.eat(k) {
            return true;
        }
        self.error_expected(&format!("`{sym}`"));
        // skip stray tokens up to the closer at this level
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                self.bump();
            }
            match self.kind() {
                K::Eof | K::Semi => return false,
                x if x == k => {
                    self.bump();
                    return false;
                }
                K::RParen | K::RBracket | K::RBrace => return false,
                K::LParen | K::LBracket | K::LBrace => self.skip_balanced(),
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn parse_add(&mut self) -> Expr {
        let mut lhs = self.parse_mul();
        let mut links = 0;
        loop {
            let op = match self.kind() {
                K::Plus => BinaryOp::Add,
                K::Minus => BinaryOp::Sub,
                _ => break,
            };
            if !self.chain_link(&mut links) {
                break;
            }
            self.bump();
            let rhs = self.parse_mul();
            lhs = self.binary(op, lhs, rhs);
        }
        self.depth -= links;
        lhs
    }

    fn parse_mul(&mut self) -> Expr {
        let mut lhs = self.parse_unary();
        let mut links = 0;
        loop {
            let op = match self.kind() {
                K::Star => BinaryOp::Mul,
                K::Slash => BinaryOp::Div,
                K::Percent => BinaryOp::Mod,
                _ => break,
            };
            if !self.chain_link(&mut links) {
                break;
            }
            self.bump();
            let rhs = self.parse_unary();
            lhs = self.binary(op, lhs, rhs);
        }
        self.depth -= links;
        lhs
    }

    fn parse_unary(&mut self) -> Expr {
        let op = match self.kind() {
            K::Minus => UnaryOp::Neg,
            K::Plus => UnaryOp::Plus,
            _ => return self.parse_postfix(),
        };
        let start = self.start();
        self.bump();
        if !self.enter() {
            self.leave();
            return Expr { kind: ExprKind::Missing, range: TextRange::empty(start) };
        }
        let e = self.parse_postfix();
        self.leave();
        Expr { kind: ExprKind::Unary { op, expr: Box::new(e) }, range: self.range_from(start) }
    }

    pub(crate) fn parse_postfix(&mut self) -> Expr {
        let mut e = self.parse_primary();
        let mut progress = Progress::new();
        let mut links = 0;
        loop {
            if !progress.check(self) {
                break;
            }
            if matches!(self.kind(), K::Dot | K::LBracket | K::LParen) && !self.chain_link(&mut links) {
                break;
            }
            match self.kind() {
                K::Dot if self.nth_kind(1) == K::LBracket && !self.nth_at_name(1) => {
                    self.bump();
                    self.bump();
                    let index = self.parse_expr();
                    self.expect_closer(K::RBracket, "]");
                    let range = self.range_from(e.range.start);
                    e = Expr { kind: ExprKind::Index { expr: Box::new(e), index: Box::new(index) }, range };
                }
                K::Dot => {
                    self.bump();
                    let name = if self.at_name() {
                        self.parse_name("a member name")
                    } else {
                        self.parse_name("a member name after `.`")
                    };
                    let range = self.range_from(e.range.start);
                    e = Expr { kind: ExprKind::Member { expr: Box::new(e), name }, range };
                }
                K::LBracket => {
                    self.bump();
                    let index = self.parse_expr();
                    self.expect_closer(K::RBracket, "]");
                    let range = self.range_from(e.range.start);
                    e = Expr { kind: ExprKind::Index { expr: Box::new(e), index: Box::new(index) }, range };
                }
                K::LParen if matches!(&e.kind, ExprKind::Name(n) if n.text == "typeof") => {
                    // typeof(string), typeof(*), typeof(a:string, b:long)
                    self.bump();
                    let mut args = Vec::new();
                    let mut progress = Progress::new();
                    while !self.at(K::RParen) && !self.at_eof() {
                        if !progress.check(self) {
                            self.error_unexpected();
                            self.bump();
                            continue;
                        }
                        let s = self.start();
                        if self.eat(K::Star) {
                            args.push(Expr { kind: ExprKind::Wildcard("*".into()), range: self.range_from(s) });
                        } else {
                            let mut n = self.parse_name("a type name");
                            if self.eat(K::Colon) {
                                let t = self.parse_name("a type name");
                                n.text = format!("{}:{}", n.text, t.text);
                                n.range = self.range_from(s);
                            }
                            args.push(Expr { range: n.range, kind: ExprKind::Name(n) });
                        }
                        if !self.eat(K::Comma) {
                            break;
                        }
                    }
                    self.expect_closer(K::RParen, ")");
                    let range = self.range_from(e.range.start);
                    e = Expr { kind: ExprKind::Call { func: Box::new(e), args }, range };
                }
                K::LParen if matches!(e.kind, ExprKind::Name(_) | ExprKind::Member { .. }) => {
                    let args = self.parse_call_args();
                    let range = self.range_from(e.range.start);
                    e = Expr { kind: ExprKind::Call { func: Box::new(e), args }, range };
                }
                _ => break,
            }
        }
        self.depth -= links;
        e
    }

    /// `( [name =] arg, ... )`
    pub(crate) fn parse_call_args(&mut self) -> Vec<Expr> {
        let mut args = Vec::new();
        self.expect(K::LParen, "(");
        let mut progress = Progress::new();
        if !self.at(K::RParen) {
            loop {
                if !progress.check(self) {
                    self.error_unexpected();
                    self.bump();
                    continue;
                }
                if self.at(K::Star) && matches!(self.nth_kind(1), K::Comma | K::RParen) {
                    // `count(*)`, `arg_max(T, *)`: a bare `*` is an argument, not an expression elsewhere
                    let t = self.bump();
                    args.push(Expr { kind: ExprKind::Wildcard("*".into()), range: t.range });
                } else {
                    args.push(self.parse_arg());
                }
                if !self.eat(K::Comma) {
                    break;
                }
            }
        }
        self.expect_closer(K::RParen, ")");
        args
    }

    /// An argument: `name = value` or a (tabular) expression.
    pub(crate) fn parse_arg(&mut self) -> Expr {
        let n = self.name_len(0);
        if n > 0 && self.nth_kind(n) == K::Eq {
            let start = self.start();
            let name = self.parse_name("a name");
            self.bump();
            let value = self.parse_pipe_expr();
            return Expr { kind: ExprKind::Assign { name, value: Box::new(value) }, range: self.range_from(start) };
        }
        self.parse_pipe_expr()
    }

    fn parse_primary(&mut self) -> Expr {
        let start = self.start();
        let t = self.tok();
        let lit = |p: &mut Parser, l: Literal| {
            p.bump();
            Expr { kind: ExprKind::Literal(l), range: t.range }
        };
        match t.kind {
            K::Int => lit(self, Literal::Int(self.text().to_string())),
            K::Real => lit(self, Literal::Real(self.text().to_string())),
            K::Timespan => lit(self, Literal::Timespan(self.text().to_string())),
            K::TypedLiteral => lit(self, Literal::Typed(self.text().to_string())),
            K::String => {
                let mut parts = Vec::new();
                while self.at(K::String) {
                    parts.push(self.text().to_string());
                    self.bump();
                }
                Expr { kind: ExprKind::Literal(Literal::String(parts)), range: self.range_from(start) }
            }
            K::Star if self.star_allowed() => {
                self.bump();
                Expr { kind: ExprKind::Wildcard("*".into()), range: t.range }
            }
            K::LParen => {
                self.bump();
                if !self.enter() {
                    self.leave();
                    return Expr { kind: ExprKind::Missing, range: TextRange::empty(start) };
                }
                let inner = self.parse_pipe_expr();
                self.leave();
                self.expect_closer(K::RParen, ")");
                Expr { kind: ExprKind::Paren(Box::new(inner)), range: self.range_from(start) }
            }
            K::LBracket if self.at_name() => {
                let n = self.parse_name("a name");
                Expr { range: n.range, kind: ExprKind::Name(n) }
            }
            K::LBracket => {
                // `[0]`, `[x]`: accepted by Kusto's grammar as a bracketed expression
                self.bump();
                if !self.enter() {
                    self.leave();
                    return Expr { kind: ExprKind::Missing, range: TextRange::empty(start) };
                }
                let inner = self.parse_expr();
                self.leave();
                self.expect_closer(K::RBracket, "]");
                Expr { kind: ExprKind::Bracketed(Box::new(inner)), range: self.range_from(start) }
            }
            K::LBrace if self.at_client_parameter() => self.parse_client_parameter(),
            K::Ident => {
                let word = self.text();
                match word {
                    "true" | "True" | "TRUE" => lit(self, Literal::Bool(true)),
                    "false" | "False" | "FALSE" => lit(self, Literal::Bool(false)),
                    "dynamic" if self.nth_kind(1) == K::LParen => {
                        self.bump();
                        self.bump();
                        let d = self.parse_dynamic_value(true);
                        self.expect_closer(K::RParen, ")");
                        Expr { kind: ExprKind::Literal(Literal::Dynamic(d)), range: self.range_from(start) }
                    }
                    _ if is_reserved(word) => {
                        let at = self.prev_end();
                        self.add_error(
                            SyntaxErrorCode::ExpectedExpression,
                            format!("expected an expression, found keyword `{word}`"),
                            TextRange::empty(at),
                            Some(format!("to use `{word}` as a name, bracket it: `['{word}']`")),
                        );
                        Expr { kind: ExprKind::Missing, range: TextRange::empty(at) }
                    }
                    "toscalar" if self.nth_kind(1) != K::LParen => {
                        self.bump();
                        self.error_expected("`(`");
                        Expr { kind: ExprKind::Missing, range: t.range }
                    }
                    _ => {
                        let n = self.parse_name("a name");
                        Expr { range: n.range, kind: ExprKind::Name(n) }
                    }
                }
            }
            _ => self.missing_expr(),
        }
    }

    /// `*` is an expression only before a comparison (`* has "x"`); call arguments take it too.
    fn star_allowed(&self) -> bool {
        match self.nth_kind(1) {
            K::EqEq | K::NotEq | K::EqTilde | K::BangTilde | K::Colon => true,
            K::Ident => string_op(self.text_of(self.nth(1))).is_some() || self.nth_is_kw(1, "matches"),
            K::Bang => true,
            K::Pipe | K::Semi | K::Eof => self.in_search,
            _ => false,
        }
    }

    /// `{Name}` with no spaces inside (workbook parameters).
    fn at_client_parameter(&self) -> bool {
        self.at(K::LBrace)
            && self.nth_kind(1) == K::Ident
            && self.nth_kind(2) == K::RBrace
            && self.nth_adjacent(1)
            && self.nth_adjacent(2)
    }

    fn parse_client_parameter(&mut self) -> Expr {
        let start = self.start();
        self.bump();
        let name = self.text().to_string();
        self.bump();
        self.bump();
        Expr { kind: ExprKind::ClientParameter(name), range: self.range_from(start) }
    }

    /// JSON-like value inside `dynamic(...)`.
    fn parse_dynamic_value(&mut self, top: bool) -> Dynamic {
        if !self.enter() {
            self.leave();
            return Dynamic::Null;
        }
        let v = self.parse_dynamic_inner(top);
        self.leave();
        v
    }

    fn missing_json(&mut self) -> Dynamic {
        let at = self.prev_end();
        let found = self.describe_current();
        self.add_error(
            SyntaxErrorCode::InvalidDynamicLiteral,
            format!("expected a json value, found {found}"),
            TextRange::empty(at),
            Some(
                "remove trailing commas; values are strings, numbers, `true`, `false`, `null`, arrays or objects"
                    .into(),
            ),
        );
        Dynamic::Null
    }

    fn parse_dynamic_inner(&mut self, top: bool) -> Dynamic {
        if self.at_client_parameter() {
            return Dynamic::Scalar(Box::new(self.parse_client_parameter()));
        }
        match self.kind() {
            K::LBracket => {
                self.bump();
                let mut items = Vec::new();
                let mut progress = Progress::new();
                while !self.at(K::RBracket) && !self.at_eof() {
                    if !progress.check(self) {
                        self.bump();
                        continue;
                    }
                    items.push(self.parse_dynamic_value(false));
                    if !self.eat(K::Comma) {
                        break;
                    }
                    if self.at(K::RBracket) {
                        self.missing_json();
                    }
                }
                self.expect_closer(K::RBracket, "]");
                Dynamic::Array(items)
            }
            K::LBrace => {
                self.bump();
                let mut fields = Vec::new();
                let mut progress = Progress::new();
                while !self.at(K::RBrace) && !self.at_eof() {
                    if !progress.check(self) {
                        self.bump();
                        continue;
                    }
                    let key = if self.at(K::String) {
                        let k = unquote(self.text());
                        self.bump();
                        k
                    } else {
                        let r = self.tok().range;
                        let found = self.describe_current();
                        self.add_error(
                            SyntaxErrorCode::InvalidDynamicLiteral,
                            format!("expected a quoted property name, found {found}"),
                            r,
                            Some("property names in `dynamic` objects are strings: `{\"name\": 1}`".into()),
                        );
                        break;
                    };
                    self.expect(K::Colon, ":");
                    let v = self.parse_dynamic_value(false);
                    fields.push((key, v));
                    if !self.eat(K::Comma) {
                        break;
                    }
                    if self.at(K::RBrace) {
                        self.missing_json();
                    }
                }
                self.expect_closer(K::RBrace, "}");
                Dynamic::Object(fields)
            }
            K::Ident if self.text() == "null" => {
                self.bump();
                Dynamic::Null
            }
            K::String | K::Int | K::Real | K::Timespan | K::TypedLiteral | K::Minus => {
                let e = self.parse_unary();
                Dynamic::Scalar(Box::new(e))
            }
            // typed literals nest: `dynamic([dynamic(null), real(nan), decimal(1.5), long(null)])`
            K::Ident
                if self.nth_kind(1) == K::LParen
                    && matches!(
                        self.text(),
                        "dynamic" | "real" | "double" | "decimal" | "long" | "bool" | "boolean"
                    ) =>
            {
                let e = self.parse_postfix();
                Dynamic::Scalar(Box::new(e))
            }
            K::Ident if matches!(self.text(), "true" | "false" | "True" | "False" | "TRUE" | "FALSE") => {
                let e = self.parse_primary();
                Dynamic::Scalar(Box::new(e))
            }
            K::RParen if top => self.missing_json(),
            _ => self.missing_json(),
        }
    }
}
