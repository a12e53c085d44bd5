# What the client reads in their private chat with the bot.

greeting = Hello! This is the support team. Please describe your question in one or more messages — photos, videos and files are welcome. We will answer right here.
help = Just write your question here — it reaches a support specialist, and the answer arrives in this chat.

# Sent once per ticket, after the client's first message of it.
ticket-opened-ack = Request #{ $ticket } received. A specialist will reply right here.

closed-for-client = Request #{ $ticket } is closed. Thank you for contacting us! If anything else comes up, just write here.

# The client opened several tickets within the hour: this message joined the latest one.
added-to-latest-ticket = Your message was added to your request #{ $ticket }.
# A manager stopped this client (/ban); sent once.
banned-notice = Sorry, support no longer accepts your messages in this chat.
