# What the support team reads in the forum topics: stage words of the topic
# titles, the client card, notes, and answers to button presses.
# Kazakh nouns stay singular after a number (3 өтініш), so no message here
# needs a plural selector.

## Stage words of the main topics' titles: 🟢 [Жаңа] #12 | …

stage-new = Жаңа
stage-in-work = Жұмыста
stage-waiting = Клиентті күтуде
# A ticket without a topic yet: the client is choosing a category.
stage-held = Санат таңдалуда
stage-closed = Жабық

## The client card

card-title = Өтініш #{ $ticket }
card-name = Аты
card-username = Username
card-id = ID
card-language = Тілі
card-earlier = Бұрынғы өтініштер: { $count }
# Closes the list of earlier tickets when only the latest are shown.
card-more = …және тағы { $count }
# Stands for a missing username or language.
card-missing = —

close-button = Жабу

## Notes in the team's topics

assigned-note = Маман тағайындалды: { $tech }.
reassigned-away-note = Өтініш басқа маманға берілді: { $tech }. Бұл топик жабылды, мұндағы хабарламалар енді жіберілмейді.
tech-topic-intro = Сізге #{ $ticket } өтініш тағайындалды. Осы топиктегі жауаптарыңызды клиент қолдау қызметінің атынан алады. // белгісімен басталған хабарлама ішкі жазба болып қалады.
# $by is a staff member's name, or the client.
closed-note = Өтініш жабылды ({ $by }).
ticket-is-closed-note = Бұл өтініш жабылған — хабарлама клиентке жіберілмеді.
client-blocked-note = Клиент ботты бұғаттады — хабарламалар оған жетпейді.
topic-recreated-note = Топик жойылған еді, енді қайта құрылды. Өтініш осында жалғасады.
edit-note = ✏️ Жоғарыдағы хабарлама өзгертілді.
    .with-text =
        ✏️ Жоғарыдағы хабарлама өзгертілді:
        { $text }
# $text must stay last: its formatting entities are shifted past the words before it.
specialist-call-note =
    🙋 { $author } көмекке шақырады:
    { $text }

## Answers to button presses: Telegram shows them as a toast of at most 200 characters

assign-done = Тағайындалды: { $tech }
already-in-progress = Орындалып жатыр, бір сәт күтіңіз.
ticket-already-closed = Өтініш әлдеқашан жабылған.
stale-button = Бұл батырма ескірген.
only-in-main-group = Бұл батырма тек қолдау тобында жұмыс істейді.
closed-done = Өтініш жабылды.
unknown-ticket = Өтініш табылмады.

## Deliveries that failed for good: one line per ticket in its main topic.
# $place: client, mirror or main.
delivery-failed-note =
    ⚠️ Хабарлама { $place ->
        [client] клиентке
        [mirror] маманның топигіне
       *[main] осы топикке
    } жеткізілмеді: { $reason }. Қайта жіберу: /resend { $ticket }

## Service levels. $clock: first_response or resolution; $due: a moment on
## the business hours' clock.

priority-label =
    .low = 🔽 Төмен
    .normal = ▫️ Қалыпты
    .high = 🔼 Жоғары
    .urgent = 🔥 Шұғыл
sla-warning =
    ⏳ #{ $ticket }: { $clock ->
        [first_response] алғашқы жауап
       *[resolution] шешім
    } мерзімі — { $due }, { $left } қалды.
sla-breached =
    ⏰ Мерзімі өтті: { $clock ->
        [first_response] алғашқы жауап
       *[resolution] шешім
    } (мерзімі { $due } болатын)
sla-breached-manager =
    ⏰ #{ $ticket } өтініш ({ $priority }): { $clock ->
        [first_response] алғашқы жауаптың
       *[resolution] шешімнің
    } мерзімі өтті ({ $due }).
sla-due-first-response = ⏱ Алғашқы жауап { $due } дейін
sla-due-resolution = ⏱ Шешім { $due } дейін

## Routing: priorities, categories, waiting, automatic assignment

wait-button = ⏸ Клиентті күтеміз
# The card's line while the ticket waits for the client.
waiting-status = ⏸ Клиенттің жауабын { $since } бастап күтеміз.
no-technician-status = Автоматты тағайындауға бос маман жоқ — қолмен тағайындаңыз.
# Toasts and command answers.
priority-done = Басымдық: { $priority }
category-done = Санат: { $category }
wait-done = Клиенттің жауабын күтеміз.
already-waiting = Өтініш клиенттің жауабын күтіп тұр.
priority-usage = Қолданылуы: /priority low | normal | high | urgent
category-usage = Қолданылуы: /category { $keys }
# A ticket moved to a category of another main group.
moved-away-note = ➡️ { $by } өтінішті { $category } санатына ауыстырды. Ол сол санаттың тобында жалғасады; бұл тақырып жабылды.
moved-here-note = ⬅️ { $by } өтінішті { $category } санатынан осында ауыстырды.
    .with-link = ⬅️ { $by } өтінішті { $category } санатынан осында ауыстырды. Бұрынғы хат алмасу: { $link }
# The closing note of a ticket that waited too long for the client.
waiting-auto-closed = автоматты түрде: клиент { $duration } жауап бермеді
