//! Executing a valid `Plan`: each write starts as soon as what it depends on exists (the
//! client paces them), references are resolved to the ids Stripe holds or just returned, and
//! the first failed write (or Ctrl-C / SIGTERM) stops all scheduling: writes in flight
//! finish, nothing new starts, and the report says what was done and what was not. A re-run
//! completes the job, since its plan is recomputed from the live account.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Map, Value};
use tokio::task::JoinSet;

use super::order::schedule;
use super::secrets::{Entry, SecretsFile};
use super::write::{Op, Write};
use crate::catalog::Reference;
use crate::compact::Json;
use crate::kinds::{ObjectKind, KINDS};
use crate::live::{fetch_live, is_active, LiveState};
use crate::path;
use crate::path::segments;
use crate::plan::settle::{settle, Settled};
use crate::plan::{Action, Change, Plan};
use crate::stripe::{Client, Error};

/// Applies showing a bar past this many writes (on a terminal).
const BAR_THRESHOLD: usize = 20;

/// How progress is shown, on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    /// An indicatif bar (a terminal and a large apply).
    Bar,
    /// Plain lines: one per write for small applies, one per 10% otherwise.
    Lines,
    /// Nothing.
    Quiet,
}

impl ProgressMode {
    /// A bar on a terminal for more than 20 writes, plain lines otherwise.
    pub fn choose(on_terminal: bool, writes: usize) -> Self {
        if on_terminal && writes > BAR_THRESHOLD {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        }
    }
}

/// How an apply ended.
#[derive(Debug, Default)]
pub struct Report {
    /// Changes fully written, per action.
    pub created: usize,
    pub updated: usize,
    /// Objects made outside billingctl taken into the catalog (`Action::Adopt`).
    pub adopted: usize,
    pub deactivated: usize,
    /// Feature attachments deleted (`Action::Detach`).
    pub detached: usize,
    pub replaced: usize,
    /// Every completed write, e.g. "created price `basic_monthly` (price_123)".
    pub done: Vec<String>,
    /// The failed writes, each naming its object and carrying Stripe's error.
    pub failures: Vec<String>,
    /// Writes never started, e.g. "create price `plus_yearly`".
    pub not_done: Vec<String>,
    /// Stopped by Ctrl-C or SIGTERM.
    pub interrupted: bool,
}

impl Report {
    /// Whether every write of the plan was made.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty() && self.not_done.is_empty() && !self.interrupted
    }
}

