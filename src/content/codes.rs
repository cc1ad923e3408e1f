//! The `CNT` codes: problems in content and environment TOML (and in the
//! `--set` arguments that are read like it). Codes are never reused; each
//! has What/Why/Example/Fix documentation that `explain` prints.

crate::code_table! {
    /// Every `CNT` code.
    pub const CONTENT;
    /// What: a content file is not valid TOML.
    ///
    /// Why: nothing in the file can be read, so the item it defines is skipped.
    ///
    /// Example: `min_commands = 5 5` or an unterminated string `name = "spike`.
    ///
    /// Fix: correct the syntax at the position shown; `taplo fmt` or an editor
    /// with the schema from `sentinel-forge schema` catches it while typing.
    TOML_SYNTAX = ("CNT001", "toml-syntax", Error);
    /// What: a key that the content format (or the `[params]` of the chosen
    /// model) does not define.
    ///
    /// Why: a misspelt key would otherwise be ignored silently and the query
    /// would run with the default you meant to change.
    ///
    /// Example: `min_comands = 5` in `[params]` of `run_command_spike`.
    ///
    /// Fix: use one of the keys listed in the help line, or
    /// `sentinel-forge templates MODEL` for the model's parameters.
    UNKNOWN_KEY = ("CNT002", "unknown-key", Error);
    /// What: a value of the wrong TOML type.
    ///
    /// Why: each key and parameter has one type (string, integer, list of
    /// strings, timespan string...), checked before anything is rendered.
    ///
    /// Example: `min_commands = "5"` (a string where an integer is expected).
    ///
    /// Fix: write the value with the type named in the message.
    WRONG_TYPE = ("CNT003", "wrong-type", Error);
    /// What: a required key is missing.
    ///
    /// Why: `id`, `name`, `kind`, `template` and `description` identify and
    /// describe every item; some model parameters have no default.
    ///
    /// Example: a content file without `id = "..."`.
    ///
    /// Fix: add the key; `sentinel-forge new TEMPLATE --name NAME` writes a
    /// complete file with a fresh id.
    MISSING_KEY = ("CNT004", "missing-key", Error);
    /// What: a value outside the range its parameter allows.
    ///
    /// Why: ranges encode what the query can mean: a negative count, a
    /// probability above 1 or a 40-bit IPv4 mask would produce a query that
    /// silently matches everything or nothing.
    ///
    /// Example: `min_commands = -1`, `jaccard_threshold = 1.5`,
    /// `ip_mask_bits = 40`, an empty `monitored_operations = []`.
    ///
    /// Fix: use a value inside the range printed in the help line.
    OUT_OF_RANGE = ("CNT005", "out-of-range", Error);
    /// What: two content items share an `id`.
    ///
    /// Why: Sentinel identifies a rule or hunting query by its id; two items
    /// with one id overwrite each other when deployed.
    ///
    /// Example: a file copied to make a variant without changing its `id`.
    ///
    /// Fix: give the new item a fresh GUID (`uuidgen`, or `sentinel-forge new`).
    DUPLICATE_ID = ("CNT006", "duplicate-id", Error);
    /// What: two content items of one Sentinel resource type share a `name`
    /// (two hunting queries, or two analytic rules: scheduled and NRT rules
    /// are both alert rules).
    ///
    /// Why: the name is what analysts see in the portal; two identical names
    /// cannot be told apart in the hunting blade or in incidents. A hunting
    /// query and an analytic rule may share a name, as Sentinel allows.
    ///
    /// Example: two tunings of one model both named "Run Command spike".
    ///
    /// Fix: name each item after what makes it different.
    DUPLICATE_NAME = ("CNT007", "duplicate-name", Error);
    /// What: an `id` that is not a lower-case GUID in 8-4-4-4-12 form.
    ///
    /// Why: Sentinel and the Azure-Sentinel CI parse ids as GUIDs, and the
    /// repository convention (and our id comparison) is lower case.
    ///
    /// Example: `id = "run-command-spike"` or `id = "4F3C..."`.
    ///
    /// Fix: use a fresh lower-case GUID; never change the id of a deployed item.
    INVALID_GUID = ("CNT008", "invalid-guid", Error);
    /// What: `template` names no built-in model.
    ///
    /// Why: the model supplies the query template and the parameter types.
    ///
    /// Example: `template = "run_comand_spike"`.
    ///
    /// Fix: pick a model from `sentinel-forge templates`.
    UNKNOWN_TEMPLATE = ("CNT009", "unknown-template", Error);
    /// What: a `kind` that is unknown, or that the chosen model does not support.
    ///
    /// Why: `hunting`, `scheduled` and `nrt` produce different documents;
    /// a model states which of them its query is written for.
    ///
    /// Example: `kind = "hunt"`, or `kind = "nrt"` for a hunting-only model.
    ///
    /// Fix: use one of the kinds listed in the help line.
    INVALID_KIND = ("CNT010", "invalid-kind", Error);
    /// What: a timespan that cannot be read.
    ///
    /// Why: windows and lookbacks are written `<integer><unit>` with unit
    /// `s`, `m`, `h` or `d`, exactly as KQL timespan literals and Sentinel
    /// YAML durations are.
    ///
    /// Example: `window = "15 minutes"` or `lookback = "P30D"`.
    ///
    /// Fix: write `15m`, `1h`, `30d`.
    INVALID_TIMESPAN = ("CNT011", "invalid-timespan", Error);
    /// What: a tactic that is not a MITRE ATT&CK tactic known to Sentinel.
    ///
    /// Why: Sentinel rejects unknown tactics; names are PascalCase without
    /// spaces.
    ///
    /// Example: `tactics = ["Lateral Movement"]`.
    ///
    /// Fix: use a name from the list in the help line (`LateralMovement`).
    UNKNOWN_TACTIC = ("CNT012", "unknown-tactic", Error);
    /// What: a technique id that is not `T####` or `T####.###`.
    ///
    /// Why: Sentinel and the Azure-Sentinel CI parse technique ids by that form.
    ///
    /// Example: `techniques = ["1651"]` or `["T1078-004"]`.
    ///
    /// Fix: write `T1651` or `T1078.004`.
    INVALID_TECHNIQUE = ("CNT013", "invalid-technique", Error);
    /// What: a `version` that is not `MAJOR.MINOR.PATCH`.
    ///
    /// Why: the Azure-Sentinel CI requires `^\d+\.\d+\.\d+$` and Sentinel
    /// uses it to offer template updates.
    ///
    /// Example: `version = "1.0"`.
    ///
    /// Fix: write `version = "1.0.0"`.
    INVALID_VERSION = ("CNT014", "invalid-version", Error);
    /// What: a non-ASCII character in a text that reaches the output.
    ///
    /// Why: the Azure-Sentinel CI rejects any non-ASCII character in rule and
    /// hunting YAML (smart quotes pasted from a blog are the usual culprit).
    ///
    /// Example: `description = "Detects “hands-on-keyboard” activity"`.
    ///
    /// Fix: replace the character with its ASCII equivalent (`"`, `'`, `-`).
    NON_ASCII = ("CNT015", "non-ascii", Error);
    /// What: a text field that is empty or too long.
    ///
    /// Why: Sentinel limits `name` to 256 and `description` to 5000
    /// characters, and an empty one is rejected.
    ///
    /// Example: `name = ""`.
    ///
    /// Fix: shorten or fill in the text.
    BAD_TEXT_LENGTH = ("CNT016", "bad-text-length", Error);
    /// What: two content files would write the same output file name.
    ///
    /// Why: output names come from the content file's stem; two files named
    /// `spike.toml` in different folders would overwrite each other.
    ///
    /// Example: `content/a/spike.toml` and `content/b/spike.toml`.
    ///
    /// Fix: rename one of the files.
    DUPLICATE_SLUG = ("CNT017", "duplicate-slug", Error);
    /// What: a key that does not apply to the item's kind.
    ///
    /// Why: severity, schedules, incidents and alert settings belong to
    /// analytic rules; NRT rules have no schedule. Keeping them would suggest
    /// a behaviour Sentinel will not have.
    ///
    /// Example: `[schedule]` in a `kind = "hunting"` item, or in an NRT rule.
    ///
    /// Fix: remove the key, or change the item's kind.
    NOT_FOR_KIND = ("CNT018", "not-for-kind", Error);
    /// What: a rule schedule Sentinel does not accept.
    ///
    /// Why: frequency and period must be 5m..14d, the period at least the
    /// frequency, a period of 2 days or more needs a frequency of at least 1h,
    /// thresholds are 0..10000 and suppression 5m..24h (Azure-Sentinel CI
    /// S-6..S-8 and the service limits).
    ///
    /// Example: `frequency = "15m"` with `period = "3d"`.
    ///
    /// Fix: use values inside the limits in the message.
    INVALID_SCHEDULE = ("CNT019", "invalid-schedule", Error);
    /// What: a rule's `period` is shorter than the window its query looks
    /// back over.
    ///
    /// Why: Sentinel only gives the query `period` worth of data; a query
    /// that compares against 14 days of baseline in a 1-day period silently
    /// sees no baseline and fires on everything (or nothing). A classic
    /// production bug.
    ///
    /// Example: `run_command_unique_script` with `baseline = "14d"` and
    /// `period = "1d"`.
    ///
    /// Fix: remove `period` (it is derived from the model's window) or make it
    /// at least the window.
    QUERY_PERIOD_TOO_SHORT = ("CNT020", "query-period-too-short", Error);
    /// What: an entity mapping Sentinel would reject.
    ///
    /// Why: each mapping needs a known entity type, 1..3 known identifiers
    /// of that type forming an identifying set, and column names; at most 10
    /// mappings (Azure-Sentinel CI S-15).
    ///
    /// Example: `type = "Account"` with `fields = { UPN = "Caller" }`.
    ///
    /// Fix: use an identifier from the list in the help line.
    INVALID_ENTITY_MAPPING = ("CNT021", "unmappable-entity", Error);
    /// What: custom details Sentinel would reject.
    ///
    /// Why: at most 20 details; keys 1..20 letters, digits or `_` starting
    /// with a letter; values are column names (Azure-Sentinel CI S-14).
    ///
    /// Example: `"Virtual machine" = "VirtualMachineName"`.
    ///
    /// Fix: `VirtualMachine = "VirtualMachineName"`.
    INVALID_CUSTOM_DETAILS = ("CNT022", "invalid-custom-detail", Error);
    /// What: an alert details override Sentinel would reject.
    ///
    /// Why: name formats are 1..256 characters, description formats 1..5000,
    /// each with at most 3 `{{Column}}` placeholders (Azure-Sentinel CI S-17).
    ///
    /// Example: a name format with four placeholders.
    ///
    /// Fix: shorten it or use fewer placeholders.
    INVALID_ALERT_DETAILS = ("CNT023", "invalid-alert-format", Error);
    /// What: an environment overrides a content id or parameter that does
    /// not exist.
    ///
    /// Why: an override that matches nothing is a tuning that silently does
    /// not happen, typically after an item was renamed or a parameter
    /// misspelt.
    ///
    /// Example: `[overrides."<id of a deleted item>"]` or
    /// `params = { min_comands = 10 }`.
    ///
    /// Fix: use an id from `sentinel-forge list` and a parameter from
    /// `sentinel-forge templates MODEL`.
    UNKNOWN_OVERRIDE = ("CNT024", "unknown-override", Error);
    /// What: a technique none of whose tactics is listed in `tactics`.
    ///
    /// Why: the Azure-Sentinel CI rejects analytic rules whose techniques do
    /// not pair with a listed tactic (S-19, from its technique table); we
    /// apply it to every kind, as the CI misses NRT rules and hunting queries.
    ///
    /// Example: `tactics = ["LateralMovement"]` with `techniques = ["T1078.004"]`
    /// (T1078 belongs to InitialAccess, Persistence, PrivilegeEscalation and
    /// DefenseEvasion).
    ///
    /// Fix: add one of the technique's tactics, or drop the technique.
    TECHNIQUE_WITHOUT_TACTIC = ("CNT025", "technique-without-matching-tactic", Error);
    /// What: a content file larger than the 4 MiB limit; it is not parsed.
    ///
    /// Why: a content item is a few hundred bytes of TOML; a file of many
    /// megabytes is a mistake (a data file saved as `.toml`, a generated
    /// file gone wrong), and reading it would cost time and memory for
    /// thousands of diagnostics nobody reads.
    ///
    /// Example: a 23 MB `content/hunting/big.toml` with a million parameters.
    ///
    /// Fix: move the file out of the content directory, or split it into items.
    CONTENT_TOO_LARGE = ("CNT026", "content-file-too-large", Error);
    /// What: a symbolic link under the content directory that cannot be
    /// followed: it points to nothing, or back to a directory that contains it.
    ///
    /// Why: links are followed, so linked content is read like any other;
    /// a link that leads nowhere would otherwise make its items vanish
    /// without a word, and a loop would never end.
    ///
    /// Example: `content/shared -> ..` or a link to a deleted file.
    ///
    /// Fix: point the link at a real file or directory outside its own tree, or remove it.
    BROKEN_CONTENT_LINK = ("CNT027", "broken-content-link", Error);
    /// What: a `[[tests]]` case that cannot be run as written: `now` is
    /// not an ISO 8601 date and time, it states no expectation, or its
    /// expectations contradict each other (`min_rows` above `max_rows`,
    /// `rows` together with a bound).
    ///
    /// Why: a test that cannot fail proves nothing, and one whose `now`
    /// is unreadable would run against the wall clock and pass or fail by
    /// the day it runs.
    ///
    /// Example: `now = "yesterday"`, or a test with `name` and `data` only.
    ///
    /// Fix: pin `now = "2021-11-22T12:00:00Z"` and add `fires`, `rows`,
    /// `min_rows`/`max_rows`, `contains` or `columns`.
    INVALID_TEST = ("CNT028", "invalid-test", Error);
    /// What: an item still holds what `sentinel-forge new` wrote as a
    /// placeholder: the description "What the query finds and why it
    /// matters.", or an empty `tactics` list. A warning: the item generates.
    ///
    /// Why: a placeholder generates silently and ships: analysts read the
    /// placeholder as the rule's description, and a rule without tactics is
    /// missing from the MITRE ATT&CK coverage views.
    ///
    /// Example: `description = "What the query finds and why it matters."`
    /// or `tactics = []`.
    ///
    /// Fix: describe what the query finds and why it matters, and list the
    /// tactics it detects (`tactics = ["Execution"]`).
    PLACEHOLDER_LEFT = ("CNT029", "placeholder-left", Warning);
}
