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

/// The rendered query of the bundled item `slug`.
fn rendered(slug: &str) -> String {
    let compiled = compile_bundled();
    let index = compiled.items.iter().position(|i| i.slug == slug).unwrap();
    compiled.kql[index].as_ref().unwrap().text.clone()
}

fn assert_equivalent(model: &str, reference: &str) {
    let (ours, theirs) = (normalise(&rendered(model)), normalise(reference));
    assert!(theirs.len() > 40, "{model}: empty reference");
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

/// Reference queries written down from the write-up (`tests/fixtures/reference/`).
#[test]
fn models_match_the_write_up() {
    for (slug, file) in [
        ("run-command-spike", "run_command_spike.kql"),
        ("run-command-infrequent", "run_command_infrequent.kql"),
        ("activity-connector-health", "activity_connector_health.kql"),
        ("recovery-vault-deletion", "operation_watch.kql"),
        ("run-command-script-volatility", "run_command_script_volatility.kql"),
    ] {
        let reference = std::fs::read_to_string(root().join("tests/fixtures/reference").join(file)).unwrap();
        assert_equivalent(slug, &reference);
    }
}

/// Reference queries published in Azure-Sentinel (committed copies under
/// `tests/fixtures/reference/azure-sentinel/`, provenance in its README).
#[test]
fn models_match_azure_sentinel() {
    let examples = root().join("tests/fixtures/reference/azure-sentinel");
    for (slug, file) in [
        ("anomalous-azure-operation", "Solutions/Azure Activity/Hunting Queries/AnomalousAzureOperationModel.yaml"),
        ("run-command-from-azure-ip", "Solutions/Azure Activity/Hunting Queries/AzureRunCommandFromAzureIP.yaml"),
        ("run-command-mde-linked", "Hunting Queries/MultipleDataSources/AzureRunCommandMDELinked.yaml"),
        (
            "dormant-service-principal-creds",
            "Hunting Queries/MultipleDataSources/DormantServicePrincipalUpdateCredsandLogsIn.yaml",
        ),
        ("dormant-user-mfa-logon", "Hunting Queries/MultipleDataSources/DormantUserUpdateMFAandLogsIn.yaml"),
        ("run-command-ueba-breach", "Detections/MultipleDataSources/RunCommandUEBABreach.yaml"),
    ] {
        let text = std::fs::read_to_string(examples.join(file)).unwrap();
        let yaml: serde_json::Value = serde_norway::from_str(&text).unwrap();
        assert_equivalent(slug, yaml["query"].as_str().unwrap());
    }
}
