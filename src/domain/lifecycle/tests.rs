use super::*;
use proptest::prelude::*;

const NOW: Moment = Moment {
    now: 1_000_000_000_000_000,
    ended_at: None,
};

fn walk(kind: CaseKind, steps: &[(Action, Role)]) -> Status {
    let mut status = kind.initial_status();
    for (action, role) in steps {
        status = next_status(kind, status, *action, *role, NOW).expect("step allowed");
    }
    status
}

#[test]
fn return_and_refund_happy_path() {
    let status = walk(
        ReturnAndRefund,
        &[
            (Action::Approve, Role::Agent),
            (Action::ShipReturn, Role::Customer),
            (Action::Receive, Role::Inspector),
            (Action::InspectPass, Role::Inspector),
            (Action::Refund, Role::Agent),
            (Action::Close, Role::Agent),
        ],
    );
    assert_eq!(status, Closed);
}

#[test]
fn repair_through_the_supplier() {
    let status = walk(
        Repair,
        &[
            (Action::Approve, Role::Agent),
            (Action::ShipReturn, Role::Customer),
            (Action::Receive, Role::Inspector),
            (Action::Diagnose, Role::Inspector),
            (Action::SendToVendor, Role::Agent),
            (Action::VendorReturn, Role::Agent),
            (Action::MarkRepaired, Role::Inspector),
            (Action::ShipBack, Role::Agent),
            (Action::ConfirmDelivery, Role::Customer),
            (Action::Close, Role::Agent),
        ],
    );
    assert_eq!(status, Closed);
}

#[test]
fn refused_moves_say_why() {
    assert_eq!(
        next_status(RefundOnly, Submitted, Action::ShipReturn, Role::Agent, NOW),
        Err(TransitionError::NotAllowed {
            kind: RefundOnly,
            status: Submitted,
            action: Action::ShipReturn
        })
    );
    assert_eq!(
        next_status(
            ReturnAndRefund,
            Received,
            Action::InspectPass,
            Role::Agent,
            NOW
        ),
        Err(TransitionError::RoleNotAllowed {
            role: Role::Agent,
            action: Action::InspectPass
        })
    );
    assert_eq!(
        next_status(Exchange, Closed, Action::Approve, Role::Admin, NOW),
        Err(TransitionError::NotAllowed {
            kind: Exchange,
            status: Closed,
            action: Action::Approve
        })
    );
}

#[test]
fn reopen_only_within_the_window() {
    let recent = Moment {
        now: NOW.now,
        ended_at: Some(NOW.now - 3_600_000_000),
    };
    assert_eq!(
        next_status(Exchange, Closed, Action::Reopen, Role::Customer, recent),
        Ok(Submitted)
    );
    let old = Moment {
        now: NOW.now,
        ended_at: Some(NOW.now - REOPEN_WINDOW_MICROS - 1),
    };
    assert_eq!(
        next_status(Exchange, Closed, Action::Reopen, Role::Customer, old),
        Err(TransitionError::ReopenWindowPassed)
    );
}

#[test]
fn every_kind_can_reach_closed_and_every_status_has_a_way_on() {
    for kind in CaseKind::ALL {
        let statuses = statuses_of(*kind);
        assert!(statuses.contains(&Closed), "{kind} cannot close");
        for status in statuses {
            let moves = allowed_actions(*kind, status, Role::Admin, NOW);
            assert!(
                !moves.is_empty() || status == Cancelled,
                "{kind} is stuck in {status}"
            );
        }
    }
}

fn any_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

fn any_action() -> impl Strategy<Value = Action> {
    proptest::sample::select(Action::ALL.to_vec())
}

fn any_kind() -> impl Strategy<Value = CaseKind> {
    proptest::sample::select(CaseKind::ALL.to_vec())
}

proptest! {
    /// No sequence of actions, by anyone, reaches a status the kind does not define;
    /// a refused action leaves the status as it was.
    #[test]
    fn no_sequence_reaches_an_undefined_status(
        kind in any_kind(),
        steps in proptest::collection::vec((any_action(), any_role()), 0..60),
    ) {
        let defined = statuses_of(kind);
        let mut status = kind.initial_status();
        for (action, role) in steps {
            match next_status(kind, status, action, role, NOW) {
                Ok(next) => {
                    prop_assert!(defined.contains(&next), "{kind}: {status} --{action}--> {next}");
                    prop_assert!(allowed_actions(kind, status, role, NOW).contains(&action));
                    status = next;
                }
                Err(_) => prop_assert!(!allowed_actions(kind, status, role, NOW).contains(&action)),
            }
        }
    }
}
