# The manager commands. The handler puts the pieces together and adds links
# and bold; every word a manager reads is here.
# Kazakh nouns stay singular after a number, and no suffix is ever attached
# to a number here (its form would depend on the digits), so no message
# needs a plural selector.

# Says nothing about who may use the command, or why.
admin-refusal = Бұл команда қолжетімсіз.

## Usage lines, for a command given bad arguments

usage-tickets = Қолданылуы: /tickets [new|work|closed] — соңғы 20 өтініш: барлығы немесе осы мәртебедегілері.
usage-ticket = Қолданылуы: /ticket <нөмір>, мысалы: /ticket 12.
usage-find = Қолданылуы: /find <мәтін | @username | tg id | #нөмір> — клиенттің аты, username, id, өтініш нөмірі немесе хат алмасудағы сөздер бойынша іздеу.
usage-stats = Қолданылуы: /stats [күн] — 1 күннен 3650 күнге дейінгі кезеңнің статистикасы, әдепкі бойынша 7 күн.
# $command is tech_on or tech_off.
usage-tech-switch = Қолданылуы: /{ $command } <id | @username> — id нөмірлерін /techs көрсетеді.

## /techs, /tech_on, /tech_off

techs-title = Мамандар: { $count }
techs-none = Мамандар жоқ: олардың тізімі TECH_GROUPS_MAPPING арқылы беріледі.
tech-state-available = ✅ өтініштерді қабылдайды
tech-state-unavailable = ⏸ жаңа өтініштерді қабылдамайды
tech-state-removed = 🚫 TECH_GROUPS_MAPPING тізімінде жоқ
tech-open-tickets = ашық: { $count }
tech-now-available = { $tech } қайтадан өтініштерді қабылдайды: жаңа карточкаларда батырма пайда болады.
tech-now-unavailable = { $tech } енді жаңа өтініштерді қабылдамайды: жаңа карточкаларда батырма болмайды. Ашық өтініштер соған бекітілген күйі қалады.
tech-already-available = { $tech } онсыз да өтініштерді қабылдап жатыр.
tech-already-unavailable = { $tech } онсыз да жаңа өтініштерді қабылдамайды.
tech-not-in-mapping = { $tech } TECH_GROUPS_MAPPING тізімінде жоқ — оны сонда қосып, ботты қайта іске қосыңыз.
tech-not-found = Мұндай маман жоқ. Тізімді /techs көрсетеді.

## Ticket lists: /tickets, /find

# The filter of /tickets, as a heading word.
status-filter =
    .new = жаңа
    .work = жұмыстағы
    .waiting = клиентті күтуде
    .held = топиксіз
    .closed = жабық
# A status with its colour, as in the topic titles.
status-label =
    .new = 🟢 { stage-new }
    .work = 🟡 { stage-in-work }
    .waiting = ⏸ { stage-waiting }
    .held = ⚪ { stage-held }
    .closed = 🟣 { stage-closed }
# $filter is one of status-filter; "latest" when the list is cut to the newest $shown.
tickets-title = Өтініштер: { $total }
    .filtered = Өтініштер ({ $filter }): { $total }
    .latest = Өтініштер: соңғы { $shown }, барлығы { $total }
    .filtered-latest = Өтініштер ({ $filter }): соңғы { $shown }, барлығы { $total }
tickets-none = Өтініштер жоқ.
# Stands for a missing technician, name or time.
nobody = —
find-title = Табылған өтініштер: { $count }
    .more = { $count } өтініштен көп табылды, соңғы { $count } өтініш көрсетілді
find-none = Ештеңе табылмады.

## /ticket

ticket-not-found = #{ $ticket } нөмірлі өтініш жоқ.
label-status = Мәртебе
label-client = Клиент
label-tech = Маман
label-opened = Ашылды
label-first-response = Алғашқы жауап
label-resolution = Шешім
label-messages = Хабарламалар
label-history = Тарих
label-feedback = Баға
label-topic = Топик
# A time after the opening: 5 мин кейін.
after = { $duration } кейін
not-yet = әлі жоқ
still-open = әлі ашық
no-feedback = жоқ
step-opened = ашылды
step-assigned = тағайындалды: { $tech }
step-reassigned = басқа маманға берілді: { $tech }
step-closed = жабылды
    .by = жабылды ({ $by })
step-topic-recreated = топик қайта құрылды
step-client-blocked = клиент ботты бұғаттады

## /stats

stats-title = { $days } күндік статистика (кезең басы: { $since })
stats-opened = Ашылды: { $count }
stats-closed = Жабылды: { $count }
stats-still-open = Кезеңде ашылғандардың әлі жабылмағаны: { $count }
# $what is label-first-response or label-resolution.
stats-spread = { $what }: медиана { $median }, 90-процентиль { $p90 } (өтініштер: { $count })
stats-no-spread = { $what }: дерек жоқ
stats-survey = Сауалнама (1–5): жылдамдық { $speed } · сапа { $quality } · сыпайылық { $politeness }
stats-no-survey = Сауалнама (1–5): жауап жоқ
stats-response-rate = Сауалнамаға жауап бергендер: { $answered } / { $closed } жабық өтініш ({ $percent })

## The daily report (DAILY_REPORT_AT), to each manager privately

# $date is the day reported, YYYY-MM-DD.
daily-report-title = { $date } күнінің қорытындысы
daily-report-sla = SLA: мерзімінде { $met }, бұзылғаны { $breached }

## Numbers and times

# Units of a duration in its two largest units: 45 сек, 5 мин 30 сек, 1 күн 3 сағ.
duration-unit =
    .days = күн
    .hours = сағ
    .minutes = мин
    .seconds = сек
decimal-mark = ,
percent = { $value }%
# A moment, always in UTC.
timestamp = { $date } { $time } UTC

## /failed, /resend

failed-title = Жеткізілмеген хабарламалар, өтініштер саны: { $count }
failed-none = Жеткізілмеген хабарлама жоқ.
# One line per ticket.
failed-line = #{ $ticket } · хабарлама: { $count } · { $reason } · /resend { $ticket }
resend-done = #{ $ticket } өтініші: { $count } хабарлама қайта кезекке қойылды.
resend-nothing = #{ $ticket } өтінішінде жеткізілмеген хабарлама жоқ.
usage-resend = Қолданылуы: /resend <нөмір> — өтініштің жеткізілмеген хабарламаларын қайта жіберу. Тізімі: /failed.

## /ban, /unban, /banned

ban-done = { $client } бұғатталды: хабарламалары сақталады, бірақ қолдау қызметіне жіберілмейді және өтініш ашпайды. Бұғаттан шығару: /unban { $id }
ban-already = { $client } бұрыннан бұғатталған.
unban-done = { $client } бұғаттан шығарылды.
unban-not-banned = { $client } бұғатталмаған.
usage-ban = Қолданылуы: өтініш топигінде /ban, немесе /ban <tg id | @username>.
usage-unban = Қолданылуы: /unban <tg id | @username>, немесе өтініш топигінде /unban.
banned-title = Бұғатталған клиенттер: { $count }
banned-none = Бұғатталған клиент жоқ.
client-not-found = Клиент табылмады.
