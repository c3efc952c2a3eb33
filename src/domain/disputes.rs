//! Disputes (客服介入 / 平台介入): the platform steps into an after-sales case at the buyer's or the
//! shop's request. Its stages, the platform's deadline for each of the shop's steps
//! (`../shared/data/policy/rules-cn.md` B1, B2), the outcomes it can rule, and what the shop must
//! hand in (the evidence pack's checklist). Pure: the caller keeps the dispute and its clock.

use jiff::civil::Time;
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::case::{CaseKind, wire_names};

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Stage {
    /// The platform has stepped in; the shop must answer (settle or give its evidence).
    Open,
    /// The platform asked for more evidence (JD: 4 hours within 09:00–18:00).
    EvidenceRequested,
    /// The shop answered; the platform decides.
    Answered,
    /// Both parties asked to negotiate; the dispute waits (Taobao: 30 days, CN-P14).
    Suspended,
    /// The platform ruled; the shop carries out the ruling (JD: within 24 hours, CN-P24).
    Decided,
    /// Over: the ruling was carried out, or the buyer withdrew, or the parties settled.
    Closed,
}

wire_names!(Stage {
    Open => "open",
    EvidenceRequested => "evidence_requested",
    Answered => "answered",
    Suspended => "suspended",
    Decided => "decided",
    Closed => "closed",
});

/// What the platform ruled, or how the dispute otherwise ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// For the buyer: the shop refunds (and takes the goods back where they are returned).
    Buyer,
    /// For the shop: the request is refused, the payment goes to the shop.
    Seller,
    /// The platform refunded the buyer itself from the shop's funds (强制退款 / 先行赔付).
    ForcedRefund,
    /// The parties agreed between themselves.
    Settled,
    /// The buyer withdrew the dispute.
    Withdrawn,
}

wire_names!(Outcome {
    Buyer => "buyer",
    Seller => "seller",
    ForcedRefund => "forced_refund",
    Settled => "settled",
    Withdrawn => "withdrawn",
});

impl Outcome {
    /// Whether the ruling leaves the shop something to carry out (a refund to pay, goods to take
    /// back), with the platform's deadline for it.
    pub fn shop_must_act(self) -> bool {
        matches!(self, Outcome::Buyer)
    }

    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Outcome::Buyer => ("平台判定支持买家", "Ruled for the buyer"),
            Outcome::Seller => ("平台判定支持商家", "Ruled for the shop"),
            Outcome::ForcedRefund => ("平台强制退款", "The platform refunded the buyer itself"),
            Outcome::Settled => ("双方协商一致", "Settled between the parties"),
            Outcome::Withdrawn => ("买家撤销介入", "The buyer withdrew"),
        }
    }
}

impl Stage {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Stage::Open => ("待商家答复", "Waiting for the shop's answer"),
            Stage::EvidenceRequested => {
                ("平台要求补充凭证", "The platform asked for more evidence")
            }
            Stage::Answered => ("已提交，等待平台判定", "Answered; the platform decides"),
            Stage::Suspended => ("协商暂停中", "Suspended while the parties negotiate"),
            Stage::Decided => ("平台已判定，待执行", "Ruled; to be carried out"),
            Stage::Closed => ("已结束", "Closed"),
        }
    }
}

/// What the shop records about a dispute: the platform's moves and its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The platform asked for more evidence.
    EvidenceRequested,
    /// The shop answered or handed in its evidence on the platform.
    Answered,
    /// Both parties asked to negotiate.
    Suspended,
    /// The suspension ended; the platform deals with the dispute again.
    Resumed,
    /// The platform ruled (an outcome is needed).
    Decided,
    /// The dispute is over: the ruling carried out, or ended otherwise (an outcome is needed
    /// when none was ruled).
    Closed,
}

wire_names!(Step {
    EvidenceRequested => "evidence_requested",
    Answered => "answered",
    Suspended => "suspended",
    Resumed => "resumed",
    Decided => "decided",
    Closed => "closed",
});

impl Step {
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Step::EvidenceRequested => ("平台要求补充凭证", "The platform asked for more evidence"),
            Step::Answered => (
                "已在平台答复/提交凭证",
                "Answered or handed in evidence on the platform",
            ),
            Step::Suspended => ("双方申请协商暂停", "Both asked to suspend and negotiate"),
            Step::Resumed => ("平台恢复处理", "The platform resumed"),
            Step::Decided => ("平台已判定", "The platform ruled"),
            Step::Closed => ("结束介入", "The dispute is over"),
        }
    }

    /// The steps that fit a dispute in `stage`.
    pub fn possible(stage: Stage) -> Vec<Step> {
        Step::ALL
            .iter()
            .copied()
            .filter(|step| after(stage, *step, Some(Outcome::Settled), None).is_ok())
            .collect()
    }
}

