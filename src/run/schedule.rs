//! Scheduled runs: each job spec with a `schedule` and a `workspace` is started by
//! Sitewide itself, once per cron slot, as actor `scheduler`, through [`super::plan`]
//! like a run started from the CLI or the API. A scheduler claims a slot in the store
//! before it plans the slot's run; the claim is an insert only one process wins, so a
//! slot starts one run however many servers and workers watch the schedules. A slot
//! missed while no scheduler ran (the service was down) starts one run when a scheduler
//! starts: only the latest slot is claimed, never each missed one. A job never claimed
//! before starts with the first slot at or after the scheduler's start.
//!
//! [`run_until`] sleeps until the next slot with apalis-cron's scheduler stream (one per
//! job, its ticks computed by the spec's own croner schedule, so the crontab reading is
//! the one `spec check` validates); what is due is decided by [`Scheduler::tick`] from a
//! [`Clock`], so tests drive it through slots without waiting for them.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, DurationRound, Utc};
use futures::StreamExt;

use super::{PlanRequest, RunError, plan};
use crate::spec::{JobSpec, Schedule};
use crate::store::Store;
use crate::workspace::redact;

/// The actor scheduled runs are recorded under.
pub const ACTOR: &str = "scheduler";

/// Where the time comes from: the system clock, or a test's.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A job spec that has a schedule, and the file it was read from.
#[derive(Debug, Clone)]
pub struct ScheduledJob {
    pub path: PathBuf,
    pub spec: JobSpec,
}

/// A slot's run that a tick started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    pub spec: String,
    pub slot: DateTime<Utc>,
    pub run_id: String,
}

/// Starts the scheduled jobs' runs.
pub struct Scheduler {
    store: Store,
    data_dir: PathBuf,
    config: Option<PathBuf>,
    jobs: Vec<ScheduledJob>,
    /// When this scheduler started, to the minute: a job never claimed before is due
    /// from here on.
    started: DateTime<Utc>,
    /// Recorded with each claim: which process claimed it.
    name: String,
}

impl Scheduler {
    /// A scheduler of `jobs` (those without a `schedule` or a `workspace` are left out,
    /// with a warning for the second), started at `now`.
    pub fn new(
        store: Store,
        data_dir: &Path,
        config: Option<&Path>,
        jobs: Vec<ScheduledJob>,
        now: DateTime<Utc>,
    ) -> Scheduler {
        let jobs = jobs
            .into_iter()
            .filter(|j| j.spec.schedule.is_some())
            .filter(|j| {
                let has = j.spec.workspace.is_some();
                if !has {
                    tracing::warn!(job = %j.spec.name, file = %j.path.display(),
                        "the job has a schedule but no `workspace`: scheduled runs skip it");
                }
                has
            })
            .collect();
        Scheduler {
            store,
            data_dir: data_dir.to_path_buf(),
            config: config.map(Path::to_path_buf),
            jobs,
            started: minute_of(now),
            name: format!("pid {} ({})", std::process::id(), ulid::Ulid::generate()),
        }
    }

    /// The jobs this scheduler starts.
    pub fn jobs(&self) -> &[ScheduledJob] {
        &self.jobs
    }

    /// Starts the run of each job whose latest slot at or before `now` is due and won.
    /// A job whose run cannot be planned is logged and recorded on its slot; the other
    /// jobs go on.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<Vec<Started>, RunError> {
        let mut started = Vec::new();
        for job in &self.jobs {
            let Some(slot) = self.due(job, now).await? else {
                continue;
            };
            if !self
                .store
                .claim_slot(&job.spec.name, slot, &self.name, now)
                .await?
            {
                continue;
            }
            if let Some(run_id) = self.start(job, slot).await? {
                started.push(Started {
                    spec: job.spec.name.clone(),
                    slot,
                    run_id,
                });
            }
        }
        Ok(started)
    }

    /// The job's latest slot at or before `now`, when it has not been claimed and is
    /// after the job's last claimed slot (or, for a job never claimed, not before this
    /// scheduler started), or when its claim was abandoned (claimed more than
    /// `CLAIM_LEASE` ago by a process that never recorded a run or an error).
    async fn due(
        &self,
        job: &ScheduledJob,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, RunError> {
        let Some(slot) = job
            .spec
            .schedule
            .as_ref()
            .and_then(|s| s.latest_at_or_before(now))
        else {
            return Ok(None);
        };
        let name = &job.spec.name;
        let due = match self.store.last_claimed_slot(name).await? {
            Some(last) if slot == last => self.store.slot_abandoned(name, slot, now).await?,
            Some(last) => slot > last,
            None => slot >= self.started,
        };
        Ok(due.then_some(slot))
    }

    /// Plans the slot's run and records it (or why it failed) on the slot.
    async fn start(
        &self,
        job: &ScheduledJob,
        slot: DateTime<Utc>,
    ) -> Result<Option<String>, RunError> {
        let request = PlanRequest {
            spec: job.path.clone(),
            workspace: job.spec.workspace.clone().unwrap_or_default(),
            base: None,
            actor: ACTOR.to_string(),
            config: self.config.clone(),
            webhook: None,
        };
        let name = &job.spec.name;
        match plan(&self.store, &self.data_dir, &request).await {
            Ok(run) => {
                tracing::info!(job = %name, slot = %slot, run = %run.id, "a scheduled run was started");
                self.store
                    .record_slot(name, slot, Some(&run.id), None)
                    .await?;
                Ok(Some(run.id))
            }
            Err(e) => {
                let why = redact(&e.to_string());
                tracing::warn!(job = %name, slot = %slot, error = %why, "a scheduled run could not be started");
                self.store.record_slot(name, slot, None, Some(&why)).await?;
                Ok(None)
            }
        }
    }
}

