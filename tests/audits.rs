//! Quality audits end to end: a half-month drawn once with each agent's random share of their
//! ended cases (not cancelled, not unassigned); scored against the scorecard; a second auditor's
//! calibration; the agent sees their own and disputes once; a supervisor answers; the QA score
//! reaches the KPIs. SQLite here, PostgreSQL with TEST_DATABASE_URL.

mod common;

use common::{ADMIN, AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A complaint on a fresh order, given to `assignee` (or nobody), then ended.
async fn ended(app: &TestApp, n: usize, assignee: Option<&str>, cancel: bool) -> String {
    let number = format!("QA-{n}");
    app.recent_order(&number).await;
    let case = app.case(&number, "complaint", "客服回复太慢").await;
    let id = case["id"].as_str().unwrap().to_string();
    if let Some(assignee) = assignee {
        let (status, body) = app
            .call(
                Method::PATCH,
                &format!("/api/v1/cases/{id}"),
                AGENT,
                Some(json!({ "version": case["version"], "assignee_id": assignee })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let steps: &[&str] = if cancel {
        &["cancel"]
    } else {
        &["resolve", "close"]
    };
    for action in steps {
        let extra = if *action == "cancel" {
            json!({ "reason": "顾客撤回" })
        } else {
            json!({})
        };
        let (status, body) = app.act(&id, AGENT, action, extra).await;
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
    }
    id
}

fn scores(values: [u32; 5]) -> Value {
    json!({ "first_response": values[0], "policy": values[1], "tone": values[2],
        "sop": values[3], "outcome": values[4] })
}

#[tokio::test]
async fn audits_are_drawn_per_agent_scored_calibrated_disputed_once_and_counted() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "audits": { "per_agent": 2 } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (agent, agent2) = (
        app.staff_id("agent@test.local").await,
        app.staff_id("agent2@test.local").await,
    );
    let mut mine = Vec::new();
    for n in 0..4 {
        mine.push(ended(&app, n, Some(&agent), false).await);
    }
    let theirs = ended(&app, 10, Some(&agent2), false).await;
    let nobody = ended(&app, 11, None, false).await;
    let cancelled = ended(&app, 12, Some(&agent2), true).await;
    let (period, hours) = app.half_month_and_hours();
    let (status, body) = app
        .post(
            "/api/v1/audits/rounds",
            SUPERVISOR,
            json!({ "period": period }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not over yet: {body}"
    );

    let app = app.later(hours).await;
    let (status, body) = app
        .post("/api/v1/audits/rounds", AGENT, json!({ "period": period }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, drawn) = app
        .post(
            "/api/v1/audits/rounds",
            SUPERVISOR,
            json!({ "period": period, "seed": 5 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{drawn}");
    let items = drawn["items"].as_array().unwrap();
    let of = |who: &str| items.iter().filter(|a| a["agent_id"] == who).count();
    assert_eq!((of(&agent), of(&agent2), items.len()), (2, 1, 3));
    assert!(items.iter().all(|a| a["state"] == "open"));
    let cases: Vec<&str> = items
        .iter()
        .map(|a| a["case_id"].as_str().unwrap())
        .collect();
    assert!(cases.contains(&theirs.as_str()));
    assert!(!cases.contains(&nobody.as_str()) && !cases.contains(&cancelled.as_str()));
    assert!(
        cases
            .iter()
            .filter(|c| mine.iter().any(|m| m == *c))
            .count()
            == 2
    );
    let (status, again) = app
        .post(
            "/api/v1/audits/rounds",
            SUPERVISOR,
            json!({ "period": period }),
        )
        .await;
    assert_eq!(
        (status, again["items"].as_array().unwrap().len()),
        (StatusCode::OK, 3)
    );

    // The agent sees their own two.
    let (_, own) = app
        .get(&format!("/api/v1/audits?period={period}"), AGENT)
        .await;
    assert_eq!(own["items"].as_array().unwrap().len(), 2, "{own}");
    let audit = own["items"][0]["id"].as_str().unwrap().to_string();
    let other = items
        .iter()
        .find(|a| a["agent_id"] == json!(agent2))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Scored: every criterion 0–100; the total is the weighted mean.
    let score_path = format!("/api/v1/audits/{audit}/scores");
    let (status, body) = app
        .post(&score_path, SUPERVISOR, json!({ "scores": { "tone": 90 } }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .post(
            &format!("/api/v1/audits/{audit}/dispute"),
            AGENT,
            json!({ "text": "还没打分" }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "audit_not_scored".into())
    );
    let (status, scored) = app
        .post(
            &score_path,
            SUPERVISOR,
            json!({ "scores": scores([100, 80, 90, 60, 70]), "comment": "SOP 第二步没有核对序列号" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{scored}");
    // (100×20 + 80×25 + 90×20 + 60×15 + 70×20) / 100 = 81
    assert_eq!(
        (&scored["state"], &scored["total"]),
        (&json!("scored"), &json!(81))
    );
    let (status, body) = app
        .post(
            &score_path,
            SUPERVISOR,
            json!({ "scores": scores([0, 0, 0, 0, 0]) }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "audit_scored".into())
    );
    // A second auditor on the same case: a calibration beside it.
    let (status, calibration) = app
        .post(
            &score_path,
            ADMIN,
            json!({ "scores": scores([100, 60, 80, 60, 70]) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{calibration}");
    assert_eq!(
        (&calibration["calibrates"], &calibration["total"]),
        (&json!(audit), &json!(74))
    );

    // The agent disputes, once; not someone else's.
    let (status, _) = app
        .post(
            &format!("/api/v1/audits/{other}/dispute"),
            AGENT,
            json!({ "text": "不是我的" }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "another agent's audit is not theirs to see"
    );
    let dispute = format!("/api/v1/audits/{audit}/dispute");
    let (status, disputed) = app
        .post(
            &dispute,
            AGENT,
            json!({ "text": "序列号在聊天记录里核对过了" }),
        )
        .await;
    assert_eq!(
        (status, &disputed["state"]),
        (StatusCode::OK, &json!("disputed")),
        "{disputed}"
    );
    let (status, body) = app
        .post(&dispute, AGENT, json!({ "text": "再申诉一次" }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::CONFLICT, "audit_disputed".into())
    );
    let answer = format!("/api/v1/audits/{audit}/answer");
    let (status, _) = app.post(&answer, AGENT, json!({ "text": "我同意" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, settled) = app
        .post(
            &answer,
            SUPERVISOR,
            json!({ "text": "已核实聊天记录，SOP 项改为满分", "total": 87 }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    assert_eq!(
        (
            &settled["state"],
            &settled["final_total"],
            &settled["total"]
        ),
        (&json!("settled"), &json!(87), &json!(81))
    );
    let (status, _) = app
        .post(&answer, SUPERVISOR, json!({ "text": "再答一次" }))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The QA score reaches the KPIs: the final total, the calibration left out.
    let today = jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    let (status, report) = app
        .get(
            &format!("/api/v1/reports/kpis?from={today}&to={today}"),
            SUPERVISOR,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["totals"]["quality"],
        json!({ "audits": 1, "mean_total": 87.0 })
    );
    let row = report["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["agent_id"] == json!(agent))
        .unwrap();
    assert_eq!(row["kpis"]["quality"]["mean_total"], 87.0);
}

#[tokio::test]
async fn an_audit_is_scored_and_disputed_from_the_console() {
    let app = TestApp::start().await;
    let agent = app.staff_id("agent@test.local").await;
    let case = ended(&app, 1, Some(&agent), false).await;
    let (period, hours) = app.half_month_and_hours();
    let app = app.later(hours).await;
    let client = reqwest::Client::new();
    let (supervisor, supervisor_form) = app.console_session("supervisor@test.local").await;
    let drawn = client
        .post(app.url("/console/audits/rounds"))
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
    assert!(html.contains("已抽取质检样本"), "{html}");
    let (_, listed) = app
        .get(&format!("/api/v1/audits?period={period}"), SUPERVISOR)
        .await;
    let id = listed["items"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(listed["items"][0]["case_id"], json!(case));

    // The case's timeline beside the scorecard.
    let page = client
        .get(app.url(&format!("/console/audits/{id}")))
        .header(reqwest::header::COOKIE, &supervisor)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("售后单时间线") && page.contains("政策执行正确"),
        "{page}"
    );
    let scored = client
        .post(app.url(&format!("/console/audits/{id}/scores")))
        .header(reqwest::header::COOKIE, &supervisor)
        .form(&[
            ("csrf", supervisor_form.as_str()),
            ("score_first_response", "100"),
            ("score_policy", "100"),
            ("score_tone", "50"),
            ("score_sop", "100"),
            ("score_outcome", "100"),
            ("comment", "语气生硬"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(scored.status(), StatusCode::OK);
    let html = scored.text().await.unwrap();
    // (100×20 + 100×25 + 50×20 + 100×15 + 100×20) / 100 = 90
    assert!(
        html.contains("评分已保存") && html.contains("总分: 90"),
        "{html}"
    );

    let (agent_cookie, agent_form) = app.console_session("agent@test.local").await;
    let dispute = |text: &'static str| {
        let client = client.clone();
        let (cookie, form) = (agent_cookie.clone(), agent_form.clone());
        let url = app.url(&format!("/console/audits/{id}/dispute"));
        async move {
            client
                .post(url)
                .header(reqwest::header::COOKIE, cookie)
                .form(&[("csrf", form.as_str()), ("text", text)])
                .send()
                .await
                .unwrap()
        }
    };
    let first = dispute("我当时是按模板回复的").await;
    assert_eq!(first.status(), StatusCode::OK);
    assert!(first.text().await.unwrap().contains("申诉已提交"));
    let again = dispute("再申诉一次").await;
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "once only"
    );
}
