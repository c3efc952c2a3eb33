//! The case page's live stream (server-sent events): it tells the page when something happened
//! to the case after what the page shows — a customer's message, someone else's change — and
//! who else has the case open. The page offers a reload; it never reloads by itself, so nothing
//! typed is lost.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;

use super::{PageError, Staff};
use crate::db::{cases, staff_sessions};
use crate::i18n::Language;
use crate::operations::cases as case_operations;
use crate::state::AppState;

/// How often the stream looks at the case (one indexed read) and renews the viewer's presence.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// A stream ends after this long; the browser reconnects by itself (EventSource).
const LASTS: Duration = Duration::from_secs(300);

struct Watch {
    state: AppState,
    case_id: String,
    session: String,
    name: String,
    language: Language,
    /// The latest event the page knows of.
    known: String,
    viewers: Vec<String>,
    closing: tokio::sync::watch::Receiver<bool>,
    started: std::time::Instant,
    first: bool,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.state.live.left(&self.case_id, &self.session);
    }
}

impl Watch {
    /// The next thing to tell the page, waiting as long as there is nothing; `None` ends it.
    async fn next(&mut self) -> Option<Event> {
        loop {
            if *self.closing.borrow() || self.started.elapsed() > LASTS {
                return None;
            }
            if !self.first {
                tokio::select! {
                    _ = tokio::time::sleep(LOOK_EVERY) => {}
                    _ = self.closing.changed() => return None,
                }
            }
            self.first = false;
            self.state
                .live
                .seen(&self.case_id, &self.session, &self.name);
            let viewers = self.state.live.others(&self.case_id, &self.session);
            if viewers != self.viewers {
                self.viewers = viewers;
                let text = if self.viewers.is_empty() {
                    String::new()
                } else {
                    self.language.text_with(
                        "console-live-viewers",
                        "name",
                        &self.viewers.join(", "),
                    )
                };
                return Some(
                    Event::default()
                        .event("viewers")
                        .data(serde_json::json!({ "text": text }).to_string()),
                );
            }
            let reader = &self.state.database.reader;
            let Ok(Some((id, _, role, actor, action))) =
                cases::latest_event(reader, &self.case_id).await
            else {
                continue;
            };
            if id == self.known {
                continue;
            }
            self.known = id;
            let who = match actor {
                Some(staff_id) => staff_sessions::name_of(reader, &staff_id)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_else(|| self.language.text(&format!("role-{role}"))),
                None => self.language.text(&format!("role-{role}")),
            };
            let what = self.language.text_or(&format!("event-{action}"), &action);
            let text = self
                .language
                .text_args("console-live-changed", &[("name", &who), ("text", &what)]);
            return Some(
                Event::default().event("change").data(
                    serde_json::json!({
                        "text": text,
                        "reload": self.language.text("console-live-reload"),
                    })
                    .to_string(),
                ),
            );
        }
    }
}

#[derive(serde::Deserialize)]
pub(super) struct Known {
    #[serde(default)]
    event: String,
}

/// `GET /console/cases/{id}/live?event=ID`: the stream for a case page that shows events up to ID.
pub(super) async fn stream(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(known): Query<Known>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, PageError> {
    // The case must be the shop's: the same look-up as the page.
    let case = case_operations::fetch(&state.database, &staff.actor, &id).await?;
    let watch = Watch {
        closing: state.live.closing(),
        state,
        case_id: case.id,
        session: staff.session_id,
        name: staff.name,
        language: staff.language,
        known: known.event,
        viewers: Vec::new(),
        started: std::time::Instant::now(),
        first: true,
    };
    let events = futures::stream::unfold(watch, |mut watch| async move {
        watch.next().await.map(|event| (Ok(event), watch))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
