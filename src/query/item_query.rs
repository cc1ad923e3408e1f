//! The query of one content item, as `run ID` sends it: the item loaded,
//! an environment's overrides and the `--set` overrides applied (each
//! checked by the model), rendered and parsed again.
//!
//! Only this item's problems stop it (its file, its template, the
//! environment file, `--set`): a broken item elsewhere is for `validate`.

use crate::content::{self, item::Item};
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::pipeline::ProjectPaths;
use crate::render::{RenderedKql, Renderer};
use crate::source::SourceMap;
use crate::timespan::Timespan;

/// A rendered, syntax-checked item query.
#[derive(Debug)]
pub struct ItemQuery {
    /// The item with every override applied.
    pub item: Item,
    pub kql: RenderedKql,
    /// How far back the query looks (its model's window), if it says.
    pub window: Option<Timespan>,
}

/// The outcome of looking an item up and rendering it.
#[derive(Debug)]
pub enum ItemLookup {
    /// Ready to run (the diagnostics may hold warnings).
    Ready(Box<ItemQuery>),
    /// The item, its environment or `--set` has errors (in the diagnostics).
    Invalid,
    /// No valid item has this id, file stem or name; the diagnostics hold
    /// every content error, one of which may be why. `suggestion`: the
    /// closest file stem, when one is close.
    NotFound { suggestion: Option<String> },
}

/// Find the item `key` (id, file stem or name), apply environment `env`
/// and `sets`, render and parse its query.
pub fn item_to_query(
    paths: &ProjectPaths,
    key: &str,
    env: Option<&str>,
    sets: &[String],
    sources: &mut SourceMap,
) -> Result<(ItemLookup, Vec<Diagnostic>), Error> {
    let content::LoadedContent { items, unloaded_ids, diagnostics: load_diags } =
        content::load_all(&paths.content, sources)?;
    let lower = key.to_ascii_lowercase();
    let Some(index) = items.iter().position(|i| i.id.value.0 == lower || i.slug == key || i.name.value == key) else {
        let errors: Vec<Diagnostic> = load_diags.into_iter().filter(Diagnostic::is_error).collect();
        let suggestion = items
            .iter()
            .map(|i| (strsim::damerau_levenshtein(key, &i.slug), &i.slug))
            .filter(|(d, slug)| *d <= 2.max(slug.len() / 4))
            .min()
            .map(|(_, slug)| slug.clone());
        return Ok((ItemLookup::NotFound { suggestion }, errors));
    };
    let item_file = items[index].file;
    let mut diags: Vec<Diagnostic> =
        load_diags.into_iter().filter(|d| d.primary.as_ref().is_some_and(|p| p.file == item_file)).collect();

    let mut item = match env {
        Some(name) => {
            let (_, env_items, env_diags) =
                content::environment::load_and_apply(&paths.content, name, &items, &unloaded_ids, sources)?;
            diags.extend(env_diags);
            env_items[index].clone()
        }
        None => items[index].clone(),
    };
    diags.extend(content::set_param::apply_sets(&mut item, sets, sources));
    if diag::has_errors(&diags) {
        return Ok((ItemLookup::Invalid, diags));
    }

    let (renderer, template_diags) = Renderer::load(&paths.templates, sources)?;
    let template = renderer.template_file(item.model.info().template);
    diags.extend(template_diags.into_iter().filter(|d| d.primary.as_ref().is_some_and(|p| Some(p.file) == template)));
    if diag::has_errors(&diags) {
        return Ok((ItemLookup::Invalid, diags));
    }
    let kql = match renderer.item_to_kql(&item, sources) {
        Ok(kql) => kql,
        Err(d) => {
            diags.extend(d);
            return Ok((ItemLookup::Invalid, diags));
        }
    };
    for d in crate::kql::codes::syntax_diagnostics(kql.file, &kql.text) {
        diags.push(d.with_secondary(item.file, item.id.range, "in the query of this item"));
    }
    if diag::has_errors(&diags) {
        return Ok((ItemLookup::Invalid, diags));
    }
    let window = item.model.window(&item.params);
    Ok((ItemLookup::Ready(Box::new(ItemQuery { item, kql, window })), diags))
}
