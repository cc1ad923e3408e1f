//! Syntax error codes (`SYN…`): one table maps each code to its name and docs.

use crate::span::TextRange;

/// One syntax diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub code: SyntaxErrorCode,
    /// Terse lowercase message, identifiers in backticks, no final period.
    pub message: String,
    pub range: TextRange,
    pub help: Option<String>,
}

/// Syntax error kinds. Codes are stable and never reused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SyntaxErrorCode {
    ExpectedExpression,
    ExpectedToken,
    UnexpectedToken,
    UnknownQueryOperator,
    UnterminatedString,
    InvalidCharacter,
    NestingTooDeep,
    InvalidDynamicLiteral,
    MissingStatementSeparator,
    ExpectedName,
}

impl SyntaxErrorCode {
    pub const ALL: &'static [SyntaxErrorCode] = &[
        SyntaxErrorCode::ExpectedExpression,
        SyntaxErrorCode::ExpectedToken,
        SyntaxErrorCode::UnexpectedToken,
        SyntaxErrorCode::UnknownQueryOperator,
        SyntaxErrorCode::UnterminatedString,
        SyntaxErrorCode::InvalidCharacter,
        SyntaxErrorCode::NestingTooDeep,
        SyntaxErrorCode::InvalidDynamicLiteral,
        SyntaxErrorCode::MissingStatementSeparator,
        SyntaxErrorCode::ExpectedName,
    ];

    /// The stable code, e.g. `SYN001`.
    pub fn code(&self) -> &'static str {
        self.info().0
    }

    /// Kebab-case name stating the problem, e.g. `expected-expression`.
    pub fn name(&self) -> &'static str {
        self.info().1
    }

    /// What / why / example / fix text, printed by `explain`.
    pub fn docs(&self) -> &'static str {
        self.info().2
    }

    /// Looks a code (`SYN001`) or name (`expected-expression`) up.
    pub fn from_code(code: &str) -> Option<SyntaxErrorCode> {
        Self::ALL.iter().copied().find(|c| c.code() == code || c.name() == code)
    }

    fn info(&self) -> (&'static str, &'static str, &'static str) {
        use SyntaxErrorCode as C;
        match self {
            C::ExpectedExpression => (
                "SYN001",
                "expected-expression",
                "What: A scalar or tabular expression is required here but none was found.\n\n\
                 Why: Kusto rejects the whole query; nothing runs.\n\n\
                 Example:\n```kql\nlet threshold = ;\nT | where Account ==\n```\n\n\
                 Fix: Supply the missing value, e.g. `let threshold = 5;`. Placeholders such as \
                 `<UserName>` must be replaced by a real literal.",
            ),
            C::ExpectedToken => (
                "SYN002",
                "expected-token",
                "What: A specific token (`)`, `,`, `by`, `on`, `=`, ...) is required by the \
                 grammar at this point.\n\nWhy: Kusto rejects the query.\n\n\
                 Example:\n```kql\nT | summarize count() Account\n```\n\n\
                 Fix: Insert the expected token (here `by`), or remove the stray text.",
            ),
            C::UnexpectedToken => (
                "SYN003",
                "unexpected-token",
                "What: This token cannot appear here.\n\nWhy: Kusto rejects the \
                 query.\n\nExample:\n```kql\n;T | take 1\n```\n\nFix: Remove the token or complete the \
                 construct it belongs to.",
            ),
            C::UnknownQueryOperator => (
                "SYN004",
                "unknown-query-operator",
                "What: After `|` a tabular operator (`where`, `extend`, `summarize`, ...) is \
                 required, and this word is not one. Operators are case-sensitive.\n\n\
                 Why: Kusto rejects the query.\n\nExample:\n```kql\nT | WHERE x == 1\n```\n\n\
                 Fix: Use a valid lower-case operator name, e.g. `where`.",
            ),
            C::UnterminatedString => (
                "SYN005",
                "unterminated-string",
                "What: A string literal has no closing quote before the end of the line (or \
                 of the text).\n\nWhy: Kusto rejects the query; single-quoted and \
                 double-quoted strings cannot span lines.\n\nExample:\n```kql\nT | where Ip == 'x.x.x.x\u{2019}\n```\n\n\
                 Fix: Close the string with the same ASCII quote, or use a ```` ``` ```` multi-line string.",
            ),
            C::InvalidCharacter => (
                "SYN006",
                "invalid-character",
                "What: This character starts no KQL token (typographic quotes, stray `\\`, \
                 `#`, ...), or a backslash escape in a string is not one Kusto defines (`\\q`, `\\/`, \
                 `\\x` without two hex digits).\n\nWhy: Kusto rejects the query.\n\n\
                 Example:\n```kql\nT | where ActionType == \u{201c}Logon\u{201d}\n```\n\n\
                 Fix: Replace typographic quotes with ASCII `\"`, or remove the character. In a string, \
                 write a literal backslash as `\\\\`, or use a verbatim string `@\"C:\\temp\"`.",
            ),
            C::NestingTooDeep => (
                "SYN007",
                "nesting-too-deep",
                "What: Expressions are nested more deeply than the parser supports (200 \
                 levels).\n\nWhy: Such queries are almost always generated by mistake, and \
                 deep recursion could exhaust the stack.\n\nExample:\n```kql\nprint ((((((((((...))))))))))\n```\n\n\
                 Fix: Flatten the expression, e.g. with `let` statements.",
            ),
            C::InvalidDynamicLiteral => (
                "SYN008",
                "invalid-dynamic-literal",
                "What: The contents of `dynamic(...)` are not a valid JSON-like value: \
                 trailing commas, missing values, or unquoted keys.\n\nWhy: Kusto rejects the \
                 query.\n\nExample:\n```kql\nlet names = dynamic([\"a\", \"b\",]);\n```\n\n\
                 Fix: Remove the trailing comma or supply the value.",
            ),
            C::MissingStatementSeparator => (
                "SYN009",
                "missing-statement-separator",
                "What: A statement ended but the text continues without a `;`. Newlines do \
                 not separate KQL statements.\n\nWhy: Kusto rejects the query. This is common \
                 when several example queries are pasted into one file.\n\n\
                 Example:\n```kql\nT | take 10\n\nU | take 10\n```\n\n\
                 Fix: End `let` statements with `;`; put separate queries in separate files, or \
                 comment them out.",
            ),
            C::ExpectedName => (
                "SYN010",
                "expected-name",
                "What: A column, table, parameter or function name is required here.\n\n\
                 Why: Kusto rejects the query.\n\nExample:\n```kql\nlet = 5;\n```\n\n\
                 Fix: Write an identifier, or a bracketed name like `['My Column']`.",
            ),
        }
    }
}

impl std::fmt::Display for SyntaxErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}
