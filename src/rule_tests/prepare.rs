//! From content to runnable cases: every `[[tests]]` of the selected items
//! with its environment and parameter overrides applied, its query
//! rendered and parsed, its data loaded and checked. Everything here is
//! serial and cheap; only execution runs in parallel.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::codes;
use super::expect::Trigger;
use super::schemas::{CatalogSchemas, DeclaredSchemas, TableSchemas};
use super::tables::{RawTables, TestTables, api_datetime};
use crate::content::item::{Item, Kind};
use crate::content::rule_tests::RuleTest;
use crate::content::{self, LoadedContent};
use crate::diag::{self, Diagnostic};
use crate::error::Error;
use crate::pipeline::ProjectPaths;
use crate::render::Renderer;
use crate::source::SourceMap;

/// Where declared table schemas are read from, under the project directory.
pub const TABLES_JSON: &str = "tests/data/tables.json";

/// The directory content paths (`data = ...`) are relative to: the content
/// directory's parent.
pub fn project_dir(paths: &ProjectPaths) -> PathBuf {
    match paths.content.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::new(),
    }
}

/// One test, ready to execute.
pub struct Case {
    pub item: Item,
    pub test: RuleTest,
    /// The query with the case's overrides and placeholders applied.
    pub query: String,
    pub tables: TestTables,
    pub now: DateTime<Utc>,
    /// The rule's trigger (`None` for hunting queries).
    pub trigger: Option<Trigger>,
}

/// A test that could not be prepared, and why.
pub struct Unprepared {
    pub item: Item,
    pub test: RuleTest,
    pub reason: Diagnostic,
}

/// Everything `test` runs, and every problem found on the way.
pub struct Prepared {
    pub cases: Vec<Case>,
    pub unprepared: Vec<Unprepared>,
    /// Content, template and test-data problems.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: SourceMap,
    /// Ids (or stems, names) asked for that match no item.
    pub unknown_ids: Vec<String>,
}

/// The loaded project: items, renderer, schemas, and environments on demand.
pub struct Project {
    pub paths: ProjectPaths,
    pub sources: SourceMap,
    pub items: Vec<Item>,
    unloaded_ids: std::collections::BTreeSet<String>,
    pub renderer: Renderer,
    pub schemas: Box<dyn TableSchemas>,
    pub diagnostics: Vec<Diagnostic>,
    environments: BTreeMap<String, Option<Vec<Item>>>,
    /// Rendered queries by item id and parameter values: many tests share one.
    rendered: HashMap<String, Result<String, Vec<Diagnostic>>>,
    /// Loaded data by path, for tests without inline rows (its problems are
    /// reported once, by the first test that loads it).
    data: HashMap<String, Result<TestTables, Box<Diagnostic>>>,
}

impl Project {
    pub fn load(paths: &ProjectPaths) -> Result<Project, Error> {
        let mut sources = SourceMap::new();
        let LoadedContent { items, unloaded_ids, diagnostics: mut diags } =
            content::load_all(&paths.content, &mut sources)?;
        let (renderer, template_diags) = Renderer::load(&paths.templates, &mut sources)?;
        diags.extend(template_diags);
        let tables_json = project_dir(paths).join(TABLES_JSON);
        let schemas: Box<dyn TableSchemas> = match DeclaredSchemas::load_if_present(&tables_json) {
            Ok(declared) => Box::new(CatalogSchemas::builtin(declared.unwrap_or_default())),
            Err(why) => return Err(Error::new(crate::error::ErrorKind::Io, why)),
        };
        Ok(Project {
            paths: paths.clone(),
            sources,
            items,
            unloaded_ids,
            renderer,
            schemas,
            diagnostics: diags,
            environments: BTreeMap::new(),
            rendered: HashMap::new(),
            data: HashMap::new(),
        })
    }

    /// The item `key` names (id, file stem or name).
    pub fn find(&self, key: &str) -> Option<usize> {
        let lower = key.to_ascii_lowercase();
        self.items.iter().position(|i| i.id.value.0 == lower || i.slug == key || i.name.value == key)
    }

