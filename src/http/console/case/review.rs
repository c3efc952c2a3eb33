//! The case page's review part: the review the case was opened for (its stars, grade, text and
//! any revision), what the buyer said when contacted, the explanation reply drafted from the
//! shop's templates, and marking it posted on the platform.

use axum::extract::{Path, State};

use super::answer;
use super::forms::text;
use crate::db::reviews::ReviewRecord;
use crate::domain::reviews::Grade;
use crate::http::console::form::{Fields, Posted};
use crate::http::console::rows::Choice;
use crate::http::console::{PageResult, Staff};
use crate::http::pages::minutes;
use crate::i18n::Language;
use crate::operations::reviews as operations;
use crate::state::AppState;

/// The review on the case page.
pub struct ReviewPart {
    pub id: String,
    pub platform: String,
    pub stars: String,
    /// 1–5, for those who do not see the stars.
    pub rating: i64,
    pub grade: String,
    /// The grade it came in with, when a revision changed it.
    pub first_grade: String,
    pub product: String,
    pub text: String,
    pub reviewed_at: String,
    pub revised_at: String,
    pub outcome: String,
    pub explanation: String,
    pub posted_at: String,
    /// What the explanation box holds: the stored reply, else the first template filled in.
    pub draft: String,
    pub templates: Vec<Choice>,
    pub outcomes: Vec<Choice>,
}

fn grade_name(language: Language, grade: &str) -> String {
    language.text(&format!(
        "review-grade-{}",
        Grade::parse(grade).unwrap_or(Grade::Negative).as_str()
    ))
}

impl ReviewPart {
    pub async fn of_case(
        state: &AppState,
        staff: &Staff,
        case_id: &str,
    ) -> Result<Option<ReviewPart>, crate::error::AppError> {
        let Some(review) = operations::of_case(&state.database, &staff.actor, case_id).await?
        else {
            return Ok(None);
        };
        let settings = crate::db::settings::get(&state.database, &staff.actor.shop.id).await?;
        let templates: Vec<Choice> = settings
            .reviews
            .explanation_templates
            .iter()
            .map(|template| Choice {
                code: template.name.clone(),
                name: template.name.clone(),
            })
            .collect();
        let draft = match (
            &review.explanation,
            settings.reviews.explanation_templates.first(),
        ) {
            (Some(explanation), _) => explanation.clone(),
            (None, Some(first)) => crate::domain::reviews::draft(
                &first.body,
                review.product_title.as_deref().unwrap_or(&review.product),
                &staff.actor.shop.name,
                review.reviewer.as_deref().unwrap_or_default(),
            ),
            (None, None) => String::new(),
        };
        Ok(Some(ReviewPart::new(
            staff.language,
            &staff.actor.shop.time_zone,
            review,
            draft,
            templates,
        )))
    }

    fn new(
        language: Language,
        zone: &jiff::tz::TimeZone,
        review: ReviewRecord,
        draft: String,
        templates: Vec<Choice>,
    ) -> ReviewPart {
        let at = |micros: Option<i64>| micros.map(|at| minutes(at, zone)).unwrap_or_default();
        ReviewPart {
            platform: language.text_or(&format!("platform-{}", review.platform), &review.platform),
            stars: review
                .rating
                .map(|rating| {
                    let rating = rating.clamp(0, 5) as usize;
                    format!("{}{}", "★".repeat(rating), "☆".repeat(5 - rating))
                })
                .unwrap_or_default(),
            rating: review.rating.unwrap_or_default(),
            grade: grade_name(language, &review.grade),
            first_grade: if review.first_grade == review.grade {
                String::new()
            } else {
                grade_name(language, &review.first_grade)
            },
            product: review
                .product_title
                .clone()
                .unwrap_or_else(|| review.product.clone()),
            text: review.text,
            reviewed_at: minutes(review.reviewed_at, zone),
            revised_at: at(review.revised_at),
            outcome: review
                .outcome
                .map(|outcome| language.text(&format!("review-outcome-{outcome}")))
                .unwrap_or_default(),
            explanation: review.explanation.unwrap_or_default(),
            posted_at: at(review.posted_at),
            draft,
            templates,
            outcomes: ["revised", "declined", "unreachable"]
                .into_iter()
                .map(|code| Choice {
                    code: code.into(),
                    name: language.text(&format!("review-outcome-{code}")),
                })
                .collect(),
            id: review.id,
        }
    }
}

/// Records what the buyer said.
pub(in crate::http::console) async fn outcome(
    State(state): State<AppState>,
    Path((id, review_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let result = operations::record_outcome(
        &state.database,
        &staff.actor,
        &review_id,
        &text(&fields, "outcome").unwrap_or_default(),
    )
    .await
    .map(|_| ());
    answer(&state, &staff, &id, "review", fields, result).await
}

/// Stores the explanation: the text typed, or the template chosen filled in.
pub(in crate::http::console) async fn explain(
    State(state): State<AppState>,
    Path((id, review_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let written = match (text(&fields, "text"), text(&fields, "template")) {
        (Some(written), _) => Ok(written),
        (None, Some(template)) => {
            operations::draft(&state.database, &staff.actor, &review_id, &template).await
        }
        (None, None) => Ok(String::new()),
    };
    let result = match written {
        Ok(written) => operations::explain(&state.database, &staff.actor, &review_id, &written)
            .await
            .map(|_| ()),
        Err(error) => Err(error),
    };
    answer(&state, &staff, &id, "review", fields, result).await
}

/// The explanation was posted on the platform.
pub(in crate::http::console) async fn posted(
    State(state): State<AppState>,
    Path((id, review_id)): Path<(String, String)>,
    Posted {
        staff,
        form: fields,
    }: Posted<Fields>,
) -> PageResult {
    let result = operations::mark_posted(&state.database, &staff.actor, &review_id)
        .await
        .map(|_| ());
    answer(&state, &staff, &id, "review", fields, result).await
}
