//! Hostile parameter values render as literals and cannot change a query's
//! structure.

use std::collections::HashMap;

use proptest::prelude::*;
use sentinel_forge::render::filters;

/// Decode a KQL string literal written by `string_literal` (the inverse the
/// KQL lexer applies).
fn decode_literal(lit: &str) -> Option<String> {
    let mut chars = lit.chars();
    let quote = chars.next()?;
    let body: Vec<char> = chars.collect();
    if body.last() != Some(&quote) {
        return None;
    }
    let body = &body[..body.len() - 1];
    let mut out = String::new();
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            '\\' => {
                let next = *body.get(i + 1)?;
                i += 2;
                match next {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '\\' | '"' | '\'' => out.push(next),
                    'u' => {
                        let hex: String = body.get(i..i + 4)?.iter().collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        i += 4;
                    }
                    _ => return None,
                }
            }
            c if c == quote => return None, // an unescaped quote would end the literal early
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("' | take 1 //".to_string()),
        Just("\" ; drop table x\n| where 1==1".to_string()),
        Just("\\'".to_string()),
        Just("a\\".to_string()),
        Just("{{ StartTimeISO }}".to_string()),
        "[ -~]{0,40}",
        "\\PC{0,20}",
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// Any text, in either quote style, is one literal that decodes to itself.
    #[test]
    fn string_literal_round_trips(value in hostile(), single in any::<bool>()) {
        let quote = if single { '\'' } else { '"' };
        let lit = filters::string_literal(&value, quote);
        prop_assert!(!lit.contains('\n') && !lit.contains('\r'), "a literal never spans lines");
        prop_assert_eq!(decode_literal(&lit), Some(value));
    }

    /// Through a real Tera instance with our filters: the list stays a list
    /// of exactly the given literals.
    #[test]
    fn list_filter_round_trips(values in proptest::collection::vec(hostile(), 1..4)) {
        let mut tera = tera::Tera::default();
        filters::register(&mut tera);
        tera.add_raw_template("t", r#"T | where X has_any {{ v | kql_list(form="tuple", quote="single") }} | take 1"#).unwrap();
        let mut ctx = tera::Context::new();
        ctx.insert("v", &values);
        let out = tera.render("t", &ctx).unwrap();
        let inner = out.strip_prefix("T | where X has_any (").and_then(|s| s.strip_suffix(") | take 1"));
        prop_assert!(inner.is_some(), "structure changed: {}", out);
        let decoded = split_literals(inner.unwrap()).into_iter().map(|l| decode_literal(&l)).collect::<Option<Vec<_>>>();
        prop_assert_eq!(decoded, Some(values));
    }

}

proptest! {
    // Each case compiles a whole project: fewer, but real, cases.
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    /// End to end through content files and the pipeline (ASCII values, as
    /// content must be ASCII): only the literal changes, nothing around it.
    #[test]
    fn content_values_cannot_change_the_query(value in "[ -~]{1,30}") {
        let project = crate::util::scratch_project();
        let file = project.path().join("content/hunting/anomalous-azure-operation.toml");
        let text = std::fs::read_to_string(&file).unwrap();
        let toml_value = toml::Value::String(value.clone()).to_string();
        let text = text.replace(
            r#"monitored_operations = ["microsoft.compute/virtualmachines/runcommand/action"]"#,
            &format!("monitored_operations = [{toml_value}]"),
        );
        std::fs::write(&file, text).unwrap();
        let paths = sentinel_forge::ProjectPaths { content: project.path().join("content"), templates: project.path().join("templates") };
        let compiled =
            sentinel_forge::pipeline::compile_with(&paths, &Default::default(), sentinel_forge::pipeline::Environments::None)
                .unwrap();
        prop_assert!(compiled.diagnostics.is_empty(), "{:?}", compiled.diagnostics);
        let index = compiled.items.iter().position(|i| i.slug == "anomalous-azure-operation").unwrap();
        let kql = &compiled.kql[index].as_ref().unwrap().text;
        let default = crate::util::compile_bundled();
        let default_kql = default.kql[default.items.iter().position(|i| i.slug == "anomalous-azure-operation").unwrap()].as_ref().unwrap().text.clone();
        prop_assert!(sentinel_forge::kql::parse(kql).errors.is_empty(), "the rendered query must still parse: {}", kql);
        let ours = filters::string_literal(&value, '\'');
        let theirs = filters::string_literal("microsoft.compute/virtualmachines/runcommand/action", '\'');
        prop_assert_eq!(kql.replacen(&ours, "<V>", 1), default_kql.replacen(&theirs, "<V>", 1));
    }
}

/// Split `'a', 'b'` into literals, honouring escapes.
fn split_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            out.push(chars[start..=i.min(chars.len() - 1)].iter().collect());
        }
        i += 1;
    }
    out
}

#[test]
fn filters_reject_the_wrong_type_instead_of_printing_it() {
    let no_args = HashMap::new();
    use tera::Filter;
    assert!(filters::KqlInt.filter(&serde_json::json!("5 | take 1"), &no_args).is_err());
    assert!(filters::KqlTimespan.filter(&serde_json::json!("1d) | take 1 //"), &no_args).is_err());
    assert!(filters::KqlReal.filter(&serde_json::json!("0.1"), &no_args).is_err());
    assert!(filters::KqlList.filter(&serde_json::json!("a"), &no_args).is_err());
}
