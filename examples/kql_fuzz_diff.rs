//! Differential fuzzer: token-level mutants of corpus queries, parsed by
//! `sentinel_forge::kql::parse` and by Kusto.Language (`kql-oracle`), with the
//! disagreements grouped by cause.
//!
//! usage: cargo run --release --example kql_fuzz_diff -- [--corpus FILE] [--seed N] [--count N]
//!        [--out DIR] [--oracle PATH] [--verbose]
//!
//! Defaults: `--corpus ../shared/corpus/kql-corpus.jsonl --seed 1 --count 6000 --out target/kql-fuzz
//! --oracle ../shared/tools/kql-oracle/kql-oracle`.
//!
//! The run is deterministic: the seed picks the corpus queries (those both parsers accept and at most 3,000
//! bytes long, so that mutants stay readable) and the mutations. It writes `DIR/mutants-<seed>-<count>.jsonl`
//! (`{id, seed_id, mutation, cause, at, query}`), feeds that file to the oracle in one process (it reads JSON
//! lines on stdin) and keeps the verdicts in `DIR/verdicts-<hash of the mutants file>.jsonl`, so a second run on
//! the same mutants (after a parser fix) reuses them. Every disagreement goes to `DIR/disagreements.jsonl`.
//!
//! A verdict is "has a syntax error or not" plus the first error's token slot (as in `kql_conformance`).
//! A cause is `<direction> <mutation>:<construct>`, where the direction is `false-accept` (we accept, Kusto
//! rejects), `false-reject`, or `position` (both reject, first error in a different token); the mutation is
//! one of `drop dup swap insert-op replace-op insert-binop insert-lit replace-lit escape wildcard legacy`, and
//! the construct is the token kind, keyword or snippet it touched. The last line is
//! `fuzz: mutants=… agree=… false_accept=… false_reject=… position=… panics=… causes=…`.

#[path = "common/lcg.rs"]
mod lcg;

use std::collections::BTreeMap;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use lcg::Lcg;
use sentinel_forge::kql::{self, lexer};
use serde_json::json;

/// Operator snippets inserted after a `|` (valid and invalid forms, legacy spellings among them).
const OPERATOR_SNIPPETS: &[&str] = &[
    "take 10",
    "limit 10",
    "count",
    "distinct *",
    "distinct Computer",
    "getschema",
    "serialize",
    "serialize rn = row_number()",
    "sort by TimeGenerated desc",
    "order by TimeGenerated asc nulls last",
    "top 5 by TimeGenerated",
    "top 5 by TimeGenerated desc nulls first",
    "sample 10",
    "sample-distinct 5 of Computer",
    "extend x = 1",
    "extend x = 1, y = \"a\"",
    "extend (a, b) = (1, 2)",
    "project-away x*",
    "project-keep Time*",
    "project-rename NewName = OldName",
    "project-reorder Computer asc",
    "project *",
    "project x = 1",
    "where isnotempty(Computer)",
    "where Computer = \"x\"",
    "filter Computer has \"x\"",
    "where Computer notcontains \"x\"",
    "where * has \"x\"",
    "summarize count() by bin(TimeGenerated, 1h)",
    "summarize by Computer",
    "summarize hint.shufflekey = Computer count() by Computer",
    "summarize arg_max(TimeGenerated, *) by Computer",
    "mvexpand x",
    "mv-expand bagexpansion=array x to typeof(string)",
    "mv-expand with_itemindex=i x limit 10",
    "mv-apply x on (take 1)",
    "mvapply x on (take 1)",
    "parse Computer with * \"a\" b:string",
    "parse kind=regex Computer with \"a\" b:string",
    "parse-where Computer with * \"a\" b",
    "parse-kv Computer as (a:string) with (pair_delimiter=\",\")",
    "evaluate bag_unpack(x)",
    "evaluate hint.remote=auto bag_unpack(x)",
    "make-series count() on TimeGenerated step 1h",
    "make-series count() default=0 on TimeGenerated from ago(1d) to now() step 1h by Computer",
    "render timechart",
    "render timechart with (title=\"x\")",
    "render barchart kind=stacked",
    "as T",
    "as hint.materialized=true T",
    "invoke f()",
    "join kind=inner (T) on Computer",
    "join kind=leftouter hint.strategy=broadcast (T) on $left.a == $right.b",
    "join (T) on Computer",
    "lookup kind=leftouter (T) on Computer",
    "union T",
    "union withsource=Src kind=outer T, U",
    "union isfuzzy=true (T), (U)",
    "search \"x\"",
    "search kind=case_sensitive \"x\"",
    "search Computer:\"x\"",
    "find \"x\"",
    "reduce by Computer",
    "reduce by Computer with threshold=0.5",
    "top-nested 3 of Computer by count()",
    "scan with (step s: true;)",
    "facet by Computer",
    "fork (take 1) (count)",
    "partition by Computer (take 1)",
    "consume",
    "extend",
    "where",
    "take",
    "summarize",
    "project",
];

