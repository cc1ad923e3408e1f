//! Parser tests: constructs, diagnostics, fixtures, round trips, depth, and
//! bounded random inputs (proptest).

use std::path::PathBuf;

use super::ast::*;
use super::*;
use crate::span::TextRange;

/// Renders diagnostics as `SYN001 [start..end] message (help)` lines.
fn diagnostics(text: &str) -> String {
    let parsed = parse(text);
    let mut out = String::new();
    for e in &parsed.errors {
        out.push_str(&format!(
            "{} {} [{}..{}] {}",
            e.code.code(),
            e.code.name(),
            e.range.start,
            e.range.end,
            e.message
        ));
        if let Some(h) = &e.help {
            out.push_str(&format!(" (help: {h})"));
        }
        out.push('\n');
    }
    out
}

/// Asserts every range of every diagnostic lies inside the text.
fn assert_ranges_in_bounds(text: &str, parsed: &Parsed) {
    let len = text.len() as u32;
    for e in &parsed.errors {
        assert!(e.range.start <= e.range.end && e.range.end <= len, "range {:?} out of bounds for {text:?}", e.range);
        assert!(text.is_char_boundary(e.range.start as usize), "range not on a char boundary");
        assert!(text.is_char_boundary(e.range.end as usize), "range not on a char boundary");
    }
    assert_eq!(parsed.query.range, TextRange::new(0, len));
}

/// Parse, assert no errors, print, re-parse, assert the same tree; returns the printed text.
#[track_caller]
fn verified_query(text: &str) -> String {
    let parsed = parse(text);
    assert!(parsed.errors.is_empty(), "unexpected errors for {text:?}:\n{}", diagnostics(text));
    let printed = parsed.query.to_string();
    let again = parse(&printed);
    assert!(again.errors.is_empty(), "printed text does not parse: {printed:?}\n{}", diagnostics(&printed));
    assert!(again.query.same_shape(&parsed.query), "round trip changed the tree:\n{text}\n---\n{printed}");
    printed
}

/// Parse `input`, assert it prints as `canonical` (trailing `;\n` trimmed).
#[track_caller]
fn query_parses_to(input: &str, canonical: &str) {
    let printed = verified_query(input);
    assert_eq!(printed.trim_end().trim_end_matches(';'), canonical);
}

#[track_caller]
fn first_error(text: &str) -> SyntaxError {
    let p = parse(text);
    assert_ranges_in_bounds(text, &p);
    p.errors.into_iter().next().unwrap_or_else(|| panic!("expected an error for {text:?}"))
}

// ---- valid constructs ------------------------------------------------------

#[test]
fn simple_pipeline_prints_canonically() {
    query_parses_to("T|where a==1|take 10", "T\n| where a == 1\n| take 10");
    query_parses_to("T | filter a | limit 5", "T\n| where a\n| take 5");
    query_parses_to("T | order by a", "T\n| sort by a");
}

#[test]
fn let_statements() {
    query_parses_to("let x = 1; T", "let x = 1;\nT");
    query_parses_to(
        "let f = (T:(*), c:string = \"x\") { T | where a == c }; f(U)",
        "let f = (T:(*), c:string = \"x\") {\nT\n| where a == c;\n};\nf(U)",
    );
    query_parses_to("let v = view () { T }; v", "let v = view () {\nT;\n};\nv");
    query_parses_to("let m = materialize(T | take 1); m", "let m = materialize(T\n| take 1);\nm");
    verified_query("let f = (T:(a:string, b:long)) { T | project a }; f(U)");
}

#[test]
fn declare_and_set() {
    query_parses_to(
        "declare query_parameters(a:string = \"x\", b:int);",
        "declare query_parameters(a:string = \"x\", b:int)",
    );
    query_parses_to("set querytrace; T", "set querytrace;\nT");
    verified_query("set query_now = datetime(2022-10-24T11:54:50.128Z); T");
}

