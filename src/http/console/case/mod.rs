//! The case page: header and clocks, the order and customer, the timeline, the actions allowed
//! now (each with the fields it needs), refunds, replies with templates, internal notes,
//! assignment, photos. A refused change shows the page again with the reason next to the form
//! and what was typed kept.

mod costs;
mod disputes;
mod files;
mod forms;
mod invoice;
mod offers;
mod repairs;
mod replacement;
mod review;
mod timeline;
mod view;

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use super::{PageResult, Staff, error_text};
use crate::error::AppError;
use crate::http::pages::render;
use crate::i18n::Language;
use crate::operations::cases as case_operations;
use crate::state::AppState;

pub(super) use costs::record as record_cost;
pub(super) use disputes::{
    evidence as dispute_evidence, open as open_dispute, step as dispute_step,
};
pub(super) use files::{attachment, label, upload};
pub(super) use forms::{act, change, check_step, message, refund, settle_refund};
pub(super) use invoice::change as change_invoice;
pub(super) use offers::{approve as approve_offer, make as make_offer, withdraw as withdraw_offer};
pub(super) use repairs::{send as send_out, step as send_out_step};
pub(super) use replacement::{choose as choose_replacement, settle as settle_difference};
pub(super) use review::{
    explain as explain_review, outcome as review_outcome, posted as review_posted,
};

/// What the person sent with the form that failed, to show it again.
#[derive(Default)]
pub struct Typed {
    /// Which form: an action's code, `refund`, `message`, `note` or `change`.
    pub form: String,
    pub fields: HashMap<String, String>,
    pub error: String,
}

impl Typed {
    pub fn value(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.fields.get(field).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    }

    /// The refund amount typed for an order line.
    pub fn amount(&self, line_number: &i64) -> String {
        self.value("refund", &format!("amount_{line_number}"))
    }

    pub fn error_for(&self, form: &str) -> Option<&str> {
        (self.form == form && !self.error.is_empty()).then_some(self.error.as_str())
    }
}

async fn shown(
    state: &AppState,
    staff: &Staff,
    id: &str,
    typed: Typed,
    notice: String,
    status: StatusCode,
) -> PageResult {
    let case = case_operations::fetch(&state.database, &staff.actor, id).await?;
    let page = view::case_view(state, staff, case, typed, notice).await?;
    Ok(render(&page, status, staff.language))
}

/// `?done=FORM`: the page after a change says what was done.
#[derive(serde::Deserialize, Default)]
pub(in crate::http::console) struct Done {
    done: Option<String>,
}

/// What a form that went through did, in words: an action by its name, the other forms by
/// theirs; nothing for what no form sends.
fn done_text(language: Language, form: &str) -> String {
    let name = form.split('-').next().unwrap_or_default();
    if let "refund" | "message" | "note" | "change" | "checklist" | "files" | "settle" | "dispute"
    | "offer" | "replacement" | "cost" | "invoice" | "review" | "send" = name
    {
        return language.text(&format!("console-done-{name}"));
    }
    match crate::domain::Action::parse(form) {
        Some(action) => {
            let name = language.text(&format!("action-{action}"));
            language.text_with("console-done-action", "name", &name)
        }
        None => String::new(),
    }
}

pub(in crate::http::console) async fn case_page(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Query(done): Query<Done>,
) -> PageResult {
    let notice = done
        .done
        .map(|form| done_text(staff.language, &form))
        .unwrap_or_default();
    shown(
        &state,
        &staff,
        &id,
        Typed::default(),
        notice,
        StatusCode::OK,
    )
    .await
}

/// Why a form was not done: an error, or a sentence already in the person's words.
pub(super) enum Refusal {
    Error(AppError),
    Said(String),
}

/// After a change: back to the case page (a GET, so a reload does not send it again); when it
/// was refused, the page again with the reason and the typed values.
async fn answer(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form_name: &str,
    fields: HashMap<String, String>,
    result: Result<(), AppError>,
) -> PageResult {
    let result = result.map_err(Refusal::Error);
    answer_refusal(state, staff, id, form_name, fields, result).await
}

async fn answer_refusal(
    state: &AppState,
    staff: &Staff,
    id: &str,
    form_name: &str,
    fields: HashMap<String, String>,
    result: Result<(), Refusal>,
) -> PageResult {
    let (error, status) = match result {
        Ok(()) => {
            return Ok(crate::http::pages::redirect(&format!(
                "/console/cases/{id}?done={}",
                super::text::url_encode(form_name)
            ))
            .into_response());
        }
        Err(Refusal::Error(error @ (AppError::NotFound(_) | AppError::Internal(_)))) => {
            return Err(error.into());
        }
        Err(Refusal::Error(error)) => (error_text(staff.language, &error), error.status()),
        Err(Refusal::Said(sentence)) => (sentence, StatusCode::UNPROCESSABLE_ENTITY),
    };
    let typed = Typed {
        form: form_name.to_string(),
        error,
        fields,
    };
    shown(state, staff, id, typed, String::new(), status).await
}
