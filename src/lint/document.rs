//! Sentinel documents found in a file, classified by content (not folder).
//!
//! A YAML file holds at most one document (an analytic rule or a hunting
//! query). An ARM template holds any number: every `alertRules` /
//! `AlertRuleTemplates` resource and every hunting `savedSearches` resource,
//! also inside solution `contentTemplates` / `templateSpecs` wrappers. Rules
//! read fields through [`Doc::field`], which maps YAML names to ARM names.

use crate::source::FileId;
use crate::span::TextRange;

use super::yaml::Node;

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// `kind: Scheduled` (any case), or scheduling keys without a `kind`.
    Scheduled,
    /// `kind: NRT` (any case).
    Nrt,
    /// A `kind` that is neither (SNT004 reports it; rules treat it as Scheduled).
    OtherRule,
    /// A hunting query (YAML without `kind`, or a `Hunting Queries` savedSearch).
    Hunting,
}

impl DocKind {
    pub fn is_rule(self) -> bool {
        !matches!(self, DocKind::Hunting)
    }

    pub fn label(self) -> &'static str {
        match self {
            DocKind::Scheduled => "scheduled rule",
            DocKind::Nrt => "NRT rule",
            DocKind::OtherRule => "analytic rule",
            DocKind::Hunting => "hunting query",
        }
    }
}

/// Where the document came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
    /// ARM: `root` is the resource's `properties` object.
    Arm,
}

/// Logical fields, named as in the repository YAML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Id,
    Name,
    Description,
    Severity,
    Query,
    QueryFrequency,
    QueryPeriod,
    TriggerOperator,
    TriggerThreshold,
    Tactics,
    RelevantTechniques,
    RequiredDataConnectors,
    EntityMappings,
    CustomDetails,
    AlertDetailsOverride,
    EventGroupingSettings,
    Version,
    Kind,
    SuppressionDuration,
    SuppressionEnabled,
}

impl Field {
    /// The key in repository YAML.
    pub fn yaml_key(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Description => "description",
            Field::Severity => "severity",
            Field::Query => "query",
            Field::QueryFrequency => "queryFrequency",
            Field::QueryPeriod => "queryPeriod",
            Field::TriggerOperator => "triggerOperator",
            Field::TriggerThreshold => "triggerThreshold",
            Field::Tactics => "tactics",
            Field::RelevantTechniques => "relevantTechniques",
            Field::RequiredDataConnectors => "requiredDataConnectors",
            Field::EntityMappings => "entityMappings",
            Field::CustomDetails => "customDetails",
            Field::AlertDetailsOverride => "alertDetailsOverride",
            Field::EventGroupingSettings => "eventGroupingSettings",
            Field::Version => "version",
            Field::Kind => "kind",
            Field::SuppressionDuration => "suppressionDuration",
            Field::SuppressionEnabled => "suppressionEnabled",
        }
    }

    /// The key in an ARM resource's `properties`, when there is one.
    pub fn arm_key(self) -> Option<&'static str> {
        Some(match self {
            Field::Id | Field::Kind => return None,
            Field::Name => "displayName",
            Field::RelevantTechniques => "techniques",
            Field::Version => "templateVersion",
            other => other.yaml_key(),
        })
    }
}

/// The previous revision of a document (`--base`).
#[derive(Clone, Debug, Default)]
pub struct BaseDoc {
    pub id: Option<String>,
    pub version: Option<String>,
    pub query: Option<String>,
}

/// One Sentinel document inside one file.
pub struct Doc<'a> {
    pub file: FileId,
    /// Display path of the file.
    pub path: &'a str,
    /// The whole file text.
    pub text: &'a str,
    pub kind: DocKind,
    pub format: Format,
    /// YAML: the document root. ARM: the resource's `properties`.
    pub root: &'a Node,
    /// ARM: the resource object (for `kind`, `name`, `type`).
    pub resource: Option<&'a Node>,
    /// The same document at `--base REV`, when asked for and present there.
    pub base: Option<BaseDoc>,
    /// The table catalog the query is checked against.
    pub catalog: &'a crate::check::Catalog,
    /// The semantic checker's result for the query, computed on first use.
    pub semantics: std::cell::OnceCell<Option<crate::check::CheckResult>>,
}

impl<'a> Doc<'a> {
    /// What the semantic checker finds in the query: `None` without a query
    /// or when it has syntax errors (the output of a broken query is not known).
    pub fn semantics(&self) -> Option<&crate::check::CheckResult> {
        self.semantics
            .get_or_init(|| {
                let (query, _) = self.text_field(Field::Query)?;
                let parsed = crate::kql::parse(query);
                if parsed.has_errors() {
                    return None;
                }
                Some(crate::check::check(&parsed.query, self.catalog))
            })
            .as_ref()
    }

    /// The (key, value) of a logical field.
    pub fn entry(&self, field: Field) -> Option<(&'a Node, &'a Node)> {
        match self.format {
            Format::Yaml => self.root.entry(field.yaml_key()),
            Format::Arm => match field {
                Field::Kind => self.resource?.entry("kind"),
                Field::Id => self.resource?.entry("name"),
                f => self.root.entry(f.arm_key()?),
            },
        }
    }

