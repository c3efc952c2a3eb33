//! Settings that cannot be lost and changes that leave a trail: a PUT must carry every section,
//! a PATCH changes parts, every version is kept and can be restored, and each change of the
//! setup is an audit entry chained by hash, so a row changed behind the product's back is found.

mod common;

use common::{ADMIN, AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn settings(app: &TestApp) -> Value {
    let (status, body) = app.get("/api/v1/settings", SUPERVISOR).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn patch(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.call(Method::PATCH, "/api/v1/settings", SUPERVISOR, Some(body))
        .await
}

#[tokio::test]
async fn a_partial_put_is_refused_and_erases_nothing_while_patch_changes_only_what_it_names() {
    let app = TestApp::start().await;
    let (status, body) = patch(
        &app,
        json!({
            "return_address": "杭州市余杭区文一西路 969 号 售后部",
            "reply_templates": [{ "name": "致歉", "body": "{customer_name} 您好，非常抱歉。" }]
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let before = settings(&app).await;
    assert_eq!(
        before["return_address"],
        "杭州市余杭区文一西路 969 号 售后部"
    );

    // The careless call of the issue: refused, with what is missing, and nothing changes.
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({ "jurisdiction": "CN" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_code(&body), "invalid");
    let missing = body["error"]["details"]["missing"].as_array().unwrap();
    assert!(missing.contains(&json!("return_address")) && missing.contains(&json!("sop")));
    assert!(body["error"]["message"].as_str().unwrap().contains("PATCH"));
    assert_eq!(settings(&app).await, before);

    // A complete document replaces; a patch changes one field and keeps the rest.
    let mut whole = before.clone();
    whole["parcels"]["late_days"] = json!(7);
    let (status, body) = app
        .call(Method::PUT, "/api/v1/settings", SUPERVISOR, Some(whole))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = patch(&app, json!({ "branding": { "colour": "#0f766e" } })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = settings(&app).await;
    assert_eq!(after["branding"]["colour"], "#0f766e");
    assert_eq!(after["parcels"]["late_days"], 7);
    assert_eq!(after["return_address"], before["return_address"]);
    assert_eq!(after["reply_templates"], before["reply_templates"]);

    // A patch that makes the settings invalid changes nothing.
    let (status, body) = patch(&app, json!({ "branding": { "colour": "green" } })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(settings(&app).await, after);
    // Agents do not change settings.
    let (status, _) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            AGENT,
            Some(json!({ "return_address": null })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(settings(&app).await, after);
}

#[tokio::test]
async fn every_version_is_kept_and_any_can_be_restored() {
    let app = TestApp::start().await;
    let original = settings(&app).await;
    for address in ["第一个地址", "第二个地址"] {
        let (status, body) = patch(&app, json!({ "return_address": address })).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, versions) = app.get("/api/v1/settings/versions", SUPERVISOR).await;
    assert_eq!(status, StatusCode::OK, "{versions}");
    let items = versions["items"].as_array().unwrap();
    // Newest first: the two patches, and the setup as it was before the first change.
    let hows: Vec<&str> = items
        .iter()
        .map(|item| item["how"].as_str().unwrap())
        .collect();
    assert_eq!(hows, vec!["patched", "patched", "as it was"]);
    assert_eq!(items[0]["version"], 3);
    assert!(items[0]["changed_at"].as_str().unwrap().contains('T'));
    assert_eq!(items[0]["changed_by_name"], "supervisor@test.local");

    let (status, first) = app.get("/api/v1/settings/versions/2", SUPERVISOR).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["document"]["return_address"], "第一个地址");
    let (status, restored) = app
        .post("/api/v1/settings/versions/2/restore", SUPERVISOR, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{restored}");
    assert_eq!(settings(&app).await["return_address"], "第一个地址");
    let (status, _) = app
        .post("/api/v1/settings/versions/1/restore", SUPERVISOR, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(settings(&app).await, original);
    let (_, versions) = app
        .get("/api/v1/settings/versions?limit=2", SUPERVISOR)
        .await;
    assert_eq!(versions["items"][0]["how"], "restored from version 1");
    let cursor = versions["next_cursor"].as_str().unwrap();
    let (_, older) = app
        .get(
            &format!("/api/v1/settings/versions?limit=2&cursor={cursor}"),
            SUPERVISOR,
        )
        .await;
    assert_eq!(older["items"][0]["version"], 3);
    let (status, _) = app.get("/api/v1/settings/versions/99", SUPERVISOR).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get("/api/v1/settings/versions", AGENT).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn changes_to_settings_staff_tokens_and_webhooks_are_audited_and_tampering_is_found() {
    let app = TestApp::start().await;
    let (status, _) = patch(&app, json!({ "return_address": "审计测试地址" })).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .post(
            "/api/v1/tokens",
            ADMIN,
            json!({ "name": "ERP 同步", "role": "agent", "for_shop": true }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token_id = body["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{token_id}"),
            ADMIN,
            None,
        )
        .await;
    assert!(status.is_success(), "{status}");

    let (status, entries) = app.get("/api/v1/audit", SUPERVISOR).await;
    assert_eq!(status, StatusCode::OK, "{entries}");
    let items = entries["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|item| item["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["token.revoked", "token.created", "settings.saved"]
    );
    let saved = &items[2];
    assert_eq!(saved["actor_name"], "supervisor@test.local");
    assert_eq!(
        saved["changes"]["sections"]["return_address"]["after"],
        "审计测试地址"
    );
    assert_eq!(saved["sequence"], 1);
    assert_eq!(items[0]["previous_hash"], items[1]["hash"]);
    let (status, _) = app.get("/api/v1/audit", AGENT).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The chain verifies; a direct UPDATE of one entry is found, by the API's operation and the
    // command line alike.
    let intact = aftersale::operations::audit::verify(&app.database, Some("shop"))
        .await
        .unwrap();
    assert_eq!(intact[0].result, Ok(3));
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args([
            "audit",
            "verify",
            "--shop",
            "shop",
            "--database-url",
            &app.database_url,
        ])
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    assert!(String::from_utf8_lossy(&cli.stdout).contains("3 entries, chain intact"));

    sqlx::query("UPDATE audit_log SET actor_name = 'someone else' WHERE sequence = 2")
        .execute(&app.database.writer)
        .await
        .unwrap();
    let broken = aftersale::operations::audit::verify(&app.database, Some("shop"))
        .await
        .unwrap();
    assert_eq!(broken[0].result.as_ref().unwrap_err().sequence, 2);
    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_aftersale"))
        .args(["audit", "verify", "--database-url", &app.database_url])
        .output()
        .unwrap();
    assert_eq!(cli.status.code(), Some(1));
    let said = String::from_utf8_lossy(&cli.stdout);
    assert!(said.contains("shop: BROKEN at entry 2"), "{said}");

    // A removed entry is found too.
    sqlx::query("DELETE FROM audit_log WHERE sequence = 2")
        .execute(&app.database.writer)
        .await
        .unwrap();
    let removed = aftersale::operations::audit::verify(&app.database, Some("shop"))
        .await
        .unwrap();
    assert_eq!(removed[0].result.as_ref().unwrap_err().sequence, 2);
}

/// Staff are managed in the console; the console calls these operations.
#[tokio::test]
async fn staff_changes_are_audited() {
    let app = TestApp::start().await;
    let shop = aftersale::db::shops::find_shop_by_slug(&app.database.reader, "shop")
        .await
        .unwrap()
        .unwrap();
    let (admin_id, _) =
        aftersale::db::shops::find_staff_by_email(&app.database.reader, "admin@test.local")
            .await
            .unwrap()
            .unwrap();
    let admin = aftersale::db::shops::Actor {
        shop,
        role: aftersale::domain::Role::Admin,
        staff_id: Some(admin_id),
    };
    let settings = aftersale::operations::settings::add_member;
    settings(
        &app.database,
        &admin,
        "new@test.local",
        "新同事",
        aftersale::domain::Role::Agent,
        "password123",
    )
    .await
    .unwrap();
    let (agent_id, _) =
        aftersale::db::shops::find_staff_by_email(&app.database.reader, "agent2@test.local")
            .await
            .unwrap()
            .unwrap();
    aftersale::operations::settings::set_role(
        &app.database,
        &admin,
        &agent_id,
        aftersale::domain::Role::Supervisor,
    )
    .await
    .unwrap();
    aftersale::operations::settings::remove_member(&app.database, &admin, &agent_id)
        .await
        .unwrap();
    let (_, entries) = app.get("/api/v1/audit", ADMIN).await;
    let items = entries["items"].as_array().unwrap();
    let actions: Vec<&str> = items
        .iter()
        .map(|item| item["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["staff.removed", "staff.role_changed", "staff.invited"]
    );
    assert_eq!(items[2]["target"], "new@test.local");
    assert_eq!(items[2]["changes"]["role"], "agent");
    assert_eq!(items[2]["actor_role"], "admin");
    assert_eq!(
        items[1]["changes"]["role"],
        json!({ "before": "agent", "after": "supervisor" })
    );
    assert_eq!(items[0]["changes"]["email"], "agent2@test.local");
}
