//! Who may do what, outside the lifecycle's own table of actions: one table of capabilities per
//! role, read by every front end (API, console, portal) and by the operations behind them.

use super::Role;

/// Something a role may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Assign, prioritise, tag a case; write to it.
    EditCases,
    /// Create, change and import orders.
    ChangeOrders,
    /// Make and withdraw offers (partial refunds) to a customer.
    MakeOffers,
    /// Confirm that a refund was paid, or that its payment failed; send it again.
    SettleRefunds,
    /// Accept or decline an offer made to them.
    AnswerOffers,
    /// Add parcels and scans, see and close follow-ups.
    HandleParcels,
    /// The shop's settings: address, branding, templates, policy, clocks, SLA, SOP.
    ManageSettings,
    /// The shop's reasons for cases.
    ManageReasons,
    /// Staff members and their roles.
    ManageStaff,
    /// Webhook endpoints and their deliveries.
    ManageWebhooks,
    /// What platforms and carriers sent, and replaying it.
    SeeInbound,
    /// The secrets platforms sign their webhooks with.
    SetIntegrationSecrets,
    /// Hear by e-mail of SLA breaches and parcels to chase.
    HearOfEscalations,
    /// Read the audit log and the kept versions of the settings.
    ReadAudit,
    /// Open a platform dispute (客服介入) on a case, record its steps and ruling, take its
    /// evidence pack.
    HandleDisputes,
    /// Book costs in a case's ledger (freight, parts, labour, supplier charges) and correct them.
    RecordCosts,
    /// Approve (or refuse) compensation an agent offered above the shop's caps.
    ApproveCompensation,
    /// Draw a satisfaction survey round (the sample of a period's ended cases).
    DrawSurveys,
    /// Draw quality audits, score them, answer an agent's dispute.
    AuditCases,
    /// Import reviews, record what the buyer said, write and post explanation replies.
    HandleReviews,
    /// Write, publish and import knowledge-base articles; see the questions that found nothing.
    WriteArticles,
    /// Keep the shop's suppliers and repair centres (contacts, turnaround targets, freight) and
    /// its repair locations (services, slots).
    ManageSuppliers,
    /// Send items to a supplier, record its finding and result, receive them back.
    HandleRepairs,
}

use Capability::*;
use Role::{Admin, Agent, Customer, Inspector, Supervisor, System};

/// The table: each capability with the roles that have it, and what it is called in a refusal
/// ("only supervisors and admins {manage webhooks}").
pub const TABLE: &[(Capability, &[Role], &str)] = &[
    (EditCases, &[Agent, Supervisor, Admin, System], "edit cases"),
    (
        SettleRefunds,
        &[Agent, Supervisor, Admin, System],
        "settle refunds",
    ),
    (
        ChangeOrders,
        &[Agent, Supervisor, Admin, System],
        "change orders",
    ),
    (
        MakeOffers,
        &[Agent, Supervisor, Admin],
        "make and withdraw offers",
    ),
    (AnswerOffers, &[Customer], "accept or decline offers"),
    (
        HandleParcels,
        &[Agent, Inspector, Supervisor, Admin],
        "handle parcels and follow-ups",
    ),
    (
        ManageSettings,
        &[Supervisor, Admin],
        "change the shop's settings",
    ),
    (ManageReasons, &[Supervisor, Admin], "change reasons"),
    (ManageStaff, &[Admin], "change staff"),
    (
        ManageWebhooks,
        &[Supervisor, Admin],
        "manage webhooks and deliveries",
    ),
    (SeeInbound, &[Supervisor, Admin], "see inbound deliveries"),
    (SetIntegrationSecrets, &[Admin], "set integration secrets"),
    (
        HearOfEscalations,
        &[Supervisor, Admin],
        "hear of escalations",
    ),
    (ReadAudit, &[Supervisor, Admin], "read the audit log"),
    (
        HandleDisputes,
        &[Agent, Supervisor, Admin, System],
        "handle platform disputes",
    ),
    (
        RecordCosts,
        &[Agent, Inspector, Supervisor, Admin, System],
        "book costs",
    ),
    (
        ApproveCompensation,
        &[Supervisor, Admin],
        "approve compensation above the caps",
    ),
    (
        DrawSurveys,
        &[Supervisor, Admin, System],
        "draw survey samples",
    ),
    (AuditCases, &[Supervisor, Admin, System], "audit cases"),
    (
        HandleReviews,
        &[Agent, Supervisor, Admin, System],
        "handle reviews",
    ),
    (
        WriteArticles,
        &[Agent, Supervisor, Admin, System],
        "write knowledge-base articles",
    ),
    (
        ManageSuppliers,
        &[Supervisor, Admin],
        "manage suppliers and repair locations",
    ),
    (
        HandleRepairs,
        &[Agent, Inspector, Supervisor, Admin, System],
        "handle repairs with suppliers",
    ),
];

