//! KQL lexer: text -> tokens with byte ranges.
//!
//! Trivia (whitespace and `//` comments) is skipped; adjacency (`!has`, `in~`)
//! is recovered by the parser from token ranges. The lexer never fails: bad
//! input becomes an [`TokenKind::Unknown`] token or an unterminated string
//! token plus a [`LexError`].

use crate::span::TextRange;

/// The kind of a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Identifier or keyword (KQL keywords are contextual), including `$left`
    /// and hyphenated operator names such as `mv-expand`.
    Ident,
    /// Integer literal (decimal or `0x` hex).
    Int,
    /// Real literal (`1.5`, `1e3`).
    Real,
    /// Timespan literal (`15m`, `1.5h`, `10tick`).
    Timespan,
    /// Any string literal form: `"…"`, `'…'`, `@"…"`, `h"…"`, ```` ```…``` ````.
    String,
    /// `datetime(…)`, `time(…)`, `timespan(…)`, `guid(…)` with raw content.
    TypedLiteral,
    Pipe,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Colon,
    Dot,
    DotDot,
    Eq,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    EqTilde,
    BangTilde,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Tilde,
    FatArrow,
    At,
    Question,
    /// A character that starts no token.
    Unknown,
    Eof,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    pub range: TextRange,
}

/// Lexical problems found while tokenizing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LexErrorKind {
    UnterminatedString,
    UnexpectedCharacter,
    /// `“` / `”` / `‘` / `’` used as a string quote
    TypographicQuote,
    /// A backslash escape Kusto does not define (`\q`, `\x4`, `\u00`), with its range.
    InvalidEscape,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    pub kind: LexErrorKind,
    pub range: TextRange,
}

/// Hyphenated operator names that lex as one identifier (sorted, binary searched).
const HYPHENATED: &[&str] = &[
    "execute-and-cache",
    "graph-match",
    "graph-merge",
    "graph-to-table",
    "make-graph",
    "make-series",
    "mv-apply",
    "mv-expand",
    "parse-kv",
    "parse-where",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "project-smart",
    "sample-distinct",
    "top-hitters",
    "top-nested",
];

/// Timespan unit suffixes (sorted, binary searched).
const TIMESPAN_UNITS: &[&str] = &[
    "d",
    "day",
    "days",
    "h",
    "hour",
    "hours",
    "hr",
    "hrs",
    "m",
    "microsecond",
    "microseconds",
    "milli",
    "millis",
    "millisecond",
    "milliseconds",
    "min",
    "minute",
    "minutes",
    "ms",
    "s",
    "sec",
    "second",
    "seconds",
    "tick",
    "ticks",
];

/// Names whose parenthesized argument is raw literal text.
const RAW_LITERAL_PREFIXES: &[&str] = &["date", "datetime", "guid", "time", "timespan"];

/// Tokenize `text`. The last token is always `Eof`.
pub fn tokenize(text: &str) -> (Vec<Token>, Vec<LexError>) {
    let mut lx =
        Lexer { src: text.as_bytes(), pos: 0, tokens: Vec::with_capacity(text.len() / 3 + 1), errors: Vec::new() };
    lx.run();
    (lx.tokens, lx.errors)
}

/// Length of a typographic quote (U+2018, U+2019, U+201C, U+201D) at the start of `s`.
fn typographic_quote(s: &[u8]) -> Option<usize> {
    match s {
        [0xE2, 0x80, 0x98 | 0x99 | 0x9C | 0x9D, ..] => Some(3),
        _ => None,
    }
}

struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<LexError>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn at(&self, off: usize) -> u8 {
        *self.src.get(self.pos + off).unwrap_or(&0)
    }

    fn push(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token { kind, range: TextRange::new(start as u32, self.pos as u32) });
    }

    fn run(&mut self) {
        loop {
            self.skip_trivia();
            if self.pos >= self.src.len() {
                self.pos = self.src.len();
                self.push(TokenKind::Eof, self.src.len());
                return;
            }
            let before = self.pos;
            self.token();
            assert!(self.pos > before, "lexer made no progress at byte {before}");
        }
    }

    fn skip_trivia(&mut self) {
        while self.pos < self.src.len() {
            let b = self.src[self.pos];
            if b.is_ascii_whitespace() {
                self.pos += 1;
            } else if b == b'/' && self.at(1) == b'/' {
                while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else if b >= 0x80 {
                // Unicode whitespace (NBSP, BOM, ...) counts as trivia.
                let s = std::str::from_utf8(&self.src[self.pos..]).unwrap_or("");
                match s.chars().next() {
                    Some(c) if c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}') => {
                        self.pos += c.len_utf8()
                    }
                    _ => return,
                }
            } else {
                return;
            }
        }
    }

    fn token(&mut self) {
        let start = self.pos;
        let b = self.src[self.pos];
        use TokenKind as K;
        // String prefixes: h"", H'', @"", h@"", ```
        if (b == b'h' || b == b'H') && matches!(self.at(1), b'"' | b'\'') {
            self.pos += 1;
            self.string(start, false);
            return;
        }
        if (b == b'h' || b == b'H') && self.at(1) == b'@' && matches!(self.at(2), b'"' | b'\'') {
            self.pos += 2;
            self.string(start, true);
            return;
        }
        if b == b'@' && matches!(self.at(1), b'"' | b'\'') {
            self.pos += 1;
            self.string(start, true);
            return;
        }
        // multi-line strings: ```…``` and ~~~…~~~
        if matches!(b, b'`' | b'~') && self.at(1) == b && self.at(2) == b {
            self.pos += 3;
            loop {
                if self.pos >= self.src.len() {
                    self.errors.push(LexError {
                        kind: LexErrorKind::UnterminatedString,
                        range: TextRange::new(start as u32, self.pos as u32),
                    });
                    break;
                }
                if self.at(0) == b && self.at(1) == b && self.at(2) == b {
                    self.pos += 3;
                    break;
                }
                self.pos += 1;
            }
            self.push(K::String, start);
            return;
        }
        if b == b'"' || b == b'\'' {
            self.string(start, false);
            return;
        }
        if let Some(len) = typographic_quote(&self.src[self.pos..]) {
            // “text” or ‘text’: lex as a string so parsing continues, but report it
            self.pos += len;
            while self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                if let Some(l) = typographic_quote(&self.src[self.pos..]) {
                    self.pos += l;
                    break;
                }
                self.pos += 1;
            }
            self.errors.push(LexError {
                kind: LexErrorKind::TypographicQuote,
                range: TextRange::new(start as u32, start as u32 + len as u32),
            });
            self.push(K::String, start);
            return;
        }
        if is_ident_start(b) {
            self.pos += 1;
            while self.pos < self.src.len() && is_ident_continue(self.src[self.pos]) {
                self.pos += 1;
            }
            // hyphenated operator names
            while self.at(0) == b'-' && self.at(1).is_ascii_alphabetic() {
                let mut end = self.pos + 1;
                while end < self.src.len() && is_ident_continue(self.src[end]) {
                    end += 1;
                }
                let cand = &self.src[start..end];
                let cand = std::str::from_utf8(cand).unwrap_or("");
                if HYPHENATED.binary_search(&cand).is_ok() {
                    self.pos = end;
                } else {
                    break;
                }
            }
            let word = &self.src[start..self.pos];
            if matches!(word[0], b'd' | b'g' | b't') && RAW_LITERAL_PREFIXES.iter().any(|p| p.as_bytes() == word) {
                // look for `(` after optional whitespace, then raw text up to `)`
                let mut p = self.pos;
                while p < self.src.len() && matches!(self.src[p], b' ' | b'\t') {
                    p += 1;
                }
                if p < self.src.len() && self.src[p] == b'(' {
                    let mut q = p + 1;
                    while q < self.src.len() && !matches!(self.src[q], b')' | b'\n' | b'(') {
                        if matches!(self.src[q], b'"' | b'\'') {
                            // quoted content: datetime("2020-01-01")
                            let quote = self.src[q];
                            q += 1;
                            while q < self.src.len() && !matches!(self.src[q], b'\n') && self.src[q] != quote {
                                q += 1;
                            }
                            if q >= self.src.len() || self.src[q] == b'\n' {
                                break;
                            }
                        }
                        q += 1;
                    }
                    if q < self.src.len() && self.src[q] == b')' {
                        self.pos = q + 1;
                        self.push(K::TypedLiteral, start);
                        return;
                    }
                }
            }
            self.push(K::Ident, start);
            return;
        }
        if b.is_ascii_digit() || (b == b'.' && self.at(1).is_ascii_digit() && self.prev_allows_leading_dot()) {
            self.number(start);
            return;
        }
        let two = [b, self.at(1)];
        let (kind, len) = match &two {
            b"==" => (K::EqEq, 2),
            b"!=" => (K::NotEq, 2),
            b"<>" => (K::NotEq, 2),
            b"<=" => (K::Le, 2),
            b">=" => (K::Ge, 2),
            b"=~" => (K::EqTilde, 2),
            b"!~" => (K::BangTilde, 2),
            b"=>" => (K::FatArrow, 2),
            b".." => (K::DotDot, 2),
            _ => match b {
                b'|' => (K::Pipe, 1),
                b'(' => (K::LParen, 1),
                b')' => (K::RParen, 1),
                b'[' => (K::LBracket, 1),
                b']' => (K::RBracket, 1),
                b'{' => (K::LBrace, 1),
                b'}' => (K::RBrace, 1),
                b',' => (K::Comma, 1),
                b';' => (K::Semi, 1),
                b':' => (K::Colon, 1),
                b'.' => (K::Dot, 1),
                b'=' => (K::Eq, 1),
                b'<' => (K::Lt, 1),
                b'>' => (K::Gt, 1),
                b'+' => (K::Plus, 1),
                b'-' => (K::Minus, 1),
                b'*' => (K::Star, 1),
                b'/' => (K::Slash, 1),
                b'%' => (K::Percent, 1),
                b'!' => (K::Bang, 1),
                b'~' => (K::Tilde, 1),
                b'@' => (K::At, 1),
                b'?' => (K::Question, 1),
                _ => (K::Unknown, 0),
            },
        };
        if kind == K::Unknown {
            // consume one whole UTF-8 character
            let s = std::str::from_utf8(&self.src[self.pos..]).unwrap_or("");
            let n = s.chars().next().map_or(1, char::len_utf8);
            self.pos += n;
            self.errors.push(LexError {
                kind: LexErrorKind::UnexpectedCharacter,
                range: TextRange::new(start as u32, self.pos as u32),
            });
            self.push(K::Unknown, start);
            return;
        }
        self.pos += len;
        self.push(kind, start);
    }

    fn prev_allows_leading_dot(&self) -> bool {
        // `.5` is not a KQL literal; `a.5` never occurs. Keep `.` a separate token.
        false
    }

    fn string(&mut self, start: usize, verbatim: bool) {
        let quote = self.src[self.pos];
        self.pos += 1;
        loop {
            if self.pos >= self.src.len() || self.src[self.pos] == b'\n' || self.src[self.pos] == b'\r' {
                self.errors.push(LexError {
                    kind: LexErrorKind::UnterminatedString,
                    range: TextRange::new(start as u32, self.pos as u32),
                });
                break;
            }
            let c = self.src[self.pos];
            if c == quote {
                if verbatim && self.at(1) == quote {
                    self.pos += 2;
                    continue;
                }
                self.pos += 1;
                break;
            }
            if c == b'\\' && !verbatim {
                let backslash = self.pos;
                self.pos += 1;
                if self.pos < self.src.len() && self.src[self.pos] != b'\n' {
                    let digits = match self.src[self.pos] {
                        b'x' => Some(2),
                        b'u' => Some(4),
                        b'U' => Some(8),
                        _ => None,
                    };
                    let valid = match digits {
                        Some(n) => (1..=n).all(|i| self.at(i).is_ascii_hexdigit()),
                        None => matches!(
                            self.src[self.pos],
                            b'\'' | b'"' | b'\\' | b'n' | b'r' | b't' | b'a' | b'b' | b'f' | b'v' | b'0'..=b'7'
                        ),
                    };
                    // skip a whole escaped char
                    let s = std::str::from_utf8(&self.src[self.pos..]).unwrap_or("");
                    self.pos += s.chars().next().map_or(1, char::len_utf8);
                    if !valid {
                        self.errors.push(LexError {
                            kind: LexErrorKind::InvalidEscape,
                            range: TextRange::new(backslash as u32, self.pos as u32),
                        });
                    }
                }
                continue;
            }
            self.pos += 1;
        }
        self.push(TokenKind::String, start);
    }

    fn number(&mut self, start: usize) {
        use TokenKind as K;
        if self.at(0) == b'0' && matches!(self.at(1), b'x' | b'X') && self.at(2).is_ascii_hexdigit() {
            self.pos += 2;
            while self.at(0).is_ascii_hexdigit() {
                self.pos += 1;
            }
            self.push(K::Int, start);
            return;
        }
        let mut kind = K::Int;
        while self.at(0).is_ascii_digit() {
            self.pos += 1;
        }
        if self.at(0) == b'.' && self.at(1).is_ascii_digit() {
            kind = K::Real;
            self.pos += 1;
            while self.at(0).is_ascii_digit() {
                self.pos += 1;
            }
        } else if self.at(0) == b'.' && self.at(1) != b'.' && !is_ident_start(self.at(1)) {
            // `1.` is a real
            kind = K::Real;
            self.pos += 1;
        }
        if matches!(self.at(0), b'e' | b'E')
            && (self.at(1).is_ascii_digit() || (matches!(self.at(1), b'+' | b'-') && self.at(2).is_ascii_digit()))
        {
            kind = K::Real;
            self.pos += 2;
            while self.at(0).is_ascii_digit() {
                self.pos += 1;
            }
        }
        if is_ident_start(self.at(0)) {
            let mut end = self.pos;
            while end < self.src.len() && is_ident_continue(self.src[end]) {
                end += 1;
            }
            let suffix = &self.src[self.pos..end];
            if TIMESPAN_UNITS.binary_search_by(|u| u.as_bytes().cmp(suffix)).is_ok() {
                self.pos = end;
                kind = K::Timespan;
            } else {
                // `2022MostExploited`, `10d5h`: Kusto lexes these as one identifier
                self.pos = end;
                kind = if kind == K::Int { K::Ident } else { K::Real };
            }
        }
        self.push(kind, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, String)> {
        let (toks, _) = tokenize(text);
        toks.iter().map(|t| (t.kind, text[t.range.as_usize_range()].to_string())).collect()
    }

    #[test]
    fn tables_are_sorted() {
        for t in [HYPHENATED, TIMESPAN_UNITS, RAW_LITERAL_PREFIXES] {
            assert!(t.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn lexes_literals() {
        let k = kinds("15m 1.5h 10tick 1e3 0x1F 1..2 @'a''b' h\"x\" datetime(2020-01-01 10:00) mv-expand a-b");
        let got: Vec<String> = k.iter().map(|(k, s)| format!("{k:?}:{s}")).collect();
        insta::assert_snapshot!(got.join(" "), @r#"Timespan:15m Timespan:1.5h Timespan:10tick Real:1e3 Int:0x1F Int:1 DotDot:.. Int:2 String:@'a''b' String:h"x" TypedLiteral:datetime(2020-01-01 10:00) Ident:mv-expand Ident:a Minus:- Ident:b Eof:"#);
    }

    #[test]
    fn unterminated_string_stops_at_newline() {
        let (toks, errs) = tokenize("'abc\nx");
        assert_eq!(errs.len(), 1);
        assert_eq!(toks[0].range, TextRange::new(0, 4));
        assert_eq!(toks[1].kind, TokenKind::Ident);
    }
}
