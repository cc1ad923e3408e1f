//! The pipeline, stage by stage:
//!
//! ```text
//! content/*.toml ──toml_to_items──▶ Items ──items_to_kql──▶ KQL ──kql_to_diagnostics──▶ syntax checked
//!      ──items_to_documents──▶ KQL / YAML / ARM documents ──validate_documents──▶ files | deploy | run
//! ```
//!
//! [`compile`] chains the stages. Diagnostics are collected per item; an
//! item whose stage fails skips its later stages, the others go on.

use std::path::PathBuf;

use crate::content::api_versions::ApiVersions;
use crate::content::{self, item::Item};
use crate::diag::{self, Diagnostic};
use crate::emit::{self, Document};
use crate::error::Error;
use crate::render::{RenderedKql, Renderer};
use crate::schema_check;
use crate::source::SourceMap;

/// Where a project's inputs are.
#[derive(Debug, Clone)]
pub struct ProjectPaths {
    pub content: PathBuf,
    pub templates: PathBuf,
}

impl Default for ProjectPaths {
    fn default() -> Self {
        Self { content: PathBuf::from("content"), templates: PathBuf::from("templates") }
    }
}

/// Everything one run produced.
pub struct Compiled {
    pub sources: SourceMap,
    pub items: Vec<Item>,
    /// Rendered query per item, by index into `items` (absent when rendering failed).
    pub kql: Vec<Option<RenderedKql>>,
    pub documents: Vec<Document>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        diag::has_errors(&self.diagnostics)
    }

    /// The item whose id, slug or name is `key`.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.items.iter().position(|i| i.id.value.0 == key.to_ascii_lowercase() || i.slug == key || i.name.value == key)
    }
}

/// Which environments a run renders besides the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environments {
    /// The default and every `content/environments/*.toml` (what `generate` writes).
    All,
    /// Only this environment.
    Only(String),
    /// Only the default.
    None,
}

/// Run every stage for the default content and every environment.
pub fn compile(paths: &ProjectPaths, options: &ApiVersions) -> Result<Compiled, Error> {
    compile_with(paths, options, Environments::All)
}

/// Run every stage for the chosen environments. Documents of environment
/// `E` are under `E/`; the default's are at the top.
pub fn compile_with(paths: &ProjectPaths, options: &ApiVersions, envs: Environments) -> Result<Compiled, Error> {
    let mut sources = SourceMap::new();
    let content::LoadedContent { items, unloaded_ids, mut diagnostics } =
        content::load_all(&paths.content, &mut sources)?;
    let (renderer, mut template_diags) = Renderer::load(&paths.templates, &mut sources)?;
    diagnostics.append(&mut template_diags);

    let (kql, mut documents, mut diags) = items_to_documents(&items, &renderer, &mut sources, options, "");
    diagnostics.append(&mut diags);
    let env_names = match &envs {
        Environments::All => content::environment::names(&paths.content)?,
        Environments::Only(name) => vec![name.clone()],
        Environments::None => Vec::new(),
    };
    for name in env_names {
        let (env, env_items, mut env_diags) =
            content::environment::load_and_apply(&paths.content, &name, &items, &unloaded_ids, &mut sources)?;
        let env_ok = !diag::has_errors(&env_diags);
        diagnostics.append(&mut env_diags);
        // Problems of the content itself are reported once, for the default.
        if env_ok && !diag::has_errors(&diagnostics) {
            let (_, docs, mut d) =
                items_to_documents(&env_items, &renderer, &mut sources, &env.api_versions, &format!("{name}/"));
            documents.extend(docs);
            diagnostics.append(&mut d);
        }
    }
    diag::sort_and_dedup(&mut diagnostics);
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Compiled { sources, items, kql, documents, diagnostics })
}