    /// Item `index` with environment `env`'s overrides; `None` (with the
    /// environment's diagnostics recorded once) when it does not load.
    pub fn item_in(&mut self, index: usize, env: Option<&str>) -> Result<Option<Item>, Error> {
        let Some(env) = env else { return Ok(Some(self.items[index].clone())) };
        if !self.environments.contains_key(env) {
            let known = content::environment::names(&self.paths.content)?;
            let loaded = if known.iter().any(|k| k == env) {
                let (_, items, diags) = content::environment::load_and_apply(
                    &self.paths.content,
                    env,
                    &self.items,
                    &self.unloaded_ids,
                    &mut self.sources,
                )?;
                let ok = !diag::has_errors(&diags);
                self.diagnostics.extend(diags);
                ok.then_some(items)
            } else {
                None
            };
            self.environments.insert(env.to_string(), loaded);
        }
        Ok(self.environments[env].as_ref().map(|items| items[index].clone()))
    }

    /// Render `item`'s query and check its syntax; placeholders become the
    /// window ending at `now`.
    pub fn query_of(&mut self, item: &Item, now: DateTime<Utc>) -> Result<String, Vec<Diagnostic>> {
        Ok(substitute_placeholders(&self.rendered(item)?, item, now))
    }

    /// Render `item`'s query and check its syntax (placeholders left in).
    pub fn rendered(&mut self, item: &Item) -> Result<String, Vec<Diagnostic>> {
        let key = format!("{}|{:?}", item.id.value, item.params.values);
        if let Some(done) = self.rendered.get(&key) {
            // Problems were returned to the first caller; later ones only need to know.
            return done.clone().map_err(|_| Vec::new());
        }
        let result = self.renderer.item_to_kql(item, &mut self.sources).and_then(|kql| {
            let syntax = crate::kql::codes::syntax_diagnostics(kql.file, &kql.text);
            if diag::has_errors(&syntax) { Err(syntax) } else { Ok(kql.text) }
        });
        self.rendered.insert(key, result.clone());
        result
    }

    /// Load and check a test's data (its files and inline rows).
    pub fn tables_of(
        &mut self,
        item: &Item,
        test: &RuleTest,
    ) -> Result<(TestTables, Vec<Diagnostic>), Box<Diagnostic>> {
        if let (Some(data), true) = (&test.data, test.tables.is_empty()) {
            if let Some(done) = self.data.get(&data.value) {
                return done.clone().map(|t| (t, Vec::new()));
            }
            let loaded = self.load_tables(item, test);
            let cached = match &loaded {
                Ok((tables, diags)) if !diag::has_errors(diags) => Ok(tables.clone()),
                Ok(_) => Err(Box::new(
                    Diagnostic::new(codes::UNREADABLE_DATA, format!("test data `{}` has problems", data.value))
                        .with_primary(item.file, data.range, "reported where the data was first loaded")
                        .with_help("fix the data problems reported above"),
                )),
                Err(d) => Err(d.clone()),
            };
            self.data.insert(data.value.clone(), cached);
            return loaded;
        }
        self.load_tables(item, test)
    }

    fn load_tables(&mut self, item: &Item, test: &RuleTest) -> Result<(TestTables, Vec<Diagnostic>), Box<Diagnostic>> {
        let mut raw = RawTables::default();
        if let Some(data) = &test.data {
            let path = project_dir(&self.paths).join(&data.value);
            let shown = content::display_path(&path);
            raw.add_path(&path, &shown, &mut self.sources).map_err(|why| {
                Box::new(Diagnostic::new(codes::UNREADABLE_DATA, format!("test data `{}` cannot be read", data.value))
                    .with_primary(item.file, data.range, why)
                    .with_help(
                        "point `data` at a .jsonl, .csv or .json file, or a directory of them, relative to the project",
                    ))
            })?;
        }
        raw.add_inline(item.file, &test.tables);
        Ok(raw.finish(self.schemas.as_ref()))
    }
}

/// `{{StartTimeISO}}`/`{{EndTimeISO}}`: the query's window ending at `now`,
/// as the hunting blade would fill them.
pub fn substitute_placeholders(query: &str, item: &Item, now: DateTime<Utc>) -> String {
    if !query.contains("{{") {
        return query.to_string();
    }
    let window = item.model.window(&item.params).map_or(86_400, |w| w.seconds() as i64);
    let start = now - chrono::Duration::seconds(window);
    query
        .replace(crate::query::placeholders::START, &api_datetime(start))
        .replace(crate::query::placeholders::END, &api_datetime(now))
}

