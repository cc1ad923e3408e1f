//! The documents `import` reads: Sentinel repository YAML, ARM exports of
//! `alertRules` and `savedSearches` (a resource, a list response, or a
//! template), and solution `mainTemplate.json` packages (rules and hunting
//! queries inside `contentTemplates`).

use serde_json::{Map, Value};

use super::arm_expr::{Scope, resolve};
use super::read::{Dialect, Fields, kind_of, read_rule};
use super::rule::{ImportProblem, ImportedRule, find_guid};
use crate::content::item::Kind;

/// One rule or hunting query found in a file: where in the file, and what
/// came of reading it.
#[derive(Debug)]
pub struct Found {
    /// Empty for a one-document file; the resource name inside templates.
    pub label: String,
    pub result: Result<ImportedRule, ImportProblem>,
}

/// Read every document of a file; `.json` files are ARM, others YAML.
pub fn read_file_text(path: &str, text: &str) -> Vec<Found> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if path.to_ascii_lowercase().ends_with(".json") {
        from_arm_text(text)
    } else {
        vec![Found { label: String::new(), result: from_yaml_text(text) }]
    }
}

/// A Sentinel analytic rule or hunting query in the Azure-Sentinel YAML format.
pub fn from_yaml_text(text: &str) -> Result<ImportedRule, ImportProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // libyaml (under serde_norway) slows down badly on deeply nested flow
    // collections; the linter's bounded, iterative front end turns those
    // away first, cheaply.
    let screened = crate::lint::yaml::parse(text, crate::lint::yaml::Limits::default());
    let line_of = |at: u32| text[..(at as usize).min(text.len())].matches('\n').count() + 1;
    if let Some(p) = screened.problems.iter().find_map(|p| match p {
        crate::lint::yaml::Problem::TooDeep { limit, .. } => Some(format!("nested deeper than {limit} levels")),
        crate::lint::yaml::Problem::TooManyNodes { limit, .. } => Some(format!("more than {limit} nodes")),
        crate::lint::yaml::Problem::Syntax { range, message } => {
            Some(format!("{message} (line {})", line_of(range.start)))
        }
        _ => None,
    }) {
        return Err(ImportProblem::Unreadable(format!("YAML: {p}")));
    }
    let value: Value = serde_norway::from_str(text).map_err(|e| ImportProblem::Unreadable(format!("YAML: {e}")))?;
    let Value::Object(map) = &value else {
        return Err(ImportProblem::NotSentinelContent("the document is not a mapping".into()));
    };
    if let Some(why) = foreign_format(map) {
        return Err(ImportProblem::NotSentinelContent(why.into()));
    }
    let f = Fields::new(map);
    let rule = read_rule(&f, Dialect::Yaml, None)?;
    f.finish("")?;
    Ok(rule)
}

/// Formats that look like rules but are not Sentinel's.
fn foreign_format(map: &Map<String, Value>) -> Option<&'static str> {
    let has = |k: &str| map.contains_key(k);
    if has("queryCondition") || has("detectionAction") {
        Some("a Microsoft Defender XDR custom detection")
    } else if has("InputEntityType") || has("OutputEntityTypes") {
        Some("an exploration query")
    } else if has("DisplayName") && has("Query") {
        Some("a PascalCase deployment file, not the Azure-Sentinel YAML format")
    } else if has("functionAlias") || has("FunctionAlias") {
        Some("a parser (workspace function)")
    } else if !has("query") {
        Some("it has no `query`")
    } else {
        None
    }
}

/// An ARM document: a template (`resources`), a list response (`value`),
/// or a single resource.
pub fn from_arm_text(text: &str) -> Vec<Found> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return vec![Found { label: String::new(), result: Err(ImportProblem::Unreadable(format!("JSON: {e}"))) }];
        }
    };
    let mut found = from_arm_value(&value);
    if found.is_empty() {
        found.push(Found {
            label: String::new(),
            result: Err(ImportProblem::NotSentinelContent("no alertRules, AlertRuleTemplates or savedSearches".into())),
        });
    }
    found
}

/// The rules and hunting queries in an ARM document already parsed (a
/// template, a list response or a resource); none when it holds none.
pub fn from_arm_value(value: &Value) -> Vec<Found> {
    let mut found = Vec::new();
    walk(value, &Scope::default(), &mut found, 0);
    found
}

