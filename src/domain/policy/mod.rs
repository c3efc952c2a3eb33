//! The policy engine: given a request (jurisdiction, platform, goods, money, dates, history),
//! decides which remedies the customer may have now, by when, for how much, who pays the
//! freight, and why — every part names the rule ids of `docs/POLICY.md` that decide it.
//! Pure: no I/O; "now" is passed in.

pub mod decision;
pub mod goodwill;
pub mod periods;
pub mod request;
pub mod settlement;

mod america;
mod china;
mod europe;
mod platforms;
mod shop;
pub mod three_guarantees;

use jiff::{Timestamp, Zoned, civil::Date, tz::TimeZone};

pub use decision::{Decision, Text};
pub use request::{PolicyRequest, Remedy};

use crate::domain::calendar::WorkingCalendar;
use decision::Builder;
use request::Jurisdiction;

/// A request the engine cannot read: which field, and what to write instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

/// The request with its dates read in its time zone, and the calendar that applies.
pub struct Context<'a> {
    pub request: &'a PolicyRequest,
    pub zone: TimeZone,
    pub calendar: std::sync::Arc<WorkingCalendar>,
    pub platform: String,
    pub dates: Moments,
    /// "Now" for this decision: `dates.as_of`, else `dates.requested`, else the evaluation time.
    pub as_of: Zoned,
    /// Effective no-reason window in days after the shop's layer.
    pub no_reason_days: i64,
}

/// Every date of the request, read.
#[derive(Default)]
pub struct Moments {
    pub ordered: Option<Zoned>,
    pub paid: Option<Zoned>,
    pub shipped: Option<Zoned>,
    pub signed: Option<Zoned>,
    pub invoiced: Option<Zoned>,
    pub requested: Option<Zoned>,
    pub fault_found: Option<Zoned>,
    pub request_processed: Option<Zoned>,
    pub return_shipped: Option<Zoned>,
    pub return_received: Option<Zoned>,
    pub refunded: Option<Zoned>,
    pub repair_started: Option<Zoned>,
    pub repair_returned: Option<Zoned>,
    pub exchanged: Option<Zoned>,
    pub cancelled: Option<Zoned>,
    pub rejected: Option<Zoned>,
    pub intervention_requested: Option<Zoned>,
    pub dispute_opened: Option<Zoned>,
    pub evidence_requested: Option<Zoned>,
    pub platform_decided: Option<Zoned>,
    pub dispute_closed: Option<Zoned>,
    pub suspended: Option<Zoned>,
    pub withdrawal_information_given: Option<Zoned>,
    pub refund_agreed: Option<Zoned>,
    pub merchant_answered: Option<Zoned>,
    pub evidence_supplied: Option<Zoned>,
    pub ship_by: Option<Zoned>,
    pub delay_notified: Option<Zoned>,
    pub revised_ship_by: Option<Zoned>,
    /// The last delivery among the items (EU-R2: multiple goods run from the last one).
    pub last_item_delivered: Option<Zoned>,
    /// The first (EU-R2: a regular delivery over a period runs from the first good).
    pub first_item_delivered: Option<Zoned>,
}

impl Context<'_> {
    /// When the goods reached the customer: the last item's delivery, else signed.
    pub fn receipt(&self) -> Option<&Zoned> {
        if self.request.facts.regular_delivery {
            // A regular delivery over a period: the first good.
            return match (&self.dates.first_item_delivered, &self.dates.signed) {
                (Some(item), Some(signed)) => Some(if item < signed { item } else { signed }),
                (Some(item), None) => Some(item),
                (None, signed) => signed.as_ref(),
            };
        }
        match (&self.dates.last_item_delivered, &self.dates.signed) {
            (Some(item), Some(signed)) => Some(if item > signed { item } else { signed }),
            (Some(item), None) => Some(item),
            (None, signed) => signed.as_ref(),
        }
    }

    /// The day the customer acted (asked), else "now".
    pub fn act_date(&self) -> Date {
        self.dates.requested.as_ref().unwrap_or(&self.as_of).date()
    }

    /// When the fault showed: `fault_found`, else `requested`, else now.
    pub fn fault_date(&self) -> Date {
        self.dates
            .fault_found
            .as_ref()
            .or(self.dates.requested.as_ref())
            .unwrap_or(&self.as_of)
            .date()
    }

    pub fn is_platform(&self, names: &[&str]) -> bool {
        names.contains(&self.platform.as_str())
    }

    /// The items that go back (all when none is marked).
    pub fn returned_items(&self) -> impl Iterator<Item = &request::Item> {
        self.request
            .items
            .iter()
            .filter(|item| item.returned_quantity() > 0)
    }
}

