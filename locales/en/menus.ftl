# Descriptions in Telegram's command menus: 3–256 characters each.

command-description =
    .start = Start
    .help = How to reach support
    .close = Close the ticket
    .priority = Priority: /priority low|normal|high|urgent
    .category = Move to a category: /category <key>
    .wait = Wait for the client's answer
    .techs = Technicians and their open tickets
    .tickets = Latest tickets: /tickets [new|work|closed]
    .ticket = One ticket in detail: /ticket <id>
    .find = Search: /find <text | @username | id | #id>
    .stats = Statistics: /stats [days]
    .tech-on = Make a technician available: /tech_on <id>
    .tech-off = Make a technician unavailable: /tech_off <id>
    .failed = Undelivered messages
    .resend = Send again: /resend <number>
    .ban = Ban a client: /ban in a topic
    .unban = Lift a ban: /unban <id>
    .banned = Banned clients
    .app = Open the desk (Mini App)
    .api-token = A token for an integration: /api_token <name> [read|write]
    .other = Command
