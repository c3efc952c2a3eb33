//! EU (Directive 2011/83 withdrawal, Directive 2019/771 legal guarantee) and UK (Consumer
//! Contracts Regulations 2013, Consumer Rights Act 2015). The UK follows the EU's shape with its
//! own numbers, so one file reads both; `uk` picks the rule ids.

mod guarantee;
mod national;
mod withdrawal;
use guarantee::*;
use withdrawal::*;

use jiff::civil::{Date, date};

use super::decision::{Builder, Party, text};
use super::periods::{DayPeriod, add_months, deadline};
use super::request::{Jurisdiction, NationalRules, Nature, Remedy};
use super::settlement::{Settlement, refund};
use super::{Context, PolicyError};

pub fn decide(context: &Context, builder: &mut Builder) -> Result<(), PolicyError> {
    let uk = context.request.jurisdiction == Jurisdiction::UK;
    withdrawal(context, builder, uk)?;
    if context.request.reason.is_nonconformity() {
        if uk {
            uk_guarantee(context, builder)?;
        } else {
            eu_guarantee(context, builder)?;
        }
    }
    if !uk {
        withdrawal_function(context, builder);
    }
    Ok(())
}

/// The exception (EU-R12 / UK-R4) that takes away the right of withdrawal, if any.
fn exception(context: &Context, uk: bool) -> Option<(String, &'static str)> {
    let id = |letter: &str| {
        if uk {
            "UK-R4".to_string()
        } else {
            format!("EU-R12({letter})")
        }
    };
    for item in context.returned_items() {
        let unsealed = item.unsealed();
        let found = if item.has(Nature::MarketPriced) {
            Some((id("b"), "its price depends on the financial market"))
        } else if item.has(Nature::CustomMade) {
            Some((
                id("c"),
                "it is made to the consumer's specifications or personalised",
            ))
        } else if item.has(Nature::Perishable) {
            Some((id("d"), "it deteriorates or expires rapidly"))
        } else if item.has(Nature::HygieneSealed) && unsealed {
            Some((
                id("e"),
                "sealed for health or hygiene reasons and unsealed after delivery",
            ))
        } else if item.has(Nature::MixedInseparably) {
            Some((id("f"), "it was inseparably mixed with other items"))
        } else if item.has(Nature::AlcoholPricedInAdvance) {
            Some((
                id("g"),
                "alcohol priced at the contract, delivered after 30 days, its value set by the market",
            ))
        } else if item.has(Nature::UrgentRepair) {
            Some((id("h"), "an urgent repair the consumer asked for"))
        } else if item.has(Nature::DatedService) {
            Some((id("l"), "a service for a specific date or period"))
        } else if item.has(Nature::AudioVisual) && unsealed {
            Some((
                id("i"),
                "a sealed recording or software unsealed after delivery",
            ))
        } else if item.has(Nature::Periodical) && !item.has(Nature::Subscription) {
            Some((id("j"), "a newspaper or periodical (not a subscription)"))
        } else if item.has(Nature::DigitalDownload)
            && context.request.facts.digital_consent_acknowledged
        {
            Some((
                id("m"),
                "digital content supplied with the consumer's consent and acknowledgement",
            ))
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// EU-R5a: online contracts from 19 June 2026 need a "withdraw from contract here" function.
fn withdrawal_function(context: &Context, builder: &mut Builder) {
    let from = date(2026, 6, 19);
    let concluded = context
        .dates
        .ordered
        .as_ref()
        .or(context.dates.paid.as_ref())
        .map(|moment| moment.date());
    if context.request.facts.withdrawal_function_offered == Some(false)
        && concluded.is_some_and(|day| day >= from)
    {
        builder.find(
            "withdrawal_function_missing",
            &["EU-R5a"],
            text(
                "2026年6月19日起在线订立的合同必须提供“在此撤回合同”功能：本店不合规",
                "Online contracts from 19 June 2026 need a 'withdraw from contract here' function: the shop does not comply",
            ),
        );
    }
}

fn delivery_date(context: &Context) -> Option<Date> {
    context.receipt().map(|moment| moment.date())
}
