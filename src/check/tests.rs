use super::*;
use crate::kql;

fn run(text: &str) -> CheckResult {
    let parsed = kql::parse(text);
    assert!(parsed.errors.is_empty(), "syntax errors in test query: {:?}", parsed.errors);
    check(&parsed.query, Catalog::builtin())
}

/// `CODE@snippet: message [help]` per diagnostic, for compact assertions.
fn diags(text: &str) -> Vec<String> {
    run(text)
        .diagnostics
        .iter()
        .map(|d| {
            let at = &text[d.range.as_usize_range()];
            let help = d.help.as_deref().map(|h| format!(" [{h}]")).unwrap_or_default();
            format!("{}@{at}: {}{help}", d.code.code(), d.message)
        })
        .collect()
}

fn schema(text: &str) -> Vec<(String, String)> {
    let r = run(text);
    r.output_columns
        .expect("closed schema")
        .into_iter()
        .map(|(n, t)| (n, t.map_or("?".to_string(), |t| t.name().to_string())))
        .collect()
}

fn cols(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn misspelt_table_column_and_function_each_get_did_you_mean() {
    assert_eq!(
        diags("SigninLog | take 1"),
        ["SEM001@SigninLog: unknown table `SigninLog` [did you mean `SigninLogs`?]"]
    );
    assert_eq!(
        diags("SigninLogs | where UserPrincipleName == 'a'"),
        ["SEM002@UserPrincipleName: unknown column `UserPrincipleName` [did you mean `UserPrincipalName`?]"]
    );
    assert_eq!(
        diags("SigninLogs | extend u = tostirng(UserId)"),
        ["SEM003@tostirng: unknown function `tostirng` [did you mean `tostring`?]"]
    );
}

#[test]
fn valid_queries_are_clean() {
    for q in [
        "let t = 1d; SigninLogs | where TimeGenerated > ago(t) | summarize count() by UserPrincipalName | where count_ > 5",
        "SecurityEvent | summarize arg_max(TimeGenerated, *) by Computer | project Computer, Account, TimeGenerated",
        "SigninLogs | join kind=inner (AuditLogs | project OperationName, CorrelationId) on CorrelationId | project CorrelationId1, OperationName",
        "SigninLogs | join (AuditLogs) on $left.UserId == $right.Id | take 1",
        "SigninLogs | extend d = parse_json(DeviceDetail) | extend os = tostring(d.operatingSystem) | where os has 'Win'",
        "SigninLogs | mv-expand p = parse_json(ConditionalAccessPolicies) | extend n = tostring(p.displayName)",
        "SigninLogs | evaluate bag_unpack(DeviceDetail) | where anything == 1",
        "let f = (T:(*), n:int) { T | take n }; SigninLogs | invoke f(3) | project UserPrincipalName",
        "let g = (x:string) { strlen(x) }; print g('abc')",
        "union SigninLogs, AuditLogs | summarize count() by Type",
        "datatable(a:int, b:string)[1, 'x'] | where a > 0 | project b",
        "range x from 1 to 10 step 1 | extend y = x * 2",
        "SigninLogs | parse UserAgent with * 'Windows ' version:string ')' * | project version",
        "SigninLogs | summarize makeset(UserPrincipalName) by bin(TimeGenerated, 1h) | project set_UserPrincipalName, TimeGenerated",
        "SigninLogs | make-series n = count() on TimeGenerated step 1h by AppDisplayName | project n, TimeGenerated, AppDisplayName",
        "SigninLogs | project-rename Upn = UserPrincipalName | where Upn != ''",
        "SigninLogs | lookup (AuditLogs | project CorrelationId, OperationName) on CorrelationId | project OperationName",
        "let x = toscalar(SigninLogs | summarize max(TimeGenerated)); SigninLogs | where TimeGenerated == x",
        "SigninLogs | getschema | project ColumnName",
        "SigninLogs | where TimeGenerated between (ago(1d) .. now()) | count",
    ] {
        let errors: Vec<_> = diags(q).into_iter().filter(|d| !d.starts_with("SEM012")).collect();
        assert!(errors.is_empty(), "{q}\n{errors:?}");
    }
}

#[test]
fn operators_shape_the_output_schema() {
    assert_eq!(
        schema("SigninLogs | summarize n = count(), max(TimeGenerated), dcount(UserId) by AppDisplayName"),
        cols(&[
            ("AppDisplayName", "string"),
            ("n", "long"),
            ("max_TimeGenerated", "datetime"),
            ("dcount_UserId", "long")
        ])
    );
    assert_eq!(
        schema(
            "SigninLogs | project UserId, AppId | join kind=inner (SigninLogs | project UserId, Ip = IPAddress) on UserId"
        ),
        cols(&[("UserId", "string"), ("AppId", "string"), ("UserId1", "string"), ("Ip", "string")])
    );
    assert_eq!(
        schema("SigninLogs | project UserId | join kind=leftanti (AuditLogs) on $left.UserId == $right.Id"),
        cols(&[("UserId", "string")])
    );
    assert_eq!(
        schema("print a = 1, 'x', now() - 1h"),
        cols(&[("a", "long"), ("print_1", "string"), ("print_2", "datetime")])
    );
    assert_eq!(
        schema(
            "SigninLogs | project UserId, TimeGenerated | extend UserId = strlen(UserId), Age = now() - TimeGenerated"
        ),
        cols(&[("UserId", "long"), ("TimeGenerated", "datetime"), ("Age", "timespan")])
    );
    assert_eq!(
        schema("SigninLogs | project UserId | mv-expand with_itemindex=i x = dynamic([1]) to typeof(long)"),
        cols(&[("UserId", "string"), ("x", "long"), ("i", "long")])
    );
    assert_eq!(schema("SigninLogs | count"), cols(&[("Count", "long")]));
}

#[test]
fn open_schemas_stop_column_checks() {
    assert!(run("SigninLogs | evaluate bag_unpack(DeviceDetail) | project foo").diagnostics.is_empty());
    assert!(run("SigninLogs | evaluate bag_unpack(DeviceDetail)").output_columns.is_none());
    assert!(run("search 'x' | where Whatever == 1").diagnostics.is_empty());
}

#[test]
fn type_errors_are_reported_at_the_argument_or_operator() {
    assert_eq!(
        diags("SigninLogs | summarize count(UserId)"),
        ["SEM005@UserId: argument 1 of `count` must be bool, not `string`"]
    );
    assert_eq!(
        diags("SigninLogs | where TimeGenerated > 'abc'"),
        [
            "SEM006@TimeGenerated > 'abc': operator `>` is not defined for `datetime` and `string` [convert one side, e.g. with todatetime(), tostring() or tolong()]"
        ]
    );
    assert_eq!(diags("SigninLogs | where UserId"), ["SEM007@UserId: the `where` predicate is `string`, not `bool`"]);
    assert_eq!(
        diags("SigninLogs | where ResultType = \"0\""),
        ["SEM007@ResultType = \"0\": the `where` predicate is `string`, not `bool` \
             [a single `=` does not compare; use `==`: `where ResultType == \"0\"`]"]
    );
    assert_eq!(
        diags("SigninLogs | extend n = count()"),
        [
            "SEM008@count: aggregate function `count` is only allowed in `summarize` and similar operators [aggregate with `summarize`, or compute it with `toscalar(T | summarize ...)`]"
        ]
    );
    assert_eq!(diags("print ago()"), ["SEM004@ago: function `ago` expects 1 argument, got 0"]);
    assert_eq!(
        diags("SigninLogs | project A = 1, A = 2"),
        ["SEM009@A: column `A` is already declared [rename one of them]"]
    );
}

#[test]
fn scope_errors_follow_project_join_and_let() {
    assert_eq!(diags("SigninLogs | project UserId | where AppId == ''"), ["SEM002@AppId: unknown column `AppId`"]);
    assert_eq!(
        diags("SigninLogs | project UserId | join (AuditLogs) on UserId"),
        [
            "SEM013@UserId: join key `UserId` is not a column of the right side [join with `$left.A == $right.B`, or project the key on both sides]"
        ]
    );
    assert_eq!(
        diags("let a = 1; let a = 2; print a"),
        ["SEM011@a: `a` is already declared [rename one of the declarations]"]
    );
    assert_eq!(
        diags("SigninLogs | project-rename X = tostring(UserId)"),
        [
            "SEM010@tostring(UserId): `project-rename` expects a column name here [compute values with `extend` or `project`]"
        ]
    );
    assert_eq!(
        diags("SigninLogs | summarize makeset(UserId)"),
        ["SEM012@makeset: `makeset` is deprecated [use `make_set`]"]
    );
}

#[test]
fn rendered_diagnostics_snapshot() {
    let text = "let window = 1d;\nSigninLog | take 1;\nSigninLogs\n| where TimeGenerated > ago(window)\n| extend u = tostirng(UserPrincipleName)";
    insta::assert_snapshot!(diags(text).join("\n"));
}

#[test]
fn arrays_and_bags_are_not_strings_but_plain_dynamic_columns_pass() {
    assert_eq!(
        diags("SigninLogs | summarize s = make_set(UserId) | extend d = todynamic(s)"),
        ["SEM005@s: argument 1 of `todynamic` must be string, not `dynamic array or bag`"]
    );
    assert!(diags("SigninLogs | extend d = todynamic(DeviceDetail) | extend n = tostring(d.x)").is_empty());
    assert!(diags("print s = strcat_array(dynamic(['a']), ',')").is_empty());
}

#[test]
fn union_legs_without_a_known_table_add_no_columns_and_no_error() {
    assert!(diags("union SigninLogs, NoSuchTable_CL | project UserId").is_empty());
    assert!(diags("union isfuzzy=true (NoSuchTable_CL | where x == 1), AuditLogs | take 1").is_empty());
    assert_eq!(
        diags("union SigninLogs, AuditLogs | where NoSuchColumn == 1"),
        ["SEM002@NoSuchColumn: unknown column `NoSuchColumn`"]
    );
    assert_eq!(diags("union isfuzzy=true (SigninLogs | where Foo == 1)"), ["SEM002@Foo: unknown column `Foo`"]);
}

#[test]
fn sentinel_workspace_functions_are_known_to_the_builtin_catalog_only() {
    for q in [
        "_GetWatchlist('HighValue') | project SearchKey",
        "imDns | where ResponseCodeName == 'NXDOMAIN'",
        "_Im_Dns(starttime=ago(1h)) | take 1",
        "DeviceFileEvents | invoke FileProfile(SHA1, 1000) | where GlobalPrevalence < 5",
    ] {
        assert!(diags(q).is_empty(), "{q}: {:?}", diags(q));
    }
    let bare = Catalog::from_csv("table_name,column_name,column_type\n".to_string()).unwrap();
    let parsed = kql::parse("_GetWatchlist('HighValue') | take 1");
    let codes: Vec<_> = check(&parsed.query, &bare).diagnostics.iter().map(|d| d.code.code()).collect();
    assert_eq!(codes, ["SEM003"]);
    assert!(!Catalog::builtin().knows_function("import"), "prefix patterns need an upper-case continuation");
}

fn declared(toml: &str) -> Catalog {
    let mut sources = crate::source::SourceMap::new();
    let file = sources.add("sentinel-forge.toml".to_string(), toml.to_string());
    let (catalog, diags) = project_catalog(file, toml, std::path::Path::new("."));
    assert!(diags.is_empty(), "{diags:?}");
    catalog.expect("a [catalog] section")
}

#[test]
fn declared_functions_check_arity_and_give_their_columns_and_lets_shadow_them() {
    let catalog = declared(
        "[[catalog.functions]]\nname = \"AppSignins\"\nparams = \"starttime:datetime, user:string='*'\"\n\
         columns = { TimeGenerated = \"datetime\", User = \"string\" }\n\
         [[catalog.functions]]\nname = \"Loose\"\nparams = \"(n:long)\"\n",
    );
    let run = |q: &str| {
        let parsed = kql::parse(q);
        assert!(parsed.errors.is_empty(), "{q}");
        check(&parsed.query, &catalog)
    };
    let r = run("AppSignins(ago(1d)) | project User");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.output_schema, Some(vec![("User".to_string(), ScalarType::String)]));
    assert!(r.calls_workspace_function);
    let codes = |r: &CheckResult| r.diagnostics.iter().map(|d| d.code.code()).collect::<Vec<_>>();
    assert_eq!(codes(&run("AppSignins()")), ["SEM004"], "starttime has no default");
    assert_eq!(codes(&run("AppSignins(ago(1d)) | project Usr")), ["SEM002"]);
    // Declared without columns: the result is unknown, the arity still checked.
    assert!(run("Loose(3) | project Anything").diagnostics.is_empty());
    assert_eq!(codes(&run("Loose(1, 2)")), ["SEM004"]);
    // A `let` of the same name shadows the workspace function (no SEM011).
    let r = run("let AppSignins = SigninLogs | project UserPrincipalName; AppSignins | take 1");
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(!r.calls_workspace_function);
    assert_eq!(r.tables, ["SigninLogs"]);
}

