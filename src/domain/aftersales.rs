//! The platforms' own after-sales records (退款单, 售后单) as a case sees them: each platform's
//! states mapped onto one set of stages, and, of several messages about one record arriving late,
//! twice or out of order, the one that says where it stands now (docs/PLATFORMS.md, "Refund
//! states"). Pure: the record itself and its clocks are kept by `db`/`operations`.

use serde::{Deserialize, Serialize};

/// Where a platform's after-sales record stands, in one vocabulary for every platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The buyer asked; the shop must agree or refuse before the platform's deadline.
    AwaitingShop,
    /// The shop refused; the buyer may change the request or ask the platform to step in.
    RefusedByShop,
    /// The shop agreed to a return: the buyer must send the goods back.
    AwaitingReturn,
    /// The platform waits for the buyer (a replacement to confirm, a parcel to refuse).
    AwaitingBuyer,
    /// The goods are on their way back: the shop must confirm them.
    AwaitingReceipt,
    /// The platform's customer service decides (客服介入, 平台处理中).
    PlatformDeciding,
    /// The shop must send goods: an exchange's replacement or a reship (待发出换货商品, 待商家发货).
    AwaitingShipment,
    /// The exchange became a refund (Tmall 请退款): the shop refunds instead.
    RefundInstead,
    /// Agreed: the money is on its way.
    Refunding,
    /// The money went back.
    Refunded,
    /// A replacement or a repair was done (换货补寄成功, 维修成功).
    Completed,
    /// Ended without money: withdrawn, lapsed, or refused by the platform.
    Closed,
}

impl Stage {
    const ALL: [Stage; 12] = [
        Stage::AwaitingShop,
        Stage::RefusedByShop,
        Stage::AwaitingReturn,
        Stage::AwaitingBuyer,
        Stage::AwaitingReceipt,
        Stage::PlatformDeciding,
        Stage::AwaitingShipment,
        Stage::RefundInstead,
        Stage::Refunding,
        Stage::Refunded,
        Stage::Completed,
        Stage::Closed,
    ];

    /// The stored and wire name (`awaiting_shop`).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::AwaitingShop => "awaiting_shop",
            Stage::RefusedByShop => "refused_by_shop",
            Stage::AwaitingReturn => "awaiting_return",
            Stage::AwaitingBuyer => "awaiting_buyer",
            Stage::AwaitingReceipt => "awaiting_receipt",
            Stage::PlatformDeciding => "platform_deciding",
            Stage::AwaitingShipment => "awaiting_shipment",
            Stage::RefundInstead => "refund_instead",
            Stage::Refunding => "refunding",
            Stage::Refunded => "refunded",
            Stage::Completed => "completed",
            Stage::Closed => "closed",
        }
    }

    /// A stored name read back.
    pub fn parse(text: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == text)
    }

    /// Nothing more happens on the record.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Refunded | Stage::Completed | Stage::Closed)
    }

    /// What the shop must now do on the platform, if anything: a code and the words, Chinese
    /// and English.
    pub fn todo(self) -> Option<(&'static str, &'static str, &'static str)> {
        Some(match self {
            Stage::AwaitingShop => (
                "answer_request",
                "在平台上同意或拒绝这个售后申请",
                "Agree to or refuse this request on the platform",
            ),
            Stage::AwaitingReceipt => (
                "confirm_return",
                "收到退货后在平台上确认收货（平台随后退款）",
                "Confirm the returned goods on the platform once they arrive (the platform then refunds)",
            ),
            Stage::RefusedByShop => (
                "watch_buyer",
                "已拒绝：留意买家修改申请或申请平台介入",
                "Refused: watch for the buyer changing the request or asking the platform to step in",
            ),
            Stage::PlatformDeciding => (
                "submit_evidence",
                "平台客服介入中：在平台上提交凭证",
                "The platform is deciding: submit the evidence on the platform",
            ),
            Stage::AwaitingShipment => (
                "send_goods",
                "发出换货或补寄商品，并在平台上填写快递单号",
                "Send the replacement or the missing goods and enter the tracking number on the platform",
            ),
            Stage::RefundInstead => (
                "refund_instead",
                "换货已转为退货退款：按退货退款处理并退款",
                "The exchange became a return and refund: handle it so and refund",
            ),
            _ => return None,
        })
    }

    /// How far along: of two messages with the same version, the one further along is the
    /// later (a platform stamps some changes within the same second).
    fn rank(self) -> u8 {
        match self {
            Stage::AwaitingShop => 1,
            Stage::RefusedByShop => 2,
            Stage::AwaitingReturn => 3,
            Stage::AwaitingBuyer => 4,
            Stage::AwaitingReceipt => 5,
            Stage::PlatformDeciding => 6,
            Stage::AwaitingShipment | Stage::RefundInstead => 7,
            Stage::Refunding => 8,
            Stage::Refunded | Stage::Completed | Stage::Closed => 9,
        }
    }
}

