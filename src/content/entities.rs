//! Sentinel entity types and their identifiers (Azure-Sentinel CI
//! `EntityMappingIdentifiers.cs`, restated in the research notes §2.4):
//! which identifiers each type accepts, and which combinations identify it.

/// One entity type: valid identifiers, and the identifier sets of which at
/// least one must be fully mapped.
pub struct EntityType {
    pub name: &'static str,
    pub identifiers: &'static [&'static str],
    pub required_any: &'static [&'static [&'static str]],
}

pub const ENTITY_TYPES: &[EntityType] = &[
    EntityType {
        name: "Account",
        identifiers: &[
            "Name",
            "FullName",
            "NTDomain",
            "DnsDomain",
            "UPNSuffix",
            "Sid",
            "AadTenantId",
            "AadUserId",
            "PUID",
            "IsDomainJoined",
            "DisplayName",
            "ObjectGuid",
            "CloudAppAccountId",
        ],
        required_any: &[&["FullName"], &["Sid"], &["Name"], &["AadUserId"], &["PUID"], &["ObjectGuid"]],
    },
    EntityType { name: "AzureResource", identifiers: &["ResourceId"], required_any: &[&["ResourceId"]] },
    EntityType {
        name: "CloudApplication",
        identifiers: &["AppId", "Name", "InstanceName"],
        required_any: &[&["AppId"], &["Name"]],
    },
    EntityType { name: "DNS", identifiers: &["DomainName"], required_any: &[&["DomainName"]] },
    EntityType { name: "File", identifiers: &["Directory", "Name"], required_any: &[&["Name"]] },
    EntityType { name: "FileHash", identifiers: &["Algorithm", "Value"], required_any: &[&["Algorithm", "Value"]] },
    EntityType {
        name: "Host",
        identifiers: &[
            "DnsDomain",
            "NTDomain",
            "HostName",
            "FullName",
            "NetBiosName",
            "AzureID",
            "OMSAgentID",
            "OSFamily",
            "OSVersion",
            "IsDomainJoined",
        ],
        required_any: &[&["FullName"], &["HostName"], &["NetBiosName"], &["AzureID"], &["OMSAgentID"]],
    },
    EntityType { name: "IP", identifiers: &["Address"], required_any: &[&["Address"]] },
    EntityType { name: "Malware", identifiers: &["Name", "Category"], required_any: &[&["Name"]] },
    EntityType {
        name: "Process",
        identifiers: &["ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"],
        required_any: &[&["CommandLine"], &["ProcessId"]],
    },
    EntityType { name: "RegistryKey", identifiers: &["Hive", "Key"], required_any: &[&["Key"], &["Hive"]] },
    EntityType { name: "RegistryValue", identifiers: &["Name", "Value", "ValueType"], required_any: &[&["Name"]] },
    EntityType {
        name: "SecurityGroup",
        identifiers: &["DistinguishedName", "SID", "ObjectGuid"],
        required_any: &[&["DistinguishedName"], &["SID"], &["ObjectGuid"]],
    },
    EntityType { name: "URL", identifiers: &["Url"], required_any: &[&["Url"]] },
];

pub fn find(name: &str) -> Option<&'static EntityType> {
    ENTITY_TYPES.iter().find(|t| t.name == name)
}

/// A column name Sentinel accepts in entity mappings and custom details.
pub fn is_column_name(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && text.len() <= 500
}
