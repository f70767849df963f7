//! Group commit for the writes that move credits. Each must be durable when it is
//! answered (`synchronous = FULL`: the WAL is fsynced before the commit returns), and an
//! fsync costs about a millisecond here and more on many disks — one per redemption would
//! cap the server at a few hundred a second whatever the CPU (docs/benchmarks.md).
//!
//! So one task owns the credit writes: it takes every request waiting at that moment (up
//! to [`MAX_BATCH`]), runs each in its own SAVEPOINT of one `BEGIN IMMEDIATE` transaction
//! (a refused one rolls back to its savepoint and leaves the others alone), commits once,
//! and only then answers them all. Every answered request is on disk; none is answered
//! before the commit, and a crash before it loses only requests nobody was told succeeded.

use super::assignments::{self, AssignRefusal, AssignWork};
use super::licenses::{self, LicenseDone, LicenseRefusal, LicenseWork};
use super::vouchers::{redeem_in, OwnedRedeemer, RedeemError, Redemption};
use super::window::{self, Events};
use super::Tx;
use crate::clock::to_db;
use chrono::{DateTime, Duration, Utc};
use sqlx::sqlite::SqlitePool;
use tokio::sync::{mpsc, oneshot};

/// Requests one commit takes at most: enough to amortize the fsync, few enough that the
/// last of them is not kept waiting long behind the first.
pub const MAX_BATCH: usize = 64;

/// A credit-moving request and where its answer goes.
pub(super) enum Job {
    Redeem {
        code_hash: String,
        who: OwnedRedeemer,
        now: DateTime<Utc>,
        throttle: FailureLimit,
        reply: oneshot::Sender<Result<Redemption, RedeemError>>,
    },
    License {
        work: Box<LicenseWork>,
        reply: oneshot::Sender<Result<LicenseDone, LicenseRefusal>>,
    },
    Assign {
        work: Box<AssignWork>,
        reply: oneshot::Sender<Result<LicenseDone, AssignRefusal>>,
    },
}

/// Redemptions that did not redeem allowed per person within a window. Judged and counted
/// in the batch's transaction, so simultaneous guesses cannot all slip under the limit.
#[derive(Debug, Clone, Copy)]
pub struct FailureLimit {
    pub max: i64,
    pub window: Duration,
}

/// What a refused redemption is counted as.
const REDEEM_FAILURE: &str = "redeem_failure";

impl Job {
    /// Refused at once (nothing looked up) when the person's failures reached the limit.
    async fn throttled(&self, tx: &mut Tx<'_>) -> Result<Option<Outcome>, sqlx::Error> {
        match self {
            Job::Redeem { who, now, throttle, .. } => {
                let key = who.user_id.to_string();
                let events = Events::Rate { kind: REDEEM_FAILURE, key: Some(&key) };
                Ok(window::check(tx, events, *now, throttle.window, throttle.max)
                    .await?
                    .err()
                    .map(|allowed_at| Outcome::Redeemed(Err(RedeemError::Throttled { allowed_at }))))
            }
            Job::License { .. } | Job::Assign { .. } => Ok(None),
        }
    }