#[test]
fn string_operators() {
    for op in [
        "has",
        "!has",
        "has_cs",
        "!has_cs",
        "hasprefix",
        "!hasprefix",
        "hassuffix_cs",
        "contains",
        "!contains",
        "contains_cs",
        "startswith",
        "!startswith_cs",
        "endswith",
        "matches regex",
        "notcontains",
        "=~",
        "!~",
    ] {
        query_parses_to(&format!("T | where a {op} \"x\""), &format!("T\n| where a {op} \"x\""));
    }
}

#[test]
fn list_operators() {
    query_parses_to("T | where a in~ (\"x\",\"y\")", "T\n| where a in~ (\"x\", \"y\")");
    query_parses_to("T | where a !in~ (1)", "T\n| where a !in~ (1)");
    query_parses_to("T | where a has_any (U | project b)", "T\n| where a has_any (U\n| project b)");
    query_parses_to("T | where a !between(1..2)", "T\n| where a !between (1 .. 2)");
}

#[test]
fn literals() {
    query_parses_to(
        "print 15m, 1.5h, 10tick, 1e3, 0x1F, datetime(2020-01-01), guid(a3df4a32-4805-4c6d-8699-f3c888af2f67)",
        "print 15m, 1.5h, 10tick, 1e3, 0x1F, datetime(2020-01-01), guid(a3df4a32-4805-4c6d-8699-f3c888af2f67)",
    );
    query_parses_to("print @'a''b', h\"x\", 'a' \"b\"", "print @'a''b', h\"x\", 'a' \"b\"");
    query_parses_to("print dynamic({\"a\":[1,-2,null,true]})", "print dynamic({\"a\": [1, -2, null, true]})");
    query_parses_to("print int(null), real(1.5)", "print int(null), real(1.5)");
    query_parses_to("print ```a\nb```", "print ```a\nb```");
}

#[test]
fn names() {
    query_parses_to("T | project ['a b'] = 1, [\"c\"] = 2", "T\n| project ['a b'] = 1, c = 2");
    query_parses_to("T | where $left.a == $right.b", "T\n| where $left.a == $right.b");
    query_parses_to("T | extend x = a.['b c'].d[0]", "T\n| extend x = a.['b c'].d[0]");
    query_parses_to("T | project ['and']", "T\n| project ['and']");
}

#[test]
fn join_union_lookup() {
    query_parses_to(
        "T | join kind=inner hint.strategy=broadcast (U) on $left.a == $right.b, c",
        "T\n| join kind=inner hint.strategy=broadcast (U) on $left.a == $right.b, c",
    );
    query_parses_to("union withsource=S T*, (U | take 1)", "union withsource=S T*, (U\n| take 1)");
    query_parses_to("T | lookup kind=leftouter U on a", "T\n| lookup kind=leftouter U on a");
}

#[test]
fn summarize_and_friends() {
    query_parses_to("T | summarize by a", "T\n| summarize by a");
    query_parses_to(
        "T | summarize c=count(), arg_max(t, *) by bin(t, 1h)",
        "T\n| summarize c = count(), arg_max(t, *) by bin(t, 1h)",
    );
    query_parses_to("T | extend (a, b) = f(x)", "T\n| extend (a, b) = f(x)");
    query_parses_to("T | top 10 by a desc nulls last", "T\n| top 10 by a desc nulls last");
    query_parses_to("T | project-away a*, *b", "T\n| project-away a*, *b");
    query_parses_to("T | distinct *", "T\n| distinct *");
    query_parses_to("T | count as n", "T\n| count as n");
}

#[test]
fn mv_parse_make_series_render() {
    query_parses_to("T | mv-expand x to typeof(string) limit 5", "T\n| mv-expand x to typeof(string) limit 5");
    query_parses_to("T | mv-apply x on (take 1 | where y)", "T\n| mv-apply x on (take 1 | where y)");
    query_parses_to("T | parse x with * \"a\" y:int \"b\" *", "T\n| parse x with * \"a\" y:int \"b\" *");
    query_parses_to(
        "T | make-series c=count() default=0 on t from ago(1d) to now() step 1h by a",
        "T\n| make-series c = count() default=0 on t from ago(1d) to now() step 1h by a",
    );
    query_parses_to(
        "T | render timechart with (title=\"x\", ycolumns=a, b)",
        "T\n| render timechart with (title=\"x\", ycolumns=a, b)",
    );
    query_parses_to("T | evaluate bag_unpack(x) : (a:string)", "T\n| evaluate bag_unpack(x) : (a:string)");
}

