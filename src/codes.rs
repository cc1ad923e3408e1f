//! The registry of every diagnostic code, collected from the stages that
//! declare them. It sits above every stage and sink (it must see them all)
//! and below the CLI, whose `explain` and SARIF output read it.

use crate::diag::Code;

/// The codes of the content pipeline (`CNT`, `TPL`, `OUT`): each has a
/// fixture under `tests/fixtures/content/<CODE>-<name>/`.
pub fn pipeline() -> Vec<Code> {
    let mut all = crate::content::codes::CONTENT.to_vec();
    all.extend_from_slice(crate::render::codes::TEMPLATE);
    all.extend_from_slice(crate::schema_check::codes::OUTPUT);
    all
}

/// Every code, family by family in pipeline order.
pub fn all() -> Vec<Code> {
    let mut all = pipeline();
    all.extend(crate::kql::codes::codes());
    all.extend(crate::check::codes::codes());
    all.extend(crate::lint::codes());
    all.extend(crate::query::codes::codes());
    all.extend_from_slice(crate::engine::codes::CODES);
    all.extend_from_slice(crate::rule_tests::codes::TESTS);
    all
}

/// Look a code up by id (`CNT005`) or name (`out-of-range`), case-insensitively.
pub fn lookup(query: &str) -> Option<Code> {
    all().into_iter().find(|c| c.id.eq_ignore_ascii_case(query) || c.name.eq_ignore_ascii_case(query))
}

#[cfg(test)]
mod tests {
    use super::{all, lookup};

    #[test]
    fn every_code_is_found_by_id_and_by_name() {
        let codes = all();
        for family in ["CNT", "TPL", "OUT", "SYN", "SEM", "SNT", "QRY", "ENG", "TST"] {
            assert!(codes.iter().any(|c| c.id.starts_with(family)), "no {family} code registered");
        }
        for code in &codes {
            assert_eq!(lookup(code.id).map(|c| c.name), Some(code.name));
            assert_eq!(lookup(&code.name.to_uppercase()).map(|c| c.id), Some(code.id));
        }
    }
}