#[test]
fn declared_tables_and_watchlists_resolve_before_the_builtin_ones() {
    let catalog = declared(
        "[[catalog.tables]]\nname = \"MyApp_CL\"\ncolumns = { TimeGenerated = \"datetime\", User_s = \"string\" }\n\
         [[catalog.watchlists]]\nalias = \"VIP\"\ncolumns = { Upn = \"string\" }\n",
    );
    let parsed =
        kql::parse("MyApp_CL | join (_GetWatchlist('VIP') | project Upn, SearchKey) on $left.User_s == $right.Upn");
    let r = check(&parsed.query, &catalog);
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert_eq!(r.tables, ["MyApp_CL"]);
    assert!(!r.calls_workspace_function, "a watchlist reads no table");
    assert_eq!(catalog.suggest("MyApp_Cl"), Some("MyApp_CL"));
    // An undeclared watchlist stays unknown rather than guessed.
    let parsed = kql::parse("_GetWatchlist('Other') | project Anything");
    assert!(check(&parsed.query, &catalog).diagnostics.is_empty());
}

#[test]
fn custom_tables_json_reads_azure_sentinel_files_case_insensitively() {
    let tables = declarations::custom_tables_json(
        r#"{"Name": "T_CL", "Properties": [{"name": "TimeGenerated", "type": "DateTime"}, {"Name": "N", "Type": "Double"}]}"#,
    )
    .unwrap();
    assert_eq!(
        tables,
        [(
            "T_CL".to_string(),
            vec![("TimeGenerated".to_string(), ScalarType::DateTime), ("N".to_string(), ScalarType::Real)]
        )]
    );
    assert!(declarations::custom_tables_json(r#"{"Name": "T"}"#).unwrap_err().contains("Properties"));
}

#[test]
#[ignore = "needs ../shared/reference/sentinel/custom-tables"]
fn azure_sentinel_custom_tables_files_read() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/sentinel/custom-tables");
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
    assert!(!entries.is_empty());
    for entry in entries {
        let text = std::fs::read_to_string(entry.path()).unwrap();
        assert!(declarations::custom_tables_json(&text).is_ok(), "{}", entry.path().display());
    }
}
