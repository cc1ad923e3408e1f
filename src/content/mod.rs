//! Stage 1: content TOML → checked, typed [`Item`]s.
//!
//! Every `*.toml` under the content directory (except `environments/`) is one
//! item. Each file is read with spans; every problem becomes a coded
//! diagnostic and the other files are still checked. Cross-file rules
//! (duplicate ids, names, output names) run once all files are read.

pub mod api_versions;
pub mod codes;
pub mod custom;
pub mod environment;
pub mod item;
pub mod reader;
pub mod rule;
pub mod rule_tests;
pub mod schema;
pub mod set_param;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::DeTable;

use crate::diag::Diagnostic;
use crate::error::{Error, ErrorKind};
use crate::models;
use crate::params::{self, ParamProblem, ParamValues};
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;
use item::{ContentId, Item, Kind, Located, TACTICS};
use reader::{TableReader, range_of};

/// Folder names under the content directory that hold no content items.
const NOT_ITEMS: &[&str] = &["environments"];

/// Content files above this size are reported (CNT026) and not parsed, like
/// the linter's Sentinel files: an item is a few hundred bytes.
pub const MAX_CONTENT_BYTES: u64 = 4 * 1024 * 1024;

/// A path under the content directory that could not be walked: a link to
/// nothing, or a link back into its own tree.
#[derive(Debug, Clone)]
pub struct BadLink {
    pub path: PathBuf,
    pub reason: String,
}

/// The content files under `dir`, sorted. Symbolic links are followed (a
/// linked rule is content like any other); links that lead nowhere or loop
/// are returned as [`BadLink`]s, never skipped silently.
pub fn content_files(dir: &Path) -> Result<(Vec<PathBuf>, Vec<BadLink>), Error> {
    if !dir.is_dir() {
        return Err(Error::new(ErrorKind::Io, format!("content directory `{}` does not exist", dir.display())));
    }
    let mut files = Vec::new();
    let mut bad = Vec::new();
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        !(e.depth() == 1 && e.file_type().is_dir() && NOT_ITEMS.contains(&e.file_name().to_string_lossy().as_ref()))
    });
    for entry in walker {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_file() && entry.path().extension().is_some_and(|x| x == "toml") {
                    files.push(entry.into_path());
                }
            }
            Err(e) => {
                let Some(path) = e.path().map(Path::to_path_buf) else {
                    return Err(Error::new(ErrorKind::Io, format!("reading `{}`: {e}", dir.display())));
                };
                let reason = if let Some(ancestor) = e.loop_ancestor() {
                    format!("the link leads back to `{}`, which contains it", display_path(ancestor))
                } else if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                    match std::fs::read_link(&path) {
                        Ok(target) => format!("the link points to `{}`, which does not exist", target.display()),
                        Err(_) => "the link cannot be read".to_string(),
                    }
                } else {
                    return Err(Error::new(ErrorKind::Io, format!("reading `{}`: {e}", path.display())));
                };
                bad.push(BadLink { path, reason });
            }
        }
    }
    Ok((files, bad))
}

/// Load and check every content item under `dir`.
pub fn load(dir: &Path, sources: &mut SourceMap) -> Result<(Vec<Item>, Vec<Diagnostic>), Error> {
    let all = load_all(dir, sources)?;
    Ok((all.items, all.diagnostics))
}

