//! Semantic error codes (`SEM…`): one table maps each code to its name,
//! severity and What/Why/Example/Fix docs. Codes are stable and never reused.

use crate::diag::{Code, Severity};

macro_rules! sem_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($id:literal, $name:literal, $sev:ident); )*) => {
        /// Semantic diagnostic kinds.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum SemanticErrorCode {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl SemanticErrorCode {
            pub const ALL: &'static [SemanticErrorCode] = &[$(SemanticErrorCode::$variant),*];

            /// The pipeline code (id, name, severity, docs) of this kind.
            pub fn info(self) -> Code {
                match self {
                    $(SemanticErrorCode::$variant => Code {
                        id: $id,
                        name: $name,
                        severity: Severity::$sev,
                        docs: concat!($($doc, "\n"),*),
                    },)*
                }
            }
        }
    };
}

sem_codes! {
    /// What: the query reads a table that is neither in the table catalog nor
    /// a `let` name, a declared function or a watchlist.
    ///
    /// Why: Kusto rejects the whole query (`Failed to resolve table`); a rule
    /// with this query never fires. Table names are case-sensitive.
    ///
    /// Example: `SigninLog | take 10` (the table is `SigninLogs`).
    ///
    /// Fix: use the name shown in the help line, or declare a custom table in
    /// the `[catalog]` section of `sentinel-forge.toml`.
    UnknownTable = ("SEM001", "unknown-table", Error);
    /// What: a name that is no column of the rows at this point of the query,
    /// and no `let` variable.
    ///
    /// Why: Kusto rejects the query. Columns are case-sensitive, and
    /// `project`, `summarize` and `join` change which columns exist.
    ///
    /// Example: `SigninLogs | where UserPrincipleName == "a"` (the column is
    /// `UserPrincipalName`).
    ///
    /// Fix: use the column shown in the help line, or keep the column through
    /// the earlier `project`/`summarize`.
    UnknownColumn = ("SEM002", "unknown-column", Error);
    /// What: a call to a function that is neither built in nor declared with
    /// `let` or in the catalog.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `T | extend u = tostirng(UserId)`.
    ///
    /// Fix: correct the spelling (help line), or declare the workspace
    /// function in the `[catalog]` section of `sentinel-forge.toml`.
    UnknownFunction = ("SEM003", "unknown-function", Error);
    /// What: a function called with a number of arguments none of its
    /// signatures accepts.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `T | extend d = datetime_diff("day", TimeGenerated)`.
    ///
    /// Fix: pass the arguments listed in the message.
    WrongArity = ("SEM004", "wrong-arity", Error);
    /// What: an argument whose type the function does not accept. Built-in
    /// functions convert nothing implicitly except int to long to real.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `T | summarize count(Account)` (`count` takes no argument or a
    /// bool predicate: use `countif` or `dcount`), `todynamic(DynamicCol)`.
    ///
    /// Fix: convert the argument (`tostring()`, `tolong()`, ...) or use the
    /// function meant for that type.
    ArgumentType = ("SEM005", "argument-type", Error);
    /// What: a binary operator applied to types it is not defined for.
    ///
    /// Why: Kusto rejects the query; comparing a datetime with a string does
    /// not parse the string.
    ///
    /// Example: `T | where TimeGenerated > "2024-01-01"`.
    ///
    /// Fix: convert one side, e.g. `TimeGenerated > datetime(2024-01-01)`.
    OperatorTypes = ("SEM006", "operator-types", Error);
    /// What: the predicate of `where` (or another boolean context) is not a bool.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `T | where Account`.
    ///
    /// Fix: compare the value, e.g. `where isnotempty(Account)`.
    NotBoolean = ("SEM007", "not-boolean", Error);
    /// What: an aggregate function (`count()`, `make_set()`, ...) outside
    /// `summarize`, `make-series` or another aggregation context.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `T | extend n = count()`.
    ///
    /// Fix: aggregate with `summarize`, or use a window or `toscalar()` form.
    AggregateOutsideSummarize = ("SEM008", "aggregate-outside-summarize", Error);
    /// What: two output columns of one operator get the same name.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `T | project A = 1, A = 2`.
    ///
    /// Fix: rename one of them.
    DuplicateColumn = ("SEM009", "duplicate-column", Error);
    /// What: `project-rename`, `project-away` or `project-keep` needs a column
    /// name here, not an expression.
    ///
    /// Why: Kusto rejects the query; these operators only rename or remove.
    ///
    /// Example: `T | project-rename UserId = toguid(Id)`.
    ///
    /// Fix: compute the value with `extend` or `project`.
    ColumnNameExpected = ("SEM010", "column-name-expected", Error);
    /// What: a `let` name declared twice in the same scope.
    ///
    /// Why: Kusto rejects the query. It often comes from pasting two queries
    /// into one.
    ///
    /// Example: `let t = 1; let t = 2; print t`.
    ///
    /// Fix: rename or remove one of the declarations.
    DuplicateLet = ("SEM011", "duplicate-let", Error);
    /// What: a deprecated function alias (`makeset`, `makelist`, `parsejson`,
    /// `todynamic`'s older spellings ...).
    ///
    /// Why: the alias still runs but is hidden from the documentation and may
    /// be removed; Sentinel's content guidelines ask for current names.
    ///
    /// Example: `T | summarize makeset(Account)`.
    ///
    /// Fix: use the name shown in the help line (`make_set`).
    DeprecatedFunction = ("SEM012", "deprecated-function", Warning);
    /// What: a `join`/`lookup` key that is not a column of both sides, has
    /// different types on the two sides, or a condition written
    /// `$right.X == $left.Y`.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `A | join (B) on Account` where `B` has no `Account` column.
    ///
    /// Fix: join on `$left.X == $right.Y`, or project (and convert) the key on
    /// both sides.
    JoinKey = ("SEM013", "invalid-join-key", Error);
    /// What: a tabular expression where a scalar value is required, or a
    /// scalar where a table is required.
    ///
    /// Why: Kusto rejects the query.
    ///
    /// Example: `let t = SigninLogs; print t` or a second query after a
    /// missing `;`.
    ///
    /// Fix: wrap the table in `toscalar()` or reference it as a table.
    ScalarExpected = ("SEM014", "scalar-expected", Error);
    /// What: an analytic rule maps an entity, a custom detail or an alert
    /// detail override to a column its query does not output.
    ///
    /// Why: Sentinel rejects the rule when it is deployed (or the mapping is
    /// silently empty), so incidents lack the entity the rule promises.
    ///
    /// Example: `[[entities]] type = "Account"` with
    /// `FullName = "AccountCustomEntity"` while the query ends in
    /// `project Caller, CallerIpAddress`.
    ///
    /// Fix: output the column (`extend AccountCustomEntity = Caller`) or map
    /// the column the query has; `sentinel-forge kql schema` lists them.
    MappedColumnMissing = ("SEM015", "mapped-column-missing", Error);
    /// What: an entry of the `[catalog]` section of `sentinel-forge.toml`
    /// that cannot be used: a column type that is no Kusto type, a
    /// CustomTables JSON file that cannot be read, a function's `params` that
    /// do not parse as a KQL parameter list, or a name declared twice.
    ///
    /// Why: the checker would otherwise know a table, watchlist or function
    /// other than the one the workspace has, and report (or miss) errors in
    /// every query that uses it.
    ///
    /// Example: `columns = { Count_d = "number" }` (the type is `real`), or
    /// `params = "(starttime datetime)"` (the colon is missing).
    ///
    /// Fix: use a type from the help line, fix the JSON file (Azure-Sentinel's
    /// `{"Name": ..., "Properties": [{"Name": ..., "Type": ...}]}`), or write
    /// the parameters as in a `let` function: `"(starttime:datetime, user:string='*')"`.
    InvalidCatalogEntry = ("SEM016", "invalid-catalog-entry", Error);
}

/// Every `SEM` code, for the pipeline's code registry and `explain`.
pub fn codes() -> Vec<Code> {
    SemanticErrorCode::ALL.iter().map(|c| c.info()).collect()
}

impl SemanticErrorCode {
    pub fn code(self) -> &'static str {
        self.info().id
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// Looks a code (`SEM001`) or name (`unknown-table`) up.
    pub fn from_code(code: &str) -> Option<SemanticErrorCode> {
        Self::ALL.iter().copied().find(|c| c.code() == code || c.name() == code)
    }
}

impl std::fmt::Display for SemanticErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_documented() {
        let mut ids: Vec<_> = SemanticErrorCode::ALL.iter().map(|c| c.code()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), SemanticErrorCode::ALL.len());
        for c in SemanticErrorCode::ALL {
            let docs = c.info().docs;
            for part in ["What:", "Why:", "Example:", "Fix:"] {
                assert!(docs.contains(part), "{c} lacks {part}");
            }
            assert_eq!(SemanticErrorCode::from_code(c.code()), Some(*c));
            assert_eq!(SemanticErrorCode::from_code(c.name()), Some(*c));
        }
    }
}
