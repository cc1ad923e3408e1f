//! Canonical KQL printer: `Display` for the AST. Statements end with `;` and a
//! newline, each pipe operator goes on its own line. Printing a parsed tree
//! and parsing it again gives the same tree (ranges aside).

use std::fmt::{self, Display, Formatter, Write};

use super::ast::*;

fn is_plain_ident(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_') && !super::parser::is_reserved_word(s)
}

impl Display for Name {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain_ident(&self.text) {
            f.write_str(&self.text)
        } else {
            f.write_str("['")?;
            for c in self.text.chars() {
                match c {
                    '\'' => f.write_str("\\'")?,
                    '\\' => f.write_str("\\\\")?,
                    '\n' => f.write_str("\\n")?,
                    '\t' => f.write_str("\\t")?,
                    '\r' => f.write_str("\\r")?,
                    c => f.write_char(c)?,
                }
            }
            f.write_str("']")
        }
    }
}

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{it}")?;
    }
    Ok(())
}

fn params(f: &mut Formatter<'_>, ps: &[OpParam]) -> fmt::Result {
    for p in ps {
        write!(f, " {}={}", p.name, p.value)?;
    }
    Ok(())
}

fn with_props(f: &mut Formatter<'_>, ps: &[OpParam]) -> fmt::Result {
    if !ps.is_empty() {
        f.write_str(" with (")?;
        for (i, p) in ps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}={}", p.name, p.value)?;
        }
        f.write_str(")")?;
    }
    Ok(())
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for s in &self.statements {
            if matches!(s.kind, StatementKind::Command { .. }) {
                writeln!(f, "{s}")?;
            } else {
                writeln!(f, "{s};")?;
            }
        }
        Ok(())
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StatementKind::Let { name, value } => {
                write!(f, "let {name} = ")?;
                match value {
                    LetValue::Expr(e) => write!(f, "{e}"),
                    LetValue::Function(func) => write!(f, "{func}"),
                }
            }
            StatementKind::Set { name, value } => {
                write!(f, "set {}", name.text)?;
                if let Some(v) = value {
                    write!(f, " = {v}")?;
                }
                Ok(())
            }
            StatementKind::DeclareQueryParameters { params } => {
                f.write_str("declare query_parameters(")?;
                join(f, params, ", ")?;
                f.write_str(")")
            }
            StatementKind::Command { text } => f.write_str(text),
            StatementKind::Expr(e) => write!(f, "{e}"),
        }
    }
}

impl Display for Function {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.is_view {
            f.write_str("view ")?;
        }
        f.write_str("(")?;
        join(f, &self.params, ", ")?;
        f.write_str(") {\n")?;
        for s in &self.body {
            writeln!(f, "{s};")?;
        }
        f.write_str("}")
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.name)?;
        match &self.ty {
            ParamType::Scalar(t) => write_type(f, t)?,
            ParamType::Tabular { columns, wildcard } => {
                f.write_str("(")?;
                join(f, columns, ", ")?;
                if *wildcard {
                    if !columns.is_empty() {
                        f.write_str(", ")?;
                    }
                    f.write_str("*")?;
                }
                f.write_str(")")?;
            }
        }
        if let Some(d) = &self.default {
            write!(f, " = {d}")?;
        }
        Ok(())
    }
}

impl Display for ColumnDecl {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.name)?;
        write_type(f, &self.ty)
    }
}

