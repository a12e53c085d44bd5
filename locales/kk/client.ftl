# What the client reads in their private chat with the bot.

greeting = Сәлеметсіз бе! Бұл — қолдау қызметі. Сұрағыңызды бір немесе бірнеше хабарламамен сипаттап жазыңыз — фото, бейне немесе файл тіркеуге болады. Біз осы жерде жауап береміз.
help = Сұрағыңызды осында жаза беріңіз — ол қолдау маманына жетеді, ал жауап осы чатқа келеді.

# Sent once per ticket, after the client's first message of it.
ticket-opened-ack = #{ $ticket } өтінішіңіз қабылданды. Маман осы жерде жауап береді.

closed-for-client = #{ $ticket } өтінішіңіз жабылды. Бізге хабарласқаныңыз үшін рақмет! Жаңа сұрақтар туындаса, осында жаза беріңіз.

# The client opened several tickets within the hour: this message joined the latest one.
added-to-latest-ticket = Хабарламаңыз #{ $ticket } өтінішіне қосылды.
# A manager stopped this client (/ban); sent once.
banned-notice = Өкінішке қарай, қолдау қызметі бұдан былай осы чаттағы хабарламаларыңызды қабылдамайды.

## Categories and business hours

# Asked after the first message of a new ticket when the desk has categories.
category-question = Сұрағыңыз қай тақырыпқа қатысты? Төменнен таңдаңыз — хабарламаңыз сақталды.
# Replaces the question once a category is chosen (or the first one was taken after a while).
category-chosen-ack = { $category } — #{ $ticket } өтінішіңіз қабылданды. Маман осы жерде жауап береді.
# A category button pressed after the ticket already opened.
category-already-chosen = Өтінішіңіз командаға жіберілді.
# Added to the acknowledgement outside business hours. $day: today, tomorrow, or mon…sun.
outside-hours-note = Қазір жұмыс уақыты емес: біз { $day ->
        [today] бүгін
        [tomorrow] ертең
        [mon] дүйсенбі күні
        [tue] сейсенбі күні
        [wed] сәрсенбі күні
        [thu] бейсенбі күні
        [fri] жұма күні
        [sat] сенбі күні
       *[sun] жексенбі күні
    } { $time } бастап жауап береміз ({ $zone }).
