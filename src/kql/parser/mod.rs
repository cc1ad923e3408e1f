//! Recursive-descent parser core: token cursor, `expect`, error collection
//! (a second error at the same offset is dropped), progress guards, the
//! recursion limit, and statements. Tabular operators live in `tabular.rs`,
//! scalar expressions in `expr.rs`.

mod expr;
mod tabular;

use super::Parsed;
use super::ast::*;
use super::errors::{SyntaxError, SyntaxErrorCode};
use super::lexer::{self, LexErrorKind, Token, TokenKind};
use crate::span::TextRange;

/// Maximum nesting of expressions, parentheses and sub-queries.
pub(crate) const MAX_DEPTH: u32 = 200;

pub(crate) fn parse(text: &str) -> Parsed {
    let (tokens, lex_errors) = lexer::tokenize(text);
    let mut p =
        Parser { src: text, tokens, pos: 0, errors: Vec::new(), depth: 0, depth_reported: false, in_search: false };
    let query = p.parse_query();
    // Management commands (`.ingest inline <| raw data`) take raw text: no lexical errors there.
    let command_start =
        query.statements.iter().find(|s| matches!(s.kind, StatementKind::Command { .. })).map(|s| s.range.start);
    for e in lex_errors {
        if command_start.is_some_and(|c| e.range.start >= c) {
            continue;
        }
        match e.kind {
            LexErrorKind::UnterminatedString => p.add_error(
                SyntaxErrorCode::UnterminatedString,
                "unterminated string literal".into(),
                TextRange::empty(e.range.end),
                Some("close the string with the same quote on the same line".into()),
            ),
            LexErrorKind::TypographicQuote => p.add_error(
                SyntaxErrorCode::InvalidCharacter,
                format!("typographic quote `{}` is not a string delimiter", &text[e.range.as_usize_range()]),
                e.range,
                Some("use ASCII quotes: `\"...\"` or `'...'`".into()),
            ),
            LexErrorKind::InvalidEscape => p.add_error(
                SyntaxErrorCode::InvalidCharacter,
                format!("invalid escape sequence `{}` in a string literal", &text[e.range.as_usize_range()]),
                e.range,
                Some(
                    "escapes are `\\\\`, `\\\"`, `\\'`, `\\n`, `\\r`, `\\t`, `\\xHH`, `\\uHHHH`, ...; \
                     for a literal backslash write `\\\\` or use a verbatim string `@\"...\"`"
                        .into(),
                ),
            ),
            LexErrorKind::UnexpectedCharacter => p.add_error(
                SyntaxErrorCode::InvalidCharacter,
                format!("unexpected character `{}`", &text[e.range.as_usize_range()]),
                e.range,
                None,
            ),
        }
    }
    let mut errors = p.errors;
    errors.sort_by_key(|e| (e.range.start, e.range.end));
    Parsed { query, errors }
}

/// Panics (in debug and tests) when a loop iteration consumed nothing.
pub(crate) struct Progress(Option<usize>);

impl Progress {
    pub(crate) fn new() -> Self {
        Progress(None)
    }
    /// Returns false when the parser is stuck at the same token as last time.
    pub(crate) fn check(&mut self, p: &Parser) -> bool {
        if self.0 == Some(p.pos) {
            debug_assert!(false, "parser made no progress at token {:?}", p.tokens[p.pos]);
            return false;
        }
        self.0 = Some(p.pos);
        true
    }
}

pub(crate) struct Parser<'a> {
    pub(crate) src: &'a str,
    pub(crate) tokens: Vec<Token>,
    pub(crate) pos: usize,
    pub(crate) errors: Vec<SyntaxError>,
    pub(crate) depth: u32,
    depth_reported: bool,
    /// inside a `search` predicate, where `col:value` is allowed
    pub(crate) in_search: bool,
}

impl<'a> Parser<'a> {
    // ---- cursor -------------------------------------------------------------

    pub(crate) fn tok(&self) -> Token {
        self.tokens[self.pos]
    }

    pub(crate) fn kind(&self) -> TokenKind {
        self.tokens[self.pos].kind
    }

    pub(crate) fn nth(&self, n: usize) -> Token {
        let i = (self.pos + n).min(self.tokens.len() - 1);
        self.tokens[i]
    }

    pub(crate) fn nth_kind(&self, n: usize) -> TokenKind {
        self.nth(n).kind
    }

