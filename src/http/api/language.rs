//! Error messages in the caller's language: with `Accept-Language: zh…` an error's `message` is
//! Chinese (by its code, naming the field where there is one) and the English original stays in
//! `message_en`; otherwise English. `Content-Language` says which.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

/// Whether the caller prefers Chinese: the first language in Accept-Language (by order, then q).
pub fn prefers_chinese(accept: Option<&HeaderValue>) -> bool {
    let Some(text) = accept.and_then(|value| value.to_str().ok()) else {
        return false;
    };
    let mut best: Option<(f32, bool)> = None;
    for part in text.split(',') {
        let mut pieces = part.trim().split(';');
        let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = pieces
            .find_map(|piece| {
                piece
                    .trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
            })
            .unwrap_or(1.0);
        if tag.is_empty() || quality <= 0.0 {
            continue;
        }
        if best.is_none_or(|(seen, _)| quality > seen) {
            best = Some((quality, tag.starts_with("zh")));
        }
    }
    best.is_some_and(|(_, chinese)| chinese)
}

/// The Chinese message for an error code.
pub fn chinese(code: &str, field: Option<&str>) -> String {
    let text = match code {
        "invalid" => {
            return match field {
                Some(field) => format!("字段「{field}」的值不可接受，请按 message_en 的说明修改"),
                None => "请求中的值不可接受，请按 message_en 的说明修改".into(),
            };
        }
        "malformed_json" => "请求体不是有效的 JSON",
        "invalid_json_data" => "JSON 的字段或类型不正确",
        "invalid_query" => "查询参数不正确",
        "invalid_cursor" => "分页游标无效，请从第一页重新开始",
        "bad_request" => "请求格式不正确",
        "idempotency_key_required" => {
            "退款需要 Idempotency-Key 请求头（1 到 200 个字符），以确保只执行一次"
        }
        "invalid_idempotency_key" => "Idempotency-Key 无效（1 到 200 个字符）",
        "idempotency_key_in_progress" => "相同 Idempotency-Key 的请求正在处理，请稍后重试",
        "idempotency_key_reused" => "此 Idempotency-Key 已用于其他请求",
        "unauthorized" => "缺少或无效的访问令牌",
        "invalid_signature" => {
            "推送的签名无法验证：签名与本店为该来源设置的密钥不符，或尚未设置密钥（见 details）"
        }
        "forbidden" => "当前角色无权执行此操作",
        "role_not_allowed" => "当前角色不能执行这个动作",
        "not_found" => "本店铺中没有这条记录",
        "method_not_allowed" => "此路径不支持该请求方法",
        "transition_not_allowed" => "案件当前状态下不能执行这个动作",
        "article_slug_taken" => "本店已有文章使用这个地址（slug），请换一个",
        "version_conflict" => "案件已被他人修改，请刷新后重新操作",
        "customer_unanswered" => {
            "买家的最新留言尚未回复：请先回复；如确需结束，请勾选「仍然关闭」（close_unanswered: true）"
        }
        "reopen_window_passed" => "案件结束已超过 15 天，不能再重新打开",
        "refund_exceeds_paid" => "退款金额超过该订单行实付金额的剩余可退部分",
        "refund_invalid" => "退款金额或订单行不正确",
        "units_already_claimed" => {
            "这些件数已在其他未结束的售后单中申请，或已经退过款，不能再次申请（见 details）"
        }
        "nothing_left_to_refund" => "这个售后单的商品金额已全部退回，没有可再退的金额",
        "order_not_paid" => "该订单尚未付款，没有可退的金额",
        "shipping_exceeds_paid" => "退运费金额超过该订单实付运费的剩余可退部分",
        "checklist_incomplete" => "请先完成 SOP 检查清单中要求的步骤（见 details.steps）",
        "no_return" => "此类案件无需寄回商品，没有退货标签",
        "not_allowed_by_policy" => {
            "按法律和店铺规则，这个申请现在不能提交（原因见 details.reasons）"
        }
        "payload_too_large" => "请求体过大",
        "unsupported_media_type" => "不支持的内容类型",
        "unavailable" => "系统繁忙，请稍后重试",
        "not_configured" => "服务器缺少所需配置（详见 message_en）",
        "invalid_request" => "请求无法读取（详见 message_en）",
        "survey_answered" => "这份满意度调查已经提交过，每份只能提交一次",
        "survey_closed" => "这份满意度调查已过期，不能再提交",
        _ => "请求失败（详见 message_en）",
    };
    text.to_string()
}

/// Rewrites JSON error bodies for callers who prefer Chinese.
pub async fn localize_errors(request: Request, next: Next) -> Response {
    let chinese_wanted = prefers_chinese(request.headers().get(header::ACCEPT_LANGUAGE));
    let response = next.run(request).await;
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if !response.status().is_client_error() && !response.status().is_server_error() || !is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let language = if chinese_wanted { "zh-CN" } else { "en-US" };
    parts
        .headers
        .insert(header::CONTENT_LANGUAGE, HeaderValue::from_static(language));
    if !chinese_wanted {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, 1024 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if let Some(error) = value.get_mut("error").and_then(Value::as_object_mut) {
        let code = error
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let field = error
            .get("details")
            .and_then(|details| details.get("field"))
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(english) = error.remove("message") {
            error.insert("message_en".into(), english);
        }
        error.insert(
            "message".into(),
            Value::String(chinese(&code, field.as_deref())),
        );
    }
    let body = serde_json::to_vec(&value).unwrap_or_else(|_| bytes.to_vec());
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_preferred_language_wins() {
        let header = |text: &'static str| HeaderValue::from_static(text);
        assert!(prefers_chinese(Some(&header("zh-CN,zh;q=0.9,en;q=0.8"))));
        assert!(prefers_chinese(Some(&header("en;q=0.5, zh-TW"))));
        assert!(!prefers_chinese(Some(&header("en-US,zh;q=0.5"))));
        assert!(!prefers_chinese(Some(&header("zh;q=0, en"))));
        assert!(!prefers_chinese(None));
    }
}
