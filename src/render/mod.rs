//! Stage 2: an item and its model's template → KQL text.
//!
//! The [`Renderer`] owns one `tera::Tera` with every template under
//! `templates/`. Values reach KQL only through the filters of [`filters`]:
//! autoescaping is on for every template with an escaper that *poisons*
//! its input, so a value printed without a KQL filter is found after
//! rendering and reported as `TPL003` instead of reaching the query.

pub mod codes;
mod description;
pub mod filters;
mod locate;

use std::collections::HashMap;
use std::path::Path;

use serde_json::{Value, json};

pub use description::description;

use crate::content::item::Item;
use crate::diag::Diagnostic;
use crate::error::{Error, ErrorKind};
use crate::source::{FileId, SourceMap};
use crate::span::TextRange;

/// Marks text that went through Tera's escaper, i.e. no KQL filter.
const POISON_START: &str = "\u{1}UNESCAPED\u{2}";
const POISON_END: char = '\u{3}';

fn poison(text: &str) -> String {
    format!("{POISON_START}{text}{POISON_END}")
}

/// Sentinel's own `{{Name}}` placeholders, which collide with Tera syntax:
/// templates write `{{ sentinel_placeholder(name="StartTimeISO") }}`.
const SENTINEL_PLACEHOLDERS: &[&str] = &["StartTimeISO", "EndTimeISO"];

