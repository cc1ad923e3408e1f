//! Diagnostic codes of `run`: a query the service rejected (HTTP 400) is a
//! problem in the user's KQL, reported like any other, with the span the
//! service named (`QRY` family, collected by the registry in `crate::codes`, so
//! `explain QRY001` works).

use crate::diag::{Code, Diagnostic, Severity};
use crate::query::error::ServiceError;
use crate::query::position::line_pos_to_range;
use crate::source::FileId;
use crate::span::TextRange;

/// A query the service could not parse; `docs` is what `explain QRY001` prints.
pub const SYNTAX_ERROR: Code = Code {
    id: "QRY001",
    name: "query-syntax-error",
    severity: Severity::Error,
    docs: "What: the service could not parse the query (`BadArgumentError` with an inner `SyntaxError`).\n\n\
           Why: nothing ran. The position comes from the service's own parser, which knows every operator and \
           function of the workspace; the local parser behind `kql check` may accept what the service refuses.\n\n\
           Example: `AzureActivity | summarise count()` (\"Query could not be parsed at 'summarise' on line \
           [1,16]\").\n\n\
           Fix: correct the query at the marked position. For a content item, the mistake is in its template \
           (values always render as literals).\n",
};

/// Any other query the service refused (HTTP 400); `docs` is what `explain QRY002` prints.
pub const REJECTED: Code = Code {
    id: "QRY002",
    name: "query-rejected",
    severity: Severity::Error,
    docs: "What: the service refused the query for another reason than syntax (HTTP 400: an unknown table, column \
           or function, a type mismatch, an invalid `timespan` or workspace list).\n\n\
           Why: nothing ran; the workspace's schema or the request does not fit the query.\n\n\
           Example: `SigninLogs | take 5` on a workspace without the Entra ID connector (\"Failed to resolve table \
           or column expression named 'SigninLogs'\").\n\n\
           Fix: the message names what is missing; connect the data source, or adjust the query or the \
           `--workspaces` list.\n",
};

/// Every `QRY` code.
pub fn codes() -> Vec<Code> {
    vec![SYNTAX_ERROR, REJECTED]
}

/// The diagnostic for a query the service rejected; `file` holds `text`,
/// the query exactly as sent.
pub fn rejection(file: FileId, text: &str, error: &ServiceError) -> Diagnostic {
    let syntax = error.has_code("SyntaxError");
    let inner = error.innermost();
    let (code, message) = if syntax {
        (SYNTAX_ERROR, "the service could not parse the query")
    } else {
        (REJECTED, "the service rejected the query")
    };
    let mut d = Diagnostic::new(code, message);
    let detail = if inner.message.is_empty() { error.to_string() } else { inner.message.clone() };
    match error.position() {
        Some(at) => {
            let range = line_pos_to_range(text, at.line.unwrap_or(1), at.pos.unwrap_or(0), at.token.as_deref());
            let label = match at.token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(t) => format!("unexpected `{t}`"),
                None => detail.clone(),
            };
            d = d.with_primary(file, range, label);
        }
        None => d = d.with_primary(file, TextRange::empty(0), "in this query"),
    }
    let mut chain = Vec::new();
    let mut e = Some(error);
    while let Some(x) = e {
        if !x.code.is_empty() {
            chain.push(x.code.as_str());
        }
        e = x.innererror.as_deref();
    }
    d = d.with_note(format!("{} ({})", detail, chain.join(" > ")));
    for m in error.messages().into_iter().filter(|m| *m != detail) {
        d = d.with_note(m);
    }
    if let Some(c) = &error.correlation_id {
        d = d.with_note(format!("correlation id: {c}"));
    }
    d.with_help(if syntax {
        "correct the query at the marked position (`sentinel-forge kql check` finds most syntax errors offline)"
    } else {
        "the message names what the workspace does not have; adjust the query, or query a workspace that has it"
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceMap;

    #[test]
    fn a_syntax_error_points_at_the_token_the_service_named() {
        let text = "AzureActivity\n| summarise count()\n";
        let mut sources = SourceMap::new();
        let file = sources.add("query.kql", text);
        let error: ServiceError = serde_json::from_str(
            r#"{"code":"BadArgumentError","message":"The request had some invalid properties",
            "innererror":{"code":"SyntaxError","message":"A recognition error occurred in the query.",
            "innererror":{"code":"SYN0002","message":"Query could not be parsed at 'summarise' on line [2,2]",
            "line":2,"pos":2,"token":"summarise"}}}"#,
        )
        .unwrap();
        let d = rejection(file, text, &error);
        assert_eq!(d.code, SYNTAX_ERROR);
        assert_eq!(sources.get(file).slice(d.primary.as_ref().unwrap().range), "summarise");
        assert_eq!(
            d.notes[0],
            "Query could not be parsed at 'summarise' on line [2,2] (BadArgumentError > SyntaxError > SYN0002)"
        );
    }

    #[test]
    fn codes_are_documented() {
        for code in codes() {
            for part in ["What:", "Why:", "Example:", "Fix:"] {
                assert!(code.docs.contains(part), "{} docs lack {part}", code.id);
            }
        }
    }

    #[test]
    fn other_rejections_have_their_own_code() {
        let error: ServiceError = serde_json::from_str(
            r#"{"code":"BadArgumentError","message":"The request had some invalid properties",
            "innererror":{"code":"SemanticError","message":"'where' operator: Failed to resolve column or scalar expression named 'Nope'"}}"#,
        )
        .unwrap();
        let mut sources = SourceMap::new();
        let file = sources.add("q", "T | where Nope == 1");
        let d = rejection(file, "T | where Nope == 1", &error);
        assert_eq!(d.code, REJECTED);
        assert!(d.notes[0].contains("Failed to resolve column") && d.notes[0].contains("SemanticError"));
    }
}
