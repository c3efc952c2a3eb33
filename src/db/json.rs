//! Values kept as text (the same on SQLite and PostgreSQL), read by a `FromRow` field marked
//! `#[sqlx(try_from = "JsonText<T>")]` (JSON) or `#[sqlx(try_from = "ListText<T>")]` (wire names
//! joined by commas).

use serde::de::DeserializeOwned;
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, Type};

/// A column's JSON text, parsed.
pub struct JsonText<T>(pub T);

impl<T> Type<Any> for JsonText<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(kind: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(kind)
    }
}

impl<'r, T: DeserializeOwned> Decode<'r, Any> for JsonText<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Any>>::decode(value)?;
        Ok(JsonText(serde_json::from_str(text)?))
    }
}

impl From<JsonText<serde_json::Value>> for serde_json::Value {
    fn from(json: JsonText<serde_json::Value>) -> Self {
        json.0
    }
}

impl From<JsonText<Vec<String>>> for Vec<String> {
    fn from(json: JsonText<Vec<String>>) -> Self {
        json.0
    }
}

/// Wire names joined by commas (`approve,refund`), each read by `T: TryFrom<String>`.
pub struct ListText<T>(pub Vec<T>);

impl<T> Type<Any> for ListText<T> {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(kind: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(kind)
    }
}

impl<'r, T: TryFrom<String, Error = String>> Decode<'r, Any> for ListText<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Any>>::decode(value)?;
        let items = text
            .split(',')
            .filter(|item| !item.is_empty())
            .map(|item| T::try_from(item.to_string()))
            .collect::<Result<Vec<T>, String>>()?;
        Ok(ListText(items))
    }
}

impl From<ListText<crate::domain::Action>> for Vec<crate::domain::Action> {
    fn from(list: ListText<crate::domain::Action>) -> Self {
        list.0
    }
}
