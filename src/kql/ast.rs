//! KQL syntax tree. Every node carries the byte `range` it was parsed from;
//! nodes invented by error recovery get an empty range. `Display` (in
//! `display.rs`) prints canonical KQL.

use crate::span::TextRange;

/// A whole query: statements separated by `;`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub statements: Vec<Statement>,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub kind: StatementKind,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// `let name = value`
    Let { name: Name, value: LetValue },
    /// `set name [= value]`
    Set { name: Name, value: Option<Expr> },
    /// `declare query_parameters (params)`
    DeclareQueryParameters { params: Vec<Param> },
    /// A management command such as `.show tables`: its raw text up to the end of the query.
    Command { text: String },
    /// A tabular or scalar expression (usually a pipeline).
    Expr(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub enum LetValue {
    Expr(Expr),
    /// `(params) { body }` or `view (params) { body }`.
    Function(Function),
}

/// A user function: parameters and a body of statements ending in an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub is_view: bool,
    pub params: Vec<Param>,
    pub body: Vec<Statement>,
    pub range: TextRange,
}

/// `name: type [= default]`
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: Name,
    pub ty: ParamType,
    pub default: Option<Expr>,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    Scalar(Name),
    /// `(*)`, `(a:string, *)`: columns plus whether `*` appears.
    Tabular {
        columns: Vec<ColumnDecl>,
        wildcard: bool,
    },
}

/// `name: type` in schemas (datatable, externaldata, parse-kv).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    pub name: Name,
    pub ty: Name,
    pub range: TextRange,
}