struct SentinelPlaceholder;
impl tera::Function for SentinelPlaceholder {
    fn call(&self, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let name = args.get("name").and_then(Value::as_str).unwrap_or_default();
        if !SENTINEL_PLACEHOLDERS.contains(&name) {
            return Err(tera::Error::msg(format!(
                "sentinel_placeholder: unknown placeholder `{name}` (known: {})",
                SENTINEL_PLACEHOLDERS.join(", ")
            )));
        }
        Ok(Value::String(format!("{{{{{name}}}}}")))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// A rendered query, registered as its own file so KQL diagnostics can
/// point into it.
#[derive(Debug, Clone)]
pub struct RenderedKql {
    pub file: FileId,
    pub text: String,
}

/// All templates, compiled once per run.
pub struct Renderer {
    tera: tera::Tera,
    /// Template name → its file in the source map (for spans).
    files: HashMap<String, FileId>,
}

impl Renderer {
    /// Load every `*.tera` under `dir`. Template syntax errors are
    /// diagnostics (the run goes on and reports them with the rest).
    pub fn load(dir: &Path, sources: &mut SourceMap) -> Result<(Renderer, Vec<Diagnostic>), Error> {
        let mut tera = tera::Tera::default();
        filters::register(&mut tera);
        tera.register_function("sentinel_placeholder", SentinelPlaceholder);
        tera.autoescape_on(vec![".tera"]);
        tera.set_escape_fn(poison);

        let mut diags = Vec::new();
        let mut files = HashMap::new();
        if !dir.is_dir() {
            return Err(Error::new(ErrorKind::Setup, format!("template directory `{}` does not exist", dir.display())));
        }
        let mut templates = Vec::new();
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = entry.map_err(|e| Error::new(ErrorKind::Io, format!("reading `{}`: {e}", dir.display())))?;
            let path = entry.path();
            if !(entry.file_type().is_file() && path.to_string_lossy().ends_with(".tera")) {
                continue;
            }
            let name = path.strip_prefix(dir).expect("walked under dir").to_string_lossy().replace('\\', "/");
            let text =
                std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading `{}`", path.display()), e))?;
            let file = sources.add(crate::content::display_path(path), text.clone());
            files.insert(name.clone(), file);
            templates.push((name, text));
        }
        // Add one by one so a broken template does not hide the others.
        for (name, text) in &templates {
            if let Err(err) = tera.add_raw_template(name, text) {
                let mut d = template_diagnostic(&err, files[name], sources, None);
                if let Some((word, opened)) = locate::unclosed_block(text)
                    && d.primary.as_ref().is_some_and(|p| p.range.start >= opened.end)
                {
                    let end = d.primary.as_ref().map(|p| p.range).unwrap_or_default();
                    d = d
                        .with_primary(files[name], end, format!("the template ends here without `{{% end{word} %}}`"))
                        .with_secondary(files[name], opened, format!("this `{word}` is never closed"))
                        .with_help(format!("close the block with `{{% end{word} %}}`"));
                    d.message = format!("unclosed `{{% {word} %}}` block");
                }
                diags.push(d);
                // Keep the name resolvable so items using it report once.
                let _ = tera.add_raw_template(name, "");
            }
        }
        if let Err(err) = tera.build_inheritance_chains() {
            diags.push(Diagnostic::new(codes::TEMPLATE_ERROR, format!("template inheritance: {}", error_chain(&err))));
        }
        Ok((Renderer { tera, files }, diags))
    }

    /// The template file of a model, if loaded.
    pub fn template_file(&self, template: &str) -> Option<FileId> {
        self.files.get(template).copied()
    }

    /// Render an item's query. Errors become `TPL` diagnostics.
    pub fn item_to_kql(&self, item: &Item, sources: &mut SourceMap) -> Result<RenderedKql, Vec<Diagnostic>> {
        let info = item.model.info();
        let template_file = self.files.get(info.template).copied();
        let Some(template_file) = template_file else {
            return Err(vec![
                Diagnostic::new(
                    codes::TEMPLATE_ERROR,
                    format!("template `{}` of model `{}` not found", info.template, info.name),
                )
                .with_primary(item.file, TextRange::empty(0), "this item uses the model")
                .with_help(format!("create `templates/{}`", info.template)),
            ]);
        };
        let params = item.model.context(&item.params).map_err(|e| {
            vec![Diagnostic::new(
                codes::TEMPLATE_ERROR,
                format!("parameters of `{}` do not fit its struct: {e}", info.name),
            )]
        })?;
        let context = json!({
            "params": params,
            "item": { "id": item.id.value.0, "name": item.name.value, "kind": item.kind },
        });
        let undefined = undefined_params(item, template_file, sources);
        if !undefined.is_empty() {
            return Err(undefined);
        }
        let context = tera::Context::from_value(context).expect("context is an object");
        let text = self
            .tera
            .render(info.template, &context)
            .map_err(|err| vec![self.render_diagnostic(&err, template_file, sources, item)])?;
        if let Some(start) = text.find(POISON_START) {
            let rest = &text[start + POISON_START.len()..];
            let raw = rest.split(POISON_END).next().unwrap_or_default();
            let src = &sources.get(template_file).text;
            let range = find_print_of(src, raw);
            return Err(vec![
                Diagnostic::new(codes::UNESCAPED_VALUE, "value printed without a KQL escaping filter")
                    .with_primary(template_file, range, format!("prints `{raw}` as raw KQL"))
                    .with_secondary(item.file, item.id.range, "while rendering this item")
                    .with_help(
                        "pipe the value through kql_string, kql_list, kql_timespan, kql_int, kql_real or kql_bool",
                    ),
            ]);
        }
        // Built-in templates are tidied (Tera tags leave blank lines); a
        // custom query is the user's text, kept byte for byte.
        let text = if item.model.is_custom() { one_final_newline(&text) } else { tidy(&text) };
        let path = format!("{} (rendered {})", sources.get(item.file).path, info.template);
        let file = sources.add(path, text.clone());
        Ok(RenderedKql { file, text })
    }
}

impl Renderer {
    /// A render error, pointed at the filter that is unknown or failed (and
    /// at the parameter value it failed on), else as Tera reports it.
    fn render_diagnostic(&self, err: &tera::Error, template: FileId, sources: &SourceMap, item: &Item) -> Diagnostic {
        let mut d = template_diagnostic(err, template, sources, Some(item));
        let chain = error_chain(err);
        let text = &sources.get(template).text;
        let filter = quoted_after(&chain, "Filter call '").or_else(|| quoted_after(&chain, "Filter '"));
        if let Some(name) = filter {
            let uses = locate::filter_uses(text, &name);
            if chain.contains("not found") {
                if let Some((range, _)) = uses.first() {
                    d = d.with_primary(template, *range, format!("no filter `{name}`"));
                }
                d.message = format!("unknown filter `{name}`");
                d.help = Some(match locate::did_you_mean(&name, filters::NAMES.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the KQL filters are {}", filters::NAMES.join(", ")),
                });
            } else if let Some((range, param)) = self.failing_use(&name, &uses, item) {
                let label = d.primary.as_ref().map(|p| p.message.clone()).unwrap_or_default();
                d = d.with_primary(template, range, label);
                if let Some(param) = param
                    && let Some(value_range) = item.param_ranges.get(param.as_str())
                {
                    d = d.with_secondary(item.file, *value_range, format!("the value of `{param}`"));
                    d.help = Some(format!(
                        "give `{param}` a value that `{name}` accepts, or print it with a filter that takes it \
                         (`kql_timespan` takes any timespan)"
                    ));
                }
                d.message = format!("filter `{name}` failed");
            }
        }
        d
    }

