//! A unit by its serial number (docs/REPAIRS.md, "The unit").

use axum::extract::State;

use super::extract::{Authenticated, Path};
use crate::error::AppResult;
use crate::operations::units::{self as operations, UnitView};
use crate::state::AppState;

#[utoipa::path(get, path = "/units/{serial}", operation_id = "getUnit", tag = "repairs",
    params(("serial" = String, Path, description = "the serial number or IMEI")),
    responses((status = 200, body = UnitView, description = "where it came from, its cases, its warranty today"),
        (status = 404)),
    security(("bearer" = [])))]
/// A unit's service history and warranty: the order line that sold it or the exchange that sent
/// it, the unit it replaced and the one that replaced it, every case about it, and what the
/// policy engine allows for a fault today (a free repair, or a paid quote).
pub async fn show(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    Path(serial): Path<String>,
) -> AppResult<axum::Json<UnitView>> {
    Ok(axum::Json(
        operations::unit(&state.database, &actor, &serial).await?,
    ))
}
