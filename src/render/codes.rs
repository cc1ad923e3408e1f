//! The `TPL` codes: problems found while rendering a Tera query template.

crate::code_table! {
    /// Every `TPL` code.
    pub const TEMPLATE;
    /// What: a Tera template could not be parsed or rendered.
    ///
    /// Why: the query of the item cannot be produced.
    ///
    /// Example: an unclosed `{% if %}` block, or a filter applied to a value of
    /// the wrong type.
    ///
    /// Fix: correct the template at the position shown.
    TEMPLATE_ERROR = ("TPL001", "template-error", Error);
    /// What: a template uses a variable the render context does not define.
    ///
    /// Why: undefined variables are errors, never empty strings: an empty
    /// threshold would change the meaning of the query.
    ///
    /// Example: `{{ params.min_comands | kql_int }}`.
    ///
    /// Fix: use a parameter the model defines (`sentinel-forge templates MODEL`).
    UNDEFINED_VARIABLE = ("TPL002", "undefined-variable", Error);
    /// What: a template prints a value without a KQL escaping filter.
    ///
    /// Why: parameter values must reach KQL only through the escaping
    /// filters (`kql_string`, `kql_list`, `kql_timespan`, `kql_int`,
    /// `kql_real`, `kql_bool`), so no value can change the structure of a
    /// query (KQL injection).
    ///
    /// Example: `| where Caller == "{{ params.caller }}"`.
    ///
    /// Fix: `| where Caller == {{ params.caller | kql_string }}`.
    UNESCAPED_VALUE = ("TPL003", "unescaped-value", Error);
}
