//! Analytic-rule settings of `scheduled` and `nrt` items, and the entity
//! mappings every kind may carry, read with spans and checked against the
//! limits Sentinel and the Azure-Sentinel CI enforce.

use toml::de::DeTable;

use super::item::Kind;
use super::reader::TableReader;
use crate::content::codes;
use crate::diag::Diagnostic;
use crate::sentinel::limits;
use crate::source::FileId;
use crate::span::TextRange;
use crate::timespan::Timespan;

pub const SEVERITIES: &[&str] = &["Informational", "Low", "Medium", "High"];
pub const TRIGGER_OPERATORS: &[&str] = &["gt", "lt", "eq", "ne"];
pub const MATCHING_METHODS: &[&str] = &["AllEntities", "AnyAlert", "Selected"];
pub const AGGREGATION_KINDS: &[&str] = &["SingleAlert", "AlertPerResult"];
pub const ALERT_PROPERTIES: &[&str] = &[
    "AlertLink",
    "ConfidenceLevel",
    "ConfidenceScore",
    "ExtendedLinks",
    "ProductName",
    "ProviderName",
    "ProductComponentName",
    "RemediationSteps",
    "Techniques",
    "SubTechniques",
];

/// When a scheduled rule runs and when it alerts.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub frequency: Timespan,
    pub period: Timespan,
    pub trigger_operator: &'static str,
    pub trigger_threshold: i64,
    /// Suppression after an alert; `None` disables it.
    pub suppression: Option<Timespan>,
    /// The period was not written: it follows the model's window (and is
    /// derived again when an environment changes the window's parameters).
    pub period_derived: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub enabled: bool,
    pub matching: &'static str,
    pub lookback: Timespan,
    pub reopen: bool,
    pub entities: Vec<String>,
    pub details: Vec<String>,
    pub custom_details: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub create: bool,
    pub grouping: Grouping,
}

