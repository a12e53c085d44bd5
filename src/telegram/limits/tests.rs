use super::*;

const GROUP: i64 = -1001234567890;
const OTHER_GROUP: i64 = -1009876543210;
const CLIENT: i64 = 1001;
const OTHER_CLIENT: i64 = 1002;

/// Time since `start`, paused clock.
fn since(start: Instant) -> Duration {
    Instant::now() - start
}

#[tokio::test(start_paused = true)]
async fn twenty_messages_into_a_group_go_at_once_and_the_21st_waits_a_minute() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    for _ in 0..20 {
        limiter.acquire(GROUP, 1).await;
    }
    assert_eq!(since(start), Duration::ZERO);
    limiter.acquire(GROUP, 1).await;
    assert_eq!(since(start), Duration::from_millis(60_250));
}

#[tokio::test(start_paused = true)]
async fn a_batch_into_a_group_counts_every_message() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    limiter.acquire(GROUP, 10).await;
    limiter.acquire(GROUP, 10).await;
    assert_eq!(since(start), Duration::ZERO);
    assert_eq!(limiter.delay_for(GROUP, 1), Duration::from_millis(60_250));
}

#[tokio::test(start_paused = true)]
async fn an_album_into_a_private_chat_counts_as_one_message() {
    let limiter = RateLimiter::new(Limits::telegram());
    limiter.acquire(CLIENT, 10).await;
    assert_eq!(limiter.delay_for(CLIENT, 1), Duration::from_millis(1_250));
}

#[tokio::test(start_paused = true)]
async fn a_second_message_into_a_private_chat_waits_a_second_and_a_margin() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    limiter.acquire(CLIENT, 1).await;
    limiter.acquire(CLIENT, 1).await;
    assert_eq!(since(start), Duration::from_millis(1_250));
}

#[tokio::test(start_paused = true)]
async fn two_private_chats_do_not_wait_for_each_other() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    limiter.acquire(CLIENT, 1).await;
    let waiting = tokio::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire(CLIENT, 1).await }
    });
    tokio::task::yield_now().await;
    limiter.acquire(OTHER_CLIENT, 1).await;
    assert_eq!(since(start), Duration::ZERO);
    waiting.await.unwrap();
    assert_eq!(since(start), Duration::from_millis(1_250));
}

#[tokio::test(start_paused = true)]
async fn a_group_waiting_for_its_minute_does_not_delay_other_chats() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    limiter.acquire(GROUP, 20).await;
    let waiting = tokio::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire(GROUP, 20).await }
    });
    tokio::task::yield_now().await;
    limiter.acquire(OTHER_GROUP, 5).await;
    limiter.acquire(CLIENT, 1).await;
    assert_eq!(since(start), Duration::ZERO);
    waiting.await.unwrap();
    assert_eq!(since(start), Duration::from_millis(60_250));
}

#[tokio::test(start_paused = true)]
async fn the_31st_message_overall_waits_about_a_second() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    for chat in 0..30 {
        limiter.acquire(CLIENT + chat, 1).await;
    }
    assert_eq!(since(start), Duration::ZERO);
    limiter.acquire(CLIENT + 30, 1).await;
    assert_eq!(since(start), Duration::from_millis(1_250));
}

