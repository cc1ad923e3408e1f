//! Walk paths, read and parse files, run the rules, filter by selection.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Severity, sort_and_dedup};
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

use super::config::Selection;
use super::document::{self, BaseDoc, Doc, DocKind, Format};
use super::registry::{FileCtx, RULES, TreeEntry};
use super::rules::{duplicate_key, file_too_large, invalid_yaml, skip_listed_template_passes};
use super::yaml::{self, Limits, Node, Problem};

/// Files above this size are reported (SNT003) and not parsed. Real rule and
/// hunting files are a few KiB; the service caps a query at 10,000 characters.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// How a lint run behaves.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub selection: Selection,
    /// Git revision to compare ids and versions with (`--base`).
    pub base: Option<String>,
    /// Template ids of Sentinel CI's structure skip list.
    pub structure_skip_ids: Vec<String>,
    pub limits: Option<Limits>,
    /// Size cap for candidate files; [`MAX_FILE_BYTES`] when `None`.
    pub max_file_bytes: Option<u64>,
    /// Table catalog for the queries (`[catalog]` of `sentinel-forge.toml`); the built-in one when `None`.
    pub catalog: Option<std::sync::Arc<crate::check::Catalog>>,
}

/// The outcome: sources to render with, sorted diagnostics, and counts.
#[derive(Debug, Default)]
pub struct LintReport {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    /// Candidate files read (`.yaml`, `.yml`, `.json`, or named explicitly).
    pub files_seen: usize,
    /// Files holding at least one Sentinel document.
    pub files_checked: usize,
    /// Sentinel documents checked (an ARM template can hold many).
    pub documents: usize,
    /// Files that parsed but hold no Sentinel content, each with why.
    pub skipped: Vec<SkippedFile>,
}

/// A file read and not linted, and why (never skipped silently).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: String,
    pub reason: String,
}

/// A tool error: a path that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {io}")]
pub struct LintError {
    pub path: String,
    /// Printed in the message, not chained (it would be printed twice).
    pub io: std::io::Error,
}

fn is_candidate(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref(),
        Some("yaml" | "yml" | "json")
    )
}

fn is_skipped_dir(name: &str) -> bool {
    name.starts_with('.') && name.len() > 1 || name == "target" || name == "node_modules"
}

/// Expand directories into their candidate files, sorted for stable output.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LintError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|source| LintError { path: p.display().to_string(), io: source })?;
        if meta.is_file() {
            files.push(p.clone());
            continue;
        }
        // Links are followed (a linked rule is linted like any other); a
        // loop or a dangling link is an error naming it, never a silent skip.
        let walker = walkdir::WalkDir::new(p).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && is_skipped_dir(&e.file_name().to_string_lossy()))
        });
        for entry in walker {
            let entry = entry.map_err(|e| LintError {
                path: e.path().map_or_else(|| p.display().to_string(), |x| x.display().to_string()),
                io: e.into_io_error().unwrap_or_else(|| std::io::Error::other("directory loop")),
            })?;
            if entry.file_type().is_file() && is_candidate(entry.path()) {
                files.push(entry.into_path());
            }
        }
    }
    Ok(files)
}

/// Path as shown in diagnostics: relative to the working directory when
/// below it, `/`-separated.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let shown = cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()).unwrap_or(path);
    shown.to_string_lossy().replace('\\', "/")
}

/// Lint every Sentinel document under `paths`.
pub fn lint_paths(paths: &[PathBuf], options: &LintOptions) -> Result<LintReport, LintError> {
    let files = collect_files(paths)?;
    let mut report = LintReport::default();
    let mut diags = Vec::new();
    let mut tree = Vec::new();
    for path in &files {
        lint_file(path, options, &mut report, &mut diags, &mut tree);
    }
    for rule in RULES {
        rule.check_tree(&tree, &mut diags);
    }
    diags.retain(|d| options.selection.enabled(&d.code));
    sort_and_dedup(&mut diags);
    report.diagnostics = diags;
    Ok(report)
}

/// Lint one in-memory text as if read from `path` (tests, fuzzing).
pub fn lint_text(path: &str, text: &str, options: &LintOptions) -> LintReport {
    let mut report = LintReport::default();
    let mut diags = Vec::new();
    let mut tree = Vec::new();
    lint_source(Path::new(path), path.to_string(), text.to_string(), options, &mut report, &mut diags, &mut tree);
    for rule in RULES {
        rule.check_tree(&tree, &mut diags);
    }
    diags.retain(|d| options.selection.enabled(&d.code));
    sort_and_dedup(&mut diags);
    report.diagnostics = diags;
    report
}

