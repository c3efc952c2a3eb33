//! The return label is a real PDF: its text (Chinese included) is extracted with poppler's
//! pdftotext, and both codes are decoded from a rendering with zbarimg (Debian poppler-utils and
//! zbar-tools, installed by .ci/run).

mod common;

use std::process::Command;

use common::{AGENT, SUPERVISOR, TestApp, error_code};
use reqwest::{Method, StatusCode};
use serde_json::json;

fn tool(name: &str, args: &[&str]) -> String {
    let output = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!("{name} is needed for this test (apt install poppler-utils zbar-tools): {error}")
        });
    String::from_utf8_lossy(&output.stdout).into_owned()
}

async fn fetch(app: &TestApp, path: &str) -> (StatusCode, Option<String>, Vec<u8>) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(AGENT)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_string());
    (status, kind, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn labels_carry_readable_text_and_both_codes_in_both_sizes() {
    let app = TestApp::start().await;
    let address = "上海市浦东新区测试路1号 小鹿数码售后部 021-12345678";
    let (status, body) = app
        .call(
            Method::PATCH,
            "/api/v1/settings",
            SUPERVISOR,
            Some(json!({"return_address": address})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.order("LBL-1").await;
    let case = app.case("LBL-1", "return_and_refund", "耳机没有声音").await;
    let (id, number) = (
        case["id"].as_str().unwrap(),
        case["number"].as_str().unwrap(),
    );
    let directory = std::env::temp_dir().join(format!("label-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&directory).unwrap();
    for size in ["a4", "thermal"] {
        let (status, kind, pdf) =
            fetch(&app, &format!("/api/v1/cases/{id}/label.pdf?size={size}")).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(kind.as_deref(), Some("application/pdf"));
        assert!(pdf.starts_with(b"%PDF-"));
        let file = directory.join(format!("{size}.pdf"));
        std::fs::write(&file, &pdf).unwrap();
        let file = file.to_str().unwrap();

        let text = tool("pdftotext", &[file, "-"]);
        for expected in [
            number,
            "LBL-1",
            "蓝牙耳机",
            "纯棉T恤",
            "王小明",
            "13800138000",
            "上海市浦东新区测试路1号",
            "退货标签",
            "测试店铺",
        ] {
            assert!(
                text.contains(expected),
                "{size}: '{expected}' missing from:\n{text}"
            );
        }
        let info = tool("pdfinfo", &[file]);
        let expected_size = if size == "a4" {
            "595.28 x 841.89"
        } else {
            "283.46 x 425.2"
        };
        assert!(info.contains(expected_size), "{size}: {info}");
        let fonts = tool("pdffonts", &[file]);
        assert!(
            fonts.lines().skip(2).all(|line| line.contains(" yes ")),
            "fonts must be embedded:\n{fonts}"
        );

        let image = directory.join(size);
        tool(
            "pdftoppm",
            &[
                "-r",
                "300",
                "-png",
                "-singlefile",
                file,
                image.to_str().unwrap(),
            ],
        );
        let codes = tool("zbarimg", &["-q", &format!("{}.png", image.display())]);
        assert!(
            codes
                .lines()
                .any(|line| line == format!("CODE-128:{number}")),
            "{size}: {codes}"
        );
        let link = codes
            .lines()
            .find_map(|line| line.strip_prefix("QR-Code:"))
            .unwrap_or_else(|| panic!("{size}: no QR code in {codes}"));
        assert!(
            link.ends_with(&format!("/portal/shop/cases/{number}")),
            "{link}"
        );
        assert!(link.starts_with(&app.base), "{link}");
    }
    if common::variable("KEEP_LABELS").is_none() {
        let _ = std::fs::remove_dir_all(&directory);
    } else {
        eprintln!("labels kept in {}", directory.display());
    }

    let (status, _, body) = fetch(&app, &format!("/api/v1/cases/{id}/label.pdf?size=letter")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_code(&serde_json::from_slice(&body).unwrap()),
        "invalid"
    );
    app.order("LBL-2").await;
    let refund_only = app.case("LBL-2", "refund_only", "少发了").await;
    let (status, _, body) = fetch(
        &app,
        &format!(
            "/api/v1/cases/{}/label.pdf",
            refund_only["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        error_code(&serde_json::from_slice(&body).unwrap()),
        "no_return"
    );
    let response = app
        .client
        .get(app.url(&format!("/api/v1/cases/{id}/label.pdf")))
        .bearer_auth(common::OTHER_SHOP)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
