//! Satisfaction surveys (docs/MANAGEMENT.md): a round drawn once per shop and period (by a
//! supervisor, or by itself when the period ends), each sampled customer asked by a signed link
//! (e-mail, text message) or by phone, answered once; milestone surveys some days after a
//! replacement or repaired item arrived; the results with the stratified estimate.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::db::shops::{Actor, Shop};
use crate::db::surveys::{self, Filter, NewRound, NewSurvey, RoundRecord, SurveyRecord};
use crate::db::{Database, Transaction, cases, outbox};
use crate::domain::Role;
use crate::domain::permissions::Capability;
use crate::domain::surveys::{
    Answered, Candidate, Estimate, Period, QuestionKind, Stratum, SurveySettings,
};
use crate::error::{AppError, AppResult};

const DAY: i64 = 24 * 3_600_000_000;

/// The longest comment kept, in characters.
pub const COMMENT_LIMIT: usize = 2000;

#[derive(Debug, Serialize, ToSchema)]
pub struct Round {
    pub id: String,
    /// 2026-11 or 2026-W47.
    pub period: String,
    /// The period's first day and the day after its last, in the shop's zone.
    pub first_day: String,
    pub end_day: String,
    /// Cases that ended in the period, not cancelled, before the exclusions.
    pub ended: i64,
    pub strata: Vec<Stratum>,
    pub sampled: u64,
    /// The seed the sample was drawn with (the same seed draws the same sample).
    pub seed: i64,
    pub drawn_by: Option<String>,
    pub drawn_at: String,
}

fn round_view(shop: &Shop, round: RoundRecord) -> Round {
    let day = |micros| crate::domain::time::local_date(micros, &shop.time_zone).to_string();
    Round {
        sampled: round.strata.iter().map(|stratum| stratum.sampled).sum(),
        first_day: day(round.starts_at),
        end_day: day(round.ends_at),
        drawn_at: crate::domain::time::format_in_zone(round.drawn_at, &shop.time_zone),
        id: round.id,
        period: round.period,
        ended: round.ended,
        strata: round.strata,
        seed: round.seed,
        drawn_by: round.drawn_by,
    }
}

/// The period named (2026-11, 2026-W47), or the one before today's by the shop's cadence; it
/// must be over.
fn period_of(
    database: &Database,
    shop: &Shop,
    settings: &SurveySettings,
    name: Option<&str>,
) -> AppResult<Period> {
    let today = crate::domain::time::local_date(database.clock.now(), &shop.time_zone);
    let period = named_or_previous(settings, name, today)?;
    if period.end > today {
        return Err(AppError::invalid(
            "period",
            format!(
                "{} is not over yet: a round can be drawn from {}",
                period.name(),
                period.end
            ),
        ));
    }
    Ok(period)
}

/// The period named, or the one before `today`'s by the shop's cadence.
fn named_or_previous(
    settings: &SurveySettings,
    name: Option<&str>,
    today: jiff::civil::Date,
) -> AppResult<Period> {
    match name.map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) => parse_period(name),
        None => Period::previous(settings.cadence, today)
            .ok_or_else(|| AppError::invalid("period", "no period before today")),
    }
}

/// The customers asked within the quiet days: not to be asked again yet.
async fn quiet_customers(
    database: &Database,
    shop: &Shop,
    settings: &SurveySettings,
    now: i64,
) -> Result<HashSet<String>, sqlx::Error> {
    let since = now - i64::from(settings.quiet_days()) * DAY;
    Ok(
        surveys::surveyed_customers(&database.reader, &shop.id, since)
            .await?
            .into_iter()
            .collect(),
    )
}

/// The period a name gives (2026-11, 2026-W47), or a sentence saying what to type.
fn parse_period(name: &str) -> AppResult<Period> {
    Period::parse(name).ok_or_else(|| {
        AppError::invalid(
            "period",
            format!("'{name}' is not a month like 2026-11 or a week like 2026-W47"),
        )
    })
}

