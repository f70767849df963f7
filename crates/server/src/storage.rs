//! All SQL lives here, so that moving to PostgreSQL touches one module; one module
//! per aggregate, each with the outcomes its callers turn into specific errors.
//!
//! SQLite in WAL mode: one write connection (writes queue instead of fighting over
//! the lock, see the figures in docs/benchmarks.md) and a pool of readers. Rows map
//! to records with `sqlx::FromRow`; stored names of enums are read back through the
//! domain's `TryFrom<String>`, so a value we never wrote is an error, not a default.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

mod account_links;
mod assignments;
mod auth_failures;
mod credits;
mod device_shares;
mod devices;
mod idempotency;
mod invitations;
mod licenses;
mod lockers;
mod members;
mod notices;
mod organizations;
mod outbox;
mod quotes;
mod rate_events;
mod sessions;
mod vouchers;
mod window;

pub use account_links::{AccountLinkRecord, LinkError};
pub use assignments::{AssignRefusal, AssignWork, PlanError, PlanToAssign};
pub use credits::FailureLimit;
pub use device_shares::{ShareError, ShareRecord};
pub use devices::{DeviceError, DeviceRecord, DeviceRow, SegmentRecord};
pub use idempotency::{IdempotencyKey, IDEMPOTENCY_HOURS};
pub use invitations::{InvitationRecord, InvitationWithOrg, InviteError, NewInvitation, NewToken};
pub use licenses::{
    Actor, AddOnRecord, LicenseDone, LicenseEventRecord, LicenseOp, LicenseRecord, LicenseRefusal, LicenseRow,
    LicenseWork,
};
pub use lockers::{BalanceRecord, LedgerRecord, LockerMemberRecord, NewEntry};
pub use members::{MemberError, MemberRecord, NewUser, UserRecord};
pub use notices::{DueNotice, NoticeOrg};
pub use organizations::{NewOrg, OrgRecord, OrgSettings, OrganizationError};
pub use outbox::{MailRecord, NewMail};
pub use quotes::{NewQuote, OrderRecord, QuoteError, QuoteLineRecord, QuoteRecord, QuoteRow};
pub use rate_events::Limit;
pub use sessions::SessionUser;
pub use vouchers::{IssueError, NewVoucher, RedeemError, Redeemer, Redemption, VoucherRecord};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct Db {
    write: SqlitePool,
    read: SqlitePool,
    /// The task that commits credit-moving writes in groups (`credits`).
    credits: tokio::sync::mpsc::Sender<credits::Job>,
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Sqlite>;

/// `BEGIN IMMEDIATE` on the write connection, durable at commit when `full`.
async fn begin_synced(write: &SqlitePool, full: bool) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    let pragma = if full { "PRAGMA synchronous = FULL" } else { "PRAGMA synchronous = NORMAL" };
    // SQLite refuses to change the safety level inside a transaction, so it is set on the
    // connection just before `BEGIN`; on each transaction, since the one write connection
    // serves both kinds.
    let mut conn = write.acquire().await?;
    sqlx::query(pragma).execute(&mut *conn).await?;
    sqlx::Transaction::begin(conn, Some("BEGIN IMMEDIATE".into())).await
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Db {
    /// A write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`).
    /// A deferred one that reads before it writes would have to upgrade its lock, and
    /// SQLite answers that upgrade with SQLITE_BUSY at once, without the busy timeout, when
    /// another process (a second server, the CLI) wrote in between.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_write_synced(SqliteSynchronous::Normal).await
    }

    /// A write transaction that moves credits: durable when it commits (`synchronous =
    /// FULL`: the WAL is fsynced before the commit returns), so an answered redemption or
    /// consumption survives a power cut, not only a crash of the process. Other writes
    /// keep `NORMAL` (durable against a process crash; a power cut may lose the last ones),
    /// since an fsync costs milliseconds on many disks (docs/benchmarks.md).
    pub(crate) async fn begin_credit_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_write_synced(SqliteSynchronous::Full).await
    }

    async fn begin_write_synced(
        &self,
        sync: SqliteSynchronous,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        begin_synced(&self.write, matches!(sync, SqliteSynchronous::Full | SqliteSynchronous::Extra)).await
    }

    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Db, sqlx::Error> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
            }
        }
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true);
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&write).await?;
        let read = SqlitePoolOptions::new().max_connections(4).connect_with(options.read_only(true)).await?;
        let credits = credits::start(write.clone());
        Ok(Db { write, read, credits })
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.read).await.map(|_| ())
    }
}
