//! A structural validator for the subset of XML Schema that the Jenkins
//! xUnit JUnit schema (`tests/schemas/junit/junit-10.xsd`) is written in:
//! global elements referenced by `ref`, content models of `sequence` /
//! `choice`, named complex types, attributes (declared, `use="required"`)
//! and a pattern-restricted simple type. What it checks: every element is
//! declared, is allowed where it appears, carries every required attribute
//! and no undeclared one, and pattern-typed attribute values match. What
//! it does not: order and occurrence counts inside sequences (the schema's
//! content models are unbounded choices, except `testsuites`, whose
//! sequence holds only `testsuite`).

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A parsed XML element.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn descendants<'a>(&'a self, out: &mut Vec<&'a Node>) {
        for c in &self.children {
            out.push(c);
            c.descendants(out);
        }
    }
}

fn start(e: &BytesStart<'_>) -> Node {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let attrs = e
        .attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (String::from_utf8_lossy(a.key.as_ref()).into_owned(), String::from_utf8_lossy(&a.value).into_owned())
        })
        .collect();
    Node { name, attrs, children: Vec::new() }
}

fn parse(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().map_err(|e| format!("not well-formed XML: {e}"))? {
            Event::Start(e) => stack.push(start(&e)),
            Event::Empty(e) => {
                let node = start(&e);
                stack.last_mut().expect("document node").children.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().expect("balanced");
                stack.last_mut().ok_or("unbalanced end tag")?.children.push(node);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().ok_or("empty document")?;
    if !stack.is_empty() || doc.children.len() != 1 {
        return Err("expected exactly one root element".into());
    }
    Ok(doc.children.remove(0))
}

#[derive(Debug, Default)]
struct ElementDecl {
    /// (name, required, type)
    attrs: Vec<(String, bool, Option<String>)>,
    children: Vec<String>,
}

/// The declarations of a schema file.
pub struct Schema {
    elements: BTreeMap<String, ElementDecl>,
    patterns: BTreeMap<String, regex::Regex>,
}

fn strip(name: &str) -> &str {
    name.strip_prefix("xs:").unwrap_or(name)
}

impl Schema {
    pub fn read(xsd: &str) -> Schema {
        let root = parse(xsd).expect("the schema is XML");
        let mut patterns = BTreeMap::new();
        let mut types: BTreeMap<String, &Node> = BTreeMap::new();
        for n in &root.children {
            match (strip(&n.name), n.attr("name")) {
                ("simpleType", Some(name)) => {
                    let mut all = Vec::new();
                    n.descendants(&mut all);
                    if let Some(p) = all.iter().find(|d| strip(&d.name) == "pattern").and_then(|p| p.attr("value")) {
                        patterns.insert(name.to_string(), regex::Regex::new(&format!("^(?:{p})$")).expect("pattern"));
                    }
                }
                ("complexType", Some(name)) => {
                    types.insert(name.to_string(), n);
                }
                _ => {}
            }
        }
        let mut elements = BTreeMap::new();
        let declare = |name: &str, complex: Option<&Node>, elements: &mut BTreeMap<String, ElementDecl>| {
            let mut decl = ElementDecl::default();
            if let Some(ct) = complex {
                let mut all = Vec::new();
                ct.descendants(&mut all);
                for d in all {
                    match strip(&d.name) {
                        "attribute" => decl.attrs.push((
                            d.attr("name").expect("named attribute").to_string(),
                            d.attr("use") == Some("required"),
                            d.attr("type").map(str::to_string),
                        )),
                        "element" => {
                            let child = d.attr("ref").or(d.attr("name")).expect("element ref or name");
                            decl.children.push(child.to_string());
                        }
                        _ => {}
                    }
                }
            }
            elements.insert(name.to_string(), decl);
        };
        for n in &root.children {
            if strip(&n.name) != "element" {
                continue;
            }
            let name = n.attr("name").expect("global elements are named");
            let inline = n.children.iter().find(|c| strip(&c.name) == "complexType");
            let named = n.attr("type").and_then(|t| types.get(t).copied());
            declare(name, inline.or(named), &mut elements);
            // Inline child elements of named types (`stackTrace` in rerunType) are text-only.
            for ct in inline.into_iter().chain(named) {
                let mut all = Vec::new();
                ct.descendants(&mut all);
                for d in all.iter().filter(|d| strip(&d.name) == "element") {
                    if let Some(inner) = d.attr("name")
                        && !elements.contains_key(inner)
                    {
                        declare(inner, None, &mut elements);
                    }
                }
            }
        }
        Schema { elements, patterns }
    }

    /// `Ok` when `xml` is valid; else the first problem, naming the element.
    pub fn validate(&self, xml: &str) -> Result<(), String> {
        let root = parse(xml)?;
        self.check(&root, "/")
    }

    fn check(&self, node: &Node, path: &str) -> Result<(), String> {
        let here = format!("{path}{}", node.name);
        let Some(decl) = self.elements.get(&node.name) else {
            return Err(format!("{here}: <{}> is not declared", node.name));
        };
        for (name, value) in &node.attrs {
            let Some((_, _, ty)) = decl.attrs.iter().find(|(a, _, _)| a == name) else {
                return Err(format!("{here}: attribute `{name}` is not declared"));
            };
            if let Some(re) = ty.as_deref().and_then(|t| self.patterns.get(t))
                && !re.is_match(value)
            {
                return Err(format!(
                    "{here}: `{name}` = {value:?} does not match {}",
                    ty.as_deref().unwrap_or_default()
                ));
            }
        }
        for (name, required, _) in &decl.attrs {
            if *required && node.attr(name).is_none() {
                return Err(format!("{here}: required attribute `{name}` is missing"));
            }
        }
        for child in &node.children {
            if !decl.children.contains(&child.name) {
                return Err(format!("{here}: <{}> is not allowed here", child.name));
            }
            self.check(child, &format!("{here}/"))?;
        }
        Ok(())
    }
}
