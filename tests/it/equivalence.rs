//! At default parameters every model renders a query equivalent to its
//! reference (the write-up or Azure-Sentinel), comments and whitespace
//! normalised.

use crate::util::{compile_bundled, root};

/// The query as a token sequence: comments dropped, string literals kept
/// whole, every other token separated by one space.
fn normalise(kql: &str) -> String {
    let chars: Vec<char> = kql.chars().collect();
    let mut tokens: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '"' || c == '\'' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            tokens.push(chars[start..i.min(chars.len())].iter().collect());
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens.join(" ")
}

fn rendered(model: &str) -> String {
    let compiled = compile_bundled();
    let index = compiled.items.iter().position(|i| i.model.info().name == model).unwrap();
    compiled.kql[index].as_ref().unwrap().text.clone()
}

fn assert_equivalent(model: &str, reference: &str) {
    let (ours, theirs) = (normalise(&rendered(model)), normalise(reference));
    if ours != theirs {
        let a: Vec<&str> = ours.split(' ').collect();
        let b: Vec<&str> = theirs.split(' ').collect();
        let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
        panic!(
            "{model} differs from its reference at token {at}:\n ours:   {}\n theirs: {}",
            a[at.saturating_sub(8)..(at + 8).min(a.len())].join(" "),
            b[at.saturating_sub(8)..(at + 8).min(b.len())].join(" ")
        );
    }
}

#[test]
fn normalise_ignores_comments_and_layout_only() {
    assert_eq!(normalise("T | where a == 'x y' // c\n| take 1"), normalise("T\n|where a=='x y'\n|take   1"));
    assert_ne!(normalise("T | take 1"), normalise("T | take 2"));
    assert_ne!(normalise("T | where a == 'x y'"), normalise("T | where a == 'x  y'"));
}

#[test]
fn run_command_spike_matches_the_write_up() {
    let reference = std::fs::read_to_string(root().join("tests/fixtures/reference/run_command_spike.kql")).unwrap();
    assert_equivalent("run_command_spike", &reference);
}

#[test]
fn run_command_infrequent_matches_the_write_up() {
    let reference =
        std::fs::read_to_string(root().join("tests/fixtures/reference/run_command_infrequent.kql")).unwrap();
    assert_equivalent("run_command_infrequent", &reference);
}

#[test]
fn anomalous_operation_model_matches_azure_sentinel() {
    let path = root().join("../shared/reference/sentinel/examples/Solutions/Azure Activity/Hunting Queries/AnomalousAzureOperationModel.yaml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not present", path.display());
        return;
    };
    let yaml: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert_equivalent("anomalous_operation_model", yaml["query"].as_str().unwrap());
}
