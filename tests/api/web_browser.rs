//! The Mini App in a real headless Chromium, driven over WebDriver
//! (fantoccini + chromedriver): opened with a signed initData as Telegram
//! would open it, it shows the dashboard with the database's numbers, opens
//! a ticket, sends a reply that reaches the client, follows the ticket
//! live, and closes it. Screenshots go to `target/screenshots/`.
//!
//! Without chromium and chromedriver these tests skip with one line, unless
//! TOPICDESK_REQUIRE_BROWSER=1 (set by `.ci/run`) makes that a failure.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use topicdesk::entities::{TicketStatus, tickets};

use crate::support::web::{WebDesk, bot_says};
use crate::support::{WAIT, eventually, eventually_some};

/// A browser for one test; the driver process ends with it.
struct Browser {
    client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Chromium and chromedriver, started; `None` (after one line saying so)
/// when they are not installed and not required.
async fn browser() -> Option<Browser> {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        if std::env::var("TOPICDESK_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("TOPICDESK_REQUIRE_BROWSER=1 but chromium or chromedriver is missing");
        }
        // One line for the whole run, however many browser tests skip.
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            println!("skipping the browser tests: chromium and chromedriver are not installed");
        });
        return None;
    };
    let port = free_port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().expect("a profile directory");
    let mut browser_args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        // A phone's width, as Telegram shows a Mini App.
        "--window-size=430,1000".to_owned(),
        // No network here: telegram-web-app.js fails at once, as it would
        // in a desktop browser opened outside Telegram, and the page must
        // work without it.
        "--host-resolver-rules=MAP telegram.org ~NOTFOUND".to_owned(),
    ];
    browser_args.push(format!("--user-data-dir={}", profile.path().display()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium, "args": browser_args }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let client = eventually_some("chromedriver to accept a session", WAIT, || {
        let capabilities = capabilities.clone();
        let url = url.clone();
        async move {
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&url)
                .await
                .ok()
        }
    })
    .await;
    Some(Browser {
        client,
        driver: child,
        _profile: profile,
    })
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("target/screenshots");
    dir
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(screenshots().join(name), png).expect("the screenshot is saved");
}

/// The text of the element at `css`, once it is `expected`.
async fn shows(client: &Client, css: &str, expected: &str) {
    let mut last = String::new();
    let found = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(element) = client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.trim() == expected {
                    return;
                }
                last = text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(found.is_ok(), "{css} shows {last:?}, not {expected:?}");
}

async fn texts_of(client: &Client, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap_or_default() {
        texts.push(element.text().await.unwrap_or_default());
    }
    texts
}

/// Waits until the timeline shows a message with `text`.
async fn in_the_timeline(client: &Client, what: &str, text: &str) {
    eventually(what, WAIT, || async {
        texts_of(client, "[data-test=message-text]")
            .await
            .contains(&text.to_owned())
    })
    .await;
}

/// Clicks the element at `css` once it is there (within `WAIT`). The page
/// redraws itself when an event arrives, so an element found a moment ago
/// may have been replaced by its redrawn twin: then it is found again.
async fn click(client: &Client, css: &str) {
    let clicked = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(element) = client.find(Locator::Css(css)).await
                && element.click().await.is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(
        clicked.is_ok(),
        "{css} could not be clicked within {WAIT:?}"
    );
}

/// The element at `css` once it appears (within `WAIT`).
async fn appears(client: &Client, css: &str) -> Result<Element, CmdError> {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
}