/// Executes `plan`, which must be valid (no errors), against the account `live` was fetched
/// from. Each write starts as soon as the writes it depends on have succeeded
/// (`order::schedule`); among the ready ones, each endpoint keeps as many started as the
/// client's adaptive windows admit (`Client::windows`), so one endpoint's queue never holds
/// back another's. `concurrency` caps the writes this executor has started and not finished,
/// so a stop leaves at most that many in flight.
///
/// A create whose answer carries a one-time secret (`Kind::create_secret`) has it written to
/// `secrets` (and flushed) before anything else happens; without `secrets`, a plan with such
/// a create writes nothing (`run` refuses it earlier, with the object's span).
pub async fn apply_plan(
    client: &Client,
    plan: &Plan,
    live: &LiveState,
    concurrency: usize,
    progress: ProgressMode,
    mut secrets: Option<&mut SecretsFile>,
) -> Report {
    let schedule = schedule(plan);
    if secrets.is_none() && plan.changes.iter().any(|c| c.creates_secret()) {
        let mut report = Report::default();
        report.failures.push(
            "the plan creates an object whose secret Stripe shows only once, and no \
             --secrets-out file was given"
                .to_owned(),
        );
        report.not_done = schedule.iter().map(|s| pending_line(&s.write)).collect();
        return report;
    }
    let total = schedule.len();
    let progress = Progress::new(progress, total);
    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_signals(stop.clone(), interrupted.clone()));
    let mut ids = Ids {
        live,
        created: HashMap::new(),
    };
    let mut remaining: Vec<usize> = vec![0; plan.changes.len()];
    let mut waiting_on: Vec<usize> = Vec::with_capacity(total);
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); total];
    for (i, scheduled) in schedule.iter().enumerate() {
        remaining[scheduled.write.change] += 1;
        waiting_on.push(scheduled.after.len());
        for &before in &scheduled.after {
            dependents[before].push(i);
        }
    }
    let mut ready = Ready::default();
    for (i, scheduled) in schedule.iter().enumerate() {
        if scheduled.after.is_empty() {
            ready.push(i, &scheduled.write);
        }
    }
    let mut started = vec![false; total];
    let mut report = Report::default();
    let concurrency = concurrency.max(1);
    let mut in_flight = JoinSet::new();
    let mut running: HashMap<&'static str, usize> = HashMap::new();

    loop {
        while in_flight.len() < concurrency && !stop.load(Ordering::SeqCst) {
            let Some(i) = ready.next(client, &running, in_flight.len()) else {
                break;
            };
            started[i] = true;
            let write = schedule[i].write.clone();
            let change = &plan.changes[write.change];
            match ids.prepare(&write, &change.references) {
                Ok((path, params)) => {
                    let endpoint = endpoint_of(&write);
                    *running.entry(endpoint).or_default() += 1;
                    let client = client.clone();
                    let delete = matches!(write.op, Op::Delete { .. });
                    in_flight.spawn(async move {
                        let result = if delete {
                            client.delete(&path).await
                        } else {
                            client.post(&path, &params).await
                        };
                        (i, endpoint, result)
                    });
                }
                Err(message) => {
                    report
                        .failures
                        .push(format!("{}: {message}", write.describe()));
                    stop.store(true, Ordering::SeqCst);
                }
            }
        }
        let Some(joined) = in_flight.join_next().await else {
            break;
        };
        let (i, endpoint, result) = match joined {
            Ok(triple) => triple,
            Err(panic) => {
                report
                    .failures
                    .push(format!("a write task failed: {panic}"));
                stop.store(true, Ordering::SeqCst);
                continue;
            }
        };
        if let Some(count) = running.get_mut(endpoint) {
            *count = count.saturating_sub(1);
        }
        let write = &schedule[i].write;
        let change = &plan.changes[write.change];
        let outcome = match result {
            Ok(object) => {
                let id = object
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                match (&write.op, secrets.as_deref_mut()) {
                    (Op::Create, Some(file)) => keep_secret(file, write, &id, object),
                    _ => Ok(id),
                }
            }
            Err(error) if write.op == Op::Create && change.action == Action::Create => {
                settle_taken_key(client, change, error).await
            }
            Err(error) => Err(error.to_string()),
        };
        match outcome {
            Ok(id) => {
                if write.op == Op::Create {
                    ids.created
                        .insert((write.kind, write.key.clone()), id.clone());
                }
                let line = done_line(write, &plan.changes[write.change].action, &id);
                progress.done(&line);
                report.done.push(line);
                remaining[write.change] -= 1;
                if remaining[write.change] == 0 {
                    match plan.changes[write.change].action {
                        Action::Create => report.created += 1,
                        Action::Update => report.updated += 1,
                        Action::Adopt => report.adopted += 1,
                        Action::Deactivate => report.deactivated += 1,
                        Action::Replace => report.replaced += 1,
                        Action::Detach => report.detached += 1,
                    }
                }
                for &next in &dependents[i] {
                    waiting_on[next] -= 1;
                    if waiting_on[next] == 0 {
                        ready.push(next, &schedule[next].write);
                    }
                }
            }
            Err(error) => {
                report
                    .failures
                    .push(format!("{}: {error}", write.describe()));
                stop.store(true, Ordering::SeqCst);
            }
        }
    }
    report.not_done.extend(
        schedule
            .iter()
            .zip(&started)
            .filter(|(_, started)| !**started)
            .map(|(scheduled, _)| pending_line(&scheduled.write)),
    );
    watcher.abort();
    progress.finish();
    report.interrupted = interrupted.load(Ordering::SeqCst);
    report
}

/// Writes the one-time secret of a create's answer to the secrets file, if its kind has one;
/// the answer is dropped here, so the secret goes nowhere else. A secret that could not be
/// written fails the write: the object exists, but its secret must be rolled.
fn keep_secret(
    file: &mut SecretsFile,
    write: &Write,
    id: &str,
    mut object: Value,
) -> Result<String, String> {
    let Some(field) = write.kind.def().create_secret() else {
        return Ok(id.to_owned());
    };
    let secret = object
        .as_object_mut()
        .and_then(|o| o.remove(field))
        .and_then(|v| v.as_str().map(str::to_owned));
    let Some(secret) = secret else {
        return Err(format!(
            "{id} was created, but Stripe's answer held no `{field}`: roll the endpoint's \
             secret in the Dashboard"
        ));
    };
    crate::redact::register_secret(&secret);
    let entry = Entry {
        kind: write.kind.name().to_owned(),
        key: write.key.clone(),
        id: id.to_owned(),
        url: object["url"].as_str().unwrap_or_default().to_owned(),
        secret,
    };
    file.record(&entry).map_err(|e| {
        format!(
            "{id} was created, but its secret could not be kept ({e}): roll it in the Dashboard"
        )
    })?;
    Ok(id.to_owned())
}