/// Everything [`load`] reads, plus the ids of files that failed to load.
pub struct LoadedContent {
    pub items: Vec<Item>,
    /// Ids (lower case) of items whose file has errors: they still own their
    /// id, so an environment override of one is not "unknown" (the file's
    /// own error is the one mistake to report).
    pub unloaded_ids: std::collections::BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Load every content file under `dir`, keeping the ids of those that failed.
pub fn load_all(dir: &Path, sources: &mut SourceMap) -> Result<LoadedContent, Error> {
    let mut items = Vec::new();
    let mut headers = Vec::new();
    let mut diags = Vec::new();
    let (files, bad_links) = content_files(dir)?;
    for link in bad_links {
        let file = sources.add(display_path(&link.path), String::new());
        diags.push(
            Diagnostic::new(
                codes::BROKEN_CONTENT_LINK,
                format!("cannot follow `{}`: {}", display_path(&link.path), link.reason),
            )
            .with_primary(file, TextRange::empty(0), "not read")
            .with_help("point the link at a real file or directory outside its own tree, or remove it"),
        );
    }
    for path in files {
        let size = std::fs::metadata(&path).map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?.len();
        if size > MAX_CONTENT_BYTES {
            let file = sources.add(display_path(&path), String::new());
            diags.push(
                Diagnostic::new(
                    codes::CONTENT_TOO_LARGE,
                    format!("content file is {size} bytes, above the {MAX_CONTENT_BYTES}-byte limit"),
                )
                .with_primary(file, TextRange::empty(0), "not parsed")
                .with_help("a content item is a few hundred bytes: move this file out of the content directory"),
            );
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?;
        let file = sources.add(display_path(&path), text);
        let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let loaded = load_text(file, slug, &sources.get(file).text);
        diags.extend(loaded.diagnostics);
        headers.push(loaded.header);
        items.extend(loaded.item);
    }
    diags.extend(cross_file_checks(&headers));
    let unloaded_ids = headers
        .iter()
        .filter(|h| !items.iter().any(|i: &Item| i.file == h.file))
        .filter_map(|h| h.id.as_ref().map(|id| id.value.to_ascii_lowercase()))
        .collect();
    Ok(LoadedContent { items, unloaded_ids, diagnostics: diags })
}

/// A path as shown in diagnostics: relative to the working directory when
/// possible, with `/` separators.
pub fn display_path(path: &Path) -> String {
    let rel = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf));
    rel.unwrap_or_else(|| path.to_path_buf()).to_string_lossy().replace('\\', "/")
}

/// What identifies a file's item, read even when the item has errors, so
/// duplicate ids and names are reported in the same run.
#[derive(Debug, Clone)]
pub struct Header {
    pub file: FileId,
    pub slug: String,
    pub id: Option<Located<String>>,
    pub name: Option<Located<String>>,
    /// Names are unique per Sentinel resource type, as in Sentinel: a hunt
    /// and the analytic rule made from it may share one.
    pub resource_type: Option<ResourceType>,
}

/// The Sentinel resource type an item deploys as: hunting queries are
/// savedSearches, scheduled and NRT rules are both alertRules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ResourceType {
    SavedSearch,
    AlertRule,
}

impl ResourceType {
    fn of(kind: Kind) -> ResourceType {
        match kind {
            Kind::Hunting => ResourceType::SavedSearch,
            Kind::Scheduled | Kind::Nrt => ResourceType::AlertRule,
        }
    }
}

/// The outcome of reading one content file.
pub struct Loaded {
    /// The item, when the file has no errors.
    pub item: Option<Item>,
    pub header: Header,
    pub diagnostics: Vec<Diagnostic>,
}

/// The description `new` writes for a custom item (CNT029 while it is left).
pub const PLACEHOLDER_DESCRIPTION: &str = "What the query finds and why it matters.";

