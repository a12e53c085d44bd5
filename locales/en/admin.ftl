# The manager commands. The handler puts the pieces together and adds links
# and bold; every word a manager reads is here.

# Says nothing about who may use the command, or why.
admin-refusal = This command is not available.

## Usage lines, for a command given bad arguments

usage-tickets = Usage: /tickets [new|work|closed] — the latest 20 tickets, all or with that status.
usage-ticket = Usage: /ticket <number>, for example /ticket 12.
usage-find = Usage: /find <text | @username | tg id | #number> — search by client name, username, id, ticket number or words from the conversation.
usage-stats = Usage: /stats [days] — figures for a period of 1 to 3650 days, 7 by default.
# $command is tech_on or tech_off.
usage-tech-switch = Usage: /{ $command } <id | @username> — /techs shows the ids.

## /techs, /tech_on, /tech_off

techs-title = Technicians: { $count }
techs-none = No technicians: TECH_GROUPS_MAPPING lists them.
tech-state-available = ✅ takes tickets
tech-state-unavailable = ⏸ takes no new tickets
tech-state-removed = 🚫 not in TECH_GROUPS_MAPPING
tech-open-tickets = open: { $count }
tech-now-available = { $tech } takes tickets again: new cards will show the button.
tech-now-unavailable = { $tech } takes no new tickets: new cards will not show the button. Open tickets stay assigned.
tech-already-available = { $tech } already takes tickets.
tech-already-unavailable = { $tech } already takes no new tickets.
tech-not-in-mapping = { $tech } is not in TECH_GROUPS_MAPPING — add them there and restart the bot.
tech-not-found = No such technician. /techs lists them.

## Ticket lists: /tickets, /find

# The filter of /tickets, as a heading word.
status-filter =
    .new = new
    .work = in progress
    .waiting = waiting
    .held = without a topic
    .closed = closed
# A status with its colour, as in the topic titles.
status-label =
    .new = 🟢 { stage-new }
    .work = 🟡 { stage-in-work }
    .waiting = ⏸ { stage-waiting }
    .held = ⚪ { stage-held }
    .closed = 🟣 { stage-closed }
# $filter is one of status-filter; "latest" when the list is cut to the newest $shown.
tickets-title = Tickets: { $total }
    .filtered = Tickets ({ $filter }): { $total }
    .latest = Tickets: the latest { $shown } of { $total }
    .filtered-latest = Tickets ({ $filter }): the latest { $shown } of { $total }
tickets-none = No tickets.
# Stands for a missing technician, name or time.
nobody = —
find-title = Tickets found: { $count }
    .more =
        { $count ->
            [one] More than 1 found; the latest one is shown
           *[other] More than { $count } found; the latest { $count } are shown
        }
find-none = Nothing found.

## /ticket

ticket-not-found = There is no ticket #{ $ticket }.
label-status = Status
label-client = Client
label-tech = Technician
label-opened = Opened
label-first-response = First response
label-resolution = Resolution
label-messages = Messages
label-history = History
label-feedback = Feedback
label-topic = Topic
# A time after the opening: after 5 min.
after = after { $duration }
not-yet = not yet
still-open = still open
no-feedback = none
step-opened = opened
step-assigned = assigned to { $tech }
step-reassigned = handed over to { $tech }
step-closed = closed
    .by = closed by { $by }
step-topic-recreated = topic recreated
step-client-blocked = the client blocked the bot

## /stats

stats-title =
    Figures for { $days ->
        [one] { $days } day
       *[other] { $days } days
    } (since { $since })
stats-opened = Opened: { $count }
stats-closed = Closed: { $count }
stats-still-open = Still open of those opened: { $count }
# $what is label-first-response or label-resolution.
stats-spread = { $what }: median { $median }, 90th percentile { $p90 } (tickets: { $count })
stats-no-spread = { $what }: no data
stats-survey = Survey (1–5): speed { $speed } · quality { $quality } · politeness { $politeness }
stats-no-survey = Survey (1–5): no answers
stats-response-rate = Survey response rate: { $answered } of { $closed } closed ({ $percent })

## The daily report (DAILY_REPORT_AT), to each manager privately

# $date is the day reported, YYYY-MM-DD.
daily-report-title = The day in figures: { $date }
daily-report-sla = SLA: met { $met }, breached { $breached }

## Numbers and times

# Units of a duration in its two largest units: 45 s, 5 min 30 s, 1 d 3 h.
duration-unit =
    .days = d
    .hours = h
    .minutes = min
    .seconds = s
decimal-mark = .
percent = { $value }%
# A moment, always in UTC.
timestamp = { $date } { $time } UTC

## /failed, /resend

failed-title = Undelivered messages, tickets: { $count }
failed-none = No undelivered messages.
# One line per ticket.
failed-line = #{ $ticket } · messages: { $count } · { $reason } · /resend { $ticket }
resend-done = Ticket #{ $ticket }: messages queued again: { $count }.
resend-nothing = Ticket #{ $ticket } has no undelivered messages.
usage-resend = Usage: /resend <number> — send a ticket's undelivered messages again. The list: /failed.

## /ban, /unban, /banned

ban-done = { $client } is banned: their messages are kept but no longer reach support or open tickets. To lift it: /unban { $id }
ban-already = { $client } is already banned.
unban-done = { $client } is no longer banned.
unban-not-banned = { $client } is not banned.
usage-ban = Usage: /ban in a ticket's topic, or /ban <tg id | @username>.
usage-unban = Usage: /unban <tg id | @username>, or /unban in a ticket's topic.
banned-title = Banned clients: { $count }
banned-none = No banned clients.
client-not-found = Client not found.