fn lint_file(
    path: &Path,
    options: &LintOptions,
    report: &mut LintReport,
    diags: &mut Vec<Diagnostic>,
    tree: &mut Vec<TreeEntry>,
) {
    report.files_seen += 1;
    let shown = display_path(path);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let max = options.max_file_bytes.unwrap_or(MAX_FILE_BYTES);
    if size > max {
        let file = report.sources.add(shown, String::new());
        diags.push(
            Diagnostic::new(file_too_large::CODE, format!("file is {size} bytes, above the {max}-byte limit"))
                .with_primary(file, TextRange::empty(0), "not parsed")
                .with_help("Sentinel rule and hunting files are a few KiB; split the file or exclude it"),
        );
        return;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            let file = report.sources.add(shown, String::new());
            diags.push(Diagnostic::new(invalid_yaml::CODE, format!("cannot read file: {e}")).with_primary(
                file,
                TextRange::empty(0),
                "unreadable",
            ));
            return;
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let file = report.sources.add(shown, String::new());
            diags.push(
                Diagnostic::new(
                    invalid_yaml::CODE,
                    format!("file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()),
                )
                .with_primary(file, TextRange::empty(0), "binary or mis-encoded file")
                .with_help("save the file as UTF-8 (Sentinel content must be ASCII)"),
            );
            return;
        }
    };
    report.files_seen -= 1; // counted again by lint_source
    lint_source(path, shown, text, options, report, diags, tree);
}

