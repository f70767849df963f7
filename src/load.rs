//! Loading an API answer into a signal: the lighter cousin of `LocalResource`
//! for lists a page reads and writes itself.
//!
//! Each `LocalResource` type brings its own async-derived machinery into the
//! wasm (a few KB per type); a page that only needs "fetch, then show; fetch
//! again after a change" gets the same from `spawn_local` and a signal. The
//! signal keeps its value while a new fetch runs, so a reload does not flash
//! the loading state, and an answer that arrives after the page is gone is
//! dropped.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

/// An answer of the API as a page holds it: `None` until it arrives.
pub type Loaded<T> = RwSignal<Option<Result<T, ApiError>>>;

/// A signal for an answer that has not arrived yet.
pub fn loaded<T: Send + Sync + 'static>() -> Loaded<T> {
    RwSignal::new(None)
}

/// Runs `request` and puts its answer into `into`.
pub fn fetch_into<T: Send + Sync + 'static>(
    into: Loaded<T>,
    request: impl Future<Output = Result<T, ApiError>> + 'static,
) {
    spawn_local(async move {
        let answer = request.await;
        // The page may have been left meanwhile: then the signal is gone and so is the answer.
        let _ = into.try_set(Some(answer));
    });
}

/// Where a list is in its loading, without its rows: a page draws its section from this
/// (so that a change to the rows does not redraw the section around them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Loading,
    Empty,
    Ready,
    Failed(String),
}

/// The status of a loaded list; `ready` is false while something else the rows need
/// (the catalog, say) is still on its way.
pub fn status<T>(loaded: &Option<Result<T, ApiError>>, ready: bool, is_empty: impl Fn(&T) -> bool) -> Status {
    match loaded {
        Some(Err(e)) => Status::Failed(e.message.clone()),
        Some(Ok(_)) if !ready => Status::Loading,
        Some(Ok(list)) if is_empty(list) => Status::Empty,
        Some(Ok(_)) => Status::Ready,
        None => Status::Loading,
    }
}

/// The loaded value, if it arrived and is not an error.
pub fn ok<T>(loaded: &Option<Result<T, ApiError>>) -> Option<&T> {
    loaded.as_ref().and_then(|r| r.as_ref().ok())
}
