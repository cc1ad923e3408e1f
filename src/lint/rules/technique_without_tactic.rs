//! SNT023: a technique whose tactics are not among `tactics` (S-19, also NRT and hunting).

use crate::diag::{Code, Diagnostic};
use crate::lint::Rule;
use crate::lint::document::{Doc, Field};
use crate::lint::yaml::Node;
use crate::sentinel::techniques;

use super::{at, for_kind};

crate::lint_code! {
    /// What: a `relevantTechniques` entry (ARM: `techniques`) none of whose
    /// tactics, per Sentinel CI's technique table
    /// (`schemas/sentinel/technique-tactic-map.json`, sub-technique suffix
    /// stripped), is listed in `tactics`. Error for Scheduled and NRT rules
    /// (CI silently skips NRT), warning for hunting queries (CI skips them).
    ///
    /// Why: "No valid tactic corresponding to the technique … was provided"
    ///. MITRE coverage views file the rule under
    /// its tactics, so a mismatched pair misreports coverage.
    ///
    /// Example: `tactics: [CredentialAccess]` with
    /// `relevantTechniques: [T1078.004]` (T1078 belongs to InitialAccess,
    /// Persistence, PrivilegeEscalation, DefenseEvasion).
    ///
    /// Fix: add one of the technique's tactics (listed in the help line) or
    /// pick the technique that matches the tactic.
    CODE = ("SNT023", "technique-without-tactic", Error);
}

pub struct TechniqueWithoutTactic;

impl Rule for TechniqueWithoutTactic {
    fn code(&self) -> Code {
        CODE
    }
    fn structural(&self) -> bool {
        true
    }
    fn check_doc(&self, doc: &Doc, out: &mut Vec<Diagnostic>) {
        let Some(list) = doc.field(Field::RelevantTechniques).and_then(Node::as_seq) else { return };
        let tactics_node = doc.field(Field::Tactics);
        let listed: Vec<&str> =
            tactics_node.and_then(Node::as_seq).unwrap_or(&[]).iter().filter_map(Node::as_text).collect();
        for t in list {
            let Some(id) = t.as_text() else { continue };
            let id = id.trim();
            if !techniques::is_technique_id(id) {
                continue; // SNT024
            }
            let Some(allowed) = techniques::tactics_for(id) else { continue }; // SNT024
            if allowed.iter().any(|a| listed.contains(a)) {
                continue;
            }
            let mut d = at(
                CODE,
                doc,
                t,
                format!("technique `{id}` has no matching tactic in `tactics`"),
                "no listed tactic contains this technique",
            )
            .with_help(format!("add one of: {}", allowed.join(", ")));
            if let Some(tn) = tactics_node {
                d = d.with_secondary(doc.file, tn.range, "tactics listed here");
            }
            out.push(for_kind(d, doc));
        }
    }
}
