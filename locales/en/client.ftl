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

## Categories and business hours

# Asked after the first message of a new ticket when the desk has categories.
category-question = What is your question about? Please choose below — your message is saved.
# Replaces the question once a category is chosen (or the first one was taken after a while).
category-chosen-ack = { $category } — request #{ $ticket } received. A specialist will reply right here.
# A category button pressed after the ticket already opened.
category-already-chosen = Your request is already with the team.
# Added to the acknowledgement outside business hours. $day: today, tomorrow, or mon…sun.
outside-hours-note = We are outside working hours now and will answer from { $time } { $day ->
        [today] today
        [tomorrow] tomorrow
        [mon] on Monday
        [tue] on Tuesday
        [wed] on Wednesday
        [thu] on Thursday
        [fri] on Friday
        [sat] on Saturday
       *[sun] on Sunday
    } ({ $zone }).