/// Check one content file.
pub fn load_text(file: FileId, slug: String, text: &str) -> Loaded {
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(err) => {
            let range = err.span().map(TextRange::from).unwrap_or_default();
            let message = err.message().trim().to_string();
            let diag = Diagnostic::new(codes::TOML_SYNTAX, "invalid TOML")
                .with_primary(file, range, message)
                .with_help("fix the TOML syntax at the marked position");
            return Loaded {
                item: None,
                header: Header { file, slug, id: None, name: None, resource_type: None },
                diagnostics: vec![diag],
            };
        }
    };
    let mut r = TableReader::new(file, doc.get_ref(), range_of(&doc), "the content file");

    let id = r.string("id", true, "\"<lower-case GUID>\"");
    let name = r.string("name", true, "\"Azure Run Command spike by one caller\"");
    let kind = r.string("kind", true, "\"hunting\"");
    let template = r.string("template", true, "\"run_command_spike\"");
    let description = r.string("description", true, "\"\"\"What the query finds and why it matters\"\"\"");
    let tactics = r.string_list("tactics");
    let techniques = r.string_list("techniques");
    let version = r.string("version", false, "\"1.0.0\"");
    let tags = r.string_list("tags");
    let is_custom = template.as_ref().is_some_and(|(t, _)| t == crate::content::custom::CUSTOM);
    // A custom item's `[params]` are declarations, read with its model below.
    let params_table = if is_custom { None } else { r.table("params") };
    let mut diags = Vec::new();

    if let Some((id, range)) = &id
        && !item::is_lower_guid(id)
    {
        let help = if item::is_lower_guid(&id.to_ascii_lowercase()) {
            format!("write it in lower case: `{}`", id.to_ascii_lowercase())
        } else {
            "use a fresh lower-case GUID (`uuidgen | tr A-F a-f`, or `sentinel-forge new`)".to_string()
        };
        diags.push(
            Diagnostic::new(codes::INVALID_GUID, format!("`id` is not a lower-case GUID: `{id}`"))
                .with_primary(file, *range, "expected 8-4-4-4-12 lower-case hex")
                .with_help(help),
        );
    }
    if let Some((name, range)) = &name {
        check_text(file, "name", name, *range, 256, &mut diags);
    }
    if let Some((description, range)) = &description {
        check_text(file, "description", description, *range, 5000, &mut diags);
        if description.trim() == PLACEHOLDER_DESCRIPTION {
            diags.push(
                Diagnostic::new(codes::PLACEHOLDER_LEFT, "`description` is the placeholder `new` wrote")
                    .with_primary(file, *range, "placeholder text")
                    .with_help("describe what the query finds and why it matters"),
            );
        }
    }
    // An empty list, not one of the wrong type (CNT003 reports that).
    let empty_tactics = r
        .entries()
        .find(|(k, _)| k.get_ref().as_ref() == "tactics")
        .filter(|(_, v)| v.get_ref().as_array().is_some_and(|a| a.iter().next().is_none()))
        .map(|(k, _)| range_of(k));
    if let Some(range) = empty_tactics {
        diags.push(
            Diagnostic::new(codes::PLACEHOLDER_LEFT, "`tactics` is empty")
                .with_primary(file, range, "no tactic")
                .with_help("list the MITRE ATT&CK tactics the query detects, e.g. `tactics = [\"Execution\"]`"),
        );
    }
    // Tactic and technique catalogue checks: errors for analytic rules,
    // warnings for hunting queries (Sentinel's CI validates them for rules
    // only, and the hunting blade shows whatever is written).
    let mut catalogue = Vec::new();
    for (tactic, range) in &tactics {
        if !TACTICS.contains(&tactic.as_str()) {
            let squashed: String = tactic.split_whitespace().collect();
            let suggestion = TACTICS.iter().find(|t| t.eq_ignore_ascii_case(&squashed));
            let help = match suggestion {
                Some(t) => format!("did you mean `{t}`?"),
                None => format!("use one of: {}", TACTICS.join(", ")),
            };
            catalogue.push(
                Diagnostic::new(codes::UNKNOWN_TACTIC, format!("unknown tactic `{tactic}`"))
                    .with_primary(file, *range, "not a Sentinel tactic")
                    .with_help(help),
            );
        }
    }
    for (tag, range) in &tags {
        check_ascii(file, "tags", tag, *range, &mut diags);
    }
    for (technique, range) in &techniques {
        if !item::is_technique_id(technique) {
            diags.push(
                Diagnostic::new(codes::INVALID_TECHNIQUE, format!("invalid technique id `{technique}`"))
                    .with_primary(file, *range, "expected `T####` or `T####.###`")
                    .with_help("write a MITRE ATT&CK technique id such as `T1651` or `T1078.004`"),
            );
            continue;
        }
        match crate::sentinel::techniques::tactics_for(technique) {
            None => catalogue.push(
                Diagnostic::new(codes::INVALID_TECHNIQUE, format!("unknown technique id `{technique}`"))
                    .with_primary(file, *range, "not in Sentinel's technique table")
                    .with_help("use a technique id from MITRE ATT&CK Enterprise that Sentinel knows"),
            ),
            Some(allowed) if !tactics.iter().any(|(t, _)| allowed.contains(&t.as_str())) => catalogue.push(
                Diagnostic::new(
                    codes::TECHNIQUE_WITHOUT_TACTIC,
                    format!("technique `{technique}` has none of its tactics in `tactics`"),
                )
                .with_primary(file, *range, format!("belongs to {}", allowed.join(", ")))
                .with_help(format!("add one of {} to `tactics`, or drop the technique", allowed.join(", "))),
            ),
            Some(_) => {}
        }
    }
    if let Some((version, range)) = &version
        && !item::is_version(version)
    {
        diags.push(
            Diagnostic::new(codes::INVALID_VERSION, format!("`version` is not MAJOR.MINOR.PATCH: `{version}`"))
                .with_primary(file, *range, "expected three dot-separated numbers")
                .with_help("write a version such as `1.0.0`"),
        );
    }

    let mut custom_values = None;
    let model = template.as_ref().and_then(|(name, range)| {
        if is_custom {
            return crate::content::custom::read(&mut r, &slug).map(|(model, values, ranges)| {
                custom_values = Some((values, ranges));
                model
            });
        }
        let found = models::find(name);
        if found.is_none() {
            let names: Vec<&str> = models::REGISTRY.iter().map(|m| m.info().name).collect();
            let best = names.iter().min_by_key(|n| strsim::damerau_levenshtein(name, n)).copied();
            let help = match best.filter(|b| strsim::damerau_levenshtein(name, b) <= 3) {
                Some(b) => format!("did you mean `{b}`? models: {}", names.join(", ")),
                None => format!(
                    "models: {} (see `sentinel-forge templates`), or `custom` with your own `query` template",
                    names.join(", ")
                ),
            };
            diags.push(
                Diagnostic::new(codes::UNKNOWN_TEMPLATE, format!("unknown template `{name}`"))
                    .with_primary(file, *range, "no built-in model has this name")
                    .with_help(help),
            );
        }
        found
    });

    let kind = kind.and_then(|(text, range)| {
        let Some(kind) = Kind::parse(&text) else {
            diags.push(
                Diagnostic::new(codes::INVALID_KIND, format!("unknown kind `{text}`"))
                    .with_primary(file, range, "not a content kind")
                    .with_help("use one of: hunting, scheduled, nrt"),
            );
            return None;
        };
        if let Some(model) = model
            && !model.info().kinds.contains(&kind)
        {
            let supported: Vec<&str> = model.info().kinds.iter().map(|k| k.as_str()).collect();
            diags.push(
                Diagnostic::new(
                    codes::INVALID_KIND,
                    format!("model `{}` does not support kind `{kind}`", model.info().name),
                )
                .with_primary(file, range, "unsupported for this model")
                .with_help(format!("use kind: {}", supported.join(", "))),
            );
            return None;
        }
        Some(kind)
    });

    let mut params = ParamValues::default();
    let mut param_ranges = BTreeMap::new();
    if let Some((values, ranges)) = custom_values {
        params = values;
        param_ranges = ranges;
    } else if let Some(model) = model {
        check_params(file, model, params_table, &mut params, &mut param_ranges, &mut diags);
    }
    let params_ok = !crate::diag::has_errors(&diags);
    let entities = rule::read_entities(&mut r);
    let tests = rule_tests::read(&mut r, model);
    let window = model.filter(|_| params_ok).and_then(|m| m.window(&params));
    let rule = kind.and_then(|k| rule::read_rule(&mut r, k, window));
    // Upstream hunting queries may carry an informational `severity`.
    let hunting_severity =
        if kind == Some(Kind::Hunting) { r.one_of("severity", rule::SEVERITIES).map(|s| s.0) } else { None };
    if kind == Some(Kind::Hunting) {
        for d in &mut catalogue {
            d.severity = crate::diag::Severity::Warning;
            d.notes
                .push("a warning for hunting queries: Sentinel checks tactics and techniques of analytic rules".into());
        }
    }
    diags.append(&mut catalogue);

    let mut all = r.finish();
    all.append(&mut diags);
    let ok = !crate::diag::has_errors(&all);
    let header = Header {
        file,
        slug: slug.clone(),
        id: id.as_ref().map(|(v, r)| Located { value: v.to_ascii_lowercase(), range: *r }),
        name: name.as_ref().map(|(v, r)| Located { value: v.clone(), range: *r }),
        resource_type: kind.map(ResourceType::of),
    };
    let item = match (id, name, kind, model, description) {
        (Some(id), Some(name), Some(kind), Some(model), Some(description)) if ok => Some(Item {
            entities: entities.unwrap_or_else(|| model.info().default_entities()),
            rule,
            file,
            slug,
            id: Located { value: ContentId(id.0), range: id.1 },
            name: Located { value: name.0, range: name.1 },
            kind,
            model,
            description: description.0,
            tactics: tactics.into_iter().map(|t| t.0).collect(),
            techniques: techniques.into_iter().map(|t| t.0).collect(),
            version: version.map(|v| v.0),
            tags: tags.into_iter().map(|t| t.0).collect(),
            hunting_severity,
            params,
            param_ranges,
            tests,
        }),
        _ => None,
    };
    Loaded { item, header, diagnostics: all }
}