/// Operator names used to replace an operator after `|`.
const OPERATOR_NAMES: &[&str] = &[
    "where",
    "filter",
    "extend",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "summarize",
    "distinct",
    "sort",
    "order",
    "top",
    "take",
    "limit",
    "count",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "mvexpand",
    "parse",
    "evaluate",
    "render",
    "serialize",
    "as",
    "invoke",
    "search",
    "find",
    "print",
    "range",
    "datatable",
    "sample",
    "getschema",
    "make-series",
    "Where",
    "WHERE",
    "extends",
];

/// Binary operators and keywords inserted between tokens.
const BINARY_OPERATORS: &[&str] = &[
    "==",
    "!=",
    "<>",
    "=~",
    "!~",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "=",
    "and",
    "or",
    "not",
    "has",
    "!has",
    "has_cs",
    "!has_cs",
    "hasprefix",
    "hassuffix",
    "contains",
    "!contains",
    "contains_cs",
    "notcontains",
    "startswith",
    "!startswith",
    "endswith",
    "matches regex",
    "in",
    "!in",
    "in~",
    "!in~",
    "has_any",
    "has_all",
    "between",
    "!between",
    "like",
    "..",
    "=>",
    "|",
    ",",
    ";",
    ".",
    ":",
];

/// Literals inserted between tokens or put in place of a literal.
const LITERALS: &[&str] = &[
    "0",
    "1",
    "-1",
    "1.5",
    "1.",
    "1e3",
    "1.5e-3",
    "0x1F",
    "0xZ",
    "007",
    "1d",
    "1.5h",
    "10ms",
    "2tick",
    "30sec",
    "1microsecond",
    "5minutes",
    "1w",
    "datetime(2020-01-01)",
    "datetime(2020-01-01T10:00:00Z)",
    "datetime(null)",
    "datetime()",
    "datetime(\"2020-01-01\")",
    "date(2020-01-01)",
    "timespan(1.02:03:04)",
    "timespan(null)",
    "time(1d)",
    "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)",
    "guid(null)",
    "dynamic([1, 2])",
    "dynamic({\"a\": 1})",
    "dynamic(null)",
    "dynamic([])",
    "dynamic(1)",
    "dynamic(\"s\")",
    "true",
    "false",
    "True",
    "FALSE",
    "bool(true)",
    "bool(null)",
    "int(null)",
    "int(1)",
    "long(-1)",
    "long(null)",
    "real(nan)",
    "real(+inf)",
    "real(-inf)",
    "real(null)",
    "decimal(1.5)",
    "decimal(null)",
    "\"a\"",
    "'a'",
    "\"\"",
    "@\"c:\\x\"",
    "@'it''s'",
    "h\"secret\"",
    "H'secret'",
    "h@\"c:\\x\"",
    "```multi\nline```",
    "~~~tilde~~~",
    "\"a\" \"b\"",
    "'a' 'b'",
    "{Param}",
    "null",
];

/// Escapes and quote changes applied inside string literals.
const ESCAPES: &[&str] = &[
    "\\\"",
    "\\'",
    "\\\\",
    "\\n",
    "\\t",
    "\\r",
    "\\0",
    "\\x41",
    "\\u0041",
    "\\U00000041",
    "\\a",
    "\\b",
    "\\f",
    "\\v",
    "\\z",
    "\\q",
    "\\/",
    "\\?",
    "\\1",
    "\\",
    "\\u00",
    "\\x",
    "''",
    "\"\"",
    "\t",
    "\u{e9}",
    "\u{200b}",
];

