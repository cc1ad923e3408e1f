//! SNT019: entityMappings limits and identifier rules.

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Node;
use crate::sentinel::entities;

use super::{at, for_kind};
use crate::sentinel::limits;

crate::lint_code! {
    /// What: `entityMappings` with 0 or more than 10 mappings; a mapping with
    /// 0 or more than 3 `fieldMappings`; an identifier that is not valid for
    /// the entity type, or repeated in one mapping; a `columnName` longer than
    /// 500 characters or not matching `^[a-zA-Z_]+\w*$`; or a mapping whose
    /// identifiers include none of the type's required combinations (e.g.
    /// Account needs FullName, Sid, Name, AadUserId, PUID or ObjectGuid;
    /// FileHash needs Algorithm and Value). Warning on hunting queries.
    ///
    /// Why: CI's `ValidEntityMappings` attribute;
    /// an entity without a required identifier is never created, so incidents
    /// lose their entities silently.
    ///
    /// Example: `entityType: Account` with only `identifier: UPNSuffix`.
    ///
    /// Fix: add a required identifier (`Name` or `FullName` for Account), and
    /// spell identifiers exactly as in `sentinel-forge explain SNT019`'s list.
    CODE = ("SNT019", "invalid-entity-mapping", Error);
}

pub struct InvalidEntityMapping;

impl Rule for InvalidEntityMapping {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(em) = doc.field(Field::EntityMappings) else { return };
        if em.is_null() {
            return;
        }
        let mut push = |d: Diagnostic| out.push(for_kind(d, doc));
        let Some(list) = em.as_seq() else {
            push(at(
                CODE,
                doc,
                em,
                format!("`entityMappings` is a {}, expected a list", em.type_name()),
                "expected a list",
            ));
            return;
        };
        if list.is_empty() || list.len() > 10 {
            push(at(CODE, doc, em, format!("{} entity mappings, expected 1..10", list.len()), "1 to 10 mappings"));
        }
        for m in list {
            let Some(ty_node) = m.get("entityType") else { continue };
            let ty_name = ty_node.as_text().unwrap_or("");
            let Some(fields) = m.get("fieldMappings") else { continue };
            let Some(fields) = fields.as_seq() else {
                push(at(CODE, doc, fields, "`fieldMappings` is not a list", "expected a list"));
                continue;
            };
            if fields.is_empty() || fields.len() > 3 {
                push(at(
                    CODE,
                    doc,
                    m.get("fieldMappings").unwrap_or(m),
                    format!("{} field mappings, expected 1..3", fields.len()),
                    "1 to 3 identifiers per entity",
                ));
            }
            // Unknown types are SNT013's; identifiers are checked against the exact type.
            let ty = entities::entity_type(ty_name);
            let mut used: Vec<&str> = Vec::new();
            for f in fields {
                if let Some(id_node) = f.get("identifier")
                    && let Some(id) = id_node.as_text()
                {
                    if used.contains(&id) {
                        push(at(
                            CODE,
                            doc,
                            id_node,
                            format!("identifier `{id}` repeated in one `{ty_name}` mapping"),
                            "repeated identifier",
                        ));
                    }
                    used.push(id);
                    if let Some(t) = ty
                        && !t.identifiers.contains(&id)
                    {
                        let hint = t.identifiers.iter().find(|x| x.eq_ignore_ascii_case(id));
                        push(
                            at(
                                CODE,
                                doc,
                                id_node,
                                format!("`{id}` is not an identifier of `{ty_name}`"),
                                "unknown identifier",
                            )
                            .with_help(match hint {
                                Some(h) => format!("write `{h}` (identifiers are case-sensitive)"),
                                None => format!("`{ty_name}` identifiers: {}", t.identifiers.join(", ")),
                            }),
                        );
                    }
                }
                if let Some(col) = f.get("columnName").and_then(|c| c.as_text().map(|t| (t, c))) {
                    let (text, node): (&str, &Node) = col;
                    if !limits::is_column_name(text) {
                        push(at(
                            CODE,
                            doc,
                            node,
                            format!("`columnName` `{text}` is not a column name"),
                            "expected `^[a-zA-Z_]+\\w*$`",
                        ));
                    }
                }
            }
            if let Some(t) = ty
                && !fields.is_empty()
                && !t.has_required(&used)
            {
                let combos: Vec<String> = t.required.iter().map(|c| c.join(" + ")).collect();
                push(
                    at(
                        CODE,
                        doc,
                        ty_node,
                        format!("`{ty_name}` mapping has none of its required identifiers"),
                        "entity would never be created",
                    )
                    .with_help(format!("map at least one of: {}", combos.join(", "))),
                );
            }
        }
    }
}