async fn count(desk: &WebDesk, status: TicketStatus) -> u64 {
    tickets::Entity::find()
        .filter(tickets::Column::Status.eq(status))
        .count(&desk.app.db)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_mini_app_shows_the_desk_answers_a_client_and_closes_the_ticket() {
    let Some(browser) = browser().await else {
        return;
    };
    let client = &browser.client;
    let desk = WebDesk::open_with(vec![("BOT_LANGUAGE", "en")]).await;
    let (anna, topic) = desk
        .client_opens_ticket("Anna", "The printer is on fire")
        .await;
    desk.client_opens_ticket("Boris", "Cannot log in").await;
    let (carl, third, _) = desk.assigned_ticket("Carl", "Invoice is wrong").await;
    desk.fake()
        .user(desk.staff)
        .in_topic(desk.main_group(), third.thread_id)
        .text("Checking the invoice");
    bot_says(&desk, carl, "Checking the invoice").await;

    // Telegram opens a Mini App with initData and the theme in the hash.
    let init_data = desk.init_data(desk.admin, "Maria", Duration::ZERO);
    let theme = json!({ "bg_color": "#ffffff", "text_color": "#1f2328", "hint_color": "#707579", "button_color": "#2481cc", "button_text_color": "#ffffff", "secondary_bg_color": "#f1f2f4" });
    let hash = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("tgWebAppData", &init_data)
        .append_pair("tgWebAppVersion", "8.0")
        .append_pair("tgWebAppThemeParams", &theme.to_string())
        .finish();
    client
        .goto(&format!("{}#{hash}", desk.app.url("/app/")))
        .await
        .expect("the Mini App opens");

    // The dashboard's numbers are the database's.
    let new = count(&desk, TicketStatus::New).await;
    let work = count(&desk, TicketStatus::Work).await;
    assert_eq!((new, work), (2, 1));
    shows(client, "[data-test=open-new]", &new.to_string()).await;
    shows(client, "[data-test=open-work]", &work.to_string()).await;
    shows(client, "[data-test=today-opened]", "3").await;
    shows(client, "[data-test=today-closed]", "0").await;
    let oldest = client
        .find(Locator::Css("[data-test=oldest]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(oldest.starts_with("#1 · Anna"), "{oldest}");
    eventually("both charts drawn", WAIT, || async {
        client
            .find_all(Locator::Css("[data-test^=chart-] svg"))
            .await
            .map(|svgs| svgs.len() == 2)
            .unwrap_or(false)
    })
    .await;
    screenshot(client, "dashboard.png").await;

    // The tickets list, then Anna's ticket.
    click(client, "[data-nav=tickets]").await;
    appears(client, "[data-test=ticket-1]")
        .await
        .expect("the list shows ticket 1")
        .click()
        .await
        .unwrap();
    shows(client, "[data-test=status]", "New").await;
    in_the_timeline(
        client,
        "the first message in the timeline",
        "The printer is on fire",
    )
    .await;

    // A reply from the Mini App reaches Anna's chat and shows in the timeline.
    let reply = "We are sending a technician";
    client
        .find(Locator::Css("[data-test=reply-text]"))
        .await
        .unwrap()
        .send_keys(reply)
        .await
        .unwrap();
    click(client, "[data-test=reply-send]").await;
    bot_says(&desk, anna, reply).await;
    in_the_timeline(client, "the reply in the timeline", reply).await;

    // Anna answers in Telegram: the open page follows without a reload.
    desk.fake().user(anna).in_private().text("Thank you!");
    in_the_timeline(client, "Anna's answer arrives live", "Thank you!").await;
    screenshot(client, "ticket.png").await;

    // Closing, with the confirmation (which a live redraw keeps open).
    click(client, "[data-test=close]").await;
    click(client, "[data-test=confirm-close]").await;
    shows(client, "[data-test=status]", "Closed").await;
    assert_eq!(desk.ticket(1).await.status, TicketStatus::Closed);
    let _ = topic;
    screenshot(client, "closed.png").await;
    browser.client.clone().close().await.ok();
}

/// The Mini App's address as Telegram opens it for `user`.
fn launch_url(desk: &WebDesk, user: i64, name: &str) -> String {
    let init_data = desk.init_data(user, name, Duration::ZERO);
    let hash = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("tgWebAppData", &init_data)
        .append_pair("tgWebAppVersion", "8.0")
        .finish();
    format!("{}#{hash}", desk.app.url("/app/"))
}

/// Opens the Mini App in the browser as Telegram opens it for `user`.
async fn open_as(client: &Client, desk: &WebDesk, user: i64, name: &str) {
    client.goto(&launch_url(desk, user, name)).await.unwrap();
}

#[tokio::test]
async fn the_mini_app_disables_what_a_role_may_not_do_and_turns_strangers_away() {
    let Some(browser) = browser().await else {
        return;
    };
    let client = &browser.client;
    let desk = WebDesk::open_with(vec![("BOT_LANGUAGE", "en")]).await;
    desk.client_opens_ticket("Anna", "Unassigned one").await;
    let texts = topicdesk::texts::Texts::new(topicdesk::config::Language::En).web_ui();

    // A technician: an unassigned ticket can be taken, not closed.
    open_as(client, &desk, desk.tech, "Ivan").await;
    shows(client, "[data-test=open-new]", "1").await;
    client
        .goto(&format!("{}#/tickets/1", desk.app.url("/app/")))
        .await
        .unwrap();
    let close = appears(client, "[data-test=close]").await.unwrap();
    assert_eq!(
        close.attr("disabled").await.unwrap().as_deref(),
        Some("true")
    );
    eventually("the reason under the button", WAIT, || async {
        texts_of(client, ".reason")
            .await
            .contains(&texts["ui-reason.not-your-ticket"])
    })
    .await;
    client
        .find(Locator::Css("[data-test=take]"))
        .await
        .expect("a Take button")
        .click()
        .await
        .unwrap();
    eventually("the ticket taken", WAIT, || async {
        desk.ticket(1).await.assigned_tech_id.is_some()
    })
    .await;
    let close = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("[data-test=close]:not([disabled])"))
        .await;
    assert!(close.is_ok(), "once theirs, the ticket can be closed");
    screenshot(client, "technician.png").await;

    // Someone not on the team: told whom to ask, with their id. (The page
    // is left first, as closing a Mini App does, so it opens afresh.)
    client.goto("about:blank").await.unwrap();
    let stranger = 777_000_111;
    open_as(client, &desk, stranger, "Eve").await;
    let page = appears(client, "[data-test=forbidden]")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("777000111"), "{page}");
    assert!(page.contains("ADMIN_IDS"), "{page}");
    screenshot(client, "forbidden.png").await;
}

/// The value of the form control at `css`, once it is `expected`.
async fn has_value(client: &Client, css: &str, expected: &str) {
    let mut last = None;
    let found = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(element) = client.find(Locator::Css(css)).await
                && let Ok(value) = element.prop("value").await
            {
                if value.as_deref() == Some(expected) {
                    return;
                }
                last = value;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(found.is_ok(), "{css} has {last:?}, not {expected:?}");
}

/// Clicks the element at `css`, or picks `value` in it when given, finding
/// it afresh until that works: a live update may redraw the page between
/// finding an element and using it.
async fn use_control(client: &Client, css: &str, value: Option<&str>) {
    let done = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(element) = client.find(Locator::Css(css)).await {
                let used = match value {
                    Some(value) => element.select_by_value(value).await.is_ok(),
                    None => element.click().await.is_ok(),
                };
                if used {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(done.is_ok(), "could not use {css}");
}

#[tokio::test]
async fn the_mini_app_sets_priority_and_category_waits_for_the_client_and_shows_sla() {
    let Some(browser) = browser().await else {
        return;
    };
    let client = &browser.client;
    let categories = r#"[{"key":"billing","name":{"ru":"Оплата","en":"Billing"},"emoji":"💳"},{"key":"tech","name":{"ru":"Техника","en":"Technical"},"emoji":"🛠"}]"#;
    let desk = WebDesk::open_with(vec![
        ("BOT_LANGUAGE", "en"),
        ("CATEGORIES", categories),
        (
            "SLA_POLICY",
            r#"{"normal":{"first_response":"3s","resolution":"1h"},"urgent":{"first_response":"1h","resolution":"2h"}}"#,
        ),
    ])
    .await;
    let main = desk.main_group();
    let (_, topic) = desk.client_opens_in("Anna", "🛠 Technical", main).await;
    open_as(client, &desk, desk.admin, "Maria").await;
    // The first-response clock runs out (within seconds of the start).
    shows(client, "[data-test=sla-breached]", "1").await;
    appears(client, "[data-test=sla-breached-1]")
        .await
        .expect("the breached ticket is listed");
    screenshot(client, "dashboard-sla.png").await;

    // The ticket's page: priority and category from the selectors.
    client
        .goto(&format!("{}#/tickets/1", desk.app.url("/app/")))
        .await
        .unwrap();
    appears(client, "[data-test=priority]").await.unwrap();
    has_value(client, "[data-test=priority]", "normal").await;
    eventually("the first-response clock shown breached", WAIT, || async {
        match client.find(Locator::Css("[data-test=sla-first]")).await {
            Ok(first) => {
                first.attr("data-state").await.ok().flatten().as_deref() == Some("breached")
            }
            Err(_) => false,
        }
    })
    .await;
    use_control(client, "[data-test=priority]", Some("urgent")).await;
    eventually("the urgent priority in the database", WAIT, || async {
        desk.ticket(1).await.priority == topicdesk::entities::Priority::Urgent
    })
    .await;
    has_value(client, "[data-test=priority]", "urgent").await;
    eventually("the change in the timeline", WAIT, || async {
        texts_of(client, "[data-test=timeline-priority_changed]")
            .await
            .iter()
            .any(|t| t.contains("🔥 Urgent"))
    })
    .await;
    eventually("the card edited in Telegram", WAIT, || async {
        desk.card_text(topic.thread_id).contains("🔥 Urgent")
    })
    .await;

    use_control(client, "[data-test=category]", Some("billing")).await;
    eventually("the billing category in the database", WAIT, || async {
        desk.ticket(1).await.category.as_deref() == Some("billing")
    })
    .await;
    has_value(client, "[data-test=category]", "billing").await;
    eventually("the card shows the category", WAIT, || async {
        desk.card_text(topic.thread_id).contains("💳 Billing")
    })
    .await;

    // Waiting for the client: the status and the paused clock.
    use_control(client, "[data-test=wait]", None).await;
    shows(client, "[data-test=status]", "Waiting for the client").await;
    assert_eq!(desk.ticket(1).await.status, TicketStatus::Waiting);
    let wait = appears(client, "[data-test=wait][disabled]").await;
    assert!(wait.is_ok(), "waiting already: the button is off");
    screenshot(client, "ticket-levels.png").await;

    // The list's filters.
    desk.client_opens_in("Boris", "💳 Billing", main).await;
    use_control(client, "[data-nav=tickets]", None).await;
    appears(client, "[data-test=ticket-2]").await.unwrap();
    use_control(client, "[data-test=filter-priority]", Some("urgent")).await;
    eventually("only the urgent ticket listed", WAIT, || async {
        let listed = client
            .find_all(Locator::Css("[data-test^=ticket-]"))
            .await
            .unwrap_or_default();
        let mut ids = Vec::new();
        for element in listed {
            ids.push(element.attr("data-test").await.ok().flatten());
        }
        ids == [Some("ticket-1".to_owned())]
    })
    .await;
    screenshot(client, "tickets-filtered.png").await;
    browser.client.clone().close().await.ok();
}

#[tokio::test]
async fn a_manager_writes_an_article_in_the_mini_app_and_it_is_found() {
    let Some(browser) = browser().await else {
        return;
    };
    let client = &browser.client;
    let desk = WebDesk::open_with(vec![("BOT_LANGUAGE", "en")]).await;
    open_as(client, &desk, desk.admin, "Maria").await;
    // Signed in: the dashboard is up, and the navigation with it.
    shows(client, "[data-test=open-new]", "0").await;
    appears(client, "[data-nav=kb]")
        .await
        .expect("the navigation")
        .click()
        .await
        .unwrap();
    let form = |css: &'static str| async move { appears(client, css).await.expect(css) };
    form("[data-test=kb-slug]")
        .await
        .send_keys("pay-by-card")
        .await
        .unwrap();
    form("[data-test=kb-title]")
        .await
        .send_keys("Paying by card")
        .await
        .unwrap();
    form("[data-test=kb-body]")
        .await
        .send_keys("You can pay with a Visa or Mastercard card in the app.")
        .await
        .unwrap();
    form("[data-test=kb-save]").await.click().await.unwrap();
    shows(client, "[data-test=kb-list] li code", "pay-by-card").await;
    screenshot(client, "knowledge.png").await;
    let saved = topicdesk::entities::kb_articles::Entity::find()
        .all(&desk.app.db)
        .await
        .unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].language, "en", "told from the text");
    assert_eq!(saved[0].title, "Paying by card");
    let admin = desk.sign_in_admin().await;
    let found = admin.ok("/api/v1/kb/search?q=pay%20by%20card").await;
    assert_eq!(found[0]["article"]["slug"], "pay-by-card");
    browser.client.clone().close().await.ok();
}
