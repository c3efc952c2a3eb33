//! The order's money as the policy engine is told it: amounts, payments, discounts, gifts, card
//! fees.

use super::*;

/// An amount in major units, as a decimal string ("180.00") or a JSON number (180).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
#[schema(value_type = String)]
pub struct Amount(pub String);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(text) => Ok(Amount(text)),
            serde_json::Value::Number(number) => Ok(Amount(number.to_string())),
            other => Err(serde::de::Error::custom(format!(
                "an amount must be a decimal string such as \"12.50\" or a number, not {other}"
            ))),
        }
    }
}

/// The order's money.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderMoney {
    /// ISO 4217; default CNY for CN, EUR for EU, GBP for UK, USD for US.
    #[serde(default)]
    pub currency: Option<String>,
    /// How the order was paid: each method and amount (coupons and points count as methods).
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Order-level discounts such as 满300减50.
    #[serde(default)]
    pub discounts: Vec<Discount>,
    #[serde(default)]
    pub gifts: Vec<Gift>,
    /// Delivery fee the customer paid.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub shipping_fee: Option<Amount>,
    /// The cheapest standard delivery offered (EU/UK: only this much delivery is refunded).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub standard_shipping_fee: Option<Amount>,
    /// Free shipping above this order value (包邮门槛).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub free_shipping_threshold: Option<Amount>,
    /// The forward shipping the shop paid when the order shipped free.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub waived_shipping_fee: Option<Amount>,
    #[serde(default)]
    pub card_fee: Option<CardFee>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// alipay, wechat_pay, card, credit_card, cash, cheque, coupon, points, voucher, gift_card …
    pub method: String,
    #[schema(value_type = String)]
    pub amount: Amount,
}

impl Payment {
    /// Coupons, points and vouchers go back in kind (CN-R16).
    pub fn is_in_kind(&self) -> bool {
        matches!(
            self.method.as_str(),
            "coupon" | "shop_coupon" | "platform_coupon" | "points" | "voucher"
        )
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Discount {
    /// Spend at least this much (at purchase prices) to get the discount; absent = unconditional.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub threshold: Option<Amount>,
    #[schema(value_type = String)]
    pub amount: Amount,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Gift {
    #[serde(default)]
    pub name: Option<String>,
    /// The value the shop marked in advance.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub value: Option<Amount>,
    /// The customer sends the gift back with the goods.
    #[serde(default)]
    pub returned: bool,
}

/// A card or handling fee on the order. It is never part of the goods' price: refunds pay back
/// the goods actually paid for, not the fee (CN-R17).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CardFee {
    #[schema(value_type = String)]
    pub amount: Amount,
    /// The shop waived the fee at purchase (it may then deduct it, CN-R17).
    #[serde(default)]
    pub waived: bool,
    /// Whether `payments` include the fee the buyer paid. Absent: worked out from the item
    /// prices (payments = goods − discounts + shipping, with or without the fee); a request
    /// where neither adds up, or without prices, must say.
    #[serde(default)]
    pub in_payments: Option<bool>,
}