/// Length and ASCII checks of a text that reaches the output.
fn check_text(file: FileId, key: &str, text: &str, range: TextRange, max: usize, diags: &mut Vec<Diagnostic>) {
    if text.trim().is_empty() || text.chars().count() > max {
        diags.push(
            Diagnostic::new(codes::BAD_TEXT_LENGTH, format!("`{key}` must be 1 to {max} characters"))
                .with_primary(file, range, format!("{} characters", text.chars().count()))
                .with_help(format!("write a non-empty `{key}` of at most {max} characters")),
        );
    }
    check_ascii(file, key, text, range, diags);
}

/// The first non-ASCII character of a value, pointed at precisely when the
/// value is written literally in the file.
fn check_ascii(file: FileId, key: &str, text: &str, range: TextRange, diags: &mut Vec<Diagnostic>) {
    if let Some((_, c)) = text.char_indices().find(|(_, c)| !c.is_ascii()) {
        diags.push(
            Diagnostic::new(
                codes::NON_ASCII,
                format!("`{key}` contains the non-ASCII character `{c}` (U+{:04X})", c as u32),
            )
            .with_primary(file, range, "Sentinel content must be ASCII")
            .with_help("replace it with an ASCII equivalent (straight quotes, `-`)"),
        );
    }
}

fn check_params(
    file: FileId,
    model: &'static dyn models::Model,
    table: Option<(&DeTable<'_>, TextRange)>,
    params: &mut ParamValues,
    ranges: &mut BTreeMap<&'static str, TextRange>,
    diags: &mut Vec<Diagnostic>,
) {
    let info = model.info();
    let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
    let mut rejected = std::collections::BTreeSet::new();
    if let Some((table, _)) = table {
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(spec) = info.param(name) else {
                let mut d = reader::unknown_key(file, name, range_of(key), "[params]", &known);
                d.message = format!("unknown parameter `{name}` for model `{}`", info.name);
                diags.push(d);
                continue;
            };
            let range = range_of(value);
            match spec.check(value.get_ref()) {
                Ok(v) => {
                    for s in v.strings() {
                        check_ascii(file, name, s, range, diags);
                    }
                    params.values.insert(spec.name, v);
                    ranges.insert(spec.name, range);
                }
                Err(problem) => {
                    rejected.insert(spec.name);
                    diags.push(param_problem(file, info.name, spec, range, problem));
                }
            }
        }
    }
    for spec in info.params {
        if params.values.contains_key(spec.name) || rejected.contains(spec.name) {
            continue;
        }
        match spec.default_value() {
            Some(v) => {
                params.values.insert(spec.name, v);
            }
            None => {
                let anchor = table.map(|t| t.1).unwrap_or_default();
                diags.push(
                    Diagnostic::new(codes::MISSING_KEY, format!("missing required parameter `{}`", spec.name))
                        .with_primary(file, TextRange::empty(anchor.start), "required by the model")
                        .with_help(format!(
                            "add `{} = ...` ({}) under [params]: {}",
                            spec.name,
                            spec.type_name(),
                            spec.doc
                        )),
                );
            }
        }
    }
}