impl Default for Incident {
    /// Sentinel's defaults: incidents on, grouping off.
    fn default() -> Self {
        Incident {
            create: true,
            grouping: Grouping {
                enabled: false,
                matching: "AllEntities",
                lookback: Timespan::from_hours(5),
                reopen: false,
                entities: Vec::new(),
                details: Vec::new(),
                custom_details: Vec::new(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct AlertDetails {
    pub name_format: Option<String>,
    pub description_format: Option<String>,
    pub tactics_column: Option<String>,
    pub severity_column: Option<String>,
    /// (alert property, column)
    pub dynamic_properties: Vec<(String, String)>,
}

pub use crate::sentinel::entities::EntityMapping;

/// Everything a scheduled or NRT rule has beyond the query.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSettings {
    pub severity: &'static str,
    pub enabled: bool,
    /// `None` for NRT rules.
    pub schedule: Option<Schedule>,
    pub incident: Incident,
    /// `[incident]` was written (the YAML then carries `incidentConfiguration`).
    pub incident_written: bool,
    pub custom_details: Vec<(String, String)>,
    pub alert_details: Option<AlertDetails>,
    pub event_grouping: Option<&'static str>,
}

fn diag(code: crate::diag::Code, file: FileId, range: TextRange, msg: String, label: &str, help: &str) -> Diagnostic {
    Diagnostic::new(code, msg).with_primary(file, range, label.to_string()).with_help(help.to_string())
}

/// Read the rule tables of the content file. `window` is how far back the
/// model's query looks; the query period is derived from it when not set,
/// and must cover it when set.
pub fn read_rule(r: &mut TableReader<'_, '_>, kind: Kind, window: Option<Timespan>) -> Option<RuleSettings> {
    let file = r.file;
    let rule_keys =
        ["severity", "enabled", "schedule", "incident", "custom_details", "alert_details", "event_grouping"];
    if kind == Kind::Hunting {
        // `severity` is read by the caller: hunting queries may carry one.
        for key in rule_keys.into_iter().filter(|k| *k != "severity") {
            if let Some(range) = r.has(key) {
                r.diags.push(diag(
                    codes::NOT_FOR_KIND,
                    file,
                    range,
                    format!("`{key}` only applies to analytic rules"),
                    "not used by hunting queries",
                    "remove it, or make the item `kind = \"scheduled\"` or `\"nrt\"` if its model supports that",
                ));
            }
        }
        return None;
    }
    let severity = match r.one_of("severity", SEVERITIES) {
        Some((s, _)) => s,
        None => {
            if r.has("severity").is_none() {
                r.missing("severity", "\"Medium\"");
            }
            return None;
        }
    };
    let enabled = r.bool("enabled").is_none_or(|b| b.0);
    let schedule = match (kind, r.table("schedule")) {
        (Kind::Nrt, Some((_, range))) => {
            r.diags.push(diag(
                codes::NOT_FOR_KIND,
                file,
                range,
                "`[schedule]` does not apply to NRT rules".into(),
                "NRT rules run every minute",
                "remove `[schedule]`; NRT rules have no frequency, period or trigger",
            ));
            None
        }
        (Kind::Nrt, None) => None,
        (_, Some((table, range))) => read_schedule(file, table, range, window, &mut r.diags),
        (_, None) => {
            r.missing("schedule", "{ frequency = \"1h\", trigger = { operator = \"gt\", threshold = 0 } }");
            None
        }
    };
    let incident_table = r.table("incident");
    let incident_written = incident_table.is_some();
    let incident = incident_table.map(|(t, _)| read_incident(file, t, &mut r.diags)).unwrap_or_default();
    let custom_details =
        r.table("custom_details").map(|(t, _)| read_custom_details(file, t, &mut r.diags)).unwrap_or_default();
    let alert_details = r.table("alert_details").map(|(t, _)| read_alert_details(file, t, &mut r.diags));
    let event_grouping = r.one_of("event_grouping", AGGREGATION_KINDS).map(|(s, _)| s);
    if kind == Kind::Scheduled && schedule.is_none() {
        return None;
    }
    Some(RuleSettings {
        severity,
        enabled,
        schedule,
        incident,
        incident_written,
        custom_details,
        alert_details,
        event_grouping,
    })
}

fn read_schedule(
    file: FileId,
    table: &DeTable<'_>,
    range: TextRange,
    window: Option<Timespan>,
    out: &mut Vec<Diagnostic>,
) -> Option<Schedule> {
    let mut r = TableReader::new(file, table, range, "[schedule]");
    let frequency = r.timespan("frequency");
    if frequency.is_none() && r.has("frequency").is_none() {
        r.missing("frequency", "\"1h\"");
    }
    let period = r.timespan("period");
    let suppression = r.timespan("suppression");
    let trigger = r.table("trigger");
    let (mut operator, mut threshold) = ("gt", 0);
    if let Some((t, trange)) = trigger {
        let mut tr = TableReader::new(file, t, trange, "`trigger`");
        if let Some((op, _)) = tr.one_of("operator", TRIGGER_OPERATORS) {
            operator = op;
        }
        if let Some((n, nrange)) = tr.int("threshold") {
            if !limits::TRIGGER_THRESHOLD.contains(&n) {
                tr.diags.push(diag(
                    codes::INVALID_SCHEDULE,
                    file,
                    nrange,
                    "`threshold` must be 0 to 10000".into(),
                    "out of range",
                    "Sentinel accepts trigger thresholds from 0 to 10000",
                ));
            }
            threshold = n;
        }
        r.diags.extend(tr.finish());
    }
    let mut diags = r.finish();
    for (name, value) in [("frequency", &frequency), ("period", &period)] {
        if let Some((t, range)) = value
            && (!limits::QUERY_WINDOW_SECONDS.contains(&t.seconds()) || t.whole_minutes().is_none())
        {
            diags.push(diag(
                codes::INVALID_SCHEDULE,
                file,
                *range,
                format!("`{name}` must be whole minutes between 5m and 14d"),
                "out of range",
                "Sentinel runs scheduled queries every 5 minutes at most and looks back 14 days at most",
            ));
        }
    }
    // The period: derived from the model's window, or checked against it.
    let period_derived = period.is_none() && window.is_some();
    let period = match (period, window) {
        (Some((p, prange)), Some(w)) if p < w => {
            diags.push(diag(
                codes::QUERY_PERIOD_TOO_SHORT,
                file,
                prange,
                format!("`period` {p} is shorter than the {w} the query looks back over"),
                "events older than this are not in the rule's data",
                &format!(
                    "set `period = \"{w}\"` or remove it to derive it from the model, or shorten the model's window"
                ),
            ));
            Some((p, prange))
        }
        (Some(p), _) => Some(p),
        (None, Some(w)) => Some((w, range)),
        (None, None) => frequency.map(|(f, _)| (f, range)),
    };
    if let (Some((f, frange)), Some((p, prange))) = (frequency, period) {
        if p < f {
            diags.push(
                diag(
                    codes::INVALID_SCHEDULE,
                    file,
                    prange,
                    format!("`period` {p} is shorter than `frequency` {f}"),
                    "events between runs would never be queried",
                    "make the period at least as long as the frequency",
                )
                .with_secondary(file, frange, "frequency set here"),
            );
        }
        if p.seconds() >= limits::LONG_PERIOD_SECONDS && f.seconds() < limits::MIN_FREQUENCY_FOR_LONG_PERIOD {
            diags.push(diag(
                codes::INVALID_SCHEDULE,
                file,
                frange,
                format!("`frequency` {f} is too short for a {p} period"),
                "queries over 2 days or more may run at most hourly",
                "set `frequency` to at least \"1h\"",
            ));
        }
    }
    if let Some((s, srange)) = suppression
        && !limits::SUPPRESSION_SECONDS.contains(&s.seconds())
    {
        diags.push(diag(
            codes::INVALID_SCHEDULE,
            file,
            srange,
            "`suppression` must be between 5m and 24h".into(),
            "out of range",
            "Sentinel suppresses a rule for 5 minutes to 24 hours after it fires",
        ));
    }
    let failed = crate::diag::has_errors(&diags);
    out.append(&mut diags);
    if failed {
        return None;
    }
    Some(Schedule {
        frequency: frequency?.0,
        period: period?.0,
        trigger_operator: operator,
        trigger_threshold: threshold,
        suppression: suppression.map(|s| s.0),
        period_derived,
    })
}

fn read_incident(file: FileId, table: &DeTable<'_>, out: &mut Vec<Diagnostic>) -> Incident {
    let mut incident = Incident::default();
    let mut r = TableReader::new(file, table, TextRange::default(), "[incident]");
    if let Some((b, _)) = r.bool("create") {
        incident.create = b;
    }
    if let Some((g, grange)) = r.table("grouping") {
        let mut gr = TableReader::new(file, g, grange, "`grouping`");
        let gp = &mut incident.grouping;
        gp.enabled = gr.bool("enabled").is_none_or(|b| b.0);
        if let Some((m, _)) = gr.one_of("matching", MATCHING_METHODS) {
            gp.matching = m;
        }
        if let Some((t, trange)) = gr.timespan("lookback") {
            if t < Timespan::from_minutes(5) || t > Timespan::from_days(7) {
                gr.diags.push(diag(
                    codes::INVALID_SCHEDULE,
                    file,
                    trange,
                    "grouping `lookback` must be between 5m and 7d".into(),
                    "out of range",
                    "Sentinel groups alerts into incidents over 5 minutes to 7 days",
                ));
            }
            gp.lookback = t;
        }
        gp.reopen = gr.bool("reopen").is_some_and(|b| b.0);
        gp.entities = gr.string_list("entities").into_iter().map(|e| e.0).collect();
        gp.details = gr.string_list("details").into_iter().map(|e| e.0).collect();
        gp.custom_details = gr.string_list("custom_details").into_iter().map(|e| e.0).collect();
        r.diags.extend(gr.finish());
    }
    out.extend(r.finish());
    incident
}

fn read_custom_details(file: FileId, table: &DeTable<'_>, out: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let mut details = Vec::new();
    for (key, value) in table.iter() {
        let k = key.get_ref().to_string();
        let krange = TextRange::from(key.span());
        let Some(column) = value.get_ref().as_str() else {
            out.push(diag(
                codes::WRONG_TYPE,
                file,
                TextRange::from(value.span()),
                format!("custom detail `{k}` must name a column (a string)"),
                "not a string",
                "write `Key = \"Column\"`",
            ));
            continue;
        };
        if !limits::is_custom_detail_key(&k) {
            out.push(diag(
                codes::INVALID_CUSTOM_DETAILS,
                file,
                krange,
                format!("custom detail key `{k}` is not allowed"),
                "1 to 20 letters, digits or `_`, starting with a letter",
                "rename the key, e.g. `VirtualMachine`",
            ));
        }
        if !limits::is_column_name(column) {
            out.push(diag(
                codes::INVALID_CUSTOM_DETAILS,
                file,
                TextRange::from(value.span()),
                format!("custom detail value `{column}` is not a column name"),
                "letters, digits or `_`, at most 500",
                "name a column the query outputs",
            ));
        }
        details.push((k, column.to_string()));
    }
    if details.len() > limits::CUSTOM_DETAILS_MAX {
        out.push(Diagnostic::new(
            codes::INVALID_CUSTOM_DETAILS,
            format!("{} custom details, at most 20 allowed", details.len()),
        ));
    }
    details
}

fn read_alert_details(file: FileId, table: &DeTable<'_>, out: &mut Vec<Diagnostic>) -> AlertDetails {
    let mut r = TableReader::new(file, table, TextRange::default(), "[alert_details]");
    let check_format = |r: &mut TableReader<'_, '_>, key: &'static str, max: usize| {
        let (text, range) = r.string(key, false, "")?;
        let placeholders = limits::placeholders(&text);
        if text.trim().is_empty() || text.len() > max || placeholders > limits::ALERT_PLACEHOLDERS_MAX {
            r.diags.push(diag(
                codes::INVALID_ALERT_DETAILS,
                file,
                range,
                format!("`{key}` must be 1 to {max} characters with at most 3 `{{{{Column}}}}` placeholders"),
                &format!("{} characters, {placeholders} placeholders", text.len()),
                "shorten the text or use fewer placeholders",
            ));
        }
        Some(text)
    };
    let name_format = check_format(&mut r, "name_format", limits::ALERT_NAME_FORMAT_MAX);
    let description_format = check_format(&mut r, "description_format", limits::ALERT_DESCRIPTION_FORMAT_MAX);
    let tactics_column = r.string("tactics_column", false, "").map(|s| s.0);
    let severity_column = r.string("severity_column", false, "").map(|s| s.0);
    let mut dynamic_properties = Vec::new();
    for (t, trange) in r.table_array("dynamic_properties") {
        let mut dr = TableReader::new(file, t, trange, "`dynamic_properties` entry");
        let property = dr.one_of("property", ALERT_PROPERTIES);
        let column = dr.string("column", true, "\"Column\"");
        if let (Some((p, _)), Some((c, _))) = (property, column) {
            dynamic_properties.push((p.to_string(), c));
        }
        r.diags.extend(dr.finish());
    }
    out.extend(r.finish());
    AlertDetails { name_format, description_format, tactics_column, severity_column, dynamic_properties }
}

/// `[[entities]]` entries, checked against the entity table.
pub fn read_entities(r: &mut TableReader<'_, '_>) -> Option<Vec<EntityMapping>> {
    let file = r.file;
    let tables = r.table_array("entities");
    if tables.is_empty() {
        return None;
    }
    let mut mappings = Vec::new();
    let mut diags = Vec::new();
    if tables.len() > limits::ENTITY_MAPPINGS_MAX {
        diags.push(diag(
            codes::INVALID_ENTITY_MAPPING,
            file,
            tables[10].1,
            format!("{} entity mappings, at most 10 allowed", tables.len()),
            "the 11th mapping",
            "merge or drop mappings",
        ));
    }
    for (t, trange) in tables {
        let mut er = TableReader::new(file, t, trange, "`[[entities]]` entry");
        let ty = er.string("type", true, "\"Account\"");
        let fields = er.table("fields");
        diags.extend(er.finish());
        let (Some((ty, ty_range)), Some((fields, frange))) = (ty, fields) else { continue };
        let Some(entity) = crate::sentinel::entities::entity_type(&ty) else {
            let names: Vec<&str> = crate::sentinel::entities::ENTITY_TYPES.iter().map(|e| e.name).collect();
            diags.push(diag(
                codes::INVALID_ENTITY_MAPPING,
                file,
                ty_range,
                format!("unknown entity type `{ty}`"),
                "not a Sentinel entity type",
                &format!("use one of: {}", names.join(", ")),
            ));
            continue;
        };
        let mut pairs = Vec::new();
        for (k, v) in fields.iter() {
            let ident = k.get_ref().to_string();
            let krange = TextRange::from(k.span());
            if !entity.identifiers.contains(&ident.as_str()) {
                diags.push(diag(
                    codes::INVALID_ENTITY_MAPPING,
                    file,
                    krange,
                    format!("`{ident}` is not an identifier of `{}`", entity.name),
                    "unknown identifier",
                    &format!("identifiers of {}: {}", entity.name, entity.identifiers.join(", ")),
                ));
                continue;
            }
            match v.get_ref().as_str() {
                Some(col) if limits::is_column_name(col) => pairs.push((ident, col.to_string())),
                _ => diags.push(diag(
                    codes::INVALID_ENTITY_MAPPING,
                    file,
                    TextRange::from(v.span()),
                    format!("`{ident}` must name a column"),
                    "not a column name",
                    "write the name of a column the query outputs",
                )),
            }
        }
        if pairs.is_empty() || pairs.len() > limits::FIELD_MAPPINGS_MAX {
            diags.push(diag(
                codes::INVALID_ENTITY_MAPPING,
                file,
                frange,
                format!("an entity mapping has 1 to 3 fields, this one has {}", pairs.len()),
                "field count",
                "map one to three identifiers",
            ));
        }
        let mapped: Vec<&str> = pairs.iter().map(|p| p.0.as_str()).collect();
        if !pairs.is_empty() && !entity.has_required(&mapped) {
            let options: Vec<String> = entity.required.iter().map(|s| s.join(" + ")).collect();
            diags.push(diag(
                codes::INVALID_ENTITY_MAPPING,
                file,
                frange,
                format!("`{}` mapping lacks an identifying field", entity.name),
                "Sentinel cannot identify the entity from these fields",
                &format!("map one of: {}", options.join(" | ")),
            ));
        }
        mappings.push(EntityMapping { entity_type: entity.name.to_string(), fields: pairs });
    }
    r.diags.append(&mut diags);
    Some(mappings)
}
