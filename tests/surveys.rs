//! Satisfaction surveys end to end: a period's round drawn at random within strata (kind and
//! channel), without cancelled cases and with each customer once; never the same customer again
//! within the quiet days; the invitation sent by a real SMTP server with a signed link that works
//! once; a phone answer; the results with the stratified mean; links closing on their last day.
//! SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use std::collections::HashSet;

use aftersale::operations::notifications::run_once;
use common::smtp::SmtpSink;
use common::{AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn settings(app: &TestApp, surveys: Value) {
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "surveys": surveys })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Customer `n`: an order of theirs and a case of `kind` through `channel`, ended (resolved and
/// closed), or cancelled when `cancel`.
async fn ended_case(
    app: &TestApp,
    n: usize,
    round: usize,
    kind: &str,
    channel: &str,
    cancel: bool,
) -> String {
    let number = format!("SV{round}{n:03}8812345678901");
    let (status, body) = app
        .post(
            "/api/v1/orders",
            AGENT,
            json!({
                "order_number": number, "platform": "tmall", "placed_at": "2026-10-01 10:00",
                "delivered_at": "2026-10-03 15:30",
                "customer": { "name": format!("顾客{n}"), "phone": format!("1390000{n:04}"),
                    "email": format!("buyer{n}@mail.test") },
                "lines": [{ "sku": format!("SKU-{}", n % 3), "product_name": "保温杯", "quantity": 1, "unit_price_minor": 9900 }]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({
                "order_number": number, "kind": kind, "reason_code": "quality", "channel": channel,
                "description": "杯盖漏水，想问问怎么处理",
                "lines": [{ "line_number": 1 }],
                "contact": { "name": format!("顾客{n}"), "phone": format!("1390000{n:04}"),
                    "email": format!("buyer{n}@mail.test") }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    if cancel {
        let (status, body) = app
            .act(&id, AGENT, "cancel", json!({ "reason": "顾客不需要了" }))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        return id;
    }
    for action in ["resolve", "close"] {
        let (status, body) = app.act(&id, AGENT, action, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    id
}

/// The month the test clock is in, as the shop (Asia/Shanghai) counts it.
fn month(app: &TestApp) -> String {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(zone)
        .date();
    format!("{:04}-{:02}", today.year(), today.month())
}

/// Hours from now to the second day of the month `months` ahead (the shop's zone, this time of
/// day): a second instance with its clock that far ahead sees those months over.
fn hours_until(app: &TestApp, months: i64) -> i64 {
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let today = jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(zone)
        .date();
    let target = today
        .first_of_month()
        .checked_add(jiff::Span::new().months(months).days(1))
        .unwrap();
    i64::from((target - today).get_days()) * 24
}

async fn draw(app: &TestApp, period: &str, seed: u64) -> (StatusCode, Value) {
    app.post(
        "/api/v1/surveys/rounds",
        SUPERVISOR,
        json!({ "period": period, "seed": seed }),
    )
    .await
}

async fn surveys(app: &TestApp, period: &str) -> Vec<Value> {
    let (status, body) = app
        .get(&format!("/api/v1/surveys?period={period}"), AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["next_cursor"], Value::Null);
    body["items"].as_array().unwrap().clone()
}

/// The path of a mail's survey link (the mail links to the configured public address).
fn link_path(mail: &Value) -> String {
    let text = mail["text"].as_str().unwrap();
    let start = text
        .find("https://shop.example/portal/")
        .expect("a link in the mail");
    let link: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    link.trim_start_matches("https://shop.example").to_string()
}

#[tokio::test]
async fn a_round_samples_at_random_within_strata_and_asks_by_a_single_use_link() {
    let app = TestApp::start().await;
    settings(
        &app,
        json!({ "share_percent": 50, "quiet_days": 90, "answer_days": 14, "questions": [
            { "key": "speed", "zh": "处理速度", "en": "Speed", "kind": "score" },
            { "key": "again", "zh": "还会再来买吗？", "en": "Would you buy again?", "kind": "yes_no" }
        ] }),
    )
    .await;
    let period = month(&app);
    // Ten customers: six complaints by API, four consultations by WeChat; customer 0 has two
    // more cases (counted once); two cancelled cases and one still open are never surveyed.
    let mut ended = Vec::new();
    for n in 0..10 {
        let (kind, channel) = if n < 6 {
            ("complaint", "api")
        } else {
            ("consultation", "wechat")
        };
        ended.push(ended_case(&app, n, 1, kind, channel, false).await);
    }
    for again in 0..2 {
        ended.push(ended_case(&app, 0, 2 + again, "complaint", "api", false).await);
    }
    let cancelled = [
        ended_case(&app, 20, 1, "complaint", "api", true).await,
        ended_case(&app, 21, 1, "consultation", "wechat", true).await,
    ];
    let open = app.recent_order("SV-OPEN-1").await;
    let open = app
        .case(
            open["order"]["order_number"].as_str().unwrap(),
            "complaint",
            "还没处理完",
        )
        .await;

    // The month is not over: nothing to draw yet.
    let (status, body) = draw(&app, &period, 7).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            "/api/v1/surveys/rounds",
            AGENT,
            json!({ "period": "2026-01" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not draw: {body}");
    let (status, body) = draw(&app, "2026-13", 7).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid".into())
    );

    // A month later, on an instance whose clock says so.
    let ahead = hours_until(&app, 1);
    let app = app.later(ahead).await;
    let (status, round) = draw(&app, &period, 7).await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    assert_eq!(round["period"], period);
    assert_eq!(
        round["ended"], 12,
        "twelve ended cases, the cancelled ones not counted"
    );
    assert_eq!(
        round["strata"],
        json!([
            { "stratum": "complaint/api", "population": 6, "sampled": 3 },
            { "stratum": "consultation/wechat", "population": 4, "sampled": 2 }
        ]),
        "one case per customer; 50 % of each stratum"
    );
    assert_eq!(round["sampled"], 5);
    // Drawn once: asking again gives the same round.
    let (status, again) = draw(&app, &period, 8).await;
    assert_eq!((status, &again["id"]), (StatusCode::OK, &round["id"]));

    let sampled = surveys(&app, &period).await;
    assert_eq!(sampled.len(), 5);
    let cases: HashSet<&str> = sampled
        .iter()
        .map(|s| s["case_id"].as_str().unwrap())
        .collect();
    assert!(cases.iter().all(|id| ended.iter().any(|e| e == id)));
    assert!(!cases.contains(cancelled[0].as_str()) && !cases.contains(cancelled[1].as_str()));
    assert!(!cases.contains(open["id"].as_str().unwrap()));
    let numbers: HashSet<String> = sampled
        .iter()
        .map(|s| s["case_number"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(numbers.len(), 5);
    assert!(
        sampled
            .iter()
            .all(|s| s["state"] == "sent" && s["ask_by"] == "link")
    );

    // The invitations, through a real SMTP server: one per sampled customer.
    let smtp = SmtpSink::start();
    run_once(&app.database, &smtp.channels(), app.database.clock.now())
        .await
        .unwrap();
    let mails: Vec<Value> = smtp
        .messages()
        .into_iter()
        .filter(|mail| {
            mail["subject"]
                .as_str()
                .unwrap()
                .starts_with("【测试店铺】请为售后单")
        })
        .collect();
    assert_eq!(mails.len(), 5, "one invitation per sampled customer");
    let first = &mails[0];
    assert!(
        first["text"].as_str().unwrap().contains("只能提交一次"),
        "{first}"
    );
    let path = link_path(first);
    assert!(path.starts_with("/portal/shop/survey/"), "{path}");

    // The page: the score, the comment, the shop's questions.
    let page = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("非常满意") && html.contains("处理速度") && html.contains("还会再来买吗"),
        "{html}"
    );
    // A link changed by one character, or shown to another shop, opens nothing.
    let mut forged = path.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        app.client
            .get(app.url(&forged))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let elsewhere = path.replace("/portal/shop/", "/portal/other/");
    assert_eq!(
        app.client
            .get(app.url(&elsewhere))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Without a score: said so, and what was typed stays.
    let response = app
        .client
        .post(app.url(&path))
        .form(&[("comment", "客服态度很好"), ("q_again", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("请选择 1 到 5 分") && html.contains("客服态度很好"),
        "{html}"
    );
    let response = app
        .client
        .post(app.url(&path))
        .form(&[
            ("score", "4"),
            ("comment", "客服态度很好"),
            ("q_speed", "5"),
            ("q_again", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("感谢您的反馈"));
    // Once only.
    let response = app
        .client
        .post(app.url(&path))
        .form(&[("score", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let html = app
        .client
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("提交过了") && !html.contains("<form"),
        "{html}"
    );

    // An agent records another customer's answer taken by phone.
    let answered: Vec<Value> = surveys(&app, &period).await;
    let by_link = answered.iter().find(|s| s["state"] == "answered").unwrap();
    assert_eq!(
        (
            &by_link["score"],
            &by_link["answers"],
            &by_link["answered_via"]
        ),
        (
            &json!(4),
            &json!({ "speed": 5, "again": "yes" }),
            &json!("link")
        )
    );
    let other = answered.iter().find(|s| s["state"] == "sent").unwrap();
    let id = other["id"].as_str().unwrap();
    let (status, body) = app
        .post(
            &format!("/api/v1/surveys/{id}/answer"),
            AGENT,
            json!({ "score": 9 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/surveys/{id}/answer"),
            AGENT,
            json!({ "score": 2, "comment": "退款等了太久", "answers": { "again": "no" } }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["answered_via"], &body["state"]),
        (&json!("phone"), &json!("answered"))
    );
    let (status, body) = app
        .post(
            &format!("/api/v1/surveys/{id}/answer"),
            AGENT,
            json!({ "score": 5 }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "survey_answered".into())
    );
    // The answer is on the case's timeline.
    let (_, events) = app
        .get(
            &format!(
                "/api/v1/cases/{}/events",
                other["case_id"].as_str().unwrap()
            ),
            AGENT,
        )
        .await;
    assert!(events.to_string().contains("survey_answered"), "{events}");

    // The results: 2 of 5 answered; the mean over the strata; the distribution; the comments.
    let (status, results) = app
        .get(&format!("/api/v1/surveys/results?period={period}"), AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(
        (results["sampled"].as_u64(), results["answered"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(results["response_rate_bp"], 4000);
    assert_eq!(results["distribution"], json!([0, 1, 0, 1, 0]));
    let strata_scores: Vec<(String, i64)> = answered
        .iter()
        .filter_map(|s| {
            let score = if s["id"] == other["id"] {
                2
            } else if s["id"] == by_link["id"] {
                4
            } else {
                return None;
            };
            Some((s["stratum"].as_str().unwrap().to_string(), score))
        })
        .collect();
    // Hand-computed: the strata weigh 6/10 and 4/10; a stratum without answers drops out.
    let expected = match strata_scores.as_slice() {
        [(a, x), (b, y)] if a == b => (*x + *y) as f64 / 2.0,
        _ => strata_scores
            .iter()
            .map(|(stratum, score)| {
                let weight = if stratum == "complaint/api" { 0.6 } else { 0.4 };
                weight * *score as f64
            })
            .sum::<f64>(),
    };
    let mean = results["estimate"]["mean"].as_f64().unwrap();
    assert!(
        (mean - expected).abs() < 1e-9,
        "mean {mean}, expected {expected}: {results}"
    );
    assert_eq!(results["estimate"]["answers"], 2);
    let comments: Vec<&str> = results["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["comment"].as_str().unwrap())
        .collect();
    assert_eq!(comments.len(), 2);
    assert!(comments.contains(&"客服态度很好") && comments.contains(&"退款等了太久"));
    let questions = results["questions"].as_array().unwrap();
    assert_eq!(
        (questions[0]["key"].as_str(), questions[0]["mean"].as_f64()),
        (Some("speed"), Some(5.0))
    );
    assert_eq!(
        (
            questions[1]["key"].as_str(),
            questions[1]["yes_bp"].as_i64()
        ),
        (Some("again"), Some(5000))
    );
    let kinds: u64 = results["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["sampled"].as_u64().unwrap())
        .sum();
    assert_eq!(kinds, 5);
    assert!(
        results["by_product"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["name"] == "保温杯")
    );

    // The list as CSV and XLSX, read back.
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/surveys?period={period}&format=csv")))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows.iter().filter(|row| &row[4] == "answered").count(), 2);
    assert!(
        rows.iter()
            .any(|row| &row[6] == "退款等了太久" && &row[5] == "2")
    );

    // A link past its last day closes.
    let waiting = answered
        .iter()
        .find(|s| s["state"] == "sent" && s["id"] != other["id"])
        .unwrap();
    let app = app.later(ahead + 15 * 24).await;
    aftersale::operations::surveys::sweep(&app.database, app.database.clock.now())
        .await
        .unwrap();
    let after: Vec<Value> = surveys(&app, &period).await;
    let closed = after.iter().find(|s| s["id"] == waiting["id"]).unwrap();
    assert_eq!(closed["state"], "expired");
    let (status, body) = app
        .post(
            &format!("/api/v1/surveys/{}/answer", waiting["id"].as_str().unwrap()),
            AGENT,
            json!({ "score": 5 }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "survey_closed".into())
    );
}

#[tokio::test]
async fn a_customer_is_not_asked_again_within_the_quiet_days() {
    let app = TestApp::start().await;
    settings(&app, json!({ "share_percent": 40, "quiet_days": 90 })).await;
    let first = month(&app);
    for n in 0..10 {
        ended_case(&app, n, 1, "complaint", "api", false).await;
    }
    let start = app;
    let app = start.later(hours_until(&start, 1)).await;
    let (status, round) = draw(&app, &first, 11).await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    assert_eq!(round["sampled"], 4);
    let asked: HashSet<String> = surveys(&app, &first)
        .await
        .iter()
        .map(|s| s["case_id"].as_str().unwrap().to_string())
        .collect();
    // Next month every customer has a case again; everyone is drawn but those asked before.
    settings(&app, json!({ "share_percent": 100, "quiet_days": 90 })).await;
    let second = month(&app);
    for n in 0..10 {
        ended_case(&app, n, 2, "complaint", "api", false).await;
    }
    let app = start.later(hours_until(&start, 2)).await;
    let (status, round) = draw(&app, &second, 12).await;
    assert_eq!(status, StatusCode::CREATED, "{round}");
    assert_eq!(round["ended"], 10);
    assert_eq!(round["sampled"], 6, "{round}");
    let mut first_customers = HashSet::new();
    for case in &asked {
        first_customers.insert(customer_of(&app, case).await);
    }
    for survey in surveys(&app, &second).await {
        let customer = customer_of(&app, survey["case_id"].as_str().unwrap()).await;
        assert!(
            !first_customers.contains(&customer),
            "{customer} was asked last month"
        );
    }
}

async fn customer_of(app: &TestApp, case_id: &str) -> String {
    let (status, case) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    case["contact"]["phone"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_hourly_sweep_draws_the_period_just_over_by_itself() {
    let app = TestApp::start().await;
    settings(&app, json!({ "enabled": true, "count": 2 })).await;
    let period = month(&app);
    for n in 0..3 {
        ended_case(&app, n, 1, "complaint", "api", false).await;
    }
    let app = app.later(hours_until(&app, 1)).await;
    aftersale::operations::surveys::sweep(&app.database, app.database.clock.now())
        .await
        .unwrap();
    let (status, results) = app
        .get(&format!("/api/v1/surveys/results?period={period}"), AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results["round"]["sampled"], 2, "{results}");
    assert_eq!(results["round"]["drawn_by"], Value::Null);
    // Swept again: the same round, nobody asked twice.
    aftersale::operations::surveys::sweep(&app.database, app.database.clock.now())
        .await
        .unwrap();
    assert_eq!(surveys(&app, &period).await.len(), 2);
}

#[tokio::test]
async fn supervisors_draw_and_agents_record_phone_answers_in_the_console() {
    let app = TestApp::start().await;
    settings(&app, json!({ "share_percent": 50, "ask_by": "phone" })).await;
    let period = month(&app);
    for n in 0..4 {
        ended_case(&app, n, 1, "complaint", "phone", false).await;
    }
    let app = app.later(hours_until(&app, 1)).await;
    let client = reqwest::Client::new();
    let (supervisor, supervisor_form) = app.console_session("supervisor@test.local").await;
    let get = |cookie: String, path: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let response = client
                .get(url)
                .header(reqwest::header::COOKIE, cookie)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    let (status, html) = get(
        supervisor.clone(),
        format!("/console/surveys?period={period}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("这个周期还没有抽样"), "{html}");
    let (agent, agent_form) = app.console_session("agent@test.local").await;
    let refused = client
        .post(app.url("/console/surveys/rounds"))
        .header(reqwest::header::COOKIE, &agent)
        .form(&[("csrf", agent_form.as_str()), ("period", period.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "agents do not draw"
    );
    let drawn = client
        .post(app.url("/console/surveys/rounds"))
        .header(reqwest::header::COOKIE, &supervisor)
        .form(&[
            ("csrf", supervisor_form.as_str()),
            ("period", period.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(drawn.status(), StatusCode::OK);
    let html = drawn.text().await.unwrap();
    assert!(html.contains("已抽取 2 位顾客"), "{html}");
    assert_eq!(
        html.matches("记录电话回访</button>").count(),
        2,
        "two customers to call"
    );

    let to_call = surveys(&app, &period).await;
    assert!(
        to_call
            .iter()
            .all(|s| s["state"] == "waiting" && s["ask_by"] == "phone")
    );
    let id = to_call[0]["id"].as_str().unwrap();
    let answer = |score: &'static str| {
        let client = client.clone();
        let url = app.url(&format!("/console/surveys/{id}/answer"));
        let (agent, form, period) = (agent.clone(), agent_form.clone(), period.clone());
        async move {
            client
                .post(url)
                .header(reqwest::header::COOKIE, agent)
                .form(&[
                    ("csrf", form.as_str()),
                    ("score", score),
                    ("comment", "电话里说换货很快"),
                    ("period", period.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let missing = answer("").await;
    assert_eq!(missing.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.text().await.unwrap().contains("请选择 1 到 5 分"));
    let recorded = answer("5").await;
    assert_eq!(recorded.status(), StatusCode::OK);
    let html = recorded.text().await.unwrap();
    assert!(
        html.contains("已记录售后单") && html.contains("电话里说换货很快"),
        "{html}"
    );
    assert!(
        html.contains("<strong>5.00</strong>"),
        "the mean of one answer"
    );
    assert_eq!(
        html.matches("记录电话回访</button>").count(),
        1,
        "one left to call"
    );
    assert_eq!(
        answer("4").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "once only"
    );

    let (status, csv) = get(
        agent.clone(),
        format!("/console/surveys/surveys.csv?period={period}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|row| &row[5] == "5" && &row[8] == "phone"));
}

#[tokio::test]
async fn a_milestone_survey_follows_a_delivered_replacement_once() {
    let app = TestApp::start().await;
    settings(&app, json!({ "milestone_days": 7 })).await;
    app.recent_order("SV-MILE-1").await;
    let case = app.case("SV-MILE-1", "reship", "少发了一个耳塞").await;
    let id = case["id"].as_str().unwrap();
    for (action, extra) in [
        ("approve", json!({})),
        (
            "ship_replacement",
            json!({ "carrier": "顺丰", "tracking_number": "SF2026120688" }),
        ),
        ("confirm_delivery", json!({})),
    ] {
        let (status, body) = app.act(id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    // Six days on: not yet. Eight days on: one milestone survey, sent by link; swept again,
    // still one.
    let soon = app.later(6 * 24).await;
    aftersale::operations::surveys::sweep(&soon.database, soon.database.clock.now())
        .await
        .unwrap();
    assert_eq!(invitations(&app, id).await, 0, "not before the seventh day");
    let later = app.later(8 * 24).await;
    for _ in 0..2 {
        aftersale::operations::surveys::sweep(&later.database, later.database.clock.now())
            .await
            .unwrap();
    }
    let period = month(&later);
    let (status, results) = later
        .get(&format!("/api/v1/surveys/results?period={period}"), AGENT)
        .await;
    assert_eq!(status, StatusCode::OK, "{results}");
    assert_eq!(results["milestones"]["sampled"], 1, "{results}");
    let found = surveys(&later, &period).await;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (
            &found[0]["reason"],
            &found[0]["case_id"],
            &found[0]["state"]
        ),
        (&json!("milestone"), &json!(id), &json!("sent"))
    );
    assert_eq!(invitations(&app, id).await, 1, "one invitation");
}

/// The survey invitations waiting in the outbox for a case.
async fn invitations(app: &TestApp, case_id: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE audience = 'survey' AND case_id = $1")
        .bind(case_id)
        .fetch_one(&app.database.reader)
        .await
        .unwrap()
}
