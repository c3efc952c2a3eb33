use super::*;
use proptest::prelude::*;

fn micros(text: &str, zone: &str) -> i64 {
    text.parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(TimeZone::get(zone).unwrap())
        .unwrap()
        .timestamp()
        .as_microsecond()
}

fn business(zone: &str) -> WorkingTime {
    SlaSettings::default().working_time(&TimeZone::get(zone).unwrap())
}

#[test]
fn business_hours_skip_nights_weekends_and_holidays() {
    let shanghai = business("Asia/Shanghai");
    // Friday 2026-11-20 17:00 + 2 h → Monday 11-23 10:00.
    let due = shanghai.add_minutes(micros("2026-11-20T17:00", "Asia/Shanghai"), 120);
    assert_eq!(due, micros("2026-11-23T10:00", "Asia/Shanghai"));
    // Thursday 2026-09-24 17:00 + 2 h: Friday is Mid-Autumn, Sunday 09-27 too → Monday 10:00.
    let due = shanghai.add_minutes(micros("2026-09-24T17:00", "Asia/Shanghai"), 120);
    assert_eq!(due, micros("2026-09-28T10:00", "Asia/Shanghai"));
    assert_eq!(
        shanghai.minutes_between(micros("2026-09-24T17:00", "Asia/Shanghai"), due),
        120
    );
    // National Day 2026: 10-01..10-07 off; 2026-09-30 17:00 + 2 h → after the holiday.
    let due = shanghai.add_minutes(micros("2026-09-30T17:00", "Asia/Shanghai"), 120);
    let local = Timestamp::from_microsecond(due)
        .unwrap()
        .to_zoned(TimeZone::get("Asia/Shanghai").unwrap());
    assert!(local.date() > jiff::civil::date(2026, 10, 7), "{local}");
    assert!(shanghai.calendar.is_working_day(local.date()));
    // A make-up working day (Sunday 2025-09-28) counts.
    let due = shanghai.add_minutes(micros("2025-09-27T10:00", "Asia/Shanghai"), 60);
    assert_eq!(due, micros("2025-09-28T10:00", "Asia/Shanghai"));
}

#[test]
fn targets_pick_the_most_specific_match() {
    let mut settings = SlaSettings::default();
    settings.targets.push(SlaTarget {
        kind: Some(CaseKind::Repair),
        priority: None,
        tier: Some("vip".into()),
        first_response_hours: 1,
        resolution_hours: 5,
    });
    assert_eq!(
        settings.target(CaseKind::Repair, Priority::Normal, Some("vip")),
        (1, 5)
    );
    assert_eq!(
        settings.target(CaseKind::Repair, Priority::Normal, None),
        (8, 40)
    );
    assert_eq!(
        settings.target(CaseKind::Exchange, Priority::Urgent, None),
        (2, 8)
    );
    assert!(settings.check().is_ok());
    settings.opens = Time::constant(19, 0, 0, 0);
    assert!(settings.check().is_err());
}

