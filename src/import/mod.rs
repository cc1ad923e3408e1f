//! `import`: existing Sentinel content → sentinel-forge content.
//!
//! ```text
//! YAML / ARM / mainTemplate.json / workspace ──sources──▶ ImportedRule ──write──▶ content TOML + query template
//! ```
//!
//! - [`sources`]: the file formats (and the resource walk of ARM templates);
//!   [`arm_expr`] resolves the names packaged rules get from variables.
//! - [`read`]: one reader for the settings YAML and ARM share.
//! - [`rule`]: the neutral [`ImportedRule`] and the reasons a document is not imported.
//! - [`write`]: the content TOML (`template = "custom"`) and the query template.
//! - [`round_trip`]: import → generate → compare, the proof that nothing is lost.
//!
//! Planning is separate from writing: conflicts with existing content (same
//! id, same output name) are found for the whole batch first, and nothing
//! is overwritten without `force`.

pub mod arm_expr;
pub mod read;
pub mod round_trip;
pub mod rule;
pub mod sources;
pub mod write;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use rule::{ImportProblem, ImportedRule};

use crate::content::item::Kind;
use crate::error::{Error, ErrorKind};

/// One document to import, where it came from.
#[derive(Debug)]
pub struct Source {
    /// File path (and resource name inside a template), for messages.
    pub origin: String,
    pub result: Result<ImportedRule, ImportProblem>,
}

/// What the project already holds: ids and file names in use.
#[derive(Debug, Default)]
pub struct Existing {
    /// Content id → its content file.
    pub ids: BTreeMap<String, PathBuf>,
    /// Content file stems (outputs are named after them), and stems of the
    /// query templates under `templates/custom/`: a new item never takes a
    /// name whose file exists.
    pub slugs: BTreeSet<String>,
}

impl Existing {
    /// Scan the content directory (ids read leniently: a file with errors
    /// still claims its id).
    pub fn scan(content_dir: &Path) -> Result<Self, Error> {
        let mut existing = Existing::default();
        if !content_dir.is_dir() {
            return Ok(existing);
        }
        let mut sources = crate::source::SourceMap::new();
        for path in crate::content::content_files(content_dir)?.0 {
            let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            // An oversized file (CNT026) still claims its file name.
            if std::fs::metadata(&path).is_ok_and(|m| m.len() > crate::content::MAX_CONTENT_BYTES) {
                existing.slugs.insert(slug);
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?;
            let file = sources.add(crate::content::display_path(&path), text);
            let loaded = crate::content::load_text(file, slug.clone(), &sources.get(file).text);
            if let Some(id) = loaded.header.id {
                existing.ids.insert(id.value, path.clone());
            }
            existing.slugs.insert(slug);
        }
        Ok(existing)
    }

    /// Also claim the names of the custom query templates under
    /// `templates_dir`, so an import never writes over a template it did
    /// not plan to replace.
    pub fn with_templates(mut self, templates_dir: &Path) -> Result<Self, Error> {
        let custom = templates_dir.join("custom");
        let Ok(entries) = std::fs::read_dir(&custom) else { return Ok(self) };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(format!("reading `{}`", custom.display()), e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".kql.tera") {
                self.slugs.insert(stem.to_string());
            }
        }
        Ok(self)
    }
}

/// One rule ready to write.
#[derive(Debug, Clone)]
pub struct Planned {
    pub origin: String,
    pub rule: ImportedRule,
    pub slug: String,
    /// Relative to the content directory: `hunting/<slug>.toml` or `analytics/<slug>.toml`.
    pub content_file: PathBuf,
    pub toml: String,
    /// Relative to the template directory: `custom/<slug>.kql.tera`.
    pub template_file: PathBuf,
    pub template: String,
    /// Replaces the existing item with the same id (`force`).
    pub replaces: Option<PathBuf>,
}

/// Why a document was not planned.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub origin: String,
    pub reason: String,
    /// A conflict (`force` would import it) rather than a problem of the input.
    pub conflict: bool,
}