/// Legacy or alternative spellings from the Kusto docs: (token text, replacement).
const LEGACY: &[(&str, &str)] = &[
    ("mv-expand", "mvexpand"),
    ("mv-apply", "mvapply"),
    ("take", "limit"),
    ("limit", "take"),
    ("where", "filter"),
    ("sort", "order"),
    ("order", "sort"),
    ("!contains", "notcontains"),
    ("!contains_cs", "notcontains_cs"),
    ("!has", "nothas"),
    ("!startswith", "notstartswith"),
    ("!in", "notin"),
    ("!=", "<>"),
    ("==", "="),
    ("and", "&&"),
    ("or", "||"),
    ("not", "!"),
    ("make_set", "makeset"),
    ("make_list", "makelist"),
    ("isnotempty", "notempty"),
    ("isempty", "empty"),
    ("isnotnull", "notnull"),
    ("parse_json", "parsejson"),
    ("bin", "floor"),
    ("count", "count()"),
    ("datetime", "todatetime"),
    ("project", "project-keep"),
    ("extend", "extend-column"),
    ("summarize", "summarise"),
    ("in~", "in ~"),
    ("=~", "= ~"),
    ("!~", "! ~"),
    ("==", "= ="),
    ("!=", "! ="),
    ("<=", "< ="),
    ("..", ". ."),
    ("|", "\n|"),
    ("|", "|\n"),
    ("|", "||"),
    ("by", "by\n"),
    ("kind", "kind ="),
    ("$left", "left"),
    ("$right", "$Right"),
];

/// Keyword-like identifiers reported by name in a cause key (other identifiers are `Ident`).
const KEYWORDS: &[&str] = &[
    "and",
    "as",
    "asc",
    "between",
    "by",
    "contains",
    "count",
    "datatable",
    "desc",
    "distinct",
    "dynamic",
    "evaluate",
    "extend",
    "false",
    "filter",
    "find",
    "first",
    "has",
    "has_any",
    "in",
    "invoke",
    "join",
    "kind",
    "last",
    "let",
    "limit",
    "lookup",
    "materialize",
    "not",
    "nulls",
    "of",
    "on",
    "or",
    "order",
    "parse",
    "print",
    "project",
    "project-away",
    "range",
    "render",
    "search",
    "set",
    "sort",
    "startswith",
    "step",
    "summarize",
    "take",
    "to",
    "top",
    "true",
    "union",
    "where",
    "with",
    "mv-expand",
    "make-series",
    "toscalar",
    "view",
    "declare",
];

struct Mutant {
    id: String,
    seed_id: String,
    mutation: &'static str,
    construct: String,
    at: usize,
    query: String,
}

fn construct_of(text: &str, t: &lexer::Token) -> String {
    let s = &text[t.range.as_usize_range()];
    match t.kind {
        lexer::TokenKind::Ident if KEYWORDS.contains(&s) => format!("`{s}`"),
        k => format!("{k:?}"),
    }
}

/// Splices `insert` into `text` in place of `range`, with spaces so that it stays a separate token.
fn splice(text: &str, start: usize, end: usize, insert: &str) -> String {
    let mut out = String::with_capacity(text.len() + insert.len() + 2);
    out.push_str(&text[..start]);
    out.push_str(insert);
    out.push_str(&text[end..]);
    out
}

fn pick<'a, T>(rng: &mut Lcg, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len() as u64) as usize]
}

/// Like [`pick`], None for an empty list.
fn pick_some<'a, T>(rng: &mut Lcg, items: &'a [T]) -> Option<&'a T> {
    (!items.is_empty()).then(|| pick(rng, items))
}

