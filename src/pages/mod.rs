//! One file per route.

mod accept_invitation;
mod account;
mod activate;
mod devices;
mod home;
mod licenses;
mod locker;
mod not_found;
pub mod quotes;
mod recovery;
mod register;
mod renewals;
mod signin;
mod team;
mod verify_email;
mod vouchers;

pub use accept_invitation::AcceptInvitation;
pub use account::Account;
pub use activate::ActivateCode;
pub use devices::Devices;
pub use home::Home;
pub use licenses::{CreateLicense, LicenseDetail, Licenses};
pub use locker::Locker;
pub use not_found::NotFound;
pub use quotes::{NewQuote, Orders, QuoteDetail, QuotePrint, Quotes};
pub use recovery::{ForgotPassword, ResetPassword};
pub use register::Register;
pub use renewals::Renewals;
pub use signin::SignIn;
pub use team::{InviteDialog, Team};
pub use verify_email::VerifyEmail;
pub use vouchers::Vouchers;

/// The browser tab's title for a page: "Licenses · Tessera".
pub fn document_title(page: &str) -> String {
    if page.is_empty() {
        "Tessera".to_string()
    } else {
        format!("{page} · Tessera")
    }
}

/// Sets the browser tab's title (also what screen readers announce first).
pub fn set_page_title(page: &str) {
    leptos::prelude::document().set_title(&document_title(page));
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles() {
        assert_eq!(super::document_title("Licenses"), "Licenses · Tessera");
        assert_eq!(super::document_title(""), "Tessera");
    }
}
