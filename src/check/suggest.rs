//! "Did you mean": the closest known name to a misspelt one.

/// The candidate most similar to `name` (Jaro-Winkler >= 0.85, or a
/// case-insensitive match), if any is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    // Names this far apart in length never reach the similarity threshold; skipping them keeps
    // suggestions cheap against the 1,175 catalog tables.
    let slack = 3.max(name.len() / 3);
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        if c == name || c.len().abs_diff(name.len()) > slack {
            continue;
        }
        let score =
            if c.eq_ignore_ascii_case(name) { 2.0 } else { strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()) };
        if score >= 0.85 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn picks_the_likely_typo_and_rejects_unrelated_names() {
        let names = ["UserPrincipalName", "UserDisplayName", "IPAddress"];
        assert_eq!(closest("UserPrincipleName", names), Some("UserPrincipalName"));
        assert_eq!(closest("ipaddress", names), Some("IPAddress"));
        assert_eq!(closest("Computer", names), None);
    }
}