/// Taobao/Tmall `status` of a refund (`taobao.refund.get`, the TMC `taobao_refund_*` messages):
/// WAIT_SELLER_AGREE (买家已经申请退款，等待卖家同意), WAIT_BUYER_RETURN_GOODS (卖家已经同意退款，
/// 等待买家退货), WAIT_SELLER_CONFIRM_GOODS (买家已经退货，等待卖家确认收货), SELLER_REFUSE_BUYER
/// (卖家拒绝退款), CLOSED (退款关闭), SUCCESS (退款成功) — as the TOP SDKs document the field.
pub fn taobao(status: &str) -> Option<Stage> {
    // The refund export (退款管理) writes the same statuses in words.
    Some(match status.trim() {
        "WAIT_SELLER_AGREE" | "买家已经申请退款，等待卖家同意" => {
            Stage::AwaitingShop
        }
        "WAIT_BUYER_RETURN_GOODS" | "卖家已经同意退款，等待买家退货" => {
            Stage::AwaitingReturn
        }
        "WAIT_SELLER_CONFIRM_GOODS" | "买家已经退货，等待卖家确认收货" => {
            Stage::AwaitingReceipt
        }
        "SELLER_REFUSE_BUYER" | "卖家拒绝退款" => Stage::RefusedByShop,
        "CLOSED" | "退款关闭" => Stage::Closed,
        "SUCCESS" | "退款成功" => Stage::Refunded,
        _ => return None,
    })
}

/// Pinduoduo `after_sales_status` (`pdd.refund.list.increment.get`, `pdd.refund.information.get`):
/// 2 买家申请退款，待商家处理; 3 退货退款，待商家处理; 4 商家同意退款，退款中; 5 平台同意退款，退款中;
/// 6 驳回退款，待买家处理; 7 已同意退货退款，待用户发货; 8 平台处理中; 9 平台拒绝退款，退款关闭;
/// 10 退款成功; 11 买家撤销; 12 买家逾期未处理，退款失败; 13 买家逾期，超过有效期; 14 换货补寄待商家
/// 处理; 15 换货补寄待用户处理; 16 换货补寄成功; 17 换货补寄失败; 18 换货补寄待用户确认完成;
/// 21 待商家同意维修; 22 待用户确认发货; 24 维修关闭; 25 维修成功; 27 待用户确认收货;
/// 31 已同意拒收退款，待用户拒收; 32 补寄待商家发货; 33 待商家召回.
pub fn pinduoduo(status: i64) -> Option<Stage> {
    Some(match status {
        2 | 3 | 14 | 21 | 33 => Stage::AwaitingShop,
        32 => Stage::AwaitingShipment,
        4 | 5 => Stage::Refunding,
        6 => Stage::RefusedByShop,
        7 => Stage::AwaitingReturn,
        8 => Stage::PlatformDeciding,
        9 | 11 | 12 | 13 | 17 | 24 => Stage::Closed,
        10 => Stage::Refunded,
        15 | 18 | 22 | 27 | 31 => Stage::AwaitingBuyer,
        16 | 25 => Stage::Completed,
        _ => return None,
    })
}

/// Douyin 抖店 `standard_aftersale_status` (`/afterSale/List`, `/afterSale/Detail`): 6 待商家同意;
/// 7 待买家退货; 8 待商家发货 (a replacement or reship to send); 11 待商家二次同意 (the return is
/// back: the shop confirms it); 12 售后成功; 13 换货/补寄/维修待买家收货; 14 换货/补寄/维修成功;
/// 27 商家一次拒绝; 28 售后失败; 29 商家二次拒绝 (the 抖店 open platform's Go SDK,
/// `doudian.com/open/sdk_golang`, `api/afterSale_List` request).
pub fn douyin(status: i64) -> Option<Stage> {
    Some(match status {
        6 => Stage::AwaitingShop,
        8 => Stage::AwaitingShipment,
        7 => Stage::AwaitingReturn,
        11 => Stage::AwaitingReceipt,
        12 => Stage::Refunded,
        13 => Stage::AwaitingBuyer,
        14 => Stage::Completed,
        27 | 29 => Stage::RefusedByShop,
        28 => Stage::Closed,
        _ => return None,
    })
}

