//! Tabular operators: everything that follows a `|`, plus source operators
//! (`print`, `union`, `range`, `datatable`, `externaldata`, `search`, `find`).

use super::{Parser, Progress};
use crate::kql::ast::*;
use crate::kql::errors::SyntaxErrorCode;
use crate::kql::lexer::TokenKind as K;
use crate::span::TextRange;

/// Every operator name the parser knows (sorted), for "did you mean".
pub(crate) const OPERATORS: &[&str] = &[
    "as",
    "consume",
    "count",
    "distinct",
    "evaluate",
    "execute-and-cache",
    "extend",
    "externaldata",
    "facet",
    "filter",
    "find",
    "fork",
    "getschema",
    "invoke",
    "join",
    "limit",
    "lookup",
    "make-graph",
    "make-series",
    "mv-apply",
    "mv-expand",
    "mvapply",
    "mvexpand",
    "order",
    "parse",
    "parse-kv",
    "parse-where",
    "partition",
    "print",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "range",
    "reduce",
    "render",
    "sample",
    "sample-distinct",
    "scan",
    "search",
    "serialize",
    "sort",
    "summarize",
    "take",
    "top",
    "top-hitters",
    "top-nested",
    "union",
    "where",
];

impl Parser<'_> {
    /// One operator (the `|` is already consumed).
    pub(crate) fn parse_operator(&mut self) -> Operator {
        let start = self.start();
        if !self.at(K::Ident) {
            let found = self.describe_current();
            let r = if self.at_eof() { TextRange::empty(self.prev_end()) } else { self.tok().range };
            self.add_error(
                SyntaxErrorCode::UnknownQueryOperator,
                format!("expected a query operator, found {found}"),
                r,
                None,
            );
            self.recover_to_pipe();
            return Operator {
                kind: OperatorKind::Other { name: String::new(), tokens: vec![] },
                range: self.range_from(start),
            };
        }
        let name = self.text();
        let kind = match name {
            "where" | "filter" => self.parse_where_op(),
            "extend" => self.parse_extend_op(),
            "project" => self.parse_project_op(),
            "project-away" => self.parse_project_away_op(),
            "project-keep" => self.parse_project_keep_op(),
            "project-rename" => self.parse_project_rename_op(),
            "project-reorder" => self.parse_project_reorder_op(),
            "summarize" => self.parse_summarize_op(),
            "distinct" => self.parse_distinct_op(),
            "sort" | "order" => self.parse_sort_op(),
            "top" => self.parse_top_op(),
            "top-nested" => self.parse_top_nested_op(),
            "take" | "limit" => self.parse_take_op(),
            "sample" => self.parse_sample_op(),
            "sample-distinct" => self.parse_sample_distinct_op(),
            "count" => self.parse_count_op(),
            "getschema" => self.parse_getschema_op(),
            "join" | "lookup" => self.parse_join_op(name),
            "union" => self.parse_union_op(),
            "mv-expand" | "mvexpand" => self.parse_mv_expand_op(),
            "mv-apply" | "mvapply" => self.parse_mv_apply_op(),
            "parse" | "parse-where" => self.parse_parse_op(name),
            "parse-kv" => self.parse_parse_kv_op(),
            "evaluate" => self.parse_evaluate_op(),
            "make-series" => self.parse_make_series_op(),
            "render" => self.parse_render_op(),
            "serialize" => self.parse_serialize_op(),
            "as" => self.parse_as_op(),
            "invoke" => self.parse_invoke_op(),
            "search" => self.parse_search_op(),
            "find" => self.parse_find_op(),
            "print" => self.parse_print_op(),
            "range" => self.parse_range_op(),
            "datatable" => self.parse_datatable_op(),
            "externaldata" | "external_data" => self.parse_externaldata_op(),
            "reduce" => self.parse_reduce_op(),
            "scan" | "fork" | "facet" | "partition" | "consume" | "make-graph" | "top-hitters"
            | "execute-and-cache" | "graph-match" => self.parse_scan_op(name),
            _ => self.parse_unknown_op(name),
        };
        Operator { kind, range: self.range_from(start) }
    }

    fn parse_where_op(&mut self) -> OperatorKind {
        self.bump();
        // `where Col = value` is accepted by Kusto as a named predicate
        OperatorKind::Where(self.parse_maybe_named_expr())
    }

    /// `expr`, or `name = expr` (Kusto's grammar names the value of `where`, `take`, `sample`, `top`;
    /// the checker reports a `where` predicate that is not `bool`).
    fn parse_maybe_named_expr(&mut self) -> Expr {
        let n = self.name_len(0);
        if n == 0 || self.nth_kind(n) != K::Eq {
            return self.parse_expr();
        }
        let start = self.start();
        let name = self.parse_name("a name");
        self.bump();
        let value = self.parse_expr();
        let range = self.range_from(start);
        Expr { kind: ExprKind::Assign { name, value: Box::new(value) }, range }
    }

    fn parse_extend_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::Extend(self.parse_named_list())
    }

    fn parse_project_op(&mut self) -> OperatorKind {
        self.bump();
        // Kusto accepts an empty `project`
        OperatorKind::Project(if self.at_list_end() { Vec::new() } else { self.parse_named_list() })
    }

    fn parse_project_away_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::ProjectAway(self.parse_column_patterns())
    }

    fn parse_project_keep_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::ProjectKeep(self.parse_column_patterns())
    }

    fn parse_project_rename_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::ProjectRename(self.parse_named_list())
    }

    fn parse_project_reorder_op(&mut self) -> OperatorKind {
        self.bump();
        let mut items = Vec::new();
        // Kusto accepts an empty `project-reorder`
        if self.at_list_end() {
            return OperatorKind::ProjectReorder(items);
        }
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            let s = self.start();
            let expr = self.parse_column_pattern();
            let order = self.parse_sort_order(true);
            items.push(SortExpr { expr, order, nulls: None, range: self.range_from(s) });
            if !self.eat(K::Comma) {
                break;
            }
        }
        OperatorKind::ProjectReorder(items)
    }

    fn parse_summarize_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&[]);
        let aggregates = if self.at_kw("by") || self.at_list_end() { Vec::new() } else { self.parse_named_list() };
        let by = if self.eat_kw("by") { self.parse_named_list() } else { Vec::new() };
        OperatorKind::Summarize { params, aggregates, by }
    }

    fn parse_distinct_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&[]);
        let columns = if self.at(K::Star) {
            let t = self.bump();
            let e = Expr { kind: ExprKind::Wildcard("*".into()), range: t.range };
            vec![NamedExpr { names: Vec::new(), tuple: false, expr: e, range: t.range }]
        } else {
            self.parse_named_list()
        };
        OperatorKind::Distinct { params, columns }
    }

    fn parse_sort_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&[]);
        self.expect_kw("by");
        OperatorKind::Sort { params, by: self.parse_sort_list() }
    }

    fn parse_top_op(&mut self) -> OperatorKind {
        self.bump();
        let count = self.parse_maybe_named_expr();
        self.expect_kw("by");
        let by = self.parse_sort_expr();
        OperatorKind::Top { count, by }
    }

    fn parse_top_nested_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::TopNested(self.parse_top_nested())
    }

    fn parse_take_op(&mut self) -> OperatorKind {
        self.bump();
        let _ = self.parse_params(&[]);
        OperatorKind::Take(self.parse_maybe_named_expr())
    }

    fn parse_sample_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::Sample(self.parse_maybe_named_expr())
    }

    fn parse_sample_distinct_op(&mut self) -> OperatorKind {
        self.bump();
        let count = self.parse_expr();
        self.expect_kw("of");
        OperatorKind::SampleDistinct { count, of: self.parse_expr() }
    }

    fn parse_count_op(&mut self) -> OperatorKind {
        self.bump();
        let as_name = if self.eat_kw("as") { Some(self.parse_name("a column name")) } else { None };
        OperatorKind::Count { as_name }
    }

    fn parse_getschema_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::GetSchema
    }

    fn parse_join_op(&mut self, name: &str) -> OperatorKind {
        let is_join = name == "join";
        self.bump();
        let params = self.parse_params(&["kind"]);
        let right = self.parse_join_right();
        let on = if self.eat_kw("on") { self.parse_expr_list() } else { Vec::new() };
        if !is_join && on.is_empty() {
            // `join` without `on` is accepted by Kusto; `lookup` needs it
            self.error_expected("`on` and the lookup columns");
        }
        if is_join { OperatorKind::Join { params, right, on } } else { OperatorKind::Lookup { params, right, on } }
    }

    fn parse_union_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&["kind", "withsource", "isfuzzy"]);
        let tables = self.comma_list(|p| p.parse_table_ref());
        OperatorKind::Union { params, tables }
    }

    fn parse_mv_expand_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&["bagexpansion", "with_itemindex", "kind"]);
        let items = self.parse_mv_items();
        let limit = if self.eat_kw("limit") { Some(self.parse_expr()) } else { None };
        OperatorKind::MvExpand { params, items, limit }
    }

    fn parse_mv_apply_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&["with_itemindex"]);
        let items = self.parse_mv_items();
        let limit = if self.eat_kw("limit") { Some(self.parse_expr()) } else { None };
        self.expect_kw("on");
        let on = self.parse_subquery_ops();
        OperatorKind::MvApply { params, items, limit, on }
    }

    fn parse_parse_op(&mut self, name: &str) -> OperatorKind {
        let where_ = name == "parse-where";
        self.bump();
        let params = self.parse_params(&["kind", "flags"]);
        let source = self.parse_expr();
        self.expect_kw("with");
        let pattern = self.parse_parse_pattern();
        OperatorKind::Parse { where_, params, source, pattern }
    }

    fn parse_parse_kv_op(&mut self) -> OperatorKind {
        self.bump();
        let source = self.parse_expr();
        self.expect_kw("as");
        let schema = self.parse_schema();
        let with = if self.eat_kw("with") { self.parse_with_props() } else { Vec::new() };
        OperatorKind::ParseKv { source, schema, with }
    }

    fn parse_evaluate_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&[]);
        let call = self.parse_expr();
        if !matches!(call.kind, ExprKind::Call { .. } | ExprKind::Missing) {
            self.error_expected("`(` after the plugin name");
        }
        let schema = if self.eat(K::Colon) { self.parse_schema() } else { Vec::new() };
        OperatorKind::Evaluate { params, call, schema }
    }

    fn parse_make_series_op(&mut self) -> OperatorKind {
        self.bump();
        self.parse_make_series()
    }

    fn parse_render_op(&mut self) -> OperatorKind {
        self.bump();
        let chart = self.parse_name("a chart type");
        let with = if self.eat_kw("with") { self.parse_with_props() } else { self.parse_bare_props_render() };
        OperatorKind::Render { chart, with }
    }

    fn parse_serialize_op(&mut self) -> OperatorKind {
        self.bump();
        let cols = if self.at_name() { self.parse_named_list() } else { Vec::new() };
        OperatorKind::Serialize(cols)
    }

    fn parse_as_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&[]);
        let name = self.parse_name("a name after `as`");
        OperatorKind::As { params, name }
    }

    fn parse_invoke_op(&mut self) -> OperatorKind {
        self.bump();
        let call = self.parse_expr();
        if !matches!(call.kind, ExprKind::Call { .. } | ExprKind::Missing) {
            self.error_expected("`(`");
        }
        OperatorKind::Invoke(call)
    }

    fn parse_search_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&["kind"]);
        let tables = if self.eat_kw("in") { self.parse_paren_list() } else { Vec::new() };
        let saved = std::mem::replace(&mut self.in_search, true);
        let predicate = self.parse_expr();
        self.in_search = saved;
        OperatorKind::Search { params, tables, predicate }
    }

    fn parse_find_op(&mut self) -> OperatorKind {
        self.bump();
        let params = self.parse_params(&["withsource", "kind", "datascope"]);
        // `where` is optional, unless `in (…)` names the tables
        let tables = if self.eat_kw("in") {
            let tables = self.parse_paren_list();
            self.expect_kw("where");
            tables
        } else {
            self.eat_kw("where");
            Vec::new()
        };
        let predicate = self.parse_expr();
        let project = if self.at_kw("project") || self.at_kw("project-smart") {
            self.bump();
            self.parse_expr_list()
        } else {
            Vec::new()
        };
        OperatorKind::Find { params, tables, predicate, project }
    }

    fn parse_print_op(&mut self) -> OperatorKind {
        self.bump();
        OperatorKind::Print(self.parse_named_list())
    }

    fn parse_range_op(&mut self) -> OperatorKind {
        self.bump();
        let name = self.parse_name("a column name");
        self.expect_kw("from");
        let from = self.parse_expr();
        self.expect_kw("to");
        let to = self.parse_expr();
        self.expect_kw("step");
        let step = self.parse_expr();
        OperatorKind::Range { name, from, to, step }
    }

    fn parse_datatable_op(&mut self) -> OperatorKind {
        self.bump();
        let _ = self.parse_params(&[]);
        let schema = self.parse_schema();
        self.expect(K::LBracket, "[");
        let values = self.delimited_list(K::RBracket, |p| p.parse_expr());
        self.expect_closer(K::RBracket, "]");
        OperatorKind::Datatable { schema, values }
    }

    fn parse_externaldata_op(&mut self) -> OperatorKind {
        self.bump();
        let _ = self.parse_params(&[]);
        let schema = self.parse_schema();
        self.expect(K::LBracket, "[");
        let urls = self.delimited_list(K::RBracket, |p| p.parse_expr());
        self.expect_closer(K::RBracket, "]");
        let with = if self.eat_kw("with") { self.parse_with_props() } else { Vec::new() };
        for p in &with {
            // property values are scalar literals (`format="csv"`, `ignoreFirstRecord=true`, `real(null)`);
            // Kusto rejects timespans, `dynamic(…)` and `decimal(…)` there
            let rejected = match &p.value.kind {
                ExprKind::Literal(Literal::Timespan(_) | Literal::Dynamic(_)) => true,
                ExprKind::Call { func, .. } => matches!(&func.kind, ExprKind::Name(n) if n.text == "decimal"),
                _ => false,
            };
            if rejected {
                self.add_error(
                    SyntaxErrorCode::ExpectedExpression,
                    format!("a timespan, `dynamic` or `decimal` value cannot be the value of `{}`", p.name),
                    p.value.range,
                    None,
                );
            }
        }
        OperatorKind::ExternalData { schema, urls, with }
    }

    fn parse_reduce_op(&mut self) -> OperatorKind {
        self.bump();
        self.expect_kw("by");
        let by = self.parse_expr();
        let with = if self.eat_kw("with") { self.parse_bare_props() } else { Vec::new() };
        OperatorKind::Reduce { by, with }
    }

    fn parse_scan_op(&mut self, name: &str) -> OperatorKind {
        let name = name.to_string();
        self.bump();
        let mut tokens = Vec::new();
        let mut depth = 0i32;
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            match self.kind() {
                K::Eof => break,
                K::Pipe | K::Semi if depth == 0 => break,
                K::RParen | K::RBracket | K::RBrace if depth == 0 => break,
                K::LParen | K::LBracket | K::LBrace => depth += 1,
                K::RParen | K::RBracket | K::RBrace => depth -= 1,
                _ => {}
            }
            tokens.push(self.text().to_string());
            self.bump();
        }
        if depth > 0 {
            self.error_expected("a closing bracket");
        }
        OperatorKind::Other { name, tokens }
    }

    fn parse_unknown_op(&mut self, name: &str) -> OperatorKind {
        let r = self.tok().range;
        let word = name.to_string();
        let help = OPERATORS
            .iter()
            .find(|o| o.eq_ignore_ascii_case(&word))
            .map(|o| format!("operators are case-sensitive: did you mean `{o}`?"))
            .or_else(|| {
                OPERATORS
                    .iter()
                    .map(|o| (strsim::damerau_levenshtein(&word, o), *o))
                    .filter(|(d, o)| *d <= 2.max(o.len() / 4) && *d < word.len())
                    .min()
                    .map(|(_, o)| format!("did you mean `{o}`?"))
            });
        self.add_error(SyntaxErrorCode::UnknownQueryOperator, format!("unknown query operator `{word}`"), r, help);
        self.bump();
        self.recover_to_pipe();
        OperatorKind::Other { name: word, tokens: vec![] }
    }

    /// At a token that ends an operator's argument list.
    pub(crate) fn at_list_end(&self) -> bool {
        matches!(self.kind(), K::Pipe | K::Semi | K::RParen | K::RBrace | K::Eof)
    }

    /// `name=value` parameters: names in `allowed`, or any `hint.*`.
    pub(crate) fn parse_params(&mut self, allowed: &[&str]) -> Vec<OpParam> {
        let mut params = Vec::new();
        let mut progress = Progress::new();
        while self.at(K::Ident) {
            if !progress.check(self) {
                break;
            }
            let word = self.text();
            let is_hint = word == "hint" && self.nth_kind(1) == K::Dot;
            if !(is_hint || (allowed.contains(&word) && self.nth_kind(1) == K::Eq)) {
                break;
            }
            let start = self.start();
            let name = self.parse_dotted_name();
            self.expect(K::Eq, "=");
            let value = self.parse_param_value();
            params.push(OpParam { name, value, range: self.range_from(start) });
        }
        params
    }

    /// A single-token parameter value (`inner`, `true`, `"x"`, `-1`).
    fn parse_param_value(&mut self) -> Expr {
        let start = self.start();
        match self.kind() {
            K::Ident => {
                let t = self.bump();
                let text = self.text_of(t).to_string();
                let kind = match text.as_str() {
                    "true" => ExprKind::Literal(Literal::Bool(true)),
                    "false" => ExprKind::Literal(Literal::Bool(false)),
                    _ => ExprKind::Name(Name { text, range: t.range }),
                };
                Expr { kind, range: t.range }
            }
            K::Int | K::Real | K::String | K::Timespan | K::Minus | K::TypedLiteral => self.parse_unary_pub(),
            K::LBracket if self.at_name() => {
                let n = self.parse_name("a name");
                Expr { range: n.range, kind: ExprKind::Name(n) }
            }
            _ => {
                let _ = start;
                self.missing_expr()
            }
        }
    }

    pub(crate) fn parse_unary_pub(&mut self) -> Expr {
        // unary minus followed by a literal, without binary operators
        let start = self.start();
        if self.eat(K::Minus) {
            let e = self.parse_param_value();
            return Expr {
                kind: ExprKind::Unary { op: UnaryOp::Neg, expr: Box::new(e) },
                range: self.range_from(start),
            };
        }
        let t = self.bump();
        let text = self.text_of(t).to_string();
        let lit = match t.kind {
            K::Int => Literal::Int(text),
            K::Real => Literal::Real(text),
            K::Timespan => Literal::Timespan(text),
            K::TypedLiteral => Literal::Typed(text),
            _ => {
                let mut parts = vec![text];
                while self.at(K::String) {
                    parts.push(self.text().to_string());
                    self.bump();
                }
                Literal::String(parts)
            }
        };
        Expr { kind: ExprKind::Literal(lit), range: self.range_from(start) }
    }

    /// `[name =] expr` or `(a, b) = expr`.
    pub(crate) fn parse_named_expr(&mut self) -> NamedExpr {
        let start = self.start();
        // tuple form
        if self.at(K::LParen) {
            let mut i = 1;
            let mut ok = false;
            loop {
                if self.nth_kind(i) != K::Ident {
                    break;
                }
                i += 1;
                match self.nth_kind(i) {
                    K::Comma => i += 1,
                    K::RParen => {
                        ok = self.nth_kind(i + 1) == K::Eq;
                        break;
                    }
                    _ => break,
                }
            }
            if ok {
                self.bump();
                let mut names = Vec::new();
                while self.at(K::Ident) {
                    names.push(self.parse_name("a column name"));
                    if !self.eat(K::Comma) {
                        break;
                    }
                }
                self.expect(K::RParen, ")");
                self.expect(K::Eq, "=");
                let expr = self.parse_expr();
                return NamedExpr { names, tuple: true, expr, range: self.range_from(start) };
            }
        }
        let name_len = self.name_len(0);
        if name_len > 0 && self.nth_kind(name_len) == K::Eq {
            let name = self.parse_name("a column name");
            self.bump();
            let expr = self.parse_expr();
            return NamedExpr { names: vec![name], tuple: false, expr, range: self.range_from(start) };
        }
        let expr = self.parse_expr();
        NamedExpr { names: Vec::new(), tuple: false, expr, range: self.range_from(start) }
    }

    pub(crate) fn parse_named_list(&mut self) -> Vec<NamedExpr> {
        self.comma_list(|p| p.parse_named_expr())
    }

    pub(crate) fn parse_expr_list(&mut self) -> Vec<Expr> {
        self.comma_list(|p| p.parse_expr())
    }

    /// A column name possibly with `*` wildcards (`Col*`, `*Id`, `*`).
    fn parse_column_pattern(&mut self) -> Expr {
        let start = self.start();
        let adjacent_star = |p: &Parser| p.at(K::Star) && p.prev_end() == p.start() && p.pos > 0;
        if self.at(K::Star) || (self.at(K::Ident) && self.nth_kind(1) == K::Star && self.nth_adjacent(1)) {
            let mut text = String::new();
            let mut progress = Progress::new();
            loop {
                if !progress.check(self) {
                    break;
                }
                if self.at(K::Star) && (text.is_empty() || adjacent_star(self)) {
                    text.push('*');
                    self.bump();
                } else if (matches!(self.kind(), K::Ident | K::Int)
                    && !text.is_empty()
                    && self.prev_end() == self.start())
                    || (self.at(K::Ident) && text.is_empty())
                {
                    text.push_str(self.text());
                    self.bump();
                } else {
                    break;
                }
            }
            return Expr { kind: ExprKind::Wildcard(text), range: self.range_from(start) };
        }
        // a column name, not an expression (Kusto rejects `project-away a.b`, `project-keep a >= 1`)
        let n = self.parse_name("a column name");
        Expr { range: n.range, kind: ExprKind::Name(n) }
    }

    fn parse_column_patterns(&mut self) -> Vec<Expr> {
        self.comma_list(|p| p.parse_column_pattern())
    }

    fn parse_sort_order(&mut self, granny: bool) -> Option<SortOrder> {
        let o = match self.text() {
            "asc" if self.at(K::Ident) => SortOrder::Asc,
            "desc" if self.at(K::Ident) => SortOrder::Desc,
            "granny-asc" if granny && self.at(K::Ident) => SortOrder::GrannyAsc,
            "granny-desc" if granny && self.at(K::Ident) => SortOrder::GrannyDesc,
            _ => return None,
        };
        self.bump();
        Some(o)
    }

    fn parse_sort_expr(&mut self) -> SortExpr {
        let start = self.start();
        let expr = self.parse_expr();
        let order = self.parse_sort_order(false);
        let nulls = if self.at_kw("nulls") {
            self.bump();
            if self.eat_kw("first") {
                Some(NullsOrder::First)
            } else {
                self.expect_kw("last");
                Some(NullsOrder::Last)
            }
        } else {
            None
        };
        SortExpr { expr, order, nulls, range: self.range_from(start) }
    }

    fn parse_sort_list(&mut self) -> Vec<SortExpr> {
        self.comma_list(|p| p.parse_sort_expr())
    }

    fn parse_top_nested(&mut self) -> Vec<TopNestedClause> {
        let mut clauses = Vec::new();
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            let start = self.start();
            let count = if self.at_kw("of") { None } else { Some(self.parse_expr()) };
            self.expect_kw("of");
            let of = self.parse_named_expr();
            let others = if self.at_kw("with") && self.nth_is_kw(1, "others") {
                self.bump();
                self.bump();
                self.expect(K::Eq, "=");
                Some(self.parse_expr())
            } else {
                None
            };
            self.expect_kw("by");
            let by = self.parse_named_expr();
            let order = self.parse_sort_order(false);
            clauses.push(TopNestedClause { count, of, others, by, order, range: self.range_from(start) });
            if !(self.at(K::Comma) && self.nth_is_kw(1, "top-nested")) {
                break;
            }
            self.bump();
            self.bump();
        }
        clauses
    }

    /// Right side of join/lookup: `(subquery)` or a table expression.
    fn parse_join_right(&mut self) -> Expr {
        if self.at_kw("on") || self.at(K::Pipe) || self.at_eof() {
            return self.missing_expr();
        }
        self.parse_expr()
    }

    /// A union leg: `(subquery)`, `Name`, `Name*` wildcard, `*`, or a call.
    fn parse_table_ref(&mut self) -> Expr {
        if self.at(K::Star) || (self.at(K::Ident) && self.nth_kind(1) == K::Star && self.nth_adjacent(1)) {
            return self.parse_column_pattern();
        }
        // a table, a call or a sub-query: no operators (`union a == "x"` is an error)
        self.parse_postfix()
    }

    fn parse_mv_items(&mut self) -> Vec<MvItem> {
        let mut items = Vec::new();
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            let start = self.start();
            let item = self.parse_named_expr();
            let to_type = if self.at_kw("to") && self.nth_is_kw(1, "typeof") {
                self.bump();
                self.bump();
                self.expect(K::LParen, "(");
                let t = self.parse_name("a type name");
                self.expect(K::RParen, ")");
                Some(t)
            } else {
                None
            };
            items.push(MvItem { item, to_type, range: self.range_from(start) });
            if !self.eat(K::Comma) {
                break;
            }
        }
        items
    }

    /// `( op | op ... )` sub-query without a source (mv-apply `on`).
    fn parse_subquery_ops(&mut self) -> Vec<Operator> {
        let mut ops = Vec::new();
        if !self.expect(K::LParen, "(") {
            return ops;
        }
        if !self.enter() {
            self.leave();
            return ops;
        }
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            ops.push(self.parse_operator());
            if !self.eat(K::Pipe) {
                break;
            }
        }
        self.leave();
        self.expect_closer(K::RParen, ")");
        ops
    }

    fn parse_parse_pattern(&mut self) -> Vec<ParsePart> {
        let mut parts = Vec::new();
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            match self.kind() {
                K::Star => {
                    self.bump();
                    parts.push(ParsePart::Star);
                }
                K::String => {
                    let start = self.start();
                    let mut v = Vec::new();
                    while self.at(K::String) {
                        v.push(self.text().to_string());
                        self.bump();
                    }
                    parts.push(ParsePart::Literal(Expr {
                        kind: ExprKind::Literal(Literal::String(v)),
                        range: self.range_from(start),
                    }));
                }
                K::Ident if !matches!(self.text(), "and" | "or") => {
                    let name = self.parse_name("a column name");
                    let ty = if self.eat(K::Colon) { Some(self.parse_name("a type name")) } else { None };
                    parts.push(ParsePart::Column { name, ty });
                }
                K::LBracket if self.at_name() => {
                    let name = self.parse_name("a column name");
                    let ty = if self.eat(K::Colon) { Some(self.parse_name("a type name")) } else { None };
                    parts.push(ParsePart::Column { name, ty });
                }
                _ => break,
            }
        }
        parts
    }

    /// `( name: type, ... )`
    pub(crate) fn parse_schema(&mut self) -> Vec<ColumnDecl> {
        if !self.expect(K::LParen, "(") {
            return Vec::new();
        }
        let cols = self.delimited_list(K::RParen, |p| p.parse_column_decl());
        self.expect_closer(K::RParen, ")");
        cols
    }

    /// `( name = value, ... )` after `with`.
    pub(crate) fn parse_with_props(&mut self) -> Vec<OpParam> {
        if !self.expect(K::LParen, "(") {
            return Vec::new();
        }
        let props = self.delimited_list(K::RParen, |p| p.parse_prop());
        self.expect_closer(K::RParen, ")");
        props
    }

    fn parse_bare_props(&mut self) -> Vec<OpParam> {
        let mut props = Vec::new();
        let mut progress = Progress::new();
        while self.at(K::Ident) && self.nth_kind(1) == K::Eq {
            if !progress.check(self) {
                break;
            }
            props.push(self.parse_prop());
            if !self.eat(K::Comma) {
                break;
            }
        }
        props
    }

    /// Legacy `render chart kind=stacked title="x"` (no `with`, no commas).
    fn parse_bare_props_render(&mut self) -> Vec<OpParam> {
        let mut props = Vec::new();
        let mut progress = Progress::new();
        while self.at(K::Ident) && self.nth_kind(1) == K::Eq {
            if !progress.check(self) {
                break;
            }
            let start = self.start();
            let name = self.parse_dotted_name();
            self.bump();
            let value = self.parse_param_value();
            props.push(OpParam { name, value, range: self.range_from(start) });
        }
        props
    }

    fn parse_prop(&mut self) -> OpParam {
        let start = self.start();
        let name = if self.at(K::Ident) { self.parse_dotted_name() } else { self.parse_name("a property name").text };
        self.expect(K::Eq, "=");
        let mut value = self.parse_expr();
        // `ycolumns=a, b`: further values until the next `name=`
        if self.at(K::Comma)
            && !(self.name_len(1) > 0 && self.nth_kind(self.name_len(1) + 1) == K::Eq)
            && self.nth_kind(1) != K::RParen
        {
            let vstart = value.range.start;
            let mut items = vec![value];
            let mut progress = Progress::new();
            while self.at(K::Comma) && !(self.name_len(1) > 0 && self.nth_kind(self.name_len(1) + 1) == K::Eq) {
                if !progress.check(self) {
                    break;
                }
                self.bump();
                items.push(self.parse_expr());
            }
            value = Expr { kind: ExprKind::Tuple(items), range: self.range_from(vstart) };
        }
        OpParam { name, value, range: self.range_from(start) }
    }

    fn parse_make_series(&mut self) -> OperatorKind {
        let params = self.parse_params(&["kind"]);
        let mut aggregates = Vec::new();
        let mut progress = Progress::new();
        loop {
            if !progress.check(self) {
                break;
            }
            let agg = self.parse_named_expr();
            let default = if self.at_kw("default") && self.nth_kind(1) == K::Eq {
                self.bump();
                self.bump();
                Some(self.parse_expr())
            } else {
                None
            };
            aggregates.push(SeriesAgg { agg, default });
            if !self.eat(K::Comma) {
                break;
            }
        }
        self.expect_kw("on");
        let on = self.parse_expr();
        let mut from = None;
        let mut to = None;
        let mut step = None;
        if self.eat_kw("in") {
            // legacy: in range(from, to, step)
            let r = self.parse_expr();
            if let ExprKind::Call { args, .. } = r.kind {
                let mut it = args.into_iter();
                from = it.next();
                to = it.next();
                step = it.next();
            }
        } else {
            if self.eat_kw("from") {
                from = Some(self.parse_expr());
            }
            if self.eat_kw("to") {
                to = Some(self.parse_expr());
            }
            if self.expect_kw("step") {
                step = Some(self.parse_expr());
            }
        }
        let by = if self.eat_kw("by") { self.parse_named_list() } else { Vec::new() };
        OperatorKind::MakeSeries { params, aggregates, on, from, to, step, by }
    }
}
