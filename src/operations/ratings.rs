//! The customer rates their case: 1–5 stars and a comment, once, after it has ended; recorded on
//! the timeline.

use crate::db::cases::{self, CaseRecord};
use crate::db::{Database, ratings};
use crate::domain::Role;
use crate::error::AppResult;

/// The longest comment kept, in characters.
pub const COMMENT_LIMIT: usize = 2000;

#[derive(Debug, PartialEq, Eq)]
pub enum Rated {
    Recorded,
    /// Not 1–5 stars, or the case is still open.
    Invalid,
    /// The case was rated already.
    Twice,
}

pub async fn rate(
    database: &Database,
    case: &CaseRecord,
    stars: Option<i64>,
    comment: &str,
) -> AppResult<Rated> {
    let Some(stars) = stars.filter(|stars| (1..=5).contains(stars) && !case.status.is_open())
    else {
        return Ok(Rated::Invalid);
    };
    let comment: String = comment.trim().chars().take(COMMENT_LIMIT).collect();
    let now = database.clock.now();
    let mut transaction = database.begin().await?;
    if !ratings::insert(
        &mut transaction,
        &case.shop_id,
        &case.id,
        stars,
        &comment,
        now,
    )
    .await?
    {
        return Ok(Rated::Twice);
    }
    cases::insert_event(
        &mut transaction,
        &cases::NewEvent {
            shop_id: &case.shop_id,
            case_id: &case.id,
            at: now,
            actor_role: Role::Customer,
            actor_id: None,
            action: "rated",
            from_status: None,
            to_status: None,
            data: serde_json::json!({ "stars": stars, "comment": comment }),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(Rated::Recorded)
}
