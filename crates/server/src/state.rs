use crate::clock::Clock;
use crate::config::Config;
use crate::storage::Db;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<Clock>,
    /// Wakes the mailer when a mail is queued.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
}
