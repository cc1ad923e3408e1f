//! MITRE technique ids and the technique → tactics table of Sentinel CI
//! (`KillChainTechniquesHelper.cs`, transcribed in
//! `schemas/sentinel/technique-tactic-map.json`).

use std::collections::HashMap;
use std::sync::OnceLock;

const MAP_JSON: &str = include_str!("../../schemas/sentinel/technique-tactic-map.json");

fn table() -> &'static HashMap<String, Vec<&'static str>> {
    static TABLE: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let v: serde_json::Value = serde_json::from_str(MAP_JSON).expect("embedded technique map is JSON");
        let mut map: HashMap<String, Vec<&'static str>> = HashMap::new();
        let obj = v["tacticToTechniques"].as_object().expect("tacticToTechniques object");
        for (tactic, techniques) in obj {
            let tactic: &'static str =
                super::tactics::TACTICS.iter().copied().find(|t| t == tactic).expect("table tactic is a known tactic");
            for t in techniques.as_array().expect("technique list") {
                let t = t.as_str().expect("technique id string").to_string();
                let entry = map.entry(t).or_default();
                if !entry.contains(&tactic) {
                    entry.push(tactic);
                }
            }
        }
        map
    })
}

/// True for `T` + 4 digits, optionally `.` + 3 digits (`T1078`, `T1078.004`).
pub fn is_technique_id(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: &[u8]| r.iter().all(u8::is_ascii_digit);
    match b.len() {
        5 => b[0] == b'T' && digits(&b[1..]),
        9 => b[0] == b'T' && digits(&b[1..5]) && b[5] == b'.' && digits(&b[6..]),
        _ => false,
    }
}

/// The parent technique (`T1078.004` → `T1078`); CI strips after the first `.`.
pub fn parent(id: &str) -> &str {
    id.split('.').next().unwrap_or(id)
}

/// Tactics a technique (or its parent) belongs to, `None` when the table does not know it.
pub fn tactics_for(id: &str) -> Option<&'static [&'static str]> {
    table().get(parent(id)).map(Vec::as_slice)
}

/// Number of distinct technique ids in the table.
pub fn known_count() -> usize {
    table().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_pairs() {
        assert!(known_count() > 300);
        assert!(tactics_for("T1078.004").unwrap().contains(&"Persistence"));
        assert!(!tactics_for("T1078").unwrap().contains(&"CredentialAccess"));
        assert!(tactics_for("T9999").is_none());
        assert!(is_technique_id("T1078.004") && is_technique_id("T0817") && !is_technique_id("t1078"));
    }
}