    /// Which use of filter `name` fails for this item: each `params.X |
    /// name` is tried on the item's value of X; the first use otherwise.
    fn failing_use(&self, name: &str, uses: &[(TextRange, &str)], item: &Item) -> Option<(TextRange, Option<String>)> {
        let mut tera = self.tera.clone();
        for (range, input) in uses {
            let Some(param) =
                input.strip_prefix("params.").filter(|p| p.chars().all(|c| c.is_alphanumeric() || c == '_'))
            else {
                continue;
            };
            let Some(value) = item.params.values.get(param) else { continue };
            let mut context = tera::Context::new();
            context.insert("v", &value.to_json());
            if tera.render_str(&format!("{{{{ v | {name} }}}}"), &context).is_err() {
                return Some((*range, Some(param.to_string())));
            }
        }
        uses.first().map(|(range, _)| (*range, None))
    }
}

/// Every `params.X` the item's template reads that its model does not
/// declare, each with did-you-mean: all of them in one run, found before
/// rendering (Tera stops at the first).
fn undefined_params(item: &Item, template: FileId, sources: &SourceMap) -> Vec<Diagnostic> {
    let info = item.model.info();
    let known: Vec<&str> = info.params.iter().map(|p| p.name).collect();
    let text = &sources.get(template).text;
    let guarded = |name: &str| text.contains(&format!("params.{name} is defined"));
    locate::param_refs(text)
        .into_iter()
        .filter(|(name, _)| !known.contains(name) && !guarded(name))
        .map(|(name, range)| {
            let help = match locate::did_you_mean(name, known.iter().copied()) {
                Some(s) => format!("did you mean `params.{s}`?"),
                None if known.is_empty() => format!("model `{}` has no parameters", info.name),
                None => format!("parameters of `{}`: {}", info.name, known.join(", ")),
            };
            Diagnostic::new(codes::UNDEFINED_VARIABLE, format!("undefined variable `params.{name}`"))
                .with_primary(template, range, format!("not a parameter of `{}`", info.name))
                .with_secondary(item.file, item.id.range, "while rendering this item")
                .with_help(help)
        })
        .collect()
}

/// The text between `prefix` and the next `'` in `text`.
fn quoted_after(text: &str, prefix: &str) -> Option<String> {
    let rest = &text[text.find(prefix)? + prefix.len()..];
    Some(rest[..rest.find('\'')?].to_string())
}

/// Trailing whitespace removed from every line, blank lines at the ends
/// dropped, exactly one final newline: stable, diff-friendly output.
fn tidy(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let start = lines.iter().position(|l| !l.is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.is_empty()).map_or(start, |e| e + 1);
    let mut out = lines[start..end].join("\n");
    out.push('\n');
    out
}

/// The text with exactly one final newline (and nothing else changed).
fn one_final_newline(text: &str) -> String {
    let mut out = text.trim_end_matches(['\n', '\r']).to_string();
    out.push('\n');
    out
}

/// Best-effort location of the `{{ ... }}` that printed an unescaped value:
/// the first print tag without a `kql_` filter.
fn find_print_of(template: &str, _raw: &str) -> TextRange {
    let mut offset = 0;
    while let Some(open) = template[offset..].find("{{") {
        let open = offset + open;
        let Some(close) = template[open..].find("}}") else { break };
        let close = open + close + 2;
        let tag = &template[open..close];
        if !tag.contains("kql_") && !tag.contains("sentinel_placeholder") && !tag.contains("::") {
            return TextRange::new(open as u32, close as u32);
        }
        offset = close;
    }
    TextRange::empty(0)
}

/// Tera's message and every source below it, on one line.
fn error_chain(err: &tera::Error) -> String {
    let mut parts = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// A TPL diagnostic from a Tera error, located in the template when Tera
/// says where (`--> line:col` in parse errors, the variable name otherwise).
fn template_diagnostic(err: &tera::Error, file: FileId, sources: &SourceMap, item: Option<&Item>) -> Diagnostic {
    let chain = error_chain(err);
    let src = sources.get(file);
    let mut range = TextRange::empty(0);
    if let Some(pos) = chain.find("--> ") {
        let loc: String = chain[pos + 4..].chars().take_while(|c| c.is_ascii_digit() || *c == ':').collect();
        let mut it = loc.split(':').filter_map(|n| n.parse::<usize>().ok());
        if let (Some(line), Some(col)) = (it.next(), it.next()) {
            let offset: usize = src.text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
            let start = (offset + col.saturating_sub(1)).min(src.text.len());
            let end = src.text[start..].find(char::is_whitespace).map_or(src.text.len(), |e| start + e.max(1));
            range = TextRange::new(start as u32, end as u32);
        }
    }
    let undefined = chain.find("Variable `").and_then(|p| {
        let rest = &chain[p + "Variable `".len()..];
        rest.find('`').map(|e| rest[..e].to_string())
    });
    let (code, message, label) = match &undefined {
        Some(var) if chain.contains("not found in context") => {
            if let Some(at) = src.text.find(var.as_str()) {
                range = TextRange::new(at as u32, (at + var.len()) as u32);
            }
            (codes::UNDEFINED_VARIABLE, format!("undefined variable `{var}`"), "not in the render context".to_string())
        }
        _ => {
            // Tera's parse errors end with `= expected ...`; render errors
            // have the reason as the last element of the chain.
            let reason = chain.rsplit("= ").next().unwrap_or(&chain).trim();
            let reason = reason.rsplit(": ").next().unwrap_or(reason).trim().to_string();
            let message =
                if chain.contains("Failed to parse") { "template syntax error" } else { "template render error" };
            (codes::TEMPLATE_ERROR, message.to_string(), reason)
        }
    };
    let mut d = Diagnostic::new(code, message).with_primary(file, range, label).with_note(chain.replace('\n', " "));
    if let Some(item) = item {
        d = d.with_secondary(item.file, item.id.range, "while rendering this item");
        let names: Vec<String> = item.model.info().params.iter().map(|p| format!("params.{}", p.name)).collect();
        d = d.with_help(format!("variables available: {}, item.id, item.name, item.kind", names.join(", ")));
    } else {
        d = d.with_help("fix the template syntax at the marked position");
    }
    d
}
