//! The `TST` codes: rule-test data that does not match its tables, tests
//! that fail, and tests that could not be run. Each has What/Why/Example/Fix
//! documentation that `explain` prints.

crate::code_table! {
    /// Every `TST` code.
    pub const TESTS;
    /// What: a test's data file or directory cannot be read: it does not
    /// exist, is not JSON Lines / CSV / a query-API JSON response, or a line
    /// of it is malformed.
    ///
    /// Why: a test whose data silently failed to load would run on empty
    /// tables, where every must-not-fire test passes.
    ///
    /// Example: `data = "tests/data/spike/burst.jsnl"`, or a JSONL line that
    /// is not an object.
    ///
    /// Fix: point `data` at an existing `.jsonl`, `.csv` or `.json` file (or
    /// a directory of them, one per table) and fix the line shown.
    UNREADABLE_DATA = ("TST001", "unreadable-test-data", Error);
    /// What: a column of a test row that the table's schema does not have.
    ///
    /// Why: a misspelt column (`Calller`) leaves the real column empty, so
    /// the rule misses the row and a must-fire test fails for the wrong
    /// reason, or a must-not-fire test passes for the wrong reason.
    ///
    /// Example: `{ Type = "AzureActivity", OperationName = "...", Calller = "x" }`.
    ///
    /// Fix: use the column name the table has (the help line suggests the
    /// closest one).
    UNKNOWN_COLUMN = ("TST002", "unknown-test-column", Error);
    /// What: a test value whose type does not match its column's type.
    ///
    /// Why: the query compares typed values: a `TimeGenerated` written as
    /// `"yesterday"` or a `long` written as `"five"` never matches.
    ///
    /// Example: `TimeGenerated = "22/11/2021"` (not ISO 8601).
    ///
    /// Fix: write the value as the column's type: ISO 8601 for `datetime`,
    /// a JSON number for `long`/`int`/`real`, `true`/`false` for `bool`.
    WRONG_VALUE_TYPE = ("TST003", "wrong-test-value-type", Error);
    /// What: a rule test whose expectation is not met.
    ///
    /// Why: the rule no longer does what its test says: a threshold or a
    /// filter changed, or the data no longer describes the case.
    ///
    /// Example: `fires = false` for four Run Commands when `min_commands`
    /// was lowered to 3.
    ///
    /// Fix: fix the rule, or, if the new behaviour is intended, the test.
    TEST_FAILED = ("TST004", "test-failed", Error);
    /// What: a test's query could not be executed (the executor rejected
    /// it, or does not support an operator it uses).
    ///
    /// Why: a test that did not run neither passes nor fails.
    ///
    /// Example: a query using a plugin the local engine does not implement.
    ///
    /// Fix: use the operator the message suggests, or run the test against
    /// a workspace.
    EXECUTION_FAILED = ("TST005", "test-not-executed", Error);
    /// What: no KQL executor is available to run rule tests or back-tests.
    ///
    /// Why: `test` and `backtest` replay queries over fixture data; without
    /// an engine nothing can be run, and reporting the tests as passed would
    /// be a lie.
    ///
    /// Example: `sentinel-forge test` in a build without the local engine.
    ///
    /// Fix: use a build with the local engine (`run --local`).
    NO_EXECUTOR = ("TST006", "no-executor", Error);
    /// What: a test names an environment, or its item's query does not
    /// render with the test's overrides.
    ///
    /// Why: the case would test a query that does not exist.
    ///
    /// Example: `env = "prd"` when only `content/environments/prod.toml` exists.
    ///
    /// Fix: name an existing environment, and fix the reported render problem.
    TEST_SETUP = ("TST007", "test-setup", Error);
    /// What: test rows go to a table no schema knows (neither the project's
    /// `tests/data/tables.json` nor the table catalog), whose name is close
    /// to one that is known.
    ///
    /// Why: a query reading `AzureActivity` sees none of the rows written
    /// for `AzureActivty`: a must-fire test fails, or a must-not-fire test
    /// passes, for the wrong reason.
    ///
    /// Example: `data = "tests/data/spike/AzureActivty.jsonl"` (rows take
    /// their table from the file stem when they have no `Type`).
    ///
    /// Fix: name the table as the help line suggests: the `Type` column,
    /// the file's stem or the `[tests.tables]` key.
    UNKNOWN_TABLE = ("TST008", "unknown-test-table", Warning);
}
