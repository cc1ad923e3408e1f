//! The `ENG` diagnostic codes of the local engine, with their documentation
//! (the lead registers [`CODES`] in the code table).

use crate::diag::Code;
use crate::diag::Severity;
use crate::engine::error::EngineErrorKind;

/// What: the query uses an operator, function, plugin or parameter the local engine does not run.
///
/// Why: the engine refuses rather than answer differently from Kusto; a rule tested locally must
/// behave the same in Sentinel.
///
/// Example: `T | evaluate autocluster()` or `T | scan ...`.
///
/// Fix: run the query on a workspace (`run` without `--local`), or rewrite it with supported
/// operators; the message names the construct.
pub const UNSUPPORTED: Code = Code {
    id: "ENG001",
    name: "not-supported-locally",
    severity: Severity::Error,
    docs: concat!(
        "What: the query uses an operator, function, plugin or parameter the local engine does not run.\n\n",
        "Why: the engine refuses rather than answer differently from Kusto; a rule tested locally must behave the same in Sentinel.\n\n",
        "Example: `T | evaluate autocluster()` or `T | scan ...`.\n\n",
        "Fix: run the query on a workspace (`run` without `--local`), or rewrite it with supported operators; the message names the construct.\n"
    ),
};

pub const UNKNOWN_NAME: Code = Code {
    id: "ENG002",
    name: "unknown-name",
    severity: Severity::Error,
    docs: concat!(
        "What: a name that is no column of the input, no `let`, no function and no table of the local data.\n\n",
        "Why: Kusto rejects the query with a semantic error; the engine does too, at the name.\n\n",
        "Example: `AzureActivity | where Calller == 'x'` (misspelt column), or a table with no file in `--local DIR`.\n\n",
        "Fix: correct the name, or add `<Table>.jsonl`/`.csv`/`.json` to the data directory.\n"
    ),
};

pub const INVALID: Code = Code {
    id: "ENG003",
    name: "invalid-operand",
    severity: Severity::Error,
    docs: concat!(
        "What: an operand or argument Kusto rejects: a wrong type, a wrong number of arguments, a bad regex.\n\n",
        "Why: Kusto fails such a query at compile time; running it would give rows Kusto never returns.\n\n",
        "Example: `print datetime(2020-01-01) + datetime(2020-01-02)`.\n\n",
        "Fix: convert the operand (`todatetime`, `tolong`, ...) or correct the call.\n"
    ),
};

pub const ROW_BUDGET: Code = Code {
    id: "ENG004",
    name: "row-budget-exceeded",
    severity: Severity::Error,
    docs: concat!(
        "What: an operator would produce more rows than the row budget (`--max-rows`).\n\n",
        "Why: a join on a low-cardinality key or a huge `range` can multiply rows until memory runs out; the engine stops first.\n\n",
        "Example: `T | join (T) on Constant` over 1 M rows.\n\n",
        "Fix: join on a more selective key, filter first, or raise `--max-rows`.\n"
    ),
};

pub const SYNTAX: Code = Code {
    id: "ENG005",
    name: "query-syntax",
    severity: Severity::Error,
    docs: concat!(
        "What: the query given to the local engine does not parse.\n\n",
        "Why: nothing can run until the syntax is fixed (`kql check` shows every error).\n\n",
        "Example: `T | where (x > 1`.\n\n",
        "Fix: correct the syntax at the position shown.\n"
    ),
};

pub const DATA: Code = Code {
    id: "ENG006",
    name: "bad-data-cell",
    severity: Severity::Warning,
    docs: concat!(
        "What: a cell of a local data file does not parse as its column's type, or a line is malformed.\n\n",
        "Why: the cell is loaded as null and the rest of the file still loads; results may miss that value.\n\n",
        "Example: `\"TimeGenerated\": \"yesterday\"` in AzureActivity.jsonl.\n\n",
        "Fix: correct the cell, or declare the column's type in `tables.json`.\n"
    ),
};

/// Every ENG code.
pub const CODES: &[Code] = &[UNSUPPORTED, UNKNOWN_NAME, INVALID, ROW_BUDGET, SYNTAX, DATA];

pub fn code_of(kind: EngineErrorKind) -> Code {
    match kind {
        EngineErrorKind::Unsupported => UNSUPPORTED,
        EngineErrorKind::UnknownName => UNKNOWN_NAME,
        EngineErrorKind::Invalid => INVALID,
        EngineErrorKind::RowBudget => ROW_BUDGET,
        EngineErrorKind::Syntax => SYNTAX,
    }
}
