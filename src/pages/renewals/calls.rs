//! The page's API calls (`docs/api.md`, "Renewals"), through the crate's one request path.

use tessera_domain::api::{RenewalNoticeSetting, Renewals};

use crate::api::{json, request, ApiError, Caller, Method};
use crate::session::Session;
use crate::url::encode_query_value;

/// `GET /api/v1/renewals`: every row the organization can see, in renewal-eligibility
/// order, with the server's today. The page filters them itself, so it asks once.
pub async fn renewals(session: Session) -> Result<Renewals, ApiError> {
    request(Method::Get, "/renewals", None, Caller::Person(session)).await
}

/// `GET /api/v1/renewals?status=expiring`: only what expires within 30 days (the banner
/// on Home needs no more).
pub async fn expiring(session: Session) -> Result<Renewals, ApiError> {
    request(Method::Get, "/renewals?status=expiring", None, Caller::Person(session)).await
}

/// `GET /api/v1/me/renewal-notices`: whether the person (an admin) gets renewal notices.
pub async fn notices(session: Session) -> Result<RenewalNoticeSetting, ApiError> {
    request(Method::Get, "/me/renewal-notices", None, Caller::Person(session)).await
}

/// `PUT /api/v1/me/renewal-notices`: turns the person's renewal notices on or off.
pub async fn set_notices(session: Session, enabled: bool) -> Result<RenewalNoticeSetting, ApiError> {
    let body = json(&RenewalNoticeSetting { enabled });
    request(Method::Put, "/me/renewal-notices", body, Caller::Person(session)).await
}

/// The renewals report with the page's filters: a plain link, the session cookie goes
/// along and the server names the file `renewals-YYYY-MM-DD.csv`. Empty filters are left out.
pub fn report_url(statuses: &str, product: &str, site: &str, q: &str) -> String {
    let mut url = String::from("/api/v1/renewals/report.csv");
    let mut sep = '?';
    for (key, value) in [("status", statuses), ("product", product), ("site", site), ("q", q.trim())] {
        if !value.is_empty() {
            url.push(sep);
            url.push_str(key);
            url.push('=');
            url.push_str(&encode_query_value(value));
            sep = '&';
        }
    }
    url
}

#[cfg(test)]
mod tests {
    use super::report_url;

    #[test]
    fn report_urls_carry_the_filters() {
        assert_eq!(report_url("", "", "", ""), "/api/v1/renewals/report.csv");
        assert_eq!(
            report_url("expiring,grace", "MON", "Paris Nord", " ups* "),
            "/api/v1/renewals/report.csv?status=expiring%2Cgrace&product=MON&site=Paris%20Nord&q=ups%2A"
        );
        assert_eq!(report_url("", "", "Lyon", ""), "/api/v1/renewals/report.csv?site=Lyon");
    }
}
