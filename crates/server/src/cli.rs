//! `tessera-server [--config FILE] [serve | admin …]`

use crate::clock::to_db;
use crate::config::Config;
use crate::storage::{Db, NewOrg, NewUser, OrganizationError};
use crate::{demo, security, startup, telemetry};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;
use tessera_domain::api::{OrgKind, Role};
use tessera_domain::email::Email;
use tessera_domain::name::{OrganizationName, PersonName};

#[derive(Parser, Debug)]
#[command(name = "tessera-server", version, about = "Tessera: software subscriptions portal server")]
pub struct Cli {
    /// TOML configuration file; TESSERA_* environment variables override it.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API and the web app (the default).
    Serve,
    /// Back-office operations on the database (safe while the server runs).
    #[command(subcommand)]
    Admin(Admin),
    /// Read the outbox (every mail Tessera wrote, sent or not).
    #[command(subcommand)]
    Mail(MailCommand),
    /// Issue vouchers (safe while the server runs).
    #[command(subcommand)]
    Vouchers(VouchersCommand),
    /// Offline license files.
    #[command(subcommand)]
    License(LicenseCommand),
    /// Demo data for trying and measuring.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Orders from accepted quotes (safe while the server runs).
    #[command(subcommand)]
    Orders(OrdersCommand),
}

