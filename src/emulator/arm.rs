//! The emulated endpoints: routing, in-memory resources, api-version rules,
//! validation, paging and faults.

use std::collections::BTreeMap;

use hyper::http::request::Parts;
use serde_json::{Value, json};

use super::faults::{Fault, Faults, Rng};
use super::schema::{self, AlertRulesApi};
use super::{DropConnection, EmulatorOptions, Shared};
use crate::deploy::resource::ResourceType;

/// Request counters (what tests assert on).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// ARM requests received (including faulted ones and retries).
    pub requests: u64,
    /// PUT + DELETE requests received on resources.
    pub writes: u64,
    pub puts: u64,
    pub deletes: u64,
    /// GET requests (single and list pages).
    pub reads: u64,
    pub token_requests: u64,
    pub github_token_requests: u64,
    /// Injected faults, by class.
    pub throttled: u64,
    pub errors_500: u64,
    pub errors_503: u64,
    pub dropped: u64,
    pub permanent_failures: u64,
    /// 400s for bodies that fail the OpenAPI definitions or api-version rules.
    pub rejected: u64,
    /// Most ARM requests being served at the same time.
    pub max_in_flight: u64,
    /// Requests to the Log Analytics query endpoint (retries included).
    pub queries: u64,
    /// The `scope` of each token request, in order (which audience a
    /// credential asked for).
    pub token_scopes: Vec<String>,
    /// Properties dropped from PUT bodies because the api-version's
    /// definition does not declare them (`PUT {type} {name}: /properties/x`).
    pub dropped_properties: Vec<String>,
    /// 412s for an `If-Match` / `If-None-Match` that did not hold.
    pub precondition_failed: u64,
}

/// One Log Analytics workspace and what it holds.
#[derive(Debug, Default)]
pub struct Workspace {
    /// `/subscriptions/…/workspaces/{name}` as created.
    pub path: String,
    alert_rules: BTreeMap<String, Value>,
    saved_searches: BTreeMap<String, Value>,
}

impl Workspace {
    fn map(&mut self, rtype: ResourceType) -> &mut BTreeMap<String, Value> {
        match rtype {
            ResourceType::AlertRule => &mut self.alert_rules,
            ResourceType::SavedSearch => &mut self.saved_searches,
        }
    }
}

/// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.OperationalInsights/workspaces/{name}`.
pub fn workspace_path(subscription: &str, resource_group: &str, name: &str) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/{resource_group}/providers/Microsoft.OperationalInsights/workspaces/{name}"
    )
}

#[derive(Debug)]
pub struct State {
    in_flight: u64,
    /// Workspaces by lowercase path (ARM paths are case-insensitive).
    workspaces: BTreeMap<String, Workspace>,
    /// The workspace [`super::Emulator::insert`] and friends act on (the
    /// first one created).
    default_workspace: Option<String>,
    log: bool,
    pub stats: Stats,
    faults: Faults,
    rng: Rng,
    page_size: usize,
    counter: u64,
}

pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

fn resp(status: u16, body: Value) -> Resp {
    Resp {
        status,
        headers: vec![("content-type".into(), "application/json; charset=utf-8".into())],
        body: if body.is_null() { Vec::new() } else { serde_json::to_vec(&body).expect("json") },
    }
}

fn arm_error(status: u16, code: &str, message: &str) -> Resp {
    let mut r = resp(status, json!({"error": {"code": code, "message": message}}));
    r.headers.push(("x-ms-error-code".into(), code.into()));
    r
}

impl State {
    pub fn new(options: &EmulatorOptions) -> Self {
        let mut st = Self {
            in_flight: 0,
            workspaces: BTreeMap::new(),
            default_workspace: None,
            log: options.log,
            stats: Stats::default(),
            rng: Rng::new(options.faults.seed),
            faults: options.faults.clone(),
            page_size: options.page_size.max(1),
            counter: 0,
        };
        for path in &options.workspaces {
            st.add_workspace(path);
        }
        st
    }

