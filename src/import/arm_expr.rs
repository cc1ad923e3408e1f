//! Just enough of the ARM template expression language to resolve the
//! names of packaged rules: `[variables('x').y]`, `[parameters('x')]` (its
//! default), `[concat(...)]` and string literals. Anything else stays
//! unresolved; the caller then looks for a GUID in the raw text.

use serde_json::{Map, Value};

/// How deep expressions may nest, variables included.
const MAX_DEPTH: usize = 16;

/// Variables and parameter defaults of the templates a resource sits in,
/// innermost first (ARM evaluates a nested `mainTemplate` in its outer
/// template's scope, so outer names stay visible).
#[derive(Default, Clone)]
pub struct Scope<'a> {
    pub variables: Vec<&'a Map<String, Value>>,
    pub parameters: Vec<&'a Map<String, Value>>,
    /// The `contentId` of the solution content template being read: the
    /// id of a packaged item whose own name holds none.
    pub content_id: Option<String>,
}

impl<'a> Scope<'a> {
    /// The scope of a template nested in this one.
    pub fn nested(&self, template: &'a Map<String, Value>) -> Scope<'a> {
        let mut inner = self.clone();
        if let Some(v) = template.get("variables").and_then(Value::as_object) {
            inner.variables.insert(0, v);
        }
        if let Some(p) = template.get("parameters").and_then(Value::as_object) {
            inner.parameters.insert(0, p);
        }
        inner
    }

    fn variable(&self, name: &str) -> Option<&'a Value> {
        self.variables.iter().find_map(|m| m.get(name))
    }

    fn parameter_default(&self, name: &str) -> Option<&'a Value> {
        self.parameters.iter().find_map(|m| m.get(name).and_then(|p| p.get("defaultValue")))
    }
}

/// The string value of `text`: itself when it is not an expression, the
/// evaluated expression when it is one we understand.
pub fn resolve(text: &str, scope: &Scope<'_>) -> Option<String> {
    resolve_at(text, scope, 0)
}

/// Expressions nest (in a text, and through variables that are themselves
/// expressions, possibly cyclic): `depth` bounds both.
fn resolve_at(text: &str, scope: &Scope<'_>, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
        return Some(text.to_string());
    };
    if inner.starts_with('[') {
        // `[[` escapes a literal leading bracket.
        return Some(text[1..].to_string());
    }
    let mut p = Parser { s: inner.as_bytes(), at: 0, scope };
    let v = p.expr(depth)?;
    p.skip_ws();
    (p.at == p.s.len()).then_some(())?;
    match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

struct Parser<'s, 'a> {
    s: &'s [u8],
    at: usize,
    scope: &'s Scope<'a>,
}

impl Parser<'_, '_> {
    fn skip_ws(&mut self) {
        while self.s.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expr(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let mut value =
            if self.s.get(self.at) == Some(&b'\'') { Value::String(self.literal()?) } else { self.call(depth)? };
        // Property access: `.name` or `['name']`.
        loop {
            if self.eat(b'.') {
                let start = self.at;
                while self.s.get(self.at).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    self.at += 1;
                }
                let key = std::str::from_utf8(&self.s[start..self.at]).ok()?;
                value = value.get(key)?.clone();
            } else if self.eat(b'[') {
                let key = self.literal()?;
                self.eat(b']').then_some(())?;
                value = value.get(&key)?.clone();
            } else {
                return Some(value);
            }
        }
    }

    /// `'text'` with `''` for a quote.
    fn literal(&mut self) -> Option<String> {
        self.skip_ws();
        (self.s.get(self.at) == Some(&b'\'')).then_some(())?;
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.at)? {
                b'\'' if self.s.get(self.at + 1) == Some(&b'\'') => {
                    out.push(b'\'');
                    self.at += 2;
                }
                b'\'' => {
                    self.at += 1;
                    return String::from_utf8(out).ok();
                }
                c => {
                    out.push(*c);
                    self.at += 1;
                }
            }
        }
    }

    fn call(&mut self, depth: usize) -> Option<Value> {
        let start = self.at;
        while self.s.get(self.at).is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.at += 1;
        }
        let name = std::str::from_utf8(&self.s[start..self.at]).ok()?.to_ascii_lowercase();
        self.eat(b'(').then_some(())?;
        let mut args = Vec::new();
        if !self.eat(b')') {
            loop {
                args.push(self.expr(depth + 1)?);
                if self.eat(b')') {
                    break;
                }
                self.eat(b',').then_some(())?;
            }
        }
        let key = |i: usize| args.get(i).and_then(Value::as_str);
        match name.as_str() {
            "variables" => {
                let v = self.scope.variable(key(0)?)?;
                // A variable may itself be an expression.
                match v {
                    Value::String(s) if s.starts_with('[') => resolve_at(s, self.scope, depth + 1).map(Value::String),
                    other => Some(other.clone()),
                }
            }
            "parameters" => self.scope.parameter_default(key(0)?).cloned(),
            "concat" => {
                let mut out = String::new();
                for a in &args {
                    match a {
                        Value::String(s) => out.push_str(s),
                        Value::Number(n) => out.push_str(&n.to_string()),
                        _ => return None,
                    }
                }
                Some(Value::String(out))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolves_the_forms_solution_packages_use() {
        let vars = json!({
            "ruleObject1": {"_contentId1": "6a150fa1-b1cc-4a21-8d95-6433846ca167"},
            "prefix": "[concat('sentinel-', 'rule')]",
        });
        let params = json!({"workspace": {"type": "string", "defaultValue": "ws1"}});
        let scope = Scope {
            variables: vec![vars.as_object().unwrap()],
            parameters: vec![params.as_object().unwrap()],
            content_id: None,
        };
        assert_eq!(
            resolve("[variables('ruleObject1')._contentId1]", &scope).as_deref(),
            Some("6a150fa1-b1cc-4a21-8d95-6433846ca167")
        );
        assert_eq!(
            resolve("[concat(parameters('workspace'), '/', variables('ruleObject1')['_contentId1'])]", &scope)
                .as_deref(),
            Some("ws1/6a150fa1-b1cc-4a21-8d95-6433846ca167")
        );
        assert_eq!(resolve("[variables('prefix')]", &scope).as_deref(), Some("sentinel-rule"));
        assert_eq!(resolve("[concat('it''s', ' ok')]", &scope).as_deref(), Some("it's ok"));
        assert_eq!(resolve("plain", &scope).as_deref(), Some("plain"));
        assert_eq!(resolve("[[literal]", &scope).as_deref(), Some("[literal]"));
        assert_eq!(resolve("[resourceId('x', 'y')]", &scope), None);
        assert_eq!(resolve("[variables('missing')]", &scope), None);
    }

    #[test]
    fn cyclic_variables_resolve_to_nothing_instead_of_overflowing() {
        let vars = json!({"a": "[variables('b')]", "b": "[concat('x', variables('a'))]"});
        let scope = Scope { variables: vec![vars.as_object().unwrap()], ..Scope::default() };
        assert_eq!(resolve("[variables('a')]", &scope), None);
    }
}
