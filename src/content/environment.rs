//! Environments: per-workspace tuning of the same content.
//!
//! `content/environments/<name>.toml` names a target workspace
//! (`[workspace]`, `[auth]`: read by the deploy module), api-versions, and
//! overrides per content id: parameter values, severity, enabled. Overrides
//! are checked like content (types, ranges, spans) and applied to a copy of
//! the items; an override of an unknown id or parameter is a diagnostic.

use std::collections::BTreeSet;
use std::path::Path;

use toml::de::DeTable;

use super::item::{Item, Kind};
use super::reader::{TableReader, range_of};
use super::rule;
use crate::content::api_versions::ApiVersions;
use crate::content::codes;
use crate::diag::Diagnostic;
use crate::error::{Error, ErrorKind};
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

/// The folder, under the content directory, of environment files.
pub const DIR: &str = "environments";

/// A loaded environment.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    pub file: FileId,
    pub api_versions: ApiVersions,
}

/// Names of the environments under `content_dir`, sorted.
pub fn names(content_dir: &Path) -> Result<Vec<String>, Error> {
    let dir = content_dir.join(DIR);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| Error::io(format!("reading `{}`", dir.display()), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    names.sort();
    Ok(names)
}

/// Load environment `name`, check it against the items, and return the
/// items with its overrides applied.
pub fn load_and_apply(
    content_dir: &Path,
    name: &str,
    items: &[Item],
    unloaded_ids: &BTreeSet<String>,
    sources: &mut SourceMap,
) -> Result<(Environment, Vec<Item>, Vec<Diagnostic>), Error> {
    let path = content_dir.join(DIR).join(format!("{name}.toml"));
    if !path.is_file() {
        let known = names(content_dir)?;
        return Err(Error::new(
            ErrorKind::Io,
            format!("no environment `{name}` (`{}` does not exist; known: {})", path.display(), known.join(", ")),
        ));
    }
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?;
    let file = sources.add(super::display_path(&path), text);
    let text = sources.get(file).text.clone();
    let mut env = Environment { name: name.to_string(), file, api_versions: ApiVersions::default() };
    let mut items: Vec<Item> = items.to_vec();
    let doc = match DeTable::parse(&text) {
        Ok(doc) => doc,
        Err(err) => {
            let range = err.span().map(TextRange::from).unwrap_or_default();
            let d = Diagnostic::new(codes::TOML_SYNTAX, "invalid TOML")
                .with_primary(file, range, err.message().trim().to_string())
                .with_help("fix the TOML syntax at the marked position");
            return Ok((env, items, vec![d]));
        }
    };
    let mut r = TableReader::new(file, doc.get_ref(), range_of(&doc), "the environment file");
    // Read by the deploy module; known here so they are not reported.
    r.has("workspace");
    r.has("auth");
    if let Some((t, range)) = r.table("api_versions") {
        let mut ar = TableReader::new(file, t, range, "[api_versions]");
        if let Some((v, _)) = ar.string("scheduled", false, "") {
            env.api_versions.scheduled_api_version = v;
        }
        if let Some((v, _)) = ar.string("nrt", false, "") {
            env.api_versions.nrt_api_version = v;
        }
        if let Some((v, _)) = ar.string("saved_searches", false, "") {
            env.api_versions.saved_searches_api_version = v;
        }
        r.diags.extend(ar.finish());
    }
    let mut diags = Vec::new();
    if let Some((overrides, _)) = r.table("overrides") {
        for (key, value) in overrides.iter() {
            let id = key.get_ref().to_ascii_lowercase();
            let id_range = range_of(key);
            let Some(item) = items.iter_mut().find(|i| i.id.value.0 == id) else {
                if unloaded_ids.contains(&id) {
                    // The item's own file has errors, reported once there; its
                    // overrides are checked when it loads again.
                    continue;
                }
                diags.push(
                    Diagnostic::new(codes::UNKNOWN_OVERRIDE, format!("override of unknown content id `{id}`"))
                        .with_primary(file, id_range, "no content item has this id")
                        .with_help("use the `id` of an item under content/ (see `sentinel-forge list`)"),
                );
                continue;
            };
            let Some(table) = value.get_ref().as_table() else {
                diags.push(
                    Diagnostic::new(codes::WRONG_TYPE, format!("override of `{id}` must be a table"))
                        .with_primary(file, range_of(value), "not a table")
                        .with_help(
                            "write `[overrides.\"<id>\"]` followed by `params = { ... }`, `severity`, `enabled`",
                        ),
                );
                continue;
            };
            diags.extend(apply_one(file, item, table, range_of(value)));
        }
    }
    diags.extend(r.finish());
    Ok((env, items, diags))
}

fn apply_one(file: FileId, item: &mut Item, table: &DeTable<'_>, range: TextRange) -> Vec<Diagnostic> {
    let mut r = TableReader::new(file, table, range, "an override");
    let mut diags = Vec::new();
    let info = item.model.info();
    if let Some((params, _)) = r.table("params") {
        let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
        for (key, value) in params.iter() {
            let name = key.get_ref().as_ref();
            let Some(spec) = info.param(name) else {
                let mut d = super::reader::unknown_key(file, name, range_of(key), "the override's params", &known);
                d.code = codes::UNKNOWN_OVERRIDE;
                d.message = format!("override of unknown parameter `{name}` of model `{}`", info.name);
                diags.push(d);
                continue;
            };
            match spec.check(value.get_ref()) {
                Ok(v) => {
                    item.params.values.insert(spec.name, v);
                }
                Err(problem) => diags.push(super::param_problem(file, info.name, spec, range_of(value), problem)),
            }
        }
    }
    let severity = r.one_of("severity", rule::SEVERITIES);
    let enabled = r.bool("enabled");
    diags.extend(r.finish());
    match item.rule.as_mut() {
        Some(settings) => {
            if let Some((s, _)) = severity {
                settings.severity = s;
            }
            if let Some((e, _)) = enabled {
                settings.enabled = e;
            }
            // A window parameter may have changed: derive or re-check the period.
            if let (Some(schedule), Some(window)) = (settings.schedule.as_mut(), item.model.window(&item.params)) {
                if schedule.period_derived {
                    schedule.period = window;
                } else if schedule.period < window {
                    diags.push(
                        Diagnostic::new(
                            codes::QUERY_PERIOD_TOO_SHORT,
                            format!(
                                "with this override the query looks back {window}, beyond the rule's period {}",
                                schedule.period
                            ),
                        )
                        .with_primary(file, range, "parameters changed here")
                        .with_secondary(item.file, item.id.range, "the rule")
                        .with_help("raise the rule's `period` or remove it so it is derived from the model"),
                    );
                }
            }
        }
        None => {
            for (key, found) in [("severity", severity.map(|s| s.1)), ("enabled", enabled.map(|e| e.1))] {
                if let Some(range) = found {
                    diags.push(
                        Diagnostic::new(codes::NOT_FOR_KIND, format!("`{key}` only applies to analytic rules"))
                            .with_primary(file, range, format!("`{}` is a {} item", item.id.value, Kind::Hunting))
                            .with_help("remove it from the override"),
                    );
                }
            }
        }
    }
    diags
}