/// A create Stripe refused because its key is taken (another run, or the Dashboard, made the
/// object since the plan): the account is read again and the object compared with the create
/// (`plan::settle`). As declared, the create is done and its id used from here on; otherwise
/// the error says what differs, and the next plan shows it.
async fn settle_taken_key(
    client: &Client,
    change: &Change,
    error: Error,
) -> Result<String, String> {
    let taken = error.api().is_some_and(|api| {
        api.code.as_deref() == Some("resource_already_exists")
            || api.param.as_deref() == change.kind.def().key().field()
    });
    if !taken {
        return Err(error.to_string());
    }
    let fresh = match fetch_live(client).await {
        Ok(fresh) => fresh,
        Err(fetch) => return Err(format!("{error} (and reading the account again: {fetch})")),
    };
    match settle(change, &fresh) {
        // The object was made by a create whose answer this run never read (or by another
        // run): its one-time secret is not ours to write down.
        Settled::AsDeclared { id } if change.creates_secret() => Err(format!(
            "{error}: {id} exists as declared, but its signing secret was not in an answer this \
             run read; roll the secret in the Dashboard"
        )),
        Settled::AsDeclared { id } => Ok(id),
        Settled::Differs { id, fields } => Err(format!(
            "{error}: {id} was made meanwhile (by another run?) and differs from the script in \
             {}; run again to plan the change",
            fields.join(", ")
        )),
        Settled::NotFound => Err(error.to_string()),
    }
}

/// The named operation a write goes to, as the client's pacing counts it: a create's
/// collection, or an update of one object of it.
fn endpoint_of(write: &Write) -> &'static str {
    match write.op {
        Op::Create => write.kind.table().path,
        Op::Update { .. } | Op::Action { .. } | Op::Delete { .. } => update_route(write.kind),
    }
}

/// `/v1/prices/:id` and the like, built once per kind.
fn update_route(kind: ObjectKind) -> &'static str {
    static ROUTES: std::sync::OnceLock<Vec<(ObjectKind, &'static str)>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| {
        KINDS
            .iter()
            .map(|k| {
                let route: &'static str = Box::leak(format!("{}/:id", k.table().path).into());
                (k.id(), route)
            })
            .collect()
    });
    routes
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, route)| *route)
        .expect("every kind has a route")
}

/// The writes whose dependencies are met, per endpoint, each queue in schedule order.
#[derive(Default)]
struct Ready {
    queues: BTreeMap<&'static str, BinaryHeap<Reverse<usize>>>,
    /// Where the round-robin over endpoints goes on from.
    cursor: Option<&'static str>,
}

impl Ready {
    fn push(&mut self, index: usize, write: &Write) {
        self.queues
            .entry(endpoint_of(write))
            .or_default()
            .push(Reverse(index));
    }

    /// The next write to start: endpoints take turns, and one is skipped while it has as many
    /// writes running as its window admits (or all endpoints together fill the global one).
    fn next(
        &mut self,
        client: &Client,
        running: &HashMap<&'static str, usize>,
        total_running: usize,
    ) -> Option<usize> {
        let endpoints: Vec<&'static str> = self
            .queues
            .iter()
            .filter(|(_, queue)| !queue.is_empty())
            .map(|(endpoint, _)| *endpoint)
            .collect();
        let start = self
            .cursor
            .and_then(|c| endpoints.iter().position(|e| *e > c))
            .unwrap_or(0);
        for offset in 0..endpoints.len() {
            let endpoint = endpoints[(start + offset) % endpoints.len()];
            let (own, all) = client.windows("POST", endpoint);
            if total_running >= all {
                return None;
            }
            if running.get(endpoint).copied().unwrap_or(0) >= own {
                continue;
            }
            self.cursor = Some(endpoint);
            let queue = self.queues.get_mut(endpoint)?;
            return queue.pop().map(|Reverse(index)| index);
        }
        None
    }
}

/// Stops scheduling on Ctrl-C or SIGTERM, as a failed write would.
async fn watch_signals(stop: Arc<AtomicBool>, interrupted: Arc<AtomicBool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    interrupted.store(true, Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
}

/// Keys to ids: what this apply created, else what the account holds.
struct Ids<'a> {
    live: &'a LiveState,
    created: HashMap<(ObjectKind, String), String>,
}