fn is_json(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

#[allow(clippy::too_many_arguments)]
fn lint_source(
    path: &Path,
    shown: String,
    text: String,
    options: &LintOptions,
    report: &mut LintReport,
    diags: &mut Vec<Diagnostic>,
    tree: &mut Vec<TreeEntry>,
) {
    report.files_seen += 1;
    let parsed = yaml::parse(&text, options.limits.unwrap_or_default());
    let fatal = parsed.problems.iter().any(|p| !matches!(p, Problem::DuplicateKey { .. } | Problem::UnknownTag { .. }));
    let Some(root) = parsed.root.as_ref().filter(|_| !fatal) else {
        // A JSON file the YAML front end cannot read but serde_json can is
        // valid JSON of a shape we do not lint (YAML 1.2 ⊃ JSON is not exact).
        if is_json(path) && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok() {
            let why = parsed.problems.iter().find_map(|p| match p {
                Problem::TooDeep { limit, .. } => Some(format!("nested deeper than {limit} levels")),
                Problem::TooManyNodes { limit, .. } => Some(format!("more than {limit} nodes")),
                Problem::Syntax { message, .. } => Some(format!("not YAML the linter reads ({message})")),
                Problem::MultipleDocuments { .. } => Some("more than one YAML document".to_string()),
                Problem::DuplicateKey { .. } | Problem::UnknownTag { .. } => None,
            });
            let why = why.unwrap_or_else(|| "not YAML the linter reads".to_string());
            let reason = format!("valid JSON, but {why}; no Sentinel document is, so it is not linted");
            report.skipped.push(SkippedFile { path: shown, reason });
            return;
        }
        let file = report.sources.add(shown, text);
        for p in &parsed.problems {
            diags.push(problem_diag(file, p));
        }
        return;
    };
    // Classify.
    let yaml_kind = document::classify_yaml(root);
    let arm =
        if yaml_kind.is_none() && document::is_arm_template(root) { document::arm_documents(root) } else { Vec::new() };
    if yaml_kind.is_none() && arm.is_empty() {
        let reason = if document::is_arm_template(root) {
            "an ARM template without alertRules or savedSearches resources".to_string()
        } else if root.get("query").and_then(Node::as_str).is_some() {
            "has a `query` but none of the keys of an analytic rule or hunting query (`kind`, `queryFrequency`, \
             `id`, `name`, `tactics`...)"
                .to_string()
        } else {
            "not an analytic rule, hunting query or ARM template (no `query` string, no ARM `resources`)".to_string()
        };
        report.skipped.push(SkippedFile { path: shown, reason });
        return;
    }
    report.files_checked += 1;
    let source_text = text.clone();
    let file = report.sources.add(shown.clone(), text);
    for p in &parsed.problems {
        diags.push(problem_diag(file, p));
    }
    let base_text = options.base.as_deref().and_then(|rev| git_show(rev, path));
    let base_root = base_text.as_deref().and_then(|t| yaml::parse(t, options.limits.unwrap_or_default()).root);

    let catalog = options.catalog.as_deref().unwrap_or(crate::check::Catalog::builtin());
    let mut docs: Vec<Doc> = Vec::new();
    let format = if yaml_kind.is_some() { Format::Yaml } else { Format::Arm };
    if let Some(kind) = yaml_kind {
        let base = base_root.as_ref().map(|b| BaseDoc {
            id: b.get("id").and_then(Node::as_text).map(str::to_string),
            version: b.get("version").and_then(Node::as_text).map(str::to_string),
            query: b.get("query").and_then(Node::as_text).map(str::to_string),
        });
        docs.push(Doc {
            file,
            path: &shown,
            text: &source_text,
            kind,
            format,
            root,
            resource: None,
            base,
            catalog,
            semantics: Default::default(),
        });
    } else {
        for (res, props, kind) in &arm {
            docs.push(Doc {
                file,
                path: &shown,
                text: &source_text,
                kind: *kind,
                format,
                root: props,
                resource: Some(res),
                base: None,
                catalog,
                semantics: Default::default(),
            });
        }
    }
    report.documents += docs.len();

    let kinds: Vec<DocKind> = docs.iter().map(|d| d.kind).collect();
    let ctx = FileCtx { file, path: &shown, fs_path: path, text: &source_text, format, kinds: &kinds };
    for rule in RULES {
        rule.check_file(&ctx, diags);
    }
    for doc in &docs {
        let mut found = Vec::new();
        for rule in RULES {
            rule.check_doc(doc, &mut found);
        }
        super::rules::invalid_kql::semantic_findings(doc, &mut found);
        apply_structure_skip_list(doc, options, &mut found);
        diags.extend(found);
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        tree.push(TreeEntry {
            generated_root: generated_root(path),
            file,
            path: shown.clone(),
            file_name,
            format,
            kind: doc.kind,
            id: doc.id().map(|(id, node)| (id, node.range)),
            name: doc.text_field(crate::lint::document::Field::Name).map(|(name, _)| name.to_string()),
            anchor: doc.missing_range(),
        });
    }
}

/// S-20: a template whose text contains a skip-listed id has its structure
/// findings suppressed, and must still fail them.
fn apply_structure_skip_list(doc: &Doc, options: &LintOptions, found: &mut Vec<Diagnostic>) {
    if !doc.kind.is_rule() || !doc.is_yaml() {
        return;
    }
    let Some(listed) = options.structure_skip_ids.iter().find(|id| !id.is_empty() && doc.text.contains(id.as_str()))
    else {
        return;
    };
    let structural: Vec<&str> = RULES.iter().filter(|r| r.structural()).map(|r| r.code().id).collect();
    let before = found.len();
    found.retain(|d| !structural.contains(&d.code.id));
    if found.len() == before {
        found.push(skip_listed_template_passes::diagnostic(doc, listed));
    }
}

fn problem_diag(file: FileId, p: &Problem) -> Diagnostic {
    match p {
        Problem::Syntax { range, message } => {
            Diagnostic::new(invalid_yaml::CODE, format!("YAML does not load: {message}"))
                .with_primary(file, *range, "here")
                .with_help("Sentinel CI loads files with a strict YAML loader; fix the syntax at this position")
        }
        Problem::DuplicateKey { key, first, second } => {
            Diagnostic::new(duplicate_key::CODE, format!("key `{key}` appears twice in one mapping"))
                .with_primary(file, *second, "duplicate key")
                .with_secondary(file, *first, "first defined here")
                .with_help(
                    "strict loaders reject duplicate keys and lenient ones silently keep one; remove one of them",
                )
        }
        Problem::TooDeep { range, limit } => {
            Diagnostic::new(invalid_yaml::CODE, format!("nesting deeper than {limit} levels"))
                .with_primary(file, *range, "too deep")
                .with_note("the linter stops here to bound memory; no Sentinel document nests this deep")
        }
        Problem::TooManyNodes { range, limit } => {
            Diagnostic::new(invalid_yaml::CODE, format!("more than {limit} YAML nodes"))
                .with_primary(file, *range, "limit reached here")
                .with_note("the linter stops here to bound memory; no Sentinel document is this large")
        }
        Problem::MultipleDocuments { range } => {
            Diagnostic::new(invalid_yaml::CODE, "more than one YAML document in the file")
                .with_primary(file, *range, "second document starts here")
                .with_help("put each rule or hunting query in its own file")
        }
        Problem::UnknownTag { range, tag } => {
            Diagnostic::new(invalid_yaml::CODE, format!("tag `{tag}` is not a YAML core-schema tag"))
                .with_primary(file, *range, "unknown tag")
                .with_help("safe loaders reject application tags; remove the tag")
        }
    }
}

/// The file's text at `rev` (`git show REV:./name`, run in the file's directory).
fn git_show(rev: &str, path: &Path) -> Option<String> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name()?.to_str()?;
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .arg("show")
        .arg(format!("{rev}:./{name}"))
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()
}

/// Downgrade a diagnostic to a warning (checks CI applies only to analytic
/// rules are warnings on hunting queries).
pub fn as_warning(mut d: Diagnostic) -> Diagnostic {
    d.severity = Severity::Warning;
    d
}

/// The nearest folder above `path` that `generate` wrote, if any: inside
/// one, the environments' copies of a rule are expected, not duplicates.
fn generated_root(path: &Path) -> Option<std::path::PathBuf> {
    let absolute = std::path::absolute(path).ok()?;
    absolute.ancestors().skip(1).find(|dir| dir.join(crate::output::ownership::MARKER).is_file()).map(Path::to_path_buf)
}
