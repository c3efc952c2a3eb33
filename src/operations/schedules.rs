//! Scheduled reports (docs/MANAGEMENT.md, "Scheduled reports"): once the week or month is
//! over and the shop's hour has come, its KPIs — the dashboard's figures for that period — go
//! to the managers by e-mail with the agents' table attached as CSV. Each period's report is
//! recorded with its outbox row in one transaction, so it goes out once, whichever instance
//! sweeps first.

use base64::Engine;
use serde_json::json;

use crate::db::shops::{Actor, Shop};
use crate::db::{Database, outbox, report_runs, settings};
use crate::domain::Role;
use crate::domain::reports::{self, Period, ReportSettings, Schedule};
use crate::i18n::Language;
use crate::operations::kpis::{self, KpiReport};

/// Sends the reports due at `now`; returns how many went out.
pub async fn sweep(database: &Database, now: i64) -> anyhow::Result<usize> {
    let mut sent = 0;
    for (shop_id, settings) in settings::with_reports(&database.reader).await? {
        let Some(shop) = crate::db::shops::find_shop_by_id(&database.reader, &shop_id).await?
        else {
            continue;
        };
        let local = jiff::Timestamp::from_microsecond(now)?
            .to_zoned(shop.time_zone.clone())
            .datetime();
        let Some(period) = reports::due(&settings, local) else {
            continue;
        };
        if report_runs::sent(&database.reader, &shop.id, &period.key).await? {
            continue;
        }
        if send(database, &shop, &settings, &period, now).await? {
            sent += 1;
        }
    }
    Ok(sent)
}

async fn send(
    database: &Database,
    shop: &Shop,
    settings: &ReportSettings,
    period: &Period,
    now: i64,
) -> anyhow::Result<bool> {
    let actor = Actor {
        shop: shop.clone(),
        role: Role::Admin,
        staff_id: None,
    };
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let report = kpis::report(database, &actor, Some(&from), Some(&to), Some("day"))
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    let language = Language::parse(&shop.locale).unwrap_or(Language::Chinese);
    let payload = json!({
        "period": period.key,
        "recipients": settings.recipients.iter().map(|address| address.trim()).collect::<Vec<_>>(),
        "subject": subject(language, shop, settings.schedule, period),
        "paragraphs": paragraphs(language, &report),
        "link": format!("/console/dashboard?from={from}&to={to}"),
        "attachment": {
            "name": format!("kpis-{from}-{to}.csv"),
            "content_type": "text/csv; charset=utf-8",
            "base64": base64::engine::general_purpose::STANDARD.encode(kpis::csv(&report)),
        },
    });
    let mut transaction = database.begin().await?;
    if !report_runs::insert(&mut transaction, &shop.id, &period.key, now).await? {
        return Ok(false);
    }
    outbox::insert(
        &mut transaction,
        &outbox::NewMessage {
            shop_id: &shop.id,
            case_id: None,
            audience: "report",
            topic: "report.scheduled",
            payload: &payload,
            now,
        },
    )
    .await?;
    transaction.commit().await?;
    Ok(true)
}

fn subject(language: Language, shop: &Shop, schedule: Schedule, period: &Period) -> String {
    let key = match schedule {
        Schedule::Monthly => "mail-report-monthly-subject",
        _ => "mail-report-weekly-subject",
    };
    let span = format!("{} – {}", period.from, period.to);
    language.text_args(key, &[("shop", shop.name.as_str()), ("text", &span)])
}

/// The period's figures in sentences, as the dashboard shows them.
fn paragraphs(language: Language, report: &KpiReport) -> Vec<String> {
    let figures = &report.totals.figures;
    let none = language.text("mail-report-none");
    let minutes = |value: Option<f64>| {
        value
            .map(|minutes| language.duration(minutes))
            .unwrap_or_else(|| none.clone())
    };
    let share = |basis_points: Option<i64>| {
        basis_points
            .map(|bp| format!("{}.{:02} %", bp / 100, bp % 100))
            .unwrap_or_else(|| none.clone())
    };
    let mean = |value: Option<f64>, count: u64| match value {
        Some(mean) => format!("{mean:.2} ({count})"),
        None => none.clone(),
    };
    let satisfaction = &report.totals.satisfaction;
    let refunded = report
        .totals
        .refunded
        .iter()
        .map(|money| crate::domain::money::written(money.amount_minor, &money.currency))
        .collect::<Vec<_>>()
        .join(" + ");
    vec![
        language.text_args(
            "mail-report-cases",
            &[
                ("n", &figures.opened.to_string()),
                ("cases", &figures.ended.to_string()),
            ],
        ),
        language.text_args(
            "mail-report-speed",
            &[
                ("text", &minutes(figures.first_response.median_minutes)),
                ("detail", &minutes(figures.resolution.median_minutes)),
            ],
        ),
        language.text_args(
            "mail-report-sla",
            &[
                ("text", &share(figures.sla_attainment_bp)),
                ("detail", &share(figures.reopen_rate_bp)),
            ],
        ),
        language.text_args(
            "mail-report-satisfaction",
            &[
                (
                    "text",
                    &mean(satisfaction.survey_mean, satisfaction.surveys),
                ),
                (
                    "detail",
                    &mean(satisfaction.rating_mean, satisfaction.ratings),
                ),
            ],
        ),
        language.text_args(
            "mail-report-refunds",
            &[(
                "amount",
                if refunded.is_empty() {
                    none.as_str()
                } else {
                    refunded.as_str()
                },
            )],
        ),
        language.text("mail-report-attached"),
    ]
}