/// One mutant of `text`, or None when the chosen mutation does not apply.
fn mutate(rng: &mut Lcg, text: &str) -> Option<(&'static str, String, usize, String)> {
    let (tokens, _) = lexer::tokenize(text);
    let toks: Vec<lexer::Token> = tokens.into_iter().filter(|t| t.kind != lexer::TokenKind::Eof).collect();
    if toks.len() < 2 {
        return None;
    }
    let tok_text = |t: &lexer::Token| &text[t.range.as_usize_range()];
    let i = rng.below(toks.len() as u64) as usize;
    let t = toks[i];
    let (s, e) = (t.range.start as usize, t.range.end as usize);
    let kinds = [
        "drop",
        "dup",
        "swap",
        "insert-op",
        "replace-op",
        "insert-binop",
        "insert-lit",
        "replace-lit",
        "escape",
        "wildcard",
        "legacy",
    ];
    let kind = *pick(rng, &kinds);
    match kind {
        "drop" => Some((kind, construct_of(text, &t), s, splice(text, s, e, ""))),
        "dup" => Some((kind, construct_of(text, &t), e, splice(text, e, e, &format!(" {}", tok_text(&t))))),
        "swap" => {
            let u = *toks.get(i + 1)?;
            let (a, b) = (tok_text(&t), tok_text(&u));
            if a == b {
                return None;
            }
            let between = &text[e..u.range.start as usize];
            let swapped = format!("{b}{between}{a}");
            let construct = format!("{}<->{}", construct_of(text, &t), construct_of(text, &u));
            Some((kind, construct, s, splice(text, s, u.range.end as usize, &swapped)))
        }
        "insert-op" => {
            let pipes: Vec<&lexer::Token> = toks.iter().filter(|t| t.kind == lexer::TokenKind::Pipe).collect();
            let p = **pick_some(rng, &pipes)?;
            let snippet = *pick(rng, OPERATOR_SNIPPETS);
            let at = p.range.end as usize;
            Some((kind, format!("`{snippet}`"), at, splice(text, at, at, &format!(" {snippet} |"))))
        }
        "replace-op" => {
            let ops: Vec<usize> = (0..toks.len() - 1)
                .filter(|&j| toks[j].kind == lexer::TokenKind::Pipe && toks[j + 1].kind == lexer::TokenKind::Ident)
                .map(|j| j + 1)
                .collect();
            let j = *pick_some(rng, &ops)?;
            let old = tok_text(&toks[j]);
            let new = *pick(rng, OPERATOR_NAMES);
            if old == new {
                return None;
            }
            let (s, e) = (toks[j].range.start as usize, toks[j].range.end as usize);
            Some((kind, format!("`{old}`->`{new}`"), s, splice(text, s, e, new)))
        }
        "insert-binop" => {
            let op = *pick(rng, BINARY_OPERATORS);
            Some((kind, format!("`{op}` before {}", construct_of(text, &t)), s, splice(text, s, s, &format!("{op} "))))
        }
        "insert-lit" => {
            let lit = *pick(rng, LITERALS);
            Some((
                kind,
                format!("`{lit}` before {}", construct_of(text, &t)),
                s,
                splice(text, s, s, &format!("{lit} ")),
            ))
        }
        "replace-lit" => {
            let lits: Vec<&lexer::Token> = toks
                .iter()
                .filter(|t| {
                    matches!(
                        t.kind,
                        lexer::TokenKind::Int
                            | lexer::TokenKind::Real
                            | lexer::TokenKind::Timespan
                            | lexer::TokenKind::String
                            | lexer::TokenKind::TypedLiteral
                    )
                })
                .collect();
            let l = **pick_some(rng, &lits)?;
            let lit = *pick(rng, LITERALS);
            let (s, e) = (l.range.start as usize, l.range.end as usize);
            Some((kind, format!("{:?}->`{lit}`", l.kind), s, splice(text, s, e, lit)))
        }
        "escape" => {
            let strs: Vec<&lexer::Token> = toks.iter().filter(|t| t.kind == lexer::TokenKind::String).collect();
            let l = **pick_some(rng, &strs)?;
            let src = tok_text(&l);
            let prefix = src.find(['"', '\'']).map_or(3, |q| q + 1);
            let form = match &src[..prefix] {
                "\"" => "dq",
                "'" => "sq",
                p if p.contains('@') => "verbatim",
                p if p.starts_with(['h', 'H']) => "obfuscated",
                _ => "multiline",
            };
            let (s, e) = (l.range.start as usize, l.range.end as usize);
            let inner_len = src.len().saturating_sub(prefix + if form == "multiline" { 3 } else { 1 });
            // a char boundary inside the literal's content
            let mut off = prefix + rng.below(inner_len as u64 + 1) as usize;
            while !src.is_char_boundary(off) {
                off -= 1;
            }
            let choice = rng.below(10);
            if choice == 0 {
                // swap the quote kind
                let swapped: String = src
                    .chars()
                    .map(|c| match c {
                        '"' => '\'',
                        '\'' => '"',
                        c => c,
                    })
                    .collect();
                return Some((kind, format!("{form}:swap-quotes"), s, splice(text, s, e, &swapped)));
            }
            if choice == 1 {
                let p = *pick(rng, &["@", "h", "H", "h@", "@@"]);
                return Some((kind, format!("{form}:prefix `{p}`"), s, splice(text, s, s, p)));
            }
            let esc = *pick(rng, ESCAPES);
            let new = format!("{}{esc}{}", &src[..off], &src[off..]);
            let where_ = if off == src.len() - 1 { "at-end" } else { "inside" };
            Some((kind, format!("{form}:`{}`{where_}", esc.escape_debug()), s + off, splice(text, s, e, &new)))
        }
        "wildcard" => {
            let names: Vec<&lexer::Token> = toks.iter().filter(|t| t.kind == lexer::TokenKind::Ident).collect();
            let n = **pick_some(rng, &names)?;
            let name = tok_text(&n);
            let (s, e) = (n.range.start as usize, n.range.end as usize);
            let forms: [(&str, String); 9] = [
                ("suffix-*", format!("{name}*")),
                ("prefix-*", format!("*{name}")),
                ("middle-*", format!("{}*{}", &name[..name.len() / 2], &name[name.len() / 2..])),
                ("bare-*", "*".to_string()),
                ("['name']", format!("['{name}']")),
                ("[\"name\"]", format!("[\"{name}\"]")),
                ("['na me']", format!("['{name} x']")),
                ("[@'name']", format!("[@'{name}']")),
                ("['name*']", format!("['{name}*']")),
            ];
            let (form, new) = pick(rng, &forms);
            Some((kind, format!("{form} on {}", construct_of(text, &n)), s, splice(text, s, e, new)))
        }
        "legacy" => {
            // a rule matches the text of one or more whole tokens (`!contains` is two)
            let ends: std::collections::HashSet<usize> = toks.iter().map(|t| t.range.end as usize).collect();
            let candidates: Vec<(usize, &(&str, &str))> = toks
                .iter()
                .flat_map(|t| {
                    let s = t.range.start as usize;
                    let ends = &ends;
                    LEGACY
                        .iter()
                        .filter(move |(from, _)| text[s..].starts_with(from) && ends.contains(&(s + from.len())))
                        .map(move |r| (s, r))
                })
                .collect();
            let (s, (from, to)) = *pick_some(rng, &candidates)?;
            let e = s + from.len();
            Some((kind, format!("`{from}`->`{}`", to.escape_debug()), s, splice(text, s, e, to)))
        }
        _ => unreachable!(),
    }
}