/// An identifier: plain, `$left`, or bracketed `['a b']` (stored unquoted).
#[derive(Clone, Debug, PartialEq)]
pub struct Name {
    pub text: String,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Name(Name),
    Literal(Literal),
    /// `*` (in `arg_max(x, *)`, `union *`, `distinct *`) or `prefix*` wildcard names.
    Wildcard(String),
    Unary {
        op: UnaryOp,
        expr: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `in`, `in~`, `!in`, `!in~`, `has_any`, `has_all` with a parenthesized list.
    List {
        op: ListOp,
        expr: Box<Expr>,
        items: Vec<Expr>,
    },
    /// `x [!]between (low .. high)`
    Between {
        negated: bool,
        expr: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `a.b`
    Member {
        expr: Box<Expr>,
        name: Name,
    },
    /// `a[i]`
    Index {
        expr: Box<Expr>,
        index: Box<Expr>,
    },
    Paren(Box<Expr>),
    /// `source | op | op`
    Pipeline {
        source: Box<Expr>,
        operators: Vec<Operator>,
    },
    /// A source operator used as a pipeline head (`print`, `union`, `range`, `datatable`, ...).
    Source(Box<Operator>),
    /// `name = value` inside call arguments and `with (...)` property lists.
    Assign {
        name: Name,
        value: Box<Expr>,
    },
    /// `{Name}`: a client (workbook/dashboard) parameter placeholder.
    ClientParameter(String),
    /// `[expr]` that is not a bracketed name (`[0]`, `[x]`): Kusto's syntax accepts it.
    Bracketed(Box<Expr>),
    /// `a, b` value list of a `with (ycolumns=a, b)` property.
    Tuple(Vec<Expr>),
    /// Placeholder for a missing expression (error recovery).
    Missing,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Int(String),
    Real(String),
    Timespan(String),
    /// Source text of one or more adjacent string literals, exactly as written.
    String(Vec<String>),
    /// `datetime(...)`, `timespan(...)`, `time(...)`, `guid(...)`, source text.
    Typed(String),
    Bool(bool),
    /// `dynamic(...)`
    Dynamic(Dynamic),
}

/// JSON-like value inside `dynamic(...)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Dynamic {
    Null,
    Scalar(Box<Expr>),
    Array(Vec<Dynamic>),
    Object(Vec<(String, Dynamic)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Plus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    EqTilde,
    NotTilde,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `col:value` inside `search` predicates
    Colon,
    /// String operators such as `has`, `!contains_cs`, `matches regex`.
    Str {
        op: StringOp,
        negated: bool,
        case_sensitive: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StringOp {
    Has,
    HasPrefix,
    HasSuffix,
    Contains,
    StartsWith,
    EndsWith,
    MatchesRegex,
    Like,
    /// legacy `notcontains` / `notcontainscs`
    NotContains,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOp {
    In { negated: bool, case_insensitive: bool },
    HasAny,
    HasAll,
}

/// `[name =] expr` or `(a, b) = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedExpr {
    pub names: Vec<Name>,
    /// true for `(a, b) = ...` even with one name
    pub tuple: bool,
    pub expr: Expr,
    pub range: TextRange,
}

/// `expr [asc|desc] [nulls first|last]`
#[derive(Clone, Debug, PartialEq)]
pub struct SortExpr {
    pub expr: Expr,
    pub order: Option<SortOrder>,
    pub nulls: Option<NullsOrder>,
    pub range: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
    /// project-reorder orders: `granny-asc`, `granny-desc` kept as asc/desc
    GrannyAsc,
    GrannyDesc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NullsOrder {
    First,
    Last,
}

/// `name=value` operator parameters (`kind=inner`, `hint.strategy=shuffle`).
#[derive(Clone, Debug, PartialEq)]
pub struct OpParam {
    pub name: String,
    pub value: Expr,
    pub range: TextRange,
}

/// `[name =] expr [to typeof(type)]` in mv-expand / mv-apply.
#[derive(Clone, Debug, PartialEq)]
pub struct MvItem {
    pub item: NamedExpr,
    pub to_type: Option<Name>,
    pub range: TextRange,
}

/// One element of a `parse` pattern.
#[derive(Clone, Debug, PartialEq)]
pub enum ParsePart {
    Star,
    Literal(Expr),
    Column { name: Name, ty: Option<Name> },
}

/// `agg [default = value]` in make-series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesAgg {
    pub agg: NamedExpr,
    pub default: Option<Expr>,
}

/// `top-nested [n] of expr [with others = e] by agg [asc|desc]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopNestedClause {
    pub count: Option<Expr>,
    pub of: NamedExpr,
    pub others: Option<Expr>,
    pub by: NamedExpr,
    pub order: Option<SortOrder>,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operator {
    pub kind: OperatorKind,
    pub range: TextRange,
}

#[derive(Clone, Debug, PartialEq)]
pub enum OperatorKind {
    /// `where` / `filter`
    Where(Expr),
    Extend(Vec<NamedExpr>),
    Project(Vec<NamedExpr>),
    ProjectAway(Vec<Expr>),
    ProjectKeep(Vec<Expr>),
    ProjectRename(Vec<NamedExpr>),
    ProjectReorder(Vec<SortExpr>),
    Summarize {
        params: Vec<OpParam>,
        aggregates: Vec<NamedExpr>,
        by: Vec<NamedExpr>,
    },
    Distinct {
        params: Vec<OpParam>,
        columns: Vec<NamedExpr>,
    },
    /// `sort by` / `order by`
    Sort {
        params: Vec<OpParam>,
        by: Vec<SortExpr>,
    },
    Top {
        count: Expr,
        by: SortExpr,
    },
    TopNested(Vec<TopNestedClause>),
    /// `take` / `limit`
    Take(Expr),
    Sample(Expr),
    SampleDistinct {
        count: Expr,
        of: Expr,
    },
    /// `count [as Name]`
    Count {
        as_name: Option<Name>,
    },
    Join {
        params: Vec<OpParam>,
        right: Expr,
        on: Vec<Expr>,
    },
    Lookup {
        params: Vec<OpParam>,
        right: Expr,
        on: Vec<Expr>,
    },
    Union {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
    },
    MvExpand {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
    },
    MvApply {
        params: Vec<OpParam>,
        items: Vec<MvItem>,
        limit: Option<Expr>,
        on: Vec<Operator>,
    },
    Parse {
        where_: bool,
        params: Vec<OpParam>,
        source: Expr,
        pattern: Vec<ParsePart>,
    },
    ParseKv {
        source: Expr,
        schema: Vec<ColumnDecl>,
        with: Vec<OpParam>,
    },
    Evaluate {
        params: Vec<OpParam>,
        call: Expr,
        schema: Vec<ColumnDecl>,
    },
    MakeSeries {
        params: Vec<OpParam>,
        aggregates: Vec<SeriesAgg>,
        on: Expr,
        from: Option<Expr>,
        to: Option<Expr>,
        step: Option<Expr>,
        by: Vec<NamedExpr>,
    },
    Render {
        chart: Name,
        with: Vec<OpParam>,
    },
    Serialize(Vec<NamedExpr>),
    As {
        params: Vec<OpParam>,
        name: Name,
    },
    Invoke(Expr),
    Search {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
        predicate: Expr,
    },
    Find {
        params: Vec<OpParam>,
        tables: Vec<Expr>,
        predicate: Expr,
        project: Vec<Expr>,
    },
    GetSchema,
    Print(Vec<NamedExpr>),
    Range {
        name: Name,
        from: Expr,
        to: Expr,
        step: Expr,
    },
    Datatable {
        schema: Vec<ColumnDecl>,
        values: Vec<Expr>,
    },
    ExternalData {
        schema: Vec<ColumnDecl>,
        urls: Vec<Expr>,
        with: Vec<OpParam>,
    },
    Reduce {
        by: Expr,
        with: Vec<OpParam>,
    },
    /// Rarely used operators with intricate grammar (`scan`, `fork`, `facet`,
    /// `partition`, ...): name plus the balanced token texts that follow.
    Other {
        name: String,
        tokens: Vec<String>,
    },
}

impl Query {
    /// The `{:#?}` dump with all ranges removed: a stable, range-free rendering of
    /// the tree used for equality-modulo-ranges and snapshots.
    pub fn without_ranges(&self) -> String {
        strip_range_fields(&format!("{self:#?}"))
    }
}

/// Remove `range: TextRange { .. },` lines from a `{:#?}` dump.
pub(crate) fn strip_range_fields(dump: &str) -> String {
    let mut out = String::with_capacity(dump.len());
    let mut lines = dump.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("range: TextRange {") {
            // multi-line form: skip until the closing `},`
            if !t.ends_with("},") {
                for l in lines.by_ref() {
                    if l.trim_start().starts_with('}') {
                        break;
                    }
                }
            }
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