/// Why a step cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    #[error("a dispute that is {stage} cannot be {step}")]
    NotNow {
        stage: &'static str,
        step: &'static str,
    },
    #[error(
        "say what the platform ruled: outcome is one of buyer, seller, forced_refund, settled, withdrawn"
    )]
    OutcomeNeeded,
    #[error("the platform already ruled; the outcome stays as ruled")]
    AlreadyRuled,
}

/// The stage a step leads to. A ruling that leaves the shop something to carry out waits in
/// `Decided`; any other ends the dispute.
pub fn after(
    stage: Stage,
    step: Step,
    outcome: Option<Outcome>,
    ruled: Option<Outcome>,
) -> Result<Stage, StepError> {
    use Stage::*;
    let refused = || StepError::NotNow {
        stage: stage.as_str(),
        step: step.as_str(),
    };
    match step {
        Step::EvidenceRequested if matches!(stage, Open | EvidenceRequested | Answered) => {
            Ok(EvidenceRequested)
        }
        Step::Answered if matches!(stage, Open | EvidenceRequested) => Ok(Answered),
        Step::Suspended if matches!(stage, Open | EvidenceRequested | Answered) => Ok(Suspended),
        Step::Resumed if stage == Suspended => Ok(Open),
        Step::Decided if matches!(stage, Open | EvidenceRequested | Answered | Suspended) => {
            match outcome.ok_or(StepError::OutcomeNeeded)? {
                outcome if outcome.shop_must_act() || outcome == Outcome::Settled => Ok(Decided),
                _ => Ok(Closed),
            }
        }
        Step::Closed if stage == Decided => match (outcome, ruled) {
            (Some(given), Some(ruled)) if given != ruled => Err(StepError::AlreadyRuled),
            _ => Ok(Closed),
        },
        Step::Closed if stage != Closed => {
            outcome.ok_or(StepError::OutcomeNeeded)?;
            Ok(Closed)
        }
        _ => Err(refused()),
    }
}

/// What a platform's customer-service field says about a dispute, as a move of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlatformMove {
    /// The platform stepped in (or is about to).
    Opened,
    /// It asks the shop for evidence.
    EvidenceRequested,
    /// It ruled.
    Ruled(Outcome),
    /// The buyer withdrew (or the system cancelled it).
    Withdrawn,
}

/// Taobao/Tmall's `cs_status` on a refund (a number, or the refund export's 客服介入状态 in
/// words): 1 不需客服介入; 2 需要客服介入; 3 客服已经介入; 4 客服初审完成; 5 客服主管复审失败;
/// 6 客服处理完成; 7 系统撤销 / 维权撤销; 8 支持买家; 9 支持卖家; 10 举证中; 11 开放申诉 (the TOP
/// `Refund` structure as `bububa/opentaobao` model/refund/Refund.go documents it). `None`: nothing
/// to do (no intervention, or a state that says nothing new).
pub fn taobao_cs(status: &str) -> Option<PlatformMove> {
    Some(match status.trim() {
        "2"
        | "3"
        | "4"
        | "5"
        | "需要客服介入"
        | "客服已经介入"
        | "客服初审完成"
        | "客服主管复审失败" => PlatformMove::Opened,
        "10" | "举证中" => PlatformMove::EvidenceRequested,
        "8" | "支持买家" => PlatformMove::Ruled(Outcome::Buyer),
        "9" | "支持卖家" => PlatformMove::Ruled(Outcome::Seller),
        "7" | "系统撤销" | "维权撤销" => PlatformMove::Withdrawn,
        _ => return None,
    })
}

/// Douyin's `arbitrate_status` (仲裁状态): 0 未介入; 1 客服处理中; 2 仲裁结束-支持买家;
/// 3 仲裁结束-支持卖家; 4 待商家举证; 5 待与买家协商; 6 仲裁结束; 255 取消 (the 抖店 Go SDK,
/// `api/afterSale_List` request).
pub fn douyin_arbitration(status: &str) -> Option<PlatformMove> {
    Some(match status.trim() {
        "1" => PlatformMove::Opened,
        "4" => PlatformMove::EvidenceRequested,
        "2" => PlatformMove::Ruled(Outcome::Buyer),
        "3" => PlatformMove::Ruled(Outcome::Seller),
        "255" => PlatformMove::Withdrawn,
        _ => return None,
    })
}