#[test]
fn sources() {
    query_parses_to("datatable(a:string)[\"x\", \"y\"]", "datatable(a:string) [\"x\", \"y\"]");
    query_parses_to(
        "externaldata(a:string)[@\"https://x\"] with (format=\"csv\")",
        "externaldata(a:string) [@\"https://x\"] with (format=\"csv\")",
    );
    query_parses_to("range x from 1 to 10 step 1", "range x from 1 to 10 step 1");
    query_parses_to("search in (T) \"x\" and A:\"y\"", "search in (T) \"x\" and A : \"y\"");
    query_parses_to("find in (T) where a == 1 project a", "find in (T) where a == 1 project a");
}

#[test]
fn ast_shape_snapshot() {
    let q = parse("let x = 1; T | where a has \"b\" and c in~ (1, 2) | summarize n = count() by d").query;
    insta::assert_snapshot!("ast_shape", q.without_ranges());
}

#[test]
fn spans_slice_the_source() {
    let text = "T | where a == 1 | project b = c + 1";
    let q = parse(text).query;
    let StatementKind::Expr(e) = &q.statements[0].kind else { panic!("not an expression") };
    let ExprKind::Pipeline { operators, .. } = &e.kind else { panic!("not a pipeline") };
    assert_eq!(&text[operators[0].range.as_usize_range()], "where a == 1");
    assert_eq!(&text[operators[1].range.as_usize_range()], "project b = c + 1");
    let OperatorKind::Project(items) = &operators[1].kind else { panic!("not project") };
    assert_eq!(&text[items[0].expr.range.as_usize_range()], "c + 1");
    assert_eq!(&text[e.range.as_usize_range()], text);
}

// ---- diagnostics -----------------------------------------------------------

#[test]
fn diagnostics_snapshot() {
    let cases = [
        "let x = ;",
        "T | take 10\nU | take 10",
        "T | WHERE a == 1",
        "T | where a == 'x",
        "T | where a == \u{201c}x\u{201d}",
        "print dynamic([1,])",
        "T | where a in ()",
        "T | where a ==",
        "T | project a b",
        "| where x",
        ";T",
        "T | join (U on a",
        "T | where and",
        "T | where a == b == c",
        "T | evaluate foo",
        "T | take 1 |",
    ];
    let mut out = String::new();
    for c in cases {
        out.push_str(&format!("== {c:?}\n{}", diagnostics(c)));
    }
    insta::assert_snapshot!("diagnostics", out);
}

#[test]
fn missing_value_points_after_previous_token() {
    let e = first_error("let x = ;");
    assert_eq!(e.code, SyntaxErrorCode::ExpectedExpression);
    assert_eq!(e.range, TextRange::empty(7));
}

#[test]
fn missing_semicolon_between_queries() {
    let e = first_error("T | take 10\n\nU");
    assert_eq!(e.code, SyntaxErrorCode::MissingStatementSeparator);
    assert_eq!(e.range, TextRange::empty(11));
    assert!(e.help.is_some());
}

#[test]
fn unknown_operator_suggests_lowercase() {
    let e = first_error("T | Where x");
    assert_eq!(e.code, SyntaxErrorCode::UnknownQueryOperator);
    assert_eq!(e.message, "unknown query operator `Where`");
    assert_eq!(e.help.as_deref(), Some("operators are case-sensitive: did you mean `where`?"));
}

#[test]
fn second_error_at_same_offset_is_dropped() {
    let p = parse("T | where (");
    // The first error is kept: an expression is missing at the end.
    let first = p.errors.first().expect("`T | where (` has an error");
    assert_eq!(first.range.start, 11, "{:?}", p.errors);
    let mut starts: Vec<u32> = p.errors.iter().map(|e| e.range.start).collect();
    let n = starts.len();
    starts.dedup();
    assert_eq!(starts.len(), n);
}

