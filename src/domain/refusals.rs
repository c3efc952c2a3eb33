//! The shop's two refusals, as the platforms tell them apart: refusing the buyer's request (拒绝
//!退款申请, Taobao `taobao.refund.refuse`) and refusing the goods the buyer sent back (拒绝退货 /
//! 拒绝确认收货, Tmall `taobao.rp.returngoods.refuse`). Each takes a reason from a list and, where
//! the platform demands it, a photo as proof: Tmall's request refusal needs a GIF/JPG/PNG of at
//! most 130,000 bytes, its returned-goods refusal an image of at most 5 MB and a reason id
//! (field notes of `bububa/opentaobao`, model/refund/TaobaoRefundRefuseAPIRequest.go and
//! TaobaoRpReturngoodsRefuseAPIRequest.go; docs/PLATFORMS.md, "Refusals").

use super::case::{Action, Status};

/// Which of the two refusals an action is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request itself, before any goods came back.
    Request,
    /// The goods the buyer returned (after they arrived or were inspected).
    ReturnedGoods,
}

impl Refusal {
    /// The refusal `action` from `status` is, if it is one.
    pub fn of(action: Action, status: Status) -> Option<Refusal> {
        match (action, status) {
            (Action::Reject, Status::Submitted | Status::Approved) => Some(Refusal::Request),
            (Action::Reject, Status::Received | Status::Inspected | Status::InspectionFailed) => {
                Some(Refusal::ReturnedGoods)
            }
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Request => "request",
            Refusal::ReturnedGoods => "returned_goods",
        }
    }

    /// The reasons a shop picks from, with their words (the reasons platforms offer sellers).
    pub fn reasons(self) -> &'static [(&'static str, &'static str, &'static str)] {
        match self {
            Refusal::Request => &[
                (
                    "goods_shipped",
                    "商品已发出，请买家收货后再申请",
                    "The goods are on their way: apply again after they arrive",
                ),
                (
                    "not_as_described",
                    "买家所述问题与实际不符（见凭证）",
                    "What the buyer says does not match the goods (see the proof)",
                ),
                (
                    "period_passed",
                    "已超过售后期限",
                    "The after-sales period has passed",
                ),
                (
                    "not_returnable",
                    "定制或特殊商品，不支持无理由退货",
                    "Made to order or special goods: no return without a reason",
                ),
                (
                    "agreed_otherwise",
                    "已与买家协商其他方案",
                    "Another solution was agreed with the buyer",
                ),
                ("other", "其他原因", "Another reason"),
            ],
            Refusal::ReturnedGoods => &[
                ("not_received", "未收到退货", "The return did not arrive"),
                (
                    "not_our_goods",
                    "退回的商品不是本店所售商品",
                    "The goods sent back are not the ones sold",
                ),
                (
                    "damaged",
                    "退回商品已损坏，影响二次销售",
                    "The goods came back damaged and cannot be sold again",
                ),
                (
                    "parts_missing",
                    "退回商品缺少配件或赠品",
                    "Parts or gifts are missing from the return",
                ),
                ("used", "商品已使用", "The goods were used"),
                ("other", "其他原因", "Another reason"),
            ],
        }
    }

    /// The platform's call that carries this refusal, for a connector.
    pub fn platform_call(self, platform: &str) -> &'static str {
        match (self, platform) {
            (Refusal::ReturnedGoods, "tmall") => "taobao.rp.returngoods.refuse",
            (_, "taobao" | "tmall") => "taobao.refund.refuse",
            _ => "",
        }
    }
}

/// What a platform demands with a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demands {
    /// A photo as proof, of at most `proof_bytes`.
    pub proof: bool,
    pub proof_bytes: i64,
    /// GIF, JPEG or PNG only (Tmall's request refusal).
    pub classic_image: bool,
}

/// What `platform` demands for `refusal`. Goods refused on their return need a photo of what
/// came back everywhere: the buyer will dispute it, and the platform decides on the evidence.
pub fn demands(platform: &str, refusal: Refusal) -> Demands {
    match (platform, refusal) {
        ("tmall", Refusal::Request) => Demands {
            proof: true,
            proof_bytes: 130_000,
            classic_image: true,
        },
        (_, Refusal::ReturnedGoods) => Demands {
            proof: true,
            proof_bytes: 5 * 1024 * 1024,
            classic_image: false,
        },
        _ => Demands {
            proof: false,
            proof_bytes: 5 * 1024 * 1024,
            classic_image: false,
        },
    }
}

/// Why a proof photo does not do.
pub fn proof_problem(demands: &Demands, content_type: &str, size_bytes: i64) -> Option<String> {
    if !content_type.starts_with("image/") {
        return Some("a proof is a photo, not a video".into());
    }
    if demands.classic_image && !matches!(content_type, "image/jpeg" | "image/png" | "image/gif") {
        return Some(format!(
            "the platform takes a JPG, PNG or GIF as proof, not {content_type}"
        ));
    }
    if size_bytes > demands.proof_bytes {
        return Some(format!(
            "the platform takes a proof of at most {} bytes; this one has {size_bytes}: upload a smaller photo",
            demands.proof_bytes
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_refusals_are_told_apart_by_where_the_case_stands() {
        assert_eq!(
            Refusal::of(Action::Reject, Status::Submitted),
            Some(Refusal::Request)
        );
        assert_eq!(
            Refusal::of(Action::Reject, Status::InspectionFailed),
            Some(Refusal::ReturnedGoods)
        );
        assert_eq!(Refusal::of(Action::Approve, Status::Submitted), None);
        assert_eq!(
            Refusal::ReturnedGoods.platform_call("tmall"),
            "taobao.rp.returngoods.refuse"
        );
        assert_eq!(
            Refusal::Request.platform_call("tmall"),
            "taobao.refund.refuse"
        );
    }

    #[test]
    fn tmall_wants_a_small_classic_image_to_refuse_a_request() {
        let tmall = demands("tmall", Refusal::Request);
        assert!(tmall.proof);
        assert_eq!(proof_problem(&tmall, "image/jpeg", 120_000), None);
        assert!(
            proof_problem(&tmall, "image/webp", 1_000)
                .unwrap()
                .contains("JPG")
        );
        assert!(
            proof_problem(&tmall, "image/jpeg", 200_000)
                .unwrap()
                .contains("130000")
        );
        assert!(!demands("taobao", Refusal::Request).proof);
        assert!(demands("jd", Refusal::ReturnedGoods).proof);
        assert!(proof_problem(&demands("jd", Refusal::ReturnedGoods), "video/mp4", 10).is_some());
    }

    #[test]
    fn every_list_has_other_and_unique_codes() {
        for refusal in [Refusal::Request, Refusal::ReturnedGoods] {
            let codes: Vec<&str> = refusal.reasons().iter().map(|(code, _, _)| *code).collect();
            assert!(codes.contains(&"other"));
            let mut unique = codes.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), codes.len());
        }
    }
}
