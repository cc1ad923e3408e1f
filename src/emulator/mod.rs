//! A local emulator of the ARM endpoints a deploy uses, for tests, the
//! benchmark and `sentinel-forge emulate`: alertRules and savedSearches
//! (PUT/GET/DELETE/list with small pages), the Entra ID token endpoint the
//! credentials call (`/{tenant}/oauth2/v2.0/token`), the GitHub Actions
//! ID-token endpoint (`/_github/idtoken`), and the Log Analytics query
//! endpoint `run` uses ([`query`]: answers from registered replies, else
//! with the embedded KQL engine over the tables it holds, [`engine`]), and
//! the Azure Data Explorer query endpoint `POST /v1/rest/query` ([`adx`],
//! engine-backed too).
//!
//! State is in memory, per workspace (`/subscriptions/…/workspaces/{name}`):
//! a workspace exists once created ([`EmulatorOptions::workspaces`],
//! [`Emulator::add_workspace`], or an ARM `PUT` of its path), and requests
//! into one that does not answer 404 `ResourceNotFound`, as ARM does. Like
//! the service, the emulator serves only the api-versions of the bundled
//! OpenAPI files, reads `null` properties as absent, drops (and logs)
//! properties the api-version's definition does not declare, validates the
//! rest against the definitions ([`schema`]), adds server defaults on write
//! (`eventGroupingSettings`), renders a resource per api-version on read
//! (preview-only properties hidden from a stable GET, `templateVersion` and
//! `alertRuleTemplateName` as `null`), refuses a kind change in place, and
//! honours `If-Match` / `If-None-Match` with 412 (a body `etag` that does not
//! match: 409). NRT rules exist only on preview versions; a stable list
//! omits them. [`faults`] injects
//! throttling, server errors, latency, dropped connections and permanent
//! failures. Any bearer token is accepted; nothing secret is ever printed
//! (the request log holds method, path and status only).
//!
//! Built on hyper (already in the tree through reqwest) on a tokio runtime.

pub mod adx;
pub mod arm;
pub mod engine;
pub mod faults;
pub mod query;
pub mod schema;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

pub use adx::ReceivedAdxQuery;
pub use arm::{Stats, workspace_path};
pub use faults::Faults;
pub use query::{QueryReply, ReceivedQuery};

use crate::deploy::resource::ResourceType;

#[derive(Clone, Debug)]
pub struct EmulatorOptions {
    pub faults: Faults,
    /// Items per alertRules list page (small, so paging is exercised).
    pub page_size: usize,
    /// Log `METHOD path -> status` lines to stderr.
    pub log: bool,
    /// What the query endpoint answers when no reply is queued (default:
    /// an empty `PrimaryResult`).
    pub query_default: Option<QueryReply>,
    /// Workspaces that exist from the start ([`arm::workspace_path`]s).
    pub workspaces: Vec<String>,
    /// Tables the query endpoints answer from with the engine (none: the
    /// Log Analytics endpoint gives its default reply).
    pub tables: Option<Arc<crate::engine::Database>>,
    /// What `now()` is for the engine, in ticks (default: the clock).
    pub now: Option<i64>,
}

impl Default for EmulatorOptions {
    fn default() -> Self {
        Self {
            faults: Faults::default(),
            page_size: 3,
            log: false,
            query_default: None,
            workspaces: Vec::new(),
            tables: None,
            now: None,
        }
    }
}

/// Shared emulator state.
#[derive(Debug)]
pub struct Shared {
    pub(crate) state: Mutex<arm::State>,
    pub(crate) query: Mutex<query::State>,
    pub(crate) tables: Mutex<Option<Arc<crate::engine::Database>>>,
    pub(crate) now: Mutex<Option<i64>>,
    pub(crate) adx: Mutex<Vec<adx::ReceivedAdxQuery>>,
    pub(crate) log: bool,
}

impl Shared {
    fn new(options: &EmulatorOptions) -> Self {
        Self {
            state: Mutex::new(arm::State::new(options)),
            query: Mutex::new(query::State::new(options.query_default.clone())),
            tables: Mutex::new(options.tables.clone()),
            now: Mutex::new(options.now),
            adx: Mutex::new(Vec::new()),
            log: options.log,
        }
    }

    /// The engine's tables, when the emulator holds any (cheap: shared).
    pub(crate) fn engine_tables(&self) -> Option<engine::EngineTables> {
        let db = self.tables.lock().expect("engine tables").clone()?;
        Some(engine::EngineTables { db, now: *self.now.lock().expect("engine now") })
    }
}

/// Read every table file of `dir` with the engine's loader (`<Table>.jsonl`,
/// `.csv`, `.json`, optionally `.gz`; `tables.json` types), for
/// [`EmulatorOptions::tables`]. Cells that do not parse are reported and
/// loaded as null, as `run --local` does.
pub fn load_tables(
    dir: &std::path::Path,
) -> Result<(crate::engine::Database, Vec<crate::engine::load::LoadProblem>), crate::engine::load::LoadError> {
    let loaded = crate::engine::load::load_dir(dir, &crate::engine::load::KnownSchemas::new())?;
    Ok((loaded.db, loaded.problems))
}