/// Decides one request. `now` is used only when the request gives neither `as_of` nor `requested`.
/// With several items going back for a return or an exchange, each is judged on its own (the
/// law excludes or refuses goods, not orders); when only some may go back, the decision is for
/// those, with every item's verdict in `items`.
pub fn evaluate(request: &PolicyRequest, now: Timestamp) -> Result<Decision, PolicyError> {
    let returned: Vec<usize> = request
        .items
        .iter()
        .enumerate()
        .filter(|(_, item)| item.returned_quantity() > 0)
        .map(|(index, _)| index)
        .collect();
    let remedy = request.kind.unwrap_or(Remedy::ReturnAndRefund);
    if returned.len() < 2 || !matches!(remedy, Remedy::ReturnAndRefund | Remedy::Exchange) {
        return decide(request, now);
    }
    let mut verdicts = Vec::new();
    for &index in &returned {
        let mut alone = request.clone();
        for (other, item) in alone.items.iter_mut().enumerate() {
            if other != index {
                item.return_quantity = Some(0);
            }
        }
        let decision = decide(&alone, now)?;
        let verdict = decision.remedies.iter().find(|each| each.remedy == remedy);
        let allowed = verdict.is_some_and(|verdict| verdict.allowed);
        verdicts.push(decision::ItemVerdict {
            index,
            name: request.items[index].name.clone(),
            remedy,
            allowed,
            rules: verdict
                .map(|verdict| verdict.rules.clone())
                .unwrap_or_default(),
            explanation: verdict.and_then(|verdict| {
                verdict
                    .grounds
                    .iter()
                    .find(|ground| ground.allowed == allowed)
                    .map(|ground| ground.explanation.clone())
            }),
        });
    }
    let refused: Vec<&decision::ItemVerdict> =
        verdicts.iter().filter(|verdict| !verdict.allowed).collect();
    let mut decision = if refused.is_empty() || refused.len() == verdicts.len() {
        decide(request, now)?
    } else {
        let mut partial = request.clone();
        for verdict in &refused {
            partial.items[verdict.index].return_quantity = Some(0);
        }
        let mut decision = decide(&partial, now)?;
        let names = |allowed: bool| {
            verdicts
                .iter()
                .filter(|verdict| verdict.allowed == allowed)
                .map(|verdict| {
                    format!(
                        "「{}」",
                        verdict
                            .name
                            .clone()
                            .unwrap_or_else(|| format!("#{}", verdict.index + 1))
                    )
                })
                .collect::<Vec<_>>()
                .join("")
        };
        let mut rules: Vec<String> = refused
            .iter()
            .flat_map(|verdict| verdict.rules.iter().cloned())
            .collect();
        rules.sort();
        rules.dedup();
        decision.rules.extend(rules.iter().cloned());
        decision.rules.sort();
        decision.rules.dedup();
        decision.findings.push(decision::Finding {
            code: "partly_allowed".into(),
            rules,
            explanation: decision::text(
                format!(
                    "{}可以办理，{}不可以：本决定只针对可以办理的商品",
                    names(true),
                    names(false)
                ),
                format!(
                    "{} may go back, {} may not: the rest of this decision is for those that may",
                    names(true),
                    names(false)
                ),
            ),
            reading: None,
        });
        decision
    };
    decision.items = verdicts;
    Ok(decision)
}

fn decide(request: &PolicyRequest, now: Timestamp) -> Result<Decision, PolicyError> {
    let context = read(request, now)?;
    let mut builder = Builder::default();
    shop::apply(&context, &mut builder);
    match request.jurisdiction {
        Jurisdiction::CN => {
            china::decide(&context, &mut builder)?;
            platforms::decide(&context, &mut builder);
        }
        Jurisdiction::EU | Jurisdiction::UK => europe::decide(&context, &mut builder)?,
        Jurisdiction::US => america::decide(&context, &mut builder)?,
    }
    unknown_calendar_years(&context, &mut builder);
    Ok(builder.finish(
        request.jurisdiction,
        context.platform.clone(),
        context.zone.iana_name().unwrap_or("UTC").to_string(),
        request.kind,
    ))
}

