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

## Categories and business hours

# Asked after the first message of a new ticket when the desk has categories.
category-question = Какая тема у вашего вопроса? Выберите ниже — ваше сообщение сохранено.
# Replaces the question once a category is chosen (or the first one was taken after a while).
category-chosen-ack = { $category } — обращение #{ $ticket } принято. Специалист ответит здесь же.
# A category button pressed after the ticket already opened.
category-already-chosen = Ваше обращение уже передано команде.
# Added to the acknowledgement outside business hours. $day: today, tomorrow, or mon…sun.
outside-hours-note = Сейчас нерабочее время: мы ответим { $day ->
        [today] сегодня
        [tomorrow] завтра
        [mon] в понедельник
        [tue] во вторник
        [wed] в среду
        [thu] в четверг
        [fri] в пятницу
        [sat] в субботу
       *[sun] в воскресенье
    } с { $time } ({ $zone }).
