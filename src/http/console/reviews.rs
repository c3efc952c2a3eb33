//! The reviews page: import a platform's review export, the statistics per product and month,
//! the reviews with their cases (filtered: grade, explanations to post, order not found), an
//! unmatched review given its order, the list as CSV or XLSX.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::form::Posted;
use super::{PageResult, Staff};
use crate::db::reviews::Filter;
use crate::domain::reviews::ProductMonth;
use crate::error::AppError;
use crate::http::Export;
use crate::http::pages::{minutes, read_multipart, render};
use crate::operations::reviews as operations;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ReviewFilter {
    grade: Option<String>,
    view: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl ReviewFilter {
    fn filter(&self, staff: &Staff) -> Result<Filter, AppError> {
        let (from, to) = crate::operations::period(
            self.from.as_deref(),
            self.to.as_deref(),
            &staff.actor.shop.time_zone,
        )?;
        Ok(Filter {
            grade: self.grade.clone().filter(|grade| !grade.is_empty()),
            from: (from > 0).then_some(from),
            to: (to < i64::MAX).then_some(to),
            to_post: self.view.as_deref() == Some("to_post"),
            unmatched: self.view.as_deref() == Some("unmatched"),
            ..Filter::default()
        })
    }

    fn query(&self) -> String {
        super::reports::query_of(&[
            ("grade", &self.grade),
            ("view", &self.view),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }
}

pub struct ReviewRow {
    pub id: String,
    pub platform: String,
    pub product: String,
    pub grade: String,
    pub grade_code: String,
    pub stars: String,
    pub text: String,
    pub reviewed_at: String,
    pub case_id: String,
    pub case_number: String,
    pub order_number: String,
    pub state: String,
}

#[derive(Template)]
#[template(path = "console/reviews.html")]
struct ReviewsPage {
    frame: super::Frame,
    grade: String,
    view: String,
    from: String,
    to: String,
    query: String,
    notice: Option<String>,
    error: Option<String>,
    statistics: Vec<ProductMonth>,
    rows: Vec<ReviewRow>,
}

async fn page(
    state: &AppState,
    staff: &Staff,
    shown: ReviewFilter,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let language = staff.language;
    let zone = &staff.actor.shop.time_zone;
    let (found, statistics, error, status) = match shown.filter(staff) {
        Ok(filter) => {
            let found = operations::list(&state.database, &staff.actor, &filter, None, 200).await?;
            let statistics = operations::statistics(
                &state.database,
                &staff.actor,
                filter.from.unwrap_or(0),
                filter.to.unwrap_or(i64::MAX),
            )
            .await?;
            (found, statistics, error, status)
        }
        Err(error @ AppError::Invalid { .. }) => (
            Vec::new(),
            Vec::new(),
            Some(super::error_text(language, &error)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(error) => return Err(error.into()),
    };
    let rows = found
        .into_iter()
        .map(|review| ReviewRow {
            platform: language.text_or(&format!("platform-{}", review.platform), &review.platform),
            product: review.product_title.clone().unwrap_or(review.product),
            grade: language.text(&format!("review-grade-{}", review.grade)),
            stars: review
                .rating
                .map(|rating| format!("{rating} ★"))
                .unwrap_or_default(),
            text: review.text,
            reviewed_at: minutes(review.reviewed_at, zone),
            case_id: review.case_id.unwrap_or_default(),
            case_number: review.case_number.unwrap_or_default(),
            order_number: review.order_number.unwrap_or_default(),
            state: match (&review.posted_at, &review.explanation, &review.outcome) {
                (Some(_), _, _) => language.text("review-posted-short"),
                (None, Some(_), _) => language.text("review-to-post"),
                (None, None, Some(outcome)) => language.text(&format!("review-outcome-{outcome}")),
                (None, None, None) => String::new(),
            },
            grade_code: review.grade,
            id: review.id,
        })
        .collect();
    let page = ReviewsPage {
        frame: super::Frame::new(state, staff, "reviews").await?,
        query: shown.query(),
        grade: shown.grade.unwrap_or_default(),
        view: shown.view.unwrap_or_default(),
        from: shown.from.unwrap_or_default(),
        to: shown.to.unwrap_or_default(),
        notice,
        error,
        statistics,
        rows,
    };
    Ok(render(&page, status, language))
}

pub(super) async fn reviews_page(
    State(state): State<AppState>,
    staff: Staff,
    Query(shown): Query<ReviewFilter>,
) -> PageResult {
    page(&state, &staff, shown, None, None, StatusCode::OK).await
}

/// Imports a review export sent with the page's form.
pub(super) async fn import(
    State(state): State<AppState>,
    staff: Staff,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let language = staff.language;
    let shown = ReviewFilter::default();
    let (fields, files) = match read_multipart(multipart).await {
        Ok(read) => read,
        Err(reason) => {
            let error = format!("{} ({reason})", language.text("console-import-unreadable"));
            return page(
                &state,
                &staff,
                shown,
                None,
                Some(error),
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    staff.check_csrf(fields.get("csrf").map(String::as_str))?;
    let Some(file) = files.into_iter().find(|file| !file.bytes.is_empty()) else {
        let error = language.text("console-import-no-file");
        return page(
            &state,
            &staff,
            shown,
            None,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match operations::import(&state.database, &staff.actor, &file.bytes).await {
        Ok(report) => {
            let mut notice = language.text_args(
                "review-imported",
                &[
                    ("n", &report.created.to_string()),
                    ("cases", &report.cases_opened.to_string()),
                    (
                        "detail",
                        &format!(
                            "{} / {} / {}",
                            report.unchanged, report.revised, report.unmatched
                        ),
                    ),
                ],
            );
            for error in report.errors.iter().take(20) {
                notice.push_str(&format!(" · #{} {}", error.row, error.message));
            }
            page(&state, &staff, shown, Some(notice), None, StatusCode::OK).await
        }
        Err(error @ AppError::Invalid { .. }) => {
            let error = super::error_text(language, &error);
            page(
                &state,
                &staff,
                shown,
                None,
                Some(error),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct OrderForm {
    order_number: Option<String>,
}

/// Gives an unmatched review its order: its case opens.
pub(super) async fn link_order(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { staff, form }: Posted<OrderForm>,
) -> PageResult {
    let number = form.order_number.unwrap_or_default();
    let shown = ReviewFilter {
        view: Some("unmatched".into()),
        ..ReviewFilter::default()
    };
    match operations::link_order(&state.database, &staff.actor, &id, &number).await {
        Ok(review) => {
            let notice = staff.language.text_with(
                "review-linked",
                "number",
                review.case_number.as_deref().unwrap_or_default(),
            );
            page(&state, &staff, shown, Some(notice), None, StatusCode::OK).await
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict { .. })) => {
            let status = error.status();
            let error = super::error_text(staff.language, &error);
            page(&state, &staff, shown, None, Some(error), status).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The reviews shown, as a file: `/console/reviews/reviews.csv` or `.xlsx`.
pub(super) async fn file(
    State(state): State<AppState>,
    staff: Staff,
    Path(file): Path<String>,
    Query(shown): Query<ReviewFilter>,
) -> PageResult {
    let filter = shown.filter(&staff)?;
    let export = match file.as_str() {
        "reviews.csv" => Export::Csv,
        "reviews.xlsx" => Export::Xlsx,
        _ => return Err(AppError::NotFound("file").into()),
    };
    let table = operations::export(&state.database, &staff.actor, &filter)?;
    Ok(crate::http::table_file(export, table).await?)
}