    /// Create a workspace (no-op when it exists).
    pub fn add_workspace(&mut self, path: &str) {
        let key = path.trim_end_matches('/').to_ascii_lowercase();
        self.default_workspace.get_or_insert_with(|| key.clone());
        self.workspaces.entry(key).or_insert_with(|| Workspace { path: path.to_string(), ..Workspace::default() });
    }

    fn default_ws(&mut self) -> &mut Workspace {
        let key = self.default_workspace.clone().expect("the emulator has no workspace: add one first");
        self.workspaces.get_mut(&key).expect("default workspace exists")
    }

    pub fn set_faults(&mut self, faults: Faults) {
        self.rng = Rng::new(faults.seed);
        self.faults = faults;
    }

    fn map(&mut self, rtype: ResourceType) -> &mut BTreeMap<String, Value> {
        self.default_ws().map(rtype)
    }

    /// Store `body` in the default workspace as the service would after a
    /// PUT (nulls dropped, server defaults added), without counting a write.
    pub fn insert(&mut self, rtype: ResourceType, name: &str, mut body: Value) {
        let ws = self.default_ws().path.clone();
        let etag = self.etag();
        drop_nulls(&mut body);
        add_server_defaults(rtype, AlertRulesApi::Preview, &mut body);
        stamp(rtype, &mut body, &ws, name, &etag);
        self.map(rtype).insert(name.to_ascii_lowercase(), body);
    }

    pub fn get_mut(&mut self, rtype: ResourceType, name: &str) -> Option<&mut Value> {
        self.map(rtype).get_mut(&name.to_ascii_lowercase())
    }

    /// Edit a stored resource as the portal would: a new etag.
    pub fn edit(&mut self, rtype: ResourceType, name: &str, f: impl FnOnce(&mut Value)) {
        let etag = self.etag();
        if let Some(v) = self.get_mut(rtype, name) {
            f(v);
            v["etag"] = json!(etag);
        }
    }

    pub fn remove(&mut self, rtype: ResourceType, name: &str) {
        self.map(rtype).remove(&name.to_ascii_lowercase());
    }

    pub fn names(&mut self, rtype: ResourceType) -> Vec<String> {
        self.map(rtype).keys().cloned().collect()
    }

    fn etag(&mut self) -> String {
        self.counter += 1;
        format!("\"{:08x}-0000-0000-0000-000000000000\"", self.counter)
    }
}

/// Add the read-only fields a real GET returns.
fn stamp(rtype: ResourceType, body: &mut Value, ws: &str, name: &str, etag: &str) {
    let Some(obj) = body.as_object_mut() else { return };
    let (coll, typ) = match rtype {
        ResourceType::AlertRule => {
            ("providers/Microsoft.SecurityInsights/alertRules", "Microsoft.SecurityInsights/alertRules")
        }
        ResourceType::SavedSearch => ("savedSearches", "Microsoft.OperationalInsights/workspaces/savedSearches"),
    };
    obj.insert("id".into(), json!(format!("{ws}/{coll}/{name}")));
    obj.insert("name".into(), json!(name));
    obj.insert("type".into(), json!(typ));
    obj.insert("etag".into(), json!(etag));
    if rtype == ResourceType::AlertRule
        && let Some(Value::Object(p)) = obj.get_mut("properties")
    {
        p.insert("lastModifiedUtc".into(), json!("2026-11-28T00:00:00Z"));
        // ARM answers durations in its own spelling (PT60M comes back PT1H).
        for key in ["queryFrequency", "queryPeriod", "suppressionDuration"] {
            if let Some(Value::String(s)) = p.get_mut(key)
                && let Some(secs) = crate::deploy::normalize::parse_duration(s)
            {
                *s = spell_duration(secs);
            }
        }
    }
}

