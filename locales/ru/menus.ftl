# Descriptions in Telegram's command menus: 3–256 characters each.

command-description =
    .start = Начать
    .help = Как написать в поддержку
    .close = Закрыть обращение
    .priority = Приоритет: /priority low|normal|high|urgent
    .category = Перевести в категорию: /category <ключ>
    .wait = Ждать ответа клиента
    .techs = Техники и их открытые обращения
    .tickets = Последние обращения: /tickets [new|work|closed]
    .ticket = Обращение подробно: /ticket <номер>
    .find = Поиск: /find <текст | @username | id | #номер>
    .stats = Статистика: /stats [дней]
    .tech-on = Включить техника: /tech_on <id>
    .tech-off = Выключить техника: /tech_off <id>
    .failed = Недоставленные сообщения
    .resend = Отправить снова: /resend <номер>
    .ban = Заблокировать клиента: /ban в топике
    .unban = Разблокировать клиента: /unban <id>
    .banned = Заблокированные клиенты
    .app = Открыть панель (Mini App)
    .api-token = Токен для интеграции: /api_token <имя> [read|write]
    .other = Команда
