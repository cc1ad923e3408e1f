//! A small spanned YAML tree on top of the `saphyr-parser` event stream.
//!
//! serde_norway has no positions, so the linter builds its own tree: every
//! node keeps the byte range of its text, which becomes the diagnostic span.
//! The builder is iterative (no recursion), stops at a nesting depth and a node
//! count, never expands aliases (an alias is a leaf), and reports what a strict
//! loader (js-yaml `safeLoad`, which Sentinel CI uses) rejects: syntax errors,
//! duplicate keys, more than one document and non-core tags.

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::span::TextRange;

/// Bounds that keep hostile input cheap.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_depth: 64, max_nodes: 200_000 }
    }
}

/// One node and the bytes it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub range: TextRange,
    pub kind: Kind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// A scalar; `plain` is false for quoted and block scalars (always strings).
    Scalar {
        value: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
    /// `*anchor`, kept unexpanded.
    Alias,
}

/// What a strict loader rejects, with where.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    Syntax { range: TextRange, message: String },
    DuplicateKey { key: String, first: TextRange, second: TextRange },
    TooDeep { range: TextRange, limit: usize },
    TooManyNodes { range: TextRange, limit: usize },
    MultipleDocuments { range: TextRange },
    UnknownTag { range: TextRange, tag: String },
}

/// The tree (when the text parsed far enough to have one) and the problems.
#[derive(Debug, Default)]
pub struct Parsed {
    pub root: Option<Node>,
    pub problems: Vec<Problem>,
}

impl Node {
    /// The scalar text, for any scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True for a plain `null`, `~`, `Null`, `NULL` or an empty plain scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { value, plain: true } if matches!(value.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A non-null scalar's text.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() { None } else { self.as_str() }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The (key, value) pair for a scalar key, exact match; the first wins.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
    }

    /// The value of a scalar key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A short name of the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } if self.is_null() => "null",
            Kind::Scalar { .. } => "scalar",
            Kind::Seq(_) => "list",
            Kind::Map(_) => "mapping",
            Kind::Alias => "alias",
        }
    }
}

/// Character index (what saphyr's markers count) → byte offset.
struct Offsets {
    /// `None` for ASCII text, where both are equal.
    map: Option<Vec<u32>>,
    len: u32,
}

impl Offsets {
    fn new(text: &str) -> Self {
        let len = text.len() as u32;
        if text.is_ascii() {
            return Self { map: None, len };
        }
        let mut map: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
        map.push(len);
        Self { map: Some(map), len }
    }

    fn byte(&self, char_index: usize) -> u32 {
        match &self.map {
            None => (char_index as u32).min(self.len),
            Some(m) => m.get(char_index).copied().unwrap_or(self.len),
        }
    }

    fn range(&self, span: saphyr_parser::Span) -> TextRange {
        let start = self.byte(span.start.index());
        let end = self.byte(span.end.index()).max(start);
        TextRange::new(start, end)
    }
}

enum Frame {
    Seq { start: TextRange, items: Vec<Node> },
    Map { start: TextRange, entries: Vec<(Node, Node)>, key: Option<Node> },
}

fn check_tag(tag: Option<&saphyr_parser::Tag>, range: TextRange, problems: &mut Vec<Problem>) {
    if let Some(tag) = tag {
        const CORE: &[&str] = &[
            "str",
            "int",
            "float",
            "bool",
            "null",
            "map",
            "seq",
            "binary",
            "timestamp",
            "omap",
            "pairs",
            "set",
            "merge",
        ];
        let core = tag.handle == "tag:yaml.org,2002:" && CORE.contains(&tag.suffix.as_str());
        // A lone `!` forces a string in YAML and is accepted by js-yaml.
        let non_specific = tag.handle == "!" && tag.suffix.is_empty();
        if !core && !non_specific {
            problems.push(Problem::UnknownTag { range, tag: format!("{}{}", tag.handle, tag.suffix) });
        }
    }
}

