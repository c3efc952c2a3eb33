//! Values kept the same way on SQLite and PostgreSQL, read by a `FromRow` field marked
//! `#[sqlx(try_from = "JsonText<T>")]` (JSON text), `#[sqlx(try_from = "ListText<T>")]` (wire
//! names joined by commas), `#[sqlx(try_from = "Flag")]` (0 or 1 as an integer) or
//! `#[sqlx(try_from = "ZoneName")]` (an IANA time zone's name).

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

/// The types read from JSON columns (`From<JsonText<T>>` for each; a blanket impl is not allowed).
macro_rules! read_from_json {
    ($($type:ty),+ $(,)?) => {
        $(impl From<JsonText<$type>> for $type {
            fn from(json: JsonText<$type>) -> Self {
                json.0
            }
        })+
    };
}

read_from_json!(
    serde_json::Value,
    Vec<String>,
    crate::domain::policy::request::ShopPolicy,
    crate::domain::clocks::ClockSettings,
    crate::domain::settings::Branding,
    Vec<crate::domain::settings::ReplyTemplate>,
    Vec<crate::domain::checklist::Checklist>,
    crate::domain::parcels::ParcelWatch,
    crate::domain::order::MoneyDetail,
    crate::domain::settings::RefundSettings,
    Vec<crate::domain::layouts::SavedLayout>,
    crate::domain::settings::ExchangeSettings,
    crate::domain::costs::CostSettings,
    crate::domain::surveys::SurveySettings,
    crate::domain::audits::AuditSettings,
    crate::domain::reviews::ReviewSettings,
    crate::domain::visits::VisitSettings,
    crate::domain::reports::ReportSettings,
    crate::domain::knowledge::KnowledgeSettings,
    crate::domain::knowledge::index::Terms,
    Vec<crate::domain::surveys::Stratum>,
    Vec<crate::domain::invoices::InvoiceLine>,
    Vec<crate::domain::invoices::CreditLine>,
    Vec<crate::domain::appointments::Slot>,
);

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

/// A yes/no kept as the integer 0 or 1.
pub struct Flag(pub bool);

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <i64 as Type<Any>>::type_info()
    }

    fn compatible(kind: &AnyTypeInfo) -> bool {
        <i64 as Type<Any>>::compatible(kind)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0))
    }
}

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

/// A time zone kept by its IANA name (`Asia/Shanghai`).
pub struct ZoneName(pub jiff::tz::TimeZone);

impl Type<Any> for ZoneName {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(kind: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(kind)
    }
}

impl<'r> Decode<'r, Any> for ZoneName {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let name = <&str as Decode<Any>>::decode(value)?;
        Ok(ZoneName(jiff::tz::TimeZone::get(name)?))
    }
}

impl From<ZoneName> for jiff::tz::TimeZone {
    fn from(zone: ZoneName) -> Self {
        zone.0
    }
}

/// A shop's id is stored as its text.
impl Type<Any> for crate::domain::identifiers::ShopId {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(kind: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(kind)
    }
}

impl<'r> Decode<'r, Any> for crate::domain::identifiers::ShopId {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(<String as Decode<Any>>::decode(value)?.into())
    }
}

impl<'q> sqlx::Encode<'q, Any> for crate::domain::identifiers::ShopId {
    fn encode_by_ref(
        &self,
        buffer: &mut <Any as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, BoxDynError> {
        <&str as sqlx::Encode<Any>>::encode(self.as_str(), buffer)
    }
}
