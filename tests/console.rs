//! The staff console over HTTP: sign-in rules, CSRF, shop isolation, the queue's filters and
//! views, bulk changes and refunds sent twice.

mod common;

use aftersale::domain::Role;
use aftersale::operations::shops as shop_setup;
use common::{ADMIN as ADMIN_TOKEN, AGENT, SUPERVISOR, TestApp, cookies};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The text between `start` and the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).map(|at| at + start.len()).unwrap_or(0);
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The first line of the orders the tests make.
const PRODUCT: &str = "蓝牙耳机";

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect(name) + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_string()
}

/// Sends the sign-in form; the response and the login cookie it was sent with.
async fn try_sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    let page = client().get(app.url("/login")).send().await.unwrap();
    let login_cookie = cookies(&page).join("; ");
    let html = page.text().await.unwrap();
    client()
        .post(app.url("/login"))
        .header(COOKIE, login_cookie)
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("email", email),
            ("password", password),
            ("next", "/console"),
        ])
        .send()
        .await
        .unwrap()
}

/// A signed-in session: its cookie and its CSRF token.
async fn sign_in(app: &TestApp, email: &str) -> (String, String) {
    let response = try_sign_in(app, email, "password1").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = cookies(&response)
        .into_iter()
        .find(|cookie| cookie.starts_with("staff_session="))
        .unwrap();
    let html = page(app, &cookie, "/console").await.1;
    (cookie.clone(), hidden(&html, "csrf"))
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn post(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn signing_in_is_guarded() {
    let app = TestApp::start().await;
    // Pages need a session.
    let response = client().get(app.url("/console")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        response.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );

    // The form without its double-submit cookie is refused.
    let form = client().get(app.url("/login")).send().await.unwrap();
    let html = form.text().await.unwrap();
    let refused = client()
        .post(app.url("/login"))
        .form(&[
            ("csrf", hidden(&html, "csrf").as_str()),
            ("email", "agent@test.local"),
            ("password", "password1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // An unknown address and a wrong password get the same answer.
    let unknown = try_sign_in(&app, "nobody@test.local", "password1").await;
    assert_eq!(unknown.status(), StatusCode::UNAUTHORIZED);
    let unknown = unknown.text().await.unwrap();
    let wrong = try_sign_in(&app, "agent2@test.local", "password2").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let wrong = wrong.text().await.unwrap();
    let error = |html: &str| {
        let start = html.find("class=\"error\"").unwrap();
        html[start..start + html[start..].find("</p>").unwrap()].to_string()
    };
    assert_eq!(error(&unknown), error(&wrong));

    // Five failures lock the address, even for the right password, and only that address.
    for _ in 0..4 {
        let response = try_sign_in(&app, "agent2@test.local", "nope").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = try_sign_in(&app, "agent2@test.local", "password1").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;

    // Signing out ends the session: its cookie opens nothing any more.
    let response = post(&app, &cookie, "/logout", &[("csrf", "wrong")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = post(&app, &cookie, "/logout", &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _) = page(&app, &cookie, "/console").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_person_sees_only_the_shop_they_work_in() {
    let app = TestApp::start().await;
    app.order("ISO-1").await;
    let case = app.case("ISO-1", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@other.local").await;
    let (status, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!html.contains("ISO-1"));
    let (_, queue) = page(&app, &cookie, "/console").await;
    assert!(!queue.contains("ISO-1"));
    let response = post(
        &app,
        &cookie,
        &format!("/console/cases/{id}/actions"),
        &[("csrf", &csrf), ("action", "approve"), ("version", "1")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(shown["status"], "submitted");

    // A person of both shops switches between them; not into a shop that is not theirs.
    let shop = aftersale::db::shops::find_shop_by_slug(&app.database.reader, "shop")
        .await
        .unwrap()
        .unwrap();
    shop_setup::add_staff(
        &app.database,
        &shop,
        "agent@other.local",
        "其他客服",
        Role::Agent,
        "password1",
    )
    .await
    .unwrap();
    let (_, queue) = page(&app, &cookie, "/console").await;
    let chosen = queue.contains("ISO-1");
    let response = post(
        &app,
        &cookie,
        "/console/shop",
        &[("csrf", &csrf), ("shop_id", &shop.id)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, queue) = page(&app, &cookie, "/console").await;
    assert!(queue.contains("ISO-1") && !chosen, "{queue}");
    let response = post(
        &app,
        &cookie,
        "/console/shop",
        &[("csrf", &csrf), ("shop_id", "no-such-shop")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_queue_filters_pages_and_changes_cases_in_bulk() {
    let app = TestApp::start().await;
    app.order("Q-1").await;
    let mut ids = Vec::new();
    for description in ["一号", "二号", "三号"] {
        let case = app.case("Q-1", "consultation", description).await;
        ids.push((
            case["id"].as_str().unwrap().to_string(),
            case["number"].as_str().unwrap().to_string(),
        ));
    }
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;

    // Two per page: the second page has the third case.
    let (_, first) = page(
        &app,
        &cookie,
        "/console?status=open&sort=created_at&limit=2",
    )
    .await;
    assert!(first.contains(&ids[0].1) && first.contains(&ids[1].1) && !first.contains(&ids[2].1));
    let marker = "id=\"next-page\" href=\"";
    let start = first.find(marker).unwrap() + marker.len();
    let next = first[start..start + first[start..].find('"').unwrap()]
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let (_, second) = page(&app, &cookie, &next).await;
    assert!(
        second.contains(&ids[2].1) && !second.contains(&ids[0].1),
        "{next}"
    );

    // Bulk: assign two to me and tag them; a stale version is reported, not applied.
    let (_, shown) = app.get(&format!("/api/v1/cases/{}", ids[0].0), AGENT).await;
    let version = shown["version"].as_i64().unwrap();
    let first_case = format!("{}:{version}", ids[0].0);
    let second_case = format!("{}:{version}", ids[1].0);
    let stale_case = format!("{}:{}", ids[2].0, version + 5);
    let response = post(
        &app,
        &cookie,
        "/console/bulk",
        &[
            ("csrf", &csrf),
            ("operation", "assign"),
            ("assignee", "me"),
            ("case", &first_case),
            ("case", &second_case),
            ("case", &stale_case),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, notice) = page(&app, &cookie, &location).await;
    // What was done in the success box; the stale case in its own alert, not in green.
    let success = notice
        .split("class=\"notice\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_default();
    let failure = notice
        .split("id=\"bulk-failures\"")
        .nth(1)
        .and_then(|rest| rest.split("</p>").next())
        .unwrap_or_default();
    assert!(
        success.contains("已处理 2 个工单") && !success.contains(&ids[2].1),
        "{notice}"
    );
    assert!(failure.contains(&ids[2].1), "{notice}");
    let (_, mine) = page(&app, &cookie, "/console?status=open&assignee=me").await;
    assert!(mine.contains(&ids[0].1) && mine.contains(&ids[1].1) && !mine.contains(&ids[2].1));

    let version = version + 1;
    let first_case = format!("{}:{version}", ids[0].0);
    post(
        &app,
        &cookie,
        "/console/bulk",
        &[
            ("csrf", &csrf),
            ("operation", "tag"),
            ("tag", "加急"),
            ("case", &first_case),
        ],
    )
    .await;
    let (_, tagged) = page(&app, &cookie, "/console?status=open&tag=%E5%8A%A0%E6%80%A5").await;
    assert!(tagged.contains(&ids[0].1) && !tagged.contains(&ids[1].1));
    let (status, listed) = app
        .get("/api/v1/cases?tag=加急&platform=tmall", AGENT)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    let (_, listed) = app.get("/api/v1/cases?platform=jd", AGENT).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    // "Due soon" is within 24 hours; on a weekend the business-hours targets lie beyond that.
    let horizon = common::now() + 24 * 3_600_000_000;
    let mut soon = 0;
    for (id, _) in &ids {
        let (_, shown) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
        let due: jiff::Timestamp = shown["due_at"].as_str().unwrap().parse().unwrap();
        soon += usize::from(due.as_microsecond() <= horizon);
    }
    let (_, listed) = app.get("/api/v1/cases?status=open&due=soon", AGENT).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), soon);
    let (_, listed) = app.get("/api/v1/cases?due=overdue", AGENT).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let (status, _) = app.get("/api/v1/cases?due=tomorrow", AGENT).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A bad filter in the console is shown, not a crash.
    let (status, html) = page(&app, &cookie, "/console?due=tomorrow").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("tomorrow"));

    // A saved view is listed, opens its filters, and can be deleted.
    let response = post(
        &app,
        &cookie,
        "/console/views",
        &[
            ("csrf", &csrf),
            ("name", "加急的"),
            ("query", "status=open&tag=加急"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, queue) = page(&app, &cookie, "/console").await;
    assert!(queue.contains("加急的"));
    let (_, other_person) = page(
        &app,
        &sign_in(&app, "agent2@test.local").await.0,
        "/console",
    )
    .await;
    assert!(!other_person.contains("加急的"), "views are personal");
    let start = queue.find("/console/views/").unwrap();
    let path = &queue[start..start + queue[start..].find('"').unwrap()];
    post(&app, &cookie, path, &[("csrf", &csrf)]).await;
    let (_, queue) = page(&app, &cookie, "/console").await;
    assert!(!queue.contains("加急的"));
}

#[tokio::test]
async fn a_refund_form_sent_twice_refunds_once() {
    let app = TestApp::start().await;
    app.order("RF-1").await;
    let case = app.case("RF-1", "refund_only", "少发一件").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let key = hidden(&html, "key");
    let path = format!("/console/cases/{id}/refunds");
    let form = [
        ("csrf", csrf.as_str()),
        ("key", key.as_str()),
        ("amount_1", "50.00"),
        ("amount_2", ""),
        ("method", "original"),
    ];
    let (one, two) = tokio::join!(
        post(&app, &cookie, &path, &form),
        post(&app, &cookie, &path, &form)
    );
    assert!(one.status().is_redirection() || one.status() == StatusCode::CONFLICT);
    assert!(two.status().is_redirection() || two.status() == StatusCode::CONFLICT);
    let again = post(&app, &cookie, &path, &form).await;
    assert!(again.status().is_redirection(), "{}", again.status());
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"].as_array().unwrap().len(), 1, "{refunds}");
    assert_eq!(refunds["items"][0]["amount_minor"], 5000);
    // The customer's history beside the case: the order and what it cost, the refund.
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let history = between(&html, "id=\"customer-history\">", "</ul>");
    assert!(
        history.contains("1 个订单") && history.contains("1 次退款 · ¥50.00"),
        "{history}"
    );

    // More than was paid is refused with the amount kept in the form.
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let response = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("key", hidden(&html, "key").as_str()),
            ("amount_1", "500"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("value=\"500\""), "the typed amount stays");
    // Said as the agent sees it: the item by name, the amounts in yuan; no id, no minor units.
    let refusal = between(&html, "id=\"refund-error\">", "</p>");
    assert!(
        refusal.contains(PRODUCT) && refusal.contains("¥500.00") && refusal.contains("最多还能退"),
        "{refusal}"
    );
    assert!(
        !refusal.contains("50000") && !refusal.contains("line"),
        "{refusal}"
    );
    let response = post(
        &app,
        &cookie,
        &path,
        &[("csrf", csrf.as_str()), ("amount_1", "abc")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // "10,5" in a Chinese shop is neither 105 nor a guess: refused, with how to write it.
    let response = post(
        &app,
        &cookie,
        &path,
        &[("csrf", csrf.as_str()), ("amount_1", "10,5")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("10.5"), "the form says how to write it");
    assert!(html.contains("value=\"10,5\""), "the typed amount stays");
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(
        refunds["items"].as_array().unwrap().len(),
        1,
        "nothing more was refunded"
    );
}

#[tokio::test]
async fn staff_find_orders_and_customers_and_open_a_case_from_an_order() {
    let app = TestApp::start().await;
    let order = app.order("DIR-1").await;
    let order_id = order["order"]["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;

    let (_, found) = page(&app, &cookie, "/console/orders?q=13800138000").await;
    assert!(found.contains("DIR-1"), "{found}");
    let (_, none) = page(&app, &cookie, "/console/orders?q=NOPE-404").await;
    assert!(!none.contains("DIR-1"));
    let (_, customers) = page(&app, &cookie, "/console/customers?q=%E7%8E%8B%E5%B0%8F").await;
    assert!(customers.contains("王小明"), "{customers}");

    // No item chosen: refused, the description kept.
    let path = format!("/console/orders/{order_id}/cases");
    let response = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "exchange"),
            ("reason_code", "size_colour"),
            ("description", "电话里说要换大一码"),
            ("quantity_1", "0"),
            ("quantity_2", "0"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("电话里说要换大一码") && html.contains("class=\"error\""));

    let response = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("kind", "exchange"),
            ("reason_code", "size_colour"),
            ("description", "电话里说要换大一码"),
            ("quantity_2", "1"),
            ("channel", "phone"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response.headers()[LOCATION].to_str().unwrap().to_string();
    let case_id = location.rsplit('/').next().unwrap();
    let (_, case) = app.get(&format!("/api/v1/cases/{case_id}"), AGENT).await;
    assert_eq!(case["kind"], "exchange");
    assert_eq!(case["channel"], "phone");
    assert_eq!(case["lines"][0]["quantity"], 1);
    assert!(case["assignee_id"].is_string());

    // The customer's profile lists the order and the case.
    let customer_id = case["customer_id"].as_str().unwrap();
    let (_, profile) = page(&app, &cookie, &format!("/console/customers/{customer_id}")).await;
    assert!(profile.contains("DIR-1") && profile.contains(case["number"].as_str().unwrap()));

    // Another shop's staff finds nothing of it.
    let (other, _) = sign_in(&app, "agent@other.local").await;
    let (status, _) = page(&app, &other, &format!("/console/orders/{order_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = page(&app, &other, &format!("/console/customers/{customer_id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn supervisors_and_admins_change_the_shop_settings_from_the_console() {
    let app = TestApp::start().await;
    let (agent, _) = sign_in(&app, "agent@test.local").await;
    let (status, _) = page(&app, &agent, "/console/settings").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (cookie, csrf) = sign_in(&app, "supervisor@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("quality"), "the reasons are listed");

    // A bad colour is refused next to its section with what was typed kept.
    let response = post(
        &app,
        &cookie,
        "/console/settings/general",
        &[
            ("csrf", &csrf),
            ("return_address", "上海市浦东新区 1 号"),
            ("colour", "red"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("value=\"red\"") && html.contains("上海市浦东新区 1 号"));
    let response = post(
        &app,
        &cookie,
        "/console/settings/general",
        &[
            ("csrf", &csrf),
            ("return_address", "上海市浦东新区 1 号"),
            ("colour", "#aa3300"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(settings["return_address"], "上海市浦东新区 1 号");
    assert_eq!(settings["branding"]["colour"], "#aa3300");

    // Templates: add one, then delete it.
    post(
        &app,
        &cookie,
        "/console/settings/templates",
        &[
            ("csrf", &csrf),
            ("name_0", "催寄回"),
            ("body_0", "{customer_name}您好，请尽快寄回 {case_number}。"),
        ],
    )
    .await;
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(settings["reply_templates"][0]["name"], "催寄回");
    let response = post(
        &app,
        &cookie,
        "/console/settings/templates",
        &[("csrf", &csrf), ("name_1", "只有名字")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    post(
        &app,
        &cookie,
        "/console/settings/templates",
        &[
            ("csrf", &csrf),
            ("name_0", "催寄回"),
            ("body_0", "x"),
            ("delete_0", "on"),
        ],
    )
    .await;
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(settings["reply_templates"], serde_json::json!([]));

    // A reason code: a bad one refused, a good one listed by the API.
    let response = post(
        &app,
        &cookie,
        "/console/settings/reasons",
        &[
            ("csrf", &csrf),
            ("code", "坏代码"),
            ("category", "quality"),
            ("name_zh", "x"),
            ("name_en", "x"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    post(
        &app,
        &cookie,
        "/console/settings/reasons",
        &[
            ("csrf", &csrf),
            ("code", "battery"),
            ("category", "quality"),
            ("name_zh", "电池鼓包"),
            ("name_en", "Swollen battery"),
            ("active", "on"),
        ],
    )
    .await;
    let (_, reasons) = app.get("/api/v1/reasons", AGENT).await;
    assert!(reasons.to_string().contains("电池鼓包"), "{reasons}");

    // The SOP document: not JSON, or a bad step, is refused with the text kept; then saved.
    let response = post(
        &app,
        &cookie,
        "/console/settings/documents",
        &[
            ("csrf", &csrf),
            ("document", "sop"),
            ("value", "[{\"category\": \"quality\", \"steps\": ["),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("[{&#34;category&#34;: &#34;quality&#34;, &#34;steps&#34;: [")
    );
    let sop = r#"[{"category": "quality", "steps": [{"code": "photos", "text": "要照片", "before": ["approve"]}]}]"#;
    let response = post(
        &app,
        &cookie,
        "/console/settings/documents",
        &[("csrf", &csrf), ("document", "sop"), ("value", sop)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(settings["sop"][0]["steps"][0]["code"], "photos");
    assert_eq!(
        settings["return_address"], "上海市浦东新区 1 号",
        "other settings kept"
    );
    // A policy below the law is refused.
    let response = post(
        &app,
        &cookie,
        "/console/settings/documents",
        &[
            ("csrf", &csrf),
            ("document", "policy"),
            ("value", r#"{"no_reason_days": 3}"#),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The surveys' and audits' documents: a share out of range is refused; a good one saved.
    let response = post(
        &app,
        &cookie,
        "/console/settings/documents",
        &[
            ("csrf", &csrf),
            ("document", "surveys"),
            ("value", r#"{"enabled": true, "share_percent": 0}"#),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for (document, value) in [
        (
            "surveys",
            r#"{"enabled": true, "share_percent": 20, "quiet_days": 60}"#,
        ),
        ("audits", r#"{"per_agent": 5}"#),
    ] {
        let response = post(
            &app,
            &cookie,
            "/console/settings/documents",
            &[("csrf", &csrf), ("document", document), ("value", value)],
        )
        .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{document}");
    }
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(
        (
            &settings["surveys"]["share_percent"],
            &settings["audits"]["per_agent"]
        ),
        (&serde_json::json!(20), &serde_json::json!(5))
    );
    assert_eq!(
        settings["sop"][0]["steps"][0]["code"], "photos",
        "other settings kept"
    );

    // Staff: a supervisor cannot add people; an admin can, and the new person signs in.
    let response = post(
        &app,
        &cookie,
        "/console/settings/staff",
        &[
            ("csrf", &csrf),
            ("email", "new@test.local"),
            ("name", "新人"),
            ("role", "agent"),
            ("password", "longenough"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (admin, admin_csrf) = sign_in(&app, "admin@test.local").await;
    let response = post(
        &app,
        &admin,
        "/console/settings/staff",
        &[
            ("csrf", &admin_csrf),
            ("email", "new@test.local"),
            ("name", "新人"),
            ("role", "agent"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("new@test.local") && !html.contains("value=\"short\""));
    let response = post(
        &app,
        &admin,
        "/console/settings/staff",
        &[
            ("csrf", &admin_csrf),
            ("email", "new@test.local"),
            ("name", "新人"),
            ("role", "inspector"),
            ("password", "longenough"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Adding invites: the new address is listed as invited until its first sign-in accepts.
    let (_, settings_page) = page(&app, &admin, "/console/settings").await;
    assert!(settings_page.contains("new@test.local") && settings_page.contains("待对方接受"));
    let response = try_sign_in(&app, "new@test.local", "longenough").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, settings_page) = page(&app, &admin, "/console/settings").await;
    assert!(settings_page.contains("新人") && !settings_page.contains("new@test.local"));

    // A person of another shop: the admin is asked for the same fields, gets the same answer as
    // for an unknown address, and learns nothing (not even the person's name) …
    let without_password = post(
        &app,
        &admin,
        "/console/settings/staff",
        &[
            ("csrf", &admin_csrf),
            ("email", "agent@other.local"),
            ("role", "agent"),
        ],
    )
    .await;
    assert_eq!(without_password.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut answers = Vec::new();
    for email in ["agent@other.local", "nobody-yet@other.local"] {
        let fields = [
            ("csrf", admin_csrf.as_str()),
            ("email", email),
            ("name", "外援"),
            ("role", "agent"),
            ("password", "chosen-by-admin"),
        ];
        answers.push(post(&app, &admin, "/console/settings/staff", &fields).await);
    }
    let (existing, unknown) = (&answers[0], &answers[1]);
    assert_eq!(existing.status(), unknown.status());
    assert_eq!(existing.headers()[LOCATION], unknown.headers()[LOCATION]);
    let (_, settings_page) = page(&app, &admin, "/console/settings").await;
    assert!(settings_page.contains("agent@other.local") && !settings_page.contains("其他客服"));
    // … and the person is not enrolled: their own password is unchanged and they work in their
    // own shop until they accept in the console.
    assert_eq!(
        try_sign_in(&app, "agent@other.local", "chosen-by-admin")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let (other, other_csrf) = sign_in(&app, "agent@other.local").await;
    let (_, console) = page(&app, &other, "/console").await;
    assert!(
        console.contains("邀请你加入店铺") && console.contains("测试店铺"),
        "{console}"
    );
    let shop_id: String = sqlx::query_scalar("SELECT id FROM shops WHERE slug = 'shop'")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    let accepted = post(
        &app,
        &other,
        &format!("/console/invitations/{shop_id}/accept"),
        &[("csrf", &other_csrf)],
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let (_, settings_page) = page(&app, &admin, "/console/settings").await;
    assert!(settings_page.contains("其他客服") && settings_page.contains("新人"));
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked_from_the_console() {
    let app = TestApp::start().await;
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/tokens").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("API 令牌") && !html.contains("店铺自有令牌"),
        "agents make only their own"
    );
    // A name is needed; what was typed stays.
    let refused = post(
        &app,
        &cookie,
        "/console/tokens",
        &[("csrf", &csrf), ("name", ""), ("expires_in_days", "30")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("value=\"30\""));
    let made = post(
        &app,
        &cookie,
        "/console/tokens",
        &[
            ("csrf", &csrf),
            ("name", "ERP 同步"),
            ("expires_in_days", "30"),
        ],
    )
    .await;
    assert_eq!(made.status(), StatusCode::OK);
    let html = made.text().await.unwrap();
    let start = html.find("<code id=\"new-token\">").unwrap() + "<code id=\"new-token\">".len();
    let token = html[start..start + html[start..].find('<').unwrap()].to_string();
    let (status, _) = app.get("/api/v1/cases", &token).await;
    assert_eq!(status, StatusCode::OK, "the token works at once");
    // Listed without the secret; revoked, it stops at once.
    let (_, html) = page(&app, &cookie, "/console/tokens").await;
    assert!(html.contains("ERP 同步") && !html.contains(&token));
    let (_, listed) = app.get("/api/v1/tokens", AGENT).await;
    let id = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["name"] == "ERP 同步")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoked = post(
        &app,
        &cookie,
        &format!("/console/tokens/{id}/revoke"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    let (status, _) = app.get("/api/v1/cases", &token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Another person's token is not theirs to revoke.
    let (admin, _) = sign_in(&app, "admin@test.local").await;
    let (_, html) = page(&app, &admin, "/console/tokens").await;
    assert!(
        html.contains("店铺自有令牌") && html.contains("agent@test.local"),
        "admins see the shop's tokens"
    );
    let (_, theirs) = app.get("/api/v1/tokens", ADMIN_TOKEN).await;
    let admins = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|record| record["staff_email"] == "admin@test.local")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let foreign = post(
        &app,
        &cookie,
        &format!("/console/tokens/{admins}/revoke"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_late_parcel_is_followed_up_from_the_console() {
    let app = TestApp::start().await;
    let order = app.order("FU-1").await;
    let (status, parcel) = app
        .post(
            &format!("/api/v1/orders/{}/shipments", order["order"]["id"].as_str().unwrap()),
            AGENT,
            serde_json::json!({ "direction": "to_customer", "carrier": "韵达快递", "tracking_number": "YD-FU1" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{parcel}");
    let later = aftersale::clock::system_micros() + 6 * 24 * 3_600_000_000;
    assert_eq!(
        aftersale::operations::parcels::sweep(&app.database, later)
            .await
            .unwrap(),
        1
    );
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/follow-ups").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("YD-FU1") && html.contains("超时未签收") && html.contains("发出 5 天未签收"),
        "{html}"
    );
    let (_, tasks) = app.get("/api/v1/follow-ups", AGENT).await;
    let done = format!(
        "/console/follow-ups/{}/done",
        tasks["items"][0]["id"].as_str().unwrap()
    );

    let response = post(&app, &cookie, &done, &[("note", "已催派送")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let response = post(
        &app,
        &cookie,
        &done,
        &[("csrf", &csrf), ("note", "已催派送")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, "/console/follow-ups").await;
    assert!(
        html.contains("暂无待跟进的包裹") && html.contains("已催派送"),
        "{html}"
    );
    let response = post(&app, &cookie, &done, &[("csrf", &csrf), ("note", "again")]).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.text().await.unwrap().contains("已由他人完成"));
    let (_, english) = page(&app, &cookie, "/console/follow-ups?lang=en-US").await;
    assert!(english.contains("Recently done"), "{english}");
}

#[tokio::test]
async fn supervisors_see_what_came_in_and_apply_a_failed_delivery_again() {
    use base64::Engine;
    let app = TestApp::start().await;
    let secret = "generic-console-secret";
    let (status, _) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/integrations/generic",
            common::ADMIN,
            Some(serde_json::json!({ "secret": secret })),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // An order with a negative quantity fails, and is kept to replay.
    let send = |body: String| {
        let signature = base64::engine::general_purpose::STANDARD.encode(
            aftersale::domain::signing::hmac_sha256(secret.as_bytes(), body.as_bytes()),
        );
        let request = app
            .client
            .post(app.url("/hooks/shop/generic"))
            .header("X-Aftersale-Hmac-Sha256", signature)
            .body(body);
        async move { request.send().await.unwrap().status() }
    };
    let order = serde_json::json!({
        "id": "ext-9", "updated_at": "2026-12-01T10:00:00Z",
        "order": { "order_number": "IN-9", "placed_at": "2026-12-01 09:00",
                   "customer": { "name": "许晴" },
                   "lines": [{ "sku": "A", "product_name": "水杯", "quantity": -1, "unit_price_minor": 1000 }] }
    });
    assert_eq!(
        send(order.to_string()).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (cookie, _) = sign_in(&app, "agent@test.local").await;
    let (status, _) = page(&app, &cookie, "/console/inbound").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "agents do not see it");

    let (cookie, csrf) = sign_in(&app, "supervisor@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/inbound").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("失败") && html.contains("quantity"), "{html}");
    let (_, logged) = app
        .get("/api/v1/inbound?status=failed", common::SUPERVISOR)
        .await;
    let replay = format!(
        "/console/inbound/{}/replay",
        logged["items"][0]["id"].as_str().unwrap()
    );
    let response = post(&app, &cookie, &replay, &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "no CSRF token");
    let response = post(&app, &cookie, &replay, &[("csrf", &csrf)]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Still failing (nothing was fixed): applied again, failed again, said so.
    let (_, again) = app
        .get("/api/v1/inbound?status=failed", common::SUPERVISOR)
        .await;
    assert_eq!(again["items"].as_array().unwrap().len(), 1);
    let (_, english) = page(&app, &cookie, "/console/inbound?lang=en-US").await;
    assert!(
        english.contains("Apply again") && english.contains("Failed"),
        "{english}"
    );
}

/// Every form the console posts goes through one CSRF check: without the session's token each
/// is refused with 403 and changes nothing.
#[tokio::test]
async fn every_console_form_needs_the_session_token() {
    let app = TestApp::start().await;
    app.order("CSRF-1").await;
    let case = app.case("CSRF-1", "refund_only", "颜色不对").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, _) = sign_in(&app, "admin@test.local").await;
    let paths = [
        "/logout".to_string(),
        "/console/shop".into(),
        "/console/bulk".into(),
        "/console/views".into(),
        "/console/views/some-view/delete".into(),
        format!("/console/cases/{id}/actions"),
        format!("/console/cases/{id}/refunds"),
        format!("/console/cases/{id}/messages"),
        format!("/console/cases/{id}/changes"),
        format!("/console/cases/{id}/checklist/photos"),
        "/console/follow-ups/some-task/done".into(),
        "/console/inbound/some-delivery/replay".into(),
        format!(
            "/console/orders/{}/cases",
            case["order_id"].as_str().unwrap()
        ),
        "/console/receiving".into(),
        "/console/settings/general".into(),
        "/console/settings/templates".into(),
        "/console/settings/reasons".into(),
        "/console/settings/staff".into(),
        "/console/settings/staff/someone/role".into(),
        "/console/settings/staff/someone/remove".into(),
        "/console/settings/documents".into(),
        "/console/tokens".into(),
        "/console/tokens/some-token/revoke".into(),
        "/console/invitations/some-shop/accept".into(),
        "/console/invitations/some-shop/decline".into(),
    ];
    for path in &paths {
        for csrf in [None, Some("forged")] {
            let mut form = vec![("action", "approve"), ("version", "1"), ("body", "你好")];
            if let Some(csrf) = csrf {
                form.push(("csrf", csrf));
            }
            let response = post(&app, &cookie, path, &form).await;
            assert_eq!(
                response.status(),
                StatusCode::FORBIDDEN,
                "{path} with {csrf:?}"
            );
        }
    }
    let (_, after) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(after["version"], case["version"], "nothing changed");
    let (status, _) = page(&app, &cookie, "/console").await;
    assert_eq!(status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn a_discounted_order_in_its_own_currency_is_shown_and_refunded_from_the_console() {
    let app = TestApp::start().await;
    common::hooks::set_secret(&app, "shopify", "shpss_test").await;
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/payloads/shopify-order-discounts.json"
    ))
    .unwrap();
    let (status, answer) =
        common::hooks::deliver(&app, "shopify", "orders/create", &body, "shpss_test").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            serde_json::json!({
                "order_number": "1071", "kind": "refund_only", "reason_code": "quality",
                "description": "表面有划痕", "lines": [{ "line_number": 1 }],
                "contact": { "name": "陈先生", "phone": "13800138000" }
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    assert_eq!(case["currency"], "HKD");
    app.act(id, AGENT, "approve", serde_json::json!({})).await;

    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("HK$99.00 × 1 − 优惠 HK$19.10 = HK$79.90"),
        "the line's price breakdown: {html}"
    );
    assert!(!html.contains('¥'), "nothing in the shop's yuan: {html}");
    assert!(html.contains("name=\"amount_1\"") && html.contains("value=\"79.90\""));
    assert!(html.contains("name=\"shipping\"") && html.contains("value=\"0.00\""));
    let (_, order_page) = page(
        &app,
        &cookie,
        &format!("/console/orders/{}", case["order_id"].as_str().unwrap()),
    )
    .await;
    assert!(order_page.contains("0124D −HK$29.10"), "{order_page}");
    assert!(order_page.contains("HK$186.90"), "{order_page}");

    // The list price is refused, with the typed amount kept; what was paid goes through.
    let path = format!("/console/cases/{id}/refunds");
    let refused = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("key", hidden(&html, "key").as_str()),
            ("amount_1", "99.00"),
            ("shipping", ""),
            ("method", "original"),
        ],
    )
    .await;
    assert!(!refused.status().is_redirection(), "{}", refused.status());
    assert!(refused.text().await.unwrap().contains("value=\"99.00\""));
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let done = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", csrf.as_str()),
            ("key", hidden(&html, "key").as_str()),
            ("amount_1", "79.90"),
            ("shipping", "0"),
            ("method", "original"),
        ],
    )
    .await;
    assert!(done.status().is_redirection(), "{}", done.status());
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"][0]["amount_minor"], 7990, "{refunds}");
    assert_eq!(refunds["items"][0]["currency"], "HKD");
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(html.contains("HK$79.90"), "{html}");
    // The shop pays by hand (the manual provider): to be paid until confirmed with a reference.
    assert!(html.contains("待付款"), "{html}");
    let refund_id = refunds["items"][0]["id"].as_str().unwrap();
    let settle = format!("/console/cases/{id}/refunds/{refund_id}/settle");
    let refused = post(
        &app,
        &cookie,
        &settle,
        &[
            ("csrf", csrf.as_str()),
            ("status", "succeeded"),
            ("reference", ""),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let paid = post(
        &app,
        &cookie,
        &settle,
        &[
            ("csrf", csrf.as_str()),
            ("status", "succeeded"),
            ("reference", "FPS-20250124-001"),
        ],
    )
    .await;
    assert!(paid.status().is_redirection(), "{}", paid.status());
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("已付款") && html.contains("FPS-20250124-001"),
        "{html}"
    );
    let (_, refunds) = app.get(&format!("/api/v1/cases/{id}/refunds"), AGENT).await;
    assert_eq!(refunds["items"][0]["status"], "succeeded");
}

#[tokio::test]
async fn the_audit_page_lists_changes_and_restores_a_version_and_a_waiting_customer_shows() {
    let app = TestApp::start().await;
    for address in ["旧地址 1 号", "新地址 2 号"] {
        let (status, body) = app
            .call(
                reqwest::Method::PATCH,
                "/api/v1/settings",
                SUPERVISOR,
                Some(serde_json::json!({ "return_address": address })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (cookie, csrf) = sign_in(&app, "supervisor@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("保存设置") && html.contains("旧地址 1 号") && !html.contains("从版本"),
        "{html}"
    );
    let restored = post(
        &app,
        &cookie,
        "/console/audit/versions/2/restore",
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    let (_, settings) = app.get("/api/v1/settings", SUPERVISOR).await;
    assert_eq!(settings["return_address"], "旧地址 1 号");
    let (_, html) = page(&app, &cookie, "/console/audit?restored=2").await;
    assert!(html.contains("从版本 2 恢复"), "{html}");
    // Agents neither read the log nor restore.
    let (agent, agent_csrf) = sign_in(&app, "agent@test.local").await;
    let (status, _) = page(&app, &agent, "/console/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let refused = post(
        &app,
        &agent,
        "/console/audit/versions/1/restore",
        &[("csrf", &agent_csrf)],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // A customer's unanswered message shows on the case page, and closing asks first.
    app.order("CON-AUD").await;
    let case = app.case("CON-AUD", "consultation", "发票").await;
    let id = case["id"].as_str().unwrap();
    let customer = aftersale::db::shops::Actor {
        shop: aftersale::db::shops::find_shop_by_slug(&app.database.reader, "shop")
            .await
            .unwrap()
            .unwrap(),
        role: aftersale::domain::Role::Customer,
        staff_id: None,
    };
    aftersale::operations::cases::post_message(
        &app.database,
        &customer,
        id,
        aftersale::operations::cases::Visibility::Customer,
        "请问发票开好了吗？",
    )
    .await
    .unwrap();
    let (_, html) = page(&app, &agent, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("id=\"customer-waiting\"") && html.contains("name=\"close_unanswered\""),
        "{html}"
    );
    let (_, queue) = page(&app, &agent, "/console").await;
    assert!(queue.contains("买家已回复"), "the queue marks it");
}

/// Clocks and SLA targets are forms: each clock's wait and switch, the targets per priority and
/// the working hours; a wrong value is named in a sentence with what was typed kept; what the
/// forms do not show (a platform's own clock) is left as it was.
#[tokio::test]
async fn clocks_and_sla_targets_are_set_with_forms() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(serde_json::json!({ "clocks": { "taobao": { "refund_unanswered": { "hours": 36 } } } })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (cookie, csrf) = sign_in(&app, "supervisor@test.local").await;
    let (_, html) = page(&app, &cookie, "/console/settings").await;
    assert!(
        html.contains("结果已交付 → 自动关闭并邀请评价"),
        "a clock in words"
    );
    assert!(
        html.contains("placeholder=\"168\""),
        "the default wait is shown"
    );

    // Every clock ticked but the reminder; the close after three days.
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
    for code in [
        "refund_unanswered",
        "return_unanswered",
        "return_not_shipped",
        "return_not_confirmed",
        "replacement_not_confirmed",
        "approved_not_refunded",
        "return_not_arrived",
        "customer_abandoned",
        "auto_close",
    ] {
        form.push((format!("clock_{code}_enabled"), "1".into()));
    }
    form.push(("clock_auto_close_hours".into(), "72".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let response = post(&app, &cookie, "/console/settings/clocks", &pairs).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(
        settings["clocks"]["default"]["auto_close"]["hours"], 72,
        "{settings}"
    );
    assert_eq!(
        settings["clocks"]["default"]["customer_reminder"]["enabled"],
        false
    );
    assert!(
        settings["clocks"]["default"]["return_unanswered"].is_null(),
        "{settings}"
    );
    assert_eq!(
        settings["clocks"]["taobao"]["refund_unanswered"]["hours"],
        36
    );

    // Not a number of hours: said in words, what was typed kept, nothing saved.
    let mut wrong = pairs.clone();
    wrong.retain(|(name, _)| *name != "clock_auto_close_hours");
    wrong.push(("clock_auto_close_hours", "三天"));
    let response = post(&app, &cookie, "/console/settings/clocks", &wrong).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("「三天」不是有效的小时数"),
        "{}",
        between(&html, "role=\"alert\"", "</p>")
    );
    assert!(html.contains("value=\"三天\""));
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(settings["clocks"]["default"]["auto_close"]["hours"], 72);

    // SLA: every hour counts, urgent cases answered within an hour and solved within four.
    let sla = [
        ("csrf", csrf.as_str()),
        ("hours", "calendar"),
        ("opens", "08:30"),
        ("closes", "22:00"),
        ("sla_any_first", "8"),
        ("sla_any_resolution", "48"),
        ("sla_urgent_first", "1"),
        ("sla_urgent_resolution", "4"),
    ];
    let response = post(&app, &cookie, "/console/settings/sla", &sla).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    assert_eq!(settings["sla"]["hours"], "calendar", "{settings}");
    assert_eq!(settings["sla"]["opens"], "08:30:00");
    let targets = settings["sla"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 2, "{targets:?}");
    assert!(targets.iter().any(|target| target["priority"] == "urgent"
        && target["first_response_hours"] == 1
        && target["resolution_hours"] == 4));
    // Half a target, or closing before opening, is refused in words.
    let mut half = sla.to_vec();
    half.push(("sla_high_first", "2"));
    let response = post(&app, &cookie, "/console/settings/sla", &half).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.text().await.unwrap().contains("要同时填写"));
    let mut backwards = sla.to_vec();
    backwards.retain(|(name, _)| *name != "closes");
    backwards.push(("closes", "07:00"));
    let response = post(&app, &cookie, "/console/settings/sla", &backwards).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// A macro: a template that replies, then takes an action and adds a tag. The action is checked
/// against the page's version before anything is sent; one that fails after the reply went out
/// says so, and the reply is not offered again.
#[tokio::test]
async fn a_macro_replies_acts_and_tags_in_one_go() {
    let app = TestApp::start().await;
    let (status, body) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(serde_json::json!({ "reply_templates": [
                { "name": "同意退货", "body": "您好，已同意，请寄回。", "action": "approve", "tag": "已回复" }
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .call(
            reqwest::Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(serde_json::json!({ "reply_templates": [
                { "name": "退款", "body": "退了", "action": "refund" }
            ]})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a refund needs its amounts"
    );
    app.order("MAC-1").await;
    let case = app.case("MAC-1", "return_and_refund", "不想要了").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let path = format!("/console/cases/{id}");
    let (_, html) = page(&app, &cookie, &path).await;
    assert!(
        html.contains("data-action=\"approve\" data-tag=\"已回复\""),
        "the macro is offered"
    );
    let messages = format!("{path}/messages");

    // The page is out of date: nothing is sent.
    let stale = post(
        &app,
        &cookie,
        &messages,
        &[
            ("csrf", &csrf),
            ("body", "您好"),
            ("version", "99"),
            ("then_action", "approve"),
        ],
    )
    .await;
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let (_, timeline) = app
        .get(&format!("/api/v1/cases/{id}/messages"), AGENT)
        .await;
    assert_eq!(timeline["items"].as_array().unwrap().len(), 0, "{timeline}");

    let version = case["version"].to_string();
    let done = post(
        &app,
        &cookie,
        &messages,
        &[
            ("csrf", &csrf),
            ("body", "您好，已同意，请寄回。"),
            ("version", &version),
            ("then_action", "approve"),
            ("then_tag", "已回复"),
        ],
    )
    .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (_, after) = app.get(&format!("/api/v1/cases/{id}"), AGENT).await;
    assert_eq!(after["status"], "approved", "{after}");
    assert_eq!(after["tags"], serde_json::json!(["已回复"]));

    // An action the case does not allow now (resolving an approved return): the reply went out
    // and the page says why the action did not.
    let version = after["version"].to_string();
    let partly = post(
        &app,
        &cookie,
        &messages,
        &[
            ("csrf", &csrf),
            ("body", "再提醒一次"),
            ("version", &version),
            ("then_action", "resolve"),
        ],
    )
    .await;
    assert_eq!(partly.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = partly.text().await.unwrap();
    assert!(
        html.contains("回复已发送给买家"),
        "{}",
        between(&html, "id=\"refused\"", "</p>")
    );
    assert!(
        !html.contains(">再提醒一次</textarea>"),
        "the reply is not offered again"
    );
    let (_, timeline) = app
        .get(&format!("/api/v1/cases/{id}/messages"), AGENT)
        .await;
    assert_eq!(timeline["items"].as_array().unwrap().len(), 2, "{timeline}");
}

/// The console's error pages speak the reader's language.
#[tokio::test]
async fn error_pages_are_in_the_readers_language() {
    let app = TestApp::start().await;
    let (cookie, _) = sign_in(&app, "agent@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/cases/no-such-case").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("lang=\"zh-CN\"") && html.contains("出错了"),
        "{html}"
    );
    let (status, html) = page(&app, &cookie, "/console/cases/no-such-case?lang=en").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        html.contains("lang=\"en-US\"")
            && html.contains("Something went wrong")
            && !html.contains("出错了"),
        "{html}"
    );
    let (status, html) = page(&app, &cookie, "/console/settings?lang=en").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("Something went wrong"), "{html}");
}

/// A year the clocks reach without a published calendar is a warning on every manager's page
/// (never an agent's), until a manager adds that year from the State Council's notice; a line
/// that cannot be read is named with what was typed kept.
#[tokio::test]
async fn a_missing_calendar_year_is_said_until_it_is_added() {
    let app = TestApp::start().await;
    let (cookie, csrf) = sign_in(&app, "supervisor@test.local").await;
    let today = jiff::Timestamp::from_microsecond(app.database.clock.now())
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    let missing = aftersale::domain::calendar::WorkingCalendar::china().unknown_years(today);
    let (_, queue) = page(&app, &cookie, "/console").await;
    assert_eq!(
        queue.contains("id=\"calendar-warning\""),
        !missing.is_empty(),
        "missing years: {missing:?}"
    );
    for year in &missing {
        assert!(queue.contains(&format!("{year} 年的节假日安排")), "{queue}");
    }
    let (agent_cookie, _) = sign_in(&app, "agent@test.local").await;
    assert!(
        !page(&app, &agent_cookie, "/console")
            .await
            .1
            .contains("calendar-warning")
    );

    // One year from the form: its days off, one per line, and the weekend days worked.
    let save = async |year: &str, holidays: &str, makeup: &str| {
        let form = [
            ("csrf", csrf.as_str()),
            ("year", year),
            ("holidays", holidays),
            ("makeup", makeup),
        ];
        let response = post(&app, &cookie, "/console/settings/calendar", &form).await;
        (response.status(), response.text().await.unwrap())
    };
    // A line that is not a holiday: said, with what was typed kept, nothing saved.
    let (status, html) = save("2031", "元旦 2031-01-01\n春节 2031-02-30", "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("「2031-02-30」不是日期"),
        "{}",
        between(&html, "id=\"refused\"", "</p>")
    );
    assert!(html.contains("春节 2031-02-30"), "what was typed is kept");
    let (_, html) = save("2031", "春节 下周", "").await;
    assert!(html.contains("第 1 行「春节 下周」看不懂"));
    let (status, html) = save("2031", "元旦 2031-01-01", "2031-01-06").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是周六或周日"));

    // Each missing year added (one holiday is enough to know the year), the warning goes.
    for year in missing.iter().chain([&2031]) {
        let holidays =
            format!("元旦 {year}-01-01 {year}-01-03\nSpring Festival {year}-02-10 {year}-02-16");
        let (status, _) = save(&year.to_string(), &holidays, "").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (_, settings) = app.get("/api/v1/settings", AGENT).await;
    let own = &settings["sla"]["calendar"]["years"]["2031"]["holidays"];
    assert_eq!(own[1]["name"], "Spring Festival", "{settings}");
    assert_eq!(own[1]["end"], "2031-02-16");
    let (_, html) = page(&app, &cookie, "/console/settings").await;
    assert!(!html.contains("id=\"calendar-warning\""));
    assert!(
        html.contains("<strong>2026</strong>"),
        "the shipped years stay"
    );
}

#[tokio::test]
async fn the_case_page_shows_the_platforms_record_and_what_to_do_there() {
    let app = TestApp::start().await;
    app.order("TB-C1").await;
    let case = app.case("TB-C1", "return_and_refund", "耳机没有声音").await;
    let id = case["id"].as_str().unwrap();
    let (status, record) = app
        .post(
            "/api/v1/aftersales",
            common::AGENT,
            serde_json::json!({
                "platform": "tmall", "refund_id": "RF-C1", "order_number": "TB-C1",
                "status": "WAIT_SELLER_AGREE", "version": 100,
                "timeout": "2026-12-08 10:00:00"
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{record}");
    let (cookie, _) = sign_in(&app, "agent@test.local").await;
    let (status, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let section = &html[html
        .find("id=\"platform-aftersales\"")
        .expect("the records' table")..];
    assert!(section.contains("天猫 RF-C1"), "{section}");
    assert!(section.contains("待商家处理"), "{section}");
    assert!(
        section.contains("在平台上同意或拒绝这个售后申请"),
        "{section}"
    );
    assert!(section.contains("2026-12-08 10:00"), "{section}");
    let (_, english) = page(&app, &cookie, &format!("/console/cases/{id}?lang=en")).await;
    assert!(
        english.contains("Agree to or refuse this request on the platform"),
        "the English page"
    );
}

#[tokio::test]
async fn a_dispute_is_recorded_stepped_and_packed_from_the_case_page() {
    let app = TestApp::start().await;
    app.order("TB-Z1").await;
    let case = app.case("TB-Z1", "refund_only", "没收到货").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(html.contains("登记平台介入"), "the form to open one");
    // The reject form offers the request refusal's reasons.
    assert!(
        html.contains("拒绝原因（平台列表）"),
        "the refusal's reasons"
    );
    assert!(html.contains("value=\"not_as_described\""));

    // Without a reason: the page again, the reason said, what was typed kept.
    let refused = post(
        &app,
        &cookie,
        &format!("/console/cases/{id}/disputes"),
        &[("csrf", &csrf), ("reason", ""), ("dispute_id", "TBJR-1")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = refused.text().await.unwrap();
    assert!(body.contains("value=\"TBJR-1\""), "typed kept");

    let opened = post(
        &app,
        &cookie,
        &format!("/console/cases/{id}/disputes"),
        &[
            ("csrf", &csrf),
            ("reason", "买家申请淘宝介入"),
            ("dispute_id", "TBJR-1"),
            ("opened_at", "2026-12-07 10:00"),
        ],
    )
    .await;
    assert_eq!(opened.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}?done=dispute")).await;
    let section = &html[html.find("id=\"disputes\"").expect("the disputes part")..];
    assert!(section.contains("tmall TBJR-1 · 待商家答复"), "{section}");
    assert!(section.contains("2026-12-08 10:00"), "{section}");
    assert!(section.contains("缺少"), "{section}");
    assert!(
        !section.contains("登记平台介入"),
        "one open dispute at a time"
    );
    assert_eq!(hidden(section, "version"), "1", "the dispute's version");
    let (_, disputes) = app
        .get(&format!("/api/v1/cases/{id}/disputes"), AGENT)
        .await;
    let dispute = disputes[0]["id"].as_str().unwrap().to_string();

    // A penalty that is not an amount is refused next to the form; a good step goes through.
    let path = format!("/console/cases/{id}/disputes/{dispute}");
    let refused = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("version", "1"),
            ("step", "decided"),
            ("outcome", "seller"),
            ("penalty", "abc"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ruled = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("version", "1"),
            ("step", "decided"),
            ("outcome", "seller"),
            ("penalty", "5.00"),
            ("note", "买家未举证"),
        ],
    )
    .await;
    assert_eq!(ruled.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let section = &html[html.find("id=\"disputes\"").unwrap()..];
    assert!(section.contains("平台判定支持商家"), "{section}");
    assert!(section.contains("¥5.00"), "{section}");
    assert!(section.contains("可申诉至"), "{section}");

    let response = client()
        .get(app.url(&format!("/console/disputes/{dispute}/evidence")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert!(response.bytes().await.unwrap().starts_with(b"%PDF-"));
}

#[tokio::test]
async fn offers_are_made_and_withdrawn_from_the_case_page_with_their_history() {
    let app = TestApp::start().await;
    app.order("TB-O1").await;
    let case = app.case("TB-O1", "return_and_refund", "尺码不合适").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let path = format!("/console/cases/{id}/offers");
    // An amount that is not one keeps what was typed.
    let refused = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("kind", "partial_refund"),
            ("amount", "三十"),
            ("note", "商品不用退回"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .text()
            .await
            .unwrap()
            .contains("value=\"商品不用退回\"")
    );
    let made = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("kind", "return_address"),
            ("detail", "广州市白云区退货仓"),
        ],
    )
    .await;
    assert_eq!(made.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let section = &html[html.find("id=\"offer-history\"").expect("the history")..];
    assert!(section.contains("改寄更近的退货地址"), "{section}");
    assert!(section.contains("广州市白云区退货仓"), "{section}");
    assert!(section.contains("等待买家答复"), "{section}");
    let (_, offers) = app.get(&format!("/api/v1/cases/{id}/offers"), AGENT).await;
    let offer_id = offers["items"][0]["id"].as_str().unwrap();
    let withdrawn = post(
        &app,
        &cookie,
        &format!("/console/cases/{id}/offers/{offer_id}/withdraw"),
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(withdrawn.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(html.contains("已撤回"));
}

#[tokio::test]
async fn an_exchanges_replacement_is_chosen_and_its_difference_recorded_from_the_case_page() {
    let app = TestApp::start().await;
    app.order("TB-R1").await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            serde_json::json!({ "order_number": "TB-R1", "kind": "exchange", "reason_code": "size_colour",
                    "description": "换大一号", "lines": [{ "line_number": 2, "quantity": 1 }],
                    "contact": { "name": "王小明", "phone": "13800138000" } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let path = format!("/console/cases/{id}/replacement");
    let refused = post(
        &app,
        &cookie,
        &path,
        &[("csrf", &csrf), ("sku", "TS-2-L"), ("price", "六十")],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text().await.unwrap().contains("value=\"TS-2-L\""),
        "typed kept"
    );
    let chosen = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("sku", "TS-2-L"),
            ("product_name", "纯棉T恤 L"),
            ("price", "60.00"),
        ],
    )
    .await;
    assert_eq!(chosen.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let section = &html[html
        .find("id=\"replacement\"")
        .expect("the replacement part")..];
    assert!(section.contains("纯棉T恤 L"), "{section}");
    assert!(section.contains("买家需补差价 ¥15.00"), "{section}");
    let paid = post(
        &app,
        &cookie,
        &format!("{path}/settle"),
        &[("csrf", &csrf), ("how", "paid"), ("reference", "ALIPAY-1")],
    )
    .await;
    assert_eq!(paid.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let section = &html[html.find("id=\"replacement\"").unwrap()..];
    assert!(section.contains("已付款"), "{section}");
}

#[tokio::test]
async fn orders_are_imported_from_the_console_with_a_mapping_step_for_an_unknown_layout() {
    let app = TestApp::start().await;
    let (cookie, csrf) = sign_in(&app, "supervisor@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/orders/import").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"upload\""));
    let send = |form: reqwest::multipart::Form| {
        client()
            .post(app.url("/console/orders/import"))
            .header(COOKIE, cookie.clone())
            .multipart(form)
            .send()
    };
    // A layout nobody knows: the mapping step lists its headers and keeps the file.
    let csv = "单号,时间,名称,件数,价格\nSELF-1001,2026-11-20 10:00,保温杯,2,59.00\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "files",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("自建商城.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let response = send(form).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"mapping\""), "the mapping step");
    assert!(html.contains(">件数</label>"), "{html}");
    let kept = hidden(&html, "kept");
    assert!(!kept.is_empty(), "the file waits in the form");
    // Mapped and saved under a name: imported.
    let mut form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .text("kept", kept)
        .text("file_name", "自建商城.csv")
        .text("save_as", "自建商城");
    for (index, (header, column)) in [
        ("单号", "order_number"),
        ("时间", "placed_at"),
        ("名称", "product_name"),
        ("件数", "quantity"),
        ("价格", "unit_price"),
    ]
    .into_iter()
    .enumerate()
    {
        form = form
            .text(format!("header_{index}"), header)
            .text(format!("column_{index}"), column);
    }
    let response = send(form).await.unwrap();
    let status = response.status();
    let html = response.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"import-report\""), "{html}");
    let (_, order) = app.get("/api/v1/orders/SELF-1001", AGENT).await;
    assert_eq!(order["lines"][0]["quantity"], 2, "{order}");
    assert_eq!(order["lines"][0]["unit_price_minor"], 5900);
    // Next time the same headers are recognised by the saved name.
    let again = "单号,时间,名称,件数,价格\nSELF-1002,2026-11-21 10:00,保温杯,1,59.00\n";
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part(
            "files",
            reqwest::multipart::Part::bytes(again.as_bytes().to_vec())
                .file_name("again.csv")
                .mime_str("text/csv")
                .unwrap(),
        );
    let response = send(form).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.text().await.unwrap().contains("自建商城"),
        "read as the saved mapping"
    );
    app.get("/api/v1/orders/SELF-1002", AGENT).await;
}

#[tokio::test]
async fn costs_are_booked_and_corrected_from_the_case_page() {
    let app = TestApp::start().await;
    app.order("TB-C1").await;
    let case = app.case("TB-C1", "repair", "屏幕不亮").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let path = format!("/console/cases/{id}/costs");
    // An amount that is not one keeps what was typed.
    let refused = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("kind", "repair_parts"),
            ("payer", "shop"),
            ("amount", "二十五"),
            ("note", "屏幕排线"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("value=\"屏幕排线\""));
    let booked = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("kind", "repair_parts"),
            ("payer", "shop"),
            ("amount", "25.00"),
            ("note", "屏幕排线"),
        ],
    )
    .await;
    assert_eq!(booked.status(), StatusCode::SEE_OTHER);
    let (_, ledger) = app.get(&format!("/api/v1/cases/{id}/costs"), AGENT).await;
    let entry = ledger["entries"][0]["id"].as_str().unwrap().to_string();
    let corrected = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("corrects", &entry),
            ("amount", "-5.00"),
            ("note", "供应商发票 ¥20.00"),
        ],
    )
    .await;
    assert_eq!(corrected.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    let section = &html[html.find("id=\"costs\"").expect("the ledger")..];
    assert!(section.contains("维修配件"), "{section}");
    assert!(section.contains("¥25.00"), "{section}");
    assert!(section.contains("供应商发票 ¥20.00"), "{section}");
    let total = &section[section.find("id=\"cost-total\"").unwrap()..];
    assert!(total.starts_with("id=\"cost-total\">¥20.00<"), "{total}");
}

#[tokio::test]
async fn the_cost_report_groups_sorts_charts_and_exports() {
    let app = TestApp::start().await;
    for (number, kind, amount) in [("TB-CR1", "repair", 2500), ("TB-CR2", "exchange", 900)] {
        app.order(number).await;
        let case = app.case(number, kind, "费用").await;
        let (status, body) = app
            .post(
                &format!("/api/v1/cases/{}/costs", case["id"].as_str().unwrap()),
                AGENT,
                serde_json::json!({ "kind": "repair_parts", "amount_minor": amount }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (cookie, _) = sign_in(&app, "agent@test.local").await;
    let (status, html) = page(&app, &cookie, "/console/reports/costs?by=case_kind").await;
    assert_eq!(status, StatusCode::OK);
    let table = &html[html.find("id=\"report-table\"").expect("the table")..];
    let repair = table.find("维修").expect("repair row");
    let exchange = table.find("换货").expect("exchange row");
    assert!(repair < exchange, "the costliest first: {table}");
    assert!(table.contains("¥25.00"), "{table}");
    assert!(html.contains("<svg role=\"img\""), "the chart");
    assert!(html.contains("¥34.00"), "the total");
    let (_, html) = page(
        &app,
        &cookie,
        "/console/reports/costs?by=case_kind&sort=cost&dir=asc",
    )
    .await;
    let table = &html[html.find("id=\"report-table\"").unwrap()..];
    assert!(
        table.find("换货").unwrap() < table.find("维修").unwrap(),
        "ascending: {table}"
    );
    let (status, html) = page(&app, &cookie, "/console/reports/costs?from=2026-13-40").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("value=\"2026-13-40\""),
        "what was typed is kept"
    );
    let csv = client()
        .get(app.url("/console/reports/costs.csv?by=case_kind"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(text.contains("repair,,CNY,1,1,2500"), "{text}");
}

#[tokio::test]
async fn the_invoice_is_recorded_on_the_order_page_and_its_credit_note_stepped_by_the_accountant() {
    let app = TestApp::start().await;
    let order = app.order("TB-IV1").await;
    let order_id = order["order"]["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let path = format!("/console/orders/{order_id}/invoice");
    let refused = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("invoice_number", "26442000000000000777"),
            ("issued_on", "2026-11-31"),
            ("invoice_kind", "digital_normal"),
            ("buyer_title", "王小明"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = refused.text().await.unwrap();
    assert!(html.contains("value=\"26442000000000000777\""), "kept");
    let saved = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("invoice_number", "26442000000000000777"),
            ("issued_on", "2026-11-03"),
            ("invoice_kind", "digital_normal"),
            ("buyer_title", "王小明"),
        ],
    )
    .await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/orders/{order_id}")).await;
    assert!(
        html.contains("id=\"current-invoice\">数电票（普通发票） 26442000000000000777"),
        "{html}"
    );

    let case = app.case("TB-IV1", "refund_only", "未收到货").await;
    let id = case["id"].as_str().unwrap();
    app.act(id, AGENT, "approve", serde_json::json!({})).await;
    let (status, body) = app.refund(id, "TB-IV1-r", serde_json::json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, html) = page(&app, &cookie, "/console/credit-notes").await;
    assert_eq!(status, StatusCode::OK);
    let list = &html[html.find("id=\"credit-notes\"").unwrap()..];
    assert!(
        list.contains("CN00000001") && list.contains("待开具") && list.contains("-¥289.00"),
        "{list}"
    );
    let (_, notes) = app.get("/api/v1/credit-notes", AGENT).await;
    let note_id = notes["credit_notes"][0]["id"].as_str().unwrap();
    let step = format!("/console/credit-notes/{note_id}/steps");
    let refused = post(
        &app,
        &cookie,
        &step,
        &[
            ("csrf", &csrf),
            ("version", "1"),
            ("step", "confirm"),
            ("number", "X"),
        ],
    )
    .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT, "nothing to confirm");
    let issued = post(
        &app,
        &cookie,
        &step,
        &[
            ("csrf", &csrf),
            ("version", "1"),
            ("step", "issue"),
            ("number", "26442000000000000888"),
        ],
    )
    .await;
    assert_eq!(issued.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, "/console/credit-notes").await;
    assert!(html.contains("已开具红字发票") && html.contains("26442000000000000888"));
    let pdf = client()
        .get(app.url(&format!("/console/credit-notes/{note_id}.pdf")))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF-"));
    let csv = client()
        .get(app.url("/console/credit-notes/credit-notes.csv"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(csv.contains("credit_note,CN00000001,"), "{csv}");
}

#[tokio::test]
async fn an_exchange_records_its_invoice_reissue_from_the_case_page() {
    let app = TestApp::start().await;
    app.order("TB-IV2").await;
    let (status, body) = app
        .call(
            reqwest::Method::PUT,
            "/api/v1/orders/TB-IV2/invoice",
            AGENT,
            Some(serde_json::json!({ "number": "INV-OLD", "issued_on": "2026-11-03", "kind": "paper_normal", "buyer_title": "王小明" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let case = app.case("TB-IV2", "exchange", "换大一号").await;
    let id = case["id"].as_str().unwrap();
    let (cookie, csrf) = sign_in(&app, "agent@test.local").await;
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(
        html.contains("纸质普通发票 INV-OLD"),
        "the order's invoice on the case page"
    );
    let path = format!("/console/cases/{id}/invoice");
    let refused = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("invoice_action", "reissued"),
            ("new_number", "INV-NEW"),
            ("new_kind", "digital_normal"),
            ("new_buyer_title", "王小明"),
            ("new_issued_on", ""),
        ],
    )
    .await;
    assert_eq!(
        refused.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "the day is missing"
    );
    assert!(
        refused.text().await.unwrap().contains("value=\"INV-NEW\""),
        "kept"
    );
    let done = post(
        &app,
        &cookie,
        &path,
        &[
            ("csrf", &csrf),
            ("invoice_action", "reissued"),
            ("new_number", "INV-NEW"),
            ("new_kind", "digital_normal"),
            ("new_buyer_title", "王小明"),
            ("new_issued_on", "2026-12-06"),
        ],
    )
    .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let (_, html) = page(&app, &cookie, &format!("/console/cases/{id}")).await;
    assert!(html.contains("发票已换开 INV-OLD → INV-NEW"), "{html}");
    assert!(
        html.contains("数电票（普通发票） INV-NEW"),
        "the new one is the order's"
    );
}
