//! The quote screens' API calls (`docs/api.md`, "Quotes and orders"), through the crate's one
//! request path. Bodies are written by hand: a derived writer would bring its own code.

use tessera_domain::api::{AcceptedQuote, DeviceShare, Order, Quote, QuoteOptions};

use crate::api::{json_text, request, ApiError, Caller, Method};
use crate::format::iso_day;
use crate::session::Session;
use crate::url::encode_query_value;

/// A line as the builder holds it: what the partner chose and typed.
#[derive(Debug, Clone, PartialEq)]
pub struct LineInput {
    pub sku: String,
    pub quantity: u32,
    /// As typed: up to two decimals.
    pub discount_percent: String,
    /// In minor units; `None` for the list price.
    pub unit_price: Option<i64>,
}

/// The JSON of lines: `[{"sku","quantity","discount_percent"[,"unit_price"]}]`. A discount
/// that is not a number goes as typed, for the server to refuse with its field.
pub fn lines_json(lines: &[LineInput]) -> String {
    let items: Vec<String> = lines
        .iter()
        .map(|l| {
            let discount = l.discount_percent.trim();
            let discount = if discount.is_empty() { "0" } else { discount };
            let discount = if discount.parse::<f64>().is_ok_and(f64::is_finite) {
                discount.to_string()
            } else {
                json_text(discount)
            };
            let price = l.unit_price.map(|p| format!(r#","unit_price":{p}"#)).unwrap_or_default();
            format!(r#"{{"sku":{},"quantity":{},"discount_percent":{discount}{price}}}"#, json_text(&l.sku), l.quantity)
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Who the quote is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Customer {
    /// An organization that shares devices with the partner.
    Org(i64),
    /// Someone not in Tessera yet.
    Contact { name: String, email: String },
}

/// The body of `POST /api/v1/quotes`.
pub fn create_body(
    customer: &Customer,
    lines: &[LineInput],
    valid_until: chrono::NaiveDate,
    starts_on: chrono::NaiveDate,
    notes: &str,
) -> String {
    let who = match customer {
        Customer::Org(id) => format!(r#""customer_org_id":{id}"#),
        Customer::Contact { name, email } => {
            format!(r#""customer":{{"name":{},"email":{}}}"#, json_text(name.trim()), json_text(email.trim()))
        }
    };
    format!(
        r#"{{{who},"lines":{},"valid_until":"{}","starts_on":"{}","notes":{}}}"#,
        lines_json(lines),
        iso_day(valid_until),
        iso_day(starts_on),
        json_text(notes)
    )
}

/// The body of `PATCH /api/v1/quotes/{id}`: every field the editor holds.
pub fn patch_body(lines: &[LineInput], valid_until: chrono::NaiveDate, notes: &str) -> String {
    format!(
        r#"{{"lines":{},"valid_until":"{}","notes":{}}}"#,
        lines_json(lines),
        iso_day(valid_until),
        json_text(notes)
    )
}

/// `GET /api/v1/quotes`: a partner's own quotes, or those sent to the customer.
pub async fn quotes(session: Session) -> Result<Vec<Quote>, ApiError> {
    request(Method::Get, "/quotes", None, Caller::Person(session)).await
}

/// `GET /api/v1/quotes/{id}`
pub async fn quote(session: Session, id: i64) -> Result<Quote, ApiError> {
    request(Method::Get, &format!("/quotes/{id}"), None, Caller::Person(session)).await
}

/// `POST /api/v1/quotes`: a new draft, priced by the server.
pub async fn create(session: Session, body: String) -> Result<Quote, ApiError> {
    request(Method::Post, "/quotes", Some(body), Caller::Person(session)).await
}

/// `PATCH /api/v1/quotes/{id}` (drafts): the draft priced again.
pub async fn update(session: Session, id: i64, body: String) -> Result<Quote, ApiError> {
    request(Method::Patch, &format!("/quotes/{id}"), Some(body), Caller::Person(session)).await
}

/// `POST /api/v1/quotes/{id}/send`
pub async fn send(session: Session, id: i64) -> Result<Quote, ApiError> {
    request(Method::Post, &format!("/quotes/{id}/send"), Some("{}".into()), Caller::Person(session)).await
}

/// `POST /api/v1/quotes/{id}/accept`: the order, and the quote as accepted.
pub async fn accept(session: Session, id: i64, installer_email: &str) -> Result<AcceptedQuote, ApiError> {
    let body = format!(r#"{{"installer_email":{}}}"#, json_text(installer_email.trim()));
    request(Method::Post, &format!("/quotes/{id}/accept"), Some(body), Caller::Person(session)).await
}

/// `POST /api/v1/quotes/{id}/decline`, with the reason when one was given.
pub async fn decline(session: Session, id: i64, reason: &str) -> Result<Quote, ApiError> {
    let body = match reason.trim() {
        "" => "{}".to_string(),
        r => format!(r#"{{"reason":{}}}"#, json_text(r)),
    };
    request(Method::Post, &format!("/quotes/{id}/decline"), Some(body), Caller::Person(session)).await
}

/// `GET /api/v1/quotes/options`: the matrix of terms × tiers of a product for `quantity`.
pub async fn options(
    session: Session,
    product: &str,
    quantity: u32,
    starts_on: chrono::NaiveDate,
) -> Result<QuoteOptions, ApiError> {
    let path = format!(
        "/quotes/options?sku_family={}&quantity={quantity}&starts_on={}",
        encode_query_value(product),
        iso_day(starts_on)
    );
    request(Method::Get, &path, None, Caller::Person(session)).await
}

/// `GET /api/v1/device-shares`: for a partner, the customers who share devices with it.
pub async fn shares(session: Session) -> Result<Vec<DeviceShare>, ApiError> {
    request(Method::Get, "/device-shares", None, Caller::Person(session)).await
}

/// A bill of materials in one of the catalog's templates: a plain link (the cookie goes along).
pub fn bom_url(id: i64, template: &str) -> String {
    format!("/api/v1/quotes/{id}/bom.csv?template={template}")
}

/// `GET /api/v1/orders` (the vendor).
pub async fn orders(session: Session) -> Result<Vec<Order>, ApiError> {
    request(Method::Get, "/orders", None, Caller::Person(session)).await
}

/// `POST /api/v1/orders/{id}/fulfil` (the vendor): vouchers issued and mailed, once.
pub async fn fulfil(session: Session, id: i64) -> Result<Order, ApiError> {
    request(Method::Post, &format!("/orders/{id}/fulfil"), Some("{}".into()), Caller::Person(session)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> chrono::NaiveDate {
        tessera_domain::catalog::date::parse(s).unwrap_or_default()
    }

    #[test]
    fn bodies_are_the_apis_json() {
        let lines = vec![
            LineInput { sku: "MON-STD-36".into(), quantity: 12, discount_percent: "7.5".into(), unit_price: None },
            LineInput {
                sku: "MON-ADV-12".into(),
                quantity: 1,
                discount_percent: String::new(),
                unit_price: Some(9900),
            },
        ];
        let body: serde_json::Value = serde_json::from_str(&create_body(
            &Customer::Org(4),
            &lines,
            day("2027-01-31"),
            day("2026-12-01"),
            "Hi \"you\"",
        ))
        .unwrap_or_default();
        assert_eq!(
            body,
            serde_json::json!({"customer_org_id": 4, "lines": [
                {"sku": "MON-STD-36", "quantity": 12, "discount_percent": 7.5},
                {"sku": "MON-ADV-12", "quantity": 1, "discount_percent": 0, "unit_price": 9900}],
                "valid_until": "2027-01-31", "starts_on": "2026-12-01", "notes": "Hi \"you\""})
        );
        let contact = Customer::Contact { name: " Ann ".into(), email: "ann@example.com".into() };
        let body: serde_json::Value =
            serde_json::from_str(&create_body(&contact, &[], day("2027-01-31"), day("2026-12-01"), ""))
                .unwrap_or_default();
        assert_eq!(body["customer"], serde_json::json!({"name": "Ann", "email": "ann@example.com"}));
        let odd = vec![LineInput { sku: "X".into(), quantity: 1, discount_percent: "ten".into(), unit_price: None }];
        let patch: serde_json::Value =
            serde_json::from_str(&patch_body(&odd, day("2027-01-31"), "")).unwrap_or_default();
        assert_eq!(patch["lines"][0]["discount_percent"], "ten", "sent as typed, for the server to name");
    }
}