#[test]
fn recovery_keeps_later_statements() {
    let p = parse("let a = ;\nlet b = 2;\nT | where c == b");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.query.statements.len(), 3);
}

#[test]
fn recovery_at_pipe_keeps_later_operators() {
    let p = parse("T | FOO bar baz | where x | take 1");
    assert_eq!(p.errors.len(), 1);
    let StatementKind::Expr(e) = &p.query.statements[0].kind else { panic!() };
    let ExprKind::Pipeline { operators, .. } = &e.kind else { panic!() };
    assert_eq!(operators.len(), 3);
}

/// Found by `cargo fuzz`: raw-token operators swallowed unbalanced brackets
/// up to the end of input and accepted the query.
#[test]
fn fuzz_unclosed_bracket_in_raw_operator_is_an_error() {
    let e = first_error("T | scan with (step s: a == 1;");
    assert_eq!(e.code, SyntaxErrorCode::ExpectedToken);
    verified_query("T | scan with (step s: a == 1;) | take 1");
}

/// Classes found by the differential fuzzer (`examples/kql_fuzz_diff.rs`,
/// `docs/kql-conformance.md`): forms Kusto.Language accepts that we rejected.
#[test]
fn fuzz_diff_accepted_forms() {
    for q in [
        // valid escapes: octal, \xHH, \uHHHH, \UHHHHHHHH, \a \b \f \v
        r#"print "a\0b\17\x41\u0041\U00000041\a\b\f\v""#,
        "print ~~~multi\nline~~~",
        // `find` without `where`
        "T | find \"x\"",
        "find a == 1",
        // typed literals inside `dynamic`
        "print dynamic([dynamic(null), real(nan), decimal(1.5), long(null), bool(true), datetime(2020-01-01), 1d])",
        // bracketed expressions
        "print tostring([0].x), [1]",
        "T | summarize by [FALSE]",
        // `*` as a call argument
        "T | summarize arg_max(TimeGenerated, *) | extend c = count(*)",
        "T | project-away ['a b'], x*",
        // a named value after `where`, `take`, `sample`, `top`; an empty `project-reorder`
        "T | where ['a b'] = 1 | take n = 10 | sample s = 5 | top c = 3 by x | project-reorder",
        "externaldata(a:string)['x'] with (format='csv', ignoreFirstRecord=true, x=real(null), y=long(-1))",
        "datatable(a:int, b:string, c:datetime, d:dynamic, e:int64, f:uniqueid, g:date, h:time)[1, 'x', now(), 1, 1, 1, 1, 1]",
    ] {
        verified_query(q);
    }
}

