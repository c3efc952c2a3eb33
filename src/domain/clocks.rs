//! Platform-style clocks: when a case waits too long in a status, the platform acts on its own —
//! the shop's silence agrees to a refund, a return never shipped closes the case, a return never
//! confirmed is refunded. Defaults follow rules-cn.md B3 (commonly cited Taobao/Tmall and
//! Pinduoduo values, marked unverified there); every shop can change them per platform.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::case::{Action, CaseKind, Status};
use super::policy::Text;
use super::policy::decision::text;

pub const HOUR_MICROS: i64 = 3_600_000_000;

/// The clocks a case can have running.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Refund-only request not answered by the shop → agreed and refunded.
    RefundUnanswered,
    /// Return (or exchange, repair) request not answered → agreed, or escalated by setting.
    ReturnUnanswered,
    /// The customer does not ship the return in time → closed.
    ReturnNotShipped,
    /// The shop does not confirm the returned parcel in time → refunded automatically.
    ReturnNotConfirmed,
    /// The customer does not confirm the replacement or repaired goods → closed.
    ReplacementNotConfirmed,
    /// A refund-only request the shop agreed to and never paid → refunded.
    ApprovedNotRefunded,
    /// A parcel coming back to the shop (an exchange's or repair's, or the order's own parcel
    /// refused or intercepted) never arrives → a follow-up task.
    ReturnNotArrived,
    /// A reship (补寄) agreed and not sent → a follow-up task.
    ReshipNotSent,
    /// The shop asked the customer and heard nothing → a reminder to the customer …
    CustomerReminder,
    /// … and, still nothing, the conversation closes as abandoned.
    CustomerAbandoned,
    /// The outcome is delivered (refunded, resolved, delivered) → closed, and the customer is
    /// asked to rate the service.
    AutoClose,
    /// The SLA's first-response target (docs/POLICY.md, SLA): a breach raises the priority.
    SlaFirstResponse,
    /// The SLA's resolution target.
    SlaResolution,
    /// The platform's own deadline for the shop's next step on its after-sales record (Taobao's
    /// `refund_remind_timeout`): missed, the priority rises. It stands whatever the case does,
    /// until the platform's record moves on.
    PlatformDeadline,
    /// The platform's deadline for the shop's step in a dispute (客服介入: answer, more evidence,
    /// carry out the ruling) or the end of its suspension: it stands whatever the case does,
    /// until the dispute moves on.
    DisputeDeadline,
}

impl Clock {
    pub const ALL: [Clock; 15] = [
        Clock::RefundUnanswered,
        Clock::ReturnUnanswered,
        Clock::ReturnNotShipped,
        Clock::ReturnNotConfirmed,
        Clock::ReplacementNotConfirmed,
        Clock::ApprovedNotRefunded,
        Clock::ReturnNotArrived,
        Clock::ReshipNotSent,
        Clock::CustomerReminder,
        Clock::CustomerAbandoned,
        Clock::AutoClose,
        Clock::SlaFirstResponse,
        Clock::SlaResolution,
        Clock::PlatformDeadline,
        Clock::DisputeDeadline,
    ];

    /// SLA clocks measure the shop; platform clocks act on the case.
    pub fn is_sla(self) -> bool {
        matches!(self, Clock::SlaFirstResponse | Clock::SlaResolution)
    }

    /// Whether a shop sets its hours (the platform's deadline comes with its record).
    pub fn is_configurable(self) -> bool {
        !self.is_sla() && !self.follows_platform()
    }

    /// Whether the clock follows a platform's record or dispute rather than the case's status
    /// (a status change neither stops nor starts it).
    pub fn follows_platform(self) -> bool {
        matches!(self, Clock::PlatformDeadline | Clock::DisputeDeadline)
    }

    /// Whether the wait is one the platforms set (rules-cn.md B3) rather than the shop's own.
    pub fn is_platform_rule(self) -> bool {
        matches!(
            self,
            Clock::RefundUnanswered
                | Clock::ReturnUnanswered
                | Clock::ReturnNotShipped
                | Clock::ReturnNotConfirmed
                | Clock::ReplacementNotConfirmed
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Clock::RefundUnanswered => "refund_unanswered",
            Clock::ReturnUnanswered => "return_unanswered",
            Clock::ReturnNotShipped => "return_not_shipped",
            Clock::ReturnNotConfirmed => "return_not_confirmed",
            Clock::ReplacementNotConfirmed => "replacement_not_confirmed",
            Clock::ApprovedNotRefunded => "approved_not_refunded",
            Clock::ReturnNotArrived => "return_not_arrived",
            Clock::ReshipNotSent => "reship_not_sent",
            Clock::CustomerReminder => "customer_reminder",
            Clock::CustomerAbandoned => "customer_abandoned",
            Clock::AutoClose => "auto_close",
            Clock::SlaFirstResponse => "sla_first_response",
            Clock::SlaResolution => "sla_resolution",
            Clock::PlatformDeadline => "platform_deadline",
            Clock::DisputeDeadline => "dispute_deadline",
        }
    }