/// Plan the import of `sources` into a project holding `existing`.
pub fn plan(sources: Vec<Source>, existing: &Existing, force: bool) -> (Vec<Planned>, Vec<Skipped>) {
    let mut planned: Vec<Planned> = Vec::new();
    let mut skipped = Vec::new();
    let mut slugs = existing.slugs.clone();
    let mut batch_ids: BTreeMap<String, String> = BTreeMap::new();
    for source in sources {
        let rule = match source.result {
            Ok(rule) => rule,
            Err(problem) => {
                skipped.push(Skipped { origin: source.origin, reason: problem.to_string(), conflict: false });
                continue;
            }
        };
        if let Some(first) = batch_ids.get(&rule.id) {
            skipped.push(Skipped {
                origin: source.origin,
                reason: format!("id {} is also the id of {first} in this import", rule.id),
                conflict: true,
            });
            continue;
        }
        let replaces = existing.ids.get(&rule.id).cloned();
        if let Some(path) = &replaces
            && !force
        {
            skipped.push(Skipped {
                origin: source.origin,
                reason: format!("id {} is already used by {} (use --force to replace it)", rule.id, path.display()),
                conflict: true,
            });
            continue;
        }
        batch_ids.insert(rule.id.clone(), source.origin.clone());
        // A replaced item keeps its file name; a new one gets a free one.
        let slug = match &replaces {
            Some(path) => path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            None => {
                let base = crate::content::item::file_stem_for(&rule.name);
                let mut slug = base.clone();
                let mut n = 2;
                while slugs.contains(&slug) {
                    slug = format!("{base}-{n}");
                    n += 1;
                }
                slug
            }
        };
        slugs.insert(slug.clone());
        let folder = if rule.kind == Some(Kind::Hunting) { "hunting" } else { "analytics" };
        planned.push(Planned {
            origin: source.origin,
            toml: write::content_toml(&rule, &slug),
            template: write::query_template(&rule.query),
            content_file: PathBuf::from(folder).join(format!("{slug}.toml")),
            template_file: PathBuf::from("custom").join(format!("{slug}.kql.tera")),
            slug,
            rule,
            replaces,
        });
    }
    (planned, skipped)
}

/// Read files and directories (`*.yaml`, `*.yml`, `*.json`, recursively).
pub fn read_paths(paths: &[PathBuf]) -> Result<Vec<Source>, Error> {
    let mut out = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(Error::new(ErrorKind::Io, format!("`{}` does not exist", path.display())));
        }
        // Links are followed; one that leads nowhere or loops is reported,
        // never dropped.
        let mut files: Vec<PathBuf> = Vec::new();
        for entry in walkdir::WalkDir::new(path).follow_links(true) {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let origin = e.path().map_or_else(|| path.display().to_string(), crate::content::display_path);
                    let why = if e.loop_ancestor().is_some() { "a link loop".to_string() } else { e.to_string() };
                    out.push(Source { origin, result: Err(ImportProblem::Unreadable(why)) });
                    continue;
                }
            };
            let p = entry.path();
            let ext = p.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
            if entry.file_type().is_file() && (p == path || matches!(ext.as_str(), "yaml" | "yml" | "json")) {
                files.push(entry.into_path());
            }
        }
        files.sort();
        for file in files {
            let shown = crate::content::display_path(&file);
            let bytes = std::fs::read(&file).map_err(|e| Error::io(format!("reading `{}`", file.display()), e))?;
            let Ok(text) = String::from_utf8(bytes) else {
                let problem = ImportProblem::Unreadable("not UTF-8 text".into());
                out.push(Source { origin: shown, result: Err(problem) });
                continue;
            };
            for found in sources::read_file_text(&shown, &text) {
                let origin = if found.label.is_empty() { shown.clone() } else { format!("{shown} ({})", found.label) };
                out.push(Source { origin, result: found.result });
            }
        }
    }
    Ok(out)
}

/// Write planned items: content TOML under `content_dir`, templates under
/// `templates_dir`. Every file is staged first (a temporary file beside its
/// target), and only when all are staged are they renamed into place, so a
/// failed write leaves the project as it was. A target that exists and is
/// not the item being replaced is refused: import writes only new files and
/// the files of the items it replaces (`--force`).
pub fn write_planned(planned: &[Planned], content_dir: &Path, templates_dir: &Path) -> Result<(), Error> {
    let mut targets: Vec<(PathBuf, &str, bool)> = Vec::new();
    for p in planned {
        let content_path = match &p.replaces {
            Some(existing) => existing.clone(),
            None => content_dir.join(&p.content_file),
        };
        targets.push((content_path, &p.toml, p.replaces.is_some()));
        targets.push((templates_dir.join(&p.template_file), &p.template, p.replaces.is_some()));
    }
    for (path, _, replaces) in &targets {
        if !replaces && std::fs::symlink_metadata(path).is_ok() {
            return Err(Error::new(
                ErrorKind::Refused,
                format!("refusing to write `{}`: the file exists and is not the item being imported", path.display()),
            ));
        }
    }
    let mut staged = Vec::with_capacity(targets.len());
    for (path, text, _) in &targets {
        staged.push((stage_file(path, text)?, path));
    }
    for (tmp, path) in staged {
        tmp.persist(path).map_err(|e| Error::io(format!("writing `{}`", path.display()), e.error))?;
    }
    Ok(())
}

/// A temporary file beside `path` holding `text` (removed if dropped).
fn stage_file(path: &Path, text: &str) -> Result<tempfile::NamedTempFile, Error> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating `{}`", dir.display()), e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".sentinel-forge-import-")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("writing in `{}`", dir.display()), e))?;
    tmp.write_all(text.as_bytes()).map_err(|e| Error::io(format!("writing `{}`", path.display()), e))?;
    Ok(tmp)
}
