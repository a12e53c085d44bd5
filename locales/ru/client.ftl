# What the client reads in their private chat with the bot.

greeting = Здравствуйте! Это служба поддержки. Опишите, пожалуйста, ваш вопрос одним или несколькими сообщениями — можно приложить фото, видео или файлы. Мы ответим здесь же.
help = Просто напишите сюда ваш вопрос — он попадёт к специалисту поддержки, и ответ придёт в этот чат.

# Sent once per ticket, after the client's first message of it.
ticket-opened-ack = Обращение #{ $ticket } принято. Специалист ответит здесь же.

closed-for-client = Обращение #{ $ticket } закрыто. Спасибо, что обратились к нам! Если появятся новые вопросы — просто напишите сюда.

# The client opened several tickets within the hour: this message joined the latest one.
added-to-latest-ticket = Ваше сообщение добавлено к обращению #{ $ticket }.
# A manager stopped this client (/ban); sent once.
banned-notice = К сожалению, поддержка больше не принимает ваши сообщения в этом чате.
