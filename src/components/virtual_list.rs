//! A table whose body holds only the rows in view: a list of 10,000 rows costs what 30 do.
//!
//! The table scrolls inside its own box (focusable, so Page Up/Down, Home/End and the arrow
//! keys scroll it as they scroll any box), with its column heads kept on top. Rows have a
//! fixed height per layout (CSS), measured from a drawn row, so a row's place is its
//! position × that height: two spacer rows stand for the rows above and below the window.
//! The window moves only when the first row in view changes, and rows that stay in view
//! are kept (keyed by position and the page's key of what they show). `aria-rowcount` and
//! each row's `aria-rowindex` tell assistive technology the size of the whole list.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Rows drawn beyond each edge of the box, so a fast scroll never shows a gap.
const OVERSCAN: usize = 8;

/// The window of positions `[start, end)` to draw for a box scrolled by `top` pixels and
/// `viewport` pixels tall, over `len` rows of `row` pixels.
pub fn window(len: usize, top: f64, viewport: f64, row: f64) -> (usize, usize) {
    let row = row.max(1.0);
    let first = ((top.max(0.0) / row) as usize).saturating_sub(OVERSCAN).min(len);
    let count = (viewport.max(0.0) / row).ceil() as usize + 2 * OVERSCAN;
    (first, (first + count).min(len))
}

/// A scrolling table of `len` rows of which only the window in view is drawn.
#[component]
pub fn VirtualList<K, R>(
    /// How many rows the list has; it must change (notify) whenever what the rows show
    /// changes, e.g. a derived signal of the page's filtered positions.
    #[prop(into)]
    len: Signal<usize>,
    /// What the row at a position shows, as a key: a row is drawn again when it changes.
    /// Signals it reads are tracked, so a revision of the list in the key redraws rows
    /// whose content changed in place (an edit that moves no position).
    key: K,
    /// The cells of the row at a position.
    row: R,
    /// The header row's cells.
    head: AnyView,
    /// Columns, for the spacer rows.
    columns: usize,
    /// The box's name for screen readers, e.g. "Renewals".
    label: &'static str,
    /// The table's class.
    class: &'static str,
    /// The drawn rows' class, if they have one.
    #[prop(optional)]
    row_class: Option<&'static str>,
    /// Rows' height in pixels until one is measured.
    #[prop(default = 56.0)]
    row_height: f64,
) -> impl IntoView
where
    K: Fn(usize) -> u64 + Send + Sync + 'static,
    R: Fn(usize) -> AnyView + Clone + Send + Sync + 'static,
{
    let scroller = NodeRef::<html::Div>::new();
    let top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(720.0f64);
    let height = RwSignal::new(row_height);
    let range = Memo::new(move |_| window(len.get(), top.get(), viewport.get(), height.get()));

    let measure = move || {
        let Some(el) = scroller.get_untracked() else { return };
        let view = f64::from(el.client_height());
        if view > 0.0 && view != viewport.get_untracked() {
            viewport.set(view);
        }
        let drawn = el.query_selector("tbody tr[aria-rowindex]").ok().flatten();
        if let Some(h) =
            drawn.and_then(|r| r.dyn_into::<web_sys::HtmlElement>().ok()).map(|r| f64::from(r.offset_height()))
        {
            if h > 0.0 && h != height.get_untracked() {
                height.set(h);
            }
        }
    };
    // When the rows change (a search, a filter, an order), the list starts from its top.
    Effect::new(move |drawn_before: Option<()>| {
        len.track();
        if drawn_before.is_some() {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
            top.set(0.0);
        }
        request_animation_frame(measure);
    });
    let on_resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || on_resize.remove());

    let items = move || {
        // Also when the rows change but the window does not (a search from the top).
        len.track();
        let (start, end) = range.get();
        (start..end).map(|p| (p, key(p))).collect::<Vec<_>>()
    };
    let above = move || format!("{}px", range.get().0 as f64 * height.get());
    let below = move || format!("{}px", len.get().saturating_sub(range.get().1) as f64 * height.get());
    let on_scroll = move |_| {
        if let Some(el) = scroller.get_untracked() {
            top.set(f64::from(el.scroll_top()));
        }
    };

    view! {
        <div class="table-card vl-box" tabindex="0" role="region" aria-label=label node_ref=scroller on:scroll=on_scroll>
            <table class=class aria-rowcount=move || len.get() + 1>
                <thead>
                    <tr aria-rowindex="1">{head}</tr>
                </thead>
                <tbody>
                    <tr class="vl-spacer" aria-hidden="true">
                        <td colspan=columns style:height=above></td>
                    </tr>
                    <For each=items key=|item| *item let:item>
                        <tr class=row_class aria-rowindex=item.0 + 2>
                            {row(item.0)}
                        </tr>
                    </For>
                    <tr class="vl-spacer" aria-hidden="true">
                        <td colspan=columns style:height=below></td>
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_window_covers_the_box_and_a_margin() {
        assert_eq!(window(0, 0.0, 600.0, 60.0), (0, 0));
        assert_eq!(window(10_000, 0.0, 600.0, 60.0), (0, 26));
        assert_eq!(window(10_000, 6000.0, 600.0, 60.0), (92, 118));
        assert_eq!(window(10_000, 600_000.0, 600.0, 60.0), (9992, 10_000), "the end");
        assert_eq!(window(5, 6000.0, 600.0, 60.0), (5, 5), "scrolled past a list that shrank");
        assert_eq!(window(100, 0.0, 600.0, 0.0), (0, 100), "no height yet: no division by zero");
    }
}