/// A deadline whose rest-day reading needs a year the working calendar does not know (China
/// before the State Council's notice is out) is flagged: its holidays count as working days.
fn unknown_calendar_years(context: &Context, builder: &mut Builder) {
    if context.request.jurisdiction != Jurisdiction::CN {
        return;
    }
    let mut years: Vec<i16> = builder
        .deadlines
        .iter()
        .filter(|deadline| deadline.counting != periods::Counting::Months)
        .filter_map(|deadline| deadline.last_day.parse::<Date>().ok())
        .filter(|day| !context.calendar.knows(*day))
        .map(|day| day.year())
        .collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        builder.flag(
            "calendar_year_unknown",
            &["CN-R6"],
            "weekends_only",
            decision::text(
                format!("{year} 年的法定节假日安排尚未收录：该年的期限只按周末顺延，节假日未计入"),
                format!("{year}'s public holidays are not known yet: periods in that year move past weekends only, not holidays"),
            ),
        );
    }
}

fn read(request: &PolicyRequest, now: Timestamp) -> Result<Context<'_>, PolicyError> {
    let zone_name = request.time_zone.clone().unwrap_or_else(|| {
        match request.jurisdiction {
            Jurisdiction::CN => "Asia/Shanghai",
            Jurisdiction::EU => "Europe/Berlin",
            Jurisdiction::UK => "Europe/London",
            Jurisdiction::US => "America/New_York",
        }
        .into()
    });
    let zone = TimeZone::get(&zone_name).map_err(|_| {
        PolicyError(format!(
            "time_zone: '{zone_name}' is not an IANA time zone (use e.g. Asia/Shanghai)"
        ))
    })?;
    let platform =
        crate::domain::order::normalise_platform(request.platform.as_deref().unwrap_or(""))
            .map_err(|error| PolicyError(format!("platform: {error}")))?;
    let moment = |field: &str, value: &Option<String>| -> Result<Option<Zoned>, PolicyError> {
        match value {
            None => Ok(None),
            Some(text) => crate::domain::time::parse_time(text, &zone)
                .and_then(|micros| {
                    Timestamp::from_microsecond(micros).map_err(|error| error.to_string())
                })
                .map(|timestamp| Some(timestamp.to_zoned(zone.clone())))
                .map_err(|error| PolicyError(format!("{field}: {error}"))),
        }
    };
    let given = &request.dates;
    let mut last_item_delivered: Option<Zoned> = None;
    let mut first_item_delivered: Option<Zoned> = None;
    for (index, item) in request.items.iter().enumerate() {
        let delivered = moment(&format!("items[{index}].delivered"), &item.delivered)?;
        if let Some(delivered) = delivered.as_ref().filter(|delivered| {
            first_item_delivered
                .as_ref()
                .is_none_or(|first| *delivered < first)
        }) {
            first_item_delivered = Some(delivered.clone());
        }
        if let Some(delivered) = delivered.filter(|delivered| {
            last_item_delivered
                .as_ref()
                .is_none_or(|last| delivered > last)
        }) {
            last_item_delivered = Some(delivered);
        }
    }
    let dates = Moments {
        ordered: moment("dates.ordered", &given.ordered)?,
        paid: moment("dates.paid", &given.paid)?,
        shipped: moment("dates.shipped", &given.shipped)?,
        signed: moment("dates.signed", &given.signed)?,
        invoiced: moment("dates.invoiced", &given.invoiced)?,
        requested: moment("dates.requested", &given.requested)?,
        fault_found: moment("dates.fault_found", &given.fault_found)?,
        request_processed: moment("dates.request_processed", &given.request_processed)?,
        return_shipped: moment("dates.return_shipped", &given.return_shipped)?,
        return_received: moment("dates.return_received", &given.return_received)?,
        refunded: moment("dates.refunded", &given.refunded)?,
        repair_started: moment("dates.repair_started", &given.repair_started)?,
        repair_returned: moment("dates.repair_returned", &given.repair_returned)?,
        exchanged: moment("dates.exchanged", &given.exchanged)?,
        cancelled: moment("dates.cancelled", &given.cancelled)?,
        rejected: moment("dates.rejected", &given.rejected)?,
        intervention_requested: moment(
            "dates.intervention_requested",
            &given.intervention_requested,
        )?,
        dispute_opened: moment("dates.dispute_opened", &given.dispute_opened)?,
        evidence_requested: moment("dates.evidence_requested", &given.evidence_requested)?,
        platform_decided: moment("dates.platform_decided", &given.platform_decided)?,
        dispute_closed: moment("dates.dispute_closed", &given.dispute_closed)?,
        suspended: moment("dates.suspended", &given.suspended)?,
        withdrawal_information_given: moment(
            "dates.withdrawal_information_given",
            &given.withdrawal_information_given,
        )?,
        refund_agreed: moment("dates.refund_agreed", &given.refund_agreed)?,
        merchant_answered: moment("dates.merchant_answered", &given.merchant_answered)?,
        evidence_supplied: moment("dates.evidence_supplied", &given.evidence_supplied)?,
        ship_by: moment("dates.ship_by", &given.ship_by)?,
        delay_notified: moment("dates.delay_notified", &given.delay_notified)?,
        revised_ship_by: moment("dates.revised_ship_by", &given.revised_ship_by)?,
        last_item_delivered,
        first_item_delivered,
    };
    let as_of = match moment("dates.as_of", &given.as_of)? {
        Some(as_of) => as_of,
        None => dates
            .requested
            .clone()
            .unwrap_or_else(|| now.to_zoned(zone.clone())),
    };
    settlement::currency_of(request)
        .map_err(|error| PolicyError(format!("money.currency: {error}")))?;
    // Reads every amount now, so a bad one is reported even when no refund is due.
    settlement::refund(request, settlement::Settlement::NoReason).map_err(PolicyError)?;
    for (index, item) in request.items.iter().enumerate() {
        if item.sealed == Some(true) && item.shows(request::Condition::SealBroken) {
            return Err(PolicyError(format!(
                "items[{index}]: \"sealed\": true and \"condition\": [\"seal_broken\"] say opposite things; give one (\"sealed\": false is the same as seal_broken)"
            )));
        }
        if item.quantity == 0 {
            return Err(PolicyError(format!(
                "items[{index}].quantity must be at least 1"
            )));
        }
        if item
            .return_quantity
            .is_some_and(|count| count > item.quantity)
        {
            return Err(PolicyError(format!(
                "items[{index}].return_quantity ({}) is more than its quantity ({})",
                item.return_quantity.unwrap_or(0),
                item.quantity
            )));
        }
    }
    if let Some(dispute) = &request.dispute {
        request::check_dispute(dispute, &request.facts).map_err(PolicyError)?;
    }
    let calendar = match request.jurisdiction {
        Jurisdiction::CN => WorkingCalendar::china(),
        Jurisdiction::US => WorkingCalendar::united_states(),
        _ => WorkingCalendar::weekends_only(),
    };
    let no_reason_days = shop::no_reason_days(request);
    Ok(Context {
        request,
        zone,
        calendar,
        platform,
        dates,
        as_of,
        no_reason_days,
    })
}

