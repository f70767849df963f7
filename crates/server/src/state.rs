use crate::clock::Clock;
use crate::config::Config;
use crate::storage::Db;
use std::sync::Arc;
use tessera_domain::catalog::Catalog;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: Arc<Clock>,
    /// Wakes the mailer when a mail is queued.
    pub mail_wakeup: Arc<tokio::sync::Notify>,
    /// Checked at start (`catalog::load`); the same for every request until a restart.
    pub catalog: Arc<Catalog>,
    /// Signs license files (`license_file`); read from (or made in) the data directory at start.
    pub signer: Arc<crate::license_file::Signer>,
}