/// A declared type prints as written: `datetime` and `dynamic` are type names here, not bracketed names.
fn write_type(f: &mut Formatter<'_>, t: &Name) -> fmt::Result {
    if super::parser::DECLARABLE_TYPES.contains(&t.text.as_str()) { f.write_str(&t.text) } else { write!(f, "{t}") }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Name(n) => write!(f, "{n}"),
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Wildcard(w) => f.write_str(w),
            ExprKind::Unary { op, expr } => {
                let s = match op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                };
                write!(f, "{s}{expr}")
            }
            ExprKind::Binary { op, lhs, rhs } => write!(f, "{lhs} {op} {rhs}"),
            ExprKind::List { op, expr, items } => {
                write!(f, "{expr} {op} (")?;
                join(f, items, ", ")?;
                f.write_str(")")
            }
            ExprKind::Between { negated, expr, low, high } => {
                let n = if *negated { "!" } else { "" };
                write!(f, "{expr} {n}between ({low} .. {high})")
            }
            ExprKind::Call { func, args } => {
                match &func.kind {
                    // function names such as `materialize` are keywords only when not called
                    ExprKind::Name(n) if matches!(n.text.as_str(), "materialize" | "toscalar" | "typeof") => {
                        write!(f, "{}(", n.text)?
                    }
                    _ => write!(f, "{func}(")?,
                }
                join(f, args, ", ")?;
                f.write_str(")")
            }
            ExprKind::Member { expr, name } => write!(f, "{expr}.{name}"),
            ExprKind::Index { expr, index } => write!(f, "{expr}[{index}]"),
            ExprKind::Paren(e) => write!(f, "({e})"),
            ExprKind::Bracketed(e) => write!(f, "[{e}]"),
            ExprKind::Pipeline { source, operators } => {
                write!(f, "{source}")?;
                for op in operators {
                    write!(f, "\n| {op}")?;
                }
                Ok(())
            }
            ExprKind::Source(op) => write!(f, "{op}"),
            ExprKind::Assign { name, value } => write!(f, "{name}={value}"),
            ExprKind::Tuple(items) => join(f, items, ", "),
            ExprKind::ClientParameter(name) => write!(f, "{{{name}}}"),
            ExprKind::Missing => Ok(()),
        }
    }
}

impl Display for BinaryOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::EqTilde => "=~",
            BinaryOp::NotTilde => "!~",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Colon => ":",
            BinaryOp::Str { op, negated, case_sensitive } => {
                if *op == StringOp::MatchesRegex {
                    return f.write_str("matches regex");
                }
                let base = match op {
                    StringOp::Has => "has",
                    StringOp::HasPrefix => "hasprefix",
                    StringOp::HasSuffix => "hassuffix",
                    StringOp::Contains => "contains",
                    StringOp::StartsWith => "startswith",
                    StringOp::EndsWith => "endswith",
                    StringOp::Like => "like",
                    StringOp::NotContains => "notcontains",
                    StringOp::MatchesRegex => unreachable!("handled above"),
                };
                if *negated {
                    f.write_str("!")?;
                }
                f.write_str(base)?;
                if *case_sensitive {
                    f.write_str(if matches!(op, StringOp::Like | StringOp::NotContains) { "cs" } else { "_cs" })?;
                }
                return Ok(());
            }
        };
        f.write_str(s)
    }
}

impl Display for ListOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            ListOp::In { negated, case_insensitive } => {
                if *negated {
                    f.write_str("!")?;
                }
                f.write_str("in")?;
                if *case_insensitive {
                    f.write_str("~")?;
                }
                Ok(())
            }
            ListOp::HasAny => f.write_str("has_any"),
            ListOp::HasAll => f.write_str("has_all"),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Int(s) | Literal::Real(s) | Literal::Timespan(s) | Literal::Typed(s) => f.write_str(s),
            Literal::String(parts) => {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(p)?;
                }
                Ok(())
            }
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Dynamic(d) => write!(f, "dynamic({d})"),
        }
    }
}

impl Display for Dynamic {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Dynamic::Null => f.write_str("null"),
            Dynamic::Scalar(e) => write!(f, "{e}"),
            Dynamic::Array(items) => {
                f.write_str("[")?;
                join(f, items, ", ")?;
                f.write_str("]")
            }
            Dynamic::Object(fields) => {
                f.write_str("{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_char('"')?;
                    for c in k.chars() {
                        match c {
                            '"' => f.write_str("\\\"")?,
                            '\\' => f.write_str("\\\\")?,
                            '\n' => f.write_str("\\n")?,
                            c => f.write_char(c)?,
                        }
                    }
                    write!(f, "\": {v}")?;
                }
                f.write_str("}")
            }
        }
    }
}

impl Display for NamedExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.tuple {
            f.write_str("(")?;
            join(f, &self.names, ", ")?;
            f.write_str(") = ")?;
        } else if let Some(n) = self.names.first() {
            write!(f, "{n} = ")?;
        }
        write!(f, "{}", self.expr)
    }
}