/// The trigger Sentinel applies to `item`'s rows.
pub fn trigger_of(item: &Item) -> Option<Trigger> {
    match item.kind {
        Kind::Hunting => None,
        Kind::Nrt => Some(Trigger::ANY_ROW),
        Kind::Scheduled => item
            .rule
            .as_ref()
            .and_then(|r| r.schedule.as_ref())
            .map(|s| Trigger { operator: s.trigger_operator, threshold: s.trigger_threshold }),
    }
}

/// Prepare the tests of the items named by `ids` (all when empty), with
/// environment `env` (a test's own `env` wins).
pub fn prepare(paths: &ProjectPaths, ids: &[String], env: Option<&str>) -> Result<Prepared, Error> {
    let mut project = Project::load(paths)?;
    let mut unknown_ids = Vec::new();
    let mut selected: Vec<usize> = Vec::new();
    if ids.is_empty() {
        selected.extend(0..project.items.len());
    } else {
        for id in ids {
            match project.find(id) {
                Some(i) if !selected.contains(&i) => selected.push(i),
                Some(_) => {}
                None => unknown_ids.push(id.clone()),
            }
        }
    }
    let mut cases = Vec::new();
    let mut unprepared = Vec::new();
    let mut data_diags = Vec::new();
    // The cases own their tests: items are cloned per case without them
    // (a clone with every test of the item would make preparing quadratic).
    let tests: Vec<Vec<RuleTest>> = project.items.iter_mut().map(|i| std::mem::take(&mut i.tests)).collect();
    for index in selected {
        for test in tests[index].iter().cloned() {
            let base = project.items[index].clone();
            let env_name = test.env.as_ref().map(|e| e.value.as_str()).or(env);
            let setup = |message: String, label: &str, range| {
                Diagnostic::new(codes::TEST_SETUP, message).with_primary(base.file, range, label.to_string())
            };
            let Some(mut item) = project.item_in(index, env_name)? else {
                let range = test.env.as_ref().map_or(test.name.range, |e| e.range);
                let reason = setup(
                    format!("environment `{}` does not load", env_name.unwrap_or_default()),
                    "for this test",
                    range,
                )
                .with_help(format!(
                    "see the environment's diagnostics; known: {}",
                    content::environment::names(&paths.content)?.join(", ")
                ));
                unprepared.push(Unprepared { item: base.clone(), test, reason });
                continue;
            };
            for o in &test.params {
                item.params.values.insert(o.name, o.value.clone());
            }
            let query = match project.query_of(&item, test.now.value) {
                Ok(q) => q,
                Err(diags) => {
                    let first = diags
                        .iter()
                        .find(|d| d.is_error())
                        .map_or("see the problems reported above".into(), |d| d.message.clone());
                    data_diags.extend(diags);
                    let reason = setup(
                        format!("the query does not render with this test's overrides: {first}"),
                        "in this test",
                        test.name.range,
                    );
                    unprepared.push(Unprepared { item, test, reason });
                    continue;
                }
            };
            match project.tables_of(&item, &test) {
                Err(reason) => unprepared.push(Unprepared { item, test, reason: *reason }),
                Ok((tables, diags)) => {
                    if diag::has_errors(&diags) {
                        let n = diags.iter().filter(|d| d.is_error()).count();
                        let reason =
                            Diagnostic::new(codes::UNREADABLE_DATA, format!("the test's data has {n} problem(s)"))
                                .with_primary(item.file, test.name.range, "not run")
                                .with_help("fix the data problems reported above");
                        data_diags.extend(diags);
                        unprepared.push(Unprepared { item, test, reason });
                        continue;
                    }
                    data_diags.extend(diags);
                    let trigger = trigger_of(&item);
                    let now = test.now.value;
                    cases.push(Case { item, test, query, tables, now, trigger });
                }
            }
        }
    }
    let mut diagnostics = std::mem::take(&mut project.diagnostics);
    diagnostics.extend(data_diags);
    Ok(Prepared { cases, unprepared, diagnostics, sources: project.sources, unknown_ids })
}

/// A path shown relative to the working directory.
pub fn shown(path: &Path) -> String {
    content::display_path(path)
}
