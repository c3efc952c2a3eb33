//! Where a case stands, in the customer's words ("you"): what happens next and what each
//! running clock means — said the same on the portal's case page and in the 7×24 answers.

use crate::db::cases;
use crate::domain::{Action, Status};
use crate::i18n::Language;

/// What happens next, in words that are true for this case: a refund-only request sends nothing
/// back; a refund still being paid is not called paid; a refusal gives the shop's reason.
pub fn next_step(
    language: Language,
    case: &cases::CaseRecord,
    events: &[cases::EventRecord],
    refunds: &[crate::db::refunds::RefundRecord],
) -> String {
    let reason_of = |action: &str| {
        events
            .iter()
            .rev()
            .find(|event| event.action == action)
            .and_then(|event| event.data["reason"].as_str())
            .map(str::to_string)
    };
    match case.status {
        Status::Approved if case.kind == crate::domain::CaseKind::RefundOnly => {
            language.text("portal-next-approved-refund_only")
        }
        Status::Refunded
            if refunds.iter().any(|refund| {
                !crate::domain::notifications::money_is_out(Some(refund.status.as_str()))
            }) =>
        {
            language.text("portal-next-refund-pending")
        }
        Status::Rejected | Status::InspectionFailed => {
            let action = if case.status == Status::Rejected {
                "reject"
            } else {
                "inspect_fail"
            };
            match reason_of(action) {
                Some(reason) => language.text_with(
                    &format!("portal-next-{}-because", case.status.as_str()),
                    "reason",
                    &reason,
                ),
                None => language.text(&format!("portal-next-{}", case.status.as_str())),
            }
        }
        status => language.text(&format!("portal-next-{}", status.as_str())),
    }
}

/// What a running clock means for the customer, said to them ("you"): the staff's wording
/// names the buyer in the third person.
pub fn deadline_text(language: Language, timer: &crate::db::timers::TimerRecord) -> String {
    let escalates = timer.steps.last() == Some(&Action::Escalate);
    let key = match (timer.clock, escalates) {
        (crate::domain::clocks::Clock::ReturnUnanswered, true) => {
            "portal-clock-return_unanswered-escalate".to_string()
        }
        (clock, _) => format!("portal-clock-{}", clock.as_str()),
    };
    let staff = crate::domain::clocks::describe(timer.clock, &timer.steps);
    let fallback = match language {
        Language::Chinese => staff.chinese,
        Language::English => staff.english,
    };
    language.text_or(&key, &fallback)
}