/// ARM treats a `null` property as absent: drop them all (a required one
/// is then reported missing by validation).
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, x| !x.is_null());
            m.values_mut().for_each(drop_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// What the service fills in when a PUT at `api` leaves it out.
fn add_server_defaults(rtype: ResourceType, api: AlertRulesApi, body: &mut Value) {
    if rtype != ResourceType::AlertRule {
        return;
    }
    let kind = body.get("kind").and_then(Value::as_str).map(str::to_string);
    if schema::declares(api, kind.as_deref(), "eventGroupingSettings")
        && let Some(Value::Object(p)) = body.get_mut("properties")
    {
        p.entry("eventGroupingSettings").or_insert_with(|| json!({"aggregationKind": "SingleAlert"}));
    }
}

/// Which alertRules definition an api-version uses.
fn api_of(version: &str) -> AlertRulesApi {
    if version.ends_with("-preview") { AlertRulesApi::Preview } else { AlertRulesApi::Stable }
}

/// A stored resource as a GET at `version` shows it: properties that
/// version does not define are hidden, and the template fields the service
/// always returns are there (`null` when unset).
fn render(rtype: ResourceType, stored: &Value, version: &str) -> Value {
    let mut v = stored.clone();
    if rtype == ResourceType::AlertRule {
        let api = api_of(version);
        let kind = v.get("kind").and_then(Value::as_str).map(str::to_string);
        schema::drop_unknown_properties(api, kind.as_deref(), &mut v);
        if let Some(Value::Object(p)) = v.get_mut("properties") {
            for key in ["alertRuleTemplateName", "templateVersion"] {
                if schema::declares(api, kind.as_deref(), key) {
                    p.entry(key).or_insert(Value::Null);
                }
            }
        }
    }
    v
}

/// Seconds → `P1DT2H3M4S` (zero parts omitted).
fn spell_duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60, secs % 60);
    let mut out = String::from("P");
    if d > 0 {
        out.push_str(&format!("{d}D"));
    }
    if h + m + s > 0 || d == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

