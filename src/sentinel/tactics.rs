//! The tactics of Sentinel's `AttackTactic` enum.

/// Tactics accepted in analytic-rule and hunting-query YAML (the CI model's
/// enum, newest version; `PreAttack` was removed).
pub const TACTICS: &[&str] = &[
    "Reconnaissance",
    "ResourceDevelopment",
    "InitialAccess",
    "Execution",
    "Persistence",
    "PrivilegeEscalation",
    "DefenseEvasion",
    "CredentialAccess",
    "Discovery",
    "LateralMovement",
    "Collection",
    "Exfiltration",
    "CommandAndControl",
    "Impact",
    "ImpairProcessControl",
    "InhibitResponseFunction",
];

/// Tactics the ARM `AttackTactic` enum still accepts but repository CI does not.
pub const ARM_ONLY_TACTICS: &[&str] = &["PreAttack"];

/// True for an exact (case-sensitive) tactic name of [`TACTICS`].
pub fn is_tactic(name: &str) -> bool {
    TACTICS.contains(&name)
}

/// The tactic spelled like `name` ignoring case and spaces, for "did you mean" help.
pub fn suggest(name: &str) -> Option<&'static str> {
    let norm: String = name.chars().filter(|c| !c.is_whitespace() && *c != '-' && *c != '_').collect();
    TACTICS.iter().copied().find(|t| t.eq_ignore_ascii_case(&norm))
}