    pub fn field(&self, field: Field) -> Option<&'a Node> {
        self.entry(field).map(|(_, v)| v)
    }

    /// A non-null scalar field's text and node.
    pub fn text_field(&self, field: Field) -> Option<(&'a str, &'a Node)> {
        let v = self.field(field)?;
        Some((v.as_text()?, v))
    }

    /// The document's id text (ARM: the GUID inside the resource name) and its node.
    pub fn id(&self) -> Option<(String, &'a Node)> {
        let (text, node) = self.text_field(Field::Id)?;
        match self.format {
            Format::Yaml => Some((text.to_string(), node)),
            Format::Arm => last_guid(text).map(|g| (g.to_string(), node)),
        }
    }

    /// The span of the whole document, for problems without a better place.
    pub fn range(&self) -> TextRange {
        self.resource.unwrap_or(self.root).range
    }

    /// A span for "this key is missing": the first key of the mapping.
    pub fn missing_range(&self) -> TextRange {
        let map = self.resource.unwrap_or(self.root);
        map.as_map().and_then(|m| m.first()).map_or(TextRange::empty(map.range.start), |(k, _)| k.range)
    }

    pub fn is_yaml(&self) -> bool {
        self.format == Format::Yaml
    }
}

/// The last 8-4-4-4-12 hex group in `s` (ARM names embed the rule GUID).
pub fn last_guid(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if b.len() < 36 {
        return None;
    }
    // `get` skips windows that do not start and end on char boundaries (found by fuzzing).
    (0..=b.len() - 36).rev().filter_map(|i| s.get(i..i + 36)).find(|c| is_guid_8_4_4_4_12(c))
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex digits of any case.
pub fn is_guid_8_4_4_4_12(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

/// Classify a YAML root as a Sentinel document, or `None` when it is not one.
pub fn classify_yaml(root: &Node) -> Option<DocKind> {
    root.as_map()?;
    let query = root.get("query")?;
    query.as_str()?;
    if let Some(kind) = root.get("kind") {
        let k = kind.as_str().unwrap_or("");
        return Some(if k.eq_ignore_ascii_case("scheduled") {
            DocKind::Scheduled
        } else if k.eq_ignore_ascii_case("nrt") {
            DocKind::Nrt
        } else {
            DocKind::OtherRule
        });
    }
    // `severity` alone does not make a rule: some hunting queries carry one.
    let scheduling = ["queryFrequency", "queryPeriod", "triggerOperator", "triggerThreshold"];
    if scheduling.iter().any(|k| root.get(k).is_some()) {
        return Some(DocKind::Scheduled);
    }
    // Exploration queries and other formats also have a `query`; a hunting
    // query has the repository's lower-case metadata keys.
    let hunting_keys = ["id", "name", "description", "tactics", "relevantTechniques", "requiredDataConnectors"];
    hunting_keys.iter().any(|k| root.get(k).is_some()).then_some(DocKind::Hunting)
}

/// True for a JSON/YAML root that looks like an ARM deployment template.
pub fn is_arm_template(root: &Node) -> bool {
    let Some(resources) = root.get("resources") else { return false };
    resources.as_seq().is_some()
        && (root.get("$schema").and_then(Node::as_str).is_some_and(|s| s.contains("eploymentTemplate"))
            || root.get("contentVersion").is_some())
}

/// ARM resources that are Sentinel documents: (resource, properties, kind).
pub fn arm_documents(root: &Node) -> Vec<(&Node, &Node, DocKind)> {
    let mut out = Vec::new();
    // Explicit stack of resource lists; wrappers nest at most a few levels,
    // the bound keeps hostile input cheap.
    let mut lists: Vec<(&Node, usize)> = vec![(root, 0)];
    while let Some((holder, depth)) = lists.pop() {
        if depth > 8 {
            continue;
        }
        let Some(resources) = holder.get("resources").and_then(Node::as_seq) else { continue };
        for res in resources {
            let Some(props) = res.get("properties") else { continue };
            if let Some(main) = props.get("mainTemplate") {
                lists.push((main, depth + 1));
            }
            if res.get("resources").is_some() {
                lists.push((res, depth + 1));
            }
            let ty = res.get("type").and_then(Node::as_str).unwrap_or("").to_ascii_lowercase();
            if props.as_map().is_none() {
                continue;
            }
            if ty.ends_with("/alertrules") || ty.ends_with("/alertruletemplates") {
                let k = res.get("kind").and_then(Node::as_str).unwrap_or("");
                let kind = if k.eq_ignore_ascii_case("scheduled") {
                    DocKind::Scheduled
                } else if k.eq_ignore_ascii_case("nrt") {
                    DocKind::Nrt
                } else {
                    // Fusion, MLBehaviorAnalytics, ... have no query to lint.
                    continue;
                };
                out.push((res, props, kind));
            } else if ty.ends_with("/savedsearches") {
                let cat = props.get("category").and_then(Node::as_str).unwrap_or("");
                if cat.to_ascii_lowercase().contains("hunting") {
                    out.push((res, props, DocKind::Hunting));
                }
            }
        }
    }
    out.sort_by_key(|(r, _, _)| r.range.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_guid_handles_non_ascii_names() {
        let name = "[concat(parameters('w'),'/\u{fffd}\u{fffd}/0b5a1c2e-93f4-4e0b-9d0a-2b3c4d5e6f70')]";
        assert_eq!(last_guid(name), Some("0b5a1c2e-93f4-4e0b-9d0a-2b3c4d5e6f70"));
        let garbage: String = std::iter::repeat_n('\u{fffd}', 40).collect();
        assert_eq!(last_guid(&garbage), None);
    }
}