/// A running emulator on its own thread and runtime; stopped on drop.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Emulator {
    /// Start on `127.0.0.1:0` (a free port).
    pub fn start(options: EmulatorOptions) -> std::io::Result<Self> {
        Self::start_on(0, options)
    }

    pub fn start_on(port: u16, options: EmulatorOptions) -> std::io::Result<Self> {
        let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let shared = Arc::new(Shared::new(&options));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let s = Arc::clone(&shared);
        let thread = std::thread::Builder::new().name("emulator".into()).spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("emulator runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("listener");
                tokio::select! {
                    _ = serve(listener, s) => {}
                    _ = rx => {}
                }
            });
        })?;
        Ok(Self { addr, shared, shutdown: Some(tx), thread: Some(thread) })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    fn state(&self) -> std::sync::MutexGuard<'_, arm::State> {
        self.shared.state.lock().expect("emulator state")
    }

    pub fn stats(&self) -> Stats {
        self.state().stats.clone()
    }

    pub fn reset_stats(&self) {
        self.state().stats = Stats::default();
    }

    pub fn set_faults(&self, faults: Faults) {
        self.state().set_faults(faults);
    }

    /// Create a workspace; the first one created is the one [`Self::insert`],
    /// [`Self::resource`] and friends act on. Returns its path.
    pub fn add_workspace(&self, subscription: &str, resource_group: &str, name: &str) -> String {
        let path = workspace_path(subscription, resource_group, name);
        self.state().add_workspace(&path);
        path
    }

    /// Store a resource as if made in the portal (not counted as a write).
    pub fn insert(&self, rtype: ResourceType, name: &str, body: Value) {
        self.state().insert(rtype, name, body);
    }

    /// Edit a stored resource in place (a portal edit: it gets a new etag).
    pub fn edit(&self, rtype: ResourceType, name: &str, f: impl FnOnce(&mut Value)) {
        self.state().edit(rtype, name, f);
    }

    /// Remove a resource (deleted in the portal).
    pub fn remove(&self, rtype: ResourceType, name: &str) {
        self.state().remove(rtype, name);
    }

    pub fn resource(&self, rtype: ResourceType, name: &str) -> Option<Value> {
        self.state().get_mut(rtype, name).cloned()
    }

    /// Names of the stored resources of a type (sorted, lowercase).
    pub fn names(&self, rtype: ResourceType) -> Vec<String> {
        self.state().names(rtype)
    }

    fn query_state(&self) -> std::sync::MutexGuard<'_, query::State> {
        self.shared.query.lock().expect("emulator query state")
    }

    /// Answer the next query with `reply` (queued replies are used in order,
    /// once each).
    pub fn push_query_reply(&self, reply: QueryReply) {
        self.query_state().push(reply);
    }

    /// Answer every query with `reply` once the queue is empty.
    pub fn set_query_default(&self, reply: QueryReply) {
        self.query_state().set_default(reply);
    }

    /// The queries accepted so far, in order.
    pub fn queries(&self) -> Vec<ReceivedQuery> {
        self.query_state().received.clone()
    }

    /// The Azure Data Explorer queries accepted so far, in order.
    pub fn adx_queries(&self) -> Vec<adx::ReceivedAdxQuery> {
        self.shared.adx.lock().expect("adx queries").clone()
    }

    /// Answer queries with the engine over `db` (replaces the tables held).
    pub fn set_tables(&self, db: crate::engine::Database) {
        *self.shared.tables.lock().expect("engine tables") = Some(Arc::new(db));
    }

    /// Load the tables of `dir` ([`load_tables`]) and answer with them;
    /// returns the cells that did not parse.
    pub fn load_tables(
        &self,
        dir: &std::path::Path,
    ) -> Result<Vec<crate::engine::load::LoadProblem>, crate::engine::load::LoadError> {
        let (db, problems) = load_tables(dir)?;
        self.set_tables(db);
        Ok(problems)
    }

    /// Pin the engine's `now()` (ticks).
    pub fn set_now(&self, now: i64) {
        *self.shared.now.lock().expect("engine now") = Some(now);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The dropped-connection fault: the service errors, hyper closes the
/// connection without a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl std::fmt::Display for DropConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("injected dropped connection")
    }
}

impl std::error::Error for DropConnection {}

/// Accept connections until the future is dropped.
pub async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<Incoming>| {
                let shared = Arc::clone(&shared);
                async move {
                    let (parts, body) = req.into_parts();
                    let bytes = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                    let resp = match query::route(parts.uri.path()) {
                        Some(workspace) => query::handle(&shared, workspace, &parts, &bytes).await,
                        None if adx::route(parts.uri.path()) => adx::handle(&shared, &parts, &bytes).await,
                        None => arm::handle(&shared, &parts, &bytes).await?,
                    };
                    if shared.log {
                        eprintln!("{} {} -> {}", parts.method, parts.uri.path(), resp.status);
                    }
                    let mut builder = hyper::Response::builder().status(resp.status);
                    for (k, v) in &resp.headers {
                        builder = builder.header(k.as_str(), v.as_str());
                    }
                    Ok::<_, DropConnection>(builder.body(Full::new(Bytes::from(resp.body))).expect("response"))
                }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

/// Run in the foreground (the `emulate` command): never returns.
pub fn run_forever(port: u16, options: EmulatorOptions) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        eprintln!("emulator listening on http://{addr}");
        for w in &options.workspaces {
            eprintln!("  workspace {w}");
        }
        eprintln!(
            "  SENTINEL_FORGE_ARM_ENDPOINT=http://{addr} SENTINEL_FORGE_LOG_ANALYTICS_ENDPOINT=http://{addr} \\\n  \
             AZURE_AUTHORITY_HOST=http://{addr}"
        );
        let shared = Arc::new(Shared::new(&options));
        serve(listener, shared).await;
        Ok(())
    })
}
