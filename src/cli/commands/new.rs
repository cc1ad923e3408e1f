use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::content::params::ParamValue;
use crate::models;

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The model to instantiate (see `sentinel-forge templates`)
    pub template: String,
    /// Display name of the new item; the file is named after it
    #[arg(long)]
    pub name: String,
    /// Where to write the file (default: <content>/hunting/ or <content>/analytics/<name-as-slug>.toml)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

pub fn run(g: &GlobalArgs, args: NewArgs) -> anyhow::Result<ExitStatus> {
    let Some(model) = models::find(&args.template) else {
        bail!("no model named `{}` (see `sentinel-forge templates`)", args.template);
    };
    if args.name.trim().is_empty() || !args.name.is_ascii() {
        bail!("--name must be non-empty ASCII text");
    }
    let kind = model.info().kinds[0];
    // The bundled layout: hunting queries under hunting/, rules under analytics/.
    let folder = if kind == crate::content::item::Kind::Hunting { "hunting" } else { "analytics" };
    let path = args.file.unwrap_or_else(|| g.content.join(folder).join(format!("{}.toml", slugify(&args.name))));
    if path.exists() {
        bail!("`{}` already exists; choose another --name or --file", path.display());
    }
    let text = new_content_text(model, &args.name, &uuid::Uuid::new_v4().to_string());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    }
    std::fs::write(&path, text).with_context(|| format!("writing `{}`", path.display()))?;
    println!("{}", path.display());
    Ok(ExitStatus::Clean)
}

/// `Run Command spike (prod)` → `run-command-spike-prod`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A complete content file: every parameter at its default, each with its
/// documentation as a comment.
pub fn new_content_text(model: &dyn models::Model, name: &str, id: &str) -> String {
    use crate::content::item::Kind;
    let info = model.info();
    let kind = info.kinds[0];
    let quote = |s: &str| serde_json::to_string(s).expect("string");
    let mut out = format!(
        "id = {}\nname = {}\nkind = {}\ntemplate = {}\ndescription = {}\ntactics = []\ntechniques = []\nversion = \"1.0.0\"\n",
        quote(id),
        quote(name),
        quote(kind.as_str()),
        quote(info.name),
        quote(info.summary),
    );
    if kind != Kind::Hunting {
        out.push_str("severity = \"Medium\"\n");
    }
    if kind == Kind::Scheduled {
        // The period is derived from the model's window when it has one.
        out.push_str("\n[schedule]\nfrequency = \"1d\"\ntrigger = { operator = \"gt\", threshold = 0 }\n");
    }
    out.push_str("\n[params]\n");
    for p in info.params {
        out.push_str(&format!("# {}\n", p.doc));
        match p.default_value() {
            Some(v) => out.push_str(&format!("{} = {}\n", p.name, v)),
            None => {
                out.push_str(&format!("# REQUIRED: set this ({})\n{} = {}\n", p.type_name(), p.name, placeholder(p)))
            }
        }
    }
    out
}

fn placeholder(p: &crate::content::params::ParamSpec) -> ParamValue {
    use crate::content::params::ParamType;
    match p.ty {
        ParamType::StringList { .. } => ParamValue::List(vec![]),
        _ => ParamValue::String(String::new()),
    }
}