impl Display for SortExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(o) = self.order {
            f.write_str(match o {
                SortOrder::Asc => " asc",
                SortOrder::Desc => " desc",
                SortOrder::GrannyAsc => " granny-asc",
                SortOrder::GrannyDesc => " granny-desc",
            })?;
        }
        if let Some(n) = self.nulls {
            f.write_str(match n {
                NullsOrder::First => " nulls first",
                NullsOrder::Last => " nulls last",
            })?;
        }
        Ok(())
    }
}

impl Display for MvItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.item)?;
        if let Some(t) = &self.to_type {
            write!(f, " to typeof({t})")?;
        }
        Ok(())
    }
}

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use OperatorKind as O;
        match &self.kind {
            O::Where(e) => write!(f, "where {e}"),
            O::Extend(items) => {
                f.write_str("extend ")?;
                join(f, items, ", ")
            }
            O::Project(items) => {
                f.write_str("project ")?;
                join(f, items, ", ")
            }
            O::ProjectAway(items) => {
                f.write_str("project-away ")?;
                join(f, items, ", ")
            }
            O::ProjectKeep(items) => {
                f.write_str("project-keep ")?;
                join(f, items, ", ")
            }
            O::ProjectRename(items) => {
                f.write_str("project-rename ")?;
                join(f, items, ", ")
            }
            O::ProjectReorder(items) => {
                f.write_str("project-reorder ")?;
                join(f, items, ", ")
            }
            O::Summarize { params: ps, aggregates, by } => {
                f.write_str("summarize")?;
                params(f, ps)?;
                if !aggregates.is_empty() {
                    f.write_str(" ")?;
                    join(f, aggregates, ", ")?;
                }
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    join(f, by, ", ")?;
                }
                Ok(())
            }
            O::Distinct { params: ps, columns } => {
                f.write_str("distinct")?;
                params(f, ps)?;
                f.write_str(" ")?;
                join(f, columns, ", ")
            }
            O::Sort { params: ps, by } => {
                f.write_str("sort")?;
                params(f, ps)?;
                f.write_str(" by ")?;
                join(f, by, ", ")
            }
            O::Top { count, by } => write!(f, "top {count} by {by}"),
            O::TopNested(clauses) => {
                for (i, c) in clauses.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str("top-nested ")?;
                    if let Some(n) = &c.count {
                        write!(f, "{n} ")?;
                    }
                    write!(f, "of {}", c.of)?;
                    if let Some(o) = &c.others {
                        write!(f, " with others = {o}")?;
                    }
                    write!(f, " by {}", c.by)?;
                    match c.order {
                        Some(SortOrder::Asc) => f.write_str(" asc")?,
                        Some(SortOrder::Desc) => f.write_str(" desc")?,
                        _ => {}
                    }
                }
                Ok(())
            }
            O::Take(e) => write!(f, "take {e}"),
            O::Sample(e) => write!(f, "sample {e}"),
            O::SampleDistinct { count, of } => write!(f, "sample-distinct {count} of {of}"),
            O::Count { as_name } => {
                f.write_str("count")?;
                if let Some(n) = as_name {
                    write!(f, " as {n}")?;
                }
                Ok(())
            }
            O::Join { params: ps, right, on } | O::Lookup { params: ps, right, on } => {
                f.write_str(if matches!(self.kind, O::Join { .. }) { "join" } else { "lookup" })?;
                params(f, ps)?;
                write!(f, " {right}")?;
                if !on.is_empty() {
                    f.write_str(" on ")?;
                    join(f, on, ", ")?;
                }
                Ok(())
            }
            O::Union { params: ps, tables } => {
                f.write_str("union")?;
                params(f, ps)?;
                f.write_str(" ")?;
                join(f, tables, ", ")
            }
            O::MvExpand { params: ps, items, limit } => {
                f.write_str("mv-expand")?;
                params(f, ps)?;
                f.write_str(" ")?;
                join(f, items, ", ")?;
                if let Some(l) = limit {
                    write!(f, " limit {l}")?;
                }
                Ok(())
            }
            O::MvApply { params: ps, items, limit, on } => {
                f.write_str("mv-apply")?;
                params(f, ps)?;
                f.write_str(" ")?;
                join(f, items, ", ")?;
                if let Some(l) = limit {
                    write!(f, " limit {l}")?;
                }
                f.write_str(" on (")?;
                join(f, on, " | ")?;
                f.write_str(")")
            }
            O::Parse { where_, params: ps, source, pattern } => {
                f.write_str(if *where_ { "parse-where" } else { "parse" })?;
                params(f, ps)?;
                write!(f, " {source} with")?;
                for p in pattern {
                    match p {
                        ParsePart::Star => f.write_str(" *")?,
                        ParsePart::Literal(e) => write!(f, " {e}")?,
                        ParsePart::Column { name, ty } => {
                            write!(f, " {name}")?;
                            if let Some(t) = ty {
                                write!(f, ":{t}")?;
                            }
                        }
                    }
                }
                Ok(())
            }
            O::ParseKv { source, schema, with } => {
                write!(f, "parse-kv {source} as (")?;
                join(f, schema, ", ")?;
                f.write_str(")")?;
                with_props(f, with)
            }
            O::Evaluate { params: ps, call, schema } => {
                f.write_str("evaluate")?;
                params(f, ps)?;
                write!(f, " {call}")?;
                if !schema.is_empty() {
                    f.write_str(" : (")?;
                    join(f, schema, ", ")?;
                    f.write_str(")")?;
                }
                Ok(())
            }
            O::MakeSeries { params: ps, aggregates, on, from, to, step, by } => {
                f.write_str("make-series")?;
                params(f, ps)?;
                for (i, a) in aggregates.iter().enumerate() {
                    f.write_str(if i > 0 { ", " } else { " " })?;
                    write!(f, "{}", a.agg)?;
                    if let Some(d) = &a.default {
                        write!(f, " default={d}")?;
                    }
                }
                write!(f, " on {on}")?;
                if let Some(e) = from {
                    write!(f, " from {e}")?;
                }
                if let Some(e) = to {
                    write!(f, " to {e}")?;
                }
                if let Some(e) = step {
                    write!(f, " step {e}")?;
                }
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    join(f, by, ", ")?;
                }
                Ok(())
            }
            O::Render { chart, with } => {
                write!(f, "render {chart}")?;
                with_props(f, with)
            }
            O::Serialize(items) => {
                f.write_str("serialize")?;
                if !items.is_empty() {
                    f.write_str(" ")?;
                    join(f, items, ", ")?;
                }
                Ok(())
            }
            O::As { params: ps, name } => {
                f.write_str("as")?;
                params(f, ps)?;
                write!(f, " {name}")
            }
            O::Invoke(e) => write!(f, "invoke {e}"),
            O::Search { params: ps, tables, predicate } => {
                f.write_str("search")?;
                params(f, ps)?;
                if !tables.is_empty() {
                    f.write_str(" in (")?;
                    join(f, tables, ", ")?;
                    f.write_str(")")?;
                }
                write!(f, " {predicate}")
            }
            O::Find { params: ps, tables, predicate, project } => {
                f.write_str("find")?;
                params(f, ps)?;
                if !tables.is_empty() {
                    f.write_str(" in (")?;
                    join(f, tables, ", ")?;
                    f.write_str(")")?;
                }
                write!(f, " where {predicate}")?;
                if !project.is_empty() {
                    f.write_str(" project ")?;
                    join(f, project, ", ")?;
                }
                Ok(())
            }
            O::GetSchema => f.write_str("getschema"),
            O::Print(items) => {
                f.write_str("print ")?;
                join(f, items, ", ")
            }
            O::Range { name, from, to, step } => write!(f, "range {name} from {from} to {to} step {step}"),
            O::Datatable { schema, values } => {
                f.write_str("datatable(")?;
                join(f, schema, ", ")?;
                f.write_str(") [")?;
                join(f, values, ", ")?;
                f.write_str("]")
            }
            O::ExternalData { schema, urls, with } => {
                f.write_str("externaldata(")?;
                join(f, schema, ", ")?;
                f.write_str(") [")?;
                join(f, urls, ", ")?;
                f.write_str("]")?;
                with_props(f, with)
            }
            O::Reduce { by, with } => {
                write!(f, "reduce by {by}")?;
                if !with.is_empty() {
                    f.write_str(" with ")?;
                    for (i, p) in with.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        write!(f, "{}={}", p.name, p.value)?;
                    }
                }
                Ok(())
            }
            O::Other { name, tokens } => {
                f.write_str(name)?;
                for t in tokens {
                    write!(f, " {t}")?;
                }
                Ok(())
            }
        }
    }
}