    /// Counts a refusal against the person (outside the job's rolled-back savepoint).
    async fn count_failure(&self, tx: &mut Tx<'_>) -> Result<(), sqlx::Error> {
        match self {
            Job::Redeem { who, now, .. } => {
                sqlx::query("INSERT INTO rate_events (kind, key, at) VALUES (?, ?, ?)")
                    .bind(REDEEM_FAILURE)
                    .bind(who.user_id.to_string())
                    .bind(to_db(*now))
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
            Job::License { .. } | Job::Assign { .. } => Ok(()),
        }
    }

    /// Runs the job inside `tx` (a savepoint); `Err` only for a database failure.
    async fn run(&mut self, tx: &mut Tx<'_>) -> Result<Outcome, sqlx::Error> {
        match self {
            Job::Redeem { code_hash, who, now, .. } => match redeem_in(tx, code_hash, who, *now).await {
                Ok(done) => Ok(Outcome::Redeemed(Ok(done))),
                Err(RedeemError::Db(e)) => Err(e),
                Err(refused) => Ok(Outcome::Redeemed(Err(refused))),
            },
            Job::License { work, .. } => match licenses::run(tx, work).await {
                Ok(done) => Ok(Outcome::Licensed(Ok(done))),
                Err(LicenseRefusal::Db(e)) => Err(e),
                Err(refused) => Ok(Outcome::Licensed(Err(refused))),
            },
            Job::Assign { work, .. } => match assignments::run(tx, work).await {
                Ok(done) => Ok(Outcome::Assigned(Ok(done))),
                Err(AssignRefusal::Db(e)) => Err(e),
                Err(refused) => Ok(Outcome::Assigned(Err(refused))),
            },
        }
    }

    fn answer(self, outcome: Result<Outcome, String>) {
        match self {
            Job::Redeem { reply, .. } => {
                let answer = match outcome {
                    Ok(Outcome::Redeemed(result)) => result,
                    Ok(_) => Err(RedeemError::Db(sqlx::Error::Protocol("mismatched outcome".into()))),
                    Err(e) => Err(RedeemError::Db(sqlx::Error::Protocol(e))),
                };
                // The caller may have gone (its client hung up): the write stands regardless.
                let _ = reply.send(answer);
            }
            Job::License { reply, .. } => {
                let answer = match outcome {
                    Ok(Outcome::Licensed(result)) => result,
                    Ok(_) => Err(LicenseRefusal::Db(sqlx::Error::Protocol("mismatched outcome".into()))),
                    Err(e) => Err(LicenseRefusal::Db(sqlx::Error::Protocol(e))),
                };
                let _ = reply.send(answer);
            }
            Job::Assign { reply, .. } => {
                let answer = match outcome {
                    Ok(Outcome::Assigned(result)) => result,
                    Ok(_) => Err(AssignRefusal::Db(sqlx::Error::Protocol("mismatched outcome".into()))),
                    Err(e) => Err(AssignRefusal::Db(sqlx::Error::Protocol(e))),
                };
                let _ = reply.send(answer);
            }
        }
    }
}

pub(super) enum Outcome {
    Redeemed(Result<Redemption, RedeemError>),
    Licensed(Result<LicenseDone, LicenseRefusal>),
    Assigned(Result<LicenseDone, AssignRefusal>),
}

impl Outcome {
    fn keeps_writes(&self) -> bool {
        match self {
            Outcome::Redeemed(r) => r.is_ok(),
            // A replayed answer wrote nothing; keeping its empty savepoint is harmless.
            Outcome::Licensed(r) => r.is_ok(),
            Outcome::Assigned(r) => r.is_ok(),
        }
    }
}

/// Starts the task that owns the credit writes on `write` (the one write connection's
/// pool). It ends when every sender is dropped (the `Db` and its clones are gone).
pub(super) fn start(write: SqlitePool) -> mpsc::Sender<Job> {
    let (sender, mut jobs) = mpsc::channel::<Job>(4 * MAX_BATCH);
    tokio::spawn(async move {
        while let Some(first) = jobs.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match jobs.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            // Each batch in a task of its own: should one panic, its transaction rolls back,
            // its callers get an error (their answer channels close), and the next batch runs.
            if let Err(e) = tokio::spawn(run_batch(write.clone(), batch)).await {
                tracing::error!(error = %e, "a batch of credit writes panicked; nothing of it was kept");
            }
        }
    });
    sender
}

async fn run_batch(write: SqlitePool, mut batch: Vec<Job>) {
    match try_batch(&write, &mut batch).await {
        Ok(outcomes) => {
            for (job, outcome) in batch.into_iter().zip(outcomes) {
                job.answer(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, jobs = batch.len(), "a batch of credit writes failed; nothing of it was kept");
            for job in batch {
                job.answer(Err(e.to_string()));
            }
        }
    }
}

/// One transaction for the whole batch, one savepoint per job, one commit. A job whose own
/// statements fail is rolled back to its savepoint and answered with the error; only a
/// failure of the transaction itself fails the batch. (A rolled-back savepoint stays on
/// SQLite's stack until the commit; RELEASE and ROLLBACK TO always take the innermost.)
async fn try_batch(write: &SqlitePool, batch: &mut [Job]) -> Result<Vec<Result<Outcome, String>>, sqlx::Error> {
    let mut tx = super::begin_synced(write, true).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch.iter_mut() {
        if let Some(refused) = job.throttled(&mut tx).await? {
            outcomes.push(Ok(refused));
            continue;
        }
        let mut savepoint = sqlx::Acquire::begin(&mut *tx).await?;
        let outcome = match job.run(&mut savepoint).await {
            Ok(outcome) => outcome,
            Err(e) => {
                tracing::error!(error = %e, "a credit write failed; it alone was rolled back");
                savepoint.rollback().await?;
                outcomes.push(Err(e.to_string()));
                continue;
            }
        };
        if outcome.keeps_writes() {
            savepoint.commit().await?;
        } else {
            savepoint.rollback().await?;
            job.count_failure(&mut tx).await?;
        }
        outcomes.push(Ok(outcome));
    }
    tx.commit().await?;
    Ok(outcomes)
}