const HOUR: i64 = 3_600_000_000;

/// A deadline and the rule that sets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub due_at: i64,
    /// The rule's id in rules-cn.md, or the default that stands in for an unpublished one.
    pub rule: &'static str,
}

/// The platform's deadline for the shop's step in `stage`, which began at `since` (unix
/// microseconds), or `None` when nothing waits on the shop. A platform's own notice may give
/// the exact time; the caller prefers it.
pub fn deadline(platform: &str, stage: Stage, since: i64) -> Option<Deadline> {
    let jd = platform == "jd";
    let taobao = matches!(platform, "taobao" | "tmall");
    Some(match stage {
        // JD: 24 hours to settle or give evidence (CN-P22). Others publish no figure we could
        // read; a day is the default until the platform's notice says otherwise.
        Stage::Open => Deadline {
            due_at: since + 24 * HOUR,
            rule: if jd {
                "CN-P22"
            } else {
                "default: 24 hours (the platform's notice gives the exact time)"
            },
        },
        // JD: 4 hours counted only between 09:00 and 18:00 China time (CN-P23).
        Stage::EvidenceRequested => Deadline {
            due_at: within_office_hours(since, 4 * HOUR),
            rule: if jd {
                "CN-P23"
            } else {
                "default: 4 office hours (09:00–18:00), as JD (the platform's notice gives the exact time)"
            },
        },
        // Taobao resumes the dispute 30 days after both asked to negotiate (CN-P14).
        Stage::Suspended => Deadline {
            due_at: since + 30 * 24 * HOUR,
            rule: if taobao {
                "CN-P14"
            } else {
                "default: 30 days, as Taobao"
            },
        },
        // JD: the ruling is carried out within 24 hours, else JD carries it out (CN-P24).
        Stage::Decided => Deadline {
            due_at: since + 24 * HOUR,
            rule: if jd {
                "CN-P24"
            } else {
                "default: 24 hours, as JD"
            },
        },
        Stage::Answered | Stage::Closed => return None,
    })
}

/// Until when a closed dispute may be appealed: 7 natural days (JD, CN-P25).
pub fn appeal_until(closed_at: i64) -> i64 {
    closed_at + 7 * 24 * HOUR
}

/// `from` plus `length` counted only between 09:00 and 18:00 China time, every day (CN-P23:
/// notified 10:00 → due 14:00; notified 14:01 → due 09:01 the next day).
pub fn within_office_hours(from: i64, length: i64) -> i64 {
    let zone = TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::UTC);
    let Ok(start) = Timestamp::from_microsecond(from) else {
        return from + length;
    };
    let mut now = start.to_zoned(zone);
    let mut left = length;
    for _ in 0..400 {
        let date = now.date();
        let opens = date.to_datetime(Time::constant(9, 0, 0, 0));
        let closes = date.to_datetime(Time::constant(18, 0, 0, 0));
        let here = now.datetime();
        if here >= closes {
            let Ok(next) = now.checked_add(Span::new().days(1)) else {
                break;
            };
            now = match next
                .date()
                .to_datetime(Time::midnight())
                .to_zoned(now.time_zone().clone())
            {
                Ok(next) => next,
                Err(_) => break,
            };
            continue;
        }
        let begin = if here < opens { opens } else { here };
        let Ok(begin) = begin.to_zoned(now.time_zone().clone()) else {
            break;
        };
        let Ok(end) = closes.to_zoned(now.time_zone().clone()) else {
            break;
        };
        let room = end.timestamp().as_microsecond() - begin.timestamp().as_microsecond();
        if left <= room {
            return begin.timestamp().as_microsecond() + left;
        }
        left -= room;
        now = end;
    }
    from + length
}

/// One thing the platform wants to see, and whether the case has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub code: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub present: bool,
}

/// What the case holds that a dispute's evidence is made of.
#[derive(Debug, Clone, Copy, Default)]
pub struct Holdings {
    pub messages: usize,
    pub photos: usize,
    pub documents: usize,
    /// The order went out with a tracking number.
    pub outbound_tracking: bool,
    /// The goods came back with a tracking number.
    pub return_tracking: bool,
    /// The returned goods were inspected.
    pub inspected: bool,
    /// The buyer claims a quality fault (or a fake).
    pub quality_claim: bool,
}