fn utf16_to_byte(text: &str, utf16: usize) -> usize {
    let mut units = 0;
    for (i, c) in text.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16();
    }
    text.len()
}

fn slot_of(tokens: &[lexer::Token], offset: u32) -> usize {
    tokens.iter().position(|t| offset < t.range.end).unwrap_or(tokens.len().saturating_sub(1))
}

fn snippet(text: &str, at: usize) -> String {
    let at = at.min(text.len());
    let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let start = text[..at].char_indices().rev().nth(30).map_or(0, |(i, _)| i);
    let end = text[at..].char_indices().nth(30).map_or(text.len(), |(i, _)| at + i);
    format!("{:?}", &text[start..end])
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x100000001b3))
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus_path = arg(&args, "--corpus").unwrap_or_else(|| "../shared/corpus/kql-corpus.jsonl".into());
    let seed: u64 = arg(&args, "--seed").map_or(1, |s| s.parse().expect("--seed N"));
    let count: usize = arg(&args, "--count").map_or(6000, |s| s.parse().expect("--count N"));
    let out = PathBuf::from(arg(&args, "--out").unwrap_or_else(|| "target/kql-fuzz".into()));
    let oracle = arg(&args, "--oracle").unwrap_or_else(|| "../shared/tools/kql-oracle/kql-oracle".into());
    let verbose = args.iter().any(|a| a == "--verbose");
    std::fs::create_dir_all(&out).expect("create --out directory");

    // Seeds: corpus queries we accept (the corpus agreement is 100 %, so Kusto accepts them too).
    let corpus = std::fs::read_to_string(&corpus_path).expect("read corpus");
    let seeds: Vec<(String, String)> = corpus
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("corpus json"))
        .map(|v| {
            (v["id"].as_str().unwrap_or_default().to_string(), v["query"].as_str().unwrap_or_default().to_string())
        })
        .filter(|(_, q)| q.len() <= 3000 && !kql::parse(q).has_errors())
        .collect();
    assert!(!seeds.is_empty(), "no seed queries in {corpus_path}");

    let mut rng = Lcg(seed.wrapping_mul(0x9e3779b97f4a7c15) | 1);
    let mut mutants = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::new();
    while mutants.len() < count {
        let (seed_id, text) = pick(&mut rng, &seeds);
        let Some((mutation, construct, at, query)) = mutate(&mut rng, text) else { continue };
        if query == *text || !seen.insert(query.clone()) {
            continue;
        }
        mutants.push(Mutant {
            id: format!("m{seed}-{}", mutants.len()),
            seed_id: seed_id.clone(),
            mutation,
            construct,
            at,
            query,
        });
    }
    let mut lines = String::new();
    for m in &mutants {
        let v = json!({"id": m.id, "seed_id": m.seed_id, "mutation": m.mutation, "cause": m.construct, "at": m.at, "query": m.query});
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    let mutants_path = out.join(format!("mutants-{seed}-{count}.jsonl"));
    std::fs::write(&mutants_path, &lines).expect("write mutants");
    let verdicts_path = out.join(format!("verdicts-{:016x}.jsonl", fnv(lines.as_bytes())));
    if !verdicts_path.exists() {
        run_oracle(&oracle, &mutants_path, &verdicts_path);
    } else {
        eprintln!("reusing {}", verdicts_path.display());
    }
    let verdicts_text = std::fs::read_to_string(&verdicts_path).expect("read verdicts");
    let mut verdicts: BTreeMap<String, Option<(usize, String)>> = BTreeMap::new();
    for line in verdicts_text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("verdict json");
        let first = v["syntax"]
            .as_array()
            .and_then(|a| a.first())
            .map(|d| (d["start"].as_u64().unwrap_or(0) as usize, d["message"].as_str().unwrap_or("").to_string()));
        verdicts.insert(v["id"].as_str().unwrap_or_default().to_string(), first);
    }

    compare(&mutants, &verdicts, &out, verbose);
}