#[test]
fn waiting_pauses_and_moves_the_targets() {
    let zone = "Asia/Shanghai";
    let working = business(zone);
    let opened = micros("2026-11-23T09:00", zone); // Monday
    let start = SlaState {
        first_response_due: Some(micros("2026-11-23T17:00", zone)),
        resolution_due: Some(micros("2026-11-27T13:00", zone)),
        ..SlaState::default()
    };
    // An agent answers at 10:00 and approves the return: waiting for the parcel.
    let answered = advance(
        &start,
        Status::Approved,
        true,
        opened,
        micros("2026-11-23T10:00", zone),
        &working,
    );
    assert_eq!(
        answered.first_response_at,
        Some(micros("2026-11-23T10:00", zone))
    );
    assert_eq!(answered.paused_at, Some(micros("2026-11-23T10:00", zone)));
    // The parcel arrives Tuesday 12:00: 11 working hours waited; the resolution target moves by them.
    let received = advance(
        &answered,
        Status::Received,
        true,
        opened,
        micros("2026-11-24T12:00", zone),
        &working,
    );
    assert_eq!(received.paused_at, None);
    assert_eq!(received.paused_minutes, 11 * 60);
    // Friday 13:00 + 11 working hours: 5 on Friday, 6 on Monday.
    assert_eq!(
        received.resolution_due,
        Some(micros("2026-11-30T15:00", zone))
    );
    assert_eq!(
        received.first_response_due, start.first_response_due,
        "met targets do not move"
    );
    // Refunded Wednesday 09:30: resolved; working minutes used exclude the wait.
    let refunded = advance(
        &received,
        Status::Refunded,
        true,
        opened,
        micros("2026-11-25T09:30", zone),
        &working,
    );
    assert_eq!(refunded.resolved_at, Some(micros("2026-11-25T09:30", zone)));
    let elapsed = working.minutes_between(opened, micros("2026-11-25T09:30", zone));
    assert_eq!(refunded.business_minutes, Some(elapsed - 660));
    // A customer's own action is not a first response.
    let by_customer = advance(&start, Status::Submitted, false, opened, opened, &working);
    assert_eq!(by_customer.first_response_at, None);
}

proptest! {
    /// Adding working minutes and counting them back gives the same number, in both zones,
    /// across weekends, holidays and Berlin's daylight-saving changes.
    #[test]
    fn add_and_count_are_inverse(
        day in 0i64..700,
        minute in 0i64..1440,
        minutes in 0i64..20_000,
        berlin in any::<bool>(),
    ) {
        let zone = if berlin { "Europe/Berlin" } else { "Asia/Shanghai" };
        let working = business(zone);
        let start = micros("2025-01-01T00:00", zone) + (day * 1440 + minute) * 60_000_000;
        let due = working.add_minutes(start, minutes);
        prop_assert!(due >= start);
        prop_assert_eq!(working.minutes_between(start, due), minutes);
        let local = Timestamp::from_microsecond(due).unwrap().to_zoned(TimeZone::get(zone).unwrap());
        if minutes > 0 {
            prop_assert!(working.calendar.is_working_day(local.date()));
            prop_assert!(local.time() > Time::constant(9, 0, 0, 0) && local.time() <= Time::constant(18, 0, 0, 0));
        }
    }

    /// "N days after an event": day 1 is the next day, the last day N days on; an extended
    /// last day is a working day, never earlier, and nothing between is a working day.
    #[test]
    fn day_periods(day in 0i64..700, days in 1i64..60) {
        use crate::domain::policy::periods::DayPeriod;
        let calendar = WorkingCalendar::china();
        let event = jiff::civil::date(2025, 1, 1).saturating_add(day.days());
        let period = DayPeriod::after(event, days);
        prop_assert_eq!(event.until(period.first_day).unwrap().get_days(), 1);
        prop_assert_eq!(event.until(period.counted_last_day).unwrap().get_days() as i64, days);
        let extended = period.extended(&calendar);
        prop_assert!(extended.last_day >= period.counted_last_day);
        prop_assert!(calendar.is_working_day(extended.last_day));
        let mut between = period.counted_last_day;
        while between < extended.last_day {
            prop_assert!(!calendar.is_working_day(between));
            between = between.saturating_add(1.day());
        }
        prop_assert!(period.contains(period.counted_last_day));
        prop_assert!(!period.contains(period.counted_last_day.saturating_add(1.day())));
    }

    /// The end of a last day is local midnight after it, in Shanghai and in Berlin (DST too).
    #[test]
    fn ends_are_local_midnight(day in 0i64..700, berlin in any::<bool>()) {
        use crate::domain::policy::periods::end_of_day;
        let zone = TimeZone::get(if berlin { "Europe/Berlin" } else { "Asia/Shanghai" }).unwrap();
        let last = jiff::civil::date(2025, 1, 1).saturating_add(day.days());
        let end = end_of_day(last, &zone);
        prop_assert_eq!(end.date(), last.saturating_add(1.day()));
        prop_assert_eq!(end.time(), Time::midnight());
    }
}
