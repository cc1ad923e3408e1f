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
        let score = if c.eq_ignore_ascii_case(name) {
            2.0
        } else if !may_reach_threshold(&lower, c) {
            continue;
        } else {
            strsim::jaro_winkler(&lower, &c.to_ascii_lowercase())
        };
        if score >= 0.85 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// A cheap upper bound on the Jaro-Winkler similarity of two ASCII names,
/// so most candidates are ruled out without running the full measure (it
/// was a third of the checker's time on the corpus).
///
/// Jaro-Winkler adds at most `0.4 * (1 - jaro)` for a shared prefix, so a
/// score of 0.85 needs `jaro >= 0.75`. Jaro's matched characters are at most
/// the characters the two names share as multisets (`common`), and its
/// transposition term is at most 1, so `jaro <= (common/|a| + common/|b| + 1) / 3`.
/// Names with other than ASCII characters are always measured.
fn may_reach_threshold(lower: &str, candidate: &str) -> bool {
    if !lower.is_ascii() || !candidate.is_ascii() || lower.is_empty() || candidate.is_empty() {
        return true;
    }
    let mut counts = [0i32; 128];
    for b in lower.bytes() {
        counts[b as usize] += 1;
    }
    let mut common = 0usize;
    for b in candidate.bytes() {
        let slot = &mut counts[b.to_ascii_lowercase() as usize];
        if *slot > 0 {
            *slot -= 1;
            common += 1;
        }
    }
    let (a, b) = (lower.len() as f64, candidate.len() as f64);
    let c = common as f64;
    (c / a + c / b + 1.0) / 3.0 >= 0.75 - 1e-9
}

#[cfg(test)]
mod tests {
    use super::{closest, may_reach_threshold};

    /// The bound never rules out a pair the full measure accepts.
    #[test]
    fn the_cheap_bound_keeps_every_pair_that_reaches_the_threshold() {
        let names = [
            "SigninLogs",
            "SigninLog",
            "signinlogs",
            "AADSignInEventsBeta",
            "UserPrincipalName",
            "UserPrincipleName",
            "IPAddress",
            "ipaddr",
            "Computer",
            "Caller",
            "CallerIpAddress",
            "OperationNameValue",
            "OperationName",
            "tostring",
            "tostirng",
            "summarize",
            "summarise",
            "a",
            "ab",
            "ba",
            "TimeGenerated",
            "TimeGenerate",
        ];
        for x in names {
            let lower = x.to_ascii_lowercase();
            for y in names {
                let score = strsim::jaro_winkler(&lower, &y.to_ascii_lowercase());
                if score >= 0.85 {
                    assert!(may_reach_threshold(&lower, y), "{x} ~ {y}: {score}");
                }
            }
        }
        assert!(!may_reach_threshold("computer", "IPAddress"));
    }

    #[test]
    fn picks_the_likely_typo_and_rejects_unrelated_names() {
        let names = ["UserPrincipalName", "UserDisplayName", "IPAddress"];
        assert_eq!(closest("UserPrincipleName", names), Some("UserPrincipalName"));
        assert_eq!(closest("ipaddress", names), Some("IPAddress"));
        assert_eq!(closest("Computer", names), None);
    }
}