/// Runs the oracle once over the whole mutants file (it reads JSON lines on stdin).
fn run_oracle(oracle: &str, mutants: &Path, verdicts: &Path) {
    eprintln!("running {oracle} on {} ...", mutants.display());
    let t0 = std::time::Instant::now();
    let input = std::fs::File::open(mutants).expect("open mutants");
    let tmp = verdicts.with_extension("partial");
    let output = std::fs::File::create(&tmp).expect("create verdicts");
    let status = Command::new("nice")
        .arg(oracle)
        .stdin(Stdio::from(input))
        .stdout(Stdio::from(output))
        .status()
        .expect("run the oracle (is node installed?)");
    assert!(status.success(), "oracle failed: {status}");
    std::fs::rename(&tmp, verdicts).expect("rename verdicts");
    eprintln!("oracle: {:.1} s", t0.elapsed().as_secs_f64());
}

#[derive(Default)]
struct Group {
    count: usize,
    /// (query length, report line) of the shortest mutant
    example: Option<(usize, String)>,
}

fn compare(mutants: &[Mutant], verdicts: &BTreeMap<String, Option<(usize, String)>>, out: &Path, verbose: bool) {
    std::panic::set_hook(Box::new(|_| {}));
    let (mut total, mut agree, mut fa, mut fr, mut pos, mut panics) = (0, 0, 0, 0, 0, 0);
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut by_mutation: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut dis = std::fs::File::create(out.join("disagreements.jsonl")).expect("create disagreements");
    for m in mutants {
        let Some(reference) = verdicts.get(&m.id) else { continue };
        total += 1;
        let row = by_mutation.entry(m.mutation).or_default();
        row[0] += 1;
        let Ok(parsed) = catch_unwind(AssertUnwindSafe(|| kql::parse(&m.query))) else {
            panics += 1;
            let key = format!("panic {}:{}", m.mutation, m.construct);
            let g = groups.entry(key).or_default();
            g.count += 1;
            g.example.get_or_insert((m.query.len(), format!("{} {}", m.id, snippet(&m.query, m.at))));
            continue;
        };
        let ours = parsed.errors.first();
        let reference = reference.as_ref().map(|(u, msg)| (utf16_to_byte(&m.query, *u), msg.as_str()));
        let direction = match (ours, reference) {
            (None, None) => None,
            (Some(_), None) => Some("false-reject"),
            (None, Some(_)) => Some("false-accept"),
            (Some(e), Some((b, _))) => {
                let (tokens, _) = lexer::tokenize(&m.query);
                (slot_of(&tokens, e.range.start) != slot_of(&tokens, b as u32)).then_some("position")
            }
        };
        let Some(direction) = direction else {
            agree += 1;
            continue;
        };
        match direction {
            "false-reject" => {
                fr += 1;
                row[1] += 1;
            }
            "false-accept" => {
                fa += 1;
                row[2] += 1;
            }
            _ => {
                pos += 1;
                row[3] += 1;
            }
        }
        let ours_s = ours.map(|e| format!("{} {} at {}", e.code.code(), e.message, e.range.start));
        let ref_s = reference.map(|(b, msg)| format!("{msg} at {b}"));
        let line = format!(
            "{} (seed {})\n        mutated: {}\n        ours: {}\n        reference: {}",
            m.id,
            m.seed_id,
            snippet(&m.query, m.at),
            ours_s.as_deref().unwrap_or("accept"),
            ref_s.as_deref().unwrap_or("accept"),
        );
        let v = json!({
            "id": m.id, "seed_id": m.seed_id, "direction": direction, "mutation": m.mutation, "cause": m.construct,
            "ours": ours_s, "reference": ref_s, "at": m.at, "query": m.query,
        });
        writeln!(dis, "{v}").expect("write disagreements");
        let g = groups.entry(format!("{direction} {}:{}", m.mutation, m.construct)).or_default();
        g.count += 1;
        if g.example.as_ref().is_none_or(|(len, _)| m.query.len() < *len) {
            g.example = Some((m.query.len(), line));
        }
    }
    let mut sorted: Vec<(&String, &Group)> = groups.iter().collect();
    sorted.sort_by(|a, b| {
        let rank = |k: &str| if k.starts_with("position") { 1 } else { 0 };
        (rank(a.0), std::cmp::Reverse(a.1.count), a.0).cmp(&(rank(b.0), std::cmp::Reverse(b.1.count), b.0))
    });
    let cap = if verbose { usize::MAX } else { 60 };
    println!("== disagreements by cause ({} causes)", sorted.len());
    for (key, g) in sorted.iter().take(cap) {
        println!("  {:>5}  {key}", g.count);
        if let Some((_, ex)) = &g.example {
            println!("        {ex}");
        }
    }
    if sorted.len() > cap {
        println!("  ... {} more causes (--verbose)", sorted.len() - cap);
    }
    println!("== by mutation: mutants / false-reject / false-accept / position");
    for (k, [n, r, a, p]) in &by_mutation {
        println!("  {k:<13} {n:>6} {r:>6} {a:>6} {p:>6}");
    }
    println!(
        "fuzz: mutants={total} agree={agree} false_accept={fa} false_reject={fr} position={pos} panics={panics} \
         causes={}",
        groups.len()
    );
}
