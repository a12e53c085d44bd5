# The web desk: the Mini App's button and answers in Telegram, chart labels,
# and every word of the Mini App itself (ids starting with ui-). Placeholders
# like { $id } in ui- texts are filled in by the page.

## In Telegram

# The menu button of managers and technicians (at most a few words).
menu-button-app = Desk
# /app: the message above the button that opens the Mini App.
app-open = The desk: tickets, charts and answers to clients in one window.
app-button = Open the desk
app-off = The Mini App is off: it needs a public HTTPS address. Set PUBLIC_URL (or WEBHOOK_URL) to an https:// address and restart the bot.
# /api_token; $scope is read or write.
api-token-created =
    API token “{ $name }” ({ $scope }):

    { $token }

    Copy it now: it is shown only once. The Mini App's Tokens page lists and revokes tokens.
usage-api-token = Usage: /api_token <name> [read|write] — a token for an integration, read-only unless you add write.

## Charts (the dashboard)

chart-opened = Opened
chart-closed = Closed
chart-speed = Speed
chart-quality = Quality
chart-politeness = Politeness

## The Mini App

ui-nav =
    .dashboard = Dashboard
    .tickets = Tickets
    .technicians = Technicians
    .tokens = API tokens
    .kb = Articles
ui-signing-in = Signing in…
ui-no-telegram = Open this page with the Desk button in the bot's chat in Telegram.
ui-forbidden-title = No access
ui-forbidden-body = You are not on this desk's team. Ask a manager of the desk to add your Telegram id { $id } to ADMIN_IDS (managers) or TECH_GROUPS_MAPPING (technicians).
ui-error = Something went wrong:
ui-retry = Try again
ui-live = live
ui-reconnecting = reconnecting…
ui-sign-out = Sign out
ui-role =
    .admin = admin
    .technician = technician
    .token = API token
ui-status =
    .new = New
    .work = In progress
    .closed = Closed
    .waiting = Waiting for the client
    .held = Choosing a category
ui-open-tickets = Open tickets
ui-oldest-waiting = Waiting longest
ui-nothing-waiting = Nobody is waiting.
ui-today = Today
ui-opened = Opened
ui-closed = Closed
ui-first-response = First response, median
ui-resolution = Resolution, median
ui-chart-tickets = Tickets per day, 30 days
ui-chart-survey = Survey averages, 30 days
ui-load = Technicians' load
ui-open-count = open
ui-rating = rating
ui-no-rating = no ratings yet
ui-search = #12, @username, id or words
ui-filter-all = All
ui-filter-open = Open
ui-load-more = More
ui-no-tickets = No tickets.
ui-unassigned = unassigned
ui-back = Back
ui-ticket = Ticket #{ $id }
ui-client = Client
ui-technician = Technician
ui-opened-at = Opened
ui-reply = Answer the client…
ui-send = Send
ui-sent = Sent.
ui-close = Close the ticket
ui-confirm-close = Close this ticket? The client will be asked for feedback.
ui-assign = Assign to…
ui-take = Take it
ui-timeline = Timeline
ui-feedback = Feedback
ui-comment = Comment
ui-via-web = from the web desk
ui-event =
    .opened = Ticket opened
    .assigned = Assigned to
    .reassigned = Moved to
    .closed = Closed by
    .note = Internal note
    .call = Call for a specialist
    .edited = Message edited
    .recreated = Topic recreated
    .blocked = The client blocked the bot
    .failed = A delivery failed
    .other = Event
    .priority = Priority
    .category = Moved to category
    .category-chosen = Category chosen
    .waiting = Waiting for the client
    .waiting-ended = The client answered
    .sla-warning = SLA warning
    .sla-breached = SLA breached
ui-reason =
    .ticket-closed = The ticket is closed.
    .not-your-ticket = Only the technician holding the ticket, or an admin, can do this.
    .assigned = The ticket is assigned to someone else.
    .admins-only = Admins only.
    .read-only = This API token may only read.
    .not-open-yet = The client is still choosing a category.
    .already-waiting = The ticket already waits for the client.
    .no-categories = This desk has no categories.
ui-available = Takes tickets
ui-unavailable = Takes no new tickets
ui-not-in-mapping = Not in TECH_GROUPS_MAPPING
ui-token-name = Name, like crm
ui-token-scope =
    .read = read
    .write = read and write
ui-token-create = Create
ui-token-once = Copy it now: it will not be shown again.
ui-token-revoke = Revoke
ui-token-revoked = revoked
ui-token-last-used = last used
ui-token-never-used = never used
ui-no-tokens = No tokens yet.
ui-kb-new = New article
ui-kb-slug = Slug, like payment-by-card
ui-kb-language = Language
ui-kb-title = Title
ui-kb-body = The article's text
ui-kb-tags = Tags, comma-separated
ui-kb-published = Published
ui-kb-save = Save
ui-kb-delete = Delete
ui-no-articles = No articles yet.
ui-unit =
    .s = s
    .min = min
    .h = h
    .d = d
ui-priority = Priority
ui-category = Category
ui-no-category = no category
ui-wait = Wait for the client
ui-sla = Service levels
ui-sla-at-risk = SLA at risk
ui-sla-breached = SLA breached
ui-sla-none = Nothing at risk.
ui-sla-first = First response
ui-sla-resolution = Resolution
ui-sla-due = due
ui-sla-left = left
ui-sla-overdue = overdue by
ui-sla-met = met
ui-sla-paused = paused
ui-sla-no-target = no target
ui-filter-category = Any category
ui-filter-priority = Any priority