#[tokio::test(start_paused = true)]
async fn future_reservations_in_the_global_window_leave_room_now() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    // 20 now, 20 reserved a minute ahead: the global window at present
    // holds only the first 20, so 10 more go at once.
    limiter.acquire(GROUP, 20).await;
    let later = tokio::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire(GROUP, 20).await }
    });
    tokio::task::yield_now().await;
    for chat in 0..10 {
        limiter.acquire(CLIENT + chat, 1).await;
    }
    assert_eq!(since(start), Duration::ZERO);
    assert_eq!(
        limiter.delay_for(CLIENT + 10, 1),
        Duration::from_millis(1_250)
    );
    later.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_slot_may_not_crowd_a_future_reservation_in_the_global_window() {
    let limits = Limits {
        global_per_second: 2,
        group_per_minute: 1,
        group_window: Duration::from_secs(60),
        private_per_second: 0,
        margin: Duration::ZERO,
    };
    let limiter = RateLimiter::new(limits);
    let start = Instant::now();
    // The group's second message is reserved at t = 60 s.
    limiter.acquire(GROUP, 1).await;
    let later = tokio::spawn({
        let limiter = limiter.clone();
        async move { limiter.acquire(GROUP, 1).await }
    });
    tokio::task::yield_now().await;
    // At 59.5 s one private message fits beside the group's at 60 s; a
    // second would make three within one second, so it has to wait
    // until the first has left the window at 60.5 s.
    tokio::time::sleep(Duration::from_millis(59_500)).await;
    limiter.acquire(CLIENT, 1).await;
    assert_eq!(since(start), Duration::from_millis(59_500));
    assert_eq!(
        limiter.delay_for(OTHER_CLIENT, 1),
        Duration::from_millis(1_000)
    );
    later.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_unlimited_limiter_never_waits() {
    let limiter = RateLimiter::new(Limits::unlimited());
    let start = Instant::now();
    for _ in 0..1000 {
        limiter.acquire(GROUP, 10).await;
        limiter.acquire(CLIENT, 1).await;
    }
    assert_eq!(since(start), Duration::ZERO);
    assert_eq!(limiter.delay_for(GROUP, 100), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn a_batch_larger_than_a_window_waits_for_an_empty_window_not_forever() {
    let limiter = RateLimiter::new(Limits::telegram());
    let start = Instant::now();
    limiter.acquire(GROUP, 1).await;
    limiter.acquire(GROUP, 50).await;
    assert_eq!(since(start), Duration::from_millis(60_250));
}

#[tokio::test(start_paused = true)]
async fn asking_for_the_delay_reserves_nothing() {
    let limiter = RateLimiter::new(Limits::telegram());
    limiter.acquire(CLIENT, 1).await;
    assert_eq!(limiter.delay_for(CLIENT, 1), Duration::from_millis(1_250));
    assert_eq!(limiter.delay_for(CLIENT, 1), Duration::from_millis(1_250));
    assert_eq!(limiter.delay_for(OTHER_CLIENT, 1), Duration::ZERO);
    assert_eq!(limiter.delay_for(CLIENT, 0), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn the_delay_shrinks_as_time_passes() {
    let limiter = RateLimiter::new(Limits::telegram());
    limiter.acquire(GROUP, 20).await;
    tokio::time::sleep(Duration::from_secs(50)).await;
    assert_eq!(limiter.delay_for(GROUP, 1), Duration::from_millis(10_250));
    tokio::time::sleep(Duration::from_secs(11)).await;
    assert_eq!(limiter.delay_for(GROUP, 1), Duration::ZERO);
}

#[tokio::test(start_paused = true)]
async fn fifty_concurrent_senders_to_one_private_chat_are_spaced_a_second_apart() {
    let limiter = RateLimiter::new(Limits::telegram());
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let limiter = limiter.clone();
            tokio::spawn(async move {
                limiter.acquire(CLIENT, 1).await;
                Instant::now()
            })
        })
        .collect();
    let mut sent = Vec::new();
    for task in tasks {
        sent.push(task.await.unwrap());
    }
    sent.sort();
    for pair in sent.windows(2) {
        assert!(pair[1] - pair[0] >= Duration::from_secs(1));
    }
}

#[tokio::test(start_paused = true)]
async fn idle_chats_are_forgotten() {
    let limiter = RateLimiter::new(Limits::telegram());
    for chat in 0..100 {
        limiter.acquire(CLIENT + chat, 1).await;
    }
    tokio::time::sleep(SWEEP_EVERY).await;
    limiter.acquire(CLIENT, 1).await;
    let state = limiter.inner.state.lock().unwrap();
    assert_eq!(state.chats.len(), 1);
}

#[test]
fn telegram_limits_are_30_per_second_20_per_group_minute_1_per_private_second() {
    let limits = Limits::telegram();
    assert_eq!(
        (
            limits.global_per_second,
            limits.group_per_minute,
            limits.private_per_second,
            limits.margin
        ),
        (30, 20, 1, Duration::from_millis(250))
    );
    assert_eq!(Limits::default(), limits);
}

#[tokio::test(start_paused = true)]
async fn a_chat_paused_by_a_429_waits_out_the_pause_and_others_do_not() {
    let limiter = RateLimiter::new(Limits::telegram());
    limiter.pause(GROUP, Duration::from_secs(7));
    assert_eq!(limiter.delay_for(GROUP, 1), Duration::from_secs(7));
    assert_eq!(limiter.delay_for(OTHER_GROUP, 1), Duration::ZERO);
    let start = Instant::now();
    limiter.acquire(GROUP, 1).await;
    assert_eq!(since(start), Duration::from_secs(7));
}
