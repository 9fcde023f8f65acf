//! Server-Sent Events of one run: the store is read every [`POLL`], and what changed is
//! sent as named events with JSON data: `run` (a state the run went to), `progress`
//! (edit batches done), `change` (a state a change went to, or a new diff). The first
//! read sends the run and every change as they are; after that the run's append-only
//! event log is followed, so no state in between two reads is lost. The stream ends
//! after the run reaches a final state (applied, completed, failed, cancelled). A
//! comment line every [`KEEP_ALIVE`] keeps proxies from closing it.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::api::run_id;
use super::app::AppState;
use super::error::ApiError;
use crate::store::{Event, RunState, Store};

/// How often the store is read.
const POLL: Duration = Duration::from_millis(100);
/// How long a quiet stream waits before a keep-alive comment.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// What the client was last told.
struct Watch {
    store: Store,
    run: String,
    /// The last event of the run's log that was sent; `None` before the first read.
    last_event: Option<i64>,
    batches_done: Option<i64>,
    /// The files of the changes, by id.
    files: HashMap<i64, String>,
    queue: VecDeque<web::Bytes>,
    finished: bool,
    first: bool,
    last_sent: Instant,
}

/// `GET /api/v1/runs/{id}/events`.
pub async fn stream(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = run_id(&id)?.to_string();
    state.store.run_by_id(&id).await?;
    let watch = Watch {
        store: state.store.clone(),
        run: id,
        last_event: None,
        batches_done: None,
        files: HashMap::new(),
        queue: VecDeque::new(),
        finished: false,
        first: true,
        last_sent: Instant::now(),
    };
    let events = futures::stream::unfold(watch, |mut w| async move {
        let next = w.next().await?;
        Some((Ok::<_, actix_web::Error>(next), w))
    });
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/event-stream"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(events))
}

/// One event in the wire format.
fn event(name: &str, data: &Value) -> web::Bytes {
    web::Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

impl Watch {
    /// The next bytes to send, or `None` when the stream is over.
    async fn next(&mut self) -> Option<web::Bytes> {
        loop {
            if let Some(b) = self.queue.pop_front() {
                self.last_sent = Instant::now();
                return Some(b);
            }
            if self.finished {
                return None;
            }
            if !self.first {
                tokio::time::sleep(POLL).await;
            }
            self.first = false;
            if let Err(e) = self.read().await {
                let data = json!({"code": "internal", "message": "the run could not be read"});
                tracing::warn!(run = %self.run, error = %e, "an event stream stopped");
                self.queue.push_back(event("error", &data));
                self.finished = true;
                continue;
            }
            if self.queue.is_empty() && self.last_sent.elapsed() >= KEEP_ALIVE {
                self.queue
                    .push_back(web::Bytes::from_static(b": keep-alive\n\n"));
            }
        }
    }

    /// Reads the run and queues an event for each thing that changed.
    async fn read(&mut self) -> Result<(), crate::store::StoreError> {
        let store = self.store.clone();
        let run = match self.last_event {
            // The log is read before the run, so what happens in between is sent again
            // after the snapshot rather than lost.
            None => {
                let logged = store.events_after(&self.run, 0).await?;
                let run = store.run_by_id(&self.run).await?;
                self.snapshot(&run).await?;
                self.last_event = Some(logged.last().map_or(0, |e| e.id));
                run
            }
            // The run is read before the log, so the log holds the move to its state.
            Some(last) => {
                let run = store.run_by_id(&self.run).await?;
                let logged = store.events_after(&self.run, last).await?;
                self.follow(&logged).await?;
                self.last_event = Some(logged.last().map_or(last, |e| e.id));
                run
            }
        };
        let done = store.batches_done(&self.run).await?;
        if self.batches_done != Some(done) {
            self.batches_done = Some(done);
            let data = json!({"batches_done": done, "batches": run.batches, "files": run.files});
            self.queue.push_back(event("progress", &data));
        }
        self.finished = is_final(run.state);
        Ok(())
    }

    /// The run and every change as they are now.
    async fn snapshot(&mut self, run: &crate::store::Run) -> Result<(), crate::store::StoreError> {
        let data = json!({"id": run.id, "state": run.state, "budget_exhausted": run.budget_exhausted,
            "commit": run.commit_id, "finished_at": run.finished_at.map(|t| t.to_rfc3339())});
        self.queue.push_back(event("run", &data));
        for c in self.store.change_statuses(&self.run).await? {
            let data =
                json!({"id": c.id, "file": c.path, "state": c.state, "diff_hash": c.diff_hash});
            self.queue.push_back(event("change", &data));
            self.files.insert(c.id, c.path);
        }
        Ok(())
    }

    /// One event for each entry of the run's log since the last read.
    async fn follow(&mut self, logged: &[Event]) -> Result<(), crate::store::StoreError> {
        for e in logged {
            let Some(change) = e.change_id else {
                let data = json!({"id": e.run_id, "state": e.to_state, "from": e.from_state,
                    "actor": e.actor, "at": e.at.to_rfc3339()});
                self.queue.push_back(event("run", &data));
                continue;
            };
            if !self.files.contains_key(&change) {
                for c in self.store.change_statuses(&self.run).await? {
                    self.files.insert(c.id, c.path);
                }
            }
            let data = json!({"id": change, "file": self.files.get(&change), "state": e.to_state,
                "from": e.from_state, "actor": e.actor, "diff_hash": e.diff_hash,
                "at": e.at.to_rfc3339()});
            self.queue.push_back(event("change", &data));
        }
        Ok(())
    }
}

fn is_final(state: RunState) -> bool {
    matches!(
        state,
        RunState::Applied | RunState::Completed | RunState::Failed | RunState::Cancelled
    )
}