fn query_params(query: Option<&str>) -> BTreeMap<String, String> {
    let decode = |s: &str| {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'%' if i + 2 < bytes.len() => {
                    match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 3;
                        }
                        Err(_) => {
                            out.push(b'%');
                            i += 1;
                        }
                    }
                }
                b'+' => {
                    out.push(b' ');
                    i += 1;
                }
                b => {
                    out.push(b);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// A parsed ARM route: a workspace, or a collection / resource in one.
struct Route {
    workspace: String,
    /// `None`: the workspace itself.
    target: Option<(ResourceType, Option<String>)>,
}

fn route(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let lower: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let l: Vec<&str> = lower.iter().map(String::as_str).collect();
    if l.len() < 8
        || l[0] != "subscriptions"
        || l[2] != "resourcegroups"
        || l[4] != "providers"
        || l[5] != "microsoft.operationalinsights"
        || l[6] != "workspaces"
    {
        return None;
    }
    let workspace = workspace_path(segs[1], segs[3], segs[7]);
    if l.len() == 8 {
        return Some(Route { workspace, target: None });
    }
    let (rtype, rest) = match &l[8..] {
        ["savedsearches", rest @ ..] => (ResourceType::SavedSearch, rest),
        ["providers", "microsoft.securityinsights", "alertrules", rest @ ..] => (ResourceType::AlertRule, rest),
        _ => return None,
    };
    let name = match rest.len() {
        0 => None,
        1 => Some(segs[segs.len() - 1].to_string()),
        _ => return None,
    };
    Some(Route { workspace, target: Some((rtype, name)) })
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn with_ids(mut r: Resp, parts: &Parts, seq: u64) -> Resp {
    r.headers.push(("x-ms-request-id".into(), format!("emu-{seq:016x}")));
    let corr =
        header(parts, "x-ms-correlation-request-id").map(str::to_string).unwrap_or_else(|| format!("emu-corr-{seq:x}"));
    r.headers.push(("x-ms-correlation-request-id".into(), corr));
    r
}

pub(crate) async fn handle(shared: &Shared, parts: &Parts, body: &[u8]) -> Result<Resp, DropConnection> {
    let path = parts.uri.path();
    let params = query_params(parts.uri.query());
    let method = parts.method.as_str();

    // Entra ID token endpoint: /{tenant}/oauth2/v2.0/token.
    if method == "POST" && path.ends_with("/oauth2/v2.0/token") {
        let form = query_params(std::str::from_utf8(body).ok());
        {
            let mut st = shared.state.lock().expect("state");
            st.stats.token_requests += 1;
            st.stats.token_scopes.push(form.get("scope").cloned().unwrap_or_default());
        }
        if !form.contains_key("grant_type") || !form.contains_key("client_id") {
            return Ok(resp(
                400,
                json!({"error": "invalid_request", "error_description": "grant_type and client_id are required"}),
            ));
        }
        return Ok(resp(
            200,
            json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
            "access_token": "emulator-access-token"}),
        ));
    }
    // GitHub Actions ID token endpoint.
    if method == "GET" && path == "/_github/idtoken" {
        shared.state.lock().expect("state").stats.github_token_requests += 1;
        if !header(parts, "authorization").is_some_and(|a| a.to_ascii_lowercase().starts_with("bearer ")) {
            return Ok(resp(401, json!({"message": "missing request token"})));
        }
        if params.get("audience").map(String::as_str) != Some(crate::deploy::auth::GITHUB_AUDIENCE) {
            return Ok(resp(400, json!({"message": "unexpected audience"})));
        }
        return Ok(resp(200, json!({"count": 1, "value": "emulated.github.id-token"})));
    }

    let Some(route) = route(path) else {
        return Ok(arm_error(404, "InvalidResourceType", "the emulator does not serve this path"));
    };

    // Count, then draw a fault, without holding the lock across awaits.
    let _in_flight = InFlight::enter(shared);
    let (fault, latency, retry_after, seq) = {
        let mut st = shared.state.lock().expect("state");
        st.stats.requests += 1;
        st.counter += 1;
        match method {
            "PUT" => {
                st.stats.writes += 1;
                st.stats.puts += 1;
            }
            "DELETE" => {
                st.stats.writes += 1;
                st.stats.deletes += 1;
            }
            _ => st.stats.reads += 1,
        }
        let name = route.target.as_ref().and_then(|(_, n)| n.as_ref());
        let permanent = method == "PUT" && name.is_some_and(|n| st.faults.fail.contains(&n.to_ascii_lowercase()));
        let roll = st.rng.next_f64();
        let fault = if permanent {
            Injected::Permanent
        } else if st.stats.requests <= st.faults.throttle_first {
            Injected::Random(Fault::Throttle)
        } else {
            Injected::Random(st.faults.pick(roll))
        };
        (fault, st.faults.latency, st.faults.retry_after_header(), st.counter)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let bump = |f: fn(&mut Stats)| f(&mut shared.state.lock().expect("state").stats);
    match fault {
        Injected::Permanent => {
            bump(|s| s.permanent_failures += 1);
            return Ok(with_ids(arm_error(400, "BadRequest", "injected permanent failure for this rule"), parts, seq));
        }
        Injected::Random(Fault::Drop) => {
            bump(|s| s.dropped += 1);
            return Err(DropConnection);
        }
        Injected::Random(Fault::Throttle) => {
            bump(|s| s.throttled += 1);
            let mut r = arm_error(429, "TooManyRequests", "injected throttling");
            r.headers.push(("retry-after".into(), retry_after.clone()));
            return Ok(with_ids(r, parts, seq));
        }
        Injected::Random(Fault::Error500) => {
            bump(|s| s.errors_500 += 1);
            return Ok(with_ids(arm_error(500, "InternalServerError", "injected server error"), parts, seq));
        }
        Injected::Random(Fault::Error503) => {
            bump(|s| s.errors_503 += 1);
            let mut r = arm_error(503, "ServiceUnavailable", "injected unavailability");
            r.headers.push(("retry-after".into(), retry_after.clone()));
            return Ok(with_ids(r, parts, seq));
        }
        Injected::Random(Fault::None) => {}
    }

    if !header(parts, "authorization").is_some_and(|a| a.len() > 7 && a[..7].eq_ignore_ascii_case("bearer ")) {
        return Ok(with_ids(arm_error(401, "AuthenticationFailed", "missing bearer token"), parts, seq));
    }
    let Some(version) = params.get("api-version").cloned() else {
        return Ok(with_ids(
            arm_error(400, "MissingApiVersionParameter", "the api-version query parameter is required"),
            parts,
            seq,
        ));
    };
    // Only the api-versions of the bundled OpenAPI files: a body can only be
    // checked against a definition the emulator has.
    let supported = route.target.as_ref().map(|(rtype, _)| schema::api_versions(*rtype));
    let known = match &supported {
        Some(versions) => versions.contains(&version.as_str()),
        None => valid_api_version(&version),
    };
    if !known {
        shared.state.lock().expect("state").stats.rejected += 1;
        let list = supported.map(|v| format!("; supported: {}", v.join(", "))).unwrap_or_default();
        return Ok(with_ids(
            arm_error(400, "InvalidApiVersionParameter", &format!("the api-version '{version}' is invalid{list}")),
            parts,
            seq,
        ));
    }
    let host = header(parts, "host").unwrap_or("127.0.0.1").to_string();
    let request = Call {
        method,
        version: &version,
        params: &params,
        body,
        host: &host,
        if_match: header(parts, "if-match"),
        if_none_match: header(parts, "if-none-match"),
    };
    let r = {
        let mut st = shared.state.lock().expect("state");
        match &route.target {
            None => workspace_call(&mut st, &route.workspace, &request),
            Some((rtype, name)) => resource_call(&mut st, &route.workspace, *rtype, name.as_deref(), &request),
        }
    };
    Ok(with_ids(r, parts, seq))
}

/// What a resource handler needs of the request.
struct Call<'a> {
    method: &'a str,
    version: &'a str,
    params: &'a BTreeMap<String, String>,
    body: &'a [u8],
    host: &'a str,
    if_match: Option<&'a str>,
    if_none_match: Option<&'a str>,
}