/// Parse `text` into a spanned tree. Never panics; problems are collected.
pub fn parse(text: &str, limits: Limits) -> Parsed {
    let offsets = Offsets::new(text);
    let mut out = Parsed::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut nodes = 0usize;
    let mut documents = 0usize;

    for item in Parser::new_from_str(text) {
        let (event, span) = match item {
            Ok(ev) => ev,
            Err(err) => {
                let at = offsets.byte(err.marker().index());
                out.problems.push(Problem::Syntax { range: TextRange::new(at, at), message: err.info().to_string() });
                break;
            }
        };
        let range = offsets.range(span);
        let is_seq = matches!(event, Event::SequenceStart(..));
        let done: Option<Node> = match event {
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => None,
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    out.problems.push(Problem::MultipleDocuments { range });
                    break;
                }
                None
            }
            Event::Alias(_) => Some(Node { range, kind: Kind::Alias }),
            Event::Scalar(value, style, _, tag) => {
                check_tag(tag.as_deref(), range, &mut out.problems);
                Some(Node {
                    range,
                    kind: Kind::Scalar { value: value.into_owned(), plain: style == ScalarStyle::Plain },
                })
            }
            Event::SequenceStart(_, tag) | Event::MappingStart(_, tag) => {
                check_tag(tag.as_deref(), range, &mut out.problems);
                if stack.len() >= limits.max_depth {
                    out.problems.push(Problem::TooDeep { range, limit: limits.max_depth });
                    break;
                }
                stack.push(if is_seq {
                    Frame::Seq { start: range, items: Vec::new() }
                } else {
                    Frame::Map { start: range, entries: Vec::new(), key: None }
                });
                None
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq { start, items }) => {
                    let end = items.last().map_or(range.end, |n| n.range.end.max(start.end));
                    Some(Node { range: TextRange::new(start.start, end.max(start.start)), kind: Kind::Seq(items) })
                }
                Some(Frame::Map { start, entries, .. }) => {
                    let end = entries.last().map_or(range.end, |(_, v)| v.range.end.max(start.end));
                    Some(Node { range: TextRange::new(start.start, end.max(start.start)), kind: Kind::Map(entries) })
                }
                None => None,
            },
        };
        let Some(node) = done else { continue };
        nodes += 1;
        if nodes > limits.max_nodes {
            out.problems.push(Problem::TooManyNodes { range: node.range, limit: limits.max_nodes });
            break;
        }
        match stack.last_mut() {
            None => out.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => {
                    if let Some(name) = k.as_str()
                        && let Some((first, _)) = entries.iter().find(|(e, _)| e.as_str() == Some(name))
                    {
                        out.problems.push(Problem::DuplicateKey {
                            key: name.to_string(),
                            first: first.range,
                            second: k.range,
                        });
                    }
                    entries.push((k, node));
                }
            },
        }
    }
    // A syntax error leaves frames open: keep what was built so far for the
    // rules only when nothing went wrong (partial trees mislead rules).
    if !out.problems.iter().all(|p| matches!(p, Problem::DuplicateKey { .. } | Problem::UnknownTag { .. })) {
        out.root = None;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, r: TextRange) -> &str {
        &text[r.as_usize_range()]
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "id: abc\nname: 'x y'\ntactics:\n  - Execution\nquery: |\n  T\n  | take 1\n";
        let p = parse(text, Limits::default());
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        let root = p.root.unwrap();
        let (k, v) = root.entry("name").unwrap();
        assert_eq!(slice(text, k.range), "name");
        assert_eq!(v.as_str(), Some("x y"));
        assert!(slice(text, v.range).starts_with("'x y'"));
        let t = &root.get("tactics").unwrap().as_seq().unwrap()[0];
        assert_eq!(slice(text, t.range), "Execution");
        assert_eq!(root.get("query").unwrap().as_str(), Some("T\n| take 1\n"));
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "a: \u{e9}\u{e9}\nb: x\n";
        let p = parse(text, Limits::default());
        let root = p.root.unwrap();
        let (k, v) = root.entry("b").unwrap();
        assert_eq!(slice(text, k.range), "b");
        assert_eq!(slice(text, v.range), "x");
    }

    #[test]
    fn strict_problems() {
        let p = parse("a: 1\na: 2\n", Limits::default());
        assert!(matches!(p.problems[0], Problem::DuplicateKey { .. }));
        let p = parse("a: [1\n", Limits::default());
        assert!(matches!(p.problems[0], Problem::Syntax { .. }) && p.root.is_none());
        let p = parse("a: 1\n---\nb: 2\n", Limits::default());
        assert!(matches!(p.problems[0], Problem::MultipleDocuments { .. }));
        let deep = "[".repeat(10_000);
        let p = parse(&deep, Limits::default());
        assert!(matches!(p.problems[0], Problem::TooDeep { .. } | Problem::Syntax { .. }), "{:?}", p.problems);
        let p = parse("a: !!python/object x\n", Limits::default());
        assert!(matches!(p.problems[0], Problem::UnknownTag { .. }));
        let bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n";
        let p = parse(bomb, Limits::default());
        assert!(p.problems.is_empty());
    }
}