#[derive(Subcommand, Debug)]
pub enum OrdersCommand {
    /// Every order, one line each: id, state, quote, customer, total.
    List,
    /// Fulfil an open order: its vouchers are issued and mailed to the installer, once.
    Fulfil { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum DemoCommand {
    /// Fill an empty (throw-away) database with one customer of many devices with varied plans;
    /// sign in as big@large-customer.example with the demo password.
    Large {
        /// How many devices.
        #[arg(long, default_value_t = 10_000)]
        devices: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum LicenseCommand {
    /// Check a license file's signature offline; exits 0 and prints what it grants when it is
    /// valid, 1 when it is not.
    Verify {
        /// The license file (`GET /api/v1/licenses/{id}/file`).
        file: PathBuf,
        /// The public key: the `pem` (or `public_key`) of `GET /api/v1/license-key`, saved to a
        /// file. Default: this server's own key (TESSERA_LICENSE_KEY, or the data directory's).
        #[arg(long)]
        key: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum VouchersCommand {
    /// Issue vouchers of one SKU; prints one code per line, and nothing else, on standard output.
    Issue {
        /// The SKU, e.g. RUM-ADV-36 (see the catalog).
        #[arg(long)]
        sku: String,
        /// Units per voucher (device-months for a month-unit SKU such as POP-ESS-ADV-MO).
        #[arg(long)]
        quantity: u32,
        /// How many vouchers.
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// The installer's email: the codes are mailed there (through the outbox).
        #[arg(long)]
        email: Option<String>,
        /// The last day the vouchers redeem, YYYY-MM-DD (included).
        #[arg(long)]
        expires: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// The newest mails, one line each.
    List {
        /// How many.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// One mail in full.
    Show { id: i64 },
}

#[derive(Subcommand, Debug)]
pub enum Admin {
    /// Create a vendor organization and its first operator.
    CreateVendor {
        /// Organization name.
        #[arg(long)]
        org: String,
        /// The operator's email (their sign-in).
        #[arg(long)]
        email: String,
        /// Read the password from standard input instead of generating a one-time one.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// Runs the command line; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tessera-server: configuration: {e}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tessera-server: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(config).await,
            Command::Admin(Admin::CreateVendor { org, email, password_stdin }) => {
                create_vendor(config, &org, &email, password_stdin).await
            }
            Command::Mail(cmd) => mail(config, cmd).await,
            Command::Vouchers(VouchersCommand::Issue { sku, quantity, count, email, expires }) => {
                issue_vouchers(config, &sku, quantity, count, email.as_deref(), expires.as_deref()).await
            }
            Command::License(LicenseCommand::Verify { file, key }) => verify_license(&config, &file, key.as_deref()),
            Command::Demo(DemoCommand::Large { devices }) => demo_large(config, devices).await,
            Command::Orders(cmd) => orders(config, cmd).await,
        }
    });
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("tessera-server: {e}");
            1
        }
    }
}

/// What a command that works like the server needs: the catalog, the database, the clock (which
/// `TESSERA_TODAY` moves in dev mode) and the signing key.
async fn open_state(config: Config) -> Result<crate::state::AppState, Box<dyn std::error::Error>> {
    let catalog = crate::catalog::load(config.catalog.as_deref())?;
    let db = Db::open(&config.database_path()).await?;
    let signer = crate::license_file::Signer::load_or_create(&config.license_key_path())?;
    Ok(crate::state::AppState {
        db,
        clock: std::sync::Arc::new(config.clock()),
        config: std::sync::Arc::new(config),
        mail_wakeup: Default::default(),
        catalog: std::sync::Arc::new(catalog),
        signer: std::sync::Arc::new(signer),
    })
}

/// `orders list` and `orders fulfil ID`.
async fn orders(config: Config, cmd: OrdersCommand) -> Result<(), Box<dyn std::error::Error>> {
    let state = open_state(config).await?;
    let db = state.db.clone();
    let result: Result<(), Box<dyn std::error::Error>> = match cmd {
        OrdersCommand::List => {
            for o in db.orders().await? {
                let quote = db.quote(o.quote_id).await?;
                let (number, customer, total) = quote.map_or((String::new(), String::new(), String::new()), |q| {
                    (
                        q.quote.number,
                        q.quote.customer_name,
                        format!("{} {}", crate::routes::quotes::money(q.quote.total), q.quote.currency),
                    )
                });
                println!("{:>6}  {:<9}  {number}  {customer}  {total}", o.id, o.state);
            }
            Ok(())
        }
        OrdersCommand::Fulfil { id } => match crate::routes::orders::fulfil_order(&state, id, None).await {
            Ok(order) => {
                println!("order {} fulfilled: vouchers mailed to {}", order.id, order.installer_email);
                Ok(())
            }
            Err(e) => Err(format!("{} ({})", e.message, e.code).into()),
        },
    };
    db.close().await;
    result
}

/// `demo large`: a big customer in a throw-away database.
async fn demo_large(config: Config, devices: usize) -> Result<(), Box<dyn std::error::Error>> {
    if devices == 0 || devices > tessera_domain::device::MAX_IMPORT_ROWS * 5 {
        return Err("--devices: between 1 and 100000".into());
    }
    let state = open_state(config).await?;
    let db = state.db.clone();
    let started = std::time::Instant::now();
    let seeded = demo::seed_large(&state, devices).await;
    db.close().await;
    seeded?;
    println!(
        "{devices} devices for {} (password {}) in {:.1} s",
        demo::LARGE_EMAIL,
        demo::DEMO_PASSWORD,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `license verify`: offline, without the database.
fn verify_license(
    config: &Config,
    file: &std::path::Path,
    key: Option<&std::path::Path>,
) -> Result<(), Box<dyn std::error::Error>> {
    let key_path = key.map_or_else(|| config.license_key_path(), std::path::Path::to_path_buf);
    let key_text = std::fs::read_to_string(&key_path).map_err(|e| {
        format!("cannot read the key {}: {e} (pass --key with the PEM of GET /api/v1/license-key)", key_path.display())
    })?;
    let key = crate::license_file::read_public_key(&key_text).map_err(|e| format!("{}: {e}", key_path.display()))?;
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let fields = crate::license_file::verify(&text, &key).map_err(|e| format!("INVALID {}: {e}", file.display()))?;
    let field = |name: &str| match fields.get(name) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    println!("VALID license file {}", file.display());
    println!("  Activation ID: {}", field("activation_id"));
    println!("  Product:       {} ({}), tier {}", field("product_name"), field("product"), field("tier"));
    println!("  Quantity:      {}", field("quantity"));
    println!(
        "  Covers:        {} to {} (expires on), {} days of grace",
        field("starts_on"),
        field("expires_on"),
        field("grace_days")
    );
    println!("  Add-ons:       {}", field("addons"));
    println!("  Licensee:      {}", field("licensee"));
    println!("  Signed by key: {}", crate::license_file::key_id(&key));
    Ok(())
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    telemetry::init();
    let demo_mode = config.demo;
    let public_url = config.public_url.clone();
    tracing::info!(addr = %config.addr, data_dir = %config.data_dir.display(), static_dir = %config.static_dir.display(), dev = config.dev, demo = config.demo, "starting");
    if !config.static_dir.join("index.html").exists() {
        tracing::warn!(static_dir = %config.static_dir.display(), "no built web app there: only the API will answer (build it with `cargo xtask build`)");
    }
    let app = startup::Application::build(config).await?;
    tracing::info!(addr = %app.local_addr()?, "listening");
    if demo_mode {
        println!("{}", demo::sign_in_help(&public_url));
    } else {
        println!("Tessera is running at {public_url}");
    }
    app.run_until_stopped().await?;
    Ok(())
}

async fn create_vendor(
    config: Config,
    org: &str,
    email: &str,
    password_stdin: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let org = OrganizationName::parse(org).map_err(|e| format!("--org: {}", e.message()))?;
    // The operator is named after the organization until they rename themselves, so the
    // name must also be a person's.
    let operator = PersonName::parse(org.as_str()).map_err(|e| format!("--org: {}", e.message()))?;
    let email = Email::parse(email).map_err(|e| format!("--email: {}", e.message()))?;
    let (password, generated) = if password_stdin {
        let mut input = String::new();
        std::io::stdin().read_to_string(&mut input)?;
        let password = input.lines().next().unwrap_or_default().to_string();
        tessera_domain::password::check(&password, email.as_str()).map_err(|e| e.message().to_string())?;
        (password, false)
    } else {
        (security::generated_password(), true)
    };
    let hash = tokio::task::spawn_blocking(move || security::hash_password(&password).map(|h| (h, password))).await??;
    let db = Db::open(&config.database_path()).await?;
    let now = config.clock().now();
    let created = db
        .create_org_with_admin(
            NewOrg { name: org.as_str(), kind: OrgKind::Vendor, individual: false },
            NewUser {
                email: email.as_str(),
                name: operator.as_str(),
                password_hash: &hash.0,
                role: Role::Admin,
                must_change_password: generated,
                // The vendor's operator vouches for the address they type.
                email_verified: true,
            },
            now,
        )
        .await;
    db.close().await;
    match created {
        Ok((org, user)) => {
            println!(
                "Created vendor organization {:?} (id {}) with operator {} (user id {}).",
                org.name, org.id, user.email, user.id
            );
            if generated {
                println!("One-time password: {}", hash.1);
                println!("It must be changed at first sign-in.");
            }
            Ok(())
        }
        Err(OrganizationError::EmailTaken) => {
            Err(format!("an account with email {} already exists", email.as_str()).into())
        }
        Err(OrganizationError::Db(e)) => Err(e.into()),
    }
}

/// `vouchers issue`: the same rules and storage as `POST /api/v1/vendor/vouchers`; refusals
/// go to standard error, so a script reading the codes reads nothing else.
async fn issue_vouchers(
    config: Config,
    sku: &str,
    quantity: u32,
    count: u32,
    email: Option<&str>,
    expires: Option<&str>,
) -> Result<(), Box<dyn std::error::Error>> {
    let catalog = crate::catalog::load(config.catalog.as_deref())?;
    let Some(found) = catalog.sku(sku.trim()) else {
        return Err(format!("--sku: there is no SKU {:?} in the catalog", sku.trim()).into());
    };
    let found = found.clone();
    let expires_on = match expires {
        Some(text) => Some(
            tessera_domain::catalog::date::parse(text.trim())
                .ok_or_else(|| format!("--expires: {text:?} is not a date like 2027-12-31"))?,
        ),
        None => None,
    };
    let email = email.map(|e| Email::parse(e).map_err(|e| format!("--email: {}", e.message()))).transpose()?;
    let clock = config.clock();
    tessera_domain::voucher::check_issue(quantity, count, expires_on, clock.today())
        .map_err(|e| format!("--{}: {}", e.field().replace('_', "-").replace("expires-on", "expires"), e.message()))?;
    let db = Db::open(&config.database_path()).await?;
    let config_key = config.license_key_path();
    let state = crate::state::AppState {
        db: db.clone(),
        config: std::sync::Arc::new(config),
        clock: std::sync::Arc::new(clock),
        mail_wakeup: Default::default(),
        catalog: std::sync::Arc::new(catalog),
        signer: std::sync::Arc::new(crate::license_file::Signer::load_or_create(&config_key)?),
    };
    let issued =
        crate::routes::vouchers::issue_codes(&state, &found, quantity, count, email.as_ref(), expires_on, None).await;
    db.close().await;
    let codes = issued.map_err(|e| e.message)?;
    for code in codes {
        println!("{code}");
    }
    Ok(())
}

async fn mail(config: Config, cmd: MailCommand) -> Result<(), Box<dyn std::error::Error>> {
    let db = Db::open(&config.database_path()).await?;
    let result = match cmd {
        MailCommand::List { limit } => {
            let mails = db.list_mail(limit.clamp(1, 10_000)).await?;
            if mails.is_empty() {
                println!("The outbox is empty.");
            }
            for m in mails {
                let state = if m.sent_at.is_some() { "sent" } else { "queued" };
                println!("{:>6}  {}  {:<6}  {:<32}  {}", m.id, to_db(m.created_at), state, m.to, m.subject);
            }
            Ok(())
        }
        MailCommand::Show { id } => match db.mail(id).await? {
            Some(m) => {
                println!(
                    "Id: {}\nTo: {}\nSubject: {}\nKind: {}\nCreated: {}",
                    m.id,
                    m.to,
                    m.subject,
                    m.kind,
                    to_db(m.created_at)
                );
                match m.sent_at {
                    Some(t) => println!("Sent: {}", to_db(t)),
                    None => println!("Sent: not yet ({} attempts)", m.attempts),
                }
                if let Some(e) = &m.last_error {
                    println!("Last error: {e}");
                }
                println!("\n{}", m.text);
                Ok(())
            }
            None => Err(format!("no mail with id {id}").into()),
        },
    };
    db.close().await;
    result
}