/// The workspace resource itself: PUT creates it (any body), GET, DELETE.
fn workspace_call(st: &mut State, path: &str, call: &Call<'_>) -> Resp {
    let key = path.to_ascii_lowercase();
    let name = path.rsplit('/').next().unwrap_or("");
    let body = |path: &str| {
        json!({"id": path, "name": path.rsplit('/').next().unwrap_or(""),
            "type": "Microsoft.OperationalInsights/workspaces", "location": "westeurope",
            "properties": {"provisioningState": "Succeeded"}})
    };
    match call.method {
        "PUT" => {
            let existed = st.workspaces.contains_key(&key);
            st.add_workspace(path);
            resp(if existed { 200 } else { 201 }, body(path))
        }
        "GET" if st.workspaces.contains_key(&key) => resp(200, body(&st.workspaces[&key].path)),
        "DELETE" => match st.workspaces.remove(&key) {
            Some(_) => resp(200, Value::Null),
            None => resp(204, Value::Null),
        },
        "GET" => workspace_not_found(path, name),
        _ => arm_error(405, "MethodNotAllowed", "method not allowed on this path"),
    }
}

fn workspace_not_found(path: &str, name: &str) -> Resp {
    let rg = path.split('/').nth(4).unwrap_or("");
    arm_error(
        404,
        "ResourceNotFound",
        &format!(
            "The Resource 'Microsoft.OperationalInsights/workspaces/{name}' under resource group '{rg}' was not found."
        ),
    )
}

