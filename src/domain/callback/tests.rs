use super::*;

#[test]
fn knowledge_base_buttons_round_trip_and_refuse_anything_else() {
    for action in [
        CallbackAction::KbSend {
            ticket_id: 12,
            article_id: 7,
        },
        CallbackAction::KbHelped { ticket_id: 12 },
        CallbackAction::KbNeedPerson { ticket_id: 12 },
    ] {
        assert_eq!(CallbackAction::parse(&action.encode()), Some(action));
        assert_eq!(action.ticket_id(), 12);
    }
    assert_eq!(CallbackAction::parse("s:12"), None);
    assert_eq!(CallbackAction::parse("h:12:1"), None);
    assert_eq!(CallbackAction::parse("n:-1"), None);
}

#[test]
fn survey_actions_round_trip_and_refuse_out_of_range_values() {
    let rate = CallbackAction::Rate {
        ticket_id: 7,
        question: 2,
        score: 4,
    };
    assert_eq!(rate.encode(), "r:7:2:4");
    assert_eq!(CallbackAction::parse("r:7:2:4"), Some(rate));
    assert_eq!(
        CallbackAction::parse("k:7"),
        Some(CallbackAction::SkipComment { ticket_id: 7 })
    );
    for bad in [
        "r:7:0:4",
        "r:7:4:4",
        "r:7:2:6",
        "r:7:2:0",
        "r:7:2",
        "r:7:2:4:1",
        "r:7:22:4",
        "k:x",
    ] {
        assert_eq!(CallbackAction::parse(bad), None, "{bad}");
    }
    let keyboard = rating_keyboard(7, 3);
    assert_eq!(keyboard.inline_keyboard[0].len(), 5);
}

#[test]
fn actions_encode_to_short_colon_separated_data() {
    assert_eq!(
        CallbackAction::Assign {
            ticket_id: 12,
            tech_id: 3
        }
        .encode(),
        "a:12:3"
    );
    assert_eq!(CallbackAction::Close { ticket_id: 12 }.encode(), "c:12");
}

#[test]
fn encoded_actions_parse_back_to_themselves() {
    for action in [
        CallbackAction::Assign {
            ticket_id: 1,
            tech_id: 1,
        },
        CallbackAction::Assign {
            ticket_id: i32::MAX,
            tech_id: i32::MAX,
        },
        CallbackAction::Close { ticket_id: 7 },
        CallbackAction::Close {
            ticket_id: i32::MAX,
        },
    ] {
        let data = action.encode();
        assert!(data.len() <= CALLBACK_DATA_LIMIT);
        assert_eq!(CallbackAction::parse(&data), Some(action));
    }
}

#[test]
fn garbage_and_foreign_data_parse_to_nothing() {
    let too_long = format!("c:{}", "1".repeat(100));
    let padded = format!("c:{}1", "0".repeat(70));
    for data in [
        "",
        ":",
        "a",
        "a:1",
        "a:1:",
        "a::1",
        "a:x:2",
        "a:1:2:3",
        "a:1:-2",
        "a:0:2",
        "c",
        "c:",
        "c:-1",
        "c:0",
        "c:+1",
        "c: 1",
        "c:1 ",
        "c:1:2",
        "c:2147483648",
        "c:1١",
        "C:1",
        "x:1",
        "close:1",
        too_long.as_str(),
        padded.as_str(),
    ] {
        assert_eq!(CallbackAction::parse(data), None, "{data:?}");
    }
}

#[test]
fn an_action_knows_its_ticket() {
    assert_eq!(CallbackAction::parse("a:5:9").unwrap().ticket_id(), 5);
    assert_eq!(CallbackAction::parse("c:8").unwrap().ticket_id(), 8);
}

#[test]
fn routing_actions_round_trip_and_refuse_what_is_out_of_range() {
    for action in [
        CallbackAction::Category {
            ticket_id: 3,
            index: 0,
        },
        CallbackAction::Priority {
            ticket_id: 3,
            level: 3,
        },
        CallbackAction::Move {
            ticket_id: i32::MAX,
            index: 99,
        },
        CallbackAction::Wait { ticket_id: 3 },
    ] {
        let data = action.encode();
        assert!(data.len() <= CALLBACK_DATA_LIMIT);
        assert_eq!(CallbackAction::parse(&data), Some(action));
    }
    for bad in [
        "p:3:4", "p:3:01", "g:3:100", "g:3:", "m:3:-1", "w:3:1", "w:x",
    ] {
        assert_eq!(CallbackAction::parse(bad), None, "{bad}");
    }
}