fn micros_at(day: jiff::civil::Date, shop: &Shop) -> i64 {
    crate::domain::time::start_of_day(day, &shop.time_zone)
}

/// Draws the period's round: the cases that ended in it (not cancelled), without customers
/// surveyed within the quiet days, one case per customer, sampled at random within strata of
/// kind and channel. A period is drawn once: asked again, the round drawn before is returned
/// (with `false`). The sampled customers are asked at once.
pub async fn draw(
    database: &Database,
    shop: &Shop,
    drawn_by: Option<&Actor>,
    period: Option<&str>,
    seed: Option<u64>,
) -> AppResult<(Round, bool)> {
    if let Some(actor) = drawn_by {
        AppError::require(actor.role, Capability::DrawSurveys)?;
    }
    let settings = crate::db::settings::get(database, &shop.id).await?;
    let settings = &settings.surveys;
    let period = period_of(database, shop, settings, period)?;
    let name = period.name();
    if let Some(round) = surveys::round(&database.reader, &shop.id, &name).await? {
        return Ok((round_view(shop, round), false));
    }
    let now = database.clock.now();
    let (start, end) = (micros_at(period.first, shop), micros_at(period.end, shop));
    let ended = surveys::ended_cases(&database.reader, &shop.id, start, end).await?;
    let quiet = quiet_customers(database, shop, settings, now).await?;
    let candidates: Vec<Candidate> = ended
        .iter()
        .map(|case| Candidate {
            case_id: case.id.clone(),
            customer: case.customer_key.clone(),
            stratum: format!("{}/{}", case.kind, case.channel),
        })
        .collect();
    let seed = seed.unwrap_or_else(rand::random::<u64>) >> 1;
    let sample = crate::domain::surveys::draw(&candidates, &quiet, settings, seed);
    let mut transaction = database.begin().await?;
    let Some(round_id) = surveys::insert_round(
        &mut transaction,
        &NewRound {
            shop_id: &shop.id,
            period: &name,
            starts_at: start,
            ends_at: end,
            ended: ended.len() as i64,
            strata: &sample.strata,
            seed: seed as i64,
            drawn_by: drawn_by.and_then(|actor| actor.staff_id.as_deref()),
            now,
        },
    )
    .await?
    else {
        // Another request or instance drew it a moment ago.
        transaction.rollback().await?;
        let round = surveys::round(&database.reader, &shop.id, &name)
            .await?
            .ok_or(AppError::NotFound("survey round"))?;
        return Ok((round_view(shop, round), false));
    };
    for chosen in &sample.chosen {
        ask(
            &mut transaction,
            shop,
            &NewSurvey {
                shop_id: &shop.id,
                round_id: Some(&round_id),
                case_id: &chosen.case_id,
                customer_key: &chosen.customer,
                reason: "sample",
                stratum: &chosen.stratum,
                ask_by: settings.ask_by.as_str(),
                now,
                send_at: now,
                expires_at: now + i64::from(settings.answer_days()) * DAY,
            },
        )
        .await?;
    }
    transaction.commit().await?;
    let round = surveys::round(&database.writer, &shop.id, &name)
        .await?
        .ok_or(AppError::NotFound("survey round"))?;
    Ok((round_view(shop, round), true))
}

/// Records a survey; one asked by link goes out at once (the outbox), one by phone waits for an
/// agent's call.
async fn ask(transaction: &mut Transaction, shop: &Shop, survey: &NewSurvey<'_>) -> AppResult<()> {
    let Some(id) = surveys::insert(transaction, survey).await? else {
        return Ok(());
    };
    if survey.ask_by == "link" {
        surveys::mark_sent(transaction, &id).await?;
        outbox::insert(
            transaction,
            &outbox::NewMessage {
                shop_id: &shop.id,
                case_id: Some(survey.case_id),
                audience: "survey",
                topic: "survey.sent",
                payload: &json!({ "survey_id": id }),
                now: survey.now,
            },
        )
        .await?;
    }
    Ok(())
}

