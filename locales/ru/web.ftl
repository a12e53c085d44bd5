# Веб-панель: кнопка Mini App и ответы в Telegram, подписи графиков и все
# слова самого Mini App (идентификаторы с ui-). Подстановки вида { $id } в
# текстах ui- заполняет страница.

## В Telegram

# Кнопка меню менеджеров и техников (пара слов).
menu-button-app = Панель
# /app: сообщение над кнопкой, открывающей Mini App.
app-open = Панель: обращения, графики и ответы клиентам в одном окне.
app-button = Открыть панель
app-off = Mini App выключен: нужен публичный адрес HTTPS. Укажите в PUBLIC_URL (или WEBHOOK_URL) адрес https:// и перезапустите бота.
# /api_token; $scope — read или write.
api-token-created =
    API-токен «{ $name }» ({ $scope }):

    { $token }

    Скопируйте его сейчас: он показывается один раз. Список токенов и отзыв — на странице «API-токены» в Mini App.
usage-api-token = Использование: /api_token <имя> [read|write] — токен для интеграции, только для чтения, если не добавить write.

## Графики (панель)

chart-opened = Открыто
chart-closed = Закрыто
chart-speed = Скорость
chart-quality = Качество
chart-politeness = Вежливость

## Mini App

ui-nav =
    .dashboard = Сводка
    .tickets = Обращения
    .technicians = Техники
    .tokens = API-токены
    .kb = Статьи
ui-signing-in = Вход…
ui-no-telegram = Откройте эту страницу кнопкой «Панель» в чате с ботом в Telegram.
ui-forbidden-title = Нет доступа
ui-forbidden-body = Вы не в команде этой поддержки. Попросите менеджера добавить ваш Telegram id { $id } в ADMIN_IDS (менеджеры) или TECH_GROUPS_MAPPING (техники).
ui-error = Что-то пошло не так:
ui-retry = Повторить
ui-live = онлайн
ui-reconnecting = переподключение…
ui-sign-out = Выйти
ui-role =
    .admin = менеджер
    .technician = техник
    .token = API-токен
ui-status =
    .new = Новый
    .work = В работе
    .closed = Закрыт
    .waiting = Ждёт клиента
    .held = Выбор категории
ui-open-tickets = Открытые обращения
ui-oldest-waiting = Дольше всех ждёт
ui-nothing-waiting = Никто не ждёт.
ui-today = Сегодня
ui-opened = Открыто
ui-closed = Закрыто
ui-first-response = Первый ответ, медиана
ui-resolution = Решение, медиана
ui-chart-tickets = Обращения по дням, 30 дней
ui-chart-survey = Оценки опроса, 30 дней
ui-load = Нагрузка техников
ui-open-count = открыто
ui-rating = оценка
ui-no-rating = оценок пока нет
ui-search = #12, @username, id или слова
ui-filter-all = Все
ui-filter-open = Открытые
ui-load-more = Ещё
ui-no-tickets = Обращений нет.
ui-unassigned = не назначен
ui-back = Назад
ui-ticket = Обращение #{ $id }
ui-client = Клиент
ui-technician = Техник
ui-opened-at = Открыто
ui-reply = Ответ клиенту…
ui-send = Отправить
ui-sent = Отправлено.
ui-close = Закрыть обращение
ui-confirm-close = Закрыть обращение? Клиенту придёт опрос.
ui-assign = Назначить…
ui-take = Взять себе
ui-timeline = История
ui-feedback = Отзыв
ui-comment = Комментарий
ui-via-web = из веб-панели
ui-event =
    .opened = Обращение открыто
    .assigned = Назначено
    .reassigned = Передано
    .closed = Закрыл(а)
    .note = Внутренняя заметка
    .call = Вызов специалиста
    .edited = Сообщение изменено
    .recreated = Тема пересоздана
    .blocked = Клиент заблокировал бота
    .failed = Доставка не удалась
    .other = Событие
    .priority = Приоритет
    .category = Перенесено в категорию
    .category-chosen = Выбрана категория
    .waiting = Ждём клиента
    .waiting-ended = Клиент ответил
    .sla-warning = Предупреждение SLA
    .sla-breached = SLA просрочен
ui-reason =
    .ticket-closed = Обращение закрыто.
    .not-your-ticket = Это может техник, у которого обращение, или менеджер.
    .assigned = Обращение назначено другому.
    .admins-only = Только для менеджеров.
    .read-only = Этот API-токен только для чтения.
    .not-open-yet = Клиент ещё выбирает категорию.
    .already-waiting = Обращение уже ждёт ответа клиента.
    .no-categories = На этом столе нет категорий.
ui-available = Принимает обращения
ui-unavailable = Не принимает новые
ui-not-in-mapping = Нет в TECH_GROUPS_MAPPING
ui-token-name = Имя, например crm
ui-token-scope =
    .read = чтение
    .write = чтение и запись
ui-token-create = Создать
ui-token-once = Скопируйте сейчас: он больше не будет показан.
ui-token-revoke = Отозвать
ui-token-revoked = отозван
ui-token-last-used = использован
ui-token-never-used = не использовался
ui-no-tokens = Токенов пока нет.
ui-kb-new = Новая статья
ui-kb-slug = Slug, например payment-by-card
ui-kb-language = Язык
ui-kb-title = Заголовок
ui-kb-body = Текст статьи
ui-kb-tags = Теги через запятую
ui-kb-published = Опубликована
ui-kb-save = Сохранить
ui-kb-delete = Удалить
ui-no-articles = Статей пока нет.
ui-unit =
    .s = с
    .min = мин
    .h = ч
    .d = д
ui-priority = Приоритет
ui-category = Категория
ui-no-category = без категории
ui-wait = Ждать клиента
ui-sla = Сроки (SLA)
ui-sla-at-risk = SLA под угрозой
ui-sla-breached = SLA просрочен
ui-sla-none = Ничего не горит.
ui-sla-first = Первый ответ
ui-sla-resolution = Решение
ui-sla-due = до
ui-sla-left = осталось
ui-sla-overdue = просрочено на
ui-sla-met = уложились
ui-sla-paused = на паузе
ui-sla-no-target = без срока
ui-filter-category = Любая категория
ui-filter-priority = Любой приоритет
