use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::cli::{ExitStatus, GlobalArgs};
use crate::models;
use crate::params::ParamValue;

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The model to instantiate (see `sentinel-forge templates`), `custom` for a query of your
    /// own, or `test` to add a test case to an existing item (`new test ID`)
    pub template: String,
    /// With `new test`: the item (id, file stem or name) the test is added to
    pub id: Option<String>,
    /// Display name of the new item (the file is named after it), or of the new test
    #[arg(long)]
    pub name: Option<String>,
    /// Where to write the file (default: <content>/hunting/ or <content>/analytics/<name-as-slug>.toml)
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// For `new custom`: the kind of item (hunting, scheduled or nrt)
    #[arg(long, value_name = "KIND", default_value = "hunting")]
    pub kind: String,
}

pub fn run(g: &GlobalArgs, args: NewArgs) -> anyhow::Result<ExitStatus> {
    if args.template == "test" {
        return new_test(g, &args);
    }
    if args.id.is_some() {
        bail!("only `new test ID` takes an item; `new {}` takes --name", args.template);
    }
    if args.name.is_none() {
        bail!("`new {}` needs --name", args.template);
    }
    if args.template == crate::content::custom::CUSTOM {
        return new_custom(g, args);
    }
    let Some(model) = models::find(&args.template) else {
        bail!("no model named `{}` (see `sentinel-forge templates`)", args.template);
    };
    let name = args.name.clone().unwrap_or_default();
    if name.trim().is_empty() || !name.is_ascii() {
        bail!("--name must be non-empty ASCII text");
    }
    let kind = model.info().kinds[0];
    // The bundled layout: hunting queries under hunting/, rules under analytics/.
    let folder = if kind == crate::content::item::Kind::Hunting { "hunting" } else { "analytics" };
    let path = args
        .file
        .unwrap_or_else(|| g.content.join(folder).join(format!("{}.toml", crate::content::item::file_stem_for(&name))));
    if path.exists() {
        bail!("`{}` already exists; choose another --name or --file", path.display());
    }
    let slug = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let (test, fixture_path, fixture) = scaffold_test(g, model.info(), &slug, "the attack this item detects fires");
    if fixture_path.exists() {
        bail!("`{}` already exists", fixture_path.display());
    }
    let text = new_content_text(model, &name, &uuid::Uuid::new_v4().to_string()) + &test;
    write_new(&path, &text)?;
    write_new(&fixture_path, &fixture)?;
    println!("{}\n{}", path.display(), fixture_path.display());
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
    let name = args.name.clone().unwrap_or_default();
    if name.trim().is_empty() || !name.is_ascii() {
        bail!("--name must be non-empty ASCII text");
    }
    let stem = crate::content::item::file_stem_for(&name);
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
         description = {}\ntactics = []\ntechniques = []\nversion = \"1.0.0\"\n",
        quote(&uuid::Uuid::new_v4().to_string()),
        quote(&name),
        quote(kind.as_str()),
        quote(&format!("{templates_dir}/custom/{stem}.kql.tera")),
        quote(crate::content::PLACEHOLDER_DESCRIPTION),
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

/// A `[[tests]]` case and its fixture for an item of `model` named by
/// file stem `slug`: the fixture is one row per table the model reads, at
/// an hour before the pinned `now`, to be edited into the attack it
/// describes (until then the case fails, as it should).
fn scaffold_test(g: &GlobalArgs, model: &models::ModelInfo, slug: &str, name: &str) -> (String, PathBuf, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| chrono::DateTime::from_timestamp((d.as_secs() / 3600 * 3600) as i64, 0))
        .unwrap_or_default();
    let stem = crate::content::item::file_stem_for(name);
    let data = format!("tests/data/{slug}/{stem}.jsonl");
    let project = crate::rule_tests::prepare::project_dir(&g.paths());
    let quote = |s: &str| serde_json::to_string(s).expect("string");
    let test = format!(
        "\n# A must-fire case: edit {data} into the events of the attack;\n\
         # add a must-not-fire case just below the threshold with `new test {slug}`.\n\
         [[tests]]\nname = {}\ndata = {}\nnow = {}\nfires = true\n",
        quote(name),
        quote(&data),
        quote(&crate::rule_tests::tables::api_datetime(now)),
    );
    let hour_before = crate::rule_tests::tables::api_datetime(now - chrono::Duration::hours(1));
    let mut tables: Vec<&str> = model.connectors.iter().flat_map(|c| c.data_types.iter().copied()).collect();
    tables.dedup();
    if tables.is_empty() {
        tables.push("AzureActivity");
    }
    let fixture: String =
        tables.iter().map(|t| format!("{}\n", serde_json::json!({"Type": t, "TimeGenerated": hour_before}))).collect();
    (test, project.join(data), fixture)
}

/// `new test ID [--name N]`: append a case to the item's content file and
/// write its fixture.
fn new_test(g: &GlobalArgs, args: &NewArgs) -> anyhow::Result<ExitStatus> {
    let Some(id) = &args.id else { bail!("`new test` needs the item: `new test ID`") };
    let mut sources = crate::source::SourceMap::new();
    let (items, _) = crate::content::load(&g.content, &mut sources)?;
    let lower = id.to_ascii_lowercase();
    let Some(item) = items.iter().find(|i| i.id.value.0 == lower || i.slug == *id || i.name.value == *id) else {
        bail!("no valid content item `{id}` (see `sentinel-forge list`; `validate` shows why an item does not load)");
    };
    let name = args.name.clone().unwrap_or_else(|| format!("case {}", item.tests.len() + 1));
    if item.tests.iter().any(|t| t.name.value == name) {
        bail!("`{}` already has a test named `{name}`; choose another --name", item.slug);
    }
    let (test, fixture_path, fixture) = scaffold_test(g, item.model.info(), &item.slug, &name);
    if fixture_path.exists() {
        bail!("`{}` already exists; choose another --name", fixture_path.display());
    }
    let path = PathBuf::from(&sources.get(item.file).path);
    let mut text = std::fs::read_to_string(&path).with_context(|| format!("reading `{}`", path.display()))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&test);
    write_new(&fixture_path, &fixture)?;
    std::fs::write(&path, text).with_context(|| format!("writing `{}`", path.display()))?;
    println!("{}\n{}", path.display(), fixture_path.display());
    Ok(ExitStatus::Clean)
}
