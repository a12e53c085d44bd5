# Веб-панель: Mini App батырмасы мен Telegram-дағы жауаптар, график
# жазулары және Mini App-тың барлық сөздері (ui- идентификаторлары).
# ui- мәтініндегі { $id } сияқты орындарды бетті өзі толтырады.

## Telegram-да

# Менеджерлер мен мамандардың мәзір батырмасы (бір-екі сөз).
menu-button-app = Панель
# /app: Mini App-ты ашатын батырманың үстіндегі хабар.
app-open = Панель: өтініштер, графиктер және клиенттерге жауаптар бір терезеде.
app-button = Панельді ашу
app-off = Mini App өшірулі: оған жария HTTPS мекенжайы керек. PUBLIC_URL (немесе WEBHOOK_URL) ішіне https:// мекенжайын жазып, ботты қайта іске қосыңыз.
# /api_token; $scope — read не write.
api-token-created =
    API-токен «{ $name }» ({ $scope }):

    { $token }

    Оны қазір көшіріп алыңыз: ол бір рет қана көрсетіледі. Токендер тізімі мен кері қайтару — Mini App-тағы «API-токендер» бетінде.
usage-api-token = Қолданылуы: /api_token <атауы> [read|write] — интеграцияға арналған токен, write қоспасаңыз тек оқуға.

## Графиктер (панель)

chart-opened = Ашылды
chart-closed = Жабылды
chart-speed = Жылдамдық
chart-quality = Сапа
chart-politeness = Сыпайылық

## Mini App

ui-nav =
    .dashboard = Шолу
    .tickets = Өтініштер
    .technicians = Мамандар
    .tokens = API-токендер
    .kb = Мақалалар
ui-signing-in = Кіру…
ui-no-telegram = Бұл бетті Telegram-дағы боттың чатындағы «Панель» батырмасымен ашыңыз.
ui-forbidden-title = Рұқсат жоқ
ui-forbidden-body = Сіз бұл қолдау қызметінің командасында жоқсыз. Менеджерден Telegram id { $id } нөміріңізді ADMIN_IDS (менеджерлер) немесе TECH_GROUPS_MAPPING (мамандар) тізіміне қосуын сұраңыз.
ui-error = Бірдеңе дұрыс болмады:
ui-retry = Қайталау
ui-live = желіде
ui-reconnecting = қайта қосылуда…
ui-sign-out = Шығу
ui-role =
    .admin = менеджер
    .technician = маман
    .token = API-токен
ui-status =
    .new = Жаңа
    .work = Жұмыста
    .closed = Жабық
    .waiting = Клиентті күтуде
    .held = Санат таңдалуда
ui-open-tickets = Ашық өтініштер
ui-oldest-waiting = Ең ұзақ күтуде
ui-nothing-waiting = Ешкім күтіп тұрған жоқ.
ui-today = Бүгін
ui-opened = Ашылды
ui-closed = Жабылды
ui-first-response = Алғашқы жауап, медиана
ui-resolution = Шешім, медиана
ui-chart-tickets = Күн сайынғы өтініштер, 30 күн
ui-chart-survey = Сауалнама бағалары, 30 күн
ui-load = Мамандардың жүктемесі
ui-open-count = ашық
ui-rating = баға
ui-no-rating = әзірге баға жоқ
ui-search = #12, @username, id немесе сөздер
ui-filter-all = Барлығы
ui-filter-open = Ашық
ui-load-more = Тағы
ui-no-tickets = Өтініш жоқ.
ui-unassigned = тағайындалмаған
ui-back = Артқа
ui-ticket = Өтініш #{ $id }
ui-client = Клиент
ui-technician = Маман
ui-opened-at = Ашылды
ui-reply = Клиентке жауап…
ui-send = Жіберу
ui-sent = Жіберілді.
ui-close = Өтінішті жабу
ui-confirm-close = Өтініш жабылсын ба? Клиентке сауалнама келеді.
ui-assign = Тағайындау…
ui-take = Өзіме алу
ui-timeline = Тарих
ui-feedback = Пікір
ui-comment = Түсініктеме
ui-via-web = веб-панельден
ui-event =
    .opened = Өтініш ашылды
    .assigned = Тағайындалды
    .reassigned = Берілді
    .closed = Жапқан
    .note = Ішкі жазба
    .call = Маманды шақыру
    .edited = Хабар өзгертілді
    .recreated = Тақырып қайта құрылды
    .blocked = Клиент ботты бұғаттады
    .failed = Жеткізу сәтсіз болды
    .other = Оқиға
    .priority = Басымдық
    .category = Санатқа ауыстырылды
    .category-chosen = Санат таңдалды
    .waiting = Клиентті күтеміз
    .waiting-ended = Клиент жауап берді
    .sla-warning = SLA ескертуі
    .sla-breached = SLA мерзімі өтті
ui-reason =
    .ticket-closed = Өтініш жабық.
    .not-your-ticket = Мұны өтініш тиесілі маман немесе менеджер ғана істей алады.
    .assigned = Өтініш басқа біреуге тағайындалған.
    .admins-only = Тек менеджерлерге.
    .read-only = Бұл API-токен тек оқуға арналған.
    .not-open-yet = Клиент әлі санат таңдап жатыр.
    .already-waiting = Өтініш клиенттің жауабын күтіп тұр.
    .no-categories = Бұл үстелде санаттар жоқ.
ui-available = Өтініш қабылдайды
ui-unavailable = Жаңасын қабылдамайды
ui-not-in-mapping = TECH_GROUPS_MAPPING тізімінде жоқ
ui-token-name = Атауы, мысалы crm
ui-token-scope =
    .read = оқу
    .write = оқу және жазу
ui-token-create = Жасау
ui-token-once = Қазір көшіріп алыңыз: ол қайта көрсетілмейді.
ui-token-revoke = Кері қайтару
ui-token-revoked = кері қайтарылған
ui-token-last-used = қолданылды
ui-token-never-used = қолданылмаған
ui-no-tokens = Әзірге токен жоқ.
ui-kb-new = Жаңа мақала
ui-kb-slug = Slug, мысалы payment-by-card
ui-kb-language = Тіл
ui-kb-title = Тақырып
ui-kb-body = Мақала мәтіні
ui-kb-tags = Тегтер үтір арқылы
ui-kb-published = Жарияланған
ui-kb-save = Сақтау
ui-kb-delete = Жою
ui-no-articles = Әзірге мақала жоқ.
ui-unit =
    .s = с
    .min = мин
    .h = сағ
    .d = күн
ui-priority = Басымдық
ui-category = Санат
ui-no-category = санатсыз
ui-wait = Клиентті күту
ui-sla = Мерзімдер (SLA)
ui-sla-at-risk = SLA қауіпте
ui-sla-breached = SLA мерзімі өтті
ui-sla-none = Қауіп жоқ.
ui-sla-first = Алғашқы жауап
ui-sla-resolution = Шешім
ui-sla-due = дейін
ui-sla-left = қалды
ui-sla-overdue = кешікті
ui-sla-met = үлгердік
ui-sla-paused = кідірісте
ui-sla-no-target = мерзімсіз
ui-filter-category = Кез келген санат
ui-filter-priority = Кез келген басымдық