/// The checklist of what to hand in (CN-P12: a quality fault needs the buyer's initial evidence
/// and, against a hidden fault or a fake, the shop's purchase and conformity documents).
pub fn checklist(kind: CaseKind, holdings: &Holdings) -> Vec<Requirement> {
    let mut list = vec![
        Requirement {
            code: "order",
            zh: "订单信息（商品、金额、付款时间）",
            en: "The order (items, amounts, when paid)",
            present: true,
        },
        Requirement {
            code: "messages",
            zh: "与买家的沟通记录",
            en: "The conversation with the buyer",
            present: holdings.messages > 0,
        },
    ];
    if holdings.outbound_tracking || kind != CaseKind::RefundOnly {
        list.push(Requirement {
            code: "shipping",
            zh: "发货凭证与物流轨迹",
            en: "Proof of shipping and the tracking history",
            present: holdings.outbound_tracking,
        });
    }
    if kind.concerns_goods() {
        list.push(Requirement {
            code: "photos",
            zh: "商品照片或开箱视频",
            en: "Photos or an unboxing video of the goods",
            present: holdings.photos > 0,
        });
    }
    if kind.ships_back() {
        list.push(Requirement {
            code: "return",
            zh: "退货物流单号与签收记录",
            en: "The return's tracking number and its delivery",
            present: holdings.return_tracking,
        });
        list.push(Requirement {
            code: "inspection",
            zh: "验货结果（照片、说明）",
            en: "The inspection result (photos, findings)",
            present: holdings.inspected,
        });
    }
    if holdings.quality_claim {
        list.push(Requirement {
            code: "documents",
            zh: "进货凭证、合格证或检测报告、发票（CN-P12）",
            en: "Purchase records, certificate of conformity or test report, invoice (CN-P12)",
            present: holdings.documents > 0,
        });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn china(text: &str) -> i64 {
        let zone = TimeZone::get("Asia/Shanghai").unwrap();
        text.parse::<jiff::civil::DateTime>()
            .unwrap()
            .to_zoned(zone)
            .unwrap()
            .timestamp()
            .as_microsecond()
    }

    #[test]
    fn evidence_counts_office_hours_only_as_jd_says() {
        // CN-P23's own examples.
        assert_eq!(
            within_office_hours(china("2026-12-07 10:00"), 4 * HOUR),
            china("2026-12-07 14:00")
        );
        assert_eq!(
            within_office_hours(china("2026-12-07 14:01"), 4 * HOUR),
            china("2026-12-08 09:01")
        );
        // Notified in the night: the hours start at 09:00.
        assert_eq!(
            within_office_hours(china("2026-12-07 22:30"), 4 * HOUR),
            china("2026-12-08 13:00")
        );
        assert_eq!(
            within_office_hours(china("2026-12-08 06:00"), 4 * HOUR),
            china("2026-12-08 13:00")
        );
        // Weekends count too (no distinction of working days).
        assert_eq!(
            within_office_hours(china("2026-12-12 17:00"), 4 * HOUR),
            china("2026-12-13 12:00")
        );
    }

    #[test]
    fn each_waiting_stage_has_its_platforms_deadline() {
        let opened = china("2026-12-07 10:00");
        let reply = deadline("jd", Stage::Open, opened).unwrap();
        assert_eq!(reply.due_at, china("2026-12-08 10:00"));
        assert_eq!(reply.rule, "CN-P22");
        let suspended = deadline("taobao", Stage::Suspended, opened).unwrap();
        assert_eq!(suspended.due_at, china("2027-01-06 10:00"));
        assert_eq!(suspended.rule, "CN-P14");
        assert_eq!(
            deadline("jd", Stage::Decided, opened).unwrap().rule,
            "CN-P24"
        );
        assert!(deadline("jd", Stage::Answered, opened).is_none());
        assert!(deadline("jd", Stage::Closed, opened).is_none());
        assert!(
            deadline("pinduoduo", Stage::Open, opened)
                .unwrap()
                .rule
                .starts_with("default")
        );
        assert_eq!(appeal_until(opened), china("2026-12-14 10:00"));
    }

    #[test]
    fn the_checklist_follows_the_case() {
        let holdings = Holdings {
            messages: 2,
            photos: 1,
            outbound_tracking: true,
            quality_claim: true,
            ..Holdings::default()
        };
        let list = checklist(CaseKind::ReturnAndRefund, &holdings);
        let codes: Vec<&str> = list.iter().map(|item| item.code).collect();
        assert_eq!(
            codes,
            [
                "order",
                "messages",
                "shipping",
                "photos",
                "return",
                "inspection",
                "documents"
            ]
        );
        let missing: Vec<&str> = list
            .iter()
            .filter(|item| !item.present)
            .map(|item| item.code)
            .collect();
        assert_eq!(missing, ["return", "inspection", "documents"]);
        let refund = checklist(CaseKind::RefundOnly, &Holdings::default());
        let codes: Vec<&str> = refund.iter().map(|item| item.code).collect();
        assert_eq!(codes, ["order", "messages", "photos"]);
    }

    #[test]
    fn steps_follow_the_platforms_process() {
        use Stage::*;
        assert_eq!(after(Open, Step::Answered, None, None), Ok(Answered));
        assert_eq!(
            after(Answered, Step::EvidenceRequested, None, None),
            Ok(EvidenceRequested)
        );
        assert_eq!(
            after(EvidenceRequested, Step::Answered, None, None),
            Ok(Answered)
        );
        assert_eq!(after(Answered, Step::Suspended, None, None), Ok(Suspended));
        assert_eq!(after(Suspended, Step::Resumed, None, None), Ok(Open));
        // A ruling for the buyer waits to be carried out; one for the shop ends it.
        assert_eq!(
            after(Answered, Step::Decided, Some(Outcome::Buyer), None),
            Ok(Decided)
        );
        assert_eq!(
            after(Answered, Step::Decided, Some(Outcome::Seller), None),
            Ok(Closed)
        );
        assert_eq!(
            after(Answered, Step::Decided, None, None),
            Err(StepError::OutcomeNeeded)
        );
        assert_eq!(
            after(Decided, Step::Closed, None, Some(Outcome::Buyer)),
            Ok(Closed)
        );
        assert_eq!(
            after(
                Decided,
                Step::Closed,
                Some(Outcome::Seller),
                Some(Outcome::Buyer)
            ),
            Err(StepError::AlreadyRuled)
        );
        assert_eq!(
            after(Open, Step::Closed, Some(Outcome::Withdrawn), None),
            Ok(Closed)
        );
        assert_eq!(
            after(Open, Step::Closed, None, None),
            Err(StepError::OutcomeNeeded)
        );
        assert!(matches!(
            after(Closed, Step::Answered, None, None),
            Err(StepError::NotNow { .. })
        ));
        assert!(matches!(
            after(Answered, Step::Resumed, None, None),
            Err(StepError::NotNow { .. })
        ));
    }

    #[test]
    fn taobaos_customer_service_states_are_read_as_moves() {
        assert_eq!(taobao_cs("1"), None);
        assert_eq!(taobao_cs("3"), Some(PlatformMove::Opened));
        assert_eq!(taobao_cs("客服已经介入"), Some(PlatformMove::Opened));
        assert_eq!(taobao_cs("10"), Some(PlatformMove::EvidenceRequested));
        assert_eq!(
            taobao_cs("支持卖家"),
            Some(PlatformMove::Ruled(Outcome::Seller))
        );
        assert_eq!(taobao_cs("8"), Some(PlatformMove::Ruled(Outcome::Buyer)));
        assert_eq!(taobao_cs("维权撤销"), Some(PlatformMove::Withdrawn));
        assert_eq!(taobao_cs("6"), None);
        assert_eq!(douyin_arbitration("1"), Some(PlatformMove::Opened));
        assert_eq!(
            douyin_arbitration("4"),
            Some(PlatformMove::EvidenceRequested)
        );
        assert_eq!(
            douyin_arbitration("3"),
            Some(PlatformMove::Ruled(Outcome::Seller))
        );
        assert_eq!(douyin_arbitration("0"), None);
    }

    #[test]
    fn stages_and_outcomes_have_wire_names() {
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.as_str()), Some(*stage));
        }
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Some(*outcome));
        }
        for step in Step::ALL {
            assert_eq!(Step::parse(step.as_str()), Some(*step));
        }
        assert!(Outcome::Buyer.shop_must_act());
        assert!(!Outcome::Seller.shop_must_act());
    }
}
