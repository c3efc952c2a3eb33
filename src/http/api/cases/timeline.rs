//! `/api/v1/cases/{id}/events|messages|notes`: a case's timeline, replies and internal notes.

use super::*;

#[utoipa::path(get, path = "/cases/{id}/events", operation_id = "listCaseEvents", tag = "cases", params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Page<EventView>)), security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<EventView>>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let records = cases::events(&state.database.reader, &case.id).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |event| EventView::new(&actor.shop, event),
    )?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    #[schema(min_length = 1, max_length = 8000, pattern = "\\S")]
    pub body: String,
}

#[utoipa::path(post, path = "/cases/{id}/messages", operation_id = "createCaseMessage", tag = "cases", params(("id" = String, Path)),
    request_body = MessageInput, responses((status = 201, body = MessageView)), security(("bearer" = [])))]
pub async fn post_message(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<MessageInput>,
) -> AppResult<(StatusCode, axum::Json<MessageView>)> {
    add_message(&state, &actor, &id, Visibility::Customer, &input.body).await
}

#[utoipa::path(post, path = "/cases/{id}/notes", operation_id = "createCaseNote", tag = "cases", params(("id" = String, Path)),
    request_body = MessageInput, responses((status = 201, body = MessageView)), security(("bearer" = [])))]
pub async fn post_note(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(id): Path<String>,
    Json(input): Json<MessageInput>,
) -> AppResult<(StatusCode, axum::Json<MessageView>)> {
    add_message(&state, &actor, &id, Visibility::Internal, &input.body).await
}

pub(super) async fn add_message(
    state: &AppState,
    actor: &Actor,
    id: &str,
    visibility: Visibility,
    body: &str,
) -> AppResult<(StatusCode, axum::Json<MessageView>)> {
    let message =
        case_operations::post_message(&state.database, actor, id, visibility, body).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MessageView::new(&actor.shop, message)),
    ))
}

#[utoipa::path(get, path = "/cases/{id}/messages", operation_id = "listCaseMessages", tag = "cases", params(("id" = String, Path), ListQuery),
    responses((status = 200, body = Page<MessageView>, description = "messages and internal notes, oldest first")),
    security(("bearer" = [])))]
pub async fn messages(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Query(page): Query<ListQuery>,
    Path(id): Path<String>,
) -> AppResult<axum::Json<Page<MessageView>>> {
    let case = case_operations::fetch(&state.database, &actor, &id).await?;
    let records = cases::messages(&state.database.reader, &case.id, actor.role.is_staff()).await?;
    Ok(axum::Json(Page::slice(
        records,
        page_limit(page.limit)?,
        page.cursor.as_deref(),
        |record| record.id.as_str(),
        |message| MessageView::new(&actor.shop, message),
    )?))
}