/// WeChat 视频号小店 after-sales `status`: MERCHANT_PROCESSING 商家受理中; MERCHANT_REJECT_REFUND,
/// MERCHANT_REJECT_RETURN 商家拒绝; USER_WAIT_RETURN 待买家退货; MERCHANT_WAIT_RECEIPT 待商家收货;
/// MERCHANT_OVERDUE_REFUND 商家逾期未退款 (the shop is late: its deadline has passed);
/// PLATFORM_REFUNDING 平台退款中; PLATFORM_REFUND_FAIL 平台退款失败; MERCHANT_REFUND_SUCCESS,
/// MERCHANT_RETURN_SUCCESS 完成; USER_WAIT_CONFIRM, USER_WAIT_CONFIRM_UPDATE,
/// USER_WAIT_HANDLE_MERCHANT_AFTER_SALE 待用户处理; USER_CANCELD, RETURN_CLOSED,
/// MERCHANT_REFUND_RETRY_FAIL, MERCHANT_FAIL 关闭 (the list as the channels-shop API documents
/// it, carried by open-source ERP connectors such as qihangerp's `OmsWeiRefund`).
pub fn wechat(status: &str) -> Option<Stage> {
    Some(match status.trim() {
        "MERCHANT_PROCESSING" | "MERCHANT_OVERDUE_REFUND" | "PLATFORM_REFUND_FAIL" => {
            Stage::AwaitingShop
        }
        "MERCHANT_REJECT_REFUND" | "MERCHANT_REJECT_RETURN" => Stage::RefusedByShop,
        "USER_WAIT_RETURN" => Stage::AwaitingReturn,
        "MERCHANT_WAIT_RECEIPT" => Stage::AwaitingReceipt,
        "PLATFORM_REFUNDING" => Stage::Refunding,
        "MERCHANT_REFUND_SUCCESS" | "MERCHANT_RETURN_SUCCESS" => Stage::Refunded,
        "USER_WAIT_CONFIRM"
        | "USER_WAIT_CONFIRM_UPDATE"
        | "USER_WAIT_HANDLE_MERCHANT_AFTER_SALE" => Stage::AwaitingBuyer,
        "USER_CANCELD" | "RETURN_CLOSED" | "MERCHANT_REFUND_RETRY_FAIL" | "MERCHANT_FAIL" => {
            Stage::Closed
        }
        _ => return None,
    })
}

/// Whether a WeChat status says the shop's deadline has already passed (商家逾期未退款).
pub fn wechat_overdue(status: &str) -> bool {
    status.trim() == "MERCHANT_OVERDUE_REFUND"
}

/// Tmall's exchange (换货) `status` (`tmall.exchange.get`, `tmall.exchange.receive.get`), as a
/// number or in words: 换货待处理 (1), 待买家退货 (2), 买家已退货，待收货 (3), 换货关闭 (4),
/// 换货成功 (5), 待买家修改 (6), 待发出换货商品 (12), 待买家收货 (13), 请退款 (14: the exchange
/// closed and turned into a return and refund) — as `bububa/opentaobao` documents the request
/// (`TmallExchangeReceiveGetRequest`).
pub fn tmall_exchange(status: &str) -> Option<Stage> {
    Some(match status.trim() {
        "1" | "换货待处理" => Stage::AwaitingShop,
        "2" | "待买家退货" => Stage::AwaitingReturn,
        "3" | "买家已退货，待收货" => Stage::AwaitingReceipt,
        "4" | "换货关闭" => Stage::Closed,
        "5" | "换货成功" => Stage::Completed,
        "6" | "13" | "待买家修改" | "待买家收货" => Stage::AwaitingBuyer,
        "12" | "待发出换货商品" => Stage::AwaitingShipment,
        "14" | "请退款" => Stage::RefundInstead,
        _ => return None,
    })
}

/// What one message says about a record: its stage and the platform's version of it (Taobao's
/// `refund_version`, a timestamp; Pinduoduo's `updated_time`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Snapshot {
    pub stage: Stage,
    pub version: i64,
}