/// Classes found by the differential fuzzer: forms Kusto.Language rejects that we accepted.
#[test]
fn fuzz_diff_rejected_forms() {
    let cases = [
        r#"print "a\qb""#,
        r#"print 'a\/b'"#,
        r#"print "a\x4""#,
        r#"print "a\u00b""#,
        r#"print "a\9""#,
        "find in (T) a == 1",
        "print dynamic([+1])",
        "T | project *",
        "T | project a, *",
        "T | where a in (1, *)",
        "T | project-reorder a in~ (\"x\")",
        "T | project-keep a >= 1",
        "T | project-away a.b",
        "T | union a == \"x\"",
        "T | lookup (U)",
        "datatable(a:float)[1]",
        "externaldata(a:['string'])['x']",
        "let f = (a:String) { a }; f('x')",
        ".show tables | ",
        "externaldata(a:string)['x'] with (format=2tick)",
        "T | where a == 1 and b = \"0\"",
    ];
    let mut out = String::new();
    for q in cases {
        let d = diagnostics(q);
        assert!(!d.is_empty(), "accepted: {q}");
        out.push_str(&format!("{q}\n  {}", d.lines().next().unwrap_or_default()));
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

// ---- error code registry ---------------------------------------------------

#[test]
fn error_codes_are_unique_documented_and_round_trip() {
    let mut seen = std::collections::HashSet::new();
    for c in SyntaxErrorCode::ALL {
        assert!(seen.insert(c.code()), "duplicate code {}", c.code());
        assert!(c.code().starts_with("SYN") && c.code().len() == 6);
        assert!(c.name().chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'), "{} not kebab-case", c.name());
        for part in ["What:", "Why:", "Example:", "Fix:"] {
            assert!(c.docs().contains(part), "{} lacks {part}", c.code());
        }
        assert_eq!(SyntaxErrorCode::from_code(c.code()), Some(*c));
        assert_eq!(SyntaxErrorCode::from_code(c.name()), Some(*c));
    }
}

#[test]
fn messages_follow_conventions() {
    for text in ["let x = ;", "T | FOO", "T | where a == 'x", "print dynamic([1,])", "T | project a b", "T | where (a"]
    {
        for e in parse(text).errors {
            assert!(!e.message.ends_with('.'), "{:?}", e.message);
            assert!(e.message.chars().next().is_some_and(|c| !c.is_uppercase()), "{:?}", e.message);
        }
    }
}

// ---- depth -----------------------------------------------------------------

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let text = "(".repeat(100_000);
    let p = parse(&text);
    assert!(p.errors.iter().any(|e| e.code == SyntaxErrorCode::NestingTooDeep));
    assert_ranges_in_bounds(&text, &p);

    let text = format!("print {}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let p = parse(&text);
    assert!(p.errors.iter().any(|e| e.code == SyntaxErrorCode::NestingTooDeep));

    for text in [
        "-".repeat(100_000) + "1",
        format!("print dynamic({})", "[".repeat(100_000)),
        format!("print {}", "f(".repeat(100_000)),
        format!("T | where {}", "a.".repeat(50_000)),
        "T | join (".repeat(20_000),
        "let f = () {".repeat(20_000),
        "T | mv-apply x on (".repeat(20_000),
    ] {
        let p = parse(&text);
        assert!(!p.errors.is_empty());
        assert_ranges_in_bounds(&text, &p);
    }
}

#[test]
fn moderate_nesting_is_fine() {
    let text = format!("print {}1{}", "(".repeat(50), ")".repeat(50));
    verified_query(&text);
}

// ---- fixtures and corpus round trip ----------------------------------------

fn fixture_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kql"))
}

fn kql_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "kql"))
        .collect();
    files.sort();
    files
}

#[test]
fn valid_fixtures_parse_without_errors_and_round_trip() {
    let files = kql_files(&fixture_dir().join("valid"));
    assert!(!files.is_empty());
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read fixture");
        let p = parse(&text);
        assert!(p.errors.is_empty(), "{}:\n{}", f.display(), diagnostics(&text));
        assert_ranges_in_bounds(&text, &p);
        verified_query(&text);
    }
}

#[test]
fn invalid_fixtures_report_errors_in_bounds() {
    let files = kql_files(&fixture_dir().join("invalid"));
    assert!(!files.is_empty());
    let mut out = String::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read fixture");
        let p = parse(&text);
        assert!(!p.errors.is_empty(), "{} parsed without errors", f.display());
        assert_ranges_in_bounds(&text, &p);
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        out.push_str(&format!("== {name}\n{}", diagnostics(&text)));
    }
    insta::assert_snapshot!("invalid_fixtures", out);
}

/// Every corpus query that parses prints back to one of the same shape.
/// Run by `.ci/run` with `--ignored`.
#[test]
#[ignore = "needs ../shared/corpus"]
fn corpus_round_trip() {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/kql-corpus.jsonl"));
    let corpus = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut accepted = 0;
    let mut failures = Vec::new();
    for line in corpus.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("corpus json");
        let text = v["query"].as_str().unwrap_or_default();
        let p = parse(text);
        assert_ranges_in_bounds(text, &p);
        if !p.errors.is_empty() {
            continue;
        }
        accepted += 1;
        let printed = p.query.to_string();
        let again = parse(&printed);
        if !again.errors.is_empty() || !again.query.same_shape(&p.query) {
            failures.push(v["id"].as_str().unwrap_or_default().to_string());
        }
    }
    assert!(accepted > 0);
    assert!(
        failures.is_empty(),
        "round trip failed for {} queries: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
}

