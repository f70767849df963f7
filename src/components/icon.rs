//! A small set of line icons (24×24, drawn with `currentColor`), inlined as
//! one SVG path each so they cost a few bytes and no requests.

use leptos::prelude::*;

/// Which icon to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Dashboard,
    Team,
    Locker,
    License,
    Device,
    Renewal,
    Quote,
    Menu,
    Close,
    SignOut,
    Alert,
    Info,
    ArrowRight,
    Check,
    Dot,
    Building,
    Partner,
    House,
    Compass,
    Plus,
    Mail,
    User,
    Voucher,
    Copy,
    Download,
}

impl IconKind {
    fn path(self) -> &'static str {
        match self {
            IconKind::Dashboard => "M3 3h7v7H3zM14 3h7v7h-7zM14 14h7v7h-7zM3 14h7v7H3z",
            IconKind::Team => "M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 21v-2a4 4 0 0 0-3-3.87M16 3.13a4 4 0 0 1 0 7.75",
            IconKind::Locker => "M3 4h18v5H3zM5 9v10a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V9M10 13h4",
            IconKind::License => "M7.5 21a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9zM10.7 13.3 21 3M16 8l3 3M18.5 5.5l2 2",
            IconKind::Device => "M4 3h16a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zM4 13h16a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-6a1 1 0 0 1 1-1zM7 7h.01M7 17h.01",
            IconKind::Renewal => "M21 12a9 9 0 1 1-2.64-6.36M21 3v6h-6M12 7v5l3 2",
            IconKind::Quote => "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6M8 13h8M8 17h8M8 9h2",
            IconKind::Menu => "M3 6h18M3 12h18M3 18h18",
            IconKind::Close => "M18 6 6 18M6 6l12 12",
            IconKind::SignOut => "M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9",
            IconKind::Alert => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 8v4M12 16h.01",
            IconKind::Info => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM12 16v-4M12 8h.01",
            IconKind::ArrowRight => "M5 12h14M13 5l7 7-7 7",
            IconKind::Check => "M20 6 9 17l-5-5",
            IconKind::Dot => "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
            IconKind::Building => "M4 21V5a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2v16M16 9h2a2 2 0 0 1 2 2v10M2 21h20M8 7h4M8 11h4M8 15h4",
            IconKind::Partner => "M4 7h16a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1zM9 7V5a2 2 0 0 1 2-2h2a2 2 0 0 1 2 2v2M3 13h18",
            IconKind::House => "M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6H9v6H4a1 1 0 0 1-1-1z",
            IconKind::Compass => "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20zM16.2 7.8l-2.1 6.3-6.3 2.1 2.1-6.3z",
            IconKind::Plus => "M12 5v14M5 12h14",
            IconKind::User => "M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z",
            IconKind::Mail => "M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6",
            IconKind::Voucher => "M2 9a3 3 0 0 1 0 6v2a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-2a3 3 0 0 1 0-6V7a2 2 0 0 0-2-2H4a2 2 0 0 0-2 2zM13 5v2M13 17v2M13 11v2",
            IconKind::Copy => "M10 8h10a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H10a2 2 0 0 1-2-2V10a2 2 0 0 1 2-2zM4 16a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h10a2 2 0 0 1 2 2",
            IconKind::Download => "M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3",
        }
    }
}

/// A decorative icon: hidden from assistive technology, so the text next to
/// it must say what it means.
#[component]
pub fn Icon(
    /// The icon to draw.
    kind: IconKind,
    /// Extra CSS classes (the default size is 1.25em).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <svg
            class=if class.is_empty() { "icon" } else { class }
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            <path d=kind.path() />
        </svg>
    }
}