/// Whether `incoming` says something newer than `current`: a higher version, or the same version
/// further along. A duplicate or a late message changes nothing, so replaying every message in
/// any order ends where the platform ended.
pub fn is_newer(current: Snapshot, incoming: Snapshot) -> bool {
    incoming.version > current.version
        || (incoming.version == current.version && incoming.stage.rank() > current.stage.rank())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Folds messages as they arrive, keeping what is newest.
    fn settle(messages: &[Snapshot]) -> Option<Snapshot> {
        messages.iter().fold(None, |kept, message| match kept {
            Some(kept) if !is_newer(kept, *message) => Some(kept),
            _ => Some(*message),
        })
    }

    #[test]
    fn stage_names_read_back_and_match_the_wire() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Some(stage));
            assert_eq!(serde_json::to_value(stage).unwrap(), stage.as_str());
        }
    }

    #[test]
    fn every_taobao_status_has_a_stage() {
        let all = [
            ("WAIT_SELLER_AGREE", Stage::AwaitingShop),
            ("WAIT_BUYER_RETURN_GOODS", Stage::AwaitingReturn),
            ("WAIT_SELLER_CONFIRM_GOODS", Stage::AwaitingReceipt),
            ("SELLER_REFUSE_BUYER", Stage::RefusedByShop),
            ("CLOSED", Stage::Closed),
            ("SUCCESS", Stage::Refunded),
        ];
        for (status, stage) in all {
            assert_eq!(taobao(status), Some(stage), "{status}");
        }
        assert_eq!(taobao("NO_SUCH"), None);
    }

    #[test]
    fn tmall_exchange_states_have_stages_and_14_turns_into_a_refund() {
        assert_eq!(tmall_exchange("1"), Some(Stage::AwaitingShop));
        assert_eq!(
            tmall_exchange("待发出换货商品"),
            Some(Stage::AwaitingShipment)
        );
        assert_eq!(tmall_exchange("14"), Some(Stage::RefundInstead));
        assert!(tmall_exchange("5").is_some_and(Stage::is_final));
        assert_eq!(tmall_exchange("7"), None);
    }

    #[test]
    fn douyin_and_wechat_states_have_stages() {
        assert_eq!(douyin(6), Some(Stage::AwaitingShop));
        assert_eq!(douyin(11), Some(Stage::AwaitingReceipt));
        assert_eq!(douyin(27), Some(Stage::RefusedByShop));
        assert!(douyin(12).is_some_and(Stage::is_final));
        assert!(douyin(14).is_some_and(Stage::is_final));
        assert_eq!(douyin(99), None);
        assert_eq!(wechat("MERCHANT_PROCESSING"), Some(Stage::AwaitingShop));
        assert_eq!(wechat("MERCHANT_OVERDUE_REFUND"), Some(Stage::AwaitingShop));
        assert!(wechat_overdue("MERCHANT_OVERDUE_REFUND"));
        assert_eq!(
            wechat("MERCHANT_WAIT_RECEIPT"),
            Some(Stage::AwaitingReceipt)
        );
        assert!(wechat("MERCHANT_RETURN_SUCCESS").is_some_and(Stage::is_final));
        assert!(wechat("USER_CANCELD").is_some_and(Stage::is_final));
        assert_eq!(wechat("SOMETHING"), None);
    }

    #[test]
    fn pinduoduo_codes_end_final_only_where_the_platform_ends() {
        for code in [9, 10, 11, 12, 13, 16, 17, 24, 25] {
            assert!(pinduoduo(code).is_some_and(Stage::is_final), "{code}");
        }
        for code in [2, 3, 4, 5, 6, 7, 8, 14, 15, 18, 21, 22, 27, 31, 32, 33] {
            assert!(
                pinduoduo(code).is_some_and(|stage| !stage.is_final()),
                "{code}"
            );
        }
        assert_eq!(pinduoduo(0), None);
    }

    #[test]
    fn a_return_replayed_out_of_order_and_twice_ends_where_the_platform_ended() {
        // Asked, refused, asked again, agreed, sent back, refunded: each with its version.
        let sequence = [
            Snapshot {
                stage: Stage::AwaitingShop,
                version: 100,
            },
            Snapshot {
                stage: Stage::RefusedByShop,
                version: 200,
            },
            Snapshot {
                stage: Stage::AwaitingShop,
                version: 300,
            },
            Snapshot {
                stage: Stage::AwaitingReturn,
                version: 400,
            },
            Snapshot {
                stage: Stage::AwaitingReceipt,
                version: 500,
            },
            Snapshot {
                stage: Stage::Refunded,
                version: 600,
            },
        ];
        let last = *sequence.last().unwrap();
        assert_eq!(settle(&sequence), Some(last));
        let mut shuffled = sequence.to_vec();
        shuffled.reverse();
        shuffled.extend_from_slice(&sequence[1..3]);
        assert_eq!(settle(&shuffled), Some(last));
        // Asked again after a refusal: the newer request stands, not the older refusal.
        assert_eq!(
            settle(&[sequence[2], sequence[1], sequence[0]]),
            Some(sequence[2])
        );
        // Two changes stamped with the same version: the one further along is the later.
        let same = [
            Snapshot {
                stage: Stage::Refunding,
                version: 700,
            },
            Snapshot {
                stage: Stage::AwaitingShop,
                version: 700,
            },
        ];
        assert_eq!(settle(&same), Some(same[0]));
    }
}