/// What the hourly sweep does for surveys: each shop with surveys on gets the round of the
/// period just over; milestone surveys go out the set number of days after a replacement or
/// repaired item was delivered; links past their last day expire.
pub async fn sweep(database: &Database, now: i64) -> anyhow::Result<()> {
    for (shop_id, settings) in crate::db::settings::with_surveys(&database.reader).await? {
        let Some(shop) = crate::db::shops::find_shop_by_id(&database.reader, &shop_id).await?
        else {
            continue;
        };
        if settings.enabled {
            let today = crate::domain::time::local_date(now, &shop.time_zone);
            if let Some(period) = Period::previous(settings.cadence, today)
                && surveys::round(&database.reader, &shop.id, &period.name())
                    .await?
                    .is_none()
            {
                draw(database, &shop, None, Some(&period.name()), None)
                    .await
                    .map_err(|error| anyhow::anyhow!("{error}"))?;
            }
        }
        if let Some(days) = settings.milestone_days {
            milestones(database, &shop, &settings, now, i64::from(days)).await?;
        }
    }
    surveys::expire(&database.writer, now).await?;
    Ok(())
}

/// Milestone surveys for the shop's items delivered `days` ago (up to 30 days late, so a pause
/// of the server misses none), each customer not asked within the quiet days.
async fn milestones(
    database: &Database,
    shop: &Shop,
    settings: &SurveySettings,
    now: i64,
    days: i64,
) -> anyhow::Result<()> {
    let until = now - days * DAY;
    let delivered =
        surveys::delivered_items(&database.reader, &shop.id, until - 30 * DAY, until, 500).await?;
    if delivered.is_empty() {
        return Ok(());
    }
    let quiet = quiet_customers(database, shop, settings, now).await?;
    let mut asked = HashSet::new();
    let mut transaction = database.begin().await?;
    for item in &delivered {
        if quiet.contains(&item.customer_key) || !asked.insert(item.customer_key.clone()) {
            continue;
        }
        ask(
            &mut transaction,
            shop,
            &NewSurvey {
                shop_id: &shop.id,
                round_id: None,
                case_id: &item.case_id,
                customer_key: &item.customer_key,
                reason: "milestone",
                stratum: &format!("{}/{}", item.kind, item.channel),
                ask_by: settings.ask_by.as_str(),
                now,
                send_at: now,
                expires_at: now + i64::from(settings.answer_days()) * DAY,
            },
        )
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    }
    transaction.commit().await?;
    Ok(())
}

/// An answer to a survey: the score, a comment, the shop's own questions by key.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    /// 1 to 5.
    pub score: Option<i64>,
    #[serde(default)]
    pub comment: Option<String>,
    /// The shop's questions by key: 1–5 for a score, "yes"/"no", or text.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub answers: BTreeMap<String, Value>,
}

/// Why an answer was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// A field to fix: its name and the message key (`survey-…`).
    Invalid(String, &'static str),
    /// Answered already (the link is single-use).
    Answered,
    /// Past its last day.
    Expired,
}

