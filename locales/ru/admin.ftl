# The manager commands. The handler puts the pieces together and adds links
# and bold; every word a manager reads is here.

# Says nothing about who may use the command, or why.
admin-refusal = Эта команда недоступна.

## Usage lines, for a command given bad arguments

usage-tickets = Использование: /tickets [new|work|closed] — последние 20 обращений, все или с этим статусом.
usage-ticket = Использование: /ticket <номер>, например /ticket 12.
usage-find = Использование: /find <текст | @username | tg id | #номер> — поиск по имени клиента, username, id, номеру обращения или словам из переписки.
usage-stats = Использование: /stats [дней] — статистика за период от 1 до 3650 дней, по умолчанию 7.
# $command is tech_on or tech_off.
usage-tech-switch = Использование: /{ $command } <id | @username> — id показывает /techs.

## /techs, /tech_on, /tech_off

techs-title = Специалисты: { $count }
techs-none = Специалистов нет: их список задаёт TECH_GROUPS_MAPPING.
tech-state-available = ✅ принимает обращения
tech-state-unavailable = ⏸ не принимает новые
tech-state-removed = 🚫 нет в TECH_GROUPS_MAPPING
tech-open-tickets = открытых: { $count }
tech-now-available = { $tech } снова принимает обращения: кнопка появится на новых карточках.
tech-now-unavailable = { $tech } больше не принимает новые обращения: на новых карточках кнопки не будет. Открытые обращения остаются за ним.
tech-already-available = { $tech } и так принимает обращения.
tech-already-unavailable = { $tech } и так не принимает новые обращения.
tech-not-in-mapping = { $tech } нет в TECH_GROUPS_MAPPING — добавьте его туда и перезапустите бота.
tech-not-found = Такого специалиста нет. Список — /techs.

## Ticket lists: /tickets, /find

# The filter of /tickets, as a heading word.
status-filter =
    .new = новые
    .work = в работе
    .waiting = ждут клиента
    .held = без топика
    .closed = закрытые
# A status with its colour, as in the topic titles.
status-label =
    .new = 🟢 { stage-new }
    .work = 🟡 { stage-in-work }
    .waiting = ⏸ { stage-waiting }
    .held = ⚪ { stage-held }
    .closed = 🟣 { stage-closed }
# $filter is one of status-filter; "latest" when the list is cut to the newest $shown.
tickets-title = Обращения: { $total }
    .filtered = Обращения ({ $filter }): { $total }
    .latest = Обращения: последние { $shown } из { $total }
    .filtered-latest = Обращения ({ $filter }): последние { $shown } из { $total }
tickets-none = Обращений нет.
# Stands for a missing technician, name or time.
nobody = —
find-title = Найдено обращений: { $count }
    .more = Найдено больше { $count }, показаны последние { $count }
find-none = Ничего не найдено.

## /ticket

ticket-not-found = Обращения #{ $ticket } нет.
label-status = Статус
label-client = Клиент
label-tech = Специалист
label-opened = Открыто
label-first-response = Первый ответ
label-resolution = Решение
label-messages = Сообщений
label-history = История
label-feedback = Оценка
label-topic = Топик
# A time after the opening: через 5 мин.
after = через { $duration }
not-yet = ещё нет
still-open = ещё открыто
no-feedback = нет
step-opened = открыто
step-assigned = назначено: { $tech }
step-reassigned = передано: { $tech }
step-closed = закрыто
    .by = закрыто ({ $by })
step-topic-recreated = топик создан заново
step-client-blocked = клиент заблокировал бота

## /stats

stats-title = Статистика за { $days } дн. (с { $since })
stats-opened = Открыто: { $count }
stats-closed = Закрыто: { $count }
stats-still-open = Из открытых за период ещё не закрыто: { $count }
# $what is label-first-response or label-resolution.
stats-spread = { $what }: медиана { $median }, 90-й процентиль { $p90 } (обращений: { $count })
stats-no-spread = { $what }: нет данных
stats-survey = Опрос (1–5): скорость { $speed } · качество { $quality } · вежливость { $politeness }
stats-no-survey = Опрос (1–5): ответов нет
stats-response-rate =
    Ответили на опрос: { $answered } из { $closed } { $closed ->
        [one] закрытого
       *[other] закрытых
    } ({ $percent })

## The daily report (DAILY_REPORT_AT), to each manager privately

# $date is the day reported, YYYY-MM-DD.
daily-report-title = Итоги дня { $date }
daily-report-sla = SLA: в срок { $met }, нарушено { $breached }

## Numbers and times

# Units of a duration in its two largest units: 45 с, 5 мин 30 с, 1 д 3 ч.
duration-unit =
    .days = д
    .hours = ч
    .minutes = мин
    .seconds = с
decimal-mark = ,
percent = { $value }%
# A moment, always in UTC.
timestamp = { $date } { $time } UTC

## /failed, /resend

failed-title = Недоставленные сообщения, обращений: { $count }
failed-none = Недоставленных сообщений нет.
# One line per ticket.
failed-line = #{ $ticket } · сообщений: { $count } · { $reason } · /resend { $ticket }
resend-done = Обращение #{ $ticket }: сообщений снова в очереди: { $count }.
resend-nothing = У обращения #{ $ticket } нет недоставленных сообщений.
usage-resend = Использование: /resend <номер> — снова отправить недоставленные сообщения обращения. Список: /failed.

## /ban, /unban, /banned

ban-done = { $client } заблокирован: его сообщения сохраняются, но не передаются в поддержку и не открывают обращений. Снять: /unban { $id }
ban-already = { $client } уже заблокирован.
unban-done = { $client } разблокирован.
unban-not-banned = { $client } не заблокирован.
usage-ban = Использование: /ban в топике обращения, или /ban <tg id | @username>.
usage-unban = Использование: /unban <tg id | @username>, или /unban в топике обращения.
banned-title = Заблокированные клиенты: { $count }
banned-none = Заблокированных клиентов нет.
client-not-found = Клиент не найден.
