//! Entity types of `entityMappings`, with valid and required identifiers
//! (Sentinel CI `EntityMappingIdentifiers.cs`, research §2.4).

/// One entity type.
#[derive(Debug)]
pub struct EntityType {
    pub name: &'static str,
    /// Identifiers allowed in `fieldMappings[].identifier` (case-sensitive).
    pub identifiers: &'static [&'static str],
    /// At least one of these combinations must be fully present.
    pub required: &'static [&'static [&'static str]],
}

macro_rules! entity {
    ($name:literal, [$($id:literal),*], [$([$($req:literal),*]),*]) => {
        EntityType { name: $name, identifiers: &[$($id),*], required: &[$(&[$($req),*]),*] }
    };
}

/// Every entity type CI knows, in the order of the research table.
pub const ENTITY_TYPES: &[EntityType] = &[
    entity!(
        "Account",
        [
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
            "CloudAppAccountId"
        ],
        [["FullName"], ["Sid"], ["Name"], ["AadUserId"], ["PUID"], ["ObjectGuid"]]
    ),
    entity!("AzureResource", ["ResourceId"], [["ResourceId"]]),
    entity!("CloudApplication", ["AppId", "Name", "InstanceName"], [["AppId"], ["Name"]]),
    entity!("DNS", ["DomainName"], [["DomainName"]]),
    entity!("File", ["Directory", "Name"], [["Name"]]),
    entity!("FileHash", ["Algorithm", "Value"], [["Algorithm", "Value"]]),
    entity!(
        "Host",
        [
            "DnsDomain",
            "NTDomain",
            "HostName",
            "FullName",
            "NetBiosName",
            "AzureID",
            "OMSAgentID",
            "OSFamily",
            "OSVersion",
            "IsDomainJoined"
        ],
        [["FullName"], ["HostName"], ["NetBiosName"], ["AzureID"], ["OMSAgentID"]]
    ),
    entity!(
        "IoTDevice",
        [
            "DeviceId",
            "DeviceName",
            "Manufacturer",
            "Model",
            "FirmwareVersion",
            "OperatingSystem",
            "MacAddress",
            "Protocols",
            "SerialNumber",
            "Source",
            "IoTSecurityAgentId",
            "DeviceType"
        ],
        [["DeviceId"]]
    ),
    entity!("IP", ["Address"], [["Address"]]),
    entity!(
        "Mailbox",
        ["MailboxPrimaryAddress", "DisplayName", "Upn", "ExternalDirectoryObjectId", "RiskLevel"],
        [["MailboxPrimaryAddress"]]
    ),
    entity!(
        "MailCluster",
        [
            "NetworkMessageIds",
            "CountByDeliveryStatus",
            "CountByThreatType",
            "CountByProtectionStatus",
            "Threats",
            "Query",
            "QueryTime",
            "MailCount",
            "IsVolumeAnomaly",
            "Source",
            "ClusterSourceIdentifier",
            "ClusterSourceType",
            "ClusterQueryStartTime",
            "ClusterQueryEndTime",
            "ClusterGroup"
        ],
        [["Query"], ["Source"]]
    ),
    entity!(
        "MailMessage",
        [
            "Recipient",
            "Urls",
            "Threats",
            "Sender",
            "P1Sender",
            "P1SenderDisplayName",
            "P1SenderDomain",
            "SenderIP",
            "P2Sender",
            "P2SenderDisplayName",
            "P2SenderDomain",
            "ReceivedDate",
            "NetworkMessageId",
            "InternetMessageId",
            "Subject",
            "BodyFingerprintBin1",
            "BodyFingerprintBin2",
            "BodyFingerprintBin3",
            "BodyFingerprintBin4",
            "BodyFingerprintBin5",
            "AntispamDirection",
            "DeliveryAction",
            "DeliveryLocation",
            "Language",
            "ThreatDetectionMethods"
        ],
        [["NetworkMessageId"], ["Recipient"]]
    ),
    entity!("Malware", ["Name", "Category"], [["Name"]]),
    entity!(
        "Process",
        ["ProcessId", "CommandLine", "ElevationToken", "CreationTimeUtc"],
        [["CommandLine"], ["ProcessId"]]
    ),
    entity!("RegistryKey", ["Hive", "Key"], [["Key"], ["Hive"]]),
    entity!("RegistryValue", ["Name", "Value", "ValueType"], [["Name"]]),
    entity!(
        "SecurityGroup",
        ["DistinguishedName", "SID", "ObjectGuid"],
        [["DistinguishedName"], ["SID"], ["ObjectGuid"]]
    ),
    entity!(
        "SubmissionMail",
        [
            "NetworkMessageId",
            "Timestamp",
            "Recipient",
            "Sender",
            "SenderIp",
            "Subject",
            "ReportType",
            "SubmissionId",
            "SubmissionDate",
            "Submitter"
        ],
        [["SubmissionId"], ["NetworkMessageId"], ["Recipient"], ["Submitter"]]
    ),
    entity!("URL", ["Url"], [["Url"]]),
];

/// Look an entity type up by exact name.
pub fn entity_type(name: &str) -> Option<&'static EntityType> {
    ENTITY_TYPES.iter().find(|e| e.name == name)
}

/// Look an entity type up ignoring case (CI parses `entityType` case-insensitively).
pub fn entity_type_ignore_case(name: &str) -> Option<&'static EntityType> {
    ENTITY_TYPES.iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

impl EntityType {
    /// True when `used` identifiers include one complete required combination.
    pub fn has_required(&self, used: &[&str]) -> bool {
        self.required.iter().any(|combo| combo.iter().all(|r| used.contains(r)))
    }
}

/// One entity mapping: a type and its identifier → column pairs (what a
/// model declares and a rule carries into `entityMappings`).
#[derive(Debug, Clone, PartialEq)]
pub struct EntityMapping {
    pub entity_type: String,
    pub fields: Vec<(String, String)>,
}