pub(crate) fn param_problem(
    file: FileId,
    model: &str,
    spec: &params::ParamSpec,
    range: TextRange,
    problem: ParamProblem,
) -> Diagnostic {
    let name = spec.name;
    match problem {
        ParamProblem::WrongType { expected, found } => {
            Diagnostic::new(codes::WRONG_TYPE, format!("parameter `{name}` must be of type {expected}"))
                .with_primary(file, range, format!("found {found}"))
                .with_help(format!("`{name}` of `{model}` is of type {expected}; default: {}", default_text(spec)))
        }
        ParamProblem::WrongItem { index, span, found } => {
            Diagnostic::new(codes::WRONG_TYPE, format!("item {index} of parameter `{name}` must be a string"))
                .with_primary(file, TextRange::from(span), format!("found {found}"))
                .with_help(format!("`{name}` is a list of strings, e.g. {}", default_text(spec)))
        }
        ParamProblem::BadTimespan(why) => {
            Diagnostic::new(codes::INVALID_TIMESPAN, format!("parameter `{name}` is not a timespan"))
                .with_primary(file, range, why)
                .with_help("write a timespan such as \"15m\", \"1h\" or \"30d\"")
        }
        ParamProblem::OutOfRange(allowed) => {
            Diagnostic::new(codes::OUT_OF_RANGE, format!("parameter `{name}` is out of range"))
                .with_primary(file, range, format!("allowed: {allowed}"))
                .with_help(format!("{} (default: {})", spec.doc, default_text(spec)))
        }
    }
}

