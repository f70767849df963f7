//! Reusable pieces of the interface.

pub mod banner;
pub mod brand;
pub mod busy_button;
pub mod clipboard;
pub mod dialog;
pub mod empty_state;
pub mod expiry_chart;
pub mod form_field;
pub mod icon;
pub mod page_header;
pub mod password_rules;
pub mod plan_picker;
pub mod shell;
pub mod spinner;
pub mod verification;
pub mod virtual_list;

pub use banner::{ErrorBanner, Notice};
pub use brand::{Brand, Logo};
pub use busy_button::BusyButton;
pub use dialog::Dialog;
pub use empty_state::EmptyState;
pub use form_field::{server_error_until_edited, FormField};
pub use icon::{Icon, IconKind};
pub use page_header::PageHeader;
pub use password_rules::{NewPasswordField, PasswordRules};
pub use plan_picker::{Plan, PlanPicker};
pub use shell::Shell;
pub use spinner::{Loading, PageLoading, Spinner};
pub use verification::{ResendVerification, VerifyReminder, EMAIL_UNVERIFIED};
