//! Starting and stopping the server.

use crate::config::Config;
use crate::state::AppState;
use crate::storage::Db;
use crate::{app, demo};
use axum::serve::ListenerExt;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Refuses dev mode off loopback (and warns about other exposure), loads the catalog
    /// (refusing an invalid one), opens the database (migrating it), seeds demo data if asked,
    /// binds the port.
    pub async fn build(config: Config) -> Result<Application, Box<dyn std::error::Error>> {
        for warning in crate::exposure::check(&config)? {
            tracing::warn!("{warning}");
        }
        // Before the database: a server that cannot sell must not touch it either.
        let catalog = crate::catalog::load(config.catalog.as_deref())?;
        tracing::info!(
            file = %config.catalog.as_deref().map_or("built-in".into(), |p| p.display().to_string()),
            products = catalog.products.len(),
            skus = catalog.skus.len(),
            "catalog loaded"
        );
        let db = Db::open(&config.database_path()).await?;
        let signer = crate::license_file::Signer::load_or_create(&config.license_key_path())?;
        let clock = config.clock();
        if config.today.is_some() {
            tracing::warn!(today = %clock.today(), "dev mode: the clock starts on TESSERA_TODAY");
        }
        let state = AppState {
            db,
            signer: Arc::new(signer),
            clock: Arc::new(clock),
            config: Arc::new(config),
            mail_wakeup: Default::default(),
            catalog: Arc::new(catalog),
        };
        if state.config.demo {
            demo::seed_if_empty(&state).await?;
        }
        let listener = TcpListener::bind(state.config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", state.config.addr))?;
        Ok(Application { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let db = self.state.db.clone();
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let mailer = tokio::spawn(crate::mail::worker(self.state.clone()));
        let notices = tokio::spawn(crate::notices::worker(self.state.clone()));
        let router = app::router(self.state);
        // Without TCP_NODELAY a streamed body (every static file) sits behind the
        // client's delayed ACK: ~40 ms a response, ~1k req/s for the app's files.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!("cannot set TCP_NODELAY: {e}");
            }
        });
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        housekeeping.abort();
        mailer.abort();
        notices.abort();
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// Days an undelivered voucher mail keeps its codes in the outbox (see `redact_stale_voucher_mail`).
const VOUCHER_MAIL_DAYS: i64 = 30;

/// Hourly: forget expired sessions (idle, or past their absolute lifetime), sign-in
/// failures older than the throttle window and counted requests older than a day, and
/// blank the links of invitation and account mails that stopped mattering (mostly: expired
/// ones).
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let now = state.clock.now();
        let window = chrono::Duration::minutes(crate::routes::auth::THROTTLE_WINDOW_MINUTES);
        let max_age = chrono::Duration::days(crate::session::SESSION_MAX_DAYS);
        let results = [
            state.db.delete_expired_sessions(now, now - max_age).await,
            state.db.purge_auth_failures_before(now - window).await,
            state.db.purge_rate_events_before(now - chrono::Duration::days(1)).await,
            state.db.redact_lapsed_invitation_mail(now).await,
            state.db.redact_lapsed_account_link_mail(now).await,
            state.db.redact_stale_voucher_mail(now - chrono::Duration::days(VOUCHER_MAIL_DAYS), now).await,
        ];
        match results.iter().find_map(|r| r.as_ref().err()) {
            None => tracing::debug!(counts = ?results.iter().flatten().collect::<Vec<_>>(), "housekeeping"),
            Some(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}