fn default_text(spec: &params::ParamSpec) -> String {
    spec.default_value().map(|v| v.to_string()).unwrap_or_else(|| "none, required".to_string())
}

/// Duplicate ids, names and output names across all files. The first
/// occurrence stays the reference point for every later duplicate.
fn cross_file_checks(headers: &[Header]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let mut seen_ids: BTreeMap<&str, (FileId, TextRange)> = BTreeMap::new();
    let mut seen_names: BTreeMap<(Option<ResourceType>, String), (FileId, TextRange)> = BTreeMap::new();
    let mut seen_slugs: BTreeMap<&str, FileId> = BTreeMap::new();
    for h in headers {
        if let Some(id) = &h.id {
            match seen_ids.get(id.value.as_str()) {
                Some(&(file, range)) => diags.push(
                    Diagnostic::new(codes::DUPLICATE_ID, format!("duplicate id `{}`", id.value))
                        .with_primary(h.file, id.range, "this id is already used")
                        .with_secondary(file, range, "first used here")
                        .with_help("give this item a fresh id (`uuidgen`, or `sentinel-forge new`)"),
                ),
                None => {
                    seen_ids.insert(&id.value, (h.file, id.range));
                }
            }
        }
        if let Some(name) = &h.name {
            let key = (h.resource_type, name.value.to_lowercase());
            match seen_names.get(&key) {
                Some(&(file, range)) => diags.push(
                    Diagnostic::new(codes::DUPLICATE_NAME, format!("duplicate name `{}`", name.value))
                        .with_primary(h.file, name.range, "this name is already used")
                        .with_secondary(file, range, "first used here")
                        .with_help("name each item after what makes it different"),
                ),
                None => {
                    seen_names.insert(key, (h.file, name.range));
                }
            }
        }
        match seen_slugs.get(h.slug.as_str()) {
            Some(&first) => diags.push(
                Diagnostic::new(codes::DUPLICATE_SLUG, format!("two content files are named `{}.toml`", h.slug))
                    .with_primary(h.file, TextRange::empty(0), "this file's outputs")
                    .with_secondary(first, TextRange::empty(0), "collide with this file's")
                    .with_help("rename one of the files; outputs are named after the file"),
            ),
            None => {
                seen_slugs.insert(&h.slug, h.file);
            }
        }
    }
    diags
}