/// `at` cut to its minute (slots are whole minutes).
fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    at.duration_trunc(chrono::Duration::minutes(1))
        .unwrap_or(at)
}

/// The valid job specs with a `schedule` in `dir` (`*.toml`, by file name), and a line for
/// each file that is not a valid spec or repeats a job's name.
pub fn load_jobs(dir: &Path) -> (Vec<ScheduledJob>, Vec<String>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|x| x == "toml"));
    paths.sort();
    let (mut jobs, mut problems) = (Vec::<ScheduledJob>::new(), Vec::new());
    for path in paths {
        match crate::spec::load(&path) {
            Ok(spec) if jobs.iter().any(|j| j.spec.name == spec.name) => {
                problems.push(format!(
                    "{}: a second job named {:?}",
                    path.display(),
                    spec.name
                ));
            }
            Ok(spec) if spec.schedule.is_some() => jobs.push(ScheduledJob { path, spec }),
            Ok(_) => {}
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
    }
    (jobs, problems)
}

/// The slots of one schedule as apalis-cron ticks: the next slot after the system's now.
struct Slots(Schedule);

impl apalis_cron::Schedule<apalis_cron::timezone::Utc> for Slots {
    fn next_tick(
        &mut self,
        _: &apalis_cron::timezone::Utc,
    ) -> Option<apalis_cron::Tick<apalis_cron::timezone::Utc>> {
        let next = self.0.next_after(Utc::now())?;
        Some(apalis_cron::Tick::new(
            u64::try_from(next.timestamp()).ok()?,
        ))
    }
}

