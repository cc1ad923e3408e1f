//! The library's layering, enforced: every `crate::X` path in `src/` must
//! point to a module of a lower layer than the file it is written in.
//!
//! The layer table is read from `ARCHITECTURE.md` (the rows between the
//! `layers:begin` and `layers:end` markers), so the documentation and the
//! check are one table. A top-level module missing from the table fails the
//! test too, so a new module has to be given its place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Module name → rank, from the table in `ARCHITECTURE.md`.
fn layer_table(architecture: &str) -> BTreeMap<String, u32> {
    let begin = architecture.find("<!-- layers:begin -->").expect("ARCHITECTURE.md has a layers:begin marker");
    let end = architecture.find("<!-- layers:end -->").expect("ARCHITECTURE.md has a layers:end marker");
    let mut table = BTreeMap::new();
    for row in architecture[begin..end].lines().filter(|l| l.starts_with('|')) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(rank) = cells.get(1).and_then(|c| c.parse::<u32>().ok()) else { continue };
        for module in cells[3].split(',') {
            let module = module.trim().trim_matches('`').trim_end_matches(" (coming)");
            let module = module.trim_matches('`');
            if !module.is_empty() {
                assert!(table.insert(module.to_string(), rank).is_none(), "{module} is listed twice");
            }
        }
    }
    assert!(table.len() > 10, "the layer table in ARCHITECTURE.md was not read");
    table
}

/// The top-level module a file belongs to (`src/content/item.rs` → `content`).
fn top_module(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// Blank out comments and string literals so only code is searched (a doc
/// comment may mention a higher layer; that is not a dependency).
fn code_only(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            while i < bytes.len() && bytes[i] != b'\n' {
                out.push(b' ');
                i += 1;
            }
        } else if rest.starts_with(b"/*") {
            while i < bytes.len() && !bytes[i..].starts_with(b"*/") {
                out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            out.extend_from_slice(b"  ");
            i = (i + 2).min(bytes.len());
        } else if rest.starts_with(b"r#\"") || rest.starts_with(b"r\"") {
            let hashes = rest[1..].iter().take_while(|b| **b == b'#').count();
            let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
            let start = i + 2 + hashes;
            out.extend(std::iter::repeat_n(b' ', start - i));
            i = start;
            while i < bytes.len() && !bytes[i..].starts_with(&close) {
                out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                i += 1;
            }
            out.extend(std::iter::repeat_n(b' ', close.len().min(bytes.len() - i)));
            i += close.len();
        } else if bytes[i] == b'"' && !(i > 0 && bytes[i - 1] == b'\'') {
            out.push(b' ');
            i += 1;
            while i < bytes.len() && bytes[i] != b'"' {
                if bytes[i] == b'\\' {
                    out.push(b' ');
                    i += 1;
                }
                if i < bytes.len() {
                    out.push(if bytes[i] == b'\n' { b'\n' } else { b' ' });
                    i += 1;
                }
            }
            out.push(b' ');
            i += 1;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every module a file names through `crate::`: plain paths and the
/// members of `use crate::{a, b::c}` groups, with their line numbers.
fn crate_references(code: &str) -> Vec<(usize, String)> {
    let mut refs = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let boundary =
                at == 0 || !rest.as_bytes()[at - 1].is_ascii_alphanumeric() && rest.as_bytes()[at - 1] != b'_';
            let after = &rest[at + "crate::".len()..];
            rest = after;
            if !boundary {
                continue;
            }
            if let Some(group) = after.strip_prefix('{') {
                let close = group.find('}').unwrap_or(group.len());
                for member in group[..close].split(',') {
                    let name: String = member.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    if !name.is_empty() {
                        refs.push((n + 1, name));
                    }
                }
            } else {
                let name: String = after.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    refs.push((n + 1, name));
                }
            }
        }
    }
    refs
}

/// Macros exported at the crate root, and the module that defines each.
const ROOT_MACROS: &[(&str, &str)] = &[("code_table", "diag"), ("lint_code", "lint")];

/// Items re-exported at the crate root by `lib.rs`, and their module.
const ROOT_ITEMS: &[(&str, &str)] = &[
    ("Error", "error"),
    ("ErrorKind", "error"),
    ("Compiled", "pipeline"),
    ("ProjectPaths", "pipeline"),
    ("compile", "pipeline"),
];

/// Upward or sideways references in `src/` under `table`, as `file:line` messages.
fn violations(src: &Path, table: &BTreeMap<String, u32>) -> Vec<String> {
    let mut found = Vec::new();
    let files = walkdir::WalkDir::new(src).sort_by_file_name().into_iter().filter_map(Result::ok);
    for entry in files.filter(|e| e.path().extension().is_some_and(|x| x == "rs")) {
        let file = entry.path();
        let from = top_module(src, file);
        if from == "lib" || from == "main" {
            continue;
        }
        let Some(&from_rank) = table.get(&from) else {
            found.push(format!("{}: module `{from}` is not in the layer table of ARCHITECTURE.md", file.display()));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (line, name) in crate_references(&code_only(&text)) {
            let target = ROOT_MACROS
                .iter()
                .chain(ROOT_ITEMS)
                .find(|(item, _)| *item == name)
                .map(|(_, module)| module.to_string())
                .unwrap_or(name);
            if target == from {
                continue;
            }
            match table.get(&target) {
                None => found.push(format!("{}:{line}: `crate::{target}` is not in the layer table", file.display())),
                Some(&to_rank) if to_rank >= from_rank => found.push(format!(
                    "{}:{line}: `{from}` (layer {from_rank}) imports `crate::{target}` (layer {to_rank}); \
                     a module may only use lower layers",
                    file.display()
                )),
                Some(_) => {}
            }
        }
    }
    found
}

#[test]
fn every_module_imports_only_lower_layers() {
    let architecture = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let table = layer_table(&architecture);
    let found = violations(&root().join("src"), &table);
    assert!(found.is_empty(), "layering violations:\n{}", found.join("\n"));
}

#[test]
fn an_upward_import_is_reported_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("diag")).unwrap();
    std::fs::write(src.join("span.rs"), "pub struct TextRange;\n").unwrap();
    std::fs::write(
        src.join("diag/mod.rs"),
        "//! Mentions crate::cli in a comment, which is fine.\nuse crate::span::TextRange;\n\nfn f() { crate::cli::main(); }\nconst S: &str = \"crate::cli\";\n",
    )
    .unwrap();
    std::fs::write(src.join("cli.rs"), "use crate::{diag, span::TextRange};\n").unwrap();
    std::fs::write(src.join("stray.rs"), "\n").unwrap();
    let table: BTreeMap<String, u32> = [("span", 0), ("diag", 2), ("cli", 9)].map(|(m, r)| (m.to_string(), r)).into();
    let found = violations(&src, &table);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("diag/mod.rs:4:"), "{found:#?}");
    assert!(found[0].contains("imports `crate::cli` (layer 9)"), "{found:#?}");
    assert!(found[1].contains("stray.rs: module `stray` is not in the layer table"), "{found:#?}");
}

#[test]
fn grouped_imports_are_seen() {
    let refs = crate_references("use crate::{content::item::Item, diag};\nlet x = crate::emit::f();\n");
    let names: Vec<&str> = refs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["content", "diag", "emit"]);
}
