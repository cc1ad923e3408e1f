use anyhow::bail;
use clap::Args;

use crate::cli::commands::list::columns;
use crate::cli::{ExitStatus, GlobalArgs};
use crate::models::{self, REGISTRY};

#[derive(Debug, Args)]
pub struct TemplatesArgs {
    /// A model name: print every parameter with its type, default, range and meaning
    pub name: Option<String>,
}

/// The custom models declared by the content (`template = "custom"`), by
/// name; content with errors contributes what loads.
fn custom_models(g: &GlobalArgs) -> Vec<&'static dyn models::Model> {
    let mut sources = crate::source::SourceMap::new();
    match crate::content::load(&g.content, &mut sources) {
        Ok((items, _)) => items.iter().map(|i| i.model).filter(|m| m.is_custom()).collect(),
        Err(_) => Vec::new(),
    }
}

pub fn run(g: &GlobalArgs, args: TemplatesArgs) -> anyhow::Result<ExitStatus> {
    let custom = custom_models(g);
    match args.name {
        None => {
            let rows: Vec<[String; 3]> = REGISTRY
                .iter()
                .chain(custom.iter())
                .map(|m| {
                    let i = m.info();
                    let kinds: Vec<&str> = i.kinds.iter().map(|k| k.as_str()).collect();
                    [i.name.to_string(), kinds.join(","), i.summary.to_string()]
                })
                .collect();
            print!("{}", columns(&["MODEL", "KINDS", "FINDS"], &rows));
        }
        Some(name) => {
            // A custom model is `custom:<file stem>`; the stem alone finds it too.
            let found = models::find(&name).or_else(|| {
                custom
                    .iter()
                    .copied()
                    .find(|m| m.info().name == name || m.info().name.strip_prefix("custom:") == Some(&name))
            });
            let Some(model) = found else {
                let names = REGISTRY.iter().chain(custom.iter()).map(|m| m.info().name);
                let hint = names
                    .map(|n| (strsim::damerau_levenshtein(&name, n), n))
                    .filter(|(d, n)| *d <= 2.max(n.len() / 4))
                    .min()
                    .map(|(_, n)| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                bail!("no model named `{name}` ({hint}see `sentinel-forge templates`)");
            };
            print!("{}", describe(model));
        }
    }
    Ok(ExitStatus::Clean)
}

/// A model's full parameter documentation.
pub fn describe(model: &dyn models::Model) -> String {
    let i = model.info();
    let kinds: Vec<&str> = i.kinds.iter().map(|k| k.as_str()).collect();
    let mut out = format!(
        "{}\n  {}\n  kinds: {}\n  template: templates/{}\n  reference: {}\n",
        i.name,
        i.summary,
        kinds.join(", "),
        i.template,
        i.reference
    );
    let tables: Vec<String> = i
        .connectors
        .iter()
        .flat_map(|c| c.data_types.iter().map(move |t| format!("{t} ({})", c.connector_id)))
        .collect();
    out.push_str(&format!("  tables: {}\n\nparameters:\n", tables.join(", ")));
    for p in i.params {
        let default = p.default_value().map(|v| v.to_string()).unwrap_or_else(|| "required".into());
        out.push_str(&format!("  {} ({}) = {default}\n", p.name, p.type_name()));
        if let Some(range) = p.range_text() {
            out.push_str(&format!("      range: {range}\n"));
        }
        out.push_str(&format!("      {}\n", p.doc));
    }
    out
}