/// Runs the scheduler until `stop` resolves: a tick at once (a missed slot's one run),
/// then one at each job's next slot and once a minute (an abandoned claim is taken over).
/// A store error is logged and the next tick tries again.
pub async fn run_until(
    scheduler: Scheduler,
    clock: Arc<dyn Clock>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    // The cron streams, made again after an error: apalis-cron keeps reporting a tick that
    // fell into the past (a tick that took longer than the gap to the next slot, a
    // suspended process, a clock that jumped) instead of moving on.
    let streams = || {
        futures::stream::select_all(scheduler.jobs.iter().filter_map(|j| {
            let schedule = j.spec.schedule.clone()?;
            Some(
                apalis_cron::CronScheduler::new(Slots(schedule))
                    .into_stream()
                    .boxed(),
            )
        }))
    };
    let mut ticks = streams();
    if ticks.is_empty() {
        return stop.await;
    }
    loop {
        if let Err(e) = scheduler.tick(clock.now()).await {
            tracing::warn!(error = %e, "the scheduler could not start the due runs");
        }
        tokio::select! {
            () = &mut stop => return,
            // Once a minute as well: a claim abandoned by a stopped process is taken over
            // without waiting for the job's next slot.
            () = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
            tick = ticks.next() => match tick {
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "the scheduler's clock; starting its streams again");
                    ticks = streams();
                    tokio::select! {
                        () = &mut stop => return,
                        () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                    }
                }
                None => return stop.await,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::on_db;
    use chrono::TimeZone;

    const SPEC: &str = "name = \"weekday-audit\"\nkind = \"audit\"\ntargets = [\"**/*.html\"]\nschedule = \"0 6 * * 1-5\"\ntimezone = \"Europe/Berlin\"\nworkspace = \"demo\"\n";

    /// Monday 2026-03-02 + `days`, at `h:m` UTC (06:00 Berlin is 05:00 UTC in March).
    fn at(days: i64, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap() + chrono::Duration::days(days)
    }

    async fn setup(spec: &str) -> (Store, tempfile::TempDir, Vec<ScheduledJob>) {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).await.unwrap();
        super::super::ensure_demo(&store, data.path(), false)
            .await
            .unwrap();
        let jobs = data.path().join("jobs");
        std::fs::create_dir_all(&jobs).unwrap();
        std::fs::write(jobs.join("weekday-audit.toml"), spec).unwrap();
        std::fs::write(
            jobs.join("on-demand.toml"),
            "name = \"x\"\nkind = \"audit\"\ntargets = [\"**\"]\n",
        )
        .unwrap();
        let (loaded, problems) = load_jobs(&jobs);
        assert!(problems.is_empty(), "{problems:?}");
        (store, data, loaded)
    }

    fn scheduler(
        store: &Store,
        data: &Path,
        jobs: &[ScheduledJob],
        now: DateTime<Utc>,
    ) -> Scheduler {
        Scheduler::new(store.clone(), data, None, jobs.to_vec(), now)
    }

    async fn runs(store: &Store) -> Vec<crate::store::Run> {
        store.runs().await.unwrap()
    }

    #[tokio::test]
    async fn two_schedulers_on_one_store_start_one_run_per_slot() {
        let (store, data, jobs) = setup(SPEC).await;
        assert_eq!(jobs.len(), 1, "only the job with a schedule");
        let a = scheduler(&store, data.path(), &jobs, at(0, 4, 59));
        let b = scheduler(&store, data.path(), &jobs, at(0, 4, 59));
        assert!(
            a.tick(at(0, 4, 59)).await.unwrap().is_empty(),
            "not due yet"
        );
        let now = at(0, 5, 0) + chrono::Duration::seconds(2);
        let (x, y) = tokio::join!(a.tick(now), b.tick(now));
        let started: Vec<Started> = x.unwrap().into_iter().chain(y.unwrap()).collect();
        assert_eq!(started.len(), 1, "{started:?}");
        assert_eq!(started[0].slot, at(0, 5, 0));
        let all = runs(&store).await;
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].created_by, ACTOR);
        assert_eq!(
            store.slot_run("weekday-audit", at(0, 5, 0)).await.unwrap(),
            Some(all[0].id.clone())
        );
        // The same slot again, later in the minute or the day: nothing more.
        assert!(a.tick(at(0, 5, 1)).await.unwrap().is_empty());
        assert!(b.tick(at(0, 12, 0)).await.unwrap().is_empty());
        // The next slot (Tuesday) starts the next run.
        assert_eq!(a.tick(at(1, 5, 0)).await.unwrap().len(), 1);
        assert_eq!(runs(&store).await.len(), 2);
    }

    #[tokio::test]
    async fn slots_missed_while_down_start_one_run_on_start() {
        let (store, data, jobs) = setup(SPEC).await;
        let first = scheduler(&store, data.path(), &jobs, at(0, 4, 0));
        assert_eq!(first.tick(at(0, 5, 0)).await.unwrap().len(), 1);
        // Down from Monday to Thursday noon: Tuesday's, Wednesday's and Thursday's slots
        // were missed; the restarted scheduler starts one run, for Thursday's slot.
        let restarted = scheduler(&store, data.path(), &jobs, at(3, 12, 0));
        let started = restarted.tick(at(3, 12, 0)).await.unwrap();
        assert_eq!(started.len(), 1, "{started:?}");
        assert_eq!(started[0].slot, at(3, 5, 0));
        assert!(restarted.tick(at(3, 12, 1)).await.unwrap().is_empty());
        assert_eq!(runs(&store).await.len(), 2);
    }

    #[tokio::test]
    async fn a_job_never_scheduled_before_waits_for_its_first_slot_after_the_start() {
        let (store, data, jobs) = setup(SPEC).await;
        let s = scheduler(&store, data.path(), &jobs, at(0, 12, 0));
        assert!(s.tick(at(0, 12, 0)).await.unwrap().is_empty());
        assert_eq!(s.tick(at(1, 5, 0)).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_job_without_a_workspace_is_not_scheduled_and_a_failed_plan_is_recorded() {
        let (store, data, jobs) = setup(&SPEC.replace("workspace = \"demo\"\n", "")).await;
        assert!(
            scheduler(&store, data.path(), &jobs, at(0, 4, 0))
                .jobs()
                .is_empty()
        );
        let (store, data, jobs) = setup(&SPEC.replace("\"demo\"", "\"nowhere\"")).await;
        let s = scheduler(&store, data.path(), &jobs, at(0, 4, 0));
        assert!(s.tick(at(0, 5, 0)).await.unwrap().is_empty());
        assert!(runs(&store).await.is_empty());
        let error: Option<String> =
            on_db!(store.db(), c => sqlx::query_scalar("SELECT error FROM schedule_slots WHERE spec = $1")
                .bind("weekday-audit")
                .fetch_one(c)
                .await)
                .unwrap();
        assert!(error.unwrap_or_default().contains("no workspace named"));
        // The failed slot is not tried again; the next one is.
        assert!(s.tick(at(0, 6, 0)).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn run_until_ticks_at_start_and_stops_when_told() {
        let (store, data, jobs) = setup(SPEC).await;
        store
            .claim_slot("weekday-audit", at(0, 5, 0), "earlier", at(0, 5, 0))
            .await
            .unwrap();
        struct Fixed(DateTime<Utc>);
        impl Clock for Fixed {
            fn now(&self) -> DateTime<Utc> {
                self.0
            }
        }
        let s = scheduler(&store, data.path(), &jobs, at(2, 9, 0));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run_until(s, Arc::new(Fixed(at(2, 9, 0))), async {
            let _ = rx.await;
        }));
        for _ in 0..100 {
            if !runs(&store).await.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = tx.send(());
        task.await.unwrap();
        assert_eq!(runs(&store).await.len(), 1, "Wednesday's missed slot, once");
        assert!(
            store
                .slot_run("weekday-audit", at(2, 5, 0))
                .await
                .unwrap()
                .is_some()
        );
    }
}