fn resource_call(st: &mut State, ws: &str, rtype: ResourceType, name: Option<&str>, call: &Call<'_>) -> Resp {
    let key = ws.to_ascii_lowercase();
    if !st.workspaces.contains_key(&key) {
        return workspace_not_found(ws, ws.rsplit('/').next().unwrap_or(""));
    }
    let version = call.version;
    let preview = version.ends_with("-preview");
    let visible = |v: &Value| rtype == ResourceType::SavedSearch || preview || v["kind"] != "NRT";
    let page_size = st.page_size;
    let (omit_value, link_host) = (st.faults.omit_value, st.faults.next_link_host.clone());
    let list = |out: Value| {
        if omit_value { resp(200, json!({"nextLink": out.get("nextLink")})) } else { resp(200, out) }
    };
    match (call.method, name) {
        ("GET", None) => {
            let map = st.workspaces.get_mut(&key).expect("checked").map(rtype);
            let items: Vec<Value> = map.values().filter(|v| visible(v)).map(|v| render(rtype, v, version)).collect();
            if rtype == ResourceType::SavedSearch {
                // savedSearches lists are not pageable.
                return list(json!({ "value": items }));
            }
            let skip: usize = call.params.get("$skipToken").and_then(|s| s.parse().ok()).unwrap_or(0);
            let page: Vec<Value> = items.iter().skip(skip).take(page_size).cloned().collect();
            let mut out = json!({ "value": page });
            if skip + page_size < items.len() {
                let host = link_host.as_deref().unwrap_or(call.host);
                out["nextLink"] = json!(format!(
                    "http://{host}{ws}/providers/Microsoft.SecurityInsights/alertRules?api-version={version}&$skipToken={}",
                    skip + page_size
                ));
            }
            list(out)
        }
        ("GET", Some(name)) => {
            match st.workspaces.get_mut(&key).expect("checked").map(rtype).get(&name.to_ascii_lowercase()) {
                Some(v) if visible(v) => resp(200, render(rtype, v, version)),
                Some(_) => arm_error(400, "BadRequest", &format!("kind NRT is not supported in api-version {version}")),
                None => arm_error(404, "NotFound", &format!("{rtype} '{name}' was not found")),
            }
        }
        ("DELETE", Some(name)) => {
            let map = st.workspaces.get_mut(&key).expect("checked").map(rtype);
            let lower = name.to_ascii_lowercase();
            if let Some(failed) = precondition(map.get(&lower), call) {
                st.stats.precondition_failed += 1;
                return failed;
            }
            match map.remove(&lower) {
                Some(_) => resp(200, Value::Null),
                None => resp(204, Value::Null),
            }
        }
        ("PUT", Some(name)) => put(st, &key, rtype, name, call),
        _ => arm_error(405, "MethodNotAllowed", "method not allowed on this path"),
    }
}

/// `If-Match` / `If-None-Match` against the stored resource: the 412 to
/// answer when they do not hold.
fn precondition(current: Option<&Value>, call: &Call<'_>) -> Option<Resp> {
    let etag = current.and_then(|v| v.get("etag")).and_then(Value::as_str);
    let holds = |header: &str| header.split(',').map(str::trim).any(|e| e == "*" || Some(e) == etag);
    let fails = match (call.if_match, call.if_none_match) {
        (Some(m), _) if current.is_none() || !holds(m) => true,
        (_, Some(n)) if current.is_some() && holds(n) => true,
        _ => false,
    };
    fails.then(|| {
        arm_error(412, "PreconditionFailed", "the resource's etag does not match the If-Match/If-None-Match condition")
    })
}

/// Counts an ARM request as in flight until dropped.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let mut st = shared.state.lock().expect("state");
        st.in_flight += 1;
        st.stats.max_in_flight = st.stats.max_in_flight.max(st.in_flight);
        Self(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut st) = self.0.state.lock() {
            st.in_flight -= 1;
        }
    }
}

enum Injected {
    Permanent,
    Random(Fault),
}

fn valid_api_version(v: &str) -> bool {
    let date = v.strip_suffix("-preview").unwrap_or(v);
    let b = date.as_bytes();
    b.len() == 10 && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() })
}

