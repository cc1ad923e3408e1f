//! Errors of the Azure SDK as people can act on them.
//!
//! azure_core wraps a failed token request in its retry policy's error
//! ("non-transport error occurred which will not be retried"): the cause a
//! user needs ("Azure CLI not found") sits further down the source chain.

/// The error and every distinct cause below it, joined with `: `.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Whether a failure came from getting a token rather than from the network.
pub fn is_credential_failure(e: &azure_core::Error) -> bool {
    if matches!(e.kind(), azure_core::error::ErrorKind::Credential) {
        return true;
    }
    let text = chain(e).to_ascii_lowercase();
    ["credential", "azure cli", "az login", "token", "managed identity", "authority"].iter().any(|w| text.contains(w))
}

/// What to do about a credential failure, from the words of its cause.
pub fn credential_advice(chain: &str) -> String {
    let lower = chain.to_ascii_lowercase();
    let cli_missing = lower.contains("az not found")
        || ((lower.contains("azure cli") || lower.contains("'az'") || lower.contains("az:"))
            && (lower.contains("not found") || lower.contains("not installed") || lower.contains("no such file")));
    let first = if cli_missing {
        "Azure CLI (`az`) not found: install it and sign in with `az login`"
    } else if lower.contains("az login") || lower.contains("please run") {
        "the Azure CLI is not signed in: run `az login`"
    } else {
        "no credential could get a token"
    };
    format!(
        "{first}; or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (--auth secret), use \
         workload identity or managed identity (--auth workload|managed), GitHub OIDC (--auth github), \
         or a bearer token in SENTINEL_FORGE_TOKEN (--auth token)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advice_names_the_missing_cli_and_every_other_way() {
        let a = credential_advice("non-transport error: Azure CLI not installed");
        assert!(a.starts_with("Azure CLI (`az`) not found"), "{a}");
        assert!(a.contains("--auth token"), "{a}");
        let a = credential_advice("AzureCliCredential authentication failed. az not found on PATH");
        assert!(a.starts_with("Azure CLI (`az`) not found"), "{a}");
        let a = credential_advice("ERROR: Please run 'az login' to setup account.");
        assert!(a.starts_with("the Azure CLI is not signed in"), "{a}");
        assert!(credential_advice("timeout").starts_with("no credential could get a token"));
    }
}