fn entry(capability: Capability) -> (&'static [Role], &'static str) {
    TABLE
        .iter()
        .find(|(listed, _, _)| *listed == capability)
        .map(|(_, roles, what)| (*roles, *what))
        .unwrap_or((&[], "do this"))
}

/// Whether `role` may do it.
pub fn allows(role: Role, capability: Capability) -> bool {
    entry(capability).0.contains(&role)
}

/// Ok, or the refusal in words: "only supervisors and admins manage webhooks and deliveries".
pub fn check(role: Role, capability: Capability) -> Result<(), String> {
    let (roles, what) = entry(capability);
    if roles.contains(&role) {
        return Ok(());
    }
    let names: Vec<String> = roles
        .iter()
        .filter(|role| **role != System)
        .map(|role| format!("{role}s"))
        .collect();
    Err(format!("only {} {what}", join(&names)))
}

/// What a person's token may do today: what the token was made for, unless the person now has
/// a lower role (or a different one of the same rank), then what the person may do now.
pub fn token_role(token: Role, member: Role) -> Role {
    fn rank(role: Role) -> u8 {
        match role {
            Customer => 0,
            Agent | Inspector => 1,
            Supervisor => 2,
            Admin => 3,
            System => 4,
        }
    }
    if rank(token) < rank(member) {
        token
    } else {
        member
    }
}

fn join(names: &[String]) -> String {
    match names {
        [] => "nobody".into(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 6] = [Agent, Inspector, Supervisor, Admin, System, Customer];

    #[test]
    fn a_token_never_does_more_than_its_owner_may_now() {
        // Demoted: the supervisor's token acts as an agent.
        assert_eq!(token_role(Supervisor, Agent), Agent);
        // A narrow token stays narrow when its owner is promoted.
        assert_eq!(token_role(Agent, Admin), Agent);
        // Moved sideways: the person's current role.
        assert_eq!(token_role(Agent, Inspector), Inspector);
        assert_eq!(token_role(Admin, Admin), Admin);
    }

    /// The whole table, written out role by role: a change to who may do what shows here.
    #[test]
    fn the_table() {
        let expected: &[(Capability, [bool; 6])] = &[
            //                      agent  insp.  super. admin  system customer
            (EditCases, [true, false, true, true, true, false]),
            (ChangeOrders, [true, false, true, true, true, false]),
            (MakeOffers, [true, false, true, true, false, false]),
            (SettleRefunds, [true, false, true, true, true, false]),
            (AnswerOffers, [false, false, false, false, false, true]),
            (HandleParcels, [true, true, true, true, false, false]),
            (ManageSettings, [false, false, true, true, false, false]),
            (ManageReasons, [false, false, true, true, false, false]),
            (ManageStaff, [false, false, false, true, false, false]),
            (ManageWebhooks, [false, false, true, true, false, false]),
            (SeeInbound, [false, false, true, true, false, false]),
            (
                SetIntegrationSecrets,
                [false, false, false, true, false, false],
            ),
            (HearOfEscalations, [false, false, true, true, false, false]),
            (ReadAudit, [false, false, true, true, false, false]),
            (HandleDisputes, [true, false, true, true, true, false]),
            (RecordCosts, [true, true, true, true, true, false]),
            (
                ApproveCompensation,
                [false, false, true, true, false, false],
            ),
            (DrawSurveys, [false, false, true, true, true, false]),
            (AuditCases, [false, false, true, true, true, false]),
            (HandleReviews, [true, false, true, true, true, false]),
            (WriteArticles, [true, false, true, true, true, false]),
            (ManageSuppliers, [false, false, true, true, false, false]),
            (HandleRepairs, [true, true, true, true, true, false]),
        ];
        assert_eq!(
            expected.len(),
            TABLE.len(),
            "every capability is in the test"
        );
        for (capability, row) in expected {
            for (role, allowed) in ROLES.iter().zip(row) {
                assert_eq!(
                    allows(*role, *capability),
                    *allowed,
                    "{role} × {capability:?}"
                );
                assert_eq!(check(*role, *capability).is_ok(), *allowed);
            }
        }
    }

    #[test]
    fn refusals_say_who_may() {
        assert_eq!(
            check(Agent, ManageWebhooks).unwrap_err(),
            "only supervisors and admins manage webhooks and deliveries"
        );
        assert_eq!(
            check(Supervisor, ManageStaff).unwrap_err(),
            "only admins change staff"
        );
        assert_eq!(
            check(Inspector, EditCases).unwrap_err(),
            "only agents, supervisors and admins edit cases"
        );
        assert_eq!(
            check(Agent, AnswerOffers).unwrap_err(),
            "only customers accept or decline offers"
        );
    }
}
