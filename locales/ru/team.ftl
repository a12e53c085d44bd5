# What the support team reads in the forum topics: stage words of the topic
# titles, the client card, notes, and answers to button presses.

## Stage words of the main topics' titles: 🟢 [Новый] #12 | …

stage-new = Новый
stage-in-work = В работе
stage-closed = Закрыт
stage-waiting = Ждёт клиента
# A ticket without a topic yet: the client is choosing a category.
stage-held = Выбор категории

## The client card

card-title = Обращение #{ $ticket }
card-name = Имя
card-username = Username
card-id = ID
card-language = Язык
card-earlier = Ранее обращений: { $count }
# Closes the list of earlier tickets when only the latest are shown.
card-more = …и ещё { $count }
# Stands for a missing username or language.
card-missing = —

close-button = Закрыть

## Notes in the team's topics

assigned-note = Назначен специалист: { $tech }.
reassigned-away-note = Обращение передано другому специалисту: { $tech }. Этот топик закрыт, сообщения отсюда больше не передаются.
tech-topic-intro = Вам назначено обращение #{ $ticket }. Ответы из этого топика получит клиент от имени поддержки. Сообщение, начинающееся с //, останется внутренней заметкой.
# $by is a staff member's name, or the client.
closed-note = Обращение закрыто ({ $by }).
ticket-is-closed-note = Это обращение закрыто — сообщение клиенту не отправлено.
client-blocked-note = Клиент заблокировал бота — сообщения до него не доходят.
topic-recreated-note = Топик был удалён и создан заново. Обращение продолжается здесь.
edit-note = ✏️ Сообщение выше было изменено.
    .with-text =
        ✏️ Сообщение выше было изменено:
        { $text }
# $text must stay last: its formatting entities are shifted past the words before it.
specialist-call-note =
    🙋 { $author } зовёт на помощь:
    { $text }

## Answers to button presses: Telegram shows them as a toast of at most 200 characters

assign-done = Назначено: { $tech }
already-in-progress = Уже выполняется, подождите секунду.
ticket-already-closed = Обращение уже закрыто.
stale-button = Эта кнопка устарела.
only-in-main-group = Эта кнопка работает только в группе поддержки.
closed-done = Обращение закрыто.
unknown-ticket = Обращение не найдено.

## Deliveries that failed for good: one line per ticket in its main topic.
# $place: client, mirror or main.
delivery-failed-note =
    ⚠️ Сообщение не доставлено { $place ->
        [client] клиенту
        [mirror] в топик специалиста
       *[main] в этот топик
    }: { $reason }. Отправить снова: /resend { $ticket }

## Service levels. $clock: first_response or resolution; $due: a moment on
## the business hours' clock.

priority-label =
    .low = 🔽 Низкий
    .normal = ▫️ Обычный
    .high = 🔼 Высокий
    .urgent = 🔥 Срочный
sla-warning =
    ⏳ #{ $ticket }: { $clock ->
        [first_response] первый ответ
       *[resolution] решение
    } нужно успеть до { $due } — осталось { $left }.
sla-breached =
    ⏰ Просрочено: { $clock ->
        [first_response] первый ответ
       *[resolution] решение
    } (срок был { $due })
sla-breached-manager =
    ⏰ Обращение #{ $ticket } ({ $priority }): просрочено — { $clock ->
        [first_response] первый ответ
       *[resolution] решение
    } (срок был { $due }).
sla-due-first-response = ⏱ Первый ответ до { $due }
sla-due-resolution = ⏱ Решение до { $due }

## Routing: priorities, categories, waiting, automatic assignment

wait-button = ⏸ Ждём клиента
# The card's line while the ticket waits for the client.
waiting-status = ⏸ Ждём ответа клиента с { $since }.
no-technician-status = Нет свободного специалиста для автоназначения — назначьте вручную.
# Toasts and command answers.
priority-done = Приоритет: { $priority }
category-done = Категория: { $category }
wait-done = Ждём ответа клиента.
already-waiting = Обращение уже ждёт ответа клиента.
priority-usage = Использование: /priority low | normal | high | urgent
category-usage = Использование: /category { $keys }
# A ticket moved to a category of another main group.
moved-away-note = ➡️ { $by } перевёл(а) обращение в категорию { $category }. Оно продолжается в группе этой категории; эта тема закрыта.
moved-here-note = ⬅️ { $by } перевёл(а) обращение сюда из категории { $category }.
    .with-link = ⬅️ { $by } перевёл(а) обращение сюда из категории { $category }. Предыдущая переписка: { $link }
# The closing note of a ticket that waited too long for the client.
waiting-auto-closed = автоматически: клиент не отвечал { $duration }
