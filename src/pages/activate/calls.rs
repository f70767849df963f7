//! The flow's API calls (`docs/api.md`, "Devices"), through the crate's one request path.

use tessera_domain::api::{AssignResult, DeviceList, RedeemRequest, Redeemed, SubscriptionPlan};

use crate::api::{json, json_text, read, request, send_keyed, ApiError, Caller, Method};
use crate::session::Session;

/// `POST /api/v1/activation-codes/redeem`: the code's units go into the person's locker.
pub async fn activate(session: Session, code: String) -> Result<Redeemed, ApiError> {
    request(Method::Post, "/activation-codes/redeem", json(&RedeemRequest { code }), Caller::Person(session)).await
}

/// `GET /api/v1/subscriptions/plans`: the device plans the locker holds a unit of.
pub async fn plans(session: Session) -> Result<Vec<SubscriptionPlan>, ApiError> {
    request(Method::Get, "/subscriptions/plans", None, Caller::Person(session)).await
}

/// `GET /api/v1/devices`: every device the organization sees, and the server's today.
pub async fn devices(session: Session) -> Result<DeviceList, ApiError> {
    request(Method::Get, "/devices", None, Caller::Person(session)).await
}

/// The body of `POST /api/v1/subscriptions/assign`, written by hand as the license
/// requests are (a derived `Serialize` would bring its own serializer for three fields).
pub fn assign_body(sku: &str, device_ids: &[i64], preview: bool) -> String {
    let mut ids = String::with_capacity(device_ids.len() * 6);
    for id in device_ids {
        if !ids.is_empty() {
            ids.push(',');
        }
        ids.push_str(&id.to_string());
    }
    let preview = if preview { r#","preview":true"# } else { "" };
    format!(r#"{{"sku":{},"device_ids":[{ids}]{preview}}}"#, json_text(sku))
}

/// `POST /api/v1/subscriptions/assign`: with no key, the preview (nothing written, no key:
/// a key names one body); with the key of the Confirm screen, the assignment itself.
pub async fn assign(
    session: Session,
    sku: &str,
    device_ids: &[i64],
    key: Option<&str>,
) -> Result<AssignResult, ApiError> {
    let body = assign_body(sku, device_ids, key.is_none());
    read(send_keyed(Method::Post, "/subscriptions/assign", Some(body), Caller::Person(session), key).await?).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tessera_domain::api::AssignRequest;

    #[test]
    fn the_hand_written_body_is_the_types_json() {
        let typed = |preview| {
            serde_json::to_value(AssignRequest { sku: "RUM-ADV-\"12".into(), device_ids: vec![3, 1, 2], preview })
                .unwrap_or_default()
        };
        for preview in [true, false] {
            let body: serde_json::Value =
                serde_json::from_str(&assign_body("RUM-ADV-\"12", &[3, 1, 2], preview)).unwrap_or_default();
            assert_eq!(body, typed(preview));
        }
    }
}