/// Records the answer once, on the survey and on the case's timeline: by the customer through
/// the link, or by an agent who called them (`actor`).
pub async fn answer(
    database: &Database,
    shop: &Shop,
    survey: &SurveyRecord,
    input: &AnswerInput,
    actor: Option<&Actor>,
) -> AppResult<Result<(), Refused>> {
    if let Some(actor) = actor {
        AppError::require(actor.role, Capability::EditCases)?;
    }
    let now = database.clock.now();
    if survey.state == "answered" {
        return Ok(Err(Refused::Answered));
    }
    if survey.state == "expired" || survey.expires_at <= now {
        return Ok(Err(Refused::Expired));
    }
    let Some(score) = input.score.filter(|score| (1..=5).contains(score)) else {
        return Ok(Err(Refused::Invalid("score".into(), "survey-score-needed")));
    };
    let comment: String = input
        .comment
        .as_deref()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(COMMENT_LIMIT)
        .collect();
    let settings = crate::db::settings::get(database, &shop.id).await?;
    let answers = match checked_answers(&settings.surveys, &input.answers) {
        Ok(answers) => answers,
        Err(refused) => return Ok(Err(refused)),
    };
    let via = if actor.is_some() { "phone" } else { "link" };
    let mut transaction = database.begin().await?;
    if !surveys::answer(
        &mut transaction,
        &shop.id,
        &survey.id,
        &surveys::Answer {
            score,
            comment: &comment,
            answers: &answers,
            via,
            by: actor.and_then(|actor| actor.staff_id.as_deref()),
            now,
        },
    )
    .await?
    {
        transaction.rollback().await?;
        return Ok(Err(Refused::Answered));
    }
    cases::insert_event(
        &mut transaction,
        &cases::NewEvent {
            shop_id: &shop.id,
            case_id: &survey.case_id,
            at: now,
            actor_role: actor.map(|actor| actor.role).unwrap_or(Role::Customer),
            actor_id: actor.and_then(|actor| actor.staff_id.as_deref()),
            action: "survey_answered",
            from_status: None,
            to_status: None,
            data: json!({ "survey_id": survey.id, "score": score, "comment": comment, "via": via }),
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(Ok(()))
}

/// The answers to the shop's own questions, each checked by its kind; unknown keys refused.
fn checked_answers(
    settings: &SurveySettings,
    given: &BTreeMap<String, Value>,
) -> Result<Value, Refused> {
    let mut kept = serde_json::Map::new();
    for (key, value) in given {
        let Some(question) = settings.questions.iter().find(|q| &q.key == key) else {
            return Err(Refused::Invalid(key.clone(), "survey-unknown-question"));
        };
        let text = match value {
            Value::String(text) => text.trim().to_string(),
            Value::Number(number) => number.to_string(),
            Value::Null => continue,
            _ => return Err(Refused::Invalid(key.clone(), "survey-answer-invalid")),
        };
        if text.is_empty() {
            continue;
        }
        let answer = match question.kind {
            QuestionKind::Score => match text.parse::<i64>() {
                Ok(score @ 1..=5) => json!(score),
                _ => return Err(Refused::Invalid(key.clone(), "survey-answer-score")),
            },
            QuestionKind::YesNo => match text.as_str() {
                "yes" | "no" => json!(text),
                _ => return Err(Refused::Invalid(key.clone(), "survey-answer-yes-no")),
            },
            QuestionKind::Text => json!(text.chars().take(COMMENT_LIMIT).collect::<String>()),
        };
        kept.insert(key.clone(), answer);
    }
    Ok(Value::Object(kept))
}

/// A survey as the API lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyView {
    pub id: String,
    pub case_id: String,
    pub case_number: String,
    /// sample or milestone.
    pub reason: String,
    pub stratum: String,
    /// link or phone.
    pub ask_by: String,
    /// waiting (to be called), sent, answered, expired.
    pub state: String,
    pub score: Option<i64>,
    pub comment: Option<String>,
    #[schema(value_type = Object)]
    pub answers: Value,
    /// link or phone.
    pub answered_via: Option<String>,
    pub answered_by: Option<String>,
    pub created_at: String,
    pub expires_at: String,
    pub answered_at: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

pub fn view(shop: &Shop, survey: &SurveyRecord) -> SurveyView {
    let time = |micros| crate::domain::time::format_in_zone(micros, &shop.time_zone);
    SurveyView {
        id: survey.id.clone(),
        case_id: survey.case_id.clone(),
        case_number: survey.case_number.clone(),
        reason: survey.reason.clone(),
        stratum: survey.stratum.clone(),
        ask_by: survey.ask_by.clone(),
        state: survey.state.clone(),
        score: survey.score,
        comment: survey.comment.clone(),
        answers: survey.answers.clone(),
        answered_via: survey.answered_via.clone(),
        answered_by: survey.answered_by.clone(),
        created_at: time(survey.created_at),
        expires_at: time(survey.expires_at),
        answered_at: survey.answered_at.map(time),
        contact_name: survey.contact_name.clone(),
        contact_phone: survey.contact_phone.clone(),
    }
}

/// The most surveys one list or results read.
const LIMIT: i64 = 100_000;

/// The surveys of a period's round and its milestone surveys (or of one case), by state.
pub async fn list(
    database: &Database,
    actor: &Actor,
    period: Option<&str>,
    state: Option<&str>,
) -> AppResult<Vec<SurveyRecord>> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("surveys are for staff".into()));
    }
    if let Some(state) = state
        && !matches!(state, "waiting" | "sent" | "answered" | "expired")
    {
        return Err(AppError::invalid(
            "state",
            format!("unknown state '{state}'; use waiting, sent, answered or expired"),
        ));
    }
    let (round, milestones) = scope(database, &actor.shop, period).await?;
    let mut found = Vec::new();
    if let Some(round) = &round {
        let filter = Filter {
            round_id: Some(&round.id),
            state,
            ..Filter::default()
        };
        found = surveys::list(&database.reader, &actor.shop.id, &filter, LIMIT).await?;
    }
    let filter = Filter {
        milestones_between: Some(milestones),
        state,
        ..Filter::default()
    };
    found.extend(surveys::list(&database.reader, &actor.shop.id, &filter, LIMIT).await?);
    Ok(found)
}

