# What the support team reads in the forum topics: stage words of the topic
# titles, the client card, notes, and answers to button presses.

## Stage words of the main topics' titles: 🟢 [New] #12 | …

stage-new = New
stage-in-work = In progress
stage-closed = Closed
stage-waiting = Waiting
# A ticket without a topic yet: the client is choosing a category.
stage-held = Choosing a category

## The client card

card-title = Ticket #{ $ticket }
card-name = Name
card-username = Username
card-id = ID
card-language = Language
card-earlier = Earlier tickets: { $count }
# Closes the list of earlier tickets when only the latest are shown.
card-more = …and { $count } more
# Stands for a missing username or language.
card-missing = —

close-button = Close

## Notes in the team's topics

assigned-note = Assigned to { $tech }.
reassigned-away-note = This ticket was handed over to { $tech }. This topic is closed; messages here are no longer passed on.
tech-topic-intro = Ticket #{ $ticket } is assigned to you. Replies in this topic reach the client from the support team. Start a message with // to keep it as an internal note.
# $by is a staff member's name, or the client.
closed-note = Ticket closed by { $by }.
ticket-is-closed-note = This ticket is closed — the message was not sent to the client.
client-blocked-note = The client has blocked the bot — messages cannot reach them.
topic-recreated-note = The topic was deleted and has been recreated. The ticket continues here.
edit-note = ✏️ The message above was edited.
    .with-text =
        ✏️ The message above was edited:
        { $text }
# $text must stay last: its formatting entities are shifted past the words before it.
specialist-call-note =
    🙋 { $author } asks for help:
    { $text }

## Answers to button presses: Telegram shows them as a toast of at most 200 characters

assign-done = Assigned to { $tech }
already-in-progress = Already in progress, one moment.
ticket-already-closed = This ticket is already closed.
stale-button = This button is out of date.
only-in-main-group = This button works only in the support group.
closed-done = Ticket closed.
unknown-ticket = Ticket not found.

## Deliveries that failed for good: one line per ticket in its main topic.
# $place: client, mirror or main.
delivery-failed-note =
    ⚠️ A message could not be delivered { $place ->
        [client] to the client
        [mirror] to the technician's topic
       *[main] to this topic
    }: { $reason }. Send it again: /resend { $ticket }

## Service levels. $clock: first_response or resolution; $due: a moment on
## the business hours' clock.

priority-label =
    .low = 🔽 Low
    .normal = ▫️ Normal
    .high = 🔼 High
    .urgent = 🔥 Urgent
sla-warning =
    ⏳ #{ $ticket }: { $clock ->
        [first_response] first response
       *[resolution] resolution
    } due by { $due } — { $left } left.
sla-breached =
    ⏰ Overdue: { $clock ->
        [first_response] first response
       *[resolution] resolution
    } (was due { $due })
sla-breached-manager =
    ⏰ Ticket #{ $ticket } ({ $priority }): { $clock ->
        [first_response] first response
       *[resolution] resolution
    } overdue (was due { $due }).
sla-due-first-response = ⏱ First response by { $due }
sla-due-resolution = ⏱ Resolution by { $due }

## Routing: priorities, categories, waiting, automatic assignment

wait-button = ⏸ Waiting for client
# The card's line while the ticket waits for the client.
waiting-status = ⏸ Waiting for the client since { $since }.
no-technician-status = No technician is available for automatic assignment — please assign by hand.
# Toasts and command answers.
priority-done = Priority: { $priority }
category-done = Category: { $category }
wait-done = Waiting for the client.
already-waiting = The ticket already waits for the client.
priority-usage = Usage: /priority low | normal | high | urgent
category-usage = Usage: /category { $keys }
# A ticket moved to a category of another main group.
moved-away-note = ➡️ Moved to { $category } by { $by }. The ticket continues in that category's group; this topic is closed.
moved-here-note = ⬅️ Moved here from { $category } by { $by }.
    .with-link = ⬅️ Moved here from { $category } by { $by }. Earlier conversation: { $link }
# The closing note of a ticket that waited too long for the client.
waiting-auto-closed = the desk: the client did not answer for { $duration }