    pub fn parse(text: &str) -> Option<Clock> {
        Clock::ALL.into_iter().find(|clock| clock.as_str() == text)
    }
}

/// Reads a stored wire name.
impl TryFrom<String> for Clock {
    type Error = String;

    fn try_from(text: String) -> Result<Clock, String> {
        Clock::parse(&text).ok_or_else(|| format!("unknown clock '{text}'"))
    }
}

impl Clock {
    /// The default wait in hours for a platform (rules-cn.md B3).
    pub fn default_hours(self, platform: &str) -> u32 {
        match (self, platform) {
            (Clock::RefundUnanswered, "tmall") => 24,
            (Clock::RefundUnanswered, _) => 48,
            (Clock::ReturnUnanswered, "pinduoduo") => 48,
            (Clock::ReturnUnanswered, _) => 5 * 24,
            (Clock::ReturnNotShipped, _) => 7 * 24,
            (Clock::ReturnNotConfirmed, _) => 10 * 24,
            (Clock::ReplacementNotConfirmed, _) => 10 * 24,
            // The shop's own defaults (docs/POLICY.md, "Every waiting state"): a day to pay an
            // agreed refund, ten days for a return parcel, two days then three more for a
            // silent customer, a week before an outcome closes.
            (Clock::ApprovedNotRefunded, _) => 24,
            (Clock::ReturnNotArrived, _) => 10 * 24,
            // Two days to send a missing part or a lost parcel again.
            (Clock::ReshipNotSent, _) => 48,
            (Clock::CustomerReminder, _) => 48,
            (Clock::CustomerAbandoned, _) => 72,
            (Clock::AutoClose, _) => 7 * 24,
            (
                Clock::SlaFirstResponse
                | Clock::SlaResolution
                | Clock::PlatformDeadline
                | Clock::DisputeDeadline,
                _,
            ) => 0,
        }
    }
}

/// One clock's setting; absent fields keep the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockSetting {
    #[serde(default)]
    pub hours: Option<u32>,
    #[serde(default)]
    pub enabled: Option<bool>,
    /// For `return_unanswered`: `approve` (default) or `escalate`.
    #[serde(default)]
    pub action: Option<String>,
}

/// A shop's clock settings: per platform (or `default`), per clock.
/// `{"taobao": {"return_unanswered": {"hours": 48}}, "default": {"return_not_shipped": {"enabled": false}}}`
pub type ClockSettings = BTreeMap<String, BTreeMap<Clock, ClockSetting>>;

