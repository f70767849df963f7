//! Quotes and orders (SPEC §9): a partner's priced offer to a customer, its life cycle, the
//! order an accepted quote becomes, and the order's fulfilment with vouchers — once.

use super::outbox::{insert_mail, Carries, NewMail};
use super::vouchers::{insert_vouchers, NewVoucher};
use super::{Db, Tx};
use crate::clock::to_db;
use chrono::{DateTime, NaiveDate, Utc};
use tessera_domain::pricing::PricedLine;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuoteRecord {
    pub id: i64,
    pub number: String,
    pub partner_org_id: i64,
    pub partner_name: String,
    pub customer_org_id: Option<i64>,
    pub customer_name: String,
    pub customer_email: Option<String>,
    pub state: String,
    pub currency: String,
    pub total: i64,
    pub starts_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub notes: String,
    pub decline_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub order_id: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuoteLineRecord {
    pub quote_id: i64,
    pub sku: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub discount_bp: i64,
    pub total: i64,
    pub free_units: i64,
    pub bonus_months: i64,
    pub promotion: String,
}

#[derive(Debug, Clone)]
pub struct QuoteRow {
    pub quote: QuoteRecord,
    pub lines: Vec<QuoteLineRecord>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderRecord {
    pub id: i64,
    pub quote_id: i64,
    pub installer_email: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub fulfilled_at: Option<DateTime<Utc>>,
}

/// A quote to write (its lines priced by `tessera_domain::pricing`).
pub struct NewQuote<'a> {
    pub partner_org_id: i64,
    pub customer_org_id: Option<i64>,
    pub customer_name: &'a str,
    pub customer_email: Option<&'a str>,
    pub lines: &'a [PricedLine],
    pub currency: &'a str,
    pub starts_on: NaiveDate,
    pub valid_until: NaiveDate,
    pub notes: &'a str,
    pub created_by: i64,
}

#[derive(Debug)]
pub enum QuoteError {
    NotFound,
    /// The state does not allow it; with the state it is in.
    WrongState(String),
    Expired,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for QuoteError {
    fn from(e: sqlx::Error) -> Self {
        QuoteError::Db(e)
    }
}

const QUOTE_COLUMNS: &str = "q.id, q.number, q.partner_org_id, p.name AS partner_name, q.customer_org_id, q.customer_name, \
     q.customer_email, q.state, q.currency, q.total, q.starts_on, q.valid_until, q.notes, q.decline_reason, q.created_at, \
     q.sent_at, o.id AS order_id";
const QUOTE_FROM: &str =
    "FROM quotes q JOIN organizations p ON p.id = q.partner_org_id LEFT JOIN orders o ON o.quote_id = q.id";

async fn load(tx: &mut Tx<'_>, id: i64) -> Result<Option<QuoteRow>, sqlx::Error> {
    let quote: Option<QuoteRecord> = sqlx::query_as(&format!("SELECT {QUOTE_COLUMNS} {QUOTE_FROM} WHERE q.id = ?"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(quote) = quote else { return Ok(None) };
    let lines = sqlx::query_as(
        "SELECT quote_id, sku, quantity, unit_price, discount_bp, total, free_units, bonus_months, promotion
         FROM quote_lines WHERE quote_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(QuoteRow { quote, lines }))
}

async fn write_lines(tx: &mut Tx<'_>, quote_id: i64, lines: &[PricedLine]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM quote_lines WHERE quote_id = ?").bind(quote_id).execute(&mut **tx).await?;
    for (position, l) in lines.iter().enumerate() {
        sqlx::query(
            "INSERT INTO quote_lines (quote_id, position, sku, quantity, unit_price, discount_bp, total, free_units,
                                      bonus_months, promotion)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(quote_id)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&l.sku)
        .bind(i64::from(l.quantity))
        .bind(l.unit_price)
        .bind(i64::from(l.discount_basis_points))
        .bind(l.total)
        .bind(i64::from(l.free_units))
        .bind(i64::from(l.bonus_months))
        .bind(&l.promotion)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn total_of(lines: &[PricedLine]) -> i64 {
    lines.iter().map(|l| l.total).fold(0i64, i64::saturating_add)
}

impl Db {
    pub async fn create_quote(&self, new: NewQuote<'_>, now: DateTime<Utc>) -> Result<i64, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM quotes").fetch_one(&mut *tx).await?;
        let number = format!("Q-{}-{next:06}", now.date_naive().format("%Y"));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO quotes (id, number, partner_org_id, customer_org_id, customer_name, customer_email, state,
                                 currency, total, starts_on, valid_until, notes, created_by, created_at)
             VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(next)
        .bind(number)
        .bind(new.partner_org_id)
        .bind(new.customer_org_id)
        .bind(new.customer_name)
        .bind(new.customer_email)
        .bind(new.currency)
        .bind(total_of(new.lines))
        .bind(new.starts_on)
        .bind(new.valid_until)
        .bind(new.notes)
        .bind(new.created_by)
        .bind(to_db(now))
        .fetch_one(&mut *tx)
        .await?;
        write_lines(&mut tx, id, new.lines).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn quote(&self, id: i64) -> Result<Option<QuoteRow>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        let mut tx = sqlx::Acquire::begin(&mut *conn).await?;
        let row = load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The quotes a partner made, or (`as_customer`) the quotes sent to the organization or to
    /// the person's address, newest first.
    pub async fn quotes_of(&self, org_id: i64, email: &str, as_customer: bool) -> Result<Vec<QuoteRow>, sqlx::Error> {
        let ids: Vec<i64> = if as_customer {
            sqlx::query_scalar(
                "SELECT id FROM quotes WHERE state <> 'draft' AND (customer_org_id = ? OR
                 (customer_org_id IS NULL AND customer_email = ?)) ORDER BY id DESC",
            )
            .bind(org_id)
            .bind(email)
            .fetch_all(&self.read)
            .await?
        } else {
            sqlx::query_scalar("SELECT id FROM quotes WHERE partner_org_id = ? ORDER BY id DESC")
                .bind(org_id)
                .fetch_all(&self.read)
                .await?
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.quote(id).await?);
        }
        Ok(out)
    }

    /// Replaces what a draft of `partner_org_id` says.
    pub async fn update_draft(
        &self,
        partner_org_id: i64,
        id: i64,
        lines: Option<&[PricedLine]>,
        valid_until: Option<NaiveDate>,
        notes: Option<&str>,
    ) -> Result<(), QuoteError> {
        let mut tx = self.begin_write().await?;
        let row = load(&mut tx, id)
            .await?
            .filter(|r| r.quote.partner_org_id == partner_org_id)
            .ok_or(QuoteError::NotFound)?;
        if row.quote.state != "draft" {
            return Err(QuoteError::WrongState(row.quote.state));
        }
        if let Some(lines) = lines {
            write_lines(&mut tx, id, lines).await?;
            sqlx::query("UPDATE quotes SET total = ? WHERE id = ?")
                .bind(total_of(lines))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(day) = valid_until {
            sqlx::query("UPDATE quotes SET valid_until = ? WHERE id = ?").bind(day).bind(id).execute(&mut *tx).await?;
        }
        if let Some(notes) = notes {
            sqlx::query("UPDATE quotes SET notes = ? WHERE id = ?").bind(notes).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Draft → sent, with the mails to the customer, in one transaction.
    pub async fn send_quote(
        &self,
        partner_org_id: i64,
        id: i64,
        mails: &[NewMail],
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<(), QuoteError> {
        let mut tx = self.begin_write().await?;
        let row = load(&mut tx, id)
            .await?
            .filter(|r| r.quote.partner_org_id == partner_org_id)
            .ok_or(QuoteError::NotFound)?;
        if row.quote.state != "draft" {
            return Err(QuoteError::WrongState(row.quote.state));
        }
        if row.quote.valid_until < today {
            return Err(QuoteError::Expired);
        }
        let at = to_db(now);
        sqlx::query("UPDATE quotes SET state = 'sent', sent_at = ? WHERE id = ?")
            .bind(&at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for mail in mails {
            insert_mail(&mut tx, mail, Carries::Nothing, &at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Sent → accepted (and an order) or declined, judged under the write lock: a quote is
    /// decided once. `accept` carries the installer's address.
    pub async fn decide_quote(
        &self,
        id: i64,
        accept: Result<&str, Option<&str>>,
        mails: &[NewMail],
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, QuoteError> {
        let mut tx = self.begin_write().await?;
        let row = load(&mut tx, id).await?.ok_or(QuoteError::NotFound)?;
        if row.quote.state != "sent" {
            return Err(QuoteError::WrongState(row.quote.state));
        }
        if row.quote.valid_until < today {
            return Err(QuoteError::Expired);
        }
        let at = to_db(now);
        let order = match accept {
            Ok(installer) => {
                sqlx::query("UPDATE quotes SET state = 'accepted', decided_at = ? WHERE id = ?")
                    .bind(&at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let order: i64 = sqlx::query_scalar(
                    "INSERT INTO orders (quote_id, installer_email, state, created_at) VALUES (?, ?, 'open', ?)
                     RETURNING id",
                )
                .bind(id)
                .bind(installer)
                .bind(&at)
                .fetch_one(&mut *tx)
                .await?;
                Some(order)
            }
            Err(reason) => {
                sqlx::query("UPDATE quotes SET state = 'declined', decided_at = ?, decline_reason = ? WHERE id = ?")
                    .bind(&at)
                    .bind(reason)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                None
            }
        };
        for mail in mails {
            insert_mail(&mut tx, mail, Carries::Nothing, &at).await?;
        }
        tx.commit().await?;
        Ok(order)
    }

    pub async fn orders(&self) -> Result<Vec<OrderRecord>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, quote_id, installer_email, state, created_at, fulfilled_at FROM orders ORDER BY id DESC",
        )
        .fetch_all(&self.read)
        .await
    }

    pub async fn order(&self, id: i64) -> Result<Option<OrderRecord>, sqlx::Error> {
        sqlx::query_as("SELECT id, quote_id, installer_email, state, created_at, fulfilled_at FROM orders WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.read)
            .await
    }

    /// Fulfils an open order with `vouchers` and their `mails`, once: a second (or
    /// concurrent) call finds it fulfilled and writes nothing.
    pub async fn fulfil_order(
        &self,
        id: i64,
        vouchers: &[NewVoucher],
        mails: &[NewMail],
        by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<(), QuoteError> {
        let mut tx = self.begin_write().await?;
        let at = to_db(now);
        let claimed = sqlx::query(
            "UPDATE orders SET state = 'fulfilled', fulfilled_at = ?, fulfilled_by = ? WHERE id = ? AND state = 'open'",
        )
        .bind(&at)
        .bind(by)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            let state: Option<String> =
                sqlx::query_scalar("SELECT state FROM orders WHERE id = ?").bind(id).fetch_optional(&mut *tx).await?;
            return Err(state.map_or(QuoteError::NotFound, QuoteError::WrongState));
        }
        insert_vouchers(&mut tx, vouchers, by, Some(id), &at).await?;
        for mail in mails {
            insert_mail(&mut tx, mail, Carries::Nothing, &at).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many vouchers an order was fulfilled with.
    pub async fn order_voucher_count(&self, id: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM vouchers WHERE order_id = ?").bind(id).fetch_one(&self.read).await
    }
}