/// The findings against a shop's policy by itself (a window shorter than the law, an
/// exclusion the law does not allow); empty when it is lawful.
pub fn check_shop_policy(
    jurisdiction: Jurisdiction,
    policy: &request::ShopPolicy,
) -> Vec<decision::Finding> {
    let mut builder = Builder::default();
    shop::policy_findings(jurisdiction, policy, &mut builder);
    builder.findings
}

/// Reads one request from JSON, with an error that names the field's path.
pub fn read_request(value: serde_json::Value) -> Result<PolicyRequest, PolicyError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        if path == "." {
            PolicyError(error.inner().to_string())
        } else {
            PolicyError(format!("{path}: {}", error.inner()))
        }
    })
}

/// Decides a JSON request, or an array of them, into pretty JSON. A request that cannot be read
/// becomes `{"error": {"code": "invalid_request", "message": …}}` in its place, so one bad
/// request in an array loses none of the others. The flag says whether all were decided.
pub fn evaluate_json(input: &str, now: Timestamp) -> (String, bool) {
    #[derive(serde::Serialize)]
    #[serde(untagged)]
    enum Outcome {
        Decided(Box<Decision>),
        Failed { error: Failure },
    }
    #[derive(serde::Serialize)]
    struct Failure {
        code: &'static str,
        message: String,
    }
    let one = |value: serde_json::Value| match read_request(value)
        .and_then(|request| evaluate(&request, now))
    {
        Ok(decision) => Outcome::Decided(Box::new(decision)),
        Err(error) => Outcome::Failed {
            error: Failure {
                code: "invalid_request",
                message: error.0,
            },
        },
    };
    let failed = |outcome: &Outcome| matches!(outcome, Outcome::Failed { .. });
    let (text, all_decided) = match serde_json::from_str::<serde_json::Value>(input) {
        Err(error) => {
            let outcome = Outcome::Failed {
                error: Failure {
                    code: "invalid_request",
                    message: format!("the input is not JSON: {error}"),
                },
            };
            (serde_json::to_string_pretty(&outcome), false)
        }
        Ok(serde_json::Value::Array(requests)) => {
            let outcomes: Vec<Outcome> = requests.into_iter().map(one).collect();
            let all = !outcomes.iter().any(failed);
            (serde_json::to_string_pretty(&outcomes), all)
        }
        Ok(request) => {
            let outcome = one(request);
            let all = !failed(&outcome);
            (serde_json::to_string_pretty(&outcome), all)
        }
    };
    (text.unwrap_or_default(), all_decided)
}