fn put(st: &mut State, ws_key: &str, rtype: ResourceType, name: &str, call: &Call<'_>) -> Resp {
    let version = call.version;
    let Ok(mut value) = serde_json::from_slice::<Value>(call.body) else {
        st.stats.rejected += 1;
        return arm_error(400, "InvalidRequestContent", "the request content is not valid JSON");
    };
    // ARM reads an explicit null as "not given" (a GET shows unset template
    // fields as null, and clients send such bodies back unchanged).
    drop_nulls(&mut value);
    let api = api_of(version);
    let kind = value.get("kind").and_then(Value::as_str).map(str::to_string);
    if rtype == ResourceType::AlertRule && kind.as_deref() == Some("NRT") && api == AlertRulesApi::Stable {
        st.stats.rejected += 1;
        return arm_error(
            400,
            "BadRequest",
            &format!("alert rule kind 'NRT' is not supported in api-version {version}; use a preview version"),
        );
    }
    let key = name.to_ascii_lowercase();
    let existing = st.workspaces.get_mut(ws_key).expect("checked").map(rtype).get(&key).cloned();
    if let Some(failed) = precondition(existing.as_ref(), call) {
        st.stats.precondition_failed += 1;
        return failed;
    }
    // Optimistic concurrency in the body: an etag other than "*" must match.
    if let (Some(Value::String(sent)), Some(cur)) = (value.get("etag"), &existing)
        && sent != "*"
        && cur.get("etag").and_then(Value::as_str) != Some(sent.as_str())
    {
        return arm_error(409, "Conflict", "etag mismatch");
    }
    if let Some(obj) = value.as_object_mut() {
        obj.retain(|k, _| k == "kind" || k == "properties");
    }
    // Properties the definition does not declare are dropped, as ARM does
    // (reported in the log and the stats, where tests look).
    let schema_kind = if rtype == ResourceType::AlertRule { kind.as_deref() } else { None };
    if rtype == ResourceType::SavedSearch || schema_kind.is_some() {
        for pointer in schema::drop_unknown_properties(api, schema_kind, &mut value) {
            let line = format!("PUT {rtype} {name}: dropped unknown property {pointer}");
            if st.log {
                eprintln!("emulator: {line}");
            }
            st.stats.dropped_properties.push(line);
        }
    }
    let errors = match rtype {
        ResourceType::AlertRule => schema::validate_alert_rule(api, &value),
        ResourceType::SavedSearch => schema::validate_saved_search(&value),
    };
    if !errors.is_empty() {
        st.stats.rejected += 1;
        return arm_error(400, "BadRequest", &format!("request body is invalid: {}", errors.join("; ")));
    }
    if let (Some(old), Some(new)) = (existing.as_ref().and_then(|e| e.get("kind")), value.get("kind"))
        && rtype == ResourceType::AlertRule
        && old != new
    {
        st.stats.rejected += 1;
        return arm_error(
            400,
            "BadRequest",
            &format!(
                "the kind of alert rule '{name}' cannot be changed from {old} to {new}; delete it and create it again"
            ),
        );
    }
    add_server_defaults(rtype, api, &mut value);
    let etag = st.etag();
    let ws = st.workspaces[ws_key].path.clone();
    stamp(rtype, &mut value, &ws, name, &etag);
    st.workspaces.get_mut(ws_key).expect("checked").map(rtype).insert(key, value.clone());
    let status = match (rtype, existing.is_some()) {
        (ResourceType::AlertRule, false) => 201,
        _ => 200,
    };
    resp(status, render(rtype, &value, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_spelled_like_arm() {
        assert_eq!(spell_duration(3600), "PT1H");
        assert_eq!(spell_duration(86_400), "P1D");
        assert_eq!(spell_duration(93_600), "P1DT2H");
        assert_eq!(spell_duration(0), "PT0S");
        assert_eq!(spell_duration(300), "PT5M");
    }

    #[test]
    fn routes_and_versions() {
        let r = route("/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w/providers/Microsoft.SecurityInsights/alertRules/abc").unwrap();
        assert_eq!(r.target, Some((ResourceType::AlertRule, Some("abc".to_string()))));
        let r = route(
            "/subscriptions/s/resourcegroups/rg/providers/Microsoft.OperationalInsights/workspaces/w/savedSearches",
        )
        .unwrap();
        assert_eq!(r.target, Some((ResourceType::SavedSearch, None)));
        let r =
            route("/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w").unwrap();
        assert_eq!((r.workspace.as_str(), r.target), (workspace_path("s", "rg", "w").as_str(), None));
        assert!(valid_api_version("2025-07-01-preview"));
        assert!(!valid_api_version("latest"));
        assert_eq!(query_params(Some("a=1&%24skipToken=3"))["$skipToken"], "3");
    }
}