/// Collect rules from a template, list or resource, descending into
/// `contentTemplates` and nested deployments with their own variables.
fn walk<'a>(value: &'a Value, scope: &Scope<'a>, out: &mut Vec<Found>, depth: usize) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| walk(v, scope, out, depth + 1)),
        Value::Object(map) => {
            if let Some(list) = map.get("value").filter(|v| v.is_array()) {
                return walk(list, scope, out, depth + 1);
            }
            if let Some(resources) = map.get("resources") {
                // A template: its variables and parameters name its resources.
                return walk(resources, &scope.nested(map), out, depth + 1);
            }
            let Some(ty) = map.get("type").and_then(Value::as_str) else { return };
            let props = map.get("properties").and_then(Value::as_object);
            let ty_lower = ty.to_ascii_lowercase();
            if let Some(p) = props {
                // Solution packages: the rule is inside the content template.
                if let Some(main) = p.get("mainTemplate") {
                    let mut inner = scope.clone();
                    inner.content_id = p
                        .get("contentId")
                        .and_then(Value::as_str)
                        .and_then(|c| resolve(c, scope))
                        .and_then(|c| find_guid(&c));
                    return walk(main, &inner, out, depth + 1);
                }
                // Nested deployments: `properties.template`.
                if ty_lower == "microsoft.resources/deployments"
                    && let Some(t) = p.get("template")
                {
                    return walk(t, scope, out, depth + 1);
                }
            }
            let raw_name = map.get("name").and_then(Value::as_str).unwrap_or_default();
            let name = resolve(raw_name, scope).unwrap_or_else(|| raw_name.to_string());
            let label = label_of(&name);
            let result = if ty_lower.ends_with("/alertrules") || ty_lower.ends_with("/alertruletemplates") {
                alert_rule(map, &name, scope)
            } else if ty_lower.ends_with("/savedsearches") {
                match saved_search(props, &name, scope) {
                    Some(r) => r,
                    None => return, // a function or other saved search, not a hunting query
                }
            } else {
                return;
            };
            out.push(Found { label, result });
        }
        _ => {}
    }
}

/// A short name for messages: the resource name's last segment, also when
/// it is an expression that could not be resolved.
fn label_of(name: &str) -> String {
    if let Some(g) = find_guid(name) {
        return g;
    }
    let plain: String = name.chars().filter(|c| !"[]()'".contains(*c)).collect();
    plain.rsplit(['/', ',']).find(|s| !s.trim().is_empty()).unwrap_or(&plain).trim().to_string()
}

/// The content id: the GUID in the resource name, else the solution's `contentId`.
fn id_of(name: &str, scope: &Scope<'_>) -> Result<String, ImportProblem> {
    find_guid(name).or_else(|| scope.content_id.clone()).ok_or_else(|| ImportProblem::BadValue {
        field: "name".into(),
        why: format!("`{name}` holds no GUID to use as the content id"),
    })
}

fn alert_rule(resource: &Map<String, Value>, name: &str, scope: &Scope<'_>) -> Result<ImportedRule, ImportProblem> {
    let kind_text = resource.get("kind").and_then(Value::as_str).unwrap_or_default();
    let Some(kind) = kind_of(kind_text) else {
        return Err(ImportProblem::NotSentinelContent(format!(
            "a `{kind_text}` rule; only Scheduled and NRT are content"
        )));
    };
    let props = resource.get("properties").and_then(Value::as_object).ok_or(ImportProblem::Missing("properties"))?;
    let f = Fields::new(props);
    // Read-only, or about the workspace rather than the rule.
    f.ignore(&["lastModifiedUtc", "alertRuleTemplateName", "status", "createdDateUTC", "lastUpdatedDateUTC", "etag"]);
    let mut rule = read_rule(&f, Dialect::Arm, Some(kind))?;
    // `version` appears in templates (`templateVersion` in rules).
    if rule.version.is_none() {
        rule.version = f.str("version")?;
    }
    f.finish("properties")?;
    rule.id = id_of(name, scope)?;
    Ok(rule)
}

/// A hunting query saved search; `None` for saved searches of other
/// categories (functions, parsers, queries of other solutions).
fn saved_search(
    props: Option<&Map<String, Value>>,
    name: &str,
    scope: &Scope<'_>,
) -> Option<Result<ImportedRule, ImportProblem>> {
    let props = props?;
    let category = props.get("category").and_then(Value::as_str).unwrap_or_default();
    if !category.eq_ignore_ascii_case("Hunting Queries") {
        return None;
    }
    Some(read_saved_search(props, name, scope))
}

fn read_saved_search(props: &Map<String, Value>, name: &str, scope: &Scope<'_>) -> Result<ImportedRule, ImportProblem> {
    let f = Fields::new(props);
    f.ignore(&["category", "version", "etag", "eTag"]);
    let mut rule = ImportedRule {
        kind: Some(Kind::Hunting),
        name: f.required_str("displayName")?,
        query: f.required_str("query")?,
        ..ImportedRule::default()
    };
    for tag in f.array("tags")? {
        let name = tag.get("name").and_then(Value::as_str).unwrap_or_default();
        let value = tag.get("value").and_then(Value::as_str).unwrap_or_default();
        let list = || value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
        match name {
            "description" => rule.description = value.to_string(),
            "tactics" => rule.tactics = list(),
            "techniques" | "relevantTechniques" => rule.techniques = list(),
            // Written by `deploy` to know what it owns; not content.
            n if n == crate::deploy::ownership::MANAGED_TAG => {}
            other => return Err(ImportProblem::Unsupported(format!("tags.{other}"))),
        }
    }
    f.finish("properties")?;
    rule.id = id_of(name, scope)?;
    Ok(rule)
}
