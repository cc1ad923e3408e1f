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

use crate::content::{self, item::Item};
use crate::diag::{self, Diagnostic};
use crate::emit::{self, Document, EmitOptions};
use crate::error::Error;
use crate::render::{RenderedKql, Renderer};
use crate::source::SourceMap;
use crate::validate;

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

/// Run every stage.
pub fn compile(paths: &ProjectPaths, options: &EmitOptions) -> Result<Compiled, Error> {
    let mut sources = SourceMap::new();
    let (items, mut diagnostics) = content::load(&paths.content, &mut sources)?;
    let (renderer, mut template_diags) = Renderer::load(&paths.templates, &mut sources)?;
    diagnostics.append(&mut template_diags);

    let mut kql = Vec::with_capacity(items.len());
    let mut documents = Vec::new();
    let mut resources = Vec::new();
    for item in &items {
        match renderer.item_to_kql(item, &mut sources) {
            Ok(rendered) => {
                // A syntax error in a rendered query comes from the template
                // (values are always literals): point at both.
                let template = renderer.template_file(item.model.info().template);
                for mut d in crate::kql_codes::syntax_diagnostics(rendered.file, &rendered.text) {
                    if let Some(t) = template {
                        d = d.with_secondary(t, crate::span::TextRange::empty(0), "rendered from this template");
                    }
                    diagnostics.push(d.with_secondary(item.file, item.id.range, "in the query of this item"));
                }
                let docs = emit::item_to_documents(item, &rendered, options);
                resources.push((item.id.value.0.clone(), emit::item_to_resource(item, &rendered, options)));
                documents.extend(docs);
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
    diagnostics.extend(validate::validate_documents(&documents));
    diag::sort_and_dedup(&mut diagnostics);
    documents.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Compiled { sources, items, kql, documents, diagnostics })
}