// ---- property tests --------------------------------------------------------

mod props {
    use super::*;
    use proptest::prelude::*;

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[A-Z][a-zA-Z0-9_]{0,6}".prop_filter("keyword", |s| !super::super::parser::is_reserved_word(s)),
            "[a-z ]{1,6}".prop_map(|s| format!("['{s}']")),
        ]
    }

    fn literal() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..100000).prop_map(|n| n.to_string()),
            (0u32..1000, 1u32..100).prop_map(|(a, b)| format!("{a}.{b}")),
            (1u32..100, prop::sample::select(vec!["d", "h", "m", "s", "ms", "tick"]))
                .prop_map(|(n, u)| format!("{n}{u}")),
            string_literal(),
            Just("true".to_string()),
            Just("datetime(2020-01-01)".to_string()),
            Just("dynamic([1, \"a\", {\"b\": null}])".to_string()),
        ]
    }

    /// String contents with the characters that need escaping (quotes,
    /// backslashes, escape sequences, non-ASCII), written in each of KQL's
    /// string forms with that form's escaping.
    fn string_literal() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[a-zA-Z0-9 ]{1,4}",
            Just("'".to_string()),
            Just("\"".to_string()),
            Just("\\".to_string()),
            Just("é".to_string()),
            Just("//".to_string()),
        ];
        let escape = prop::sample::select(vec!["\\n", "\\t", "\\\\", "\\'", "\\\"", "\\r"]);
        let content = prop::collection::vec(piece, 0..6).prop_map(|p| p.concat());
        (content, prop::collection::vec(escape, 0..3), 0u8..4).prop_map(|(raw, escapes, form)| match form {
            0 => format!("\"{}{}\"", raw.replace('\\', "\\\\").replace('"', "\\\""), escapes.concat()),
            1 => format!("'{}{}'", raw.replace('\\', "\\\\").replace('\'', "\\'"), escapes.concat()),
            2 => format!("@'{}'", raw.replace('\'', "''")),
            _ => format!("@\"{}\"", raw.replace('"', "\"\"")),
        })
    }

    fn expr() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![name(), literal()];
        leaf.prop_recursive(4, 24, 3, |inner| {
            let ops = prop::sample::select(vec![
                "+",
                "-",
                "*",
                "/",
                "%",
                "==",
                "!=",
                "<",
                ">=",
                "=~",
                "!~",
                "and",
                "or",
                "has",
                "!has",
                "contains",
                "startswith",
                "has_cs",
                "matches regex",
                "endswith_cs",
            ]);
            prop_oneof![
                (inner.clone(), ops, inner.clone()).prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
                inner.clone().prop_map(|a| format!("-({a})")),
                (name(), prop::collection::vec(inner.clone(), 0..3))
                    .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
                (inner.clone(), prop::collection::vec(inner.clone(), 1..3), any::<bool>()).prop_map(
                    |(a, items, neg)| format!("({a}) {}in~ ({})", if neg { "!" } else { "" }, items.join(", "))
                ),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, l, h)| format!("({a}) between (({l}) .. ({h}))")),
                (inner.clone(), name()).prop_map(|(a, n)| format!("({a}).{n}")),
                (inner.clone(), inner).prop_map(|(a, i)| format!("({a})[{i}]")),
            ]
        })
    }

    fn operator() -> impl Strategy<Value = String> {
        prop_oneof![
            expr().prop_map(|e| format!("where {e}")),
            (name(), expr()).prop_map(|(n, e)| format!("extend {n} = {e}")),
            prop::collection::vec(name(), 1..4).prop_map(|ns| format!("project {}", ns.join(", "))),
            (name(), expr(), name()).prop_map(|(n, e, b)| format!("summarize {n} = count({e}) by {b}")),
            (1u32..100, name()).prop_map(|(n, c)| format!("top {n} by {c} desc")),
            (1u32..100).prop_map(|n| format!("take {n}")),
            (name(), name()).prop_map(|(t, c)| format!("join kind=inner ({t}) on {c}")),
            (name(), name()).prop_map(|(a, b)| format!("sort by {a} asc, {b}")),
            name().prop_map(|n| format!("mv-expand {n} to typeof(string)")),
            name().prop_map(|n| format!("distinct {n}")),
        ]
    }

    fn query() -> impl Strategy<Value = String> {
        (prop::collection::vec((name(), expr()), 0..3), name(), prop::collection::vec(operator(), 0..5)).prop_map(
            |(lets, table, ops)| {
                let mut s = String::new();
                for (n, e) in lets {
                    s.push_str(&format!("let {n} = {e};\n"));
                }
                s.push_str(&table);
                for op in ops {
                    s.push_str(&format!("\n| {op}"));
                }
                s
            },
        )
    }

    /// Corpus-like seed queries, mutated below.
    const SEEDS: &[&str] = &[
        "let t = 1d; SecurityEvent | where TimeGenerated > ago(t) | summarize c = count() by Account | top 10 by c",
        "T | join kind=inner (U | where a has_any (\"x\", \"y\")) on $left.a == $right.b | project-away b*",
        "print dynamic({\"a\": [1, 2]}), datetime(2020-01-01), @'x''y', ```a```",
        "T | mv-apply x on (where y | take 1) | parse z with * \"a\" b:int | render timechart with (title=\"t\")",
        "let f = (T:(*), c:string = \"x\") { T | where a == c }; f(U) | extend ['a b'] = 1",
    ];

    proptest! {
        // Failures are persisted (proptest-regressions/) and replayed first.
        #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

        #[test]
        fn generated_queries_round_trip(q in query()) {
            let p = parse(&q);
            prop_assert!(p.errors.is_empty(), "errors for {q:?}: {}", diagnostics(&q));
            let printed = p.query.to_string();
            let again = parse(&printed);
            prop_assert!(again.errors.is_empty(), "printed {printed:?} fails: {}", diagnostics(&printed));
            prop_assert!(again.query.same_shape(&p.query), "tree changed: {q:?} -> {printed:?}");
        }

        /// Every string form keeps its exact text through parse and print.
        #[test]
        fn string_literals_print_back_verbatim(lit in string_literal()) {
            let q = format!("print x = {lit}");
            let p = parse(&q);
            prop_assert!(p.errors.is_empty(), "errors for {q:?}: {}", diagnostics(&q));
            let printed = p.query.to_string();
            prop_assert!(printed.contains(&lit), "{q:?} printed as {printed:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, .. ProptestConfig::default() })]

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,200}") {
            let p = parse(&s);
            assert_ranges_in_bounds(&s, &p);
        }

        #[test]
        fn kql_like_text_never_panics(s in "[a-z|()\\[\\]{},;:.=!~<>+*/\"'@ 0-9\n-]{0,120}") {
            let p = parse(&s);
            assert_ranges_in_bounds(&s, &p);
            if p.errors.is_empty() {
                let printed = p.query.to_string();
                let again = parse(&printed);
                prop_assert!(again.errors.is_empty() && again.query.same_shape(&p.query), "{s:?} -> {printed:?}");
            }
        }

        #[test]
        fn mutated_seeds_never_panic(seed in prop::sample::select(SEEDS), cut in 0usize..200, del in 0usize..10, ins in "[|(),;\"'{}\\[\\]]{0,3}") {
            let mut s = seed.to_string();
            let at = cut.min(s.len());
            let at = (0..=at).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
            let end = (at + del).min(s.len());
            let end = (end..=s.len()).find(|i| s.is_char_boundary(*i)).unwrap_or(s.len());
            s.replace_range(at..end, &ins);
            let p = parse(&s);
            assert_ranges_in_bounds(&s, &p);
        }
    }
}
