use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::models;
use crate::params::ParamValue;

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The model to instantiate (see `sentinel-forge templates`), or `custom` for a query of your own
    pub template: String,
    /// Display name of the new item; the file is named after it
    #[arg(long)]
    pub name: String,
    /// Where to write the file (default: <content>/hunting/ or <content>/analytics/<name-as-slug>.toml)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// For `new custom`: the kind of item (hunting, scheduled or nrt)
    #[arg(long, value_name = "KIND", default_value = "hunting")]
    pub kind: String,
}

pub fn run(g: &GlobalArgs, args: NewArgs) -> anyhow::Result<ExitStatus> {
    if args.template == crate::content::custom::CUSTOM {
        return new_custom(g, args);
    }
    let Some(model) = models::find(&args.template) else {
        bail!("no model named `{}` (see `sentinel-forge templates`)", args.template);
    };
    if args.name.trim().is_empty() || !args.name.is_ascii() {
        bail!("--name must be non-empty ASCII text");
    }
    let kind = model.info().kinds[0];
    // The bundled layout: hunting queries under hunting/, rules under analytics/.
    let folder = if kind == crate::content::item::Kind::Hunting { "hunting" } else { "analytics" };
    let path = args.file.unwrap_or_else(|| {
        g.content.join(folder).join(format!("{}.toml", crate::content::item::file_stem_for(&args.name)))
    });
    if path.exists() {
        bail!("`{}` already exists; choose another --name or --file", path.display());
    }
    let text = new_content_text(model, &args.name, &uuid::Uuid::new_v4().to_string());
    write_new(&path, &text)?;
    println!("{}", path.display());
    Ok(ExitStatus::Clean)
}

fn write_new(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing `{}`", path.display()))
}

/// `new custom --name N [--kind K]`: a content file that brings its own
/// query, with one declared parameter, and the query template beside it.
fn new_custom(g: &GlobalArgs, args: NewArgs) -> anyhow::Result<ExitStatus> {
    use crate::content::item::Kind;
    let Some(kind) = Kind::parse(&args.kind) else {
        bail!("--kind must be hunting, scheduled or nrt, not `{}`", args.kind);
    };
    if args.name.trim().is_empty() || !args.name.is_ascii() {
        bail!("--name must be non-empty ASCII text");
    }
    let stem = crate::content::item::file_stem_for(&args.name);
    let folder = if kind == Kind::Hunting { "hunting" } else { "analytics" };
    let path = args.file.unwrap_or_else(|| g.content.join(folder).join(format!("{stem}.toml")));
    let template_path = g.templates.join("custom").join(format!("{stem}.kql.tera"));
    for p in [&path, &template_path] {
        if p.exists() {
            bail!("`{}` already exists; choose another --name", p.display());
        }
    }
    let templates_dir = g.templates.file_name().map_or("templates".into(), |n| n.to_string_lossy().into_owned());
    let quote = |s: &str| serde_json::to_string(s).expect("string");
    let mut text = format!(
        "id = {}\nname = {}\nkind = {}\ntemplate = \"custom\"\nquery = {}\nwindow = \"lookback\"\n\
         description = \"What the query finds and why it matters.\"\ntactics = []\ntechniques = []\nversion = \"1.0.0\"\n",
        quote(&uuid::Uuid::new_v4().to_string()),
        quote(&args.name),
        quote(kind.as_str()),
        quote(&format!("{templates_dir}/custom/{stem}.kql.tera")),
    );
    if kind != Kind::Hunting {
        text.push_str("severity = \"Medium\"\n");
    }
    if kind == Kind::Scheduled {
        // The period follows the `window` parameter.
        text.push_str("\n[schedule]\nfrequency = \"1h\"\ntrigger = { operator = \"gt\", threshold = 0 }\n");
    }
    text.push_str(
        "\n# Each parameter: type (int, real, bool, string, string_list, timespan, datetime), default, doc, bounds.\n\
         [params.lookback]\ntype = \"timespan\"\ndefault = \"1d\"\nmin = \"1h\"\nmax = \"14d\"\n\
         doc = \"How far back the query looks.\"\n\n\
         # The tables the query reads (requiredDataConnectors).\n[[connectors]]\nid = \"AzureActivity\"\ndata_types = [\"AzureActivity\"]\n",
    );
    let query = "// Values enter the query only through the kql_* filters (kql_string, kql_int, kql_timespan, ...).\n\
                 AzureActivity\n\
                 | where TimeGenerated > ago({{ params.lookback | kql_timespan }})\n\
                 | summarize Operations = count() by Caller\n";
    write_new(&path, &text)?;
    write_new(&template_path, query)?;
    println!("{}\n{}", path.display(), template_path.display());
    Ok(ExitStatus::Clean)
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

fn placeholder(p: &crate::params::ParamSpec) -> ParamValue {
    use crate::params::ParamType;
    match p.ty {
        ParamType::StringList { .. } => ParamValue::List(vec![]),
        _ => ParamValue::String(String::new()),
    }
}
