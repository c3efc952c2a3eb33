//! The service under attack and under crashes (docs/SECURITY.md): idempotency keys cut off by
//! a kill, tokens of demoted and removed members, webhooks aimed inside the network, internal
//! refund keys, control characters, large bodies without a token, headers and cookies.

mod common;

use std::time::Duration;

use common::process::{self, AGENT as DEMO_AGENT};
use common::{ADMIN, AGENT, SUPERVISOR, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Sends a POST with a key, retrying while the key is held (409 in progress) or the server is
/// away; returns the final status and body.
async fn post_until_answered(
    base: &str,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let sent = client
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await;
        if let Ok(response) = sent {
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            if !(status == StatusCode::CONFLICT
                && body["error"]["code"] == "idempotency_key_in_progress")
            {
                return (status, body);
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{path} with key {key} was never answered");
}

/// GET as `token`, the JSON answer.
async fn get_json(client: &reqwest::Client, url: String, token: &str) -> Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn keys_cut_off_by_a_kill_are_recovered_and_each_effect_happens_once() {
    let (url, _directory) = process::database_url();
    let variables = [("APP_IDEMPOTENCY_LEASE_SECONDS", "1")];
    let mut first = process::start(&url, &variables).await;
    let token = process::token_for_base(&first.base, DEMO_AGENT);
    let client = reqwest::Client::new();
    // Twenty orders, ten with an approved refund-only case to refund, ten to open cases on.
    let mut refundable = Vec::new();
    for index in 0..20 {
        let number = format!("KILL-{index}");
        let response = client
            .post(format!("{}/api/v1/orders", first.base))
            .bearer_auth(&token)
            .json(&json!({
                "order_number": number, "platform": "taobao", "placed_at": "2026-11-20 10:00",
                "customer": { "name": "韩梅梅", "phone": "13700137000" },
                "lines": [{ "sku": "K-1", "product_name": "台灯", "quantity": 2, "unit_price_minor": 12900 }]
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        if index < 10 {
            let case: Value = client
                .post(format!("{}/api/v1/cases", first.base))
                .bearer_auth(&token)
                .json(&json!({ "order_number": number, "kind": "refund_only", "reason_code": "no_reason",
                               "description": "不想要了", "lines": [{ "line_number": 1 }] }))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id = case["id"].as_str().unwrap().to_string();
            let current =
                get_json(&client, format!("{}/api/v1/cases/{id}", first.base), &token).await;
            let approved = client
                .post(format!("{}/api/v1/cases/{id}/transitions", first.base))
                .bearer_auth(&token)
                .json(&json!({ "action": "approve", "version": current["version"] }))
                .send()
                .await
                .unwrap();
            assert_eq!(
                approved.status(),
                StatusCode::OK,
                "{:?}",
                approved.text().await
            );
            refundable.push(id);
        }
    }
    let refund_body = json!({ "lines": [{ "line_number": 1, "amount_minor": 5000 }] });
    let creation = |index: usize| {
        json!({ "order_number": format!("KILL-{index}"), "kind": "return_and_refund",
                "reason_code": "no_reason", "description": "不合适", "lines": [{ "line_number": 1 }] })
    };
    // Everything at once; the server is killed while they run.
    let mut running = Vec::new();
    for (index, id) in refundable.iter().enumerate() {
        let (base, token, body) = (first.base.clone(), token.clone(), refund_body.clone());
        let path = format!("/api/v1/cases/{id}/refunds");
        running.push(tokio::spawn(async move {
            let _ = reqwest::Client::new()
                .post(format!("{base}{path}"))
                .bearer_auth(token)
                .header("Idempotency-Key", format!("refund-{index}"))
                .json(&body)
                .send()
                .await;
        }));
    }
    for index in 10..20 {
        let (base, token, body) = (first.base.clone(), token.clone(), creation(index));
        running.push(tokio::spawn(async move {
            let _ = reqwest::Client::new()
                .post(format!("{base}/api/v1/cases"))
                .bearer_auth(token)
                .header("Idempotency-Key", format!("create-{index}"))
                .json(&body)
                .send()
                .await;
        }));
    }
    tokio::time::sleep(Duration::from_millis(30)).await;
    first.kill();
    for task in running {
        let _ = task.await;
    }

    // Started again: every retry with the same key is answered, and nothing happened twice.
    let second = process::start(&url, &variables).await;
    for (index, id) in refundable.iter().enumerate() {
        let path = format!("/api/v1/cases/{id}/refunds");
        let (status, refund) = post_until_answered(
            &second.base,
            &token,
            &path,
            &format!("refund-{index}"),
            &refund_body,
        )
        .await;
        assert!(status.is_success(), "refund {index}: {status} {refund}");
        assert_eq!(
            refund["idempotency_key"],
            format!("refund-{index}"),
            "{refund}"
        );
        let refunds = get_json(&client, format!("{}{path}", second.base), &token).await;
        assert_eq!(
            refunds["items"].as_array().unwrap().len(),
            1,
            "case {id} refunded once: {refunds}"
        );
    }
    for index in 10..20 {
        let (status, case) = post_until_answered(
            &second.base,
            &token,
            "/api/v1/cases",
            &format!("create-{index}"),
            &creation(index),
        )
        .await;
        assert!(status.is_success(), "creation {index}: {status} {case}");
        let cases = get_json(
            &client,
            format!("{}/api/v1/orders/KILL-{index}/cases", second.base),
            &token,
        )
        .await;
        let count = cases
            .as_array()
            .or_else(|| cases["items"].as_array())
            .unwrap()
            .len();
        assert_eq!(count, 1, "order KILL-{index} has one case: {cases}");
        // Asked again, the same case comes back.
        let (again, replayed) = post_until_answered(
            &second.base,
            &token,
            "/api/v1/cases",
            &format!("create-{index}"),
            &creation(index),
        )
        .await;
        assert!(again.is_success());
        assert_eq!(replayed["id"], case["id"]);
    }
}

/// An order with an approved refund-only case about its first line; the case's id.
async fn approved_refund_case(app: &TestApp, order: &str) -> String {
    app.order(order).await;
    let (status, case) = app
        .post(
            "/api/v1/cases",
            AGENT,
            json!({ "order_number": order, "kind": "refund_only",
            "reason_code": "quality", "description": "坏了", "lines": [{ "line_number": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{case}");
    let id = case["id"].as_str().unwrap().to_string();
    let (status, approved) = app.act(&id, AGENT, "approve", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    id
}

#[tokio::test]
async fn a_held_key_answers_in_progress_until_its_lease_ends() {
    let app = TestApp::start_with(|config| config.idempotency_lease_seconds = 1).await;
    let id = &approved_refund_case(&app, "LEASE-1").await;
    let body = json!({ "lines": [{ "line_number": 1, "amount_minor": 1000 }] });
    let path = format!("/api/v1/cases/{id}/refunds");
    let send = || {
        app.client
            .post(app.url(&path))
            .bearer_auth(AGENT)
            .header("Idempotency-Key", "held")
            .json(&body)
            .send()
    };
    let done = send().await.unwrap();
    assert_eq!(done.status(), StatusCode::CREATED);
    // A request that died holding its key: make the finished key look like the row it left.
    sqlx::query(
        "UPDATE idempotency_keys SET status = NULL, response_body = NULL, lease_until = $1",
    )
    .bind(common::now() + 800_000)
    .execute(&app.database.writer)
    .await
    .unwrap();
    let held = send().await.unwrap();
    assert_eq!(held.status(), StatusCode::CONFLICT);
    let held: Value = held.json().await.unwrap();
    assert_eq!(held["error"]["code"], "idempotency_key_in_progress");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // The lease is over: the retry runs, finds the refund under its key, and pays nothing more.
    let recovered = send().await.unwrap();
    assert_eq!(recovered.status(), StatusCode::OK);
    let (_, refunds) = app.get(&path, AGENT).await;
    assert_eq!(refunds["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_client_cannot_take_the_apps_internal_refund_keys() {
    let app = TestApp::start().await;
    let id = &approved_refund_case(&app, "NS-1").await;
    let offer_id = "0190c0de-0000-7000-8000-000000000001";
    // The client sends the key the app uses when a customer accepts an offer …
    let (status, refund) = app
        .refund(
            id,
            &format!("offer:{offer_id}"),
            json!({ "lines": [{ "line_number": 1, "amount_minor": 1 }] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(refund["idempotency_key"], format!("offer:{offer_id}"));
    // … and it is stored in the API's own namespace, never as the app's key.
    let stored: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM refunds")
        .fetch_all(&app.database.reader)
        .await
        .unwrap();
    assert!(
        stored.iter().all(|key| key.starts_with("api:")),
        "{stored:?}"
    );
}

#[tokio::test]
async fn tokens_follow_their_owners_membership_and_can_be_revoked() {
    let app = TestApp::start().await;
    let webhook = json!({ "url": "https://hooks.example.com/aftersale" });
    let (status, _) = app.get("/api/v1/webhooks", SUPERVISOR).await;
    assert_eq!(status, StatusCode::OK);
    // The admin demotes the supervisor to agent: the same token can no longer manage webhooks.
    let reader = app.database.reader.clone();
    let id_of = |email: &'static str| {
        let reader = reader.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT id FROM staff WHERE email = $1")
                .bind(email)
                .fetch_one(&reader)
                .await
                .unwrap()
        }
    };
    let staff_id = id_of("supervisor@test.local").await;
    let admin = aftersale::db::shops::Actor {
        shop: aftersale::db::shops::find_shop_by_slug(&app.database.reader, "shop")
            .await
            .unwrap()
            .unwrap(),
        role: aftersale::domain::Role::Admin,
        staff_id: Some(id_of("admin@test.local").await),
    };
    aftersale::operations::settings::set_role(
        &app.database,
        &admin,
        &staff_id,
        aftersale::domain::Role::Agent,
    )
    .await
    .unwrap();
    let (status, _) = app
        .post("/api/v1/webhooks", SUPERVISOR, webhook.clone())
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "demotion takes effect at once"
    );
    // Removed from the shop: the token opens nothing.
    aftersale::operations::settings::remove_member(&app.database, &admin, &staff_id)
        .await
        .unwrap();
    let (status, _) = app.get("/api/v1/cases", SUPERVISOR).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "removal takes effect at once"
    );

    // Tokens as records: an agent makes one for a script, cannot make it stronger than itself.
    let (status, refused) = app
        .post(
            "/api/v1/tokens",
            AGENT,
            json!({ "name": "脚本", "role": "admin" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    let (status, made) = app
        .post(
            "/api/v1/tokens",
            AGENT,
            json!({ "name": "脚本", "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["token"].as_str().unwrap().to_string();
    assert_eq!(made["role"], "agent");
    assert!(made["expires_at"].is_string());
    let (status, _) = app.get("/api/v1/cases", &secret).await;
    assert_eq!(status, StatusCode::OK);
    // The agent sees their own tokens only, never a secret; the admin sees all of the shop's.
    let (_, mine) = app.get("/api/v1/tokens", AGENT).await;
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|token| token["staff_email"] == "agent@test.local")
    );
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|token| token.get("token").is_none())
    );
    let (_, all) = app.get("/api/v1/tokens", ADMIN).await;
    assert!(all["items"].as_array().unwrap().len() > mine["items"].as_array().unwrap().len());
    // The last use is noted in the background, off the request's path: wait for it.
    let mut used = Value::Null;
    for _ in 0..50 {
        let (_, mine) = app.get("/api/v1/tokens", AGENT).await;
        used = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|token| token["id"] == made["id"])
            .cloned()
            .unwrap();
        if used["last_used_at"].is_string() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        used["last_used_at"].is_string(),
        "the last use is noted: {used}"
    );
    // Another agent cannot revoke it; its owner can, and it stops at once.
    let path = format!("/api/v1/tokens/{}", made["id"].as_str().unwrap());
    let (status, _) = app
        .call(reqwest::Method::DELETE, &path, common::AGENT2, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, revoked) = app.call(reqwest::Method::DELETE, &path, AGENT, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revoked["revoked_at"].is_string());
    let (status, _) = app.get("/api/v1/cases", &secret).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The shop's own token belongs to no person; only admins make one.
    let (status, _) = app
        .post(
            "/api/v1/tokens",
            AGENT,
            json!({ "name": "ERP", "for_shop": true }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, shop_token) = app
        .post(
            "/api/v1/tokens",
            ADMIN,
            json!({ "name": "ERP", "for_shop": true, "role": "agent" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{shop_token}");
    assert!(shop_token["staff_email"].is_null());
}

#[tokio::test]
async fn webhooks_never_reach_inside_the_network() {
    let app = TestApp::start_with(|config| config.allow_private_targets = false).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://172.16.0.1/hook",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://2130706433/hook",
        "http://user:pass@example.com/hook",
        "ftp://example.com/hook",
    ] {
        let (status, body) = app
            .post("/api/v1/webhooks", SUPERVISOR, json!({ "url": url }))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
    }
    // One registered before (or whose name resolves differently now): refused at delivery, and
    // nothing of the internal service reaches the log.
    let (hook, received) = receiver().await;
    let local = hook.replace("127.0.0.1", "localhost");
    let (id,): (String,) = sqlx::query_as("SELECT id FROM shops WHERE slug = 'shop'")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    aftersale::db::deliveries::insert_endpoint(
        &app.database.writer,
        &aftersale::domain::identifiers::ShopId::from(id),
        &local,
        "secret",
        &["*".to_string()],
        common::now(),
    )
    .await
    .unwrap();
    app.order("SSRF-1").await;
    app.case("SSRF-1", "refund_only", "坏了").await;
    let channels = aftersale::operations::notifications::Channels::new(
        None,
        "店铺 <shop@test.local>",
        "https://shop.example",
    )
    .unwrap();
    aftersale::operations::notifications::run_once(&app.database, &channels, common::now())
        .await
        .unwrap();
    assert_eq!(
        *received.lock().unwrap(),
        0,
        "the internal receiver got nothing"
    );
    let (_, deliveries) = app.get("/api/v1/deliveries", SUPERVISOR).await;
    let text = deliveries.to_string();
    assert!(text.contains("refused"), "{text}");
}

/// A local HTTP receiver counting what it gets; returns its URL.
async fn receiver() -> (String, std::sync::Arc<std::sync::Mutex<usize>>) {
    let count = std::sync::Arc::new(std::sync::Mutex::new(0));
    let seen = count.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let seen = seen.clone();
            async move {
                *seen.lock().unwrap() += 1;
                "internal secret"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), count)
}

#[tokio::test]
async fn control_characters_are_refused_with_a_client_error_everywhere() {
    let app = TestApp::start().await;
    app.order("NUL-1").await;
    // The API: in JSON, raw or escaped, and in the URL.
    for description in ["a\u{0}b", "bell\u{7}", "esc\u{1b}[31m"] {
        let (status, body) = app
            .post("/api/v1/cases", AGENT, json!({ "order_number": "NUL-1", "kind": "refund_only",
                "reason_code": "quality", "description": description, "lines": [{ "line_number": 1 }] }))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{description:?}: {body}");
    }
    let (status, _) = app.get("/api/v1/cases?q=%00", AGENT).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // The portal's lookup, unauthenticated.
    let lookup = app
        .client
        .post(app.url("/portal/shop"))
        .form(&[("order_number", "NUL-1\u{0}"), ("contact", "13800138000")])
        .send()
        .await
        .unwrap();
    assert_eq!(lookup.status(), StatusCode::BAD_REQUEST);
    assert!(lookup.text().await.unwrap().contains("控制字符"));
    // The console's sign-in, and a path with an encoded line break.
    let login = app
        .client
        .post(app.url("/login"))
        .form(&[("email", "a\u{0}@test.local"), ("password", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::BAD_REQUEST);
    let path = app
        .client
        .get(app.url("/console/cases/%0D%0Ax"))
        .send()
        .await
        .unwrap();
    assert_eq!(path.status(), StatusCode::BAD_REQUEST);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing was stored");
}

/// Sends a request's head declaring a large body, without the body, and reads the answer: a
/// server that answers did so without reading what was declared.
async fn head_only(base: &str, head: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut answer))
        .await
        .expect("the server answered before the body came")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).to_string()
}

#[tokio::test]
async fn large_bodies_are_refused_before_they_are_read() {
    let app = TestApp::start().await;
    // No token: 401 at once, whatever the body and the Idempotency-Key.
    let answer = head_only(
        &app.base,
        "POST /api/v1/orders/import HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n\
         Idempotency-Key: k\r\nContent-Length: 31457280\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let answer = head_only(
        &app.base,
        "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer guess\r\n\
         Content-Type: application/json\r\nIdempotency-Key: k\r\nContent-Length: 31457280\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // With a token, a JSON route refuses 30 MB before reading it.
    let answer = head_only(
        &app.base,
        &format!(
            "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {AGENT}\r\n\
             Content-Type: application/json\r\nContent-Length: 31457280\r\n\r\n"
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    // Nothing was written for the unauthenticated keys.
    let keys: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM idempotency_keys")
        .fetch_one(&app.database.reader)
        .await
        .unwrap();
    assert_eq!(keys, 0);
}

#[tokio::test]
async fn every_page_carries_the_security_headers_and_secure_cookies_behind_https() {
    let app =
        TestApp::start_with(|config| config.public_url = Some("https://aftersale.example".into()))
            .await;
    for path in [
        "/login",
        "/portal/shop",
        "/api/v1/cases",
        "/healthz",
        "/nowhere",
    ] {
        let response = app.client.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(
            policy.contains("frame-ancestors 'none'")
                && !policy.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {policy}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
    let login = app.client.get(app.url("/login")).send().await.unwrap();
    let cookies: Vec<&str> = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap())
        .collect();
    assert!(
        !cookies.is_empty() && cookies.iter().all(|cookie| cookie.contains("; Secure")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn portal_forms_need_their_token_and_signed_links_need_a_public_address() {
    let mut app = TestApp::start().await;
    app.client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    app.order("CSRF-1").await;
    let case = app.case("CSRF-1", "refund_only", "坏了").await;
    let number = case["number"].as_str().unwrap();
    let found = app
        .client
        .post(app.url("/portal/shop"))
        .form(&[("order_number", "CSRF-1"), ("contact", "13800138000")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        found.status(),
        StatusCode::SEE_OTHER,
        "{:?}",
        found.text().await
    );
    let cookie = found.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    // A form sent from another site, with the customer's cookie but without the page's token.
    let forged = app
        .client
        .post(app.url(&format!("/portal/shop/cases/{number}/messages")))
        .header("Cookie", &cookie)
        .form(&[("body", "伪造的留言")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let (_, messages) = app
        .get(
            &format!("/api/v1/cases/{}/messages", case["id"].as_str().unwrap()),
            AGENT,
        )
        .await;
    assert!(!messages.to_string().contains("伪造的留言"));
    // A cross-site lookup is refused too.
    let cross = app
        .client
        .post(app.url("/portal/shop"))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("order_number", "CSRF-1"), ("contact", "13800138000")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);

    // Links are made from the configured address, never from the request's Host.
    let link = app
        .client
        .post(app.url(&format!(
            "/api/v1/cases/{}/portal-link",
            case["id"].as_str().unwrap()
        )))
        .bearer_auth(AGENT)
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    let link: Value = link.json().await.unwrap();
    assert!(!link.to_string().contains("evil.example"), "{link}");
}
