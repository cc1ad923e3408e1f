//! `parse_xml`: XML text to a `dynamic` value by Kusto's documented rules —
//! an element with neither attributes nor children is its text (`null` when
//! empty), attributes are `@name` keys, text beside attributes or children
//! is `#text`, and repeated child names become an array. Only elements,
//! attributes and text are kept; invalid XML (or over 1 MB of text) is null.

use std::sync::Arc;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::engine::value::Value;

/// Longest text `parse_xml` reads (Kusto's limit); longer gives null.
const MAX_LEN: usize = 1 << 20;

/// Deepest nesting read; deeper documents give null rather than a deep recursion.
const MAX_DEPTH: usize = 1000;

struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<(String, Value)>,
    text: String,
}

impl Node {
    fn open(e: &BytesStart) -> Option<Node> {
        let name = String::from_utf8(e.name().as_ref().to_vec()).ok()?;
        let mut attrs = Vec::new();
        for a in e.attributes() {
            let a = a.ok()?;
            let key = String::from_utf8(a.key.as_ref().to_vec()).ok()?;
            let raw = std::str::from_utf8(&a.value).ok()?;
            let value = quick_xml::escape::unescape(raw).ok()?.into_owned();
            attrs.push((key, value));
        }
        Some(Node { name, attrs, children: Vec::new(), text: String::new() })
    }

    fn value(self) -> Value {
        let text = self.text.trim().to_string();
        if self.attrs.is_empty() && self.children.is_empty() {
            return if text.is_empty() { Value::Null } else { Value::string(text) };
        }
        let mut bag: Vec<(String, Value)> =
            self.attrs.into_iter().map(|(k, v)| (format!("@{k}"), Value::string(v))).collect();
        if !text.is_empty() {
            bag.push(("#text".into(), Value::string(text)));
        }
        for (k, v) in self.children {
            add(&mut bag, k, v);
        }
        Value::Bag(Arc::new(bag))
    }
}

/// Add a child: a second child of the same name turns the slot into an array.
fn add(bag: &mut Vec<(String, Value)>, key: String, v: Value) {
    match bag.iter_mut().find(|(k, _)| *k == key) {
        Some((_, Value::Array(items))) => Arc::make_mut(items).push(v),
        Some((_, slot)) => {
            let first = std::mem::replace(slot, Value::Null);
            *slot = Value::Array(Arc::new(vec![first, v]));
        }
        None => bag.push((key, v)),
    }
}

/// The value of XML `text`, or null when it is not well-formed XML.
pub fn parse_xml(text: &str) -> Value {
    if text.len() > MAX_LEN {
        return Value::Null;
    }
    convert(text).unwrap_or(Value::Null)
}

fn convert(text: &str) -> Option<Value> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<(String, Value)> = None;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) => {
                if root.is_some() || stack.len() >= MAX_DEPTH {
                    return None;
                }
                stack.push(Node::open(&e)?);
            }
            Event::Empty(e) => {
                let node = Node::open(&e)?;
                let name = node.name.clone();
                let v = node.value();
                match stack.last_mut() {
                    Some(parent) => add(&mut parent.children, name, v),
                    None if root.is_none() => root = Some((name, v)),
                    None => return None,
                }
            }
            Event::End(_) => {
                let node = stack.pop()?;
                let name = node.name.clone();
                let v = node.value();
                match stack.last_mut() {
                    Some(parent) => add(&mut parent.children, name, v),
                    None => root = Some((name, v)),
                }
            }
            Event::Text(t) => {
                let t = t.xml10_content().ok()?;
                match stack.last_mut() {
                    Some(node) => node.text.push_str(&t),
                    None if t.trim().is_empty() => {}
                    None => return None,
                }
            }
            Event::GeneralRef(r) => {
                let name = r.decode().ok()?;
                let ch = quick_xml::escape::unescape(&format!("&{name};")).ok()?.into_owned();
                stack.last_mut()?.text.push_str(&ch);
            }
            Event::CData(t) => {
                let t = String::from_utf8(t.into_inner().into_owned()).ok()?;
                stack.last_mut()?.text.push_str(&t);
            }
            Event::Eof => break,
            // declarations, comments, processing instructions, doctypes: skipped
            _ => {}
        }
    }
    if !stack.is_empty() {
        return None;
    }
    let (name, v) = root?;
    Some(Value::Bag(Arc::new(vec![(name, v)])))
}

#[cfg(test)]
mod tests {
    use super::parse_xml;

    fn json(text: &str) -> String {
        parse_xml(text).to_kusto_string()
    }

    #[test]
    fn follows_the_documented_conversion_table() {
        assert_eq!(json("<e/>"), r#"{"e":null}"#);
        assert_eq!(json("<e>text</e>"), r#"{"e":"text"}"#);
        assert_eq!(json(r#"<e name="value" />"#), r#"{"e":{"@name":"value"}}"#);
        assert_eq!(json(r#"<e name="value">text</e>"#), r##"{"e":{"@name":"value","#text":"text"}}"##);
        assert_eq!(json("<e> <a>text</a> <b>text</b> </e>"), r#"{"e":{"a":"text","b":"text"}}"#);
        assert_eq!(json("<e> <a>text</a> <a>text</a> </e>"), r#"{"e":{"a":["text","text"]}}"#);
        assert_eq!(json("<e> text <a>text</a> </e>"), r##"{"e":{"#text":"text","a":"text"}}"##);
    }

    #[test]
    fn declarations_and_entities_and_bad_xml() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<duration><value>118.0</value><!-- c --><min>&lt;1</min></duration>";
        assert_eq!(json(doc), r#"{"duration":{"value":"118.0","min":"<1"}}"#);
        assert!(parse_xml("<a><b></a>").is_null());
        assert!(parse_xml("not xml").is_null());
        assert!(parse_xml("<a/><b/>").is_null());
        assert!(parse_xml(&"<a>".repeat(5000)).is_null(), "deep nesting is null, not a stack overflow");
    }
}