/// The round of the period and the period's span (for its milestone surveys).
async fn scope(
    database: &Database,
    shop: &Shop,
    period: Option<&str>,
) -> AppResult<(Option<RoundRecord>, (i64, i64))> {
    let settings = crate::db::settings::get(database, &shop.id).await?;
    let today = crate::domain::time::local_date(database.clock.now(), &shop.time_zone);
    let period = named_or_previous(&settings.surveys, period, today)?;
    let round = surveys::round(&database.reader, &shop.id, &period.name()).await?;
    Ok((
        round,
        (micros_at(period.first, shop), micros_at(period.end, shop)),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Results {
    pub period: String,
    /// The round drawn for the period, if it was.
    pub round: Option<Round>,
    /// Surveys of the round: sent (or to be called) and answered.
    pub sampled: u64,
    pub answered: u64,
    /// Answers as a share of the sampled, in basis points (1 % = 100).
    pub response_rate_bp: Option<i64>,
    /// The mean score over the strata with its 95 % interval.
    pub estimate: Option<Estimate>,
    /// How many answers gave each score, 1 to 5.
    pub distribution: Vec<u64>,
    pub by_kind: Vec<Group>,
    pub by_reason: Vec<Group>,
    pub by_agent: Vec<Group>,
    pub by_product: Vec<Group>,
    /// The shop's own questions: answers, the mean of a score, the share of yes.
    pub questions: Vec<QuestionResult>,
    /// Milestone surveys sent in the period.
    pub milestones: Group,
    /// Every comment, the newest first.
    pub comments: Vec<Comment>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Group {
    pub key: Option<String>,
    /// The reason's, agent's or product's name.
    pub name: Option<String>,
    pub sampled: u64,
    pub answered: u64,
    /// The simple mean of the group's answers with its 95 % interval (Student's t).
    pub estimate: Option<Estimate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionResult {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub kind: QuestionKind,
    pub answers: u64,
    /// A score question's mean.
    pub mean: Option<f64>,
    /// A yes/no question's share of yes, in basis points.
    pub yes_bp: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Comment {
    pub case_id: String,
    pub case_number: String,
    pub score: i64,
    pub comment: String,
    pub answered_at: String,
    pub reason: String,
}

/// The period's results (its round, and its milestone surveys apart).
pub async fn results(
    database: &Database,
    actor: &Actor,
    period: Option<&str>,
) -> AppResult<Results> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("survey results are for staff".into()));
    }
    let shop = &actor.shop;
    let (round, milestone_span) = scope(database, shop, period).await?;
    let period_name = match (&round, period) {
        (Some(round), _) => round.period.clone(),
        (None, Some(name)) => Period::parse(name).map(|p| p.name()).unwrap_or_default(),
        (None, None) => String::new(),
    };
    let sampled = match &round {
        Some(round) => {
            let filter = Filter {
                round_id: Some(&round.id),
                ..Filter::default()
            };
            surveys::list(&database.reader, &shop.id, &filter, LIMIT).await?
        }
        None => Vec::new(),
    };
    let milestones = surveys::list(
        &database.reader,
        &shop.id,
        &Filter {
            milestones_between: Some(milestone_span),
            ..Filter::default()
        },
        LIMIT,
    )
    .await?;
    let settings = crate::db::settings::get(database, &shop.id).await?;
    let staff = crate::db::cost_reports::staff_names(&database.reader, &shop.id).await?;
    let reasons = crate::db::shops::list_reasons(&database.reader, &shop.id).await?;
    let answered: Vec<&SurveyRecord> = sampled.iter().filter(|s| s.score.is_some()).collect();
    let strata: Vec<Answered> = round
        .as_ref()
        .map(|round| {
            round
                .strata
                .iter()
                .map(|stratum| Answered {
                    population: stratum.population,
                    scores: answered
                        .iter()
                        .filter(|s| s.stratum == stratum.stratum)
                        .filter_map(|s| s.score.map(|score| score as u8))
                        .collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut distribution = vec![0u64; 5];
    for survey in &answered {
        if let Some(score) = survey.score {
            distribution[(score.clamp(1, 5) - 1) as usize] += 1;
        }
    }
    let reason_name = |code: &str| crate::db::shops::reason_name(&reasons, code, &shop.locale);
    let agent_name = |id: &str| {
        staff
            .iter()
            .find(|(staff_id, _)| staff_id == id)
            .map(|(_, name)| name.clone())
    };
    let mut comments: Vec<Comment> = sampled
        .iter()
        .chain(&milestones)
        .filter_map(|survey| {
            let comment = survey.comment.clone().filter(|c| !c.is_empty())?;
            Some(Comment {
                case_id: survey.case_id.clone(),
                case_number: survey.case_number.clone(),
                score: survey.score?,
                comment,
                answered_at: crate::domain::time::format_in_zone(
                    survey.answered_at.unwrap_or_default(),
                    &shop.time_zone,
                ),
                reason: survey.reason.clone(),
            })
        })
        .collect();
    comments.sort_by(|a, b| b.answered_at.cmp(&a.answered_at));
    let questions = settings
        .surveys
        .questions
        .iter()
        .map(|question| {
            let given: Vec<&Value> = sampled
                .iter()
                .filter_map(|survey| survey.answers.get(&question.key))
                .collect();
            let numbers: Vec<f64> = given.iter().filter_map(|v| v.as_f64()).collect();
            let yes = given.iter().filter(|v| v.as_str() == Some("yes")).count() as i64;
            QuestionResult {
                key: question.key.clone(),
                zh: question.zh.clone(),
                en: question.en.clone(),
                kind: question.kind,
                answers: given.len() as u64,
                mean: (question.kind == QuestionKind::Score && !numbers.is_empty())
                    .then(|| numbers.iter().sum::<f64>() / numbers.len() as f64),
                yes_bp: (question.kind == QuestionKind::YesNo && !given.is_empty())
                    .then(|| yes * 10_000 / given.len() as i64),
            }
        })
        .collect();
    let total = sampled.len() as u64;
    Ok(Results {
        period: period_name,
        sampled: total,
        answered: answered.len() as u64,
        response_rate_bp: (total > 0).then(|| answered.len() as i64 * 10_000 / total as i64),
        estimate: crate::domain::surveys::estimate(&strata),
        distribution,
        by_kind: groups(&sampled, |s| Some(s.case_kind.clone()), |_| None),
        by_reason: groups(&sampled, |s| Some(s.reason_code.clone()), reason_name),
        by_agent: groups(&sampled, |s| s.assignee_id.clone(), agent_name),
        by_product: groups(
            &sampled,
            |s| s.sku.clone(),
            |sku| {
                sampled
                    .iter()
                    .find(|s| s.sku.as_deref() == Some(sku))
                    .and_then(|s| s.product_name.clone())
            },
        ),
        questions,
        milestones: {
            let mut all = groups(&milestones, |_| Some("milestone".into()), |_| None);
            all.pop().unwrap_or(Group {
                key: Some("milestone".into()),
                name: None,
                sampled: 0,
                answered: 0,
                estimate: None,
            })
        },
        comments,
        round: round.map(|round| round_view(shop, round)),
    })
}

/// The surveys grouped by `key`, each group's simple mean and interval; the largest first.
fn groups(
    surveys: &[SurveyRecord],
    key: impl Fn(&SurveyRecord) -> Option<String>,
    name: impl Fn(&str) -> Option<String>,
) -> Vec<Group> {
    let mut grouped: BTreeMap<Option<String>, Vec<&SurveyRecord>> = BTreeMap::new();
    for survey in surveys {
        grouped.entry(key(survey)).or_default().push(survey);
    }
    let mut groups: Vec<Group> = grouped
        .into_iter()
        .map(|(key, members)| {
            let scores: Vec<u8> = members
                .iter()
                .filter_map(|s| s.score.map(|score| score as u8))
                .collect();
            Group {
                name: key.as_deref().and_then(&name),
                sampled: members.len() as u64,
                answered: scores.len() as u64,
                estimate: crate::domain::surveys::estimate(&[Answered {
                    population: u64::MAX,
                    scores,
                }]),
                key,
            }
        })
        .collect();
    groups.sort_by(|a, b| b.sampled.cmp(&a.sampled).then(a.key.cmp(&b.key)));
    groups
}

/// The survey a signed link names, if the link is genuine and for this shop.
pub async fn from_link(
    database: &Database,
    shop: &Shop,
    token: &str,
) -> AppResult<Option<SurveyRecord>> {
    match crate::operations::portal_tokens::verify_survey(database, &shop.id, token).await? {
        Some(id) => Ok(surveys::get(&database.reader, &shop.id, &id).await?),
        None => Ok(None),
    }
}

/// One survey of the shop, for staff.
pub async fn get(database: &Database, actor: &Actor, id: &str) -> AppResult<SurveyRecord> {
    if !actor.role.is_staff() {
        return Err(AppError::Forbidden("surveys are for staff".into()));
    }
    surveys::get(&database.reader, &actor.shop.id, id)
        .await?
        .ok_or(AppError::NotFound("survey"))
}

const HEADER: [&str; 11] = [
    "case",
    "reason",
    "stratum",
    "ask_by",
    "state",
    "score",
    "comment",
    "answers",
    "answered_via",
    "created_at",
    "answered_at",
];

/// One row per survey, as the list shows it.
fn rows(shop: &Shop, found: &[SurveyRecord]) -> Vec<[String; 11]> {
    found
        .iter()
        .map(|survey| {
            let view = view(shop, survey);
            [
                view.case_number,
                view.reason,
                view.stratum,
                view.ask_by,
                view.state,
                view.score.map(|s| s.to_string()).unwrap_or_default(),
                view.comment.unwrap_or_default(),
                match &view.answers {
                    Value::Object(map) if map.is_empty() => String::new(),
                    answers => answers.to_string(),
                },
                view.answered_via.unwrap_or_default(),
                view.created_at,
                view.answered_at.unwrap_or_default(),
            ]
        })
        .collect()
}

/// The surveys as CSV (UTF-8 with a BOM).
pub fn csv(shop: &Shop, found: &[SurveyRecord]) -> String {
    super::exports::csv(HEADER, &rows(shop, found))
}

/// The surveys as XLSX, the score as a number.
pub fn xlsx(shop: &Shop, found: &[SurveyRecord]) -> AppResult<Vec<u8>> {
    super::exports::xlsx("满意度调查 Surveys", HEADER, &rows(shop, found), &[5])
}