/// Checks a settings document: known clocks, sane hours, known actions.
pub fn check_settings(settings: &ClockSettings) -> Result<(), String> {
    for (platform, clocks) in settings {
        for (clock, setting) in clocks {
            if clock.is_sla() {
                return Err(format!(
                    "clocks.{platform}.{}: SLA targets are set under sla.targets",
                    clock.as_str()
                ));
            }
            if setting
                .hours
                .is_some_and(|hours| hours == 0 || hours > 24 * 365)
            {
                return Err(format!(
                    "clocks.{platform}.{}: hours must be between 1 and 8760",
                    clock.as_str()
                ));
            }
            if let Some(action) = &setting.action {
                let allowed = *clock == Clock::ReturnUnanswered
                    && matches!(action.as_str(), "approve" | "escalate");
                if !allowed {
                    return Err(format!(
                        "clocks.{platform}.{}: action '{action}' is not possible (only return_unanswered takes approve or escalate)",
                        clock.as_str()
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A clock to start: after `hours` in `status`, take `steps` as the system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub clock: Clock,
    pub hours: u32,
    pub steps: Vec<Action>,
    /// Where the wait comes from, e.g. `CN-B3 taobao default` or `shop setting`.
    pub rule: String,
}

/// The clock a case gets when it enters `status`, if any.
pub fn plan(
    kind: CaseKind,
    status: Status,
    platform: &str,
    order_shipped: bool,
    settings: &ClockSettings,
) -> Option<Plan> {
    use CaseKind::*;
    use Status::*;
    let (clock, default_steps) = match (kind, status) {
        (RefundOnly, Submitted) if !order_shipped => {
            (Clock::RefundUnanswered, vec![Action::Refund])
        }
        (RefundOnly, Submitted) => (Clock::ReturnUnanswered, vec![Action::Refund]),
        (ReturnAndRefund | Exchange | Repair, Submitted) => {
            (Clock::ReturnUnanswered, vec![Action::Approve])
        }
        (ReturnAndRefund | Exchange | Repair, Approved) => {
            (Clock::ReturnNotShipped, vec![Action::Cancel])
        }
        (RefundOnly, Approved) => (Clock::ApprovedNotRefunded, vec![Action::Refund]),
        (ReturnAndRefund, ReturnShipped) => (Clock::ReturnNotConfirmed, vec![Action::Refund]),
        (Exchange | Repair, ReturnShipped) => (Clock::ReturnNotArrived, vec![]),
        (Reship, Submitted) | (RefusedDelivery | Interception, Submitted) => {
            (Clock::ReturnUnanswered, vec![Action::Approve])
        }
        (Reship, Approved) => (Clock::ReshipNotSent, vec![]),
        (Reship, ReplacementShipped) => (
            Clock::ReplacementNotConfirmed,
            vec![Action::ConfirmDelivery, Action::Close],
        ),
        (RefusedDelivery | Interception, Approved) => (Clock::ReturnNotArrived, vec![]),
        (RefusedDelivery | Interception, Received) => {
            (Clock::ApprovedNotRefunded, vec![Action::Refund])
        }
        (Exchange, ReplacementShipped) | (Repair, ShippedBack) => (
            Clock::ReplacementNotConfirmed,
            vec![Action::ConfirmDelivery, Action::Close],
        ),
        (Consultation | Complaint | Review, WaitingOnCustomer) => (Clock::CustomerReminder, vec![]),
        (_, Refunded | Resolved | ReplacementDelivered | Delivered) => {
            (Clock::AutoClose, vec![Action::Close])
        }
        _ => return None,
    };
    configured(clock, default_steps, kind, platform, settings)
}

/// The second stage of a silent customer: after the reminder, the conversation is resolved and
/// closed as abandoned.
pub fn abandon(platform: &str, settings: &ClockSettings) -> Option<Plan> {
    configured(
        Clock::CustomerAbandoned,
        vec![Action::Resolve, Action::Close],
        CaseKind::Consultation,
        platform,
        settings,
    )
}

/// A clock as the shop set it (per platform, then `default`), or its default.
fn configured(
    clock: Clock,
    default_steps: Vec<Action>,
    kind: CaseKind,
    platform: &str,
    settings: &ClockSettings,
) -> Option<Plan> {
    let specific = settings.get(platform).and_then(|clocks| clocks.get(&clock));
    let general = settings
        .get("default")
        .and_then(|clocks| clocks.get(&clock));
    let enabled = specific
        .and_then(|setting| setting.enabled)
        .or_else(|| general.and_then(|setting| setting.enabled));
    if enabled == Some(false) {
        return None;
    }
    let hours = specific
        .and_then(|setting| setting.hours)
        .or_else(|| general.and_then(|setting| setting.hours));
    let action: Option<String> = specific
        .and_then(|setting| setting.action.clone())
        .or_else(|| general.and_then(|setting| setting.action.clone()));
    let steps = if clock == Clock::ReturnUnanswered
        && kind != CaseKind::RefundOnly
        && action.as_deref() == Some("escalate")
    {
        vec![Action::Escalate]
    } else {
        default_steps
    };
    let rule = match hours {
        Some(_) => format!("shop setting ({platform})"),
        None if clock.is_platform_rule() => format!("CN-B3 default ({platform})"),
        None => "default (docs/POLICY.md)".to_string(),
    };
    Some(Plan {
        clock,
        hours: hours.unwrap_or_else(|| clock.default_hours(platform)),
        steps,
        rule,
    })
}

/// What a running clock will do, for people.
pub fn describe(clock: Clock, steps: &[Action]) -> Text {
    match (clock, steps.last()) {
        (Clock::SlaFirstResponse, _) => text(
            "首次响应时限：超时将提高优先级并通知主管",
            "First-response target: when missed, the priority rises and the supervisor is told",
        ),
        (Clock::SlaResolution, _) => text(
            "解决时限：超时将提高优先级并通知主管",
            "Resolution target: when missed, the priority rises and the supervisor is told",
        ),
        (Clock::PlatformDeadline, _) => text(
            "平台规定的处理时限：逾期未在平台上处理将提高优先级（平台可能自动同意）",
            "The platform's deadline for the shop's answer on the platform: when missed, the priority rises (the platform may agree on its own)",
        ),
        (Clock::DisputeDeadline, _) => text(
            "平台介入的处理时限：逾期未答复、未补充凭证或未执行判定将提高优先级（平台可能按现有证据判定）；协商暂停到期后平台恢复处理",
            "The platform's deadline in a dispute: when an answer, more evidence or the ruling's execution is late, the priority rises (the platform may decide on the evidence it has); a suspension's end resumes the dispute",
        ),
        (Clock::ApprovedNotRefunded, _) => text(
            "已同意退款但逾期未付款：系统自动退款",
            "If an agreed refund is not paid in time, it is paid automatically",
        ),
        (Clock::ReturnNotArrived, _) => text(
            "寄回的包裹逾期未到：生成跟进任务，联系快递和买家",
            "If the parcel sent back does not arrive in time, a follow-up task is opened to chase it",
        ),
        (Clock::ReshipNotSent, _) => text(
            "已同意补寄但逾期未发出：生成跟进任务",
            "If an agreed reship is not sent in time, a follow-up task is opened",
        ),
        (Clock::CustomerReminder, _) => text(
            "买家逾期未回复：系统提醒买家",
            "If the customer does not answer in time, they are reminded",
        ),
        (Clock::CustomerAbandoned, _) => text(
            "提醒后买家仍未回复：会话自动关闭",
            "If the customer still does not answer after the reminder, the conversation closes",
        ),
        (Clock::AutoClose, _) => text(
            "处理结果已完成：到期自动关闭并邀请买家评价（买家有未回复的留言或退款未到账时顺延）",
            "The outcome is delivered: the case closes in time and the customer is asked to rate it (postponed while a customer message is unanswered or a refund is unpaid)",
        ),
        (Clock::ReturnNotConfirmed, _) => text(
            "商家逾期未确认收到退货：系统自动退款",
            "If the shop does not confirm the returned parcel in time, the refund is paid automatically",
        ),
        (_, Some(Action::Refund)) => text(
            "商家逾期未处理退款申请：系统自动同意并退款",
            "If the shop does not answer the refund request in time, it is agreed and refunded automatically",
        ),
        (_, Some(Action::Escalate)) => text(
            "商家逾期未处理：自动升级到平台介入",
            "If the shop does not answer in time, the case is escalated automatically",
        ),
        (_, Some(Action::Approve)) => text(
            "商家逾期未处理申请：系统自动同意",
            "If the shop does not answer the request in time, it is agreed automatically",
        ),
        (_, Some(Action::Cancel)) => text(
            "买家逾期未寄回商品：申请自动关闭",
            "If the customer does not ship the return in time, the case closes",
        ),
        _ => text(
            "买家逾期未确认收货：自动确认并关闭",
            "If the customer does not confirm receipt in time, it is confirmed and the case closes",
        ),
    }
}

/// What moves a case on from a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mover {
    /// A clock runs: when it is due, it acts.
    Clock(Clock),
    /// The shop has the next move, and the SLA's resolution target runs while it waits.
    Shop,
    /// Nothing: the case has ended.
    Nobody,
}

/// Who or what moves a case of `kind` on from `status` (docs/POLICY.md, "Every waiting state").
pub fn mover(
    kind: CaseKind,
    status: Status,
    platform: &str,
    order_shipped: bool,
    settings: &ClockSettings,
) -> Mover {
    if !status.is_open() {
        return Mover::Nobody;
    }
    match plan(kind, status, platform, order_shipped, settings) {
        Some(plan) => Mover::Clock(plan.clock),
        None => Mover::Shop,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::statuses_of;
    use crate::domain::sla;

    /// Every status a case can reach, on every platform and whether or not the order shipped,
    /// has a clock, or waits on the shop with the SLA running — never on the customer or a
    /// parcel without a clock.
    #[test]
    fn no_status_waits_without_a_clock_or_an_owner() {
        let defaults = ClockSettings::new();
        for kind in CaseKind::ALL.iter().copied() {
            for status in statuses_of(kind) {
                for platform in ["taobao", "tmall", "pinduoduo", "jd", "shopify", "own"] {
                    for shipped in [false, true] {
                        match mover(kind, status, platform, shipped, &defaults) {
                            Mover::Nobody => assert!(!status.is_open()),
                            Mover::Clock(clock) => assert!(!clock.is_sla()),
                            Mover::Shop => assert!(
                                !sla::paused_in(status) && !sla::resolved_in(status),
                                "{kind} {status}: waits on the shop, but the SLA is not running"
                            ),
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_outcome_closes_by_itself_and_a_silent_customer_is_reminded() {
        let defaults = ClockSettings::new();
        for (kind, status) in [
            (CaseKind::RefundOnly, Status::Refunded),
            (CaseKind::ReturnAndRefund, Status::Refunded),
            (CaseKind::Exchange, Status::ReplacementDelivered),
            (CaseKind::Repair, Status::Delivered),
            (CaseKind::Consultation, Status::Resolved),
            (CaseKind::Complaint, Status::Resolved),
        ] {
            let plan = plan(kind, status, "taobao", true, &defaults).unwrap();
            assert_eq!(
                (plan.clock, plan.hours, plan.steps),
                (Clock::AutoClose, 168, vec![Action::Close])
            );
        }
        let reminder = plan(
            CaseKind::Complaint,
            Status::WaitingOnCustomer,
            "jd",
            true,
            &defaults,
        )
        .unwrap();
        assert_eq!(
            (reminder.clock, reminder.hours),
            (Clock::CustomerReminder, 48)
        );
        assert!(reminder.steps.is_empty());
        let abandon = abandon("jd", &defaults).unwrap();
        assert_eq!(abandon.steps, vec![Action::Resolve, Action::Close]);
        assert_eq!(abandon.rule, "default (docs/POLICY.md)");
        let settings: ClockSettings =
            serde_json::from_str(r#"{"default": {"auto_close": {"hours": 72}}}"#).unwrap();
        check_settings(&settings).unwrap();
        assert_eq!(
            plan(CaseKind::Repair, Status::Delivered, "jd", true, &settings)
                .unwrap()
                .hours,
            72
        );
    }

    #[test]
    fn plans_follow_the_status_and_the_settings() {
        let none = ClockSettings::new();
        let plan_for = |kind, status, shipped, settings: &ClockSettings| {
            plan(kind, status, "taobao", shipped, settings)
        };
        let refund = plan_for(CaseKind::RefundOnly, Status::Submitted, false, &none).unwrap();
        assert_eq!((refund.clock, refund.hours), (Clock::RefundUnanswered, 48));
        assert_eq!(refund.steps, vec![Action::Refund]);
        let shipped = plan_for(CaseKind::RefundOnly, Status::Submitted, true, &none).unwrap();
        assert_eq!(
            (shipped.clock, shipped.hours),
            (Clock::ReturnUnanswered, 120)
        );
        assert!(plan_for(CaseKind::ReturnAndRefund, Status::Received, false, &none).is_none());
        assert_eq!(
            plan(
                CaseKind::RefundOnly,
                Status::Submitted,
                "tmall",
                false,
                &none
            )
            .unwrap()
            .hours,
            24
        );

        let settings: ClockSettings = serde_json::from_str(
            r#"{"taobao": {"return_unanswered": {"hours": 36, "action": "escalate"}},
                "default": {"return_not_shipped": {"enabled": false}}}"#,
        )
        .unwrap();
        check_settings(&settings).unwrap();
        let escalate = plan_for(
            CaseKind::ReturnAndRefund,
            Status::Submitted,
            false,
            &settings,
        )
        .unwrap();
        assert_eq!(
            (escalate.hours, escalate.steps.clone()),
            (36, vec![Action::Escalate])
        );
        assert_eq!(escalate.rule, "shop setting (taobao)");
        assert!(
            plan_for(
                CaseKind::ReturnAndRefund,
                Status::Approved,
                false,
                &settings
            )
            .is_none()
        );

        let bad: ClockSettings =
            serde_json::from_str(r#"{"default": {"return_not_shipped": {"action": "escalate"}}}"#)
                .unwrap();
        assert!(check_settings(&bad).is_err());
        assert!(serde_json::from_str::<ClockSettings>(r#"{"default": {"never": {}}}"#).is_err());
    }
}