/// Render, parse, emit and validate one set of items; document paths get
/// `prefix`.
fn items_to_documents(
    items: &[Item],
    renderer: &Renderer,
    sources: &mut SourceMap,
    options: &ApiVersions,
    prefix: &str,
) -> (Vec<Option<RenderedKql>>, Vec<Document>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut kql = Vec::with_capacity(items.len());
    let mut documents = Vec::new();
    let mut resources = Vec::new();
    for item in items {
        // `{{ params.NAME }}` in the description shows the value this item (or environment) sets.
        let described;
        let item = match crate::render::description(item) {
            Ok(text) if text == item.description => item,
            Ok(text) => {
                described = Item { description: text, ..item.clone() };
                &described
            }
            Err(d) => {
                diagnostics.push(*d);
                kql.push(None);
                continue;
            }
        };
        match renderer.item_to_kql(item, sources) {
            Ok(rendered) => {
                // A syntax error in a rendered query comes from the template
                // (values are always literals): point at both.
                let template = renderer.template_file(item.model.info().template);
                for mut d in crate::kql::codes::syntax_diagnostics(rendered.file, &rendered.text) {
                    if let (Some(t), Some(primary)) = (template, d.primary.clone()) {
                        let template_text = &sources.get(t).text;
                        let line = template_line_of(template_text, &rendered.text, primary.range.start);
                        if line.is_empty() {
                            d = d.with_secondary(t, line, "rendered from this template");
                        } else {
                            // Lead with the template, the file the user edits;
                            // the rendered query (a virtual file) comes second.
                            let range = position_in_line(template_text, line, &rendered.text, primary.range);
                            d = d.with_primary(t, range, primary.message.clone()).with_secondary(
                                rendered.file,
                                primary.range,
                                "in the rendered query",
                            );
                        }
                    }
                    diagnostics.push(d.with_secondary(item.file, item.id.range, "in the query of this item"));
                }
                documents.extend(emit::item_to_documents(item, &rendered, options));
                resources.push((item.id.value.0.clone(), emit::item_to_resource(item, &rendered, options)));
                kql.push(Some(rendered));
            }
            Err(mut d) => {
                diagnostics.append(&mut d);
                kql.push(None);
            }
        }
    }
    if !items.is_empty() {
        documents.push(emit::arm::azuredeploy(resources));
    }
    for doc in &mut documents {
        doc.path = format!("{prefix}{}", doc.path);
    }
    diagnostics.extend(schema_check::validate_documents(&documents));
    (kql, documents, diagnostics)
}

/// Where `range` of the rendered query falls in the template `line`: the
/// same column when the line rendered to itself, else the first occurrence
/// of the token's text, else the whole line.
fn position_in_line(
    template: &str,
    line: crate::span::TextRange,
    rendered: &str,
    range: crate::span::TextRange,
) -> crate::span::TextRange {
    use crate::span::TextRange;
    let text = &template[line.start as usize..line.end as usize];
    let (start, end) = (range.start as usize, range.end as usize);
    let rendered_line_start = rendered[..start].rfind('\n').map_or(0, |i| i + 1);
    let rendered_line_end = rendered[start..].find('\n').map_or(rendered.len(), |i| start + i);
    if rendered[rendered_line_start..rendered_line_end].trim_end() == text {
        let column = (start - rendered_line_start) as u32;
        return TextRange::new(line.start + column, line.start + column + (end - start) as u32);
    }
    let token = &rendered[start..end];
    match text.find(token).filter(|_| !token.is_empty()) {
        Some(at) => TextRange::new(line.start + at as u32, line.start + (at + token.len()) as u32),
        None => line,
    }
}

/// The template line a rendered line most likely came from: the same text
/// (a line without `{{ }}` renders to itself), else the template line with
/// the longest common prefix; the start of the template when nothing fits.
pub fn template_line_of(template: &str, rendered: &str, offset: u32) -> crate::span::TextRange {
    let offset = (offset as usize).min(rendered.len());
    let line_start = rendered[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = rendered[offset..].find('\n').map_or(rendered.len(), |i| offset + i);
    let line = rendered[line_start..line_end].trim();
    let mut best: Option<(usize, usize, usize)> = None; // (score, start, end)
    let mut start = 0;
    for t in template.split_inclusive('\n') {
        let text = t.trim();
        let score =
            if text == line { usize::MAX } else { text.chars().zip(line.chars()).take_while(|(a, b)| a == b).count() };
        if score > 0 && best.is_none_or(|b| score > b.0) {
            best = Some((score, start, start + t.trim_end().len()));
        }
        start += t.len();
    }
    match best {
        Some((score, s, e)) if score >= 8 || score == usize::MAX => crate::span::TextRange::new(s as u32, e as u32),
        _ => crate::span::TextRange::empty(0),
    }
}