    pub(crate) fn text_of(&self, t: Token) -> &'a str {
        &self.src[t.range.as_usize_range()]
    }

    pub(crate) fn text(&self) -> &'a str {
        self.text_of(self.tok())
    }

    pub(crate) fn at(&self, k: TokenKind) -> bool {
        self.kind() == k
    }

    pub(crate) fn at_eof(&self) -> bool {
        self.kind() == TokenKind::Eof
    }

    /// Current token is the identifier `word`.
    pub(crate) fn at_kw(&self, word: &str) -> bool {
        self.kind() == TokenKind::Ident && self.text() == word
    }

    pub(crate) fn nth_is_kw(&self, n: usize, word: &str) -> bool {
        let t = self.nth(n);
        t.kind == TokenKind::Ident && self.text_of(t) == word
    }

    /// Token `n` starts exactly where token `n-1` ends.
    pub(crate) fn nth_adjacent(&self, n: usize) -> bool {
        n > 0 && self.nth(n - 1).range.end == self.nth(n).range.start && self.pos + n < self.tokens.len()
    }

    pub(crate) fn bump(&mut self) -> Token {
        let t = self.tok();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    pub(crate) fn eat(&mut self, k: TokenKind) -> bool {
        if self.at(k) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub(crate) fn eat_kw(&mut self, word: &str) -> bool {
        if self.at_kw(word) {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Start offset of the current token.
    pub(crate) fn start(&self) -> u32 {
        self.tok().range.start
    }

    /// End offset of the previous token (where "missing X" errors point).
    pub(crate) fn prev_end(&self) -> u32 {
        if self.pos == 0 { 0 } else { self.tokens[self.pos - 1].range.end }
    }

    pub(crate) fn range_from(&self, start: u32) -> TextRange {
        let end = self.prev_end().max(start);
        TextRange::new(start, end)
    }

    // ---- errors -------------------------------------------------------------

    /// Records an error unless one already starts at the same offset.
    pub(crate) fn add_error(&mut self, code: SyntaxErrorCode, message: String, range: TextRange, help: Option<String>) {
        if self.errors.iter().any(|e| e.range.start == range.start) {
            return;
        }
        self.errors.push(SyntaxError { code, message, range, help });
    }

    pub(crate) fn describe_current(&self) -> String {
        match self.kind() {
            TokenKind::Eof => "end of input".to_string(),
            _ => {
                let t = self.text();
                let t: String = t.chars().take(30).collect();
                format!("`{t}`")
            }
        }
    }

    /// Error "expected X" at the end of the previous token.
    pub(crate) fn error_expected(&mut self, what: &str) {
        let found = self.describe_current();
        let at = self.prev_end();
        self.add_error(
            SyntaxErrorCode::ExpectedToken,
            format!("expected {what}, found {found}"),
            TextRange::empty(at),
            None,
        );
    }

    /// Consume `k` or record "expected `sym`". Returns whether it was present.
    pub(crate) fn expect(&mut self, k: TokenKind, sym: &str) -> bool {
        if self.eat(k) {
            true
        } else {
            self.error_expected(&format!("`{sym}`"));
            false
        }
    }

    pub(crate) fn expect_kw(&mut self, word: &str) -> bool {
        if self.eat_kw(word) {
            true
        } else {
            self.error_expected(&format!("`{word}`"));
            false
        }
    }

    pub(crate) fn error_unexpected(&mut self) {
        let found = self.describe_current();
        let r = self.tok().range;
        self.add_error(SyntaxErrorCode::UnexpectedToken, format!("unexpected {found}"), r, None);
    }

    // ---- recursion limit ----------------------------------------------------

    /// Enters one nesting level; on overflow records SYN007 and skips the rest
    /// of the input so the caller unwinds quickly.
    pub(crate) fn enter(&mut self) -> bool {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                let r = self.tok().range;
                self.add_error(
                    SyntaxErrorCode::NestingTooDeep,
                    format!("expression nested more than {MAX_DEPTH} levels deep"),
                    r,
                    Some("flatten the expression, for example with `let` statements".into()),
                );
            }
            while !self.at_eof() {
                self.bump();
            }
            return false;
        }
        true
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Skips a balanced token group starting at an opening bracket (or a single token).
    pub(crate) fn skip_balanced(&mut self) {
        let mut depth = 0i32;
        loop {
            match self.kind() {
                TokenKind::Eof => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
                _ => {}
            }
            self.bump();
            if depth <= 0 {
                return;
            }
        }
    }

    /// Skips tokens up to (not including) a `|`, `;`, or an unbalanced closer.
    pub(crate) fn recover_to_pipe(&mut self) {
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                self.bump();
            }
            match self.kind() {
                TokenKind::Eof
                | TokenKind::Pipe
                | TokenKind::Semi
                | TokenKind::RParen
                | TokenKind::RBracket
                | TokenKind::RBrace => return,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => self.skip_balanced(),
                _ => {
                    self.bump();
                }
            }
        }
    }

    // ---- names --------------------------------------------------------------

    /// `ident` or `['bracketed']` / `["bracketed"]`.
    pub(crate) fn at_name(&self) -> bool {
        self.nth_at_name(0)
    }

    /// Number of tokens of the name at offset `n` (0 when there is none).
    pub(crate) fn name_len(&self, n: usize) -> usize {
        match self.nth_kind(n) {
            TokenKind::Ident => 1,
            TokenKind::LBracket => {
                let mut i = n + 1;
                while self.nth_kind(i) == TokenKind::String {
                    i += 1;
                }
                if i > n + 1 && self.nth_kind(i) == TokenKind::RBracket { i + 1 - n } else { 0 }
            }
            _ => 0,
        }
    }

    pub(crate) fn nth_at_name(&self, n: usize) -> bool {
        self.name_len(n) > 0
    }

    pub(crate) fn parse_name(&mut self, what: &str) -> Name {
        if self.at(TokenKind::Ident) {
            let t = self.bump();
            return Name { text: self.text_of(t).to_string(), range: t.range };
        }
        if self.at_name() {
            let start = self.start();
            self.bump();
            let mut text = String::new();
            while self.at(TokenKind::String) {
                let s = self.bump();
                text.push_str(&unquote(self.text_of(s)));
            }
            self.bump();
            return Name { text, range: self.range_from(start) };
        }
        let found = self.describe_current();
        let at = self.prev_end();
        self.add_error(
            SyntaxErrorCode::ExpectedName,
            format!("expected {what}, found {found}"),
            TextRange::empty(at),
            None,
        );
        Name { text: String::new(), range: TextRange::empty(at) }
    }

    /// A (possibly dotted) name such as `hint.strategy`.
    pub(crate) fn parse_dotted_name(&mut self) -> String {
        let mut s = self.text().to_string();
        self.bump();
        while self.at(TokenKind::Dot) && self.nth_kind(1) == TokenKind::Ident {
            self.bump();
            s.push('.');
            s.push_str(self.text());
            self.bump();
        }
        s
    }

    // ---- statements ---------------------------------------------------------

    fn parse_query(&mut self) -> Query {
        let mut statements = Vec::new();
        let mut progress = Progress::new();
        while !self.at_eof() {
            if !progress.check(self) {
                self.error_unexpected();
                self.bump();
                continue;
            }
            if self.at(TokenKind::Semi) {
                self.error_unexpected();
                self.bump();
                continue;
            }
            let before = self.pos;
            let stmt = self.parse_statement();
            statements.push(stmt);
            if self.eat(TokenKind::Semi) {
                continue;
            }
            if self.at_eof() {
                break;
            }
            self.error_after_statement();
            if matches!(self.kind(), TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace | TokenKind::Comma)
                || self.pos == before
            {
                self.bump();
            }
        }
        let end = self.src.len() as u32;
        Query { statements, range: TextRange::new(0, end) }
    }

    /// A statement ended but the text goes on: a missing `;` when the text
    /// continues on a new line, otherwise a stray token.
    fn error_after_statement(&mut self) {
        let at = self.prev_end();
        let found = self.describe_current();
        let gap = &self.src[at as usize..self.start() as usize];
        if gap.contains('\n') {
            self.add_error(
                SyntaxErrorCode::MissingStatementSeparator,
                format!("expected `;` or end of query, found {found}"),
                TextRange::empty(at),
                Some("statements are separated by `;`; a newline does not end a query".into()),
            );
            return;
        }
        let word = self.text();
        let help = match self.kind() {
            TokenKind::EqEq
            | TokenKind::NotEq
            | TokenKind::Lt
            | TokenKind::Le
            | TokenKind::Gt
            | TokenKind::Ge
            | TokenKind::EqTilde
            | TokenKind::BangTilde => "comparisons cannot be chained; combine them with `and`".to_string(),
            TokenKind::Eq => "a single `=` does not compare; use `==`".to_string(),
            TokenKind::Ident if matches!(word.to_ascii_lowercase().as_str(), "and" | "or" | "not") => {
                format!("keywords are case-sensitive: write `{}`", word.to_ascii_lowercase())
            }
            _ => "expected `|`, `;`, or `,` between list items".to_string(),
        };
        let r = self.tok().range;
        self.add_error(SyntaxErrorCode::UnexpectedToken, format!("unexpected {found}"), r, Some(help));
        // skip the stray token; parsing resumes with the next one
        if !matches!(self.kind(), TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace) {
            self.bump();
        } else {
            self.skip_balanced();
        }
    }

    /// One statement (also used inside function bodies).
    pub(crate) fn parse_statement(&mut self) -> Statement {
        let start = self.start();
        if self.at_kw("let") && self.nth_kind(1) != TokenKind::Pipe {
            self.bump();
            let name = self.parse_name("a name after `let`");
            self.expect(TokenKind::Eq, "=");
            let value = self.parse_let_value();
            return Statement { kind: StatementKind::Let { name, value }, range: self.range_from(start) };
        }
        if self.at_kw("set") && self.nth_kind(1) == TokenKind::Ident {
            self.bump();
            let name = self.parse_name("a option name");
            let value = if self.eat(TokenKind::Eq) { Some(self.parse_expr()) } else { None };
            return Statement { kind: StatementKind::Set { name, value }, range: self.range_from(start) };
        }
        if self.at_kw("declare") && self.nth_is_kw(1, "query_parameters") {
            self.bump();
            self.bump();
            let params = self.parse_param_list();
            return Statement { kind: StatementKind::DeclareQueryParameters { params }, range: self.range_from(start) };
        }
        if self.at(TokenKind::Dot) && self.nth_kind(1) == TokenKind::Ident && self.nth_adjacent(1) {
            // management command: `.show tables | count`; kept as tokens to the end
            while !self.at_eof() {
                self.bump();
            }
            if self.pos > 0 && self.tokens[self.pos - 1].kind == TokenKind::Pipe {
                let at = self.prev_end();
                self.add_error(
                    SyntaxErrorCode::UnknownQueryOperator,
                    "expected a query operator after `|`, found end of input".into(),
                    TextRange::empty(at),
                    None,
                );
            }
            let range = self.range_from(start);
            let text = self.src[range.as_usize_range()].trim_end().to_string();
            return Statement { kind: StatementKind::Command { text }, range };
        }
        let e = self.parse_pipe_expr();
        Statement { kind: StatementKind::Expr(e), range: self.range_from(start) }
    }

    fn parse_let_value(&mut self) -> LetValue {
        let start = self.start();
        let is_view = self.at_kw("view") && self.nth_kind(1) == TokenKind::LParen;
        let lambda = self.at(TokenKind::LParen)
            && ((self.nth_kind(1) == TokenKind::RParen && self.nth_kind(2) == TokenKind::LBrace)
                || (self.nth_kind(1) == TokenKind::Ident && self.nth_kind(2) == TokenKind::Colon));
        if is_view || lambda {
            if is_view {
                self.bump();
            }
            let params = self.parse_param_list();
            let body = self.parse_body();
            return LetValue::Function(Function { is_view, params, body, range: self.range_from(start) });
        }
        LetValue::Expr(self.parse_pipe_expr())
    }

    /// `{ stmt; stmt; expr }`
    fn parse_body(&mut self) -> Vec<Statement> {
        let mut body = Vec::new();
        if !self.expect(TokenKind::LBrace, "{") {
            return body;
        }
        if !self.enter() {
            self.leave();
            return body;
        }
        let mut progress = Progress::new();
        while !self.at(TokenKind::RBrace) && !self.at_eof() {
            if !progress.check(self) {
                self.error_unexpected();
                self.bump();
                continue;
            }
            if self.eat(TokenKind::Semi) {
                continue;
            }
            body.push(self.parse_statement());
            if !self.at(TokenKind::RBrace) && !self.eat(TokenKind::Semi) {
                self.error_expected("`;` or `}`");
                if !self.at_kw("let") {
                    self.recover_to_pipe();
                    if matches!(self.kind(), TokenKind::Pipe | TokenKind::RParen | TokenKind::RBracket) {
                        self.bump();
                    }
                }
            }
        }
        self.expect(TokenKind::RBrace, "}");
        self.leave();
        body
    }

    /// `( name: type [= default], ... )`
    pub(crate) fn parse_param_list(&mut self) -> Vec<Param> {
        let mut params = Vec::new();
        if !self.expect(TokenKind::LParen, "(") {
            return params;
        }
        let mut progress = Progress::new();
        while !self.at(TokenKind::RParen) && !self.at_eof() {
            if !progress.check(self) {
                self.error_unexpected();
                self.bump();
                continue;
            }
            let start = self.start();
            let name = self.parse_name("a parameter name");
            self.expect(TokenKind::Colon, ":");
            let ty = if self.at(TokenKind::LParen) {
                self.bump();
                let mut columns = Vec::new();
                let mut wildcard = false;
                let mut inner = Progress::new();
                while !self.at(TokenKind::RParen) && !self.at_eof() {
                    if !inner.check(self) {
                        self.error_unexpected();
                        self.bump();
                        continue;
                    }
                    if self.eat(TokenKind::Star) {
                        wildcard = true;
                    } else {
                        columns.push(self.parse_column_decl());
                    }
                    if !self.eat(TokenKind::Comma) {
                        break;
                    }
                }
                self.expect(TokenKind::RParen, ")");
                ParamType::Tabular { columns, wildcard }
            } else {
                ParamType::Scalar(self.parse_type_name())
            };
            let default = if self.eat(TokenKind::Eq) { Some(self.parse_expr()) } else { None };
            params.push(Param { name, ty, default, range: self.range_from(start) });
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        self.expect(TokenKind::RParen, ")");
        params
    }

    /// `name: type`
    pub(crate) fn parse_column_decl(&mut self) -> ColumnDecl {
        let start = self.start();
        let name = self.parse_name("a column name");
        self.expect(TokenKind::Colon, ":");
        let ty = self.parse_type_name();
        ColumnDecl { name, ty, range: self.range_from(start) }
    }

    /// The type of a declared column or parameter: one of Kusto's scalar type names, unbracketed.
    pub(crate) fn parse_type_name(&mut self) -> Name {
        let bracketed = self.at(TokenKind::LBracket);
        let ty = self.parse_name("a type name");
        if (bracketed || !DECLARABLE_TYPES.contains(&ty.text.as_str())) && !ty.text.is_empty() {
            self.add_error(
                SyntaxErrorCode::ExpectedName,
                format!("expected a type name, found `{}`", &self.src[ty.range.as_usize_range()]),
                ty.range,
                Some(format!("declared types are {}", DECLARABLE_TYPES.join(", "))),
            );
        }
        ty
    }
}

/// Type names Kusto accepts in `datatable`/`externaldata` schemas and parameter declarations
/// (case-sensitive; `float`, `int32`, `uint` are not among them).
pub(crate) const DECLARABLE_TYPES: &[&str] = &[
    "bool", "boolean", "date", "datetime", "decimal", "double", "dynamic", "guid", "int", "int64", "int8", "long",
    "real", "string", "time", "timespan", "uniqueid",
];

/// Whether a name must be printed bracketed (`['and']`) to parse back as a name.
pub(crate) fn is_reserved_word(word: &str) -> bool {
    expr::is_reserved(word)
        || matches!(
            word,
            "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "toscalar" | "let" | "declare" | "typeof"
        )
}

/// Decode a string literal's source text (any form) to its value.
pub(crate) fn unquote(src: &str) -> String {
    let mut s = src;
    let mut verbatim = false;
    for fence in ["```", "~~~"] {
        if let Some(body) = s.strip_prefix(fence) {
            return body.strip_suffix(fence).unwrap_or(body).to_string();
        }
    }
    if s.starts_with('h') || s.starts_with('H') {
        s = &s[1..];
    }
    if s.starts_with('@') {
        verbatim = true;
        s = &s[1..];
    }
    let Some(q) = s.chars().next() else { return String::new() };
    let inner = s.strip_prefix(q).unwrap_or(s);
    let inner = inner.strip_suffix(q).unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if verbatim {
            if c == q && chars.peek() == Some(&q) {
                chars.next();
            }
            out.push(c);
        } else if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Comma-separated lists, written once for every production that has one.
impl Parser<'_> {
    /// `item, item, …`: items until one is not followed by a comma.
    pub(crate) fn comma_list<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let mut items = Vec::new();
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            items.push(item(self));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        items
    }

    /// `item, …` up to (not consuming) `close`; a token no item can start
    /// is reported and skipped so the list always ends.
    pub(crate) fn delimited_list<T>(&mut self, close: TokenKind, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let mut items = Vec::new();
        let mut progress = Progress::new();
        while !self.at(close) && !self.at_eof() {
            if !progress.check(self) {
                self.error_unexpected();
                self.bump();
                continue;
            }
            items.push(item(self));
            if !self.eat(TokenKind::Comma) {
                break;
            }
        }
        items
    }
}