impl Ids<'_> {
    fn resolve(&self, kind: ObjectKind, key: &str) -> Option<String> {
        if let Some(id) = self.created.get(&(kind, key.to_owned())) {
            return Some(id.clone());
        }
        let mut matches = self.live.by_key(kind, key);
        let newest = matches.clone().next();
        matches
            .find(|o| is_active(kind, o))
            .or(newest)
            .and_then(|o| o.get("id"))
            .and_then(Json::as_str)
            .map(str::to_owned)
    }

    /// The id of the object a write follows up on, created earlier in this apply.
    fn created_id(&self, write: &Write) -> Result<String, String> {
        self.resolve(write.kind, &write.key)
            .ok_or_else(|| format!("{} `{}` was not created", write.kind, write.key))
    }

    /// The endpoint and the params with every reference resolved to an id.
    fn prepare(
        &self,
        write: &Write,
        references: &[Reference],
    ) -> Result<(String, Map<String, Value>), String> {
        let base = write.kind.table().path;
        let path = match &write.op {
            Op::Create => base.to_owned(),
            Op::Update { id: Some(id) } | Op::Delete { id } => format!("{base}/{id}"),
            Op::Update { id: None } => format!("{base}/{}", self.created_id(write)?),
            Op::Action {
                id: Some(id),
                action,
            } => format!("{base}/{id}/{action}"),
            Op::Action { id: None, action } => {
                format!("{base}/{}/{action}", self.created_id(write)?)
            }
        };
        let mut params = write.params.clone();
        for reference in references {
            if !params.contains_key(segments(&reference.path)[0]) {
                continue;
            }
            let id = self
                .resolve(reference.kind, &reference.key)
                .ok_or_else(|| {
                    format!(
                        "it references {} `{}`, which is not in the account",
                        reference.kind, reference.key
                    )
                })?;
            path::replace(&mut params, &reference.path, Value::String(id));
        }
        // A kind under another's object (a product's feature attachment) names its parent's
        // id in the path, not in the body.
        let mut path = path;
        if let Some(within) = write.kind.def().within() {
            if let Some(Value::String(parent)) = params.remove(within.segment) {
                path = crate::live::nested_path(&path, within.segment, &parent);
            }
        }
        Ok((path, params))
    }
}

fn done_line(write: &Write, action: &Action, id: &str) -> String {
    match (&write.op, action) {
        (Op::Create, _) => format!("created {} `{}` ({id})", write.kind, write.key),
        (Op::Delete { .. }, _) => format!("detached {} `{}` ({id})", write.kind, write.key),
        (Op::Update { .. }, Action::Deactivate | Action::Replace)
            if write
                .kind
                .def()
                .deactivation()
                .off()
                .is_some_and(|(field, _)| write.params.contains_key(field)) =>
        {
            format!("deactivated {} `{}` ({id})", write.kind, write.key)
        }
        (Op::Update { .. }, Action::Adopt) => {
            format!("adopted {} `{}` ({id})", write.kind, write.key)
        }
        (Op::Update { .. }, _) => format!("updated {} `{}` ({id})", write.kind, write.key),
        (Op::Action { action, .. }, _) => {
            format!("{action}d {} `{}` ({id})", write.kind, write.key)
        }
    }
}

fn pending_line(write: &Write) -> String {
    let verb = match write.op {
        Op::Create => "create",
        Op::Update { .. } => "update",
        Op::Action { action, .. } => action,
        Op::Delete { .. } => "detach",
    };
    format!("{verb} {} `{}`", write.kind, write.key)
}

/// Progress on stderr.
struct Progress {
    mode: ProgressMode,
    total: usize,
    bar: Option<ProgressBar>,
    count: Mutex<usize>,
}

impl Progress {
    fn new(mode: ProgressMode, total: usize) -> Self {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar =
                ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
            // Elapsed time and an estimate of what is left (issue 14).
            if let Ok(style) = ProgressStyle::with_template(
                "{bar:40} {pos}/{len} writes, {elapsed} elapsed, ETA {eta} {msg}",
            ) {
                bar.set_style(style);
            }
            bar
        });
        Self {
            mode,
            total,
            bar,
            count: Mutex::new(0),
        }
    }

    fn done(&self, line: &str) {
        let mut count = self.count.lock().unwrap_or_else(|e| e.into_inner());
        *count += 1;
        match self.mode {
            ProgressMode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
            }
            ProgressMode::Lines if self.total <= BAR_THRESHOLD => crate::eoutln!("  {line}"),
            ProgressMode::Lines => {
                let step = self.total.div_ceil(10);
                if *count % step == 0 || *count == self.total {
                    crate::eoutln!("  {}/{} writes", *count, self.total);
                }
            }
            ProgressMode::Quiet => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    /// However the apply ends (interrupted, failed), the bar leaves the terminal clean.
    fn drop(&mut self) {
        self.finish();
    }
}
